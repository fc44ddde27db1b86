//! Targets that misbehave on the wire. A contract harness is pointed at servers suspected of being
//! wrong, so each misbehaviour here must yield a failed step whose message says what happened, in
//! bounded time, without a panic, and with the case's teardown still attempted.
//!
//! Every test runs the same small case (a setup `CreateUserPool`, the step under test
//! `AdminGetUser`, a teardown `DeleteUserPool`) against a raw TCP stub on 127.0.0.1 that answers
//! setup and teardown well and the step under test in one broken way, and counts the requests it
//! read by `X-Amz-Target`. Raw TCP rather than wiremock, because resets, silence, trickling and
//! oversized bodies need control of the socket. Request timeouts are short (1 s, 0.4 s where the
//! timeout is the point) and the emulator retry policy (3 attempts, backoff from 10 ms) keeps
//! retries quick.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cognito_contract::exec::failure::Failure;
use cognito_contract::exec::runner::{CaseReport, NoWaivers, RunContext, StepRecord, run_case};
use cognito_contract::http::client::{Client, ClientOptions, MAX_BODY_BYTES};
use cognito_contract::http::sigv4::Sigv4Signer;
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::load_case;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CASE: &str = r#"{
  "description": "a setup, one step under test and a teardown",
  "setup": [{"operation": "CreateUserPool", "request": {"PoolName": "${prefix}${case_id}"},
             "capture": {"pool": "$.UserPool.Id"}}],
  "steps": [{"operation": "AdminGetUser", "request": {"UserPoolId": "${pool}", "Username": "alice"},
             "expect": {"body": {"Username": "alice", "UserStatus": "CONFIRMED"}}}],
  "teardown": [{"operation": "DeleteUserPool", "request": {"UserPoolId": "${pool}"}}]
}"#;

/// The operation of the step under test.
const UNDER_TEST: &str = "AdminGetUser";
/// The per-request timeout of tests where the timeout is not the point.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(1);
/// The per-request timeout of tests where it is.
const SHORT_TIMEOUT: Duration = Duration::from_millis(400);
/// The per-case timeout (setup and steps) of every test.
const CASE_TIMEOUT: Duration = Duration::from_secs(5);
/// Every run, teardown included, finishes within this.
const BOUND: Duration = Duration::from_secs(10);

/// A complete reply.
#[derive(Clone)]
struct Canned {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Canned {
    /// A reply with the awsJson1_1 content type and a request id.
    fn aws(status: u16, body: &[u8]) -> Canned {
        Canned {
            status,
            headers: vec![
                ("content-type", "application/x-amz-json-1.1".to_owned()),
                (
                    "x-amzn-requestid",
                    "5f0c0e0a-0000-4000-8000-000000000000".to_owned(),
                ),
            ],
            body: body.to_vec(),
        }
    }

