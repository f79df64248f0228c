//! `POST /admin/documents/upload`: security staff add a document or a new version of one.
//!
//! A plain multipart form (works without JavaScript). Only PDFs, up to [`MAX_BYTES`]; anything
//! else is refused with a message on the form, and nothing is stored.

use super::{outcome_flash, put_flash};
use app::{
    error::AppError,
    features::{
        accounts::model::{Principal, StaffRole},
        documents::server::{self as docs, DocumentForm},
    },
    ssr::{request_meta::RequestMeta, AppState},
};
use axum::{
    extract::{DefaultBodyLimit, Multipart, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Extension, Router,
};
use tower_sessions::Session;

/// The largest PDF accepted.
pub const MAX_BYTES: usize = 50 * 1024 * 1024;
/// The document upload form's target (security staff).
pub const PATH: &str = app::paths::DOCUMENT_UPLOAD;

/// The upload route, with a body limit just above [`MAX_BYTES`].
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(PATH, post(upload))
        // Room for the file and the form fields; larger bodies are cut off by axum.
        .layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024))
        .with_state(state)
}

async fn upload(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(meta): Extension<RequestMeta>,
    session: Session,
    multipart: Multipart,
) -> Response {
    let staff = match principal {
        Principal::Staff(staff) if staff.has(StaffRole::Security) => staff,
        _ => return AppError::Forbidden.status_code_response(),
    };
    let mut form = DocumentForm::default();
    let read = read_form(multipart, &mut form).await;
    // What was typed, to fill the form again next to the message (never the file).
    let typed: std::collections::BTreeMap<String, String> = [
        ("slug", &form.slug),
        ("title", &form.title),
        ("kind", &form.kind),
        ("visibility", &form.visibility),
        ("description", &form.description),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.chars().take(2_000).collect()))
    .collect();
    let result = match read {
        Ok(()) => docs::upload(&state, &meta, &staff, form).await,
        Err(e) => Err(e),
    };
    let mut flash = outcome_flash("documents", result);
    if flash.error.is_some() {
        flash.values = typed;
    }
    put_flash(&session, flash, "the upload result").await;
    Redirect::to("/admin/documents").into_response()
}

/// Reads the form's fields and the file, refusing a file over the limit as soon as it is seen.
async fn read_form(mut multipart: Multipart, form: &mut DocumentForm) -> Result<(), AppError> {
    let too_big = || AppError::field("file", format!("The file is larger than {} MB.", MAX_BYTES / 1024 / 1024));
    while let Some(mut field) = multipart.next_field().await.map_err(|_| too_big())? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            form.file_name = field.file_name().unwrap_or("document.pdf").to_string();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| too_big())? {
                if bytes.len() + chunk.len() > MAX_BYTES {
                    return Err(too_big());
                }
                bytes.extend_from_slice(&chunk);
            }
            form.bytes = bytes;
        } else {
            let value = field.text().await.map_err(|_| AppError::BadRequest)?;
            form.set(&name, value);
        }
    }
    Ok(())
}

trait StatusResponse {
    fn status_code_response(self) -> Response;
}

impl StatusResponse for AppError {
    fn status_code_response(self) -> Response {
        super::RouteError(self).into_response()
    }
}
