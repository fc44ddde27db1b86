//! Remembered devices: the `DeviceSecretVerifierConfig` sent with
//! ConfirmDevice, and the `DEVICE_SRP_AUTH` / `DEVICE_PASSWORD_VERIFIER`
//! answers that later sign in with that device.
//!
//! Matches amazon-cognito-identity-js (github.com/amazon-archives/
//! amazon-cognito-identity-js): `AuthenticationHelper.generateHashDevice`
//! and the ConfirmDevice call in `CognitoUser.authenticateUserInternal` for
//! the verifier config, `CognitoUser.getDeviceResponse` for the device SRP
//! answer. Known-answer vectors from cognito-srp-helper
//! (`createDeviceVerifier`, `signSrpSessionWithDevice`).
//!
//! * device password: 40 random bytes, standard base64 (`generateRandomString`);
//! * salt: 16 random bytes read as an unsigned integer, then `padHex`
//!   (so 15–17 bytes on the wire); `Salt` = base64 of those bytes;
//! * `PasswordVerifier` = base64(pad(g^x mod N)) with
//!   `x = H(pad(salt) || H(DeviceGroupKey || DeviceKey || ":" || devicePassword))`;
//! * device SRP: the user SRP computation with the pool name replaced by the
//!   DeviceGroupKey, USER_ID_FOR_SRP by the DeviceKey and the password by
//!   the device password; the challenge's `SALT` is read as **hex** (the JS
//!   does `new BigInteger(challengeParameters.SALT, 16)`), not as the base64
//!   sent in ConfirmDevice.
//!
//! Secrets: the device password ([`RememberedDevice::device_password`]) is
//! a long-lived credential; keep it like a password. `Debug` redacts it and
//! nothing here logs it. The verifier and salt are sent to Cognito.

use std::collections::HashMap;
use std::fmt;
use std::time::SystemTime;

use hmac::Mac;
use num_bigint::BigUint;

use crate::service::cognito_auth::error::AuthError;
use crate::service::cognito_auth::srp::{
    ChallengeAnswer, SrpClient, claim_mac, cognito_timestamp, compute_verifier, decode_base64,
    encode_base64, fill_random, pad_bytes, param,
};

/// Random bytes behind a device password (`generateRandomString`).
pub const DEVICE_PASSWORD_BYTES: usize = 40;
/// Random bytes behind a device salt (`generateHashDevice`).
pub const DEVICE_SALT_BYTES: usize = 16;

/// The `DeviceSecretVerifierConfig` of a ConfirmDevice request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSecretVerifierConfig {
    /// `PasswordVerifier`: base64 of the padded verifier bytes.
    pub password_verifier: String,
    /// `Salt`: base64 of the padded salt bytes.
    pub salt: String,
}

/// What a client must keep to sign in with a remembered device later.
///
/// **Secret:** `device_password`. `Debug` redacts it.
#[derive(Clone, PartialEq, Eq)]
pub struct RememberedDevice {
    /// `DeviceGroupKey` from `NewDeviceMetadata`.
    pub device_group_key: String,
    /// `DeviceKey` from `NewDeviceMetadata`.
    pub device_key: String,
    /// The random device password (base64 text). Secret.
    pub device_password: String,
}

impl fmt::Debug for RememberedDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RememberedDevice")
            .field("device_group_key", &self.device_group_key)
            .field("device_key", &self.device_key)
            .field("device_password", &"<redacted>")
            .finish()
    }
}

/// A freshly made device secret: what to send in ConfirmDevice and what to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeviceSecret {
    /// Send as `DeviceSecretVerifierConfig`.
    pub config: DeviceSecretVerifierConfig,
    /// Keep for DEVICE_SRP_AUTH (contains the secret device password).
    pub device: RememberedDevice,
}

/// Make a device password and salt from the OS CSPRNG and the verifier
/// config for ConfirmDevice (`generateHashDevice`).
pub fn new_device_secret(
    device_group_key: &str,
    device_key: &str,
) -> Result<NewDeviceSecret, AuthError> {
    let mut password_bytes = [0u8; DEVICE_PASSWORD_BYTES];
    let mut salt_bytes = [0u8; DEVICE_SALT_BYTES];
    fill_random(&mut password_bytes)?;
    fill_random(&mut salt_bytes)?;
    Ok(new_device_secret_from(
        device_group_key,
        device_key,
        &password_bytes,
        &salt_bytes,
    ))
}

