//! A buyer's questionnaire as a workbook: every sheet's cells (with merged ranges, formulas and
//! dropdown lists), the detected header row and question / answer / comment columns, and the
//! question rows under them, skipping blank rows, section headings and instructions.

use crate::{
    kb::{contain, data_text, read_csv, Format, ImportError},
    limits::{self, Workbook},
    ooxml::{self, Area},
};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The most rows read from one sheet, and the most sheets (see `limits` for what a file may
/// make us allocate).
pub const MAX_ROWS: usize = 50_000;
/// The most sheets read from one workbook: the limit `limits` checks.
pub const MAX_SHEETS: usize = limits::MAX_SHEETS;
/// The most cells a dropdown's source range is looked through for its values.
const MAX_LIST_SCAN: usize = 100_000;
/// Questions longer than this are kept cut, with an ellipsis.
pub const MAX_QUESTION: usize = 10_000;
/// How far down a sheet a header row is looked for.
const HEADER_SEARCH: usize = 50;

/// One sheet's cells as read, with its merged ranges, formula cells and dropdown values.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    /// The package part (xlsx only).
    pub part: Option<String>,
    /// Zero-based, absolute: `cells[row][col]`.
    cells: Vec<Vec<String>>,
    formulas: HashSet<(u32, u32)>,
    merged: Vec<Area>,
    lists: Vec<(Vec<Area>, Vec<String>)>,
}

/// A buyer's questionnaire as read by [`read`]: every sheet, in workbook order (a CSV is one
/// sheet).
#[derive(Debug, Clone)]
pub struct Book {
    pub format: Format,
    pub sheets: Vec<Sheet>,
}

/// Which rows and columns hold what (zero-based). A sheet without a question column is skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    /// The (last) header row; questions start below it. None: no header, questions from the top.
    pub header_row: Option<u32>,
    pub question: Option<u32>,
    pub answer: Option<u32>,
    pub comment: Option<u32>,
}

/// One question row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub row: u32,
    pub question: String,
    /// The answer cell holds a formula: it is never overwritten.
    pub answer_is_formula: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Question,
    Answer,
    Comment,
    Other,
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '/' && c != '#')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn classify(text: &str) -> Label {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 80 || text.ends_with('?') {
        return Label::Other;
    }
    let lower = text.to_lowercase();
    let w = words(text);
    let has = |list: &[&str]| w.iter().any(|x| list.iter().any(|l| x.starts_with(l)));
    if has(&[
        "comment",
        "explanation",
        "explain",
        "note",
        "remark",
        "justification",
        "detail",
        "evidence",
        "clarification",
        "elaborat",
        "supporting",
    ]) || lower.contains("additional information")
    {
        return Label::Comment;
    }
    if has(&["answer", "response", "respons", "reply", "compliant", "compliance"])
        || ["yes/no", "y/n", "yes / no"].iter().any(|p| lower.contains(p))
    {
        return Label::Answer;
    }
    let identifier = w.iter().any(|x| {
        ["id", "#", "number", "no", "ref", "reference", "category", "domain", "section", "type", "owner"]
            .contains(&x.as_str())
    });
    if !identifier
        && has(&[
            "question",
            "requirement",
            "control",
            "query",
            "criteria",
            "criterion",
            "request",
            "item",
            "description",
            "ask",
            "topic",
        ])
    {
        return Label::Question;
    }
    Label::Other
}

/// How much a column reads like questions: long text, often ending in `?`.
pub(crate) fn question_likeness(texts: &[&str], rows: usize) -> f32 {
    if texts.is_empty() {
        return 0.0;
    }
    let asks = texts.iter().filter(|t| t.ends_with('?')).count() as f32 / texts.len() as f32;
    let words = texts.iter().map(|t| t.split_whitespace().count()).sum::<usize>() as f32 / texts.len() as f32;
    asks * 2.0 + (words / 10.0).min(1.5) + texts.len() as f32 / rows.max(1) as f32
}

fn cut(text: &str) -> String {
    if text.chars().count() <= MAX_QUESTION {
        return text.to_string();
    }
    let mut out: String = text.chars().take(MAX_QUESTION - 1).collect();
    out.push('…');
    out
}

