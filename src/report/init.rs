//! `cognito-contract expectations init`: a first expectations file for a target, from the JSON
//! report of a run without one.
//!
//! A new target fails in a few ways everywhere (no request id, another content type, a member
//! in another format) and in many ways once each. `init` writes the first kind as one rule each
//! and the second as one entry per case and step:
//! - **Rules.** Failures of the checks a case goes on past
//!   ([`GOES_ON_AFTER`]: request id, content type, JSON, body schema, body, message, documented
//!   error) that are about at most one place in the body are grouped by (check, place, value
//!   found). A group seen in at least [`RULE_FROM`] cases becomes one glob rule,
//!   `{"case": "**", "operation": ..., "check": ..., "at": ..., "found": ...}`, naming the
//!   operation when the group has one and leaving it out when the same failure comes from
//!   several (the place and the value still narrow it). Such a rule is a waiver: cases whose
//!   only failures it covers pass with waivers.
//! - **Per-case entries.** Every other failure (a status, an error code, a capture, a schema
//!   failure about several places, a failure fewer cases share) gets an entry for its case and
//!   step, as `expectations update` writes them, which the case must keep failing. Such an entry
//!   covers every failure of its step, so a rule whose failures all sit at steps with an entry
//!   is left out (it would cover nothing, and be stale).
//!
//! Every reason is a placeholder beginning `TODO` (a rule's says how many cases saw it), which
//! the loader refuses ([`is_placeholder_reason`]): the file counts only once a person has said
//! why the target fails there. Then the same run passes: which steps run does not depend on the
//! expectations (see [`crate::exec::runner`]), so the run with the file takes every case exactly
//! as far as the run without it did, and meets no failure the report did not show.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::exec::failure::Check;
use crate::exec::runner::GOES_ON_AFTER;
use crate::report::json::{FailureResult, Outcome, RunReport, StepResult};
use crate::report::update::{Item, format_file, read_reports};
use crate::verdict::expectations::{REASON_PLACEHOLDER, is_placeholder_reason};

/// A failure shared by at least this many cases becomes one rule; fewer get per-case entries.
/// Three: two cases can share a failure by coincidence of what they test (two cases of one
/// operation), three or more of different areas rarely do.
pub const RULE_FROM: usize = 3;

/// What makes failures one rule: check, place (a JSON pointer) and value found.
type RuleKey = (Check, Option<String>, Option<String>);

/// A first expectations file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Init {
    /// The file's text.
    pub text: String,
    /// The rules, each with the number of cases it covers a failure of.
    pub rules: Vec<(Item, usize)>,
    /// The per-case entries.
    pub entries: Vec<Item>,
}

/// The rule key of a failure, if it can be a rule.
fn rule_key(failure: &FailureResult) -> Option<RuleKey> {
    let at = match failure.at.as_slice() {
        [] => None,
        [one] if !one.is_empty() => Some(one.clone()),
        _ => return None,
    };
    GOES_ON_AFTER
        .contains(&failure.check)
        .then(|| (failure.check, at, failure.found.clone()))
}

/// The failures of the cases that ran without a harness error, with their case and step.
fn failures(run: &RunReport) -> Vec<(&str, &StepResult, &FailureResult)> {
    run.cases
        .iter()
        .filter(|c| c.outcome != Outcome::Error)
        .flat_map(|c| {
            c.steps
                .iter()
                .flat_map(move |s| s.failures.iter().map(move |f| (c.id.as_str(), s, f)))
        })
        .collect()
}

/// The rules: the keys seen in at least [`RULE_FROM`] cases, most cases first.
fn rules(target: &str, all: &[(&str, &StepResult, &FailureResult)]) -> Vec<(RuleKey, Item, usize)> {
    let mut groups: BTreeMap<RuleKey, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for (case, step, failure) in all {
        if let Some(key) = rule_key(failure) {
            let (cases, operations) = groups.entry(key).or_default();
            cases.insert(case);
            operations.insert(step.operation.as_str());
        }
    }
    let mut rules: Vec<(RuleKey, Item, usize)> = groups
        .into_iter()
        .filter(|(_, (cases, _))| cases.len() >= RULE_FROM)
        .map(|(key, (cases, operations))| {
            let operation = match operations.into_iter().collect::<Vec<_>>().as_slice() {
                [one] if !one.is_empty() => Some((*one).to_owned()),
                _ => None,
            };
            let item = Item {
                case: "**".to_owned(),
                step: None,
                check: Some(key.0),
                operation,
                at: key.1.clone(),
                found: key.2.clone(),
                intermittent: false,
                reason: format!(
                    "TODO: say why {target} fails this way (seen in {} cases)",
                    cases.len()
                ),
            };
            (key, item, cases.len())
        })
        .collect();
    rules.sort_by_key(|r| std::cmp::Reverse(r.2));
    rules
}

