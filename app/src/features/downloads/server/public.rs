//! Public documents: counted for analytics, logged in aggregate, never stamped.

use super::new_download_id;
use crate::{
    error::AppError,
    features::documents::server as docs,
    ssr::{
        audit::{Actor, Outcome},
        refusals::Noted,
        request_meta::RequestMeta,
        AppState,
    },
    types::Timestamp,
};

/// A public document: no stamp; every download is counted in `downloads` (for analytics), and the
/// access log gets the first per source and window with a count of the rest (anyone can download
/// public documents in a loop). `Ok(None)`: the source is over its limit; answer `429`.
pub async fn count_public(
    state: &AppState,
    meta: &RequestMeta,
    stored: &docs::StoredVersion,
    bytes: u64,
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
