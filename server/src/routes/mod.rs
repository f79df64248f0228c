//! Routes outside the Leptos page tree: health, JSON, files and assets.

mod assets;
mod branding;
mod documents;
mod health;
mod trust_json;

use app::{error::AppError, ssr::AppState};
use axum::{
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/trust.json", get(trust_json::trust_json))
        .route("/robots.txt", get(robots))
        .route("/documents/{slug}/download", get(documents::download_public))
        .route("/branding/logo/{hash}", get(branding::logo))
        .with_state(state.clone())
        .merge(assets::router(&state))
}

/// An [`AppError`] as a plain response: its status and its public message, nothing internal.
pub struct RouteError(pub AppError);

impl From<AppError> for RouteError {
    fn from(err: AppError) -> Self {
        Self(err)
    }
}

impl IntoResponse for RouteError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], self.0.to_string()).into_response()
    }
}

/// Crawlers may index the public page; nothing else is for them.
async fn robots() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "User-agent: *\nAllow: /$\nAllow: /trust.json\nDisallow: /api/\nDisallow: /documents/\nDisallow: /admin\nDisallow: /account\n",
    )
}
