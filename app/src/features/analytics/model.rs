//! Wire types for analytics.

use crate::types::IsoDate;
use serde::{Deserialize, Serialize};

/// The four figures, for a period, a company, a document or a day: page visits, access
/// requests, approvals and downloads (aborted ones left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub visits: i64,
    pub requests: i64,
    pub approvals: i64,
    pub downloads: i64,
}

impl Counts {
    /// Whether every figure is zero (such companies and documents are left out of the tables).
    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }
}

/// What the figures are narrowed to: one company, one document, or both (by name and title, as
/// the tables show them); empty means everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scope {
    pub company: String,
    pub document: String,
}

impl Scope {
    /// Whether an event of `company` about `documents` (none for a visit to the public page or a
    /// request counted as a whole) is in scope.
    pub fn keeps(&self, company: Option<&str>, documents: &[&str]) -> bool {
        (self.company.is_empty() || company == Some(self.company.as_str()))
            && (self.document.is_empty() || documents.contains(&self.document.as_str()))
    }
}

/// The analytics of a period of whole UTC days, `from` to `to` inclusive: totals, companies and
/// documents (busiest first), and every day of the period, empty ones included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub from: IsoDate,
    pub to: IsoDate,
    pub scope: Scope,
    pub totals: Counts,
    pub by_company: Vec<(String, Counts)>,
    pub by_document: Vec<(String, Counts)>,
    pub daily: Vec<(IsoDate, Counts)>,
    /// Every company name and document title, for narrowing the figures.
    pub companies: Vec<String>,
    pub documents: Vec<String>,
}
