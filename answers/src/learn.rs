//! Learning from answered questionnaires: a buyer's file sent back with our answers in it is read
//! (every sheet, the question column and the answer and comment columns), and each answer is traced
//! to the knowledge-base entry it was copied from by comparing the answer text with every entry's
//! answer. A question traced to an entry becomes another phrasing of it once a person (or
//! `vouchsafe kb learn --accept`) confirms; an answer that traces to no entry is proposed as a new
//! (draft) entry. The question's own words are never used to decide where an answer came from, so
//! a wording the engine gets wrong is still learned under the right entry.

use crate::{
    book::{self, Book},
    kb::{Format, ImportError, ShortAnswer, MAX_ANSWER, MAX_QUESTION},
    text::normalise,
};
use serde::Serialize;
use std::collections::HashSet;

/// One answered row of a completed questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answered {
    /// The sheet's name (a CSV's one sheet is named after nothing: empty).
    pub sheet: String,
    /// Excel's row number (1-based).
    pub row: u32,
    pub question: String,
    /// The answer and comment cells joined, as the buyer's file holds them.
    pub answer: String,
}

/// Reads every sheet's question rows with their answers; rows without any answer are left out.
/// Refused when no sheet has a question column, or no sheet has an answer column.
pub fn read_answered(bytes: &[u8], format: Format) -> Result<Vec<Answered>, ImportError> {
    let book = book::read(bytes, format)?;
    let mappings = book.detect()?;
    if mappings.iter().all(|m| m.answer.is_none() && m.comment.is_none()) {
        return Err(ImportError::File("no answer column found; name it \"answer\"".into()));
    }
    Ok(answered_rows(&book, &mappings))
}

fn answered_rows(book: &Book, mappings: &[book::Mapping]) -> Vec<Answered> {
    let mut out = Vec::new();
    for (sheet, mapping) in book.sheets.iter().zip(mappings) {
        for item in sheet.items(mapping) {
            let cell = |col: Option<u32>| col.map(|c| sheet.text(item.row, c).trim().to_string()).unwrap_or_default();
            let (answer, comment) = (cell(mapping.answer), cell(mapping.comment));
            let joined = match (answer.is_empty(), comment.is_empty()) {
                (true, true) => continue,
                (false, true) => answer,
                (true, false) => comment,
                // "Yes" | "All workforce access…" reads as one answer.
                (false, false) => format!("{answer}. {comment}"),
            };
            out.push(Answered {
                sheet: sheet.name.clone(),
                row: item.row + 1,
                question: item.question.chars().take(MAX_QUESTION).collect(),
                answer: joined.chars().take(MAX_ANSWER).collect(),
            });
        }
    }
    out
}

/// Where an answer came from, as [`Matcher::trace`] decides.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Trace {
    /// Copied from this entry (its answer and the buyer's share this much of their words).
    Entry { kb_id: String, similarity: f32 },
    /// A real answer that is none of the entries': proposed as a new entry.
    New { short_answer: Option<ShortAnswer> },
    /// Too little to tell where it came from ("Yes", "N/A", a few words), or close to two entries
    /// at once: nothing is learned.
    Unclear { reason: String },
}

/// Fewer distinct words than this cannot be traced to an entry.
const MIN_WORDS: usize = 5;
/// The share of shared words (Dice coefficient over distinct words) at or above which an answer
/// is the entry's...
pub const SAME_ANSWER: f32 = 0.75;
/// ...when the next entry is at least this much further away.
const MARGIN: f32 = 0.15;
/// Below this share an answer is nobody's: a new entry.
const NEW_ANSWER: f32 = 0.35;

fn word_set(text: &str) -> HashSet<String> {
    normalise(text).split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
}

fn dice(a: &HashSet<String>, b: &HashSet<String>) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    2.0 * a.intersection(b).count() as f32 / (a.len() + b.len()) as f32
}

/// The entries' answers, ready to trace buyers' answers to.
pub struct Matcher {
    entries: Vec<(String, HashSet<String>)>,
}

