//! No case has side effects by surprise: every step whose operation and inputs can make Cognito
//! send email or SMS, or change account-level settings, belongs to a case that declares it in
//! `side_effects`; and the aws target skips declared cases unless the run allows them.

use cognito_contract::http::aws::unmet_requirements;
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::case_source::CaseSource;
use cognito_contract::spec::load::{load_case, load_source};
use cognito_contract::spec::side_effects::undeclared;

#[test]
fn every_bundled_case_declares_what_it_sends() {
    let cases = load_source(&CaseSource::Bundled, SchemaStore::global()).unwrap();
    let problems: Vec<String> = cases
        .iter()
        .flat_map(|case| {
            undeclared(case)
                .into_iter()
                .map(move |step| format!("{}: {step}", case.id))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "undeclared side effects (add them to the case's side_effects):\n{}",
        problems.join("\n")
    );
}

fn case(text: &str) -> cognito_contract::spec::case::Case {
    load_case("t/c", "t/c.json", text, SchemaStore::global()).unwrap()
}

const FORGOT: &str = r#"{"description": "ForgotPassword sends a code by email", "evidence": ["model"],
  "steps": [{"operation": "ForgotPassword", "request": {"ClientId": "c", "Username": "alice"}}]}"#;

#[test]
fn an_undeclared_mail_step_is_found_and_a_declared_one_is_not() {
    assert_eq!(
        undeclared(&case(FORGOT)),
        ["steps[0] ForgotPassword: sends-email"]
    );
    let declared = FORGOT.replace(
        r#""evidence": ["model"],"#,
        r#""evidence": ["model"], "side_effects": ["sends-email"],"#,
    );
    assert_eq!(undeclared(&case(&declared)), Vec::<String>::new());
    let suppressed = r#"{"description": "AdminCreateUser with SUPPRESS sends nothing",
      "steps": [{"operation": "AdminCreateUser", "request": {"UserPoolId": "us-east-1_a",
        "Username": "alice", "MessageAction": "SUPPRESS",
        "UserAttributes": [{"Name": "email", "Value": "a@example.com"}]}}]}"#;
    assert_eq!(undeclared(&case(suppressed)), Vec::<String>::new());
    let limit = r#"{"description": "UpdateProvisionedLimit changes the account",
      "steps": [{"operation": "UpdateProvisionedLimit", "request": {}, "invalid_request": true}]}"#;
    assert_eq!(
        undeclared(&case(limit)),
        ["steps[0] UpdateProvisionedLimit: account-settings"]
    );
}

#[test]
fn the_aws_target_skips_declared_side_effects_unless_allowed() {
    let declared = case(&FORGOT.replace(
        r#""evidence": ["model"],"#,
        r#""evidence": ["model"], "side_effects": ["sends-email"],"#,
    ));
    assert_eq!(unmet_requirements(&declared, false), None);
    // SAFETY of the test: no other test in this binary reads this variable.
    let reason = unmet_requirements(&declared, true).expect("skipped on aws");
    assert!(reason.contains("COGNITO_CONTRACT_ALLOW_MAIL=1"), "{reason}");
    assert_eq!(unmet_requirements(&case(FORGOT), true), None);
}
