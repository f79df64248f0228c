//! Questionnaires: import (detection, rows, suggestions computed in the background with
//! progress), the reviewer's decisions, sheet mappings a person corrects, export into the buyer's
//! own file, and the record of what each company was told.

use super::model::*;
use crate::{
    error::AppError,
    features::knowledge::{
        model::{KbEntry, KbStatus},
        server::{self as kb, EntryInput},
    },
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        request_meta::RequestMeta,
        AppState,
    },
    types::{short_text, IsoDate, Timestamp},
};
use answers::{
    book::{self, Book, Mapping},
    fill::{self, Answer},
    kb::Format,
};
use sqlx::FromRow;
use std::collections::HashMap;

/// The largest questionnaire file accepted.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// Questions sent to the engine at once (progress moves after each batch).
const BATCH: i64 = 32;
/// Rows shown on one page; filters narrow it.
const MAX_SHOWN: usize = 1_000;
/// What the engine reads of a very long question.
const MAX_QUERY: usize = answers::kb::MAX_QUESTION;

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Scored {
    entry_id: i64,
    score: f32,
}

/// What the upload form carries besides the file.
#[derive(Debug, Clone, Default)]
pub struct UploadInput {
    pub title: String,
    pub company_id: String,
    pub new_company_domain: String,
    pub new_company_name: String,
    pub due_on: String,
    pub owner_id: String,
}

fn format_code(format: Format) -> &'static str {
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

fn col(v: Option<i64>) -> Option<u32> {
    v.and_then(|v| u32::try_from(v).ok())
}

async fn owner_exists(db: &Db, id: i64) -> Result<bool, AppError> {
    let found: Option<(i64,)> = sqlx::query_as("select id from staff_users where id = $1 and active = 1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(found.is_some())
}

/// The company chosen, or created from a domain and name typed in the form.
async fn company_for(state: &AppState, input: &UploadInput) -> Result<i64, AppError> {
    if let Ok(id) = input.company_id.trim().parse::<i64>() {
        let found: Option<(i64,)> =
            sqlx::query_as("select id from companies where id = $1").bind(id).fetch_optional(state.db.pool()).await?;
        return found.map(|f| f.0).ok_or_else(|| AppError::field("company_id", "Choose a company from the list."));
    }
    let domain = input.new_company_domain.trim().trim_start_matches('@').to_lowercase();
    let valid = crate::types::EmailAddress::parse(&format!("x@{domain}")).is_ok();
    if domain.is_empty() {
        return Err(AppError::field("company_id", "Choose the company, or give a new company's domain and name."));
    }
    if !valid {
        return Err(AppError::field("new_company_domain", "Enter the company's e-mail domain, such as acme.com."));
    }
    let name =
        short_text(&input.new_company_name, "company name", 120).map_err(|m| AppError::field("new_company_name", m))?;
    let now = Timestamp::now().0;
    sqlx::query("insert into companies (domain, name, created_at, updated_at) values ($1, $2, $3, $3) on conflict (domain) do nothing")
        .bind(&domain)
        .bind(&name)
        .bind(now)
        .execute(state.db.pool())
        .await?;
    let (id,): (i64,) =
        sqlx::query_as("select id from companies where domain = $1").bind(&domain).fetch_one(state.db.pool()).await?;
    Ok(id)
}

fn due_date(text: &str) -> Result<Option<String>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => IsoDate::parse(t).map(|d| Some(d.to_string())).map_err(|m| AppError::field("due_on", m)),
    }
}

async fn owner_id(state: &AppState, text: &str) -> Result<Option<i64>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => {
            let id = t.parse::<i64>().map_err(|_| AppError::field("owner_id", "Choose an owner from the list."))?;
            if !owner_exists(&state.db, id).await? {
                return Err(AppError::field("owner_id", "Choose an owner from the list."));
            }
            Ok(Some(id))
        }
    }
}

