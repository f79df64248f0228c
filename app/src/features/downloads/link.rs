//! Download links: JWTs signed with HMAC-SHA-256, valid for five minutes at most, bound to the
//! person, the grant and the document version, and spent on first use (their `jti` is recorded).
//!
//! Verification pins the algorithm (HS256 only: `none`, RS256 or HS512 tokens are refused), the
//! audience and the issuer, and allows no clock leeway.

use crate::ssr::keys::LinkKey;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// The `aud` every link carries; `verify` refuses any other.
pub const AUDIENCE: &str = "vouchsafe-download";
/// Links live at most this long.
pub const LIFETIME_SECONDS: i64 = 300;

/// What a download link carries: who may use it (`sub`), through which grant, for which
/// document version, and until when (`iat`, `exp` in Unix seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    /// The prospect, as a string.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    /// The link's id, spent on use.
    pub jti: String,
    pub grant: i64,
    pub document: i64,
    pub version: i64,
}

/// Signs `claims` with HS256 under `key`. The caller sets the lifetime, at most
/// [`LIFETIME_SECONDS`], or `verify` refuses the link.
pub fn sign(key: &LinkKey, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
    encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(&key.0))
}

/// Why a link was refused (recorded in the access log; the person sees one message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkProblem {
    Expired,
    Invalid(String),
}

impl LinkProblem {
    /// The refusal as the access log records it (`expired`, or `invalid: ` and the cause).
    pub fn reason(&self) -> String {
        match self {
            Self::Expired => "expired".into(),
            Self::Invalid(why) => format!("invalid: {why}"),
        }
    }
}

/// The claims of a link signed with `key` for `issuer`, checked as of `now` (Unix seconds):
/// HS256 only, our audience, no leeway, at most [`LIFETIME_SECONDS`] long. Whether its `jti` is
/// spent and its `sub` is the caller is for the caller to check.
pub fn verify(key: &LinkKey, issuer: &str, token: &str, now: i64) -> Result<Claims, LinkProblem> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.algorithms = vec![Algorithm::HS256];
    validation.set_audience(&[AUDIENCE]);
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    validation.leeway = 0;
    let data = decode::<Claims>(token, &DecodingKey::from_secret(&key.0), &validation).map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::ExpiredSignature => LinkProblem::Expired,
        other => LinkProblem::Invalid(format!("{other:?}")),
    })?;
    let claims = data.claims;
    // Belt and braces: the library checks `exp`; a lifetime longer than ours means the token was
    // not made by `issue`, whatever its signature.
    if claims.exp <= now {
        return Err(LinkProblem::Expired);
    }
    if claims.exp - claims.iat > LIFETIME_SECONDS || claims.iat > now + 5 {
        return Err(LinkProblem::Invalid("lifetime".into()));
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(now: i64) -> Claims {
        Claims {
            iss: "https://trust.example".into(),
            aud: AUDIENCE.into(),
            sub: "7".into(),
            iat: now,
            exp: now + LIFETIME_SECONDS,
            jti: "j1".into(),
            grant: 1,
            document: 2,
            version: 3,
        }
    }

    #[test]
    fn a_signed_link_verifies_and_a_tampered_one_does_not() {
        let key = LinkKey([7; 32]);
        let now = 1_900_000_000;
        let token = sign(&key, &claims(now)).unwrap();
        assert_eq!(verify(&key, "https://trust.example", &token, now + 10).unwrap(), claims(now));
        assert!(verify(&LinkKey([8; 32]), "https://trust.example", &token, now).is_err(), "other key");
        assert!(verify(&key, "https://other.example", &token, now).is_err(), "other issuer");
        let mut flipped = token.clone().into_bytes();
        let mid = flipped.len() / 2;
        flipped[mid] = if flipped[mid] == b'A' { b'B' } else { b'A' };
        assert!(verify(&key, "https://trust.example", std::str::from_utf8(&flipped).unwrap(), now).is_err());
    }

    #[test]
    fn long_lived_or_foreign_audience_tokens_are_refused() {
        let key = LinkKey([7; 32]);
        let now = 1_900_000_000;
        let mut long = claims(now);
        long.exp = now + 3600;
        assert!(verify(&key, "https://trust.example", &sign(&key, &long).unwrap(), now).is_err());
        let mut other = claims(now);
        other.aud = "something-else".into();
        assert!(verify(&key, "https://trust.example", &sign(&key, &other).unwrap(), now).is_err());
        let header = Header::new(Algorithm::HS512);
        let hs512 = encode(&header, &claims(now), &EncodingKey::from_secret(&key.0)).unwrap();
        assert!(verify(&key, "https://trust.example", &hs512, now).is_err(), "algorithm pinned");
    }
}
