//! Functions that make columns, with PySpark's names (`pyspark.sql.functions`) in snake_case.
//!
//! ```
//! use spark_connect_dataframe::functions::{col, expr, lit, upper, when};
//!
//! let doubled = (col("id") * lit(2)).alias("twice");
//! let cond = col("id").gt(5).and(expr("id % 2 = 0"));
//! let shout = upper("name");
//! let size = when(col("id").lt(10), "small").otherwise("large");
//! # let _ = (doubled, cond, shout, size);
//! ```
//!
//! Arguments follow PySpark's rule: where PySpark takes a column or a column name, a Rust
//! `&str` is a column name and numbers are literals (`impl Into<Column>`); where PySpark takes
//! a value (a format, a pattern, a count), a `&str` is text (`impl IntoOperand`) and a
//! [`Column`] is still accepted.
//!
//! Most functions are generated from one table per family (the `spark_functions!` macro):
//! each row gives the name, the arguments and the PySpark-specific notes of its doc, and the
//! same row feeds [`registry`], the list of every function this module provides. The rest of
//! each doc (what the function does, its arguments, the release that added it and an example
//! showing Spark's SQL examples as Rust calls) is Spark's own description of the function,
//! written into `spark_docs.rs` by `cargo xtask gen-function-docs`.
//!
//! # Optional arguments: the `_with` form
//!
//! Rust has no default arguments, so every PySpark function with optional parameters has
//! two Rust forms, with one rule for all of them:
//!
//! - `name(...)` takes PySpark's required parameters and builds what PySpark builds when
//!   the optional ones are left out (including the defaults PySpark itself sends, such as
//!   `lag`'s offset 1 or `sort_array`'s `asc=True`);
//! - `name_with(...)` takes the same parameters followed by **all** of PySpark's optional
//!   ones, in PySpark's order, and sends them all. To give only some, pass PySpark's
//!   default for the others (each function's doc names them).
//!
//! | PySpark | Rust |
//! |---|---|
//! | `round("x")` | `round("x")` |
//! | `round("x", 2)` | `round_with("x", 2)` |
//! | `lag("x")` | `lag("x")` |
//! | `lag("x", 2, 0)` | `lag_with("x", 2, 0)` |
//! | `from_json("j", "a INT", {"mode": "FAILFAST"})` | `from_json_with("j", "a INT", [("mode", "FAILFAST")])` |
//! | `array_sort("xs", lambda l, r: ...)` | `array_sort_with("xs", \|l, r\| ...)` |
//!
//! ```
//! use spark_connect_dataframe::functions::{lag, lag_with, round, round_with};
//!
//! let (a, b) = (round("x"), round_with("x", 2));
//! let (c, d) = (lag("x"), lag_with("x", 2, 0));
//! # let _ = (a, b, c, d);
//! ```
//!
//! `options` dictionaries (`from_json`, `to_csv`, ...) are any list of string pairs.
//! Where every parameter is optional in PySpark (`make_interval`, `make_dt_interval`,
//! `make_ym_interval`, `try_make_interval`), the one Rust function takes them all: pass `0`
//! for a part you leave out, as PySpark sends. PySpark's keyword-only alternatives get their
//! own name: `make_timestamp(date=, time=)` is [`make_timestamp_from_date_time`].
//! [`FunctionInfo::with_variant`] lists each `_with` form in the [`registry`].

use proto::expression::{self as ex, ExprType};
use spark_connect_transport::proto;

use crate::column::{Column, IntoOperand, Literal};

