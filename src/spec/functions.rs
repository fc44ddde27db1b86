//! What a real client computes while it signs in, callable from case templates: `${fn(a, 'b')}`
//! (see [`crate::spec::template`] for the syntax). The arithmetic is
//! [`crate::service::cognito_auth`]'s; this module keeps the per-case state a sign-in needs (the
//! SRP private value of the exchange in progress, the device passwords of devices the case
//! remembered), fixes one clock reading per rendered step (so `TIMESTAMP` and the signature
//! agree), and adds every value it computes that is secret to the case's [`Secrets`], so that it
//! is masked in every failure, diff and report. The SRP private values themselves stay inside
//! [`SrpClient`], which has no accessor for them: they are never rendered, so there is nothing
//! of them to mask.
//!
//! | call | value |
//! |---|---|
//! | `${srp_a}` | `SRP_A` of a fresh SRP private value, kept for the next `srp_signature` |
//! | `${srp_timestamp}` | Cognito's `TIMESTAMP` for this step (`Tue Nov 3 05:07:09 UTC 2026`) |
//! | `${srp_signature(challenge, password, pool_id)}` | `PASSWORD_CLAIM_SIGNATURE` for a `PASSWORD_VERIFIER` challenge |
//! | `${secret_hash(username, client_id, client_secret)}` | `SECRET_HASH` / `SecretHash` |
//! | `${totp(secret)}` | the TOTP code of a `SecretCode` (the next step's when this one ends within 5 s) |
//! | `${totp_next(secret)}` | the code of the following 30-second step |
//! | `${totp_last(secret)}` | the code `totp` or `totp_next` last gave for that secret in the case (to send a used code again) |
//! | `${device_verifier(new_device_metadata)}` | the `DeviceSecretVerifierConfig` object for ConfirmDevice |
//! | `${device_srp_a}` | `SRP_A` of a fresh SRP private value for `DEVICE_SRP_AUTH` |
//! | `${device_signature(challenge, device_key)}` | `PASSWORD_CLAIM_SIGNATURE` for `DEVICE_PASSWORD_VERIFIER` |
//! | `${jwt_claim(token, name)}` | one claim of a captured JWT, with its JSON type (decoded, not verified: that is the `$jwt` matcher's job) |
//!
//! `challenge` is a captured `$.ChallengeParameters` object, `new_device_metadata` a captured
//! `$.AuthenticationResult.NewDeviceMetadata` object; other arguments are strings.

use std::collections::{BTreeMap, HashMap};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::service::cognito_auth::device::{
    DevicePasswordVerifierChallenge, RememberedDevice, device_password_verifier_at,
    new_device_secret,
};
use crate::service::cognito_auth::secret_hash::secret_hash;
use crate::service::cognito_auth::srp::{PasswordVerifierChallenge, SrpClient, cognito_timestamp};
use crate::service::cognito_auth::totp;
use crate::service::jwt;
use crate::support::secrets::Secrets;

/// A function case templates can call.
#[derive(Debug, Clone, Copy)]
pub struct Function {
    pub name: &'static str,
    /// The names of its arguments, as the README documents them.
    pub params: &'static [&'static str],
}

/// Every function, by name.
pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "secret_hash",
        params: &["username", "client_id", "client_secret"],
    },
    Function {
        name: "totp",
        params: &["secret"],
    },
    Function {
        name: "totp_next",
        params: &["secret"],
    },
    Function {
        name: "totp_last",
        params: &["secret"],
    },
    Function {
        name: "srp_signature",
        params: &["challenge", "password", "pool_id"],
    },
    Function {
        name: "device_verifier",
        params: &["new_device_metadata"],
    },
    Function {
        name: "device_signature",
        params: &["challenge", "device_key"],
    },
    Function {
        name: "jwt_claim",
        params: &["token", "name"],
    },
];

/// Built-in variables whose value is computed when a step is rendered (not captured).
pub const COMPUTED_VARIABLES: &[&str] = &["srp_a", "device_srp_a", "srp_timestamp"];

/// The function called `name`.
pub fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// What a case keeps between steps for the functions: the SRP exchanges in progress and the
/// devices it remembered. Secret values in it never leave it except through the requests the
/// functions render.
#[derive(Debug, Default)]
pub struct AuthState {
    srp: Option<SrpClient>,
    device_srp: Option<SrpClient>,
    devices: BTreeMap<String, RememberedDevice>,
    /// The TOTP code last computed for each secret.
    totp_codes: BTreeMap<String, String>,
}

