//! Layer 5: emulators the harness provisions and starts itself: moto, on a free loopback port,
//! stopped with the harness ([`process`] holds what a managed emulator process needs).

pub mod moto;
pub mod process;
