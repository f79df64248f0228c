//! Checkpoints of the access log, its full verification, and the staff search.

use super::model::{LogEntry, LogFilter, LogPage};
use crate::{
    error::AppError,
    ssr::{
        audit::{verify_chain, ChainBreak},
        db::Db,
        keys::{verify_signature, AuditKey},
    },
    types::{IsoDate, Timestamp},
};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

/// A checkpoint is made after this many new entries, or this long after the last one.
pub const CHECKPOINT_EVERY_ENTRIES: i64 = 100;
/// The longest an entry waits unsigned, in seconds: a checkpoint is due once the oldest entry
/// after the last checkpoint is this old.
pub const CHECKPOINT_EVERY_SECONDS: i64 = 10 * 60;

/// What a checkpoint signs.
pub fn checkpoint_message(seq: i64, hash: &str, created_at: i64) -> Vec<u8> {
    format!("vouchsafe-audit-checkpoint:v1:{seq}:{hash}:{created_at}").into_bytes()
}

/// A signed checkpoint: the log's head (`seq` and its chain `hash`) at `created_at` (Unix
/// seconds), with the signature and the hex public key that made it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub created_at: i64,
    pub public_key: String,
    pub signature: String,
}

async fn head(db: &Db) -> Result<Option<(i64, String)>, AppError> {
    Ok(sqlx::query_as("select seq, hash from access_log order by seq desc limit 1").fetch_optional(db.pool()).await?)
}

/// Signs the log's head now, if anything was added since the last checkpoint.
pub async fn checkpoint_now(db: &Db, key: &AuditKey) -> Result<Option<Checkpoint>, AppError> {
    let Some((seq, hash)) = head(db).await? else { return Ok(None) };
    // One checkpoint per head, whichever instance gets there first: the check and the insert
    // happen under a lock the other instances' checkpointers wait for (SQLite's write
    // transaction is one already).
    let mut tx = db.begin().await?;
    if db.backend() == crate::ssr::db::Backend::Postgres {
        sqlx::query("lock table audit_checkpoints in share row exclusive mode").execute(&mut *tx).await?;
    }
    let last: Option<(i64,)> =
        sqlx::query_as("select seq from audit_checkpoints order by seq desc limit 1").fetch_optional(&mut *tx).await?;
    if last.is_some_and(|(s,)| s >= seq) {
        return Ok(None);
    }
    let created_at = Timestamp::now().0;
    let checkpoint = Checkpoint {
        seq,
        signature: key.sign(&checkpoint_message(seq, &hash, created_at)),
        hash,
        created_at,
        public_key: key.public_hex(),
    };
    sqlx::query(
        "insert into audit_checkpoints (seq, hash, created_at, public_key, signature) values ($1, $2, $3, $4, $5)",
    )
    .bind(checkpoint.seq)
    .bind(&checkpoint.hash)
    .bind(checkpoint.created_at)
    .bind(&checkpoint.public_key)
    .bind(&checkpoint.signature)
    .execute(&mut *tx)
    .await?;
    let data = serde_json::json!({
        "object": { "type": "checkpoint", "id": checkpoint.seq },
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "public_key": checkpoint.public_key,
        "signature": checkpoint.signature,
    });
    crate::ssr::webhook_outbox::enqueue(&mut tx, "audit.checkpoint", &data, created_at).await?;
    tx.commit().await?;
    Ok(Some(checkpoint))
}

/// Makes a checkpoint when `CHECKPOINT_EVERY_ENTRIES` entries are unsigned, or when the oldest
/// unsigned entry is `CHECKPOINT_EVERY_SECONDS` old: no entry waits longer than that to be
/// covered by a signature. Called every second by the server.
pub async fn maybe_checkpoint(db: &Db, key: &AuditKey) -> Result<Option<Checkpoint>, AppError> {
    let Some((head_seq, _)) = head(db).await? else { return Ok(None) };
    let last: Option<(i64,)> =
        sqlx::query_as("select seq from audit_checkpoints order by seq desc limit 1").fetch_optional(db.pool()).await?;
    let signed = last.map_or(0, |(seq,)| seq);
    if head_seq <= signed {
        return Ok(None);
    }
    let due = head_seq - signed >= CHECKPOINT_EVERY_ENTRIES || {
        let oldest: Option<(i64,)> = sqlx::query_as("select at from access_log where seq > $1 order by seq limit 1")
            .bind(signed)
            .fetch_optional(db.pool())
            .await?;
        oldest.is_some_and(|(at,)| Timestamp::now().0 - at >= CHECKPOINT_EVERY_SECONDS)
    };
    if due {
        checkpoint_now(db, key).await
    } else {
        Ok(None)
    }
}

