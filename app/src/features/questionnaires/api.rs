//! Server functions for questionnaires (security staff) and the company page (any staff).

use super::model::{CompanyPage, QuestionnaireListPage, QuestionnairePage, RowFilter};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    features::accounts::{model::StaffRole, server::staff_actor},
    ssr::{
        app_state,
        auth::{require_role, require_staff},
        forms::{finish, pressed, FormSpec},
        request_meta::RequestMeta,
    },
};

/// The review page's address with the reviewer's filters, at a row.
pub fn review_path(id: i64, back: &str, row: Option<i64>) -> String {
    let mut filter = RowFilter::default();
    for pair in back.trim_start_matches('?').split('&') {
        match pair.split_once('=') {
            Some(("decision", v)) => filter.decision = v.to_string(),
            Some(("sheet", v)) => filter.sheet = v.to_string(),
            Some(("state", v)) => filter.state = v.to_string(),
            _ => {}
        }
    }
    let query = filter.query();
    let query = if query.is_empty() { String::new() } else { format!("?{query}") };
    let anchor = row.map(|r| format!("#row-{r}")).unwrap_or_default();
    format!("/admin/questionnaires/{id}{query}{anchor}")
}

/// Security: every questionnaire with its progress and counts.
#[server(prefix = "/api", endpoint = "qn_list")]
pub async fn qn_list() -> Result<QuestionnaireListPage, AppError> {
    require_role(StaffRole::Security)?;
    super::server::list(&app_state()?.db).await
}

/// Security: one questionnaire, its sheets and the rows the filter keeps.
#[server(prefix = "/api", endpoint = "qn_page")]
pub async fn qn_page(id: i64, filter: RowFilter) -> Result<QuestionnairePage, AppError> {
    require_role(StaffRole::Security)?;
    super::server::page(&app_state()?, id, &filter).await
}

/// Security: fill a row from a knowledge-base entry (a suggestion, or any entry by id);
/// `keep_wording` "yes" also keeps the row's question as a phrasing of the entry.
#[server(prefix = "/api", endpoint = "qn_accept")]
pub async fn qn_accept(
    id: i64,
    row: i64,
    entry: String,
    back: Option<String>,
    keep_wording: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let back = back.unwrap_or_default();
    let spec = FormSpec { name: "qn", page: review_path(id, &back, Some(row)).into() };
    let state = app_state()?;
    let keep = keep_wording.as_deref() == Some("yes");
    let result =
        super::server::accept(&state, &RequestMeta::current(), &staff_actor(&staff), id, row, &entry, keep).await;
    let next = match &result {
        Ok(()) => super::server::next_open(&state, id, row).await.unwrap_or(None),
        Err(_) => None,
    };
    finish(&spec, &[("entry", entry.as_str())], result, |_| Some((review_path(id, &back, next.or(Some(row))), None)))
        .await
}

/// Security: a person's own answer, optionally saved to the knowledge base as a draft.
#[server(prefix = "/api", endpoint = "qn_write")]
pub async fn qn_write(
    id: i64,
    row: i64,
    short_answer: String,
    answer: String,
    save_draft: Option<String>,
    back: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let back = back.unwrap_or_default();
    let spec = FormSpec { name: "qn", page: review_path(id, &back, Some(row)).into() };
    let state = app_state()?;
    let save = pressed(&save_draft);
    let result = super::server::write(
        &state,
        &RequestMeta::current(),
        &staff_actor(&staff),
        id,
        row,
        super::server::Written { short: &short_answer, text: &answer, save_draft: save },
    )
    .await;
    let next = match &result {
        Ok(_) => super::server::next_open(&state, id, row).await.unwrap_or(None),
        Err(_) => None,
    };
    let values = [("row", row.to_string()), ("short_answer", short_answer.clone()), ("answer", answer.clone())];
    let values: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
    finish(&spec, &values, result, |draft| {
        let notice = draft.map(|d| {
            (
                "qn",
                format!(
                    "Answer saved, and added to the knowledge base as a draft (entry {d}) for its owner to approve."
                ),
            )
        });
        Some((review_path(id, &back, next.or(Some(row))), notice))
    })
    .await
    .map(|_| ())
}

/// Security: leave a row blank on purpose (`skip`) or undo a decision (`reopen`).
#[server(prefix = "/api", endpoint = "qn_row_state")]
pub async fn qn_row_state(id: i64, row: i64, action: String, back: Option<String>) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let back = back.unwrap_or_default();
    let spec = FormSpec { name: "qn", page: review_path(id, &back, Some(row)).into() };
    let state = app_state()?;
    let result =
        super::server::set_row_state(&state, &RequestMeta::current(), &staff_actor(&staff), id, row, &action).await;
    let next = match (&result, action.as_str()) {
        (Ok(()), "skip") => super::server::next_open(&state, id, row).await.unwrap_or(None),
        _ => None,
    };
    finish(&spec, &[], result, |_| Some((review_path(id, &back, next.or(Some(row))), None))).await
}

