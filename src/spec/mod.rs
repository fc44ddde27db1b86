//! Layer 3: the case language. Case types, where case files come from, loading with located errors,
//! `${var}` templates, body matchers, the suite index for one-case processes, and coverage of the
//! model.

pub mod case;
pub mod case_source;
pub mod coverage;
pub mod error;
pub mod generated;
pub mod load;
pub mod matcher;
pub mod select;
pub mod template;
