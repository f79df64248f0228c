//! Layers every response passes through.

mod api_status;
mod authorize;
mod body;
mod csrf;
mod metrics;
pub mod page_cache;
mod request_meta;
pub mod security_headers;

use app::ssr::{session_store::DbSessionStore, AppState, SESSION_COOKIE};
use axum::{middleware::from_fn_with_state, Router};
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::{
        predicate::{NotForContentType, Predicate},
        CompressionLayer, CompressionLevel, DefaultPredicate,
    },
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

/// Applies the shared layers, outermost first: metrics; compression; the anonymous public-page cache (a
/// hit is answered here, with its own nonce and the security headers); security headers and the
/// CSP nonce (on every response, errors included); request metadata; panics turned into a plain
/// 500; the cross-site check; the session; authorization against the access table (which reads
/// request bodies, with a limit and a deadline, before deciding again); and server-function
/// errors given their own status.
pub fn apply(router: Router, state: AppState) -> Router {
    // Quality 4 keeps per-request brotli/gzip cheap; static assets are compressed once, at
    // best quality, by the asset route.
    let compression = CompressionLayer::new()
        .quality(CompressionLevel::Precise(4))
        .compress_when(DefaultPredicate::new().and(NotForContentType::new("application/pdf")));
    // Anonymous visitors get a session only when something is stored (a form's flash message);
    // signing in replaces it (new id) and sets the idle timeout for the kind of account.
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.base_url.is_https())
        .with_expiry(Expiry::OnInactivity(time::Duration::hours(1)));
    router
        .layer(axum::middleware::from_fn(api_status::apply))
        .layer(from_fn_with_state(state.clone(), authorize::authorize))
        .layer(sessions)
        .layer(from_fn_with_state(state.clone(), csrf::check))
        .layer(CatchPanicLayer::custom(security_headers::panic_response))
        .layer(from_fn_with_state(state.clone(), request_meta::attach))
        .layer(from_fn_with_state(state.clone(), security_headers::apply))
        .layer(from_fn_with_state(state.clone(), page_cache::serve_cached))
        .layer(compression)
        .layer(from_fn_with_state(state, metrics::track))
}
