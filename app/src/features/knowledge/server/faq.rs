//! Public entries feed the public FAQ: a change to one is published at once, and logged.

use crate::{
    error::AppError,
    ssr::{
        audit::{self, Actor, Event, Outcome},
        request_meta::RequestMeta,
        AppState,
    },
};

/// Republishes the public FAQ after a public entry changed. The entry is saved either way (its
/// own transaction has committed), so a failure here is logged, not returned; a trust center
/// without a profile yet has nothing to publish.
pub(super) async fn republish(state: &AppState, actor: &Actor) {
    let published = async {
        let mut tx = state.db.begin().await?;
        if !crate::features::trust_center::server::publish_faq_only(&mut tx, &state.db, actor.id).await? {
            return Ok(());
        }
        let details = serde_json::json!({ "reason": "public knowledge-base entry changed" });
        let event =
            Event { actor, event: "trust_center.published", object: "faq".into(), outcome: Outcome::Success, details };
        audit::record(&mut tx, &RequestMeta::current(), event).await?;
        tx.commit().await?;
        crate::ssr::signals::changed(state, crate::ssr::signals::Signal::PublicPage).await;
        Ok::<(), AppError>(())
    }
    .await;
    if let Err(err) = published {
        tracing::warn!(error = %err, "the public FAQ was not republished");
    }
}
