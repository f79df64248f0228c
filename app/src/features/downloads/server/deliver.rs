//! Delivering a restricted document: the link and everything behind it checked again, the copy
//! stamped for its recipient, the download recorded before the first byte leaves, and its end.

use super::{ended_access, internal, log_refusal, nda_is_current, new_download_id, prospect_of, Refusal};
use crate::{
    error::AppError,
    features::{
        accounts::{
            model::Principal,
            server::{compose_mail, prospect_actor},
        },
        downloads::link::{self, Claims},
    },
    ssr::{
        audit::{self, Actor, Event, Outcome},
        mail,
        request_meta::RequestMeta,
        storage::sha256_hex,
        watermark::{stamp_pdf, Stamp},
        AppState,
    },
    types::Timestamp,
};

/// A stamped copy, ready to send; its log row is already written.
#[derive(Debug)]
pub struct Delivery {
    pub bytes: Vec<u8>,
    pub file_name: String,
    pub download_id: String,
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
        // A used or lapsed link: say so, unless the access behind it is gone, which matters more.
        Ok(_) => {
            let why = ended_access(state, prospect.id, claims.document).await.unwrap_or(Refusal::Spent);
            return refuse(why).await;
        }
        Err(err) => return refuse(internal("spending a download link", err)).await,
    }
    // A failure on our side (the file unreadable or unstampable, the database) gives the link
    // back: it is spent only by a copy actually served.
    let unserved = |refusal: Refusal| async {
        give_back(state, &claims.jti, now).await;
        refuse(refusal).await
    };
    let granted = match state.db.pool().acquire().await {
        Ok(mut conn) => live_grant(&mut conn, &claims, prospect.id, now).await,
        Err(err) => Err(internal("taking a database connection", err)),
    };
    match granted {
        Ok(true) => {}
        Ok(false) => {
            let why = ended_access(state, prospect.id, claims.document).await.unwrap_or(Refusal::NoGrant);
            return refuse(why).await;
        }
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
            return unserved(Refusal::Internal).await;
        }
        Err(err) => return unserved(internal("reading a document version", err)).await,
    };
    let original = match state.files.get(&sha).await {
        Ok(bytes) => bytes,
        Err(err) => return unserved(internal("reading a stored document", err)).await,
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
    let started = std::time::Instant::now();
    let stamped = tokio::task::spawn_blocking(move || stamp_pdf(&original, &stamp)).await;
    state.metrics.stamping_seconds.observe(started.elapsed().as_secs_f64());
    let bytes = match stamped {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(err)) => {
            tracing::error!(error = %err, document = claims.document, "a document could not be stamped");
            return unserved(Refusal::NotStampable).await;
        }
        Err(_) => {
            tracing::error!(document = claims.document, "stamping panicked");
            return unserved(Refusal::NotStampable).await;
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
    let Ok(receipt) = receipt else { return unserved(Refusal::Internal).await };
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
        audit::record(&mut tx, meta, event).await?;
        mail::enqueue(&mut tx, &receipt).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
    .await;
    match recorded {
        Ok(Ok(())) => {}
        Ok(Err(refusal)) => return refuse(refusal).await,
        // No log row, no bytes, the link given back. (The failure was logged where it became an
        // AppError.)
        Err(_) => {
            give_back(state, &claims.jti, now).await;
            return Err(Refusal::Internal);
        }
    }
    state.mailer.wake.notify_one();
    Ok(Delivery { bytes, file_name, download_id })
}

/// Makes the link `jti`, spent at `spent_at`, usable again: it served nothing.
async fn give_back(state: &AppState, jti: &str, spent_at: i64) {
    let given_back = sqlx::query("update download_links set used_at = null where jti = $1 and used_at = $2")
        .bind(jti)
        .bind(spent_at)
        .execute(state.db.pool())
        .await;
    if let Err(err) = given_back {
        tracing::error!(error = %err, "could not give back a download link that served nothing");
    }
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
        audit::record(&mut tx, meta, event).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    if let Err(err) = result {
        tracing::error!(error = %err, "could not record the end of a download");
    }
}
