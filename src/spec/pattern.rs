//! Expected bodies and messages as typed patterns, parsed once when a case loads. A case file's
//! pattern is JSON (objects, arrays, scalars, and matcher objects such as `{"$regex": "^x"}`, see
//! [`crate::spec::matcher`] for what each matches); [`Pattern::parse`] checks it and turns it into
//! a [`Pattern`] tree, compiling every regex that holds no template, so a bad pattern fails the
//! load and a good one is never re-read. Strings holding `${var}` stay templates in the tree
//! ([`Pattern::Templated`], and regexes whose source holds `${`) until [`Pattern::render`] fills
//! them in for a run; a rendered tree holds none, and its regexes are compiled exactly once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use regex::Regex;
use serde_json::{Map, Value, json};

use crate::spec::functions::Calls;
use crate::spec::template::{self, RenderError, Vars, escape_pointer};

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

/// A malformed pattern found at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    pub pointer: String,
    pub message: String,
}

/// What a reply body (or an error message) must look like.
#[derive(Debug, Clone)]
pub enum Pattern {
    /// An object with at least these members, each matching its pattern (in file order).
    Object { members: Vec<(String, Pattern)> },
    /// An array of exactly these elements, in order.
    Array { items: Vec<Pattern> },
    /// A string, number, boolean or null, matched exactly (numbers by value).
    Scalar(Value),
    /// A string holding `${var}`: rendered per run into a literal value (see [`Pattern::render`]).
    Templated(String),
    /// `{"$any": true}`: any value, as long as the member is present.
    Any,
    /// `{"$absent": true}`: the member is not there.
    Absent,
    /// `{"$type": "string"}`: a value of that JSON type.
    Type(JsonType),
    /// `{"$regex": "^x"}`: a string the regex finds a match in.
    Regex(RegexPattern),
    /// `{"$range": {"min": .., "max": ..}}`: a number in the closed range.
    Range(RangePattern),
    /// `{"$contains": [p, ...]}`: an array with a match for each pattern, in any order.
    Contains(Vec<Pattern>),
    /// `{"$not": p}`: a value (the member is present) that does not match `p`.
    Not(Box<Pattern>),
    /// `{"$jwt": {"header": p, "claims": p, "jwks": v}}`: a JWT whose parts match.
    Jwt(Box<JwtPattern>),
}

/// The JSON types `$type` names; `integer` is a number without a fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Object,
    Array,
    Null,
}

impl JsonType {
    const ALL: [JsonType; 7] = [
        JsonType::String,
        JsonType::Number,
        JsonType::Integer,
        JsonType::Boolean,
        JsonType::Object,
        JsonType::Array,
        JsonType::Null,
    ];

    pub fn name(self) -> &'static str {
        match self {
            JsonType::String => "string",
            JsonType::Number => "number",
            JsonType::Integer => "integer",
            JsonType::Boolean => "boolean",
            JsonType::Object => "object",
            JsonType::Array => "array",
            JsonType::Null => "null",
        }
    }

    fn from_name(name: &str) -> Option<JsonType> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The type of a value (`integer` for whole numbers held as integers).
    pub fn of(value: &Value) -> JsonType {
        match value {
            Value::Null => JsonType::Null,
            Value::Bool(_) => JsonType::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => JsonType::Integer,
            Value::Number(_) => JsonType::Number,
            Value::String(_) => JsonType::String,
            Value::Array(_) => JsonType::Array,
            Value::Object(_) => JsonType::Object,
        }
    }
}

/// A `$regex` and its source as written (or as rendered).
#[derive(Debug, Clone)]
pub struct RegexPattern {
    pub source: String,
    pub compiled: Compiled,
}

/// The state of a `$regex`.
#[derive(Debug, Clone)]
pub enum Compiled {
    /// Compiled, once (at load, or when its template was rendered). Shared: a `Regex` clone
    /// gets a cache pool of its own, which its first match fills anew, and expectations are
    /// cloned for every step that renders them.
    Ready(Arc<Regex>),
    /// The source holds `${`: compiled when rendered.
    Template,
    /// The rendered source does not compile (a mismatch when matched).
    Failed(String),
}

/// A `$range`: its bounds, and its argument as written (for messages).
#[derive(Debug, Clone)]
pub struct RangePattern {
    pub min: Option<Bound>,
    pub max: Option<Bound>,
    pub written: Value,
}

