//! Secrets never reach stdout, stderr or a report. A wiremock server answers a small suite with
//! replies that carry tokens, client secrets and error messages that echo what they were sent;
//! the cases fail so that every value lands in a diff or message; then every output of the run
//! (with all reports enabled) is searched for the secret values, which must be masked.

use std::path::Path;
use std::process::Command;

use regex::Regex;
use serde_json::{Value, json};
use wiremock::matchers::header;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::replies::reply;

const PASSWORD: &str = "Known-Password-For-Test-1!";
const SECRET_HASH: &str = "S2VjcmV0SGFzaEtub3duVmFsdWU=";
const ACCESS_TOKEN: &str = "eyJhbGciOiJub25lIn0.KNOWN-ACCESS-TOKEN.c2ln";
const ID_TOKEN: &str = "eyJhbGciOiJub25lIn0.KNOWN-ID-TOKEN.c2ln";
const REFRESH_TOKEN: &str = "KNOWN-REFRESH-TOKEN-VALUE-0123";
const SESSION: &str = "KNOWN-SESSION-VALUE-0123456789";
const NEW_PASSWORD: &str = "Known-New-Password-2!";
const TEMPORARY_PASSWORD: &str = "Known Temp Password 3";
const CLIENT_SECRET: &str = "KNOWNCLIENTSECRETabcdef0123456789";
const AWS_SECRET_KEY: &str = "KnownAwsSecretKeyValue/xyz+0123";
const AWS_SESSION_TOKEN: &str = "KnownAwsSessionTokenValue0123456";
const TOTP_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const HASH_KEY: &str = "known-client-secret-for-hash";

async fn answer(server: &MockServer, operation: &str, response: ResponseTemplate) {
    Mock::given(header(
        "x-amz-target",
        format!("AWSCognitoIdentityProviderService.{operation}").as_str(),
    ))
    .respond_with(response)
    .mount(server)
    .await;
}

