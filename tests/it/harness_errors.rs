//! Harness errors are not target failures. A step whose processing panics inside the harness
//! (made to panic here through the test-only `RunContext::before_step` hook) is reported as a
//! harness error on that very step, not on the step before; no expectations entry hides it (not a
//! `"check": "transport"` waiver, not `"case": "**"` without a check); the case's outcome is
//! `error`, it fails the run, and every report shows it apart: JSON (validated against
//! `schemas/report.schema.json`), JUnit `<error>`, Markdown and the matrix. Through the binary, a
//! case that runs out of time is an error too, and the run exits 101 however the expectations
//! read.

use crate::support::output::binary_without_credentials;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::support::{AwsLike, Config};
use cognito_contract::exec::failure::Section;
use cognito_contract::exec::runner::{CaseReport, RunContext, run_case};
use cognito_contract::http::client::{Client, ClientOptions};
use cognito_contract::http::sigv4::Sigv4Signer;
use cognito_contract::report::json::{CaseRef, CaseResult, Outcome, RunInfo, RunReport};
use cognito_contract::report::matrix::Matrix;
use cognito_contract::report::{CaseFinished, bundled_model, junit, markdown};
use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::case::Case;
use cognito_contract::spec::load::load_case;
use cognito_contract::verdict::expectations::{EntryWaivers, Expectations, Verdict, verdict_of};

/// A case whose second step (`steps[1]`) the harness fails on.
const CASE: &str = include_str!("fixtures/describe_then_list.json");

fn fake_server() -> AwsLike {
    let (handler, _) = crate::support::fake_cognito();
    let mut config = Config::new(Vec::new());
    config.handler = Some(handler);
    AwsLike::start(config)
}

fn context(server: &AwsLike, panic_in: Option<(Section, usize)>) -> RunContext {
    let client = Client::new(
        &server.endpoint,
        Some(Arc::new(Sigv4Signer::emulator("us-east-1"))),
        &ClientOptions::emulator(Duration::from_secs(10)),
    )
    .unwrap();
    let mut ctx = RunContext::with_client(client);
    if let Some((section, index)) = panic_in {
        ctx.before_step = Some(Arc::new(move |step| {
            if step.section == section && step.index == index {
                panic!("injected by the test at {}", step.id());
            }
        }));
    }
    ctx
}

fn case() -> Case {
    load_case("t/panics", "t/panics.json", CASE, SchemaStore::global()).unwrap()
}

fn operations(server: &AwsLike) -> Vec<String> {
    server.seen().into_iter().map(|s| s.operation).collect()
}

fn expectations(entries: &str) -> Expectations {
    let text = format!(r#"{{"target": "t", "expected_failures": [{entries}]}}"#);
    Expectations::parse("t.json", &text, "t", &["t/panics"]).unwrap()
}

/// The case run with `entries` as its target's expectations, and its verdict.
async fn run_with(server: &AwsLike, entries: &str) -> (CaseReport, Verdict) {
    let ctx = context(server, Some((Section::Steps, 1)));
    let ex = expectations(entries);
    let entries = ex.for_case("t/panics");
    let report = run_case(&case(), &ctx, &EntryWaivers(&entries)).await;
    let verdict = verdict_of(&entries, &report);
    (report, verdict)
}

#[tokio::test]
async fn a_panic_is_a_harness_error_of_the_step_it_happened_in() {
    let server = fake_server();
    let ctx = context(&server, Some((Section::Steps, 1)));
    let report = run_case(&case(), &ctx, &cognito_contract::exec::runner::NoWaivers).await;
    let ids: Vec<String> = report.steps.iter().map(|r| r.step.id()).collect();
    assert_eq!(ids, ["setup[0]", "steps[0]", "steps[1]", "teardown[0]"]);
    assert!(report.failures().is_empty(), "{:#?}", report.failures());
    let errors = report.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].step.id(), "steps[1]", "not blamed on steps[0]");
    assert_eq!(errors[0].step.operation, "ListUserPools");
    assert_eq!(errors[0].error.kind(), "panic");
    let text = errors[0].to_string();
    assert!(
        text.contains("the harness panicked: injected by the test at steps[1]"),
        "{text}"
    );
    // steps[0] passed and keeps no error; the panicking step sent nothing; teardown ran.
    assert!(report.steps[1].error.is_none() && report.steps[1].failures.is_empty());
    assert_eq!(
        operations(&server),
        ["CreateUserPool", "DescribeUserPool", "DeleteUserPool"]
    );
    assert!(report.steps[3].error.is_none() && report.steps[3].failures.is_empty());
}

#[tokio::test]
async fn a_panic_in_teardown_is_that_teardown_step_s_error() {
    let server = fake_server();
    let ctx = context(&server, Some((Section::Teardown, 0)));
    let report = run_case(&case(), &ctx, &cognito_contract::exec::runner::NoWaivers).await;
    let errors = report.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert_eq!(errors[0].step.id(), "teardown[0]");
    assert_eq!(errors[0].error.kind(), "panic");
    assert!(report.failures().is_empty());
}

