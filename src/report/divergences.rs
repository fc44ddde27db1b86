//! Setup and teardown divergences: failures in a setup or teardown reply that did not end the
//! case (setup goes on past the checks of [`GOES_ON_AFTER`], teardown past any failure).
//! A target that, say, sends no request id fails that check in the setup of every case; the
//! closing summary and the reports name each such divergence once, per (section, operation,
//! check, JSON pointer), with the number of cases that saw it, rather than once per case.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::exec::failure::{Check, Section};
use crate::exec::runner::GOES_ON_AFTER;

/// One divergence, with the cases that saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Divergence {
    /// `setup` or `teardown`.
    pub section: String,
    /// The step's operation (empty for an `http_get` step).
    pub operation: String,
    pub check: Check,
    /// The JSON pointer the failure is about; `None` for failures not about one place.
    pub at: Option<String>,
    /// Cases that saw it.
    pub cases: usize,
    /// Of those, the cases in which an expectation covered it.
    pub expected: usize,
    /// The first case (by id) that saw it, and what it saw there.
    pub example_case: String,
    pub example: String,
}

impl Divergence {
    /// `setup CreateUserPool body_schema at /UserPool/Arn`.
    pub fn describe(&self) -> String {
        let mut text = format!("{} {} {}", self.section, self.operation, self.check);
        if let Some(at) = &self.at {
            text.push_str(&format!(" at {at}"));
        }
        text
    }
}

/// (section, operation, check, place): what makes two failures the same divergence.
pub type Key = (String, String, Check, Option<String>);

/// One divergence as one case saw it: its key, whether an expectation covered it there, and
/// the failure's text.
pub type Seen = (Key, bool, String);

/// One failure of a step, as a report records it (see `CaseResult::divergences` in
/// [`crate::report::json`]).
pub struct Reported<'a> {
    /// `setup`, `steps` or `teardown`.
    pub section: &'a str,
    pub operation: &'a str,
    pub check: Check,
    /// The JSON pointers it is about.
    pub at: &'a [String],
    /// An expectation covered it.
    pub expected: bool,
    pub message: &'a str,
}

impl Reported<'_> {
    /// Whether this failure is a divergence that did not end its case.
    fn counts(&self) -> bool {
        if self.section == Section::Teardown.name() {
            return true;
        }
        self.section == Section::Setup.name() && GOES_ON_AFTER.contains(&self.check)
    }
}

/// The line of `message` about `pointer` (a schema failure lists one line per violation,
/// `at /UserPool/Arn: ...`), else its first line.
fn example_line(message: &str, pointer: Option<&str>) -> String {
    let about = pointer.and_then(|p| {
        let shown = if p.is_empty() { "/" } else { p };
        let head = format!("at {shown}:");
        message
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with(&head))
    });
    let line = about.unwrap_or_else(|| message.lines().next().unwrap_or(""));
    shorten(line, 200)
}

/// `text` cut to `limit` characters, with `…` when cut.
fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The divergences one case saw, from its failures: each key once, with whether an expectation
/// covered it there and the failure's text.
pub fn of_case<'a>(failures: impl IntoIterator<Item = Reported<'a>>) -> Vec<Seen> {
    let mut seen: BTreeMap<Key, (bool, String)> = BTreeMap::new();
    for failure in failures.into_iter().filter(Reported::counts) {
        let places: Vec<Option<&str>> = match failure.at {
            [] => vec![None],
            pointers => pointers.iter().map(|p| Some(p.as_str())).collect(),
        };
        for place in places {
            let key = (
                failure.section.to_owned(),
                failure.operation.to_owned(),
                failure.check,
                place.map(str::to_owned),
            );
            let entry = seen
                .entry(key)
                .or_insert_with(|| (true, example_line(failure.message, place)));
            entry.0 &= failure.expected;
        }
    }
    seen.into_iter().map(|(k, (e, m))| (k, e, m)).collect()
}

/// Groups what the cases saw (`(case id, of_case(...))`, in any order): one divergence per key,
/// most cases first, then by key.
pub fn group<'a>(seen: impl IntoIterator<Item = (&'a str, Vec<Seen>)>) -> Vec<Divergence> {
    let mut groups: BTreeMap<Key, Divergence> = BTreeMap::new();
    for (case, items) in seen {
        for ((section, operation, check, at), expected, message) in items {
            let key = (section.clone(), operation.clone(), check, at.clone());
            let group = groups.entry(key).or_insert_with(|| Divergence {
                section,
                operation,
                check,
                at,
                cases: 0,
                expected: 0,
                example_case: case.to_owned(),
                example: message.clone(),
            });
            group.cases += 1;
            group.expected += usize::from(expected);
            if case < group.example_case.as_str() {
                group.example_case = case.to_owned();
                group.example = message;
            }
        }
    }
    let mut all: Vec<Divergence> = groups.into_values().collect();
    // Stable: equal counts keep the key order.
    all.sort_by_key(|d| std::cmp::Reverse(d.cases));
    all
}

