//! Updates and subscriptions: staff drafts and publishing (mails queued in the same
//! transaction, each subscriber once), double opt-in, one-click unsubscribe, and the Atom feed.

use super::model::*;
use crate::ssr::db::Tx;
use crate::{
    error::AppError,
    features::trust_center::model::PublicUpdate,
    forms::field_errors,
    ssr::{
        audit::{self, Actor, Event, Outcome},
        db::Db,
        mail,
        rate_limit::Action,
        request_meta::RequestMeta,
        tokens::Token,
        AppState,
    },
    types::{long_text, short_line, EmailAddress, Timestamp},
};
use sqlx::FromRow;

/// How long a confirmation link works.
const CONFIRM_SECONDS: i64 = 48 * 3600;

#[derive(FromRow)]
struct Row {
    id: i64,
    kind: String,
    title: String,
    body: String,
    status: String,
    proposed: i64,
    published_at: Option<i64>,
    created_by: String,
}

const SELECT: &str = "select id, kind, title, body, status, proposed, published_at, created_by from updates";

fn item(r: Row) -> UpdateItem {
    UpdateItem {
        id: r.id,
        kind: r.kind,
        title: r.title,
        body: r.body,
        published: r.status == "published",
        proposed: r.proposed != 0,
        published_at: r.published_at,
        created_by: r.created_by,
    }
}

fn label(kind: &str) -> String {
    UpdateKind::parse(kind).map(|k| k.label().to_string()).unwrap_or_else(|_| kind.to_string())
}

/// Published updates, newest first.
pub async fn public_updates(db: &Db, limit: i64) -> Result<Vec<PublicUpdate>, AppError> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} where status = 'published' order by published_at desc, id desc limit $1"))
            .bind(limit)
            .fetch_all(db.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| PublicUpdate {
            id: r.id,
            kind_label: label(&r.kind),
            kind: r.kind,
            title: r.title,
            body: r.body,
            published_at: Timestamp(r.published_at.unwrap_or_default()),
        })
        .collect())
}

/// The staff page: every update (drafts first, then newest first) and how many confirmed
/// subscribers follow each topic.
pub async fn admin(db: &Db) -> Result<UpdatesOverview, AppError> {
    let rows: Vec<Row> =
        sqlx::query_as(&format!("{SELECT} order by status, coalesce(published_at, created_at) desc, id desc"))
            .fetch_all(db.pool())
            .await?;
    let topics: Vec<(String,)> =
        sqlx::query_as("select topics from subscribers where confirmed_at is not null and unsubscribed_at is null")
            .fetch_all(db.pool())
            .await?;
    let subscribers = UpdateKind::ALL
        .iter()
        .map(|k| {
            (k.code().to_string(), topics.iter().filter(|(t,)| t.split(',').any(|x| x == k.code())).count() as i64)
        })
        .collect();
    Ok(UpdatesOverview { items: rows.into_iter().map(item).collect(), subscribers })
}

/// What the update form posts.
#[derive(Debug, Clone, Default)]
pub struct UpdateInput {
    pub kind: String,
    pub title: String,
    pub body: String,
}

fn validate(input: &UpdateInput) -> Result<(UpdateKind, String, String), AppError> {
    let kind = UpdateKind::parse(&input.kind);
    let title = short_line(&input.title, "title", 150);
    // The same rules as every staff text; only the empty case is worded for an update.
    let body = long_text(&input.body, "text", 5_000).map_err(|m| {
        if input.body.trim().is_empty() {
            "Write what changed.".to_string()
        } else {
            m
        }
    });
    let mut problems = Vec::new();
    if let Err(m) = &kind {
        problems.push(("kind", m.clone()));
    }
    if let Err(m) = &title {
        problems.push(("title", m.clone()));
    }
    if let Err(m) = &body {
        problems.push(("body", m.clone()));
    }
    match (kind, title, body) {
        (Ok(kind), Ok(title), Ok(body)) if problems.is_empty() => Ok((kind, title, body)),
        _ => Err(field_errors(problems)),
    }
}

