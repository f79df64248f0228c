//! The SOC 2 and control vocabulary, modelled as data with its rules.
//!
//! Sources: AICPA Trust Services Criteria (2017, points of focus revised 2022); see
//! `../shared/DOMAIN.md`. These types are what forms parse into and what the public page shows.

use crate::types::IsoDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The five Trust Services Criteria categories. Security (the Common Criteria) is always in scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TscCategory {
    Security,
    Availability,
    ProcessingIntegrity,
    Confidentiality,
    Privacy,
}

impl TscCategory {
    pub const ALL: [TscCategory; 5] =
        [Self::Security, Self::Availability, Self::ProcessingIntegrity, Self::Confidentiality, Self::Privacy];

    pub fn label(self) -> &'static str {
        match self {
            Self::Security => "Security",
            Self::Availability => "Availability",
            Self::ProcessingIntegrity => "Processing Integrity",
            Self::Confidentiality => "Confidentiality",
            Self::Privacy => "Privacy",
        }
    }

    /// What the category covers, in one line a buyer understands.
    pub fn summary(self) -> &'static str {
        match self {
            Self::Security => "Protection against unauthorized access (the Common Criteria, CC1–CC9).",
            Self::Availability => "The system is available for operation and use as committed (A1).",
            Self::ProcessingIntegrity => "Processing is complete, valid, accurate, timely and authorized (PI1).",
            Self::Confidentiality => "Information designated confidential is protected as committed (C1).",
            Self::Privacy => "Personal information is collected, used, retained and disposed of as committed (P1–P8).",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Security => "security",
            Self::Availability => "availability",
            Self::ProcessingIntegrity => "processing_integrity",
            Self::Confidentiality => "confidentiality",
            Self::Privacy => "privacy",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|c| c.code() == code.trim() || c.label().eq_ignore_ascii_case(code.trim()))
            .ok_or_else(|| format!("“{code}” is not a Trust Services Criteria category."))
    }
}

/// The criteria series and how many criteria each has, per the 2017 TSC.
const SERIES: &[(&str, u8, &[u8])] = &[
    // (prefix, major, number of minor criteria)
    ("CC", 1, &[5]),
    ("CC", 2, &[3]),
    ("CC", 3, &[4]),
    ("CC", 4, &[2]),
    ("CC", 5, &[3]),
    ("CC", 6, &[8]),
    ("CC", 7, &[5]),
    ("CC", 8, &[1]),
    ("CC", 9, &[2]),
    ("A", 1, &[3]),
    ("PI", 1, &[5]),
    ("C", 1, &[2]),
    ("P", 1, &[1]),
    ("P", 2, &[1]),
    ("P", 3, &[2]),
    ("P", 4, &[3]),
    ("P", 5, &[2]),
    ("P", 6, &[7]),
    ("P", 7, &[1]),
    ("P", 8, &[1]),
];

/// One Trust Services criterion, such as `CC6.1` or `A1.2`. Only real criteria parse.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TscPoint {
    prefix: &'static str,
    major: u8,
    minor: u8,
}

impl TscPoint {
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw = text.trim();
        let upper = raw.to_ascii_uppercase();
        let invalid = || format!("“{raw}” is not a Trust Services criterion (e.g. CC6.1, A1.2, C1.1).");
        let split = upper.find(|c: char| c.is_ascii_digit()).ok_or_else(invalid)?;
        let (prefix, numbers) = upper.split_at(split);
        let (major, minor) = numbers.split_once('.').ok_or_else(invalid)?;
        let (major, minor): (u8, u8) = (major.parse().map_err(|_| invalid())?, minor.parse().map_err(|_| invalid())?);
        SERIES
            .iter()
            .find(|(p, m, _)| *p == prefix && *m == major)
            .filter(|(_, _, count)| minor >= 1 && minor <= count[0])
            .map(|(p, _, _)| TscPoint { prefix: p, major, minor })
            .ok_or_else(invalid)
    }

    /// Parses a list separated by commas, semicolons or spaces; all must be valid.
    pub fn parse_list(text: &str) -> Result<Vec<Self>, String> {
        let mut points = text
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(Self::parse)
            .collect::<Result<Vec<_>, _>>()?;
        points.sort();
        points.dedup();
        Ok(points)
    }

    pub fn category(&self) -> TscCategory {
        match self.prefix {
            "CC" => TscCategory::Security,
            "A" => TscCategory::Availability,
            "PI" => TscCategory::ProcessingIntegrity,
            "C" => TscCategory::Confidentiality,
            _ => TscCategory::Privacy,
        }
    }
}

impl fmt::Display for TscPoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}.{}", self.prefix, self.major, self.minor)
    }
}

impl Serialize for TscPoint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TscPoint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        TscPoint::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// Type I: design as of a date. Type II: design and operating effectiveness over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportType {
    #[serde(rename = "type_i")]
    TypeI,
    #[serde(rename = "type_ii")]
    TypeII,
}

