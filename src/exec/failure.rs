//! The one failure type every check returns. Each variant is a named kind (see [`Failure::check`])
//! that expectations files can refer to, and carries what was expected and what was found.
//! [`StepFailure`] adds where it happened: the case file and the step.

use std::fmt;

use serde_json::Value;

use crate::service::schemas::Violation;
pub use crate::spec::case::Section;
use crate::support::secrets::Secrets;

/// The checks a step's reply (or request) goes through: the one list of check names. Expectations
/// files name them (`"check": "content_type"`), reports write them, and both JSON Schemas
/// (`schemas/expectations.schema.json`, `schemas/report.schema.json`) list exactly these (a
/// test keeps them in step). Each [`Failure`] is a failure of one check ([`Failure::check`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// A `${name}` whose variable was never captured (an earlier reply lacked it).
    Template,
    /// The request breaks the input schema, or a step marked `invalid_request` validates.
    RequestSchema,
    /// No usable reply.
    Transport,
    Status,
    ErrorCode,
    /// The error is not documented for the operation.
    DocumentedError,
    ContentType,
    RequestId,
    Json,
    BodySchema,
    Body,
    Message,
    Capture,
    Pagination,
    /// A reply differs from its recording (`run --verify-recording`, see [`crate::recording`]).
    Recording,
}

impl Check {
    /// Every check, in the order the schemas list them.
    pub const ALL: [Check; 15] = [
        Check::Template,
        Check::RequestSchema,
        Check::Transport,
        Check::Status,
        Check::ErrorCode,
        Check::DocumentedError,
        Check::ContentType,
        Check::RequestId,
        Check::Json,
        Check::BodySchema,
        Check::Body,
        Check::Message,
        Check::Capture,
        Check::Pagination,
        Check::Recording,
    ];

    /// The check's name, as expectations files and reports write it.
    pub fn name(self) -> &'static str {
        match self {
            Check::Template => "template",
            Check::RequestSchema => "request_schema",
            Check::Transport => "transport",
            Check::Status => "status",
            Check::ErrorCode => "error_code",
            Check::DocumentedError => "documented_error",
            Check::ContentType => "content_type",
            Check::RequestId => "request_id",
            Check::Json => "json",
            Check::BodySchema => "body_schema",
            Check::Body => "body",
            Check::Message => "message",
            Check::Capture => "capture",
            Check::Pagination => "pagination",
            Check::Recording => "recording",
        }
    }
}

impl std::str::FromStr for Check {
    type Err = String;