async fn get(db: &Db, id: i64) -> Result<UpdateItem, AppError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("{SELECT} where id = $1")).bind(id).fetch_optional(db.pool()).await?;
    row.map(item).ok_or(AppError::NotFound)
}

/// Creates or edits a draft. Published updates are not rewritten: post a correction instead.
pub async fn save(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    id: Option<i64>,
    input: &UpdateInput,
) -> Result<i64, AppError> {
    let (kind, title, body) = validate(input)?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    let id = match id {
        Some(id) => {
            // Conditional on still being a draft: a publish that raced this edit wins.
            let done = sqlx::query(
                "update updates set kind = $1, title = $2, body = $3, updated_at = $4 where id = $5 and status = 'draft'",
            )
            .bind(kind.code())
            .bind(&title)
            .bind(&body)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                get(&state.db, id).await?;
                return Err(AppError::invalid(
                    "A published update is not rewritten; post a new update with the correction.",
                ));
            }
            id
        }
        None => {
            let (id,): (i64,) = sqlx::query_as(
                "insert into updates (kind, title, body, status, created_by, created_at, updated_at) values ($1, $2, $3, 'draft', $4, $5, $5) returning id",
            )
            .bind(kind.code())
            .bind(&title)
            .bind(&body)
            .bind(&actor.label)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            id
        }
    };
    let details = serde_json::json!({ "kind": kind.code(), "title": title });
    let event = Event {
        actor,
        event: "update.draft_saved",
        object: format!("update:{id}"),
        outcome: Outcome::Success,
        details,
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a draft, logged in the same transaction; a published update is refused (it stays in
/// the feed; a correction is a new update).
pub async fn delete_draft(state: &AppState, meta: &RequestMeta, actor: &Actor, id: i64) -> Result<(), AppError> {
    let before = get(&state.db, id).await?;
    if before.published {
        return Err(AppError::invalid("A published update stays in the feed; post a new update with the correction."));
    }
    let mut tx = state.db.begin().await?;
    let done = sqlx::query("delete from updates where id = $1 and status = 'draft'").bind(id).execute(&mut *tx).await?;
    if done.rows_affected() != 1 {
        return Err(AppError::invalid("A published update stays in the feed; post a new update with the correction."));
    }
    let details = serde_json::json!({ "title": before.title });
    let event = Event {
        actor,
        event: "update.draft_deleted",
        object: format!("update:{id}"),
        outcome: Outcome::Success,
        details,
    };
    audit::record(&mut tx, meta, event).await?;
    Ok(tx.commit().await?)
}

fn unsubscribe_urls(base: &str, token: &str) -> (String, String) {
    (
        format!("{base}/updates/unsubscribe?token={token}"),
        format!("{base}{}?token={token}", crate::paths::UPDATES_ONE_CLICK),
    )
}

/// Publishes a draft: it joins the public feed, and every confirmed subscriber to its topic is
/// mailed once, through the outbox, in the same transaction. Returns how many mails were queued.
pub async fn publish(state: &AppState, meta: &RequestMeta, actor: &Actor, id: i64) -> Result<usize, AppError> {
    let update = get(&state.db, id).await?;
    if update.published {
        return Err(AppError::invalid("This update is already published."));
    }
    let base = state.config.base_url.as_str().trim_end_matches('/').to_string();
    let branding = crate::features::trust_center::server::branding(&state.db, &base).await?;
    let subscribers: Vec<(i64, String, String, String)> = sqlx::query_as(
        "select id, email, topics, unsubscribe_token from subscribers where confirmed_at is not null and unsubscribed_at is null order by id",
    )
    .fetch_all(state.db.pool())
    .await?;
    let now = Timestamp::now();
    let mut tx = state.db.begin().await?;
    let done = sqlx::query("update updates set status = 'published', published_at = $1, updated_at = $1 where id = $2 and status = 'draft'")
        .bind(now.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::invalid("This update is already published."));
    }
    let mut queued = 0;
    for (sid, email, _, token) in
        subscribers.iter().filter(|(_, _, topics, _)| topics.split(',').any(|x| x == update.kind))
    {
        let (page, one_click) = unsubscribe_urls(&base, token);
        let vars = serde_json::json!({
            "title": update.title,
            "kind": label(&update.kind),
            "date": now.long(),
            "body": update.body,
            "paragraphs": update.body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect::<Vec<_>>(),
            "trust_url": format!("{base}/#update-{id}"),
            "unsubscribe_url": page,
        });
        let mut mail = mail::compose(&state.templates, &branding, "update_published", email, "", vars)?;
        mail.headers.insert("List-Unsubscribe".into(), format!("<{one_click}>"));
        mail.headers.insert("List-Unsubscribe-Post".into(), "List-Unsubscribe=One-Click".into());
        let mail_id = mail::enqueue(&mut tx, &mail).await?;
        sqlx::query("insert into update_deliveries (update_id, subscriber_id, mail_id) values ($1, $2, $3)")
            .bind(id)
            .bind(sid)
            .bind(mail_id)
            .execute(&mut *tx)
            .await?;
        queued += 1;
    }
    let details = serde_json::json!({ "kind": update.kind, "title": update.title, "mails": queued });
    audit::record(
        &mut tx,
        meta,
        Event { actor, event: "update.published", object: format!("update:{id}"), outcome: Outcome::Success, details },
    )
    .await?;
    tx.commit().await?;
    crate::ssr::signals::changed(state, crate::ssr::signals::Signal::PublicPage).await;
    Ok(queued)
}

/// Drafts updates for staff to review (marked as proposed automatically): (kind, title, text).
pub async fn propose(tx: &mut Tx, actor: &Actor, drafts: &[(UpdateKind, String, String)]) -> Result<usize, AppError> {
    let now = Timestamp::now().0;
    for (kind, title, body) in drafts {
        sqlx::query(
            "insert into updates (kind, title, body, status, proposed, created_by, created_at, updated_at) values ($1, $2, $3, 'draft', 1, $4, $5, $5)",
        )
        .bind(kind.code())
        .bind(title)
        .bind(body)
        .bind(&actor.label)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(drafts.len())
}

/// Asks for update mails: a confirmation mail is sent; nothing else happens until the link is
/// used. The answer is the same whether or not the address is already subscribed.
pub async fn subscribe(
    state: &AppState,
    meta: &RequestMeta,
    email: &str,
    topics: &[UpdateKind],
) -> Result<(), AppError> {
    let email = EmailAddress::parse(email).map_err(|m| AppError::field("email", m))?;
    if topics.is_empty() {
        return Err(AppError::field("topics", "Choose at least one kind of update."));
    }
    state.rate_limits.check(Action::Subscribe, meta.ip.parse().ok(), email.as_str())?;
    crate::ssr::shared_limits::check(&state.db, Action::Subscribe, meta.ip.parse().ok(), email.as_str()).await?;
    let topics_text = topics.iter().map(|k| k.code()).collect::<Vec<_>>().join(",");
    let token = Token::generate();
    let now = Timestamp::now().0;
    let base = state.config.base_url.as_str().trim_end_matches('/').to_string();
    let branding = crate::features::trust_center::server::branding(&state.db, &base).await?;
    let labels = topics.iter().map(|k| k.label().to_lowercase()).collect::<Vec<_>>().join(", ");
    let link = format!("{base}/updates/confirm?token={}", token.expose());
    let mail = mail::compose(
        &state.templates,
        &branding,
        "subscription_confirm",
        email.as_str(),
        "",
        serde_json::json!({ "topics": labels, "link": link }),
    )?;
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "insert into subscribers (email, pending_topics, confirm_token_hash, confirm_expires_at, unsubscribe_token, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $6) on conflict (email) do update set pending_topics = excluded.pending_topics, \
         confirm_token_hash = excluded.confirm_token_hash, confirm_expires_at = excluded.confirm_expires_at, updated_at = excluded.updated_at",
    )
    .bind(email.as_str())
    .bind(&topics_text)
    .bind(token.hash())
    .bind(now + CONFIRM_SECONDS)
    .bind(Token::generate().expose())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    mail::enqueue(&mut tx, &mail).await?;
    tx.commit().await?;
    Ok(())
}

/// Uses a confirmation token (by POST): the subscription starts with the topics asked for.
pub async fn confirm(state: &AppState, meta: &RequestMeta, token: &str) -> Result<(), AppError> {
    let invalid =
        || AppError::invalid("This confirmation link is not valid any more. Subscribe again to get a new one.");
    let token = Token::parse(token).ok_or_else(invalid)?;
    let now = Timestamp::now().0;
    let row: Option<(i64, String)> = sqlx::query_as(
        "select id, pending_topics from subscribers where confirm_token_hash = $1 and confirm_expires_at > $2",
    )
    .bind(token.hash())
    .bind(now)
    .fetch_optional(state.db.pool())
    .await?;
    let (id, topics) = row.ok_or_else(invalid)?;
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "update subscribers set topics = $1, confirmed_at = $2, unsubscribed_at = null, confirm_token_hash = null, \
         confirm_expires_at = null, updated_at = $2 where id = $3",
    )
    .bind(&topics)
    .bind(now)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let actor = Actor::anonymous();
    let details = serde_json::json!({ "topics": topics });
    audit::record(
        &mut tx,
        meta,
        Event {
            actor: &actor,
            event: "subscription.confirmed",
            object: format!("subscriber:{id}"),
            outcome: Outcome::Success,
            details,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends a subscription from the token in any update mail. Unknown tokens are refused.
pub async fn unsubscribe(state: &AppState, meta: &RequestMeta, token: &str) -> Result<(), AppError> {
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(AppError::invalid("This unsubscribe link is not valid."));
    }
    let row: Option<(i64,)> = sqlx::query_as("select id from subscribers where unsubscribe_token = $1")
        .bind(token)
        .fetch_optional(state.db.pool())
        .await?;
    let (id,) = row.ok_or_else(|| AppError::invalid("This unsubscribe link is not valid."))?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    sqlx::query("update subscribers set unsubscribed_at = coalesce(unsubscribed_at, $1), confirmed_at = null, topics = '', updated_at = $1 where id = $2")
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let actor = Actor::anonymous();
    audit::record(
        &mut tx,
        meta,
        Event {
            actor: &actor,
            event: "subscription.ended",
            object: format!("subscriber:{id}"),
            outcome: Outcome::Success,
            details: serde_json::json!({}),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

fn xml(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// The Atom feed (RFC 4287) of published updates. Written by hand: a few escaped elements, no
/// crate needed.
pub fn atom(site_url: &str, company: &str, updates: &[PublicUpdate]) -> String {
    let base = site_url.trim_end_matches('/');
    let updated = updates.first().map(|u| u.published_at.rfc3339()).unwrap_or_else(|| Timestamp(0).rfc3339());
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <id>{base}/updates.atom</id>\n  <title>{} Trust Center updates</title>\n  <updated>{updated}</updated>\n  <link rel=\"self\" href=\"{base}/updates.atom\"/>\n  <link rel=\"alternate\" type=\"text/html\" href=\"{base}/\"/>\n  <author><name>{}</name></author>\n",
        xml(company),
        xml(company)
    );
    for u in updates {
        out.push_str(&format!(
            "  <entry>\n    <id>{base}/#update-{id}</id>\n    <title>{}</title>\n    <updated>{at}</updated>\n    <published>{at}</published>\n    <link rel=\"alternate\" type=\"text/html\" href=\"{base}/#update-{id}\"/>\n    <category term=\"{}\" label=\"{}\"/>\n    <content type=\"text\">{}</content>\n  </entry>\n",
            xml(&u.title),
            xml(&u.kind),
            xml(&u.kind_label),
            xml(&u.body),
            id = u.id,
            at = u.published_at.rfc3339(),
        ));
    }
    out.push_str("</feed>\n");
    out
}
