//! `${name}` templates in case files. Any JSON string in a request or an expectation may refer to
//! variables: built-ins (`prefix`, `case_id`, `password`, `password2`), values captured from
//! earlier replies, and values computed as the step is rendered: `${srp_a}`, `${srp_timestamp}`
//! and calls such as `${totp(secret)}` or `${secret_hash(user, client, 'literal')}` (arguments are
//! variable names or `'quoted'` literals; the functions are [`crate::spec::functions`]'s). A
//! string that is exactly `${name}` (or one call) takes the value with its JSON type; elsewhere the
//! value is spliced in as text (strings as they are, other values as JSON). `$${` writes a literal
//! `${`. An unknown function or a wrong number of arguments is a syntax error, so a case that
//! makes either does not load.

use std::collections::BTreeMap;
use std::time::SystemTime;

use serde_json::Value;

use crate::spec::functions::{self, AuthState, Calls};
use crate::support::secrets::Secrets;

/// Variables visible to a case run.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, Value>,
}

impl Vars {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.values.contains_key(name)
    }
}

/// A piece of a template string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Var(&'a str),
    /// `${name(arg, 'literal')}`: a call of a known function with the right number of arguments.
    Call {
        name: &'a str,
        args: Vec<Arg<'a>>,
    },
}

/// An argument of a call: a variable or a `'quoted'` literal (which cannot contain `'`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg<'a> {
    Var(&'a str),
    Literal(&'a str),
}

/// A template syntax error: where in the string and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {offset} of {text:?})")]
pub struct SyntaxError {
    pub text: String,
    pub offset: usize,
    pub message: String,
}

/// Splits a string into text, `${var}` and `${call(...)}` segments.
pub fn parse(text: &str) -> Result<Vec<Segment<'_>>, SyntaxError> {
    let mut segments = Vec::new();
    let mut rest = text;
    let mut offset = 0;
    while let Some(pos) = rest.find('$') {
        let after = &rest[pos..];
        if after.starts_with("$${") {
            if pos > 0 {
                segments.push(Segment::Text(&rest[..pos]));
            }
            segments.push(Segment::Text("${"));
            rest = &rest[pos + 3..];
            offset += pos + 3;
        } else if let Some(body) = after.strip_prefix("${") {
            if pos > 0 {
                segments.push(Segment::Text(&rest[..pos]));
            }
            let fail = |at: usize, message: String| SyntaxError {
                text: text.to_owned(),
                offset: offset + pos + at,
                message,
            };
            let (segment, used) = placeholder(body).map_err(|(at, m)| fail(2 + at, m))?;
            segments.push(segment);
            rest = &after[2 + used..];
            offset += pos + 2 + used;
        } else {
            segments.push(Segment::Text(&rest[..pos + 1]));
            rest = &rest[pos + 1..];
            offset += pos + 1;
        }
    }
    if !rest.is_empty() {
        segments.push(Segment::Text(rest));
    }
    Ok(segments)
}

/// One placeholder after its `${`: the segment and how many bytes it used (through the `}`), or
/// where and why it is malformed.
fn placeholder(body: &str) -> Result<(Segment<'_>, usize), (usize, String)> {
    let unterminated = || (0, "unterminated \"${\"".to_owned());
    let name_end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .ok_or_else(unterminated)?;
    let name = &body[..name_end];
    let bad_name = |found: &str| {
        format!(
            "bad variable name {found:?}: use letters, digits and _ (write $${{ for a literal ${{)"
        )
    };
    match body[name_end..].chars().next() {
        Some('}') if is_name(name) => Ok((Segment::Var(name), name_end + 1)),
        Some('(') if is_name(name) => {
            let (args, used) =
                arguments(&body[name_end + 1..]).map_err(|(at, m)| (name_end + 1 + at, m))?;
            let end = name_end + 1 + used;
            if !body[end..].starts_with('}') {
                return Err((end, "expected \"}\" after the call's \")\"".to_owned()));
            }
            check_call(name, args.len()).map_err(|m| (0, m))?;
            Ok((Segment::Call { name, args }, end + 1))
        }
        _ => match body.find('}') {
            Some(end) => Err((0, bad_name(&body[..end]))),
            None => Err(unterminated()),
        },
    }
}

