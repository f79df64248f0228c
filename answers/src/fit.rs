//! Whether an answer fits the question it is given for: a Yes or No does not answer "What is
//! your RPO?", and an entry about ISO 27001 does not answer a question about ISO 27701.

use crate::{text, Analyzer, Engine};

/// Words that open a question asking for something other than yes or no.
const OPEN: &[&str] = &[
    "what",
    "which",
    "how",
    "when",
    "where",
    "who",
    "whom",
    "whose",
    "why",
    "describe",
    "list",
    "explain",
    "provide",
    "specify",
    "outline",
    "detail",
    "summarize",
    "summarise",
    "name",
    "give",
    "identify",
    "indicate",
];

/// Words a question may start with before the word that says what it asks ("Please describe").
const POLITE: &[&str] = &["please", "kindly", "briefly"];

/// Whether `question` asks for something other than yes or no: "What is your RPO?", "How long
/// are logs kept?", "Please describe your backup process." A question that starts as a yes/no
/// one ("Do you have an RPO? If so, what is it?") is not open.
pub fn is_open_question(question: &str) -> bool {
    let normalised = text::normalise(question);
    let words = text::strip_prefix(&normalised)
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .skip_while(|w| POLITE.contains(w))
        .map(|w| w.trim_end_matches("'s").to_string())
        .next();
    words.is_some_and(|w| OPEN.contains(&w.as_str()))
}

/// Whether `short` is a plain Yes or No (in any case).
pub fn is_yes_or_no(short: &str) -> bool {
    matches!(short.trim().to_lowercase().as_str(), "yes" | "no")
}

/// Whether the short answer `short` answers `question`: a Yes or No does not answer an open one.
pub fn short_answer_fits(question: &str, short: &str) -> bool {
    !(is_yes_or_no(short) && is_open_question(question))
}

/// The short answer an automatic fill writes for `question`: the entry's own, or none when it
/// does not answer the question (the explanation is then the whole answer, and a Yes/No cell
/// is never filled with it).
pub fn auto_short(question: &str, short: &str) -> String {
    if short_answer_fits(question, short) {
        short.to_string()
    } else {
        String::new()
    }
}

/// The numbers `question` names (a standard, a version, a period) that `entry_text` does not:
/// ["27701"] for "Are you ISO 27701 certified?" against an entry about ISO 27001.
pub fn missing_identifiers(question: &str, entry_text: &str) -> Vec<String> {
    let named: std::collections::HashSet<String> = Analyzer::words(entry_text).into_iter().collect();
    Engine::identifiers(question).into_iter().filter(|w| !named.contains(w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_questions_are_told_from_yes_no_ones() {
        for open in [
            "What is your RPO?",
            "Q7. How long are security logs retained?",
            "IAM-04: Which MFA methods are supported?",
            "Please describe your backup process.",
            "What's your RTO?",
            "List the subprocessors that handle customer data.",
        ] {
            assert!(is_open_question(open), "{open}");
        }
        for closed in [
            "Do you have an RPO? If so, what is it?",
            "Is MFA enforced for all staff?",
            "3.2.1 Are backups encrypted?",
            "Have you had a breach in the last 12 months?",
            "",
        ] {
            assert!(!is_open_question(closed), "{closed}");
        }
    }

    #[test]
    fn yes_does_not_answer_what() {
        assert!(!short_answer_fits("What is your RPO?", "Yes"));
        assert!(!short_answer_fits("How often are backups tested?", " no "));
        assert!(short_answer_fits("What is your RPO?", "N/A"));
        assert!(short_answer_fits("Do you back up daily?", "Yes"));
    }

    #[test]
    fn a_number_the_entry_never_names_is_missing() {
        assert_eq!(missing_identifiers("Are you ISO 27701 certified?", "We hold ISO 27001:2022."), ["27701"]);
        assert!(missing_identifiers("Are you ISO 27001 certified?", "We hold ISO 27001:2022.").is_empty());
        assert!(missing_identifiers("Is MFA enforced?", "Yes.").is_empty());
    }
}
