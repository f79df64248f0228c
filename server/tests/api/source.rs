//! The source itself, read as a newcomer would: every file and every public item says what it
//! is, and no file of a feature grows past what one person reads in a sitting.

use std::path::{Path, PathBuf};
use syn::{Attribute, ImplItem, Item, Visibility};

/// The crates whose source is checked.
const CRATES: &[&str] = &["answers/src", "app/src", "frontend/src", "server/src"];
/// Where a file holds one use case or one kind of record, and stays short.
const FEATURES: &str = "app/src/features";
const MAX_FEATURE_FILE_LINES: usize = 500;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the workspace").to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn has_doc(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("doc"))
}

fn is_test_only(attrs: &[Attribute]) -> bool {
    attrs
        .iter()
        .any(|a| a.path().is_ident("cfg") && a.meta.require_list().is_ok_and(|list| list.tokens.to_string() == "test"))
}

/// Public items in `items` (and in the inline modules among them) that have no doc comment.
fn undocumented(items: &[Item], out: &mut Vec<String>) {
    let mut nested = Vec::new();
    let mut check = |attrs: &[Attribute], vis: &Visibility, what: &str, name: String| {
        if matches!(vis, Visibility::Public(_)) && !has_doc(attrs) {
            out.push(format!("{what} {name}"));
        }
    };
    for item in items {
        match item {
            Item::Fn(f) => check(&f.attrs, &f.vis, "fn", f.sig.ident.to_string()),
            Item::Struct(s) => check(&s.attrs, &s.vis, "struct", s.ident.to_string()),
            Item::Enum(e) => check(&e.attrs, &e.vis, "enum", e.ident.to_string()),
            Item::Trait(t) => check(&t.attrs, &t.vis, "trait", t.ident.to_string()),
            Item::Const(c) => check(&c.attrs, &c.vis, "const", c.ident.to_string()),
            Item::Static(s) => check(&s.attrs, &s.vis, "static", s.ident.to_string()),
            Item::Type(t) => check(&t.attrs, &t.vis, "type", t.ident.to_string()),
            Item::Union(u) => check(&u.attrs, &u.vis, "union", u.ident.to_string()),
            Item::Mod(m) if !is_test_only(&m.attrs) => {
                // A module in its own file is documented there (`//!`, checked per file).
                if let Some((_, inner)) = &m.content {
                    check(&m.attrs, &m.vis, "mod", m.ident.to_string());
                    let mut found = Vec::new();
                    undocumented(inner, &mut found);
                    nested.extend(found.into_iter().map(|n| format!("{}::{n}", m.ident)));
                }
            }
            Item::Impl(block) if block.trait_.is_none() && !is_test_only(&block.attrs) => {
                for member in &block.items {
                    match member {
                        ImplItem::Fn(f) => check(&f.attrs, &f.vis, "fn", f.sig.ident.to_string()),
                        ImplItem::Const(c) => check(&c.attrs, &c.vis, "const", c.ident.to_string()),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out.extend(nested);
}

#[test]
fn every_file_and_every_public_item_has_a_doc_comment() {
    let root = workspace();
    let mut missing = Vec::new();
    let mut checked = 0;
    for krate in CRATES {
        let mut files = Vec::new();
        rust_files(&root.join(krate), &mut files);
        for path in files {
            let text = std::fs::read_to_string(&path).unwrap();
            let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path.strip_prefix(&root).unwrap().display().to_string();
            if !has_doc(&file.attrs) {
                missing.push(format!("{name}: no `//!` comment saying what the file holds"));
            }
            let mut items = Vec::new();
            undocumented(&file.items, &mut items);
            missing.extend(items.into_iter().map(|item| format!("{name}: {item}")));
            checked += 1;
        }
    }
    assert!(checked > 150, "the walk found the source ({checked} files)");
    assert!(missing.is_empty(), "{} undocumented:\n{}", missing.len(), missing.join("\n"));
}

#[test]
fn the_check_sees_what_is_missing() {
    let file = syn::parse_file(
        "/// Documented.\npub fn a() {}\npub fn b() {}\nfn private() {}\npub struct S;\n\
         impl S { pub fn c(&self) {} /// Documented.\n pub fn d(&self) {} }\n\
         pub mod inner { //! Documented.\n pub const E: u8 = 1; }\n\
         #[cfg(test)] mod tests { pub fn f() {} }",
    )
    .unwrap();
    let mut missing = Vec::new();
    undocumented(&file.items, &mut missing);
    assert_eq!(missing, ["fn b", "struct S", "fn c", "inner::const E"]);
}

#[test]
fn no_file_of_a_feature_is_over_500_lines() {
    let root = workspace();
    let mut files = Vec::new();
    rust_files(&root.join(FEATURES), &mut files);
    let long: Vec<String> = files
        .iter()
        .filter_map(|path| {
            let lines = std::fs::read_to_string(path).unwrap().lines().count();
            (lines > MAX_FEATURE_FILE_LINES)
                .then(|| format!("{} ({lines} lines)", path.strip_prefix(&root).unwrap().display()))
        })
        .collect();
    assert!(files.len() > 100, "the walk found the features ({} files)", files.len());
    assert!(long.is_empty(), "split these by use case or kind of record:\n{}", long.join("\n"));
}
