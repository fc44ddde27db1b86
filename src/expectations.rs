//! Known divergences of a named target, read from `<cases>/expectations/<target>.json`, and the
//! verdict they give a case run.
//!
//! An entry names cases (an id or a glob), optionally one step (`steps[1]`) and optionally one
//! check (`content_type`), with the reason. Failures an entry covers are expected. An entry that
//! names a single case, or that has no `check`, *demands* its failure: if the case passes where
//! the entry says it fails, that is an unexpected pass and fails the run, so the list stays
//! honest. A glob entry with a `check` waives that check wherever it happens; if it never
//! applies in a whole run it is reported as stale.

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;
use serde_json::Value;

use crate::failure::{Failure, StepFailure, StepRef};
use crate::load::LoadError;

/// One entry of an expectations file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub case: String,
    pub step: Option<String>,
    pub check: Option<String>,
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
        self.step.as_deref().is_none_or(|s| s == step.id())
            && self.check.as_deref().is_none_or(|c| c == failure.check())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(rename = "$schema")]
    _schema: Option<String>,
    target: String,
    expected_failures: Vec<Entry>,
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
    /// Failed only in ways the expectations describe; the reasons of the entries that applied.
    ExpectedFailure {
        reasons: Vec<String>,
    },
    /// Failures no entry covers.
    Fail {
        unexpected: Vec<StepFailure>,
    },
    /// An entry says this case fails, but it did not fail that way.
    UnexpectedPass {
        reasons: Vec<String>,
    },
}

fn schema_validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value =
            serde_json::from_str(include_str!("../schemas/expectations.schema.json"))
                .expect("schemas/expectations.schema.json is JSON");
        jsonschema::validator_for(&schema).expect("schemas/expectations.schema.json is a schema")
    })
}

impl Expectations {
    /// No expectations: every failure is unexpected.
    pub fn none() -> Self {
        Self::default()
    }

    /// Reads `<cases_dir>/expectations/<target>.json`; a missing file means no expectations.
    /// `case_ids` are the loaded cases: an entry that matches none of them is an error.
    pub fn load(cases_dir: &Path, target: &str, case_ids: &[&str]) -> Result<Self, Vec<LoadError>> {
        let path = cases_dir
            .join("expectations")
            .join(format!("{target}.json"));
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Expectations {
                    target: Some(target.to_owned()),
                    entries: Vec::new(),
                });
            }
            Err(e) => {
                return Err(vec![LoadError {
                    file: shown,
                    location: String::new(),
                    message: format!("cannot read: {e}"),
                }]);
            }
        };
        Self::parse(&shown, &text, target, case_ids)
    }

    /// Parses an expectations file's text (`shown` names it in errors).
    pub fn parse(
        shown: &str,
        text: &str,
        target: &str,
        case_ids: &[&str],
    ) -> Result<Self, Vec<LoadError>> {
        let error = |location: String, message: String| LoadError {
            file: shown.to_owned(),
            location,
            message,
        };
        let value: Value = serde_json::from_str(text).map_err(|e| {
            vec![error(
                format!("{}:{}", e.line(), e.column()),
                format!("invalid JSON: {e}"),
            )]
        })?;
        let errors: Vec<LoadError> = schema_validator()
            .iter_errors(&value)
            .map(|e| error(e.instance_path().to_string(), e.to_string()))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
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
            if !case_ids.iter().any(|id| entry.matches_case(id)) {
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
            .filter(|e| !e.demands_failure() && e.applied.load(Ordering::Relaxed) == 0)
            .collect()
    }
}

/// Whether an expectation covers this failure (the runner goes on past covered check waivers).
pub fn covering<'a>(entries: &[&'a Entry], step: &StepRef, failure: &Failure) -> Option<&'a Entry> {
    entries.iter().copied().find(|e| e.covers(step, failure))
}

/// The verdict for a case run with these failures, counting which entries applied.
pub fn verdict(entries: &[&Entry], failures: &[StepFailure]) -> Verdict {
    let mut unexpected = Vec::new();
    let mut used = vec![false; entries.len()];
    for failure in failures {
        match entries
            .iter()
            .position(|e| e.covers(&failure.step, &failure.failure))
        {
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
    let unmet: Vec<String> = entries
        .iter()
        .zip(&used)
        .filter(|(e, used)| e.demands_failure() && !**used)
        .map(|(e, _)| describe(e))
        .collect();
    if !unmet.is_empty() {
        return Verdict::UnexpectedPass { reasons: unmet };
    }
    let reasons: Vec<String> = entries
        .iter()
        .zip(&used)
        .filter(|(_, used)| **used)
        .map(|(e, _)| describe(e))
        .collect();
    if reasons.is_empty() {
        Verdict::Pass
    } else {
        Verdict::ExpectedFailure { reasons }
    }
}

fn describe(entry: &Entry) -> String {
    let mut text = String::new();
    if let Some(step) = &entry.step {
        text.push_str(step);
        text.push(' ');
    }
    if let Some(check) = &entry.check {
        text.push_str(&format!("[{check}] "));
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
    use crate::failure::Section;

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
            Verdict::ExpectedFailure { .. }
        ));
        assert!(waiver.stale_waivers().is_empty());
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
