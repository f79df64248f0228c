//! Accounts on the server: prospects by e-mail link, staff by password and TOTP, administration.

pub mod admin;
pub mod email_tokens;
pub mod prospects;
pub mod scim;
pub mod sso;
pub mod staff;

use crate::{
    error::AppError,
    features::accounts::model::{ProspectUser, StaffUser},
    ssr::{
        audit::{Actor, ActorKind},
        mail::{self, OutgoingMail},
        AppState,
    },
};

/// How `staff` appear in the access log: their id, e-mail address and current roles.
pub fn staff_actor(staff: &StaffUser) -> Actor {
    Actor { kind: ActorKind::Staff, id: Some(staff.id), label: staff.email.clone(), role: staff.roles_label() }
}

/// How `prospect` appears in the access log: their id and e-mail address.
pub fn prospect_actor(prospect: &ProspectUser) -> Actor {
    Actor { kind: ActorKind::Prospect, id: Some(prospect.id), label: prospect.email.clone(), role: String::new() }
}

/// Renders a mail with the company's branding (read before any write transaction starts).
pub async fn compose_mail(
    state: &AppState,
    template: &str,
    to_address: &str,
    to_name: &str,
    vars: serde_json::Value,
) -> Result<OutgoingMail, AppError> {
    let branding = crate::features::trust_center::server::branding(&state.db, state.config.base_url.as_str()).await?;
    mail::compose(&state.templates, &branding, template, to_address, to_name, vars)
}
