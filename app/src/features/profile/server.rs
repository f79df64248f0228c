//! The company profile and branding in the working copy: validated edits, the logo (sniffed,
//! stored by hash) and the public page's section order.

use super::model::{ProfileEditPage, SectionSetting};
use crate::{
    error::AppError,
    features::{
        content::server::{log, web_url},
        trust_center::{model::Section, server as tc},
    },
    forms::Problems,
    ssr::{audit::Actor, db::Db, request_meta::RequestMeta, AppState},
    types::{long_text, short_line, EmailAddress, Timestamp},
};

/// The largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// The largest raster logo side, in pixels.
const MAX_LOGO_SIDE: usize = 4096;

pub async fn edit_page(db: &Db) -> Result<ProfileEditPage, AppError> {
    let (profile, _) = tc::load_profile(db).await?;
    let mut sections: Vec<SectionSetting> = profile
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| SectionSetting { anchor: s.anchor().into(), label: s.label().into(), position: Some(i + 1) })
        .collect();
    for s in Section::ALL.into_iter().filter(|s| !profile.sections.contains(s)) {
        sections.push(SectionSetting { anchor: s.anchor().into(), label: s.label().into(), position: None });
    }
    Ok(ProfileEditPage {
        name: profile.name,
        description: profile.description,
        website_url: profile.website_url,
        security_contact_email: profile.security_contact_email,
        accent_color: profile.accent_color,
        logo_url: profile.logo_url,
        sections,
    })
}

/// What the profile form posts. `sections` pairs each section with its posted place
/// (`"1"`…, or `"hidden"`/empty).
#[derive(Debug, Clone, Default)]
pub struct ProfileInput {
    pub name: String,
    pub description: String,
    pub website_url: String,
    pub security_contact_email: String,
    pub accent_color: String,
    pub sections: Vec<(Section, String)>,
}

/// The form field of a section's place.
pub fn section_field(section: Section) -> &'static str {
    match section {
        Section::Compliance => "section_compliance",
        Section::Controls => "section_controls",
        Section::Subprocessors => "section_subprocessors",
        Section::Documents => "section_documents",
        Section::Faq => "section_faq",
    }
}

/// WCAG relative luminance of an sRGB colour.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
}

/// An accent colour as `#rrggbb`. It is the colour of links on white and of buttons with white
/// text, so it must reach WCAG AA contrast (4.5:1) against white.
pub fn accent_color(text: &str) -> Result<String, String> {
    let hex = text.trim().trim_start_matches('#').to_ascii_lowercase();
    let hex = match hex.len() {
        3 => hex.chars().flat_map(|c| [c, c]).collect::<String>(),
        _ => hex,
    };
    let bad = || "Enter a colour as #rrggbb, e.g. #1d5c8f.".to_string();
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| bad());
    let rgb = [byte(0)?, byte(2)?, byte(4)?];
    let contrast = 1.05 / (luminance(rgb) + 0.05);
    if contrast < 4.5 {
        return Err(format!(
            "White text on #{hex} has a contrast of {contrast:.1}:1; links and buttons need at least 4.5:1 (WCAG AA). Choose a darker shade."
        ));
    }
    Ok(format!("#{hex}"))
}

/// The shown sections in their order. When two share a place, the one just moved there comes
/// first (moving Subprocessors to place 1 puts it first), then the page's usual order.
fn section_order(posted: &[(Section, String)], current: &[Section], problems: &mut Problems) -> Vec<Section> {
    let mut shown: Vec<(usize, bool, usize, Section)> = Vec::new();
    for (section, value) in posted {
        let value = value.trim();
        if value.is_empty() || value.eq_ignore_ascii_case("hidden") {
            continue;
        }
        match value.parse::<usize>() {
            Ok(place) if (1..=Section::ALL.len()).contains(&place) => {
                let usual = Section::ALL.iter().position(|s| s == section).unwrap_or(0);
                let stayed = current.iter().position(|s| s == section) == Some(place - 1);
                shown.push((place, stayed, usual, *section));
            }
            _ => problems.add(section_field(*section), "Choose a place from the list, or Hidden."),
        }
    }
    if shown.is_empty() && posted.iter().all(|(s, _)| !problems.has(section_field(*s))) {
        problems.add(section_field(Section::Compliance), "Show at least one section.");
    }
    shown.sort_by_key(|(place, stayed, usual, _)| (*place, *stayed, *usual));
    shown.into_iter().map(|(_, _, _, s)| s).collect()
}

struct ValidProfile {
    name: String,
    description: String,
    website_url: String,
    security_contact_email: String,
    accent_color: String,
    sections: Vec<Section>,
}

