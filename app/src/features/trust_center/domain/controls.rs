//! Controls (their domains and status) and the status of other frameworks.

use crate::types::IsoDate;
use serde::{Deserialize, Serialize};

/// The control domains buyers expect, in the order the public page shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlCategory {
    AccessControl,
    ChangeManagement,
    IncidentResponse,
    RiskAssessment,
    MonitoringAndLogging,
    VendorManagement,
    DataProtection,
    PhysicalSecurity,
    HumanResources,
    BusinessContinuity,
    VulnerabilityManagement,
    EndpointSecurity,
}

impl ControlCategory {
    /// Every category, in the order the public page shows them.
    pub const ALL: [ControlCategory; 12] = [
        Self::AccessControl,
        Self::ChangeManagement,
        Self::IncidentResponse,
        Self::RiskAssessment,
        Self::MonitoringAndLogging,
        Self::VendorManagement,
        Self::DataProtection,
        Self::PhysicalSecurity,
        Self::HumanResources,
        Self::BusinessContinuity,
        Self::VulnerabilityManagement,
        Self::EndpointSecurity,
    ];

    /// The category's heading on the public page and in the editor.
    pub fn label(self) -> &'static str {
        match self {
            Self::AccessControl => "Access control",
            Self::ChangeManagement => "Change management",
            Self::IncidentResponse => "Incident response",
            Self::RiskAssessment => "Risk assessment",
            Self::MonitoringAndLogging => "Monitoring and logging",
            Self::VendorManagement => "Vendor management",
            Self::DataProtection => "Data protection",
            Self::PhysicalSecurity => "Physical security",
            Self::HumanResources => "Human resources security",
            Self::BusinessContinuity => "Business continuity",
            Self::VulnerabilityManagement => "Vulnerability management",
            Self::EndpointSecurity => "Endpoint security",
        }
    }

    /// The code stored in the database and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::AccessControl => "access_control",
            Self::ChangeManagement => "change_management",
            Self::IncidentResponse => "incident_response",
            Self::RiskAssessment => "risk_assessment",
            Self::MonitoringAndLogging => "monitoring_and_logging",
            Self::VendorManagement => "vendor_management",
            Self::DataProtection => "data_protection",
            Self::PhysicalSecurity => "physical_security",
            Self::HumanResources => "human_resources",
            Self::BusinessContinuity => "business_continuity",
            Self::VulnerabilityManagement => "vulnerability_management",
            Self::EndpointSecurity => "endpoint_security",
        }
    }

    /// The category whose code is `code`, or a message naming it.
    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code.trim())
            .ok_or_else(|| format!("“{code}” is not a control category."))
    }
}

/// Where a control stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    Implemented,
    InProgress,
    Planned,
}

impl ControlStatus {
    /// The status as the public page and the editor show it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Implemented => "Implemented",
            Self::InProgress => "In progress",
            Self::Planned => "Planned",
        }
    }
    /// The code stored in the database and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::Implemented => "implemented",
            Self::InProgress => "in_progress",
            Self::Planned => "planned",
        }
    }
    /// The status whose code is `code`, or a message listing the valid codes.
    pub fn parse(code: &str) -> Result<Self, String> {
        match code.trim() {
            "implemented" => Ok(Self::Implemented),
            "in_progress" => Ok(Self::InProgress),
            "planned" => Ok(Self::Planned),
            other => Err(format!("“{other}” is not a control status (implemented, in_progress, planned).")),
        }
    }
}

/// A framework's standing, judged on its validity dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FrameworkStatus {
    /// Certified, attested or compliant, and within its validity.
    Active,
    /// Work towards it is under way.
    InProgress,
    /// Past its valid-until date.
    Expired,
}

impl FrameworkStatus {
    /// The status as the public page's badge shows it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::InProgress => "In progress",
            Self::Expired => "Expired",
        }
    }

    /// `in_progress` is a stated fact; active and expired follow from the dates.
    pub fn evaluate(in_progress: bool, valid_until: Option<IsoDate>, today: IsoDate) -> Self {
        match (in_progress, valid_until) {
            (true, _) => Self::InProgress,
            (false, Some(until)) if until < today => Self::Expired,
            _ => Self::Active,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> IsoDate {
        IsoDate::parse(text).unwrap()
    }

    #[test]
    fn frameworks_expire_on_their_dates() {
        let today = d("2026-11-23");
        assert_eq!(FrameworkStatus::evaluate(false, Some(d("2027-01-01")), today), FrameworkStatus::Active);
        assert_eq!(FrameworkStatus::evaluate(false, Some(d("2026-11-22")), today), FrameworkStatus::Expired);
        assert_eq!(FrameworkStatus::evaluate(true, None, today), FrameworkStatus::InProgress);
        assert_eq!(FrameworkStatus::evaluate(false, None, today), FrameworkStatus::Active);
    }

    #[test]
    fn category_codes_round_trip() {
        for c in ControlCategory::ALL {
            assert_eq!(ControlCategory::parse(c.code()), Ok(c));
        }
        assert!(ControlCategory::parse("astrology").is_err());
    }
}
