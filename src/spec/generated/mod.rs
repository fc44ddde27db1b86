//! Generated validation cases: one request per input constraint of every operation, each
//! breaking exactly that constraint, with the error and validation message AWS answers with.
//!
//! From the committed operation schemas of a [`SchemaStore`] ([`schema`]) this module derives
//! every input constraint ([`constraints`]) and one request per constraint that breaks it and is
//! valid everywhere else ([`cases`]), built on a valid base request per operation ([`base`]) with
//! strings that satisfy or break string constraints ([`strings`]). [`message`] computes the
//! validation message AWS answers with, and which of its parts no real answer has shown;
//! [`expect`] turns that into what a case checks (the exact text where every part is evidenced,
//! a partial pattern where it is not). [`suite`] makes each generated case an ordinary
//! [`crate::spec::case::Case`] named `generated/<Operation>/<MemberPath>/<keyword>` through the
//! case loader, so every rule of case files applies to it. [`index`] keeps their ids, for
//! listing without generating them.

pub mod base;
pub mod cases;
pub mod constraints;
pub mod expect;
pub mod index;
pub mod message;
pub mod schema;
pub mod strings;
pub mod suite;

use crate::service::schemas::SchemaStore;
use crate::spec::generated::base::BaseError;
use crate::spec::generated::cases::{Generated, generate_all};
use crate::spec::generated::schema::{SchemaError, load_all};

/// The id prefix (the area) of every generated case.
pub const AREA: &str = "generated";

/// Why the cases could not be generated (a schema that does not read, an operation without a
/// valid base request).
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Base(#[from] BaseError),
}

/// The constraints, cases and skipped constraints of every operation of `store`.
pub fn generate(store: &SchemaStore) -> Result<Generated, GenerateError> {
    let operations = load_all(store)?;
    Ok(generate_all(&operations)?)
}
