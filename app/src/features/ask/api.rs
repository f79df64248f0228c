//! Server functions: asking (anyone) and the gap queue (security staff).

use super::model::{AskMatch, AskResult, Gap};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    features::{
        accounts::{model::StaffRole, server::staff_actor},
        knowledge::{model::KbVisibility, server as kb},
    },
    ssr::{
        app_state,
        auth::{current_principal, require_role},
        forms::{finish, FormSpec},
        request_meta::RequestMeta,
    },
};

/// Public: the approved answers to a question that the visitor may see (public entries; also
/// those under NDA for a prospect with an active grant and the current NDA).
#[server(prefix = "/api", endpoint = "ask_question")]
pub async fn ask_question(q: String) -> Result<AskResult, AppError> {
    let principal = current_principal();
    super::server::ask(&app_state()?, &RequestMeta::current(), &principal, &q).await
}

/// Public: one approved entry the visitor may see, by its id; "not found" for any other.
#[server(prefix = "/api", endpoint = "ask_entry")]
pub async fn ask_entry(id: String) -> Result<AskMatch, AppError> {
    let principal = current_principal();
    super::server::entry_for(&app_state()?.db, &principal, &id).await
}

/// Public: be told by e-mail when a question without an approved answer is answered.
#[server(prefix = "/api", endpoint = "ask_leave_email")]
pub async fn ask_leave_email(q: String, email: String) -> Result<(), AppError> {
    let principal = current_principal();
    let page = format!("/ask?q={}", crate::paths::query_value(&q));
    let spec = FormSpec { name: "ask", page: page.clone().into() };
    let result = super::server::leave_email(&app_state()?, &RequestMeta::current(), &principal, &q, &email).await;
    finish(&spec, &[("email", email.as_str())], result, |_| {
        Some((page, Some(("ask", "Thank you: check your e-mail and confirm the address, and we will write once the security team has answered.".into()))))
    })
    .await
}

/// Anyone holding a confirmation link: confirms the address (POST, so a mail scanner that opens
/// links does not confirm on its own).
#[server(prefix = "/api", endpoint = "ask_confirm_email")]
pub async fn ask_confirm_email(token: String) -> Result<(), AppError> {
    let spec = FormSpec { name: "ask", page: "/ask".into() };
    let result = super::server::confirm_email(&app_state()?, &RequestMeta::current(), &token).await;
    finish(&spec, &[], result, |_| {
        Some((
            "/ask".into(),
            Some(("ask", "Confirmed: we will e-mail you once the security team has answered.".into())),
        ))
    })
    .await
}

/// Security: the gap queue.
#[server(prefix = "/api", endpoint = "ask_gaps")]
pub async fn ask_gaps() -> Result<Vec<Gap>, AppError> {
    require_role(StaffRole::Security)?;
    super::server::gaps(&app_state()?.db).await
}

/// Security: answers a gap with an existing entry (`external_id`) or a new draft entry
/// (`short_answer`, `explanation`, `visibility`), chosen by `mode` ("existing" or "draft").
#[server(prefix = "/api", endpoint = "ask_answer_gap")]
pub async fn ask_answer_gap(
    id: i64,
    mode: String,
    #[server(default)] external_id: String,
    #[server(default)] short_answer: String,
    #[server(default)] explanation: String,
    #[server(default)] visibility: String,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let state = app_state()?;
    let spec = FormSpec { name: "gaps", page: "/admin/kb/gaps".into() };
    let meta = RequestMeta::current();
    let actor = staff_actor(&staff);
    let acting = kb::Acting { db: &state.db, meta: &meta, actor: &actor };
    let result = async {
        let answer = match mode.as_str() {
            "existing" => super::server::Answer::Existing { external_id: external_id.clone() },
            "draft" => super::server::Answer::Draft {
                short_answer: short_answer.clone(),
                explanation: explanation.clone(),
                visibility: KbVisibility::parse(&visibility)
                    .map_err(|_| AppError::field("visibility", "Choose who may see the answer."))?,
            },
            _ => return Err(AppError::BadRequest),
        };
        super::server::answer(&state, &acting, staff.id, id, answer).await
    }
    .await;
    finish(&spec, &[("external_id", external_id.as_str()), ("explanation", explanation.as_str())], result, |entry| {
        Some((
            format!("/admin/kb/{entry}"),
            Some(("kb_entry", "Answered: approve the entry to tell whoever asked.".into())),
        ))
    })
    .await
    .map(|_| ())
}

/// Security: dismisses a gap (not something the knowledge base should answer).
#[server(prefix = "/api", endpoint = "ask_dismiss_gap")]
pub async fn ask_dismiss_gap(id: i64) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let state = app_state()?;
    let spec = FormSpec { name: "gaps", page: "/admin/kb/gaps".into() };
    let meta = RequestMeta::current();
    let actor = staff_actor(&staff);
    let acting = kb::Acting { db: &state.db, meta: &meta, actor: &actor };
    let result = super::server::dismiss(&state, &acting, staff.id, id).await;
    finish(&spec, &[], result, |_| Some(("/admin/kb/gaps".into(), Some(("gaps", "Dismissed.".into()))))).await
}
