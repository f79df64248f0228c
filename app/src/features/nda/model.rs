//! Wire types for NDA texts and acceptances.

use crate::types::Timestamp;
use serde::{Deserialize, Serialize};

/// A version of the NDA as a signer sees it: the HTML is rendered from Markdown and sanitised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NdaText {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub markdown: String,
    pub html: String,
    /// SHA-256 of the exact text shown (title and body), recorded with each acceptance.
    pub sha256: String,
    pub published_at: Option<Timestamp>,
}

/// A version in the admin list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NdaVersionSummary {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub published_at: Option<Timestamp>,
    pub acceptances: i64,
    pub is_current: bool,
}

/// What was accepted, by whom, when and from where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NdaAcceptanceRecord {
    pub id: i64,
    pub version: i64,
    pub title: String,
    pub text_sha256: String,
    pub typed_name: String,
    pub typed_title: String,
    pub email: String,
    pub company: String,
    pub accepted_at: Timestamp,
    pub ip: String,
    pub user_agent: String,
    /// active, superseded (a newer version was published) or revoked.
    pub status: String,
}
