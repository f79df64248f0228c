//! `/updates.atom` (the published updates as Atom) and `POST /updates/unsubscribe/one-click`
//! (RFC 8058: mail clients post `List-Unsubscribe=One-Click` to the header's address).

use super::RouteError;
use app::{
    features::updates::server as updates,
    ssr::{request_meta::RequestMeta, AppState},
};
use axum::{
    extract::{Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Extension, Router,
};

/// The published updates as an Atom feed (the newest 50), public.
pub const ATOM: &str = app::paths::UPDATES_ATOM;
/// RFC 8058 one-click unsubscribe: `POST` with the token the mail's `List-Unsubscribe` carries.
pub const ONE_CLICK: &str = app::paths::UPDATES_ONE_CLICK;

/// The Atom feed and the one-click unsubscribe (authorised by the mail's token, not a session).
pub fn router(state: AppState) -> Router {
    Router::new().route(ATOM, get(atom)).route(ONE_CLICK, post(one_click)).with_state(state)
}

async fn atom(State(state): State<AppState>) -> Result<Response, RouteError> {
    let list = updates::public_updates(&state.db, 50).await?;
    let company =
        app::features::trust_center::server::branding(&state.db, state.config.base_url.as_str()).await?.company;
    let body = updates::atom(state.config.base_url.as_str(), &company, &list);
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=300")],
        body,
    )
        .into_response())
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: String,
}

async fn one_click(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Query(q): Query<TokenQuery>,
) -> Response {
    match updates::unsubscribe(&state, &meta, &q.token).await {
        Ok(()) => (StatusCode::OK, "Unsubscribed.").into_response(),
        Err(error) => RouteError(error).into_response(),
    }
}
