//! Text for matching: normalised, stripped of section prefixes, split into words, synonyms folded
//! into one term per group, stop words dropped, the rest stemmed.

use crate::synonyms::Synonyms;
use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

/// Lower-cased NFKC text with typographic quotes and dashes made plain.
pub fn normalise(text: &str) -> String {
    text.nfkc()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            '\u{00A0}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Removes a spreadsheet section prefix such as `IAM-04:`, `SDLC-3:`, `3.2.1`, `Q42.`, `A.12.4`,
/// `(b)` or `1)` from the start of a question, repeatedly (`1.2 Q7:`).
pub fn strip_prefix(question: &str) -> &str {
    let mut rest = question.trim_start();
    loop {
        match prefix_len(rest) {
            Some(n) if n < rest.len() => rest = rest[n..].trim_start(),
            _ => return rest,
        }
    }
}

/// Lead-ins that name a topic the question sets aside ("Apart from automated scanning, do you…"):
/// the words up to the next comma or semicolon are not what is asked.
const SET_ASIDE: &[&str] =
    &["apart from ", "aside from ", "besides ", "other than ", "in addition to ", "setting aside ", "leaving aside "];

/// Turns that move to what is actually asked ("We know you encrypt data at rest; what about data
/// in transit?"): what comes before them is context.
const TURNS: &[&str] = &["what about ", "how about ", "and what of ", "but what of "];

/// The part of a question that holds what is asked: a set-aside lead-in ("Apart from X, …") and a
/// conceded clause before a turn ("We know you do X; what about Y?") are dropped. Questions
/// without either come back whole; so does anything that would leave fewer than three words.
pub fn focus(question: &str) -> &str {
    // ASCII lower-casing keeps every byte where it was (full lower-casing can change lengths, "İ"
    // two bytes to three), so an offset found in it cuts the question at the same character.
    let lower = question.to_ascii_lowercase();
    let mut start = 0;
    if let Some(turn) = TURNS.iter().filter_map(|t| lower.find(t).filter(|&i| i > 0)).min() {
        let before = lower[..turn].trim_end();
        if before.ends_with([';', ',', '.', '-', '?']) || before.ends_with(" but") || before.ends_with(" and") {
            start = turn;
        }
    }
    let rest = &lower[start..];
    if let Some(lead) = SET_ASIDE.iter().find(|l| rest.starts_with(*l)) {
        if let Some(cut) = rest[lead.len()..].find([',', ';']) {
            start += lead.len() + cut + 1;
        }
    }
    let out = question[start..].trim_start();
    if out.split_whitespace().count() < 3 {
        question
    } else {
        out
    }
}

/// Length of one prefix token (including its trailing punctuation), if `s` starts with one.
fn prefix_len(s: &str) -> Option<usize> {
    let token_end = s.find(char::is_whitespace)?;
    let token = &s[..token_end];
    // "(b)" / "b)" / "iv." style list markers.
    let bare = token.trim_start_matches('(').trim_end_matches([')', '.', ':']);
    if token.ends_with(')') && !bare.is_empty() && bare.len() <= 4 && bare.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Some(token_end);
    }
    let core = token.trim_end_matches([':', '.', ')', '-', '–']);
    if core.is_empty() || !core.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    // Letters, then digits/dots/dashes: `IAM-04`, `Q42`, `A.12.4.1`, `3.2.1`, `SDLC-3`, `CC6.1`.
    let letters = core.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let tail = &core[letters..];
    let tail_ok = !tail.is_empty()
        && tail.trim_start_matches(['-', '_', '.']).starts_with(|c: char| c.is_ascii_digit())
        && tail.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '_') || c.is_ascii_lowercase());
    // A leading word that is only digits plus letters ("2FA", "24x7") is content, not a prefix.
    let letters_after_digits =
        tail.chars().skip_while(|c| !c.is_ascii_digit()).filter(|c| c.is_ascii_alphabetic()).count();
    let punctuated = token.len() > core.len() || letters > 0 || core.contains('.');
    (letters <= 6 && tail_ok && letters_after_digits <= 1 && punctuated).then_some(token_end)
}

const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "by",
    "can",
    "could",
    "describe",
    "detail",
    "do",
    "does",
    "doing",
    "done",
    "each",
    "either",
    "et",
    "etc",
    "explain",
    "for",
    "from",
    "has",
    "have",
    "having",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "kindly",
    "me",
    "my",
    "of",
    "on",
    "or",
    "our",
    "ours",
    "please",
    "provide",
    "s",
    "such",
    "that",
    "the",
    "their",
    "them",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "us",
    "was",
    "we",
    "were",
    "what",
    "which",
    "while",
    "who",
    "whom",
    "will",
    "with",
    "would",
    "you",
    "your",
    "yours",
    "organisation",
    "organization",
    "company",
    "northwind",
    "currently",
    "ensure",
    "place",
    "within",
    "applicable",
];

/// Turns text into matching terms. Built once; cheap to share.
pub struct Analyzer {
    stemmer: Stemmer,
    synonyms: Synonyms,
}

