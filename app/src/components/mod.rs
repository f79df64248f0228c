//! Reusable UI: the public layout, badges, icons, error panels, the hydration marker.

mod layout;
mod user_menu;

pub use crate::features::trust_center::model::Branding;
pub use layout::{BrandedPage, PublicLayout};
pub use user_menu::{SignOutButton, UserMenu};

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// Marks the document as hydrated (`<html data-hydrated="true">`) once the WASM bundle runs.
/// End-to-end tests wait for it before clicking; users never see it.
#[island]
pub fn HydrationMarker() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
    view! { <span hidden></span> }
}

/// A short coloured label; `tone` is one of `good`, `warn`, `bad`, `neutral`.
#[component]
pub fn Badge(tone: &'static str, #[prop(into)] text: String) -> impl IntoView {
    view! { <span class=format!("badge badge-{tone}")>{text}</span> }
}

/// A table body's rows, or one row saying the table is empty (`columns` wide), so an empty
/// table never shows only its headings.
pub fn rows_or<V: IntoView + 'static>(rows: Vec<V>, columns: u8, empty: &'static str) -> AnyView {
    if rows.is_empty() {
        view! { <tr><td colspan=columns.to_string() class="empty">{empty}</td></tr> }.into_any()
    } else {
        rows.into_any()
    }
}

/// A padlock, for restricted items. Decorative: the text beside it says "Restricted".
#[component]
pub fn LockIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
            <path
                fill="currentColor"
                d="M8 1a3.5 3.5 0 0 0-3.5 3.5V6H4a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h8a1 1 0 0 0 1-1V7a1 1 0 0 0-1-1h-.5V4.5A3.5 3.5 0 0 0 8 1Zm-2 5V4.5a2 2 0 1 1 4 0V6H6Z"
            />
        </svg>
    }
}

/// Sets the response status on the server (no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(code) {
            res.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// A page-level error: sets the HTTP status from the error and explains it plainly.
#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    set_status(error.status_code());
    let title = match error {
        AppError::NotFound => "Not found",
        AppError::Unauthenticated => "Sign-in required",
        AppError::Forbidden => "Not allowed",
        _ => "Something went wrong",
    };
    view! {
        <section class="panel error-panel" role="alert">
            <h1>{title}</h1>
            <p>{error.to_string()}</p>
            <p>
                <a href="/">"Back to the trust center"</a>
            </p>
        </section>
    }
}

/// The fallback route.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Page not found" />
        <main id="main" class="wrap narrow">
            <section class="panel">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address."</p>
                <p>
                    <a href="/">"Go to the trust center"</a>
                </p>
            </section>
        </main>
    }
}
