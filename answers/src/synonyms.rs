//! The acronym and synonym table: editable data (`answers/synonyms.txt` is the default; a file of
//! the same format can replace it), not code.

use crate::text::Analyzer;
use std::collections::HashMap;

/// Phrases (as word sequences) mapped to the name of their group.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    phrases: HashMap<Vec<String>, String>,
    longest: usize,
}

/// The table shipped with Vouchsafe.
pub const DEFAULT_TABLE: &str = include_str!("../synonyms.txt");

impl Synonyms {
    /// The table shipped with Vouchsafe ([`DEFAULT_TABLE`]).
    pub fn default_table() -> Self {
        Self::parse(DEFAULT_TABLE)
    }

    /// One group per line, comma-separated phrases; `#` starts a comment line. A phrase in two
    /// groups belongs to the first.
    pub fn parse(table: &str) -> Self {
        let mut phrases = HashMap::new();
        let mut longest = 0;
        for line in table.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let members: Vec<Vec<String>> = line
                .split(',')
                .map(|p| {
                    let text = crate::text::normalise(p);
                    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
                })
                .filter(|w: &Vec<String>| !w.is_empty())
                .collect();
            let Some(name) = members.first().map(|w| w.join("_")) else { continue };
            for words in members {
                longest = longest.max(words.len());
                phrases.entry(words).or_insert_with(|| name.clone());
            }
        }
        Self { phrases, longest }
    }

    /// The longest phrase at the start of `words`: its length in words and its group's name.
    pub fn longest_match(&self, words: &[String]) -> Option<(usize, &str)> {
        (1..=self.longest.min(words.len()))
            .rev()
            .find_map(|n| self.phrases.get(&words[..n]).map(|group| (n, group.as_str())))
    }

    /// How many groups the table holds.
    pub fn groups(&self) -> usize {
        let mut names: Vec<&String> = self.phrases.values().collect();
        names.sort();
        names.dedup();
        names.len()
    }
}

/// The variable naming a replacement table (same format as `answers/synonyms.txt`).
pub const TABLE_VARIABLE: &str = "VOUCHSAFE_SYNONYMS";

impl Synonyms {
    /// The table in use: the file named by `VOUCHSAFE_SYNONYMS` when it is set and readable
    /// (read once per process), otherwise the shipped one.
    pub fn active() -> Self {
        static ACTIVE: std::sync::OnceLock<Synonyms> = std::sync::OnceLock::new();
        ACTIVE
            .get_or_init(|| {
                std::env::var_os(TABLE_VARIABLE)
                    .and_then(|path| std::fs::read_to_string(path).ok())
                    .map(|text| Synonyms::parse(&text))
                    .unwrap_or_else(Synonyms::default_table)
            })
            .clone()
    }
}

impl Analyzer {
    /// An analyzer with the synonym table in use (see [`Synonyms::active`]).
    pub fn standard() -> Self {
        Analyzer::new(Synonyms::active())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_longest_phrases_win() {
        let s =
            Synonyms::parse("# comment\nmfa, 2fa, multi factor, multi factor authentication\n\nsso, single sign on\n");
        assert_eq!(s.groups(), 2);
        let words: Vec<String> = ["multi", "factor", "authentication", "x"].iter().map(|w| w.to_string()).collect();
        assert_eq!(s.longest_match(&words), Some((3, "mfa")));
        assert_eq!(s.longest_match(&words[3..]), None);
        assert!(Synonyms::default_table().groups() > 40);
    }
}
