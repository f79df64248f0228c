//! Writing answers back into the buyer's own file: the short answer into the answer column (one
//! of its dropdown values when it has a list), the explanation into the comment column when there
//! is one. An xlsx is patched in place (see `ooxml`); a CSV is rewritten with the same rows.

use crate::{
    book::{Book, Mapping},
    kb::{spreadsheet_safe, Format},
    ooxml::{self, CellOutcome, Position},
};
use std::collections::{BTreeMap, HashMap};

/// One answer for one question row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub sheet: usize,
    pub row: u32,
    /// Yes / No / N/A (or one of the column's own values).
    pub short: String,
    /// The explanation.
    pub text: String,
}

/// What became of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Written; `explanation_dropped` when a dropdown answer column and no comment column left
    /// no cell for the explanation.
    Written { explanation_dropped: bool },
    /// The answer column's dropdown has no value meaning this answer, so the answer (led by
    /// what was typed as its short answer) went into the comment column and the dropdown cell
    /// stays empty.
    InComment { allowed: Vec<String> },
    /// The answer column's dropdown has no value meaning this answer and the sheet has no
    /// comment column to hold it.
    NotInList { allowed: Vec<String> },
    /// The answer cell holds a formula and was left alone.
    Formula,
    /// The sheet has no answer column.
    NoAnswerColumn,
}

impl Placement {
    /// Whether the answer made it into the file (perhaps without its explanation).
    pub fn written(&self) -> bool {
        matches!(self, Placement::Written { .. } | Placement::InComment { .. })
    }

    /// A sentence for people.
    pub fn describe(&self) -> String {
        match self {
            Placement::Written { explanation_dropped: false } => "written".into(),
            Placement::Written { explanation_dropped: true } => {
                "short answer written; no comment column for the explanation".into()
            }
            Placement::InComment { allowed } => format!(
                "the answer column only accepts {}, so this answer goes into the comment column",
                allowed.join(", ")
            ),
            Placement::NotInList { allowed } => format!(
                "the answer column only accepts {} and the sheet has no comment column for it",
                allowed.join(", ")
            ),
            Placement::Formula => "the answer cell holds a formula and was left alone".into(),
            Placement::NoAnswerColumn => "no answer column is chosen for this sheet".into(),
        }
    }
}

/// Why an answered file could not be written: a damaged or over-limit workbook, or an unreadable
/// CSV.
#[derive(Debug)]
pub struct FillError(pub String);

impl std::fmt::Display for FillError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FillError {}

const ALIASES: [&[&str]; 3] = [
    &["yes", "y", "true", "compliant", "fully compliant", "implemented", "in place"],
    &["no", "n", "false", "non-compliant", "not compliant", "not implemented"],
    &["n/a", "na", "n.a.", "not applicable", "does not apply"],
];

/// The dropdown value meaning `short`: the same text, else one of its synonyms.
pub fn allowed_value(short: &str, allowed: &[String]) -> Option<String> {
    let norm = |s: &str| s.trim().to_lowercase();
    let wanted = norm(short);
    if let Some(v) = allowed.iter().find(|v| norm(v) == wanted) {
        return Some(v.clone());
    }
    let group = ALIASES.iter().find(|g| g.contains(&wanted.as_str()))?;
    allowed.iter().find(|v| group.contains(&norm(v).as_str())).cloned()
}

/// `text` led by `short` ("Partially. Only for …"), unless it already starts with it.
fn led_by(short: &str, text: &str) -> String {
    let (short, text) = (short.trim(), text.trim());
    if short.is_empty() || text.to_lowercase().starts_with(&short.to_lowercase()) {
        text.to_string()
    } else if text.is_empty() {
        short.to_string()
    } else {
        format!("{short}. {text}")
    }
}

