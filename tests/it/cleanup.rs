//! Cleanup that always happens, counted with ListUserPools against a moto server started here:
//! cases that fail midway (or forget their teardown) leave no pool behind, a run interrupted
//! with SIGINT finishes its teardowns and leaves no pool behind, `sweep --dry-run` lists the
//! planted prefixed pools and `sweep` removes only those. Against a fake Cognito that refuses to
//! delete protected pools, deletion protection is lifted first, in teardowns, in the run's
//! final cleanup and in `sweep`.

use crate::support::output::binary_without_credentials;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::files::{copy_fixture, write_cases};
use crate::support::{AwsLike, Config};
use cognito_contract::account::sweep::{self, Deleted};
use cognito_contract::exec::runner::{NoWaivers, RunContext, run_case};
use cognito_contract::http::client::{Client, ClientOptions};
use cognito_contract::http::sigv4::Sigv4Signer;
use cognito_contract::managed::moto::MotoServer;
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::load_case;
use serde_json::{Value, json};

fn client(endpoint: &str) -> Client {
    Client::new(
        endpoint,
        Some(Arc::new(Sigv4Signer::emulator("us-east-1"))),
        &ClientOptions::emulator(Duration::from_secs(10)),
    )
    .unwrap()
}

/// The names of the pools at `endpoint`, listed with ListUserPools.
fn pool_names(endpoint: &str) -> BTreeSet<String> {
    let client = client(endpoint);
    let pools = cognito_contract::suite::runtime()
        .block_on(sweep::list_pools(&client))
        .unwrap();
    pools.into_iter().map(|p| p.name).collect()
}

fn cli() -> Command {
    let mut command = binary_without_credentials();
    command
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
        .env_remove("COGNITO_CONTRACT_TARGET");
    command
}

#[test]
fn cases_that_fail_midway_or_forget_their_teardown_leave_no_pool_behind() {
    let moto = MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let cases = tempfile::tempdir().unwrap();
    copy_fixture("cleanup_failing", cases.path());
    let output = cli()
        .args(["run", "--endpoint", moto.endpoint()])
        .args(["--cases", cases.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(101), "{stdout}");
    assert!(stdout.contains("2 failed"), "{stdout}");
    assert_eq!(
        stdout.matches("which no teardown deleted").count(),
        1,
        "the forgotten pool is deleted by the run's cleanup: {stdout}"
    );
    assert_eq!(pool_names(moto.endpoint()), BTreeSet::new());
}

/// A case whose steps run between its setup and teardown; `NUMBER` is replaced.
const SLOW_CASE: &str = include_str!("fixtures/cleanup_slow.json");

#[test]
fn a_run_interrupted_with_sigint_finishes_its_teardowns_and_leaves_no_pool_behind() {
    let moto = MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    // In front of moto, a server that holds DescribeUserPool back, so that the signal
    // arrives while cases are between their setup and their teardown.
    let mut config = Config::new(Vec::new());
    config.upstream = Some(moto.endpoint().to_owned());
    config
        .delays
        .insert("DescribeUserPool".into(), Duration::from_millis(1500));
    let front = AwsLike::start(config);
    let cases = tempfile::tempdir().unwrap();
    for n in 1..=4 {
        write_cases(
            cases.path(),
            &[(
                &format!("t/slow_{n}.json"),
                &SLOW_CASE.replace("NUMBER", &n.to_string()),
            )],
        );
    }
    let (status, stdout, stderr) =
        interrupt_when_two_cases_are_in_their_steps(&front, cases.path());
    assert_eq!(status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("SIGINT: finishing the running cases' teardowns"),
        "{stderr}"
    );
    assert_eq!(
        stdout
            .matches("not run: the run was interrupted (SIGINT); skipping to teardown")
            .count(),
        2,
        "the two running cases skipped their last step: {stdout}"
    );
    assert_eq!(
        stdout
            .matches("ignored (not started: the run was interrupted (SIGINT))")
            .count(),
        2,
        "the two waiting cases never started: {stdout}"
    );
    let deleted = front
        .seen()
        .iter()
        .filter(|s| s.operation == "DeleteUserPool" && s.status == 200)
        .count();
    assert_eq!(deleted, 2, "both started cases tore down");
    assert_eq!(pool_names(moto.endpoint()), BTreeSet::new());
}

/// Runs the cases in `cases` on two threads through `front`, sends the run SIGINT once two
/// cases have reached their `DescribeUserPool` step, and returns how it ended, its stdout and
/// its stderr.
fn interrupt_when_two_cases_are_in_their_steps(
    front: &AwsLike,
    cases: &Path,
) -> (ExitStatus, String, String) {
    let mut child = cli()
        .args(["run", "--target", "moto", "--endpoint", &front.endpoint])
        .args(["--cases", cases.to_str().unwrap(), "--test-threads", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while front
        .arrived()
        .iter()
        .filter(|op| *op == "DescribeUserPool")
        .count()
        < 2
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no case got to its steps: {:?}",
            front.arrived()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) },
        0
    );
    let stdout_pipe = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        BufReader::new(stdout_pipe)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
            .join("\n")
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("the run did not end after SIGINT");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = reader.join().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    (status, stdout, stderr)
}

