//! Restricted downloads: a signed link is issued after the checks ([`issue`]), and the download
//! route checks everything again, stamps the copy for its recipient, and logs it before the first
//! byte leaves ([`deliver`]). Public documents are counted, not stamped ([`public`]); staff see who
//! downloaded what and trace a leaked copy back to its download ([`history`]).

mod deliver;
mod history;
mod issue;
mod public;

pub use deliver::{deliver, finish, Delivery};
pub use history::{of_company, of_prospect, trace, TraceResult};
pub use issue::issue_link;
pub use public::count_public;

use super::link::LinkProblem;
use crate::{
    error::AppError,
    features::{
        access::server::requests::nda_state,
        accounts::model::{Principal, ProspectUser},
    },
    ssr::{
        audit::{Actor, Outcome},
        refusals::Noted,
        request_meta::RequestMeta,
        AppState,
    },
};

/// Why a download did not happen. The person sees a plain message; the log gets the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not signed in as a prospect.
    SignIn,
    Link(LinkProblem),
    WrongPerson,
    Spent,
    NoGrant,
    /// The access this link or request relied on was revoked.
    Revoked,
    /// The access this link or request relied on has expired.
    Ended,
    NdaNeeded,
    NotStampable,
    Internal,
    /// Too many refused requests from this source: answered `429`, nothing else done.
    TooMany,
}

impl Refusal {
    /// The refusal as the access log records it; the person is told [`Refusal::message`] instead.
    pub fn reason(&self) -> String {
        match self {
            Self::SignIn => "not signed in".into(),
            Self::Link(p) => format!("link {}", p.reason()),
            Self::WrongPerson => "link belongs to someone else".into(),
            Self::Spent => "link already used or unknown".into(),
            Self::NoGrant => "no active grant".into(),
            Self::Revoked => "access revoked".into(),
            Self::Ended => "access expired".into(),
            Self::NdaNeeded => "NDA not current".into(),
            Self::NotStampable => "document could not be stamped".into(),
            Self::Internal => "internal error".into(),
            Self::TooMany => "too many refused requests".into(),
        }
    }

    /// What the person is told.
    pub fn message(&self) -> &'static str {
        match self {
            Self::SignIn => "Please sign in to download this document.",
            Self::Link(LinkProblem::Expired) | Self::Spent => {
                "This download link has expired or was already used. Start the download again from your page."
            }
            Self::Link(_) | Self::WrongPerson => "This download link is not valid for you.",
            Self::NoGrant => "You do not have access to this document.",
            Self::Revoked => {
                "Your access to this document was revoked. If you still need it, ask again from your page."
            }
            Self::Ended => "Your access to this document has ended. You can ask to extend it from your page.",
            Self::NdaNeeded => "Please accept the current NDA before downloading.",
            Self::NotStampable | Self::Internal => {
                "We could not prepare your copy of this document. Our team has been notified."
            }
            Self::TooMany => "Too many attempts. Please wait a few minutes and try again.",
        }
    }
}

/// Logs a refusal and returns what to answer. Refusals are limited and aggregated per source
/// (see [`crate::ssr::refusals`]): anyone can make junk links, and anyone can become a prospect.
/// Past the limit the answer is `TooMany`.
async fn log_refusal(state: &AppState, meta: &RequestMeta, actor: &Actor, object: String, refusal: Refusal) -> Refusal {
    let details = serde_json::json!({ "reason": refusal.reason() });
    let noted =
        state.refusals.note_by(&state.db, meta, actor, "download.refused", Outcome::Denied, object, details).await;
    if noted == Noted::Throttled {
        Refusal::TooMany
    } else {
        refusal
    }
}

fn prospect_of(principal: &Principal) -> Option<&ProspectUser> {
    match principal {
        Principal::Prospect(p) => Some(p),
        _ => None,
    }
}

async fn nda_is_current(state: &AppState, prospect: &ProspectUser) -> Result<bool, AppError> {
    let company: Option<(Option<i64>,)> = sqlx::query_as("select company_id from prospects where id = $1")
        .bind(prospect.id)
        .fetch_optional(state.db.pool())
        .await?;
    match company.and_then(|c| c.0) {
        Some(company) => Ok(nda_state(state, prospect.id, company).await?.is_satisfied()),
        None => Ok(false),
    }
}

/// An id short enough to read off a page: `XXXX-XXXX` from an alphabet without look-alikes.
fn new_download_id() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    let chars: String = (0..8).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// Why access to `document_id` is gone for `prospect_id`, if it once was there: the newest grant
/// that covered it was revoked, or has expired. `None`: there was none (or it is live).
async fn ended_access(state: &AppState, prospect_id: i64, document_id: i64) -> Option<Refusal> {
    let newest: Result<Option<(Option<i64>, i64)>, _> = sqlx::query_as(
        "select g.revoked_at, g.expires_at from grants g join grant_documents gd on gd.grant_id = g.id \
         where g.prospect_id = $1 and gd.document_id = $2 order by g.granted_at desc, g.id desc limit 1",
    )
    .bind(prospect_id)
    .bind(document_id)
    .fetch_optional(state.db.pool())
    .await;
    match newest {
        Ok(Some((Some(_), _))) => Some(Refusal::Revoked),
        Ok(Some((None, expires_at))) if expires_at <= crate::types::Timestamp::now().0 => Some(Refusal::Ended),
        Ok(_) => None,
        Err(err) => Some(internal("reading a grant's standing", err)),
    }
}

/// A refusal for an unexpected failure, logged once here with its detail.
fn internal(what: &str, err: impl std::fmt::Display) -> Refusal {
    tracing::error!(error = %err, "download: {what}");
    Refusal::Internal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_ids_are_short_and_readable() {
        let id = new_download_id();
        assert_eq!(id.len(), 9);
        assert_eq!(&id[4..5], "-");
        assert!(id.chars().all(|c| c == '-' || c.is_ascii_uppercase() || c.is_ascii_digit()));
        assert!(!id.contains('0') && !id.contains('O') && !id.contains('1') && !id.contains('I'));
    }
}
