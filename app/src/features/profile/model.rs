//! What the profile editor shows.

use serde::{Deserialize, Serialize};

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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionSetting {
    /// The section's anchor (`compliance`, `faq`, …), also its form field suffix.
    pub anchor: String,
    pub label: String,
    /// 1-based place on the page; `None` when hidden.
    pub position: Option<usize>,
}
