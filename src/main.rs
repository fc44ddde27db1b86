//! The `cognito-contract` binary: parses the arguments and hands them to [`cognito_contract::cli`].

use clap::Parser;

fn main() -> std::process::ExitCode {
    cognito_contract::cli::run(cognito_contract::cli::Cli::parse())
}
