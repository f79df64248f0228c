//! Security headers on every response, and the per-response CSP nonce.

use app::ssr::AppState;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};
use leptos::nonce::Nonce;

/// Mints a nonce for the response (unless the page cache minted it already), makes it available
/// to the page renderer (request extensions), and sets the security headers a response does not
/// set itself.
pub async fn apply(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let nonce = match req.extensions().get::<Nonce>() {
        Some(nonce) => nonce.clone(),
        None => {
            let nonce = Nonce::new();
            req.extensions_mut().insert(nonce.clone());
            nonce
        }
    };
    let mut res = next.run(req).await;
    set(res.headers_mut(), nonce.as_inner(), state.config.base_url.is_https());
    res
}

/// Sets the security headers `headers` lacks, with `nonce` in the CSP.
pub fn set(headers: &mut HeaderMap, nonce: &str, https: bool) {
    // 'wasm-unsafe-eval' lets the islands' WebAssembly compile; no inline script runs without the
    // nonce, and nothing may frame the site.
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(value) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    for (name, value) in FIXED {
        if !headers.contains_key(&name) {
            headers.insert(name, value);
        }
    }
    if https && !headers.contains_key(header::STRICT_TRANSPORT_SECURITY) {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
}

// Fixed values, checked when compiled rather than on every response.
const FIXED: [(HeaderName, HeaderValue); 5] = [
    (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    (header::REFERRER_POLICY, HeaderValue::from_static("same-origin")),
    (
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    ),
    (HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin")),
];
const HSTS: HeaderValue = HeaderValue::from_static("max-age=63072000; includeSubDomains");

/// A panic in a handler: log it once, answer with a bare 500 that reveals nothing.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "request handler panicked");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from("Internal Server Error"),
    )
        .into_response()
}
