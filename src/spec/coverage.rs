//! What the suite covers: for each operation in the model, the cases whose steps call it and
//! which of its documented errors some step expects, with totals (operations covered out of all,
//! documented (operation, error) pairs exercised out of all), and how the cases stand on
//! evidence (how many name AWS documentation, a public report, a recording, the model alone, or
//! nothing verified), and which sign-in flows the cases drive (the `AuthFlow` values sent to
//! InitiateAuth and AdminInitiateAuth, the `ChallengeName` values answered through
//! (Admin)RespondToAuthChallenge, each out of the values the model allows). Printed by
//! `cognito-contract coverage` as a table or, with `--format json`, for scripts.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::service::schemas::SchemaStore;
use crate::spec::case::{Case, Evidence, Expect};

/// Coverage of one operation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationCoverage {
    /// Ids of the cases with a step that calls the operation.
    pub cases: Vec<String>,
    /// The errors the model documents for it.
    pub documented_errors: Vec<String>,
    /// The documented errors some step expects from it.
    pub exercised_errors: Vec<String>,
}

/// The totals line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub cases: usize,
    pub operations: usize,
    pub operations_covered: usize,
    /// Documented (operation, error) pairs as the model lists them.
    pub documented_pairs: usize,
    pub pairs_exercised: usize,
}

/// How many cases stand on each kind of evidence (see [`Case::evidence_kind`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceCounts {
    pub aws_documentation: usize,
    pub public_report: usize,
    pub recording: usize,
    pub model: usize,
    pub unverified: usize,
    /// Cases that name no evidence at all.
    pub none: usize,
}

impl EvidenceCounts {
    fn count(cases: &[Case]) -> EvidenceCounts {
        let mut counts = EvidenceCounts::default();
        for case in cases {
            counts.add(case.evidence_kind());
        }
        counts
    }

    /// Counts one case that stands on `kind` (`None`: it names no evidence).
    pub fn add(&mut self, kind: Option<Evidence>) {
        let slot = match kind {
            Some(Evidence::AwsDocumentation) => &mut self.aws_documentation,
            Some(Evidence::PublicReport) => &mut self.public_report,
            Some(Evidence::Recording) => &mut self.recording,
            Some(Evidence::Model) => &mut self.model,
            Some(Evidence::Unverified) => &mut self.unverified,
            None => &mut self.none,
        };
        *slot += 1;
    }
}

/// Coverage of a suite.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Coverage {
    pub operations: BTreeMap<String, OperationCoverage>,
    pub totals: Totals,
    pub evidence: EvidenceCounts,
    /// The sign-in flows the cases drive, one entry per (operation, member).
    pub sign_in_flows: Vec<FlowCoverage>,
}

/// The values of one enum member of a sign-in operation's request that some step sends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowCoverage {
    pub operation: String,
    /// The request member: `AuthFlow` or `ChallengeName`.
    pub member: String,
    /// The values the model allows for it.
    pub allowed: Vec<String>,
    /// Each value some step sends, with the number of cases that send it.
    pub exercised: BTreeMap<String, usize>,
}

/// The sign-in operations and the request member that names their flow.
const SIGN_IN_MEMBERS: [(&str, &str); 4] = [
    ("InitiateAuth", "AuthFlow"),
    ("AdminInitiateAuth", "AuthFlow"),
    ("RespondToAuthChallenge", "ChallengeName"),
    ("AdminRespondToAuthChallenge", "ChallengeName"),
];

