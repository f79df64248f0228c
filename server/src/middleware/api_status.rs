//! Server functions answer with the status their error means.
//!
//! Leptos's server-function handler sends every error as `500` with the encoded error as the
//! body. Form posts already set the right status (`ssr::forms::finish`); read-only functions
//! don't, so a missing record or malformed arguments looked like a server failure. This layer
//! reads the (small) body of a `500` from `/api/`, and when it is one of our [`AppError`]s, uses
//! the status that error stands for: 404, 400, 422, 401, 403, 429. A real failure stays `500`.

use app::error::AppError;
use axum::{body::Body, extract::Request, http::StatusCode, middleware::Next, response::Response};

/// Error bodies are a few hundred bytes; anything bigger is left alone.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Gives a `500` from `/api/` the status of the [`AppError`] in its body; everything else passes
/// unchanged.
pub async fn apply(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !api || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        parts.headers.remove(axum::http::header::CONTENT_LENGTH);
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}
