//! Writes simple text PDFs (demo documents, NDA records) with lopdf and the standard Helvetica
//! fonts, which every PDF reader has, so nothing is embedded.

use lopdf::{
    content::{Content, Operation},
    dictionary, Document, Object, Stream, StringFormat,
};

/// One block of a text document.
#[derive(Debug, Clone)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    Bullet(String),
    /// Label and value on one line, e.g. "Period: 1 October 2025 – 30 September 2026".
    Field(String, String),
}

/// A document to render: a title, an optional subtitle, blocks, and a footer on every page.
#[derive(Debug, Clone)]
pub struct TextDocument {
    pub title: String,
    pub subtitle: Option<String>,
    pub blocks: Vec<Block>,
    pub footer: String,
}

// US Letter, with one-inch margins.
const PAGE_W: f32 = 612.0;
const PAGE_H: f32 = 792.0;
const MARGIN: f32 = 72.0;
const BODY_SIZE: f32 = 10.5;

impl TextDocument {
    /// Lays the document out on as many pages as it needs and returns the PDF bytes.
    pub fn render(&self) -> Result<Vec<u8>, lopdf::Error> {
        let pages = self.layout();
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let regular = doc.add_object(font("Helvetica"));
        let bold = doc.add_object(font("Helvetica-Bold"));
        let resources = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => regular, "F2" => bold } });
        let count = pages.len();
        let mut kids = Vec::with_capacity(count);
        for (index, mut ops) in pages.into_iter().enumerate() {
            let footer = format!("{} — page {} of {}", self.footer, index + 1, count);
            ops.extend(text_ops("F1", 8.0, MARGIN, MARGIN / 2.0, &footer));
            let content = doc.add_object(Stream::new(dictionary! {}, Content { operations: ops }.encode()?));
            kids.push(Object::from(doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "Contents" => content,
                "MediaBox" => vec![0.into(), 0.into(), PAGE_W.into(), PAGE_H.into()],
            })));
        }
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => count as i64,
                "Resources" => resources,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        let info = doc.add_object(dictionary! {
            "Title" => Object::String(win_ansi(&self.title), StringFormat::Literal),
            "Producer" => Object::string_literal("Vouchsafe"),
        });
        doc.trailer.set("Root", catalog);
        doc.trailer.set("Info", info);
        doc.compress();
        let mut out = Vec::new();
        doc.save_to(&mut out)?;
        Ok(out)
    }

    /// Returns the drawing operations of each page.
    fn layout(&self) -> Vec<Vec<Operation>> {
        let mut pages = vec![Vec::new()];
        let mut y = PAGE_H - MARGIN;
        let emit = |pages: &mut Vec<Vec<Operation>>, y: &mut f32, height: f32, ops: Vec<Operation>| {
            if *y - height < MARGIN {
                pages.push(Vec::new());
                *y = PAGE_H - MARGIN;
            }
            *y -= height;
            pages.last_mut().expect("at least one page").extend(ops.into_iter().map(|op| shift(op, *y)));
        };
        emit(&mut pages, &mut y, 22.0, text_ops("F2", 18.0, MARGIN, 0.0, &self.title));
        if let Some(sub) = &self.subtitle {
            emit(&mut pages, &mut y, 16.0, text_ops("F1", 11.0, MARGIN, 0.0, sub));
        }
        y -= 12.0;
        let width = PAGE_W - 2.0 * MARGIN;
        for block in &self.blocks {
            let (font, size, indent, lines, gap) = match block {
                Block::Heading(text) => ("F2", 12.5, 0.0, wrap(text, 12.5, width), 8.0),
                Block::Paragraph(text) => ("F1", BODY_SIZE, 0.0, wrap(text, BODY_SIZE, width), 6.0),
                Block::Bullet(text) => {
                    let mut lines = wrap(text, BODY_SIZE, width - 14.0);
                    if let Some(first) = lines.first_mut() {
                        first.insert_str(0, "\u{2022} ");
                    }
                    ("F1", BODY_SIZE, 6.0, lines, 3.0)
                }
                Block::Field(label, value) => {
                    ("F1", BODY_SIZE, 0.0, wrap(&format!("{label}: {value}"), BODY_SIZE, width), 2.0)
                }
            };
            if matches!(block, Block::Heading(_)) {
                y -= 6.0;
            }
            for (i, line) in lines.iter().enumerate() {
                let x = MARGIN + indent + if i > 0 && matches!(block, Block::Bullet(_)) { 8.0 } else { 0.0 };
                emit(&mut pages, &mut y, size * 1.35, text_ops(font, size, x, 0.0, line));
            }
            y -= gap;
        }
        pages
    }
}

fn font(name: &str) -> lopdf::Dictionary {
    dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => name, "Encoding" => "WinAnsiEncoding" }
}

/// Text at (x, y); `y` is filled in later by [`shift`] when the line's place is known.
fn text_ops(font: &str, size: f32, x: f32, y: f32, text: &str) -> Vec<Operation> {
    vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec![font.into(), size.into()]),
        Operation::new("Td", vec![x.into(), y.into()]),
        Operation::new("Tj", vec![Object::String(win_ansi(text), StringFormat::Literal)]),
        Operation::new("ET", vec![]),
    ]
}

/// Moves a `Td` with y = 0 to `y`; other operations pass through.
fn shift(mut op: Operation, y: f32) -> Operation {
    if op.operator == "Td" {
        if let Some(Object::Real(v)) = op.operands.get(1) {
            if *v == 0.0 {
                op.operands[1] = y.into();
            }
        }
    }
    op
}

/// Greedy word wrap by Helvetica's advance widths.
fn wrap(text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if text_width(&candidate, size) > width && !line.is_empty() {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Helvetica widths (per 1000 em) for ASCII 32..=126, from the standard AFM metrics.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
];

fn text_width(text: &str, size: f32) -> f32 {
    let units: u32 = text
        .chars()
        .map(|c| match c as u32 {
            code @ 32..=126 => HELVETICA[(code - 32) as usize] as u32,
            _ => 556,
        })
        .sum();
    units as f32 * size / 1000.0
}

/// Encodes text for WinAnsiEncoding: ASCII and Latin-1 as is, common typography mapped, anything
/// else as `?` (the standard fonts cannot draw it).
pub fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201C}' => 0x93,
            '\u{201D}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2026}' => 0x85,
            '\u{20AC}' => 0x80,
            c if (c as u32) < 0x80 && !c.is_control() => c as u8,
            c if (0xA0..=0xFF).contains(&(c as u32)) => c as u8,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_documents_flow_onto_more_pages_and_parse_back() {
        let blocks = (0..120).map(|i| Block::Paragraph(format!("Paragraph {i}: {}", "text ".repeat(30)))).collect();
        let doc = TextDocument { title: "Test – report".into(), subtitle: None, blocks, footer: "Footer".into() };
        let bytes = doc.render().unwrap();
        assert!(bytes.starts_with(b"%PDF-1.5"));
        let parsed = lopdf::Document::load_mem(&bytes).unwrap();
        assert!(parsed.get_pages().len() > 3);
    }

    #[test]
    fn wrapping_respects_the_width() {
        let lines = wrap(&"word ".repeat(100), 10.0, 200.0);
        assert!(lines.len() > 5);
        assert!(lines.iter().all(|l| text_width(l, 10.0) <= 200.0));
    }

    #[test]
    fn typography_maps_to_win_ansi() {
        assert_eq!(win_ansi("a–b “c” é ✓"), vec![b'a', 0x96, b'b', b' ', 0x93, b'c', 0x94, b' ', 0xE9, b' ', b'?']);
    }
}
