//! `/healthz`: the process answers (liveness). `/readyz`: it can serve, because its database
//! answers and has every migration this build needs (readiness, for load balancers and rolling
//! upgrades).

use app::ssr::AppState;
use axum::{extract::State, http::StatusCode};

/// 200 while the process answers requests.
pub async fn healthz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok")
}

/// 200 when the database answers and is migrated, 503 otherwise.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if !state.db.is_healthy().await {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
    } else if !state.db.is_ready().await {
        (StatusCode::SERVICE_UNAVAILABLE, "database not migrated")
    } else {
        (StatusCode::OK, "ready")
    }
}
