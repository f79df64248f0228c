//! SOC 2 as data, and the other frameworks.

use super::status_tone;
use crate::{
    components::Badge,
    features::documents::model::{PublicDocument, Visibility},
    features::trust_center::{
        domain::{Freshness, FreshnessStatus, TscCategory},
        model::{Framework, Soc2Report, TrustPage},
    },
};
use leptos::prelude::*;

/// Current / covered by a bridge letter / stale, with the date that makes it so.
#[component]
pub fn FreshnessBadge(freshness: Freshness) -> impl IntoView {
    let (tone, text) = match freshness.status {
        FreshnessStatus::Current { until } => ("good", format!("Current until {}", until.long())),
        FreshnessStatus::Bridged { covered_until } => ("warn", format!("Bridge letter to {}", covered_until.long())),
        FreshnessStatus::Stale { since } => ("bad", format!("Stale since {}", since.long())),
    };
    view! { <Badge tone text /> }
}

/// The compliance section: the SOC 2 report with its freshness, then the other frameworks with
/// their status and document.
#[component]
pub fn CompliancePanel(page: TrustPage) -> impl IntoView {
    let soc2 = page.content.soc2.clone().zip(page.soc2_freshness).map(|(report, freshness)| {
        view! { <Soc2Card report freshness bridge=page.content.bridge_letter.clone() /> }.into_any()
    });
    let frameworks: Vec<_> = page
        .content
        .frameworks
        .iter()
        .cloned()
        .zip(page.framework_statuses.iter().copied())
        .map(|(framework, status)| {
            let document = framework
                .document_slug
                .as_ref()
                .and_then(|slug| page.documents.iter().find(|d| &d.slug == slug))
                .cloned();
            view! { <FrameworkCard framework status document /> }
        })
        .collect();
    view! {
        <section id="compliance" class="section" aria-labelledby="compliance-title">
            <div class="wrap">
                <h2 id="compliance-title">"Compliance"</h2>
                {soc2
                    .unwrap_or_else(|| {
                        view! { <p class="muted">"No SOC 2 report has been published yet."</p> }.into_any()
                    })}
                <h3 class="subhead">"Certifications and attestations"</h3>
                <ul class="card-grid">{frameworks}</ul>
            </div>
        </section>
    }
}

#[component]
fn Soc2Card(
    report: Soc2Report,
    freshness: Freshness,
    bridge: Option<crate::features::trust_center::model::BridgeLetter>,
) -> impl IntoView {
    let months = freshness.months_since_period_end;
    let age = match months {
        0 => "The period ended less than a month ago.".to_string(),
        1 => "The period ended 1 month ago.".to_string(),
        n => format!("The period ended {n} months ago."),
    };
    let criteria: Vec<_> = TscCategory::ALL
        .into_iter()
        .map(|c| {
            let in_scope = report.tsc_in_scope.contains(&c);
            view! {
                <li class=if in_scope { "tsc in-scope" } else { "tsc" }>
                    <span class="tsc-mark" aria-hidden="true">
                        {if in_scope { "✓" } else { "–" }}
                    </span>
                    <span class="tsc-name">{c.label()}</span>
                    <span class="tsc-state">{if in_scope { "In scope" } else { "Not in scope" }}</span>
                    <span class="tsc-summary">{c.summary()}</span>
                </li>
            }
        })
        .collect();
    let orgs: Vec<_> = report
        .subservice_organizations
        .iter()
        .map(|o| {
            view! {
                <tr>
                    <th scope="row">{o.name.clone()}</th>
                    <td>{o.services.clone()}</td>
                    <td>{o.treatment.label()}</td>
                </tr>
            }
        })
        .collect();
    let cuecs: Vec<_> =
        report.complementary_user_entity_controls.iter().map(|c| view! { <li>{c.clone()}</li> }).collect();
    let org_count = orgs.len();
    let cuec_count = cuecs.len();
    let period = if report.period.start == report.period.end {
        format!("As of {}", report.period.end.long())
    } else {
        format!("{} – {}", report.period.start.long(), report.period.end.long())
    };
    let bridge_note = bridge.filter(|_| matches!(freshness.status, FreshnessStatus::Bridged { .. })).map(|b| {
        view! {
            <p class="note">
                {format!(
                    "A bridge letter issued {} states that no material changes occurred from the end of the period until {}.",
                    b.issued_on.long(),
                    b.covered_until.long(),
                )}
            </p>
        }
    });
    let report_link = report.document_slug.clone().map(|slug| {
        view! {
            <a class="button" href=format!("/documents/{slug}/request")>
                "Request the full report"
            </a>
        }
    });
    view! {
        <article class="card soc2" aria-labelledby="soc2-title">
            <header class="card-head">
                <h3 id="soc2-title">{format!("SOC 2 {}", report.report_type.label())}</h3>
                <FreshnessBadge freshness />
            </header>
            <dl class="kv">
                <div><dt>"Report type"</dt><dd>{report.report_type.label()}</dd></div>
                <div><dt>"Examination period"</dt><dd>{period}</dd></div>
                <div><dt>"Audit firm"</dt><dd>{report.audit_firm.clone()}</dd></div>
                <div>
                    <dt>"Opinion"</dt>
                    <dd>
                        <strong>{report.opinion.label()}</strong>
                        {format!(" — {}", report.opinion.meaning())}
                    </dd>
                </div>
                <div><dt>"Report date"</dt><dd>{report.report_date.long()}</dd></div>
                <div><dt>"Freshness"</dt><dd>{age}</dd></div>
            </dl>
            {bridge_note}
            <h4>"Trust Services Criteria"</h4>
            <ul class="tsc-list">{criteria}</ul>
            <details>
                <summary>{format!("Subservice organizations ({org_count})")}</summary>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Organization"</th>
                            <th scope="col">"Services"</th>
                            <th scope="col">"Treatment"</th>
                        </tr>
                    </thead>
                    <tbody>{orgs}</tbody>
                </table>
            </details>
            <details>
                <summary>{format!("Complementary user entity controls ({cuec_count})")}</summary>
                <p class="muted">"Controls the report assumes customers operate themselves."</p>
                <ul class="bullets">{cuecs}</ul>
            </details>
            {report_link}
        </article>
    }
}

#[component]
fn FrameworkCard(
    framework: Framework,
    status: crate::features::trust_center::domain::FrameworkStatus,
    document: Option<PublicDocument>,
) -> impl IntoView {
    let dates = match (framework.issued_on, framework.valid_until) {
        (Some(from), Some(until)) => Some(format!("{} – valid until {}", from.long(), until.long())),
        (None, Some(until)) => Some(format!("Valid until {}", until.long())),
        (Some(from), None) => Some(format!("Since {}", from.long())),
        (None, None) => None,
    };
    let link = document.map(|d| {
        let text = match d.visibility {
            Visibility::Public => "Download",
            Visibility::Restricted => "Request access",
        };
        view! { <a href=d.href()>{text} <span class="visually-hidden">{format!(": {}", d.title)}</span></a> }
    });
    view! {
        <li class="card framework">
            <header class="card-head">
                <h4>{framework.name.clone()}</h4>
                <Badge tone=status_tone(status) text=status.label() />
            </header>
            <p class="framework-evidence">
                {framework.evidence.clone()}
                {framework.issuer.clone().map(|i| format!(" · {i}"))}
            </p>
            {dates.map(|d| view! { <p class="framework-dates">{d}</p> })}
            <p>{framework.description.clone()}</p>
            {link}
        </li>
    }
}
