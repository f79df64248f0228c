//! Server functions of the profile editor (security staff and admins).
// The form posts one field per section; the server macro turns them into arguments.
#![allow(clippy::too_many_arguments)]

use super::model::ProfileEditPage;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    features::{
        accounts::{model::StaffRole, server::staff_actor},
        trust_center::model::Section,
    },
    ssr::{
        app_state,
        auth::require_role,
        forms::{finish, FormSpec},
        request_meta::RequestMeta,
    },
};

/// Security: the working company profile.
#[server(prefix = "/api", endpoint = "profile_edit")]
pub async fn profile_edit() -> Result<ProfileEditPage, AppError> {
    require_role(StaffRole::Security)?;
    super::server::edit_page(&app_state()?.db).await
}

/// Security: saves the company profile, branding and section order in the working copy.
#[server(prefix = "/api", endpoint = "save_profile")]
pub async fn save_profile(
    name: String,
    description: String,
    website_url: String,
    security_contact_email: String,
    accent_color: String,
    section_compliance: Option<String>,
    section_documents: Option<String>,
    section_controls: Option<String>,
    section_subprocessors: Option<String>,
    section_faq: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let spec = FormSpec { name: "profile", page: "/admin/content/profile".into() };
    let state = app_state()?;
    let sections = vec![
        (Section::Compliance, section_compliance.unwrap_or_default()),
        (Section::Documents, section_documents.unwrap_or_default()),
        (Section::Controls, section_controls.unwrap_or_default()),
        (Section::Subprocessors, section_subprocessors.unwrap_or_default()),
        (Section::Faq, section_faq.unwrap_or_default()),
    ];
    let input =
        super::server::ProfileInput { name, description, website_url, security_contact_email, accent_color, sections };
    let mut values = vec![
        ("name", input.name.as_str()),
        ("description", input.description.as_str()),
        ("website_url", input.website_url.as_str()),
        ("security_contact_email", input.security_contact_email.as_str()),
        ("accent_color", input.accent_color.as_str()),
    ];
    for (section, value) in &input.sections {
        values.push((super::server::section_field(*section), value.as_str()));
    }
    let result = super::server::save_profile(&state, &RequestMeta::current(), &staff_actor(&staff), &input).await;
    finish(&spec, &values, result, |_| {
        Some((
            "/admin/content".into(),
            Some(("content", "Company profile saved as a draft: preview, then publish.".into())),
        ))
    })
    .await
}
