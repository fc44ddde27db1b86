//! Loading a suite: every problem in every case file is reported together, each naming the file
//! and where in it (line:column for JSON syntax, a JSON pointer for everything else).

use std::path::Path;

use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::load::{LoadError, load_dir};

fn write(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn errors_for(files: &[(&str, &str)]) -> Vec<LoadError> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cases");
    for (relative, text) in files {
        write(&root, relative, text);
    }
    match load_dir(&root, SchemaStore::global()) {
        Ok(cases) => panic!("loaded {} cases without errors", cases.len()),
        Err(errors) => errors.0,
    }
}

fn find<'a>(errors: &'a [LoadError], file: &str, location: &str) -> &'a LoadError {
    errors
        .iter()
        .find(|e| e.file == file && e.location == location)
        .unwrap_or_else(|| panic!("no error at {file} {location} in {errors:#?}"))
}

const GOOD_STEP: &str = r#"{"operation": "ListUserPools", "request": {"MaxResults": 1}}"#;

#[test]
fn every_problem_in_every_file_is_reported_with_its_location() {
    let unknown_op = r#"{"description": "a case with a typo in its operation",
        "steps": [{"operation": "AdminCreateUsr", "request": {}}]}"#;
    let undefined_var = format!(
        r#"{{"description": "a case that uses a variable before capturing it",
        "steps": [{GOOD_STEP}, {{"operation": "DescribeUserPool", "request": {{"UserPoolId": "${{pool}}"}}}}]}}"#
    );
    let bad_error = r#"{"description": "a case that expects an error the operation never returns",
        "steps": [{"operation": "ListUserPools", "request": {"MaxResults": 1},
                   "expect": {"error": "UsernameExistsException"}}]}"#;
    let bad_bits = r#"{"description": "a case with a bad matcher and a bad capture path",
        "steps": [{"operation": "ListUserPools", "request": {"MaxResults": 1},
                   "expect": {"body": {"UserPools": {"$count": 1}}},
                   "capture": {"first": "$.UserPools[?"}}]}"#;
    let unknown_field = format!(
        r#"{{"description": "a case with a misspelt member", "stpes": [], "steps": [{GOOD_STEP}]}}"#
    );
    let wrong_type = r#"{"description": "a case whose request is not an object",
        "steps": [{"operation": "ListUserPools", "request": [1]}]}"#;
    let errors = errors_for(&[
        (
            "a/syntax.json",
            "{\n  \"description\": \"x\",\n  \"steps\": [,]\n}",
        ),
        ("a/unknown_op.json", unknown_op),
        ("a/undefined_var.json", &undefined_var),
        ("b/bad_error.json", bad_error),
        ("b/bad_bits.json", bad_bits),
        ("b/unknown_field.json", &unknown_field),
        ("b/wrong_type.json", wrong_type),
    ]);

    let e = find(&errors, "cases/a/syntax.json", "3:13");
    assert!(e.message.contains("invalid JSON"), "{e}");
    let e = find(&errors, "cases/a/unknown_op.json", "/steps/0/operation");
    assert!(e.message.contains("did you mean AdminCreateUser?"), "{e}");
    let e = find(
        &errors,
        "cases/a/undefined_var.json",
        "/steps/1/request/UserPoolId",
    );
    assert!(e.message.contains("${pool}"), "{e}");
    let e = find(&errors, "cases/b/bad_error.json", "/steps/0/expect/error");
    assert!(
        e.message.contains("neither documented for ListUserPools"),
        "{e}"
    );
    let e = find(
        &errors,
        "cases/b/bad_bits.json",
        "/steps/0/expect/body/UserPools",
    );
    assert!(e.message.contains("unknown matcher"), "{e}");
    let e = find(&errors, "cases/b/bad_bits.json", "/steps/0/capture/first");
    assert!(e.message.contains("bad JSONPath"), "{e}");
    let e = find(&errors, "cases/b/unknown_field.json", "");
    assert!(e.message.contains("stpes"), "{e}");
    find(&errors, "cases/b/wrong_type.json", "/steps/0/request");
    // Displayed as file:line:col or file: at pointer.
    assert_eq!(
        find(&errors, "cases/a/syntax.json", "3:13")
            .to_string()
            .split(": ")
            .next(),
        Some("cases/a/syntax.json:3:13")
    );
}

