use super::RouteError;
use app::{error::AppError, ssr::AppState};
use axum::{
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Response},
};

/// The company logo. Its URL carries a hash prefix, so it can be cached for good; an SVG is served
/// with a sandboxing CSP so script inside it can never run on this origin.
pub async fn logo(State(state): State<AppState>, Path(hash): Path<String>) -> Result<Response, RouteError> {
    let row: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("select logo_sha256, logo_content_type from company_profile where id = 1")
            .fetch_optional(state.db.pool())
            .await
            .map_err(AppError::from)?;
    let (sha, content_type) = match row {
        Some((Some(sha), Some(ct))) if hash.len() >= 16 && sha.starts_with(&hash) => (sha, ct),
        _ => return Err(AppError::NotFound.into()),
    };
    let bytes = state.files.get(&sha).await.map_err(|e| AppError::internal("reading the logo", e))?;
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable".into()),
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; sandbox".into()),
        ],
        bytes,
    )
        .into_response())
}
