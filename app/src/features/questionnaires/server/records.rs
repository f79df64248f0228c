//! The stored records a questionnaire is made of, one row type per table (the questionnaire
//! with its company and owner, its sheets' mappings, its question rows), read back, and the
//! buyer's file read again from storage.

use crate::{
    error::AppError,
    features::{knowledge::model::KbEntry, knowledge::server as kb, questionnaires::model::RowState},
    ssr::{db::Db, AppState},
    types::IsoDate,
};
use answers::{
    book::{self, Book, Mapping},
    kb::Format,
};
use sqlx::FromRow;
use std::collections::HashMap;

/// A questionnaire with its company's and owner's names.
#[derive(FromRow)]
pub(super) struct QRow {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub format: String,
    pub file_sha256: String,
    pub company_id: i64,
    pub company_name: String,
    pub due_on: Option<String>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub status: String,
    pub progress_done: i64,
    pub progress_total: i64,
    pub failure: Option<String>,
    pub created_by: String,
    pub created_at: i64,
}

pub(super) const SELECT_Q: &str = "select q.id, q.title, q.file_name, q.format, q.file_sha256, q.company_id, c.name as company_name, q.due_on, \
     q.owner_id, s.name as owner_name, q.status, q.progress_done, q.progress_total, q.failure, q.created_by, q.created_at \
     from questionnaires q join companies c on c.id = q.company_id left join staff_users s on s.id = q.owner_id";

