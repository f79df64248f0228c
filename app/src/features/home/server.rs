//! The staff home's queries: each list is read only for a role that acts on it.

use super::model::{FailedMail, GrantEnding, QuestionnaireDue, RequestWaiting, StaffHome, StaleEntry, Waiting, SHOWN};
use crate::{
    error::AppError,
    features::{knowledge, questionnaires},
    identity::{StaffRole, StaffUser},
    ssr::{db::Db, AppState},
    types::{IsoDate, Timestamp},
};

/// How far ahead "this week" looks, for grants ending and questionnaires due.
const WEEK_DAYS: i64 = 7;

/// The work waiting for `staff`.
pub async fn home(state: &AppState, staff: &StaffUser) -> Result<StaffHome, AppError> {
    let db = &state.db;
    let now = Timestamp::now().0;
    let today = IsoDate::today_utc();
    let sales = staff.has(StaffRole::Sales);
    let security = staff.has(StaffRole::Security);
    Ok(StaffHome {
        name: staff.name.clone(),
        roles: staff.roles.clone(),
        requests: if sales { Some(requests(db).await?) } else { None },
        expiring: if sales { Some(expiring(db, now).await?) } else { None },
        stale_entries: if security { Some(stale_entries(db, &today).await?) } else { None },
        questionnaires: if security { Some(questionnaires_due(db, staff.id, &today).await?) } else { None },
        failed_mail: if staff.has(StaffRole::Admin) { Some(failed_mail(db).await?) } else { None },
    })
}

fn waiting<T>(items: Vec<T>) -> Waiting<T> {
    let total = items.len() as i64;
    Waiting { total, items: items.into_iter().take(SHOWN).collect() }
}

async fn requests(db: &Db) -> Result<Waiting<RequestWaiting>, AppError> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "select r.id, p.email, c.name, r.created_at from access_requests r join prospects p on p.id = r.prospect_id \
         join companies c on c.id = r.company_id where r.status = 'pending_review' order by r.created_at, r.id",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(waiting(
        rows.into_iter()
            .map(|(id, requester, company, since)| RequestWaiting { id, requester, company, since: Timestamp(since) })
            .collect(),
    ))
}

async fn expiring(db: &Db, now: i64) -> Result<Waiting<GrantEnding>, AppError> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "select g.request_id, p.email, c.name, g.expires_at from grants g join prospects p on p.id = g.prospect_id \
         join companies c on c.id = g.company_id \
         where g.revoked_at is null and g.expires_at > $1 and g.expires_at <= $2 order by g.expires_at, g.id",
    )
    .bind(now)
    .bind(now + WEEK_DAYS * 86_400)
    .fetch_all(db.pool())
    .await?;
    Ok(waiting(
        rows.into_iter()
            .map(|(request_id, prospect, company, ends)| GrantEnding {
                request_id,
                prospect,
                company,
                ends: Timestamp(ends),
            })
            .collect(),
    ))
}

async fn stale_entries(db: &Db, today: &IsoDate) -> Result<Waiting<StaleEntry>, AppError> {
    let mut stale: Vec<_> = knowledge::server::all(db, today).await?.into_iter().filter(|e| e.stale).collect();
    // Longest overdue first; an entry never reviewed has no date and comes first of all.
    stale.sort_by(|a, b| a.review_due_on.cmp(&b.review_due_on).then(a.id.cmp(&b.id)));
    Ok(waiting(
        stale
            .into_iter()
            .map(|e| StaleEntry {
                id: e.id,
                external_id: e.external_id,
                question: e.question,
                due_on: e.review_due_on,
                owner: e.owner_name,
            })
            .collect(),
    ))
}

async fn questionnaires_due(db: &Db, me: i64, today: &IsoDate) -> Result<Waiting<QuestionnaireDue>, AppError> {
    let horizon = today.add_days(WEEK_DAYS);
    let mut due: Vec<QuestionnaireDue> = questionnaires::server::list(db)
        .await?
        .items
        .into_iter()
        .filter(|q| q.counts.remaining > 0 && q.owner_id.is_none_or(|o| o == me))
        .filter_map(|q| {
            let due_on = IsoDate::parse(q.due_on.as_deref()?).ok()?;
            (due_on <= horizon).then_some(QuestionnaireDue {
                id: q.id,
                title: q.title,
                company: q.company_name,
                due_on,
                overdue: q.overdue,
                remaining: q.counts.remaining,
            })
        })
        .collect();
    due.sort_by(|a, b| a.due_on.cmp(&b.due_on).then(a.id.cmp(&b.id)));
    Ok(waiting(due))
}

async fn failed_mail(db: &Db) -> Result<Waiting<FailedMail>, AppError> {
    let (total,): (i64,) =
        sqlx::query_as("select count(*) from mail_outbox where status = 'failed'").fetch_one(db.pool()).await?;
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "select to_address, subject, attempts, created_at from mail_outbox where status = 'failed' \
         order by created_at desc, id desc limit $1",
    )
    .bind(SHOWN as i64)
    .fetch_all(db.pool())
    .await?;
    let items = rows
        .into_iter()
        .map(|(to, subject, attempts, queued)| FailedMail { to, subject, attempts, queued: Timestamp(queued) })
        .collect();
    Ok(Waiting { total, items })
}
