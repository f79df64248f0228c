//! Server functions of the attestation editors (security staff and admins).
// Forms post several fields; the server macro turns them into arguments.
#![allow(clippy::too_many_arguments)]

use super::model::{FrameworkEditPage, ReportEditPage};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    features::accounts::{model::StaffRole, server::staff_actor},
    ssr::{
        app_state,
        auth::require_role,
        forms::{finish, pressed, FormSpec},
        request_meta::RequestMeta,
    },
};

/// Security: one SOC 2 report (or a blank one), its bridge letters and the form's choices.
#[server(prefix = "/api", endpoint = "report_edit")]
pub async fn report_edit(id: Option<i64>) -> Result<ReportEditPage, AppError> {
    require_role(StaffRole::Security)?;
    super::server::report_edit_page(&app_state()?.db, id).await
}

/// Security: saves (or with `delete`, removes) a SOC 2 report in the working copy.
#[server(prefix = "/api", endpoint = "save_report")]
pub async fn save_report(
    id: Option<i64>,
    report_type: String,
    period_start: String,
    period_end: String,
    audit_firm: String,
    opinion: Option<String>,
    report_date: String,
    tsc_availability: Option<String>,
    tsc_processing_integrity: Option<String>,
    tsc_confidentiality: Option<String>,
    tsc_privacy: Option<String>,
    subservice_orgs: Option<String>,
    cuecs: Option<String>,
    document_id: Option<String>,
    delete: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let page = id.map_or_else(|| "/admin/content/soc2/new".to_string(), |id| format!("/admin/content/soc2/{id}"));
    let spec = FormSpec { name: "content_item", page: page.into() };
    let state = app_state()?;
    let (meta, actor) = (RequestMeta::current(), staff_actor(&staff));
    if let (Some(id), true) = (id, pressed(&delete)) {
        let result = super::server::delete_report(&state, &meta, &actor, id).await;
        return finish(&spec, &[], result, |_| {
            Some(("/admin/content".into(), Some(("content", "SOC 2 report removed from the draft.".into()))))
        })
        .await;
    }
    let ticked = [
        ("availability", &tsc_availability),
        ("processing_integrity", &tsc_processing_integrity),
        ("confidentiality", &tsc_confidentiality),
        ("privacy", &tsc_privacy),
    ];
    let input = super::server::ReportInput {
        report_type,
        period_start,
        period_end,
        audit_firm,
        opinion: opinion.unwrap_or_default(),
        report_date,
        tsc_in_scope: ticked.iter().filter(|(_, v)| pressed(v)).map(|(code, _)| code.to_string()).collect(),
        subservice_orgs: subservice_orgs.unwrap_or_default(),
        cuecs: cuecs.unwrap_or_default(),
        document_id: document_id.unwrap_or_default(),
    };
    let scope = input.tsc_in_scope.join(",");
    let values = [
        ("report_type", input.report_type.as_str()),
        ("period_start", input.period_start.as_str()),
        ("period_end", input.period_end.as_str()),
        ("audit_firm", input.audit_firm.as_str()),
        ("opinion", input.opinion.as_str()),
        ("report_date", input.report_date.as_str()),
        ("tsc_in_scope", scope.as_str()),
        ("subservice_orgs", input.subservice_orgs.as_str()),
        ("cuecs", input.cuecs.as_str()),
        ("document_id", input.document_id.as_str()),
    ];
    let result = super::server::save_report(&state, &meta, &actor, id, &input).await;
    finish(&spec, &values, result, |id| {
        Some((
            format!("/admin/content/soc2/{id}"),
            Some(("content_item", "SOC 2 report saved as a draft: preview, then publish.".into())),
        ))
    })
    .await
    .map(|_| ())
}

