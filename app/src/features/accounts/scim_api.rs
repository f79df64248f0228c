//! Server functions for the identity provider's SCIM tokens (admins only: the first line of each
//! checks the role).

use super::model::ScimTokenSummary;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::ssr::{
    app_state,
    auth::require_role,
    forms::{finish, FormSpec},
    request_meta::RequestMeta,
};

#[cfg(feature = "ssr")]
const PAGE: &str = "/admin/staff";

/// Admin: the SCIM tokens, newest first (never the tokens themselves).
#[server(prefix = "/api", endpoint = "list_scim_tokens")]
pub async fn list_scim_tokens() -> Result<Vec<ScimTokenSummary>, AppError> {
    require_role(super::model::StaffRole::Admin)?;
    super::server::scim::list_tokens(&app_state()?).await
}

/// Admin: makes a SCIM token for the identity provider; it is shown once, on the next page.
#[server(prefix = "/api", endpoint = "create_scim_token")]
pub async fn create_scim_token(label: String) -> Result<(), AppError> {
    let admin = require_role(super::model::StaffRole::Admin)?;
    let spec = FormSpec { name: "scim", page: PAGE.into() };
    let result = super::server::scim::create_token(&app_state()?, &RequestMeta::current(), &admin, &label).await;
    let result = result.map(|token| token.expose().to_string());
    finish(&spec, &[("label", label.as_str())], result, |token| {
        let notice = format!("Token created. Copy it now into the identity provider; it is not shown again: {token}");
        Some((PAGE.into(), Some(("scim", notice))))
    })
    .await
    .map(|_| ())
}

/// Admin: revokes a SCIM token (the next request with it is refused).
#[server(prefix = "/api", endpoint = "revoke_scim_token")]
pub async fn revoke_scim_token(token_id: i64) -> Result<(), AppError> {
    let admin = require_role(super::model::StaffRole::Admin)?;
    let spec = FormSpec { name: "scim", page: PAGE.into() };
    let result = super::server::scim::revoke_token(&app_state()?, &RequestMeta::current(), &admin, token_id).await;
    finish(&spec, &[], result, |_| Some((PAGE.into(), Some(("scim", "Token revoked.".into()))))).await
}
