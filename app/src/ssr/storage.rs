//! Stored files (document versions, logos), content-addressed by SHA-256 under the data dir.
//!
//! Files are never under a public URL: routes read them here after their own checks.

use sha2::{Digest, Sha256};
use std::{io, path::PathBuf};

/// The store of uploaded and generated files under one directory; cloning shares the same root.
#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

/// The SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl FileStore {
    /// A store rooted at `root`; directories are created on the first write, not here.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// Stores `bytes` and returns their hash. Writing is atomic (temporary file, then rename),
    /// and storing the same bytes twice is a no-op.
    pub async fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let sha = sha256_hex(bytes);
        let path = self.path(&sha)?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(sha);
        }
        let dir = path.parent().expect("stored files live in a subdirectory");
        let mut mkdir = tokio::fs::DirBuilder::new();
        mkdir.recursive(true);
        #[cfg(unix)]
        mkdir.mode(super::private_fs::DIR_MODE);
        mkdir.create(dir).await?;
        let tmp = dir.join(format!(".{sha}.{}.tmp", rand::random::<u64>()));
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        // Restricted originals and NDA records: readable by the service only.
        #[cfg(unix)]
        options.mode(super::private_fs::FILE_MODE);
        let mut file = options.open(&tmp).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, bytes).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&tmp, &path).await?;
        Ok(sha)
    }

    /// Reads the file with hash `sha` and checks it still has that hash.
    pub async fn get(&self, sha: &str) -> io::Result<Vec<u8>> {
        let bytes = tokio::fs::read(self.path(sha)?).await?;
        if sha256_hex(&bytes) != sha {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "stored file does not match its hash"));
        }
        Ok(bytes)
    }

    fn path(&self, sha: &str) -> io::Result<PathBuf> {
        // The hash becomes a path: accept nothing but 64 lowercase hex digits.
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256 hex digest"));
        }
        Ok(self.root.join(&sha[..2]).join(sha))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_round_trip_by_hash_and_refuse_path_tricks() {
        let dir = std::env::temp_dir().join(format!("vs-store-{}", rand::random::<u64>()));
        let store = FileStore::new(&dir);
        let sha = store.put(b"hello").await.unwrap();
        assert_eq!(sha, sha256_hex(b"hello"));
        assert_eq!(store.put(b"hello").await.unwrap(), sha);
        assert_eq!(store.get(&sha).await.unwrap(), b"hello");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir.join(&sha[..2]).join(&sha)), 0o600);
            assert_eq!(mode(&dir.join(&sha[..2])), 0o700);
        }
        assert!(store.get("../../etc/passwd").await.is_err());
        assert!(store.get(&"A".repeat(64)).await.is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
