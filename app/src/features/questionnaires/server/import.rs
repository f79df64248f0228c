//! Importing a buyer's file: read every sheet, detect its header row and columns, store the
//! questionnaire with one row per question, and start computing suggestions in the background.

use super::{
    details::{due_date, owner_id, Company, UploadInput},
    processing::spawn_processing,
    records::format_code,
    sheets::{self, Prepared},
    Acting,
};
use crate::{
    error::AppError,
    ssr::{audit::Actor, request_meta::RequestMeta, AppState},
    types::{short_text, Timestamp},
};
use answers::{book, kb::Format};

/// The largest questionnaire file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;

/// Stores the file and its questionnaire; nothing is stored when the file or a field is
/// refused. Returns the questionnaire's id.
pub async fn create(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
    input: &UploadInput,
) -> Result<i64, AppError> {
    let format = Format::from_name(file_name).ok_or_else(|| AppError::field("file", "Upload a .xlsx or .csv file."))?;
    if bytes.len() > MAX_BYTES {
        return Err(AppError::field("file", format!("The file is larger than {} MB.", MAX_BYTES / 1024 / 1024)));
    }
    let due_on = due_date(&input.due_on)?;
    let owner = owner_id(&state.db, &input.owner_id).await?;
    let shown_name = shown_name(file_name);
    let title = match input.title.trim() {
        "" => default_title(&shown_name),
        t => short_text(t, "title", 200).map_err(|m| AppError::field("title", m))?,
    };
    let sheets = read_sheets(bytes.clone(), format).await?;
    // The company last: a refused file must not leave a new company behind.
    let company = Company::parse(input)?;
    company.check(&state.db).await?;
    let sha = state.files.put(&bytes).await.map_err(|e| AppError::internal("storing a questionnaire", e))?;
    let mut tx = state.db.begin().await?;
    let company_id = company.id_in(&mut tx).await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into questionnaires (company_id, title, file_name, format, file_sha256, due_on, owner_id, status, \
         created_by, created_at, updated_at, prospect_id) values ($1, $2, $3, $4, $5, $6, $7, 'processing', $8, $9, $9, $10) \
         returning id",
    )
    .bind(company_id)
    .bind(&title)
    .bind(&shown_name)
    .bind(format_code(format))
    .bind(&sha)
    .bind(&due_on)
    .bind(owner)
    .bind(&actor.label)
    .bind(Timestamp::now().0)
    .bind(input.prospect_id)
    .fetch_one(&mut *tx)
    .await?;
    let mut total = 0i64;
    for (index, sheet) in sheets.iter().enumerate() {
        total += sheets::store(&mut tx, id, index as i64, sheet, false).await?;
    }
    sqlx::query("update questionnaires set progress_total = $1 where id = $2")
        .bind(total)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let details = serde_json::json!({ "title": title, "file": shown_name, "company_id": company_id, "questions": total, "sha256": sha });
    Acting { state, meta, actor }.log(&mut tx, "questionnaire.imported", id, details).await?;
    tx.commit().await?;
    spawn_processing(state.clone(), id);
    Ok(id)
}

/// Every sheet of the file with its detected mapping and question rows, read off the async
/// threads; a file that cannot be read, or has no questions, is refused with the reason.
async fn read_sheets(bytes: Vec<u8>, format: Format) -> Result<Vec<Prepared>, AppError> {
    tokio::task::spawn_blocking(move || {
        let book = book::read(&bytes, format)?;
        let mappings = book.detect()?;
        Ok::<_, answers::kb::ImportError>(
            book.sheets.iter().zip(&mappings).map(|(s, m)| Prepared::read(s, m)).collect(),
        )
    })
    .await
    .map_err(|e| AppError::internal("reading a questionnaire", e))?
    .map_err(|e| AppError::field("file", e.to_string()))
}

/// The file's name as shown: without a client's path, without control characters, bounded.
fn shown_name(file_name: &str) -> String {
    file_name.rsplit(['/', '\\']).next().unwrap_or(file_name).chars().filter(|c| !c.is_control()).take(200).collect()
}

/// The title of a questionnaire uploaded without one: the file's name without its extension.
fn default_title(shown_name: &str) -> String {
    shown_name.rsplit_once('.').map_or(shown_name.to_string(), |(stem, _)| stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_is_shown_without_its_path_or_control_characters() {
        assert_eq!(shown_name(r"C:\Users\sam\Acme\acme-assessment.xlsx"), "acme-assessment.xlsx");
        assert_eq!(shown_name("../../etc/q\u{7}\n.csv"), "q.csv");
        assert_eq!(shown_name(&"a".repeat(300)).len(), 200);
    }

    #[test]
    fn the_default_title_is_the_name_without_its_extension() {
        assert_eq!(default_title("acme.assessment.xlsx"), "acme.assessment");
        assert_eq!(default_title("questions"), "questions");
    }
}
