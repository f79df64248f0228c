//! The prospect's own page: requests, grants with expiry, NDA record, downloads.

use crate::{
    components::{Badge, BrandedPage, ErrorPanel},
    features::access::{
        api::{get_prospect_dashboard, RequestExtension},
        model::{GrantState, NdaState, ProspectDashboard, RequestStatus},
    },
    forms::{load_flash, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};

/// `/account`: the signed-in prospect's NDA standing, requests, grants (with extension
/// requests), NDA acceptances and downloads.
#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <BrandedPage title="Your account">
            {move || Suspend::new(async move {
                let flash = load_flash("account").await;
                let self_serve_flash = load_flash("self_serve").await;
                let questionnaires = crate::features::questionnaires::api::my_questionnaires().await.ok();
                match get_prospect_dashboard().await {
                    Ok(dashboard) => view! {
                        <FlashMessages flash />
                        <Dashboard dashboard />
                        {questionnaires.map(|data| view! { <crate::features::questionnaires::views::SelfServeSection data flash=self_serve_flash /> })}
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </BrandedPage>
    }
}

#[component]
fn Dashboard(dashboard: ProspectDashboard) -> impl IntoView {
    let nda_needed = matches!(dashboard.nda, NdaState::Needed { .. });
    let waiting_for_nda = dashboard.requests.iter().any(|r| r.status == RequestStatus::PendingNda);
    let grants: Vec<_> = dashboard
        .grants
        .iter()
        .map(|g| {
            let docs: Vec<_> = g
                .documents
                .iter()
                .map(|d| {
                    let link = (g.state == GrantState::Active).then(|| {
                        // A POST: issuing a link, logging and mailing a receipt are changes, which a
                        // link followed from another site (a GET) must never cause.
                        view! {
                            <form class="inline-form" method="post" action=format!("/documents/{}/get", d.slug)>
                                <button type="submit" class="button small" aria-label=format!("Download {}", d.title)>"Download"</button>
                            </form>
                        }
                    });
                    view! { <li><span>{d.title.clone()}</span>" "{link}</li> }
                })
                .collect();
            let tone = match g.state {
                GrantState::Active => "good",
                GrantState::Expired => "neutral",
                GrantState::Revoked => "bad",
            };
            let until = match g.state {
                GrantState::Revoked => format!("Revoked {}", g.revoked_at.map(|t| t.date().long()).unwrap_or_default()),
                GrantState::Expired => format!("Ended {}", g.expires_at.date().long()),
                GrantState::Active => format!("Until {}", g.expires_at.date().long()),
            };
            let can_extend = g.state != GrantState::Revoked && !g.extension_pending;
            view! {
                <li class="card grant" data-test-grant=g.id.to_string()>
                    <div class="card-head">
                        <Badge tone text=g.state.label() />
                        <span>{until}</span>
                    </div>
                    <ul class="grant-docs">{docs}</ul>
                    {g.extension_pending.then(|| view! { <p class="small muted">"Extension requested; waiting for review."</p> })}
                    {can_extend.then(|| view! {
                        <form method="post" action=RequestExtension::url() class="form-inline">
                            <input type="hidden" name="grant_id" value=g.id.to_string() />
                            <button type="submit" class="button secondary small">"Ask for an extension"</button>
                        </form>
                    })}
                </li>
            }
        })
        .collect();
    let requests: Vec<_> = dashboard
        .requests
        .iter()
        .map(|r| view! {
            <tr>
                <td>{r.created_at.date().long()}</td>
                <td>{if r.kind == "extension" { format!("{} (extension)", r.documents.join(", ")) } else { r.documents.join(", ") }}</td>
                <td><Badge tone=r.tone() text=r.standing() /></td>
                <td>{r.decision_note.clone()}</td>
            </tr>
        })
        .collect();
    let acceptances: Vec<_> = dashboard
        .acceptances
        .iter()
        .map(|a| view! {
            <tr>
                <td>{format!("{} (v{})", a.title, a.version)}</td>
                <td>{a.accepted_at.long()}</td>
                <td>{format!("{}, {}", a.typed_name, a.typed_title)}</td>
                <td>{a.status.clone()}</td>
                <td><code class="fingerprint small">{a.text_sha256.chars().take(16).collect::<String>()}"…"</code></td>
                <td><a href=crate::paths::nda_record(a.id) download="">"Record (PDF)"</a></td>
            </tr>
        })
        .collect();
    let downloads: Vec<_> = dashboard
        .downloads
        .iter()
        .map(|d| view! { <tr><td>{d.at.long()}</td><td>{format!("{} (v{})", d.document, d.version)}</td><td><code>{d.download_id.clone()}</code></td></tr> })
        .collect();
    let (no_grants, no_requests, no_acceptances, no_downloads) =
        (grants.is_empty(), requests.is_empty(), acceptances.is_empty(), downloads.is_empty());
    view! {
        <h1>{format!("Hello, {}", dashboard.name)}</h1>
        <p class="muted">{format!("{} · {}", dashboard.email, dashboard.company)}</p>
        {(nda_needed && (waiting_for_nda || !no_grants)).then(|| view! {
            <div class="alert alert-error" role="alert">
                "Please accept our current NDA to continue. " <a href="/nda">"Read and accept it"</a>
            </div>
        })}
        <section aria-labelledby="grants-title">
            <h2 id="grants-title">"Your access"</h2>
            {if no_grants {
                view! { <p class="muted">"No access yet. " <a href="/documents/all/request">"Request restricted documents"</a></p> }.into_any()
            } else {
                view! { <ul class="card-grid">{grants}</ul> }.into_any()
            }}
        </section>
        <section aria-labelledby="requests-title">
            <h2 id="requests-title">"Requests"</h2>
            {if no_requests {
                view! { <p class="muted">"You have not asked for anything yet."</p> }.into_any()
            } else {
                view! { <table class="table"><thead><tr><th scope="col">"Date"</th><th scope="col">"Documents"</th><th scope="col">"Status"</th><th scope="col">"Note"</th></tr></thead><tbody>{requests}</tbody></table> }.into_any()
            }}
        </section>
        <section aria-labelledby="nda-title">
            <h2 id="nda-title">"NDA"</h2>
            <p>{dashboard.nda.label()}</p>
            {(!no_acceptances).then(|| view! {
                <table class="table"><thead><tr><th scope="col">"Agreement"</th><th scope="col">"Accepted"</th><th scope="col">"As"</th><th scope="col">"State"</th><th scope="col">"Fingerprint"</th><th scope="col"><span class="visually-hidden">"Record"</span></th></tr></thead><tbody>{acceptances}</tbody></table>
            })}
        </section>
        <section aria-labelledby="downloads-title">
            <h2 id="downloads-title">"Download history"</h2>
            {if no_downloads {
                view! { <p class="muted">"No downloads yet."</p> }.into_any()
            } else {
                view! { <table class="table"><thead><tr><th scope="col">"When"</th><th scope="col">"Document"</th><th scope="col">"Download id"</th></tr></thead><tbody>{downloads}</tbody></table> }.into_any()
            }}
        </section>
    }
}
