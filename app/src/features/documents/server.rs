//! Documents and their versions.

use super::model::{DocumentKind, PublicDocument, Visibility};
use crate::ssr::db::Tx;
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
    Ok(list_with_ids(db).await?.into_iter().map(|(_, d)| d).collect())
}

/// The same list with the documents' ids (server-side use only).
pub async fn list_with_ids(db: &Db) -> Result<Vec<(i64, PublicDocument)>, AppError> {
    let rows: Vec<ListingRow> =
        sqlx::query_as(&format!("{LISTING} order by d.position, d.title")).fetch_all(db.pool()).await?;
    rows.into_iter().map(|r| r.into_stored().map(|s| (s.document_id, s.document))).collect()
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
pub async fn create(tx: &mut Tx, new: NewDocument<'_>) -> Result<i64, AppError> {
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
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Stores `bytes` and makes them the document's new current version, inside `tx`; earlier
/// versions are kept.
pub async fn add_version(
    tx: &mut Tx,
    files: &FileStore,
    document_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<i64, AppError> {
    let sha = files.put_in(tx, bytes).await.map_err(|e| AppError::internal("storing a document", e))?;
    let now = Timestamp::now().0;
    let (next,): (i64,) =
        sqlx::query_as("select coalesce(max(version), 0) + 1 from document_versions where document_id = $1")
            .bind(document_id)
            .fetch_one(&mut **tx)
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
    .execute(&mut **tx)
    .await?;
    sqlx::query("update documents set updated_at = $1 where id = $2")
        .bind(now)
        .bind(document_id)
        .execute(&mut **tx)
        .await?;
    Ok(next)
}

/// A document as staff manage it, with every version.
pub use super::model::{DocumentAdminRow, VersionInfo};

/// The upload form: a new document (slug, title, kind, visibility, description) or, with
/// `document_id`, a new version of an existing one; plus the file.
#[derive(Debug, Default)]
pub struct DocumentForm {
    pub document_id: Option<i64>,
    pub slug: String,
    pub title: String,
    pub kind: String,
    pub visibility: String,
    pub description: String,
    pub file_name: String,
    pub bytes: Vec<u8>,
}

impl DocumentForm {
    /// Takes one text field of the multipart upload by name; unknown names are ignored, and a
    /// `document_id` that is not a number counts as none (a new document).
    pub fn set(&mut self, name: &str, value: String) {
        match name {
            "document_id" => self.document_id = value.trim().parse().ok(),
            "slug" => self.slug = value,
            "title" => self.title = value,
            "kind" => self.kind = value,
            "visibility" => self.visibility = value,
            "description" => self.description = value,
            _ => {}
        }
    }
}

/// A slug: lowercase letters, digits and hyphens, 3 to 80 characters.
pub fn parse_slug(text: &str) -> Result<String, String> {
    let slug = text.trim().to_lowercase();
    let ok = (3..=80).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && slug != "all";
    ok.then_some(slug)
        .ok_or_else(|| "Use 3–80 lowercase letters, digits and hyphens (e.g. soc2-type-ii-report).".into())
}

/// Why `bytes` cannot be offered as a document, if it cannot: it must be a PDF that parses and
/// that can be stamped for a recipient on every page (any document may become restricted). The
/// trial stamp runs on the blocking pool, and a panic inside the parser (lopdf has had crash bugs
/// on crafted files) counts as unreadable: fail closed.
pub async fn pdf_problem(bytes: Vec<u8>) -> Option<String> {
    use crate::ssr::watermark::{stamp_pdf, Stamp, StampError};
    const NOT_A_PDF: &str = "This file is not a PDF we can read. Only PDF documents can be uploaded.";
    if !bytes.starts_with(b"%PDF-") {
        return Some(NOT_A_PDF.into());
    }
    let trial = Stamp {
        name: "Trial Recipient".into(),
        company: "Trial Company".into(),
        email: "trial@example.com".into(),
        date: "2026-01-01".into(),
        download_id: "TRIA-L000".into(),
    };
    let stamped = tokio::task::spawn_blocking(move || stamp_pdf(&bytes, &trial)).await;
    match stamped {
        Ok(Ok(_)) => None,
        Ok(Err(StampError::Encrypted)) => Some(
            "This PDF is encrypted (it has a password or usage restrictions), so it cannot be stamped for each \
             recipient. Save or print it as a new PDF without protection, then upload that."
                .into(),
        ),
        Ok(Err(StampError::NoPages)) => Some("This PDF has no pages.".into()),
        Ok(Err(StampError::Structure(detail))) => {
            tracing::warn!(%detail, "an uploaded PDF cannot be stamped");
            Some(
                "This PDF is built in a way that cannot be stamped for each recipient. Print it to a new PDF, \
                 then upload that."
                    .into(),
            )
        }
        Ok(Err(StampError::Unreadable(_))) | Err(_) => Some(NOT_A_PDF.into()),
    }
}

/// Stores an upload; returns a message for the staff member.
pub async fn upload(
    state: &crate::ssr::AppState,
    meta: &crate::ssr::request_meta::RequestMeta,
    staff: &crate::features::accounts::model::StaffUser,
    form: DocumentForm,
) -> Result<String, AppError> {
    use crate::ssr::audit::{self, Event, Outcome};
    if form.bytes.is_empty() {
        return Err(AppError::field("file", "Choose a PDF file to upload."));
    }
    let file_name = if form.file_name.to_lowercase().ends_with(".pdf") {
        form.file_name.clone()
    } else {
        format!("{}.pdf", form.file_name)
    };
    if let Some(problem) = pdf_problem(form.bytes.clone()).await {
        return Err(AppError::field("file", problem));
    }
    let actor = crate::features::accounts::server::staff_actor(staff);
    // The document, its version, the file and the log row are kept together or not at all.
    let mut tx = state.db.begin().await?;
    let (document_id, created, title) = match form.document_id {
        Some(id) => {
            let row: Option<(String,)> =
                sqlx::query_as("select title from documents where id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let (title,) = row.ok_or(AppError::NotFound)?;
            (id, false, title)
        }
        None => {
            let slug = parse_slug(&form.slug);
            let title = crate::types::short_text(&form.title, "title", 200);
            let kind = DocumentKind::parse(&form.kind);
            let visibility = Visibility::parse(&form.visibility);
            let (slug, title, kind, visibility) = match (slug, title, kind, visibility) {
                (Ok(s), Ok(t), Ok(k), Ok(v)) => (s, t, k, v),
                (s, t, k, v) => {
                    return Err(crate::forms::field_errors(
                        [("slug", s.err()), ("title", t.err()), ("kind", k.err()), ("visibility", v.err())]
                            .into_iter()
                            .filter_map(|(f, m)| m.map(|m| (f, m)))
                            .collect(),
                    ))
                }
            };
            let taken: Option<(i64,)> =
                sqlx::query_as("select id from documents where slug = $1").bind(&slug).fetch_optional(&mut *tx).await?;
            if taken.is_some() {
                return Err(AppError::field("slug", "Another document already uses this address."));
            }
            let (position,): (i64,) =
                sqlx::query_as("select coalesce(max(position), 0) + 1 from documents").fetch_one(&mut *tx).await?;
            let description: String = form.description.trim().chars().take(1000).collect();
            let id = create(
                &mut tx,
                NewDocument { slug: &slug, title: &title, kind, visibility, description: &description, position },
            )
            .await?;
            (id, true, title)
        }
    };
    let version = add_version(&mut tx, &state.files, document_id, &file_name, &form.bytes).await?;
    let event = Event {
        actor: &actor,
        event: if created { "document.created" } else { "document.version_added" },
        object: format!("document:{document_id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "title": title, "version": version, "bytes": form.bytes.len(),
            "sha256": crate::ssr::storage::sha256_hex(&form.bytes) }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    crate::ssr::signals::changed(state, crate::ssr::signals::Signal::PublicPage).await;
    Ok(if created {
        format!("“{title}” added.")
    } else {
        format!("Version {version} of “{title}” is now current.")
    })
}

/// Every document with its versions, for staff.
pub async fn list_for_staff(db: &Db) -> Result<Vec<DocumentAdminRow>, AppError> {
    let docs: Vec<(i64, String, String, String, String, String)> =
        sqlx::query_as("select id, slug, title, kind, visibility, description from documents order by position, title")
            .fetch_all(db.pool())
            .await?;
    let versions: Vec<(i64, i64, String, i64, String, i64)> = sqlx::query_as(
        "select document_id, version, file_name, byte_size, sha256, created_at from document_versions order by version desc",
    )
    .fetch_all(db.pool())
    .await?;
    docs.into_iter()
        .map(|(id, slug, title, kind, visibility, description)| {
            Ok(DocumentAdminRow {
                id,
                slug,
                title,
                kind: DocumentKind::parse(&kind).map_err(|e| AppError::internal("document kind", e))?,
                visibility: Visibility::parse(&visibility).map_err(|e| AppError::internal("visibility", e))?,
                description,
                versions: versions
                    .iter()
                    .filter(|v| v.0 == id)
                    .map(|v| VersionInfo {
                        version: v.1,
                        file_name: v.2.clone(),
                        byte_size: v.3,
                        sha256: v.4.clone(),
                        uploaded_at: Timestamp(v.5),
                    })
                    .collect(),
            })
        })
        .collect()
}

/// Staff change a document's title, description or visibility.
pub async fn update_metadata(
    state: &crate::ssr::AppState,
    meta: &crate::ssr::request_meta::RequestMeta,
    staff: &crate::features::accounts::model::StaffUser,
    id: i64,
    title: &str,
    visibility: &str,
    description: &str,
) -> Result<(), AppError> {
    use crate::ssr::audit::{self, Event, Outcome};
    let title = crate::types::short_text(title, "title", 200).map_err(|m| AppError::field("title", m))?;
    let visibility = Visibility::parse(visibility).map_err(|m| AppError::field("visibility", m))?;
    let description: String = description.trim().chars().take(1000).collect();
    let mut tx = state.db.begin().await?;
    let done = sqlx::query(
        "update documents set title = $1, visibility = $2, description = $3, updated_at = $4 where id = $5",
    )
    .bind(&title)
    .bind(visibility.code())
    .bind(&description)
    .bind(Timestamp::now().0)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    let actor = crate::features::accounts::server::staff_actor(staff);
    let event = Event {
        actor: &actor,
        event: "document.updated",
        object: format!("document:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "title": title, "visibility": visibility.code() }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    crate::ssr::signals::changed(state, crate::ssr::signals::Signal::PublicPage).await;
    Ok(())
}