/// Deterministic [`new_device_secret`]: `password_random` becomes the device
/// password (base64), `salt_random` the salt (as an unsigned integer, padded).
/// Use 40 and 16 bytes of real randomness outside tests.
pub fn new_device_secret_from(
    device_group_key: &str,
    device_key: &str,
    password_random: &[u8],
    salt_random: &[u8],
) -> NewDeviceSecret {
    let device_password = encode_base64(password_random);
    let salt = BigUint::from_bytes_be(salt_random);
    let verifier = compute_verifier(&salt, device_group_key, device_key, &device_password);
    NewDeviceSecret {
        config: DeviceSecretVerifierConfig {
            password_verifier: encode_base64(&pad_bytes(&verifier)),
            salt: encode_base64(&pad_bytes(&salt)),
        },
        device: RememberedDevice {
            device_group_key: device_group_key.to_owned(),
            device_key: device_key.to_owned(),
            device_password,
        },
    }
}

/// The `ChallengeResponses` that start `DEVICE_SRP_AUTH`: `USERNAME`,
/// `DEVICE_KEY`, `SRP_A` (CognitoUser.js `getDeviceResponse`). Add
/// `SECRET_HASH` yourself when the app client has a secret.
pub fn device_srp_auth_responses(
    client: &SrpClient,
    username: &str,
    device_key: &str,
) -> HashMap<String, String> {
    HashMap::from([
        ("USERNAME".to_owned(), username.to_owned()),
        ("DEVICE_KEY".to_owned(), device_key.to_owned()),
        ("SRP_A".to_owned(), client.srp_a()),
    ])
}

/// The `ChallengeParameters` of a `DEVICE_PASSWORD_VERIFIER` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePasswordVerifierChallenge {
    /// `SRP_B`: hex.
    pub srp_b: String,
    /// `SALT`: hex (the device salt as a number).
    pub salt: String,
    /// `SECRET_BLOCK`: standard base64; echoed back.
    pub secret_block: String,
    /// `USERNAME`: echoed back as USERNAME.
    pub username: String,
}

impl DevicePasswordVerifierChallenge {
    /// Read `SRP_B`, `SALT`, `SECRET_BLOCK`, `USERNAME`.
    pub fn from_parameters(params: &HashMap<String, String>) -> Result<Self, AuthError> {
        Ok(Self {
            srp_b: param(params, "SRP_B")?,
            salt: param(params, "SALT")?,
            secret_block: param(params, "SECRET_BLOCK")?,
            username: param(params, "USERNAME")?,
        })
    }
}

/// Answer `DEVICE_PASSWORD_VERIFIER` at time `now` with the same
/// [`SrpClient`] whose `SRP_A` started DEVICE_SRP_AUTH
/// (CognitoUser.js `getDeviceResponse`).
pub fn device_password_verifier_at(
    client: &SrpClient,
    device: &RememberedDevice,
    challenge: &DevicePasswordVerifierChallenge,
    now: SystemTime,
) -> Result<ChallengeAnswer, AuthError> {
    let secret_block = decode_base64("SECRET_BLOCK", &challenge.secret_block)?;
    let key = client.session_key(
        &challenge.srp_b,
        &challenge.salt,
        &device.device_group_key,
        &device.device_key,
        &device.device_password,
    )?;
    let timestamp = cognito_timestamp(now)?;
    let mac = claim_mac(
        &key,
        &device.device_group_key,
        &device.device_key,
        &secret_block,
        &timestamp,
    );
    Ok(ChallengeAnswer {
        username: challenge.username.clone(),
        password_claim_secret_block: challenge.secret_block.clone(),
        timestamp,
        password_claim_signature: encode_base64(&mac.finalize().into_bytes()),
        device_key: Some(device.device_key.clone()),
    })
}

