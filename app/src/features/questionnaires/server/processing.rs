//! Computing suggestions in the background: the rows without a verdict, a batch at a time so
//! the page can show progress, until every row has one; and restarting that after a restart.
//!
//! A job is claimed with a lease (`claimed_by`, `lease_until`), renewed after every batch: with
//! several instances on one database exactly one computes a questionnaire, and a job whose
//! instance died is taken over by another once its lease has run out (see [`resume`], which every
//! instance runs at start-up and then every minute).

use super::records::Scored;
use crate::{error::AppError, ssr::AppState, types::Timestamp};
use std::collections::HashMap;

/// Questions sent to the engine at once (progress moves after each batch).
const BATCH: i64 = 32;
/// What the engine reads of a very long question.
const MAX_QUERY: usize = answers::kb::MAX_QUESTION;

/// How long a claim on a job lasts without renewal; a batch takes seconds.
const LEASE_SECONDS: i64 = 90;

/// Computes the missing suggestions in the background, if this instance can claim the job; a
/// failure is logged and shown on the questionnaire's page.
pub fn spawn_processing(state: AppState, id: i64) {
    tokio::spawn(async move {
        let lease = match claim(&state, id).await {
            Ok(Some(lease)) => lease,
            Ok(None) => return,
            Err(err) => {
                tracing::error!(questionnaire = id, error = %err, "could not claim a suggestion job");
                return;
            }
        };
        let result = process(&state, id, &lease).await;
        state.metrics.suggestion_job(match result {
            Ok(true) => "finished",
            Ok(false) => "taken_over",
            Err(_) => "failed",
        });
        if let Err(err) = result {
            tracing::error!(questionnaire = id, error = %err, "suggesting answers for a questionnaire failed");
            // Only while this task holds the job: a task that lost it must not fail the new holder's.
            let _ = sqlx::query(
                "update questionnaires set status = 'failed', failure = $1, lease_until = 0, updated_at = $2 \
                 where id = $3 and claimed_by = $4",
            )
            .bind("Suggestions could not be computed; try again, or ask an administrator to check the server log.")
            .bind(Timestamp::now().0)
            .bind(id)
            .bind(&lease)
            .execute(state.db.pool())
            .await;
        }
    });
}

/// Takes over jobs nobody holds: interrupted by a restart or a crash of whichever instance had
/// them (their lease has run out). Returns how many it found; each is claimed by one instance.
pub async fn resume(state: &AppState) -> Result<usize, AppError> {
    let ids: Vec<(i64,)> =
        sqlx::query_as("select id from questionnaires where status = 'processing' and lease_until < $1")
            .bind(Timestamp::now().0)
            .fetch_all(state.db.pool())
            .await?;
    for (id,) in &ids {
        spawn_processing(state.clone(), *id);
    }
    Ok(ids.len())
}

/// Claims job `id` when nobody holds a live lease on it: one statement, so of tasks racing for it
/// exactly one wins. The lease is this instance's id and a token of this claim, so two tasks of
/// one instance (a sweep finding a job whose batch overran the lease) are told apart too.
async fn claim(state: &AppState, id: i64) -> Result<Option<String>, AppError> {
    let now = Timestamp::now().0;
    let lease = format!("{}:{}", state.instance_id, crate::ssr::tokens::request_id());
    let claimed = sqlx::query(
        "update questionnaires set claimed_by = $1, lease_until = $2 \
         where id = $3 and status = 'processing' and lease_until < $4",
    )
    .bind(&lease)
    .bind(now + LEASE_SECONDS)
    .bind(id)
    .bind(now)
    .execute(state.db.pool())
    .await?;
    Ok((claimed.rows_affected() == 1).then_some(lease))
}

/// Extends `lease` on job `id`; `false` when it was lost (taken over after a stall).
async fn renew(state: &AppState, id: i64, lease: &str) -> Result<bool, AppError> {
    let renewed = sqlx::query(
        "update questionnaires set lease_until = $1 where id = $2 and claimed_by = $3 and status = 'processing'",
    )
    .bind(Timestamp::now().0 + LEASE_SECONDS)
    .bind(id)
    .bind(lease)
    .execute(state.db.pool())
    .await?;
    Ok(renewed.rows_affected() == 1)
}

/// Suggests for every row without a verdict; `false` when the lease was lost midway.
async fn process(state: &AppState, id: i64, lease: &str) -> Result<bool, AppError> {
    loop {
        if !renew(state, id, lease).await? {
            tracing::warn!(questionnaire = id, "another instance took over this suggestion job");
            return Ok(false);
        }
        let batch: Vec<(i64, String)> = sqlx::query_as(
            "select id, question from questionnaire_rows where questionnaire_id = $1 and decision is null order by id limit $2",
        )
        .bind(id)
        .bind(BATCH)
        .fetch_all(state.db.pool())
        .await?;
        if batch.is_empty() {
            let done = sqlx::query(
                "update questionnaires set status = 'ready', failure = null, lease_until = 0, updated_at = $2 \
                 where id = $1 and \
                 not exists (select 1 from questionnaire_rows r where r.questionnaire_id = $1 and r.decision is null)",
            )
            .bind(id)
            .bind(Timestamp::now().0)
            .execute(state.db.pool())
            .await?;
            if done.rows_affected() == 1 {
                break;
            }
            // Rows were added meanwhile (a new mapping, whose own claim found this lease live):
            // they are this task's too.
            continue;
        }
        let questions: Vec<String> = batch.iter().map(|(_, q)| q.chars().take(MAX_QUERY).collect()).collect();
        let (_, out) = state.knowledge.suggest(&state.db, questions).await?;
        let ids: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>("select external_id, id from kb_entries")
            .fetch_all(state.db.pool())
            .await?
            .into_iter()
            .collect();
        let mut tx = state.db.begin().await?;
        for ((row_id, _), s) in batch.iter().zip(out) {
            // Stored by database id: an entry's external id may be changed later.
            let scored: Vec<Scored> = s
                .suggestions
                .iter()
                .filter_map(|x| Some(Scored { entry_id: *ids.get(&x.kb_id)?, score: x.score }))
                .collect();
            sqlx::query(
                "update questionnaire_rows set decision = $1, suggestions = $2 where id = $3 and decision is null",
            )
            .bind(s.decision.as_str())
            .bind(serde_json::to_string(&scored).unwrap_or_else(|_| "[]".into()))
            .bind(row_id)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "update questionnaires set progress_done = (select count(*) from questionnaire_rows where questionnaire_id = $1 and decision is not null), \
             updated_at = $2 where id = $1",
        )
        .bind(id)
        .bind(Timestamp::now().0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    // Ready and released in one statement: rows a new mapping adds later are claimed at once.
    Ok(true)
}
