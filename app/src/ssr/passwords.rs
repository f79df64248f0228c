//! Staff passwords: argon2id with OWASP's parameters (m = 19456 KiB, t = 2, p = 1, the crate's
//! defaults), always computed on the blocking pool.

use crate::error::AppError;
use argon2::{password_hash::phc::PasswordHash, Argon2, PasswordHasher, PasswordVerifier};
use std::{fmt, sync::OnceLock};

/// A password as typed. `Debug` never shows it.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Fewest characters (not bytes) a new password may have.
    pub const MIN_LEN: usize = 12;
    /// Most characters a password may have: a longer new one is refused, a longer sign-in attempt
    /// is cut to this length before it is checked.
    pub const MAX_LEN: usize = 256;

    /// A new password must be 12 to 256 characters and not contain the e-mail address's name.
    pub fn parse_new(text: &str, email: &str) -> Result<Self, String> {
        let chars = text.chars().count();
        if chars < Self::MIN_LEN {
            return Err(format!("Use at least {} characters.", Self::MIN_LEN));
        }
        if chars > Self::MAX_LEN {
            return Err(format!("Use at most {} characters.", Self::MAX_LEN));
        }
        let local = email.split('@').next().unwrap_or_default().to_lowercase();
        if local.len() >= 4 && text.to_lowercase().contains(&local) {
            return Err("Do not build the password from your e-mail address.".into());
        }
        Ok(Self(text.to_string()))
    }

    /// A password given at sign-in: only its length is bounded (argon2 cost is per byte).
    pub fn for_sign_in(text: &str) -> Self {
        Self(text.chars().take(Self::MAX_LEN).collect())
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Hashes a new password.
pub async fn hash(password: Password) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || Argon2::default().hash_password(password.0.as_bytes()).map(|h| h.to_string()))
        .await
        .map_err(|e| AppError::internal("password hashing task", e))?
        .map_err(|e| AppError::internal("password hashing", e))
}

/// Checks `password` against `stored`. With no stored hash (unknown account, or an invitation
/// not yet accepted) it verifies against a dummy hash, so the answer takes the same time
/// whether or not the account exists.
pub async fn verify(password: Password, stored: Option<String>) -> bool {
    let (hash, real) = match stored {
        Some(hash) => (hash, true),
        None => (dummy_hash().to_string(), false),
    };
    let ok = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| Argon2::default().verify_password(password.0.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    ok && real
}

/// A hash of a random password, made once with the same parameters as real ones.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = hex::encode(rand::random::<[u8; 16]>());
        Argon2::default().hash_password(random.as_bytes()).map(|h| h.to_string()).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_owasp_parameters() {
        let hash = hash(Password::parse_new("correct horse battery", "ann@example.com").unwrap()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify(Password::for_sign_in("correct horse battery"), Some(hash.clone())).await);
        assert!(!verify(Password::for_sign_in("wrong horse battery"), Some(hash)).await);
        assert!(!verify(Password::for_sign_in("anything at all"), None).await);
    }

    #[test]
    fn new_passwords_are_checked() {
        assert!(Password::parse_new("short", "a@b.c").is_err());
        assert!(Password::parse_new("annabelle-2026-x", "annabelle@example.com").is_err());
        assert!(Password::parse_new("a long enough passphrase", "ann@example.com").is_ok());
        assert_eq!(format!("{:?}", Password::for_sign_in("secret")), "Password(…)");
    }
}
