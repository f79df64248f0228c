//! The sheet level of the check: one pass over a worksheet's XML with quick-xml, placing every cell
//! the way calamine 0.31 places it (`XlsxCellReader`): by its `r` attribute, else after the previous
//! cell in the row, rows by their `r`, else after the previous row.
//!
//! calamine reads a sheet twice (values, then formulas) and the two passes skip the inside of a
//! cell differently, so a cell nested where one pass does not look would be seen by the other
//! alone. The check therefore refuses what no spreadsheet writes: mismatched end tags, a cell or
//! row inside a cell, an element inside `<v>` or `<f>`. With those gone, both passes see exactly the
//! cells and rows this one does.

use super::reference::{area, attribute, digits, reference};
use super::{
    package::{xml, Zip},
    refuse, size, thousands, unreadable, SheetShape, MAX_BOOK_AREA, MAX_CELLS, MAX_COLUMNS, MAX_MERGED, MAX_PART_BYTES,
    MAX_ROWS, MAX_SHARED_FORMULAS, MAX_SHARED_FORMULA_CELLS, MAX_SHEET_AREA, MAX_TEXT_BYTES, MAX_VALIDATIONS,
    MAX_VALIDATION_RANGES,
};
use crate::{kb::ImportError, ooxml::column_name};
use quick_xml::events::{BytesStart, Event};
use std::io::BufReader;

/// The workbook's totals so far, sheet by sheet.
#[derive(Debug, Default)]
pub(super) struct Budget {
    area: u64,
    cells: u64,
    text: u64,
    validations: u64,
    validation_ranges: u64,
}

/// Deeper than any worksheet nests (about ten); the check keeps the open element names.
const MAX_DEPTH: usize = 100;
/// A shared formula copied into another cell: each reference in it (two bytes at least) may grow
/// to thirteen (`XFD4294967296`).
const FORMULA_GROWTH: u64 = 7;

pub(super) fn scan(
    zip: &mut Zip<'_>,
    name: &str,
    part: &str,
    strings: &[u64],
    budget: &mut Budget,
) -> Result<SheetShape, ImportError> {
    let mut scan = Scan::new(name, strings);
    match zip.by_name(part) {
        Ok(file) => {
            let mut reader = xml(BufReader::new(std::io::Read::take(file, MAX_PART_BYTES)));
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_event_into(&mut buf).map_err(|_| scan.damaged())? {
                    Event::Start(e) => scan.start(&e)?,
                    Event::End(e) => scan.end(e.name().as_ref(), e.local_name().as_ref())?,
                    Event::Text(t) => scan.text(&t, t.len() as u64, true),
                    // calamine ignores CDATA inside a value, and decodes references: either way
                    // the text cannot be taken at face value as an index.
                    Event::CData(t) => scan.text(&t, t.len() as u64, false),
                    Event::GeneralRef(_) => scan.text(b"&", 4, false),
                    Event::Eof if scan.open.is_empty() => break,
                    Event::Eof => return Err(scan.damaged()),
                    _ => {}
                }
            }
        }
        // calamine finds no sheet there either, and reads nothing.
        Err(zip::result::ZipError::FileNotFound) => {}
        Err(_) => return Err(unreadable()),
    }
    scan.judge(part, budget)
}

/// The open `<c>`: where calamine places it, how deep it opened, what its value means.
struct Cell {
    row: u64,
    col: u64,
    depth: usize,
    shared_string: bool,
    holds: bool,
}

/// The open `<v>` or `<f>` of a cell, whose text is measured.
enum Reading {
    /// The text as written (up to 20 bytes kept, enough for any index) and its length.
    Value {
        depth: usize,
        text: Vec<u8>,
        length: u64,
    },
    Formula {
        depth: usize,
        length: u64,
        master: bool,
        dependent: bool,
    },
}