impl Analyzer {
    /// An analyzer with the English Snowball stemmer and `synonyms`.
    pub fn new(synonyms: Synonyms) -> Self {
        Self { stemmer: Stemmer::create(Algorithm::English), synonyms }
    }

    /// Words of `text` (normalised, prefix removed), before synonyms and stemming.
    pub fn words(text: &str) -> Vec<String> {
        let text = normalise(text);
        strip_prefix(&text)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The matching terms of `text`: a synonym group's name for any of its phrases (the longest
    /// match wins), otherwise the stemmed word; stop words dropped.
    pub fn terms(&self, text: &str) -> Vec<String> {
        let words = Self::words(text);
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            if let Some((len, group)) = self.synonyms.longest_match(&words[i..]) {
                out.push(format!("~{group}"));
                i += len;
                continue;
            }
            let w = &words[i];
            i += 1;
            if STOP_WORDS.contains(&w.as_str()) || (w.len() == 1 && !w.chars().all(|c| c.is_ascii_digit())) {
                continue;
            }
            out.push(self.stemmer.stem(w).into_owned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn section_prefixes_are_removed() {
        for (input, expected) in [
            ("IAM-04: Is MFA required?", "Is MFA required?"),
            ("SDLC-3: Is static code analysis used?", "Is static code analysis used?"),
            ("3.2.1 Do you encrypt data?", "Do you encrypt data?"),
            ("Q42. Do you encrypt data?", "Do you encrypt data?"),
            ("A.12.4.1 Are logs kept?", "Are logs kept?"),
            ("(b) Are logs kept?", "Are logs kept?"),
            ("1.2 Q7: Are logs kept?", "Are logs kept?"),
            ("CC6.1 - Are logs kept?", "- Are logs kept?"),
            ("2FA is enforced?", "2FA is enforced?"),
            ("24x7 monitoring?", "24x7 monitoring?"),
            ("Is 2FA enforced?", "Is 2FA enforced?"),
            ("42", "42"),
        ] {
            assert_eq!(strip_prefix(input), expected, "{input}");
        }
    }

    #[test]
    fn a_set_aside_topic_or_a_conceded_clause_is_not_what_is_asked() {
        for (input, expected) in [
            (
                "We know you encrypt data at rest; what about data moving over public networks?",
                "what about data moving over public networks?",
            ),
            (
                "Apart from automated scanning, do you have an outside firm test the platform?",
                "do you have an outside firm test the platform?",
            ),
            ("Besides SSO, which sign-in methods exist?", "which sign-in methods exist?"),
            ("Other than backups; how is data replicated?", "how is data replicated?"),
            // Nothing set aside: whole.
            ("Do you encrypt data at rest and in transit?", "Do you encrypt data at rest and in transit?"),
            ("What about encryption?", "What about encryption?"),
            // A turn not after a clause, or a lead-in without a comma, stays.
            ("Tell me what about your backups is automated", "Tell me what about your backups is automated"),
            ("Besides reasonable doubt do you test restores?", "Besides reasonable doubt do you test restores?"),
            // Lead-ins that narrow the question rather than set a topic aside stay.
            ("Excluding weekends, is support staffed 24x7?", "Excluding weekends, is support staffed 24x7?"),
            // Too little would be left.
            ("Apart from SSO, MFA?", "Apart from SSO, MFA?"),
            // Text outside ASCII is cut at the right place, also where full lower-casing would
            // change lengths (İ two bytes to three, the Kelvin sign three to one).
            ("Apart from Zürich, which regions host data?", "which regions host data?"),
            ("Apart from İstanbul, which regions host data?", "which regions host data?"),
            ("İİ\u{212A} apart; what about the İ keys?", "what about the İ keys?"),
            ("APART FROM SSO, WHICH SIGN-IN METHODS EXIST?", "WHICH SIGN-IN METHODS EXIST?"),
        ] {
            assert_eq!(focus(input), expected, "{input}");
        }
    }

    #[test]
    fn typography_is_made_plain() {
        assert_eq!(normalise("Vendor\u{2019}s \u{201C}SSO\u{201D} \u{2013} OK"), "vendor's \"sso\" - ok");
    }

    #[test]
    fn synonyms_fold_and_words_stem() {
        let a = Analyzer::new(Synonyms::default_table());
        let sorted = |t: &str| {
            let mut v = a.terms(t);
            v.sort();
            v
        };
        assert_eq!(sorted("Do you enforce two-factor authentication?"), sorted("Is MFA enforced?"));
        assert_eq!(a.terms("Q12. Is multi factor authentication enforced?"), vec!["~mfa", "enforc"]);
        assert!(a.terms("What is your RPO?").contains(&"~rpo".to_string()));
        assert!(a.terms("What is the recovery point objective?").contains(&"~rpo".to_string()));
        assert!(!a.terms("recovery time objective").contains(&"~rpo".to_string()));
        assert_eq!(a.terms("backups are encrypted"), a.terms("Backup is encrypting"));
    }
}
