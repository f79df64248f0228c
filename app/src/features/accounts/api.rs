//! Server functions for accounts. Each is a public HTTP endpoint: the first lines establish who
//! may call it (the server's access table checks the same thing before it runs).

use super::model::{Principal, ProspectUser, SessionSummary, StaffSummary};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::ssr::{
    app_state,
    auth::{current_principal, current_session, require_prospect, require_role, require_staff},
    forms::{finish, FormSpec},
    request_meta::RequestMeta,
};

/// Public: who the caller is (their own identity only).
#[server(prefix = "/api", endpoint = "current_user")]
pub async fn current_user() -> Result<Principal, AppError> {
    Ok(current_principal())
}

/// Public: mails a sign-in link. Rate-limited; the same answer for every address.
#[server(prefix = "/api", endpoint = "request_sign_in_link")]
pub async fn request_sign_in_link(
    email: String,
    name: String,
    company: String,
    next: Option<String>,
) -> Result<(), AppError> {
    use super::server::prospects::{request_link, LinkRequest};
    use crate::types::{short_text, EmailAddress, LocalPath};
    let spec = FormSpec { name: "sign_in", page: "/sign-in".into() };
    let next_text = next.unwrap_or_default();
    let values =
        [("email", email.as_str()), ("name", name.as_str()), ("company", company.as_str()), ("next", &next_text)];
    let result = async {
        let parsed =
            (EmailAddress::parse(&email), short_text(&name, "name", 100), short_text(&company, "company", 120));
        let (email, name, company) = match parsed {
            (Ok(e), Ok(n), Ok(c)) => (e, n, c),
            (e, n, c) => {
                return Err(crate::forms::field_errors(
                    [("email", e.err()), ("name", n.err()), ("company", c.err())]
                        .into_iter()
                        .filter_map(|(f, m)| m.map(|m| (f, m)))
                        .collect(),
                ))
            }
        };
        let personal = crate::features::access::server::personal::is_personal(email.domain());
        let req = LinkRequest { email, name, company, next: LocalPath::parse(&next_text) };
        request_link(&app_state()?, &RequestMeta::current(), req).await.map(|_| personal)
    }
    .await;
    finish(&spec, &values, result, |personal| {
        // Said from the domain alone: nothing about whether the address has an account.
        Some((if *personal { "/sign-in/check-email?personal=1" } else { "/sign-in/check-email" }.into(), None))
    })
    .await
    .map(|_| ())
}

/// Public: the address a sign-in link was sent to, if the link is still usable (nothing is
/// consumed: this feeds the confirmation page that GET requests show).
#[server(prefix = "/api", endpoint = "sign_in_link_info")]
pub async fn sign_in_link_info(token: String) -> Result<Option<String>, AppError> {
    use super::server::email_tokens::{peek, Purpose};
    peek(&app_state()?.db, Purpose::ProspectSignIn, &token).await
}

/// Public: confirms a sign-in link (POST only) and starts the prospect's session.
#[server(prefix = "/api", endpoint = "confirm_sign_in")]
pub async fn confirm_sign_in(token: String) -> Result<String, AppError> {
    // A dead link goes back to the sign-in form, which says why and offers a new link.
    let spec = FormSpec { name: "sign_in", page: "/sign-in".into() };
    let result = async {
        let session = current_session()?;
        super::server::prospects::confirm(&app_state()?, &RequestMeta::current(), &session, &token).await
    }
    .await;
    finish(&spec, &[], result, |next| Some((next.clone(), None))).await
}

