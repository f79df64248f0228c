//! The frame of every public page: skip link, header with the company's brand, footer.

use super::{HydrationMarker, UserMenu};
use crate::{error::AppError, features::trust_center::model::Section};
use leptos::prelude::*;
use leptos_meta::Style;
use serde::{Deserialize, Serialize};

/// What the frame needs to know about the company.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Branding {
    pub company_name: String,
    pub logo_url: Option<String>,
    pub accent_color: String,
    pub security_contact_email: String,
    pub sections: Vec<Section>,
}

/// Public: the published brand of the trust center (before the first publish, a plain one, so
/// staff can still sign in).
#[server(prefix = "/api", endpoint = "branding")]
pub async fn get_branding() -> Result<Branding, AppError> {
    // Public data: no authentication by design.
    use crate::features::trust_center::server as trust;
    let state = crate::ssr::app_state()?;
    Ok(match trust::load_published(&state.db).await? {
        Some((content, _)) => Branding::from_company(&content.company),
        None => Branding {
            company_name: "Vouchsafe".into(),
            logo_url: None,
            accent_color: "#1d5c8f".into(),
            security_contact_email: String::new(),
            sections: Vec::new(),
        },
    })
}

impl Branding {
    pub fn from_company(c: &crate::features::trust_center::model::CompanyProfile) -> Self {
        Self {
            company_name: c.name.clone(),
            logo_url: c.logo_url.clone(),
            accent_color: c.accent_color.clone(),
            security_contact_email: c.security_contact_email.clone(),
            sections: c.sections.clone(),
        }
    }

    /// The accent colour, only if it is a plain `#rrggbb` (it is written into CSS).
    fn safe_accent(&self) -> Option<&str> {
        let c = self.accent_color.as_str();
        (c.len() == 7 && c.starts_with('#') && c[1..].bytes().all(|b| b.is_ascii_hexdigit())).then_some(c)
    }
}

#[component]
pub fn PublicLayout(branding: Branding, children: Children) -> impl IntoView {
    let accent = branding.safe_accent().map(|c| format!(":root{{--accent:{c}}}"));
    let nav: Vec<_> = branding
        .sections
        .iter()
        .map(|s| view! { <li><a href=format!("/#{}", s.anchor())>{s.label()}</a></li> })
        .collect();
    let year_note = format!("© {}", branding.company_name);
    view! {
        {accent.map(|css| view! { <Style>{css}</Style> })}
        <a class="skip-link" href="#main">"Skip to content"</a>
        <header class="site-header">
            <div class="wrap header-inner">
                <a class="brand" href="/">
                    {branding
                        .logo_url
                        .clone()
                        .map(|src| view! { <img src=src alt="" width="36" height="36" /> })}
                    <span class="brand-name">{branding.company_name.clone()}</span>
                    <span class="brand-sub">"Trust Center"</span>
                </a>
                <nav aria-label="Sections">
                    <ul class="nav-list">{nav}</ul>
                </nav>
                <UserMenu />
            </div>
        </header>
        <main id="main" tabindex="-1">{children()}</main>
        <footer class="site-footer">
            <div class="wrap footer-inner">
                <p>
                    {year_note} " · Security questions: "
                    <a href=format!(
                        "mailto:{}",
                        branding.security_contact_email,
                    )>{branding.security_contact_email.clone()}</a>
                </p>
                <p>
                    <a href="/trust.json">"Machine-readable summary (JSON)"</a>
                    " · Powered by Vouchsafe"
                </p>
            </div>
            <HydrationMarker />
        </footer>
    }
}

/// A page in the public frame, with its title; loads the brand itself.
#[component]
pub fn BrandedPage(#[prop(into)] title: String, children: ChildrenFn) -> impl IntoView {
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let title = title.clone();
                Suspend::new(async move {
                    let branding = get_branding().await.unwrap_or_else(|_| Branding {
                        company_name: "Vouchsafe".into(),
                        logo_url: None,
                        accent_color: "#1d5c8f".into(),
                        security_contact_email: String::new(),
                        sections: Vec::new(),
                    });
                    let full_title = format!("{title} · {} Trust Center", branding.company_name);
                    view! {
                        <leptos_meta::Title text=full_title />
                        <PublicLayout branding>
                            // The page's own data loads inside its own boundary: async rendering
                            // awaits a nested `Suspend` only when a `Suspense` encloses it.
                            <div class="wrap narrow page">
                                <Suspense fallback=|| ()>{children.with_value(|c| c())}</Suspense>
                            </div>
                        </PublicLayout>
                    }
                })
            }}
        </Suspense>
    }
}