    fn json(status: u16, body: Value) -> Canned {
        Canned::aws(status, &serde_json::to_vec(&body).unwrap())
    }
}

fn good_user() -> Value {
    json!({"Username": "alice", "UserStatus": "CONFIRMED", "Enabled": true, "UserAttributes": []})
}

/// How the stub answers the step under test.
#[derive(Clone)]
enum Behaviour {
    /// A complete reply at once.
    Reply(Canned),
    /// A complete reply after a delay.
    Late(Duration, Canned),
    /// Headers promising 1000 bytes of body, 100 of them, then a TCP reset.
    ResetMidBody,
    /// Reads the request and never answers; the connection stays open.
    Silent,
    /// Headers at once, then a well-formed body one byte per interval.
    Trickle(Duration),
    /// 11 MiB of body, declared with `Content-Length` or sent chunked without a length.
    Huge { declared: bool },
}

/// The answer to setup and teardown requests (and to the step under test when well-behaved).
fn well_behaved(operation: &str) -> Canned {
    match operation {
        "CreateUserPool" => Canned::json(
            200,
            json!({"UserPool": {"Id": "us-east-1_AAAAAAAAA", "Name": "p"}}),
        ),
        "DeleteUserPool" => Canned::json(200, json!({})),
        "AdminGetUser" => Canned::json(200, good_user()),
        _ => Canned::json(
            400,
            json!({"__type": "InvalidParameterException", "message": "not in the stub"}),
        ),
    }
}

/// Requests read, by operation.
type Counts = Arc<Mutex<BTreeMap<String, usize>>>;

/// A raw HTTP/1.1 server on 127.0.0.1. One request per connection (`connection: close`), so
/// that no pooled connection outlives what a test does to the listener.
struct Stub {
    endpoint: String,
    counts: Counts,
}

impl Stub {
    /// Answers setup and teardown well and the step under test per `behaviour`.
    async fn start(behaviour: Behaviour) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let counts = Counts::default();
        let seen = counts.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (seen, behaviour) = (seen.clone(), behaviour.clone());
                tokio::spawn(async move {
                    let mut stream = stream;
                    let Some(operation) = read_request(&mut stream, &seen).await else {
                        return;
                    };
                    if operation == UNDER_TEST {
                        misbehave(stream, behaviour).await;
                    } else {
                        let _ = write_reply(&mut stream, &well_behaved(&operation)).await;
                    }
                });
            }
        });
        Stub { endpoint, counts }
    }

    /// Answers the first request well, stops listening before it writes that reply, and so
    /// refuses every connection after it.
    async fn start_then_refuse() -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let counts = Counts::default();
        let seen = counts.clone();
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let operation = read_request(&mut stream, &seen).await.unwrap();
            drop(listener);
            let _ = write_reply(&mut stream, &well_behaved(&operation)).await;
        });
        Stub { endpoint, counts }
    }

    fn count(&self, operation: &str) -> usize {
        let counts = self.counts.lock().unwrap();
        counts.get(operation).copied().unwrap_or(0)
    }
}

/// Reads one request (headers, then `Content-Length` bytes of body) and counts it by its
/// `X-Amz-Target`; `None` if the connection ends first.
async fn read_request(stream: &mut TcpStream, counts: &Counts) -> Option<String> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    let header_end = loop {
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = stream.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
    };
    let head = String::from_utf8_lossy(&data[..header_end]).to_ascii_lowercase();
    let header = |name: &str| {
        head.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
            .map(|value| value.trim().to_owned())
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while data.len() < header_end + length {
        let n = stream.read(&mut buffer).await.ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..n]);
    }
    // The header value was lower-cased with the rest; the operation is matched as sent.
    let original = String::from_utf8_lossy(&data[..header_end]).into_owned();
    let target = original.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("x-amz-target")
            .then(|| value.trim().to_owned())
    })?;
    let operation = target.rsplit('.').next().unwrap_or_default().to_owned();
    *counts.lock().unwrap().entry(operation.clone()).or_default() += 1;
    Some(operation)
}

fn status_line(status: u16) -> String {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    format!("HTTP/1.1 {status} {reason}\r\n")
}

fn head(status: u16, headers: &[(&str, String)], framing: &str) -> String {
    let mut text = status_line(status);
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(framing);
    text.push_str("connection: close\r\n\r\n");
    text
}

async fn write_reply(stream: &mut TcpStream, reply: &Canned) -> std::io::Result<()> {
    let framing = format!("content-length: {}\r\n", reply.body.len());
    let mut bytes = head(reply.status, &reply.headers, &framing).into_bytes();
    bytes.extend_from_slice(&reply.body);
    stream.write_all(&bytes).await?;
    stream.shutdown().await
}

