//! Reading questionnaires for people: the list with each one's progress and counts, one
//! questionnaire's review page, and where to go after a decision.

use super::{
    outcome::{counts, final_answer},
    read_model::{self, Stored},
    records::{entries_by_id, get_q, load_book, rows_of, sheets_of, QRow, SELECT_Q},
};
use crate::{
    error::AppError,
    features::{
        knowledge::server as kb,
        questionnaires::model::{
            Counts, QuestionnaireListPage, QuestionnairePage, QuestionnaireSummary, RowFilter, RowState, Status,
        },
    },
    ssr::{db::Db, AppState},
    types::IsoDate,
};

/// Every company as (id, "Name (domain)"), for the company selects.
pub async fn companies(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as("select id, name || ' (' || domain || ')' from companies order by name")
        .fetch_all(db.pool())
        .await?)
}

/// Every questionnaire, newest first, with what the upload form offers.
pub async fn list(db: &Db) -> Result<QuestionnaireListPage, AppError> {
    Ok(QuestionnaireListPage {
        items: summaries(db, "", None).await?,
        companies: companies(db).await?,
        owners: kb::owners(db).await?,
    })
}

/// One questionnaire: its sheets, the rows `filter` keeps, and its counts.
pub async fn page(state: &AppState, id: i64, filter: &RowFilter) -> Result<QuestionnairePage, AppError> {
    let q = get_q(&state.db, id).await?;
    let (_, book) = load_book(state, &q).await?;
    let stored = Stored {
        book,
        sheets: sheets_of(&state.db, id).await?,
        rows: rows_of(&state.db, id).await?,
        entries: entries_by_id(&state.db).await?,
    };
    let filter = filter.clone();
    // Labelling columns and placing answers walk the workbook: off the async threads.
    let review = tokio::task::spawn_blocking(move || read_model::project(&stored, &filter))
        .await
        .map_err(|e| AppError::internal("showing a questionnaire", e))?;
    Ok(QuestionnairePage {
        summary: summary(q, review.counts, &IsoDate::today_utc())?,
        sheets: review.sheets,
        rows: review.rows,
        matching: review.matching,
        companies: companies(&state.db).await?,
        owners: kb::owners(&state.db).await?,
    })
}

/// The next row still needing a person after `row_id`, for moving on after a decision.
pub async fn next_open(state: &AppState, qid: i64, row_id: i64) -> Result<Option<i64>, AppError> {
    let rows = rows_of(&state.db, qid).await?;
    let entries = entries_by_id(&state.db).await?;
    let at = rows.iter().position(|r| r.id == row_id).unwrap_or(0);
    Ok(rows
        .iter()
        .skip(at + 1)
        .find(|r| r.state() == RowState::Open && final_answer(r, &entries).is_none())
        .map(|r| r.id))
}

/// The questionnaires `filter` (a `where` clause on `q`, with at most one `$1`) keeps.
pub(super) async fn summaries(db: &Db, filter: &str, bind: Option<i64>) -> Result<Vec<QuestionnaireSummary>, AppError> {
    let sql = format!("{SELECT_Q} {filter} order by q.created_at desc, q.id desc");
    let mut query = sqlx::query_as::<_, QRow>(&sql);
    if let Some(b) = bind {
        query = query.bind(b);
    }
    let qs = query.fetch_all(db.pool()).await?;
    let entries = entries_by_id(db).await?;
    let today = IsoDate::today_utc();
    let mut out = Vec::with_capacity(qs.len());
    for q in qs {
        let rows = rows_of(db, q.id).await?;
        // The list shows rows done and remaining; whether each answer fits its cell is checked
        // against the workbook on the questionnaire's own page.
        out.push(summary(q, counts(&rows, &entries, |_, _| true), &today)?);
    }
    Ok(out)
}

fn summary(q: QRow, counts: Counts, today: &IsoDate) -> Result<QuestionnaireSummary, AppError> {
    let overdue = is_overdue(q.due_on.as_deref(), &counts, today);
    Ok(QuestionnaireSummary {
        id: q.id,
        title: q.title,
        file_name: q.file_name,
        company_id: q.company_id,
        company_name: q.company_name,
        due_on: q.due_on,
        overdue,
        owner_id: q.owner_id,
        owner_name: q.owner_name,
        status: Status::parse(&q.status).map_err(|e| AppError::internal("stored questionnaire", e))?,
        progress_done: q.progress_done,
        progress_total: q.progress_total,
        failure: q.failure,
        created_at: q.created_at,
        created_by: q.created_by,
        counts,
    })
}

/// Past its due date with rows still needing a person.
fn is_overdue(due_on: Option<&str>, counts: &Counts, today: &IsoDate) -> bool {
    due_on.and_then(|d| IsoDate::parse(d).ok()).is_some_and(|d| d < *today) && counts.remaining > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_questionnaire_is_overdue_after_its_due_date_while_rows_remain() {
        let today = IsoDate::parse("2026-03-10").unwrap();
        let remaining = Counts { total: 3, done: 1, remaining: 2, ..Default::default() };
        let finished = Counts { total: 3, done: 3, remaining: 0, ..Default::default() };
        assert!(is_overdue(Some("2026-03-09"), &remaining, &today));
        assert!(!is_overdue(Some("2026-03-10"), &remaining, &today), "due today is not overdue");
        assert!(!is_overdue(Some("2026-03-09"), &finished, &today), "all done: nothing is late");
        assert!(!is_overdue(None, &remaining, &today));
    }
}
