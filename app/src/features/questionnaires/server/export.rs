//! Exporting: the buyer's own file with every decided answer (and every eligible auto
//! suggestion) written in, and each answer that actually left recorded against the company
//! with its entry and version, in the transaction that logs the export.

use super::{
    outcome::{final_answer, Final},
    records::{entries_by_id, format_code, get_q, load_book, mappings_for, rows_of, sheets_of, RowRecord},
    Acting,
};
use crate::{
    error::AppError,
    features::knowledge::model::KbEntry,
    ssr::{audit::Actor, request_meta::RequestMeta, AppState},
    types::Timestamp,
};
use answers::{
    fill::{self, Answer},
    kb::Format,
};
use std::collections::HashMap;

/// The answered file, ready to download.
pub struct Exported {
    pub file_name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    /// How many answers were written.
    pub written: usize,
}

/// Writes the answers into the buyer's file and records what each company was told.
pub async fn export(state: &AppState, meta: &RequestMeta, actor: &Actor, qid: i64) -> Result<Exported, AppError> {
    let q = get_q(&state.db, qid).await?;
    if q.status != "ready" {
        return Err(AppError::invalid("Suggestions are still being computed; export when they are done."));
    }
    let (bytes, book) = load_book(state, &q).await?;
    let mappings = mappings_for(&book, &sheets_of(&state.db, qid).await?);
    let rows = rows_of(&state.db, qid).await?;
    let entries = entries_by_id(&state.db).await?;
    let (chosen, answers_in) = to_write(&rows, &entries);
    let format = book.format;
    let (out, placements) = tokio::task::spawn_blocking(move || fill::fill(&bytes, &book, &mappings, &answers_in))
        .await
        .map_err(|e| AppError::internal("writing a questionnaire", e))?
        .map_err(|e| AppError::internal("writing a questionnaire", e))?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let mut written = 0;
    // Only what was written left: a row whose cell refused its answer told the company nothing.
    for ((r, f), _) in chosen.iter().zip(&placements).filter(|(_, p)| p.written()) {
        written += 1;
        sqlx::query(
            "insert into answer_disclosures (company_id, questionnaire_id, row_id, question, entry_id, entry_version, short_answer, answer, exported_by, exported_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(q.company_id)
        .bind(qid)
        .bind(r.id)
        .bind(&r.question)
        .bind(f.entry_id)
        .bind(f.version)
        .bind(&f.short)
        .bind(&f.text)
        .bind(&actor.label)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let details = serde_json::json!({ "company_id": q.company_id, "answers": written, "questions": rows.len() });
    Acting { state, meta, actor }.log(&mut tx, "questionnaire.exported", qid, details).await?;
    tx.commit().await?;
    Ok(Exported { file_name: answered_name(&q.file_name, format), mime: mime(format), bytes: out, written })
}

/// The rows that have an answer to write, each with it, and those answers as the filler takes
/// them (in the same order).
fn to_write<'a>(rows: &'a [RowRecord], entries: &HashMap<i64, KbEntry>) -> (Vec<(&'a RowRecord, Final)>, Vec<Answer>) {
    let chosen: Vec<(&RowRecord, Final)> =
        rows.iter().filter_map(|r| final_answer(r, entries).map(|f| (r, f))).collect();
    let answers = chosen
        .iter()
        .map(|(r, f)| Answer {
            sheet: r.sheet_index as usize,
            row: r.row_index as u32,
            short: f.short.clone(),
            text: f.text.clone(),
        })
        .collect();
    (chosen, answers)
}

/// "acme.xlsx" becomes "acme (answered).xlsx"; a name without an extension takes the format's.
fn answered_name(file_name: &str, format: Format) -> String {
    let (stem, ext) = file_name.rsplit_once('.').unwrap_or((file_name, format_code(format)));
    format!("{stem} (answered).{ext}")
}

fn mime(format: Format) -> &'static str {
    match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::questionnaires::server::outcome::tests::{entries, open};

    #[test]
    fn only_rows_with_an_answer_are_written_each_at_its_own_cell() {
        let rows = [
            RowRecord { sheet_index: 1, row_index: 4, ..open(1, "auto", 1) },
            RowRecord { sheet_index: 1, row_index: 5, ..open(2, "auto", 2) },
            RowRecord {
                sheet_index: 2,
                row_index: 7,
                state: "written".into(),
                short_answer: Some("No".into()),
                answer: Some("Not yet.".into()),
                ..open(3, "none", 1)
            },
            RowRecord { state: "skipped".into(), ..open(4, "auto", 1) },
        ];
        let (chosen, answers) = to_write(&rows, &entries());
        assert_eq!(chosen.iter().map(|(r, _)| r.id).collect::<Vec<_>>(), [1, 3], "stale and skipped rows stay empty");
        let cells: Vec<(usize, u32, &str)> = answers.iter().map(|a| (a.sheet, a.row, a.short.as_str())).collect();
        assert_eq!(cells, [(1, 4, "Yes"), (2, 7, "No")]);
        assert_eq!((chosen[0].1.entry_id, chosen[0].1.version), (Some(1), Some(2)), "recorded with entry and version");
        assert_eq!(chosen[1].1.entry_id, None, "a written answer came from no entry");
    }

    #[test]
    fn the_answered_file_keeps_the_buyers_name_and_kind() {
        assert_eq!(answered_name("acme.v2.xlsx", Format::Xlsx), "acme.v2 (answered).xlsx");
        assert_eq!(answered_name("questions", Format::Csv), "questions (answered).csv");
        assert_eq!(mime(Format::Csv), "text/csv; charset=utf-8");
    }
}
