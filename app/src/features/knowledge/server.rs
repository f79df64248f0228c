//! Knowledge-base storage: queries, validated edits with history and access-log rows, import
//! (all or nothing) and export, the hygiene report, and the engine's eligible entries.

use super::model::*;
use crate::{
    error::{AppError, FieldError},
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        request_meta::RequestMeta,
        AppState,
    },
    types::{IsoDate, Timestamp},
};
use answers::{kb::KbRow, EngineEntry};
use sqlx::FromRow;
use std::collections::BTreeSet;

#[derive(FromRow)]
struct Row {
    id: i64,
    external_id: String,
    question: String,
    alternatives: String,
    short_answer: String,
    explanation: String,
    category: String,
    tags: String,
    owner_id: Option<i64>,
    owner_name: Option<String>,
    status: String,
    visibility: String,
    last_reviewed_on: Option<String>,
    review_interval_days: i64,
    version: i64,
    updated_at: i64,
}

const SELECT: &str = "select e.id, e.external_id, e.question, e.alternatives, e.short_answer, e.explanation, \
     e.category, e.tags, e.owner_id, s.name as owner_name, e.status, e.visibility, e.last_reviewed_on, \
     e.review_interval_days, e.version, e.updated_at from kb_entries e left join staff_users s on s.id = e.owner_id";

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn tags(text: &str) -> Vec<String> {
    text.split(';').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

impl Row {
    fn into_entry(self, today: &IsoDate) -> Result<KbEntry, AppError> {
        let bad = |e: String| AppError::internal("stored knowledge-base entry is invalid", e);
        let status = KbStatus::parse(&self.status).map_err(bad)?;
        let reviewed = self.last_reviewed_on.as_deref().and_then(|d| IsoDate::parse(d).ok());
        let due = reviewed.map(|d| d.add_days(self.review_interval_days));
        let stale = status == KbStatus::Approved && due.is_none_or(|d| d < *today);
        Ok(KbEntry {
            id: self.id,
            external_id: self.external_id,
            question: self.question,
            alternatives: lines(&self.alternatives),
            short_answer: self.short_answer,
            explanation: self.explanation,
            category: self.category,
            tags: tags(&self.tags),
            owner_id: self.owner_id,
            owner_name: self.owner_name,
            status,
            visibility: KbVisibility::parse(&self.visibility).map_err(bad)?,
            last_reviewed_on: reviewed.map(|d| d.to_string()),
            review_interval_days: self.review_interval_days,
            review_due_on: due.map(|d| d.to_string()),
            stale,
            version: self.version,
            updated_at: self.updated_at,
        })
    }
}

/// Every entry, in external-id order.
pub async fn all(db: &Db, today: &IsoDate) -> Result<Vec<KbEntry>, AppError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{SELECT} order by e.external_id")).fetch_all(db.pool()).await?;
    rows.into_iter().map(|r| r.into_entry(today)).collect()
}

pub async fn get(db: &Db, id: i64, today: &IsoDate) -> Result<KbEntry, AppError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} where e.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.ok_or(AppError::NotFound)?.into_entry(today)
}

fn engine_entry(e: &KbEntry) -> EngineEntry {
    EngineEntry {
        kb_id: e.external_id.clone(),
        question: e.question.clone(),
        alternatives: e.alternatives.clone(),
        answer: e.explanation.clone(),
        tags: e.tags.clone(),
        category: e.category.clone(),
    }
}

/// What the engine may suggest: approved entries that are not stale.
pub async fn engine_entries(db: &Db, today: &IsoDate) -> Result<Vec<EngineEntry>, AppError> {
    Ok(all(db, today).await?.iter().filter(|e| e.status == KbStatus::Approved && !e.stale).map(engine_entry).collect())
}

