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
/// operators are Rust operators where Rust has them: `+ - * / %`, unary `-`, `!` for `NOT`
/// and, as in PySpark, `&` for `AND` and `|` for `OR`. Comparisons are methods (`gt`, `eq`,
/// `ne`, ...), because Rust's comparison traits must return a Rust `bool`.
///
/// ```
/// use spark_connect_dataframe::functions::col;
///
/// // PySpark: (F.col("age") > 21) & (F.col("country") == "NL") | F.col("vip")
/// let cond = col("age").gt(21) & col("country").eq("NL") | col("vip");
/// # let _ = cond;
/// ```
///
/// # What does not compile
///
/// A comparison with Rust's operators would be computed by Rust, not by Spark: `==` on two
/// columns could only give a constant `false`. So `Column` has no `PartialEq` or
/// `PartialOrd`, and a Rust `bool` never turns into a column by itself: each of these is a
/// compile error, not a wrong result.
///
/// ```compile_fail,E0369
/// # use spark_connect_dataframe::functions::col;
/// let same = col("a") == col("b"); // use col("a").eq(col("b"))
/// ```
///
/// ```compile_fail,E0369
/// # use spark_connect_dataframe::functions::col;
/// let differ = col("a") != col("b"); // use col("a").ne(col("b"))
/// ```
///
/// ```compile_fail,E0369
/// # use spark_connect_dataframe::functions::col;
/// let older = col("a") > col("b"); // use col("a").gt(col("b"))
/// ```
///
/// ```compile_fail,E0369
/// # use spark_connect_dataframe::functions::col;
/// let adult = col("age") >= 18; // use col("age").ge(18)
/// ```
///
/// ```compile_fail,E0369
/// # use spark_connect_dataframe::functions::col;
/// let alice = col("name") == "alice"; // use col("name").eq("alice")
/// ```
///
/// ```compile_fail,E0369
/// # use spark_connect_dataframe::functions::lit;
/// let same = lit(1) == lit(1); // two columns: use lit(1).eq(lit(1))
/// ```
///
/// ```compile_fail,E0277
/// # use spark_connect_dataframe::Column;
/// let flag: Column = true.into(); // a bool is not a column: use lit(true)
/// ```
///
/// ```compile_fail,E0369
/// # async fn demo(df: spark_connect_dataframe::DataFrame) {
/// use spark_connect_dataframe::functions::col;
/// // Would send the constant `false`; use col("id").eq(col("x")).
/// let df = df.with_column("same", col("id") == col("x"));
/// # }
/// ```
///
/// ```compile_fail,E0277
/// # async fn demo(df: spark_connect_dataframe::DataFrame) {
/// let df = df.filter(1 > 0); // a Rust bool is no condition: use lit(true) or a Column
/// # }
/// ```
///
/// ```compile_fail,E0369
/// # use spark_connect_dataframe::functions::{col, when};
/// let size = when(col("n") == 1, "one"); // use col("n").eq(1)
/// ```
///
/// The same goes for the other expression-like types: [`Literal`] and
/// [`WindowSpec`](crate::WindowSpec) (their docs show it), [`JoinOn`](crate::JoinOn),
/// [`DataFrame`](crate::DataFrame) and [`GroupedData`](crate::GroupedData):
///
/// ```compile_fail,E0369
/// # use spark_connect_dataframe::JoinOn;
/// # use spark_connect_dataframe::functions::col;
/// let same = JoinOn::from(col("a")) == JoinOn::from(col("b"));
/// ```
///
/// ```compile_fail,E0369
/// # fn demo(a: spark_connect_dataframe::DataFrame, b: spark_connect_dataframe::DataFrame) {
/// let same = a == b; // two plans, not two results: compare a.to_proto() if you must
/// # }
/// ```
///
/// ```compile_fail,E0369
/// # fn demo(a: spark_connect_dataframe::GroupedData, b: spark_connect_dataframe::GroupedData) {
/// let same = a == b;
/// # }
/// ```
///
/// To compare what two columns send, compare their protocol: `a.to_proto() == b.to_proto()`.
#[derive(Debug, Clone)]
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
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// let c = col("name");
    /// assert!(matches!(c.to_proto().expr_type, Some(ExprType::UnresolvedAttribute(_))));
    /// ```
    pub fn to_proto(&self) -> &proto::Expression {
        &self.expr
    }

    /// Consumes the column and returns the protocol expression.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// let expr: spark_connect_dataframe::proto::Expression = col("name").into_proto();
    /// assert!(matches!(expr.expr_type, Some(ExprType::UnresolvedAttribute(_))));
    /// ```
    pub fn into_proto(self) -> proto::Expression {
        self.expr
    }

    /// Gives the column a name (`AS`): `alias("total")`. A function that makes several
    /// columns (`posexplode`, `inline`, `stack`, ...) takes one name for each, in a list:
    /// `alias(["pos", "v"])` (or a `Vec`), PySpark's `alias("pos", "v")`.
    ///
    /// ```
    /// use spark_connect_dataframe::functions::{col, posexplode};
    /// use spark_connect_dataframe::proto::expression::ExprType;
    ///
    /// let one = col("n").alias("total");
    /// let two = posexplode(col("xs")).alias(["pos", "v"]);
    /// let Some(ExprType::Alias(a)) = &two.to_proto().expr_type else { panic!() };
    /// assert_eq!(a.name, ["pos", "v"]);
    /// # let _ = one;
    /// ```
    pub fn alias(self, names: impl AliasNames) -> Column {
        Column::from_expr_type(ExprType::Alias(Box::new(ex::Alias {
            expr: Some(Box::new(self.expr)),
            name: names.into_alias_names(),
            metadata: None,
        })))
    }

    /// Casts to a type given in Spark's DDL syntax, e.g. `"decimal(10,2)"`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::proto::expression::cast::CastToType;
    /// let c = col("price").cast("decimal(10,2)");
    /// let Some(ExprType::Cast(cast)) = &c.to_proto().expr_type else { panic!() };
    /// assert_eq!(cast.cast_to_type, Some(CastToType::TypeStr("decimal(10,2)".into())));
    /// ```
    pub fn cast(self, type_ddl: &str) -> Column {
        Column::from_expr_type(ExprType::Cast(Box::new(ex::Cast {
            expr: Some(Box::new(self.expr)),
            eval_mode: ex::cast::EvalMode::Unspecified as i32,
            cast_to_type: Some(ex::cast::CastToType::TypeStr(type_ddl.to_string())),
        })))
    }

    /// `self = other`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let adults = col("age").eq(18);
    /// assert_eq!(adults.to_proto(), call_function("==", [col("age"), lit(18)]).to_proto());
    /// ```
    pub fn eq(self, other: impl IntoOperand) -> Column {
        self.binary("==", other)
    }
    /// `self <> other`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// let others = col("state").ne("CA");
    /// assert_eq!(others.to_proto(), (!col("state").eq("CA")).to_proto());
    /// ```
    pub fn ne(self, other: impl IntoOperand) -> Column {
        !self.eq(other)
    }
    /// `self > other`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let c = col("age").gt(21);
    /// assert_eq!(c.to_proto(), call_function(">", [col("age"), lit(21)]).to_proto());
    /// ```
    pub fn gt(self, other: impl IntoOperand) -> Column {
        self.binary(">", other)
    }
    /// `self >= other`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let c = col("age").ge(21);
    /// assert_eq!(c.to_proto(), call_function(">=", [col("age"), lit(21)]).to_proto());
    /// ```
    pub fn ge(self, other: impl IntoOperand) -> Column {
        self.binary(">=", other)
    }
    /// `self < other`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col};
    /// let c = col("age").lt(col("limit"));
    /// assert_eq!(c.to_proto(), call_function("<", [col("age"), col("limit")]).to_proto());
    /// ```
    pub fn lt(self, other: impl IntoOperand) -> Column {
        self.binary("<", other)
    }
    /// `self <= other`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let c = col("age").le(65);
    /// assert_eq!(c.to_proto(), call_function("<=", [col("age"), lit(65)]).to_proto());
    /// ```
    pub fn le(self, other: impl IntoOperand) -> Column {
        self.binary("<=", other)
    }
    /// `self AND other`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// let c = col("active").and(col("age").gt(18)); // also `col("active") & col("age").gt(18)`
    /// assert_eq!(c.to_proto(), (col("active") & col("age").gt(18)).to_proto());
    /// ```
    pub fn and(self, other: impl IntoOperand) -> Column {
        self.binary("and", other)
    }
    /// `self OR other`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col};
    /// let c = col("admin").or(col("owner")); // also `col("admin") | col("owner")`
    /// assert_eq!(c.to_proto(), call_function("or", [col("admin"), col("owner")]).to_proto());
    /// ```
    pub fn or(self, other: impl IntoOperand) -> Column {
        self.binary("or", other)
    }
    /// `self <=> other`: equality where two nulls are equal and null never results.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col};
    /// let same = col("a").eq_null_safe(col("b"));
    /// assert_eq!(same.to_proto(), call_function("<=>", [col("a"), col("b")]).to_proto());
    /// ```
    pub fn eq_null_safe(self, other: impl IntoOperand) -> Column {
        self.binary("<=>", other)
    }
    /// Bitwise AND.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let low = col("flags").bitwise_and(0xFF);
    /// assert_eq!(low.to_proto(), call_function("&", [col("flags"), lit(0xFF)]).to_proto());
    /// ```
    pub fn bitwise_and(self, other: impl IntoOperand) -> Column {
        self.binary("&", other)
    }
    /// Bitwise OR.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let set = col("flags").bitwise_or(4);
    /// assert_eq!(set.to_proto(), call_function("|", [col("flags"), lit(4)]).to_proto());
    /// ```
    pub fn bitwise_or(self, other: impl IntoOperand) -> Column {
        self.binary("|", other)
    }
    /// Bitwise XOR.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let flip = col("flags").bitwise_xor(1);
    /// assert_eq!(flip.to_proto(), call_function("^", [col("flags"), lit(1)]).to_proto());
    /// ```
    pub fn bitwise_xor(self, other: impl IntoOperand) -> Column {
        self.binary("^", other)
    }
    /// `self IS NULL`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col};
    /// let missing = col("email").is_null();
    /// assert_eq!(missing.to_proto(), call_function("isNull", [col("email")]).to_proto());
    /// ```
    pub fn is_null(self) -> Column {
        Column::function("isNull", [self])
    }
    /// `self IS NOT NULL`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col};
    /// let present = col("email").is_not_null();
    /// assert_eq!(present.to_proto(), call_function("isNotNull", [col("email")]).to_proto());
    /// ```
    pub fn is_not_null(self) -> Column {
        Column::function("isNotNull", [self])
    }
    /// Whether the value is NaN.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col};
    /// let bad = col("ratio").is_nan();
    /// assert_eq!(bad.to_proto(), call_function("isNaN", [col("ratio")]).to_proto());
    /// ```
    pub fn is_nan(self) -> Column {
        Column::function("isNaN", [self])
    }

    /// Same as [`alias`](Self::alias).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// let c = col("n").name("total");
    /// assert_eq!(c.to_proto(), col("n").alias("total").to_proto());
    /// ```
    pub fn name(self, names: impl AliasNames) -> Column {
        self.alias(names)
    }

    /// Same as [`cast`](Self::cast).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// let c = col("id").astype("string");
    /// assert_eq!(c.to_proto(), col("id").cast("string").to_proto());
    /// ```
    pub fn astype(self, type_ddl: &str) -> Column {
        self.cast(type_ddl)
    }

    /// Casts to a type in Spark's DDL syntax, giving null where the value does not convert
    /// (instead of an error under ANSI mode).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::proto::expression::cast::EvalMode;
    /// let c = col("text").try_cast("int");
    /// let Some(ExprType::Cast(cast)) = &c.to_proto().expr_type else { panic!() };
    /// assert_eq!(cast.eval_mode, EvalMode::Try as i32);
    /// ```
    pub fn try_cast(self, type_ddl: &str) -> Column {
        Column::from_expr_type(ExprType::Cast(Box::new(ex::Cast {
            expr: Some(Box::new(self.expr)),
            eval_mode: ex::cast::EvalMode::Try as i32,
            cast_to_type: Some(ex::cast::CastToType::TypeStr(type_ddl.to_string())),
        })))
    }

    /// Casts to a [`DataType`](crate::DataType).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// use spark_connect_dataframe::DataType;
    /// let c = col("price").cast_to(&DataType::Decimal { precision: 10, scale: 2 });
    /// assert_eq!(c.to_proto(), col("price").cast("decimal(10,2)").to_proto());
    /// ```
    pub fn cast_to(self, data_type: &crate::DataType) -> Column {
        self.cast(&data_type.ddl())
    }

    /// `self IN (values...)`: values are literals (strings are text) or columns.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let c = col("state").isin(["CA", "NY"]);
    /// assert_eq!(c.to_proto(), call_function("in", [col("state"), lit("CA"), lit("NY")]).to_proto());
    /// ```
    pub fn isin<V: IntoOperand>(self, values: impl IntoIterator<Item = V>) -> Column {
        let args = std::iter::once(self).chain(values.into_iter().map(IntoOperand::into_operand));
        Column::function("in", args)
    }

    /// `lower <= self AND self <= upper`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// let c = col("age").between(18, 65);
    /// assert_eq!(c.to_proto(), (col("age").ge(18) & col("age").le(65)).to_proto());
    /// ```
    pub fn between(self, lower: impl IntoOperand, upper: impl IntoOperand) -> Column {
        self.clone().ge(lower).and(self.le(upper))
    }

    /// SQL `LIKE` with `_` and `%` wildcards.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let c = col("name").like("Al%");
    /// assert_eq!(c.to_proto(), call_function("like", [col("name"), lit("Al%")]).to_proto());
    /// ```
    pub fn like(self, pattern: impl IntoOperand) -> Column {
        self.binary("like", pattern)
    }
    /// Case-insensitive `LIKE`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let c = col("name").ilike("al%");
    /// assert_eq!(c.to_proto(), call_function("ilike", [col("name"), lit("al%")]).to_proto());
    /// ```
    pub fn ilike(self, pattern: impl IntoOperand) -> Column {
        self.binary("ilike", pattern)
    }
    /// Matches a Java regular expression anywhere in the string.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let c = col("code").rlike("^[A-Z]{3}$");
    /// assert_eq!(c.to_proto(), call_function("rlike", [col("code"), lit("^[A-Z]{3}$")]).to_proto());
    /// ```
    pub fn rlike(self, pattern: impl IntoOperand) -> Column {
        self.binary("rlike", pattern)
    }
    /// Whether the string starts with `prefix`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let c = col("path").startswith("/tmp");
    /// assert_eq!(c.to_proto(), call_function("startsWith", [col("path"), lit("/tmp")]).to_proto());
    /// ```
    pub fn startswith(self, prefix: impl IntoOperand) -> Column {
        self.binary("startsWith", prefix)
    }
    /// Whether the string ends with `suffix`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let c = col("path").endswith(".csv");
    /// assert_eq!(c.to_proto(), call_function("endsWith", [col("path"), lit(".csv")]).to_proto());
    /// ```
    pub fn endswith(self, suffix: impl IntoOperand) -> Column {
        self.binary("endsWith", suffix)
    }
    /// Whether the string contains `other`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let c = col("title").contains("Rust");
    /// assert_eq!(c.to_proto(), call_function("contains", [col("title"), lit("Rust")]).to_proto());
    /// ```
    pub fn contains(self, other: impl IntoOperand) -> Column {
        self.binary("contains", other)
    }
    /// The substring from the 1-based position `start`, `length` characters long.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{call_function, col, lit};
    /// let year = col("date_text").substr(1, 4);
    /// assert_eq!(year.to_proto(), call_function("substr", [col("date_text"), lit(1), lit(4)]).to_proto());
    /// ```
    pub fn substr(self, start: impl IntoOperand, length: impl IntoOperand) -> Column {
        Column::function(
            "substr",
            [self, start.into_operand(), length.into_operand()],
        )
    }

    /// The element at `key` of an array (0-based) or map, or the field `key` of a struct.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{col, lit};
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// let first = col("tags").get_item(0);
    /// let Some(ExprType::UnresolvedExtractValue(e)) = &first.to_proto().expr_type else { panic!() };
    /// assert_eq!(e.extraction.as_deref(), Some(lit(0).to_proto()));
    /// ```
    pub fn get_item(self, key: impl IntoOperand) -> Column {
        Column::from_expr_type(ExprType::UnresolvedExtractValue(Box::new(
            ex::UnresolvedExtractValue {
                child: Some(Box::new(self.expr)),
                extraction: Some(Box::new(key.into_operand().expr)),
            },
        )))
    }

    /// The field `name` of a struct.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// let city = col("address").get_field("city");
    /// assert_eq!(city.to_proto(), col("address").get_item("city").to_proto());
    /// ```
    pub fn get_field(self, name: &str) -> Column {
        self.get_item(name)
    }

    /// The struct with the field `name` added or replaced.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{col, lit};
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// let c = col("address").with_field("zip", lit("94105"));
    /// let Some(ExprType::UpdateFields(u)) = &c.to_proto().expr_type else { panic!() };
    /// assert_eq!(u.field_name, "zip");
    /// ```
    pub fn with_field(self, name: &str, value: impl Into<Column>) -> Column {
        Column::from_expr_type(ExprType::UpdateFields(Box::new(ex::UpdateFields {
            struct_expression: Some(Box::new(self.expr)),
            field_name: name.to_string(),
            value_expression: Some(Box::new(value.into().expr)),
        })))
    }

    /// The struct without the named fields.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// let c = col("address").drop_fields(["zip"]);
    /// let Some(ExprType::UpdateFields(u)) = &c.to_proto().expr_type else { panic!() };
    /// assert_eq!((u.field_name.as_str(), u.value_expression.is_none()), ("zip", true));
    /// ```
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
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{col, when};
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// let size = when(col("n").lt(10), "small").when(col("n").lt(100), "medium");
    /// let Some(ExprType::UnresolvedFunction(f)) = &size.to_proto().expr_type else { panic!() };
    /// assert_eq!((f.function_name.as_str(), f.arguments.len()), ("when", 4));
    /// ```
    pub fn when(self, condition: Column, value: impl IntoOperand) -> Column {
        self.extend_when([condition, value.into_operand()], "when_without_when")
    }

    /// The value of a column made by [`when`](crate::functions::when) for rows that match
    /// no branch.
    ///
    /// On any other column the result is a call of a function named `otherwise_without_when`,
    /// which the server reports as unresolved: building a plan never panics.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{col, when};
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// let size = when(col("n").lt(10), "small").otherwise("large");
    /// let Some(ExprType::UnresolvedFunction(f)) = &size.to_proto().expr_type else { panic!() };
    /// assert_eq!((f.function_name.as_str(), f.arguments.len()), ("when", 3));
    /// ```
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
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::proto::expression::sort_order::{NullOrdering, SortDirection};
    /// let c = col("age").asc();
    /// let Some(ExprType::SortOrder(s)) = &c.to_proto().expr_type else { panic!() };
    /// assert_eq!((s.direction, s.null_ordering), (SortDirection::Ascending as i32, NullOrdering::SortNullsFirst as i32));
    /// ```
    pub fn asc(self) -> Column {
        self.asc_nulls_first()
    }
    /// Ascending sort order, nulls first.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// let c = col("age").asc_nulls_first();
    /// assert_eq!(c.to_proto(), col("age").asc().to_proto());
    /// ```
    pub fn asc_nulls_first(self) -> Column {
        self.sort_order(
            ex::sort_order::SortDirection::Ascending,
            ex::sort_order::NullOrdering::SortNullsFirst,
        )
    }
    /// Ascending sort order, nulls last.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::proto::expression::sort_order::{NullOrdering, SortDirection};
    /// let c = col("age").asc_nulls_last();
    /// let Some(ExprType::SortOrder(s)) = &c.to_proto().expr_type else { panic!() };
    /// assert_eq!((s.direction, s.null_ordering), (SortDirection::Ascending as i32, NullOrdering::SortNullsLast as i32));
    /// ```
    pub fn asc_nulls_last(self) -> Column {
        self.sort_order(
            ex::sort_order::SortDirection::Ascending,
            ex::sort_order::NullOrdering::SortNullsLast,
        )
    }
    /// Descending sort order, nulls last (Spark's default).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::proto::expression::sort_order::{NullOrdering, SortDirection};
    /// let c = col("age").desc();
    /// let Some(ExprType::SortOrder(s)) = &c.to_proto().expr_type else { panic!() };
    /// assert_eq!((s.direction, s.null_ordering), (SortDirection::Descending as i32, NullOrdering::SortNullsLast as i32));
    /// ```
    pub fn desc(self) -> Column {
        self.desc_nulls_last()
    }
    /// Descending sort order, nulls first.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// # use spark_connect_dataframe::proto::expression::sort_order::{NullOrdering, SortDirection};
    /// let c = col("age").desc_nulls_first();
    /// let Some(ExprType::SortOrder(s)) = &c.to_proto().expr_type else { panic!() };
    /// assert_eq!((s.direction, s.null_ordering), (SortDirection::Descending as i32, NullOrdering::SortNullsFirst as i32));
    /// ```
    pub fn desc_nulls_first(self) -> Column {
        self.sort_order(
            ex::sort_order::SortDirection::Descending,
            ex::sort_order::NullOrdering::SortNullsFirst,
        )
    }
    /// Descending sort order, nulls last.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// let c = col("age").desc_nulls_last();
    /// assert_eq!(c.to_proto(), col("age").desc().to_proto());
    /// ```
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
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// let c = col("l.id").outer();
    /// assert_eq!(c.to_proto(), col("l.id").to_proto());
    /// ```
    pub fn outer(self) -> Column {
        self
    }

    /// `f(self)`: applies a function that builds a column, for chaining
    /// (`col("s").transform(normalize)`).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{col, trim, upper};
    /// # use spark_connect_dataframe::Column;
    /// let trim_upper = |c: Column| upper(trim(c));
    /// assert_eq!(col("s").transform(trim_upper).to_proto(), upper(trim(col("s"))).to_proto());
    /// ```
    pub fn transform(self, f: impl FnOnce(Column) -> Column) -> Column {
        f(self)
    }

    /// The window function evaluated over `window`: `row_number().over(&w)`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{col, row_number};
    /// # use spark_connect_dataframe::Window;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// let w = Window::partition_by("dept").order_by(col("salary").desc());
    /// let rank = row_number().over(&w);
    /// assert!(matches!(rank.to_proto().expr_type, Some(ExprType::Window(_))));
    /// ```
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

