//! Outgoing webhooks: admins choose a URL, a format (Standard Webhooks, or a chat channel's
//! incoming webhook) and events. An event becomes one delivery row per webhook **in the
//! transaction of the action** (the outbox: [`enqueue_logged`] runs as the access log is
//! appended), and the delivery worker of any instance sends it ([`deliver`]).

pub mod deliver;
pub mod payload;

pub use crate::features::integrations::model::{WebhookSummary, EVENTS};
pub use crate::ssr::webhook_outbox::{enqueue, event_for, RETRY_FOR_SECONDS};
use crate::{
    error::AppError,
    features::accounts::model::StaffUser,
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::{flag, Db},
        keys::SecretsKey,
        request_meta::RequestMeta,
        AppState,
    },
    types::{IsoDate, Timestamp},
};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;

/// How a webhook's body is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// Standard Webhooks: JSON with `type`, `timestamp`, `data`, signed.
    Standard,
    /// A Slack- or Mattermost-compatible incoming webhook: `{"text": …}`.
    Chat,
}

impl Format {
    /// As stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Chat => "chat",
        }
    }

    /// Parses [`Self::code`].
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "standard" => Some(Self::Standard),
            "chat" => Some(Self::Chat),
            _ => None,
        }
    }
}

/// A new webhook, as the form or the command line gives it.
pub struct NewWebhook<'a> {
    pub url: &'a str,
    pub format: &'a str,
    pub events: Vec<String>,
}

/// A new signing secret: `whsec_` and base64 of 32 random bytes, as Standard Webhooks describes.
fn new_secret() -> String {
    use base64::{engine::general_purpose::STANDARD, Engine};
    format!("whsec_{}", STANDARD.encode(rand::random::<[u8; 32]>()))
}

/// What seals a webhook's secret: bound to its row.
fn secret_context(id: i64) -> String {
    format!("webhook:{id}")
}

/// Checks a new webhook; the URL's rules are [`deliver::check_url`]'s.
fn validate(state: &AppState, new: &NewWebhook<'_>) -> Result<(url::Url, Format, Vec<String>), AppError> {
    let mut problems = crate::forms::Problems::default();
    let url = problems.take("url", deliver::check_url(new.url, &state.config.webhook_allowed_hosts));
    let format = problems.take("format", Format::parse(new.format).ok_or_else(|| "Choose a format.".to_string()));
    let mut events: Vec<String> = Vec::new();
    for e in &new.events {
        match EVENTS.iter().find(|(code, _)| *code == e.trim()) {
            Some((code, _)) if !events.iter().any(|x| x == code) => events.push((*code).to_string()),
            Some(_) => {}
            None => problems.add("events", format!("“{}” is not an event.", e.chars().take(40).collect::<String>())),
        }
    }
    if events.is_empty() && !problems.has("events") {
        problems.add("events", "Choose at least one event.");
    }
    problems.check()?;
    match (url, format) {
        (Some(url), Some(format)) => Ok((url, format, events)),
        _ => Err(AppError::BadRequest),
    }
}

/// Adds a webhook (`admin`: who, or `None` from the command line) and returns its id and
/// secret, which is shown once.
pub async fn create(
    state: &AppState,
    meta: &RequestMeta,
    admin: Option<&StaffUser>,
    new: NewWebhook<'_>,
) -> Result<(i64, String), AppError> {
    let (url, format, events) = validate(state, &new)?;
    let secret = new_secret();
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into webhooks (url, format, events, secret_sealed, enabled, created_by, created_at, updated_at) \
         values ($1, $2, $3, '', 1, $4, $5, $5) returning id",
    )
    .bind(url.as_str())
    .bind(format.code())
    .bind(events.join(","))
    .bind(admin.map(|a| a.id))
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("update webhooks set secret_sealed = $1 where id = $2")
        .bind(state.secrets.seal(&secret_context(id), &secret))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let actor = admin.map(crate::features::accounts::server::staff_actor).unwrap_or_else(Actor::system);
    // Scheme and host only: a chat webhook's address is its credential, and the log is permanent
    // and read by sales and SIEM tokens.
    let target = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    let details = serde_json::json!({ "target": target, "format": format.code(), "events": events });
    let event = Event {
        actor: &actor,
        event: "webhook.created",
        object: format!("webhook:{id}"),
        outcome: Outcome::Success,
        details,
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok((id, secret))
}

#[derive(FromRow)]
struct SummaryRow {
    id: i64,
    url: String,
    format: String,
    events: String,
    enabled: i64,
    created_at: i64,
    pending: i64,
    delivered: i64,
    failed: i64,
}

