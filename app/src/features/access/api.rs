//! Server functions for access requests, decisions, grants, companies and rules.

use super::model::{
    CompanyAccess, CompanyView, GrantRow, ProspectDashboard, QueueItem, RequestDetail, RequestFormData, RulesPage,
};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    features::accounts::{model::StaffRole, server::staff_actor},
    ssr::{
        app_state,
        auth::{require_prospect, require_role},
        forms::{finish, FormSpec},
        request_meta::RequestMeta,
    },
};

/// Prospect: the request form for a document (`all` for every restricted one).
#[server(prefix = "/api", endpoint = "request_form")]
pub async fn request_form(slug: String) -> Result<RequestFormData, AppError> {
    let prospect = require_prospect()?;
    super::server::dashboard::request_form(&app_state()?, &prospect, &slug).await
}

/// Prospect: asks for restricted documents.
#[server(prefix = "/api", endpoint = "submit_access_request")]
pub async fn submit_access_request(
    slug: String,
    documents: Option<Vec<String>>,
    role: String,
    reason: String,
) -> Result<(), AppError> {
    use super::{model::RequestStatus, server::requests};
    let prospect = require_prospect()?;
    let page =
        format!("/documents/{}/request", url::form_urlencoded::byte_serialize(slug.as_bytes()).collect::<String>());
    let spec = FormSpec { name: "access_request", page: page.into() };
    let values = [("role", role.as_str()), ("reason", reason.as_str())];
    let new =
        requests::NewRequest { documents: documents.unwrap_or_default(), role: role.clone(), reason: reason.clone() };
    let result = requests::submit(&app_state()?, &RequestMeta::current(), &prospect, new).await;
    finish(&spec, &values, result, |status| {
        let (path, notice) = match status {
            RequestStatus::PendingNda => ("/nda", "Almost there: please read and accept the NDA."),
            RequestStatus::PendingReview => ("/account", "Request received. We will e-mail you when it is decided."),
            RequestStatus::Approved => ("/account", "Access granted. Your documents are below."),
            RequestStatus::Denied => ("/account", "We are not able to share these documents. We have e-mailed you."),
        };
        let form = if path == "/nda" { "nda" } else { "account" };
        Some((path.into(), Some((form, notice.into()))))
    })
    .await
    .map(|_| ())
}

/// Prospect: everything on their own page.
#[server(prefix = "/api", endpoint = "prospect_dashboard")]
pub async fn get_prospect_dashboard() -> Result<ProspectDashboard, AppError> {
    let prospect = require_prospect()?;
    super::server::dashboard::prospect_dashboard(&app_state()?, &prospect).await
}

/// Prospect: asks to extend one of their grants.
#[server(prefix = "/api", endpoint = "request_extension")]
pub async fn request_extension(grant_id: i64, reason: Option<String>) -> Result<(), AppError> {
    let prospect = require_prospect()?;
    let spec = FormSpec { name: "account", page: "/account".into() };
    let result = super::server::requests::request_extension(
        &app_state()?,
        &RequestMeta::current(),
        &prospect,
        grant_id,
        reason.as_deref().unwrap_or_default(),
    )
    .await;
    finish(&spec, &[], result, |_| {
        Some((
            "/account".into(),
            Some(("account", "Extension requested. We will e-mail you when it is decided.".into())),
        ))
    })
    .await
    .map(|_| ())
}

/// Sales: open requests and recent decisions.
#[server(prefix = "/api", endpoint = "access_queue")]
pub async fn access_queue() -> Result<(Vec<QueueItem>, Vec<QueueItem>), AppError> {
    require_role(StaffRole::Sales)?;
    super::server::dashboard::queue(&app_state()?).await
}

/// Sales: one request with its company's history.
#[server(prefix = "/api", endpoint = "access_request_detail")]
pub async fn access_request_detail(id: i64) -> Result<RequestDetail, AppError> {
    require_role(StaffRole::Sales)?;
    super::server::dashboard::detail(&app_state()?, id).await
}

/// Sales: approve (possibly fewer documents, with an end date) or deny, with a note.
#[server(prefix = "/api", endpoint = "decide_access_request")]
pub async fn decide_access_request(
    id: i64,
    decision: String,
    documents: Option<Vec<String>>,
    expires_on: Option<String>,
    note: Option<String>,
) -> Result<(), AppError> {
    use super::server::requests::{decide, Decision};
    let staff = require_role(StaffRole::Sales)?;
    let spec = FormSpec { name: "decide", page: format!("/admin/requests/{id}").into() };
    let note: String = note.unwrap_or_default().trim().chars().take(1000).collect();
    let documents = documents.unwrap_or_default();
    // What was ticked and typed, to show again next to a message.
    let ticked = documents.join("\n");
    let typed_expiry = expires_on.clone().unwrap_or_default();
    let result = async {
        let decision = match decision.as_str() {
            "approve" => Decision::Approve {
                documents: documents.clone(),
                expires_on: crate::types::IsoDate::parse(expires_on.as_deref().unwrap_or_default())
                    .map_err(|m| AppError::field("expires_on", m))?,
                note: note.clone(),
            },
            "deny" => Decision::Deny { note: note.clone() },
            _ => return Err(AppError::BadRequest),
        };
        decide(&app_state()?, &RequestMeta::current(), &staff, id, decision).await
    }
    .await;
    let values = [("note", note.as_str()), ("documents", ticked.as_str()), ("expires_on", typed_expiry.as_str())];
    finish(&spec, &values, result, |_| {
        Some(("/admin/requests".into(), Some(("queue", "Decision recorded; the requester has been e-mailed.".into()))))
    })
    .await
}

