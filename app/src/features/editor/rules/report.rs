//! SOC 2 reports (with their subservice organizations and CUECs) and bridge letters.

use super::{document_id, incomplete, required_date, ticked};
use crate::features::editor::forms::{BridgeLetterForm, ReportForm};
use crate::{
    error::AppError,
    features::trust_center::domain::{ExaminationPeriod, Opinion, ReportType, SubserviceTreatment, TscCategory},
    forms::Problems,
    types::{short_line, IsoDate},
};

/// How far ahead of its issue date a bridge letter may vouch.
pub const BRIDGE_MONTHS_AHEAD: i32 = 3;
const MAX_SUBSERVICE_ORGS: usize = 40;
const MAX_CUECS: usize = 60;

/// A SOC 2 report, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidReport {
    pub report_type: ReportType,
    pub period: ExaminationPeriod,
    pub audit_firm: String,
    pub opinion: Opinion,
    pub report_date: IsoDate,
    /// Security first, then the categories ticked, in their usual order.
    pub tsc_in_scope: Vec<TscCategory>,
    pub subservice_orgs: Vec<(String, String, SubserviceTreatment)>,
    pub cuecs: Vec<String>,
    pub document_id: Option<i64>,
}

/// `name | services | carve-out` (or `inclusive`), one per line; a message names the line.
pub fn parse_subservice_orgs(text: &str) -> Result<Vec<(String, String, SubserviceTreatment)>, String> {
    let mut orgs = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line_no = n + 1;
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let [name, services, treatment] = parts.as_slice() else {
            return Err(format!("Line {line_no}: write name | services | carve-out (or inclusive), separated by “|”."));
        };
        let treatment = match treatment.to_ascii_lowercase().replace(['-', '_'], " ").as_str() {
            "carve out" | "carved out" => SubserviceTreatment::CarveOut,
            "inclusive" => SubserviceTreatment::Inclusive,
            _ => return Err(format!("Line {line_no}: the treatment is carve-out or inclusive.")),
        };
        let name = short_line(name, "name", 120).map_err(|m| format!("Line {line_no}: {m}"))?;
        let services = short_line(services, "services", 300).map_err(|m| format!("Line {line_no}: {m}"))?;
        orgs.push((name, services, treatment));
    }
    if orgs.len() > MAX_SUBSERVICE_ORGS {
        return Err(format!("List at most {MAX_SUBSERVICE_ORGS} subservice organizations."));
    }
    Ok(orgs)
}

