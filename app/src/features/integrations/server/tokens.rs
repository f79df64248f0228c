//! API tokens: made by admins, shown once, kept as SHA-256, scoped, expiring, revocable; each
//! request with one is authenticated here against the token's and its owner's current state.

use crate::{
    error::AppError,
    features::{
        accounts::{model::StaffUser, server::staff_actor},
        integrations::model::{ApiScope, ApiTokenSummary, TOKEN_DAYS},
    },
    ssr::{
        audit::{self, Actor, ActorKind, Event, Outcome},
        auth::load_staff,
        request_meta::RequestMeta,
        tokens::Token,
        AppState,
    },
    types::{short_text, Timestamp},
};
use sqlx::FromRow;

/// Every API token starts with this, so secret scanners can recognise one that leaked.
pub const PREFIX: &str = "vsk_";

/// A caller whose token checked out: what it may do now.
#[derive(Debug, Clone)]
pub struct ApiCaller {
    pub token_id: i64,
    pub label: String,
    /// The token's scopes that its owner's roles still allow (all of them for a service token).
    pub scopes: Vec<ApiScope>,
    /// The owner of a personal token.
    pub owner: Option<StaffUser>,
}

impl ApiCaller {
    /// Whether the token carries `scope`.
    pub fn may(&self, scope: ApiScope) -> bool {
        self.scopes.contains(&scope)
    }

    /// How its actions appear in the access log: the owner for a personal token (with the token
    /// named in the details), the token's label for a service token.
    pub fn actor(&self) -> Actor {
        match &self.owner {
            Some(owner) => staff_actor(owner),
            None => Actor {
                kind: ActorKind::System,
                id: None,
                label: format!("api token {}: {}", self.token_id, self.label),
                role: String::new(),
            },
        }
    }
}

/// Why a bearer token was refused (logged; the client only hears "401").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Unknown,
    Revoked,
    Expired,
    OwnerInactive,
}

impl Refusal {
    /// The reason as the access log records it.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Missing => "no bearer token",
            Self::Unknown => "unknown token",
            Self::Revoked => "revoked token",
            Self::Expired => "expired token",
            Self::OwnerInactive => "the token's owner is deactivated",
        }
    }
}

#[derive(FromRow)]
struct AuthRow {
    id: i64,
    label: String,
    scopes: String,
    owner_id: Option<i64>,
    expires_at: i64,
    revoked_at: Option<i64>,
}

fn parse_scopes(text: &str) -> Vec<ApiScope> {
    text.split(',').filter_map(ApiScope::parse).collect()
}

/// Checks `Authorization: Bearer <token>` against the tokens as they are now.
pub async fn authenticate(state: &AppState, bearer: Option<&str>) -> Result<Result<ApiCaller, Refusal>, AppError> {
    let Some(bearer) = bearer.map(str::trim).filter(|b| !b.is_empty()) else { return Ok(Err(Refusal::Missing)) };
    let Some(token) = bearer.strip_prefix(PREFIX).and_then(Token::parse) else { return Ok(Err(Refusal::Unknown)) };
    let row: Option<AuthRow> = sqlx::query_as(
        "select id, label, scopes, owner_id, expires_at, revoked_at from api_tokens where token_sha256 = $1",
    )
    .bind(token.hash())
    .fetch_optional(state.db.pool())
    .await?;
    let Some(row) = row else { return Ok(Err(Refusal::Unknown)) };
    let now = Timestamp::now().0;
    if row.revoked_at.is_some() {
        return Ok(Err(Refusal::Revoked));
    }
    if row.expires_at <= now {
        return Ok(Err(Refusal::Expired));
    }
    let owner = match row.owner_id {
        Some(id) => match load_staff(&state.db, id).await? {
            Some((staff, _)) => Some(staff),
            None => return Ok(Err(Refusal::OwnerInactive)),
        },
        None => None,
    };
    let scopes =
        parse_scopes(&row.scopes).into_iter().filter(|s| owner.as_ref().is_none_or(|o| o.has(s.role()))).collect();
    sqlx::query("update api_tokens set last_used_at = $1 where id = $2")
        .bind(now)
        .bind(row.id)
        .execute(state.db.pool())
        .await?;
    Ok(Ok(ApiCaller { token_id: row.id, label: row.label, scopes, owner }))
}