impl Matcher {
    /// Over `(kb_id, answer)` pairs: the entries an answer may have been copied from.
    pub fn new<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self { entries: entries.into_iter().map(|(id, answer)| (id.to_string(), word_set(answer))).collect() }
    }

    /// Which entry `answer` was copied from, if any.
    pub fn trace(&self, answer: &str) -> Trace {
        let words = word_set(answer);
        if words.len() < MIN_WORDS {
            return Trace::Unclear { reason: "too short to tell which entry it came from".into() };
        }
        let mut scored: Vec<(usize, f32)> =
            self.entries.iter().enumerate().map(|(i, (_, e))| (i, dice(&words, e))).collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let (best, second) = (scored.first().copied(), scored.get(1).map_or(0.0, |s| s.1));
        match best {
            Some((i, s)) if s >= SAME_ANSWER && s - second >= MARGIN => {
                Trace::Entry { kb_id: self.entries[i].0.clone(), similarity: (s * 1000.0).round() / 1000.0 }
            }
            Some((_, s)) if s >= NEW_ANSWER => {
                Trace::Unclear { reason: "close to an entry's answer but not the same; check it by hand".into() }
            }
            _ => Trace::New { short_answer: leading_short_answer(answer) },
        }
    }
}

/// "Yes. All access…" → Yes; "No, we do not…" → No; otherwise none.
pub fn leading_short_answer(answer: &str) -> Option<ShortAnswer> {
    let first = answer.trim_start().split(|c: char| !c.is_alphanumeric() && c != '/').next().unwrap_or_default();
    ShortAnswer::parse(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MFA: &str = "Yes. All workforce access goes through Okta single sign-on, and Okta enforces multi-factor \
                       authentication on every login.";
    const CUSTOMER_MFA: &str = "Yes. Any user account can enroll an authenticator app or a WebAuthn security key as a \
                                second factor, and administrators can make MFA mandatory.";
    const BACKUPS: &str = "Production databases are backed up every hour and kept for 35 days in a second region.";

    fn matcher() -> Matcher {
        Matcher::new([("KB-1", MFA), ("KB-2", CUSTOMER_MFA), ("KB-3", BACKUPS)])
    }

    #[test]
    fn an_answer_copied_from_an_entry_traces_to_it_even_when_edited() {
        let m = matcher();
        assert!(matches!(m.trace(MFA), Trace::Entry { ref kb_id, similarity } if kb_id == "KB-1" && similarity == 1.0));
        // The buyer's file split the short answer off and dropped the last clause.
        let edited = "Yes. All workforce access goes through Okta single sign-on, and Okta enforces multi-factor \
                      authentication.";
        assert!(matches!(m.trace(edited), Trace::Entry { ref kb_id, .. } if kb_id == "KB-1"));
        assert!(matches!(m.trace(&BACKUPS.to_uppercase()), Trace::Entry { ref kb_id, .. } if kb_id == "KB-3"));
    }

    #[test]
    fn short_unrelated_and_ambiguous_answers_are_not_learned_as_an_entry() {
        let m = matcher();
        assert!(matches!(m.trace("Yes"), Trace::Unclear { .. }));
        assert!(matches!(m.trace("N/A - see attached"), Trace::Unclear { .. }));
        let new = m.trace("No. We do not hold a PCI DSS attestation because we never store card numbers.");
        assert_eq!(new, Trace::New { short_answer: Some(ShortAnswer::No) });
        // Half of one answer and half of another: neither is the source.
        let mixed = "Yes. All workforce access goes through Okta single sign-on. Production databases are backed up \
                     every hour.";
        assert!(matches!(m.trace(mixed), Trace::Unclear { .. }), "{:?}", m.trace(mixed));
    }

    #[test]
    fn every_sheet_is_read_with_answer_and_comment_joined() {
        let csv =
            "Ref,Question,Response,Comments\n1,Is MFA enforced for staff?,Yes,All workforce access goes through Okta\n\
                   2,Do you back up data?,,\n3,Backups?,Hourly,\n";
        let rows = read_answered(csv.as_bytes(), Format::Csv).unwrap();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert_eq!(rows[0].answer, "Yes. All workforce access goes through Okta");
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[1].question, "Backups?");
        assert!(read_answered(b"Question\nIs MFA enforced?\n", Format::Csv).is_err());
        assert_eq!(leading_short_answer("N/A: not in scope"), Some(ShortAnswer::NotApplicable));
        assert_eq!(leading_short_answer("Yesterday we did"), None);
    }
}
