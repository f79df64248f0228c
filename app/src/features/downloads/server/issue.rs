//! Issuing a five-minute, single-use link once the checks pass.

use super::{ended_access, log_refusal, nda_is_current, prospect_of, Refusal};
use crate::{
    error::AppError,
    features::{
        access::server::grants,
        accounts::{model::Principal, server::prospect_actor},
        documents::{model::Visibility, server as docs},
        downloads::link::{self, Claims},
    },
    ssr::{
        audit::{self, Event, Outcome},
        request_meta::RequestMeta,
        AppState,
    },
    types::Timestamp,
};

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
        (None, _) => Some(ended_access(state, prospect.id, stored.document_id).await.unwrap_or(Refusal::NoGrant)),
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
        audit::record(&mut tx, meta, event).await?;
        tx.commit().await?;
        Ok(())
    }
    .await;
    result.map_err(|_| Refusal::Internal)?;
    Ok(format!("/download/{token}"))
}
