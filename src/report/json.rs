//! The JSON report: one document per run with the target, endpoint, region, model and harness
//! versions, and per case and per step what happened (operation, request id, status, error code,
//! duration, outcome, failures, harness error). It is the machine-readable record the other outputs are drawn
//! from: the JUnit and Markdown files render it, `cognito-contract matrix` reads several of them,
//! and `cognito-contract expectations update` rewrites an expectations file from one.
//!
//! The format is versioned ([`FORMAT`], [`FORMAT_VERSION`]) and described by
//! `schemas/report.schema.json`; [`validate`] checks a document against it and [`RunReport::read`]
//! refuses files that do not validate. Reports of the same target can be merged
//! ([`RunReport::merge`]): shards of one suite, or the one-case processes of a nextest run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::exec::error::HarnessError;
use crate::exec::failure::Check;
use crate::exec::runner::StepRecord;
pub use crate::report::divergences::Divergence;
use crate::report::divergences::{self, Reported, Seen};
use crate::report::events::CaseFinished;
pub use crate::spec::case::{CaseRef, tested_operations};
use crate::spec::case::{Expect, Section, Step};
use crate::support::text::strip_ansi;
use crate::verdict::expectations::Verdict;
pub use crate::verdict::outcome::Outcome;

/// The `format` member of every report.
pub const FORMAT: &str = "cognito-contract-report";
/// The version of the format; bumped whenever a member changes meaning or is removed. Version 2
/// added the `error` outcome (harness errors, which version 1 reported as `transport` or
/// `template` failures), the steps' `error` and the totals' `errors`.
pub const FORMAT_VERSION: u32 = 2;
/// The harness's own version, written into every report.
pub const HARNESS_VERSION: &str = env!("CARGO_PKG_VERSION");

/// One run (or several merged runs of the same target).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunReport {
    pub format: String,
    pub format_version: u32,
    /// Identifies the run: nextest's run id under `cargo nextest`, else random.
    pub run_id: String,
    pub harness: Harness,
    pub model: ModelVersion,
    /// The target's name (which selects its expectations); `None` for an unnamed endpoint.
    pub target: Option<String>,
    pub endpoint: String,
    pub region: String,
    /// RFC 3339, UTC, milliseconds.
    pub started_at: String,
    pub finished_at: String,
    /// Every case of the suite ran (no filter, no partition): only then are stale
    /// expectations reported and can `expectations update` drop unused waivers.
    pub complete: bool,
    pub totals: Totals,
    /// Waivers that covered nothing in a complete run.
    pub stale_expectations: Vec<StaleExpectation>,
    /// Failures in setup and teardown replies that did not end their case, once per
    /// (section, operation, check, place), with the cases that saw them (absent in older
    /// reports; recomputed from the cases on a merge).
    #[serde(default)]
    pub setup_divergences: Vec<Divergence>,
    /// The cases that ran, sorted by id.
    pub cases: Vec<CaseResult>,
    /// The cases of the suite that did not run (filtered out, another shard's), sorted by id.
    pub not_run: Vec<CaseRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Harness {
    pub name: String,
    pub version: String,
}

/// The service model the schemas were generated from (`schemas/index.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelVersion {
    pub service: String,
    pub botocore: Option<String>,
    pub api_version: String,
}

/// Counts per case outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Cases that ran.
    pub cases: usize,
    pub passed: usize,
    /// Cases that passed but for failures glob check-waivers cover (absent in older reports).
    #[serde(default)]
    pub passed_with_waivers: usize,
    pub failed: usize,
    pub expected_failures: usize,
    pub unexpected_passes: usize,
    pub intermittent: usize,
    /// Cases with a harness error.
    pub errors: usize,
    pub not_run: usize,
    /// Cases that ran whose first step ran: their setup did not end them (absent in older
    /// reports).
    #[serde(default)]
    pub reached_steps: usize,
}

/// An expectation entry that waived nothing in a complete run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaleExpectation {
    pub case: String,
    pub check: Option<Check>,
    pub reason: String,
}

