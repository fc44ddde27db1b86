//! Known divergences of a named target, read from `<cases>/expectations/<target>.json`, and the
//! verdict they give a case run.
//!
//! An entry names cases (an id or a glob), optionally one step (`steps[1]`), one check
//! (`content_type`), one operation (`CreateUserPool`), a place in the body (`at`: a JSON pointer
//! or member path, `*` matching within a segment) and the value found (`found`, as text), with
//! the reason. Failures an entry covers are expected. Entries decide verdicts only: which steps
//! of a case run does not depend on them (see [`crate::exec::runner`]). An entry that
//! names a single case, or that has no `check`, *demands* its failure: if the case passes where
//! the entry says it fails, that is an unexpected pass and fails the run, so the list stays
//! honest. A glob entry with a `check` waives that check wherever it happens (a quirk of the
//! target): a case whose only failures such waivers cover passes, as
//! [`Verdict::PassedWithWaivers`]; where a per-case entry covers a failure too, that entry applies
//! and the case is an expected failure. A waiver that never applies in a whole run is reported
//! as stale. An entry marked `"intermittent": true` covers a
//! failure that comes and goes: a case it applies to neither fails nor passes the run, and is
//! counted apart. An entry whose step never ran (an earlier step ended the case) is not held
//! against the case. Entries cover the target's failures only: a case with a harness error (see
//! [`crate::exec::error`]) is an error whatever its entries say, and fails the run.
//!
//! Reasons are what make the list worth keeping, so a reason that still reads like the
//! placeholder `expectations update` writes ([`REASON_PLACEHOLDER`], anything starting with
//! `TODO`) is a load error: a new entry cannot be committed without saying why. The update itself
//! lives in [`update`].

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;
use serde_json::Value;

use crate::exec::error::StepError;
use crate::exec::failure::{Check, Failure, StepFailure, StepRef};
use crate::exec::runner::{CaseReport, Waivers};
use crate::spec::case_source::CaseSource;
use crate::spec::load::LoadError;
use crate::verdict::outcome::Outcome;

/// The reason `expectations update` writes into new entries; the loader rejects it (and any
/// reason starting with `TODO`) until someone writes the real one.
pub const REASON_PLACEHOLDER: &str = "TODO: say why this fails on this target";

/// Whether a reason is still a placeholder.
pub fn is_placeholder_reason(reason: &str) -> bool {
    reason
        .trim_start()
        .get(..4)
        .is_some_and(|head| head.eq_ignore_ascii_case("todo"))
}

/// One entry of an expectations file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub case: String,
    pub step: Option<String>,
    pub check: Option<Check>,
    /// Narrows the entry to steps calling this operation.
    pub operation: Option<String>,
    /// Narrows the entry to failures about this place in a body: a JSON pointer
    /// (`/UserPool/Arn`) or member path (`UserPool.Arn`), `*` matching within a segment. A
    /// failure is covered when every place it is about matches.
    pub at: Option<String>,
    /// Narrows the entry to failures that found this value (compared as text).
    pub found: Option<String>,
    /// The failure comes and goes: cases it applies to neither fail nor pass the run.
    #[serde(default)]
    pub intermittent: bool,
    pub reason: String,
    /// How many failures this entry covered during the run.
    #[serde(skip)]
    pub applied: AtomicUsize,
}

impl Entry {
    fn is_glob(&self) -> bool {
        self.case.contains('*')
    }

    /// Whether a case this entry matches must show the failure it describes.
    pub fn demands_failure(&self) -> bool {
        self.check.is_none() || !self.is_glob()
    }

    pub fn matches_case(&self, id: &str) -> bool {
        glob_match(&self.case, id)
    }

    fn covers(&self, step: &StepRef, failure: &Failure) -> bool {
        self.covers_named(&step.id(), failure.check())
            && self.operation.as_ref().is_none_or(|o| *o == step.operation)
            && self.at_covers(&failure.pointers())
            && self
                .found
                .as_ref()
                .is_none_or(|f| failure.found_text().as_ref() == Some(f))
    }

    /// Whether `at` (if any) matches every one of a failure's pointers (and there is one).
    pub fn at_covers(&self, pointers: &[&str]) -> bool {
        let Some(at) = &self.at else {
            return true;
        };
        let pattern = pointer_of(at);
        !pointers.is_empty() && pointers.iter().all(|p| glob_match(&pattern, p))
    }

