//! Signing keys, kept in files outside the database: there are no default secrets. One instance
//! on SQLite creates its key files on first start; several instances on PostgreSQL share key
//! files made once with `vouchsafe keys generate` ([`generate_set`]) and never create one (a key
//! per instance would make each refuse the others' links and checkpoints). A key file has mode
//! 0600 and is never logged.
//!
//! - the download-link key (HMAC-SHA-256, for the short-lived signed links),
//! - the access-log key (Ed25519, for signed checkpoints); its path is `VOUCHSAFE_AUDIT_KEY`, and
//! - the secrets key (XChaCha20-Poly1305), which encrypts the secrets the database must keep in
//!   a usable form (staff TOTP seeds); its path is `VOUCHSAFE_SECRETS_KEY`.

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
                super::private_fs::create_dir_all(dir)?;
            }
            write_private(path, format!("{}\n", hex::encode(secret)).as_bytes())?;
            tracing::info!(path = %path.display(), "generated a new key file");
            Ok(secret)
        }
        Err(err) => Err(err),
    }
}

/// 32 secret bytes from an existing key file; a missing file is an error, never replaced.
fn load_existing(path: &Path) -> io::Result<[u8; 32]> {
    let text =
        std::fs::read_to_string(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let bytes = hex::decode(text.trim()).map_err(|_| invalid(path))?;
    bytes.try_into().map_err(|_| invalid(path))
}

/// Reads the key at `path`, creating it first when `create` is set and it does not exist.
fn load(path: &Path, create: bool) -> io::Result<[u8; 32]> {
    if create {
        load_or_create(path)
    } else {
        load_existing(path)
    }
}

/// The file names [`generate_set`] writes: the download-link, access-log and secrets keys.
pub const KEY_FILES: [&str; 3] = ["link.key", "audit.key", "secrets.key"];

/// Writes a new set of keys into `dir` (created 0700 if missing), each file 0600, for every
/// instance of one trust center to share. Refuses to overwrite: an existing key file is an error
/// and nothing is written.
pub fn generate_set(dir: &Path) -> io::Result<Vec<std::path::PathBuf>> {
    super::private_fs::create_dir_all(dir)?;
    let paths: Vec<_> = KEY_FILES.iter().map(|name| dir.join(name)).collect();
    if let Some(existing) = paths.iter().find(|p| p.exists()) {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{} already exists; keys are never overwritten", existing.display()),
        ));
    }
    for path in &paths {
        let secret: [u8; 32] = rand::random();
        write_private(path, format!("{}\n", hex::encode(secret)).as_bytes())?;
    }
    Ok(paths)
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
    /// Reads the key file at `path`, or creates one with a new random key when it does not exist;
    /// an unreadable or malformed file is an error, never replaced.
    pub fn load_or_create(path: &Path) -> io::Result<Self> {
        load_or_create(path).map(Self)
    }

    /// Reads the key file at `path`; with `create`, makes it first when it does not exist.
    pub fn load(path: &Path, create: bool) -> io::Result<Self> {
        load(path, create).map(Self)
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
    /// As [`LinkKey::load_or_create`]: the file holds the 32-byte Ed25519 seed.
    pub fn load_or_create(path: &Path) -> io::Result<Self> {
        load_or_create(path).map(|seed| Self(SigningKey::from_bytes(&seed)))
    }

    /// As [`LinkKey::load`].
    pub fn load(path: &Path, create: bool) -> io::Result<Self> {
        load(path, create).map(|seed| Self(SigningKey::from_bytes(&seed)))
    }

    /// The public key, hex: published with every checkpoint so anyone can check signatures.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    /// The 32-byte seed, for deriving the keys that belong to this one ([`super::posture`]).
    pub(crate) fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// An Ed25519 signature over `message`, hex; anyone can check it with [`Self::public_hex`].
    pub fn sign(&self, message: &[u8]) -> String {
        hex::encode(self.0.sign(message).to_bytes())
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditKey(public {})", self.public_hex())
    }
}