/// A case that ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseResult {
    pub id: String,
    pub area: String,
    pub file: String,
    pub description: String,
    pub tags: Vec<String>,
    /// The operations the case's `steps` call (what it tests), in order, without repeats.
    pub operations: Vec<String>,
    /// Where the asserted behaviour comes from, as the case file names it (URLs, `model`,
    /// `recording:<path>`, `unverified`). Absent in reports written before cases named it.
    #[serde(default)]
    pub evidence: Vec<String>,
    pub outcome: Outcome,
    pub duration_ms: f64,
    /// The reasons of the expectation entries that applied (or, for an unexpected pass, that
    /// were not met).
    pub reasons: Vec<String>,
    /// Why the case fails the run: the unexpected failures, or the unmet expectations.
    pub message: Option<String>,
    /// The first step with an unexpected failure, e.g. `steps[0] AdminCreateUser`.
    pub failing_step: Option<String>,
    /// Every step of the case in file order (setup, steps, teardown), run or not.
    pub steps: Vec<StepResult>,
}

/// One step of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepResult {
    /// `steps[1]`: the form expectations files use.
    pub id: String,
    pub section: String,
    pub index: usize,
    /// The API operation; empty for an `http_get` step.
    pub operation: String,
    /// The path (a template) of an `http_get` step, which is a plain `GET` instead of a call.
    pub http_get: Option<String>,
    pub name: Option<String>,
    /// The error the case expects; `None` when it expects success.
    pub expected_error: Option<String>,
    pub outcome: Outcome,
    /// HTTP status of the reply; `None` when nothing was received (or the step did not run).
    pub status: Option<u16>,
    pub error_code: Option<String>,
    pub request_id: Option<String>,
    pub duration_ms: f64,
    pub failures: Vec<FailureResult>,
    /// A harness error in this step (then its outcome is `error`); no expectation covers it.
    pub error: Option<ErrorResult>,
    pub warnings: Vec<String>,
    /// The attempts of a step that failed after retrying, e.g. `3 attempts: attempt 1: ...`.
    pub retries: Option<String>,
    /// How often the step was sent: more than 1 for an `eventually` step that was repeated, 0
    /// for a step that did not run. Absent in reports written before steps could repeat.
    #[serde(default = "one_try")]
    pub tries: u32,
}

fn one_try() -> u32 {
    1
}

/// One failed check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureResult {
    /// The check's name, as expectations files use it (`status`, `body_schema`, ...).
    pub check: Check,
    pub message: String,
    /// An expectation entry covers this failure.
    pub expected: bool,
    /// The JSON pointers the failure is about ([`crate::exec::failure::Failure::pointers`]); empty for none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at: Vec<String>,
    /// The value found, as text ([`crate::exec::failure::Failure::found_text`]), for failures that have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

/// A harness error of a step.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorResult {
    /// `panic`, `interrupted`, `case_timeout`, `no_schema` or `template` ([`HarnessError::kind`]).
    pub kind: String,
    pub message: String,
}

impl From<&HarnessError> for ErrorResult {
    fn from(error: &HarnessError) -> ErrorResult {
        ErrorResult {
            kind: error.kind().to_owned(),
            message: strip_ansi(&error.to_string()),
        }
    }
}

fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

/// The setup and teardown divergences of `cases`, each once with the cases that saw it.
pub fn setup_divergences(cases: &[CaseResult]) -> Vec<Divergence> {
    divergences::group(cases.iter().map(|c| (c.id.as_str(), c.divergences())))
}

impl CaseResult {
    /// The setup and teardown divergences this case saw ([`divergences::of_case`]).
    pub fn divergences(&self) -> Vec<Seen> {
        divergences::of_case(self.steps.iter().flat_map(|step| {
            step.failures.iter().map(move |f| Reported {
                section: &step.section,
                operation: &step.operation,
                check: f.check,
                at: &f.at,
                expected: f.expected,
                message: &f.message,
            })
        }))
    }

    /// Whether the case's first step ran (its setup did not end it). A case without steps
    /// counts as reaching them when it ran at all.
    pub fn reached_steps(&self) -> bool {
        self.steps
            .iter()
            .find(|s| s.section == Section::Steps.name())
            .is_none_or(|s| s.outcome != Outcome::Skipped)
    }

