//! Any bytes as a worksheet's XML (and, after a NUL byte, the shared-strings table's), packed
//! into an otherwise valid workbook with the right checksums, then uploaded as a questionnaire
//! or a knowledge base (see common/upload.rs). Here mutations reach the cell references, rows,
//! formulas and nesting the check must read exactly as calamine does.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

#[path = "common/upload.rs"]
mod upload;

const RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

fn workbook(sheet: &[u8], strings: Option<&[u8]>) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // Stored: packing stays cheap, and the fuzzer's time goes to the XML.
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut part = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    };
    part(
        "xl/workbook.xml",
        format!(r#"<workbook xmlns:r="{RELS}"><sheets><sheet name="Security" sheetId="1" r:id="rId1"/><sheet name="Lists" sheetId="2" r:id="rId2"/></sheets></workbook>"#).as_bytes(),
    );
    part(
        "xl/_rels/workbook.xml.rels",
        br#"<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="/xl/worksheets/sheet2.xml"/></Relationships>"#,
    );
    part("xl/worksheets/sheet1.xml", sheet);
    part("xl/worksheets/sheet2.xml", br#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Yes</t></is></c></row></sheetData></worksheet>"#);
    if let Some(strings) = strings {
        part("xl/sharedStrings.xml", strings);
    }
    zip.finish().unwrap().into_inner()
}

fuzz_target!(|data: &[u8]| {
    let (sheet, strings) = match data.iter().position(|b| *b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    upload::run(&workbook(sheet, strings));
});
