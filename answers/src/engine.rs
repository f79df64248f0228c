//! The suggestion engine: ranks knowledge-base entries for an incoming question and decides
//! whether the best one is safe to fill without review.
//!
//! What is matched of a question is what it asks: section prefix removed, a set-aside topic or
//! conceded clause dropped ("We know you encrypt at rest; what about…"), typing errors read as the
//! knowledge-base words they were meant as ([`crate::spelling`]). Then two kinds of signal: BM25
//! over question, alternative phrasings, answer and tags (synonyms folded), scaled by the best
//! score the query could reach so it means the same across queries; and, when the local model is
//! loaded, the cosine similarity between the question and each entry's question (its phrasings,
//! learned ones, and the question with its tags) and answer (whole, or its best sentence). The
//! fusion weights and decision thresholds in [`Tuning::FUSED`] were chosen on the development set
//! (`bench/answers --tune`); an auto-fill also needs two signals to rank the entry first.

#[cfg(feature = "embeddings")]
use crate::embed::{cosine, Embedder};
use crate::{bm25::Index, spelling::Speller, text::Analyzer};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
#[cfg(feature = "embeddings")]
use std::sync::Arc;

/// What the engine needs from an entry; the caller decides which entries are eligible.
#[derive(Debug, Clone)]
pub struct EngineEntry {
    pub kb_id: String,
    pub question: String,
    pub alternatives: Vec<String>,
    /// Phrasings learned from answered questionnaires: buyers' wordings of this entry's question.
    /// They count in the model's question similarity only, for three quarters of their cosine
    /// (`LEARNED_WEIGHT`): in the lexical ranking (measured with weights 0.3 and 1.0 by
    /// `bench/answers`) their words lowered top-1 on unseen questions.
    pub learned: Vec<String>,
    pub answer: String,
    pub tags: Vec<String>,
    pub category: String,
}

/// What may be done with a question's best suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Safe to fill without review.
    Auto,
    /// A person should check the suggestion.
    Review,
    /// Nothing in the knowledge base fits.
    None,
}

impl Decision {
    /// The decision's name as stored, shown and printed by the CLI: `auto`, `review` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Auto => "auto",
            Decision::Review => "review",
            Decision::None => "none",
        }
    }
}

/// One suggested entry: its id and its fused score, between 0 and 1 to three decimals.
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    pub kb_id: String,
    pub score: f32,
}

/// The engine's answer for one question.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub decision: Decision,
    /// Best first, at most three.
    pub suggestions: Vec<Scored>,
}

/// Fusion weights and thresholds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    pub lexical: f32,
    pub question: f32,
    pub answer: f32,
    /// Fused score at or above which the best entry may be auto-filled...
    pub auto: f32,
    /// ...when it leads the second by at least this much.
    pub margin: f32,
    /// Fused score at or above which the best entry is offered for review.
    pub review: f32,
}

impl Tuning {
    /// The fused score of one entry's signals (lexical share, question and answer similarity).
    pub fn fuse(&self, signals: &[f32; 3]) -> f32 {
        self.lexical * signals[0] + self.question * signals[1] + self.answer * signals[2]
    }

    /// Lexical ranking alone (no model loaded).
    pub const LEXICAL: Tuning =
        Tuning { lexical: 1.0, question: 0.0, answer: 0.0, auto: 0.47, margin: 0.06, review: 0.45 };
    /// Lexical and semantic together.
    pub const FUSED: Tuning =
        Tuning { lexical: 0.35, question: 0.25, answer: 0.40, auto: 0.50, margin: 0.06, review: 0.48 };
}

const FIELD_QUESTION: f32 = 1.0;
const FIELD_ALTERNATIVES: f32 = 1.0;
const FIELD_TAGS: f32 = 0.6;
const FIELD_ANSWER: f32 = 0.25;
const FIELD_CATEGORY: f32 = 0.2;
/// Lexical share above which a match counts as complete.
const LEXICAL_CAP: f32 = 1.0;

/// A learned phrasing counts for this share of its similarity: it is one buyer's wording, not the
/// entry's own question, and the wordings of a close neighbour ("staff MFA" next to "customer
/// MFA") would otherwise pull questions across (`bench/answers`: 0.75 is where five-fold learning
/// stops costing unseen questions anything; 1.0 cost 2.1 points of top-1).
#[cfg(feature = "embeddings")]
const LEARNED_WEIGHT: f32 = 0.75;

