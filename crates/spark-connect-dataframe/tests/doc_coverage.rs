//! Every public method of the crate's public types, and every public function outside
//! `functions/` (which has its own check), has a doc comment with an example (a code block).
//!
//! Files are found by walking `src/`, so the test follows the sources wherever they move.
//! Skipped: trait impls (their docs live on the trait), `#[doc(hidden)]` items and modules,
//! `#[cfg(test)]` code, and items inside function bodies.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use syn::visit::Visit;
use syn::{Attribute, Expr, ImplItem, Item, Lit, Meta, Type, Visibility};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text of the item's `///` and `#[doc = "..."]` attributes, joined by lines.
fn doc_text(attrs: &[Attribute]) -> String {
    let mut text = String::new();
    for attr in attrs {
        if let Meta::NameValue(nv) = &attr.meta
            && nv.path.is_ident("doc")
            && let Expr::Lit(lit) = &nv.value
            && let Lit::Str(s) = &lit.lit
        {
            text.push_str(&s.value());
            text.push('\n');
        }
    }
    text
}

/// `#[doc(hidden)]`, alone or among other `doc(...)` arguments.
fn is_doc_hidden(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("doc")
            && matches!(&attr.meta, Meta::List(list) if list.tokens.to_string().split(',').any(|t| t.trim() == "hidden"))
    })
}

/// `#[cfg(test)]`, or any `cfg` that mentions `test` (e.g. `cfg(all(test, ...))`).
fn is_test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && matches!(&attr.meta, Meta::List(list) if list.tokens.to_string().split(|c: char| !c.is_alphanumeric() && c != '_').any(|t| t == "test"))
    })
}

fn is_pub(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The name a type is declared under: `DataFrameWriter` for `DataFrameWriter<'a>`.
fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// First pass: the types declared `pub` (and not hidden), and the modules declared hidden.
#[derive(Default)]
struct Declarations {
    public_types: BTreeSet<String>,
    hidden_modules: BTreeSet<String>,
}

impl<'ast> Visit<'ast> for Declarations {
    fn visit_item(&mut self, item: &'ast Item) {
        let (attrs, vis, name) = match item {
            Item::Struct(i) => (&i.attrs, &i.vis, i.ident.to_string()),
            Item::Enum(i) => (&i.attrs, &i.vis, i.ident.to_string()),
            Item::Union(i) => (&i.attrs, &i.vis, i.ident.to_string()),
            Item::Type(i) => (&i.attrs, &i.vis, i.ident.to_string()),
            Item::Mod(m) => {
                if is_test_only(&m.attrs) {
                    return;
                }
                if is_doc_hidden(&m.attrs) {
                    self.hidden_modules.insert(m.ident.to_string());
                    return;
                }
                return syn::visit::visit_item(self, item);
            }
            Item::Fn(_) => return,
            _ => return syn::visit::visit_item(self, item),
        };
        if is_pub(vis) && !is_doc_hidden(attrs) && !is_test_only(attrs) {
            self.public_types.insert(name);
        }
    }
}

/// Second pass over one file: each public method or function, and whether it has an example.
struct Census<'a> {
    public_types: &'a BTreeSet<String>,
    /// Module-level functions count here only outside `functions/`.
    count_free_functions: bool,
    found: Vec<(String, bool)>,
}

impl<'ast> Visit<'ast> for Census<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if !is_test_only(&m.attrs) && !is_doc_hidden(&m.attrs) {
            syn::visit::visit_item_mod(self, m);
        }
    }

    // Not descending into the body: items declared inside a function are not public API.
    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        if self.count_free_functions
            && is_pub(&f.vis)
            && !is_doc_hidden(&f.attrs)
            && !is_test_only(&f.attrs)
        {
            let has_example = doc_text(&f.attrs).contains("```");
            self.found.push((f.sig.ident.to_string(), has_example));
        }
    }

    fn visit_item_impl(&mut self, imp: &'ast syn::ItemImpl) {
        if imp.trait_.is_some() || is_doc_hidden(&imp.attrs) || is_test_only(&imp.attrs) {
            return;
        }
        let Some(ty) = type_name(&imp.self_ty) else {
            return;
        };
        if !self.public_types.contains(&ty) {
            return;
        }
        for item in &imp.items {
            let ImplItem::Fn(f) = item else { continue };
            if !is_pub(&f.vis) || is_doc_hidden(&f.attrs) || is_test_only(&f.attrs) {
                continue;
            }
            let has_example = doc_text(&f.attrs).contains("```");
            self.found
                .push((format!("{ty}::{}", f.sig.ident), has_example));
        }
    }
}

/// Whether `rel` (a path under `src/`) is in the `functions` module, whose generated
/// functions have their own check: a `functions` folder anywhere on the path, or
/// `functions.rs`.
fn in_functions_module(rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.trim_end_matches(".rs").split('/').collect();
    let stem = parts.pop();
    stem == Some("functions") || parts.contains(&"functions")
}

