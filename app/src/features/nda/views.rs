//! The NDA: prospects read and accept it; admins write and publish versions.

use super::api::{current_nda, nda_version, nda_versions, AcceptNda, PublishNda, SaveNdaDraft};
use crate::{
    components::{rows_or, Badge, BrandedPage, ErrorPanel},
    features::accounts::views::AdminLayout,
    forms::{load_flash, Field, FlashMessages, TextArea},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;

/// The signer reads the whole text, then types their name and title and ticks consent.
#[component]
pub fn NdaPage() -> impl IntoView {
    view! {
        <BrandedPage title="Non-disclosure agreement">
            {move || Suspend::new(async move {
                let flash = load_flash("nda").await;
                match current_nda().await {
                    Ok(Some(nda)) => view! {
                        <h1>{nda.title.clone()}</h1>
                        <p class="muted">{format!("Version {}. Please read the full agreement before accepting it.", nda.version)}</p>
                        <FlashMessages flash=flash.clone() />
                        // Staff-written Markdown, rendered and sanitised (ammonia) on the server.
                        <article class="nda-text" tabindex="0" aria-label="The agreement's text" inner_html=nda.html.clone()></article>
                        <p class="small muted">"Fingerprint of this text (SHA-256): " <code class="fingerprint">{nda.sha256.clone()}</code></p>
                        <form method="post" action=AcceptNda::url() class="form" novalidate>
                            <input type="hidden" name="version_id" value=nda.id.to_string() />
                            <input type="hidden" name="sha256" value=nda.sha256.clone() />
                            <Field name="name" label="Full name" autocomplete="name" value=flash.value("name") error=flash.field_error("name") />
                            <Field name="title" label="Title" autocomplete="organization-title" value=flash.value("title") error=flash.field_error("title") hint="Your job title, e.g. Head of Vendor Risk." />
                            <div class="field" class:has-error=flash.field_error("consent").is_some()>
                                <label class="check" for="field-consent">
                                    <input id="field-consent" type="checkbox" name="consent" value="yes" required />
                                    "I have read this agreement and accept it on behalf of my company."
                                </label>
                                {flash.field_error("consent").map(|e| view! { <p class="field-error">{e}</p> })}
                            </div>
                            <button type="submit" class="button">"Accept the NDA"</button>
                        </form>
                    }
                    .into_any(),
                    Ok(None) => view! {
                        <h1>"No NDA to accept"</h1>
                        <p>"There is no agreement to accept at the moment; your request is reviewed by our team."</p>
                        <p><a href="/account">"Back to your page"</a></p>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </BrandedPage>
    }
}

/// `/admin/nda` (admins): every version with its state and acceptances, and a form to start a
/// new version unless a draft already exists.
#[component]
pub fn NdaAdminPage() -> impl IntoView {
    view! {
        <AdminLayout title="NDA">
            {move || Suspend::new(async move {
                let flash = load_flash("nda_admin").await;
                match nda_versions().await {
                    Ok(versions) => {
                        let has_draft = versions.iter().any(|v| v.published_at.is_none());
                        let rows: Vec<_> = versions
                            .into_iter()
                            .map(|v| {
                                let state = match (v.is_current, v.published_at) {
                                    (true, _) => view! { <Badge tone="good" text="Current" /> }.into_any(),
                                    (false, Some(_)) => view! { <Badge tone="neutral" text="Superseded" /> }.into_any(),
                                    (false, None) => view! { <Badge tone="warn" text="Draft" /> }.into_any(),
                                };
                                view! {
                                    <tr>
                                        <td>{v.version}</td>
                                        <td><a href=format!("/admin/nda/{}", v.id)>{v.title}</a></td>
                                        <td>{state}</td>
                                        <td>{v.published_at.map(|t| t.long()).unwrap_or_else(|| "—".into())}</td>
                                        <td>{v.acceptances}</td>
                                    </tr>
                                }
                            })
                            .collect();
                        view! {
                            <h1>"Non-disclosure agreement"</h1>
                            <FlashMessages flash=flash.clone() />
                            <p class="muted">"Prospects accept the current version before receiving restricted documents. A version cannot change once published; publish a new one to change the terms — everyone then accepts it again."</p>
                            <table class="table">
                                <thead><tr><th scope="col">"Version"</th><th scope="col">"Title"</th><th scope="col">"State"</th><th scope="col">"Published"</th><th scope="col">"Acceptances"</th></tr></thead>
                                <tbody>{rows_or(rows, 5, "No version yet: write the first draft below.")}</tbody>
                            </table>
                            {(!has_draft).then(|| view! {
                                <section class="panel">
                                    <h2>"Start a new version"</h2>
                                    <NdaEditor id=None title=flash.value("title") body=flash.value("body") flash=flash.clone() />
                                </section>
                            })}
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

#[component]
fn NdaEditor(id: Option<i64>, title: String, body: String, flash: crate::forms::Flash) -> impl IntoView {
    view! {
        <form method="post" action=SaveNdaDraft::url() class="form wide" novalidate>
            {id.map(|id| view! { <input type="hidden" name="id" value=id.to_string() /> })}
            <Field name="title" label="Title" value=title error=flash.field_error("title") />
            <div class="field" class:has-error=flash.field_error("body").is_some()>
                <label for="field-body">"Text (Markdown)"</label>
                <TextArea id="field-body" name="body" rows=18 required=true value=body />
                {flash.field_error("body").map(|e| view! { <p class="field-error">{e}</p> })}
            </div>
            <button type="submit" class="button">"Save draft"</button>
        </form>
    }
}

/// `/admin/nda/:id` (admins): one version with its fingerprint and preview; a draft is editable
/// and can be published, a published version is read-only.
#[component]
pub fn NdaVersionPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or_default());
    view! {
        <AdminLayout title="NDA version">
            {move || Suspend::new(async move {
                let flash = load_flash("nda_admin").await;
                match nda_version(id).await {
                    Ok(nda) => {
                        let draft = nda.published_at.is_none();
                        view! {
                            <p class="crumbs"><a href="/admin/nda">"← All versions"</a></p>
                            <h1>{format!("Version {}: {}", nda.version, nda.title)}</h1>
                            <FlashMessages flash=flash.clone() />
                            <p class="small muted">"SHA-256: " <code class="fingerprint">{nda.sha256.clone()}</code></p>
                            {if draft {
                                view! {
                                    <NdaEditor id=Some(nda.id) title=nda.title.clone() body=nda.markdown.clone() flash=flash.clone() />
                                    <form method="post" action=PublishNda::url() class="form-inline">
                                        <input type="hidden" name="id" value=nda.id.to_string() />
                                        <button type="submit" class="button">"Publish this version"</button>
                                    </form>
                                }.into_any()
                            } else {
                                view! { <p><Badge tone="neutral" text="Published: read-only" /></p> }.into_any()
                            }}
                            <h2>"Preview"</h2>
                            <article class="nda-text" tabindex="0" aria-label="The agreement's text" inner_html=nda.html></article>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}
