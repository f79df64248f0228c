//! The hygiene report: near-duplicates, conflicting answers and stale entries among the entries
//! in use (not retired), found by asking the engine how alike every pair of questions is.

use super::entries::{all, engine_entry};
use crate::{
    error::AppError,
    features::knowledge::model::{HygieneReport, KbEntry, KbPair, KbStatus, PairSide},
    ssr::AppState,
    types::IsoDate,
};
use answers::EngineEntry;

/// Similar pairs at or above this fused score are near-duplicates...
const DUPLICATE_AT: f32 = 0.80;
/// ...and at or above this, with opposite Yes/No answers, conflicts.
const CONFLICT_AT: f32 = 0.60;

/// Near-duplicates, conflicting answers and stale entries among entries in use.
pub async fn hygiene(state: &AppState) -> Result<HygieneReport, AppError> {
    let today = IsoDate::today_utc();
    let entries: Vec<KbEntry> =
        all(&state.db, &today).await?.into_iter().filter(|e| e.status != KbStatus::Retired).collect();
    let stale = entries.iter().filter(|e| e.stale).cloned().collect();
    let misfits =
        entries.iter().filter(|e| !answers::fit::short_answer_fits(&e.question, &e.short_answer)).cloned().collect();
    let knowledge = state.knowledge.clone();
    // Building the engine, scoring every question against every entry and comparing every pair
    // all grow with the knowledge base: none of it runs on the async threads.
    let (duplicates, conflicts) = tokio::task::spawn_blocking(move || {
        let engine_input: Vec<EngineEntry> = entries.iter().map(engine_entry).collect();
        let questions: Vec<String> = entries.iter().map(|e| e.question.clone()).collect();
        let engine = knowledge.build_blocking(&engine_input)?;
        let tuning = engine.tuning();
        let signals = engine.signals(&questions).map_err(|e| AppError::internal("hygiene", e))?;
        let similarity: Vec<Vec<f32>> =
            signals.iter().map(|per| per.iter().map(|s| tuning.fuse(s)).collect()).collect();
        Ok::<_, AppError>(pairs(&entries, &similarity))
    })
    .await
    .map_err(|e| AppError::internal("hygiene", e))??;
    Ok(HygieneReport { duplicates, conflicts, stale, misfits })
}

/// Sorts every pair of entries into near-duplicates and conflicts, each most similar first.
/// `similarity[i][j]` is how well entry `j` answers entry `i`'s question.
fn pairs(entries: &[KbEntry], similarity: &[Vec<f32>]) -> (Vec<KbPair>, Vec<KbPair>) {
    let side = |e: &KbEntry| PairSide {
        id: e.id,
        external_id: e.external_id.clone(),
        question: e.question.clone(),
        short_answer: e.short_answer.clone(),
    };
    let (mut duplicates, mut conflicts) = (Vec::new(), Vec::new());
    for i in 0..entries.len() {
        for j in (i + 1)..entries.len() {
            // Symmetric: the weaker direction decides.
            let score = similarity[i][j].min(similarity[j][i]);
            let (a, b) = (&entries[i], &entries[j]);
            let opposite = matches!((a.short_answer.as_str(), b.short_answer.as_str()), ("Yes", "No") | ("No", "Yes"));
            let pair = || KbPair { a: side(a), b: side(b), similarity: (score * 100.0).round() / 100.0 };
            if score >= CONFLICT_AT && opposite {
                conflicts.push(pair());
            } else if score >= DUPLICATE_AT {
                duplicates.push(pair());
            }
        }
    }
    duplicates.sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
    conflicts.sort_by(|x, y| y.similarity.total_cmp(&x.similarity));
    (duplicates, conflicts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::knowledge::model::KbVisibility;

    fn entry(id: i64, short: &str) -> KbEntry {
        KbEntry {
            id,
            external_id: format!("KB-{id:03}"),
            question: format!("Question {id}?"),
            alternatives: vec![],
            short_answer: short.into(),
            explanation: String::new(),
            category: "General".into(),
            tags: vec![],
            owner_id: None,
            owner_name: None,
            status: KbStatus::Approved,
            visibility: KbVisibility::Internal,
            last_reviewed_on: None,
            review_interval_days: 365,
            review_due_on: None,
            stale: false,
            version: 1,
            updated_at: 0,
        }
    }

    fn ids(pairs: &[KbPair]) -> Vec<(i64, i64, f32)> {
        pairs.iter().map(|p| (p.a.id, p.b.id, p.similarity)).collect()
    }

    #[test]
    fn the_weaker_direction_decides_and_only_opposite_yes_no_conflicts() {
        let entries = [entry(1, "Yes"), entry(2, "No"), entry(3, "Yes"), entry(4, "N/A")];
        let similarity = vec![
            vec![1.0, 0.70, 0.95, 0.90],
            vec![0.65, 1.0, 0.10, 0.10],
            vec![0.85, 0.10, 1.0, 0.50],
            vec![0.90, 0.10, 0.50, 1.0],
        ];
        let (duplicates, conflicts) = pairs(&entries, &similarity);
        assert_eq!(ids(&conflicts), [(1, 2, 0.65)], "Yes against No, at or above 0.60 both ways");
        assert_eq!(ids(&duplicates), [(1, 4, 0.9), (1, 3, 0.85)], "most similar first; N/A never conflicts");
    }

    #[test]
    fn a_conflict_is_not_also_listed_as_a_duplicate() {
        let entries = [entry(1, "Yes"), entry(2, "No")];
        let (duplicates, conflicts) = pairs(&entries, &[vec![1.0, 0.99], vec![0.99, 1.0]]);
        assert!(duplicates.is_empty());
        assert_eq!(ids(&conflicts), [(1, 2, 0.99)]);
    }

    #[test]
    fn pairs_below_both_thresholds_are_not_reported() {
        let entries = [entry(1, "Yes"), entry(2, "No"), entry(3, "Yes")];
        let low = vec![vec![1.0, 0.59, 0.79], vec![0.59, 1.0, 0.0], vec![0.79, 0.0, 1.0]];
        assert_eq!(pairs(&entries, &low), (vec![], vec![]));
    }
}
