//! Columns: unresolved expressions that the server resolves against a plan.

use std::ops;

use proto::expression::{self as ex, ExprType};
use spark_connect_transport::proto;

/// A column expression, such as `col("a") + lit(1)`.
///
/// The other side of an operator or comparison is an [`IntoOperand`]: a column, or a Rust
/// value taken as a literal; a string there is text, as in PySpark (`col("name").eq("alice")`
/// compares with the text `alice`). Where a list of columns is expected (`select`), a string is
/// a column name.
///
/// Columns are built locally and resolved by the server when the plan runs. Spark's
/// operators are Rust operators where Rust has them (`+ - * / % !` and unary `-`); comparisons
/// and boolean logic are methods (`gt`, `eq`, `and`, ...), because Rust's comparison traits
/// must return `bool`.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub(crate) expr: proto::Expression,
}

impl Column {
    pub(crate) fn from_expr_type(expr_type: ExprType) -> Column {
        Column {
            expr: proto::Expression {
                common: None,
                expr_type: Some(expr_type),
            },
        }
    }

    /// A call of the Spark function `name` with these arguments.
    pub(crate) fn function(name: &str, args: impl IntoIterator<Item = Column>) -> Column {
        Column::from_expr_type(ExprType::UnresolvedFunction(ex::UnresolvedFunction {
            function_name: name.to_string(),
            arguments: args.into_iter().map(|c| c.expr).collect(),
            is_distinct: false,
            is_user_defined_function: false,
            is_internal: None,
        }))
    }

    /// A call of the Spark aggregate `name` over distinct values (`count(DISTINCT ...)`).
    pub(crate) fn function_distinct(name: &str, args: impl IntoIterator<Item = Column>) -> Column {
        let mut column = Column::function(name, args);
        if let Some(ExprType::UnresolvedFunction(f)) = &mut column.expr.expr_type {
            f.is_distinct = true;
        }
        column
    }

    fn binary(self, name: &str, other: impl IntoOperand) -> Column {
        Column::function(name, [self, other.into_operand()])
    }

    /// The protocol expression.
    pub fn to_proto(&self) -> &proto::Expression {
        &self.expr
    }

    /// Consumes the column and returns the protocol expression.
    pub fn into_proto(self) -> proto::Expression {
        self.expr
    }

    /// Gives the column a name (`AS`).
    pub fn alias(self, name: &str) -> Column {
        Column::from_expr_type(ExprType::Alias(Box::new(ex::Alias {
            expr: Some(Box::new(self.expr)),
            name: vec![name.to_string()],
            metadata: None,
        })))
    }

    /// Casts to a type given in Spark's DDL syntax, e.g. `"decimal(10,2)"`.
    pub fn cast(self, type_ddl: &str) -> Column {
        Column::from_expr_type(ExprType::Cast(Box::new(ex::Cast {
            expr: Some(Box::new(self.expr)),
            eval_mode: ex::cast::EvalMode::Unspecified as i32,
            cast_to_type: Some(ex::cast::CastToType::TypeStr(type_ddl.to_string())),
        })))
    }

    /// `self = other`.
    pub fn eq(self, other: impl IntoOperand) -> Column {
        self.binary("==", other)
    }
    /// `self <> other`.
    pub fn ne(self, other: impl IntoOperand) -> Column {
        !self.eq(other)
    }
    /// `self > other`.
    pub fn gt(self, other: impl IntoOperand) -> Column {
        self.binary(">", other)
    }
    /// `self >= other`.
    pub fn ge(self, other: impl IntoOperand) -> Column {
        self.binary(">=", other)
    }
    /// `self < other`.
    pub fn lt(self, other: impl IntoOperand) -> Column {
        self.binary("<", other)
    }
    /// `self <= other`.
    pub fn le(self, other: impl IntoOperand) -> Column {
        self.binary("<=", other)
    }
    /// `self AND other`.
    pub fn and(self, other: impl IntoOperand) -> Column {
        self.binary("and", other)
    }
    /// `self OR other`.
    pub fn or(self, other: impl IntoOperand) -> Column {
        self.binary("or", other)
    }
    /// `self <=> other`: equality where two nulls are equal and null never results.
    pub fn eq_null_safe(self, other: impl IntoOperand) -> Column {
        self.binary("<=>", other)
    }
    /// Bitwise AND.
    pub fn bitwise_and(self, other: impl IntoOperand) -> Column {
        self.binary("&", other)
    }
    /// Bitwise OR.
    pub fn bitwise_or(self, other: impl IntoOperand) -> Column {
        self.binary("|", other)
    }
    /// Bitwise XOR.
    pub fn bitwise_xor(self, other: impl IntoOperand) -> Column {
        self.binary("^", other)
    }
    /// `self IS NULL`.
    pub fn is_null(self) -> Column {
        Column::function("isNull", [self])
    }
    /// `self IS NOT NULL`.
    pub fn is_not_null(self) -> Column {
        Column::function("isNotNull", [self])
    }
    /// Whether the value is NaN.
    pub fn is_nan(self) -> Column {
        Column::function("isNaN", [self])
    }

