//! SCIM 2.0 (RFC 7643/7644) for staff accounts, only what an identity provider needs to manage
//! joiners and leavers: list (with a `userName eq` filter), get, create, `active` on or off, and
//! delete. Roles are not SCIM's business here: they come from the group claim at each SSO sign-in.
//! Callers authenticate with a bearer token an admin made ([`create_token`]), kept as its SHA-256
//! and revocable. Deactivating or deleting ends the person's sessions at once; every change is in
//! the access log under the token's label.

use crate::{
    error::AppError,
    features::accounts::{
        model::{ScimTokenSummary, StaffUser},
        server::staff_actor,
    },
    ssr::{
        audit::{self, Actor, ActorKind, Event, Outcome},
        request_meta::RequestMeta,
        tokens::Token,
        AppState,
    },
    types::{EmailAddress, Timestamp},
};
use serde::Serialize;
use sqlx::FromRow;

/// A token the identity provider presented, once checked.
#[derive(Debug, Clone)]
pub struct ScimCaller {
    pub token_id: i64,
    pub label: String,
}

impl ScimCaller {
    fn actor(&self) -> Actor {
        Actor { kind: ActorKind::System, id: None, label: format!("scim: {}", self.label), role: String::new() }
    }
}

/// The caller behind `Authorization: Bearer <token>`, if the token is one an admin made and has
/// not revoked.
pub async fn authenticate(state: &AppState, bearer: &str) -> Result<Option<ScimCaller>, AppError> {
    let Some(token) = Token::parse(bearer) else { return Ok(None) };
    let row: Option<(i64, String)> =
        sqlx::query_as("select id, label from scim_tokens where token_sha256 = $1 and revoked_at is null")
            .bind(token.hash())
            .fetch_optional(state.db.pool())
            .await?;
    let Some((token_id, label)) = row else { return Ok(None) };
    sqlx::query("update scim_tokens set last_used_at = $1 where id = $2")
        .bind(Timestamp::now().0)
        .bind(token_id)
        .execute(state.db.pool())
        .await?;
    Ok(Some(ScimCaller { token_id, label }))
}

/// A staff account as SCIM shows it (`urn:ietf:params:scim:schemas:core:2.0:User`).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ScimUser {
    pub schemas: [&'static str; 1],
    pub id: String,
    pub user_name: String,
    pub display_name: String,
    pub name: ScimName,
    pub emails: [ScimEmail; 1],
    pub active: bool,
    pub meta: ScimMeta,
}

/// The user's name (`formatted` only).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScimName {
    pub formatted: String,
}

/// The one (work) e-mail address.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScimEmail {
    pub value: String,
    pub primary: bool,
}

/// Resource metadata.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ScimMeta {
    pub resource_type: &'static str,
    pub created: String,
    pub last_modified: String,
    pub location: String,
}

#[derive(FromRow)]
struct Row {
    id: i64,
    email: String,
    name: String,
    active: i64,
    created_at: i64,
    updated_at: i64,
}

const COLUMNS: &str = "id, email, name, active, created_at, updated_at";

fn rfc3339(seconds: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

fn user(state: &AppState, row: Row) -> ScimUser {
    ScimUser {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        id: row.id.to_string(),
        user_name: row.email.clone(),
        display_name: row.name.clone(),
        name: ScimName { formatted: row.name },
        emails: [ScimEmail { value: row.email, primary: true }],
        active: row.active == 1,
        meta: ScimMeta {
            resource_type: "User",
            created: rfc3339(row.created_at),
            last_modified: rfc3339(row.updated_at),
            location: state.config.base_url.join(&format!("/scim/v2/Users/{}", row.id)),
        },
    }
}

/// One page of accounts (1-based `start`), optionally only the one whose `userName` is
/// `user_name`; and how many match in all. Deleted accounts are not listed.
pub async fn list(
    state: &AppState,
    user_name: Option<&str>,
    start: i64,
    count: i64,
) -> Result<(i64, Vec<ScimUser>), AppError> {
    let wanted = user_name.map(|u| u.trim().to_lowercase());
    let filter = if wanted.is_some() { "and email = $1" } else { "and $1 = $1" };
    let (total,): (i64,) =
        sqlx::query_as(&format!("select count(*) from staff_users where deleted_at is null {filter}"))
            .bind(wanted.clone().unwrap_or_default())
            .fetch_one(state.db.pool())
            .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "select {COLUMNS} from staff_users where deleted_at is null {filter} order by id limit $2 offset $3"
    ))
    .bind(wanted.unwrap_or_default())
    .bind(count.clamp(0, 200))
    .bind((start.max(1) - 1).min(i64::from(i32::MAX)))
    .fetch_all(state.db.pool())
    .await?;
    Ok((total, rows.into_iter().map(|r| user(state, r)).collect()))
}

