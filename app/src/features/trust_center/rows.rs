//! The working-copy tables the public page is published from, one row struct and one select each.
//! The read side (`server::load_working`) and the editor (`features::editor`) read them the same
//! way, so a column is added in one place.

use crate::{error::AppError, ssr::db::Db};
use sqlx::FromRow;

/// A row of `company_profile`, the working profile (there is one, id 1).
#[derive(Debug, Clone, FromRow)]
pub struct ProfileRow {
    pub name: String,
    pub description: String,
    pub website_url: String,
    pub security_contact_email: String,
    pub logo_sha256: Option<String>,
    pub accent_color: String,
    /// Shown sections' anchors in their order, comma-separated.
    pub sections: String,
    pub disclosure_policy: String,
    pub security_txt_expires: Option<String>,
    /// Comma-separated language tags.
    pub preferred_languages: String,
    pub updated_at: i64,
}

/// The working company profile (`ProfileRow`).
pub const PROFILE: &str = "select name, description, website_url, security_contact_email, logo_sha256, accent_color, \
                           sections, disclosure_policy, security_txt_expires, preferred_languages, updated_at \
                           from company_profile where id = 1";

/// A row of `soc2_reports`, with its document's slug.
#[derive(Debug, Clone, FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub report_type: String,
    pub period_start: String,
    pub period_end: String,
    pub audit_firm: String,
    pub opinion: String,
    pub report_date: String,
    /// Category codes, comma-separated.
    pub tsc_in_scope: String,
    pub document_id: Option<i64>,
    pub document_slug: Option<String>,
}

/// Reports with their document's slug; `order by` or `where` follow.
pub const REPORTS: &str = "select r.id, r.report_type, r.period_start, r.period_end, r.audit_firm, r.opinion, \
                           r.report_date, r.tsc_in_scope, r.document_id, d.slug as document_slug \
                           from soc2_reports r left join documents d on d.id = r.document_id";

/// A row of `bridge_letters`, with its document's slug and title.
#[derive(Debug, Clone, FromRow)]
pub struct BridgeLetterRow {
    pub id: i64,
    pub issued_on: String,
    pub covered_until: String,
    pub document_slug: Option<String>,
    pub document_title: Option<String>,
}

/// A report's bridge letters, newest coverage first (`$1` is the report).
pub const BRIDGE_LETTERS: &str = "select b.id, b.issued_on, b.covered_until, d.slug as document_slug, \
                                  d.title as document_title from bridge_letters b \
                                  left join documents d on d.id = b.document_id \
                                  where b.report_id = $1 order by b.covered_until desc, b.id desc";

/// A row of `frameworks`, with its document's slug; `in_progress` is 0 or 1.
#[derive(Debug, Clone, FromRow)]
pub struct FrameworkRow {
    pub id: i64,
    pub position: i64,
    pub name: String,
    pub evidence: String,
    pub issuer: Option<String>,
    pub issued_on: Option<String>,
    pub valid_until: Option<String>,
    pub in_progress: i64,
    pub description: String,
    pub document_id: Option<i64>,
    pub document_slug: Option<String>,
}

/// Frameworks (aliased `f`) with their document's slug; `order by` or `where` follow.
pub const FRAMEWORKS: &str = "select f.id, f.position, f.name, f.evidence, f.issuer, f.issued_on, f.valid_until, \
                              f.in_progress, f.description, f.document_id, d.slug as document_slug \
                              from frameworks f left join documents d on d.id = f.document_id";

/// A row of `controls`; category and status are stored as their codes.
#[derive(Debug, Clone, FromRow)]
pub struct ControlRow {
    pub id: i64,
    pub position: i64,
    pub category: String,
    pub title: String,
    pub description: String,
    pub status: String,
    /// Criteria such as CC6.1, comma-separated.
    pub tsc_points: String,
}

/// Controls; `order by` or `where` follow.
pub const CONTROLS: &str = "select id, position, category, title, description, status, tsc_points from controls";

/// A row of `subprocessors`; dates are YYYY-MM-DD.
#[derive(Debug, Clone, FromRow)]
pub struct SubprocessorRow {
    pub id: i64,
    pub position: i64,
    pub name: String,
    pub purpose: String,
    pub location: String,
    pub data_processed: String,
    pub website_url: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
}

/// Subprocessors, including those no longer in use; `order by` or `where` follow.
pub const SUBPROCESSORS: &str = "select id, position, name, purpose, location, data_processed, website_url, \
                                 start_date, end_date from subprocessors";

/// A row of `faqs`, the FAQ entries staff write (public knowledge-base entries are read apart).
#[derive(Debug, Clone, FromRow)]
pub struct FaqRow {
    pub id: i64,
    pub position: i64,
    pub question: String,
    pub answer: String,
}

/// FAQ entries; `order by` or `where` follow.
pub const FAQS: &str = "select id, position, question, answer from faqs";

/// One row of `select` (a constant above) with `rest` appended (`where id = $1`, `order by …`),
/// bound to `id`.
pub async fn one<T>(db: &Db, select: &str, rest: &str, id: i64) -> Result<T, AppError>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as(&format!("{select} {rest}")).bind(id).fetch_optional(db.pool()).await?.ok_or(AppError::NotFound)
}

/// Every row of `select` with `rest` appended.
/// Reads through `db`: the pool (`db.pool()`) or an open transaction (`&mut *tx`).
pub async fn all<'e, T>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    select: &str,
    rest: &str,
) -> Result<Vec<T>, AppError>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    Ok(sqlx::query_as(&format!("{select} {rest}")).fetch_all(db).await?)
}