    /// Same as [`alias`](Self::alias).
    pub fn name(self, name: &str) -> Column {
        self.alias(name)
    }

    /// Same as [`cast`](Self::cast).
    pub fn astype(self, type_ddl: &str) -> Column {
        self.cast(type_ddl)
    }

    /// Casts to a type in Spark's DDL syntax, giving null where the value does not convert
    /// (instead of an error under ANSI mode).
    pub fn try_cast(self, type_ddl: &str) -> Column {
        Column::from_expr_type(ExprType::Cast(Box::new(ex::Cast {
            expr: Some(Box::new(self.expr)),
            eval_mode: ex::cast::EvalMode::Try as i32,
            cast_to_type: Some(ex::cast::CastToType::TypeStr(type_ddl.to_string())),
        })))
    }

    /// Casts to a [`DataType`](crate::DataType).
    pub fn cast_to(self, data_type: &crate::DataType) -> Column {
        self.cast(&data_type.ddl())
    }

    /// `self IN (values...)`: values are literals (strings are text) or columns.
    pub fn isin<V: IntoOperand>(self, values: impl IntoIterator<Item = V>) -> Column {
        let args = std::iter::once(self).chain(values.into_iter().map(IntoOperand::into_operand));
        Column::function("in", args)
    }

    /// `lower <= self AND self <= upper`.
    pub fn between(self, lower: impl IntoOperand, upper: impl IntoOperand) -> Column {
        self.clone().ge(lower).and(self.le(upper))
    }

    /// SQL `LIKE` with `_` and `%` wildcards.
    pub fn like(self, pattern: impl IntoOperand) -> Column {
        self.binary("like", pattern)
    }
    /// Case-insensitive `LIKE`.
    pub fn ilike(self, pattern: impl IntoOperand) -> Column {
        self.binary("ilike", pattern)
    }
    /// Matches a Java regular expression anywhere in the string.
    pub fn rlike(self, pattern: impl IntoOperand) -> Column {
        self.binary("rlike", pattern)
    }
    /// Whether the string starts with `prefix`.
    pub fn startswith(self, prefix: impl IntoOperand) -> Column {
        self.binary("startsWith", prefix)
    }
    /// Whether the string ends with `suffix`.
    pub fn endswith(self, suffix: impl IntoOperand) -> Column {
        self.binary("endsWith", suffix)
    }
    /// Whether the string contains `other`.
    pub fn contains(self, other: impl IntoOperand) -> Column {
        self.binary("contains", other)
    }
    /// The substring from the 1-based position `start`, `length` characters long.
    pub fn substr(self, start: impl IntoOperand, length: impl IntoOperand) -> Column {
        Column::function(
            "substr",
            [self, start.into_operand(), length.into_operand()],
        )
    }

    /// The element at `key` of an array (0-based) or map, or the field `key` of a struct.
    pub fn get_item(self, key: impl IntoOperand) -> Column {
        Column::from_expr_type(ExprType::UnresolvedExtractValue(Box::new(
            ex::UnresolvedExtractValue {
                child: Some(Box::new(self.expr)),
                extraction: Some(Box::new(key.into_operand().expr)),
            },
        )))
    }

    /// The field `name` of a struct.
    pub fn get_field(self, name: &str) -> Column {
        self.get_item(name)
    }