/// Encrypts secrets the database has to keep readable (TOTP seeds), so a copy of the database
/// (a backup, a stolen file) without this key does not hand out second factors.
///
/// Each value is sealed with XChaCha20-Poly1305 under a random 192-bit nonce, bound to what it is
/// (`context`, e.g. `totp:staff:12`) as associated data: a sealed value copied onto another row
/// does not open there.
#[derive(Clone)]
pub struct SecretsKey([u8; 32]);

/// Sealed values start with this, so plain values from before encryption can be told apart.
const SEALED_PREFIX: &str = "v1.";

impl SecretsKey {
    /// As [`LinkKey::load_or_create`]. A missing file gets a new key, under which nothing sealed
    /// before opens: back this file up with the database.
    pub fn load_or_create(path: &Path) -> io::Result<Self> {
        load_or_create(path).map(Self)
    }

    /// As [`LinkKey::load`].
    pub fn load(path: &Path, create: bool) -> io::Result<Self> {
        load(path, create).map(Self)
    }

    fn cipher(&self) -> chacha20poly1305::XChaCha20Poly1305 {
        use chacha20poly1305::KeyInit;
        chacha20poly1305::XChaCha20Poly1305::new(&self.0.into())
    }

    /// `v1.` and base64 of nonce ‖ ciphertext.
    pub fn seal(&self, context: &str, plaintext: &str) -> String {
        use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
        use chacha20poly1305::aead::{Aead, Payload};
        let nonce: [u8; 24] = rand::random();
        let sealed = self
            .cipher()
            .encrypt(&nonce.into(), Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() })
            .expect("XChaCha20-Poly1305 encrypts any message shorter than 256 GiB");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// The plaintext, or `None` when the value is not sealed, was sealed for another context or
    /// by another key, or was altered.
    pub fn open(&self, context: &str, sealed: &str) -> Option<String> {
        use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
        use chacha20poly1305::aead::{Aead, Payload};
        let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(SEALED_PREFIX)?).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        let nonce = <[u8; 24]>::try_from(nonce).ok()?;
        let plain = self.cipher().decrypt(&nonce.into(), Payload { msg: ciphertext, aad: context.as_bytes() }).ok()?;
        String::from_utf8(plain).ok()
    }

    /// Whether `value` is a sealed value (rather than a plain one stored by an older version).
    pub fn is_sealed(value: &str) -> bool {
        value.starts_with(SEALED_PREFIX)
    }
}

impl fmt::Debug for SecretsKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretsKey(…)")
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

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_context() {
        let dir = tempfile_dir();
        let key = SecretsKey::load_or_create(&dir.join("secrets.key")).unwrap();
        let sealed = key.seal("totp:staff:1", "JBSWY3DPEHPK3PXP");
        assert!(SecretsKey::is_sealed(&sealed));
        assert!(!sealed.contains("JBSWY3DPEHPK3PXP"));
        assert_ne!(sealed, key.seal("totp:staff:1", "JBSWY3DPEHPK3PXP"), "a fresh nonce each time");
        assert_eq!(key.open("totp:staff:1", &sealed).as_deref(), Some("JBSWY3DPEHPK3PXP"));
        assert_eq!(key.open("totp:staff:2", &sealed), None, "moved to another row");
        let other = SecretsKey::load_or_create(&dir.join("other.key")).unwrap();
        assert_eq!(other.open("totp:staff:1", &sealed), None, "another key");
        let mut tampered = sealed.clone();
        tampered.replace_range(10..11, if &sealed[10..11] == "A" { "B" } else { "A" });
        assert_eq!(key.open("totp:staff:1", &tampered), None);
        assert_eq!(key.open("totp:staff:1", "JBSWY3DPEHPK3PXP"), None, "plain values are not sealed");
        assert_eq!(format!("{key:?}"), "SecretsKey(…)");
        std::fs::remove_dir_all(dir).unwrap();
    }

    fn tempfile_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("vs-keys-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
