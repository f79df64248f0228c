//! Wire types for access requests and grants.

use super::domain::RuleAction;
use crate::{
    features::{documents::model::PublicDocument, nda::model::NdaAcceptanceRecord},
    types::{IsoDate, Timestamp},
};
use serde::{Deserialize, Serialize};

/// Where an access request stands; `Approved` and `Denied` are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting for the prospect to accept the current NDA.
    PendingNda,
    /// Waiting for sales.
    PendingReview,
    Approved,
    Denied,
}

impl RequestStatus {
    /// The code stored in `access_requests.status` and written in the access log.
    pub fn code(self) -> &'static str {
        match self {
            Self::PendingNda => "pending_nda",
            Self::PendingReview => "pending_review",
            Self::Approved => "approved",
            Self::Denied => "denied",
        }
    }

    /// The status as the prospect's page and the sales queue show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::PendingNda => "Waiting for NDA acceptance",
            Self::PendingReview => "In review",
            Self::Approved => "Approved",
            Self::Denied => "Denied",
        }
    }

    /// The status whose code is `code` exactly; an unknown code is stored data gone wrong.
    pub fn parse(code: &str) -> Result<Self, String> {
        [Self::PendingNda, Self::PendingReview, Self::Approved, Self::Denied]
            .into_iter()
            .find(|s| s.code() == code)
            .ok_or_else(|| format!("unknown request status {code}"))
    }
}

/// A grant's standing, as of now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantState {
    Active,
    Expired,
    Revoked,
}

impl GrantState {
    /// The state as the prospect's page and the staff grant list show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Expired => "Expired",
            Self::Revoked => "Revoked",
        }
    }
}

/// How a prospect stands with the NDA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum NdaState {
    /// Their company is a customer with a mutual NDA valid until this date.
    CoveredByMnda { until: IsoDate },
    /// They accepted the current version.
    Accepted { version: i64 },
    /// They must accept the current version.
    Needed { version: i64 },
    /// No NDA is published yet; requests go to review.
    NoneConfigured,
}

impl NdaState {
    /// Whether the NDA question is settled (an MNDA or the current version accepted), so a request
    /// need not wait for an acceptance.
    pub fn is_satisfied(&self) -> bool {
        matches!(self, Self::CoveredByMnda { .. } | Self::Accepted { .. })
    }

    /// A sentence for the prospect's page and the sales queue, with the MNDA date or the version.
    pub fn label(&self) -> String {
        match self {
            Self::CoveredByMnda { until } => format!("Covered by the company's MNDA until {}", until.long()),
            Self::Accepted { version } => format!("Accepted (version {version})"),
            Self::Needed { version } => format!("Not yet accepted (version {version} is current)"),
            Self::NoneConfigured => "No NDA published".into(),
        }
    }
}

/// An access request as its requester and sales see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestSummary {
    pub id: i64,
    /// `initial`, or `extension` (asks to extend one of the requester's grants).
    pub kind: String,
    pub status: RequestStatus,
    /// Titles of the requested documents.
    pub documents: Vec<String>,
    pub requester_role: String,
    pub reason: String,
    pub decision_note: String,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
    /// For an approved request, the access it gave as of now: active until, expired on, or
    /// revoked on the date given.
    pub access: Option<(GrantState, Timestamp)>,
}

impl RequestSummary {
    /// The request's standing as its requester and the sales queue read it: an approved request
    /// whose access was revoked or has ended says so.
    pub fn standing(&self) -> String {
        match (self.status, self.access) {
            (RequestStatus::Approved, Some((GrantState::Revoked, at))) => {
                format!("Approved; access revoked on {}", at.date().long())
            }
            (RequestStatus::Approved, Some((GrantState::Expired, at))) => {
                format!("Approved; access ended on {}", at.date().long())
            }
            (status, _) => status.label().to_string(),
        }
    }

