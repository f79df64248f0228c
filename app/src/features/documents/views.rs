//! The page behind "Request access": how it works, and for a signed-in prospect, the form.

use super::{api::get_request_info, model::RequestInfo};
use crate::{
    components::{ErrorPanel, LockIcon, PublicLayout},
    features::{
        access::{
            api::{request_form, SubmitAccessRequest},
            model::RequestFormData,
        },
        accounts::{api::current_user, model::Principal},
    },
    forms::{load_flash, FlashMessages, TextArea},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// `/documents/:slug/request` (`all` for every restricted document): what is asked for and, to
/// a signed-in prospect, the request form; to anyone else, how access works and a sign-in link.
#[component]
pub fn RequestAccessPage() -> impl IntoView {
    let slug = use_params_map().with_untracked(|p| p.get("slug").unwrap_or_default());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let slug = slug.clone();
                Suspend::new(async move {
                    match get_request_info(slug.clone()).await {
                        Ok(info) => view! { <RequestAccessView info slug /> }.into_any(),
                        Err(error) => view! { <main id="main" class="wrap narrow"><ErrorPanel error /></main> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn RequestAccessView(info: RequestInfo, slug: String) -> impl IntoView {
    let company = info.branding.company_name.clone();
    let heading = if info.documents.len() == 1 {
        format!("Request access: {}", info.documents[0].title)
    } else {
        "Request access to restricted documents".to_string()
    };
    let items: Vec<_> = info
        .documents
        .iter()
        .map(|d| view! { <li><LockIcon /><strong>{d.title.clone()}</strong>{format!(" — {}", d.description)}</li> })
        .collect();
    view! {
        <Title text=format!("{heading} · {company} Trust Center") />
        <PublicLayout branding=info.branding>
            <div class="wrap narrow page">
                <p class="crumbs"><a href="/#documents">"← Documents"</a></p>
                <h1>{heading}</h1>
                <ul class="bullets plain">{items}</ul>
                <Suspense fallback=|| ()>
                    {move || {
                        let slug = slug.clone();
                        let company = company.clone();
                        Suspend::new(async move {
                            match current_user().await {
                                Ok(Principal::Prospect(_)) => match request_form(slug.clone()).await {
                                    Ok(form) => {
                                        let flash = load_flash("access_request").await;
                                        view! { <RequestForm form slug flash /> }.into_any()
                                    }
                                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                                },
                                _ => view! { <HowAccessWorks company slug /> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            </div>
        </PublicLayout>
    }
}

#[component]
fn HowAccessWorks(company: String, slug: String) -> impl IntoView {
    let next = format!("/documents/{slug}/request");
    let sign_in = format!("/sign-in?next={}", url_encode(&next));
    view! {
        <section class="panel" aria-labelledby="how-title">
            <h2 id="how-title">"Access is by request"</h2>
            <p>
                {format!(
                    "These documents are confidential: a SOC 2 report is restricted-use, so {company} shares it only under a non-disclosure agreement. Getting access takes three steps:",
                )}
            </p>
            <ol class="steps">
                <li>"Verify your work e-mail address (we e-mail you a sign-in link; no password)."</li>
                <li>"Read and accept our current NDA (existing customers with an MNDA skip this)."</li>
                <li>"Our team approves the request, usually within one business day."</li>
            </ol>
            <p><a class="button" href=sign_in>"Continue with your work e-mail"</a></p>
        </section>
    }
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[component]
fn RequestForm(form: RequestFormData, slug: String, flash: crate::forms::Flash) -> impl IntoView {
    let open: Vec<_> = form
        .open_requests
        .iter()
        .map(|r| view! { <li>{format!("{} — {}", r.documents.join(", "), r.status.label())}</li> })
        .collect();
    let has_open = !open.is_empty();
    let boxes: Vec<_> = form
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let id = format!("doc-{}", d.slug);
            let granted = form.already_granted.contains(&d.slug);
            view! {
                <label class="check doc-check" for=id.clone()>
                    <input
                        type="checkbox"
                        id=id.clone()
                        name=format!("documents[{i}]")
                        value=d.slug.clone()
                        checked=form.preselected.contains(&d.slug)
                        disabled=granted
                    />
                    {d.title.clone()}
                    {granted.then(|| view! { <span class="badge badge-good">"You have access"</span> })}
                </label>
            }
        })
        .collect();
    let field_error = |name: &str| flash.field_error(name).map(|e| view! { <p class="field-error">{e}</p> });
    let (docs_error, role_error, reason_error) = (field_error("documents"), field_error("role"), field_error("reason"));
    view! {
        <FlashMessages flash=flash.clone() />
        {has_open.then(|| view! {
            <section class="panel"><h2>"Your open requests"</h2><ul class="bullets">{open}</ul></section>
        })}
        <form method="post" action=SubmitAccessRequest::url() class="form wide" novalidate>
            <input type="hidden" name="slug" value=slug />
            <fieldset class="docs">
                <legend>"Documents"</legend>
                {boxes}
                {docs_error}
            </fieldset>
            <div class="field">
                <label for="field-role">"Your role"</label>
                <input id="field-role" name="role" type="text" required value=flash.value("role") placeholder="e.g. Security analyst, vendor risk" autocomplete="organization-title" />
                {role_error}
            </div>
            <div class="field">
                <label for="field-reason">"Why do you need them?"</label>
                <TextArea id="field-reason" name="reason" rows=3 required=true placeholder=Some("e.g. Vendor security review before a planned purchase".to_string()) value=flash.value("reason") />
                {reason_error}
            </div>
            <button type="submit" class="button">"Request access"</button>
        </form>
    }
}
