//! What a verified single sign-on means for staff accounts, decided inside one transaction
//! against the accounts as they are: the account linked to the provider's subject, or (first
//! time) the unlinked account with the same e-mail in an allowed domain, or a new account when
//! the role claim maps to a role. Roles follow the claim at every sign-in; a claim that maps to no
//! role deactivates the account (its sessions end at their next request). Every outcome is in the
//! access log.

use crate::{
    error::AppError,
    ssr::{
        audit::{self, Actor, ActorKind, Event, Outcome},
        auth::{self, SessionAuth},
        db::flag,
        oidc::{Identity, Refusal, Sso},
        request_meta::RequestMeta,
        AppState,
    },
    types::Timestamp,
};
use tower_sessions::Session;

/// Where the pending sign-in is kept in the session.
pub const PENDING_KEY: &str = "sso_pending";

/// Why an SSO sign-in was refused, in words for the person at the sign-in page.
pub fn message(reason: &str, provider: &str) -> String {
    match reason {
        "domain not allowed" => format!("Your {provider} account's e-mail domain may not sign in here."),
        "no role" => format!("Your {provider} account has no role in this trust center. Ask an administrator."),
        "deactivated" => "This staff account is deactivated. Ask an administrator.".into(),
        "last admin" => "This would leave the trust center without an active admin; ask an administrator.".into(),
        "break-glass account" => "This is a break-glass account: sign in with its password and code.".into(),
        "linked elsewhere" => "This e-mail address belongs to a staff account linked to another sign-in.".into(),
        "provider unavailable" => format!("{provider} could not be reached. Try again in a moment."),
        "second factor missing" => format!("Sign in to {provider} with your second factor, then try again."),
        "email not verified" => format!("Your {provider} e-mail address is not verified."),
        _ => format!("Sign-in with {provider} did not complete. Start again."),
    }
}

/// Logs a refused SSO callback (limited and aggregated per source like other anonymous refusals).
pub async fn log_refusal(state: &AppState, meta: &RequestMeta, refusal: &Refusal, email: Option<&str>) {
    let actor = Actor { label: email.unwrap_or_default().to_string(), ..Actor::anonymous() };
    let details = serde_json::json!({ "method": "sso", "reason": refusal.reason, "detail": refusal.detail });
    state.refusals.note_by(&state.db, meta, &actor, "staff.sso_sign_in", Outcome::Denied, String::new(), details).await;
}

#[derive(sqlx::FromRow)]
struct Account {
    id: i64,
    email: String,
    active: i64,
    oidc_subject: Option<String>,
}

async fn roles_of(tx: &mut crate::ssr::db::Tx, id: i64) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String,)> = sqlx::query_as("select role from staff_roles where staff_id = $1 order by role")
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
    Ok(rows.into_iter().map(|(r,)| r).collect())
}

