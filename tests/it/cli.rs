//! The `cognito-contract` command for people and scripts: `schema`, `validate` and `list`.

use std::process::{Command, Output};

use serde_json::Value;

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .args(args)
        .output()
        .expect("the cognito-contract binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn schema_create_user_pool_input_carries_the_documented_constraints() {
    let output = cli(&["schema", "CreateUserPool", "--input"]);
    assert!(output.status.success(), "{output:?}");
    let schema: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(schema["$ref"], "#/$defs/CreateUserPoolRequest");
    let defs = &schema["$defs"];
    let request = &defs["CreateUserPoolRequest"];
    assert_eq!(request["required"], serde_json::json!(["PoolName"]));
    assert_eq!(request["additionalProperties"], false);

    let pool_name = &defs["UserPoolNameType"];
    assert_eq!(pool_name["minLength"], 1);
    assert_eq!(pool_name["maxLength"], 128);
    assert_eq!(pool_name["pattern"], r"^(?:[\w\s+=,.@-]+)$");

    let lambda = &defs["LambdaConfigType"]["properties"]["PreSignUp"]["$ref"];
    let arn = &defs[lambda.as_str().unwrap().trim_start_matches("#/$defs/")];
    assert_eq!(arn["minLength"], 20);
    assert_eq!(arn["maxLength"], 2048);
    assert!(arn["pattern"].as_str().unwrap().starts_with("^(?:arn:"));

    assert_eq!(
        defs["DeletionProtectionType"]["enum"],
        serde_json::json!(["ACTIVE", "INACTIVE"])
    );
    assert_eq!(
        defs["PasswordPolicyType"]["properties"]["MinimumLength"]["$ref"],
        "#/$defs/PasswordPolicyMinLengthType"
    );
    assert_eq!(defs["PasswordPolicyMinLengthType"]["minimum"], 6);
    assert_eq!(defs["PasswordPolicyMinLengthType"]["maximum"], 99);
    // Only what the input needs: no output-only shapes.
    assert!(defs.get("CreateUserPoolResponse").is_none());
}

#[test]
fn schema_for_an_error_and_unknown_names() {
    let output = cli(&[
        "schema",
        "AdminCreateUser",
        "--error",
        "UsernameExistsException",
    ]);
    assert!(output.status.success(), "{output:?}");
    assert!(stdout(&output).contains("UsernameExistsException"));
    let output = cli(&["schema", "NoSuchOperation", "--input"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("NoSuchOperation"));
}

#[test]
fn validate_prints_each_violation_with_its_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, r#"{"PoolName": "pool"}"#).unwrap();
    let output = cli(&[
        "validate",
        "CreateUserPool",
        "--input",
        good.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");

    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"PoolName": "", "DeletionProtection": "ON", "Extra": 1}"#,
    )
    .unwrap();
    let output = cli(&[
        "validate",
        "CreateUserPool",
        "--input",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let text = stdout(&output);
    assert!(text.contains("/PoolName"), "{text}");
    assert!(text.contains("/DeletionProtection"), "{text}");
    assert!(text.contains("/Extra"), "{text}");
    assert_eq!(text.lines().count(), 4, "one line per violation: {text}");
}

#[test]
fn list_names_each_case_and_its_operations() {
    let output = cli(&["list"]);
    assert!(output.status.success(), "{output:?}");
    let text = stdout(&output);
    assert!(text.lines().count() >= 60, "{text}");
    for line in text.lines() {
        let (id, operations) = line.split_once('\t').expect("id<TAB>operations");
        assert!(id.contains('/'), "{line}");
        assert!(!operations.is_empty(), "{line}");
    }
}
