//! What the questionnaire pages show: the list, one questionnaire's sheets, rows and counts, and
//! what each company was told.

use serde::{Deserialize, Serialize};

/// Where a questionnaire stands: suggestions being computed in the background, done, or stopped
/// by an error (the reason in `failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Processing,
    Ready,
    Failed,
}

impl Status {
    /// The code stored in `questionnaires.status`; [`Status::parse`] reads it back.
    pub fn code(self) -> &'static str {
        match self {
            Self::Processing => "processing",
            Self::Ready => "ready",
            Self::Failed => "failed",
        }
    }

    /// Reads a stored code; an unknown code is an error that names it.
    pub fn parse(code: &str) -> Result<Self, String> {
        match code {
            "processing" => Ok(Self::Processing),
            "ready" => Ok(Self::Ready),
            "failed" => Ok(Self::Failed),
            other => Err(format!("unknown questionnaire status {other:?}")),
        }
    }
}

/// Where a row stands with the reviewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowState {
    /// Nobody has decided; an eligible auto suggestion will be filled.
    Open,
    /// A person chose a knowledge-base entry.
    Accepted,
    /// A person wrote the answer.
    Written,
    /// A person left it blank on purpose.
    Skipped,
}

impl RowState {
    /// The code stored on the row (and the card's `data-state`); [`RowState::parse`] reads it back.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Accepted => "accepted",
            Self::Written => "written",
            Self::Skipped => "skipped",
        }
    }

    /// Reads a stored code; an unknown code is an error that names it.
    pub fn parse(code: &str) -> Result<Self, String> {
        match code {
            "open" => Ok(Self::Open),
            "accepted" => Ok(Self::Accepted),
            "written" => Ok(Self::Written),
            "skipped" => Ok(Self::Skipped),
            other => Err(format!("unknown row state {other:?}")),
        }
    }
}

/// A questionnaire's rows: how many are done and remaining, and the engine's verdicts (`auto`,
/// `review`, `none`); a row the engine has not reached yet counts in no verdict.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub total: i64,
    /// Decided by a person, or an auto suggestion that will be filled.
    pub done: i64,
    pub remaining: i64,
    /// Answers that will be written into the buyer's file (where its cells can take them).
    pub to_write: i64,
    /// Rows a person left blank on purpose.
    pub blank: i64,
    pub auto: i64,
    pub review: i64,
    pub none: i64,
}

/// One questionnaire as the list, its review page and its company's page show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionnaireSummary {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub company_id: i64,
    pub company_name: String,
    pub due_on: Option<String>,
    pub overdue: bool,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub status: Status,
    pub progress_done: i64,
    pub progress_total: i64,
    pub failure: Option<String>,
    pub created_at: i64,
    pub created_by: String,
    pub counts: Counts,
}

/// The list page: every questionnaire, newest first, and the company and owner choices (id, name)
/// for the upload form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionnaireListPage {
    pub items: Vec<QuestionnaireSummary>,
    pub companies: Vec<(i64, String)>,
    pub owners: Vec<(i64, String)>,
}

/// A sheet's mapping as shown and chosen: rows and columns one-based for people.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetView {
    pub index: i64,
    pub name: String,
    pub header_row: Option<u32>,
    pub question_col: Option<u32>,
    pub answer_col: Option<u32>,
    pub comment_col: Option<u32>,
    /// (zero-based column, "C: Answer") for the column pickers.
    pub columns: Vec<(u32, String)>,
    pub answer_options: Option<Vec<String>>,
    pub rows: i64,
    pub corrected: bool,
}

/// A suggestion on a row, with the entry behind it as it stands today.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuggestionView {
    pub entry_id: i64,
    pub external_id: String,
    pub question: String,
    pub short_answer: String,
    pub explanation: String,
    pub score: f32,
    /// Approved and within its review date: may be filled without a person.
    pub eligible: bool,
    /// "Draft", "Retired", "Stale" when not eligible.
    pub caveat: Option<String>,
    /// What a reviewer should know before using it for this question: the short answer does not
    /// fit the question, or the entry never names a number the question asks about.
    pub warnings: Vec<String>,
    /// Whether the page offers it with one click; an internal entry, or one that does not name
    /// the number the question asks about, is chosen only deliberately (by its id) or written.
    pub one_click: bool,
}

