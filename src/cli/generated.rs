//! `cognito-contract generated`: what the validation case generator
//! ([`crate::spec::generated`]) finds in the schemas: constraints by keyword, cases generated,
//! constraints skipped by reason, how each case checks its message, and with `--list` every
//! case and every skipped constraint.

use std::collections::BTreeMap;
use std::process::ExitCode;

use crate::service::schemas::SchemaStore;
use crate::spec::generated::cases::Generated;
use crate::spec::generated::constraints::{Keyword, count_by_keyword};
use crate::spec::generated::expect::{MessageCheck, message_check};
use crate::spec::generated::generate;
use crate::spec::generated::schema::Operation;
use crate::suite::EXIT_HARNESS_ERROR;

/// Runs the command.
pub fn command(list: bool) -> ExitCode {
    let store = SchemaStore::global();
    let generated = match generate(store) {
        Ok(generated) => generated,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_HARNESS_ERROR);
        }
    };
    let checks = match message_checks(store, &generated) {
        Ok(checks) => checks,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_HARNESS_ERROR);
        }
    };
    print!("{}", counts(&generated));
    print!("{}", messages(&generated, &checks));
    if list {
        print!("{}", listing(&generated, &checks));
    }
    ExitCode::SUCCESS
}

/// The message check of every case, in case order.
fn message_checks(
    store: &SchemaStore,
    generated: &Generated,
) -> Result<Vec<MessageCheck>, crate::spec::generated::schema::SchemaError> {
    let mut operations: BTreeMap<&str, Operation> = BTreeMap::new();
    let mut checks = Vec::with_capacity(generated.cases.len());
    for case in &generated.cases {
        let name = case.constraint.operation.as_str();
        if !operations.contains_key(name) {
            operations.insert(name, Operation::from_store(store, name)?);
        }
        checks.push(message_check(&operations[name], case));
    }
    Ok(checks)
}

/// Constraints found, generated and skipped, by keyword and by reason.
pub fn counts(generated: &Generated) -> String {
    let found = count_by_keyword(&generated.constraints);
    let made = count_by_keyword(generated.cases.iter().map(|c| &c.constraint));
    let skipped = count_by_keyword(generated.skipped.iter().map(|s| &s.constraint));
    let operations: std::collections::BTreeSet<&str> = generated
        .constraints
        .iter()
        .map(|c| c.operation.as_str())
        .collect();
    let mut out = format!(
        "operations: {}\nconstraints found: {}, generated: {}, skipped: {}\n",
        operations.len(),
        generated.constraints.len(),
        generated.cases.len(),
        generated.skipped.len()
    );
    out.push_str(&format!(
        "{:<14} {:>6} {:>10} {:>8}\n",
        "keyword", "found", "generated", "skipped"
    ));
    for keyword in Keyword::ALL {
        let get = |m: &BTreeMap<Keyword, usize>| m.get(&keyword).copied().unwrap_or(0);
        out.push_str(&format!(
            "{:<14} {:>6} {:>10} {:>8}\n",
            keyword.as_str(),
            get(&found),
            get(&made),
            get(&skipped)
        ));
    }
    out.push_str("skipped by reason:\n");
    for (reason, count) in generated.skipped_by_reason() {
        out.push_str(&format!("  {count:>5}  {}\n", reason.describe()));
    }
    out
}

/// Cases by error and by message check, and the unverified message parts.
fn messages(generated: &Generated, checks: &[MessageCheck]) -> String {
    let mut by_error: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_check: BTreeMap<&str, usize> = BTreeMap::new();
    let mut notes: BTreeMap<&str, usize> = BTreeMap::new();
    for (case, check) in generated.cases.iter().zip(checks) {
        *by_error.entry(case.error.to_string()).or_default() += 1;
        *by_check.entry(check_kind(check)).or_default() += 1;
        for note in &case.notes {
            *notes.entry(note.describe()).or_default() += 1;
        }
    }
    let mut out = String::from("cases by error:\n");
    for (error, count) in by_error {
        out.push_str(&format!("  {count:>5}  {error}\n"));
    }
    out.push_str("message checked as:\n");
    for (kind, count) in by_check {
        out.push_str(&format!("  {count:>5}  {kind}\n"));
    }
    out.push_str("cases with an unverified message part, by part:\n");
    for (note, count) in notes {
        out.push_str(&format!("  {count:>5}  {note}\n"));
    }
    out
}

fn check_kind(check: &MessageCheck) -> &'static str {
    match check {
        MessageCheck::Exact(_) => "exact text (every part evidenced)",
        MessageCheck::Pattern(_) => "pattern (unverified parts left open)",
        MessageCheck::Unchecked => "not checked (code only)",
    }
}

/// Every case (id, error, message check) and every skipped constraint (id, reason).
fn listing(generated: &Generated, checks: &[MessageCheck]) -> String {
    let mut out = String::new();
    for (case, check) in generated.cases.iter().zip(checks) {
        let message = match check {
            MessageCheck::Exact(text) => text.clone(),
            MessageCheck::Pattern(pattern) => format!("$regex {pattern}"),
            MessageCheck::Unchecked => "-".to_owned(),
        };
        out.push_str(&format!("{}\t{}\t{message}\n", case.name, case.error));
    }
    for skipped in &generated.skipped {
        out.push_str(&format!(
            "{}\tSKIPPED\t{}\n",
            skipped.constraint.case_name(),
            skipped.reason.describe()
        ));
    }
    out
}