/// Each public method and function of these parsed files (paths under `src/`), as
/// `(file, Type::method or function, has an example)`, in file order.
fn census(files: &[(String, syn::File)]) -> Vec<(String, String, bool)> {
    let mut declarations = Declarations::default();
    for (_, file) in files {
        declarations.visit_file(file);
    }
    let mut found = Vec::new();
    for (rel, file) in files {
        // A file belongs to a hidden module if its stem or one of its folders is that module.
        let hidden_module = rel
            .trim_end_matches(".rs")
            .split('/')
            .any(|m| declarations.hidden_modules.contains(m));
        if hidden_module || is_doc_hidden(&file.attrs) {
            continue;
        }
        let mut census = Census {
            public_types: &declarations.public_types,
            count_free_functions: !in_functions_module(rel),
            found: Vec::new(),
        };
        census.visit_file(file);
        found.extend(
            census
                .found
                .into_iter()
                .map(|(name, ok)| (rel.clone(), name, ok)),
        );
    }
    found
}

#[test]
fn every_public_method_has_an_example() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    assert!(!files.is_empty(), "no sources under {}", src.display());

    let parsed: Vec<(String, syn::File)> = files
        .iter()
        .map(|path| {
            let text = fs::read_to_string(path)
                .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
            let file = syn::parse_file(&text)
                .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()));
            let rel = path
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, file)
        })
        .collect();

    let found = census(&parsed);
    let mut per_file: Vec<(String, usize, usize)> = Vec::new();
    for (rel, _, ok) in &found {
        match per_file.last_mut() {
            Some((last, covered, total)) if last == rel => {
                *covered += usize::from(*ok);
                *total += 1;
            }
            _ => per_file.push((rel.clone(), usize::from(*ok), 1)),
        }
    }
    let missing: Vec<String> = found
        .iter()
        .filter(|(_, _, ok)| !ok)
        .map(|(rel, name, _)| format!("{rel}: {name}"))
        .collect();

    println!(
        "public methods and functions with an example: {}/{}",
        found.len() - missing.len(),
        found.len()
    );
    for (rel, covered, total) in &per_file {
        println!("  {rel}: {covered}/{total}");
    }
    assert!(
        missing.is_empty(),
        "{} of {} public methods and functions have no example (a doc comment with a code block):\n{}",
        missing.len(),
        found.len(),
        missing.join("\n")
    );
}

/// The census counts what it should and skips what it should, so that a pass of the test
/// above means something.
#[test]
fn census_counts_public_methods_and_skips_the_rest() {
    let parse = |text: &str| syn::parse_file(text).unwrap();
    let lib = parse(
        r##"
        #[doc(hidden)]
        pub mod fuzzing;
        mod io;
        /// A function.
        ///
        /// ```
        /// ```
        pub fn documented() {}
        /// No example.
        pub fn undocumented() {}
        fn private() {}
        pub struct Open;
        pub(crate) struct Internal;
        #[doc(hidden)]
        pub struct Hidden;
        impl Open {
            /// ```
            /// let x = 1;
            /// ```
            pub fn with_example(&self) {}
            /// Prose only.
            pub fn without_example(&self) {}
            #[doc(hidden)]
            pub fn hidden(&self) {}
            pub(crate) fn crate_only(&self) {}
            fn private(&self) {}
        }
        impl Clone for Open {
            fn clone(&self) -> Self { Open }
        }
        impl Internal {
            pub fn not_public_api(&self) {}
        }
        impl Hidden {
            pub fn not_shown(&self) {}
        }
        #[cfg(test)]
        mod tests {
            impl super::Open {
                pub fn test_helper(&self) {}
            }
        }
        pub fn outer() {
            struct Local;
            impl Local {
                pub fn in_a_body(&self) {}
            }
        }"##,
    );
    let io = parse(
        r##"
        impl crate::Open {
            /// Elsewhere, no example.
            pub fn in_another_file(&self) {}
        }"##,
    );
    let hidden = parse(
        r##"
        pub fn in_hidden_module() {}"##,
    );
    let generated = parse(
        r##"
        pub fn upper() {}
        impl crate::Open {
            pub fn method_beside_functions(&self) {}
        }"##,
    );
    let found = census(&[
        ("lib.rs".into(), lib),
        ("dataframe/io.rs".into(), io),
        ("plumbing/fuzzing.rs".into(), hidden),
        ("columns/functions/string.rs".into(), generated),
    ]);
    let found: Vec<(&str, &str, bool)> = found
        .iter()
        .map(|(f, n, ok)| (f.as_str(), n.as_str(), *ok))
        .collect();
    assert_eq!(
        found,
        [
            ("lib.rs", "documented", true),
            ("lib.rs", "undocumented", false),
            ("lib.rs", "Open::with_example", true),
            ("lib.rs", "Open::without_example", false),
            ("lib.rs", "outer", false),
            ("dataframe/io.rs", "Open::in_another_file", false),
            (
                "columns/functions/string.rs",
                "Open::method_beside_functions",
                false
            ),
        ]
    );
}
