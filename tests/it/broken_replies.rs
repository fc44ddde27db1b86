//! A server that breaks the contract in one way per test turns the case red, and the failure
//! names what broke. Each test serves one reply from wiremock to a small case and looks for the
//! named check among the failures; a control test shows the well-formed reply passes.

use std::time::Duration;

use cognito_contract::exec::failure::Failure;
use cognito_contract::exec::runner::{NoWaivers, RunContext, run_case};
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::load_case;
use rstest::rstest;
use serde_json::{Value, json};
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GET_USER_CASE: &str = r#"{
  "description": "AdminGetUser returns the user's status",
  "steps": [{
    "operation": "AdminGetUser",
    "request": {"UserPoolId": "us-east-1_AAAAAAAAA", "Username": "alice"},
    "expect": {"body": {"Username": "alice", "UserStatus": "CONFIRMED"}}
  }]
}"#;

const MISSING_USER_CASE: &str = r#"{
  "description": "AdminGetUser of an unknown user fails with UserNotFoundException",
  "steps": [{
    "operation": "AdminGetUser",
    "request": {"UserPoolId": "us-east-1_AAAAAAAAA", "Username": "nobody"},
    "expect": {"error": "UserNotFoundException", "message": "User does not exist."}
  }]
}"#;

fn good_user() -> Value {
    json!({"Username": "alice", "UserStatus": "CONFIRMED", "Enabled": true, "UserAttributes": []})
}

fn not_found() -> Value {
    json!({"__type": "UserNotFoundException", "message": "User does not exist."})
}

fn reply(status: u16, body: &[u8]) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", "application/x-amz-json-1.1")
        .insert_header("x-amzn-requestid", "4d9ae6a8-0000-4000-8000-000000000000")
        .set_body_bytes(body.to_vec())
}

fn json_reply(status: u16, body: Value) -> ResponseTemplate {
    reply(status, &serde_json::to_vec(&body).unwrap())
}

/// Runs `case_text` against a server answering every AdminGetUser with `response`.
async fn failures_for(case_text: &str, response: ResponseTemplate) -> Vec<Failure> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.AdminGetUser",
        ))
        .respond_with(response)
        .mount(&server)
        .await;
    let case = load_case("t/case", "t/case.json", case_text, SchemaStore::global())
        .unwrap_or_else(|e| panic!("{e:?}"));
    let ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
    let report = run_case(&case, &ctx, &NoWaivers).await;
    report.failures().into_iter().map(|f| f.failure).collect()
}

fn describe(failures: &[Failure]) -> String {
    failures.iter().map(|f| format!("{f}\n")).collect()
}

#[tokio::test]
async fn well_formed_replies_pass() {
    assert_eq!(
        failures_for(GET_USER_CASE, json_reply(200, good_user())).await,
        vec![]
    );
    assert_eq!(
        failures_for(MISSING_USER_CASE, json_reply(400, not_found())).await,
        vec![]
    );
}

#[rstest]
#[case::required_member_dropped(
    json!({"UserStatus": "CONFIRMED"}), "body_schema", "Username")]
#[case::enum_value_changed(
    json!({"Username": "alice", "UserStatus": "ACTIVE"}), "body_schema", "/UserStatus")]
#[case::type_changed(
    json!({"Username": "alice", "UserStatus": "CONFIRMED", "Enabled": "true"}), "body_schema", "/Enabled")]
#[case::undocumented_member_added(
    json!({"Username": "alice", "UserStatus": "CONFIRMED", "Nickname": "al"}), "body_schema", "Nickname")]
#[case::value_differs(
    json!({"Username": "alice", "UserStatus": "UNCONFIRMED"}), "body", "/UserStatus")]
#[tokio::test]
async fn broken_success_bodies_fail(#[case] body: Value, #[case] check: &str, #[case] named: &str) {
    let failures = failures_for(GET_USER_CASE, json_reply(200, body)).await;
    let hit = failures.iter().find(|f| f.check() == check);
    let hit = hit.unwrap_or_else(|| panic!("no {check} failure in:\n{}", describe(&failures)));
    assert!(
        hit.to_string().contains(named),
        "{hit} does not name {named}"
    );
}

#[tokio::test]
async fn renamed_error_code_is_caught() {
    let body = json!({"__type": "UserNotFound", "message": "User does not exist."});
    let failures = failures_for(MISSING_USER_CASE, json_reply(400, body)).await;
    let text = describe(&failures);
    assert!(
        failures.contains(&Failure::ErrorCode {
            expected: Some("UserNotFoundException".into()),
            found: Some("UserNotFound".into()),
        }),
        "{text}"
    );
    assert!(
        failures.iter().any(|f| f.check() == "documented_error"),
        "{text}"
    );
}

#[tokio::test]
async fn error_turned_into_success_is_caught() {
    let failures = failures_for(MISSING_USER_CASE, json_reply(200, good_user())).await;
    let text = describe(&failures);
    assert!(
        failures.contains(&Failure::Status {
            expected: "client error (4xx)",
            found: 200
        }),
        "{text}"
    );
    assert!(failures.iter().any(|f| f.check() == "error_code"), "{text}");
}

#[tokio::test]
async fn success_body_carrying_an_error_is_caught() {
    let failures = failures_for(GET_USER_CASE, json_reply(200, not_found())).await;
    assert!(
        failures.contains(&Failure::ErrorCode {
            expected: None,
            found: Some("UserNotFoundException".into())
        }),
        "{}",
        describe(&failures)
    );
}

#[tokio::test]
async fn missing_request_id_is_caught() {
    let response = ResponseTemplate::new(200)
        .set_body_bytes(serde_json::to_vec(&good_user()).unwrap())
        .insert_header("content-type", "application/x-amz-json-1.1");
    let failures = failures_for(GET_USER_CASE, response).await;
    assert_eq!(failures, vec![Failure::RequestId]);
}

#[tokio::test]
async fn wrong_content_type_is_caught() {
    let response = json_reply(400, not_found()).insert_header("content-type", "application/json");
    let failures = failures_for(MISSING_USER_CASE, response).await;
    assert_eq!(
        failures,
        vec![Failure::ContentType {
            expected: "application/x-amz-json-1.1",
            found: Some("application/json".into())
        }]
    );
}

#[tokio::test]
async fn truncated_json_is_caught() {
    let full = serde_json::to_vec(&good_user()).unwrap();
    let failures = failures_for(GET_USER_CASE, reply(200, &full[..full.len() / 2])).await;
    let text = describe(&failures);
    assert!(failures.iter().any(|f| f.check() == "json"), "{text}");
    assert!(text.contains("EOF"), "{text}");
}

#[tokio::test]
async fn wrong_message_is_caught() {
    let body = json!({"__type": "UserNotFoundException", "message": "No such user"});
    let failures = failures_for(MISSING_USER_CASE, json_reply(400, body)).await;
    assert_eq!(
        failures,
        vec![Failure::Message {
            expected: "\"User does not exist.\"".into(),
            found: Some("No such user".into())
        }]
    );
}