/// Stored subservice organizations (name, services, treatment code) as the form shows them.
pub fn format_subservice_orgs(orgs: &[(String, String, String)]) -> String {
    orgs.iter()
        .map(|(name, services, treatment)| {
            let treatment = if treatment == "inclusive" { "inclusive" } else { "carve-out" };
            format!("{name} | {services} | {treatment}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One complementary user entity control per line.
pub fn parse_cuecs(text: &str) -> Result<Vec<String>, String> {
    let cuecs = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| short_line(l, "control", 500).map_err(|m| format!("Line {}: {m}", n + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    if cuecs.len() > MAX_CUECS {
        return Err(format!("List at most {MAX_CUECS} controls."));
    }
    Ok(cuecs)
}

impl ReportForm {
    /// The category codes ticked (Security is implied).
    pub fn ticked_categories(&self) -> Vec<&'static str> {
        [
            ("availability", &self.tsc_availability),
            ("processing_integrity", &self.tsc_processing_integrity),
            ("confidentiality", &self.tsc_confidentiality),
            ("privacy", &self.tsc_privacy),
        ]
        .into_iter()
        .filter(|(_, v)| ticked(v))
        .map(|(code, _)| code)
        .collect()
    }

    /// Parses the form as of `today` (a report cannot be dated in the future); `documents` are
    /// the ids it may link to.
    pub fn parse(&self, today: IsoDate, documents: &[i64]) -> Result<ValidReport, AppError> {
        let mut p = Problems::default();
        let report_type = p.take(
            "report_type",
            ReportType::parse(&self.report_type).map_err(|_| "Choose Type I or Type II.".to_string()),
        );
        let start = p.take("period_start", required_date(&self.period_start, "start of the period"));
        let end = p.take("period_end", required_date(&self.period_end, "end of the period"));
        let period = match (report_type, start, end) {
            (Some(t), Some(s), Some(e)) => p.take("period_end", ExaminationPeriod::new(t, s, e)),
            _ => None,
        };
        let audit_firm = p.take("audit_firm", short_line(&self.audit_firm, "audit firm", 120));
        let opinion =
            p.take("opinion", Opinion::parse(&self.opinion).map_err(|_| "Choose the auditor's opinion.".to_string()));
        let report_date = p.take("report_date", required_date(&self.report_date, "report date"));
        if let (Some(d), Some(e)) = (report_date, end) {
            if d < e {
                p.add("report_date", format!("The report is dated before its period ends ({e})."));
            } else if d > today {
                p.add("report_date", "The report date is in the future.");
            }
        }
        let mut tsc_in_scope = vec![TscCategory::Security];
        for code in self.ticked_categories() {
            match TscCategory::parse(code) {
                Ok(c) if !tsc_in_scope.contains(&c) => tsc_in_scope.push(c),
                Ok(_) => {}
                Err(m) => p.add("tsc_in_scope", m),
            }
        }
        tsc_in_scope.sort();
        let subservice_orgs = p.take("subservice_orgs", parse_subservice_orgs(&self.subservice_orgs));
        let cuecs = p.take("cuecs", parse_cuecs(&self.cuecs));
        let document_id = p.take("document_id", document_id(&self.document_id, documents));
        p.check()?;
        let (
            Some(report_type),
            Some(period),
            Some(audit_firm),
            Some(opinion),
            Some(report_date),
            Some(subservice_orgs),
            Some(cuecs),
            Some(document_id),
        ) = (report_type, period, audit_firm, opinion, report_date, subservice_orgs, cuecs, document_id)
        else {
            return Err(incomplete());
        };
        Ok(ValidReport {
            report_type,
            period,
            audit_firm,
            opinion,
            report_date,
            tsc_in_scope,
            subservice_orgs,
            cuecs,
            document_id,
        })
    }
}

/// A bridge letter, valid for its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBridgeLetter {
    pub issued_on: IsoDate,
    pub covered_until: IsoDate,
    pub document_id: Option<i64>,
}

impl BridgeLetterForm {
    /// Parses the form for a report whose period ends on `period_end`, as of `today`; `documents`
    /// are the ids it may link to.
    pub fn parse(&self, period_end: IsoDate, today: IsoDate, documents: &[i64]) -> Result<ValidBridgeLetter, AppError> {
        let mut p = Problems::default();
        let issued = p.take("issued_on", required_date(&self.issued_on, "issue date"));
        let until = p.take("covered_until", required_date(&self.covered_until, "date it covers until"));
        if let Some(issued) = issued {
            if issued < period_end {
                p.add("issued_on", format!("A bridge letter is issued after the report's period ends ({period_end})."));
            } else if issued > today {
                p.add("issued_on", "The issue date is in the future.");
            }
        }
        if let Some(until) = until {
            if until <= period_end {
                p.add("covered_until", format!("It must cover time after the report's period ends ({period_end})."));
            } else if let Some(issued) = issued.filter(|i| until > i.add_months(BRIDGE_MONTHS_AHEAD)) {
                p.add(
                    "covered_until",
                    format!(
                        "A bridge letter vouches for at most {BRIDGE_MONTHS_AHEAD} months after it is issued (to {}); beyond that, the next report is due.",
                        issued.add_months(BRIDGE_MONTHS_AHEAD)
                    ),
                );
            }
        }
        let document_id = p.take("letter_document_id", document_id(&self.letter_document_id, documents));
        p.check()?;
        let (Some(issued_on), Some(covered_until), Some(document_id)) = (issued, until, document_id) else {
            return Err(incomplete());
        };
        Ok(ValidBridgeLetter { issued_on, covered_until, document_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> IsoDate {
        IsoDate::parse(text).unwrap()
    }

    #[test]
    fn a_report_keeps_its_dates_in_order_and_security_in_scope() {
        let today = day("2026-12-01");
        let form = ReportForm {
            report_type: "type_ii".into(),
            period_start: "2025-10-01".into(),
            period_end: "2026-09-30".into(),
            audit_firm: "Prescient & Co LLP".into(),
            opinion: "unqualified".into(),
            report_date: "2026-11-15".into(),
            tsc_confidentiality: "yes".into(),
            tsc_availability: "yes".into(),
            subservice_orgs: "AWS | Hosting | carve-out".into(),
            cuecs: "Customers manage their users.".into(),
            ..Default::default()
        };
        let v = form.parse(today, &[]).unwrap();
        assert_eq!(
            v.tsc_in_scope,
            vec![TscCategory::Security, TscCategory::Availability, TscCategory::Confidentiality]
        );
        assert_eq!(v.subservice_orgs.len(), 1);
        let early = ReportForm { report_date: "2026-09-01".into(), ..form.clone() };
        assert!(early
            .parse(today, &[])
            .unwrap_err()
            .field_message("report_date")
            .unwrap()
            .contains("before its period ends"));
        let future = ReportForm { report_date: "2026-12-02".into(), ..form.clone() };
        assert_eq!(
            future.parse(today, &[]).unwrap_err().field_message("report_date"),
            Some("The report date is in the future.")
        );
        let short = ReportForm { period_start: "2026-08-01".into(), ..form.clone() };
        assert!(
            short.parse(today, &[]).unwrap_err().field_message("period_end").is_some(),
            "Type II covers 3 to 12 months"
        );
        let far = ReportForm { period_start: "9999-12-01".into(), ..form };
        assert!(far
            .parse(today, &[])
            .unwrap_err()
            .field_message("period_start")
            .unwrap()
            .contains("outside the years"));
    }

    #[test]
    fn subservice_organizations_and_cuecs_are_read_line_by_line() {
        let orgs = parse_subservice_orgs(
            "Amazon Web Services | Cloud hosting | carve-out\n\n  Okta | Identity | Inclusive  \nStripe|Payments|carved out",
        )
        .unwrap();
        assert_eq!(orgs.len(), 3);
        assert_eq!(orgs[1], ("Okta".into(), "Identity".into(), SubserviceTreatment::Inclusive));
        assert_eq!(orgs[2].2, SubserviceTreatment::CarveOut);
        assert!(parse_subservice_orgs("AWS | Hosting").unwrap_err().starts_with("Line 1:"));
        assert!(parse_subservice_orgs("AWS | Hosting | carve-out\nGCP | Hosting | partly")
            .unwrap_err()
            .starts_with("Line 2: the treatment"));
        assert!(parse_subservice_orgs(" | Hosting | inclusive").unwrap_err().contains("Enter the name"));
        let round = format_subservice_orgs(&[("AWS".into(), "Hosting".into(), "carve_out".into())]);
        assert_eq!(parse_subservice_orgs(&round).unwrap()[0].0, "AWS");
        assert_eq!(parse_cuecs("Customers manage their users.\n\nCustomers protect API keys.").unwrap().len(), 2);
        assert!(parse_cuecs(&format!("ok\n{}", "x".repeat(501))).unwrap_err().starts_with("Line 2:"));
    }

    #[test]
    fn a_bridge_letter_follows_its_report_and_vouches_at_most_three_months_ahead() {
        let (end, today) = (day("2026-09-30"), day("2026-12-01"));
        let ok = BridgeLetterForm {
            issued_on: "2026-11-01".into(),
            covered_until: "2027-01-31".into(),
            ..Default::default()
        };
        assert_eq!(ok.parse(end, today, &[]).unwrap().covered_until, day("2027-01-31"));
        let early = BridgeLetterForm { issued_on: "2026-09-01".into(), ..ok.clone() };
        assert!(early
            .parse(end, today, &[])
            .unwrap_err()
            .field_message("issued_on")
            .unwrap()
            .contains("after the report's period ends"));
        let far = BridgeLetterForm { covered_until: "2027-03-01".into(), ..ok.clone() };
        assert!(far
            .parse(end, today, &[])
            .unwrap_err()
            .field_message("covered_until")
            .unwrap()
            .contains("at most 3 months"));
        let doc = BridgeLetterForm { letter_document_id: "7".into(), ..ok };
        assert!(
            doc.parse(end, today, &[3]).unwrap_err().field_message("letter_document_id").is_some(),
            "no such document"
        );
        assert_eq!(doc.parse(end, today, &[7]).unwrap().document_id, Some(7));
    }
}
