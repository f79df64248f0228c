//! Layers every response passes through.

mod page_cache;
mod security_headers;

use app::ssr::AppState;
use axum::{middleware::from_fn_with_state, Router};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::{
        predicate::{NotForContentType, Predicate},
        CompressionLayer, CompressionLevel, DefaultPredicate,
    },
};

/// Applies the shared layers, outermost first: security headers and the CSP nonce (on every
/// response, errors included), panics turned into a plain 500, compression, and the anonymous
/// public-page cache.
pub fn apply(router: Router, state: AppState) -> Router {
    // Quality 4 keeps per-request brotli/gzip cheap; static assets are compressed once, at
    // best quality, by the asset route.
    let compression = CompressionLayer::new()
        .quality(CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(NotForContentType::new("application/pdf")));
    router
        .layer(from_fn_with_state(state.clone(), page_cache::serve_cached))
        .layer(compression)
        .layer(CatchPanicLayer::custom(security_headers::panic_response))
        .layer(from_fn_with_state(state, security_headers::apply))
}
