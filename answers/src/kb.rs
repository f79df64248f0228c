//! Knowledge-base files: the columns of `kb.csv` (`id,category,question,answer,short_answer,tags`,
//! plus optional `alternatives`), read from CSV or xlsx into validated rows, and written back.
//! A file with any bad row is refused as a whole, each problem named by its line.

use crate::limits::{thousands, MAX_COLUMNS, MAX_FIELD_CHARS, MAX_FILE_BYTES, MAX_SHEET_AREA};
use serde::Serialize;
use std::{collections::HashSet, fmt};

/// Columns, in export order. `alternatives` is optional on import.
pub const COLUMNS: [&str; 7] = ["id", "category", "question", "answer", "short_answer", "tags", "alternatives"];
const REQUIRED: [&str; 6] = ["id", "category", "question", "answer", "short_answer", "tags"];

/// The longest entry id, in bytes.
pub const MAX_ID: usize = 64;
/// The longest question, in characters; the editor holds each alternative phrasing to it too.
pub const MAX_QUESTION: usize = 2_000;
/// The longest answer, in characters.
pub const MAX_ANSWER: usize = 20_000;
/// The most entries one file may hold (its header not counted).
pub const MAX_ROWS: usize = 50_000;

/// An entry's short answer, the value a questionnaire's answer column takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ShortAnswer {
    Yes,
    No,
    #[serde(rename = "N/A")]
    NotApplicable,
}

impl ShortAnswer {
    /// Accepts `yes`/`y`, `no`/`n` and `n/a`/`na`/`not applicable`, in any case; `None` otherwise.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" => Some(Self::Yes),
            "no" | "n" => Some(Self::No),
            "n/a" | "na" | "not applicable" => Some(Self::NotApplicable),
            _ => None,
        }
    }

    /// The form written in files and questionnaires: `Yes`, `No` or `N/A`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "Yes",
            Self::No => "No",
            Self::NotApplicable => "N/A",
        }
    }
}

/// One validated entry from a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KbRow {
    /// The external id (`KB-001`), kept as is.
    pub id: String,
    pub category: String,
    pub question: String,
    pub answer: String,
    pub short_answer: ShortAnswer,
    pub tags: Vec<String>,
    pub alternatives: Vec<String>,
}

/// The file formats read and written, chosen by file name ([`Format::from_name`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// By file name extension.
    pub fn from_name(name: &str) -> Option<Self> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".csv") {
            Some(Self::Csv)
        } else if lower.ends_with(".xlsx") {
            Some(Self::Xlsx)
        } else {
            None
        }
    }
}

/// A problem with one line of the file (line 1 is the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: usize,
    pub problem: String,
}

/// Why a file was refused as a whole: it cannot be read, or rows of it are wrong. `Display` lists
/// the problems for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// The file as a whole cannot be read.
    File(String),
    /// Rows that are wrong; nothing was imported.
    Rows(Vec<RowProblem>),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::File(problem) => write!(f, "{problem}"),
            ImportError::Rows(rows) => {
                write!(f, "{} problem(s); nothing was imported", rows.len())?;
                for r in rows.iter().take(50) {
                    write!(f, "\n  line {}: {}", r.line, r.problem)?;
                }
                if rows.len() > 50 {
                    write!(f, "\n  … and {} more", rows.len() - 50)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ImportError {}

/// A cell as read: its text, and whether the spreadsheet held a formula there.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub formula: bool,
}

/// Rows of cells, the first being the header; each with its line number in the file.
pub type Table = Vec<(usize, Vec<Cell>)>;

/// Reads a CSV file into a table. Refuses text that is not UTF-8 (naming the line), and a file
/// beyond the limits a workbook has (`limits`): rows, columns, columns × rows, a field's length.
pub fn read_csv(bytes: &[u8]) -> Result<Table, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::File(format!("the file is larger than {} MB", MAX_FILE_BYTES / 1024 / 1024)));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut table = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut width = 0usize;
    // Lines are counted as records go by: counting from the top for each record took a 20 MB
    // file of short rows minutes.
    let (mut counted, mut lines) = (0usize, 1usize);
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let start = e.position().map_or(0, |p| p.byte() as usize + 1).min(bytes.len());
                let line = bytes[..start].iter().filter(|&&b| b == b'\n').count() + 1;
                return Err(ImportError::File(format!("line {line}: not a readable CSV row")));
            }
        }
        // The line where the record starts (fields may span lines); with CRLF the previous
        // record ends at its CR, so this one "starts" at the LF: count through the first byte.
        let start = record.position().map_or(0, |p| p.byte() as usize + 1).min(bytes.len()).max(counted);
        lines += bytes[counted..start].iter().filter(|&&b| b == b'\n').count();
        counted = start;
        let line = lines;
        check_csv_record(&record, line, table.len() + 1, &mut width)?;
        let mut cells = Vec::with_capacity(record.len());
        for field in record.iter() {
            let text = std::str::from_utf8(field).map_err(|_| {
                ImportError::File(format!("line {line}: the text is not UTF-8; save the file as CSV UTF-8"))
            })?;
            if text.len() > MAX_FIELD_CHARS && text.chars().count() > MAX_FIELD_CHARS {
                return Err(ImportError::File(format!(
                    "line {line}: a field is longer than {} characters; at most that is supported",
                    thousands(MAX_FIELD_CHARS as u64)
                )));
            }
            cells.push(Cell { text: text.to_string(), formula: false });
        }
        table.push((line, cells));
        if table.len() > MAX_ROWS + 1 {
            return Err(ImportError::File(format!("more than {MAX_ROWS} rows")));
        }
    }
    Ok(table)
}

