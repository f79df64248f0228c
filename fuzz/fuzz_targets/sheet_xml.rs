//! Any bytes as a worksheet's XML: patching cells gives an error or XML, never a panic.
#![no_main]
use answers::ooxml::patch_sheet_xml;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let mut cells = BTreeMap::new();
    for (r, c) in [(0, 0), (0, 3), (2, 1), (5, 2), (40, 0)] {
        cells.insert((r, c), format!("r{r}c{c}"));
    }
    let _ = patch_sheet_xml(data, &cells);
});
