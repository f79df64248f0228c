//! SOC 2 reports, bridge letters and frameworks in the working copy: validated edits (dates in
//! order, real criteria categories, documents that exist), stored as the public page reads them.

use super::model::*;
use crate::{
    error::AppError,
    features::{
        content::server::{date, log, next_position, position},
        trust_center::{
            domain::{ExaminationPeriod, Opinion, ReportType, SubserviceTreatment, TscCategory},
            server as tc,
        },
    },
    forms::Problems,
    ssr::{
        audit::Actor,
        db::{flag, Db},
        request_meta::RequestMeta,
        AppState,
    },
    types::{long_text, short_line, IsoDate, Timestamp},
};
use sqlx::FromRow;

const OPINIONS: [Opinion; 4] = [Opinion::Unqualified, Opinion::Qualified, Opinion::Adverse, Opinion::Disclaimer];
const REPORT_TYPES: [ReportType; 2] = [ReportType::TypeII, ReportType::TypeI];
/// How far ahead of its issue date a bridge letter may vouch.
const BRIDGE_MONTHS_AHEAD: i32 = 3;
const MAX_SUBSERVICE_ORGS: usize = 40;
const MAX_CUECS: usize = 60;

/// A required date field.
fn required_date(text: &str, what: &str) -> Result<IsoDate, String> {
    date(text)?.ok_or_else(|| format!("Enter the {what}."))
}

/// (id, title) of every document, for the "linked document" selects.
pub async fn document_choices(db: &Db) -> Result<Vec<(i64, String)>, AppError> {
    Ok(sqlx::query_as("select id, title from documents order by position, title").fetch_all(db.pool()).await?)
}

/// A posted document id: empty for none, else a document that exists (the inner error is the
/// field's message; the outer one a database failure).
async fn linked_document(db: &Db, text: &str) -> Result<Result<Option<i64>, String>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(Ok(None));
    }
    let bad = || "Choose a document from the list.".to_string();
    let Ok(id) = text.parse::<i64>() else { return Ok(Err(bad())) };
    let found: Option<(i64,)> =
        sqlx::query_as("select id from documents where id = $1").bind(id).fetch_optional(db.pool()).await?;
    Ok(found.map(|(id,)| Some(id)).ok_or_else(bad))
}

// ---------------------------------------------------------------------------------------------
// SOC 2 reports

/// What the report form posts.
#[derive(Debug, Clone, Default)]
pub struct ReportInput {
    pub report_type: String,
    pub period_start: String,
    pub period_end: String,
    pub audit_firm: String,
    pub opinion: String,
    pub report_date: String,
    /// Category codes ticked (security is always in scope).
    pub tsc_in_scope: Vec<String>,
    pub subservice_orgs: String,
    pub cuecs: String,
    pub document_id: String,
}

struct ValidReport {
    report_type: ReportType,
    period: ExaminationPeriod,
    audit_firm: String,
    opinion: Opinion,
    report_date: IsoDate,
    tsc_in_scope: Vec<TscCategory>,
    subservice_orgs: Vec<(String, String, SubserviceTreatment)>,
    cuecs: Vec<String>,
    document_id: Option<i64>,
}

/// `name | services | carve-out` (or `inclusive`), one per line; a message names the line.
pub fn parse_subservice_orgs(text: &str) -> Result<Vec<(String, String, SubserviceTreatment)>, String> {
    let mut orgs = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line_no = n + 1;
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let [name, services, treatment] = parts.as_slice() else {
            return Err(format!("Line {line_no}: write name | services | carve-out (or inclusive), separated by “|”."));
        };
        let treatment = match treatment.to_ascii_lowercase().replace(['-', '_'], " ").as_str() {
            "carve out" | "carved out" => SubserviceTreatment::CarveOut,
            "inclusive" => SubserviceTreatment::Inclusive,
            _ => return Err(format!("Line {line_no}: the treatment is carve-out or inclusive.")),
        };
        let name = short_line(name, "name", 120).map_err(|m| format!("Line {line_no}: {m}"))?;
        let services = short_line(services, "services", 300).map_err(|m| format!("Line {line_no}: {m}"))?;
        orgs.push((name, services, treatment));
    }
    if orgs.len() > MAX_SUBSERVICE_ORGS {
        return Err(format!("List at most {MAX_SUBSERVICE_ORGS} subservice organizations."));
    }
    Ok(orgs)
}

