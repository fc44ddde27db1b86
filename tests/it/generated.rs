//! The generated validation cases ([`cognito_contract::spec::generated`]):
//! - self-check: every generated request fails its operation's input schema at exactly the
//!   intended keyword and pointer and nowhere else, every base request is valid, and the counts
//!   of constraints found, cases generated and constraints skipped are the ones documented in
//!   the README;
//! - every generated case loads as an ordinary case, with its id, one step, no setup, and no
//!   teardown but for `CreateUserPool` (deleting a pool a target wrongly created);
//! - against a stand-in server that validates requests like Cognito (built from the same
//!   schemas: `InvalidParameterException` with the AWS-format message, `SerializationException`
//!   for JSON type mismatches and undecodable blobs), every generated case passes.

use crate::support::output::binary_without_credentials;
use std::collections::BTreeSet;
use std::process::Command;
use std::sync::{Arc, OnceLock};

use crate::support::{AwsLike, Config, Handler};
use cognito_contract::service::schemas::{SchemaKind, SchemaStore};
use cognito_contract::spec::generated::base::base_request;
use cognito_contract::spec::generated::cases::{Generated, schema_errors, self_check};
use cognito_contract::spec::generated::constraints::{Keyword, Step, count_by_keyword};
use cognito_contract::spec::generated::generate;
use cognito_contract::spec::generated::message::{message, violation_for};
use cognito_contract::spec::generated::schema::{BASE64_PATTERN, Kind, Operation, Shape, load_all};
use cognito_contract::spec::generated::strings::Strings;
use jsonschema::error::ValidationErrorKind;
use serde_json::{Value, json};

fn generated() -> &'static Generated {
    static GENERATED: OnceLock<Generated> = OnceLock::new();
    GENERATED.get_or_init(|| generate(SchemaStore::global()).expect("the cases generate"))
}

fn validator(operation: &str) -> Arc<jsonschema::Validator> {
    SchemaStore::global()
        .validator(operation, &SchemaKind::Input)
        .expect("the input schema compiles")
}

#[test]
fn every_generated_request_breaks_exactly_its_constraint() {
    let generated = generated();
    let failures: Vec<String> = generated
        .cases
        .iter()
        .filter_map(|case| self_check(case, &validator(&case.constraint.operation)).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases fail the self-check:\n{}",
        failures.len(),
        generated.cases.len(),
        failures.join("\n")
    );
    println!(
        "constraints found: {}, generated: {}, skipped: {}",
        generated.constraints.len(),
        generated.cases.len(),
        generated.skipped.len()
    );
    assert_eq!(generated.constraints.len(), 3330);
    assert_eq!(generated.cases.len(), 2714);
    assert_eq!(generated.skipped.len(), 616);
    let counts = count_by_keyword(&generated.constraints);
    assert_eq!(counts[&Keyword::Required], 386);
    assert_eq!(counts[&Keyword::Pattern], 460);
    assert_eq!(counts[&Keyword::Enum], 106);
    assert_eq!(counts[&Keyword::Type], 1058);
}

#[test]
fn every_base_request_is_valid_and_every_constraint_is_accounted_for() {
    let store = SchemaStore::global();
    let mut strings = Strings::new();
    for op in load_all(store).unwrap() {
        let base = base_request(&op, &mut strings).unwrap();
        let errors = schema_errors(&validator(&op.name), &base);
        assert!(errors.is_empty(), "{}: {base} -> {errors:?}", op.name);
    }
    let generated = generated();
    let mut names = BTreeSet::new();
    for name in generated
        .cases
        .iter()
        .map(|c| c.name.clone())
        .chain(generated.skipped.iter().map(|s| s.constraint.case_name()))
    {
        assert!(name.starts_with("generated/"), "{name}");
        assert!(names.insert(name.clone()), "duplicate {name}");
    }
    assert_eq!(names.len(), generated.constraints.len());
}

#[test]
fn generated_cases_load_as_one_step_cases() {
    let store = SchemaStore::global();
    let cases =
        cognito_contract::spec::generated::suite::global().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cases.len(), 2714);
    for case in cases {
        assert!(case.setup.is_empty(), "{}", case.id);
        assert_eq!(case.steps.len(), 1, "{}", case.id);
        // Only CreateUserPool cases delete the pool a target that does not validate created.
        match case.steps[0].operation.as_str() {
            "CreateUserPool" => {
                assert_eq!(case.teardown.len(), 1, "{}", case.id);
                assert_eq!(case.steps[0].captures[0].variable, "pool");
            }
            _ => assert!(case.teardown.is_empty(), "{}", case.id),
        }
        assert_eq!(case.area, "generated");
        let step = &case.steps[0];
        assert!(step.invalid_request, "{}", case.id);
        assert!(store.operation(&step.operation).is_some());
    }
    let pool_name = cases
        .iter()
        .find(|c| c.id == "generated/CreateUserPool/PoolName/maxLength")
        .expect("the PoolName case");
    match &pool_name.steps[0].expect {
        cognito_contract::spec::case::Expect::Error { code, message } => {
            assert_eq!(code, "InvalidParameterException");
            let expected = format!(
                "1 validation error detected: Value '{}' at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128",
                "a".repeat(129)
            );
            assert_eq!(
                message.as_ref().map(|m| m.to_value()),
                Some(json!(expected))
            );
        }
        other => panic!("{other:?}"),
    }
}

