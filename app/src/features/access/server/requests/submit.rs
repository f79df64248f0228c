//! A prospect files a request, and it moves on its own as far as the rules and the NDA allow.

use super::{companies, restricted_documents, rules};
use super::{nda_state, outcome, settle, Filed};
use crate::ssr::db::Tx;
use crate::{
    error::AppError,
    features::{
        access::model::{NdaState, RequestStatus},
        accounts::{model::ProspectUser, server::prospect_actor},
        nda::server as nda,
    },
    ssr::{
        audit::{self, Event, Outcome},
        request_meta::RequestMeta,
        AppState,
    },
    types::{short_text, Timestamp},
};

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
    audit::record(&mut tx, meta, event).await?;
    let filed = Filed { id: request_id, company_id, doc_ids: &doc_ids, titles: &titles, reason: &reason, nda: &nda };
    settle(state, &mut tx, meta, prospect, &filed, status).await?;
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(status)
}

/// After the prospect accepts the NDA (inside the acceptance's transaction): each of their
/// requests waiting for it moves on under the current rules.
pub async fn continue_after_nda(
    state: &AppState,
    tx: &mut Tx,
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
        let filed = Filed { id: request_id, company_id, doc_ids: &ids, titles: &titles, reason: &reason, nda: &nda };
        settle(state, tx, meta, prospect, &filed, status).await?;
        statuses.push(status);
    }
    Ok(statuses)
}
