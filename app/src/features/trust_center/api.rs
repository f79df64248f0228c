//! Server functions of the public trust center.

use super::model::{Branding, TrustPage};
use crate::error::AppError;
use leptos::prelude::*;

/// Public: the published trust center as of today.
#[server(prefix = "/api", endpoint = "trust_page")]
pub async fn get_trust_page() -> Result<TrustPage, AppError> {
    // Public data: no authentication by design.
    let state = crate::ssr::app_state()?;
    let today = crate::types::IsoDate::today_utc();
    super::server::trust_page(&state.db, today, state.config.base_url.as_str()).await
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
