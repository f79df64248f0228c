//! Staff pages: the questionnaires list with the upload form; one questionnaire's review (sheet
//! mappings, filters, counts, one card per question with its suggestions and actions, keyboard
//! shortcuts); a company's page with what it was told.

use super::{
    api::{company_detail, qn_list, qn_page, QnAccept, QnMapping, QnRowState, QnUpdate, QnWrite},
    model::{Disclosure, QuestionnaireSummary, RowFilter, RowState, RowView, SheetView, Status},
};
use crate::{
    components::{Badge, ErrorPanel},
    features::accounts::views::AdminLayout,
    forms::{load_flash, Flash, FlashMessages, TextArea},
    types::Timestamp,
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn when(at: i64) -> impl IntoView {
    let t = Timestamp(at);
    view! { <time datetime=t.rfc3339()>{t.long()}</time> }
}

fn progress(s: &QuestionnaireSummary) -> String {
    match s.status {
        Status::Processing => format!("Suggesting answers: {} of {}", s.progress_done, s.progress_total),
        Status::Failed => "Failed".into(),
        Status::Ready => format!("{} done · {} to review", s.counts.done, s.counts.remaining),
    }
}

fn choices(all: &[(i64, String)], selected: Option<i64>) -> Vec<impl IntoView> {
    all.iter()
        .map(|(id, name)| view! { <option value=id.to_string() selected=Some(*id) == selected>{name.clone()}</option> })
        .collect()
}

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
                                <form method="post" action="/admin/questionnaires/upload" enctype="multipart/form-data" class="form" novalidate>
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
                                <p class="small muted">"Trying it out? " <a href="/admin/questionnaires/sample.xlsx" download>"Download a sample questionnaire"</a> " (several sheets, merged headers, dropdowns, formulas)."</p>
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

fn column_select(
    sheet: &SheetView,
    name: &'static str,
    label: &'static str,
    selected: Option<u32>,
    optional: bool,
) -> impl IntoView {
    let id = format!("map-{}-{name}", sheet.index);
    let options: Vec<_> = sheet
        .columns
        .iter()
        .map(|(c, l)| view! { <option value=c.to_string() selected=Some(*c) == selected>{l.clone()}</option> })
        .collect();
    view! {
        <div class="field">
            <label for=id.clone()>{label}</label>
            <select id=id name=name>{optional.then(|| view! { <option value="">"None"</option> })}{options}</select>
        </div>
    }
}

fn sheet_panel(id: i64, sheet: &SheetView) -> impl IntoView {
    let summary = match (sheet.question_col, sheet.rows) {
        (None, _) => "No question column found: skipped. Choose one to include it.".to_string(),
        (Some(_), n) => format!(
            "{n} questions · header row {} · answers in {}",
            sheet.header_row.map_or("none".into(), |h| h.to_string()),
            sheet
                .answer_col
                .and_then(|a| sheet.columns.iter().find(|(c, _)| *c == a))
                .map_or("no column yet".into(), |(_, l)| l.clone())
        ),
    };
    let dropdown = sheet.answer_options.as_ref().map(|o| format!(" · dropdown: {}", o.join(", ")));
    view! {
        <details class="sheet-mapping" data-test-sheet=sheet.name.clone()>
            <summary><strong>{sheet.name.clone()}</strong> " — " {summary} {dropdown} {sheet.corrected.then_some(" (corrected)")}</summary>
            <form method="post" action=QnMapping::url() class="form-inline">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="sheet" value=sheet.index.to_string() />
                <div class="field">
                    <label for=format!("map-{}-header", sheet.index)>"Header row"</label>
                    <input class="narrow-input" type="number" min="0" id=format!("map-{}-header", sheet.index) name="header_row" value=sheet.header_row.map(|h| h.to_string()).unwrap_or_default() />
                </div>
                {column_select(sheet, "question_col", "Questions", sheet.question_col, true)}
                {column_select(sheet, "answer_col", "Answers", sheet.answer_col, true)}
                {column_select(sheet, "comment_col", "Comments", sheet.comment_col, true)}
                <button type="submit" class="button secondary small">"Save mapping"</button>
            </form>
        </details>
    }
}

fn row_card(id: i64, back: &str, row: RowView, flash: &Flash) -> impl IntoView {
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
            view! {
                <li class="suggestion">
                    <form method="post" action=QnAccept::url() class="inline-form">
                        {hidden()}
                        <input type="hidden" name="entry" value=s.entry_id.to_string() />
                        <button type="submit" class="button small" class:secondary=secondary data-accept=accept_key>{if i == 0 { "Accept" } else { "Use this" }}</button>
                    </form>
                    " " <a href=format!("/admin/kb/{}", s.entry_id)>{s.external_id.clone()}</a>
                    {format!(" ({:.2}) ", s.score)} <strong>{s.short_answer.clone()}</strong> {caveat}
                    <span class="small"> " · " {s.question.clone()}</span>
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
            {draft}
            {(!suggestions.is_empty()).then(|| view! { <ol class="suggestions">{suggestions}</ol> })}
            <div class="qrow-actions">
                <form method="post" action=QnAccept::url() class="inline-form">
                    {hidden()}
                    <label for=format!("entry-{}", row.id)>"Another entry"</label>
                    <input class="narrow-input" id=format!("entry-{}", row.id) name="entry" placeholder="KB-012" />
                    <button type="submit" class="button secondary small">"Use"</button>
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

/// j / k move between questions, a accepts the first suggestion, e edits the answer, s leaves
/// the row blank; Escape leaves a text field. The buttons do the same without a keyboard.
#[island]
pub fn ReviewShortcuts() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        shortcuts::install();
    });
    view! {
        <p class="small muted keyboard-help" id="shortcuts">
            "Keyboard: " <kbd>"j"</kbd> " / " <kbd>"k"</kbd> " next / previous question · " <kbd>"a"</kbd> " accept the first suggestion · "
            <kbd>"e"</kbd> " edit the answer · " <kbd>"s"</kbd> " leave blank · " <kbd>"Esc"</kbd> " leave a text field"
        </p>
    }
}

