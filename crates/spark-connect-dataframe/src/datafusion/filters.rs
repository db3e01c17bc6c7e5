//! DataFusion filters as Spark columns: which filters a scan hands to Spark, and whether Spark
//! then computes exactly what DataFusion would.
//!
//! A filter is translated only where both engines agree on its meaning:
//!
//! - **Exact**: the Spark filter keeps exactly the rows the DataFusion filter keeps (both use
//!   SQL's three-valued logic and keep rows where the condition is true), so DataFusion does
//!   not filter again.
//! - **Superset**: Spark keeps every row DataFusion would keep, perhaps more (a `float` `=`:
//!   whatever DataFusion finds equal Spark does too, but the two do not order every NaN
//!   alike). The filter is still sent, and DataFusion filters again (`Inexact`).
//! - anything else is not sent (`Unsupported`).
//!
//! `AND` keeps the weaker of its parts, and an `AND` with one part that cannot be sent sends
//! the other as a superset; `OR` needs both parts; `NOT` needs an exact part.

use datafusion_common::ScalarValue;
use datafusion_expr::expr::{Between, BinaryExpr, InList, Like};
use datafusion_expr::{Expr, Operator};
use df_arrow_schema::{DataType as DfType, TimeUnit};
use spark_connect_transport::proto::expression::literal::{Decimal, LiteralType};

use crate::column::{Column, Literal};
use crate::functions::{col, lit};
use crate::types::DataType as SparkType;

/// How faithfully Spark computes a translated filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Fidelity {
    /// Spark keeps at least the rows DataFusion keeps: DataFusion filters again.
    Superset,
    /// Spark keeps exactly the rows DataFusion keeps.
    Exact,
}

/// One column of the table as both engines see it.
#[derive(Debug, Clone)]
pub(crate) struct FieldInfo {
    /// The column's name, as in both schemas.
    pub name: String,
    /// DataFusion's (Arrow 59) type.
    pub arrow: DfType,
    /// Spark's type: collations and `char(n)` are not in the Arrow type.
    pub spark: SparkType,
}

/// The name quoted for Spark's parser, so that dots and backticks in it are not read as
/// nested fields or quotes.
pub(crate) fn quoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The kinds of values whose comparisons both engines define the same way (given the checks
/// on each kind in [`Translator`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Boolean,
    Integer,
    Float,
    Decimal,
    String,
    Binary,
    Date,
    /// An instant (Arrow timestamp with a zone, Spark `timestamp`).
    Timestamp,
    /// A wall-clock time (Arrow timestamp without a zone, Spark `timestamp_ntz`).
    TimestampNtz,
}

fn class_of(t: &DfType) -> Option<Class> {
    Some(match t {
        DfType::Boolean => Class::Boolean,
        DfType::Int8
        | DfType::Int16
        | DfType::Int32
        | DfType::Int64
        | DfType::UInt8
        | DfType::UInt16
        | DfType::UInt32
        | DfType::UInt64 => Class::Integer,
        DfType::Float32 | DfType::Float64 => Class::Float,
        DfType::Decimal128(_, scale) if *scale >= 0 => Class::Decimal,
        DfType::Utf8 | DfType::LargeUtf8 | DfType::Utf8View => Class::String,
        DfType::Binary | DfType::LargeBinary | DfType::BinaryView => Class::Binary,
        DfType::Date32 => Class::Date,
        DfType::Timestamp(TimeUnit::Microsecond, Some(_)) => Class::Timestamp,
        DfType::Timestamp(TimeUnit::Microsecond, None) => Class::TimestampNtz,
        _ => return None,
    })
}

