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

/// The analytics of a period of whole UTC days, `from` to `to` inclusive: totals, companies and
/// documents (busiest first), and every day of the period, empty ones included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub from: IsoDate,
    pub to: IsoDate,
    pub totals: Counts,
    pub by_company: Vec<(String, Counts)>,
    pub by_document: Vec<(String, Counts)>,
    pub daily: Vec<(IsoDate, Counts)>,
}
