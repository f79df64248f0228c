//! Forms post to server functions as plain HTML forms (they work without JavaScript) and are
//! answered with a redirect: back to the form with a flash message on failure, onwards on
//! success. The flash lives in the session for exactly one page view.

use crate::error::{AppError, FieldError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the last form post left for the next page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    /// The form it belongs to; other pages ignore it.
    pub form: String,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub fields: Vec<FieldError>,
    /// What was typed (never passwords or codes), to fill the form again.
    pub values: BTreeMap<String, String>,
}

impl Flash {
    pub fn field_error(&self, field: &str) -> Option<String> {
        self.fields.iter().find(|f| f.field == field).map(|f| f.message.clone())
    }

    pub fn value(&self, field: &str) -> String {
        self.values.get(field).cloned().unwrap_or_default()
    }

    /// What was typed into `field` before a refused save, else the `stored` value.
    pub fn typed_or(&self, field: &str, stored: String) -> String {
        self.values.get(field).cloned().unwrap_or(stored)
    }
}

/// Public: this page view's flash for `form` (the caller's own session data only).
#[server(prefix = "/api", endpoint = "flash")]
pub async fn take_flash(form: String) -> Result<Option<Flash>, AppError> {
    // Public by design: it only ever returns the caller's own session data.
    crate::ssr::forms::take(&form).await
}

/// Loads the flash for `form` on the server while rendering a page.
pub async fn load_flash(form: &str) -> Flash {
    take_flash(form.to_string()).await.ok().flatten().unwrap_or_default()
}

/// A labelled input with its error message, wired for assistive technology.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(default = None)] error: Option<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let has_error = error.is_some();
    let described = match (has_error, hint.is_some()) {
        (true, _) => Some(error_id.clone()),
        (false, true) => Some(hint_id.clone()),
        _ => None,
    };
    view! {
        <div class="field" class:has-error=has_error>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                aria-invalid=has_error.then_some("true")
                aria-describedby=described
            />
            {error.map(|e| view! { <p class="field-error" id=error_id>{e}</p> })}
        </div>
    }
}

/// The field's message, wired to its control by id.
pub fn field_error(flash: &Flash, field: &str) -> Option<impl IntoView> {
    flash.field_error(field).map(|m| view! { <p class="field-error" id=format!("field-{field}-error")>{m}</p> })
}

/// A labelled select of `choices` (with an empty first option when `blank` is set).
pub fn select_field(
    flash: &Flash,
    name: &'static str,
    label: &'static str,
    choices: &Choices,
    chosen: String,
    blank: Option<&'static str>,
) -> impl IntoView {
    let chosen = flash.typed_or(name, chosen);
    let options: Vec<_> = choices
        .iter()
        .map(|(code, text)| view! { <option value=code.clone() selected=*code == chosen>{text.clone()}</option> })
        .collect();
    let invalid = flash.field_error(name).is_some();
    view! {
        <div class="field" class:has-error=invalid>
            <label for=format!("field-{name}")>{label}</label>
            <select id=format!("field-{name}") name=name aria-invalid=invalid.then_some("true")>
                {blank.map(|text| view! { <option value="">{text}</option> })}
                {options}
            </select>
            {field_error(flash, name)}
        </div>
    }
}

/// A labelled textarea with an optional hint.
pub fn text_area(
    flash: &Flash,
    name: &'static str,
    label: &'static str,
    stored: String,
    rows: u32,
    hint: Option<&'static str>,
) -> impl IntoView {
    let invalid = flash.field_error(name).is_some();
    let hint_id = format!("field-{name}-hint");
    view! {
        <div class="field" class:has-error=invalid>
            <label for=format!("field-{name}")>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=hint_id.clone()>{h}</p> })}
            <textarea id=format!("field-{name}") name=name rows=rows.to_string() aria-invalid=invalid.then_some("true") aria-describedby=hint.map(|_| hint_id.clone())>{flash.typed_or(name, stored)}</textarea>
            {field_error(flash, name)}
        </div>
    }
}

/// The form-level error or notice, announced to screen readers.
#[component]
pub fn FlashMessages(flash: Flash) -> impl IntoView {
    view! {
        {flash.error.map(|e| view! { <div class="alert alert-error" role="alert">{e}</div> })}
        {flash.notice.map(|n| view! { <div class="alert alert-notice" role="status">{n}</div> })}
    }
}

/// Wraps an error for a field list.
pub fn field_errors(pairs: Vec<(&str, String)>) -> AppError {
    AppError::Invalid {
        message: "Please correct the highlighted fields.".into(),
        fields: pairs.into_iter().map(|(field, message)| FieldError { field: field.into(), message }).collect(),
    }
}

/// (code, label) pairs for a select or a set of checkboxes.
pub type Choices = Vec<(String, String)>;

/// Collects field messages while a form is parsed, so every problem is reported at once.
#[derive(Debug, Default)]
pub struct Problems(Vec<(&'static str, String)>);

impl Problems {
    /// The value, or `None` with the message kept for `field`.
    pub fn take<T>(&mut self, field: &'static str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(message) => {
                self.0.push((field, message));
                None
            }
        }
    }

    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| *f == field)
    }

    /// `Ok` when nothing was wrong, else every message by field.
    pub fn check(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(field_errors(self.0))
        }
    }
}
