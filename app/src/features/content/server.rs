//! The working copy of controls and subprocessors: validated edits, what differs from the
//! published page, the preview, and publishing (logged with who and which sections changed).

use super::model::*;
use crate::features::updates::model::UpdateKind;
use crate::{
    error::AppError,
    features::trust_center::{
        domain::{ControlCategory, ControlStatus, TscPoint},
        model::{TrustCenterContent, TrustPage},
        server as tc,
    },
    forms::Problems,
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        request_meta::RequestMeta,
        AppState,
    },
    types::{long_text, short_line as line, IsoDate, Timestamp},
};
use sqlx::FromRow;

const STATUSES: [ControlStatus; 3] = [ControlStatus::Implemented, ControlStatus::InProgress, ControlStatus::Planned];

pub(crate) fn position(text: &str) -> Result<Option<i64>, String> {
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .ok()
            .filter(|p| (0..=100_000).contains(p))
            .map(Some)
            .ok_or_else(|| "The position is a whole number from 0.".to_string()),
    }
}

/// What the control form posts.
#[derive(Debug, Clone, Default)]
pub struct ControlInput {
    pub position: String,
    pub category: String,
    pub title: String,
    pub description: String,
    pub status: String,
    pub tsc_points: String,
}

struct ValidControl {
    position: Option<i64>,
    category: ControlCategory,
    title: String,
    description: String,
    status: ControlStatus,
    tsc_points: String,
}

impl ControlInput {
    fn validate(&self) -> Result<ValidControl, AppError> {
        let mut p = Problems::default();
        let position = p.take("position", position(&self.position));
        let category = p.take(
            "category",
            ControlCategory::parse(&self.category).map_err(|_| "Choose a category from the list.".to_string()),
        );
        let title = p.take("title", line(&self.title, "title", 120));
        let description = p.take("description", long_text(&self.description, "description", 2_000));
        let status = p.take(
            "status",
            ControlStatus::parse(&self.status).map_err(|_| "Choose a status from the list.".to_string()),
        );
        let tsc = p.take("tsc_points", TscPoint::parse_list(&self.tsc_points));
        p.check()?;
        match (position, category, title, description, status, tsc) {
            (Some(position), Some(category), Some(title), Some(description), Some(status), Some(tsc)) => {
                Ok(ValidControl {
                    position,
                    category,
                    title,
                    description,
                    status,
                    tsc_points: tsc.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", "),
                })
            }
            _ => Err(AppError::invalid("Please correct the highlighted fields.")),
        }
    }
}

/// What the subprocessor form posts.
#[derive(Debug, Clone, Default)]
pub struct SubprocessorInput {
    pub position: String,
    pub name: String,
    pub purpose: String,
    pub location: String,
    pub data_processed: String,
    pub website_url: String,
    pub start_date: String,
    pub end_date: String,
}

struct ValidSubprocessor {
    position: Option<i64>,
    name: String,
    purpose: String,
    location: String,
    data_processed: String,
    website_url: Option<String>,
    start_date: Option<IsoDate>,
    end_date: Option<IsoDate>,
}

/// A public web address: http(s), a host with a dot, no credentials.
pub(crate) fn web_url(text: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || "Enter a web address such as https://example.com.".to_string();
    let url = url::Url::parse(text).map_err(|_| bad())?;
    let host_ok = url.host_str().is_some_and(|h| h.contains('.'));
    if !matches!(url.scheme(), "https" | "http")
        || !host_ok
        || !url.username().is_empty()
        || url.password().is_some()
        || text.len() > 300
    {
        return Err(bad());
    }
    Ok(Some(url.to_string()))
}

pub(crate) fn date(text: &str) -> Result<Option<IsoDate>, String> {
    match text.trim() {
        "" => Ok(None),
        t => IsoDate::parse(t).map(Some),
    }
}

