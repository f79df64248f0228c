//! One question's card on the review page: the question, the answer that will be written, its
//! suggestions with their caveats, and the reviewer's actions (accept, choose another entry,
//! write, leave blank, undo).

use crate::{
    components::Badge,
    features::questionnaires::{
        api::{QnAccept, QnRowState, QnWrite},
        model::{RowState, RowView},
    },
    forms::{Flash, TextArea},
};
use leptos::{prelude::*, server_fn::ServerFn};

fn decision_badge(decision: Option<&str>) -> impl IntoView {
    let (tone, text) = match decision {
        Some("auto") => ("good", "Auto"),
        Some("review") => ("warn", "Review"),
        Some("none") => ("neutral", "No answer"),
        _ => ("neutral", "Pending"),
    };
    view! { <Badge tone text=text /> }
}

fn state_badge(row: &RowView) -> impl IntoView {
    let (tone, text) = match (row.state, row.answer.is_some()) {
        (RowState::Accepted, _) => ("good", "Accepted"),
        (RowState::Written, _) => ("good", "Written"),
        (RowState::Skipped, _) => ("neutral", "Left blank"),
        (RowState::Open, true) => ("good", "Will be filled"),
        (RowState::Open, false) => ("warn", "Needs a person"),
    };
    view! { <Badge tone text=text /> }
}