impl ReportType {
    pub fn label(self) -> &'static str {
        match self {
            Self::TypeI => "Type I",
            Self::TypeII => "Type II",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::TypeI => "type_i",
            Self::TypeII => "type_ii",
        }
    }
    pub fn parse(code: &str) -> Result<Self, String> {
        match code.trim() {
            "type_i" | "Type I" | "I" => Ok(Self::TypeI),
            "type_ii" | "Type II" | "II" => Ok(Self::TypeII),
            other => Err(format!("“{other}” is not a SOC 2 report type (Type I or Type II).")),
        }
    }
}

/// The service auditor's opinion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Opinion {
    Unqualified,
    Qualified,
    Adverse,
    Disclaimer,
}

impl Opinion {
    pub fn label(self) -> &'static str {
        match self {
            Self::Unqualified => "Unqualified",
            Self::Qualified => "Qualified",
            Self::Adverse => "Adverse",
            Self::Disclaimer => "Disclaimer of opinion",
        }
    }
    /// What the opinion means, for readers who are not auditors.
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Unqualified => "a clean opinion: controls were suitably designed and operated effectively",
            Self::Qualified => "controls were effective except for the matters the auditor describes",
            Self::Adverse => "the auditor found controls were not suitably designed or not operating effectively",
            Self::Disclaimer => "the auditor could not obtain enough evidence to form an opinion",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Unqualified => "unqualified",
            Self::Qualified => "qualified",
            Self::Adverse => "adverse",
            Self::Disclaimer => "disclaimer",
        }
    }
    pub fn parse(code: &str) -> Result<Self, String> {
        match code.trim() {
            "unqualified" => Ok(Self::Unqualified),
            "qualified" => Ok(Self::Qualified),
            "adverse" => Ok(Self::Adverse),
            "disclaimer" => Ok(Self::Disclaimer),
            other => Err(format!("“{other}” is not an audit opinion (unqualified, qualified, adverse, disclaimer).")),
        }
    }
}

/// How the report treats a subservice organization's controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubserviceTreatment {
    CarveOut,
    Inclusive,
}

impl SubserviceTreatment {
    pub fn label(self) -> &'static str {
        match self {
            Self::CarveOut => "Carve-out",
            Self::Inclusive => "Inclusive",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::CarveOut => "carve_out",
            Self::Inclusive => "inclusive",
        }
    }
    pub fn parse(code: &str) -> Result<Self, String> {
        match code.trim() {
            "carve_out" => Ok(Self::CarveOut),
            "inclusive" => Ok(Self::Inclusive),
            other => Err(format!("“{other}” is not a subservice treatment (carve-out or inclusive).")),
        }
    }
}

/// The period a report covers. A Type I report is as of one date (`start == end`); a Type II
/// observation period runs from 3 to 12 months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExaminationPeriod {
    pub start: IsoDate,
    pub end: IsoDate,
}

impl ExaminationPeriod {
    pub fn new(report_type: ReportType, start: IsoDate, end: IsoDate) -> Result<Self, String> {
        if end < start {
            return Err(format!("The period ends ({end}) before it starts ({start})."));
        }
        match report_type {
            ReportType::TypeI if start != end => {
                Err("A Type I report is as of a single date: start and end must be the same day.".into())
            }
            ReportType::TypeII if end < start.add_months(3).add_days(-1) => {
                Err("A Type II observation period must be at least 3 months.".into())
            }
            ReportType::TypeII if end > start.add_months(12).add_days(-1) => {
                Err("A Type II observation period cannot exceed 12 months.".into())
            }
            _ => Ok(Self { start, end }),
        }
    }
}

/// Buyers treat a report as current for 12 months after its period ends.
pub const FRESH_MONTHS: i32 = 12;

/// Whether a report can still be relied on, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum FreshnessStatus {
    /// Within 12 months of the period end; `until` is the last day it counts as current.
    Current { until: IsoDate },
    /// Past 12 months, but a bridge letter covers it up to `covered_until` (not yet passed).
    Bridged { covered_until: IsoDate },
    /// Past 12 months and no bridge letter covers today.
    Stale { since: IsoDate },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Freshness {
    pub months_since_period_end: u32,
    #[serde(flatten)]
    pub status: FreshnessStatus,
}

impl Freshness {
    /// Applies the freshness rule. A bridge letter only counts when it reaches past the period
    /// end and today is not after its covered-until date.
    pub fn evaluate(period_end: IsoDate, bridge_covered_until: Option<IsoDate>, today: IsoDate) -> Self {
        let until = period_end.add_months(FRESH_MONTHS);
        let status = if today <= until {
            FreshnessStatus::Current { until }
        } else {
            match bridge_covered_until {
                Some(covered) if covered > period_end && today <= covered => {
                    FreshnessStatus::Bridged { covered_until: covered }
                }
                _ => FreshnessStatus::Stale { since: until.add_days(1) },
            }
        };
        Self { months_since_period_end: period_end.whole_months_until(today), status }
    }

