//! The contract test target under cargo-nextest, which runs each case in its own process: with
//! the target given by environment variables (a moto started here, the fixture cases), the
//! partitions `count:1/2` and `count:2/2` together run every case exactly once, and each
//! partition's processes merge their results into one JSON report and one JUnit file. The
//! `hash:K/N` partitions list every case once as well. Without an endpoint, each process stops
//! with a message saying how to give one, instead of starting a moto per case.
//!
//! Needs `cargo-nextest` (0.9.x) next to cargo.

use std::collections::BTreeSet;
use std::process::{Command, Output};

use crate::report_fixture::*;

/// `cargo nextest <args>` for the contract test target, in a clean environment plus `env`.
fn nextest(args: &[&str], env: &[(&str, &str)]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let mut command = Command::new(cargo);
    command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .arg("nextest")
        .args(args);
    if !cfg!(debug_assertions) {
        command.args(["--cargo-profile", "release"]);
    }
    for name in RUN_ENV {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("no such command: `nextest`"),
        "this test needs cargo-nextest: cargo install cargo-nextest"
    );
    output
}

fn ids(report: &serde_json::Value, member: &str) -> BTreeSet<String> {
    report[member]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn count_partitions_together_run_every_case_once() {
    let (tmp, cases) = case_dir();
    let all: BTreeSet<String> = CASE_IDS.iter().map(|s| s.to_string()).collect();
    let mut seen: Vec<BTreeSet<String>> = Vec::new();
    for k in 1..=2 {
        let json = tmp.path().join(format!("part{k}.json"));
        let junit = tmp.path().join(format!("part{k}.xml"));
        let partition = format!("count:{k}/2");
        let output = nextest(
            &[
                "run",
                "--test",
                "contract",
                "--partition",
                &partition,
                "--no-fail-fast",
            ],
            &[
                ("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", moto()),
                ("COGNITO_CONTRACT_TARGET", "gate-a"),
                ("COGNITO_CONTRACT_CASES", cases.to_str().unwrap()),
                ("COGNITO_CONTRACT_JSON_REPORT", json.to_str().unwrap()),
                ("COGNITO_CONTRACT_JUNIT", junit.to_str().unwrap()),
            ],
        );
        assert!(output.status.success(), "{partition}: {}", shown(&output));

        // One report for the partition, merged from its processes, valid and complete.
        let report = read_json(&json);
        let violations = schema_violations(&report);
        assert!(violations.is_empty(), "{violations:#?}");
        let ran = ids(&report, "cases");
        assert!(!ran.is_empty(), "{partition} ran nothing");
        let not_run = ids(&report, "not_run");
        assert!(ran.is_disjoint(&not_run));
        assert_eq!(
            ran.union(&not_run).cloned().collect::<BTreeSet<_>>(),
            all,
            "{partition}: the report knows the whole suite"
        );
        assert_eq!(report["totals"]["cases"], ran.len());
        assert_eq!(report["totals"]["failed"], 0);

        // nextest's own count of what it ran agrees.
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("{} tests run: {} passed", ran.len(), ran.len())),
            "{stderr}"
        );

        let xml = std::fs::read_to_string(&junit).unwrap();
        let parsed = quick_junit::Report::deserialize_from_str(&xml).unwrap();
        assert_eq!(parsed.tests, ran.len(), "{xml}");
        seen.push(ran);
    }
    assert!(
        seen[0].is_disjoint(&seen[1]),
        "a case ran in both partitions: {seen:?}"
    );
    let union: BTreeSet<String> = seen[0].union(&seen[1]).cloned().collect();
    assert_eq!(union, all, "every case runs in one of the partitions");
}

#[test]
fn hash_partitions_list_every_case_once() {
    let (_tmp, cases) = case_dir();
    let mut parts: Vec<BTreeSet<String>> = Vec::new();
    for k in 1..=2 {
        let output = nextest(
            &[
                "list",
                "--test",
                "contract",
                "--partition",
                &format!("hash:{k}/2"),
                "--message-format",
                "oneline",
            ],
            &[("COGNITO_CONTRACT_CASES", cases.to_str().unwrap())],
        );
        assert!(output.status.success(), "{}", shown(&output));
        let listed: BTreeSet<String> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| l.rsplit(' ').next())
            .filter(|id| id.contains('/'))
            .map(str::to_owned)
            .collect();
        parts.push(listed);
    }
    assert!(parts[0].is_disjoint(&parts[1]), "{parts:?}");
    let union: BTreeSet<String> = parts[0].union(&parts[1]).cloned().collect();
    let all: BTreeSet<String> = CASE_IDS.iter().map(|s| s.to_string()).collect();
    assert_eq!(union, all);
}

#[test]
fn without_an_endpoint_each_process_says_how_to_give_one() {
    let (_tmp, cases) = case_dir();
    let output = nextest(
        &[
            "run",
            "--test",
            "contract",
            "--no-fail-fast",
            "pools/describe_unknown",
        ],
        &[("COGNITO_CONTRACT_CASES", cases.to_str().unwrap())],
    );
    assert!(!output.status.success(), "{}", shown(&output));
    let text = shown(&output);
    assert!(
        text.contains("under cargo-nextest every case runs in its own process"),
        "{text}"
    );
    assert!(
        text.contains("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=http://127.0.0.1:5000"),
        "{text}"
    );
}
