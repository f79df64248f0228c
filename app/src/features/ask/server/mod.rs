//! Asking: who sees which entries, the engine's decision over those entries only, and counting
//! unanswered questions into the gap queue (`gaps`: addresses, staff answers, mail).

mod gaps;

pub use gaps::{answer, confirm_email, dismiss, gaps, leave_email, notify_answered, Answer};

use super::model::{AskMatch, AskResult, MAX_QUESTION};
use crate::features::knowledge::engine::faq_id;
use crate::{
    error::AppError,
    features::{
        accounts::{model::Principal, server::prospect_actor},
        knowledge::{
            model::{KbEntry, KbStatus},
            server as kb,
        },
        nda::server as nda,
    },
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        rate_limit::Action,
        request_meta::RequestMeta,
        shared_limits, AppState,
    },
    types::{IsoDate, Timestamp},
};
use answers::Decision;

/// Open gaps kept at most: past this, new questions are still answered and logged but no longer
/// queued (a flood cannot grow the table without bound).
const MAX_OPEN_GAPS: i64 = 5_000;
/// Visitors waiting on one gap, at most.
pub(super) const MAX_ASKERS: i64 = 200;
/// Related entries shown when there is no approved answer.
const RELATED: usize = 3;

/// Who is asking: everyone sees public entries; a prospect with an active grant who accepted the
/// current NDA also sees entries shared under NDA; internal entries are never shown.
pub async fn under_nda(db: &Db, principal: &Principal) -> Result<bool, AppError> {
    let Principal::Prospect(p) = principal else { return Ok(false) };
    let grant: Option<(i64,)> = sqlx::query_as(
        "select id from grants where prospect_id = $1 and revoked_at is null and expires_at > $2 limit 1",
    )
    .bind(p.id)
    .bind(Timestamp::now().0)
    .fetch_optional(db.pool())
    .await?;
    Ok(grant.is_some() && nda::has_accepted_current(db, p.id).await?)
}

/// A question as typed, trimmed and bounded; refused when empty or too long.
pub fn question_text(q: &str) -> Result<String, AppError> {
    let q = q.split_whitespace().collect::<Vec<_>>().join(" ");
    if q.is_empty() {
        return Err(AppError::invalid("Type a question."));
    }
    if q.chars().count() > MAX_QUESTION {
        return Err(AppError::invalid(format!("Keep the question under {MAX_QUESTION} characters.")));
    }
    Ok(q)
}

/// The key questions are counted under: lower-cased, plain punctuation, no trailing `?`.
pub fn normalized(q: &str) -> String {
    let text = answers::text::normalise(q);
    text.split_whitespace().collect::<Vec<_>>().join(" ").trim_end_matches(['?', '.', '!', ' ']).to_string()
}

pub(super) fn actor_of(principal: &Principal) -> Actor {
    match principal {
        Principal::Prospect(p) => prospect_actor(p),
        _ => Actor::anonymous(),
    }
}

fn quoted(e: &KbEntry) -> AskMatch {
    AskMatch {
        external_id: e.external_id.clone(),
        question: e.question.clone(),
        short_answer: e.short_answer.clone(),
        explanation: e.explanation.clone(),
        category: e.category.clone(),
    }
}

