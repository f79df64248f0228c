//! The package level of the check: how many parts, how large each one really inflates, which
//! sheets the workbook lists and where, and the shared-strings table.
//!
//! Sheets and shared strings are found exactly the way calamine 0.31 finds them (its
//! `read_relationships`, `read_workbook`, `read_shared_strings` and `path_to_zip_path`): the check
//! must read the very parts, and count the very strings, that calamine will.

use super::{
    refuse, size, thousands, unreadable, MAX_ENTRIES, MAX_INFLATED_BYTES, MAX_PART_BYTES, MAX_SHARED_STRINGS,
    MAX_SHEETS, MAX_TEXT_BYTES,
};
use crate::kb::ImportError;
use quick_xml::{events::Event, name::QName, Reader};
use std::collections::{BTreeMap, HashSet};
use std::io::{self, BufRead, BufReader, Cursor, Read};

pub(super) type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// What the rest of the check needs from the package.
pub(super) struct Parts {
    /// (name, zip entry) of every sheet, in workbook order.
    pub sheets: Vec<(String, String)>,
    /// An upper bound on the length in bytes of each string calamine will keep, by its index.
    pub strings: Vec<u64>,
}

pub(super) fn read(zip: &mut Zip<'_>) -> Result<Parts, ImportError> {
    if zip.len() > MAX_ENTRIES {
        return Err(refuse(format!(
            "The workbook has {} parts; at most {} are supported.",
            thousands(zip.len() as u64),
            thousands(MAX_ENTRIES as u64)
        )));
    }
    let rels_name = entry_name(zip, "xl/_rels/workbook.xml.rels");
    let rels = small_part(zip, &rels_name)?.ok_or_else(unreadable)?;
    let relationships = relationships(&rels)?;
    let workbook_name = entry_name(zip, "xl/workbook.xml");
    let sheets = match small_part(zip, &workbook_name)? {
        Some(xml) => sheets(&xml, &relationships)?,
        None => Vec::new(),
    };
    if sheets.len() > MAX_SHEETS {
        return Err(refuse(format!(
            "The workbook has {} sheets; at most {MAX_SHEETS} are supported.",
            thousands(sheets.len() as u64)
        )));
    }
    let mut seen = HashSet::new();
    if let Some((name, _)) = sheets.iter().find(|(name, _)| !seen.insert(name.to_lowercase())) {
        return Err(refuse(format!("Two sheets are named ‘{name}’; rename one and upload the file again.")));
    }
    let sheets: Vec<(String, String)> = sheets.into_iter().map(|(name, path)| (name, entry_name(zip, &path))).collect();
    inflated_sizes(zip, &sheets)?;
    let strings = shared_strings(zip)?;
    Ok(Parts { sheets, strings })
}

/// The reader settings calamine uses, so that both see the same events.
pub(super) fn xml<R: BufRead>(source: R) -> Reader<R> {
    let mut reader = Reader::from_reader(source);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    reader
}

/// The archive's name for a part: compared without case, backslashes read as slashes, the first
/// match in archive order; the path itself when none matches (calamine's `path_to_zip_path`).
fn entry_name(zip: &Zip<'_>, path: &str) -> String {
    zip.file_names().find(|name| path.eq_ignore_ascii_case(&name.replace('\\', "/"))).unwrap_or(path).to_string()
}

/// How a part is named in a message: by its sheet when it is one.
fn describe(part: &str, sheets: &[(String, String)]) -> String {
    match sheets.iter().find(|(_, p)| p == part) {
        Some((name, _)) => format!("Sheet ‘{name}’ ({part})"),
        None => format!("The workbook's part {part}"),
    }
}

fn too_large(part: &str, sheets: &[(String, String)], declared: Option<u64>) -> ImportError {
    let what = describe(part, sheets);
    let limit = size(MAX_PART_BYTES);
    match declared {
        Some(bytes) => {
            refuse(format!("{what} is {} uncompressed; at most {limit} per part are supported.", size(bytes)))
        }
        None => refuse(format!("{what} unpacks to more than {limit}; at most {limit} per part are supported.")),
    }
}

