//! Server functions for the knowledge base (security and admin staff).

use super::{
    forms::EntryInput,
    model::{HygieneReport, KbEntryPage, KbFilter, KbListPage, LearnBatch, TryResult},
};
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    features::accounts::{model::StaffRole, server::staff_actor},
    forms::Echo,
    ssr::{
        app_state,
        auth::require_role,
        forms::{finish, FormSpec},
        request_meta::RequestMeta,
    },
};

/// Security: the entries, filtered and searched.
#[server(prefix = "/api", endpoint = "kb_list")]
pub async fn kb_list(filter: KbFilter) -> Result<KbListPage, AppError> {
    require_role(StaffRole::Security)?;
    super::server::list(&app_state()?, &filter).await
}

/// Security: one entry (or a blank one, `id` none) with its history and the possible owners.
#[server(prefix = "/api", endpoint = "kb_entry")]
pub async fn kb_entry(id: Option<i64>) -> Result<KbEntryPage, AppError> {
    require_role(StaffRole::Security)?;
    let state = app_state()?;
    let today = crate::types::IsoDate::today_utc();
    let entry = match id {
        Some(id) => Some(super::server::get(&state.db, id, &today).await?),
        None => None,
    };
    let history = match id {
        Some(id) => super::server::history(&state.db, id).await?,
        None => Vec::new(),
    };
    let categories = super::server::all(&state.db, &today)
        .await?
        .into_iter()
        .map(|e| e.category)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let told = match id {
        Some(id) => crate::features::questionnaires::server::told_about_entry(&state.db, id).await?,
        None => Vec::new(),
    };
    let phrasings = match id {
        Some(id) => super::server::learn::phrasings(&state.db, id).await?,
        None => Vec::new(),
    };
    Ok(KbEntryPage { entry, history, owners: super::server::owners(&state.db).await?, categories, told, phrasings })
}

/// Security: creates (`id` none) or saves an entry.
#[server(prefix = "/api", endpoint = "kb_save")]
pub async fn kb_save(id: Option<i64>, #[server(flatten)] form: EntryInput) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let page = match id {
        Some(id) => format!("/admin/kb/{id}"),
        None => "/admin/kb/new".to_string(),
    };
    let spec = FormSpec { name: "kb_entry", page: page.into() };
    let result = super::server::save(&app_state()?, &RequestMeta::current(), &staff_actor(&staff), id, &form).await;
    let typed = form.typed();
    let values: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    finish(&spec, &values, result, |saved| {
        Some((format!("/admin/kb/{saved}"), Some(("kb_entry", "Entry saved.".into()))))
    })
    .await
    .map(|_| ())
}

/// Security: marks an entry reviewed today, approves a draft, or retires an entry.
#[server(prefix = "/api", endpoint = "kb_set_state")]
pub async fn kb_set_state(id: i64, action: String) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let spec = FormSpec { name: "kb_entry", page: format!("/admin/kb/{id}").into() };
    let result =
        super::server::set_state(&app_state()?, &RequestMeta::current(), &staff_actor(&staff), id, &action).await;
    let notice = match action.as_str() {
        "reviewed" => "Marked reviewed today.",
        "approve" => "Approved: the entry can now be suggested.",
        _ => "Retired: the entry is no longer suggested.",
    };
    finish(&spec, &[], result, |_| Some((format!("/admin/kb/{id}"), Some(("kb_entry", notice.into()))))).await
}

/// Security: near-duplicates, conflicting answers and stale entries.
#[server(prefix = "/api", endpoint = "kb_hygiene")]
pub async fn kb_hygiene() -> Result<HygieneReport, AppError> {
    require_role(StaffRole::Security)?;
    super::server::hygiene(&app_state()?).await
}

/// Security: what the engine would suggest for a question.
#[server(prefix = "/api", endpoint = "kb_try")]
pub async fn kb_try(question: String) -> Result<TryResult, AppError> {
    require_role(StaffRole::Security)?;
    super::server::try_question(&app_state()?, &question).await
}

/// Security: an answered questionnaire read for learning, with each row's proposal.
#[server(prefix = "/api", endpoint = "kb_learn_batch")]
pub async fn kb_learn_batch(id: i64) -> Result<LearnBatch, AppError> {
    require_role(StaffRole::Security)?;
    super::server::learn::batch(&app_state()?.db, id).await
}

/// Security: accepts or rejects one pending row of a learning batch (`row`), or every one.
#[server(prefix = "/api", endpoint = "kb_learn_decide")]
pub async fn kb_learn_decide(batch: i64, row: Option<i64>, accept: bool) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let state = app_state()?;
    let meta = RequestMeta::current();
    let actor = staff_actor(&staff);
    let acting = super::server::Acting { db: &state.db, meta: &meta, actor: &actor };
    let page = format!("/admin/kb/learn/{batch}");
    let spec = FormSpec { name: "kb_learn", page: page.clone().into() };
    let rows = row.map(|r| vec![r]);
    let result = super::server::learn::decide(&acting, batch, rows.as_deref(), accept).await;
    if let Ok((learned, public)) = &result {
        if learned.phrasings + learned.drafts > 0 {
            crate::ssr::signals::changed(&state, crate::ssr::signals::Signal::Knowledge).await;
        }
        if *public {
            crate::ssr::signals::changed(&state, crate::ssr::signals::Signal::PublicPage).await;
        }
    }
    finish(&spec, &[], result, |(l, _)| {
        let notice = if accept {
            format!("Learned {} phrasings and {} draft entries ({} already known).", l.phrasings, l.drafts, l.known)
        } else {
            format!("Rejected {}.", l.rejected)
        };
        Some((page.clone(), Some(("kb_learn", notice))))
    })
    .await
    .map(|_| ())
}

/// Security: removes a learned phrasing from an entry.
#[server(prefix = "/api", endpoint = "kb_remove_phrasing")]
pub async fn kb_remove_phrasing(entry: i64, id: i64) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let state = app_state()?;
    let meta = RequestMeta::current();
    let actor = staff_actor(&staff);
    let acting = super::server::Acting { db: &state.db, meta: &meta, actor: &actor };
    let spec = FormSpec { name: "kb_entry", page: format!("/admin/kb/{entry}").into() };
    let result = super::server::learn::remove_phrasing(&acting, entry, id).await;
    if result.is_ok() {
        crate::ssr::signals::changed(&state, crate::ssr::signals::Signal::Knowledge).await;
    }
    finish(&spec, &[], result, |_| Some((format!("/admin/kb/{entry}"), Some(("kb_entry", "Phrasing removed.".into())))))
        .await
        .map(|_| ())
}
