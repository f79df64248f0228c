//! Wire types for the access-log view.

use crate::types::{IsoDate, Timestamp};
use serde::{Deserialize, Serialize};

/// The staff search; empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFilter {
    pub person: String,
    pub company: String,
    pub document: String,
    pub event: String,
    pub from: Option<IsoDate>,
    pub to: Option<IsoDate>,
    /// The page, from 1 (newest entries first).
    pub page: u32,
}

/// Entries on one page of the staff view.
pub const PER_PAGE: usize = 50;

impl LogFilter {
    /// From query-string values; a malformed date is ignored rather than refused.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        Self {
            person: get("person").unwrap_or_default(),
            company: get("company").unwrap_or_default(),
            document: get("document").unwrap_or_default(),
            event: get("event").unwrap_or_default(),
            from: get("from").and_then(|d| IsoDate::parse(&d).ok()),
            to: get("to").and_then(|d| IsoDate::parse(&d).ok()),
            page: get("page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1),
        }
    }

    /// Back to a query string without the page (for the CSV link and the page links).
    pub fn to_query(&self) -> String {
        let enc = crate::paths::query_value;
        let from = self.from.map(|d| d.to_string()).unwrap_or_default();
        let to = self.to.map(|d| d.to_string()).unwrap_or_default();
        format!(
            "person={}&company={}&document={}&event={}&from={}&to={}",
            enc(&self.person),
            enc(&self.company),
            enc(&self.document),
            enc(&self.event),
            from,
            to
        )
    }
}

/// One row of the access log as the staff page and the CSV export show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: i64,
    pub at: Timestamp,
    pub actor_kind: String,
    pub actor: String,
    pub role: String,
    pub event: String,
    pub object: String,
    pub outcome: String,
    pub ip: String,
    pub user_agent: String,
    pub request_id: String,
    /// The event's details as JSON text; large ones are cut short and marked truncated.
    pub details: String,
}

/// One page of a staff search of the access log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogPage {
    pub entries: Vec<LogEntry>,
    /// How many entries match in all.
    pub total: usize,
    /// How many newer matching entries come before this page.
    pub offset: usize,
}
