//! The public trust page.

mod compliance;
mod controls;
mod lists;

use super::{
    api::get_trust_page,
    model::{Section, TrustPage},
};
use crate::components::{Branding, ErrorPanel, PublicLayout};
use compliance::{CompliancePanel, FreshnessBadge};
use controls::ControlsExplorer;
use leptos::prelude::*;
use leptos_meta::{Link, Meta, Title};
use lists::{DocumentList, FaqList, SubprocessorList};

/// `/`: the published trust center, or an error page (not found before the first publish).
#[component]
pub fn TrustCenterPage() -> impl IntoView {
    // A bare `Suspend` (not a `Resource`): the page is rendered whole on the server and never
    // re-rendered in the browser, so there is nothing to serialise for hydration.
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match get_trust_page().await {
                    Ok(page) => view! { <TrustCenterView page /> }.into_any(),
                    Err(error) => {
                        view! {
                            <main id="main" class="wrap narrow">
                                <ErrorPanel error />
                            </main>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// The whole public page for `page`, with its meta tags: what `/` serves and the editor's preview
/// shows.
#[component]
pub fn TrustCenterView(page: TrustPage) -> impl IntoView {
    let company = &page.content.company;
    let title = format!("{} Trust Center", company.name);
    let description = format!(
        "Security, compliance and privacy at {}: SOC 2 reports, certifications, controls, subprocessors and documents.",
        company.name
    );
    let canonical = format!("{}/", page.site_url);
    let og_image = company.logo_url.as_ref().map(|u| format!("{}{}", page.site_url, u));
    let branding = Branding::from_company(company);
    let sections: Vec<_> = company.sections.iter().map(|s| render_section(*s, &page)).collect();
    view! {
        <Title text=title.clone() />
        <Meta name="description" content=description.clone() />
        <Link rel="canonical" href=canonical.clone() />
        <Meta property="og:type" content="website" />
        <Meta property="og:site_name" content=title.clone() />
        <Meta property="og:title" content=title />
        <Meta property="og:description" content=description />
        <Meta property="og:url" content=canonical />
        {og_image.map(|src| view! { <Meta property="og:image" content=src /> })}
        <PublicLayout branding>
            <Hero page=page.clone() />
            {sections}
            <crate::features::ask::views::AskSection />
            <crate::features::updates::views::UpdatesSection updates=page.updates.clone() />
        </PublicLayout>
    }
}

fn render_section(section: Section, page: &TrustPage) -> AnyView {
    match section {
        Section::Compliance => view! { <CompliancePanel page=page.clone() /> }.into_any(),
        Section::Documents => view! { <DocumentList documents=page.documents.clone() /> }.into_any(),
        Section::Controls => view! { <ControlsExplorer groups=page.controls_by_category() /> }.into_any(),
        Section::Subprocessors => {
            view! { <SubprocessorList subprocessors=page.content.subprocessors.clone() /> }.into_any()
        }
        Section::Faq => view! { <FaqList faqs=page.content.faqs.clone() /> }.into_any(),
    }
}

/// Company header: who they are, whom to contact, how fresh this is, and the headline standing.
#[component]
fn Hero(page: TrustPage) -> impl IntoView {
    let company = page.content.company.clone();
    let highlights: Vec<_> = page
        .content
        .frameworks
        .iter()
        .zip(page.framework_statuses.iter())
        .filter(|(f, _)| f.valid_until.is_some() || f.issued_on.is_some())
        .map(|(f, status)| {
            view! {
                <li>
                    <span class="highlight-name">{f.name.clone()}</span>
                    <span class=format!("dot dot-{}", status_tone(*status))></span>
                    <span class="highlight-status">{status.label()}</span>
                </li>
            }
        })
        .collect();
    let soc2 = page.content.soc2.clone().zip(page.soc2_freshness).map(|(report, freshness)| {
        view! {
            <li>
                <span class="highlight-name">{format!("SOC 2 {}", report.report_type.label())}</span>
                <FreshnessBadge freshness />
            </li>
        }
    });
    view! {
        <section class="hero" aria-labelledby="page-title">
            <div class="wrap hero-inner">
                <div class="hero-text">
                    <h1 id="page-title">{format!("{} Trust Center", company.name)}</h1>
                    <p class="lead">{company.description.clone()}</p>
                    <dl class="facts">
                        <div>
                            <dt>"Security contact"</dt>
                            <dd>
                                <a href=format!(
                                    "mailto:{}",
                                    company.security_contact_email,
                                )>{company.security_contact_email.clone()}</a>
                            </dd>
                        </div>
                        <div>
                            <dt>"Last updated"</dt>
                            <dd>
                                <time datetime=page.published_at.rfc3339()>{page.published_at.date().long()}</time>
                            </dd>
                        </div>
                        <div>
                            <dt>"Website"</dt>
                            <dd>
                                <a href=company.website_url.clone() rel="noopener">
                                    {company.website_url.trim_start_matches("https://").to_string()}
                                </a>
                            </dd>
                        </div>
                    </dl>
                </div>
                <aside class="hero-highlights" aria-label="Standing at a glance">
                    <h2 class="visually-hidden">"At a glance"</h2>
                    <ul class="highlights">{soc2} {highlights}</ul>
                    <a class="button" href="/documents/all/request">"Request restricted documents"</a>
                </aside>
            </div>
        </section>
    }
}

fn status_tone(status: super::domain::FrameworkStatus) -> &'static str {
    use super::domain::FrameworkStatus::*;
    match status {
        Active => "good",
        InProgress => "neutral",
        Expired => "bad",
    }
}
