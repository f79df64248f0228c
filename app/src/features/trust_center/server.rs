//! Server-side queries of the trust center: the working (draft) tables, publishing, and the
//! published version the public reads.

use super::rows::{
    self, BridgeLetterRow, ControlRow, FaqRow, FrameworkRow, ProfileRow, ReportRow, SubprocessorRow, BRIDGE_LETTERS,
    CONTROLS, FAQS, FRAMEWORKS, PROFILE, REPORTS, SUBPROCESSORS,
};
use super::{
    domain::{
        ControlCategory, ControlStatus, ExaminationPeriod, Opinion, ReportType, SubserviceTreatment, TscCategory,
        TscPoint,
    },
    model::{
        BridgeLetter, CompanyProfile, Control, Faq, Framework, Section, Soc2Report, Subprocessor,
        SubserviceOrganization, TrustCenterContent, TrustPage,
    },
};
use crate::ssr::db::Tx;
use crate::{
    error::AppError,
    features::documents::server as documents,
    ssr::db::{flag, Db},
    types::{IsoDate, Timestamp},
};
use sqlx::AnyConnection;

/// A stored value that no longer parses is a bug or tampering, not user error: log it and fail.
fn corrupt(what: &str, problem: String) -> AppError {
    AppError::internal("stored trust center content is invalid", format!("{what}: {problem}"))
}

fn date(what: &str, text: &str) -> Result<IsoDate, AppError> {
    IsoDate::parse(text).map_err(|e| corrupt(what, e))
}

fn opt_date(what: &str, text: Option<String>) -> Result<Option<IsoDate>, AppError> {
    text.map(|t| date(what, &t)).transpose()
}

/// Parses the stored section list (comma-separated anchors).
pub fn parse_sections(text: &str) -> Result<Vec<Section>, String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Section::parse).collect()
}

/// The working company profile (the draft the editor changes, not the published one) and when it
/// last changed; the logo URL carries the logo's hash so it can be cached for good.
pub async fn load_profile(db: &Db) -> Result<(CompanyProfile, Timestamp), AppError> {
    profile_from(db.pool()).await
}

async fn profile_from<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
) -> Result<(CompanyProfile, Timestamp), AppError> {
    let row: ProfileRow = sqlx::query_as(PROFILE).fetch_one(db).await?;
    let sections = parse_sections(&row.sections).map_err(|e| corrupt("sections", e))?;
    // The logo URL carries its hash so browsers may cache it for good.
    let logo_url = row.logo_sha256.map(|sha| format!("/branding/logo/{}", &sha[..16.min(sha.len())]));
    let profile = CompanyProfile {
        name: row.name,
        description: row.description,
        website_url: row.website_url,
        security_contact_email: row.security_contact_email,
        logo_url,
        accent_color: row.accent_color,
        sections,
        disclosure_policy: row.disclosure_policy,
        security_txt_expires: opt_date("security.txt expiry", row.security_txt_expires)?,
        preferred_languages: row
            .preferred_languages
            .split(',')
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
    };
    Ok((profile, Timestamp(row.updated_at)))
}

/// A report's subservice organizations as stored: (name, services, treatment code), in order.
pub async fn subservice_org_rows<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    report_id: i64,
) -> Result<Vec<(String, String, String)>, AppError> {
    Ok(sqlx::query_as(
        "select name, services, treatment from soc2_subservice_orgs where report_id = $1 order by position, id",
    )
    .bind(report_id)
    .fetch_all(db)
    .await?)
}

/// A report's complementary user entity controls, in order.
pub async fn cuec_rows<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    report_id: i64,
) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("select description from soc2_cuecs where report_id = $1 order by position, id")
            .bind(report_id)
            .fetch_all(db)
            .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// The report with the latest period end is the one the public page summarises.
pub const CURRENT_REPORT_ORDER: &str = "order by r.period_end desc, r.id desc";