impl ProfileInput {
    fn validate(&self, current: &[Section]) -> Result<ValidProfile, AppError> {
        let mut problems = Problems::default();
        let name = problems.take("name", short_line(&self.name, "company name", 80));
        let description = problems.take("description", long_text(&self.description, "description", 1_000));
        let website_url = match web_url(&self.website_url) {
            Ok(Some(url)) => Some(url),
            Ok(None) => problems.take("website_url", Err("Enter the company's website.".into())),
            Err(m) => problems.take("website_url", Err(m)),
        };
        let email = problems.take(
            "security_contact_email",
            EmailAddress::parse(&self.security_contact_email).map(|e| e.as_str().to_string()),
        );
        let accent = problems.take("accent_color", accent_color(&self.accent_color));
        let sections = section_order(&self.sections, current, &mut problems);
        problems.check()?;
        match (name, description, website_url, email, accent) {
            (Some(name), Some(description), Some(website_url), Some(security_contact_email), Some(accent_color)) => {
                Ok(ValidProfile { name, description, website_url, security_contact_email, accent_color, sections })
            }
            _ => Err(AppError::invalid("Please correct the highlighted fields.")),
        }
    }
}

/// Saves the profile in the working copy; the log names the fields that changed.
pub async fn save_profile(
    state: &AppState,
    meta: &RequestMeta,
    actor: &Actor,
    input: &ProfileInput,
) -> Result<(), AppError> {
    let (before, _) = tc::load_profile(&state.db).await?;
    let v = input.validate(&before.sections)?;
    let mut changed = Vec::new();
    for (field, was, now) in [
        ("name", &before.name, &v.name),
        ("description", &before.description, &v.description),
        ("website_url", &before.website_url, &v.website_url),
        ("security_contact_email", &before.security_contact_email, &v.security_contact_email),
        ("accent_color", &before.accent_color, &v.accent_color),
    ] {
        if was != now {
            changed.push(field);
        }
    }
    if before.sections != v.sections {
        changed.push("sections");
    }
    if changed.is_empty() {
        return Err(AppError::invalid("Nothing changed."));
    }
    let sections: Vec<&str> = v.sections.iter().map(|s| s.anchor()).collect();
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "update company_profile set name = $1, description = $2, website_url = $3, security_contact_email = $4, \
         accent_color = $5, sections = $6, updated_at = $7 where id = 1",
    )
    .bind(&v.name)
    .bind(&v.description)
    .bind(&v.website_url)
    .bind(&v.security_contact_email)
    .bind(&v.accent_color)
    .bind(sections.join(","))
    .bind(Timestamp::now().0)
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({ "changed": changed, "draft": true });
    log(&mut tx, state, meta, actor, "content.profile_saved", "company_profile".into(), details).await?;
    Ok(tx.commit().await?)
}

/// The logo's content type, from its bytes (never from the file name or the browser's word),
/// and the bytes to store: a raster image as uploaded, an SVG as rewritten from the allow-list
/// (see [`super::svg`]).
pub fn sniff_logo(bytes: &[u8]) -> Result<(&'static str, std::borrow::Cow<'_, [u8]>), String> {
    if bytes.is_empty() {
        return Err("Choose an image file.".into());
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err(format!("The logo is larger than {} KB.", MAX_LOGO_BYTES / 1024));
    }
    if let Ok(kind) = imagesize::image_type(bytes) {
        let content_type = match kind {
            imagesize::ImageType::Png => "image/png",
            imagesize::ImageType::Jpeg => "image/jpeg",
            imagesize::ImageType::Webp => "image/webp",
            imagesize::ImageType::Gif => "image/gif",
            #[allow(unreachable_patterns)]
            _ => return Err("Upload a PNG, JPEG, WebP, GIF or SVG image.".into()),
        };
        let size =
            imagesize::blob_size(bytes).map_err(|_| "The image is damaged: it could not be read.".to_string())?;
        if size.width == 0 || size.height == 0 || size.width > MAX_LOGO_SIDE || size.height > MAX_LOGO_SIDE {
            return Err(format!("The image must be between 1 and {MAX_LOGO_SIDE} pixels on each side."));
        }
        return Ok((content_type, bytes.into()));
    }
    match super::svg::clean(bytes)? {
        Some(svg) => Ok(("image/svg+xml", svg.into())),
        None => Err("Upload a PNG, JPEG, WebP, GIF or SVG image.".into()),
    }
}

