//! Paginated steps: every page respects the page size, no item shows up on two pages, tokens do
//! not come back, and the expected body applies to all pages together. A wiremock server plays
//! ListGroups with pages keyed by the token it is sent.

use std::time::Duration;

use cognito_contract::exec::failure::Failure;
use cognito_contract::exec::runner::{NoWaivers, RunContext, run_case};
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::load_case;
use serde_json::json;
use wiremock::matchers::{body_partial_json, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::replies::page;

const CASE: &str = r#"{
  "description": "ListGroups pages through five groups",
  "steps": [{
    "operation": "ListGroups",
    "request": {"UserPoolId": "us-east-1_AAAAAAAAA"},
    "paginate": {"page_size": 2},
    "expect": {"body": {"Groups": {"$contains": [{"GroupName": "g1"}, {"GroupName": "g5"}]}}},
    "capture": {"names": "$.Groups[*].GroupName"}
  }]
}"#;

/// Serves `first` to a request without a token, and `pages[token]` to one with it.
async fn failures_for(
    first: ResponseTemplate,
    pages: Vec<(&str, ResponseTemplate)>,
) -> (Vec<Failure>, usize) {
    let server = MockServer::start().await;
    for (token, response) in pages {
        Mock::given(method("POST"))
            .and(body_partial_json(json!({"NextToken": token, "Limit": 2})))
            .respond_with(response)
            .with_priority(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"Limit": 2})))
        .respond_with(first)
        .with_priority(5)
        .mount(&server)
        .await;
    let case = load_case("p/list", "p/list.json", CASE, SchemaStore::global()).unwrap();
    let ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
    let report = run_case(&case, &ctx, &NoWaivers).await;
    let requests = server.received_requests().await.unwrap_or_default().len();
    (
        report.failures().into_iter().map(|f| f.failure).collect(),
        requests,
    )
}

fn messages(failures: &[Failure]) -> Vec<String> {
    failures.iter().map(|f| f.to_string()).collect()
}

#[tokio::test]
async fn pages_are_joined_and_matched_as_one_result() {
    let (failures, requests) = failures_for(
        page(&["g1", "g2"], Some("t1")),
        vec![
            ("t1", page(&["g3", "g4"], Some("t2"))),
            ("t2", page(&["g5"], None)),
        ],
    )
    .await;
    assert_eq!(failures, vec![]);
    assert_eq!(requests, 3);
}

#[tokio::test]
async fn a_page_larger_than_the_page_size_fails() {
    let (failures, _) = failures_for(
        page(&["g1", "g2", "g3"], Some("t1")),
        vec![("t1", page(&["g4", "g5"], None))],
    )
    .await;
    let text = messages(&failures);
    assert_eq!(failures.len(), 1, "{text:?}");
    assert!(
        text[0].contains("page 1 holds 3 Groups, more than the page size 2"),
        "{text:?}"
    );
}

#[tokio::test]
async fn an_item_on_two_pages_fails() {
    let (failures, _) = failures_for(
        page(&["g1", "g2"], Some("t1")),
        vec![("t1", page(&["g2", "g5"], None))],
    )
    .await;
    let text = messages(&failures);
    assert_eq!(failures.len(), 1, "{text:?}");
    assert!(
        text[0].contains("appears on more than one page"),
        "{text:?}"
    );
    assert!(text[0].contains("g2"), "{text:?}");
}

#[tokio::test]
async fn a_token_that_comes_back_fails_instead_of_looping() {
    let (failures, requests) = failures_for(
        page(&["g1", "g2"], Some("t1")),
        vec![("t1", page(&["g3", "g5"], Some("t1")))],
    )
    .await;
    let text = messages(&failures);
    assert!(
        text.iter().any(|m| m.contains("NextToken seen before")),
        "{text:?}"
    );
    assert_eq!(requests, 2);
}

#[tokio::test]
async fn the_expected_body_applies_to_all_pages() {
    let (failures, _) = failures_for(
        page(&["g1", "g2"], Some("t1")),
        vec![("t1", page(&["g3"], None))],
    )
    .await;
    let text = messages(&failures);
    assert_eq!(failures.len(), 1, "{text:?}");
    assert!(text[0].contains("\"g5\""), "{text:?}");
}
