//! Keeps the blocking API in step with the async one: every `pub fn` / `pub async fn` in an
//! `impl` block of a wrapped type in the DataFrame crate's sources has a blocking twin of the
//! same name in an `impl` block of its blocking type here, or is in [`EXCLUDED`] with the
//! reason. Adding a method to the async API without a blocking twin fails this test. Both
//! sides are read with syn; the blocking side's `blocking_methods!` calls are parsed as
//! `impl Type { lazy fn ...; wait fn ...; }` blocks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};

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
    // Its blocking twin is `Iterator::next` of `blocking::StreamingQueryEvents`, a trait
    // method, which the check (inherent `impl` blocks only) does not see.
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
fn sources(dir: &Path) -> Vec<(PathBuf, syn::File)> {
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
            out.push(parse(path, &text));
        }
    }
    out
}

/// `source` parsed with syn; source that does not parse fails the test, naming `path`.
fn parse(path: PathBuf, source: &str) -> (PathBuf, syn::File) {
    let file = syn::parse_file(source)
        .unwrap_or_else(|e| panic!("{} does not parse as Rust: {e}", path.display()));
    (path, file)
}

/// The names of the methods in the inherent `impl {ty}` blocks of `file`: with `public_only`,
/// the `pub` ones (`pub fn`, `pub async fn`, not `pub(crate)`); otherwise every `fn`,
/// including the `lazy fn` / `wait fn` lines of `blocking_methods!` calls.
fn methods(path: &Path, file: &syn::File, ty: &str, public_only: bool) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    collect(path, &file.items, ty, public_only, &mut names);
    names
}

fn collect(
    path: &Path,
    items: &[syn::Item],
    ty: &str,
    public_only: bool,
    names: &mut BTreeSet<String>,
) {
    for item in items {
        match item {
            syn::Item::Impl(block) if block.trait_.is_none() && is_type(&block.self_ty, ty) => {
                for item in &block.items {
                    if let syn::ImplItem::Fn(method) = item
                        && (!public_only || matches!(method.vis, syn::Visibility::Public(_)))
                    {
                        names.insert(method.sig.ident.unraw().to_string());
                    }
                }
            }
            syn::Item::Mod(module) => {
                if let Some((_, items)) = &module.content {
                    collect(path, items, ty, public_only, names);
                }
            }
            syn::Item::Macro(call) if call.mac.path.is_ident("blocking_methods") => {
                let blocks = call
                    .mac
                    .parse_body_with(|input: ParseStream<'_>| {
                        let mut blocks = Vec::new();
                        while !input.is_empty() {
                            blocks.push(input.parse::<BlockingImpl>()?);
                        }
                        Ok(blocks)
                    })
                    .unwrap_or_else(|e| {
                        panic!(
                            "a blocking_methods! call in {} does not parse: {e}",
                            path.display()
                        )
                    });
                for block in blocks.iter().filter(|b| b.ty == ty) {
                    names.extend(block.methods.iter().map(|m| m.unraw().to_string()));
                }
            }
            _ => {}
        }
    }
}

/// Whether `self_ty` is the type named `ty` (`impl DataFrame`, not `impl<T> Wrapper<T>`).
fn is_type(self_ty: &syn::Type, ty: &str) -> bool {
    matches!(self_ty, syn::Type::Path(p)
        if p.qself.is_none()
            && p.path.segments.last().is_some_and(|s| s.ident == ty && s.arguments.is_none()))
}

/// One `impl Type { lazy fn ...; wait fn ...; }` block of a `blocking_methods!` call.
struct BlockingImpl {
    ty: syn::Ident,
    methods: Vec<syn::Ident>,
}

impl Parse for BlockingImpl {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        input.parse::<syn::Token![impl]>()?;
        let ty = input.parse()?;
        let body;
        syn::braced!(body in input);
        let mut methods = Vec::new();
        while !body.is_empty() {
            body.call(syn::Attribute::parse_outer)?;
            let kind: syn::Ident = body.parse()?;
            if kind != "lazy" && kind != "wait" {
                return Err(syn::Error::new(
                    kind.span(),
                    "expected `lazy fn` or `wait fn`",
                ));
            }
            let signature: syn::Signature = body.parse()?;
            body.parse::<syn::Token![;]>()?;
            methods.push(signature.ident);
        }
        Ok(BlockingImpl { ty, methods })
    }
}

/// The async methods of `async_ty` in `async_sources` without a twin in `blocking_sources`
/// and not excluded.
fn missing(
    async_sources: &[(PathBuf, syn::File)],
    blocking_sources: &[(PathBuf, syn::File)],
    async_ty: &str,
    blocking_ty: &str,
) -> (BTreeSet<String>, usize) {
    let of = |sources: &[(PathBuf, syn::File)], ty: &str, public_only: bool| {
        sources
            .iter()
            .flat_map(|(path, text)| methods(path, text, ty, public_only))
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
    blocking_sources.push(parse(own, &text));

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
        .flat_map(|(path, text)| methods(path, text, "DataFrame", true))
        .count();
    assert!(dataframe > 100, "{dataframe} DataFrame methods found");
    for (ty, name) in EXCLUDED {
        let found = async_sources
            .iter()
            .any(|(path, text)| methods(path, text, ty, true).contains(*name));
        assert!(
            found,
            "EXCLUDED lists {ty}::{name}, which the async API no longer has"
        );
    }
}

#[test]
fn a_method_added_to_the_async_api_alone_is_reported() {
    let async_sources = vec![parse(
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
        mod reading {
            impl super::DataFrame {
                pub fn in_a_module(&self) {}
            }
        }
        impl<T> DataFrame<T> { pub fn generic_wrapper(&self) {} }
        "#,
    )];
    let blocking_sources = vec![parse(
        PathBuf::from("b.rs"),
        "blocking_methods! { impl DataFrame {
            /// A doc comment and an attribute before a line.
            #[cfg(feature = \"serde\")]
            lazy fn select<C: Into<Column>>(self, c: impl IntoIterator<Item = C>) -> DataFrame;
            lazy fn r#where(self, condition: impl IntoCondition) -> DataFrame;
        }
        impl GroupedData { lazy fn brand_new(&self) -> DataFrame; } }
        impl DataFrame { fn in_a_module(&self) {} }",
    )];
    let (missing, found) = missing(&async_sources, &blocking_sources, "DataFrame", "DataFrame");
    assert_eq!(found, 4, "select, where, brand_new, in_a_module");
    // A twin of the same name on another blocking type does not count.
    assert_eq!(missing.into_iter().collect::<Vec<_>>(), vec!["brand_new"]);
}

#[test]
#[should_panic(expected = "a blocking_methods! call in b.rs does not parse")]
fn a_blocking_line_that_is_not_lazy_or_wait_fails_the_check() {
    let blocking = parse(
        PathBuf::from("b.rs"),
        "blocking_methods! { impl DataFrame { eager fn select(&self) -> DataFrame; } }",
    );
    methods(&blocking.0, &blocking.1, "DataFrame", false);
}
