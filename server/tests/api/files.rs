//! Stored files: kept in 1 MiB chunks in the database, served a chunk at a time, checked on the
//! way (a changed file is never delivered whole), and carried over from the one-row layout of
//! older versions by the migration. Every test runs on the engine the suite runs on (SQLite, or
//! PostgreSQL under `scripts/test-postgres`).

use crate::helpers::{fresh_postgres_database, spawn_app};
use app::ssr::{
    db::{Backend, Db},
    storage::{sha256_hex, FileStore, CHUNK_BYTES},
};
use futures_util::StreamExt;
use std::io;

/// Bytes that do not compress and differ per `seed` (xorshift).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A database of the engine under test, not migrated; the directory holds it on SQLite.
async fn unmigrated() -> (Db, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = match std::env::var("VOUCHSAFE_TEST_POSTGRES") {
        Ok(server) => fresh_postgres_database(&server).await,
        Err(_) => format!("sqlite://{}?mode=rwc", dir.path().join("files.db").display()),
    };
    (Db::connect(&url).await.unwrap(), dir)
}

async fn store() -> (FileStore, Db, tempfile::TempDir) {
    let (db, dir) = unmigrated().await;
    db.migrate().await.unwrap();
    (FileStore::new(db.clone(), dir.path().join("files")), db, dir)
}

async fn chunk_count(db: &Db, sha: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>("select count(*) from blob_chunks where sha256 = $1")
        .bind(sha)
        .fetch_one(db.pool())
        .await
        .unwrap()
        .0
}

/// Everything a stream of the file gives, in order: chunks, and the error that ended it if any.
async fn streamed(files: &FileStore, sha: &str) -> Vec<io::Result<Vec<u8>>> {
    let stream = files.open(sha).await.unwrap().into_stream();
    stream.map(|item| item.map(|bytes| bytes.to_vec())).collect().await
}

const SIZES: [usize; 6] = [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES + CHUNK_BYTES / 2];

#[tokio::test]
async fn files_are_kept_in_chunks_and_read_back_whole() {
    let (files, db, _dir) = store().await;
    for (seed, size) in SIZES.into_iter().enumerate() {
        let bytes = noise(size, seed as u64);
        let sha = files.put(&bytes).await.unwrap();
        assert_eq!(sha, sha256_hex(&bytes));
        assert_eq!(files.put(&bytes).await.unwrap(), sha, "storing it again is a no-op");
        assert_eq!(chunk_count(&db, &sha).await, size.div_ceil(CHUNK_BYTES) as i64, "{size} bytes");
        assert_eq!(files.get(&sha).await.unwrap(), bytes, "{size} bytes, read whole");

        let chunks = streamed(&files, &sha).await;
        assert!(chunks.iter().all(|c| c.as_ref().is_ok_and(|c| !c.is_empty() && c.len() <= CHUNK_BYTES)));
        let joined: Vec<u8> = chunks.into_iter().flat_map(Result::unwrap).collect();
        assert_eq!(joined, bytes, "{size} bytes, streamed");
        assert_eq!(files.open(&sha).await.unwrap().size(), size as u64);
    }
}

#[tokio::test]
async fn a_changed_file_is_never_delivered_whole() {
    let (files, db, _dir) = store().await;
    let bytes = noise(2 * CHUNK_BYTES + 1000, 7);
    let sha = files.put(&bytes).await.unwrap();
    let set_chunk = |n: i64, chunk: Vec<u8>| {
        let (db, sha) = (db.clone(), sha.clone());
        async move {
            sqlx::query("update blob_chunks set bytes = $1 where sha256 = $2 and n = $3")
                .bind(chunk)
                .bind(sha)
                .bind(n)
                .execute(db.pool())
                .await
                .unwrap();
        }
    };

    // One byte changed, in the last chunk and then in a middle one: the stream stops with an error
    // before the last chunk, so the whole file never reaches anyone.
    for n in [2, 1] {
        let start = n as usize * CHUNK_BYTES;
        let mut changed = bytes[start..(start + CHUNK_BYTES).min(bytes.len())].to_vec();
        changed[0] ^= 1;
        set_chunk(n, changed).await;
        let items = streamed(&files, &sha).await;
        assert_eq!(items.len(), 3, "two chunks, then the error");
        assert!(items[..2].iter().all(Result::is_ok));
        assert_eq!(items[2].as_ref().unwrap_err().kind(), io::ErrorKind::InvalidData);
        assert_eq!(files.get(&sha).await.unwrap_err().kind(), io::ErrorKind::InvalidData);
        set_chunk(n, bytes[start..(start + CHUNK_BYTES).min(bytes.len())].to_vec()).await;
        assert_eq!(files.get(&sha).await.unwrap(), bytes, "mended");
    }

    // A chunk cut short, or gone: refused when opened, before a single byte.
    set_chunk(1, bytes[CHUNK_BYTES..CHUNK_BYTES + 10].to_vec()).await;
    assert_eq!(files.open(&sha).await.unwrap_err().kind(), io::ErrorKind::InvalidData);
    set_chunk(1, bytes[CHUNK_BYTES..2 * CHUNK_BYTES].to_vec()).await;
    sqlx::query("delete from blob_chunks where sha256 = $1 and n = 0").bind(&sha).execute(db.pool()).await.unwrap();
    assert_eq!(files.open(&sha).await.unwrap_err().kind(), io::ErrorKind::InvalidData);

    // An empty file whose row names other bytes' hash.
    let other = sha256_hex(b"not empty");
    sqlx::query("insert into blobs (sha256, size, created_at) values ($1, 0, 0)")
        .bind(&other)
        .execute(db.pool())
        .await
        .unwrap();
    assert_eq!(files.open(&other).await.unwrap_err().kind(), io::ErrorKind::InvalidData);
}

