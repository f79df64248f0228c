//! What the staff home shows: each list only for a role that acts on it.

use crate::{
    identity::StaffRole,
    types::{IsoDate, Timestamp},
};
use serde::{Deserialize, Serialize};

/// How many items each list on the home page shows before "see all".
pub const SHOWN: usize = 5;

/// The work waiting for one staff member; a list is `None` when none of their roles acts on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffHome {
    pub name: String,
    pub roles: Vec<StaffRole>,
    /// Requests waiting for a decision by sales (oldest first).
    pub requests: Option<Waiting<RequestWaiting>>,
    /// Grants ending within the week, soonest first.
    pub expiring: Option<Waiting<GrantEnding>>,
    /// Approved knowledge-base entries past their review date.
    pub stale_entries: Option<Waiting<StaleEntry>>,
    /// Questionnaires with rows still needing a person, owned by this person or by nobody, due
    /// within the week or overdue (soonest first).
    pub questionnaires: Option<Waiting<QuestionnaireDue>>,
    /// Mail that could not be delivered after every attempt.
    pub failed_mail: Option<Waiting<FailedMail>>,
}

/// The first few items of a list, and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiting<T> {
    pub total: i64,
    pub items: Vec<T>,
}

/// A request waiting for sales.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestWaiting {
    pub id: i64,
    pub requester: String,
    pub company: String,
    pub since: Timestamp,
}

/// A grant that ends soon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantEnding {
    pub request_id: i64,
    pub prospect: String,
    pub company: String,
    pub ends: Timestamp,
}

/// An entry past its review date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleEntry {
    pub id: i64,
    pub external_id: String,
    pub question: String,
    pub due_on: Option<String>,
    pub owner: Option<String>,
}

/// A questionnaire due soon with rows still open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionnaireDue {
    pub id: i64,
    pub title: String,
    pub company: String,
    pub due_on: IsoDate,
    pub overdue: bool,
    pub remaining: i64,
}

/// A mail given up on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedMail {
    pub to: String,
    pub subject: String,
    pub attempts: i64,
    pub queued: Timestamp,
}
