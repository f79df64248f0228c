//! Typing errors in incoming questions ("Do you have an incident respone plan?"). A word the
//! knowledge base never uses (nor any inflection of one), that the caller does not know as a word
//! either (the engine asks the model's vocabulary), and that is one edit away from a word the
//! knowledge base does use (a letter added, dropped, changed, or two neighbours swapped; same
//! first letter; five letters or more) is read as that word. Anything else is left as written:
//! a correction can only turn an unknown word into a known one.

use rust_stemmers::{Algorithm, Stemmer};
use std::{
    borrow::Cow,
    collections::{HashMap, HashSet},
};

/// Shorter words are left alone: too many real words lie one edit from each other.
const MIN_LEN: usize = 5;
/// Longer words are left alone (no typing error makes a word this long).
const MAX_LEN: usize = 30;
/// Unknown words looked up per text: a question is a sentence or two; a hostile 2,000-character
/// cell of made-up words costs no more than this many vocabulary scans.
const MAX_LOOKUPS: usize = 16;

/// The knowledge base's vocabulary, for correcting questions against it.
pub struct Speller {
    /// Every word (lower-cased, at least [`MIN_LEN`] letters).
    known: HashSet<String>,
    /// Every stem of every word (so that an inflection of a known word is not taken for a typo).
    stems: HashSet<String>,
    /// By first letter: each known word with how often it occurs, and each stem with its most
    /// frequent word (a typo of a stem that is no word itself, "encrpyt" for "encrypt", known
    /// only as "encrypted", is read as that word). Only these are scanned for a correction.
    by_first: HashMap<char, Candidates>,
    stemmer: Stemmer,
}

#[derive(Default)]
struct Candidates {
    /// (word, occurrences)
    words: Vec<(String, usize)>,
    /// (stem, its most frequent word, that word's occurrences)
    stems: Vec<(String, String, usize)>,
}

fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

