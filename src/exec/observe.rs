//! A hook for what watches every request a case sends and the reply it gets (recording a run,
//! comparing a run with a recording, see [`crate::recording`]). The runner knows only this
//! interface: an [`Observer`] starts one [`CaseObserver`] per case, which sees each exchange in
//! the order it happened and may add failures to the step it belongs to.

use serde_json::Value;

use crate::exec::failure::{Failure, StepRef};
use crate::http::client::Reply;
use crate::spec::case::Case;
use crate::spec::template::Vars;

/// One request and its reply. A paginated step has one exchange per page; an `http_get` step
/// has an empty `operation` and its path as `request`.
pub struct Exchange<'a> {
    pub step: &'a StepRef,
    pub operation: &'a str,
    pub request: &'a Value,
    pub reply: &'a Reply,
}

/// Starts a [`CaseObserver`] for each case of a run. Shared by the cases running in parallel.
pub trait Observer: Send + Sync {
    /// A new case starts, with its built-in variables (`prefix`, `case_id`, passwords).
    fn start(&self, case: &Case, builtins: &Vars) -> Box<dyn CaseObserver>;
}

/// Watches one case.
pub trait CaseObserver: Send {
    /// One exchange; the failures returned are the step's.
    fn exchange(&mut self, exchange: &Exchange<'_>) -> Vec<Failure>;
    /// The case is over (teardown included).
    fn finish(self: Box<Self>);
}
