//! Self-serve questionnaires: a prospect with an active grant who accepted the current NDA
//! uploads their own questionnaire from their account page. It is stored for their company like
//! one staff upload (due in [`DUE_IN_DAYS`]), so automatic answers are filled at once from entries
//! a buyer may read (approved, current, not internal) and the rest waits in the staff review
//! queue. The prospect follows its progress and downloads the filled file once staff complete it
//! (or at once, automatic answers only so far, where the installation allows); every answer in a
//! download is recorded as told to the company.

use super::{
    export::{export, Exported},
    import::create,
    outcome::final_answer,
    records::{entries_by_id, get_q, rows_of},
    Acting, UploadInput,
};
use crate::{
    error::AppError,
    features::{
        accounts::server::prospect_actor,
        nda::server as nda,
        questionnaires::model::{SelfServe, SelfServeItem, Status},
    },
    identity::ProspectUser,
    ssr::{audit::Actor, db::Db, request_meta::RequestMeta, AppState},
    types::{IsoDate, Timestamp},
};

/// A self-serve questionnaire is due this many days after upload.
pub const DUE_IN_DAYS: i64 = 10;
/// Uploads one prospect may make in a day.
pub const MAX_PER_DAY: i64 = 5;

/// The company a prospect may upload for: that of their newest active grant, if they also
/// accepted the current NDA; otherwise why not, in words for them.
async fn company_of(db: &Db, prospect_id: i64) -> Result<Result<i64, &'static str>, AppError> {
    let grant: Option<(i64,)> = sqlx::query_as(
        "select company_id from grants where prospect_id = $1 and revoked_at is null and expires_at > $2 \
         order by expires_at desc limit 1",
    )
    .bind(prospect_id)
    .bind(Timestamp::now().0)
    .fetch_optional(db.pool())
    .await?;
    let Some((company,)) = grant else {
        return Ok(Err("Questionnaires can be uploaded once your access to our security documents is approved."));
    };
    if !nda::has_accepted_current(db, prospect_id).await? {
        return Ok(Err("Accept the current NDA first: the answers are shared under it."));
    }
    Ok(Ok(company))
}

/// The prospect's section: whether they may upload, and their questionnaires, newest first.
pub async fn overview(state: &AppState, prospect: &ProspectUser) -> Result<SelfServe, AppError> {
    let eligible = company_of(&state.db, prospect.id).await?;
    let ids: Vec<(i64,)> =
        sqlx::query_as("select id from questionnaires where prospect_id = $1 order by id desc limit 20")
            .bind(prospect.id)
            .fetch_all(state.db.pool())
            .await?;
    let entries = entries_by_id(&state.db).await?;
    let mut items = Vec::with_capacity(ids.len());
    for (id,) in ids {
        let q = get_q(&state.db, id).await?;
        let rows = rows_of(&state.db, id).await?;
        let answered = rows.iter().filter(|r| final_answer(r, &entries).is_some()).count() as i64;
        let completed: Option<(Option<i64>,)> = sqlx::query_as("select completed_at from questionnaires where id = $1")
            .bind(id)
            .fetch_optional(state.db.pool())
            .await?;
        items.push(SelfServeItem {
            id,
            title: q.title,
            file_name: q.file_name,
            status: Status::parse(&q.status).map_err(|e| AppError::internal("a stored questionnaire", e))?,
            answered,
            total: rows.len() as i64,
            due_on: q.due_on,
            completed: completed.and_then(|(c,)| c).is_some(),
        });
    }
    Ok(SelfServe {
        eligible: eligible.is_ok(),
        reason: eligible.err().unwrap_or_default().to_string(),
        drafts_allowed: state.config.self_serve_drafts,
        items,
    })
}

