//! Secrets sent to people in links: generated here, stored only as SHA-256 hashes.

pub use super::storage::sha256_hex;
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use std::fmt;

/// A random 256-bit token, as it travels in a link. Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A fresh token from 32 random bytes, URL-safe base64 without padding.
    pub fn generate() -> Self {
        Self(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()))
    }

    /// Accepts only what [`Token::generate`] produces (43 URL-safe base64 characters), so junk
    /// from a form never reaches a query.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        (text.len() == 43 && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
            .then(|| Self(text.to_string()))
    }

    /// The secret value, for the link that carries it; never log it or store it (store
    /// [`Self::hash`]).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps.
    pub fn hash(&self) -> String {
        sha256_hex(self.0.as_bytes())
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(…)")
    }
}

/// A short random id for correlating one request's log lines and audit rows.
pub fn request_id() -> String {
    hex::encode(rand::random::<[u8; 8]>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_parseable_and_never_printed() {
        let a = Token::generate();
        let b = Token::generate();
        assert_ne!(a, b);
        assert_eq!(Token::parse(a.expose()), Some(a.clone()));
        assert_eq!(a.hash().len(), 64);
        assert_ne!(a.hash(), a.expose());
        assert_eq!(format!("{a:?}"), "Token(…)");
        assert!(Token::parse("short").is_none());
        assert!(Token::parse(&format!("{}'", &a.expose()[..42])).is_none());
    }
}
