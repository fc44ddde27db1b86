//! Normalising one case's requests and replies, so that two runs of the same case against the
//! same behaviour give the same text: values that differ from run to run become placeholders,
//! numbered per kind in the order they first appear in the case, so that the same value maps to
//! the same placeholder throughout the case (`<pool:1>` in a reply and in the next request).
//!
//! - the run's built-ins: `<prefix>`, `<case_id>`, `<password>`, `<password2>`;
//! - pool ids (`<pool:N>`, also inside ARNs and issuer URLs), account ids in ARNs
//!   (`<account:N>`), app client ids (`ClientId`, the `client_id` and `aud` claims: `<client:N>`),
//!   UUIDs anywhere (`<sub:N>` for a `sub`, else `<id:N>`: token ids, event ids, device keys),
//!   request ids (`<request_id:N>`), a domain's `CloudFrontDomain` (`<domain:N>`), pagination
//!   tokens (`<page_token:N>`);
//! - timestamps (members named `...Date`, the claims `iat`, `auth_time` and `exp`): `<time:N>`,
//!   and a token's `exp` relative to its `iat`, `<time:N>+3600`;
//! - secrets (the members [`SECRET_MEMBERS`] names, the secret entries of `AuthParameters`,
//!   `ChallengeResponses` and `ChallengeParameters`): `<secret:N:SHAPE>` with the secret's
//!   [`shape`] (`<uuid_secret:N>` for a secret in the form of a UUID); a JWT among them is kept
//!   decoded, signature dropped, as `{"$jwt": {"header": ..., "claims": ...}}` with its claims
//!   normalised;
//! - the order of lists whose order the API does not promise ([`UNORDERED`]): sorted; and the
//!   members of every object: sorted by name (and normalised in that order, so that placeholders
//!   are numbered the same whatever order a target sends members or such lists in).
//!
//! [`Normaliser`] is pure: it holds only the case's placeholder table.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use regex::Regex;
use serde_json::{Map, Value};

use crate::support::secrets::{SECRET_MEMBERS, secret_parameter};

/// Members holding lists whose order the API reference does not promise: sorted (by their
/// normalised JSON text) when normalised.
pub const UNORDERED: &[&str] = &[
    "Attributes",
    "UserAttributes",
    "Users",
    "Groups",
    "UserPools",
    "UserPoolClients",
    "MFAOptions",
    "UserMFASettingList",
    "ExplicitAuthFlows",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "SupportedIdentityProviders",
    "ReadAttributes",
    "WriteAttributes",
    "AutoVerifiedAttributes",
    "AliasAttributes",
    "UsernameAttributes",
    "SchemaAttributes",
    "Providers",
    "ResourceServers",
    "Devices",
    "AttributesToGet",
];

/// Maps of parameters, some of them secret.
const PARAMETER_MAPS: &[&str] = &[
    "AuthParameters",
    "ChallengeResponses",
    "ChallengeParameters",
];

static POOL_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+\b").expect("regex"));
static UUID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
        .expect("regex")
});
static ACCOUNT_IN_ARN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):").expect("regex"));

/// The shortest value taken as a secret or client id: shorter ones would garble ordinary text.
const MIN_LEN: usize = 6;

/// What a member's name says about its value.
#[derive(Clone, Copy, PartialEq)]
enum Hint {
    Plain,
    Secret,
    Client,
    Sub,
    Time,
    RequestId,
    /// Random per resource: a domain's CloudFront name.
    Domain,
    /// A pagination token (it may encode anything).
    PageToken,
    /// The members of `AuthParameters` and the like: secret or not by their names.
    Parameters,
}

