//! A Markdown summary of a [`RunReport`], made for a CI job summary page (GitHub's
//! `$GITHUB_STEP_SUMMARY`): the verdict and totals first, then the harness errors and every
//! failure with their messages, the unexpected passes, stale expectations, the setup and
//! teardown divergences (each once, with its count of cases), intermittent cases, and the passes
//! with waivers and expected failures folded away. Long messages are cut so the page stays well under the size CI pages accept.

use crate::report::divergences;
use crate::report::json::{CaseResult, Outcome, RunReport};

/// Longest message shown per failing case, in characters.
const MESSAGE_LIMIT: usize = 4000;
/// Most failing cases shown with their messages; the rest are listed by id.
const DETAILED_FAILURES: usize = 100;

/// Escapes text for a Markdown table cell or a line of prose (never at the start of a line):
/// no table breaks, HTML, emphasis, code spans or links.
fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous = ' ';
    for c in text.chars() {
        match c {
            '|' | '*' | '`' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '(' if previous == ']' => out.push_str("\\("),
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
        previous = c;
    }
    out
}

/// `text` as inline code, with a fence longer than any backtick run inside it.
fn code(text: &str) -> String {
    let longest = longest_backtick_run(text);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn longest_backtick_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// A fenced block holding `text` verbatim.
fn block(text: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(text).max(2) + 1);
    let mut shown: String = text.chars().take(MESSAGE_LIMIT).collect();
    if shown.len() < text.len() {
        shown.push_str("\n… (cut; the JSON report has the whole message)");
    }
    format!("{fence}text\n{shown}\n{fence}\n")
}

fn list_case(out: &mut String, case: &CaseResult, detail: &str) {
    if detail.is_empty() {
        out.push_str(&format!("- {}\n", code(&case.id)));
    } else {
        out.push_str(&format!("- {} {}\n", code(&case.id), inline(detail)));
    }
}

/// A section listing the cases of `run` with `outcome`, each with its message: `title (n)`,
/// then `intro`.
fn detailed(out: &mut String, run: &RunReport, outcome: Outcome, title: &str, intro: &str) {
    let cases: Vec<&CaseResult> = run.cases.iter().filter(|c| c.outcome == outcome).collect();
    if cases.is_empty() {
        return;
    }
    out.push_str(&format!("### {title} ({})\n\n{intro}", cases.len()));
    for case in cases.iter().take(DETAILED_FAILURES) {
        let step = case
            .failing_step
            .as_deref()
            .map(|s| format!(" at {}", code(s)))
            .unwrap_or_default();
        out.push_str(&format!(
            "#### {}{step}\n\n{}\n\n",
            code(&case.id),
            inline(&case.description)
        ));
        out.push_str(&block(case.message.as_deref().unwrap_or("")));
        out.push('\n');
    }
    if cases.len() > DETAILED_FAILURES {
        out.push_str(&format!(
            "Further {} (messages in the JSON report):\n\n",
            title.to_lowercase()
        ));
        for case in &cases[DETAILED_FAILURES..] {
            list_case(out, case, "");
        }
        out.push('\n');
    }
}

/// Expected failures sharing a reason with more cases than this are listed as one line (the
/// generated validation cases share one reason per target, thousands of times over).
const GROUPED_FROM: usize = 6;
/// Ids named in a grouped line.
const GROUP_EXAMPLES: usize = 3;

/// The expected failures with their reasons, many cases of one reason on one line.
fn list_expected(out: &mut String, expected: &[&CaseResult]) {
    let mut groups: Vec<(String, Vec<&CaseResult>)> = Vec::new();
    for case in expected {
        let reason = case.reasons.join("; ");
        match groups.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, cases)) => cases.push(case),
            None => groups.push((reason, vec![case])),
        }
    }
    for (reason, cases) in groups {
        if cases.len() < GROUPED_FROM {
            for case in cases {
                list_case(out, case, &format!("— {reason}"));
            }
            continue;
        }
        let examples: Vec<String> = cases
            .iter()
            .take(GROUP_EXAMPLES)
            .map(|c| code(&c.id))
            .collect();
        out.push_str(&format!(
            "- {} cases ({}, and {} more) {}\n",
            cases.len(),
            examples.join(", "),
            cases.len() - examples.len(),
            inline(&format!("— {reason}"))
        ));
    }
}

