//! Learning pages: the upload form for an answered questionnaire, a batch's proposals to accept
//! or reject (`/admin/kb/learn/:id`), and an entry's learned phrasings with their source.

use super::{
    api::{kb_learn_batch, KbLearnDecide, KbRemovePhrasing},
    model::{LearnRow, Phrasing},
};
use crate::{
    components::{Badge, ErrorPanel},
    features::accounts::views::AdminLayout,
    forms::{load_flash, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_router::hooks::use_params_map;

/// The upload form on the knowledge-base page.
#[component]
pub fn LearnForm() -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="learn-title">
            <h2 id="learn-title">"Learn from an answered questionnaire"</h2>
            <p class="muted">"A buyer's file sent back with your answers (CSV or xlsx, every sheet, with question and answer columns). Each answer is traced to the entry it was copied from, and its question proposed as another phrasing; answers no entry gave are proposed as new draft entries. Nothing changes until you accept."</p>
            <form method="post" action=crate::paths::KB_LEARN enctype="multipart/form-data" class="form-inline">
                <label for="learn-file">"Answered questionnaire"</label>
                <input id="learn-file" type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
                <button type="submit" class="button secondary">"Read it"</button>
            </form>
            <p><a href="/admin/kb/gaps">"Questions visitors asked without an answer →"</a></p>
        </section>
    }
}

fn decide_form(batch: i64, row: Option<i64>, accept: bool, label: &'static str) -> impl IntoView {
    view! {
        <form method="post" action=KbLearnDecide::url() class="inline-form">
            <input type="hidden" name="batch" value=batch.to_string() />
            {row.map(|r| view! { <input type="hidden" name="row" value=r.to_string() /> })}
            <input type="hidden" name="accept" value=accept.to_string() />
            <button type="submit" class=if accept { "button small" } else { "button secondary small" }>{label}</button>
        </form>
    }
}

fn proposal(r: &LearnRow) -> AnyView {
    match r.kind.as_str() {
        "entry" => {
            let href = r.entry_id.map(|id| format!("/admin/kb/{id}")).unwrap_or_default();
            view! {
                "Phrasing of " <a href=href>{r.external_id.clone().unwrap_or_default()}</a>
                {format!(" ({:.0}% the same answer)", r.similarity.unwrap_or(0.0) * 100.0)}
                <br /><span class="muted small">{r.entry_question.clone().unwrap_or_default()}</span>
            }
            .into_any()
        }
        "new" => view! { "New draft entry" }.into_any(),
        _ => view! { <span class="muted">{format!("Nothing: {}", r.reason)}</span> }.into_any(),
    }
}

/// `/admin/kb/learn/:id`: what an answered questionnaire proposes, row by row.
#[component]
pub fn KnowledgeLearnPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0));
    view! {
        <AdminLayout title="Learn from an answered questionnaire">
            {move || Suspend::new(async move {
                let flash = load_flash("kb_learn").await;
                match kb_learn_batch(id).await {
                    Ok(batch) => {
                        let pending = batch.rows.iter().filter(|r| r.status == "pending" && r.kind != "unclear").count();
                        let rows: Vec<_> = batch.rows.iter().map(|r| {
                            let decide = (r.status == "pending" && r.kind != "unclear").then(|| view! {
                                {decide_form(batch.id, Some(r.id), true, "Accept")}
                                {decide_form(batch.id, Some(r.id), false, "Reject")}
                            });
                            let tone = match r.status.as_str() { "accepted" => "good", "rejected" => "bad", _ => "neutral" };
                            let answer: String = r.answer.chars().take(300).collect();
                            view! {
                                <tr data-test="learn-row" data-kind=r.kind.clone()>
                                    <td>{if r.sheet.is_empty() { r.row.to_string() } else { format!("{} {}", r.sheet, r.row) }}</td>
                                    <td>{r.question.clone()}<br /><span class="muted small">{answer}</span></td>
                                    <td>{proposal(r)}</td>
                                    <td><Badge tone text=r.status.clone() /></td>
                                    <td>{decide}</td>
                                </tr>
                            }
                        }).collect();
                        view! {
                            <p class="crumbs"><a href="/admin/kb">"← Knowledge base"</a></p>
                            <h1>{format!("Learn from {}", batch.file_name)}</h1>
                            <p class="muted">{format!("Read by {} · {} proposals waiting", batch.created_by, pending)}</p>
                            <FlashMessages flash />
                            {(pending > 0).then(|| view! {
                                <div class="actions">{decide_form(batch.id, None, true, "Accept every proposal")}{decide_form(batch.id, None, false, "Reject every proposal")}</div>
                            })}
                            <div class="table-scroll"><table class="table">
                                <thead><tr><th scope="col">"Row"</th><th scope="col">"Question and answer"</th><th scope="col">"Proposal"</th><th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Decide"</span></th></tr></thead>
                                <tbody>{rows}</tbody>
                            </table></div>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
}

/// An entry's learned phrasings, each with its source and a remove button.
#[component]
pub fn Phrasings(entry: i64, phrasings: Vec<Phrasing>) -> impl IntoView {
    let n = phrasings.len();
    let items: Vec<_> = phrasings
        .into_iter()
        .map(|p| {
            view! {
                <li data-test="phrasing">
                    {p.text} <span class="muted small">{format!(" — {} ({})", p.source, p.added_by)}</span>
                    <form method="post" action=KbRemovePhrasing::url() class="inline-form">
                        <input type="hidden" name="entry" value=entry.to_string() />
                        <input type="hidden" name="id" value=p.id.to_string() />
                        <button type="submit" class="button link small">"Remove"</button>
                    </form>
                </li>
            }
        })
        .collect();
    view! {
        <section class="panel" aria-labelledby="phrasings-title">
            <h2 id="phrasings-title">{format!("Learned phrasings ({n})")}</h2>
            <p class="muted">"Buyers' wordings of this question, learned from answered questionnaires and questions asked on the trust center. Suggestions use them."</p>
            {if n == 0 { view! { <p>"None yet."</p> }.into_any() } else { view! { <ul>{items}</ul> }.into_any() }}
        </section>
    }
}
