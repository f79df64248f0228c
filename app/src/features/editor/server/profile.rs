//! The company profile and branding in the working copy: name, description, website, security
//! contact, accent colour, the public page's sections, and the logo (sniffed from its bytes, an
//! SVG rewritten from an allow-list, stored by hash).

use super::Editing;
use crate::{
    error::AppError,
    features::{
        editor::{
            model::{ProfileEditPage, SectionSetting},
            rules::ValidProfile,
        },
        trust_center::{model::Section, server as tc},
    },
    ssr::db::Db,
    types::Timestamp,
};

/// The largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;
/// The largest raster logo side, in pixels.
const MAX_LOGO_SIDE: usize = 4096;

/// The profile form, from the working profile: the shown sections first in their order, then
/// the hidden ones.
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
        disclosure_policy: profile.disclosure_policy,
        security_txt_expires: profile.security_txt_expires.map(|d| d.to_string()).unwrap_or_default(),
        preferred_languages: profile.preferred_languages.join(", "),
    })
}

/// The section order a profile form changes.
pub async fn current_sections(db: &Db) -> Result<Vec<Section>, AppError> {
    Ok(tc::load_profile(db).await?.0.sections)
}

/// Saves the profile in the working copy; the log names the fields that changed.
pub async fn save(edit: &Editing<'_>, v: &ValidProfile) -> Result<(), AppError> {
    let (before, _) = tc::load_profile(&edit.state.db).await?;
    let mut changed: Vec<&str> = [
        ("name", &before.name, &v.name),
        ("description", &before.description, &v.description),
        ("website_url", &before.website_url, &v.website_url),
        ("security_contact_email", &before.security_contact_email, &v.security_contact_email),
        ("accent_color", &before.accent_color, &v.accent_color),
        ("disclosure_policy", &before.disclosure_policy, &v.disclosure_policy),
        ("preferred_languages", &before.preferred_languages.join(","), &v.preferred_languages.join(",")),
    ]
    .into_iter()
    .filter(|(_, was, now)| was != now)
    .map(|(field, _, _)| field)
    .collect();
    if before.sections != v.sections {
        changed.push("sections");
    }
    if before.security_txt_expires != v.security_txt_expires {
        changed.push("security_txt_expires");
    }
    if changed.is_empty() {
        return Err(AppError::invalid("Nothing changed."));
    }
    let mut tx = edit.state.db.begin().await?;
    write(&mut tx, v).await?;
    let details = serde_json::json!({ "changed": changed, "draft": true });
    edit.log(&mut tx, "content.profile_saved", "company_profile".into(), details).await?;
    Ok(tx.commit().await?)
}

/// Writes the profile's fields, creating the row on a new database. Also how the demo is seeded.
pub async fn write(tx: &mut super::Tx, v: &ValidProfile) -> Result<(), AppError> {
    let sections: Vec<&str> = v.sections.iter().map(|s| s.anchor()).collect();
    sqlx::query(
        "insert into company_profile (id, name, description, website_url, security_contact_email, accent_color, \
         sections, disclosure_policy, security_txt_expires, preferred_languages, updated_at) \
         values (1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         on conflict (id) do update set name = excluded.name, description = excluded.description, \
         website_url = excluded.website_url, security_contact_email = excluded.security_contact_email, \
         accent_color = excluded.accent_color, sections = excluded.sections, \
         disclosure_policy = excluded.disclosure_policy, security_txt_expires = excluded.security_txt_expires, \
         preferred_languages = excluded.preferred_languages, updated_at = excluded.updated_at",
    )
    .bind(&v.name)
    .bind(&v.description)
    .bind(&v.website_url)
    .bind(&v.security_contact_email)
    .bind(&v.accent_color)
    .bind(sections.join(","))
    .bind(&v.disclosure_policy)
    .bind(v.security_txt_expires.map(|d| d.to_string()))
    .bind(v.preferred_languages.join(","))
    .bind(Timestamp::now().0)
    .execute(&mut **tx)
    .await?;
    Ok(())
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
            // Every other kind imagesize knows (TIFF, BMP, ICO, HEIF…).
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

/// Points the profile at a stored logo (`None`: no logo). Also how the demo is seeded.
pub async fn set_logo(tx: &mut super::Tx, logo: Option<(&str, &'static str, usize)>) -> Result<(), AppError> {
    let now = Timestamp::now().0;
    if let Some((sha, content_type, size)) = logo {
        sqlx::query(
            "insert into logos (sha256, content_type, byte_size, created_at) values ($1, $2, $3, $4) \
             on conflict (sha256) do nothing",
        )
        .bind(sha)
        .bind(content_type)
        .bind(size as i64)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("update company_profile set logo_sha256 = $1, logo_content_type = $2, updated_at = $3 where id = 1")
        .bind(logo.map(|(sha, _, _)| sha))
        .bind(logo.map(|(_, content_type, _)| content_type))
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Stores a new logo and points the working profile at it.
pub async fn save_logo(edit: &Editing<'_>, bytes: &[u8]) -> Result<(), AppError> {
    let (content_type, bytes) = sniff_logo(bytes).map_err(|m| AppError::field("logo", m))?;
    let sha = edit.state.files.put(&bytes).await.map_err(|e| AppError::internal("storing the logo", e))?;
    let mut tx = edit.state.db.begin().await?;
    set_logo(&mut tx, Some((&sha, content_type, bytes.len()))).await?;
    let details = serde_json::json!({
        "sha256": sha, "content_type": content_type, "bytes": bytes.len(), "draft": true
    });
    edit.log(&mut tx, "content.logo_changed", "company_profile".into(), details).await?;
    Ok(tx.commit().await?)
}

/// Takes the logo off the working profile (the page then shows the company name alone).
pub async fn remove_logo(edit: &Editing<'_>) -> Result<(), AppError> {
    let mut tx = edit.state.db.begin().await?;
    set_logo(&mut tx, None).await?;
    let details = serde_json::json!({ "removed": true, "draft": true });
    edit.log(&mut tx, "content.logo_changed", "company_profile".into(), details).await?;
    Ok(tx.commit().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

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
