//! Throttling and faults: a server that throttles and fails the first calls still yields a
//! passing run (against moto, behind a faulty local front); retries show in the failure when a
//! step finally fails; lost connections are retried; requests in flight and per second are
//! limited; a step that times out fails with that reason (a case that runs out of time is a
//! harness error of that step) and the teardown still runs; an interrupt skips the remaining
//! steps (a harness error, not a failure) but not the teardown.

use crate::support::output::binary_without_credentials;
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::files::copy_fixture;
use crate::support::{AwsLike, Config, Fault};
use cognito_contract::exec::runner::{NoWaivers, RunContext, run_case};
use cognito_contract::http::client::{Client, ClientOptions};
use cognito_contract::http::retry::RetryPolicy;
use cognito_contract::http::sigv4::Sigv4Signer;
use cognito_contract::managed::moto::MotoServer;
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::load_case;
use serde_json::json;

fn client(endpoint: &str, options: ClientOptions) -> Client {
    Client::new(
        endpoint,
        Some(Arc::new(Sigv4Signer::emulator("us-east-1"))),
        &options,
    )
    .unwrap()
}

#[test]
fn a_server_that_throttles_and_fails_the_first_calls_still_yields_a_passing_run() {
    let moto = MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let mut config = Config::new(Vec::new());
    config.upstream = Some(moto.endpoint().to_owned());
    // Every other one of the first 16 calls fails: throttled, or a server fault.
    let kinds = [
        Fault::TooManyRequests,
        Fault::Throttling,
        Fault::Server(500),
        Fault::Server(503),
    ];
    config.faults = (0..16)
        .map(|i| (i % 2 == 0).then(|| kinds[(i / 2) % kinds.len()]))
        .collect();
    let server = AwsLike::start(config);

    let started = Instant::now();
    let output = binary_without_credentials()
        .args(["run", "--target", "moto", "--endpoint", &server.endpoint])
        .args(["users/admin_get_user", "--test-threads", "1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("running 3 tests"), "{stdout}");
    assert!(stdout.contains(", 0 failed,"), "{stdout}");
    assert!(stdout.contains("0 unexpected passes"), "{stdout}");
    let seen = server.seen();
    let faults: Vec<_> = seen
        .iter()
        .filter(|s| {
            matches!(
                s.error.as_deref(),
                Some("TooManyRequestsException" | "ThrottlingException" | "InternalErrorException")
            )
        })
        .collect();
    assert_eq!(faults.len(), 8, "{seen:#?}");
    assert!(
        seen.iter()
            .skip(1)
            .step_by(2)
            .take(8)
            .all(|s| s.error.is_none()
                || s.error.as_deref() == Some("ResourceNotFoundException")
                || s.error.as_deref() == Some("UserNotFoundException")),
        "each fault was retried: {seen:#?}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn retries_show_in_the_failure_when_a_step_finally_fails() {
    let mut config = Config::new(Vec::new());
    config.faults = vec![Some(Fault::TooManyRequests); 100];
    let server = AwsLike::start(config);
    let cases = tempfile::tempdir().unwrap();
    copy_fixture("list_user_pools", cases.path());
    let output = binary_without_credentials()
        .args(["run", "--endpoint", &server.endpoint])
        .args(["--cases", cases.path().to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(101), "{stdout}");
    assert!(
        stdout.contains(
            "steps[0] ListUserPools: retries: 3 attempts: attempt 1: HTTP 400 \
             TooManyRequestsException; retried after"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("attempt 2: HTTP 400 TooManyRequestsException; retried after"),
        "{stdout}"
    );
}

#[tokio::test]
async fn lost_connections_are_retried() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        for (i, stream) in listener.incoming().take(2).enumerate() {
            let mut stream = stream.unwrap();
            if i == 0 {
                drop(stream); // accepted and closed: no reply
                continue;
            }
            let mut request = Vec::new();
            let mut buffer = [0u8; 4096];
            while !String::from_utf8_lossy(&request).contains("{\"MaxResults\":1}") {
                let n = stream.read(&mut buffer).unwrap();
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buffer[..n]);
            }
            let body = r#"{"UserPools":[]}"#;
            write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\n\
                 x-amzn-requestid: r\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
        }
    });
    let client = client(&endpoint, ClientOptions::emulator(Duration::from_secs(5)));
    let reply = client
        .send("ListUserPools", &json!({"MaxResults": 1}), false)
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(reply.attempts, 2);
    assert!(
        reply.retries[0].starts_with("attempt 1: "),
        "{:?}",
        reply.retries
    );
    server.join().unwrap();

    // Nobody listening at all: every attempt is refused, and the error lists them.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let client = client_with_attempts(&endpoint, 2);
    let error = client
        .send("ListUserPools", &json!({"MaxResults": 1}), false)
        .await
        .unwrap_err();
    assert!(error.contains("after 2 attempts: attempt 1: "), "{error}");
}

fn client_with_attempts(endpoint: &str, attempts: u32) -> Client {
    let mut options = ClientOptions::emulator(Duration::from_secs(5));
    options.retry.max_attempts = attempts;
    client(endpoint, options)
}

#[tokio::test]
async fn requests_in_flight_and_per_second_are_limited() {
    let mut config = Config::new(Vec::new());
    config
        .delays
        .insert("ListUserPools".into(), Duration::from_millis(200));
    let server = AwsLike::start(config);
    let mut options = ClientOptions::emulator(Duration::from_secs(5));
    options.max_concurrency = Some(2);
    let limited = client(&server.endpoint, options);
    let body = json!({"MaxResults": 1});
    let sends = (0..6).map(|_| limited.send("ListUserPools", &body, false));
    let replies = futures_util::future::join_all(sends).await;
    assert!(
        replies
            .iter()
            .all(|r| r.as_ref().is_ok_and(|r| r.status == 200))
    );
    assert_eq!(server.max_in_flight(), 2);

    let mut options = ClientOptions::emulator(Duration::from_secs(5));
    options.requests_per_second = Some(20.0);
    let paced = client(&server.endpoint, options);
    let started = Instant::now();
    let sends = (0..10).map(|_| paced.send("DescribeUserPool", &body, false));
    futures_util::future::join_all(sends).await;
    assert!(
        started.elapsed() >= Duration::from_millis(440),
        "10 requests at 20 per second take 450 ms at least: {:?}",
        started.elapsed()
    );
}

/// A case whose first step (`steps[0]`, DescribeUserPool) hangs on the slow server.
const SLOW_CASE: &str = include_str!("fixtures/describe_then_list.json");

fn slow_server() -> (AwsLike, crate::support::Handler) {
    let (handler, _) = crate::support::fake_cognito();
    let mut config = Config::new(Vec::new());
    config.handler = Some(handler.clone());
    config
        .delays
        .insert("DescribeUserPool".into(), Duration::from_secs(3));
    (AwsLike::start(config), handler)
}

fn operations(server: &AwsLike) -> Vec<String> {
    server.seen().into_iter().map(|s| s.operation).collect()
}

#[tokio::test]
async fn a_request_that_times_out_fails_with_that_reason_and_teardown_still_runs() {
    let (server, _) = slow_server();
    let case = load_case("t/slow", "t/slow.json", SLOW_CASE, SchemaStore::global()).unwrap();
    let mut options = ClientOptions::emulator(Duration::from_millis(300));
    options.retry = RetryPolicy {
        max_attempts: 2,
        ..RetryPolicy::emulator()
    };
    let ctx = RunContext::with_client(client(&server.endpoint, options));
    let report = run_case(&case, &ctx, &NoWaivers).await;
    let failures = report.failures();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert_eq!(failures[0].step.id(), "steps[0]");
    let text = failures[0].to_string();
    assert!(
        text.contains("timed out after 0.3 s (the per-request timeout)"),
        "{text}"
    );
    // The attempt used up the request's time, so it is not retried (see `retry::within_budget`).
    assert!(text.contains("not retried: the attempts took"), "{text}");
    assert_eq!(
        report.steps.last().unwrap().step.id(),
        "teardown[0]",
        "the teardown ran"
    );
    assert!(report.steps.last().unwrap().failures.is_empty());
    assert!(operations(&server).contains(&"DeleteUserPool".to_owned()));
}

#[tokio::test]
async fn a_case_that_runs_out_of_time_is_a_harness_error_and_teardown_still_runs() {
    let (server, _) = slow_server();
    let case = load_case("t/slow", "t/slow.json", SLOW_CASE, SchemaStore::global()).unwrap();
    let mut ctx = RunContext::with_client(client(
        &server.endpoint,
        ClientOptions::emulator(Duration::from_secs(10)),
    ));
    ctx.case_timeout = Some(Duration::from_millis(500));
    let started = Instant::now();
    let report = run_case(&case, &ctx, &NoWaivers).await;
    assert!(started.elapsed() < Duration::from_secs(3), "cut short");
    // Not the target's failure: a harness error of the step that was cut short.
    assert!(report.failures().is_empty(), "{:#?}", report.failures());
    let errors = report.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].step.id(), "steps[0]");
    assert_eq!(errors[0].error.kind(), "case_timeout");
    assert!(
        errors[0]
            .to_string()
            .contains("the case's 0.5 s (the per-case timeout) ran out during this step"),
        "{}",
        errors[0]
    );
    assert!(operations(&server).contains(&"DeleteUserPool".to_owned()));
    assert!(!operations(&server).contains(&"ListUserPools".to_owned()));
}

