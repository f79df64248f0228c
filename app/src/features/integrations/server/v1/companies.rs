//! Companies through the API: read them with how the rules decide for their domain, create
//! them, and change their name, MNDA date and auto-approval (one transaction, logged).

use super::Page;
use crate::{
    error::AppError,
    features::access::{
        domain::{DomainPattern, RuleAction},
        server::{personal::is_personal, rules},
    },
    features::integrations::{
        model::ApiScope,
        server::tokens::{self, ApiCaller},
    },
    ssr::{
        audit::{self, Event, Outcome},
        db::{flag, Db},
        request_meta::RequestMeta,
        AppState,
    },
    types::{short_text, IsoDate, Timestamp},
};
use serde::{Deserialize, Serialize};
use sqlx::FromRow;
use utoipa::ToSchema;

/// A company: the e-mail domain its people sign in with, and how their requests are decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Company {
    pub id: i64,
    /// Lower-case e-mail domain, e.g. `contoso.com`.
    pub domain: String,
    pub name: String,
    /// The date the company's mutual NDA runs to (its people skip the click-through NDA until
    /// then); `null` when it has none.
    #[schema(value_type = Option<String>, format = Date)]
    pub mnda_until: Option<IsoDate>,
    /// Whether a rule for exactly this domain approves its requests without review.
    pub auto_approve: bool,
    /// What the access rules decide for this domain now: `auto_approve`, `review` or `deny`.
    pub decision: String,
    /// A free-mail or disposable provider's domain (individuals, never a customer).
    pub personal: bool,
    /// Unix seconds.
    pub updated_at: i64,
}

/// A new company, or changes to one. In a change, a field left out is kept; `mnda_until: null`
/// ends the MNDA.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    /// Only when creating: the e-mail domain.
    pub domain: Option<String>,
    pub name: Option<String>,
    /// `YYYY-MM-DD`, or `null` for none.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date)]
    pub mnda_until: Option<Option<String>>,
    pub auto_approve: Option<bool>,
}

/// Tells a field sent as `null` (`Some(None)`) from one left out (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[derive(FromRow)]
struct CompanyRow {
    id: i64,
    domain: String,
    name: String,
    is_customer: i64,
    mnda_expires_on: Option<String>,
    updated_at: i64,
}

const COMPANY_COLUMNS: &str = "id, domain, name, is_customer, mnda_expires_on, updated_at";

async fn to_company(db: &Db, rules: &[(String, String)], r: CompanyRow) -> Result<Company, AppError> {
    let (decision, _) = rules::decide(db, &r.domain).await?;
    let auto_approve = rules.iter().any(|(pattern, action)| *pattern == r.domain && action == "auto_approve");
    let personal = is_personal(&r.domain);
    Ok(Company {
        id: r.id,
        mnda_until: (flag(r.is_customer) && !personal)
            .then(|| r.mnda_expires_on.and_then(|d| IsoDate::parse(&d).ok()))
            .flatten(),
        auto_approve,
        decision: decision.code().to_string(),
        personal,
        domain: r.domain,
        name: r.name,
        updated_at: r.updated_at,
    })
}

async fn exact_rules(db: &Db) -> Result<Vec<(String, String)>, AppError> {
    Ok(sqlx::query_as("select pattern, action from access_rules").fetch_all(db.pool()).await?)
}

/// Companies by id after `after`, optionally only the one with `domain`.
pub async fn companies(db: &Db, domain: Option<&str>, after: i64, limit: i64) -> Result<Page<Company>, AppError> {
    let rows: Vec<CompanyRow> = match domain {
        Some(domain) => {
            sqlx::query_as(&format!("select {COMPANY_COLUMNS} from companies where domain = $1"))
                .bind(domain.trim().to_lowercase())
                .fetch_all(db.pool())
                .await?
        }
        None => {
            sqlx::query_as(&format!(
                "select {COMPANY_COLUMNS} from companies where id > $1 order by id limit {}",
                limit + 1
            ))
            .bind(after)
            .fetch_all(db.pool())
            .await?
        }
    };
    let rules = exact_rules(db).await?;
    let more = rows.len() as i64 > limit;
    let mut items = Vec::new();
    for row in rows.into_iter().take(limit as usize) {
        items.push(to_company(db, &rules, row).await?);
    }
    let next_cursor = more.then(|| items.last().map(|c: &Company| c.id)).flatten();
    Ok(Page { items, next_cursor })
}

