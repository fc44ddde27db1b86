//! Safety before anything is sent: a real-AWS-looking endpoint (the aws target, an explicit
//! `*.amazonaws.com` endpoint, or one from the environment) is refused without the opt-in, for
//! `run` and `sweep` alike, and the refusal happens before any connection: every proxy
//! variable points at a local trap that counts connections, and it must count none. Also: the
//! bundled cases name their pools with the run prefix, and `requires` only names known setup.

use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::case::Expect;
use cognito_contract::spec::load::{self, load_case};

use crate::support::files::copy_fixture;

/// A listener that counts the connections made to it, standing in for any network path.
struct Trap {
    url: String,
    connections: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Trap {
    fn start() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (count, stopped) = (connections.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok(_) => {
                        count.fetch_add(1, Ordering::SeqCst);
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Trap {
            url,
            connections,
            stop,
            thread: Some(thread),
        }
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for Trap {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Command-line arguments and extra environment variables.
type Attempt<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)]);

/// A case directory with one harmless case.
fn one_case() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_fixture("list_user_pools", dir.path());
    dir
}

/// The binary with credentials that look real, an empty home, no endpoint variables, and every
/// proxy variable pointing at `trap`.
fn cli(trap: &Trap, home: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cognito-contract"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        );
    for name in [
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        command.env(name, &trap.url);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

#[test]
fn aws_endpoints_are_refused_without_the_opt_in_before_anything_is_sent() {
    let trap = Trap::start();
    let home = tempfile::tempdir().unwrap();
    let cases = one_case();
    let cases = cases.path().to_str().unwrap();
    let attempts: &[Attempt] = &[
        (&["run", "--target", "aws", "--region", "eu-west-1"], &[]),
        (
            &[
                "run",
                "--endpoint",
                "https://cognito-idp.us-east-1.amazonaws.com",
            ],
            &[],
        ),
        (
            &["run", "--cases", cases, "t/"],
            &[(
                "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
                "https://cognito-idp.ap-southeast-2.amazonaws.com/",
            )],
        ),
        (
            &["run", "--target", "aws"],
            &[("COGNITO_CONTRACT_ALLOW_AWS", "0")],
        ),
        (&["sweep", "--target", "aws", "--dry-run"], &[]),
        (
            &[
                "sweep",
                "--endpoint",
                "https://cognito-idp.eu-west-1.amazonaws.com",
                "--older-than",
                "0s",
            ],
            &[],
        ),
    ];
    for (args, env) in attempts {
        let output = cli(&trap, home.path(), args, env);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {stdout}\n{stderr}"
        );
        assert!(stderr.contains("is real AWS"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("--allow-aws") && stderr.contains("COGNITO_CONTRACT_ALLOW_AWS=1"),
            "{args:?}: {stderr}"
        );
        assert!(!stdout.contains("test "), "{args:?}: no case ran: {stdout}");
    }
    assert_eq!(
        trap.connections(),
        0,
        "nothing may be sent before the opt-in"
    );

    // The trap does catch traffic: a non-AWS endpoint under the reserved `.invalid` domain
    // is reached through the proxy variables, so the trap sees the attempt.
    let output = cli(
        &trap,
        home.path(),
        &[
            "run",
            "--cases",
            cases,
            "--endpoint",
            "http://cognito-contract.invalid",
            "--max-attempts",
            "1",
            "--request-timeout",
            "2s",
        ],
        &[],
    );
    assert_ne!(output.status.code(), Some(0));
    assert!(trap.connections() >= 1, "the trap works");
}

#[cfg(not(feature = "aws-config"))]
#[test]
fn with_the_opt_in_but_without_credentials_nothing_is_sent_either() {
    let trap = Trap::start();
    let home = tempfile::tempdir().unwrap();
    let cases = one_case();
    let mut command = Command::new(env!("CARGO_BIN_EXE_cognito-contract"));
    let output = command
        .args(["run", "--target", "aws", "--allow-aws", "--cases"])
        .arg(cases.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("HTTPS_PROXY", &trap.url)
        .env("HTTP_PROXY", &trap.url)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no AWS credentials"), "{stderr}");
    assert_eq!(trap.connections(), 0);
}

#[test]
fn sweep_needs_an_endpoint() {
    let output = Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .arg("sweep")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
        .env_remove("COGNITO_CONTRACT_TARGET")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("sweep needs an endpoint"), "{stderr}");
}

#[test]
fn bundled_cases_name_the_pools_they_create_with_the_run_prefix() {
    let cases = load::load_source(
        &cognito_contract::spec::case_source::CaseSource::Bundled,
        SchemaStore::global(),
    )
    .unwrap();
    let mut checked = 0;
    for case in &cases {
        for (section, index, step) in case.all_steps() {
            if step.operation != "CreateUserPool"
                || step.invalid_request
                || matches!(step.expect, Expect::Error { .. })
            {
                continue;
            }
            let name = step.request["PoolName"].as_str().unwrap_or_default();
            assert!(
                name.starts_with("${prefix}"),
                "{} {section:?}[{index}]: PoolName {name:?} does not start with ${{prefix}}, \
                 so sweep could not find the pool if it were left behind",
                case.file
            );
            checked += 1;
        }
    }
    assert!(checked >= 50, "{checked}");
}

#[test]
fn requires_names_known_outside_setup_only() {
    let store = SchemaStore::global();
    let ok = r#"{"description": "needs an email sent", "requires": ["email-delivery"],
                 "steps": [{"operation": "ListUserPools", "request": {"MaxResults": 1}}]}"#;
    let case = load_case("t/ok", "t/ok.json", ok, store).unwrap();
    assert_eq!(case.requires, ["email-delivery"]);
    let bad = ok.replace("email-delivery", "telepathy");
    let errors = load_case("t/bad", "t/bad.json", &bad, store).unwrap_err();
    assert_eq!(errors[0].location, "/requires/0", "{errors:?}");
    let none = ok.replace(r#""requires": ["email-delivery"],"#, "");
    assert!(
        load_case("t/none", "t/none.json", &none, store)
            .unwrap()
            .requires
            .is_empty()
    );
}

#[test]
fn the_default_build_does_not_depend_on_aws_config() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let tree = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(tree.lines().any(|l| l.starts_with("aws-sigv4 ")), "{tree}");
    assert!(
        !tree.lines().any(|l| l.starts_with("aws-config ")),
        "aws-config belongs behind the `aws-config` feature"
    );
}
