//! The suggestion engine: ranks knowledge-base entries for an incoming question and decides
//! whether the best one is safe to fill without review.
//!
//! Two signals: BM25 over question, alternative phrasings, answer and tags (synonyms folded,
//! section prefixes ignored), scaled by the best score the query could reach so it means the same
//! across queries; and, when the local model is loaded, the cosine similarity between the question
//! and each entry's question/phrasings and answer. The fusion weights and decision thresholds in
//! [`Tuning::default`] were chosen on the development set (`bench/answers --tune`).

#[cfg(feature = "embeddings")]
use crate::embed::{cosine, Embedder};
use crate::{bm25::Index, text::Analyzer};
use serde::Serialize;
use std::collections::HashSet;
#[cfg(feature = "embeddings")]
use std::sync::Arc;

/// What the engine needs from an entry; the caller decides which entries are eligible.
#[derive(Debug, Clone)]
pub struct EngineEntry {
    pub kb_id: String,
    pub question: String,
    pub alternatives: Vec<String>,
    /// Phrasings learned from answered questionnaires: buyers' wordings of this entry's question.
    /// They count in the model's question similarity only: in the lexical ranking (measured with
    /// weights 0.3 and 1.0 by `bench/answers`) their words lowered top-1 on unseen questions.
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
        Tuning { lexical: 1.0, question: 0.0, answer: 0.0, auto: 0.46, margin: 0.06, review: 0.45 };
    /// Lexical and semantic together.
    pub const FUSED: Tuning =
        Tuning { lexical: 0.45, question: 0.15, answer: 0.40, auto: 0.47, margin: 0.05, review: 0.47 };
}

const FIELD_QUESTION: f32 = 1.0;
const FIELD_ALTERNATIVES: f32 = 1.0;
const FIELD_TAGS: f32 = 0.6;
const FIELD_ANSWER: f32 = 0.25;
const FIELD_CATEGORY: f32 = 0.2;
/// Lexical share above which a match counts as complete.
const LEXICAL_CAP: f32 = 1.0;

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

/// The ranking of one set of entries (lexical, or fused with the model's vectors); rebuilt when
/// the knowledge base changes, never updated in place.
pub struct Engine {
    analyzer: Analyzer,
    index: Index,
    ids: Vec<String>,
    /// Per entry: every word of its text, for checking identifiers such as `27701` or `1.0`.
    words: Vec<HashSet<String>>,
    #[cfg(feature = "embeddings")]
    semantic: Option<Semantic>,
    tuning: Tuning,
}

