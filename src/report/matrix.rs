//! The conformance matrix: one self-contained HTML page built from one or more JSON reports
//! (`cognito-contract matrix REPORT.json...`). One column per target (reports of the same target,
//! e.g. shards, are merged into one column), one row per operation the cases test, grouped by
//! area. A cell counts that operation's cases by outcome (pass, passed with waivers, expected failure, fail, not run,
//! with unexpected passes, intermittent cases and harness errors apart) and takes the colour of
//! the worst; it
//! lists the error codes the target answered for the operation, marked when undocumented. Each
//! row says which of the operation's documented errors the cases exercise. Hovering a cell shows
//! its cases; clicking it (or opening the page at `#op=Name&col=target`) shows them with their
//! messages and what each stands on. How the cases stand on evidence (AWS documentation, a public
//! report, a recording, the model, unverified: see [`Evidence`]) is counted for the whole page
//! and per area. Operations no case tests are listed at the end.
//!
//! The same matrix also comes as a Markdown table by area (`matrix --markdown FILE`, e.g. for a
//! README or a CI summary): one row per area, one column per target, each cell counting the
//! area's cases as passed / passed with waivers / expected failures / failed.
//!
//! The page fetches nothing: styles, script and data are inline. The data is computed here
//! ([`Matrix::build`]) and embedded as JSON; the script draws the table from it, so what a browser
//! shows is exactly what the reports say.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

use crate::report::json::{CaseResult, HARNESS_VERSION, Outcome, RunReport, Totals, rfc3339};
use crate::service::schemas::SchemaStore;
use crate::spec::case::Evidence;
use crate::spec::coverage::EvidenceCounts;

/// One column: a target, from one or more merged reports.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub key: String,
    pub endpoint: String,
    pub region: String,
    pub botocore: Option<String>,
    pub harness: String,
    pub started_at: String,
    pub reports: usize,
    pub complete: bool,
    pub totals: Totals,
}

/// Counts of an operation's cases on one target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub pass: usize,
    /// Passes with failures only glob check-waivers (target quirks) cover.
    pub passed_with_waivers: usize,
    pub expected_failure: usize,
    pub fail: usize,
    pub unexpected_pass: usize,
    pub intermittent: usize,
    /// Cases with a harness error: they say nothing about the target, and fail the run.
    pub error: usize,
    pub not_run: usize,
}

/// One case in a cell.
#[derive(Debug, Clone, Serialize)]
pub struct CellCase {
    pub id: String,
    pub description: String,
    /// A case outcome, or `not_run`.
    pub outcome: String,
    /// The failure message or the expectations' reasons.
    pub detail: String,
    /// What the case stands on (see [`Evidence::overall`]); `None` when it names nothing or
    /// did not run.
    pub evidence: Option<Evidence>,
}

/// An error code a target answered for an operation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct SeenError {
    pub code: String,
    pub documented: bool,
}

/// One operation on one target.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The worst outcome: `error`, `fail`, `unexpected_pass`, `expected_failure`, `intermittent`,
    /// `passed_with_waivers`, `pass` or `not_run`.
    pub status: String,
    pub counts: Counts,
    pub errors_seen: Vec<SeenError>,
    pub cases: Vec<CellCase>,
}

/// One operation: a row.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub operation: String,
    /// The errors the model documents for the operation.
    pub documented_errors: Vec<String>,
    /// The documented errors some case expects from the operation.
    pub errors_exercised: Vec<String>,
    pub cells: Vec<Cell>,
}

/// Rows of one area.
#[derive(Debug, Clone, Serialize)]
pub struct Area {
    pub name: String,
    pub rows: Vec<Row>,
    /// How the area's cases (those whose id starts with it) stand on evidence.
    pub evidence: EvidenceCounts,
}

/// Everything the page shows.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub generated_at: String,
    pub harness: String,
    pub columns: Vec<Column>,
    pub areas: Vec<Area>,
    /// Operations of the model that no case tests.
    pub uncovered: Vec<String>,
    /// How the cases stand on evidence: every case that ran in some report, counted once.
    pub evidence: EvidenceCounts,
    /// Each area's cases counted by outcome, one `Counts` per column (in column order).
    pub area_outcomes: BTreeMap<String, Vec<Counts>>,
}

/// A cell's possible statuses, worst first: a case outcome ([`Outcome`]), or `None` for not run.
const STATUS_ORDER: [Option<Outcome>; 8] = [
    Some(Outcome::Error),
    Some(Outcome::Fail),
    Some(Outcome::UnexpectedPass),
    Some(Outcome::ExpectedFailure),
    Some(Outcome::Intermittent),
    Some(Outcome::PassedWithWaivers),
    Some(Outcome::Pass),
    None,
];

