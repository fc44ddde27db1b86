//! Coverage never goes down silently: every operation the baseline says is covered still has a
//! case, and the number of documented (operation, error) pairs exercised does not drop. When
//! coverage grows, `COGNITO_CONTRACT_UPDATE_BASELINE=1 cargo test --test coverage` records it in
//! `tests/data/coverage-baseline.json`.

use std::process::Command;

use cognito_contract::service::schemas::SchemaStore;
use cognito_contract::spec::case_source::CaseSource;
use cognito_contract::spec::coverage::{Coverage, coverage};
use cognito_contract::spec::select::load_all;
use serde::{Deserialize, Serialize};

const BASELINE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/coverage-baseline.json"
);

#[derive(Serialize, Deserialize)]
struct Baseline {
    operations_covered: Vec<String>,
    pairs_exercised: usize,
}

/// Coverage of the bundled cases with the generated validation cases (as `coverage` shows it).
fn bundled() -> Coverage {
    let store = SchemaStore::global();
    let cases = load_all(&CaseSource::Bundled, store, true).unwrap_or_else(|e| panic!("{e}"));
    coverage(&cases, store)
}

#[test]
fn invalid_parameter_is_exercised_for_every_operation_that_documents_it() {
    let now = bundled();
    let documenting: Vec<&String> = now
        .operations
        .iter()
        .filter(|(_, o)| o.documented_errors.iter().any(|e| e == INVALID_PARAMETER))
        .map(|(name, _)| name)
        .collect();
    let missing: Vec<&&String> = documenting
        .iter()
        .filter(|name| {
            !now.operations[name.as_str()]
                .exercised_errors
                .iter()
                .any(|e| e == INVALID_PARAMETER)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{INVALID_PARAMETER} not exercised: {missing:?}"
    );
    println!(
        "{INVALID_PARAMETER} exercised for all {} operations documenting it",
        documenting.len()
    );
    assert!(documenting.len() > 100, "{}", documenting.len());
}

const INVALID_PARAMETER: &str = "InvalidParameterException";

#[test]
fn coverage_does_not_go_down() {
    let now = bundled();
    let covered: Vec<String> = now
        .operations
        .iter()
        .filter(|(_, o)| !o.cases.is_empty())
        .map(|(n, _)| n.clone())
        .collect();
    if cognito_contract::support::env::flag("COGNITO_CONTRACT_UPDATE_BASELINE") {
        let baseline = Baseline {
            operations_covered: covered.clone(),
            pairs_exercised: now.totals.pairs_exercised,
        };
        std::fs::write(
            BASELINE,
            serde_json::to_string_pretty(&baseline).unwrap() + "\n",
        )
        .unwrap();
    }
    let baseline: Baseline =
        serde_json::from_str(&std::fs::read_to_string(BASELINE).expect("the baseline file"))
            .unwrap();
    let lost: Vec<&String> = baseline
        .operations_covered
        .iter()
        .filter(|op| !covered.contains(op))
        .collect();
    assert!(
        lost.is_empty(),
        "operations that lost their last case: {lost:?}"
    );
    assert!(
        now.totals.pairs_exercised >= baseline.pairs_exercised,
        "documented error pairs exercised fell from {} to {}",
        baseline.pairs_exercised,
        now.totals.pairs_exercised
    );
    if covered.len() > baseline.operations_covered.len()
        || now.totals.pairs_exercised > baseline.pairs_exercised
    {
        eprintln!(
            "coverage grew ({} operations, {} pairs): record it with COGNITO_CONTRACT_UPDATE_BASELINE=1",
            covered.len(),
            now.totals.pairs_exercised
        );
    }
}

#[test]
fn totals_add_up() {
    let now = bundled();
    assert_eq!(now.totals.operations, 153);
    assert_eq!(now.totals.documented_pairs, 1313);
    let exercised: usize = now
        .operations
        .values()
        .map(|o| o.exercised_errors.len())
        .sum();
    assert_eq!(exercised, now.totals.pairs_exercised);
    for (name, op) in &now.operations {
        for e in &op.exercised_errors {
            assert!(
                op.documented_errors.contains(e),
                "{name}: {e} is not documented"
            );
        }
    }
}

#[test]
fn the_command_prints_the_same_coverage() {
    let output = Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .args(["coverage", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let printed: Coverage = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed, bundled());

    let output = Command::new(env!("CARGO_BIN_EXE_cognito-contract"))
        .arg("coverage")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let totals = bundled().totals;
    assert!(
        text.contains(&format!(
            "operations covered: {}/153",
            totals.operations_covered
        )),
        "{text}"
    );
}

/// Every bundled case, generated ones included, names its evidence (an AWS page, a public report,
/// a recording, the model, or "unverified"), and `coverage` counts each kind.
#[test]
fn every_bundled_case_names_its_evidence() {
    let store = SchemaStore::global();
    let cases = load_all(&CaseSource::Bundled, store, true).unwrap_or_else(|e| panic!("{e}"));
    let missing: Vec<&str> = cases
        .iter()
        .filter(|c| c.evidence.is_empty())
        .map(|c| c.id.as_str())
        .collect();
    assert!(missing.is_empty(), "cases without evidence: {missing:?}");
    let e = coverage(&cases, store).evidence;
    assert_eq!(e.none, 0);
    assert_eq!(
        e.aws_documentation + e.public_report + e.recording + e.model + e.unverified,
        cases.len()
    );
    assert!(e.aws_documentation > 0 && e.model > 0, "{e:?}");
}
