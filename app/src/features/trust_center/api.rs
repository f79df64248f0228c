//! Server functions of the public trust center.

use super::model::TrustPage;
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
