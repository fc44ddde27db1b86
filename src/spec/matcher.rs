//! Matching a reply body against the case's expected body. Objects match partially (members the
//! case does not mention are fine), arrays element by element with equal length, scalars exactly,
//! and matcher objects (a single `$`-key) match dynamic values:
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

use regex::Regex;
use serde_json::Value;

use crate::service::jwt;
use crate::spec::template::escape_pointer;

const MATCHERS: &[&str] = &[
    "$any",
    "$type",
    "$regex",
    "$range",
    "$absent",
    "$contains",
    "$not",
    "$jwt",
];
const TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "object", "array", "null",
];

/// A malformed pattern found at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub pointer: String,
    pub message: String,
}

/// If `value` is a matcher object, its name and argument.
fn as_matcher(value: &Value) -> Option<(&str, &Value)> {
    let map = value.as_object()?;
    if map.len() != 1 {
        return None;
    }
    let (key, arg) = map.iter().next()?;
    key.starts_with('$').then_some((key.as_str(), arg))
}

/// Checks every matcher in `pattern` (at `pointer` in the case file) for known names and good
/// arguments. Regexes are compiled here so that a bad one fails the load, not the run.
pub fn check_pattern(pattern: &Value, pointer: &str) -> Vec<PatternError> {
    let mut errors = Vec::new();
    check_at(pattern, pointer, &mut errors);
    errors
}

fn check_at(pattern: &Value, pointer: &str, errors: &mut Vec<PatternError>) {
    let mut err = |message: String| {
        errors.push(PatternError {
            pointer: pointer.to_owned(),
            message,
        })
    };
    match pattern {
        Value::Object(map) if map.keys().any(|k| k.starts_with('$')) => {
            let Some((name, arg)) = as_matcher(pattern) else {
                err("a matcher object has exactly one member (its \"$name\")".into());
                return;
            };
            match name {
                "$any" | "$absent" if arg != &Value::Bool(true) => {
                    err(format!("{name} takes true"))
                }
                "$type" if !arg.as_str().is_some_and(|t| TYPES.contains(&t)) => {
                    err(format!("$type takes one of {}", TYPES.join(", ")))
                }
                "$regex" => match arg.as_str() {
                    None => err("$regex takes a string".into()),
                    // Templates are rendered before matching; a regex holding `${...}` is checked then.
                    Some(re) if re.contains("${") => {}
                    Some(re) => {
                        if let Err(e) = Regex::new(re) {
                            err(format!("$regex does not compile: {e}"))
                        }
                    }
                },
                "$range" => check_range(arg, &mut err),
                "$contains" => match arg.as_array() {
                    Some(items) if !items.is_empty() => {
                        for (i, item) in items.iter().enumerate() {
                            check_at(item, &format!("{pointer}/$contains/{i}"), errors);
                        }
                    }
                    _ => err("$contains takes a non-empty array of patterns".into()),
                },
                "$not" => check_at(arg, &format!("{pointer}/$not"), errors),
                "$jwt" => match arg.as_object() {
                    Some(spec) if spec.keys().all(|k| ["header", "claims", "jwks"].contains(&k.as_str())) => {
                        for part in ["header", "claims"] {
                            if let Some(pattern) = spec.get(part) {
                                check_at(pattern, &format!("{pointer}/$jwt/{part}"), errors);
                            }
                        }
                    }
                    _ => err("$jwt takes {\"header\": pattern, \"claims\": pattern, \"jwks\": JWKS} (each optional)".into()),
                },
                "$any" | "$absent" | "$type" => {}
                other => err(format!(
                    "unknown matcher {other:?}; known: {}",
                    MATCHERS.join(", ")
                )),
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                check_at(item, &format!("{pointer}/{}", escape_pointer(key)), errors);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_at(item, &format!("{pointer}/{i}"), errors);
            }
        }
        _ => {}
    }
}

