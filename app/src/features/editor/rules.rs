//! Each editor form parsed into a validated value, or refused with a message next to every field
//! that is wrong. Pure: no database (the server checks that a linked document exists, and reads
//! the current section order for the profile), so every rule is unit-tested here.

use super::forms::{BridgeLetterForm, ControlForm, FaqForm, FrameworkForm, ProfileForm, ReportForm, SubprocessorForm};
use crate::{
    error::AppError,
    features::trust_center::{
        domain::{
            ControlCategory, ControlStatus, ExaminationPeriod, Opinion, ReportType, SubserviceTreatment, TscCategory,
            TscPoint,
        },
        model::Section,
    },
    forms::Problems,
    types::{long_text, short_line, EmailAddress, IsoDate},
};

/// How far ahead of its issue date a bridge letter may vouch.
pub const BRIDGE_MONTHS_AHEAD: i32 = 3;
const MAX_SUBSERVICE_ORGS: usize = 40;
const MAX_CUECS: usize = 60;

fn incomplete() -> AppError {
    AppError::invalid("Please correct the highlighted fields.")
}

/// A list position: empty for "last", else a whole number from 0.
pub fn position(text: &str) -> Result<Option<i64>, String> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|p| (0..=100_000).contains(p))
            .map(Some)
            .ok_or_else(|| "The position is a whole number from 0.".to_string()),
    }
}

/// A public web address: http(s), a host with a dot, no credentials.
pub fn web_url(text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || "Enter a web address such as https://example.com.".to_string();
    let url = url::Url::parse(text).map_err(|_| bad())?;
    let host_ok = url.host_str().is_some_and(|h| h.contains('.'));
    if !matches!(url.scheme(), "https" | "http")
        || !host_ok
        || !url.username().is_empty()
        || url.password().is_some()
        || text.len() > 300
    {
        return Err(bad());
    }
    Ok(Some(url.to_string()))
}

/// An optional date.
pub fn date(text: &str) -> Result<Option<IsoDate>, String> {
    match text.trim() {
        "" => Ok(None),
        t => IsoDate::parse(t).map(Some),
    }
}

/// A required date field.
fn required_date(text: &str, what: &str) -> Result<IsoDate, String> {
    date(text)?.ok_or_else(|| format!("Enter the {what}."))
}

/// A posted document id: empty for none, else one of `documents` (the ids that exist).
fn document_id(text: &str, documents: &[i64]) -> Result<Option<i64>, String> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|id| documents.contains(id))
            .map(Some)
            .ok_or_else(|| "Choose a document from the list.".to_string()),
    }
}

/// A checkbox or button: sent with a non-empty value.
fn ticked(value: &str) -> bool {
    !value.is_empty()
}

/// A control, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidControl {
    pub position: Option<i64>,
    pub category: ControlCategory,
    pub title: String,
    pub description: String,
    pub status: ControlStatus,
    /// Normalised: `CC6.1, CC6.6`.
    pub tsc_points: String,
}

impl ControlForm {
    pub fn parse(&self) -> Result<ValidControl, AppError> {
        let mut p = Problems::default();
        let position = p.take("position", position(&self.position));
        let category = p.take(
            "category",
            ControlCategory::parse(&self.category).map_err(|_| "Choose a category from the list.".to_string()),
        );
        let title = p.take("title", short_line(&self.title, "title", 120));
        let description = p.take("description", long_text(&self.description, "description", 2_000));
        let status = p.take(
            "status",
            ControlStatus::parse(&self.status).map_err(|_| "Choose a status from the list.".to_string()),
        );
        let tsc = p.take("tsc_points", TscPoint::parse_list(&self.tsc_points));
        p.check()?;
        let (Some(position), Some(category), Some(title), Some(description), Some(status), Some(tsc)) =
            (position, category, title, description, status, tsc)
        else {
            return Err(incomplete());
        };
        let tsc_points = tsc.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ");
        Ok(ValidControl { position, category, title, description, status, tsc_points })
    }
}

/// A subprocessor, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidSubprocessor {
    pub position: Option<i64>,
    pub name: String,
    pub purpose: String,
    pub location: String,
    pub data_processed: String,
    pub website_url: Option<String>,
    pub start_date: Option<IsoDate>,
    pub end_date: Option<IsoDate>,
}

