//! Keyboard shortcuts on the review page: an island, the one part of it that runs in the browser.

use leptos::prelude::*;

/// j / k move between questions, a accepts the first suggestion, e edits the answer, s leaves
/// the row blank; Escape leaves a text field. The buttons do the same without a keyboard.
#[island]
pub fn ReviewShortcuts() -> impl IntoView {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        shortcuts::install();
    });
    view! {
        <p class="small muted keyboard-help" id="shortcuts">
            "Keyboard: " <kbd>"j"</kbd> " / " <kbd>"k"</kbd> " next / previous question · " <kbd>"a"</kbd> " accept the first suggestion · "
            <kbd>"e"</kbd> " edit the answer · " <kbd>"s"</kbd> " leave blank · " <kbd>"Esc"</kbd> " leave a text field"
        </p>
    }
}

#[cfg(feature = "hydrate")]
mod shortcuts {
    use leptos::wasm_bindgen::JsCast;
    use web_sys::{Element, HtmlElement, KeyboardEvent};

    fn rows() -> Vec<HtmlElement> {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return Vec::new() };
        let Ok(list) = doc.query_selector_all("[data-q-row]") else { return Vec::new() };
        (0..list.length()).filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok()).collect()
    }

    fn current(rows: &[HtmlElement]) -> Option<usize> {
        let active = web_sys::window()?.document()?.active_element()?;
        let row = active.closest("[data-q-row]").ok()??;
        rows.iter().position(|r| r.is_same_node(Some(&row)))
    }

    fn go(row: &HtmlElement) {
        let _ = row.focus();
        row.scroll_into_view();
    }

    fn inside(row: &HtmlElement, selector: &str) -> Option<HtmlElement> {
        row.query_selector(selector).ok()??.dyn_into::<HtmlElement>().ok()
    }

    /// Focuses the row named in the address's `#` and listens for the shortcuts for the page's
    /// lifetime (the listener is never removed); keys typed into form fields are left alone.
    pub fn install() {
        let Some(window) = web_sys::window() else { return };
        // After a decision the page comes back at the next row: start there.
        if let Ok(hash) = window.location().hash() {
            if let Some(row) = hash.strip_prefix('#').and_then(|id| window.document()?.get_element_by_id(id)) {
                if let Ok(row) = row.dyn_into::<HtmlElement>() {
                    let _ = row.focus();
                }
            }
        }
        let handle = leptos::prelude::window_event_listener(leptos::ev::keydown, |ev: KeyboardEvent| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            if let Some(target) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                if matches!(target.tag_name().to_ascii_lowercase().as_str(), "input" | "textarea" | "select") {
                    if ev.key() == "Escape" {
                        if let Ok(field) = target.dyn_into::<HtmlElement>() {
                            let _ = field.blur();
                        }
                    }
                    return;
                }
            }
            let rows = rows();
            if rows.is_empty() {
                return;
            }
            let at = current(&rows);
            let row = |i: usize| rows.get(i).cloned();
            match ev.key().as_str() {
                "j" => {
                    if let Some(r) = row(at.map_or(0, |i| (i + 1).min(rows.len() - 1))) {
                        ev.prevent_default();
                        go(&r);
                    }
                }
                "k" => {
                    if let Some(r) = row(at.map_or(0, |i| i.saturating_sub(1))) {
                        ev.prevent_default();
                        go(&r);
                    }
                }
                key @ ("a" | "e" | "s") => {
                    let Some(r) = at.and_then(row) else { return };
                    let selector = match key {
                        "a" => "[data-accept]",
                        "s" => "[data-skip]",
                        _ => "[data-answer]",
                    };
                    if key == "e" {
                        if let Some(details) = r.query_selector("details.write-answer").ok().flatten() {
                            let _ = details.set_attribute("open", "");
                        }
                    }
                    if let Some(el) = inside(&r, selector) {
                        ev.prevent_default();
                        if key == "e" {
                            let _ = el.focus();
                        } else {
                            el.click();
                        }
                    }
                }
                _ => {}
            }
        });
        // The listener lives as long as the page.
        std::mem::forget(handle);
    }
}