/// Reads the file, detects every sheet, stores the questionnaire with one row per question, and
/// starts computing suggestions in the background. Nothing is stored when the file is refused.
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
    let owner = owner_id(state, &input.owner_id).await?;
    let shown_name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let title = match input.title.trim() {
        "" => shown_name.rsplit_once('.').map_or(shown_name.clone(), |(stem, _)| stem.to_string()),
        t => short_text(t, "title", 200).map_err(|m| AppError::field("title", m))?,
    };
    let (book, mappings) = tokio::task::spawn_blocking({
        let bytes = bytes.clone();
        move || {
            let book = book::read(&bytes, format)?;
            let mappings = book.detect()?;
            Ok::<_, answers::kb::ImportError>((book, mappings))
        }
    })
    .await
    .map_err(|e| AppError::internal("reading a questionnaire", e))?
    .map_err(|e| AppError::field("file", e.to_string()))?;
    // The company last: a refused file must not leave a new company behind.
    let company_id = company_for(state, input).await?;
    let sha = state.files.put(&bytes).await.map_err(|e| AppError::internal("storing a questionnaire", e))?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into questionnaires (company_id, title, file_name, format, file_sha256, due_on, owner_id, status, \
         created_by, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, 'processing', $8, $9, $9) returning id",
    )
    .bind(company_id)
    .bind(&title)
    .bind(&shown_name)
    .bind(format_code(format))
    .bind(&sha)
    .bind(&due_on)
    .bind(owner)
    .bind(&actor.label)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let mut total = 0i64;
    for (index, (sheet, mapping)) in book.sheets.iter().zip(&mappings).enumerate() {
        total += store_sheet(&mut tx, id, index as i64, sheet, mapping, false).await?;
    }
    sqlx::query("update questionnaires set progress_total = $1 where id = $2")
        .bind(total)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let details = serde_json::json!({ "title": title, "file": shown_name, "company_id": company_id, "questions": total, "sha256": sha });
    record(&mut tx, state, meta, actor, "questionnaire.imported", id, details).await?;
    tx.commit().await?;
    spawn_processing(state.clone(), id);
    Ok(id)
}

/// An access-log entry about questionnaire `id`, in the caller's transaction.
async fn record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    event: &'static str,
    id: i64,
    details: serde_json::Value,
) -> Result<(), AppError> {
    let event = Event { actor, event, object: format!("questionnaire:{id}"), outcome: Outcome::Success, details };
    audit::record(tx, state.db.backend(), meta, event).await.map(|_| ())
}

