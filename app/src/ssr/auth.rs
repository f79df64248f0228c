//! Who is signed in: what the session records, and the principal resolved from it on each
//! request (so a deactivation or a role change applies on the very next request).

use super::{
    db::{flag, Db},
    request_meta::RequestMeta,
    session_store::{AUTH_KEY, CLIENT_KEY},
};
use crate::{
    error::AppError,
    identity::{Principal, ProspectUser, StaffRole, StaffUser},
    types::Timestamp,
};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use tower_sessions::{Expiry, Session};

/// Staff sessions end after 30 minutes without a request, and 12 hours after sign-in at most.
pub const STAFF_IDLE_SECONDS: i64 = 30 * 60;
/// At most 12 hours after sign-in, however active.
pub const STAFF_ABSOLUTE_SECONDS: i64 = 12 * 3600;
/// Prospects: 24 hours idle, 7 days at most.
pub const PROSPECT_IDLE_SECONDS: i64 = 24 * 3600;
/// At most 7 days after sign-in, however active.
pub const PROSPECT_ABSOLUTE_SECONDS: i64 = 7 * 24 * 3600;
/// Between password and second factor: 10 minutes.
pub const PENDING_SECONDS: i64 = 10 * 60;

/// What the session records about its owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionAuth {
    Prospect {
        id: i64,
        since: i64,
    },
    /// The password was right; the second factor (or its enrolment) comes next.
    StaffPending {
        id: i64,
        since: i64,
    },
    Staff {
        id: i64,
        since: i64,
    },
}

/// The client a session started from, shown in the staff's session list.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ClientInfo {
    ip: String,
    user_agent: String,
}

fn session_error(err: impl std::fmt::Display) -> AppError {
    AppError::internal("session store", err)
}

/// A session that only carries a form's message to the next page (no one signed in).
pub const ANONYMOUS_IDLE_SECONDS: i64 = 3600;

impl SessionAuth {
    /// Seconds without a request after which the session ends.
    pub fn idle_seconds(&self) -> i64 {
        match self {
            Self::Prospect { .. } => PROSPECT_IDLE_SECONDS,
            Self::StaffPending { .. } => PENDING_SECONDS,
            Self::Staff { .. } => STAFF_IDLE_SECONDS,
        }
    }

    /// Seconds after sign-in after which the session ends, however active.
    pub fn absolute_seconds(&self) -> i64 {
        match self {
            Self::Prospect { .. } => PROSPECT_ABSOLUTE_SECONDS,
            Self::StaffPending { .. } => PENDING_SECONDS,
            Self::Staff { .. } => STAFF_ABSOLUTE_SECONDS,
        }
    }

    fn since(&self) -> i64 {
        match self {
            Self::Prospect { since, .. } | Self::StaffPending { since, .. } | Self::Staff { since, .. } => *since,
        }
    }
}

/// When a session seen at `now` ends: its idle timeout from now, but never after its absolute
/// lifetime. This, not the cookie, is what the store keeps and checks: every request that
/// touches the session slides the idle timeout, and nothing else (a layer default, a form's
/// flash) can lengthen it.
pub fn expires_at(auth: Option<&SessionAuth>, now: i64) -> i64 {
    match auth {
        Some(auth) => (now + auth.idle_seconds()).min(auth.since() + auth.absolute_seconds()),
        None => now + ANONYMOUS_IDLE_SECONDS,
    }
}

/// Keeps a signed-in session alive for another idle period: called on each request of its
/// owner, so the idle timeout slides (the store writes [`expires_at`], and the cookie gets the
/// same lifetime).
pub fn touch(session: &Session, auth: &SessionAuth) {
    session.set_expiry(Some(Expiry::OnInactivity(time::Duration::seconds(auth.idle_seconds()))));
}

/// Replaces the session's identity. The session id changes (no fixation), and so does its idle
/// timeout.
pub async fn establish(session: &Session, auth: SessionAuth, meta: &RequestMeta) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    touch(session, &auth);
    session.insert(AUTH_KEY, &auth).await.map_err(session_error)?;
    let client = ClientInfo { ip: meta.ip.clone(), user_agent: meta.user_agent.clone() };
    session.insert(CLIENT_KEY, &client).await.map_err(session_error)?;
    Ok(())
}

