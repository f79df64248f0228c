//! Knowledge-base types shared by server and pages.

use serde::{Deserialize, Serialize};

/// Where an entry stands: drafts await approval, only approved entries that are not stale are
/// suggested, and retired entries stay for their history but are never suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KbStatus {
    Draft,
    Approved,
    Retired,
}

impl KbStatus {
    /// Every status, in the order the entry form offers them.
    pub const ALL: [KbStatus; 3] = [KbStatus::Draft, KbStatus::Approved, KbStatus::Retired];

    /// The code stored in the database and posted by forms; [`KbStatus::parse`] reads it back.
    pub fn code(self) -> &'static str {
        match self {
            KbStatus::Draft => "draft",
            KbStatus::Approved => "approved",
            KbStatus::Retired => "retired",
        }
    }

    /// The status as staff read it on the pages.
    pub fn label(self) -> &'static str {
        match self {
            KbStatus::Draft => "Draft",
            KbStatus::Approved => "Approved",
            KbStatus::Retired => "Retired",
        }
    }

    /// Reads a stored or posted code; an unknown code is an error that names it.
    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|s| s.code() == code).ok_or_else(|| format!("unknown status {code:?}"))
    }
}

/// Who an entry's answer may be shown to; a change to an entry that is or was public republishes
/// the public FAQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KbVisibility {
    /// Staff only.
    Internal,
    /// May be shared with prospects under NDA (questionnaires).
    Nda,
    /// May appear on the public page's FAQ.
    Public,
}

impl KbVisibility {
    /// Every visibility, narrowest first, in the order the entry form offers them.
    pub const ALL: [KbVisibility; 3] = [KbVisibility::Internal, KbVisibility::Nda, KbVisibility::Public];

    /// Whether a visitor of the trust center may read an entry of this visibility: public always,
    /// NDA entries only `under_nda` (an active grant and the current NDA accepted), internal never.
    pub fn visible_to_visitor(self, under_nda: bool) -> bool {
        match self {
            KbVisibility::Public => true,
            KbVisibility::Nda => under_nda,
            KbVisibility::Internal => false,
        }
    }

    /// The code stored in the database and posted by forms; [`KbVisibility::parse`] reads it back.
    pub fn code(self) -> &'static str {
        match self {
            KbVisibility::Internal => "internal",
            KbVisibility::Nda => "nda",
            KbVisibility::Public => "public",
        }
    }

    /// The visibility as staff read it on the pages.
    pub fn label(self) -> &'static str {
        match self {
            KbVisibility::Internal => "Internal",
            KbVisibility::Nda => "Under NDA",
            KbVisibility::Public => "Public",
        }
    }

    /// Reads a stored or posted code; an unknown code is an error that names it.
    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|s| s.code() == code).ok_or_else(|| format!("unknown visibility {code:?}"))
    }
}

/// The short answers an entry may give, as the entry form offers them and validation accepts them.
pub const SHORT_ANSWERS: [&str; 3] = ["Yes", "No", "N/A"];

/// One entry as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbEntry {
    pub id: i64,
    pub external_id: String,
    pub question: String,
    pub alternatives: Vec<String>,
    pub short_answer: String,
    pub explanation: String,
    pub category: String,
    pub tags: Vec<String>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub status: KbStatus,
    pub visibility: KbVisibility,
    pub last_reviewed_on: Option<String>,
    pub review_interval_days: i64,
    /// When the next review is due (last review + interval).
    pub review_due_on: Option<String>,
    /// Approved, and past its review date (or never reviewed): never auto-filled.
    pub stale: bool,
    pub version: i64,
    pub updated_at: i64,
}

impl KbEntry {
    /// Whether this entry's answer may go into a buyer's file without a person choosing it:
    /// approved, not past its review date, and not internal (staff only).
    pub fn fills_for_buyers(&self) -> bool {
        self.status == KbStatus::Approved && !self.stale && self.visibility != KbVisibility::Internal
    }
}