/// Questionnaire `id`, or `NotFound`.
pub(super) async fn get_q(db: &Db, id: i64) -> Result<QRow, AppError> {
    sqlx::query_as(&format!("{SELECT_Q} where q.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
}

/// A suggestion as stored on a row: the entry's database id and the engine's score.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Scored {
    pub entry_id: i64,
    pub score: f32,
}

/// One question row and what has been decided about it.
#[derive(FromRow, Clone, Debug, Default)]
pub(super) struct RowRecord {
    pub id: i64,
    pub sheet_index: i64,
    pub row_index: i64,
    pub question: String,
    pub answer_is_formula: i64,
    /// The engine's verdict: auto, review or none (none yet while processing).
    pub decision: Option<String>,
    /// JSON: the [`Scored`] suggestions, best first.
    pub suggestions: String,
    pub state: String,
    pub entry_id: Option<i64>,
    pub entry_version: Option<i64>,
    pub short_answer: Option<String>,
    pub answer: Option<String>,
    pub draft_entry_id: Option<i64>,
    pub decided_by: Option<String>,
}

const SELECT_ROWS: &str =
    "select id, sheet_index, row_index, question, answer_is_formula, decision, suggestions, state, entry_id, \
     entry_version, short_answer, answer, draft_entry_id, decided_by from questionnaire_rows";

impl RowRecord {
    /// The stored suggestions, best first; unreadable JSON reads as none.
    pub fn scored(&self) -> Vec<Scored> {
        serde_json::from_str(&self.suggestions).unwrap_or_default()
    }

    /// The row's state; an unknown stored code reads as open.
    pub fn state(&self) -> RowState {
        RowState::parse(&self.state).unwrap_or(RowState::Open)
    }
}

/// Every row of questionnaire `id`, in sheet and row order.
pub(super) async fn rows_of(db: &Db, id: i64) -> Result<Vec<RowRecord>, AppError> {
    Ok(sqlx::query_as(&format!("{SELECT_ROWS} where questionnaire_id = $1 order by sheet_index, row_index"))
        .bind(id)
        .fetch_all(db.pool())
        .await?)
}

/// Row `row_id` of questionnaire `qid`, or `NotFound` (also when it belongs to another one).
pub(super) async fn row_of(db: &Db, qid: i64, row_id: i64) -> Result<RowRecord, AppError> {
    sqlx::query_as(&format!("{SELECT_ROWS} where id = $1 and questionnaire_id = $2"))
        .bind(row_id)
        .bind(qid)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
}

/// A sheet's stored mapping.
#[derive(FromRow)]
pub(super) struct SheetRow {
    pub sheet_index: i64,
    pub name: String,
    pub header_row: Option<i64>,
    pub question_col: Option<i64>,
    pub answer_col: Option<i64>,
    pub comment_col: Option<i64>,
    /// "detected", or "corrected" by a person.
    pub mapping_source: String,
}

fn col(v: Option<i64>) -> Option<u32> {
    v.and_then(|v| u32::try_from(v).ok())
}

impl SheetRow {
    /// The stored mapping as the workbook reader takes it; a negative or missing column is none.
    pub fn mapping(&self) -> Mapping {
        Mapping {
            header_row: col(self.header_row),
            question: col(self.question_col),
            answer: col(self.answer_col),
            comment: col(self.comment_col),
        }
    }
}

/// Every sheet of questionnaire `id`, in workbook order.
pub(super) async fn sheets_of(db: &Db, id: i64) -> Result<Vec<SheetRow>, AppError> {
    Ok(sqlx::query_as(
        "select sheet_index, name, header_row, question_col, answer_col, comment_col, mapping_source from questionnaire_sheets \
         where questionnaire_id = $1 order by sheet_index",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

/// Each sheet's mapping by index; a sheet without a stored one has none (and is skipped).
pub(super) fn mappings_for(book: &Book, sheets: &[SheetRow]) -> Vec<Mapping> {
    (0..book.sheets.len())
        .map(|i| sheets.iter().find(|s| s.sheet_index == i as i64).map(SheetRow::mapping).unwrap_or_default())
        .collect()
}

/// Every knowledge-base entry by database id, as of today.
pub(super) async fn entries_by_id(db: &Db) -> Result<HashMap<i64, KbEntry>, AppError> {
    Ok(kb::all(db, &IsoDate::today_utc()).await?.into_iter().map(|e| (e.id, e)).collect())
}

/// How a file's format is stored.
pub(super) fn format_code(format: Format) -> &'static str {
    match format {
        Format::Csv => "csv",
        Format::Xlsx => "xlsx",
    }
}

fn parse_format(code: &str) -> Format {
    if code == "csv" {
        Format::Csv
    } else {
        Format::Xlsx
    }
}

/// The buyer's file, as stored, and read again (off the async threads).
pub(super) async fn load_book(state: &AppState, q: &QRow) -> Result<(Vec<u8>, Book), AppError> {
    let bytes =
        state.files.get(&q.file_sha256).await.map_err(|e| AppError::internal("reading a stored questionnaire", e))?;
    let format = parse_format(&q.format);
    let copy = bytes.clone();
    let book = tokio::task::spawn_blocking(move || book::read(&copy, format))
        .await
        .map_err(|e| AppError::internal("reading a stored questionnaire", e))?
        .map_err(|e| AppError::internal("reading a stored questionnaire", e))?;
    Ok((bytes, book))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_formats_read_back_and_anything_else_is_a_workbook() {
        for format in [Format::Csv, Format::Xlsx] {
            assert_eq!(parse_format(format_code(format)), format);
        }
        assert_eq!(parse_format("xls"), Format::Xlsx);
    }

    #[test]
    fn stored_suggestions_read_back_and_garbage_reads_as_none() {
        let row = RowRecord { suggestions: r#"[{"entry_id":4,"score":0.5}]"#.into(), ..Default::default() };
        assert_eq!(row.scored(), [Scored { entry_id: 4, score: 0.5 }]);
        assert!(RowRecord { suggestions: "not json".into(), ..Default::default() }.scored().is_empty());
    }

    #[test]
    fn an_unknown_row_state_reads_as_open() {
        assert_eq!(RowRecord { state: "skipped".into(), ..Default::default() }.state(), RowState::Skipped);
        assert_eq!(RowRecord { state: "weird".into(), ..Default::default() }.state(), RowState::Open);
    }

    #[test]
    fn a_negative_or_missing_column_is_no_column() {
        let sheet = SheetRow {
            sheet_index: 0,
            name: "S".into(),
            header_row: Some(3),
            question_col: Some(-1),
            answer_col: None,
            comment_col: Some(2),
            mapping_source: "detected".into(),
        };
        assert_eq!(sheet.mapping(), Mapping { header_row: Some(3), question: None, answer: None, comment: Some(2) });
    }
}
