//! Stamps a PDF for its recipient: a footer line and a faint diagonal mark on every page, in the
//! page content itself (not an annotation a viewer can hide), plus the download id in the
//! document information. Anything unexpected fails: a PDF that cannot be stamped is not sent.

use super::pdf::win_ansi;
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, StringFormat};

/// Who the copy is for.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub name: String,
    pub company: String,
    pub email: String,
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    pub download_id: String,
}

impl Stamp {
    /// The footer line; leak tracing searches extracted text for "Download ID <id>".
    pub fn footer(&self) -> String {
        format!(
            "Confidential - prepared for {} ({}) <{}> on {} UTC - Download ID {}",
            self.name, self.company, self.email, self.date, self.download_id
        )
    }
}

/// Why a PDF could not be stamped; it is then not sent at all.
#[derive(Debug, thiserror::Error)]
pub enum StampError {
    #[error("the file is not a readable PDF: {0}")]
    Unreadable(String),
    #[error("the PDF is encrypted")]
    Encrypted,
    #[error("the PDF has no pages")]
    NoPages,
    #[error("the PDF's structure is not supported: {0}")]
    Structure(String),
}

fn structure(e: impl std::fmt::Display) -> StampError {
    StampError::Structure(e.to_string())
}

/// A page attribute, looked up the page tree (Resources, MediaBox are inheritable).
fn inherited<'a>(doc: &'a Document, page_id: ObjectId, key: &[u8]) -> Option<&'a Object> {
    let mut node = doc.get_dictionary(page_id).ok()?;
    for _ in 0..64 {
        if let Ok(value) = node.get(key) {
            return Some(value);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = doc.get_dictionary(parent).ok()?;
    }
    None
}

/// An object with references followed (one level at a time, bounded).
fn resolve<'a>(doc: &'a Document, mut object: &'a Object) -> Result<&'a Object, StampError> {
    for _ in 0..16 {
        match object {
            Object::Reference(id) => object = doc.get_object(*id).map_err(structure)?,
            other => return Ok(other),
        }
    }
    Err(StampError::Structure("reference chain too long".into()))
}

fn media_box(doc: &Document, page_id: ObjectId) -> (f32, f32, f32, f32) {
    let numbers = inherited(doc, page_id, b"MediaBox")
        .and_then(|o| resolve(doc, o).ok())
        .and_then(|o| o.as_array().ok())
        .map(|a| a.iter().filter_map(|n| resolve(doc, n).ok()?.as_float().ok()).collect::<Vec<f32>>())
        .unwrap_or_default();
    match numbers.as_slice() {
        [x0, y0, x1, y1] => (*x0, *y0, *x1, *y1),
        _ => (0.0, 0.0, 612.0, 792.0),
    }
}

/// The page's effective resources, copied onto the page with the stamp's font and transparency
/// added (so inherited resources stay visible to the page's own content).
fn page_resources(doc: &Document, page_id: ObjectId, font: ObjectId, gs: ObjectId) -> Result<Dictionary, StampError> {
    let mut resources = match inherited(doc, page_id, b"Resources") {
        Some(r) => resolve(doc, r)?.as_dict().map_err(structure)?.clone(),
        None => Dictionary::new(),
    };
    let mut fonts = match resources.get(b"Font") {
        Ok(f) => resolve(doc, f)?.as_dict().map_err(structure)?.clone(),
        Err(_) => Dictionary::new(),
    };
    fonts.set("VsStampFont", font);
    resources.set("Font", fonts);
    let mut states = match resources.get(b"ExtGState") {
        Ok(g) => resolve(doc, g)?.as_dict().map_err(structure)?.clone(),
        Err(_) => Dictionary::new(),
    };
    states.set("VsStampGs", gs);
    resources.set("ExtGState", states);
    Ok(resources)
}

fn escape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for b in win_ansi(text) {
        if matches!(b, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(b);
    }
    out
}

fn stamp_content(stamp: &Stamp, (x0, y0, x1, y1): (f32, f32, f32, f32)) -> Vec<u8> {
    let (width, height) = (x1 - x0, y1 - y0);
    let footer = escape(&stamp.footer());
    let diagonal = escape(&format!("{} - {} - {}", stamp.company, stamp.email, stamp.download_id));
    // Footer: 6.5 pt, dark grey, along the bottom edge. Diagonal: large, light, across the page.
    let angle = (height / width).atan();
    let (cos, sin) = (angle.cos(), angle.sin());
    let size = (width.hypot(height) / (diagonal.len().max(20) as f32 * 0.55)).clamp(10.0, 36.0);
    let mut content = Vec::new();
    content.extend_from_slice(b"q BT /VsStampFont 6.5 Tf 0.35 0.35 0.35 rg ");
    content.extend_from_slice(format!("{} {} Td (", x0 + 18.0, y0 + 12.0).as_bytes());
    content.extend_from_slice(&footer);
    content.extend_from_slice(b") Tj ET Q\nq /VsStampGs gs BT ");
    content.extend_from_slice(format!("/VsStampFont {size:.1} Tf 0.6 0.1 0.1 rg ").as_bytes());
    content.extend_from_slice(
        format!("{cos:.4} {sin:.4} {:.4} {cos:.4} {:.1} {:.1} Tm (", -sin, x0 + width * 0.12, y0 + height * 0.12)
            .as_bytes(),
    );
    content.extend_from_slice(&diagonal);
    content.extend_from_slice(b") Tj ET Q\n");
    content
}

