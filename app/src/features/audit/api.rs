//! Server functions for the access-log view.

use super::model::{LogFilter, LogPage};
use crate::error::AppError;
use leptos::prelude::*;

/// Sales and admins: the access log, filtered, newest first, one page at a time.
#[server(prefix = "/api", endpoint = "search_access_log")]
pub async fn search_access_log(filter: LogFilter) -> Result<LogPage, AppError> {
    crate::ssr::auth::require_role(crate::features::accounts::model::StaffRole::Sales)?;
    use super::model::PER_PAGE;
    let offset = (filter.page.max(1) as i64 - 1) * PER_PAGE as i64;
    super::server::search(&crate::ssr::app_state()?.db, &filter, offset, PER_PAGE as i64).await
}
