//! Staff sign-in: password (argon2id), then a TOTP code or a one-time recovery code. Password
//! resets and invitations by mailed link.

use super::{
    compose_mail,
    email_tokens::{self, Purpose},
    staff_actor,
};
use crate::ssr::db::Tx;
use crate::{
    error::AppError,
    features::accounts::model::{EnrolmentMaterial, StaffRole, StaffUser},
    ssr::{
        audit::{self, Actor, Event, Outcome},
        auth::{self, SessionAuth},
        db::flag,
        mail,
        passwords::{self, Password},
        rate_limit::{Action, MAX_ACCOUNT_CHARS},
        refusals::Noted,
        request_meta::{source_of, RequestMeta},
        tokens::sha256_hex,
        totp, AppState,
    },
    types::{EmailAddress, Timestamp},
};
use sqlx::FromRow;
use tower_sessions::Session;

/// Where a correct password leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterPassword {
    /// Enter a code from the authenticator app (or a recovery code).
    SecondFactor,
    /// No authenticator yet: enrol one now.
    EnrolSecondFactor,
}

/// The one answer for a wrong address or a wrong password.
pub fn bad_credentials() -> AppError {
    AppError::invalid("The e-mail address or password is not right.")
}

#[derive(FromRow)]
struct Credentials {
    id: i64,
    password_hash: Option<String>,
    active: i64,
    totp_enabled: i64,
}

/// Checks e-mail and password. Unknown, deactivated and not-yet-invited accounts cost the same
/// argon2 verification as real ones (a dummy hash), and all failures read the same.
pub async fn sign_in(
    state: &AppState,
    meta: &RequestMeta,
    session: &Session,
    email: &str,
    password: Password,
) -> Result<AfterPassword, AppError> {
    let typed: String = email.trim().chars().take(MAX_ACCOUNT_CHARS).collect::<String>().to_lowercase();
    let ip = meta.ip.parse().ok();
    let in_backoff = state.rate_limits.staff_password_attempt(ip, &typed)?;
    crate::ssr::shared_limits::check_staff_password(&state.db, ip, &typed).await?;
    let creds: Option<Credentials> =
        sqlx::query_as("select id, password_hash, active, totp_enabled from staff_users where email = $1")
            .bind(&typed)
            .fetch_optional(state.db.pool())
            .await?;
    // Under a guessing attack from many addresses, only the owner's own recent addresses may
    // try (an unknown account answers the same, so the back-off reveals nothing).
    if in_backoff && !owner_source(state, creds.as_ref().map(|c| c.id), &meta.ip).await? {
        return Err(AppError::RateLimited);
    }
    let usable = creds.as_ref().filter(|c| flag(c.active)).and_then(|c| c.password_hash.clone());
    let ok = passwords::verify(password, usable).await;
    let Some(creds) = creds.filter(|_| ok) else {
        if state.rate_limits.staff_password_failed(&typed) {
            warn_owner(state, &typed).await?;
        }
        // Anyone can send these: limited and aggregated (the first per source and window is
        // written with the account it named; the summary lists up to ten).
        let actor = Actor { label: typed.clone(), ..Actor::anonymous() };
        let details = serde_json::json!({ "reason": "bad credentials" });
        let noted = state
            .refusals
            .note_by(&state.db, meta, &actor, "staff.sign_in", Outcome::Failure, String::new(), details)
            .await;
        return Err(if noted == Noted::Throttled { AppError::RateLimited } else { bad_credentials() });
    };
    super::sso::check_password_allowed(state, meta, creds.id, &typed).await?;
    auth::establish(session, SessionAuth::StaffPending { id: creds.id, since: Timestamp::now().0 }, meta).await?;
    Ok(if flag(creds.totp_enabled) { AfterPassword::SecondFactor } else { AfterPassword::EnrolSecondFactor })
}

