//! Exporting the knowledge base: approved entries as file rows (the columns of kb.csv, plus
//! phrasings), which import back unchanged.

use super::entries::all;
use crate::{
    error::AppError,
    features::knowledge::model::{KbEntry, KbStatus},
    ssr::db::Db,
    types::IsoDate,
};
use answers::kb::{KbRow, ShortAnswer};

/// Approved entries as file rows, in external-id order.
pub async fn export_rows(db: &Db) -> Result<Vec<KbRow>, AppError> {
    let entries = all(db, &IsoDate::today_utc()).await?;
    Ok(entries.into_iter().filter(|e| e.status == KbStatus::Approved).map(file_row).collect())
}

fn file_row(e: KbEntry) -> KbRow {
    KbRow {
        // Stored short answers were validated; N/A is the safe reading of anything else.
        short_answer: ShortAnswer::parse(&e.short_answer).unwrap_or(ShortAnswer::NotApplicable),
        id: e.external_id,
        category: e.category,
        question: e.question,
        answer: e.explanation,
        tags: e.tags,
        alternatives: e.alternatives,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::knowledge::model::KbVisibility;

    #[test]
    fn an_entry_becomes_the_row_it_was_imported_from() {
        let entry = KbEntry {
            id: 1,
            external_id: "KB-001".into(),
            question: "Is MFA required?".into(),
            alternatives: vec!["MFA?".into()],
            short_answer: "No".into(),
            explanation: "Not for contractors.".into(),
            category: "Access Control".into(),
            tags: vec!["mfa".into()],
            owner_id: None,
            owner_name: None,
            status: KbStatus::Approved,
            visibility: KbVisibility::Internal,
            last_reviewed_on: None,
            review_interval_days: 365,
            review_due_on: None,
            stale: true,
            version: 1,
            updated_at: 0,
        };
        let row = file_row(entry.clone());
        assert_eq!((row.id.as_str(), row.short_answer), ("KB-001", ShortAnswer::No));
        assert_eq!(
            (row.question.as_str(), row.answer.as_str(), row.alternatives.as_slice()),
            (entry.question.as_str(), entry.explanation.as_str(), entry.alternatives.as_slice())
        );
        let odd = file_row(KbEntry { short_answer: "Maybe".into(), ..entry });
        assert_eq!(odd.short_answer, ShortAnswer::NotApplicable);
    }
}