/// `a & b` is `a AND b`, as PySpark writes conditions; the right side may be a column or a
/// Rust value taken as a literal (`col("ok") & true`). Rust's precedence is Python's (`!`,
/// then `&`, then `|`); comparisons are method calls, so PySpark's parentheses around them
/// are not needed: `col("a").gt(1) & col("b").lt(2) | col("c")`.
impl<T: IntoOperand> ops::BitAnd<T> for Column {
    type Output = Column;
    fn bitand(self, rhs: T) -> Column {
        self.and(rhs)
    }
}

/// `a | b` is `a OR b`, as in PySpark.
impl<T: IntoOperand> ops::BitOr<T> for Column {
    type Output = Column;
    fn bitor(self, rhs: T) -> Column {
        self.or(rhs)
    }
}

/// `true & col("ok")`: as PySpark's `True & F.col("ok")`, the column comes first in the
/// plan (`ok AND true`).
impl ops::BitAnd<Column> for bool {
    type Output = Column;
    fn bitand(self, rhs: Column) -> Column {
        rhs.and(self)
    }
}

/// `false | col("ok")`: `ok OR false`, as PySpark builds it.
impl ops::BitOr<Column> for bool {
    type Output = Column;
    fn bitor(self, rhs: Column) -> Column {
        rhs.or(self)
    }
}