    /// The record of one finished case.
    pub fn from_event(event: &CaseFinished<'_>) -> CaseResult {
        let (case, report, verdict) = (event.case, event.report, event.verdict);
        let steps = case
            .all_steps()
            .map(|(section, index, step)| {
                let records: Vec<&StepRecord> = report
                    .steps
                    .iter()
                    .filter(|r| r.step.section == section && r.step.index == index)
                    .collect();
                step_result(section, index, step, &records, verdict)
            })
            .collect();
        let (reasons, mut message, failing_step) = case_message(verdict);
        if let Some(message) = &mut message {
            for note in tries_notes(report) {
                message.push('\n');
                message.push_str(&note);
            }
        }
        CaseResult {
            id: case.id.clone(),
            area: case.area.clone(),
            file: case.file.clone(),
            description: case.description.clone(),
            tags: case.tags.clone(),
            operations: tested_operations(case),
            evidence: case.evidence.clone(),
            outcome: verdict.outcome(),
            duration_ms: millis(report.duration),
            reasons,
            message,
            failing_step,
            steps,
        }
    }
}

/// The report of one step of a case from its `records` (none when it did not run).
fn step_result(
    section: Section,
    index: usize,
    step: &Step,
    records: &[&StepRecord],
    verdict: &Verdict,
) -> StepResult {
    let id = format!("{}[{index}]", section.name());
    let unexpected = match verdict {
        Verdict::Fail { unexpected } | Verdict::Error { unexpected, .. } => unexpected.as_slice(),
        _ => &[],
    };
    let failures: Vec<FailureResult> = records
        .iter()
        .flat_map(|r| {
            r.failures.iter().map(|f| FailureResult {
                check: f.check(),
                message: strip_ansi(&f.to_string()),
                expected: !unexpected
                    .iter()
                    .any(|u| u.step.section == section && u.step.index == index && &u.failure == f),
                at: f.pointers().into_iter().map(str::to_owned).collect(),
                found: f.found_text(),
            })
        })
        .collect();
    let error = records.iter().find_map(|r| r.error.as_ref());
    let outcome = match verdict {
        _ if records.is_empty() => Outcome::Skipped,
        _ if error.is_some() => Outcome::Error,
        _ if failures.iter().any(|f| !f.expected) => Outcome::Fail,
        Verdict::Intermittent { .. } if !failures.is_empty() => Outcome::Intermittent,
        Verdict::PassedWithWaivers { .. } if !failures.is_empty() => Outcome::PassedWithWaivers,
        _ if !failures.is_empty() => Outcome::ExpectedFailure,
        Verdict::UnexpectedPass { steps, .. } if steps.contains(&id) => Outcome::UnexpectedPass,
        _ => Outcome::Pass,
    };
    let first = records.first();
    let notes: Vec<String> = records.iter().filter_map(|r| r.retries.clone()).collect();
    StepResult {
        section: section.name().to_owned(),
        index,
        operation: step.operation.clone(),
        http_get: step.http_get.clone(),
        name: step.name.clone(),
        expected_error: match &step.expect {
            Expect::Error { code, .. } => Some(code.clone()),
            Expect::Success { .. } => None,
        },
        outcome,
        status: first.and_then(|r| r.status),
        error_code: first.and_then(|r| r.error_code.clone()),
        request_id: first.and_then(|r| r.request_id.clone()),
        duration_ms: millis(records.iter().map(|r| r.duration).sum()),
        failures,
        error: error.map(ErrorResult::from),
        warnings: records
            .iter()
            .flat_map(|r| r.warnings.iter().cloned())
            .collect(),
        retries: (!notes.is_empty()).then(|| notes.join("; ")),
        tries: records.iter().map(|r| r.tries).sum(),
        id,
    }
}

/// `steps[1] ListUsers: failed after 3 tries in 15.0 s`, for each repeated step that still
/// failed (or ended with a harness error), to go under the case's message.
pub fn tries_notes(report: &crate::exec::runner::CaseReport) -> Vec<String> {
    report
        .steps
        .iter()
        .filter(|r| !r.failures.is_empty() || r.error.is_some())
        .filter_map(|r| {
            crate::exec::eventually::describe(r.tries, r.duration)
                .map(|tries| format!("{}: failed {tries}", r.step))
        })
        .collect()
}