#[cfg(feature = "hydrate")]
mod shortcuts {
    use leptos::wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlElement, KeyboardEvent};

    fn rows() -> Vec<HtmlElement> {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return Vec::new() };
        let Ok(list) = doc.query_selector_all("[data-q-row]") else { return Vec::new() };
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok()).collect()
    }

    fn current(rows: &[HtmlElement]) -> Option<usize> {
        let active = web_sys::window()?.document()?.active_element()?;
        let row = active.closest("[data-q-row]").ok()??;
        rows.iter().position(|r| r.is_same_node(Some(&row)))
    }

    fn go(row: &HtmlElement) {
        let _ = row.focus();
        row.scroll_into_view();
    }

    fn inside(row: &HtmlElement, selector: &str) -> Option<HtmlElement> {
        row.query_selector(selector).ok()??.dyn_into::<HtmlElement>().ok()
    }

    pub fn install() {
        let Some(window) = web_sys::window() else { return };
        // After a decision the page comes back at the next row: start there.
        if let Ok(hash) = window.location().hash() {
            if let Some(row) = hash.strip_prefix('#').and_then(|id| window.document()?.get_element_by_id(id)) {
                if let Ok(row) = row.dyn_into::<HtmlElement>() {
                    let _ = row.focus();
                }
            }
        }
        let handle = leptos::prelude::window_event_listener(leptos::ev::keydown, |ev: KeyboardEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            if let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                if matches!(target.tag_name().to_ascii_lowercase().as_str(), "input" | "textarea" | "select") {
                    if ev.key() == "Escape" {
                        if let Ok(field) = target.dyn_into::<HtmlElement>() {
                            let _ = field.blur();
                        }
                    }
                    return;
                }
            }
            let rows = rows();
            if rows.is_empty() {
                return;
            }
            let at = current(&rows);
            let row = |i: usize| rows.get(i).cloned();
            match ev.key().as_str() {
                "j" => {
                    if let Some(r) = row(at.map_or(0, |i| (i + 1).min(rows.len() - 1))) {
                        ev.prevent_default();
                        go(&r);
                    }
                }
                "k" => {
                    if let Some(r) = row(at.map_or(0, |i| i.saturating_sub(1))) {
                        ev.prevent_default();
                        go(&r);
                    }
                }
                key @ ("a" | "e" | "s") => {
                    let Some(r) = at.and_then(row) else { return };
                    let selector = match key {
                        "a" => "[data-accept]",
                        "s" => "[data-skip]",
                        _ => "[data-answer]",
                    };
                    if key == "e" {
                        if let Some(details) = r.query_selector("details.write-answer").ok().flatten() {
                            let _ = details.set_attribute("open", "");
                        }
                    }
                    if let Some(el) = inside(&r, selector) {
                        ev.prevent_default();
                        if key == "e" {
                            let _ = el.focus();
                        } else {
                            el.click();
                        }
                    }
                }
                _ => {}
            }
        });
        // The listener lives as long as the page.
        std::mem::forget(handle);
    }
}