/// Whether `ip` is one of the staff member's own sources: in the last 30 days they completed a
/// sign-in, enrolled their authenticator, or set their password from a mailed link there (or in
/// its IPv6 /64). The last is the way in from a new network during a back-off: the warning mail
/// says so, and only the owner receives the reset link.
async fn owner_source(state: &AppState, staff_id: Option<i64>, ip: &str) -> Result<bool, AppError> {
    let (Some(staff_id), Ok(ip)) = (staff_id, ip.parse::<std::net::IpAddr>()) else { return Ok(false) };
    let known: Vec<(String,)> = sqlx::query_as(
        "select distinct ip from access_log where actor_kind = 'staff' and actor_id = $1 and outcome = 'success' \
         and event in ('staff.sign_in', 'staff.two_factor_enrolled', 'staff.password_reset', 'staff.invitation_accepted') \
         and at > $2 limit 500",
    )
    .bind(staff_id)
    .bind(Timestamp::now().0 - 30 * 86_400)
    .fetch_all(state.db.pool())
    .await?;
    let source = source_of(ip);
    Ok(known.iter().filter_map(|(k,)| k.parse().ok()).any(|k| source_of(k) == source))
}

/// Tells an active staff member that their account is under a password-guessing attack (once per
/// back-off), and logs that the back-off started.
async fn warn_owner(state: &AppState, typed: &str) -> Result<(), AppError> {
    let staff: Option<(i64, String)> =
        sqlx::query_as("select id, name from staff_users where email = $1 and active = 1")
            .bind(typed)
            .fetch_optional(state.db.pool())
            .await?;
    let mut tx = state.db.begin().await?;
    if let Some((_, name)) = &staff {
        let vars = serde_json::json!({
            "minutes": crate::ssr::rate_limit::BACKOFF.as_secs() / 60,
            "link": state.config.base_url.join("/staff/reset"),
        });
        let mail = compose_mail(state, "sign_in_attempts", typed, name, vars).await?;
        mail::enqueue(&mut tx, &mail).await?;
    }
    let actor = Actor { id: staff.as_ref().map(|(id, _)| *id), label: typed.to_string(), ..Actor::anonymous() };
    let event = Event {
        actor: &actor,
        event: "staff.sign_in_backoff",
        object: String::new(),
        outcome: Outcome::Denied,
        details: serde_json::json!({ "minutes": crate::ssr::rate_limit::BACKOFF.as_secs() / 60 }),
    };
    audit::record(&mut tx, &RequestMeta::system("sign-in back-off"), event).await?;
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(())
}

/// Recovery codes look like `abcd-efgh-jkmn` (no easily confused letters).
fn looks_like_recovery_code(code: &str) -> bool {
    code.trim().len() == 14 && code.trim().chars().filter(|c| *c == '-').count() == 2
}