/// The functions as one step sees them: the case's [`AuthState`] and [`Secrets`], and the
/// step's one clock reading. A `${srp_a}` (or `${device_srp_a}`) starts a new exchange once per
/// step: a second use in the same step gives the same value.
pub struct Calls<'s> {
    state: &'s mut AuthState,
    secrets: &'s mut Secrets,
    now: SystemTime,
    fresh_srp: bool,
    fresh_device_srp: bool,
}

impl<'s> Calls<'s> {
    pub fn new(state: &'s mut AuthState, secrets: &'s mut Secrets, now: SystemTime) -> Self {
        Calls {
            state,
            secrets,
            now,
            fresh_srp: false,
            fresh_device_srp: false,
        }
    }

    /// The value of a computed built-in variable, or `None` if `name` is not one.
    pub fn variable(&mut self, name: &str) -> Option<Result<Value, String>> {
        Some(match name {
            "srp_a" => self.fresh_client(false).map(Value::String),
            "device_srp_a" => self.fresh_client(true).map(Value::String),
            "srp_timestamp" => cognito_timestamp(self.now)
                .map(Value::String)
                .map_err(|e| e.to_string()),
            _ => return None,
        })
    }

    fn fresh_client(&mut self, device: bool) -> Result<String, String> {
        let (slot, fresh) = if device {
            (&mut self.state.device_srp, &mut self.fresh_device_srp)
        } else {
            (&mut self.state.srp, &mut self.fresh_srp)
        };
        if !*fresh || slot.is_none() {
            *slot = Some(SrpClient::new().map_err(|e| e.to_string())?);
            *fresh = true;
        }
        Ok(slot.as_ref().map(SrpClient::srp_a).unwrap_or_default())
    }

    /// Calls `name` with `args` (already rendered). The arity was checked when the case loaded.
    /// Every string a function returns is a secret (codes, hashes, signatures), except the
    /// verifier config and JWT claims, which are sent or shown as they are; arguments that are
    /// secrets (client secret, TOTP secret, password) are added too.
    pub fn call(&mut self, name: &str, args: &[Value]) -> Result<Value, String> {
        let value = match (name, args) {
            ("secret_hash", [user, client, secret]) => {
                let secret = text(secret, "client_secret")?;
                self.secrets.add(secret);
                secret_hash(text(user, "username")?, text(client, "client_id")?, secret)
            }
            ("totp", [secret]) => self.totp(secret, false)?,
            ("totp_next", [secret]) => self.totp(secret, true)?,
            ("totp_last", [secret]) => {
                let secret = text(secret, "secret")?;
                self.secrets.add(secret);
                self.state.totp_codes.get(secret).cloned().ok_or(
                    "totp_last gives a code an earlier ${totp(...)} or ${totp_next(...)} computed \
                     for this secret, and none did",
                )?
            }
            ("srp_signature", [challenge, password, pool]) => self.srp_signature(
                challenge,
                text(password, "password")?,
                text(pool, "pool_id")?,
            )?,
            ("device_verifier", [metadata]) => return self.device_verifier(metadata),
            ("jwt_claim", [token, claim]) => {
                return jwt_claim(text(token, "token")?, text(claim, "name")?);
            }
            ("device_signature", [challenge, key]) => {
                self.device_signature(challenge, text(key, "device_key")?)?
            }
            _ => {
                return Err(format!("no function {name} with {} arguments", args.len()));
            }
        };
        self.secrets.add(&value);
        Ok(Value::String(value))
    }