/// One company.
pub async fn company(db: &Db, id: i64) -> Result<Company, AppError> {
    let row: CompanyRow = sqlx::query_as(&format!("select {COMPANY_COLUMNS} from companies where id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    to_company(db, &exact_rules(db).await?, row).await
}

/// Creates a company (`id = None`) or changes one, in one transaction with its log rows: the
/// name, the MNDA date (a customer while it has one) and the rule that auto-approves exactly its
/// domain. A personal domain can have neither an MNDA nor auto-approval.
pub async fn save_company(
    state: &AppState,
    meta: &RequestMeta,
    caller: &ApiCaller,
    id: Option<i64>,
    input: CompanyInput,
) -> Result<i64, AppError> {
    let actor = &caller.actor();
    let mut problems = crate::forms::Problems::default();
    let name = input.name.as_deref().map(|n| problems.take("name", short_text(n, "company name", 120)));
    let mnda = match &input.mnda_until {
        None => None,
        Some(None) => Some(None),
        Some(Some(text)) => problems.take("mnda_until", IsoDate::parse(text)).map(Some),
    };
    let domain = match (id, &input.domain) {
        (None, Some(text)) => problems.take(
            "domain",
            DomainPattern::parse(text)
                .ok()
                .filter(|p| !p.as_str().contains('*'))
                .map(|p| p.as_str().to_string())
                .ok_or_else(|| "Give an e-mail domain such as contoso.com.".to_string()),
        ),
        (None, None) => problems.take("domain", Err("Give the company's e-mail domain.".into())),
        (Some(_), Some(_)) => problems.take("domain", Err("A company's domain cannot change.".into())),
        (Some(_), None) => None,
    };
    if id.is_none() && input.name.is_none() {
        problems.add("name", "Give the company's name.");
    }
    problems.check()?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    // The token was checked when the request arrived; decide again against the state as it is
    // now, inside the transaction that writes (a revocation or a lost role in between wins).
    if !tokens::still_allows(&mut tx, caller, ApiScope::CompaniesWrite).await? {
        return Err(AppError::Unauthenticated);
    }
    let (id, domain, created) = match id {
        Some(id) => {
            let (domain,): (String,) = sqlx::query_as("select domain from companies where id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(AppError::NotFound)?;
            (id, domain, false)
        }
        None => {
            let domain = domain.unwrap_or_default();
            let existing: Option<(i64,)> = sqlx::query_as("select id from companies where domain = $1")
                .bind(&domain)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some((existing,)) = existing {
                return Err(AppError::invalid(format!("A company with the domain {domain} exists: id {existing}.")));
            }
            let (id,): (i64,) = sqlx::query_as(
                "insert into companies (domain, name, created_at, updated_at) values ($1, $2, $3, $3) returning id",
            )
            .bind(&domain)
            .bind(name.clone().flatten().unwrap_or_default())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            (id, domain, true)
        }
    };
    let personal = is_personal(&domain);
    if personal && (matches!(mnda, Some(Some(_))) || input.auto_approve == Some(true)) {
        return Err(AppError::invalid(format!(
            "{domain} is a free-mail or disposable address provider: its people are individuals, so it can have \
             neither an MNDA nor automatic approval."
        )));
    }
    if let Some(Some(name)) = &name {
        sqlx::query("update companies set name = $1, updated_at = $2 where id = $3")
            .bind(name)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(until) = &mnda {
        sqlx::query("update companies set is_customer = $1, mnda_expires_on = $2, updated_at = $3 where id = $4")
            .bind(i64::from(until.is_some()))
            .bind(until.map(|d| d.to_string()))
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    let mut rule_change = serde_json::Value::Null;
    if let Some(auto) = input.auto_approve {
        let existing: Vec<(i64,)> =
            sqlx::query_as("select id from access_rules where pattern = $1 and action = 'auto_approve'")
                .bind(&domain)
                .fetch_all(&mut *tx)
                .await?;
        if auto && existing.is_empty() {
            // First among the rules, so a broader rule does not shadow the company's own.
            let (new_id,): (i64,) = sqlx::query_as(
                "insert into access_rules (priority, pattern, action, note, created_at, updated_at) \
                 values (0, $1, $2, $3, $4, $4) returning id",
            )
            .bind(&domain)
            .bind(RuleAction::AutoApprove.code())
            .bind(format!("set through the API by {}", actor.label))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            rule_change = serde_json::json!({ "created": new_id });
        } else if !auto && !existing.is_empty() {
            for (rule,) in &existing {
                sqlx::query("delete from access_rules where id = $1").bind(rule).execute(&mut *tx).await?;
            }
            rule_change = serde_json::json!({ "deleted": existing.iter().map(|(r,)| r).collect::<Vec<_>>() });
        }
    }
    let event = Event {
        actor,
        event: if created { "company.created" } else { "company.updated" },
        object: format!("company:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({
            "domain": domain,
            "name": name.flatten(),
            "mnda_until": mnda.map(|m| m.map(|d| d.to_string())),
            "auto_approve": input.auto_approve,
            "access_rule": rule_change,
            "via": "api",
            "token": caller.token_id,
        }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(id)
}
