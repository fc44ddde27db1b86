//! Matching a reply body against the case's expected body, a [`Pattern`] parsed at load (see
//! [`crate::spec::pattern`]) and rendered for the run. Objects match partially (members the case
//! does not mention are fine), arrays element by element with equal length, scalars exactly, and
//! matcher objects (a single `$`-key) match dynamic values:
//!
//! | matcher | matches |
//! |---|---|
//! | `{"$any": true}` | any value, as long as the member is present |
//! | `{"$type": "string"}` | a value of that JSON type (`integer` for whole numbers) |
//! | `{"$regex": "^us-east-1_"}` | a string the regex finds a match in (anchor it yourself) |
//! | `{"$range": {"min": 1, "max": 5}}` | a number in the closed range; bounds may be `"now"`, `"now-600"`, `"now+60"` (epoch seconds) |
//! | `{"$absent": true}` | the member is not there |
//! | `{"$contains": [p, ...]}` | an array that has a match for each pattern, in any order |
//! | `{"$not": p}` | a value (the member is present) that does not match the pattern `p` |
//! | `{"$jwt": {"header": p, "claims": p, "jwks": v}}` | a JWT whose decoded header and claims match the patterns (all optional), whose `exp` is after its `iat`, and, given a JWKS document `v` (captured from the pool's `/.well-known/jwks.json`), whose signature verifies |

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::service::jwt;
use crate::spec::pattern::{Compiled, JsonType, JwtPattern, Pattern, RangePattern, RegexPattern};
use crate::spec::template::escape_pointer;

fn now_epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Matches `actual` against a rendered `pattern`, returning one failure per mismatch (empty: it
/// matches). Pointers in the failures are JSON pointers into `actual`. A template left in the
/// pattern (not rendered) matches nothing.
pub fn match_body(pattern: &Pattern, actual: &Value) -> Vec<Mismatch> {
    let mut failures = Vec::new();
    match_at(
        pattern,
        Some(actual),
        &Place::Root,
        now_epoch(),
        &mut failures,
    );
    failures
}

/// Whether `actual` matches `pattern` (used for messages and `$contains`).
pub fn matches(pattern: &Pattern, actual: &Value) -> bool {
    match_body(pattern, actual).is_empty()
}

/// Where and how a body failed to match its pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// JSON pointer of the value in the body.
    pub pointer: String,
    /// The pattern at that place.
    pub expected: Value,
    /// The value found there (`None`: the member is missing).
    pub found: Option<Value>,
    pub why: String,
}

fn mismatch(place: &Place, pattern: &Pattern, found: Option<&Value>, why: String) -> Mismatch {
    let mut pointer = String::new();
    place.write(&mut pointer);
    Mismatch {
        pointer,
        expected: pattern.to_value(),
        found: found.cloned(),
        why,
    }
}

/// Where in the body a value is: written out as a JSON pointer only for a mismatch, so that a
/// body that matches costs no text.
enum Place<'a> {
    Root,
    Member(&'a Place<'a>, &'a str),
    Index(&'a Place<'a>, usize),
    /// The decoded header or claims of the JWT at a place: `/t(jwt claims)`.
    Jwt(&'a Place<'a>, &'a str),
}

impl Place<'_> {
    fn write(&self, out: &mut String) {
        match self {
            Place::Root => {}
            Place::Member(parent, key) => {
                parent.write(out);
                out.push('/');
                out.push_str(&escape_pointer(key));
            }
            Place::Index(parent, i) => {
                parent.write(out);
                out.push('/');
                out.push_str(&i.to_string());
            }
            Place::Jwt(parent, part) => {
                parent.write(out);
                out.push_str("(jwt ");
                out.push_str(part);
                out.push(')');
            }
        }
    }
}

/// Where a match is, for the matchers' helpers: the place, the time, the failures so far.
struct At<'a> {
    place: &'a Place<'a>,
    now: f64,
    out: &'a mut Vec<Mismatch>,
}

