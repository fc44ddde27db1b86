//! The CI gate's outputs: one run with `--junit`, `--json-report` and `--markdown` against moto
//! writes three files that agree with each other and with the run (the JSON validates against
//! `schemas/report.schema.json`, the JUnit file parses and counts what the run counted), the same
//! files come from the environment variables the `cargo test` target reads, and the exit status
//! tells apart "as expected", "unexpected results", "harness or configuration error" and
//! "target unreachable".

use std::collections::BTreeMap;
use std::path::Path;

use crate::report_fixture::*;
use crate::support::output::summary_line;
use quick_junit::{NonSuccessKind, Report, TestCaseStatus};
use serde_json::Value;

fn outcomes(report: &Value) -> BTreeMap<String, String> {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The numbers of the closing line `contract against T: 1 passed, 1 failed, ...` (before
/// `; N of M reached their steps`).
fn summary_counts(stdout: &str, target: &str) -> Vec<usize> {
    summary_line(stdout, target)
        .split(';')
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect()
}

#[test]
fn one_run_writes_junit_json_and_markdown_that_agree_with_it() {
    let (tmp, cases) = case_dir();
    let (json, junit, markdown) = (
        tmp.path().join("out/report.json"),
        tmp.path().join("out/junit.xml"),
        tmp.path().join("out/summary.md"),
    );
    let output = run_target(
        &cases,
        "gate-b",
        &json,
        &[
            "--junit",
            junit.to_str().unwrap(),
            "--markdown",
            markdown.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(101), "{}", shown(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);

    // JSON: valid, with the run's metadata and every case's outcome.
    let report = read_json(&json);
    let violations = schema_violations(&report);
    assert!(violations.is_empty(), "{violations:#?}");
    assert_eq!(report["format"], "cognito-contract-report");
    assert_eq!(report["format_version"], 2);
    assert_eq!(report["target"], "gate-b");
    assert_eq!(report["endpoint"], moto());
    assert_eq!(report["region"], "us-east-1");
    assert_eq!(report["harness"]["version"], env!("CARGO_PKG_VERSION"));
    let index =
        read_json(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/index.json"));
    assert_eq!(report["model"]["botocore"], index["model"]["botocore"]);
    assert_eq!(
        report["model"]["api_version"],
        index["model"]["api_version"]
    );
    assert_eq!(report["complete"], true);
    let expected = gate_b_outcomes();
    assert_eq!(outcomes(&report), expected);
    let totals = &report["totals"];
    let counts: Vec<u64> = [
        "passed",
        "passed_with_waivers",
        "failed",
        "expected_failures",
        "unexpected_passes",
        "intermittent",
        "errors",
    ]
    .iter()
    .map(|k| totals[k].as_u64().unwrap())
    .collect();
    assert_eq!(counts, [1, 1, 1, 1, 1, 0, 0]);
    assert_eq!(totals["cases"], 5);
    assert_eq!(totals["not_run"], 0);
    // The closing line of the run says the same.
    assert_eq!(summary_counts(&stdout, "gate-b"), [1, 1, 1, 1, 1, 0, 0]);

    check_steps(&report);
    check_junit(&junit, &report, &expected);
    check_markdown(&markdown);
}

/// The fixture's outcomes for `gate-b`, by case id.
fn gate_b_outcomes() -> BTreeMap<String, String> {
    [
        ("groups/create_group", "pass"),
        ("pools/create_and_describe", "unexpected_pass"),
        ("pools/describe_unknown", "passed_with_waivers"),
        ("pools/min_length_too_small", "fail"),
        ("users/admin_create_user_duplicate", "expected_failure"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect()
}

/// Per step of the `gate-b` JSON report: operation, status, error code, request id, duration,
/// outcome, failures.
fn check_steps(report: &Value) {
    let unknown = case(report, "pools/describe_unknown");
    let s = step(unknown, "steps[0]");
    assert_eq!(s["operation"], "DescribeUserPool");
    assert_eq!(s["expected_error"], "ResourceNotFoundException");
    assert_eq!(s["status"], 400);
    assert_eq!(s["error_code"], "ResourceNotFoundException");
    assert!(!s["request_id"].as_str().unwrap_or("").is_empty(), "{s}");
    assert!(s["duration_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(s["outcome"], "passed_with_waivers");
    assert_eq!(s["failures"][0]["check"], "content_type");
    assert_eq!(s["failures"][0]["expected"], true);

    let described = case(report, "pools/create_and_describe");
    assert_eq!(step(described, "setup[0]")["outcome"], "pass");
    assert_eq!(step(described, "setup[0]")["status"], 200);
    assert_eq!(step(described, "steps[0]")["outcome"], "unexpected_pass");
    assert_eq!(step(described, "teardown[0]")["outcome"], "pass");
    assert!(
        described["message"]
            .as_str()
            .unwrap()
            .contains("unexpected pass")
    );

    let failing = case(report, "pools/min_length_too_small");
    assert_eq!(failing["failing_step"], "steps[0] CreateUserPool");
    let s = step(failing, "steps[0]");
    assert_eq!(s["outcome"], "fail");
    assert_eq!(s["status"], 200);
    let checks: Vec<&str> = s["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    assert!(checks.contains(&"status"), "{s}");
    assert!(
        s["failures"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["expected"] == false)
    );
    let message = failing["message"].as_str().unwrap();
    assert!(message.contains("[status]"), "{message}");
    assert!(!message.contains('\u{1b}'), "no terminal colours in files");
}

/// The `gate-b` JUnit file parses, has one testcase per case, and counts as the run (the JSON
/// `report`) counted them.
fn check_junit(junit: &Path, report: &Value, expected: &BTreeMap<String, String>) {
    let xml = std::fs::read_to_string(junit).unwrap();
    let parsed = Report::deserialize_from_str(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    assert_eq!(parsed.tests, 5);
    assert_eq!(parsed.failures, 2, "a failure and an unexpected pass");
    assert_eq!(parsed.errors, 0);
    assert_eq!(parsed.skipped, 1, "the expected failure");
    let suite = &parsed.test_suites[0];
    assert_eq!(suite.test_cases.len(), 5);
    let properties: BTreeMap<&str, &str> = suite
        .properties
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(properties["target"], "gate-b");
    assert_eq!(properties["endpoint"], moto());
    for test_case in &suite.test_cases {
        let id = test_case.name.as_str();
        let json_case = case(report, id);
        assert_eq!(
            test_case.classname.as_ref().map(|c| c.as_str()),
            json_case["area"].as_str()
        );
        let time = test_case.time.expect("a duration").as_secs_f64() * 1000.0;
        assert!((time - json_case["duration_ms"].as_f64().unwrap()).abs() < 1.0);
        match (&test_case.status, expected[id].as_str()) {
            (TestCaseStatus::Success { .. }, "pass") => {}
            (TestCaseStatus::Success { .. }, "passed_with_waivers") => {
                let out = test_case.system_out.as_ref().expect("the waivers named");
                assert!(
                    out.as_str()
                        .starts_with("passed with waivers: [content_type] moto answers")
                );
                assert!(
                    test_case
                        .properties
                        .iter()
                        .any(|p| p.name.as_str() == "waivers")
                );
            }
            (
                TestCaseStatus::NonSuccess {
                    kind: NonSuccessKind::Failure,
                    message,
                    ty,
                    description,
                    ..
                },
                "fail",
            ) => {
                let message = message.as_ref().unwrap().as_str();
                assert!(
                    message.starts_with("steps[0] CreateUserPool: ["),
                    "{message}"
                );
                assert_eq!(ty.as_ref().unwrap().as_str(), "status");
                assert!(description.as_ref().unwrap().as_str().contains("[status]"));
            }
            (TestCaseStatus::NonSuccess { ty, .. }, "unexpected_pass") => {
                assert_eq!(ty.as_ref().unwrap().as_str(), "unexpected_pass");
            }
            (TestCaseStatus::Skipped { message, .. }, "expected_failure") => {
                let message = message.as_ref().unwrap().as_str();
                assert!(message.starts_with("expected failure: "), "{message}");
                assert!(message.contains("application/json"), "{message}");
            }
            (status, outcome) => panic!("{id}: {outcome} written as {status:?}"),
        }
    }
}

/// The `gate-b` Markdown summary: totals, the failure with its message, the unexpected pass.
fn check_markdown(markdown: &Path) {
    let md = std::fs::read_to_string(markdown).unwrap();
    assert!(md.starts_with("## Cognito contract: gate-b — ❌"), "{md}");
    assert!(md.contains("| 1 | 1 | 1 | 1 | 1 | 0 | 0 | 0 |"), "{md}");
    assert!(md.contains("### Failures (1)"), "{md}");
    assert!(
        md.contains("#### `pools/min_length_too_small` at `steps[0] CreateUserPool`"),
        "{md}"
    );
    assert!(md.contains("[status] expected"), "{md}");
    assert!(md.contains("### Unexpected passes (1)"), "{md}");
    assert!(
        md.contains("- `pools/create_and_describe` — listed as:"),
        "{md}"
    );
    assert!(
        md.contains("<summary>Expected failures (1)</summary>"),
        "{md}"
    );
}

#[test]
fn report_paths_also_come_from_the_environment() {
    let (tmp, cases) = case_dir();
    let out = tmp.path().join("env-out");
    let (json, junit, markdown) = (out.join("r.json"), out.join("j.xml"), out.join("s.md"));
    let output = cli(
        &["run"],
        &[
            ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", moto()),
            ("COGNITO_CONTRACT_TARGET", "gate-a"),
            ("COGNITO_CONTRACT_CASES", cases.to_str().unwrap()),
            ("COGNITO_CONTRACT_JSON_REPORT", json.to_str().unwrap()),
            ("COGNITO_CONTRACT_JUNIT", junit.to_str().unwrap()),
            ("COGNITO_CONTRACT_MARKDOWN", markdown.to_str().unwrap()),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
    let report = read_json(&json);
    assert!(schema_violations(&report).is_empty());
    assert_eq!(report["target"], "gate-a");
    assert_eq!(report["totals"]["intermittent"], 1);
    assert_eq!(report["totals"]["expected_failures"], 1);
    assert_eq!(report["totals"]["passed_with_waivers"], 2);
    assert_eq!(report["totals"]["passed"], 1);
    assert_eq!(
        case(&report, "groups/create_group")["outcome"],
        "intermittent"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("intermittent: groups/create_group passed this time"),
        "{stdout}"
    );

    let parsed = Report::deserialize_from_str(&std::fs::read_to_string(&junit).unwrap()).unwrap();
    assert_eq!((parsed.tests, parsed.failures, parsed.skipped), (5, 0, 2));
    let md = std::fs::read_to_string(&markdown).unwrap();
    assert!(md.starts_with("## Cognito contract: gate-a — ✅"), "{md}");
    assert!(md.contains("### Intermittent (1)"), "{md}");
}

#[test]
fn a_filtered_run_lists_what_did_not_run() {
    let (tmp, cases) = case_dir();
    let json = tmp.path().join("filtered.json");
    let output = run_target(&cases, "gate-a", &json, &["pools/"]);
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
    let report = read_json(&json);
    assert!(schema_violations(&report).is_empty());
    assert_eq!(report["complete"], false);
    assert_eq!(report["totals"]["cases"], 3);
    let not_run: Vec<&str> = report["not_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        not_run,
        ["groups/create_group", "users/admin_create_user_duplicate"]
    );
    assert_eq!(
        report["not_run"][0]["operations"],
        serde_json::json!(["CreateGroup"])
    );
}

#[test]
fn exit_statuses_tell_the_kinds_of_trouble_apart() {
    let (tmp, cases) = case_dir();

    // Nobody listens: 3, before any case runs.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    // The fixture cases against that endpoint, with `extra` arguments.
    let run_unreachable = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--endpoint",
            &endpoint,
            "--cases",
            cases.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        cli(&args, &[])
    };
    let output = run_unreachable(&[]);
    assert_eq!(output.status.code(), Some(3), "{}", shown(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("{endpoint} is unreachable")),
        "{stderr}"
    );

    // A flag that does not exist: 2.
    let output = cli(&["run", "--no-such-flag"], &[]);
    assert_eq!(output.status.code(), Some(2), "{}", shown(&output));

    // A broken case file: 2, naming the file, without contacting anything.
    std::fs::write(cases.join("pools/broken.json"), "{\"description\": ").unwrap();
    let output = run_unreachable(&[]);
    assert_eq!(output.status.code(), Some(2), "{}", shown(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken.json"));
    std::fs::remove_file(cases.join("pools/broken.json")).unwrap();

    // An expectations entry whose reason is still the placeholder: 2.
    std::fs::write(
        cases.join("expectations/gate-c.json"),
        format!(
            r#"{{"target": "gate-c", "expected_failures": [{{"case": "pools/describe_unknown", "reason": "{}"}}]}}"#,
            cognito_contract::verdict::expectations::REASON_PLACEHOLDER
        ),
    )
    .unwrap();
    let output = run_unreachable(&["--target", "gate-c"]);
    assert_eq!(output.status.code(), Some(2), "{}", shown(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("placeholder"));

    // A report that cannot be written: 2 (after the run).
    let blocker = tmp.path().join("not-a-dir");
    std::fs::write(&blocker, "").unwrap();
    let output = run_target(
        &cases,
        "gate-a",
        &blocker.join("report.json"),
        &["pools/describe_unknown"],
    );
    assert_eq!(output.status.code(), Some(2), "{}", shown(&output));
}
