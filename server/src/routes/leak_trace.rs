//! `POST /admin/leak-trace`: an admin uploads a copy found in the wild and learns which download
//! it was.

use super::put_flash;
use app::{
    error::AppError,
    features::{
        accounts::model::{Principal, StaffRole},
        downloads::server::trace,
    },
    forms::Flash,
    ssr::{
        audit::{self, Event, Outcome},
        request_meta::RequestMeta,
        storage::sha256_hex,
        AppState,
    },
};
use axum::{
    extract::{DefaultBodyLimit, Multipart, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
    Extension, Router,
};
use std::collections::BTreeMap;
use tower_sessions::Session;

/// The leak-trace form's target (admins): a found copy of a document.
pub const PATH: &str = app::paths::LEAK_TRACE_UPLOAD;

/// The leak-trace upload route (admins only), with the document upload's body limit.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(PATH, post(upload))
        .layer(DefaultBodyLimit::max(super::upload::MAX_BYTES + 64 * 1024))
        .with_state(state)
}

async fn upload(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(meta): Extension<RequestMeta>,
    session: Session,
    mut multipart: Multipart,
) -> Response {
    let admin = match principal {
        Principal::Staff(staff) if staff.has(StaffRole::Admin) => staff,
        _ => return super::RouteError(AppError::Forbidden).into_response(),
    };
    let mut bytes = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("file") {
            bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        }
    }
    let mut flash = Flash { form: "leak_trace".into(), ..Default::default() };
    if bytes.is_empty() {
        flash.error = Some("Choose the file you found.".into());
    } else {
        let sha = sha256_hex(&bytes);
        match trace(&state.db, bytes).await {
            Ok(Some(found)) => {
                let mut values = BTreeMap::new();
                for (k, v) in [
                    ("matched_by", found.matched_by.clone()),
                    ("download_id", found.download_id.clone()),
                    ("person", found.person.clone()),
                    ("email", found.email.clone()),
                    ("company", found.company.clone()),
                    ("document", format!("{} (version {})", found.document, found.version)),
                    ("at", found.at.long()),
                    ("ip", found.ip.clone()),
                ] {
                    values.insert(k.to_string(), v);
                }
                flash.values = values;
                flash.notice = Some(format!("This copy is download {}.", found.download_id));
            }
            Ok(None) => flash.error = Some(
                "No download matches this file: it was not delivered by this trust center, or its stamp was removed."
                    .into(),
            ),
            Err(_) => flash.error = Some("The file could not be checked.".into()),
        }
        let actor = app::features::accounts::server::staff_actor(&admin);
        let event = Event {
            actor: &actor,
            event: "leak_trace.checked",
            object: String::new(),
            outcome: if flash.notice.is_some() { Outcome::Success } else { Outcome::Failure },
            details: serde_json::json!({ "sha256": sha, "download_id": flash.values.get("download_id") }),
        };
        if let Err(err) = audit::record_alone(&state.db, &meta, event).await {
            tracing::error!(error = %err, "could not log a leak trace");
        }
    }
    put_flash(&session, flash, "the trace result").await;
    Redirect::to("/admin/leak-trace").into_response()
}
