//! Who downloaded what, and which download a leaked copy came from.

use crate::{
    error::AppError,
    features::access::model::DownloadSummary,
    ssr::{db::Db, storage::sha256_hex},
    types::Timestamp,
};
use serde::{Deserialize, Serialize};

/// A prospect's downloads, newest first.
pub async fn of_prospect(db: &Db, prospect_id: i64) -> Result<Vec<DownloadSummary>, AppError> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "select dl.id, d.title, v.version, dl.started_at from downloads dl join documents d on d.id = dl.document_id \
         join document_versions v on v.id = dl.version_id where dl.prospect_id = $1 order by dl.started_at desc",
    )
    .bind(prospect_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, document, version, at)| DownloadSummary { download_id: id, document, version, at: Timestamp(at) })
        .collect())
}

/// A company's downloads with who made them, newest first.
pub async fn of_company(db: &Db, company_id: i64) -> Result<Vec<(String, DownloadSummary)>, AppError> {
    let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "select p.name, dl.id, d.title, v.version, dl.started_at from downloads dl join prospects p on p.id = dl.prospect_id \
         join documents d on d.id = dl.document_id join document_versions v on v.id = dl.version_id \
         where dl.company_id = $1 order by dl.started_at desc",
    )
    .bind(company_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(who, id, document, version, at)| {
            (who, DownloadSummary { download_id: id, document, version, at: Timestamp(at) })
        })
        .collect())
}

/// The download a leaked copy came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceResult {
    /// "the exact file" (same SHA-256) or "the stamped download id" (the file was altered).
    pub matched_by: String,
    pub download_id: String,
    pub person: String,
    pub email: String,
    pub company: String,
    pub document: String,
    pub version: i64,
    pub at: Timestamp,
    pub ip: String,
}

/// Finds which download a copy found in the wild came from.
pub async fn trace(db: &Db, bytes: Vec<u8>) -> Result<Option<TraceResult>, AppError> {
    let sha = sha256_hex(&bytes);
    const QUERY: &str =
        "select dl.id, coalesce(p.name, ''), coalesce(p.email, ''), coalesce(p.company, ''), d.title, v.version, \
         dl.started_at, dl.ip from downloads dl left join prospects p on p.id = dl.prospect_id \
         join documents d on d.id = dl.document_id join document_versions v on v.id = dl.version_id";
    type Row = (String, String, String, String, String, i64, i64, String);
    let by_hash: Option<Row> =
        sqlx::query_as(&format!("{QUERY} where dl.delivered_sha256 = $1 and dl.prospect_id is not null"))
            .bind(&sha)
            .fetch_optional(db.pool())
            .await?;
    let (row, matched_by) = match by_hash {
        Some(row) => (Some(row), "the exact file (SHA-256)"),
        None => {
            let id = tokio::task::spawn_blocking(move || crate::ssr::watermark::find_download_id(&bytes))
                .await
                .ok()
                .flatten();
            let row: Option<Row> = match id {
                Some(id) => {
                    sqlx::query_as(&format!("{QUERY} where dl.id = $1")).bind(id).fetch_optional(db.pool()).await?
                }
                None => None,
            };
            (row, "the download id stamped in the file")
        }
    };
    Ok(row.map(|(download_id, person, email, company, document, version, at, ip)| TraceResult {
        matched_by: matched_by.into(),
        download_id,
        person,
        email,
        company,
        document,
        version,
        at: Timestamp(at),
        ip,
    }))
}
