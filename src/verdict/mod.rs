//! Layer 8: a target's expectations and the verdict of a case.

pub mod expectations;