struct Scan<'a> {
    name: &'a str,
    strings: &'a [u64],
    longest_string: u64,
    declared: Option<String>,
    /// Past the first `<sheetData>`, where calamine starts reading cells.
    data: bool,
    /// calamine's running position for cells without an `r` attribute.
    row: u64,
    col: u64,
    /// The last row and column (zero-based) of cells holding a value or a formula.
    last: Option<(u64, u64)>,
    cells: u64,
    text: u64,
    merged: u64,
    validations: u64,
    validation_ranges: u64,
    shared_cells: u64,
    longest_shared: u64,
    /// The names of the open elements, end to end, and where each starts.
    names: Vec<u8>,
    open: Vec<usize>,
    cell: Option<Cell>,
    reading: Option<Reading>,
    /// Inside an `<sqref>`: the depth it opened at.
    sqref: Option<usize>,
}

/// `1 row`, `16,384 columns`.
fn plural(n: u64, one: &str) -> String {
    format!("{} {one}{}", thousands(n), if n == 1 { "" } else { "s" })
}

impl<'a> Scan<'a> {
    fn new(name: &'a str, strings: &'a [u64]) -> Self {
        Scan {
            name,
            strings,
            longest_string: strings.iter().copied().max().unwrap_or(0),
            declared: None,
            data: false,
            row: 0,
            col: 0,
            last: None,
            cells: 0,
            text: 0,
            merged: 0,
            validations: 0,
            validation_ranges: 0,
            shared_cells: 0,
            longest_shared: 0,
            names: Vec::new(),
            open: Vec::new(),
            cell: None,
            reading: None,
            sqref: None,
        }
    }

    fn damaged(&self) -> ImportError {
        refuse(format!("Sheet ‘{}’ is damaged; save the workbook again from Excel.", self.name))
    }

    fn bad_reference(&self, text: &[u8]) -> ImportError {
        let shown: String = String::from_utf8_lossy(text).chars().take(24).collect();
        refuse(format!(
            "Sheet ‘{}’ has a cell reference “{shown}” that is not valid; save the workbook again from Excel.",
            self.name
        ))
    }

    fn start(&mut self, e: &BytesStart<'_>) -> Result<(), ImportError> {
        if self.open.len() >= MAX_DEPTH || self.reading.is_some() {
            return Err(self.damaged());
        }
        let depth = self.open.len();
        if let Some(cell) = self.cell.as_mut() {
            cell.holds = true;
        }
        let local = e.local_name();
        match local.as_ref() {
            b"sheetData" => self.data = true,
            b"dimension" if !self.data => {
                if let Some(r) = attribute(e, b"ref").map_err(|()| self.damaged())? {
                    self.declared = Some(String::from_utf8_lossy(r).chars().take(40).collect());
                }
            }
            b"row" | b"c" if self.data && self.cell.is_some() => return Err(self.damaged()),
            b"row" if self.data => {
                if let Some(r) = attribute(e, b"r").map_err(|()| self.damaged())? {
                    let (row, _) = reference(r).ok_or_else(|| self.bad_reference(r))?;
                    self.row = u64::from(row);
                }
            }
            b"c" if self.data => self.open_cell(e, depth)?,
            b"v" if self.cell.is_some() => {
                self.reading = Some(Reading::Value { depth, text: Vec::new(), length: 0 });
            }
            b"f" if self.cell.is_some() => self.open_formula(e, depth)?,
            b"mergeCell" => self.merged += 1,
            b"dataValidation" => {
                self.validations += 1;
                for a in e.attributes().flatten() {
                    if a.key.local_name().as_ref() == b"sqref" {
                        self.validation_ranges +=
                            a.value.split(u8::is_ascii_whitespace).filter(|t| !t.is_empty()).count() as u64;
                    }
                }
            }
            b"sqref" => self.sqref = Some(depth),
            _ => {}
        }
        self.open.push(self.names.len());
        self.names.extend_from_slice(e.name().as_ref());
        Ok(())
    }

