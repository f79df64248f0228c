//! Resolves who is asking and enforces the access table (`app::features::accounts::policy`)
//! before any page or server function runs. Deny by default under the guarded prefixes.

use super::body;
use app::{
    features::accounts::{
        model::Principal,
        policy::{is_guarded, rule_for, Access},
    },
    ssr::{
        audit::{self, Event, Outcome},
        auth, forms,
        request_meta::{RequestMeta, SessionOwner},
        session_store::session_key,
        AppState,
    },
};
use axum::{
    extract::{Request, State},
    http::{header, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use tower_sessions::Session;

/// Resolves the principal and applies the path's access rule before any handler: unknown guarded
/// paths are 404, a signed-in person without the right 403 (logged for staff), anyone else 401 or a
/// redirect to sign in. A request with a body is decided again once the body has arrived.
pub async fn authorize(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let path = req.uri().path().to_string();
    let access = match rule_for(&path) {
        Some(access) => Some(access),
        None if is_guarded(&path) => {
            let req = Refused::from(&req);
            if req.wants_html {
                return plain_page(StatusCode::NOT_FOUND, "Page not found", NOT_FOUND, &req.nonce);
            }
            return (StatusCode::NOT_FOUND, "Not found").into_response();
        }
        None => None,
    };
    let mut principal = resolve(&state, session.as_ref(), false).await;
    // Refused at once: no body is read for someone who may not send one.
    if let Some(access) = access.filter(|a| !a.allows(&principal)) {
        return deny(&state, Refused::from(&req), &principal, access).await;
    }
    if body::carries_body(&req) {
        req = match body::buffer(req).await {
            Ok(req) => req,
            Err(refusal) => return refusal,
        };
        // The body may have taken its time: decide again against the sessions and accounts as
        // they are now. (The action's own transaction checks once more; see `audit::record`.)
        principal = resolve(&state, session.as_ref(), true).await;
        if let Some(access) = access.filter(|a| !a.allows(&principal)) {
            return deny(&state, Refused::from(&req), &principal, access).await;
        }
    }
    if let Some(session) = &session {
        signed_in(session, &principal, &mut req).await;
    }
    req.extensions_mut().insert(principal.clone());
    if let Some(session) = session.filter(|_| Refused::from(&req).wants_html && !req.uri().path().starts_with("/api/"))
    {
        let flash = forms::take_for_page_view(&session).await;
        req.extensions_mut().insert(flash);
    }
    let counted = (req.method() == Method::GET).then(|| counted_page(&path)).flatten();
    let res = next.run(req).await;
    if let Some(page) = counted.filter(|_| res.status() == StatusCode::OK) {
        count_visit(&state, &principal, page).await;
    }
    res
}

/// The session's principal; `again` bypasses what the session layer loaded with the headers.
async fn resolve(state: &AppState, session: Option<&Session>, again: bool) -> Principal {
    let Some(session) = session else { return Principal::Anonymous };
    let resolved =
        if again { auth::resolve_again(session, &state.db).await } else { auth::resolve(session, &state.db).await };
    resolved.unwrap_or_else(|err| {
        tracing::error!(error = %err, "could not resolve the session");
        Principal::Anonymous
    })
}

/// For a signed-in request: slide the session's idle timeout, and tell the access log's writer
/// which stored session this request acts by.
async fn signed_in(session: &Session, principal: &Principal, req: &mut Request) {
    if matches!(principal, Principal::Anonymous) {
        return;
    }
    let (Some(auth), Some(id)) = (auth::session_auth(session).await, session.id()) else { return };
    auth::touch(session, &auth);
    let (staff_id, prospect_id) = match principal {
        Principal::Staff(s) | Principal::PendingStaff { staff: s, .. } => (Some(s.id), None),
        Principal::Prospect(p) => (None, Some(p.id)),
        Principal::Anonymous => (None, None),
    };
    if let Some(meta) = req.extensions_mut().get_mut::<RequestMeta>() {
        meta.session = Some(SessionOwner { key: session_key(&id), staff_id, prospect_id });
    }
}

/// What a refusal needs from the request (which cannot be held across an await).
struct Refused {
    path: String,
    path_and_query: String,
    method: Method,
    wants_html: bool,
    meta: RequestMeta,
    /// This response's CSP nonce (set by `security_headers`), for a page's inline style.
    nonce: String,
}

impl From<&Request> for Refused {
    fn from(req: &Request) -> Self {
        let accepts_html =
            req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"));
        Self {
            path: req.uri().path().chars().take(200).collect(),
            path_and_query: req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into()),
            method: req.method().clone(),
            wants_html: req.method() == Method::GET && accepts_html,
            meta: req.extensions().get::<RequestMeta>().cloned().unwrap_or_default(),
            nonce: req.extensions().get::<leptos::nonce::Nonce>().map(|n| n.to_string()).unwrap_or_default(),
        }
    }
}

async fn deny(state: &AppState, req: Refused, principal: &Principal, access: Access) -> Response {
    let signed_in = matches!(principal, Principal::Prospect(_) | Principal::Staff(_));
    let wrong_kind =
        matches!((principal, access), (Principal::Prospect(_), Access::Staff | Access::Role(_) | Access::SecondFactor));
    if signed_in && !wrong_kind {
        // Signed in, but without the role: refused, and worth recording.
        if let Principal::Staff(staff) = principal {
            let actor = app::features::accounts::server::staff_actor(staff);
            let event = Event {
                actor: &actor,
                event: "access.denied",
                object: req.path.clone(),
                outcome: Outcome::Denied,
                details: serde_json::json!({ "method": req.method.as_str() }),
            };
            if let Err(err) = audit::record_alone(&state.db, &req.meta, event).await {
                tracing::error!(error = %err, "could not log a denied request");
            }
        }
        if req.wants_html {
            return plain_page(StatusCode::FORBIDDEN, "Not allowed", FORBIDDEN, &req.nonce);
        }
        return (StatusCode::FORBIDDEN, "You do not have permission to do that.").into_response();
    }
    if !req.wants_html {
        return (StatusCode::UNAUTHORIZED, "Please sign in to continue.").into_response();
    }
    let target = match (access, principal) {
        (Access::Prospect, _) => {
            let here = url::form_urlencoded::byte_serialize(req.path_and_query.as_bytes()).collect::<String>();
            format!("/sign-in?next={here}")
        }
        (_, Principal::PendingStaff { enrolled: true, .. }) => "/staff/two-factor".into(),
        (_, Principal::PendingStaff { enrolled: false, .. }) => "/staff/two-factor/setup".into(),
        _ => "/staff/sign-in".into(),
    };
    Redirect::to(&target).into_response()
}

/// Pages whose views analytics count: the public page and each document's request page.
fn counted_page(path: &str) -> Option<String> {
    if path == "/" {
        return Some(path.to_string());
    }
    let slug = path.strip_prefix("/documents/")?.strip_suffix("/request")?;
    (!slug.is_empty() && !slug.contains('/')).then(|| path.to_string())
}

async fn count_visit(state: &AppState, principal: &Principal, page: String) {
    let company = match principal {
        Principal::Prospect(p) => sqlx::query_as::<_, (Option<i64>,)>("select company_id from prospects where id = $1")
            .bind(p.id)
            .fetch_optional(state.db.pool())
            .await
            .ok()
            .flatten()
            .and_then(|r| r.0)
            .unwrap_or(0),
        _ => 0,
    };
    state.visits.record(&page, company);
}

const FORBIDDEN: &str = "<h1>You do not have permission to open this page</h1>\
    <p>Your roles do not include it. If you need it, ask an admin to give you the role.</p>\
    <p><a href=\"/admin\">Back to the staff area</a></p>";
const NOT_FOUND: &str = "<h1>Page not found</h1><p>Nothing is at this address.</p>\
    <p><a href=\"/\">Go to the trust center</a></p>";

/// A small page of fixed text answered before any page renders (refused, or unknown under a
/// guarded prefix): a real HTML document with a language and a title, styled inline under the
/// response's CSP nonce. Nothing from the request is written into it.
fn plain_page(status: StatusCode, title: &str, body: &str, nonce: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title} · Trust Center</title>\
         <style nonce=\"{nonce}\">body{{font-family:system-ui,-apple-system,\"Segoe UI\",sans-serif;color:#1b1f24;\
         max-width:40rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}a{{color:#1d5c8f}}</style></head>\
         <body><main>{body}</main></body></html>"
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}
