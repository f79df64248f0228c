//! The access log: one append-only, hash-chained table, and its only writer.
//!
//! Each row's `hash` is `SHA-256(0x01 ‖ previous hash ‖ leaf)`, where `leaf` is
//! `SHA-256(0x00 ‖ canonical content)` (RFC 6962's domain-separated leaf hashing). Changing,
//! removing or reordering any row breaks every later hash; database triggers refuse UPDATE and
//! DELETE outright. [`record`] is called inside the transaction of the action it records, so an
//! action and its log row commit or fail together.

use super::{
    db::{Backend, Db, Tx},
    request_meta::RequestMeta,
};
use crate::{error::AppError, types::Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Any, FromRow, Transaction};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What kind of actor did something, as the access log's `actor_kind` records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    Anonymous,
    Prospect,
    Staff,
    System,
}

impl ActorKind {
    /// The value stored in `actor_kind`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Anonymous => "anonymous",
            Self::Prospect => "prospect",
            Self::Staff => "staff",
            Self::System => "system",
        }
    }
}

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: Option<i64>,
    /// An e-mail address, or "anonymous" / "system".
    pub label: String,
    /// Staff roles at the time, comma-separated; empty otherwise.
    pub role: String,
}

impl Actor {
    /// An unknown visitor, labelled "anonymous".
    pub fn anonymous() -> Self {
        Self { kind: ActorKind::Anonymous, id: None, label: "anonymous".into(), role: String::new() }
    }
    /// The service itself (automatic approvals, reminders, the command line), labelled "system".
    pub fn system() -> Self {
        Self { kind: ActorKind::System, id: None, label: "system".into(), role: String::new() }
    }
}

/// How an action ended: done, attempted and failed (a wrong password, a broken download), or
/// refused by a rule or permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    /// The value stored in the log's `outcome` column.
    pub fn code(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Denied => "denied",
        }
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub actor: &'a Actor,
    /// Dotted name, e.g. `staff.sign_in`.
    pub event: &'a str,
    /// What it was done to, e.g. `staff:12`.
    pub object: String,
    pub outcome: Outcome,
    pub details: serde_json::Value,
}

/// A stored row, as read back for verification and views.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct LogRow {
    pub seq: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_label: String,
    pub role: String,
    pub event: String,
    pub object: String,
    pub outcome: String,
    pub ip: String,
    pub user_agent: String,
    pub request_id: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl LogRow {
    /// The canonical bytes the leaf hash covers: a JSON array in fixed field order.
    fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!([
            self.seq,
            self.at,
            self.actor_kind,
            self.actor_id,
            self.actor_label,
            self.role,
            self.event,
            self.object,
            self.outcome,
            self.ip,
            self.user_agent,
            self.request_id,
            self.details,
        ]))
        .unwrap_or_default()
    }

    /// The chain hash this row must carry, given the previous row's hash.
    pub fn expected_hash(&self, prev_hash: &str) -> String {
        let leaf = Sha256::new().chain_update([0u8]).chain_update(self.canonical()).finalize();
        let prev = hex::decode(prev_hash).unwrap_or_default();
        hex::encode(Sha256::new().chain_update([1u8]).chain_update(prev).chain_update(leaf).finalize())
    }
}

const COLUMNS: &str = "seq, at, actor_kind, actor_id, actor_label, role, event, object, outcome, ip, user_agent, \
     request_id, details, prev_hash, hash";

/// Records `event` as part of `tx`: it is appended to the chain when `tx` commits (see
/// [`Tx::commit`]), so the action and its log row are kept together or not at all.
///
/// When the request acts by a signed-in session and the event's actor is that session's owner,
/// the action is authorized once more here, inside its own transaction, against the state as it
/// is now: the session must still exist and a staff member must still be active. A sign-out
/// elsewhere, a password reset, a role change or a deactivation that committed while the request
/// was in flight makes the whole transaction fail, so nothing it wrote is kept.
pub async fn record(tx: &mut Tx, meta: &RequestMeta, event: Event<'_>) -> Result<(), AppError> {
    still_authorized(tx, meta, event.actor).await?;
    // Every field has a bound: much of it comes from what a client typed or sent.
    tx.push_log(Pending {
        actor_kind: event.actor.kind.code(),
        actor_id: event.actor.id,
        actor_label: bounded(&event.actor.label, MAX_LABEL),
        role: bounded(&event.actor.role, MAX_LABEL),
        event: bounded(event.event, MAX_LABEL),
        object: bounded(&event.object, MAX_OBJECT),
        outcome: event.outcome.code(),
        ip: bounded(&meta.ip, 64),
        user_agent: bounded(&meta.user_agent, MAX_USER_AGENT),
        request_id: bounded(&meta.request_id, 64),
        details: bounded_details(event.details),
    });
    Ok(())
}

/// An entry recorded in a transaction, waiting for its place in the chain.
#[derive(Debug)]
pub struct Pending {
    actor_kind: &'static str,
    actor_id: Option<i64>,
    actor_label: String,
    role: String,
    event: String,
    object: String,
    outcome: &'static str,
    ip: String,
    user_agent: String,
    request_id: String,
    details: String,
}

