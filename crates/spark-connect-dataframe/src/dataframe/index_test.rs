//! The index in `DataFrame`'s documentation ("What a DataFrame can do", in `dataframe/mod.rs`)
//! lists every public method of `DataFrame`, wherever in the crate its `impl DataFrame` block
//! is.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The public, documented methods of the `impl DataFrame` blocks of one file: blocks start at
/// `impl DataFrame {` in the first column and end at the next `}` there; a method is a
/// `pub fn` or `pub async fn` indented once, unless `#[doc(hidden)]` stands before it.
fn public_methods(text: &str) -> Vec<String> {
    let mut methods = Vec::new();
    let mut in_impl = false;
    let mut hidden = false;
    for line in text.lines() {
        if line.starts_with("impl DataFrame {") {
            in_impl = true;
            continue;
        }
        if !in_impl {
            continue;
        }
        if line.starts_with('}') {
            in_impl = false;
            continue;
        }
        if line == "    #[doc(hidden)]" {
            hidden = true;
            continue;
        }
        let signature = line
            .strip_prefix("    pub fn ")
            .or_else(|| line.strip_prefix("    pub async fn "));
        if let Some(rest) = signature {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '#')
                .collect();
            if !hidden {
                // Rustdoc links name `r#where` as `where`.
                methods.push(name.trim_start_matches("r#").to_string());
            }
        }
        if !line.trim_start().starts_with("#[") && !line.trim_start().starts_with("///") {
            hidden = false;
        }
    }
    methods
}

#[test]
fn every_public_method_is_in_the_index() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();

    let module = std::fs::read_to_string(src.join("dataframe/mod.rs")).unwrap();
    // The "What a DataFrame can do" section of the struct's documentation, up to the struct.
    let start = module
        .find("/// # What a DataFrame can do")
        .expect("DataFrame's documentation has a \"What a DataFrame can do\" section");
    let end = start
        + module[start..]
            .find("pub struct DataFrame")
            .expect("the section is on the DataFrame struct");
    let index = &module[start..end];

    let mut found = Vec::new();
    let mut missing = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for method in public_methods(&text) {
            if !index.contains(&format!("(DataFrame::{method})")) {
                let file = file.strip_prefix(&src).unwrap().display().to_string();
                missing.push(format!("{method} ({file})"));
            }
            found.push(method);
        }
    }
    // The scan itself works: it finds methods of several files, including this folder's own.
    for known in ["select", "join", "write", "cache", "write_stream", "where"] {
        assert!(
            found.iter().any(|m| m == known),
            "the scan missed {known}: {found:?}"
        );
    }
    assert!(
        missing.is_empty(),
        "public DataFrame methods missing from \"What a DataFrame can do\" in dataframe/mod.rs: {}",
        missing.join(", ")
    );
    // And the index names no method that is gone (rustdoc checks these links too, but only
    // for the features it documents with).
    let stale: Vec<&str> = index
        .split("(DataFrame::")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .filter(|name| !found.iter().any(|m| m == name))
        .collect();
    assert!(
        stale.is_empty(),
        "the index names methods that are not public: {stale:?}"
    );
}

#[test]
fn the_scan_skips_hidden_and_private_methods() {
    let text = "impl DataFrame {\n    pub fn shown(&self) {}\n    #[doc(hidden)]\n    pub fn \
                hidden(&self) {}\n    pub(crate) fn internal(&self) {}\n    /// Doc.\n    pub \
                async fn later(&self) {}\n}\nimpl Other {\n    pub fn other(&self) {}\n}\n";
    assert_eq!(public_methods(text), ["shown", "later"]);
}