/// A small part (relationships, the workbook) read whole, through the cap.
fn small_part(zip: &mut Zip<'_>, name: &str) -> Result<Option<Vec<u8>>, ImportError> {
    let file = match zip.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(_) => return Err(unreadable()),
    };
    if file.size() > MAX_PART_BYTES {
        return Err(too_large(name, &[], Some(file.size())));
    }
    let mut out = Vec::new();
    file.take(MAX_PART_BYTES + 1).read_to_end(&mut out).map_err(|_| unreadable())?;
    if out.len() as u64 > MAX_PART_BYTES {
        return Err(too_large(name, &[], None));
    }
    Ok(Some(out))
}

/// Every part's declared size, then every part actually inflated through the cap: the sizes in
/// the archive's directory are whatever its author wrote, and a zip bomb lies about them.
fn inflated_sizes(zip: &mut Zip<'_>, sheets: &[(String, String)]) -> Result<(), ImportError> {
    for i in 0..zip.len() {
        let file = zip.by_index_raw(i).map_err(|_| unreadable())?;
        if file.size() > MAX_PART_BYTES {
            return Err(too_large(file.name(), sheets, Some(file.size())));
        }
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let file = zip.by_index(i).map_err(|_| unreadable())?;
        let name = file.name().to_string();
        let inflated = io::copy(&mut file.take(MAX_PART_BYTES + 1), &mut io::sink()).map_err(|_| {
            refuse(format!("{} is damaged; save the workbook again from Excel.", describe(&name, sheets)))
        })?;
        if inflated > MAX_PART_BYTES {
            return Err(too_large(&name, sheets, None));
        }
        total += inflated;
        if total > MAX_INFLATED_BYTES {
            return Err(refuse(format!(
                "The workbook unpacks to more than {}; at most that is supported.",
                size(MAX_INFLATED_BYTES)
            )));
        }
    }
    Ok(())
}

/// Relationship id → target, as calamine reads `xl/_rels/workbook.xml.rels`.
fn relationships(part: &[u8]) -> Result<BTreeMap<Vec<u8>, String>, ImportError> {
    let mut reader = xml(part);
    let mut buf = Vec::new();
    let mut out = BTreeMap::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).map_err(|_| unreadable())? {
            Event::Start(e) if e.local_name().as_ref() == b"Relationship" => {
                let (mut id, mut target) = (Vec::new(), String::new());
                for a in e.attributes() {
                    let a = a.map_err(|_| unreadable())?;
                    match a.key {
                        QName(b"Id") => id.extend_from_slice(&a.value),
                        QName(b"Target") => {
                            target = reader.decoder().decode(&a.value).map_err(|_| unreadable())?.into_owned()
                        }
                        _ => {}
                    }
                }
                out.insert(id, target);
            }
            Event::End(e) if e.local_name().as_ref() == b"Relationships" => return Ok(out),
            Event::Eof => return Err(unreadable()),
            _ => {}
        }
    }
}

