//! What the entry form posts, as typed: one struct whose field names are the form's `name`s (the
//! server function takes it flattened), echoed back after a refusal. On the server,
//! `server::validation` checks it into a [`super::server::ValidEntry`].

use crate::forms::Echo;
use serde::{Deserialize, Serialize};

/// What a staff member typed into the entry form, unvalidated. A field the form did not send
/// (an empty select, a missing list) is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EntryInput {
    pub external_id: String,
    pub question: String,
    /// Other phrasings of the question, one per line.
    pub alternatives: String,
    pub short_answer: String,
    pub explanation: String,
    pub category: String,
    /// Comma-separated.
    pub tags: String,
    /// A staff id, or empty for none.
    pub owner_id: String,
    pub status: String,
    pub visibility: String,
    pub last_reviewed_on: String,
    pub review_interval_days: String,
}

impl Echo for EntryInput {}