fn check_range(arg: &Value, err: &mut impl FnMut(String)) {
    let Some(map) = arg.as_object() else {
        err("$range takes {\"min\": ..., \"max\": ...}".into());
        return;
    };
    if map.is_empty() || map.keys().any(|k| k != "min" && k != "max") {
        err("$range takes \"min\" and/or \"max\" only".into());
        return;
    }
    for (key, bound) in map {
        // A bound that is a template (`"${jwt_claim(t, 'iat')}"`) is checked once rendered.
        let template = bound.as_str().is_some_and(|b| b.contains("${"));
        if !template && bound_value(bound, 0.0).is_none() {
            err(format!(
                "$range {key} must be a number or \"now\", \"now-N\", \"now+N\" (found {bound})"
            ));
        }
    }
}

/// A range bound: a number, or `now`/`now-N`/`now+N` relative to `now`.
fn bound_value(bound: &Value, now: f64) -> Option<f64> {
    match bound {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let rest = s.strip_prefix("now")?;
            if rest.is_empty() {
                return Some(now);
            }
            let mut chars = rest.chars();
            let sign = chars.next()?;
            let digits = chars.as_str();
            let delta: f64 = digits.parse().ok().filter(|d: &f64| d.is_finite())?;
            match sign {
                '+' => Some(now + delta),
                '-' => Some(now - delta),
                _ => None,
            }
        }
        _ => None,
    }
}

fn now_epoch() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// Matches `actual` against `pattern`, returning one failure per mismatch (empty: it matches).
/// `pointer` is the JSON pointer of `actual` in the reply body.
pub fn match_body(pattern: &Value, actual: &Value) -> Vec<Mismatch> {
    let mut failures = Vec::new();
    match_at(pattern, Some(actual), "", now_epoch(), &mut failures);
    failures
}

