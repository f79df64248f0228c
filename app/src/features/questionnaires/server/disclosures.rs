//! What each company was told: every answer that left in an exported file, with the entry and
//! version it came from, read for an entry's page and for a company's page.

use super::review::summaries;
use crate::{
    error::AppError,
    features::questionnaires::model::{CompanyPage, Disclosure},
    ssr::db::Db,
};
use sqlx::FromRow;

#[derive(FromRow)]
struct DisclosureRow {
    company_id: i64,
    company_name: String,
    questionnaire_id: i64,
    questionnaire_title: String,
    question: String,
    entry_id: Option<i64>,
    external_id: Option<String>,
    entry_version: Option<i64>,
    current_version: Option<i64>,
    short_answer: String,
    answer: String,
    exported_by: String,
    exported_at: i64,
}

const SELECT_DISCLOSURES: &str = "select d.company_id, c.name as company_name, d.questionnaire_id, q.title as questionnaire_title, d.question, \
     d.entry_id, e.external_id, d.entry_version, e.version as current_version, d.short_answer, d.answer, d.exported_by, d.exported_at \
     from answer_disclosures d join companies c on c.id = d.company_id join questionnaires q on q.id = d.questionnaire_id \
     left join kb_entries e on e.id = d.entry_id";

impl From<DisclosureRow> for Disclosure {
    fn from(d: DisclosureRow) -> Self {
        Disclosure {
            company_id: d.company_id,
            company_name: d.company_name,
            questionnaire_id: d.questionnaire_id,
            questionnaire_title: d.questionnaire_title,
            question: d.question,
            entry_id: d.entry_id,
            external_id: d.external_id,
            entry_version: d.entry_version,
            current_version: d.current_version,
            short_answer: d.short_answer,
            answer: d.answer,
            exported_by: d.exported_by,
            exported_at: d.exported_at,
        }
    }
}

/// The disclosures `filter` (a `where` clause with one `$1`) keeps, newest first.
async fn disclosures(db: &Db, filter: &str, id: i64) -> Result<Vec<Disclosure>, AppError> {
    let rows: Vec<DisclosureRow> =
        sqlx::query_as(&format!("{SELECT_DISCLOSURES} {filter} order by d.exported_at desc, d.id desc"))
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(Disclosure::from).collect())
}

/// Who received an entry's answer, newest first (older versions are flagged on the page).
pub async fn told_about_entry(db: &Db, entry_id: i64) -> Result<Vec<Disclosure>, AppError> {
    disclosures(db, "where d.entry_id = $1", entry_id).await
}

/// A company: its questionnaires and every answer it was sent.
pub async fn company_page(db: &Db, company_id: i64) -> Result<CompanyPage, AppError> {
    let (id, name, domain): (i64, String, String) =
        sqlx::query_as("select id, name, domain from companies where id = $1")
            .bind(company_id)
            .fetch_optional(db.pool())
            .await?
            .ok_or(AppError::NotFound)?;
    let questionnaires = summaries(db, "where q.company_id = $1", Some(id)).await?;
    let told = disclosures(db, "where d.company_id = $1", id).await?;
    Ok(CompanyPage { id, name, domain, questionnaires, told })
}
