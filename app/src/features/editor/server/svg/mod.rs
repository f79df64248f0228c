//! SVG logos, rewritten from an allow-list.
//!
//! An SVG is a document that can run script, load other documents and call out to the network.
//! A logo only needs shapes, paint and text. So an uploaded SVG is parsed and written out again
//! with nothing but allow-listed elements and attributes; everything else is left out, and what
//! is plainly hostile (script, event handlers, `javascript:` or external references, `@import`,
//! animation that could rewrite a link, a DOCTYPE with entities) refuses the upload with a
//! message, so staff learn their file carried it. The stored logo is the rewritten one, and it is
//! still served under a sandboxing CSP.
//!
//! Written here rather than taken from a crate: ammonia sanitises HTML and serialises HTML, not
//! XML; usvg normalises SVG well but drops text unless it is given fonts to turn text into paths.

use quick_xml::{
    events::{attributes::Attribute, BytesEnd, BytesStart, BytesText, Event},
    Reader, Writer,
};

mod allow;
mod references;

use allow::{ATTRIBUTES, ELEMENTS, HOSTILE_ELEMENTS};
use references::{check_css, check_href};

/// Beyond this nesting a file is not a logo.
const MAX_DEPTH: usize = 64;
const MAX_ELEMENTS: usize = 50_000;

/// Why an SVG was refused, for the person who uploaded it.
fn refuse(what: &str) -> String {
    format!("The SVG contains {what}, which a logo may not; export it again as a plain image (shapes and text only).")
}

/// The SVG rewritten with allow-listed elements and attributes only. `Ok(None)`: not an SVG
/// document at all (the caller tries other formats); `Err`: an SVG with something hostile in it.
pub fn clean(bytes: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Ok(None) };
    let mut reader = Reader::from_str(text);
    let mut writer = Writer::new(Vec::with_capacity(bytes.len()));
    // For each open element: whether it is written (false: a left-out subtree), and whether it
    // is a `<style>` (whose text is CSS and checked as such).
    let mut open: Vec<(bool, bool)> = Vec::new();
    // Text arrives in pieces (character references are events of their own): gathered, then
    // checked and written as one before the next element.
    let mut pending = String::new();
    let mut elements = 0;
    let mut saw_root = false;
    let malformed = || "The SVG is not well-formed XML.".to_string();
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(_) if saw_root => return Err(malformed()),
            Err(_) => return Ok(None),
        };
        if !matches!(event, Event::Text(_) | Event::CData(_) | Event::GeneralRef(_)) {
            flush_text(&mut writer, &mut pending, open.last().copied())?;
        }
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if !saw_root {
                    if name != "svg" {
                        return Ok(None);
                    }
                    saw_root = true;
                }
                elements += 1;
                if elements > MAX_ELEMENTS || open.len() >= MAX_DEPTH {
                    return Err("The SVG is too complex for a logo.".into());
                }
                let local = name.rsplit(':').next().unwrap_or_default().to_ascii_lowercase();
                if HOSTILE_ELEMENTS.contains(&local.as_str()) {
                    return Err(refuse(&format!("a <{name}> element")));
                }
                let parent_kept = open.last().is_none_or(|(kept, _)| *kept);
                // Only SVG's own (unprefixed) elements; editors' extras (sodipodi:, inkscape:,
                // metadata) are left out with everything inside them.
                let kept = parent_kept && ELEMENTS.contains(&name.as_str());
                if kept {
                    let element = clean_element(e, &name, reader.decoder())?;
                    emit(&mut writer, if empty { Event::Empty(element) } else { Event::Start(element) })?;
                }
                if !empty {
                    open.push((kept, name == "style"));
                }
            }
            Event::End(e) => {
                let Some((kept, _)) = open.pop() else { return Err(malformed()) };
                if kept {
                    emit(&mut writer, Event::End(BytesEnd::new(String::from_utf8_lossy(e.name().as_ref()))))?;
                }
            }
            Event::Text(t) => pending.push_str(&t.decode().map_err(|_| malformed())?),
            Event::CData(c) => pending.push_str(&c.decode().map_err(|_| malformed())?),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|_| malformed())?;
                        quick_xml::escape::resolve_predefined_entity(&name).ok_or_else(malformed)?.to_string()
                    }
                    Err(_) => return Err(malformed()),
                };
                pending.push_str(&resolved);
            }
            Event::DocType(_) => return Err(refuse("a DOCTYPE (which can define entities)")),
            // Declarations, comments and processing instructions are left out.
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
        }
    }
    if !saw_root || !open.is_empty() {
        return if saw_root { Err(malformed()) } else { Ok(None) };
    }
    Ok(Some(writer.into_inner()))
}