/// Whether `actual` matches `pattern` (used for messages and `$contains`).
pub fn matches(pattern: &Value, actual: &Value) -> bool {
    let mut failures = Vec::new();
    match_at(pattern, Some(actual), "", now_epoch(), &mut failures);
    failures.is_empty()
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

fn mismatch(pointer: &str, pattern: &Value, found: Option<&Value>, why: String) -> Mismatch {
    Mismatch {
        pointer: pointer.to_owned(),
        expected: pattern.clone(),
        found: found.cloned(),
        why,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn match_at(
    pattern: &Value,
    actual: Option<&Value>,
    pointer: &str,
    now: f64,
    out: &mut Vec<Mismatch>,
) {
    if let Some((name, arg)) = as_matcher(pattern) {
        if name == "$absent" {
            if actual.is_some() {
                out.push(mismatch(
                    pointer,
                    pattern,
                    actual,
                    "expected no member here".into(),
                ));
            }
            return;
        }
        let Some(value) = actual else {
            out.push(mismatch(
                pointer,
                pattern,
                None,
                format!("missing; expected {pattern}"),
            ));
            return;
        };
        match name {
            "$any" => {}
            "$type" => {
                let want = arg.as_str().unwrap_or_default();
                let have = type_name(value);
                let ok = want == have || (want == "number" && have == "integer");
                if !ok {
                    out.push(mismatch(
                        pointer,
                        pattern,
                        actual,
                        format!("expected a {want}, found a {have}"),
                    ));
                }
            }
            "$regex" => {
                let source = arg.as_str().unwrap_or_default();
                match (Regex::new(source), value.as_str()) {
                    (Ok(re), Some(text)) if re.is_match(text) => {}
                    (Ok(_), Some(_)) => out.push(mismatch(
                        pointer,
                        pattern,
                        actual,
                        format!("does not match /{source}/"),
                    )),
                    (Ok(_), None) => out.push(mismatch(
                        pointer,
                        pattern,
                        actual,
                        format!("expected a string matching /{source}/"),
                    )),
                    (Err(e), _) => out.push(mismatch(
                        pointer,
                        pattern,
                        actual,
                        format!("bad regex: {e}"),
                    )),
                }
            }
            "$range" => {
                let Some(n) = value.as_f64() else {
                    out.push(mismatch(
                        pointer,
                        pattern,
                        actual,
                        "expected a number".into(),
                    ));
                    return;
                };
                let min = arg.get("min").and_then(|b| bound_value(b, now));
                let max = arg.get("max").and_then(|b| bound_value(b, now));
                if min.is_some_and(|m| n < m) || max.is_some_and(|m| n > m) {
                    let show = |b: Option<f64>| b.map_or("-".to_owned(), |b| format!("{b}"));
                    out.push(mismatch(
                        pointer,
                        pattern,
                        actual,
                        format!("{n} is outside [{}, {}]", show(min), show(max)),
                    ));
                }
            }
            "$contains" => {
                let Some(items) = value.as_array() else {
                    out.push(mismatch(
                        pointer,
                        pattern,
                        actual,
                        "expected an array".into(),
                    ));
                    return;
                };
                for want in arg.as_array().into_iter().flatten() {
                    if !items.iter().any(|item| {
                        let mut scratch = Vec::new();
                        match_at(want, Some(item), pointer, now, &mut scratch);
                        scratch.is_empty()
                    }) {
                        out.push(mismatch(
                            pointer,
                            want,
                            actual,
                            format!("no element matches {want}"),
                        ));
                    }
                }
            }
            "$not" => {
                let mut scratch = Vec::new();
                match_at(arg, Some(value), pointer, now, &mut scratch);
                if scratch.is_empty() {
                    out.push(mismatch(
                        pointer,
                        pattern,
                        actual,
                        format!("matches {arg}, expected a value that does not"),
                    ));
                }
            }
            "$jwt" => match_jwt(arg, value, pattern, pointer, now, out),
            other => out.push(mismatch(
                pointer,
                pattern,
                actual,
                format!("unknown matcher {other}"),
            )),
        }
        return;
    }
    let Some(value) = actual else {
        out.push(mismatch(pointer, pattern, None, "missing".into()));
        return;
    };
    match (pattern, value) {
        (Value::Object(want), Value::Object(have)) => {
            for (key, want_item) in want {
                let child = format!("{pointer}/{}", escape_pointer(key));
                match_at(want_item, have.get(key), &child, now, out);
            }
        }
        (Value::Array(want), Value::Array(have)) => {
            if want.len() != have.len() {
                out.push(mismatch(
                    pointer,
                    pattern,
                    actual,
                    format!("expected {} elements, found {}", want.len(), have.len()),
                ));
                return;
            }
            for (i, (w, h)) in want.iter().zip(have).enumerate() {
                match_at(w, Some(h), &format!("{pointer}/{i}"), now, out);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (p, v) if p == v => {}
        _ => out.push(mismatch(pointer, pattern, actual, "values differ".into())),
    }
}

fn match_jwt(
    spec: &Value,
    value: &Value,
    pattern: &Value,
    pointer: &str,
    now: f64,
    out: &mut Vec<Mismatch>,
) {
    let Some(token) = value.as_str() else {
        out.push(mismatch(
            pointer,
            pattern,
            Some(value),
            "expected a JWT string".into(),
        ));
        return;
    };
    let decoded = match jwt::decode(token) {
        Ok(decoded) => decoded,
        Err(e) => {
            out.push(mismatch(pointer, pattern, Some(value), e));
            return;
        }
    };
    for (part, decoded_part) in [("header", &decoded.header), ("claims", &decoded.claims)] {
        if let Some(want) = spec.get(part) {
            match_at(
                want,
                Some(decoded_part),
                &format!("{pointer}(jwt {part})"),
                now,
                out,
            );
        }
    }
    for problem in jwt::structural_problems(&decoded) {
        out.push(mismatch(pointer, pattern, Some(&decoded.claims), problem));
    }
    if let Some(jwks) = spec.get("jwks")
        && let Err(e) = jwt::verify(token, jwks)
    {
        out.push(mismatch(pointer, pattern, None, e));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;
    use serde_json::json;

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
    #[case(json!({"a": {"$not": "x"}}), json!({"a": "y"}))]
    fn matching(#[case] pattern: Value, #[case] actual: Value) {
        assert_eq!(match_body(&pattern, &actual), vec![]);
    }

    #[rstest]
    #[case(json!({"a": 1}), json!({"a": 2}), "/a")]
    #[case(json!({"a": 1}), json!({}), "/a")]
    #[case(json!({"a": {"$type": "integer"}}), json!({"a": 1.5}), "/a")]
    #[case(json!({"a": {"$regex": "^x$"}}), json!({"a": "xy"}), "/a")]
    #[case(json!({"a": {"$range": {"max": 10}}}), json!({"a": 11}), "/a")]
    #[case(json!({"a": {"$absent": true}}), json!({"a": 1}), "/a")]
    #[case(json!({"a": {"$contains": [3]}}), json!({"a": [1, 2]}), "/a")]
    #[case(json!({"a": {"$not": {"$regex": "^x"}}}), json!({"a": "xy"}), "/a")]
    #[case(json!({"a": {"$not": 1}}), json!({}), "/a")]
    #[case(json!({"a": [1]}), json!({"a": [1, 2]}), "/a")]
    #[case(json!({"a/b": {"c": 1}}), json!({"a/b": {"c": 2}}), "/a~1b/c")]
    fn mismatching(#[case] pattern: Value, #[case] actual: Value, #[case] pointer: &str) {
        let failures = match_body(&pattern, &actual);
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(failures[0].pointer, pointer);
    }

    #[rstest]
    #[case(json!({"$nope": 1}), "unknown matcher")]
    #[case(json!({"$regex": "("}), "does not compile")]
    #[case(json!({"$type": "str"}), "$type takes")]
    #[case(json!({"$range": {"min": "yesterday"}}), "must be a number")]
    #[case(json!({"$range": {"min": "now€5"}}), "must be a number")]
    #[case(json!({"$contains": []}), "non-empty")]
    #[case(json!({"$not": {"$regex": "("}}), "does not compile")]
    #[case(json!({"$any": true, "x": 1}), "exactly one member")]
    fn bad_patterns(#[case] pattern: Value, #[case] message: &str) {
        let errors = check_pattern(&json!({"k": pattern}), "/steps/0/expect/body");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].pointer.starts_with("/steps/0/expect/body/k"),
            "{errors:?}"
        );
        assert!(errors[0].message.contains(message), "{errors:?}");
    }

    #[test]
    fn templated_range_bounds_are_checked_when_rendered() {
        let pattern = json!({"iat": {"$range": {"min": "${jwt_claim(first, 'iat')}"}}});
        assert_eq!(check_pattern(&pattern, "/steps/0/expect/body"), vec![]);
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
        assert_eq!(match_body(&pattern, &json!({"t": token})), vec![]);

        let wrong = json!({"t": {"$jwt": {"claims": {"token_use": "id"}}}});
        let failures = match_body(&wrong, &json!({"t": token}));
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert_eq!(
            failures[0].pointer, "/t(jwt claims)/token_use",
            "{failures:?}"
        );

        let other_key =
            json!({"keys": [{"kty": "RSA", "kid": "test-key", "n": "sXch", "e": "AQAB"}]});
        let failures = match_body(
            &json!({"t": {"$jwt": {"jwks": other_key}}}),
            &json!({"t": token}),
        );
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(match_body(&json!({"t": {"$jwt": {}}}), &json!({"t": "not.a.jwt!"})).len() == 1);
        assert!(check_pattern(&json!({"$jwt": {"claim": {}}}), "").len() == 1);
    }
}
