//! Error type shared by the Cognito authentication computations.
//!
//! Messages never contain secret material (passwords, SRP private values,
//! device passwords, TOTP secrets or codes): they name the field that was
//! wrong, not its value.

use std::fmt;

/// Everything that can go wrong while computing a Cognito challenge answer.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// A challenge parameter was absent from the `ChallengeParameters` map.
    MissingParameter(&'static str),
    /// A value that must be hexadecimal (`SRP_A`, `SRP_B`, `SALT`) was not.
    InvalidHex(&'static str),
    /// A value that must be standard base64 (`SECRET_BLOCK`, a signature,
    /// a verifier or salt) was not.
    InvalidBase64(&'static str),
    /// A pool id without the `region_name` shape (`us-east-1_AbCdEf123`).
    InvalidPoolId,
    /// The server's `B` is `0 mod N` (SRP-6a safety check).
    IllegalServerB,
    /// The client's `A` is `0 mod N` (SRP-6a safety check).
    IllegalClientA,
    /// `u = H(pad(A) || pad(B))` came out as zero.
    IllegalU,
    /// The operating system's random source failed.
    Randomness,
    /// The TOTP secret is not valid unpadded base32, or is too short
    /// (RFC 4226 requires at least 128 bits).
    InvalidTotpSecret,
    /// A timestamp could not be represented or formatted.
    InvalidTime,
    /// The fake server refused a challenge answer; the text says which check failed.
    Rejected(&'static str),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingParameter(name) => write!(f, "missing challenge parameter {name}"),
            Self::InvalidHex(name) => write!(f, "{name} is not valid hexadecimal"),
            Self::InvalidBase64(name) => write!(f, "{name} is not valid base64"),
            Self::InvalidPoolId => f.write_str("user pool id must look like `region_Name`"),
            Self::IllegalServerB => f.write_str("illegal SRP parameter: B mod N is 0"),
            Self::IllegalClientA => f.write_str("illegal SRP parameter: A mod N is 0"),
            Self::IllegalU => f.write_str("illegal SRP parameter: u is 0"),
            Self::Randomness => f.write_str("the system random source failed"),
            Self::InvalidTotpSecret => {
                f.write_str("TOTP secret is not base32 of at least 128 bits")
            }
            Self::InvalidTime => f.write_str("timestamp out of range"),
            Self::Rejected(why) => write!(f, "challenge answer rejected: {why}"),
        }
    }
}

impl std::error::Error for AuthError {}
