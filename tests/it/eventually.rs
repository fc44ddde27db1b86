//! `eventually` steps: a stub target (wiremock) that lists no user twice and then the user makes
//! the step pass on its third try; one that never lists the user fails the step after its bound,
//! with the last reply's failure and the number of tries, in the JSON report, the Markdown
//! summary and the JUnit file. The case timeout and an interrupt cut the tries short. Against
//! moto, every bundled case that uses `eventually` passes on its first try.

use std::path::Path;
use std::time::Duration;

use crate::report_fixture::{cli, moto, read_json, schema_violations, shown};
use crate::support::replies::reply;
use cognito_contract::exec::failure::Check;
use cognito_contract::exec::runner::{NoWaivers, RunContext, run_case};
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::load_case;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A case whose one step lists the users of `pool` until bob is there, for at most `bound`.
fn case_text(pool: &str, bound: &str) -> String {
    json!({
        "description": format!("ListUsers of {pool} lists bob eventually"),
        "evidence": ["unverified"],
        "steps": [{
            "operation": "ListUsers",
            "request": {"UserPoolId": pool},
            "eventually": bound,
            "expect": {"body": {"Users": [{"Username": "bob"}]}}
        }]
    })
    .to_string()
}

fn users(names: &[&str]) -> ResponseTemplate {
    let body = json!({"Users": names.iter().map(|n| json!({"Username": n})).collect::<Vec<_>>()});
    reply(200, body)
}

/// A stub where pool `us-east-1_settles` lists nobody twice and then bob, and pool
/// `us-east-1_never` always lists nobody.
async fn stub() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({"UserPoolId": "us-east-1_settles"}),
        ))
        .respond_with(users(&[]))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_partial_json(
            json!({"UserPoolId": "us-east-1_settles"}),
        ))
        .respond_with(users(&["bob"]))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"UserPoolId": "us-east-1_never"})))
        .respond_with(users(&[]))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_read_that_is_wrong_twice_then_right_passes_on_the_third_try() {
    let server = stub().await;
    let text = case_text("us-east-1_settles", "15s");
    let case = load_case("e/settles", "e/settles.json", &text, SchemaStore::global()).unwrap();
    let ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
    let report = run_case(&case, &ctx, &NoWaivers).await;
    assert!(report.failures().is_empty(), "{:?}", report.failures());
    assert_eq!(report.steps.len(), 1);
    assert_eq!(report.steps[0].tries, 3);
    // Waits of 0.5 s and 1 s came between the tries.
    assert!(report.steps[0].duration >= Duration::from_millis(1500));
    let sent = server.received_requests().await.unwrap_or_default().len();
    assert_eq!(sent, 3);
}

#[tokio::test]
async fn a_read_that_stays_wrong_fails_after_its_bound_with_the_last_reply_s_failure() {
    let server = stub().await;
    let text = case_text("us-east-1_never", "2s");
    let case = load_case("e/never", "e/never.json", &text, SchemaStore::global()).unwrap();
    let ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
    let report = run_case(&case, &ctx, &NoWaivers).await;
    let record = &report.steps[0];
    let checks: Vec<Check> = record.failures.iter().map(|f| f.check()).collect();
    assert_eq!(checks, [Check::Body], "{:?}", record.failures);
    assert!(record.error.is_none(), "{:?}", record.error);
    assert!(record.tries >= 2, "{record:?}");
    assert!(record.duration >= Duration::from_secs(2), "{record:?}");
    let sent = server.received_requests().await.unwrap_or_default().len();
    assert_eq!(sent as u32, record.tries);
}

#[tokio::test]
async fn the_case_timeout_cuts_the_tries_short() {
    let server = stub().await;
    let text = case_text("us-east-1_never", "60s");
    let case = load_case("e/never", "e/never.json", &text, SchemaStore::global()).unwrap();
    let mut ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
    ctx.case_timeout = Some(Duration::from_secs(2));
    let report = run_case(&case, &ctx, &NoWaivers).await;
    let error = report.steps[0].error.as_ref().expect("a harness error");
    assert_eq!(error.kind(), "case_timeout", "{error}");
}