/// The list page: filters applied; a search ranks by relevance (BM25 with synonyms over
/// question, phrasings, answer and tags), otherwise by external id.
pub async fn list(state: &AppState, filter: &KbFilter) -> Result<KbListPage, AppError> {
    let today = IsoDate::today_utc();
    let everything = all(&state.db, &today).await?;
    let mut counts = KbCounts::default();
    for e in &everything {
        match e.status {
            KbStatus::Draft => counts.draft += 1,
            KbStatus::Approved => counts.approved += 1,
            KbStatus::Retired => counts.retired += 1,
        }
        counts.stale += usize::from(e.stale);
    }
    let categories: Vec<String> =
        everything.iter().map(|e| e.category.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut entries: Vec<KbEntry> = everything
        .into_iter()
        .filter(|e| filter.status.is_empty() || e.status.code() == filter.status)
        .filter(|e| filter.category.is_empty() || e.category == filter.category)
        .filter(|e| filter.visibility.is_empty() || e.visibility.code() == filter.visibility)
        .filter(|e| filter.stale != "yes" || e.stale)
        .collect();
    let q = filter.q.trim();
    if !q.is_empty() {
        let engine = answers::Engine::lexical(
            &entries.iter().map(engine_entry).collect::<Vec<_>>(),
            answers::Analyzer::standard(),
        );
        let scores = engine.signals(&[q.to_string()]).map_err(|e| AppError::internal("searching", e))?;
        let needle = q.to_lowercase();
        let mut ranked: Vec<(f32, KbEntry)> = entries
            .into_iter()
            .zip(&scores[0])
            .map(|(e, s)| {
                let exact = e.external_id.to_lowercase() == needle || e.question.to_lowercase().contains(&needle);
                (s[0] + if exact { 1.0 } else { 0.0 }, e)
            })
            .filter(|(score, _)| *score > 0.0)
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        entries = ranked.into_iter().map(|(_, e)| e).collect();
    }
    Ok(KbListPage { entries, categories, counts, semantic: state.knowledge.has_model() })
}

pub async fn history(db: &Db, id: i64) -> Result<Vec<KbHistoryItem>, AppError> {
    let rows: Vec<(i64, i64, String, String)> =
        sqlx::query_as("select version, at, actor, change from kb_history where entry_id = $1 order by id desc")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(version, at, actor, change)| KbHistoryItem { version, at, actor, change }).collect())
}

pub async fn owners(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as(
        "select s.id, s.name from staff_users s where s.active = 1 and exists \
         (select 1 from staff_roles r where r.staff_id = s.id and r.role in ('security', 'admin')) order by s.name",
    )
    .fetch_all(db.pool())
    .await?)
}

/// What a staff member typed into the entry form, unvalidated.
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    pub external_id: String,
    pub question: String,
    pub alternatives: String,
    pub short_answer: String,
    pub explanation: String,
    pub category: String,
    pub tags: String,
    pub owner_id: String,
    pub status: String,
    pub visibility: String,
    pub last_reviewed_on: String,
    pub review_interval_days: String,
}

/// A validated entry, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidEntry {
    pub external_id: String,
    pub question: String,
    pub alternatives: Vec<String>,
    pub short_answer: String,
    pub explanation: String,
    pub category: String,
    pub tags: Vec<String>,
    pub owner_id: Option<i64>,
    pub status: KbStatus,
    pub visibility: KbVisibility,
    pub last_reviewed_on: Option<IsoDate>,
    pub review_interval_days: i64,
}