/// The name a cell status has in the page: the outcome's, or `not_run`.
fn status_name(status: Option<Outcome>) -> &'static str {
    status.map_or("not_run", Outcome::name)
}

impl Counts {
    /// The count of cases with `outcome` (`None`: not run; a step-only outcome counts as not
    /// run).
    fn slot(&mut self, outcome: Option<Outcome>) -> &mut usize {
        match outcome {
            Some(Outcome::Pass) => &mut self.pass,
            Some(Outcome::PassedWithWaivers) => &mut self.passed_with_waivers,
            Some(Outcome::ExpectedFailure) => &mut self.expected_failure,
            Some(Outcome::Fail) => &mut self.fail,
            Some(Outcome::UnexpectedPass) => &mut self.unexpected_pass,
            Some(Outcome::Intermittent) => &mut self.intermittent,
            Some(Outcome::Error) => &mut self.error,
            Some(Outcome::Skipped) | None => &mut self.not_run,
        }
    }

    fn add(&mut self, outcome: Option<Outcome>) {
        *self.slot(outcome) += 1;
    }

    fn get(&self, outcome: Option<Outcome>) -> usize {
        *self.clone().slot(outcome)
    }

    /// Adds `other`'s counts to these.
    fn absorb(&mut self, other: &Counts) {
        for outcome in STATUS_ORDER {
            *self.slot(outcome) += other.get(outcome);
        }
    }

    /// `pass / waived / expected / failed`, with `, N other` when some cases are none of those.
    fn markdown_cell(&self) -> String {
        let other = self.unexpected_pass + self.intermittent + self.error + self.not_run;
        let mut cell = format!(
            "{} / {} / {} / {}",
            self.pass, self.passed_with_waivers, self.expected_failure, self.fail
        );
        if other > 0 {
            cell.push_str(&format!(", {other} other"));
        }
        cell
    }

    fn status(&self) -> &'static str {
        let worst = STATUS_ORDER.into_iter().find(|s| self.get(*s) > 0);
        status_name(worst.flatten())
    }
}

/// Merges reports of the same target (in order of first appearance) into columns.
pub fn merge_by_target(reports: Vec<RunReport>) -> Vec<(RunReport, usize)> {
    let mut columns: Vec<(RunReport, usize)> = Vec::new();
    for report in reports {
        match columns
            .iter_mut()
            .find(|(c, _)| c.target_label() == report.target_label())
        {
            Some((column, count)) => {
                column.merge(report);
                *count += 1;
            }
            None => columns.push((report, 1)),
        }
    }
    columns
}

impl Matrix {
    /// The matrix of `reports` (several reports of one target become one column); `store`
    /// supplies the operations and their documented errors.
    pub fn build(reports: Vec<RunReport>, store: &SchemaStore) -> Matrix {
        let merged = merge_by_target(reports);
        let areas_of = operation_areas(&merged);
        let mut areas: BTreeMap<String, Vec<Row>> = BTreeMap::new();
        for (operation, area_counts) in &areas_of {
            // An operation goes in the area with most of its cases (ties: the first by name).
            let area = area_counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(a, _)| a.clone())
                .unwrap_or_default();
            areas
                .entry(area)
                .or_default()
                .push(row(operation, &merged, store));
        }
        let (evidence, mut area_evidence) = evidence_counts(&merged);
        let area_outcomes = area_outcomes(&merged);
        let uncovered = store
            .index()
            .operations
            .keys()
            .filter(|op| !areas_of.contains_key(*op))
            .cloned()
            .collect();
        Matrix {
            generated_at: rfc3339(std::time::SystemTime::now()),
            harness: format!("cognito-contract {HARNESS_VERSION}"),
            columns: columns(&merged),
            areas: areas
                .into_iter()
                .map(|(name, rows)| Area {
                    evidence: area_evidence.remove(&name).unwrap_or_default(),
                    name,
                    rows,
                })
                .collect(),
            uncovered,
            evidence,
            area_outcomes,
        }
    }

    /// A Markdown table: one row per area, one column per target, each cell `passed / passed
    /// with waivers / expected failures / failed` (then `, N other` for unexpected passes,
    /// intermittent cases, harness errors and cases not run, when there are any), and a total row.
    pub fn to_markdown(&self) -> String {
        let keys: Vec<&str> = self.columns.iter().map(|c| c.key.as_str()).collect();
        let mut out = format!(
            "| area | {} |\n|---|{}\n",
            keys.join(" | "),
            "---|".repeat(keys.len())
        );
        let mut totals = vec![Counts::default(); keys.len()];
        for (area, counts) in &self.area_outcomes {
            let cells: Vec<String> = counts.iter().map(Counts::markdown_cell).collect();
            out.push_str(&format!("| {area} | {} |\n", cells.join(" | ")));
            for (total, count) in totals.iter_mut().zip(counts) {
                total.absorb(count);
            }
        }
        let cells: Vec<String> = totals.iter().map(Counts::markdown_cell).collect();
        out.push_str(&format!("| **all** | {} |\n", cells.join(" | ")));
        out.push_str(
            "\nEach cell: passed / passed with waivers / expected failures / failed \
             (others: unexpected passes, intermittent cases, harness errors, not run).\n",
        );
        out
    }

    /// The page.
    pub fn to_html(&self) -> String {
        // `<` never appears raw in the embedded JSON, so it cannot close the script element.
        let data = serde_json::to_string(self)
            .unwrap_or_else(|_| "{}".to_owned())
            .replace('<', "\\u003c");
        let columns: Vec<&str> = self.columns.iter().map(|c| c.key.as_str()).collect();
        let title = format!("Cognito conformance: {}", columns.join(", "));
        PAGE.replace("{{TITLE}}", &html_escape(&title))
            .replace("{{STYLE}}", STYLE)
            .replace("{{SCRIPT}}", SCRIPT)
            .replace("{{DATA}}", &data)
    }
}

