//! `cognito-contract expectations update`: rewrites a target's expectations file from what a run
//! (its JSON report) saw, so the list stays honest without hand-editing.
//!
//! The existing entries are applied again to the report's failures, exactly as a run applies
//! them. Then:
//! - a failure no entry covers gets a new entry for its case and step (no `check`, so the case
//!   stops at that step as it did in the run), with the given reason or
//!   [`REASON_PLACEHOLDER`](crate::verdict::expectations::REASON_PLACEHOLDER), which the loader rejects until someone
//!   writes the real reason;
//! - an entry that covered a failure is kept with its reason, as is an intermittent entry, an
//!   entry none of whose cases ran, and an entry whose step did not run;
//! - an entry that covered nothing although every case it names ran is removed (the target now
//!   passes there), and so is an entry naming no case of the suite or a step its case lacks
//!   (the suite being the case files and the generated cases, whether or not the run had them);
//! - harness errors get no entry (none could cover them), and a case with one counts as not run.
//!
//! Entries keep their order; new ones go after the last entry of their area (the first path
//! segment of the case id), and areas are separated by a blank line, one entry per line, as the
//! bundled files are written. Running `update` on its own output with the same report changes
//! nothing, and after an update (with real reasons) the same run passes.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::exec::failure::Check;
use crate::report::json::{FailureResult, Outcome, RunReport};
use crate::verdict::expectations::{
    Entry, Expectations, File, REASON_PLACEHOLDER, is_placeholder_reason, schema_validator,
};

/// One entry as written in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub case: String,
    pub step: Option<String>,
    pub check: Option<Check>,
    pub operation: Option<String>,
    pub at: Option<String>,
    pub found: Option<String>,
    pub intermittent: bool,
    pub reason: String,
}

impl Item {
    fn entry(&self) -> Entry {
        Entry {
            case: self.case.clone(),
            step: self.step.clone(),
            check: self.check,
            operation: self.operation.clone(),
            at: self.at.clone(),
            found: self.found.clone(),
            intermittent: self.intermittent,
            reason: self.reason.clone(),
            applied: Default::default(),
        }
    }

    /// `case [operation] step [check] at place found "value"`, for messages.
    pub fn describe(&self) -> String {
        let mut text = self.case.clone();
        if let Some(operation) = &self.operation {
            text.push(' ');
            text.push_str(operation);
        }
        if let Some(step) = &self.step {
            text.push(' ');
            text.push_str(step);
        }
        if let Some(check) = self.check {
            text.push_str(&format!(" [{check}]"));
        }
        if let Some(at) = &self.at {
            text.push_str(&format!(" at {at}"));
        }
        if let Some(found) = &self.found {
            text.push_str(&format!(" found {found:?}"));
        }
        text
    }

    fn area(&self) -> &str {
        self.case.split('/').next().unwrap_or("")
    }

    /// The entry as one line of JSON, members in the order case, operation, step, check, at,
    /// found, intermittent, reason.
    fn to_line(&self) -> String {
        let string = |s: &str| Value::String(s.to_owned()).to_string();
        let mut members = vec![format!("\"case\": {}", string(&self.case))];
        let mut optional = |name: &str, value: Option<&str>| {
            if let Some(value) = value {
                members.push(format!("\"{name}\": {}", string(value)));
            }
        };
        optional("operation", self.operation.as_deref());
        optional("step", self.step.as_deref());
        optional("check", self.check.map(Check::name));
        optional("at", self.at.as_deref());
        optional("found", self.found.as_deref());
        if self.intermittent {
            members.push("\"intermittent\": true".to_owned());
        }
        members.push(format!("\"reason\": {}", string(&self.reason)));
        format!("{{{}}}", members.join(", "))
    }
}

/// What an update did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// The new file's text.
    pub text: String,
    pub added: Vec<Item>,
    /// Removed entries with why.
    pub removed: Vec<(Item, String)>,
    pub kept: usize,
    /// Entries (new or old) whose reason is still a placeholder.
    pub placeholders: Vec<Item>,
}