/// Sales: every grant.
#[server(prefix = "/api", endpoint = "list_grants")]
pub async fn list_grants() -> Result<Vec<GrantRow>, AppError> {
    require_role(StaffRole::Sales)?;
    super::server::grants::list_all(&app_state()?.db).await
}

/// Sales: ends a grant now, for a reason they are told, once the person has confirmed.
#[server(prefix = "/api", endpoint = "revoke_grant")]
pub async fn revoke_grant(grant_id: i64, note: Option<String>, confirm: Option<String>) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Sales)?;
    let spec = FormSpec { name: "grants", page: "/admin/grants".into() };
    let note = note.unwrap_or_default();
    let result = super::server::grants::revoke(
        &app_state()?,
        &RequestMeta::current(),
        &staff_actor(&staff),
        staff.id,
        grant_id,
        &note,
        confirm.as_deref() == Some("yes"),
    )
    .await;
    let id = grant_id.to_string();
    let values = [("grant_id", id.as_str()), ("action", "revoke"), ("note", note.as_str())];
    finish(&spec, &values, result, |_| {
        Some(("/admin/grants".into(), Some(("grants", "Access revoked; they have been e-mailed the reason.".into()))))
    })
    .await
}

/// Sales: moves a grant's end to a later day.
#[server(prefix = "/api", endpoint = "extend_grant")]
pub async fn extend_grant(grant_id: i64, until: String) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Sales)?;
    let spec = FormSpec { name: "grants", page: "/admin/grants".into() };
    let result = async {
        let until = crate::types::IsoDate::parse(&until).map_err(|m| AppError::field("until", m))?;
        super::server::grants::extend(&app_state()?, &RequestMeta::current(), &staff_actor(&staff), grant_id, until)
            .await
    }
    .await;
    let id = grant_id.to_string();
    let values = [("grant_id", id.as_str()), ("action", "extend"), ("until", until.as_str())];
    finish(&spec, &values, result, |_| {
        Some((
            "/admin/grants".into(),
            Some(("grants", "Access extended; they have been e-mailed the new end date.".into())),
        ))
    })
    .await
}

/// Sales: one company's people, requests, grants, downloads and NDA acceptances.
#[server(prefix = "/api", endpoint = "company_access_detail")]
pub async fn company_access_detail(id: i64) -> Result<CompanyAccess, AppError> {
    require_role(StaffRole::Sales)?;
    super::server::companies::access(&app_state()?.db, id).await
}

/// Sales: company accounts.
#[server(prefix = "/api", endpoint = "list_companies")]
pub async fn list_companies() -> Result<Vec<CompanyView>, AppError> {
    require_role(StaffRole::Sales)?;
    super::server::companies::list(&app_state()?.db).await
}

/// Sales: a company's name and MNDA standing.
#[server(prefix = "/api", endpoint = "update_company")]
pub async fn update_company(
    id: i64,
    name: String,
    is_customer: Option<String>,
    mnda_expires_on: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Sales)?;
    let spec = FormSpec { name: "companies", page: "/admin/companies".into() };
    let result = super::server::companies::update(
        &app_state()?,
        &RequestMeta::current(),
        &staff_actor(&staff),
        id,
        &name,
        is_customer.is_some(),
        mnda_expires_on.as_deref().unwrap_or_default(),
    )
    .await;
    let id_text = id.to_string();
    let values = [
        ("id", id_text.as_str()),
        ("name", name.as_str()),
        ("is_customer", if is_customer.is_some() { "yes" } else { "" }),
        ("mnda_expires_on", mnda_expires_on.as_deref().unwrap_or_default()),
    ];
    finish(&spec, &values, result, |_| {
        Some(("/admin/companies".into(), Some(("companies", "Company updated.".into()))))
    })
    .await
}

/// Admin: the access rules and the default access period.
#[server(prefix = "/api", endpoint = "list_rules")]
pub async fn list_rules() -> Result<RulesPage, AppError> {
    require_role(StaffRole::Sales)?;
    super::server::rules::list(&app_state()?.db).await
}

/// Admin: adds a rule (no `id`), changes one, or removes one (`delete`).
#[server(prefix = "/api", endpoint = "save_rule")]
pub async fn save_rule(
    id: Option<i64>,
    priority: Option<String>,
    pattern: Option<String>,
    action: Option<String>,
    note: Option<String>,
    delete: Option<String>,
) -> Result<(), AppError> {
    use super::server::rules::{save, RuleInput};
    let staff = require_role(StaffRole::Sales)?;
    let spec = FormSpec { name: "rules", page: "/admin/rules".into() };
    let (priority, pattern, action, note) = (
        priority.unwrap_or_default(),
        pattern.unwrap_or_default(),
        action.unwrap_or_default(),
        note.unwrap_or_default(),
    );
    let input =
        delete.is_none().then_some(RuleInput { priority: &priority, pattern: &pattern, action: &action, note: &note });
    let values = [("priority", priority.as_str()), ("pattern", pattern.as_str()), ("note", note.as_str())];
    let result = save(&app_state()?, &RequestMeta::current(), &staff_actor(&staff), id, input).await;
    finish(&spec, &values, result, |_| Some(("/admin/rules".into(), Some(("rules", "Rules saved.".into()))))).await
}

/// Admin: the default length of granted access.
#[server(prefix = "/api", endpoint = "set_default_access_days")]
pub async fn set_default_access_days(default_access_days: String) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Sales)?;
    let spec = FormSpec { name: "rules", page: "/admin/rules".into() };
    let result = super::server::rules::set_default_days(
        &app_state()?,
        &RequestMeta::current(),
        &staff_actor(&staff),
        &default_access_days,
    )
    .await;
    finish(&spec, &[("default_access_days", default_access_days.as_str())], result, |_| {
        Some(("/admin/rules".into(), Some(("rules", "Default access period saved.".into()))))
    })
    .await
}
