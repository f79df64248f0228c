//! A prospect asks to keep access longer: a new request for the same documents, back in the queue.

use super::{nda_state, notify_sales, Filed};
use crate::{
    error::AppError,
    features::{
        access::model::{NdaState, RequestStatus},
        accounts::{model::ProspectUser, server::prospect_actor},
    },
    ssr::{
        audit::{self, Event, Outcome},
        request_meta::RequestMeta,
        AppState,
    },
    types::Timestamp,
};

/// The prospect asks to keep access to a grant's documents for longer: a new request for the
/// same documents, back in the queue.
pub async fn request_extension(
    state: &AppState,
    meta: &RequestMeta,
    prospect: &ProspectUser,
    grant_id: i64,
    reason: &str,
) -> Result<RequestStatus, AppError> {
    let grant: Option<(i64, Option<i64>)> =
        sqlx::query_as("select company_id, revoked_at from grants where id = $1 and prospect_id = $2")
            .bind(grant_id)
            .bind(prospect.id)
            .fetch_optional(state.db.pool())
            .await?;
    let (company_id, revoked_at) = grant.ok_or(AppError::NotFound)?;
    if revoked_at.is_some() {
        return Err(AppError::invalid("Revoked access cannot be extended; please make a new request."));
    }
    let (open,): (i64,) = sqlx::query_as(
        "select count(*) from access_requests where extends_grant_id = $1 and status in ('pending_nda', 'pending_review')",
    )
    .bind(grant_id)
    .fetch_one(state.db.pool())
    .await?;
    if open > 0 {
        return Err(AppError::invalid("An extension for this access is already waiting for review."));
    }
    let reason = if reason.trim().is_empty() {
        "Extension of existing access".to_string()
    } else {
        reason.trim().chars().take(1000).collect()
    };
    let nda = nda_state(state, prospect.id, company_id).await?;
    let status =
        if matches!(nda, NdaState::Needed { .. }) { RequestStatus::PendingNda } else { RequestStatus::PendingReview };
    let docs: Vec<(i64, String)> = sqlx::query_as(
        "select d.id, d.title from grant_documents gd join documents d on d.id = gd.document_id where gd.grant_id = $1",
    )
    .bind(grant_id)
    .fetch_all(state.db.pool())
    .await?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let (request_id,): (i64,) = sqlx::query_as(
        "insert into access_requests (prospect_id, company_id, kind, extends_grant_id, requester_role, reason, status, \
         created_at, updated_at) values ($1, $2, 'extension', $3, '', $4, $5, $6, $6) returning id",
    )
    .bind(prospect.id)
    .bind(company_id)
    .bind(grant_id)
    .bind(&reason)
    .bind(status.code())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for (id, _) in &docs {
        sqlx::query("insert into access_request_documents (request_id, document_id) values ($1, $2)")
            .bind(request_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let actor = prospect_actor(prospect);
    let event = Event {
        actor: &actor,
        event: "access.extension_requested",
        object: format!("grant:{grant_id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "request_id": request_id, "status": status.code() }),
    };
    audit::record(&mut tx, meta, event).await?;
    if status == RequestStatus::PendingReview {
        let doc_ids: Vec<i64> = docs.iter().map(|(id, _)| *id).collect();
        let titles: Vec<String> = docs.into_iter().map(|(_, t)| t).collect();
        let filed =
            Filed { id: request_id, company_id, doc_ids: &doc_ids, titles: &titles, reason: &reason, nda: &nda };
        notify_sales(state, &mut tx, prospect, &filed).await?;
    }
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(status)
}
