//! Small validated value types shared by the server and the browser.
//!
//! Each can only be built by parsing, so a value that exists is a valid one.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::{macros::format_description, Date, Month, OffsetDateTime};

/// A calendar date, written `YYYY-MM-DD` on the wire, in forms and in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoDate(Date);

impl IsoDate {
    const FORMAT: &'static [time::format_description::BorrowedFormatItem<'static>] =
        format_description!("[year]-[month]-[day]");

    /// The years a date may fall in. Nothing a trust center records (report periods, NDA and
    /// access dates, certificates) lies outside them, and inside them date arithmetic can never
    /// leave the calendar the `time` crate supports (a far-future date used to panic there).
    pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

    /// Parses `YYYY-MM-DD` within [`Self::YEARS`]; anything else is refused with a message fit
    /// for a form field.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let shown: String = text.chars().take(40).collect();
        let date =
            Date::parse(text, Self::FORMAT).map_err(|_| format!("“{shown}” is not a date in the form YYYY-MM-DD."))?;
        if !Self::YEARS.contains(&date.year()) {
            return Err(format!("“{shown}” is outside the years {} to {}.", Self::YEARS.start(), Self::YEARS.end()));
        }
        Ok(Self(date))
    }

    /// Builds a date from parts; `None` when the parts are not a real day.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Self> {
        let month = Month::try_from(month).ok()?;
        Date::from_calendar_date(year, month, day).ok().map(Self)
    }

    /// The underlying `time` date.
    pub fn date(self) -> Date {
        self.0
    }

    /// Today in UTC, by the system clock.
    #[cfg(feature = "ssr")]
    pub fn today_utc() -> Self {
        Self(OffsetDateTime::now_utc().date())
    }

    /// The same day `months` calendar months later (negative: earlier), clamped to the
    /// month's last day: 31 January + 1 month is 28 or 29 February.
    /// Saturates at the ends of the supported calendar rather than panicking.
    pub fn add_months(self, months: i32) -> Self {
        let d = self.0;
        let index = (d.year() * 12 + (d.month() as i32 - 1)).saturating_add(months);
        let (year, month0) = (index.div_euclid(12), index.rem_euclid(12));
        let Ok(month) = Month::try_from(month0 as u8 + 1) else { return self };
        let year = year.clamp(Date::MIN.year(), Date::MAX.year());
        let last = month.length(year);
        Self(Date::from_calendar_date(year, month, d.day().min(last)).unwrap_or(if months < 0 {
            Date::MIN
        } else {
            Date::MAX
        }))
    }

    /// Saturates at the ends of the supported calendar rather than panicking.
    pub fn add_days(self, days: i64) -> Self {
        // Beyond ±10,000 years the result saturates anyway; this keeps `Duration::days` in range.
        let days = days.clamp(-4_000_000, 4_000_000);
        let moved = self.0.checked_add(time::Duration::days(days));
        Self(moved.unwrap_or(if days < 0 { Date::MIN } else { Date::MAX }))
    }

    /// Whole calendar months from `self` to `later` (0 when `later` is not after `self`).
    pub fn whole_months_until(self, later: IsoDate) -> u32 {
        if later <= self {
            return 0;
        }
        let (a, b) = (self.0, later.0);
        let mut months = (b.year() - a.year()) * 12 + (b.month() as i32 - a.month() as i32);
        if self.add_months(months) > later {
            months -= 1;
        }
        months.max(0) as u32
    }

    /// A long, unambiguous form for people: `30 September 2026`.
    pub fn long(self) -> String {
        format!("{} {} {}", self.0.day(), self.0.month(), self.0.year())
    }
}

impl fmt::Display for IsoDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0.format(Self::FORMAT).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        IsoDate::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A moment in UTC, stored as Unix seconds (portable across SQLite and PostgreSQL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The current moment, by the system clock.
    #[cfg(feature = "ssr")]
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc().unix_timestamp())
    }

    /// The UTC calendar day of this moment; a timestamp outside `time`'s range counts as
    /// 1970-01-01.
    pub fn date(self) -> IsoDate {
        IsoDate(self.datetime().date())
    }

    fn datetime(self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.0).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    }

    /// RFC 3339 in UTC, e.g. `2026-11-23T10:15:00Z`.
    pub fn rfc3339(self) -> String {
        self.datetime().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
    }

    /// `23 November 2026, 10:15 UTC`.
    pub fn long(self) -> String {
        let dt = self.datetime();
        format!("{}, {:02}:{:02} UTC", self.date().long(), dt.hour(), dt.minute())
    }
}

/// An e-mail address as people type them at work: `local@domain.tld`, lowercased. Quoted local
/// parts and IP-literal domains, legal but never seen in business mail, are refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Trims and lowercases, then checks the shape (dot-atom local part up to 64 characters, a
    /// domain of two or more labels ending in an alphabetic TLD, 254 characters in all); errors are
    /// form messages.
    pub fn parse(text: &str) -> Result<Self, String> {
        let email = text.trim().to_lowercase();
        let invalid = || "Enter an e-mail address such as name@company.com.".to_string();
        let (local, domain) = email.split_once('@').ok_or_else(invalid)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
        let labels: Vec<&str> = domain.split('.').collect();
        let domain_ok = labels.len() >= 2
            && labels.iter().all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
        if email.len() > 254 || !local_ok || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(email))
    }

    /// The normalised (lowercase) address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after the `@`, lowercase.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Short free text typed by a person (a name, a company): trimmed, 1 to `max` characters, no
