//! Prospects: no password, ever. A sign-in link is mailed; the link opens a page whose POST
//! confirms it (mail scanners fetch links with GET, so GET must not consume anything).

use super::{
    compose_mail,
    email_tokens::{self, Purpose},
    prospect_actor,
};
use crate::{
    error::AppError,
    features::accounts::model::ProspectUser,
    ssr::{
        audit::{self, Actor, Event, Outcome},
        auth::{self, SessionAuth},
        mail,
        rate_limit::Action,
        request_meta::RequestMeta,
        AppState,
    },
    types::{EmailAddress, LocalPath, Timestamp},
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

/// What a visitor typed to get a link.
#[derive(Debug, Clone)]
pub struct LinkRequest {
    pub email: EmailAddress,
    pub name: String,
    pub company: String,
    pub next: Option<LocalPath>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct LinkPayload {
    name: String,
    company: String,
    next: Option<String>,
}

/// Mails a sign-in link. Whether or not the address is known, the answer is the same: a new
/// address gets an account when it confirms, a known one simply signs in.
pub async fn request_link(state: &AppState, meta: &RequestMeta, req: LinkRequest) -> Result<(), AppError> {
    state.rate_limits.check(Action::SignInLink, meta.ip.parse().ok(), req.email.as_str())?;
    crate::ssr::shared_limits::check(&state.db, Action::SignInLink, meta.ip.parse().ok(), req.email.as_str()).await?;
    let payload = LinkPayload {
        name: req.name.clone(),
        company: req.company.clone(),
        next: req.next.as_ref().map(|p| p.as_str().to_string()),
    };
    let mut tx = state.db.begin().await?;
    let token = email_tokens::issue(
        &mut tx,
        Purpose::ProspectSignIn,
        req.email.as_str(),
        serde_json::to_value(&payload).unwrap_or_default(),
    )
    .await?;
    let link = state.config.base_url.join(&format!("/sign-in/confirm?token={}", token.expose()));
    // Nothing the requester typed goes into the mail: until the address is confirmed, anyone
    // could have asked, and the name field would let a stranger write to any inbox in our name.
    let mail = compose_mail(
        state,
        "sign_in_link",
        req.email.as_str(),
        "",
        serde_json::json!({ "link": link, "minutes": Purpose::ProspectSignIn.lifetime_minutes() }),
    )
    .await?;
    mail::enqueue(&mut tx, &mail).await?;
    tx.commit().await?;
    state.mailer.wake.notify_one();
    // Anyone can ask for links: limited and aggregated like other anonymous events (the first per
    // source and window is written; the rest are counted, with up to ten of the addresses).
    let actor = Actor { label: req.email.as_str().to_string(), ..Actor::anonymous() };
    let details = serde_json::json!({ "company": req.company });
    let event = "prospect.sign_in_link_requested";
    let object = format!("email:{}", req.email);
    state.refusals.note_by(&state.db, meta, &actor, event, Outcome::Success, object, details).await;
    Ok(())
}

/// Confirms a link: verifies the address, creates or updates the prospect, starts a session.
/// Returns where to go next.
pub async fn confirm(state: &AppState, meta: &RequestMeta, session: &Session, token: &str) -> Result<String, AppError> {
    let mut tx = state.db.begin().await?;
    let redeemed = match email_tokens::redeem(&mut tx, Purpose::ProspectSignIn, token).await {
        Ok(r) => r,
        Err(err) => {
            drop(tx);
            // Anyone can post junk tokens: limited and aggregated, like other anonymous refusals.
            let details = serde_json::json!({ "reason": "unusable link" });
            let noted = state.refusals.note(&state.db, meta, "prospect.sign_in", String::new(), details).await;
            return Err(if noted == crate::ssr::refusals::Noted::Throttled { AppError::RateLimited } else { err });
        }
    };
    let payload: LinkPayload = serde_json::from_value(redeemed.payload).unwrap_or_default();
    let now = Timestamp::now().0;
    // First confirmation creates the account; later ones keep the stored name and company.
    let (id, email, name, company): (i64, String, String, String) = sqlx::query_as(
        "insert into prospects (email, name, company, email_verified_at, last_sign_in_at, created_at, updated_at) \
         values ($1, $2, $3, $4, $4, $4, $4) \
         on conflict (email) do update set last_sign_in_at = excluded.last_sign_in_at, \
         email_verified_at = coalesce(prospects.email_verified_at, excluded.email_verified_at) \
         returning id, email, name, company",
    )
    .bind(&redeemed.email)
    .bind(&payload.name)
    .bind(&payload.company)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let prospect = ProspectUser { id, email, name, company };
    let actor = prospect_actor(&prospect);
    let event = Event {
        actor: &actor,
        event: "prospect.sign_in",
        object: format!("prospect:{id}"),
        outcome: Outcome::Success,
        details: serde_json::json!({}),
    };
    audit::record(&mut tx, meta, event).await?;
    tx.commit().await?;
    auth::establish(session, SessionAuth::Prospect { id, since: now }, meta).await?;
    Ok(payload.next.and_then(|n| LocalPath::parse(&n)).map(|p| p.as_str().to_string()).unwrap_or("/account".into()))
}
