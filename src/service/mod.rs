//! Layer 2: facts about Cognito and awsJson1_1. The pinned botocore model, the schema generator and
//! the schemas at run time, how error codes are read, JWTs.

pub mod error_code;
pub mod jwt;
pub mod model;
pub mod schemagen;
pub mod schemas;