/// control characters (a line break in a name would break a mail header).
pub fn short_text(text: &str, what: &str, max: usize) -> Result<String, String> {
    let cleaned: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        return Err(format!("Enter your {what}."));
    }
    if cleaned.chars().count() > max {
        return Err(format!("Keep the {what} under {max} characters."));
    }
    if cleaned.chars().any(char::is_control) {
        return Err(format!("The {what} contains characters we cannot use."));
    }
    Ok(cleaned)
}

/// One line of text staff type (a title, a name): as [`short_text`], worded for staff
/// ("Enter the title." rather than "Enter your title.").
pub fn short_line(text: &str, what: &str, max: usize) -> Result<String, String> {
    short_text(text, what, max).map_err(|m| m.replace("Enter your ", "Enter the "))
}

/// Multi-line text a person typed: trimmed, line endings made `\n`, 1 to `max` characters, no
/// control characters but line breaks and tabs.
pub fn long_text(text: &str, what: &str, max: usize) -> Result<String, String> {
    let text = text.trim().replace("\r\n", "\n");
    if text.is_empty() {
        return Err(format!("Enter the {what}."));
    }
    if text.chars().count() > max {
        return Err(format!("Keep the {what} under {max} characters."));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(format!("The {what} contains characters we cannot use."));
    }
    Ok(text)
}

/// A path on this site to return to after signing in: starts with one `/`, no scheme, no
/// backslash, so it can never send the browser elsewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalPath(String);

impl LocalPath {
    /// Trims, then accepts only a same-site path (at most 512 bytes, no whitespace or control
    /// characters); `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let ok = t.starts_with('/')
            && !t.starts_with("//")
            && !t.contains('\\')
            && !t.contains("://")
            && t.len() <= 512
            && !t.chars().any(|c| c.is_control() || c.is_whitespace());
        ok.then(|| Self(t.to_string()))
    }

    /// The path, ready for a redirect.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> IsoDate {
        IsoDate::parse(text).unwrap()
    }

    #[test]
    fn dates_parse_only_in_iso_form() {
        assert_eq!(d("2026-09-30").to_string(), "2026-09-30");
        assert!(IsoDate::parse("30/09/2026").is_err());
        assert!(IsoDate::parse("2026-02-30").is_err());
        assert!(IsoDate::parse("").is_err());
    }

    #[test]
    fn adding_months_clamps_to_the_end_of_shorter_months() {
        assert_eq!(d("2026-01-31").add_months(1), d("2026-02-28"));
        assert_eq!(d("2024-01-31").add_months(1), d("2024-02-29"));
        assert_eq!(d("2025-10-01").add_months(12), d("2026-10-01"));
        assert_eq!(d("2026-03-15").add_months(-3), d("2025-12-15"));
    }

    #[test]
    fn whole_months_count_only_completed_months() {
        assert_eq!(d("2025-09-30").whole_months_until(d("2026-09-29")), 11);
        assert_eq!(d("2025-09-30").whole_months_until(d("2026-09-30")), 12);
        assert_eq!(d("2025-09-30").whole_months_until(d("2025-09-01")), 0);
        assert_eq!(d("2026-01-31").whole_months_until(d("2026-02-28")), 1);
    }

    #[test]
    fn email_addresses_are_normalised_and_checked() {
        let e = EmailAddress::parse("  Ann.Lee@Example.COM ").unwrap();
        assert_eq!(e.as_str(), "ann.lee@example.com");
        assert_eq!(e.domain(), "example.com");
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "ann lee@example.com",
            "ann@@example.com",
            "ann@exa_mple.com",
            "\"ann\"@example.com",
            "ann@[127.0.0.1]",
            "ann@example.c0m",
            ".ann@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn short_texts_are_trimmed_and_bounded() {
        assert_eq!(short_text("  Ann   Lee ", "name", 10).unwrap(), "Ann Lee");
        assert!(short_text("   ", "name", 10).is_err());
        assert!(short_text(&"x".repeat(11), "name", 10).is_err());
        assert_eq!(short_text("Eve\r\nBcc: x", "name", 40).unwrap(), "Eve Bcc: x");
    }

    #[test]
    fn return_paths_stay_on_this_site() {
        assert!(LocalPath::parse("/documents/soc2/request?x=1").is_some());
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "relative"] {
            assert!(LocalPath::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn dates_round_trip_through_json_as_strings() {
        let json = serde_json::to_string(&d("2026-09-30")).unwrap();
        assert_eq!(json, "\"2026-09-30\"");
        assert!(serde_json::from_str::<IsoDate>("\"2026-13-01\"").is_err());
    }
}
