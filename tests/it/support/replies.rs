//! Scripted replies for wiremock targets: a page of a paginated ListGroups reply.

use serde_json::json;
use wiremock::ResponseTemplate;

/// A ListGroups page with the groups `names` and, when given, a `NextToken`.
pub fn page(names: &[&str], token: Option<&str>) -> ResponseTemplate {
    let mut body =
        json!({"Groups": names.iter().map(|n| json!({"GroupName": n})).collect::<Vec<_>>()});
    if let Some(token) = token {
        body["NextToken"] = json!(token);
    }
    ResponseTemplate::new(200)
        .set_body_bytes(serde_json::to_vec(&body).unwrap())
        .insert_header("content-type", "application/x-amz-json-1.1")
        .insert_header("x-amzn-requestid", "r")
}
