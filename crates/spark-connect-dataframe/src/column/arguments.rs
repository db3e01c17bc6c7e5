//! Arguments as PySpark takes them: one column or name where a list is expected, names and
//! columns mixed, and PySpark's strings for join types.
//!
//! PySpark's list-taking methods are variadic (`df.select("id", col("x") + 1)`,
//! `df.groupBy("dept")`); here they take one argument that is a single item, an array, a
//! `Vec`, a slice, or a tuple whose items may differ in type (the way to mix names and
//! columns).

use crate::column::Column;

/// One column or several, for the methods that take columns (`select`, `group_by`,
/// `order_by`, `Window::partition_by`, ...):
///
/// * one name or column: `"id"`, a `String`, `col("x") + 1`;
/// * an array, `Vec` or slice of them: `["id", "name"]`, `[col("a"), col("b").desc()]`;
/// * a tuple, to mix names and columns: `("id", col("x") + 1)`, up to 12 items (or write
///   the array with `.into()`: `["id".into(), col("x") + 1]`);
/// * the columns an iterator's `map` makes: `names.iter().map(|n| col(n))` (any other
///   iterator: `.collect::<Vec<_>>()` first);
/// * `()`: no columns.
///
/// A string is always a column name here (`"a.b"` is the field `b` of the struct column `a`,
/// as in PySpark); use [`lit`](crate::functions::lit) for a text value and
/// [`expr`](crate::functions::expr) for SQL.
///
/// ```
/// # use spark_connect_dataframe::SparkSession;
/// use spark_connect_dataframe::functions::{col, max};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
/// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
/// let df = spark.range(0, 10);
/// let one = df.select("id");
/// let mixed = df.select(("id", (col("id") + 1).alias("next")));
/// let listed = df.select(["id", "id"]);
/// let totals = df.group_by(col("id") % 3).agg(max("id"));
/// # let _ = (one, mixed, listed, totals);
/// # Ok(())
/// # }
/// ```
pub trait IntoColumns {
    /// The columns, in order.
    fn into_columns(self) -> Vec<Column>;
}

impl IntoColumns for Column {
    fn into_columns(self) -> Vec<Column> {
        vec![self]
    }
}

impl IntoColumns for &Column {
    fn into_columns(self) -> Vec<Column> {
        vec![self.clone()]
    }
}

impl IntoColumns for &str {
    fn into_columns(self) -> Vec<Column> {
        vec![self.into()]
    }
}

impl IntoColumns for String {
    fn into_columns(self) -> Vec<Column> {
        vec![self.into()]
    }
}

impl IntoColumns for &String {
    fn into_columns(self) -> Vec<Column> {
        vec![self.into()]
    }
}

impl<T: Into<Column>, const N: usize> IntoColumns for [T; N] {
    fn into_columns(self) -> Vec<Column> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<Column> + Clone, const N: usize> IntoColumns for &[T; N] {
    fn into_columns(self) -> Vec<Column> {
        self.iter().cloned().map(Into::into).collect()
    }
}

impl<T: Into<Column>> IntoColumns for Vec<T> {
    fn into_columns(self) -> Vec<Column> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<Column> + Clone> IntoColumns for &Vec<T> {
    fn into_columns(self) -> Vec<Column> {
        self.iter().cloned().map(Into::into).collect()
    }
}

impl<T: Into<Column> + Clone> IntoColumns for &[T] {
    fn into_columns(self) -> Vec<Column> {
        self.iter().cloned().map(Into::into).collect()
    }
}

impl<I, F, T> IntoColumns for std::iter::Map<I, F>
where
    I: Iterator,
    F: FnMut(I::Item) -> T,
    T: Into<Column>,
{
    fn into_columns(self) -> Vec<Column> {
        self.map(Into::into).collect()
    }
}

/// One name or several, for the methods that take column names only (`drop`,
/// `drop_duplicates`, `describe`, the `subset` of `fillna`, the writers' `partition_by`,
/// ...) and for `select_expr`'s SQL strings:
///
/// * one: `"id"`, a `String`;
/// * an array, `Vec` or slice of them: `["a", "b"]`, `&names`;
/// * a tuple, to mix `&str` and `String`: `("a", name)`, up to 12 items;
/// * the names an iterator's `map` makes: `(1..4).map(|i| format!("c{i}"))` (any other
///   iterator: `.collect::<Vec<_>>()` first);
/// * `()`: none (for `subset`, all columns).
///
/// ```
/// # use spark_connect_dataframe::SparkSession;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
/// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
/// let df = spark.range(0, 10).with_column("x", spark_connect_dataframe::functions::lit(1));
/// let fewer = df.drop("x");
/// let unique = df.drop_duplicates(["id", "x"]);
/// let filled = df.fillna(0, ());
/// # let _ = (fewer, unique, filled);
/// # Ok(())
/// # }
/// ```
pub trait IntoNames {
    /// The names, in order.
    fn into_names(self) -> Vec<String>;
}

impl IntoNames for &str {
    fn into_names(self) -> Vec<String> {
        vec![self.to_string()]
    }
}

impl IntoNames for String {
    fn into_names(self) -> Vec<String> {
        vec![self]
    }
}

impl IntoNames for &String {
    fn into_names(self) -> Vec<String> {
        vec![self.clone()]
    }
}

impl<S: AsRef<str>, const N: usize> IntoNames for [S; N] {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|s| s.as_ref().to_string()).collect()
    }
}

