//! Reading what a worksheet says, as strictly as calamine 0.31 reads it or more: a reference the
//! check accepts is one calamine places exactly where the check does.

use quick_xml::events::{attributes::Attribute, BytesStart};
use std::borrow::Cow;

/// calamine's `get_attribute`: the first attribute with exactly this (prefixed) name.
pub(super) fn attribute<'e>(e: &'e BytesStart<'_>, key: &[u8]) -> Result<Option<&'e [u8]>, ()> {
    for a in e.attributes() {
        match a {
            Ok(Attribute { key: k, value: Cow::Borrowed(v) }) if k.as_ref() == key => return Ok(Some(v)),
            Err(_) => return Err(()),
            _ => {}
        }
    }
    Ok(None)
}

/// A cell reference (`B7`, `b7`) or a row number (`7`, column `None`), zero-based. `None` for
/// anything else, including what calamine might read differently and anything past Excel's
/// 1,048,576 rows and 16,384 columns.
pub(super) fn reference(text: &[u8]) -> Option<(u32, Option<u32>)> {
    let letters = text.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (letters, digits) = text.split_at(letters);
    if letters.len() > 3 || digits.is_empty() || digits.len() > 7 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let row = digits.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    let col = letters.iter().fold(0u32, |n, l| n * 26 + u32::from(l.to_ascii_uppercase() - b'A') + 1);
    if !(1..=1_048_576).contains(&row) || col > 16_384 {
        return None;
    }
    Some((row - 1, col.checked_sub(1)))
}

/// `A1:C9` or `A1` → ((first row, first col), (last row, last col)), each end a full cell
/// reference and the first not past the last (calamine's arithmetic assumes so).
pub(super) fn area(text: &[u8]) -> Option<((u32, u32), (u32, u32))> {
    let mut parts = text.split(|b| *b == b':');
    let first = parts.next().and_then(reference)?;
    let last = match parts.next() {
        Some(p) => reference(p)?,
        None => first,
    };
    let (first, last) = ((first.0, first.1?), (last.0, last.1?));
    (parts.next().is_none() && first.0 <= last.0 && first.1 <= last.1).then_some((first, last))
}

pub(super) fn digits(text: &[u8]) -> Option<u64> {
    (!text.is_empty() && text.len() <= 18 && text.iter().all(u8::is_ascii_digit))
        .then(|| text.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_read_strictly() {
        assert_eq!(reference(b"A1"), Some((0, Some(0))));
        assert_eq!(reference(b"xfd1048576"), Some((1_048_575, Some(16_383))));
        assert_eq!(reference(b"7"), Some((6, None)));
        assert_eq!(reference(b"A0001"), Some((0, Some(0))));
        for bad in [&b""[..], b"A", b"A0", b"$A$1", b"XFE1", b"A1048577", b"AAAA1", b"A 1", b"1A", b"A12345678"] {
            assert_eq!(reference(bad), None, "{}", String::from_utf8_lossy(bad));
        }
        assert_eq!(area(b"B2:C9"), Some(((1, 1), (8, 2))));
        assert_eq!(area(b"B2"), Some(((1, 1), (1, 1))));
        assert_eq!(area(b"C9:B2"), None, "reversed: calamine's subtraction would wrap");
        assert_eq!(area(b"A1:B2:C3"), None);
        assert_eq!(area(b"A:A"), None);
    }
}
