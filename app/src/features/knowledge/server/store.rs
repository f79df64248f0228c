//! Writing `kb_entries` inside a caller's transaction: the checks that need the database (the
//! owner exists, the id is free) and insert / update, each adding its version to the history.

use super::{history, validation::ValidEntry, Tx};
use crate::{error::AppError, types::Timestamp};

/// Refuses an owner who is not an active staff member.
pub(super) async fn check_owner(tx: &mut Tx, owner: Option<i64>) -> Result<(), AppError> {
    if let Some(owner) = owner {
        let found: Option<(i64,)> = sqlx::query_as("select id from staff_users where id = $1 and active = 1")
            .bind(owner)
            .fetch_optional(&mut **tx)
            .await?;
        if found.is_none() {
            return Err(AppError::field("owner_id", "Choose an owner from the list."));
        }
    }
    Ok(())
}

/// Whether another entry than `except` has `external_id`.
pub(super) async fn id_taken(tx: &mut Tx, external_id: &str, except: Option<i64>) -> Result<bool, AppError> {
    let found: Option<(i64,)> = sqlx::query_as("select id from kb_entries where external_id = $1")
        .bind(external_id)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some_and(|(id,)| Some(id) != except))
}

/// Adds an entry at version 1. Returns its id.
pub(super) async fn insert(tx: &mut Tx, v: &ValidEntry, actor: &str, change: &str) -> Result<i64, AppError> {
    let now = Timestamp::now().0;
    let (id,): (i64,) = sqlx::query_as(
        "insert into kb_entries (external_id, question, alternatives, short_answer, explanation, category, tags, \
         owner_id, status, visibility, last_reviewed_on, review_interval_days, version, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13) returning id",
    )
    .bind(&v.external_id)
    .bind(&v.question)
    .bind(v.alternatives.join("\n"))
    .bind(&v.short_answer)
    .bind(&v.explanation)
    .bind(&v.category)
    .bind(v.tags.join(";"))
    .bind(v.owner_id)
    .bind(v.status.code())
    .bind(v.visibility.code())
    .bind(v.last_reviewed_on.map(|d| d.to_string()))
    .bind(v.review_interval_days)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    history::add(tx, id, 1, actor, change, v).await?;
    Ok(id)
}

/// Stores `v` as version `version` of entry `id`.
pub(super) async fn update(
    tx: &mut Tx,
    id: i64,
    version: i64,
    v: &ValidEntry,
    actor: &str,
    change: &str,
) -> Result<(), AppError> {
    sqlx::query(
        "update kb_entries set external_id = $1, question = $2, alternatives = $3, short_answer = $4, explanation = $5, \
         category = $6, tags = $7, owner_id = $8, status = $9, visibility = $10, last_reviewed_on = $11, \
         review_interval_days = $12, version = $13, updated_at = $14 where id = $15",
    )
    .bind(&v.external_id)
    .bind(&v.question)
    .bind(v.alternatives.join("\n"))
    .bind(&v.short_answer)
    .bind(&v.explanation)
    .bind(&v.category)
    .bind(v.tags.join(";"))
    .bind(v.owner_id)
    .bind(v.status.code())
    .bind(v.visibility.code())
    .bind(v.last_reviewed_on.map(|d| d.to_string()))
    .bind(v.review_interval_days)
    .bind(version)
    .bind(Timestamp::now().0)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    history::add(tx, id, version, actor, change, v).await
}