/// Writes an expectations file: `$schema` if given, the target, one entry per line, a blank line
/// between areas.
pub fn format_file(schema: Option<&str>, target: &str, items: &[Item]) -> String {
    let mut out = String::from("{\n");
    if let Some(schema) = schema {
        out.push_str(&format!(
            "  \"$schema\": {},\n",
            Value::String(schema.to_owned())
        ));
    }
    out.push_str(&format!(
        "  \"target\": {},\n",
        Value::String(target.to_owned())
    ));
    if items.is_empty() {
        out.push_str("  \"expected_failures\": []\n}\n");
        return out;
    }
    out.push_str("  \"expected_failures\": [\n");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
            if items[i - 1].area() != item.area() {
                out.push('\n');
            }
        }
        out.push_str("    ");
        out.push_str(&item.to_line());
    }
    out.push_str("\n  ]\n}\n");
    out
}

/// Parses an existing file without the checks a run makes on it (placeholders, cases that no
/// longer exist): those are what an update repairs. The schema must still hold.
fn parse_existing(shown: &str, text: &str) -> Result<(Option<String>, String, Vec<Item>), String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("{shown}: invalid JSON: {e}"))?;
    let errors: Vec<String> = schema_validator()
        .iter_errors(&value)
        .map(|e| format!("{shown}: at {}: {e}", e.instance_path()))
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let file: File = serde_json::from_value(value).map_err(|e| format!("{shown}: {e}"))?;
    let items = file
        .expected_failures
        .into_iter()
        .map(|e| Item {
            case: e.case,
            step: e.step,
            check: e.check,
            operation: e.operation,
            at: e.at,
            found: e.found,
            intermittent: e.intermittent,
            reason: e.reason,
        })
        .collect();
    Ok((file.schema, file.target, items))
}

/// Applies the entries to the run's failures as a run does: the first covering per-case entry,
/// else the first covering waiver. A case whose failures only waivers cover passed (with
/// waivers), so its per-case entries covered nothing. Gives which entries covered something, and
/// the (case, step) pairs with a failure no entry covers.
fn apply(
    entries: &[Entry],
    suite: &BTreeSet<&str>,
    run: &RunReport,
) -> (Vec<bool>, Vec<(String, String)>) {
    let mut used = vec![false; entries.len()];
    let mut uncovered: Vec<(String, String)> = Vec::new();
    for case in run.cases.iter().filter(|c| suite.contains(c.id.as_str())) {
        let matching: Vec<usize> = (0..entries.len())
            .filter(|&i| entries[i].matches_case(&case.id))
            .collect();
        for step in &case.steps {
            for failure in &step.failures {
                let covers = |i: &&usize| {
                    let e = &entries[**i];
                    e.covers_named(&step.id, failure.check)
                        && e.operation.as_ref().is_none_or(|o| *o == step.operation)
                        && covers_reported(e, failure)
                };
                let demanding = |i: &&usize| entries[**i].demands_failure() && covers(i);
                match matching
                    .iter()
                    .find(demanding)
                    .or_else(|| matching.iter().find(covers))
                {
                    Some(&i) => used[i] = true,
                    None => {
                        let key = (case.id.clone(), step.id.clone());
                        if !uncovered.contains(&key) {
                            uncovered.push(key);
                        }
                    }
                }
            }
        }
    }
    (used, uncovered)
}

/// Whether an entry's `at` and `found` cover a reported failure. The report carries the
/// failure's pointers and found value; where it has none (reports of older harnesses), an entry
/// narrowed by them is taken to cover a failure the run counted as expected.
fn covers_reported(entry: &Entry, failure: &FailureResult) -> bool {
    let at = match (&entry.at, failure.at.is_empty()) {
        (None, _) => true,
        (Some(_), true) => failure.expected,
        (Some(_), false) => {
            let pointers: Vec<&str> = failure.at.iter().map(String::as_str).collect();
            entry.at_covers(&pointers)
        }
    };
    let found = match (&entry.found, &failure.found) {
        (None, _) => true,
        (Some(_), None) => failure.expected,
        (Some(want), Some(found)) => want == found,
    };
    at && found
}