    pub fn is_stale(&self) -> bool {
        matches!(self.status, FreshnessStatus::Stale { .. })
    }
}

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
    pub fn label(self) -> &'static str {
        match self {
            Self::Implemented => "Implemented",
            Self::InProgress => "In progress",
            Self::Planned => "Planned",
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Implemented => "implemented",
            Self::InProgress => "in_progress",
            Self::Planned => "planned",
        }
    }
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
    fn real_tsc_points_parse_and_know_their_category() {
        for (code, category) in [
            ("CC6.1", TscCategory::Security),
            ("cc1.5", TscCategory::Security),
            ("A1.2", TscCategory::Availability),
            ("PI1.5", TscCategory::ProcessingIntegrity),
            ("C1.2", TscCategory::Confidentiality),
            ("P6.7", TscCategory::Privacy),
        ] {
            let point = TscPoint::parse(code).unwrap();
            assert_eq!(point.category(), category, "{code}");
            assert_eq!(point.to_string(), code.to_ascii_uppercase());
        }
    }

    #[test]
    fn invented_tsc_points_are_refused() {
        for code in ["CC6.9", "CC10.1", "A1.4", "C2.1", "PI1.0", "X1.1", "CC6", "6.1", "", "CC6.1.1"] {
            assert!(TscPoint::parse(code).is_err(), "{code} should be refused");
        }
    }

    #[test]
    fn tsc_lists_parse_sorted_and_deduplicated_or_not_at_all() {
        let list = TscPoint::parse_list("CC8.1, CC6.1;CC6.1 A1.2").unwrap();
        let text: Vec<String> = list.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["A1.2", "CC6.1", "CC8.1"]);
        assert!(TscPoint::parse_list("CC6.1, CC6.42").is_err());
    }

    #[test]
    fn type_ii_periods_run_three_to_twelve_months() {
        let t2 = ReportType::TypeII;
        assert!(ExaminationPeriod::new(t2, d("2025-10-01"), d("2026-09-30")).is_ok());
        assert!(ExaminationPeriod::new(t2, d("2026-07-01"), d("2026-09-30")).is_ok());
        assert!(ExaminationPeriod::new(t2, d("2026-07-02"), d("2026-09-30")).is_err());
        assert!(ExaminationPeriod::new(t2, d("2025-09-30"), d("2026-09-30")).is_err());
        assert!(ExaminationPeriod::new(t2, d("2026-09-30"), d("2026-01-01")).is_err());
    }

    #[test]
    fn type_i_reports_are_as_of_one_date() {
        assert!(ExaminationPeriod::new(ReportType::TypeI, d("2026-03-31"), d("2026-03-31")).is_ok());
        assert!(ExaminationPeriod::new(ReportType::TypeI, d("2026-01-01"), d("2026-03-31")).is_err());
    }

    #[test]
    fn a_report_is_current_for_twelve_months_after_its_period_ends() {
        let end = d("2025-09-30");
        let f = Freshness::evaluate(end, None, d("2026-09-30"));
        assert_eq!(f.status, FreshnessStatus::Current { until: d("2026-09-30") });
        assert_eq!(f.months_since_period_end, 12);
        let f = Freshness::evaluate(end, None, d("2026-01-15"));
        assert_eq!(f.months_since_period_end, 3);
        assert!(!f.is_stale());
    }

    #[test]
    fn an_old_report_is_stale_unless_a_bridge_letter_covers_today() {
        let end = d("2025-09-30");
        let late = d("2026-11-23");
        assert_eq!(Freshness::evaluate(end, None, late).status, FreshnessStatus::Stale { since: d("2026-10-01") });
        assert_eq!(
            Freshness::evaluate(end, Some(d("2026-12-31")), late).status,
            FreshnessStatus::Bridged { covered_until: d("2026-12-31") }
        );
        // A bridge letter that has itself run out no longer helps.
        assert!(Freshness::evaluate(end, Some(d("2026-10-31")), late).is_stale());
        // Nor does one dated before the period end.
        assert!(Freshness::evaluate(end, Some(d("2025-06-30")), late).is_stale());
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
    fn report_types_serialise_as_their_codes() {
        for t in [ReportType::TypeI, ReportType::TypeII] {
            assert_eq!(serde_json::to_value(t).unwrap(), t.code());
            assert_eq!(ReportType::parse(t.code()), Ok(t));
        }
    }

    #[test]
    fn category_codes_round_trip() {
        for c in ControlCategory::ALL {
            assert_eq!(ControlCategory::parse(c.code()), Ok(c));
        }
        for c in TscCategory::ALL {
            assert_eq!(TscCategory::parse(c.code()), Ok(c));
        }
        assert!(ControlCategory::parse("astrology").is_err());
    }
}