/// Generates one public function per row, plus the family's `FUNCTIONS` list for
/// [`registry`]. A row is `/// doc` (a summary, the "Spark SQL" link to Spark's reference,
/// PySpark notes; a row that starts with the link takes Spark's usage as its summary, and
/// `spark_doc!` adds Spark's description and the examples), `name(arg: Kind, ...)`,
/// optionally `as "python_name"` before the arguments (for Rust keywords), `=> "spark_name"`
/// after them when Spark's name differs, and `, name_with(opt: Kind, ...)` for a second function that also takes
/// PySpark's optional arguments (all of them, in PySpark's order). Kinds: `Col`
/// (`impl Into<Column>`: a column, a column name, or a number as a literal), `Val`
/// (`impl IntoOperand`: a value, strings are text), `Cols` (any number of columns, as [`IntoColumns`](crate::IntoColumns): one name or
/// column, an array or `Vec`, a tuple that mixes names and columns), `Opts`
/// (PySpark's `options` dictionary: string pairs, sent as a `map` as PySpark sends it).
///
/// In the `_with` part, `opt: Kind = value` is an optional argument that PySpark sends with
/// that value when it is not given (`sort_array`'s `asc = true`): the plain function sends
/// it too, so both build PySpark's plan. Such arguments come first among the optional ones.
/// `=> "spark_name"` after the `_with` part names the function the `_with` form calls when
/// it differs (`log(x)` is `ln`, `log(base, x)` is `log`); `optional_first` at the end
/// sends the optional arguments before the required ones, as PySpark does for `trim`.
macro_rules! spark_functions {
    (family: $family:ident;
     $( $(#[doc = $doc:literal])+
        $name:ident $(as $py:literal)? ( $($arg:ident : $kind:ident),* ) $(=> $spark:literal)?
        $(, $with:ident ( $($oarg:ident : $okind:ident $(= $odef:expr)?),+ )
            $(=> $wspark:literal)? $($order:ident)? )? ; )*
    ) => {
        $(
            #[doc = spark_doc!(head $name)]
            $(#[doc = $doc])+
            #[doc = spark_doc!(body $name)]
            pub fn $name($($arg: spark_functions!(@type $kind)),*) -> $crate::Column {
                let args = ::std::iter::empty::<$crate::Column>()
                    $( .chain(spark_functions!(@args $kind $arg)) )*
                    $( $( $( .chain(::std::iter::once(
                        $crate::IntoOperand::into_operand($odef))) )? )+ )?;
                $crate::Column::function(spark_functions!(@name $name $(, $spark)?), args)
            }

            spark_functions!(@with_fn [$($arg : $kind),*] [$name $(, $spark)?]
                $( $with ( $($oarg : $okind),+ ) [$($wspark)?] [$($order)?] )?);
        )*

        /// The functions of this family, in table order.
        pub(super) const FUNCTIONS: &[$crate::functions::FunctionInfo] = &[$(
            $crate::functions::FunctionInfo {
                name: spark_functions!(@name $name $(, $py)?),
                spark_name: spark_functions!(@name $name $(, $spark)?),
                family: $crate::functions::Family::$family,
                params: &[$(spark_functions!(@param $kind $arg)),*],
                doc: concat!(spark_doc!(head $name), "\n", $($doc, "\n",)+ spark_doc!(body $name)),
                arity: 0 $(+ spark_functions!(@arity $kind))*
                    $( $( $(+ spark_functions!(@one $odef))? )+ )?,
                sample: || $name($(spark_functions!(@sample $kind)),*),
                with: spark_functions!(@with_info [$($kind),*] [$name $(, $spark)?]
                    $( $with ( $($oarg : $okind),+ ) [$($wspark)?] )?),
            },
        )*];
    };
    (@with_fn [$($arg:ident : $kind:ident),*] [$name:ident $(, $spark:literal)?]) => {};
    (@with_fn [$($arg:ident : $kind:ident),*] [$name:ident $(, $spark:literal)?]
        $with:ident ( $($oarg:ident : $okind:ident),+ ) [$($wspark:literal)?] [$($order:ident)?]) => {
        #[doc = concat!("[`", stringify!($name), "`] with PySpark's optional argument(s) `",
            stringify!($($oarg),+), "`.")]
        #[doc = spark_doc!(with $name)]
        pub fn $with(
            $($arg: spark_functions!(@type $kind),)*
            $($oarg: spark_functions!(@type $okind)),+
        ) -> $crate::Column {
            let required = ::std::iter::empty::<$crate::Column>()
                $( .chain(spark_functions!(@args $kind $arg)) )*;
            let optional = ::std::iter::empty::<$crate::Column>()
                $( .chain(spark_functions!(@args $okind $oarg)) )+;
            let args = spark_functions!(@order [$($order)?] required, optional);
            $crate::Column::function(
                spark_functions!(@with_name [$($wspark)?] [$name $(, $spark)?]), args)
        }
    };
    (@order [] $required:ident, $optional:ident) => { $required.chain($optional) };
    (@order [optional_first] $required:ident, $optional:ident) => { $optional.chain($required) };
    (@with_name [$wspark:literal] [$name:ident $(, $spark:literal)?]) => { $wspark };
    (@with_name [] [$name:ident $(, $spark:literal)?]) => { spark_functions!(@name $name $(, $spark)?) };
    (@with_info [$($kind:ident),*] [$name:ident $(, $spark:literal)?]) => { None };
    (@with_info [$($kind:ident),*] [$name:ident $(, $spark:literal)?]
        $with:ident ( $($oarg:ident : $okind:ident),+ ) [$($wspark:literal)?]) => {
        Some($crate::functions::WithVariant {
            name: stringify!($with),
            spark_name: spark_functions!(@with_name [$($wspark)?] [$name $(, $spark)?]),
            params: &[$(stringify!($oarg)),+],
            arity: 0 $(+ spark_functions!(@arity $kind))* $(+ spark_functions!(@arity $okind))+,
            sample: || $with($(spark_functions!(@sample $kind),)* $(spark_functions!(@sample $okind)),+),
        })
    };
    (@type Col) => { impl Into<$crate::Column> };
    (@type Val) => { impl $crate::IntoOperand };
    (@type Cols) => { impl $crate::IntoColumns };
    (@type Opts) => { impl IntoIterator<Item = (impl AsRef<str>, impl AsRef<str>)> };
    (@args Col $arg:ident) => { ::std::iter::once($arg.into()) };
    (@args Val $arg:ident) => { ::std::iter::once($crate::IntoOperand::into_operand($arg)) };
    (@args Cols $arg:ident) => { $crate::IntoColumns::into_columns($arg) };
    (@args Opts $arg:ident) => { ::std::iter::once($crate::functions::options_map($arg)) };
    (@param Cols $arg:ident) => { concat!("*", stringify!($arg)) };
    (@param $kind:ident $arg:ident) => { stringify!($arg) };
    (@arity Cols) => { 2 };
    (@arity $kind:ident) => { 1 };
    (@one $odef:expr) => { 1 };
    (@sample Col) => { $crate::functions::col("a") };
    (@sample Val) => { 1 };
    (@sample Cols) => { [$crate::functions::col("a"), $crate::functions::col("b")] };
    (@sample Opts) => { [("k", "v")] };
    (@name $name:ident) => { stringify!($name) };
    (@name $name:ident, $given:literal) => { $given };
}

// Generated by `cargo xtask gen-function-docs`: Spark's descriptions of the functions (the
// `spark_doc!` macro the tables use) and Spark's function list.
#[macro_use]
#[rustfmt::skip]
mod spark_docs;

mod aggregate;
mod collection;
mod datetime;
mod format;
mod hash;
mod higher_order;
mod math;
mod misc;
mod partitioning;
mod ranking;
mod sketch;
mod string;

pub use aggregate::*;
pub use collection::*;
pub use datetime::*;
pub use format::*;
pub use hash::*;
pub use higher_order::*;
pub use math::*;
pub use misc::*;
pub use partitioning::*;
pub use ranking::*;
pub use sketch::*;
pub use string::*;

/// Windows for [`Column::over`], here too so that `use functions::*` brings what window
/// functions need (also at the crate root).
pub use crate::column::window::{Window, WindowSpec};

/// The family a function belongs to, as PySpark's reference groups them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Family {
    /// Columns, literals, expressions, sort orders, `when`, calling functions by name.
    Core,
    /// Strings, regular expressions, encodings.
    String,
    /// Arithmetic, rounding, trigonometry, bits, random numbers.
    Math,
    /// Dates, times and timestamps.
    DateTime,
    /// Arrays, maps and structs.
    Collection,
    /// Aggregates.
    Aggregate,
    /// Ranking and offset window functions.
    Ranking,
    /// Hashes and checksums.
    Hash,
    /// JSON, CSV, XML and variant.
    Format,
    /// Conditional, null handling, session information.
    Misc,
    /// HLL, KLL, theta, tuple and bitmap sketches, spatial values.
    Sketch,
    /// Functions over arrays and maps that take a Rust closure as their lambda.
    HigherOrder,
    /// Partition transforms of V2 table writes (`years`, `bucket`, ...); not SQL functions.
    Partitioning,
}

/// One function of this module: its PySpark name, the Spark SQL function it calls and the
/// arguments it takes. [`registry`] lists them all.
#[derive(Debug, Clone, Copy)]
pub struct FunctionInfo {
    name: &'static str,
    spark_name: &'static str,
    family: Family,
    params: &'static [&'static str],
    doc: &'static str,
    arity: usize,
    sample: fn() -> Column,
    with: Option<WithVariant>,
}

/// The `_with` form of a function, which also takes PySpark's optional arguments
/// (`round_with(col, scale)` for PySpark's `round(col, scale)`).
#[derive(Debug, Clone, Copy)]
pub struct WithVariant {
    name: &'static str,
    spark_name: &'static str,
    params: &'static [&'static str],
    arity: usize,
    sample: fn() -> Column,
}