/// One question of the buyer's file as the review page shows it: the engine's suggestions, what
/// will be written, and who decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowView {
    pub id: i64,
    pub sheet_index: i64,
    pub sheet_name: String,
    /// One-based, as the spreadsheet shows it.
    pub row_number: i64,
    pub question: String,
    pub decision: Option<String>,
    pub state: RowState,
    pub suggestions: Vec<SuggestionView>,
    /// What will be written: (short answer, explanation, source entry "KB-012 v3").
    pub answer: Option<(String, String, Option<String>)>,
    pub decided_by: Option<String>,
    /// Why the answer cannot be written where the sheet says (dropdown, formula, no column).
    pub problem: Option<String>,
    /// How the answer will be written when not as asked (into the comment column, or without
    /// its explanation).
    pub note: Option<String>,
    pub draft_entry_id: Option<i64>,
    /// Values the answer column accepts, for the "write an answer" form.
    pub answer_options: Vec<String>,
    /// A follow-up ("If yes, describe …"): the row number of the question it follows.
    pub follows: Option<i64>,
    /// What is wrong with this follow-up's answer given its parent's (answered although the
    /// parent rules it out, or blank although the parent asks for it).
    pub dependency: Option<String>,
}

/// The review page's row filters, read from its query string; an empty field keeps every row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RowFilter {
    /// auto | review | none | "" (any)
    pub decision: String,
    /// a sheet index or ""
    pub sheet: String,
    /// open | done | ""
    pub state: String,
}

impl RowFilter {
    /// The filter as a query string (only known values survive).
    pub fn query(&self) -> String {
        let mut parts = Vec::new();
        if matches!(self.decision.as_str(), "auto" | "review" | "none") {
            parts.push(format!("decision={}", self.decision));
        }
        if self.sheet.parse::<u32>().is_ok() {
            parts.push(format!("sheet={}", self.sheet));
        }
        if matches!(self.state.as_str(), "open" | "done") {
            parts.push(format!("state={}", self.state));
        }
        parts.join("&")
    }
}

/// The review page: the questionnaire, its sheets' mappings, the rows the filter keeps (capped for
/// display), and the company and owner choices (id, name) for editing its details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionnairePage {
    pub summary: QuestionnaireSummary,
    pub sheets: Vec<SheetView>,
    pub rows: Vec<RowView>,
    /// Rows matching the filter before the display cap.
    pub matching: i64,
    pub companies: Vec<(i64, String)>,
    pub owners: Vec<(i64, String)>,
}

/// One answer that left in an exported file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Disclosure {
    pub company_id: i64,
    pub company_name: String,
    pub questionnaire_id: i64,
    pub questionnaire_title: String,
    pub question: String,
    pub entry_id: Option<i64>,
    pub external_id: Option<String>,
    pub entry_version: Option<i64>,
    /// The entry's version now, when it has moved on.
    pub current_version: Option<i64>,
    pub short_answer: String,
    pub answer: String,
    pub exported_by: String,
    pub exported_at: i64,
}

/// A company's page: its questionnaires and every answer it was sent, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyPage {
    pub id: i64,
    pub name: String,
    pub domain: String,
    pub questionnaires: Vec<QuestionnaireSummary>,
    pub told: Vec<Disclosure>,
}

/// One of a prospect's own questionnaires, as their account page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfServeItem {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub status: Status,
    /// Questions with an answer that will be written (automatic or given by staff).
    pub answered: i64,
    pub total: i64,
    pub due_on: Option<String>,
    /// Staff have completed it: the filled file may be downloaded.
    pub completed: bool,
}

/// The self-serve section of a prospect's account page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfServe {
    /// Whether they may upload (an active grant and the current NDA accepted); otherwise `reason`.
    pub eligible: bool,
    pub reason: String,
    /// The installation lets prospects download the automatic answers before staff complete it.
    pub drafts_allowed: bool,
    pub items: Vec<SelfServeItem>,
}
