//! cognito-contract: a contract-testing harness for the Amazon Cognito Identity Provider API
//! (`cognito-idp`, awsJson1_1).
//!
//! Data flows one way: [`load`] reads case files into [`case`] values, [`template`] renders each
//! step's request, [`client`] sends it, [`check`] compares the reply with what the case and the
//! [`schemas`] expect (producing [`failure::Failure`]s), [`runner`] drives a case (keeping
//! captured values) into a [`runner::CaseReport`], [`expectations`] turns that into a verdict for
//! the target, [`report`] tells people, and [`suite`] makes a directory of cases into
//! libtest-mimic trials.
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

pub mod aws;
pub mod bundled;
pub mod cache;
pub mod case;
pub mod case_source;
pub mod check;
pub mod client;
pub mod coverage;
pub mod credentials;
pub mod error_code;
pub mod expectations;
pub mod failure;
pub mod interrupt;
pub mod jwt;
pub mod load;
pub mod matcher;
pub mod matrix;
pub mod model;
pub mod moto;
pub mod report;
pub mod retry;
pub mod runner;
pub mod schemagen;
pub mod schemas;
pub mod secrets;
pub mod select;
pub mod sigv4;
pub mod suite;
pub mod sweep;
pub mod template;

pub use suite::Suite;
