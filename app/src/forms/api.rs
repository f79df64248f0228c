//! The one server function of forms: the flash message a form post left for this page view.

use super::Flash;
use crate::error::AppError;
use leptos::prelude::*;

/// Public: this page view's flash for `form` (the caller's own session data only).
#[server(prefix = "/api", endpoint = "flash")]
pub async fn take_flash(form: String) -> Result<Option<Flash>, AppError> {
    // Public by design: it only ever returns the caller's own session data.
    crate::ssr::forms::take(&form).await
}
