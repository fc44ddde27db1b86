//! Layer 3: the case language. Case types, where case files come from, loading with located errors,
//! `${var}` templates and the client-side functions they call (SRP, TOTP, SECRET_HASH, devices),
//! body patterns (parsed at load) and matching them, the suite index for one-case processes, and
//! coverage of the model.

pub mod case;
pub mod case_source;
pub mod coverage;
pub mod error;
pub mod functions;
pub mod generated;
pub mod load;
pub mod matcher;
pub mod pattern;
pub mod region;
pub mod select;
pub mod side_effects;
pub mod template;