    fn totp(&mut self, secret: &Value, next: bool) -> Result<String, String> {
        let secret = text(secret, "secret")?;
        self.secrets.add(secret);
        let now = self
            .now
            .duration_since(UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_secs();
        let code = if next {
            totp::next_code_at(secret, now)
        } else {
            totp::safe_code_at(secret, now, totp::DEFAULT_MIN_REMAINING_SECONDS)
        };
        let code = code.map_err(|e| format!("secret: {e}"))?;
        self.state
            .totp_codes
            .insert(secret.to_owned(), code.clone());
        Ok(code)
    }

    fn srp_signature(
        &mut self,
        challenge: &Value,
        password: &str,
        pool_id: &str,
    ) -> Result<String, String> {
        self.secrets.add(password);
        let params = parameters(challenge)?;
        let challenge =
            PasswordVerifierChallenge::from_parameters(&params).map_err(|e| e.to_string())?;
        let client = self
            .state
            .srp
            .as_ref()
            .ok_or("srp_signature answers the SRP_A of a ${srp_a} sent in an earlier step, and no step sent one")?;
        client
            .password_verifier_at(pool_id, password, &challenge, self.now)
            .map(|answer| answer.password_claim_signature)
            .map_err(|e| e.to_string())
    }

    fn device_verifier(&mut self, metadata: &Value) -> Result<Value, String> {
        let member = |name: &str| {
            metadata
                .get(name)
                .and_then(Value::as_str)
                .ok_or(format!("new_device_metadata has no string {name}"))
        };
        let (group, key) = (member("DeviceGroupKey")?, member("DeviceKey")?);
        let secret = new_device_secret(group, key).map_err(|e| e.to_string())?;
        self.secrets.add(&secret.device.device_password);
        self.state.devices.insert(key.to_owned(), secret.device);
        Ok(json!({
            "PasswordVerifier": secret.config.password_verifier,
            "Salt": secret.config.salt,
        }))
    }

    fn device_signature(&mut self, challenge: &Value, device_key: &str) -> Result<String, String> {
        let params = parameters(challenge)?;
        let param = |name: &'static str| {
            params
                .get(name)
                .cloned()
                .ok_or(format!("challenge has no {name}"))
        };
        let challenge = DevicePasswordVerifierChallenge {
            srp_b: param("SRP_B")?,
            salt: param("SALT")?,
            secret_block: param("SECRET_BLOCK")?,
            username: params.get("USERNAME").cloned().unwrap_or_default(),
        };
        let device = self.state.devices.get(device_key).ok_or(
            "device_signature needs a device_verifier made in this case for that device key",
        )?;
        let client = self
            .state
            .device_srp
            .as_ref()
            .ok_or("device_signature answers the SRP_A of a ${device_srp_a} sent in an earlier step, and no step sent one")?;
        device_password_verifier_at(client, device, &challenge, self.now)
            .map(|answer| answer.password_claim_signature)
            .map_err(|e| e.to_string())
    }
}

/// One claim of a JWT (not a secret: the claims are what the `$jwt` matcher shows too).
fn jwt_claim(token: &str, name: &str) -> Result<Value, String> {
    let decoded = jwt::decode(token)?;
    decoded
        .claims
        .get(name)
        .cloned()
        .ok_or_else(|| format!("the token has no claim {name}"))
}

/// A string argument.
fn text<'v>(value: &'v Value, param: &str) -> Result<&'v str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("{param} must be a string, found {}", kind(value)))
}