    /// The struct with the field `name` added or replaced.
    pub fn with_field(self, name: &str, value: impl Into<Column>) -> Column {
        Column::from_expr_type(ExprType::UpdateFields(Box::new(ex::UpdateFields {
            struct_expression: Some(Box::new(self.expr)),
            field_name: name.to_string(),
            value_expression: Some(Box::new(value.into().expr)),
        })))
    }

    /// The struct without the named fields.
    pub fn drop_fields<S: AsRef<str>>(self, names: impl IntoIterator<Item = S>) -> Column {
        names.into_iter().fold(self, |c, name| {
            Column::from_expr_type(ExprType::UpdateFields(Box::new(ex::UpdateFields {
                struct_expression: Some(Box::new(c.expr)),
                field_name: name.as_ref().to_string(),
                value_expression: None,
            })))
        })
    }

    /// Adds a branch to a column made by [`when`](crate::functions::when).
    ///
    /// On any other column the result is a call of a function named `when_without_when`,
    /// which the server reports as unresolved: building a plan never panics.
    pub fn when(self, condition: Column, value: impl IntoOperand) -> Column {
        self.extend_when([condition, value.into_operand()], "when_without_when")
    }

    /// The value of a column made by [`when`](crate::functions::when) for rows that match
    /// no branch.
    ///
    /// On any other column the result is a call of a function named `otherwise_without_when`,
    /// which the server reports as unresolved: building a plan never panics.
    pub fn otherwise(self, value: impl IntoOperand) -> Column {
        self.extend_when([value.into_operand()], "otherwise_without_when")
    }

    fn extend_when<const N: usize>(mut self, more: [Column; N], misuse: &str) -> Column {
        match &mut self.expr.expr_type {
            // An even number of arguments: branches only, no ELSE yet.
            Some(ExprType::UnresolvedFunction(f))
                if f.function_name == "when" && f.arguments.len() % 2 == 0 =>
            {
                f.arguments.extend(more.into_iter().map(|c| c.expr));
                self
            }
            _ => Column::function(misuse, std::iter::once(self).chain(more)),
        }
    }

    fn sort_order(
        self,
        direction: ex::sort_order::SortDirection,
        nulls: ex::sort_order::NullOrdering,
    ) -> Column {
        let child = match self.expr.expr_type {
            // Re-sorting a sort order replaces it, as in PySpark.
            Some(ExprType::SortOrder(s)) => s.child,
            _ => Some(Box::new(self.expr)),
        };
        Column::from_expr_type(ExprType::SortOrder(Box::new(ex::SortOrder {
            child,
            direction: direction as i32,
            null_ordering: nulls as i32,
        })))
    }

    /// Ascending sort order, nulls first (Spark's default).
    pub fn asc(self) -> Column {
        self.asc_nulls_first()
    }
    /// Ascending sort order, nulls first.
    pub fn asc_nulls_first(self) -> Column {
        self.sort_order(
            ex::sort_order::SortDirection::Ascending,
            ex::sort_order::NullOrdering::SortNullsFirst,
        )
    }
    /// Ascending sort order, nulls last.
    pub fn asc_nulls_last(self) -> Column {
        self.sort_order(
            ex::sort_order::SortDirection::Ascending,
            ex::sort_order::NullOrdering::SortNullsLast,
        )
    }
    /// Descending sort order, nulls last (Spark's default).
    pub fn desc(self) -> Column {
        self.desc_nulls_last()
    }
    /// Descending sort order, nulls first.
    pub fn desc_nulls_first(self) -> Column {
        self.sort_order(
            ex::sort_order::SortDirection::Descending,
            ex::sort_order::NullOrdering::SortNullsFirst,
        )
    }
    /// Descending sort order, nulls last.
    pub fn desc_nulls_last(self) -> Column {
        self.sort_order(
            ex::sort_order::SortDirection::Descending,
            ex::sort_order::NullOrdering::SortNullsLast,
        )
    }

    /// The column as a sort order: itself when it is one, else ascending with nulls first.
    pub(crate) fn into_sort_order(self) -> ex::SortOrder {
        match self.expr.expr_type {
            Some(ExprType::SortOrder(s)) => *s,
            expr_type => ex::SortOrder {
                child: Some(Box::new(proto::Expression {
                    common: self.expr.common,
                    expr_type,
                })),
                direction: ex::sort_order::SortDirection::Ascending as i32,
                null_ordering: ex::sort_order::NullOrdering::SortNullsFirst as i32,
            },
        }
    }

