//! Any bytes as a knowledge-base xlsx: an error or valid rows, never a panic.
#![no_main]
use answers::kb::{parse, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Panics the importers contain (catch_unwind) must not abort the run; one that escapes
    // still does (it unwinds into libFuzzer).
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let _ = parse(data, Format::Xlsx);
});