/// [`device_password_verifier_at`] with the current system time.
pub fn device_password_verifier(
    client: &SrpClient,
    device: &RememberedDevice,
    challenge: &DevicePasswordVerifierChallenge,
) -> Result<ChallengeAnswer, AuthError> {
    device_password_verifier_at(client, device, challenge, SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::cognito_auth::srp::tests::{LARGE_B, SECRET_BLOCK, SMALL_A, vector_time};

    const DEVICE_GROUP_KEY: &str = "-FDRunwQv";
    const DEVICE_KEY: &str = "eu-west-2_627477ae-3631-4248-bed9-d2e934100372";

    // cognito-srp-helper createDeviceVerifier vector: its mocked randomBytes
    // yield [04 05 25] for the password and [eb 96] for the salt.
    #[test]
    fn known_answer_device_verifier() {
        let secret = new_device_secret_from(
            DEVICE_GROUP_KEY,
            DEVICE_KEY,
            &[0x04, 0x05, 0x25],
            &[0xeb, 0x96],
        );
        assert_eq!(secret.device.device_password, "BAUl");
        assert_eq!(secret.config.salt, "AOuW"); // 00 eb 96: padHex added 00
        assert_eq!(
            secret.config.password_verifier,
            "AId3eNiAEuiPgZh0E2vpuui6V04+mfZvj6CuBDdiRwDDj40OhVvIPHC11mKB+ME0ErD0EXxfwAIwZ+rq6rEbrO5/ooShXSJlSfMpZFzy80cPEtCOz1DSm+GHmeBZQZeQrCMa2ryFV7Z88yBrTYGawF52eCoOfKC1eU7WKxdD1LPAxC5tkc/KFrVXNy4OnGrywYv12uyK6ZGlmtNTEBoOHrra9pRjIoiqF34dz1gEw33JEvE3Sb5DJYEUB9/OVeKhjuag1wZ+DTpdkWE+WHBMrQb9t0szhj+UTQ7bPX8jaqATtsbeNXG/f6707glGoWXCPcw8jhZkZrGfkM6PCtBnai5NCEaAZXe5Xg+gSYfbiT6hWszWqJHUURXQlSHL+qu9Wj5ZrCM5GPO+5uYUN7+AdzQXihRRu66nrW7MSIC6k4iRTyTYve9GqV2OybDSPY5CYCiNa8r5+o9tXxugAfFdlqp07aNCGARCbusksBOXqKDKc1oPjjhqoaFj/x7KBFsGbw=="
        );
    }

    // cognito-srp-helper signSrpSessionWithDevice vector. Its mock passes the
    // base64 text "AOuW" as SALT; jsbn's lenient radix-16 parse reads that as
    // 0xb9e0 (letters beyond f are taken as digit values 24, 30, 32), so the
    // equivalent well-formed hex SALT is "b9e0" (confirmed with python3).
    #[test]
    fn known_answer_device_password_signature() {
        let client = SrpClient::from_random_bytes(&SMALL_A).unwrap();
        let device = RememberedDevice {
            device_group_key: DEVICE_GROUP_KEY.to_owned(),
            device_key: DEVICE_KEY.to_owned(),
            device_password: "BAUl".to_owned(),
        };
        let challenge = DevicePasswordVerifierChallenge {
            srp_b: LARGE_B.to_owned(),
            salt: "b9e0".to_owned(),
            secret_block: SECRET_BLOCK.to_owned(),
            username: "john.doe".to_owned(),
        };
        let answer =
            device_password_verifier_at(&client, &device, &challenge, vector_time()).unwrap();
        assert_eq!(
            answer.password_claim_signature,
            "or56+yUDCYxPbtknfpk2fO88rycinSHoINPLk7wpSPI="
        );
        assert_eq!(answer.device_key.as_deref(), Some(DEVICE_KEY));
        assert_eq!(answer.username, "john.doe");
        let map = answer.to_challenge_responses();
        assert_eq!(map["DEVICE_KEY"], DEVICE_KEY);
        assert_eq!(map.len(), 5);
    }

    #[test]
    fn random_device_secret_shape() {
        let secret = new_device_secret(DEVICE_GROUP_KEY, DEVICE_KEY).unwrap();
        let password = decode_base64("pw", &secret.device.device_password).unwrap();
        assert_eq!(password.len(), DEVICE_PASSWORD_BYTES);
        let salt = decode_base64("salt", &secret.config.salt).unwrap();
        assert!((1..=DEVICE_SALT_BYTES + 1).contains(&salt.len()));
        let verifier = decode_base64("verifier", &secret.config.password_verifier).unwrap();
        assert!(verifier.len() <= 385);
        let shown = format!("{secret:?}");
        assert!(!shown.contains(&secret.device.device_password));
    }

    #[test]
    fn srp_auth_responses_carry_a() {
        let client = SrpClient::from_random_bytes(&SMALL_A).unwrap();
        let map = device_srp_auth_responses(&client, "john.doe", DEVICE_KEY);
        assert_eq!(map["SRP_A"], client.srp_a());
        assert_eq!(map["DEVICE_KEY"], DEVICE_KEY);
        assert_eq!(map["USERNAME"], "john.doe");
    }
}