/// Rows that are not questions: instructions, and section headings ("Section 3", "2. ACCESS
/// CONTROL", "Part B – Encryption") — short, no question mark, no full stop, numbered or in capitals.
fn is_heading_or_instruction(text: &str) -> bool {
    let lower = text.to_lowercase();
    if ["please ", "instructions", "instruction:", "note:", "notes:", "guidance", "for example", "example:"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return true;
    }
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() > 6 || text.ends_with('?') || text.ends_with('.') {
        return false;
    }
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let capitals = letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase());
    let first = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
    let numbered = first
        .trim_end_matches(['.', ':', ')'])
        .split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
    let named = ["section", "part", "domain", "chapter", "appendix"].contains(&first.trim_end_matches(':'));
    capitals || named || (numbered && words.len() > 1)
}

impl Sheet {
    /// Rows from the sheet's first row (Excel's row 1) to the last one read.
    pub fn height(&self) -> u32 {
        self.cells.len() as u32
    }

    /// Columns from A to the end of the widest row read.
    pub fn width(&self) -> u32 {
        self.cells.iter().map(Vec::len).max().unwrap_or(0) as u32
    }

    /// The cell's own text.
    pub fn text(&self, row: u32, col: u32) -> &str {
        self.cells.get(row as usize).and_then(|r| r.get(col as usize)).map_or("", |s| s.as_str())
    }

    fn merged_at(&self, row: u32, col: u32) -> Option<&Area> {
        self.merged.iter().find(|a| a.contains(row, col))
    }

    /// The text shown at a cell: a merged range shows its first cell's text everywhere.
    pub fn shown(&self, row: u32, col: u32) -> &str {
        match self.merged_at(row, col) {
            Some(a) => self.text(a.first_row, a.first_col),
            None => self.text(row, col),
        }
    }

    /// Whether the cell holds a formula (such a cell is never overwritten).
    pub fn is_formula(&self, row: u32, col: u32) -> bool {
        self.formulas.contains(&(row, col))
    }

    /// The allowed values of a dropdown at this cell, if it has one.
    pub fn options(&self, row: u32, col: u32) -> Option<&[String]> {
        self.lists.iter().find(|(areas, _)| areas.iter().any(|a| a.contains(row, col))).map(|(_, v)| v.as_slice())
    }

    /// The allowed values of a dropdown over a column's question rows (the first found).
    pub fn column_options(&self, mapping: &Mapping, col: u32) -> Option<&[String]> {
        let from = mapping.header_row.map_or(0, |h| h + 1);
        (from..self.height().min(from + 200)).find_map(|r| self.options(r, col))
    }

    /// The header label of a column (merged and two-row headers joined), or its letter.
    pub fn column_label(&self, mapping: &Mapping, col: u32) -> String {
        let label = mapping
            .header_row
            .map(|h| {
                let lower = self.shown(h, col).trim();
                let upper = if h > 0 { self.shown(h - 1, col).trim() } else { "" };
                if !upper.is_empty()
                    && upper != lower
                    && self.merged_at(h - 1, col).is_some_and(|a| a.first_col != a.last_col)
                {
                    format!("{upper} › {lower}")
                } else {
                    lower.to_string()
                }
            })
            .unwrap_or_default();
        let letter = ooxml::column_name(col);
        if label.is_empty() {
            letter
        } else {
            format!("{letter}: {}", label.chars().take(60).collect::<String>())
        }
    }

    fn row_labels(&self, row: u32) -> Vec<Label> {
        (0..self.width()).map(|c| classify(self.shown(row, c))).collect()
    }

    fn texts_below(&self, row: Option<u32>, col: u32) -> Vec<&str> {
        let from = row.map_or(0, |r| r + 1);
        (from..self.height()).map(|r| self.text(r, col).trim()).filter(|t| !t.is_empty()).collect()
    }

