//! Reporters receive one event per finished case: the case, its [`CaseReport`] and its
//! [`Verdict`]. The [`Summary`] reporter prints, after the libtest lines, what libtest cannot
//! say: expected failures with their reasons, unexpected passes, warnings, stale waivers, and the
//! totals, harness errors counted apart.
//! The [`Collector`] keeps a [`json::CaseResult`] per case; at the end of the run it becomes a
//! [`json::RunReport`], which [`Outputs`] writes as the JSON report (`--json-report`), JUnit XML
//! ([`junit`], `--junit`) and a Markdown summary ([`markdown`], `--markdown`).
//!
//! Under cargo-nextest every case runs in its own process ([`process_per_test`]). Each process
//! then merges its case into the reports of its nextest run (same `NEXTEST_RUN_ID`) under a file
//! lock, so one `cargo nextest run` still writes one JSON, one JUnit and one Markdown file.

pub mod divergences;
pub mod events;
pub mod init;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod matrix;
pub mod update;

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use crate::service::schemas::SchemaStore;
use crate::verdict::expectations::{Entry, Verdict};

pub use crate::support::text::strip_ansi;
pub use events::{CaseFinished, Reporter};
pub use json::Totals;
use json::{CaseRef, CaseResult, ModelVersion, RunInfo, RunReport, StaleExpectation};

/// Collects verdicts for the closing summary.
#[derive(Default)]
pub struct Summary {
    rows: Mutex<Vec<Row>>,
}

/// What the closing summary keeps of one finished case.
#[derive(Clone)]
struct Row {
    id: String,
    verdict: Verdict,
    warnings: Vec<String>,
    /// Its first step ran.
    reached_steps: bool,
    /// The setup and teardown divergences it saw ([`divergences::of_case`]).
    divergences: Vec<divergences::Seen>,
}

impl Reporter for Summary {
    fn case_finished(&self, event: &CaseFinished<'_>) {
        let warnings = event
            .report
            .warnings()
            .map(|(step, w)| format!("{step}: {w}"))
            .collect();
        let result = CaseResult::from_event(event);
        let row = Row {
            id: event.case.id.clone(),
            verdict: event.verdict.clone(),
            warnings,
            reached_steps: result.reached_steps(),
            divergences: result.divergences(),
        };
        if let Ok(mut rows) = self.rows.lock() {
            rows.push(row);
        }
    }
}

