//! Layer 7: running one case: steps, pagination, `http_get`, teardown, reply checks, and the
//! failures (the target's), harness errors (the harness's own) and records the reporters
//! receive.

pub mod check;
pub mod error;
pub mod eventually;
pub mod failure;
pub mod observe;
pub mod runner;
