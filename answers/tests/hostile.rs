//! Hostile workbooks, built in memory, through the entry points the upload routes and the CLI use
//! (`book::read`, `kb::parse`, `questions::read`): each is refused with a message naming what is
//! wrong, and nothing is allocated for it first. Before the check, the first of these made
//! calamine ask for 512 GiB and the process abort (issue 14).

use answers::{book, kb, kb::Format, questions};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const RELS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A workbook of `sheets` (name, sheet XML) and the given shared strings, as Excel lays it out.
fn workbook(sheets: &[(&str, String)], shared: Option<&str>) -> Vec<u8> {
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    let overrides: String = (1..=sheets.len())
        .map(|i| format!(r#"<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#))
        .collect();
    parts.push((
        "[Content_Types].xml".into(),
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>"#).into_bytes(),
    ));
    parts.push((
        "_rels/.rels".into(),
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#).into_bytes(),
    ));
    let listed: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| format!(r#"<sheet name="{name}" sheetId="{}" r:id="rId{}"/>"#, i + 1, i + 1))
        .collect();
    parts.push((
        "xl/workbook.xml".into(),
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>{listed}</sheets></workbook>"#).into_bytes(),
    ));
    let mut rels: String = (1..=sheets.len())
        .map(|i| format!(r#"<Relationship Id="rId{i}" Type="{RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>"#))
        .collect();
    if shared.is_some() {
        rels.push_str(&format!(r#"<Relationship Id="rIdS" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>"#));
    }
    parts.push((
        "xl/_rels/workbook.xml.rels".into(),
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>"#).into_bytes(),
    ));
    if let Some(items) = shared {
        parts.push((
            "xl/sharedStrings.xml".into(),
            format!(r#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{items}</sst>"#).into_bytes(),
        ));
    }
    for (i, (_, xml)) in sheets.iter().enumerate() {
        parts.push((format!("xl/worksheets/sheet{}.xml", i + 1), xml.clone().into_bytes()));
    }
    zipped(&parts)
}

fn zipped(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A worksheet with an optional `<dimension>` and the given rows.
fn sheet(dimension: Option<&str>, rows: &str) -> String {
    let dimension = dimension.map(|d| format!(r#"<dimension ref="{d}"/>"#)).unwrap_or_default();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}" xmlns:r="{RELS}">{dimension}<sheetData>{rows}</sheetData></worksheet>"#
    )
}

fn text_cell(at: &str, text: &str) -> String {
    format!(r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)
}

/// The header a knowledge-base file starts with, on row 1.
fn kb_header() -> String {
    let cells: String = ["id", "category", "question", "answer", "short_answer", "tags"]
        .iter()
        .enumerate()
        .map(|(i, name)| text_cell(&format!("{}1", (b'A' + i as u8) as char), name))
        .collect();
    format!(r#"<row r="1">{cells}</row>"#)
}

/// One value in A1 and one in XFD1048576: a few KB asking calamine for a 512 GiB grid.
fn a1_and_xfd1048576(dimension: Option<&str>) -> Vec<u8> {
    workbook(&[("Security", sheet(dimension, &a1_and_xfd1048576_rows()))], None)
}

fn a1_and_xfd1048576_rows() -> String {
    format!(r#"<row r="1">{}</row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"#, text_cell("A1", "Question"))
}

/// A knowledge base of one good entry on its first sheet, then `more` sheets.
fn good_kb(more: usize) -> Vec<u8> {
    let good = format!(
        r#"{}<row r="2">{}{}{}{}{}</row>"#,
        kb_header(),
        text_cell("A2", "KB-1"),
        text_cell("B2", "Access"),
        text_cell("C2", "Is MFA on?"),
        text_cell("D2", "Yes."),
        text_cell("E2", "Yes")
    );
    let mut sheets = vec![("Knowledge base".to_string(), sheet(None, &good))];
    sheets.extend((1..=more).map(|i| (format!("Sheet{i}"), sheet(None, ""))));
    let sheets: Vec<(&str, String)> = sheets.iter().map(|(n, x)| (n.as_str(), x.clone())).collect();
    workbook(&sheets, None)
}

/// Every entry point refuses the file with `message`, naming the sheet.
fn refused_everywhere(bytes: &[u8], message: &str) {
    let errors = [
        ("book::read", book::read(bytes, Format::Xlsx).err()),
        ("kb::parse", kb::parse(bytes, Format::Xlsx).err()),
        ("questions::read", questions::read(bytes, Format::Xlsx).err()),
    ];
    for (entry, error) in errors {
        let error = error.unwrap_or_else(|| panic!("{entry} accepted the file")).to_string();
        assert!(error.contains(message), "{entry}: {error}");
    }
}

#[test]
fn a_value_in_a1_and_one_in_xfd1048576_is_refused_naming_the_sheet() {
    let bytes = a1_and_xfd1048576(Some("A1:XFD1048576"));
    assert!(bytes.len() < 5_000, "{} bytes", bytes.len());
    refused_everywhere(&bytes, "Sheet ‘Security’ spans 16,384 columns × 1,048,576 rows");
    let error = book::read(&bytes, Format::Xlsx).unwrap_err().to_string();
    assert!(error.contains("it has cells in column XFD and in row 1,048,576"), "{error}");
    assert!(error.contains("at most 1,000 columns, 100,000 rows and 2,000,000 cells per sheet"), "{error}");
}

#[test]
fn a_dimension_that_lies_or_is_missing_does_not_hide_far_cells() {
    for dimension in [Some("A1:F1"), None] {
        let bytes = a1_and_xfd1048576(dimension);
        refused_everywhere(&bytes, "Sheet ‘Security’ spans 16,384 columns × 1,048,576 rows");
    }
}

#[test]
fn cells_without_references_are_placed_by_their_order() {
    // Rows and cells without `r` follow the previous ones: row 1,048,576 by its number, then
    // 20,000 cells along row 1 with no reference at all.
    let far_row = format!(r#"{}<row r="1048576"><c><v>1</v></c></row>"#, kb_header());
    let bytes = workbook(&[("Security", sheet(Some("A1"), &far_row))], None);
    refused_everywhere(&bytes, "Sheet ‘Security’ spans 6 columns × 1,048,576 rows");
    let wide: String = (0..20_000).map(|_| "<c><v>1</v></c>").collect();
    let bytes = workbook(&[("Security", sheet(None, &format!("<row>{wide}</row>")))], None);
    refused_everywhere(&bytes, "Sheet ‘Security’ spans 20,000 columns × 1 row ");
}

#[test]
fn a_cell_hidden_where_only_the_formula_pass_looks_is_refused() {
    // calamine reads values and formulas in two passes that skip a cell's inside differently:
    // here only the formula pass sees the cells at A2 and XFD1048576 (whose grid is 512 GiB).
    let rows = format!(
        r#"{}<row r="2"><c r="A2"><f><f></f></c><c r="XFD1048576"><f>1</f></c></f></c><c r="B2"><f>2</f><v>2</v></c></row>"#,
        kb_header()
    );
    let bytes = workbook(&[("Security", sheet(None, &rows))], None);
    refused_everywhere(&bytes, "Sheet ‘Security’ is damaged");
}

/// A sheet whose inline string holds `size` zero bytes: a few hundred KB that inflate to `size`.
fn bomb(size: usize) -> Vec<u8> {
    let head = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#
    );
    let tail = "</t></is></c></row></sheetData></worksheet>";
    let small = workbook(&[("Security", sheet(None, "")), ("Lists", sheet(None, ""))], None);
    // The same package with sheet 1 replaced by the bomb, streamed into the archive.
    let mut source = zip::ZipArchive::new(Cursor::new(small)).unwrap();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..source.len() {
        let file = source.by_index_raw(i).unwrap();
        if file.name() != "xl/worksheets/sheet1.xml" {
            zip.raw_copy_file(file).unwrap();
            continue;
        }
        drop(file);
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        zip.write_all(head.as_bytes()).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..size / zeros.len() {
            zip.write_all(&zeros).unwrap();
        }
        zip.write_all(tail.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Rewrites the uncompressed size the archive declares for `name`, in its local header and in the
/// central directory, leaving the data as it is.
fn declare_size(bytes: &mut [u8], name: &str, size: u32) {
    let name = name.as_bytes();
    let mut at = 0;
    while at + 46 < bytes.len() {
        let signature = &bytes[at..at + 4];
        let (size_at, name_len_at, name_at) = match signature {
            b"PK\x03\x04" => (at + 22, at + 26, at + 30),
            b"PK\x01\x02" => (at + 24, at + 28, at + 46),
            _ => {
                at += 1;
                continue;
            }
        };
        let len = u16::from_le_bytes([bytes[name_len_at], bytes[name_len_at + 1]]) as usize;
        if bytes.get(name_at..name_at + len) == Some(name) {
            bytes[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
        }
        at += 4;
    }
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_inflated() {
    let bytes = bomb(200 << 20);
    assert!(bytes.len() < 1 << 20, "{} bytes", bytes.len());
    refused_everywhere(&bytes, "Sheet ‘Security’ (xl/worksheets/sheet1.xml) is 201 MB uncompressed; at most 64 MB");
}

#[test]
fn a_part_that_lies_about_its_size_is_refused_while_inflating() {
    let mut bytes = bomb(200 << 20);
    declare_size(&mut bytes, "xl/worksheets/sheet1.xml", 4096);
    refused_everywhere(&bytes, "Sheet ‘Security’ (xl/worksheets/sheet1.xml) unpacks to more than 64 MB");
}

#[test]
fn too_many_shared_strings_are_refused() {
    let items = "<si><t>x</t></si>".repeat(1_000_001);
    let rows = format!(r#"{}<row r="2"><c r="A2" t="s"><v>0</v></c></row>"#, kb_header());
    let bytes = workbook(&[("Security", sheet(None, &rows))], Some(&items));
    refused_everywhere(&bytes, "more than 1,000,000 shared strings");
}

#[test]
fn a_shared_string_repeated_into_gigabytes_is_refused() {
    // One 4 MB string in 10,000 cells: a 30 KB file whose cells would hold 40 GB of text.
    let items = format!("<si><t>{}</t></si>", "x".repeat(4 << 20));
    let cells: String = (2..10_002).map(|r| format!(r#"<row r="{r}"><c r="C{r}" t="s"><v>0</v></c></row>"#)).collect();
    let bytes = workbook(&[("Security", sheet(None, &format!("{}{cells}", kb_header())))], Some(&items));
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());
    refused_everywhere(&bytes, "With sheet ‘Security’, the workbook's cells hold more than 64 MB of text");
}

#[test]
fn a_workbook_with_hundreds_of_sheets_is_refused() {
    assert_eq!(kb::parse(&good_kb(0), Format::Xlsx).unwrap().len(), 1);
    refused_everywhere(&good_kb(149), "The workbook has 150 sheets; at most 100 are supported.");
}

#[test]
fn an_archive_of_thousands_of_parts_is_refused() {
    let mut source = zip::ZipArchive::new(Cursor::new(good_kb(0))).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..source.len() {
        let mut file = source.by_index(i).unwrap();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut file, &mut bytes).unwrap();
        parts.push((file.name().to_string(), bytes));
    }
    parts.extend((0..5_000).map(|i| (format!("xl/media/image{i}.png"), Vec::new())));
    assert_eq!(parts.len(), 5_005);
    refused_everywhere(&zipped(&parts), "The workbook has 5,005 parts; at most 1,000 are supported.");
}

#[test]
fn shared_formulas_cannot_claim_a_million_cells_each() {
    // Each group's range makes calamine map every cell in it; a reversed range wraps its
    // arithmetic; a huge group number makes it reserve a slot for every number below.
    let groups: String = (0..3)
        .map(|i| format!(r#"<c r="F{}"><f t="shared" si="{i}" ref="F2:F1048576">1+1</f><v>2</v></c>"#, i + 2))
        .collect();
    let cases = [
        (format!(r#"<row r="2">{groups}</row>"#), "shares formulas over more than 2,000,000 cells"),
        (
            r#"<row r="2"><c r="F2"><f t="shared" si="0" ref="F9:F2">1+1</f><v>2</v></c></row>"#.to_string(),
            "has a cell reference “F9:F2” that is not valid",
        ),
        (
            r#"<row r="2"><c r="F2"><f t="shared" si="4000000000" ref="F2:F3">1+1</f><v>2</v></c></row>"#.to_string(),
            "numbers a shared formula 4,000,000,000",
        ),
    ];
    for (rows, message) in cases {
        let bytes = workbook(&[("Security", sheet(None, &format!("{}{rows}", kb_header())))], None);
        refused_everywhere(&bytes, message);
    }
}

#[test]
fn a_csv_too_wide_too_long_or_with_a_huge_field_is_refused() {
    let header = "id,category,question,answer,short_answer,tags\r\n";
    let wide = format!("{header}{}\r\n", ",".repeat(4_999));
    let huge_field = format!("{header}KB-1,A,\"{}\",A.,Yes,\r\n", "x".repeat(40_000));
    let tall = format!("{header}{}", format!("{}\r\n", ",".repeat(999)).repeat(2_500));
    let cases = [
        (wide, "line 2: 5,000 columns; at most 1,000 are supported"),
        (huge_field, "line 2: a field is longer than 32,767 characters"),
        (tall, "the file spans 1,000 columns × 2,001 rows or more"),
    ];
    for (file, message) in cases {
        for (entry, error) in [
            ("book::read", book::read(file.as_bytes(), Format::Csv).err()),
            ("kb::parse", kb::parse(file.as_bytes(), Format::Csv).err()),
            ("questions::read", questions::read(file.as_bytes(), Format::Csv).err()),
        ] {
            let error = error.unwrap_or_else(|| panic!("{entry} accepted it")).to_string();
            assert!(error.contains(message), "{entry}: {error}");
        }
    }
}

#[test]
fn the_committed_fixture_is_refused_the_same_way() {
    let bytes = include_bytes!("fixtures/a1-and-xfd1048576.xlsx");
    refused_everywhere(bytes, "Sheet ‘Security’ spans 16,384 columns × 1,048,576 rows");
}

/// Writes the fixture the server's tests upload and the seeds of `fuzz/corpus/upload`, from the
/// builders above: `cargo test -p answers --test hostile -- --ignored write_fixtures_and_seeds`.
#[test]
#[ignore = "writes files into the repository; run by hand when a builder changes"]
fn write_fixtures_and_seeds() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = a1_and_xfd1048576(Some("A1:XFD1048576"));
    std::fs::write(root.join("tests/fixtures/a1-and-xfd1048576.xlsx"), &fixture).unwrap();
    let seeds = root.join("../fuzz/corpus/upload");
    std::fs::create_dir_all(&seeds).unwrap();
    let mut lying = bomb(70 << 20);
    declare_size(&mut lying, "xl/worksheets/sheet1.xml", 4096);
    let hidden = format!(
        r#"{}<row r="2"><c r="A2"><f><f></f></c><c r="XFD1048576"><f>1</f></c></f></c><c r="B2"><f>2</f><v>2</v></c></row>"#,
        kb_header()
    );
    let shared_formulas = format!(
        r#"{}<row r="2"><c r="F2"><f t="shared" si="0" ref="F2:F4">A2+1</f><v>2</v></c></row><row r="3"><c r="F3"><f t="shared" si="0"/><v>3</v></c></row>"#,
        kb_header()
    );
    let items = format!("<si><t>{}</t></si><si><r><t>a</t></r><r><t>b</t></r></si><si/>", "x".repeat(1 << 20));
    let repeated: String = (2..102).map(|r| format!(r#"<row r="{r}"><c r="C{r}" t="s"><v>0</v></c></row>"#)).collect();
    let files = [
        ("a1-and-xfd1048576.xlsx", fixture),
        ("zip-bomb-70mb.xlsx", bomb(70 << 20)),
        ("zip-bomb-70mb-declared-4kb.xlsx", lying),
        ("formula-pass-hidden-cell.xlsx", workbook(&[("Security", sheet(None, &hidden))], None)),
        ("shared-formulas.xlsx", workbook(&[("Security", sheet(Some("A1:F3"), &shared_formulas))], None)),
        (
            "shared-string-repeated.xlsx",
            workbook(&[("Security", sheet(None, &format!("{}{repeated}", kb_header())))], Some(&items)),
        ),
        ("good-kb.xlsx", good_kb(1)),
    ];
    for (name, bytes) in files {
        assert!(bytes.len() <= 131_072, "{name}: {} bytes, over the target's -max_len", bytes.len());
        std::fs::write(seeds.join(name), bytes).unwrap();
    }
    // upload_sheet: a sheet's XML, then after a NUL the shared strings.
    let seeds = root.join("../fuzz/corpus/upload_sheet");
    std::fs::create_dir_all(&seeds).unwrap();
    let far = format!(
        r#"{}<row r="1048576"><c><v>1</v></c></row><row><c r="B2" t="s"><v>1</v></c><c><v>2</v></c></row>"#,
        kb_header()
    );
    let sheets = [
        ("a1-and-xfd1048576.xml", sheet(Some("A1:XFD1048576"), &a1_and_xfd1048576_rows())),
        ("formula-pass-hidden-cell.xml", sheet(None, &hidden)),
        ("shared-formulas.xml", sheet(Some("A1:F3"), &shared_formulas)),
        ("cells-without-references.xml", sheet(Some("A1"), &far)),
    ];
    for (name, xml) in sheets {
        std::fs::write(seeds.join(name), xml).unwrap();
    }
    let cells: String = (0..4).map(|i| format!(r#"<c r="C{}" t="s"><v>{i}</v></c>"#, i + 2)).collect();
    let strings = format!(
        "{}\0<sst><si><t>x</t></si><si><r><t>a</t></r><r><t>b</t></r></si><si/><si><t>y</t></si></sst>",
        sheet(None, &format!(r#"{}<row r="2">{cells}</row>"#, kb_header()))
    );
    std::fs::write(seeds.join("shared-strings.xml"), strings).unwrap();
}
