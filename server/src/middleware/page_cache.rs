//! Serves the public page to anonymous visitors from [`app::ssr::page_cache::PageCache`].

use app::ssr::{AppState, SESSION_COOKIE};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use leptos::nonce::Nonce;

/// Paths whose anonymous rendering is the same for everyone.
const CACHEABLE: &[&str] = &["/"];
/// The public page is tens of kilobytes; anything near this is not what we meant to cache.
const MAX_CACHED_BYTES: usize = 2 * 1024 * 1024;

/// Answers an anonymous GET or HEAD of a cacheable page from the cache, before every other layer
/// but compression, as `crate::front` does for the requests it takes (most GETs reach this layer
/// only on a miss; HEADs and clients that take encodings other than gzip are answered here). On a
/// miss the page renders through every layer with a nonce minted here, and a successful HTML
/// answer is stored split at that nonce. Every other request passes straight on.
pub async fn serve_cached(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    if !is_cacheable(&req) {
        return next.run(req).await;
    }
    let key = req.uri().path().to_string();
    if let Some(res) = state.page_cache.get(&key).and_then(|page| crate::front::respond(&state, &key, &page, false)) {
        return res;
    }
    let nonce = Nonce::new();
    req.extensions_mut().insert(nonce.clone());
    // What is stored is served to everyone: it must render as nobody's. `is_cacheable` looks for
    // the session cookie by its plain name; a cookie the session layer would still read (a
    // spaced or percent-encoded name, a header that is not ASCII) must not make a signed-in
    // render the public page, so no cookie reaches the render at all.
    req.headers_mut().remove(header::COOKIE);
    let generation = state.page_cache.generation();
    let res = next.run(req).await;
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let Some(content_type) = content_type.filter(|ct| res.status() == StatusCode::OK && ct.starts_with("text/html"))
    else {
        return res;
    };
    let (parts, body) = res.into_parts();
    match axum::body::to_bytes(body, MAX_CACHED_BYTES).await {
        Ok(bytes) => {
            state.page_cache.put(&key, &bytes, nonce.as_inner(), &content_type, generation);
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(err) => {
            tracing::error!(error = %err, "could not buffer a page for the cache");
            Response::builder().status(StatusCode::INTERNAL_SERVER_ERROR).body(Body::empty()).unwrap_or_default()
        }
    }
}

/// Anonymous GETs of a cacheable path without a query string. A visitor with a session may see
/// a personalised page, so they always get a fresh render.
pub fn is_cacheable<B>(req: &axum::http::Request<B>) -> bool {
    let anonymous = !req
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|cookies| cookies.split(';').any(|c| c.trim().starts_with(&format!("{SESSION_COOKIE}="))));
    matches!(*req.method(), Method::GET | Method::HEAD)
        && req.uri().query().is_none()
        && CACHEABLE.contains(&req.uri().path())
        && anonymous
}
