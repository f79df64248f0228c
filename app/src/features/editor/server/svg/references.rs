//! What an SVG may point at or load: `href`s inside the document (or an inline raster image), and
//! styles that fetch nothing.

use super::{allow::DATA_IMAGES, refuse};

/// `href` points inside the document (`#id`), or, on `<image>`, holds a raster image inline.
pub(super) fn check_href(element: &str, value: &str) -> Result<(), String> {
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
    if compact.starts_with('#') && compact.len() > 1 {
        return Ok(());
    }
    if element == "image" && DATA_IMAGES.iter().any(|prefix| compact.starts_with(prefix)) {
        return Ok(());
    }
    if compact.starts_with("javascript:") || compact.starts_with("vbscript:") {
        return Err(refuse("a script link"));
    }
    Err(refuse(&format!("a reference to another document ({})", value.chars().take(60).collect::<String>())))
}

/// Style text (a `style` attribute, a `<style>` element, any presentation value): no imports, no
/// external `url()`, no script, no escapes that could hide either.
pub(super) fn check_css(text: &str) -> Result<(), String> {
    let lower = text.to_ascii_lowercase();
    if lower.contains('\\') {
        return Err(refuse("escaped characters in its styles"));
    }
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.contains("@import") || compact.contains("@font-face") {
        return Err(refuse("a style that loads other files (@import, @font-face)"));
    }
    if compact.contains("javascript:") || compact.contains("vbscript:") || compact.contains("expression(") {
        return Err(refuse("script in its styles"));
    }
    if compact.contains("-moz-binding") || compact.contains("behavior:") {
        return Err(refuse("a style that binds behaviour"));
    }
    // Every CSS function that can fetch an image, whatever it is given.
    for function in ["image-set(", "image(", "cross-fade(", "element(", "src(", "paint("] {
        if compact.contains(function) {
            return Err(refuse(&format!("a style that loads another file ({function})")));
        }
    }
    // A quoted string is a font name or a selector value; one that looks like an address is not.
    if quoted(&compact).any(|q| q.contains(':') || q.contains("//")) {
        return Err(refuse("an address in its styles"));
    }
    let mut rest = compact.as_str();
    while let Some(at) = rest.find("url(") {
        let inside = rest[at + 4..].trim_start_matches(['"', '\'']);
        if !inside.starts_with('#') {
            return Err(refuse("a style that loads another file (url())"));
        }
        rest = &rest[at + 4..];
    }
    Ok(())
}

/// The contents of each quoted string in `css` (single or double quotes).
fn quoted(css: &str) -> impl Iterator<Item = &str> {
    let mut rest = css;
    std::iter::from_fn(move || {
        let start = rest.find(['"', '\''])?;
        let quote = rest[start..].chars().next()?;
        let after = &rest[start + 1..];
        let end = after.find(quote).unwrap_or(after.len());
        let inside = &after[..end];
        rest = after.get(end + 1..).unwrap_or("");
        Some(inside)
    })
}
