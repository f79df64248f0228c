//! Access rules, evaluated by priority. Changes are logged.

use crate::{
    error::AppError,
    features::access::{
        domain::{DomainPattern, RuleAction},
        model::{RuleView, RulesPage},
    },
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        request_meta::RequestMeta,
        AppState,
    },
    types::Timestamp,
};

/// The first rule (by priority, then age) whose pattern matches `domain`. With none, the request
/// goes to review. No rule auto-approves a personal (free-mail or disposable) address: those go
/// to review (a deny rule still denies).
pub async fn decide(db: &Db, domain: &str) -> Result<(RuleAction, Option<i64>), AppError> {
    for rule in list(db).await?.rules {
        let Ok(pattern) = DomainPattern::parse(&rule.pattern) else { continue };
        if pattern.matches(domain) {
            if rule.action == RuleAction::AutoApprove && super::personal::is_personal(domain) {
                return Ok((RuleAction::Review, Some(rule.id)));
            }
            return Ok((rule.action, Some(rule.id)));
        }
    }
    Ok((RuleAction::Review, None))
}

/// Every rule in the order they run (priority, then age), and the default access period; a rule
/// whose stored action does not parse is left out.
pub async fn list(db: &Db) -> Result<RulesPage, AppError> {
    let rows: Vec<(i64, i64, String, String, String)> =
        sqlx::query_as("select id, priority, pattern, action, note from access_rules order by priority, id")
            .fetch_all(db.pool())
            .await?;
    let rules = rows
        .into_iter()
        .filter_map(|(id, priority, pattern, action, note)| {
            Some(RuleView { id, priority, pattern, action: RuleAction::parse(&action).ok()?, note })
        })
        .collect();
    let (days,): (i64,) =
        sqlx::query_as("select default_access_days from access_settings where id = 1").fetch_one(db.pool()).await?;
    Ok(RulesPage { rules, default_access_days: days })
}

/// How many days approved access lasts unless sales choose another end date.
pub async fn default_access_days(db: &Db) -> Result<i64, AppError> {
    Ok(list(db).await?.default_access_days)
}

/// A rule as typed in the form.
pub struct RuleInput<'a> {
    pub priority: &'a str,
    pub pattern: &'a str,
    pub action: &'a str,
    pub note: &'a str,
}

fn parse(input: &RuleInput) -> Result<(i64, DomainPattern, RuleAction, String), AppError> {
    let priority = input.priority.trim().parse::<i64>().ok().filter(|p| (0..=100_000).contains(p));
    let pattern = DomainPattern::parse(input.pattern);
    let action = RuleAction::parse(input.action);
    match (priority, pattern, action) {
        (Some(_), Ok(pat), Ok(RuleAction::AutoApprove)) if super::personal::pattern_names_personal(&pat) => {
            Err(AppError::field(
                "pattern",
                format!(
                    "{} is a free-mail or disposable address provider: anyone can sign up there, so no rule \
                     approves it. Requests from such addresses always go to review (a deny rule is allowed).",
                    pat.as_str()
                ),
            ))
        }
        (Some(p), Ok(pat), Ok(a)) => Ok((p, pat, a, input.note.trim().chars().take(300).collect())),
        (p, pat, a) => Err(crate::forms::field_errors(
            [
                ("priority", p.is_none().then(|| "A whole number from 0 to 100000; lower runs first.".to_string())),
                ("pattern", pat.err()),
                ("action", a.err()),
            ]
            .into_iter()
            .filter_map(|(f, m)| m.map(|m| (f, m)))
            .collect(),
        )),
    }
}

/// Creates (`id = None`), changes or (`delete`) removes a rule, logging before and after.
pub async fn save(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: Option<i64>,
    input: Option<RuleInput<'_>>,
) -> Result<(), AppError> {
    let parsed = input.as_ref().map(parse).transpose()?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let before: Option<(i64, String, String, String)> = match id {
        Some(id) => Some(
            sqlx::query_as("select priority, pattern, action, note from access_rules where id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    let (event, object) = match (id, &parsed) {
        (None, Some((priority, pattern, action, note))) => {
            let (new_id,): (i64,) = sqlx::query_as(
                "insert into access_rules (priority, pattern, action, note, created_at, updated_at) values ($1, $2, $3, $4, $5, $5) returning id",
            )
            .bind(priority)
            .bind(pattern.as_str())
            .bind(action.code())
            .bind(note)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            ("access_rule.created", new_id)
        }
        (Some(id), Some((priority, pattern, action, note))) => {
            sqlx::query("update access_rules set priority = $1, pattern = $2, action = $3, note = $4, updated_at = $5 where id = $6")
                .bind(priority)
                .bind(pattern.as_str())
                .bind(action.code())
                .bind(note)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            ("access_rule.changed", id)
        }
        (Some(id), None) => {
            sqlx::query("delete from access_rules where id = $1").bind(id).execute(&mut *tx).await?;
            ("access_rule.deleted", id)
        }
        (None, None) => return Err(AppError::BadRequest),
    };
    let event = Event {
        actor,
        event,
        object: format!("access_rule:{object}"),
        outcome: Outcome::Success,
        details: serde_json::json!({
            "before": before.map(|(p, pat, a, n)| serde_json::json!({ "priority": p, "pattern": pat, "action": a, "note": n })),
            "after": parsed.map(|(p, pat, a, n)| serde_json::json!({ "priority": p, "pattern": pat.as_str(), "action": a.code(), "note": n })),
        }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the default access period (1 to 730 days, else a field error), logged in the same
/// transaction.
pub async fn set_default_days(state: &AppState, meta: &RequestMeta, actor: &Actor, days: &str) -> Result<(), AppError> {
    let days = days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=730).contains(d))
        .ok_or_else(|| AppError::field("default_access_days", "A number of days from 1 to 730."))?;
    let mut tx = state.db.begin().await?;
    sqlx::query("update access_settings set default_access_days = $1, updated_at = $2 where id = 1")
        .bind(days)
        .bind(Timestamp::now().0)
        .execute(&mut *tx)
        .await?;
    let event = Event {
        actor,
        event: "access_settings.changed",
        object: "access_settings".into(),
        outcome: Outcome::Success,
        details: serde_json::json!({ "default_access_days": days }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}
