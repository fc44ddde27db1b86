//! A verifying fake of Cognito's server side of SRP, for tests: it stores a
//! salt and verifier like a user pool does, issues `PASSWORD_VERIFIER` /
//! `DEVICE_PASSWORD_VERIFIER` challenges, and accepts or rejects the
//! client's answer by recomputing the signature from the *server's* side of
//! SRP-6a, `S = (A * v^u)^b mod N`, which only agrees with the client's
//! `(B - k*g^x)^(a + u*x)` if the password (or device password) was right.
//!
//! Server-side choices (Cognito's own are not published): salt 16 random
//! bytes, `b` 128 random bytes `mod N`, `B = (k*v + g^b) mod N`, a secret
//! block of [`SECRET_BLOCK_BYTES`] random bytes, `SALT` sent as minimal
//! lower-case hex. For devices the salt and verifier come from the client's
//! `DeviceSecretVerifierConfig` (base64 of padded bytes, as ConfirmDevice
//! receives them). The signature check uses `hmac`'s constant-time
//! `verify_slice`. The TIMESTAMP is only checked through the signature
//! (the real service may also check its format and freshness).
//!
//! Compiled as a normal module so other crates' tests can use it. Secrets:
//! the server's `b` and the stored verifier; `Debug` shows neither, and
//! nothing here logs.

use std::fmt;

use hmac::Mac;
use num_bigint::BigUint;

use crate::service::cognito_auth::device::{
    DevicePasswordVerifierChallenge, DeviceSecretVerifierConfig,
};
use crate::service::cognito_auth::error::AuthError;
use crate::service::cognito_auth::srp::{
    ChallengeAnswer, PasswordVerifierChallenge, SMALL_A_BYTES, claim_mac, compute_u,
    compute_verifier, decode_base64, derive_key, encode_base64, fill_random, g, k, n, parse_hex,
    pool_name,
};

/// Size of the fake's random SECRET_BLOCK.
pub const SECRET_BLOCK_BYTES: usize = 256;
/// Size of the random salt the fake makes for users.
pub const USER_SALT_BYTES: usize = 16;

#[derive(Clone, PartialEq, Eq)]
enum Kind {
    User,
    Device,
}

/// What the server stores for one SRP identity: a user (pool name +
/// USER_ID_FOR_SRP) or a device (DeviceGroupKey + DeviceKey), its salt and
/// its verifier `v = g^x mod N`.
#[derive(Clone)]
pub struct VerifierRecord {
    kind: Kind,
    namespace: String,
    id: String,
    salt: BigUint,
    verifier: BigUint,
}

