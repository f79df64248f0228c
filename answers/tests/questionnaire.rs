//! A buyer's workbook in real-world shapes: detection per sheet, question rows, dropdowns, and the
//! round trip of answers back into the same file with everything else untouched.

use answers::{
    book::{self, Mapping},
    fill::{self, Answer, Placement},
    kb::{Format, ImportError},
    sample,
};
use calamine::{Data, Reader, Xlsx};
use std::io::{Cursor, Read};

fn part(bytes: &[u8], name: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    zip.by_name(name).unwrap().read_to_end(&mut out).unwrap();
    out
}

fn cell(bytes: &[u8], sheet: &str, row: u32, col: u32) -> String {
    #[expect(clippy::disallowed_methods, reason = "reads our own output directly, as a spreadsheet program would")]
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

#[test]
fn every_sheet_is_mapped_and_its_questions_found() {
    let bytes = sample::buyer_questionnaire().unwrap();
    let book = book::read(&bytes, Format::Xlsx).unwrap();
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Instructions", "Security", "Privacy", "Lists"]);
    let mappings = book.detect().unwrap();

    // Instructions and the list sheet have no questions.
    assert_eq!(mappings[0].question, None);
    assert!(book.sheets[3].items(&mappings[3]).is_empty());

    // Title and instruction rows, then a header over two rows with merged cells.
    let security = &book.sheets[1];
    assert_eq!(mappings[1], Mapping { header_row: Some(3), question: Some(1), answer: Some(2), comment: Some(3) });
    assert_eq!(security.column_label(&mappings[1], 3), "D: Vendor response › Comments");
    let items = security.items(&mappings[1]);
    let rows: Vec<u32> = items.iter().map(|i| i.row).collect();
    // Banners (rows 5 and 9) and the blank row 8 are skipped.
    assert_eq!(rows, [5, 6, 9, 10, 11, 12]);
    // The formula's saved value is the question; the very long cell is kept whole (under the cap).
    assert_eq!(items[3].question, "Is data encrypted in transit using TLS 1.2 or higher?");
    assert_eq!(items[4].question.chars().count(), sample::LONG_QUESTION_CHARS);
    assert!(items[5].answer_is_formula && !items[0].answer_is_formula);
    assert_eq!(security.options(5, 2).unwrap(), ["Yes", "No", "N/A"]);
    assert_eq!(security.options(5, 3), None);

    // A one-row header; the dropdown's values come from a range on another sheet.
    let privacy = &book.sheets[2];
    assert_eq!(mappings[2], Mapping { header_row: Some(0), question: Some(1), answer: Some(2), comment: Some(3) });
    assert_eq!(privacy.items(&mappings[2]).iter().map(|i| i.row).collect::<Vec<_>>(), [1, 2, 4]);
    assert_eq!(privacy.column_options(&mappings[2], 2).unwrap(), ["Y", "N", "NA"]);
}

#[test]
fn answers_land_in_place_and_everything_else_is_untouched() {
    let bytes = sample::buyer_questionnaire().unwrap();
    let book = book::read(&bytes, Format::Xlsx).unwrap();
    let mappings = book.detect().unwrap();
    let answer = |sheet, row, short: &str, text: &str| Answer { sheet, row, short: short.into(), text: text.into() };
    let answers = [
        answer(1, 5, "Yes", "Yes. Okta enforces phishing-resistant MFA."),
        answer(1, 9, "Yes", "AES-256 <with> keys in KMS & rotation."),
        answer(1, 12, "N/A", "We are not ISO 27701 certified."),
        answer(2, 1, "Yes", "Our DPA is signed on request."),
        answer(2, 2, "Partially", "Only for enterprise customers."),
    ];
    let (out, placements) = fill::fill(&bytes, &book, &mappings, &answers).unwrap();
    assert_eq!(placements[0], Placement::Written { explanation_dropped: false });
    assert_eq!(placements[1], Placement::Written { explanation_dropped: false });
    assert_eq!(placements[2], Placement::Formula);
    assert_eq!(placements[3], Placement::Written { explanation_dropped: false });
    let allowed: Vec<String> = vec!["Y".into(), "N".into(), "NA".into()];
    assert_eq!(placements[4], Placement::InComment { allowed: allowed.clone() });
    // An answer without a short answer ("Yes" would not answer a what/how question) never
    // fills a dropdown: its explanation goes to the comment column.
    let what = answer(2, 1, "", "One hour.");
    assert_eq!(
        fill::place(&book, &mappings[2], &what).map(|(cells, p)| (cells, p.written())),
        Ok((vec![((1, 3), "One hour.".to_string())], true))
    );
    // Without a comment column, a typed answer the dropdown cannot hold has nowhere to go.
    let no_comment = Mapping { comment: None, ..mappings[2] };
    assert_eq!(fill::place(&book, &no_comment, &answers[4]), Err(Placement::NotInList { allowed }));

    // Reopened by another reader, the answers are where the questions are.
    assert_eq!(cell(&out, "Security", 5, 2), "Yes");
    assert_eq!(cell(&out, "Security", 5, 3), "Yes. Okta enforces phishing-resistant MFA.");
    assert_eq!(cell(&out, "Security", 9, 3), "AES-256 <with> keys in KMS & rotation.");
    assert_eq!(cell(&out, "Security", 12, 2), "N/A", "the formula's value stays");
    assert_eq!(cell(&out, "Privacy", 1, 2), "Y", "the dropdown's own value for Yes");
    assert_eq!(cell(&out, "Privacy", 2, 2), "", "the dropdown holds only its own values");
    assert_eq!(
        cell(&out, "Privacy", 2, 3),
        "Partially. Only for enterprise customers.",
        "a typed answer goes to Comments"
    );
    assert_eq!(
        cell(&out, "Security", 5, 1),
        "Is multi-factor authentication required for all employees accessing internal systems?"
    );

    // Untouched sheets and the styles part are byte for byte what came in.
    for name in [
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet4.xml",
        "xl/styles.xml",
        "xl/workbook.xml",
        "xl/sharedStrings.xml",
    ] {
        assert!(part(&out, name) == part(&bytes, name), "{name} changed");
    }
    // The answered sheets keep their column widths, merged ranges, dropdowns, frozen panes and formulas.
    let (before, after) = (
        String::from_utf8(part(&bytes, "xl/worksheets/sheet2.xml")).unwrap(),
        String::from_utf8(part(&out, "xl/worksheets/sheet2.xml")).unwrap(),
    );
    for piece in ["<cols>", "<mergeCells", "<dataValidations", "<pane ", "<f>"] {
        let grab = |xml: &str| {
            xml.find(piece).map(|i| xml[i..].split_once('>').map(|(a, _)| a.to_string()).unwrap_or_default())
        };
        assert!(grab(&after).is_some() && grab(&before) == grab(&after), "{piece} differs");
    }
    let region = |xml: &str, tag: &str| {
        xml[xml.find(&format!("<{tag}")).unwrap()..xml.find(&format!("</{tag}>")).unwrap()].to_string()
    };
    assert_eq!(region(&before, "mergeCells"), region(&after, "mergeCells"));
    assert_eq!(region(&before, "dataValidations"), region(&after, "dataValidations"));
    assert_eq!(region(&before, "cols"), region(&after, "cols"));

    // The filled workbook reads again with the same mapping.
    let again = book::read(&out, Format::Xlsx).unwrap();
    assert_eq!(again.detect().unwrap(), mappings);
}

#[test]
fn a_file_without_a_question_column_is_refused_clearly() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (r, row) in
        [["Month", "Revenue", "Cost"], ["January", "100", "80"], ["February", "120", "90"]].iter().enumerate()
    {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let e = book::read(&bytes, Format::Xlsx).unwrap().detect().unwrap_err();
    assert!(matches!(&e, ImportError::File(m) if m.starts_with("no sheet has a recognisable question column")), "{e}");
    let e = book::read(b"a,b\r\n1,2\r\n", Format::Csv).unwrap().detect().unwrap_err();
    assert!(e.to_string().contains("recognisable question column"));
    assert!(book::read(b"PK\x03\x04 not a zip", Format::Xlsx).is_err());
}
