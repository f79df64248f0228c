//! What each row comes to: the answer that will be written into the buyer's file (a person's
//! choice, or an auto suggestion whose entry is still approved, current and not internal), and the counts
//! the pages show.

use super::records::RowRecord;
use crate::features::{
    knowledge::model::KbEntry,
    questionnaires::model::{Counts, RowState},
};
use std::collections::HashMap;

/// What will be written for a row.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Final {
    pub short: String,
    pub text: String,
    /// The entry it came from, and that entry's version then; none for a written answer.
    pub entry_id: Option<i64>,
    pub version: Option<i64>,
}

/// What will be written for `row`, if anything.
pub(super) fn final_answer(row: &RowRecord, entries: &HashMap<i64, KbEntry>) -> Option<Final> {
    match row.state() {
        RowState::Accepted | RowState::Written => Some(Final {
            short: row.short_answer.clone().unwrap_or_default(),
            text: row.answer.clone().unwrap_or_default(),
            entry_id: row.entry_id,
            version: row.entry_version,
        }),
        RowState::Skipped => None,
        RowState::Open if row.decision.as_deref() == Some("auto") => {
            // Only the best suggestion: a weaker one was not what the engine was sure of.
            let best = row.scored().first().copied()?;
            let e = entries.get(&best.entry_id).filter(|e| e.fills_for_buyers())?;
            // "Yes" does not answer "What is your RPO?": the explanation alone is the answer,
            // never a Yes in a Yes/No cell.
            Some(Final {
                short: answers::fit::auto_short(&row.question, &e.short_answer),
                text: e.explanation.clone(),
                entry_id: Some(e.id),
                version: Some(e.version),
            })
        }
        RowState::Open => None,
    }
}

/// Whether a row needs nobody any more: a person decided it, or it will be filled.
pub(super) fn is_done(row: &RowRecord, entries: &HashMap<i64, KbEntry>) -> bool {
    row.state() != RowState::Open || final_answer(row, entries).is_some()
}

/// The engine's verdicts, the rows done and remaining, and the answers that will be written:
/// `fits` says whether a row's answer has cells in the buyer's file that take it.
pub(super) fn counts(
    rows: &[RowRecord],
    entries: &HashMap<i64, KbEntry>,
    fits: impl Fn(&RowRecord, &Final) -> bool,
) -> Counts {
    let mut c = Counts { total: rows.len() as i64, ..Default::default() };
    for r in rows {
        if final_answer(r, entries).is_some_and(|f| fits(r, &f)) {
            c.to_write += 1;
        }
        if r.state() == RowState::Skipped {
            c.blank += 1;
        }
        match r.decision.as_deref() {
            Some("auto") => c.auto += 1,
            Some("review") => c.review += 1,
            Some("none") => c.none += 1,
            _ => {}
        }
        if is_done(r, entries) {
            c.done += 1;
        }
    }
    c.remaining = c.total - c.done;
    c
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::features::knowledge::model::{KbStatus, KbVisibility};

    /// A test entry: `KB-001` for id 1, answering Yes at version 2, shareable under NDA, with
    /// `status` and `stale`.
    pub fn entry(id: i64, status: KbStatus, stale: bool) -> KbEntry {
        KbEntry {
            id,
            external_id: format!("KB-{id:03}"),
            question: format!("Question {id}?"),
            alternatives: vec![],
            short_answer: "Yes".into(),
            explanation: format!("Explanation {id}."),
            category: "General".into(),
            tags: vec![],
            owner_id: None,
            owner_name: None,
            status,
            visibility: KbVisibility::Nda,
            last_reviewed_on: None,
            review_interval_days: 365,
            review_due_on: None,
            stale,
            version: 2,
            updated_at: 0,
        }
    }

    /// Test entries by id: 1 approved and current, 2 approved but stale, 3 a draft, 4 approved
    /// and current but internal (staff only).
    pub fn entries() -> HashMap<i64, KbEntry> {
        let internal = KbEntry { visibility: KbVisibility::Internal, ..entry(4, KbStatus::Approved, false) };
        [
            entry(1, KbStatus::Approved, false),
            entry(2, KbStatus::Approved, true),
            entry(3, KbStatus::Draft, false),
            internal,
        ]
        .into_iter()
        .map(|e| (e.id, e))
        .collect()
    }

    /// An open row the engine judged `decision`, suggesting `best` first.
    pub fn open(id: i64, decision: &str, best: i64) -> RowRecord {
        RowRecord {
            id,
            question: format!("Row {id}?"),
            decision: Some(decision.into()),
            suggestions: format!(r#"[{{"entry_id":{best},"score":0.9}},{{"entry_id":1,"score":0.5}}]"#),
            state: "open".into(),
            ..Default::default()
        }
    }

    #[test]
    fn an_auto_row_is_filled_from_its_best_entry_only_while_that_entry_is_eligible() {
        let filled = final_answer(&open(1, "auto", 1), &entries()).unwrap();
        assert_eq!(
            filled,
            Final { short: "Yes".into(), text: "Explanation 1.".into(), entry_id: Some(1), version: Some(2) }
        );
        assert_eq!(final_answer(&open(2, "auto", 2), &entries()), None, "stale: a person decides");
        assert_eq!(final_answer(&open(3, "auto", 3), &entries()), None, "a draft is never filled");
        assert_eq!(final_answer(&open(4, "auto", 4), &entries()), None, "an internal entry never reaches a buyer");
        assert_eq!(final_answer(&open(4, "auto", 99), &entries()), None, "a deleted entry is never filled");
        assert_eq!(final_answer(&open(5, "review", 1), &entries()), None, "review rows wait for a person");
        let what = RowRecord { question: "What is your RPO?".into(), ..open(6, "auto", 1) };
        let filled = final_answer(&what, &entries()).unwrap();
        assert_eq!((filled.short.as_str(), filled.text.as_str()), ("", "Explanation 1."), "no Yes to a what question");
    }

    #[test]
    fn a_persons_decision_wins_over_the_engine() {
        let written = RowRecord {
            state: "written".into(),
            short_answer: Some("No".into()),
            answer: Some("Not yet.".into()),
            ..open(1, "auto", 1)
        };
        let f = final_answer(&written, &entries()).unwrap();
        assert_eq!((f.short.as_str(), f.entry_id), ("No", None));
        let skipped = RowRecord { state: "skipped".into(), ..open(1, "auto", 1) };
        assert_eq!(final_answer(&skipped, &entries()), None, "left blank on purpose");
        assert!(is_done(&skipped, &entries()));
    }

    #[test]
    fn counts_add_up() {
        let rows = [
            open(1, "auto", 1),
            open(2, "auto", 2),
            open(3, "review", 1),
            RowRecord { state: "accepted".into(), ..open(4, "none", 1) },
            RowRecord { decision: None, ..open(5, "", 1) },
        ];
        let c = counts(&rows, &entries(), |_, _| true);
        assert_eq!(c, Counts { total: 5, done: 2, remaining: 3, to_write: 2, blank: 0, auto: 2, review: 1, none: 1 });
        let skipped = RowRecord { state: "skipped".into(), ..open(6, "auto", 1) };
        let rows = [open(1, "auto", 1), skipped];
        let c = counts(&rows, &entries(), |r, _| r.id != 1);
        assert_eq!(
            (c.done, c.to_write, c.blank),
            (2, 0, 1),
            "a blank row and an answer the file refuses write nothing"
        );
    }
}
