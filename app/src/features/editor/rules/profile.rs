//! The company profile: names, addresses, the accent colour and the public page's sections.

use super::{incomplete, web_url};
use crate::features::editor::forms::ProfileForm;
use crate::{
    error::AppError,
    features::trust_center::model::Section,
    forms::Problems,
    types::{long_text, short_line, EmailAddress, IsoDate},
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
    /// Markdown; empty: the standard policy.
    pub disclosure_policy: String,
    /// `None`: `security.txt` expires a year after each publish.
    pub security_txt_expires: Option<IsoDate>,
    /// RFC 5646 language tags, at least one.
    pub preferred_languages: Vec<String>,
}

/// The longest vulnerability-disclosure policy, in characters.
pub const MAX_DISCLOSURE_POLICY: usize = 20_000;

/// The expiry of `security.txt`: after `today` and at most a year ahead (RFC 9116 advises less
/// than a year, so the file is looked at again). Empty: `None`.
pub fn security_txt_expiry(text: &str, today: IsoDate) -> Result<Option<IsoDate>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let date = IsoDate::parse(text)?;
    if date <= today {
        return Err("Choose a date after today: an expired security.txt tells researchers it is stale.".into());
    }
    if date > today.add_days(366) {
        return Err("Choose a date within a year (RFC 9116 advises against a longer one).".into());
    }
    Ok(Some(date))
}

/// Comma-separated language tags (`en, de, pt-BR`): letters for the language, then subtags of
/// letters and digits; at most ten. None given: English.
pub fn language_tags(text: &str) -> Result<Vec<String>, String> {
    let tags: Vec<&str> = text.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
    if tags.is_empty() {
        return Ok(vec!["en".into()]);
    }
    if tags.len() > 10 {
        return Err("List at most ten languages.".into());
    }
    for tag in &tags {
        let mut parts = tag.split('-');
        let primary = parts.next().unwrap_or_default();
        let primary_ok = (2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_alphabetic());
        let rest_ok = parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
        if !primary_ok || !rest_ok {
            let shown: String = tag.chars().take(20).collect();
            return Err(format!("“{shown}” is not a language tag; use tags such as en, de or pt-BR."));
        }
    }
    Ok(tags.into_iter().map(str::to_string).collect())
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
    pub fn parse(&self, current: &[Section], today: IsoDate) -> Result<ValidProfile, AppError> {
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
        let disclosure_policy = match self.disclosure_policy.trim() {
            "" => Some(String::new()),
            text => problems.take("disclosure_policy", long_text(text, "disclosure policy", MAX_DISCLOSURE_POLICY)),
        };
        let expires = problems.take("security_txt_expires", security_txt_expiry(&self.security_txt_expires, today));
        let languages = problems.take("preferred_languages", language_tags(&self.preferred_languages));
        problems.check()?;
        let (
            Some(name),
            Some(description),
            Some(website_url),
            Some(security_contact_email),
            Some(accent_color),
            Some(disclosure_policy),
            Some(security_txt_expires),
            Some(preferred_languages),
        ) = (name, description, website_url, email, accent, disclosure_policy, expires, languages)
        else {
            return Err(incomplete());
        };
        Ok(ValidProfile {
            name,
            description,
            website_url,
            security_contact_email,
            accent_color,
            sections,
            disclosure_policy,
            security_txt_expires,
            preferred_languages,
        })
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
            disclosure_policy: String::new(),
            security_txt_expires: String::new(),
            preferred_languages: "en".into(),
        };
        let today = IsoDate::parse("2026-12-01").unwrap();
        let v = form.parse(&current, today).unwrap();
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
            none.parse(&current, today).unwrap_err().field_message("section_compliance"),
            Some("Show at least one section.")
        );
        let odd = ProfileForm { section_faq: "9".into(), ..form };
        assert!(odd.parse(&current, today).unwrap_err().field_message("section_faq").is_some());
    }

    #[test]
    fn security_txt_settings_are_checked() {
        let today = IsoDate::parse("2026-12-01").unwrap();
        assert_eq!(security_txt_expiry("", today), Ok(None));
        assert_eq!(security_txt_expiry("2027-06-01", today), Ok(Some(IsoDate::parse("2027-06-01").unwrap())));
        assert!(security_txt_expiry("2026-12-01", today).unwrap_err().contains("after today"));
        assert!(security_txt_expiry("2028-01-01", today).unwrap_err().contains("within a year"));
        assert!(security_txt_expiry("soon", today).is_err());
        assert_eq!(language_tags(" en, de ,pt-BR"), Ok(vec!["en".into(), "de".into(), "pt-BR".into()]));
        assert_eq!(language_tags(" "), Ok(vec!["en".into()]));
        assert!(language_tags("en\nContact: mailto:evil@example.com").is_err(), "no line breaks into security.txt");
        assert!(language_tags("english").is_err());
        assert!(language_tags(&["en"; 11].join(",")).is_err());
    }
}