/// A question whose best entry matches this share of its terms...
#[cfg(feature = "embeddings")]
const SETTLED_SHARE: f32 = 0.80;
/// ...and leads the next by this much is settled without the model: its semantic signals are
/// taken to equal the lexical one (so its fused score is its lexical share).
#[cfg(feature = "embeddings")]
const SETTLED_MARGIN: f32 = 0.35;

#[cfg(feature = "embeddings")]
fn settled_lexically(lexical: &[f32]) -> bool {
    let (mut first, mut second) = (0.0f32, 0.0f32);
    for &l in lexical {
        if l > first {
            second = first;
            first = l;
        } else if l > second {
            second = l;
        }
    }
    first >= SETTLED_SHARE && first - second >= SETTLED_MARGIN
}

/// Every text of `entry` the model embeds when an engine is built over it, in no particular
/// order: callers that keep vectors by text (`kb_vectors`) store and look up exactly these.
#[cfg(feature = "embeddings")]
pub fn embedded_texts(entry: &EngineEntry) -> Vec<String> {
    let mut out = question_texts(entry);
    out.extend(learned_texts(entry));
    out.extend(answer_texts(&entry.answer));
    out
}

/// The texts whose vectors stand for an entry's question: the question, its alternative
/// phrasings, and the question followed by its tags (which name the topic in the words buyers
/// use: "rto; downtime; disaster recovery").
#[cfg(feature = "embeddings")]
fn question_texts(e: &EngineEntry) -> Vec<String> {
    let mut out = vec![e.question.clone()];
    out.extend(e.alternatives.iter().cloned());
    if !e.tags.is_empty() {
        out.push(format!("{} ({})", e.question, e.tags.join(", ")));
    }
    out
}

/// The learned phrasings as they are matched: what each asks ([`crate::text::focus`]), so that a
/// buyer's "We know you encrypt data at rest; what about…" teaches the entry about transit only.
#[cfg(feature = "embeddings")]
fn learned_texts(e: &EngineEntry) -> Vec<String> {
    e.learned.iter().map(|l| crate::text::focus(crate::text::strip_prefix(l)).to_string()).collect()
}

/// Words a sentence needs to be matched on its own.
#[cfg(feature = "embeddings")]
const MIN_SENTENCE_WORDS: usize = 4;
/// Sentences of one answer matched on their own (the development set's answers have 2–5).
#[cfg(feature = "embeddings")]
const MAX_SENTENCES: usize = 12;

/// The texts whose vectors stand for an entry's answer: the whole answer, then each sentence of
/// it when it has more than one (UAX #29 sentence boundaries).
#[cfg(feature = "embeddings")]
fn answer_texts(answer: &str) -> Vec<String> {
    use unicode_segmentation::UnicodeSegmentation;
    let mut out = vec![answer.to_string()];
    // A sentence of fewer than four words ("Yes.") says nothing a question could match; a long
    // answer (up to 20,000 characters, one "sentence" per line) is taken by its first sentences.
    let sentences: Vec<&str> = answer
        .unicode_sentences()
        .map(str::trim)
        .filter(|s| s.split_whitespace().count() >= MIN_SENTENCE_WORDS)
        .take(MAX_SENTENCES)
        .collect();
    if sentences.len() > 1 {
        out.extend(sentences.into_iter().map(str::to_string));
    }
    out
}

/// Words after which a number names a standard: ISO 27701, IEC 62443, NIST 800, BS 10012.
const STANDARD_BODIES: &[&str] = &["iso", "iec", "nist", "bs", "en", "din", "ansi", "ieee", "etsi"];

/// Acronyms that name no subject of their own: a question about "the API" or "our HR team" is
/// not about something the knowledge base lacks a word for.
const GENERIC_ACRONYMS: &[&str] = &[
    "api", "apis", "url", "urls", "pdf", "csv", "xlsx", "faq", "ceo", "cto", "cfo", "coo", "usa", "uk", "eu", "us",
    "it", "hr", "ui", "ux", "saas", "b2b", "ltd", "inc", "llc", "gmbh",
];

/// What a question names that an entry must name too ([`Engine::must_name`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Named {
    /// Words the best entry must contain to be auto-filled (lower case): numbers, versions,
    /// names the knowledge base never uses.
    pub required: Vec<String>,
    /// Words without which the best entry does not answer the question at all (lower case): a
    /// standard's number, an acronym the knowledge base never uses.
    pub subjects: Vec<String>,
}

