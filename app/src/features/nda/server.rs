//! NDA texts and acceptances on the server.

use super::model::{NdaAcceptanceRecord, NdaText, NdaVersionSummary};
use crate::ssr::db::Tx;
use crate::{
    error::AppError,
    features::accounts::{model::ProspectUser, server::prospect_actor},
    ssr::{
        audit::{self, Event, Outcome},
        db::Db,
        mail,
        pdf::{Block, TextDocument},
        request_meta::RequestMeta,
        tokens::sha256_hex,
        AppState,
    },
    types::{short_text, Timestamp},
};
use sqlx::FromRow;

/// Markdown to HTML, then sanitised (ammonia): staff write the text, signers' browsers render it,
/// and nothing in it may run script or load content.
pub fn render_markdown(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    ammonia::Builder::default().link_rel(Some("noopener noreferrer nofollow")).clean(&html).to_string()
}

/// The fingerprint of the text a signer is shown.
pub fn text_sha256(title: &str, markdown: &str) -> String {
    sha256_hex(format!("{title}\n\n{markdown}").as_bytes())
}

#[derive(FromRow)]
struct VersionRow {
    id: i64,
    version: i64,
    title: String,
    body_markdown: String,
    published_at: Option<i64>,
}

impl VersionRow {
    fn into_text(self) -> NdaText {
        NdaText {
            sha256: text_sha256(&self.title, &self.body_markdown),
            html: render_markdown(&self.body_markdown),
            id: self.id,
            version: self.version,
            title: self.title,
            markdown: self.body_markdown,
            published_at: self.published_at.map(Timestamp),
        }
    }
}

/// The newest published version: the one new acceptances are for.
pub async fn current(db: &Db) -> Result<Option<NdaText>, AppError> {
    let row: Option<VersionRow> = sqlx::query_as(
        "select id, version, title, body_markdown, published_at from nda_versions where published_at is not null \
         order by version desc limit 1",
    )
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(VersionRow::into_text))
}

/// Version `id`, draft or published, with its sanitised HTML and fingerprint; `NotFound` for an
/// unknown id.
pub async fn version(db: &Db, id: i64) -> Result<NdaText, AppError> {
    let row: VersionRow =
        sqlx::query_as("select id, version, title, body_markdown, published_at from nda_versions where id = $1")
            .bind(id)
            .fetch_optional(db.pool())
            .await?
            .ok_or(AppError::NotFound)?;
    Ok(row.into_text())
}

/// Whether the prospect has an active acceptance of the current version.
pub async fn has_accepted_current(db: &Db, prospect_id: i64) -> Result<bool, AppError> {
    let Some(current) = current(db).await? else { return Ok(false) };
    let (n,): (i64,) = sqlx::query_as(
        "select count(*) from nda_acceptances where prospect_id = $1 and nda_version_id = $2 and status = 'active'",
    )
    .bind(prospect_id)
    .bind(current.id)
    .fetch_one(db.pool())
    .await?;
    Ok(n > 0)
}

/// What the signer typed.
pub struct Signature {
    pub version_id: i64,
    pub shown_sha256: String,
    pub name: String,
    pub title: String,
    pub consent: bool,
}

