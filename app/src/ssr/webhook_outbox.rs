//! The webhook outbox: an event becomes one `webhook_deliveries` row per subscribed webhook in the
//! transaction of the action that raised it. [`super::audit`] calls [`enqueue_logged`] as it
//! appends the access log, so every logged action that stands for a webhook event queues it,
//! exactly when it commits. Delivery (signing, sending, retrying) is the integrations feature's.

use super::audit::LogRow;
use serde_json::{json, Value};
use sqlx::{Any, AnyConnection};

/// The webhook event an access-log row stands for, if any.
pub fn event_for(log_event: &str, outcome: &str) -> Option<&'static str> {
    let success = outcome == "success";
    Some(match log_event {
        // Filed, whatever the rules decided (a rule's denial is also access.denied's business).
        "access.requested" => "access.requested",
        "access.approved" | "access.auto_approved" if success => "access.approved",
        "access.denied" if success => "access.denied",
        "access.revoked" if success => "access.revoked",
        "access.expiry_reminder_sent" if success => "grant.expiring",
        "nda.accepted" if success => "nda.accepted",
        "download.completed" if success => "document.downloaded",
        "questionnaire.completed" if success => "questionnaire.completed",
        "kb.entry_stale" => "kb.entry_stale",
        "update.published" if success => "update.published",
        _ => return None,
    })
}

/// How long a delivery is retried.
pub const RETRY_FOR_SECONDS: i64 = 86_400;

/// Queues `event` for every enabled webhook subscribed to it, inside `tx`.
pub async fn enqueue(
    tx: &mut AnyConnection,
    event: &str,
    data: &serde_json::Value,
    at: i64,
) -> Result<usize, sqlx::Error> {
    let hooks: Vec<(i64, String)> =
        sqlx::query_as("select id, events from webhooks where enabled = 1 and deleted_at is null")
            .fetch_all(&mut *tx)
            .await?;
    let mut queued = 0;
    for (id, events) in hooks {
        if !events.split(',').any(|e| e == event) {
            continue;
        }
        let message_id = format!("msg_{}", super::tokens::Token::generate().expose());
        sqlx::query(
            "insert into webhook_deliveries (webhook_id, message_id, event, data, created_at, next_attempt_at, retry_until) \
             values ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(id)
        .bind(&message_id)
        .bind(event)
        .bind(data.to_string())
        .bind(at)
        .bind(at + RETRY_FOR_SECONDS)
        .execute(&mut *tx)
        .await?;
        queued += 1;
    }
    Ok(queued)
}

/// Queues the webhook events the access-log rows stand for: called as the rows are appended,
/// so an event is queued exactly when its action commits.
pub async fn enqueue_logged(tx: &mut sqlx::Transaction<'static, Any>, rows: &[LogRow]) -> Result<(), sqlx::Error> {
    for row in rows {
        let Some(event) = event_for(&row.event, &row.outcome) else { continue };
        enqueue(tx, event, &data_for(row), row.at).await?;
    }
    Ok(())
}

/// What an access-log row tells a receiver: the object, who acted, the outcome, the details the
/// log kept (no secret is ever logged) and the row's place in the log. Names of the people and
/// companies involved are added when it is sent.
pub fn data_for(row: &LogRow) -> Value {
    let (kind, id) =
        row.object.split_once(':').map_or((row.object.as_str(), None), |(k, i)| (k, i.parse::<i64>().ok()));
    json!({
        "object": { "type": kind, "id": id },
        "actor": { "kind": row.actor_kind, "label": row.actor_label },
        "outcome": row.outcome,
        "details": serde_json::from_str::<Value>(&row.details).unwrap_or(Value::Null),
        "log_seq": row.seq,
    })
}
