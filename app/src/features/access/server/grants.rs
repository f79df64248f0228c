//! Grants: approved access to documents until an expiry, revocable at any moment. Expiry and
//! revocation are checked on every use, so they take effect on the next request.

use crate::ssr::db::Tx;
use crate::{
    error::AppError,
    features::{
        access::model::{GrantRow, GrantState, GrantSummary},
        accounts::server::compose_mail,
        documents::{model::PublicDocument, server as docs},
    },
    forms::Problems,
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        mail,
        request_meta::RequestMeta,
        AppState,
    },
    types::{IsoDate, Timestamp},
};
use sqlx::FromRow;

/// A grant's state at `now` (Unix seconds): revoked wins, and it has expired from `expires_at` on.
pub fn state_of(expires_at: i64, revoked_at: Option<i64>, now: i64) -> GrantState {
    match revoked_at {
        Some(_) => GrantState::Revoked,
        None if expires_at <= now => GrantState::Expired,
        None => GrantState::Active,
    }
}

/// Records a grant for `documents` (ids) inside `tx`.
pub async fn create(
    tx: &mut Tx,
    request_id: i64,
    prospect_id: i64,
    company_id: i64,
    granted_by: Option<i64>,
    expires_at: i64,
    documents: &[i64],
) -> Result<i64, AppError> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into grants (request_id, prospect_id, company_id, granted_by, granted_at, expires_at) \
         values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(request_id)
    .bind(prospect_id)
    .bind(company_id)
    .bind(granted_by)
    .bind(Timestamp::now().0)
    .bind(expires_at)
    .fetch_one(&mut **tx)
    .await?;
    for document in documents {
        sqlx::query("insert into grant_documents (grant_id, document_id) values ($1, $2)")
            .bind(id)
            .bind(document)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

#[derive(FromRow)]
struct GrantDbRow {
    id: i64,
    granted_at: i64,
    expires_at: i64,
    revoked_at: Option<i64>,
    extension_pending: i64,
    prospect_name: String,
    prospect_email: String,
    company_name: String,
}

const GRANTS: &str = "select g.id, g.granted_at, g.expires_at, g.revoked_at, \
     (select count(*) from access_requests r where r.extends_grant_id = g.id and r.status in ('pending_nda', 'pending_review')) as extension_pending, \
     p.name as prospect_name, p.email as prospect_email, c.name as company_name \
     from grants g join prospects p on p.id = g.prospect_id join companies c on c.id = g.company_id";

async fn documents_of(db: &Db, grant_id: i64) -> Result<Vec<PublicDocument>, AppError> {
    let ids: Vec<(i64,)> = sqlx::query_as("select document_id from grant_documents where grant_id = $1")
        .bind(grant_id)
        .fetch_all(db.pool())
        .await?;
    let all = docs::list_with_ids(db).await?;
    Ok(all.into_iter().filter(|(id, _)| ids.iter().any(|(d,)| d == id)).map(|(_, d)| d).collect())
}

async fn summaries(db: &Db, rows: Vec<GrantDbRow>) -> Result<Vec<GrantRow>, AppError> {
    let now = Timestamp::now().0;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(GrantRow {
            grant: GrantSummary {
                id: r.id,
                state: state_of(r.expires_at, r.revoked_at, now),
                documents: documents_of(db, r.id).await?,
                granted_at: Timestamp(r.granted_at),
                expires_at: Timestamp(r.expires_at),
                revoked_at: r.revoked_at.map(Timestamp),
                extension_pending: r.extension_pending > 0,
            },
            prospect_name: r.prospect_name,
            prospect_email: r.prospect_email,
            company_name: r.company_name,
        });
    }
    Ok(out)
}

/// The prospect's grants, newest first.
pub async fn for_prospect(db: &Db, prospect_id: i64) -> Result<Vec<GrantSummary>, AppError> {
    let rows: Vec<GrantDbRow> =
        sqlx::query_as(&format!("{GRANTS} where g.prospect_id = $1 order by g.granted_at desc, g.id desc"))
            .bind(prospect_id)
            .fetch_all(db.pool())
            .await?;
    Ok(summaries(db, rows).await?.into_iter().map(|r| r.grant).collect())
}

