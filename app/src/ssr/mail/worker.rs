//! Sends queued mail. Failures are retried with growing delays; nothing is dropped.

use super::Attachment;
use crate::{
    error::AppError,
    ssr::{config::SmtpUrl, db::Db, storage::FileStore},
    types::Timestamp,
};
use lettre::{
    message::{
        header::{ContentType, HeaderName, HeaderValue},
        Attachment as MailAttachment, Mailbox, MultiPart,
    },
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
};
use sqlx::FromRow;
use std::{collections::BTreeMap, path::PathBuf, sync::Arc, time::Duration};
use tokio::sync::Notify;

/// After this many failed attempts a mail is marked failed (and stays in the table).
pub const MAX_ATTEMPTS: i64 = 20;

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP server configured: each mail becomes an `.eml` file in this directory.
    Files(PathBuf),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The SMTP transport holds credentials: never print it.
        match self {
            Self::Smtp(_) => f.write_str("Transport::Smtp(…)"),
            Self::Files(dir) => write!(f, "Transport::Files({})", dir.display()),
        }
    }
}

impl Transport {
    /// SMTP when `smtp` is set (nothing is connected yet), else `.eml` files in `outbox_dir`.
    pub fn new(smtp: Option<&SmtpUrl>, outbox_dir: PathBuf) -> Result<Self, String> {
        match smtp {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                .map(|b| Self::Smtp(b.timeout(Some(Duration::from_secs(20))).build()))
                .map_err(|e| format!("invalid SMTP URL: {e}")),
            None => Ok(Self::Files(outbox_dir)),
        }
    }
}

/// The sending side: transport and sender address, plus a bell to ring when mail is queued.
#[derive(Debug, Clone)]
pub struct Mailer {
    pub transport: Transport,
    /// `no-reply@host`; each mail carries its display name (the company's, when it was composed).
    pub from_address: String,
    pub wake: Arc<Notify>,
    /// Where attachments are read from.
    pub files: FileStore,
    /// Counts deliveries (sent, retry, failed).
    pub metrics: Arc<crate::ssr::metrics::Metrics>,
}

#[derive(FromRow)]
struct QueuedRow {
    id: i64,
    from_name: String,
    to_address: String,
    to_name: String,
    subject: String,
    text_body: String,
    html_body: String,
    headers: String,
    attachments: String,
    attempts: i64,
    next_attempt_at: i64,
}

/// Runs forever: sends due mail, then sleeps until woken or for a few seconds.
pub async fn run(db: Db, mailer: Mailer) {
    loop {
        match send_due(&db, &mailer).await {
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "mail worker pass failed"),
        }
        tokio::select! {
            _ = mailer.wake.notified() => {},
            _ = tokio::time::sleep(Duration::from_secs(5)) => {},
        }
    }
}

