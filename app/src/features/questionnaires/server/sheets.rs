//! Storing a sheet: its mapping and its question rows. A re-read sheet (after a person corrects
//! its mapping) keeps the rows that are still the same question on the same row, with their
//! decisions; the rest are removed or added.

use super::Tx;
use crate::error::AppError;
use answers::book::{Item, Mapping, Sheet};
use std::collections::{HashMap, HashSet};

/// What is stored of one sheet under a mapping, read from the workbook beforehand: reading the
/// question rows walks the whole sheet, so it is done off the async threads
/// ([`Prepared::read`] is blocking work).
pub(super) struct Prepared {
    pub name: String,
    pub mapping: Mapping,
    /// The answer column's dropdown values, as JSON.
    options: Option<String>,
    pub items: Vec<Item>,
}

impl Prepared {
    /// Reads `sheet`'s question rows under `mapping` (blocking work: call from `spawn_blocking`).
    pub fn read(sheet: &Sheet, mapping: &Mapping) -> Self {
        let options = mapping
            .answer
            .and_then(|a| sheet.column_options(mapping, a))
            .map(|o| serde_json::to_string(o).unwrap_or_default());
        Prepared { name: sheet.name.clone(), mapping: *mapping, options, items: sheet.items(mapping) }
    }
}

/// Stores sheet `index` of questionnaire `id` and its question rows; `corrected` when a person
/// chose the mapping. Returns how many question rows the sheet has.
pub(super) async fn store(
    tx: &mut Tx,
    id: i64,
    index: i64,
    sheet: &Prepared,
    corrected: bool,
) -> Result<i64, AppError> {
    let as_i64 = |v: Option<u32>| v.map(i64::from);
    let mapping = &sheet.mapping;
    sqlx::query(
        "insert into questionnaire_sheets (questionnaire_id, sheet_index, name, header_row, question_col, answer_col, comment_col, answer_options, mapping_source) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) on conflict (questionnaire_id, sheet_index) do update set \
         header_row = excluded.header_row, question_col = excluded.question_col, answer_col = excluded.answer_col, \
         comment_col = excluded.comment_col, answer_options = excluded.answer_options, mapping_source = excluded.mapping_source",
    )
    .bind(id)
    .bind(index)
    .bind(&sheet.name)
    .bind(as_i64(mapping.header_row))
    .bind(as_i64(mapping.question))
    .bind(as_i64(mapping.answer))
    .bind(as_i64(mapping.comment))
    .bind(&sheet.options)
    .bind(if corrected { "corrected" } else { "detected" })
    .execute(&mut **tx)
    .await?;
    let existing: Vec<(i64, i64, String)> = sqlx::query_as(
        "select id, row_index, question from questionnaire_rows where questionnaire_id = $1 and sheet_index = $2",
    )
    .bind(id)
    .bind(index)
    .fetch_all(&mut **tx)
    .await?;
    let plan = plan(&existing, &sheet.items);
    for rid in &plan.remove {
        sqlx::query("delete from questionnaire_rows where id = $1").bind(rid).execute(&mut **tx).await?;
    }
    for item in &plan.keep {
        // The mapping may now point at another answer column: whether it holds a formula changes.
        sqlx::query("update questionnaire_rows set answer_is_formula = $1 where questionnaire_id = $2 and sheet_index = $3 and row_index = $4")
            .bind(i64::from(item.answer_is_formula))
            .bind(id)
            .bind(index)
            .bind(i64::from(item.row))
            .execute(&mut **tx)
            .await?;
    }
    for item in &plan.add {
        sqlx::query("insert into questionnaire_rows (questionnaire_id, sheet_index, row_index, question, answer_is_formula) values ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(index)
            .bind(i64::from(item.row))
            .bind(&item.question)
            .bind(i64::from(item.answer_is_formula))
            .execute(&mut **tx)
            .await?;
    }
    Ok(sheet.items.len() as i64)
}

/// What storing `items` does to a sheet's rows already stored (id, row index, question).
#[derive(Debug, PartialEq)]
struct Plan<'a> {
    /// Stored rows no longer read from the sheet.
    remove: Vec<i64>,
    /// Items already stored as the same question on the same row: kept, with their decisions.
    keep: Vec<&'a Item>,
    /// Items new to the sheet.
    add: Vec<&'a Item>,
}

fn plan<'a>(existing: &[(i64, i64, String)], items: &'a [Item]) -> Plan<'a> {
    let stored: HashMap<(i64, &str), i64> = existing.iter().map(|(rid, r, q)| ((*r, q.as_str()), *rid)).collect();
    let wanted: HashSet<(i64, &str)> = items.iter().map(|i| (i64::from(i.row), i.question.as_str())).collect();
    let remove =
        existing.iter().filter(|(_, r, q)| !wanted.contains(&(*r, q.as_str()))).map(|(rid, _, _)| *rid).collect();
    let (keep, add) = items.iter().partition(|i| stored.contains_key(&(i64::from(i.row), i.question.as_str())));
    Plan { remove, keep, add }
}

#[cfg(test)]
mod tests {
    use super::*;
    use answers::{book, kb::Format};

    fn item(row: u32, question: &str) -> Item {
        Item { row, question: question.into(), answer_is_formula: false }
    }

    #[test]
    fn a_reread_keeps_the_same_question_on_the_same_row_and_replaces_the_rest() {
        let existing = [(10, 1, "Is MFA required?".to_string()), (11, 2, "Backups?".into()), (12, 3, "Gone?".into())];
        let items = [item(1, "Is MFA required?"), item(2, "Backups tested?"), item(4, "New?")];
        let p = plan(&existing, &items);
        assert_eq!(p.remove, [11, 12], "a changed question is a new row; a vanished one goes");
        assert_eq!(p.keep, [&items[0]]);
        assert_eq!(p.add, [&items[1], &items[2]]);
    }

    #[test]
    fn a_question_moved_to_another_row_is_a_new_row() {
        let existing = [(10, 1, "Is MFA required?".to_string())];
        let items = [item(2, "Is MFA required?")];
        let p = plan(&existing, &items);
        assert_eq!((p.remove, p.keep.len(), p.add.len()), (vec![10], 0, 1));
    }

    #[test]
    fn a_sheet_is_read_with_its_questions_under_the_mapping() {
        let csv = b"Question,Answer\r\nDo you encrypt data at rest?,\r\nIs MFA required?,\r\n";
        let book = book::read(csv, Format::Csv).unwrap();
        let sheet = &book.sheets[0];
        let mapping = sheet.detect();
        let read = Prepared::read(sheet, &mapping);
        assert_eq!(read.name, "CSV");
        let questions: Vec<&str> = read.items.iter().map(|i| i.question.as_str()).collect();
        assert_eq!(questions, ["Do you encrypt data at rest?", "Is MFA required?"]);
        assert_eq!(read.options, None, "a CSV has no dropdowns");
    }
}
