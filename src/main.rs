//! The `cognito-contract` binary: parses the arguments and hands them to [`cognito_contract::cli`].

#![warn(clippy::too_many_lines)]

use clap::Parser;

fn main() -> std::process::ExitCode {
    cognito_contract::cli::run(cognito_contract::cli::Cli::parse())
}