impl WithVariant {
    /// The Rust name, such as `round_with`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::registry;
    /// let round = registry().iter().find(|f| f.name() == "round").unwrap();
    /// assert_eq!(round.with_variant().unwrap().name(), "round_with");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }
    /// The Spark SQL function the call becomes (`log_with` calls `log`, `log` calls `ln`).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::registry;
    /// let log = registry().iter().find(|f| f.name() == "log").unwrap();
    /// assert_eq!(log.spark_name(), "ln");
    /// assert_eq!(log.with_variant().unwrap().spark_name(), "log");
    /// ```
    pub fn spark_name(&self) -> &'static str {
        self.spark_name
    }
    /// The optional parameters it takes after the function's own.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::registry;
    /// let round = registry().iter().find(|f| f.name() == "round").unwrap();
    /// assert_eq!(round.params(), ["col"]);
    /// assert_eq!(round.with_variant().unwrap().optional_params(), ["scale"]);
    /// ```
    pub fn optional_params(&self) -> &'static [&'static str] {
        self.params
    }
    /// The number of arguments the sample call sends.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::registry;
    /// let round = registry().iter().find(|f| f.name() == "round").unwrap();
    /// assert_eq!(round.with_variant().unwrap().sample_arity(), 2);
    /// ```
    pub fn sample_arity(&self) -> usize {
        self.arity
    }
    /// A call with placeholder arguments.
    ///
    /// ```
    /// # use spark_connect_dataframe::{functions::registry, proto::expression::ExprType};
    /// # fn called(c: &spark_connect_dataframe::Column) -> (String, usize) {
    /// #     let Some(ExprType::UnresolvedFunction(f)) = &c.to_proto().expr_type else { panic!() };
    /// #     (f.function_name.clone(), f.arguments.len())
    /// # }
    /// let round = registry().iter().find(|f| f.name() == "round").unwrap();
    /// // round_with(col("a"), 1)
    /// assert_eq!(called(&round.with_variant().unwrap().sample()), ("round".into(), 2));
    /// ```
    pub fn sample(&self) -> Column {
        (self.sample)()
    }
}

impl FunctionInfo {
    /// The `_with` form taking PySpark's optional arguments too, if there is one.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::registry;
    /// let find = |name: &str| registry().iter().find(|f| f.name() == name).unwrap();
    /// assert_eq!(find("round").with_variant().unwrap().name(), "round_with");
    /// assert!(find("upper").with_variant().is_none());
    /// ```
    pub fn with_variant(&self) -> Option<WithVariant> {
        self.with
    }
    /// The name in `pyspark.sql.functions` (and of the Rust function, but for `r#` keywords).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::registry;
    /// let names: Vec<&str> = registry().iter().map(|f| f.name()).collect();
    /// assert!(names.contains(&"upper") && names.contains(&"round"));
    /// assert!(names.is_sorted());
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }
    /// The Spark SQL function the call becomes; empty where the call builds something other
    /// than a function call (`col`, `lit`).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::registry;
    /// let find = |name: &str| registry().iter().find(|f| f.name() == name).unwrap();
    /// assert_eq!(find("log").spark_name(), "ln");
    /// assert_eq!(find("upper").spark_name(), "upper");
    /// assert_eq!(find("col").spark_name(), "");
    /// ```
    pub fn spark_name(&self) -> &'static str {
        self.spark_name
    }
    /// The family.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{registry, Family};
    /// let find = |name: &str| registry().iter().find(|f| f.name() == name).unwrap();
    /// assert_eq!(find("upper").family(), Family::String);
    /// assert_eq!(find("sum").family(), Family::Aggregate);
    /// ```
    pub fn family(&self) -> Family {
        self.family
    }
    /// The parameter names, `*name` for any number of columns.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::registry;
    /// let find = |name: &str| registry().iter().find(|f| f.name() == name).unwrap();
    /// assert_eq!(find("concat").params(), ["*cols"]);
    /// assert_eq!(find("call_function").params(), ["name", "*cols"]);
    /// ```
    pub fn params(&self) -> &'static [&'static str] {
        self.params
    }
    /// The rustdoc text: the summary, Spark's description of the function (usage, arguments,
    /// the release that added it) and an example, as `cargo doc` shows it.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::registry;
    /// let upper = registry().iter().find(|f| f.name() == "upper").unwrap();
    /// assert!(upper.doc().contains("```"), "every generated function has an example");
    /// ```
    pub fn doc(&self) -> &'static str {
        self.doc.trim()
    }
    /// The number of arguments the call has when each `*name` parameter gets two columns.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::registry;
    /// let find = |name: &str| registry().iter().find(|f| f.name() == name).unwrap();
    /// assert_eq!(find("upper").sample_arity(), 1);
    /// assert_eq!(find("concat").sample_arity(), 2);
    /// ```
    pub fn sample_arity(&self) -> usize {
        self.arity
    }
    /// A call with placeholder arguments (`col("a")`, `lit(1)`, two columns for `*name`),
    /// for checking what the function builds.
    ///
    /// ```
    /// # use spark_connect_dataframe::{functions::registry, proto::expression::ExprType};
    /// # fn called(c: &spark_connect_dataframe::Column) -> (String, usize) {
    /// #     let Some(ExprType::UnresolvedFunction(f)) = &c.to_proto().expr_type else { panic!() };
    /// #     (f.function_name.clone(), f.arguments.len())
    /// # }
    /// let log = registry().iter().find(|f| f.name() == "log").unwrap();
    /// // log(col("a")) calls Spark's ln
    /// assert_eq!(called(&log.sample()), ("ln".into(), 1));
    /// ```
    pub fn sample(&self) -> Column {
        (self.sample)()
    }
}