/// The webhooks not removed, newest first, with their deliveries counted.
pub async fn list(db: &Db) -> Result<Vec<WebhookSummary>, AppError> {
    let rows: Vec<SummaryRow> = sqlx::query_as(
        "select w.id, w.url, w.format, w.events, w.enabled, w.created_at, \
         (select count(*) from webhook_deliveries d where d.webhook_id = w.id and d.status = 'pending') as pending, \
         (select count(*) from webhook_deliveries d where d.webhook_id = w.id and d.status = 'delivered') as delivered, \
         (select count(*) from webhook_deliveries d where d.webhook_id = w.id and d.status = 'failed') as failed \
         from webhooks w where w.deleted_at is null order by w.id desc",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| WebhookSummary {
            id: r.id,
            url: r.url,
            format: r.format,
            events: r.events.split(',').filter(|e| !e.is_empty()).map(str::to_string).collect(),
            enabled: flag(r.enabled),
            created_at: r.created_at,
            pending: r.pending,
            delivered: r.delivered,
            failed: r.failed,
        })
        .collect())
}

/// Turns a webhook on or off (`Some`), or removes it (`None`): no new deliveries; waiting ones
/// of a removed webhook are dropped, its log kept.
pub async fn change(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: i64,
    enabled: Option<bool>,
) -> Result<(), AppError> {
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let done = match enabled {
        Some(on) => {
            sqlx::query("update webhooks set enabled = $1, updated_at = $2 where id = $3 and deleted_at is null")
                .bind(i64::from(on))
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
        }
        None => {
            sqlx::query(
                "update webhook_deliveries set status = 'failed', last_error = 'the webhook was removed' \
                 where webhook_id = $1 and status = 'pending'",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("update webhooks set deleted_at = $1, enabled = 0, updated_at = $1 where id = $2 and deleted_at is null")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
        }
    };
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    let event_name = match enabled {
        Some(true) => "webhook.enabled",
        Some(false) => "webhook.disabled",
        None => "webhook.removed",
    };
    let event = Event {
        actor,
        event: event_name,
        object: format!("webhook:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({}),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}

/// The secret of webhook `id`, opened; `None` when it does not open (another secrets key).
pub(crate) fn open_secret(secrets: &SecretsKey, id: i64, sealed: &str) -> Option<String> {
    secrets.open(&secret_context(id), sealed)
}

/// Logs `kb.entry_stale` once for each approved entry past its review date (once per due date),
/// which queues the webhook event. Called by housekeeping.
pub async fn notice_stale_entries(db: &Db) -> Result<usize, AppError> {
    let today = IsoDate::today_utc();
    let rows: Vec<(i64, String, String, Option<String>, i64)> = sqlx::query_as(
        "select id, external_id, case when visibility = 'internal' then '' else question end, last_reviewed_on, \
         review_interval_days from kb_entries where status = 'approved'",
    )
    .fetch_all(db.pool())
    .await?;
    let mut noticed = 0;
    for (id, external_id, question, reviewed, interval) in rows {
        let due = reviewed.as_deref().and_then(|d| IsoDate::parse(d).ok()).map(|d| d.add_days(interval));
        if due.is_some_and(|d| d >= today) {
            continue;
        }
        let due_on = due.map(|d| d.to_string()).unwrap_or_else(|| "never reviewed".into());
        let mut tx = db.begin().await?;
        let inserted = sqlx::query(
            "insert into kb_stale_notices (entry_id, due_on, noticed_at) values ($1, $2, $3) on conflict do nothing",
        )
        .bind(id)
        .bind(&due_on)
        .bind(Timestamp::now().0)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            continue;
        }
        let event = Event {
            actor: &Actor::system(),
            event: "kb.entry_stale",
            object: format!("kb_entry:{id}"),
            outcome: Outcome::Success,
            details: serde_json::json!({ "entry": external_id, "question": question, "review_due": due_on }),
        };
        audit::record(&mut tx, &RequestMeta::system("housekeeping"), event).await?;
        tx.commit().await?;
        noticed += 1;
    }
    Ok(noticed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_the_log_raises_is_one_a_webhook_can_choose() {
        let logged = [
            "access.requested",
            "access.approved",
            "access.auto_approved",
            "access.denied",
            "access.revoked",
            "access.expiry_reminder_sent",
            "nda.accepted",
            "download.completed",
            "questionnaire.completed",
            "kb.entry_stale",
            "update.published",
        ];
        for event in logged {
            let mapped = event_for(event, "success").unwrap_or_else(|| panic!("{event} raises nothing"));
            assert!(EVENTS.iter().any(|(code, _)| *code == mapped), "{mapped}");
        }
        assert_eq!(event_for("download.aborted", "failure"), None);
        assert_eq!(event_for("access.approved", "denied"), None);
        assert_eq!(event_for("staff.sign_in", "success"), None);
    }
}
