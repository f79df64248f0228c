//! Questions from a buyer's file for the suggestion CLI: a CSV or the first xlsx sheet; the
//! `question` column when there is one, otherwise the column that reads most like questions.

use crate::kb::{read_table, Format, ImportError, Table};

/// One question: its data-row number (1 = the first row after the header) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub row: usize,
    pub text: String,
}

/// How much a column reads like questions (see `book`), over the rows from `from`.
fn question_likeness(table: &Table, column: usize, from: usize) -> f32 {
    let texts: Vec<&str> = table
        .iter()
        .skip(from)
        .filter_map(|(_, cells)| cells.get(column))
        .map(|c| c.text.trim())
        .filter(|t| !t.is_empty())
        .collect();
    crate::book::question_likeness(&texts, table.len())
}

/// The questions of a buyer's file, in order, blank cells skipped; refused when the file is empty
/// or no column reads like questions.
pub fn read(bytes: &[u8], format: Format) -> Result<Vec<Question>, ImportError> {
    let table = read_table(bytes, format)?;
    let Some((_, header)) = table.first() else { return Err(ImportError::File("the file is empty".into())) };
    let named = header.iter().position(|c| c.text.trim().eq_ignore_ascii_case("question"));
    let width = table.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let column = match named {
        Some(c) => c,
        None => (0..width)
            .map(|c| (c, question_likeness(&table, c, 1)))
            .filter(|(_, score)| *score > 1.0)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(c, _)| c)
            .ok_or_else(|| ImportError::File("no column of questions found; name it \"question\"".into()))?,
    };
    Ok(table
        .iter()
        .skip(1)
        .enumerate()
        .filter_map(|(i, (_, cells))| {
            let text = cells.get(column).map(|c| c.text.trim().to_string()).unwrap_or_default();
            (!text.is_empty()).then_some(Question { row: i + 1, text })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_column_is_used_or_found() {
        let named = read(b"ref,question,x\nD-1,Is MFA on?,\nD-2,,\nD-3,Backups?,\n", Format::Csv).unwrap();
        assert_eq!(
            named,
            vec![Question { row: 1, text: "Is MFA on?".into() }, Question { row: 3, text: "Backups?".into() }]
        );
        let found =
            read(b"No.,Item,Response\n1,Do you encrypt data at rest?,\n2,Do you run annual pen tests?,\n", Format::Csv)
                .unwrap();
        assert_eq!(found[1].text, "Do you run annual pen tests?");
        assert!(read(b"a,b\n1,2\n", Format::Csv).is_err());
    }
}