impl Summary {
    /// The counts of the cases finished so far (`not_run` is left 0).
    pub fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for row in self.rows.lock().map(|r| r.clone()).unwrap_or_default() {
            totals.add(row.verdict.outcome());
            totals.reached_steps += usize::from(row.reached_steps);
        }
        totals
    }

    /// The setup and teardown divergences of the cases finished so far, each once.
    pub fn divergences(&self) -> Vec<divergences::Divergence> {
        let rows = self.rows.lock().map(|r| r.clone()).unwrap_or_default();
        divergences::group(rows.iter().map(|r| (r.id.as_str(), r.divergences.clone())))
    }

    /// The closing text: warnings, unexpected passes, intermittent cases, the setup and
    /// teardown divergences (each once, with its count of cases) and the totals line (harness
    /// errors counted apart; libtest has already shown their messages), which ends with how
    /// many cases reached their steps.
    pub fn render(&self, target: &str) -> String {
        let mut rows = self.rows.lock().map(|r| r.clone()).unwrap_or_default();
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        let mut out = String::new();
        for row in &rows {
            for w in &row.warnings {
                out.push_str(&format!("warning: {}: {w}\n", row.id));
            }
        }
        for Row { id, verdict, .. } in &rows {
            match verdict {
                Verdict::UnexpectedPass { reasons, .. } => out.push_str(&format!(
                    "unexpected pass: {id} (listed for {target}: {})\n",
                    reasons.join("; ")
                )),
                Verdict::Intermittent { reasons, failed } => out.push_str(&format!(
                    "intermittent: {id} {} this time ({})\n",
                    if *failed { "failed" } else { "passed" },
                    reasons.join("; ")
                )),
                _ => {}
            }
        }
        out.push_str(&divergences::render_text(&self.divergences()));
        let t = self.totals();
        let generated = rows
            .iter()
            .filter(|row| {
                row.id
                    .strip_prefix(crate::spec::generated::AREA)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
            .count();
        let apart = match generated {
            0 => String::new(),
            n => format!(" ({n} generated)"),
        };
        out.push_str(&format!(
            "contract against {target}: {} passed, {} passed with waivers, {} failed, {} expected failures, {} unexpected passes, {} intermittent, {} errors{apart}; {} of {} reached their steps\n",
            t.passed, t.passed_with_waivers, t.failed, t.expected_failures, t.unexpected_passes, t.intermittent, t.errors, t.reached_steps, t.cases
        ));
        out
    }
}

/// Keeps a [`CaseResult`] per finished case, for the report files.
pub struct Collector {
    info: RunInfo,
    suite: Vec<CaseRef>,
    results: Mutex<Vec<CaseResult>>,
}

impl Collector {
    /// A collector for a run of (some of) the `suite` against `endpoint`.
    pub fn new(suite: Vec<CaseRef>, target: Option<String>, endpoint: &str, region: &str) -> Self {
        Collector {
            info: RunInfo {
                run_id: run_id(),
                target,
                endpoint: endpoint.to_owned(),
                region: region.to_owned(),
                started: SystemTime::now(),
            },
            suite,
            results: Mutex::new(Vec::new()),
        }
    }

    /// The report of the cases finished so far; `stale` are the stale waivers of a full run.
    pub fn finish(&self, stale: &[&Entry]) -> RunReport {
        let results = self.results.lock().map(|r| r.clone()).unwrap_or_default();
        let stale = stale
            .iter()
            .map(|e| StaleExpectation {
                case: e.case.clone(),
                check: e.check,
                reason: e.reason.clone(),
            })
            .collect();
        RunReport::new(&self.info, bundled_model(), &self.suite, results, stale)
    }
}

impl Reporter for Collector {
    fn case_finished(&self, event: &CaseFinished<'_>) {
        let result = CaseResult::from_event(event);
        if let Ok(mut results) = self.results.lock() {
            results.push(result);
        }
    }
}

/// The model version of the bundled schemas.
pub fn bundled_model() -> ModelVersion {
    let model = &SchemaStore::global().index().model;
    ModelVersion {
        service: "cognito-idp".to_owned(),
        botocore: model.botocore.clone(),
        api_version: model.api_version.clone(),
    }
}

/// Whether this process runs one test of a cargo-nextest run (nextest starts a process per test).
pub fn process_per_test() -> bool {
    crate::support::env::var("NEXTEST_EXECUTION_MODE").is_some_and(|m| m == "process-per-test")
}

fn run_id() -> String {
    match crate::support::env::var("NEXTEST_RUN_ID") {
        Some(id) => id,
        None => format!(
            "{:016x}{:016x}",
            crate::support::random::random_u64(),
            crate::support::random::random_u64()
        ),
    }
}

/// Where to write the report files; each is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outputs {
    /// JUnit XML (`--junit`, `COGNITO_CONTRACT_JUNIT`).
    pub junit: Option<PathBuf>,
    /// The JSON report (`--json-report`, `COGNITO_CONTRACT_JSON_REPORT`).
    pub json: Option<PathBuf>,
    /// A Markdown summary (`--markdown`, `COGNITO_CONTRACT_MARKDOWN`).
    pub markdown: Option<PathBuf>,
}

/// The environment variables naming report files.
pub const JUNIT_ENV: &str = "COGNITO_CONTRACT_JUNIT";
pub const JSON_REPORT_ENV: &str = "COGNITO_CONTRACT_JSON_REPORT";
pub const MARKDOWN_ENV: &str = "COGNITO_CONTRACT_MARKDOWN";