    fn open_cell(&mut self, e: &BytesStart<'_>, depth: usize) -> Result<(), ImportError> {
        let (row, col) = match attribute(e, b"r").map_err(|()| self.damaged())? {
            Some(r) => match reference(r) {
                Some((row, Some(col))) => (u64::from(row), u64::from(col)),
                _ => return Err(self.bad_reference(r)),
            },
            None => (self.row, self.col),
        };
        self.col = col + 1;
        let shared_string = attribute(e, b"t").map_err(|()| self.damaged())? == Some(b"s");
        self.cells += 1;
        self.cell = Some(Cell { row, col, depth, shared_string, holds: false });
        Ok(())
    }

    /// A formula; a shared one either claims a range (calamine maps each cell of it) or repeats
    /// the group's formula with its references moved.
    fn open_formula(&mut self, e: &BytesStart<'_>, depth: usize) -> Result<(), ImportError> {
        let (mut master, mut dependent) = (false, false);
        if attribute(e, b"t").map_err(|()| self.damaged())? == Some(b"shared") {
            let index = attribute(e, b"si").map_err(|()| self.damaged())?.and_then(digits);
            let index = index.ok_or_else(|| self.damaged())?;
            if index >= MAX_SHARED_FORMULAS {
                return Err(refuse(format!(
                    "Sheet ‘{}’ numbers a shared formula {}; at most {} shared formulas per sheet are supported.",
                    self.name,
                    thousands(index),
                    thousands(MAX_SHARED_FORMULAS)
                )));
            }
            match attribute(e, b"ref").map_err(|()| self.damaged())? {
                Some(r) => {
                    let (first, last) = area(r).ok_or_else(|| self.bad_reference(r))?;
                    let span = if first.0 != last.0 {
                        u64::from(last.0 - first.0) + 1
                    } else if first.1 != last.1 {
                        u64::from(last.1 - first.1) + 1
                    } else {
                        0
                    };
                    self.shared_cells += span;
                    if self.shared_cells > MAX_SHARED_FORMULA_CELLS {
                        return Err(refuse(format!(
                            "Sheet ‘{}’ shares formulas over more than {} cells; at most that many are supported.",
                            self.name,
                            thousands(MAX_SHARED_FORMULA_CELLS)
                        )));
                    }
                    master = true;
                }
                None => dependent = true,
            }
        }
        self.reading = Some(Reading::Formula { depth, length: 0, master, dependent });
        Ok(())
    }

    fn text(&mut self, raw: &[u8], length: u64, plain: bool) {
        match self.reading.as_mut() {
            Some(Reading::Value { text, length: total, .. }) => {
                if !plain {
                    text.push(b'&');
                } else if text.len() < 20 {
                    text.extend(raw.iter().take(20));
                }
                *total += length;
            }
            Some(Reading::Formula { length: total, .. }) => *total += length,
            None if self.cell.is_some() => self.text += length,
            None => {}
        }
        if self.sqref.is_some() {
            self.validation_ranges += raw.split(u8::is_ascii_whitespace).filter(|t| !t.is_empty()).count() as u64;
        }
    }

    fn end(&mut self, name: &[u8], local: &[u8]) -> Result<(), ImportError> {
        let at = self.open.pop().ok_or_else(|| self.damaged())?;
        if &self.names[at..] != name {
            return Err(self.damaged());
        }
        self.names.truncate(at);
        let depth = self.open.len();
        if self.sqref == Some(depth) {
            self.sqref = None;
        }
        match self.reading.take() {
            Some(Reading::Value { depth: d, text, length }) if d == depth => {
                self.text += self.value_length(&text, length)
            }
            Some(Reading::Formula { depth: d, length, master, dependent }) if d == depth => {
                self.text += length;
                if master {
                    self.longest_shared = self.longest_shared.max(length);
                }
                if dependent {
                    self.text += FORMULA_GROWTH * self.longest_shared;
                }
            }
            other => self.reading = other,
        }
        if self.cell.as_ref().is_some_and(|c| c.depth == depth) {
            let cell = self.cell.take().ok_or_else(|| self.damaged())?;
            if cell.holds {
                let (row, col) = self.last.unwrap_or((0, 0));
                self.last = Some((row.max(cell.row), col.max(cell.col)));
            }
        } else if self.data && self.cell.is_none() && local == b"row" {
            self.row += 1;
            self.col = 0;
        }
        Ok(())
    }

