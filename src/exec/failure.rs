//! The one failure type every check returns. Each variant is a named kind (see [`Failure::check`])
//! that expectations files can refer to, and carries what was expected and what was found.
//! [`StepFailure`] adds where it happened: the case file and the step.

use std::fmt;

use serde_json::Value;

use crate::service::schemas::Violation;
pub use crate::spec::case::Section;
use crate::support::secrets::Secrets;

/// What went wrong in one step.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// A `${name}` could not be rendered (unknown variable, or a non-string value mid-string).
    Template { message: String },
    /// The rendered request breaks the operation's input schema (and the step did not say so).
    RequestSchema { violations: Vec<Violation> },
    /// The step says `invalid_request`, but the request validates: the negative test tests nothing.
    RequestUnexpectedlyValid,
    /// The request never got a usable reply (connection refused, reset, timeout, a body over the
    /// client's cap, ...).
    Transport { message: String },
    /// The status class differs: success expected and not found, or the reverse.
    Status { expected: &'static str, found: u16 },
    /// The error code read from the reply differs from the expected one.
    ErrorCode {
        expected: Option<String>,
        found: Option<String>,
    },
    /// The error is neither one the operation documents nor a protocol-level error.
    UndocumentedError { code: String, operation: String },
    /// `Content-Type` is not `application/x-amz-json-1.1`.
    ContentType {
        expected: &'static str,
        found: Option<String>,
    },
    /// `x-amzn-RequestId` is missing or empty.
    RequestId,
    /// The body is not JSON (or not a JSON object).
    Json { message: String, excerpt: String },
    /// The body breaks the output (or error) schema.
    BodySchema {
        schema: String,
        violations: Vec<Violation>,
    },
    /// A value in the body differs from the case's expected body.
    Body {
        pointer: String,
        expected: Value,
        found: Option<Value>,
        why: String,
    },
    /// The error message differs from the expected one.
    Message {
        expected: String,
        found: Option<String>,
    },
    /// A capture path matched nothing in the reply.
    Capture { variable: String, path: String },
    /// Paging broke a rule: a page larger than the page size, an item on two pages, a token
    /// that comes back, or no end.
    Pagination { message: String },
}

impl Failure {
    /// The check's name, as used by expectations files (`"check": "content_type"`).
    pub fn check(&self) -> &'static str {
        match self {
            Failure::Template { .. } => "template",
            Failure::RequestSchema { .. } | Failure::RequestUnexpectedlyValid => "request_schema",
            Failure::Transport { .. } => "transport",
            Failure::Status { .. } => "status",
            Failure::ErrorCode { .. } => "error_code",
            Failure::UndocumentedError { .. } => "documented_error",
            Failure::ContentType { .. } => "content_type",
            Failure::RequestId => "request_id",
            Failure::Json { .. } => "json",
            Failure::BodySchema { .. } => "body_schema",
            Failure::Body { .. } => "body",
            Failure::Message { .. } => "message",
            Failure::Capture { .. } => "capture",
            Failure::Pagination { .. } => "pagination",
        }
    }

    /// The failure with every secret in its strings and values masked (see [`crate::support::secrets`]).
    pub fn masked(&self, secrets: &Secrets) -> Failure {
        let text = |s: &String| secrets.mask(s);
        let opt = |s: &Option<String>| s.as_ref().map(|s| secrets.mask(s));
        let violations = |vs: &[Violation]| {
            vs.iter()
                .map(|v| Violation {
                    pointer: v.pointer.clone(),
                    message: secrets.mask(&v.message),
                    undocumented_member: v.undocumented_member,
                })
                .collect()
        };
        match self {
            Failure::Template { message } => Failure::Template {
                message: text(message),
            },
            Failure::RequestSchema { violations: vs } => Failure::RequestSchema {
                violations: violations(vs),
            },
            Failure::Transport { message } => Failure::Transport {
                message: text(message),
            },
            Failure::Json { message, excerpt } => Failure::Json {
                message: text(message),
                excerpt: text(excerpt),
            },
            Failure::BodySchema {
                schema,
                violations: vs,
            } => Failure::BodySchema {
                schema: schema.clone(),
                violations: violations(vs),
            },
            Failure::Body {
                pointer,
                expected,
                found,
                why,
            } => Failure::Body {
                pointer: pointer.clone(),
                expected: secrets.mask_value(expected),
                found: found.as_ref().map(|f| secrets.mask_value(f)),
                why: text(why),
            },
            Failure::Message { expected, found } => Failure::Message {
                expected: text(expected),
                found: opt(found),
            },
            Failure::Pagination { message } => Failure::Pagination {
                message: text(message),
            },
            other => other.clone(),
        }
    }

    /// All check names, for validating expectations files.
    pub const CHECKS: &'static [&'static str] = &[
        "template",
        "request_schema",
        "transport",
        "status",
        "error_code",
        "documented_error",
        "content_type",
        "request_id",
        "json",
        "body_schema",
        "body",
        "message",
        "capture",
        "pagination",
    ];
}

