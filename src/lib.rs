//! cognito-contract: a contract-testing harness for the Amazon Cognito Identity Provider API
//! (`cognito-idp`, awsJson1_1).
//!
//! Data flows one way: [`spec::load`] reads case files into [`spec::case`] values,
//! [`spec::template`] renders each step's request, [`http::client`] sends it, [`exec::check`]
//! compares the reply with what the case and the [`service::schemas`] expect (producing
//! [`exec::failure::Failure`]s, the target's; what goes wrong in the harness itself is an
//! [`exec::error::HarnessError`] instead), [`exec::runner`] drives a case (keeping captured
//! values) into a [`exec::runner::CaseReport`], [`verdict::expectations`] turns that into a
//! verdict for the target (an error whatever the expectations say, when the harness failed), [`report`] tells people, and [`suite`] makes a set of cases into libtest-mimic trials.
//! Beside that flow, [`recording`] watches each case's exchanges (through
//! [`exec::observe`]) to record them or compare them with a recording, and can answer from a
//! recording in place of a target.
//! The folders are the layers of that flow, and the code follows it: each layer uses only the
//! layers before it in the list below.
//!
//! To run the bundled suite against your own emulator from a `harness = false` test:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     cognito_contract::Suite::bundled()
//!         .endpoint("http://127.0.0.1:9229")
//!         .target("my-emulator")
//!         .run()
//! }
//! ```

// No function over 80 lines (the threshold is in clippy.toml).
#![warn(clippy::too_many_lines)]

// The layers, lowest first: a layer uses only the layers listed before it (a test,
// `tests/it/layering.rs`, fails on a `crate::` path that goes the other way or closes a cycle).
/// Cache, built-in files, interrupts, secrets, randomness.
pub mod support;

/// Cognito and awsJson1_1: model, schemas, error codes, JWTs, client-side sign-in computations.
pub mod service;

/// The case language: cases, loading, templates, matchers.
pub mod spec;

/// One endpoint: client, retries, pacing, SigV4, credentials, the aws target.
pub mod http;

/// Emulators the harness starts: moto, cognito-local.
pub mod managed;

/// Run prefix, pool tags, pool ledger, deleting pools, sweep.
pub mod account;

/// Running one case into a record of its steps.
pub mod exec;

/// Record a run, verify a target against a recording, replay a recording.
pub mod recording;

/// Expectations and the verdict of a case.
pub mod verdict;

/// The run document, JUnit, Markdown, matrix, expectations update.
pub mod report;

/// A suite as libtest-mimic trials: the run's lifecycle.
pub mod suite;

/// The commands: the only place that prints and picks exit codes.
pub mod cli;

pub use suite::Suite;
