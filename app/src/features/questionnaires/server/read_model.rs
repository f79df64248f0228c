//! The review page's read model: each sheet's mapping with its column labels, and each row the
//! filter keeps with its suggestions, the answer that will be written and why it cannot be, all
//! projected from the stored records and the buyer's workbook. Pure, and blocking work on a
//! large sheet: [`project`] runs on `spawn_blocking`.

use super::{
    outcome::{counts, final_answer, is_done, Final},
    records::{RowRecord, SheetRow},
};
use crate::features::{
    knowledge::model::{KbEntry, KbStatus, KbVisibility, SHORT_ANSWERS},
    questionnaires::model::{Counts, RowFilter, RowView, SheetView, SuggestionView},
};
use answers::{
    book::{Book, Mapping},
    dependent,
    fill::{self, Answer},
    fit,
};
use std::collections::HashMap;

/// Rows shown on one page; filters narrow it.
const MAX_SHOWN: usize = 1_000;

/// What the review page shows of a questionnaire's sheets and rows.
pub(super) struct Review {
    pub sheets: Vec<SheetView>,
    /// The rows the filter keeps, at most [`MAX_SHOWN`].
    pub rows: Vec<RowView>,
    /// How many rows the filter keeps.
    pub matching: i64,
    pub counts: Counts,
}

/// The stored records a review page is projected from.
pub(super) struct Stored {
    pub book: Book,
    pub sheets: Vec<SheetRow>,
    pub rows: Vec<RowRecord>,
    pub entries: HashMap<i64, KbEntry>,
}

/// Projects the page (blocking work: call from `spawn_blocking`).
pub(super) fn project(stored: &Stored, filter: &RowFilter) -> Review {
    let Stored { book, sheets, rows, entries } = stored;
    let mappings = super::records::mappings_for(book, sheets);
    let matching: Vec<&RowRecord> = rows.iter().filter(|r| kept(r, filter, entries)).collect();
    let links = dependencies(rows, entries);
    Review {
        sheets: sheets.iter().filter_map(|s| sheet_view(s, book, rows)).collect(),
        rows: matching
            .iter()
            .take(MAX_SHOWN)
            .map(|r| {
                let mut view = row_view(r, book, &mappings, entries);
                if let Some((follows, flag)) = links.get(&r.id) {
                    view.follows = Some(*follows);
                    view.dependency = flag.map(str::to_string);
                }
                view
            })
            .collect(),
        matching: matching.len() as i64,
        counts: counts(rows, entries, |r, f| placement(r, f, book, &mappings).is_ok()),
    }
}

/// Follow-up rows ("If yes, describe …"): row id → (the row number it follows, what is wrong
/// with the pair of answers as they will be written, if anything).
fn dependencies(rows: &[RowRecord], entries: &HashMap<i64, KbEntry>) -> HashMap<i64, (i64, Option<&'static str>)> {
    let mut order: Vec<&RowRecord> = rows.iter().collect();
    order.sort_by_key(|r| (r.sheet_index, r.row_index));
    let questions: Vec<(usize, &str)> = order.iter().map(|r| (r.sheet_index as usize, r.question.as_str())).collect();
    let mut out = HashMap::new();
    for (i, parent) in dependent::parents(&questions).into_iter().enumerate() {
        let (Some(p), Some(condition)) = (parent, dependent::condition(&order[i].question)) else { continue };
        let parent_final = final_answer(order[p], entries);
        let child_final = final_answer(order[i], entries);
        let answered = child_final.is_some_and(|f| !f.short.trim().is_empty() || !f.text.trim().is_empty());
        let flag = dependent::check(condition, parent_final.as_ref().map(|f| f.short.as_str()), answered);
        out.insert(order[i].id, (order[p].row_index + 1, flag));
    }
    out
}

/// Where `f`, the answer for `r`, goes in the buyer's file, or why it cannot go there.
fn placement(r: &RowRecord, f: &Final, book: &Book, mappings: &[Mapping]) -> Result<fill::Placement, fill::Placement> {
    let mapping = mappings.get(r.sheet_index as usize).copied().unwrap_or_default();
    let answer =
        Answer { sheet: r.sheet_index as usize, row: r.row_index as u32, short: f.short.clone(), text: f.text.clone() };
    fill::place(book, &mapping, &answer).map(|(_, p)| p)
}