impl SubprocessorInput {
    fn validate(&self) -> Result<ValidSubprocessor, AppError> {
        let mut p = Problems::default();
        let name = p.take("name", line(&self.name, "name", 120));
        let purpose = p.take("purpose", long_text(&self.purpose, "purpose", 300));
        let location = p.take("location", line(&self.location, "location", 120));
        let data_processed = p.take("data_processed", long_text(&self.data_processed, "data processed", 300));
        let position = p.take("position", position(&self.position)).flatten();
        let website_url = p.take("website_url", web_url(&self.website_url)).flatten();
        let start_date = p.take("start_date", date(&self.start_date)).flatten();
        let end_date = p.take("end_date", date(&self.end_date)).flatten();
        if let (Some(s), Some(e)) = (start_date, end_date) {
            if e < s {
                p.add("end_date", "The end date is before the start date.");
            }
        }
        p.check()?;
        match (name, purpose, location, data_processed) {
            (Some(name), Some(purpose), Some(location), Some(data_processed)) => Ok(ValidSubprocessor {
                position,
                name,
                purpose,
                location,
                data_processed,
                website_url,
                start_date,
                end_date,
            }),
            _ => Err(AppError::invalid("Please correct the highlighted fields.")),
        }
    }
}

#[derive(FromRow)]
struct ControlRow {
    id: i64,
    position: i64,
    category: String,
    title: String,
    description: String,
    status: String,
    tsc_points: String,
}

