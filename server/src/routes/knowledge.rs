//! Knowledge-base files: `POST /admin/kb/upload` imports a CSV or xlsx (all or nothing; the
//! problems, by line, come back on the page), and `/admin/kb/export.csv` / `.xlsx` download the
//! approved entries. Security staff and admins only; each handler checks the role itself.

use super::{put_flash, read_multipart, require_security, RouteError};
use answers::kb::{self as files, Format};
use app::{
    error::AppError,
    features::{
        accounts::{model::Principal, server::staff_actor},
        knowledge::server as kb,
    },
    forms::Flash,
    ssr::{request_meta::RequestMeta, AppState},
};
use axum::{
    extract::{DefaultBodyLimit, Multipart, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
    Extension, Router,
};
use tower_sessions::Session;

/// The import form's target: a CSV or xlsx of entries, imported all or nothing.
pub const UPLOAD: &str = app::paths::KB_UPLOAD;
/// An answered questionnaire to learn from: its proposals become a batch to accept.
pub const LEARN: &str = app::paths::KB_LEARN;
/// The approved entries as CSV, in the import columns.
pub const EXPORT_CSV: &str = app::paths::KB_EXPORT_CSV;
/// The approved entries as xlsx, in the import columns.
pub const EXPORT_XLSX: &str = app::paths::KB_EXPORT_XLSX;
/// The largest knowledge-base file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The knowledge-base routes; only the upload gets the larger body limit.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(UPLOAD, post(upload))
        .route(LEARN, post(learn))
        .layer(DefaultBodyLimit::max(MAX_BYTES + 64 * 1024))
        .route(EXPORT_CSV, get(export_csv))
        .route(EXPORT_XLSX, get(export_xlsx))
        .with_state(state)
}

async fn upload(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(meta): Extension<RequestMeta>,
    session: Session,
    multipart: Multipart,
) -> Response {
    let staff = match require_security(&principal) {
        Ok(staff) => staff,
        Err(e) => return RouteError(e).into_response(),
    };
    let result: Result<String, String> = async {
        let (_, file) = read_multipart(multipart, "file", MAX_BYTES, &[]).await.map_err(|e| e.to_string())?;
        let (name, bytes) = file.ok_or("Choose a file to import.")?;
        let format = Format::from_name(&name).ok_or("Upload a .csv or .xlsx file.")?;
        // Parsing is CPU work on the buyer's bytes: off the async threads.
        let rows = tokio::task::spawn_blocking(move || files::parse(&bytes, format))
            .await
            .map_err(|e| AppError::internal("reading a knowledge-base file", e).to_string())?
            .map_err(|e| e.to_string())?;
        let summary =
            kb::import(&state.db, &meta, &staff_actor(&staff), &rows, None).await.map_err(|e| e.to_string())?;
        app::ssr::signals::changed(&state, app::ssr::signals::Signal::Knowledge).await;
        Ok(format!("Imported: {} new, {} updated, {} unchanged.", summary.created, summary.updated, summary.unchanged))
    }
    .await;
    let flash = match result {
        Ok(notice) => Flash { form: "kb".into(), notice: Some(notice), ..Default::default() },
        Err(error) => Flash { form: "kb".into(), error: Some(error), ..Default::default() },
    };
    put_flash(&session, flash, "the import result").await;
    Redirect::to("/admin/kb").into_response()
}

async fn learn(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(meta): Extension<RequestMeta>,
    session: Session,
    multipart: Multipart,
) -> Response {
    let staff = match require_security(&principal) {
        Ok(staff) => staff,
        Err(e) => return RouteError(e).into_response(),
    };
    let result: Result<i64, String> = async {
        let (_, file) = read_multipart(multipart, "file", MAX_BYTES, &[]).await.map_err(|e| e.to_string())?;
        let (name, bytes) = file.ok_or("Choose a file to learn from.")?;
        let format = Format::from_name(&name).ok_or("Upload a .csv or .xlsx file.")?;
        let actor = staff_actor(&staff);
        let acting = kb::Acting { db: &state.db, meta: &meta, actor: &actor };
        kb::learn::propose(&acting, &name, bytes, format).await.map_err(|e| e.to_string())
    }
    .await;
    match result {
        Ok(batch) => Redirect::to(&format!("/admin/kb/learn/{batch}")).into_response(),
        Err(error) => {
            put_flash(
                &session,
                Flash { form: "kb".into(), error: Some(error), ..Default::default() },
                "the learning result",
            )
            .await;
            Redirect::to("/admin/kb").into_response()
        }
    }
}

/// A file download. The name is reduced to safe ASCII for the header, with the full UTF-8 name
/// alongside (RFC 6266).
pub(super) fn attachment(name: &str, mime: &str, body: Vec<u8>) -> Response {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || " .-_()".contains(c) { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        body,
    )
        .into_response()
}

async fn export_csv(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, RouteError> {
    require_security(&principal)?;
    let rows = kb::export_rows(&state.db).await?;
    let bytes = tokio::task::spawn_blocking(move || files::write_csv(&rows))
        .await
        .map_err(|e| AppError::internal("writing the CSV export", e))?;
    Ok(attachment("knowledge-base.csv", "text/csv; charset=utf-8", bytes))
}

async fn export_xlsx(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> Result<Response, RouteError> {
    require_security(&principal)?;
    let rows = kb::export_rows(&state.db).await?;
    let bytes = tokio::task::spawn_blocking(move || files::write_xlsx(&rows))
        .await
        .map_err(|e| AppError::internal("writing the xlsx export", e))?
        .map_err(|e| AppError::internal("writing the xlsx export", e))?;
    Ok(attachment("knowledge-base.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", bytes))
}
