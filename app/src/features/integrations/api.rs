//! Server functions of `/admin/integrations` (admins only: the first line of each checks the
//! role).

use super::model::{ApiScope, ApiTokenSummary, DeliveryRow, WebhookSummary};
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

/// Admin: the webhooks (never their secrets), with their deliveries counted.
#[server(prefix = "/api", endpoint = "list_webhooks")]
pub async fn list_webhooks() -> Result<Vec<WebhookSummary>, AppError> {
    require_role(StaffRole::Admin)?;
    super::server::webhooks::list(&app_state()?.db).await
}

/// Admin: adds a webhook; its signing secret is shown once, on the next page.
#[server(prefix = "/api", endpoint = "create_webhook")]
pub async fn create_webhook(#[server(flatten)] form: WebhookForm) -> Result<(), AppError> {
    use super::server::webhooks;
    let admin = require_role(StaffRole::Admin)?;
    let spec = FormSpec { name: "webhook", page: PAGE.into() };
    let events = form.events();
    let new = webhooks::NewWebhook { url: &form.url, format: &form.format, events: events.clone() };
    let result = webhooks::create(&app_state()?, &RequestMeta::current(), Some(&admin), new).await;
    let fields: Vec<String> = events.iter().map(|e| event_field(e)).collect();
    let values: Vec<(&str, &str)> = [("url", form.url.as_str()), ("format", form.format.as_str())]
        .into_iter()
        .chain(fields.iter().map(|f| (f.as_str(), "yes")))
        .collect();
    finish(&spec, &values, result, |(_, secret)| {
        let notice = format!(
            "Webhook added. Its signing secret, shown once (the receiver checks webhook-signature with it): {secret}"
        );
        Some((PAGE.into(), Some(("webhook", notice))))
    })
    .await
    .map(|_| ())
}

/// Admin: turns a webhook on (`enable`) or off (`disable`), or removes it (`remove`).
#[server(prefix = "/api", endpoint = "change_webhook")]
pub async fn change_webhook(webhook_id: i64, action: String) -> Result<(), AppError> {
    let admin = require_role(StaffRole::Admin)?;
    let spec = FormSpec { name: "webhook", page: PAGE.into() };
    let enabled = match action.as_str() {
        "enable" => Some(true),
        "disable" => Some(false),
        "remove" => None,
        _ => return Err(AppError::BadRequest),
    };
    let actor = crate::features::accounts::server::staff_actor(&admin);
    let state = app_state()?;
    let result = super::server::webhooks::change(&state, &RequestMeta::current(), &actor, webhook_id, enabled).await;
    let notice = match enabled {
        Some(true) => "Webhook enabled.",
        Some(false) => "Webhook disabled: events are not queued for it until it is enabled again.",
        None => "Webhook removed.",
    };
    finish(&spec, &[], result, |_| Some((PAGE.into(), Some(("webhook", notice.into()))))).await
}

/// Admin: one webhook and its newest deliveries.
#[server(prefix = "/api", endpoint = "webhook_deliveries")]
pub async fn webhook_deliveries(webhook_id: i64) -> Result<(WebhookSummary, Vec<DeliveryRow>), AppError> {
    require_role(StaffRole::Admin)?;
    let state = app_state()?;
    let hook = super::server::webhooks::list(&state.db)
        .await?
        .into_iter()
        .find(|w| w.id == webhook_id)
        .ok_or(AppError::NotFound)?;
    let rows = super::server::webhooks::deliver::deliveries(&state.db, webhook_id).await?;
    Ok((hook, rows))
}

/// Admin: sends a delivery again now (the same message id).
#[server(prefix = "/api", endpoint = "redeliver_webhook")]
pub async fn redeliver_webhook(delivery_id: i64) -> Result<(), AppError> {
    let admin = require_role(StaffRole::Admin)?;
    let actor = crate::features::accounts::server::staff_actor(&admin);
    let state = app_state()?;
    let result =
        super::server::webhooks::deliver::redeliver(&state, &RequestMeta::current(), &actor, delivery_id).await;
    let page = result.as_ref().map(|id| webhook_page(*id)).unwrap_or_else(|_| PAGE.to_string());
    let spec = FormSpec { name: "delivery", page: page.clone().into() };
    finish(&spec, &[], result, move |_| {
        Some((page, Some(("delivery", "Queued again: it is sent within seconds.".into()))))
    })
    .await
    .map(|_| ())
}

/// The delivery log of webhook `id`.
pub fn webhook_page(id: i64) -> String {
    format!("{PAGE}/webhooks/{id}")
}

/// The checkbox of event `code` (`access.requested` → `event_access_requested`).
pub fn event_field(code: &str) -> String {
    format!("event_{}", code.replace('.', "_"))
}

/// The new-webhook form: the URL, the format and a checkbox per event.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct WebhookForm {
    pub url: String,
    pub format: String,
    pub event_access_requested: Option<String>,
    pub event_access_approved: Option<String>,
    pub event_access_denied: Option<String>,
    pub event_access_revoked: Option<String>,
    pub event_grant_expiring: Option<String>,
    pub event_nda_accepted: Option<String>,
    pub event_document_downloaded: Option<String>,
    pub event_questionnaire_completed: Option<String>,
    pub event_kb_entry_stale: Option<String>,
    pub event_update_published: Option<String>,
    pub event_audit_checkpoint: Option<String>,
}

impl WebhookForm {
    /// The events whose boxes were ticked.
    pub fn events(&self) -> Vec<String> {
        [
            ("access.requested", &self.event_access_requested),
            ("access.approved", &self.event_access_approved),
            ("access.denied", &self.event_access_denied),
            ("access.revoked", &self.event_access_revoked),
            ("grant.expiring", &self.event_grant_expiring),
            ("nda.accepted", &self.event_nda_accepted),
            ("document.downloaded", &self.event_document_downloaded),
            ("questionnaire.completed", &self.event_questionnaire_completed),
            ("kb.entry_stale", &self.event_kb_entry_stale),
            ("update.published", &self.event_update_published),
            ("audit.checkpoint", &self.event_audit_checkpoint),
        ]
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .map(|(code, _)| code.to_string())
        .collect()
    }
}
