//! The gap queue: questions asked without an approved answer, the addresses waiting on them
//! (confirmed first), staff answering or dismissing them, and mailing the answer once approved.

use super::{actor_of, normalized, question_text, MAX_ASKERS};
use crate::{
    error::AppError,
    features::{
        accounts::model::Principal,
        ask::model::Gap,
        knowledge::{
            model::{KbStatus, KbVisibility},
            server as kb,
        },
    },
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        mail,
        rate_limit::Action,
        request_meta::RequestMeta,
        shared_limits,
        tokens::Token,
        AppState,
    },
    types::{EmailAddress, IsoDate, Timestamp},
};

/// How long a confirmation link for an asker's address works.
const CONFIRM_FOR: i64 = 7 * 24 * 3600;

/// A visitor leaves an address to be told when `q` (asked before, without an approved answer)
/// is answered. The address is kept unconfirmed and mailed a confirmation link (which never
/// quotes the question: a stranger's address gets no text of someone else's choosing); only a
/// confirmed address is told the answer. The same answer whether or not it was already waiting.
pub async fn leave_email(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    q: &str,
    email: &str,
) -> Result<(), AppError> {
    let question = question_text(q)?;
    let email = EmailAddress::parse(email).map_err(|m| AppError::field("email", m))?;
    let ip = meta.ip.parse().ok();
    state.rate_limits.check(Action::AskNotify, ip, email.as_str())?;
    shared_limits::check(&state.db, Action::AskNotify, ip, email.as_str()).await?;
    let token = Token::generate();
    let link = format!("{}/ask/confirm?token={}", state.config.base_url.as_str().trim_end_matches('/'), token.expose());
    let confirm = crate::features::accounts::server::compose_mail(
        state,
        "ask_confirm",
        email.as_str(),
        "",
        serde_json::json!({ "link": link }),
    )
    .await?;
    let mut tx = state.db.begin().await?;
    let gap: Option<(i64,)> = sqlx::query_as("select id from ask_gaps where normalized = $1")
        .bind(normalized(&question))
        .fetch_optional(&mut *tx)
        .await?;
    let Some((gap,)) = gap else {
        return Err(AppError::invalid(
            "Ask the question first: we only keep addresses for questions we could not answer.",
        ));
    };
    let (waiting,): (i64,) =
        sqlx::query_as("select count(*) from ask_gap_askers where gap_id = $1").bind(gap).fetch_one(&mut *tx).await?;
    let now = Timestamp::now().0;
    let added = if waiting < MAX_ASKERS {
        sqlx::query(
            "insert into ask_gap_askers (gap_id, email, asked_at, confirm_token_hash, confirm_expires_at) \
             values ($1, $2, $3, $4, $5) on conflict (gap_id, email) do nothing",
        )
        .bind(gap)
        .bind(email.as_str())
        .bind(now)
        .bind(token.hash())
        .bind(now + CONFIRM_FOR)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1
    } else {
        false
    };
    if added {
        mail::enqueue(&mut tx, &confirm).await?;
    }
    let actor = actor_of(principal);
    let details = serde_json::json!({ "email": email.as_str(), "added": added });
    let event = Event {
        actor: &actor,
        event: "ask.notify_requested",
        object: format!("ask_gap:{gap}"),
        outcome: Outcome::Success,
        details,
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Confirms an asker's address from the link mailed to it; if the gap's answer is already
/// approved, it is mailed at once.
pub async fn confirm_email(state: &AppState, meta: &RequestMeta, token: &str) -> Result<(), AppError> {
    let invalid =
        || AppError::invalid("This confirmation link is not valid any more. Ask the question again to get a new one.");
    let token = Token::parse(token).ok_or_else(invalid)?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let row: Option<(i64, String, Option<i64>)> = sqlx::query_as(
        "select a.gap_id, a.email, g.entry_id from ask_gap_askers a join ask_gaps g on g.id = a.gap_id \
         where a.confirm_token_hash = $1 and a.confirm_expires_at > $2",
    )
    .bind(token.hash())
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let (gap, email, entry) = row.ok_or_else(invalid)?;
    sqlx::query(
        "update ask_gap_askers set confirmed_at = $1, confirm_token_hash = null, confirm_expires_at = null \
         where gap_id = $2 and email = $3",
    )
    .bind(now)
    .bind(gap)
    .bind(&email)
    .execute(&mut *tx)
    .await?;
    let actor = Actor::anonymous();
    let event = Event {
        actor: &actor,
        event: "ask.notify_confirmed",
        object: format!("ask_gap:{gap}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "email": email }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    if let Some(entry) = entry {
        notify_answered(state, entry, &IsoDate::today_utc()).await?;
    }
    Ok(())
}

#[derive(sqlx::FromRow)]
struct GapRow {
    id: i64,
    question: String,
    asked_count: i64,
    first_asked_at: i64,
    last_asked_at: i64,
    status: String,
    askers: i64,
    entry_id: Option<i64>,
    external_id: Option<String>,
    entry_status: Option<String>,
}

/// The queue: open gaps most asked first, then the 50 most recently answered or dismissed.
pub async fn gaps(db: &Db) -> Result<Vec<Gap>, AppError> {
    let select = "select g.id, g.question, g.asked_count, g.first_asked_at, g.last_asked_at, g.status, \
         (select count(*) from ask_gap_askers a where a.gap_id = g.id) as askers, g.entry_id, e.external_id, \
         e.status as entry_status from ask_gaps g left join kb_entries e on e.id = g.entry_id";
    let mut rows: Vec<GapRow> = sqlx::query_as(&format!(
        "{select} where g.status = 'open' order by g.asked_count desc, g.last_asked_at desc limit 500"
    ))
    .fetch_all(db.pool())
    .await?;
    rows.extend(
        sqlx::query_as::<_, GapRow>(&format!("{select} where g.status <> 'open' order by g.resolved_at desc limit 50"))
            .fetch_all(db.pool())
            .await?,
    );
    Ok(rows
        .into_iter()
        .map(|r| Gap {
            id: r.id,
            question: r.question,
            asked_count: r.asked_count,
            first_asked_at: r.first_asked_at,
            last_asked_at: r.last_asked_at,
            status: r.status,
            askers: r.askers,
            entry: match (r.entry_id, r.external_id, r.entry_status) {
                (Some(id), Some(x), Some(s)) => Some((id, x, s)),
                _ => None,
            },
        })
        .collect())
}

/// How staff answer a gap: with an entry that exists, or a new draft.
pub enum Answer {
    Existing { external_id: String },
    Draft { short_answer: String, explanation: String, visibility: KbVisibility },
}

/// Answers gap `id` (open or dismissed) with an entry: an existing one, or a new draft entry
/// whose question is the visitor's (approved later on its page, as any draft). The askers are
/// mailed once the entry is approved (at once if it already is). Returns the entry's id.
pub async fn answer(
    state: &AppState,
    acting: &kb::Acting<'_>,
    staff_id: i64,
    id: i64,
    answer: Answer,
) -> Result<i64, AppError> {
    let today = IsoDate::today_utc();
    let mut tx = state.db.begin().await?;
    let gap: Option<(String, String)> =
        sqlx::query_as("select question, status from ask_gaps where id = $1").bind(id).fetch_optional(&mut *tx).await?;
    let (question, status) = gap.ok_or(AppError::NotFound)?;
    if status == "answered" {
        return Err(AppError::invalid("This question has already been answered."));
    }
    let (entry_id, saved) = match answer {
        Answer::Existing { external_id } => {
            let found: Option<(i64,)> =
                sqlx::query_as("select id from kb_entries where external_id = $1 and status <> 'retired'")
                    .bind(external_id.trim())
                    .fetch_optional(&mut *tx)
                    .await?;
            let (entry,) = found.ok_or_else(|| AppError::field("external_id", "No current entry has this id."))?;
            (entry, None)
        }
        Answer::Draft { short_answer, explanation, visibility } => {
            let input = kb::EntryInput {
                external_id: format!("ASK-{id}"),
                question: question.clone(),
                alternatives: String::new(),
                short_answer,
                explanation,
                category: "Asked by visitors".into(),
                tags: String::new(),
                owner_id: staff_id.to_string(),
                status: KbStatus::Draft.code().into(),
                visibility: visibility.code().into(),
                last_reviewed_on: String::new(),
                review_interval_days: "365".into(),
            };
            let valid = input.validate()?;
            let saved = kb::save_in(&mut tx, acting, None, &valid).await?;
            (saved.id, Some(saved))
        }
    };
    let (_, public) = kb::learn::add_phrasing(
        &mut tx,
        entry_id,
        &question,
        &format!("asked on the trust center (gap {id})"),
        &acting.actor.label,
    )
    .await?;
    sqlx::query(
        "update ask_gaps set status = 'answered', entry_id = $1, resolved_by = $2, resolved_at = $3 where id = $4",
    )
    .bind(entry_id)
    .bind(staff_id)
    .bind(Timestamp::now().0)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    acting.log(&mut tx, "ask.gap_answered", format!("ask_gap:{id}"), serde_json::json!({ "entry": entry_id })).await?;
    tx.commit().await?;
    match saved {
        Some(saved) => {
            saved.committed(state, acting.actor).await;
        }
        None => {
            crate::ssr::signals::changed(state, crate::ssr::signals::Signal::Knowledge).await;
            if public {
                crate::ssr::signals::changed(state, crate::ssr::signals::Signal::PublicPage).await;
            }
        }
    }
    notify_answered(state, entry_id, &today).await?;
    Ok(entry_id)
}

/// Dismisses gap `id` (not something the knowledge base should answer).
pub async fn dismiss(state: &AppState, acting: &kb::Acting<'_>, staff_id: i64, id: i64) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let done = sqlx::query("update ask_gaps set status = 'dismissed', resolved_by = $1, resolved_at = $2 where id = $3 and status = 'open'")
        .bind(staff_id)
        .bind(Timestamp::now().0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    acting.log(&mut tx, "ask.gap_dismissed", format!("ask_gap:{id}"), serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Mails everyone waiting on a gap answered by `entry_id`, once the entry is approved and
/// current: a public entry's answer in full; an entry under NDA only as a link (the address is
/// not verified); an internal entry never. Each asker is mailed once. Returns how many were mailed.
pub async fn notify_answered(state: &AppState, entry_id: i64, today: &IsoDate) -> Result<usize, AppError> {
    let entry = match kb::get(&state.db, entry_id, today).await {
        Ok(e) => e,
        Err(AppError::NotFound) => return Ok(0),
        Err(e) => return Err(e),
    };
    if entry.status != KbStatus::Approved || entry.visibility == KbVisibility::Internal {
        return Ok(0);
    }
    let waiting: Vec<(i64, String, String)> = sqlx::query_as(
        "select a.gap_id, a.email, g.question from ask_gap_askers a join ask_gaps g on g.id = a.gap_id \
         where g.entry_id = $1 and g.status = 'answered' and a.confirmed_at is not null and a.notified_at is null",
    )
    .bind(entry_id)
    .fetch_all(state.db.pool())
    .await?;
    let mut mailed = 0;
    for (gap, email, question) in waiting {
        let public = entry.visibility == KbVisibility::Public;
        let link = format!(
            "{}/ask?q={}",
            state.config.base_url.as_str().trim_end_matches('/'),
            crate::paths::query_value(&question)
        );
        let outgoing = crate::features::accounts::server::compose_mail(
            state,
            "ask_answered",
            &email,
            "",
            serde_json::json!({
                "question": question,
                "public": public,
                "entry_question": entry.question,
                "short_answer": entry.short_answer,
                "explanation": if public { entry.explanation.clone() } else { String::new() },
                "link": link,
            }),
        )
        .await?;
        let mut tx = state.db.begin().await?;
        let claimed = sqlx::query(
            "update ask_gap_askers set notified_at = $1 where gap_id = $2 and email = $3 and notified_at is null",
        )
        .bind(Timestamp::now().0)
        .bind(gap)
        .bind(&email)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 1 {
            mail::enqueue(&mut tx, &outgoing).await?;
            let actor = Actor::system();
            let details = serde_json::json!({ "email": email, "entry": entry.external_id, "quoted": public });
            let event = Event {
                actor: &actor,
                event: "ask.asker_notified",
                object: format!("ask_gap:{gap}"),
                outcome: Outcome::Success,
                details,
            };
            audit::record(&mut tx, &RequestMeta::system("ask"), event).await?;
            mailed += 1;
        }
        tx.commit().await?;
    }
    Ok(mailed)
}
