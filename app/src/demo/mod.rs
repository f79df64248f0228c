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
        editor::{
            rules::{
                ValidBridgeLetter, ValidControl, ValidFaq, ValidFramework, ValidProfile, ValidReport, ValidSubprocessor,
            },
            server::{
                control::Controls, faq::Faqs, framework::Frameworks, profile, report, report::Reports,
                subprocessor::Subprocessors, Record,
            },
        },
        trust_center::{
            domain::{ExaminationPeriod, Opinion, ReportType, SubserviceTreatment, TscCategory},
            model::Section,
            server as trust,
        },
    },
    ssr::{
        db::{Db, Tx},
        storage::FileStore,
    },
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
    /// The demo's dates for a seeding on `today`: the latest SOC 2 period (ending 30 September)
    /// whose report is issued by then, a bridge letter when it is over a year old, and recent
    /// annual dates.
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
///
/// The content goes in the way staff would put it in: through the editor's own writers, with
/// values of the editor's validated types, so the demo cannot hold what the editor would refuse.
pub async fn seed_if_empty(db: &Db, files: &FileStore, today: IsoDate) -> Result<bool, AppError> {
    let (existing,): (i64,) = sqlx::query_as("select count(*) from company_profile").fetch_one(db.pool()).await?;
    if existing > 0 {
        return Ok(false);
    }
    // One transaction holds the claim and everything seeded: instances started with --demo at
    // once wait for it (PostgreSQL: on the claim's key; SQLite: for the write lock) and then find
    // the demo complete, and a seeder that dies midway leaves nothing behind, not even its claim.
    let mut tx = db.begin().await?;
    let now = Timestamp::now().0;
    let claimed = sqlx::query(
        "insert into seed_claims (name, claimed_at, finished_at) values ('demo', $1, $1) on conflict (name) do nothing",
    )
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        // Claims are now written finished, with the demo. An unfinished one was left by an
        // older version that died while seeding: take it over.
        let stale = sqlx::query(
            "update seed_claims set claimed_at = $1, finished_at = $1 where name = 'demo' and finished_at is null",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if stale.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
    }
    seed(&mut tx, db, files, today).await?;
    tx.commit().await?;
    Ok(true)
}

/// Writes the demo content inside `tx` (called by the one instance that claimed the seeding).
async fn seed(tx: &mut Tx, db: &Db, files: &FileStore, today: IsoDate) -> Result<(), AppError> {
    let dates = DemoDates::for_today(today);
    let now = Timestamp::now().0;
    let logo =
        files.put_in(tx, documents::LOGO_SVG.as_bytes()).await.map_err(|e| AppError::internal("storing logo", e))?;
    let ids = seed_documents(tx, files, &dates).await?;

    profile::write(tx, &demo_profile()).await?;
    profile::set_logo(tx, Some((&logo, "image/svg+xml", documents::LOGO_SVG.len()))).await?;
    let report_id = Reports::insert(tx, &demo_report(&dates, &ids)?).await?;
    if let Some((issued_on, covered_until)) = dates.bridge {
        let letter = ValidBridgeLetter { issued_on, covered_until, document_id: ids.bridge };
        report::insert_bridge_letter(tx, report_id, &letter).await?;
    }
    for framework in demo_frameworks(&dates, &ids) {
        Frameworks::insert(tx, &framework).await?;
    }
    for control in demo_controls() {
        Controls::insert(tx, &control).await?;
    }
    for subprocessor in demo_subprocessors(Timestamp(now).date()) {
        Subprocessors::insert(tx, &subprocessor).await?;
    }
    for faq in demo_faqs() {
        Faqs::insert(tx, &faq).await?;
    }
    seed_access(tx, today, now).await?;
    seed_knowledge_base(tx, db).await?;
    trust::publish_in(tx, None, today).await?;
    Ok(())
}

fn demo_profile() -> ValidProfile {
    ValidProfile {
        name: content::COMPANY.into(),
        description: format!("{} {}", content::SYSTEM_DESCRIPTION, content::PAGE_PURPOSE),
        website_url: content::WEBSITE.into(),
        security_contact_email: content::SECURITY_CONTACT.into(),
        accent_color: content::ACCENT.into(),
        sections: Section::ALL.to_vec(),
        disclosure_policy: String::new(),
        security_txt_expires: None,
        preferred_languages: vec!["en".into()],
    }
}

fn demo_report(dates: &DemoDates, ids: &DocumentIds) -> Result<ValidReport, AppError> {
    let period = ExaminationPeriod::new(ReportType::TypeII, dates.period_start, dates.period_end)
        .map_err(|e| AppError::internal("demo report period", e))?;
    Ok(ValidReport {
        report_type: ReportType::TypeII,
        period,
        audit_firm: content::AUDIT_FIRM.into(),
        opinion: Opinion::Unqualified,
        report_date: dates.report_date,
        tsc_in_scope: vec![TscCategory::Security, TscCategory::Availability, TscCategory::Confidentiality],
        subservice_orgs: content::SUBSERVICE_ORGS
            .iter()
            .map(|(name, services, inclusive)| {
                let treatment = if *inclusive { SubserviceTreatment::Inclusive } else { SubserviceTreatment::CarveOut };
                (name.to_string(), services.to_string(), treatment)
            })
            .collect(),
        cuecs: content::CUECS.iter().map(|c| c.to_string()).collect(),
        document_id: Some(ids.soc2),
    })
}

