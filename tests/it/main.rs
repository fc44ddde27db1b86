//! The harness's own tests, as one test binary (linking the crate once rather than once per
//! file): each module is the tests of one part, named for it, so `cargo test --test it
//! signing::` runs those of `signing.rs`. Helpers shared between modules are in [`support`]; the
//! fixture cases of the report, matrix, expectations and nextest tests in [`report_fixture`].
//! The two `harness = false` targets, `tests/contract.rs` and `tests/as_dependency.rs`, stay
//! binaries of their own.
//!
//! All of these run in one process: a test that changes process-wide state (environment
//! variables, the current directory, signal handlers, the global schema store) must not, or must
//! do it in a child process it starts itself.

#![warn(clippy::too_many_lines)]

mod report_fixture;
mod support;

mod aws_safety;
mod broken_replies;
mod cleanup;
mod cli;
mod cognito_local;
mod connections;
mod coverage;
mod documented_examples;
mod error_codes;
mod eventually;
mod expectations_update;
mod fuzz;
mod generated;
mod going_on;
mod harness_errors;
mod layering;
mod loading;
mod main_job;
mod matrix_browser;
mod misbehaving_targets;
mod modules;
mod moto_server;
mod nextest;
mod package;
mod pagination;
mod pagination_only;
mod readme_layout;
mod recording;
mod reports;
mod schemas_generated;
mod secrets;
mod side_effects;
mod signing;
mod srp_flow;
mod stub_emulator;
mod teardown;
mod throttling;
