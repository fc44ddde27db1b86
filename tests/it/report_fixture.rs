//! A small case directory for the report, matrix, expectations and nextest tests, kept in
//! `tests/it/fixtures/report/`: five cases in three areas whose outcomes on moto are known, and
//! two targets' expectations over them, so one moto server gives every outcome:
//!
//! | case | on moto | `gate-a` | `gate-b` |
//! |---|---|---|---|
//! | `pools/create_and_describe` | passes | pass | unexpected pass |
//! | `pools/describe_unknown` | error with JSON content type | passed with waivers | passed with waivers |
//! | `pools/min_length_too_small` | creates the pool | expected failure | fail |
//! | `groups/create_group` | passes | intermittent | pass |
//! | `users/admin_create_user_duplicate` | error with JSON content type | passed with waivers | expected failure |
//!
//! Both expectations waive `content_type` everywhere (a glob check-waiver, so a case failing only
//! that passes with waivers); `gate-b` also names the duplicate user's content type itself, and a
//! per-case entry keeps the case an expected failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use cognito_contract::managed::moto::MotoServer;

use crate::support::files::copy_fixture;

pub const CASE_IDS: [&str; 5] = [
    "groups/create_group",
    "pools/create_and_describe",
    "pools/describe_unknown",
    "pools/min_length_too_small",
    "users/admin_create_user_duplicate",
];

/// A fresh temporary directory holding a copy of the fixture cases (`tests/it/fixtures/report/`)
/// under `cases/`.
pub fn case_dir() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let cases = tmp.path().join("cases");
    copy_fixture("report", &cases);
    (tmp, cases)
}

/// One moto server for the whole test binary (the report, matrix, expectations and nextest
/// tests share it; each run names its pools with a prefix of its own).
pub fn moto() -> &'static str {
    static SERVER: OnceLock<MotoServer> = OnceLock::new();
    SERVER
        .get_or_init(|| MotoServer::start().unwrap_or_else(|e| panic!("moto starts: {e}")))
        .endpoint()
}

/// The environment variables that would redirect a run, removed so a test sees only its own.
pub const RUN_ENV: [&str; 9] = [
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
    "COGNITO_CONTRACT_TARGET",
    "COGNITO_CONTRACT_CASES",
    "COGNITO_CONTRACT_LENIENT",
    "COGNITO_CONTRACT_JUNIT",
    "COGNITO_CONTRACT_JSON_REPORT",
    "COGNITO_CONTRACT_MARKDOWN",
    "NEXTEST_EXECUTION_MODE",
];

/// The `cognito-contract` binary with `args`, in a clean environment plus `env`.
pub fn cli(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cognito-contract"));
    command.args(args);
    for name in RUN_ENV {
        command.env_remove(name);
    }
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the cognito-contract binary runs")
}

/// stdout and stderr, for assertion messages.
pub fn shown(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `cognito-contract run` of the fixture cases against moto as `target`, writing the JSON
/// report to `json`; `extra` are more arguments (report flags, libtest filters).
pub fn run_target(cases: &Path, target: &str, json: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--endpoint",
        moto(),
        "--target",
        target,
        "--cases",
        cases.to_str().unwrap(),
        "--json-report",
        json.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    cli(&args, &[])
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every violation of `schemas/report.schema.json`, checked with the schema file itself.
pub fn schema_violations(report: &serde_json::Value) -> Vec<String> {
    let schema =
        read_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/report.schema.json"));
    let validator = jsonschema::validator_for(&schema).expect("the report schema compiles");
    validator
        .iter_errors(report)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// The case `id` of a JSON report.
pub fn case<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no case {id} in the report"))
}

/// The step `id` (`setup[0]`, `steps[1]`, ...) of a case of a JSON report.
pub fn step<'a>(case: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step {id} in {}", case["id"]))
}