/// Sends every due mail once. Returns how many were sent.
pub async fn send_due(db: &Db, mailer: &Mailer) -> Result<usize, AppError> {
    let now = Timestamp::now().0;
    let due: Vec<QueuedRow> = sqlx::query_as(
        "select id, from_name, to_address, to_name, subject, text_body, html_body, headers, attachments, attempts, next_attempt_at \
         from mail_outbox where status = 'pending' and next_attempt_at <= $1 order by id limit 20",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    let mut sent = 0;
    for row in due {
        // Claim the row so a second instance does not send it too.
        let claimed = sqlx::query(
            "update mail_outbox set next_attempt_at = $1 where id = $2 and status = 'pending' and next_attempt_at = $3",
        )
        .bind(now + 300)
        .bind(row.id)
        .bind(row.next_attempt_at)
        .execute(db.pool())
        .await?;
        if claimed.rows_affected() != 1 {
            continue;
        }
        match deliver(mailer, &row).await {
            Ok(()) => {
                sqlx::query(
                    "update mail_outbox set status = 'sent', sent_at = $1, attempts = attempts + 1 where id = $2",
                )
                .bind(Timestamp::now().0)
                .bind(row.id)
                .execute(db.pool())
                .await?;
                sent += 1;
                mailer.metrics.mail("sent");
            }
            Err(problem) => {
                let attempts = row.attempts + 1;
                let status = if attempts >= MAX_ATTEMPTS { "failed" } else { "pending" };
                mailer.metrics.mail(if attempts >= MAX_ATTEMPTS { "failed" } else { "retry" });
                tracing::warn!(mail_id = row.id, attempts, %problem, "mail not sent");
                sqlx::query(
                    "update mail_outbox set status = $1, attempts = $2, next_attempt_at = $3, last_error = $4 where id = $5",
                )
                .bind(status)
                .bind(attempts)
                .bind(Timestamp::now().0 + backoff_seconds(attempts))
                .bind(problem)
                .bind(row.id)
                .execute(db.pool())
                .await?;
            }
        }
    }
    Ok(sent)
}

/// 30 s, 1 min, 2 min, … capped at 2 h: the twenty attempts span more than a day's outage.
pub fn backoff_seconds(attempts: i64) -> i64 {
    (30i64 << (attempts - 1).clamp(0, 12)).min(7200)
}

/// A display name cannot carry a line break (lettre would panic, and it would split headers).
fn clean_name(name: &str) -> String {
    name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// The sender's name for mails queued before each mail kept its own.
const FALLBACK_SENDER: &str = "Trust Center";

async fn deliver(mailer: &Mailer, row: &QueuedRow) -> Result<(), String> {
    let sender_name = if row.from_name.trim().is_empty() { FALLBACK_SENDER } else { &row.from_name };
    let from = Mailbox::new(
        Some(clean_name(sender_name)),
        mailer.from_address.parse().map_err(|e| format!("sender address: {e}"))?,
    );
    let to_name = clean_name(&row.to_name);
    let to = Mailbox::new(
        (!to_name.is_empty()).then_some(to_name),
        row.to_address.parse().map_err(|e| format!("recipient address: {e}"))?,
    );
    let mut body = MultiPart::alternative_plain_html(row.text_body.clone(), row.html_body.clone());
    let attachments: Vec<Attachment> = serde_json::from_str(&row.attachments).unwrap_or_default();
    if !attachments.is_empty() {
        let mut mixed = MultiPart::mixed().multipart(body);
        for a in attachments {
            let bytes = mailer.files.get(&a.sha256).await.map_err(|e| format!("attachment {}: {e}", a.file_name))?;
            let content_type = ContentType::parse(&a.content_type).map_err(|e| format!("attachment type: {e}"))?;
            mixed = mixed.singlepart(MailAttachment::new(clean_name(&a.file_name)).body(bytes, content_type));
        }
        body = mixed;
    }
    let mut message = Message::builder()
        .from(from)
        .to(to)
        .subject(clean_name(&row.subject))
        .multipart(body)
        .map_err(|e| format!("building the message: {e}"))?;
    let headers: BTreeMap<String, String> = serde_json::from_str(&row.headers).unwrap_or_default();
    for (name, value) in headers {
        let name = HeaderName::new_from_ascii(name).map_err(|_| "bad header name".to_string())?;
        message.headers_mut().insert_raw(HeaderValue::new(name, clean_name(&value)));
    }
    match &mailer.transport {
        Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
        Transport::Files(dir) => {
            let path = dir.join(format!("{}-{}.eml", Timestamp::now().0, row.id));
            // Outbox mails hold live sign-in links: private, like everything in the data dir.
            let (dir, file, bytes) = (dir.clone(), path.clone(), message.formatted());
            tokio::task::spawn_blocking(move || {
                crate::ssr::private_fs::create_dir_all(&dir)?;
                crate::ssr::private_fs::write(&file, &bytes)
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
            tracing::info!(mail_id = row.id, path = %path.display(), "no SMTP server configured; mail written to the outbox");
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_are_capped() {
        assert_eq!(backoff_seconds(1), 30);
        assert_eq!(backoff_seconds(2), 60);
        assert_eq!(backoff_seconds(5), 480);
        assert_eq!(backoff_seconds(12), 7200);
        let total: i64 = (1..MAX_ATTEMPTS).map(backoff_seconds).sum();
        assert!(total > 24 * 3600, "attempts span a day-long outage: {total} s");
    }

    #[test]
    fn names_lose_line_breaks() {
        assert_eq!(clean_name("Eve\r\nBcc: x@y"), "Eve  Bcc: x@y");
    }
}