/// Updates the expectations of `target` (the file's current text, if any) from `run`.
/// `case_ids` are the cases of the suite now; `reason` is written into new entries instead of
/// the placeholder.
pub fn update(
    existing: Option<&str>,
    shown: &str,
    target: &str,
    case_ids: &[&str],
    run: &RunReport,
    reason: Option<&str>,
) -> Result<Update, String> {
    let (schema, file_target, items) = match existing {
        Some(text) => parse_existing(shown, text)?,
        None => (None, target.to_owned(), Vec::new()),
    };
    if file_target != target {
        return Err(format!(
            "{shown} is for target {file_target:?}, not {target:?}"
        ));
    }
    let entries: Vec<Entry> = items.iter().map(Item::entry).collect();
    let suite: BTreeSet<&str> = case_ids.iter().copied().collect();

    let (used, uncovered) = apply(&entries, &suite, run);

    let mut kept_items: Vec<Item> = Vec::new();
    let mut removed = Vec::new();
    for ((item, entry), used) in items.iter().zip(&entries).zip(&used) {
        match removal(entry, *used, &suite, run) {
            Some(why) => removed.push((item.clone(), why)),
            None => kept_items.push(item.clone()),
        }
    }
    let kept = kept_items.len();

    let mut added = Vec::new();
    let mut all = kept_items;
    for (case, step) in uncovered {
        let item = Item {
            case,
            step: Some(step),
            check: None,
            operation: None,
            at: None,
            found: None,
            intermittent: false,
            reason: reason.unwrap_or(REASON_PLACEHOLDER).to_owned(),
        };
        let at = all
            .iter()
            .rposition(|existing| existing.area() == item.area())
            .map_or(all.len(), |i| i + 1);
        all.insert(at, item.clone());
        added.push(item);
    }

    let text = format_file(schema.as_deref(), target, &all);
    // The result must load, placeholders aside.
    loads_but_for_placeholders(shown, &text, target, case_ids, "the updated file")?;
    let placeholders = all
        .iter()
        .filter(|i| is_placeholder_reason(&i.reason))
        .cloned()
        .collect();
    Ok(Update {
        text,
        added,
        removed,
        kept,
        placeholders,
    })
}

/// Why an entry that covered nothing in `run` goes, or `None` if it stays.
fn removal(entry: &Entry, used: bool, suite: &BTreeSet<&str>, run: &RunReport) -> Option<String> {
    let matched: Vec<&str> = suite
        .iter()
        .copied()
        .filter(|id| entry.matches_case(id))
        .collect();
    if matched.is_empty() {
        return Some("names no case of the suite".to_owned());
    }
    if used || entry.intermittent {
        return None;
    }
    // A case with a harness error says nothing about the target: as if it had not run.
    let ran: Vec<_> = run
        .cases
        .iter()
        .filter(|c| entry.matches_case(&c.id) && c.outcome != Outcome::Error)
        .collect();
    if let Some(step) = &entry.step {
        for case in &ran {
            match case.steps.iter().find(|s| &s.id == step) {
                None => return Some(format!("{} has no step {step}", case.id)),
                Some(s) if s.outcome == Outcome::Skipped => return None,
                Some(_) => {}
            }
        }
    }
    if ran.is_empty() || ran.len() < matched.len() {
        return None;
    }
    Some(if entry.demands_failure() {
        "passes now".to_owned()
    } else {
        "waived nothing in a run of every case it names".to_owned()
    })
}

/// Reads the reports of runs against `target` and merges them (shards of one run).
pub fn read_reports(target: &str, reports: &[PathBuf]) -> Result<RunReport, String> {
    let mut merged: Option<RunReport> = None;
    for path in reports {
        let report = RunReport::read(path)?;
        if let Some(t) = &report.target
            && t != target
        {
            return Err(format!(
                "{} is a run against target {t:?}, not {target:?}",
                path.display()
            ));
        }
        match &mut merged {
            Some(m) => m.merge(report),
            None => merged = Some(report),
        }
    }
    Ok(merged.ok_or("no report given")?)
}

