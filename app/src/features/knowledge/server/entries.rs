//! Reading entries: one row type for `kb_entries`, the entry staff see (with its review due
//! date and whether it is stale), and what the engine may suggest.

use crate::{
    error::AppError,
    features::knowledge::model::{KbEntry, KbStatus, KbVisibility},
    ssr::db::Db,
    types::IsoDate,
};
use answers::EngineEntry;
use sqlx::FromRow;

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

/// Phrasings as stored and typed: one per line, blank lines dropped.
pub(super) fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// Tags as stored and typed: separated by semicolons, blanks dropped.
pub(super) fn tags(text: &str) -> Vec<String> {
    text.split(';').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

impl Row {
    fn into_entry(self, today: &IsoDate) -> Result<KbEntry, AppError> {
        let bad = |e: String| AppError::internal("stored knowledge-base entry is invalid", e);
        let status = KbStatus::parse(&self.status).map_err(bad)?;
        let reviewed = self.last_reviewed_on.as_deref().and_then(|d| IsoDate::parse(d).ok());
        let due = reviewed.map(|d| d.add_days(self.review_interval_days));
        // Never reviewed counts as overdue: an approved answer nobody has checked is not filled
        // in without a person.
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

/// One entry, or `NotFound`.
pub async fn get(db: &Db, id: i64, today: &IsoDate) -> Result<KbEntry, AppError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} where e.id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.ok_or(AppError::NotFound)?.into_entry(today)
}

/// Active security and admin staff, who may own entries (id, name).
pub async fn owners(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as(
        "select s.id, s.name from staff_users s where s.active = 1 and exists \
         (select 1 from staff_roles r where r.staff_id = s.id and r.role in ('security', 'admin')) order by s.name",
    )
    .fetch_all(db.pool())
    .await?)
}

/// An entry as the engine indexes it.
pub(super) fn engine_entry(e: &KbEntry) -> EngineEntry {
    EngineEntry {
        kb_id: e.external_id.clone(),
        question: e.question.clone(),
        alternatives: e.alternatives.clone(),
        learned: Vec::new(),
        answer: e.explanation.clone(),
        tags: e.tags.clone(),
        category: e.category.clone(),
    }
}

/// What the engine may suggest: approved entries that are not stale, with their learned
/// phrasings, and each one's visibility (in the same order).
pub async fn engine_entries(db: &Db, today: &IsoDate) -> Result<(Vec<EngineEntry>, Vec<KbVisibility>), AppError> {
    let current: Vec<KbEntry> =
        all(db, today).await?.into_iter().filter(|e| e.status == KbStatus::Approved && !e.stale).collect();
    let mut learned: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for (entry, text) in super::learn::all_phrasings(db).await? {
        learned.entry(entry).or_default().push(text);
    }
    let visibility = current.iter().map(|e| e.visibility).collect();
    let entries = current
        .iter()
        .map(|e| EngineEntry { learned: learned.remove(&e.id).unwrap_or_default(), ..engine_entry(e) })
        .collect();
    Ok((entries, visibility))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(status: &str, reviewed: Option<&str>, interval: i64) -> Row {
        Row {
            id: 7,
            external_id: "KB-007".into(),
            question: "Do you encrypt data at rest?".into(),
            alternatives: "Is data encrypted at rest?\n\n  Encryption at rest?  \n".into(),
            short_answer: "Yes".into(),
            explanation: "AES-256.".into(),
            category: "Encryption".into(),
            tags: " crypto ;; storage ".into(),
            owner_id: None,
            owner_name: None,
            status: status.into(),
            visibility: "internal".into(),
            last_reviewed_on: reviewed.map(String::from),
            review_interval_days: interval,
            version: 3,
            updated_at: 0,
        }
    }

    fn day(text: &str) -> IsoDate {
        IsoDate::parse(text).unwrap()
    }

    #[test]
    fn an_approved_entry_is_stale_only_once_its_review_date_has_passed() {
        let today = day("2026-03-10");
        let due_today = row("approved", Some("2026-03-01"), 9).into_entry(&today).unwrap();
        assert_eq!(due_today.review_due_on.as_deref(), Some("2026-03-10"));
        assert!(!due_today.stale, "due today is not yet past due");
        let overdue = row("approved", Some("2026-03-01"), 8).into_entry(&today).unwrap();
        assert!(overdue.stale);
    }

    #[test]
    fn an_approved_entry_never_reviewed_is_stale_but_a_draft_never_is() {
        let today = day("2026-03-10");
        assert!(row("approved", None, 365).into_entry(&today).unwrap().stale);
        assert!(!row("draft", None, 365).into_entry(&today).unwrap().stale);
        assert!(!row("retired", Some("2000-01-01"), 1).into_entry(&today).unwrap().stale);
    }

    #[test]
    fn stored_phrasings_and_tags_come_back_as_trimmed_lists() {
        let entry = row("draft", None, 365).into_entry(&day("2026-03-10")).unwrap();
        assert_eq!(entry.alternatives, ["Is data encrypted at rest?", "Encryption at rest?"]);
        assert_eq!(entry.tags, ["crypto", "storage"]);
    }

    #[test]
    fn a_stored_entry_with_an_unknown_status_is_an_internal_error() {
        assert!(matches!(row("pending", None, 365).into_entry(&day("2026-03-10")), Err(AppError::Internal)));
    }
}