/// Signs the verified `identity` in (or refuses it), all decisions in one transaction.
pub async fn complete(
    state: &AppState,
    sso: &Sso,
    meta: &RequestMeta,
    session: &Session,
    identity: Identity,
) -> Result<Result<(), Refusal>, AppError> {
    let settings = &sso.settings;
    let roles = settings.roles_for(identity.role_claim.as_ref());
    let codes: Vec<String> = {
        let mut c: Vec<String> = roles.iter().map(|r| r.code().to_string()).collect();
        c.sort();
        c
    };
    let now = Timestamp::now().0;
    let refusal = |reason: &'static str, detail: String| Refusal { reason, detail };
    let mut tx = state.db.begin().await?;
    let linked: Option<Account> = sqlx::query_as(
        "select id, email, active, oidc_subject from staff_users where oidc_issuer = $1 and oidc_subject = $2",
    )
    .bind(&identity.issuer)
    .bind(&identity.subject)
    .fetch_optional(&mut *tx)
    .await?;
    // Break-glass admins stay outside the provider's reach: never linked, changed or turned off
    // by it (they are the way back in when the provider or its mapping goes wrong).
    if settings.break_glass.iter().any(|b| b.eq_ignore_ascii_case(&identity.email)) {
        drop(tx);
        return Ok(Err(refusal("break-glass account", identity.email.clone())));
    }
    let is_linked = linked.is_some();
    let account = match linked {
        Some(a) => Some(a),
        None => {
            if !settings.domain_allowed(&identity.email) {
                drop(tx);
                return Ok(Err(refusal("domain not allowed", identity.email.clone())));
            }
            let by_email: Option<Account> =
                sqlx::query_as("select id, email, active, oidc_subject from staff_users where email = $1")
                    .bind(&identity.email)
                    .fetch_optional(&mut *tx)
                    .await?;
            if by_email.as_ref().is_some_and(|a| a.oidc_subject.is_some()) {
                drop(tx);
                return Ok(Err(refusal("linked elsewhere", identity.email.clone())));
            }
            by_email
        }
    };
    let details = |extra: serde_json::Value| {
        let mut d = serde_json::json!({ "method": "sso", "issuer": identity.issuer, "subject": identity.subject });
        if let (Some(d), Some(extra)) = (d.as_object_mut(), extra.as_object()) {
            d.extend(extra.clone());
        }
        d
    };
    let system =
        Actor { kind: ActorKind::System, id: None, label: format!("sso: {}", settings.name), role: String::new() };
    let id = match account {
        Some(account) if !flag(account.active) => {
            drop(tx);
            return Ok(Err(refusal("deactivated", account.email)));
        }
        Some(account) if roles.is_empty() && !is_linked => {
            // Not (yet) this person's account at the provider: refused, left as it is.
            drop(tx);
            return Ok(Err(refusal("no role", account.email)));
        }
        Some(account) if roles.is_empty() => {
            // The provider no longer gives this person a role here: off, at once, on record,
            // without the roles (nothing comes back with a later reactivation).
            sqlx::query("update staff_users set active = 0, updated_at = $1 where id = $2")
                .bind(now)
                .bind(account.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from staff_roles where staff_id = $1").bind(account.id).execute(&mut *tx).await?;
            sqlx::query("delete from sessions where staff_id = $1").bind(account.id).execute(&mut *tx).await?;
            if super::admin::active_admins(&mut tx).await? == 0 {
                drop(tx);
                return Ok(Err(refusal("last admin", account.email)));
            }
            let event = Event {
                actor: &system,
                event: "staff.deactivated",
                object: format!("staff:{}", account.id),
                outcome: Outcome::Success,
                details: details(serde_json::json!({ "reason": "no mapped group", "email": account.email })),
            };
            audit::record(&mut tx, meta, event).await?;
            tx.commit().await?;
            return Ok(Err(refusal("no role", account.email)));
        }
        None if roles.is_empty() => {
            drop(tx);
            return Ok(Err(refusal("no role", identity.email.clone())));
        }
        Some(account) => {
            if account.oidc_subject.is_none() {
                // Only while still unlinked: a concurrent sign-in by another subject loses.
                let linked_now = sqlx::query(
                    "update staff_users set oidc_issuer = $1, oidc_subject = $2, updated_at = $3 \
                     where id = $4 and oidc_subject is null",
                )
                .bind(&identity.issuer)
                .bind(&identity.subject)
                .bind(now)
                .bind(account.id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if linked_now != 1 {
                    drop(tx);
                    return Ok(Err(refusal("linked elsewhere", account.email)));
                }
                let event = Event {
                    actor: &system,
                    event: "staff.sso_linked",
                    object: format!("staff:{}", account.id),
                    outcome: Outcome::Success,
                    details: details(serde_json::json!({ "email": account.email })),
                };
                audit::record(&mut tx, meta, event).await?;
            }
            let before = roles_of(&mut tx, account.id).await?;
            if before != codes {
                sqlx::query("delete from staff_roles where staff_id = $1").bind(account.id).execute(&mut *tx).await?;
                for role in &roles {
                    sqlx::query("insert into staff_roles (staff_id, role, created_at) values ($1, $2, $3)")
                        .bind(account.id)
                        .bind(role.code())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                }
                let event = Event {
                    actor: &system,
                    event: "staff.roles_changed",
                    object: format!("staff:{}", account.id),
                    outcome: Outcome::Success,
                    details: details(serde_json::json!({ "from": before, "to": codes })),
                };
                audit::record(&mut tx, meta, event).await?;
                if super::admin::active_admins(&mut tx).await? == 0 {
                    drop(tx);
                    return Ok(Err(refusal("last admin", account.email)));
                }
            }
            account.id
        }
        None => {
            let email = crate::types::EmailAddress::parse(&identity.email)
                .map_err(|_| AppError::internal("provisioning", "an e-mail address the verifier accepted"))?;
            let id = super::staff::create(&mut tx, &email, &identity.name, &roles, None).await?;
            sqlx::query("update staff_users set oidc_issuer = $1, oidc_subject = $2 where id = $3")
                .bind(&identity.issuer)
                .bind(&identity.subject)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let event = Event {
                actor: &system,
                event: "staff.provisioned",
                object: format!("staff:{id}"),
                outcome: Outcome::Success,
                details: details(serde_json::json!({ "email": identity.email, "roles": codes })),
            };
            audit::record(&mut tx, meta, event).await?;
            id
        }
    };
    sqlx::query("update staff_users set last_sign_in_at = $1 where id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let role_label = codes.join(",");
    let actor = Actor { kind: ActorKind::Staff, id: Some(id), label: identity.email.clone(), role: role_label };
    let event = Event {
        actor: &actor,
        event: "staff.sign_in",
        object: format!("staff:{id}"),
        outcome: Outcome::Success,
        details: details(serde_json::json!({ "factor": "sso" })),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    auth::establish(session, SessionAuth::Staff { id, since: now }, meta).await?;
    Ok(Ok(()))
}

/// With single sign-on configured, a right password still signs in only (a) anyone, when SSO is
/// not required and the account was never linked to the provider (a linked account's roles
/// follow the provider, so its password would outlive a removal there), or (b) a listed
/// break-glass admin. Refused like a wrong password, so the answer tells a guesser nothing; the
/// sign-in page says when passwords are for break-glass admins only.
pub async fn check_password_allowed(
    state: &AppState,
    meta: &RequestMeta,
    staff_id: i64,
    email: &str,
) -> Result<(), AppError> {
    let Some(sso) = &state.sso else { return Ok(()) };
    let (linked, admin): (i64, i64) = sqlx::query_as(
        "select (select count(*) from staff_users where id = $1 and oidc_subject is not null), \
         (select count(*) from staff_roles where staff_id = $1 and role = 'admin')",
    )
    .bind(staff_id)
    .fetch_one(state.db.pool())
    .await?;
    let break_glass = sso.settings.break_glass.iter().any(|b| b.eq_ignore_ascii_case(email.trim())) && admin > 0;
    if break_glass || (!sso.settings.required && linked == 0) {
        return Ok(());
    }
    let actor = Actor { id: Some(staff_id), label: email.to_string(), ..Actor::anonymous() };
    let reason = if linked > 0 { "password of an SSO account" } else { "sso required" };
    let details = serde_json::json!({ "reason": reason });
    state.refusals.note_by(&state.db, meta, &actor, "staff.sign_in", Outcome::Denied, String::new(), details).await;
    Err(super::staff::bad_credentials())
}
