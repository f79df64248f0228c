//! Staff pages: the questionnaires list with the upload form (`list`); one questionnaire's
//! review (`review`: sheet mappings, filters, counts, one card per question from `row` with
//! its suggestions and actions, keyboard shortcuts from `keyboard`); a company's page with
//! what it was told (`company`).

mod company;
mod keyboard;
mod list;
mod review;
mod row;
mod self_serve;

pub use company::{CompanyDetailPage, ToldCompanies};
pub use keyboard::ReviewShortcuts;
pub use list::QuestionnairesPage;
pub use review::QuestionnaireReviewPage;
pub use self_serve::SelfServeSection;

use super::model::{QuestionnaireSummary, Status};
use leptos::prelude::*;

/// A questionnaire's progress in a few words.
fn progress(s: &QuestionnaireSummary) -> String {
    match s.status {
        Status::Processing => format!("Suggesting answers: {} of {}", s.progress_done, s.progress_total),
        Status::Failed => "Failed".into(),
        Status::Ready => format!("{} done · {} to review", s.counts.done, s.counts.remaining),
    }
}

/// `<option>`s for (id, name) pairs, `selected` chosen.
fn choices(all: &[(i64, String)], selected: Option<i64>) -> Vec<impl IntoView> {
    all.iter()
        .map(|(id, name)| view! { <option value=id.to_string() selected=Some(*id) == selected>{name.clone()}</option> })
        .collect()
}
