//! What the ask page and the gap queue show.

use serde::{Deserialize, Serialize};

/// The longest question the box takes, in characters.
pub const MAX_QUESTION: usize = 500;

/// One approved entry quoted to a visitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskMatch {
    pub external_id: String,
    pub question: String,
    pub short_answer: String,
    pub explanation: String,
    pub category: String,
}

/// The answer to one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AskResult {
    pub question: String,
    /// An approved answer was found with the confidence that fills a questionnaire on its own:
    /// `matches[0]` is it. Otherwise there is no approved answer yet, and `matches` are related
    /// entries the visitor may read, if any.
    pub answered: bool,
    pub matches: Vec<AskMatch>,
    /// The visitor also sees entries shared under NDA.
    pub under_nda: bool,
}

/// One question in the gap queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub id: i64,
    pub question: String,
    pub asked_count: i64,
    pub first_asked_at: i64,
    pub last_asked_at: i64,
    /// "open", "answered" or "dismissed".
    pub status: String,
    /// How many visitors asked to be told.
    pub askers: i64,
    /// The entry that answers it: (id, external id, status code).
    pub entry: Option<(i64, String, String)>,
}