/// A range bound: a number, or `now`/`now-N`/`now+N` (epoch seconds when matched).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bound {
    Fixed(f64),
    /// Seconds from now.
    Now(f64),
}

impl RangePattern {
    /// Whether a bound is a template (`"${jwt_claim(t, 'iat')}"`), parsed once rendered.
    fn is_templated(&self) -> bool {
        ["min", "max"]
            .iter()
            .any(|k| self.written[*k].as_str().is_some_and(|b| b.contains("${")))
    }

    /// The range with its templated bounds rendered; a bound that renders to something that is
    /// not a bound is an error of the function or variable that gave it.
    fn render(
        &self,
        vars: &Vars,
        calls: &mut Calls,
        pointer: &str,
    ) -> Result<RangePattern, RenderError> {
        let written = template::render_under(&self.written, vars, calls, pointer)?;
        let bound = |key: &str| -> Result<Option<Bound>, RenderError> {
            match written.get(key) {
                None => Ok(None),
                Some(value) => Bound::parse(value)
                    .map(Some)
                    .ok_or_else(|| RenderError::Function {
                        pointer: format!("{pointer}/{key}"),
                        name: "$range".into(),
                        message: format!("the bound rendered to {value}, not a number"),
                    }),
            }
        };
        Ok(RangePattern {
            min: bound("min")?,
            max: bound("max")?,
            written: written.clone(),
        })
    }
}

