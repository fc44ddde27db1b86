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
    let failures = &mut checked.failures;

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

    let body = match serde_json::from_slice::<Value>(&reply.body) {
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
    };
    let code = error_code(reply.header("x-amzn-errortype"), body.as_ref());
    let success = (200..300).contains(&reply.status);

    match expect {
        Expect::Success { body: pattern } => {
            if !success {
                failures.push(Failure::Status {
                    expected: "success (2xx)",
                    found: reply.status,
                });
                if code.is_some() {
                    failures.push(Failure::ErrorCode {
                        expected: None,
                        found: code.clone(),
                    });
                }
            } else if let Some(body) = &body {
                if let Some(found) = &code {
                    // A 2xx that carries an error body is not a success.
                    failures.push(Failure::ErrorCode {
                        expected: None,
                        found: Some(found.clone()),
                    });
                }
                schema_check(
                    store,
                    operation,
                    &SchemaKind::Output,
                    "output",
                    body,
                    lenient,
                    failures,
                    &mut checked.warnings,
                );
                if let Some(pattern) = pattern {
                    failures.extend(
                        matcher::match_body(pattern, body)
                            .into_iter()
                            .map(Failure::from),
                    );
                }
            }
        }
        Expect::Error {
            code: expected,
            message,
        } => {
            let fault = is_server_fault(expected);
            let class_ok = if fault {
                (500..600).contains(&reply.status)
            } else {
                (400..500).contains(&reply.status)
            };
            if !class_ok {
                failures.push(Failure::Status {
                    expected: if fault {
                        "server error (5xx)"
                    } else {
                        "client error (4xx)"
                    },
                    found: reply.status,
                });
            }
            if code.as_deref() != Some(expected.as_str()) {
                failures.push(Failure::ErrorCode {
                    expected: Some(expected.clone()),
                    found: code.clone(),
                });
            }
            if let Some(found) = &code {
                let documented = store
                    .operation(operation)
                    .is_some_and(|op| op.errors.iter().any(|e| e == found));
                let common = store.index().common_errors.iter().any(|e| e == found);
                if !documented && !common {
                    failures.push(Failure::UndocumentedError {
                        code: found.clone(),
                        operation: operation.to_owned(),
                    });
                } else if !success && let Some(body) = &body {
                    let kind = SchemaKind::Error(found.clone());
                    schema_check(
                        store,
                        operation,
                        &kind,
                        found,
                        body,
                        lenient,
                        failures,
                        &mut checked.warnings,
                    );
                }
            }
            if let Some(pattern) = message {
                let found = body.as_ref().and_then(|b| {
                    b.get("message")
                        .or_else(|| b.get("Message"))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                });
                let ok = found
                    .as_ref()
                    .is_some_and(|have| matcher::matches(pattern, &Value::String(have.clone())));
                if !ok {
                    failures.push(Failure::Message {
                        expected: pattern.to_value().to_string(),
                        found,
                    });
                }
            }
        }
    }
    checked.body = body;
    checked.error_code = code;
    checked
}

#[allow(clippy::too_many_arguments)]
fn schema_check(
    store: &SchemaStore,
    operation: &str,
    kind: &SchemaKind,
    schema_name: &str,
    body: &Value,
    lenient: bool,
    failures: &mut Vec<Failure>,
    warnings: &mut Vec<String>,
) {
    match store.validate(operation, kind, body) {
        Ok(violations) => {
            let (accepted, violations): (Vec<_>, Vec<_>) = violations
                .into_iter()
                .partition(|v| lenient && v.undocumented_member);
            warnings.extend(accepted.into_iter().map(|v| {
                format!(
                    "{schema_name} schema: undocumented member accepted (--lenient) at {}: {}",
                    v.pointer, v.message
                )
            }));
            if !violations.is_empty() {
                failures.push(Failure::BodySchema {
                    schema: format!("{operation} {schema_name}"),
                    violations,
                });
            }
        }
        Err(e) => failures.push(Failure::BodySchema {
            schema: format!("{operation} {schema_name}"),
            violations: vec![crate::service::schemas::Violation {
                pointer: String::new(),
                message: format!("schema unavailable: {e}"),
                undocumented_member: false,
            }],
        }),
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
