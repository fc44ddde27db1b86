//! Client-side Amazon Cognito user-pool authentication computations, offline
//! and deterministic where tests need it, plus a verifying fake server. Case
//! templates call these through `crate::spec::functions`.
//!
//! * [`srp`] — SRP-6a as Cognito does it (`USER_SRP_AUTH`, `PASSWORD_VERIFIER`).
//! * [`device`] — remembered devices (`DeviceSecretVerifierConfig`,
//!   `DEVICE_SRP_AUTH`, `DEVICE_PASSWORD_VERIFIER`).
//! * [`totp`] — RFC 6238 codes for software-token MFA.
//! * [`secret_hash`] — `SECRET_HASH` for app clients with a secret.
//! * [`fake_server`] — Cognito's side of SRP, to accept or reject answers in tests.
//!
//! Secret values (never logged here; mask them in callers): passwords, the
//! SRP private value inside [`srp::SrpClient`], device passwords
//! ([`device::RememberedDevice`]), TOTP secrets and codes, client secrets and
//! SECRET_HASH values. Types holding them redact them in `Debug`.
//!
//! All cryptographic primitives come from RustCrypto (`sha2`, `hmac`,
//! `hkdf`), `num-bigint`, `totp-rs` and `getrandom`; only Cognito's glue is
//! written here.

#![forbid(unsafe_code)]

pub mod device;
pub mod error;
pub mod fake_server;
pub mod secret_hash;
pub mod srp;
pub mod totp;

pub use error::AuthError;
