//! Layer 1, needs nothing of the crate: the cache under `target/`, the schemas and cases built into
//! the binary, interrupts, the environment, secret masking and randomness.

pub mod bundled;
pub mod cache;
pub mod env;
pub mod interrupt;
pub mod random;
pub mod secrets;
pub mod text;