/// Whether every value of `from` is a value of `to` that compares the same way: a cast
/// DataFusion's type coercion adds that Spark's own widening does too.
fn lossless_cast(from: &DfType, to: &DfType) -> bool {
    use DfType::*;
    fn int_width(t: &DfType) -> Option<u32> {
        match t {
            Int8 => Some(8),
            Int16 => Some(16),
            Int32 => Some(32),
            Int64 => Some(64),
            _ => None,
        }
    }
    if from == to {
        return true;
    }
    match (from, to) {
        (Float32, Float64) => true,
        (Utf8 | LargeUtf8 | Utf8View, Utf8 | LargeUtf8 | Utf8View) => true,
        (Binary | LargeBinary | BinaryView, Binary | LargeBinary | BinaryView) => true,
        (Decimal128(p1, s1), Decimal128(p2, s2)) => {
            *s1 >= 0 && s2 >= s1 && (*p2 as i16 - *s2 as i16) >= (*p1 as i16 - *s1 as i16)
        }
        (Timestamp(TimeUnit::Microsecond, Some(_)), Timestamp(TimeUnit::Microsecond, Some(_))) => {
            true
        }
        _ => match (int_width(from), int_width(to)) {
            (Some(a), Some(b)) => a <= b,
            _ => false,
        },
    }
}

/// A value in a comparison: a column or a literal.
struct Operand {
    column: Column,
    class: Class,
    /// Whether text compares byte by byte in Spark as in DataFusion: `false` for a column
    /// with a collation other than `UTF8_BINARY` or of type `char(n)` (padded to `n` when
    /// compared).
    binary_text: bool,
}

/// Translates DataFusion filters over one table's columns.
pub(crate) struct Translator<'a> {
    fields: &'a [FieldInfo],
}

impl<'a> Translator<'a> {
    pub(crate) fn new(fields: &'a [FieldInfo]) -> Self {
        Translator { fields }
    }

    /// The Spark condition for `filter` and how faithful it is; `None` when it cannot be sent.
    pub(crate) fn predicate(&self, filter: &Expr) -> Option<(Column, Fidelity)> {
        match filter {
            Expr::Alias(alias) => self.predicate(&alias.expr),
            Expr::Literal(ScalarValue::Boolean(Some(b)), _) => Some((lit(*b), Fidelity::Exact)),
            Expr::Column(_) => {
                let operand = self.operand(filter)?;
                (operand.class == Class::Boolean).then_some((operand.column, Fidelity::Exact))
            }
            Expr::Not(inner) => match self.predicate(inner)? {
                (c, Fidelity::Exact) => Some((!c, Fidelity::Exact)),
                // NOT of a superset is a subset: DataFusion would lose rows.
                (_, Fidelity::Superset) => None,
            },
            Expr::IsNull(inner) => Some((self.column_ref(inner)?.is_null(), Fidelity::Exact)),
            Expr::IsNotNull(inner) => {
                Some((self.column_ref(inner)?.is_not_null(), Fidelity::Exact))
            }
            Expr::BinaryExpr(BinaryExpr { left, op, right }) => match op {
                Operator::And => match (self.predicate(left), self.predicate(right)) {
                    (Some((l, fl)), Some((r, fr))) => Some((l.and(r), fl.min(fr))),
                    // The part that can be sent keeps at least the rows of the whole.
                    (Some((c, _)), None) | (None, Some((c, _))) => Some((c, Fidelity::Superset)),
                    (None, None) => None,
                },
                Operator::Or => {
                    let (l, fl) = self.predicate(left)?;
                    let (r, fr) = self.predicate(right)?;
                    Some((l.or(r), fl.min(fr)))
                }
                _ => self.comparison(left, *op, right),
            },
            Expr::InList(InList {
                expr,
                list,
                negated,
            }) => self.in_list(expr, list, *negated),
            Expr::Between(Between {
                expr,
                negated,
                low,
                high,
            }) => {
                let value = self.operand(expr)?;
                let low = self.operand(low)?;
                let high = self.operand(high)?;
                if low.class != value.class || high.class != value.class {
                    return None;
                }
                // An order on floats (-0.0, NaN) or on collated text is not DataFusion's.
                if !ordered_alike(&value) || !ordered_alike(&low) || !ordered_alike(&high) {
                    return None;
                }
                let between = value.column.between(low.column, high.column);
                Some((if *negated { !between } else { between }, Fidelity::Exact))
            }
            Expr::Like(like) => self.like(like),
            _ => None,
        }
    }

    /// A column of the table, of any type (for `IS NULL`).
    fn column_ref(&self, expr: &Expr) -> Option<Column> {
        match expr {
            Expr::Column(c) => {
                let field = self.fields.iter().find(|f| f.name == c.name)?;
                Some(col(&quoted(&field.name)))
            }
            _ => None,
        }
    }

