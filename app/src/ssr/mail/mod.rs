//! Outgoing mail: rendered from templates in `app/templates/mail/`, queued in the database in the
//! same transaction as the action that causes it, and sent by [`worker`] with retries, so a
//! mail-server outage loses nothing.

mod templates;
pub mod worker;

pub use templates::Templates;

use crate::ssr::db::Tx;
use crate::{error::AppError, types::Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A mail ready to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    /// The sender's display name, e.g. "Northwind Analytics Trust Center".
    pub from_name: String,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// Extra headers, e.g. `List-Unsubscribe`.
    pub headers: BTreeMap<String, String>,
    pub attachments: Vec<Attachment>,
}

/// A file attached to a mail; the bytes are in the file store under `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
}

/// What every template can use: the company's name and colour, and the site's address.
#[derive(Debug, Clone, Serialize)]
pub struct Branding {
    pub company: String,
    pub accent: String,
    pub base_url: String,
    /// The security contact's address from the company profile (empty when none is set): where
    /// a recipient reports a problem, since mail comes from an address nobody reads.
    pub contact: String,
}

/// Renders `template` for one recipient.
pub fn compose(
    templates: &Templates,
    branding: &Branding,
    template: &str,
    to_address: &str,
    to_name: &str,
    vars: serde_json::Value,
) -> Result<OutgoingMail, AppError> {
    let (subject, text_body, html_body) = templates.render(template, branding, to_name, vars)?;
    Ok(OutgoingMail {
        from_name: format!("{} Trust Center", branding.company),
        to_address: to_address.to_string(),
        to_name: to_name.to_string(),
        subject,
        text_body,
        html_body,
        headers: BTreeMap::new(),
        attachments: Vec::new(),
    })
}

/// Queues `mail` inside `tx`; it is sent once the transaction commits.
pub async fn enqueue(tx: &mut Tx, mail: &OutgoingMail) -> Result<i64, AppError> {
    let now = Timestamp::now().0;
    let headers = serde_json::to_string(&mail.headers).map_err(|e| AppError::internal("mail headers", e))?;
    let attachments =
        serde_json::to_string(&mail.attachments).map_err(|e| AppError::internal("mail attachments", e))?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into mail_outbox (to_address, to_name, subject, text_body, html_body, headers, attachments, \
         next_attempt_at, created_at, from_name) values ($1, $2, $3, $4, $5, $6, $8, $7, $7, $9) returning id",
    )
    .bind(&mail.to_address)
    .bind(&mail.to_name)
    .bind(&mail.subject)
    .bind(&mail.text_body)
    .bind(&mail.html_body)
    .bind(headers)
    .bind(now)
    .bind(attachments)
    .bind(&mail.from_name)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}
