//! Server functions for analytics.

use super::model::{Scope, Summary};
use crate::{error::AppError, types::IsoDate};
use leptos::prelude::*;

/// Sales: the figures for a period (default: the last 30 days), for everyone or one company or
/// document.
#[server(prefix = "/api", endpoint = "analytics_summary")]
pub async fn analytics_summary(from: Option<IsoDate>, to: Option<IsoDate>, scope: Scope) -> Result<Summary, AppError> {
    crate::ssr::auth::require_role(crate::features::accounts::model::StaffRole::Sales)?;
    let to = to.unwrap_or_else(IsoDate::today_utc);
    let from = from.unwrap_or_else(|| to.add_days(-29));
    super::server::summary(&crate::ssr::app_state()?.db, from, to, &scope).await
}
