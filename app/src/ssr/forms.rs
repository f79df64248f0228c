//! Server side of [`crate::forms`]: storing flashes and answering form posts with redirects.

use super::auth::current_session;
use crate::{error::AppError, forms::Flash};
use std::collections::BTreeMap;

const FLASH_KEY: &str = "flash";

/// Takes the flash if it belongs to `form`; a flash for another form is left alone.
pub async fn take(form: &str) -> Result<Option<Flash>, AppError> {
    let Ok(session) = current_session() else { return Ok(None) };
    let flash: Option<Flash> = session.get(FLASH_KEY).await.ok().flatten();
    match flash {
        Some(flash) if flash.form == form => {
            let _ = session.remove_value(FLASH_KEY).await;
            Ok(Some(flash))
        }
        _ => Ok(None),
    }
}

async fn put(flash: Flash) {
    if let Ok(session) = current_session() {
        if let Err(err) = session.insert(FLASH_KEY, flash).await {
            tracing::warn!(error = %err, "could not store a flash message");
        }
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
                    values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
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
