//! `/healthz`: whether this instance can serve (its database answers), for load balancers.

use app::ssr::AppState;
use axum::{extract::State, http::StatusCode};

/// 200 when the database answers, 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.db.is_healthy().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    }
}
