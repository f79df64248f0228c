//! Any bytes as a workbook uploaded as a questionnaire or a knowledge base (see common/upload.rs).
//! The seeds include the A1 + XFD1048576 workbook and zip bombs; inside a zip, though, mutations
//! mostly break the compressed stream or its checksum: `upload_sheet` mutates the XML itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

#[path = "common/upload.rs"]
mod upload;

fuzz_target!(|data: &[u8]| upload::run(data));