/// A company's grants, newest first.
pub async fn for_company(db: &Db, company_id: i64) -> Result<Vec<GrantRow>, AppError> {
    let rows: Vec<GrantDbRow> =
        sqlx::query_as(&format!("{GRANTS} where g.company_id = $1 order by g.granted_at desc, g.id desc"))
            .bind(company_id)
            .fetch_all(db.pool())
            .await?;
    summaries(db, rows).await
}

/// Every grant, active ones first (staff view).
pub async fn list_all(db: &Db) -> Result<Vec<GrantRow>, AppError> {
    let rows: Vec<GrantDbRow> = sqlx::query_as(&format!(
        "{GRANTS} order by case when g.revoked_at is null and g.expires_at > $1 then 0 else 1 end, g.expires_at"
    ))
    .bind(Timestamp::now().0)
    .fetch_all(db.pool())
    .await?;
    summaries(db, rows).await
}

/// Ids of the restricted documents a prospect can use right now.
pub async fn granted_document_ids(db: &Db, prospect_id: i64) -> Result<Vec<i64>, AppError> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "select distinct gd.document_id from grant_documents gd join grants g on g.id = gd.grant_id \
         where g.prospect_id = $1 and g.revoked_at is null and g.expires_at > $2",
    )
    .bind(prospect_id)
    .bind(Timestamp::now().0)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The active grant that lets `prospect_id` have `document_id` now, if any.
pub async fn active_grant_for(db: &Db, prospect_id: i64, document_id: i64) -> Result<Option<i64>, AppError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "select g.id from grants g join grant_documents gd on gd.grant_id = g.id where g.prospect_id = $1 \
         and gd.document_id = $2 and g.revoked_at is null and g.expires_at > $3 order by g.expires_at desc limit 1",
    )
    .bind(prospect_id)
    .bind(document_id)
    .bind(Timestamp::now().0)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Ends a grant now, for a reason the prospect is told; `confirmed` is the person's tick that