    /// Whether this entry covers a failure of check `check` at step `step_id` (`steps[1]`).
    pub fn covers_named(&self, step_id: &str, check: Check) -> bool {
        self.step.as_deref().is_none_or(|s| s == step_id) && self.check.is_none_or(|c| c == check)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct File {
    #[serde(rename = "$schema")]
    pub(crate) schema: Option<String>,
    pub(crate) target: String,
    pub(crate) expected_failures: Vec<Entry>,
}

/// The expectations of one target (empty for unnamed targets).
#[derive(Debug, Default)]
pub struct Expectations {
    pub target: Option<String>,
    pub entries: Vec<Entry>,
}

/// What a case run amounts to once expectations are applied.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Pass,
    /// Failed only in ways glob check-waivers (target quirks, entries that do not demand a
    /// failure) cover: a pass. The reasons of the waivers that applied.
    PassedWithWaivers {
        reasons: Vec<String>,
    },
    /// Failed only in ways the expectations describe, a per-case entry among them; the reasons of
    /// the entries that applied.
    ExpectedFailure {
        reasons: Vec<String>,
    },
    /// Failures no entry covers.
    Fail {
        unexpected: Vec<StepFailure>,
    },
    /// An entry says this case fails, but it did not fail that way. `steps` are the steps the
    /// unmet entries name (empty when they name the whole case).
    UnexpectedPass {
        reasons: Vec<String>,
        steps: Vec<String>,
    },
    /// An intermittent entry applies: the case neither fails nor passes the run. `failed` says
    /// whether it failed this time (only in ways the expectations describe).
    Intermittent {
        reasons: Vec<String>,
        failed: bool,
    },
    /// The harness went wrong (see [`crate::exec::error`]): no entry covers that, so the case
    /// says nothing about the target and fails the run. `unexpected` are the target's failures
    /// no entry covers, as for [`Verdict::Fail`].
    Error {
        errors: Vec<StepError>,
        unexpected: Vec<StepFailure>,
    },
}

impl Verdict {
    /// The case's outcome, as reports name it.
    pub fn outcome(&self) -> Outcome {
        match self {
            Verdict::Pass => Outcome::Pass,
            Verdict::PassedWithWaivers { .. } => Outcome::PassedWithWaivers,
            Verdict::ExpectedFailure { .. } => Outcome::ExpectedFailure,
            Verdict::Fail { .. } => Outcome::Fail,
            Verdict::UnexpectedPass { .. } => Outcome::UnexpectedPass,
            Verdict::Intermittent { .. } => Outcome::Intermittent,
            Verdict::Error { .. } => Outcome::Error,
        }
    }

    /// Whether this outcome fails the run.
    pub fn fails_run(&self) -> bool {
        self.outcome().fails_run()
    }
}

pub(crate) fn schema_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(include_str!("../../schemas/expectations.schema.json"))
                .expect("schemas/expectations.schema.json is JSON");
        jsonschema::validator_for(&schema).expect("schemas/expectations.schema.json is a schema")
    })
}

impl Expectations {
    /// No expectations: every failure is unexpected.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads the `expectations/<target>.json` of `source`; a missing file means no
    /// expectations. `case_ids` are the loaded cases: an entry that matches none of them is an
    /// error.
    pub fn load(
        source: &CaseSource,
        target: &str,
        case_ids: &[&str],
    ) -> Result<Self, Vec<LoadError>> {
        Self::load_leaving_out(source, target, case_ids, &[])
    }

    /// [`Expectations::load`] for a run that leaves out the cases of some areas (e.g. the
    /// generated cases, `generated/...`): an entry naming only cases of those areas is kept
    /// (it applies to nothing in this run) rather than an error.
    pub fn load_leaving_out(
        source: &CaseSource,
        target: &str,
        case_ids: &[&str],
        left_out: &[&str],
    ) -> Result<Self, Vec<LoadError>> {
        match source.expectations(target).map_err(|e| vec![e])? {
            Some((shown, text)) => {
                Self::parse_leaving_out(&shown, &text, target, case_ids, left_out)
            }
            None => Ok(Expectations {
                target: Some(target.to_owned()),
                entries: Vec::new(),
            }),
        }
    }

