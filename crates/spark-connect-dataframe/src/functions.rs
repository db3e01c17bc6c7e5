//! Functions that make columns, with PySpark's names (`pyspark.sql.functions`) in snake_case.
//!
//! ```
//! use spark_connect_dataframe::functions::{col, expr, lit};
//!
//! let doubled = (col("id") * lit(2)).alias("twice");
//! let cond = col("id").gt(5).and(expr("id % 2 = 0"));
//! # let _ = (doubled, cond);
//! ```

use proto::expression::{self as ex, ExprType};
use spark_connect_transport::proto;

use crate::column::{Column, Literal};

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
        is_metadata_column: None,
    }))
}

/// Same as [`col`].
pub fn column(name: &str) -> Column {
    col(name)
}

/// A literal value: booleans, integers, floats, strings and byte vectors.
pub fn lit(value: impl Into<Literal>) -> Column {
    let Literal(literal_type) = value.into();
    Column::from_expr_type(ExprType::Literal(ex::Literal {
        literal_type: Some(literal_type),
        data_type: None,
    }))
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

/// The number of rows (`count(col)`), or of all rows with `count(lit(1))`.
pub fn count(col: impl Into<Column>) -> Column {
    Column::function("count", [col.into()])
}

/// The sum of a column.
pub fn sum(col: impl Into<Column>) -> Column {
    Column::function("sum", [col.into()])
}

#[cfg(test)]
mod tests {
    use super::*;

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