/// One account, unless there is none (or it was deleted).
pub async fn get(state: &AppState, id: i64) -> Result<Option<ScimUser>, AppError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("select {COLUMNS} from staff_users where id = $1 and deleted_at is null"))
            .bind(id)
            .fetch_optional(state.db.pool())
            .await?;
    Ok(row.map(|r| user(state, r)))
}

/// Why a change to an existing account is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeRefusal {
    NotFound,
    /// It would leave no active admin.
    LastAdmin,
    /// A break-glass admin (`VOUCHSAFE_OIDC_BREAK_GLASS`) is outside the provider's reach.
    BreakGlass,
}

/// Refuses changing `id` when it is a break-glass address, or (checked after the change, inside
/// the transaction) when no active admin would remain.
async fn protected(state: &AppState, tx: &mut crate::ssr::db::Tx, id: i64) -> Result<Option<ChangeRefusal>, AppError> {
    let email: Option<(String,)> =
        sqlx::query_as("select email from staff_users where id = $1").bind(id).fetch_optional(&mut **tx).await?;
    let break_glass = state.sso.as_ref().map(|s| s.settings.break_glass.clone()).unwrap_or_default();
    if email.is_some_and(|(e,)| break_glass.iter().any(|b| b.eq_ignore_ascii_case(&e))) {
        return Ok(Some(ChangeRefusal::BreakGlass));
    }
    Ok((super::admin::active_admins(tx).await? == 0).then_some(ChangeRefusal::LastAdmin))
}

/// What a create request may be refused for.
#[derive(Debug, PartialEq, Eq)]
pub enum CreateRefusal {
    /// The address already has an account.
    Exists,
    /// Not an address, or a domain single sign-on does not allow.
    Invalid(String),
}

