//! Keeps the blocking API in step with the async one: every `pub fn` / `pub async fn` in an
//! `impl` block of a wrapped type in the DataFrame crate's sources has a blocking twin of the
//! same name in an `impl` block of its blocking type here, or is in [`EXCLUDED`] with the
//! reason. Adding a method to the async API without a blocking twin fails this test.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The async types with a blocking twin: (async type, blocking type).
const WRAPPED: &[(&str, &str)] = &[
    ("SparkSession", "SparkSession"),
    ("DataFrame", "DataFrame"),
    ("GroupedData", "GroupedData"),
    ("DataFrameNaFunctions", "DataFrameNaFunctions"),
    ("DataFrameStatFunctions", "DataFrameStatFunctions"),
    ("DataFrameReader", "DataFrameReader"),
    ("DataFrameWriter", "DataFrameWriter"),
    ("DataFrameWriterV2", "DataFrameWriterV2"),
    ("MergeIntoWriter", "MergeIntoWriter"),
    ("WhenMatched", "WhenMatched"),
    ("WhenNotMatched", "WhenNotMatched"),
    ("WhenNotMatchedBySource", "WhenNotMatchedBySource"),
    ("Catalog", "Catalog"),
    ("RuntimeConfig", "RuntimeConfig"),
    ("UdfRegistration", "UdfRegistration"),
    ("RecordBatchStream", "RecordBatchIter"),
    ("DataStreamReader", "DataStreamReader"),
    ("DataStreamWriter", "DataStreamWriter"),
    ("StreamingQuery", "StreamingQuery"),
    ("StreamingQueryManager", "StreamingQueryManager"),
    ("StreamingQueryEvents", "StreamingQueryEvents"),
];

/// Async methods deliberately without a blocking twin: (async type, method), and why.
const EXCLUDED: &[(&str, &str)] = &[
    // Its blocking twin is `Iterator::next` of `blocking::StreamingQueryEvents`, which the
    // scan of `pub fn` lines does not see.
    ("StreamingQueryEvents", "next"),
    // Blocking sessions are made by `blocking::DatabricksSession::builder()`; the async
    // builder's `build` returns an async session (wrap it with `SparkSession::from`).
    ("SparkSession", "builder"),
    // A transport client is made on an async runtime; wrap the async session instead
    // (`blocking::SparkSession::from(crate::SparkSession::from_client(client))`).
    ("SparkSession", "from_client"),
    // Makes a transport client builder for `from_client`; nothing in it waits.
    ("SparkSession", "client_builder"),
];

/// The source of the DataFrame crate and of this module, read from the workspace.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read the sources in {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            out.push((path, text));
        }
    }
    out
}

/// The tokens of Rust source, without comments and with the contents of string and char
/// literals dropped; good enough to find `impl X {` blocks and the `fn` names in them.
fn tokens(source: &str) -> Vec<String> {
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || (next == Some('#') && raw_string_at(&chars, i)))
        {
            // A raw string r"..." or r#"..."#.
            let mut hashes = 0;
            i += 1;
            while chars[i] == '#' {
                hashes += 1;
                i += 1;
            }
            i += 1;
            loop {
                if i >= chars.len() {
                    break;
                }
                if chars[i] == '"' && (0..hashes).all(|h| chars.get(i + 1 + h) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
            out.push("\"\"".to_string());
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push("\"\"".to_string());
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push("' '".to_string());
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push("' '".to_string());
            } else {
                i += 1;
                out.push("'".to_string());
            }
        } else if c.is_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let mut word: String = chars[start..i].iter().collect();
            // A raw identifier, r#where, is its name.
            if word == "r" && chars.get(i) == Some(&'#') {
                let start = i + 1;
                i = start;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                word = chars[start..i].iter().collect();
            }
            out.push(word);
        } else {
            out.push(c.to_string());
            i += 1;
        }
    }
    out
}

/// Whether `r#` at `i` starts a raw string (`r#"`, `r##"`) rather than a raw identifier.
fn raw_string_at(chars: &[char], i: usize) -> bool {
    let mut j = i + 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    chars.get(j) == Some(&'"')
}