/// Returns `pdf` stamped on every page for `stamp`.
pub fn stamp_pdf(pdf: &[u8], stamp: &Stamp) -> Result<Vec<u8>, StampError> {
    let mut doc = Document::load_mem(pdf).map_err(|e| StampError::Unreadable(e.to_string()))?;
    if doc.is_encrypted() {
        return Err(StampError::Encrypted);
    }
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if pages.is_empty() {
        return Err(StampError::NoPages);
    }
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let gs = doc.add_object(dictionary! { "Type" => "ExtGState", "ca" => 0.18, "CA" => 0.18 });
    for page_id in pages {
        let resources = page_resources(&doc, page_id, font, gs)?;
        let area = media_box(&doc, page_id);
        let original: Vec<Object> = match doc.get_dictionary(page_id).map_err(structure)?.get(b"Contents") {
            Ok(Object::Reference(id)) => vec![Object::Reference(*id)],
            Ok(Object::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        // q … Q around the original content, so whatever state it leaves cannot move the stamp.
        let open = doc.add_object(lopdf::Stream::new(Dictionary::new(), b"q\n".to_vec()));
        let close = doc.add_object(lopdf::Stream::new(Dictionary::new(), b"\nQ\n".to_vec()));
        let mark = doc.add_object(lopdf::Stream::new(Dictionary::new(), stamp_content(stamp, area)));
        let mut contents = vec![Object::Reference(open)];
        contents.extend(original);
        contents.extend([Object::Reference(close), Object::Reference(mark)]);
        let page = doc.get_object_mut(page_id).and_then(Object::as_dict_mut).map_err(structure)?;
        page.set("Resources", resources);
        page.set("Contents", contents);
    }
    let info_id = match doc.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => id,
        Err(_) => {
            let id = doc.add_object(Dictionary::new());
            doc.trailer.set("Info", id);
            id
        }
    };
    if let Ok(info) = doc.get_object_mut(info_id).and_then(Object::as_dict_mut) {
        info.set("VouchsafeDownloadId", Object::String(stamp.download_id.as_bytes().to_vec(), StringFormat::Literal));
    }
    let mut out = Vec::with_capacity(pdf.len() + 4096);
    doc.save_to(&mut out).map_err(structure)?;
    Ok(out)
}

/// A download id found in a PDF: in its information dictionary, or in its text.
pub fn find_download_id(pdf: &[u8]) -> Option<String> {
    let doc = Document::load_mem(pdf).ok()?;
    let from_info = doc
        .trailer
        .get(b"Info")
        .ok()
        .and_then(|i| resolve(&doc, i).ok())
        .and_then(|i| i.as_dict().ok())
        .and_then(|d| d.get(b"VouchsafeDownloadId").ok())
        .and_then(|v| v.as_str().ok())
        .map(|b| String::from_utf8_lossy(b).to_string());
    if from_info.is_some() {
        return from_info;
    }
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).ok()?;
    let start = text.find("Download ID ")? + "Download ID ".len();
    let id: String = text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    (!id.is_empty()).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ssr::pdf::{Block, TextDocument};

    fn stamp() -> Stamp {
        Stamp {
            name: "Pat (Prospect)".into(),
            company: "Contoso".into(),
            email: "pat@contoso.example".into(),
            date: "2026-11-23".into(),
            download_id: "K7QF-2M9X".into(),
        }
    }

    fn sample() -> Vec<u8> {
        let blocks = (0..80).map(|i| Block::Paragraph(format!("Section {i}: {}", "text ".repeat(40)))).collect();
        TextDocument { title: "Report".into(), subtitle: None, blocks, footer: "f".into() }.render().unwrap()
    }

    #[test]
    fn every_page_carries_the_stamp_in_its_text() {
        let original = sample();
        let stamped = stamp_pdf(&original, &stamp()).unwrap();
        let doc = Document::load_mem(&stamped).unwrap();
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        assert!(pages.len() > 2);
        for page in pages {
            let text = doc.extract_text(&[page]).unwrap();
            assert!(text.contains("Download ID K7QF-2M9X"), "page {page}: {text}");
            assert!(text.contains("pat@contoso.example"));
            assert!(text.contains("Section"), "original content is kept");
        }
    }

    #[test]
    fn the_download_id_is_found_again() {
        let stamped = stamp_pdf(&sample(), &stamp()).unwrap();
        assert_eq!(find_download_id(&stamped).as_deref(), Some("K7QF-2M9X"));
        assert_eq!(find_download_id(&sample()), None);
    }

    #[test]
    fn what_cannot_be_stamped_is_refused() {
        assert!(matches!(stamp_pdf(b"not a pdf", &stamp()), Err(StampError::Unreadable(_))));
        let mut truncated = sample();
        truncated.truncate(truncated.len() / 3);
        assert!(stamp_pdf(&truncated, &stamp()).is_err());
    }
}