/// Stores the prospect's questionnaire for their company. Returns its id.
pub async fn upload(
    state: &AppState,
    meta: &RequestMeta,
    prospect: &ProspectUser,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<i64, AppError> {
    let company = company_of(&state.db, prospect.id).await?.map_err(AppError::invalid)?;
    let (recent,): (i64,) =
        sqlx::query_as("select count(*) from questionnaires where prospect_id = $1 and created_at > $2")
            .bind(prospect.id)
            .bind(Timestamp::now().0 - 24 * 3600)
            .fetch_one(state.db.pool())
            .await?;
    if recent >= MAX_PER_DAY {
        return Err(AppError::invalid(format!(
            "You have uploaded {MAX_PER_DAY} questionnaires today; please wait until tomorrow or write to us."
        )));
    }
    let input = UploadInput {
        company_id: company.to_string(),
        due_on: IsoDate::today_utc().add_days(DUE_IN_DAYS).to_string(),
        prospect_id: Some(prospect.id),
        ..Default::default()
    };
    create(state, meta, &prospect_actor(prospect), file_name, bytes, &input).await
}

/// The prospect's questionnaire `id`, filled, for download: theirs only, while they still have
/// access, once staff completed it (or at once where drafts are allowed). Anything else is
/// "not found" or says why.
pub async fn download(
    state: &AppState,
    meta: &RequestMeta,
    prospect: &ProspectUser,
    id: i64,
) -> Result<Exported, AppError> {
    let owner: Option<(Option<i64>, Option<i64>)> =
        sqlx::query_as("select prospect_id, completed_at from questionnaires where id = $1")
            .bind(id)
            .fetch_optional(state.db.pool())
            .await?;
    let (owner, completed) = owner.ok_or(AppError::NotFound)?;
    if owner != Some(prospect.id) {
        return Err(AppError::NotFound);
    }
    company_of(&state.db, prospect.id).await?.map_err(AppError::invalid)?;
    if completed.is_none() && !state.config.self_serve_drafts {
        return Err(AppError::invalid(
            "The security team has not completed it yet; you will get an e-mail when they do.",
        ));
    }
    export(state, meta, &prospect_actor(prospect), id).await
}

/// Staff mark a prospect's questionnaire complete; the prospect is mailed that it is ready.
pub async fn complete(state: &AppState, meta: &RequestMeta, actor: &Actor, id: i64) -> Result<(), AppError> {
    let row: Option<(Option<i64>, Option<i64>, String)> =
        sqlx::query_as("select prospect_id, completed_at, title from questionnaires where id = $1")
            .bind(id)
            .fetch_optional(state.db.pool())
            .await?;
    let (prospect, completed, title) = row.ok_or(AppError::NotFound)?;
    if completed.is_some() {
        return Err(AppError::invalid("It is already complete."));
    }
    let recipient: Option<(String, String)> = match prospect {
        Some(p) => {
            sqlx::query_as("select email, name from prospects where id = $1")
                .bind(p)
                .fetch_optional(state.db.pool())
                .await?
        }
        None => None,
    };
    let mail = match &recipient {
        Some((email, name)) => Some(
            crate::features::accounts::server::compose_mail(
                state,
                "questionnaire_ready",
                email,
                name,
                serde_json::json!({ "title": title, "link": format!("{}/account", state.config.base_url.as_str().trim_end_matches('/')) }),
            )
            .await?,
        ),
        None => None,
    };
    let mut tx = state.db.begin().await?;
    let done = sqlx::query(
        "update questionnaires set completed_at = $1, completed_by = $2 where id = $3 and completed_at is null",
    )
    .bind(Timestamp::now().0)
    .bind(&actor.label)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::invalid("It is already complete."));
    }
    if let Some(mail) = &mail {
        crate::ssr::mail::enqueue(&mut tx, mail).await?;
    }
    let details = serde_json::json!({ "prospect": recipient.as_ref().map(|r| r.0.clone()) });
    Acting { state, meta, actor }.log(&mut tx, "questionnaire.completed", id, details).await?;
    tx.commit().await?;
    Ok(())
}
