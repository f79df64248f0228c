//! Analytics queries. Rows are read for the period and counted in Rust: portable across SQLite
//! and PostgreSQL, and fast at a trust center's volumes.

use super::model::{Counts, Scope, Summary};
use crate::{
    error::AppError,
    ssr::db::Db,
    types::{IsoDate, Timestamp},
};
use std::collections::BTreeMap;

fn day_start(d: IsoDate) -> i64 {
    time::OffsetDateTime::new_utc(d.date(), time::Time::MIDNIGHT).unix_timestamp()
}

#[derive(Default)]
struct Tally {
    totals: Counts,
    company: BTreeMap<String, Counts>,
    document: BTreeMap<String, Counts>,
    daily: BTreeMap<IsoDate, Counts>,
}

impl Tally {
    fn add(
        &mut self,
        day: IsoDate,
        company: Option<&str>,
        document: Option<&str>,
        n: i64,
        field: fn(&mut Counts) -> &mut i64,
    ) {
        *field(&mut self.totals) += n;
        *field(self.daily.entry(day).or_default()) += n;
        if let Some(c) = company {
            *field(self.company.entry(c.to_string()).or_default()) += n;
        }
        if let Some(d) = document {
            *field(self.document.entry(d.to_string()).or_default()) += n;
        }
    }
}

/// The period's figures within `scope`. The period is whole UTC days, `from` to `to` inclusive.
pub async fn summary(db: &Db, from: IsoDate, to: IsoDate, scope: &Scope) -> Result<Summary, AppError> {
    if to < from {
        return Err(AppError::field("to", "The end of the period is before its start."));
    }
    if to > from.add_days(731) {
        return Err(AppError::field("to", "Choose a period of at most two years."));
    }
    let (start, end) = (day_start(from), day_start(to) + 86_400);
    let mut t = Tally::default();

    let views: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
        "select v.day, v.path, c.name, v.views from page_views v left join companies c on c.id = v.company_id \
         where v.day >= $1 and v.day <= $2",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(db.pool())
    .await?;
    let titles: Vec<(String, String)> =
        sqlx::query_as("select slug, title from documents").fetch_all(db.pool()).await?;
    for (day, path, company, n) in views {
        let Ok(day) = IsoDate::parse(&day) else { continue };
        let document = path
            .strip_prefix("/documents/")
            .and_then(|rest| rest.strip_suffix("/request"))
            .and_then(|slug| titles.iter().find(|(s, _)| s == slug).map(|(_, t)| t.as_str()));
        if scope.keeps(company.as_deref(), document.as_slice()) {
            t.add(day, company.as_deref(), document, n, |c| &mut c.visits);
        }
    }

    // One row per requested document: a request counts once in the totals, once per document.
    type RequestRow = (i64, i64, String, Option<String>, String, Option<i64>);
    let requests: Vec<RequestRow> = sqlx::query_as(
        "select r.id, r.created_at, c.name, d.title, r.status, r.decided_at from access_requests r \
         join companies c on c.id = r.company_id \
         left join access_request_documents rd on rd.request_id = r.id left join documents d on d.id = rd.document_id \
         where (r.created_at >= $1 and r.created_at < $2) or (r.decided_at >= $1 and r.decided_at < $2)",
    )
    .bind(start)
    .bind(end)
    .fetch_all(db.pool())
    .await?;
    let in_period = |at: i64| at >= start && at < end;
    // The rows of one request together.
    struct Request {
        created: i64,
        company: String,
        status: String,
        decided: Option<i64>,
        documents: Vec<String>,
    }
    let mut by_request: BTreeMap<i64, Request> = BTreeMap::new();
    for (id, created, company, document, status, decided) in requests {
        let entry = by_request.entry(id).or_insert_with(|| Request {
            created,
            company,
            status,
            decided,
            documents: Vec::new(),
        });
        entry.documents.extend(document);
    }
    for Request { created, company, status, decided, documents } in by_request.into_values() {
        let titles: Vec<&str> = documents.iter().map(String::as_str).collect();
        if !scope.keeps(Some(&company), &titles) {
            continue;
        }
        // Within a document scope, only that document's row of the request counts.
        let counted: Vec<&str> =
            titles.iter().copied().filter(|d| scope.document.is_empty() || *d == scope.document).collect();
        if in_period(created) {
            t.add(Timestamp(created).date(), Some(&company), None, 1, |c| &mut c.requests);
            for d in &counted {
                t.document.entry(d.to_string()).or_default().requests += 1;
            }
        }
        if let Some(at) = decided.filter(|d| status == "approved" && in_period(*d)) {
            t.add(Timestamp(at).date(), Some(&company), None, 1, |c| &mut c.approvals);
            for d in &counted {
                t.document.entry(d.to_string()).or_default().approvals += 1;
            }
        }
    }

    let downloads: Vec<(i64, Option<String>, String)> = sqlx::query_as(
        "select dl.started_at, c.name, d.title from downloads dl left join companies c on c.id = dl.company_id \
         join documents d on d.id = dl.document_id where dl.started_at >= $1 and dl.started_at < $2 and dl.status <> 'aborted'",
    )
    .bind(start)
    .bind(end)
    .fetch_all(db.pool())
    .await?;
    for (at, company, document) in downloads {
        if scope.keeps(company.as_deref(), &[document.as_str()]) {
            t.add(Timestamp(at).date(), company.as_deref(), Some(&document), 1, |c| &mut c.downloads);
        }
    }

    let mut daily = Vec::new();
    let mut day = from;
    while day <= to {
        daily.push((day, t.daily.get(&day).copied().unwrap_or_default()));
        day = day.add_days(1);
    }
    let sorted = |m: BTreeMap<String, Counts>| {
        let mut v: Vec<_> = m.into_iter().filter(|(_, c)| !c.is_empty()).collect();
        v.sort_by_key(|(name, c)| (-(c.downloads + c.requests + c.approvals), -c.visits, name.clone()));
        v
    };
    let companies: Vec<(String,)> =
        sqlx::query_as("select name from companies order by lower(name)").fetch_all(db.pool()).await?;
    let mut documents: Vec<String> = titles.into_iter().map(|(_, t)| t).collect();
    documents.sort_by_key(|t| t.to_lowercase());
    Ok(Summary {
        from,
        to,
        scope: scope.clone(),
        totals: t.totals,
        by_company: sorted(t.company),
        by_document: sorted(t.document),
        daily,
        companies: companies.into_iter().map(|(n,)| n).collect(),
        documents,
    })
}

/// The summary as CSV: totals, then companies, documents and days.
pub fn to_csv(s: &Summary) -> String {
    use crate::features::audit::server::csv_field;
    let mut out = String::from("section,name,visits,requests,approvals,downloads\r\n");
    let mut row = |section: &str, name: &str, c: &Counts| {
        out.push_str(&format!(
            "{},{},{},{},{},{}\r\n",
            section,
            csv_field(name),
            c.visits,
            c.requests,
            c.approvals,
            c.downloads
        ));
    };
    let mut period = format!("{} to {}", s.from, s.to);
    for part in [&s.scope.company, &s.scope.document].into_iter().filter(|p| !p.is_empty()) {
        period.push_str(&format!("; {part}"));
    }
    row("total", &period, &s.totals);
    for (name, c) in &s.by_company {
        row("company", name, c);
    }
    for (name, c) in &s.by_document {
        row("document", name, c);
    }
    for (day, c) in &s.daily {
        row("day", &day.to_string(), c);
    }
    out
}
