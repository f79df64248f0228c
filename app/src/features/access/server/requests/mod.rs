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

mod decide;
mod extension;
mod submit;

pub use decide::{decide, Decision};
pub use extension::request_extension;
pub use submit::{continue_after_nda, submit, NewRequest};

use super::{companies, grants, restricted_documents, rules};
use crate::ssr::db::Tx;
use crate::{
    error::AppError,
    features::{
        access::{
            domain::RuleAction,
            model::{NdaState, RequestStatus},
        },
        accounts::{model::ProspectUser, server::compose_mail},
        nda::server as nda,
    },
    ssr::{
        audit::{self, Actor, Event, Outcome},
        mail,
        request_meta::RequestMeta,
        AppState,
    },
    types::{IsoDate, Timestamp},
};

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

/// A filed request, as what follows it needs it.
struct Filed<'a> {
    id: i64,
    company_id: i64,
    doc_ids: &'a [i64],
    titles: &'a [String],
    reason: &'a str,
    nda: &'a NdaState,
}

/// The mails and grant that follow a request reaching `status` without a person deciding.
async fn settle(
    state: &AppState,
    tx: &mut Tx,
    meta: &RequestMeta,
    prospect: &ProspectUser,
    filed: &Filed<'_>,
    status: RequestStatus,
) -> Result<(), AppError> {
    let (request_id, titles) = (filed.id, filed.titles);
    match status {
        RequestStatus::Approved => {
            let days = rules::default_access_days(&state.db).await?;
            let expires = Timestamp::now().0 + days * 86_400;
            let grant =
                grants::create(tx, request_id, prospect.id, filed.company_id, None, expires, filed.doc_ids).await?;
            let actor = Actor::system();
            let event = Event {
                actor: &actor,
                event: "access.auto_approved",
                object: format!("access_request:{request_id}"),
                outcome: Outcome::Success,
                details: serde_json::json!({ "grant_id": grant, "expires_at": expires }),
            };
            audit::record(tx, meta, event).await?;
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
            notify_sales(state, tx, prospect, filed).await
        }
        RequestStatus::PendingNda => Ok(()),
    }
}

async fn mail_decision(
    state: &AppState,
    tx: &mut Tx,
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
    tx: &mut Tx,
    prospect: &ProspectUser,
    filed: &Filed<'_>,
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
        "documents": filed.titles, "reason": filed.reason, "status": filed.nda.label(),
        "link": state.config.base_url.join(&format!("/admin/requests/{}", filed.id)),
    });
    for (email, name) in recipients {
        let mail = compose_mail(state, "request_for_sales", &email, &name, vars.clone()).await?;
        mail::enqueue(tx, &mail).await?;
    }
    Ok(())
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
