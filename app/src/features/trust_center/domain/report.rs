//! A SOC 2 report: its type, opinion, subservice organizations, examination period, and how long
//! buyers treat it as current.

use crate::types::IsoDate;
use serde::{Deserialize, Serialize};

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
    /// The type as the public page and the editor show it ("Type II").
    pub fn label(self) -> &'static str {
        match self {
            Self::TypeI => "Type I",
            Self::TypeII => "Type II",
        }
    }
    /// The code stored in the database and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::TypeI => "type_i",
            Self::TypeII => "type_ii",
        }
    }
    /// The type from its code, or from "Type I"/"I" and "Type II"/"II"; else a message.
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
    /// The opinion as auditors name it ("Disclaimer of opinion"); see `meaning` for readers.
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
    /// The code stored in the database and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::Unqualified => "unqualified",
            Self::Qualified => "qualified",
            Self::Adverse => "adverse",
            Self::Disclaimer => "disclaimer",
        }
    }
    /// The opinion whose code is `code`, or a message listing the valid codes.
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
    /// The treatment as the public page shows it ("Carve-out").
    pub fn label(self) -> &'static str {
        match self {
            Self::CarveOut => "Carve-out",
            Self::Inclusive => "Inclusive",
        }
    }
    /// The code stored in the database (`carve_out`, `inclusive`).
    pub fn code(self) -> &'static str {
        match self {
            Self::CarveOut => "carve_out",
            Self::Inclusive => "inclusive",
        }
    }
    /// The treatment whose code is `code`, or a message naming the valid ones.
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
    /// A period, or a message: the end may not precede the start, a Type I report is as of one
    /// day, and a Type II period runs from 3 to 12 months.
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

/// How current the SOC 2 report is on the day the page is served, and how many whole months
/// have passed since its period ended.
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

    /// Whether neither the 12 months nor a bridge letter cover today. Only tests use it so far.
    pub fn is_stale(&self) -> bool {
        matches!(self.status, FreshnessStatus::Stale { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> IsoDate {
        IsoDate::parse(text).unwrap()
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
    fn report_types_serialise_as_their_codes() {
        for t in [ReportType::TypeI, ReportType::TypeII] {
            assert_eq!(serde_json::to_value(t).unwrap(), t.code());
            assert_eq!(ReportType::parse(t.code()), Ok(t));
        }
    }
}