/// The names of the methods in the `impl {ty} {` blocks of `source` (inherent impls only):
/// with `public_only`, the `pub fn` / `pub async fn` ones; otherwise every `fn`, including
/// the `lazy fn` / `wait fn` lines of `blocking_methods!`.
fn methods(source: &str, ty: &str, public_only: bool) -> BTreeSet<String> {
    let tokens = tokens(source);
    let mut names = BTreeSet::new();
    let mut i = 0;
    while i + 2 < tokens.len() {
        if tokens[i] == "impl" && tokens[i + 1] == ty && tokens[i + 2] == "{" {
            let mut depth = 1;
            let mut j = i + 3;
            while j < tokens.len() && depth > 0 {
                match tokens[j].as_str() {
                    "{" => depth += 1,
                    "}" => depth -= 1,
                    "fn" if depth == 1 && j + 1 < tokens.len() => {
                        let public = match tokens[j - 1].as_str() {
                            "pub" => true,
                            "async" => tokens[j - 2] == "pub",
                            _ => false,
                        };
                        if public || !public_only {
                            names.insert(tokens[j + 1].clone());
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    names
}

/// The async methods of `async_ty` in `async_sources` without a twin in `blocking_sources`
/// and not excluded.
fn missing(
    async_sources: &[(PathBuf, String)],
    blocking_sources: &[(PathBuf, String)],
    async_ty: &str,
    blocking_ty: &str,
) -> (BTreeSet<String>, usize) {
    let of = |sources: &[(PathBuf, String)], ty: &str, public_only: bool| {
        sources
            .iter()
            .flat_map(|(_, text)| methods(text, ty, public_only))
            .collect::<BTreeSet<_>>()
    };
    let async_methods = of(async_sources, async_ty, true);
    let blocking_methods = of(blocking_sources, blocking_ty, false);
    let missing = async_methods
        .iter()
        .filter(|name| !blocking_methods.contains(*name))
        .filter(|name| !EXCLUDED.contains(&(async_ty, name.as_str())))
        .cloned()
        .collect();
    (missing, async_methods.len())
}

#[test]
fn every_async_method_has_a_blocking_twin() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let async_sources = sources(&manifest.join("../spark-connect-dataframe/src"));
    let mut blocking_sources = sources(&manifest.join("src/blocking"));
    let own = manifest.join("src/blocking.rs");
    let text = std::fs::read_to_string(&own).expect("blocking.rs");
    blocking_sources.push((own, text));

    let mut report = Vec::new();
    let mut counts = Vec::new();
    for (async_ty, blocking_ty) in WRAPPED {
        let (missing, found) = missing(&async_sources, &blocking_sources, async_ty, blocking_ty);
        counts.push((*async_ty, found));
        if !missing.is_empty() {
            report.push(format!(
                "{async_ty} -> blocking::{blocking_ty}: {missing:?}"
            ));
        }
    }
    assert!(
        report.is_empty(),
        "async methods without a blocking twin (add a `lazy fn` / `wait fn` line to \
         `blocking_methods!` in blocking.rs, or to EXCLUDED in blocking/parity.rs with the \
         reason):\n{}",
        report.join("\n")
    );
    // The scan itself works: it finds the async API (so the test cannot pass by finding nothing).
    for (ty, found) in counts {
        assert!(
            found > 0,
            "no async methods of {ty} found: the scan is broken"
        );
    }
    let dataframe = async_sources
        .iter()
        .flat_map(|(_, text)| methods(text, "DataFrame", true))
        .count();
    assert!(dataframe > 100, "{dataframe} DataFrame methods found");
    for (ty, name) in EXCLUDED {
        let found = async_sources
            .iter()
            .any(|(_, text)| methods(text, ty, true).contains(*name));
        assert!(
            found,
            "EXCLUDED lists {ty}::{name}, which the async API no longer has"
        );
    }
}

#[test]
fn a_method_added_to_the_async_api_alone_is_reported() {
    let async_sources = vec![(
        PathBuf::from("a.rs"),
        r#"
        impl DataFrame {
            /// Docs with { braces and "impl DataFrame {" text.
            pub fn select(self) -> DataFrame { let s = "}"; let c = '}'; self.clone() }
            pub async fn r#where(&self) -> Result<(), Error> { Ok(()) }
            pub(crate) fn internal(&self) {}
            fn private(&self) {}
            pub async fn brand_new<'a>(&'a self) -> Result<(), Error> { Ok(()) }
        }
        impl std::fmt::Debug for DataFrame { fn fmt(&self) {} }
        "#
        .to_string(),
    )];
    let blocking_sources = vec![(
        PathBuf::from("b.rs"),
        "blocking_methods! { impl DataFrame {
            lazy fn select<C: Into<Column>>(self, c: impl IntoIterator<Item = C>) -> DataFrame;
            lazy fn r#where(self, condition: impl IntoCondition) -> DataFrame;
        } }"
        .to_string(),
    )];
    let (missing, found) = missing(&async_sources, &blocking_sources, "DataFrame", "DataFrame");
    assert_eq!(found, 3);
    assert_eq!(missing.into_iter().collect::<Vec<_>>(), vec!["brand_new"]);
}