/// The names given to [`Column::alias`]: one name (`&str`, `String`, `&String`), or several
/// in a list (`["pos", "v"]`, a `Vec`) for functions that make several columns.
pub trait AliasNames {
    /// The names, in order.
    fn into_alias_names(self) -> Vec<String>;
}

/// One name, borrowed: `&str`, `&String`, and `&&str` as iterators over names give them.
impl<S: AsRef<str> + ?Sized> AliasNames for &S {
    fn into_alias_names(self) -> Vec<String> {
        vec![self.as_ref().to_string()]
    }
}

impl AliasNames for String {
    fn into_alias_names(self) -> Vec<String> {
        vec![self]
    }
}

impl<S: AsRef<str>, const N: usize> AliasNames for [S; N] {
    fn into_alias_names(self) -> Vec<String> {
        self.iter().map(|s| s.as_ref().to_string()).collect()
    }
}

impl<S: AsRef<str>> AliasNames for Vec<S> {
    fn into_alias_names(self) -> Vec<String> {
        self.iter().map(|s| s.as_ref().to_string()).collect()
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
/// (numbers, booleans, strings, dates and timestamps, `Option`s of them; see [`Literal`]).
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

/// A literal value for [`lit`](crate::functions::lit), and the Rust values taken as
/// literals on the other side of an operator ([`IntoOperand`]).
///
/// | Rust | Spark | PySpark |
/// |---|---|---|
/// | `bool` | `boolean` | `lit(True)` |
/// | `i8`, `i16`, `i32`, `i64` | `tinyint`, `smallint`, `int`, `bigint` | `lit(1)` (`int` or `bigint` by size) |
/// | `f32`, `f64` | `float`, `double` | `lit(1.5)` (`double`) |
/// | `&str`, `String` | `string` | `lit("x")` |
/// | [`Literal::binary`], `bytes::Bytes` | `binary` | `lit(bytearray(...))` |
/// | `chrono::NaiveDate` | `date` | `lit(datetime.date(...))` |
/// | `chrono::NaiveDateTime` | `timestamp_ntz` | `lit(datetime.datetime(...))` with `TIMESTAMP_NTZ` preferred |
/// | `chrono::DateTime<Tz>` | `timestamp` (the instant) | `lit(datetime.datetime(..., tzinfo=...))` |
/// | `None::<T>` | a null of `T`'s type | `lit(None).cast(...)` |
/// | `Some(v)` | `v` | `lit(v)` |
/// | [`Literal::null()`] | a null of type `void` | `lit(None)` |
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use spark_connect_dataframe::functions::{col, lit};
///
/// let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
/// let since = col("day").ge(day);                        // a `date` literal
/// let at = lit(Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap()); // `timestamp`
/// let local = lit(day.and_hms_opt(12, 0, 0).unwrap());   // `timestamp_ntz`
/// let no_name = lit(None::<String>);                     // a null `string`
/// let no_count = lit(None::<i64>);                       // a null `bigint`
/// # let _ = (since, at, local, no_name, no_count);
/// ```
///
/// A null compares as SQL's null: `col("a").eq(None::<i64>)` is `a = NULL`, null for every
/// row, as PySpark's `F.col("a") == None`; ask with [`Column::is_null`].
///
/// A vector is not a literal: PySpark's `lit([1, 2])` is an array (use
/// [`array`](crate::functions::array)), so `Vec<u8>` is not guessed to be bytes; say
/// [`Literal::binary`]. And `Literal` has no `PartialEq`, like [`Column`]:
///
/// ```compile_fail,E0277
/// # use spark_connect_dataframe::functions::lit;
/// let bytes = lit(vec![1u8, 2, 3]); // use lit(Literal::binary([1, 2, 3]))
/// ```
///
/// ```compile_fail,E0369
/// # use spark_connect_dataframe::Literal;
/// let same = Literal::from(1) == Literal::from(1);
/// ```
#[derive(Debug, Clone)]
pub struct Literal(pub(crate) ex::literal::LiteralType);

impl Literal {
    /// A null without a type (Spark's `void`), PySpark's `lit(None)`. For a null of a type,
    /// use `None::<T>` (`lit(None::<i64>)`), or cast this one as PySpark does:
    /// `lit(Literal::null()).cast("string")` is `lit(None).cast("string")`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::lit;
    /// # use spark_connect_dataframe::Literal;
    /// # use spark_connect_dataframe::proto::expression::ExprType;
    /// let c = lit(Literal::null()).cast("string");
    /// let Some(ExprType::Cast(cast)) = &c.to_proto().expr_type else { panic!() };
    /// assert!(matches!(cast.expr.as_deref().and_then(|e| e.expr_type.as_ref()), Some(ExprType::Literal(_))));
    /// ```
    pub fn null() -> Literal {
        Literal::typed_null(proto::data_type::Kind::Null(proto::data_type::Null {
            type_variation_reference: 0,
        }))
    }

    /// A `binary` literal with these bytes, PySpark's `lit(bytearray(...))`.
    ///
    /// ```
    /// use spark_connect_dataframe::Literal;
    /// use spark_connect_dataframe::functions::lit;
    ///
    /// let magic = lit(Literal::binary(b"PAR1"));
    /// # let _ = magic;
    /// ```
    pub fn binary(bytes: impl AsRef<[u8]>) -> Literal {
        Literal(ex::literal::LiteralType::Binary(
            bytes::Bytes::copy_from_slice(bytes.as_ref()),
        ))
    }

    fn typed_null(kind: proto::data_type::Kind) -> Literal {
        Literal(ex::literal::LiteralType::Null(proto::DataType {
            kind: Some(kind),
        }))
    }
}

macro_rules! literal_from {
    ($($ty:ty => $variant:ident $(as $cast:ty)?),* $(,)?) => {$(
        impl From<$ty> for Literal {
            fn from(v: $ty) -> Literal {
                Literal(ex::literal::LiteralType::$variant(v $(as $cast)?))
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

/// A Rust number used where a column is expected is a literal (`greatest([col("a"), 0.into()])`,
/// `concat_ws("-", ...)` with a number). A `bool` is not: Rust computes `bool`s with `==`
/// and `<`, which on columns would be a constant, not a Spark comparison; write `lit(true)`.
macro_rules! column_from_number {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Column {
            fn from(v: $ty) -> Column {
                crate::functions::lit(v)
            }
        }
    )*};
}
column_from_number!(i8, i16, i32, i64, f32, f64);

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

impl From<&String> for Literal {
    fn from(v: &String) -> Literal {
        Literal(ex::literal::LiteralType::String(v.clone()))
    }
}

impl From<bytes::Bytes> for Literal {
    fn from(v: bytes::Bytes) -> Literal {
        Literal(ex::literal::LiteralType::Binary(v))
    }
}

/// Days since 1970-01-01, as Spark stores dates.
impl From<chrono::NaiveDate> for Literal {
    fn from(v: chrono::NaiveDate) -> Literal {
        let days = v
            .signed_duration_since(chrono::NaiveDate::default())
            .num_days();
        // Every chrono date is within ±262,143 years: its day number fits an i32.
        Literal(ex::literal::LiteralType::Date(days as i32))
    }
}

/// A wall-clock time without a zone: Spark's `timestamp_ntz`, microseconds since
/// 1970-01-01 00:00 as if it were UTC (PySpark's `TimestampNTZType`).
impl From<chrono::NaiveDateTime> for Literal {
    fn from(v: chrono::NaiveDateTime) -> Literal {
        Literal(ex::literal::LiteralType::TimestampNtz(
            v.and_utc().timestamp_micros(),
        ))
    }
}

/// An instant: Spark's `timestamp`, microseconds since the epoch; the server shows it in
/// the session time zone.
impl<Tz: chrono::TimeZone> From<chrono::DateTime<Tz>> for Literal {
    fn from(v: chrono::DateTime<Tz>) -> Literal {
        Literal(ex::literal::LiteralType::Timestamp(v.timestamp_micros()))
    }
}

/// `Some(v)` is `v`; `None` is a null of the Spark type `T` maps to (`lit(None::<i64>)` is a
/// `bigint` null), the typed null PySpark sends for `LiteralExpression(None, LongType())`.
macro_rules! literal_from_option {
    ($($ty:ty => $kind:expr),* $(,)?) => {$(
        impl From<Option<$ty>> for Literal {
            fn from(v: Option<$ty>) -> Literal {
                match v {
                    Some(v) => v.into(),
                    None => Literal::typed_null($kind),
                }
            }
        }
    )*};
}
use proto::data_type as dt;
literal_from_option!(
    bool => dt::Kind::Boolean(dt::Boolean::default()),
    i8 => dt::Kind::Byte(dt::Byte::default()),
    i16 => dt::Kind::Short(dt::Short::default()),
    i32 => dt::Kind::Integer(dt::Integer::default()),
    i64 => dt::Kind::Long(dt::Long::default()),
    f32 => dt::Kind::Float(dt::Float::default()),
    f64 => dt::Kind::Double(dt::Double::default()),
    &str => string_type(),
    String => string_type(),
    &String => string_type(),
    bytes::Bytes => dt::Kind::Binary(dt::Binary::default()),
    chrono::NaiveDate => dt::Kind::Date(dt::Date::default()),
    chrono::NaiveDateTime => dt::Kind::TimestampNtz(dt::TimestampNtz::default()),
);

impl<Tz: chrono::TimeZone> From<Option<chrono::DateTime<Tz>>> for Literal {
    fn from(v: Option<chrono::DateTime<Tz>>) -> Literal {
        match v {
            Some(v) => v.into(),
            None => Literal::typed_null(dt::Kind::Timestamp(dt::Timestamp::default())),
        }
    }
}

/// `string` with the default collation, as PySpark's `StringType()` is sent.
fn string_type() -> dt::Kind {
    dt::Kind::String(dt::String {
        type_variation_reference: 0,
        collation: "UTF8_BINARY".to_string(),
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::functions::{col, lit};
    use ex::literal::LiteralType as L;

    fn literal(c: Column) -> L {
        match c.into_proto().expr_type {
            Some(ExprType::Literal(l)) => l.literal_type.unwrap(),
            other => panic!("not a literal: {other:?}"),
        }
    }

    fn alias_names(c: Column) -> Vec<String> {
        match c.into_proto().expr_type {
            Some(ExprType::Alias(a)) => a.name,
            other => panic!("not an alias: {other:?}"),
        }
    }

    #[test]
    fn alias_takes_one_name_or_a_list() {
        let names = vec!["a".to_string(), "b".to_string()];
        assert_eq!(alias_names(col("x").alias("one")), ["one"]);
        assert_eq!(alias_names(col("x").alias(String::from("one"))), ["one"]);
        assert_eq!(alias_names(col("x").alias(["a", "b"])), ["a", "b"]);
        assert_eq!(alias_names(col("x").alias(&names[0])), ["a"]);
        for name in ["a", "b"].iter() {
            assert_eq!(alias_names(col("x").alias(name)), [*name]);
        }
        assert_eq!(alias_names(col("x").name(names)), ["a", "b"]);
    }

    #[test]
    fn options_are_values_or_typed_nulls() {
        assert_eq!(literal(lit(Some(3i64))), L::Long(3));
        assert_eq!(literal(lit(Some("x"))), L::String("x".into()));
        let L::Null(t) = literal(lit(None::<&str>)) else {
            panic!("not a null")
        };
        assert!(matches!(t.kind, Some(dt::Kind::String(_))));
        let L::Null(t) = literal(lit(Literal::null())) else {
            panic!("not a null")
        };
        assert!(matches!(t.kind, Some(dt::Kind::Null(_))));
    }

    #[test]
    fn dates_and_timestamps_count_from_the_epoch() {
        use chrono::{NaiveDate, TimeZone, Utc};
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        assert_eq!(literal(lit(epoch)), L::Date(0));
        assert_eq!(
            literal(lit(NaiveDate::from_ymd_opt(1969, 12, 31).unwrap())),
            L::Date(-1)
        );
        let wall = epoch.and_hms_micro_opt(0, 0, 1, 5).unwrap();
        assert_eq!(literal(lit(wall)), L::TimestampNtz(1_000_005));
        let instant = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 1).unwrap();
        assert_eq!(literal(lit(instant)), L::Timestamp(1_000_000));
    }

    #[test]
    fn and_or_operators_build_and_or() {
        let name = |c: Column| match c.into_proto().expr_type {
            Some(ExprType::UnresolvedFunction(f)) => (f.function_name, f.arguments.len()),
            other => panic!("{other:?}"),
        };
        assert_eq!(name(col("a") & col("b")), ("and".into(), 2));
        assert_eq!(name(col("a") | false), ("or".into(), 2));
        assert_eq!(name(true & col("a")), ("and".into(), 2));
        // `bool & Column` puts the column first, as PySpark's __rand__ does.
        let Some(ExprType::UnresolvedFunction(f)) = (true & col("a")).into_proto().expr_type else {
            panic!()
        };
        assert!(matches!(
            f.arguments[0].expr_type,
            Some(ExprType::UnresolvedAttribute(_))
        ));
    }
}
