//! The frame of every public page: skip link, header with the company's brand, footer.

use super::{HydrationMarker, UserMenu};
use crate::features::trust_center::{api::get_branding, model::Branding};
use leptos::prelude::*;
use leptos_meta::Style;

/// The public frame around `children`: skip link, header with the company's logo, name, accent
/// colour and section links, and a footer with the security contact and the hydration marker.
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
                    <a href=crate::paths::DISCLOSURE_POLICY>"Report a vulnerability"</a>
                    " · "
                    <a href=crate::paths::TRUST_JSON>"Machine-readable summary (JSON, signed)"</a>
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
