//! A reviewer's decisions on a row: choose a knowledge-base entry, write the answer (optionally
//! kept as a knowledge-base draft), leave the row blank, or undo a decision. Each decision and
//! its access-log row are one transaction; so is a draft entry saved with a written answer.

use super::{
    records::{get_q, row_of, RowRecord},
    Acting,
};
use crate::{
    error::AppError,
    features::knowledge::{
        model::{KbEntry, KbStatus, KbVisibility, SHORT_ANSWERS},
        server::{self as kb, EntryInput},
    },
    ssr::{audit::Actor, request_meta::RequestMeta, AppState},
    types::{IsoDate, Timestamp},
};

/// A person chooses an entry (a suggestion, or any entry by its id such as KB-012; drafts and
/// stale entries too, since a person chose them). Its current text and version are kept.
pub async fn accept(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    qid: i64,
    row_id: i64,
    entry: &str,
    keep_wording: bool,
) -> Result<(), AppError> {
    let row = row_of(&state.db, qid, row_id).await?;
    let entries = kb::all(&state.db, &IsoDate::today_utc()).await?;
    let e = chosen(&entries, entry)?;
    let mut tx = state.db.begin().await?;
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
    .execute(&mut *tx)
    .await?;
    // The reviewer may keep the buyer's wording as another phrasing of the entry.
    let kept = if keep_wording {
        let source = format!("review of questionnaire {qid}, row {}", row.row_index + 1);
        kb::learn::add_phrasing(&mut tx, e.id, &row.question, &source, &actor.label).await?.0
    } else {
        false
    };
    let details =
        with_row(&row, serde_json::json!({ "entry": e.external_id, "version": e.version, "wording_kept": kept }));
    Acting { state, meta, actor }.log(&mut tx, "questionnaire.row_accepted", qid, details).await?;
    tx.commit().await?;
    if kept {
        crate::ssr::signals::changed(state, crate::ssr::signals::Signal::Knowledge).await;
    }
    Ok(())
}

/// The entry a person named, by database id or by external id (any case); a retired or
/// internal (staff-only) entry is refused.
fn chosen<'a>(entries: &'a [KbEntry], wanted: &str) -> Result<&'a KbEntry, AppError> {
    let wanted = wanted.trim();
    let e = match wanted.parse::<i64>() {
        Ok(id) => entries.iter().find(|e| e.id == id),
        Err(_) => entries.iter().find(|e| e.external_id.eq_ignore_ascii_case(wanted)),
    }
    .ok_or_else(|| AppError::field("entry", format!("No knowledge-base entry {wanted:?}.")))?;
    if e.status == KbStatus::Retired {
        return Err(AppError::field(
            "entry",
            format!("{} is retired; choose another entry or write an answer.", e.external_id),
        ));
    }
    if e.visibility == KbVisibility::Internal {
        return Err(AppError::field(
            "entry",
            format!(
                "{} is internal (staff only); write an answer, or make the entry shareable under NDA first.",
                e.external_id
            ),
        ));
    }
    Ok(e)
}

/// A person writes the answer; optionally saved to the knowledge base as a draft for its owner
/// to approve (it is not suggested until approved).
pub struct Written<'a> {
    pub short: &'a str,
    pub text: &'a str,
    /// Also save it to the knowledge base as a draft.
    pub save_draft: bool,
}

