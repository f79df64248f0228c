//! Wire types for accounts. No password hashes, secrets or tokens ever appear here.

use crate::types::Timestamp;
use serde::{Deserialize, Serialize};

pub use crate::identity::{Principal, ProspectUser, StaffRole, StaffUser};

/// A staff member as the admin list shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffSummary {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub roles: Vec<StaffRole>,
    pub active: bool,
    pub invitation_pending: bool,
    pub two_factor: bool,
    pub last_sign_in_at: Option<Timestamp>,
}

/// One of a staff member's sessions. `handle` identifies it for ending; it is a hash, never the
/// cookie value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub handle: String,
    pub current: bool,
    pub ip: String,
    pub user_agent: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

/// What a staff member needs to add Vouchsafe to an authenticator app. Shown only to them,
/// between their password and their first code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrolmentMaterial {
    /// Base32, for typing in by hand.
    pub secret: String,
    pub otpauth_url: String,
    /// An SVG QR code as a `data:` URI.
    pub qr_data_uri: String,
}

/// Staff single sign-on as the sign-in page offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoChoice {
    /// The provider's name for the button ("Sign in with Okta").
    pub name: String,
    /// Password sign-in is for break-glass administrators only.
    pub required: bool,
}

/// A SCIM token as the admin page lists it (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScimTokenSummary {
    pub id: i64,
    pub label: String,
    pub created_at: Timestamp,
    pub last_used_at: Option<Timestamp>,
    pub revoked: bool,
}