    /// Finds the header row and the question, answer and comment columns.
    pub fn detect(&self) -> Mapping {
        let score = |labels: &[Label]| {
            let has = |l: Label| labels.contains(&l);
            if !has(Label::Question) {
                return 0.0;
            }
            2.0 + f32::from(u8::from(has(Label::Answer))) + 0.5 * f32::from(u8::from(has(Label::Comment)))
        };
        let mut best: Option<(u32, f32)> = None;
        for r in 0..self.height().min(HEADER_SEARCH as u32) {
            let s = score(&self.row_labels(r));
            if s > 0.0 && best.is_none_or(|(_, b)| s > b) {
                best = Some((r, s));
            }
        }
        let Some((mut header, _)) = best else { return self.detect_without_header() };
        let mut labels = self.row_labels(header);
        // A second header row under the first ("Vendor response" over "Answer" | "Comments").
        if header + 1 < self.height() {
            let next: Vec<&str> = (0..self.width()).map(|c| self.shown(header + 1, c).trim()).collect();
            let next_labels = self.row_labels(header + 1);
            let all_short = next.iter().all(|t| t.chars().count() <= 60 && !t.ends_with('?'));
            if all_short && next_labels.iter().any(|l| matches!(l, Label::Answer | Label::Comment)) {
                header += 1;
                for (c, l) in next_labels.into_iter().enumerate() {
                    if l != Label::Other || !next[c].is_empty() {
                        labels[c] = l;
                    }
                }
            }
        }
        let columns = |want: Label| labels.iter().enumerate().filter(move |(_, l)| **l == want).map(|(c, _)| c as u32);
        let question = columns(Label::Question)
            .map(|c| (c, question_likeness(&self.texts_below(Some(header), c), (self.height() - header) as usize)))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(c, _)| c);
        let mapping = Mapping { header_row: Some(header), question, answer: None, comment: None };
        let answers: Vec<u32> = columns(Label::Answer).filter(|c| Some(*c) != question).collect();
        let answer = answers
            .iter()
            .copied()
            .find(|c| self.column_options(&mapping, *c).is_some())
            .or_else(|| answers.iter().copied().find(|c| question.is_some_and(|q| *c > q)))
            .or_else(|| answers.first().copied())
            .or_else(|| {
                (0..self.width()).find(|c| Some(*c) != question && self.column_options(&mapping, *c).is_some())
            });
        let comments: Vec<u32> =
            columns(Label::Comment).filter(|c| Some(*c) != question && Some(*c) != answer).collect();
        let comment =
            comments.iter().copied().find(|c| answer.is_some_and(|a| *c > a)).or_else(|| comments.first().copied());
        Mapping { answer, comment, ..mapping }
    }

    /// No header row: the column that reads most like questions; a dropdown column, else the
    /// first empty column right of it, takes the answers.
    fn detect_without_header(&self) -> Mapping {
        let rows = self.height() as usize;
        let question = (0..self.width())
            .map(|c| (c, self.texts_below(None, c)))
            // Without a header to go by, a quarter of the column must actually ask something.
            .filter(|(_, texts)| texts.iter().filter(|t| t.ends_with('?')).count() * 4 >= texts.len())
            .map(|(c, texts)| (c, question_likeness(&texts, rows)))
            .filter(|(_, s)| *s > 1.5)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(c, _)| c);
        let mapping = Mapping { header_row: None, question, answer: None, comment: None };
        let answer = question.and_then(|q| {
            (0..self.width())
                .find(|c| *c != q && self.column_options(&mapping, *c).is_some())
                .or_else(|| ((q + 1)..(self.width() + 1)).find(|c| self.texts_below(None, *c).is_empty()))
        });
        Mapping { answer, ..mapping }
    }

    /// The question rows under the mapping.
    pub fn items(&self, mapping: &Mapping) -> Vec<Item> {
        let Some(q) = mapping.question else { return Vec::new() };
        let header_label = mapping.header_row.map(|h| self.shown(h, q).trim().to_string()).unwrap_or_default();
        let from = mapping.header_row.map_or(0, |h| h + 1);
        (from..self.height())
            .filter_map(|r| {
                let text = self.text(r, q).trim();
                if text.is_empty() || text == header_label || is_heading_or_instruction(text) {
                    return None;
                }
                // A banner merged across the sheet is a section heading.
                if self.merged_at(r, q).is_some_and(|a| a.first_col != a.last_col) {
                    return None;
                }
                Some(Item {
                    row: r,
                    question: cut(text),
                    answer_is_formula: mapping.answer.is_some_and(|a| self.is_formula(r, a)),
                })
            })
            .collect()
    }

    /// Checks a mapping a person chose: columns within the sheet, distinct.
    pub fn check(&self, mapping: &Mapping) -> Result<(), String> {
        let width = self.width().max(1) + 20;
        let cols = [("question", mapping.question), ("answer", mapping.answer), ("comment", mapping.comment)];
        for (name, col) in cols {
            if col.is_some_and(|c| c >= width) {
                return Err(format!("the {name} column is outside the sheet"));
            }
        }
        if mapping.header_row.is_some_and(|h| h >= self.height()) {
            return Err("the header row is below the last row".into());
        }
        let used: Vec<u32> = cols.iter().filter_map(|(_, c)| *c).collect();
        if used.iter().collect::<HashSet<_>>().len() != used.len() {
            return Err("the question, answer and comment columns must be different".into());
        }
        Ok(())
    }
}

