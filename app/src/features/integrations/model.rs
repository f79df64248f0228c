//! Wire types of the integrations page.

use crate::{features::accounts::model::StaffRole, types::Timestamp};
use serde::{Deserialize, Serialize};

/// What an API token may do. Each scope also names the staff role whose work it is: a personal
/// token works only while its owner holds that role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ApiScope {
    CompaniesRead,
    CompaniesWrite,
    GrantsRead,
    AuditRead,
    KbRead,
}

impl ApiScope {
    /// Every scope, in the order the form lists them.
    pub const ALL: [ApiScope; 5] =
        [Self::CompaniesRead, Self::CompaniesWrite, Self::GrantsRead, Self::AuditRead, Self::KbRead];

    /// The scope as tokens and the OpenAPI document name it (`companies:read`).
    pub fn code(self) -> &'static str {
        match self {
            Self::CompaniesRead => "companies:read",
            Self::CompaniesWrite => "companies:write",
            Self::GrantsRead => "grants:read",
            Self::AuditRead => "audit:read",
            Self::KbRead => "kb:read",
        }
    }

    /// Parses [`Self::code`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == text.trim())
    }

    /// The form field of its checkbox.
    pub fn field(self) -> &'static str {
        match self {
            Self::CompaniesRead => "scope_companies_read",
            Self::CompaniesWrite => "scope_companies_write",
            Self::GrantsRead => "scope_grants_read",
            Self::AuditRead => "scope_audit_read",
            Self::KbRead => "scope_kb_read",
        }
    }

    /// What it allows, for the form.
    pub fn label(self) -> &'static str {
        match self {
            Self::CompaniesRead => "Read companies (domain, MNDA, auto-approval)",
            Self::CompaniesWrite => "Create and change companies (a CRM marking customers)",
            Self::GrantsRead => "Read grants (who has access to what, until when)",
            Self::AuditRead => "Read the access log (a SIEM pulling events)",
            Self::KbRead => "Read approved knowledge-base entries (public and NDA, never internal)",
        }
    }

    /// The role whose work this is.
    pub fn role(self) -> StaffRole {
        match self {
            Self::KbRead => StaffRole::Security,
            _ => StaffRole::Sales,
        }
    }
}

/// An API token as the integrations page lists it (never the token itself).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiTokenSummary {
    pub id: i64,
    pub label: String,
    pub scopes: Vec<String>,
    /// The owner's address for a personal token; `None` for a service token.
    pub owner: Option<String>,
    pub created_by: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked: bool,
    pub expired: bool,
}

/// The choices of token lifetime, in days.
pub const TOKEN_DAYS: [i64; 4] = [30, 90, 180, 365];

/// Every event a webhook can subscribe to, with what it means.
pub const EVENTS: [(&str, &str); 11] = [
    ("access.requested", "A prospect asked for restricted documents"),
    ("access.approved", "A request was approved (by sales or by a rule)"),
    ("access.denied", "A request was denied"),
    ("access.revoked", "A grant was revoked"),
    ("grant.expiring", "A grant expires soon (its holder was reminded)"),
    ("nda.accepted", "A prospect accepted the NDA"),
    ("document.downloaded", "A restricted document was downloaded"),
    ("questionnaire.completed", "A questionnaire was marked complete"),
    ("kb.entry_stale", "A knowledge-base entry passed its review date"),
    ("update.published", "An update was published"),
    ("audit.checkpoint", "The access log's head was signed"),
];

/// A webhook as the admin page lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookSummary {
    pub id: i64,
    pub url: String,
    pub format: String,
    pub events: Vec<String>,
    pub enabled: bool,
    pub created_at: i64,
    /// Deliveries waiting, delivered and failed.
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
}

/// A delivery as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct DeliveryRow {
    pub id: i64,
    pub event: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i64,
    pub created_at: i64,
    pub last_attempt_at: Option<i64>,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub last_duration_ms: Option<i64>,
    pub next_attempt_at: i64,
}
