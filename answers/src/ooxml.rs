//! The few parts of an xlsx package the questionnaire features read or change directly: which
//! part holds which sheet, defined names, dropdown (list) data validations, column styles, and
//! writing cells into a sheet's XML in place. Everything else in the package is copied as is.
//!
//! calamine reads values, formulas and merged ranges; it does not expose data validations, and no
//! crate writes into an existing workbook without re-creating it (which loses what it does not
//! model), hence this module.

use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read, Write};

/// A zero-based rectangle of cells, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Area {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

impl Area {
    /// Whether the zero-based cell (`row`, `col`) lies inside the area.
    pub fn contains(&self, row: u32, col: u32) -> bool {
        (self.first_row..=self.last_row).contains(&row) && (self.first_col..=self.last_col).contains(&col)
    }
}

/// `C` → 2, `AA` → 26.
pub fn column_index(letters: &str) -> Option<u32> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    letters
        .bytes()
        .try_fold(0u32, |acc, b| {
            b.is_ascii_alphabetic().then(|| acc * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1)
        })
        .map(|n| n - 1)
}

/// 2 → `C`.
pub fn column_name(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `$C$12` or `C12` → (11, 2).
pub fn parse_cell(text: &str) -> Option<(u32, u32)> {
    let text = text.trim().replace('$', "");
    let split = text.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = text.split_at(split);
    let row: u32 = digits.parse().ok()?;
    (1..=1_048_576).contains(&row).then_some(())?;
    Some((row - 1, column_index(letters)?))
}

/// (11, 2) → `C12`: a zero-based cell in A1 notation.
pub fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_name(col), row + 1)
}

/// `A1:B5`, `A1`, or whole columns/rows `C:C`.
pub fn parse_area(text: &str) -> Option<Area> {
    let text = text.trim().replace('$', "");
    let (a, b) = text.split_once(':').unwrap_or((&text, &text));
    if let (Some((r1, c1)), Some((r2, c2))) = (parse_cell(a), parse_cell(b)) {
        return Some(Area { first_row: r1.min(r2), first_col: c1.min(c2), last_row: r1.max(r2), last_col: c1.max(c2) });
    }
    let (c1, c2) = (column_index(a)?, column_index(b)?);
    Some(Area { first_row: 0, first_col: c1.min(c2), last_row: 1_048_575, last_col: c1.max(c2) })
}

/// A range reference with an optional sheet: `Lists!$A$1:$A$3`, `'My lists'!A1:A3`, `$H$2:$H$4`.
pub fn parse_reference(text: &str) -> Option<(Option<String>, Area)> {
    let text = text.trim().trim_start_matches('=');
    match text.rsplit_once('!') {
        Some((sheet, area)) => {
            let sheet = sheet
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                // Inside quotes, a quote is written twice (`'O''Brien'!A1`).
                .map(|s| s.replace("''", "'"))
                .unwrap_or_else(|| sheet.to_string());
            Some((Some(sheet), parse_area(area)?))
        }
        None => Some((None, parse_area(text)?)),
    }
}

/// A package that cannot be read or written: a damaged zip, a part over the size limit, bad XML.
#[derive(Debug)]
pub struct PackageError(pub String);

fn read_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<Vec<u8>>, PackageError> {
    let mut file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(PackageError(format!("{name}: {e}"))),
    };
    // A part larger than this is not a questionnaire; refuse rather than inflate a zip bomb
    // (the size in the archive's directory may lie: the cap holds while reading).
    const MAX_PART: u64 = crate::limits::MAX_PART_BYTES;
    let mut out = Vec::new();
    (&mut file).take(MAX_PART + 1).read_to_end(&mut out).map_err(|e| PackageError(format!("{name}: {e}")))?;
    if out.len() as u64 > MAX_PART {
        return Err(PackageError(format!("{name} is too large")));
    }
    Ok(Some(out))
}

fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<String> {
    let a = e.attributes().flatten().find(|a| a.key.local_name().as_ref() == local)?;
    let raw = std::str::from_utf8(&a.value).ok()?;
    quick_xml::escape::unescape(raw).ok().map(|v| v.into_owned())
}