impl SubprocessorForm {
    pub fn parse(&self) -> Result<ValidSubprocessor, AppError> {
        let mut p = Problems::default();
        let name = p.take("name", short_line(&self.name, "name", 120));
        let purpose = p.take("purpose", long_text(&self.purpose, "purpose", 300));
        let location = p.take("location", short_line(&self.location, "location", 120));
        let data_processed = p.take("data_processed", long_text(&self.data_processed, "data processed", 300));
        let position = p.take("position", position(&self.position)).flatten();
        let website_url = p.take("website_url", web_url(&self.website_url)).flatten();
        let start_date = p.take("start_date", date(&self.start_date)).flatten();
        let end_date = p.take("end_date", date(&self.end_date)).flatten();
        if let (Some(s), Some(e)) = (start_date, end_date) {
            if e < s {
                p.add("end_date", "The end date is before the start date.");
            }
        }
        p.check()?;
        let (Some(name), Some(purpose), Some(location), Some(data_processed)) =
            (name, purpose, location, data_processed)
        else {
            return Err(incomplete());
        };
        Ok(ValidSubprocessor { position, name, purpose, location, data_processed, website_url, start_date, end_date })
    }
}

/// A FAQ entry, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFaq {
    pub position: Option<i64>,
    pub question: String,
    pub answer: String,
}

impl FaqForm {
    pub fn parse(&self) -> Result<ValidFaq, AppError> {
        let mut p = Problems::default();
        let position = p.take("position", position(&self.position)).flatten();
        let question = p.take("question", long_text(&self.question, "question", 500));
        let answer = p.take("answer", long_text(&self.answer, "answer", 5_000));
        p.check()?;
        let (Some(question), Some(answer)) = (question, answer) else { return Err(incomplete()) };
        Ok(ValidFaq { position, question, answer })
    }
}

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

/// A framework, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidFramework {
    pub position: Option<i64>,
    pub name: String,
    pub evidence: String,
    pub issuer: Option<String>,
    pub issued_on: Option<IsoDate>,
    pub valid_until: Option<IsoDate>,
    pub in_progress: bool,
    pub description: String,
    pub document_id: Option<i64>,
}

impl FrameworkForm {
    /// Parses the form as of `today` (a framework cannot be issued in the future); `documents`
    /// are the ids it may link to.
    pub fn parse(&self, today: IsoDate, documents: &[i64]) -> Result<ValidFramework, AppError> {
        let mut p = Problems::default();
        let position = p.take("position", position(&self.position)).flatten();
        let name = p.take("name", short_line(&self.name, "name", 120));
        let evidence = p.take("evidence", short_line(&self.evidence, "evidence", 80));
        let issuer = match self.issuer.trim() {
            "" => None,
            text => p.take("issuer", short_line(text, "issuer", 120)),
        };
        let issued_on = p.take("issued_on", date(&self.issued_on)).flatten();
        let valid_until = p.take("valid_until", date(&self.valid_until)).flatten();
        let in_progress = ticked(&self.in_progress);
        if let Some(issued) = issued_on {
            if issued > today {
                p.add("issued_on", "The issue date is in the future.");
            }
            if valid_until.is_some_and(|until| until < issued) {
                p.add("valid_until", "It cannot expire before it was issued.");
            }
        }
        if !in_progress && issued_on.is_none() && !p.has("issued_on") {
            p.add("issued_on", "Enter the issue date, or mark the framework as in progress.");
        }
        let description = match self.description.trim() {
            "" => Some(String::new()),
            text => p.take("description", long_text(text, "description", 1_000)),
        };
        let document_id = p.take("document_id", document_id(&self.document_id, documents));
        p.check()?;
        let (Some(name), Some(evidence), Some(description), Some(document_id)) =
            (name, evidence, description, document_id)
        else {
            return Err(incomplete());
        };
        Ok(ValidFramework {
            position,
            name,
            evidence,
            issuer,
            issued_on,
            valid_until,
            in_progress,
            description,
            document_id,
        })
    }
}

/// The company profile, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProfile {
    pub name: String,
    pub description: String,
    pub website_url: String,
    pub security_contact_email: String,
    pub accent_color: String,
    /// Shown sections, in their order.
    pub sections: Vec<Section>,
}

/// The form field of a section's place.
pub fn section_field(section: Section) -> &'static str {
    match section {
        Section::Compliance => "section_compliance",
        Section::Controls => "section_controls",
        Section::Subprocessors => "section_subprocessors",
        Section::Documents => "section_documents",
        Section::Faq => "section_faq",
    }
}

