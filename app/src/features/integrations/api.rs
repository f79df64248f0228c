//! Server functions of `/admin/integrations` (admins only: the first line of each checks the
//! role).

use super::model::{ApiScope, ApiTokenSummary};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    features::accounts::model::StaffRole,
    ssr::{
        app_state,
        auth::require_role,
        forms::{finish, FormSpec},
        request_meta::RequestMeta,
    },
};

/// The integrations page.
pub const PAGE: &str = "/admin/integrations";

/// Admin: the API tokens, newest first (never the tokens themselves).
#[server(prefix = "/api", endpoint = "list_api_tokens")]
pub async fn list_api_tokens() -> Result<Vec<ApiTokenSummary>, AppError> {
    require_role(StaffRole::Admin)?;
    super::server::tokens::list(&app_state()?).await
}

/// Admin: makes an API token; it is shown once, on the next page.
#[server(prefix = "/api", endpoint = "create_api_token")]
pub async fn create_api_token(#[server(flatten)] form: TokenForm) -> Result<(), AppError> {
    use super::server::tokens;
    let admin = require_role(StaffRole::Admin)?;
    let spec = FormSpec { name: "api", page: PAGE.into() };
    let scopes = form.scopes();
    let new = tokens::NewToken { label: &form.label, kind: &form.kind, scopes: scopes.clone(), days: &form.days };
    let result = tokens::create(&app_state()?, &RequestMeta::current(), &admin, new).await;
    let values: Vec<(&str, &str)> =
        [("label", form.label.as_str()), ("kind", form.kind.as_str()), ("days", form.days.as_str())]
            .into_iter()
            .chain(scopes.iter().map(|s| (s.field(), "yes")))
            .collect();
    finish(&spec, &values, result, |token| {
        let notice = format!("Token created. Copy it now; it is not shown again: {token}");
        Some((PAGE.into(), Some(("api", notice))))
    })
    .await
    .map(|_| ())
}

/// Admin: revokes an API token (the next request with it is refused).
#[server(prefix = "/api", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(token_id: i64) -> Result<(), AppError> {
    let admin = require_role(StaffRole::Admin)?;
    let spec = FormSpec { name: "api", page: PAGE.into() };
    let result = super::server::tokens::revoke(&app_state()?, &RequestMeta::current(), &admin, token_id).await;
    finish(&spec, &[], result, |_| Some((PAGE.into(), Some(("api", "Token revoked.".into()))))).await
}

/// The new-token form: a label, personal or service, lifetime in days, and a checkbox per scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct TokenForm {
    pub label: String,
    pub kind: String,
    pub days: String,
    pub scope_companies_read: Option<String>,
    pub scope_companies_write: Option<String>,
    pub scope_grants_read: Option<String>,
    pub scope_audit_read: Option<String>,
    pub scope_kb_read: Option<String>,
}

impl TokenForm {
    /// The scopes whose boxes were ticked.
    pub fn scopes(&self) -> Vec<ApiScope> {
        [
            (ApiScope::CompaniesRead, &self.scope_companies_read),
            (ApiScope::CompaniesWrite, &self.scope_companies_write),
            (ApiScope::GrantsRead, &self.scope_grants_read),
            (ApiScope::AuditRead, &self.scope_audit_read),
            (ApiScope::KbRead, &self.scope_kb_read),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(s, _)| s)
        .collect()
    }
}