/// Reads the reports (merging those of one target), updates
/// `<cases_dir>/expectations/<target>.json` and writes it back.
pub fn update_file(
    cases_dir: &Path,
    target: &str,
    reports: &[PathBuf],
    reason: Option<&str>,
) -> Result<(PathBuf, Update), String> {
    if let Some(reason) = reason
        && (is_placeholder_reason(reason) || reason.chars().count() < 10)
    {
        return Err(format!(
            "--reason {reason:?}: say why the target fails (at least 10 characters, not TODO)"
        ));
    }
    let run = read_reports(target, reports)?;
    let ids = suite_ids(cases_dir)?;
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let path = cases_dir
        .join("expectations")
        .join(format!("{target}.json"));
    let existing = match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let shown = path.display().to_string();
    let update = update(existing.as_deref(), &shown, target, &ids, &run, reason)?;
    if existing.as_deref() != Some(update.text.as_str()) {
        crate::report::write_atomically(&path, &update.text)?;
    }
    Ok((path, update))
}

/// The ids of every case a run can have: the case files under `cases_dir` and the generated
/// validation cases (a run leaves those out with `--no-generated`, and an entry for them is still
/// an entry of the suite).
pub(super) fn suite_ids(cases_dir: &Path) -> Result<Vec<String>, String> {
    let store = crate::service::schemas::SchemaStore::global();
    let cases = crate::spec::load::load_dir(cases_dir, store).map_err(|e| e.to_string())?;
    let generated = crate::spec::generated::index::ids(store).map_err(|e| e.to_string())?;
    Ok(cases.into_iter().map(|c| c.id).chain(generated).collect())
}