/// For each operation the cases test, how many of its cases each area has (to group rows).
fn operation_areas(merged: &[(RunReport, usize)]) -> BTreeMap<String, BTreeMap<String, usize>> {
    let mut areas_of: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (report, _) in merged {
        let refs = report
            .cases
            .iter()
            .map(|c| (&c.area, &c.operations))
            .chain(report.not_run.iter().map(|c| (&c.area, &c.operations)));
        for (area, operations) in refs {
            for op in operations {
                *areas_of
                    .entry(op.clone())
                    .or_default()
                    .entry(area.clone())
                    .or_default() += 1;
            }
        }
    }
    areas_of
}

/// The row of `operation`: a cell per column, and the documented errors its cases exercise.
fn row(operation: &str, merged: &[(RunReport, usize)], store: &SchemaStore) -> Row {
    let documented: Vec<String> = store
        .operation(operation)
        .map(|i| {
            i.errors
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        })
        .unwrap_or_default();
    let mut exercised = BTreeSet::new();
    let cells = merged
        .iter()
        .map(|(report, _)| cell(report, operation, &documented, &mut exercised, store))
        .collect();
    Row {
        operation: operation.to_owned(),
        documented_errors: documented,
        errors_exercised: exercised.into_iter().collect(),
        cells,
    }
}

/// The cell of `operation` on the target of `report`; the documented errors its cases expect
/// go into `exercised`.
fn cell(
    report: &RunReport,
    operation: &str,
    documented: &[String],
    exercised: &mut BTreeSet<String>,
    store: &SchemaStore,
) -> Cell {
    let mut counts = Counts::default();
    let mut cases = Vec::new();
    let mut seen = BTreeSet::new();
    let calls = |operations: &[String]| operations.iter().any(|op| op == operation);
    for case in report.cases.iter().filter(|c| calls(&c.operations)) {
        counts.add(Some(case.outcome));
        cases.push(cell_case(case));
        for step in case
            .steps
            .iter()
            .filter(|s| s.section == "steps" && s.operation == operation)
        {
            if let Some(expected) = &step.expected_error
                && documented.contains(expected)
            {
                exercised.insert(expected.clone());
            }
            if let Some(code) = &step.error_code {
                seen.insert(SeenError {
                    code: code.clone(),
                    documented: documented.contains(code) || store.is_common_error(code),
                });
            }
        }
    }
    for case in report.not_run.iter().filter(|c| calls(&c.operations)) {
        counts.add(None);
        cases.push(CellCase {
            id: case.id.clone(),
            description: String::new(),
            outcome: "not_run".to_owned(),
            detail: String::new(),
            evidence: None,
        });
    }
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    Cell {
        status: counts.status().to_owned(),
        counts,
        errors_seen: seen.into_iter().collect(),
        cases,
    }
}

/// A case that ran, as a cell lists it: the failure message for a case that fails the run, the
/// expectations' reasons otherwise.
fn cell_case(case: &CaseResult) -> CellCase {
    let detail = match case.outcome {
        Outcome::Fail | Outcome::UnexpectedPass | Outcome::Error => {
            case.message.clone().unwrap_or_default()
        }
        _ => case.reasons.join("; "),
    };
    CellCase {
        id: case.id.clone(),
        description: case.description.clone(),
        outcome: case.outcome.name().to_owned(),
        detail,
        evidence: Evidence::overall(&case.evidence),
    }
}