/// Records an acceptance of the current version with its evidence, marks older acceptances
/// superseded, and queues the signer's PDF record. Runs inside `tx` (the caller continues the
/// requests waiting for it in the same transaction).
pub async fn accept(
    state: &AppState,
    tx: &mut Tx,
    meta: &RequestMeta,
    prospect: &ProspectUser,
    signature: Signature,
) -> Result<NdaAcceptanceRecord, AppError> {
    let name = short_text(&signature.name, "full name", 120);
    let title = short_text(&signature.title, "title", 120);
    let mut fields = Vec::new();
    if let Err(m) = &name {
        fields.push(("name", m.clone()));
    }
    if let Err(m) = &title {
        fields.push(("title", m.clone()));
    }
    if !signature.consent {
        fields.push(("consent", "Tick the box to confirm you accept the agreement.".to_string()));
    }
    if !fields.is_empty() {
        return Err(crate::forms::field_errors(fields));
    }
    let (name, title) = (name.unwrap_or_default(), title.unwrap_or_default());
    let current = current(&state.db).await?.ok_or_else(|| AppError::invalid("There is no NDA to accept yet."))?;
    if current.id != signature.version_id || current.sha256 != signature.shown_sha256 {
        return Err(AppError::invalid("The NDA was updated while you were reading it. Please read the new version."));
    }
    let now = Timestamp::now().0;
    sqlx::query(
        "update nda_acceptances set status = 'superseded', status_changed_at = $1 where prospect_id = $2 and status = 'active'",
    )
    .bind(now)
    .bind(prospect.id)
    .execute(&mut **tx)
    .await?;
    let (id,): (i64,) = sqlx::query_as(
        "insert into nda_acceptances (nda_version_id, prospect_id, text_sha256, typed_name, typed_title, email, company, \
         accepted_at, ip, user_agent) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
    )
    .bind(current.id)
    .bind(prospect.id)
    .bind(&current.sha256)
    .bind(&name)
    .bind(&title)
    .bind(&prospect.email)
    .bind(&prospect.company)
    .bind(now)
    .bind(&meta.ip)
    .bind(&meta.user_agent)
    .fetch_one(&mut **tx)
    .await?;
    let record = NdaAcceptanceRecord {
        id,
        version: current.version,
        title: current.title.clone(),
        text_sha256: current.sha256.clone(),
        typed_name: name,
        typed_title: title,
        email: prospect.email.clone(),
        company: prospect.company.clone(),
        accepted_at: Timestamp(now),
        ip: meta.ip.clone(),
        user_agent: meta.user_agent.clone(),
        status: "active".into(),
    };
    let pdf = record_pdf(&current, &record).map_err(|e| AppError::internal("rendering the NDA record", e))?;
    let sha = state.files.put_in(tx, &pdf).await.map_err(|e| AppError::internal("storing the NDA record", e))?;
    let mut outgoing = crate::features::accounts::server::compose_mail(
        state,
        "nda_record",
        &prospect.email,
        &prospect.name,
        serde_json::json!({ "version": current.version, "nda_title": current.title, "sha256": current.sha256,
            "accepted_at": record.accepted_at.long() }),
    )
    .await?;
    outgoing.attachments.push(mail::Attachment {
        file_name: format!("nda-v{}-record.pdf", current.version),
        content_type: "application/pdf".into(),
        sha256: sha,
    });
    mail::enqueue(tx, &outgoing).await?;
    let actor = prospect_actor(prospect);
    let event = Event {
        actor: &actor,
        event: "nda.accepted",
        object: format!("nda_version:{}", current.id),
        outcome: Outcome::Success,
        details: serde_json::json!({ "version": current.version, "sha256": current.sha256,
            "typed_name": record.typed_name, "typed_title": record.typed_title }),
    };
    audit::record(tx, meta, event).await?;
    Ok(record)
}

/// The record of acceptance `acceptance_id` as a PDF (file name, bytes), for the prospect who
/// accepted it and nobody else: another person's acceptance is "not found".
pub async fn record_for(db: &Db, prospect_id: i64, acceptance_id: i64) -> Result<(String, Vec<u8>), AppError> {
    let record =
        acceptances_of(db, prospect_id).await?.into_iter().find(|a| a.id == acceptance_id).ok_or(AppError::NotFound)?;
    let (version_id,): (i64,) = sqlx::query_as("select nda_version_id from nda_acceptances where id = $1")
        .bind(acceptance_id)
        .fetch_one(db.pool())
        .await?;
    let text = version(db, version_id).await?;
    let pdf = record_pdf(&text, &record).map_err(|e| AppError::internal("rendering the NDA record", e))?;
    Ok((format!("nda-v{}-record.pdf", record.version), pdf))
}