/// A number of three digits or more that is not a year: a standard's (`27701`, `800`, `62443`).
fn is_standard_number(word: &str) -> bool {
    let year = word.len() == 4 && (word.starts_with("19") || word.starts_with("20"));
    word.len() >= 3 && word.chars().all(|c| c.is_ascii_digit()) && !year
}

/// The ranking of one set of entries (lexical, or fused with the model's vectors); rebuilt when
/// the knowledge base changes, never updated in place.
pub struct Engine {
    analyzer: Analyzer,
    index: Index,
    ids: Vec<String>,
    /// Per entry: every word of its text, for checking identifiers such as `27701` or `1.0`.
    words: Vec<HashSet<String>>,
    /// Every word of the entries' text, with the entries that use it.
    vocabulary: HashMap<String, Vec<u32>>,
    /// The entries' vocabulary, for reading a question's typing errors.
    speller: Speller,
    #[cfg(feature = "embeddings")]
    semantic: Option<Semantic>,
    tuning: Tuning,
}

#[cfg(feature = "embeddings")]
struct Semantic {
    embedder: Arc<Embedder>,
    /// Per entry: vectors of its question, each alternative phrasing, and the question with its
    /// tags.
    questions: Vec<Vec<Vec<f32>>>,
    /// Per entry: vectors of its learned phrasings.
    learned: Vec<Vec<Vec<f32>>>,
    /// Per entry: vectors of its whole answer and of each of the answer's sentences (a question
    /// may ask about one detail that a single sentence states).
    answers: Vec<Vec<Vec<f32>>>,
}

/// Why suggestions could not be made: only the model can fail, so without the `embeddings` feature
/// there is no error at all.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[cfg(feature = "embeddings")]
    #[error(transparent)]
    Embed(#[from] crate::embed::EmbedError),
}

impl Engine {
    /// A lexical-only engine.
    pub fn lexical(entries: &[EngineEntry], analyzer: Analyzer) -> Self {
        let docs: Vec<Vec<(f32, Vec<String>)>> = entries
            .iter()
            .map(|e| {
                vec![
                    (FIELD_QUESTION, analyzer.terms(&e.question)),
                    (FIELD_ALTERNATIVES, e.alternatives.iter().flat_map(|a| analyzer.terms(a)).collect()),
                    (FIELD_TAGS, e.tags.iter().flat_map(|t| analyzer.terms(t)).collect()),
                    (FIELD_ANSWER, analyzer.terms(&e.answer)),
                    (FIELD_CATEGORY, analyzer.terms(&e.category)),
                ]
            })
            .collect();
        let words: Vec<HashSet<String>> = entries
            .iter()
            .map(|e| {
                let text = format!("{} {} {} {}", e.question, e.alternatives.join(" "), e.answer, e.tags.join(" "));
                Analyzer::words(&text).into_iter().collect()
            })
            .collect();
        let mut vocabulary: HashMap<String, Vec<u32>> = HashMap::new();
        for (i, set) in words.iter().enumerate() {
            for w in set {
                vocabulary.entry(w.clone()).or_default().push(i as u32);
            }
        }
        Self {
            index: Index::build(&docs),
            analyzer,
            ids: entries.iter().map(|e| e.kb_id.clone()).collect(),
            words,
            vocabulary,
            speller: Speller::new(entries.iter().flat_map(|e| {
                [e.question.as_str(), e.answer.as_str()]
                    .into_iter()
                    .chain(e.alternatives.iter().map(String::as_str))
                    .chain(e.tags.iter().map(String::as_str))
            })),
            #[cfg(feature = "embeddings")]
            semantic: None,
            tuning: Tuning::LEXICAL,
        }
    }

    /// An engine that fuses the lexical ranking with the model's similarities.
    #[cfg(feature = "embeddings")]
    pub fn fused(entries: &[EngineEntry], analyzer: Analyzer, embedder: Arc<Embedder>) -> Result<Self, EngineError> {
        Self::fused_cached(entries, analyzer, embedder, &mut std::collections::HashMap::new())
    }