#[tokio::test]
async fn no_expectations_entry_hides_a_harness_error() {
    let server = fake_server();
    for entries in [
        r#"{"case": "**", "check": "transport", "reason": "pretend the target drops connections"}"#,
        r#"{"case": "**", "reason": "pretend every case fails on this target"}"#,
        r#"{"case": "t/panics", "step": "steps[1]", "reason": "pretend this step fails here"}"#,
        r#"{"case": "t/*", "intermittent": true, "reason": "pretend it comes and goes"}"#,
    ] {
        let (report, verdict) = run_with(&server, entries).await;
        assert_eq!(verdict.outcome(), Outcome::Error, "{entries}: {verdict:?}");
        assert!(verdict.fails_run(), "{entries}");
        let Verdict::Error { errors, unexpected } = &verdict else {
            unreachable!()
        };
        assert_eq!(errors.len(), 1, "{entries}");
        assert_eq!(errors[0].step.id(), "steps[1]", "{entries}");
        assert!(unexpected.is_empty(), "{entries}: {unexpected:#?}");
        assert_eq!(report.errors(), *errors);
    }
}

#[tokio::test]
async fn every_report_shows_the_error_apart() {
    let server = fake_server();
    let entries =
        r#"{"case": "**", "check": "transport", "reason": "pretend the target drops connections"}"#;
    let (report, verdict) = run_with(&server, entries).await;
    let case = case();
    let result = CaseResult::from_event(&CaseFinished {
        case: &case,
        report: &report,
        verdict: &verdict,
    });
    assert_eq!(result.outcome, Outcome::Error);
    assert_eq!(
        result.failing_step.as_deref(),
        Some("steps[1] ListUserPools")
    );
    let outcomes: Vec<Outcome> = result.steps.iter().map(|s| s.outcome).collect();
    use Outcome::{Error, Pass};
    assert_eq!(outcomes, [Pass, Pass, Error, Pass]);
    let step = &result.steps[2];
    assert!(step.failures.is_empty(), "kept apart from failures");
    let error = step.error.as_ref().expect("the step's error");
    assert_eq!(error.kind, "panic");
    assert!(error.message.contains("injected"), "{}", error.message);

    let info = RunInfo {
        run_id: "r".into(),
        target: Some("t".into()),
        endpoint: server.endpoint.clone(),
        region: "us-east-1".into(),
        started: SystemTime::now(),
    };
    let suite = [CaseRef {
        id: "t/panics".into(),
        area: "t".into(),
        operations: result.operations.clone(),
    }];
    let run = RunReport::new(&info, bundled_model(), &suite, vec![result], Vec::new());
    assert_eq!((run.totals.errors, run.totals.failed), (1, 0));
    // JSON: validates, and reads back the same.
    let parsed = RunReport::parse(&run.to_json()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed, run);
    // JUnit: an <error>, not a <failure>, of the error's kind, naming the step.
    let xml = junit::render(&run).unwrap();
    let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
    assert_eq!((parsed.errors, parsed.failures), (1, 0), "{xml}");
    assert!(xml.contains(r#"type="panic""#), "{xml}");
    assert!(
        xml.contains("steps[1] ListUserPools: [error: panic]"),
        "{xml}"
    );
    // Markdown: counted and listed apart from failures.
    let md = markdown::render(&run);
    assert!(md.contains("| 0 | 0 | 0 | 0 | 0 | 1 | 0 |"), "{md}");
    assert!(md.contains("### Harness errors (1)"), "{md}");
    assert!(!md.contains("### Failures"), "{md}");
    assert!(md.contains("❌"), "{md}");
    // Matrix: the cell counts an error and takes its colour.
    let matrix = Matrix::build(vec![run], SchemaStore::global());
    let cells: Vec<_> = matrix
        .areas
        .iter()
        .flat_map(|a| &a.rows)
        .flat_map(|r| &r.cells)
        .collect();
    assert!(!cells.is_empty());
    for cell in cells {
        assert_eq!((cell.counts.error, cell.counts.fail), (1, 0));
        assert_eq!(cell.status, "error");
    }
}

/// A case directory with [`CASE`] and an expectations file for target `t` that says every case
/// fails.
fn case_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("t")).unwrap();
    std::fs::create_dir_all(dir.path().join("expectations")).unwrap();
    std::fs::write(dir.path().join("t/panics.json"), CASE).unwrap();
    std::fs::write(
        dir.path().join("expectations/t.json"),
        r#"{"target": "t", "expected_failures": [
            {"case": "**", "reason": "pretend every case fails on this target"}]}"#,
    )
    .unwrap();
    dir
}

#[test]
fn a_case_that_runs_out_of_time_fails_the_run_whatever_the_expectations_say() {
    let (handler, _) = crate::support::fake_cognito();
    let mut config = Config::new(Vec::new());
    config.handler = Some(handler);
    config
        .delays
        .insert("DescribeUserPool".into(), Duration::from_secs(3));
    let server = AwsLike::start(config);
    let dir = case_dir();
    let json = dir.path().join("out/report.json");
    let output = binary_without_credentials()
        .args(["run", "--target", "t", "--endpoint", &server.endpoint])
        .arg("--cases")
        .arg(dir.path())
        .args(["--case-timeout", "500ms", "--test-threads", "1"])
        .arg("--json-report")
        .arg(&json)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(101), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "contract against t: 0 passed, 0 passed with waivers, 0 failed, 0 expected failures, 0 unexpected passes, \
             0 intermittent, 1 errors"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("[error: case_timeout]"), "{stdout}");
    let report = RunReport::read(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.cases[0].outcome, Outcome::Error);
    assert_eq!(
        report.cases[0].failing_step.as_deref(),
        Some("steps[0] DescribeUserPool")
    );
    let step = &report.cases[0].steps[1];
    assert_eq!(
        step.error.as_ref().map(|e| e.kind.as_str()),
        Some("case_timeout")
    );
    assert!(
        operations(&server).contains(&"DeleteUserPool".to_owned()),
        "the teardown ran"
    );
}