/// Completes sign-in with a TOTP code (each time step accepted once) or an unused recovery code.
pub async fn verify_second_factor(
    state: &AppState,
    meta: &RequestMeta,
    session: &Session,
    staff: &StaffUser,
    code: &str,
) -> Result<(), AppError> {
    state.rate_limits.check(Action::SecondFactor, meta.ip.parse().ok(), &staff.email)?;
    crate::ssr::shared_limits::check(&state.db, Action::SecondFactor, meta.ip.parse().ok(), &staff.email).await?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let accepted = if looks_like_recovery_code(code) {
        let used = sqlx::query(
            "update recovery_codes set used_at = $1 where staff_id = $2 and code_hash = $3 and used_at is null",
        )
        .bind(now)
        .bind(staff.id)
        .bind(sha256_hex(code.trim().to_lowercase().as_bytes()))
        .execute(&mut *tx)
        .await?;
        used.rows_affected() == 1
    } else {
        let (sealed, last_step): (Option<String>, i64) =
            sqlx::query_as("select totp_secret, totp_last_step from staff_users where id = $1")
                .bind(staff.id)
                .fetch_one(&mut *tx)
                .await?;
        let secret = sealed.and_then(|sealed| {
            let opened = state.secrets.open(&totp_context(staff.id), &sealed);
            if opened.is_none() {
                tracing::error!(staff_id = staff.id, "a stored TOTP secret does not open with VOUCHSAFE_SECRETS_KEY");
            }
            opened
        });
        match secret.and_then(|s| totp::verify(&s, code, last_step, now as u64)) {
            // Conditional on the stored step, so a concurrent replay of the same code fails.
            Some(step) => {
                sqlx::query("update staff_users set totp_last_step = $1 where id = $2 and totp_last_step < $1")
                    .bind(step)
                    .bind(staff.id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    == 1
            }
            None => false,
        }
    };
    let actor = staff_actor(staff);
    let event = Event {
        actor: &actor,
        event: "staff.sign_in",
        object: format!("staff:{}", staff.id),
        outcome: if accepted { Outcome::Success } else { Outcome::Failure },
        details: serde_json::json!({ "factor": if looks_like_recovery_code(code) { "recovery_code" } else { "totp" } }),
    };
    audit::record(&mut tx, meta, event).await?;
    if accepted {
        sqlx::query("update staff_users set last_sign_in_at = $1 where id = $2")
            .bind(now)
            .bind(staff.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    if !accepted {
        return Err(AppError::field("code", "That code is not right, or was already used. Try the next one."));
    }
    auth::establish(session, SessionAuth::Staff { id: staff.id, since: now }, meta).await
}

/// Enrolment material: the secret is kept in the session (not the database) until confirmed,
/// sealed like the stored one (sessions live in the database too).
const PENDING_SECRET_KEY: &str = "pending_totp_secret";

/// What a staff member's stored TOTP secret is sealed to (see [`crate::ssr::keys::SecretsKey`]).
pub fn totp_context(staff_id: i64) -> String {
    format!("totp:staff:{staff_id}")
}

fn pending_context(staff_id: i64) -> String {
    format!("totp:pending:{staff_id}")
}

/// Seals TOTP secrets that an older version stored in plain text; returns how many. Run at
/// start-up, before anyone signs in.
pub async fn seal_plain_totp_secrets(
    db: &crate::ssr::db::Db,
    key: &crate::ssr::keys::SecretsKey,
) -> Result<usize, AppError> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("select id, totp_secret from staff_users where totp_secret is not null")
            .fetch_all(db.pool())
            .await?;
    let mut sealed = 0;
    for (id, secret) in rows.into_iter().filter(|(_, s)| !crate::ssr::keys::SecretsKey::is_sealed(s)) {
        // Conditional on the old value, so a concurrent enrolment is never overwritten.
        let done = sqlx::query("update staff_users set totp_secret = $1 where id = $2 and totp_secret = $3")
            .bind(key.seal(&totp_context(id), &secret))
            .bind(id)
            .bind(&secret)
            .execute(db.pool())
            .await?;
        sealed += done.rows_affected() as usize;
    }
    Ok(sealed)
}

/// The TOTP secret being set up (kept sealed in the session, so a reload shows the same one)
/// with its `otpauth://` URL and QR code, issued in the published company's name.
pub async fn enrolment_material(
    state: &AppState,
    session: &Session,
    staff: &StaffUser,
) -> Result<EnrolmentMaterial, AppError> {
    let pending = session.get::<String>(PENDING_SECRET_KEY).await.ok().flatten();
    let secret = match pending.and_then(|sealed| state.secrets.open(&pending_context(staff.id), &sealed)) {
        Some(secret) => secret,
        None => {
            let secret = totp::new_secret();
            let sealed = state.secrets.seal(&pending_context(staff.id), &secret);
            session.insert(PENDING_SECRET_KEY, &sealed).await.map_err(|e| AppError::internal("session", e))?;
            secret
        }
    };
    let branding = crate::features::trust_center::server::branding(&state.db, state.config.base_url.as_str()).await?;
    let issuer = format!("{} Trust Center", branding.company);
    let url = totp::otpauth_url(&secret, &issuer, &staff.email).ok_or_else(|| AppError::internal("totp", "url"))?;
    let qr = totp::qr_data_uri(&url).ok_or_else(|| AppError::internal("totp", "qr"))?;
    Ok(EnrolmentMaterial { secret, otpauth_url: url, qr_data_uri: qr })
}

/// Confirms enrolment with a first code; stores the secret, creates ten recovery codes (returned
/// once, stored hashed) and completes the sign-in.
pub async fn confirm_enrolment(
    state: &AppState,
    meta: &RequestMeta,
    session: &Session,
    staff: &StaffUser,
    code: &str,
) -> Result<Vec<String>, AppError> {
    let secret: String = session
        .get::<String>(PENDING_SECRET_KEY)
        .await
        .ok()
        .flatten()
        .and_then(|sealed| state.secrets.open(&pending_context(staff.id), &sealed))
        .ok_or_else(|| AppError::invalid("The setup expired. Scan the new code and try again."))?;
    let now = Timestamp::now().0;
    let step = totp::verify(&secret, code, 0, now as u64)
        .ok_or_else(|| AppError::field("code", "That code does not match. Check the app's clock and try again."))?;
    let codes = new_recovery_codes();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "update staff_users set totp_secret = $1, totp_enabled = 1, totp_last_step = $2, last_sign_in_at = $3, \
         updated_at = $3 where id = $4",
    )
    .bind(state.secrets.seal(&totp_context(staff.id), &secret))
    .bind(step)
    .bind(now)
    .bind(staff.id)
    .execute(&mut *tx)
    .await?;
    store_recovery_codes(&mut tx, staff.id, &codes).await?;
    let actor = staff_actor(staff);
    let event = Event {
        actor: &actor,
        event: "staff.two_factor_enrolled",
        object: format!("staff:{}", staff.id),
        outcome: Outcome::Success,
        details: serde_json::json!({}),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    let _ = session.remove_value(PENDING_SECRET_KEY).await;
    auth::establish(session, SessionAuth::Staff { id: staff.id, since: now }, meta).await?;
    Ok(codes)
}

/// Ten codes of 12 characters from an alphabet without look-alikes: about 60 bits each.
fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    (0..10)
        .map(|_| {
            let chars: String = (0..12).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect();
            format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
        })
        .collect()
}

async fn store_recovery_codes(tx: &mut Tx, staff_id: i64, codes: &[String]) -> Result<(), AppError> {
    sqlx::query("delete from recovery_codes where staff_id = $1").bind(staff_id).execute(&mut **tx).await?;
    let now = Timestamp::now().0;
    for code in codes {
        sqlx::query("insert into recovery_codes (staff_id, code_hash, created_at) values ($1, $2, $3)")
            .bind(staff_id)
            .bind(sha256_hex(code.as_bytes()))
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Mails a reset link if the address belongs to an active staff member with a password. The
/// answer never says which.
pub async fn request_reset(state: &AppState, meta: &RequestMeta, email: &str) -> Result<(), AppError> {
    let typed: String = email.trim().chars().take(MAX_ACCOUNT_CHARS).collect::<String>().to_lowercase();
    state.rate_limits.check(Action::PasswordReset, meta.ip.parse().ok(), &typed)?;
    crate::ssr::shared_limits::check(&state.db, Action::PasswordReset, meta.ip.parse().ok(), &typed).await?;
    let staff: Option<(i64, String)> = sqlx::query_as(
        "select id, name from staff_users where email = $1 and active = 1 and password_hash is not null",
    )
    .bind(&typed)
    .fetch_optional(state.db.pool())
    .await?;
    let Some((id, name)) = staff else {
        // No such account: nothing happens, and anyone can ask, so the row is aggregated.
        let actor = Actor { label: typed.clone(), ..Actor::anonymous() };
        let event = "staff.password_reset_requested";
        state
            .refusals
            .note_by(&state.db, meta, &actor, event, Outcome::Failure, String::new(), serde_json::json!({}))
            .await;
        return Ok(());
    };
    let mut tx = state.db.begin().await?;
    let token = email_tokens::issue(&mut tx, Purpose::PasswordReset, &typed, serde_json::json!({})).await?;
    let link = state.config.base_url.join(&format!("/staff/reset/confirm?token={}", token.expose()));
    let vars = serde_json::json!({ "link": link, "minutes": Purpose::PasswordReset.lifetime_minutes() });
    let mail = compose_mail(state, "password_reset", &typed, &name, vars).await?;
    mail::enqueue(&mut tx, &mail).await?;
    let actor = Actor { id: Some(id), label: typed.clone(), ..Actor::anonymous() };
    let event = Event {
        actor: &actor,
        event: "staff.password_reset_requested",
        object: String::new(),
        outcome: Outcome::Success,
        details: serde_json::json!({}),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    state.mailer.wake.notify_one();
    Ok(())
}

/// Sets a new password from a reset or invitation link, and ends every session of that person.
pub async fn set_password_from_link(
    state: &AppState,
    meta: &RequestMeta,
    purpose: Purpose,
    token: &str,
    password: &str,
) -> Result<(), AppError> {
    // Validate the link before hashing: argon2 is not spent on junk.
    let email = email_tokens::peek(&state.db, purpose, token).await?.ok_or_else(email_tokens::unusable)?;
    let password = Password::parse_new(password, &email).map_err(|m| AppError::field("password", m))?;
    let hash = passwords::hash(password).await?;
    let mut tx = state.db.begin().await?;
    let redeemed = email_tokens::redeem(&mut tx, purpose, token).await?;
    let now = Timestamp::now().0;
    let staff: Option<(i64,)> = sqlx::query_as(
        "update staff_users set password_hash = $1, updated_at = $2 where email = $3 and active = 1 returning id",
    )
    .bind(&hash)
    .bind(now)
    .bind(&redeemed.email)
    .fetch_optional(&mut *tx)
    .await?;
    let (id,) = staff.ok_or_else(email_tokens::unusable)?;
    let actor =
        Actor { kind: crate::ssr::audit::ActorKind::Staff, id: Some(id), label: redeemed.email, role: String::new() };
    let event = Event {
        actor: &actor,
        event: match purpose {
            Purpose::StaffInvite => "staff.invitation_accepted",
            _ => "staff.password_reset",
        },
        object: format!("staff:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({}),
    };
    audit::record(&mut tx, meta, event).await?;
    // After the log row: it checks the session this request rides on, which may be one of these.
    sqlx::query("delete from sessions where staff_id = $1").bind(id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Creates a staff member (no password yet unless given) with `roles`. Used by the CLI and by
/// invitations.
pub async fn create(
    tx: &mut Tx,
    email: &EmailAddress,
    name: &str,
    roles: &[StaffRole],
    password_hash: Option<String>,
) -> Result<i64, AppError> {
    let now = Timestamp::now().0;
    let existing: Option<(i64,)> = sqlx::query_as("select id from staff_users where email = $1")
        .bind(email.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    if existing.is_some() {
        return Err(AppError::field("email", "A staff member with this address already exists."));
    }
    let (id,): (i64,) = sqlx::query_as(
        "insert into staff_users (email, name, password_hash, created_at, updated_at) values ($1, $2, $3, $4, $4) \
         returning id",
    )
    .bind(email.as_str())
    .bind(name)
    .bind(password_hash)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for role in roles {
        sqlx::query("insert into staff_roles (staff_id, role, created_at) values ($1, $2, $3)")
            .bind(id)
            .bind(role.code())
            .bind(now)
            .execute(&mut **tx)
            .await?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_distinct_and_recognisable() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
        assert!(codes.iter().all(|c| looks_like_recovery_code(c)));
        assert!(!looks_like_recovery_code("123456"));
    }
}