#[component]
pub fn QuestionnaireReviewPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0));
    let filter = use_query_map().with_untracked(|q| RowFilter {
        decision: q.get("decision").unwrap_or_default(),
        sheet: q.get("sheet").unwrap_or_default(),
        state: q.get("state").unwrap_or_default(),
    });
    let filter = StoredValue::new(filter);
    view! {
        <AdminLayout title="Questionnaire">
            {move || Suspend::new(async move {
                let flash = load_flash("qn").await;
                let filter = filter.get_value();
                match qn_page(id, filter.clone()).await {
                    Ok(page) => {
                        let s = page.summary.clone();
                        let back = filter.query();
                        let processing = s.status == Status::Processing;
                        let refresh = processing.then(|| view! { <Meta http_equiv="refresh" content="2" /> });
                        let pct = if s.progress_total > 0 { s.progress_done * 100 / s.progress_total } else { 0 };
                        let status_view = match s.status {
                            Status::Processing => view! {
                                <div class="progress-block" role="status" data-test="progress">
                                    <p>{format!("Suggesting answers: {} of {} questions", s.progress_done, s.progress_total)}</p>
                                    <progress max=s.progress_total.to_string() value=s.progress_done.to_string()>{format!("{pct}%")}</progress>
                                    <p class="small muted">"This page refreshes itself until the suggestions are ready."</p>
                                </div>
                            }.into_any(),
                            Status::Failed => view! { <div class="alert alert-error" role="alert">{s.failure.clone().unwrap_or_else(|| "Suggestions could not be computed.".into())}</div> }.into_any(),
                            Status::Ready => view! {
                                <form method="post" action=format!("/admin/questionnaires/{id}/export") class="inline-form export-form">
                                    <button type="submit" class="button">"Download the answered file"</button>
                                    <span class="small muted">{format!(" {} answers will be written; rows needing a person stay empty.", s.counts.done)}</span>
                                </form>
                            }.into_any(),
                        };
                        let counts = &s.counts;
                        let sheets: Vec<_> = page.sheets.iter().map(|sh| sheet_panel(id, sh)).collect();
                        let sheet_options: Vec<_> = page.sheets.iter().filter(|sh| sh.rows > 0).map(|sh| {
                            view! { <option value=sh.index.to_string() selected=sh.index.to_string() == filter.sheet>{format!("{} ({})", sh.name, sh.rows)}</option> }
                        }).collect();
                        let decisions = [("", "Any"), ("auto", "Auto"), ("review", "Review"), ("none", "No answer")];
                        let states = [("", "Any"), ("open", "Needs a person"), ("done", "Done")];
                        let opts = |all: &[(&'static str, &'static str)], sel: &str| all.iter().map(|(v, l)| view! { <option value=*v selected=*v == sel>{*l}</option> }).collect::<Vec<_>>();
                        let shown = page.rows.len() as i64;
                        let cards: Vec<_> = page.rows.into_iter().map(|r| row_card(id, &back, r, &flash)).collect();
                        let details_err = |f: &str| flash.field_error(f).map(|m| view! { <p class="field-error">{m}</p> });
                        view! {
                            {refresh}
                            <p class="crumbs"><a href="/admin/questionnaires">"← Questionnaires"</a></p>
                            <h1>{s.title.clone()}</h1>
                            <p class="muted">
                                <a href=format!("/admin/companies/{}", s.company_id)>{s.company_name.clone()}</a>
                                {format!(" · {} · due {} · owner {}", s.file_name, s.due_on.clone().unwrap_or_else(|| "not set".into()), s.owner_name.clone().unwrap_or_else(|| "nobody yet".into()))}
                                {s.overdue.then(|| view! { " " <Badge tone="bad" text="Overdue" /> })}
                            </p>
                            <FlashMessages flash=flash.clone() />
                            {flash.fields.iter().filter(|f| !["title", "company_id", "due_on", "owner_id"].contains(&f.field.as_str())).map(|f| view! { <p class="field-error" role="alert">{f.message.clone()}</p> }).collect::<Vec<_>>()}
                            {status_view}
                            <p class="counts" data-test="counts">
                                {format!("{} questions · {} done · {} remaining", counts.total, counts.done, counts.remaining)}
                                <span class="small muted">{format!(" (suggested: {} auto, {} review, {} no answer)", counts.auto, counts.review, counts.none)}</span>
                            </p>
                            <section class="panel" aria-labelledby="sheets-title" id="sheets">
                                <h2 id="sheets-title">"Sheets and columns"</h2>
                                <p class="small muted">"What was detected on each sheet. Correct a header row or column and that sheet's questions are read again; decisions on unchanged rows are kept."</p>
                                {sheets}
                            </section>
                            <details class="panel">
                                <summary>"Title, company, due date, owner"</summary>
                                <form method="post" action=QnUpdate::url() class="form">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <div class="field"><label for="d-title">"Title"</label><input id="d-title" name="title" value=s.title.clone() />{details_err("title")}</div>
                                    <div class="field"><label for="d-company">"Company"</label><select id="d-company" name="company_id">{choices(&page.companies, Some(s.company_id))}</select>{details_err("company_id")}</div>
                                    <div class="field"><label for="d-due">"Due"</label><input id="d-due" type="date" name="due_on" value=s.due_on.clone().unwrap_or_default() />{details_err("due_on")}</div>
                                    <div class="field"><label for="d-owner">"Owner"</label><select id="d-owner" name="owner_id"><option value="">"Nobody yet"</option>{choices(&page.owners, s.owner_id)}</select>{details_err("owner_id")}</div>
                                    <button type="submit" class="button secondary small">"Save details"</button>
                                </form>
                            </details>
                            <form method="get" action=format!("/admin/questionnaires/{id}") class="filters" role="search">
                                <div class="field"><label for="f-decision">"Suggestion"</label><select id="f-decision" name="decision">{opts(&decisions, &filter.decision)}</select></div>
                                <div class="field"><label for="f-sheet">"Sheet"</label><select id="f-sheet" name="sheet"><option value="">"Any"</option>{sheet_options}</select></div>
                                <div class="field"><label for="f-state">"Status"</label><select id="f-state" name="state">{opts(&states, &filter.state)}</select></div>
                                <button type="submit" class="button secondary">"Show"</button>
                            </form>
                            <ReviewShortcuts />
                            <p>{if shown < page.matching { format!("Showing {shown} of {} questions; narrow the filters to see the rest.", page.matching) } else { format!("{shown} questions") }}</p>
                            <div class="qrows">{cards}</div>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </AdminLayout>
    }
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

#[component]
pub fn CompanyDetailPage() -> impl IntoView {
    let id = use_params_map().with_untracked(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()).unwrap_or(0));
    view! {
        <AdminLayout title="Company">
            {move || Suspend::new(async move {
                match company_detail(id).await {
                    Ok(page) => {
                        let qs: Vec<_> = page.questionnaires.iter().map(|q| view! {
                            <li><a href=format!("/admin/questionnaires/{}", q.id)>{q.title.clone()}</a> {format!(" · {} · due {}", progress(q), q.due_on.clone().unwrap_or_else(|| "not set".into()))}</li>
                        }).collect();
                        let rows = told_rows(&page.told, false);
                        view! {
                            <p class="crumbs"><a href="/admin/companies">"← Companies"</a></p>
                            <h1>{page.name.clone()}</h1>
                            <p class="muted">{page.domain.clone()}</p>
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