#[cfg(feature = "ssr")]
fn column(text: &str, name: &str) -> Result<Option<u32>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => t.parse::<u32>().map(Some).map_err(|_| AppError::field(name, "Choose a column from the list.")),
    }
}

/// Security: correct a sheet's header row and columns; its questions are read again.
#[server(prefix = "/api", endpoint = "qn_mapping")]
pub async fn qn_mapping(
    id: i64,
    sheet: i64,
    header_row: String,
    question_col: String,
    answer_col: String,
    comment_col: String,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let spec = FormSpec { name: "qn", page: format!("/admin/questionnaires/{id}#sheets").into() };
    let parsed = (|| {
        let header = match header_row.trim() {
            "" | "0" => None,
            t => Some(
                t.parse::<u32>().ok().filter(|n| *n >= 1).ok_or_else(|| {
                    AppError::field("header_row", "The header row is a row number, or empty for none.")
                })? - 1,
            ),
        };
        Ok::<_, AppError>(answers::book::Mapping {
            header_row: header,
            question: column(&question_col, "question_col")?,
            answer: column(&answer_col, "answer_col")?,
            comment: column(&comment_col, "comment_col")?,
        })
    })();
    let result = match parsed {
        Ok(mapping) => {
            super::server::set_mapping(&app_state()?, &RequestMeta::current(), &staff_actor(&staff), id, sheet, mapping)
                .await
        }
        Err(e) => Err(e),
    };
    let sheet_text = sheet.to_string();
    let values = [
        ("sheet", sheet_text.as_str()),
        ("header_row", header_row.as_str()),
        ("question_col", question_col.as_str()),
        ("answer_col", answer_col.as_str()),
        ("comment_col", comment_col.as_str()),
    ];
    finish(&spec, &values, result, |count| {
        Some((
            format!("/admin/questionnaires/{id}"),
            Some(("qn", format!("Mapping saved: {count} questions on that sheet."))),
        ))
    })
    .await
    .map(|_| ())
}

/// Security: title, company, due date and owner.
#[server(prefix = "/api", endpoint = "qn_update")]
pub async fn qn_update(
    id: i64,
    title: String,
    company_id: String,
    due_on: Option<String>,
    owner_id: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let spec = FormSpec { name: "qn", page: format!("/admin/questionnaires/{id}").into() };
    let input = super::server::UploadInput {
        title: title.clone(),
        company_id: company_id.clone(),
        due_on: due_on.clone().unwrap_or_default(),
        owner_id: owner_id.clone().unwrap_or_default(),
        ..Default::default()
    };
    let result =
        super::server::update_details(&app_state()?, &RequestMeta::current(), &staff_actor(&staff), id, &input).await;
    let values = [("title", title.as_str()), ("due_on", input.due_on.as_str())];
    finish(&spec, &values, result, |_| {
        Some((format!("/admin/questionnaires/{id}"), Some(("qn", "Details saved.".into()))))
    })
    .await
}

/// Any staff: a company's questionnaires and every answer it was sent.
#[server(prefix = "/api", endpoint = "company_detail")]
pub async fn company_detail(id: i64) -> Result<CompanyPage, AppError> {
    require_staff()?;
    super::server::company_page(&app_state()?.db, id).await
}

/// A prospect: their own questionnaires, and whether they may upload one.
#[server(prefix = "/api", endpoint = "my_questionnaires")]
pub async fn my_questionnaires() -> Result<super::model::SelfServe, AppError> {
    let prospect = crate::ssr::auth::require_prospect()?;
    super::server::self_serve_overview(&app_state()?, &prospect).await
}

/// Security: marks a questionnaire complete (a prospect who uploaded it is mailed and may
/// download it).
#[server(prefix = "/api", endpoint = "qn_complete")]
pub async fn qn_complete(id: i64) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let spec = FormSpec { name: "qn", page: format!("/admin/questionnaires/{id}").into() };
    let result = super::server::complete(&app_state()?, &RequestMeta::current(), &staff_actor(&staff), id).await;
    finish(&spec, &[], result, |_| {
        Some((format!("/admin/questionnaires/{id}"), Some(("qn", "Marked complete.".into()))))
    })
    .await
}
