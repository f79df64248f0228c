//! Counts every request by route pattern, method and status, with its latency to the response
//! head (see `app::ssr::metrics`).

use app::ssr::AppState;
use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};
use std::time::Instant;

/// Outermost layer: times the request through every other layer, cache hits included. The route
/// is the pattern that matched, never the path a client sent, so probing cannot grow the series.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    let method = req.method().clone();
    let res = next.run(req).await;
    let route = route.as_deref().unwrap_or("unmatched");
    state.metrics.request(route, method.as_str(), res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}
