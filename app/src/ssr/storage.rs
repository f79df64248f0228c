//! Stored files (document versions, logos, NDA records, buyers' questionnaires, mail
//! attachments), content-addressed by SHA-256 in the database: every instance of a trust center
//! sees every file, and a backup of the database holds them all.
//!
//! A file is kept in [`CHUNK_BYTES`] chunks (`blob_chunks`) under one `blobs` row (hash, size),
//! written together in one transaction, the `blobs` row last. It is read a chunk at a time:
//! [`FileStore::open`] gives a [`BlobReader`] that serves it as a stream without ever holding more
//! than one chunk, checks the chunks add up to the size before the first byte, and hashes as it
//! goes, keeping the last chunk back until the whole file has its hash: a changed file is never
//! delivered whole. [`FileStore::get`] reads a whole file for the work that needs all of it
//! (stamping, mail attachments, reading a questionnaire).
//!
//! Older versions kept files under `<data dir>/files/ab/abcd…`; [`FileStore::import_legacy`]
//! copies them in at start-up, and a file found only there is copied in when first read.
//!
//! Files are never under a public URL: routes read them here after their own checks.

use super::db::Db;
use crate::ssr::db::Tx;
use bytes::Bytes;
use futures_util::Stream;
use sha2::{Digest, Sha256};
use std::{io, path::PathBuf};

/// The size of a stored chunk: what a reader holds in memory at a time.
pub const CHUNK_BYTES: usize = 1024 * 1024;

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

fn damaged(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("stored file {what}"))
}

/// Refuses anything but 64 lowercase hex digits: a hash may become a path.
fn checked(sha: &str) -> io::Result<&str> {
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256 hex digest"));
    }
    Ok(sha)
}

/// Stores `bytes` under their hash inside `tx`: the chunks, then the `blobs` row. A file already
/// stored is left as it is.
async fn insert(tx: &mut Tx, bytes: &[u8]) -> io::Result<String> {
    let sha = sha256_hex(bytes);
    let present: Option<(i64,)> = sqlx::query_as("select size from blobs where sha256 = $1")
        .bind(&sha)
        .fetch_optional(&mut **tx)
        .await
        .map_err(database)?;
    if present.is_some() {
        return Ok(sha);
    }
    for (n, chunk) in bytes.chunks(CHUNK_BYTES).enumerate() {
        sqlx::query(
            "insert into blob_chunks (sha256, n, bytes) values ($1, $2, $3) on conflict (sha256, n) do nothing",
        )
        .bind(&sha)
        .bind(n as i64)
        .bind(chunk)
        .execute(&mut **tx)
        .await
        .map_err(database)?;
    }
    sqlx::query("insert into blobs (sha256, size, created_at) values ($1, $2, $3) on conflict (sha256) do nothing")
        .bind(&sha)
        .bind(bytes.len() as i64)
        .bind(crate::types::Timestamp::now().0)
        .execute(&mut **tx)
        .await
        .map_err(database)?;
    Ok(sha)
}

/// A stored file being read a chunk at a time, its hash checked on the way.
#[derive(Debug)]
pub struct BlobReader {
    db: Db,
    sha: String,
    size: u64,
    chunks: i64,
    next: i64,
    read: u64,
    hasher: Sha256,
}

impl BlobReader {
    /// The file's size in bytes (checked against its chunks when it was opened).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The next chunk, or `None` after the last. The last chunk comes only once the whole file
    /// has been seen to have its hash; a missing or changed chunk is an `InvalidData` error.
    pub async fn next_chunk(&mut self) -> io::Result<Option<Vec<u8>>> {
        if self.next >= self.chunks {
            return Ok(None);
        }
        let row: Option<(Vec<u8>,)> = sqlx::query_as("select bytes from blob_chunks where sha256 = $1 and n = $2")
            .bind(&self.sha)
            .bind(self.next)
            .fetch_optional(self.db.pool())
            .await
            .map_err(database)?;
        let Some((chunk,)) = row else { return Err(damaged("is missing a chunk")) };
        self.next += 1;
        self.read += chunk.len() as u64;
        if self.read > self.size {
            return Err(damaged("is longer than its size"));
        }
        self.hasher.update(&chunk);
        if self.next == self.chunks {
            let hash = hex::encode(std::mem::take(&mut self.hasher).finalize());
            if self.read != self.size || hash != self.sha {
                return Err(damaged("does not match its hash"));
            }
        }
        Ok(Some(chunk))
    }