/// Answers the step under test per `behaviour`. Write errors (the client gave up) end it.
async fn misbehave(mut stream: TcpStream, behaviour: Behaviour) {
    let json_headers = Canned::aws(200, b"").headers;
    match behaviour {
        Behaviour::Reply(reply) => {
            let _ = write_reply(&mut stream, &reply).await;
        }
        Behaviour::Late(delay, reply) => {
            tokio::time::sleep(delay).await;
            let _ = write_reply(&mut stream, &reply).await;
        }
        Behaviour::ResetMidBody => {
            let mut bytes = head(200, &json_headers, "content-length: 1000\r\n").into_bytes();
            bytes.extend_from_slice(&serde_json::to_vec(&good_user()).unwrap()[..40]);
            bytes.extend_from_slice(&[b' '; 60]);
            if stream.write_all(&bytes).await.is_err() {
                return;
            }
            // Let the client read the headers and start on the body, then reset: SO_LINGER 0
            // makes the close send RST instead of FIN.
            tokio::time::sleep(Duration::from_millis(100)).await;
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
            drop(stream);
        }
        Behaviour::Silent => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            drop(stream);
        }
        Behaviour::Trickle(interval) => {
            let body = serde_json::to_vec(&good_user()).unwrap();
            let framing = format!("content-length: {}\r\n", body.len());
            if stream
                .write_all(head(200, &json_headers, &framing).as_bytes())
                .await
                .is_err()
            {
                return;
            }
            for byte in body {
                tokio::time::sleep(interval).await;
                if stream.write_all(&[byte]).await.is_err() {
                    return;
                }
            }
        }
        Behaviour::Huge { declared } => {
            let total = 11 * 1024 * 1024;
            let framing = if declared {
                format!("content-length: {total}\r\n")
            } else {
                "transfer-encoding: chunked\r\n".to_owned()
            };
            if stream
                .write_all(head(200, &json_headers, &framing).as_bytes())
                .await
                .is_err()
            {
                return;
            }
            let piece = vec![b' '; 64 * 1024];
            let mut chunk = piece.clone();
            if !declared {
                chunk = format!("{:x}\r\n", piece.len()).into_bytes();
                chunk.extend_from_slice(&piece);
                chunk.extend_from_slice(b"\r\n");
            }
            for _ in 0..total / piece.len() {
                if stream.write_all(&chunk).await.is_err() {
                    return;
                }
            }
            if !declared {
                let _ = stream.write_all(b"0\r\n\r\n").await;
            }
        }
    }
}

/// A client for `endpoint` with the emulator policy, `timeout` per request and `attempts`.
fn client(endpoint: &str, timeout: Duration, attempts: u32) -> Client {
    let mut options = ClientOptions::emulator(timeout);
    options.retry.max_attempts = attempts;
    let signer = Arc::new(Sigv4Signer::emulator("us-east-1"));
    Client::new(endpoint, Some(signer), &options).unwrap()
}

/// A finished run of [`CASE`].
struct Outcome {
    report: CaseReport,
    elapsed: Duration,
}

impl Outcome {
    fn record(&self, id: &str) -> &StepRecord {
        let found = self.report.steps.iter().find(|r| r.step.id() == id);
        found.unwrap_or_else(|| panic!("no {id} in {:#?}", self.report.steps))
    }

    /// The step under test's failure of `check`, whose message must contain every phrase
    /// (ignoring case).
    fn failure(&self, check: &str, phrases: &[&str]) -> &Failure {
        let step = self.record("steps[0]");
        let found = step.failures.iter().find(|f| f.check() == check);
        let failure =
            found.unwrap_or_else(|| panic!("no {check} failure in steps[0]: {:#?}", step.failures));
        let text = failure.to_string().to_lowercase();
        for phrase in phrases {
            assert!(
                text.contains(&phrase.to_lowercase()),
                "{failure}\ndoes not say {phrase:?}"
            );
        }
        failure
    }

    /// The step under test's retries, as its failure message shows them (`retries: ...`).
    fn retries(&self) -> String {
        let record = self.record("steps[0]");
        format!("retries: {}", record.retries.clone().unwrap_or_default())
    }
}

