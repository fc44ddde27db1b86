//! `cognito-contract expectations update`: rewrites a target's expectations file from run
//! reports and says what changed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::report::update::update_file;
use crate::suite::EXIT_HARNESS_ERROR;
use crate::verdict::expectations::REASON_PLACEHOLDER;

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