/// Divergences listed by name in the closing summary and the Markdown report; the rest are
/// counted.
pub const LISTED: usize = 20;

/// The closing summary's lines about divergences: a heading, then one line per divergence
/// (at most [`LISTED`]), e.g. `  setup CreateUserPool request_id: 734 cases (734 covered by
/// expectations); e.g. users/x: [request_id] reply has no x-amzn-RequestId header`.
pub fn render_text(divergences: &[Divergence]) -> String {
    if divergences.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "setup and teardown divergences that did not end their cases ({}, each once):\n",
        divergences.len()
    );
    for d in divergences.iter().take(LISTED) {
        out.push_str(&format!(
            "  {}: {} {}{}; e.g. {}: {}\n",
            d.describe(),
            d.cases,
            if d.cases == 1 { "case" } else { "cases" },
            covered(d),
            d.example_case,
            d.example
        ));
    }
    if divergences.len() > LISTED {
        let rest = &divergences[LISTED..];
        let cases: usize = rest.iter().map(|d| d.cases).sum();
        out.push_str(&format!(
            "  ... and {} more, seen {cases} times in all (the JSON report lists every one)\n",
            rest.len()
        ));
    }
    out
}

/// ` (N covered by expectations)` when some are.
pub fn covered(d: &Divergence) -> String {
    match d.expected {
        0 => String::new(),
        n if n == d.cases => " (all covered by expectations)".to_owned(),
        n => format!(" ({n} covered by expectations)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failure of `check` at `step` (`setup[0]`) of `operation`, about the places `at`.
    type Failure = (&'static str, &'static str, &'static str, Vec<String>, bool);

    fn failure(
        step: &'static str,
        operation: &'static str,
        check: &'static str,
        at: &[&str],
        expected: bool,
    ) -> Failure {
        let at = at.iter().map(|p| (*p).to_owned()).collect();
        (step, operation, check, at, expected)
    }

    fn seen(failures: &[Failure]) -> Vec<Seen> {
        let messages: Vec<String> = failures
            .iter()
            .map(|(_, _, check, at, _)| {
                let lines: String = at
                    .iter()
                    .map(|p| format!("\n    at {p}: {p} is wrong"))
                    .collect();
                format!("[{check}] differs{lines}")
            })
            .collect();
        of_case(failures.iter().zip(&messages).map(
            |((step, operation, check, at, expected), message)| Reported {
                section: step.split('[').next().unwrap(),
                operation,
                check: check.parse().unwrap(),
                at,
                expected: *expected,
                message,
            },
        ))
    }

    /// A case whose setup created a pool with a bad ARN and no request id, whose step failed
    /// too, and whose teardown had no request id either.
    fn quirky(expected: bool) -> Vec<Seen> {
        seen(&[
            failure("setup[0]", "CreateUserPool", "request_id", &[], expected),
            failure(
                "setup[0]",
                "CreateUserPool",
                "body_schema",
                &["/UserPool/Arn", "/UserPool/Name"],
                false,
            ),
            failure("steps[0]", "DescribeUserPool", "request_id", &[], false),
            failure("teardown[0]", "DeleteUserPool", "request_id", &[], false),
        ])
    }

    #[test]
    fn each_divergence_is_counted_once_per_case_and_place() {
        let found = group([
            ("a/2", quirky(true)),
            ("a/1", quirky(false)),
            ("a/3", quirky(true)),
        ]);
        let named: Vec<(String, usize, usize)> = found
            .iter()
            .map(|d| (d.describe(), d.cases, d.expected))
            .collect();
        assert_eq!(
            named,
            [
                ("setup CreateUserPool request_id".into(), 3, 2),
                (
                    "setup CreateUserPool body_schema at /UserPool/Arn".into(),
                    3,
                    0
                ),
                (
                    "setup CreateUserPool body_schema at /UserPool/Name".into(),
                    3,
                    0
                ),
                ("teardown DeleteUserPool request_id".into(), 3, 0),
            ]
        );
        // The steps' own failures are not divergences; the example is the first case's, and
        // for a schema failure the violation at that place.
        assert_eq!(found[1].example_case, "a/1");
        assert_eq!(found[1].example, "at /UserPool/Arn: /UserPool/Arn is wrong");
        let text = render_text(&found);
        assert!(
            text.contains(
                "  setup CreateUserPool request_id: 3 cases (2 covered by expectations); \
                 e.g. a/1: [request_id] differs\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn a_setup_failure_that_ends_the_case_is_no_divergence() {
        let ended = seen(&[failure("setup[0]", "CreateUserPool", "status", &[], false)]);
        assert!(group([("a/1", ended)]).is_empty());
        assert_eq!(render_text(&[]), "");
    }
}
