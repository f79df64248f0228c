//! Update kinds (also the subscription topics) and what the pages show.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UpdateKind {
    Report,
    Subprocessor,
    Incident,
    Policy,
    General,
}

impl UpdateKind {
    pub const ALL: [UpdateKind; 5] = [Self::Report, Self::Subprocessor, Self::Incident, Self::Policy, Self::General];

    pub fn code(self) -> &'static str {
        match self {
            Self::Report => "report",
            Self::Subprocessor => "subprocessor",
            Self::Incident => "incident",
            Self::Policy => "policy",
            Self::General => "general",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Report => "New report or certification",
            Self::Subprocessor => "Subprocessor change",
            Self::Incident => "Incident notice",
            Self::Policy => "Policy change",
            Self::General => "General news",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.code() == code.trim())
            .ok_or_else(|| "Choose a kind of update from the list.".to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateItem {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub published: bool,
    pub proposed: bool,
    pub published_at: Option<i64>,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdatesOverview {
    pub items: Vec<UpdateItem>,
    /// Confirmed subscribers per topic code.
    pub subscribers: Vec<(String, i64)>,
}