/// Text of an element, entities resolved.
fn push_text(out: &mut String, event: &Event<'_>) {
    match event {
        Event::Text(t) => {
            if let Ok(s) = t.decode() {
                out.push_str(&s);
            }
        }
        Event::CData(t) => {
            if let Ok(s) = t.decode() {
                out.push_str(&s);
            }
        }
        Event::GeneralRef(r) => {
            if let Ok(Some(c)) = r.resolve_char_ref() {
                out.push(c);
            } else if let Ok(name) = r.decode() {
                out.push_str(match name.as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
        }
        _ => {}
    }
}

/// A sheet as the package names it.
#[derive(Debug, Clone)]
pub struct SheetPart {
    pub name: String,
    pub path: String,
}

/// A dropdown as written in the sheet: where it applies and its source (`"Yes,No"` or a range
/// or a defined name).
#[derive(Debug, Clone)]
pub struct ListValidation {
    pub areas: Vec<Area>,
    pub source: String,
}

/// What the workbook part says: its sheets in order, and its workbook-wide defined names.
#[derive(Debug, Default)]
pub struct Package {
    pub sheets: Vec<SheetPart>,
    /// Defined names (workbook-wide) → their formula text.
    pub names: HashMap<String, String>,
}

/// Reads the sheet list (with each sheet's part path) and the defined names of an xlsx package;
/// every part is read through the size cap.
pub fn read_package(bytes: &[u8]) -> Result<Package, PackageError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| PackageError(e.to_string()))?;
    let workbook = read_part(&mut zip, "xl/workbook.xml")?.ok_or_else(|| PackageError("no xl/workbook.xml".into()))?;
    let rels = read_part(&mut zip, "xl/_rels/workbook.xml.rels")?.unwrap_or_default();
    let mut targets = HashMap::new();
    let mut reader = quick_xml::Reader::from_reader(rels.as_slice());
    loop {
        match reader.read_event() {
            Ok(Event::Empty(e) | Event::Start(e)) if e.local_name().as_ref() == b"Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, b"Id"), attr(&e, b"Target")) {
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{target}"),
                    };
                    targets.insert(id, path);
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => return Err(PackageError(format!("workbook relationships: {e}"))),
            _ => {}
        }
    }
    let mut package = Package::default();
    let mut reader = quick_xml::Reader::from_reader(workbook.as_slice());
    let mut defined: Option<(String, String)> = None;
    loop {
        let event = reader.read_event().map_err(|e| PackageError(format!("workbook: {e}")))?;
        match &event {
            Event::Empty(e) | Event::Start(e) if e.local_name().as_ref() == b"sheet" => {
                if let (Some(name), Some(path)) =
                    (attr(e, b"name"), attr(e, b"id").and_then(|id| targets.get(&id).cloned()))
                {
                    package.sheets.push(SheetPart { name, path });
                }
            }
            Event::Start(e) if e.local_name().as_ref() == b"definedName" => {
                // Sheet-local names are rare in questionnaires; workbook-wide ones win.
                defined = attr(e, b"name").filter(|_| attr(e, b"localSheetId").is_none()).map(|n| (n, String::new()));
            }
            Event::End(e) if e.local_name().as_ref() == b"definedName" => {
                if let Some((name, formula)) = defined.take() {
                    package.names.insert(name, formula);
                }
            }
            Event::Eof => break,
            other => {
                if let Some((_, text)) = defined.as_mut() {
                    push_text(text, other);
                }
            }
        }
    }
    Ok(package)
}

/// The list validations and the column styles (`<col min max style>`) of a sheet part.
#[derive(Debug, Default)]
pub struct SheetFacts {
    pub lists: Vec<ListValidation>,
}