    /// The check named `name` (`"content_type"`).
    fn from_str(name: &str) -> Result<Check, String> {
        Check::ALL
            .into_iter()
            .find(|c| c.name() == name)
            .ok_or_else(|| format!("no check is named {name:?}"))
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq<&str> for Check {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

/// What went wrong in one step.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// A `${name}` whose variable was never captured: the reply that should have carried it
    /// did not (an unrenderable template is a harness error, see [`crate::exec::error`]).
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
    /// A value of the reply differs from the recording it is verified against (both
    /// normalised): `pointer` is into the exchange (`/body/User/Enabled`, `/status`), `exchange`
    /// its index in the case's recording; `None` is a member that is not there.
    Recording {
        exchange: usize,
        pointer: String,
        expected: Option<Value>,
        found: Option<Value>,
    },
}

impl Failure {
    /// The check that failed, as expectations files and reports name it (`"check": "content_type"`).
    pub fn check(&self) -> Check {
        match self {
            Failure::Template { .. } => Check::Template,
            Failure::RequestSchema { .. } | Failure::RequestUnexpectedlyValid => {
                Check::RequestSchema
            }
            Failure::Transport { .. } => Check::Transport,
            Failure::Status { .. } => Check::Status,
            Failure::ErrorCode { .. } => Check::ErrorCode,
            Failure::UndocumentedError { .. } => Check::DocumentedError,
            Failure::ContentType { .. } => Check::ContentType,
            Failure::RequestId => Check::RequestId,
            Failure::Json { .. } => Check::Json,
            Failure::BodySchema { .. } => Check::BodySchema,
            Failure::Body { .. } => Check::Body,
            Failure::Message { .. } => Check::Message,
            Failure::Capture { .. } => Check::Capture,
            Failure::Pagination { .. } => Check::Pagination,
            Failure::Recording { .. } => Check::Recording,
        }
    }

    /// The JSON pointers into the reply this failure is about: a body mismatch's, every schema
    /// violation's (empty for failures not about one place in a body).
    pub fn pointers(&self) -> Vec<&str> {
        match self {
            Failure::Body { pointer, .. } | Failure::Recording { pointer, .. } => {
                vec![pointer.as_str()]
            }
            Failure::BodySchema { violations, .. } | Failure::RequestSchema { violations } => {
                violations.iter().map(|v| v.pointer.as_str()).collect()
            }
            _ => Vec::new(),
        }
    }

    /// The value found, as text (a JSON string without its quotes), for failures that have one:
    /// the status, error code, undocumented code, content type, body value or message.
    pub fn found_text(&self) -> Option<String> {
        match self {
            Failure::Status { found, .. } => Some(found.to_string()),
            Failure::ErrorCode { found, .. }
            | Failure::ContentType { found, .. }
            | Failure::Message { found, .. } => found.clone(),
            Failure::UndocumentedError { code, .. } => Some(code.clone()),
            Failure::Body { found, .. } | Failure::Recording { found, .. } => {
                found.as_ref().map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            }
            _ => None,
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
            Failure::Recording {
                exchange,
                pointer,
                expected,
                found,
            } => Failure::Recording {
                exchange: *exchange,
                pointer: pointer.clone(),
                expected: expected.as_ref().map(|v| secrets.mask_value(v)),
                found: found.as_ref().map(|v| secrets.mask_value(v)),
            },
            other => other.clone(),
        }
    }
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

/// `exchange 0 at /body/User/Enabled: recorded true, found false`.
fn recording_diff(failure: &Failure) -> String {
    let Failure::Recording {
        exchange,
        pointer,
        expected,
        found,
    } = failure
    else {
        return String::new();
    };
    let shown = |v: &Option<Value>| v.as_ref().map_or("nothing".to_owned(), |v| v.to_string());
    format!(
        "exchange {exchange} at {pointer}: recorded {}, found {}",
        shown(expected),
        shown(found)
    )
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
            Failure::ErrorCode { expected, found } => write_error_code(f, expected, found),
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
            Failure::Json { message, excerpt } => write_json(f, message, excerpt),
            Failure::BodySchema { schema, violations } => {
                write!(f, "[{check}] body breaks the {schema} schema")?;
                write_violations(f, violations)
            }
            Failure::Body {
                pointer,
                expected,
                found,
                why,
            } => write_body(f, pointer, expected, found.as_ref(), why),
            Failure::Message { expected, found } => {
                write!(
                    f,
                    "[{check}] expected message {expected}, found {}",
                    opt(found)
                )
            }
            Failure::Pagination { message } => write!(f, "[{check}] {message}"),
            Failure::Recording { .. } => write!(f, "[{check}] {}", recording_diff(self)),
            Failure::Capture { variable, path } => write!(
                f,
                "[{check}] capture {variable:?}: path {path} matched nothing in the reply"
            ),
        }
    }
}

fn write_error_code(
    f: &mut fmt::Formatter<'_>,
    expected: &Option<String>,
    found: &Option<String>,
) -> fmt::Result {
    let check = Check::ErrorCode;
    match expected {
        None => write!(
            f,
            "[{check}] expected no error (a success), found error code {}",
            opt(found)
        ),
        Some(_) => write!(
            f,
            "[{check}] expected error code {}, found {}",
            opt(expected),
            opt(found)
        ),
    }
}

fn write_json(f: &mut fmt::Formatter<'_>, message: &str, excerpt: &str) -> fmt::Result {
    let check = Check::Json;
    write!(f, "[{check}] body is not a JSON object: {message}")?;
    if !excerpt.is_empty() {
        write!(f, "; body starts {excerpt:?}")?;
    }
    Ok(())
}

/// A body mismatch: where, why, and a diff of expected and found.
fn write_body(
    f: &mut fmt::Formatter<'_>,
    pointer: &str,
    expected: &Value,
    found: Option<&Value>,
    why: &str,
) -> fmt::Result {
    let check = Check::Body;
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
