//! The editor's overview: every record of the working copy, and what is not yet published.

use super::{framework, publish::changed_sections, report};
use crate::{
    error::AppError,
    features::{
        editor::model::{AttestationsOverview, ContentOverview, ControlItem, FaqItem, SubprocessorItem},
        trust_center::{
            rows::{self, ControlRow, FaqRow, SubprocessorRow, CONTROLS, FAQS, SUBPROCESSORS},
            server as tc,
        },
    },
    ssr::db::Db,
    types::IsoDate,
};

/// Sections of the public page whose working copy differs from what is published, and when the
/// last publish was.
pub async fn pending(db: &Db) -> Result<(Vec<String>, Option<i64>), AppError> {
    let working = tc::load_working(db, IsoDate::today_utc()).await?;
    let published = tc::load_published(db).await?;
    Ok((changed_sections(&working, published.as_ref().map(|(c, _)| c)), published.map(|(_, at)| at.0)))
}

/// The overview: every control, subprocessor, FAQ entry, report and framework of the working
/// copy, with the sections not yet published.
pub async fn overview(db: &Db) -> Result<ContentOverview, AppError> {
    let controls: Vec<ControlRow> = rows::all(db.pool(), CONTROLS, "order by position, id").await?;
    let subprocessors: Vec<SubprocessorRow> = rows::all(db.pool(), SUBPROCESSORS, "order by position, name").await?;
    let faqs: Vec<FaqRow> = rows::all(db.pool(), FAQS, "order by position, id").await?;
    let (pending, last_published_at) = pending(db).await?;
    let (company, _) = tc::load_profile(db).await?;
    Ok(ContentOverview {
        company_name: company.name,
        attestations: AttestationsOverview {
            reports: report::summaries(db).await?,
            frameworks: framework::all(db).await?,
        },
        controls: controls.into_iter().map(ControlItem::from).collect(),
        subprocessors: subprocessors.into_iter().map(SubprocessorItem::from).collect(),
        faqs: faqs.into_iter().map(FaqItem::from).collect(),
        pending,
        last_published_at,
    })
}