    /// As [`Engine::fused`], reusing the vectors of texts embedded before (`cache`, keyed by
    /// text) and adding the new ones: rebuilding after one entry changed embeds one entry.
    #[cfg(feature = "embeddings")]
    pub fn fused_cached(
        entries: &[EngineEntry],
        analyzer: Analyzer,
        embedder: Arc<Embedder>,
        cache: &mut std::collections::HashMap<String, Vec<f32>>,
    ) -> Result<Self, EngineError> {
        let mut engine = Self::lexical(entries, analyzer);
        let mut texts = Vec::new();
        let mut shapes = Vec::with_capacity(entries.len());
        for e in entries {
            let (questions, learned, answers) = (question_texts(e), learned_texts(e), answer_texts(&e.answer));
            shapes.push((questions.len(), learned.len(), answers.len()));
            texts.extend(questions);
            texts.extend(learned);
            texts.extend(answers);
        }
        let mut missing: Vec<String> = texts.iter().filter(|t| !cache.contains_key(*t)).cloned().collect();
        missing.sort();
        missing.dedup();
        for (text, vector) in missing.iter().zip(embedder.embed(&missing)?) {
            cache.insert(text.clone(), vector);
        }
        let mut vectors = texts.iter().map(|t| cache.get(t).cloned().unwrap_or_default());
        let mut questions = Vec::with_capacity(entries.len());
        let mut learned = Vec::with_capacity(entries.len());
        let mut answers = Vec::with_capacity(entries.len());
        for (q, l, a) in shapes {
            questions.push((0..q).filter_map(|_| vectors.next()).collect());
            learned.push((0..l).filter_map(|_| vectors.next()).collect());
            answers.push((0..a).filter_map(|_| vectors.next()).collect());
        }
        engine.semantic = Some(Semantic { embedder, questions, learned, answers });
        engine.tuning = Tuning::FUSED;
        Ok(engine)
    }

    /// Whether the model's similarities are fused in (otherwise the ranking is lexical only).
    pub fn is_semantic(&self) -> bool {
        #[cfg(feature = "embeddings")]
        return self.semantic.is_some();
        #[cfg(not(feature = "embeddings"))]
        false
    }

    /// The weights and thresholds [`Engine::suggest`] uses.
    pub fn tuning(&self) -> Tuning {
        self.tuning
    }

    /// Replaces the weights and thresholds; the index and the vectors are kept.
    pub fn set_tuning(&mut self, tuning: Tuning) {
        self.tuning = tuning;
    }

    /// The number of entries ranked.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there is no entry to suggest: every question then gets [`Decision::None`].
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// What is matched of a question: its section prefix removed, a set-aside topic or conceded
    /// clause dropped ([`crate::text::focus`]), and, when the model is loaded, typing errors read
    /// as the knowledge-base words they were meant as (a word that is one token of the model's
    /// vocabulary is never "corrected").
    fn asked(&self, question: &str) -> String {
        let focused = crate::text::focus(crate::text::strip_prefix(question));
        // Without the model there is no vocabulary to tell a real word from a typing error
        // ("complaint" is one edit from "compliant"): nothing is corrected then.
        #[cfg(feature = "embeddings")]
        if let Some(s) = &self.semantic {
            return self.speller.correct(focused, &|w| s.embedder.knows(w)).into_owned();
        }
        focused.to_string()
    }

    /// The per-entry signals for each question: (lexical share, question similarity, answer similarity).
    pub fn signals(&self, questions: &[String]) -> Result<Vec<Vec<[f32; 3]>>, EngineError> {
        let questions: Vec<String> = questions.iter().map(|q| self.asked(q)).collect();
        let lexical: Vec<Vec<f32>> = questions
            .iter()
            .map(|q| {
                let terms = self.analyzer.terms(q);
                let ideal = self.index.ideal(&terms).max(1e-6);
                self.index.scores(&terms).into_iter().map(|s| (s / ideal).min(LEXICAL_CAP)).collect()
            })
            .collect();
        #[cfg(feature = "embeddings")]
        if let Some(s) = &self.semantic {
            // The model only sees questions the lexical ranking has not settled on its own.
            let (settled, open): (Vec<usize>, Vec<usize>) =
                (0..questions.len()).partition(|&q| settled_lexically(&lexical[q]));
            let texts: Vec<String> = open.iter().map(|&q| questions[q].clone()).collect();
            let vectors = s.embedder.embed(&texts)?;
            let mut out = vec![Vec::new(); questions.len()];
            for q in settled {
                out[q] = lexical[q].iter().map(|&l| [l, l, l]).collect();
            }
            for (q, qv) in open.into_iter().zip(&vectors) {
                // The best cosine between the question and any of an entry's vectors.
                let best = |vs: &[Vec<f32>]| vs.iter().map(|e| cosine(qv, e)).fold(0.0f32, f32::max);
                out[q] = lexical[q]
                    .iter()
                    .enumerate()
                    .map(|(i, &l)| {
                        let question = best(&s.questions[i]).max(LEARNED_WEIGHT * best(&s.learned[i]));
                        [l, question, best(&s.answers[i])]
                    })
                    .collect();
            }
            return Ok(out);
        }
        Ok(lexical.into_iter().map(|l| l.into_iter().map(|l| [l, 0.0, 0.0]).collect()).collect())
    }

