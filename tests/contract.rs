//! The bundled contract suite as a `cargo test` target: every case file under `cases/` becomes a
//! test, run against a moto server started for the run, or against the endpoint named by
//! `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` / `AWS_ENDPOINT_URL` (target name from
//! `COGNITO_CONTRACT_TARGET`). Takes the usual libtest flags: filters, `--exact`, `--list`,
//! `--test-threads`, `--format`.

#![warn(clippy::too_many_lines)]

fn main() -> std::process::ExitCode {
    cognito_contract::Suite::from_env().run()
}
