//! What prospects and sales see: the prospect's page, the request form, the queue.

use super::{grants, requests::nda_state, rules};
use crate::{
    error::AppError,
    features::{
        access::model::{
            DownloadSummary, GrantState, ProspectDashboard, QueueItem, RequestDetail, RequestFormData, RequestStatus,
            RequestSummary,
        },
        accounts::model::ProspectUser,
        documents::{model::Visibility, server as docs},
        nda::server as nda,
    },
    ssr::{db::Db, AppState},
    types::{IsoDate, Timestamp},
};
use sqlx::FromRow;

#[derive(FromRow)]
struct RequestRow {
    id: i64,
    kind: String,
    status: String,
    requester_role: String,
    reason: String,
    decision_note: String,
    created_at: i64,
    decided_at: Option<i64>,
    grant_expires_at: Option<i64>,
    grant_revoked_at: Option<i64>,
}

async fn summarise(db: &Db, rows: Vec<RequestRow>) -> Result<Vec<RequestSummary>, AppError> {
    let mut out = Vec::with_capacity(rows.len());
    let now = Timestamp::now().0;
    for r in rows {
        let titles: Vec<(String,)> = sqlx::query_as(
            "select d.title from access_request_documents rd join documents d on d.id = rd.document_id \
             where rd.request_id = $1 order by d.position",
        )
        .bind(r.id)
        .fetch_all(db.pool())
        .await?;
        out.push(RequestSummary {
            id: r.id,
            kind: r.kind,
            status: RequestStatus::parse(&r.status).map_err(|e| AppError::internal("request status", e))?,
            documents: titles.into_iter().map(|(t,)| t).collect(),
            requester_role: r.requester_role,
            reason: r.reason,
            decision_note: r.decision_note,
            created_at: Timestamp(r.created_at),
            decided_at: r.decided_at.map(Timestamp),
            access: match (r.grant_revoked_at, r.grant_expires_at) {
                (Some(at), _) => Some((GrantState::Revoked, Timestamp(at))),
                (None, Some(at)) if at <= now => Some((GrantState::Expired, Timestamp(at))),
                (None, Some(at)) => Some((GrantState::Active, Timestamp(at))),
                (None, None) => None,
            },
        });
    }
    Ok(out)
}

/// The requests with the grant each led to, if any (one grant per approved request).
const REQUESTS: &str = "select id, kind, status, requester_role, reason, decision_note, created_at, decided_at, \
     (select max(g.expires_at) from grants g where g.request_id = access_requests.id) as grant_expires_at, \
     (select max(g.revoked_at) from grants g where g.request_id = access_requests.id) as grant_revoked_at \
     from access_requests";

/// A prospect's requests, newest first, with their documents' titles.
pub async fn requests_of(db: &Db, prospect_id: i64) -> Result<Vec<RequestSummary>, AppError> {
    let rows: Vec<RequestRow> =
        sqlx::query_as(&format!("{REQUESTS} where prospect_id = $1 order by created_at desc, id desc"))
            .bind(prospect_id)
            .fetch_all(db.pool())
            .await?;
    summarise(db, rows).await
}

/// A company's requests, newest first, each with its requester's e-mail address.
pub async fn requests_of_company(db: &Db, company_id: i64) -> Result<Vec<(String, RequestSummary)>, AppError> {
    let rows: Vec<RequestRow> =
        sqlx::query_as(&format!("{REQUESTS} where company_id = $1 order by created_at desc, id desc"))
            .bind(company_id)
            .fetch_all(db.pool())
            .await?;
    let who: Vec<(i64, String)> = sqlx::query_as(
        "select r.id, p.email from access_requests r join prospects p on p.id = r.prospect_id where r.company_id = $1",
    )
    .bind(company_id)
    .fetch_all(db.pool())
    .await?;
    let who: std::collections::HashMap<i64, String> = who.into_iter().collect();
    Ok(summarise(db, rows).await?.into_iter().map(|r| (who.get(&r.id).cloned().unwrap_or_default(), r)).collect())
}

/// The prospect's downloads (the downloads table arrives with the download feature; until then
/// the history is empty).
pub async fn downloads_of(db: &Db, prospect_id: i64) -> Result<Vec<DownloadSummary>, AppError> {
    crate::features::downloads::server::of_prospect(db, prospect_id).await
}

async fn company_of(db: &Db, prospect_id: i64) -> Result<Option<i64>, AppError> {
    let row: Option<(Option<i64>,)> = sqlx::query_as("select company_id from prospects where id = $1")
        .bind(prospect_id)
        .fetch_optional(db.pool())
        .await?;
    Ok(row.and_then(|r| r.0))
}

/// Everything on the prospect's own page: their NDA standing (through their company's MNDA when
/// they have a company), requests, grants, acceptances and downloads.
pub async fn prospect_dashboard(state: &AppState, prospect: &ProspectUser) -> Result<ProspectDashboard, AppError> {
    let nda = match company_of(&state.db, prospect.id).await? {
        Some(company) => nda_state(state, prospect.id, company).await?,
        None => match nda::current(&state.db).await? {
            Some(current) if nda::has_accepted_current(&state.db, prospect.id).await? => {
                crate::features::access::model::NdaState::Accepted { version: current.version }
            }
            Some(current) => crate::features::access::model::NdaState::Needed { version: current.version },
            None => crate::features::access::model::NdaState::NoneConfigured,
        },
    };
    Ok(ProspectDashboard {
        name: prospect.name.clone(),
        email: prospect.email.clone(),
        company: prospect.company.clone(),
        nda,
        requests: requests_of(&state.db, prospect.id).await?,
        grants: grants::for_prospect(&state.db, prospect.id).await?,
        acceptances: nda::acceptances_of(&state.db, prospect.id).await?,
        downloads: downloads_of(&state.db, prospect.id).await?,
    })
}