#[test]
fn sweep_lists_and_removes_only_the_prefixed_pools() {
    let moto = MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let planter = client(moto.endpoint());
    let names = [
        "cct-a1b2c3-one",
        "cct-a1b2c3-two",
        "keep-me",
        "cct-production",
        "cct-a1b2c3",
    ];
    let mut ids = Vec::new();
    for name in names {
        let created = cognito_contract::suite::runtime()
            .block_on(sweep::call(
                &planter,
                "CreateUserPool",
                json!({"PoolName": name}),
            ))
            .unwrap();
        ids.push(created["UserPool"]["Id"].as_str().unwrap().to_owned());
    }
    let sweep_cli = |extra: &[&str]| {
        let output = cli()
            .args(["sweep", "--endpoint", moto.endpoint()])
            .args(extra)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };
    let all: BTreeSet<String> = names.iter().map(|n| n.to_string()).collect();

    let young = sweep_cli(&["--older-than", "1h", "--dry-run"]);
    assert!(!young.contains("would delete"), "{young}");
    assert!(young.contains("2 younger than 1h 0m"), "{young}");

    let listed = sweep_cli(&["--older-than", "0s", "--dry-run"]);
    assert_eq!(listed.matches("would delete").count(), 2, "{listed}");
    assert!(
        listed.contains(&format!("would delete {}  cct-a1b2c3-one", ids[0])),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("would delete {}  cct-a1b2c3-two", ids[1])),
        "{listed}"
    );
    assert_eq!(
        pool_names(moto.endpoint()),
        all,
        "a dry run deletes nothing"
    );

    let swept = sweep_cli(&["--older-than", "0s"]);
    assert_eq!(
        swept.lines().filter(|l| l.starts_with("deleted ")).count(),
        2,
        "{swept}"
    );
    assert!(swept.contains("kept 3 without the prefix"), "{swept}");
    assert_eq!(
        pool_names(moto.endpoint()),
        BTreeSet::from([
            "keep-me".to_owned(),
            "cct-production".to_owned(),
            "cct-a1b2c3".to_owned()
        ])
    );
}

fn fake() -> (
    AwsLike,
    Arc<std::sync::Mutex<std::collections::BTreeMap<String, Value>>>,
) {
    let (handler, pools) = crate::support::fake_cognito();
    let mut config = Config::new(Vec::new());
    config.handler = Some(handler);
    (AwsLike::start(config), pools)
}

#[tokio::test]
async fn deletion_protection_is_lifted_when_delete_user_pool_refuses() {
    let (server, pools) = fake();
    let client = client(&server.endpoint);
    let created = sweep::call(
        &client,
        "CreateUserPool",
        json!({"PoolName": "cct-a1b2c3-protected", "DeletionProtection": "ACTIVE"}),
    )
    .await
    .unwrap();
    let id = created["UserPool"]["Id"].as_str().unwrap();
    let deleted = sweep::delete_pool(&client, id).await.unwrap();
    assert_eq!(
        deleted,
        Deleted::DeletedAfter(vec!["lifted deletion protection".into()])
    );
    let operations: Vec<String> = server.seen().into_iter().map(|s| s.operation).collect();
    assert_eq!(
        operations,
        [
            "CreateUserPool",
            "DeleteUserPool",
            "DescribeUserPool",
            "UpdateUserPool",
            "DeleteUserPool"
        ]
    );
    assert!(pools.lock().unwrap().is_empty());
    assert_eq!(
        sweep::delete_pool(&client, id).await.unwrap(),
        Deleted::AlreadyGone
    );
}

#[tokio::test]
async fn a_teardown_that_forgets_deletion_protection_still_deletes_the_pool() {
    let (server, pools) = fake();
    let text = r#"{
  "description": "a protected pool whose teardown only deletes it",
  "setup": [{"operation": "CreateUserPool",
             "request": {"PoolName": "${prefix}${case_id}", "DeletionProtection": "ACTIVE"},
             "capture": {"pool": "$.UserPool.Id"}}],
  "steps": [{"operation": "ListUserPools", "request": {"MaxResults": 1}}],
  "teardown": [{"operation": "DeleteUserPool", "request": {"UserPoolId": "${pool}"}}]
}"#;
    let case = load_case(
        "t/protected",
        "t/protected.json",
        text,
        SchemaStore::global(),
    )
    .unwrap();
    let ctx = RunContext::with_client(client(&server.endpoint));
    let report = run_case(&case, &ctx, &NoWaivers).await;
    assert!(report.failures().is_empty(), "{:#?}", report.failures());
    let teardown = report.steps.last().unwrap();
    assert_eq!(teardown.step.id(), "teardown[0]");
    assert!(
        teardown.warnings[0].contains("lifted deletion protection and deleted the pool"),
        "{:?}",
        teardown.warnings
    );
    assert!(pools.lock().unwrap().is_empty());
}

#[test]
fn the_run_cleanup_and_sweep_lift_deletion_protection_too() {
    let (server, pools) = fake();
    let cases = tempfile::tempdir().unwrap();
    write_cases(
        cases.path(),
        &[(
            "t/leaves_protected.json",
            r#"{
  "description": "a case that leaves a protected pool behind",
  "steps": [{"operation": "CreateUserPool",
             "request": {"PoolName": "${prefix}${case_id}", "DeletionProtection": "ACTIVE"}}]
}"#,
        )],
    );
    let output = cli()
        .args(["run", "--endpoint", &server.endpoint])
        .args(["--cases", cases.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("(lifted deletion protection), which no teardown deleted"),
        "{stdout}"
    );
    assert!(pools.lock().unwrap().is_empty());

    // A protected leftover of an earlier run (the fake dates its pools to 2023).
    let client = client(&server.endpoint);
    cognito_contract::suite::runtime()
        .block_on(sweep::call(
            &client,
            "CreateUserPool",
            json!({"PoolName": "cct-0f0f0f-old", "DeletionProtection": "ACTIVE"}),
        ))
        .unwrap();
    let output = cli()
        .args(["sweep", "--endpoint", &server.endpoint])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("cct-0f0f0f-old"), "{stdout}");
    assert!(stdout.contains("lifted deletion protection"), "{stdout}");
    assert!(pools.lock().unwrap().is_empty());
}