fn hint_of(key: &str, siblings: &Map<String, Value>, parent: Hint) -> Hint {
    if parent == Hint::Parameters {
        // SRP's salt is random per sign-in (`SRP_B` and `SECRET_BLOCK` are secret already).
        return if secret_parameter(key) || key == "SALT" {
            Hint::Secret
        } else {
            Hint::Plain
        };
    }
    match key {
        _ if SECRET_MEMBERS.contains(&key) => Hint::Secret,
        _ if PARAMETER_MAPS.contains(&key) => Hint::Parameters,
        "ClientId" | "client_id" | "aud" => Hint::Client,
        "CloudFrontDomain" => Hint::Domain,
        "NextToken" | "PaginationToken" | "nextToken" => Hint::PageToken,
        "sub" => Hint::Sub,
        "Value" if siblings.get("Name").and_then(Value::as_str) == Some("sub") => Hint::Sub,
        "iat" | "auth_time" | "exp" => Hint::Time,
        _ if key.ends_with("Date") => Hint::Time,
        _ => Hint::Plain,
    }
}

/// One case's placeholder table.
#[derive(Debug, Clone, Default)]
pub struct Normaliser {
    /// Concrete text and its placeholder, in the order first seen.
    known: Vec<(String, String)>,
    /// Timestamps (as JSON number text) and their placeholders.
    times: Vec<(String, String)>,
    counters: BTreeMap<&'static str, usize>,
}

impl Normaliser {
    /// A table that knows the run's built-ins: each `(name, value)` becomes `<name>`.
    pub fn new(builtins: &[(&str, &str)]) -> Normaliser {
        let mut normaliser = Normaliser::default();
        for (name, value) in builtins {
            if !value.is_empty() {
                normaliser
                    .known
                    .push(((*value).to_owned(), format!("<{name}>")));
            }
        }
        normaliser
    }

    /// `value` (a request or reply body) normalised.
    pub fn value(&mut self, value: &Value) -> Value {
        self.walk(value, Hint::Plain)
    }

    /// A request id (a header's value) normalised.
    pub fn request_id(&mut self, id: &str) -> String {
        self.text(id, Hint::RequestId)
    }

    /// A string normalised: known values and newly found ids replaced by placeholders.
    pub fn string(&mut self, text: &str) -> String {
        self.text(text, Hint::Plain)
    }

    fn placeholder(&mut self, value: &str, kind: &'static str) -> String {
        if let Some((_, p)) = self.known.iter().find(|(v, _)| v == value) {
            return p.clone();
        }
        let n = self.counters.entry(kind).or_default();
        *n += 1;
        let placeholder = match kind {
            "secret" => format!("<{kind}:{n}:{}>", shape(value)),
            _ => format!("<{kind}:{n}>"),
        };
        self.known.push((value.to_owned(), placeholder.clone()));
        placeholder
    }

