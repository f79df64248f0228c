//! Signing keys, kept in files outside the database and generated on first start: there are no
//! default secrets. A key file is created with mode 0600 and never logged.
//!
//! - the download-link key (HMAC-SHA-256, for the short-lived signed links), and
//! - the access-log key (Ed25519, for signed checkpoints); its path is `VOUCHSAFE_AUDIT_KEY`.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use std::{fmt, io, path::Path};

/// 32 secret bytes read from (or written to) a key file as hex.
fn load_or_create(path: &Path) -> io::Result<[u8; 32]> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim()).map_err(|_| invalid(path))?;
            bytes.try_into().map_err(|_| invalid(path))
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            let secret: [u8; 32] = rand::random();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            write_private(path, format!("{}\n", hex::encode(secret)).as_bytes())?;
            tracing::info!(path = %path.display(), "generated a new key file");
            Ok(secret)
        }
        Err(err) => Err(err),
    }
}

fn invalid(path: &Path) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("{} does not hold a 32-byte hex key", path.display()))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    use std::{io::Write, os::unix::fs::OpenOptionsExt};
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents)
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    std::fs::write(path, contents)
}

/// The HMAC key for download links.
#[derive(Clone)]
pub struct LinkKey(pub [u8; 32]);

impl LinkKey {
    pub fn load_or_create(path: &Path) -> io::Result<Self> {
        load_or_create(path).map(Self)
    }
}

impl fmt::Debug for LinkKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkKey(…)")
    }
}

/// The Ed25519 key that signs access-log checkpoints.
#[derive(Clone)]
pub struct AuditKey(SigningKey);

impl AuditKey {
    pub fn load_or_create(path: &Path) -> io::Result<Self> {
        load_or_create(path).map(|seed| Self(SigningKey::from_bytes(&seed)))
    }

    /// The public key, hex: published with every checkpoint so anyone can check signatures.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    pub fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.0.sign(message).to_bytes())
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditKey(public {})", self.public_hex())
    }
}

/// Checks an Ed25519 signature given hex public key and signature.
pub fn verify_signature(public_hex: &str, message: &[u8], signature_hex: &str) -> bool {
    let key = hex::decode(public_hex).ok().and_then(|b| <[u8; 32]>::try_from(b).ok());
    let sig = hex::decode(signature_hex).ok().and_then(|b| <[u8; 64]>::try_from(b).ok());
    match (key.and_then(|k| VerifyingKey::from_bytes(&k).ok()), sig) {
        (Some(key), Some(sig)) => key.verify(message, &Signature::from_bytes(&sig)).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_generated_once_private_and_reloaded() {
        let dir = tempfile_dir();
        let path = dir.join("audit.key");
        let key = AuditKey::load_or_create(&path).unwrap();
        let again = AuditKey::load_or_create(&path).unwrap();
        assert_eq!(key.public_hex(), again.public_hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let sig = key.sign(b"checkpoint");
        assert!(verify_signature(&key.public_hex(), b"checkpoint", &sig));
        assert!(!verify_signature(&key.public_hex(), b"checkpoinT", &sig));
        assert!(format!("{key:?}").starts_with("AuditKey(public "));
        std::fs::write(dir.join("bad.key"), "zz").unwrap();
        assert!(LinkKey::load_or_create(&dir.join("bad.key")).is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("vs-keys-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