#[derive(FromRow)]
struct SubprocessorRow {
    id: i64,
    position: i64,
    name: String,
    purpose: String,
    location: String,
    data_processed: String,
    website_url: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

fn control_item(r: ControlRow) -> ControlItem {
    ControlItem {
        id: r.id,
        position: r.position,
        category: r.category,
        title: r.title,
        description: r.description,
        status: r.status,
        tsc_points: r.tsc_points,
    }
}

fn subprocessor_item(r: SubprocessorRow) -> SubprocessorItem {
    SubprocessorItem {
        id: r.id,
        position: r.position,
        name: r.name,
        purpose: r.purpose,
        location: r.location,
        data_processed: r.data_processed,
        website_url: r.website_url.unwrap_or_default(),
        start_date: r.start_date.unwrap_or_default(),
        end_date: r.end_date.unwrap_or_default(),
    }
}

const CONTROLS: &str = "select id, position, category, title, description, status, tsc_points from controls";
const SUBPROCESSORS: &str =
    "select id, position, name, purpose, location, data_processed, website_url, start_date, end_date from subprocessors";

pub async fn control(db: &Db, id: i64) -> Result<ControlItem, AppError> {
    let row: Option<ControlRow> =
        sqlx::query_as(&format!("{CONTROLS} where id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.map(control_item).ok_or(AppError::NotFound)
}

pub async fn subprocessor(db: &Db, id: i64) -> Result<SubprocessorItem, AppError> {
    let row: Option<SubprocessorRow> =
        sqlx::query_as(&format!("{SUBPROCESSORS} where id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.map(subprocessor_item).ok_or(AppError::NotFound)
}

pub use crate::forms::Choices;

pub fn control_choices() -> (Choices, Choices) {
    (
        ControlCategory::ALL.iter().map(|c| (c.code().to_string(), c.label().to_string())).collect(),
        STATUSES.iter().map(|s| (s.code().to_string(), s.label().to_string())).collect(),
    )
}

/// Which sections of the public page the working copy changes.
fn changed_sections(working: &TrustCenterContent, published: Option<&TrustCenterContent>) -> Vec<String> {
    let Some(published) = published else { return vec!["everything (never published)".into()] };
    let pairs = [
        ("company profile", serde_json::to_value(&working.company).ok(), serde_json::to_value(&published.company).ok()),
        ("SOC 2 report", serde_json::to_value(&working.soc2).ok(), serde_json::to_value(&published.soc2).ok()),
        (
            "bridge letter",
            serde_json::to_value(&working.bridge_letter).ok(),
            serde_json::to_value(&published.bridge_letter).ok(),
        ),
        (
            "frameworks",
            serde_json::to_value(&working.frameworks).ok(),
            serde_json::to_value(&published.frameworks).ok(),
        ),
        ("controls", serde_json::to_value(&working.controls).ok(), serde_json::to_value(&published.controls).ok()),
        (
            "subprocessors",
            serde_json::to_value(&working.subprocessors).ok(),
            serde_json::to_value(&published.subprocessors).ok(),
        ),
        ("FAQ", serde_json::to_value(&working.faqs).ok(), serde_json::to_value(&published.faqs).ok()),
    ];
    pairs.into_iter().filter(|(_, w, p)| w != p).map(|(name, _, _)| name.to_string()).collect()
}

pub async fn pending(db: &Db) -> Result<(Vec<String>, Option<i64>), AppError> {
    let working = tc::load_working(db, IsoDate::today_utc()).await?;
    let published = tc::load_published(db).await?;
    Ok((changed_sections(&working, published.as_ref().map(|(c, _)| c)), published.map(|(_, at)| at.0)))
}

pub async fn overview(db: &Db) -> Result<ContentOverview, AppError> {
    let controls: Vec<ControlRow> =
        sqlx::query_as(&format!("{CONTROLS} order by position, id")).fetch_all(db.pool()).await?;
    let subprocessors: Vec<SubprocessorRow> =
        sqlx::query_as(&format!("{SUBPROCESSORS} order by position, name")).fetch_all(db.pool()).await?;
    let (pending, last_published_at) = pending(db).await?;
    let faqs: Vec<(i64, i64, String, String)> =
        sqlx::query_as("select id, position, question, answer from faqs order by position, id")
            .fetch_all(db.pool())
            .await?;
    let (company, _) = tc::load_profile(db).await?;
    Ok(ContentOverview {
        company_name: company.name,
        attestations: crate::features::attestations::server::overview(db).await?,
        controls: controls.into_iter().map(control_item).collect(),
        subprocessors: subprocessors.into_iter().map(subprocessor_item).collect(),
        faqs: faqs
            .into_iter()
            .map(|(id, position, question, answer)| FaqItem { id, position, question, answer })
            .collect(),
        pending,
        last_published_at,
    })
}

/// The position after the last row of `table` (a content table with a `position` column).
pub(crate) async fn next_position(db: &Db, table: &'static str) -> Result<i64, AppError> {
    let (next,): (i64,) =
        sqlx::query_as(&format!("select coalesce(max(position), 0) + 1 from {table}")).fetch_one(db.pool()).await?;
    Ok(next)
}

/// A write transaction on the application's database.
pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Records an editor's change inside `tx`, the transaction that made it: the change and its log
/// row commit together or not at all (and the log's writer re-checks the actor's session there).
pub(crate) async fn log(
    tx: &mut Tx,
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    event: &'static str,
    object: String,
    details: serde_json::Value,
) -> Result<(), AppError> {
    audit::record(tx, state.db.backend(), meta, Event { actor, event, object, outcome: Outcome::Success, details })
        .await
        .map(|_| ())
}

/// Creates (`id` none) or changes a control in the working copy.
pub async fn save_control(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: Option<i64>,
    input: &ControlInput,
) -> Result<i64, AppError> {
    let v = input.validate()?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let id = match id {
        Some(id) => {
            let before = control(&state.db, id).await?;
            sqlx::query(
                "update controls set position = $1, category = $2, title = $3, description = $4, status = $5, tsc_points = $6, updated_at = $7 where id = $8",
            )
            .bind(v.position.unwrap_or(before.position))
            .bind(v.category.code())
            .bind(&v.title)
            .bind(&v.description)
            .bind(v.status.code())
            .bind(&v.tsc_points)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            let next = next_position(&state.db, "controls").await?;
            let (id,): (i64,) = sqlx::query_as(
                "insert into controls (position, category, title, description, status, tsc_points, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $7) returning id",
            )
            .bind(v.position.unwrap_or(next))
            .bind(v.category.code())
            .bind(&v.title)
            .bind(&v.description)
            .bind(v.status.code())
            .bind(&v.tsc_points)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            id
        }
    };
    let details = serde_json::json!({ "title": v.title, "status": v.status.code(), "draft": true });
    log(&mut tx, state, meta, actor, "content.control_saved", format!("control:{id}"), details).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_control(state: &AppState, meta: &RequestMeta, actor: &Actor, id: i64) -> Result<(), AppError> {
    let before = control(&state.db, id).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query("delete from controls where id = $1").bind(id).execute(&mut *tx).await?;
    let details = serde_json::json!({ "title": before.title, "draft": true });
    log(&mut tx, state, meta, actor, "content.control_deleted", format!("control:{id}"), details).await?;
    Ok(tx.commit().await?)
}

/// Creates (`id` none) or changes a subprocessor in the working copy.
pub async fn save_subprocessor(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: Option<i64>,
    input: &SubprocessorInput,
) -> Result<i64, AppError> {
    let v = input.validate()?;
    let now = Timestamp::now().0;
    let (start, end) = (v.start_date.map(|d| d.to_string()), v.end_date.map(|d| d.to_string()));
    let mut tx = state.db.begin().await?;
    let id = match id {
        Some(id) => {
            let before = subprocessor(&state.db, id).await?;
            sqlx::query(
                "update subprocessors set position = $1, name = $2, purpose = $3, location = $4, data_processed = $5, website_url = $6, \
                 start_date = $7, end_date = $8, updated_at = $9 where id = $10",
            )
            .bind(v.position.unwrap_or(before.position))
            .bind(&v.name)
            .bind(&v.purpose)
            .bind(&v.location)
            .bind(&v.data_processed)
            .bind(&v.website_url)
            .bind(&start)
            .bind(&end)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            let next = next_position(&state.db, "subprocessors").await?;
            let (id,): (i64,) = sqlx::query_as(
                "insert into subprocessors (position, name, purpose, location, data_processed, website_url, start_date, end_date, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) returning id",
            )
            .bind(v.position.unwrap_or(next))
            .bind(&v.name)
            .bind(&v.purpose)
            .bind(&v.location)
            .bind(&v.data_processed)
            .bind(&v.website_url)
            .bind(&start)
            .bind(&end)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            id
        }
    };
    let details = serde_json::json!({ "name": v.name, "start_date": start, "end_date": end, "draft": true });
    log(&mut tx, state, meta, actor, "content.subprocessor_saved", format!("subprocessor:{id}"), details).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_subprocessor(state: &AppState, meta: &RequestMeta, actor: &Actor, id: i64) -> Result<(), AppError> {
    let before = subprocessor(&state.db, id).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query("delete from subprocessors where id = $1").bind(id).execute(&mut *tx).await?;
    let details = serde_json::json!({ "name": before.name, "draft": true });
    log(&mut tx, state, meta, actor, "content.subprocessor_deleted", format!("subprocessor:{id}"), details).await?;
    Ok(tx.commit().await?)
}

pub async fn faq(db: &Db, id: i64) -> Result<FaqItem, AppError> {
    let row: Option<(i64, i64, String, String)> =
        sqlx::query_as("select id, position, question, answer from faqs where id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?;
    row.map(|(id, position, question, answer)| FaqItem { id, position, question, answer }).ok_or(AppError::NotFound)
}

/// What the FAQ form posts.
#[derive(Debug, Clone, Default)]
pub struct FaqInput {
    pub position: String,
    pub question: String,
    pub answer: String,
}

/// Creates (`id` none) or changes a FAQ entry in the working copy. (Approved knowledge-base entries
/// marked public are listed after these on the public page; they are edited in the knowledge base.)
pub async fn save_faq(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: Option<i64>,
    input: &FaqInput,
) -> Result<i64, AppError> {
    let mut p = Problems::default();
    let position = p.take("position", position(&input.position)).flatten();
    let question = p.take("question", long_text(&input.question, "question", 500));
    let answer = p.take("answer", long_text(&input.answer, "answer", 5_000));
    p.check()?;
    let (Some(question), Some(answer)) = (question, answer) else {
        return Err(AppError::invalid("Please correct the highlighted fields."));
    };
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let id = match id {
        Some(id) => {
            let before = faq(&state.db, id).await?;
            sqlx::query("update faqs set position = $1, question = $2, answer = $3, updated_at = $4 where id = $5")
                .bind(position.unwrap_or(before.position))
                .bind(&question)
                .bind(&answer)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            id
        }
        None => {
            let next = next_position(&state.db, "faqs").await?;
            let (id,): (i64,) = sqlx::query_as(
                "insert into faqs (position, question, answer, created_at, updated_at) values ($1, $2, $3, $4, $4) returning id",
            )
            .bind(position.unwrap_or(next))
            .bind(&question)
            .bind(&answer)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            id
        }
    };
    let details = serde_json::json!({ "question": question, "draft": true });
    log(&mut tx, state, meta, actor, "content.faq_saved", format!("faq:{id}"), details).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn delete_faq(state: &AppState, meta: &RequestMeta, actor: &Actor, id: i64) -> Result<(), AppError> {
    let before = faq(&state.db, id).await?;
    let mut tx = state.db.begin().await?;
    sqlx::query("delete from faqs where id = $1").bind(id).execute(&mut *tx).await?;
    let details = serde_json::json!({ "question": before.question, "draft": true });
    log(&mut tx, state, meta, actor, "content.faq_deleted", format!("faq:{id}"), details).await?;
    Ok(tx.commit().await?)
}

/// The public page as it would look with the working copy published now.
pub async fn preview(state: &AppState) -> Result<TrustPage, AppError> {
    let today = IsoDate::today_utc();
    let content = tc::load_working(&state.db, today).await?;
    let documents = crate::features::documents::server::list_for_public_page(&state.db).await?;
    let mut page =
        TrustPage::assemble(content, Timestamp::now(), documents, today, state.config.base_url.as_str().to_string());
    page.updates = crate::features::updates::server::public_updates(&state.db, 20).await?;
    Ok(page)
}

/// Publishes the working copy; the access log records who and which sections changed.
pub async fn publish(state: &AppState, meta: &RequestMeta, actor: &Actor) -> Result<Vec<String>, AppError> {
    let working = tc::load_working(&state.db, IsoDate::today_utc()).await?;
    let published = tc::load_published(&state.db).await?.map(|(c, _)| c);
    let sections = changed_sections(&working, published.as_ref());
    if sections.is_empty() {
        return Err(AppError::invalid("Nothing to publish: the public page already shows every change."));
    }
    // One transaction: the new version, the draft updates it proposes and its log row, or none.
    let mut tx = state.db.begin().await?;
    tc::publish_content(&mut tx, &working, actor.id).await?;
    let proposals = proposed_updates(published.as_ref(), &working);
    crate::features::updates::server::propose(&mut tx, actor, &proposals).await?;
    let details = serde_json::json!({ "sections": sections });
    log(&mut tx, state, meta, actor, "trust_center.published", "trust_center".into(), details).await?;
    tx.commit().await?;
    state.page_cache.invalidate();
    Ok(sections)
}

/// What a publish announces: a draft update (kind, title, text) for each subprocessor joining or
/// leaving the public list, a newer SOC 2 report, a new bridge letter and a newly listed framework.
/// Staff review and publish them from the updates page; nothing is sent on its own.
pub fn proposed_updates(
    before: Option<&TrustCenterContent>,
    after: &TrustCenterContent,
) -> Vec<(UpdateKind, String, String)> {
    use std::collections::BTreeSet;
    let mut drafts = Vec::new();
    let names = |c: &TrustCenterContent| c.subprocessors.iter().map(|s| s.name.clone()).collect::<BTreeSet<_>>();
    let was = before.map(names).unwrap_or_default();
    let now = names(after);
    for name in now.difference(&was) {
        drafts.push((
            UpdateKind::Subprocessor,
            format!("New subprocessor: {name}"),
            format!("We have started using {name}. The subprocessor list on this page gives its purpose, location and the data it processes."),
        ));
    }
    for name in was.difference(&now) {
        drafts.push((
            UpdateKind::Subprocessor,
            format!("Subprocessor no longer used: {name}"),
            format!("We no longer use {name} as a subprocessor."),
        ));
    }
    let Some(before) = before else { return drafts };
    if let Some(report) = &after.soc2 {
        if before.soc2.as_ref().is_none_or(|r| r.period.end < report.period.end) {
            let kind = report.report_type.label();
            let period = if report.period.start == report.period.end {
                format!("as of {}", report.period.end.long())
            } else {
                format!("covering {} to {}", report.period.start.long(), report.period.end.long())
            };
            drafts.push((
                UpdateKind::Report,
                format!("New SOC 2 {kind} report"),
                format!(
                    "Our SOC 2 {kind} report {period} has been issued by {}. Request it from this page.",
                    report.audit_firm
                ),
            ));
        }
    }
    if let Some(letter) = &after.bridge_letter {
        if before.bridge_letter.as_ref().is_none_or(|b| b.covered_until < letter.covered_until) {
            drafts.push((
                UpdateKind::Report,
                "New bridge letter".to_string(),
                format!(
                    "A bridge letter now covers the time since our last SOC 2 report, up to {}.",
                    letter.covered_until.long()
                ),
            ));
        }
    }
    let listed: BTreeSet<&str> = before.frameworks.iter().map(|f| f.name.as_str()).collect();
    for framework in after.frameworks.iter().filter(|f| !f.in_progress && !listed.contains(f.name.as_str())) {
        drafts.push((
            UpdateKind::Report,
            format!("{}: {}", framework.name, framework.evidence),
            format!("{} is now listed on this page ({}).", framework.name, framework.evidence.to_lowercase()),
        ));
    }
    drafts
}