    fn walk(&mut self, value: &Value, hint: Hint) -> Value {
        match value {
            Value::Object(map) => {
                // In name order, so that placeholders are numbered alike whatever order the
                // target writes members in.
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort();
                let mut out = BTreeMap::new();
                for (key, item) in keys.into_iter().map(|k| (k, &map[k])) {
                    let hint = hint_of(key, map, hint);
                    let item = match item {
                        Value::Array(items) if UNORDERED.contains(&key.as_str()) => {
                            self.unordered(items, hint)
                        }
                        _ => self.walk(item, hint),
                    };
                    out.insert(key.clone(), item);
                }
                Value::Object(out.into_iter().collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(|i| self.walk(i, hint)).collect()),
            Value::String(s) if hint == Hint::Secret || s.starts_with("eyJ") => match self.jwt(s) {
                Some(decoded) => decoded,
                None => Value::String(self.text(s, hint)),
            },
            Value::String(s) => Value::String(self.text(s, hint)),
            Value::Number(n) if hint == Hint::Time => Value::String(self.time(n)),
            other => other.clone(),
        }
    }

    /// A list whose order does not count, in an order that does not depend on the one it came
    /// in: sorted by each item's text as normalised from the table so far (the ids an item
    /// brings get the same numbers whichever place it has), then normalised in that order.
    fn unordered(&mut self, items: &[Value], hint: Hint) -> Value {
        let mut keyed: Vec<(String, &Value)> = items
            .iter()
            .map(|item| (self.clone().walk(item, hint).to_string(), item))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        Value::Array(
            keyed
                .into_iter()
                .map(|(_, item)| self.walk(item, hint))
                .collect(),
        )
    }

    fn time(&mut self, number: &serde_json::Number) -> String {
        let text = number.to_string();
        if let Some((_, p)) = self.times.iter().find(|(v, _)| *v == text) {
            return p.clone();
        }
        let n = self.counters.entry("time").or_default();
        *n += 1;
        let placeholder = format!("<time:{n}>");
        self.times.push((text, placeholder.clone()));
        placeholder
    }

    fn text(&mut self, text: &str, hint: Hint) -> String {
        let whole = match hint {
            // A UUID secret stays recognisable as one: its format is part of the contract.
            Hint::Secret if UUID.is_match(text) && text.len() == 36 => Some("uuid_secret"),
            Hint::Secret => Some("secret"),
            Hint::Client => Some("client"),
            Hint::RequestId => Some("request_id"),
            Hint::Domain => Some("domain"),
            Hint::PageToken => Some("page_token"),
            Hint::Sub if UUID.is_match(text) => Some("sub"),
            _ => None,
        };
        if let Some(kind) = whole
            && text.len() >= MIN_LEN
        {
            return self.placeholder(text, kind);
        }
        let found: Vec<(String, &'static str)> = POOL_ID
            .find_iter(text)
            .map(|m| (m.as_str().to_owned(), "pool"))
            .chain(UUID.find_iter(text).map(|m| (m.as_str().to_owned(), "id")))
            .chain(
                ACCOUNT_IN_ARN
                    .captures_iter(text)
                    .filter_map(|c| c.get(1))
                    .map(|m| (m.as_str().to_owned(), "account")),
            )
            .collect();
        for (value, kind) in found {
            self.placeholder(&value, kind);
        }
        let mut ordered: Vec<&(String, String)> = self.known.iter().collect();
        ordered.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        let mut out = text.to_owned();
        for (value, placeholder) in ordered {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), placeholder);
            }
        }
        out
    }

    /// A JWT decoded and normalised (`None` when `token` is not one): its signature dropped,
    /// `kid` a placeholder, `exp` relative to `iat`.
    fn jwt(&mut self, token: &str) -> Option<Value> {
        let [header, claims] = decode_jwt(token)?;
        // The raw `kid`: walking the header first could already have replaced a known key id by
        // its placeholder, which would then be numbered as a key id of its own.
        let kid = header.get("kid").and_then(Value::as_str).map(str::to_owned);
        let mut header = self.walk(&header, Hint::Plain);
        if let Some(kid) = kid {
            header["kid"] = Value::String(self.placeholder(&kid, "kid"));
        }
        let lifetime = match (claims.get("iat"), claims.get("exp")) {
            (Some(Value::Number(iat)), Some(Value::Number(exp))) => {
                exp.as_i64().zip(iat.as_i64()).map(|(e, i)| e - i)
            }
            _ => None,
        };
        let mut claims = claims;
        if lifetime.is_some() {
            // Written relative to `iat` below: not a timestamp of its own.
            claims["exp"] = Value::Null;
        }
        let mut claims = self.walk(&claims, Hint::Plain);
        if let (Some(lifetime), Some(iat)) = (lifetime, claims.get("iat").cloned()) {
            let iat = iat.as_str().unwrap_or_default();
            claims["exp"] = Value::String(format!("{iat}+{lifetime}"));
        }
        Some(serde_json::json!({"$jwt": {"header": header, "claims": claims}}))
    }
}

