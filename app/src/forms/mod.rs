//! Forms post to server functions as plain HTML forms (they work without JavaScript) and are
//! answered with a redirect: back to the form with a flash message on failure, onwards on
//! success. The flash lives in the session for exactly one page view.

pub mod api;

pub use api::take_flash;

use crate::error::{AppError, FieldError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A form's typed values as one serde struct (a server function takes it with
/// `#[server(flatten)]`): each field's name and value as typed, to fill the form again after a
/// refusal.
pub trait Echo: Serialize {
    fn typed(&self) -> Vec<(String, String)> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(map)) => {
                map.into_iter().map(|(k, v)| (k, v.as_str().map(str::to_owned).unwrap_or_default())).collect()
            }
            _ => Vec::new(),
        }
    }
}

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
    /// The message for `field`, if the post was refused because of it.
    pub fn field_error(&self, field: &str) -> Option<String> {
        self.fields.iter().find(|f| f.field == field).map(|f| f.message.clone())
    }

    /// What was typed into `field`, or an empty string: the value a refused form is filled with
    /// again.
    pub fn value(&self, field: &str) -> String {
        self.values.get(field).cloned().unwrap_or_default()
    }

    /// What was typed into `field` before a refused save, else the `stored` value.
    pub fn typed_or(&self, field: &str, stored: String) -> String {
        self.values.get(field).cloned().unwrap_or(stored)
    }
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
            <TextArea id=format!("field-{name}") name=name rows=rows value=flash.typed_or(name, stored) invalid=invalid described_by=hint.map(|_| hint_id.clone()) />
            {field_error(flash, name)}
        </div>
    }
}

/// The only `<textarea>` element in the application: every other view uses this component (a
/// test in this module fails on a bare `<textarea` anywhere else).
///
/// Why: tachys 0.2 treats a textarea's children as raw text and writes them into the HTML
/// without escaping (the upstream fix, leptos-rs/leptos#4819, was reverted). A value holding
/// `</textarea>` would close the element and the rest would be parsed as markup: a stored
/// `<button formaction=…>` or `<meta http-equiv=refresh>` inside a staff page. So the value is
/// escaped here, on the server, before tachys writes it; the browser decodes it back into exactly
/// the typed text. (No textarea lives inside an island, so the browser never renders one.)
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    name: &'static str,
    #[prop(into)] value: String,
    #[prop(default = 3)] rows: u32,
    #[prop(optional)] required: bool,
    #[prop(default = None)] placeholder: Option<String>,
    #[prop(optional)] invalid: bool,
    #[prop(default = None)] described_by: Option<String>,
    /// Marks the answer box the review page's keyboard shortcuts focus.
    #[prop(optional)]
    answer: bool,
) -> impl IntoView {
    view! {
        <textarea
            id=id
            name=name
            rows=rows.to_string()
            required=required
            placeholder=placeholder
            aria-invalid=invalid.then_some("true")
            aria-describedby=described_by
            data-answer=answer.then_some("true")
        >
            {textarea_text(&value)}
        </textarea>
    }
}

/// A textarea's value as tachys must be handed it: HTML-escaped on the server (see [`TextArea`]).
/// A leading line break is doubled, because the HTML parser drops the first one after the tag.
pub fn textarea_text(value: &str) -> String {
    let value =
        if value.starts_with('\n') || value.starts_with("\r\n") { format!("\n{value}") } else { value.to_string() };
    #[cfg(feature = "ssr")]
    let value = html_escape::encode_text(&value).into_owned();
    value
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

    /// Keeps `message` for `field` (a check that is not a parse, such as two fields that disagree).
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    /// Whether `field` already has a message (to skip checks that depend on its value).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(feature = "ssr")]
    fn textarea_values_cannot_close_the_element() {
        let text = textarea_text("</textarea><h1 id=x>& <meta http-equiv=refresh>");
        assert_eq!(text, "&lt;/textarea&gt;&lt;h1 id=x&gt;&amp; &lt;meta http-equiv=refresh&gt;");
        assert_eq!(textarea_text("\nfirst line kept"), "\n\nfirst line kept");
        let html = view! { <TextArea id="t" name="t" value="</textarea><h1 id=x>" /> }.to_html();
        assert!(!html.contains("<h1"), "{html}");
        assert!(html.contains("&lt;/textarea&gt;&lt;h1 id=x&gt;</textarea>"), "{html}");
    }

    /// Every textarea goes through [`TextArea`]: a bare one would write its value unescaped.
    #[test]
    fn no_view_writes_a_bare_textarea() {
        fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, found);
                } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("src/forms/mod.rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for (n, line) in text.lines().enumerate() {
                        if line.contains("<textarea") {
                            found.push(format!("{}:{}", path.display(), n + 1));
                        }
                    }
                }
            }
        }
        let mut found = Vec::new();
        walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut found);
        assert!(found.is_empty(), "use forms::TextArea instead of <textarea> at {found:?}");
    }
}
