//! What companies were told: a company's page (its questionnaires and every answer it was
//! sent) and the "Sent to companies" panel on a knowledge-base entry's page.

use super::progress;
use crate::{
    components::{Badge, ErrorPanel},
    error::AppError,
    features::{
        access::{api::company_access_detail, views::CompanyAccessPanels},
        accounts::views::AdminLayout,
        questionnaires::{api::company_detail, model::Disclosure},
    },
    types::Timestamp,
};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

fn when(at: i64) -> impl IntoView {
    let t = Timestamp(at);
    view! { <time datetime=t.rfc3339()>{t.long()}</time> }
}

fn told_rows(told: &[Disclosure], show_company: bool) -> Vec<impl IntoView> {
    told.iter()
        .map(|d| {
            let older = matches!((d.entry_version, d.current_version), (Some(v), Some(c)) if v < c);
            let source = match (&d.external_id, d.entry_id, d.entry_version) {
                (Some(x), Some(id), Some(v)) => view! { <a href=format!("/admin/kb/{id}")>{format!("{x} v{v}")}</a> }.into_any(),
                _ => view! { <span>"written by hand"</span> }.into_any(),
            };
            view! {
                <tr data-older=older.to_string()>
                    <td>{when(d.exported_at)}</td>
                    {show_company.then(|| view! { <td><a href=format!("/admin/companies/{}", d.company_id)>{d.company_name.clone()}</a></td> })}
                    <td><a href=format!("/admin/questionnaires/{}", d.questionnaire_id)>{d.questionnaire_title.clone()}</a></td>
                    <td>{d.question.chars().take(200).collect::<String>()}</td>
                    <td><strong>{d.short_answer.clone()}</strong></td>
                    <td>{source} {older.then(|| view! { " " <Badge tone="warn" text=format!("older: now v{}", d.current_version.unwrap_or_default()) /> })}</td>
                    <td class="small">{d.exported_by.clone()}</td>
                </tr>
            }
        })
        .collect()
}

/// "Sent to companies" on a knowledge-base entry's page.
#[component]
pub fn ToldCompanies(told: Vec<Disclosure>) -> impl IntoView {
    let older: std::collections::BTreeSet<String> = told
        .iter()
        .filter(|d| matches!((d.entry_version, d.current_version), (Some(v), Some(c)) if v < c))
        .map(|d| d.company_name.clone())
        .collect();
    let note = (!older.is_empty()).then(|| {
        view! { <p class="notice warn" role="note" data-test="older-answer">{format!("Received an older version of this answer: {}.", older.into_iter().collect::<Vec<_>>().join(", "))}</p> }
    });
    let rows = told_rows(&told, true);
    view! {
        <section class="panel" aria-labelledby="told-title">
            <h2 id="told-title">"Sent to companies"</h2>
            {note}
            {if told.is_empty() {
                view! { <p>"Not yet sent in any questionnaire."</p> }.into_any()
            } else {
                view! { <div class="table-scroll"><table class="table"><thead><tr><th scope="col">"When"</th><th scope="col">"Company"</th><th scope="col">"Questionnaire"</th><th scope="col">"Question"</th><th scope="col">"Answer"</th><th scope="col">"Entry"</th><th scope="col">"By"</th></tr></thead><tbody>{rows}</tbody></table></div> }.into_any()
            }}
        </section>
    }
}

/// The company in the address: for sales its people, requests, grants, downloads and NDA
/// acceptances; for everyone its questionnaires and what it was told.
#[component]
pub fn CompanyDetailPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0));
    view! {
        <AdminLayout title="Company">
            {move || Suspend::new(async move {
                // Sales see the company's access; others see what it was told.
                let access = match company_access_detail(id).await {
                    Ok(access) => Some(access),
                    Err(AppError::Forbidden) => None,
                    Err(error) => return view! { <ErrorPanel error /> }.into_any(),
                };
                match company_detail(id).await {
                    Ok(page) => {
                        let access = access.map(|access| view! { <CompanyAccessPanels access /> });
                        let qs: Vec<_> = page.questionnaires.iter().map(|q| view! {
                            <li><a href=format!("/admin/questionnaires/{}", q.id)>{q.title.clone()}</a> {format!(" · {} · due {}", progress(q), q.due_on.clone().unwrap_or_else(|| "not set".into()))}</li>
                        }).collect();
                        let rows = told_rows(&page.told, false);
                        view! {
                            <p class="crumbs"><a href="/admin/companies">"← Companies"</a></p>
                            <h1>{page.name.clone()}</h1>
                            <p class="muted">{page.domain.clone()}</p>
                            {access}
                            <section class="panel" aria-labelledby="qs-title">
                                <h2 id="qs-title">"Questionnaires"</h2>
                                {if qs.is_empty() { view! { <p>"None."</p> }.into_any() } else { view! { <ul>{qs}</ul> }.into_any() }}
                            </section>
                            <section class="panel" aria-labelledby="told-title">
                                <h2 id="told-title">"What we told them"</h2>
                                <p class="small muted">"Every answer sent in an exported questionnaire, with the knowledge-base entry and version it came from. \"Older\" marks an answer whose entry has changed since."</p>
                                {if page.told.is_empty() {
                                    view! { <p>"Nothing sent yet."</p> }.into_any()
                                } else {
                                    view! { <div class="table-scroll"><table class="table" data-test="told"><thead><tr><th scope="col">"When"</th><th scope="col">"Questionnaire"</th><th scope="col">"Question"</th><th scope="col">"Answer"</th><th scope="col">"Entry"</th><th scope="col">"By"</th></tr></thead><tbody>{rows}</tbody></table></div> }.into_any()
                                }}
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