/// A `ChallengeParameters` object as a map of strings.
fn parameters(value: &Value) -> Result<HashMap<String, String>, String> {
    let Value::Object(map) = value else {
        return Err(format!(
            "challenge must be a captured ChallengeParameters object, found {}",
            kind(value)
        ));
    };
    Ok(map
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
        .collect())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::cognito_auth::device::DeviceSecretVerifierConfig;
    use crate::service::cognito_auth::fake_server::{FakeSrpSession, VerifierRecord};
    use crate::service::cognito_auth::srp::tests::vector_time;

    const POOL: &str = "us-east-1_AbCdEf123";
    const USER: &str = "9f1e2d3c-0000-4000-8000-123456789abc";

    /// One user SRP sign-in through the functions, answered by the verifying fake server.
    fn sign_in(password: &str) -> Result<(), String> {
        let mut state = AuthState::default();
        let mut secrets = Secrets::new();
        let record = VerifierRecord::user(POOL, USER, "Right-Password-1").unwrap();
        let srp_a = Calls::new(&mut state, &mut secrets, SystemTime::now())
            .variable("srp_a")
            .unwrap()?;
        let server = FakeSrpSession::start(&record, srp_a.as_str().unwrap()).unwrap();
        let challenge =
            serde_json::to_value(server.password_verifier_challenge().to_parameters()).unwrap();
        let mut calls = Calls::new(&mut state, &mut secrets, SystemTime::now());
        let timestamp = calls.variable("srp_timestamp").unwrap()?;
        let signature = calls.call(
            "srp_signature",
            &[challenge.clone(), json!(password), json!(POOL)],
        )?;
        let answer = crate::service::cognito_auth::srp::ChallengeAnswer {
            username: USER.to_owned(),
            password_claim_secret_block: challenge["SECRET_BLOCK"].as_str().unwrap().to_owned(),
            timestamp: timestamp.as_str().unwrap().to_owned(),
            password_claim_signature: signature.as_str().unwrap().to_owned(),
            device_key: None,
        };
        server.verify(&answer).map_err(|e| e.to_string())
    }

    #[test]
    fn srp_signature_of_the_right_password_is_accepted() {
        assert_eq!(sign_in("Right-Password-1"), Ok(()));
    }

    #[test]
    fn srp_signature_of_a_wrong_password_is_rejected() {
        let err = sign_in("Wrong-Password-1").unwrap_err();
        assert!(err.contains("does not verify"), "{err}");
    }

    #[test]
    fn device_flow_through_the_functions() {
        let mut state = AuthState::default();
        let mut secrets = Secrets::new();
        let (group, key) = (
            "-AbCdEfGh",
            "us-east-1_11111111-2222-3333-4444-555555555555",
        );
        let mut calls = Calls::new(&mut state, &mut secrets, SystemTime::now());
        let config = calls
            .call(
                "device_verifier",
                &[json!({"DeviceGroupKey": group, "DeviceKey": key})],
            )
            .unwrap();
        let record = VerifierRecord::device(
            group,
            key,
            &DeviceSecretVerifierConfig {
                password_verifier: config["PasswordVerifier"].as_str().unwrap().to_owned(),
                salt: config["Salt"].as_str().unwrap().to_owned(),
            },
        )
        .unwrap();
        let srp_a = calls.variable("device_srp_a").unwrap().unwrap();
        // The same step sees the same SRP_A; a later step starts a new exchange.
        assert_eq!(calls.variable("device_srp_a").unwrap().unwrap(), srp_a);
        let server = FakeSrpSession::start(&record, srp_a.as_str().unwrap()).unwrap();
        let challenge = server.device_password_verifier_challenge(USER);
        let params = json!({"SRP_B": challenge.srp_b, "SALT": challenge.salt,
            "SECRET_BLOCK": challenge.secret_block, "USERNAME": USER, "DEVICE_KEY": key});
        let mut calls = Calls::new(&mut state, &mut secrets, vector_time());
        let signature = calls
            .call("device_signature", &[params, json!(key)])
            .unwrap();
        let answer = crate::service::cognito_auth::srp::ChallengeAnswer {
            username: USER.to_owned(),
            password_claim_secret_block: challenge.secret_block.clone(),
            timestamp: cognito_timestamp(vector_time()).unwrap(),
            password_claim_signature: signature.as_str().unwrap().to_owned(),
            device_key: Some(key.to_owned()),
        };
        assert_eq!(server.verify(&answer), Ok(()));
        let device_password = &state.devices[key].device_password;
        assert!(!secrets.mask(device_password).contains(device_password));
    }

    #[test]
    fn totp_last_repeats_the_code_last_computed_for_the_secret_in_the_case() {
        const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
        let mut state = AuthState::default();
        let mut secrets = Secrets::new();
        let err = Calls::new(&mut state, &mut secrets, vector_time())
            .call("totp_last", &[json!(SECRET)])
            .unwrap_err();
        assert!(err.contains("none did"), "{err}");
        let code = Calls::new(&mut state, &mut secrets, vector_time())
            .call("totp", &[json!(SECRET)])
            .unwrap();
        // A later step, a minute on: totp gives another code, totp_last the used one.
        let later = vector_time() + std::time::Duration::from_secs(60);
        let mut calls = Calls::new(&mut state, &mut secrets, later);
        assert_eq!(calls.call("totp_last", &[json!(SECRET)]).unwrap(), code);
        let fresh = calls.call("totp", &[json!(SECRET)]).unwrap();
        assert_ne!(fresh, code);
        assert_eq!(calls.call("totp_last", &[json!(SECRET)]).unwrap(), fresh);
    }

    #[test]
    fn computed_values_are_secrets_and_errors_say_why() {
        let mut state = AuthState::default();
        let mut secrets = Secrets::new();
        let mut calls = Calls::new(&mut state, &mut secrets, vector_time());
        let hash = calls
            .call(
                "secret_hash",
                &[json!("alice"), json!("client"), json!("s3cret-value")],
            )
            .unwrap();
        let code = calls
            .call("totp", &[json!("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")])
            .unwrap();
        let next = calls
            .call("totp_next", &[json!("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")])
            .unwrap();
        assert_ne!(code, next);
        let err = calls.call("totp", &[json!("asdfasdfasdf")]).unwrap_err();
        assert!(err.contains("base32"), "{err}");
        let err = calls
            .call("srp_signature", &[json!({}), json!("pw"), json!(POOL)])
            .unwrap_err();
        assert!(err.contains("SRP_B"), "{err}");
        let err = calls
            .call("srp_signature", &[json!("x"), json!("pw"), json!(POOL)])
            .unwrap_err();
        assert!(err.contains("ChallengeParameters"), "{err}");
        let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmMiLCJpYXQiOjV9.x";
        assert_eq!(
            calls.call("jwt_claim", &[json!(token), json!("iat")]),
            Ok(json!(5))
        );
        let err = calls
            .call("jwt_claim", &[json!(token), json!("jti")])
            .unwrap_err();
        assert!(err.contains("no claim jti"), "{err}");
        for secret in [&hash, &code, &next, &json!("s3cret-value")] {
            let secret = secret.as_str().unwrap();
            assert!(!secrets.mask(secret).contains(secret), "{secret}");
        }
    }
}