/// How the cases that ran (in any report, each counted once) stand on evidence: in all, and by
/// area.
fn evidence_counts(
    merged: &[(RunReport, usize)],
) -> (EvidenceCounts, BTreeMap<String, EvidenceCounts>) {
    let mut kinds: BTreeMap<&str, (&str, Option<Evidence>)> = BTreeMap::new();
    for (report, _) in merged {
        for case in &report.cases {
            kinds
                .entry(&case.id)
                .or_insert((&case.area, Evidence::overall(&case.evidence)));
        }
    }
    let mut all = EvidenceCounts::default();
    let mut by_area: BTreeMap<String, EvidenceCounts> = BTreeMap::new();
    for (area, kind) in kinds.into_values() {
        all.add(kind);
        by_area.entry(area.to_owned()).or_default().add(kind);
    }
    (all, by_area)
}

/// Each area's cases by outcome, per column; a case a report left out counts as not run.
fn area_outcomes(merged: &[(RunReport, usize)]) -> BTreeMap<String, Vec<Counts>> {
    let mut areas: BTreeMap<String, Vec<Counts>> = BTreeMap::new();
    for (column, (report, _)) in merged.iter().enumerate() {
        let not_run = report.not_run.iter().map(|c| (c.id.as_str(), None));
        let ran = report
            .cases
            .iter()
            .map(|c| (c.id.as_str(), Some(c.outcome)));
        for (id, outcome) in ran.chain(not_run) {
            let area = id.split('/').next().unwrap_or_default().to_owned();
            let counts = areas
                .entry(area)
                .or_insert_with(|| vec![Counts::default(); merged.len()]);
            counts[column].add(outcome);
        }
    }
    areas
}

/// One column per target.
fn columns(merged: &[(RunReport, usize)]) -> Vec<Column> {
    merged
        .iter()
        .map(|(report, count)| Column {
            key: report.target_label().to_owned(),
            endpoint: report.endpoint.clone(),
            region: report.region.clone(),
            botocore: report.model.botocore.clone(),
            harness: report.harness.version.clone(),
            started_at: report.started_at.clone(),
            reports: *count,
            complete: report.complete,
            totals: report.totals,
        })
        .collect()
}

