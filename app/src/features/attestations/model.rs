//! What the attestation editors show.

pub use crate::forms::Choices;
use serde::{Deserialize, Serialize};

/// A SOC 2 report in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSummary {
    pub id: i64,
    /// "Type II, 2025-10-01 to 2026-09-30".
    pub label: String,
    pub audit_firm: String,
    pub report_date: String,
    /// The public page shows this one (the latest period end).
    pub current: bool,
    pub bridge_letters: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportItem {
    pub id: i64,
    pub report_type: String,
    pub period_start: String,
    pub period_end: String,
    pub audit_firm: String,
    pub opinion: String,
    pub report_date: String,
    /// Category codes in scope (security always).
    pub tsc_in_scope: Vec<String>,
    /// One per line: `name | services | carve-out` (or `inclusive`).
    pub subservice_orgs: String,
    /// One per line.
    pub cuecs: String,
    pub document_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BridgeLetterItem {
    pub id: i64,
    pub issued_on: String,
    pub covered_until: String,
    pub document_title: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportEditPage {
    pub item: Option<ReportItem>,
    pub bridge_letters: Vec<BridgeLetterItem>,
    /// (id, title) of every document, for the "linked document" select.
    pub documents: Vec<(i64, String)>,
    pub report_types: Choices,
    pub opinions: Choices,
    pub categories: Choices,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkItem {
    pub id: i64,
    pub position: i64,
    pub name: String,
    pub evidence: String,
    pub issuer: String,
    pub issued_on: String,
    pub valid_until: String,
    pub in_progress: bool,
    pub description: String,
    pub document_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkEditPage {
    pub item: Option<FrameworkItem>,
    pub documents: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttestationsOverview {
    pub reports: Vec<ReportSummary>,
    pub frameworks: Vec<FrameworkItem>,
}
