//! Document downloads.
//!
//! - `GET /documents/{slug}/download`: a public document, unstamped, counted.
//! - `POST /documents/{slug}/get`: a restricted one: checks access and issues a signed,
//!   five-minute, single-use link, then redirects to it. (A GET changes nothing: it shows the
//!   prospect's page, where the download buttons post here.)
//! - `GET /download/{token}`: verifies the link and everything behind it again, stamps the copy,
//!   logs it, then streams it; how the transfer ended is logged too.

use super::{put_flash, RouteError};
use app::{
    error::AppError,
    features::{
        accounts::model::Principal,
        documents::{model::Visibility, server as docs},
        downloads::server::{self as downloads, Refusal},
    },
    forms::Flash,
    ssr::{request_meta::RequestMeta, AppState},
};
use axum::{
    body::{Body, Bytes},
    extract::{Path, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
    Extension,
};
use futures_util::Stream;
use std::{
    pin::Pin,
    task::{Context, Poll},
};
use tower_sessions::Session;

fn pdf_response(bytes: Body, file_name: &str, length: u64, download_id: &str) -> Response {
    (
        [
            (header::HeaderName::from_static("x-download-id"), download_id.to_string()),
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", safe_file_name(file_name))),
            (header::CONTENT_LENGTH, length.to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A public document's current version. Restricted documents never come from here.
pub async fn download_public(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Path(slug): Path<String>,
) -> Result<Response, RouteError> {
    let stored = docs::current_version(&state.db, &slug).await?;
    if stored.document.visibility != Visibility::Public {
        return Ok(Redirect::to(&format!("/documents/{}/request", stored.document.slug)).into_response());
    }
    // Opened (its chunks checked against its size) before it is counted; then served a chunk at a
    // time, never whole in memory.
    let file = state.files.open(&stored.sha256).await.map_err(|e| AppError::internal("reading a document", e))?;
    let length = file.size();
    let Some(id) = downloads::count_public(&state, &meta, &stored, length).await? else {
        state.metrics.download("public", "refused");
        return Err(AppError::RateLimited.into());
    };
    state.metrics.download("public", "served");
    let body = Body::from_stream(Tracked::new(state, meta, id.clone(), length, Box::pin(file.into_stream())));
    Ok(pdf_response(body, &stored.file_name, length, &id))
}

/// Where a refused download sends the person, with the reason as a message.
async fn refused(session: &Session, refusal: Refusal) -> Response {
    let target = match refusal {
        Refusal::SignIn => return Redirect::to("/sign-in?next=/account").into_response(),
        Refusal::TooMany => return RouteError(AppError::RateLimited).into_response(),
        Refusal::NdaNeeded => "/nda",
        _ => "/account",
    };
    let form = if target == "/nda" { "nda" } else { "account" };
    let flash = Flash { form: form.into(), error: Some(refusal.message().into()), ..Default::default() };
    put_flash(session, flash, "the refusal message").await;
    Redirect::to(target).into_response()
}

/// A GET of the link-issuing address (an old bookmark, a link from another site): no link, no
/// log row, no receipt; the prospect's page has the download buttons.
pub async fn restricted_page() -> Response {
    Redirect::to("/account").into_response()
}

/// `GET /account/nda/{id}/record.pdf`: the signed-in prospect's own record of an NDA acceptance.
pub async fn nda_record(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Result<Response, super::RouteError> {
    let Principal::Prospect(prospect) = principal else { return Err(AppError::Unauthenticated.into()) };
    let (name, pdf) = app::features::nda::server::record_for(&state.db, prospect.id, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        pdf,
    )
        .into_response())
}

/// Issues a signed link for a restricted document and redirects to it.
pub async fn get_restricted(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(principal): Extension<Principal>,
    session: Session,
    Path(slug): Path<String>,
) -> Response {
    match downloads::issue_link(&state, &meta, &principal, &slug).await {
        Ok(link) => Redirect::to(&link).into_response(),
        Err(refusal) => {
            state.metrics.download("stamped", "refused");
            refused(&session, refusal).await
        }
    }
}

/// Delivers a stamped copy for a valid link.
pub async fn deliver(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    Extension(principal): Extension<Principal>,
    session: Session,
    Path(token): Path<String>,
) -> Response {
    match downloads::deliver(&state, &meta, &principal, &token).await {
        Ok(delivery) => {
            state.metrics.download("stamped", "served");
            let length = delivery.bytes.len() as u64;
            let id = delivery.download_id.clone();
            let chunks = Box::pin(in_pieces(Bytes::from(delivery.bytes)));
            let body = Body::from_stream(Tracked::new(state, meta, delivery.download_id, length, chunks));
            pdf_response(body, &delivery.file_name, length, &id)
        }
        Err(refusal) => refused(&session, refusal).await,
    }
}

/// Bytes in memory (a stamped copy) as a stream of pieces of [`PIECE`] bytes.
fn in_pieces(bytes: Bytes) -> impl Stream<Item = std::io::Result<Bytes>> + Send {
    let len = bytes.len();
    futures_util::stream::iter(
        (0..len).step_by(PIECE).map(move |start| Ok(bytes.slice(start..(start + PIECE).min(len)))),
    )
}

const PIECE: usize = 64 * 1024;

type Chunks = Pin<Box<dyn Stream<Item = std::io::Result<Bytes>> + Send>>;

/// The delivered bytes as a stream that records how the transfer ended: every byte handed to
/// the connection ("completed"), or dropped before that ("aborted": the client left, or the
/// stored file turned out damaged part-way and the connection was cut).
struct Tracked {
    chunks: Chunks,
    length: u64,
    sent: u64,
    finish: Option<(AppState, RequestMeta, String)>,
}

impl Tracked {
    fn new(state: AppState, meta: RequestMeta, download_id: String, length: u64, chunks: Chunks) -> Self {
        Self { chunks, length, sent: 0, finish: Some((state, meta, download_id)) }
    }

    fn record(&mut self, completed: bool) {
        if let Some((state, meta, id)) = self.finish.take() {
            let sent = self.sent as usize;
            tokio::spawn(async move { downloads::finish(&state, &meta, &id, completed, sent).await });
        }
    }
}

impl Stream for Tracked {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = std::task::ready!(self.chunks.as_mut().poll_next(cx));
        match &next {
            Some(Ok(chunk)) => {
                self.sent += chunk.len() as u64;
                // With the length known, the server may never ask again after the last chunk:
                // the transfer counts as complete once every byte has been handed to the
                // connection.
                if self.sent == self.length {
                    self.record(true);
                }
            }
            Some(Err(e)) => {
                tracing::error!(error = %e, "a stored file failed while being sent; connection cut");
                self.record(false);
            }
            None => {
                let complete = self.sent == self.length;
                self.record(complete);
            }
        }
        Poll::Ready(next)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.record(false);
    }
}

/// A file name safe in a quoted header value on every platform: letters, digits, `.-_` only.
pub fn safe_file_name(name: &str) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '-' }).collect();
    let trimmed = cleaned.trim_matches(|c| c == '.' || c == '-');
    if trimmed.is_empty() {
        "document.pdf".to_string()
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_cannot_break_headers_or_paths() {
        assert_eq!(safe_file_name("soc2 report.pdf"), "soc2-report.pdf");
        assert_eq!(safe_file_name("../../etc/passwd"), "etc-passwd");
        assert_eq!(safe_file_name("a\"b\r\nc.pdf"), "a-b--c.pdf");
        assert_eq!(safe_file_name("..."), "document.pdf");
    }
}
