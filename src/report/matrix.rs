//! The conformance matrix: one self-contained HTML page built from one or more JSON reports
//! (`cognito-contract matrix REPORT.json...`). One column per target (reports of the same target,
//! e.g. shards, are merged into one column), one row per operation the cases test, grouped by
//! area. A cell counts that operation's cases by outcome (pass, passed with waivers, expected failure, fail, not run,
//! with unexpected passes, intermittent cases and harness errors apart) and takes the colour of
//! the worst; it
//! lists the error codes the target answered for the operation, marked when undocumented. Each
//! row says which of the operation's documented errors the cases exercise. Hovering a cell shows
//! its cases; clicking it (or opening the page at `#op=Name&col=target`) shows them with their
//! messages. Operations no case tests are listed at the end.
//!
//! The page fetches nothing: styles, script and data are inline. The data is computed here
//! ([`Matrix::build`]) and embedded as JSON; the script draws the table from it, so what a browser
//! shows is exactly what the reports say.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

use crate::report::json::{HARNESS_VERSION, Outcome, RunReport, Totals, rfc3339};
use crate::service::schemas::SchemaStore;

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

        // Which operations the cases test, and in which areas (to group rows).
        let mut areas_of: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for (report, _) in &merged {
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

        let mut areas: BTreeMap<String, Vec<Row>> = BTreeMap::new();
        for (operation, area_counts) in &areas_of {
            let area = area_counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(a, _)| a.clone())
                .unwrap_or_default();
            let info = store.operation(operation);
            let documented: Vec<String> = info
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
            let mut cells = Vec::new();
            for (report, _) in &merged {
                let mut counts = Counts::default();
                let mut cases = Vec::new();
                let mut seen = BTreeSet::new();
                for case in report
                    .cases
                    .iter()
                    .filter(|c| c.operations.contains(operation))
                {
                    let outcome = case.outcome.name();
                    counts.add(Some(case.outcome));
                    let detail = match case.outcome {
                        Outcome::Fail | Outcome::UnexpectedPass | Outcome::Error => {
                            case.message.clone().unwrap_or_default()
                        }
                        _ => case.reasons.join("; "),
                    };
                    cases.push(CellCase {
                        id: case.id.clone(),
                        description: case.description.clone(),
                        outcome: outcome.to_owned(),
                        detail,
                    });
                    for step in case
                        .steps
                        .iter()
                        .filter(|s| s.section == "steps" && &s.operation == operation)
                    {
                        if let Some(expected) = &step.expected_error
                            && documented.contains(expected)
                        {
                            exercised.insert(expected.clone());
                        }
                        if let Some(code) = &step.error_code {
                            seen.insert(SeenError {
                                code: code.clone(),
                                documented: documented.contains(code)
                                    || store.is_common_error(code),
                            });
                        }
                    }
                }
                for case in report
                    .not_run
                    .iter()
                    .filter(|c| c.operations.contains(operation))
                {
                    counts.add(None);
                    cases.push(CellCase {
                        id: case.id.clone(),
                        description: String::new(),
                        outcome: "not_run".to_owned(),
                        detail: String::new(),
                    });
                }
                cases.sort_by(|a, b| a.id.cmp(&b.id));
                cells.push(Cell {
                    status: counts.status().to_owned(),
                    counts,
                    errors_seen: seen.into_iter().collect(),
                    cases,
                });
            }
            areas.entry(area).or_default().push(Row {
                operation: operation.clone(),
                documented_errors: documented,
                errors_exercised: exercised.into_iter().collect(),
                cells,
            });
        }

        let uncovered = store
            .index()
            .operations
            .keys()
            .filter(|op| !areas_of.contains_key(*op))
            .cloned()
            .collect();
        let columns = merged
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
            .collect();
        Matrix {
            generated_at: rfc3339(std::time::SystemTime::now()),
            harness: format!("cognito-contract {HARNESS_VERSION}"),
            columns,
            areas: areas
                .into_iter()
                .map(|(name, rows)| Area { name, rows })
                .collect(),
            uncovered,
        }
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

const PAGE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{TITLE}}</title>
<style>{{STYLE}}</style>
</head>
<body>
<header>
  <h1>{{TITLE}}</h1>
  <p id="generated"></p>
  <div id="columns"></div>
  <div id="controls">
    <label>Filter operations <input id="filter" type="search" placeholder="e.g. AdminCreateUser"></label>
    <label><input id="only-failing" type="checkbox"> only rows with failures</label>
    <span id="legend"></span>
  </div>
