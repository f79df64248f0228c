//! The SOC 2 report editor (with its bridge letters) and the framework editor.

use super::{delete_button, id_param};
use crate::{
    components::ErrorPanel,
    features::{
        accounts::views::AdminLayout,
        editor::{
            api::{framework_edit, report_edit, SaveBridgeLetter, SaveFramework, SaveReport},
            model::{FrameworkItem, ReportItem},
        },
    },
    forms::{field_error, load_flash, select_field, text_area, Choices, Field, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};

fn document_choices(documents: &[(i64, String)]) -> Choices {
    documents.iter().map(|(id, title)| (id.to_string(), title.clone())).collect()
}

/// `/admin/content/soc2/:id` (or `/new`): a SOC 2 report's form and, once it exists, its
/// bridge letters with a form to add one.
#[component]
pub fn ReportEditPage() -> impl IntoView {
    let id = id_param();
    view! {
        <AdminLayout title="SOC 2 report">
            {move || Suspend::new(async move {
                let flash = load_flash("content_item").await;
                let bridge_flash = load_flash("bridge_letter").await;
                match report_edit(id).await {
                    Ok(page) => {
                        let item = page.item.clone();
                        let get = |f: fn(&ReportItem) -> String| item.as_ref().map(f).unwrap_or_default();
                        let v = |field: &'static str, f: fn(&ReportItem) -> String| flash.typed_or(field, get(f));
                        let scope = flash.typed_or("tsc_in_scope", get(|r| r.tsc_in_scope.join(",")));
                        let scope: Vec<&str> = scope.split(',').collect();
                        let categories: Vec<_> = page.categories.iter().map(|(code, label)| {
                            let security = code == "security";
                            let name = format!("tsc_{code}");
                            view! {
                                <label class="check">
                                    <input type="checkbox" name=name value="yes" checked=security || scope.contains(&code.as_str()) disabled=security />
                                    {label.clone()} {security.then_some(" (always in scope)")}
                                </label>
                            }
                        }).collect();
                        let documents = document_choices(&page.documents);
                        let report_type = get(|r| r.report_type.clone());
                        let report_type = if report_type.is_empty() { "type_ii".to_string() } else { report_type };
                        view! {
                            <p class="crumbs"><a href="/admin/content">"← Trust center content"</a></p>
                            <h1>{item.as_ref().map_or("New SOC 2 report".to_string(), |r| format!("SOC 2 report, period ending {}", r.period_end))}</h1>
                            <FlashMessages flash=flash.clone() />
                            <p class="muted small">"The public page summarises the report with the latest period end; buyers treat it as current for 12 months after that, longer with a bridge letter."</p>
                            <form method="post" action=SaveReport::url() class="form" novalidate>
                                {item.as_ref().map(|r| view! { <input type="hidden" name="id" value=r.id.to_string() /> })}
                                {select_field(&flash, "report_type", "Type", &page.report_types, report_type, None)}
                                <Field name="period_start" label="Period start" kind="date" value=v("period_start", |r| r.period_start.clone()) error=flash.field_error("period_start") hint="For a Type I report, the same day as the end." />
                                <Field name="period_end" label="Period end" kind="date" value=v("period_end", |r| r.period_end.clone()) error=flash.field_error("period_end") />
                                <Field name="audit_firm" label="Audit firm" value=v("audit_firm", |r| r.audit_firm.clone()) error=flash.field_error("audit_firm") />
                                {select_field(&flash, "opinion", "Opinion", &page.opinions, get(|r| r.opinion.clone()), Some("Choose…"))}
                                <Field name="report_date" label="Report date" kind="date" value=v("report_date", |r| r.report_date.clone()) error=flash.field_error("report_date") hint="The date of the auditor's opinion." />
                                <fieldset class="field" class:has-error=flash.field_error("tsc_in_scope").is_some()>
                                    <legend>"Trust Services Criteria in scope"</legend>
                                    {categories}
                                    {field_error(&flash, "tsc_in_scope")}
                                </fieldset>
                                {text_area(&flash, "subservice_orgs", "Subservice organizations", get(|r| r.subservice_orgs.clone()), 6, Some("One per line: name | services | carve-out or inclusive."))}
                                {text_area(&flash, "cuecs", "Complementary user entity controls", get(|r| r.cuecs.clone()), 8, Some("One per line, as the report states them."))}
                                {select_field(&flash, "document_id", "The report document", &documents, item.as_ref().and_then(|r| r.document_id).map(|d| d.to_string()).unwrap_or_default(), Some("None"))}
                                <button type="submit" class="button">"Save draft"</button> " " {delete_button(item.is_some(), "Remove report")}
                            </form>
                            {item.as_ref().map(|r| {
                                let report_id = r.id;
                                let letters: Vec<_> = page.bridge_letters.iter().map(|b| view! {
                                    <tr data-test-bridge=b.covered_until.clone()>
                                        <td>{b.issued_on.clone()}</td>
                                        <td>{b.covered_until.clone()}</td>
                                        <td>{b.document_title.clone().unwrap_or_else(|| "—".into())}</td>
                                        <td>
                                            <form method="post" action=SaveBridgeLetter::url() class="inline-form">
                                                <input type="hidden" name="report_id" value=report_id.to_string() />
                                                <input type="hidden" name="id" value=b.id.to_string() />
                                                <button type="submit" class="link-button" name="delete" value="yes">"Remove"</button>
                                            </form>
                                        </td>
                                    </tr>
                                }).collect();
                                let has_letters = !letters.is_empty();
                                view! {
                                    <section class="panel" aria-labelledby="bridge-title">
                                        <h2 id="bridge-title">"Bridge letters"</h2>
                                        <FlashMessages flash=bridge_flash.clone() />
                                        <p class="muted small">"Management's statement that nothing material changed after the period ended. The newest one keeps the report current past its 12 months, until the date it covers."</p>
                                        {has_letters.then(|| view! {
                                            <div class="table-scroll"><table class="table"><thead><tr><th scope="col">"Issued"</th><th scope="col">"Covers until"</th><th scope="col">"Document"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead><tbody>{letters}</tbody></table></div>
                                        })}
                                        <form method="post" action=SaveBridgeLetter::url() class="form" novalidate>
                                            <input type="hidden" name="report_id" value=report_id.to_string() />
                                            <Field name="issued_on" label="Issued on" kind="date" value=bridge_flash.value("issued_on") error=bridge_flash.field_error("issued_on") />
                                            <Field name="covered_until" label="Covers until" kind="date" value=bridge_flash.value("covered_until") error=bridge_flash.field_error("covered_until") />
                                            {select_field(&bridge_flash, "letter_document_id", "The letter document", &documents, String::new(), Some("None"))}
                                            <button type="submit" class="button secondary">"Add bridge letter"</button>
                                        </form>
                                    </section>
                                }
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

/// `/admin/content/frameworks/:id` (or `/new`): a framework's form, with remove for an existing
/// one.
#[component]
pub fn FrameworkEditPage() -> impl IntoView {
    let id = id_param();
    view! {
        <AdminLayout title="Framework">
            {move || Suspend::new(async move {
                let flash = load_flash("content_item").await;
                match framework_edit(id).await {
                    Ok(page) => {
                        let item = page.item.clone();
                        let get = |f: fn(&FrameworkItem) -> String| item.as_ref().map(f).unwrap_or_default();
                        let v = |field: &'static str, f: fn(&FrameworkItem) -> String| flash.typed_or(field, get(f));
                        let in_progress = v("in_progress", |f| if f.in_progress { "yes".into() } else { String::new() }) == "yes";
                        let documents = document_choices(&page.documents);
                        view! {
                            <p class="crumbs"><a href="/admin/content">"← Trust center content"</a></p>
                            <h1>{item.as_ref().map_or("New framework".to_string(), |f| f.name.clone())}</h1>
                            <FlashMessages flash=flash.clone() />
                            <form method="post" action=SaveFramework::url() class="form" novalidate>
                                {item.as_ref().map(|f| view! { <input type="hidden" name="id" value=f.id.to_string() /> })}
                                <Field name="name" label="Name" value=v("name", |f| f.name.clone()) error=flash.field_error("name") hint="e.g. ISO/IEC 27001:2022, PCI DSS v4.0, HIPAA." />
                                <Field name="evidence" label="Evidence" value=v("evidence", |f| f.evidence.clone()) error=flash.field_error("evidence") hint="How the standing is shown: Certified, Attestation of Compliance, Self-assessment…" />
                                <Field name="issuer" label="Issued by" value=v("issuer", |f| f.issuer.clone()) error=flash.field_error("issuer") required=false hint="The certification body or assessor." />
                                <Field name="issued_on" label="Issued on" kind="date" value=v("issued_on", |f| f.issued_on.clone()) error=flash.field_error("issued_on") required=false />
                                <Field name="valid_until" label="Valid until" kind="date" value=v("valid_until", |f| f.valid_until.clone()) error=flash.field_error("valid_until") required=false hint="The public page marks it expired after this date." />
                                <div class="field">
                                    <label class="check"><input type="checkbox" name="in_progress" value="yes" checked=in_progress />" In progress (not yet achieved)"</label>
                                </div>
                                {text_area(&flash, "description", "Description", get(|f| f.description.clone()), 3, None)}
                                {select_field(&flash, "document_id", "Linked document", &documents, item.as_ref().and_then(|f| f.document_id).map(|d| d.to_string()).unwrap_or_default(), Some("None"))}
                                <Field name="position" label="Position" kind="number" value=v("position", |f| f.position.to_string()) error=flash.field_error("position") required=false hint="Lower comes first; empty puts a new framework last." />
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
