//! One questionnaire's review page: status and export, counts, each sheet's mapping (which a
//! person may correct), the details form, the filters and one card per question.

use super::{choices, keyboard::ReviewShortcuts, row::row_card};
use crate::{
    components::{Badge, ErrorPanel},
    features::{
        accounts::views::AdminLayout,
        questionnaires::{
            api::{qn_page, QnMapping, QnUpdate},
            model::{Counts, RowFilter, SheetView, Status},
        },
    },
    forms::{load_flash, Flash, FlashMessages},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Meta;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The truth about the export before it happens: answers that will land in the file, rows left
/// blank on purpose, rows still waiting for a person.
fn will_be_written(c: &Counts) -> String {
    let answers = if c.to_write == 1 {
        "1 answer will be written".to_string()
    } else {
        format!("{} answers will be written", c.to_write)
    };
    let blank = match c.blank {
        0 => String::new(),
        1 => "; 1 row left blank".into(),
        n => format!("; {n} rows left blank"),
    };
    let open = match c.remaining {
        0 => String::new(),
        1 => "; 1 row needing a person stays empty".into(),
        n => format!("; {n} rows needing a person stay empty"),
    };
    format!(" {answers}{blank}{open}.")
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

/// One sheet's mapping, open again with what was typed after a refused correction of it.
fn sheet_panel(id: i64, sheet: &SheetView, flash: &Flash) -> impl IntoView {
    let mine = flash.value("sheet") == sheet.index.to_string();
    let typed_col =
        |field: &str, stored: Option<u32>| if mine { flash.value(field).trim().parse::<u32>().ok() } else { stored };
    let header =
        if mine { flash.value("header_row") } else { sheet.header_row.map(|h| h.to_string()).unwrap_or_default() };
    let errors: Vec<_> = ["header_row", "question_col", "answer_col", "comment_col"]
        .into_iter()
        .filter(|_| mine)
        .filter_map(|f| flash.field_error(f))
        .map(|e| view! { <p class="field-error" role="alert">{e}</p> })
        .collect();
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
        <details class="sheet-mapping" data-test-sheet=sheet.name.clone() open=mine>
            <summary><strong>{sheet.name.clone()}</strong> " — " {summary} {dropdown} {sheet.corrected.then_some(" (corrected)")}</summary>
            <form method="post" action=QnMapping::url() class="form-inline">
                <input type="hidden" name="id" value=id.to_string() />
                <input type="hidden" name="sheet" value=sheet.index.to_string() />
                <div class="field">
                    <label for=format!("map-{}-header", sheet.index)>"Header row"</label>
                    <input class="narrow-input" type="number" min="0" id=format!("map-{}-header", sheet.index) name="header_row" value=header />
                </div>
                {column_select(sheet, "question_col", "Questions", typed_col("question_col", sheet.question_col), true)}
                {column_select(sheet, "answer_col", "Answers", typed_col("answer_col", sheet.answer_col), true)}
                {column_select(sheet, "comment_col", "Comments", typed_col("comment_col", sheet.comment_col), true)}
                {errors}
                <button type="submit" class="button secondary small">"Save mapping"</button>
            </form>
        </details>
    }
}

/// The review page of the questionnaire in the address, with the reviewer's filters.
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
                                <form method="post" action=crate::paths::questionnaire_export(id) class="inline-form export-form">
                                    <button type="submit" class="button">"Download the answered file"</button>
                                    <span class="small muted" data-test="to-write">{will_be_written(&s.counts)}</span>
                                </form>
                                <form method="post" action=crate::features::questionnaires::api::QnComplete::url() class="inline-form">
                                    <input type="hidden" name="id" value=id.to_string() />
                                    <button type="submit" class="button secondary small">"Mark complete"</button>
                                    <span class="small muted">" A prospect who uploaded it themselves is told and may download it."</span>
                                </form>
                            }.into_any(),
                        };
                        let counts = &s.counts;
                        let sheets: Vec<_> = page.sheets.iter().map(|sh| sheet_panel(id, sh, &flash)).collect();
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
                            {flash.fields.iter().filter(|f| !["title", "company_id", "due_on", "owner_id", "header_row", "question_col", "answer_col", "comment_col"].contains(&f.field.as_str())).map(|f| view! { <p class="field-error" role="alert">{f.message.clone()}</p> }).collect::<Vec<_>>()}
                            {status_view}
                            <p class="counts" data-test="counts">
                                {format!("{} questions · {} done ({} left blank) · {} remaining", counts.total, counts.done, counts.blank, counts.remaining)}
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
