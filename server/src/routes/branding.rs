//! Company logos: served from their content hash, and uploaded by security staff.

use super::{outcome_flash, put_flash, read_multipart, require_security, RouteError};
use app::{
    error::AppError,
    features::{
        accounts::{model::Principal, server::staff_actor},
        editor::server::{profile, Editing},
    },
    ssr::{request_meta::RequestMeta, AppState},
};
use axum::{
    body::Body,
    extract::{DefaultBodyLimit, Multipart, Path, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Extension, Router,
};
use tower_sessions::Session;

/// A company logo (the working profile's or one a published version still shows). Its URL carries
/// a hash prefix, so it can be cached for good; an SVG is served with a sandboxing CSP so script
/// inside it can never run on this origin.
pub async fn logo(State(state): State<AppState>, Path(hash): Path<String>) -> Result<Response, RouteError> {
    if hash.len() < 16 || hash.len() > 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound.into());
    }
    let row: Option<(String, String)> =
        sqlx::query_as("select sha256, content_type from logos where substr(sha256, 1, 16) = $1")
            .bind(hash[..16].to_ascii_lowercase())
            .fetch_optional(state.db.pool())
            .await
            .map_err(AppError::from)?;
    let (sha, content_type) = match row {
        Some((sha, ct)) if sha.starts_with(&hash.to_ascii_lowercase()) => (sha, ct),
        _ => return Err(AppError::NotFound.into()),
    };
    let file = state.files.open(&sha).await.map_err(|e| AppError::internal("reading the logo", e))?;
    let length = file.size();
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_LENGTH, length.to_string()),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable".into()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; sandbox".into()),
        ],
        Body::from_stream(file.into_stream()),
    )
        .into_response())
}

/// `POST /admin/content/logo/upload`: security staff upload a new logo (or, with `remove`, take it
/// off) in the working copy; the public page changes when the content is published.
pub const LOGO_UPLOAD: &str = app::paths::LOGO_UPLOAD;
const PROFILE_PAGE: &str = "/admin/content/profile";

/// The logo upload route, with a body limit just above the largest logo accepted.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(LOGO_UPLOAD, post(upload_logo))
        .layer(DefaultBodyLimit::max(profile::MAX_LOGO_BYTES + 64 * 1024))
        .with_state(state)
}

async fn upload_logo(
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
    let actor = staff_actor(&staff);
    let edit = Editing { state: &state, meta: &meta, actor: &actor };
    let result = async {
        let (fields, file) = read_multipart(multipart, "logo", profile::MAX_LOGO_BYTES, &["remove"]).await?;
        if fields.get("remove").is_some_and(|v| !v.is_empty()) {
            profile::remove_logo(&edit).await?;
            return Ok("Logo removed from the draft: preview, then publish.");
        }
        let (_, bytes) = file.ok_or_else(|| AppError::field("logo", "Choose an image file."))?;
        profile::save_logo(&edit, &bytes).await?;
        Ok("Logo saved as a draft: preview, then publish.")
    }
    .await;
    let flash = outcome_flash("logo", result.map(str::to_string));
    put_flash(&session, flash, "the logo upload result").await;
    Redirect::to(PROFILE_PAGE).into_response()
}
