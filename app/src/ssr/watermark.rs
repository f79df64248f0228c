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

/// A page box (`MediaBox`, `CropBox`), corners in either order made (left, bottom, right, top).
fn page_box(doc: &Document, page_id: ObjectId, key: &[u8]) -> Option<(f32, f32, f32, f32)> {
    let numbers = inherited(doc, page_id, key)
        .and_then(|o| resolve(doc, o).ok())
        .and_then(|o| o.as_array().ok())
        .map(|a| a.iter().filter_map(|n| resolve(doc, n).ok()?.as_float().ok()).collect::<Vec<f32>>())?;
    match numbers.as_slice() {
        [a, b, c, d] if a.is_finite() && b.is_finite() && c.is_finite() && d.is_finite() => {
            let area = (a.min(*c), b.min(*d), a.max(*c), b.max(*d));
            (area.2 - area.0 >= 1.0 && area.3 - area.1 >= 1.0).then_some(area)
        }
        _ => None,
    }
}

/// What a reader shows of the page: the crop box within the media box (US Letter if neither is
/// usable), and the page's rotation in quarter turns clockwise.
fn visible_area(doc: &Document, page_id: ObjectId) -> ((f32, f32, f32, f32), u32) {
    let media = page_box(doc, page_id, b"MediaBox").unwrap_or((0.0, 0.0, 612.0, 792.0));
    let area = match page_box(doc, page_id, b"CropBox") {
        Some(c) => {
            let clipped = (c.0.max(media.0), c.1.max(media.1), c.2.min(media.2), c.3.min(media.3));
            if clipped.2 - clipped.0 >= 1.0 && clipped.3 - clipped.1 >= 1.0 {
                clipped
            } else {
                media
            }
        }
        None => media,
    };
    let degrees = inherited(doc, page_id, b"Rotate")
        .and_then(|o| resolve(doc, o).ok())
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0);
    (area, (degrees.rem_euclid(360) / 90) as u32)
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

/// The width of `text` set in Helvetica, in ems, from the font's metrics by class of character
/// (within a few per cent for names, addresses and ids; non-ASCII counted generously).
fn helvetica_ems(text: &str) -> f32 {
    text.chars()
        .map(|c| match c {
            ' ' | '.' | ',' | 'f' | 't' | 'I' | '/' | ':' | ';' | '!' => 0.278,
            'i' | 'j' | 'l' | '\'' => 0.222,
            '-' | 'r' | '(' | ')' => 0.333,
            'm' => 0.833,
            'w' | 'C' | 'D' | 'H' | 'N' | 'R' | 'U' => 0.722,
            'M' => 0.833,
            'W' => 0.944,
            '@' => 1.015,
            'G' | 'O' | 'Q' => 0.778,
            'A'..='Z' => 0.667,
            'a'..='z' | '0'..='9' => 0.556,
            _ => 0.75,
        })
        .sum::<f32>()
        .max(1.0)
}

/// The matrix from the visible page (origin at its bottom left as the reader shows it, `quarters`
/// clockwise turns already applied) to the page's user space, and the visible width and height.
fn visible_matrix((x0, y0, x1, y1): (f32, f32, f32, f32), quarters: u32) -> ([f32; 6], f32, f32) {
    let (width, height) = (x1 - x0, y1 - y0);
    match quarters {
        1 => ([0.0, 1.0, -1.0, 0.0, x1, y0], height, width),
        2 => ([-1.0, 0.0, 0.0, -1.0, x1, y1], width, height),
        3 => ([0.0, -1.0, 1.0, 0.0, x0, y1], height, width),
        _ => ([1.0, 0.0, 0.0, 1.0, x0, y0], width, height),
    }
}

/// Where the diagonal stamp goes on a visible page `width` × `height`.
#[derive(Debug)]
struct Diagonal {
    size: f32,
    cos: f32,
    sin: f32,
    start: (f32, f32),
    #[cfg_attr(not(test), expect(dead_code, reason = "the tests check that the line ends on the page"))]
    end: (f32, f32),
}

/// The diagonal stamp: large and light, centred on the page, along at most 80% of its diagonal
/// (smaller type for a long line or a small page), so it never runs off the page.
fn diagonal(text: &str, width: f32, height: f32) -> Diagonal {
    let angle = height.atan2(width);
    let (cos, sin) = (angle.cos(), angle.sin());
    let ems = helvetica_ems(text);
    let size = (width.hypot(height) * 0.8 / ems).min(36.0);
    let run = ems * size;
    let start = (width / 2.0 - cos * run / 2.0, height / 2.0 - sin * run / 2.0);
    Diagonal { size, cos, sin, start, end: (start.0 + cos * run, start.1 + sin * run) }
}

