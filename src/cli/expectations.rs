//! `cognito-contract expectations update` and `init`: rewrite a target's expectations file from
//! run reports, or write a first one, and say what changed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::report::init::{RULE_FROM, init_file};
use crate::report::update::update_file;
use crate::suite::EXIT_HARNESS_ERROR;
use crate::verdict::expectations::REASON_PLACEHOLDER;

use super::{ExpectationsCommand, checkout_cases, fail};

/// `cognito-contract expectations ...`: the file is `expectations/<target>.json` of `--cases
/// DIR`, else of the checkout's `cases/`.
pub(super) fn command(command: ExpectationsCommand) -> ExitCode {
    let (cases, target, reports) = match &command {
        ExpectationsCommand::Update {
            cases,
            target,
            reports,
            ..
        }
        | ExpectationsCommand::Init {
            cases,
            target,
            reports,
        } => (cases.clone(), target, reports),
    };
    let Some(cases) = cases.or_else(checkout_cases) else {
        return fail(
            "no case directory: give --cases DIR (the folder whose expectations/ holds the \
             file), or run from a checkout with a cases/ folder",
        );
    };
    match &command {
        ExpectationsCommand::Update { reason, .. } => {
            update(&cases, target, reports, reason.as_deref())
        }
        ExpectationsCommand::Init { .. } => init(&cases, target, reports),
    }
}

/// `cognito-contract expectations update`: updates the file and says what changed. Exit status
/// 0 when the file is ready, 1 when entries still carry the placeholder reason (the file is
/// written, but will not load until they say why), 2 on errors.
pub(super) fn update(
    cases_dir: &Path,
    target: &str,
    reports: &[PathBuf],
    reason: Option<&str>,
) -> ExitCode {
    let (path, update) = match update_file(cases_dir, target, reports, reason) {
        Ok(done) => done,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_HARNESS_ERROR);
        }
    };
    println!(
        "{}: {} added, {} removed, {} kept",
        path.display(),
        update.added.len(),
        update.removed.len(),
        update.kept
    );
    for item in &update.added {
        println!("  added   {}", item.describe());
    }
    for (item, why) in &update.removed {
        println!(
            "  removed {}: {why} (reason was: {})",
            item.describe(),
            item.reason
        );
    }
    if update.placeholders.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "{} entr{} in {} still need a reason: replace {REASON_PLACEHOLDER:?} with why {target} \
         fails there (the file does not load until then):",
        update.placeholders.len(),
        if update.placeholders.len() == 1 {
            "y"
        } else {
            "ies"
        },
        path.display()
    );
    for item in &update.placeholders {
        eprintln!("  {}", item.describe());
    }
    ExitCode::FAILURE
}

/// `cognito-contract expectations init`: writes a first file and lists its rules and entries.
/// Exit status 1 when it is written (every reason is a placeholder to replace), 2 on errors.
pub(super) fn init(cases_dir: &Path, target: &str, reports: &[PathBuf]) -> ExitCode {
    let (path, init) = match init_file(cases_dir, target, reports) {
        Ok(done) => done,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_HARNESS_ERROR);
        }
    };
    println!(
        "{}: {} rules (failures shared by {RULE_FROM} or more cases), {} per-case entries",
        path.display(),
        init.rules.len(),
        init.entries.len()
    );
    for (item, cases) in &init.rules {
        println!("  rule    {} ({cases} cases)", item.describe());
    }
    for item in &init.entries {
        println!("  entry   {}", item.describe());
    }
    eprintln!(
        "every reason in {} is a TODO: replace each with why {target} fails there (the file \
         does not load until then)",
        path.display()
    );
    ExitCode::FAILURE
}