impl Outputs {
    /// Paths from `COGNITO_CONTRACT_JUNIT`, `COGNITO_CONTRACT_JSON_REPORT` and
    /// `COGNITO_CONTRACT_MARKDOWN`.
    pub fn from_env() -> Outputs {
        let var = crate::support::env::path;
        Outputs {
            junit: var(JUNIT_ENV),
            json: var(JSON_REPORT_ENV),
            markdown: var(MARKDOWN_ENV),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.junit.is_none() && self.json.is_none() && self.markdown.is_none()
    }

    /// Writes every requested file for `run`. In a process of a nextest run, `run` is first
    /// merged into what the run's other processes wrote (see [`Outputs::write_merged`]).
    pub fn write(&self, run: RunReport) -> Result<(), String> {
        if self.is_empty() {
            return Ok(());
        }
        if process_per_test() {
            return self.write_merged(run);
        }
        self.write_all(&run)
    }

    /// The file holding a nextest run's merged report: the JSON report when one is asked for,
    /// else `<junit or markdown path>.state.json`.
    fn state_path(&self) -> Option<PathBuf> {
        if let Some(json) = &self.json {
            return Some(json.clone());
        }
        let first = self.junit.as_ref().or(self.markdown.as_ref())?;
        let mut name = first.as_os_str().to_owned();
        name.push(".state.json");
        Some(PathBuf::from(name))
    }

    /// Merges `run` into the report of the same nextest run (if the state file belongs to another
    /// run, it is replaced), under an exclusive lock, and rewrites every file from the result.
    pub fn write_merged(&self, run: RunReport) -> Result<(), String> {
        let Some(state) = self.state_path() else {
            return Ok(());
        };
        let mut lock_name = state.as_os_str().to_owned();
        lock_name.push(".lock");
        let lock_path = PathBuf::from(lock_name);
        create_parent(&lock_path)?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| format!("cannot open {}: {e}", lock_path.display()))?;
        let _guard = FileLock::exclusive(&lock)
            .map_err(|e| format!("cannot lock {}: {e}", lock_path.display()))?;
        // The state is this harness's own file, rewritten by every process of the run: read it
        // without the schema check (its layout is checked by the types), which would make the
        // processes of a long run ever slower.
        let merged = match fs::read_to_string(&state)
            .ok()
            .and_then(|text| serde_json::from_str::<RunReport>(&text).ok())
        {
            Some(mut earlier) if earlier.run_id == run.run_id => {
                earlier.merge(run);
                earlier
            }
            _ => run,
        };
        if self.json.is_none() {
            write_atomically(&state, &merged.to_json())?;
        }
        self.write_all(&merged)
    }

    fn write_all(&self, run: &RunReport) -> Result<(), String> {
        if let Some(path) = &self.json {
            write_atomically(path, &run.to_json())?;
        }
        if let Some(path) = &self.junit {
            write_atomically(path, &junit::render(run)?)?;
        }
        if let Some(path) = &self.markdown {
            write_atomically(path, &markdown::render(run))?;
        }
        Ok(())
    }
}

fn create_parent(path: &Path) -> Result<(), String> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
        }
        _ => Ok(()),
    }
}

/// Writes `text` to a temporary file beside `path` and renames it over `path`, so readers never
/// see half a file (no fsync: these are reports, not a database).
pub fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    create_parent(path)?;
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(format!(".tmp-{}", std::process::id()));
    let tmp = PathBuf::from(tmp_name);
    let result = File::create(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .and_then(|()| fs::rename(&tmp, path));
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("cannot write {}: {e}", path.display())
    })
}

/// An exclusive lock on a file ([`File::lock`], `flock` on Unix) held until dropped.
struct FileLock<'a>(&'a File);

impl<'a> FileLock<'a> {
    fn exclusive(file: &'a File) -> std::io::Result<FileLock<'a>> {
        loop {
            match file.lock() {
                Ok(()) => return Ok(FileLock(file)),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(error),
            }
        }
    }
}

impl Drop for FileLock<'_> {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::json::{Outcome, Totals};

    fn case(id: &str, outcome: Outcome) -> CaseResult {
        CaseResult {
            id: id.to_owned(),
            area: "a".to_owned(),
            file: format!("cases/{id}.json"),
            description: id.to_owned(),
            tags: Vec::new(),
            operations: vec!["ListUserPools".to_owned()],
            outcome,
            duration_ms: 1.5,
            reasons: Vec::new(),
            message: None,
            failing_step: None,
            evidence: Vec::new(),
            steps: Vec::new(),
        }
    }