impl fmt::Debug for VerifierRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifierRecord")
            .field("namespace", &self.namespace)
            .field("id", &self.id)
            .field("verifier", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl VerifierRecord {
    /// Register a user: random salt, verifier from `password`. `pool_id` is
    /// the full user pool id.
    pub fn user(pool_id: &str, user_id_for_srp: &str, password: &str) -> Result<Self, AuthError> {
        let mut salt = [0u8; USER_SALT_BYTES];
        fill_random(&mut salt)?;
        Self::user_with_salt(pool_id, user_id_for_srp, password, &salt)
    }

    /// [`Self::user`] with a given salt (big-endian integer bytes).
    pub fn user_with_salt(
        pool_id: &str,
        user_id_for_srp: &str,
        password: &str,
        salt: &[u8],
    ) -> Result<Self, AuthError> {
        let namespace = pool_name(pool_id)?.to_owned();
        let salt = BigUint::from_bytes_be(salt);
        let verifier = compute_verifier(&salt, &namespace, user_id_for_srp, password);
        Ok(Self {
            kind: Kind::User,
            namespace,
            id: user_id_for_srp.to_owned(),
            salt,
            verifier,
        })
    }

    /// Register a device from the client's ConfirmDevice
    /// `DeviceSecretVerifierConfig`.
    pub fn device(
        device_group_key: &str,
        device_key: &str,
        config: &DeviceSecretVerifierConfig,
    ) -> Result<Self, AuthError> {
        let salt = decode_base64("Salt", &config.salt)?;
        let verifier = decode_base64("PasswordVerifier", &config.password_verifier)?;
        Ok(Self {
            kind: Kind::Device,
            namespace: device_group_key.to_owned(),
            id: device_key.to_owned(),
            salt: BigUint::from_bytes_be(&salt),
            verifier: BigUint::from_bytes_be(&verifier),
        })
    }
}

/// One server-side SRP exchange: made when the client sends `SRP_A`, then
/// checks the answer to the challenge it issued.
pub struct FakeSrpSession {
    record: VerifierRecord,
    large_a: BigUint,
    small_b: BigUint,
    large_b: BigUint,
    secret_block: Vec<u8>,
}

impl fmt::Debug for FakeSrpSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeSrpSession")
            .field("record", &self.record)
            .field("small_b", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl FakeSrpSession {
    /// Start an exchange for the client's `SRP_A` (hex) with random `b` and
    /// secret block. Refuses `A mod N == 0`.
    pub fn start(record: &VerifierRecord, srp_a: &str) -> Result<Self, AuthError> {
        let mut b = [0u8; SMALL_A_BYTES];
        let mut secret_block = vec![0u8; SECRET_BLOCK_BYTES];
        fill_random(&mut b)?;
        fill_random(&mut secret_block)?;
        Self::start_with(record, srp_a, &b, secret_block)
    }

    /// [`Self::start`] with given randomness: `b_random` (big-endian, taken
    /// `mod N`) and the secret block bytes.
    pub fn start_with(
        record: &VerifierRecord,
        srp_a: &str,
        b_random: &[u8],
        secret_block: Vec<u8>,
    ) -> Result<Self, AuthError> {
        let nn = n();
        let large_a = parse_hex("SRP_A", srp_a)?;
        if &large_a % nn == BigUint::ZERO {
            return Err(AuthError::IllegalClientA);
        }
        let small_b = BigUint::from_bytes_be(b_random) % nn;
        let large_b = (k() * &record.verifier + g().modpow(&small_b, nn)) % nn;
        if large_b == BigUint::ZERO {
            return Err(AuthError::IllegalServerB);
        }
        Ok(Self {
            record: record.clone(),
            large_a,
            small_b,
            large_b,
            secret_block,
        })
    }

    /// The `PASSWORD_VERIFIER` challenge parameters for a user record.
    pub fn password_verifier_challenge(&self) -> PasswordVerifierChallenge {
        PasswordVerifierChallenge {
            srp_b: self.large_b.to_str_radix(16),
            salt: self.record.salt.to_str_radix(16),
            secret_block: encode_base64(&self.secret_block),
            user_id_for_srp: self.record.id.clone(),
        }
    }

    /// The `DEVICE_PASSWORD_VERIFIER` challenge parameters for a device
    /// record; `username` is echoed as USERNAME.
    pub fn device_password_verifier_challenge(
        &self,
        username: &str,
    ) -> DevicePasswordVerifierChallenge {
        DevicePasswordVerifierChallenge {
            srp_b: self.large_b.to_str_radix(16),
            salt: self.record.salt.to_str_radix(16),
            secret_block: encode_base64(&self.secret_block),
            username: username.to_owned(),
        }
    }

    /// Accept (`Ok`) or reject ([`AuthError::Rejected`]) the client's answer.
    pub fn verify(&self, answer: &ChallengeAnswer) -> Result<(), AuthError> {
        let echoed = decode_base64(
            "PASSWORD_CLAIM_SECRET_BLOCK",
            &answer.password_claim_secret_block,
        )
        .map_err(|_| AuthError::Rejected("secret block is not base64"))?;
        if echoed != self.secret_block {
            return Err(AuthError::Rejected("secret block does not match"));
        }
        match self.record.kind {
            Kind::User if answer.username != self.record.id => {
                return Err(AuthError::Rejected("USERNAME is not USER_ID_FOR_SRP"));
            }
            Kind::Device if answer.device_key.as_deref() != Some(self.record.id.as_str()) => {
                return Err(AuthError::Rejected("DEVICE_KEY does not match"));
            }
            _ => {}
        }
        let signature = decode_base64("PASSWORD_CLAIM_SIGNATURE", &answer.password_claim_signature)
            .map_err(|_| AuthError::Rejected("signature is not base64"))?;

        let nn = n();
        let u = compute_u(&self.large_a, &self.large_b)?;
        let base = (&self.large_a * self.record.verifier.modpow(&u, nn)) % nn;
        let s = base.modpow(&self.small_b, nn);
        let key = derive_key(&s, &u);
        claim_mac(
            &key,
            &self.record.namespace,
            &self.record.id,
            &self.secret_block,
            &answer.timestamp,
        )
        .verify_slice(&signature)
        .map_err(|_| AuthError::Rejected("PASSWORD_CLAIM_SIGNATURE does not verify"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::cognito_auth::device::{
        DevicePasswordVerifierChallenge, device_password_verifier, device_password_verifier_at,
        device_srp_auth_responses, new_device_secret,
    };
    use crate::service::cognito_auth::srp::SrpClient;
    use std::time::{Duration, UNIX_EPOCH};

    const POOL_ID: &str = "us-east-1_AbCdEf123";
    const USER: &str = "9f1e2d3c-0000-4000-8000-123456789abc";
    const PASSWORD: &str = "Correct-Horse-1";

    fn user_exchange(password: &str) -> (FakeSrpSession, Result<ChallengeAnswer, AuthError>) {
        let record = VerifierRecord::user(POOL_ID, USER, PASSWORD).unwrap();
        let client = SrpClient::new().unwrap();
        let server = FakeSrpSession::start(&record, &client.srp_a()).unwrap();
        // Over the "wire": parameters map and back.
        let params = server.password_verifier_challenge().to_parameters();
        let challenge = PasswordVerifierChallenge::from_parameters(&params).unwrap();
        let answer = client.password_verifier(POOL_ID, password, &challenge);
        (server, answer)
    }

    #[test]
    fn correct_password_is_accepted() {
        let (server, answer) = user_exchange(PASSWORD);
        assert_eq!(server.verify(&answer.unwrap()), Ok(()));
    }

    #[test]
    fn wrong_password_is_rejected() {
        let (server, answer) = user_exchange("Correct-Horse-2");
        assert_eq!(
            server.verify(&answer.unwrap()),
            Err(AuthError::Rejected(
                "PASSWORD_CLAIM_SIGNATURE does not verify"
            ))
        );
    }

    #[test]
    fn tampered_timestamp_is_rejected() {
        let (server, answer) = user_exchange(PASSWORD);
        let mut answer = answer.unwrap();
        // A well-formed but different TIMESTAMP, signature left as it was.
        answer.timestamp = crate::service::cognito_auth::srp::cognito_timestamp(
            UNIX_EPOCH + Duration::from_secs(1_000_000_000),
        )
        .unwrap();
        assert_eq!(
            server.verify(&answer),
            Err(AuthError::Rejected(
                "PASSWORD_CLAIM_SIGNATURE does not verify"
            ))
        );
    }

    #[test]
    fn tampered_fields_and_replay_are_rejected() {
        let (server, answer) = user_exchange(PASSWORD);
        let answer = answer.unwrap();

        let mut other_user = answer.clone();
        other_user.username = "someone-else".to_owned();
        assert!(server.verify(&other_user).is_err());

        let mut other_block = answer.clone();
        other_block.password_claim_secret_block = encode_base64(b"forged");
        assert!(server.verify(&other_block).is_err());

        let mut garbage = answer.clone();
        garbage.password_claim_signature = "%%%".to_owned();
        assert!(server.verify(&garbage).is_err());

        // The same answer against a fresh server exchange (new b, B, block).
        let (second_server, _) = user_exchange(PASSWORD);
        assert!(second_server.verify(&answer).is_err());
    }

    #[test]
    fn wrong_pool_is_rejected() {
        let record = VerifierRecord::user(POOL_ID, USER, PASSWORD).unwrap();
        let client = SrpClient::new().unwrap();
        let server = FakeSrpSession::start(&record, &client.srp_a()).unwrap();
        let challenge = server.password_verifier_challenge();
        let answer = client
            .password_verifier("us-east-1_OtherPool", PASSWORD, &challenge)
            .unwrap();
        assert!(server.verify(&answer).is_err());
    }

    #[test]
    fn deterministic_exchange_is_reproducible() {
        let record =
            VerifierRecord::user_with_salt(POOL_ID, USER, PASSWORD, &[0x80; USER_SALT_BYTES])
                .unwrap();
        let client = SrpClient::from_random_bytes(&[7u8; 128]).unwrap();
        let at = UNIX_EPOCH + Duration::from_secs(1_793_682_429);
        let run = || {
            let server =
                FakeSrpSession::start_with(&record, &client.srp_a(), &[9u8; 128], vec![1, 2, 3])
                    .unwrap();
            let challenge = server.password_verifier_challenge();
            // High bit set in the salt: pad() must add 00, as on the client.
            assert!(challenge.salt.starts_with('8'));
            let answer = client
                .password_verifier_at(POOL_ID, PASSWORD, &challenge, at)
                .unwrap();
            assert_eq!(server.verify(&answer), Ok(()));
            answer
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn rejects_client_a_zero_mod_n() {
        let record = VerifierRecord::user(POOL_ID, USER, PASSWORD).unwrap();
        let n_hex = n().to_str_radix(16);
        assert_eq!(
            FakeSrpSession::start(&record, &n_hex).unwrap_err(),
            AuthError::IllegalClientA
        );
    }

    fn device_exchange(
        tamper_password: bool,
    ) -> (FakeSrpSession, Result<ChallengeAnswer, AuthError>) {
        // ConfirmDevice: the client makes the verifier, the server stores it.
        let secret = new_device_secret(
            "-AbCdEfGh",
            "us-east-1_11111111-2222-3333-4444-555555555555",
        )
        .unwrap();
        let record = VerifierRecord::device(
            &secret.device.device_group_key,
            &secret.device.device_key,
            &secret.config,
        )
        .unwrap();
        // DEVICE_SRP_AUTH.
        let client = SrpClient::new().unwrap();
        let start = device_srp_auth_responses(&client, USER, &secret.device.device_key);
        let server = FakeSrpSession::start(&record, &start["SRP_A"]).unwrap();
        let challenge = server.device_password_verifier_challenge(USER);
        let mut device = secret.device.clone();
        if tamper_password {
            device.device_password = new_device_secret("-AbCdEfGh", "x")
                .unwrap()
                .device
                .device_password;
        }
        let wire = DevicePasswordVerifierChallenge::from_parameters(
            &[
                ("SRP_B", challenge.srp_b.clone()),
                ("SALT", challenge.salt.clone()),
                ("SECRET_BLOCK", challenge.secret_block.clone()),
                ("USERNAME", challenge.username.clone()),
                ("DEVICE_KEY", device.device_key.clone()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
        )
        .unwrap();
        let answer = device_password_verifier(&client, &device, &wire);
        (server, answer)
    }

    #[test]
    fn device_flow_end_to_end_is_accepted() {
        let (server, answer) = device_exchange(false);
        let answer = answer.unwrap();
        assert_eq!(answer.username, USER);
        assert_eq!(server.verify(&answer), Ok(()));
    }

    #[test]
    fn device_flow_with_wrong_device_password_is_rejected() {
        let (server, answer) = device_exchange(true);
        assert_eq!(
            server.verify(&answer.unwrap()),
            Err(AuthError::Rejected(
                "PASSWORD_CLAIM_SIGNATURE does not verify"
            ))
        );
    }

    #[test]
    fn device_answer_needs_the_device_key() {
        let (server, answer) = device_exchange(false);
        let mut answer = answer.unwrap();
        answer.device_key = None;
        assert_eq!(
            server.verify(&answer),
            Err(AuthError::Rejected("DEVICE_KEY does not match"))
        );
    }

    #[test]
    fn device_salt_round_trips_through_the_fake() {
        // The salt from ConfirmDevice (base64 of padded bytes) comes back as
        // hex in the challenge and must give the same x on both sides.
        let secret = crate::service::cognito_auth::device::new_device_secret_from(
            "g",
            "d",
            &[1; 40],
            &[0xeb, 0x96],
        );
        let record = VerifierRecord::device("g", "d", &secret.config).unwrap();
        let client = SrpClient::from_random_bytes(&[3u8; 128]).unwrap();
        let server = FakeSrpSession::start(&record, &client.srp_a()).unwrap();
        let challenge = server.device_password_verifier_challenge("user");
        assert_eq!(challenge.salt, "eb96");
        let answer = device_password_verifier_at(
            &client,
            &secret.device,
            &challenge,
            UNIX_EPOCH + Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(server.verify(&answer), Ok(()));
    }
}