impl Book {
    /// Each sheet's detected mapping. A file where no sheet has question rows is refused.
    pub fn detect(&self) -> Result<Vec<Mapping>, ImportError> {
        let mappings: Vec<Mapping> = self.sheets.iter().map(Sheet::detect).collect();
        if mappings.iter().zip(&self.sheets).all(|(m, s)| s.items(m).is_empty()) {
            return Err(ImportError::File(
                "no sheet has a recognisable question column: give the column of questions a header such as \"Question\" and upload the file again".into(),
            ));
        }
        Ok(mappings)
    }
}

/// Reads every sheet of a questionnaire (a CSV is one sheet).
pub fn read(bytes: &[u8], format: Format) -> Result<Book, ImportError> {
    match format {
        Format::Csv => {
            let table = read_csv(bytes)?;
            let cells = table.into_iter().map(|(_, row)| row.into_iter().map(|c| c.text).collect()).collect();
            let sheet = Sheet {
                name: "CSV".into(),
                part: None,
                cells,
                formulas: HashSet::new(),
                merged: Vec::new(),
                lists: Vec::new(),
            };
            Ok(Book { format, sheets: vec![sheet] })
        }
        Format::Xlsx => contain(|| read_xlsx(bytes)),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Book, ImportError> {
    use calamine::Reader;
    let damaged = || ImportError::File("not a readable xlsx workbook".into());
    // The check first: it refuses what calamine or the grids below could not hold.
    let Workbook { shape, reader: mut book } = limits::open_xlsx(bytes)?;
    // Defined names only; the sheets and their parts are the ones the check read, as calamine
    // lists them.
    let package = ooxml::read_package(bytes).map_err(|_| damaged())?;
    if shape.sheets.is_empty() {
        return Err(ImportError::File("the workbook has no sheets".into()));
    }
    let mut sheets = Vec::new();
    let mut sources = Vec::new();
    for part in &shape.sheets {
        // Chart sheets and dialog sheets have no cells.
        let Ok(range) = book.worksheet_range(&part.name) else { continue };
        let (height, width) = match range.end() {
            Some((r, c)) => (r as usize + 1, c as usize + 1),
            None => (0, 0),
        };
        if height > MAX_ROWS {
            return Err(ImportError::File(format!("sheet {:?} has more than {MAX_ROWS} rows", part.name)));
        }
        let mut cells = vec![Vec::new(); height];
        if let Some((r0, c0)) = range.start() {
            for (r, row) in range.rows().enumerate() {
                let target = &mut cells[r0 as usize + r];
                target.resize(width, String::new());
                for (c, value) in row.iter().enumerate() {
                    target[c0 as usize + c] = data_text(value);
                }
            }
        }
        let mut formulas = HashSet::new();
        if let Ok(f) = book.worksheet_formula(&part.name) {
            if let Some((r0, c0)) = f.start() {
                for (r, row) in f.rows().enumerate() {
                    for (c, text) in row.iter().enumerate() {
                        if !text.is_empty() {
                            formulas.insert((r0 + r as u32, c0 + c as u32));
                        }
                    }
                }
            }
        }
        let merged = match book.worksheet_merge_cells(&part.name) {
            Some(Ok(dims)) => dims
                .into_iter()
                .map(|d| Area { first_row: d.start.0, first_col: d.start.1, last_row: d.end.0, last_col: d.end.1 })
                .collect(),
            _ => Vec::new(),
        };
        let facts = ooxml::sheet_facts(bytes, &part.part).map_err(|_| damaged())?;
        sources.push(facts.lists);
        sheets.push(Sheet {
            name: part.name.clone(),
            part: Some(part.part.clone()),
            cells,
            formulas,
            merged,
            lists: Vec::new(),
        });
    }
    // Dropdown sources may name ranges on other sheets (or defined names): resolve once all are read.
    let resolved: Vec<Vec<(Vec<Area>, Vec<String>)>> = sources
        .into_iter()
        .enumerate()
        .map(|(i, lists)| {
            lists
                .into_iter()
                .filter_map(|l| Some((l.areas, list_values(&sheets, i, &package.names, &l.source)?)))
                .collect()
        })
        .collect();
    for (sheet, lists) in sheets.iter_mut().zip(resolved) {
        sheet.lists = lists;
    }
    Ok(Book { format: Format::Xlsx, sheets })
}

/// The values of a list validation: `"Yes,No,N/A"`, a range, or a defined name for a range.
fn list_values(
    sheets: &[Sheet],
    own: usize,
    names: &std::collections::HashMap<String, String>,
    source: &str,
) -> Option<Vec<String>> {
    let source = source.trim();
    if let Some(inner) = source.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        let values: Vec<String> = inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
        return (!values.is_empty()).then_some(values);
    }
    let reference = names.get(source.trim_start_matches('=')).map(String::as_str).unwrap_or(source);
    let (sheet, area) = ooxml::parse_reference(reference)?;
    let sheet = match sheet {
        Some(name) => sheets.iter().find(|s| s.name == name)?,
        None => sheets.get(own)?,
    };
    let mut values = Vec::new();
    let rows = area.first_row..=area.last_row.min(sheet.height().saturating_sub(1));
    let cols = area.first_col..=area.last_col.min(sheet.width().saturating_sub(1));
    // Every list in the workbook is resolved on upload: a bounded look each, however large the range.
    let cells = rows.flat_map(|r| cols.clone().map(move |c| (r, c))).take(MAX_LIST_SCAN);
    for (r, c) in cells {
        let v = sheet.text(r, c).trim();
        if !v.is_empty() {
            values.push(v.to_string());
            if values.len() == 200 {
                break;
            }
        }
    }
    (!values.is_empty()).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_labels_are_classified() {
        assert_eq!(classify("Question"), Label::Question);
        assert_eq!(classify("Control Description"), Label::Question);
        assert_eq!(classify("Question ID"), Label::Other);
        assert_eq!(classify("Vendor Response (Yes/No/N/A)"), Label::Answer);
        assert_eq!(classify("Comments / Evidence"), Label::Comment);
        assert_eq!(classify("Response comments"), Label::Comment);
        assert_eq!(classify("Do you encrypt backups?"), Label::Other);
    }

    #[test]
    fn headings_and_instructions_are_not_questions() {
        for heading in ["ACCESS CONTROL", "Section 3: Encryption", "2. Access control", "Part B"] {
            assert!(is_heading_or_instruction(heading), "{heading}");
        }
        for question in ["Encryption at rest", "Describe your backup process.", "MFA for admins?", "2FA"] {
            assert!(!is_heading_or_instruction(question), "{question}");
        }
        assert!(is_heading_or_instruction("Please answer every question below and attach evidence."));
    }

    #[test]
    fn a_csv_without_a_header_finds_its_question_column() {
        let book = read(b"1,Do you encrypt data at rest?,\r\n2,Is MFA enforced for staff?,\r\n", Format::Csv).unwrap();
        let m = book.sheets[0].detect();
        assert_eq!(m, Mapping { header_row: None, question: Some(1), answer: Some(2), comment: None });
        assert_eq!(book.sheets[0].items(&m).len(), 2);
    }
}
