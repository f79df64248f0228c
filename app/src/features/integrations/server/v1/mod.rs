//! What `/api/v1` reads and writes: companies (a CRM marks customers), grants, the access log as
//! a feed with a cursor, and approved knowledge-base entries. The HTTP side (tokens, scopes,
//! problem details, the OpenAPI document) is in the server crate; these are its queries, and the
//! types the OpenAPI document describes.

mod companies;

pub use companies::{companies, company, save_company, Company, CompanyInput};

use crate::{
    error::AppError,
    ssr::{
        audit::{self, LogRow},
        db::Db,
    },
    types::{IsoDate, Timestamp},
};
use serde::Serialize;
use sqlx::FromRow;
use utoipa::ToSchema;

/// The most items one page returns.
pub const MAX_PAGE: i64 = 1_000;
/// Items per page when the client does not say.
pub const DEFAULT_PAGE: i64 = 100;

/// A page of items and the cursor for the next one (`null`: this was the last).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<i64>,
}

/// A grant of restricted documents to one person.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Grant {
    pub id: i64,
    pub prospect_email: String,
    pub prospect_name: String,
    pub company_id: i64,
    pub company_domain: String,
    /// Slugs of the documents granted.
    pub documents: Vec<String>,
    /// Unix seconds.
    pub granted_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    /// `active`, `expired` or `revoked`.
    pub status: String,
}

/// An approved knowledge-base answer.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct KbEntry {
    /// Its id in files and links, e.g. `KB-001`.
    pub id: String,
    pub category: String,
    pub question: String,
    /// `Yes`, `No` or `N/A`.
    pub short_answer: String,
    pub answer: String,
    /// `public` or `nda` (internal entries never leave through the API).
    pub visibility: String,
    pub version: i64,
    /// Unix seconds.
    pub updated_at: i64,
}

/// One access-log row, as a line of the export.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LogLine {
    pub seq: i64,
    /// Unix seconds.
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
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

impl From<LogRow> for LogLine {
    fn from(r: LogRow) -> Self {
        Self {
            seq: r.seq,
            at: r.at,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            actor_label: r.actor_label,
            role: r.role,
            event: r.event,
            object: r.object,
            outcome: r.outcome,
            ip: r.ip,
            user_agent: r.user_agent,
            request_id: r.request_id,
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// A page size from the query: 1 to [`MAX_PAGE`], [`DEFAULT_PAGE`] when absent.
pub fn page_size(limit: Option<i64>) -> Result<i64, AppError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(AppError::field("limit", format!("limit must be between 1 and {MAX_PAGE}."))),
    }
}

#[derive(FromRow)]
struct GrantRow {
    id: i64,
    email: String,
    name: String,
    company_id: i64,
    domain: String,
    granted_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
}

/// Grants by id after `after`; `all` includes expired and revoked ones.
pub async fn grants(db: &Db, all: bool, after: i64, limit: i64) -> Result<Page<Grant>, AppError> {
    let now = Timestamp::now().0;
    // Both parameters are always used: PostgreSQL refuses a bound parameter the query lacks.
    let filter = if all { "and $2 = $2" } else { "and g.revoked_at is null and g.expires_at > $2" };
    let rows: Vec<GrantRow> = sqlx::query_as(&format!(
        "select g.id, p.email, p.name, g.company_id, c.domain, g.granted_at, g.expires_at, g.revoked_at \
         from grants g join prospects p on p.id = g.prospect_id join companies c on c.id = g.company_id \
         where g.id > $1 {filter} order by g.id limit {}",
        limit + 1
    ))
    .bind(after)
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let more = rows.len() as i64 > limit;
    let mut items = Vec::new();
    for r in rows.into_iter().take(limit as usize) {
        let docs: Vec<(String,)> = sqlx::query_as(
            "select d.slug from grant_documents gd join documents d on d.id = gd.document_id \
             where gd.grant_id = $1 order by d.slug",
        )
        .bind(r.id)
        .fetch_all(db.pool())
        .await?;
        let status = match (r.revoked_at, r.expires_at <= now) {
            (Some(_), _) => "revoked",
            (None, true) => "expired",
            (None, false) => "active",
        };
        items.push(Grant {
            id: r.id,
            prospect_email: r.email,
            prospect_name: r.name,
            company_id: r.company_id,
            company_domain: r.domain,
            documents: docs.into_iter().map(|(s,)| s).collect(),
            granted_at: r.granted_at,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            status: status.into(),
        });
    }
    let next_cursor = more.then(|| items.last().map(|g: &Grant| g.id)).flatten();
    Ok(Page { items, next_cursor })
}

/// Access-log rows with `seq` after `after`, oldest first. Rows join the log in commit order
/// (appending takes the log's lock until the commit), so a cursor on `seq` never skips a row
/// that commits later with a smaller number.
pub async fn log_after(db: &Db, after: i64, limit: i64) -> Result<Vec<LogLine>, AppError> {
    Ok(audit::rows_after(db, after, limit).await?.into_iter().map(LogLine::from).collect())
}

#[derive(FromRow)]
struct KbRow {
    id: i64,
    external_id: String,
    category: String,
    question: String,
    short_answer: String,
    explanation: String,
    visibility: String,
    version: i64,
    updated_at: i64,
    last_reviewed_on: Option<String>,
    review_interval_days: i64,
}

/// Approved entries a buyer under NDA may read (`public` and `nda`; `only` narrows to one), not
/// past their review date, by row id after `after`.
pub async fn kb_entries(db: &Db, only: Option<&str>, after: i64, limit: i64) -> Result<Page<KbEntry>, AppError> {
    let visibilities: &[&str] = match only {
        None => &["public", "nda"],
        Some("public") => &["public"],
        Some("nda") => &["nda"],
        Some(_) => return Err(AppError::field("visibility", "visibility is public or nda.")),
    };
    let today = IsoDate::today_utc();
    let mut items = Vec::new();
    let mut cursor = after;
    let mut more = false;
    // Stale entries are skipped, so read in batches until the page is full.
    loop {
        let rows: Vec<KbRow> = sqlx::query_as(&format!(
            "select id, external_id, category, question, short_answer, explanation, visibility, version, updated_at, \
             last_reviewed_on, review_interval_days from kb_entries where status = 'approved' and id > $1 \
             and visibility in ('public', 'nda') order by id limit {}",
            limit + 1
        ))
        .bind(cursor)
        .fetch_all(db.pool())
        .await?;
        let exhausted = rows.len() as i64 <= limit;
        for r in rows {
            if items.len() as i64 == limit {
                more = true;
                break;
            }
            cursor = r.id;
            // As the knowledge base counts it: never reviewed, or past the review date.
            let stale = r
                .last_reviewed_on
                .as_deref()
                .and_then(|d| IsoDate::parse(d).ok())
                .map(|d| d.add_days(r.review_interval_days))
                .is_none_or(|due| due < today);
            if stale || !visibilities.contains(&r.visibility.as_str()) {
                continue;
            }
            items.push((
                r.id,
                KbEntry {
                    id: r.external_id,
                    category: r.category,
                    question: r.question,
                    short_answer: r.short_answer,
                    answer: r.explanation,
                    visibility: r.visibility,
                    version: r.version,
                    updated_at: r.updated_at,
                },
            ));
        }
        if more || exhausted {
            break;
        }
    }
    let next_cursor = more.then(|| items.last().map(|(id, _)| *id)).flatten();
    Ok(Page { items: items.into_iter().map(|(_, e)| e).collect(), next_cursor })
}