/// Ends the session server-side; the cookie becomes worthless.
pub async fn end(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

/// What the session records about its owner, if anyone signed in.
pub async fn session_auth(session: &Session) -> Option<SessionAuth> {
    session.get::<SessionAuth>(AUTH_KEY).await.ok().flatten()
}

#[derive(FromRow)]
struct StaffRow {
    id: i64,
    email: String,
    name: String,
    active: i64,
    totp_enabled: i64,
}

/// Loads a staff member with roles; `None` if absent or deactivated.
pub async fn load_staff(db: &Db, id: i64) -> Result<Option<(StaffUser, bool)>, AppError> {
    let row: Option<StaffRow> =
        sqlx::query_as("select id, email, name, active, totp_enabled from staff_users where id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    let Some(row) = row.filter(|r| flag(r.active)) else { return Ok(None) };
    let roles: Vec<(String,)> = sqlx::query_as("select role from staff_roles where staff_id = $1 order by role")
        .bind(id)
        .fetch_all(db.pool())
        .await?;
    let roles = roles.into_iter().filter_map(|(r,)| StaffRole::parse(&r).ok()).collect();
    Ok(Some((StaffUser { id: row.id, email: row.email, name: row.name, roles }, flag(row.totp_enabled))))
}

async fn load_prospect(db: &Db, id: i64) -> Result<Option<ProspectUser>, AppError> {
    let row: Option<(i64, String, String, String)> =
        sqlx::query_as("select id, email, name, company from prospects where id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|(id, email, name, company)| ProspectUser { id, email, name, company }))
}

/// Resolves the session to a principal. A session past its absolute lifetime, or whose owner
/// is gone or deactivated, is ended and treated as anonymous.
pub async fn resolve(session: &Session, db: &Db) -> Result<Principal, AppError> {
    let Some(auth) = session_auth(session).await else { return Ok(Principal::Anonymous) };
    let now = Timestamp::now().0;
    let principal = match auth {
        SessionAuth::Prospect { id, since } if now - since < PROSPECT_ABSOLUTE_SECONDS => {
            load_prospect(db, id).await?.map(Principal::Prospect)
        }
        SessionAuth::StaffPending { id, since } if now - since < PENDING_SECONDS => {
            load_staff(db, id).await?.map(|(staff, enrolled)| Principal::PendingStaff { staff, enrolled })
        }
        SessionAuth::Staff { id, since } if now - since < STAFF_ABSOLUTE_SECONDS => {
            load_staff(db, id).await?.map(|(staff, _)| Principal::Staff(staff))
        }
        _ => None,
    };
    match principal {
        Some(p) => Ok(p),
        None => {
            end(session).await?;
            Ok(Principal::Anonymous)
        }
    }
}

/// Resolves the session again against the database as it is now, bypassing what the session
/// layer loaded when the request's headers arrived: a request whose body took its time must not
/// act for a session that was ended, or a person deactivated, in the meantime.
pub async fn resolve_again(session: &Session, db: &Db) -> Result<Principal, AppError> {
    let Some(id) = session.id() else { return Ok(Principal::Anonymous) };
    let live: Option<(i64,)> = sqlx::query_as("select 1 from sessions where id = $1 and expires_at > $2")
        .bind(super::session_store::session_key(&id))
        .bind(Timestamp::now().0)
        .fetch_optional(db.pool())
        .await?;
    if live.is_none() {
        // Ended elsewhere: forget it here too (the cookie is removed with the response).
        session.clear().await;
        return Ok(Principal::Anonymous);
    }
    resolve(session, db).await
}

/// The principal of the request being handled (resolved by the server's middleware).
pub fn current_principal() -> Principal {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>().cloned())
        .unwrap_or(Principal::Anonymous)
}

/// The tower-sessions session of the request being handled.
pub fn current_session() -> Result<Session, AppError> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Session>().cloned())
        .ok_or_else(|| AppError::internal("session", "no session layer on this request"))
}

/// The signed-in staff member, if any has `role` (admins have every role).
pub fn require_role(role: StaffRole) -> Result<StaffUser, AppError> {
    match current_principal() {
        Principal::Staff(staff) if staff.has(role) => Ok(staff),
        Principal::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

/// Any fully signed-in staff member.
pub fn require_staff() -> Result<StaffUser, AppError> {
    match current_principal() {
        Principal::Staff(staff) => Ok(staff),
        Principal::Prospect(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

/// A signed-in prospect.
pub fn require_prospect() -> Result<ProspectUser, AppError> {
    match current_principal() {
        Principal::Prospect(p) => Ok(p),
        Principal::Staff(_) => Err(AppError::Forbidden),
        _ => Err(AppError::Unauthenticated),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_timeouts_slide_but_never_past_the_absolute_lifetime() {
        let now = 1_800_000_000;
        let staff = SessionAuth::Staff { id: 1, since: now - 3600 };
        assert_eq!(expires_at(Some(&staff), now), now + STAFF_IDLE_SECONDS);
        let late = SessionAuth::Staff { id: 1, since: now - STAFF_ABSOLUTE_SECONDS + 60 };
        assert_eq!(expires_at(Some(&late), now), now + 60);
        let prospect = SessionAuth::Prospect { id: 2, since: now };
        assert_eq!(expires_at(Some(&prospect), now), now + PROSPECT_IDLE_SECONDS);
        let old = SessionAuth::Prospect { id: 2, since: now - PROSPECT_ABSOLUTE_SECONDS + 10 };
        assert_eq!(expires_at(Some(&old), now), now + 10);
        let pending = SessionAuth::StaffPending { id: 3, since: now - 100 };
        assert_eq!(expires_at(Some(&pending), now), now - 100 + PENDING_SECONDS);
        assert_eq!(expires_at(None, now), now + ANONYMOUS_IDLE_SECONDS);
    }
}
