//! Layer 1, needs nothing of the crate: the cache under `target/`, the schemas and cases built into
//! the binary, interrupts, the environment, a loopback HTTP server for in-process targets, secret
//! masking and randomness.

pub mod bundled;
pub mod cache;
pub mod env;
pub mod interrupt;
pub mod loopback;
pub mod random;
pub mod secrets;
pub mod text;