/// Public: signs the caller out, ending the session on the server.
#[server(prefix = "/api", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    use crate::ssr::audit::{self, Actor, Event, Outcome};
    let principal = current_principal();
    let session = current_session()?;
    let state = app_state()?;
    let actor = match &principal {
        Principal::Prospect(p) => Some(super::server::prospect_actor(p)),
        Principal::Staff(s) | Principal::PendingStaff { staff: s, .. } => Some(super::server::staff_actor(s)),
        Principal::Anonymous => None::<Actor>,
    };
    // The session row goes in the same transaction as the log row (which is written first: the
    // log's writer checks the session an action rides on); then the session layer forgets it.
    if let Some(actor) = actor {
        let event = Event {
            actor: &actor,
            event: "sign_out",
            object: String::new(),
            outcome: Outcome::Success,
            details: serde_json::json!({}),
        };
        let mut tx = state.db.begin().await?;
        audit::record(&mut tx, &RequestMeta::current(), event).await?;
        if let Some(id) = session.id() {
            sqlx::query("delete from sessions where id = $1")
                .bind(crate::ssr::session_store::session_key(&id))
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
    crate::ssr::auth::end(&session).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Prospect: their own account.
#[server(prefix = "/api", endpoint = "prospect_account")]
pub async fn prospect_account() -> Result<ProspectUser, AppError> {
    require_prospect()
}

pub use super::model::SsoChoice;

/// Public: whether staff may sign in with the company's identity provider, and its name (shown
/// on the public sign-in page; no account is involved).
#[server(prefix = "/api", endpoint = "sso_option")]
pub async fn sso_option() -> Result<Option<SsoChoice>, AppError> {
    let state = app_state()?;
    Ok(state.sso.as_ref().map(|sso| SsoChoice { name: sso.settings.name.clone(), required: sso.settings.required }))
}

/// Public: staff e-mail and password. Unknown addresses answer exactly like wrong passwords.
#[server(prefix = "/api", endpoint = "staff_sign_in")]
pub async fn staff_sign_in(email: String, password: String) -> Result<(), AppError> {
    use super::server::staff::{sign_in, AfterPassword};
    use crate::ssr::passwords::Password;
    let spec = FormSpec { name: "staff_sign_in", page: "/staff/sign-in".into() };
    let result = async {
        let session = current_session()?;
        sign_in(&app_state()?, &RequestMeta::current(), &session, &email, Password::for_sign_in(&password)).await
    }
    .await;
    let next = match &result {
        Ok(AfterPassword::SecondFactor) => "/staff/two-factor",
        Ok(AfterPassword::EnrolSecondFactor) => "/staff/two-factor/setup",
        Err(_) => "/staff/sign-in",
    };
    finish(&spec, &[("email", email.as_str())], result.map(|_| ()), |_| Some((next.into(), None))).await
}

/// Staff after their password: a TOTP code or a recovery code completes the sign-in.
#[server(prefix = "/api", endpoint = "verify_second_factor")]
pub async fn verify_second_factor(code: String) -> Result<(), AppError> {
    let spec = FormSpec { name: "two_factor", page: "/staff/two-factor".into() };
    let result = async {
        let Principal::PendingStaff { staff, enrolled: true } = current_principal() else {
            return Err(AppError::Unauthenticated);
        };
        let session = current_session()?;
        super::server::staff::verify_second_factor(&app_state()?, &RequestMeta::current(), &session, &staff, &code)
            .await
    }
    .await;
    finish(&spec, &[], result, |_| Some(("/admin".into(), None))).await
}

pub use super::model::EnrolmentMaterial;

/// Staff after their password, with no authenticator yet: the secret and QR code to enrol.
#[server(prefix = "/api", endpoint = "two_factor_setup")]
pub async fn two_factor_setup() -> Result<EnrolmentMaterial, AppError> {
    let Principal::PendingStaff { staff, enrolled: false } = current_principal() else {
        return Err(AppError::Forbidden);
    };
    let session = current_session()?;
    super::server::staff::enrolment_material(&app_state()?, &session, &staff).await
}

/// Staff enrolling: the first code from the app confirms the authenticator.
#[server(prefix = "/api", endpoint = "confirm_two_factor_setup")]
pub async fn confirm_two_factor_setup(code: String) -> Result<(), AppError> {
    let spec = FormSpec { name: "two_factor_setup", page: "/staff/two-factor/setup".into() };
    let result = async {
        let Principal::PendingStaff { staff, enrolled: false } = current_principal() else {
            return Err(AppError::Forbidden);
        };
        let session = current_session()?;
        let codes =
            super::server::staff::confirm_enrolment(&app_state()?, &RequestMeta::current(), &session, &staff, &code)
                .await?;
        // Shown on the next page view only, like a flash message.
        let values = std::iter::once(("codes".to_string(), codes.join(" "))).collect();
        crate::ssr::forms::put(crate::forms::Flash { form: "recovery_codes".into(), values, ..Default::default() })
            .await;
        Ok(())
    }
    .await;
    finish(&spec, &[], result, |_| Some(("/staff/recovery-codes".into(), None))).await
}

/// Staff, right after enrolling: the recovery codes, on that one page view only.
#[server(prefix = "/api", endpoint = "recovery_codes")]
pub async fn recovery_codes() -> Result<Vec<String>, AppError> {
    require_staff()?;
    let flash = crate::ssr::forms::take("recovery_codes").await?.unwrap_or_default();
    Ok(flash.value("codes").split_whitespace().map(str::to_string).collect())
}

/// Public: mails a password-reset link if the address is an active staff member's. The answer
/// is the same either way.
#[server(prefix = "/api", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    let spec = FormSpec { name: "reset", page: "/staff/reset".into() };
    let result =
        async { super::server::staff::request_reset(&app_state()?, &RequestMeta::current(), &email).await }.await;
    finish(&spec, &[("email", email.as_str())], result, |_| Some(("/staff/reset/check-email".into(), None))).await
}

/// Which kind of mailed staff link a page is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffLink {
    Reset,
    Invitation,
}

