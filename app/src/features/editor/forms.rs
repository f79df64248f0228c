//! What each editor's form posts, as typed. One struct per form: its field names are the form's
//! `name`s (the server functions take them flattened), every field is a `String` as typed, and
//! the same struct echoes the values back after a refusal ([`crate::forms::Echo::typed`]). On the server,
//! `super::rules` parses each into a validated value.

use crate::forms::Echo;
use serde::{Deserialize, Serialize};

/// The control form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ControlForm {
    pub position: String,
    pub category: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub tsc_points: String,
}

/// The subprocessor form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SubprocessorForm {
    pub position: String,
    pub name: String,
    pub purpose: String,
    pub location: String,
    pub data_processed: String,
    pub website_url: String,
    pub start_date: String,
    pub end_date: String,
}

/// The FAQ form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaqForm {
    pub position: String,
    pub question: String,
    pub answer: String,
}

/// The SOC 2 report form. Each optional criteria category is a checkbox (`yes` when ticked);
/// Security is always in scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub report_type: String,
    pub period_start: String,
    pub period_end: String,
    pub audit_firm: String,
    pub opinion: String,
    pub report_date: String,
    pub tsc_availability: String,
    pub tsc_processing_integrity: String,
    pub tsc_confidentiality: String,
    pub tsc_privacy: String,
    /// One per line: `name | services | carve-out` (or `inclusive`).
    pub subservice_orgs: String,
    /// One per line.
    pub cuecs: String,
    /// A document id, or empty for none.
    pub document_id: String,
}

/// The bridge letter form (on its report's page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BridgeLetterForm {
    pub issued_on: String,
    pub covered_until: String,
    pub letter_document_id: String,
}

/// The framework form. `in_progress` is a checkbox (`yes` when ticked).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FrameworkForm {
    pub position: String,
    pub name: String,
    pub evidence: String,
    pub issuer: String,
    pub issued_on: String,
    pub valid_until: String,
    pub in_progress: String,
    pub description: String,
    pub document_id: String,
}

/// The company profile form. Each section's place is `1`… or `hidden`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub name: String,
    pub description: String,
    pub website_url: String,
    pub security_contact_email: String,
    pub accent_color: String,
    pub section_compliance: String,
    pub section_documents: String,
    pub section_controls: String,
    pub section_subprocessors: String,
    pub section_faq: String,
    pub disclosure_policy: String,
    pub security_txt_expires: String,
    pub preferred_languages: String,
}

impl Echo for ControlForm {}
impl Echo for SubprocessorForm {}
impl Echo for FaqForm {}
impl Echo for ReportForm {}
impl Echo for BridgeLetterForm {}
impl Echo for FrameworkForm {}
impl Echo for ProfileForm {}
