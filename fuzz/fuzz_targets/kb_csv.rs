//! Any bytes as a knowledge-base CSV: an error or valid rows, never a panic; valid rows survive
//! a write and re-read unchanged.
#![no_main]
use answers::kb::{parse, write_csv, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = parse(data, Format::Csv) {
        let again = parse(&write_csv(&rows), Format::Csv).expect("our own CSV reads back");
        assert_eq!(again.len(), rows.len());
    }
});
