//! Company accounts: requesters grouped by e-mail domain.

use crate::ssr::db::Tx;
use crate::{
    error::AppError,
    features::{
        access::{
            model::{CompanyAccess, CompanyPerson, CompanyView},
            server::personal::is_personal,
        },
        accounts::model::ProspectUser,
    },
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::{flag, Db},
        request_meta::RequestMeta,
        AppState,
    },
    types::{short_text, IsoDate, Timestamp},
};
use sqlx::FromRow;

/// What sales see of one company's access (404 for a company that does not exist).
pub async fn access(db: &Db, company_id: i64) -> Result<CompanyAccess, AppError> {
    let (domain, is_customer, mnda): (String, i64, Option<String>) =
        sqlx::query_as("select domain, is_customer, mnda_expires_on from companies where id = $1")
            .bind(company_id)
            .fetch_optional(db.pool())
            .await?
            .ok_or(AppError::NotFound)?;
    let people: Vec<(String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "select name, email, company, created_at, last_sign_in_at from prospects where company_id = $1 order by lower(name), email",
    )
    .bind(company_id)
    .fetch_all(db.pool())
    .await?;
    let personal = is_personal(&domain);
    Ok(CompanyAccess {
        personal,
        is_customer: flag(is_customer) && !personal,
        mnda_expires_on: mnda.and_then(|d| IsoDate::parse(&d).ok()).filter(|_| !personal),
        people: people
            .into_iter()
            .map(|(name, email, typed_company, joined, last)| CompanyPerson {
                name,
                email,
                typed_company,
                joined: Timestamp(joined),
                last_sign_in: last.map(Timestamp),
            })
            .collect(),
        requests: super::dashboard::requests_of_company(db, company_id).await?,
        grants: super::grants::for_company(db, company_id).await?,
        downloads: crate::features::downloads::server::of_company(db, company_id).await?,
        acceptances: crate::features::nda::server::acceptances_at_company(db, company_id).await?,
    })
}

fn domain_of(email: &str) -> String {
    email.rsplit('@').next().unwrap_or_default().to_lowercase()
}

/// The company of the prospect's e-mail domain, created on first sight (named from what the
/// prospect typed; free-mail domains are named as such).
pub async fn ensure_for_prospect(tx: &mut Tx, prospect: &ProspectUser) -> Result<i64, AppError> {
    let domain = domain_of(&prospect.email);
    let name = if is_personal(&domain) { format!("Individuals ({domain})") } else { prospect.company.clone() };
    let now = Timestamp::now().0;
    sqlx::query(
        "insert into companies (domain, name, created_at, updated_at) values ($1, $2, $3, $3) on conflict (domain) do nothing",
    )
    .bind(&domain)
    .bind(&name)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let (id,): (i64,) =
        sqlx::query_as("select id from companies where domain = $1").bind(&domain).fetch_one(&mut **tx).await?;
    sqlx::query("update prospects set company_id = $1 where id = $2")
        .bind(id)
        .bind(prospect.id)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// Until when the company's MNDA covers its people, if it is a customer with one in force. A
/// personal (free-mail or disposable) domain is never covered, whatever is stored for it.
pub async fn mnda_until(db: &Db, company_id: i64, today: IsoDate) -> Result<Option<IsoDate>, AppError> {
    let row: Option<(String, i64, Option<String>)> =
        sqlx::query_as("select domain, is_customer, mnda_expires_on from companies where id = $1")
            .bind(company_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row
        .filter(|(domain, customer, _)| flag(*customer) && !is_personal(domain))
        .and_then(|(_, _, until)| until.and_then(|u| IsoDate::parse(&u).ok()))
        .filter(|until| *until >= today))
}

#[derive(FromRow)]
struct CompanyRow {
    id: i64,
    domain: String,
    name: String,
    is_customer: i64,
    mnda_expires_on: Option<String>,
    prospects: i64,
    open_requests: i64,
    active_grants: i64,
}

/// Every company by name, with how many prospects, open requests and active grants it has now;
/// an unreadable MNDA date shows as none.
pub async fn list(db: &Db) -> Result<Vec<CompanyView>, AppError> {
    let rows: Vec<CompanyRow> = sqlx::query_as(
        "select c.id, c.domain, c.name, c.is_customer, c.mnda_expires_on, \
         (select count(*) from prospects p where p.company_id = c.id) as prospects, \
         (select count(*) from access_requests r where r.company_id = c.id and r.status in ('pending_nda', 'pending_review')) as open_requests, \
         (select count(*) from grants g where g.company_id = c.id and g.revoked_at is null and g.expires_at > $1) as active_grants \
         from companies c order by c.name",
    )
    .bind(Timestamp::now().0)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| CompanyView {
            id: r.id,
            personal: is_personal(&r.domain),
            domain: r.domain,
            name: r.name,
            is_customer: flag(r.is_customer),
            mnda_expires_on: r.mnda_expires_on.and_then(|d| IsoDate::parse(&d).ok()),
            prospects: r.prospects,
            open_requests: r.open_requests,
            active_grants: r.active_grants,
        })
        .collect())
}

/// Staff update a company: its name, and whether it is a customer with an MNDA until a date.
pub async fn update(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: i64,
    name: &str,
    is_customer: bool,
    mnda_expires_on: &str,
) -> Result<(), AppError> {
    let name = short_text(name, "company name", 120).map_err(|m| AppError::field("name", m))?;
    let until = match mnda_expires_on.trim() {
        "" if is_customer => return Err(AppError::field("mnda_expires_on", "Give the date the MNDA expires.")),
        "" => None,
        text => Some(IsoDate::parse(text).map_err(|m| AppError::field("mnda_expires_on", m))?),
    };
    let mut tx = state.db.begin().await?;
    let (domain,): (String,) = sqlx::query_as("select domain from companies where id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    if is_personal(&domain) && (is_customer || until.is_some()) {
        return Err(AppError::invalid(format!(
            "{domain} is a free-mail or disposable address provider: the people who use it are individuals, \
                 not one company, so it cannot be a customer with an MNDA. Each of them accepts the NDA."
        )));
    }
    let done = sqlx::query(
        "update companies set name = $1, is_customer = $2, mnda_expires_on = $3, updated_at = $4 where id = $5",
    )
    .bind(&name)
    .bind(i64::from(is_customer))
    .bind(until.map(|d| d.to_string()))
    .bind(Timestamp::now().0)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::NotFound);
    }
    let event = Event {
        actor,
        event: "company.updated",
        object: format!("company:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "name": name, "is_customer": is_customer, "mnda_expires_on": until }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}
