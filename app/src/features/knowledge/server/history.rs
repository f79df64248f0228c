//! An entry's history: one row per version with who changed it, a sentence saying what
//! changed, and a snapshot of the whole entry.

use super::{validation::ValidEntry, Tx};
use crate::{error::AppError, features::knowledge::model::KbHistoryItem, ssr::db::Db, types::Timestamp};

/// Every version of entry `id`, newest first.
pub async fn history(db: &Db, id: i64) -> Result<Vec<KbHistoryItem>, AppError> {
    let rows: Vec<(i64, i64, String, String)> =
        sqlx::query_as("select version, at, actor, change from kb_history where entry_id = $1 order by id desc")
            .bind(id)
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(version, at, actor, change)| KbHistoryItem { version, at, actor, change }).collect())
}

/// Adds version `version` of entry `id` to its history, in the transaction that stored it.
pub(super) async fn add(
    tx: &mut Tx,
    id: i64,
    version: i64,
    actor: &str,
    change: &str,
    v: &ValidEntry,
) -> Result<(), AppError> {
    sqlx::query(
        "insert into kb_history (entry_id, version, at, actor, change, snapshot) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(version)
    .bind(Timestamp::now().0)
    .bind(actor)
    .bind(change)
    .bind(snapshot(v).to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn snapshot(v: &ValidEntry) -> serde_json::Value {
    serde_json::json!({
        "external_id": v.external_id, "question": v.question, "alternatives": v.alternatives,
        "short_answer": v.short_answer, "explanation": v.explanation, "category": v.category, "tags": v.tags,
        "owner_id": v.owner_id, "status": v.status.code(), "visibility": v.visibility.code(),
        "last_reviewed_on": v.last_reviewed_on.map(|d| d.to_string()), "review_interval_days": v.review_interval_days,
    })
}

/// What changed between two versions, as a short sentence for the history.
pub(super) fn describe_change(before: &ValidEntry, after: &ValidEntry) -> String {
    let mut parts = Vec::new();
    let mut check = |changed: bool, what: &str| {
        if changed {
            parts.push(what.to_string());
        }
    };
    check(before.external_id != after.external_id, "id");
    check(before.question != after.question, "question");
    check(before.alternatives != after.alternatives, "phrasings");
    check(
        before.short_answer != after.short_answer,
        &format!("answer {} → {}", before.short_answer, after.short_answer),
    );
    check(before.explanation != after.explanation, "explanation");
    check(before.category != after.category, "category");
    check(before.tags != after.tags, "tags");
    check(before.owner_id != after.owner_id, "owner");
    check(before.status != after.status, &format!("status {} → {}", before.status.code(), after.status.code()));
    check(
        before.visibility != after.visibility,
        &format!("visibility {} → {}", before.visibility.code(), after.visibility.code()),
    );
    check(before.last_reviewed_on != after.last_reviewed_on, "review date");
    check(before.review_interval_days != after.review_interval_days, "review interval");
    if parts.is_empty() {
        "saved without changes".into()
    } else {
        format!("changed {}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::knowledge::model::{KbStatus, KbVisibility};

    fn entry() -> ValidEntry {
        ValidEntry {
            external_id: "KB-001".into(),
            question: "Is MFA required?".into(),
            alternatives: vec![],
            short_answer: "Yes".into(),
            explanation: "Always.".into(),
            category: "Access Control".into(),
            tags: vec!["mfa".into()],
            owner_id: None,
            status: KbStatus::Draft,
            visibility: KbVisibility::Internal,
            last_reviewed_on: None,
            review_interval_days: 365,
        }
    }

    #[test]
    fn an_unchanged_save_says_so() {
        assert_eq!(describe_change(&entry(), &entry()), "saved without changes");
    }

    #[test]
    fn each_change_is_named_in_field_order_with_old_and_new_codes() {
        let after = ValidEntry {
            short_answer: "No".into(),
            tags: vec![],
            status: KbStatus::Approved,
            visibility: KbVisibility::Public,
            question: "Is MFA enforced?".into(),
            ..entry()
        };
        assert_eq!(
            describe_change(&entry(), &after),
            "changed question, answer Yes → No, tags, status draft → approved, visibility internal → public"
        );
    }

    #[test]
    fn the_snapshot_stores_codes_and_dates_as_text() {
        let v = ValidEntry { last_reviewed_on: crate::types::IsoDate::from_ymd(2026, 1, 2), ..entry() };
        let s = snapshot(&v);
        assert_eq!(s["status"], "draft");
        assert_eq!(s["visibility"], "internal");
        assert_eq!(s["last_reviewed_on"], "2026-01-02");
    }
}