/// Appends `entries` to the chain, in order, as the last statements of their transaction. On
/// PostgreSQL writers take turns here, and only here: the chain needs its true previous row, and
/// the lock is held from reading it until the commit that follows. (SQLite transactions are
/// serialised already: see [`Db::begin`].)
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    entries: Vec<Pending>,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query("lock table access_log in share row exclusive mode").execute(&mut **tx).await?;
    }
    let last: Option<(i64, String)> =
        sqlx::query_as("select seq, hash from access_log order by seq desc limit 1").fetch_optional(&mut **tx).await?;
    let (mut prev_seq, mut prev_hash) = last.unwrap_or((0, GENESIS.to_string()));
    let at = Timestamp::now().0;
    let mut appended = Vec::with_capacity(entries.len());
    for entry in entries {
        let mut row = LogRow {
            seq: prev_seq + 1,
            at,
            actor_kind: entry.actor_kind.into(),
            actor_id: entry.actor_id,
            actor_label: entry.actor_label,
            role: entry.role,
            event: entry.event,
            object: entry.object,
            outcome: entry.outcome.into(),
            ip: entry.ip,
            user_agent: entry.user_agent,
            request_id: entry.request_id,
            details: entry.details,
            prev_hash,
            hash: String::new(),
        };
        row.hash = row.expected_hash(&row.prev_hash);
        sqlx::query(&format!(
            "insert into access_log ({COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(row.seq)
        .bind(row.at)
        .bind(&row.actor_kind)
        .bind(row.actor_id)
        .bind(&row.actor_label)
        .bind(&row.role)
        .bind(&row.event)
        .bind(&row.object)
        .bind(&row.outcome)
        .bind(&row.ip)
        .bind(&row.user_agent)
        .bind(&row.request_id)
        .bind(&row.details)
        .bind(&row.prev_hash)
        .bind(&row.hash)
        .execute(&mut **tx)
        .await?;
        prev_seq = row.seq;
        prev_hash = row.hash.clone();
        appended.push(row);
    }
    // The webhook outbox: events these rows stand for are queued in the same transaction.
    super::webhook_outbox::enqueue_logged(tx, &appended).await
}

async fn still_authorized(tx: &mut Tx, meta: &RequestMeta, actor: &Actor) -> Result<(), AppError> {
    let Some(owner) = &meta.session else { return Ok(()) };
    let live: Option<(i64,)> = match (actor.kind, actor.id) {
        (ActorKind::Staff, Some(id)) if owner.staff_id == Some(id) => {
            sqlx::query_as(
                "select 1 from sessions s join staff_users u on u.id = s.staff_id \
                 where s.id = $1 and u.id = $2 and u.active = 1",
            )
            .bind(&owner.key)
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
        }
        (ActorKind::Prospect, Some(id)) if owner.prospect_id == Some(id) => {
            sqlx::query_as("select 1 from sessions where id = $1 and prospect_id = $2")
                .bind(&owner.key)
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
        }
        // Someone else's event (a sign-in link confirmed, a system job): nothing to re-check.
        _ => return Ok(()),
    };
    match live {
        Some(_) => Ok(()),
        None => {
            tracing::warn!(actor_kind = actor.kind.code(), "an action outlived its session; refused");
            Err(AppError::Unauthenticated)
        }
    }
}

const MAX_LABEL: usize = 320;
const MAX_OBJECT: usize = 300;
const MAX_USER_AGENT: usize = 512;
/// The details of one event, as JSON; larger ones keep their start, marked truncated.
pub const MAX_DETAILS: usize = 16 * 1024;

fn bounded(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

fn bounded_details(details: serde_json::Value) -> String {
    let text = details.to_string();
    if text.len() <= MAX_DETAILS {
        return text;
    }
    let start: String = text.chars().take(MAX_DETAILS / 2).collect();
    serde_json::json!({ "truncated": true, "bytes": text.len(), "start": start }).to_string()
}

/// Records `event` in a transaction of its own (for events that are the whole action, such as
/// a refused sign-in).
pub async fn record_alone(db: &Db, meta: &RequestMeta, event: Event<'_>) -> Result<(), AppError> {
    let mut tx = db.begin().await?;
    record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub entries: i64,
    pub last_hash: String,
}

/// Up to `limit` rows with `seq` after `after`, in order: the access-log feed's pages.
pub async fn rows_after(db: &Db, after: i64, limit: i64) -> Result<Vec<LogRow>, sqlx::Error> {
    sqlx::query_as(&format!("select {COLUMNS} from access_log where seq > $1 order by seq limit {}", limit.max(0)))
        .bind(after)
        .fetch_all(db.pool())
        .await
}

/// A break in the chain: the first bad sequence number and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    pub seq: i64,
    pub problem: String,
}

/// Walks the whole log in order, checking sequence continuity, each row's hash and the links.
pub async fn verify_chain(db: &Db) -> Result<Result<ChainReport, ChainBreak>, AppError> {
    let mut expected_seq = 1;
    let mut prev_hash = GENESIS.to_string();
    let page = 1000;
    loop {
        let rows: Vec<LogRow> =
            sqlx::query_as(&format!("select {COLUMNS} from access_log where seq >= $1 order by seq limit {page}"))
                .bind(expected_seq)
                .fetch_all(db.pool())
                .await?;
        let done = rows.len() < page;
        for row in rows {
            if row.seq != expected_seq {
                return Ok(Err(ChainBreak { seq: expected_seq, problem: format!("missing; next is {}", row.seq) }));
            }
            if row.prev_hash != prev_hash {
                return Ok(Err(ChainBreak { seq: row.seq, problem: "does not link to the previous row".into() }));
            }
            if row.expected_hash(&prev_hash) != row.hash {
                return Ok(Err(ChainBreak { seq: row.seq, problem: "content does not match its hash".into() }));
            }
            prev_hash = row.hash;
            expected_seq += 1;
        }
        if done {
            return Ok(Ok(ChainReport { entries: expected_seq - 1, last_hash: prev_hash }));
        }
    }
}
