//! Refuses state-changing requests that a browser says come from another site.
//!
//! Browsers send `Sec-Fetch-Site` and `Origin` on every cross-origin POST; a request carrying
//! either with another origin is refused before any handler (server functions included) runs.
//! Clients that send neither are not browsers, so they cannot carry a victim's cookies.

use app::ssr::{refusals::Noted, request_meta::RequestMeta, AppState};
use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
};

/// A refused request, as the access log records it.
struct CrossSite {
    path: String,
    origin: Option<String>,
    fetch_site: Option<String>,
    meta: RequestMeta,
}

fn cross_site(req: &Request, own_origin: &str) -> Option<CrossSite> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let (fetch_site, origin) = (header("sec-fetch-site"), header(header::ORIGIN.as_str()));
    let refused = fetch_site.as_deref().is_some_and(|site| site != "same-origin" && site != "none")
        || origin.as_deref().is_some_and(|o| o != own_origin);
    refused.then(|| CrossSite {
        path: req.uri().path().chars().take(200).collect(),
        origin,
        fetch_site,
        meta: req.extensions().get::<RequestMeta>().cloned().unwrap_or_default(),
    })
}

/// Refuses with `403` a request other than GET, HEAD or OPTIONS whose `Sec-Fetch-Site` or `Origin`
/// shows another origin (`429` once its source is throttled); refusals reach the access log
/// limited.
pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(refused) = cross_site(&req, &state.config.base_url.origin()) else {
        return next.run(req).await;
    };
    // Limited and aggregated: anyone can send these, and the log is permanent.
    let details = serde_json::json!({ "origin": refused.origin, "sec_fetch_site": refused.fetch_site });
    let noted =
        state.refusals.note(&state.db, &refused.meta, "request.cross_site_refused", refused.path, details).await;
    let status = if noted == Noted::Throttled { StatusCode::TOO_MANY_REQUESTS } else { StatusCode::FORBIDDEN };
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "Cross-site request refused.").into_response()
}
