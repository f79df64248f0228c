//! The overview of the working copy (what is unpublished, the publish button) and the preview.

use crate::{
    components::{rows_or, Badge, ErrorPanel},
    features::{
        accounts::views::AdminLayout,
        editor::api::{content_list, content_preview, PublishContent},
        trust_center::{
            domain::{ControlCategory, ControlStatus},
            views::TrustCenterView,
        },
    },
    forms::{load_flash, FlashMessages},
    types::Timestamp,
};
use leptos::{prelude::*, server_fn::ServerFn};

fn publish_form(pending: &[String]) -> impl IntoView {
    if pending.is_empty() {
        return view! { <p class="muted" data-test="pending">"Everything is published."</p> }.into_any();
    }
    view! {
        <div class="notice warn" role="note" data-test="pending">
            <p>{format!("Not yet published: {}.", pending.join(", "))}</p>
            <p>
                <a class="button secondary small" href="/admin/content/preview">"Preview the public page"</a> " "
                <form method="post" action=PublishContent::url() class="inline-form"><button type="submit" class="button small">"Publish"</button></form>
            </p>
        </div>
    }
    .into_any()
}

/// `/admin/content`: every record of the working copy by kind, what is not yet published, and
/// the publish button.
#[component]
pub fn ContentAdminPage() -> impl IntoView {
    view! {
        <AdminLayout title="Trust center content">
            {move || Suspend::new(async move {
                let flash = load_flash("content").await;
                match content_list().await {
                    Ok(page) => {
                        let controls: Vec<_> = page.controls.iter().map(|c| view! {
                            <tr data-test-control=c.title.clone()>
                                <td><a href=format!("/admin/content/controls/{}", c.id)>{c.title.clone()}</a></td>
                                <td>{ControlCategory::parse(&c.category).map_or(c.category.clone(), |k| k.label().to_string())}</td>
                                <td>{ControlStatus::parse(&c.status).map_or(c.status.clone(), |k| k.label().to_string())}</td>
                                <td class="small">{c.tsc_points.clone()}</td>
                            </tr>
                        }).collect();
                        let subprocessors: Vec<_> = page.subprocessors.iter().map(|s| view! {
                            <tr data-test-subprocessor=s.name.clone()>
                                <td><a href=format!("/admin/content/subprocessors/{}", s.id)>{s.name.clone()}</a></td>
                                <td>{s.purpose.clone()}</td>
                                <td>{s.location.clone()}</td>
                                <td class="small">{if s.end_date.is_empty() { s.start_date.clone() } else { format!("{} – {}", s.start_date, s.end_date) }}</td>
                            </tr>
                        }).collect();
                        let faqs: Vec<_> = page.faqs.iter().map(|f| view! {
                            <li data-test-faq=f.question.clone()><a href=format!("/admin/content/faq/{}", f.id)>{f.question.clone()}</a></li>
                        }).collect();
                        let reports: Vec<_> = page.attestations.reports.iter().map(|r| view! {
                            <tr data-test-report=r.label.clone()>
                                <td><a href=format!("/admin/content/soc2/{}", r.id)>{r.label.clone()}</a> {r.current.then(|| view! { " " <Badge tone="good" text="On the public page" /> })}</td>
                                <td>{r.audit_firm.clone()}</td>
                                <td>{r.report_date.clone()}</td>
                                <td>{r.bridge_letters}</td>
                            </tr>
                        }).collect();
                        let frameworks: Vec<_> = page.attestations.frameworks.iter().map(|f| view! {
                            <tr data-test-framework=f.name.clone()>
                                <td><a href=format!("/admin/content/frameworks/{}", f.id)>{f.name.clone()}</a></td>
                                <td>{f.evidence.clone()}</td>
                                <td>{if f.in_progress { "In progress".to_string() } else { f.valid_until.clone() }}</td>
                            </tr>
                        }).collect();
                        view! {
                            <h1>"Trust center content"</h1>
                            <FlashMessages flash=flash.clone() />
                            <p class="muted">
                                "Edits are drafts until published: preview the public page with them applied, then publish them all at once (the access log records who published what). "
                                {page.last_published_at.map(|at| format!("Last published {}.", Timestamp(at).long()))}
                            </p>
                            {publish_form(&page.pending)}
                            <section class="panel" aria-labelledby="profile-title">
                                <h2 id="profile-title">"Company profile and branding"</h2>
                                <p>{page.company_name.clone()} " · " <a href="/admin/content/profile">"Edit name, description, contact, colour, logo and sections"</a></p>
                            </section>
                            <section class="panel" aria-labelledby="reports-title">
                                <h2 id="reports-title">"SOC 2 reports"</h2>
                                <p><a class="button secondary small" href="/admin/content/soc2/new">"Add a report"</a></p>
                                <div class="table-scroll"><table class="table"><thead><tr><th scope="col">"Report"</th><th scope="col">"Audit firm"</th><th scope="col">"Report date"</th><th scope="col">"Bridge letters"</th></tr></thead><tbody>{rows_or(reports, 4, "No SOC 2 report yet.")}</tbody></table></div>
                            </section>
                            <section class="panel" aria-labelledby="frameworks-title">
                                <h2 id="frameworks-title">"Other frameworks"</h2>
                                <p><a class="button secondary small" href="/admin/content/frameworks/new">"Add a framework"</a></p>
                                <div class="table-scroll"><table class="table"><thead><tr><th scope="col">"Framework"</th><th scope="col">"Evidence"</th><th scope="col">"Valid until"</th></tr></thead><tbody>{rows_or(frameworks, 3, "No other framework yet.")}</tbody></table></div>
                            </section>
                            <section class="panel" aria-labelledby="controls-title">
                                <h2 id="controls-title">"Controls"</h2>
                                <p><a class="button secondary small" href="/admin/content/controls/new">"Add a control"</a></p>
                                <div class="table-scroll"><table class="table"><thead><tr><th scope="col">"Control"</th><th scope="col">"Category"</th><th scope="col">"Status"</th><th scope="col">"Criteria"</th></tr></thead><tbody>{rows_or(controls, 4, "No control yet.")}</tbody></table></div>
                            </section>
                            <section class="panel" aria-labelledby="subprocessors-title">
                                <h2 id="subprocessors-title">"Subprocessors"</h2>
                                <p><a class="button secondary small" href="/admin/content/subprocessors/new">"Add a subprocessor"</a></p>
                                <div class="table-scroll"><table class="table"><thead><tr><th scope="col">"Name"</th><th scope="col">"Purpose"</th><th scope="col">"Location"</th><th scope="col">"In use"</th></tr></thead><tbody>{rows_or(subprocessors, 4, "No subprocessor yet.")}</tbody></table></div>
                            </section>
                            <section class="panel" aria-labelledby="faq-title">
                                <h2 id="faq-title">"FAQ"</h2>
                                <p class="small muted">"Approved knowledge-base entries marked public follow these on the public page; edit those in the knowledge base."</p>
                                <p><a class="button secondary small" href="/admin/content/faq/new">"Add a question"</a></p>
                                <ol>{faqs}</ol>
                            </section>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

/// `/admin/content/preview`: the public page with the unpublished changes applied, under a
/// banner saying so, with the publish button.
#[component]
pub fn ContentPreviewPage() -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match content_preview().await {
                    Ok(page) => view! {
                        <div class="preview-banner" role="note" data-test="preview">
                            <Badge tone="warn" text="Preview" />
                            " This is the public page with the unpublished changes applied; visitors still see the published one. "
                            <a href="/admin/content">"Back to editing"</a> " "
                            <form method="post" action=PublishContent::url() class="inline-form"><button type="submit" class="button small">"Publish"</button></form>
                        </div>
                        <TrustCenterView page />
                    }
                    .into_any(),
                    Err(error) => view! { <main id="main" class="wrap narrow"><ErrorPanel error /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}