fn emit(writer: &mut Writer<Vec<u8>>, event: Event<'_>) -> Result<(), String> {
    writer.write_event(event).map_err(|_| "The SVG could not be rewritten.".to_string())
}

/// Writes the gathered text if its element is kept (checked as CSS inside `<style>`), escaped.
fn flush_text(writer: &mut Writer<Vec<u8>>, pending: &mut String, element: Option<(bool, bool)>) -> Result<(), String> {
    let text = std::mem::take(pending);
    match element {
        Some((true, style)) if !text.is_empty() => {
            if style {
                check_css(&text)?;
            }
            emit(writer, Event::Text(BytesText::new(&text)))
        }
        _ => Ok(()),
    }
}

/// The element with its allow-listed attributes only, each value checked.
fn clean_element(e: &BytesStart<'_>, name: &str, decoder: quick_xml::Decoder) -> Result<BytesStart<'static>, String> {
    let mut element = BytesStart::new(name.to_string());
    for attribute in e.attributes() {
        let attribute = attribute.map_err(|_| "The SVG is not well-formed XML.".to_string())?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        let value =
            attribute.decode_and_unescape_value(decoder).map_err(|_| "The SVG is not well-formed XML.".to_string())?;
        if key.to_ascii_lowercase().trim_start_matches(|c: char| !c.is_ascii_alphabetic()).starts_with("on") {
            return Err(refuse(&format!("an event handler ({key})")));
        }
        if !ATTRIBUTES.contains(&key.as_str()) {
            continue;
        }
        if key == "href" || key == "xlink:href" {
            check_href(name, &value)?;
        } else if key == "xmlns" {
            if value != "http://www.w3.org/2000/svg" {
                continue;
            }
        } else if key == "xmlns:xlink" {
            if value != "http://www.w3.org/1999/xlink" {
                continue;
            }
        } else {
            check_css(&value)?;
        }
        element.push_attribute(Attribute::from((key.as_str(), value.as_ref())));
    }
    Ok(element)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(svg: &str) -> String {
        String::from_utf8(clean(svg.as_bytes()).unwrap().expect("an SVG")).unwrap()
    }

    fn refused(svg: &str) -> String {
        clean(svg.as_bytes()).expect_err("refused")
    }

    const NS: &str = r#"xmlns="http://www.w3.org/2000/svg""#;

    #[test]
    fn plain_logos_keep_their_shapes_text_and_paint() {
        let svg = format!(
            r##"<?xml version="1.0"?><svg {NS} xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#123"/></linearGradient><style>.a{{fill:url(#g)}}</style></defs><title>Acme &amp; Co</title><path class="a" d="M0 0h10v10z" fill="url(#g)"/><use xlink:href="#g"/><text x="1" y="9" font-family="Inter">Acme</text></svg>"##
        );
        let out = cleaned(&svg);
        for kept in [
            "<path",
            "d=\"M0 0h10v10z\"",
            "fill=\"url(#g)\"",
            "<text",
            ">Acme<",
            "Acme &amp; Co",
            "xlink:href=\"#g\"",
            ".a{fill:url(#g)}",
            "font-family=\"Inter\"",
        ] {
            assert!(out.contains(kept), "{kept} missing from {out}");
        }
        let quoted_font = format!(r#"<svg {NS}><text style="font-family:'Segoe UI', sans-serif">A</text></svg>"#);
        assert!(cleaned(&quoted_font).contains("Segoe UI"), "a quoted font name is fine");
    }

    #[test]
    fn editor_extras_and_unknown_attributes_are_left_out() {
        let svg = format!(
            r#"<svg {NS} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:version="1.3"><metadata><rdf:RDF xmlns:rdf="x"/></metadata><inkscape:grid/><!-- hi --><rect width="1" height="1" inkscape:label="box" formaction="/api/x"/></svg>"#
        );
        let out = cleaned(&svg);
        assert!(
            !out.contains("inkscape")
                && !out.contains("metadata")
                && !out.contains("formaction")
                && !out.contains("hi"),
            "{out}"
        );
        assert!(out.contains("<rect width=\"1\" height=\"1\"/>"), "{out}");
    }

    #[test]
    fn hostile_content_refuses_the_upload() {
        let cases = [
            (format!(r#"<svg {NS} onload="alert(1)"/>"#), "event handler"),
            (format!(r#"<svg {NS}><rect width="1" ONclick="x"/></svg>"#), "event handler"),
            (format!(r#"<svg {NS}><script>alert(1)</script></svg>"#), "<script>"),
            (format!(r#"<svg {NS}><svg:script xmlns:svg="http://www.w3.org/2000/svg">x</svg:script></svg>"#), "script"),
            (format!(r#"<svg {NS}><foreignObject><iframe/></foreignObject></svg>"#), "foreignObject"),
            (format!(r#"<svg {NS}><a href="javascript:alert(1)"><rect/></a></svg>"#), "<a>"),
            (format!(r#"<svg {NS}><use href="https://evil.example/x.svg#a"/></svg>"#), "another document"),
            (format!(r#"<svg {NS}><use href=" java&#x09;script:alert(1)"/></svg>"#), "script link"),
            (format!(r#"<svg {NS}><image href="https://evil.example/track.png"/></svg>"#), "another document"),
            (format!(r#"<svg {NS}><style>@import url(https://evil.example/x.css);</style></svg>"#), "@import"),
            (format!(r#"<svg {NS}><style><![CDATA[@\69mport 'x';]]></style></svg>"#), "escaped"),
            (format!(r#"<svg {NS}><rect style="fill:url(https://evil.example/a)"/></svg>"#), "url()"),
            (format!(r#"<svg {NS}><rect fill="url('https://evil.example/a')"/></svg>"#), "address"),
            (
                format!(r#"<svg {NS}><rect><animate attributeName="href" to="javascript:alert(1)"/></rect></svg>"#),
                "<animate>",
            ),
            (format!(r#"<svg {NS}><set attributeName="onclick" to="alert(1)"/></svg>"#), "<set>"),
            (format!(r#"<svg {NS}><filter><feImage href="https://evil.example/"/></filter></svg>"#), "<feImage>"),
            (format!(r#"<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg {NS}>&a;</svg>"#), "DOCTYPE"),
            (
                format!(
                    r#"<svg {NS}><rect style="fill:red;mask-image:image-set('https://evil.example/a.png' 1x)"/></svg>"#
                ),
                "image-set(",
            ),
            (
                format!(
                    r#"<svg {NS}><style>rect{{background:-webkit-image-set("https://evil.example/a" 1x)}}</style></svg>"#
                ),
                "image-set(",
            ),
            (format!(r#"<svg {NS}><rect style="mask-image:image('https://evil.example/a')"/></svg>"#), "image("),
            (
                format!(
                    r#"<svg {NS}><style>@font-feature-values x {{}} rect {{ content: "https://evil.example" }}</style></svg>"#
                ),
                "address",
            ),
        ];
        for (svg, expected) in cases {
            let message = refused(&svg);
            assert!(message.contains(expected), "{svg}: {message}");
        }
    }

    #[test]
    fn inline_raster_images_are_allowed() {
        let svg = format!(r#"<svg {NS}><image width="4" height="4" href="data:image/png;base64,iVBORw0KGgo="/></svg>"#);
        assert!(cleaned(&svg).contains("data:image/png;base64,iVBORw0KGgo="));
        let html = format!(r#"<svg {NS}><image href="data:text/html;base64,PHNjcmlwdD4="/></svg>"#);
        assert!(refused(&html).contains("another document"));
    }

    #[test]
    fn other_documents_are_not_svgs() {
        assert_eq!(clean(b"<html><body>hi</body></html>"), Ok(None));
        assert_eq!(clean(b"%PDF-1.7"), Ok(None));
        assert_eq!(clean(b"\xff\xfe"), Ok(None));
        assert!(clean(format!("<svg {NS}><g>").as_bytes()).is_err());
        let deep = format!("<svg {NS}>{}{}</svg>", "<g>".repeat(100), "</g>".repeat(100));
        assert!(refused(&deep).contains("too complex"));
    }
}