/// Functions written by hand (they build more than a plain function call, or take
/// closures); listed in [`registry`] with the generated ones.
const CORE: &[FunctionInfo] = &[
    core_info("col", "", &["col"], "A column by name.", 0, || col("a")),
    core_info("column", "", &["col"], "A column by name.", 0, || {
        column("a")
    }),
    core_info("lit", "", &["value"], "A literal value.", 0, || lit(1)),
    core_info("expr", "", &["sql"], "A SQL expression string.", 0, || {
        expr("a")
    }),
    core_info(
        "call_function",
        "",
        &["name", "*cols"],
        "Any function by name.",
        2,
        || call_function("f", [col("a"), col("b")]),
    ),
    core_info(
        "call_udf",
        "",
        &["udfName", "*cols"],
        "A registered user-defined function by name.",
        2,
        || call_udf("f", [col("a"), col("b")]),
    ),
    core_info(
        "when",
        "when",
        &["condition", "value"],
        "CASE WHEN.",
        2,
        || when(col("a"), 1),
    ),
    core_info(
        "count_distinct",
        "count",
        &["col", "*cols"],
        "COUNT(DISTINCT ...).",
        2,
        || count_distinct([col("a"), col("b")]),
    ),
    core_info(
        "sum_distinct",
        "sum",
        &["col"],
        "SUM(DISTINCT ...).",
        1,
        || sum_distinct(col("a")),
    ),
    with_form(
        core_info(
            "listagg_distinct",
            "listagg",
            &["col"],
            "LISTAGG(DISTINCT ...).",
            1,
            || listagg_distinct(col("a")),
        ),
        "listagg_distinct_with",
        &["delimiter"],
        || listagg_distinct_with(col("a"), ","),
    ),
    with_form(
        core_info(
            "string_agg_distinct",
            "string_agg",
            &["col"],
            "STRING_AGG(DISTINCT ...).",
            1,
            || string_agg_distinct(col("a")),
        ),
        "string_agg_distinct_with",
        &["delimiter"],
        || string_agg_distinct_with(col("a"), ","),
    ),
    core_info("asc", "", &["col"], "Ascending sort order.", 0, || asc("a")),
    core_info(
        "asc_nulls_first",
        "",
        &["col"],
        "Ascending, nulls first.",
        0,
        || asc_nulls_first("a"),
    ),
    core_info(
        "asc_nulls_last",
        "",
        &["col"],
        "Ascending, nulls last.",
        0,
        || asc_nulls_last("a"),
    ),
    core_info("desc", "", &["col"], "Descending sort order.", 0, || {
        desc("a")
    }),
    core_info(
        "desc_nulls_first",
        "",
        &["col"],
        "Descending, nulls first.",
        0,
        || desc_nulls_first("a"),
    ),
    core_info(
        "desc_nulls_last",
        "",
        &["col"],
        "Descending, nulls last.",
        0,
        || desc_nulls_last("a"),
    ),
    higher_order("transform", &["col", "f"], "Maps each element.", || {
        transform("a", |x| x)
    }),
    higher_order("filter", &["col", "f"], "Keeps elements.", || {
        filter("a", |x| x)
    }),
    higher_order("exists", &["col", "f"], "Some element matches.", || {
        exists("a", |x| x)
    }),
    higher_order("forall", &["col", "f"], "Every element matches.", || {
        forall("a", |x| x)
    }),
    with_form(
        higher_order(
            "aggregate",
            &["col", "initialValue", "merge"],
            "Folds an array.",
            || aggregate("a", 0, |acc, x| acc + x),
        ),
        "aggregate_with",
        &["finish"],
        || aggregate_with("a", 0, |acc, x| acc + x, |acc| acc),
    ),
    with_form(
        higher_order(
            "reduce",
            &["col", "initialValue", "merge"],
            "Folds an array.",
            || reduce("a", 0, |acc, x| acc + x),
        ),
        "reduce_with",
        &["finish"],
        || reduce_with("a", 0, |acc, x| acc + x, |acc| acc),
    ),
    higher_order(
        "zip_with",
        &["left", "right", "f"],
        "Combines two arrays.",
        || zip_with("a", "b", |x, y| x + y),
    ),
    higher_order("map_filter", &["col", "f"], "Keeps map entries.", || {
        map_filter("a", |_, v| v)
    }),
    higher_order("transform_keys", &["col", "f"], "Maps map keys.", || {
        transform_keys("a", |k, _| k)
    }),
    higher_order(
        "transform_values",
        &["col", "f"],
        "Maps map values.",
        || transform_values("a", |_, v| v),
    ),
    higher_order(
        "map_zip_with",
        &["col1", "col2", "f"],
        "Merges two maps.",
        || map_zip_with("a", "b", |_, x, y| x + y),
    ),
];

/// A higher-order function: its sample has the collection arguments and one lambda.
const fn higher_order(
    name: &'static str,
    params: &'static [&'static str],
    doc: &'static str,
    sample: fn() -> Column,
) -> FunctionInfo {
    FunctionInfo {
        name,
        spark_name: name,
        family: Family::HigherOrder,
        params,
        doc,
        arity: params.len(),
        sample,
        with: None,
    }
}

/// A hand-written function with its hand-written `_with` form.
const fn with_form(
    info: FunctionInfo,
    name: &'static str,
    params: &'static [&'static str],
    sample: fn() -> Column,
) -> FunctionInfo {
    FunctionInfo {
        with: Some(WithVariant {
            name,
            spark_name: info.spark_name,
            params,
            arity: info.arity + params.len(),
            sample,
        }),
        ..info
    }
}

const fn core_info(
    name: &'static str,
    spark_name: &'static str,
    params: &'static [&'static str],
    doc: &'static str,
    arity: usize,
    sample: fn() -> Column,
) -> FunctionInfo {
    FunctionInfo {
        name,
        spark_name,
        family: Family::Core,
        params,
        doc,
        arity,
        sample,
        with: None,
    }
}

/// Every function of this module, hand-written and generated, sorted by name. A function
/// whose [`spark_name`](FunctionInfo::spark_name) is empty builds something other than a
/// function call (a column reference, a literal, a sort order).
pub fn registry() -> &'static [FunctionInfo] {
    static ALL: std::sync::OnceLock<Vec<FunctionInfo>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<FunctionInfo> = [
            CORE,
            string::FUNCTIONS,
            math::FUNCTIONS,
            datetime::FUNCTIONS,
            collection::FUNCTIONS,
            aggregate::FUNCTIONS,
            ranking::FUNCTIONS,
            hash::FUNCTIONS,
            format::FUNCTIONS,
            misc::FUNCTIONS,
            partitioning::FUNCTIONS,
            sketch::FUNCTIONS,
        ]
        .concat();
        all.sort_by_key(|f| f.name);
        all
    })
}

/// The column named `name`. Dots address nested fields and backticks quote names, as in
/// Spark SQL (`col("a.b")`, ``col("`a.b`")``); `"*"` is every column.
pub fn col(name: &str) -> Column {
    if name == "*" {
        return Column::from_expr_type(ExprType::UnresolvedStar(ex::UnresolvedStar {
            unparsed_target: None,
            plan_id: None,
        }));
    }
    if let Some(target) = name.strip_suffix(".*") {
        return Column::from_expr_type(ExprType::UnresolvedStar(ex::UnresolvedStar {
            unparsed_target: Some(format!("{target}.*")),
            plan_id: None,
        }));
    }
    Column::from_expr_type(ExprType::UnresolvedAttribute(ex::UnresolvedAttribute {
        unparsed_identifier: name.to_string(),
        plan_id: None,
        is_metadata_column: Some(false),
    }))
}