    fn run(run_id: &str, ran: &[(&str, Outcome)], suite: &[&str]) -> RunReport {
        let info = RunInfo {
            run_id: run_id.to_owned(),
            target: Some("t".to_owned()),
            endpoint: "http://127.0.0.1:1".to_owned(),
            region: "us-east-1".to_owned(),
            started: SystemTime::now(),
        };
        let suite: Vec<CaseRef> = suite
            .iter()
            .map(|id| CaseRef {
                id: (*id).to_owned(),
                area: "a".to_owned(),
                operations: vec!["ListUserPools".to_owned()],
            })
            .collect();
        let results = ran.iter().map(|(id, o)| case(id, *o)).collect();
        RunReport::new(&info, bundled_model(), &suite, results, Vec::new())
    }

    #[test]
    fn the_processes_of_one_nextest_run_merge_into_one_report() {
        let dir = tempfile::tempdir().unwrap();
        let outputs = Outputs {
            junit: Some(dir.path().join("j.xml")),
            json: Some(dir.path().join("r.json")),
            markdown: Some(dir.path().join("s.md")),
        };
        let suite = ["a/1", "a/2", "a/3", "a/4", "a/5", "a/6"];
        // Six processes at once, one case each, as nextest runs them.
        std::thread::scope(|scope| {
            for (i, id) in suite.iter().enumerate() {
                let outputs = &outputs;
                let outcome = if i == 2 { Outcome::Fail } else { Outcome::Pass };
                scope.spawn(move || {
                    outputs
                        .write_merged(run("run-1", &[(id, outcome)], &suite))
                        .unwrap()
                });
            }
        });
        let text = std::fs::read_to_string(dir.path().join("r.json")).unwrap();
        let merged = RunReport::parse(&text).unwrap();
        assert_eq!(merged.cases.len(), 6);
        assert!(merged.not_run.is_empty() && merged.complete);
        assert_eq!(
            merged.totals,
            Totals {
                cases: 6,
                passed: 5,
                failed: 1,
                // These cases have no steps: nothing in their setup ended them.
                reached_steps: 6,
                ..Totals::default()
            }
        );
        let xml = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
        assert!(
            xml.contains(r#"tests="6""#) && xml.contains(r#"failures="1""#),
            "{xml}"
        );

        // A retry of a case replaces its result; another run starts afresh.
        outputs
            .write_merged(run("run-1", &[("a/3", Outcome::Pass)], &suite))
            .unwrap();
        let merged =
            RunReport::parse(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
        assert_eq!(merged.totals.passed, 6);
        outputs
            .write_merged(run("run-2", &[("a/1", Outcome::Pass)], &suite))
            .unwrap();
        let fresh =
            RunReport::parse(&std::fs::read_to_string(dir.path().join("r.json")).unwrap()).unwrap();
        assert_eq!(fresh.cases.len(), 1);
        assert_eq!(fresh.not_run.len(), 5);
    }

    #[test]
    fn without_a_json_report_the_merged_state_sits_beside_the_first_file() {
        let dir = tempfile::tempdir().unwrap();
        let outputs = Outputs {
            junit: Some(dir.path().join("j.xml")),
            json: None,
            markdown: None,
        };
        let suite = ["a/1", "a/2"];
        for id in suite {
            outputs
                .write_merged(run("run-1", &[(id, Outcome::Pass)], &suite))
                .unwrap();
        }
        let state = dir.path().join("j.xml.state.json");
        let merged = RunReport::parse(&std::fs::read_to_string(state).unwrap()).unwrap();
        assert_eq!(merged.cases.len(), 2);
        let xml = std::fs::read_to_string(dir.path().join("j.xml")).unwrap();
        assert!(xml.contains(r#"tests="2""#), "{xml}");
    }

    #[test]
    fn ansi_sequences_are_stripped() {
        assert_eq!(
            strip_ansi("\u{1b}[31mred\u{1b}[0m and \u{1b}[1;2mbold\u{1b}[0m"),
            "red and bold"
        );
        assert_eq!(strip_ansi("plain"), "plain");
    }
}