impl Speller {
    /// The vocabulary of `texts` (entries' questions, phrasings, answers and tags).
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let stemmer = Stemmer::create(Algorithm::English);
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut stems = HashSet::new();
        for text in texts {
            for (_, w) in words(&crate::text::normalise(text)) {
                stems.insert(stemmer.stem(w).into_owned());
                if w.chars().count() >= MIN_LEN && w.chars().all(char::is_alphabetic) {
                    *counts.entry(w.to_string()).or_insert(0) += 1;
                }
            }
        }
        // Each stem's most frequent word (ties: the first alphabetically).
        let mut best: HashMap<String, (String, usize)> = HashMap::new();
        for (word, &count) in &counts {
            let slot = best.entry(stemmer.stem(word).into_owned()).or_insert_with(|| (word.clone(), count));
            if count > slot.1 || (count == slot.1 && *word < slot.0) {
                *slot = (word.clone(), count);
            }
        }
        let mut by_first: HashMap<char, Candidates> = HashMap::new();
        for (word, &count) in &counts {
            if let Some(first) = word.chars().next() {
                by_first.entry(first).or_default().words.push((word.clone(), count));
            }
        }
        for (stem, (word, count)) in best {
            if let Some(first) = stem.chars().next() {
                by_first.entry(first).or_default().stems.push((stem, word, count));
            }
        }
        Self { known: counts.into_keys().collect(), stems, by_first, stemmer }
    }

    /// Whether `word` (lower case) may be a typing error: long enough, letters only, and neither
    /// a known word, an inflection of one, nor a word the caller knows.
    fn unknown(&self, word: &str, is_word: &dyn Fn(&str) -> bool) -> bool {
        let len = word.chars().count();
        (MIN_LEN..=MAX_LEN).contains(&len)
            && word.chars().all(char::is_alphabetic)
            && !self.known.contains(word)
            && !self.stems.contains(self.stemmer.stem(word).as_ref())
            && !is_word(word)
    }

    /// The known word one edit from `word` (or from its stem), the most frequent one first.
    fn nearest(&self, word: &str) -> Option<&str> {
        let first = word.chars().next()?;
        let candidates = self.by_first.get(&first)?;
        let stem = self.stemmer.stem(word);
        let near = |known: &str, of: &str| {
            known.chars().count() >= MIN_LEN
                && known.chars().count().abs_diff(of.chars().count()) <= 1
                && strsim::osa_distance(of, known) == 1
        };
        let words = candidates.words.iter().filter(|(k, _)| near(k, word)).map(|(k, n)| (k.as_str(), *n));
        let stems = candidates.stems.iter().filter(|(s, _, _)| near(s, &stem)).map(|(_, w, n)| (w.as_str(), *n));
        words.chain(stems).max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0))).map(|(k, _)| k)
    }

    /// `text` with each typing error replaced by the word it was meant as (lower case); the
    /// text itself when there is none. `is_word` names words that are right even though the
    /// knowledge base does not use them.
    pub fn correct<'t>(&self, text: &'t str, is_word: &dyn Fn(&str) -> bool) -> Cow<'t, str> {
        let mut out: Option<String> = None;
        let mut copied = 0;
        let mut lookups = 0;
        for (at, w) in words(text) {
            let lower = w.to_lowercase();
            if !self.unknown(&lower, is_word) {
                continue;
            }
            lookups += 1;
            if lookups > MAX_LOOKUPS {
                break;
            }
            if let Some(fix) = self.nearest(&lower) {
                let s = out.get_or_insert_with(|| String::with_capacity(text.len()));
                s.push_str(&text[copied..at]);
                s.push_str(fix);
                copied = at + w.len();
            }
        }
        match out {
            Some(mut s) => {
                s.push_str(&text[copied..]);
                Cow::Owned(s)
            }
            None => Cow::Borrowed(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn speller() -> Speller {
        Speller::new([
            "Do you maintain an incident response plan that is regularly tested?",
            "Security-relevant logs are retained for one year; backups are encrypted.",
            "How is privileged access controlled?",
        ])
    }

    #[test]
    fn one_edit_from_a_known_word_is_read_as_it() {
        let s = speller();
        let none = |_: &str| false;
        assert_eq!(s.correct("Do you have an incident respone plan?", &none), "Do you have an incident response plan?");
        assert_eq!(s.correct("Are logs retianed?", &none), "Are logs retained?");
        assert_eq!(s.correct("Is priviledged access reviewed?", &none), "Is privileged access reviewed?");
        assert_eq!(s.correct("Are bakups encrypted?", &none), "Are backups encrypted?");
        // "encrypt" itself is not in the text, only "encrypted".
        assert_eq!(s.correct("Do you encrpyt backups?", &none), "Do you encrypted backups?");
    }

    #[test]
    fn known_words_inflections_short_words_and_words_the_caller_knows_stay() {
        let s = speller();
        let none = |_: &str| false;
        // Known, an inflection of a known word, too short, a number, two edits away.
        for text in ["Is the plan tested?", "Do you test responses?", "Are logz kept?", "TLS 12345?", "Is it rspnse?"] {
            assert!(matches!(s.correct(text, &none), Cow::Borrowed(_)), "{text}");
        }
        // A real word one edit from a known one is left when the caller knows it.
        let english = |w: &str| w == "retailed";
        assert_eq!(s.correct("Are logs retailed?", &english), "Are logs retailed?");
        assert_eq!(s.correct("Are logs retailed?", &none), "Are logs retained?");
        // Only the first unknown words are looked up.
        let many = format!("{} Are logs retianed?", "Zzzzzq ".repeat(MAX_LOOKUPS));
        assert!(matches!(s.correct(&many, &none), Cow::Borrowed(_)));
        // A different first letter is not corrected; nor is text outside ASCII broken.
        assert_eq!(s.correct("Is there an incident tesponse plan?", &none), "Is there an incident tesponse plan?");
        assert_eq!(s.correct("Schütz respone – ok", &none), "Schütz response – ok");
    }
}