fn write_case(dir: &Path, name: &str, case: Value) {
    let path = dir.join("secrets").join(format!("{name}.json"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, serde_json::to_string_pretty(&case).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn no_output_of_a_run_carries_a_secret() {
    let server = MockServer::start().await;
    answer_with_secrets(&server).await;
    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases");
    write_secret_cases(&cases);
    let reports = dir.path().join("reports");
    let endpoint = server.uri();
    let (status, outputs) =
        tokio::task::spawn_blocking(move || run_with_every_report(&endpoint, &cases, &reports))
            .await
            .unwrap();
    assert_eq!(status, Some(101), "{}", outputs[0].1);
    assert_eq!(outputs.len(), 5, "three reports were written: {outputs:?}");
    let stdout = &outputs[0].1;
    for case in [
        "tokens_in_a_diff",
        "echoed_in_a_message",
        "in_a_schema_violation",
        "client_secret_in_a_diff",
        "computed_in_a_message",
    ] {
        assert!(
            stdout.contains(&format!("---- secrets/{case} ----")),
            "{case} did not fail:\n{stdout}"
        );
    }
    assert!(stdout.contains("<secret:"), "nothing was masked:\n{stdout}");
    assert!(
        stdout.contains("totp=<secret:"),
        "the TOTP code was not masked:\n{stdout}"
    );
    for (name, text) in &outputs {
        assert_no_secret(name, text);
    }
}

/// Replies that carry tokens and a client secret, an error message that echoes the session and
/// new password, and an HTML error page.
async fn answer_with_secrets(server: &MockServer) {
    answer(
        server,
        "InitiateAuth",
        reply(
            200,
            json!({"AuthenticationResult": {"AccessToken": ACCESS_TOKEN, "IdToken": ID_TOKEN,
                   "RefreshToken": REFRESH_TOKEN, "TokenType": "Bearer", "ExpiresIn": 3600}}),
        ),
    )
    .await;
    answer(
        server,
        "RespondToAuthChallenge",
        reply(
            400,
            json!({"__type": "NotAuthorizedException",
                   "message": format!("Invalid session {SESSION} for password {NEW_PASSWORD}")}),
        ),
    )
    .await;
    answer(
        server,
        "CreateUserPoolClient",
        reply(
            200,
            json!({"UserPoolClient": {"ClientId": "abc", "ClientName": "app", "ClientSecret": CLIENT_SECRET}}),
        ),
    )
    .await;
    answer(
        server,
        "AdminSetUserPassword",
        ResponseTemplate::new(400)
            .set_body_string("<html>password rejected</html>")
            .insert_header("x-amzn-requestid", "r-2"),
    )
    .await;
}

/// Cases that fail so that every secret value lands in a diff or a message.
fn write_secret_cases(cases: &Path) {
    write_case(
        cases,
        "tokens_in_a_diff",
        json!({
            "description": "tokens from a reply show in a body diff",
            "steps": [{"operation": "InitiateAuth",
                       "request": {"ClientId": "abc", "AuthFlow": "USER_PASSWORD_AUTH",
                                   "AuthParameters": {"USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": SECRET_HASH}},
                       "expect": {"body": {"AuthenticationResult": {"AccessToken": "x", "IdToken": "y", "RefreshToken": "z"}}}}]
        }),
    );
    write_case(
        cases,
        "echoed_in_a_message",
        json!({
            "description": "a server echoes the session and new password in its message",
            "steps": [{"operation": "RespondToAuthChallenge",
                       "request": {"ClientId": "abc", "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": SESSION,
                                   "ChallengeResponses": {"USERNAME": "alice", "NEW_PASSWORD": NEW_PASSWORD}},
                       "expect": {"error": "NotAuthorizedException", "message": "Invalid session for this user"}}]
        }),
    );
    write_case(
        cases,
        "in_a_schema_violation",
        json!({
            "description": "a request that breaks the schema names the temporary password",
            "steps": [{"operation": "AdminCreateUser",
                       "request": {"UserPoolId": "us-east-1_AAAAAAAAA", "Username": "alice", "TemporaryPassword": TEMPORARY_PASSWORD}}]
        }),
    );
    write_case(
        cases,
        "client_secret_in_a_diff",
        json!({
            "description": "a client secret from a reply shows in a body diff",
            "steps": [{"operation": "CreateUserPoolClient",
                       "request": {"UserPoolId": "us-east-1_AAAAAAAAA", "ClientName": "app", "GenerateSecret": true},
                       "expect": {"body": {"UserPoolClient": {"ClientSecret": "other"}}}}]
        }),
    );
    write_case(
        cases,
        "builtin_password_in_a_body",
        json!({
            "description": "the built-in password reaches a failing step",
            "steps": [{"operation": "AdminSetUserPassword",
                       "request": {"UserPoolId": "us-east-1_AAAAAAAAA", "Username": "alice", "Password": "${password}"},
                       "expect": {"error": "InvalidPasswordException", "message": "${password}"}}]
        }),
    );

    write_case(
        cases,
        "computed_in_a_message",
        json!({
            "description": "values the template functions compute reach a message diff",
            "steps": [{"operation": "RespondToAuthChallenge",
                       "request": {"ClientId": "abc", "ChallengeName": "SOFTWARE_TOKEN_MFA", "Session": SESSION,
                                   "ChallengeResponses": {"USERNAME": "alice", "NEW_PASSWORD": NEW_PASSWORD,
                                                          "SOFTWARE_TOKEN_MFA_CODE": format!("${{totp('{TOTP_SECRET}')}}")}},
                       "expect": {"error": "NotAuthorizedException",
                                  "message": format!("hash=${{secret_hash('alice', 'abc', '{HASH_KEY}')}} totp=${{totp('{TOTP_SECRET}')}}")}}]
        }),
    );
}

/// Runs the cases against `endpoint` with known AWS credentials and every report written into
/// `reports`; returns the exit status and every output by name: stdout, stderr, each report.
fn run_with_every_report(
    endpoint: &str,
    cases: &Path,
    reports: &Path,
) -> (Option<i32>, Vec<(String, String)>) {
    std::fs::create_dir_all(reports).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .args(["run", "--endpoint", endpoint, "--cases"])
        .arg(cases)
        .arg("--junit")
        .arg(reports.join("junit.xml"))
        .arg("--json-report")
        .arg(reports.join("report.json"))
        .arg("--markdown")
        .arg(reports.join("summary.md"))
        .env("AWS_ACCESS_KEY_ID", "AKIATESTKNOWN0001")
        .env("AWS_SECRET_ACCESS_KEY", AWS_SECRET_KEY)
        .env("AWS_SESSION_TOKEN", AWS_SESSION_TOKEN)
        .env_remove("AWS_PROFILE")
        .output()
        .unwrap();
    let mut outputs = vec![
        (
            "stdout".to_owned(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        (
            "stderr".to_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
    ];
    for entry in std::fs::read_dir(reports).unwrap().flatten() {
        outputs.push((
            entry.path().display().to_string(),
            std::fs::read_to_string(entry.path()).unwrap(),
        ));
    }
    (output.status.code(), outputs)
}

/// No secret value, computed SECRET_HASH (or its key), TOTP code or built-in password in the
/// output `name`.
fn assert_no_secret(name: &str, text: &str) {
    let secrets = [
        PASSWORD,
        SECRET_HASH,
        ACCESS_TOKEN,
        ID_TOKEN,
        REFRESH_TOKEN,
        SESSION,
        NEW_PASSWORD,
        TEMPORARY_PASSWORD,
        CLIENT_SECRET,
        AWS_SECRET_KEY,
        AWS_SESSION_TOKEN,
        "KNOWN-ACCESS-TOKEN",
        "KNOWN-ID-TOKEN",
    ];
    let computed_hash =
        cognito_contract::service::cognito_auth::secret_hash::secret_hash("alice", "abc", HASH_KEY);
    let totp_code = Regex::new(r"totp=[0-9]{6}").unwrap();
    let builtin_password = Regex::new(r"Pw-[0-9a-f]{16}-aZ9!").unwrap();
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "{secret:?} appears in {name}:\n{text}"
        );
    }
    assert!(
        !text.contains(&computed_hash) && !text.contains(HASH_KEY),
        "a computed SECRET_HASH or its key appears in {name}:\n{text}"
    );
    assert!(
        !totp_code.is_match(text),
        "a computed TOTP code appears in {name}:\n{text}"
    );
    assert!(
        !builtin_password.is_match(text),
        "a built-in password appears in {name}:\n{text}"
    );
}
