//! The error-code parser agrees with every reply in the awsJson1_1 reference
//! (`tests/data/awsjson11-error-codes.json`, whose `origin` says where its cases come from).

use cognito_contract::service::error_code::error_code;
use serde_json::Value;

#[test]
fn parser_agrees_with_the_awsjson11_reference() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/awsjson11-error-codes.json"
    );
    let text = std::fs::read_to_string(path).expect("the reference file in tests/data");
    let reference: Value = serde_json::from_str(&text).unwrap();
    let cases = reference["cases"].as_array().unwrap();
    assert!(cases.len() >= 10, "reference has {} cases", cases.len());
    let mut disagreements = Vec::new();
    for case in cases {
        let header = case["headers"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("x-amzn-errortype"))
            .and_then(|(_, v)| v.as_str());
        let found = error_code(header, Some(&case["body"]));
        let expected = case["error_code"].as_str();
        if found.as_deref() != expected {
            disagreements.push(format!(
                "{}: expected {expected:?}, found {found:?}",
                case["name"]
            ));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
