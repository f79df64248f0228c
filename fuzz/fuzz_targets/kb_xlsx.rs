//! Any bytes as a knowledge-base xlsx: an error or valid rows, never a panic.
#![no_main]
use answers::kb::{parse, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(data, Format::Xlsx);
});