/// Whether the reviewer's filter keeps a row (an empty filter keeps everything).
fn kept(r: &RowRecord, filter: &RowFilter, entries: &HashMap<i64, KbEntry>) -> bool {
    let decision_ok = filter.decision.is_empty() || r.decision.as_deref() == Some(filter.decision.as_str());
    let sheet_ok = filter.sheet.is_empty() || filter.sheet.parse::<i64>().ok() == Some(r.sheet_index);
    let state_ok = match filter.state.as_str() {
        "open" => !is_done(r, entries),
        "done" => is_done(r, entries),
        _ => true,
    };
    decision_ok && sheet_ok && state_ok
}

/// A sheet's mapping as the page shows and lets a person correct it; none for a sheet the
/// stored workbook does not have.
fn sheet_view(s: &SheetRow, book: &Book, rows: &[RowRecord]) -> Option<SheetView> {
    let sheet = book.sheets.get(s.sheet_index as usize)?;
    let mapping = s.mapping();
    // Two columns past the last one used: a person may point answers at an empty column.
    let columns = (0..sheet.width().max(1) + 2).map(|c| (c, sheet.column_label(&mapping, c))).collect();
    Some(SheetView {
        index: s.sheet_index,
        name: s.name.clone(),
        header_row: mapping.header_row.map(|h| h + 1),
        question_col: mapping.question,
        answer_col: mapping.answer,
        comment_col: mapping.comment,
        columns,
        answer_options: mapping.answer.and_then(|a| sheet.column_options(&mapping, a)).map(<[String]>::to_vec),
        rows: rows.iter().filter(|r| r.sheet_index == s.sheet_index).count() as i64,
        corrected: s.mapping_source == "corrected",
    })
}

/// Why an entry may not be filled in without a person, if it may not.
fn caveat(e: &KbEntry) -> Option<String> {
    match (e.status, e.stale) {
        (KbStatus::Approved, false) if e.visibility == KbVisibility::Internal => {
            Some("Internal: staff only, never sent to buyers".to_string())
        }
        (KbStatus::Approved, false) => None,
        (KbStatus::Approved, true) => Some("Stale: past its review date".to_string()),
        (KbStatus::Draft, _) => Some("Draft".to_string()),
        (KbStatus::Retired, _) => Some("Retired".to_string()),
    }
}