fn stamp_content(stamp: &Stamp, area: (f32, f32, f32, f32), quarters: u32) -> Vec<u8> {
    let (m, width, height) = visible_matrix(area, quarters);
    let footer_text = stamp.footer();
    let diagonal_text = format!("{} - {} - {}", stamp.company, stamp.email, stamp.download_id);
    let (footer, diagonal_line) = (escape(&footer_text), escape(&diagonal_text));
    // Footer: up to 6.5 pt, dark grey, along the bottom edge, within 18 pt margins.
    let footer_size = ((width - 36.0) / helvetica_ems(&footer_text)).clamp(2.0, 6.5);
    let Diagonal { size, cos, sin, start: (start_x, start_y), .. } = diagonal(&diagonal_text, width, height);
    let mut content = Vec::new();
    content.extend_from_slice(
        format!("q {:.4} {:.4} {:.4} {:.4} {:.2} {:.2} cm\n", m[0], m[1], m[2], m[3], m[4], m[5]).as_bytes(),
    );
    content.extend_from_slice(format!("q BT /VsStampFont {footer_size:.2} Tf 0.35 0.35 0.35 rg 18 12 Td (").as_bytes());
    content.extend_from_slice(&footer);
    content.extend_from_slice(b") Tj ET Q\nq /VsStampGs gs BT ");
    content.extend_from_slice(format!("/VsStampFont {size:.1} Tf 0.6 0.1 0.1 rg ").as_bytes());
    content
        .extend_from_slice(format!("{cos:.4} {sin:.4} {:.4} {cos:.4} {start_x:.1} {start_y:.1} Tm (", -sin).as_bytes());
    content.extend_from_slice(&diagonal_line);
    content.extend_from_slice(b") Tj ET Q\nQ\n");
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
        let (area, quarters) = visible_area(&doc, page_id);
        let original: Vec<Object> = match doc.get_dictionary(page_id).map_err(structure)?.get(b"Contents") {
            Ok(Object::Reference(id)) => vec![Object::Reference(*id)],
            Ok(Object::Array(items)) => items.clone(),
            _ => Vec::new(),
        };
        // q … Q around the original content, so whatever state it leaves cannot move the stamp.
        let open = doc.add_object(lopdf::Stream::new(Dictionary::new(), b"q\n".to_vec()));
        let close = doc.add_object(lopdf::Stream::new(Dictionary::new(), b"\nQ\n".to_vec()));
        let mark = doc.add_object(lopdf::Stream::new(Dictionary::new(), stamp_content(stamp, area, quarters)));
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

    #[test]
    fn the_diagonal_stays_on_the_page_whatever_its_size_and_text() {
        let long = format!("{} - {}@{}.example - K7QF-2M9X", "W".repeat(60), "m".repeat(60), "w".repeat(40));
        for (width, height) in [(612.0, 792.0), (792.0, 612.0), (595.0, 842.0), (200.0, 100.0), (2384.0, 3370.0)] {
            for text in ["Contoso - pat@contoso.example - K7QF-2M9X", long.as_str()] {
                let d = diagonal(text, width, height);
                for (x, y) in [d.start, d.end] {
                    assert!((0.0..=width).contains(&x) && (0.0..=height).contains(&y), "{width}x{height}: {d:?}");
                }
                assert!(d.size <= 36.0 && d.size > 0.0);
            }
        }
    }

    #[test]
    fn a_rotated_page_is_stamped_the_way_up_it_is_read() {
        let area = (10.0, 20.0, 622.0, 812.0);
        for quarters in 0..4 {
            let (m, w, h) = visible_matrix(area, quarters);
            // The visible page's corners land on the page box's corners.
            for (u, v) in [(0.0, 0.0), (w, 0.0), (0.0, h), (w, h)] {
                let (x, y) = (m[0] * u + m[2] * v + m[4], m[1] * u + m[3] * v + m[5]);
                assert!(
                    [10.0, 622.0].contains(&x) && [20.0, 812.0].contains(&y),
                    "{quarters}: ({u}, {v}) -> ({x}, {y})"
                );
            }
            assert_eq!((w, h), if quarters % 2 == 1 { (792.0, 612.0) } else { (612.0, 792.0) });
        }
        // Turned a quarter clockwise, the reader's bottom edge is the page's left edge.
        let (m, _, _) = visible_matrix(area, 1);
        assert_eq!((m[4], m[5]), (622.0, 20.0));
    }

    #[test]
    fn the_crop_box_and_rotation_are_read_from_the_page_tree() {
        let mut doc = Document::load_mem(&sample()).unwrap();
        let page = *doc.get_pages().values().next().unwrap();
        let dict = doc.get_object_mut(page).and_then(Object::as_dict_mut).unwrap();
        dict.set("CropBox", vec![Object::Integer(50), Object::Integer(60), Object::Integer(400), Object::Integer(500)]);
        dict.set("Rotate", Object::Integer(-90));
        assert_eq!(visible_area(&doc, page), ((50.0, 60.0, 400.0, 500.0), 3));
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        let stamped = stamp_pdf(&out, &stamp()).unwrap();
        let text = Document::load_mem(&stamped).unwrap().extract_text(&[1]).unwrap();
        assert!(text.contains("Download ID K7QF-2M9X"), "{text}");
    }
}