/// Same as [`col`].
pub fn column(name: &str) -> Column {
    col(name)
}

/// A literal value: booleans, numbers, strings, bytes, dates and timestamps, and typed nulls
/// (`lit(None::<i64>)`); [`Literal`] lists the Rust types and the Spark type each becomes.
///
/// ```
/// use spark_connect_dataframe::functions::lit;
/// use spark_connect_dataframe::proto::expression::{ExprType, literal::LiteralType};
/// use spark_connect_dataframe::proto::data_type::Kind;
///
/// let missing = lit(None::<i64>);
/// let Some(ExprType::Literal(l)) = &missing.to_proto().expr_type else { panic!() };
/// let Some(LiteralType::Null(t)) = &l.literal_type else { panic!() };
/// assert!(matches!(t.kind, Some(Kind::Long(_))));
/// ```
pub fn lit(value: impl Into<Literal>) -> Column {
    let Literal(literal_type) = value.into();
    Column::from_expr_type(ExprType::Literal(ex::Literal {
        literal_type: Some(literal_type),
        data_type: None,
    }))
}

/// PySpark's `options` dictionaries (`from_json(col, schema, options)`): a `map` of string
/// literals, keys and values in turn, as PySpark's `create_map(lit(k), lit(v), ...)`.
pub(crate) fn options_map(
    options: impl IntoIterator<Item = (impl AsRef<str>, impl AsRef<str>)>,
) -> Column {
    let entries = options
        .into_iter()
        .flat_map(|(k, v)| [lit(k.as_ref()), lit(v.as_ref())]);
    Column::function("map", entries)
}

/// A column from a SQL expression string, parsed by the server: `expr("length(name) > 3")`.
pub fn expr(sql: &str) -> Column {
    Column::from_expr_type(ExprType::ExpressionString(ex::ExpressionString {
        expression: sql.to_string(),
    }))
}

/// Calls a Spark SQL function by name; the escape hatch for functions without a wrapper.
pub fn call_function(name: &str, args: impl IntoIterator<Item = Column>) -> Column {
    Column::function(name, args)
}

/// Calls a user-defined function registered on the server (with
/// [`UdfRegistration::register_java_function`](crate::UdfRegistration::register_java_function),
/// in SQL, or by another client), by name; the same plan as PySpark's `call_udf`.
pub fn call_udf(udf_name: &str, args: impl IntoIterator<Item = Column>) -> Column {
    Column::function(udf_name, args)
}

/// `CASE WHEN condition THEN value`; chain more branches with [`Column::when`] and end with
/// [`Column::otherwise`]. Rows that match no branch get null.
pub fn when(condition: Column, value: impl IntoOperand) -> Column {
    Column::function("when", [condition, value.into_operand()])
}

/// The number of distinct combinations of the columns' values (`COUNT(DISTINCT ...)`): one
/// column or several, as [`IntoColumns`](crate::IntoColumns) (PySpark's
/// `count_distinct(col, *cols)`).
///
/// ```
/// use spark_connect_dataframe::functions::{col, count_distinct};
///
/// let one = count_distinct("name");
/// let same = count_distinct([col("name")]);
/// assert_eq!(one.to_proto(), same.to_proto());
/// let pairs = count_distinct(("name", col("dept")));
/// # let _ = pairs;
/// ```
pub fn count_distinct(cols: impl crate::IntoColumns) -> Column {
    Column::function_distinct("count", cols.into_columns())
}

/// The sum of the distinct values (`SUM(DISTINCT ...)`).
pub fn sum_distinct(col: impl Into<Column>) -> Column {
    Column::function_distinct("sum", [col.into()])
}

/// The distinct values joined into one string (`listagg(DISTINCT col)`).
pub fn listagg_distinct(col: impl Into<Column>) -> Column {
    Column::function_distinct("listagg", [col.into()])
}

/// The distinct values joined with `delimiter` (`listagg(DISTINCT col, delimiter)`).
pub fn listagg_distinct_with(col: impl Into<Column>, delimiter: impl IntoOperand) -> Column {
    Column::function_distinct("listagg", [col.into(), delimiter.into_operand()])
}

/// Same as [`listagg_distinct`] (Spark's `string_agg`).
pub fn string_agg_distinct(col: impl Into<Column>) -> Column {
    Column::function_distinct("string_agg", [col.into()])
}

/// Same as [`listagg_distinct_with`] (Spark's `string_agg`).
pub fn string_agg_distinct_with(col: impl Into<Column>, delimiter: impl IntoOperand) -> Column {
    Column::function_distinct("string_agg", [col.into(), delimiter.into_operand()])
}

/// Ascending sort order, nulls first; see [`Column::asc`].
pub fn asc(col: impl Into<Column>) -> Column {
    col.into().asc()
}

/// Ascending sort order, nulls first.
pub fn asc_nulls_first(col: impl Into<Column>) -> Column {
    col.into().asc_nulls_first()
}

/// Ascending sort order, nulls last.
pub fn asc_nulls_last(col: impl Into<Column>) -> Column {
    col.into().asc_nulls_last()
}

/// Descending sort order, nulls last; see [`Column::desc`].
pub fn desc(col: impl Into<Column>) -> Column {
    col.into().desc()
}

/// Descending sort order, nulls first.
pub fn desc_nulls_first(col: impl Into<Column>) -> Column {
    col.into().desc_nulls_first()
}

