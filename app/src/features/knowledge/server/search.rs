//! Finding entries: the list page (filters, counts, and a relevance search over question,
//! phrasings, answer and tags) and trying the engine on one question.

use super::entries::{all, engine_entry};
use crate::{
    error::AppError,
    features::knowledge::model::{KbCounts, KbEntry, KbFilter, KbListPage, KbStatus, SuggestedEntry, TryResult},
    ssr::AppState,
    types::IsoDate,
};
use std::collections::BTreeSet;

/// The list page: filters applied; a search ranks by relevance (BM25 with synonyms over
/// question, phrasings, answer and tags), otherwise by external id.
pub async fn list(state: &AppState, filter: &KbFilter) -> Result<KbListPage, AppError> {
    let everything = all(&state.db, &IsoDate::today_utc()).await?;
    let counts = counts(&everything);
    let categories: Vec<String> =
        everything.iter().map(|e| e.category.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut entries: Vec<KbEntry> = everything.into_iter().filter(|e| kept(e, filter)).collect();
    let q = filter.q.trim().to_string();
    if !q.is_empty() {
        // Indexing every entry for one search grows with the knowledge base: off the async threads.
        entries = tokio::task::spawn_blocking(move || rank(entries, &q))
            .await
            .map_err(|e| AppError::internal("searching", e))??;
    }
    Ok(KbListPage { entries, categories, counts, semantic: state.knowledge.has_model() })
}

fn counts(entries: &[KbEntry]) -> KbCounts {
    let mut counts = KbCounts::default();
    for e in entries {
        match e.status {
            KbStatus::Draft => counts.draft += 1,
            KbStatus::Approved => counts.approved += 1,
            KbStatus::Retired => counts.retired += 1,
        }
        counts.stale += usize::from(e.stale);
    }
    counts
}

/// Whether an entry passes the list's filters (an empty filter keeps everything).
fn kept(e: &KbEntry, filter: &KbFilter) -> bool {
    (filter.status.is_empty() || e.status.code() == filter.status)
        && (filter.category.is_empty() || e.category == filter.category)
        && (filter.visibility.is_empty() || e.visibility.code() == filter.visibility)
        && (filter.stale != "yes" || e.stale)
}

/// The entries that match `q`, most relevant first. An entry whose id is `q`, or whose question
/// contains it, comes before those that only share words with it.
fn rank(entries: Vec<KbEntry>, q: &str) -> Result<Vec<KbEntry>, AppError> {
    let engine =
        answers::Engine::lexical(&entries.iter().map(engine_entry).collect::<Vec<_>>(), answers::Analyzer::standard());
    let scores = engine.signals(&[q.to_string()]).map_err(|e| AppError::internal("searching", e))?;
    let needle = q.to_lowercase();
    let mut ranked: Vec<(f32, KbEntry)> = entries
        .into_iter()
        .zip(&scores[0])
        .map(|(e, s)| {
            let exact = e.external_id.to_lowercase() == needle || e.question.to_lowercase().contains(&needle);
            (s[0] + if exact { 1.0 } else { 0.0 }, e)
        })
        .filter(|(score, _)| *score > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(ranked.into_iter().map(|(_, e)| e).collect())
}

/// The engine's suggestions for one question, with the entries behind them.
pub async fn try_question(state: &AppState, question: &str) -> Result<TryResult, AppError> {
    let question: String = question.trim().chars().take(answers::kb::MAX_QUESTION).collect();
    if question.is_empty() {
        return Err(AppError::field("question", "Type a question to try."));
    }
    let (built, out) = state.knowledge.suggest(&state.db, vec![question.clone()]).await?;
    let entries = all(&state.db, &IsoDate::today_utc()).await?;
    let first = out.into_iter().next().ok_or(AppError::Internal)?;
    let suggestions = first
        .suggestions
        .iter()
        .filter_map(|s| {
            let e = entries.iter().find(|e| e.external_id == s.kb_id)?;
            Some(SuggestedEntry {
                id: e.id,
                external_id: e.external_id.clone(),
                question: e.question.clone(),
                short_answer: e.short_answer.clone(),
                explanation: e.explanation.clone(),
                score: s.score,
            })
        })
        .collect();
    Ok(TryResult {
        question,
        decision: first.decision.as_str().into(),
        suggestions,
        semantic: built.engine.is_semantic(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::knowledge::model::KbVisibility;

    fn entry(id: &str, question: &str, status: KbStatus, stale: bool) -> KbEntry {
        KbEntry {
            id: id.trim_start_matches("KB-").parse().unwrap(),
            external_id: id.into(),
            question: question.into(),
            alternatives: vec![],
            short_answer: "Yes".into(),
            explanation: String::new(),
            category: if id < "KB-003" { "Access Control" } else { "Resilience" }.into(),
            tags: vec![],
            owner_id: None,
            owner_name: None,
            status,
            visibility: KbVisibility::Internal,
            last_reviewed_on: None,
            review_interval_days: 365,
            review_due_on: None,
            stale,
            version: 1,
            updated_at: 0,
        }
    }

    fn entries() -> Vec<KbEntry> {
        vec![
            entry("KB-001", "Is multi-factor authentication required for employees?", KbStatus::Approved, false),
            entry("KB-002", "Do you review user access every quarter?", KbStatus::Approved, true),
            entry("KB-003", "How often are backups tested?", KbStatus::Draft, false),
            entry("KB-004", "Do you keep backups in a second region?", KbStatus::Retired, false),
        ]
    }

    fn ids(entries: &[KbEntry]) -> Vec<&str> {
        entries.iter().map(|e| e.external_id.as_str()).collect()
    }

    #[test]
    fn counts_are_by_status_and_stale_is_counted_besides() {
        assert_eq!(counts(&entries()), KbCounts { draft: 1, approved: 2, retired: 1, stale: 1 });
    }

    #[test]
    fn every_filter_narrows_and_an_empty_one_keeps_all() {
        let pick = |filter: KbFilter| {
            entries().into_iter().filter(|e| kept(e, &filter)).map(|e| e.external_id).collect::<Vec<_>>()
        };
        assert_eq!(pick(KbFilter::default()).len(), 4);
        assert_eq!(pick(KbFilter { status: "approved".into(), ..Default::default() }), ["KB-001", "KB-002"]);
        assert_eq!(pick(KbFilter { category: "Resilience".into(), ..Default::default() }), ["KB-003", "KB-004"]);
        assert_eq!(pick(KbFilter { stale: "yes".into(), ..Default::default() }), ["KB-002"]);
        assert!(pick(KbFilter { visibility: "public".into(), ..Default::default() }).is_empty());
    }

    #[test]
    fn a_search_keeps_matching_entries_only_most_relevant_first() {
        let found = rank(entries(), "backups").unwrap();
        assert_eq!(found.len(), 2, "{:?}", ids(&found));
        assert!(ids(&found).iter().all(|id| ["KB-003", "KB-004"].contains(id)));
        assert!(rank(entries(), "office chairs").unwrap().is_empty());
    }

    #[test]
    fn an_exact_id_comes_first() {
        let found = rank(entries(), "kb-002").unwrap();
        assert_eq!(ids(&found).first(), Some(&"KB-002"));
    }
}