/// Stores a new logo and points the working profile at it.
pub async fn save_logo(state: &AppState, meta: &RequestMeta, actor: &Actor, bytes: &[u8]) -> Result<(), AppError> {
    let (content_type, bytes) = sniff_logo(bytes).map_err(|m| AppError::field("logo", m))?;
    let sha = state.files.put(&bytes).await.map_err(|e| AppError::internal("storing the logo", e))?;
    let now = Timestamp::now().0;
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "insert into logos (sha256, content_type, byte_size, created_at) values ($1, $2, $3, $4) \
         on conflict (sha256) do nothing",
    )
    .bind(&sha)
    .bind(content_type)
    .bind(bytes.len() as i64)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("update company_profile set logo_sha256 = $1, logo_content_type = $2, updated_at = $3 where id = 1")
        .bind(&sha)
        .bind(content_type)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let details = serde_json::json!({
        "sha256": sha, "content_type": content_type, "bytes": bytes.len(), "draft": true
    });
    log(&mut tx, state, meta, actor, "content.logo_changed", "company_profile".into(), details).await?;
    Ok(tx.commit().await?)
}

/// Takes the logo off the working profile (the page then shows the company name alone).
pub async fn remove_logo(state: &AppState, meta: &RequestMeta, actor: &Actor) -> Result<(), AppError> {
    let mut tx = state.db.begin().await?;
    sqlx::query(
        "update company_profile set logo_sha256 = null, logo_content_type = null, updated_at = $1 where id = 1",
    )
    .bind(Timestamp::now().0)
    .execute(&mut *tx)
    .await?;
    let details = serde_json::json!({ "removed": true, "draft": true });
    log(&mut tx, state, meta, actor, "content.logo_changed", "company_profile".into(), details).await?;
    Ok(tx.commit().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accent_needs_contrast_against_white() {
        assert_eq!(accent_color("#1D5C8F").as_deref(), Ok("#1d5c8f"));
        assert_eq!(accent_color("036").as_deref(), Ok("#003366"));
        let light = accent_color("#ffcc00").unwrap_err();
        assert!(light.contains("contrast of 1.5:1"), "{light}");
        assert!(accent_color("#767676").is_ok(), "#767676 on white is 4.54:1");
        assert!(accent_color("#777777").is_err(), "#777777 on white is 4.48:1");
        assert!(accent_color("blue").is_err());
        assert!(accent_color("#12345g").is_err());
        assert!(accent_color("#1d5c8f; background:url(x)").is_err());
    }

    #[test]
    fn sections_keep_the_chosen_order_and_hide_the_rest() {
        let mut problems = Problems::default();
        let posted = vec![
            (Section::Compliance, "2".to_string()),
            (Section::Documents, "hidden".to_string()),
            (Section::Controls, "1".to_string()),
            (Section::Subprocessors, "2".to_string()),
            (Section::Faq, "".to_string()),
        ];
        let order = section_order(&posted, &[], &mut problems);
        assert_eq!(order, vec![Section::Controls, Section::Compliance, Section::Subprocessors]);
        // Moving one section to a taken place puts it there, before the one that stayed.
        let current = Section::ALL.to_vec();
        let moved: Vec<_> = current
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, if *s == Section::Faq { "1".to_string() } else { (i + 1).to_string() }))
            .collect();
        let order = section_order(&moved, &current, &mut problems);
        assert_eq!(order[0], Section::Faq);
        assert_eq!(order[1], Section::Compliance);
        assert!(problems.check().is_ok());
        let mut problems = Problems::default();
        let none: Vec<_> = Section::ALL.iter().map(|s| (*s, "hidden".to_string())).collect();
        assert!(section_order(&none, &[], &mut problems).is_empty());
        let err = problems.check().unwrap_err();
        assert_eq!(err.field_message("section_compliance"), Some("Show at least one section."));
        let mut problems = Problems::default();
        section_order(&[(Section::Faq, "9".into())], &[], &mut problems);
        assert!(problems.has("section_faq"));
    }

    #[test]
    fn logos_are_sniffed_from_their_bytes() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x20\0\0\0\x10\x08\x06\0\0\0";
        assert_eq!(sniff_logo(png).map(|(t, b)| (t, b.len())), Ok(("image/png", png.len())));
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
        let (kind, cleaned) = sniff_logo(svg).unwrap();
        assert_eq!(kind, "image/svg+xml");
        assert_eq!(
            &cleaned[..],
            &br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#
                [..]
        );
        let script = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert!(sniff_logo(script).unwrap_err().contains("script"));
        let doctype = br#"<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>"#;
        assert!(sniff_logo(doctype).unwrap_err().contains("DOCTYPE"));
        assert!(sniff_logo(b"<html><body>hi</body></html>").is_err());
        assert!(sniff_logo(b"%PDF-1.7").is_err());
        assert!(sniff_logo(b"").is_err());
        assert!(sniff_logo(&vec![b' '; MAX_LOGO_BYTES + 1]).unwrap_err().contains("512 KB"));
        let huge = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x40\0\0\0\x00\x10\x08\x06\0\0\0";
        assert!(sniff_logo(huge).unwrap_err().contains("4096"));
    }
}