impl EntryInput {
    /// Checks every field; all problems at once, each next to its field.
    pub fn validate(&self) -> Result<ValidEntry, AppError> {
        let mut fields = Vec::new();
        let mut problem =
            |field: &str, message: &str| fields.push(FieldError { field: field.into(), message: message.into() });
        let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let external_id = self.external_id.trim().to_string();
        if external_id.is_empty()
            || external_id.len() > answers::kb::MAX_ID
            || external_id.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            problem("external_id", "Give an id of 1 to 64 characters without spaces, e.g. KB-081.");
        }
        let question = one_line(&self.question);
        if question.is_empty() {
            problem("question", "Write the question this entry answers.");
        } else if question.chars().count() > answers::kb::MAX_QUESTION {
            problem("question", "Keep the question under 2,000 characters.");
        }
        let alternatives = lines(&self.alternatives);
        if alternatives.len() > 20 || alternatives.iter().any(|a| a.chars().count() > answers::kb::MAX_QUESTION) {
            problem("alternatives", "Up to 20 phrasings, one per line, each under 2,000 characters.");
        }
        let short_answer = answers::kb::ShortAnswer::parse(&self.short_answer).map(|s| s.as_str().to_string());
        if short_answer.is_none() {
            problem("short_answer", "Choose Yes, No or N/A.");
        }
        let explanation = self.explanation.trim().replace("\r\n", "\n");
        if explanation.is_empty() {
            problem("explanation", "Explain the answer: buyers read this.");
        } else if explanation.chars().count() > answers::kb::MAX_ANSWER {
            problem("explanation", "Keep the explanation under 20,000 characters.");
        }
        let category = one_line(&self.category);
        if category.is_empty() || category.chars().count() > 100 {
            problem("category", "Give a category of up to 100 characters, e.g. Access Control.");
        }
        let tags = tags(&self.tags);
        if tags.len() > 30 || tags.iter().any(|t| t.chars().count() > 50) {
            problem("tags", "Up to 30 tags separated by semicolons, each under 50 characters.");
        }
        let owner_id = match self.owner_id.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => {
                    problem("owner_id", "Choose an owner from the list.");
                    None
                }
            },
        };
        let status = KbStatus::parse(self.status.trim());
        if status.is_err() {
            problem("status", "Choose draft, approved or retired.");
        }
        let visibility = KbVisibility::parse(self.visibility.trim());
        if visibility.is_err() {
            problem("visibility", "Choose internal, under NDA or public.");
        }
        let last_reviewed_on = match self.last_reviewed_on.trim() {
            "" => None,
            text => match IsoDate::parse(text) {
                Ok(d) if d <= IsoDate::today_utc() => Some(d),
                Ok(_) => {
                    problem("last_reviewed_on", "A review date cannot be in the future.");
                    None
                }
                Err(_) => {
                    problem("last_reviewed_on", "Use a date like 2026-03-31.");
                    None
                }
            },
        };
        let interval = self.review_interval_days.trim().parse::<i64>().ok().filter(|d| (1..=3650).contains(d));
        if interval.is_none() {
            problem("review_interval_days", "Give a number of days between 1 and 3650.");
        }
        if !fields.is_empty() {
            return Err(AppError::Invalid { message: "Please correct the highlighted fields.".into(), fields });
        }
        Ok(ValidEntry {
            external_id,
            question,
            alternatives,
            short_answer: short_answer.unwrap_or_default(),
            explanation,
            category,
            tags,
            owner_id,
            status: status.unwrap_or(KbStatus::Draft),
            visibility: visibility.unwrap_or(KbVisibility::Internal),
            last_reviewed_on,
            review_interval_days: interval.unwrap_or(365),
        })
    }
}

fn snapshot(v: &ValidEntry) -> serde_json::Value {
    serde_json::json!({
        "external_id": v.external_id, "question": v.question, "alternatives": v.alternatives,
        "short_answer": v.short_answer, "explanation": v.explanation, "category": v.category, "tags": v.tags,
        "owner_id": v.owner_id, "status": v.status.code(), "visibility": v.visibility.code(),
        "last_reviewed_on": v.last_reviewed_on.map(|d| d.to_string()), "review_interval_days": v.review_interval_days,
    })
}

/// What changed between two versions, as a short sentence for the history.
fn describe_change(before: &ValidEntry, after: &ValidEntry) -> String {
    let mut parts = Vec::new();
    let mut check = |changed: bool, what: &str| {
        if changed {
            parts.push(what.to_string());
        }
    };
    check(before.external_id != after.external_id, "id");
    check(before.question != after.question, "question");
    check(before.alternatives != after.alternatives, "phrasings");
    check(
        before.short_answer != after.short_answer,
        &format!("answer {} → {}", before.short_answer, after.short_answer),
    );
    check(before.explanation != after.explanation, "explanation");
    check(before.category != after.category, "category");
    check(before.tags != after.tags, "tags");
    check(before.owner_id != after.owner_id, "owner");
    check(before.status != after.status, &format!("status {} → {}", before.status.code(), after.status.code()));
    check(
        before.visibility != after.visibility,
        &format!("visibility {} → {}", before.visibility.code(), after.visibility.code()),
    );
    check(before.last_reviewed_on != after.last_reviewed_on, "review date");
    check(before.review_interval_days != after.review_interval_days, "review interval");
    if parts.is_empty() {
        "saved without changes".into()
    } else {
        format!("changed {}", parts.join(", "))
    }
}

fn valid_from_entry(e: &KbEntry) -> ValidEntry {
    ValidEntry {
        external_id: e.external_id.clone(),
        question: e.question.clone(),
        alternatives: e.alternatives.clone(),
        short_answer: e.short_answer.clone(),
        explanation: e.explanation.clone(),
        category: e.category.clone(),
        tags: e.tags.clone(),
        owner_id: e.owner_id,
        status: e.status,
        visibility: e.visibility,
        last_reviewed_on: e.last_reviewed_on.as_deref().and_then(|d| IsoDate::parse(d).ok()),
        review_interval_days: e.review_interval_days,
    }
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

async fn check_owner(tx: &mut Tx, owner: Option<i64>) -> Result<(), AppError> {
    if let Some(owner) = owner {
        let found: Option<(i64,)> = sqlx::query_as("select id from staff_users where id = $1 and active = 1")
            .bind(owner)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            return Err(AppError::field("owner_id", "Choose an owner from the list."));
        }
    }
    Ok(())
}