/// Descending sort order, nulls last.
pub fn desc_nulls_last(col: impl Into<Column>) -> Column {
    col.into().desc_nulls_last()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_of_several_columns_take_one_name_or_a_mixed_tuple() {
        // PySpark's coalesce("bonus", F.lit(0)), concat("a"), greatest("a", "b").
        assert_eq!(
            coalesce(("bonus", lit(0))).to_proto(),
            coalesce([col("bonus"), lit(0)]).to_proto()
        );
        assert_eq!(concat("a").to_proto(), concat([col("a")]).to_proto());
        assert_eq!(
            greatest(("a", String::from("b"))).to_proto(),
            greatest(["a", "b"]).to_proto()
        );
        let names = ["a", "b"];
        assert_eq!(
            array(names.iter().map(|n| col(n))).to_proto(),
            array(names).to_proto()
        );
        assert_eq!(
            count_distinct("a").to_proto(),
            count_distinct(vec![col("a")]).to_proto()
        );
    }

    fn function_name(c: &Column) -> &str {
        match &c.to_proto().expr_type {
            Some(ExprType::UnresolvedFunction(f)) => &f.function_name,
            other => panic!("not a function: {other:?}"),
        }
    }

    #[test]
    fn operators_emit_spark_function_names() {
        assert_eq!(function_name(&(col("a") + 1)), "+");
        assert_eq!(function_name(&(col("a") - 1)), "-");
        assert_eq!(function_name(&(col("a") * 1)), "*");
        assert_eq!(function_name(&(col("a") / 1)), "/");
        assert_eq!(function_name(&(col("a") % 3)), "%");
        assert_eq!(function_name(&-col("a")), "negative");
        assert_eq!(function_name(&!col("a")), "not");
        assert_eq!(function_name(&col("a").gt(1)), ">");
        assert_eq!(function_name(&col("a").eq("x")), "==");
        assert_eq!(function_name(&col("a").and(true)), "and");
        assert_eq!(function_name(&count(lit(1))), "count");
    }

    /// Names the registry sends that `SHOW FUNCTIONS` does not list, each with the reason it is
    /// still right.
    const NOT_IN_SPARKS_LIST: &[(&str, &str)] = &[
        // Partition transforms: the V2 write resolves them (`PARTITIONED BY (years(ts))`); they
        // are not functions of SQL expressions.
        ("bucket", "a partition transform of V2 writes"),
        ("days", "a partition transform of V2 writes"),
        ("hours", "a partition transform of V2 writes"),
        ("months", "a partition transform of V2 writes"),
        ("years", "a partition transform of V2 writes"),
        // Spark Connect's planner builds these itself from the function name (PySpark sends
        // the same names); SQL has them as syntax (`TIMESTAMPADD(unit, n, ts)`) or not at all.
        ("product", "built by the Spark Connect planner"),
        (
            "timestampadd",
            "SQL syntax, built by the Spark Connect planner",
        ),
        (
            "timestampdiff",
            "SQL syntax, built by the Spark Connect planner",
        ),
        ("unwrap_udt", "built by the Spark Connect planner"),
    ];

    /// Spark's function list (`SHOW FUNCTIONS` of the pinned release), from the file
    /// `cargo xtask gen-function-docs` writes.
    fn sparks_functions() -> Vec<&'static str> {
        let names: Vec<&str> = spark_docs::SPARK_FUNCTIONS
            .lines()
            .filter(|l| !l.is_empty())
            .collect();
        assert!(
            names.len() > 500,
            "spark_docs.rs lists {} functions",
            names.len()
        );
        names
    }

    /// What every call of the registry sends (the sample's function name, for the `_with` form
    /// too) is a function the pinned Spark lists, or one of the names above.
    #[test]
    fn every_function_calls_a_function_spark_has() {
        let spark = sparks_functions();
        let all = registry();
        assert!(all.len() > 450, "{} functions", all.len());
        let mut unknown = Vec::new();
        let mut check = |rust: &str, call: Column, arity: usize| {
            let Some(ExprType::UnresolvedFunction(f)) = &call.to_proto().expr_type else {
                panic!("{rust} is not a function call: {call:?}")
            };
            assert_eq!(f.arguments.len(), arity, "{rust}");
            let name = f.function_name.as_str();
            if !spark.contains(&name) && !NOT_IN_SPARKS_LIST.iter().any(|(n, _)| *n == name) {
                unknown.push(format!("{rust} calls `{name}`"));
            }
        };
        for info in all.iter().filter(|f| !f.spark_name().is_empty()) {
            check(info.name(), info.sample(), info.sample_arity());
            if let Some(with) = info.with_variant() {
                check(with.name(), with.sample(), with.sample_arity());
                // The plain form may send PySpark's defaults, never more than the `_with` form.
                assert!(
                    with.sample_arity() >= info.sample_arity(),
                    "{}",
                    with.name()
                );
                assert_eq!(with.name(), format!("{}_with", info.name()));
            }
        }
        assert!(
            unknown.is_empty(),
            "not in Spark's function list (spark_docs.rs) nor in NOT_IN_SPARKS_LIST: {unknown:?}"
        );
        // The exceptions are still needed: none of them is in Spark's list.
        for (name, _) in NOT_IN_SPARKS_LIST {
            assert!(
                !spark.contains(name),
                "{name} is in Spark's list now; drop the exception"
            );
        }
    }

    /// What is wrong with a function's doc: the old placeholder ("String function `x`."), only
    /// the link to Spark's reference as its summary, or no Rust example calling it.
    fn doc_problem(name: &str, spark_name: &str, doc: &str) -> Option<String> {
        let summary = doc.lines().next().unwrap_or_default().trim();
        let lower = doc.to_lowercase();
        let placeholder = [name, spark_name]
            .iter()
            .any(|n| lower.contains(&format!("function `{n}`.")));
        if placeholder || summary.is_empty() || summary.starts_with("Spark SQL ") {
            return Some(format!("{name}: no summary: {summary:?}"));
        }
        // A code line (not a comment) of a Rust code block after `# Examples` that calls it.
        let calls = doc.find("# Examples").is_some_and(|i| {
            doc[i..]
                .split("```")
                .skip(1)
                .step_by(2)
                .filter(|block| block.starts_with('\n'))
                .flat_map(str::lines)
                .filter(|line| !line.trim_start().starts_with(['/', '#']))
                .any(|line| {
                    line.contains(&format!(" {name}(")) || line.contains(&format!(" r#{name}("))
                })
        });
        (!calls).then(|| format!("{name}: no example calling it"))
    }

    /// Every generated function's doc has a summary (Spark's or a hand-written one, never the
    /// old placeholder) and a Rust example that calls it.
    #[test]
    fn every_generated_function_has_a_real_doc_and_an_example() {
        let bad: Vec<String> = registry()
            .iter()
            .filter(|f| !matches!(f.family(), Family::Core | Family::HigherOrder))
            .filter_map(|f| doc_problem(f.name(), f.spark_name(), f.doc()))
            .collect();
        assert!(
            bad.is_empty(),
            "run `cargo xtask gen-function-docs`, or write a summary in the table:\n{}",
            bad.join("\n")
        );
    }

    #[test]
    fn placeholder_docs_and_docs_without_examples_are_found() {
        let example = "\n# Examples\n\n```\nlet column = base64(lit(\"a\"));\n```\n";
        let good = format!("Converts to base 64.\nSpark SQL [`base64`](u).\n{example}");
        assert_eq!(doc_problem("base64", "base64", &good), None);
        let placeholder = format!("String function `base64`. Spark SQL [`base64`](u).\n{example}");
        assert!(doc_problem("base64", "base64", &placeholder).is_some());
        let bare = format!("Function `base64`. Spark SQL [`base64`](u).\n{example}");
        assert!(doc_problem("base64", "base64", &bare).is_some());
        let link_only = format!("Spark SQL [`base64`](u).\n{example}");
        assert!(doc_problem("base64", "base64", &link_only).is_some());
        let no_example = "Converts to base 64.\nSpark SQL [`base64`](u).";
        assert!(doc_problem("base64", "base64", no_example).is_some());
        let other_call = good.replace("base64(lit", "unbase64(lit");
        assert!(doc_problem("base64", "base64", &other_call).is_some());
        let only_in_a_comment = good.replace("let column = base64", "// SELECT base64");
        assert!(doc_problem("base64", "base64", &only_in_a_comment).is_some());
        let only_in_sql = "Converts.\n# Examples\n\n```sql\nSELECT base64('a');\n```\n";
        assert!(doc_problem("base64", "base64", only_in_sql).is_some());
        let sql_then_rust =
            format!("{only_in_sql}\nIn Rust:\n\n```\nlet c = base64(\"a\");\n```\n");
        assert_eq!(doc_problem("base64", "base64", &sql_then_rust), None);
    }

    /// docs/compatibility.md lists PySpark's functions; those marked `yes` must be exactly
    /// the registry, so the table and the code cannot drift apart.
    #[test]
    fn compatibility_doc_lists_every_function() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/compatibility.md");
        let doc = std::fs::read_to_string(path).expect("docs/compatibility.md");
        let start = doc
            .find("<!-- functions table")
            .expect("the functions table marker");
        let end = doc
            .find("<!-- end of functions table -->")
            .expect("the end marker");
        let mut yes = Vec::new();
        for line in doc[start..end].lines().filter(|l| l.starts_with("| `")) {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let name = cells[1].trim_matches('`');
            if cells[2] == "yes" {
                yes.push(name);
            }
        }
        yes.sort();
        let registry: Vec<&str> = registry().iter().map(|f| f.name()).collect();
        let missing: Vec<&&str> = registry.iter().filter(|n| !yes.contains(n)).collect();
        let extra: Vec<&&str> = yes.iter().filter(|n| !registry.contains(n)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "docs/compatibility.md disagrees with functions::registry(): not marked yes: \
             {missing:?}; marked yes but absent: {extra:?}"
        );
    }

    /// Every function whose PySpark signature (4.3) has optional parameters, and how Rust
    /// reaches them. The audit behind the `_with` convention: a function added to PySpark with
    /// optional parameters is added here, and the test says whether the `_with` form exists.
    const PYSPARK_OPTIONAL_PARAMETERS: &[(&str, &str)] = &[
        ("aes_decrypt", "mode, padding, aad"),
        ("aes_encrypt", "mode, padding, iv, aad"),
        ("aggregate", "finish"),
        ("any_value", "ignoreNulls"),
        ("approx_count_distinct", "rsd"),
        ("approx_percentile", "accuracy"),
        ("array_join", "null_replacement"),
        ("array_sort", "comparator"),
        ("assert_true", "errMsg"),
        ("bround", "scale"),
        ("btrim", "trim"),
        ("ceil", "scale"),
        ("ceiling", "scale"),
        ("count_min_sketch", "seed"),
        ("current_time", "precision"),
        ("first", "ignorenulls"),
        ("first_value", "ignoreNulls"),
        ("floor", "scale"),
        ("from_csv", "options"),
        ("from_json", "options"),
        ("from_unixtime", "format"),
        ("from_xml", "options"),
        ("hll_sketch_agg", "lgConfigK"),
        ("hll_union", "allowDifferentLgConfigK"),
        ("hll_union_agg", "allowDifferentLgConfigK"),
        ("ilike", "escapeChar"),
        ("instr", "start, occurrence"),
        ("kll_merge_agg_bigint", "k"),
        ("kll_merge_agg_double", "k"),
        ("kll_merge_agg_float", "k"),
        ("kll_sketch_agg_bigint", "k"),
        ("kll_sketch_agg_double", "k"),
        ("kll_sketch_agg_float", "k"),
        ("lag", "offset, default"),
        ("last", "ignorenulls"),
        ("last_value", "ignoreNulls"),
        ("lead", "offset, default"),
        ("levenshtein", "threshold"),
        ("like", "escapeChar"),
        ("listagg", "delimiter"),
        ("listagg_distinct", "delimiter"),
        ("locate", "pos"),
        ("log", "arg2"),
        ("ltrim", "trim"),
        ("make_timestamp", "timezone"),
        ("make_timestamp_ltz", "timezone"),
        ("mask", "upperChar, lowerChar, digitChar, otherChar"),
        ("max_by", "k"),
        ("min_by", "k"),
        ("mode", "deterministic"),
        ("months_between", "roundOff"),
        ("nth_value", "ignoreNulls"),
        ("overlay", "len"),
        ("parse_url", "key"),
        ("percentile", "frequency"),
        ("percentile_approx", "accuracy"),
        ("position", "start"),
        ("rand", "seed"),
        ("randn", "seed"),
        ("random", "seed"),
        ("randstr", "seed"),
        ("reduce", "finish"),
        ("regexp_extract_all", "idx"),
        ("regexp_instr", "idx"),
        ("regexp_replace", "position"),
        ("replace", "replace"),
        ("round", "scale"),
        ("rtrim", "trim"),
        ("schema_of_csv", "options"),
        ("schema_of_json", "options"),
        ("schema_of_xml", "options"),
        ("sentences", "language, country"),
        ("sequence", "step"),
        ("shuffle", "seed"),
        ("sort_array", "asc"),
        ("split", "limit"),
        ("st_asbinary", "endianness"),
        ("st_geomfromwkb", "srid"),
        ("str_to_map", "pairDelim, keyValueDelim"),
        ("string_agg", "delimiter"),
        ("string_agg_distinct", "delimiter"),
        ("substr", "len"),
        ("theta_sketch_agg", "lgNomEntries"),
        ("theta_union", "lgNomEntries"),
        ("theta_union_agg", "lgNomEntries"),
        ("time_bucket", "origin"),
        ("to_binary", "format"),
        ("to_csv", "options"),
        ("to_date", "format"),
        ("to_json", "options"),
        ("to_time", "format"),
        ("to_timestamp", "format"),
        ("to_timestamp_ltz", "format"),
        ("to_timestamp_ntz", "format"),
        ("to_unix_timestamp", "format"),
        ("to_xml", "options"),
        ("trim", "trim"),
        ("try_aes_decrypt", "mode, padding, aad"),
        ("try_make_timestamp", "timezone"),
        ("try_make_timestamp_ltz", "timezone"),
        ("try_parse_url", "key"),
        ("try_to_binary", "format"),
        ("try_to_date", "format"),
        ("try_to_time", "format"),
        ("try_to_timestamp", "format"),
        ("tuple_intersection_agg_double", "mode"),
        ("tuple_intersection_agg_integer", "mode"),
        ("tuple_intersection_double", "mode"),
        ("tuple_intersection_integer", "mode"),
        ("tuple_intersection_theta_double", "mode"),
        ("tuple_intersection_theta_integer", "mode"),
        ("tuple_sketch_agg_double", "lgNomEntries, mode"),
        ("tuple_sketch_agg_integer", "lgNomEntries, mode"),
        ("tuple_sketch_summary_double", "mode"),
        ("tuple_sketch_summary_integer", "mode"),
        ("tuple_union_agg_double", "lgNomEntries, mode"),
        ("tuple_union_agg_integer", "lgNomEntries, mode"),
        ("tuple_union_double", "lgNomEntries, mode"),
        ("tuple_union_integer", "lgNomEntries, mode"),
        ("tuple_union_theta_double", "lgNomEntries, mode"),
        ("tuple_union_theta_integer", "lgNomEntries, mode"),
        ("uniform", "seed"),
        ("unix_timestamp", "timestamp, format"),
        ("uuid", "seed"),
        ("window", "slideDuration, startTime"),
    ];

    /// Functions whose optional parameters take another form than `_with`: every parameter
    /// is optional in PySpark, and the one Rust function takes them all.
    const ALL_PARAMETERS_REQUIRED: &[&str] = &[
        "make_dt_interval",
        "make_interval",
        "make_ym_interval",
        "try_make_interval",
        "make_timestamp_ntz",
        "try_make_timestamp_ntz",
    ];

    #[test]
    fn every_optional_pyspark_argument_has_a_with_form() {
        let find = |name: &str| registry().iter().find(|f| f.name() == name);
        let mut missing = Vec::new();
        for (name, optional) in PYSPARK_OPTIONAL_PARAMETERS {
            match find(name).and_then(|f| f.with_variant()) {
                Some(with) => {
                    // Same number of optional parameters as PySpark.
                    let count = optional.split(", ").count();
                    assert_eq!(
                        with.optional_params().len(),
                        count,
                        "{name}_with: {optional}"
                    );
                }
                // array_sort_with takes a closure, which the generated table cannot say.
                None if *name == "array_sort" => {}
                None => missing.push(*name),
            }
        }
        assert!(missing.is_empty(), "no `_with` form: {missing:?}");
        for name in ALL_PARAMETERS_REQUIRED {
            assert!(find(name).is_some(), "{name} is not in the registry");
        }
    }

    #[test]
    fn registry_names_are_unique_and_sorted() {
        let names: Vec<&str> = registry().iter().map(|f| f.name()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn spark_names_that_differ_from_pyspark_names() {
        let spark = |name: &str| {
            registry()
                .iter()
                .find(|f| f.name() == name)
                .map(|f| f.spark_name())
                .unwrap_or_else(|| panic!("{name} not in the registry"))
        };
        assert_eq!(spark("create_map"), "map");
        assert_eq!(spark("mean"), "avg");
        assert_eq!(spark("bitwise_not"), "~");
        assert_eq!(spark("timestamp_add"), "timestampadd");
        assert_eq!(spark("struct"), "struct");
        assert_eq!(spark("typeof"), "typeof");
        assert_eq!(function_name(&r#struct(["a", "b"])), "struct");
    }

    #[test]
    fn value_arguments_are_literals_and_column_arguments_are_names() {
        let Some(ExprType::UnresolvedFunction(f)) = date_format("d", "yyyy").into_proto().expr_type
        else {
            panic!()
        };
        assert!(matches!(
            f.arguments[0].expr_type,
            Some(ExprType::UnresolvedAttribute(_))
        ));
        assert!(matches!(
            f.arguments[1].expr_type,
            Some(ExprType::Literal(_))
        ));
        let distinct = count_distinct(["a", "b"]).into_proto();
        let Some(ExprType::UnresolvedFunction(f)) = distinct.expr_type else {
            panic!()
        };
        assert!(f.is_distinct);
        assert_eq!(f.function_name, "count");
        assert_eq!(f.arguments.len(), 2);
    }

    #[test]
    fn when_chains_and_misuse_never_panics() {
        let c = when(col("a").gt(1), "big")
            .when(col("a").lt(0), "neg")
            .otherwise("small");
        let Some(ExprType::UnresolvedFunction(f)) = c.to_proto().expr_type.clone() else {
            panic!()
        };
        assert_eq!(f.function_name, "when");
        assert_eq!(f.arguments.len(), 5);
        assert_eq!(
            function_name(&col("a").otherwise(1)),
            "otherwise_without_when"
        );
        // A second otherwise has no branch to end.
        assert_eq!(function_name(&c.otherwise(2)), "otherwise_without_when");
    }

    #[test]
    fn strings_in_comparisons_are_text_not_column_names() {
        let cond = col("name").eq("alice").into_proto();
        let Some(ExprType::UnresolvedFunction(f)) = cond.expr_type else {
            panic!("not a function")
        };
        assert!(
            matches!(
                &f.arguments[1].expr_type,
                Some(ExprType::Literal(ex::Literal { literal_type: Some(ex::literal::LiteralType::String(s)), .. })) if s == "alice"
            ),
            "{:?}",
            f.arguments[1]
        );
    }

    #[test]
    fn star_and_nested_names() {
        assert!(matches!(
            col("*").to_proto().expr_type,
            Some(ExprType::UnresolvedStar(ex::UnresolvedStar {
                unparsed_target: None,
                ..
            }))
        ));
        match &col("s.*").to_proto().expr_type {
            Some(ExprType::UnresolvedStar(s)) => {
                assert_eq!(s.unparsed_target.as_deref(), Some("s.*"))
            }
            other => panic!("{other:?}"),
        }
        match &col("a.b").to_proto().expr_type {
            Some(ExprType::UnresolvedAttribute(a)) => assert_eq!(a.unparsed_identifier, "a.b"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn literals_keep_their_types() {
        use ex::literal::LiteralType as L;
        let lit_type = |c: Column| match c.into_proto().expr_type {
            Some(ExprType::Literal(l)) => l.literal_type.unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(lit_type(lit(1i8)), L::Byte(1));
        assert_eq!(lit_type(lit(1i16)), L::Short(1));
        assert_eq!(lit_type(lit(1)), L::Integer(1));
        assert_eq!(lit_type(lit(1i64)), L::Long(1));
        assert_eq!(lit_type(lit(1.5f32)), L::Float(1.5));
        assert_eq!(lit_type(lit(1.5)), L::Double(1.5));
        assert_eq!(lit_type(lit("x")), L::String("x".into()));
        assert_eq!(lit_type(lit(true)), L::Boolean(true));
    }
}
