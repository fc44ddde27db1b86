//! The one event the runner side hands to reporters: a case finished, with its record and
//! verdict. Every reporter (summary, JSON, JUnit, Markdown) is built from these.

use crate::exec::runner::CaseReport;
use crate::spec::case::Case;
use crate::verdict::expectations::Verdict;

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
