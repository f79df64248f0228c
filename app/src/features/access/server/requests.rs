//! Access requests: from the prospect's form through the NDA and the rules to a decision.
//!
//! ```text
//!  submit ──deny rule──────────────────────────────▶ denied
//!    │
//!    ├─ NDA needed ─▶ pending_nda ──NDA accepted──┐
//!    │                                            ▼
//!    └─────────────────────────────▶ auto-approve rule? ──yes──▶ approved (grant)
//!                                                  │no
//!                                                  ▼
//!                                           pending_review ──sales──▶ approved | denied
//! ```

use super::{companies, grants, restricted_documents, rules};
use crate::{
    error::AppError,
    features::{
        access::{
            domain::RuleAction,
            model::{NdaState, RequestStatus},
        },
        accounts::{
            model::{ProspectUser, StaffUser},
            server::{compose_mail, prospect_actor, staff_actor},
        },
        nda::server as nda,
    },
    ssr::{
        audit::{self, Actor, Event, Outcome},
        mail,
        request_meta::RequestMeta,
        AppState,
    },
    types::{short_text, IsoDate, Timestamp},
};
use sqlx::{Any, Transaction};

/// How the prospect stands with the NDA, for their company, today.
pub async fn nda_state(state: &AppState, prospect_id: i64, company_id: i64) -> Result<NdaState, AppError> {
    if let Some(until) = companies::mnda_until(&state.db, company_id, IsoDate::today_utc()).await? {
        return Ok(NdaState::CoveredByMnda { until });
    }
    let Some(current) = nda::current(&state.db).await? else { return Ok(NdaState::NoneConfigured) };
    Ok(if nda::has_accepted_current(&state.db, prospect_id).await? {
        NdaState::Accepted { version: current.version }
    } else {
        NdaState::Needed { version: current.version }
    })
}

/// The outcome for a request whose NDA question is settled (or not), under the current rules.
fn outcome(action: RuleAction, nda: &NdaState) -> RequestStatus {
    match action {
        RuleAction::Deny => RequestStatus::Denied,
        _ if matches!(nda, NdaState::Needed { .. }) => RequestStatus::PendingNda,
        // Without a published NDA nothing is approved automatically.
        RuleAction::AutoApprove if nda.is_satisfied() => RequestStatus::Approved,
        _ => RequestStatus::PendingReview,
    }
}

/// What the prospect typed.
pub struct NewRequest {
    pub documents: Vec<String>,
    pub role: String,
    pub reason: String,
}