    fn operand(&self, expr: &Expr) -> Option<Operand> {
        match expr {
            Expr::Column(c) => {
                let field = self.fields.iter().find(|f| f.name == c.name)?;
                let binary_text = match &field.spark {
                    SparkType::String { collation } => {
                        collation.is_empty() || collation.eq_ignore_ascii_case("UTF8_BINARY")
                    }
                    SparkType::VarChar(_) => true,
                    _ => false,
                };
                Some(Operand {
                    column: col(&quoted(&field.name)),
                    class: class_of(&field.arrow)?,
                    binary_text,
                })
            }
            Expr::Cast(cast) => self.widened(&cast.expr, cast.field.data_type()),
            Expr::TryCast(cast) => self.widened(&cast.expr, cast.field.data_type()),
            Expr::Literal(value, _) => literal(value),
            _ => None,
        }
    }

    /// A column under a cast that changes no value and no comparison: the column itself.
    fn widened(&self, inner: &Expr, to: &DfType) -> Option<Operand> {
        let Expr::Column(c) = inner else { return None };
        let field = self.fields.iter().find(|f| f.name == c.name)?;
        if !lossless_cast(&field.arrow, to) {
            return None;
        }
        let mut operand = self.operand(inner)?;
        operand.class = class_of(to)?;
        Some(operand)
    }

    fn comparison(&self, left: &Expr, op: Operator, right: &Expr) -> Option<(Column, Fidelity)> {
        let equality = matches!(op, Operator::Eq | Operator::IsNotDistinctFrom);
        if !matches!(
            op,
            Operator::Eq
                | Operator::NotEq
                | Operator::Lt
                | Operator::LtEq
                | Operator::Gt
                | Operator::GtEq
                | Operator::IsDistinctFrom
                | Operator::IsNotDistinctFrom
        ) {
            return None;
        }
        let l = self.operand(left)?;
        let r = self.operand(right)?;
        if l.class != r.class {
            return None;
        }
        let fidelity = if ordered_alike(&l) && ordered_alike(&r) {
            Fidelity::Exact
        } else if equality {
            // Values equal to DataFusion are equal to Spark too (Spark's float equality takes
            // -0.0 = 0.0 and every NaN equal; equal bytes are equal under any collation), but
            // Spark also finds 'a' = 'A' under UTF8_LCASE and 'a' = 'a  ' for char(3).
            Fidelity::Superset
        } else {
            return None;
        };
        let (l, r) = (l.column, r.column);
        let condition = match op {
            Operator::Eq => l.eq(r),
            Operator::NotEq => l.ne(r),
            Operator::Lt => l.lt(r),
            Operator::LtEq => l.le(r),
            Operator::Gt => l.gt(r),
            Operator::GtEq => l.ge(r),
            Operator::IsNotDistinctFrom => l.eq_null_safe(r),
            Operator::IsDistinctFrom => !l.eq_null_safe(r),
            _ => unreachable!("operators filtered above"),
        };
        Some((condition, fidelity))
    }

    fn in_list(&self, expr: &Expr, list: &[Expr], negated: bool) -> Option<(Column, Fidelity)> {
        let value = self.operand(expr)?;
        if list.is_empty() {
            return None;
        }
        let mut fidelity = if ordered_alike(&value) {
            Fidelity::Exact
        } else {
            Fidelity::Superset
        };
        let mut items = Vec::with_capacity(list.len());
        for item in list {
            let item = self.operand(item)?;
            if item.class != value.class {
                return None;
            }
            if !ordered_alike(&item) {
                fidelity = Fidelity::Superset;
            }
            items.push(item.column);
        }
        let isin = value.column.isin(items);
        match (negated, fidelity) {
            (false, f) => Some((isin, f)),
            (true, Fidelity::Exact) => Some((!isin, Fidelity::Exact)),
            (true, Fidelity::Superset) => None,
        }
    }

