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

    /// Parses `YYYY-MM-DD`; anything else is refused with a message fit for a form field.
    pub fn parse(text: &str) -> Result<Self, String> {
        Date::parse(text.trim(), Self::FORMAT)
            .map(Self)
            .map_err(|_| format!("“{}” is not a date in the form YYYY-MM-DD.", text.trim()))
    }

    /// Builds a date from parts; `None` when the parts are not a real day.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Self> {
        let month = Month::try_from(month).ok()?;
        Date::from_calendar_date(year, month, day).ok().map(Self)
    }

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
    pub fn add_months(self, months: i32) -> Self {
        let d = self.0;
        let index = d.year() * 12 + (d.month() as i32 - 1) + months;
        let (year, month0) = (index.div_euclid(12), index.rem_euclid(12));
        let month = Month::try_from(month0 as u8 + 1).expect("month index is 0..12");
        let last = month.length(year);
        Self(Date::from_calendar_date(year, month, d.day().min(last)).expect("day clamped"))
    }

    pub fn add_days(self, days: i64) -> Self {
        Self(self.0 + time::Duration::days(days))
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
    #[cfg(feature = "ssr")]
    pub fn now() -> Self {
        Self(OffsetDateTime::now_utc().unix_timestamp())
    }

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
    fn dates_round_trip_through_json_as_strings() {
        let json = serde_json::to_string(&d("2026-09-30")).unwrap();
        assert_eq!(json, "\"2026-09-30\"");
        assert!(serde_json::from_str::<IsoDate>("\"2026-13-01\"").is_err());
    }
}