#[tokio::test]
async fn a_public_document_is_streamed_and_a_damaged_one_is_cut_off_unfinished() {
    let app = spawn_app().await;
    let bytes = noise(2 * CHUNK_BYTES + CHUNK_BYTES / 3, 11);
    let sha = app.state.files.put(&bytes).await.unwrap();
    let stored = app::features::documents::server::current_version(&app.state.db, "soc3-report").await.unwrap();
    sqlx::query("update document_versions set sha256 = $1, byte_size = $2 where id = $3")
        .bind(&sha)
        .bind(bytes.len() as i64)
        .bind(stored.version_id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let statuses = || async {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        sqlx::query_as::<_, (String,)>("select status from downloads order by status")
            .fetch_all(app.state.db.pool())
            .await
            .unwrap()
            .into_iter()
            .map(|(s,)| s)
            .collect::<Vec<_>>()
    };

    let res = app.get("/documents/soc3-report/download").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.content_length(), Some(bytes.len() as u64));
    assert_eq!(res.bytes().await.unwrap().to_vec(), bytes);
    assert_eq!(statuses().await, ["completed"]);

    // The last chunk changed: the headers (and the first chunks) are out before the change can be
    // seen, so the connection is cut before the end and the download is recorded as unfinished.
    let mut last = bytes[2 * CHUNK_BYTES..].to_vec();
    last[5] ^= 0x20;
    sqlx::query("update blob_chunks set bytes = $1 where sha256 = $2 and n = 2")
        .bind(last)
        .bind(&sha)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let res = app.get("/documents/soc3-report/download").await;
    assert_eq!(res.status(), 200);
    match res.bytes().await {
        Ok(body) => panic!("a damaged file was delivered ({} of {} bytes)", body.len(), bytes.len()),
        Err(e) => assert!(e.is_body() || e.is_decode(), "{e}"),
    }
    assert_eq!(statuses().await, ["aborted", "completed"]);

    // Chunks that do not add up to the size: refused before anything is sent or counted.
    sqlx::query("delete from blob_chunks where sha256 = $1 and n = 1")
        .bind(&sha)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let res = app.get("/documents/soc3-report/download").await;
    assert_eq!(res.status(), 500);
    assert!(!res.text().await.unwrap().contains("stored file"), "no internal detail to the browser");
    assert_eq!(statuses().await.len(), 2, "not counted");
}

#[tokio::test]
async fn files_stored_whole_by_an_older_version_are_moved_into_chunks_on_upgrade() {
    let (db, dir) = unmigrated().await;
    // The database as version 15 of the schema left it: each file one row of `blobs`.
    let engine = match db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations").join(engine);
    let older = dir.path().join("migrations-0015");
    std::fs::create_dir(&older).unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "0016" {
            std::fs::copy(&path, older.join(&name)).unwrap();
        }
    }
    sqlx::migrate::Migrator::new(older.as_path()).await.unwrap().run(db.pool()).await.unwrap();
    let mut stored = Vec::new();
    for (seed, size) in SIZES.into_iter().enumerate() {
        let bytes = noise(size, 100 + seed as u64);
        let sha = sha256_hex(&bytes);
        sqlx::query("insert into blobs (sha256, size, bytes, created_at) values ($1, $2, $3, 1)")
            .bind(&sha)
            .bind(size as i64)
            .bind(&bytes)
            .execute(db.pool())
            .await
            .unwrap();
        stored.push((sha, bytes));
    }

    db.migrate().await.unwrap();
    let files = FileStore::new(db.clone(), dir.path().join("files"));
    for (sha, bytes) in &stored {
        assert_eq!(chunk_count(&db, sha).await, bytes.len().div_ceil(CHUNK_BYTES) as i64, "{} bytes", bytes.len());
        assert_eq!(&files.get(sha).await.unwrap(), bytes, "{} bytes, intact after the upgrade", bytes.len());
    }
    let whole: Result<(i64,), _> = sqlx::query_as("select count(bytes) from blobs").fetch_one(db.pool()).await;
    assert!(whole.is_err(), "the whole-file column is gone");
}