/// The model path (steps) and pointer tokens of an instance pointer in a request of `root`.
fn steps_of(root: &Shape, tokens: &[String]) -> Vec<Step> {
    let mut shape = root;
    let mut steps = Vec::new();
    for token in tokens {
        let (step, next) = match &shape.kind {
            Kind::Structure { .. } => (Step::Member(token.clone()), shape.member(token)),
            Kind::List(item) => (Step::Item, Some(item.as_ref())),
            Kind::Map { value, .. } => (Step::Value, Some(value.as_ref())),
            _ => break,
        };
        steps.push(step);
        match next {
            Some(next) => shape = next,
            None => break,
        }
    }
    steps
}

fn keyword(name: &str) -> Option<Keyword> {
    Keyword::ALL.into_iter().find(|k| k.as_str() == name)
}

/// What a Cognito-like server answers `request` of `op`: `None` when it is valid.
fn validate_like_cognito(op: &Operation, request: &Value) -> Option<(String, String)> {
    let validator = validator(&op.name);
    let error = validator.iter_errors(request).next()?;
    let tokens: Vec<String> = error
        .instance_path()
        .as_str()
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let at = request.pointer(error.instance_path().as_str());
    let serialization = |text: &str| Some(("SerializationException".to_owned(), text.to_owned()));
    let (mut path, mut tokens, name) =
        (steps_of(&op.input, &tokens), tokens, error.kind().keyword());
    let keyword = match error.kind() {
        ValidationErrorKind::Type { .. } => {
            return match at {
                Some(Value::Array(_)) => serialization("Start of list found where not expected."),
                _ => serialization("Start of structure or map found where not expected."),
            };
        }
        ValidationErrorKind::Pattern { pattern } if pattern == BASE64_PATTERN => {
            return serialization("Base64 decoding failed.");
        }
        ValidationErrorKind::Required { property } => {
            let member = property.as_str().unwrap_or_default().to_owned();
            path.push(Step::Member(member.clone()));
            tokens.push(member);
            Keyword::Required
        }
        ValidationErrorKind::PropertyNames { error } => {
            path.push(Step::Key);
            keyword(error.kind().keyword())?
        }
        _ => keyword(name)?,
    };
    let (violation, _) = violation_for(&op.input, request, &path, &tokens, keyword)?;
    Some((
        "InvalidParameterException".to_owned(),
        message(&[violation]),
    ))
}

/// A handler that validates every request like Cognito and answers `{}` to valid ones.
fn cognito_like() -> Handler {
    let operations: Arc<Vec<Operation>> = Arc::new(load_all(SchemaStore::global()).unwrap());
    Arc::new(move |operation: &str, body: &Value| {
        let Some(op) = operations.iter().find(|o| o.name == operation) else {
            return (400, json!({"__type": "UnknownOperationException"}));
        };
        match validate_like_cognito(op, body) {
            Some((code, message)) => (400, json!({"__type": code, "message": message})),
            None => (200, json!({})),
        }
    })
}

#[test]
fn every_generated_case_passes_against_a_server_that_validates_like_cognito() {
    let mut config = Config::new(Vec::new());
    config.handler = Some(cognito_like());
    let server = AwsLike::start(config);
    let output = binary_without_credentials()
        .args(["run", "--endpoint", &server.endpoint, "generated/"])
        .args(["--format", "terse"])
        .env_remove("COGNITO_CONTRACT_GENERATED")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: String = stdout.lines().rev().take(60).collect::<Vec<_>>().join("\n");
    assert!(output.status.success(), "{tail}\n{stderr}");
    assert!(
        stdout.contains(
            "2714 passed, 0 passed with waivers, 0 failed, 0 expected failures, 0 unexpected passes, 0 intermittent, 0 errors (2714 generated)"
        ),
        "{tail}"
    );
    // Every generated request reached the server once (the probe is a valid ListUserPools).
    let seen = server.seen();
    assert_eq!(seen.len(), 2714 + 1);
    assert!(
        seen.iter().skip(1).all(|s| s.status == 400),
        "a request was accepted"
    );
}

fn listed(args: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .args(args)
        .env_remove("COGNITO_CONTRACT_GENERATED")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_flag_and_the_variable_leave_the_generated_cases_out() {
    let generated = |lines: &[String]| lines.iter().filter(|l| l.contains("generated/")).count();
    let all = listed(&["run", "--list"], &[]);
    assert_eq!(generated(&all), 2714);
    let without = listed(&["run", "--list", "--no-generated"], &[]);
    assert_eq!(generated(&without), 0);
    assert_eq!(all.len() - without.len(), 2714);
    let env = listed(&["run", "--list"], &[("COGNITO_CONTRACT_GENERATED", "0")]);
    assert_eq!(env, without);
    assert_eq!(generated(&listed(&["list", "--no-generated"], &[])), 0);
    let report = listed(&["generated"], &[]);
    assert!(
        report.contains(&"constraints found: 3330, generated: 2714, skipped: 616".to_owned()),
        "{report:?}"
    );
}