    fn like(&self, like: &Like) -> Option<(Column, Fidelity)> {
        // ILIKE: Spark lowercases with Java's rules, DataFusion with Unicode case folding.
        if like.case_insensitive {
            return None;
        }
        // Both read `\` as the escape character by default; another one is not sent.
        if !matches!(like.escape_char, None | Some('\\')) {
            return None;
        }
        let value = self.operand(&like.expr)?;
        if value.class != Class::String || !value.binary_text {
            return None;
        }
        let Expr::Literal(
            ScalarValue::Utf8(Some(pattern))
            | ScalarValue::LargeUtf8(Some(pattern))
            | ScalarValue::Utf8View(Some(pattern)),
            _,
        ) = like.pattern.as_ref()
        else {
            return None;
        };
        // Spark refuses `\` before anything but `_`, `%` and `\` (and a trailing one), where
        // DataFusion takes the next character literally: such patterns stay in DataFusion.
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            if c == '\\' && !matches!(chars.next(), Some('_' | '%' | '\\')) {
                return None;
            }
        }
        let matched = value.column.like(lit(pattern.as_str()));
        Some((
            if like.negated { !matched } else { matched },
            Fidelity::Exact,
        ))
    }
}

/// Whether `<`, `=` and the rest order this operand's values in Spark as in DataFusion:
/// not floats (Spark normalises: `-0.0 = 0.0`, every NaN equal to every NaN and above every
/// number; Arrow's kernels under DataFusion order floats by IEEE 754 total order, where a NaN
/// with its sign bit set is below every number; DataFusion 55 agrees with Spark on -0.0 and
/// on positive NaN, but no rule of either promises the rest), not text with a collation or
/// `char(n)` padding.
fn ordered_alike(operand: &Operand) -> bool {
    match operand.class {
        Class::Float => false,
        Class::String => operand.binary_text,
        _ => true,
    }
}

/// A literal both engines read as the same value; nulls are not sent (DataFusion simplifies
/// comparisons with null away).
fn literal(value: &ScalarValue) -> Option<Operand> {
    let class = class_of(&value.data_type())?;
    let column = match value {
        ScalarValue::Boolean(Some(v)) => lit(*v),
        ScalarValue::Int8(Some(v)) => lit(*v),
        ScalarValue::Int16(Some(v)) => lit(*v),
        ScalarValue::Int32(Some(v)) => lit(*v),
        ScalarValue::Int64(Some(v)) => lit(*v),
        ScalarValue::UInt8(Some(v)) => lit(i16::from(*v)),
        ScalarValue::UInt16(Some(v)) => lit(i32::from(*v)),
        ScalarValue::UInt32(Some(v)) => lit(i64::from(*v)),
        ScalarValue::UInt64(Some(v)) => lit(i64::try_from(*v).ok()?),
        ScalarValue::Float32(Some(v)) => lit(*v),
        ScalarValue::Float64(Some(v)) => lit(*v),
        ScalarValue::Utf8(Some(v))
        | ScalarValue::LargeUtf8(Some(v))
        | ScalarValue::Utf8View(Some(v)) => lit(v.as_str()),
        ScalarValue::Binary(Some(v))
        | ScalarValue::LargeBinary(Some(v))
        | ScalarValue::BinaryView(Some(v)) => lit(Literal::binary(v)),
        ScalarValue::Date32(Some(days)) => lit(Literal(LiteralType::Date(*days))),
        ScalarValue::TimestampMicrosecond(Some(micros), zone) => lit(Literal(match zone {
            Some(_) => LiteralType::Timestamp(*micros),
            None => LiteralType::TimestampNtz(*micros),
        })),
        ScalarValue::Decimal128(Some(unscaled), precision, scale) if *scale >= 0 => {
            lit(Literal(LiteralType::Decimal(Decimal {
                value: decimal_text(*unscaled, *scale as u32),
                precision: Some(i32::from(*precision)),
                scale: Some(i32::from(*scale)),
            })))
        }
        _ => return None,
    };
    Some(Operand {
        column,
        class,
        binary_text: true,
    })
}