    /// What a `<v>` puts in its cell: for a shared string, the string calamine copies in (the
    /// index as calamine parses it, or index 0 when it cannot; the longest string when unsure).
    fn value_length(&self, text: &[u8], length: u64) -> u64 {
        let Some(Cell { shared_string: true, .. }) = self.cell else { return length };
        let first = self.strings.first().copied().unwrap_or(0);
        match (length <= 20).then(|| digits(text)).flatten() {
            Some(index) => {
                let at = usize::try_from(index).ok().and_then(|i| self.strings.get(i)).copied();
                at.unwrap_or(self.longest_string).max(first)
            }
            None => self.longest_string,
        }
    }

    /// The sheet's shape, or why it is refused: its own extent, then the workbook's totals with it.
    fn judge(self, part: &str, budget: &mut Budget) -> Result<SheetShape, ImportError> {
        let (rows, columns) = self.extent()?;
        self.spend(budget, rows * columns)?;
        Ok(SheetShape {
            name: self.name.to_string(),
            part: part.to_string(),
            declared: self.declared,
            rows: rows as u32,
            columns: columns as u32,
            cells: self.cells,
        })
    }

    /// Rows and columns up to the last cell holding something, within the limits of one sheet.
    fn extent(&self) -> Result<(u64, u64), ImportError> {
        let name = self.name;
        let (rows, columns) = self.last.map_or((0, 0), |(r, c)| (r + 1, c + 1));
        if rows > u64::from(MAX_ROWS) || columns > u64::from(MAX_COLUMNS) || rows * columns > MAX_SHEET_AREA {
            return Err(refuse(format!(
                "Sheet ‘{name}’ spans {} × {} (it has cells in column {} and in row {}); at most {} \
                 columns, {} rows and {} cells per sheet are supported. Delete what lies beyond the questions \
                 (Ctrl+End shows the last cell) and upload the file again.",
                plural(columns, "column"),
                plural(rows, "row"),
                column_name((columns - 1) as u32),
                thousands(rows),
                thousands(u64::from(MAX_COLUMNS)),
                thousands(u64::from(MAX_ROWS)),
                thousands(MAX_SHEET_AREA),
            )));
        }
        if self.merged > MAX_MERGED {
            return Err(refuse(format!(
                "Sheet ‘{name}’ has {} merged ranges; at most {} are supported.",
                thousands(self.merged),
                thousands(MAX_MERGED)
            )));
        }
        Ok((rows, columns))
    }

    /// Adds the sheet to the workbook's totals, refusing the workbook past any of them.
    fn spend(&self, budget: &mut Budget, area: u64) -> Result<(), ImportError> {
        let name = self.name;
        budget.area += area;
        budget.cells += self.cells;
        budget.text += self.text;
        budget.validations += self.validations;
        budget.validation_ranges += self.validation_ranges;
        let refused = if budget.area > MAX_BOOK_AREA {
            format!(
                "the workbook's sheets span {} cells (columns × rows); at most {} are supported.",
                thousands(budget.area),
                thousands(MAX_BOOK_AREA)
            )
        } else if budget.cells > MAX_CELLS {
            format!(
                "the workbook has {} cells; at most {} are supported.",
                thousands(budget.cells),
                thousands(MAX_CELLS)
            )
        } else if budget.text > MAX_TEXT_BYTES {
            format!(
                "the workbook's cells hold more than {} of text (a shared string counts in every cell using \
                 it); at most that is supported.",
                size(MAX_TEXT_BYTES)
            )
        } else if budget.validations > MAX_VALIDATIONS || budget.validation_ranges > MAX_VALIDATION_RANGES {
            format!(
                "the workbook has more than {} data validations or {} ranges under them; at most that many \
                 are supported.",
                thousands(MAX_VALIDATIONS),
                thousands(MAX_VALIDATION_RANGES)
            )
        } else {
            return Ok(());
        };
        Err(refuse(format!("With sheet ‘{name}’, {refused}")))
    }
}
