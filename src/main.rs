//! The `cognito-contract` binary: parses the arguments and hands them to [`cognito_contract::cli`].
//!
//! It allocates with mimalloc: a checked step allocates many small values (the rendered request,
//! the parsed reply, the step's record), and under `bench` glibc's allocator took a quarter of
//! the process's time (a step went from 59.6 µs to 40–46 µs with mimalloc, nothing else changed).

#![warn(clippy::too_many_lines)]

use clap::Parser;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cognito_contract::cli::run(cognito_contract::cli::Cli::parse())
}
