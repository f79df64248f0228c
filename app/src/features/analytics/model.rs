//! Wire types for analytics.

use crate::types::IsoDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub visits: i64,
    pub requests: i64,
    pub approvals: i64,
    pub downloads: i64,
}

impl Counts {
    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub from: IsoDate,
    pub to: IsoDate,
    pub totals: Counts,
    pub by_company: Vec<(String, Counts)>,
    pub by_document: Vec<(String, Counts)>,
    pub daily: Vec<(IsoDate, Counts)>,
}