    /// Words of the question that carry a number (a standard, a version, a period): `27701`,
    /// `1`, `0` of `TLS 1.0`, `24x7`.
    pub fn identifiers(question: &str) -> Vec<String> {
        Analyzer::words(question).into_iter().filter(|w| w.chars().any(|c| c.is_ascii_digit())).collect()
    }

    /// What `question` names that an entry must name too (see [`Named`]): its [`identifiers`]
    /// (numbers); the number of a standard it names after ISO, IEC, NIST, BS or EN; and the
    /// names written with two capitals or more ("HIPAA", "FedRAMP", "GuardDuty") that no entry
    /// uses and the synonym table does not know. Such an acronym (three capitals or more) or
    /// standard's number means the question asks about something the knowledge base has no word
    /// for: no answer, however well the rest of the wording matches ("Do you sign HIPAA business
    /// associate agreements?" is not "Do employees sign confidentiality agreements?"). A mixed
    /// name ("GuardDuty", or the buyer's own "AcmeCorp") only keeps the entry from being
    /// auto-filled. Only what is asked counts ([`crate::text::focus`]: "Apart from HIPAA, …"
    /// names nothing); a question in capitals throughout names no names.
    ///
    /// [`identifiers`]: Engine::identifiers
    pub fn must_name(&self, question: &str) -> Named {
        self.must_name_within(question, |_| true)
    }

    /// As [`Engine::must_name`], counting only the entries `allowed` accepts as the knowledge
    /// base (so that whether an entry a visitor may not see uses a word changes nothing for them).
    pub fn must_name_within(&self, question: &str, allowed: impl Fn(usize) -> bool) -> Named {
        let text = crate::text::focus(crate::text::strip_prefix(question));
        let mut named = Named { required: Self::identifiers(text), subjects: Vec::new() };
        let words = Analyzer::words(text);
        for pair in words.windows(2) {
            if STANDARD_BODIES.contains(&pair[0].as_str()) && is_standard_number(&pair[1]) {
                named.subjects.push(pair[1].clone());
            }
        }
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        let capitals = text.chars().filter(|c| c.is_uppercase()).count();
        if capitals * 2 > letters {
            return named;
        }
        let mut seen = HashSet::new();
        for word in text.split(|c: char| !c.is_alphanumeric()) {
            let upper = word.chars().filter(char::is_ascii_uppercase).count();
            if upper < 2 || word.chars().any(|c| c.is_ascii_digit()) || !seen.insert(word) {
                continue;
            }
            let lower = crate::text::normalise(word);
            if GENERIC_ACRONYMS.contains(&lower.as_str())
                || STANDARD_BODIES.contains(&lower.as_str())
                || self.knows_name(word, &lower, &allowed)
            {
                continue;
            }
            if upper >= 3 && upper == word.chars().count() {
                named.subjects.push(lower.clone());
            }
            named.required.push(lower);
        }
        named
    }

    /// Whether an allowed entry uses `word` (lower case: `lower`) as written, inflected or as a
    /// plural acronym ("NDAs"), or the synonym table knows it.
    fn knows_name(&self, word: &str, lower: &str, allowed: &impl Fn(usize) -> bool) -> bool {
        let singular = lower.strip_suffix('s').filter(|s| s.len() >= 2);
        [Some(lower), singular]
            .into_iter()
            .flatten()
            .any(|w| self.vocabulary.get(w).is_some_and(|entries| entries.iter().any(|&i| allowed(i as usize))))
            || self.analyzer.terms(word).iter().any(|t| t.starts_with('~') || self.index.documents_with(t).any(allowed))
    }

