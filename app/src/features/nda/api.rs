//! Server functions for the NDA.

use super::model::{NdaText, NdaVersionSummary};
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

/// Prospect: the NDA they are asked to accept.
#[server(prefix = "/api", endpoint = "current_nda")]
pub async fn current_nda() -> Result<Option<NdaText>, AppError> {
    require_prospect()?;
    super::server::current(&app_state()?.db).await
}

/// Prospect: accepts the current NDA version (the one whose fingerprint they were shown).
#[server(prefix = "/api", endpoint = "accept_nda")]
pub async fn accept_nda(
    version_id: i64,
    sha256: String,
    name: String,
    title: String,
    consent: Option<String>,
) -> Result<(), AppError> {
    use crate::features::access::{model::RequestStatus, server::requests};
    let prospect = require_prospect()?;
    let spec = FormSpec { name: "nda", page: "/nda".into() };
    let values = [("name", name.as_str()), ("title", title.as_str())];
    let result = async {
        let state = app_state()?;
        let meta = RequestMeta::current();
        let signature = super::server::Signature {
            version_id,
            shown_sha256: sha256,
            name: name.clone(),
            title: title.clone(),
            consent: consent.is_some(),
        };
        let mut tx = state.db.begin().await?;
        super::server::accept(&state, &mut tx, &meta, &prospect, signature).await?;
        let statuses = requests::continue_after_nda(&state, &mut tx, &meta, &prospect).await?;
        tx.commit().await?;
        state.mailer.wake.notify_one();
        Ok(statuses)
    }
    .await;
    finish(&spec, &values, result, |statuses: &Vec<RequestStatus>| {
        let notice = if statuses.contains(&RequestStatus::Approved) {
            "NDA accepted and access granted. Your documents are below."
        } else if statuses.contains(&RequestStatus::PendingReview) {
            "NDA accepted. Your request is with our team; we will e-mail you the decision."
        } else {
            "NDA accepted. A record of it is on its way to your inbox."
        };
        Some(("/account".into(), Some(("account", notice.into()))))
    })
    .await
    .map(|_| ())
}

/// Admin: every NDA version.
#[server(prefix = "/api", endpoint = "nda_versions")]
pub async fn nda_versions() -> Result<Vec<NdaVersionSummary>, AppError> {
    require_role(StaffRole::Security)?;
    super::server::list_versions(&app_state()?.db).await
}

/// Admin: one version, with its text.
#[server(prefix = "/api", endpoint = "nda_version")]
pub async fn nda_version(id: i64) -> Result<NdaText, AppError> {
    require_role(StaffRole::Security)?;
    super::server::version(&app_state()?.db, id).await
}

/// Admin: saves a draft (a new version without `id`).
#[server(prefix = "/api", endpoint = "save_nda_draft")]
pub async fn save_nda_draft(id: Option<i64>, title: String, body: String) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let page = match id {
        Some(id) => format!("/admin/nda/{id}"),
        None => "/admin/nda".into(),
    };
    let spec = FormSpec { name: "nda_admin", page: page.into() };
    let values = [("title", title.as_str()), ("body", body.as_str())];
    let result =
        super::server::save_draft(&app_state()?, &RequestMeta::current(), &staff_actor(&staff), id, &title, &body)
            .await;
    finish(&spec, &values, result, |id| Some((format!("/admin/nda/{id}"), Some(("nda_admin", "Draft saved.".into())))))
        .await
        .map(|_| ())
}

/// Admin: publishes the newest draft; new requests and downloads need it from now on.
#[server(prefix = "/api", endpoint = "publish_nda")]
pub async fn publish_nda(id: i64) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let spec = FormSpec { name: "nda_admin", page: format!("/admin/nda/{id}").into() };
    let result = super::server::publish(&app_state()?, &RequestMeta::current(), &staff_actor(&staff), id).await;
    finish(&spec, &[], result, |_| {
        Some(("/admin/nda".into(), Some(("nda_admin", "Published. Prospects accept this version from now on.".into()))))
    })
    .await
}