/// Whether `caller`'s token still carries `scope` now, read inside `tx`: not revoked, not
/// expired, and for a personal token an owner who is still active and holds the scope's role.
pub async fn still_allows(tx: &mut crate::ssr::db::Tx, caller: &ApiCaller, scope: ApiScope) -> Result<bool, AppError> {
    let row: Option<(String, Option<i64>)> = sqlx::query_as(
        "select scopes, owner_id from api_tokens where id = $1 and revoked_at is null and expires_at > $2",
    )
    .bind(caller.token_id)
    .bind(Timestamp::now().0)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((scopes, owner)) = row else { return Ok(false) };
    if !parse_scopes(&scopes).contains(&scope) {
        return Ok(false);
    }
    let Some(owner) = owner else { return Ok(true) };
    let role = scope.role();
    let held: Option<(i64,)> = sqlx::query_as(
        "select 1 from staff_users u join staff_roles r on r.staff_id = u.id \
         where u.id = $1 and u.active = 1 and r.role in ($2, 'admin') limit 1",
    )
    .bind(owner)
    .bind(role.code())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(held.is_some())
}

/// What the create form posted.
pub struct NewToken<'a> {
    pub label: &'a str,
    /// `personal` (acts for the admin making it) or `service`.
    pub kind: &'a str,
    pub scopes: Vec<ApiScope>,
    pub days: &'a str,
}

/// Makes a token; the caller shows it once. Logged with its scopes and expiry.
pub async fn create(
    state: &AppState,
    meta: &RequestMeta,
    admin: &StaffUser,
    new: NewToken<'_>,
) -> Result<String, AppError> {
    let mut problems = crate::forms::Problems::default();
    let label = problems.take("label", short_text(new.label, "label", 80));
    let personal = match new.kind {
        "personal" => Some(true),
        "service" => Some(false),
        _ => problems.take("kind", Err("Choose a personal or a service token.".into())),
    };
    let days = new.days.trim().parse::<i64>().ok().filter(|d| TOKEN_DAYS.contains(d));
    if days.is_none() {
        problems.add("days", "Choose how long the token lasts.");
    }
    if new.scopes.is_empty() {
        problems.add(ApiScope::ALL[0].field(), "Choose at least one scope.");
    }
    problems.check()?;
    let (Some(label), Some(personal), Some(days)) = (label, personal, days) else {
        return Err(AppError::BadRequest);
    };
    let scopes = new.scopes;
    let token = Token::generate();
    let now = Timestamp::now().0;
    let expires_at = now + days * 86_400;
    let codes: Vec<&str> = scopes.iter().map(|s| s.code()).collect();
    let mut tx = state.db.begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into api_tokens (label, token_sha256, scopes, owner_id, created_by, created_at, expires_at) \
         values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(&label)
    .bind(token.hash())
    .bind(codes.join(","))
    .bind(personal.then_some(admin.id))
    .bind(admin.id)
    .bind(now)
    .bind(expires_at)
    .fetch_one(&mut *tx)
    .await?;
    let event = Event {
        actor: &staff_actor(admin),
        event: "api.token_created",
        object: format!("api_token:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({
            "label": label, "scopes": codes, "personal": personal, "expires_at": expires_at,
        }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(format!("{PREFIX}{}", token.expose()))
}

#[derive(FromRow)]
struct ListRow {
    id: i64,
    label: String,
    scopes: String,
    owner: Option<String>,
    created_by: String,
    created_at: i64,
    expires_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

/// Every token, newest first (at most 200).
pub async fn list(state: &AppState) -> Result<Vec<ApiTokenSummary>, AppError> {
    let rows: Vec<ListRow> = sqlx::query_as(
        "select t.id, t.label, t.scopes, o.email as owner, c.email as created_by, t.created_at, t.expires_at, \
         t.last_used_at, t.revoked_at from api_tokens t join staff_users c on c.id = t.created_by \
         left join staff_users o on o.id = t.owner_id order by t.id desc limit 200",
    )
    .fetch_all(state.db.pool())
    .await?;
    let now = Timestamp::now().0;
    Ok(rows
        .into_iter()
        .map(|r| ApiTokenSummary {
            id: r.id,
            label: r.label,
            scopes: parse_scopes(&r.scopes).into_iter().map(|s| s.code().to_string()).collect(),
            owner: r.owner,
            created_by: r.created_by,
            created_at: Timestamp(r.created_at),
            expires_at: Timestamp(r.expires_at),
            last_used_at: r.last_used_at.map(Timestamp),
            revoked: r.revoked_at.is_some(),
            expired: r.expires_at <= now,
        })
        .collect())
}

/// Revokes a token: the next request with it is refused.
pub async fn revoke(state: &AppState, meta: &RequestMeta, admin: &StaffUser, id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let changed = sqlx::query("update api_tokens set revoked_at = $1 where id = $2 and revoked_at is null")
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
        event: "api.token_revoked",
        object: format!("api_token:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({}),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}
