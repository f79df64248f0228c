//! The public page for anonymous visitors, answered from the page cache before the router.
//!
//! An anonymous GET of a cached page needs nothing the router's layers do (no session, no
//! cross-site check, no authorization: it is public; no per-response compression: the cache holds
//! the page's pieces deflated once, see `app::ssr::spliced_gzip`). So it is answered here, as each
//! connection's requests arrive, with what every response gets: its own CSP nonce, the security
//! headers, a request id, a view counted and the request measured. Misses, and every other
//! request, go to the router, whose page-cache layer renders and stores the page.

use crate::middleware::{page_cache::is_cacheable, security_headers};
use app::ssr::{page_cache::CachedPage, tokens::request_id, AppState};
use axum::{
    body::Body,
    http::{header, HeaderValue, Method, Request, StatusCode},
    response::Response,
};
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use leptos::nonce::Nonce;
use std::{
    collections::VecDeque,
    convert::Infallible,
    pin::Pin,
    task::{Context, Poll},
    time::Instant,
};

/// The cached answer to `req`, if it is an anonymous GET of a page in the cache.
pub fn answer<B>(state: &AppState, req: &Request<B>) -> Option<Response> {
    if req.method() != Method::GET || !is_cacheable(req) {
        return None;
    }
    let started = Instant::now();
    let path = req.uri().path();
    // Without `Accept-Encoding` the page goes as it is; with gzip accepted, spliced; a client
    // that takes only other encodings is left to the router's compression layer.
    let gzip = accepts_gzip(req);
    if !gzip && req.headers().contains_key(header::ACCEPT_ENCODING) {
        return None;
    }
    let page = state.page_cache.get(path)?;
    let mut res = respond(state, path, &page, gzip)?;
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    state.metrics.request(path, "GET", StatusCode::OK.as_u16(), started.elapsed().as_secs_f64());
    Some(res)
}

/// `page` as the answer to an anonymous request for `path`: its pieces (or, with `gzip`, its
/// deflated pieces; `None` if it has none) around a new nonce, sent without copying, with the
/// security headers and a request id, counted as a view. The router's page-cache layer answers
/// its hits with this too.
pub fn respond(state: &AppState, path: &str, page: &CachedPage, gzip: bool) -> Option<Response> {
    let nonce = Nonce::new();
    let chunks = match gzip {
        true => page.gzip_with_nonce(nonce.as_inner())?,
        false => page.pieces_with_nonce(nonce.as_inner()),
    };
    let mut res = Response::new(Body::new(Pieces::new(chunks)));
    let headers = res.headers_mut();
    if let Some(value) = &page.content_type {
        headers.insert(header::CONTENT_TYPE, value.clone());
    }
    if gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    security_headers::set(headers, nonce.as_inner(), state.config.base_url.is_https());
    if let Ok(id) = HeaderValue::from_str(&request_id()) {
        headers.insert("x-request-id", id);
    }
    state.visits.record(path, 0);
    Some(res)
}

/// Whether the client takes gzip (`Accept-Encoding` names `gzip` or `x-gzip` without `q=0`).
fn accepts_gzip<B>(req: &Request<B>) -> bool {
    req.headers().get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).any(|list| {
        list.split(',').any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            // `q` is case-insensitive (RFC 9110 §12.4.2); anything but a positive number refuses.
            let refused = parts.any(|p| {
                let Some((key, q)) = p.split_once('=') else { return false };
                key.trim().eq_ignore_ascii_case("q") && !q.trim().parse::<f32>().is_ok_and(|q| q > 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip")) && !refused
        })
    })
}

/// A body of shared chunks sent as they are (no copy), with its exact length up front.
struct Pieces {
    chunks: VecDeque<Bytes>,
    remaining: u64,
}

impl Pieces {
    fn new(chunks: Vec<Bytes>) -> Self {
        let remaining = chunks.iter().map(|c| c.len() as u64).sum();
        Self { chunks: chunks.into_iter().filter(|c| !c.is_empty()).collect(), remaining }
    }
}

impl HttpBody for Pieces {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.chunks.pop_front() {
            Some(chunk) => {
                self.remaining -= chunk.len() as u64;
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        self.chunks.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

#[cfg(test)]
mod tests {
    use super::accepts_gzip;
    use axum::http::Request;

    fn with(value: &str) -> bool {
        accepts_gzip(&Request::builder().header("accept-encoding", value).body(()).unwrap())
    }

    #[test]
    fn gzip_is_chosen_only_when_the_client_takes_it() {
        assert!(with("gzip, deflate, br, zstd"));
        assert!(with("br;q=1.0, gzip;q=0.8"));
        assert!(with("X-GZIP"));
        assert!(!with("br"));
        assert!(!with("gzip;q=0"));
        assert!(!with("gzip; q=0.0"));
        assert!(!with("gzip;Q=0"), "q is case-insensitive");
        assert!(!with("gzip;q=NaN"));
        assert!(!with("identity"));
        assert!(!accepts_gzip(&Request::builder().body(()).unwrap()));
    }
}