fn opt(value: &Option<String>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "nothing".to_owned(),
    }
}

fn write_violations(f: &mut fmt::Formatter<'_>, violations: &[Violation]) -> fmt::Result {
    for v in violations {
        let pointer = if v.pointer.is_empty() {
            "/"
        } else {
            &v.pointer
        };
        write!(f, "\n    at {pointer}: {}", v.message)?;
    }
    Ok(())
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let check = self.check();
        match self {
            Failure::Template { message } => write!(f, "[{check}] {message}"),
            Failure::RequestSchema { violations } => {
                write!(
                    f,
                    "[{check}] request breaks the input schema and was not sent \
                     (mark the step \"invalid_request\": true if that is the point)"
                )?;
                write_violations(f, violations)
            }
            Failure::RequestUnexpectedlyValid => write!(
                f,
                "[{check}] step is marked \"invalid_request\" but its request validates against \
                 the input schema, so it tests nothing; was not sent"
            ),
            Failure::Transport { message } => write!(f, "[{check}] no reply: {message}"),
            Failure::Status { expected, found } => {
                write!(
                    f,
                    "[{check}] expected {expected} status, found HTTP {found}"
                )
            }
            Failure::ErrorCode {
                expected: None,
                found,
            } => write!(
                f,
                "[{check}] expected no error (a success), found error code {}",
                opt(found)
            ),
            Failure::ErrorCode { expected, found } => write!(
                f,
                "[{check}] expected error code {}, found {}",
                opt(expected),
                opt(found)
            ),
            Failure::UndocumentedError { code, operation } => write!(
                f,
                "[{check}] error {code:?} is not documented for {operation} and is not a \
                 protocol-level error"
            ),
            Failure::ContentType { expected, found } => write!(
                f,
                "[{check}] expected Content-Type {expected:?}, found {}",
                opt(found)
            ),
            Failure::RequestId => write!(f, "[{check}] reply has no x-amzn-RequestId header"),
            Failure::Json { message, excerpt } if excerpt.is_empty() => {
                write!(f, "[{check}] body is not a JSON object: {message}")
            }
            Failure::Json { message, excerpt } => {
                write!(
                    f,
                    "[{check}] body is not a JSON object: {message}; body starts {excerpt:?}"
                )
            }
            Failure::BodySchema { schema, violations } => {
                write!(f, "[{check}] body breaks the {schema} schema")?;
                write_violations(f, violations)
            }
            Failure::Body {
                pointer,
                expected,
                found,
                why,
            } => {
                let pointer = if pointer.is_empty() { "/" } else { pointer };
                write!(f, "[{check}] at {pointer}: {why}")?;
                if let Some(found) = found {
                    let (left, right) = (pretty(expected), pretty(found));
                    write!(
                        f,
                        "\n{}",
                        similar_asserts::SimpleDiff::from_str(&left, &right, "expected", "found")
                    )?;
                }
                Ok(())
            }
            Failure::Message { expected, found } => {
                write!(
                    f,
                    "[{check}] expected message {expected}, found {}",
                    opt(found)
                )
            }
            Failure::Pagination { message } => write!(f, "[{check}] {message}"),
            Failure::Capture { variable, path } => write!(
                f,
                "[{check}] capture {variable:?}: path {path} matched nothing in the reply"
            ),
        }
    }
}

/// Which step of a case: its section and index, e.g. `steps[1]`, plus its operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRef {
    pub section: Section,
    pub index: usize,
    pub operation: String,
}

impl StepRef {
    /// `steps[1]`: the form expectations files use.
    pub fn id(&self) -> String {
        format!("{}[{}]", self.section.name(), self.index)
    }
}

impl fmt::Display for StepRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.operation.is_empty() {
            // An `http_get` step calls no operation.
            write!(f, "{} http_get", self.id())
        } else {
            write!(f, "{} {}", self.id(), self.operation)
        }
    }
}

/// A failure with where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct StepFailure {
    /// The case file, as given to the loader (e.g. `cases/users/x.json`).
    pub file: String,
    pub step: StepRef,
    pub failure: Failure,
}

impl fmt::Display for StepFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.step, self.failure)
    }
}

/// A body that did not match its pattern is a `body` failure.
impl From<crate::spec::matcher::Mismatch> for Failure {
    fn from(m: crate::spec::matcher::Mismatch) -> Failure {
        Failure::Body {
            pointer: m.pointer,
            expected: m.expected,
            found: m.found,
            why: m.why,
        }
    }
}
