//! Server functions for documents. Each is a public HTTP endpoint: the first lines establish who
//! may call it.

use super::model::{DocumentAdminRow, RequestInfo};
use crate::error::AppError;
use leptos::prelude::*;

/// Public: the restricted document `slug` (or all of them for `all`) and the company's brand.
#[server(prefix = "/api", endpoint = "request_info")]
pub async fn get_request_info(slug: String) -> Result<RequestInfo, AppError> {
    // Public data: no authentication by design (titles of restricted documents are public).
    use crate::features::{
        documents::{model::Visibility, server as docs},
        trust_center::server as trust,
    };
    let state = crate::ssr::app_state()?;
    let (content, _) = trust::load_published(&state.db).await?.ok_or(AppError::NotFound)?;
    let restricted =
        docs::list_for_public_page(&state.db).await?.into_iter().filter(|d| d.visibility == Visibility::Restricted);
    let documents: Vec<_> =
        if slug == "all" { restricted.collect() } else { restricted.filter(|d| d.slug == slug).collect() };
    if documents.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(RequestInfo {
        branding: crate::features::trust_center::model::Branding::from_company(&content.company),
        documents,
    })
}

/// Security: every document with its versions.
#[server(prefix = "/api", endpoint = "list_documents_for_staff")]
pub async fn list_documents_for_staff() -> Result<Vec<DocumentAdminRow>, AppError> {
    crate::ssr::auth::require_role(crate::features::accounts::model::StaffRole::Security)?;
    super::server::list_for_staff(&crate::ssr::app_state()?.db).await
}

/// Security: a document's title, visibility and description.
#[server(prefix = "/api", endpoint = "update_document")]
pub async fn update_document(id: i64, title: String, visibility: String, description: String) -> Result<(), AppError> {
    use crate::ssr::forms::{finish, FormSpec};
    let staff = crate::ssr::auth::require_role(crate::features::accounts::model::StaffRole::Security)?;
    let spec = FormSpec { name: "documents", page: "/admin/documents".into() };
    let state = crate::ssr::app_state()?;
    let meta = crate::ssr::request_meta::RequestMeta::current();
    let result = super::server::update_metadata(&state, &meta, &staff, id, &title, &visibility, &description).await;
    let id_text = id.to_string();
    let values = [
        ("id", id_text.as_str()),
        ("title", title.as_str()),
        ("visibility", visibility.as_str()),
        ("description", description.as_str()),
    ];
    finish(&spec, &values, result, |_| {
        Some(("/admin/documents".into(), Some(("documents", "Document updated.".into()))))
    })
    .await
}
