//! Restricted downloads: a signed link is issued after the checks, and the download route checks
//! everything again, stamps the copy for its recipient, and logs it before the first byte leaves.

use super::link::{self, Claims, LinkProblem};
use crate::{
    error::AppError,
    features::{
        access::{
            model::DownloadSummary,
            server::{grants, requests::nda_state},
        },
        accounts::{
            model::{Principal, ProspectUser},
            server::{compose_mail, prospect_actor},
        },
        documents::{model::Visibility, server as docs},
    },
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        mail,
        refusals::Noted,
        request_meta::RequestMeta,
        storage::sha256_hex,
        watermark::{stamp_pdf, Stamp},
        AppState,
    },
    types::Timestamp,
};
use serde::{Deserialize, Serialize};

/// Why a download did not happen. The person sees a plain message; the log gets the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not signed in as a prospect.
    SignIn,
    Link(LinkProblem),
    WrongPerson,
    Spent,
    NoGrant,
    NdaNeeded,
    NotStampable,
    Internal,
    /// Too many refused requests from this source: answered `429`, nothing else done.
    TooMany,
}

impl Refusal {
    pub fn reason(&self) -> String {
        match self {
            Self::SignIn => "not signed in".into(),
            Self::Link(p) => format!("link {}", p.reason()),
            Self::WrongPerson => "link belongs to someone else".into(),
            Self::Spent => "link already used or unknown".into(),
            Self::NoGrant => "no active grant".into(),
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
            Self::NoGrant => "You do not have access to this document (any more).",
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

/// Checks access and issues a five-minute, single-use link to the document's current version.
pub async fn issue_link(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    slug: &str,
) -> Result<String, Refusal> {
    let Some(prospect) = prospect_of(principal) else { return Err(Refusal::SignIn) };
    let actor = prospect_actor(prospect);
    let stored = match docs::current_version(&state.db, slug).await {
        Ok(s) if s.document.visibility == Visibility::Restricted => s,
        Ok(_) | Err(AppError::NotFound) => return Err(Refusal::NoGrant),
        // Logged where it became an AppError.
        Err(_) => return Err(Refusal::Internal),
    };
    let object = format!("document:{}", stored.document_id);
    let grant =
        grants::active_grant_for(&state.db, prospect.id, stored.document_id).await.map_err(|_| Refusal::Internal)?;
    let refusal = match (grant, nda_is_current(state, prospect).await) {
        (_, Err(_)) => Some(Refusal::Internal),
        (None, _) => Some(Refusal::NoGrant),
        (Some(_), Ok(false)) => Some(Refusal::NdaNeeded),
        _ => None,
    };
    if let Some(refusal) = refusal {
        return Err(log_refusal(state, meta, &actor, object, refusal).await);
    }
    let grant = grant.unwrap_or_default();
    let now = Timestamp::now().0;
    let claims = Claims {
        iss: state.config.base_url.as_str().to_string(),
        aud: link::AUDIENCE.into(),
        sub: prospect.id.to_string(),
        iat: now,
        exp: now + link::LIFETIME_SECONDS,
        jti: hex::encode(rand::random::<[u8; 16]>()),
        grant,
        document: stored.document_id,
        version: stored.version_id,
    };
    let token = link::sign(&state.link_key, &claims).map_err(|_| Refusal::Internal)?;
    let result: Result<(), AppError> = async {
        let mut tx = state.db.begin().await?;
        sqlx::query(
            "insert into download_links (jti, prospect_id, grant_id, document_id, version_id, issued_at, expires_at) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&claims.jti)
        .bind(prospect.id)
        .bind(grant)
        .bind(stored.document_id)
        .bind(stored.version_id)
        .bind(now)
        .bind(claims.exp)
        .execute(&mut *tx)
        .await?;
        let event = Event {
            actor: &actor,
            event: "download.link_issued",
            object: object.clone(),
            outcome: Outcome::Success,
            details: serde_json::json!({ "jti": claims.jti, "grant_id": grant, "version": stored.document.version,
                "expires_at": claims.exp }),
        };
        audit::record(&mut tx, state.db.backend(), meta, event).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    result.map_err(|_| Refusal::Internal)?;
    Ok(format!("/download/{token}"))
}

/// A stamped copy, ready to send; its log row is already written.
#[derive(Debug)]
pub struct Delivery {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub download_id: String,
}

/// An id short enough to read off a page: `XXXX-XXXX` from an alphabet without look-alikes.
fn new_download_id() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    let chars: String = (0..8).map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char).collect();
    format!("{}-{}", &chars[..4], &chars[4..])
}

/// Verifies the link and everything behind it, stamps the copy and records the download (with
/// the SHA-256 of the exact bytes about to be sent) before returning it.
pub async fn deliver(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    token: &str,
) -> Result<Delivery, Refusal> {
    let now = Timestamp::now().0;
    let actor = prospect_of(principal).map(prospect_actor).unwrap_or_else(Actor::anonymous);
    let claims = match link::verify(&state.link_key, state.config.base_url.as_str(), token, now) {
        Ok(c) => c,
        Err(problem) => return Err(log_refusal(state, meta, &actor, String::new(), Refusal::Link(problem)).await),
    };
    let object = format!("document:{}", claims.document);
    let refuse = |refusal: Refusal| async { Err(log_refusal(state, meta, &actor, object.clone(), refusal).await) };
    let Some(prospect) = prospect_of(principal) else { return refuse(Refusal::SignIn).await };
    if prospect.id.to_string() != claims.sub {
        return refuse(Refusal::WrongPerson).await;
    }
    // Spend the link first: whatever happens next, it never works twice.
    let spent = sqlx::query(
        "update download_links set used_at = $1 where jti = $2 and prospect_id = $3 and used_at is null and expires_at > $1",
    )
    .bind(now)
    .bind(&claims.jti)
    .bind(prospect.id)
    .execute(state.db.pool())
    .await;
    match spent {
        Ok(done) if done.rows_affected() == 1 => {}
        Ok(_) => return refuse(Refusal::Spent).await,
        Err(err) => return refuse(internal("spending a download link", err)).await,
    }
    let granted = match state.db.pool().acquire().await {
        Ok(mut conn) => live_grant(&mut conn, &claims, prospect.id, now).await,
        Err(err) => Err(internal("taking a database connection", err)),
    };
    match granted {
        Ok(true) => {}
        Ok(false) => return refuse(Refusal::NoGrant).await,
        Err(refusal) => return refuse(refusal).await,
    }
    match nda_is_current(state, prospect).await {
        Ok(true) => {}
        Ok(false) => return refuse(Refusal::NdaNeeded).await,
        Err(_) => return refuse(Refusal::Internal).await,
    }
    let version: Result<Option<(String, String, i64, String)>, _> = sqlx::query_as(
        "select v.sha256, v.file_name, v.version, d.title from document_versions v join documents d on d.id = v.document_id \
         where v.id = $1 and v.document_id = $2",
    )
    .bind(claims.version)
    .bind(claims.document)
    .fetch_optional(state.db.pool())
    .await;
    let (sha, file_name, version_number, title) = match version {
        Ok(Some(version)) => version,
        Ok(None) => {
            tracing::error!(document = claims.document, version = claims.version, "a linked document version is gone");
            return refuse(Refusal::Internal).await;
        }
        Err(err) => return refuse(internal("reading a document version", err)).await,
    };
    let original = match state.files.get(&sha).await {
        Ok(bytes) => bytes,
        Err(err) => return refuse(internal("reading a stored document", err)).await,
    };
    let download_id = new_download_id();
    let stamp = Stamp {
        name: prospect.name.clone(),
        company: prospect.company.clone(),
        email: prospect.email.clone(),
        date: Timestamp(now).date().to_string(),
        download_id: download_id.clone(),
    };
    // On the blocking pool; a parser panic is a refusal, never a crash or an unstamped copy.
    let stamped = tokio::task::spawn_blocking(move || stamp_pdf(&original, &stamp)).await;
    let bytes = match stamped {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) => {
            tracing::error!(error = %err, document = claims.document, "a document could not be stamped");
            return refuse(Refusal::NotStampable).await;
        }
        Err(_) => {
            tracing::error!(document = claims.document, "stamping panicked");
            return refuse(Refusal::NotStampable).await;
        }
    };
    let delivered_sha = sha256_hex(&bytes);
    let receipt = compose_mail(
        state,
        "download_receipt",
        &prospect.email,
        &prospect.name,
        serde_json::json!({ "document": title, "version": version_number, "download_id": download_id,
            "at": Timestamp(now).long(), "link": state.config.base_url.join("/account") }),
    )
    .await;
    let Ok(receipt) = receipt else { return refuse(Refusal::Internal).await };
    let recorded: Result<Result<(), Refusal>, AppError> = async {
        let mut tx = state.db.begin().await?;
        // Stamping takes a while: a revocation or expiry that committed meanwhile wins. Checked
        // in the transaction that records the download, so no revoke can slip in between.
        match live_grant(&mut tx, &claims, prospect.id, Timestamp::now().0).await {
            Ok(true) => {}
            Ok(false) => return Ok(Err(Refusal::NoGrant)),
            Err(refusal) => return Ok(Err(refusal)),
        }
        sqlx::query(
            "insert into downloads (id, jti, prospect_id, company_id, grant_id, document_id, version_id, delivered_sha256, \
             byte_size, status, started_at, ip, user_agent) \
             values ($1, $2, $3, (select company_id from prospects where id = $3), $4, $5, $6, $7, $8, 'started', $9, $10, $11)",
        )
        .bind(&download_id)
        .bind(&claims.jti)
        .bind(prospect.id)
        .bind(claims.grant)
        .bind(claims.document)
        .bind(claims.version)
        .bind(&delivered_sha)
        .bind(bytes.len() as i64)
        .bind(now)
        .bind(&meta.ip)
        .bind(&meta.user_agent)
        .execute(&mut *tx)
        .await?;
        let event = Event {
            actor: &actor,
            event: "download.started",
            object: object.clone(),
            outcome: Outcome::Success,
            details: serde_json::json!({ "download_id": download_id, "title": title, "version": version_number,
                "bytes": bytes.len(), "sha256": delivered_sha, "grant_id": claims.grant }),
        };
        audit::record(&mut tx, state.db.backend(), meta, event).await?;
        mail::enqueue(&mut tx, &receipt).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    match recorded {
        Ok(Ok(())) => {}
        Ok(Err(refusal)) => return refuse(refusal).await,
        // No log row, no bytes. (The failure was logged where it became an AppError.)
        Err(_) => return Err(Refusal::Internal),
    }
    state.mailer.wake.notify_one();
    Ok(Delivery { bytes, file_name, download_id })
}

/// A refusal for an unexpected failure, logged once here with its detail.
fn internal(what: &str, err: impl std::fmt::Display) -> Refusal {
    tracing::error!(error = %err, "download: {what}");
    Refusal::Internal
}

/// Whether the link's grant still covers its document for this prospect: not revoked, not
/// expired. Read through `conn`, so a caller can ask inside its transaction.
async fn live_grant(
    conn: &mut sqlx::AnyConnection,
    claims: &Claims,
    prospect_id: i64,
    now: i64,
) -> Result<bool, Refusal> {
    let grant: Result<Option<(i64,)>, _> = sqlx::query_as(
        "select g.id from grants g join grant_documents gd on gd.grant_id = g.id where g.id = $1 and g.prospect_id = $2 \
         and gd.document_id = $3 and g.revoked_at is null and g.expires_at > $4",
    )
    .bind(claims.grant)
    .bind(prospect_id)
    .bind(claims.document)
    .bind(now)
    .fetch_optional(conn)
    .await;
    grant.map(|g| g.is_some()).map_err(|err| internal("checking a grant", err))
}

/// Records how a started download ended: all bytes sent, or the connection dropped.
pub async fn finish(state: &AppState, meta: &RequestMeta, download_id: &str, completed: bool, bytes_sent: usize) {
    let now = Timestamp::now().0;
    let result: Result<(), AppError> = async {
        let row: Option<(Option<i64>, i64, String)> =
            sqlx::query_as("select prospect_id, document_id, delivered_sha256 from downloads where id = $1")
                .bind(download_id)
                .fetch_optional(state.db.pool())
                .await?;
        let Some((prospect_id, document_id, sha)) = row else { return Ok(()) };
        let mut tx = state.db.begin().await?;
        sqlx::query("update downloads set status = $1, finished_at = $2 where id = $3 and status = 'started'")
            .bind(if completed { "completed" } else { "aborted" })
            .bind(now)
            .bind(download_id)
            .execute(&mut *tx)
            .await?;
        // An anonymous download of a public document keeps its outcome in `downloads` only: anyone
        // can start those at will, and they are counted, not logged one by one (see `count_public`).
        let Some(prospect_id) = prospect_id else { return Ok(tx.commit().await?) };
        let (email,): (String,) = sqlx::query_as("select email from prospects where id = $1")
            .bind(prospect_id)
            .fetch_one(state.db.pool())
            .await?;
        let actor =
            Actor { kind: audit::ActorKind::Prospect, id: Some(prospect_id), label: email, role: String::new() };
        let event = Event {
            actor: &actor,
            event: if completed { "download.completed" } else { "download.aborted" },
            object: format!("document:{document_id}"),
            outcome: if completed { Outcome::Success } else { Outcome::Failure },
            details: serde_json::json!({ "download_id": download_id, "bytes_sent": bytes_sent, "sha256": sha }),
        };
        audit::record(&mut tx, state.db.backend(), meta, event).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::error!(error = %err, "could not record the end of a download");
    }
}

/// A public document: no stamp; every download is counted in `downloads` (for analytics), and the
/// access log gets the first per source and window with a count of the rest (anyone can download
/// public documents in a loop). `Ok(None)`: the source is over its limit; answer `429`.
pub async fn count_public(
    state: &AppState,
    meta: &RequestMeta,
    stored: &docs::StoredVersion,
    bytes: usize,
) -> Result<Option<String>, AppError> {
    let download_id = new_download_id();
    let now = Timestamp::now().0;
    let details = serde_json::json!({ "download_id": download_id, "public": true, "title": stored.document.title,
        "version": stored.document.version, "bytes": bytes, "sha256": stored.sha256 });
    let object = format!("document:{}", stored.document_id);
    let actor = Actor::anonymous();
    let noted =
        state.refusals.note_by(&state.db, meta, &actor, "download.started", Outcome::Success, object, details).await;
    if noted == Noted::Throttled {
        return Ok(None);
    }
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "insert into downloads (id, document_id, version_id, delivered_sha256, byte_size, status, started_at, finished_at, ip, user_agent) \
         values ($1, $2, $3, $4, $5, 'started', $6, null, $7, $8)",
    )
    .bind(&download_id)
    .bind(stored.document_id)
    .bind(stored.version_id)
    .bind(&stored.sha256)
    .bind(bytes as i64)
    .bind(now)
    .bind(&meta.ip)
    .bind(&meta.user_agent)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(download_id))
}

/// A prospect's downloads, newest first.
pub async fn of_prospect(db: &Db, prospect_id: i64) -> Result<Vec<DownloadSummary>, AppError> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "select dl.id, d.title, v.version, dl.started_at from downloads dl join documents d on d.id = dl.document_id \
         join document_versions v on v.id = dl.version_id where dl.prospect_id = $1 order by dl.started_at desc",
    )
    .bind(prospect_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, document, version, at)| DownloadSummary { download_id: id, document, version, at: Timestamp(at) })
        .collect())
}

