//! Paginated steps with `only`: a listing of the whole account holds items of other runs, which
//! may move between pages while they are read; only the items the pattern matches make the
//! result and are checked for duplicates, while the page size holds for every page. A wiremock
//! server plays ListGroups with pages keyed by the token it is sent.

use std::time::Duration;

use cognito_contract::exec::failure::Failure;
use cognito_contract::exec::runner::{NoWaivers, RunContext, run_case};
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::load_case;
use serde_json::json;
use wiremock::matchers::{body_partial_json, method};
use wiremock::{Mock, MockServer};

use crate::support::replies::page;

fn case(only: bool) -> String {
    let mut paginate = json!({"page_size": 2});
    if only {
        paginate["only"] = json!({"GroupName": {"$regex": "^mine-"}});
    }
    json!({
        "description": "ListGroups pages through the groups of this run",
        "steps": [{
            "operation": "ListGroups",
            "request": {"UserPoolId": "us-east-1_AAAAAAAAA"},
            "paginate": paginate,
            "expect": {"body": {"Groups": {"$contains": [{"GroupName": "mine-1"}, {"GroupName": "mine-2"}]}}},
            "capture": {"names": "$.Groups[*].GroupName"}
        }]
    })
    .to_string()
}

/// The step's failures against two pages: `first`, then another run's group and `mine-2`.
async fn run(only: bool, first: &[&str]) -> Vec<Failure> {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"NextToken": "t1"})))
        .respond_with(page(&["theirs-a", "mine-2"], None))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(page(first, Some("t1")))
        .with_priority(5)
        .mount(&server)
        .await;
    let text = case(only);
    let case = load_case("p/only", "p/only.json", &text, SchemaStore::global()).unwrap();
    let ctx = RunContext::new(&server.uri(), "us-east-1", Duration::from_secs(5)).unwrap();
    let report = run_case(&case, &ctx, &NoWaivers).await;
    report.failures().into_iter().map(|f| f.failure).collect()
}

#[tokio::test]
async fn other_runs_items_moving_between_pages_fail_the_step_without_only() {
    let failures = run(false, &["theirs-a", "mine-1"]).await;
    let text: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert_eq!(failures.len(), 1, "{text:?}");
    assert!(text[0].contains("theirs-a"), "{text:?}");
}

#[tokio::test]
async fn with_only_they_are_left_out_of_the_result_and_the_duplicate_rule() {
    let failures = run(true, &["theirs-a", "mine-1"]).await;
    assert_eq!(failures, vec![]);
}

#[tokio::test]
async fn with_only_the_page_size_still_holds_for_every_item() {
    let failures = run(true, &["theirs-a", "theirs-b", "mine-1"]).await;
    let text: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert_eq!(failures.len(), 1, "{text:?}");
    assert!(
        text[0].contains("page 1 holds 3 Groups, more than the page size 2"),
        "{text:?}"
    );
}

#[tokio::test]
async fn with_only_a_duplicate_of_an_own_item_still_fails() {
    let failures = run(true, &["mine-2", "mine-1"]).await;
    let text: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
    assert_eq!(failures.len(), 1, "{text:?}");
    assert!(text[0].contains("mine-2"), "{text:?}");
}