impl Bound {
    fn parse(bound: &Value) -> Option<Bound> {
        match bound {
            Value::Number(n) => n.as_f64().map(Bound::Fixed),
            Value::String(s) => {
                let rest = s.strip_prefix("now")?;
                if rest.is_empty() {
                    return Some(Bound::Now(0.0));
                }
                let mut chars = rest.chars();
                let sign = chars.next()?;
                let delta: f64 = chars
                    .as_str()
                    .parse()
                    .ok()
                    .filter(|d: &f64| d.is_finite())?;
                match sign {
                    '+' => Some(Bound::Now(delta)),
                    '-' => Some(Bound::Now(-delta)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The bound's value at `now` (epoch seconds).
    pub fn at(self, now: f64) -> f64 {
        match self {
            Bound::Fixed(n) => n,
            Bound::Now(delta) => now + delta,
        }
    }
}

/// A `$jwt`: patterns for the decoded header and claims, and the JWKS (a template value) to
/// verify the signature with; each optional.
#[derive(Debug, Clone)]
pub struct JwtPattern {
    pub header: Option<Pattern>,
    pub claims: Option<Pattern>,
    pub jwks: Option<Value>,
}

#[cfg(test)]
thread_local! {
    /// How many regexes this thread compiled (tests prove regexes are not compiled per match).
    pub(crate) static REGEX_COMPILES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn compile(source: &str) -> Result<Arc<Regex>, regex::Error> {
    #[cfg(test)]
    REGEX_COMPILES.with(|n| n.set(n.get() + 1));
    Regex::new(source).map(Arc::new)
}

/// The regex of a case file's static `$regex`, compiled once per process: the same source
/// written in many steps or cases (`^us-east-1_`, say) shares one `Regex` and so one match
/// cache, instead of a compile at load and a cache built by its first match for each.
fn interned(source: &str) -> Result<Arc<Regex>, regex::Error> {
    static INTERNED: OnceLock<Mutex<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    let mut interned = INTERNED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(regex) = interned.get(source) {
        return Ok(regex.clone());
    }
    let regex = compile(source)?;
    interned.insert(source.to_owned(), regex.clone());
    Ok(regex)
}

impl Pattern {
    /// Parses the pattern `value` found at `pointer` in the case file, or returns every
    /// malformed matcher in it (unknown names, bad arguments, regexes that do not compile).
    pub fn parse(value: &Value, pointer: &str) -> Result<Pattern, Vec<PatternError>> {
        let mut errors = Vec::new();
        let pattern = parse_at(value, pointer, &mut errors);
        if errors.is_empty() {
            Ok(pattern)
        } else {
            Err(errors)
        }
    }

    /// A pattern that matches `value` as plain data: objects partially, arrays element by
    /// element, scalars exactly. `$` keys in it are members, not matchers.
    pub fn literal(value: Value) -> Pattern {
        match value {
            Value::Object(map) => Pattern::Object {
                members: map
                    .into_iter()
                    .map(|(k, v)| (k, Pattern::literal(v)))
                    .collect(),
            },
            Value::Array(items) => Pattern::Array {
                items: items.into_iter().map(Pattern::literal).collect(),
            },
            other => Pattern::Scalar(other),
        }
    }

    /// Whether this is a matcher object (rather than an object, array or scalar).
    pub fn is_matcher(&self) -> bool {
        !matches!(
            self,
            Pattern::Object { .. }
                | Pattern::Array { .. }
                | Pattern::Scalar(_)
                | Pattern::Templated(_)
        )
    }

    /// The pattern as JSON, the way a case file writes it (for messages).
    pub fn to_value(&self) -> Value {
        match self {
            Pattern::Object { members } => Value::Object(
                members
                    .iter()
                    .map(|(k, p)| (k.clone(), p.to_value()))
                    .collect(),
            ),
            Pattern::Array { items } => Value::Array(items.iter().map(Pattern::to_value).collect()),
            Pattern::Scalar(value) => value.clone(),
            Pattern::Templated(text) => Value::String(text.clone()),
            Pattern::Any => json!({"$any": true}),
            Pattern::Absent => json!({"$absent": true}),
            Pattern::Type(t) => json!({"$type": t.name()}),
            Pattern::Regex(re) => json!({"$regex": re.source}),
            Pattern::Range(range) => json!({"$range": range.written}),
            Pattern::Contains(items) => {
                json!({"$contains": items.iter().map(Pattern::to_value).collect::<Vec<_>>()})
            }
            Pattern::Not(inner) => json!({"$not": inner.to_value()}),
            Pattern::Jwt(jwt) => {
                let mut spec = Map::new();
                if let Some(header) = &jwt.header {
                    spec.insert("header".into(), header.to_value());
                }
                if let Some(claims) = &jwt.claims {
                    spec.insert("claims".into(), claims.to_value());
                }
                if let Some(jwks) = &jwt.jwks {
                    spec.insert("jwks".into(), jwks.clone());
                }
                json!({"$jwt": spec})
            }
        }
    }

    /// Whether [`Pattern::render`] would give this pattern back unchanged: it holds no
    /// template. A step whose expectation is static is checked against it as loaded.
    pub fn is_static(&self) -> bool {
        match self {
            Pattern::Object { members } => members.iter().all(|(_, p)| p.is_static()),
            Pattern::Array { items } | Pattern::Contains(items) => {
                items.iter().all(Pattern::is_static)
            }
            Pattern::Templated(_) => false,
            Pattern::Regex(re) => !matches!(re.compiled, Compiled::Template),
            Pattern::Not(inner) => inner.is_static(),
            Pattern::Range(range) => !range.is_templated(),
            Pattern::Jwt(jwt) => {
                [&jwt.header, &jwt.claims]
                    .into_iter()
                    .flatten()
                    .all(Pattern::is_static)
                    && jwt.jwks.as_ref().is_none_or(template::is_static)
            }
            Pattern::Scalar(_) | Pattern::Any | Pattern::Absent | Pattern::Type(_) => true,
        }
    }

    /// Fills in every template with `vars`: templated strings become literal values (a string
    /// that is exactly `${name}` takes the variable's JSON value), templated regexes are compiled
    /// now, the JWKS is rendered. Regexes compiled at load are shared, not compiled again.
    /// Errors name the JSON pointer below the pattern, as [`template::render`] does.
    pub fn render(&self, vars: &Vars) -> Result<Pattern, RenderError> {
        let mut state = crate::spec::functions::AuthState::default();
        let mut secrets = crate::support::secrets::Secrets::new();
        let mut calls = Calls::new(&mut state, &mut secrets, std::time::SystemTime::now());
        self.render_with(vars, &mut calls)
    }

    /// [`Pattern::render`], calling template functions with `calls` (the step's).
    pub fn render_with(&self, vars: &Vars, calls: &mut Calls) -> Result<Pattern, RenderError> {
        self.render_at(vars, calls, "")
    }

    fn render_at(
        &self,
        vars: &Vars,
        calls: &mut Calls,
        pointer: &str,
    ) -> Result<Pattern, RenderError> {
        Ok(match self {
            Pattern::Object { members } => Pattern::Object {
                members: members
                    .iter()
                    .map(|(k, p)| {
                        let at = format!("{pointer}/{}", escape_pointer(k));
                        Ok((k.clone(), p.render_at(vars, calls, &at)?))
                    })
                    .collect::<Result<_, RenderError>>()?,
            },
            Pattern::Array { items } => Pattern::Array {
                items: render_all(items, vars, calls, pointer)?,
            },
            Pattern::Templated(text) => Pattern::literal(template::render_under(
                &Value::String(text.clone()),
                vars,
                calls,
                pointer,
            )?),
            Pattern::Regex(RegexPattern {
                source,
                compiled: Compiled::Template,
            }) => render_regex(source, vars, calls, &format!("{pointer}/$regex"))?,
            Pattern::Contains(items) => Pattern::Contains(render_all(
                items,
                vars,
                calls,
                &format!("{pointer}/$contains"),
            )?),
            Pattern::Not(inner) => Pattern::Not(Box::new(inner.render_at(
                vars,
                calls,
                &format!("{pointer}/$not"),
            )?)),
            Pattern::Range(range) if range.is_templated() => {
                Pattern::Range(range.render(vars, calls, &format!("{pointer}/$range"))?)
            }
            Pattern::Jwt(jwt) => {
                let mut part = |p: &Option<Pattern>, name: &str| {
                    p.as_ref()
                        .map(|p| p.render_at(vars, calls, &format!("{pointer}/$jwt/{name}")))
                        .transpose()
                };
                let header = part(&jwt.header, "header")?;
                let claims = part(&jwt.claims, "claims")?;
                Pattern::Jwt(Box::new(JwtPattern {
                    header,
                    claims,
                    jwks: jwt
                        .jwks
                        .as_ref()
                        .map(|v| {
                            template::render_under(v, vars, calls, &format!("{pointer}/$jwt/jwks"))
                        })
                        .transpose()?,
                }))
            }
            other => other.clone(),
        })
    }
}

fn render_all(
    items: &[Pattern],
    vars: &Vars,
    calls: &mut Calls,
    pointer: &str,
) -> Result<Vec<Pattern>, RenderError> {
    items
        .iter()
        .enumerate()
        .map(|(i, p)| p.render_at(vars, calls, &format!("{pointer}/{i}")))
        .collect()
}

fn render_regex(
    source: &str,
    vars: &Vars,
    calls: &mut Calls,
    pointer: &str,
) -> Result<Pattern, RenderError> {
    let rendered = template::render_under(&Value::String(source.to_owned()), vars, calls, pointer)?;
    let (source, compiled) = match rendered {
        Value::String(source) => {
            let compiled = match compile(&source) {
                Ok(re) => Compiled::Ready(re),
                Err(e) => Compiled::Failed(e.to_string()),
            };
            (source, compiled)
        }
        other => (
            other.to_string(),
            Compiled::Failed(format!("$regex rendered to a non-string: {other}")),
        ),
    };
    Ok(Pattern::Regex(RegexPattern { source, compiled }))
}

fn parse_at(value: &Value, pointer: &str, errors: &mut Vec<PatternError>) -> Pattern {
    match value {
        Value::Object(map) if map.keys().any(|k| k.starts_with('$')) => {
            let mut entries = map.iter();
            match (entries.next(), entries.next()) {
                (Some((name, arg)), None) => parse_matcher(name, arg, pointer, errors),
                _ => {
                    push(
                        errors,
                        pointer,
                        "a matcher object has exactly one member (its \"$name\")".into(),
                    );
                    Pattern::Any
                }
            }
        }
        Value::Object(map) => Pattern::Object {
            members: map
                .iter()
                .map(|(key, item)| {
                    let at = format!("{pointer}/{}", escape_pointer(key));
                    (key.clone(), parse_at(item, &at, errors))
                })
                .collect(),
        },
        Value::Array(items) => Pattern::Array {
            items: parse_all(items, pointer, errors),
        },
        Value::String(text) if text.contains("${") => Pattern::Templated(text.clone()),
        other => Pattern::Scalar(other.clone()),
    }
}

fn parse_all(items: &[Value], pointer: &str, errors: &mut Vec<PatternError>) -> Vec<Pattern> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| parse_at(item, &format!("{pointer}/{i}"), errors))
        .collect()
}

fn push(errors: &mut Vec<PatternError>, pointer: &str, message: String) {
    errors.push(PatternError {
        pointer: pointer.to_owned(),
        message,
    });
}

/// Parses the matcher `{name: arg}`; on an error, records it and stands in `$any`.
fn parse_matcher(
    name: &str,
    arg: &Value,
    pointer: &str,
    errors: &mut Vec<PatternError>,
) -> Pattern {
    let parsed = match name {
        "$any" | "$absent" if arg != &Value::Bool(true) => Err(format!("{name} takes true")),
        "$any" => Ok(Pattern::Any),
        "$absent" => Ok(Pattern::Absent),
        "$type" => arg
            .as_str()
            .and_then(JsonType::from_name)
            .map(Pattern::Type)
            .ok_or_else(|| {
                let names: Vec<_> = JsonType::ALL.iter().map(|t| t.name()).collect();
                format!("$type takes one of {}", names.join(", "))
            }),
        "$regex" => parse_regex(arg),
        "$range" => parse_range(arg, pointer, errors),
        "$contains" => match arg.as_array() {
            Some(items) if !items.is_empty() => Ok(Pattern::Contains(parse_all(
                items,
                &format!("{pointer}/$contains"),
                errors,
            ))),
            _ => Err("$contains takes a non-empty array of patterns".into()),
        },
        "$not" => Ok(Pattern::Not(Box::new(parse_at(
            arg,
            &format!("{pointer}/$not"),
            errors,
        )))),
        "$jwt" => parse_jwt(arg, pointer, errors),
        other => Err(format!(
            "unknown matcher {other:?}; known: {}",
            MATCHERS.join(", ")
        )),
    };
    parsed.unwrap_or_else(|message| {
        push(errors, pointer, message);
        Pattern::Any
    })
}

fn parse_regex(arg: &Value) -> Result<Pattern, String> {
    let source = arg.as_str().ok_or("$regex takes a string")?;
    // Templates are rendered before matching; a regex holding `${...}` is compiled then.
    let compiled = if source.contains("${") {
        Compiled::Template
    } else {
        Compiled::Ready(interned(source).map_err(|e| format!("$regex does not compile: {e}"))?)
    };
    Ok(Pattern::Regex(RegexPattern {
        source: source.to_owned(),
        compiled,
    }))
}

/// A `$range`; a bad bound is recorded (one error per bound) and the range stands as `$any`.
fn parse_range(
    arg: &Value,
    pointer: &str,
    errors: &mut Vec<PatternError>,
) -> Result<Pattern, String> {
    let map = arg
        .as_object()
        .ok_or("$range takes {\"min\": ..., \"max\": ...}")?;
    if map.is_empty() || map.keys().any(|k| k != "min" && k != "max") {
        return Err("$range takes \"min\" and/or \"max\" only".into());
    }
    let mut bad = false;
    for (key, bound) in map {
        // A bound that is a template is parsed once rendered.
        let templated = bound.as_str().is_some_and(|b| b.contains("${"));
        if !templated && Bound::parse(bound).is_none() {
            bad = true;
            push(
                errors,
                pointer,
                format!(
                    "$range {key} must be a number or \"now\", \"now-N\", \"now+N\" (found {bound})"
                ),
            );
        }
    }
    if bad {
        return Ok(Pattern::Any);
    }
    Ok(Pattern::Range(RangePattern {
        min: map.get("min").and_then(Bound::parse),
        max: map.get("max").and_then(Bound::parse),
        written: arg.clone(),
    }))
}

fn parse_jwt(
    arg: &Value,
    pointer: &str,
    errors: &mut Vec<PatternError>,
) -> Result<Pattern, String> {
    let spec = arg
        .as_object()
        .filter(|spec| {
            spec.keys()
                .all(|k| ["header", "claims", "jwks"].contains(&k.as_str()))
        })
        .ok_or(
            "$jwt takes {\"header\": pattern, \"claims\": pattern, \"jwks\": JWKS} (each optional)",
        )?;
    let part = |name: &str, errors: &mut Vec<PatternError>| {
        spec.get(name)
            .map(|p| parse_at(p, &format!("{pointer}/$jwt/{name}"), errors))
    };
    let header = part("header", errors);
    let claims = part("claims", errors);
    Ok(Pattern::Jwt(Box::new(JwtPattern {
        header,
        claims,
        jwks: spec.get("jwks").cloned(),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn errors(pattern: Value) -> Vec<PatternError> {
        Pattern::parse(&json!({"k": pattern}), "/steps/0/expect/body")
            .err()
            .unwrap_or_default()
    }

    #[rstest]
    #[case(json!({"$nope": 1}), "unknown matcher")]
    #[case(json!({"$regex": "("}), "does not compile")]
    #[case(json!({"$regex": 1}), "$regex takes a string")]
    #[case(json!({"$type": "str"}), "$type takes")]
    #[case(json!({"$any": 1}), "$any takes true")]
    #[case(json!({"$range": {"min": "yesterday"}}), "must be a number")]
    #[case(json!({"$range": {"min": "now€5"}}), "must be a number")]
    #[case(json!({"$range": {"mid": 1}}), "and/or")]
    #[case(json!({"$contains": []}), "non-empty")]
    #[case(json!({"$any": true, "x": 1}), "exactly one member")]
    #[case(json!({"$jwt": {"claim": {}}}), "$jwt takes")]
    fn bad_patterns(#[case] pattern: Value, #[case] message: &str) {
        let errors = errors(pattern);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].pointer, "/steps/0/expect/body/k");
        assert!(errors[0].message.contains(message), "{errors:?}");
    }

    #[test]
    fn nested_errors_name_their_place() {
        let errors = errors(json!({"$contains": [1, {"$jwt": {"claims": {"a": {"$x": 1}}}}]}));
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].pointer,
            "/steps/0/expect/body/k/$contains/1/$jwt/claims/a"
        );
        let both = errors_of(json!({"$range": {"min": "x", "max": "y"}}));
        assert_eq!(both.len(), 2, "{both:?}");
    }

    fn errors_of(pattern: Value) -> Vec<PatternError> {
        Pattern::parse(&pattern, "").err().unwrap_or_default()
    }

    #[rstest]
    #[case(json!({"a": [1, "x", null, {"$any": true}], "b": {"$absent": true}}))]
    #[case(json!({"$type": "integer"}))]
    #[case(json!({"$regex": "^a${x}"}))]
    #[case(json!({"$range": {"max": 5, "min": "now-60"}}))]
    #[case(json!({"$contains": [{"$regex": "^x"}, "${y}"]}))]
    #[case(json!({"$jwt": {"header": {"alg": "RS256"}, "claims": {"n": 1}, "jwks": "${jwks}"}}))]
    fn round_trips_to_the_written_json(#[case] pattern: Value) {
        assert_eq!(Pattern::parse(&pattern, "").unwrap().to_value(), pattern);
    }

    #[test]
    fn a_pattern_is_static_when_rendering_would_change_nothing() {
        let parse = |v: Value| Pattern::parse(&v, "").unwrap();
        for fixed in [
            json!({"a": {"$regex": "^x"}, "b": [1, {"$type": "string"}], "c": {"$absent": true}}),
            json!({"a": {"$range": {"min": "now-5", "max": 10}}, "b": {"$not": "x"}}),
            json!({"t": {"$jwt": {"claims": {"token_use": "id"}}}}),
        ] {
            assert!(parse(fixed.clone()).is_static(), "{fixed}");
        }
        for templated in [
            json!({"a": "${pool}"}),
            json!({"a": {"$regex": "^${pool}$"}}),
            json!({"a": {"$contains": [{"Id": "${pool}"}]}}),
            json!({"a": {"$not": "${pool}"}}),
            json!({"a": {"$range": {"min": "${jwt_claim(t, 'iat')}"}}}),
            json!({"t": {"$jwt": {"jwks": "${jwks}"}}}),
        ] {
            assert!(!parse(templated.clone()).is_static(), "{templated}");
        }
    }

    #[test]
    fn render_fills_templates_and_names_pointers() {
        let mut vars = Vars::new();
        vars.set("x", json!("a.c"));
        vars.set("obj", json!({"$any": 1}));
        let pattern = Pattern::parse(
            &json!({"r": {"$regex": "^${x}$"}, "o": "${obj}", "j": {"$jwt": {"jwks": "${x}"}}}),
            "",
        )
        .unwrap();
        let rendered = pattern.render(&vars).unwrap();
        assert_eq!(
            rendered.to_value(),
            json!({"r": {"$regex": "^a.c$"}, "o": {"$any": 1}, "j": {"$jwt": {"jwks": "a.c"}}})
        );
        // A captured value is data: its `$` keys are members, not matchers.
        let Pattern::Object { members } = &rendered else {
            panic!("{rendered:?}")
        };
        assert!(matches!(members[1].1, Pattern::Object { .. }));

        let nested = Pattern::parse(&json!({"a": {"$contains": [{"$regex": "${nope}"}]}}), "")
            .unwrap()
            .render(&vars)
            .unwrap_err();
        assert_eq!(
            nested.to_string(),
            "at /a/$contains/0/$regex: variable ${nope} is not defined (not captured yet?)"
        );
    }
}
