//! JSON Web Tokens in replies (Cognito's access, ID and refresh tokens): decoding the header and
//! claims so the `$jwt` matcher can match them, the structural rule that `exp` comes after
//! `iat`, and signature verification against a JWKS (the pool's
//! `/<poolId>/.well-known/jwks.json`, fetched by an `http_get` step and captured).

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::Value;

/// A token taken apart: its header and claims as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub header: Value,
    pub claims: Value,
}

/// Decodes a compact JWS without verifying it.
pub fn decode(token: &str) -> Result<Decoded, String> {
    if token.split('.').count() != 3 {
        return Err("not a JWT: expected three dot-separated parts".into());
    }
    let header = jsonwebtoken::decode_header(token).map_err(|e| format!("bad JWT header: {e}"))?;
    let header = serde_json::to_value(header).map_err(|e| e.to_string())?;
    let claims: Value = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|e| format!("bad JWT claims: {e}"))?;
    if !claims.is_object() {
        return Err("JWT claims are not a JSON object".into());
    }
    Ok(Decoded { header, claims })
}

/// Rules every token must keep whatever the case says: `exp` after `iat` when both are there.
pub fn structural_problems(decoded: &Decoded) -> Vec<String> {
    let mut problems = Vec::new();
    let number = |name: &str| decoded.claims.get(name).and_then(Value::as_f64);
    if let (Some(iat), Some(exp)) = (number("iat"), number("exp"))
        && exp <= iat
    {
        problems.push(format!("exp ({exp}) is not after iat ({iat})"));
    }
    problems
}

/// Verifies the token's signature with the key of its `kid` in `jwks` (a JWKS document).
pub fn verify(token: &str, jwks: &Value) -> Result<(), String> {
    let set: JwkSet =
        serde_json::from_value(jwks.clone()).map_err(|e| format!("not a JWKS document: {e}"))?;
    let header = jsonwebtoken::decode_header(token).map_err(|e| format!("bad JWT header: {e}"))?;
    let kid = header.kid.as_deref().ok_or("the JWT header has no kid")?;
    let jwk = set
        .find(kid)
        .ok_or_else(|| format!("the JWKS has no key with kid {kid:?}"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable JWK {kid:?}: {e}"))?;
    let mut validation = Validation::new(header.alg);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|_| ())
        .map_err(|e| format!("signature does not verify with JWKS key {kid:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use serde_json::json;

    // A 2048-bit RSA test key (generated for these tests only) and its public JWK.
    const PRIVATE_PEM: &str = include_str!("../../tests/data/jwt-test-key.pem");

    fn jwks() -> Value {
        serde_json::from_str(include_str!("../../tests/data/jwt-test-jwks.json")).unwrap()
    }

    fn token(claims: Value, kid: &str) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.into());
        let key = EncodingKey::from_rsa_pem(PRIVATE_PEM.as_bytes()).unwrap();
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    }

    #[test]
    fn decodes_verifies_and_checks_structure() {
        let t = token(
            json!({"sub": "u", "iat": 100, "exp": 200, "token_use": "access"}),
            "test-key",
        );
        let decoded = decode(&t).unwrap();
        assert_eq!(decoded.header["alg"], "RS256");
        assert_eq!(decoded.claims["token_use"], "access");
        assert!(structural_problems(&decoded).is_empty());
        verify(&t, &jwks()).unwrap();
    }

    #[test]
    fn rejects_tampering_unknown_keys_and_bad_times() {
        let t = token(json!({"sub": "u", "iat": 200, "exp": 100}), "test-key");
        assert_eq!(structural_problems(&decode(&t).unwrap()).len(), 1);
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = token(json!({"sub": "admin", "iat": 1, "exp": 2}), "test-key");
        let forged_claims = forged.split('.').nth(1).unwrap().to_owned();
        parts[1] = &forged_claims;
        let tampered = format!("{}.{}.{}", parts[0], parts[1], t.split('.').nth(2).unwrap());
        assert!(
            verify(&tampered, &jwks())
                .unwrap_err()
                .contains("does not verify")
        );
        let other_kid = token(json!({"sub": "u"}), "nope");
        assert!(
            verify(&other_kid, &jwks())
                .unwrap_err()
                .contains("no key with kid")
        );
        assert!(decode("a.b").is_err());
    }
}
