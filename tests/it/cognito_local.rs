//! The managed cognito-local (`cognito_contract::managed::cognito_local`): installed from the
//! embedded lockfile with npm, started on a free loopback port with fresh state and Cognito's
//! pool defaults, never outliving its owner; and the main job, `run --target cognito-local`
//! without an endpoint, green over a few areas with `cases/expectations/cognito-local.json`.
//!
//! These need Node.js 20.19+ / 22.12+ (or 23+) and npm on PATH. Where they are missing or too old
//! the tests fail with the harness's own message saying so, rather than skip: a machine that
//! cannot run cognito-local cannot vouch for it. The first run installs cognito-local into the
//! cache (under a minute); later runs reuse it.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use cognito_contract::managed::cognito_local::{CognitoLocalServer, check_node};
use serde_json::{Value, json};

use crate::support::managed::{
    alive, assert_gone_and_port_free, call, run_helper_test, wait_until_dead,
};
use crate::support::output::{run_successfully, summary_line};

fn start() -> CognitoLocalServer {
    CognitoLocalServer::start().unwrap_or_else(|error| {
        panic!("the managed cognito-local cannot run on this machine: {error}")
    })
}

#[test]
fn this_machine_has_a_node_that_can_run_cognito_local() {
    let version = check_node().unwrap_or_else(|error| panic!("{error}"));
    assert!(!version.is_empty());
}

#[test]
fn managed_server_answers_with_fresh_state_and_plain_usernames() {
    let server = start();
    assert_eq!(
        server.endpoint(),
        format!("http://127.0.0.1:{}", server.port())
    );
    assert!(alive(server.pid()));
    assert!(server.log_path().is_file());
    let config = server.state_dir().join(".cognito/config.json");
    assert!(config.is_file(), "{}", config.display());

    let (status, body) = call(server.endpoint(), "ListUserPools", json!({"MaxResults": 1}));
    assert_eq!((status, &body), (200, &json!({"UserPools": []})));

    // The config: pools get no username attributes, so a plain username is accepted, as on
    // Cognito (cognito-local's own default would refuse it: "Username should be an email.").
    let (status, body) = call(
        server.endpoint(),
        "CreateUserPool",
        json!({"PoolName": "plain"}),
    );
    assert_eq!(status, 200, "{body}");
    let pool = body["UserPool"]["Id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        server.endpoint(),
        "AdminCreateUser",
        json!({"UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS"}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["User"]["Username"], "alice");
}

#[test]
fn dropping_the_server_kills_it_frees_the_port_and_removes_its_state() {
    let server = start();
    let (pid, port) = (server.pid(), server.port());
    let state = server.state_dir().to_owned();
    assert!(state.is_dir());
    drop(server);
    assert_gone_and_port_free(pid, port);
    assert!(!state.exists(), "{} is left behind", state.display());
}

const ABANDON_ENV: &str = "CCT_COGNITO_LOCAL_TEST_ABANDON_PIDFILE";

/// Not a test on its own: when run as a subprocess by
/// `a_server_dies_with_a_harness_that_exits_without_dropping_it` it starts a server, writes the
/// server's pid, and exits the process without running any destructor.
#[test]
fn helper_start_and_abandon() {
    let Some(pidfile) = std::env::var_os(ABANDON_ENV) else {
        return;
    };
    let server = start();
    let state = server.state_dir().display().to_string();
    fs::write(pidfile, format!("{}\n{state}", server.pid())).unwrap();
    std::process::exit(0);
}

#[test]
fn a_server_dies_with_a_harness_that_exits_without_dropping_it() {
    let scratch = tempfile::tempdir().unwrap();
    let pidfile = scratch.path().join("pid");
    run_helper_test(
        "cognito_local::helper_start_and_abandon",
        ABANDON_ENV,
        &pidfile,
    );
    let written = fs::read_to_string(&pidfile).expect("the helper wrote no pid");
    let (pid, state) = written.split_once('\n').unwrap();
    let pid: u32 = pid.parse().unwrap();
    assert!(
        wait_until_dead(pid, Duration::from_secs(10)),
        "cognito-local (pid {pid}) survived the process that started it"
    );
    // Its state directory outlived it (no destructor ran); the next start removes it.
    assert!(Path::new(state).is_dir(), "{state}");
    drop(start());
    assert!(!Path::new(state).exists(), "{state} was left behind");
}

#[test]
fn without_node_the_run_stops_with_status_2_naming_node_and_the_remedy() {
    let empty = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .args(["run", "--target", "cognito-local", "users/"])
        .env("PATH", empty.path())
        .env_remove("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot start cognito-local: node was not found on PATH"),
        "{stderr}"
    );
    assert!(stderr.contains("Node.js 20.19+"), "{stderr}");
}

/// Checks that count as target-wide quirks in `cases/expectations/cognito-local.json`: waived
/// wherever they occur.
const TARGET_WIDE: [&str; 3] = ["request_id", "content_type", "body_schema"];

/// Runs `run --target cognito-local` (no endpoint) over one area and returns the closing line
/// and the JSON report, after checking the run was green.
fn run_area(area: &str) -> (String, Value) {
    let scratch = tempfile::tempdir().unwrap();
    let report_path = scratch.path().join("report.json");
    let stdout = run_successfully(&[
        "run",
        "--target",
        "cognito-local",
        "--json-report",
        report_path.to_str().unwrap(),
        area,
    ]);
    let summary = summary_line(&stdout, "cognito-local").to_owned();
    assert!(summary.contains(" 0 failed"), "{summary}");
    let report = serde_json::from_slice(&fs::read(&report_path).unwrap()).unwrap();
    (summary, report)
}

/// The main job with no endpoint: cognito-local is started for the run, and the run is green
/// over a few areas.
///
/// No case can count as passed on cognito-local: every reply lacks `x-amzn-RequestId`, and a case
/// a waiver applies to is an expected failure, not a pass. So the test asks the JSON reports how
/// many cases got through all their steps with nothing but the target-wide quirks: those are the
/// cases that would pass, and there must be some.
#[test]
fn run_against_the_managed_cognito_local_is_green() {
    let (mut ran, mut only_quirks, mut summaries) = (0, 0, Vec::new());
    for area in ["users/", "groups/", "user_pools/"] {
        let (summary, report) = run_area(area);
        let cases = report["cases"].as_array().unwrap();
        ran += cases.len();
        only_quirks += cases
            .iter()
            .filter(|case| {
                case["steps"].as_array().unwrap().iter().all(|step| {
                    step["failures"].as_array().unwrap().iter().all(|failure| {
                        TARGET_WIDE.contains(&failure["check"].as_str().unwrap_or_default())
                    })
                })
            })
            .count();
        summaries.push(summary);
    }
    assert!(ran > 50, "{ran} cases ran: {summaries:#?}");
    assert!(
        only_quirks >= 20,
        "only {only_quirks} cases got through with nothing but the target-wide quirks: {summaries:#?}"
    );
}
