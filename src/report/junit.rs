//! JUnit XML from a [`RunReport`], with the quick-junit crate: one `<testsuite>` for the target,
//! one `<testcase>` per case that ran (classname = its area, name = its id, time = its duration).
//! A case that fails the run is a `<failure>` whose message names the failing step and whose text
//! holds every unexpected failure; an unexpected pass is a `<failure>` of type `unexpected_pass`.
//! A case with a harness error is an `<error>` (not a `<failure>`: it says nothing about the
//! target) whose type is the error's kind (`panic`, `interrupted`, ...) and whose message names
//! the step.
//! A case that passed with waivers is a success with a `waivers` property and a `<system-out>`
//! naming the waivers (glob check-waivers) that covered its failures.
//! Expected failures and intermittent cases are `<skipped>` with the expectations' reasons, so CI
//! dashboards count them apart from passes. The run's target, endpoint, region, model and harness
//! versions are suite properties.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use crate::report::json::{CaseResult, Outcome, RunReport};

fn duration(ms: f64) -> Duration {
    Duration::from_secs_f64((ms / 1000.0).max(0.0))
}

/// The first line of a message, for the `message` attribute (the text holds the rest).
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn status(case: &CaseResult) -> TestCaseStatus {
    match case.outcome {
        Outcome::Pass | Outcome::PassedWithWaivers | Outcome::Skipped => TestCaseStatus::success(),
        Outcome::Fail => {
            let message = case.message.clone().unwrap_or_default();
            let check = case
                .steps
                .iter()
                .flat_map(|s| &s.failures)
                .find(|f| !f.expected)
                .map(|f| f.check.name().to_owned())
                .unwrap_or_else(|| "fail".to_owned());
            let summary = match &case.failing_step {
                Some(step) => format!("{step}: {}", strip_location(first_line(&message))),
                None => first_line(&message).to_owned(),
            };
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(summary)
                .set_type(check)
                .set_description(message);
            status
        }
        Outcome::Error => {
            let message = case.message.clone().unwrap_or_default();
            let kind = case
                .steps
                .iter()
                .find_map(|s| s.error.as_ref())
                .map(|e| e.kind.clone())
                .unwrap_or_else(|| "error".to_owned());
            let summary = match &case.failing_step {
                Some(step) => format!("{step}: {}", strip_location(first_line(&message))),
                None => first_line(&message).to_owned(),
            };
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            status
                .set_message(summary)
                .set_type(kind)
                .set_description(message);
            status
        }
        Outcome::UnexpectedPass => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status
                .set_message(case.message.clone().unwrap_or_default())
                .set_type(Outcome::UnexpectedPass.name());
            status
        }
        Outcome::ExpectedFailure | Outcome::Intermittent => {
            let kind = case.outcome.name();
            let mut status = TestCaseStatus::skipped();
            status
                .set_message(format!(
                    "{}: {}",
                    kind.replace('_', " "),
                    case.reasons.join("; ")
                ))
                .set_type(kind);
            status
        }
    }
}

/// `cases/a/b.json: steps[0] Op: [check] text` without the file and step (the summary names the
/// step itself): `[check] text`.
fn strip_location(line: &str) -> &str {
    line.find(": [")
        .and_then(|i| line[i..].find('[').map(|j| &line[i + j..]))
        .unwrap_or(line)
}

/// The JUnit XML for `run`.
pub fn render(run: &RunReport) -> Result<String, String> {
    let label = run.target_label();
    let mut report = Report::new(format!("cognito-contract {label}"));
    let mut suite = TestSuite::new(format!("cognito-contract {label}"));
    let mut properties = vec![
        Property::new("target", run.target.as_deref().unwrap_or("")),
        Property::new("endpoint", run.endpoint.as_str()),
        Property::new("region", run.region.as_str()),
        Property::new(
            "model.botocore",
            run.model.botocore.as_deref().unwrap_or("unknown"),
        ),
        Property::new("model.api_version", run.model.api_version.as_str()),
        Property::new(
            "harness",
            format!("{} {}", run.harness.name, run.harness.version),
        ),
        Property::new("run_id", run.run_id.as_str()),
        Property::new("started_at", run.started_at.as_str()),
    ];
    if !run.not_run.is_empty() {
        properties.push(Property::new("not_run", run.not_run.len().to_string()));
    }
    suite.add_properties(properties);
    let mut total = 0.0;
    for case in &run.cases {
        total += case.duration_ms;
        let mut test_case = TestCase::new(case.id.as_str(), status(case));
        test_case
            .set_classname(case.area.as_str())
            .set_time(duration(case.duration_ms));
        if let Some(step) = &case.failing_step {
            test_case.add_property(Property::new("failing_step", step.as_str()));
        }
        if case.outcome == Outcome::PassedWithWaivers {
            let waivers = case.reasons.join("; ");
            test_case.add_property(Property::new("waivers", waivers.as_str()));
            test_case.set_system_out(format!("passed with waivers: {waivers}"));
        }
        suite.add_test_case(test_case);
    }
    suite.set_time(duration(total));
    report.set_time(duration(total));
    report.add_test_suite(suite);
    report
        .to_string()
        .map_err(|e| format!("cannot write JUnit XML: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_the_step_once() {
        assert_eq!(
            strip_location("cases/a/b.json: steps[0] Op: [status] expected x"),
            "[status] expected x"
        );
        assert_eq!(strip_location("no location"), "no location");
    }
}