/// Every stored checkpoint, oldest first: what `audit export-checkpoints` writes and sales
/// download as JSON.
pub async fn checkpoints(db: &Db) -> Result<Vec<Checkpoint>, AppError> {
    Ok(sqlx::query_as("select seq, hash, created_at, public_key, signature from audit_checkpoints order by seq")
        .fetch_all(db.pool())
        .await?)
}

/// The result of `vouchsafe audit verify`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Ok { entries: i64, checkpoints: usize, external: usize },
    Broken { seq: i64, problem: String },
}

/// What `verify_all` checks the log against.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    /// The public key every checkpoint must be signed by (hex), pinned by the verifier.
    pub trusted_key: String,
    /// Checkpoints kept outside the database (exported earlier, or copied from the public
    /// address), each with where it came from.
    pub external: Vec<(String, Checkpoint)>,
}

/// Checks sequence continuity, every row hash and the chain; then every checkpoint in the
/// database and every external one: signed by the trusted key, and the chain still has the hash
/// it signed at its position. External checkpoints must also still be in the database.
///
/// What each check catches: a row edited in place breaks its hash; a row removed or reordered
/// breaks the chain; a chain recomputed from some row onwards no longer matches the checkpoints
/// signed before (unless the key was stolen too, and then not the external ones); checkpoints
/// signed by another key are refused against the pinned one; a tail removed together with the
/// checkpoints that covered it is caught by an external checkpoint beyond the new end.
pub async fn verify_all(db: &Db, evidence: &Evidence) -> Result<Verification, AppError> {
    let chain = verify_chain(db).await?;
    let mut breaks: Vec<ChainBreak> = Vec::new();
    let entries = match &chain {
        Ok(report) => report.entries,
        Err(b) => {
            breaks.push(b.clone());
            b.seq - 1
        }
    };
    let stored = checkpoints(db).await?;
    let mut check = |cp: &Checkpoint, origin: &str, problem: Option<String>| {
        if let Some(problem) = problem {
            breaks.push(ChainBreak { seq: cp.seq, problem: format!("{problem} ({origin})") });
        }
    };
    for cp in &stored {
        check(cp, "checkpoint in the database", checkpoint_problem(db, cp, &evidence.trusted_key, entries).await?);
    }
    for (origin, cp) in &evidence.external {
        let mut problem = checkpoint_problem(db, cp, &evidence.trusted_key, entries).await?;
        if problem.is_none() && !stored.contains(cp) {
            problem = Some("this signed checkpoint is missing from the database".into());
        }
        check(cp, origin, problem);
    }
    if breaks.is_empty() {
        let signed =
            stored.iter().chain(evidence.external.iter().map(|(_, cp)| cp)).map(|cp| cp.seq).max().unwrap_or(0);
        if let Some(problem) = unsigned_tail_problem(db, signed, entries).await? {
            breaks.push(ChainBreak { seq: signed + 1, problem });
        }
    }
    if breaks.is_empty() {
        if let Some(problem) = missing_triggers(db).await? {
            return Ok(Verification::Broken { seq: 0, problem });
        }
    }
    Ok(match breaks.into_iter().min_by_key(|b| b.seq) {
        Some(b) => Verification::Broken { seq: b.seq, problem: b.problem },
        None => Verification::Ok { entries, checkpoints: stored.len(), external: evidence.external.len() },
    })
}

/// Entries a running server leaves unsigned at most: the checkpoint rule's count, and slack for
/// the second it takes to sign.
const UNSIGNED_ENTRIES_SLACK: i64 = 50;
/// How old the oldest unsigned entry may be: the checkpoint rule's time, and slack.
const UNSIGNED_AGE_SLACK: i64 = 5 * 60;

