//! The Trust Services Criteria: the five categories and their points of focus (`CC6.1`).

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
    /// The five categories, Security first: the order the public page and the report form list them.
    pub const ALL: [TscCategory; 5] =
        [Self::Security, Self::Availability, Self::ProcessingIntegrity, Self::Confidentiality, Self::Privacy];

    /// The category's name as the AICPA writes it.
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

    /// The code stored in the database (`tsc_in_scope`) and used in forms.
    pub fn code(self) -> &'static str {
        match self {
            Self::Security => "security",
            Self::Availability => "availability",
            Self::ProcessingIntegrity => "processing_integrity",
            Self::Confidentiality => "confidentiality",
            Self::Privacy => "privacy",
        }
    }

    /// The category whose code or name (any case) is `code`, or a message naming it.
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
    /// One criterion, any case (`cc6.1`): only criteria that exist in the 2017 TSC parse, else a
    /// message with examples.
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

    /// The category the criterion belongs to (`CC` points are Security). Only tests use it so far.
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn category_codes_round_trip() {
        for c in TscCategory::ALL {
            assert_eq!(TscCategory::parse(c.code()), Ok(c));
        }
        assert!(TscCategory::parse("astrology").is_err());
    }
}