    /// Parses an expectations file's text (`shown` names it in errors).
    pub fn parse(
        shown: &str,
        text: &str,
        target: &str,
        case_ids: &[&str],
    ) -> Result<Self, Vec<LoadError>> {
        Self::parse_leaving_out(shown, text, target, case_ids, &[])
    }

    fn parse_leaving_out(
        shown: &str,
        text: &str,
        target: &str,
        case_ids: &[&str],
        left_out: &[&str],
    ) -> Result<Self, Vec<LoadError>> {
        let error = |location: String, message: String| LoadError {
            file: shown.to_owned(),
            location,
            message,
        };
        let value = crate::spec::load::parse_validated(shown, text, schema_validator())?;
        let file: File =
            serde_json::from_value(value).map_err(|e| vec![error(String::new(), e.to_string())])?;
        let mut errors = Vec::new();
        if file.target != target {
            errors.push(error(
                "/target".into(),
                format!(
                    "file is for target {:?}, loaded for {target:?}",
                    file.target
                ),
            ));
        }
        for (i, entry) in file.expected_failures.iter().enumerate() {
            if is_placeholder_reason(&entry.reason) {
                errors.push(error(
                    format!("/expected_failures/{i}/reason"),
                    format!(
                        "{:?} is a placeholder: write why this target fails here (entries added \
                         by `expectations update` need a real reason before they count)",
                        entry.reason
                    ),
                ));
            }
            let left_out = left_out
                .iter()
                .any(|area| entry.case.starts_with(&format!("{area}/")));
            if !left_out && !case_ids.iter().any(|id| entry.matches_case(id)) {
                errors.push(error(
                    format!("/expected_failures/{i}/case"),
                    format!("{:?} names no existing case", entry.case),
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Expectations {
            target: Some(file.target),
            entries: file.expected_failures,
        })
    }

    /// The entries that apply to one case.
    pub fn for_case<'a>(&'a self, id: &str) -> Vec<&'a Entry> {
        self.entries.iter().filter(|e| e.matches_case(id)).collect()
    }

    /// Entries that waive a check across cases but covered nothing in this run.
    pub fn stale_waivers(&self) -> Vec<&Entry> {
        self.entries
            .iter()
            .filter(|e| {
                !e.demands_failure() && !e.intermittent && e.applied.load(Ordering::Relaxed) == 0
            })
            .collect()
    }
}

/// The entry that covers this failure, if any.
pub fn covering<'a>(entries: &[&'a Entry], step: &StepRef, failure: &Failure) -> Option<&'a Entry> {
    entries.iter().copied().find(|e| e.covers(step, failure))
}

/// The entries of one case as the runner's [`Waivers`]: a failure an entry covers is expected.
/// They decide no step's running (see [`crate::exec::runner::GOES_ON_AFTER`]).
pub struct EntryWaivers<'a>(pub &'a [&'a Entry]);

impl Waivers for EntryWaivers<'_> {
    fn expects(&self, step: &StepRef, failure: &Failure) -> bool {
        covering(self.0, step, failure).is_some()
    }
}

/// The verdict for a case run, counting which entries applied. An entry naming a step that did
/// not run is not held against the case. A harness error makes the case an error whatever the
/// entries say: they cover the target's failures only.
pub fn verdict_of(entries: &[&Entry], report: &CaseReport) -> Verdict {
    let ran: Vec<String> = report.steps.iter().map(|r| r.step.id()).collect();
    let verdict = verdict_with(entries, &report.failures(), |step| {
        ran.iter().any(|r| r == step)
    });
    let errors = report.errors();
    if errors.is_empty() {
        return verdict;
    }
    let unexpected = match verdict {
        Verdict::Fail { unexpected } => unexpected,
        _ => Vec::new(),
    };
    Verdict::Error { errors, unexpected }
}

/// The verdict for a case run with these failures (every step counted as run), counting which
/// entries applied.
pub fn verdict(entries: &[&Entry], failures: &[StepFailure]) -> Verdict {
    verdict_with(entries, failures, |_| true)
}

