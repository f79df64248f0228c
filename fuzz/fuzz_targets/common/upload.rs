//! What the upload routes run on a buyer's workbook, shared by the `upload` and `upload_sheet`
//! targets: the questionnaire upload (`book::read`, `detect`, each sheet's question rows) and the
//! knowledge-base import (`kb::parse`). An error or a result, never a panic nor an allocation past
//! `-rss_limit_mb`.
//!
//! And the check itself, against calamine: for every workbook `limits::check_xlsx` lets through,
//! every grid calamine builds (values and formulas, sheet by sheet) lies within the extent the
//! check measured. A difference between the two readers shows here first.
use answers::{book, kb, kb::Format, limits};
use calamine::Reader;
use std::{io::Cursor, panic::AssertUnwindSafe};

pub fn run(data: &[u8]) {
    // Panics the importers contain (catch_unwind) must not abort the run; one that escapes
    // still does (it unwinds into libFuzzer).
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    if let Ok(workbook) = book::read(data, Format::Xlsx) {
        if let Ok(mappings) = workbook.detect() {
            for (sheet, mapping) in workbook.sheets.iter().zip(&mappings) {
                let _ = sheet.items(mapping);
                let _ = mapping.answer.and_then(|a| sheet.column_options(mapping, a));
            }
        }
    }
    let _ = kb::parse(data, Format::Xlsx);
    let Ok(shape) = limits::check_xlsx(data) else { return };
    // calamine opened directly (the crate only does so after the check): what it builds is the test.
    let Ok(mut reader) = calamine::Xlsx::new(Cursor::new(data)) else { return };
    for sheet in &shape.sheets {
        // calamine panics on some damaged sheets (the importers contain it); not a finding here.
        let grids = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let values = reader.worksheet_range(&sheet.name).ok().and_then(|r| r.end());
            let formulas = reader.worksheet_formula(&sheet.name).ok().and_then(|r| r.end());
            [values, formulas]
        }));
        for (row, col) in grids.unwrap_or_default().into_iter().flatten() {
            assert!(row < sheet.rows && col < sheet.columns, "calamine read ({row}, {col}) beyond {sheet:?}");
        }
    }
}
