//! What a buyer's file may make us allocate, checked before anything is built from it.
//!
//! calamine turns a sheet into a dense grid from its first to its last cell
//! (`Range::from_sparse`), and `book` pads every row to the sheet's width: one value in A1 and one
//! in XFD1048576 asks for 17 billion cells (512 GiB). That allocation fails by aborting the
//! process, which `catch_unwind` cannot stop, so one 5 KB upload took the whole server down. A zip
//! part can also inflate to far more than the archive declares, and a short shared string
//! referenced by a million cells becomes a million copies.
//!
//! [`check_xlsx`] streams the package once before calamine sees it: it inflates every part through
//! a cap, reads each worksheet's cell references with quick-xml (the `<dimension>` a file declares
//! is recorded but not trusted), and refuses a workbook that needs more than the limits below.
//! [`open_xlsx`] is the only place this crate opens a workbook in calamine, and it runs the check
//! first (`clippy.toml` forbids `calamine::Reader::new` everywhere else).
//!
//! The limits are one to two orders of magnitude above the largest real questionnaires and
//! knowledge bases (a few thousand rows, a few dozen columns, tens of thousands of cells), and keep
//! one upload's peak memory to a few hundred MB: a self-hosted server may have 1 GB. Measured on
//! the release build, a 5 MB workbook at the limits (1,999,000 cells, each a 30-byte shared string)
//! takes 0.7 s to check and no memory beyond the file; `book::read` then takes 3 s and 360 MB.

mod package;
mod reference;
mod sheet;

use crate::kb::ImportError;
use std::io::Cursor;

/// The largest file read at all (the upload routes stop at 20 MB; this bounds the CLI too).
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// Parts in the zip archive. A workbook has a few dozen; one with 100 sheets, each with its
/// relationships, drawing, comments and printer settings, stays under 1,000.
pub const MAX_ENTRIES: usize = 1_000;
/// One part, inflated. A sheet of two million cells is about 80 MB of XML; real ones are a few MB.
pub const MAX_PART_BYTES: u64 = 64 * 1024 * 1024;
/// All parts together, inflated (every part is inflated once by the check).
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;
/// Sheets in a workbook.
pub const MAX_SHEETS: usize = 100;
/// The last row of a sheet that holds anything, counted from row 1 (Excel allows 1,048,576).
pub const MAX_ROWS: u32 = 100_000;
/// The last column of a sheet that holds anything, counted from column A: 1,000 is column ALL
/// (Excel allows 16,384, XFD).
pub const MAX_COLUMNS: u32 = 1_000;
/// Columns × rows of one sheet up to its last cell: the grid calamine and `book` allocate
/// (about 80 bytes a cell while a sheet is read, 24 while `book` keeps it).
pub const MAX_SHEET_AREA: u64 = 2_000_000;
/// Columns × rows of all sheets together (`book` keeps every sheet's grid, 24 bytes a cell).
pub const MAX_BOOK_AREA: u64 = 4_000_000;
/// `<c>` elements in the workbook, empty or not.
pub const MAX_CELLS: u64 = 2_000_000;
/// Entries in the shared-strings table.
pub const MAX_SHARED_STRINGS: usize = 1_000_000;
/// Text, in bytes: of the shared-strings table, and of all cells once each shared string and
/// shared formula is copied into every cell that uses it.
pub const MAX_TEXT_BYTES: u64 = 64 * 1024 * 1024;
/// Merged ranges in one sheet (each one is looked through for every row read).
pub const MAX_MERGED: u64 = 5_000;
/// Data validations, and the ranges they apply to, in the workbook (looked through per cell).
pub const MAX_VALIDATIONS: u64 = 1_000;
/// Ranges the data validations of the workbook apply to, together.
pub const MAX_VALIDATION_RANGES: u64 = 10_000;
/// Shared-formula groups in one sheet (calamine keeps a slot for every index up to the largest),
/// and the cells their ranges claim together (calamine maps each one).
pub const MAX_SHARED_FORMULAS: u64 = 100_000;
/// Cells the shared-formula ranges of one sheet claim together.
pub const MAX_SHARED_FORMULA_CELLS: u64 = 2_000_000;
/// One CSV field, in characters: Excel's own limit for a cell.
pub const MAX_FIELD_CHARS: usize = 32_767;

/// What [`check_xlsx`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkbookShape {
    /// In workbook order, as calamine lists them.
    pub sheets: Vec<SheetShape>,
    pub shared_strings: usize,
}