async fn id_taken(tx: &mut Tx, external_id: &str, except: Option<i64>) -> Result<bool, AppError> {
    let found: Option<(i64,)> = sqlx::query_as("select id from kb_entries where external_id = $1")
        .bind(external_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some_and(|(id,)| Some(id) != except))
}

async fn insert(tx: &mut Tx, v: &ValidEntry, actor: &str, change: &str) -> Result<i64, AppError> {
    let now = Timestamp::now().0;
    let (id,): (i64,) = sqlx::query_as(
        "insert into kb_entries (external_id, question, alternatives, short_answer, explanation, category, tags, \
         owner_id, status, visibility, last_reviewed_on, review_interval_days, version, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13) returning id",
    )
    .bind(&v.external_id)
    .bind(&v.question)
    .bind(v.alternatives.join("\n"))
    .bind(&v.short_answer)
    .bind(&v.explanation)
    .bind(&v.category)
    .bind(v.tags.join(";"))
    .bind(v.owner_id)
    .bind(v.status.code())
    .bind(v.visibility.code())
    .bind(v.last_reviewed_on.map(|d| d.to_string()))
    .bind(v.review_interval_days)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    add_history(tx, id, 1, actor, change, v).await?;
    Ok(id)
}

async fn update(tx: &mut Tx, id: i64, version: i64, v: &ValidEntry, actor: &str, change: &str) -> Result<(), AppError> {
    sqlx::query(
        "update kb_entries set external_id = $1, question = $2, alternatives = $3, short_answer = $4, explanation = $5, \
         category = $6, tags = $7, owner_id = $8, status = $9, visibility = $10, last_reviewed_on = $11, \
         review_interval_days = $12, version = $13, updated_at = $14 where id = $15",
    )
    .bind(&v.external_id)
    .bind(&v.question)
    .bind(v.alternatives.join("\n"))
    .bind(&v.short_answer)
    .bind(&v.explanation)
    .bind(&v.category)
    .bind(v.tags.join(";"))
    .bind(v.owner_id)
    .bind(v.status.code())
    .bind(v.visibility.code())
    .bind(v.last_reviewed_on.map(|d| d.to_string()))
    .bind(v.review_interval_days)
    .bind(version)
    .bind(Timestamp::now().0)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    add_history(tx, id, version, actor, change, v).await
}