/// A first expectations file for `target` from `run`; `case_ids` are the cases of the suite.
pub fn init(target: &str, case_ids: &[&str], run: &RunReport) -> Result<Init, String> {
    let all = failures(run);
    let rules = rules(target, &all);
    let keys: BTreeSet<RuleKey> = rules.iter().map(|(k, _, _)| k.clone()).collect();
    let ruled = |f: &FailureResult| rule_key(f).is_some_and(|k| keys.contains(&k));

    let mut entries: Vec<Item> = Vec::new();
    for (case, step, failure) in &all {
        let known = entries
            .iter()
            .any(|e| e.case == *case && e.step.as_deref() == Some(step.id.as_str()));
        if ruled(failure) || known {
            continue;
        }
        entries.push(Item {
            case: (*case).to_owned(),
            step: Some(step.id.clone()),
            check: None,
            operation: None,
            at: None,
            found: None,
            intermittent: false,
            reason: REASON_PLACEHOLDER.to_owned(),
        });
    }
    entries.sort_by(|a, b| (&a.case, &a.step).cmp(&(&b.case, &b.step)));
    // A per-case entry covers every failure of its step, before any rule: a rule all of whose
    // failures sit at such steps would cover nothing, and be stale.
    let has_entry = |case: &str, step: &str| {
        entries
            .iter()
            .any(|e| e.case == case && e.step.as_deref() == Some(step))
    };
    let rules: Vec<(RuleKey, Item, usize)> = rules
        .into_iter()
        .filter(|(key, _, _)| {
            all.iter().any(|(case, step, failure)| {
                rule_key(failure).as_ref() == Some(key) && !has_entry(case, &step.id)
            })
        })
        .collect();

    let items: Vec<Item> = rules
        .iter()
        .map(|(_, item, _)| item.clone())
        .chain(entries.iter().cloned())
        .collect();
    let text = format_file(None, target, &items);
    crate::report::update::loads_but_for_placeholders(
        target,
        &text,
        target,
        case_ids,
        "the new file",
    )?;
    debug_assert!(items.iter().all(|i| is_placeholder_reason(&i.reason)));
    Ok(Init {
        text,
        rules: rules.into_iter().map(|(_, item, n)| (item, n)).collect(),
        entries,
    })
}