/// The arguments after a call's `(`, through its `)`: and how many bytes they used.
fn arguments(body: &str) -> Result<(Vec<Arg<'_>>, usize), (usize, String)> {
    let mut args = Vec::new();
    let mut at = 0;
    let skip_spaces =
        |at: usize| at + (body[at..].len() - body[at..].trim_start_matches(' ').len());
    at = skip_spaces(at);
    if body[at..].starts_with(')') {
        return Ok((args, at + 1));
    }
    loop {
        at = skip_spaces(at);
        if let Some(quoted) = body[at..].strip_prefix('\'') {
            let end = quoted
                .find('\'')
                .ok_or((at, "unterminated 'literal'".to_owned()))?;
            args.push(Arg::Literal(&quoted[..end]));
            at += end + 2;
        } else {
            let end = body[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(body.len(), |e| at + e);
            let name = &body[at..end];
            if !is_name(name) {
                return Err((
                    at,
                    "an argument is a variable name or a 'quoted' literal".to_owned(),
                ));
            }
            args.push(Arg::Var(name));
            at = end;
        }
        at = skip_spaces(at);
        match body[at..].chars().next() {
            Some(',') => at += 1,
            Some(')') => return Ok((args, at + 1)),
            _ => {
                return Err((
                    at,
                    "expected \",\" or \")\" in the call's arguments".to_owned(),
                ));
            }
        }
    }
}

/// A call names a known function with the right number of arguments.
fn check_call(name: &str, count: usize) -> Result<(), String> {
    let known = || {
        functions::FUNCTIONS
            .iter()
            .map(|f| f.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let function = functions::function(name)
        .ok_or_else(|| format!("unknown function {name}; known: {}", known()))?;
    if function.params.len() != count {
        return Err(format!(
            "{name}({}) takes {} arguments, found {count}",
            function.params.join(", "),
            function.params.len()
        ));
    }
    Ok(())
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A rendering error: a variable that is not defined, or malformed template syntax.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    #[error("at {pointer}: variable ${{{name}}} is not defined (not captured yet?)")]
    Undefined { pointer: String, name: String },
    #[error("at {pointer}: {error}")]
    Syntax { pointer: String, error: SyntaxError },
    #[error("at {pointer}: {name}: {message}")]
    Function {
        pointer: String,
        name: String,
        message: String,
    },
}

/// Renders every string in `value`, with a throwaway function state: functions that need an
/// earlier step's state (`srp_signature` after `${srp_a}`) fail. Cases render through
/// [`render_with`].
pub fn render(value: &Value, vars: &Vars) -> Result<Value, RenderError> {
    let mut state = AuthState::default();
    let mut secrets = Secrets::new();
    let mut calls = Calls::new(&mut state, &mut secrets, SystemTime::now());
    render_with(value, vars, &mut calls)
}

/// Renders every string in `value`, calling functions with `calls` (one per step).
pub fn render_with(value: &Value, vars: &Vars, calls: &mut Calls) -> Result<Value, RenderError> {
    render_at(value, vars, calls, &mut String::new())
}

/// Renders every string in `value`, found at `pointer` in a larger value (errors name pointers
/// below it), calling functions with `calls`.
pub fn render_under(
    value: &Value,
    vars: &Vars,
    calls: &mut Calls,
    pointer: &str,
) -> Result<Value, RenderError> {
    render_at(value, vars, calls, &mut pointer.to_owned())
}

fn render_at(
    value: &Value,
    vars: &Vars,
    calls: &mut Calls,
    pointer: &mut String,
) -> Result<Value, RenderError> {
    Ok(match value {
        Value::String(s) => render_string(s, vars, calls, pointer)?,
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                out.push(render_at(item, vars, calls, pointer)?);
                pointer.truncate(len);
            }
            Value::Array(out)
        }
        Value::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, item) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_pointer(key));
                out.insert(key.clone(), render_at(item, vars, calls, pointer)?);
                pointer.truncate(len);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

fn render_string(
    text: &str,
    vars: &Vars,
    calls: &mut Calls,
    pointer: &str,
) -> Result<Value, RenderError> {
    if !text.contains('$') {
        return Ok(Value::String(text.to_owned()));
    }
    let segments = parse(text).map_err(|error| RenderError::Syntax {
        pointer: pointer.to_owned(),
        error,
    })?;
    if let [segment @ (Segment::Var(_) | Segment::Call { .. })] = segments.as_slice() {
        return value_of(segment, vars, calls, pointer);
    }
    let mut out = String::new();
    for segment in &segments {
        match segment {
            Segment::Text(t) => out.push_str(t),
            other => match value_of(other, vars, calls, pointer)? {
                Value::String(s) => out.push_str(&s),
                other => out.push_str(&other.to_string()),
            },
        }
    }
    Ok(Value::String(out))
}

/// The value of a variable or call segment.
fn value_of(
    segment: &Segment,
    vars: &Vars,
    calls: &mut Calls,
    pointer: &str,
) -> Result<Value, RenderError> {
    let function_error = |name: &str, message: String| RenderError::Function {
        pointer: pointer.to_owned(),
        name: name.to_owned(),
        message,
    };
    let lookup = |name: &str, calls: &mut Calls| match vars.get(name) {
        Some(value) => Ok(value.clone()),
        None => match calls.variable(name) {
            Some(computed) => computed.map_err(|m| function_error(name, m)),
            None => Err(RenderError::Undefined {
                pointer: pointer.to_owned(),
                name: name.to_owned(),
            }),
        },
    };
    match segment {
        Segment::Text(t) => Ok(Value::String((*t).to_owned())),
        Segment::Var(name) => lookup(name, calls),
        Segment::Call { name, args } => {
            let mut values = Vec::with_capacity(args.len());
            for arg in args {
                values.push(match arg {
                    Arg::Var(var) => lookup(var, calls)?,
                    Arg::Literal(text) => Value::String((*text).to_owned()),
                });
            }
            calls
                .call(name, &values)
                .map_err(|m| function_error(name, m))
        }
    }
}

/// Every variable a value refers to (also as a call's argument), with the JSON pointer of the
/// string that names it. A malformed template, an unknown function or a wrong number of
/// arguments is an error.
pub fn references(value: &Value, base: &str) -> Result<Vec<(String, String)>, RenderError> {
    let mut found = Vec::new();
    collect(value, &mut base.to_owned(), &mut found)?;
    Ok(found)
}

fn collect(
    value: &Value,
    pointer: &mut String,
    found: &mut Vec<(String, String)>,
) -> Result<(), RenderError> {
    match value {
        Value::String(s) if s.contains('$') => {
            let segments = parse(s).map_err(|error| RenderError::Syntax {
                pointer: pointer.clone(),
                error,
            })?;
            for segment in segments {
                match segment {
                    Segment::Var(name) => found.push((pointer.clone(), name.to_owned())),
                    Segment::Call { args, .. } => {
                        for arg in args {
                            if let Arg::Var(name) = arg {
                                found.push((pointer.clone(), name.to_owned()));
                            }
                        }
                    }
                    Segment::Text(_) => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                collect(item, pointer, found)?;
                pointer.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&escape_pointer(key));
                collect(item, pointer, found)?;
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Whether rendering `value` would give it back unchanged: no string in it holds a `$` (member
/// names are not rendered). A step whose request is static is sent as written, uncopied.
pub fn is_static(value: &Value) -> bool {
    match value {
        Value::String(s) => !s.contains('$'),
        Value::Array(items) => items.iter().all(is_static),
        Value::Object(map) => map.values().all(is_static),
        _ => true,
    }
}

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_value_is_static_when_no_string_in_it_holds_a_dollar() {
        assert!(is_static(
            &json!({"UserPoolId": "us-east-1_a", "n": 1, "l": [true, null]})
        ));
        assert!(is_static(&json!({"${not rendered}": "member names stay"})));
        for templated in [
            json!("${pool}"),
            json!({"a": {"b": ["x", "p=${pool}"]}}),
            json!(["$$literal"]),
        ] {
            assert!(!is_static(&templated), "{templated}");
        }
    }

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.set("pool", json!("us-east-1_abc"));
        v.set("n", json!(3));
        v.set("list", json!(["a", "b"]));
        v
    }

    #[test]
    fn whole_string_keeps_type() {
        let out = render(&json!({"a": "${n}", "b": "${list}"}), &vars()).unwrap();
        assert_eq!(out, json!({"a": 3, "b": ["a", "b"]}));
    }

    #[test]
    fn splices_into_text() {
        let out = render(&json!(["id=${pool}/${n}", "$${pool}", "cost $5"]), &vars()).unwrap();
        assert_eq!(out, json!(["id=us-east-1_abc/3", "${pool}", "cost $5"]));
    }

    #[test]
    fn undefined_names_pointer() {
        let err = render(&json!({"x": [{"y": "${nope}"}]}), &vars()).unwrap_err();
        assert_eq!(
            err,
            RenderError::Undefined {
                pointer: "/x/0/y".into(),
                name: "nope".into()
            }
        );
    }

    #[test]
    fn syntax_errors() {
        assert!(parse("${unterminated").is_err());
        assert!(parse("${bad-name}").is_err());
        assert!(parse("${}").is_err());
    }

    #[test]
    fn calls_parse_with_variables_and_literals() {
        assert_eq!(
            parse("x ${secret_hash(user, client,'a, b)}')}").unwrap(),
            vec![
                Segment::Text("x "),
                Segment::Call {
                    name: "secret_hash",
                    args: vec![Arg::Var("user"), Arg::Var("client"), Arg::Literal("a, b)}")],
                },
            ]
        );
        let err = |t: &str| parse(t).unwrap_err().message;
        assert!(err("${nope(x)}").contains("unknown function nope"));
        assert!(err("${totp(a, b)}").contains("takes 1 arguments, found 2"));
        assert!(err("${totp()}").contains("found 0"));
        assert!(err("${totp('x}").contains("unterminated 'literal'"));
        assert!(err("${totp(x y)}").contains("expected"));
        assert!(err("${totp(x)").contains("expected \"}\""));
        assert!(err("${totp(-)}").contains("variable name or a 'quoted' literal"));
    }

    #[test]
    fn calls_render_with_their_json_type_and_splice() {
        let mut v = vars();
        v.set(
            "meta",
            json!({"DeviceGroupKey": "g", "DeviceKey": "us-east-1_d"}),
        );
        let out = render(&json!({"c": "${device_verifier(meta)}"}), &v).unwrap();
        assert!(out["c"]["PasswordVerifier"].is_string(), "{out}");
        let out = render(&json!("h=${secret_hash('alice', pool, 'k')}"), &v).unwrap();
        assert_eq!(out, json!("h=8sKMbTjSHZOHNw1f2HtpQ5pEBiYusXaCoipeU8vDShY="));
        let err = render(&json!({"x": "${srp_signature(list, pool, pool)}"}), &v).unwrap_err();
        assert!(
            matches!(&err, RenderError::Function { pointer, name, .. } if pointer == "/x" && name == "srp_signature"),
            "{err}"
        );
        let out = render(&json!(["${srp_timestamp}", "${srp_a}"]), &v).unwrap();
        assert!(out[0].as_str().unwrap().contains(" UTC "), "{out}");
        assert!(out[1].as_str().unwrap().len() > 500, "{out}");
    }

    #[test]
    fn references_include_call_arguments() {
        let refs = references(&json!("${totp(code)} ${secret_hash(u, 'c', s)}"), "").unwrap();
        let names: Vec<&str> = refs.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["code", "u", "s"]);
    }

    #[test]
    fn references_lists_every_use() {
        let refs = references(
            &json!({"a": "${x}-${y}", "b": ["${z}"]}),
            "/steps/0/request",
        )
        .unwrap();
        assert_eq!(
            refs,
            vec![
                ("/steps/0/request/a".into(), "x".into()),
                ("/steps/0/request/a".into(), "y".into()),
                ("/steps/0/request/b/0".into(), "z".into()),
            ]
        );
    }
}