fn demo_frameworks(dates: &DemoDates, ids: &DocumentIds) -> Vec<ValidFramework> {
    let framework = |name: &str,
                     evidence: &str,
                     issuer: Option<&str>,
                     (issued_on, valid_until): (Option<IsoDate>, Option<IsoDate>),
                     description: &str,
                     document_id: Option<i64>| ValidFramework {
        position: None,
        name: name.into(),
        evidence: evidence.into(),
        issuer: issuer.map(Into::into),
        issued_on,
        valid_until,
        in_progress: false,
        description: description.into(),
        document_id,
    };
    vec![
        framework(
            "ISO/IEC 27001:2022",
            "Certified",
            Some(content::ISO_BODY),
            (Some(dates.iso_issued), Some(dates.iso_issued.add_months(36).add_days(-1))),
            "Certification of the information security management system covering the analytics platform and \
             the people, processes and infrastructure that support it. Surveillance audits yearly, \
             recertification every three years.",
            Some(ids.iso),
        ),
        framework(
            "Annual penetration test",
            "Letter of attestation",
            Some(content::PENTEST_FIRM),
            (Some(dates.pentest_date), Some(dates.pentest_date.add_months(12))),
            "Independent test of the web application, REST API and AWS infrastructure. All critical and high \
             findings were remediated and retested.",
            Some(ids.pentest),
        ),
        framework(
            "GDPR and UK GDPR",
            "Data processing agreement",
            None,
            (None, None),
            "Northwind acts as processor. Our DPA covers Article 28 obligations and incorporates the EU Standard \
             Contractual Clauses and the UK International Data Transfer Addendum.",
            None,
        ),
        framework(
            "CSA STAR Level 1",
            "Self-assessment (CAIQ v4)",
            Some("Cloud Security Alliance"),
            (Some(dates.star_date), Some(dates.star_date.add_months(12))),
            "Consensus Assessments Initiative Questionnaire answers published in the CSA STAR registry.",
            None,
        ),
        framework(
            "Cyber liability insurance",
            "Certificate of insurance",
            None,
            (None, Some(dates.insurance_until)),
            "Cover for breach response costs, business interruption and third-party claims.",
            Some(ids.insurance),
        ),
    ]
}

fn demo_controls() -> Vec<ValidControl> {
    content::CONTROLS
        .iter()
        .map(|(category, title, description, status, tsc_points)| ValidControl {
            position: None,
            category: *category,
            title: title.to_string(),
            description: description.to_string(),
            status: *status,
            tsc_points: tsc_points.to_string(),
        })
        .collect()
}

/// The subprocessors, engaged four months apart from two and a half years before `today`.
fn demo_subprocessors(today: IsoDate) -> Vec<ValidSubprocessor> {
    content::SUBPROCESSORS
        .iter()
        .enumerate()
        .map(|(position, (name, purpose, location, data, url))| ValidSubprocessor {
            position: None,
            name: name.to_string(),
            purpose: purpose.to_string(),
            location: location.to_string(),
            data_processed: data.to_string(),
            website_url: Some(url.to_string()),
            start_date: Some(today.add_months(-30 + 4 * position as i32)),
            end_date: None,
        })
        .collect()
}

fn demo_faqs() -> Vec<ValidFaq> {
    content::FAQS
        .iter()
        .map(|(question, answer)| ValidFaq {
            position: None,
            question: question.to_string(),
            answer: answer.to_string(),
        })
        .collect()
}

/// Northwind's 80 approved questionnaire answers (the same file as
/// `../shared/data/questionnaire/kb.csv`), imported as staff would import them.
async fn seed_knowledge_base(tx: &mut Tx, db: &Db) -> Result<(), AppError> {
    let rows = answers::kb::parse(include_bytes!("kb.csv"), answers::kb::Format::Csv)
        .map_err(|e| AppError::internal("demo knowledge base", e))?;
    let actor = crate::ssr::audit::Actor::system();
    let meta = crate::ssr::request_meta::RequestMeta::system("demo seed");
    crate::features::knowledge::server::import_in(tx, db, &meta, &actor, &rows, None, &[]).await?;
    Ok(())
}

/// The NDA (version 1, published), access rules, and one customer with an MNDA on file.
async fn seed_access(tx: &mut Tx, today: IsoDate, now: i64) -> Result<(), AppError> {
    sqlx::query(
        "insert into nda_versions (version, title, body_markdown, published_at, created_at, updated_at) \
         values (1, $1, $2, $3, $3, $3)",
    )
    .bind("Mutual Non-Disclosure Agreement for Security Reviews")
    .bind(include_str!("nda.md"))
    .bind(now)
    .execute(&mut **tx)
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
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query(
        "insert into companies (domain, name, is_customer, mnda_expires_on, notes, created_at, updated_at) \
         values ('fabrikam.example', 'Fabrikam, Inc.', 1, $1, 'MNDA signed with the MSA', $2, $2)",
    )
    .bind(today.add_months(14).to_string())
    .bind(now)
    .execute(&mut **tx)
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

async fn seed_documents(tx: &mut Tx, files: &FileStore, dates: &DemoDates) -> Result<DocumentIds, AppError> {
    let mut ids = std::collections::HashMap::new();
    for (position, doc) in documents::all(dates).into_iter().enumerate() {
        let id = docs::create(
            tx,
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
        docs::add_version(tx, files, id, &format!("{}.pdf", doc.slug), &pdf).await?;
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