    /// Ranks and decides, given precomputed signals (see [`Engine::signals`]).
    pub fn decide(&self, signals: &[[f32; 3]], tuning: &Tuning) -> Suggestion {
        self.decide_for(signals, tuning, &Named::default())
    }

    /// As [`Engine::decide`]; an entry that lacks one of the words the question names
    /// ([`Engine::must_name`]) is never auto-filled (TLS 1.0 is not TLS 1.2): a person decides.
    /// When the best entry lacks one of its subjects (ISO 27701 asked, only ISO 27001 known;
    /// HIPAA), the knowledge base has no answer: [`Decision::None`], the entry still listed as
    /// related.
    pub fn decide_for(&self, signals: &[[f32; 3]], tuning: &Tuning, named: &Named) -> Suggestion {
        self.decide_within(signals, tuning, named, |_| true)
    }

    /// As [`Engine::decide_for`] over only the entries `allowed` accepts (by position in the
    /// engine's order): the others are neither suggested nor counted as the runner-up. (The
    /// signals themselves come from the whole index: term rarity and the typing-error vocabulary
    /// count every entry.)
    pub fn decide_within(
        &self,
        signals: &[[f32; 3]],
        tuning: &Tuning,
        named: &Named,
        allowed: impl Fn(usize) -> bool,
    ) -> Suggestion {
        let mut fused: Vec<(usize, f32)> =
            signals.iter().enumerate().filter(|(i, _)| allowed(*i)).map(|(i, s)| (i, tuning.fuse(s))).collect();
        fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let top = fused.first().map_or(0.0, |t| t.1);
        let second = fused.get(1).map_or(0.0, |t| t.1);
        let has =
            |words: &[String]| fused.first().is_none_or(|&(i, _)| words.iter().all(|w| self.words[i].contains(w)));
        let (names_all, names_subject) = (has(&named.required), has(&named.subjects));
        let decision = if !names_subject {
            Decision::None
        } else if top >= tuning.auto
            && top - second >= tuning.margin
            && names_all
            && self.agree(signals, tuning, &fused)
        {
            Decision::Auto
        } else if top >= tuning.review {
            Decision::Review
        } else {
            Decision::None
        };
        let suggestions = fused
            .iter()
            .take(3)
            .filter(|(_, s)| *s > 0.0)
            .map(|&(i, s)| Scored { kb_id: self.ids[i].clone(), score: (s.clamp(0.0, 1.0) * 1000.0).round() / 1000.0 })
            .collect();
        Suggestion { decision, suggestions }
    }