impl<S: AsRef<str>, const N: usize> IntoNames for &[S; N] {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|s| s.as_ref().to_string()).collect()
    }
}

impl<S: AsRef<str>> IntoNames for Vec<S> {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|s| s.as_ref().to_string()).collect()
    }
}

impl<S: AsRef<str>> IntoNames for &Vec<S> {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|s| s.as_ref().to_string()).collect()
    }
}

impl<S: AsRef<str>> IntoNames for &[S] {
    fn into_names(self) -> Vec<String> {
        self.iter().map(|s| s.as_ref().to_string()).collect()
    }
}

impl<I, F, S> IntoNames for std::iter::Map<I, F>
where
    I: Iterator,
    F: FnMut(I::Item) -> S,
    S: AsRef<str>,
{
    fn into_names(self) -> Vec<String> {
        self.map(|s| s.as_ref().to_string()).collect()
    }
}

/// Tuples of columns and of names, `()` included.
macro_rules! tuples {
    ($(($($t:ident),*)),* $(,)?) => {$(
        impl<$($t: Into<Column>),*> IntoColumns for ($($t,)*) {
            #[allow(non_snake_case)]
            fn into_columns(self) -> Vec<Column> {
                let ($($t,)*) = self;
                vec![$($t.into()),*]
            }
        }

        impl<$($t: AsRef<str>),*> IntoNames for ($($t,)*) {
            #[allow(non_snake_case)]
            fn into_names(self) -> Vec<String> {
                let ($($t,)*) = self;
                vec![$($t.as_ref().to_string()),*]
            }
        }
    )*};
}

tuples!(
    (),
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H),
    (A, B, C, D, E, F, G, H, I),
    (A, B, C, D, E, F, G, H, I, J),
    (A, B, C, D, E, F, G, H, I, J, K),
    (A, B, C, D, E, F, G, H, I, J, K, L),
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::{col, lit};

    /// Columns compare by the expressions they send (a `Column` has no `PartialEq`).
    fn p(columns: Vec<Column>) -> Vec<crate::proto::Expression> {
        columns.into_iter().map(Column::into_proto).collect()
    }

    #[test]
    fn every_form_gives_the_columns_in_order() {
        let names = vec!["a".to_string(), "b".to_string()];
        let expected = p(vec![col("a"), col("b")]);
        assert_eq!(p("a".into_columns()), p(vec![col("a")]));
        assert_eq!(p(String::from("a").into_columns()), p(vec![col("a")]));
        assert_eq!(p((&names[0]).into_columns()), p(vec![col("a")]));
        assert_eq!(p(col("a").into_columns()), p(vec![col("a")]));
        assert_eq!(p((&col("a")).into_columns()), p(vec![col("a")]));
        assert_eq!(p(["a", "b"].into_columns()), expected);
        assert_eq!(p((&["a", "b"]).into_columns()), expected);
        assert_eq!(p(names.clone().into_columns()), expected);
        assert_eq!(p((&names).into_columns()), expected);
        assert_eq!(p(names.as_slice().into_columns()), expected);
        assert_eq!(p(names.iter().map(|n| col(n)).into_columns()), expected);
        assert_eq!(p(("a", col("b")).into_columns()), expected);
        assert_eq!(p(("a", String::from("b")).into_columns()), expected);
        assert_eq!(p(["a".into(), col("b")].into_columns()), expected);
        assert_eq!(p(().into_columns()), p(Vec::<Column>::new()));
        assert_eq!(
            p(("a", col("b") + lit(1)).into_columns()),
            p(vec![col("a"), col("b") + lit(1)])
        );
    }

    #[test]
    fn every_form_gives_the_names_in_order() {
        let names = vec!["a".to_string(), "b".to_string()];
        assert_eq!("a".into_names(), ["a"]);
        assert_eq!(String::from("a").into_names(), ["a"]);
        assert_eq!((&names[1]).into_names(), ["b"]);
        assert_eq!(["a", "b"].into_names(), names);
        assert_eq!((&["a", "b"]).into_names(), names);
        assert_eq!(names.clone().into_names(), names);
        assert_eq!((&names).into_names(), names);
        assert_eq!(names.as_slice().into_names(), names);
        assert_eq!(("a", String::from("b")).into_names(), names);
        assert_eq!(names.iter().map(|n| n.as_str()).into_names(), names);
        assert!(().into_names().is_empty());
    }
}
