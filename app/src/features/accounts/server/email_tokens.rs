//! One-time links sent by e-mail. The database keeps only each token's SHA-256; a token is
//! redeemed once, inside the transaction of what it authorises.

use crate::ssr::db::Tx;
use crate::{error::AppError, ssr::tokens::Token, types::Timestamp};

/// What a mailed link is for; a token redeems only for the purpose it was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    ProspectSignIn,
    PasswordReset,
    StaffInvite,
}

impl Purpose {
    /// The code stored in `email_tokens.purpose`.
    pub fn code(self) -> &'static str {
        match self {
            Self::ProspectSignIn => "prospect_sign_in",
            Self::PasswordReset => "password_reset",
            Self::StaffInvite => "staff_invite",
        }
    }

    /// How long a link stays valid.
    pub fn lifetime_seconds(self) -> i64 {
        match self {
            Self::ProspectSignIn => 15 * 60,
            Self::PasswordReset => 30 * 60,
            Self::StaffInvite => 72 * 3600,
        }
    }

    /// How long a link stays valid, in whole minutes, as the mails state it.
    pub fn lifetime_minutes(self) -> i64 {
        self.lifetime_seconds() / 60
    }
}

/// A redeemed token: whom it was for and what it carried.
#[derive(Debug, Clone)]
pub struct Redeemed {
    pub email: String,
    pub payload: serde_json::Value,
}

/// The message for a link that cannot be used, whatever the reason (unknown, used, expired):
/// telling them apart would only help someone guessing.
pub fn unusable() -> AppError {
    AppError::invalid("This link has expired or has already been used. Please ask for a new one.")
}

/// Creates a token for `email`.
pub async fn issue(tx: &mut Tx, purpose: Purpose, email: &str, payload: serde_json::Value) -> Result<Token, AppError> {
    let token = Token::generate();
    let now = Timestamp::now().0;
    sqlx::query(
        "insert into email_tokens (token_hash, purpose, email, payload, expires_at, created_at) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token.hash())
    .bind(purpose.code())
    .bind(email)
    .bind(payload.to_string())
    .bind(now + purpose.lifetime_seconds())
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(token)
}

/// Consumes `token`. Marking it used is conditional on it still being unused, so two
/// simultaneous confirmations cannot both succeed.
pub async fn redeem(tx: &mut Tx, purpose: Purpose, token: &str) -> Result<Redeemed, AppError> {
    let token = Token::parse(token).ok_or_else(unusable)?;
    let now = Timestamp::now().0;
    let row: Option<(i64, String, String)> = sqlx::query_as(
        "select id, email, payload from email_tokens where token_hash = $1 and purpose = $2 \
         and used_at is null and expires_at > $3",
    )
    .bind(token.hash())
    .bind(purpose.code())
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let (id, email, payload) = row.ok_or_else(unusable)?;
    let marked = sqlx::query("update email_tokens set used_at = $1 where id = $2 and used_at is null")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    if marked.rows_affected() != 1 {
        return Err(unusable());
    }
    Ok(Redeemed { email, payload: serde_json::from_str(&payload).unwrap_or_default() })
}

/// The address a still-usable token was sent to, without consuming it (for confirmation pages).
pub async fn peek(db: &crate::ssr::db::Db, purpose: Purpose, token: &str) -> Result<Option<String>, AppError> {
    let Some(token) = Token::parse(token) else { return Ok(None) };
    let row: Option<(String,)> = sqlx::query_as(
        "select email from email_tokens where token_hash = $1 and purpose = $2 and used_at is null and expires_at > $3",
    )
    .bind(token.hash())
    .bind(purpose.code())
    .bind(Timestamp::now().0)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(email,)| email))
}