/// Answers `q` for `principal` from the approved, current entries they may see; a question
/// without an approved answer joins the gap queue. Rate-limited per source; logged with the
/// question and the entries shown.
pub async fn ask(state: &AppState, meta: &RequestMeta, principal: &Principal, q: &str) -> Result<AskResult, AppError> {
    let question = question_text(q)?;
    let ip = meta.ip.parse().ok();
    let key = normalized(&question);
    state.rate_limits.check(Action::Ask, ip, &key)?;
    shared_limits::check(&state.db, Action::Ask, ip, &key).await?;
    let nda = under_nda(&state.db, principal).await?;
    let built = state.knowledge.asking(&state.db, nda).await?;
    let worker = built.clone();
    let text = question.clone();
    let suggestion = tokio::task::spawn_blocking(move || {
        let signals = worker.engine.signals(std::slice::from_ref(&text))?;
        let allowed = |i: usize| worker.visibility.get(i).is_some_and(|v| v.visible_to_visitor(nda));
        Ok::<_, answers::engine::EngineError>(worker.engine.decide_within(
            &signals[0],
            &worker.engine.tuning(),
            &worker.engine.must_name_within(&text, allowed),
            allowed,
        ))
    })
    .await
    .map_err(|e| AppError::internal("answering a question", e))?
    .map_err(|e| AppError::internal("answering a question", e))?;
    let answered = suggestion.decision == Decision::Auto;
    let entries = kb::all(&state.db, &IsoDate::today_utc()).await?;
    // The best entry when answered; otherwise related entries, if the engine found any worth a
    // person's look. Each is checked again against what this visitor may see; a published FAQ
    // item is public.
    let shown: Vec<AskMatch> = match suggestion.decision {
        Decision::None => Vec::new(),
        decision => suggestion
            .suggestions
            .iter()
            .take(if decision == Decision::Auto { 1 } else { RELATED })
            .filter_map(|s| {
                if let Some(n) = (0..built.faqs.len()).find(|n| faq_id(*n) == s.kb_id) {
                    let (question, answer) = &built.faqs[n];
                    return Some(AskMatch {
                        external_id: s.kb_id.clone(),
                        question: question.clone(),
                        short_answer: String::new(),
                        explanation: answer.clone(),
                        category: "Frequently asked questions".into(),
                    });
                }
                entries
                    .iter()
                    .find(|e| e.external_id == s.kb_id)
                    .filter(|e| e.status == KbStatus::Approved && !e.stale && e.visibility.visible_to_visitor(nda))
                    .map(quoted)
            })
            .collect(),
    };
    let mut tx = state.db.begin().await?;
    let gap = if answered { None } else { record_gap(&mut tx, &question, &key).await? };
    let actor = actor_of(principal);
    let details = serde_json::json!({
        "question": question,
        "answered": answered,
        "shown": shown.iter().map(|m| m.external_id.clone()).collect::<Vec<_>>(),
        "under_nda": nda,
        "gap": gap,
    });
    let event = Event { actor: &actor, event: "ask.asked", object: "ask".into(), outcome: Outcome::Success, details };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(AskResult { question, answered, matches: shown, under_nda: nda })
}

/// Counts the question in the gap queue (a new row for a new question, unless the queue is
/// full). Returns the gap's id.
async fn record_gap(tx: &mut kb::Tx, question: &str, key: &str) -> Result<Option<i64>, AppError> {
    let now = Timestamp::now().0;
    let known: Option<(i64,)> =
        sqlx::query_as("select id from ask_gaps where normalized = $1").bind(key).fetch_optional(&mut **tx).await?;
    if let Some((id,)) = known {
        sqlx::query("update ask_gaps set asked_count = asked_count + 1, last_asked_at = $1 where id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
        return Ok(Some(id));
    }
    let (open,): (i64,) =
        sqlx::query_as("select count(*) from ask_gaps where status = 'open'").fetch_one(&mut **tx).await?;
    if open >= MAX_OPEN_GAPS {
        tracing::warn!("the gap queue is full; a new question was not queued");
        return Ok(None);
    }
    let (id,): (i64,) = sqlx::query_as(
        "insert into ask_gaps (question, normalized, first_asked_at, last_asked_at) values ($1, $2, $3, $3) \
         on conflict (normalized) do update set asked_count = ask_gaps.asked_count + 1, last_asked_at = $3 \
         returning id",
    )
    .bind(question)
    .bind(key)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some(id))
}

/// The single entry `external_id` if `principal` may see it and it is approved and current
/// (the ask page's link to one answer); `NotFound` otherwise, whatever the reason.
pub async fn entry_for(db: &Db, principal: &Principal, external_id: &str) -> Result<AskMatch, AppError> {
    let nda = under_nda(db, principal).await?;
    let entries = kb::all(db, &IsoDate::today_utc()).await?;
    entries
        .iter()
        .find(|e| {
            e.external_id == external_id
                && e.status == KbStatus::Approved
                && !e.stale
                && e.visibility.visible_to_visitor(nda)
        })
        .map(quoted)
        .ok_or(AppError::NotFound)
}