/// The cells an answer fills (with what the placement will be), or why it cannot be placed.
pub fn place(
    book: &Book,
    mapping: &Mapping,
    answer: &Answer,
) -> Result<(Vec<(Position, String)>, Placement), Placement> {
    let sheet = book.sheets.get(answer.sheet).ok_or(Placement::NoAnswerColumn)?;
    let col = mapping.answer.ok_or(Placement::NoAnswerColumn)?;
    if sheet.is_formula(answer.row, col) {
        return Err(Placement::Formula);
    }
    let options = sheet.options(answer.row, col);
    let short = match options {
        Some(allowed) => match allowed_value(&answer.short, allowed).filter(|_| !answer.short.trim().is_empty()) {
            Some(value) => value,
            // A typed answer the dropdown cannot hold goes, whole, into the comment column.
            None => {
                let allowed = allowed.to_vec();
                return match mapping.comment {
                    Some(comment) if !sheet.is_formula(answer.row, comment) => Ok((
                        vec![((answer.row, comment), led_by(&answer.short, &answer.text))],
                        Placement::InComment { allowed },
                    )),
                    _ => Err(Placement::NotInList { allowed }),
                };
            }
        },
        None => answer.short.trim().to_string(),
    };
    let text = answer.text.trim();
    let (row, dropdown) = (answer.row, options.is_some());
    let cells = match mapping.comment {
        // No short answer (a Yes that would not answer the question): the explanation is the answer.
        _ if short.is_empty() && !dropdown => vec![((row, col), text.to_string())],
        Some(comment) if !text.is_empty() && !sheet.is_formula(row, comment) => {
            vec![((row, col), short), ((row, comment), text.to_string())]
        }
        _ if dropdown || text.is_empty() => vec![((row, col), short)],
        // A free-text answer column and no comment column: the explanation, led by the short answer.
        _ => vec![((row, col), led_by(&short, text))],
    };
    let dropped = cells.len() == 1 && !text.is_empty() && dropdown;
    Ok((cells, Placement::Written { explanation_dropped: dropped }))
}

/// The cells an answer fills, or why it cannot be placed.
pub fn cells_for(book: &Book, mapping: &Mapping, answer: &Answer) -> Result<Vec<(Position, String)>, Placement> {
    place(book, mapping, answer).map(|(cells, _)| cells)
}

/// Writes the answers into a copy of the file. `mappings[i]` is sheet i's mapping.
pub fn fill(
    bytes: &[u8],
    book: &Book,
    mappings: &[Mapping],
    answers: &[Answer],
) -> Result<(Vec<u8>, Vec<Placement>), FillError> {
    let mut placements = Vec::with_capacity(answers.len());
    let mut per_sheet: BTreeMap<usize, BTreeMap<(u32, u32), String>> = BTreeMap::new();
    let mut wants: Vec<Option<(usize, Vec<Position>)>> = Vec::with_capacity(answers.len());
    for answer in answers {
        let mapping = mappings.get(answer.sheet).copied().unwrap_or_default();
        match place(book, &mapping, answer) {
            Ok((cells, placement)) => {
                let targets = per_sheet.entry(answer.sheet).or_default();
                let positions = cells.iter().map(|(p, _)| *p).collect();
                for (position, value) in cells {
                    targets.insert(position, value);
                }
                wants.push(Some((answer.sheet, positions)));
                placements.push(placement);
            }
            Err(p) => {
                wants.push(None);
                placements.push(p);
            }
        }
    }
    let out = match book.format {
        Format::Csv => fill_csv(bytes, per_sheet.remove(&0).unwrap_or_default())?,
        Format::Xlsx => {
            // The parts read below come from `bytes`, not from `book`: the same check as on reading.
            crate::limits::check_xlsx(bytes).map_err(|e| FillError(e.to_string()))?;
            let mut replaced = HashMap::new();
            let mut outcomes: HashMap<usize, BTreeMap<(u32, u32), CellOutcome>> = HashMap::new();
            for (index, cells) in &per_sheet {
                let part = book.sheets[*index].part.clone().ok_or_else(|| FillError("sheet has no part".into()))?;
                let xml = ooxml::part(bytes, &part)
                    .map_err(|e| FillError(e.0))?
                    .ok_or_else(|| FillError(format!("the workbook has no part {part}")))?;
                let (patched, o) = ooxml::patch_sheet_xml(&xml, cells).map_err(|e| FillError(e.0))?;
                replaced.insert(part, patched);
                outcomes.insert(*index, o);
            }
            // A formula the reader missed (shared formulas) is still never overwritten.
            for (want, placement) in wants.iter().zip(placements.iter_mut()) {
                if let Some((sheet, positions)) = want {
                    let kept = positions
                        .iter()
                        .any(|p| outcomes.get(sheet).and_then(|o| o.get(p)) == Some(&CellOutcome::KeptFormula));
                    if kept {
                        *placement = Placement::Formula;
                    }
                }
            }
            ooxml::rewrite_package(bytes, &replaced).map_err(|e| FillError(e.0))?
        }
    };
    Ok((out, placements))
}