/// Stores a written answer. Returns the draft entry's id when one was saved.
pub async fn write(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    qid: i64,
    row_id: i64,
    written: Written<'_>,
) -> Result<Option<i64>, AppError> {
    let row = row_of(&state.db, qid, row_id).await?;
    let q = get_q(&state.db, qid).await?;
    let (short, text) = checked(&written)?;
    let draft = if written.save_draft {
        let entries = kb::all(&state.db, &IsoDate::today_utc()).await?;
        Some(draft_input(&row, &entries, q.owner_id, short, text)?.validate()?)
    } else {
        None
    };
    let acting = Acting { state, meta, actor };
    let mut tx = state.db.begin().await?;
    let saved = match &draft {
        Some(valid) => Some(kb::save_in(&mut tx, &acting.on_kb(), None, valid).await?),
        None => None,
    };
    let draft_id = saved.as_ref().map(|s| s.id);
    sqlx::query(
        "update questionnaire_rows set state = 'written', entry_id = $1, entry_version = $2, short_answer = $3, answer = $4, \
         draft_entry_id = coalesce($1, draft_entry_id), decided_by = $5, decided_at = $6 where id = $7",
    )
    .bind(draft_id)
    .bind(draft_id.map(|_| 1i64))
    .bind(short)
    .bind(text)
    .bind(&actor.label)
    .bind(Timestamp::now().0)
    .bind(row_id)
    .execute(&mut *tx)
    .await?;
    let details = with_row(&row, serde_json::json!({ "short_answer": short, "draft_entry_id": draft_id }));
    acting.log(&mut tx, "questionnaire.row_written", qid, details).await?;
    tx.commit().await?;
    if let Some(saved) = saved {
        saved.committed(state, actor).await;
    }
    Ok(draft_id)
}

/// The written answer, trimmed: a short answer or a text (or both), each within bounds.
fn checked<'a>(written: &Written<'a>) -> Result<(&'a str, &'a str), AppError> {
    let short = written.short.trim();
    let text = written.text.trim();
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
    Ok((short, text))
}

/// The draft entry a written answer becomes: the row's question, in the category of its best
/// suggestion, owned by the questionnaire's owner, under the next free `KB-` number.
fn draft_input(
    row: &RowRecord,
    entries: &[KbEntry],
    owner_id: Option<i64>,
    short: &str,
    text: &str,
) -> Result<EntryInput, AppError> {
    // The buyer's "Y" is the knowledge base's "Yes".
    let kb_short = answers::fill::allowed_value(short, &SHORT_ANSWERS.map(String::from))
        .ok_or_else(|| AppError::field("short_answer", "A knowledge-base entry's short answer is Yes, No or N/A."))?;
    if text.is_empty() {
        return Err(AppError::field("answer", "Write the explanation to save it to the knowledge base."));
    }
    let category = row
        .scored()
        .first()
        .and_then(|s| entries.iter().find(|e| e.id == s.entry_id))
        .map_or_else(|| "Questionnaires".to_string(), |e| e.category.clone());
    Ok(EntryInput {
        external_id: next_external_id(entries),
        question: row.question.chars().take(answers::kb::MAX_QUESTION).collect(),
        short_answer: kb_short,
        explanation: text.to_string(),
        category,
        owner_id: owner_id.map(|o| o.to_string()).unwrap_or_default(),
        status: "draft".into(),
        // Written for a buyer, so shareable with buyers under NDA.
        visibility: "nda".into(),
        review_interval_days: "365".into(),
        ..Default::default()
    })
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
    meta: &RequestMeta,
    actor: &Actor,
    qid: i64,
    row_id: i64,
    action: &str,
) -> Result<(), AppError> {
    let row = row_of(&state.db, qid, row_id).await?;
    let (new_state, event) = match action {
        "skip" => ("skipped", "questionnaire.row_skipped"),
        "reopen" => ("open", "questionnaire.row_reopened"),
        _ => return Err(AppError::BadRequest),
    };
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "update questionnaire_rows set state = $1, entry_id = null, entry_version = null, short_answer = null, answer = null, \
         decided_by = $2, decided_at = $3 where id = $4",
    )
    .bind(new_state)
    .bind(&actor.label)
    .bind(Timestamp::now().0)
    .bind(row_id)
    .execute(&mut *tx)
    .await?;
    let details = with_row(&row, serde_json::json!({ "was": row.state }));
    Acting { state, meta, actor }.log(&mut tx, event, qid, details).await?;
    tx.commit().await?;
    Ok(())
}

