//! An SRP sign-in written as a case goes through the harness end to end against a server that
//! really checks it: a wiremock server plays Cognito's side of USER_SRP_AUTH with the verifying
//! fake (`service::cognito_auth::fake_server`), so `${srp_a}`, `${srp_timestamp}` and
//! `${srp_signature(...)}` must agree for the right password to be accepted, and a case that
//! signs with a wrong password must get NotAuthorizedException. moto cannot show this: it does
//! not check SRP signatures.

use std::collections::HashMap;
use std::process::Command;
use std::sync::Mutex;

use cognito_contract::service::cognito_auth::fake_server::{FakeSrpSession, VerifierRecord};
use cognito_contract::service::cognito_auth::srp::ChallengeAnswer;
use serde_json::{Value, json};
use wiremock::matchers::header;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::replies::reply;

const POOL_ID: &str = "us-east-1_SrpFlow01";
const USER_ID_FOR_SRP: &str = "alice";
const PASSWORD: &str = "Known-Srp-Password-1!";

/// Cognito's side of USER_SRP_AUTH for one user, exchanges kept by their secret block.
struct SrpServer {
    record: VerifierRecord,
    exchanges: Mutex<HashMap<String, FakeSrpSession>>,
}

impl SrpServer {
    fn start(&self, body: &Value) -> ResponseTemplate {
        let srp_a = body["AuthParameters"]["SRP_A"].as_str().unwrap_or_default();
        let Ok(session) = FakeSrpSession::start(&self.record, srp_a) else {
            return reply(
                400,
                json!({"__type": "InvalidParameterException", "message": "bad SRP_A"}),
            );
        };
        let challenge = session.password_verifier_challenge();
        self.exchanges
            .lock()
            .unwrap()
            .insert(challenge.secret_block.clone(), session);
        reply(
            200,
            json!({"ChallengeName": "PASSWORD_VERIFIER",
                   "ChallengeParameters": challenge.to_parameters()}),
        )
    }

    fn answer(&self, body: &Value) -> ResponseTemplate {
        let responses = &body["ChallengeResponses"];
        let field = |name: &str| responses[name].as_str().unwrap_or_default().to_owned();
        let answer = ChallengeAnswer {
            username: field("USERNAME"),
            password_claim_secret_block: field("PASSWORD_CLAIM_SECRET_BLOCK"),
            timestamp: field("TIMESTAMP"),
            password_claim_signature: field("PASSWORD_CLAIM_SIGNATURE"),
            device_key: None,
        };
        let exchanges = self.exchanges.lock().unwrap();
        match exchanges.get(&answer.password_claim_secret_block) {
            Some(session) if session.verify(&answer).is_ok() => reply(
                200,
                json!({"ChallengeParameters": {},
                       "AuthenticationResult": {"AccessToken": "aaa.bbb.ccc", "IdToken": "ddd.eee.fff",
                                                "RefreshToken": "refresh-token-value", "TokenType": "Bearer",
                                                "ExpiresIn": 3600}}),
            ),
            _ => reply(
                400,
                json!({"__type": "NotAuthorizedException", "message": "Incorrect username or password."}),
            ),
        }
    }
}

impl Respond for SrpServer {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or_default();
        let target = request
            .headers
            .get("x-amz-target")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        match target.rsplit('.').next() {
            Some("InitiateAuth") => self.start(&body),
            Some("RespondToAuthChallenge") => self.answer(&body),
            _ => reply(400, json!({"__type": "InvalidParameterException"})),
        }
    }
}

fn srp_case(description: &str, password: &str, expect: Value) -> Value {
    json!({
        "description": description,
        "steps": [
            {"operation": "InitiateAuth",
             "request": {"ClientId": "srpclient", "AuthFlow": "USER_SRP_AUTH",
                         "AuthParameters": {"USERNAME": "alice", "SRP_A": "${srp_a}"}},
             "expect": {"body": {"ChallengeName": "PASSWORD_VERIFIER"}},
             "capture": {"challenge": "$.ChallengeParameters",
                         "srp_user": "$.ChallengeParameters.USER_ID_FOR_SRP",
                         "secret_block": "$.ChallengeParameters.SECRET_BLOCK"}},
            {"operation": "RespondToAuthChallenge",
             "request": {"ClientId": "srpclient", "ChallengeName": "PASSWORD_VERIFIER",
                         "ChallengeResponses": {
                             "USERNAME": "${srp_user}",
                             "PASSWORD_CLAIM_SECRET_BLOCK": "${secret_block}",
                             "TIMESTAMP": "${srp_timestamp}",
                             "PASSWORD_CLAIM_SIGNATURE": format!("${{srp_signature(challenge, '{password}', '{POOL_ID}')}}")}},
             "expect": expect}
        ]
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn srp_cases_are_accepted_with_the_right_password_and_refused_with_a_wrong_one() {
    let server = MockServer::start().await;
    Mock::given(header("content-type", "application/x-amz-json-1.1"))
        .respond_with(SrpServer {
            record: VerifierRecord::user(POOL_ID, USER_ID_FOR_SRP, PASSWORD).unwrap(),
            exchanges: Mutex::new(HashMap::new()),
        })
        .mount(&server)
        .await;

    let dir = tempfile::tempdir().unwrap();
    let cases = dir.path().join("cases");
    std::fs::create_dir_all(cases.join("srp")).unwrap();
    for (name, case) in [
        (
            "right_password",
            srp_case(
                "the signature of the right password gets tokens",
                PASSWORD,
                json!({"body": {"AuthenticationResult": {"AccessToken": {"$type": "string"}}}}),
            ),
        ),
        (
            "wrong_password",
            srp_case(
                "the signature of a wrong password is refused",
                "Wrong-Srp-Password-2!",
                json!({"error": "NotAuthorizedException"}),
            ),
        ),
        (
            "wrong_password_expected_to_pass",
            srp_case(
                "a wrong password expected to get tokens shows the refusal",
                "Wrong-Srp-Password-3!",
                json!({"body": {"AuthenticationResult": {"AccessToken": {"$type": "string"}}}}),
            ),
        ),
    ] {
        std::fs::write(
            cases.join("srp").join(format!("{name}.json")),
            serde_json::to_string_pretty(&case).unwrap(),
        )
        .unwrap();
    }

    let endpoint = server.uri();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
            .args(["run", "--endpoint", &endpoint, "--cases"])
            .arg(&cases)
            .env_remove("AWS_PROFILE")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains("srp/right_password") && stdout.contains("... ok"),
        "{stdout}\n{stderr}"
    );
    let verdict = |name: &str| {
        stdout
            .lines()
            .find(|l| l.contains(&format!("srp/{name} ")))
            .map(|l| l.trim_end().ends_with("ok"))
            .unwrap_or_else(|| panic!("no line for {name}:\n{stdout}"))
    };
    assert!(verdict("right_password"), "{stdout}\n{stderr}");
    assert!(verdict("wrong_password"), "{stdout}\n{stderr}");
    assert!(!verdict("wrong_password_expected_to_pass"), "{stdout}");
    assert!(
        stdout
            .contains("expected no error (a success), found error code \"NotAuthorizedException\""),
        "{stdout}"
    );
    assert!(!stdout.contains(PASSWORD) && !stdout.contains("Wrong-Srp-Password-3!"));
    assert_eq!(output.status.code(), Some(101), "{stdout}\n{stderr}");
}
