//! Documents and their versions.

use super::model::{DocumentKind, PublicDocument, Visibility};
use crate::{
    error::AppError,
    ssr::{db::Db, storage::FileStore},
    types::Timestamp,
};
use sqlx::FromRow;

/// A new document record (its first version is added separately).
pub struct NewDocument<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub kind: DocumentKind,
    pub visibility: Visibility,
    pub description: &'a str,
    pub position: i64,
}

/// The stored file behind a document's current version; ssr-only, never serialised.
#[derive(Debug, Clone)]
pub struct StoredVersion {
    pub document: PublicDocument,
    pub document_id: i64,
    pub version_id: i64,
    pub file_name: String,
    pub sha256: String,
}

#[derive(FromRow)]
struct ListingRow {
    id: i64,
    version_id: i64,
    slug: String,
    title: String,
    kind: String,
    visibility: String,
    description: String,
    version: i64,
    byte_size: i64,
    created_at: i64,
    file_name: String,
    sha256: String,
}

const LISTING: &str = "select d.id, v.id as version_id, d.slug, d.title, d.kind, d.visibility, d.description, \
     v.version, v.byte_size, v.created_at, v.file_name, v.sha256 \
     from documents d join document_versions v on v.document_id = d.id \
     and v.version = (select max(version) from document_versions where document_id = d.id)";

impl ListingRow {
    fn into_stored(self) -> Result<StoredVersion, AppError> {
        let bad = |e: String| AppError::internal("stored document is invalid", e);
        let document = PublicDocument {
            slug: self.slug,
            title: self.title,
            kind: DocumentKind::parse(&self.kind).map_err(bad)?,
            description: self.description,
            visibility: Visibility::parse(&self.visibility).map_err(bad)?,
            version: self.version,
            updated_on: Timestamp(self.created_at).date(),
            byte_size: self.byte_size,
        };
        Ok(StoredVersion {
            document,
            document_id: self.id,
            version_id: self.version_id,
            file_name: self.file_name,
            sha256: self.sha256,
        })
    }
}

/// Every document that has a version, in display order, as the public page lists them.
pub async fn list_for_public_page(db: &Db) -> Result<Vec<PublicDocument>, AppError> {
    let rows: Vec<ListingRow> =
        sqlx::query_as(&format!("{LISTING} order by d.position, d.title")).fetch_all(db.pool()).await?;
    rows.into_iter().map(|r| r.into_stored().map(|s| s.document)).collect()
}

/// The current version of the document with `slug`.
pub async fn current_version(db: &Db, slug: &str) -> Result<StoredVersion, AppError> {
    let row: ListingRow = sqlx::query_as(&format!("{LISTING} where d.slug = $1"))
        .bind(slug)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    row.into_stored()
}

/// Creates a document record and returns its id.
pub async fn create(db: &Db, new: NewDocument<'_>) -> Result<i64, AppError> {
    let now = Timestamp::now().0;
    let (id,): (i64,) = sqlx::query_as(
        "insert into documents (slug, title, kind, visibility, description, position, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
    )
    .bind(new.slug)
    .bind(new.title)
    .bind(new.kind.code())
    .bind(new.visibility.code())
    .bind(new.description)
    .bind(new.position)
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    Ok(id)
}

/// Stores `bytes` and makes them the document's new current version; earlier ones are kept.
pub async fn add_version(
    db: &Db,
    files: &FileStore,
    document_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64, AppError> {
    let sha = files.put(bytes).await.map_err(|e| AppError::internal("storing a document", e))?;
    let now = Timestamp::now().0;
    let mut tx = db.pool().begin().await?;
    let (next,): (i64,) =
        sqlx::query_as("select coalesce(max(version), 0) + 1 from document_versions where document_id = $1")
            .bind(document_id)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query(
        "insert into document_versions (document_id, version, file_name, byte_size, sha256, created_at) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(document_id)
    .bind(next)
    .bind(file_name)
    .bind(bytes.len() as i64)
    .bind(&sha)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("update documents set updated_at = $1 where id = $2")
        .bind(now)
        .bind(document_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(next)
}