/// Whether expectations `text` (shown as `shown`) loads for `case_ids`, apart from reasons that
/// are still placeholders (a person writes those); `what` names the file in the error.
pub(super) fn loads_but_for_placeholders(
    shown: &str,
    text: &str,
    target: &str,
    case_ids: &[&str],
    what: &str,
) -> Result<(), String> {
    let Err(errors) = Expectations::parse(shown, text, target, case_ids) else {
        return Ok(());
    };
    let other: Vec<String> = errors
        .iter()
        .filter(|e| !e.message.contains("is a placeholder"))
        .map(|e| e.to_string())
        .collect();
    match other.is_empty() {
        true => Ok(()),
        false => Err(format!("{what} would not load:\n  {}", other.join("\n  "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::fixtures::{self, failure};
    use crate::report::json::{CaseRef, CaseResult, Harness, ModelVersion, StepResult, Totals};

    /// Step `id` calling CreateUserPool, failing the `checks`.
    fn step(id: &str, outcome: Outcome, checks: &[&str]) -> StepResult {
        let failures = checks.iter().map(|c| failure(c, &[], None)).collect();
        fixtures::step(id, "CreateUserPool", outcome, failures)
    }

    fn case(id: &str, steps: Vec<StepResult>) -> CaseResult {
        fixtures::case(id, Outcome::Pass, steps)
    }

    fn run(cases: Vec<CaseResult>, not_run: &[&str]) -> RunReport {
        RunReport {
            format: crate::report::json::FORMAT.into(),
            format_version: crate::report::json::FORMAT_VERSION,
            run_id: "r".into(),
            harness: Harness {
                name: "cognito-contract".into(),
                version: "0".into(),
            },
            model: ModelVersion {
                service: "cognito-idp".into(),
                botocore: None,
                api_version: "2016-04-18".into(),
            },
            target: Some("t".into()),
            endpoint: "http://127.0.0.1:1".into(),
            region: "us-east-1".into(),
            started_at: "2026-01-01T00:00:00.000Z".into(),
            finished_at: "2026-01-01T00:00:01.000Z".into(),
            complete: not_run.is_empty(),
            totals: Totals::default(),
            stale_expectations: Vec::new(),
            setup_divergences: Vec::new(),
            cases,
            not_run: not_run
                .iter()
                .map(|id| CaseRef {
                    id: (*id).to_owned(),
                    area: "a".into(),
                    operations: Vec::new(),
                })
                .collect(),
        }
    }

    const IDS: &[&str] = &["a/one", "a/two", "b/three", "b/four"];

    const EXISTING: &str = r#"{
  "target": "t",
  "expected_failures": [
    {"case": "**", "check": "content_type", "reason": "errors come as application/json"},

    {"case": "a/one", "step": "steps[0]", "reason": "one is known to fail at its first step"},
    {"case": "a/two", "step": "steps[1]", "reason": "two fails at its second step"},

    {"case": "b/three", "intermittent": true, "reason": "three times out now and then"},
    {"case": "b/four", "step": "steps[0]", "check": "body", "reason": "four's body differs"}
  ]
}
"#;

    #[test]
    fn formatting_an_unchanged_file_reproduces_it() {
        let (schema, target, items) = parse_existing("t.json", EXISTING).unwrap();
        assert_eq!(format_file(schema.as_deref(), &target, &items), EXISTING);
    }

    #[test]
    fn adds_new_failures_removes_passing_entries_keeps_reasons() {
        let report = run(
            vec![
                // one still fails at steps[0], and now also at its teardown
                case(
                    "a/one",
                    vec![
                        step("steps[0]", Outcome::ExpectedFailure, &["status"]),
                        step("teardown[0]", Outcome::Fail, &["json"]),
                    ],
                ),
                // two passes now
                case(
                    "a/two",
                    vec![
                        step("steps[0]", Outcome::Pass, &[]),
                        step("steps[1]", Outcome::Pass, &[]),
                    ],
                ),
                // three (intermittent) passed this time: kept
                case("b/three", vec![step("steps[0]", Outcome::Pass, &[])]),
                // four still fails in its body, and content_type is waived
                case(
                    "b/four",
                    vec![step(
                        "steps[0]",
                        Outcome::ExpectedFailure,
                        &["body", "content_type"],
                    )],
                ),
            ],
            &[],
        );
        let update = update(Some(EXISTING), "t.json", "t", IDS, &report, None).unwrap();
        assert_eq!(update.kept, 4);
        assert_eq!(update.removed.len(), 1);
        assert_eq!(update.removed[0].0.case, "a/two");
        assert_eq!(update.removed[0].1, "passes now");
        assert_eq!(update.added.len(), 1);
        assert_eq!(update.added[0].describe(), "a/one teardown[0]");
        assert_eq!(update.placeholders, update.added);
        let expected = EXISTING
            .replace(
                "    {\"case\": \"a/two\", \"step\": \"steps[1]\", \"reason\": \"two fails at its second step\"},\n",
                &format!(
                    "    {{\"case\": \"a/one\", \"step\": \"teardown[0]\", \"reason\": \"{REASON_PLACEHOLDER}\"}},\n"
                ),
            );
        assert_eq!(update.text, expected);

        // The placeholder keeps the file from loading until a reason is written.
        let errors = Expectations::parse("t.json", &update.text, "t", IDS).unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].location, "/expected_failures/2/reason");
        assert!(errors[0].message.contains("placeholder"), "{errors:?}");

        // With a reason, it loads; updating again from the same run changes nothing.
        let reason = "teardown answers text/html";
        let update =
            super::update(Some(EXISTING), "t.json", "t", IDS, &report, Some(reason)).unwrap();
        assert!(update.placeholders.is_empty());
        Expectations::parse("t.json", &update.text, "t", IDS).unwrap();
        let again = super::update(Some(&update.text), "t.json", "t", IDS, &report, None).unwrap();
        assert_eq!(again.text, update.text);
        assert!(again.added.is_empty() && again.removed.is_empty());
    }

    #[test]
    fn entries_whose_cases_or_steps_did_not_run_stay() {
        // a/two stopped at steps[0] (a new failure): its steps[1] entry cannot be judged.
        // a/one did not run at all. The ** waiver covered nothing, but the run was partial.
        let report = run(
            vec![
                case(
                    "a/two",
                    vec![
                        step("steps[0]", Outcome::Fail, &["status"]),
                        step("steps[1]", Outcome::Skipped, &[]),
                    ],
                ),
                case(
                    "b/four",
                    vec![step("steps[0]", Outcome::ExpectedFailure, &["body"])],
                ),
            ],
            &["a/one", "b/three"],
        );
        let update = update(Some(EXISTING), "t.json", "t", IDS, &report, None).unwrap();
        assert!(update.removed.is_empty(), "{:?}", update.removed);
        assert_eq!(update.kept, 5);
        assert_eq!(update.added[0].describe(), "a/two steps[0]");

        // In a complete run where nothing answers with the wrong content type, the waiver goes.
        let complete = run(
            vec![
                case(
                    "a/one",
                    vec![step("steps[0]", Outcome::ExpectedFailure, &["status"])],
                ),
                case(
                    "a/two",
                    vec![
                        step("steps[0]", Outcome::Pass, &[]),
                        step("steps[1]", Outcome::ExpectedFailure, &["body"]),
                    ],
                ),
                case("b/three", vec![step("steps[0]", Outcome::Pass, &[])]),
                case(
                    "b/four",
                    vec![step("steps[0]", Outcome::ExpectedFailure, &["body"])],
                ),
            ],
            &[],
        );
        let update = super::update(Some(EXISTING), "t.json", "t", IDS, &complete, None).unwrap();
        assert_eq!(update.removed.len(), 1, "{:?}", update.removed);
        assert_eq!(update.removed[0].0.case, "**");
        assert!(update.added.is_empty());
    }

    #[test]
    fn a_case_that_passed_with_waivers_passed_for_its_own_entries() {
        // Every case ran; the only failures are content types the ** waiver covers, and a/one's
        // and a/two's entries name other steps: those cases passed with waivers.
        let mut cases = vec![
            case(
                "a/one",
                vec![
                    step("steps[0]", Outcome::Pass, &[]),
                    step("steps[1]", Outcome::PassedWithWaivers, &["content_type"]),
                ],
            ),
            case(
                "a/two",
                vec![
                    step("steps[0]", Outcome::PassedWithWaivers, &["content_type"]),
                    step("steps[1]", Outcome::Pass, &[]),
                ],
            ),
            case("b/three", vec![step("steps[0]", Outcome::Pass, &[])]),
            case(
                "b/four",
                vec![step("steps[0]", Outcome::ExpectedFailure, &["body"])],
            ),
        ];
        for c in &mut cases[..2] {
            c.outcome = Outcome::PassedWithWaivers;
        }
        let update = update(Some(EXISTING), "t.json", "t", IDS, &run(cases, &[]), None).unwrap();
        let removed: Vec<(&str, &str)> = update
            .removed
            .iter()
            .map(|(item, why)| (item.case.as_str(), why.as_str()))
            .collect();
        assert_eq!(removed, [("a/one", "passes now"), ("a/two", "passes now")]);
        assert!(update.added.is_empty());
        assert_eq!(update.kept, 3, "the waiver applied, so it stays");
    }

    #[test]
    fn precise_entries_are_written_back_as_read() {
        let text = r#"{
  "target": "t",
  "expected_failures": [
    {"case": "**", "operation": "CreateUserPool", "check": "body_schema", "at": "/UserPool/Arn", "reason": "the ARN's account is local"},

    {"case": "a/one", "step": "steps[0]", "check": "error_code", "found": "UserNotFoundException", "reason": "a missing pool reads as a missing user"}
  ]
}
"#;
        let (schema, target, items) = parse_existing("t.json", text).unwrap();
        assert_eq!(format_file(schema.as_deref(), &target, &items), text);
    }

    #[test]
    fn entries_for_cases_that_no_longer_exist_go() {
        let report = run(Vec::new(), IDS);
        let update = update(
            Some(EXISTING),
            "t.json",
            "t",
            &["a/one", "a/two", "b/four"],
            &report,
            None,
        )
        .unwrap();
        assert_eq!(update.removed.len(), 1);
        assert_eq!(update.removed[0].0.case, "b/three");
        assert_eq!(update.removed[0].1, "names no case of the suite");
    }

    #[test]
    fn a_new_file_is_created_for_a_target_without_one() {
        let report = run(
            vec![case(
                "b/four",
                vec![step("steps[0]", Outcome::Fail, &["status"])],
            )],
            &["a/one", "a/two", "b/three"],
        );
        let update = update(
            None,
            "t.json",
            "t",
            IDS,
            &report,
            Some("four is not implemented there"),
        )
        .unwrap();
        assert_eq!(
            update.text,
            "{\n  \"target\": \"t\",\n  \"expected_failures\": [\n    {\"case\": \"b/four\", \"step\": \"steps[0]\", \"reason\": \"four is not implemented there\"}\n  ]\n}\n"
        );
        assert!(update.placeholders.is_empty());
    }
}
