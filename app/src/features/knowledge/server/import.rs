//! Importing a knowledge-base file (all or nothing): new ids are created, known ids updated (a
//! new version with history), identical rows left alone. Imported entries are approved and
//! reviewed today: the file is the company's approved answers.

use super::{entries::all, history::describe_change, store, validation::ValidEntry, Acting};
use crate::{
    error::AppError,
    features::knowledge::model::{KbEntry, KbStatus, KbVisibility},
    ssr::{
        audit::Actor,
        db::{Db, Tx},
        request_meta::RequestMeta,
    },
    types::IsoDate,
};
use answers::kb::KbRow;

/// How many rows of a file were created, updated and left alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Imports validated rows in one transaction, with one access-log row for the whole file.
pub async fn import(
    db: &Db,
    meta: &RequestMeta,
    actor: &Actor,
    rows: &[KbRow],
    owner_id: Option<i64>,
) -> Result<ImportSummary, AppError> {
    let today = IsoDate::today_utc();
    let existing = all(db, &today).await?;
    let mut tx = db.begin().await?;
    let summary = import_in(&mut tx, db, meta, actor, rows, owner_id, &existing).await?;
    tx.commit().await?;
    Ok(summary)
}

/// [`import`] inside `tx`, against the entries that exist now (`existing`).
pub async fn import_in(
    tx: &mut Tx,
    db: &Db,
    meta: &RequestMeta,
    actor: &Actor,
    rows: &[KbRow],
    owner_id: Option<i64>,
    existing: &[KbEntry],
) -> Result<ImportSummary, AppError> {
    let today = IsoDate::today_utc();
    let mut summary = ImportSummary::default();
    store::check_owner(tx, owner_id).await?;
    for row in rows {
        let known = existing.iter().find(|e| e.external_id == row.id);
        match step(row, known, owner_id, today) {
            Step::Create(next) => {
                store::insert(tx, &next, &actor.label, "imported").await?;
                summary.created += 1;
            }
            Step::Update { id, version, next, change } => {
                store::update(tx, id, version, &next, &actor.label, &change).await?;
                summary.updated += 1;
            }
            Step::Keep => summary.unchanged += 1,
        }
    }
    let details =
        serde_json::json!({ "created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged });
    Acting { db, meta, actor }.log(tx, "kb.imported", "kb".into(), details).await?;
    Ok(summary)
}

/// What importing one row does.
#[derive(Debug, PartialEq)]
enum Step {
    Create(ValidEntry),
    Update { id: i64, version: i64, next: ValidEntry, change: String },
    Keep,
}

/// Decides what a file row does to the entry with its id (`known`), if there is one.
fn step(row: &KbRow, known: Option<&KbEntry>, owner_id: Option<i64>, today: IsoDate) -> Step {
    let mut next = ValidEntry {
        external_id: row.id.clone(),
        question: row.question.clone(),
        alternatives: row.alternatives.clone(),
        short_answer: row.short_answer.as_str().to_string(),
        explanation: row.answer.clone(),
        category: row.category.clone(),
        tags: row.tags.clone(),
        owner_id,
        status: KbStatus::Approved,
        // Approved answers imported from a file are what the company tells buyers.
        visibility: KbVisibility::Nda,
        last_reviewed_on: Some(today),
        review_interval_days: 365,
    };
    let Some(before) = known else { return Step::Create(next) };
    let old = ValidEntry::from(before);
    // Keep what the file does not carry.
    next.owner_id = owner_id.or(old.owner_id);
    next.visibility = old.visibility;
    next.review_interval_days = old.review_interval_days;
    let same_content = old.question == next.question
        && old.alternatives == next.alternatives
        && old.short_answer == next.short_answer
        && old.explanation == next.explanation
        && old.category == next.category
        && old.tags == next.tags
        && old.status == KbStatus::Approved;
    if same_content {
        return Step::Keep;
    }
    let change = format!("imported: {}", describe_change(&old, &next));
    Step::Update { id: before.id, version: before.version + 1, next, change }
}

#[cfg(test)]
mod tests {
    use super::*;
    use answers::kb::ShortAnswer;

    fn row() -> KbRow {
        KbRow {
            id: "KB-010".into(),
            category: "Access Control".into(),
            question: "Is MFA required?".into(),
            short_answer: ShortAnswer::Yes,
            answer: "Always, with hardware keys.".into(),
            tags: vec!["mfa".into()],
            alternatives: vec![],
        }
    }

    fn today() -> IsoDate {
        IsoDate::parse("2026-03-10").unwrap()
    }

    fn stored(status: KbStatus) -> KbEntry {
        KbEntry {
            id: 10,
            external_id: "KB-010".into(),
            question: "Is MFA required?".into(),
            alternatives: vec![],
            short_answer: "Yes".into(),
            explanation: "Always, with hardware keys.".into(),
            category: "Access Control".into(),
            tags: vec!["mfa".into()],
            owner_id: Some(4),
            owner_name: None,
            status,
            visibility: KbVisibility::Public,
            last_reviewed_on: Some("2025-01-01".into()),
            review_interval_days: 90,
            review_due_on: None,
            stale: true,
            version: 5,
            updated_at: 0,
        }
    }

    #[test]
    fn a_new_id_is_created_approved_shareable_under_nda_and_reviewed_today() {
        let Step::Create(v) = step(&row(), None, Some(2), today()) else { panic!("expected a new entry") };
        assert_eq!((v.status, v.visibility), (KbStatus::Approved, KbVisibility::Nda));
        assert_eq!((v.last_reviewed_on, v.owner_id, v.review_interval_days), (Some(today()), Some(2), 365));
    }

    #[test]
    fn the_same_approved_content_is_left_alone_even_when_stale() {
        assert_eq!(step(&row(), Some(&stored(KbStatus::Approved)), None, today()), Step::Keep);
    }

    #[test]
    fn a_retired_entry_with_the_same_content_is_approved_again() {
        let Step::Update { next, change, version, .. } = step(&row(), Some(&stored(KbStatus::Retired)), None, today())
        else {
            panic!("expected an update")
        };
        assert_eq!(next.status, KbStatus::Approved);
        assert_eq!(version, 6);
        assert_eq!(change, "imported: changed status retired → approved, review date");
    }

    #[test]
    fn an_update_keeps_what_the_file_does_not_carry() {
        let changed = KbRow { short_answer: ShortAnswer::No, ..row() };
        let Step::Update { id, next, change, .. } = step(&changed, Some(&stored(KbStatus::Approved)), None, today())
        else {
            panic!("expected an update")
        };
        assert_eq!(id, 10);
        assert_eq!(next.owner_id, Some(4), "no owner given: the entry's owner stays");
        assert_eq!((next.visibility, next.review_interval_days), (KbVisibility::Public, 90));
        assert_eq!(next.last_reviewed_on, Some(today()));
        assert_eq!(change, "imported: changed answer Yes → No, review date");
    }
}
