//! Staff administration (admins) and session management (each staff member, their own).

use super::{
    compose_mail,
    email_tokens::{self, Purpose},
    staff, staff_actor,
};
use crate::ssr::db::Tx;
use crate::{
    error::AppError,
    features::accounts::model::{SessionSummary, StaffRole, StaffSummary, StaffUser},
    ssr::{
        audit::{self, Event, Outcome},
        db::flag,
        mail,
        request_meta::RequestMeta,
        session_store::session_key,
        AppState,
    },
    types::{EmailAddress, Timestamp},
};
use sqlx::FromRow;
use tower_sessions::Session;

#[derive(FromRow)]
struct StaffListRow {
    id: i64,
    email: String,
    name: String,
    active: i64,
    has_password: i64,
    totp_enabled: i64,
    last_sign_in_at: Option<i64>,
}

/// Every staff member by name, with their roles, whether they still have to accept their
/// invitation, two-factor standing and last sign-in. Admins only; the caller checks.
pub async fn list_staff(state: &AppState) -> Result<Vec<StaffSummary>, AppError> {
    let rows: Vec<StaffListRow> = sqlx::query_as(
        "select id, email, name, active, case when password_hash is null then 0 else 1 end as has_password, \
         totp_enabled, last_sign_in_at from staff_users order by name, email",
    )
    .fetch_all(state.db.pool())
    .await?;
    let roles: Vec<(i64, String)> =
        sqlx::query_as("select staff_id, role from staff_roles").fetch_all(state.db.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|r| StaffSummary {
            roles: roles
                .iter()
                .filter(|(id, _)| *id == r.id)
                .filter_map(|(_, role)| StaffRole::parse(role).ok())
                .collect(),
            id: r.id,
            email: r.email,
            name: r.name,
            active: flag(r.active),
            invitation_pending: !flag(r.has_password),
            two_factor: flag(r.totp_enabled),
            last_sign_in_at: r.last_sign_in_at.map(Timestamp),
        })
        .collect())
}