/// Files a request and moves it as far as it can go on its own. Returns its status.
pub async fn submit(
    state: &AppState,
    meta: &RequestMeta,
    prospect: &ProspectUser,
    new: NewRequest,
) -> Result<RequestStatus, AppError> {
    let role = short_text(&new.role, "role", 120);
    let reason = short_text(&new.reason, "reason", 1000);
    let documents = if new.documents.is_empty() {
        Err(AppError::field("documents", "Choose at least one document."))
    } else {
        restricted_documents(&state.db, &new.documents).await
    };
    let (role, reason, documents) = match (role, reason, documents) {
        (Ok(r), Ok(why), Ok(d)) => (r, why, d),
        (r, why, d) => {
            let mut fields = Vec::new();
            if let Err(m) = r {
                fields.push(("role", m));
            }
            if let Err(m) = why {
                fields.push(("reason", m));
            }
            if let Err(AppError::Invalid { fields: f, .. }) = d {
                fields.extend(f.into_iter().map(|f| ("documents", f.message)));
            }
            return Err(crate::forms::field_errors(fields));
        }
    };
    let domain = prospect.email.rsplit('@').next().unwrap_or_default().to_string();
    let mut tx = state.db.begin().await?;
    let company_id = companies::ensure_for_prospect(&mut tx, prospect).await?;
    tx.commit().await?;
    let (action, rule_id) = rules::decide(&state.db, &domain).await?;
    let nda = nda_state(state, prospect.id, company_id).await?;
    let status = outcome(action, &nda);
    let doc_ids: Vec<i64> = documents.iter().map(|(id, _)| *id).collect();
    let titles: Vec<String> = documents.iter().map(|(_, t)| t.clone()).collect();

    let mut tx = state.db.begin().await?;
    let now = Timestamp::now().0;
    let (request_id,): (i64,) = sqlx::query_as(
        "insert into access_requests (prospect_id, company_id, requester_role, reason, status, rule_id, decided_at, \
         decision_note, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning id",
    )
    .bind(prospect.id)
    .bind(company_id)
    .bind(&role)
    .bind(&reason)
    .bind(status.code())
    .bind(rule_id)
    .bind(matches!(status, RequestStatus::Approved | RequestStatus::Denied).then_some(now))
    .bind(if status == RequestStatus::Denied { "Denied by an access rule." } else { "" })
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    for id in &doc_ids {
        sqlx::query("insert into access_request_documents (request_id, document_id) values ($1, $2)")
            .bind(request_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let actor = prospect_actor(prospect);
    let event = Event {
        actor: &actor,
        event: "access.requested",
        object: format!("access_request:{request_id}"),
        outcome: if status == RequestStatus::Denied { Outcome::Denied } else { Outcome::Success },
        details: serde_json::json!({ "status": status.code(), "rule_id": rule_id, "rule_action": action.code(),
            "documents": titles, "nda": nda }),
    };
    audit::record(&mut tx, state.db.backend(), meta, event).await?;
    settle(state, &mut tx, meta, prospect, request_id, company_id, status, &doc_ids, &titles, &reason, &nda).await?;
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(status)
}

/// The mails and grant that follow a request reaching `status` without a person deciding.
#[allow(clippy::too_many_arguments)]
async fn settle(
    state: &AppState,
    tx: &mut Transaction<'static, Any>,
    meta: &RequestMeta,
    prospect: &ProspectUser,
    request_id: i64,
    company_id: i64,
    status: RequestStatus,
    doc_ids: &[i64],
    titles: &[String],
    reason: &str,
    nda: &NdaState,
) -> Result<(), AppError> {
    match status {
        RequestStatus::Approved => {
            let days = rules::default_access_days(&state.db).await?;
            let expires = Timestamp::now().0 + days * 86_400;
            let grant = grants::create(tx, request_id, prospect.id, company_id, None, expires, doc_ids).await?;
            let actor = Actor::system();
            let event = Event {
                actor: &actor,
                event: "access.auto_approved",
                object: format!("access_request:{request_id}"),
                outcome: Outcome::Success,
                details: serde_json::json!({ "grant_id": grant, "expires_at": expires }),
            };
            audit::record(tx, state.db.backend(), meta, event).await?;
            mail_decision(state, tx, prospect, true, titles, Some(expires), "").await
        }
        RequestStatus::Denied => mail_decision(state, tx, prospect, false, titles, None, "").await,
        RequestStatus::PendingReview => {
            let link = state.config.base_url.join("/account");
            let received = compose_mail(
                state,
                "request_received",
                &prospect.email,
                &prospect.name,
                serde_json::json!({ "documents": titles, "link": link }),
            )
            .await?;
            mail::enqueue(tx, &received).await?;
            notify_sales(state, tx, prospect, request_id, titles, reason, nda).await
        }
        RequestStatus::PendingNda => Ok(()),
    }
}

async fn mail_decision(
    state: &AppState,
    tx: &mut Transaction<'static, Any>,
    prospect: &ProspectUser,
    approved: bool,
    titles: &[String],
    expires_at: Option<i64>,
    note: &str,
) -> Result<(), AppError> {
    let vars = serde_json::json!({
        "documents": titles,
        "note": note,
        "expires_on": expires_at.map(|e| Timestamp(e).date().long()).unwrap_or_default(),
        "link": state.config.base_url.join("/account"),
    });
    let template = if approved { "access_granted" } else { "access_denied" };
    let mail = compose_mail(state, template, &prospect.email, &prospect.name, vars).await?;
    mail::enqueue(tx, &mail).await?;
    Ok(())
}

/// Mails everyone who handles requests (sales; admins if there is no sales person).
async fn notify_sales(
    state: &AppState,
    tx: &mut Transaction<'static, Any>,
    prospect: &ProspectUser,
    request_id: i64,
    titles: &[String],
    reason: &str,
    nda: &NdaState,
) -> Result<(), AppError> {
    let mut recipients: Vec<(String, String)> = sqlx::query_as(
        "select u.email, u.name from staff_users u join staff_roles r on r.staff_id = u.id \
         where r.role = 'sales' and u.active = 1 order by u.id",
    )
    .fetch_all(state.db.pool())
    .await?;
    if recipients.is_empty() {
        recipients = sqlx::query_as(
            "select u.email, u.name from staff_users u join staff_roles r on r.staff_id = u.id \
             where r.role = 'admin' and u.active = 1 order by u.id",
        )
        .fetch_all(state.db.pool())
        .await?;
    }
    let vars = serde_json::json!({
        "requester": prospect.name, "requester_email": prospect.email, "company_name": prospect.company,
        "documents": titles, "reason": reason, "status": nda.label(),
        "link": state.config.base_url.join(&format!("/admin/requests/{request_id}")),
    });
    for (email, name) in recipients {
        let mail = compose_mail(state, "request_for_sales", &email, &name, vars.clone()).await?;
        mail::enqueue(tx, &mail).await?;
    }
    Ok(())
}

/// After the prospect accepts the NDA (inside the acceptance's transaction): each of their
/// requests waiting for it moves on under the current rules.
pub async fn continue_after_nda(
    state: &AppState,
    tx: &mut Transaction<'static, Any>,
    meta: &RequestMeta,
    prospect: &ProspectUser,
) -> Result<Vec<RequestStatus>, AppError> {
    let waiting: Vec<(i64, i64, String)> = sqlx::query_as(
        "select id, company_id, reason from access_requests where prospect_id = $1 and status = 'pending_nda' order by id",
    )
    .bind(prospect.id)
    .fetch_all(&mut **tx)
    .await?;
    let domain = prospect.email.rsplit('@').next().unwrap_or_default().to_string();
    let mut statuses = Vec::new();
    for (request_id, company_id, reason) in waiting {
        let (action, rule_id) = rules::decide(&state.db, &domain).await?;
        // The NDA was just accepted (in this transaction, not yet visible to other connections).
        let nda = NdaState::Accepted { version: nda::current(&state.db).await?.map(|c| c.version).unwrap_or(0) };
        let status = outcome(action, &nda);
        let docs: Vec<(i64, String)> = sqlx::query_as(
            "select d.id, d.title from access_request_documents rd join documents d on d.id = rd.document_id where rd.request_id = $1",
        )
        .bind(request_id)
        .fetch_all(&mut **tx)
        .await?;
        let now = Timestamp::now().0;
        sqlx::query(
            "update access_requests set status = $1, rule_id = $2, decided_at = $3, updated_at = $4 where id = $5",
        )
        .bind(status.code())
        .bind(rule_id)
        .bind(matches!(status, RequestStatus::Approved | RequestStatus::Denied).then_some(now))
        .bind(now)
        .bind(request_id)
        .execute(&mut **tx)
        .await?;
        let ids: Vec<i64> = docs.iter().map(|(id, _)| *id).collect();
        let titles: Vec<String> = docs.into_iter().map(|(_, t)| t).collect();
        settle(state, tx, meta, prospect, request_id, company_id, status, &ids, &titles, &reason, &nda).await?;
        statuses.push(status);
    }
    Ok(statuses)
}

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
            audit::record(&mut tx, state.db.backend(), meta, event).await?;
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
            audit::record(&mut tx, state.db.backend(), meta, event).await?;
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
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
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
    audit::record(&mut tx, state.db.backend(), meta, event).await?;
    if status == RequestStatus::PendingReview {
        let titles: Vec<String> = docs.into_iter().map(|(_, t)| t).collect();
        notify_sales(state, &mut tx, prospect, request_id, &titles, &reason, &nda).await?;
    }
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestStatus::*;

    #[test]
    fn rules_and_the_nda_decide_together() {
        let accepted = NdaState::Accepted { version: 1 };
        let needed = NdaState::Needed { version: 1 };
        let mnda = NdaState::CoveredByMnda { until: IsoDate::parse("2030-01-01").unwrap() };
        assert_eq!(outcome(RuleAction::Deny, &accepted), Denied);
        assert_eq!(outcome(RuleAction::Deny, &needed), Denied, "denial needs no NDA");
        assert_eq!(outcome(RuleAction::AutoApprove, &needed), PendingNda);
        assert_eq!(outcome(RuleAction::AutoApprove, &accepted), Approved);
        assert_eq!(outcome(RuleAction::AutoApprove, &mnda), Approved);
        assert_eq!(outcome(RuleAction::Review, &mnda), PendingReview);
        assert_eq!(outcome(RuleAction::Review, &needed), PendingNda);
        assert_eq!(outcome(RuleAction::AutoApprove, &NdaState::NoneConfigured), PendingReview);
    }
}
