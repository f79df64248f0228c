//! The signature over `/trust.json`: a compact JWS with a detached payload (RFC 7515 appendix F),
//! `alg` `EdDSA` (RFC 8037), and its public key as a JWK Set at `/.well-known/jwks.json`.
//!
//! The key is derived from the access-log key (HKDF-SHA-256 with its own label), so every
//! instance sharing that key file signs alike and there is no other key file to keep; it is a
//! different key, so a posture signature can never pass for a checkpoint signature or the
//! reverse. Replacing the access-log key replaces this one (its `kid` changes with it).

use super::keys::AuditKey;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// The Ed25519 key that signs the published posture.
#[derive(Clone)]
pub struct PostureKey {
    key: SigningKey,
    kid: String,
}

impl std::fmt::Debug for PostureKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PostureKey(kid {})", self.kid)
    }
}

impl PostureKey {
    /// The posture key belonging to `audit` (the same every time, on every instance).
    pub fn derive(audit: &AuditKey) -> Self {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"vouchsafe"), &audit.seed());
        let mut seed = [0u8; 32];
        hk.expand(b"trust.json signing key v1", &mut seed).expect("32 bytes is a valid HKDF-SHA-256 output length");
        let key = SigningKey::from_bytes(&seed);
        let x = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
        // RFC 7638 thumbprint: the required members, sorted, no white space.
        let thumbprint = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint.as_bytes()));
        Self { key, kid }
    }

    /// The key id: the RFC 7638 thumbprint of the public key.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK (RFC 8037 `OKP`, `Ed25519`).
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "OKP",
            "crv": "Ed25519",
            "x": URL_SAFE_NO_PAD.encode(self.key.verifying_key().to_bytes()),
            "kid": self.kid,
            "alg": "EdDSA",
            "use": "sig",
        })
    }

    /// The JWK Set published at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.jwk()] })
    }

    /// A compact JWS over `payload` with the payload left out (`header..signature`): the verifier
    /// puts the base64url of the bytes it fetched between the two dots.
    pub fn sign_detached(&self, payload: &[u8]) -> String {
        let header = json!({ "alg": "EdDSA", "kid": self.kid, "typ": "JOSE", "cty": "json" });
        let header = URL_SAFE_NO_PAD.encode(header.to_string());
        let signing_input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
        let signature = URL_SAFE_NO_PAD.encode(self.key.sign(signing_input.as_bytes()).to_bytes());
        format!("{header}..{signature}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, Verifier, VerifyingKey};

    fn key() -> PostureKey {
        let dir = tempfile::tempdir().unwrap();
        PostureKey::derive(&AuditKey::load_or_create(&dir.path().join("audit.key")).unwrap())
    }

    fn verifies(key: &PostureKey, jws: &str, payload: &[u8]) -> bool {
        let (header, rest) = jws.split_once("..").unwrap();
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(rest).unwrap()).unwrap();
        let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(payload));
        let x = URL_SAFE_NO_PAD.decode(key.jwk()["x"].as_str().unwrap()).unwrap();
        let public = VerifyingKey::from_bytes(&x.try_into().unwrap()).unwrap();
        public.verify(input.as_bytes(), &signature).is_ok()
    }

    #[test]
    fn a_detached_signature_verifies_over_the_same_bytes_only() {
        let key = key();
        let jws = key.sign_detached(b"{\"a\":1}");
        assert!(verifies(&key, &jws, b"{\"a\":1}"));
        assert!(!verifies(&key, &jws, b"{\"a\":2}"));
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jws.split('.').next().unwrap()).unwrap()).unwrap();
        assert_eq!(header["alg"], "EdDSA");
        assert_eq!(header["kid"], key.kid());
    }

    #[test]
    fn the_posture_key_is_stable_and_not_the_audit_key() {
        let dir = tempfile::tempdir().unwrap();
        let audit = AuditKey::load_or_create(&dir.path().join("audit.key")).unwrap();
        let a = PostureKey::derive(&audit);
        let b = PostureKey::derive(&AuditKey::load_or_create(&dir.path().join("audit.key")).unwrap());
        assert_eq!(a.jwk(), b.jwk());
        let x = URL_SAFE_NO_PAD.decode(a.jwk()["x"].as_str().unwrap()).unwrap();
        assert_ne!(hex::encode(x), audit.public_hex());
        assert_ne!(a.kid(), key().kid(), "another audit key gives another posture key");
    }
}
