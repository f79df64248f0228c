//! Server side of [`crate::forms`]: storing flashes and answering form posts with redirects.

use super::auth::current_session;
use crate::{error::AppError, forms::Flash};
use std::collections::BTreeMap;

const FLASH_KEY: &str = "flash";

/// Whether a form's checkbox was ticked or its named button (`delete`, `remove`…) pressed: the
/// field came with a non-empty value.
pub fn pressed(field: &Option<String>) -> bool {
    field.as_deref().is_some_and(|v| !v.is_empty())
}

/// The flash of the page being rendered. Taken out of the session once per page view, by
/// [`take_for_page_view`], because a page may be rendered in more than one pass and a
/// destructive read inside the render would show the message in none of them.
#[derive(Debug, Clone, Default)]
pub struct PageFlash(pub Option<Flash>);

/// Called by the server's middleware for each HTML page request: moves the flash (if any) from
/// the session to the request.
pub async fn take_for_page_view(session: &tower_sessions::Session) -> PageFlash {
    match session.get::<Flash>(FLASH_KEY).await {
        Ok(Some(flash)) => {
            let _ = session.remove_value(FLASH_KEY).await;
            PageFlash(Some(flash))
        }
        _ => PageFlash(None),
    }
}

/// The page view's flash, if it belongs to `form`.
pub async fn take(form: &str) -> Result<Option<Flash>, AppError> {
    let flash = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<PageFlash>().cloned())
        .and_then(|f| f.0);
    Ok(flash.filter(|f| f.form == form))
}

/// What is kept of each typed value to show it again (longer text is cut, not stored).
pub const MAX_KEPT_VALUE: usize = 10_000;

/// Leaves `flash` for the next page view. A visitor without a session gets one for it, but a
/// source creating them in a loop (each is a database row) gets its answers without.
pub async fn put(flash: Flash) {
    let Ok(session) = current_session() else { return };
    if session.id().is_none() {
        let ip = super::request_meta::RequestMeta::current().ip.parse().ok();
        let allowed = super::app_state().map(|state| state.rate_limits.new_session(ip)).unwrap_or(true);
        if !allowed {
            return;
        }
    }
    if let Err(err) = session.insert(FLASH_KEY, flash).await {
        tracing::warn!(error = %err, "could not store a flash message");
    }
}

/// A form: its name (for its flash) and the page that shows it.
pub struct FormSpec {
    pub name: &'static str,
    pub page: std::borrow::Cow<'static, str>,
}

/// Whether the request is a plain browser form post (as opposed to a script calling the API).
fn is_browser_form() -> bool {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| {
            p.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html"))
        })
        .unwrap_or(false)
}

/// Answers a form post. Success: redirect to `next`, leaving `notice` for `next_form`'s page.
/// Failure: redirect back to the form with the error, field messages and the typed `values`.
/// Scripts calling the endpoint directly get the result (and an error status) instead.
pub async fn finish<T>(
    spec: &FormSpec,
    values: &[(&str, &str)],
    result: Result<T, AppError>,
    next: impl FnOnce(&T) -> Option<(String, Option<(&'static str, String)>)>,
) -> Result<T, AppError> {
    let browser = is_browser_form();
    match result {
        Ok(value) => {
            if let Some((path, notice)) = next(&value) {
                if let Some((form, notice)) = notice {
                    put(Flash { form: form.into(), notice: Some(notice), ..Default::default() }).await;
                }
                leptos_axum::redirect(&path);
            }
            Ok(value)
        }
        Err(error) => {
            if browser {
                let (message, fields) = match &error {
                    AppError::Invalid { message, fields } => (message.clone(), fields.clone()),
                    other => (other.to_string(), Vec::new()),
                };
                let values: BTreeMap<String, String> =
                    values.iter().map(|(k, v)| (k.to_string(), v.chars().take(MAX_KEPT_VALUE).collect())).collect();
                put(Flash { form: spec.name.into(), error: Some(message), notice: None, fields, values }).await;
                leptos_axum::redirect(&spec.page);
            } else if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                if let Ok(status) = http::StatusCode::from_u16(error.status_code()) {
                    res.set_status(status);
                }
            }
            Err(error)
        }
    }
}
