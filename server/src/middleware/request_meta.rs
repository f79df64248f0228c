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

/// Puts the request's [`RequestMeta`] in its extensions (the client IP taken from `X-Forwarded-For`
/// only behind a trusted proxy) and answers with its request id in `x-request-id`.
pub async fn attach(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    // Every `X-Forwarded-For` line, in order: a proxy may append its own line rather than extend
    // the client's, and reading only the first would believe the client's forgery.
    let forwarded = forwarded_chain(req.headers());
    let ip = state.config.trusted_proxies.client_ip(peer, forwarded.as_deref());
    let user_agent: String = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .take(512)
        .collect();
    let id = request_id();
    req.extensions_mut().insert(RequestMeta { ip: ip.to_string(), user_agent, request_id: id.clone(), session: None });
    // Every line logged while this request is handled names it.
    let span = tracing::info_span!("request", request_id = %id);
    let mut res = tracing::Instrument::instrument(next.run(req), span).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", value);
    }
    res
}

/// All `X-Forwarded-For` header lines joined into one list, left to right; `None` without any.
/// Bytes that are not text become U+FFFD: such an entry is no address, and only the entries a
/// trusted proxy appended (the right-most ones) are ever believed.
fn forwarded_chain(headers: &axum::http::HeaderMap) -> Option<String> {
    let lines: Vec<String> =
        headers.get_all("x-forwarded-for").iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect();
    (!lines.is_empty()).then(|| lines.join(","))
}

#[cfg(test)]
mod tests {
    use super::forwarded_chain;
    use axum::http::{HeaderMap, HeaderValue};

    #[test]
    fn every_forwarded_for_line_is_read_in_order() {
        let mut headers = HeaderMap::new();
        assert_eq!(forwarded_chain(&headers), None);
        headers.append("x-forwarded-for", HeaderValue::from_static("6.6.6.6"));
        headers.append("x-forwarded-for", HeaderValue::from_static("198.51.100.7, 10.0.0.2"));
        assert_eq!(forwarded_chain(&headers).as_deref(), Some("6.6.6.6,198.51.100.7, 10.0.0.2"));
    }
}
