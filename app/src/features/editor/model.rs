//! What the editors show: the overview of the working copy, and each record as its form edits it.

pub use crate::forms::Choices;
use serde::{Deserialize, Serialize};

/// A control of the working copy, as the overview lists it and its form edits it.
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

/// A subprocessor of the working copy, as the overview lists it and its form edits it; an absent
/// website or date is an empty string.
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

/// A FAQ entry of the working copy, as the overview lists it and its form edits it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqItem {
    pub id: i64,
    pub position: i64,
    pub question: String,
    pub answer: String,
}

/// The editor's overview: every record of the working copy, and what is not yet published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentOverview {
    pub controls: Vec<ControlItem>,
    pub subprocessors: Vec<SubprocessorItem>,
    pub faqs: Vec<FaqItem>,
    pub company_name: String,
    pub attestations: AttestationsOverview,
    /// Sections of the public page whose working copy differs from what is published.
    pub pending: Vec<String>,
    pub last_published_at: Option<i64>,
}

/// The control form: the control (`None` for a new one) and the choices of its selects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ControlEditPage {
    pub item: Option<ControlItem>,
    /// (code, label)
    pub categories: Vec<(String, String)>,
    pub statuses: Vec<(String, String)>,
}

/// The subprocessor form: the subprocessor, or `None` for a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubprocessorEditPage {
    pub item: Option<SubprocessorItem>,
}

/// The FAQ form: the entry, or `None` for a new one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaqEditPage {
    pub item: Option<FaqItem>,
}

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

/// A SOC 2 report of the working copy as its form edits it: codes and dates as stored, its lists
/// as the text areas show them.
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

/// A bridge letter of a report, as the report's page lists it (dates as YYYY-MM-DD).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BridgeLetterItem {
    pub id: i64,
    pub issued_on: String,
    pub covered_until: String,
    pub document_title: Option<String>,
}

/// The SOC 2 report form: the report (`None` for a new one), its bridge letters, and the choices
/// of its selects and check boxes.
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

/// A framework of the working copy, as the overview lists it and its form edits it; an absent
/// issuer or date is an empty string.
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

/// The framework form: the framework (`None` for a new one) and the documents it may link to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkEditPage {
    pub item: Option<FrameworkItem>,
    pub documents: Vec<(i64, String)>,
}

/// The overview's SOC 2 reports (newest period first) and other frameworks (in page order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttestationsOverview {
    pub reports: Vec<ReportSummary>,
    pub frameworks: Vec<FrameworkItem>,
}

/// The profile and branding form, filled from the working company profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProfileEditPage {
    pub name: String,
    pub description: String,
    pub website_url: String,
    pub security_contact_email: String,
    /// `#rrggbb`.
    pub accent_color: String,
    pub logo_url: Option<String>,
    /// Every section of the public page, shown ones first in their order.
    pub sections: Vec<SectionSetting>,
    /// Markdown; empty for the standard policy.
    pub disclosure_policy: String,
    /// `YYYY-MM-DD`, or empty.
    pub security_txt_expires: String,
    /// Comma-separated language tags.
    pub preferred_languages: String,
}

/// A section of the public page as the profile form places it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionSetting {
    /// The section's anchor (`compliance`, `faq`, …), also its form field suffix.
    pub anchor: String,
    pub label: String,
    /// 1-based place on the page; `None` when hidden.
    pub position: Option<usize>,
}