/// they mean it.
pub async fn revoke(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    staff_id: i64,
    grant_id: i64,
    note: &str,
    confirmed: bool,
) -> Result<(), AppError> {
    let note: String = note.trim().chars().take(1000).collect();
    let mut problems = Problems::default();
    if note.is_empty() {
        problems.add("note", "Give the reason: it is sent to them and kept in the access log.");
    }
    if !confirmed {
        problems
            .add("confirm", "Tick the box to confirm: they lose access at once, and links already sent stop working.");
    }
    problems.check()?;
    let row: Option<(i64, String, String)> = sqlx::query_as(
        "select g.prospect_id, p.email, p.name from grants g join prospects p on p.id = g.prospect_id \
         where g.id = $1 and g.revoked_at is null",
    )
    .bind(grant_id)
    .fetch_optional(state.db.pool())
    .await?;
    let (_, email, name) = row.ok_or_else(|| AppError::invalid("This grant is already revoked or does not exist."))?;
    let titles: Vec<String> = documents_of(&state.db, grant_id).await?.into_iter().map(|d| d.title).collect();
    let mail = compose_mail(
        state,
        "access_revoked",
        &email,
        &name,
        serde_json::json!({ "documents": titles, "note": note, "link": state.config.base_url.join("/#documents") }),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let now = Timestamp::now().0;
    // Decided against the grant as it is now: a second revocation racing this one changes nothing.
    let revoked = sqlx::query(
        "update grants set revoked_at = $1, revoked_by = $2, revoke_note = $3 where id = $4 and revoked_at is null",
    )
    .bind(now)
    .bind(staff_id)
    .bind(&note)
    .bind(grant_id)
    .execute(&mut *tx)
    .await?;
    if revoked.rows_affected() != 1 {
        return Err(AppError::invalid("This grant is already revoked or does not exist."));
    }
    mail::enqueue(&mut tx, &mail).await?;
    let event = Event {
        actor,
        event: "access.revoked",
        object: format!("grant:{grant_id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "note": note, "prospect": email }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(())
}

/// Moves a grant's end to the end of `until` (a later day than it ends now); the prospect is
/// told, and reminded again before the new end. A revoked grant stays revoked.
pub async fn extend(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    grant_id: i64,
    until: IsoDate,
) -> Result<(), AppError> {
    let row: Option<(i64, Option<i64>, String, String)> = sqlx::query_as(
        "select g.expires_at, g.revoked_at, p.email, p.name from grants g join prospects p on p.id = g.prospect_id \
         where g.id = $1",
    )
    .bind(grant_id)
    .fetch_optional(state.db.pool())
    .await?;
    let (expires_at, revoked_at, email, name) = row.ok_or(AppError::NotFound)?;
    if revoked_at.is_some() {
        return Err(AppError::invalid("This grant was revoked; approve a new request to give access again."));
    }
    let new_end = time::OffsetDateTime::new_utc(until.date(), time::Time::MIDNIGHT).unix_timestamp() + 86_399;
    let now = Timestamp::now();
    if until <= now.date() {
        return Err(AppError::field("until", "Choose a day after today."));
    }
    if new_end <= expires_at {
        let current = Timestamp(expires_at).date().long();
        return Err(AppError::field(
            "until",
            format!("Choose a day after the current end, {current}. To end access sooner, revoke it."),
        ));
    }
    let titles: Vec<String> = documents_of(&state.db, grant_id).await?.into_iter().map(|d| d.title).collect();
    let mail = compose_mail(
        state,
        "access_extended",
        &email,
        &name,
        serde_json::json!({ "documents": titles, "expires_on": until.long(), "link": state.config.base_url.join("/account") }),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    // Against the grant as it is now: revoked or changed since it was read, nothing happens.
    let moved = sqlx::query(
        "update grants set expires_at = $1, reminder_sent_at = null where id = $2 and revoked_at is null and expires_at = $3",
    )
    .bind(new_end)
    .bind(grant_id)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() != 1 {
        return Err(AppError::invalid("This grant changed while you were looking at it; check it and try again."));
    }
    mail::enqueue(&mut tx, &mail).await?;
    let event = Event {
        actor,
        event: "access.extended",
        object: format!("grant:{grant_id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "prospect": email, "from": Timestamp(expires_at).rfc3339(), "until": until.to_string(), "was_expired": expires_at <= now.0 }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(())
}

/// Mails each prospect whose grant ends within a week (once per grant). Returns how many.
pub async fn send_expiry_reminders(state: &AppState) -> Result<usize, AppError> {
    let now = Timestamp::now().0;
    let due: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "select g.id, g.expires_at, p.email, p.name from grants g join prospects p on p.id = g.prospect_id \
         where g.revoked_at is null and g.reminder_sent_at is null and g.expires_at > $1 and g.expires_at <= $2",
    )
    .bind(now)
    .bind(now + 7 * 86_400)
    .fetch_all(state.db.pool())
    .await?;
    let meta = RequestMeta::system("expiry reminders");
    for (grant_id, expires_at, email, name) in &due {
        let titles: Vec<String> = documents_of(&state.db, *grant_id).await?.into_iter().map(|d| d.title).collect();
        let mail = compose_mail(
            state,
            "access_expiring",
            email,
            name,
            serde_json::json!({ "documents": titles, "expires_on": Timestamp(*expires_at).date().long(),
                "link": state.config.base_url.join("/account") }),
        )
        .await?;
        let mut tx = state.db.begin().await?;
        let claimed = sqlx::query("update grants set reminder_sent_at = $1 where id = $2 and reminder_sent_at is null")
            .bind(now)
            .bind(grant_id)
            .execute(&mut *tx)
            .await?;
        if claimed.rows_affected() == 1 {
            mail::enqueue(&mut tx, &mail).await?;
            let actor = Actor::system();
            let event = Event {
                actor: &actor,
                event: "access.expiry_reminder_sent",
                object: format!("grant:{grant_id}"),
                outcome: Outcome::Success,
                details: serde_json::json!({ "expires_at": expires_at }),
            };
            audit::record(&mut tx, &meta, event).await?;
        }
        tx.commit().await?;
    }
    state.mailer.wake.notify_one();
    Ok(due.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_are_active_until_they_expire_or_are_revoked() {
        assert_eq!(state_of(100, None, 99), GrantState::Active);
        assert_eq!(state_of(100, None, 100), GrantState::Expired);
        assert_eq!(state_of(100, Some(50), 60), GrantState::Revoked);
    }
}
