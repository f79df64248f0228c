//! A questionnaire's details as the upload and details forms give them (title, company, due
//! date, owner), checked, and changed later by a person.

use super::{records::get_q, Acting, Tx};
use crate::{
    error::AppError,
    ssr::{audit::Actor, db::Db, request_meta::RequestMeta, AppState},
    types::{short_text, EmailAddress, IsoDate, Timestamp},
};

/// What the upload form carries besides the file (the details form, the same without the new
/// company's fields).
#[derive(Debug, Clone, Default)]
pub struct UploadInput {
    pub title: String,
    pub company_id: String,
    pub new_company_domain: String,
    pub new_company_name: String,
    pub due_on: String,
    pub owner_id: String,
    /// Uploaded by this prospect for themselves (self-serve); `None`: by staff.
    pub prospect_id: Option<i64>,
}

/// The company a form names: one chosen from the list, or a new one typed in.
#[derive(Debug, PartialEq)]
pub(super) enum Company {
    Chosen(i64),
    New { domain: String, name: String },
}

impl Company {
    /// Reads the form's company fields; a chosen company wins over a typed one.
    pub fn parse(input: &UploadInput) -> Result<Self, AppError> {
        if let Ok(id) = input.company_id.trim().parse::<i64>() {
            return Ok(Self::Chosen(id));
        }
        let domain = input.new_company_domain.trim().trim_start_matches('@').to_lowercase();
        if domain.is_empty() {
            return Err(AppError::field("company_id", "Choose the company, or give a new company's domain and name."));
        }
        if EmailAddress::parse(&format!("x@{domain}")).is_err() {
            return Err(AppError::field("new_company_domain", "Enter the company's e-mail domain, such as acme.com."));
        }
        let name = short_text(&input.new_company_name, "company name", 120)
            .map_err(|m| AppError::field("new_company_name", m))?;
        Ok(Self::New { domain, name })
    }

    /// Refuses a chosen company that does not exist. (Companies are never removed, so it still
    /// exists when the questionnaire is stored.)
    pub async fn check(&self, db: &Db) -> Result<(), AppError> {
        let Self::Chosen(id) = self else { return Ok(()) };
        let found: Option<(i64,)> =
            sqlx::query_as("select id from companies where id = $1").bind(id).fetch_optional(db.pool()).await?;
        found.map(|_| ()).ok_or_else(|| AppError::field("company_id", "Choose a company from the list."))
    }

    /// The company's id; a new company is added in `tx`, the transaction that stores what
    /// names it (a domain already known is that company).
    pub async fn id_in(&self, tx: &mut Tx) -> Result<i64, AppError> {
        let (domain, name) = match self {
            Self::Chosen(id) => return Ok(*id),
            Self::New { domain, name } => (domain, name),
        };
        sqlx::query("insert into companies (domain, name, created_at, updated_at) values ($1, $2, $3, $3) on conflict (domain) do nothing")
            .bind(domain)
            .bind(name)
            .bind(Timestamp::now().0)
            .execute(&mut **tx)
            .await?;
        let (id,): (i64,) =
            sqlx::query_as("select id from companies where domain = $1").bind(domain).fetch_one(&mut **tx).await?;
        Ok(id)
    }
}

/// The due date typed, if any.
pub(super) fn due_date(text: &str) -> Result<Option<String>, AppError> {
    match text.trim() {
        "" => Ok(None),
        t => IsoDate::parse(t).map(|d| Some(d.to_string())).map_err(|m| AppError::field("due_on", m)),
    }
}

/// The owner chosen, if any: an active staff member.
pub(super) async fn owner_id(db: &Db, text: &str) -> Result<Option<i64>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let refused = || AppError::field("owner_id", "Choose an owner from the list.");
    let id = text.parse::<i64>().map_err(|_| refused())?;
    let found: Option<(i64,)> = sqlx::query_as("select id from staff_users where id = $1 and active = 1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    found.map(|_| Some(id)).ok_or_else(refused)
}

/// Title, company, due date and owner.
pub async fn update_details(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    qid: i64,
    input: &UploadInput,
) -> Result<(), AppError> {
    get_q(&state.db, qid).await?;
    let title = short_text(&input.title, "title", 200).map_err(|m| AppError::field("title", m))?;
    let company = Company::parse(input)?;
    company.check(&state.db).await?;
    let due_on = due_date(&input.due_on)?;
    let owner = owner_id(&state.db, &input.owner_id).await?;
    let mut tx = state.db.begin().await?;
    let company_id = company.id_in(&mut tx).await?;
    sqlx::query("update questionnaires set title = $1, company_id = $2, due_on = $3, owner_id = $4, updated_at = $5 where id = $6")
        .bind(&title)
        .bind(company_id)
        .bind(&due_on)
        .bind(owner)
        .bind(Timestamp::now().0)
        .bind(qid)
        .execute(&mut *tx)
        .await?;
    let details = serde_json::json!({ "title": title, "company_id": company_id, "due_on": due_on, "owner_id": owner });
    Acting { state, meta, actor }.log(&mut tx, "questionnaire.updated", qid, details).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<impl std::fmt::Debug, AppError>) -> String {
        match result {
            Err(AppError::Invalid { fields, .. }) => fields[0].field.clone(),
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_chosen_company_wins_over_a_typed_one() {
        let input =
            UploadInput { company_id: " 7 ".into(), new_company_domain: "acme.com".into(), ..Default::default() };
        assert_eq!(Company::parse(&input).unwrap(), Company::Chosen(7));
    }

    #[test]
    fn a_new_companys_domain_is_normalised() {
        let input = UploadInput {
            new_company_domain: " @Acme.COM ".into(),
            new_company_name: " Acme Corp ".into(),
            ..Default::default()
        };
        assert_eq!(
            Company::parse(&input).unwrap(),
            Company::New { domain: "acme.com".into(), name: "Acme Corp".into() }
        );
    }

    #[test]
    fn a_missing_or_bad_company_names_the_field_to_fix() {
        assert_eq!(field(Company::parse(&UploadInput::default())), "company_id");
        let bad_domain = UploadInput { new_company_domain: "not a domain".into(), ..Default::default() };
        assert_eq!(field(Company::parse(&bad_domain)), "new_company_domain");
        let no_name = UploadInput { new_company_domain: "acme.com".into(), ..Default::default() };
        assert_eq!(field(Company::parse(&no_name)), "new_company_name");
    }

    #[test]
    fn a_due_date_is_optional_but_must_be_a_date() {
        assert_eq!(due_date("  ").unwrap(), None);
        assert_eq!(due_date(" 2031-01-15 ").unwrap().as_deref(), Some("2031-01-15"));
        assert_eq!(field(due_date("15/01/2031")), "due_on");
    }
}
