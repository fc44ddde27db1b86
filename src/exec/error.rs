//! Harness errors: what went wrong in the harness (or in the case file, or in how the run was
//! stopped) rather than in the target. They are kept apart from [`Failure`](crate::exec::failure::Failure)s,
//! which are the target's: no expectations entry covers a harness error, a case with one has the
//! outcome `error`, and an error fails the run (pytest's *error* as opposed to *failure*).
//!
//! What counts as which: a panic inside the harness, an interrupt, the case's time running out,
//! an operation with no input schema and a template that cannot be rendered (bad syntax, a
//! non-string `http_get` path) are errors. A request that breaks the input schema and a template
//! naming a variable that an earlier reply should have carried but did not are the case's or the
//! target's, and stay failures (`request_schema`, `template`).

use std::fmt;

use crate::exec::failure::StepRef;
use crate::support::secrets::Secrets;

/// What went wrong in the harness during one step.
#[derive(Debug, Clone, PartialEq)]
pub enum HarnessError {
    /// The harness panicked while running the step.
    Panic { message: String },
    /// The run was interrupted (Ctrl-C, SIGTERM) before the step was sent; `reason` says so.
    Interrupted { reason: String },
    /// The case's setup and steps took longer than the per-case timeout; this step was cut short.
    CaseTimeout { seconds: f64 },
    /// The operation has no input schema to check the request against.
    NoSchema { operation: String, message: String },
    /// A template of the case could not be rendered (bad syntax, a non-string `http_get` path).
    Template { message: String },
}

impl HarnessError {
    /// The error's kind, as reports write it: `panic`, `interrupted`, `case_timeout`,
    /// `no_schema` or `template`.
    pub fn kind(&self) -> &'static str {
        match self {
            HarnessError::Panic { .. } => "panic",
            HarnessError::Interrupted { .. } => "interrupted",
            HarnessError::CaseTimeout { .. } => "case_timeout",
            HarnessError::NoSchema { .. } => "no_schema",
            HarnessError::Template { .. } => "template",
        }
    }

    /// Every kind, in the order the report schema lists them.
    pub const KINDS: [&'static str; 5] = [
        "panic",
        "interrupted",
        "case_timeout",
        "no_schema",
        "template",
    ];

    /// The error with every secret in its text masked (see [`crate::support::secrets`]).
    pub fn masked(&self, secrets: &Secrets) -> HarnessError {
        match self {
            HarnessError::Panic { message } => HarnessError::Panic {
                message: secrets.mask(message),
            },
            HarnessError::Template { message } => HarnessError::Template {
                message: secrets.mask(message),
            },
            HarnessError::NoSchema { operation, message } => HarnessError::NoSchema {
                operation: operation.clone(),
                message: secrets.mask(message),
            },
            other => other.clone(),
        }
    }

    /// The text of a panic's payload.
    pub fn panic(payload: &(dyn std::any::Any + Send)) -> HarnessError {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic without a message".into());
        HarnessError::Panic { message }
    }
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind();
        match self {
            HarnessError::Panic { message } => {
                write!(f, "[error: {kind}] the harness panicked: {message}")
            }
            HarnessError::Interrupted { reason } => write!(f, "[error: {kind}] {reason}"),
            HarnessError::CaseTimeout { seconds } => write!(
                f,
                "[error: {kind}] timed out: the case's {seconds} s (the per-case timeout) ran out \
                 during this step"
            ),
            HarnessError::NoSchema { operation, message } => write!(
                f,
                "[error: {kind}] no input schema for {operation}: {message}"
            ),
            HarnessError::Template { message } => write!(f, "[error: {kind}] {message}"),
        }
    }
}

/// A harness error with where it happened.
#[derive(Debug, Clone, PartialEq)]
pub struct StepError {
    /// The case file, as given to the loader.
    pub file: String,
    pub step: StepRef,
    pub error: HarnessError,
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.step, self.error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_lists_every_kind() {
        let every = [
            HarnessError::Panic {
                message: "m".into(),
            },
            HarnessError::Interrupted { reason: "r".into() },
            HarnessError::CaseTimeout { seconds: 0.5 },
            HarnessError::NoSchema {
                operation: "X".into(),
                message: "m".into(),
            },
            HarnessError::Template {
                message: "m".into(),
            },
        ];
        let kinds: Vec<&str> = every.iter().map(HarnessError::kind).collect();
        assert_eq!(kinds, HarnessError::KINDS);
        for error in &every {
            assert!(
                error
                    .to_string()
                    .starts_with(&format!("[error: {}] ", error.kind()))
            );
        }
    }
}
