//! Record and replay, end to end, with the recording committed under
//! `tests/recordings/moto-5.2.5/` (made against the managed moto 5.2.5 with `run --record` for
//! the slices in [`SLICES`]):
//! - verifying moto against its own recording passes with no `recording` failure, and replaying
//!   the recording offline gives every case and step the verdicts that run got;
//! - replaying it while recording again writes the same files (normalising and replaying agree);
//! - verifying a stub that answers one value differently (a replay of a copy with that value
//!   changed) fails the case with the path, the recorded and the found value, and an ignore
//!   entry for that path with its reason lets it pass; an ignore entry for a case the recording
//!   lacks is a load error.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cognito_contract::managed::moto::MotoServer;
use serde_json::{Value, json};

const RECORDING: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/recordings/moto-5.2.5");

/// The filters the recording was made with, one `run --record` each.
const SLICES: [&str; 3] = [
    "users/admin_create_user",
    "users/list_users",
    "auth/admin_initiate_auth",
];

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .arg("run")
        .arg("--no-generated")
        .args(args)
        .output()
        .expect("the cognito-contract binary runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn report(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Per case: its outcome and reasons, and per step its outcome, status, error code and the
/// checks that failed.
fn verdicts(report: &Value) -> Value {
    let cases = report["cases"].as_array().unwrap();
    Value::Array(
        cases
            .iter()
            .map(|case| {
                let steps: Vec<Value> = case["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|step| {
                        let checks: Vec<&Value> = step["failures"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|f| &f["check"])
                            .collect();
                        json!([
                            step["id"],
                            step["outcome"],
                            step["status"],
                            step["error_code"],
                            checks
                        ])
                    })
                    .collect();
                json!([case["id"], case["outcome"], case["reasons"], steps])
            })
            .collect(),
    )
}

fn recording_failures(report: &Value) -> Vec<String> {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["steps"].as_array().unwrap().iter())
        .flat_map(|s| s["failures"].as_array().unwrap().iter())
        .filter(|f| f["check"] == "recording")
        .map(|f| f["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn the_recording_says_it_was_made_against_moto_and_shows_no_secret() {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(RECORDING).join("recording.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["recorded_against"], "moto");
    let mut cases = 0;
    for area in ["users", "auth"] {
        for entry in std::fs::read_dir(Path::new(RECORDING).join(area)).unwrap() {
            let file: Value =
                serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap())
                    .unwrap();
            assert_eq!(file["recorded_against"], "moto", "{}", file["case"]);
            // No secret in the clear: the run's passwords (`Pw-...`) are placeholders, tokens
            // are kept decoded without their signatures.
            let text = file.to_string();
            assert!(
                !text.contains("Pw-") && !text.contains("eyJ"),
                "{}",
                file["case"]
            );
            cases += 1;
        }
    }
    assert!(cases >= 20, "{cases} case recordings");
}

#[test]
fn moto_verifies_against_its_recording_and_the_replay_gives_the_same_verdicts() {
    let moto = MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap();
    for (i, slice) in SLICES.iter().enumerate() {
        let live = dir.path().join(format!("live-{i}.json"));
        let replayed = dir.path().join(format!("replay-{i}.json"));
        let verified = run(&[
            "--endpoint",
            moto.endpoint(),
            "--target",
            "moto",
            "--verify-recording",
            RECORDING,
            "--json-report",
            live.to_str().unwrap(),
            slice,
        ]);
        assert!(verified.status.success(), "{slice}: {}", text(&verified));
        let live = report(&live);
        assert_eq!(recording_failures(&live), Vec::<String>::new(), "{slice}");
        let replay = run(&[
            "--replay",
            RECORDING,
            "--json-report",
            replayed.to_str().unwrap(),
            slice,
        ]);
        assert!(replay.status.success(), "{slice}: {}", text(&replay));
        let replayed = report(&replayed);
        assert_eq!(
            replayed["target"], "moto",
            "the replay takes the recording's target"
        );
        assert!(!live["cases"].as_array().unwrap().is_empty(), "{slice}");
        assert_eq!(verdicts(&replayed), verdicts(&live), "{slice}");
    }
}

