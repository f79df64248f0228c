//! `vouchsafe serve --demo`: seeds an empty database with the Northwind Analytics trust center.
//!
//! Dates follow the seeding day, so the demo always shows a report in its normal life cycle:
//! the fiscal-year report (period ending 30 September) once it has been issued, and before that the
//! previous report with a bridge letter.

mod content;
mod documents;

use crate::{
    error::AppError,
    features::{
        documents::server::{self as docs, NewDocument},
        trust_center::{
            model::{Framework, Section},
            server as trust,
        },
    },
    ssr::{db::Db, storage::FileStore},
    types::{IsoDate, Timestamp},
};
pub use content::COMPANY;

/// The demo's dates, derived from the day it is seeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoDates {
    pub period_start: IsoDate,
    pub period_end: IsoDate,
    pub report_date: IsoDate,
    /// (issued on, covered until) when the latest issued report is over 12 months old.
    pub bridge: Option<(IsoDate, IsoDate)>,
    pub iso_issued: IsoDate,
    pub pentest_date: IsoDate,
    pub star_date: IsoDate,
    pub insurance_until: IsoDate,
}

/// The latest `month`/`day` that is at least `lag_days` before `today`.
fn latest(today: IsoDate, month: u8, day: u8, lag_days: i64) -> IsoDate {
    let limit = today.add_days(-lag_days);
    let year = limit.date().year();
    let this_year = IsoDate::from_ymd(year, month, day).expect("a real day");
    if this_year <= limit {
        this_year
    } else {
        IsoDate::from_ymd(year - 1, month, day).expect("a real day")
    }
}

impl DemoDates {
    pub fn for_today(today: IsoDate) -> Self {
        // Reports are issued about five weeks after the period ends.
        let period_end = latest(today, 9, 30, 36);
        let period_start = period_end.add_months(-12).add_days(1);
        let stale_from = period_end.add_months(12);
        // A bridge letter runs to the end of the quarter after the report goes stale.
        let bridge =
            (today > stale_from).then(|| (stale_from.add_days(1), period_end.add_days(1).add_months(15).add_days(-1)));
        Self {
            period_start,
            period_end,
            report_date: period_end.add_days(36),
            bridge,
            iso_issued: latest(today, 3, 14, 0),
            pentest_date: latest(today, 8, 15, 0),
            star_date: latest(today, 5, 20, 0),
            insurance_until: latest(today, 7, 1, 0).add_months(12).add_days(-1),
        }
    }
}

