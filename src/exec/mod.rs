//! Layer 7: running one case: steps, pagination, `http_get`, teardown, reply checks, and the
//! failures and records the reporters receive.

pub mod check;
pub mod error;
pub mod failure;
pub mod runner;
