//! The `cognito-contract` binary: parses the arguments and hands them to [`cognito_contract::cli`].
//!
//! It allocates with mimalloc: a checked step allocates many small values (the rendered request,
//! the parsed reply, the step's record), and `bench` measured glibc's allocator at about a third
//! of a step's cost over a raw client.

#![warn(clippy::too_many_lines)]

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cognito_contract::cli::run(cognito_contract::cli::Cli::parse())
}
