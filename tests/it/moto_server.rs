//! Tests for the managed moto server (`cognito_contract::managed::moto`): locating `moto_server` (explicit,
//! on PATH of the pinned version, private venv), starting real servers on free loopback ports,
//! readiness failures that carry the log tail, and that a server never outlives its owner.
//!
//! The first run provisions the private venv (`pip install "moto[server]==5.2.5"`), which takes
//! a minute or two; later runs reuse it.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use cognito_contract::managed::moto::{
    Locator, MOTO_VERSION, MotoError, MotoServer, Origin, READY_TIMEOUT, script_moto_version,
};
use serde_json::json;

use crate::support::managed::{
    alive, assert_gone_and_port_free, call, run_helper_test, wait_until_dead,
};

/// A scratch directory unique to this process and test, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("cct-moto-test-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Writes an executable script and returns its path.
    fn script(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        fs::write(&path, text).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn pool_names(endpoint: &str) -> Vec<String> {
    let (status, body) = call(endpoint, "ListUserPools", json!({"MaxResults": 60}));
    assert_eq!(status, 200, "{body}");
    body["UserPools"]
        .as_array()
        .unwrap_or_else(|| panic!("no UserPools array: {body}"))
        .iter()
        .map(|pool| pool["Name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn managed_server_answers_list_user_pools() {
    let server = MotoServer::start().unwrap_or_else(|error| panic!("{error}"));
    let prefix = format!("http://127.0.0.1:{}", server.port());
    assert_eq!(server.endpoint(), prefix);
    assert!(alive(server.pid()));
    assert!(server.log_path().is_file());

    let (status, body) = call(server.endpoint(), "ListUserPools", json!({"MaxResults": 1}));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"UserPools": []}));
}

#[test]
fn without_an_explicit_choice_the_pinned_moto_is_found() {
    let locator = Locator {
        explicit: None,
        ..Locator::from_env()
    };
    let located = locator.locate().unwrap_or_else(|error| panic!("{error}"));
    assert_ne!(located.origin, Origin::Explicit);
    assert_eq!(
        script_moto_version(&located.executable).as_deref(),
        Some(MOTO_VERSION),
        "{located:?}"
    );
}

