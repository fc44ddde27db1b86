//! Layer 8: a target's expectations, the verdict of a case, and the outcomes reports name.

pub mod expectations;
pub mod outcome;