/// A record's columns, and the rows × widest row so far, within what a sheet may span.
fn check_csv_record(record: &csv::ByteRecord, line: usize, rows: usize, width: &mut usize) -> Result<(), ImportError> {
    if record.len() > MAX_COLUMNS as usize {
        return Err(ImportError::File(format!(
            "line {line}: {} columns; at most {} are supported",
            thousands(record.len() as u64),
            thousands(u64::from(MAX_COLUMNS))
        )));
    }
    *width = (*width).max(record.len());
    let area = (rows as u64) * (*width as u64);
    if area > MAX_SHEET_AREA {
        return Err(ImportError::File(format!(
            "line {line}: the file spans {} columns × {} rows or more; at most {} cells (columns × rows) are supported",
            thousands(*width as u64),
            thousands(rows as u64),
            thousands(MAX_SHEET_AREA)
        )));
    }
    Ok(())
}

/// Reads the first worksheet of an xlsx file into a table; formula cells are marked.
pub fn read_xlsx(bytes: &[u8]) -> Result<Table, ImportError> {
    contain(|| read_first_sheet(bytes))
}

fn read_first_sheet(bytes: &[u8]) -> Result<Table, ImportError> {
    use calamine::Reader;
    // The check first: it refuses what calamine could not hold (see `limits`).
    let mut book = crate::limits::open_xlsx(bytes)?.reader;
    let name =
        book.sheet_names().first().cloned().ok_or_else(|| ImportError::File("the workbook has no sheets".into()))?;
    read_xlsx_sheet(&mut book, &name)
}

pub(crate) fn read_xlsx_sheet<R: std::io::Read + std::io::Seek>(
    book: &mut calamine::Xlsx<R>,
    name: &str,
) -> Result<Table, ImportError> {
    use calamine::Reader;
    let range = book.worksheet_range(name).map_err(|_| ImportError::File(format!("sheet {name:?} cannot be read")))?;
    let formulas = book.worksheet_formula(name).ok();
    let (row0, col0) = range.start().unwrap_or((0, 0));
    let mut table = Vec::new();
    for (r, row) in range.rows().enumerate() {
        if r > MAX_ROWS {
            return Err(ImportError::File(format!("more than {MAX_ROWS} rows")));
        }
        let abs_row = row0 + r as u32;
        let cells = row
            .iter()
            .enumerate()
            .map(|(c, value)| {
                let abs = (abs_row, col0 + c as u32);
                let formula = formulas.as_ref().and_then(|f| f.get_value(abs)).is_some_and(|f| !f.is_empty());
                let text = data_text(value);
                Cell { text, formula }
            })
            .collect();
        table.push((abs_row as usize + 1, cells));
    }
    Ok(table)
}