fn verdict_with(
    entries: &[&Entry],
    failures: &[StepFailure],
    step_ran: impl Fn(&str) -> bool,
) -> Verdict {
    let mut unexpected = Vec::new();
    let mut used = vec![false; entries.len()];
    for failure in failures {
        match covering_index(entries, failure) {
            Some(i) => {
                used[i] = true;
                entries[i].applied.fetch_add(1, Ordering::Relaxed);
            }
            None => unexpected.push(failure.clone()),
        }
    }
    if !unexpected.is_empty() {
        return Verdict::Fail { unexpected };
    }
    let unmet: Vec<&Entry> = entries
        .iter()
        .zip(&used)
        .filter(|(e, used)| {
            e.demands_failure()
                && !e.intermittent
                && !**used
                && e.step.as_deref().is_none_or(&step_ran)
        })
        .map(|(e, _)| *e)
        .collect();
    if !unmet.is_empty() {
        return Verdict::UnexpectedPass {
            reasons: unmet.iter().map(|e| describe(e)).collect(),
            steps: unmet.iter().filter_map(|e| e.step.clone()).collect(),
        };
    }
    let intermittent: Vec<String> = entries
        .iter()
        .zip(&used)
        .filter(|(e, used)| e.intermittent && (**used || e.demands_failure()))
        .map(|(e, _)| describe(e))
        .collect();
    if !intermittent.is_empty() {
        return Verdict::Intermittent {
            reasons: intermittent,
            failed: !failures.is_empty(),
        };
    }
    let applied: Vec<&Entry> = entries
        .iter()
        .zip(&used)
        .filter(|(_, used)| **used)
        .map(|(e, _)| *e)
        .collect();
    let reasons: Vec<String> = applied.iter().map(|e| describe(e)).collect();
    if reasons.is_empty() {
        Verdict::Pass
    } else if applied.iter().all(|e| !e.demands_failure()) {
        Verdict::PassedWithWaivers { reasons }
    } else {
        Verdict::ExpectedFailure { reasons }
    }
}

/// The index of the entry that covers `failure`: a per-case entry (one that demands its failure)
/// before a waiver, so that a case an entry names is held to it even where a glob waiver of the
/// same check would cover the failure too.
fn covering_index(entries: &[&Entry], failure: &StepFailure) -> Option<usize> {
    let covers = |e: &&Entry| e.covers(&failure.step, &failure.failure);
    entries
        .iter()
        .position(|e| e.demands_failure() && covers(e))
        .or_else(|| entries.iter().position(covers))
}

/// A member path (`UserPool.Arn`) as a JSON pointer (`/UserPool/Arn`); a pointer stays as is.
fn pointer_of(at: &str) -> String {
    if at.starts_with('/') || at.is_empty() {
        at.to_owned()
    } else {
        format!("/{}", at.replace('.', "/"))
    }
}

fn describe(entry: &Entry) -> String {
    let mut text = String::new();
    if let Some(operation) = &entry.operation {
        text.push_str(operation);
        text.push(' ');
    }
    if let Some(step) = &entry.step {
        text.push_str(step);
        text.push(' ');
    }
    if let Some(check) = entry.check {
        text.push_str(&format!("[{check}] "));
    }
    if let Some(at) = &entry.at {
        text.push_str(&format!("at {at} "));
    }
    if let Some(found) = &entry.found {
        text.push_str(&format!("found {found:?} "));
    }
    text.push_str(&entry.reason);
    text
}