    /// Whether the standing is good, bad or waiting (for its badge).
    pub fn tone(&self) -> &'static str {
        match (self.status, self.access) {
            (RequestStatus::Approved, Some((GrantState::Revoked, _))) => "bad",
            (RequestStatus::Approved, Some((GrantState::Expired, _))) => "neutral",
            (RequestStatus::Approved, _) => "good",
            (RequestStatus::Denied, _) => "bad",
            (RequestStatus::PendingNda, _) => "warn",
            (RequestStatus::PendingReview, _) => "neutral",
        }
    }
}

/// A grant with its documents and its state as of now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantSummary {
    pub id: i64,
    pub state: GrantState,
    pub documents: Vec<PublicDocument>,
    pub granted_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    /// An extension request for this grant is waiting.
    pub extension_pending: bool,
}

/// One row of the prospect's download history (filled in by the downloads feature).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DownloadSummary {
    pub download_id: String,
    pub document: String,
    pub version: i64,
    pub at: Timestamp,
}

/// Everything on the prospect's own page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProspectDashboard {
    pub name: String,
    pub email: String,
    pub company: String,
    pub nda: NdaState,
    pub requests: Vec<RequestSummary>,
    pub grants: Vec<GrantSummary>,
    pub acceptances: Vec<NdaAcceptanceRecord>,
    pub downloads: Vec<DownloadSummary>,
}

/// The request form for one document (or all restricted ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFormData {
    pub documents: Vec<PublicDocument>,
    pub preselected: Vec<String>,
    /// Restricted documents the prospect can already download.
    pub already_granted: Vec<String>,
    /// Requests still open.
    pub open_requests: Vec<RequestSummary>,
    pub company: String,
}

/// A request in the sales queue, with what sales need to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub request: RequestSummary,
    pub requester_name: String,
    pub requester_email: String,
    pub company_id: i64,
    pub company_name: String,
    pub company_domain: String,
    pub free_mail: bool,
    pub nda: NdaState,
}

/// One request with its company's history, for the decision page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub item: QueueItem,
    pub documents: Vec<PublicDocument>,
    pub company_requests: Vec<(String, RequestSummary)>,
    pub company_downloads: Vec<(String, DownloadSummary)>,
    pub default_expiry: IsoDate,
}

/// An access rule as the rules page lists and edits it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleView {
    pub id: i64,
    pub priority: i64,
    pub pattern: String,
    pub action: RuleAction,
    pub note: String,
}

/// The rules page: every rule in the order they run, and the default access period in days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RulesPage {
    pub rules: Vec<RuleView>,
    pub default_access_days: i64,
}

/// A company (prospects grouped by e-mail domain) with its MNDA standing and counts, for the
/// companies page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyView {
    pub id: i64,
    pub domain: String,
    pub name: String,
    /// A free-mail or disposable provider's domain: individuals, never a customer with an MNDA.
    pub personal: bool,
    pub is_customer: bool,
    pub mnda_expires_on: Option<IsoDate>,
    pub prospects: i64,
    pub open_requests: i64,
    pub active_grants: i64,
}

/// A grant in the staff list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRow {
    pub grant: GrantSummary,
    pub prospect_name: String,
    pub prospect_email: String,
    pub company_name: String,
}

/// A person who signed in with a company's domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyPerson {
    pub name: String,
    pub email: String,
    /// The company they typed (what sales go by for a free-mail address).
    pub typed_company: String,
    pub joined: Timestamp,
    pub last_sign_in: Option<Timestamp>,
}

/// What sales see of a company's access: its people, requests, grants, downloads and NDA
/// acceptances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyAccess {
    /// Free-mail or disposable domain: its people are individuals, not one company.
    pub personal: bool,
    pub is_customer: bool,
    pub mnda_expires_on: Option<IsoDate>,
    pub people: Vec<CompanyPerson>,
    /// (requester's e-mail, request), newest first.
    pub requests: Vec<(String, RequestSummary)>,
    pub grants: Vec<GrantRow>,
    /// (who, download), newest first.
    pub downloads: Vec<(String, DownloadSummary)>,
    pub acceptances: Vec<NdaAcceptanceRecord>,
}
