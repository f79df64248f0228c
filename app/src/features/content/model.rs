//! What the content editors show.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlItem {
    pub id: i64,
    pub position: i64,
    /// A `ControlCategory` code.
    pub category: String,
    pub title: String,
    pub description: String,
    /// A `ControlStatus` code.
    pub status: String,
    /// Trust Services Criteria points, comma-separated (CC6.1, A1.2).
    pub tsc_points: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubprocessorItem {
    pub id: i64,
    pub position: i64,
    pub name: String,
    pub purpose: String,
    pub location: String,
    pub data_processed: String,
    pub website_url: String,
    /// YYYY-MM-DD or empty.
    pub start_date: String,
    pub end_date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqItem {
    pub id: i64,
    pub position: i64,
    pub question: String,
    pub answer: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentOverview {
    pub controls: Vec<ControlItem>,
    pub subprocessors: Vec<SubprocessorItem>,
    pub faqs: Vec<FaqItem>,
    pub company_name: String,
    pub attestations: crate::features::attestations::model::AttestationsOverview,
    /// Sections of the public page whose working copy differs from what is published.
    pub pending: Vec<String>,
    pub last_published_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlEditPage {
    pub item: Option<ControlItem>,
    /// (code, label)
    pub categories: Vec<(String, String)>,
    pub statuses: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubprocessorEditPage {
    pub item: Option<SubprocessorItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqEditPage {
    pub item: Option<FaqItem>,
}