#[test]
fn two_servers_run_at_once_and_do_not_share_state() {
    let first = MotoServer::start().unwrap_or_else(|error| panic!("{error}"));
    let second = MotoServer::start().unwrap_or_else(|error| panic!("{error}"));
    assert_ne!(first.port(), second.port());
    assert_ne!(first.pid(), second.pid());

    let (status, body) = call(
        first.endpoint(),
        "CreateUserPool",
        json!({"PoolName": "only-in-first"}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(pool_names(first.endpoint()), ["only-in-first"]);
    assert!(pool_names(second.endpoint()).is_empty());
}

#[test]
fn dropping_the_server_kills_it_and_frees_the_port() {
    let server = MotoServer::start().unwrap_or_else(|error| panic!("{error}"));
    let (pid, port) = (server.pid(), server.port());
    assert!(alive(pid));
    drop(server);
    assert_gone_and_port_free(pid, port);
}

#[test]
fn a_server_started_on_a_short_lived_thread_outlives_that_thread() {
    // PR_SET_PDEATHSIG is tied to the spawning thread; the module spawns from its own
    // long-lived thread, so the exit of the caller's thread must not take moto down.
    let server = thread::spawn(|| MotoServer::start().unwrap_or_else(|error| panic!("{error}")))
        .join()
        .unwrap();
    thread::sleep(Duration::from_millis(500));
    assert!(alive(server.pid()));
    assert!(pool_names(server.endpoint()).is_empty());
}

const ABANDON_ENV: &str = "CCT_MOTO_TEST_ABANDON_PIDFILE";

/// Not a test on its own: when run as a subprocess by
/// `a_server_dies_with_a_harness_that_exits_without_dropping_it` it starts a server, writes the
/// server's pid, and exits the process without running any destructor.
#[test]
fn helper_start_and_abandon() {
    let Some(pidfile) = std::env::var_os(ABANDON_ENV) else {
        return;
    };
    let server = MotoServer::start().unwrap_or_else(|error| panic!("{error}"));
    fs::write(pidfile, server.pid().to_string()).unwrap();
    std::process::exit(0);
}

#[test]
fn a_server_dies_with_a_harness_that_exits_without_dropping_it() {
    let scratch = Scratch::new("abandon");
    let pidfile = scratch.0.join("pid");
    run_helper_test(
        "moto_server::helper_start_and_abandon",
        ABANDON_ENV,
        &pidfile,
    );
    let pid: u32 = fs::read_to_string(&pidfile)
        .expect("the helper wrote no pid")
        .parse()
        .unwrap();
    assert!(
        wait_until_dead(pid, Duration::from_secs(10)),
        "moto (pid {pid}) survived the process that started it"
    );
}

#[test]
fn explicit_executable_that_does_not_exist_is_a_clear_error() {
    let locator = Locator {
        explicit: Some(PathBuf::from("/nonexistent/moto_server")),
        search_path: Vec::new(),
    };
    let error = locator.locate().unwrap_err();
    assert!(
        matches!(error, MotoError::ExplicitNotFound { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(
        message.starts_with("MOTO_SERVER=/nonexistent/moto_server does not name an executable"),
        "{message}"
    );
    assert!(message.contains("unset it"), "{message}");

    let bare = Locator {
        explicit: Some(PathBuf::from("no-such-moto-server")),
        search_path: vec![PathBuf::from("/nonexistent")],
    };
    assert!(matches!(
        bare.locate(),
        Err(MotoError::ExplicitNotFound { .. })
    ));
}

#[test]
fn explicit_bare_name_is_looked_up_on_the_search_path() {
    let scratch = Scratch::new("bare");
    let script = scratch.script("my_moto", "#!/bin/sh\nexit 0\n");
    let locator = Locator {
        explicit: Some(PathBuf::from("my_moto")),
        search_path: vec![PathBuf::from("/nonexistent"), scratch.0.clone()],
    };
    let located = locator.locate().unwrap();
    assert_eq!(located.executable, script);
    assert_eq!(located.origin, Origin::Explicit);
}

#[test]
fn moto_server_on_path_is_used_only_at_the_pinned_version() {
    let pinned = Scratch::new("path-pinned");
    let python = pinned.script("python3", &format!("#!/bin/sh\necho {MOTO_VERSION}\n"));
    let on_path = pinned.script(
        "moto_server",
        &format!("#!{}\nimport moto\n", python.display()),
    );
    let located = Locator {
        explicit: None,
        search_path: vec![pinned.0.clone()],
    }
    .locate()
    .unwrap();
    assert_eq!(located.executable, on_path);
    assert_eq!(located.origin, Origin::Path);

    // A wrapper such as a pyenv shim: the python3 beside it tells the version.
    let shim = Scratch::new("path-shim");
    shim.script("python3", &format!("#!/bin/sh\necho {MOTO_VERSION}\n"));
    let shimmed = shim.script("moto_server", "#!/usr/bin/env bash\nexec false\n");
    assert_eq!(script_moto_version(&shimmed).as_deref(), Some(MOTO_VERSION));

    let other = Scratch::new("path-other");
    let python = other.script("python3", "#!/bin/sh\necho 5.2.1\n");
    other.script(
        "moto_server",
        &format!("#!{}\nimport moto\n", python.display()),
    );
    let located = Locator {
        explicit: None,
        search_path: vec![other.0.clone()],
    }
    .locate()
    .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(located.origin, Origin::Venv);
    assert_eq!(
        script_moto_version(&located.executable).as_deref(),
        Some(MOTO_VERSION)
    );
}

#[test]
fn starting_a_missing_executable_names_it() {
    let error =
        MotoServer::start_with(Path::new("/nonexistent/moto_server"), READY_TIMEOUT).unwrap_err();
    assert!(matches!(error, MotoError::Spawn { .. }), "{error:?}");
    assert!(
        error.to_string().contains("/nonexistent/moto_server"),
        "{error}"
    );
}

#[test]
fn a_server_that_exits_early_reports_its_log_tail() {
    let scratch = Scratch::new("exits");
    let script = scratch.script(
        "moto_server",
        "#!/bin/sh\necho \"simulated moto failure: $*\" >&2\nexit 3\n",
    );
    let error = MotoServer::start_with(&script, READY_TIMEOUT).unwrap_err();
    assert!(matches!(error, MotoError::Exited { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("exit status: 3"), "{message}");
    assert!(
        message.contains("simulated moto failure: -H 127.0.0.1 -p "),
        "{message}"
    );
}

#[test]
fn a_server_that_never_answers_times_out_and_is_killed() {
    let scratch = Scratch::new("silent");
    let pidfile = scratch.0.join("pid");
    let script = scratch.script(
        "moto_server",
        &format!(
            "#!/bin/sh\necho $$ > {}\necho 'listening soon, honest'\nexec sleep 60\n",
            pidfile.display()
        ),
    );
    let started = Instant::now();
    let error = MotoServer::start_with(&script, Duration::from_millis(1500)).unwrap_err();
    let took = started.elapsed();
    assert!(matches!(error, MotoError::NotReady { .. }), "{error:?}");
    assert!(took < Duration::from_secs(10), "took {took:?}");
    let message = error.to_string();
    assert!(message.contains("did not answer"), "{message}");
    assert!(message.contains("listening soon, honest"), "{message}");
    assert!(message.contains("Connection refused"), "{message}");

    let pid: u32 = fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        !alive(pid),
        "the silent server (pid {pid}) was left running"
    );
}