/// Stores a sheet's mapping and inserts its question rows (keeping rows already there with the
/// same question). Returns how many question rows the sheet has.
async fn store_sheet(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
    index: i64,
    sheet: &book::Sheet,
    mapping: &Mapping,
    corrected: bool,
) -> Result<i64, AppError> {
    let options = mapping
        .answer
        .and_then(|a| sheet.column_options(mapping, a))
        .map(|o| serde_json::to_string(o).unwrap_or_default());
    let as_i64 = |v: Option<u32>| v.map(i64::from);
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
    .bind(options)
    .bind(if corrected { "corrected" } else { "detected" })
    .execute(&mut **tx)
    .await?;
    let items = sheet.items(mapping);
    let existing: Vec<(i64, i64, String)> = sqlx::query_as(
        "select id, row_index, question from questionnaire_rows where questionnaire_id = $1 and sheet_index = $2",
    )
    .bind(id)
    .bind(index)
    .fetch_all(&mut **tx)
    .await?;
    let keep: HashMap<(i64, &str), i64> = existing.iter().map(|(rid, r, q)| ((*r, q.as_str()), *rid)).collect();
    let wanted: std::collections::HashSet<(i64, &str)> =
        items.iter().map(|i| (i64::from(i.row), i.question.as_str())).collect();
    for (rid, r, q) in &existing {
        if !wanted.contains(&(*r, q.as_str())) {
            sqlx::query("delete from questionnaire_rows where id = $1").bind(rid).execute(&mut **tx).await?;
        }
    }
    for item in &items {
        if keep.contains_key(&(i64::from(item.row), item.question.as_str())) {
            sqlx::query("update questionnaire_rows set answer_is_formula = $1 where questionnaire_id = $2 and sheet_index = $3 and row_index = $4")
                .bind(i64::from(item.answer_is_formula))
                .bind(id)
                .bind(index)
                .bind(i64::from(item.row))
                .execute(&mut **tx)
                .await?;
            continue;
        }
        sqlx::query("insert into questionnaire_rows (questionnaire_id, sheet_index, row_index, question, answer_is_formula) values ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(index)
            .bind(i64::from(item.row))
            .bind(&item.question)
            .bind(i64::from(item.answer_is_formula))
            .execute(&mut **tx)
            .await?;
    }
    Ok(items.len() as i64)
}

/// Computes the missing suggestions in the background.
pub fn spawn_processing(state: AppState, id: i64) {
    tokio::spawn(async move {
        if let Err(err) = process(&state, id).await {
            tracing::error!(questionnaire = id, error = %err, "suggesting answers for a questionnaire failed");
            let _ = sqlx::query(
                "update questionnaires set status = 'failed', failure = $1, updated_at = $2 where id = $3",
            )
            .bind("Suggestions could not be computed; try again, or ask an administrator to check the server log.")
            .bind(Timestamp::now().0)
            .bind(id)
            .execute(state.db.pool())
            .await;
        }
    });
}

/// Restarts processing interrupted by a restart.
pub async fn resume(state: &AppState) -> Result<usize, AppError> {
    let ids: Vec<(i64,)> =
        sqlx::query_as("select id from questionnaires where status = 'processing'").fetch_all(state.db.pool()).await?;
    for (id,) in &ids {
        spawn_processing(state.clone(), *id);
    }
    Ok(ids.len())
}

async fn process(state: &AppState, id: i64) -> Result<(), AppError> {
    loop {
        let batch: Vec<(i64, String)> = sqlx::query_as(
            "select id, question from questionnaire_rows where questionnaire_id = $1 and decision is null order by id limit $2",
        )
        .bind(id)
        .bind(BATCH)
        .fetch_all(state.db.pool())
        .await?;
        if batch.is_empty() {
            break;
        }
        let questions: Vec<String> = batch.iter().map(|(_, q)| q.chars().take(MAX_QUERY).collect()).collect();
        let (_, out) = state.knowledge.suggest(&state.db, questions).await?;
        let ids: HashMap<String, i64> = sqlx::query_as::<_, (String, i64)>("select external_id, id from kb_entries")
            .fetch_all(state.db.pool())
            .await?
            .into_iter()
            .collect();
        let mut tx = state.db.begin().await?;
        for ((row_id, _), s) in batch.iter().zip(out) {
            let scored: Vec<Scored> = s
                .suggestions
                .iter()
                .filter_map(|x| Some(Scored { entry_id: *ids.get(&x.kb_id)?, score: x.score }))
                .collect();
            sqlx::query("update questionnaire_rows set decision = $1, suggestions = $2 where id = $3")
                .bind(s.decision.as_str())
                .bind(serde_json::to_string(&scored).unwrap_or_else(|_| "[]".into()))
                .bind(row_id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "update questionnaires set progress_done = (select count(*) from questionnaire_rows where questionnaire_id = $1 and decision is not null), \
             updated_at = $2 where id = $1",
        )
        .bind(id)
        .bind(Timestamp::now().0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    sqlx::query(
        "update questionnaires set status = 'ready', failure = null, updated_at = $2 where id = $1 and \
         not exists (select 1 from questionnaire_rows r where r.questionnaire_id = $1 and r.decision is null)",
    )
    .bind(id)
    .bind(Timestamp::now().0)
    .execute(state.db.pool())
    .await?;
    Ok(())
}

#[derive(FromRow)]
struct QRow {
    id: i64,
    title: String,
    file_name: String,
    format: String,
    file_sha256: String,
    company_id: i64,
    company_name: String,
    due_on: Option<String>,
    owner_id: Option<i64>,
    owner_name: Option<String>,
    status: String,
    progress_done: i64,
    progress_total: i64,
    failure: Option<String>,
    created_by: String,
    created_at: i64,
}

const SELECT_Q: &str = "select q.id, q.title, q.file_name, q.format, q.file_sha256, q.company_id, c.name as company_name, q.due_on, \
     q.owner_id, s.name as owner_name, q.status, q.progress_done, q.progress_total, q.failure, q.created_by, q.created_at \
     from questionnaires q join companies c on c.id = q.company_id left join staff_users s on s.id = q.owner_id";

#[derive(FromRow, Clone)]
struct RowRecord {
    id: i64,
    sheet_index: i64,
    row_index: i64,
    question: String,
    answer_is_formula: i64,
    decision: Option<String>,
    suggestions: String,
    state: String,
    entry_id: Option<i64>,
    entry_version: Option<i64>,
    short_answer: Option<String>,
    answer: Option<String>,
    draft_entry_id: Option<i64>,
    decided_by: Option<String>,
}

const SELECT_ROWS: &str =
    "select id, sheet_index, row_index, question, answer_is_formula, decision, suggestions, state, entry_id, \
     entry_version, short_answer, answer, draft_entry_id, decided_by from questionnaire_rows";

impl RowRecord {
    fn scored(&self) -> Vec<Scored> {
        serde_json::from_str(&self.suggestions).unwrap_or_default()
    }

    fn state(&self) -> RowState {
        RowState::parse(&self.state).unwrap_or(RowState::Open)
    }
}

fn eligible(e: &KbEntry) -> bool {
    e.status == KbStatus::Approved && !e.stale
}

/// What will be written for a row, if anything: a person's choice, or an auto suggestion whose
/// entry is still approved and current.
struct Final {
    short: String,
    text: String,
    entry_id: Option<i64>,
    version: Option<i64>,
}

fn final_answer(row: &RowRecord, entries: &HashMap<i64, KbEntry>) -> Option<Final> {
    match row.state() {
        RowState::Accepted | RowState::Written => Some(Final {
            short: row.short_answer.clone().unwrap_or_default(),
            text: row.answer.clone().unwrap_or_default(),
            entry_id: row.entry_id,
            version: row.entry_version,
        }),
        RowState::Skipped => None,
        RowState::Open if row.decision.as_deref() == Some("auto") => {
            let best = row.scored().first().copied()?;
            let e = entries.get(&best.entry_id).filter(|e| eligible(e))?;
            Some(Final {
                short: e.short_answer.clone(),
                text: e.explanation.clone(),
                entry_id: Some(e.id),
                version: Some(e.version),
            })
        }
        RowState::Open => None,
    }
}

fn counts(rows: &[RowRecord], entries: &HashMap<i64, KbEntry>) -> Counts {
    let mut c = Counts { total: rows.len() as i64, ..Default::default() };
    for r in rows {
        match r.decision.as_deref() {
            Some("auto") => c.auto += 1,
            Some("review") => c.review += 1,
            Some("none") => c.none += 1,
            _ => {}
        }
        if r.state() != RowState::Open || final_answer(r, entries).is_some() {
            c.done += 1;
        }
    }
    c.remaining = c.total - c.done;
    c
}

async fn entries_by_id(db: &Db) -> Result<HashMap<i64, KbEntry>, AppError> {
    Ok(kb::all(db, &IsoDate::today_utc()).await?.into_iter().map(|e| (e.id, e)).collect())
}

async fn rows_of(db: &Db, id: i64) -> Result<Vec<RowRecord>, AppError> {
    Ok(sqlx::query_as(&format!("{SELECT_ROWS} where questionnaire_id = $1 order by sheet_index, row_index"))
        .bind(id)
        .fetch_all(db.pool())
        .await?)
}

fn summary(q: QRow, counts: Counts, today: &IsoDate) -> Result<QuestionnaireSummary, AppError> {
    let overdue =
        q.due_on.as_deref().and_then(|d| IsoDate::parse(d).ok()).is_some_and(|d| d < *today) && counts.remaining > 0;
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

async fn summaries(db: &Db, filter: &str, bind: Option<i64>) -> Result<Vec<QuestionnaireSummary>, AppError> {
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
        out.push(summary(q, counts(&rows, &entries), &today)?);
    }
    Ok(out)
}

pub async fn companies(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as("select id, name || ' (' || domain || ')' from companies order by name")
        .fetch_all(db.pool())
        .await?)
}

pub async fn list(db: &Db) -> Result<QuestionnaireListPage, AppError> {
    Ok(QuestionnaireListPage {
        items: summaries(db, "", None).await?,
        companies: companies(db).await?,
        owners: kb::owners(db).await?,
    })
}

async fn get_q(db: &Db, id: i64) -> Result<QRow, AppError> {
    sqlx::query_as(&format!("{SELECT_Q} where q.id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(FromRow)]
struct SheetRow {
    sheet_index: i64,
    name: String,
    header_row: Option<i64>,
    question_col: Option<i64>,
    answer_col: Option<i64>,
    comment_col: Option<i64>,
    mapping_source: String,
}

impl SheetRow {
    fn mapping(&self) -> Mapping {
        Mapping {
            header_row: col(self.header_row),
            question: col(self.question_col),
            answer: col(self.answer_col),
            comment: col(self.comment_col),
        }
    }
}

async fn sheets_of(db: &Db, id: i64) -> Result<Vec<SheetRow>, AppError> {
    Ok(sqlx::query_as(
        "select sheet_index, name, header_row, question_col, answer_col, comment_col, mapping_source from questionnaire_sheets \
         where questionnaire_id = $1 order by sheet_index",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

async fn load_book(state: &AppState, q: &QRow) -> Result<(Vec<u8>, Book), AppError> {
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

fn mappings_for(book: &Book, sheets: &[SheetRow]) -> Vec<Mapping> {
    (0..book.sheets.len())
        .map(|i| sheets.iter().find(|s| s.sheet_index == i as i64).map(SheetRow::mapping).unwrap_or_default())
        .collect()
}

pub async fn page(state: &AppState, id: i64, filter: &RowFilter) -> Result<QuestionnairePage, AppError> {
    let q = get_q(&state.db, id).await?;
    let (_, book) = load_book(state, &q).await?;
    let sheets = sheets_of(&state.db, id).await?;
    let mappings = mappings_for(&book, &sheets);
    let rows = rows_of(&state.db, id).await?;
    let entries = entries_by_id(&state.db).await?;
    let today = IsoDate::today_utc();
    let sheet_views = sheets
        .iter()
        .filter_map(|s| {
            let sheet = book.sheets.get(s.sheet_index as usize)?;
            let mapping = s.mapping();
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
        })
        .collect();
    let matches = |r: &RowRecord| {
        let decision_ok = filter.decision.is_empty() || r.decision.as_deref() == Some(filter.decision.as_str());
        let sheet_ok = filter.sheet.is_empty() || filter.sheet.parse::<i64>().ok() == Some(r.sheet_index);
        let done = r.state() != RowState::Open || final_answer(r, &entries).is_some();
        let state_ok = match filter.state.as_str() {
            "open" => !done,
            "done" => done,
            _ => true,
        };
        decision_ok && sheet_ok && state_ok
    };
    let matching: Vec<&RowRecord> = rows.iter().filter(|r| matches(r)).collect();
    let views = matching.iter().take(MAX_SHOWN).map(|r| row_view(r, &book, &mappings, &entries)).collect();
    let summary = summary(q, counts(&rows, &entries), &today)?;
    Ok(QuestionnairePage {
        summary,
        sheets: sheet_views,
        rows: views,
        matching: matching.len() as i64,
        companies: companies(&state.db).await?,
        owners: kb::owners(&state.db).await?,
    })
}

fn row_view(r: &RowRecord, book: &Book, mappings: &[Mapping], entries: &HashMap<i64, KbEntry>) -> RowView {
    let sheet = book.sheets.get(r.sheet_index as usize);
    let mapping = mappings.get(r.sheet_index as usize).copied().unwrap_or_default();
    let suggestions = r
        .scored()
        .iter()
        .filter_map(|s| {
            let e = entries.get(&s.entry_id)?;
            let caveat = match (e.status, e.stale) {
                (KbStatus::Approved, false) => None,
                (KbStatus::Approved, true) => Some("Stale: past its review date".to_string()),
                (KbStatus::Draft, _) => Some("Draft".to_string()),
                (KbStatus::Retired, _) => Some("Retired".to_string()),
            };
            Some(SuggestionView {
                entry_id: e.id,
                external_id: e.external_id.clone(),
                question: e.question.clone(),
                short_answer: e.short_answer.clone(),
                explanation: e.explanation.clone(),
                score: s.score,
                eligible: caveat.is_none(),
                caveat,
            })
        })
        .collect();
    let fin = final_answer(r, entries);
    let problem = match (&fin, sheet) {
        (Some(f), Some(_)) => {
            let answer = Answer {
                sheet: r.sheet_index as usize,
                row: r.row_index as u32,
                short: f.short.clone(),
                text: f.text.clone(),
            };
            fill::cells_for(book, &mapping, &answer).err().map(|p| p.describe())
        }
        _ if r.answer_is_formula != 0 => Some(fill::Placement::Formula.describe()),
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
        .unwrap_or_else(|| crate::features::knowledge::model::SHORT_ANSWERS.iter().map(|s| s.to_string()).collect());
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
        draft_entry_id: r.draft_entry_id,
        answer_options,
    }
}

async fn row_of(db: &Db, qid: i64, row_id: i64) -> Result<RowRecord, AppError> {
    sqlx::query_as(&format!("{SELECT_ROWS} where id = $1 and questionnaire_id = $2"))
        .bind(row_id)
        .bind(qid)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
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

/// A person chooses an entry (a suggestion, or any entry by its id such as KB-012; drafts and
/// stale entries too, since a person chose them). Its current text and version are kept.
pub async fn accept(state: &AppState, actor: &Actor, qid: i64, row_id: i64, entry: &str) -> Result<(), AppError> {
    row_of(&state.db, qid, row_id).await?;
    let today = IsoDate::today_utc();
    let wanted = entry.trim();
    let e = match wanted.parse::<i64>() {
        Ok(id) => kb::get(&state.db, id, &today).await.ok(),
        Err(_) => kb::all(&state.db, &today).await?.into_iter().find(|e| e.external_id.eq_ignore_ascii_case(wanted)),
    }
    .ok_or_else(|| AppError::field("entry", format!("No knowledge-base entry {wanted:?}.")))?;
    if e.status == KbStatus::Retired {
        return Err(AppError::field(
            "entry",
            format!("{} is retired; choose another entry or write an answer.", e.external_id),
        ));
    }
    sqlx::query(
        "update questionnaire_rows set state = 'accepted', entry_id = $1, entry_version = $2, short_answer = $3, answer = $4, \
         decided_by = $5, decided_at = $6 where id = $7",
    )
    .bind(e.id)
    .bind(e.version)
    .bind(&e.short_answer)
    .bind(&e.explanation)
    .bind(&actor.label)
    .bind(Timestamp::now().0)
    .bind(row_id)
    .execute(state.db.pool())
    .await?;
    Ok(())
}

/// A person writes the answer; optionally saved to the knowledge base as a draft for its owner
/// to approve (it is not suggested until approved).
pub struct Written<'a> {
    pub short: &'a str,
    pub text: &'a str,
    /// Also save it to the knowledge base as a draft.
    pub save_draft: bool,
}

pub async fn write(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    qid: i64,
    row_id: i64,
    written: Written<'_>,
) -> Result<Option<i64>, AppError> {
    let Written { short, text, save_draft } = written;
    let row = row_of(&state.db, qid, row_id).await?;
    let q = get_q(&state.db, qid).await?;
    let short = short.trim();
    let text = text.trim();
    if short.is_empty() && text.is_empty() {
        return Err(AppError::field("answer", "Write an answer, or choose a short answer."));
    }
    if short.chars().count() > 100 || short.chars().any(char::is_control) {
        return Err(AppError::field("short_answer", "Choose a short answer from the list."));
    }
    if text.chars().count() > answers::kb::MAX_ANSWER {
        return Err(AppError::field(
            "answer",
            format!("Keep the answer under {} characters.", answers::kb::MAX_ANSWER),
        ));
    }
    let draft = if save_draft {
        let kb_short =
            answers::fill::allowed_value(short, &crate::features::knowledge::model::SHORT_ANSWERS.map(String::from))
                .ok_or_else(|| {
                    AppError::field("short_answer", "A knowledge-base entry's short answer is Yes, No or N/A.")
                })?;
        if text.is_empty() {
            return Err(AppError::field("answer", "Write the explanation to save it to the knowledge base."));
        }
        let entries = kb::all(&state.db, &IsoDate::today_utc()).await?;
        let category = row
            .scored()
            .first()
            .and_then(|s| entries.iter().find(|e| e.id == s.entry_id))
            .map_or_else(|| "Questionnaires".to_string(), |e| e.category.clone());
        let input = EntryInput {
            external_id: next_external_id(&entries),
            question: row.question.chars().take(answers::kb::MAX_QUESTION).collect(),
            short_answer: kb_short,
            explanation: text.to_string(),
            category,
            owner_id: q.owner_id.map(|o| o.to_string()).unwrap_or_default(),
            status: "draft".into(),
            visibility: "internal".into(),
            review_interval_days: "365".into(),
            ..Default::default()
        };
        Some(kb::save(state, meta, actor, None, &input).await?)
    } else {
        None
    };
    sqlx::query(
        "update questionnaire_rows set state = 'written', entry_id = $1, entry_version = $2, short_answer = $3, answer = $4, \
         draft_entry_id = coalesce($1, draft_entry_id), decided_by = $5, decided_at = $6 where id = $7",
    )
    .bind(draft)
    .bind(draft.map(|_| 1i64))
    .bind(short)
    .bind(text)
    .bind(&actor.label)
    .bind(Timestamp::now().0)
    .bind(row_id)
    .execute(state.db.pool())
    .await?;
    Ok(draft)
}

/// `KB-` and the next number after the highest numbered entry.
fn next_external_id(entries: &[KbEntry]) -> String {
    let max = entries
        .iter()
        .filter_map(|e| e.external_id.strip_prefix("KB-").and_then(|n| n.parse::<u32>().ok()))
        .max()
        .unwrap_or(0);
    format!("KB-{:03}", max + 1)
}

/// A person leaves the row blank on purpose (`skip`), or undoes a decision (`reopen`).
pub async fn set_row_state(
    state: &AppState,
    actor: &Actor,
    qid: i64,
    row_id: i64,
    action: &str,
) -> Result<(), AppError> {
    row_of(&state.db, qid, row_id).await?;
    let sql = match action {
        "skip" => "update questionnaire_rows set state = 'skipped', entry_id = null, entry_version = null, short_answer = null, answer = null, decided_by = $1, decided_at = $2 where id = $3",
        "reopen" => "update questionnaire_rows set state = 'open', entry_id = null, entry_version = null, short_answer = null, answer = null, decided_by = $1, decided_at = $2 where id = $3",
        _ => return Err(AppError::BadRequest),
    };
    sqlx::query(sql).bind(&actor.label).bind(Timestamp::now().0).bind(row_id).execute(state.db.pool()).await?;
    Ok(())
}

/// A person corrects a sheet's mapping; its rows are read again and new ones suggested.
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
    let sheet =
        book.sheets.get(usize::try_from(sheet_index).map_err(|_| AppError::NotFound)?).ok_or(AppError::NotFound)?;
    sheet.check(&mapping).map_err(|m| AppError::field("mapping", format!("Sheet {:?}: {m}.", sheet.name)))?;
    if mapping.question.is_some() && sheet.items(&mapping).is_empty() {
        return Err(AppError::field(
            "mapping",
            format!("Sheet {:?}: no questions under that header in that column.", sheet.name),
        ));
    }
    let mut tx = state.db.begin().await?;
    let count = store_sheet(&mut tx, qid, sheet_index, sheet, &mapping, true).await?;
    sqlx::query(
        "update questionnaires set status = 'processing', progress_total = (select count(*) from questionnaire_rows where questionnaire_id = $1), \
         progress_done = (select count(*) from questionnaire_rows where questionnaire_id = $1 and decision is not null), updated_at = $2 where id = $1",
    )
    .bind(qid)
    .bind(Timestamp::now().0)
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({ "sheet": sheet.name, "mapping": mapping, "questions": count });
    record(&mut tx, state, meta, actor, "questionnaire.mapping_changed", qid, details).await?;
    tx.commit().await?;
    spawn_processing(state.clone(), qid);
    Ok(count)
}

/// Title, company, due date and owner.
pub async fn update_details(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    qid: i64,
    input: &UploadInput,
) -> Result<(), AppError> {
    get_q(&state.db, qid).await?;
    let title = short_text(&input.title, "title", 200).map_err(|m| AppError::field("title", m))?;
    let company_id = company_for(state, input).await?;
    let due_on = due_date(&input.due_on)?;
    let owner = owner_id(state, &input.owner_id).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query("update questionnaires set title = $1, company_id = $2, due_on = $3, owner_id = $4, updated_at = $5 where id = $6")
        .bind(&title)
        .bind(company_id)
        .bind(&due_on)
        .bind(owner)
        .bind(Timestamp::now().0)
        .bind(qid)
        .execute(&mut *tx)
        .await?;
    let details = serde_json::json!({ "title": title, "company_id": company_id, "due_on": due_on, "owner_id": owner });
    record(&mut tx, state, meta, actor, "questionnaire.updated", qid, details).await?;
    tx.commit().await?;
    Ok(())
}

pub struct Exported {
    pub file_name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
    pub written: usize,
}

/// The buyer's file with every decided answer (and every eligible auto suggestion) written in;
/// each answer that leaves is recorded against the company with its entry and version.
pub async fn export(state: &AppState, meta: &RequestMeta, actor: &Actor, qid: i64) -> Result<Exported, AppError> {
    let q = get_q(&state.db, qid).await?;
    if q.status != "ready" {
        return Err(AppError::invalid("Suggestions are still being computed; export when they are done."));
    }
    let (bytes, book) = load_book(state, &q).await?;
    let sheets = sheets_of(&state.db, qid).await?;
    let mappings = mappings_for(&book, &sheets);
    let rows = rows_of(&state.db, qid).await?;
    let entries = entries_by_id(&state.db).await?;
    let mut chosen = Vec::new();
    let mut answers_in = Vec::new();
    for r in &rows {
        if let Some(f) = final_answer(r, &entries) {
            answers_in.push(Answer {
                sheet: r.sheet_index as usize,
                row: r.row_index as u32,
                short: f.short.clone(),
                text: f.text.clone(),
            });
            chosen.push((r, f));
        }
    }
    let format = book.format;
    let (out, placements) = tokio::task::spawn_blocking(move || fill::fill(&bytes, &book, &mappings, &answers_in))
        .await
        .map_err(|e| AppError::internal("writing a questionnaire", e))?
        .map_err(|e| AppError::internal("writing a questionnaire", e))?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let mut written = 0;
    for ((r, f), placement) in chosen.iter().zip(&placements) {
        if !placement.written() {
            continue;
        }
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
    record(&mut tx, state, meta, actor, "questionnaire.exported", qid, details).await?;
    tx.commit().await?;
    let (stem, ext) = q.file_name.rsplit_once('.').unwrap_or((q.file_name.as_str(), format_code(format)));
    let mime = match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };
    Ok(Exported { file_name: format!("{stem} (answered).{ext}"), mime, bytes: out, written })
}

#[derive(FromRow)]
struct DisclosureRow {
    company_id: i64,
    company_name: String,
    questionnaire_id: i64,
    questionnaire_title: String,
    question: String,
    entry_id: Option<i64>,
    external_id: Option<String>,
    entry_version: Option<i64>,
    current_version: Option<i64>,
    short_answer: String,
    answer: String,
    exported_by: String,
    exported_at: i64,
}

const SELECT_DISCLOSURES: &str = "select d.company_id, c.name as company_name, d.questionnaire_id, q.title as questionnaire_title, d.question, \
     d.entry_id, e.external_id, d.entry_version, e.version as current_version, d.short_answer, d.answer, d.exported_by, d.exported_at \
     from answer_disclosures d join companies c on c.id = d.company_id join questionnaires q on q.id = d.questionnaire_id \
     left join kb_entries e on e.id = d.entry_id";

fn disclosure(d: DisclosureRow) -> Disclosure {
    Disclosure {
        company_id: d.company_id,
        company_name: d.company_name,
        questionnaire_id: d.questionnaire_id,
        questionnaire_title: d.questionnaire_title,
        question: d.question,
        entry_id: d.entry_id,
        external_id: d.external_id,
        entry_version: d.entry_version,
        current_version: d.current_version,
        short_answer: d.short_answer,
        answer: d.answer,
        exported_by: d.exported_by,
        exported_at: d.exported_at,
    }
}

/// Who received an entry's answer, newest first (older versions are flagged on the page).
pub async fn told_about_entry(db: &Db, entry_id: i64) -> Result<Vec<Disclosure>, AppError> {
    let rows: Vec<DisclosureRow> =
        sqlx::query_as(&format!("{SELECT_DISCLOSURES} where d.entry_id = $1 order by d.exported_at desc, d.id desc"))
            .bind(entry_id)
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(disclosure).collect())
}

/// A company: its questionnaires and every answer it was sent.
pub async fn company_page(db: &Db, company_id: i64) -> Result<CompanyPage, AppError> {
    let (id, name, domain): (i64, String, String) =
        sqlx::query_as("select id, name, domain from companies where id = $1")
            .bind(company_id)
            .fetch_optional(db.pool())
            .await?
            .ok_or(AppError::NotFound)?;
    let questionnaires = summaries(db, "where q.company_id = $1", Some(id)).await?;
    let rows: Vec<DisclosureRow> =
        sqlx::query_as(&format!("{SELECT_DISCLOSURES} where d.company_id = $1 order by d.exported_at desc, d.id desc"))
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    Ok(CompanyPage { id, name, domain, questionnaires, told: rows.into_iter().map(disclosure).collect() })
}
