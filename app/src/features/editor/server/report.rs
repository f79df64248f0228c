//! SOC 2 reports (with their subservice organizations and CUECs) and their bridge letters in the
//! working copy.

use super::{document_choices, Editing, Record, Tx};
use crate::{
    error::AppError,
    features::{
        editor::{
            model::{BridgeLetterItem, ReportEditPage, ReportItem, ReportSummary},
            rules::{format_subservice_orgs, ValidBridgeLetter, ValidReport},
        },
        trust_center::{
            domain::{Opinion, ReportType, TscCategory},
            rows::{self, BridgeLetterRow, ReportRow, BRIDGE_LETTERS, REPORTS},
            server::{cuec_rows, subservice_org_rows, CURRENT_REPORT_ORDER},
        },
    },
    ssr::db::Db,
    types::{IsoDate, Timestamp},
};
use sqlx::{any::AnyArguments, query::Query, Any, Row};

/// The `soc2_reports` table.
pub struct Reports;

const OPINIONS: [Opinion; 4] = [Opinion::Unqualified, Opinion::Qualified, Opinion::Adverse, Opinion::Disclaimer];
const REPORT_TYPES: [ReportType; 2] = [ReportType::TypeII, ReportType::TypeI];

/// The SOC 2 report form: report `id` (none for a new one) with its bridge letters, the
/// documents it may link to and the choices of its selects; `NotFound` for an unknown id.
pub async fn edit_page(db: &Db, id: Option<i64>) -> Result<ReportEditPage, AppError> {
    let (item, bridge_letters) = match id {
        Some(id) => (Some(Reports::get(db, id).await?), bridge_letters(db, id).await?),
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

/// Every report, newest period first (the first is the one the public page shows).
pub async fn summaries(db: &Db) -> Result<Vec<ReportSummary>, AppError> {
    let reports: Vec<ReportRow> = rows::all(db.pool(), REPORTS, CURRENT_REPORT_ORDER).await?;
    let counts: Vec<(i64, i64)> = sqlx::query_as("select report_id, count(*) from bridge_letters group by report_id")
        .fetch_all(db.pool())
        .await?;
    Ok(reports
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
        .collect())
}

/// A report's bridge letters, the latest coverage first, with the title of each one's document.
pub async fn bridge_letters(db: &Db, report_id: i64) -> Result<Vec<BridgeLetterItem>, AppError> {
    let rows: Vec<BridgeLetterRow> = sqlx::query_as(BRIDGE_LETTERS).bind(report_id).fetch_all(db.pool()).await?;
    Ok(rows
        .into_iter()
        .map(|b| BridgeLetterItem {
            id: b.id,
            issued_on: b.issued_on,
            covered_until: b.covered_until,
            document_title: b.document_title,
        })
        .collect())
}

/// The columns an insert and an update both write, bound in this order from `$1`.
fn bind<'q>(q: Query<'q, Any, AnyArguments<'q>>, v: &'q ValidReport) -> Query<'q, Any, AnyArguments<'q>> {
    let tsc: Vec<&str> = v.tsc_in_scope.iter().map(|c| c.code()).collect();
    q.bind(v.report_type.code())
        .bind(v.period.start.to_string())
        .bind(v.period.end.to_string())
        .bind(&v.audit_firm)
        .bind(v.opinion.code())
        .bind(v.report_date.to_string())
        .bind(tsc.join(","))
        .bind(v.document_id)
        .bind(Timestamp::now().0)
}

/// The report's subservice organizations and CUECs, written after the report itself.
async fn insert_lists(tx: &mut Tx, report_id: i64, v: &ValidReport) -> Result<(), AppError> {
    for (position, (name, services, treatment)) in v.subservice_orgs.iter().enumerate() {
        sqlx::query(
            "insert into soc2_subservice_orgs (report_id, position, name, services, treatment) values ($1, $2, $3, $4, $5)",
        )
        .bind(report_id)
        .bind(position as i64)
        .bind(name)
        .bind(services)
        .bind(treatment.code())
        .execute(&mut **tx)
        .await?;
    }
    for (position, cuec) in v.cuecs.iter().enumerate() {
        sqlx::query("insert into soc2_cuecs (report_id, position, description) values ($1, $2, $3)")
            .bind(report_id)
            .bind(position as i64)
            .bind(cuec)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

impl Record for Reports {
    type Valid = ValidReport;
    type Item = ReportItem;
    const TABLE: &'static str = "soc2_reports";
    const NOUN: &'static str = "soc2_report";
    const LABEL: &'static str = "SOC 2 report";
    const PAGE: &'static str = "/admin/content/soc2";
    const STAY_AFTER_SAVE: bool = true;

    async fn get(db: &Db, id: i64) -> Result<ReportItem, AppError> {
        let row: ReportRow = rows::one(db, REPORTS, "where r.id = $1", id).await?;
        let orgs = subservice_org_rows(db.pool(), id).await?;
        let cuecs = cuec_rows(db.pool(), id).await?;
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

    async fn insert(tx: &mut Tx, v: &ValidReport) -> Result<i64, AppError> {
        let sql = "insert into soc2_reports (report_type, period_start, period_end, audit_firm, opinion, report_date, \
                   tsc_in_scope, document_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
                   returning id";
        let id: i64 = bind(sqlx::query(sql), v).fetch_one(&mut **tx).await?.try_get(0)?;
        insert_lists(tx, id, v).await?;
        Ok(id)
    }

    async fn update(tx: &mut Tx, _before: &ReportItem, id: i64, v: &ValidReport) -> Result<(), AppError> {
        let sql = "update soc2_reports set report_type = $1, period_start = $2, period_end = $3, audit_firm = $4, \
                   opinion = $5, report_date = $6, tsc_in_scope = $7, document_id = $8, updated_at = $9 where id = $10";
        bind(sqlx::query(sql), v).bind(id).execute(&mut **tx).await?;
        for table in ["soc2_subservice_orgs", "soc2_cuecs"] {
            sqlx::query(&format!("delete from {table} where report_id = $1")).bind(id).execute(&mut **tx).await?;
        }
        insert_lists(tx, id, v).await
    }

    fn saved(v: &ValidReport) -> serde_json::Value {
        serde_json::json!({
            "type": v.report_type.code(),
            "period_start": v.period.start.to_string(),
            "period_end": v.period.end.to_string(),
            "opinion": v.opinion.code(),
        })
    }

    fn removed(before: &ReportItem) -> serde_json::Value {
        serde_json::json!({ "period_end": before.period_end })
    }

    fn children() -> &'static [&'static str] {
        &["bridge_letters", "soc2_subservice_orgs", "soc2_cuecs"]
    }
}

/// The end of a report's period, which its bridge letters are checked against.
pub async fn period_end(db: &Db, report_id: i64) -> Result<IsoDate, AppError> {
    let report = Reports::get(db, report_id).await?;
    IsoDate::parse(&report.period_end).map_err(|e| AppError::internal("stored report period end is invalid", e))
}

/// Adds a bridge letter to a report. Also how the demo is seeded.
pub async fn insert_bridge_letter(tx: &mut Tx, report_id: i64, v: &ValidBridgeLetter) -> Result<i64, AppError> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into bridge_letters (report_id, issued_on, covered_until, document_id, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $5) returning id",
    )
    .bind(report_id)
    .bind(v.issued_on.to_string())
    .bind(v.covered_until.to_string())
    .bind(v.document_id)
    .bind(Timestamp::now().0)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

/// Adds a bridge letter, and logs it.
pub async fn add_bridge_letter(edit: &Editing<'_>, report_id: i64, v: &ValidBridgeLetter) -> Result<i64, AppError> {
    let mut tx = edit.state.db.begin().await?;
    let id = insert_bridge_letter(&mut tx, report_id, v).await?;
    let details = serde_json::json!({
        "report": report_id, "issued_on": v.issued_on.to_string(), "covered_until": v.covered_until.to_string(),
        "draft": true
    });
    edit.log(&mut tx, "content.bridge_letter_saved", format!("bridge_letter:{id}"), details).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes one of a report's bridge letters, and logs it.
pub async fn delete_bridge_letter(edit: &Editing<'_>, report_id: i64, id: i64) -> Result<(), AppError> {
    let mut tx = edit.state.db.begin().await?;
    let removed = sqlx::query("delete from bridge_letters where id = $1 and report_id = $2")
        .bind(id)
        .bind(report_id)
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let details = serde_json::json!({ "report": report_id, "draft": true });
    edit.log(&mut tx, "content.bridge_letter_deleted", format!("bridge_letter:{id}"), details).await?;
    Ok(tx.commit().await?)
}