/// A case's reasons, message and failing step, from its verdict.
fn case_message(verdict: &Verdict) -> (Vec<String>, Option<String>, Option<String>) {
    let lines = |items: &mut dyn Iterator<Item = String>| {
        items
            .map(|line| strip_ansi(&line))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match verdict {
        Verdict::Pass => (Vec::new(), None, None),
        Verdict::ExpectedFailure { reasons }
        | Verdict::PassedWithWaivers { reasons }
        | Verdict::Intermittent { reasons, .. } => (reasons.clone(), None, None),
        Verdict::Fail { unexpected } => (
            Vec::new(),
            Some(lines(&mut unexpected.iter().map(|f| f.to_string()))),
            unexpected.first().map(|f| f.step.to_string()),
        ),
        Verdict::Error { errors, unexpected } => (
            Vec::new(),
            Some(lines(
                &mut errors
                    .iter()
                    .map(|e| e.to_string())
                    .chain(unexpected.iter().map(|f| f.to_string())),
            )),
            errors.first().map(|e| e.step.to_string()),
        ),
        Verdict::UnexpectedPass { reasons, .. } => (
            reasons.clone(),
            Some(format!(
                "unexpected pass: the expectations say this fails ({}), but it did not fail \
                 that way",
                reasons.join("; ")
            )),
            None,
        ),
    }
}

impl Totals {
    /// Counts the outcomes of `cases`, with `not_run` cases that did not run.
    pub fn count(cases: &[CaseResult], not_run: usize) -> Totals {
        let mut totals = Totals {
            not_run,
            ..Totals::default()
        };
        for case in cases {
            totals.add(case.outcome);
            if case.outcome != Outcome::Skipped && case.reached_steps() {
                totals.reached_steps += 1;
            }
        }
        totals
    }

    /// Counts one more case that ran with `outcome`.
    pub fn add(&mut self, outcome: Outcome) {
        self.cases += 1;
        match outcome {
            Outcome::Pass => self.passed += 1,
            Outcome::PassedWithWaivers => self.passed_with_waivers += 1,
            Outcome::Fail => self.failed += 1,
            Outcome::ExpectedFailure => self.expected_failures += 1,
            Outcome::UnexpectedPass => self.unexpected_passes += 1,
            Outcome::Intermittent => self.intermittent += 1,
            Outcome::Error => self.errors += 1,
            Outcome::Skipped => self.cases -= 1,
        }
    }

    /// Cases that fail the run: failures, unexpected passes and errors.
    pub fn failing(&self) -> usize {
        self.failed + self.unexpected_passes + self.errors
    }
}

/// Where the run went and what it ran against, fixed before the first case.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub run_id: String,
    pub target: Option<String>,
    pub endpoint: String,
    pub region: String,
    pub started: SystemTime,
}

impl RunReport {
    /// A report of `results` (the cases that ran) out of `suite` (every loaded case).
    pub fn new(
        info: &RunInfo,
        model: ModelVersion,
        suite: &[CaseRef],
        mut results: Vec<CaseResult>,
        stale: Vec<StaleExpectation>,
    ) -> RunReport {
        results.sort_by(|a, b| a.id.cmp(&b.id));
        let ran: BTreeSet<&str> = results.iter().map(|c| c.id.as_str()).collect();
        let mut not_run: Vec<CaseRef> = suite
            .iter()
            .filter(|c| !ran.contains(c.id.as_str()))
            .cloned()
            .collect();
        not_run.sort();
        RunReport {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            run_id: info.run_id.clone(),
            harness: Harness {
                name: "cognito-contract".to_owned(),
                version: HARNESS_VERSION.to_owned(),
            },
            model,
            target: info.target.clone(),
            endpoint: info.endpoint.clone(),
            region: info.region.clone(),
            started_at: rfc3339(info.started),
            finished_at: rfc3339(SystemTime::now()),
            complete: not_run.is_empty(),
            totals: Totals::count(&results, not_run.len()),
            stale_expectations: stale,
            setup_divergences: setup_divergences(&results),
            cases: results,
            not_run,
        }
    }