/// Creates the staff member and mails them an invitation to choose a password.
pub async fn invite(
    state: &AppState,
    meta: &RequestMeta,
    admin: &StaffUser,
    email: EmailAddress,
    name: String,
    roles: Vec<StaffRole>,
) -> Result<(), AppError> {
    if roles.is_empty() {
        return Err(AppError::field("roles", "Choose at least one role."));
    }
    let vars =
        serde_json::json!({ "inviter": admin.name, "minutes": Purpose::StaffInvite.lifetime_minutes(), "link": "" });
    let mut tx = state.db.begin().await?;
    let id = staff::create(&mut tx, &email, &name, &roles, None).await?;
    let token = email_tokens::issue(&mut tx, Purpose::StaffInvite, email.as_str(), serde_json::json!({})).await?;
    let link = state.config.base_url.join(&format!("/staff/invite/accept?token={}", token.expose()));
    let mut vars = vars;
    vars["link"] = serde_json::Value::String(link);
    let mail = compose_mail(state, "staff_invite", email.as_str(), &name, vars).await?;
    mail::enqueue(&mut tx, &mail).await?;
    let actor = staff_actor(admin);
    let roles_text: Vec<&str> = roles.iter().map(|r| r.code()).collect();
    let event = Event {
        actor: &actor,
        event: "staff.invited",
        object: format!("staff:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "email": email.as_str(), "roles": roles_text }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(())
}

pub(super) async fn active_admins(tx: &mut Tx) -> Result<i64, AppError> {
    let (n,): (i64,) = sqlx::query_as(
        "select count(*) from staff_roles r join staff_users u on u.id = r.staff_id where r.role = 'admin' and u.active = 1",
    )
    .fetch_one(&mut **tx)
    .await?;
    Ok(n)
}

/// Replaces a staff member's roles. The last active admin cannot lose the admin role. The
/// person's sessions are ended: a privilege change means signing in again.
pub async fn set_roles(
    state: &AppState,
    meta: &RequestMeta,
    admin: &StaffUser,
    staff_id: i64,
    roles: Vec<StaffRole>,
) -> Result<(), AppError> {
    if roles.is_empty() {
        return Err(AppError::invalid("Choose at least one role; to remove someone's access, deactivate them."));
    }
    let mut tx = state.db.begin().await?;
    let before: Vec<(String,)> = sqlx::query_as("select role from staff_roles where staff_id = $1 order by role")
        .bind(staff_id)
        .fetch_all(&mut *tx)
        .await?;
    let exists: Option<(i64,)> =
        sqlx::query_as("select id from staff_users where id = $1").bind(staff_id).fetch_optional(&mut *tx).await?;
    exists.ok_or(AppError::NotFound)?;
    sqlx::query("delete from staff_roles where staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
    let now = Timestamp::now().0;
    for role in &roles {
        sqlx::query("insert into staff_roles (staff_id, role, created_at) values ($1, $2, $3)")
            .bind(staff_id)
            .bind(role.code())
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    if active_admins(&mut tx).await? == 0 {
        return Err(AppError::invalid("There must always be at least one active admin."));
    }
    let changed = before.iter().map(|(r,)| r.as_str()).collect::<Vec<_>>() != {
        let mut now: Vec<&str> = roles.iter().map(|r| r.code()).collect();
        now.sort();
        now
    };
    if changed && staff_id != admin.id {
        sqlx::query("delete from sessions where staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
    }
    let actor = staff_actor(admin);
    let event = Event {
        actor: &actor,
        event: "staff.roles_changed",
        object: format!("staff:{staff_id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({
            "before": before.iter().map(|(r,)| r.clone()).collect::<Vec<_>>(),
            "after": roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
        }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Deactivates (ending every session at once) or reactivates a staff member.
pub async fn set_active(
    state: &AppState,
    meta: &RequestMeta,
    admin: &StaffUser,
    staff_id: i64,
    active: bool,
) -> Result<(), AppError> {
    if staff_id == admin.id && !active {
        return Err(AppError::invalid("You cannot deactivate yourself."));
    }
    let mut tx = state.db.begin().await?;
    // Reactivating also undoes a SCIM deletion, so the provider can manage the person again.
    let updated = sqlx::query(
        "update staff_users set active = $1, updated_at = $2, deleted_at = case when $1 = 1 then null else deleted_at end \
         where id = $3",
    )
        .bind(i64::from(active))
        .bind(Timestamp::now().0)
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
    if updated.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    if !active {
        sqlx::query("delete from sessions where staff_id = $1").bind(staff_id).execute(&mut *tx).await?;
        if active_admins(&mut tx).await? == 0 {
            return Err(AppError::invalid("There must always be at least one active admin."));
        }
    }
    let actor = staff_actor(admin);
    let event = Event {
        actor: &actor,
        event: if active { "staff.reactivated" } else { "staff.deactivated" },
        object: format!("staff:{staff_id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({}),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(FromRow)]
struct SessionRow {
    id: String,
    ip: Option<String>,
    user_agent: Option<String>,
    created_at: i64,
    last_seen_at: i64,
}

/// The staff member's live sessions, the current one marked.
pub async fn my_sessions(
    state: &AppState,
    session: &Session,
    staff: &StaffUser,
) -> Result<Vec<SessionSummary>, AppError> {
    let current = session.id().map(|id| session_key(&id));
    let rows: Vec<SessionRow> = sqlx::query_as(
        "select id, ip, user_agent, created_at, last_seen_at from sessions where staff_id = $1 and expires_at > $2 \
         order by last_seen_at desc",
    )
    .bind(staff.id)
    .bind(Timestamp::now().0)
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SessionSummary {
            current: current.as_deref() == Some(r.id.as_str()),
            handle: r.id,
            ip: r.ip.unwrap_or_default(),
            user_agent: r.user_agent.unwrap_or_default(),
            created_at: Timestamp(r.created_at),
            last_seen_at: Timestamp(r.last_seen_at),
        })
        .collect())
}

/// Ends one of the staff member's own sessions (`handle`), or all but the current one.
pub async fn end_sessions(
    state: &AppState,
    meta: &RequestMeta,
    session: &Session,
    staff: &StaffUser,
    handle: Option<&str>,
) -> Result<u64, AppError> {
    let current = session.id().map(|id| session_key(&id)).unwrap_or_default();
    let mut tx = state.db.begin().await?;
    let done = match handle {
        Some(handle) => {
            sqlx::query("delete from sessions where id = $1 and staff_id = $2 and id <> $3")
                .bind(handle)
                .bind(staff.id)
                .bind(&current)
                .execute(&mut *tx)
                .await?
        }
        None => {
            sqlx::query("delete from sessions where staff_id = $1 and id <> $2")
                .bind(staff.id)
                .bind(&current)
                .execute(&mut *tx)
                .await?
        }
    };
    let actor = staff_actor(staff);
    let event = Event {
        actor: &actor,
        event: "staff.sessions_ended",
        object: format!("staff:{}", staff.id),
        outcome: Outcome::Success,
        details: serde_json::json!({ "count": done.rows_affected() }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}
