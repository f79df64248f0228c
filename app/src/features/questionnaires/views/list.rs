//! The questionnaires list, with the upload form.

use super::{choices, progress};
use crate::{
    components::{Badge, ErrorPanel},
    features::{
        accounts::views::AdminLayout,
        questionnaires::{api::qn_list, model::Status},
    },
    forms::{load_flash, FlashMessages},
};
use leptos::prelude::*;

const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Every questionnaire with its progress, and the upload form.
#[component]
pub fn QuestionnairesPage() -> impl IntoView {
    view! {
        <AdminLayout title="Questionnaires">
            {move || Suspend::new(async move {
                let flash = load_flash("qn_upload").await;
                match qn_list().await {
                    Ok(page) => {
                        let rows: Vec<_> = page.items.iter().map(|q| {
                            let tone = match (q.status, q.overdue) { (Status::Failed, _) | (_, true) => "bad", (Status::Processing, _) => "neutral", _ if q.counts.remaining == 0 => "good", _ => "warn" };
                            view! {
                                <tr data-test-questionnaire=q.title.clone()>
                                    <td><a href=format!("/admin/questionnaires/{}", q.id)>{q.title.clone()}</a><br /><span class="small muted">{q.file_name.clone()}</span></td>
                                    <td><a href=format!("/admin/companies/{}", q.company_id)>{q.company_name.clone()}</a></td>
                                    <td>{q.due_on.clone().unwrap_or_else(|| "—".into())}{q.overdue.then(|| view! { " " <Badge tone="bad" text="Overdue" /> })}</td>
                                    <td>{q.owner_name.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td><Badge tone text=progress(q) /></td>
                                    <td class="small">{format!("{} questions: {} auto · {} review · {} none", q.counts.total, q.counts.auto, q.counts.review, q.counts.none)}</td>
                                </tr>
                            }
                        }).collect();
                        let err = |f: &str| flash.field_error(f).map(|m| view! { <p class="field-error">{m}</p> });
                        let owner = flash.value("owner_id").parse::<i64>().ok();
                        let company = flash.value("company_id").parse::<i64>().ok();
                        view! {
                            <h1>"Questionnaires"</h1>
                            <FlashMessages flash=flash.clone() />
                            <p class="muted">"Upload a buyer's spreadsheet: every sheet is read, the question, answer and comment columns found, and an answer suggested for each question from the approved knowledge base. Review, then download the same file with the answers filled in."</p>
                            {if page.items.is_empty() {
                                view! { <p>"No questionnaires yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-scroll"><table class="table">
                                        <thead><tr><th scope="col">"Questionnaire"</th><th scope="col">"Company"</th><th scope="col">"Due"</th><th scope="col">"Owner"</th><th scope="col">"Progress"</th><th scope="col">"Suggestions"</th></tr></thead>
                                        <tbody>{rows}</tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            <section class="panel" aria-labelledby="upload-title">
                                <h2 id="upload-title">"Upload a questionnaire"</h2>
                                <form method="post" action=crate::paths::QUESTIONNAIRE_UPLOAD enctype="multipart/form-data" class="form" novalidate>
                                    <div class="field" class:has-error=flash.field_error("file").is_some()>
                                        <label for="qn-file">"Buyer's file (.xlsx or .csv)"</label>
                                        <input id="qn-file" type="file" name="file" accept=format!(".xlsx,.csv,text/csv,{XLSX_MIME}") required />
                                        {err("file")}
                                    </div>
                                    <div class="field" class:has-error=flash.field_error("company_id").is_some()>
                                        <label for="qn-company">"Company"</label>
                                        <select id="qn-company" name="company_id"><option value="">"A new company (below)"</option>{choices(&page.companies, company)}</select>
                                        {err("company_id")}
                                    </div>
                                    <div class="form-row">
                                        <div class="field" class:has-error=flash.field_error("new_company_domain").is_some()>
                                            <label for="qn-domain">"New company's domain"</label>
                                            <input id="qn-domain" name="new_company_domain" value=flash.value("new_company_domain") placeholder="acme.com" />
                                            {err("new_company_domain")}
                                        </div>
                                        <div class="field" class:has-error=flash.field_error("new_company_name").is_some()>
                                            <label for="qn-company-name">"New company's name"</label>
                                            <input id="qn-company-name" name="new_company_name" value=flash.value("new_company_name") placeholder="Acme Corp" />
                                            {err("new_company_name")}
                                        </div>
                                    </div>
                                    <div class="field" class:has-error=flash.field_error("title").is_some()>
                                        <label for="qn-title">"Title (optional)"</label>
                                        <input id="qn-title" name="title" value=flash.value("title") placeholder="The file's name" />
                                        {err("title")}
                                    </div>
                                    <div class="form-row">
                                        <div class="field" class:has-error=flash.field_error("due_on").is_some()>
                                            <label for="qn-due">"Due"</label>
                                            <input id="qn-due" type="date" name="due_on" value=flash.value("due_on") />
                                            {err("due_on")}
                                        </div>
                                        <div class="field" class:has-error=flash.field_error("owner_id").is_some()>
                                            <label for="qn-owner">"Owner"</label>
                                            <select id="qn-owner" name="owner_id"><option value="">"Nobody yet"</option>{choices(&page.owners, owner)}</select>
                                            {err("owner_id")}
                                        </div>
                                    </div>
                                    <button type="submit" class="button">"Upload and suggest answers"</button>
                                </form>
                                <p class="small muted">"Trying it out? " <a href=crate::paths::QUESTIONNAIRE_SAMPLE download>"Download a sample questionnaire"</a> " (several sheets, merged headers, dropdowns, formulas)."</p>
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