/// The SOC 2 report with the latest period end, with its subservice organizations and CUECs.
async fn load_current_report(db: &mut AnyConnection) -> Result<Option<(i64, Soc2Report)>, AppError> {
    let rows: Vec<ReportRow> = rows::all(&mut *db, REPORTS, &format!("{CURRENT_REPORT_ORDER} limit 1")).await?;
    let Some(row) = rows.into_iter().next() else { return Ok(None) };
    let report_type = ReportType::parse(&row.report_type).map_err(|e| corrupt("report type", e))?;
    let period = ExaminationPeriod::new(
        report_type,
        date("period start", &row.period_start)?,
        date("period end", &row.period_end)?,
    )
    .map_err(|e| corrupt("period", e))?;
    let mut tsc_in_scope = row
        .tsc_in_scope
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(TscCategory::parse)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| corrupt("tsc in scope", e))?;
    if !tsc_in_scope.contains(&TscCategory::Security) {
        tsc_in_scope.push(TscCategory::Security);
    }
    tsc_in_scope.sort();
    let subservice_organizations = subservice_org_rows(&mut *db, row.id)
        .await?
        .into_iter()
        .map(|(name, services, treatment)| {
            let treatment = SubserviceTreatment::parse(&treatment).map_err(|e| corrupt("treatment", e))?;
            Ok(SubserviceOrganization { name, services, treatment })
        })
        .collect::<Result<_, AppError>>()?;
    let cuecs = cuec_rows(&mut *db, row.id).await?;
    let report = Soc2Report {
        report_type,
        period,
        audit_firm: row.audit_firm,
        opinion: Opinion::parse(&row.opinion).map_err(|e| corrupt("opinion", e))?,
        report_date: date("report date", &row.report_date)?,
        tsc_in_scope,
        subservice_organizations,
        complementary_user_entity_controls: cuecs,
        document_slug: row.document_slug,
    };
    Ok(Some((row.id, report)))
}

async fn load_bridge_letter(db: &mut AnyConnection, report_id: i64) -> Result<Option<BridgeLetter>, AppError> {
    let row: Option<BridgeLetterRow> = sqlx::query_as(BRIDGE_LETTERS).bind(report_id).fetch_optional(db).await?;
    row.map(|b| {
        Ok(BridgeLetter {
            issued_on: date("bridge issued", &b.issued_on)?,
            covered_until: date("bridge covered until", &b.covered_until)?,
            document_slug: b.document_slug,
        })
    })
    .transpose()
}

async fn load_frameworks(db: &mut AnyConnection) -> Result<Vec<Framework>, AppError> {
    let rows: Vec<FrameworkRow> = rows::all(db, FRAMEWORKS, "order by f.position, f.id").await?;
    rows.into_iter()
        .map(|r| {
            Ok(Framework {
                name: r.name,
                evidence: r.evidence,
                issuer: r.issuer,
                issued_on: opt_date("framework issued", r.issued_on)?,
                valid_until: opt_date("framework valid until", r.valid_until)?,
                in_progress: flag(r.in_progress),
                description: r.description,
                document_slug: r.document_slug,
            })
        })
        .collect()
}

async fn load_controls(db: &mut AnyConnection) -> Result<Vec<Control>, AppError> {
    let rows: Vec<ControlRow> = rows::all(db, CONTROLS, "order by position, id").await?;
    rows.into_iter()
        .map(|r| {
            Ok(Control {
                category: ControlCategory::parse(&r.category).map_err(|e| corrupt("control category", e))?,
                title: r.title,
                description: r.description,
                status: ControlStatus::parse(&r.status).map_err(|e| corrupt("control status", e))?,
                tsc_points: TscPoint::parse_list(&r.tsc_points).map_err(|e| corrupt("control tsc", e))?,
            })
        })
        .collect()
}

/// Subprocessors in use on `today` (started, and not ended).
async fn load_subprocessors(db: &mut AnyConnection, today: IsoDate) -> Result<Vec<Subprocessor>, AppError> {
    let rows: Vec<SubprocessorRow> =
        sqlx::query_as(&format!("{SUBPROCESSORS} where (end_date is null or end_date >= $1) order by position, name"))
            .bind(today.to_string())
            .fetch_all(db)
            .await?;
    rows.into_iter()
        .map(|r| {
            Ok(Subprocessor {
                name: r.name,
                purpose: r.purpose,
                location: r.location,
                data_processed: r.data_processed,
                website_url: r.website_url,
                since: opt_date("subprocessor start", r.start_date)?,
            })
        })
        .collect()
}

/// The FAQ entries, then approved knowledge-base entries marked public (not already asked).
async fn load_faqs(db: &mut AnyConnection) -> Result<Vec<Faq>, AppError> {
    let rows: Vec<FaqRow> = rows::all(&mut *db, FAQS, "order by position, id").await?;
    let mut faqs: Vec<(String, String)> = rows.into_iter().map(|f| (f.question, f.answer)).collect();
    let public: Vec<(String, String)> = sqlx::query_as(
        "select question, explanation from kb_entries where status = 'approved' and visibility = 'public' \
         order by category, external_id",
    )
    .fetch_all(db)
    .await?;
    for (question, answer) in public {
        if !faqs.iter().any(|(q, _)| q.eq_ignore_ascii_case(&question)) {
            faqs.push((question, answer));
        }
    }
    Ok(faqs.into_iter().map(|(question, answer)| Faq { question, answer }).collect())
}

/// The working copy of everything the public page shows, as it would be published now.
pub async fn load_working(db: &Db, today: IsoDate) -> Result<TrustCenterContent, AppError> {
    let mut conn = db.pool().acquire().await?;
    load_working_in(&mut conn, today).await
}

