//! The rate limits every instance shares, counted in the database: each attempt adds one to a
//! fixed window's counter in a single atomic statement, so two instances behind one load
//! balancer allow together what one would. Each instance's in-memory limits
//! ([`super::rate_limit`]) still smooth bursts and keep the back-off logic; these bound the sum.
//!
//! A key is the SHA-256 of what is limited (the action, the account as typed, the client
//! source), so the table never holds an address and rows have a fixed size. Old windows are
//! deleted by the periodic clean-up ([`prune`]).

use super::{db::Db, rate_limit::Action, request_meta::source_of};
use crate::{error::AppError, types::Timestamp};
use sha2::{Digest, Sha256};
use std::net::IpAddr;

/// The windows are a quarter of an hour, as the in-memory quotas' periods.
const WINDOW_SECONDS: i64 = 15 * 60;

fn key(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hex::encode(hasher.finalize())
}

fn account(typed: &str) -> String {
    typed.trim().chars().take(super::rate_limit::MAX_ACCOUNT_CHARS).collect::<String>().to_lowercase()
}

/// Counts one attempt against `key`; whether it is within `limit` for the current window.
async fn hit(db: &Db, key: &str, limit: i64) -> Result<bool, AppError> {
    let window = Timestamp::now().0 / WINDOW_SECONDS * WINDOW_SECONDS;
    let (hits,): (i64,) = sqlx::query_as(
        "insert into rate_counters (key, window_start, hits) values ($1, $2, 1) \
         on conflict (key) do update set \
           hits = case when rate_counters.window_start = excluded.window_start then rate_counters.hits + 1 else 1 end, \
           window_start = excluded.window_start \
         returning hits",
    )
    .bind(key)
    .bind(window)
    .fetch_one(db.pool())
    .await?;
    Ok(hits <= limit)
}

/// The shared limits of `action` per window: (per client source, per account), as the
/// in-memory bursts.
fn limits(action: Action) -> (i64, i64) {
    match action {
        Action::SignInLink | Action::PasswordReset | Action::Subscribe | Action::AskNotify => (10, 3),
        Action::Ask => (super::rate_limit::ASK_PER_SOURCE, super::rate_limit::ASK_PER_QUESTION),
        Action::SecondFactor => (30, 5),
    }
}

/// Counts one attempt of `action` for `typed` (an account as typed) from `ip` across every
/// instance; `RateLimited` over the source's or the account's limit. A refused source is not
/// counted against the account.
pub async fn check(db: &Db, action: Action, ip: Option<IpAddr>, typed: &str) -> Result<(), AppError> {
    let name = format!("{action:?}");
    let (per_source, per_account) = limits(action);
    if let Some(source) = ip.map(source_of) {
        if !hit(db, &key(&[&name, "source", &source.to_string()]), per_source).await? {
            return Err(AppError::RateLimited);
        }
    }
    if !hit(db, &key(&[&name, "account", &account(typed)]), per_account).await? {
        return Err(AppError::RateLimited);
    }
    Ok(())
}

/// Counts one staff password attempt across every instance: 30 per source and 5 per account
/// from one source per window (the owner, elsewhere, is not locked out by a stranger).
pub async fn check_staff_password(db: &Db, ip: Option<IpAddr>, typed: &str) -> Result<(), AppError> {
    if let Some(source) = ip.map(source_of) {
        let source = source.to_string();
        if !hit(db, &key(&["staff_password", "source", &source]), 30).await?
            || !hit(db, &key(&["staff_password", "account_source", &account(typed), &source]), 5).await?
        {
            return Err(AppError::RateLimited);
        }
    }
    Ok(())
}

/// Deletes windows that ended more than a window ago.
pub async fn prune(db: &Db) -> Result<u64, AppError> {
    let before = Timestamp::now().0 - 2 * WINDOW_SECONDS;
    Ok(sqlx::query("delete from rate_counters where window_start < $1")
        .bind(before)
        .execute(db.pool())
        .await?
        .rows_affected())
}
