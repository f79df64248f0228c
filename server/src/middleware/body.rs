//! Request bodies are read in full, with a size limit and a deadline, before anything acts on
//! them; authorization is then decided again (see `authorize`).
//!
//! Why: the session and the principal are resolved when the headers arrive. A client that sends
//! its body slowly could otherwise hold a request open across a sign-out, a password reset or a
//! deactivation and still act when the body finally lands. Reading first also gives oversized
//! bodies a 413 and stalled ones a 408 instead of a failure deep inside a handler.

use axum::{
    body::Body,
    extract::Request,
    http::{header, Method, StatusCode},
    response::{IntoResponse, Response},
};
use std::time::Duration;

/// Forms and server-function arguments (the longest, an NDA's Markdown text, is tens of KB).
pub const FORM_LIMIT: usize = 256 * 1024;
const FORM_DEADLINE: Duration = Duration::from_secs(30);
/// File uploads (security staff only; each route applies its own, smaller limit).
const UPLOAD_DEADLINE: Duration = Duration::from_secs(10 * 60);

/// Whether the request has a body to read: anything but GET/HEAD/OPTIONS, or a request that
/// declares one anyway.
pub fn carries_body(req: &Request) -> bool {
    !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || req.headers().contains_key(header::CONTENT_LENGTH)
        || req.headers().contains_key(header::TRANSFER_ENCODING)
}

/// The request with its body read into memory, or the response that refuses it.
pub async fn buffer(req: Request) -> Result<Request, Response> {
    let upload = crate::routes::UPLOAD_PATHS.iter().any(|p| *p == req.uri().path());
    let (limit, deadline) =
        if upload { (crate::routes::UPLOAD_BODY_LIMIT, UPLOAD_DEADLINE) } else { (FORM_LIMIT, FORM_DEADLINE) };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(deadline, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(Request::from_parts(parts, Body::from(bytes))),
        Ok(Err(err)) if is_length_limit(&err) => Err(too_large()),
        Ok(Err(_)) => Err(plain(StatusCode::BAD_REQUEST, "The request body could not be read.")),
        Err(_) => Err(plain(StatusCode::REQUEST_TIMEOUT, "The request took too long to arrive.")),
    }
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

fn too_large() -> Response {
    plain(StatusCode::PAYLOAD_TOO_LARGE, "The request is larger than this address accepts.")
}

fn plain(status: StatusCode, message: &'static str) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CONNECTION, "close")], message)
        .into_response()
}
