//! Sales decide a request in review: the first decision wins.

use super::grants;
use super::mail_decision;
use crate::ssr::db::Tx;
use crate::{
    error::AppError,
    features::{
        access::model::RequestStatus,
        accounts::{
            model::{ProspectUser, StaffUser},
            server::staff_actor,
        },
    },
    ssr::{
        audit::{self, Event, Outcome},
        request_meta::RequestMeta,
        AppState,
    },
    types::{IsoDate, Timestamp},
};

/// A person's decision on a request.
pub enum Decision {
    /// Approve, possibly for fewer documents (by slug), until a date.
    Approve {
        documents: Vec<String>,
        expires_on: IsoDate,
        note: String,
    },
    Deny {
        note: String,
    },
}

/// Sales decide a request in review. The prospect is mailed either way.
pub async fn decide(
    state: &AppState,
    meta: &RequestMeta,
    staff: &StaffUser,
    request_id: i64,
    decision: Decision,
) -> Result<(), AppError> {
    // The request is read, checked and changed in one transaction, and the change is conditional
    // on the status read: of two people deciding at once, the first wins and the second is told.
    let now = Timestamp::now().0;
    let actor = staff_actor(staff);
    let mut tx = state.db.begin().await?;
    let row: Option<(i64, i64, String, i64, String, String, String)> = sqlx::query_as(
        "select r.prospect_id, r.company_id, r.status, p.id, p.email, p.name, p.company from access_requests r \
         join prospects p on p.id = r.prospect_id where r.id = $1",
    )
    .bind(request_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (prospect_id, company_id, status, _, email, name, company) = row.ok_or(AppError::NotFound)?;
    let prospect = ProspectUser { id: prospect_id, email, name, company };
    let status = RequestStatus::parse(&status).map_err(|e| AppError::internal("request status", e))?;
    let decidable: &[&str] = match (status, &decision) {
        (RequestStatus::PendingReview, Decision::Approve { .. }) => &["pending_review"],
        (RequestStatus::PendingReview | RequestStatus::PendingNda, Decision::Deny { .. }) => {
            &["pending_review", "pending_nda"]
        }
        (RequestStatus::PendingNda, Decision::Approve { .. }) => {
            return Err(AppError::invalid(
                "This request waits for the prospect to accept the NDA; it cannot be approved yet.",
            ))
        }
        _ => return Err(already_decided()),
    };
    let requested: Vec<(i64, String, String)> = sqlx::query_as(
        "select d.id, d.title, d.slug from access_request_documents rd join documents d on d.id = rd.document_id \
         where rd.request_id = $1",
    )
    .bind(request_id)
    .fetch_all(&mut *tx)
    .await?;
    match decision {
        Decision::Approve { documents, expires_on, note } => {
            let chosen: Vec<(i64, String)> = requested
                .into_iter()
                .filter(|(_, _, slug)| documents.contains(slug))
                .map(|(id, t, _)| (id, t))
                .collect();
            if chosen.is_empty() {
                return Err(AppError::field("documents", "Approve at least one of the requested documents, or deny."));
            }
            if expires_on <= IsoDate::today_utc() {
                return Err(AppError::field("expires_on", "The access must end after today."));
            }
            // Access ends at the end of the chosen day (UTC).
            let expires_at =
                time::OffsetDateTime::new_utc(expires_on.date(), time::Time::MIDNIGHT).unix_timestamp() + 86_399;
            settle_status(&mut tx, request_id, "approved", decidable, staff.id, now, &note).await?;
            let ids: Vec<i64> = chosen.iter().map(|(id, _)| *id).collect();
            let grant =
                grants::create(&mut tx, request_id, prospect.id, company_id, Some(staff.id), expires_at, &ids).await?;
            let titles: Vec<String> = chosen.into_iter().map(|(_, t)| t).collect();
            let event = Event {
                actor: &actor,
                event: "access.approved",
                object: format!("access_request:{request_id}"),
                outcome: Outcome::Success,
                details: serde_json::json!({ "grant_id": grant, "documents": titles, "expires_on": expires_on, "note": note }),
            };
            audit::record(&mut tx, meta, event).await?;
            mail_decision(state, &mut tx, &prospect, true, &titles, Some(expires_at), &note).await?;
        }
        Decision::Deny { note } => {
            settle_status(&mut tx, request_id, "denied", decidable, staff.id, now, &note).await?;
            let event = Event {
                actor: &actor,
                event: "access.denied",
                object: format!("access_request:{request_id}"),
                outcome: Outcome::Success,
                details: serde_json::json!({ "note": note }),
            };
            audit::record(&mut tx, meta, event).await?;
            let titles: Vec<String> = requested.into_iter().map(|(_, t, _)| t).collect();
            mail_decision(state, &mut tx, &prospect, false, &titles, None, &note).await?;
        }
    }
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(())
}

fn already_decided() -> AppError {
    AppError::invalid(
        "This request has already been decided (perhaps by a colleague a moment ago). Reload to see the decision.",
    )
}

/// Moves the request from one of the `from` statuses to `to`. The condition is in the update
/// itself, so a decision that raced another one changes nothing and is refused.
async fn settle_status(
    tx: &mut Tx,
    request_id: i64,
    to: &str,
    from: &[&str],
    staff_id: i64,
    now: i64,
    note: &str,
) -> Result<(), AppError> {
    let done = sqlx::query(
        "update access_requests set status = $1, decided_by = $2, decided_at = $3, decision_note = $4, updated_at = $3 \
         where id = $5 and (status = $6 or status = $7)",
    )
    .bind(to)
    .bind(staff_id)
    .bind(now)
    .bind(note)
    .bind(request_id)
    .bind(from[0])
    .bind(from.get(1).copied().unwrap_or(from[0]))
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        Err(already_decided())
    }
}