    /// Whether at least two of the signals the tuning weighs (all of them, when it weighs fewer)
    /// rank the fused best of `fused` (the allowed entries, best first) first too. A wording
    /// nobody tuned for is auto-filled only when lexical match and the model mostly agree: in
    /// five-fold cross-validation on the development set (`bench/answers --tune`), thresholds
    /// chosen on four fifths kept 98.0% precision on the fifth with this rule and 96.9% without.
    fn agree(&self, signals: &[[f32; 3]], tuning: &Tuning, fused: &[(usize, f32)]) -> bool {
        let Some(&(best, _)) = fused.first() else { return false };
        let weighed: Vec<usize> = [tuning.lexical, tuning.question, tuning.answer]
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 0.0)
            .map(|(k, _)| k)
            .collect();
        let first = weighed.iter().filter(|&&k| fused.iter().all(|&(i, _)| signals[i][k] <= signals[best][k])).count();
        first >= weighed.len().min(2)
    }

    /// Suggestions for each question, in order.
    pub fn suggest(&self, questions: &[String]) -> Result<Vec<Suggestion>, EngineError> {
        let signals = self.signals(questions)?;
        Ok(signals.iter().zip(questions).map(|(s, q)| self.decide_for(s, &self.tuning, &self.must_name(q))).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, question: &str, answer: &str, tags: &[&str]) -> EngineEntry {
        EngineEntry {
            kb_id: id.into(),
            question: question.into(),
            alternatives: vec![],
            learned: vec![],
            answer: answer.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            category: "Security".into(),
        }
    }

    fn kb() -> Vec<EngineEntry> {
        vec![
            entry(
                "KB-1",
                "Is multi-factor authentication required for employees?",
                "Yes, Okta enforces MFA.",
                &["mfa"],
            ),
            entry("KB-2", "How often are backups taken?", "Daily snapshots, kept 35 days.", &["backup"]),
            entry("KB-3", "Do you perform annual penetration tests?", "Yes, by an external firm.", &["pentest"]),
            entry("KB-4", "What is your recovery point objective?", "One hour.", &["rpo"]),
        ]
    }

    #[test]
    fn acronyms_and_prefixes_find_the_entry() {
        let engine = Engine::lexical(&kb(), Analyzer::standard());
        let out =
            engine.suggest(&["IAM-04: Is 2FA enforced for staff?".into(), "Q7. What's your RPO?".into()]).unwrap();
        assert_eq!(out[0].suggestions[0].kb_id, "KB-1");
        assert_eq!(out[1].suggestions[0].kb_id, "KB-4");
        assert!(out[1].suggestions.len() <= 3);
    }

    #[test]
    fn thresholds_decide() {
        let engine = Engine::lexical(&kb(), Analyzer::standard());
        let signals = engine.signals(&["Do you perform annual penetration tests?".into()]).unwrap();
        let strict = Tuning { auto: 2.0, ..Tuning::LEXICAL };
        let lax = Tuning { auto: 0.1, margin: 0.0, ..Tuning::LEXICAL };
        let never = Tuning { auto: 2.0, review: 2.0, ..Tuning::LEXICAL };
        assert_eq!(engine.decide(&signals[0], &lax).decision, Decision::Auto);
        assert_eq!(engine.decide(&signals[0], &strict).decision, Decision::Review);
        assert_eq!(engine.decide(&signals[0], &never).decision, Decision::None);
        // An entry without the standard's number the question names is not auto-filled.
        let iso = vec![entry("KB-9", "Are you certified to ISO 27001?", "Yes, ISO 27001:2022.", &["iso"])];
        let engine = Engine::lexical(&iso, Analyzer::standard());
        let q = "Are you certified to ISO 27701?".to_string();
        let signals = engine.signals(std::slice::from_ref(&q)).unwrap();
        assert_eq!(engine.decide_for(&signals[0], &lax, &engine.must_name(&q)).decision, Decision::None);
        let out = engine.decide_for(&signals[0], &lax, &engine.must_name(&q));
        assert_eq!(out.suggestions[0].kb_id, "KB-9", "still listed as related");
        // A version the entry lacks is for a person to decide; a year is no standard.
        let tls = vec![entry("KB-8", "Which TLS versions?", "TLS 1.2 or higher.", &["tls"])];
        let engine = Engine::lexical(&tls, Analyzer::standard());
        for (q, expected) in [
            ("Is TLS 1.0 disabled?", Decision::Review),
            ("Which TLS versions did you support in 2024?", Decision::Review),
            ("Which TLS versions?", Decision::Auto),
        ] {
            let signals = engine.signals(&[q.to_string()]).unwrap();
            let open = Tuning { review: 0.0, ..lax };
            assert_eq!(engine.decide_for(&signals[0], &open, &engine.must_name(q)).decision, expected, "{q}");
        }
        assert_eq!(Engine::identifiers("IAM-04: TLS 1.0 or 24x7?"), vec!["1", "0", "24x7"]);
        // Entries outside the allowed set are neither suggested nor the runner-up.
        let engine = Engine::lexical(&kb(), Analyzer::standard());
        let q = "Do you perform annual penetration tests?".to_string();
        let signals = engine.signals(std::slice::from_ref(&q)).unwrap();
        let without = engine.decide_within(&signals[0], &lax, &Named::default(), |i| i != 2);
        assert!(without.suggestions.iter().all(|s| s.kb_id != "KB-3"), "{without:?}");
        assert_ne!(without.decision, Decision::Auto);
        // A question about something the KB never mentions gets nothing.
        let engine = Engine::lexical(&kb(), Analyzer::standard());
        let out = engine.suggest(&["Which office furniture vendor supplies your desks?".into()]).unwrap();
        assert_eq!(out[0].decision, Decision::None);
    }

    #[test]
    fn an_auto_fill_needs_two_signals_to_rank_the_entry_first() {
        let engine = Engine::lexical(&kb(), Analyzer::standard());
        let tuning = Tuning { auto: 0.3, margin: 0.0, review: 0.2, ..Tuning::FUSED };
        // KB-1 leads on the fused score; lexical and question similarity rank it first.
        let agreed = [[0.9, 0.8, 0.4], [0.1, 0.5, 0.6], [0.0, 0.1, 0.1], [0.0, 0.1, 0.1]];
        assert_eq!(engine.decide(&agreed, &tuning).decision, Decision::Auto);
        // Same lead, but only the lexical match puts it first: a person decides.
        let alone = [[0.9, 0.4, 0.4], [0.1, 0.5, 0.6], [0.0, 0.1, 0.1], [0.0, 0.1, 0.1]];
        let out = engine.decide(&alone, &tuning);
        assert_eq!((out.decision, out.suggestions[0].kb_id.as_str()), (Decision::Review, "KB-1"));
        // Only the weighed signals count: lexical alone decides the lexical engine.
        assert_eq!(
            engine.decide(&alone, &Tuning { auto: 0.3, margin: 0.0, ..Tuning::LEXICAL }).decision,
            Decision::Auto
        );
    }

    #[test]
    fn without_the_model_nothing_is_corrected() {
        // No vocabulary tells a real word from a typing error then (see tests/model.rs for the
        // correction with the model).
        let engine = Engine::lexical(&kb(), Analyzer::standard());
        assert_eq!(engine.asked("Q3. Are bakups taken daily?"), "Are bakups taken daily?");
    }

    #[test]
    fn a_name_the_knowledge_base_never_uses_means_it_has_no_answer() {
        let mut entries = kb();
        entries.push(entry(
            "KB-5",
            "Do employees sign confidentiality agreements?",
            "Yes, before they start.",
            &["nda"],
        ));
        let engine = Engine::lexical(&entries, Analyzer::standard());
        let lax = Tuning { auto: 0.1, margin: 0.0, review: 0.0, ..Tuning::LEXICAL };
        let decide = |q: &str| {
            let signals = engine.signals(&[q.to_string()]).unwrap();
            engine.decide_for(&signals[0], &lax, &engine.must_name(q))
        };
        let hipaa = decide("Do you sign HIPAA business associate agreements?");
        assert_eq!((hipaa.decision, hipaa.suggestions[0].kb_id.as_str()), (Decision::None, "KB-5"));
        let named = |required: &[&str], subjects: &[&str]| Named {
            required: required.iter().map(|w| w.to_string()).collect(),
            subjects: subjects.iter().map(|w| w.to_string()).collect(),
        };
        // An unknown acronym and a standard's number are subjects; a mixed name only keeps the
        // entry from being auto-filled; versions and sizes are only required.
        assert_eq!(engine.must_name("Are you FedRAMP authorised for TLS 1.3?"), named(&["1", "3", "fedramp"], &[]));
        assert_eq!(
            engine.must_name("Do you meet HIPAA and ISO/IEC 27701 for 1000 staff?"),
            named(&["27701", "1000", "hipaa"], &["27701", "hipaa"])
        );
        let guard_duty = engine.must_name("Do you use GuardDuty?");
        let out = {
            let signals = engine.signals(&["Do you use GuardDuty?".to_string()]).unwrap();
            engine.decide_for(&signals[0], &Tuning { review: 0.0, ..lax }, &guard_duty)
        };
        assert_eq!((guard_duty, out.decision), (named(&["guardduty"], &[]), Decision::Review));
        // Names the knowledge base or the synonym table knows, a question in capitals, and what
        // a question sets aside pass.
        assert_eq!(engine.must_name("Do employees sign NDAs? Is MFA (2FA) enforced? RPO?"), named(&["2fa"], &[]));
        assert_eq!(engine.must_name("DO EMPLOYEES SIGN CONFIDENTIALITY AGREEMENTS?"), Named::default());
        assert_eq!(engine.must_name("Apart from HIPAA, do employees sign agreements?"), Named::default());
        assert_eq!(decide("Do employees sign confidentiality agreements?").decision, Decision::Auto);
        // Only the allowed entries count as the knowledge base.
        assert_eq!(engine.must_name_within("Are SQL backups encrypted?", |_| true), named(&["sql"], &["sql"]));
        let with_sql = {
            let mut e = entries.clone();
            e.push(entry("KB-6", "Are SQL dumps kept?", "No.", &[]));
            Engine::lexical(&e, Analyzer::standard())
        };
        assert_eq!(with_sql.must_name_within("Are SQL backups encrypted?", |_| true), Named::default());
        assert_eq!(with_sql.must_name_within("Are SQL backups encrypted?", |i| i != 5), named(&["sql"], &["sql"]));
    }
}
