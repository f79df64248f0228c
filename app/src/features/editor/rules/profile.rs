//! The company profile: names, addresses, the accent colour and the public page's sections.

use super::{incomplete, web_url};
use crate::features::editor::forms::ProfileForm;
use crate::{
    error::AppError,
    features::trust_center::model::Section,
    forms::Problems,
    types::{long_text, short_line, EmailAddress},
};

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