/// The server signs a checkpoint within a second of the 100th unsigned entry and within ten
/// minutes of the oldest one, and at shutdown; the CLI signs after its own writes. So a long or
/// old unsigned tail means checkpoints were removed (or entries added without the server).
async fn unsigned_tail_problem(db: &Db, signed: i64, entries: i64) -> Result<Option<String>, AppError> {
    let unsigned = entries - signed;
    if unsigned <= 0 {
        return Ok(None);
    }
    let (oldest,): (i64,) =
        sqlx::query_as("select at from access_log where seq = $1").bind(signed + 1).fetch_one(db.pool()).await?;
    let age = Timestamp::now().0 - oldest;
    let too_many = unsigned > CHECKPOINT_EVERY_ENTRIES + UNSIGNED_ENTRIES_SLACK;
    let too_old = age > CHECKPOINT_EVERY_SECONDS + UNSIGNED_AGE_SLACK;
    Ok((too_many || too_old).then(|| {
        format!(
            "{unsigned} entries after sequence number {signed} are not covered by any signed checkpoint, the oldest \
             {} minutes old (a running server signs within 100 entries and 10 minutes): checkpoints were removed, \
             or entries were written without the server. If the server was stopped or crashed, start it (or run \
             `vouchsafe audit checkpoint` if you trust the database as it is) and verify again",
            age / 60
        )
    }))
}

/// The triggers that keep the log and its checkpoints append-only, by engine.
const SQLITE_TRIGGERS: &[&str] = &[
    "access_log_no_update",
    "access_log_no_delete",
    "access_log_no_replace",
    "audit_checkpoints_no_update",
    "audit_checkpoints_no_delete",
    "audit_checkpoints_no_replace",
];
const POSTGRES_TRIGGERS: &[&str] =
    &["access_log_no_update", "access_log_no_truncate", "audit_checkpoints_no_change", "audit_checkpoints_no_truncate"];

/// Which append-only triggers are gone, if any.
async fn missing_triggers(db: &Db) -> Result<Option<String>, AppError> {
    let (names, query) = match db.backend() {
        crate::ssr::db::Backend::Sqlite => (SQLITE_TRIGGERS, "select name from sqlite_master where type = 'trigger'"),
        crate::ssr::db::Backend::Postgres => (POSTGRES_TRIGGERS, "select tgname::text from pg_trigger"),
    };
    let present: Vec<(String,)> = sqlx::query_as(query).fetch_all(db.pool()).await?;
    let missing: Vec<&str> = names.iter().copied().filter(|n| !present.iter().any(|(p,)| p == n)).collect();
    Ok((!missing.is_empty()).then(|| {
        format!(
            "the append-only triggers {} were removed: the log may have been changed through them",
            missing.join(", ")
        )
    }))
}

/// Why `cp` does not vouch for the log (`None`: it does). `entries` is where the intact chain
/// ends.
async fn checkpoint_problem(
    db: &Db,
    cp: &Checkpoint,
    trusted_key: &str,
    entries: i64,
) -> Result<Option<String>, AppError> {
    if cp.public_key != trusted_key {
        return Ok(Some(format!(
            "checkpoint signed by another key ({}…), not the trusted one",
            cp.public_key.chars().take(16).collect::<String>()
        )));
    }
    if !verify_signature(&cp.public_key, &checkpoint_message(cp.seq, &cp.hash, cp.created_at), &cp.signature) {
        return Ok(Some("checkpoint signature is invalid".into()));
    }
    if cp.seq > entries {
        let (head,): (Option<i64>,) = sqlx::query_as("select max(seq) from access_log").fetch_one(db.pool()).await?;
        if head.unwrap_or(0) < cp.seq {
            return Ok(Some(format!(
                "a signed checkpoint covers entries up to {}, but the log ends at {}: entries were removed (truncated log)",
                cp.seq,
                head.unwrap_or(0)
            )));
        }
    }
    let row: Option<(String,)> =
        sqlx::query_as("select hash from access_log where seq = $1").bind(cp.seq).fetch_optional(db.pool()).await?;
    Ok(match row {
        None => Some("checkpoint covers entries that are missing (truncated log)".into()),
        Some((hash,)) if hash != cp.hash => Some("entries up to here differ from what was signed".into()),
        Some(_) => None,
    })
}

/// Reads checkpoints kept outside the database: the JSON array `audit export-checkpoints`
/// writes, a single checkpoint as the public address serves it, or JSON lines of either.
pub fn parse_checkpoints(text: &str) -> Result<Vec<Checkpoint>, String> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        Many(Vec<Checkpoint>),
        One(Checkpoint),
    }
    let whole = serde_json::from_str::<OneOrMany>(text);
    let parsed = match whole {
        Ok(value) => vec![value],
        Err(_) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .enumerate()
            .map(|(n, line)| serde_json::from_str::<OneOrMany>(line).map_err(|e| format!("line {}: {e}", n + 1)))
            .collect::<Result<Vec<_>, _>>()?,
    };
    let all: Vec<Checkpoint> = parsed
        .into_iter()
        .flat_map(|v| match v {
            OneOrMany::Many(list) => list,
            OneOrMany::One(cp) => vec![cp],
        })
        .collect();
    if all.is_empty() {
        return Err("holds no checkpoints".into());
    }
    Ok(all)
}

