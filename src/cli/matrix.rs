//! `cognito-contract matrix`: the conformance matrix page from JSON reports.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::report::matrix::write;
use crate::suite::EXIT_HARNESS_ERROR;

/// `cognito-contract matrix`: writes the page and says what it holds; exit status 2 when a
/// report cannot be read.
pub(super) fn command(reports: &[PathBuf], output: &std::path::Path) -> ExitCode {
    match write(reports, output) {
        Ok(matrix) => {
            let rows: usize = matrix.areas.iter().map(|a| a.rows.len()).sum();
            let columns: Vec<&str> = matrix.columns.iter().map(|c| c.key.as_str()).collect();
            println!(
                "wrote {}: {rows} operations in {} areas, targets {}",
                output.display(),
                matrix.areas.len(),
                columns.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(EXIT_HARNESS_ERROR)
        }
    }
}
