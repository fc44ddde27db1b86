//! Which steps of a case run does not depend on the expectations: a step whose reply came but
//! differs in its body goes on to the next step (and the case still fails), a step with the wrong
//! error code ends the case even where an entry waives that failure, and the case sends the same
//! requests with and without the entries; a body that is not JSON ends the case only when a
//! capture needed it. A wiremock server plays the target.

use std::time::Duration;

use cognito_contract::exec::runner::{CaseReport, NoWaivers, RunContext, Waivers, run_case};
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::load_case;
use cognito_contract::verdict::expectations::{EntryWaivers, Expectations, Verdict, verdict_of};
use serde_json::{Value, json};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::replies::reply;

/// Describes a pool expecting another name (a body mismatch), then asks for a group expecting
/// `ResourceNotFoundException` (the target answers `InvalidParameterException`: an error-code
/// failure), then lists pools.
const CASE: &str = r#"{
  "description": "a body mismatch, then a wrong error code, then a step that would pass",
  "setup": [
    {"operation": "CreateUserPool", "request": {"PoolName": "p"}, "capture": {"pool": "$.UserPool.Id"}}
  ],
  "steps": [
    {"operation": "DescribeUserPool", "request": {"UserPoolId": "${pool}"},
     "expect": {"body": {"UserPool": {"Name": "not the name"}}}},
    {"operation": "GetGroup", "request": {"UserPoolId": "${pool}", "GroupName": "nothing"},
     "expect": {"error": "ResourceNotFoundException"}},
    {"operation": "ListUserPools", "request": {"MaxResults": 1}}
  ],
  "teardown": [
    {"operation": "DeleteUserPool", "request": {"UserPoolId": "${pool}"}}
  ]
}"#;

const ID: &str = "t/going_on";

async fn target() -> MockServer {
    let server = MockServer::start().await;
    let pool = json!({"UserPool": {"Id": "us-east-1_AAAAAAAAA", "Name": "p"}});
    let replies = [
        ("CreateUserPool", reply(200, pool.clone())),
        ("DescribeUserPool", reply(200, pool)),
        (
            "GetGroup",
            reply(
                400,
                json!({"__type": "InvalidParameterException", "message": "no"}),
            ),
        ),
        ("ListUserPools", reply(200, json!({"UserPools": []}))),
        ("DeleteUserPool", reply(200, json!({}))),
    ];
    for (operation, response) in replies {
        Mock::given(method("POST"))
            .and(header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{operation}").as_str(),
            ))
            .respond_with(response)
            .mount(&server)
            .await;
    }
    server
}

/// Entries waiving both failures of the case, by check.
fn waiving() -> Expectations {
    let text = format!(
        r#"{{"target": "t", "expected_failures": [
            {{"case": "{ID}", "step": "steps[0]", "check": "body", "reason": "the target names the pool p"}},
            {{"case": "{ID}", "step": "steps[1]", "check": "error_code", "reason": "the target answers InvalidParameterException"}}
        ]}}"#
    );
    Expectations::parse("t.json", &text, "t", &[ID]).unwrap()
}

/// The case run against a fresh target with `waivers`: its report, and every request the
/// target saw (operation and body), in order.
async fn run_with(waivers: &dyn Waivers) -> (CaseReport, Vec<(String, Value)>) {
    let server = target().await;
    let case = load_case(ID, "t/going_on.json", CASE, SchemaStore::global()).unwrap();
    let ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
    let report = run_case(&case, &ctx, waivers).await;
    let requests = server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let target = r.headers.get("x-amz-target").unwrap().to_str().unwrap();
            let operation = target.rsplit('.').next().unwrap().to_owned();
            (operation, serde_json::from_slice(&r.body).unwrap())
        })
        .collect();
    (report, requests)
}

fn ran(report: &CaseReport) -> Vec<String> {
    report.steps.iter().map(|r| r.step.id()).collect()
}

fn operations(requests: &[(String, Value)]) -> Vec<&str> {
    requests.iter().map(|(o, _)| o.as_str()).collect()
}

