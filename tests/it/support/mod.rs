//! What the tests share: [`aws_like`], a local stand-in for the Cognito endpoint that checks
//! SigV4 as AWS does and scripts faults; [`managed`], plain calls to a managed emulator and the
//! checks that its process is gone; [`files`], the fixture files under `tests/it/fixtures/` and
//! case directories written for a run; [`output`], running the binary and reading what it
//! printed; [`replies`], scripted replies for wiremock targets.

pub mod aws_like;
pub mod files;
pub mod managed;
pub mod output;
pub mod replies;

pub use aws_like::*;