/// Security: adds (or with `delete` and `id`, removes) a bridge letter of a report.
#[server(prefix = "/api", endpoint = "save_bridge_letter")]
pub async fn save_bridge_letter(
    report_id: i64,
    id: Option<i64>,
    issued_on: Option<String>,
    covered_until: Option<String>,
    letter_document_id: Option<String>,
    delete: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let page = format!("/admin/content/soc2/{report_id}");
    let spec = FormSpec { name: "bridge_letter", page: page.clone().into() };
    let state = app_state()?;
    let (meta, actor) = (RequestMeta::current(), staff_actor(&staff));
    if let (Some(id), true) = (id, pressed(&delete)) {
        let result = super::server::delete_bridge_letter(&state, &meta, &actor, report_id, id).await;
        return finish(&spec, &[], result, |_| {
            Some((page.clone(), Some(("bridge_letter", "Bridge letter removed from the draft.".into()))))
        })
        .await;
    }
    let input = super::server::BridgeLetterInput {
        issued_on: issued_on.unwrap_or_default(),
        covered_until: covered_until.unwrap_or_default(),
        document_id: letter_document_id.unwrap_or_default(),
    };
    let values = [
        ("issued_on", input.issued_on.as_str()),
        ("covered_until", input.covered_until.as_str()),
        ("letter_document_id", input.document_id.as_str()),
    ];
    let result = super::server::add_bridge_letter(&state, &meta, &actor, report_id, &input).await;
    finish(&spec, &values, result, |_| {
        Some((page.clone(), Some(("bridge_letter", "Bridge letter added to the draft: preview, then publish.".into()))))
    })
    .await
    .map(|_| ())
}

/// Security: one framework (or a blank one).
#[server(prefix = "/api", endpoint = "framework_edit")]
pub async fn framework_edit(id: Option<i64>) -> Result<FrameworkEditPage, AppError> {
    require_role(StaffRole::Security)?;
    let db = &app_state()?.db;
    let item = match id {
        Some(id) => Some(super::server::framework(db, id).await?),
        None => None,
    };
    Ok(FrameworkEditPage { item, documents: super::server::document_choices(db).await? })
}

/// Security: saves (or with `delete`, removes) a framework in the working copy.
#[server(prefix = "/api", endpoint = "save_framework")]
pub async fn save_framework(
    id: Option<i64>,
    position: Option<String>,
    name: String,
    evidence: String,
    issuer: Option<String>,
    issued_on: Option<String>,
    valid_until: Option<String>,
    in_progress: Option<String>,
    description: Option<String>,
    document_id: Option<String>,
    delete: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let page =
        id.map_or_else(|| "/admin/content/frameworks/new".to_string(), |id| format!("/admin/content/frameworks/{id}"));
    let spec = FormSpec { name: "content_item", page: page.into() };
    let state = app_state()?;
    let (meta, actor) = (RequestMeta::current(), staff_actor(&staff));
    if let (Some(id), true) = (id, pressed(&delete)) {
        let result = super::server::delete_framework(&state, &meta, &actor, id).await;
        return finish(&spec, &[], result, |_| {
            Some(("/admin/content".into(), Some(("content", "Framework removed from the draft.".into()))))
        })
        .await;
    }
    let input = super::server::FrameworkInput {
        position: position.unwrap_or_default(),
        name,
        evidence,
        issuer: issuer.unwrap_or_default(),
        issued_on: issued_on.unwrap_or_default(),
        valid_until: valid_until.unwrap_or_default(),
        in_progress: pressed(&in_progress),
        description: description.unwrap_or_default(),
        document_id: document_id.unwrap_or_default(),
    };
    let values = [
        ("position", input.position.as_str()),
        ("name", input.name.as_str()),
        ("evidence", input.evidence.as_str()),
        ("issuer", input.issuer.as_str()),
        ("issued_on", input.issued_on.as_str()),
        ("valid_until", input.valid_until.as_str()),
        ("in_progress", if input.in_progress { "yes" } else { "" }),
        ("description", input.description.as_str()),
        ("document_id", input.document_id.as_str()),
    ];
    let result = super::server::save_framework(&state, &meta, &actor, id, &input).await;
    finish(&spec, &values, result, |_| {
        Some(("/admin/content".into(), Some(("content", "Framework saved as a draft: preview, then publish.".into()))))
    })
    .await
    .map(|_| ())
}