/// One sheet as the check read it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetShape {
    /// The name shown on its tab.
    pub name: String,
    /// The zip entry holding it, as named in the archive.
    pub part: String,
    /// What its `<dimension ref>` claims; recorded, never trusted.
    pub declared: Option<String>,
    /// Rows and columns up to the last cell holding a value or formula (0 × 0 when none does).
    pub rows: u32,
    pub columns: u32,
    /// Its `<c>` elements, empty or not.
    pub cells: u64,
}

impl SheetShape {
    /// Columns × rows up to the last cell.
    pub fn area(&self) -> u64 {
        u64::from(self.rows) * u64::from(self.columns)
    }
}

/// Streams the workbook and refuses it, with a message for the person who uploaded it, when
/// reading it would need more than the limits above. Nothing is built from it beyond counts.
pub fn check_xlsx(bytes: &[u8]) -> Result<WorkbookShape, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "The file is larger than {}; at most that is supported.",
            size(MAX_FILE_BYTES as u64)
        )));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let parts = package::read(&mut zip)?;
    let mut budget = sheet::Budget::default();
    let mut sheets = Vec::with_capacity(parts.sheets.len());
    for (name, part) in &parts.sheets {
        sheets.push(sheet::scan(&mut zip, name, part, &parts.strings, &mut budget)?);
    }
    Ok(WorkbookShape { sheets, shared_strings: parts.strings.len() })
}

/// A workbook that passed [`check_xlsx`], open in calamine.
pub(crate) struct Workbook<'a> {
    pub shape: WorkbookShape,
    pub reader: calamine::Xlsx<Cursor<&'a [u8]>>,
}

/// Checks the workbook, then opens it in calamine: the one way this crate reads cells.
pub(crate) fn open_xlsx(bytes: &[u8]) -> Result<Workbook<'_>, ImportError> {
    let shape = check_xlsx(bytes)?;
    #[expect(clippy::disallowed_methods, reason = "the one place calamine opens a workbook, after check_xlsx")]
    let reader = <calamine::Xlsx<_> as calamine::Reader<_>>::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    Ok(Workbook { shape, reader })
}

pub(crate) fn refuse(message: String) -> ImportError {
    ImportError::File(message)
}

pub(crate) fn unreadable() -> ImportError {
    refuse("not a readable xlsx workbook".into())
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let groups: Vec<&str> =
        digits.as_bytes().rchunks(3).rev().map(|group| std::str::from_utf8(group).unwrap_or_default()).collect();
    groups.join(",")
}

/// A size for people: `64 MB`.
pub(crate) fn size(bytes: u64) -> String {
    format!("{} MB", thousands(bytes.div_ceil(1024 * 1024)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_with_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(16_384), "16,384");
        assert_eq!(thousands(1_048_576), "1,048,576");
        assert_eq!(size(MAX_PART_BYTES), "64 MB");
    }

    /// The sheets, parts and extents of real workbooks, and calamine's grids never beyond them.
    #[test]
    fn real_workbooks_pass_with_the_shape_calamine_reads() {
        use calamine::Reader;
        let sample = crate::sample::buyer_questionnaire().unwrap();
        let rows = crate::kb::parse(include_bytes!("../../../app/src/demo/kb.csv"), crate::kb::Format::Csv).unwrap();
        let export = crate::kb::write_xlsx(&rows).unwrap();
        for (bytes, names) in
            [(&sample, &["Instructions", "Security", "Privacy", "Lists"][..]), (&export, &["Knowledge base"][..])]
        {
            let Workbook { shape, mut reader } = open_xlsx(bytes).unwrap();
            assert_eq!(shape.sheets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), names);
            for (i, sheet) in shape.sheets.iter().enumerate() {
                assert_eq!(sheet.part, format!("xl/worksheets/sheet{}.xml", i + 1));
                let values = reader.worksheet_range(&sheet.name).unwrap();
                let formulas = reader.worksheet_formula(&sheet.name).unwrap();
                for end in [values.end(), formulas.end()].into_iter().flatten() {
                    assert!(end.0 < sheet.rows && end.1 < sheet.columns, "{}: {end:?} in {sheet:?}", sheet.name);
                }
                assert!(sheet.area() > 0 && sheet.area() < 1_000, "{sheet:?}");
            }
        }
        let shape = check_xlsx(&export).unwrap();
        assert_eq!((shape.sheets[0].rows, shape.sheets[0].columns), (rows.len() as u32 + 1, 7));
    }
}