/// [`load_working`] read through `db`, such as an open transaction that has just written it.
pub async fn load_working_in(db: &mut AnyConnection, today: IsoDate) -> Result<TrustCenterContent, AppError> {
    let (company, _) = profile_from(&mut *db).await?;
    let report = load_current_report(db).await?;
    let bridge_letter = match &report {
        Some((id, _)) => load_bridge_letter(db, *id).await?,
        None => None,
    };
    Ok(TrustCenterContent {
        company,
        soc2: report.map(|(_, r)| r),
        bridge_letter,
        frameworks: load_frameworks(db).await?,
        controls: load_controls(db).await?,
        subprocessors: load_subprocessors(db, today).await?,
        faqs: load_faqs(db).await?,
    })
}

/// Publishes the working copy: stores it whole as the newest published version. (The demo seed
/// and tests; staff publish through the editor, which logs the publish in the same transaction.)
pub async fn publish(db: &Db, by_user: Option<i64>, today: IsoDate) -> Result<Timestamp, AppError> {
    let mut tx = db.begin().await?;
    let at = publish_in(&mut tx, by_user, today).await?;
    tx.commit().await?;
    Ok(at)
}

/// [`publish`] inside `tx`, from the working copy as `tx` sees it.
pub async fn publish_in(tx: &mut Tx, by_user: Option<i64>, today: IsoDate) -> Result<Timestamp, AppError> {
    let content = load_working_in(tx, today).await?;
    publish_content(tx, &content, by_user).await
}

/// Stores `content` as the newest published version.
pub async fn publish_content(
    tx: &mut Tx,
    content: &TrustCenterContent,
    by_user: Option<i64>,
) -> Result<Timestamp, AppError> {
    let json = serde_json::to_string(content).map_err(|e| AppError::internal("serialising content", e))?;
    let now = Timestamp::now();
    sqlx::query("insert into published_versions (content, published_at, published_by) values ($1, $2, $3)")
        .bind(json)
        .bind(now.0)
        .bind(by_user)
        .execute(&mut **tx)
        .await?;
    Ok(now)
}

/// Republishes only the FAQ (after a public knowledge-base entry changed), inside `tx`: the rest of
/// the published page stays as it was, so staff's unpublished drafts elsewhere are not published
/// with it. Reads the committed state through `db`.
pub async fn publish_faq_only(tx: &mut Tx, db: &Db, by_user: Option<i64>) -> Result<bool, AppError> {
    let Some((mut content, _)) = load_published(db).await? else { return Ok(false) };
    let mut conn = db.pool().acquire().await?;
    let faqs = load_faqs(&mut conn).await?;
    if faqs == content.faqs {
        return Ok(false);
    }
    content.faqs = faqs;
    publish_content(tx, &content, by_user).await?;
    Ok(true)
}

/// The newest published content and when it was published; `None` before the first publish.
pub async fn load_published(db: &Db) -> Result<Option<(TrustCenterContent, Timestamp)>, AppError> {
    let row: Option<(String, i64)> =
        sqlx::query_as("select content, published_at from published_versions order by id desc limit 1")
            .fetch_optional(db.pool())
            .await?;
    row.map(|(json, at)| {
        let content = serde_json::from_str(&json).map_err(|e| corrupt("published content", e.to_string()))?;
        Ok((content, Timestamp(at)))
    })
    .transpose()
}

/// The public page as of `today`; `NotFound` until something has been published.
pub async fn trust_page(db: &Db, today: IsoDate, site_url: &str) -> Result<TrustPage, AppError> {
    let (content, published_at) = load_published(db).await?.ok_or(AppError::NotFound)?;
    let documents = documents::list_for_public_page(db).await?;
    let mut page = TrustPage::assemble(content, published_at, documents, today, site_url.to_string());
    page.updates = crate::features::updates::server::public_updates(db, 20).await?;
    Ok(page)
}

/// What mails are signed with: the published company profile (the working one before any
/// publish): a renamed company or a new colour waits in the draft until published.
pub async fn branding(db: &Db, base_url: &str) -> Result<crate::ssr::mail::Branding, AppError> {
    use crate::ssr::mail::Branding;
    if let Some((content, _)) = load_published(db).await? {
        let company = content.company;
        return Ok(Branding {
            company: company.name,
            accent: company.accent_color,
            base_url: base_url.to_string(),
            contact: company.security_contact_email,
        });
    }
    let row: Option<(String, String, String)> =
        sqlx::query_as("select name, accent_color, security_contact_email from company_profile where id = 1")
            .fetch_optional(db.pool())
            .await?;
    let (company, accent, contact) = row.unwrap_or_else(|| ("Trust Center".into(), "#1d5c8f".into(), String::new()));
    Ok(Branding { company, accent, base_url: base_url.to_string(), contact })
}