#[test]
fn descriptions_must_be_unique_across_the_suite() {
    let case = format!(r#"{{"description": "the same statement twice", "steps": [{GOOD_STEP}]}}"#);
    let errors = errors_for(&[("a/one.json", &case), ("b/two.json", &case)]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].file, "cases/b/two.json");
    assert!(errors[0].message.contains("a/one"), "{}", errors[0]);
}

#[test]
fn the_expectations_folder_is_not_read_as_cases() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("cases");
    write(
        &root,
        "a/ok.json",
        &format!(r#"{{"description": "a fine case", "steps": [{GOOD_STEP}]}}"#),
    );
    write(
        &root,
        "expectations/moto.json",
        r#"{"target": "moto", "expected_failures": []}"#,
    );
    let cases = load_dir(&root, SchemaStore::global()).unwrap();
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].id, "a/ok");
    assert_eq!(cases[0].area, "a");
}

#[test]
fn bundled_cases_all_load() {
    let cases = cognito_contract::spec::load::load_source(
        &cognito_contract::spec::case_source::CaseSource::Bundled,
        SchemaStore::global(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(cases.len() >= 60, "only {} bundled cases", cases.len());
}

#[test]
fn capture_paths_that_can_match_nothing_are_load_errors() {
    let case = r#"{"description": "captures checked against the output schema",
        "steps": [{"operation": "CreateUserPool", "request": {"PoolName": "p"},
                   "capture": {"typo": "$.UserPool.Idd",
                               "deep": "$.UserPool.SchemaAttributes[0].Nam",
                               "quoted": "$['UserPool']['Nope']",
                               "fine": "$.UserPool.Id",
                               "filtered": "$.UserPool.SchemaAttributes[?@.Name=='email'].Mutable",
                               "tags": "$.UserPool.UserPoolTags.anything"}}]}"#;
    let errors = errors_for(&[("a/captures.json", case)]);
    assert_eq!(errors.len(), 3, "{errors:#?}");
    let e = find(&errors, "cases/a/captures.json", "/steps/0/capture/typo");
    assert!(
        e.message.contains(r#"$.UserPool has no member "Idd""#),
        "{e}"
    );
    let e = find(&errors, "cases/a/captures.json", "/steps/0/capture/deep");
    assert!(
        e.message
            .contains(r#"$.UserPool.SchemaAttributes[*] has no member "Nam""#),
        "{e}"
    );
    find(&errors, "cases/a/captures.json", "/steps/0/capture/quoted");
}

#[test]
fn case_ids_that_differ_only_in_case_are_duplicates() {
    let one = format!(r#"{{"description": "the first of two ids", "steps": [{GOOD_STEP}]}}"#);
    let two = format!(r#"{{"description": "the second of two ids", "steps": [{GOOD_STEP}]}}"#);
    let errors = errors_for(&[("a/Same_Case.json", &one), ("a/same_case.json", &two)]);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].message.contains("duplicates case"),
        "{}",
        errors[0]
    );
}

#[test]
fn template_function_calls_are_checked_at_load_time() {
    let case = |description: &str, value: &str| {
        format!(
            r#"{{"description": "{description}",
            "steps": [{{"operation": "InitiateAuth", "request": {{"ClientId": "c", "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {{"USERNAME": "alice", "SRP_A": "${{srp_a}}", "SECRET_HASH": "{value}"}}}}}}]}}"#
        )
    };
    let unknown = case("a case that calls a function nobody defined", "${hash(x)}");
    let arity = case(
        "a case that calls secret_hash with two arguments",
        "${secret_hash('alice', 'c')}",
    );
    let uncaptured = case(
        "a case that passes an uncaptured variable to a function",
        "${secret_hash('alice', 'c', secret)}",
    );
    let errors = errors_for(&[
        ("f/unknown.json", &unknown),
        ("f/arity.json", &arity),
        ("f/uncaptured.json", &uncaptured),
    ]);
    let at = "/steps/0/request/AuthParameters/SECRET_HASH";
    let message = |file| find(&errors, file, at).message.clone();
    assert!(
        message("cases/f/unknown.json").contains("unknown function hash"),
        "{errors:#?}"
    );
    assert!(
        message("cases/f/arity.json").contains("takes 3 arguments, found 2"),
        "{errors:#?}"
    );
    assert!(
        message("cases/f/uncaptured.json")
            .contains("${secret} is used before any step captures it"),
        "{errors:#?}"
    );
    assert_eq!(errors.len(), 3, "{errors:#?}");
}