impl At<'_> {
    fn fail(&mut self, pattern: &Pattern, found: Option<&Value>, why: String) {
        self.out.push(mismatch(self.place, pattern, found, why));
    }
}

fn match_at(
    pattern: &Pattern,
    actual: Option<&Value>,
    place: &Place,
    now: f64,
    out: &mut Vec<Mismatch>,
) {
    let mut at = At { place, now, out };
    let value = match (pattern, actual) {
        (Pattern::Absent, Some(_)) => {
            return at.fail(pattern, actual, "expected no member here".into());
        }
        (Pattern::Absent, None) => return,
        (_, Some(value)) => value,
        (_, None) if pattern.is_matcher() => {
            let why = format!("missing; expected {}", pattern.to_value());
            return at.fail(pattern, None, why);
        }
        (_, None) => return at.fail(pattern, None, "missing".into()),
    };
    match pattern {
        Pattern::Object { members } => match_object(pattern, members, value, &mut at),
        Pattern::Array { items } => match_array(pattern, items, value, &mut at),
        Pattern::Scalar(want) => match_scalar(pattern, want, value, &mut at),
        Pattern::Templated(text) => {
            at.fail(pattern, Some(value), format!("{text:?} was not rendered"));
        }
        Pattern::Any | Pattern::Absent => {}
        Pattern::Type(want) => match_type(pattern, *want, value, &mut at),
        Pattern::Regex(re) => match_regex(pattern, re, value, &mut at),
        Pattern::Range(range) => match_range(pattern, range, value, &mut at),
        Pattern::Contains(wants) => match_contains(pattern, wants, value, &mut at),
        Pattern::Not(inner) => {
            let mut scratch = Vec::new();
            match_at(inner, Some(value), place, now, &mut scratch);
            if scratch.is_empty() {
                let why = format!(
                    "matches {}, expected a value that does not",
                    inner.to_value()
                );
                at.fail(pattern, Some(value), why);
            }
        }
        Pattern::Jwt(spec) => match_jwt(pattern, spec, value, &mut at),
    }
}

fn match_object(pattern: &Pattern, members: &[(String, Pattern)], value: &Value, at: &mut At) {
    let Value::Object(have) = value else {
        return at.fail(pattern, Some(value), "values differ".into());
    };
    for (key, want) in members {
        let child = Place::Member(at.place, key);
        match_at(want, have.get(key), &child, at.now, at.out);
    }
}

fn match_array(pattern: &Pattern, items: &[Pattern], value: &Value, at: &mut At) {
    let Value::Array(have) = value else {
        return at.fail(pattern, Some(value), "values differ".into());
    };
    if items.len() != have.len() {
        let why = format!("expected {} elements, found {}", items.len(), have.len());
        return at.fail(pattern, Some(value), why);
    }
    for (i, (want, item)) in items.iter().zip(have).enumerate() {
        let child = Place::Index(at.place, i);
        match_at(want, Some(item), &child, at.now, at.out);
    }
}

fn match_scalar(pattern: &Pattern, want: &Value, value: &Value, at: &mut At) {
    let same = match (want, value) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64() || a == b,
        (a, b) => a == b,
    };
    if !same {
        at.fail(pattern, Some(value), "values differ".into());
    }
}

fn match_type(pattern: &Pattern, want: JsonType, value: &Value, at: &mut At) {
    let have = JsonType::of(value);
    if !(want == have || (want == JsonType::Number && have == JsonType::Integer)) {
        let why = format!("expected a {}, found a {}", want.name(), have.name());
        at.fail(pattern, Some(value), why);
    }
}

fn match_regex(pattern: &Pattern, re: &RegexPattern, value: &Value, at: &mut At) {
    let source = &re.source;
    let why = match (&re.compiled, value.as_str()) {
        (Compiled::Ready(regex), Some(text)) if regex.is_match(text) => return,
        (Compiled::Ready(_), Some(_)) => format!("does not match /{source}/"),
        (Compiled::Ready(_), None) => format!("expected a string matching /{source}/"),
        (Compiled::Template, _) => format!("/{source}/ was not rendered"),
        (Compiled::Failed(e), _) => format!("bad regex: {e}"),
    };
    at.fail(pattern, Some(value), why);
}

