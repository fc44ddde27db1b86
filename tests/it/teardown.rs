//! Teardown runs whatever happened before: after a failing step, in reverse order, skipping the
//! steps whose variables were never captured. A wiremock server records what was called.

use std::time::Duration;

use cognito_contract::exec::failure::StepFailure;
use cognito_contract::exec::runner::{NoWaivers, RunContext, run_case};
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::load_case;
use serde_json::json;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::replies::reply;

async fn answer(server: &MockServer, operation: &str, response: ResponseTemplate) {
    Mock::given(method("POST"))
        .and(header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{operation}").as_str(),
        ))
        .respond_with(response)
        .mount(server)
        .await;
}

/// The operations the server saw, in order.
async fn calls(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r.headers.get("x-amz-target"))
        .map(|v| v.to_str().unwrap().rsplit('.').next().unwrap().to_owned())
        .collect()
}

const CASE: &str = r#"{
  "description": "a case whose step fails after setup created two things",
  "setup": [
    {"operation": "CreateUserPool", "request": {"PoolName": "p"}, "capture": {"pool": "$.UserPool.Id"}},
    {"operation": "CreateGroup", "request": {"UserPoolId": "${pool}", "GroupName": "g"},
     "capture": {"group": "$.Group.GroupName"}},
    {"operation": "CreateUserPoolClient", "request": {"UserPoolId": "${pool}", "ClientName": "c"},
     "capture": {"client": "$.UserPoolClient.ClientId"}}
  ],
  "steps": [
    {"operation": "GetGroup", "request": {"UserPoolId": "${pool}", "GroupName": "g"},
     "expect": {"body": {"Group": {"Description": "never there"}}}},
    {"operation": "ListUserPools", "request": {"MaxResults": 1}}
  ],
  "teardown": [
    {"operation": "DeleteUserPool", "request": {"UserPoolId": "${pool}"}},
    {"operation": "DeleteGroup", "request": {"UserPoolId": "${pool}", "GroupName": "${group}"}},
    {"operation": "DeleteUserPoolClient", "request": {"UserPoolId": "${pool}", "ClientId": "${client}"}}
  ]
}"#;

/// Serves CASE: the pool, the group, the client (whose reply is `client`), a GetGroup reply
/// without the description the case expects, an empty list of pools, and empty replies to the
/// three deletes. Returns the
/// failures of the run and the operations the server saw, in order.
async fn run_teardown_case(client: serde_json::Value) -> (Vec<StepFailure>, Vec<String>) {
    let server = MockServer::start().await;
    let replies = [
        (
            "CreateUserPool",
            json!({"UserPool": {"Id": "us-east-1_AAAAAAAAA"}}),
        ),
        ("CreateGroup", json!({"Group": {"GroupName": "g"}})),
        ("CreateUserPoolClient", client),
        ("GetGroup", json!({"Group": {"GroupName": "g"}})),
        ("ListUserPools", json!({"UserPools": []})),
        ("DeleteUserPool", json!({})),
        ("DeleteGroup", json!({})),
        ("DeleteUserPoolClient", json!({})),
    ];
    for (operation, body) in replies {
        answer(&server, operation, reply(200, body)).await;
    }
    let case = load_case("t/teardown", "t/teardown.json", CASE, SchemaStore::global()).unwrap();
    let ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
    let report = run_case(&case, &ctx, &NoWaivers).await;
    (report.failures(), calls(&server).await)
}

#[tokio::test]
async fn teardown_runs_after_a_failing_step_in_reverse_skipping_what_never_happened() {
    // The client is "created" but the reply lacks the id: the capture fails, setup stops there.
    let (failures, calls) = run_teardown_case(json!({})).await;
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert_eq!(failures[0].step.id(), "setup[2]");
    assert_eq!(failures[0].failure.check(), "capture");
    assert_eq!(
        calls,
        [
            "CreateUserPool",
            "CreateGroup",
            "CreateUserPoolClient",
            "DeleteGroup",
            "DeleteUserPool"
        ]
    );
}

#[tokio::test]
async fn teardown_runs_after_a_failing_step() {
    let (failures, calls) = run_teardown_case(json!({"UserPoolClient": {"ClientId": "abc"}})).await;
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert_eq!(failures[0].step.id(), "steps[0]");
    assert_eq!(
        calls,
        [
            "CreateUserPool",
            "CreateGroup",
            "CreateUserPoolClient",
            "GetGroup",
            "ListUserPools",
            "DeleteUserPoolClient",
            "DeleteGroup",
            "DeleteUserPool"
        ],
        "a body mismatch does not end the steps (ListUserPools runs); teardown runs in reverse"
    );
}

#[tokio::test]
async fn lenient_mode_turns_undocumented_members_into_warnings() {
    let server = MockServer::start().await;
    answer(
        &server,
        "ListUserPools",
        reply(200, json!({"UserPools": [], "ShinyNewField": true})),
    )
    .await;
    let text = r#"{"description": "ListUserPools answers", "steps": [
        {"operation": "ListUserPools", "request": {"MaxResults": 1}}]}"#;
    let case = load_case("t/lenient", "t/lenient.json", text, SchemaStore::global()).unwrap();

    let mut ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
    let strict = run_case(&case, &ctx, &NoWaivers).await;
    let failures = strict.failures();
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert!(
        failures[0].to_string().contains("ShinyNewField"),
        "{}",
        failures[0]
    );

    ctx.lenient = true;
    let lenient = run_case(&case, &ctx, &NoWaivers).await;
    assert!(lenient.failures().is_empty(), "{:#?}", lenient.failures());
    let warnings: Vec<String> = lenient.warnings().map(|(_, w)| w.clone()).collect();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("/ShinyNewField"), "{warnings:?}");
}
