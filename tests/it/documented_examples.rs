//! The schemas accept what AWS documents and reject what the model forbids.
//!
//! Every input and output example that the AWS model documents validates with zero violations;
//! then a table of broken `CreateUserPool` requests proves each kind of constraint bites
//! (length, pattern, anchoring, enum, undocumented member, type).

use std::path::Path;

use cognito_contract::service::schemas::{SchemaKind, SchemaStore, Violation};
use rstest::rstest;
use serde_json::{Value, json};

/// `tests/data/aws-documented-examples.json`: the examples of the AWS API Reference (its
/// `origin` says why they are test data rather than generated from the pinned model).
fn examples() -> Vec<Value> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/aws-documented-examples.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let file: Value = serde_json::from_str(&text).expect("examples file is JSON");
    file["examples"].as_array().expect("examples array").clone()
}

fn validate(op: &str, kind: SchemaKind, instance: &Value) -> Vec<Violation> {
    SchemaStore::global()
        .validate(op, &kind, instance)
        .unwrap_or_else(|e| panic!("{op} {kind}: {e}"))
}

#[test]
fn documented_examples_validate() {
    let examples = examples();
    assert!(!examples.is_empty());
    let mut problems = Vec::new();
    for example in &examples {
        let op = example["operation"].as_str().expect("operation name");
        for (kind, key) in [(SchemaKind::Input, "input"), (SchemaKind::Output, "output")] {
            let Some(instance) = example.get(key) else {
                continue;
            };
            for violation in validate(op, kind.clone(), instance) {
                problems.push(format!("{op} {kind}: {violation}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn create_user_pool(extra: Value) -> Value {
    let mut request = json!({"PoolName": "contract-pool"});
    request
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    request
}

#[test]
fn a_valid_create_user_pool_passes() {
    let request = create_user_pool(json!({
        "LambdaConfig": {"PreSignUp": "arn:aws:lambda:us-east-1:123456789012:function:f"},
        "DeletionProtection": "ACTIVE",
    }));
    assert_eq!(validate("CreateUserPool", SchemaKind::Input, &request), []);
}

#[rstest]
#[case::empty_name(json!({"PoolName": ""}), "/PoolName", false)]
#[case::name_too_long(json!({"PoolName": "a".repeat(129)}), "/PoolName", false)]
#[case::name_breaks_pattern(json!({"PoolName": "pool\u{0}name"}), "/PoolName", false)]
#[case::unknown_enum(json!({"DeletionProtection": "MAYBE"}), "/DeletionProtection", false)]
#[case::short_lambda_arn(
    json!({"LambdaConfig": {"PreSignUp": SHORT_ARN}}),
    "/LambdaConfig/PreSignUp",
    false
)]
#[case::undocumented_member(json!({"PoolNickname": "x"}), "/PoolNickname", true)]
#[case::wrong_type(json!({"MfaConfiguration": 1}), "/MfaConfiguration", false)]
#[case::nested_wrong_type(
    json!({"Policies": {"PasswordPolicy": {"MinimumLength": "8"}}}),
    "/Policies/PasswordPolicy/MinimumLength",
    false
)]
fn create_user_pool_rejects(
    #[case] extra: Value,
    #[case] pointer: &str,
    #[case] undocumented: bool,
) {
    let request = create_user_pool(extra);
    let violations = validate("CreateUserPool", SchemaKind::Input, &request);
    // One broken value may break several keywords (say `minLength` and `pattern`), but every
    // violation must point at it.
    assert!(!violations.is_empty(), "{request} was accepted");
    for violation in &violations {
        assert_eq!(violation.pointer, pointer, "{violations:?}");
        assert_eq!(
            violation.undocumented_member, undocumented,
            "{violations:?}"
        );
        assert!(!violation.message.is_empty());
    }
}

/// 19 characters that match the ARN pattern: only `minLength` (20) rejects it.
const SHORT_ARN: &str = "arn:aws:lambda::1:f";

#[test]
fn lambda_arn_length_bound_is_exact() {
    assert_eq!(SHORT_ARN.len(), 19);
    let short = create_user_pool(json!({"LambdaConfig": {"PreSignUp": SHORT_ARN}}));
    let violations = validate("CreateUserPool", SchemaKind::Input, &short);
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert!(violations[0].message.contains("shorter"), "{violations:?}");
    let twenty = create_user_pool(json!({"LambdaConfig": {"PreSignUp": "arn:aws:lambda::12:f"}}));
    assert_eq!(validate("CreateUserPool", SchemaKind::Input, &twenty), []);
}

#[test]
fn missing_required_member_is_reported() {
    let violations = validate("CreateUserPool", SchemaKind::Input, &json!({}));
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].pointer, "");
    assert!(violations[0].message.contains("PoolName"), "{violations:?}");
}