/// Reads the reports and writes the page to `output`.
pub fn write(reports: &[PathBuf], output: &std::path::Path) -> Result<Matrix, String> {
    if reports.is_empty() {
        return Err("give at least one JSON report".to_owned());
    }
    let reports = reports
        .iter()
        .map(|p| RunReport::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let matrix = Matrix::build(reports, SchemaStore::global());
    crate::report::write_atomically(output, &matrix.to_html())?;
    Ok(matrix)
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const PAGE: &str = include_str!("matrix/page.html");

const STYLE: &str = include_str!("matrix/style.css");

const SCRIPT: &str = include_str!("matrix/script.js");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_outcome_colours_a_cell() {
        let mut counts = Counts::default();
        assert_eq!(counts.status(), "not_run");
        counts.add(Some(Outcome::Pass));
        assert_eq!(counts.status(), "pass");
        counts.add(Some(Outcome::ExpectedFailure));
        assert_eq!(counts.status(), "expected_failure");
        counts.add(Some(Outcome::UnexpectedPass));
        assert_eq!(counts.status(), "unexpected_pass");
        counts.add(Some(Outcome::Fail));
        assert_eq!(counts.status(), "fail");
        counts.add(Some(Outcome::Error));
        assert_eq!(counts.status(), "error");
    }

    #[test]
    fn a_cell_counts_every_case_outcome() {
        for outcome in Outcome::CASE_OUTCOMES {
            let mut counts = Counts::default();
            counts.add(Some(outcome));
            assert_eq!(counts.get(Some(outcome)), 1, "{outcome:?}");
            assert_eq!(counts.not_run, 0, "{outcome:?}");
            assert_eq!(counts.status(), outcome.name());
            // The page draws a symbol, a label and a colour for it.
            let name = outcome.name();
            assert!(SCRIPT.contains(&format!("[\"{name}\", ")), "{name}");
            assert!(SCRIPT.contains(&format!("{name}: \"")), "{name}");
            let styled = [" ", ","].map(|after| format!(".{name}{after}"));
            assert!(styled.iter().any(|rule| STYLE.contains(rule)), "{name}");
        }
    }

    /// A report of `target` in which the cases `(id, evidence)` passed, calling ListUserPools.
    fn report(target: &str, cases: &[(&str, &[&str])]) -> RunReport {
        let case = |(id, evidence): &(&str, &[&str])| {
            serde_json::json!({
                "id": id, "area": id.split('/').next().unwrap(), "file": format!("cases/{id}.json"),
                "description": id, "tags": [], "operations": ["ListUserPools"],
                "evidence": evidence, "outcome": "pass", "duration_ms": 1.0, "reasons": [],
                "message": null, "failing_step": null, "steps": []
            })
        };
        let totals = serde_json::json!({"cases": cases.len(), "passed": cases.len(),
            "failed": 0, "expected_failures": 0, "unexpected_passes": 0, "intermittent": 0,
            "errors": 0, "not_run": 0});
        serde_json::from_value(serde_json::json!({
            "format": "cognito-contract-report", "format_version": 2, "run_id": "r",
            "harness": {"name": "cognito-contract", "version": "0"},
            "model": {"service": "cognito-idp", "botocore": null, "api_version": "2016-04-18"},
            "target": target, "endpoint": "http://127.0.0.1:1", "region": "us-east-1",
            "started_at": "t", "finished_at": "t", "complete": true, "totals": totals,
            "stale_expectations": [], "cases": cases.iter().map(case).collect::<Vec<_>>(),
            "not_run": []
        }))
        .unwrap()
    }

    #[test]
    fn the_markdown_table_counts_each_areas_cases_per_target() {
        let mut moto = report(
            "moto",
            &[("users/a", &[]), ("users/b", &[]), ("groups/c", &[])],
        );
        moto.cases[1].outcome = Outcome::ExpectedFailure;
        let mut other = report("other", &[("users/a", &[])]);
        other.cases[0].outcome = Outcome::PassedWithWaivers;
        other.not_run = serde_json::from_value(serde_json::json!([
            {"id": "groups/c", "area": "groups", "operations": []}
        ]))
        .unwrap();
        let table = Matrix::build(vec![moto, other], SchemaStore::global()).to_markdown();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "| area | moto | other |");
        assert_eq!(
            lines[2],
            "| groups | 1 / 0 / 0 / 0 | 0 / 0 / 0 / 0, 1 other |"
        );
        assert_eq!(lines[3], "| users | 1 / 0 / 1 / 0 | 0 / 1 / 0 / 0 |");
        assert_eq!(
            lines[4],
            "| **all** | 2 / 0 / 1 / 0 | 0 / 1 / 0 / 0, 1 other |"
        );
    }

    #[test]
    fn evidence_is_counted_once_per_case_in_all_and_by_area() {
        let docs = "https://docs.aws.amazon.com/cognito/x.html";
        let a = report(
            "a",
            &[
                ("pools/one", &[docs]),
                ("pools/two", &["model", "unverified"]),
                ("other/three", &["https://github.com/x/y/issues/1"]),
            ],
        );
        let b = report("b", &[("pools/one", &[docs]), ("pools/four", &[])]);
        let matrix = Matrix::build(vec![a, b], SchemaStore::global());
        let expected = EvidenceCounts {
            aws_documentation: 1,
            public_report: 1,
            unverified: 1,
            none: 1,
            ..EvidenceCounts::default()
        };
        assert_eq!(matrix.evidence, expected);
        // ListUserPools is in the area with most of its cases: pools.
        assert_eq!(matrix.areas.len(), 1);
        let pools = &matrix.areas[0];
        assert_eq!(pools.name, "pools");
        let in_pools = EvidenceCounts {
            aws_documentation: 1,
            unverified: 1,
            none: 1,
            ..EvidenceCounts::default()
        };
        assert_eq!(pools.evidence, in_pools);
        let cases = &pools.rows[0].cells[0].cases;
        let kinds: Vec<Option<Evidence>> = cases.iter().map(|c| c.evidence).collect();
        assert_eq!(
            kinds,
            [
                Some(Evidence::PublicReport),
                Some(Evidence::AwsDocumentation),
                Some(Evidence::Unverified)
            ]
        );
        let html = matrix.to_html();
        assert!(html.contains(r#""aws_documentation":1"#), "{html}");
    }

    #[test]
    fn embedded_data_cannot_close_the_script() {
        let matrix = Matrix {
            generated_at: "now".into(),
            harness: "h".into(),
            columns: Vec::new(),
            areas: Vec::new(),
            uncovered: vec!["</script><script>alert(1)</script>".into()],
            evidence: EvidenceCounts::default(),
            area_outcomes: BTreeMap::new(),
        };
        let html = matrix.to_html();
        assert_eq!(html.matches("</script>").count(), 2, "{html}");
    }
}