/// WCAG relative luminance of an sRGB colour.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// An accent colour as `#rrggbb`. It is the colour of links on white and of buttons with white
/// text, so it must reach WCAG AA contrast (4.5:1) against white.
pub fn accent_color(text: &str) -> Result<String, String> {
    let hex = text.trim().trim_start_matches('#').to_ascii_lowercase();
    let hex = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect::<String>(),
        _ => hex,
    };
    let bad = || "Enter a colour as #rrggbb, e.g. #1d5c8f.".to_string();
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
    let rgb = [byte(0)?, byte(2)?, byte(4)?];
    let contrast = 1.05 / (luminance(rgb) + 0.05);
    if contrast < 4.5 {
        return Err(format!(
            "White text on #{hex} has a contrast of {contrast:.1}:1; links and buttons need at least 4.5:1 (WCAG AA). Choose a darker shade."
        ));
    }
    Ok(format!("#{hex}"))
}

/// The shown sections in their order. When two share a place, the one just moved there comes
/// first (moving Subprocessors to place 1 puts it first), then the page's usual order.
fn section_order(posted: &[(Section, &str)], current: &[Section], problems: &mut Problems) -> Vec<Section> {
    let mut shown: Vec<(usize, bool, usize, Section)> = Vec::new();
    for (section, value) in posted {
        let value = value.trim();
        if value.is_empty() || value.eq_ignore_ascii_case("hidden") {
            continue;
        }
        match value.parse::<usize>() {
            Ok(place) if (1..=Section::ALL.len()).contains(&place) => {
                let usual = Section::ALL.iter().position(|s| s == section).unwrap_or(0);
                let stayed = current.iter().position(|s| s == section) == Some(place - 1);
                shown.push((place, stayed, usual, *section));
            }
            _ => problems.add(section_field(*section), "Choose a place from the list, or Hidden."),
        }
    }
    if shown.is_empty() && posted.iter().all(|(s, _)| !problems.has(section_field(*s))) {
        problems.add(section_field(Section::Compliance), "Show at least one section.");
    }
    shown.sort_by_key(|(place, stayed, usual, _)| (*place, *stayed, *usual));
    shown.into_iter().map(|(_, _, _, s)| s).collect()
}

impl ProfileForm {
    /// Each section with its posted place.
    fn places(&self) -> [(Section, &str); 5] {
        [
            (Section::Compliance, &self.section_compliance),
            (Section::Documents, &self.section_documents),
            (Section::Controls, &self.section_controls),
            (Section::Subprocessors, &self.section_subprocessors),
            (Section::Faq, &self.section_faq),
        ]
    }

