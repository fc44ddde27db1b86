//! What the suite covers: for each operation in the model, the cases whose steps call it and
//! which of its documented errors some step expects, with totals (operations covered out of all,
//! documented (operation, error) pairs exercised out of all), and how the cases stand on
//! evidence (how many name AWS documentation, a public report, a recording, the model alone, or
//! nothing verified). Printed by `cognito-contract coverage` as a table or, with
//! `--format json`, for scripts.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

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
}
