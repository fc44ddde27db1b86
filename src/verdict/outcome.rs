//! The one list of outcomes: what a case (or one of its steps) came to, as the closing summary,
//! every report and the matrix name it. [`Verdict::outcome`](crate::verdict::expectations::Verdict::outcome)
//! gives a case's.

use serde::{Deserialize, Serialize};

/// What a case (or a step) came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    /// Passed but for failures that glob check-waivers (target quirks) cover; no per-case entry
    /// applied.
    PassedWithWaivers,
    Fail,
    ExpectedFailure,
    UnexpectedPass,
    Intermittent,
    /// The harness went wrong (a panic, an interrupt, the case's time running out, a missing
    /// schema, an unrenderable template): no expectation covers it, and it fails the run.
    Error,
    /// A step that did not run (an earlier step ended the case, or a teardown step whose
    /// variables were never captured).
    Skipped,
}

impl Outcome {
    /// Every case outcome (all but [`Outcome::Skipped`], which only steps have).
    pub const CASE_OUTCOMES: [Outcome; 7] = [
        Outcome::Pass,
        Outcome::PassedWithWaivers,
        Outcome::Fail,
        Outcome::ExpectedFailure,
        Outcome::UnexpectedPass,
        Outcome::Intermittent,
        Outcome::Error,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::PassedWithWaivers => "passed_with_waivers",
            Outcome::Fail => "fail",
            Outcome::ExpectedFailure => "expected_failure",
            Outcome::UnexpectedPass => "unexpected_pass",
            Outcome::Intermittent => "intermittent",
            Outcome::Error => "error",
            Outcome::Skipped => "skipped",
        }
    }

    /// Whether a case with this outcome fails the run.
    pub fn fails_run(self) -> bool {
        matches!(
            self,
            Outcome::Fail | Outcome::UnexpectedPass | Outcome::Error
        )
    }
}
