//! Keeping secrets out of everything a run prints or writes. As a case runs, the values of
//! secret members in its requests and replies (passwords, tokens, sessions, secret hashes,
//! client secrets, MFA codes) are collected, together with the run's own secrets (the built-in
//! passwords, AWS secret key and session token). Before a case's records leave the runner, every
//! string in them is masked: a secret becomes `<secret:1a2b>`, where the four hex digits come
//! from a hash of the value, so two different secrets stay distinguishable in a diff.

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::Value;

/// Members whose values are secret wherever they appear in a request or reply.
pub const SECRET_MEMBERS: &[&str] = &[
    "Password",
    "PreviousPassword",
    "ProposedPassword",
    "TemporaryPassword",
    "AccessToken",
    "IdToken",
    "RefreshToken",
    "Token",
    "ActorToken",
    "SubjectToken",
    "IssuedToken",
    "FeedbackToken",
    "Session",
    "SecretHash",
    "ClientSecret",
    "ClientSecretValue",
    "SecretCode",
    "UserCode",
];

/// Members that are maps of parameters, some of them secret (`PASSWORD`, `SECRET_HASH`, ...).
const PARAMETER_MAPS: &[&str] = &["AuthParameters", "ChallengeResponses"];

/// Whether a key of `AuthParameters`/`ChallengeResponses` holds a secret.
pub fn secret_parameter(key: &str) -> bool {
    let key = key.to_ascii_uppercase();
    [
        "PASSWORD",
        "SECRET",
        "TOKEN",
        "SRP",
        "SIGNATURE",
        "CODE",
        "SESSION",
    ]
    .iter()
    .any(|word| key.contains(word))
}

/// Shorter strings are not treated as secrets: masking them would garble ordinary text.
const MIN_SECRET_LEN: usize = 6;

/// The secrets one case has seen.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    values: BTreeSet<String>,
}

impl Secrets {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one known secret value.
    pub fn add(&mut self, value: &str) {
        if value.len() >= MIN_SECRET_LEN {
            self.values.insert(value.to_owned());
        }
    }

    /// Collects the values of secret members anywhere in `value` (a request or reply body).
    pub fn collect(&mut self, value: &Value) {
        match value {
            Value::Object(map) => {
                for (key, item) in map {
                    if SECRET_MEMBERS.contains(&key.as_str()) {
                        self.collect_all_strings(item);
                    } else if PARAMETER_MAPS.contains(&key.as_str()) {
                        if let Value::Object(parameters) = item {
                            for (name, v) in parameters {
                                if secret_parameter(name) {
                                    self.collect_all_strings(v);
                                }
                            }
                        }
                    } else {
                        self.collect(item);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| self.collect(i)),
            _ => {}
        }
    }

    fn collect_all_strings(&mut self, value: &Value) {
        match value {
            Value::String(s) => self.add(s),
            Value::Array(items) => items.iter().for_each(|i| self.collect_all_strings(i)),
            Value::Object(map) => map.values().for_each(|i| self.collect_all_strings(i)),
            _ => {}
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `text` with every known secret replaced by its mask (longest secrets first, so a secret
    /// that contains another is masked whole).
    pub fn mask(&self, text: &str) -> String {
        if self.values.is_empty() {
            return text.to_owned();
        }
        let mut ordered: Vec<&String> = self.values.iter().collect();
        ordered.sort_by_key(|s| std::cmp::Reverse(s.len()));
        let mut out = text.to_owned();
        for secret in ordered {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), &mask_of(secret));
            }
            // Secrets also show up JSON-escaped inside diffs of JSON text.
            let escaped = serde_json::to_string(secret).unwrap_or_default();
            let escaped = escaped.trim_matches('"');
            if escaped != secret && out.contains(escaped) {
                out = out.replace(escaped, &mask_of(secret));
            }
        }
        out
    }

    /// `value` with every string masked.
    pub fn mask_value(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => Value::String(self.mask(s)),
            Value::Array(items) => Value::Array(items.iter().map(|i| self.mask_value(i)).collect()),
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.mask_value(v)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// The mask of one secret: `<secret:` and four hex digits of its hash, then `>`.
pub fn mask_of(secret: &str) -> String {
    let mut hasher = DefaultHasher::new();
    secret.hash(&mut hasher);
    format!("<secret:{:04x}>", hasher.finish() & 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_secret_members_and_parameters() {
        let mut secrets = Secrets::new();
        secrets.collect(&json!({
            "Username": "alice",
            "Password": "Pw-123456-aZ9!",
            "AuthParameters": {"USERNAME": "alice", "PASSWORD": "hunter2hunter2", "SECRET_HASH": "c2VjcmV0aGFzaA=="},
            "AuthenticationResult": {"AccessToken": "eyJ.access.token", "TokenType": "Bearer"},
            "Nested": [{"Session": "session-value-1"}]
        }));
        let text = "alice Pw-123456-aZ9! hunter2hunter2 c2VjcmV0aGFzaA== eyJ.access.token Bearer session-value-1";
        let masked = secrets.mask(text);
        assert!(masked.starts_with("alice <secret:"), "{masked}");
        assert!(masked.contains("Bearer"), "{masked}");
        for secret in [
            "Pw-123456-aZ9!",
            "hunter2hunter2",
            "c2VjcmV0aGFzaA==",
            "eyJ.access.token",
            "session-value-1",
        ] {
            assert!(!masked.contains(secret), "{secret} in {masked}");
        }
    }

    #[test]
    fn masks_tell_secrets_apart_and_cover_escaped_forms() {
        let mut secrets = Secrets::new();
        secrets.add("first-secret");
        secrets.add("second\"secret");
        assert_ne!(mask_of("first-secret"), mask_of("second\"secret"));
        let json_text = serde_json::to_string(&json!({"a": "second\"secret"})).unwrap();
        assert!(
            !secrets.mask(&json_text).contains("second"),
            "{}",
            secrets.mask(&json_text)
        );
        assert_eq!(
            secrets.mask_value(&json!({"k": ["x first-secret y"]})),
            json!({"k": [format!("x {} y", mask_of("first-secret"))]})
        );
    }

    #[test]
    fn short_values_are_not_secrets() {
        let mut secrets = Secrets::new();
        secrets.collect(&json!({"Password": "abc"}));
        assert!(secrets.is_empty());
    }
}
