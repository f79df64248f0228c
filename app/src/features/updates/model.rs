//! Update kinds (also the subscription topics) and what the pages show.

use serde::{Deserialize, Serialize};

/// What an update is about; also the topics a subscriber chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpdateKind {
    Report,
    Subprocessor,
    Incident,
    Policy,
    General,
}

impl UpdateKind {
    /// Every kind, in the order the update form and the subscribe form list them.
    pub const ALL: [UpdateKind; 5] = [Self::Report, Self::Subprocessor, Self::Incident, Self::Policy, Self::General];

    /// The code stored in `updates.kind` and in a subscriber's topic list, and posted by the forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Subprocessor => "subprocessor",
            Self::Incident => "incident",
            Self::Policy => "policy",
            Self::General => "general",
        }
    }

    /// The kind as the public feed, the forms and the staff page name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Report => "New report or certification",
            Self::Subprocessor => "Subprocessor change",
            Self::Incident => "Incident notice",
            Self::Policy => "Policy change",
            Self::General => "General news",
        }
    }

    /// The kind whose code is `code`, or the form's message asking to choose one.
    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or_else(|| "Choose a kind of update from the list.".to_string())
    }
}

/// An update as the staff page lists and edits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateItem {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub published: bool,
    /// Drafted automatically when trust center content was published, for staff to review.
    pub proposed: bool,
    /// Unix seconds.
    pub published_at: Option<i64>,
    /// Who wrote it, as the access log names them (an e-mail address).
    pub created_by: String,
}

/// The staff updates page: drafts first, then published ones, newest first; and subscriber counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdatesOverview {
    pub items: Vec<UpdateItem>,
    /// Confirmed subscribers per topic code.
    pub subscribers: Vec<(String, i64)>,
}