/// The request form for `slug` (or `all`).
pub async fn request_form(state: &AppState, prospect: &ProspectUser, slug: &str) -> Result<RequestFormData, AppError> {
    let all = docs::list_with_ids(&state.db).await?;
    let restricted: Vec<_> = all.into_iter().filter(|(_, d)| d.visibility == Visibility::Restricted).collect();
    if slug != "all" && !restricted.iter().any(|(_, d)| d.slug == slug) {
        return Err(AppError::NotFound);
    }
    let granted = grants::granted_document_ids(&state.db, prospect.id).await?;
    let already_granted =
        restricted.iter().filter(|(id, _)| granted.contains(id)).map(|(_, d)| d.slug.clone()).collect();
    let preselected = restricted
        .iter()
        .filter(|(id, d)| (slug == "all" || d.slug == slug) && !granted.contains(id))
        .map(|(_, d)| d.slug.clone())
        .collect();
    let open_requests = requests_of(&state.db, prospect.id)
        .await?
        .into_iter()
        .filter(|r| matches!(r.status, RequestStatus::PendingNda | RequestStatus::PendingReview))
        .collect();
    Ok(RequestFormData {
        documents: restricted.into_iter().map(|(_, d)| d).collect(),
        preselected,
        already_granted,
        open_requests,
        company: prospect.company.clone(),
    })
}

#[derive(FromRow)]
struct QueueRow {
    id: i64,
    prospect_id: i64,
    name: String,
    email: String,
    company_id: i64,
    company_name: String,
    domain: String,
}

async fn queue_item(state: &AppState, row: QueueRow, request: RequestSummary) -> Result<QueueItem, AppError> {
    Ok(QueueItem {
        nda: nda_state(state, row.prospect_id, row.company_id).await?,
        request,
        requester_name: row.name,
        requester_email: row.email,
        company_id: row.company_id,
        company_name: row.company_name,
        free_mail: super::personal::is_personal(&row.domain),
        company_domain: row.domain,
    })
}

const QUEUE: &str = "select r.id, r.prospect_id, p.name, p.email, r.company_id, c.name as company_name, c.domain \
     from access_requests r join prospects p on p.id = r.prospect_id join companies c on c.id = r.company_id";

/// Open requests (oldest first), then the latest decisions.
pub async fn queue(state: &AppState) -> Result<(Vec<QueueItem>, Vec<QueueItem>), AppError> {
    let mut open = Vec::new();
    let mut recent = Vec::new();
    let rows: Vec<QueueRow> = sqlx::query_as(&format!(
        "{QUEUE} where r.status in ('pending_review', 'pending_nda') order by case r.status when 'pending_review' then 0 else 1 end, r.created_at"
    ))
    .fetch_all(state.db.pool())
    .await?;
    for row in rows {
        let request = requests_by_ids(&state.db, &[row.id]).await?.remove(0);
        open.push(queue_item(state, row, request).await?);
    }
    let rows: Vec<QueueRow> = sqlx::query_as(&format!(
        "{QUEUE} where r.status in ('approved', 'denied') order by r.decided_at desc limit 20"
    ))
    .fetch_all(state.db.pool())
    .await?;
    for row in rows {
        let request = requests_by_ids(&state.db, &[row.id]).await?.remove(0);
        recent.push(queue_item(state, row, request).await?);
    }
    Ok((open, recent))
}

async fn requests_by_ids(db: &Db, ids: &[i64]) -> Result<Vec<RequestSummary>, AppError> {
    let mut rows = Vec::new();
    for id in ids {
        let row: RequestRow =
            sqlx::query_as(&format!("{REQUESTS} where id = $1")).bind(id).fetch_one(db.pool()).await?;
        rows.push(row);
    }
    summarise(db, rows).await
}

/// One request with what sales need: the documents, the company's history.
pub async fn detail(state: &AppState, request_id: i64) -> Result<RequestDetail, AppError> {
    let row: QueueRow = sqlx::query_as(&format!("{QUEUE} where r.id = $1"))
        .bind(request_id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    let company_id = row.company_id;
    let request = requests_by_ids(&state.db, &[request_id]).await?.remove(0);
    let item = queue_item(state, row, request).await?;
    let doc_ids: Vec<(i64,)> = sqlx::query_as("select document_id from access_request_documents where request_id = $1")
        .bind(request_id)
        .fetch_all(state.db.pool())
        .await?;
    let documents = docs::list_with_ids(&state.db)
        .await?
        .into_iter()
        .filter(|(id, _)| doc_ids.iter().any(|(d,)| d == id))
        .map(|(_, d)| d)
        .collect();
    let history: Vec<(i64, String)> = sqlx::query_as(
        "select r.id, p.name from access_requests r join prospects p on p.id = r.prospect_id \
         where r.company_id = $1 and r.id <> $2 order by r.created_at desc",
    )
    .bind(company_id)
    .bind(request_id)
    .fetch_all(state.db.pool())
    .await?;
    let ids: Vec<i64> = history.iter().map(|(id, _)| *id).collect();
    let summaries = requests_by_ids(&state.db, &ids).await?;
    let company_requests = history.into_iter().map(|(_, name)| name).zip(summaries).collect();
    let company_downloads = crate::features::downloads::server::of_company(&state.db, company_id).await?;
    let days = rules::default_access_days(&state.db).await?;
    Ok(RequestDetail {
        item,
        documents,
        company_requests,
        company_downloads,
        default_expiry: IsoDate::today_utc().add_days(days),
    })
}