/// Reads the reports (merging those of one target) and writes a first
/// `<cases_dir>/expectations/<target>.json`; refuses to replace an existing file (that is what
/// `expectations update` is for).
pub fn init_file(
    cases_dir: &Path,
    target: &str,
    reports: &[PathBuf],
) -> Result<(PathBuf, Init), String> {
    let path = cases_dir
        .join("expectations")
        .join(format!("{target}.json"));
    if path.exists() {
        return Err(format!(
            "{} exists: `expectations update --target {target}` updates it from a report",
            path.display()
        ));
    }
    let run = read_reports(target, reports)?;
    let ids = crate::report::update::suite_ids(cases_dir)?;
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let init = init(target, &ids, &run)?;
    crate::report::write_atomically(&path, &init.text)?;
    Ok((path, init))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::fixtures::{self, failure, step};
    use crate::report::json::{CaseResult, ModelVersion, RunInfo};
    use crate::verdict::expectations::Expectations;

    fn case(id: &str, steps: Vec<StepResult>) -> CaseResult {
        fixtures::case(id, Outcome::Fail, steps)
    }

    /// Setup creates a pool (no request id, a bad ARN), the step lists pools (no request id).
    fn quirky(id: &str, step_failures: Vec<FailureResult>, then: Outcome) -> CaseResult {
        case(
            id,
            vec![
                step(
                    "setup[0]",
                    "CreateUserPool",
                    Outcome::Fail,
                    vec![
                        failure("request_id", &[], None),
                        failure("body_schema", &["/UserPool/Arn"], None),
                    ],
                ),
                step("steps[0]", "ListUserPools", Outcome::Fail, step_failures),
                step("steps[1]", "ListUserPools", then, Vec::new()),
            ],
        )
    }

    fn report(cases: Vec<CaseResult>) -> RunReport {
        let info = RunInfo {
            run_id: "r".into(),
            target: None,
            endpoint: "http://127.0.0.1:1".into(),
            region: "us-east-1".into(),
            started: std::time::SystemTime::now(),
        };
        let model = ModelVersion {
            service: "cognito-idp".into(),
            botocore: None,
            api_version: "2016-04-18".into(),
        };
        RunReport::new(&info, model, &[], cases, Vec::new())
    }

    const IDS: &[&str] = &["a/1", "a/2", "b/3", "b/4"];

    #[test]
    fn shared_failures_become_one_rule_each_and_the_rest_per_case_entries() {
        let run = report(vec![
            quirky(
                "a/1",
                vec![failure("request_id", &[], None)],
                Outcome::Skipped,
            ),
            quirky("a/2", vec![failure("request_id", &[], None)], Outcome::Pass),
            quirky(
                "b/3",
                vec![
                    failure("request_id", &[], None),
                    failure("status", &[], Some("500")),
                ],
                Outcome::Skipped,
            ),
            // A schema failure about two places, and a body value seen only here.
            quirky(
                "b/4",
                vec![
                    failure(
                        "body_schema",
                        &["/UserPools/0/Id", "/UserPools/0/Name"],
                        None,
                    ),
                    failure("body", &["/UserPools"], Some("[]")),
                ],
                Outcome::Skipped,
            ),
        ]);
        let init = init("t", IDS, &run).unwrap();
        let rules: Vec<(String, usize)> = init
            .rules
            .iter()
            .map(|(item, n)| (item.describe(), *n))
            .collect();
        assert_eq!(
            rules,
            [
                ("** [request_id]".to_owned(), 4),
                (
                    "** CreateUserPool [body_schema] at /UserPool/Arn".to_owned(),
                    4
                ),
            ]
        );
        let entries: Vec<String> = init.entries.iter().map(Item::describe).collect();
        assert_eq!(entries, ["b/3 steps[0]", "b/4 steps[0]"]);
        assert_eq!(
            init.text,
            "{\n  \"target\": \"t\",\n  \"expected_failures\": [\n    \
             {\"case\": \"**\", \"check\": \"request_id\", \"reason\": \"TODO: say why t fails this way (seen in 4 cases)\"},\n    \
             {\"case\": \"**\", \"operation\": \"CreateUserPool\", \"check\": \"body_schema\", \"at\": \"/UserPool/Arn\", \"reason\": \"TODO: say why t fails this way (seen in 4 cases)\"},\n\n    \
             {\"case\": \"b/3\", \"step\": \"steps[0]\", \"reason\": \"TODO: say why this fails on this target\"},\n    \
             {\"case\": \"b/4\", \"step\": \"steps[0]\", \"reason\": \"TODO: say why this fails on this target\"}\n  ]\n}\n"
        );
        // Every reason is refused until a person writes one.
        let errors = Expectations::parse("t.json", &init.text, "t", IDS).unwrap_err();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors.iter().all(|e| e.message.contains("placeholder")));
        let written = init.text.replace("TODO: say why", "Because of how");
        Expectations::parse("t.json", &written, "t", IDS).unwrap();
    }

    #[test]
    fn failures_fewer_than_three_cases_share_get_entries() {
        let run = report(vec![
            quirky("a/1", Vec::new(), Outcome::Pass),
            quirky("a/2", Vec::new(), Outcome::Pass),
        ]);
        let init = init("t", IDS, &run).unwrap();
        assert!(init.rules.is_empty());
        let entries: Vec<String> = init.entries.iter().map(Item::describe).collect();
        assert_eq!(entries, ["a/1 setup[0]", "a/2 setup[0]"]);
    }

    #[test]
    fn a_rule_whose_failures_all_sit_at_steps_with_an_entry_is_left_out() {
        // Three cases whose step fails in its status and, as a consequence, in its body.
        let failing = || {
            vec![
                failure("status", &[], Some("500")),
                failure("body", &["/ChallengeName"], None),
            ]
        };
        let run = report(
            ["a/1", "a/2", "b/3"]
                .iter()
                .map(|id| quirky(id, failing(), Outcome::Skipped))
                .collect(),
        );
        let init = init("t", IDS, &run).unwrap();
        let rules: Vec<String> = init.rules.iter().map(|(i, _)| i.describe()).collect();
        assert_eq!(
            rules,
            [
                "** CreateUserPool [request_id]",
                "** CreateUserPool [body_schema] at /UserPool/Arn"
            ]
        );
        assert_eq!(init.entries.len(), 3);
    }
}
