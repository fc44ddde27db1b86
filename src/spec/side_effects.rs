//! Side effects a case has beyond the pool it creates and deletes: Cognito sending email or SMS
//! (each message counts against the account's quotas, and the default email sender has a small
//! daily one), and changes to account-level settings (which outlive the run). A case declares
//! them in `side_effects`; [`undeclared`] finds the steps whose operation and inputs can make
//! Cognito send a message that the case does not declare, so that no case sends mail by
//! surprise. The aws target skips cases with side effects unless the run allows them (see
//! [`crate::http::aws::unmet_requirements`]).

use serde_json::Value;

use crate::spec::case::{Case, Expect, Section, Step};

/// The case makes Cognito send an email.
pub const SENDS_EMAIL: &str = "sends-email";
/// The case makes Cognito send an SMS.
pub const SENDS_SMS: &str = "sends-sms";
/// The case changes settings of the whole account (e.g. `UpdateProvisionedLimit`).
pub const ACCOUNT_SETTINGS: &str = "account-settings";

/// Operations that change account-level settings.
const ACCOUNT_OPERATIONS: &[&str] = &["UpdateProvisionedLimit"];

/// The side effects `step` can have, judged from its operation and request: which of
/// [`SENDS_EMAIL`], [`SENDS_SMS`] and [`ACCOUNT_SETTINGS`] it may cause when it succeeds. A step
/// that expects an error is taken to send nothing (Cognito refuses before it sends); a call
/// that changes account settings counts even then, since a target that wrongly accepts it
/// changes them.
pub fn of_step(step: &Step) -> Vec<&'static str> {
    if ACCOUNT_OPERATIONS.contains(&step.operation.as_str()) {
        return vec![ACCOUNT_SETTINGS];
    }
    if matches!(step.expect, Expect::Error { .. }) {
        return Vec::new();
    }
    let request = &step.request;
    let sends = match step.operation.as_str() {
        // Codes go to the user's verified email or phone, whichever the pool uses.
        "ForgotPassword"
        | "ResendConfirmationCode"
        | "AdminResetUserPassword"
        | "GetUserAttributeVerificationCode" => return channels(request, true),
        // The invitation goes out unless it is suppressed.
        "AdminCreateUser" => {
            request.get("MessageAction").and_then(Value::as_str) != Some("SUPPRESS")
        }
        // A code goes to a new email or phone number of a user.
        "SignUp" | "UpdateUserAttributes" | "AdminUpdateUserAttributes" => true,
        _ => false,
    };
    if sends {
        channels(request, false)
    } else {
        Vec::new()
    }
}

/// The channels a request's attributes reach: email when it carries an `email` attribute,
/// SMS when it carries a `phone_number`; with `either`, an operation that always sends to the
/// user's contact, email when the request names no phone.
fn channels(request: &Value, either: bool) -> Vec<&'static str> {
    let text = request.to_string();
    let email = text.contains("\"email\"") || text.contains('@');
    let phone = text.contains("\"phone_number\"");
    let mut out = Vec::new();
    if email || (either && !phone) {
        out.push(SENDS_EMAIL);
    }
    if phone {
        out.push(SENDS_SMS);
    }
    out
}

/// The steps of `case` (as `setup[2] SignUp`) whose side effects the case does not declare.
pub fn undeclared(case: &Case) -> Vec<String> {
    let mut out = Vec::new();
    for section in [Section::Setup, Section::Steps, Section::Teardown] {
        for (index, step) in case.section(section).iter().enumerate() {
            let missing: Vec<&str> = of_step(step)
                .into_iter()
                .filter(|effect| !case.side_effects.iter().any(|d| d == effect))
                .collect();
            if !missing.is_empty() {
                out.push(format!(
                    "{}[{index}] {}: {}",
                    section.name(),
                    step.operation,
                    missing.join(", ")
                ));
            }
        }
    }
    out
}