/// Public: the address a reset or invitation link was sent to, if it is still usable.
#[server(prefix = "/api", endpoint = "staff_token_info")]
pub async fn staff_token_info(token: String, link: StaffLink) -> Result<Option<String>, AppError> {
    use super::server::email_tokens::{peek, Purpose};
    let purpose = match link {
        StaffLink::Reset => Purpose::PasswordReset,
        StaffLink::Invitation => Purpose::StaffInvite,
    };
    peek(&app_state()?.db, purpose, &token).await
}

/// Public (the link is the credential): sets a new password from a reset link.
#[server(prefix = "/api", endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use super::server::email_tokens::Purpose;
    let spec =
        FormSpec { name: "reset_confirm", page: format!("/staff/reset/confirm?token={}", urlencode(&token)).into() };
    let result = super::server::staff::set_password_from_link(
        &app_state()?,
        &RequestMeta::current(),
        Purpose::PasswordReset,
        &token,
        &password,
    )
    .await;
    finish(&spec, &[], result, |_| {
        Some(("/staff/sign-in".into(), Some(("staff_sign_in", "Your password was changed. Please sign in.".into()))))
    })
    .await
}

/// Public (the link is the credential): accepts a staff invitation by choosing a password.
#[server(prefix = "/api", endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<(), AppError> {
    use super::server::email_tokens::Purpose;
    let spec =
        FormSpec { name: "invitation", page: format!("/staff/invite/accept?token={}", urlencode(&token)).into() };
    let result = super::server::staff::set_password_from_link(
        &app_state()?,
        &RequestMeta::current(),
        Purpose::StaffInvite,
        &token,
        &password,
    )
    .await;
    finish(&spec, &[], result, |_| {
        Some((
            "/staff/sign-in".into(),
            Some(("staff_sign_in", "Your password is set. Sign in to set up two-factor authentication.".into())),
        ))
    })
    .await
}

/// Staff: their own live sessions.
#[server(prefix = "/api", endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<SessionSummary>, AppError> {
    let staff = require_staff()?;
    super::server::admin::my_sessions(&app_state()?, &current_session()?, &staff).await
}

/// Staff: ends one of their own sessions (not the current one).
#[server(prefix = "/api", endpoint = "end_session")]
pub async fn end_session(handle: String) -> Result<(), AppError> {
    let staff = require_staff()?;
    let spec = FormSpec { name: "sessions", page: "/admin/sessions".into() };
    let result = async {
        let state = app_state()?;
        let session = current_session()?;
        super::server::admin::end_sessions(&state, &RequestMeta::current(), &session, &staff, Some(&handle)).await
    }
    .await;
    finish(&spec, &[], result, |n| {
        let msg = if *n == 1 { "The session was ended." } else { "That session had already ended." };
        Some(("/admin/sessions".into(), Some(("sessions", msg.into()))))
    })
    .await
    .map(|_| ())
}