/// `unscaled × 10^-scale` as the plain decimal text Spark's literal carries (`-1.05`).
fn decimal_text(unscaled: i128, scale: u32) -> String {
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    let scale = scale as usize;
    if scale == 0 {
        return format!("{sign}{digits}");
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (int, frac) = padded.split_at(padded.len() - scale);
    format!("{sign}{int}.{frac}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion_expr::{col as df_col, lit as df_lit};
    use std::sync::Arc;

    fn fields() -> Vec<FieldInfo> {
        let f = |name: &str, arrow: DfType, spark: SparkType| FieldInfo {
            name: name.into(),
            arrow,
            spark,
        };
        vec![
            f("i", DfType::Int32, SparkType::Integer),
            f("l", DfType::Int64, SparkType::Long),
            f("d", DfType::Float64, SparkType::Double),
            f("s", DfType::Utf8, SparkType::string()),
            f(
                "lc",
                DfType::Utf8,
                SparkType::String {
                    collation: "UTF8_LCASE".into(),
                },
            ),
            f("ch", DfType::Utf8, SparkType::Char(3)),
            f("b", DfType::Boolean, SparkType::Boolean),
            f("day", DfType::Date32, SparkType::Date),
            f(
                "at",
                DfType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                SparkType::Timestamp,
            ),
            f(
                "local",
                DfType::Timestamp(TimeUnit::Microsecond, None),
                SparkType::TimestampNtz,
            ),
            f(
                "amount",
                DfType::Decimal128(10, 2),
                SparkType::Decimal {
                    precision: 10,
                    scale: 2,
                },
            ),
            f("bytes", DfType::Binary, SparkType::Binary),
            f(
                "tags",
                DfType::List(Arc::new(df_arrow_schema::Field::new(
                    "element",
                    DfType::Utf8,
                    true,
                ))),
                SparkType::array(SparkType::string()),
            ),
            f("a.b", DfType::Int32, SparkType::Integer),
        ]
    }

    fn translate(e: &Expr) -> Option<(Column, Fidelity)> {
        let fields = fields();
        Translator::new(&fields).predicate(e)
    }

    #[track_caller]
    fn exact(e: Expr, expected: Column) {
        let (c, fidelity) = translate(&e).unwrap_or_else(|| panic!("{e} was not translated"));
        assert_eq!(fidelity, Fidelity::Exact, "{e}");
        assert_eq!(c.to_proto(), expected.to_proto(), "{e}");
    }

    #[track_caller]
    fn superset(e: Expr, expected: Column) {
        let (c, fidelity) = translate(&e).unwrap_or_else(|| panic!("{e} was not translated"));
        assert_eq!(fidelity, Fidelity::Superset, "{e}");
        assert_eq!(c.to_proto(), expected.to_proto(), "{e}");
    }

    #[track_caller]
    fn not_sent(e: Expr) {
        assert!(translate(&e).is_none(), "{e} must not be sent to Spark");
    }

    fn binary(l: Expr, op: Operator, r: Expr) -> Expr {
        Expr::BinaryExpr(BinaryExpr::new(Box::new(l), op, Box::new(r)))
    }

    fn c(name: &str) -> Column {
        col(&quoted(name))
    }

    #[test]
    fn comparisons_of_integers_text_dates_and_decimals_are_exact() {
        exact(df_col("i").eq(df_lit(5i32)), c("i").eq(5i32));
        exact(df_col("i").not_eq(df_lit(5i32)), c("i").ne(5i32));
        exact(df_col("l").lt(df_lit(5i64)), c("l").lt(5i64));
        exact(df_col("l").lt_eq(df_lit(5i64)), c("l").le(5i64));
        exact(df_col("l").gt(df_lit(5i64)), c("l").gt(5i64));
        exact(df_col("l").gt_eq(df_lit(5i64)), c("l").ge(5i64));
        exact(df_lit(5i64).lt(df_col("l")), lit(5i64).lt(c("l")));
        exact(df_col("s").gt_eq(df_lit("m")), c("s").ge("m"));
        exact(df_col("i").lt(df_col("l")), c("i").lt(c("l")));
        exact(
            df_col("s").eq(Expr::Literal(ScalarValue::Utf8View(Some("x".into())), None)),
            c("s").eq("x"),
        );
        exact(
            df_col("day").gt(Expr::Literal(ScalarValue::Date32(Some(19_000)), None)),
            c("day").gt(lit(Literal(LiteralType::Date(19_000)))),
        );
        exact(
            df_col("at").lt(Expr::Literal(
                ScalarValue::TimestampMicrosecond(Some(1_000_000), Some("UTC".into())),
                None,
            )),
            c("at").lt(lit(Literal(LiteralType::Timestamp(1_000_000)))),
        );
        exact(
            df_col("local").lt(Expr::Literal(
                ScalarValue::TimestampMicrosecond(Some(7), None),
                None,
            )),
            c("local").lt(lit(Literal(LiteralType::TimestampNtz(7)))),
        );
        exact(
            df_col("amount").gt(Expr::Literal(
                ScalarValue::Decimal128(Some(-105), 10, 2),
                None,
            )),
            c("amount").gt(lit(Literal(LiteralType::Decimal(Decimal {
                value: "-1.05".into(),
                precision: Some(10),
                scale: Some(2),
            })))),
        );
        exact(
            df_col("bytes").eq(Expr::Literal(
                ScalarValue::Binary(Some(b"PAR1".to_vec())),
                None,
            )),
            c("bytes").eq(Literal::binary(b"PAR1")),
        );
        exact(
            binary(df_col("i"), Operator::IsNotDistinctFrom, df_lit(1i32)),
            c("i").eq_null_safe(1i32),
        );
        exact(
            binary(df_col("i"), Operator::IsDistinctFrom, df_lit(1i32)),
            !c("i").eq_null_safe(1i32),
        );
    }

    #[test]
    fn names_are_quoted_for_spark() {
        exact(
            Expr::Column(datafusion_common::Column::from_name("a.b")).eq(df_lit(1i32)),
            col("`a.b`").eq(1i32),
        );
        assert_eq!(quoted("we`ird"), "`we``ird`");
    }

    #[test]
    fn boolean_logic_and_null_tests() {
        exact(
            df_col("i")
                .gt(df_lit(1i32))
                .and(df_col("s").eq(df_lit("x"))),
            c("i").gt(1i32).and(c("s").eq("x")),
        );
        exact(
            df_col("i").gt(df_lit(1i32)).or(df_col("s").is_null()),
            c("i").gt(1i32).or(c("s").is_null()),
        );
        exact(!df_col("i").gt(df_lit(1i32)), !c("i").gt(1i32));
        exact(df_col("b"), c("b"));
        exact(!df_col("b"), !c("b"));
        // Null tests work on columns of any type, nested ones too.
        exact(df_col("tags").is_not_null(), c("tags").is_not_null());
        exact(df_col("d").is_null(), c("d").is_null());
    }

    #[test]
    fn in_lists_between_and_like() {
        exact(
            df_col("i").in_list(vec![df_lit(1i32), df_lit(2i32)], false),
            c("i").isin([lit(1i32), lit(2i32)]),
        );
        exact(
            df_col("s").in_list(vec![df_lit("a"), df_lit("b")], true),
            !c("s").isin([lit("a"), lit("b")]),
        );
        exact(
            df_col("l").between(df_lit(1i64), df_lit(9i64)),
            c("l").between(lit(1i64), lit(9i64)),
        );
        exact(
            df_col("l").not_between(df_lit(1i64), df_lit(9i64)),
            !c("l").between(lit(1i64), lit(9i64)),
        );
        exact(df_col("s").like(df_lit("a%_")), c("s").like(lit("a%_")));
        exact(df_col("s").not_like(df_lit("a%")), !c("s").like(lit("a%")));
        exact(
            df_col("s").like(df_lit(r"100\%")),
            c("s").like(lit(r"100\%")),
        );
    }

    #[test]
    fn lossless_casts_of_columns_are_the_column() {
        use datafusion_expr::{cast, try_cast};
        exact(
            cast(df_col("i"), DfType::Int64).eq(df_lit(5i64)),
            c("i").eq(5i64),
        );
        exact(
            try_cast(df_col("s"), DfType::Utf8View).eq(df_lit("x")),
            c("s").eq("x"),
        );
        exact(
            cast(df_col("amount"), DfType::Decimal128(20, 4))
                .eq(Expr::Literal(ScalarValue::Decimal128(Some(1), 20, 4), None)),
            c("amount").eq(lit(Literal(LiteralType::Decimal(Decimal {
                value: "0.0001".into(),
                precision: Some(20),
                scale: Some(4),
            })))),
        );
    }

    #[test]
    fn floats_collations_and_char_are_only_supersets_for_equality() {
        superset(df_col("d").eq(df_lit(0.0f64)), c("d").eq(0.0f64));
        superset(
            df_col("d").in_list(vec![df_lit(1.0f64), df_lit(2.0f64)], false),
            c("d").isin([lit(1.0f64), lit(2.0f64)]),
        );
        superset(df_col("lc").eq(df_lit("a")), c("lc").eq("a"));
        superset(df_col("ch").eq(df_lit("a")), c("ch").eq("a"));
        // An AND keeps the weaker part; a part that cannot be sent leaves a superset.
        superset(
            df_col("i")
                .gt(df_lit(1i32))
                .and(df_col("d").eq(df_lit(1.0f64))),
            c("i").gt(1i32).and(c("d").eq(1.0f64)),
        );
        superset(
            df_col("i")
                .gt(df_lit(1i32))
                .and(df_col("d").lt(df_lit(1.0f64))),
            c("i").gt(1i32),
        );
    }

    #[test]
    fn forms_that_must_not_be_sent() {
        use datafusion_expr::{cast, try_cast};
        // Float order: -0.0 and NaN differ.
        not_sent(df_col("d").lt(df_lit(0.0f64)));
        not_sent(df_col("d").not_eq(df_lit(0.0f64)));
        not_sent(df_col("d").between(df_lit(0.0f64), df_lit(1.0f64)));
        not_sent(df_col("d").in_list(vec![df_lit(1.0f64)], true));
        // NOT of a superset would lose rows.
        not_sent(!df_col("d").eq(df_lit(0.0f64)));
        // Collations and char padding change order and LIKE.
        not_sent(df_col("lc").lt(df_lit("a")));
        not_sent(df_col("ch").gt(df_lit("a")));
        not_sent(df_col("lc").like(df_lit("a%")));
        // ILIKE, other escape characters, escapes Spark refuses.
        not_sent(df_col("s").ilike(df_lit("a%")));
        not_sent(Expr::Like(Like::new(
            false,
            Box::new(df_col("s")),
            Box::new(df_lit("a!%")),
            Some('!'),
            false,
        )));
        not_sent(df_col("s").like(df_lit(r"a\b")));
        not_sent(df_col("s").like(df_lit("a\\")));
        not_sent(df_col("s").like(df_col("s")));
        // Null literals, arithmetic, mixed kinds, narrowing or changing casts.
        not_sent(df_col("i").eq(Expr::Literal(ScalarValue::Int32(None), None)));
        not_sent((df_col("i") + df_lit(1i32)).gt(df_lit(2i32)));
        not_sent(df_col("s").eq(df_lit(1i32)));
        not_sent(cast(df_col("l"), DfType::Int32).eq(df_lit(1i32)));
        not_sent(cast(df_col("i"), DfType::Utf8).eq(df_lit("1")));
        not_sent(try_cast(df_col("s"), DfType::Int64).eq(df_lit(1i64)));
        not_sent(cast(df_col("i"), DfType::Float64).eq(df_lit(1.0f64)));
        // An OR needs both sides; an unknown column is not sent.
        not_sent(
            df_col("i")
                .gt(df_lit(1i32))
                .or(df_col("d").lt(df_lit(1.0f64))),
        );
        not_sent(df_col("nope").eq(df_lit(1i32)));
        // A non-boolean column is not a condition; nested types do not compare.
        not_sent(df_col("i"));
        not_sent(df_col("tags").eq(df_col("tags")));
        // Nanosecond timestamps and 256-bit decimals are not Spark's.
        not_sent(df_col("at").lt(Expr::Literal(
            ScalarValue::TimestampNanosecond(Some(1), Some("UTC".into())),
            None,
        )));
    }

    #[test]
    fn decimal_text_places_the_point() {
        assert_eq!(decimal_text(12345, 2), "123.45");
        assert_eq!(decimal_text(-5, 3), "-0.005");
        assert_eq!(decimal_text(7, 0), "7");
        assert_eq!(decimal_text(i128::MIN, 0), i128::MIN.to_string());
    }
}
