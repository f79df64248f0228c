//! The prospect's own questionnaires on their account page: upload, progress, download.

use crate::{
    components::Badge,
    features::questionnaires::model::{SelfServe, Status},
    forms::{Flash, FlashMessages},
};
use leptos::prelude::*;

/// The account page's section (`#questionnaires`).
#[component]
pub fn SelfServeSection(data: SelfServe, flash: Flash) -> impl IntoView {
    let drafts = data.drafts_allowed;
    let items: Vec<_> = data
        .items
        .into_iter()
        .map(|q| {
            let (tone, state) = match (q.status, q.completed) {
                (_, true) => ("good", "Answered".to_string()),
                (Status::Processing, _) => ("neutral", "Filling in automatic answers".to_string()),
                (Status::Failed, _) => ("bad", "Could not be read".to_string()),
                (Status::Ready, false) => ("warn", "With the security team".to_string()),
            };
            let can_download = q.status == Status::Ready && (q.completed || drafts);
            let label = if q.completed { "Download the answered file" } else { "Download the automatic answers so far" };
            let download = can_download.then(|| {
                view! {
                    <form method="post" action=crate::paths::self_serve_download(q.id) class="inline-form">
                        <button type="submit" class="button small">{label}</button>
                    </form>
                }
            });
            let due = q.due_on.clone().map(|d| format!(" · due {d}"));
            view! {
                <li data-test="self-serve-item" data-completed=q.completed.to_string()>
                    <strong>{q.title.clone()}</strong> " " <Badge tone text=state />
                    <p class="small muted">{format!("{} of {} questions answered", q.answered, q.total)} {due}</p>
                    <progress max=q.total.max(1).to_string() value=q.answered.to_string()>{format!("{} of {}", q.answered, q.total)}</progress>
                    {download}
                </li>
            }
        })
        .collect();
    let upload = if data.eligible {
        view! {
            <form method="post" action=crate::paths::SELF_SERVE_UPLOAD enctype="multipart/form-data" class="form-inline">
                <label for="self-serve-file">"Your questionnaire (.xlsx or .csv)"</label>
                <input id="self-serve-file" type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
                <button type="submit" class="button secondary">"Upload"</button>
            </form>
        }
        .into_any()
    } else {
        view! { <p class="muted" data-test="self-serve-closed">{data.reason.clone()}</p> }.into_any()
    };
    view! {
        <section id="questionnaires" class="panel" aria-labelledby="questionnaires-title">
            <h2 id="questionnaires-title">"Your security questionnaires"</h2>
            <p class="muted">"Upload your own questionnaire: questions our approved answers cover are filled in at once, and the security team answers the rest. Every sheet is read; your file comes back with the answers in it."</p>
            <FlashMessages flash />
            {upload}
            {(!items.is_empty()).then(|| view! { <ul class="self-serve">{items}</ul> })}
        </section>
    }
}
