//! Any bytes as a knowledge-base CSV: an error or valid rows, never a panic; valid rows survive
//! a write and re-read unchanged.
#![no_main]
use answers::kb::{parse, write_csv, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Panics the importers contain (catch_unwind) must not abort the run; one that escapes
    // still does (it unwinds into libFuzzer).
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    if let Ok(rows) = parse(data, Format::Csv) {
        let again = parse(&write_csv(&rows), Format::Csv).expect("our own CSV reads back");
        assert_eq!(again.len(), rows.len());
    }
});