async fn add_history(
    tx: &mut Tx,
    id: i64,
    version: i64,
    actor: &str,
    change: &str,
    v: &ValidEntry,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into kb_history (entry_id, version, at, actor, change, snapshot) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(version)
    .bind(Timestamp::now().0)
    .bind(actor)
    .bind(change)
    .bind(snapshot(v).to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Creates (`id` none) or updates an entry; history and access-log rows in the same transaction.
pub async fn save(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: Option<i64>,
    input: &EntryInput,
) -> Result<i64, AppError> {
    let valid = input.validate()?;
    let today = IsoDate::today_utc();
    let before = match id {
        Some(id) => Some(get(&state.db, id, &today).await?),
        None => None,
    };
    let was_public = before.as_ref().is_some_and(|b| b.visibility == KbVisibility::Public);
    let mut tx = state.db.begin().await?;
    check_owner(&mut tx, valid.owner_id).await?;
    if id_taken(&mut tx, &valid.external_id, id).await? {
        return Err(AppError::field("external_id", "Another entry already has this id."));
    }
    let (id, event, change) = match before {
        None => {
            let id = insert(&mut tx, &valid, &actor.label, "created").await?;
            (id, "kb.entry_created", "created".to_string())
        }
        Some(before) => {
            let change = describe_change(&valid_from_entry(&before), &valid);
            update(&mut tx, before.id, before.version + 1, &valid, &actor.label, &change).await?;
            (before.id, "kb.entry_updated", change)
        }
    };
    let details = serde_json::json!({ "external_id": valid.external_id, "change": change });
    audit::record(
        &mut tx,
        state.db.backend(),
        meta,
        Event { actor, event, object: format!("kb:{id}"), outcome: Outcome::Success, details },
    )
    .await?;
    tx.commit().await?;
    state.knowledge.invalidate();
    if was_public || valid.visibility == KbVisibility::Public {
        republish_faq(state, actor).await;
    }
    Ok(id)
}

/// Sets the review date to today (the entry stops being stale), or retires the entry.
pub async fn set_state(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: i64,
    action: &str,
) -> Result<(), AppError> {
    let today = IsoDate::today_utc();
    let entry = get(&state.db, id, &today).await?;
    let mut next = valid_from_entry(&entry);
    let (event, change) = match action {
        "reviewed" => {
            next.last_reviewed_on = Some(today);
            ("kb.entry_reviewed", format!("marked reviewed on {today}"))
        }
        "retire" => {
            next.status = KbStatus::Retired;
            ("kb.entry_retired", "retired".to_string())
        }
        "approve" => {
            next.status = KbStatus::Approved;
            next.last_reviewed_on = Some(today);
            ("kb.entry_approved", format!("approved and marked reviewed on {today}"))
        }
        _ => return Err(AppError::BadRequest),
    };
    let mut tx = state.db.begin().await?;
    update(&mut tx, id, entry.version + 1, &next, &actor.label, &change).await?;
    let details = serde_json::json!({ "external_id": entry.external_id, "change": change });
    audit::record(
        &mut tx,
        state.db.backend(),
        meta,
        Event { actor, event, object: format!("kb:{id}"), outcome: Outcome::Success, details },
    )
    .await?;
    tx.commit().await?;
    state.knowledge.invalidate();
    if entry.visibility == KbVisibility::Public {
        republish_faq(state, actor).await;
    }
    Ok(())
}

/// Public entries feed the public FAQ: a change to one is published at once (and logged). The
/// entry is saved either way; a trust center without a profile yet has nothing to publish.
async fn republish_faq(state: &AppState, actor: &Actor) {
    let published = async {
        let mut tx = state.db.begin().await?;
        if !crate::features::trust_center::server::publish_faq_only(&mut tx, &state.db, actor.id).await? {
            return Ok(());
        }
        let details = serde_json::json!({ "reason": "public knowledge-base entry changed" });
        let event =
            Event { actor, event: "trust_center.published", object: "faq".into(), outcome: Outcome::Success, details };
        audit::record(&mut tx, state.db.backend(), &RequestMeta::current(), event).await?;
        tx.commit().await?;
        state.page_cache.invalidate();
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(err) = published {
        tracing::warn!(error = %err, "the public FAQ was not republished");
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Imports validated rows in one transaction: new ids are created, known ids updated (a new
/// version with history), identical rows left alone. Imported entries are approved and
/// reviewed today: the file is the company's approved answers.
pub async fn import(
    db: &Db,
    meta: &RequestMeta,
    actor: &Actor,
    rows: &[KbRow],
    owner_id: Option<i64>,
) -> Result<ImportSummary, AppError> {
    let today = IsoDate::today_utc();
    let existing = all(db, &today).await?;
    let mut summary = ImportSummary::default();
    let mut tx = db.begin().await?;
    check_owner(&mut tx, owner_id).await?;
    for row in rows {
        let known = existing.iter().find(|e| e.external_id == row.id);
        let mut next = ValidEntry {
            external_id: row.id.clone(),
            question: row.question.clone(),
            alternatives: row.alternatives.clone(),
            short_answer: row.short_answer.as_str().to_string(),
            explanation: row.answer.clone(),
            category: row.category.clone(),
            tags: row.tags.clone(),
            owner_id,
            status: KbStatus::Approved,
            visibility: KbVisibility::Internal,
            last_reviewed_on: Some(today),
            review_interval_days: 365,
        };
        match known {
            None => {
                insert(&mut tx, &next, &actor.label, "imported").await?;
                summary.created += 1;
            }
            Some(before) => {
                let old = valid_from_entry(before);
                // Keep what the file does not carry.
                next.owner_id = owner_id.or(old.owner_id);
                next.visibility = old.visibility;
                next.review_interval_days = old.review_interval_days;
                let same_content = old.question == next.question
                    && old.alternatives == next.alternatives
                    && old.short_answer == next.short_answer
                    && old.explanation == next.explanation
                    && old.category == next.category
                    && old.tags == next.tags
                    && old.status == KbStatus::Approved;
                if same_content {
                    summary.unchanged += 1;
                    continue;
                }
                let change = format!("imported: {}", describe_change(&old, &next));
                update(&mut tx, before.id, before.version + 1, &next, &actor.label, &change).await?;
                summary.updated += 1;
            }
        }
    }
    let details =
        serde_json::json!({ "created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged });
    audit::record(
        &mut tx,
        db.backend(),
        meta,
        Event { actor, event: "kb.imported", object: "kb".into(), outcome: Outcome::Success, details },
    )
    .await?;
    tx.commit().await?;
    Ok(summary)
}

/// Approved entries as file rows (the columns of kb.csv, plus phrasings).
pub async fn export_rows(db: &Db) -> Result<Vec<KbRow>, AppError> {
    let today = IsoDate::today_utc();
    Ok(all(db, &today)
        .await?
        .into_iter()
        .filter(|e| e.status == KbStatus::Approved)
        .map(|e| KbRow {
            short_answer: answers::kb::ShortAnswer::parse(&e.short_answer)
                .unwrap_or(answers::kb::ShortAnswer::NotApplicable),
            id: e.external_id,
            category: e.category,
            question: e.question,
            answer: e.explanation,
            tags: e.tags,
            alternatives: e.alternatives,
        })
        .collect())
}

/// Similar pairs at or above this fused score are near-duplicates...
const DUPLICATE_AT: f32 = 0.80;
/// ...and at or above this, with opposite Yes/No answers, conflicts.
const CONFLICT_AT: f32 = 0.60;

/// Near-duplicates, conflicting answers and stale entries among entries in use (not retired).
pub async fn hygiene(state: &AppState) -> Result<HygieneReport, AppError> {
    let today = IsoDate::today_utc();
    let entries: Vec<KbEntry> =
        all(&state.db, &today).await?.into_iter().filter(|e| e.status != KbStatus::Retired).collect();
    let stale = entries.iter().filter(|e| e.stale).cloned().collect();
    let engine_input: Vec<EngineEntry> = entries.iter().map(engine_entry).collect();
    let questions: Vec<String> = entries.iter().map(|e| e.question.clone()).collect();
    let knowledge = state.knowledge.clone();
    let signals = tokio::task::spawn_blocking(move || {
        let engine = knowledge.build_blocking(&engine_input)?;
        let tuning = engine.tuning();
        let signals = engine.signals(&questions).map_err(|e| AppError::internal("hygiene", e))?;
        Ok::<_, AppError>(
            signals.iter().map(|per| per.iter().map(|s| tuning.fuse(s)).collect::<Vec<f32>>()).collect::<Vec<_>>(),
        )
    })
    .await
    .map_err(|e| AppError::internal("hygiene", e))??;
    let side = |e: &KbEntry| PairSide {
        id: e.id,
        external_id: e.external_id.clone(),
        question: e.question.clone(),
        short_answer: e.short_answer.clone(),
    };
    let (mut duplicates, mut conflicts) = (Vec::new(), Vec::new());
    for i in 0..entries.len() {
        for j in (i + 1)..entries.len() {
            // Symmetric: the weaker direction decides.
            let similarity = signals[i][j].min(signals[j][i]);
            let (a, b) = (&entries[i], &entries[j]);
            let opposite = matches!((a.short_answer.as_str(), b.short_answer.as_str()), ("Yes", "No") | ("No", "Yes"));
            let pair = || KbPair { a: side(a), b: side(b), similarity: (similarity * 100.0).round() / 100.0 };
            if similarity >= CONFLICT_AT && opposite {
                conflicts.push(pair());
            } else if similarity >= DUPLICATE_AT {
                duplicates.push(pair());
            }
        }
    }
    duplicates.sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
    conflicts.sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
    Ok(HygieneReport { duplicates, conflicts, stale })
}

/// The engine's suggestions for one question, with the entries behind them.
pub async fn try_question(state: &AppState, question: &str) -> Result<TryResult, AppError> {
    let question: String = question.trim().chars().take(answers::kb::MAX_QUESTION).collect();
    if question.is_empty() {
        return Err(AppError::field("question", "Type a question to try."));
    }
    let (engine, out) = state.knowledge.suggest(&state.db, vec![question.clone()]).await?;
    let today = IsoDate::today_utc();
    let entries = all(&state.db, &today).await?;
    let first = out.into_iter().next().ok_or(AppError::Internal)?;
    let suggestions = first
        .suggestions
        .iter()
        .filter_map(|s| {
            let e = entries.iter().find(|e| e.external_id == s.kb_id)?;
            Some(SuggestedEntry {
                id: e.id,
                external_id: e.external_id.clone(),
                question: e.question.clone(),
                short_answer: e.short_answer.clone(),
                explanation: e.explanation.clone(),
                score: s.score,
            })
        })
        .collect();
    Ok(TryResult { question, decision: first.decision.as_str().into(), suggestions, semantic: engine.is_semantic() })
}