/// The PDF the signer receives: the evidence, then the full text they accepted.
fn record_pdf(text: &NdaText, record: &NdaAcceptanceRecord) -> Result<Vec<u8>, lopdf::Error> {
    let mut blocks = vec![
        Block::Field("Agreement".into(), format!("{} (version {})", text.title, text.version)),
        Block::Field("Accepted by".into(), format!("{}, {}", record.typed_name, record.typed_title)),
        Block::Field("E-mail (verified)".into(), record.email.clone()),
        Block::Field("Company".into(), record.company.clone()),
        Block::Field("Accepted at".into(), format!("{} ({})", record.accepted_at.long(), record.accepted_at.rfc3339())),
        Block::Field("From".into(), format!("{} — {}", record.ip, record.user_agent)),
        Block::Field("SHA-256 of the text".into(), record.text_sha256.clone()),
        Block::Heading(text.title.clone()),
    ];
    blocks.extend(markdown_blocks(&text.markdown));
    TextDocument {
        title: "Record of NDA acceptance".into(),
        subtitle: Some(format!("{} — version {}", text.title, text.version)),
        blocks,
        footer: format!("Acceptance #{} — keep this record", record.id),
    }
    .render()
}

/// A plain-text rendering of Markdown for the PDF: headings, paragraphs and list items.
fn markdown_blocks(markdown: &str) -> Vec<Block> {
    use pulldown_cmark::{Event as Md, Parser, Tag, TagEnd};
    let mut blocks = Vec::new();
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Md::Text(t) | Md::Code(t) => text.push_str(&t),
            Md::SoftBreak | Md::HardBreak => text.push(' '),
            Md::Start(Tag::Item) => text.clear(),
            Md::End(TagEnd::Heading(_)) => blocks.push(Block::Heading(std::mem::take(&mut text))),
            Md::End(TagEnd::Item) => blocks.push(Block::Bullet(std::mem::take(&mut text))),
            Md::End(TagEnd::Paragraph) if !text.is_empty() => blocks.push(Block::Paragraph(std::mem::take(&mut text))),
            _ => {}
        }
    }
    blocks
}

#[derive(FromRow)]
struct AcceptanceRow {
    id: i64,
    version: i64,
    title: String,
    text_sha256: String,
    typed_name: String,
    typed_title: String,
    email: String,
    company: String,
    accepted_at: i64,
    ip: String,
    user_agent: String,
    status: String,
}

/// The prospect's acceptances, newest first.
pub async fn acceptances_of(db: &Db, prospect_id: i64) -> Result<Vec<NdaAcceptanceRecord>, AppError> {
    acceptances_where(db, "a.prospect_id = $1", prospect_id).await
}

/// The acceptances of everyone at a company, newest first.
pub async fn acceptances_at_company(db: &Db, company_id: i64) -> Result<Vec<NdaAcceptanceRecord>, AppError> {
    acceptances_where(db, "a.prospect_id in (select id from prospects where company_id = $1)", company_id).await
}

/// The acceptances `condition` (on `a`, with one `$1`) keeps, newest first.
async fn acceptances_where(db: &Db, condition: &str, bind: i64) -> Result<Vec<NdaAcceptanceRecord>, AppError> {
    let rows: Vec<AcceptanceRow> = sqlx::query_as(&format!(
        "select a.id, v.version, v.title, a.text_sha256, a.typed_name, a.typed_title, a.email, a.company, a.accepted_at, \
         a.ip, a.user_agent, a.status from nda_acceptances a join nda_versions v on v.id = a.nda_version_id \
         where {condition} order by a.accepted_at desc, a.id desc"
    ))
    .bind(bind)
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| NdaAcceptanceRecord {
            id: r.id,
            version: r.version,
            title: r.title,
            text_sha256: r.text_sha256,
            typed_name: r.typed_name,
            typed_title: r.typed_title,
            email: r.email,
            company: r.company,
            accepted_at: Timestamp(r.accepted_at),
            ip: r.ip,
            user_agent: r.user_agent,
            status: r.status,
        })
        .collect())
}

/// Every version, newest first, with how many acceptances each has and which is current.
pub async fn list_versions(db: &Db) -> Result<Vec<NdaVersionSummary>, AppError> {
    let current = current(db).await?.map(|c| c.id);
    let rows: Vec<(i64, i64, String, Option<i64>, i64)> = sqlx::query_as(
        "select v.id, v.version, v.title, v.published_at, \
         (select count(*) from nda_acceptances a where a.nda_version_id = v.id) \
         from nda_versions v order by v.version desc",
    )
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, version, title, published_at, acceptances)| NdaVersionSummary {
            id,
            version,
            title,
            published_at: published_at.map(Timestamp),
            acceptances,
            is_current: Some(id) == current,
        })
        .collect())
}

