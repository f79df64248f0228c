//! A person corrects a sheet's mapping (header row, question / answer / comment columns): the
//! sheet's questions are read again, rows still the same question keep their decisions, and
//! the new ones are suggested in the background.

use super::{
    processing::spawn_processing,
    records::{get_q, load_book},
    sheets::{self, Prepared},
    Acting,
};
use crate::{
    error::AppError,
    ssr::{audit::Actor, request_meta::RequestMeta, AppState},
    types::Timestamp,
};
use answers::book::{Book, Mapping};

/// Stores the corrected mapping of sheet `sheet_index`. Returns how many questions it has.
pub async fn set_mapping(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    qid: i64,
    sheet_index: i64,
    mapping: Mapping,
) -> Result<i64, AppError> {
    let q = get_q(&state.db, qid).await?;
    let (_, book) = load_book(state, &q).await?;
    // Reading the sheet's question rows walks the whole sheet: off the async threads.
    let sheet = tokio::task::spawn_blocking(move || reread(&book, sheet_index, mapping))
        .await
        .map_err(|e| AppError::internal("reading a questionnaire sheet", e))??;
    let mut tx = state.db.begin().await?;
    let count = sheets::store(&mut tx, qid, sheet_index, &sheet, true).await?;
    sqlx::query(
        "update questionnaires set status = 'processing', progress_total = (select count(*) from questionnaire_rows where questionnaire_id = $1), \
         progress_done = (select count(*) from questionnaire_rows where questionnaire_id = $1 and decision is not null), updated_at = $2 where id = $1",
    )
    .bind(qid)
    .bind(Timestamp::now().0)
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({ "sheet": sheet.name, "mapping": mapping, "questions": count });
    Acting { state, meta, actor }.log(&mut tx, "questionnaire.mapping_changed", qid, details).await?;
    tx.commit().await?;
    spawn_processing(state.clone(), qid);
    Ok(count)
}

/// Sheet `index` read under a person's mapping, refused when the mapping does not fit the
/// sheet or finds no questions (blocking work).
fn reread(book: &Book, index: i64, mapping: Mapping) -> Result<Prepared, AppError> {
    let sheet = book.sheets.get(usize::try_from(index).map_err(|_| AppError::NotFound)?).ok_or(AppError::NotFound)?;
    sheet.check(&mapping).map_err(|m| AppError::field("mapping", format!("Sheet {:?}: {m}.", sheet.name)))?;
    let read = Prepared::read(sheet, &mapping);
    // No question column is allowed: it is how a person leaves a sheet out.
    if mapping.question.is_some() && read.items.is_empty() {
        return Err(AppError::field(
            "mapping",
            format!("Sheet {:?}: no questions under that header in that column.", sheet.name),
        ));
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use answers::{book, kb::Format};

    fn book() -> Book {
        book::read(b"Ref,Question,Answer\r\n1,Is MFA required?,\r\n2,Do you back up daily?,\r\n", Format::Csv).unwrap()
    }

    fn message(result: Result<Prepared, AppError>) -> String {
        match result {
            Err(AppError::Invalid { fields, .. }) => fields[0].message.clone(),
            Err(other) => panic!("expected a field error, got {other:?}"),
            Ok(_) => panic!("expected a field error"),
        }
    }

    #[test]
    fn a_corrected_mapping_rereads_the_sheets_questions() {
        let mapping = Mapping { header_row: Some(0), question: Some(1), answer: Some(2), comment: None };
        let read = reread(&book(), 0, mapping).unwrap();
        assert_eq!(read.items.len(), 2);
        assert_eq!(read.mapping, mapping);
    }

    #[test]
    fn a_mapping_that_does_not_fit_is_refused_with_the_sheets_name() {
        let same = Mapping { header_row: Some(0), question: Some(1), answer: Some(1), comment: None };
        assert_eq!(
            message(reread(&book(), 0, same)),
            "Sheet \"CSV\": the question, answer and comment columns must be different."
        );
        let empty = Mapping { header_row: Some(0), question: Some(2), answer: None, comment: None };
        assert_eq!(message(reread(&book(), 0, empty)), "Sheet \"CSV\": no questions under that header in that column.");
    }

    #[test]
    fn leaving_a_sheet_out_is_allowed_and_a_missing_sheet_is_not_found() {
        let none = Mapping { header_row: Some(0), question: None, answer: None, comment: None };
        assert!(reread(&book(), 0, none).unwrap().items.is_empty());
        assert!(matches!(reread(&book(), 1, none), Err(AppError::NotFound)));
        assert!(matches!(reread(&book(), -1, none), Err(AppError::NotFound)));
    }
}
