//! Server functions for editing the trust center's content (security staff and admins).
// Forms post several fields; the server macro turns them into arguments.
#![allow(clippy::too_many_arguments)]

use super::model::{ContentOverview, ControlEditPage, FaqEditPage, SubprocessorEditPage};
use crate::{error::AppError, features::trust_center::model::TrustPage};
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

/// Security: controls and subprocessors in the working copy, and what is not yet published.
#[server(prefix = "/api", endpoint = "content_list")]
pub async fn content_list() -> Result<ContentOverview, AppError> {
    require_role(StaffRole::Security)?;
    super::server::overview(&app_state()?.db).await
}

/// Security: one control (or a blank one) and the choices of its form.
#[server(prefix = "/api", endpoint = "control_edit")]
pub async fn control_edit(id: Option<i64>) -> Result<ControlEditPage, AppError> {
    require_role(StaffRole::Security)?;
    let item = match id {
        Some(id) => Some(super::server::control(&app_state()?.db, id).await?),
        None => None,
    };
    let (categories, statuses) = super::server::control_choices();
    Ok(ControlEditPage { item, categories, statuses })
}

/// Security: one subprocessor (or a blank one).
#[server(prefix = "/api", endpoint = "subprocessor_edit")]
pub async fn subprocessor_edit(id: Option<i64>) -> Result<SubprocessorEditPage, AppError> {
    require_role(StaffRole::Security)?;
    let item = match id {
        Some(id) => Some(super::server::subprocessor(&app_state()?.db, id).await?),
        None => None,
    };
    Ok(SubprocessorEditPage { item })
}

/// Security: saves (or with `delete`, removes) a control in the working copy.
#[server(prefix = "/api", endpoint = "save_control")]
pub async fn save_control(
    id: Option<i64>,
    position: Option<String>,
    category: String,
    title: String,
    description: String,
    status: String,
    tsc_points: Option<String>,
    delete: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let page =
        id.map_or_else(|| "/admin/content/controls/new".to_string(), |id| format!("/admin/content/controls/{id}"));
    let spec = FormSpec { name: "content_item", page: page.into() };
    let state = app_state()?;
    let (meta, actor) = (RequestMeta::current(), staff_actor(&staff));
    if let (Some(id), true) = (id, pressed(&delete)) {
        let result = super::server::delete_control(&state, &meta, &actor, id).await;
        return finish(&spec, &[], result, |_| {
            Some(("/admin/content".into(), Some(("content", "Control removed from the draft.".into()))))
        })
        .await;
    }
    let input = super::server::ControlInput {
        position: position.unwrap_or_default(),
        category,
        title,
        description,
        status,
        tsc_points: tsc_points.unwrap_or_default(),
    };
    let values = [
        ("position", input.position.as_str()),
        ("category", input.category.as_str()),
        ("title", input.title.as_str()),
        ("description", input.description.as_str()),
        ("status", input.status.as_str()),
        ("tsc_points", input.tsc_points.as_str()),
    ];
    let result = super::server::save_control(&state, &meta, &actor, id, &input).await;
    finish(&spec, &values, result, |_| {
        Some(("/admin/content".into(), Some(("content", "Control saved as a draft: preview, then publish.".into()))))
    })
    .await
    .map(|_| ())
}