/// The Markdown summary of `run`.
pub fn render(run: &RunReport) -> String {
    let mut out = heading(run);
    detailed(
        &mut out,
        run,
        Outcome::Error,
        "Harness errors",
        "The harness went wrong in these cases (no expectation covers that), so they say \
         nothing about the target:\n\n",
    );
    detailed(&mut out, run, Outcome::Fail, "Failures", "");
    unexpected_passes(&mut out, run);
    stale(&mut out, run);
    setup_divergences(&mut out, run);
    intermittent(&mut out, run);
    folded(
        &mut out,
        run,
        Outcome::PassedWithWaivers,
        "Passed with waivers",
    );
    let expected: Vec<&CaseResult> = run
        .cases
        .iter()
        .filter(|c| c.outcome == Outcome::ExpectedFailure)
        .collect();
    if !expected.is_empty() {
        out.push_str(&format!(
            "<details><summary>Expected failures ({})</summary>\n\n",
            expected.len()
        ));
        list_expected(&mut out, &expected);
        out.push_str("\n</details>\n");
    }
    out
}

/// The title with the verdict, the totals table, how many cases reached their steps, and the
/// run's target and versions.
fn heading(run: &RunReport) -> String {
    let t = &run.totals;
    let failing = t.failing() + run.stale_expectations.len();
    let verdict = if failing == 0 {
        "✅ as expected"
    } else {
        "❌ unexpected results"
    };
    let mut out = format!(
        "## Cognito contract: {} — {verdict}\n\n",
        inline(run.target_label())
    );
    out.push_str(&format!(
        "| passed | passed with waivers | failed | expected failures | unexpected passes | intermittent | errors | not run |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|\n\
         | {} | {} | {} | {} | {} | {} | {} | {} |\n\n",
        t.passed,
        t.passed_with_waivers,
        t.failed,
        t.expected_failures,
        t.unexpected_passes,
        t.intermittent,
        t.errors,
        t.not_run
    ));
    out.push_str(&format!(
        "{} of {} cases reached their steps (their setup did not end them).\n\n",
        t.reached_steps, t.cases
    ));
    out.push_str(&format!(
        "Target {} at {} ({}); model botocore {} (API {}); {} {}; started {}.\n\n",
        code(run.target.as_deref().unwrap_or("(unnamed)")),
        code(&run.endpoint),
        inline(&run.region),
        inline(run.model.botocore.as_deref().unwrap_or("unknown")),
        inline(&run.model.api_version),
        inline(&run.harness.name),
        inline(&run.harness.version),
        inline(&run.started_at),
    ));
    out
}

fn unexpected_passes(out: &mut String, run: &RunReport) {
    let unexpected: Vec<&CaseResult> = run
        .cases
        .iter()
        .filter(|c| c.outcome == Outcome::UnexpectedPass)
        .collect();
    if unexpected.is_empty() {
        return;
    }
    out.push_str(&format!(
        "### Unexpected passes ({})\n\nThe expectations say these fail, and they did not \
         fail that way: if the target was fixed, drop the entries \
         (`cognito-contract expectations update`).\n\n",
        unexpected.len()
    ));
    for case in unexpected {
        list_case(
            out,
            case,
            &format!("— listed as: {}", case.reasons.join("; ")),
        );
    }
    out.push('\n');
}

fn stale(out: &mut String, run: &RunReport) {
    if run.stale_expectations.is_empty() {
        return;
    }
    out.push_str(&format!(
        "### Stale expectations ({})\n\nThese waivers covered no failure in a complete \
         run:\n\n",
        run.stale_expectations.len()
    ));
    for entry in &run.stale_expectations {
        out.push_str(&format!(
            "- {} check {} — {}\n",
            code(&entry.case),
            code(entry.check.map_or("-", |c| c.name())),
            inline(&entry.reason)
        ));
    }
    out.push('\n');
}

