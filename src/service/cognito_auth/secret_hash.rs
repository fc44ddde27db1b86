//! `SECRET_HASH` / `SecretHash` for app clients that have a client secret:
//! `Base64(HMAC-SHA256(key = client secret, message = username + client id))`,
//! as the Cognito developer guide ("Computing secret hash values") and the
//! AWS knowledge-center script give it.
//!
//! `username` is the name the request is about: the USERNAME sent in
//! InitiateAuth, and in challenge answers the USERNAME of that answer
//! (for SRP, USER_ID_FOR_SRP).
//!
//! Secrets: the client secret is secret. The hash itself is a bearer
//! credential for that username (anyone holding it can make requests as
//! that client for that user), so mask it in logs; nothing here logs.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// `Base64(HMAC-SHA256(client_secret, username || client_id))`. **Secret.**
pub fn secret_hash(username: &str, client_id: &str, client_secret: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(client_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_vector_from_cognito_srp_helper() {
        // cognito-srp-helper src/__tests__/mocks/data.ts (createSecretHash(sub,
        // clientId, secretId)); also recomputed with python3 hmac/hashlib.
        assert_eq!(
            secret_hash(
                "a2c2e290-6d0f-4a08-a5ca-f0162935f3a6",
                "18u8119jgbpr464n28s1itk2mq",
                "ps50nb7hd1umdnmlt1xa9nwiscqvdvzy5ijw63vcacd09yihc2b",
            ),
            "QW3YkSgjkc9VNMtbTkuQflK54A6+9GS8ZiRDj0mSvPI="
        );
    }

    #[test]
    fn python_computed_vector() {
        // python3 -c "import hmac,hashlib,base64; print(base64.b64encode(hmac.new(
        //   b'ps50nb7hd1umdnmlt1xa9nwiscqvdvzy5ijw63vcacd09yihc2b',
        //   b'john.doe18u8119jgbpr464n28s1itk2mq', hashlib.sha256).digest()).decode())"
        assert_eq!(
            secret_hash(
                "john.doe",
                "18u8119jgbpr464n28s1itk2mq",
                "ps50nb7hd1umdnmlt1xa9nwiscqvdvzy5ijw63vcacd09yihc2b",
            ),
            "Z6HgYvN+Tg02sQwbUK3OKWU1ypW/epvnJNE+1btp9pI="
        );
    }
}