/// A company's downloads with who made them, newest first.
pub async fn of_company(db: &Db, company_id: i64) -> Result<Vec<(String, DownloadSummary)>, AppError> {
    let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
        "select p.name, dl.id, d.title, v.version, dl.started_at from downloads dl join prospects p on p.id = dl.prospect_id \
         join documents d on d.id = dl.document_id join document_versions v on v.id = dl.version_id \
         where dl.company_id = $1 order by dl.started_at desc",
    )
    .bind(company_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(who, id, document, version, at)| {
            (who, DownloadSummary { download_id: id, document, version, at: Timestamp(at) })
        })
        .collect())
}

/// The download a leaked copy came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TraceResult {
    /// "the exact file" (same SHA-256) or "the stamped download id" (the file was altered).
    pub matched_by: String,
    pub download_id: String,
    pub person: String,
    pub email: String,
    pub company: String,
    pub document: String,
    pub version: i64,
    pub at: Timestamp,
    pub ip: String,
}

/// Finds which download a copy found in the wild came from.
pub async fn trace(db: &Db, bytes: Vec<u8>) -> Result<Option<TraceResult>, AppError> {
    let sha = sha256_hex(&bytes);
    const QUERY: &str =
        "select dl.id, coalesce(p.name, ''), coalesce(p.email, ''), coalesce(p.company, ''), d.title, v.version, \
         dl.started_at, dl.ip from downloads dl left join prospects p on p.id = dl.prospect_id \
         join documents d on d.id = dl.document_id join document_versions v on v.id = dl.version_id";
    type Row = (String, String, String, String, String, i64, i64, String);
    let by_hash: Option<Row> =
        sqlx::query_as(&format!("{QUERY} where dl.delivered_sha256 = $1 and dl.prospect_id is not null"))
            .bind(&sha)
            .fetch_optional(db.pool())
            .await?;
    let (row, matched_by) = match by_hash {
        Some(row) => (Some(row), "the exact file (SHA-256)"),
        None => {
            let id = tokio::task::spawn_blocking(move || crate::ssr::watermark::find_download_id(&bytes))
                .await
                .ok()
                .flatten();
            let row: Option<Row> = match id {
                Some(id) => {
                    sqlx::query_as(&format!("{QUERY} where dl.id = $1")).bind(id).fetch_optional(db.pool()).await?
                }
                None => None,
            };
            (row, "the download id stamped in the file")
        }
    };
    Ok(row.map(|(download_id, person, email, company, document, version, at, ip)| TraceResult {
        matched_by: matched_by.into(),
        download_id,
        person,
        email,
        company,
        document,
        version,
        at: Timestamp(at),
        ip,
    }))
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
