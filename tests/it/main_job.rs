//! The main job, `cognito-contract run`, against an independently started moto named as such
//! (`--target moto --endpoint URL`): the bundled cases pass with the moto expectations, and the
//! output says how many cases ran. (The whole suite runs against moto in `tests/contract.rs` and
//! `tests/as_dependency.rs`; here two areas keep the test quick.)

use std::process::Command;

use cognito_contract::managed::moto::MotoServer;

use crate::support::output::{run_successfully, summary_line};

#[test]
fn run_against_an_independent_moto_passes() {
    let server = MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let stdout = run_successfully(&[
        "run",
        "--target",
        "moto",
        "--endpoint",
        server.endpoint(),
        "users/",
    ]);
    let summary = summary_line(&stdout, "moto");
    let passed: usize = summary
        .split_whitespace()
        .nth(3)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{summary}"));
    assert!(passed >= 15, "{summary}");
    assert!(summary.contains(" 0 failed"), "{summary}");
}

#[test]
fn an_unreachable_endpoint_stops_the_run_before_any_case_with_status_3() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .args([
            "run",
            "--endpoint",
            &format!("http://127.0.0.1:{port}"),
            "user_pools/",
        ])
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stderr.contains("is unreachable"), "{stderr}");
    assert!(!stdout.contains("test result"), "no case ran: {stdout}");
}