#[tokio::test]
async fn an_interrupt_stops_the_tries_with_a_harness_error() {
    let server = stub().await;
    let text = case_text("us-east-1_never", "60s");
    let case = load_case("e/never", "e/never.json", &text, SchemaStore::global()).unwrap();
    let ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
    let interrupt = ctx.interrupt.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        interrupt.raise(libc::SIGINT);
    });
    let report = run_case(&case, &ctx, &NoWaivers).await;
    let record = &report.steps[0];
    assert!(record.tries >= 2, "{record:?}");
    let error = record.error.as_ref().expect("a harness error");
    assert_eq!(error.kind(), "interrupted", "{error}");
    assert!(
        error
            .to_string()
            .contains(&format!("after try {}", record.tries)),
        "{error}"
    );
}

/// Writes the two stub cases into `dir`.
fn write_stub_cases(dir: &Path) {
    std::fs::create_dir_all(dir.join("e")).unwrap();
    for (name, pool, bound) in [
        ("settles", "us-east-1_settles", "15s"),
        ("never", "us-east-1_never", "2s"),
    ] {
        let path = dir.join(format!("e/{name}.json"));
        std::fs::write(path, case_text(pool, bound)).unwrap();
    }
}

fn step_of<'a>(report: &'a Value, case: &str) -> &'a Value {
    let case = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == case)
        .unwrap_or_else(|| panic!("no case {case}"));
    &case["steps"][0]
}

#[test]
fn reports_give_the_tries_and_say_after_how_many_a_step_failed() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime.block_on(stub());
    let tmp = tempfile::tempdir().unwrap();
    let cases = tmp.path().join("cases");
    write_stub_cases(&cases);
    let (json, markdown, junit) = (
        tmp.path().join("report.json"),
        tmp.path().join("summary.md"),
        tmp.path().join("junit.xml"),
    );
    let output = cli(
        &[
            "run",
            "--endpoint",
            &server.uri(),
            "--cases",
            cases.to_str().unwrap(),
            "--json-report",
            json.to_str().unwrap(),
            "--markdown",
            markdown.to_str().unwrap(),
            "--junit",
            junit.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(101), "{}", shown(&output));
    let report = read_json(&json);
    assert_eq!(schema_violations(&report), Vec::<String>::new());
    assert_eq!(step_of(&report, "e/settles")["tries"], 3);
    assert_eq!(step_of(&report, "e/settles")["outcome"], "pass");
    let never = step_of(&report, "e/never");
    let tries = never["tries"].as_u64().unwrap();
    assert!(tries >= 2, "{never}");
    let note = format!("steps[0] ListUsers: failed after {tries} tries in ");
    let message = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "e/never")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("[body]"), "{message}");
    assert!(message.contains(&note), "{message}");
    for file in [&markdown, &junit] {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(text.contains(&note), "{}:\n{text}", file.display());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(&note), "{}", shown(&output));
}

#[test]
fn against_moto_the_bundled_eventually_cases_pass_on_their_first_try() {
    let tmp = tempfile::tempdir().unwrap();
    let mut repeated = 0;
    for filter in ["list_users", "users_filters/", "delete_user_pool_domain_"] {
        let json = tmp.path().join(format!("{}.json", filter.replace('/', "")));
        let output = cli(
            &[
                "run",
                "--endpoint",
                moto(),
                "--target",
                "moto",
                "--no-generated",
                "--json-report",
                json.to_str().unwrap(),
                filter,
            ],
            &[],
        );
        assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
        let report = read_json(&json);
        for case in report["cases"].as_array().unwrap() {
            for step in case["steps"].as_array().unwrap() {
                assert!(
                    step["tries"].as_u64().unwrap() <= 1,
                    "{}: {step}",
                    case["id"]
                );
            }
        }
        repeated += report["cases"].as_array().unwrap().len();
    }
    assert!(repeated >= 20, "{repeated} cases ran");
}