fn format_subservice_orgs(orgs: &[(String, String, String)]) -> String {
    orgs.iter()
        .map(|(name, services, treatment)| {
            let treatment = if treatment == "inclusive" { "inclusive" } else { "carve-out" };
            format!("{name} | {services} | {treatment}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// One complementary user entity control per line.
pub fn parse_cuecs(text: &str) -> Result<Vec<String>, String> {
    let cuecs = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| short_line(l, "control", 500).map_err(|m| format!("Line {}: {m}", n + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    if cuecs.len() > MAX_CUECS {
        return Err(format!("List at most {MAX_CUECS} controls."));
    }
    Ok(cuecs)
}

impl ReportInput {
    async fn validate(&self, db: &Db, today: IsoDate) -> Result<ValidReport, AppError> {
        let mut p = Problems::default();
        let report_type = p.take(
            "report_type",
            ReportType::parse(&self.report_type).map_err(|_| "Choose Type I or Type II.".to_string()),
        );
        let start = p.take("period_start", required_date(&self.period_start, "start of the period"));
        let end = p.take("period_end", required_date(&self.period_end, "end of the period"));
        let period = match (report_type, start, end) {
            (Some(t), Some(s), Some(e)) => p.take("period_end", ExaminationPeriod::new(t, s, e)),
            _ => None,
        };
        let audit_firm = p.take("audit_firm", short_line(&self.audit_firm, "audit firm", 120));
        let opinion =
            p.take("opinion", Opinion::parse(&self.opinion).map_err(|_| "Choose the auditor's opinion.".to_string()));
        let report_date = p.take("report_date", required_date(&self.report_date, "report date"));
        if let (Some(d), Some(e)) = (report_date, end) {
            if d < e {
                p.add("report_date", format!("The report is dated before its period ends ({e})."));
            } else if d > today {
                p.add("report_date", "The report date is in the future.");
            }
        }
        let mut tsc_in_scope = vec![TscCategory::Security];
        for code in &self.tsc_in_scope {
            match TscCategory::parse(code) {
                Ok(c) if !tsc_in_scope.contains(&c) => tsc_in_scope.push(c),
                Ok(_) => {}
                Err(m) => p.add("tsc_in_scope", m),
            }
        }
        tsc_in_scope.sort();
        let subservice_orgs = p.take("subservice_orgs", parse_subservice_orgs(&self.subservice_orgs));
        let cuecs = p.take("cuecs", parse_cuecs(&self.cuecs));
        let document_id = p.take("document_id", linked_document(db, &self.document_id).await?);
        p.check()?;
        match (report_type, period, audit_firm, opinion, report_date, subservice_orgs, cuecs, document_id) {
            (
                Some(report_type),
                Some(period),
                Some(audit_firm),
                Some(opinion),
                Some(report_date),
                Some(orgs),
                Some(cuecs),
                Some(document_id),
            ) => Ok(ValidReport {
                report_type,
                period,
                audit_firm,
                opinion,
                report_date,
                tsc_in_scope,
                subservice_orgs: orgs,
                cuecs,
                document_id,
            }),
            _ => Err(AppError::invalid("Please correct the highlighted fields.")),
        }
    }
}

#[derive(FromRow)]
struct ReportRow {
    id: i64,
    report_type: String,
    period_start: String,
    period_end: String,
    audit_firm: String,
    opinion: String,
    report_date: String,
    tsc_in_scope: String,
    document_id: Option<i64>,
}

const REPORTS: &str = "select id, report_type, period_start, period_end, audit_firm, opinion, report_date, \
                       tsc_in_scope, document_id from soc2_reports";

pub async fn report(db: &Db, id: i64) -> Result<ReportItem, AppError> {
    let row: ReportRow = sqlx::query_as(&format!("{REPORTS} where id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)?;
    let orgs = tc::subservice_org_rows(db, id).await?;
    let cuecs = tc::cuec_rows(db, id).await?;
    Ok(ReportItem {
        id: row.id,
        report_type: row.report_type,
        period_start: row.period_start,
        period_end: row.period_end,
        audit_firm: row.audit_firm,
        opinion: row.opinion,
        report_date: row.report_date,
        tsc_in_scope: row.tsc_in_scope.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect(),
        subservice_orgs: format_subservice_orgs(&orgs),
        cuecs: cuecs.join("\n"),
        document_id: row.document_id,
    })
}

pub async fn bridge_letters(db: &Db, report_id: i64) -> Result<Vec<BridgeLetterItem>, AppError> {
    let rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
        "select b.id, b.issued_on, b.covered_until, d.title from bridge_letters b \
         left join documents d on d.id = b.document_id where b.report_id = $1 order by b.covered_until desc, b.id desc",
    )
    .bind(report_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, issued_on, covered_until, document_title)| BridgeLetterItem {
            id,
            issued_on,
            covered_until,
            document_title,
        })
        .collect())
}

pub async fn report_edit_page(db: &Db, id: Option<i64>) -> Result<ReportEditPage, AppError> {
    let (item, bridge_letters) = match id {
        Some(id) => (Some(report(db, id).await?), bridge_letters(db, id).await?),
        None => (None, Vec::new()),
    };
    Ok(ReportEditPage {
        item,
        bridge_letters,
        documents: document_choices(db).await?,
        report_types: REPORT_TYPES.iter().map(|t| (t.code().into(), t.label().into())).collect(),
        opinions: OPINIONS.iter().map(|o| (o.code().into(), o.label().into())).collect(),
        categories: TscCategory::ALL.iter().map(|c| (c.code().into(), c.label().into())).collect(),
    })
}

pub async fn overview(db: &Db) -> Result<AttestationsOverview, AppError> {
    let rows: Vec<ReportRow> =
        sqlx::query_as(&format!("{REPORTS} order by period_end desc, id desc")).fetch_all(db.pool()).await?;
    let counts: Vec<(i64, i64)> = sqlx::query_as("select report_id, count(*) from bridge_letters group by report_id")
        .fetch_all(db.pool())
        .await?;
    let reports = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let kind = ReportType::parse(&r.report_type).map(|t| t.label()).unwrap_or("SOC 2");
            let label = if r.period_start == r.period_end {
                format!("{kind}, as of {}", r.period_end)
            } else {
                format!("{kind}, {} to {}", r.period_start, r.period_end)
            };
            ReportSummary {
                id: r.id,
                label,
                audit_firm: r.audit_firm,
                report_date: r.report_date,
                current: i == 0,
                bridge_letters: counts.iter().find(|(id, _)| *id == r.id).map_or(0, |(_, n)| *n),
            }
        })
        .collect();
    Ok(AttestationsOverview { reports, frameworks: frameworks(db).await? })
}

/// Creates (`id` none) or changes a SOC 2 report with its subservice organizations and CUECs.
pub async fn save_report(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: Option<i64>,
    input: &ReportInput,
) -> Result<i64, AppError> {
    if let Some(id) = id {
        report(&state.db, id).await?;
    }
    let v = input.validate(&state.db, IsoDate::today_utc()).await?;
    let now = Timestamp::now().0;
    let tsc: Vec<&str> = v.tsc_in_scope.iter().map(|c| c.code()).collect();
    let mut tx = state.db.begin().await?;
    let id = match id {
        Some(id) => {
            sqlx::query(
                "update soc2_reports set report_type = $1, period_start = $2, period_end = $3, audit_firm = $4, opinion = $5, \
                 report_date = $6, tsc_in_scope = $7, document_id = $8, updated_at = $9 where id = $10",
            )
            .bind(v.report_type.code())
            .bind(v.period.start.to_string())
            .bind(v.period.end.to_string())
            .bind(&v.audit_firm)
            .bind(v.opinion.code())
            .bind(v.report_date.to_string())
            .bind(tsc.join(","))
            .bind(v.document_id)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("delete from soc2_subservice_orgs where report_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("delete from soc2_cuecs where report_id = $1").bind(id).execute(&mut *tx).await?;
            id
        }
        None => {
            let (id,): (i64,) = sqlx::query_as(
                "insert into soc2_reports (report_type, period_start, period_end, audit_firm, opinion, report_date, \
                 tsc_in_scope, document_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning id",
            )
            .bind(v.report_type.code())
            .bind(v.period.start.to_string())
            .bind(v.period.end.to_string())
            .bind(&v.audit_firm)
            .bind(v.opinion.code())
            .bind(v.report_date.to_string())
            .bind(tsc.join(","))
            .bind(v.document_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            id
        }
    };
    for (position, (name, services, treatment)) in v.subservice_orgs.iter().enumerate() {
        sqlx::query(
            "insert into soc2_subservice_orgs (report_id, position, name, services, treatment) values ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(name)
        .bind(services)
        .bind(treatment.code())
        .execute(&mut *tx)
        .await?;
    }
    for (position, cuec) in v.cuecs.iter().enumerate() {
        sqlx::query("insert into soc2_cuecs (report_id, position, description) values ($1, $2, $3)")
            .bind(id)
            .bind(position as i64)
            .bind(cuec)
            .execute(&mut *tx)
            .await?;
    }
    let details = serde_json::json!({
        "type": v.report_type.code(),
        "period_start": v.period.start.to_string(),
        "period_end": v.period.end.to_string(),
        "opinion": v.opinion.code(),
        "draft": true,
    });
    log(&mut tx, state, meta, actor, "content.soc2_report_saved", format!("soc2_report:{id}"), details).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_report(state: &AppState, meta: &RequestMeta, actor: &Actor, id: i64) -> Result<(), AppError> {
    let before = report(&state.db, id).await?;
    let mut tx = state.db.begin().await?;
    for table in ["bridge_letters", "soc2_subservice_orgs", "soc2_cuecs"] {
        sqlx::query(&format!("delete from {table} where report_id = $1")).bind(id).execute(&mut *tx).await?;
    }
    sqlx::query("delete from soc2_reports where id = $1").bind(id).execute(&mut *tx).await?;
    let details = serde_json::json!({ "period_end": before.period_end, "draft": true });
    log(&mut tx, state, meta, actor, "content.soc2_report_deleted", format!("soc2_report:{id}"), details).await?;
    Ok(tx.commit().await?)
}

// ---------------------------------------------------------------------------------------------
// Bridge letters

/// What the bridge letter form posts.
#[derive(Debug, Clone, Default)]
pub struct BridgeLetterInput {
    pub issued_on: String,
    pub covered_until: String,
    pub document_id: String,
}

/// Adds a bridge letter to a report.
pub async fn add_bridge_letter(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    report_id: i64,
    input: &BridgeLetterInput,
) -> Result<i64, AppError> {
    let report = report(&state.db, report_id).await?;
    let period_end =
        IsoDate::parse(&report.period_end).map_err(|e| AppError::internal("stored report period end is invalid", e))?;
    let today = IsoDate::today_utc();
    let mut p = Problems::default();
    let issued = p.take("issued_on", required_date(&input.issued_on, "issue date"));
    let until = p.take("covered_until", required_date(&input.covered_until, "date it covers until"));
    if let Some(issued) = issued {
        if issued < period_end {
            p.add("issued_on", format!("A bridge letter is issued after the report's period ends ({period_end})."));
        } else if issued > today {
            p.add("issued_on", "The issue date is in the future.");
        }
    }
    if let Some(until) = until {
        if until <= period_end {
            p.add("covered_until", format!("It must cover time after the report's period ends ({period_end})."));
        } else if let Some(issued) = issued.filter(|i| until > i.add_months(BRIDGE_MONTHS_AHEAD)) {
            p.add(
                "covered_until",
                format!(
                    "A bridge letter vouches for at most {BRIDGE_MONTHS_AHEAD} months after it is issued (to {}); beyond that, the next report is due.",
                    issued.add_months(BRIDGE_MONTHS_AHEAD)
                ),
            );
        }
    }
    let document_id = p.take("letter_document_id", linked_document(&state.db, &input.document_id).await?);
    p.check()?;
    let (Some(issued), Some(until), Some(document_id)) = (issued, until, document_id) else {
        return Err(AppError::invalid("Please correct the highlighted fields."));
    };
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into bridge_letters (report_id, issued_on, covered_until, document_id, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) returning id",
    )
    .bind(report_id)
    .bind(issued.to_string())
    .bind(until.to_string())
    .bind(document_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let details = serde_json::json!({
        "report": report_id, "issued_on": issued.to_string(), "covered_until": until.to_string(), "draft": true
    });
    log(&mut tx, state, meta, actor, "content.bridge_letter_saved", format!("bridge_letter:{id}"), details).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_bridge_letter(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    report_id: i64,
    id: i64,
) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    let removed = sqlx::query("delete from bridge_letters where id = $1 and report_id = $2")
        .bind(id)
        .bind(report_id)
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let details = serde_json::json!({ "report": report_id, "draft": true });
    log(&mut tx, state, meta, actor, "content.bridge_letter_deleted", format!("bridge_letter:{id}"), details).await?;
    Ok(tx.commit().await?)
}

// ---------------------------------------------------------------------------------------------
// Frameworks

/// What the framework form posts.
#[derive(Debug, Clone, Default)]
pub struct FrameworkInput {
    pub position: String,
    pub name: String,
    pub evidence: String,
    pub issuer: String,
    pub issued_on: String,
    pub valid_until: String,
    pub in_progress: bool,
    pub description: String,
    pub document_id: String,
}

struct ValidFramework {
    position: Option<i64>,
    name: String,
    evidence: String,
    issuer: Option<String>,
    issued_on: Option<IsoDate>,
    valid_until: Option<IsoDate>,
    description: String,
    document_id: Option<i64>,
}

impl FrameworkInput {
    async fn validate(&self, db: &Db, today: IsoDate) -> Result<ValidFramework, AppError> {
        let mut p = Problems::default();
        let position = p.take("position", position(&self.position)).flatten();
        let name = p.take("name", short_line(&self.name, "name", 120));
        let evidence = p.take("evidence", short_line(&self.evidence, "evidence", 80));
        let issuer = match self.issuer.trim() {
            "" => None,
            text => p.take("issuer", short_line(text, "issuer", 120)),
        };
        let issued_on = p.take("issued_on", date(&self.issued_on)).flatten();
        let valid_until = p.take("valid_until", date(&self.valid_until)).flatten();
        if let Some(issued) = issued_on {
            if issued > today {
                p.add("issued_on", "The issue date is in the future.");
            }
            if valid_until.is_some_and(|until| until < issued) {
                p.add("valid_until", "It cannot expire before it was issued.");
            }
        }
        if !self.in_progress && issued_on.is_none() && !p.has("issued_on") {
            p.add("issued_on", "Enter the issue date, or mark the framework as in progress.");
        }
        let description = match self.description.trim() {
            "" => Some(String::new()),
            text => p.take("description", long_text(text, "description", 1_000)),
        };
        let document_id = p.take("document_id", linked_document(db, &self.document_id).await?);
        p.check()?;
        match (name, evidence, description, document_id) {
            (Some(name), Some(evidence), Some(description), Some(document_id)) => Ok(ValidFramework {
                position,
                name,
                evidence,
                issuer,
                issued_on,
                valid_until,
                description,
                document_id,
            }),
            _ => Err(AppError::invalid("Please correct the highlighted fields.")),
        }
    }
}

#[derive(FromRow)]
struct FrameworkRow {
    id: i64,
    position: i64,
    name: String,
    evidence: String,
    issuer: Option<String>,
    issued_on: Option<String>,
    valid_until: Option<String>,
    in_progress: i64,
    description: String,
    document_id: Option<i64>,
}

impl From<FrameworkRow> for FrameworkItem {
    fn from(r: FrameworkRow) -> Self {
        FrameworkItem {
            id: r.id,
            position: r.position,
            name: r.name,
            evidence: r.evidence,
            issuer: r.issuer.unwrap_or_default(),
            issued_on: r.issued_on.unwrap_or_default(),
            valid_until: r.valid_until.unwrap_or_default(),
            in_progress: flag(r.in_progress),
            description: r.description,
            document_id: r.document_id,
        }
    }
}

const FRAMEWORKS: &str = "select id, position, name, evidence, issuer, issued_on, valid_until, in_progress, \
                          description, document_id from frameworks";

pub async fn frameworks(db: &Db) -> Result<Vec<FrameworkItem>, AppError> {
    let rows: Vec<FrameworkRow> =
        sqlx::query_as(&format!("{FRAMEWORKS} order by position, id")).fetch_all(db.pool()).await?;
    Ok(rows.into_iter().map(FrameworkItem::from).collect())
}

pub async fn framework(db: &Db, id: i64) -> Result<FrameworkItem, AppError> {
    let row: Option<FrameworkRow> =
        sqlx::query_as(&format!("{FRAMEWORKS} where id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.map(FrameworkItem::from).ok_or(AppError::NotFound)
}

/// Creates (`id` none) or changes a framework.
pub async fn save_framework(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: Option<i64>,
    input: &FrameworkInput,
) -> Result<i64, AppError> {
    let before = match id {
        Some(id) => Some(framework(&state.db, id).await?),
        None => None,
    };
    let v = input.validate(&state.db, IsoDate::today_utc()).await?;
    let now = Timestamp::now().0;
    let (issued, until) = (v.issued_on.map(|d| d.to_string()), v.valid_until.map(|d| d.to_string()));
    let in_progress = i64::from(input.in_progress);
    let mut tx = state.db.begin().await?;
    let id = match before {
        Some(before) => {
            sqlx::query(
                "update frameworks set position = $1, name = $2, evidence = $3, issuer = $4, issued_on = $5, valid_until = $6, \
                 in_progress = $7, description = $8, document_id = $9, updated_at = $10 where id = $11",
            )
            .bind(v.position.unwrap_or(before.position))
            .bind(&v.name)
            .bind(&v.evidence)
            .bind(&v.issuer)
            .bind(&issued)
            .bind(&until)
            .bind(in_progress)
            .bind(&v.description)
            .bind(v.document_id)
            .bind(now)
            .bind(before.id)
            .execute(&mut *tx)
            .await?;
            before.id
        }
        None => {
            let next = next_position(&state.db, "frameworks").await?;
            let (id,): (i64,) = sqlx::query_as(
                "insert into frameworks (position, name, evidence, issuer, issued_on, valid_until, in_progress, description, \
                 document_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) returning id",
            )
            .bind(v.position.unwrap_or(next))
            .bind(&v.name)
            .bind(&v.evidence)
            .bind(&v.issuer)
            .bind(&issued)
            .bind(&until)
            .bind(in_progress)
            .bind(&v.description)
            .bind(v.document_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            id
        }
    };
    let details = serde_json::json!({ "name": v.name, "valid_until": until, "draft": true });
    log(&mut tx, state, meta, actor, "content.framework_saved", format!("framework:{id}"), details).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_framework(state: &AppState, meta: &RequestMeta, actor: &Actor, id: i64) -> Result<(), AppError> {
    let before = framework(&state.db, id).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query("delete from frameworks where id = $1").bind(id).execute(&mut *tx).await?;
    let details = serde_json::json!({ "name": before.name, "draft": true });
    log(&mut tx, state, meta, actor, "content.framework_deleted", format!("framework:{id}"), details).await?;
    Ok(tx.commit().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subservice_organizations_are_read_line_by_line() {
        let orgs = parse_subservice_orgs(
            "Amazon Web Services | Cloud hosting | carve-out\n\n  Okta | Identity | Inclusive  \nStripe|Payments|carved out",
        )
        .unwrap();
        assert_eq!(orgs.len(), 3);
        assert_eq!(orgs[1], ("Okta".into(), "Identity".into(), SubserviceTreatment::Inclusive));
        assert_eq!(orgs[2].2, SubserviceTreatment::CarveOut);
        assert!(parse_subservice_orgs("AWS | Hosting").unwrap_err().starts_with("Line 1:"));
        assert!(parse_subservice_orgs("AWS | Hosting | carve-out\nGCP | Hosting | partly")
            .unwrap_err()
            .starts_with("Line 2: the treatment"));
        assert!(parse_subservice_orgs(" | Hosting | inclusive").unwrap_err().contains("Enter the name"));
        let round = format_subservice_orgs(&[("AWS".into(), "Hosting".into(), "carve_out".into())]);
        assert_eq!(parse_subservice_orgs(&round).unwrap()[0].0, "AWS");
    }

    #[test]
    fn cuecs_are_one_per_line() {
        assert_eq!(parse_cuecs("Customers manage their users.\n\nCustomers protect API keys.").unwrap().len(), 2);
        let long = "x".repeat(501);
        assert!(parse_cuecs(&format!("ok\n{long}")).unwrap_err().starts_with("Line 2:"));
    }
}