/// What a secret looks like without what it says: its length and the kinds of characters in
/// it (`a` lower case, `A` upper case, `9` digits, `_` anything else), e.g. `12a` for moto's
/// fixed `asdfasdfasdf`. A replay makes up a secret of the same shape, so that a check that
/// depends on the format (the schema's pattern and length) comes out the same.
pub fn shape(secret: &str) -> String {
    let has = |f: fn(&char) -> bool| secret.chars().any(|c| f(&c));
    let classes = [
        ('a', has(char::is_ascii_lowercase)),
        ('A', has(char::is_ascii_uppercase)),
        ('9', has(char::is_ascii_digit)),
        ('_', has(|c| !c.is_ascii_alphanumeric())),
    ];
    let kinds: String = classes
        .iter()
        .filter(|(_, h)| *h)
        .map(|(c, _)| *c)
        .collect();
    format!("{}{kinds}", secret.chars().count())
}

/// The header and claims of a compact JWS, both JSON objects; `None` for anything else.
pub fn decode_jwt(token: &str) -> Option<[Value; 2]> {
    let mut parts = token.split('.');
    let (header, claims, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let decode = |part: &str| -> Option<Value> {
        let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .filter(Value::is_object)
    };
    Some([decode(header)?, decode(claims)?])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn token(header: &Value, claims: &Value) -> String {
        let part = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
        format!("{}.{}.c2lnbmF0dXJl", part(header), part(claims))
    }

    #[test]
    fn ids_become_placeholders_that_stay_the_same_within_a_case() {
        let mut n = Normaliser::new(&[("prefix", "cct-1a2b3c-"), ("case_id", "0badcafe")]);
        let reply = json!({"UserPool": {
            "Id": "us-east-1_AbC123xyz",
            "Name": "cct-1a2b3c-0badcafe",
            "Arn": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123xyz",
            "CreationDate": 1764500000.25, "LastModifiedDate": 1764500000.25}});
        assert_eq!(
            n.value(&reply),
            json!({"UserPool": {
                "Arn": "arn:aws:cognito-idp:us-east-1:<account:1>:userpool/<pool:1>",
                "CreationDate": "<time:1>", "Id": "<pool:1>", "LastModifiedDate": "<time:1>",
                "Name": "<prefix><case_id>"}})
        );
        let request =
            json!({"UserPoolId": "us-east-1_AbC123xyz", "ClientId": "4tq2example0client"});
        assert_eq!(
            n.value(&request),
            json!({"ClientId": "<client:1>", "UserPoolId": "<pool:1>"})
        );
        assert_eq!(n.string("us-east-1_Other999"), "<pool:2>");
    }

    #[test]
    fn subs_and_unordered_lists_are_normalised_and_sorted() {
        let mut n = Normaliser::new(&[]);
        let reply = json!({"Users": [
            {"Username": "bob", "Attributes": [{"Name": "sub", "Value": "5f0c1e52-0000-4000-8000-00000000000b"}]},
            {"Username": "alice", "Attributes": [
                {"Name": "sub", "Value": "5f0c1e52-0000-4000-8000-00000000000a"},
                {"Name": "email", "Value": "a@example.com"}]}]});
        let normalised = n.value(&reply);
        assert_eq!(
            normalised,
            json!({"Users": [
                {"Attributes": [{"Name": "email", "Value": "a@example.com"},
                                {"Name": "sub", "Value": "<sub:1>"}], "Username": "alice"},
                {"Attributes": [{"Name": "sub", "Value": "<sub:2>"}], "Username": "bob"}]})
        );
        let mut reversed = reply.clone();
        reversed["Users"].as_array_mut().unwrap().reverse();
        reversed["Users"][0]["Attributes"]
            .as_array_mut()
            .unwrap()
            .reverse();
        assert_eq!(Normaliser::new(&[]).value(&reversed), normalised);
    }

    #[test]
    fn a_key_id_seen_again_keeps_its_placeholder() {
        let mut n = Normaliser::new(&[]);
        let claims = json!({"token_use": "id"});
        let first = token(&json!({"alg": "RS256", "kid": "replay-key-2"}), &claims);
        let again = token(&json!({"alg": "RS256", "kid": "replay-key-2"}), &claims);
        let kid = |v: Value| v["$jwt"]["header"]["kid"].clone();
        assert_eq!(kid(n.value(&json!(first))), json!("<kid:1>"));
        assert_eq!(kid(n.value(&json!(again))), json!("<kid:1>"));
    }

    #[test]
    fn secrets_are_hidden_and_jwts_kept_decoded_without_their_signature() {
        let mut n = Normaliser::new(&[("password", "Pw-0123456789abcdef-aZ9!")]);
        let claims = json!({"sub": "5f0c1e52-0000-4000-8000-00000000000a",
            "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123xyz",
            "client_id": "4tq2example0client", "token_use": "access",
            "exp": 1764503600, "iat": 1764500000, "jti": "0f0c1e52-0000-4000-8000-0000000000ff"});
        let access = token(&json!({"alg": "RS256", "kid": "key-1"}), &claims);
        let request = json!({"AuthParameters": {"USERNAME": "alice", "PASSWORD": "Pw-0123456789abcdef-aZ9!"}});
        assert_eq!(
            n.value(&request),
            json!({"AuthParameters": {"PASSWORD": "<password>", "USERNAME": "alice"}})
        );
        let reply = json!({"AuthenticationResult": {"AccessToken": access, "RefreshToken": "opaque-refresh-token"},
                           "Session": "session-value-1", "ClientSecret": "5f0c1e52-0000-4000-8000-0000000000cc"});
        let normalised = n.value(&reply);
        assert_eq!(
            normalised["AuthenticationResult"]["AccessToken"],
            json!({"$jwt": {"header": {"alg": "RS256", "kid": "<kid:1>"},
                "claims": {"client_id": "<client:1>", "exp": "<time:1>+3600", "iat": "<time:1>",
                    "iss": "https://cognito-idp.us-east-1.amazonaws.com/<pool:1>",
                    "jti": "<id:1>", "sub": "<sub:1>", "token_use": "access"}}})
        );
        assert_eq!(
            normalised["AuthenticationResult"]["RefreshToken"],
            "<secret:1:20a_>"
        );
        assert_eq!(normalised["Session"], "<secret:2:15a9_>");
        assert_eq!(shape("JBSWY3DPEHPK3PXP"), "16A9");
        let other = json!({"CloudFrontDomain": "b1ea70e20edc61b5.amazoncognito.com",
                           "NextToken": "eyJwYXJhbWV0ZXJDaGVja3N1bSI6IDg3fQ",
                           "ChallengeParameters": {"SALT": "8d41763c971b42cf8dc88b4536087744"}});
        assert_eq!(
            n.value(&other),
            json!({"ChallengeParameters": {"SALT": "<secret:3:32a9>"},
                   "CloudFrontDomain": "<domain:1>", "NextToken": "<page_token:1>"})
        );
        assert_eq!(normalised["ClientSecret"], "<uuid_secret:1>");
        assert!(!normalised.to_string().contains("opaque-refresh-token"));
    }

    #[test]
    fn the_same_input_normalises_to_the_same_text_in_another_run() {
        let run = |pool: &str, sub: &str| {
            let mut n = Normaliser::new(&[]);
            let create = n.value(&json!({"UserPool": {"Id": pool}}));
            let user = n.value(&json!({"User": {"Attributes": [{"Name": "sub", "Value": sub}]}}));
            (create, user)
        };
        assert_eq!(
            run("us-east-1_aaaa", "11111111-2222-4333-8444-555555555555"),
            run("us-east-1_bbbb", "99999999-2222-4333-8444-555555555555")
        );
    }

    #[test]
    fn anything_else_than_a_jwt_is_not_decoded() {
        assert!(decode_jwt("a.b").is_none());
        assert!(decode_jwt("eyJhbGciOiJub25lIn0.bm90IGpzb24.x").is_none());
    }
}