/// Rewrites a CSV with the cells set; the line ending (CRLF or LF) and a UTF-8 BOM are kept.
fn fill_csv(bytes: &[u8], cells: BTreeMap<(u32, u32), String>) -> Result<Vec<u8>, FillError> {
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let body = if bom { &bytes[3..] } else { bytes };
    let crlf = body.windows(2).any(|w| w == b"\r\n") || !body.contains(&b'\n');
    let terminator = if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
    let mut out = Vec::with_capacity(bytes.len() + 1024);
    if bom {
        out.extend_from_slice(b"\xEF\xBB\xBF");
    }
    let mut writer = csv::WriterBuilder::new().flexible(true).terminator(terminator).from_writer(out);
    // The same bounded reader as on import.
    let mut rows: Vec<Vec<String>> = crate::kb::read_csv(bytes)
        .map_err(|e| FillError(format!("the CSV file cannot be read: {e}")))?
        .into_iter()
        .map(|(_, cells)| cells.into_iter().map(|c| c.text).collect())
        .collect();
    for ((r, c), value) in cells {
        let (r, c) = (r as usize, c as usize);
        if rows.len() <= r {
            rows.resize(r + 1, Vec::new());
        }
        if rows[r].len() <= c {
            rows[r].resize(c + 1, String::new());
        }
        rows[r][c] = spreadsheet_safe(&value);
    }
    for row in rows {
        writer.write_record(&row).map_err(|e| FillError(e.to_string()))?;
    }
    writer.into_inner().map_err(|e| FillError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropdown_values_are_matched_by_meaning() {
        let allowed: Vec<String> = ["Y", "N", "Not Applicable"].map(String::from).to_vec();
        assert_eq!(allowed_value("Yes", &allowed).as_deref(), Some("Y"));
        assert_eq!(allowed_value("N/A", &allowed).as_deref(), Some("Not Applicable"));
        assert_eq!(allowed_value("Partially", &allowed), None);
        assert_eq!(allowed_value("not applicable", &allowed).as_deref(), Some("Not Applicable"));
    }

    #[test]
    fn csv_in_csv_out() {
        let file = b"\xEF\xBB\xBFref,question,answer,comment\r\nQ1,\"Do you, really?\",,\r\nQ2,Backups?,,\r\n";
        let book = crate::book::read(file, Format::Csv).unwrap();
        let mapping = book.sheets[0].detect();
        assert_eq!(mapping, Mapping { header_row: Some(0), question: Some(1), answer: Some(2), comment: Some(3) });
        let answers = [Answer { sheet: 0, row: 2, short: "Yes".into(), text: "=Daily, encrypted.".into() }];
        let (out, placements) = fill(file, &book, &[mapping], &answers).unwrap();
        assert!(placements[0].written());
        assert_eq!(
            out,
            b"\xEF\xBB\xBFref,question,answer,comment\r\nQ1,\"Do you, really?\",,\r\nQ2,Backups?,Yes,\"'=Daily, encrypted.\"\r\n"
        );
    }

    #[test]
    fn without_a_short_answer_the_explanation_is_the_answer() {
        let file = b"question,answer,comment\nWhat is your RPO?,,\n";
        let book = crate::book::read(file, Format::Csv).unwrap();
        let mapping = book.sheets[0].detect();
        let answers = [Answer { sheet: 0, row: 1, short: String::new(), text: "One hour.".into() }];
        let (out, placements) = fill(file, &book, &[mapping], &answers).unwrap();
        assert!(placements[0].written());
        assert_eq!(out, b"question,answer,comment\nWhat is your RPO?,One hour.,\n");
    }
}
