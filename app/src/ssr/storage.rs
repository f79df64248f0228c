//! Stored files (document versions, logos, NDA records, buyers' questionnaires, mail
//! attachments), content-addressed by SHA-256 in the database's `blobs` table: every instance of
//! a trust center sees every file, and a backup of the database holds them all. Each read checks
//! the bytes still have their hash.
//!
//! Older versions kept files under `<data dir>/files/ab/abcd…`; [`FileStore::import_legacy`]
//! copies them in at start-up, and a file found only there is copied in when first read.
//!
//! Files are never under a public URL: routes read them here after their own checks.

use super::db::Db;
use crate::ssr::db::Tx;
use sha2::{Digest, Sha256};
use std::{io, path::PathBuf};

/// The store of uploaded and generated files; cloning shares the pool.
#[derive(Debug, Clone)]
pub struct FileStore {
    db: Db,
    /// Where an older version kept files.
    legacy_root: PathBuf,
}

/// The SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn database(e: sqlx::Error) -> io::Error {
    io::Error::other(format!("the file store's database: {e}"))
}

/// Refuses anything but 64 lowercase hex digits: a hash may become a path.
fn checked(sha: &str) -> io::Result<&str> {
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256 hex digest"));
    }
    Ok(sha)
}

/// Stores `bytes` under their hash through `executor` (the pool, or a transaction).
async fn insert<'e>(executor: impl sqlx::Executor<'e, Database = sqlx::Any>, bytes: &[u8]) -> io::Result<String> {
    let sha = sha256_hex(bytes);
    sqlx::query(
        "insert into blobs (sha256, size, bytes, created_at) values ($1, $2, $3, $4) on conflict (sha256) do nothing",
    )
    .bind(&sha)
    .bind(bytes.len() as i64)
    .bind(bytes)
    .bind(crate::types::Timestamp::now().0)
    .execute(executor)
    .await
    .map_err(database)?;
    Ok(sha)
}

impl FileStore {
    /// A store in `db`; `legacy_root` is where an older version kept files (`<data dir>/files`).
    pub fn new(db: Db, legacy_root: impl Into<PathBuf>) -> Self {
        Self { db, legacy_root: legacy_root.into() }
    }

    /// Stores `bytes` and returns their hash; storing the same bytes twice is a no-op, and two
    /// instances storing them at once both succeed.
    pub async fn put(&self, bytes: &[u8]) -> io::Result<String> {
        insert(self.db.pool(), bytes).await
    }

    /// As [`Self::put`], inside the caller's transaction (on SQLite a second connection would
    /// wait for the write lock that transaction holds): the file is stored only if it commits.
    pub async fn put_in(&self, tx: &mut Tx, bytes: &[u8]) -> io::Result<String> {
        insert(&mut **tx, bytes).await
    }

    /// Reads the file with hash `sha` and checks it still has that hash. A file only an older
    /// version's directory holds is copied into the database on the way.
    pub async fn get(&self, sha: &str) -> io::Result<Vec<u8>> {
        let sha = checked(sha)?;
        let row: Option<(Vec<u8>,)> = sqlx::query_as("select bytes from blobs where sha256 = $1")
            .bind(sha)
            .fetch_optional(self.db.pool())
            .await
            .map_err(database)?;
        let bytes = match row {
            Some((bytes,)) => bytes,
            None => {
                let bytes = tokio::fs::read(self.legacy_path(sha)).await?;
                if sha256_hex(&bytes) == sha {
                    self.put(&bytes).await?;
                }
                bytes
            }
        };
        if sha256_hex(&bytes) != sha {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "stored file does not match its hash"));
        }
        Ok(bytes)
    }

    fn legacy_path(&self, sha: &str) -> PathBuf {
        self.legacy_root.join(&sha[..2]).join(sha)
    }

    /// Copies every file an older version kept under the legacy directory into the database
    /// (one at a time; a file whose bytes no longer match its name is skipped and reported).
    /// Returns (copied, skipped). The directory is left in place: delete it once a backup of the
    /// database has been taken.
    pub async fn import_legacy(&self) -> io::Result<(usize, usize)> {
        let (mut copied, mut skipped) = (0, 0);
        let mut shards = match tokio::fs::read_dir(&self.legacy_root).await {
            Ok(dir) => dir,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((0, 0)),
            Err(e) => return Err(e),
        };
        while let Some(shard) = shards.next_entry().await? {
            if !shard.file_type().await?.is_dir() {
                continue;
            }
            let mut files = tokio::fs::read_dir(shard.path()).await?;
            while let Some(file) = files.next_entry().await? {
                let name = file.file_name().to_string_lossy().to_string();
                if checked(&name).is_err() {
                    continue; // temporary files and strangers
                }
                let (present,): (i64,) = sqlx::query_as("select count(*) from blobs where sha256 = $1")
                    .bind(&name)
                    .fetch_one(self.db.pool())
                    .await
                    .map_err(database)?;
                if present > 0 {
                    continue;
                }
                let bytes = tokio::fs::read(file.path()).await?;
                if sha256_hex(&bytes) != name {
                    tracing::warn!(file = %file.path().display(), "a stored file does not match its hash; not copied");
                    skipped += 1;
                    continue;
                }
                self.put(&bytes).await?;
                copied += 1;
            }
        }
        Ok((copied, skipped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store(dir: &std::path::Path) -> FileStore {
        let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        FileStore::new(db, dir.join("files"))
    }

    #[tokio::test]
    async fn files_round_trip_by_hash_and_refuse_path_tricks() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path()).await;
        let sha = store.put(b"hello").await.unwrap();
        assert_eq!(sha, sha256_hex(b"hello"));
        assert_eq!(store.put(b"hello").await.unwrap(), sha, "twice is once");
        assert_eq!(store.get(&sha).await.unwrap(), b"hello");
        assert!(store.get("../../etc/passwd").await.is_err());
        assert!(store.get(&"A".repeat(64)).await.is_err());
        assert_eq!(store.get(&sha256_hex(b"absent")).await.unwrap_err().kind(), io::ErrorKind::NotFound);
    }

    #[tokio::test]
    async fn a_changed_blob_is_refused_and_legacy_files_are_copied_in() {
        let dir = tempfile::tempdir().unwrap();
        let store = store(dir.path()).await;
        let sha = store.put(b"original").await.unwrap();
        sqlx::query("update blobs set bytes = $1 where sha256 = $2")
            .bind(b"tampered".to_vec())
            .bind(&sha)
            .execute(store.db.pool())
            .await
            .unwrap();
        assert_eq!(store.get(&sha).await.unwrap_err().kind(), io::ErrorKind::InvalidData);

        // Files an older version wrote: one good, one whose bytes changed, one stray.
        let good = sha256_hex(b"from before");
        let bad = sha256_hex(b"what it was");
        for (name, bytes) in [(&good, &b"from before"[..]), (&bad, &b"what it is now"[..])] {
            let shard = dir.path().join("files").join(&name[..2]);
            std::fs::create_dir_all(&shard).unwrap();
            std::fs::write(shard.join(name), bytes).unwrap();
        }
        std::fs::write(dir.path().join("files").join(&good[..2]).join(".tmp"), b"x").unwrap();
        assert_eq!(store.import_legacy().await.unwrap(), (1, 1));
        assert_eq!(store.import_legacy().await.unwrap(), (0, 1), "copied once");
        std::fs::remove_dir_all(dir.path().join("files")).unwrap();
        assert_eq!(store.get(&good).await.unwrap(), b"from before", "now served from the database");
    }
}
