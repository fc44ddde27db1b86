//! TOTP codes (RFC 6238) for Cognito software-token MFA: HMAC-SHA1,
//! 30-second steps, 6 digits, from the base32 `SecretCode` that
//! AssociateSoftwareToken returns (unpadded upper-case RFC 4648 base32).
//!
//! The TOTP algorithm itself is the `totp-rs` crate's; this module only
//! fixes Cognito's parameters, normalises the secret text, and picks which
//! step's code to use.
//!
//! Choosing a code that stays valid: [`safe_code_at`] returns the *next*
//! step's code when fewer than `min_remaining` seconds are left in the
//! current step, so the code does not expire while the request is in
//! flight. That relies on the verifier accepting one step of clock skew
//! (RFC 6238 §5.2 recommends it; Cognito is observed to accept the adjacent
//! step but does not document its window). A caller that must not rely on
//! skew can instead sleep [`seconds_left_in_step`] and call [`code_at`].
//! [`next_code_at`] gives the following step's code, for "a code already used
//! is refused" scenarios.
//!
//! Secrets: the `SecretCode` and every code are secret (a code is a live
//! second factor for up to a minute). Nothing here logs them; callers should
//! mask them too.

use std::time::{SystemTime, UNIX_EPOCH};

use totp_rs::{Algorithm, Builder, Secret, Totp};

use crate::service::cognito_auth::error::AuthError;

/// Seconds per TOTP step.
pub const STEP_SECONDS: u64 = 30;
/// Digits per code.
pub const DIGITS: u8 = 6;
/// Default minimum remaining validity for [`safe_code`].
pub const DEFAULT_MIN_REMAINING_SECONDS: u64 = 5;

/// Build the generator; accepts the secret with or without `=` padding,
/// spaces, or lower case.
fn generator(secret_base32: &str) -> Result<Totp, AuthError> {
    let normalised: String = secret_base32
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let secret = Secret::try_from_base32(&normalised).map_err(|_| AuthError::InvalidTotpSecret)?;
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_step_duration(STEP_SECONDS)
        .with_skew(0)
        .with_secret(secret)
        .build()
        .map_err(|_| AuthError::InvalidTotpSecret)
}

/// The code for the step containing `unix_seconds`. **Secret.**
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Result<String, AuthError> {
    Ok(generator(secret_base32)?.generate(unix_seconds).to_string())
}

/// The code for the step after the one containing `unix_seconds`. **Secret.**
pub fn next_code_at(secret_base32: &str, unix_seconds: u64) -> Result<String, AuthError> {
    let next = unix_seconds
        .checked_add(STEP_SECONDS)
        .ok_or(AuthError::InvalidTime)?;
    code_at(secret_base32, next)
}

/// Seconds until the step containing `unix_seconds` ends (1..=30).
pub fn seconds_left_in_step(unix_seconds: u64) -> u64 {
    STEP_SECONDS - unix_seconds % STEP_SECONDS
}

/// A code that stays valid for at least `min_remaining` seconds after
/// `unix_seconds`: the current step's code, or the next step's when the
/// current step ends sooner (see the module docs). **Secret.**
pub fn safe_code_at(
    secret_base32: &str,
    unix_seconds: u64,
    min_remaining: u64,
) -> Result<String, AuthError> {
    if seconds_left_in_step(unix_seconds) < min_remaining {
        next_code_at(secret_base32, unix_seconds)
    } else {
        code_at(secret_base32, unix_seconds)
    }
}

/// [`safe_code_at`] now, with [`DEFAULT_MIN_REMAINING_SECONDS`]. **Secret.**
pub fn safe_code(secret_base32: &str) -> Result<String, AuthError> {
    safe_code_at(secret_base32, unix_now()?, DEFAULT_MIN_REMAINING_SECONDS)
}

/// [`next_code_at`] now. **Secret.**
pub fn next_code(secret_base32: &str) -> Result<String, AuthError> {
    next_code_at(secret_base32, unix_now()?)
}

/// Current Unix time in whole seconds.
pub fn unix_now() -> Result<u64, AuthError> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| AuthError::InvalidTime)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// base32 of the RFC 6238 Appendix B SHA-1 seed "12345678901234567890".
    const RFC_SEED: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn rfc6238_appendix_b_sha1_vectors_truncated_to_six_digits() {
        // (T, 8-digit value from the RFC) -> last six digits.
        let vectors: [(u64, &str); 6] = [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for (t, eight) in vectors {
            assert_eq!(code_at(RFC_SEED, t).unwrap(), eight[2..], "T={t}");
        }
    }

    #[test]
    fn secret_text_is_normalised() {
        let want = code_at(RFC_SEED, 59).unwrap();
        assert_eq!(code_at(&RFC_SEED.to_lowercase(), 59).unwrap(), want);
        assert_eq!(
            code_at("GEZDGNBV GY3TQOJQ GEZDGNBV GY3TQOJQ", 59).unwrap(),
            want
        );
        assert_eq!(code_at(&format!("{RFC_SEED}===="), 59).unwrap(), want);
    }

    #[test]
    fn bad_secrets_are_refused() {
        assert_eq!(code_at("not base32!", 0), Err(AuthError::InvalidTotpSecret));
        // 80 bits: below RFC 4226's 128-bit minimum.
        assert_eq!(
            code_at("GEZDGNBVGY3TQOJQ", 0),
            Err(AuthError::InvalidTotpSecret)
        );
    }

    #[test]
    fn next_and_safe_codes() {
        // 1111111109 is the last second of its step; 1111111111 is in the next.
        assert_eq!(next_code_at(RFC_SEED, 1_111_111_109).unwrap(), "050471");
        assert_eq!(seconds_left_in_step(1_111_111_109), 1);
        assert_eq!(seconds_left_in_step(60), 30);
        assert_eq!(seconds_left_in_step(1_234_567_890), 30);
        // Too little time left: the next step's code. Enough: the current one.
        assert_eq!(safe_code_at(RFC_SEED, 1_111_111_109, 5).unwrap(), "050471");
        assert_eq!(safe_code_at(RFC_SEED, 1_111_111_109, 1).unwrap(), "081804");
        assert_eq!(safe_code_at(RFC_SEED, 1_111_111_110, 5).unwrap(), "050471");
        assert_eq!(
            safe_code_at(RFC_SEED, 59, 5).unwrap(),
            code_at(RFC_SEED, 60).unwrap()
        );
        assert_eq!(safe_code(RFC_SEED).unwrap().len(), 6);
        assert_eq!(next_code(RFC_SEED).unwrap().len(), 6);
    }
}