/// The enum values the model allows for `member` of `operation`'s request (empty when the
/// store has no such operation or the member is not an enum).
fn allowed_values(store: &SchemaStore, operation: &str, member: &str) -> Vec<String> {
    let Ok(document) = store.operation_document(operation) else {
        return Vec::new();
    };
    let defs = &document["$defs"];
    let mut schema = &defs[format!("{operation}Request")]["properties"][member];
    if let Some(name) = schema["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        schema = &defs[name];
    }
    schema["enum"]
        .as_array()
        .map(|values| {
            values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Counts, for each sign-in operation, the cases that send each literal flow value (a templated
/// value such as `${flow}` is not counted: it is not known before the run).
fn sign_in_flows(cases: &[Case], store: &SchemaStore) -> Vec<FlowCoverage> {
    SIGN_IN_MEMBERS
        .iter()
        .map(|&(operation, member)| {
            let mut exercised = BTreeMap::new();
            for case in cases {
                let sent: BTreeSet<&str> = case
                    .all_steps()
                    .filter(|(_, _, step)| step.operation == operation)
                    .filter_map(|(_, _, step)| match &step.request[member] {
                        Value::String(v) if !v.contains("${") => Some(v.as_str()),
                        _ => None,
                    })
                    .collect();
                for value in sent {
                    *exercised.entry(value.to_owned()).or_insert(0) += 1;
                }
            }
            FlowCoverage {
                operation: operation.to_owned(),
                member: member.to_owned(),
                allowed: allowed_values(store, operation, member),
                exercised,
            }
        })
        .collect()
}

/// Works out the coverage of `cases` against the operations in `store`'s index.
pub fn coverage(cases: &[Case], store: &SchemaStore) -> Coverage {
    let mut operations: BTreeMap<String, OperationCoverage> = store
        .index()
        .operations
        .iter()
        .map(|(name, info)| {
            let mut documented = info.errors.clone();
            documented.sort();
            (
                name.clone(),
                OperationCoverage {
                    documented_errors: documented,
                    ..Default::default()
                },
            )
        })
        .collect();
    for case in cases {
        for (_, _, step) in case.all_steps() {
            let Some(entry) = operations.get_mut(&step.operation) else {
                continue;
            };
            if entry.cases.last() != Some(&case.id) && !entry.cases.contains(&case.id) {
                entry.cases.push(case.id.clone());
            }
            if let Expect::Error { code, .. } = &step.expect
                && entry.documented_errors.contains(code)
                && !entry.exercised_errors.contains(code)
            {
                entry.exercised_errors.push(code.clone());
            }
        }
    }
    for entry in operations.values_mut() {
        entry.cases.sort();
        entry.exercised_errors.sort();
    }
    let totals = Totals {
        cases: cases.len(),
        operations: operations.len(),
        operations_covered: operations.values().filter(|o| !o.cases.is_empty()).count(),
        documented_pairs: operations.values().map(|o| o.documented_errors.len()).sum(),
        pairs_exercised: operations
            .values()
            .map(|o| o.exercised_errors.iter().collect::<BTreeSet<_>>().len())
            .sum(),
    };
    Coverage {
        operations,
        totals,
        evidence: EvidenceCounts::count(cases),
        sign_in_flows: sign_in_flows(cases, store),
    }
}

impl Coverage {
    /// A table for people: one row per operation, then the totals.
    pub fn render_text(&self) -> String {
        let width = self
            .operations
            .keys()
            .map(String::len)
            .max()
            .unwrap_or(9)
            .max(9);
        let mut out = format!(
            "{:width$}  {:>5}  {:>7}  exercised errors\n",
            "operation", "cases", "errors"
        );
        for (name, op) in &self.operations {
            out.push_str(&format!(
                "{name:width$}  {:>5}  {:>7}  {}\n",
                op.cases.len(),
                format!(
                    "{}/{}",
                    op.exercised_errors.len(),
                    op.documented_errors.len()
                ),
                op.exercised_errors.join(", ")
            ));
        }
        let t = &self.totals;
        out.push_str(&format!(
            "\ncases: {}\noperations covered: {}/{}\ndocumented (operation, error) pairs exercised: {}/{}\n",
            t.cases, t.operations_covered, t.operations, t.pairs_exercised, t.documented_pairs
        ));
        let e = &self.evidence;
        out.push_str(&format!(
            "evidence: {} AWS documentation, {} public report, {} recording, {} model, {} unverified, {} none\n",
            e.aws_documentation, e.public_report, e.recording, e.model, e.unverified, e.none
        ));
        out.push_str(&self.render_sign_in_flows());
        let uncovered: Vec<&str> = self
            .operations
            .iter()
            .filter(|(_, o)| o.cases.is_empty())
            .map(|(n, _)| n.as_str())
            .collect();
        if !uncovered.is_empty() {
            out.push_str(&format!(
                "not called by any case: {}\n",
                uncovered.join(", ")
            ));
        }
        out
    }

    /// One line per sign-in operation: the flow values sent out of those allowed, with the
    /// number of cases sending each.
    fn render_sign_in_flows(&self) -> String {
        let mut out = String::from("sign-in flows driven:\n");
        for flow in &self.sign_in_flows {
            let sent: Vec<String> = flow
                .exercised
                .iter()
                .map(|(value, cases)| {
                    let note = if flow.allowed.contains(value) {
                        ""
                    } else {
                        ", not in the model"
                    };
                    format!("{value} ({cases}{note})")
                })
                .collect();
            let allowed_sent = flow
                .allowed
                .iter()
                .filter(|v| flow.exercised.contains_key(*v))
                .count();
            out.push_str(&format!(
                "  {} {} {}/{}: {}\n",
                flow.operation,
                flow.member,
                allowed_sent,
                flow.allowed.len(),
                sent.join(", ")
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load::load_case;

    fn case(id: &str, text: &str) -> Case {
        load_case(id, &format!("{id}.json"), text, SchemaStore::global()).unwrap()
    }

    #[test]
    fn sign_in_flows_count_cases_per_literal_value_out_of_the_models_enum() {
        let srp = case(
            "t/srp",
            r#"{"description": "srp twice in one case", "evidence": ["model"], "steps": [
                {"operation": "InitiateAuth", "request": {"ClientId": "c", "AuthFlow": "USER_SRP_AUTH"}},
                {"operation": "InitiateAuth", "request": {"ClientId": "c", "AuthFlow": "USER_SRP_AUTH"}},
                {"operation": "RespondToAuthChallenge",
                 "request": {"ClientId": "c", "ChallengeName": "PASSWORD_VERIFIER"}}]}"#,
        );
        let templated = case(
            "t/templated",
            r#"{"description": "a flow known only at run time", "evidence": ["model"],
                "steps": [{"operation": "ListUserPools", "request": {"MaxResults": 1},
                 "capture": {"flow": "$.UserPools[0].Name"}},
                {"operation": "InitiateAuth", "request": {"ClientId": "c", "AuthFlow": "${flow}"}},
                {"operation": "InitiateAuth", "invalid_request": true,
                 "request": {"ClientId": "c", "AuthFlow": "PASSWORD"}, "expect": {"error": "InvalidParameterException"}}]}"#,
        );
        let coverage = coverage(&[srp, templated], SchemaStore::global());
        let initiate = &coverage.sign_in_flows[0];
        assert_eq!(initiate.operation, "InitiateAuth");
        assert!(initiate.allowed.contains(&"USER_SRP_AUTH".to_owned()));
        assert_eq!(
            initiate.allowed.len(),
            8,
            "AuthFlowType has 8 values in the pinned model"
        );
        assert_eq!(
            initiate.exercised.get("USER_SRP_AUTH"),
            Some(&1),
            "one case, two steps"
        );
        assert_eq!(initiate.exercised.get("PASSWORD"), Some(&1));
        assert_eq!(
            initiate.exercised.len(),
            2,
            "a templated flow is not counted"
        );
        let respond = &coverage.sign_in_flows[2];
        assert_eq!(respond.exercised.get("PASSWORD_VERIFIER"), Some(&1));
        let text = coverage.render_text();
        assert!(
            text.contains(
                "InitiateAuth AuthFlow 1/8: PASSWORD (1, not in the model), USER_SRP_AUTH (1)"
            ),
            "{text}"
        );
    }
}
