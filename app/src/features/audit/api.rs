//! Server functions for the access-log view.

use super::model::{LogFilter, LogPage};
use crate::error::AppError;
use leptos::prelude::*;

/// Sales and admins: the access log, filtered, newest first (500 at a time).
#[server(prefix = "/api", endpoint = "search_access_log")]
pub async fn search_access_log(filter: LogFilter) -> Result<LogPage, AppError> {
    crate::ssr::auth::require_role(crate::features::accounts::model::StaffRole::Sales)?;
    super::server::search(&crate::ssr::app_state()?.db, &filter, 500).await
}
