//! Pages about documents.

use super::model::PublicDocument;
use crate::{
    components::{Branding, ErrorPanel, LockIcon, PublicLayout},
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

/// What the request page shows: the brand and the restricted documents asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestInfo {
    pub branding: Branding,
    pub documents: Vec<PublicDocument>,
}

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
    Ok(RequestInfo { branding: Branding::from_company(&content.company), documents })
}

#[component]
pub fn RequestAccessPage() -> impl IntoView {
    let params = use_params_map();
    let slug = params.with_untracked(|p| p.get("slug").unwrap_or_default());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    match get_request_info(slug).await {
                        Ok(info) => view! { <RequestAccessView info /> }.into_any(),
                        Err(error) => {
                            view! {
                                <main id="main" class="wrap narrow">
                                    <ErrorPanel error />
                                </main>
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn RequestAccessView(info: RequestInfo) -> impl IntoView {
    let contact = info.branding.security_contact_email.clone();
    let company = info.branding.company_name.clone();
    let heading = if info.documents.len() == 1 {
        format!("Request access: {}", info.documents[0].title)
    } else {
        "Request access to restricted documents".to_string()
    };
    let items: Vec<_> = info
        .documents
        .iter()
        .map(|d| {
            view! {
                <li>
                    <LockIcon />
                    <strong>{d.title.clone()}</strong>
                    {format!(" — {}", d.description)}
                </li>
            }
        })
        .collect();
    view! {
        <Title text=format!("{heading} · {company} Trust Center") />
        <PublicLayout branding=info.branding>
            <div class="wrap narrow page">
                <p class="crumbs">
                    <a href="/#documents">"← Documents"</a>
                </p>
                <h1>{heading}</h1>
                <ul class="bullets plain">{items}</ul>
                <section class="panel" aria-labelledby="how-title">
                    <h2 id="how-title">"Access is by request"</h2>
                    <p>
                        {format!(
                            "These documents are confidential: a SOC 2 report is restricted-use, so {company} shares it only under a non-disclosure agreement. Getting access takes three steps:",
                        )}
                    </p>
                    <ol class="steps">
                        <li>"Verify your work e-mail address."</li>
                        <li>"Read and accept our current NDA (existing customers with an MNDA skip this)."</li>
                        <li>"Our team approves the request, usually within one business day."</li>
                    </ol>
                    <p>
                        "Online requests are not open yet. Until they are, write to "
                        <a href=format!("mailto:{contact}")>{contact.clone()}</a>
                        " from your work address and name the documents you need."
                    </p>
                </section>
            </div>
        </PublicLayout>
    }
}
