//! `/trust.json`: the published trust center as data.

use super::RouteError;
use app::{features::trust_center::server as trust, ssr::AppState, types::IsoDate};
use axum::{
    extract::State,
    http::header,
    response::{IntoResponse, Response},
    Json,
};

/// The public page's data as JSON, for buyers' tooling. Public, so any origin may read it.
pub async fn trust_json(State(state): State<AppState>) -> Result<Response, RouteError> {
    let page = trust::trust_page(&state.db, IsoDate::today_utc(), state.config.base_url.as_str()).await?;
    Ok(([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"), (header::CACHE_CONTROL, "public, max-age=300")], Json(page))
        .into_response())
}