/// Patterns are whole-string matches: a value in which the pattern only finds a substring fails.
/// `UserPoolId` is `[\w-]+_[0-9a-zA-Z]+`: `"us-east-1_abc"` matches, and as a search the same
/// pattern would also find a match inside `"us-east-1_abc !"`.
#[rstest]
#[case("us-east-1_abc", true)]
#[case("us-east-1_abc !", false)]
#[case("! us-east-1_abc", false)]
fn patterns_are_anchored(#[case] pool_id: &str, #[case] valid: bool) {
    let violations = validate(
        "DescribeUserPool",
        SchemaKind::Input,
        &json!({"UserPoolId": pool_id}),
    );
    assert_eq!(violations.is_empty(), valid, "{violations:?}");
}

#[test]
fn error_bodies_use_documented_then_common_schemas() {
    let store = SchemaStore::global();
    let body = json!({"__type": "ResourceNotFoundException", "message": "gone"});
    let kind = SchemaKind::Error("ResourceNotFoundException".into());
    assert_eq!(
        store.validate("DescribeUserPool", &kind, &body).unwrap(),
        []
    );
    let framework = json!({"__type": "ResourceNotFoundException", "Message": "gone"});
    assert_eq!(
        store
            .validate("DescribeUserPool", &kind, &framework)
            .unwrap(),
        []
    );
    let extra = json!({"__type": "ResourceNotFoundException", "message": "gone", "Why": 1});
    let violations = store.validate("DescribeUserPool", &kind, &extra).unwrap();
    assert!(
        violations.iter().all(|v| v.undocumented_member),
        "{violations:?}"
    );
    assert_eq!(violations.len(), 1);

    let common = SchemaKind::Error("UnrecognizedClientException".into());
    let body = json!({"__type": "UnrecognizedClientException", "message": "bad token", "x": 1});
    assert_eq!(
        store.validate("DescribeUserPool", &common, &body).unwrap(),
        []
    );
    let bad = json!({"__type": 1});
    assert_eq!(
        store
            .validate("DescribeUserPool", &common, &bad)
            .unwrap()
            .len(),
        1
    );

    let unknown = SchemaKind::Error("MadeUpException".into());
    assert!(store.validate("DescribeUserPool", &unknown, &body).is_err());
    assert!(
        store
            .validate("NoSuchOperation", &SchemaKind::Input, &body)
            .is_err()
    );
}

#[test]
fn empty_outputs_allow_no_members() {
    let store = SchemaStore::global();
    let op = store
        .index()
        .operations
        .iter()
        .find(|(_, info)| info.output.is_none())
        .map(|(name, _)| name.clone())
        .expect("an operation without output");
    assert_eq!(
        store
            .validate(&op, &SchemaKind::Output, &json!({}))
            .unwrap(),
        []
    );
    let violations = store
        .validate(&op, &SchemaKind::Output, &json!({"A": 1, "B": 2}))
        .unwrap();
    let pointers: Vec<&str> = violations.iter().map(|v| v.pointer.as_str()).collect();
    assert_eq!(pointers, ["/A", "/B"]);
    assert!(violations.iter().all(|v| v.undocumented_member));
}

#[test]
fn standalone_schema_has_only_needed_defs() {
    let store = SchemaStore::global();
    let schema = store
        .standalone("DescribeUserPool", &SchemaKind::Input)
        .unwrap();
    let defs = schema["$defs"].as_object().unwrap();
    assert!(defs.contains_key("DescribeUserPoolRequest"));
    assert!(defs.contains_key("UserPoolIdType"));
    assert!(!defs.contains_key("DescribeUserPoolResponse"));
    assert!(!defs.contains_key("ResourceNotFoundException"));
}
