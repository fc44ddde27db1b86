//! `${name}` templates in case files. Any JSON string in a request or an expectation may refer to
//! variables: built-ins (`prefix`, `case_id`, `password`, `password2`) and values captured from
//! earlier replies. A string that is exactly `${name}` takes the variable's JSON value with its
//! type; elsewhere the value is spliced in as text (strings as they are, numbers and booleans as
//! JSON). `$${` writes a literal `${`.

use std::collections::BTreeMap;

use serde_json::Value;

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
}

/// A template syntax error: where in the string and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {offset} of {text:?})")]
pub struct SyntaxError {
    pub text: String,
    pub offset: usize,
    pub message: String,
}

/// Splits a string into text and `${var}` segments.
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
        } else if after.starts_with("${") {
            if pos > 0 {
                segments.push(Segment::Text(&rest[..pos]));
            }
            let Some(end) = after.find('}') else {
                return Err(SyntaxError {
                    text: text.to_owned(),
                    offset: offset + pos,
                    message: "unterminated \"${\"".to_owned(),
                });
            };
            let name = &after[2..end];
            if !is_name(name) {
                return Err(SyntaxError {
                    text: text.to_owned(),
                    offset: offset + pos,
                    message: format!(
                        "bad variable name {name:?}: use letters, digits and _ (write $${{ for a literal ${{)"
                    ),
                });
            }
            segments.push(Segment::Var(name));
            rest = &after[end + 1..];
            offset += pos + end + 1;
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
}

/// Renders every string in `value`.
pub fn render(value: &Value, vars: &Vars) -> Result<Value, RenderError> {
    render_at(value, vars, &mut String::new())
}

/// Renders every string in `value`, found at `pointer` in a larger value (errors name pointers
/// below it).
pub fn render_under(value: &Value, vars: &Vars, pointer: &str) -> Result<Value, RenderError> {
    render_at(value, vars, &mut pointer.to_owned())
}

fn render_at(value: &Value, vars: &Vars, pointer: &mut String) -> Result<Value, RenderError> {
    Ok(match value {
        Value::String(s) => render_string(s, vars, pointer)?,
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push_str(&format!("/{i}"));
                out.push(render_at(item, vars, pointer)?);
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
                out.insert(key.clone(), render_at(item, vars, pointer)?);
                pointer.truncate(len);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

fn render_string(text: &str, vars: &Vars, pointer: &str) -> Result<Value, RenderError> {
    if !text.contains('$') {
        return Ok(Value::String(text.to_owned()));
    }
    let segments = parse(text).map_err(|error| RenderError::Syntax {
        pointer: pointer.to_owned(),
        error,
    })?;
    let lookup = |name: &str| {
        vars.get(name).ok_or_else(|| RenderError::Undefined {
            pointer: pointer.to_owned(),
            name: name.to_owned(),
        })
    };
    if let [Segment::Var(name)] = segments.as_slice() {
        return lookup(name).cloned();
    }
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Text(t) => out.push_str(t),
            Segment::Var(name) => match lookup(name)? {
                Value::String(s) => out.push_str(s),
                other => out.push_str(&other.to_string()),
            },
        }
    }
    Ok(Value::String(out))
}

/// Every variable a value refers to, with the JSON pointer of the string that names it.
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
                if let Segment::Var(name) = segment {
                    found.push((pointer.clone(), name.to_owned()));
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

/// Escapes a key for use in a JSON pointer (RFC 6901).
pub fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
