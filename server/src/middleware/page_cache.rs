//! Serves the public page to anonymous visitors from [`app::ssr::page_cache::PageCache`].

use app::ssr::{AppState, SESSION_COOKIE};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::Response,
};
use leptos::nonce::Nonce;

/// Paths whose anonymous rendering is the same for everyone.
const CACHEABLE: &[&str] = &["/"];
/// The public page is tens of kilobytes; anything near this is not what we meant to cache.
const MAX_CACHED_BYTES: usize = 2 * 1024 * 1024;

/// Answers an anonymous GET of a cacheable page from the cache, with this request's nonce; on a
/// miss, renders it and stores a successful HTML answer. Every other request passes straight on.
pub async fn serve_cached(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let nonce = match req.extensions().get::<Nonce>() {
        Some(nonce) if is_cacheable(&req) => nonce.clone(),
        _ => return next.run(req).await,
    };
    let key = req.uri().path().to_string();
    if let Some(page) = state.page_cache.get(&key) {
        return html(page.render(nonce.as_inner()).into(), &page.content_type);
    }
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
fn is_cacheable(req: &Request) -> bool {
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

fn html(body: Body, content_type: &str) -> Response {
    let mut res = Response::new(body);
    if let Ok(value) = HeaderValue::from_str(content_type) {
        res.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    res
}
