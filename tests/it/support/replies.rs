//! Scripted replies for wiremock targets: an awsJson1_1 reply with a JSON body, and a page of a
//! paginated ListGroups reply.

use serde_json::{Value, json};
use wiremock::ResponseTemplate;

/// An awsJson1_1 reply: `status`, `body` as JSON, the protocol's content type and a request id.
pub fn reply(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_bytes(serde_json::to_vec(&body).unwrap())
        .insert_header("content-type", "application/x-amz-json-1.1")
        .insert_header("x-amzn-requestid", "r")
}

/// A ListGroups page with the groups `names` and, when given, a `NextToken`.
pub fn page(names: &[&str], token: Option<&str>) -> ResponseTemplate {
    let mut body =
        json!({"Groups": names.iter().map(|n| json!({"GroupName": n})).collect::<Vec<_>>()});
    if let Some(token) = token {
        body["NextToken"] = json!(token);
    }
    reply(200, body)
}
