//! Attaches [`RequestMeta`] (client IP behind trusted proxies only, user agent, request id) to
//! every request, and returns the request id in `x-request-id`.

use app::ssr::{request_meta::RequestMeta, tokens::request_id, AppState};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

pub async fn attach(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let forwarded = req.headers().get("x-forwarded-for").and_then(|v| v.to_str().ok());
    let ip = state.config.trusted_proxies.client_ip(peer, forwarded);
    let user_agent: String = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(512)
        .collect();
    let id = request_id();
    req.extensions_mut().insert(RequestMeta { ip: ip.to_string(), user_agent, request_id: id.clone() });
    let mut res = next.run(req).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", value);
    }
    res
}