/// Creates an account with no role (roles come with the first SSO sign-in).
pub async fn create(
    state: &AppState,
    meta: &RequestMeta,
    caller: &ScimCaller,
    email: &str,
    name: &str,
    active: bool,
) -> Result<Result<ScimUser, CreateRefusal>, AppError> {
    let Ok(email) = EmailAddress::parse(email.trim()) else {
        return Ok(Err(CreateRefusal::Invalid("userName must be an e-mail address".into())));
    };
    if state.sso.as_ref().is_some_and(|sso| !sso.settings.domain_allowed(email.as_str())) {
        return Ok(Err(CreateRefusal::Invalid("this e-mail domain may not have a staff account".into())));
    }
    let name: String = name.chars().filter(|c| !c.is_control()).take(100).collect();
    let name = if name.trim().is_empty() { email.as_str().to_string() } else { name.trim().to_string() };
    let mut tx = state.db.begin().await?;
    let exists: Option<(i64, Option<i64>)> = sqlx::query_as("select id, deleted_at from staff_users where email = $1")
        .bind(email.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let (id, revived) = match exists {
        Some((_, None)) => return Ok(Err(CreateRefusal::Exists)),
        // Deleted before (a leaver who is back): the same row again, with no role and no link.
        Some((id, Some(_))) => {
            sqlx::query("update staff_users set deleted_at = null, name = $1, updated_at = $2 where id = $3")
                .bind(&name)
                .bind(Timestamp::now().0)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            (id, true)
        }
        None => match super::staff::create(&mut tx, &email, &name, &[], None).await {
            Ok(id) => (id, false),
            // Another request created it first (the unique address): the same answer as above.
            Err(_) => return Ok(Err(CreateRefusal::Exists)),
        },
    };
    sqlx::query("update staff_users set active = $1 where id = $2")
        .bind(i64::from(active))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let event = Event {
        actor: &caller.actor(),
        event: "staff.provisioned",
        object: format!("staff:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "method": "scim", "email": email.as_str(), "active": active, "revived": revived }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(Ok(get(state, id).await?.ok_or(AppError::NotFound)?))
}

/// Turns an account on or off (off ends its sessions at once).
pub async fn set_active(
    state: &AppState,
    meta: &RequestMeta,
    caller: &ScimCaller,
    id: i64,
    active: bool,
) -> Result<Result<ScimUser, ChangeRefusal>, AppError> {
    let mut tx = state.db.begin().await?;
    let now = Timestamp::now().0;
    let exists: Option<(i64,)> = sqlx::query_as("select active from staff_users where id = $1 and deleted_at is null")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((was,)) = exists else { return Ok(Err(ChangeRefusal::NotFound)) };
    if was != i64::from(active) {
        sqlx::query("update staff_users set active = $1, updated_at = $2 where id = $3")
            .bind(i64::from(active))
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if !active {
            sqlx::query("delete from sessions where staff_id = $1").bind(id).execute(&mut *tx).await?;
            if let Some(refusal) = protected(state, &mut tx, id).await? {
                return Ok(Err(refusal));
            }
        }
        let event = Event {
            actor: &caller.actor(),
            event: if active { "staff.reactivated" } else { "staff.deactivated" },
            object: format!("staff:{id}"),
            outcome: Outcome::Success,
            details: serde_json::json!({ "method": "scim" }),
        };
        audit::record(&mut tx, meta, event).await?;
    }
    tx.commit().await?;
    get(state, id).await?.map(Ok).ok_or(AppError::NotFound)
}

/// Deletes an account: deactivated, its roles and SSO link removed, its sessions ended; the row
/// stays for the records that point at it (and comes back if the provider creates the address
/// again).
pub async fn delete(
    state: &AppState,
    meta: &RequestMeta,
    caller: &ScimCaller,
    id: i64,
) -> Result<Result<(), ChangeRefusal>, AppError> {
    let mut tx = state.db.begin().await?;
    let now = Timestamp::now().0;
    let changed = sqlx::query(
        "update staff_users set active = 0, deleted_at = $1, updated_at = $1, oidc_issuer = null, oidc_subject = null \
         where id = $2 and deleted_at is null",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(Err(ChangeRefusal::NotFound));
    }
    sqlx::query("delete from staff_roles where staff_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query("delete from sessions where staff_id = $1").bind(id).execute(&mut *tx).await?;
    if let Some(refusal) = protected(state, &mut tx, id).await? {
        return Ok(Err(refusal));
    }
    let event = Event {
        actor: &caller.actor(),
        event: "staff.deleted",
        object: format!("staff:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "method": "scim" }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(Ok(()))
}

/// Makes a token for the identity provider; the caller shows it once.
pub async fn create_token(
    state: &AppState,
    meta: &RequestMeta,
    admin: &StaffUser,
    label: &str,
) -> Result<Token, AppError> {
    let label = crate::types::short_text(label, "label", 80).map_err(|m| AppError::field("label", m))?;
    let token = Token::generate();
    let mut tx = state.db.begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into scim_tokens (label, token_sha256, created_by, created_at) values ($1, $2, $3, $4) returning id",
    )
    .bind(&label)
    .bind(token.hash())
    .bind(admin.id)
    .bind(Timestamp::now().0)
    .fetch_one(&mut *tx)
    .await?;
    let event = Event {
        actor: &staff_actor(admin),
        event: "scim.token_created",
        object: format!("scim_token:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "label": label }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(token)
}

/// Every token, newest first.
pub async fn list_tokens(state: &AppState) -> Result<Vec<ScimTokenSummary>, AppError> {
    let rows: Vec<TokenRow> = sqlx::query_as(
        "select id, label, created_at, last_used_at, revoked_at from scim_tokens order by id desc limit 100",
    )
    .fetch_all(state.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ScimTokenSummary {
            id: r.id,
            label: r.label,
            created_at: Timestamp(r.created_at),
            last_used_at: r.last_used_at.map(Timestamp),
            revoked: r.revoked_at.is_some(),
        })
        .collect())
}

#[derive(FromRow)]
struct TokenRow {
    id: i64,
    label: String,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

/// Revokes a token: the next request with it is refused.
pub async fn revoke_token(state: &AppState, meta: &RequestMeta, admin: &StaffUser, id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let changed = sqlx::query("update scim_tokens set revoked_at = $1 where id = $2 and revoked_at is null")
        .bind(Timestamp::now().0)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    let event = Event {
        actor: &staff_actor(admin),
        event: "scim.token_revoked",
        object: format!("scim_token:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({}),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}
