//! Each editor form parsed into a validated value, or refused with a message next to every field
//! that is wrong. Pure: no database (the server checks that a linked document exists, and reads
//! the current section order for the profile), so every rule is unit-tested here.
//!
//! Shared field rules here; one file per kind of form: [`records`] (controls, subprocessors, FAQ,
//! frameworks), [`report`] (SOC 2 reports and bridge letters), [`profile`].

mod profile;
mod records;
mod report;

pub use profile::{accent_color, section_field, ValidProfile};
pub use records::{ValidControl, ValidFaq, ValidFramework, ValidSubprocessor};
pub use report::{
    format_subservice_orgs, parse_cuecs, parse_subservice_orgs, ValidBridgeLetter, ValidReport, BRIDGE_MONTHS_AHEAD,
};

use crate::{error::AppError, types::IsoDate};

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
