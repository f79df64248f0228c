//! tower-sessions' store, on our own database pool.
//!
//! Why not tower-sessions-sqlx-store: it needs a concrete SQLite or PostgreSQL pool (ours is
//! `Any`), and it stores opaque blobs, while staff must be able to list and end their sessions
//! and a deactivation must end all of a person's sessions. So each row also carries who it
//! belongs to, and the key is the SHA-256 of the session id: the database never holds a usable
//! session cookie, and the hash doubles as the handle shown to staff.

use super::{auth, db::Db, tokens::sha256_hex};
use crate::types::Timestamp;
use async_trait::async_trait;
use time::OffsetDateTime;

use tower_sessions::{
    session::{Id, Record},
    session_store::{Error, Result},
    SessionStore,
};

/// Session data keys the store reads to fill its owner columns.
pub const AUTH_KEY: &str = "auth";
/// Where `ssr::auth` keeps the client a session started from (IP and user agent, for the session
/// list).
pub const CLIENT_KEY: &str = "client";

/// The session store the server hands tower-sessions: one `sessions` row per session, keyed by
/// [`session_key`], with its owner and client in their own columns.
#[derive(Debug, Clone)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    /// A store on `db`; the `sessions` table comes from the migrations.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Deletes expired sessions; run periodically.
    pub async fn delete_expired(&self) -> std::result::Result<u64, sqlx::Error> {
        let done = sqlx::query("delete from sessions where expires_at < $1")
            .bind(Timestamp::now().0)
            .execute(self.db.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

/// The row key of session `id`: its SHA-256, hex, so the table never holds a usable cookie value.
pub fn session_key(id: &Id) -> String {
    sha256_hex(id.to_string().as_bytes())
}

fn backend(err: impl std::fmt::Display) -> Error {
    Error::Backend(err.to_string())
}

/// (staff id, prospect id) from the session's auth entry, as written by `ssr::auth`.
fn owner(record: &Record) -> (Option<i64>, Option<i64>) {
    let auth = record.data.get(AUTH_KEY);
    let id_of =
        |kind: &str| auth.and_then(|a| a.get(kind)).and_then(|v| v.get("id")).and_then(serde_json::Value::as_i64);
    let staff = id_of("Staff").or_else(|| id_of("StaffPending"));
    (staff, id_of("Prospect"))
}

fn client(record: &Record) -> (Option<String>, Option<String>) {
    let client = record.data.get(CLIENT_KEY);
    let field = |name: &str| client.and_then(|c| c.get(name)).and_then(|v| v.as_str()).map(str::to_owned);
    (field("ip"), field("user_agent"))
}

/// A record as its row stores it.
struct Row {
    data: String,
    expires_at: i64,
    staff_id: Option<i64>,
    prospect_id: Option<i64>,
    ip: Option<String>,
    user_agent: Option<String>,
    now: i64,
}

impl Row {
    fn of(record: &Record) -> Result<Self> {
        let data = serde_json::to_string(&record.data).map_err(|e| Error::Encode(e.to_string()))?;
        let (staff_id, prospect_id) = owner(record);
        let (ip, user_agent) = client(record);
        let now = Timestamp::now().0;
        let auth: Option<auth::SessionAuth> =
            record.data.get(AUTH_KEY).and_then(|value| serde_json::from_value(value.clone()).ok());
        Ok(Self { data, expires_at: auth::expires_at(auth.as_ref(), now), staff_id, prospect_id, ip, user_agent, now })
    }
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> Result<()> {
        // Ids are 128 random bits; on the astronomically unlikely clash, draw again.
        loop {
            let exists: Option<(String,)> = sqlx::query_as("select id from sessions where id = $1")
                .bind(session_key(&record.id))
                .fetch_optional(self.db.pool())
                .await
                .map_err(backend)?;
            if exists.is_none() {
                break;
            }
            record.id = Id::default();
        }
        let row = Row::of(record)?;
        sqlx::query(
            "insert into sessions (id, data, expires_at, staff_id, prospect_id, ip, user_agent, created_at, last_seen_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(session_key(&record.id))
        .bind(row.data)
        .bind(row.expires_at)
        .bind(row.staff_id)
        .bind(row.prospect_id)
        .bind(row.ip)
        .bind(row.user_agent)
        .bind(row.now)
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    /// Updates a session that exists; never creates one. A request that loaded the session
    /// before it was ended (sign-out elsewhere, "end other sessions", a password reset or a
    /// deactivation) must not bring it back when it finishes: an upsert here would. The
    /// expiry is computed from who the session belongs to (see [`auth::expires_at`]), whatever
    /// the session layer proposes.
    async fn save(&self, record: &Record) -> Result<()> {
        let row = Row::of(record)?;
        sqlx::query(
            "update sessions set data = $2, expires_at = $3, staff_id = $4, prospect_id = $5, ip = $6, user_agent = $7, \
             last_seen_at = $8 where id = $1 and expires_at > $8",
        )
        .bind(session_key(&record.id))
        .bind(row.data)
        .bind(row.expires_at)
        .bind(row.staff_id)
        .bind(row.prospect_id)
        .bind(row.ip)
        .bind(row.user_agent)
        .bind(row.now)
        .execute(self.db.pool())
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> Result<Option<Record>> {
        let row: Option<(String, i64)> =
            sqlx::query_as("select data, expires_at from sessions where id = $1 and expires_at > $2")
                .bind(session_key(id))
                .bind(Timestamp::now().0)
                .fetch_optional(self.db.pool())
                .await
                .map_err(backend)?;
        let Some((data, expires_at)) = row else { return Ok(None) };
        Ok(Some(Record {
            id: *id,
            data: serde_json::from_str(&data).map_err(|e| Error::Decode(e.to_string()))?,
            expiry_date: OffsetDateTime::from_unix_timestamp(expires_at).map_err(|e| Error::Decode(e.to_string()))?,
        }))
    }

    async fn delete(&self, id: &Id) -> Result<()> {
        sqlx::query("delete from sessions where id = $1")
            .bind(session_key(id))
            .execute(self.db.pool())
            .await
            .map_err(backend)?;
        Ok(())
    }
}