/// Runs [`CASE`] with `client` (in its own task, so that a panic anywhere fails the test with
/// it) and checks what holds for every misbehaviour: within [`BOUND`], setup passed, only the
/// step under test failed, nothing panicked, and the teardown ran last.
async fn run(client: Client) -> Outcome {
    let case = load_case(
        "t/misbehaving",
        "t/misbehaving.json",
        CASE,
        SchemaStore::global(),
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    let mut ctx = RunContext::with_client(client);
    ctx.case_timeout = Some(CASE_TIMEOUT);
    let started = Instant::now();
    let report = tokio::spawn(async move { run_case(&case, &ctx, &NoWaivers).await })
        .await
        .expect("running the case panicked");
    let outcome = Outcome {
        report,
        elapsed: started.elapsed(),
    };
    // Shown with --nocapture: what each misbehaviour reads like, and how long it took.
    for record in &outcome.report.steps {
        for line in record
            .failures
            .iter()
            .map(|f| f.to_string())
            .chain(record.warnings.clone())
            .chain(record.retries.iter().map(|r| format!("retries: {r}")))
        {
            eprintln!("{}: {line}", record.step);
        }
    }
    eprintln!("run took {:?}", outcome.elapsed);
    assert!(outcome.elapsed < BOUND, "took {:?}", outcome.elapsed);
    let ids: Vec<String> = outcome.report.steps.iter().map(|r| r.step.id()).collect();
    assert_eq!(ids, ["setup[0]", "steps[0]", "teardown[0]"]);
    assert!(
        outcome.record("setup[0]").failures.is_empty(),
        "{:#?}",
        outcome.record("setup[0]")
    );
    let errors = outcome.report.errors();
    assert!(errors.is_empty(), "no harness error: {errors:#?}");
    let failures = outcome.report.failures();
    assert!(
        failures.iter().all(|f| !f.to_string().contains("panicked")),
        "{failures:#?}"
    );
    outcome
}

/// [`run`] against `stub`, then: the teardown reached the stub and passed.
async fn run_against(stub: &Stub, timeout: Duration, attempts: u32) -> Outcome {
    let outcome = run(client(&stub.endpoint, timeout, attempts)).await;
    assert_eq!(stub.count("CreateUserPool"), 1);
    assert_eq!(
        stub.count("DeleteUserPool"),
        1,
        "the teardown was attempted"
    );
    let teardown = outcome.record("teardown[0]");
    assert!(teardown.failures.is_empty(), "{teardown:#?}");
    assert!(
        !outcome.record("steps[0]").failures.is_empty(),
        "the step under test passed"
    );
    outcome
}

#[tokio::test]
async fn a_well_behaved_stub_passes() {
    let stub = Stub::start(Behaviour::Reply(well_behaved(UNDER_TEST))).await;
    let outcome = run(client(&stub.endpoint, REQUEST_TIMEOUT, 3)).await;
    assert!(
        outcome.report.failures().is_empty(),
        "{:#?}",
        outcome.report.failures()
    );
    assert_eq!(stub.count(UNDER_TEST), 1);
    assert_eq!(stub.count("DeleteUserPool"), 1);
}

#[tokio::test]
async fn connection_refused_is_retried_a_bounded_number_of_times_and_named() {
    let stub = Stub::start_then_refuse().await;
    let outcome = run(client(&stub.endpoint, REQUEST_TIMEOUT, 3)).await;
    outcome.failure(
        "transport",
        &["connection refused", "after 3 attempts: attempt 1: "],
    );
    // The stub cannot count connections it refuses; the teardown's own refused attempts show
    // it was tried.
    let teardown = outcome.record("teardown[0]");
    assert_eq!(teardown.step.operation, "DeleteUserPool");
    let text = teardown.failures.first().map(|f| f.to_string());
    let text = text.unwrap_or_default().to_lowercase();
    assert!(
        text.contains("[transport]") && text.contains("connection refused"),
        "{text}"
    );
    assert_eq!(stub.count("CreateUserPool"), 1);
}

#[tokio::test]
async fn a_connection_reset_mid_body_is_retried_and_named() {
    let stub = Stub::start(Behaviour::ResetMidBody).await;
    let outcome = run_against(&stub, REQUEST_TIMEOUT, 3).await;
    outcome.failure(
        "transport",
        &[
            "connection lost while reading the body of an HTTP 200 reply",
            "reset",
            "after 3 attempts",
        ],
    );
    assert_eq!(stub.count(UNDER_TEST), 3);
}

#[tokio::test]
async fn a_server_that_never_answers_costs_one_timeout_not_one_per_attempt() {
    let stub = Stub::start(Behaviour::Silent).await;
    // Ten attempts allowed: a timed-out attempt has used the request's time, so none follows.
    let outcome = run_against(&stub, SHORT_TIMEOUT, 10).await;
    outcome.failure(
        "transport",
        &[
            "timed out after 0.4 s (the per-request timeout)",
            "not retried: the attempts took",
        ],
    );
    assert_eq!(stub.count(UNDER_TEST), 1);
    assert!(
        outcome.elapsed < Duration::from_secs(3),
        "one timeout, not ten: {:?}",
        outcome.elapsed
    );
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_times_out() {
    let late = Behaviour::Late(Duration::from_secs(3), well_behaved(UNDER_TEST));
    let stub = Stub::start(late).await;
    let outcome = run_against(&stub, SHORT_TIMEOUT, 3).await;
    outcome.failure(
        "transport",
        &[
            "timed out after 0.4 s (the per-request timeout)",
            "not retried",
        ],
    );
    assert_eq!(stub.count(UNDER_TEST), 1);
    assert!(
        outcome.elapsed < Duration::from_secs(3),
        "{:?}",
        outcome.elapsed
    );
}

#[tokio::test]
async fn a_body_trickling_past_the_timeout_times_out() {
    let stub = Stub::start(Behaviour::Trickle(Duration::from_millis(100))).await;
    let outcome = run_against(&stub, SHORT_TIMEOUT, 3).await;
    outcome.failure(
        "transport",
        &[
            "timed out after 0.4 s (the per-request timeout) while reading the body of an \
             HTTP 200 reply",
            "not retried",
        ],
    );
    assert_eq!(stub.count(UNDER_TEST), 1);
}

#[tokio::test]
async fn slow_server_faults_are_retried_only_within_the_request_timeout() {
    // Each attempt takes 0.6 s of a 1 s timeout: the first is retried, the second is not,
    // although ten attempts are allowed.
    let fault = Canned::json(
        503,
        json!({"__type": "InternalErrorException", "message": "slow and failing"}),
    );
    let stub = Stub::start(Behaviour::Late(Duration::from_millis(600), fault)).await;
    let outcome = run_against(&stub, REQUEST_TIMEOUT, 10).await;
    outcome.failure("status", &["found HTTP 503"]);
    assert_eq!(stub.count(UNDER_TEST), 2);
    let retries = outcome.retries();
    assert!(
        retries.contains("retries: 2 attempts: attempt 1: HTTP 503 InternalErrorException")
            && retries.contains("the per-request timeout is 1 s"),
        "{retries}"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_is_named() {
    let reply = Canned::aws(200, b"Internal error, please try again later");
    let stub = Stub::start(Behaviour::Reply(reply)).await;
    let outcome = run_against(&stub, REQUEST_TIMEOUT, 3).await;
    outcome.failure(
        "json",
        &["it is not JSON (expected value", "Internal error"],
    );
    assert_eq!(stub.count(UNDER_TEST), 1);
}

#[tokio::test]
async fn an_html_error_page_is_named_and_its_5xx_retried() {
    let page = b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
        <center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n\
        </body>\r\n</html>\r\n";
    let reply = Canned {
        status: 502,
        headers: vec![("content-type", "text/html".to_owned())],
        body: page.to_vec(),
    };
    let stub = Stub::start(Behaviour::Reply(reply)).await;
    let outcome = run_against(&stub, REQUEST_TIMEOUT, 3).await;
    outcome.failure("json", &["looks like an HTML page", "502 Bad Gateway"]);
    outcome.failure("status", &["found HTTP 502"]);
    outcome.failure("content_type", &["found \"text/html\""]);
    assert_eq!(stub.count(UNDER_TEST), 3);
    let retries = outcome.retries();
    assert!(
        retries.contains("retries: 3 attempts: attempt 1: HTTP 502; retried after"),
        "{retries}"
    );
}

#[tokio::test]
async fn an_empty_body_with_200_is_named() {
    let stub = Stub::start(Behaviour::Reply(Canned::aws(200, b""))).await;
    let outcome = run_against(&stub, REQUEST_TIMEOUT, 3).await;
    let failure = outcome.failure("json", &["the body is empty"]);
    assert!(!failure.to_string().contains("body starts"), "{failure}");
    assert_eq!(stub.count(UNDER_TEST), 1);
}

#[tokio::test]
async fn a_200_carrying_an_error_body_is_named() {
    let body = json!({"__type": "UserNotFoundException", "message": "User does not exist."});
    let stub = Stub::start(Behaviour::Reply(Canned::json(200, body))).await;
    let outcome = run_against(&stub, REQUEST_TIMEOUT, 3).await;
    outcome.failure(
        "error_code",
        &["expected no error (a success), found error code \"UserNotFoundException\""],
    );
    assert_eq!(stub.count(UNDER_TEST), 1);
}

#[tokio::test]
async fn a_huge_chunked_body_is_read_up_to_the_cap_only() {
    assert_eq!(MAX_BODY_BYTES, 10 * 1024 * 1024);
    let stub = Stub::start(Behaviour::Huge { declared: false }).await;
    let outcome = run_against(&stub, Duration::from_secs(5), 3).await;
    outcome.failure(
        "transport",
        &[
            "body larger than 10 MiB (the cap on what is read) in an HTTP 200 reply",
            "stopped reading at",
            "not retried",
        ],
    );
    assert_eq!(
        stub.count(UNDER_TEST),
        1,
        "a body over the cap is not retried"
    );
}

#[tokio::test]
async fn a_huge_declared_body_is_not_read_at_all() {
    let stub = Stub::start(Behaviour::Huge { declared: true }).await;
    let outcome = run_against(&stub, Duration::from_secs(5), 3).await;
    outcome.failure(
        "transport",
        &[
            "body larger than 10 MiB",
            &format!("Content-Length {}; not read", 11 * 1024 * 1024),
        ],
    );
    assert_eq!(stub.count(UNDER_TEST), 1);
}

#[tokio::test]
async fn invalid_utf8_is_named() {
    let body = b"{\"Username\": \"al\xffice\", \"UserStatus\": \"CONFIRMED\"}";
    let stub = Stub::start(Behaviour::Reply(Canned::aws(200, body))).await;
    let outcome = run_against(&stub, REQUEST_TIMEOUT, 3).await;
    outcome.failure(
        "json",
        &["it is not valid UTF-8 (invalid utf-8 sequence of 1 bytes from index 16)"],
    );
}

#[tokio::test]
async fn a_wrong_content_type_is_named() {
    let mut reply = Canned::json(200, good_user());
    reply.headers[0].1 = "application/json".to_owned();
    let stub = Stub::start(Behaviour::Reply(reply)).await;
    let outcome = run_against(&stub, REQUEST_TIMEOUT, 3).await;
    outcome.failure(
        "content_type",
        &["expected Content-Type \"application/x-amz-json-1.1\", found \"application/json\""],
    );
    assert_eq!(
        outcome.record("steps[0]").failures.len(),
        1,
        "only the content type is wrong"
    );
}

#[tokio::test]
async fn a_5xx_without_a_body_is_retried_visibly_and_named() {
    let reply = Canned {
        status: 503,
        headers: Vec::new(),
        body: Vec::new(),
    };
    let stub = Stub::start(Behaviour::Reply(reply)).await;
    let outcome = run_against(&stub, REQUEST_TIMEOUT, 3).await;
    outcome.failure("status", &["expected success (2xx) status, found HTTP 503"]);
    outcome.failure("json", &["the body is empty"]);
    outcome.failure("content_type", &["found nothing"]);
    assert_eq!(stub.count(UNDER_TEST), 3, "3 attempts, no more");
    let retries = outcome.retries();
    assert!(
        retries.starts_with("retries: 3 attempts: attempt 1: HTTP 503; retried after")
            && retries.contains("attempt 2: HTTP 503; retried after"),
        "{retries}"
    );
}