/// A cell's value as text: whole numbers without a decimal point, errors as nothing.
pub(crate) fn data_text(value: &calamine::Data) -> String {
    use calamine::Data;
    match value {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(d) => d.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

/// Reads a CSV, or the first sheet of an xlsx, into rows of cells, within the `limits`.
pub fn read_table(bytes: &[u8], format: Format) -> Result<Table, ImportError> {
    match format {
        Format::Csv => read_csv(bytes),
        Format::Xlsx => read_xlsx(bytes),
    }
}

/// Runs an xlsx reader, turning a panic inside it into a refusal. calamine 0.31 panics on some
/// damaged workbooks (a shared-string index past the table, found by `scripts/fuzz`); a buyer's
/// file must never take a request down.
pub(crate) fn contain<T>(
    read: impl FnOnce() -> Result<T, ImportError> + std::panic::UnwindSafe,
) -> Result<T, ImportError> {
    std::panic::catch_unwind(read).unwrap_or_else(|_| {
        Err(ImportError::File("the workbook is damaged and cannot be read; save it again from Excel".into()))
    })
}

fn split_list(text: &str, separator: char) -> Vec<String> {
    text.split(separator).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// Reads and validates a whole knowledge-base file. All or nothing.
pub fn parse(bytes: &[u8], format: Format) -> Result<Vec<KbRow>, ImportError> {
    let table = read_table(bytes, format)?;
    let Some((_, header)) = table.first() else {
        return Err(ImportError::File("the file is empty".into()));
    };
    let names: Vec<String> = header.iter().map(|c| c.text.trim().to_ascii_lowercase()).collect();
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !names.iter().any(|n| n == c)).collect();
    if !missing.is_empty() {
        return Err(ImportError::File(format!(
            "line 1: missing column(s) {}; expected {}",
            missing.join(", "),
            REQUIRED.join(",")
        )));
    }
    let column = |name: &str| names.iter().position(|n| n == name);
    let [id, category, question, answer, short, tags] = REQUIRED.map(|c| column(c).unwrap_or(0));
    let alternatives = column("alternatives");

    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (line, cells) in table.iter().skip(1) {
        if cells.iter().all(|c| c.text.trim().is_empty()) {
            continue;
        }
        let get = |i: usize| cells.get(i).cloned().unwrap_or_default();
        let mut row_problems = Vec::new();
        for (name, i) in REQUIRED
            .iter()
            .zip([id, category, question, answer, short, tags])
            .chain(alternatives.map(|a| (&"alternatives", a)))
        {
            let cell = get(i);
            if cell.formula || cell.text.trim_start().starts_with('=') {
                row_problems.push(format!("{name} is a formula; paste the value instead"));
            }
        }
        let text = |i: usize| get(i).text.trim().to_string();
        let id_text = text(id);
        if id_text.is_empty() {
            row_problems.push("id is empty".into());
        } else if id_text.len() > MAX_ID || id_text.chars().any(|c| c.is_control()) {
            row_problems.push(format!("id must be at most {MAX_ID} printable characters"));
        } else if !seen.insert(id_text.clone()) {
            row_problems.push(format!("id {id_text} appears more than once"));
        }
        let question_text = text(question);
        if question_text.is_empty() {
            row_problems.push("question is empty".into());
        } else if question_text.chars().count() > MAX_QUESTION {
            row_problems.push(format!("question is longer than {MAX_QUESTION} characters"));
        }
        let answer_text = text(answer);
        if answer_text.is_empty() {
            row_problems.push("answer is empty".into());
        } else if answer_text.chars().count() > MAX_ANSWER {
            row_problems.push(format!("answer is longer than {MAX_ANSWER} characters"));
        }
        let short_answer = ShortAnswer::parse(&text(short));
        if short_answer.is_none() {
            row_problems.push(format!("short_answer {:?} is not Yes, No or N/A", text(short)));
        }
        if text(category).is_empty() {
            row_problems.push("category is empty".into());
        }
        if row_problems.is_empty() {
            rows.push(KbRow {
                id: id_text,
                category: text(category),
                question: question_text,
                answer: answer_text,
                short_answer: short_answer.unwrap_or(ShortAnswer::NotApplicable),
                tags: split_list(&text(tags), ';'),
                alternatives: alternatives.map(|a| split_list(&text(a), '\n')).unwrap_or_default(),
            });
        } else {
            problems.extend(row_problems.into_iter().map(|problem| RowProblem { line: *line, problem }));
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Rows(problems));
    }
    if rows.is_empty() {
        return Err(ImportError::File("the file has a header but no entries".into()));
    }
    Ok(rows)
}

/// A cell value safe to open in a spreadsheet: text that would start a formula is prefixed with
/// an apostrophe (CSV injection).
pub fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn row_cells(row: &KbRow) -> [String; 7] {
    [
        row.id.clone(),
        row.category.clone(),
        row.question.clone(),
        row.answer.clone(),
        row.short_answer.as_str().to_string(),
        row.tags.join(";"),
        row.alternatives.join("\n"),
    ]
}

/// Writes entries as CSV (RFC 4180, CRLF) with the import columns.
pub fn write_csv(rows: &[KbRow]) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = writer.write_record(COLUMNS);
    for row in rows {
        let _ = writer.write_record(row_cells(row).iter().map(|c| spreadsheet_safe(c)));
    }
    writer.into_inner().unwrap_or_default()
}

/// Writes entries as an xlsx workbook with the import columns (all cells are text).
pub fn write_xlsx(rows: &[KbRow]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Knowledge base")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, name) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, value) in row_cells(row).iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, value)?;
        }
    }
    sheet.set_column_width(2, 60)?;
    sheet.set_column_width(3, 80)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,category,question,answer,short_answer,tags\r\n";

    fn csv(rows: &str) -> Vec<u8> {
        format!("{HEADER}{rows}").into_bytes()
    }

    #[test]
    fn a_good_file_reads_and_round_trips() {
        let file = csv("KB-1,Access,Is MFA on?,\"Yes, always.\",Yes,mfa;okta\r\nKB-2,Ops,Backups?,Daily.,n/a,\r\n");
        let rows = parse(&file, Format::Csv).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].tags, vec!["mfa", "okta"]);
        assert_eq!(rows[1].short_answer, ShortAnswer::NotApplicable);
        assert_eq!(parse(&write_csv(&rows), Format::Csv).unwrap(), rows);
        assert_eq!(parse(&write_xlsx(&rows).unwrap(), Format::Xlsx).unwrap(), rows);
    }

    #[test]
    fn bad_rows_are_named_by_line_and_nothing_is_kept() {
        let file = csv("KB-1,A,Q?,\"A\r\nspanning lines\",Yes,\r\nKB-1,A,Q2?,A.,Yes,\r\n,A,Q3?,A.,Maybe,\r\nKB-4,A,=HYPERLINK(\"x\"),A.,Yes,\r\n");
        let ImportError::Rows(problems) = parse(&file, Format::Csv).unwrap_err() else { panic!() };
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![4, 5, 5, 6]);
        assert!(problems[0].problem.contains("more than once"));
        assert!(problems[1].problem.contains("id is empty"));
        assert!(problems[2].problem.contains("short_answer"));
        assert!(problems[3].problem.contains("formula"));
    }

    #[test]
    fn missing_columns_bad_encoding_and_garbage_are_refused() {
        let e = parse(b"id,question\r\nKB-1,Q\r\n", Format::Csv).unwrap_err();
        assert!(e.to_string().contains("missing column(s) category, answer, short_answer, tags"), "{e}");
        let mut latin1 = csv("KB-1,A,Caf");
        latin1.extend_from_slice(b"\xe9?,A.,Yes,\r\n");
        let e = parse(&latin1, Format::Csv).unwrap_err();
        assert_eq!(e.to_string(), "line 2: the text is not UTF-8; save the file as CSV UTF-8");
        assert!(matches!(parse(b"PK\x03\x04garbage", Format::Xlsx), Err(ImportError::File(_))));
        assert!(matches!(parse(b"", Format::Csv), Err(ImportError::File(_))));
        assert!(matches!(parse(HEADER.as_bytes(), Format::Csv), Err(ImportError::File(_))));
    }

    #[test]
    fn xlsx_formulas_are_refused() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, name) in REQUIRED.iter().enumerate() {
            sheet.write_string(0, c as u16, *name).unwrap();
        }
        for (c, value) in ["KB-1", "A", "Q?", "A.", "Yes", ""].iter().enumerate() {
            sheet.write_string(1, c as u16, *value).unwrap();
        }
        sheet.write_formula(1, 3, "=\"Ye\"&\"s\"").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let ImportError::Rows(problems) = parse(&bytes, Format::Xlsx).unwrap_err() else { panic!() };
        assert_eq!(
            problems,
            vec![RowProblem { line: 2, problem: "answer is a formula; paste the value instead".into() }]
        );
    }

    #[test]
    fn a_damaged_workbook_that_panics_calamine_is_refused() {
        let bytes = include_bytes!("../tests/fixtures/calamine-shared-string-out-of-range.xlsx");
        let e = parse(bytes, Format::Xlsx).unwrap_err();
        assert!(matches!(e, ImportError::File(_)), "{e}");
        assert!(crate::questions::read(bytes, Format::Xlsx).is_err());
    }

    #[test]
    fn exported_text_cannot_become_a_formula() {
        assert_eq!(spreadsheet_safe("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(spreadsheet_safe("Yes"), "Yes");
    }
}