fn match_range(pattern: &Pattern, range: &RangePattern, value: &Value, at: &mut At) {
    let Some(n) = value.as_f64() else {
        return at.fail(pattern, Some(value), "expected a number".into());
    };
    let min = range.min.map(|b| b.at(at.now));
    let max = range.max.map(|b| b.at(at.now));
    if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
        let show = |b: Option<f64>| b.map_or("-".to_owned(), |b| format!("{b}"));
        let why = format!("{n} is outside [{}, {}]", show(min), show(max));
        at.fail(pattern, Some(value), why);
    }
}

fn match_contains(pattern: &Pattern, wants: &[Pattern], value: &Value, at: &mut At) {
    let Some(items) = value.as_array() else {
        return at.fail(pattern, Some(value), "expected an array".into());
    };
    for want in wants {
        let found = items.iter().any(|item| {
            let mut scratch = Vec::new();
            match_at(want, Some(item), at.place, at.now, &mut scratch);
            scratch.is_empty()
        });
        if !found {
            let why = format!("no element matches {}", want.to_value());
            at.fail(want, Some(value), why);
        }
    }
}

fn match_jwt(pattern: &Pattern, spec: &JwtPattern, value: &Value, at: &mut At) {
    let Some(token) = value.as_str() else {
        return at.fail(pattern, Some(value), "expected a JWT string".into());
    };
    let decoded = match jwt::decode(token) {
        Ok(decoded) => decoded,
        Err(e) => return at.fail(pattern, Some(value), e),
    };
    for (part, want, have) in [
        ("header", &spec.header, &decoded.header),
        ("claims", &spec.claims, &decoded.claims),
    ] {
        if let Some(want) = want {
            let place = Place::Jwt(at.place, part);
            match_at(want, Some(have), &place, at.now, at.out);
        }
    }
    for problem in jwt::structural_problems(&decoded) {
        at.fail(pattern, Some(&decoded.claims), problem);
    }
    if let Some(jwks) = &spec.jwks
        && let Err(e) = jwt::verify(token, jwks)
    {
        at.fail(pattern, None, e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

    /// Parses `pattern` (which must be good) and matches `actual` against it.
    fn match_value(pattern: &Value, actual: &Value) -> Vec<Mismatch> {
        match_body(&Pattern::parse(pattern, "").unwrap(), actual)
    }

    #[rstest]
    #[case(json!({"a": 1}), json!({"a": 1, "b": 2}))]
    #[case(json!({"a": {"$any": true}}), json!({"a": null}))]
    #[case(json!({"a": {"$type": "number"}}), json!({"a": 3}))]
    #[case(json!({"a": {"$type": "integer"}}), json!({"a": 3}))]
    #[case(json!({"a": {"$regex": "^us-east-1_"}}), json!({"a": "us-east-1_x"}))]
    #[case(json!({"a": {"$range": {"min": "now-60", "max": "now+60"}}}), json!({"a": now_epoch()}))]
    #[case(json!({"a": {"$absent": true}}), json!({"b": 1}))]
    #[case(json!({"a": {"$contains": [{"n": 2}, {"n": 1}]}}), json!({"a": [{"n": 1}, {"n": 2, "x": 0}]}))]
    #[case(json!([1, {"$any": true}]), json!([1, "x"]))]
    #[case(json!({"n": 1}), json!({"n": 1.0}))]
    fn matching(#[case] pattern: Value, #[case] actual: Value) {
        assert_eq!(match_value(&pattern, &actual), vec![]);
    }

    #[rstest]
    #[case(json!({"a": 1}), json!({"a": 2}), "/a")]
    #[case(json!({"a": 1}), json!({}), "/a")]
    #[case(json!({"a": {"$type": "integer"}}), json!({"a": 1.5}), "/a")]
    #[case(json!({"a": {"$regex": "^x$"}}), json!({"a": "xy"}), "/a")]
    #[case(json!({"a": {"$range": {"max": 10}}}), json!({"a": 11}), "/a")]
    #[case(json!({"a": {"$absent": true}}), json!({"a": 1}), "/a")]
    #[case(json!({"a": {"$contains": [3]}}), json!({"a": [1, 2]}), "/a")]
    #[case(json!({"a": [1]}), json!({"a": [1, 2]}), "/a")]
    #[case(json!({"a/b": {"c": 1}}), json!({"a/b": {"c": 2}}), "/a~1b/c")]
    fn mismatching(#[case] pattern: Value, #[case] actual: Value, #[case] pointer: &str) {
        let failures = match_value(&pattern, &actual);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].pointer, pointer);
    }

    fn signed(claims: Value) -> String {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.kid = Some("test-key".into());
        let pem = include_str!("../../tests/data/jwt-test-key.pem");
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    }

    #[test]
    fn jwt_matcher() {
        let jwks: Value =
            serde_json::from_str(include_str!("../../tests/data/jwt-test-jwks.json")).unwrap();
        let now = now_epoch() as i64;
        let token = signed(
            json!({"token_use": "access", "iat": now, "exp": now + 3600, "iss": "https://x/us-east-1_A"}),
        );
        let pattern = json!({"t": {"$jwt": {
            "header": {"alg": "RS256"},
            "claims": {"token_use": "access", "iss": {"$regex": "/us-east-1_A$"}, "exp": {"$range": {"min": "now"}}},
            "jwks": jwks
        }}});
        assert_eq!(match_value(&pattern, &json!({"t": token})), vec![]);

        let wrong = json!({"t": {"$jwt": {"claims": {"token_use": "id"}}}});
        let failures = match_value(&wrong, &json!({"t": token}));
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(
            failures[0].pointer, "/t(jwt claims)/token_use",
            "{failures:?}"
        );

        let other_key =
            json!({"keys": [{"kty": "RSA", "kid": "test-key", "n": "sXch", "e": "AQAB"}]});
        let failures = match_value(
            &json!({"t": {"$jwt": {"jwks": other_key}}}),
            &json!({"t": token}),
        );
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(match_value(&json!({"t": {"$jwt": {}}}), &json!({"t": "not.a.jwt!"})).len() == 1);
    }

    #[test]
    fn templates_match_once_rendered() {
        let mut vars = crate::spec::template::Vars::new();
        vars.set("pool", json!("us-east-1_abc"));
        vars.set("n", json!(3));
        let pattern = Pattern::parse(
            &json!({"id": {"$regex": "^${pool}$"}, "n": "${n}", "s": "p=${pool}"}),
            "",
        )
        .unwrap();
        let actual = json!({"id": "us-east-1_abc", "n": 3, "s": "p=us-east-1_abc"});
        let unrendered = match_body(&pattern, &actual);
        assert_eq!(unrendered.len(), 3, "{unrendered:?}");
        let rendered = pattern.render(&vars).unwrap();
        assert_eq!(match_body(&rendered, &actual), vec![]);
        let failures = match_body(
            &rendered,
            &json!({"id": "us-east-1_abcd", "n": 3.0, "s": 1}),
        );
        let pointers: Vec<_> = failures.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(pointers, ["/id", "/s"], "{failures:?}");
        assert_eq!(failures[0].expected, json!({"$regex": "^us-east-1_abc$"}));
    }

    #[test]
    fn a_rendered_regex_that_does_not_compile_is_a_mismatch() {
        let mut vars = crate::spec::template::Vars::new();
        vars.set("x", json!("("));
        let pattern = Pattern::parse(&json!({"a": {"$regex": "${x}"}}), "")
            .unwrap()
            .render(&vars)
            .unwrap();
        let failures = match_body(&pattern, &json!({"a": "("}));
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(failures[0].why.starts_with("bad regex"), "{failures:?}");
    }
}