#[tokio::test]
async fn a_body_mismatch_goes_on_to_the_next_step_and_the_case_still_fails() {
    let (report, requests) = run_with(&NoWaivers).await;
    assert_eq!(
        ran(&report),
        ["setup[0]", "steps[0]", "steps[1]", "teardown[0]"]
    );
    assert_eq!(
        operations(&requests),
        [
            "CreateUserPool",
            "DescribeUserPool",
            "GetGroup",
            "DeleteUserPool"
        ]
    );
    let failures: Vec<(String, String)> = report
        .failures()
        .iter()
        .map(|f| (f.step.id(), f.failure.check().to_string()))
        .collect();
    assert_eq!(
        failures,
        [
            ("steps[0]".to_owned(), "body".to_owned()),
            ("steps[1]".to_owned(), "error_code".to_owned())
        ]
    );
    match verdict_of(&[], &report) {
        Verdict::Fail { unexpected } => assert_eq!(unexpected.len(), 2, "{unexpected:#?}"),
        other => panic!("the case fails: {other:?}"),
    }
}

#[tokio::test]
async fn a_waived_error_code_failure_still_ends_the_case() {
    let expectations = waiving();
    let entries = expectations.for_case(ID);
    let (report, requests) = run_with(&EntryWaivers(&entries)).await;
    assert_eq!(
        ran(&report),
        ["setup[0]", "steps[0]", "steps[1]", "teardown[0]"],
        "ListUserPools never runs"
    );
    assert!(!operations(&requests).contains(&"ListUserPools"));
    assert!(
        matches!(
            verdict_of(&entries, &report),
            Verdict::ExpectedFailure { .. }
        ),
        "{:?}",
        verdict_of(&entries, &report)
    );
}

#[tokio::test]
async fn the_case_sends_the_same_requests_with_and_without_waivers() {
    let (_, without) = run_with(&NoWaivers).await;
    let expectations = waiving();
    let entries = expectations.for_case(ID);
    let (_, with) = run_with(&EntryWaivers(&entries)).await;
    assert_eq!(without.len(), 4, "{without:#?}");
    assert_eq!(without, with);
}

/// A target that answers `DescribeUserPool` with an empty `text/html` body (as moto answers
/// `UpdateUserPool`) and the other operations with JSON.
async fn empty_describe_target() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.DescribeUserPool",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/html; charset=utf-8")
                .insert_header("x-amzn-requestid", "r-1"),
        )
        .mount(&server)
        .await;
    let pool = json!({"UserPool": {"Id": "us-east-1_AAAAAAAAA", "Name": "p"}});
    for (operation, body) in [
        ("CreateUserPool", pool),
        ("ListUserPools", json!({"UserPools": []})),
        ("DeleteUserPool", json!({})),
    ] {
        Mock::given(method("POST"))
            .and(header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{operation}").as_str(),
            ))
            .respond_with(reply(200, body))
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn a_body_that_is_not_json_goes_on_unless_a_capture_needed_it() {
    let case = |capture: &str| {
        format!(
            r#"{{"description": "a read whose reply is not JSON, then another read",
              "setup": [{{"operation": "CreateUserPool", "request": {{"PoolName": "p"}},
                          "capture": {{"pool": "$.UserPool.Id"}}}}],
              "steps": [
                {{"operation": "DescribeUserPool", "request": {{"UserPoolId": "${{pool}}"}}{capture}}},
                {{"operation": "ListUserPools", "request": {{"MaxResults": 1}}}}],
              "teardown": [{{"operation": "DeleteUserPool", "request": {{"UserPoolId": "${{pool}}"}}}}]}}"#
        )
    };
    for (capture, expected_steps, expected_checks) in [
        (
            "",
            vec!["setup[0]", "steps[0]", "steps[1]", "teardown[0]"],
            vec!["content_type", "json"],
        ),
        (
            r#", "capture": {"id": "$.UserPool.Id"}"#,
            vec!["setup[0]", "steps[0]", "teardown[0]"],
            vec!["content_type", "json", "capture"],
        ),
    ] {
        let server = empty_describe_target().await;
        let text = case(capture);
        let case = load_case(
            "t/not_json",
            "t/not_json.json",
            &text,
            SchemaStore::global(),
        )
        .unwrap_or_else(|e| panic!("{e:?}\n{text}"));
        let ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
        let report = run_case(&case, &ctx, &NoWaivers).await;
        assert_eq!(ran(&report), expected_steps, "capture {capture:?}");
        let checks: Vec<String> = report
            .failures()
            .iter()
            .map(|f| f.failure.check().to_string())
            .collect();
        assert_eq!(checks, expected_checks, "capture {capture:?}");
    }
}
