//! Computing suggestions in the background: the rows without a verdict, a batch at a time so
//! the page can show progress, until every row has one; and restarting that after a restart.

use super::records::Scored;
use crate::{error::AppError, ssr::AppState, types::Timestamp};
use std::collections::HashMap;

/// Questions sent to the engine at once (progress moves after each batch).
const BATCH: i64 = 32;
/// What the engine reads of a very long question.
const MAX_QUERY: usize = answers::kb::MAX_QUESTION;

/// Computes the missing suggestions in the background; a failure is logged and shown on the
/// questionnaire's page.
pub fn spawn_processing(state: AppState, id: i64) {
    tokio::spawn(async move {
        if let Err(err) = process(&state, id).await {
            tracing::error!(questionnaire = id, error = %err, "suggesting answers for a questionnaire failed");
            let _ = sqlx::query(
                "update questionnaires set status = 'failed', failure = $1, updated_at = $2 where id = $3",
            )
            .bind("Suggestions could not be computed; try again, or ask an administrator to check the server log.")
            .bind(Timestamp::now().0)
            .bind(id)
            .execute(state.db.pool())
            .await;
        }
    });
}

/// Restarts processing interrupted by a restart. Returns how many questionnaires it restarted.
pub async fn resume(state: &AppState) -> Result<usize, AppError> {
    let ids: Vec<(i64,)> =
        sqlx::query_as("select id from questionnaires where status = 'processing'").fetch_all(state.db.pool()).await?;
    for (id,) in &ids {
        spawn_processing(state.clone(), *id);
    }
    Ok(ids.len())
}

async fn process(state: &AppState, id: i64) -> Result<(), AppError> {
    loop {
        let batch: Vec<(i64, String)> = sqlx::query_as(
            "select id, question from questionnaire_rows where questionnaire_id = $1 and decision is null order by id limit $2",
        )
        .bind(id)
        .bind(BATCH)
        .fetch_all(state.db.pool())
        .await?;
        if batch.is_empty() {
            break;
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
            sqlx::query("update questionnaire_rows set decision = $1, suggestions = $2 where id = $3")
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
    sqlx::query(
        "update questionnaires set status = 'ready', failure = null, updated_at = $2 where id = $1 and \
         not exists (select 1 from questionnaire_rows r where r.questionnaire_id = $1 and r.decision is null)",
    )
    .bind(id)
    .bind(Timestamp::now().0)
    .execute(state.db.pool())
    .await?;
    Ok(())
}