/// The setup and teardown divergences, each once with its count of cases (the first
/// [`divergences::LISTED`], the rest counted).
fn setup_divergences(out: &mut String, run: &RunReport) {
    let all = &run.setup_divergences;
    if all.is_empty() {
        return;
    }
    out.push_str(&format!(
        "### Setup and teardown divergences ({})\n\nFailures in setup and teardown replies \
         that did not end their cases, each once:\n\n\
         | where | check | at | cases | example |\n|---|---|---|---:|---|\n",
        all.len()
    ));
    for d in all.iter().take(divergences::LISTED) {
        out.push_str(&format!(
            "| {} {} | {} | {} | {}{} | {}: {} |\n",
            inline(&d.section),
            code(&d.operation),
            code(d.check.name()),
            d.at.as_deref().map(code).unwrap_or_default(),
            d.cases,
            inline(&divergences::covered(d)),
            code(&d.example_case),
            inline(&d.example)
        ));
    }
    if all.len() > divergences::LISTED {
        out.push_str(&format!(
            "\n… and {} more (the JSON report lists every one).\n",
            all.len() - divergences::LISTED
        ));
    }
    out.push('\n');
}

fn intermittent(out: &mut String, run: &RunReport) {
    let intermittent: Vec<&CaseResult> = run
        .cases
        .iter()
        .filter(|c| c.outcome == Outcome::Intermittent)
        .collect();
    if intermittent.is_empty() {
        return;
    }
    out.push_str(&format!("### Intermittent ({})\n\n", intermittent.len()));
    for case in intermittent {
        let failed = case.steps.iter().any(|s| !s.failures.is_empty());
        list_case(
            out,
            case,
            &format!(
                "— {} this time: {}",
                if failed { "failed" } else { "passed" },
                case.reasons.join("; ")
            ),
        );
    }
    out.push('\n');
}

/// The cases with `outcome`, with their expectations' reasons, folded away under `title`.
fn folded(out: &mut String, run: &RunReport, outcome: Outcome, title: &str) {
    let cases: Vec<&CaseResult> = run.cases.iter().filter(|c| c.outcome == outcome).collect();
    if cases.is_empty() {
        return;
    }
    out.push_str(&format!(
        "<details><summary>{title} ({})</summary>\n\n",
        cases.len()
    ));
    for case in cases {
        list_case(out, case, &format!("— {}", case.reasons.join("; ")));
    }
    out.push_str("\n</details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected_failure(id: &str, reason: &str) -> CaseResult {
        CaseResult {
            id: id.into(),
            area: id.split('/').next().unwrap_or(id).into(),
            file: String::new(),
            description: String::new(),
            tags: Vec::new(),
            operations: Vec::new(),
            outcome: Outcome::ExpectedFailure,
            duration_ms: 0.0,
            reasons: vec![reason.into()],
            message: None,
            failing_step: None,
            evidence: Vec::new(),
            steps: Vec::new(),
        }
    }

    #[test]
    fn many_expected_failures_of_one_reason_take_one_line() {
        let mut cases = vec![expected_failure("users/a", "one reason")];
        cases.extend(
            (0..2714).map(|i| expected_failure(&format!("generated/Op/M{i}/type"), "shared")),
        );
        let refs: Vec<&CaseResult> = cases.iter().collect();
        let mut out = String::new();
        list_expected(&mut out, &refs);
        assert_eq!(
            out,
            "- `users/a` — one reason\n\
             - 2714 cases (`generated/Op/M0/type`, `generated/Op/M1/type`, `generated/Op/M2/type`, \
             and 2711 more) — shared\n"
        );
    }

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`x"), "`` `x ``");
        assert!(block("x ``` y").starts_with("````text\n"));
    }

    #[test]
    fn inline_text_cannot_break_a_table_or_open_html() {
        assert_eq!(inline("a|b <c>\nd"), "a\\|b \\<c\\> d");
        assert_eq!(inline("[x](y) steps[0] a_b"), "[x]\\(y) steps[0] a_b");
    }
}
