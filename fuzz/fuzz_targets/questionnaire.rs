//! Any bytes as a buyer's workbook: read every sheet, detect, list questions, and write an answer
//! for each back into the file. An error or a workbook, never a panic.
#![no_main]
use answers::{
    book,
    fill::{fill, Answer},
    kb::Format,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    for format in [Format::Xlsx, Format::Csv] {
        let Ok(workbook) = book::read(data, format) else { continue };
        let mappings: Vec<_> = workbook.sheets.iter().map(|s| s.detect()).collect();
        let answers: Vec<Answer> = workbook
            .sheets
            .iter()
            .zip(&mappings)
            .enumerate()
            .flat_map(|(i, (s, m))| s.items(m).into_iter().map(move |item| (i, item)))
            .map(|(sheet, item)| Answer { sheet, row: item.row, short: "Yes".into(), text: "Yes. <&> \u{1}".into() })
            .collect();
        let _ = fill(data, &workbook, &mappings, &answers);
    }
});
