//! Checking one reply against what the step expects and what the protocol and the model demand:
//! the request id header, the content type, a JSON object body, the status class, the error code
//! (read by the awsJson1_1 rules), that the error is one the operation can return, the body
//! against the output or error schema, and the case's expected body or message. Each check adds
//! its own [`Failure`]; the caller decides what they mean.

use serde_json::Value;

use crate::exec::failure::Failure;
use crate::http::client::{CONTENT_TYPE, Reply};
use crate::service::error_code::error_code;
use crate::service::schemas::{SchemaKind, SchemaStore};
use crate::spec::case::Expect;
use crate::spec::matcher;
use crate::spec::pattern::Pattern;

/// What checking a reply found.
#[derive(Debug, Default)]
pub struct Checked {
    pub failures: Vec<Failure>,
    /// Undocumented members accepted in lenient mode.
    pub warnings: Vec<String>,
    /// The body, if it was JSON.
    pub body: Option<Value>,
    /// The error code read from the reply, if any.
    pub error_code: Option<String>,
}

/// Error codes that are server faults (5xx) rather than client errors (4xx).
fn is_server_fault(code: &str) -> bool {
    matches!(
        code,
        "InternalErrorException" | "InternalFailure" | "InternalServerError" | "ServiceUnavailable"
    )
}

/// Checks `reply` to `operation` against `expect` (already rendered).
pub fn check_reply(
    operation: &str,
    expect: &Expect,
    reply: &Reply,
    store: &SchemaStore,
    lenient: bool,
) -> Checked {
    let mut checked = Checked::default();
    check_headers(reply, &mut checked.failures);
    let body = parse_body(reply, &mut checked.failures);
    let code = error_code(reply.header("x-amzn-errortype"), body.as_ref());
    let schemas = SchemaCheck {
        store,
        operation,
        lenient,
    };
    let found = Found {
        status: reply.status,
        body: body.as_ref(),
        code: code.as_deref(),
    };
    match expect {
        Expect::Success { body: pattern } => {
            check_success(&schemas, &found, pattern.as_ref(), &mut checked);
        }
        Expect::Error {
            code: expected,
            message,
        } => {
            check_error(&schemas, &found, expected, message.as_ref(), &mut checked);
        }
    }
    checked.body = body;
    checked.error_code = code;
    checked
}

/// What a reply brought, read once for the checks of what the step expects.
struct Found<'a> {
    status: u16,
    /// The body, if it is a JSON object.
    body: Option<&'a Value>,
    /// The error code read by the awsJson1_1 rules.
    code: Option<&'a str>,
}

impl Found<'_> {
    fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The request id header and the content type, which every reply must have.
fn check_headers(reply: &Reply, failures: &mut Vec<Failure>) {
    if reply
        .header("x-amzn-requestid")
        .is_none_or(|id| id.trim().is_empty())
    {
        failures.push(Failure::RequestId);
    }
    let content_type = reply.header("content-type");
    let media_type = content_type.map(|ct| ct.split(';').next().unwrap_or(ct).trim());
    if media_type != Some(CONTENT_TYPE) {
        failures.push(Failure::ContentType {
            expected: CONTENT_TYPE,
            found: content_type.map(str::to_owned),
        });
    }
}

/// The body as a JSON object, or a failure saying what it is instead.
fn parse_body(reply: &Reply, failures: &mut Vec<Failure>) -> Option<Value> {
    match serde_json::from_slice::<Value>(&reply.body) {
        Ok(value @ Value::Object(_)) => Some(value),
        Ok(other) => {
            failures.push(Failure::Json {
                message: format!("a JSON {} instead of an object", json_type(&other)),
                excerpt: excerpt(&reply.body),
            });
            None
        }
        Err(e) => {
            failures.push(Failure::Json {
                message: why_not_json(&reply.body, &e),
                excerpt: excerpt(&reply.body),
            });
            None
        }
    }
}

/// A step that expects success: a 2xx without an error code, the body valid against the output
/// schema and matching the case's `pattern`.
fn check_success(
    schemas: &SchemaCheck,
    found: &Found,
    pattern: Option<&Pattern>,
    checked: &mut Checked,
) {
    if !found.is_success() {
        checked.failures.push(Failure::Status {
            expected: "success (2xx)",
            found: found.status,
        });
        if found.code.is_some() {
            checked.failures.push(Failure::ErrorCode {
                expected: None,
                found: found.code.map(str::to_owned),
            });
        }
    } else if let Some(body) = found.body {
        if let Some(code) = found.code {
            // A 2xx that carries an error body is not a success.
            checked.failures.push(Failure::ErrorCode {
                expected: None,
                found: Some(code.to_owned()),
            });
        }
        schemas.check(&SchemaKind::Output, "output", body, checked);
        if let Some(pattern) = pattern {
            checked.failures.extend(
                matcher::match_body(pattern, body)
                    .into_iter()
                    .map(Failure::from),
            );
        }
    }
}

