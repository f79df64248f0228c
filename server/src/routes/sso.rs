//! Staff single sign-on: `GET /staff/sso/start` sends the browser to the identity provider with a
//! fresh state, nonce and PKCE challenge (kept in the session, which lives in the database, so
//! the callback may reach any instance); `GET /staff/sso/callback` takes the provider's answer
//! once (the pending values leave the session whatever happens), verifies it and signs the staff
//! member in, or sends them back to the sign-in page with the reason, logged.

use super::put_flash;
use app::{
    features::accounts::server::sso::{self, PENDING_KEY},
    forms::Flash,
    ssr::{
        oidc::{Pending, Refusal},
        request_meta::RequestMeta,
        AppState,
    },
    types::Timestamp,
};
use axum::{
    extract::{Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    Extension,
};
use std::collections::HashMap;
use tower_sessions::Session;

const SIGN_IN: &str = "/staff/sign-in";

async fn back_to_sign_in(
    state: &AppState,
    meta: &RequestMeta,
    session: &Session,
    refusal: Refusal,
    email: Option<&str>,
) -> Response {
    sso::log_refusal(state, meta, &refusal, email).await;
    let name = state.sso.as_ref().map(|s| s.settings.name.clone()).unwrap_or_default();
    let flash =
        Flash { form: "staff_sign_in".into(), error: Some(sso::message(refusal.reason, &name)), ..Default::default() };
    put_flash(session, flash, "the SSO refusal").await;
    Redirect::to(SIGN_IN).into_response()
}

/// Redirects to the provider's sign-in page.
pub async fn start(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    session: Session,
) -> Response {
    let Some(sso) = state.sso.clone() else { return StatusCode::NOT_FOUND.into_response() };
    // Each start without a session makes one (a database row): limited per source like other
    // anonymous session makers.
    if session.id().is_none() && !state.rate_limits.new_session(meta.ip.parse().ok()) {
        return StatusCode::TOO_MANY_REQUESTS.into_response();
    }
    match sso.begin(Timestamp::now().0).await {
        Ok((url, pending)) => match session.insert(PENDING_KEY, &pending).await {
            Ok(()) => Redirect::to(&url).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "keeping the SSO state in the session");
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        },
        Err(refusal) => back_to_sign_in(&state, &meta, &session, refusal, None).await,
    }
}

/// The provider's answer.
pub async fn callback(
    State(state): State<AppState>,
    Extension(meta): Extension<RequestMeta>,
    session: Session,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(sso) = state.sso.clone() else { return StatusCode::NOT_FOUND.into_response() };
    // Single use: taken out of the session before anything else, so a replayed callback finds none.
    let pending: Option<Pending> = session.remove(PENDING_KEY).await.ok().flatten();
    let field = |name: &str| query.get(name).map(|v| v.chars().take(2048).collect::<String>()).unwrap_or_default();
    if !field("error").is_empty() {
        let refusal = Refusal {
            reason: "refused by the provider",
            detail: format!("{}: {}", field("error"), field("error_description")),
        };
        return back_to_sign_in(&state, &meta, &session, refusal, None).await;
    }
    let now = Timestamp::now().0;
    let identity = match sso.finish(pending, &field("state"), &field("code"), now).await {
        Ok(identity) => identity,
        Err(refusal) => return back_to_sign_in(&state, &meta, &session, refusal, None).await,
    };
    let email = identity.email.clone();
    match sso::complete(&state, &sso, &meta, &session, identity).await {
        Ok(Ok(())) => Redirect::to("/admin").into_response(),
        Ok(Err(refusal)) => back_to_sign_in(&state, &meta, &session, refusal, Some(&email)).await,
        Err(e) => {
            tracing::error!(error = %e, "completing an SSO sign-in");
            let refusal = Refusal { reason: "internal error", detail: String::new() };
            back_to_sign_in(&state, &meta, &session, refusal, Some(&email)).await
        }
    }
}
