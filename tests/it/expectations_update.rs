//! `cognito-contract expectations update` against real runs: from a target with no expectations
//! file, a run fails; the update writes an entry per failing step with a placeholder reason and
//! says so (exit 1); the placeholder keeps the file from loading (exit 2) until reasons are
//! written; then the same run passes. An entry claiming a failure that does not happen makes the
//! run fail as an unexpected pass; the update drops it, keeps the written reasons, and the run
//! passes again. Updating again from the same run changes nothing, and keeps an entry for the
//! generated cases the run left out.

use crate::report_fixture::*;
use cognito_contract::verdict::expectations::REASON_PLACEHOLDER;

fn update(cases: &std::path::Path, target: &str, report: &std::path::Path) -> std::process::Output {
    cli(
        &[
            "expectations",
            "update",
            "--target",
            target,
            "--cases",
            cases.to_str().unwrap(),
            report.to_str().unwrap(),
        ],
        &[],
    )
}

#[test]
fn an_update_from_a_run_makes_the_same_run_pass() {
    let (tmp, cases) = case_dir();
    let file = cases.join("expectations/fresh.json");
    let report = tmp.path().join("run.json");

    // No expectations yet: the known moto divergences fail the run.
    let output = run_target(&cases, "fresh", &report, &[]);
    assert_eq!(output.status.code(), Some(101), "{}", shown(&output));
    let first = read_json(&report);
    assert_eq!(first["totals"]["failed"], 3, "{}", shown(&output));

    // The update adds one entry per failing step, each with the placeholder, and flags them.
    let output = update(&cases, "fresh", &report);
    assert_eq!(output.status.code(), Some(1), "{}", shown(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stdout.contains("3 added, 0 removed, 0 kept"), "{stdout}");
    assert!(stderr.contains("3 entries"), "{stderr}");
    assert!(stderr.contains("still need a reason"), "{stderr}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text.matches(REASON_PLACEHOLDER).count(), 3, "{text}");
    for step in [
        r#"{"case": "pools/describe_unknown", "step": "steps[0]""#,
        r#"{"case": "pools/min_length_too_small", "step": "steps[0]""#,
        r#"{"case": "users/admin_create_user_duplicate", "step": "steps[0]""#,
    ] {
        assert!(text.contains(step), "{step} in\n{text}");
    }

    // Placeholders cannot be run (or committed) silently.
    let output = run_target(&cases, "fresh", &report, &[]);
    assert_eq!(output.status.code(), Some(2), "{}", shown(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("placeholder"));

    // With reasons written, the same run passes.
    let reasons = [
        "moto answers a missing pool with Content-Type: application/json",
        "moto does not enforce MinimumLength >= 6 and creates the pool",
        "moto answers a taken username with Content-Type: application/json",
    ];
    let mut text = text;
    for reason in reasons {
        text = text.replacen(REASON_PLACEHOLDER, reason, 1);
    }
    std::fs::write(&file, &text).unwrap();
    let output = run_target(&cases, "fresh", &report, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
    assert_eq!(read_json(&report)["totals"]["expected_failures"], 3);

    // Updating from a run that matches changes nothing.
    let output = update(&cases, "fresh", &report);
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text);

    // An entry for the generated cases, which this run left out, is kept as it is.
    let generated = r#"    {"case": "generated/**", "check": "content_type", "reason": "the target answers validation errors with application/json"}"#;
    let with_generated = text.replacen(
        "  \"expected_failures\": [\n",
        &format!("  \"expected_failures\": [\n{generated},\n\n"),
        1,
    );
    std::fs::write(&file, &with_generated).unwrap();
    let output = update(&cases, "fresh", &report);
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), with_generated);
    std::fs::write(&file, &text).unwrap();

    // An entry claiming a failure that does not happen: an unexpected pass...
    let claimed = r#"    {"case": "groups/create_group", "step": "steps[0]", "reason": "claims CreateGroup fails, which it does not"},"#;
    let with_claim = text.replacen(
        "  \"expected_failures\": [\n",
        &format!("  \"expected_failures\": [\n{claimed}\n\n"),
        1,
    );
    std::fs::write(&file, &with_claim).unwrap();
    let output = run_target(&cases, "fresh", &report, &[]);
    assert_eq!(output.status.code(), Some(101), "{}", shown(&output));
    assert_eq!(read_json(&report)["totals"]["unexpected_passes"], 1);

    // ...which the update removes, keeping every reason written before.
    let output = update(&cases, "fresh", &report);
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("removed groups/create_group steps[0]: passes now"),
        "{stdout}"
    );
    let updated = std::fs::read_to_string(&file).unwrap();
    assert_eq!(updated, text);
    for reason in reasons {
        assert!(updated.contains(reason));
    }
    let output = run_target(&cases, "fresh", &report, &[]);
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
}

#[test]
fn a_report_of_another_target_or_format_is_refused() {
    let (tmp, cases) = case_dir();
    let report = tmp.path().join("a.json");
    let output = run_target(&cases, "gate-a", &report, &["pools/describe_unknown"]);
    assert_eq!(output.status.code(), Some(0), "{}", shown(&output));
    let output = update(&cases, "gate-b", &report);
    assert_eq!(output.status.code(), Some(2), "{}", shown(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not \"gate-b\""));

    let junk = tmp.path().join("junk.json");
    std::fs::write(&junk, r#"{"cases": []}"#).unwrap();
    let output = update(&cases, "gate-a", &junk);
    assert_eq!(output.status.code(), Some(2), "{}", shown(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cognito-contract-report"));
}
