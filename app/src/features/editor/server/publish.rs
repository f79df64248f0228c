//! Previewing and publishing the working copy: which sections differ from the public page, the
//! preview, one publish in one transaction (with the draft updates it proposes and its log row).

use super::Editing;
use crate::{
    error::AppError,
    features::{
        trust_center::{
            model::{TrustCenterContent, TrustPage},
            server as tc,
        },
        updates::model::UpdateKind,
    },
    ssr::AppState,
    types::{IsoDate, Timestamp},
};

/// Which sections of the public page the working copy changes.
pub fn changed_sections(working: &TrustCenterContent, published: Option<&TrustCenterContent>) -> Vec<String> {
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
pub async fn publish(edit: &Editing<'_>) -> Result<Vec<String>, AppError> {
    let db = &edit.state.db;
    let working = tc::load_working(db, IsoDate::today_utc()).await?;
    let published = tc::load_published(db).await?.map(|(c, _)| c);
    let sections = changed_sections(&working, published.as_ref());
    if sections.is_empty() {
        return Err(AppError::invalid("Nothing to publish: the public page already shows every change."));
    }
    // One transaction: the new version, the draft updates it proposes and its log row, or none.
    let mut tx = db.begin().await?;
    tc::publish_content(&mut tx, &working, edit.actor.id).await?;
    let proposals = proposed_updates(published.as_ref(), &working);
    crate::features::updates::server::propose(&mut tx, edit.actor, &proposals).await?;
    let details = serde_json::json!({ "sections": sections });
    edit.log(&mut tx, "trust_center.published", "trust_center".into(), details).await?;
    tx.commit().await?;
    crate::ssr::signals::changed(edit.state, crate::ssr::signals::Signal::PublicPage).await;
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