fn validate_text(title: &str, body: &str) -> Result<(String, String), AppError> {
    let title = short_text(title, "title", 200).map_err(|m| AppError::field("title", m))?;
    let body = body.trim().replace("\r\n", "\n");
    if body.len() < 40 {
        return Err(AppError::field("body", "Write the agreement's full text (Markdown)."));
    }
    if body.len() > 100_000 {
        return Err(AppError::field("body", "The text is too long (100,000 characters at most)."));
    }
    Ok((title, body))
}

/// Creates a draft (the next version number) or edits one. Published versions never change.
pub async fn save_draft(
    state: &AppState,
    meta: &RequestMeta,
    actor: &audit::Actor,
    id: Option<i64>,
    title: &str,
    body: &str,
) -> Result<i64, AppError> {
    let (title, body) = validate_text(title, body)?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let id = match id {
        Some(id) => {
            let updated = sqlx::query(
                "update nda_versions set title = $1, body_markdown = $2, updated_at = $3 where id = $4 and published_at is null",
            )
            .bind(&title)
            .bind(&body)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() != 1 {
                return Err(AppError::invalid("Published versions cannot be edited; start a new version instead."));
            }
            id
        }
        None => {
            let (next,): (i64,) =
                sqlx::query_as("select coalesce(max(version), 0) + 1 from nda_versions").fetch_one(&mut *tx).await?;
            let (id,): (i64,) = sqlx::query_as(
                "insert into nda_versions (version, title, body_markdown, created_at, updated_at) values ($1, $2, $3, $4, $4) \
                 returning id",
            )
            .bind(next)
            .bind(&title)
            .bind(&body)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            id
        }
    };
    let event = Event {
        actor,
        event: "nda.draft_saved",
        object: format!("nda_version:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "title": title, "sha256": text_sha256(&title, &body) }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Publishes a draft: from now on new requests and downloads need this version. Earlier
/// acceptances are marked superseded, never deleted.
pub async fn publish(state: &AppState, meta: &RequestMeta, actor: &audit::Actor, id: i64) -> Result<(), AppError> {
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let newest: (i64,) =
        sqlx::query_as("select coalesce(max(version), 0) from nda_versions").fetch_one(&mut *tx).await?;
    let row: Option<(i64, Option<i64>)> =
        sqlx::query_as("select version, published_at from nda_versions where id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    match row {
        None => return Err(AppError::NotFound),
        Some((_, Some(_))) => return Err(AppError::invalid("This version is already published.")),
        Some((version, None)) if version != newest.0 => {
            return Err(AppError::invalid("Only the newest version can be published."))
        }
        _ => {}
    }
    sqlx::query("update nda_versions set published_at = $1, updated_at = $1 where id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let superseded = sqlx::query(
        "update nda_acceptances set status = 'superseded', status_changed_at = $1 where status = 'active' and nda_version_id <> $2",
    )
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let event = Event {
        actor,
        event: "nda.published",
        object: format!("nda_version:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({ "superseded_acceptances": superseded.rows_affected() }),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_sanitised() {
        let html = render_markdown(
            "# Terms\n\nBe **nice**. <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<h1>Terms</h1>") && html.contains("<strong>nice</strong>"));
        assert!(!html.contains("<script") && !html.contains("javascript:") && !html.contains("onerror"));
    }

    #[test]
    fn the_fingerprint_covers_title_and_body() {
        assert_ne!(text_sha256("A", "body"), text_sha256("B", "body"));
        assert_ne!(text_sha256("A", "body"), text_sha256("A", "body."));
        assert_eq!(text_sha256("A", "body").len(), 64);
    }

    #[test]
    fn the_pdf_record_carries_the_text() {
        let blocks = markdown_blocks("## 1. Purpose\n\nThe parties agree.\n\n- one\n- two\n");
        assert_eq!(blocks.len(), 4);
    }
}