    /// Marks a reference to the outer query's column in a lateral join's right side
    /// (`col("l.id").outer()`). Spark Connect resolves such names against the outer plan,
    /// so the expression is unchanged, as in PySpark.
    pub fn outer(self) -> Column {
        self
    }

    /// `f(self)`: applies a function that builds a column, for chaining
    /// (`col("s").transform(normalize)`).
    pub fn transform(self, f: impl FnOnce(Column) -> Column) -> Column {
        f(self)
    }

    /// The window function evaluated over `window`: `row_number().over(&w)`.
    pub fn over(self, window: &crate::WindowSpec) -> Column {
        window.apply(self)
    }
}

macro_rules! arithmetic {
    ($trait:ident, $method:ident, $spark:literal) => {
        impl<T: IntoOperand> ops::$trait<T> for Column {
            type Output = Column;
            fn $method(self, rhs: T) -> Column {
                self.binary($spark, rhs)
            }
        }
    };
}
arithmetic!(Add, add, "+");
arithmetic!(Sub, sub, "-");
arithmetic!(Mul, mul, "*");
arithmetic!(Div, div, "/");
arithmetic!(Rem, rem, "%");

impl ops::Neg for Column {
    type Output = Column;
    fn neg(self) -> Column {
        Column::function("negative", [self])
    }
}

impl ops::Not for Column {
    type Output = Column;
    fn not(self) -> Column {
        Column::function("not", [self])
    }
}

/// A column name is a column: `df.select(["a", "b"])`.
impl From<&str> for Column {
    fn from(name: &str) -> Column {
        crate::functions::col(name)
    }
}

impl From<String> for Column {
    fn from(name: String) -> Column {
        crate::functions::col(&name)
    }
}

impl From<&String> for Column {
    fn from(name: &String) -> Column {
        crate::functions::col(name)
    }
}

/// The other side of an operator or comparison: a [`Column`], or a value taken as a literal
/// (numbers, booleans, strings, byte vectors).
pub trait IntoOperand {
    /// The operand as a column.
    fn into_operand(self) -> Column;
}

impl IntoOperand for Column {
    fn into_operand(self) -> Column {
        self
    }
}

impl<T: Into<Literal>> IntoOperand for T {
    fn into_operand(self) -> Column {
        crate::functions::lit(self)
    }
}

/// A literal value for [`lit`](crate::functions::lit).
#[derive(Debug, Clone, PartialEq)]
pub struct Literal(pub(crate) ex::literal::LiteralType);

macro_rules! literal_from {
    ($($ty:ty => $variant:ident $(as $cast:ty)?),* $(,)?) => {$(
        impl From<$ty> for Literal {
            fn from(v: $ty) -> Literal {
                Literal(ex::literal::LiteralType::$variant(v $(as $cast)?))
            }
        }
        /// A Rust value used where a column is expected is a literal.
        impl From<$ty> for Column {
            fn from(v: $ty) -> Column {
                crate::functions::lit(v)
            }
        }
    )*};
}
literal_from!(
    bool => Boolean,
    i8 => Byte as i32,
    i16 => Short as i32,
    i32 => Integer,
    i64 => Long,
    f32 => Float,
    f64 => Double,
);

impl From<&str> for Literal {
    fn from(v: &str) -> Literal {
        Literal(ex::literal::LiteralType::String(v.to_string()))
    }
}

impl From<String> for Literal {
    fn from(v: String) -> Literal {
        Literal(ex::literal::LiteralType::String(v))
    }
}

impl From<Vec<u8>> for Literal {
    fn from(v: Vec<u8>) -> Literal {
        Literal(ex::literal::LiteralType::Binary(v.into()))
    }
}

/// A condition for [`DataFrame::filter`](crate::DataFrame::filter): a [`Column`], or a SQL
/// expression string such as `"age > 21"` (as in PySpark).
pub trait IntoCondition {
    /// The condition as a column.
    fn into_condition(self) -> Column;
}

impl IntoCondition for Column {
    fn into_condition(self) -> Column {
        self
    }
}

impl IntoCondition for &str {
    fn into_condition(self) -> Column {
        crate::functions::expr(self)
    }
}

impl IntoCondition for String {
    fn into_condition(self) -> Column {
        crate::functions::expr(&self)
    }
}
