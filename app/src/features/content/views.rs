//! Staff pages: the content overview (controls, subprocessors, FAQ, what is unpublished, publish),
//! the edit forms with messages next to each field, and the preview of the public page.

use super::{
    api::{
        content_list, content_preview, control_edit, faq_edit, subprocessor_edit, PublishContent, SaveControl, SaveFaq,
        SaveSubprocessor,
    },
    model::{ControlItem, SubprocessorItem},
};
use crate::{
    components::{Badge, ErrorPanel},
    features::{
        accounts::views::AdminLayout,
        trust_center::{
            domain::{ControlCategory, ControlStatus},
            views::TrustCenterView,
        },
    },
    forms::{load_flash, select_field, text_area, Field, FlashMessages},
    types::Timestamp,
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;

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
                                <div class="table-scroll"><table class="table"><thead><tr><th scope="col">"Report"</th><th scope="col">"Audit firm"</th><th scope="col">"Report date"</th><th scope="col">"Bridge letters"</th></tr></thead><tbody>{reports}</tbody></table></div>
                            </section>
                            <section class="panel" aria-labelledby="frameworks-title">
                                <h2 id="frameworks-title">"Other frameworks"</h2>
                                <p><a class="button secondary small" href="/admin/content/frameworks/new">"Add a framework"</a></p>
                                <div class="table-scroll"><table class="table"><thead><tr><th scope="col">"Framework"</th><th scope="col">"Evidence"</th><th scope="col">"Valid until"</th></tr></thead><tbody>{frameworks}</tbody></table></div>
                            </section>
                            <section class="panel" aria-labelledby="controls-title">
                                <h2 id="controls-title">"Controls"</h2>
                                <p><a class="button secondary small" href="/admin/content/controls/new">"Add a control"</a></p>
                                <div class="table-scroll"><table class="table"><thead><tr><th scope="col">"Control"</th><th scope="col">"Category"</th><th scope="col">"Status"</th><th scope="col">"Criteria"</th></tr></thead><tbody>{controls}</tbody></table></div>
                            </section>
                            <section class="panel" aria-labelledby="subprocessors-title">
                                <h2 id="subprocessors-title">"Subprocessors"</h2>
                                <p><a class="button secondary small" href="/admin/content/subprocessors/new">"Add a subprocessor"</a></p>
                                <div class="table-scroll"><table class="table"><thead><tr><th scope="col">"Name"</th><th scope="col">"Purpose"</th><th scope="col">"Location"</th><th scope="col">"In use"</th></tr></thead><tbody>{subprocessors}</tbody></table></div>
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

/// The `:id` of an editor's path (`None` on a `/new` page).
pub(crate) fn id_param() -> Option<i64> {
    use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()))
}

/// An editor's remove button, shown once the item exists.
pub(crate) fn delete_button(exists: bool, label: &'static str) -> impl IntoView {
    exists.then(|| view! { <button type="submit" class="button secondary" name="delete" value="yes" formnovalidate>{label}</button> })
}