/// (name, path) of every sheet, as calamine reads `xl/workbook.xml`: chart and dialog sheets
/// included, since calamine reads cells from any of them.
fn sheets(part: &[u8], relationships: &BTreeMap<Vec<u8>, String>) -> Result<Vec<(String, String)>, ImportError> {
    let mut reader = xml(part);
    let (mut buf, mut skip) = (Vec::new(), Vec::new());
    let mut out = Vec::new();
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).map_err(|_| unreadable())? {
            Event::Start(e) if e.local_name().as_ref() == b"sheet" => {
                let (mut name, mut path) = (String::new(), String::new());
                for a in e.attributes() {
                    let a = a.map_err(|_| unreadable())?;
                    match a.key {
                        QName(b"name") => {
                            name = a.decode_and_unescape_value(reader.decoder()).map_err(|_| unreadable())?.into_owned()
                        }
                        QName(b"r:id") | QName(b"relationships:id") => {
                            let target = relationships.get(&*a.value).ok_or_else(unreadable)?;
                            path = match target.strip_prefix('/') {
                                Some(rest) if rest.starts_with("xl/") => rest.to_string(),
                                _ if target.starts_with("xl/") => target.clone(),
                                _ => format!("xl/{target}"),
                            };
                        }
                        _ => {}
                    }
                }
                if !matches!(path.split('/').nth(1), Some("worksheets" | "chartsheets" | "dialogsheets")) {
                    return Err(unreadable());
                }
                out.push((name, path));
            }
            // calamine reads a defined name's text up to its end tag, skipping what is inside.
            Event::Start(e)
                if e.local_name().as_ref() == b"definedName"
                    && e.attributes().flatten().any(|a| a.key == QName(b"name")) =>
            {
                let end = e.name().as_ref().to_vec();
                loop {
                    skip.clear();
                    match reader.read_event_into(&mut skip).map_err(|_| unreadable())? {
                        Event::End(e) if e.name().as_ref() == end => break,
                        Event::Eof => return Err(unreadable()),
                        _ => {}
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"workbook" => return Ok(out),
            Event::Eof => return Err(unreadable()),
            _ => {}
        }
    }
}

/// An upper bound on the length of every string calamine keeps from `xl/sharedStrings.xml`, by
/// the index a cell uses (calamine skips an `<si>` without text, so indexes follow its rules).
fn shared_strings(zip: &mut Zip<'_>) -> Result<Vec<u64>, ImportError> {
    let name = entry_name(zip, "xl/sharedStrings.xml");
    let file = match zip.by_name(&name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(Vec::new()),
        Err(_) => return Err(unreadable()),
    };
    let mut reader = xml(BufReader::new(file.take(MAX_PART_BYTES)));
    let (mut buf, mut lengths, mut total) = (Vec::new(), Vec::new(), 0u64);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).map_err(|_| unreadable())? {
            Event::Start(e) if e.local_name().as_ref() == b"si" => {
                let closing = e.name().as_ref().to_vec();
                if let Some(length) = string_length(&mut reader, &closing)? {
                    lengths.push(length);
                    total += length;
                }
                if lengths.len() > MAX_SHARED_STRINGS {
                    return Err(refuse(format!(
                        "The workbook has more than {} shared strings; at most that many are supported.",
                        thousands(MAX_SHARED_STRINGS as u64)
                    )));
                }
                if total > MAX_TEXT_BYTES {
                    return Err(refuse(format!(
                        "The workbook's shared strings hold more than {} of text; at most that is supported.",
                        size(MAX_TEXT_BYTES)
                    )));
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"sst" => return Ok(lengths),
            Event::Eof => return Err(unreadable()),
            _ => {}
        }
    }
}

/// calamine's `read_string`, measuring instead of collecting: `None` where it keeps nothing.
fn string_length<R: BufRead>(reader: &mut Reader<R>, closing: &[u8]) -> Result<Option<u64>, ImportError> {
    let (mut buf, mut rich, mut phonetic) = (Vec::new(), None::<u64>, false);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).map_err(|_| unreadable())? {
            Event::Start(e) if e.local_name().as_ref() == b"r" => {
                rich.get_or_insert(0);
            }
            Event::Start(e) if e.local_name().as_ref() == b"rPh" => phonetic = true,
            Event::End(e) if e.name().as_ref() == closing => return Ok(rich),
            Event::End(e) if e.local_name().as_ref() == b"rPh" => phonetic = false,
            Event::Start(e) if e.local_name().as_ref() == b"t" && !phonetic => {
                let end = e.name().as_ref().to_vec();
                let length = text_length(reader, &end)?;
                match rich.as_mut() {
                    Some(total) => *total += length,
                    None => {
                        reader.read_to_end_into(QName(closing), &mut Vec::new()).map_err(|_| unreadable())?;
                        return Ok(Some(length));
                    }
                }
            }
            Event::Eof => return Err(unreadable()),
            _ => {}
        }
    }
}

/// The bytes of text up to the end tag named `end`: the escaped form, never shorter than what it
/// decodes to (a character reference decodes to at most 4 bytes).
pub(super) fn text_length<R: BufRead>(reader: &mut Reader<R>, end: &[u8]) -> Result<u64, ImportError> {
    let (mut buf, mut length) = (Vec::new(), 0u64);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).map_err(|_| unreadable())? {
            Event::Text(t) => length += t.len() as u64,
            Event::CData(t) => length += t.len() as u64,
            Event::GeneralRef(_) => length += 4,
            Event::End(e) if e.name().as_ref() == end => return Ok(length),
            Event::Eof => return Err(unreadable()),
            _ => {}
        }
    }
}
