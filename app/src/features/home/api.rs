//! Server functions for the staff home.

use super::model::StaffHome;
use crate::error::AppError;
use leptos::prelude::*;

/// Staff: the work waiting for the person signed in.
#[server(prefix = "/api", endpoint = "work_waiting")]
pub async fn work_waiting() -> Result<StaffHome, AppError> {
    let staff = crate::ssr::auth::require_staff()?;
    super::server::home(&crate::ssr::app_state()?, &staff).await
}