    /// Adds the cases of `other` (another shard, or another process of the same nextest run):
    /// a case that ran in both keeps `other`'s result; `not_run` keeps what ran in neither.
    pub fn merge(&mut self, other: RunReport) {
        let mut cases: BTreeMap<String, CaseResult> = std::mem::take(&mut self.cases)
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        for case in other.cases {
            cases.insert(case.id.clone(), case);
        }
        let mut not_run: BTreeMap<String, CaseRef> = BTreeMap::new();
        for case in std::mem::take(&mut self.not_run)
            .into_iter()
            .chain(other.not_run)
        {
            if !cases.contains_key(&case.id) {
                not_run.insert(case.id.clone(), case);
            }
        }
        self.cases = cases.into_values().collect();
        self.not_run = not_run.into_values().collect();
        self.complete = self.not_run.is_empty();
        self.totals = Totals::count(&self.cases, self.not_run.len());
        self.setup_divergences = setup_divergences(&self.cases);
        let stale: BTreeSet<StaleExpectation> = std::mem::take(&mut self.stale_expectations)
            .into_iter()
            .chain(other.stale_expectations)
            .collect();
        self.stale_expectations = stale.into_iter().collect();
        if other.started_at < self.started_at {
            self.started_at = other.started_at;
        }
        if other.finished_at > self.finished_at {
            self.finished_at = other.finished_at;
        }
    }

    /// The name a column or a heading shows: the target's name, else the endpoint.
    pub fn target_label(&self) -> &str {
        self.target.as_deref().unwrap_or(&self.endpoint)
    }

    /// Reads a report file, refusing one that does not validate against the report schema.
    pub fn read(path: &Path) -> Result<RunReport, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses and validates a report's text.
    pub fn parse(text: &str) -> Result<RunReport, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        if value.get("format").and_then(Value::as_str) != Some(FORMAT) {
            return Err(format!(
                "not a {FORMAT} document (no \"format\": \"{FORMAT}\")"
            ));
        }
        match value.get("format_version").and_then(Value::as_u64) {
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            other => {
                return Err(format!(
                    "report format version {other:?}; this harness ({HARNESS_VERSION}) reads \
                     version {FORMAT_VERSION}"
                ));
            }
        }
        let violations = validate(&value);
        if !violations.is_empty() {
            const SHOWN: usize = 10;
            let mut text = violations
                .iter()
                .take(SHOWN)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ");
            if violations.len() > SHOWN {
                text.push_str(&format!("\n  ... and {} more", violations.len() - SHOWN));
            }
            return Err(format!(
                "does not match schemas/report.schema.json:\n  {text}"
            ));
        }
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    /// The report as pretty JSON (what `--json-report` writes).
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}

/// `schemas/report.schema.json`, compiled once.
fn schema_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(include_str!("../../schemas/report.schema.json"))
            .expect("schemas/report.schema.json is JSON");
        jsonschema::validator_for(&schema).expect("schemas/report.schema.json is a schema")
    })
}

/// Checks a document against `schemas/report.schema.json`; each violation as `pointer: message`.
pub fn validate(document: &Value) -> Vec<String> {
    schema_validator()
        .iter_errors(document)
        .map(|e| {
            let pointer = e.instance_path().to_string();
            let pointer = if pointer.is_empty() {
                "/".into()
            } else {
                pointer
            };
            format!("{pointer}: {e}")
        })
        .collect()
}

/// A timestamp as RFC 3339 in UTC with milliseconds, e.g. `2026-01-02T03:04:05.678Z`.
/// Fixed width, so such strings order as the times do.
pub fn rfc3339(at: SystemTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::from(at.max(UNIX_EPOCH))
        .format(format)
        .unwrap_or_default()
}

