//! Refuses state-changing requests that a browser says come from another site.
//!
//! Browsers send `Sec-Fetch-Site` and `Origin` on every cross-origin POST; a request carrying
//! either with another origin is refused before any handler (server functions included) runs.
//! Clients that send neither are not browsers, so they cannot carry a victim's cookies.

use app::ssr::{
    audit::{self, Actor, Event, Outcome},
    request_meta::RequestMeta,
    AppState,
};
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

pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(refused) = cross_site(&req, &state.config.base_url.origin()) else {
        return next.run(req).await;
    };
    let actor = Actor::anonymous();
    let event = Event {
        actor: &actor,
        event: "request.cross_site_refused",
        object: refused.path,
        outcome: Outcome::Denied,
        details: serde_json::json!({ "origin": refused.origin, "sec_fetch_site": refused.fetch_site }),
    };
    if let Err(err) = audit::record_alone(&state.db, &refused.meta, event).await {
        tracing::error!(error = %err, "could not log a refused cross-site request");
    }
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], "Cross-site request refused.")
        .into_response()
}
