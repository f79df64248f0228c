//! Controls, subprocessors, FAQ entries and frameworks.

use super::{date, document_id, incomplete, position, ticked, web_url};
use crate::features::editor::forms::{ControlForm, FaqForm, FrameworkForm, SubprocessorForm};
use crate::{
    error::AppError,
    features::trust_center::domain::{ControlCategory, ControlStatus, TscPoint},
    forms::Problems,
    types::{long_text, short_line, IsoDate},
};

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
    /// Parses the form, or refuses it with a message next to each bad field; an empty position puts
    /// a new control last.
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
    /// Parses the form, or refuses it with a message next to each bad field; the end date may not
    /// be before the start date.
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
    /// Parses the form, or refuses it with a message next to each bad field.
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
}