/// A step that expects the error `expected`: the status class of that error (5xx for server
/// faults, else 4xx), that code, an error the operation documents (or a common one) whose body
/// is valid against its schema, and the case's `message`.
fn check_error(
    schemas: &SchemaCheck,
    found: &Found,
    expected: &str,
    message: Option<&Pattern>,
    checked: &mut Checked,
) {
    let fault = is_server_fault(expected);
    let class_ok = if fault {
        (500..600).contains(&found.status)
    } else {
        (400..500).contains(&found.status)
    };
    if !class_ok {
        checked.failures.push(Failure::Status {
            expected: if fault {
                "server error (5xx)"
            } else {
                "client error (4xx)"
            },
            found: found.status,
        });
    }
    if found.code != Some(expected) {
        checked.failures.push(Failure::ErrorCode {
            expected: Some(expected.to_owned()),
            found: found.code.map(str::to_owned),
        });
    }
    if let Some(code) = found.code {
        let store = schemas.store;
        let documented = store
            .operation(schemas.operation)
            .is_some_and(|op| op.errors.iter().any(|e| e == code));
        let common = store.index().common_errors.iter().any(|e| e == code);
        if !documented && !common {
            checked.failures.push(Failure::UndocumentedError {
                code: code.to_owned(),
                operation: schemas.operation.to_owned(),
            });
        } else if !found.is_success()
            && let Some(body) = found.body
        {
            schemas.check(&SchemaKind::Error(code.to_owned()), code, body, checked);
        }
    }
    if let Some(pattern) = message {
        check_message(found, pattern, &mut checked.failures);
    }
}

/// The error message (`message`, or `Message`) against the case's pattern.
fn check_message(found: &Found, pattern: &Pattern, failures: &mut Vec<Failure>) {
    let message = found.body.and_then(|b| {
        b.get("message")
            .or_else(|| b.get("Message"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    let ok = message
        .as_ref()
        .is_some_and(|have| matcher::matches(pattern, &Value::String(have.clone())));
    if !ok {
        failures.push(Failure::Message {
            expected: pattern.to_value().to_string(),
            found: message,
        });
    }
}

/// Validates bodies against the schemas of one operation.
struct SchemaCheck<'a> {
    store: &'a SchemaStore,
    operation: &'a str,
    /// Accept undocumented members, with a warning.
    lenient: bool,
}

impl SchemaCheck<'_> {
    /// Validates `body` against the schema `kind` (named `schema_name` in messages): a
    /// `BodySchema` failure for violations, a warning for each undocumented member accepted
    /// in lenient mode.
    fn check(&self, kind: &SchemaKind, schema_name: &str, body: &Value, checked: &mut Checked) {
        let operation = self.operation;
        match self.store.validate(operation, kind, body) {
            Ok(violations) => {
                let (accepted, violations): (Vec<_>, Vec<_>) = violations
                    .into_iter()
                    .partition(|v| self.lenient && v.undocumented_member);
                checked.warnings.extend(accepted.into_iter().map(|v| {
                    format!(
                        "{schema_name} schema: undocumented member accepted (--lenient) at {}: {}",
                        v.pointer, v.message
                    )
                }));
                if !violations.is_empty() {
                    checked.failures.push(Failure::BodySchema {
                        schema: format!("{operation} {schema_name}"),
                        violations,
                    });
                }
            }
            Err(e) => checked.failures.push(Failure::BodySchema {
                schema: format!("{operation} {schema_name}"),
                violations: vec![crate::service::schemas::Violation {
                    pointer: String::new(),
                    message: format!("schema unavailable: {e}"),
                    undocumented_member: false,
                }],
            }),
        }
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Why a body that does not parse is not JSON, in words: empty, not UTF-8, an HTML (or XML)
/// page such as a proxy's error page, or else the parser's error.
pub fn why_not_json(body: &[u8], error: &serde_json::Error) -> String {
    if body.is_empty() {
        return "the body is empty".to_owned();
    }
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(e) => return format!("it is not valid UTF-8 ({e})"),
    };
    let start = text.trim_start();
    if start.starts_with('<') {
        let head = start
            .chars()
            .take(512)
            .collect::<String>()
            .to_ascii_lowercase();
        let kind = if head.starts_with("<!doctype html") || head.contains("<html") {
            "an HTML page"
        } else {
            "HTML or XML"
        };
        return format!("it is not JSON but looks like {kind} ({error})");
    }
    if start.is_empty() {
        return "the body is only whitespace".to_owned();
    }
    format!("it is not JSON ({error})")
}

/// The first 120 characters of a body, lossily decoded, for messages.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(480)]);
    text.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(body: &[u8]) -> String {
        let error = serde_json::from_slice::<Value>(body).unwrap_err();
        why_not_json(body, &error)
    }

    #[test]
    fn a_body_that_is_not_json_is_named_for_what_it_is() {
        assert_eq!(why(b""), "the body is empty");
        assert_eq!(why(b"  \r\n"), "the body is only whitespace");
        assert!(
            why(b"{\"a\": \"\xff\"}").starts_with("it is not valid UTF-8 (invalid utf-8"),
            "{}",
            why(b"{\"a\": \"\xff\"}")
        );
        assert!(why(b"<!DOCTYPE html><html>").contains("looks like an HTML page"));
        assert!(why(b"<?xml version=\"1.0\"?><Error/>").contains("looks like HTML or XML"));
        assert!(why(b"Internal Server Error").starts_with("it is not JSON (expected"));
        // Multi-byte characters near where the HTML sniffing stops do not split.
        let long = format!("<{}", "\u{e9}".repeat(600));
        assert!(why(long.as_bytes()).contains("HTML or XML"));
    }
}