#[cfg(feature = "embeddings")]
struct Semantic {
    embedder: Arc<Embedder>,
    /// Per entry: vectors of its question and each alternative phrasing.
    questions: Vec<Vec<Vec<f32>>>,
    /// Per entry: the vector of its answer.
    answers: Vec<Vec<f32>>,
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
        Self {
            index: Index::build(&docs),
            analyzer,
            ids: entries.iter().map(|e| e.kb_id.clone()).collect(),
            words: entries
                .iter()
                .map(|e| {
                    let text = format!("{} {} {} {}", e.question, e.alternatives.join(" "), e.answer, e.tags.join(" "));
                    Analyzer::words(&text).into_iter().collect()
                })
                .collect(),
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
        for e in entries {
            texts.push(e.question.clone());
            texts.extend(e.alternatives.iter().cloned());
            texts.extend(e.learned.iter().cloned());
            texts.push(e.answer.clone());
        }
        let mut missing: Vec<String> = texts.iter().filter(|t| !cache.contains_key(*t)).cloned().collect();
        missing.sort();
        missing.dedup();
        for (text, vector) in missing.iter().zip(embedder.embed(&missing)?) {
            cache.insert(text.clone(), vector);
        }
        let mut vectors = texts.iter().map(|t| cache.get(t).cloned().unwrap_or_default());
        let mut questions = Vec::with_capacity(entries.len());
        let mut answers = Vec::with_capacity(entries.len());
        for e in entries {
            questions.push((0..=e.alternatives.len() + e.learned.len()).filter_map(|_| vectors.next()).collect());
            answers.push(vectors.next().unwrap_or_default());
        }
        engine.semantic = Some(Semantic { embedder, questions, answers });
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

    /// The per-entry signals for each question: (lexical share, question similarity, answer similarity).
    pub fn signals(&self, questions: &[String]) -> Result<Vec<Vec<[f32; 3]>>, EngineError> {
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
            let texts: Vec<String> =
                open.iter().map(|&q| crate::text::strip_prefix(&questions[q]).to_string()).collect();
            let vectors = s.embedder.embed(&texts)?;
            let mut out = vec![Vec::new(); questions.len()];
            for q in settled {
                out[q] = lexical[q].iter().map(|&l| [l, l, l]).collect();
            }
            for (q, qv) in open.into_iter().zip(&vectors) {
                out[q] = lexical[q]
                    .iter()
                    .enumerate()
                    .map(|(i, &l)| {
                        let question = s.questions[i].iter().map(|e| cosine(qv, e)).fold(0.0f32, f32::max);
                        [l, question, cosine(qv, &s.answers[i])]
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

    /// Ranks and decides, given precomputed signals (see [`Engine::signals`]).
    pub fn decide(&self, signals: &[[f32; 3]], tuning: &Tuning) -> Suggestion {
        self.decide_for(signals, tuning, &[])
    }

    /// As [`Engine::decide`]; an entry that lacks one of the question's `identifiers` is never
    /// auto-filled (ISO 27701 is not ISO 27001; TLS 1.0 is not TLS 1.2): a person decides.
    pub fn decide_for(&self, signals: &[[f32; 3]], tuning: &Tuning, identifiers: &[String]) -> Suggestion {
        self.decide_within(signals, tuning, identifiers, |_| true)
    }

    /// As [`Engine::decide_for`] over only the entries `allowed` accepts (by position in the
    /// engine's order): the others are neither suggested nor counted as the runner-up, so the
    /// decision is the one an engine built over the allowed entries alone would make.
    pub fn decide_within(
        &self,
        signals: &[[f32; 3]],
        tuning: &Tuning,
        identifiers: &[String],
        allowed: impl Fn(usize) -> bool,
    ) -> Suggestion {
        let mut fused: Vec<(usize, f32)> =
            signals.iter().enumerate().filter(|(i, _)| allowed(*i)).map(|(i, s)| (i, tuning.fuse(s))).collect();
        fused.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let top = fused.first().map_or(0.0, |t| t.1);
        let second = fused.get(1).map_or(0.0, |t| t.1);
        let names_all = fused.first().is_none_or(|&(i, _)| identifiers.iter().all(|w| self.words[i].contains(w)));
        let decision = if top >= tuning.auto && top - second >= tuning.margin && names_all {
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

    /// Suggestions for each question, in order.
    pub fn suggest(&self, questions: &[String]) -> Result<Vec<Suggestion>, EngineError> {
        let signals = self.signals(questions)?;
        Ok(signals
            .iter()
            .zip(questions)
            .map(|(s, q)| self.decide_for(s, &self.tuning, &Self::identifiers(q)))
            .collect())
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
        assert_eq!(engine.decide_for(&signals[0], &lax, &Engine::identifiers(&q)).decision, Decision::Review);
        assert_eq!(Engine::identifiers("IAM-04: TLS 1.0 or 24x7?"), vec!["1", "0", "24x7"]);
        // Entries outside the allowed set are neither suggested nor the runner-up.
        let engine = Engine::lexical(&kb(), Analyzer::standard());
        let q = "Do you perform annual penetration tests?".to_string();
        let signals = engine.signals(std::slice::from_ref(&q)).unwrap();
        let without = engine.decide_within(&signals[0], &lax, &[], |i| i != 2);
        assert!(without.suggestions.iter().all(|s| s.kb_id != "KB-3"), "{without:?}");
        assert_ne!(without.decision, Decision::Auto);
        // A question about something the KB never mentions gets nothing.
        let engine = Engine::lexical(&kb(), Analyzer::standard());
        let out = engine.suggest(&["Which office furniture vendor supplies your desks?".into()]).unwrap();
        assert_eq!(out[0].decision, Decision::None);
    }
}