    /// Parses the form; `current` is the section order it changes.
    pub fn parse(&self, current: &[Section]) -> Result<ValidProfile, AppError> {
        let mut problems = Problems::default();
        let name = problems.take("name", short_line(&self.name, "company name", 80));
        let description = problems.take("description", long_text(&self.description, "description", 1_000));
        let website_url = match web_url(&self.website_url) {
            Ok(Some(url)) => Some(url),
            Ok(None) => problems.take("website_url", Err("Enter the company's website.".into())),
            Err(m) => problems.take("website_url", Err(m)),
        };
        let email = problems.take(
            "security_contact_email",
            EmailAddress::parse(&self.security_contact_email).map(|e| e.as_str().to_string()),
        );
        let accent = problems.take("accent_color", accent_color(&self.accent_color));
        let sections = section_order(&self.places(), current, &mut problems);
        problems.check()?;
        let (Some(name), Some(description), Some(website_url), Some(security_contact_email), Some(accent_color)) =
            (name, description, website_url, email, accent)
        else {
            return Err(incomplete());
        };
        Ok(ValidProfile { name, description, website_url, security_contact_email, accent_color, sections })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> IsoDate {
        IsoDate::parse(text).unwrap()
    }

    #[test]
    fn a_control_form_parses_or_names_each_bad_field() {
        let form = ControlForm {
            category: "access_control".into(),
            title: " MFA everywhere ".into(),
            description: "Staff sign in with a second factor.".into(),
            status: "implemented".into(),
            tsc_points: "cc6.1,CC6.6".into(),
            ..Default::default()
        };
        let v = form.parse().unwrap();
        assert_eq!((v.title.as_str(), v.tsc_points.as_str(), v.position), ("MFA everywhere", "CC6.1, CC6.6", None));
        let bad =
            ControlForm { category: "astrology".into(), position: "-1".into(), tsc_points: "CC99.1".into(), ..form };
        let err = bad.parse().unwrap_err();
        assert_eq!(err.field_message("category"), Some("Choose a category from the list."));
        assert!(err.field_message("position").is_some());
        assert!(err.field_message("tsc_points").unwrap().contains("CC99.1"));
    }

    #[test]
    fn a_subprocessor_ends_after_it_starts_and_has_a_real_address() {
        let form = SubprocessorForm {
            name: "Postmark".into(),
            purpose: "E-mail".into(),
            location: "US".into(),
            data_processed: "Addresses".into(),
            website_url: "https://postmarkapp.com".into(),
            start_date: "2024-01-01".into(),
            end_date: "2023-12-31".into(),
            ..Default::default()
        };
        assert_eq!(form.parse().unwrap_err().field_message("end_date"), Some("The end date is before the start date."));
        let odd = SubprocessorForm { end_date: String::new(), website_url: "javascript:alert(1)".into(), ..form };
        assert!(odd.parse().unwrap_err().field_message("website_url").is_some());
        assert_eq!(
            web_url("https://user:pw@example.com"),
            Err("Enter a web address such as https://example.com.".into())
        );
        assert_eq!(web_url("http://localhost"), Err("Enter a web address such as https://example.com.".into()));
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

    #[test]
    fn a_framework_is_issued_in_the_past_expires_after_or_is_in_progress() {
        let today = day("2026-12-01");
        let form = FrameworkForm {
            name: "ISO/IEC 27001:2022".into(),
            evidence: "Certified".into(),
            issued_on: "2025-01-01".into(),
            valid_until: "2024-12-31".into(),
            ..Default::default()
        };
        assert!(form.parse(today, &[]).unwrap_err().field_message("valid_until").is_some());
        let future = FrameworkForm { issued_on: "2027-01-01".into(), valid_until: String::new(), ..form.clone() };
        assert_eq!(
            future.parse(today, &[]).unwrap_err().field_message("issued_on"),
            Some("The issue date is in the future.")
        );
        let undated = FrameworkForm { issued_on: String::new(), valid_until: String::new(), ..form.clone() };
        assert!(undated.parse(today, &[]).unwrap_err().field_message("issued_on").unwrap().contains("in progress"));
        let planned = FrameworkForm { in_progress: "yes".into(), ..undated }.parse(today, &[]).unwrap();
        assert!(planned.in_progress && planned.issuer.is_none() && planned.description.is_empty());
    }

    #[test]
    fn accent_needs_contrast_against_white() {
        assert_eq!(accent_color("#1D5C8F"), Ok("#1d5c8f".into()));
        assert_eq!(accent_color("#767676"), Ok("#767676".into()), "4.54:1 passes");
        assert!(accent_color("#777777").unwrap_err().contains("4.5:1"), "4.48:1 fails");
        assert!(accent_color("#ffcc00").unwrap_err().contains("contrast of 1.5:1"));
        assert_eq!(accent_color("036"), Ok("#003366".into()));
        assert!(accent_color("blue").is_err());
        assert!(accent_color("#12345g").is_err());
        assert!(accent_color("#1d5c8f; background:url(x)").is_err(), "it is written into CSS");
    }

    #[test]
    fn sections_keep_places_and_one_must_show() {
        let current =
            [Section::Compliance, Section::Documents, Section::Controls, Section::Subprocessors, Section::Faq];
        let form = ProfileForm {
            name: "Northwind".into(),
            description: "Analytics.".into(),
            website_url: "https://northwind.example".into(),
            security_contact_email: "security@northwind.example".into(),
            accent_color: "#1d5c8f".into(),
            section_compliance: "1".into(),
            section_documents: "2".into(),
            section_controls: "3".into(),
            section_subprocessors: "1".into(),
            section_faq: "hidden".into(),
        };
        let v = form.parse(&current).unwrap();
        assert_eq!(
            v.sections,
            vec![Section::Subprocessors, Section::Compliance, Section::Documents, Section::Controls]
        );
        let none = ProfileForm {
            section_compliance: "hidden".into(),
            section_documents: "hidden".into(),
            section_controls: "".into(),
            section_subprocessors: "hidden".into(),
            ..form.clone()
        };
        assert_eq!(
            none.parse(&current).unwrap_err().field_message("section_compliance"),
            Some("Show at least one section.")
        );
        let odd = ProfileForm { section_faq: "9".into(), ..form };
        assert!(odd.parse(&current).unwrap_err().field_message("section_faq").is_some());
    }
}
