//! Higher-order functions: the lambda is a Rust closure from [`Column`]s to a [`Column`].
//!
//! ```
//! use spark_connect_dataframe::functions::{aggregate, col, filter, lit, transform};
//!
//! let doubled = transform("xs", |x| x * 2);
//! let even = filter("xs", |x| (x % 2).eq(0));
//! let total = aggregate("xs", lit(0i64), |acc, x| acc + x);
//! # let _ = (doubled, even, total);
//! ```
//!
//! The closure runs once, locally, when the column is built: it receives placeholder
//! columns for the lambda's variables and returns the body. An invalid body (an unknown
//! column, a wrong type) is reported by the server when the plan runs.

use std::sync::atomic::{AtomicU64, Ordering};

use proto::expression::{self as ex, ExprType};
use spark_connect_transport::proto;

use crate::column::Column;

/// Lambda variable names are unique per process, as PySpark makes them, so nested lambdas
/// never capture each other's variables.
static NEXT_VARIABLE: AtomicU64 = AtomicU64::new(0);

fn variable(name: &str) -> ex::UnresolvedNamedLambdaVariable {
    let id = NEXT_VARIABLE.fetch_add(1, Ordering::Relaxed);
    ex::UnresolvedNamedLambdaVariable {
        name_parts: vec![format!("{name}_{id}")],
    }
}

fn lambda(names: &[&str], body: impl FnOnce(Vec<Column>) -> Column) -> Column {
    let variables: Vec<ex::UnresolvedNamedLambdaVariable> =
        names.iter().map(|n| variable(n)).collect();
    let columns = variables
        .iter()
        .map(|v| Column::from_expr_type(ExprType::UnresolvedNamedLambdaVariable(v.clone())))
        .collect();
    let function = body(columns).into_proto();
    Column::from_expr_type(ExprType::LambdaFunction(Box::new(ex::LambdaFunction {
        function: Some(Box::new(function)),
        arguments: variables,
    })))
}

fn lambda1(f: impl FnOnce(Column) -> Column) -> Column {
    lambda(&["x"], |mut v| {
        let x = v.remove(0);
        f(x)
    })
}

fn lambda2(f: impl FnOnce(Column, Column) -> Column) -> Column {
    lambda(&["x", "y"], |mut v| {
        let y = v.remove(1);
        let x = v.remove(0);
        f(x, y)
    })
}

fn lambda3(f: impl FnOnce(Column, Column, Column) -> Column) -> Column {
    lambda(&["x", "y", "z"], |mut v| {
        let z = v.remove(2);
        let y = v.remove(1);
        let x = v.remove(0);
        f(x, y, z)
    })
}

/// Applies `f` to each element of an array: `transform("xs", |x| x + 1)`.
pub fn transform(col: impl Into<Column>, f: impl FnOnce(Column) -> Column) -> Column {
    Column::function("transform", [col.into(), lambda1(f)])
}

/// Applies `f` to each element and its 0-based index: `|x, i| x * i`.
pub fn transform_with_index(
    col: impl Into<Column>,
    f: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::function("transform", [col.into(), lambda2(f)])
}

/// The elements of an array for which `f` holds.
pub fn filter(col: impl Into<Column>, f: impl FnOnce(Column) -> Column) -> Column {
    Column::function("filter", [col.into(), lambda1(f)])
}

/// The elements for which `f(element, index)` holds.
pub fn filter_with_index(
    col: impl Into<Column>,
    f: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::function("filter", [col.into(), lambda2(f)])
}

/// Whether `f` holds for some element.
pub fn exists(col: impl Into<Column>, f: impl FnOnce(Column) -> Column) -> Column {
    Column::function("exists", [col.into(), lambda1(f)])
}

/// Whether `f` holds for every element.
pub fn forall(col: impl Into<Column>, f: impl FnOnce(Column) -> Column) -> Column {
    Column::function("forall", [col.into(), lambda1(f)])
}

/// Folds the elements into `initial` with `merge(accumulator, element)`.
pub fn aggregate(
    col: impl Into<Column>,
    initial: impl Into<Column>,
    merge: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::function("aggregate", [col.into(), initial.into(), lambda2(merge)])
}

/// [`aggregate`] with PySpark's optional argument `finish`, applied to the result.
pub fn aggregate_with(
    col: impl Into<Column>,
    initial: impl Into<Column>,
    merge: impl FnOnce(Column, Column) -> Column,
    finish: impl FnOnce(Column) -> Column,
) -> Column {
    Column::function(
        "aggregate",
        [col.into(), initial.into(), lambda2(merge), lambda1(finish)],
    )
}

/// Same as [`aggregate`] (Spark's `reduce`).
pub fn reduce(
    col: impl Into<Column>,
    initial: impl Into<Column>,
    merge: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::function("reduce", [col.into(), initial.into(), lambda2(merge)])
}

/// Same as [`aggregate_with`] (Spark's `reduce`).
pub fn reduce_with(
    col: impl Into<Column>,
    initial: impl Into<Column>,
    merge: impl FnOnce(Column, Column) -> Column,
    finish: impl FnOnce(Column) -> Column,
) -> Column {
    Column::function(
        "reduce",
        [col.into(), initial.into(), lambda2(merge), lambda1(finish)],
    )
}

/// PySpark's `array_sort(col, comparator)`: sorts an array with `comparator(left, right)`,
/// a negative integer, 0 or a positive integer as `left` sorts before, with or after `right`
/// ([`array_sort`](super::array_sort) without it).
///
/// ```
/// use spark_connect_dataframe::functions::{array_sort_with, length};
///
/// // Longest string first.
/// let sorted = array_sort_with("words", |l, r| length(r) - length(l));
/// # let _ = sorted;
/// ```
pub fn array_sort_with(
    col: impl Into<Column>,
    comparator: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::function("array_sort", [col.into(), lambda2(comparator)])
}

/// Combines two arrays element by element with `f(left, right)`; the shorter is padded
/// with nulls.
pub fn zip_with(
    left: impl Into<Column>,
    right: impl Into<Column>,
    f: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::function("zip_with", [left.into(), right.into(), lambda2(f)])
}

/// The entries of a map for which `f(key, value)` holds.
pub fn map_filter(col: impl Into<Column>, f: impl FnOnce(Column, Column) -> Column) -> Column {
    Column::function("map_filter", [col.into(), lambda2(f)])
}

/// A map with each key replaced by `f(key, value)`.
pub fn transform_keys(col: impl Into<Column>, f: impl FnOnce(Column, Column) -> Column) -> Column {
    Column::function("transform_keys", [col.into(), lambda2(f)])
}

/// A map with each value replaced by `f(key, value)`.
pub fn transform_values(
    col: impl Into<Column>,
    f: impl FnOnce(Column, Column) -> Column,
) -> Column {
    Column::function("transform_values", [col.into(), lambda2(f)])
}

/// Merges two maps key by key with `f(key, value1, value2)` (a missing value is null).
pub fn map_zip_with(
    col1: impl Into<Column>,
    col2: impl Into<Column>,
    f: impl FnOnce(Column, Column, Column) -> Column,
) -> Column {
    Column::function("map_zip_with", [col1.into(), col2.into(), lambda3(f)])
}
