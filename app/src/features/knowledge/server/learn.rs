//! Learning from answered questionnaires. [`propose`] reads a buyer's file sent back with our
//! answers, traces each answer to the entry it was copied from (`answers::learn`) and keeps what
//! each row proposes as a batch; nothing changes in the knowledge base until a row is accepted
//! ([`decide`], by security staff on the batch page or by `vouchsafe kb learn --accept`): then its
//! question becomes a phrasing of the entry (with its source), or a new draft entry is created.
//! Phrasings are listed on the entry's page and can be removed ([`remove_phrasing`]).

use super::{entries::all, store, validation::ValidEntry, Acting, Tx};
use crate::{
    error::AppError,
    features::knowledge::model::{KbStatus, KbVisibility, LearnBatch, LearnRow, Phrasing},
    ssr::db::Db,
    types::{IsoDate, Timestamp},
};
use answers::{
    kb::{Format, MAX_QUESTION},
    learn::{self, Matcher, Trace},
    text::strip_prefix,
};
use sha2::{Digest, Sha256};

/// The most rows one file may propose.
pub const MAX_ROWS: usize = 5_000;
/// Answers are kept (for the batch page) up to this many characters.
const KEPT_ANSWER: usize = 4_000;

/// Reads `bytes` (CPU work: runs off the async threads), traces every answered row and stores the
/// proposals as a new batch, logged. Returns the batch id. A file that cannot be read, or has no
/// answered rows, is refused with a message for the person who sent it.
pub async fn propose(acting: &Acting<'_>, file_name: &str, bytes: Vec<u8>, format: Format) -> Result<i64, AppError> {
    let rows = tokio::task::spawn_blocking(move || learn::read_answered(&bytes, format))
        .await
        .map_err(|e| AppError::internal("reading an answered questionnaire", e))?
        .map_err(|e| AppError::invalid(e.to_string()))?;
    if rows.is_empty() {
        return Err(AppError::invalid("The file has no answered questions to learn from."));
    }
    if rows.len() > MAX_ROWS {
        return Err(AppError::invalid(format!("The file has more than {MAX_ROWS} answered questions.")));
    }
    let today = IsoDate::today_utc();
    let entries: Vec<_> = all(acting.db, &today).await?.into_iter().filter(|e| e.status != KbStatus::Retired).collect();
    let matcher = Matcher::new(entries.iter().map(|e| (e.external_id.as_str(), e.explanation.as_str())));
    let name: String = file_name.chars().filter(|c| !c.is_control()).take(200).collect();
    let now = Timestamp::now().0;
    let mut tx = acting.db.begin().await?;
    let (batch,): (i64,) = sqlx::query_as(
        "insert into kb_learn_batches (file_name, created_by, created_at) values ($1, $2, $3) returning id",
    )
    .bind(&name)
    .bind(&acting.actor.label)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let mut counts = [0usize; 3];
    for row in &rows {
        let (kind, entry_id, similarity, reason) = match matcher.trace(&row.answer) {
            Trace::Entry { kb_id, similarity } => {
                let entry = entries.iter().find(|e| e.external_id == kb_id);
                counts[0] += 1;
                ("entry", entry.map(|e| e.id), Some((similarity * 1000.0).round() as i64), String::new())
            }
            Trace::New { .. } => {
                counts[1] += 1;
                ("new", None, None, String::new())
            }
            Trace::Unclear { reason } => {
                counts[2] += 1;
                ("unclear", None, None, reason)
            }
        };
        sqlx::query(
            "insert into kb_learn_rows (batch_id, sheet, row_number, question, answer, kind, entry_id, similarity, reason) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(batch)
        .bind(&row.sheet)
        .bind(i64::from(row.row))
        .bind(&row.question)
        .bind(row.answer.chars().take(KEPT_ANSWER).collect::<String>())
        .bind(kind)
        .bind(entry_id)
        .bind(similarity)
        .bind(&reason)
        .execute(&mut *tx)
        .await?;
    }
    let details = serde_json::json!({ "file": name, "matched": counts[0], "new": counts[1], "unclear": counts[2] });
    acting.log(&mut tx, "kb.learn_proposed", format!("kb_learn:{batch}"), details).await?;
    tx.commit().await?;
    Ok(batch)
}

#[derive(sqlx::FromRow)]
struct RowRecord {
    id: i64,
    sheet: String,
    row_number: i64,
    question: String,
    answer: String,
    kind: String,
    entry_id: Option<i64>,
    external_id: Option<String>,
    entry_question: Option<String>,
    similarity: Option<i64>,
    reason: String,
    status: String,
}

/// A batch with its rows, for the batch page and the CLI.
pub async fn batch(db: &Db, id: i64) -> Result<LearnBatch, AppError> {
    let head: Option<(i64, String, String, i64)> =
        sqlx::query_as("select id, file_name, created_by, created_at from kb_learn_batches where id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    let (id, file_name, created_by, created_at) = head.ok_or(AppError::NotFound)?;
    let rows: Vec<RowRecord> = sqlx::query_as(
        "select r.id, r.sheet, r.row_number, r.question, r.answer, r.kind, r.entry_id, e.external_id, \
         e.question as entry_question, r.similarity, r.reason, r.status from kb_learn_rows r \
         left join kb_entries e on e.id = r.entry_id where r.batch_id = $1 order by r.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?;
    Ok(LearnBatch {
        id,
        file_name,
        created_by,
        created_at,
        rows: rows
            .into_iter()
            .map(|r| LearnRow {
                id: r.id,
                sheet: r.sheet,
                row: r.row_number,
                question: r.question,
                answer: r.answer,
                kind: r.kind,
                entry_id: r.entry_id,
                external_id: r.external_id,
                entry_question: r.entry_question,
                similarity: r.similarity.map(|s| s as f32 / 1000.0),
                reason: r.reason,
                status: r.status,
            })
            .collect(),
    })
}

/// The newest batches (id, file, by, at, rows still pending), newest first.
pub async fn batches(db: &Db) -> Result<Vec<(i64, String, String, i64, i64)>, AppError> {
    Ok(sqlx::query_as(
        "select b.id, b.file_name, b.created_by, b.created_at, \
         (select count(*) from kb_learn_rows r where r.batch_id = b.id and r.status = 'pending' and r.kind <> 'unclear') \
         from kb_learn_batches b order by b.id desc limit 20",
    )
    .fetch_all(db.pool())
    .await?)
}

/// A row still to decide: id, sheet, row number, question, answer, kind, entry.
type PendingRow = (i64, String, i64, String, String, String, Option<i64>);

/// What deciding rows did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Learned {
    /// Questions kept as phrasings of the entry their answer came from.
    pub phrasings: usize,
    /// New draft entries created from answers no entry gave.
    pub drafts: usize,
    /// Accepted rows that taught nothing new (the wording was already known).
    pub known: usize,
    pub rejected: usize,
}

/// Accepts (`accept`) or rejects rows of batch `batch`: `rows` none means every pending row that
/// proposes something. Each decision is taken against the row and entry as they are now, in one
/// transaction with its log row; a row already decided is left alone.
pub async fn decide(
    acting: &Acting<'_>,
    batch: i64,
    rows: Option<&[i64]>,
    accept: bool,
) -> Result<(Learned, bool), AppError> {
    let mut tx = acting.db.begin().await?;
    let found: Option<(String,)> = sqlx::query_as("select file_name from kb_learn_batches where id = $1")
        .bind(batch)
        .fetch_optional(&mut *tx)
        .await?;
    let (file_name,) = found.ok_or(AppError::NotFound)?;
    let pending: Vec<PendingRow> = sqlx::query_as(
        "select id, sheet, row_number, question, answer, kind, entry_id from kb_learn_rows \
         where batch_id = $1 and status = 'pending' and kind <> 'unclear' order by id",
    )
    .bind(batch)
    .fetch_all(&mut *tx)
    .await?;
    let mut out = Learned::default();
    let mut public_changed = false;
    let now = Timestamp::now().0;
    for (id, sheet, row, question, answer, kind, entry_id) in pending {
        if rows.is_some_and(|r| !r.contains(&id)) {
            continue;
        }
        if accept {
            let source = match sheet.as_str() {
                "" => format!("learned from {file_name}, row {row}"),
                sheet => format!("learned from {file_name}, {sheet} row {row}"),
            };
            match (kind.as_str(), entry_id) {
                ("entry", Some(entry)) => {
                    let (added, public) = add_phrasing(&mut tx, entry, &question, &source, &acting.actor.label).await?;
                    public_changed |= public;
                    if added {
                        out.phrasings += 1;
                    } else {
                        out.known += 1;
                    }
                }
                _ => {
                    if create_draft(&mut tx, &question, &answer, &acting.actor.label).await? {
                        out.drafts += 1;
                    } else {
                        out.known += 1;
                    }
                }
            }
        } else {
            out.rejected += 1;
        }
        sqlx::query("update kb_learn_rows set status = $1, decided_by = $2, decided_at = $3 where id = $4")
            .bind(if accept { "accepted" } else { "rejected" })
            .bind(&acting.actor.label)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let details = serde_json::json!({
        "file": file_name, "phrasings": out.phrasings, "drafts": out.drafts, "known": out.known, "rejected": out.rejected,
    });
    acting
        .log(&mut tx, if accept { "kb.learned" } else { "kb.learn_rejected" }, format!("kb_learn:{batch}"), details)
        .await?;
    tx.commit().await?;
    Ok((out, public_changed))
}

/// A learned wording as stored: the section prefix dropped, whitespace folded, cut to the
/// longest question an entry may have.
pub fn phrasing_text(question: &str) -> String {
    let folded = strip_prefix(question).split_whitespace().collect::<Vec<_>>().join(" ");
    folded.chars().take(MAX_QUESTION).collect()
}

/// Adds `question` as a phrasing of `entry` unless the entry already words it so (its question,
/// an alternative or a phrasing, ignoring case). Returns whether it was added, and whether the
/// entry is public.
pub async fn add_phrasing(
    tx: &mut Tx,
    entry: i64,
    question: &str,
    source: &str,
    by: &str,
) -> Result<(bool, bool), AppError> {
    let text = phrasing_text(question);
    let found: Option<(String, String, String)> =
        sqlx::query_as("select question, alternatives, visibility from kb_entries where id = $1")
            .bind(entry)
            .fetch_optional(&mut **tx)
            .await?;
    let (own, alternatives, visibility) = found.ok_or(AppError::NotFound)?;
    let public = visibility == KbVisibility::Public.code();
    let key = text.to_lowercase();
    let known: Vec<(String,)> =
        sqlx::query_as("select text from kb_phrasings where entry_id = $1").bind(entry).fetch_all(&mut **tx).await?;
    let already = text.is_empty()
        || phrasing_text(&own).to_lowercase() == key
        || alternatives.lines().any(|a| phrasing_text(a).to_lowercase() == key)
        || known.iter().any(|(k,)| k.to_lowercase() == key);
    if already {
        return Ok((false, public));
    }
    sqlx::query("insert into kb_phrasings (entry_id, text, source, added_by, added_at) values ($1, $2, $3, $4, $5)")
        .bind(entry)
        .bind(&text)
        .bind(source.chars().take(300).collect::<String>())
        .bind(by)
        .bind(Timestamp::now().0)
        .execute(&mut **tx)
        .await?;
    Ok((true, public))
}

/// A new draft entry for an answer no entry gave, under an id made from its question
/// (`DRAFT-` and eight hex digits), so learning the same file twice makes one draft. Returns
/// whether it was created.
async fn create_draft(tx: &mut Tx, question: &str, answer: &str, by: &str) -> Result<bool, AppError> {
    let question = phrasing_text(question);
    let digest = Sha256::digest(question.to_lowercase().as_bytes());
    let external_id = format!("DRAFT-{}", &hex::encode(digest)[..8]);
    if store::id_taken(tx, &external_id, None).await? {
        return Ok(false);
    }
    let short = learn::leading_short_answer(answer).map_or("N/A", |s| s.as_str());
    let draft = ValidEntry {
        external_id,
        question,
        alternatives: vec![],
        short_answer: short.to_string(),
        explanation: answer.chars().take(answers::kb::MAX_ANSWER).collect(),
        category: "Uncategorised".into(),
        tags: vec![],
        owner_id: None,
        status: KbStatus::Draft,
        visibility: KbVisibility::Internal,
        last_reviewed_on: None,
        review_interval_days: 365,
    };
    store::insert(tx, &draft, by, "proposed from an answered questionnaire").await?;
    Ok(true)
}

/// An entry's learned phrasings, oldest first.
pub async fn phrasings(db: &Db, entry: i64) -> Result<Vec<Phrasing>, AppError> {
    let rows: Vec<(i64, String, String, String, i64)> =
        sqlx::query_as("select id, text, source, added_by, added_at from kb_phrasings where entry_id = $1 order by id")
            .bind(entry)
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, text, source, added_by, added_at)| Phrasing { id, text, source, added_by, added_at })
        .collect())
}

/// Every entry's learned phrasings, for the engine: (entry id, text).
pub async fn all_phrasings(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as("select entry_id, text from kb_phrasings order by id").fetch_all(db.pool()).await?)
}

/// Removes phrasing `id` of entry `entry`, logged. Returns whether the entry is public.
pub async fn remove_phrasing(acting: &Acting<'_>, entry: i64, id: i64) -> Result<bool, AppError> {
    let mut tx = acting.db.begin().await?;
    let found: Option<(String, String)> = sqlx::query_as(
        "select p.text, e.visibility from kb_phrasings p join kb_entries e on e.id = p.entry_id \
         where p.id = $1 and p.entry_id = $2",
    )
    .bind(id)
    .bind(entry)
    .fetch_optional(&mut *tx)
    .await?;
    let (text, visibility) = found.ok_or(AppError::NotFound)?;
    sqlx::query("delete from kb_phrasings where id = $1").bind(id).execute(&mut *tx).await?;
    acting.log(&mut tx, "kb.phrasing_removed", format!("kb:{entry}"), serde_json::json!({ "text": text })).await?;
    tx.commit().await?;
    Ok(visibility == KbVisibility::Public.code())
}
