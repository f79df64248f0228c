//! The Prometheus scrape endpoint, on its own listen address (`VOUCHSAFE_METRICS_ADDR`) so that
//! it is never reachable through the public site: bind it to an address only the monitoring
//! network reaches. `GET /metrics` answers in the OpenMetrics text format; nothing else is served.

use app::ssr::AppState;
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::IntoResponse,
    routing::get,
    Router,
};

/// Serves `/metrics` on `listener` until the process ends.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) {
    let app = Router::new().route("/metrics", get(metrics)).with_state(state);
    if let Err(err) = axum::serve(listener, app).await {
        tracing::error!(error = %err, "the metrics listener stopped");
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = state.metrics.scrape(&state.db).await;
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body)
}