    /// The whole file in memory, checked.
    pub async fn read_all(mut self) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::with_capacity(usize::try_from(self.size).unwrap_or(0).min(64 * CHUNK_BYTES));
        while let Some(chunk) = self.next_chunk().await? {
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// The file as a stream of chunks for a response body: at most one chunk in memory, and the
    /// stream ends in an error (the connection is cut) rather than deliver a changed file whole.
    pub fn into_stream(self) -> impl Stream<Item = io::Result<Bytes>> + Send + 'static {
        futures_util::stream::try_unfold(self, |mut reader| async move {
            Ok(reader.next_chunk().await?.map(|chunk| (Bytes::from(chunk), reader)))
        })
    }
}

impl FileStore {
    /// A store in `db`; `legacy_root` is where an older version kept files (`<data dir>/files`).
    pub fn new(db: Db, legacy_root: impl Into<PathBuf>) -> Self {
        Self { db, legacy_root: legacy_root.into() }
    }

    /// Stores `bytes` and returns their hash, in a transaction of its own; storing the same bytes
    /// twice is a no-op, and two instances storing them at once both succeed.
    pub async fn put(&self, bytes: &[u8]) -> io::Result<String> {
        let mut tx = self.db.begin().await.map_err(database)?;
        let sha = insert(&mut tx, bytes).await?;
        tx.commit().await.map_err(|e| io::Error::other(format!("storing a file: {e}")))?;
        Ok(sha)
    }

    /// As [`Self::put`], inside the caller's transaction (on SQLite a second connection would
    /// wait for the write lock that transaction holds): the file is stored only if it commits.
    pub async fn put_in(&self, tx: &mut Tx, bytes: &[u8]) -> io::Result<String> {
        insert(tx, bytes).await
    }

    /// Opens the file with hash `sha` for reading, after checking its chunks add up to its size
    /// (`NotFound` when there is no such file). A file only an older version's directory holds
    /// is copied into the database first.
    pub async fn open(&self, sha: &str) -> io::Result<BlobReader> {
        let sha = checked(sha)?;
        let size = match self.size_of(sha).await? {
            Some(size) => size,
            None => {
                let bytes = tokio::fs::read(self.legacy_path(sha)).await?;
                if sha256_hex(&bytes) != sha {
                    return Err(damaged("does not match its hash"));
                }
                self.put(&bytes).await?;
                self.size_of(sha).await?.ok_or_else(|| damaged("was not stored"))?
            }
        };
        let (chunks, total): (i64, i64) =
            sqlx::query_as("select count(*), coalesce(sum(length(bytes)), 0) from blob_chunks where sha256 = $1")
                .bind(sha)
                .fetch_one(self.db.pool())
                .await
                .map_err(database)?;
        let size = u64::try_from(size).map_err(|_| damaged("has a negative size"))?;
        if u64::try_from(total).ok() != Some(size) {
            return Err(damaged("does not add up to its size"));
        }
        if chunks == 0 && sha != sha256_hex(b"") {
            return Err(damaged("does not match its hash"));
        }
        Ok(BlobReader {
            db: self.db.clone(),
            sha: sha.to_string(),
            size,
            chunks,
            next: 0,
            read: 0,
            hasher: Sha256::new(),
        })
    }

    /// Reads the whole file with hash `sha` and checks it still has that hash.
    pub async fn get(&self, sha: &str) -> io::Result<Vec<u8>> {
        self.open(sha).await?.read_all().await
    }

    async fn size_of(&self, sha: &str) -> io::Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as("select size from blobs where sha256 = $1")
            .bind(sha)
            .fetch_optional(self.db.pool())
            .await
            .map_err(database)?;
        Ok(row.map(|(size,)| size))
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
        for (changed, why) in [(&b"tampered"[..], "same size, other bytes"), (&b"longer bytes"[..], "other size")] {
            sqlx::query("update blob_chunks set bytes = $1 where sha256 = $2")
                .bind(changed)
                .bind(&sha)
                .execute(store.db.pool())
                .await
                .unwrap();
            assert_eq!(store.get(&sha).await.unwrap_err().kind(), io::ErrorKind::InvalidData, "{why}");
        }

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