/// Staff: ends all their other sessions.
#[server(prefix = "/api", endpoint = "end_other_sessions")]
pub async fn end_other_sessions() -> Result<(), AppError> {
    let staff = require_staff()?;
    let spec = FormSpec { name: "sessions", page: "/admin/sessions".into() };
    let result = async {
        let state = app_state()?;
        let session = current_session()?;
        super::server::admin::end_sessions(&state, &RequestMeta::current(), &session, &staff, None).await
    }
    .await;
    finish(&spec, &[], result, |n| {
        Some(("/admin/sessions".into(), Some(("sessions", format!("{n} other sessions ended.")))))
    })
    .await
    .map(|_| ())
}

/// Admin: every staff member.
#[server(prefix = "/api", endpoint = "list_staff")]
pub async fn list_staff() -> Result<Vec<StaffSummary>, AppError> {
    require_role(super::model::StaffRole::Admin)?;
    super::server::admin::list_staff(&app_state()?).await
}

/// Roles from a form's checkboxes (present means ticked).
#[cfg(feature = "ssr")]
fn ticked_roles(
    admin: &Option<String>,
    sales: &Option<String>,
    security: &Option<String>,
) -> Vec<super::model::StaffRole> {
    use super::model::StaffRole;
    [(admin, StaffRole::Admin), (sales, StaffRole::Sales), (security, StaffRole::Security)]
        .into_iter()
        .filter(|(v, _)| v.is_some())
        .map(|(_, r)| r)
        .collect()
}

/// Admin: invites a staff member by e-mail.
#[server(prefix = "/api", endpoint = "invite_staff")]
pub async fn invite_staff(
    email: String,
    name: String,
    admin: Option<String>,
    sales: Option<String>,
    security: Option<String>,
) -> Result<(), AppError> {
    let inviter = require_role(super::model::StaffRole::Admin)?;
    let spec = FormSpec { name: "invite", page: "/admin/staff".into() };
    let values = [("email", email.as_str()), ("name", name.as_str())];
    let result = async {
        let email = crate::types::EmailAddress::parse(&email).map_err(|m| AppError::field("email", m))?;
        let name = crate::types::short_text(&name, "name", 100).map_err(|m| AppError::field("name", m))?;
        let roles = ticked_roles(&admin, &sales, &security);
        super::server::admin::invite(&app_state()?, &RequestMeta::current(), &inviter, email, name, roles).await
    }
    .await;
    finish(&spec, &values, result, |_| Some(("/admin/staff".into(), Some(("invite", "Invitation sent.".into()))))).await
}

/// Admin: replaces a staff member's roles.
#[server(prefix = "/api", endpoint = "set_staff_roles")]
pub async fn set_staff_roles(
    staff_id: i64,
    admin: Option<String>,
    sales: Option<String>,
    security: Option<String>,
) -> Result<(), AppError> {
    let acting = require_role(super::model::StaffRole::Admin)?;
    let spec = FormSpec { name: "invite", page: "/admin/staff".into() };
    let roles = ticked_roles(&admin, &sales, &security);
    let result =
        super::server::admin::set_roles(&app_state()?, &RequestMeta::current(), &acting, staff_id, roles).await;
    finish(&spec, &[], result, |_| Some(("/admin/staff".into(), Some(("invite", "Roles updated.".into()))))).await
}

/// Admin: deactivates (`active = "false"`) or reactivates a staff member.
#[server(prefix = "/api", endpoint = "set_staff_active")]
pub async fn set_staff_active(staff_id: i64, active: String) -> Result<(), AppError> {
    let acting = require_role(super::model::StaffRole::Admin)?;
    let spec = FormSpec { name: "invite", page: "/admin/staff".into() };
    let active = active == "true";
    let result =
        super::server::admin::set_active(&app_state()?, &RequestMeta::current(), &acting, staff_id, active).await;
    let msg = if active { "Account reactivated." } else { "Account deactivated; their sessions have ended." };
    finish(&spec, &[], result, |_| Some(("/admin/staff".into(), Some(("invite", msg.into()))))).await
}

#[cfg(feature = "ssr")]
fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
