//! Server functions: staff write and publish updates; visitors subscribe, confirm, unsubscribe.

use super::model::UpdatesOverview;
use crate::error::AppError;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::{
    features::accounts::{model::StaffRole, server::staff_actor},
    ssr::{
        app_state,
        auth::require_role,
        forms::{finish, pressed, FormSpec},
        request_meta::RequestMeta,
    },
};

/// Security: every update (drafts first) and subscriber counts per topic.
#[server(prefix = "/api", endpoint = "updates_admin")]
pub async fn updates_admin() -> Result<UpdatesOverview, AppError> {
    require_role(StaffRole::Security)?;
    super::server::admin(&app_state()?.db).await
}

/// Security: creates or edits a draft update (or with `delete`, removes the draft).
#[server(prefix = "/api", endpoint = "save_update")]
pub async fn save_update(
    id: Option<i64>,
    kind: String,
    title: String,
    body: String,
    delete: Option<String>,
) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let spec = FormSpec { name: "updates", page: "/admin/updates".into() };
    let state = app_state()?;
    let (meta, actor) = (RequestMeta::current(), staff_actor(&staff));
    if let (Some(id), true) = (id, pressed(&delete)) {
        let result = super::server::delete_draft(&state, &meta, &actor, id).await;
        return finish(&spec, &[], result, |_| {
            Some(("/admin/updates".into(), Some(("updates", "Draft deleted.".into()))))
        })
        .await;
    }
    let input = super::server::UpdateInput { kind: kind.clone(), title: title.clone(), body: body.clone() };
    let id_text = id.map(|i| i.to_string()).unwrap_or_default();
    let values =
        [("id", id_text.as_str()), ("kind", kind.as_str()), ("title", title.as_str()), ("body", body.as_str())];
    let result = super::server::save(&state, &meta, &actor, id, &input).await;
    finish(&spec, &values, result, |_| {
        Some(("/admin/updates".into(), Some(("updates", "Draft saved; publish it when ready.".into()))))
    })
    .await
    .map(|_| ())
}

/// Security: publishes a draft and mails its subscribers.
#[server(prefix = "/api", endpoint = "publish_update")]
pub async fn publish_update(id: i64) -> Result<(), AppError> {
    let staff = require_role(StaffRole::Security)?;
    let spec = FormSpec { name: "updates", page: "/admin/updates".into() };
    let result = super::server::publish(&app_state()?, &RequestMeta::current(), &staff_actor(&staff), id).await;
    finish(&spec, &[], result, |mails| {
        Some(("/admin/updates".into(), Some(("updates", format!("Published; {mails} subscriber mail(s) queued.")))))
    })
    .await
    .map(|_| ())
}

/// Anyone: asks for update mails on the chosen topics (a confirmation mail follows).
#[server(prefix = "/api", endpoint = "subscribe")]
pub async fn subscribe(
    email: String,
    topic_report: Option<String>,
    topic_subprocessor: Option<String>,
    topic_incident: Option<String>,
    topic_policy: Option<String>,
    topic_general: Option<String>,
) -> Result<(), AppError> {
    // Public by design: rate-limited by address and IP, and it only sends a confirmation mail.
    use super::model::UpdateKind;
    let chosen = [
        (topic_report, UpdateKind::Report),
        (topic_subprocessor, UpdateKind::Subprocessor),
        (topic_incident, UpdateKind::Incident),
        (topic_policy, UpdateKind::Policy),
        (topic_general, UpdateKind::General),
    ];
    let topics: Vec<UpdateKind> = chosen.into_iter().filter(|(v, _)| pressed(v)).map(|(_, k)| k).collect();
    let spec = FormSpec { name: "subscribe", page: "/updates/subscription?state=error".into() };
    let result = super::server::subscribe(&app_state()?, &RequestMeta::current(), &email, &topics).await;
    finish(&spec, &[("email", email.as_str())], result, |_| Some(("/updates/subscription?state=check".into(), None)))
        .await
}

/// Anyone holding a confirmation link: starts the subscription (POST, so a mail scanner that
/// opens links does not confirm on its own).
#[server(prefix = "/api", endpoint = "confirm_subscription")]
pub async fn confirm_subscription(token: String) -> Result<(), AppError> {
    // Public by design: the token is the credential.
    let spec = FormSpec { name: "subscribe", page: "/updates/subscription?state=invalid".into() };
    let result = super::server::confirm(&app_state()?, &RequestMeta::current(), &token).await;
    finish(&spec, &[], result, |_| Some(("/updates/subscription?state=confirmed".into(), None))).await
}

/// Anyone holding an unsubscribe link: ends the subscription.
#[server(prefix = "/api", endpoint = "unsubscribe")]
pub async fn unsubscribe(token: String) -> Result<(), AppError> {
    // Public by design: the token is the credential, and it can only unsubscribe.
    let spec = FormSpec { name: "subscribe", page: "/updates/subscription?state=invalid".into() };
    let result = super::server::unsubscribe(&app_state()?, &RequestMeta::current(), &token).await;
    finish(&spec, &[], result, |_| Some(("/updates/subscription?state=unsubscribed".into(), None))).await
}