/// Records for the report modules' unit tests (`update`, `init`): a step, a case, a failure.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::{CaseResult, FailureResult, Outcome, StepResult};

    /// A failure of `check` about the pointers `at`, with the value `found`.
    pub fn failure(check: &str, at: &[&str], found: Option<&str>) -> FailureResult {
        FailureResult {
            check: check.parse().unwrap(),
            message: format!("[{check}] differs"),
            expected: false,
            at: at.iter().map(|p| (*p).to_owned()).collect(),
            found: found.map(str::to_owned),
        }
    }

    /// Step `id` (`setup[0]`, `steps[1]`, ...) calling `operation`, answered with HTTP 200.
    pub fn step(
        id: &str,
        operation: &str,
        outcome: Outcome,
        failures: Vec<FailureResult>,
    ) -> StepResult {
        let (section, index) = id.trim_end_matches(']').split_once('[').unwrap();
        StepResult {
            id: id.to_owned(),
            section: section.to_owned(),
            index: index.parse().unwrap(),
            operation: operation.into(),
            http_get: None,
            name: None,
            expected_error: None,
            outcome,
            status: Some(200),
            error_code: None,
            request_id: None,
            duration_ms: 1.0,
            failures,
            error: None,
            warnings: Vec::new(),
            retries: None,
            tries: 1,
        }
    }

    /// Case `id` (its area the id's first part) with `outcome` and `steps`, calling the steps'
    /// operations.
    pub fn case(id: &str, outcome: Outcome, steps: Vec<StepResult>) -> CaseResult {
        let mut operations: Vec<String> = steps.iter().map(|s| s.operation.clone()).collect();
        operations.dedup();
        CaseResult {
            id: id.to_owned(),
            area: id.split('/').next().unwrap().to_owned(),
            file: format!("cases/{id}.json"),
            description: format!("case {id}"),
            tags: Vec::new(),
            operations,
            outcome,
            duration_ms: 1.0,
            reasons: Vec::new(),
            message: None,
            failing_step: None,
            evidence: Vec::new(),
            steps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        let t = UNIX_EPOCH + Duration::from_millis(1_709_210_096_789);
        assert_eq!(rfc3339(t), "2024-02-29T12:34:56.789Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00.000Z");
    }

    /// The enum at `path` (JSON pointer) in a schema, as strings.
    fn schema_enum(schema: &str, path: &str) -> Vec<String> {
        let schema: Value = serde_json::from_str(schema).unwrap();
        let listed = schema.pointer(path).and_then(Value::as_array);
        listed
            .unwrap_or_else(|| panic!("no enum at {path}"))
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn both_schemas_list_exactly_the_checks_outcomes_and_error_kinds() {
        let names: Vec<String> = Check::ALL.iter().map(|c| c.name().to_owned()).collect();
        // serde writes and reads the same names.
        for check in Check::ALL {
            let written = serde_json::to_value(check).unwrap();
            assert_eq!(written, Value::String(check.name().to_owned()));
            assert_eq!(serde_json::from_value::<Check>(written).unwrap(), check);
            assert_eq!(check.name().parse::<Check>(), Ok(check));
        }
        let report = include_str!("../../schemas/report.schema.json");
        let value: Value = serde_json::from_str(report).unwrap();
        let failure = "/$defs/step/properties/failures/items/properties/check/$ref";
        assert_eq!(value.pointer(failure), Some(&Value::from("#/$defs/check")));
        assert_eq!(schema_enum(report, "/$defs/check/enum"), names);
        let kinds = schema_enum(report, "/$defs/harness_error/properties/kind/enum");
        assert_eq!(kinds, HarnessError::KINDS);
        let outcomes: Vec<&str> = Outcome::CASE_OUTCOMES.iter().map(|o| o.name()).collect();
        assert_eq!(schema_enum(report, "/$defs/case_outcome/enum"), outcomes);
        let expectations = include_str!("../../schemas/expectations.schema.json");
        let entry = "/properties/expected_failures/items/properties/check/enum";
        assert_eq!(schema_enum(expectations, entry), names);
    }

    #[test]
    fn a_report_of_another_format_or_version_is_refused() {
        assert!(
            RunReport::parse(r#"{"format": "x"}"#)
                .unwrap_err()
                .contains("not a cognito-contract-report")
        );
        let text = format!(r#"{{"format": "{FORMAT}", "format_version": 99}}"#);
        assert!(RunReport::parse(&text).unwrap_err().contains("version"));
        let text = format!(r#"{{"format": "{FORMAT}", "format_version": {FORMAT_VERSION}}}"#);
        assert!(
            RunReport::parse(&text)
                .unwrap_err()
                .contains("report.schema.json")
        );
    }
}