#[tokio::test]
async fn an_interrupt_skips_the_remaining_steps_as_a_harness_error_but_not_the_teardown() {
    let (handler, pools) = crate::support::fake_cognito();
    let interrupt = cognito_contract::support::interrupt::Interrupt::new();
    let raise = interrupt.clone();
    let mut config = Config::new(Vec::new());
    config.handler = Some(Arc::new(move |operation, request| {
        if operation == "DescribeUserPool" {
            raise.raise(libc::SIGINT); // Ctrl-C arrives while this step is in flight
        }
        handler(operation, request)
    }));
    let server = AwsLike::start(config);
    let case = load_case("t/slow", "t/slow.json", SLOW_CASE, SchemaStore::global()).unwrap();
    let mut ctx = RunContext::with_client(client(
        &server.endpoint,
        ClientOptions::emulator(Duration::from_secs(10)),
    ));
    ctx.interrupt = interrupt;
    let report = run_case(&case, &ctx, &NoWaivers).await;
    assert!(report.failures().is_empty(), "{:#?}", report.failures());
    let errors = report.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].step.id(), "steps[1]");
    assert_eq!(errors[0].error.kind(), "interrupted");
    assert!(
        errors[0]
            .to_string()
            .contains("not run: the run was interrupted (SIGINT); skipping to teardown"),
        "{}",
        errors[0]
    );
    assert_eq!(
        operations(&server),
        ["CreateUserPool", "DescribeUserPool", "DeleteUserPool"]
    );
    assert!(pools.lock().unwrap().is_empty());
}