/// Seeds the demo when the database holds no trust center yet. Returns whether it seeded.
pub async fn seed_if_empty(db: &Db, files: &FileStore, today: IsoDate) -> Result<bool, AppError> {
    let (existing,): (i64,) = sqlx::query_as("select count(*) from company_profile").fetch_one(db.pool()).await?;
    if existing > 0 {
        return Ok(false);
    }
    let dates = DemoDates::for_today(today);
    let now = Timestamp::now().0;
    let logo = files.put(documents::LOGO_SVG.as_bytes()).await.map_err(|e| AppError::internal("storing logo", e))?;
    sqlx::query("insert into logos (sha256, content_type, byte_size, created_at) values ($1, $2, $3, $4)")
        .bind(&logo)
        .bind("image/svg+xml")
        .bind(documents::LOGO_SVG.len() as i64)
        .bind(now)
        .execute(db.pool())
        .await?;
    let sections: Vec<&str> = Section::ALL.iter().map(|s| s.anchor()).collect();
    sqlx::query(
        "insert into company_profile (id, name, description, website_url, security_contact_email, logo_sha256, \
         logo_content_type, accent_color, sections, updated_at) values (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(content::COMPANY)
    .bind(content::DESCRIPTION)
    .bind(content::WEBSITE)
    .bind(content::SECURITY_CONTACT)
    .bind(logo)
    .bind("image/svg+xml")
    .bind(content::ACCENT)
    .bind(sections.join(","))
    .bind(now)
    .execute(db.pool())
    .await?;

    let ids = seed_documents(db, files, &dates).await?;
    seed_report(db, &dates, &ids).await?;
    seed_frameworks(db, &dates, &ids).await?;
    seed_lists(db, now).await?;
    seed_access(db, today, now).await?;
    seed_knowledge_base(db).await?;
    trust::publish(db, None, today).await?;
    Ok(true)
}

/// Northwind's 80 approved questionnaire answers (the same file as
/// `../shared/data/questionnaire/kb.csv`), imported as staff would import them.
async fn seed_knowledge_base(db: &Db) -> Result<(), AppError> {
    let rows = answers::kb::parse(include_bytes!("kb.csv"), answers::kb::Format::Csv)
        .map_err(|e| AppError::internal("demo knowledge base", e))?;
    let actor = crate::ssr::audit::Actor::system();
    let meta = crate::ssr::request_meta::RequestMeta::system("demo seed");
    crate::features::knowledge::server::import(db, &meta, &actor, &rows, None).await?;
    Ok(())
}

/// The NDA (version 1, published), access rules, and one customer with an MNDA on file.
async fn seed_access(db: &Db, today: IsoDate, now: i64) -> Result<(), AppError> {
    sqlx::query(
        "insert into nda_versions (version, title, body_markdown, published_at, created_at, updated_at) \
         values (1, $1, $2, $3, $3, $3)",
    )
    .bind("Mutual Non-Disclosure Agreement for Security Reviews")
    .bind(include_str!("nda.md"))
    .bind(now)
    .execute(db.pool())
    .await?;
    let rules = [
        (10, "*.northwind-analytics.example", "auto_approve", "Our own staff"),
        (20, "southwind-data.example", "deny", "Competitor"),
        (30, "contoso.example", "auto_approve", "Enterprise customer in renewal; approve once the NDA is accepted"),
    ];
    for (priority, pattern, action, note) in rules {
        sqlx::query(
            "insert into access_rules (priority, pattern, action, note, created_at, updated_at) values ($1, $2, $3, $4, $5, $5)",
        )
        .bind(priority as i64)
        .bind(pattern)
        .bind(action)
        .bind(note)
        .bind(now)
        .execute(db.pool())
        .await?;
    }
    sqlx::query(
        "insert into companies (domain, name, is_customer, mnda_expires_on, notes, created_at, updated_at) \
         values ('fabrikam.example', 'Fabrikam, Inc.', 1, $1, 'MNDA signed with the MSA', $2, $2)",
    )
    .bind(today.add_months(14).to_string())
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Document ids the attestation records link to.
struct DocumentIds {
    soc2: i64,
    bridge: Option<i64>,
    iso: i64,
    pentest: i64,
    insurance: i64,
}

async fn seed_documents(db: &Db, files: &FileStore, dates: &DemoDates) -> Result<DocumentIds, AppError> {
    let mut ids = std::collections::HashMap::new();
    for (position, doc) in documents::all(dates).into_iter().enumerate() {
        let id = docs::create(
            db,
            NewDocument {
                slug: doc.slug,
                title: &doc.title,
                kind: doc.kind,
                visibility: doc.visibility,
                description: &doc.description,
                position: position as i64,
            },
        )
        .await?;
        let pdf = doc.body.render().map_err(|e| AppError::internal("rendering a demo PDF", e))?;
        docs::add_version(db, files, id, &format!("{}.pdf", doc.slug), &pdf).await?;
        ids.insert(doc.slug, id);
    }
    let id = |slug: &str| ids.get(slug).copied().ok_or_else(|| AppError::internal("demo document missing", slug));
    Ok(DocumentIds {
        soc2: id(documents::SOC2)?,
        bridge: ids.get(documents::BRIDGE).copied(),
        iso: id(documents::ISO)?,
        pentest: id(documents::PENTEST)?,
        insurance: id(documents::INSURANCE)?,
    })
}

async fn seed_report(db: &Db, dates: &DemoDates, ids: &DocumentIds) -> Result<(), AppError> {
    let now = Timestamp::now().0;
    let (report_id,): (i64,) = sqlx::query_as(
        "insert into soc2_reports (report_type, period_start, period_end, audit_firm, opinion, report_date, \
         tsc_in_scope, document_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         returning id",
    )
    .bind("type_ii")
    .bind(dates.period_start.to_string())
    .bind(dates.period_end.to_string())
    .bind(content::AUDIT_FIRM)
    .bind("unqualified")
    .bind(dates.report_date.to_string())
    .bind("security,availability,confidentiality")
    .bind(ids.soc2)
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    for (position, (name, services, inclusive)) in content::SUBSERVICE_ORGS.iter().enumerate() {
        sqlx::query(
            "insert into soc2_subservice_orgs (report_id, position, name, services, treatment) values ($1, $2, $3, $4, $5)",
        )
        .bind(report_id)
        .bind(position as i64)
        .bind(*name)
        .bind(*services)
        .bind(if *inclusive { "inclusive" } else { "carve_out" })
        .execute(db.pool())
        .await?;
    }
    for (position, cuec) in content::CUECS.iter().enumerate() {
        sqlx::query("insert into soc2_cuecs (report_id, position, description) values ($1, $2, $3)")
            .bind(report_id)
            .bind(position as i64)
            .bind(*cuec)
            .execute(db.pool())
            .await?;
    }
    if let Some((issued, until)) = dates.bridge {
        sqlx::query(
            "insert into bridge_letters (report_id, issued_on, covered_until, document_id, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $5)",
        )
        .bind(report_id)
        .bind(issued.to_string())
        .bind(until.to_string())
        .bind(ids.bridge)
        .bind(now)
        .execute(db.pool())
        .await?;
    }
    Ok(())
}

async fn seed_frameworks(db: &Db, dates: &DemoDates, ids: &DocumentIds) -> Result<(), AppError> {
    let now = Timestamp::now().0;
    let framework = |name: &str,
                     evidence: &str,
                     issuer: Option<&str>,
                     dates: (Option<IsoDate>, Option<IsoDate>),
                     description: &str| Framework {
        name: name.into(),
        evidence: evidence.into(),
        issuer: issuer.map(Into::into),
        issued_on: dates.0,
        valid_until: dates.1,
        in_progress: false,
        description: description.into(),
        document_slug: None,
    };
    let frameworks = [
        (
            framework(
                "ISO/IEC 27001:2022",
                "Certified",
                Some(content::ISO_BODY),
                (Some(dates.iso_issued), Some(dates.iso_issued.add_months(36).add_days(-1))),
                "Certification of the information security management system covering the analytics platform and \
                 the people, processes and infrastructure that support it. Surveillance audits yearly, \
                 recertification every three years.",
            ),
            Some(ids.iso),
        ),
        (
            framework(
                "Annual penetration test",
                "Letter of attestation",
                Some(content::PENTEST_FIRM),
                (Some(dates.pentest_date), Some(dates.pentest_date.add_months(12))),
                "Independent test of the web application, REST API and AWS infrastructure. All critical and high \
                 findings were remediated and retested.",
            ),
            Some(ids.pentest),
        ),
        (
            framework(
                "GDPR and UK GDPR",
                "Data processing agreement",
                None,
                (None, None),
                "Northwind acts as processor. Our DPA covers Article 28 obligations and incorporates the EU Standard \
                 Contractual Clauses and the UK International Data Transfer Addendum.",
            ),
            None,
        ),
        (
            framework(
                "CSA STAR Level 1",
                "Self-assessment (CAIQ v4)",
                Some("Cloud Security Alliance"),
                (Some(dates.star_date), Some(dates.star_date.add_months(12))),
                "Consensus Assessments Initiative Questionnaire answers published in the CSA STAR registry.",
            ),
            None,
        ),
        (
            framework(
                "Cyber liability insurance",
                "Certificate of insurance",
                None,
                (None, Some(dates.insurance_until)),
                "Cover for breach response costs, business interruption and third-party claims.",
            ),
            Some(ids.insurance),
        ),
    ];
    for (position, (f, document_id)) in frameworks.into_iter().enumerate() {
        sqlx::query(
            "insert into frameworks (position, name, evidence, issuer, issued_on, valid_until, in_progress, \
             description, document_id, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $9)",
        )
        .bind(position as i64)
        .bind(f.name)
        .bind(f.evidence)
        .bind(f.issuer)
        .bind(f.issued_on.map(|d| d.to_string()))
        .bind(f.valid_until.map(|d| d.to_string()))
        .bind(f.description)
        .bind(document_id)
        .bind(now)
        .execute(db.pool())
        .await?;
    }
    Ok(())
}

async fn seed_lists(db: &Db, now: i64) -> Result<(), AppError> {
    for (position, (category, title, description, status, tsc)) in content::CONTROLS.iter().enumerate() {
        sqlx::query(
            "insert into controls (position, category, title, description, status, tsc_points, created_at, updated_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(position as i64)
        .bind(category.code())
        .bind(*title)
        .bind(*description)
        .bind(status.code())
        .bind(*tsc)
        .bind(now)
        .execute(db.pool())
        .await?;
    }
    for (position, (name, purpose, location, data, url)) in content::SUBPROCESSORS.iter().enumerate() {
        sqlx::query(
            "insert into subprocessors (position, name, purpose, location, data_processed, website_url, start_date, \
             created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(position as i64)
        .bind(*name)
        .bind(*purpose)
        .bind(*location)
        .bind(*data)
        .bind(*url)
        .bind(Timestamp(now).date().add_months(-30 + 4 * position as i32).to_string())
        .bind(now)
        .execute(db.pool())
        .await?;
    }
    for (position, (question, answer)) in content::FAQS.iter().enumerate() {
        sqlx::query(
            "insert into faqs (position, question, answer, created_at, updated_at) values ($1, $2, $3, $4, $4)",
        )
        .bind(position as i64)
        .bind(*question)
        .bind(*answer)
        .bind(now)
        .execute(db.pool())
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> IsoDate {
        IsoDate::parse(text).unwrap()
    }

    #[test]
    fn after_the_report_is_issued_the_demo_shows_it_without_a_bridge_letter() {
        let dates = DemoDates::for_today(d("2026-11-23"));
        assert_eq!(dates.period_start, d("2025-10-01"));
        assert_eq!(dates.period_end, d("2026-09-30"));
        assert_eq!(dates.report_date, d("2026-11-05"));
        assert_eq!(dates.bridge, None);
    }

    #[test]
    fn before_the_new_report_the_demo_bridges_the_old_one() {
        let dates = DemoDates::for_today(d("2026-10-20"));
        assert_eq!(dates.period_end, d("2025-09-30"));
        assert_eq!(dates.bridge, Some((d("2026-10-01"), d("2026-12-31"))));
    }

    #[test]
    fn demo_controls_only_cite_real_criteria() {
        for (_, title, _, _, tsc) in content::CONTROLS {
            let points = crate::features::trust_center::domain::TscPoint::parse_list(tsc);
            assert!(points.is_ok_and(|p| !p.is_empty()), "{title}");
        }
    }
}