/// Security: saves (or with `delete`, removes) a subprocessor in the working copy.
#[server(prefix = "/api", endpoint = "save_subprocessor")]
pub async fn save_subprocessor(
    id: Option<i64>,
    position: Option<String>,
    name: String,
    purpose: String,
    location: String,
    data_processed: String,
    website_url: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    delete: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let page = id.map_or_else(
        || "/admin/content/subprocessors/new".to_string(),
        |id| format!("/admin/content/subprocessors/{id}"),
    );
    let spec = FormSpec { name: "content_item", page: page.into() };
    let state = app_state()?;
    let (meta, actor) = (RequestMeta::current(), staff_actor(&staff));
    if let (Some(id), true) = (id, pressed(&delete)) {
        let result = super::server::delete_subprocessor(&state, &meta, &actor, id).await;
        return finish(&spec, &[], result, |_| {
            Some(("/admin/content".into(), Some(("content", "Subprocessor removed from the draft.".into()))))
        })
        .await;
    }
    let input = super::server::SubprocessorInput {
        position: position.unwrap_or_default(),
        name,
        purpose,
        location,
        data_processed,
        website_url: website_url.unwrap_or_default(),
        start_date: start_date.unwrap_or_default(),
        end_date: end_date.unwrap_or_default(),
    };
    let values = [
        ("position", input.position.as_str()),
        ("name", input.name.as_str()),
        ("purpose", input.purpose.as_str()),
        ("location", input.location.as_str()),
        ("data_processed", input.data_processed.as_str()),
        ("website_url", input.website_url.as_str()),
        ("start_date", input.start_date.as_str()),
        ("end_date", input.end_date.as_str()),
    ];
    let result = super::server::save_subprocessor(&state, &meta, &actor, id, &input).await;
    finish(&spec, &values, result, |_| {
        Some((
            "/admin/content".into(),
            Some(("content", "Subprocessor saved as a draft: preview, then publish.".into())),
        ))
    })
    .await
    .map(|_| ())
}

/// Security: one FAQ entry (or a blank one).
#[server(prefix = "/api", endpoint = "faq_edit")]
pub async fn faq_edit(id: Option<i64>) -> Result<FaqEditPage, AppError> {
    require_role(StaffRole::Security)?;
    let item = match id {
        Some(id) => Some(super::server::faq(&app_state()?.db, id).await?),
        None => None,
    };
    Ok(FaqEditPage { item })
}

/// Security: saves (or with `delete`, removes) a FAQ entry in the working copy.
#[server(prefix = "/api", endpoint = "save_faq")]
pub async fn save_faq(
    id: Option<i64>,
    position: Option<String>,
    question: String,
    answer: String,
    delete: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let page = id.map_or_else(|| "/admin/content/faq/new".to_string(), |id| format!("/admin/content/faq/{id}"));
    let spec = FormSpec { name: "content_item", page: page.into() };
    let state = app_state()?;
    let (meta, actor) = (RequestMeta::current(), staff_actor(&staff));
    if let (Some(id), true) = (id, pressed(&delete)) {
        let result = super::server::delete_faq(&state, &meta, &actor, id).await;
        return finish(&spec, &[], result, |_| {
            Some(("/admin/content".into(), Some(("content", "FAQ entry removed from the draft.".into()))))
        })
        .await;
    }
    let input = super::server::FaqInput { position: position.unwrap_or_default(), question, answer };
    let values = [
        ("position", input.position.as_str()),
        ("question", input.question.as_str()),
        ("answer", input.answer.as_str()),
    ];
    let result = super::server::save_faq(&state, &meta, &actor, id, &input).await;
    finish(&spec, &values, result, |_| {
        Some(("/admin/content".into(), Some(("content", "FAQ entry saved as a draft: preview, then publish.".into()))))
    })
    .await
    .map(|_| ())
}

/// Security: the public page with the unpublished changes applied.
#[server(prefix = "/api", endpoint = "content_preview")]
pub async fn content_preview() -> Result<TrustPage, AppError> {
    require_role(StaffRole::Security)?;
    super::server::preview(&app_state()?).await
}

/// Security: publishes every unpublished change in one action.
#[server(prefix = "/api", endpoint = "publish_content")]
pub async fn publish_content() -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let spec = FormSpec { name: "content", page: "/admin/content".into() };
    let result = super::server::publish(&app_state()?, &RequestMeta::current(), &staff_actor(&staff)).await;
    finish(&spec, &[], result, |sections| {
        Some(("/admin/content".into(), Some(("content", format!("Published: {}.", sections.join(", "))))))
    })
    .await
    .map(|_| ())
}