/// The list validations of the sheet at part `path`; none when the part does not exist.
pub fn sheet_facts(bytes: &[u8], path: &str) -> Result<SheetFacts, PackageError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| PackageError(e.to_string()))?;
    let Some(xml) = read_part(&mut zip, path)? else { return Ok(SheetFacts::default()) };
    let mut facts = SheetFacts::default();
    let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
    // Inside a dataValidation: (is a list, sqref, formula1 text, which child's text we collect).
    struct Open {
        list: bool,
        sqref: String,
        formula: String,
        into: Option<&'static str>,
    }
    let mut open: Option<Open> = None;
    loop {
        let event = reader.read_event().map_err(|e| PackageError(format!("{path}: {e}")))?;
        match &event {
            Event::Start(e) if e.local_name().as_ref() == b"dataValidation" => {
                open = Some(Open {
                    list: attr(e, b"type").as_deref() == Some("list"),
                    sqref: attr(e, b"sqref").unwrap_or_default(),
                    formula: String::new(),
                    into: None,
                });
            }
            Event::Start(e) => {
                if let Some(o) = open.as_mut() {
                    match e.local_name().as_ref() {
                        b"formula1" => o.into = Some("formula"),
                        b"sqref" => o.into = Some("sqref"),
                        _ => {}
                    }
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"dataValidation" => {
                    if let Some(o) = open.take() {
                        let areas: Vec<Area> = o.sqref.split_whitespace().filter_map(parse_area).collect();
                        if o.list && !areas.is_empty() && !o.formula.trim().is_empty() {
                            facts.lists.push(ListValidation { areas, source: o.formula.trim().to_string() });
                        }
                    }
                }
                b"formula1" | b"sqref" => {
                    if let Some(o) = open.as_mut() {
                        o.into = None;
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            other => {
                if let Some(o) = open.as_mut() {
                    match o.into {
                        Some("formula") => push_text(&mut o.formula, other),
                        Some("sqref") => push_text(&mut o.sqref, other),
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(facts)
}

/// A zero-based (row, column).
pub type Position = (u32, u32);
/// What became of each requested cell.
pub type Outcomes = BTreeMap<Position, CellOutcome>;

/// What happened to one requested cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellOutcome {
    Written,
    /// The cell holds a formula; it was left alone.
    KeptFormula,
}

/// Characters XML 1.0 cannot carry are dropped; Excel's cell limit is 32,767 characters.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r')).take(32_767) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

fn cell_xml(row: u32, col: u32, style: Option<&str>, text: &str) -> String {
    let style = style.map(|s| format!(" s=\"{}\"", xml_text(s))).unwrap_or_default();
    format!(
        "<c r=\"{}\"{style} t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
        cell_name(row, col),
        xml_text(text)
    )
}

struct CellSpan {
    col: u32,
    start: usize,
    end: usize,
    style: Option<String>,
    formula: bool,
}

struct RowSpan {
    num: u32,
    start: usize,
    /// Where `</row>` starts; for `<row/>`, where the tag ends.
    close: usize,
    empty: bool,
    cells: Vec<CellSpan>,
}

/// Writes text into cells of one sheet's XML (zero-based row, column → text), as inline strings
/// keeping each cell's style; rows and cells that do not exist are inserted in order. Every other
/// byte of the part is kept. Cells holding a formula are not overwritten.
pub fn patch_sheet_xml(xml: &[u8], cells: &BTreeMap<(u32, u32), String>) -> Result<(Vec<u8>, Outcomes), PackageError> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut rows: Vec<RowSpan> = Vec::new();
    let mut col_styles: Vec<(u32, u32, String)> = Vec::new();
    let (mut data_open, mut data_close, mut data_empty) = (None, None, None);
    let mut current: Option<RowSpan> = None;
    let mut cell: Option<CellSpan> = None;
    let mut next_row = 0u32;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| PackageError(format!("sheet: {e}")))?;
        let end = reader.buffer_position() as usize;
        match &event {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(event, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"sheetData" if empty => data_empty = Some((start, end)),
                    b"sheetData" => data_open = Some(end),
                    b"col" => {
                        if let (Some(min), Some(max), Some(style)) =
                            (attr(e, b"min"), attr(e, b"max"), attr(e, b"style"))
                        {
                            if let (Ok(min), Ok(max)) = (min.parse::<u32>(), max.parse::<u32>()) {
                                col_styles.push((min.saturating_sub(1), max.saturating_sub(1), style));
                            }
                        }
                    }
                    b"row" => {
                        let num =
                            attr(e, b"r").and_then(|r| r.parse::<u32>().ok()).map_or(next_row, |r| r.saturating_sub(1));
                        next_row = num + 1;
                        let span = RowSpan { num, start, close: if empty { end } else { 0 }, empty, cells: Vec::new() };
                        if empty {
                            rows.push(span);
                        } else {
                            current = Some(span);
                        }
                    }
                    b"c" => {
                        if let Some(row) = current.as_mut() {
                            let col = attr(e, b"r")
                                .and_then(|r| parse_cell(&r))
                                .map(|(_, c)| c)
                                .unwrap_or_else(|| row.cells.last().map_or(0, |c| c.col + 1));
                            let span = CellSpan { col, start, end, style: attr(e, b"s"), formula: false };
                            if empty {
                                row.cells.push(span);
                            } else {
                                cell = Some(span);
                            }
                        }
                    }
                    b"f" => {
                        if let Some(c) = cell.as_mut() {
                            c.formula = true;
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"c" => {
                    if let (Some(mut c), Some(row)) = (cell.take(), current.as_mut()) {
                        c.end = end;
                        row.cells.push(c);
                    }
                }
                b"row" => {
                    if let Some(mut row) = current.take() {
                        row.close = start;
                        rows.push(row);
                    }
                }
                b"sheetData" => data_close = Some(start),
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let column_style =
        |col: u32| col_styles.iter().find(|(a, b, _)| (*a..=*b).contains(&col)).map(|(_, _, s)| s.as_str());

    let mut by_row: BTreeMap<u32, Vec<(u32, &String)>> = BTreeMap::new();
    for ((r, c), text) in cells {
        by_row.entry(*r).or_default().push((*c, text));
    }
    let mut outcomes = BTreeMap::new();
    // (start, end, replacement), applied back to front.
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut new_rows: BTreeMap<usize, String> = BTreeMap::new();
    for (r, targets) in &by_row {
        match rows.iter().find(|row| row.num == *r) {
            Some(row) if !row.empty => {
                let mut inserts: BTreeMap<usize, String> = BTreeMap::new();
                for (c, text) in targets {
                    match row.cells.iter().find(|x| x.col == *c) {
                        Some(x) if x.formula => {
                            outcomes.insert((*r, *c), CellOutcome::KeptFormula);
                        }
                        Some(x) => {
                            edits.push((x.start, x.end, cell_xml(*r, *c, x.style.as_deref(), text)));
                            outcomes.insert((*r, *c), CellOutcome::Written);
                        }
                        None => {
                            let at = row.cells.iter().find(|x| x.col > *c).map_or(row.close, |x| x.start);
                            inserts.entry(at).or_default().push_str(&cell_xml(*r, *c, column_style(*c), text));
                            outcomes.insert((*r, *c), CellOutcome::Written);
                        }
                    }
                }
                edits.extend(inserts.into_iter().map(|(at, text)| (at, at, text)));
            }
            Some(row) => {
                // `<row r="5" .../>` becomes `<row r="5" ...>cells</row>`.
                let tag = std::str::from_utf8(&xml[row.start..row.close])
                    .map_err(|_| PackageError("sheet: not UTF-8".into()))?;
                let open = tag.trim_end().trim_end_matches("/>").trim_end();
                let mut text = format!("{open}>");
                for (c, value) in targets {
                    text.push_str(&cell_xml(*r, *c, column_style(*c), value));
                    outcomes.insert((*r, *c), CellOutcome::Written);
                }
                text.push_str("</row>");
                edits.push((row.start, row.close, text));
            }
            None => {
                let at = rows
                    .iter()
                    .find(|row| row.num > *r)
                    .map(|row| row.start)
                    .or(data_close)
                    .or(data_empty.map(|(s, _)| s))
                    .ok_or_else(|| PackageError("sheet: no sheetData".into()))?;
                let mut text = format!("<row r=\"{}\">", r + 1);
                for (c, value) in targets {
                    text.push_str(&cell_xml(*r, *c, column_style(*c), value));
                    outcomes.insert((*r, *c), CellOutcome::Written);
                }
                text.push_str("</row>");
                new_rows.entry(at).or_default().push_str(&text);
            }
        }
    }
    if let (Some((s, e)), false) = (data_empty, new_rows.is_empty()) {
        let inner: String = std::mem::take(&mut new_rows).into_values().collect();
        edits.push((s, e, format!("<sheetData>{inner}</sheetData>")));
    } else if data_open.is_none() && data_empty.is_none() {
        return Err(PackageError("sheet: no sheetData".into()));
    }
    edits.extend(new_rows.into_iter().map(|(at, text)| (at, at, text)));
    // Inserts and replacements never overlap; at one position an insert goes before a replacement.
    edits.sort_by_key(|(s, e, _)| (*s, *e));
    let mut out = Vec::with_capacity(xml.len() + edits.iter().map(|e| e.2.len()).sum::<usize>());
    let mut at = 0;
    for (s, e, text) in edits {
        out.extend_from_slice(&xml[at..s]);
        out.extend_from_slice(text.as_bytes());
        at = e;
    }
    out.extend_from_slice(&xml[at..]);
    Ok((out, outcomes))
}

/// Copies an xlsx package, replacing the parts named in `replaced`. Every other part is copied
/// compressed as it was, byte for byte.
pub fn rewrite_package(bytes: &[u8], replaced: &HashMap<String, Vec<u8>>) -> Result<Vec<u8>, PackageError> {
    let err = |e: zip::result::ZipError| PackageError(e.to_string());
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(err)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() + 4096)));
    for i in 0..zip.len() {
        let file = zip.by_index_raw(i).map_err(err)?;
        match replaced.get(file.name()) {
            Some(content) => {
                let name = file.name().to_string();
                drop(file);
                let options =
                    zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
                out.start_file(name, options).map_err(err)?;
                out.write_all(content).map_err(|e| PackageError(e.to_string()))?;
            }
            None => out.raw_copy_file(file).map_err(err)?,
        }
    }
    Ok(out.finish().map_err(err)?.into_inner())
}

/// Reads one part of the package (for patching).
pub fn part(bytes: &[u8], path: &str) -> Result<Option<Vec<u8>>, PackageError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| PackageError(e.to_string()))?;
    read_part(&mut zip, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        assert_eq!(column_index("A"), Some(0));
        assert_eq!(column_index("AA"), Some(26));
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_index(&column_name(16_383)), Some(16_383));
        assert_eq!(parse_cell("$C$12"), Some((11, 2)));
        assert_eq!(parse_cell("C0"), None);
        assert_eq!(parse_area("B2:C9"), Some(Area { first_row: 1, first_col: 1, last_row: 8, last_col: 2 }));
        assert_eq!(parse_area("D:D").map(|a| (a.first_col, a.last_col)), Some((3, 3)));
        let (sheet, area) = parse_reference("'My lists'!$A$1:$A$3").unwrap();
        assert_eq!(sheet.as_deref(), Some("My lists"));
        assert_eq!(area.last_row, 2);
        let (sheet, _) = parse_reference("='O''Brien''s answers'!$B$2:$B$4").unwrap();
        assert_eq!(sheet.as_deref(), Some("O'Brien's answers"));
    }

    #[test]
    fn cells_are_replaced_inserted_and_formulas_kept() {
        let xml = br#"<worksheet><cols><col min="3" max="3" width="40" style="7"/></cols><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" s="2"><v>1</v></c></row><row r="3" spans="1:3"/><row r="5"><c r="A5"><f>1+1</f><v>2</v></c></row></sheetData><dataValidations count="1"/></worksheet>"#;
        let mut cells = BTreeMap::new();
        cells.insert((0, 1), "B&1".to_string());
        cells.insert((0, 2), "C1".to_string());
        cells.insert((2, 2), "<c3>".to_string());
        cells.insert((3, 0), "new row".to_string());
        cells.insert((4, 0), "not over a formula".to_string());
        cells.insert((9, 1), "last".to_string());
        let (out, outcomes) = patch_sheet_xml(xml, &cells).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            concat!(
                r#"<worksheet><cols><col min="3" max="3" width="40" style="7"/></cols><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>"#,
                r#"<c r="B1" t="inlineStr"><is><t xml:space="preserve">B&amp;1</t></is></c>"#,
                r#"<c r="C1" s="2" t="inlineStr"><is><t xml:space="preserve">C1</t></is></c></row>"#,
                r#"<row r="3" spans="1:3"><c r="C3" s="7" t="inlineStr"><is><t xml:space="preserve">&lt;c3&gt;</t></is></c></row>"#,
                r#"<row r="4"><c r="A4" t="inlineStr"><is><t xml:space="preserve">new row</t></is></c></row>"#,
                r#"<row r="5"><c r="A5"><f>1+1</f><v>2</v></c></row>"#,
                r#"<row r="10"><c r="B10" t="inlineStr"><is><t xml:space="preserve">last</t></is></c></row>"#,
                r#"</sheetData><dataValidations count="1"/></worksheet>"#
            )
        );
        assert_eq!(outcomes[&(4, 0)], CellOutcome::KeptFormula);
        assert_eq!(outcomes.values().filter(|o| **o == CellOutcome::Written).count(), 5);

        let (out, _) = patch_sheet_xml(b"<worksheet><sheetData/></worksheet>", &cells).unwrap();
        assert!(String::from_utf8(out).unwrap().starts_with("<worksheet><sheetData><row r=\"1\">"));
    }
}