</header>
<main>
  <noscript><p>This page draws the matrix with JavaScript; the JSON reports hold the same data.</p></noscript>
  <table id="matrix"><thead></thead><tbody></tbody></table>
  <details id="uncovered"><summary></summary><p></p></details>
</main>
<aside id="detail" hidden>
  <button id="close" type="button" aria-label="Close">×</button>
  <div id="detail-body"></div>
</aside>
<script id="matrix-data" type="application/json">{{DATA}}</script>
<script>{{SCRIPT}}</script>
</body>
</html>
"##;

const STYLE: &str = r##"
:root { --pass: #2e7d32; --pass-bg: #e3f3e4; --xfail: #8a6d00; --xfail-bg: #fff4c2;
  --fail: #b3261e; --fail-bg: #fde2df; --flaky: #5b4a9e; --flaky-bg: #ebe6fb; --none: #6b6b6b;
  --none-bg: #f1f1f1; --error: #7a2a00; --error-bg: #ffd9c2; --line: #d9d9d9; }
* { box-sizing: border-box; }
body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
  color: #1d1d1d; background: #fff; }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0 0 4px; }
#generated { color: #666; margin: 0 0 12px; }
#columns { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 12px; }
.column-card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 260px; }
.column-card h2 { font-size: 15px; margin: 0 0 4px; }
.column-card .meta { color: #555; font-size: 12px; }
.totals { display: flex; gap: 6px; flex-wrap: wrap; margin-top: 6px; }
.pill { border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; }
.pass, .passed_with_waivers { background: var(--pass-bg); color: var(--pass); }
.expected_failure { background: var(--xfail-bg); color: var(--xfail); }
.fail, .unexpected_pass { background: var(--fail-bg); color: var(--fail); }
.error { background: var(--error-bg); color: var(--error); }
.intermittent { background: var(--flaky-bg); color: var(--flaky); }
.not_run { background: var(--none-bg); color: var(--none); }
#controls { display: flex; gap: 18px; align-items: center; flex-wrap: wrap; }
#legend { display: flex; gap: 6px; }
main { padding: 12px 24px 48px; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { position: sticky; top: 0; background: #fafafa; z-index: 1; }
tr.area th { background: #f4f6fa; font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
th.op { font-weight: 600; white-space: nowrap; }
th.op .errors { display: block; font-weight: 400; font-size: 11px; color: #666; }
td.cell { cursor: pointer; min-width: 170px; }
td.cell:hover { outline: 2px solid #444; outline-offset: -2px; }
td.cell .counts { font-variant-numeric: tabular-nums; font-weight: 600; }
td.cell .bar { display: flex; height: 5px; margin: 3px 0 2px; border-radius: 3px; overflow: hidden; background: var(--none-bg); }
td.cell .bar span { display: block; height: 100%; }
.bar .pass { background: var(--pass); } .bar .passed_with_waivers { background: #66bb6a; } .bar .expected_failure { background: #e0b400; }
.bar .intermittent { background: var(--flaky); } .bar .fail, .bar .unexpected_pass { background: var(--fail); }
.bar .not_run { background: #c4c4c4; } .bar .error { background: var(--error); }
.score { font-size: 22px; font-weight: 700; margin-top: 4px; }
.score small { font-size: 12px; font-weight: 400; color: #555; }
td.cell .seen { font-size: 11px; color: #444; }
td.cell .seen .undocumented { color: var(--fail); font-weight: 700; }
tr.hidden { display: none; }
#uncovered { margin-top: 16px; color: #444; }
aside#detail { position: fixed; top: 0; right: 0; bottom: 0; width: min(640px, 100%); overflow: auto;
  background: #fff; border-left: 1px solid var(--line); box-shadow: -4px 0 16px rgba(0,0,0,.12);
  padding: 16px 20px; z-index: 2; }
aside#detail h2 { font-size: 17px; margin: 0 0 8px; }
#close { position: absolute; top: 8px; right: 12px; font-size: 20px; border: none; background: none; cursor: pointer; }
.case { border-top: 1px solid var(--line); padding: 8px 0; }
.case .id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-weight: 600; }
.case pre { white-space: pre-wrap; word-break: break-word; background: #f7f7f7; padding: 8px; border-radius: 4px;
  font-size: 12px; max-height: 320px; overflow: auto; }
"##;

const SCRIPT: &str = r##"
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("matrix-data").textContent);
  const LABELS = { pass: "pass", passed_with_waivers: "passed with waivers", expected_failure: "expected failure", fail: "fail",
    unexpected_pass: "unexpected pass", intermittent: "intermittent", error: "harness error",
    not_run: "not run" };
  const SYMBOLS = [["pass", "✓"], ["passed_with_waivers", "≈"], ["expected_failure", "~"], ["intermittent", "?"],
    ["fail", "✗"], ["unexpected_pass", "!"], ["error", "E"], ["not_run", "–"]];
  const OUTCOMES = SYMBOLS.map(([s]) => s);
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function pill(status, text) { return el("span", { class: "pill " + status }, text); }
  function attr(name) { return "data-" + name.replace(/_/g, "-"); }

  document.getElementById("generated").textContent =
    "Generated " + data.generated_at + " by " + data.harness + " from " +
    data.columns.reduce((n, c) => n + c.reports, 0) + " report(s).";

  const columns = document.getElementById("columns");
  for (const c of data.columns) {
    const card = el("div", { class: "column-card", "data-col": c.key,
      "data-cases": c.totals.cases, "data-passed": c.totals.passed, "data-failed": c.totals.failed,
      "data-passed-with-waivers": c.totals.passed_with_waivers || 0,
      "data-expected-failures": c.totals.expected_failures,
      "data-unexpected-passes": c.totals.unexpected_passes,
      "data-intermittent": c.totals.intermittent, "data-errors": c.totals.errors,
      "data-not-run": c.totals.not_run });
    card.appendChild(el("h2", {}, c.key));
    const share = c.totals.cases ? (100 * c.totals.passed / c.totals.cases).toFixed(1) : "0.0";
    const score = el("div", { class: "score", "data-pass-share": share }, share + "% ");
    score.appendChild(el("small", {}, "of " + c.totals.cases + " cases run pass with no expectation needed"));
    card.appendChild(score);
    card.appendChild(el("div", { class: "meta" }, c.endpoint + " · " + c.region +
      " · botocore " + (c.botocore || "unknown") + " · harness " + c.harness +
      " · " + c.started_at + (c.reports > 1 ? " · " + c.reports + " reports merged" : "") +
      (c.complete ? "" : " · partial run")));
    const totals = el("div", { class: "totals" });
    totals.appendChild(pill("pass", c.totals.passed + " passed"));
    totals.appendChild(pill("passed_with_waivers",
      (c.totals.passed_with_waivers || 0) + " passed with waivers"));
    totals.appendChild(pill("expected_failure", c.totals.expected_failures + " expected failures"));
    totals.appendChild(pill("fail", c.totals.failed + " failed"));
    totals.appendChild(pill("unexpected_pass", c.totals.unexpected_passes + " unexpected passes"));
    totals.appendChild(pill("intermittent", c.totals.intermittent + " intermittent"));
    totals.appendChild(pill("error", c.totals.errors + " harness errors"));
    totals.appendChild(pill("not_run", c.totals.not_run + " not run"));
    card.appendChild(totals);
    columns.appendChild(card);
  }

  const legend = document.getElementById("legend");
  for (const [status, symbol] of SYMBOLS) legend.appendChild(pill(status, symbol + " " + LABELS[status]));

  const thead = document.querySelector("#matrix thead");
  const head = el("tr");
  head.appendChild(el("th", {}, "operation"));
  for (const c of data.columns) head.appendChild(el("th", { "data-col": c.key }, c.key));
  thead.appendChild(head);

  const cellIndex = new Map();
  const tbody = document.querySelector("#matrix tbody");
  for (const area of data.areas) {
    const areaRow = el("tr", { class: "area" });
    areaRow.appendChild(el("th", { colspan: data.columns.length + 1 }, area.name));
    tbody.appendChild(areaRow);
    for (const row of area.rows) {
      const failing = row.cells.some(c =>
        c.counts.fail + c.counts.unexpected_pass + c.counts.error > 0);
      const tr = el("tr", { class: "op-row", "data-op": row.operation, "data-failing": failing });
      const th = el("th", { class: "op", scope: "row" }, row.operation);
      const documented = row.documented_errors.length;
      th.appendChild(el("span", { class: "errors", title: row.errors_exercised.join(", ") },
        "errors exercised: " + row.errors_exercised.length + " of " + documented + " documented"));
      tr.appendChild(th);
      row.cells.forEach((cell, i) => {
        const col = data.columns[i].key;
        const attrs = { class: "cell " + cell.status, "data-op": row.operation, "data-col": col,
          "data-status": cell.status };
        for (const [k, v] of Object.entries(cell.counts)) attrs[attr(k)] = v;
        const td = el("td", attrs);
        const counts = SYMBOLS.filter(([s]) => cell.counts[s] > 0)
          .map(([s, sym]) => cell.counts[s] + sym).join(" ");
        td.appendChild(el("div", { class: "counts" }, counts || "no cases"));
        const total = OUTCOMES.reduce((n, s) => n + cell.counts[s], 0);
        if (total) {
          const bar = el("div", { class: "bar", "aria-hidden": "true" });
          for (const s of OUTCOMES) if (cell.counts[s]) {
            const part = el("span", { class: s });
            part.style.width = (100 * cell.counts[s] / total) + "%";
            bar.appendChild(part);
          }
          td.appendChild(bar);
        }
        if (cell.errors_seen.length) {
          const seen = el("div", { class: "seen" }, "errors: ");
          cell.errors_seen.forEach((e, j) => {
            if (j) seen.appendChild(document.createTextNode(", "));
            seen.appendChild(el("span", { class: e.documented ? "documented" : "undocumented",
              title: e.documented ? "documented" : "not documented for " + row.operation }, e.code));
          });
          td.appendChild(seen);
        }
        td.title = cell.cases.map(c => LABELS[c.outcome] + ": " + c.id).join("\n") || "no cases";
        td.addEventListener("click", () => {
          location.hash = "op=" + encodeURIComponent(row.operation) + "&col=" + encodeURIComponent(col);
        });
        cellIndex.set(row.operation + "\u0000" + col, { row, cell, col });
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    }
  }

  const uncovered = document.getElementById("uncovered");
  uncovered.querySelector("summary").textContent =
    "Operations no case tests (" + data.uncovered.length + ")";
  uncovered.querySelector("p").textContent = data.uncovered.join(", ");

  const detail = document.getElementById("detail");
  const body = document.getElementById("detail-body");
  function show() {
    const params = new URLSearchParams(location.hash.slice(1));
    const hit = cellIndex.get(params.get("op") + "\u0000" + params.get("col"));
    if (!hit) { detail.hidden = true; return; }
    const { row, cell, col } = hit;
    body.replaceChildren();
    body.setAttribute("data-op", row.operation);
    body.setAttribute("data-col", col);
    body.appendChild(el("h2", {}, row.operation + " on " + col));
    const counts = el("div", { class: "totals" });
    for (const [s] of SYMBOLS) if (cell.counts[s]) counts.appendChild(pill(s, cell.counts[s] + " " + LABELS[s]));
    body.appendChild(counts);
    body.appendChild(el("p", {}, "Documented errors exercised: " +
      (row.errors_exercised.join(", ") || "none") + " (of " + row.documented_errors.length + ")."));
    if (cell.errors_seen.length) body.appendChild(el("p", {}, "Errors answered: " +
      cell.errors_seen.map(e => e.code + (e.documented ? "" : " (undocumented)")).join(", ") + "."));
    for (const c of cell.cases) {
      const div = el("div", { class: "case", "data-case": c.id, "data-outcome": c.outcome });
      div.appendChild(pill(c.outcome, LABELS[c.outcome]));
      div.appendChild(document.createTextNode(" "));
      div.appendChild(el("span", { class: "id" }, c.id));
      if (c.description) div.appendChild(el("div", {}, c.description));
      if (c.detail) div.appendChild(el("pre", {}, c.detail));
      body.appendChild(div);
    }
    detail.hidden = false;
  }
  document.getElementById("close").addEventListener("click", () => {
    history.replaceState(null, "", location.pathname + location.search);
    detail.hidden = true;
  });
  window.addEventListener("hashchange", show);

  const filter = document.getElementById("filter");
  const onlyFailing = document.getElementById("only-failing");
  function applyFilter() {
    const needle = filter.value.trim().toLowerCase();
    for (const tr of document.querySelectorAll("tr.op-row")) {
      const hide = (needle && !tr.dataset.op.toLowerCase().includes(needle)) ||
        (onlyFailing.checked && tr.dataset.failing !== "true");
      tr.classList.toggle("hidden", Boolean(hide));
    }
  }
  filter.addEventListener("input", applyFilter);
  onlyFailing.addEventListener("change", applyFilter);

  show();
  document.body.setAttribute("data-ready", "true");
})();
"##;

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

    #[test]
    fn embedded_data_cannot_close_the_script() {
        let matrix = Matrix {
            generated_at: "now".into(),
            harness: "h".into(),
            columns: Vec::new(),
            areas: Vec::new(),
            uncovered: vec!["</script><script>alert(1)</script>".into()],
        };
        let html = matrix.to_html();
        assert_eq!(html.matches("</script>").count(), 2, "{html}");
    }
}
