//! Layer 5: emulators the harness provisions and starts itself.

pub mod moto;
