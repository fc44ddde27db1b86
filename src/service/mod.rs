//! Layer 2: facts about Cognito and awsJson1_1. The pinned botocore model, the schema generator and
//! the schemas at run time, how error codes are read, JWTs, and what a client computes to sign in
//! (SRP, device verifiers, TOTP, SECRET_HASH).

pub mod cognito_auth;
pub mod error_code;
pub mod jwt;
pub mod model;
pub mod schemagen;
pub mod schemas;