/// A decision's log details, with the row they are about (as the spreadsheet numbers it).
fn with_row(row: &RowRecord, mut details: serde_json::Value) -> serde_json::Value {
    details["row"] = row.id.into();
    details["sheet"] = row.sheet_index.into();
    details["row_number"] = (row.row_index + 1).into();
    details
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::questionnaires::server::outcome::tests::{entry, open};

    fn field(result: Result<impl std::fmt::Debug, AppError>) -> (String, String) {
        match result {
            Err(AppError::Invalid { fields, .. }) => (fields[0].field.clone(), fields[0].message.clone()),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    fn kb() -> Vec<KbEntry> {
        let mut retired = entry(12, KbStatus::Retired, false);
        retired.category = "Retired things".into();
        let mut backups = entry(7, KbStatus::Draft, false);
        backups.category = "Resilience".into();
        let staff_only = KbEntry { visibility: KbVisibility::Internal, ..entry(20, KbStatus::Approved, false) };
        vec![entry(1, KbStatus::Approved, true), backups, retired, staff_only]
    }

    #[test]
    fn an_entry_is_chosen_by_database_id_or_external_id_in_any_case() {
        assert_eq!(chosen(&kb(), " 7 ").unwrap().id, 7);
        assert_eq!(chosen(&kb(), "kb-001").unwrap().id, 1, "a stale entry may be chosen by a person");
        assert_eq!(field(chosen(&kb(), "KB-999")), ("entry".into(), "No knowledge-base entry \"KB-999\".".into()));
        let (_, message) = field(chosen(&kb(), "KB-012"));
        assert_eq!(message, "KB-012 is retired; choose another entry or write an answer.");
        let (_, message) = field(chosen(&kb(), "KB-020"));
        assert!(message.starts_with("KB-020 is internal (staff only)"), "{message}");
    }

    #[test]
    fn a_written_answer_needs_a_short_answer_or_a_text_within_bounds() {
        let written = |short, text| Written { short, text, save_draft: false };
        assert_eq!(checked(&written(" Yes ", " Because. ")).unwrap(), ("Yes", "Because."));
        assert_eq!(checked(&written("", "Only text.")).unwrap(), ("", "Only text."));
        assert_eq!(field(checked(&written(" ", " "))).0, "answer");
        assert_eq!(field(checked(&written("Y\u{0}", ""))).0, "short_answer");
        let long = "x".repeat(answers::kb::MAX_ANSWER + 1);
        assert_eq!(field(checked(&written("Yes", &long))).0, "answer");
    }

    #[test]
    fn a_draft_takes_the_best_suggestions_category_the_owner_and_the_next_number() {
        let row = open(3, "review", 7);
        let input = draft_input(&row, &kb(), Some(5), "y", "We test restores monthly.").unwrap();
        assert_eq!(input.external_id, "KB-021");
        assert_eq!((input.short_answer.as_str(), input.category.as_str()), ("Yes", "Resilience"));
        assert_eq!((input.owner_id.as_str(), input.status.as_str(), input.visibility.as_str()), ("5", "draft", "nda"));
        let valid = input.validate().unwrap();
        assert_eq!(valid.question, "Row 3?");
        let unknown = open(4, "none", 99);
        assert_eq!(draft_input(&unknown, &kb(), None, "No", "Text.").unwrap().category, "Questionnaires");
    }

    #[test]
    fn a_draft_needs_a_yes_no_or_na_and_an_explanation() {
        let row = open(3, "review", 7);
        assert_eq!(field(draft_input(&row, &kb(), None, "Partially", "Text.")).0, "short_answer");
        assert_eq!(field(draft_input(&row, &kb(), None, "No", "")).0, "answer");
    }

    #[test]
    fn the_next_external_id_follows_the_highest_kb_number() {
        assert_eq!(next_external_id(&[]), "KB-001");
        let mut odd = entry(2, KbStatus::Approved, false);
        odd.external_id = "SEC-900".into();
        assert_eq!(next_external_id(&[entry(41, KbStatus::Draft, false), odd]), "KB-042");
    }

    #[test]
    fn log_details_name_the_row_as_the_spreadsheet_numbers_it() {
        let row = RowRecord { sheet_index: 2, row_index: 4, ..open(9, "auto", 1) };
        let details = with_row(&row, serde_json::json!({ "entry": "KB-001" }));
        assert_eq!(details, serde_json::json!({ "entry": "KB-001", "row": 9, "sheet": 2, "row_number": 5 }));
    }
}