/// Glob over case ids: `*` matches within a path segment, `**` across segments, `?` one character.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match p {
            [] => t.is_empty(),
            [b'*', b'*', rest @ ..] => {
                let rest = rest.strip_prefix(b"/").unwrap_or(rest);
                (0..=t.len()).any(|i| go(rest, &t[i..]))
            }
            [b'*', rest @ ..] => {
                let limit = t.iter().position(|&c| c == b'/').unwrap_or(t.len());
                (0..=limit).any(|i| go(rest, &t[i..]))
            }
            [b'?', rest @ ..] => !t.is_empty() && t[0] != b'/' && go(rest, &t[1..]),
            [c, rest @ ..] => t.first() == Some(c) && go(rest, &t[1..]),
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::failure::Section;

    #[test]
    fn globs() {
        assert!(glob_match("users/*", "users/a"));
        assert!(!glob_match("users/*", "users/a/b"));
        assert!(glob_match("**", "users/a/b"));
        assert!(glob_match("**/dup*", "users/x/dup_user"));
        assert!(glob_match("users/**", "users/a/b"));
        assert!(!glob_match("users/a", "users/ab"));
    }

    fn failure(check_status: bool) -> StepFailure {
        StepFailure {
            file: "cases/a/b.json".into(),
            step: StepRef {
                section: Section::Steps,
                index: 1,
                operation: "X".into(),
            },
            failure: if check_status {
                Failure::Status {
                    expected: "success (2xx)",
                    found: 400,
                }
            } else {
                Failure::RequestId
            },
        }
    }

    fn parse(entries: &str) -> Expectations {
        let text = format!(r#"{{"target": "t", "expected_failures": {entries}}}"#);
        Expectations::parse("t.json", &text, "t", &["a/b", "a/c"]).unwrap()
    }

    #[test]
    fn verdicts() {
        let ex = parse(r#"[{"case": "a/b", "step": "steps[1]", "reason": "known to differ"}]"#);
        let entries = ex.for_case("a/b");
        assert!(matches!(
            verdict(&entries, &[failure(true)]),
            Verdict::ExpectedFailure { .. }
        ));
        assert!(matches!(
            verdict(&entries, &[]),
            Verdict::UnexpectedPass { .. }
        ));
        assert!(verdict(&ex.for_case("a/c"), &[failure(true)]) != Verdict::Pass);

        let waiver =
            parse(r#"[{"case": "a/*", "check": "request_id", "reason": "no request ids here"}]"#);
        assert_eq!(waiver.stale_waivers().len(), 1);
        let entries = waiver.for_case("a/c");
        assert_eq!(verdict(&entries, &[]), Verdict::Pass);
        assert!(matches!(
            verdict(&entries, &[failure(true)]),
            Verdict::Fail { .. }
        ));
        assert!(matches!(
            verdict(&entries, &[failure(false)]),
            Verdict::PassedWithWaivers { .. }
        ));
        assert!(waiver.stale_waivers().is_empty());
    }

    #[test]
    fn waived_failures_alone_are_a_pass_and_a_case_entry_keeps_them_expected() {
        let waiver = r#"{"case": "a/*", "check": "request_id", "reason": "no request ids here"}"#;
        let ex = parse(&format!("[{waiver}]"));
        let verdict = verdict(&ex.for_case("a/b"), &[failure(false)]);
        assert_eq!(
            verdict,
            Verdict::PassedWithWaivers {
                reasons: vec!["[request_id] no request ids here".into()]
            }
        );
        assert_eq!(verdict.outcome(), Outcome::PassedWithWaivers);
        assert!(!verdict.fails_run());
        // A per-case entry covering the same failure, even listed after the waiver, applies.
        let ex = parse(&format!(
            r#"[{waiver}, {{"case": "a/b", "step": "steps[1]", "reason": "b has no request id"}}]"#
        ));
        assert_eq!(
            super::verdict(&ex.for_case("a/b"), &[failure(false)]),
            Verdict::ExpectedFailure {
                reasons: vec!["steps[1] b has no request id".into()]
            }
        );
        assert_eq!(ex.entries[0].applied.load(Ordering::Relaxed), 0);
    }

    fn at_step(operation: &str, failure: Failure) -> StepFailure {
        StepFailure {
            file: "cases/a/b.json".into(),
            step: StepRef {
                section: Section::Steps,
                index: 0,
                operation: operation.into(),
            },
            failure,
        }
    }

    fn schema_failure(pointers: &[&str]) -> Failure {
        use crate::service::schemas::Violation;
        Failure::BodySchema {
            schema: "CreateUserPoolResponse".into(),
            violations: pointers
                .iter()
                .map(|p| Violation {
                    pointer: (*p).into(),
                    message: "does not match the pattern".into(),
                    undocumented_member: false,
                })
                .collect(),
        }
    }

    #[test]
    fn an_at_waiver_covers_its_pointer_only() {
        for at in ["/UserPool/Arn", "UserPool.Arn", "/*/Arn"] {
            let ex = parse(&format!(
                r#"[{{"case": "a/*", "check": "body_schema", "at": "{at}", "reason": "the ARN's account is local"}}]"#
            ));
            let entries = ex.for_case("a/b");
            let arn = at_step("CreateUserPool", schema_failure(&["/UserPool/Arn"]));
            assert!(
                matches!(verdict(&entries, &[arn]), Verdict::PassedWithWaivers { .. }),
                "{at}"
            );
            for pointers in [
                &["/UserPool/Name"][..],
                &["/UserPool/Arn", "/UserPool/Id"],
                &[],
            ] {
                let other = at_step("CreateUserPool", schema_failure(pointers));
                assert!(
                    matches!(verdict(&entries, &[other]), Verdict::Fail { .. }),
                    "{at} {pointers:?}"
                );
            }
        }
        let ex = parse(
            r#"[{"case": "a/*", "check": "body_schema", "at": "/Users/*/Attributes", "reason": "attributes come back unsorted"}]"#,
        );
        let entries = ex.for_case("a/b");
        let users = at_step("ListUsers", schema_failure(&["/Users/0/Attributes"]));
        assert!(matches!(
            verdict(&entries, &[users]),
            Verdict::PassedWithWaivers { .. }
        ));
        let deeper = at_step("ListUsers", schema_failure(&["/Users/0/Attributes/1"]));
        assert!(matches!(verdict(&entries, &[deeper]), Verdict::Fail { .. }));
    }

    #[test]
    fn operation_and_found_narrow_an_entry() {
        let ex = parse(
            r#"[{"case": "**", "operation": "CreateUserPool", "check": "request_id", "reason": "no request id on this one"}]"#,
        );
        let entries = ex.for_case("a/b");
        let create = at_step("CreateUserPool", Failure::RequestId);
        let describe = at_step("DescribeUserPool", Failure::RequestId);
        assert!(matches!(
            verdict(&entries, &[create]),
            Verdict::PassedWithWaivers { .. }
        ));
        assert!(matches!(
            verdict(&entries, &[describe]),
            Verdict::Fail { .. }
        ));

        let ex = parse(
            r#"[{"case": "a/*", "check": "error_code", "found": "UserNotFoundException", "reason": "answers UserNotFound for a missing pool"}]"#,
        );
        let entries = ex.for_case("a/b");
        let code = |found: &str| {
            at_step(
                "AdminGetUser",
                Failure::ErrorCode {
                    expected: Some("ResourceNotFoundException".into()),
                    found: Some(found.into()),
                },
            )
        };
        assert!(matches!(
            verdict(&entries, &[code("UserNotFoundException")]),
            Verdict::PassedWithWaivers { .. }
        ));
        assert!(matches!(
            verdict(&entries, &[code("InternalErrorException")]),
            Verdict::Fail { .. }
        ));
        let status = at_step(
            "AdminGetUser",
            Failure::Status {
                expected: "client error (4xx)",
                found: 200,
            },
        );
        let ex = parse(
            r#"[{"case": "a/b", "check": "status", "found": "200", "reason": "answers 200 where it should refuse"}]"#,
        );
        assert!(matches!(
            verdict(&ex.for_case("a/b"), &[status]),
            Verdict::ExpectedFailure { .. }
        ));
    }

    #[test]
    fn intermittent_entries_neither_fail_nor_pass() {
        let ex = parse(
            r#"[{"case": "a/b", "step": "steps[1]", "intermittent": true, "reason": "times out now and then"}]"#,
        );
        let entries = ex.for_case("a/b");
        assert_eq!(
            verdict(&entries, &[failure(true)]),
            Verdict::Intermittent {
                reasons: vec!["steps[1] times out now and then".into()],
                failed: true
            }
        );
        assert!(matches!(
            verdict(&entries, &[]),
            Verdict::Intermittent { failed: false, .. }
        ));
        assert!(
            !Verdict::Intermittent {
                reasons: Vec::new(),
                failed: true
            }
            .fails_run()
        );
        // A failure the entry does not cover still fails the case.
        let other = parse(
            r#"[{"case": "a/b", "step": "steps[0]", "intermittent": true, "reason": "times out now and then"}]"#,
        );
        assert!(matches!(
            verdict(&other.for_case("a/b"), &[failure(true)]),
            Verdict::Fail { .. }
        ));
        // An intermittent waiver is never stale.
        let waiver = parse(
            r#"[{"case": "a/*", "check": "request_id", "intermittent": true, "reason": "sometimes no request id"}]"#,
        );
        assert!(waiver.stale_waivers().is_empty());
        assert_eq!(verdict(&waiver.for_case("a/c"), &[]), Verdict::Pass);
    }

    #[test]
    fn an_entry_whose_step_did_not_run_is_not_an_unexpected_pass() {
        use crate::exec::runner::StepRecord;
        let ex = parse(
            r#"[{"case": "a/b", "step": "steps[0]", "reason": "the first step fails here"}, {"case": "a/b", "step": "steps[1]", "reason": "the second step fails too"}]"#,
        );
        let entries = ex.for_case("a/b");
        let step = |index| StepRef {
            section: Section::Steps,
            index,
            operation: "X".into(),
        };
        let record = |index, failures| StepRecord {
            status: Some(400),
            ..StepRecord::new(step(index), failures)
        };
        let status = Failure::Status {
            expected: "success (2xx)",
            found: 400,
        };
        let stopped = CaseReport {
            id: "a/b".into(),
            file: "cases/a/b.json".into(),
            steps: vec![record(0, vec![status.clone()])],
            duration: std::time::Duration::ZERO,
        };
        assert!(matches!(
            verdict_of(&entries, &stopped),
            Verdict::ExpectedFailure { .. }
        ));
        let both_ran = CaseReport {
            steps: vec![record(0, vec![status]), record(1, Vec::new())],
            ..stopped
        };
        assert_eq!(
            verdict_of(&entries, &both_ran),
            Verdict::UnexpectedPass {
                reasons: vec!["steps[1] the second step fails too".into()],
                steps: vec!["steps[1]".into()]
            }
        );
    }

    #[test]
    fn no_entry_covers_a_harness_error() {
        use crate::exec::error::HarnessError;
        use crate::exec::runner::StepRecord;
        let errored = CaseReport {
            id: "a/b".into(),
            file: "cases/a/b.json".into(),
            steps: vec![StepRecord {
                step: failure(true).step,
                status: None,
                error_code: None,
                request_id: None,
                duration: std::time::Duration::ZERO,
                failures: Vec::new(),
                error: Some(HarnessError::Panic {
                    message: "boom".into(),
                }),
                warnings: Vec::new(),
                retries: None,
                tries: 1,
            }],
            duration: std::time::Duration::ZERO,
        };
        for entries in [
            r#"[{"case": "**", "check": "transport", "reason": "connections drop here"}]"#,
            r#"[{"case": "**", "reason": "everything fails here"}]"#,
            r#"[{"case": "a/b", "step": "steps[1]", "intermittent": true, "reason": "comes and goes"}]"#,
        ] {
            let ex = parse(entries);
            let verdict = verdict_of(&ex.for_case("a/b"), &errored);
            assert_eq!(verdict.outcome(), Outcome::Error, "{entries}");
            assert!(verdict.fails_run());
            assert!(
                ex.entries
                    .iter()
                    .all(|e| e.applied.load(Ordering::Relaxed) == 0)
            );
        }
    }

    #[test]
    fn placeholder_reasons_do_not_load() {
        assert!(is_placeholder_reason(REASON_PLACEHOLDER));
        assert!(is_placeholder_reason("  todo: later"));
        assert!(!is_placeholder_reason("moto does not check this"));
        let text = format!(
            r#"{{"target": "t", "expected_failures": [{{"case": "a/b", "reason": "{REASON_PLACEHOLDER}"}}]}}"#
        );
        let errors = Expectations::parse("t.json", &text, "t", &["a/b"]).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].location, "/expected_failures/0/reason");
        assert!(errors[0].message.contains("placeholder"));
    }

    #[test]
    fn entries_must_name_cases_and_carry_reasons() {
        let text = r#"{"target": "t", "expected_failures": [{"case": "nope/*", "reason": "a real reason"}, {"case": "a/b", "reason": ""}]}"#;
        let errors = Expectations::parse("t.json", text, "t", &["a/b"]).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].location, "/expected_failures/1/reason");
        let text = r#"{"target": "t", "expected_failures": [{"case": "nope/*", "reason": "a real reason"}]}"#;
        let errors = Expectations::parse("t.json", text, "t", &["a/b"]).unwrap_err();
        assert!(errors[0].message.contains("names no existing case"));
    }
}