fn row_view(r: &RowRecord, book: &Book, mappings: &[Mapping], entries: &HashMap<i64, KbEntry>) -> RowView {
    let sheet = book.sheets.get(r.sheet_index as usize);
    let mapping = mappings.get(r.sheet_index as usize).copied().unwrap_or_default();
    let suggestions = r
        .scored()
        .iter()
        .filter_map(|s| {
            let e = entries.get(&s.entry_id)?;
            let caveat = caveat(e);
            let text = format!("{} {} {}", e.question, e.alternatives.join(" "), e.explanation);
            let missing = fit::missing_identifiers(&r.question, &text);
            let mut warnings = Vec::new();
            if !missing.is_empty() {
                warnings.push(format!("Never mentions {}, which the question asks about", missing.join(", ")));
            }
            if !fit::short_answer_fits(&r.question, &e.short_answer) {
                warnings.push(format!(
                    "“{}” does not answer a what/how question; only its explanation is filled in",
                    e.short_answer
                ));
            }
            let one_click = missing.is_empty() && e.visibility != KbVisibility::Internal;
            Some(SuggestionView {
                entry_id: e.id,
                external_id: e.external_id.clone(),
                question: e.question.clone(),
                short_answer: e.short_answer.clone(),
                explanation: e.explanation.clone(),
                score: s.score,
                eligible: caveat.is_none(),
                caveat,
                warnings,
                one_click,
            })
        })
        .collect();
    let fin = final_answer(r, entries);
    let placed = fin.as_ref().filter(|_| sheet.is_some()).map(|f| placement(r, f, book, mappings));
    let problem = match &placed {
        Some(Err(p)) => Some(p.describe()),
        None if r.answer_is_formula != 0 => Some(fill::Placement::Formula.describe()),
        _ => None,
    };
    let note = match placed {
        Some(Ok(p)) if p != (fill::Placement::Written { explanation_dropped: false }) => Some(p.describe()),
        _ => None,
    };
    let answer = fin.map(|f| {
        let source = f
            .entry_id
            .and_then(|id| entries.get(&id))
            .map(|e| format!("{} v{}", e.external_id, f.version.unwrap_or(e.version)));
        (f.short, f.text, source)
    });
    let answer_options = sheet
        .and_then(|s| mapping.answer.and_then(|a| s.options(r.row_index as u32, a)))
        .map(<[String]>::to_vec)
        .unwrap_or_else(|| SHORT_ANSWERS.iter().map(|s| s.to_string()).collect());
    RowView {
        id: r.id,
        sheet_index: r.sheet_index,
        sheet_name: sheet.map(|s| s.name.clone()).unwrap_or_default(),
        row_number: r.row_index + 1,
        question: r.question.clone(),
        decision: r.decision.clone(),
        state: r.state(),
        suggestions,
        answer,
        decided_by: r.decided_by.clone(),
        problem,
        note,
        draft_entry_id: r.draft_entry_id,
        answer_options,
        follows: None,
        dependency: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::questionnaires::{
        model::RowState,
        server::outcome::tests::{entries, open},
    };
    use answers::{book, kb::Format};

    /// A CSV questionnaire: header on row 1, questions on rows 2 and 3, answers in column B.
    fn stored(rows: Vec<RowRecord>) -> Stored {
        let csv = b"Question,Answer,Comments\r\nIs MFA required?,,\r\nDo you back up daily?,,\r\n";
        let sheet = SheetRow {
            sheet_index: 0,
            name: "CSV".into(),
            header_row: Some(0),
            question_col: Some(0),
            answer_col: Some(1),
            comment_col: Some(2),
            mapping_source: "corrected".into(),
        };
        Stored { book: book::read(csv, Format::Csv).unwrap(), sheets: vec![sheet], rows, entries: entries() }
    }

    fn at(row: RowRecord, index: i64) -> RowRecord {
        RowRecord { row_index: index, ..row }
    }

    #[test]
    fn a_sheet_shows_its_labelled_columns_one_based_header_and_row_count() {
        let review =
            project(&stored(vec![at(open(1, "auto", 1), 1), at(open(2, "review", 1), 2)]), &RowFilter::default());
        let sheet = &review.sheets[0];
        assert_eq!(sheet.header_row, Some(1), "people count rows from one");
        let labels: Vec<&str> = sheet.columns.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["A: Question", "B: Answer", "C: Comments", "D", "E"]);
        assert_eq!((sheet.rows, sheet.corrected), (2, true));
    }

    #[test]
    fn the_filter_keeps_matching_rows_and_counts_cover_all_of_them() {
        let rows = vec![at(open(1, "auto", 1), 1), at(open(2, "review", 1), 2)];
        let open_only = RowFilter { state: "open".into(), ..Default::default() };
        let review = project(&stored(rows.clone()), &open_only);
        assert_eq!(review.rows.iter().map(|r| r.id).collect::<Vec<_>>(), [2], "the auto row will be filled: done");
        assert_eq!((review.matching, review.counts.total, review.counts.done), (1, 2, 1));
        let other_sheet = RowFilter { sheet: "1".into(), ..Default::default() };
        assert_eq!(project(&stored(rows), &other_sheet).matching, 0);
    }

    #[test]
    fn a_row_shows_its_suggestions_with_caveats_and_the_answer_to_be_written() {
        let review =
            project(&stored(vec![at(open(1, "auto", 2), 1), at(open(2, "auto", 1), 2)]), &RowFilter::default());
        let stale_first = &review.rows[0];
        let caveats: Vec<Option<&str>> = stale_first.suggestions.iter().map(|s| s.caveat.as_deref()).collect();
        assert_eq!(caveats, [Some("Stale: past its review date"), None]);
        assert_eq!((stale_first.answer.clone(), stale_first.state), (None, RowState::Open));
        let filled = &review.rows[1];
        assert_eq!(
            filled.answer,
            Some(("Yes".into(), "Explanation 1.".into(), Some("KB-001 v2".into()))),
            "the entry and the version that will be written"
        );
        assert_eq!((filled.row_number, filled.sheet_name.as_str(), filled.problem.clone()), (3, "CSV", None));
        assert_eq!(filled.answer_options, ["Yes", "No", "N/A"], "no dropdown: the knowledge base's answers");
    }

    #[test]
    fn a_formula_answer_cell_is_named_as_the_problem() {
        let formula = RowRecord { answer_is_formula: 1, ..at(open(1, "review", 1), 1) };
        let review = project(&stored(vec![formula]), &RowFilter::default());
        assert_eq!(review.rows[0].problem, Some(fill::Placement::Formula.describe()));
    }
}