/// The card of `row` on questionnaire `id`'s page; `back` is the reviewer's filter, kept across
/// decisions.
pub(super) fn row_card(id: i64, back: &str, row: RowView, flash: &Flash) -> impl IntoView {
    let row_id = row.id.to_string();
    let hidden = {
        let (row_id, back) = (row_id.clone(), back.to_string());
        move || {
            view! {
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="row" value=row_id.clone() />
                <input type="hidden" name="back" value=back.clone() />
            }
        }
    };
    let typed = flash.value("row") == row_id;
    let typed_short =
        if typed { flash.value("short_answer") } else { row.answer.as_ref().map(|a| a.0.clone()).unwrap_or_default() };
    let typed_answer =
        if typed { flash.value("answer") } else { row.answer.as_ref().map(|a| a.1.clone()).unwrap_or_default() };
    let long = row.question.chars().count() > 600;
    let question = if long {
        let head: String = row.question.chars().take(600).collect();
        view! { <details class="long-question"><summary>{format!("{head}…")}</summary><p>{row.question.clone()}</p></details> }.into_any()
    } else {
        view! { <p class="question">{row.question.clone()}</p> }.into_any()
    };
    let answer = row.answer.clone().map(|(short, text, source)| {
        view! {
            <div class="chosen-answer">
                <p><strong>{short}</strong> {source.map(|s| format!(" · from {s}"))} {row.decided_by.clone().map(|b| format!(" · chosen by {b}"))}</p>
                <p class="small">{text}</p>
            </div>
        }
    });
    let problem = row
        .problem
        .clone()
        .map(|p| view! { <p class="notice warn" role="note">{format!("Cannot be written into the sheet: {p}.")}</p> });
    let note =
        row.note.clone().map(|n| view! { <p class="notice" role="note">{format!("In the buyer's file: {n}.")}</p> });
    let follows = row.follows.map(|n| {
        let flag = row.dependency.clone().map(|d| {
            view! { <p class="notice warn" role="note" data-test="dependency-flag">{format!("Follow-up of row {n}: {d}.")}</p> }
        });
        view! { <p class="small muted" data-test="follows">{format!("Follows row {n}")}</p> {flag} }
    });
    let first_open = row.state == RowState::Open && row.answer.is_none();
    let suggestions: Vec<_> = row
        .suggestions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let hidden = hidden.clone();
            let caveat = s.caveat.clone().map(|c| view! { " " <Badge tone="warn" text=c /> });
            let accept_key = (i == 0).then_some("true");
            let secondary = i > 0;
            let warnings: Vec<_> = s.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect();
            let warnings = (!warnings.is_empty()).then(|| view! { <div role="note"><ul class="warnings small">{warnings}</ul></div> });
            let action = if s.one_click {
                view! {
                    <form method="post" action=QnAccept::url() class="inline-form">
                        {hidden()}
                        <input type="hidden" name="entry" value=s.entry_id.to_string() />
                        <button type="submit" class="button small" class:secondary=secondary data-accept=accept_key>{if i == 0 { "Accept" } else { "Use this" }}</button>
                        <input type="checkbox" id=format!("keep-{}-{i}", row_id) name="keep_wording" value="yes" />
                        <label for=format!("keep-{}-{i}", row_id) class="small">"keep this wording"</label>
                    </form>
                }
                .into_any()
            } else {
                view! { <span class="small muted" data-test="no-one-click">"Check it first: choose it by its id below, or write the answer."</span> }.into_any()
            };
            view! {
                <li class="suggestion">
                    {action}
                    " " <a href=format!("/admin/kb/{}", s.entry_id)>{s.external_id.clone()}</a>
                    {format!(" ({:.2}) ", s.score)} <strong>{s.short_answer.clone()}</strong> {caveat}
                    <span class="small"> " · " {s.question.clone()}</span>
                    {warnings}
                    <details class="small"><summary>"Explanation"</summary><p>{s.explanation.clone()}</p></details>
                </li>
            }
        })
        .collect();
    let shorts: Vec<_> = row
        .answer_options
        .iter()
        .map(|o| view! { <option value=o.clone() selected=*o == typed_short>{o.clone()}</option> })
        .collect();
    let undo = (row.state != RowState::Open).then(|| {
        let hidden = hidden.clone();
        view! { <form method="post" action=QnRowState::url() class="inline-form">{hidden()}<input type="hidden" name="action" value="reopen" /><button type="submit" class="button secondary small">"Undo decision"</button></form> }
    });
    let skip = (row.state != RowState::Skipped).then(|| {
        let hidden = hidden.clone();
        view! { <form method="post" action=QnRowState::url() class="inline-form">{hidden()}<input type="hidden" name="action" value="skip" /><button type="submit" class="button secondary small" data-skip="true">"Leave blank"</button></form> }
    });
    let draft = row.draft_entry_id.map(|d| view! { <p class="small">"Saved to the knowledge base as a draft: " <a href=format!("/admin/kb/{d}")>"open the entry"</a></p> });
    let answer_id = format!("answer-{}", row.id);
    let short_id = format!("short-{}", row.id);
    let draft_id = format!("draft-{}", row.id);
    view! {
        <article class="qrow" id=format!("row-{}", row.id) data-q-row="true" tabindex="-1" data-decision=row.decision.clone().unwrap_or_default() data-state=row.state.code() data-open=first_open.to_string()>
            <header class="qrow-head">
                <span class="small muted">{format!("{} · row {}", row.sheet_name, row.row_number)}</span>
                " " {decision_badge(row.decision.as_deref())} " " {state_badge(&row)}
            </header>
            {question}
            {answer}
            {problem}
            {note}
            {follows}
            {draft}
            {(!suggestions.is_empty()).then(|| view! { <ol class="suggestions">{suggestions}</ol> })}
            <div class="qrow-actions">
                <form method="post" action=QnAccept::url() class="inline-form">
                    {hidden()}
                    <label for=format!("entry-{}", row.id)>"Another entry"</label>
                    <input class="narrow-input" id=format!("entry-{}", row.id) name="entry" placeholder="KB-012" />
                    <button type="submit" class="button secondary small">"Use"</button>
                    <input type="checkbox" id=format!("keep-{}", row.id) name="keep_wording" value="yes" />
                    <label for=format!("keep-{}", row.id) class="small">"keep this wording as a phrasing of the entry"</label>
                </form>
                {skip}
                {undo}
            </div>
            <details class="write-answer" open=typed>
                <summary>"Edit or write the answer"</summary>
                <form method="post" action=QnWrite::url() class="form">
                    {hidden()}
                    <div class="field">
                        <label for=short_id.clone()>"Short answer"</label>
                        <select id=short_id name="short_answer"><option value="">"—"</option>{shorts}</select>
                    </div>
                    <div class="field">
                        <label for=answer_id.clone()>"Answer"</label>
                        <TextArea id=answer_id name="answer" rows=4 answer=true value=typed_answer />
                    </div>
                    <div class="field checkbox">
                        <input type="checkbox" id=draft_id.clone() name="save_draft" value="yes" />
                        <label for=draft_id>"Also save to the knowledge base as a draft for the owner to approve"</label>
                    </div>
                    <button type="submit" class="button small">"Save answer"</button>
                </form>
            </details>
        </article>
    }
}