/// Every file under `dir`, by its path below it, with its text.
fn files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        for entry in std::fs::read_dir(next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.strip_prefix(dir).unwrap().to_path_buf(), text));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn recording_a_replay_writes_the_recording_again() {
    let dir = tempfile::tempdir().unwrap();
    let again = dir.path().join("again");
    for slice in SLICES {
        let output = run(&[
            "--replay",
            RECORDING,
            "--record",
            again.to_str().unwrap(),
            slice,
        ]);
        assert!(output.status.success(), "{slice}: {}", text(&output));
    }
    let (original, rerecorded) = (files(Path::new(RECORDING)), files(&again));
    assert_eq!(
        original.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        rerecorded.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for ((path, a), (_, b)) in original.iter().zip(&rerecorded) {
        similar_asserts::assert_eq!(a, b, "{}", path.display());
    }
}

const CASE: &str = "users/admin_create_user_returns_attributes";

/// A copy of the recording with `CASE`'s pool's `EmailVerificationSubject` changed.
fn changed_copy(into: &Path) {
    for (path, text) in files(Path::new(RECORDING)) {
        let target = into.join(&path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    }
    let file = into.join(format!("{CASE}.json"));
    let mut recording: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let subject =
        &mut recording["exchanges"][0]["reply"]["body"]["UserPool"]["EmailVerificationSubject"];
    assert_eq!(*subject, "Your verification code");
    *subject = json!("Your code");
    std::fs::write(&file, serde_json::to_string_pretty(&recording).unwrap()).unwrap();
}

fn copy_with_ignore(into: &Path, ignore: &Value) {
    for (path, text) in files(Path::new(RECORDING)) {
        let target = into.join(&path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, text).unwrap();
    }
    std::fs::write(into.join("ignore.json"), ignore.to_string()).unwrap();
}

#[test]
fn a_target_that_differs_in_one_value_fails_with_its_path_unless_ignored_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let stub = dir.path().join("stub");
    changed_copy(&stub);
    let report_path = dir.path().join("report.json");
    let output = run(&[
        "--replay",
        stub.to_str().unwrap(),
        "--verify-recording",
        RECORDING,
        "--json-report",
        report_path.to_str().unwrap(),
        "--exact",
        CASE,
    ]);
    assert_eq!(output.status.code(), Some(101), "{}", text(&output));
    let expected = "[recording] exchange 0 at /body/UserPool/EmailVerificationSubject: \
                    recorded \"Your verification code\", found \"Your code\"";
    assert!(text(&output).contains(expected), "{}", text(&output));
    assert_eq!(
        recording_failures(&report(&report_path)),
        vec![expected.to_owned()]
    );

    let ignoring = dir.path().join("ignoring");
    let entry = json!({"case": CASE, "step": "setup[0]", "path": "/body/UserPool/EmailVerificationSubject",
                       "reason": "the stub words the subject differently on purpose"});
    copy_with_ignore(&ignoring, &json!({"ignore": [entry]}));
    let output = run(&[
        "--replay",
        stub.to_str().unwrap(),
        "--verify-recording",
        ignoring.to_str().unwrap(),
        "--exact",
        CASE,
    ]);
    assert!(output.status.success(), "{}", text(&output));
}

#[test]
fn an_ignore_entry_for_a_case_the_recording_lacks_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let entry = json!({"case": "users/no_such_case", "path": "/body", "reason": "a reason"});
    copy_with_ignore(dir.path(), &json!({"ignore": [entry]}));
    let output = run(&[
        "--replay",
        RECORDING,
        "--verify-recording",
        dir.path().to_str().unwrap(),
        "--exact",
        CASE,
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(
        text(&output).contains("the recording has no case \"users/no_such_case\""),
        "{}",
        text(&output)
    );
}