/// Filters of the list page; empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KbFilter {
    pub q: String,
    pub status: String,
    pub category: String,
    pub visibility: String,
    /// "yes": only stale entries.
    pub stale: String,
}

/// Entries by status over the whole knowledge base (not just the filtered list); `stale` counts
/// approved entries past their review date, which are also counted as approved.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KbCounts {
    pub draft: usize,
    pub approved: usize,
    pub retired: usize,
    pub stale: usize,
}

/// What the list page shows: the filtered entries, every category for the filter, and the counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbListPage {
    pub entries: Vec<KbEntry>,
    pub categories: Vec<String>,
    pub counts: KbCounts,
    /// Whether suggestions use the local language model (otherwise lexical ranking only).
    pub semantic: bool,
}

/// One version of an entry in its history, as the entry page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbHistoryItem {
    pub version: i64,
    pub at: i64,
    pub actor: String,
    pub change: String,
}

/// What the entry page needs: the entry (blank form for a new one), its history, the owner and
/// category choices, and where its answer was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbEntryPage {
    /// `None` for a new entry.
    pub entry: Option<KbEntry>,
    pub history: Vec<KbHistoryItem>,
    /// Staff who can own entries (id, name).
    pub owners: Vec<(i64, String)>,
    pub categories: Vec<String>,
    /// Every exported answer taken from this entry, newest first.
    pub told: Vec<crate::features::questionnaires::model::Disclosure>,
    /// Wordings learned from answered questionnaires and the gap queue, oldest first.
    pub phrasings: Vec<Phrasing>,
}

/// One side of a pair in the hygiene view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairSide {
    pub id: i64,
    pub external_id: String,
    pub question: String,
    pub short_answer: String,
}

/// Two entries the hygiene view puts side by side: near-duplicates, or similar with opposite answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KbPair {
    pub a: PairSide,
    pub b: PairSide,
    pub similarity: f32,
}

/// The hygiene view over entries not retired: pairs most similar first, and the stale entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HygieneReport {
    pub duplicates: Vec<KbPair>,
    pub conflicts: Vec<KbPair>,
    pub stale: Vec<KbEntry>,
    /// Entries whose short answer (Yes or No) does not answer their own question ("What is your
    /// RPO?" → "Yes"): auto fills write their explanation only.
    pub misfits: Vec<KbEntry>,
}

/// An entry the engine suggests for a tried question, with its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestedEntry {
    pub id: i64,
    pub external_id: String,
    pub question: String,
    pub short_answer: String,
    pub explanation: String,
    pub score: f32,
}

/// The engine's answer to one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TryResult {
    pub question: String,
    /// "auto", "review" or "none".
    pub decision: String,
    pub suggestions: Vec<SuggestedEntry>,
    pub semantic: bool,
}

/// A wording of an entry's question learned from an answered questionnaire (or kept from a review).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Phrasing {
    pub id: i64,
    pub text: String,
    /// Where it came from, e.g. "learned from acme.xlsx, Security row 14".
    pub source: String,
    pub added_by: String,
    pub added_at: i64,
}

/// One row of an answered questionnaire read for learning, and what it proposes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnRow {
    pub id: i64,
    pub sheet: String,
    pub row: i64,
    pub question: String,
    pub answer: String,
    /// "entry": the answer was copied from `entry_id`; "new": no entry gave it (a draft is
    /// proposed); "unclear": nothing can be learned (`reason` says why).
    pub kind: String,
    pub entry_id: Option<i64>,
    pub external_id: Option<String>,
    pub entry_question: Option<String>,
    /// How much of the answer's wording the entry's answer shares (0 to 1).
    pub similarity: Option<f32>,
    pub reason: String,
    /// "pending", "accepted" or "rejected".
    pub status: String,
}

/// An answered questionnaire read for learning, with every row's proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnBatch {
    pub id: i64,
    pub file_name: String,
    pub created_by: String,
    pub created_at: i64,
    pub rows: Vec<LearnRow>,
}
