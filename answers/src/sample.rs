//! A buyer's questionnaire in the shapes real ones take, for the demo, the tests and anyone
//! trying the import: an instructions sheet, a title and instruction rows above a two-row merged
//! header, section banners, blank rows, Yes/No/N/A dropdowns (one listed inline, one from a range
//! on another sheet), a question computed by a formula, a very long question, and an answer cell
//! that already holds a formula.

use rust_xlsxwriter::{Color, DataValidation, Format, FormatAlign, Formula, Workbook, XlsxError};

/// The long question's length in characters.
pub const LONG_QUESTION_CHARS: usize = 3_000;

/// The sample's very long question: a sentence repeated to [`LONG_QUESTION_CHARS`], ending in `?`.
pub fn long_question() -> String {
    let lead = "Describe how you protect customer data throughout its lifecycle, including collection, storage, processing, backup, transfer to subprocessors and deletion at the end of the contract. ";
    let mut text = String::new();
    while text.chars().count() < LONG_QUESTION_CHARS - 1 {
        text.push_str(lead);
    }
    let mut text: String = text.chars().take(LONG_QUESTION_CHARS - 1).collect();
    text.push('?');
    text
}

/// The sample questionnaire described in the module docs, as xlsx bytes.
pub fn buyer_questionnaire() -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let title = Format::new().set_bold().set_font_size(14);
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xD9E1F2))
        .set_align(FormatAlign::Center)
        .set_border(rust_xlsxwriter::FormatBorder::Thin);
    let banner = Format::new().set_bold().set_background_color(Color::RGB(0xFCE4D6));
    let wrap = Format::new().set_text_wrap();

    let sheet = book.add_worksheet();
    sheet.set_name("Instructions")?;
    sheet.write_string_with_format(0, 0, "Acme Corp: vendor security assessment", &title)?;
    sheet.write_string(2, 0, "Please answer every question on the Security and Privacy sheets.")?;
    sheet.write_string(3, 0, "Use the dropdown in the answer column; add detail in the comments column.")?;
    sheet.set_column_width(0, 90)?;

    let sheet = book.add_worksheet();
    sheet.set_name("Security")?;
    sheet.merge_range(0, 0, 0, 3, "Vendor security questionnaire", &title)?;
    sheet.write_string(1, 0, "Please answer each question and add comments where useful.")?;
    sheet.merge_range(2, 0, 3, 0, "Ref", &header)?;
    sheet.merge_range(2, 1, 3, 1, "Question", &header)?;
    sheet.merge_range(2, 2, 2, 3, "Vendor response", &header)?;
    sheet.write_string_with_format(3, 2, "Answer", &header)?;
    sheet.write_string_with_format(3, 3, "Comments", &header)?;
    sheet.merge_range(4, 0, 4, 3, "ACCESS CONTROL", &banner)?;
    sheet.write_string(5, 0, "AC-1")?;
    sheet.write_string_with_format(
        5,
        1,
        "Is multi-factor authentication required for all employees accessing internal systems?",
        &wrap,
    )?;
    sheet.write_string(6, 0, "AC-2")?;
    sheet.write_string_with_format(6, 1, "Do you review user access rights at least quarterly?", &wrap)?;
    sheet.merge_range(8, 0, 8, 3, "DATA PROTECTION", &banner)?;
    sheet.write_string(9, 0, "DP-1")?;
    sheet.write_string_with_format(9, 1, "Is customer data encrypted at rest?", &wrap)?;
    sheet.write_string(10, 0, "DP-2")?;
    sheet.write_formula(
        10,
        1,
        Formula::new(r#"="Is data encrypted in transit using TLS "&"1.2 or higher?""#)
            .set_result("Is data encrypted in transit using TLS 1.2 or higher?"),
    )?;
    sheet.write_string(11, 0, "DP-3")?;
    sheet.write_string_with_format(11, 1, long_question(), &wrap)?;
    sheet.write_string(12, 0, "DP-4")?;
    sheet.write_string_with_format(
        12,
        1,
        "Do you hold ISO 27701 certification for privacy information management?",
        &wrap,
    )?;
    sheet.write_formula(12, 2, Formula::new(r#"=IF(A13="DP-4","N/A","")"#).set_result("N/A"))?;
    let yes_no = DataValidation::new().allow_list_strings(&["Yes", "No", "N/A"])?;
    sheet.add_data_validation(5, 2, 60, 2, &yes_no)?;
    sheet.set_column_width(0, 8)?;
    sheet.set_column_width(1, 70)?;
    sheet.set_column_width(2, 14)?;
    sheet.set_column_width(3, 50)?;
    sheet.set_freeze_panes(4, 0)?;

    let sheet = book.add_worksheet();
    sheet.set_name("Privacy")?;
    for (c, label) in ["ID", "Question", "Response", "Notes"].iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *label, &header)?;
    }
    sheet.write_string(1, 0, "P-1")?;
    sheet.write_string(1, 1, "Will you sign our data processing agreement?")?;
    sheet.write_string(2, 0, "P-2")?;
    sheet.write_string(2, 1, "Do you publish a list of your subprocessors?")?;
    sheet.write_string(4, 0, "P-3")?;
    sheet.write_string(4, 1, "How long do you keep customer data after the contract ends?")?;
    let listed = DataValidation::new().allow_list_formula(Formula::new("=Lists!$A$1:$A$3"));
    sheet.add_data_validation(1, 2, 40, 2, &listed)?;
    sheet.set_column_width(1, 60)?;
    sheet.set_column_width(3, 40)?;

    let sheet = book.add_worksheet();
    sheet.set_name("Lists")?;
    for (r, v) in ["Y", "N", "NA"].iter().enumerate() {
        sheet.write_string(r as u32, 0, *v)?;
    }
    book.save_to_buffer()
}
