//! Reporters receive one event per finished case: the case, its [`CaseReport`] and its
//! [`Verdict`]. The [`Summary`] reporter prints, after the libtest lines, what libtest cannot
//! say: expected failures with their reasons, unexpected passes, warnings, and stale waivers.

use std::sync::Mutex;

use crate::case::Case;
use crate::expectations::Verdict;
use crate::runner::CaseReport;

/// The event a finished case produces.
pub struct CaseFinished<'a> {
    pub case: &'a Case,
    pub report: &'a CaseReport,
    pub verdict: &'a Verdict,
}

/// Something that wants to know about finished cases. Called from many threads.
pub trait Reporter: Send + Sync {
    fn case_finished(&self, event: &CaseFinished<'_>);
}

/// Collects verdicts for the closing summary.
#[derive(Default)]
pub struct Summary {
    rows: Mutex<Vec<(String, Verdict, Vec<String>)>>,
}

impl Reporter for Summary {
    fn case_finished(&self, event: &CaseFinished<'_>) {
        let warnings = event
            .report
            .warnings()
            .map(|(step, w)| format!("{step}: {w}"))
            .collect();
        if let Ok(mut rows) = self.rows.lock() {
            rows.push((event.case.id.clone(), event.verdict.clone(), warnings));
        }
    }
}

/// Counts per verdict.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub passed: usize,
    pub expected_failures: usize,
    pub failed: usize,
    pub unexpected_passes: usize,
}

impl Summary {
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for (_, verdict, _) in self.rows.lock().map(|r| r.clone()).unwrap_or_default() {
            match verdict {
                Verdict::Pass => totals.passed += 1,
                Verdict::ExpectedFailure { .. } => totals.expected_failures += 1,
                Verdict::Fail { .. } => totals.failed += 1,
                Verdict::UnexpectedPass { .. } => totals.unexpected_passes += 1,
            }
        }
        totals
    }

    /// The closing text: warnings, unexpected passes and the totals line.
    pub fn render(&self, target: &str) -> String {
        let mut rows = self.rows.lock().map(|r| r.clone()).unwrap_or_default();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = String::new();
        for (id, _, warnings) in &rows {
            for w in warnings {
                out.push_str(&format!("warning: {id}: {w}\n"));
            }
        }
        for (id, verdict, _) in &rows {
            if let Verdict::UnexpectedPass { reasons } = verdict {
                out.push_str(&format!(
                    "unexpected pass: {id} (listed for {target}: {})\n",
                    reasons.join("; ")
                ));
            }
        }
        let t = self.totals();
        out.push_str(&format!(
            "contract against {target}: {} passed, {} failed, {} expected failures, {} unexpected passes\n",
            t.passed, t.failed, t.expected_failures, t.unexpected_passes
        ));
        out
    }
}