/// The newest signed checkpoint, as published at the public address for anyone to keep.
pub async fn latest_checkpoint(db: &Db) -> Result<Option<Checkpoint>, AppError> {
    Ok(sqlx::query_as(
        "select seq, hash, created_at, public_key, signature from audit_checkpoints order by seq desc limit 1",
    )
    .fetch_optional(db.pool())
    .await?)
}

#[derive(FromRow)]
struct EntryRow {
    seq: i64,
    at: i64,
    actor_kind: String,
    actor_label: String,
    role: String,
    event: String,
    object: String,
    outcome: String,
    ip: String,
    user_agent: String,
    request_id: String,
    details: String,
}

/// The staff search: newest first, `limit` at a time. Each filter is a case-insensitive
/// "contains": person (actor), company (the prospect's company), document (object or details),
/// event; dates bound the UTC day range.
pub async fn search(db: &Db, filter: &LogFilter, offset: i64, limit: i64) -> Result<LogPage, AppError> {
    let like = |s: &str| format!("%{}%", s.trim().to_lowercase().replace(['%', '_'], ""));
    let from = filter.from.map(day_start).unwrap_or(0);
    let to = filter.to.map(|d| day_start(d) + 86_400).unwrap_or(i64::MAX / 2);
    // One condition for the page, its count and the CSV: every filter in the database, so paging
    // reaches the oldest entry of a log of any length.
    const WHERE: &str = "from access_log l \
         left join prospects p on l.actor_kind = 'prospect' and p.id = l.actor_id \
         left join companies c on c.id = p.company_id \
         where lower(l.actor_label) like $1 and lower(l.event) like $2 and l.at >= $3 and l.at < $4 \
         and ($5 = '' or lower(coalesce(c.name, '')) like $6 or lower(coalesce(c.domain, '')) like $6) \
         and ($7 = '' or lower(l.details) like $8 or lower(l.object) like $8 or l.object in \
              (select 'document:' || d.id from documents d where lower(d.title) like $8 or lower(d.slug) like $8))";
    macro_rules! bind_filter {
        ($query:expr) => {
            $query
                .bind(like(&filter.person))
                .bind(like(&filter.event))
                .bind(from)
                .bind(to)
                .bind(filter.company.trim())
                .bind(like(&filter.company))
                .bind(filter.document.trim())
                .bind(like(&filter.document))
        };
    }
    let (total,): (i64,) =
        bind_filter!(sqlx::query_as(&format!("select count(*) {WHERE}"))).fetch_one(db.pool()).await?;
    let rows: Vec<EntryRow> = bind_filter!(sqlx::query_as(&format!(
        "select l.seq, l.at, l.actor_kind, l.actor_label, l.role, l.event, l.object, l.outcome, l.ip, l.user_agent, \
         l.request_id, l.details {WHERE} order by l.seq desc limit $9 offset $10"
    )))
    .bind(limit)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    let entries = rows
        .into_iter()
        .map(|r| LogEntry {
            seq: r.seq,
            at: Timestamp(r.at),
            actor_kind: r.actor_kind,
            actor: r.actor_label,
            role: r.role,
            event: r.event,
            object: r.object,
            outcome: r.outcome,
            ip: r.ip,
            user_agent: r.user_agent,
            request_id: r.request_id,
            details: r.details,
        })
        .collect();
    Ok(LogPage { entries, total: total as usize, offset: offset as usize })
}

fn day_start(date: IsoDate) -> i64 {
    time::OffsetDateTime::new_utc(date.date(), time::Time::MIDNIGHT).unix_timestamp()
}

/// Quotes a CSV field (RFC 4180), and neutralises cells a spreadsheet would run as a formula.
pub fn csv_field(text: &str) -> String {
    let guarded =
        if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The search as CSV.
pub fn to_csv(entries: &[LogEntry]) -> String {
    let mut out =
        String::from("seq,time_utc,actor_kind,actor,role,event,object,outcome,ip,user_agent,request_id,details\r\n");
    for e in entries {
        let fields = [
            e.seq.to_string(),
            e.at.rfc3339(),
            e.actor_kind.clone(),
            e.actor.clone(),
            e.role.clone(),
            e.event.clone(),
            e.object.clone(),
            e.outcome.clone(),
            e.ip.clone(),
            e.user_agent.clone(),
            e.request_id.clone(),
            e.details.clone(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_formulas_neutralised() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-1"), "'-1");
    }
}
