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
    /// `self IS NULL`.
    pub fn is_null(self) -> Column {
        Column::function("isnull", [self])
    }
    /// `self IS NOT NULL`.
    pub fn is_not_null(self) -> Column {
        Column::function("isnotnull", [self])
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