#[component]
pub fn ControlEditPage() -> impl IntoView {
    let id = id_param();
    view! {
        <AdminLayout title="Control">
            {move || Suspend::new(async move {
                let flash = load_flash("content_item").await;
                match control_edit(id).await {
                    Ok(page) => {
                        let item = page.item.clone();
                        let get = |f: fn(&ControlItem) -> String| item.as_ref().map(f).unwrap_or_default();
                        let status = item.as_ref().map_or("implemented".into(), |c| c.status.clone());
                        view! {
                            <p class="crumbs"><a href="/admin/content">"← Trust center content"</a></p>
                            <h1>{item.as_ref().map_or("New control".to_string(), |c| c.title.clone())}</h1>
                            <FlashMessages flash=flash.clone() />
                            <form method="post" action=SaveControl::url() class="form" novalidate>
                                {item.as_ref().map(|c| view! { <input type="hidden" name="id" value=c.id.to_string() /> })}
                                <Field name="title" label="Title" value=flash.typed_or("title", get(|c| c.title.clone())) error=flash.field_error("title") />
                                {select_field(&flash, "category", "Category", &page.categories, get(|c| c.category.clone()), Some("Choose…"))}
                                {text_area(&flash, "description", "Description", get(|c| c.description.clone()), 4, None)}
                                {select_field(&flash, "status", "Status", &page.statuses, status, None)}
                                <Field name="tsc_points" label="Trust Services Criteria" value=flash.typed_or("tsc_points", get(|c| c.tsc_points.clone())) error=flash.field_error("tsc_points") required=false hint="Separated by commas, e.g. CC6.1, CC6.6." />
                                <Field name="position" label="Position" kind="number" value=flash.typed_or("position", get(|c| c.position.to_string())) error=flash.field_error("position") required=false hint="Lower comes first; empty puts a new control last." />
                                <button type="submit" class="button">"Save draft"</button> " " {delete_button(item.is_some(), "Remove")}
                            </form>
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
pub fn SubprocessorEditPage() -> impl IntoView {
    let id = id_param();
    view! {
        <AdminLayout title="Subprocessor">
            {move || Suspend::new(async move {
                let flash = load_flash("content_item").await;
                match subprocessor_edit(id).await {
                    Ok(page) => {
                        let item = page.item.clone();
                        let get = |f: fn(&SubprocessorItem) -> String| item.as_ref().map(f).unwrap_or_default();
                        let v = |field: &str, f: fn(&SubprocessorItem) -> String| flash.typed_or(field, get(f));
                        view! {
                            <p class="crumbs"><a href="/admin/content">"← Trust center content"</a></p>
                            <h1>{item.as_ref().map_or("New subprocessor".to_string(), |s| s.name.clone())}</h1>
                            <FlashMessages flash=flash.clone() />
                            <form method="post" action=SaveSubprocessor::url() class="form" novalidate>
                                {item.as_ref().map(|s| view! { <input type="hidden" name="id" value=s.id.to_string() /> })}
                                <Field name="name" label="Name" value=v("name", |s| s.name.clone()) error=flash.field_error("name") />
                                <Field name="purpose" label="Purpose" value=v("purpose", |s| s.purpose.clone()) error=flash.field_error("purpose") />
                                <Field name="location" label="Location" value=v("location", |s| s.location.clone()) error=flash.field_error("location") hint="Where the data is processed, e.g. United States (us-east-1)." />
                                <Field name="data_processed" label="Data processed" value=v("data_processed", |s| s.data_processed.clone()) error=flash.field_error("data_processed") />
                                <Field name="website_url" label="Website" kind="url" value=v("website_url", |s| s.website_url.clone()) error=flash.field_error("website_url") required=false />
                                <Field name="start_date" label="In use since" kind="date" value=v("start_date", |s| s.start_date.clone()) error=flash.field_error("start_date") required=false />
                                <Field name="end_date" label="In use until" kind="date" value=v("end_date", |s| s.end_date.clone()) error=flash.field_error("end_date") required=false hint="Set when you stop using it; it leaves the public list after this date." />
                                <Field name="position" label="Position" kind="number" value=v("position", |s| s.position.to_string()) error=flash.field_error("position") required=false />
                                <button type="submit" class="button">"Save draft"</button> " " {delete_button(item.is_some(), "Remove")}
                            </form>
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

#[component]
pub fn FaqEditPage() -> impl IntoView {
    let id = id_param();
    view! {
        <AdminLayout title="FAQ entry">
            {move || Suspend::new(async move {
                let flash = load_flash("content_item").await;
                match faq_edit(id).await {
                    Ok(page) => {
                        let item = page.item.clone();
                        view! {
                            <p class="crumbs"><a href="/admin/content">"← Trust center content"</a></p>
                            <h1>{item.as_ref().map_or("New question".to_string(), |f| f.question.clone())}</h1>
                            <FlashMessages flash=flash.clone() />
                            <form method="post" action=SaveFaq::url() class="form" novalidate>
                                {item.as_ref().map(|f| view! { <input type="hidden" name="id" value=f.id.to_string() /> })}
                                {text_area(&flash, "question", "Question", item.as_ref().map(|f| f.question.clone()).unwrap_or_default(), 2, None)}
                                {text_area(&flash, "answer", "Answer", item.as_ref().map(|f| f.answer.clone()).unwrap_or_default(), 6, None)}
                                <Field name="position" label="Position" kind="number" value=flash.typed_or("position", item.as_ref().map(|f| f.position.to_string()).unwrap_or_default()) error=flash.field_error("position") required=false />
                                <button type="submit" class="button">"Save draft"</button> " " {delete_button(item.is_some(), "Remove")}
                            </form>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}
