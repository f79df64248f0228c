//! Staff edit entries: create or save one from the form, mark it reviewed, approve or retire
//! it. Each change, its history row and its access-log row are one transaction; afterwards the
//! engine is rebuilt and, when a public entry changed, the public FAQ republished.

use super::{entries::get, faq, history::describe_change, store, validation::ValidEntry, Acting, EntryInput, Tx};
use crate::{
    error::AppError,
    features::knowledge::model::{KbEntry, KbStatus, KbVisibility},
    ssr::{audit::Actor, request_meta::RequestMeta, AppState},
    types::IsoDate,
};

/// An entry stored in a caller's transaction. Once that transaction has committed,
/// [`Saved::committed`] does what must follow a change.
#[must_use = "call `committed` once the transaction has committed"]
pub struct Saved {
    pub id: i64,
    /// The entry was or is public: the public FAQ shows it.
    public: bool,
}

impl Saved {
    /// Marks the engine out of date and republishes the public FAQ if it shows the entry.
    /// Returns the entry's id. Visitors waiting on a question this entry answers are mailed once it is approved.
    pub async fn committed(self, state: &AppState, actor: &Actor) -> i64 {
        crate::ssr::signals::changed(state, crate::ssr::signals::Signal::Knowledge).await;
        if self.public {
            faq::republish(state, actor).await;
        }
        // The change is committed; a failure to queue the mails is logged, and they go out on
        // the entry's next change.
        if let Err(e) = crate::features::ask::server::notify_answered(state, self.id, &IsoDate::today_utc()).await {
            tracing::warn!(error = %e, entry = self.id, "could not mail the visitors waiting on this entry");
        }
        self.id
    }
}

/// Creates (`before` none) or updates an entry inside `tx`, with its history and access-log
/// rows; commit `tx`, then call [`Saved::committed`].
pub async fn save_in(
    tx: &mut Tx,
    acting: &Acting<'_>,
    before: Option<&KbEntry>,
    valid: &ValidEntry,
) -> Result<Saved, AppError> {
    store::check_owner(tx, valid.owner_id).await?;
    if store::id_taken(tx, &valid.external_id, before.map(|b| b.id)).await? {
        return Err(AppError::field("external_id", "Another entry already has this id."));
    }
    let label = &acting.actor.label;
    let (id, event, change) = match before {
        None => (store::insert(tx, valid, label, "created").await?, "kb.entry_created", "created".to_string()),
        Some(before) => {
            let change = describe_change(&ValidEntry::from(before), valid);
            store::update(tx, before.id, before.version + 1, valid, label, &change).await?;
            (before.id, "kb.entry_updated", change)
        }
    };
    let details = serde_json::json!({ "external_id": valid.external_id, "change": change });
    acting.log(tx, event, format!("kb:{id}"), details).await?;
    let public =
        before.is_some_and(|b| b.visibility == KbVisibility::Public) || valid.visibility == KbVisibility::Public;
    Ok(Saved { id, public })
}

/// Creates (`id` none) or updates an entry from the form.
pub async fn save(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: Option<i64>,
    input: &EntryInput,
) -> Result<i64, AppError> {
    let valid = input.validate()?;
    let before = match id {
        Some(id) => Some(get(&state.db, id, &IsoDate::today_utc()).await?),
        None => None,
    };
    let acting = Acting { db: &state.db, meta, actor };
    let mut tx = state.db.begin().await?;
    let saved = save_in(&mut tx, &acting, before.as_ref(), &valid).await?;
    tx.commit().await?;
    Ok(saved.committed(state, actor).await)
}

/// Sets the review date to today (the entry stops being stale), approves a draft, or retires
/// the entry.
pub async fn set_state(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: i64,
    action: &str,
) -> Result<(), AppError> {
    let today = IsoDate::today_utc();
    let entry = get(&state.db, id, &today).await?;
    let (next, event, change) = next_version(&entry, action, today)?;
    let acting = Acting { db: &state.db, meta, actor };
    let mut tx = state.db.begin().await?;
    store::update(&mut tx, id, entry.version + 1, &next, &actor.label, &change).await?;
    let details = serde_json::json!({ "external_id": entry.external_id, "change": change });
    acting.log(&mut tx, event, format!("kb:{id}"), details).await?;
    tx.commit().await?;
    Saved { id, public: entry.visibility == KbVisibility::Public }.committed(state, actor).await;
    Ok(())
}

/// What `action` makes of `entry`: its next version, the log event and the history sentence.
fn next_version(entry: &KbEntry, action: &str, today: IsoDate) -> Result<(ValidEntry, &'static str, String), AppError> {
    let mut next = ValidEntry::from(entry);
    let (event, change) = match action {
        "reviewed" => {
            next.last_reviewed_on = Some(today);
            ("kb.entry_reviewed", format!("marked reviewed on {today}"))
        }
        "retire" => {
            next.status = KbStatus::Retired;
            ("kb.entry_retired", "retired".to_string())
        }
        "approve" => {
            next.status = KbStatus::Approved;
            next.last_reviewed_on = Some(today);
            ("kb.entry_approved", format!("approved and marked reviewed on {today}"))
        }
        _ => return Err(AppError::BadRequest),
    };
    Ok((next, event, change))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> KbEntry {
        KbEntry {
            id: 3,
            external_id: "KB-003".into(),
            question: "Do you run backups?".into(),
            alternatives: vec![],
            short_answer: "Yes".into(),
            explanation: "Daily.".into(),
            category: "Resilience".into(),
            tags: vec![],
            owner_id: Some(2),
            owner_name: None,
            status: KbStatus::Draft,
            visibility: KbVisibility::Internal,
            last_reviewed_on: Some("2024-05-01".into()),
            review_interval_days: 90,
            review_due_on: None,
            stale: false,
            version: 2,
            updated_at: 0,
        }
    }

    fn today() -> IsoDate {
        IsoDate::parse("2026-03-10").unwrap()
    }

    #[test]
    fn approving_a_draft_also_marks_it_reviewed_today() {
        let (next, event, change) = next_version(&draft(), "approve", today()).unwrap();
        assert_eq!((next.status, next.last_reviewed_on), (KbStatus::Approved, Some(today())));
        assert_eq!(event, "kb.entry_approved");
        assert_eq!(change, "approved and marked reviewed on 2026-03-10");
        assert_eq!(next.review_interval_days, 90, "the rest is kept");
    }

    #[test]
    fn marking_reviewed_keeps_the_status_and_retiring_keeps_the_review_date() {
        let (reviewed, event, _) = next_version(&draft(), "reviewed", today()).unwrap();
        assert_eq!((reviewed.status, reviewed.last_reviewed_on), (KbStatus::Draft, Some(today())));
        assert_eq!(event, "kb.entry_reviewed");
        let (retired, event, change) = next_version(&draft(), "retire", today()).unwrap();
        assert_eq!(retired.status, KbStatus::Retired);
        assert_eq!(retired.last_reviewed_on, IsoDate::parse("2024-05-01").ok());
        assert_eq!((event, change.as_str()), ("kb.entry_retired", "retired"));
    }

    #[test]
    fn an_unknown_action_is_a_bad_request() {
        assert!(matches!(next_version(&draft(), "delete", today()), Err(AppError::BadRequest)));
    }
}
