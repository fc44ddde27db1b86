//! `cognito-contract matrix`: the conformance matrix page from JSON reports.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::report::matrix::write;
use crate::report::write_atomically;
use crate::suite::EXIT_HARNESS_ERROR;

/// `cognito-contract matrix`: writes the page (and, given `markdown`, the table by area) and says
/// what it holds; exit status 2 when a report cannot be read or a file cannot be written.
pub(super) fn command(reports: &[PathBuf], output: &Path, markdown: Option<&Path>) -> ExitCode {
    let written = write(reports, output).and_then(|matrix| {
        if let Some(path) = markdown {
            write_atomically(path, &matrix.to_markdown())?;
            println!(
                "wrote {}: {} areas",
                path.display(),
                matrix.area_outcomes.len()
            );
        }
        Ok(matrix)
    });
    match written {
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
