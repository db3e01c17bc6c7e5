//! Relational operators of [`DataFrame`]: columns, ordering, grouping, joins, set
//! operations, sampling and partitioning, and the small actions built on them.

use proto::aggregate::GroupType;
use proto::relation::RelType;
use spark_connect_transport::{proto, unexpected};

use crate::Error;
use crate::column::Column;
use crate::column::arguments::{IntoColumns, IntoNames};
use crate::dataframe::DataFrame;
use crate::dataframe::group::GroupedData;
use crate::row::Row;

/// How [`DataFrame::join`] pairs rows. `join` also takes PySpark's strings (`"left"`,
/// `"left_anti"`, ...; see [`IntoJoinType`]), and they parse with [`str::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JoinType {
    /// Rows with a match on both sides.
    #[default]
    Inner,
    /// Every left row, with nulls where the right has no match.
    Left,
    /// Every right row, with nulls where the left has no match.
    Right,
    /// Every row of both sides.
    Full,
    /// Left rows that have a match, left columns only.
    LeftSemi,
    /// Left rows that have no match, left columns only.
    LeftAnti,
    /// Every pair of rows (with a condition, the pairs that satisfy it).
    Cross,
}

/// Which candidates [`DataFrame::nearest_by_join`] ranks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NearestBy {
    /// The smallest ranking values first (PySpark's `"distance"`).
    Distance,
    /// The largest ranking values first (PySpark's `"similarity"`).
    Similarity,
}

/// How [`DataFrame::nearest_by_join`] may search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NearestMode {
    /// The server may use an index or another approximate strategy (PySpark's `"approx"`).
    #[default]
    Approx,
    /// Brute force over every candidate (PySpark's `"exact"`).
    Exact,
}

impl NearestBy {
    fn as_str(self) -> &'static str {
        match self {
            NearestBy::Distance => "distance",
            NearestBy::Similarity => "similarity",
        }
    }
}

/// PySpark's join type strings, as its `UNSUPPORTED_JOIN_TYPE` error lists them.
const PYSPARK_JOIN_TYPES: &str = "'inner', 'outer', 'full', 'fullouter', 'full_outer', \
     'leftouter', 'left', 'left_outer', 'rightouter', 'right', 'right_outer', 'leftsemi', \
     'left_semi', 'semi', 'leftanti', 'left_anti', 'anti', 'cross'";

impl JoinType {
    /// PySpark's name of the join type.
    fn as_str(self) -> &'static str {
        match self {
            JoinType::Inner => "inner",
            JoinType::Left => "leftouter",
            JoinType::Right => "rightouter",
            JoinType::Full => "fullouter",
            JoinType::LeftSemi => "leftsemi",
            JoinType::LeftAnti => "leftanti",
            JoinType::Cross => "cross",
        }
    }

    fn to_proto(self) -> proto::join::JoinType {
        use proto::join::JoinType as J;
        match self {
            JoinType::Inner => J::Inner,
            JoinType::Left => J::LeftOuter,
            JoinType::Right => J::RightOuter,
            JoinType::Full => J::FullOuter,
            JoinType::LeftSemi => J::LeftSemi,
            JoinType::LeftAnti => J::LeftAnti,
            JoinType::Cross => J::Cross,
        }
    }
}

impl std::str::FromStr for JoinType {
    type Err = Error;

    /// PySpark's strings, read as PySpark reads them (case and underscores ignored):
    /// `inner`, `cross`, `outer`/`full`/`fullouter`/`full_outer`,
    /// `left`/`leftouter`/`left_outer`, `right`/`rightouter`/`right_outer`,
    /// `semi`/`leftsemi`/`left_semi`, `anti`/`leftanti`/`left_anti`.
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s.to_lowercase().replace('_', "").as_str() {
            "inner" => JoinType::Inner,
            "cross" => JoinType::Cross,
            "outer" | "full" | "fullouter" => JoinType::Full,
            "left" | "leftouter" => JoinType::Left,
            "right" | "rightouter" => JoinType::Right,
            "semi" | "leftsemi" => JoinType::LeftSemi,
            "anti" | "leftanti" => JoinType::LeftAnti,
            _ => {
                return Err(Error::InvalidArgument(format!(
                    "join type '{s}' is not supported; the supported join types are \
                     {PYSPARK_JOIN_TYPES}"
                )));
            }
        })
    }
}

/// The join type of [`DataFrame::join`] (and the other joins): a [`JoinType`], or one of
/// PySpark's strings (`"inner"`, `"left"`, `"left_outer"`, `"full_outer"`, `"left_semi"`,
/// `"anti"`, `"cross"`, ...; see [`JoinType::from_str`](std::str::FromStr)).
///
/// A string that is not a join type does not stop the plan from being built: it is reported
/// as [`Error::InvalidArgument`], naming the string and the accepted ones, by the request
/// that would run the plan (`collect`, `count`, `schema`, a write, ...), as the writers report
/// their bad arguments.
pub trait IntoJoinType {
    /// The join type, or the error for a string that is not one.
    fn into_join_type(self) -> Result<JoinType, Error>;
}

impl IntoJoinType for JoinType {
    fn into_join_type(self) -> Result<JoinType, Error> {
        Ok(self)
    }
}

impl IntoJoinType for &str {
    fn into_join_type(self) -> Result<JoinType, Error> {
        self.parse()
    }
}

impl IntoJoinType for String {
    fn into_join_type(self) -> Result<JoinType, Error> {
        self.parse()
    }
}

impl IntoJoinType for &String {
    fn into_join_type(self) -> Result<JoinType, Error> {
        self.parse()
    }
}

/// The message of a bad argument, to be reported later as [`Error::InvalidArgument`].
pub(crate) fn deferred(e: Error) -> String {
    match e {
        Error::InvalidArgument(message) => message,
        other => other.to_string(),
    }
}

/// A join type, or the protocol's `UNSPECIFIED` and the problem to report for a bad one.
fn join_type(how: impl IntoJoinType) -> (Option<JoinType>, Option<String>) {
    match how.into_join_type() {
        Ok(how) => (Some(how), None),
        Err(e) => (None, Some(deferred(e))),
    }
}

/// What [`DataFrame::join`] matches on, as PySpark's `on`: a condition [`Column`]; several
/// conditions (`[c1, c2]`, all of which must hold); one column name (`"id"`) or several
/// (`["id", "day"]`) present on both sides (`USING`, each kept once in the result); or `()`
/// for none. No `PartialEq`: a condition is a [`Column`].
#[derive(Debug, Clone)]
pub enum JoinOn {
    /// No condition: every pair of rows (for `Cross`, or an unconditioned join).
    Nothing,
    /// A boolean condition.
    Condition(Box<Column>),
    /// Equal values in these columns of both sides.
    Using(Vec<String>),
}

impl From<Column> for JoinOn {
    fn from(c: Column) -> JoinOn {
        JoinOn::Condition(Box::new(c))
    }
}

/// Every condition must hold (PySpark's list of conditions, joined with `&`).
impl<const N: usize> From<[Column; N]> for JoinOn {
    fn from(conditions: [Column; N]) -> JoinOn {
        Vec::from(conditions).into()
    }
}

/// Every condition must hold (PySpark's list of conditions, joined with `&`); none is no
/// condition.
impl From<Vec<Column>> for JoinOn {
    fn from(conditions: Vec<Column>) -> JoinOn {
        match conditions.into_iter().reduce(Column::and) {
            Some(all) => JoinOn::Condition(Box::new(all)),
            None => JoinOn::Nothing,
        }
    }
}

impl From<&str> for JoinOn {
    fn from(name: &str) -> JoinOn {
        JoinOn::Using(vec![name.to_string()])
    }
}

impl From<String> for JoinOn {
    fn from(name: String) -> JoinOn {
        JoinOn::Using(vec![name])
    }
}

impl From<&String> for JoinOn {
    fn from(name: &String) -> JoinOn {
        JoinOn::Using(vec![name.clone()])
    }
}

impl<S: AsRef<str>, const N: usize> From<[S; N]> for JoinOn {
    fn from(names: [S; N]) -> JoinOn {
        JoinOn::Using(names.into_names())
    }
}

impl<S: AsRef<str>> From<Vec<S>> for JoinOn {
    fn from(names: Vec<S>) -> JoinOn {
        JoinOn::Using(names.into_names())
    }
}

impl<S: AsRef<str>> From<&[S]> for JoinOn {
    fn from(names: &[S]) -> JoinOn {
        JoinOn::Using(names.into_names())
    }
}

impl From<()> for JoinOn {
    fn from(_: ()) -> JoinOn {
        JoinOn::Nothing
    }
}

impl DataFrame {
    /// The column `name` of this DataFrame, tied to it (PySpark's `df["name"]`): in a join
    /// condition, `left.col("id").eq(right.col("id"))` says which side each `id` is from.
    ///
    /// ```
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let (left, right) = (spark.range(0, 3), spark.range(1, 5));
    /// let joined = left.join(&right, left.col("id").eq(right.col("id")), "inner");
    /// assert_ne!(left.col("id").to_proto(), right.col("id").to_proto()); // each names its side
    /// # let _ = joined;
    /// # Ok(())
    /// # }
    /// ```
    pub fn col(&self, name: &str) -> Column {
        Column::from_expr_type(proto::expression::ExprType::UnresolvedAttribute(
            proto::expression::UnresolvedAttribute {
                unparsed_identifier: name.to_string(),
                plan_id: self.plan_id(),
                is_metadata_column: Some(false),
            },
        ))
    }

    /// Adds or replaces several columns at once: `[("a", col("x") + 1), ("b", lit(2))]`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{col, lit};
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 3).with_columns([("twice", col("id") * 2), ("one", lit(1))]);
    /// let Some(RelType::WithColumns(w)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(w.aliases.iter().map(|a| a.name[0].as_str()).collect::<Vec<_>>(), ["twice", "one"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_columns<S: AsRef<str>, C: Into<Column>>(
        &self,
        columns: impl IntoIterator<Item = (S, C)>,
    ) -> DataFrame {
        let aliases = columns
            .into_iter()
            .map(|(name, c)| proto::expression::Alias {
                expr: Some(Box::new(c.into().into_proto())),
                name: vec![name.as_ref().to_string()],
                metadata: None,
            })
            .collect();
        self.derive(|input| RelType::WithColumns(Box::new(proto::WithColumns { input, aliases })))
    }

    /// Renames a column; a name that does not exist is ignored, as in PySpark.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 3).with_column_renamed("id", "n");
    /// let Some(RelType::WithColumnsRenamed(r)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((r.renames[0].col_name.as_str(), r.renames[0].new_col_name.as_str()), ("id", "n"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_column_renamed(&self, existing: &str, new: &str) -> DataFrame {
        self.with_columns_renamed([(existing, new)])
    }

    /// Renames several columns: `[("old", "new"), ...]`.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("t").with_columns_renamed([("a", "x"), ("b", "y")]);
    /// let Some(RelType::WithColumnsRenamed(r)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(r.renames.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_columns_renamed<S: AsRef<str>, T: AsRef<str>>(
        &self,
        renames: impl IntoIterator<Item = (S, T)>,
    ) -> DataFrame {
        let renames: Vec<_> = renames
            .into_iter()
            .map(|(from, to)| proto::with_columns_renamed::Rename {
                col_name: from.as_ref().to_string(),
                new_col_name: to.as_ref().to_string(),
            })
            .collect();
        // PySpark 4's ordered list only. Spark 3.5 reads only its map
        // (`rename_columns_map`) and would rename nothing, so the version check refuses
        // the list there (`Feature::RenamesList`); both forms together are not an option,
        // Sail refuses them ("conflicting column renames").
        self.derive(|input| {
            RelType::WithColumnsRenamed(Box::new(proto::WithColumnsRenamed {
                input,
                rename_columns_map: Default::default(),
                renames,
            }))
        })
    }

    /// Drops the named columns: one (`"x"`) or several (`["x", "y"]`); names that do not
    /// exist are ignored, as in PySpark. A name is taken as it is (`"a.b"` is a column named
    /// `a.b`); to drop by [`Column`] (such as `right.col("id")` after a join), use
    /// [`drop_columns`](Self::drop_columns).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("t").drop(["b", "c"]);
    /// let Some(RelType::Drop(d)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(d.column_names, ["b", "c"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn drop(&self, columns: impl IntoNames) -> DataFrame {
        let column_names = columns.into_names();
        self.derive(|input| {
            RelType::Drop(Box::new(proto::Drop {
                input,
                columns: Vec::new(),
                column_names,
            }))
        })
    }

    /// Drops columns given as [`Column`]s, such as `right.col("id")` after a join (PySpark's
    /// `drop` with columns).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let (left, right) = (spark.range(0, 3), spark.range(1, 5));
    /// let joined = left.join(&right, left.col("id").eq(right.col("id")), "inner").drop_columns(right.col("id"));
    /// let Some(RelType::Drop(d)) = &joined.to_proto().rel_type else { panic!() };
    /// assert_eq!(d.columns, [right.col("id").into_proto()]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn drop_columns(&self, columns: impl IntoColumns) -> DataFrame {
        let columns = columns
            .into_columns()
            .into_iter()
            .map(Column::into_proto)
            .collect();
        self.derive(|input| {
            RelType::Drop(Box::new(proto::Drop {
                input,
                columns,
                column_names: Vec::new(),
            }))
        })
    }

    /// The distinct rows.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("t").distinct();
    /// let Some(RelType::Deduplicate(d)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(d.all_columns_as_keys, Some(true));
    /// # Ok(())
    /// # }
    /// ```
    pub fn distinct(&self) -> DataFrame {
        self.derive(|input| {
            RelType::Deduplicate(Box::new(proto::Deduplicate {
                input,
                column_names: Vec::new(),
                all_columns_as_keys: Some(true),
                within_watermark: Some(false),
            }))
        })
    }

    /// One row for each distinct combination of the `subset` columns (one name or several;
    /// all columns when `()` or empty); which row of a set of duplicates is kept is not
    /// specified.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("people").drop_duplicates("id");
    /// let Some(RelType::Deduplicate(d)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(d.column_names, ["id"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn drop_duplicates(&self, subset: impl IntoNames) -> DataFrame {
        let column_names = subset.into_names();
        if column_names.is_empty() {
            return self.distinct();
        }
        self.derive(|input| {
            RelType::Deduplicate(Box::new(proto::Deduplicate {
                input,
                column_names,
                all_columns_as_keys: Some(false),
                within_watermark: Some(false),
            }))
        })
    }

    fn sort_impl(&self, cols: impl IntoColumns, global: bool) -> DataFrame {
        let order = cols
            .into_columns()
            .into_iter()
            .map(Column::into_sort_order)
            .collect();
        self.derive(|input| {
            RelType::Sort(Box::new(proto::Sort {
                input,
                order,
                is_global: Some(global),
            }))
        })
    }

    /// Sorts by these columns (one, several, or mixed; see [`IntoColumns`]): names and plain
    /// columns ascending with nulls first, sort orders (`col("x").desc()`,
    /// `asc_nulls_last("y")`) as they say.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 10).order_by(col("id").desc());
    /// let Some(RelType::Sort(s)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((s.order.len(), s.is_global), (1, Some(true)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn order_by(&self, cols: impl IntoColumns) -> DataFrame {
        self.sort_impl(cols, true)
    }

    /// Same as [`order_by`](Self::order_by).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 10).sort(["id"]);
    /// assert!(matches!(df.to_proto().rel_type, Some(RelType::Sort(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn sort(&self, cols: impl IntoColumns) -> DataFrame {
        self.order_by(cols)
    }

    /// Sorts the rows of each partition, without a global order.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 10).sort_within_partitions("id");
    /// let Some(RelType::Sort(s)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(s.is_global, Some(false));
    /// # Ok(())
    /// # }
    /// ```
    pub fn sort_within_partitions(&self, cols: impl IntoColumns) -> DataFrame {
        self.sort_impl(cols, false)
    }

    /// Groups rows by these columns for [`GroupedData::agg`]: one (`group_by("dept")`),
    /// several (`group_by(["dept", "year"])`) or mixed (`group_by(("dept", col("x") % 2))`).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::aggregate::GroupType;
    /// let counts = spark.range(0, 10).group_by(col("id") % 3).count();
    /// let Some(RelType::Aggregate(a)) = &counts.to_proto().rel_type else { panic!() };
    /// assert_eq!((a.group_type, a.grouping_expressions.len()), (GroupType::Groupby as i32, 1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn group_by(&self, cols: impl IntoColumns) -> GroupedData {
        GroupedData::new(self.clone(), GroupType::Groupby, cols.into_columns())
    }

    /// Groups by every prefix of these columns, and the grand total (`ROLLUP`).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::aggregate::GroupType;
    /// let df = spark.table("sales");
    /// let totals = df.rollup(["region", "country"]).sum("sales");
    /// let Some(RelType::Aggregate(a)) = &totals.to_proto().rel_type else { panic!() };
    /// assert_eq!(a.group_type, GroupType::Rollup as i32);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rollup(&self, cols: impl IntoColumns) -> GroupedData {
        GroupedData::new(self.clone(), GroupType::Rollup, cols.into_columns())
    }

    /// Groups by every subset of these columns (`CUBE`).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::aggregate::GroupType;
    /// let df = spark.table("sales");
    /// let totals = df.cube(["region", "country"]).sum("sales");
    /// let Some(RelType::Aggregate(a)) = &totals.to_proto().rel_type else { panic!() };
    /// assert_eq!(a.group_type, GroupType::Cube as i32);
    /// # Ok(())
    /// # }
    /// ```
    pub fn cube(&self, cols: impl IntoColumns) -> GroupedData {
        GroupedData::new(self.clone(), GroupType::Cube, cols.into_columns())
    }

    /// Groups by each of several sets of columns (SQL `GROUPING SETS`); `cols` are the
    /// grouping columns of the result, every set a subset of them.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.table("sales");
    /// let totals = df.grouping_sets([vec!["region"], vec!["country"]], ["region", "country"]).sum("sales");
    /// let Some(RelType::Aggregate(a)) = &totals.to_proto().rel_type else { panic!() };
    /// assert_eq!(a.grouping_sets.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn grouping_sets<S: IntoColumns>(
        &self,
        sets: impl IntoIterator<Item = S>,
        cols: impl IntoColumns,
    ) -> GroupedData {
        let sets = sets.into_iter().map(IntoColumns::into_columns).collect();
        GroupedData::new(self.clone(), GroupType::GroupingSets, cols.into_columns())
            .with_grouping_sets(sets)
    }

    /// Aggregates the whole DataFrame into one row: `df.agg(max("x"))`,
    /// `df.agg([max("x"), count(lit(1))])`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{count, lit, max};
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 10).agg([max("id"), count(lit(1))]);
    /// let Some(RelType::Aggregate(a)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((a.grouping_expressions.len(), a.aggregate_expressions.len()), (0, 2));
    /// # Ok(())
    /// # }
    /// ```
    pub fn agg(&self, exprs: impl IntoColumns) -> DataFrame {
        self.group_by(()).agg(exprs)
    }

    /// Joins with `other`, as PySpark's `df.join(other, on, how)`: `on` is a condition
    /// [`Column`], conditions that must all hold (`[c1, c2]`), column names present on both
    /// sides (`"id"` or `["id", "day"]`, joined with `USING`), or `()` for none (see
    /// [`JoinOn`]); `how` is a [`JoinType`] or PySpark's string (`"left"`, `"left_anti"`,
    /// ...; see [`IntoJoinType`]). PySpark's default, an inner join, is
    /// [`inner_join`](Self::inner_join).
    ///
    /// ```
    /// # use spark_connect_dataframe::SparkSession;
    /// use spark_connect_dataframe::proto::{join::JoinType, relation::RelType};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let (people, orders) = (spark.range(0, 3), spark.range(1, 5));
    /// let joined = people.join(&orders, "id", "left_outer");
    /// let Some(RelType::Join(j)) = &joined.to_proto().rel_type else { panic!() };
    /// assert_eq!(j.join_type, JoinType::LeftOuter as i32);
    /// assert_eq!(j.using_columns, ["id"]);
    ///
    /// // An unknown string is reported when the plan would run.
    /// let wrong = people.join(&orders, "id", "sideways");
    /// let e = wrong.collect().await.unwrap_err().to_string();
    /// assert!(e.contains("'sideways'") && e.contains("'left_anti'"), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn join(
        &self,
        other: &DataFrame,
        on: impl Into<JoinOn>,
        how: impl IntoJoinType,
    ) -> DataFrame {
        let (join_condition, using_columns) = match on.into() {
            JoinOn::Nothing => (None, Vec::new()),
            JoinOn::Condition(c) => (Some(c.into_proto()), Vec::new()),
            JoinOn::Using(names) => (None, names),
        };
        let (how, problem) = join_type(how);
        let join_type = how
            .map(JoinType::to_proto)
            .unwrap_or(proto::join::JoinType::Unspecified) as i32;
        self.derive_with(other, problem, |left, right| {
            RelType::Join(Box::new(proto::Join {
                left,
                right,
                join_condition,
                join_type,
                using_columns,
                join_data_type: None,
            }))
        })
    }

    /// An inner join: PySpark's `df.join(other, on)` without a join type. Same as
    /// [`join`](Self::join) with [`JoinType::Inner`].
    ///
    /// ```
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let (people, orders) = (spark.range(0, 3), spark.range(1, 5));
    /// let both = people.inner_join(&orders, "id");
    /// # let _ = both;
    /// # Ok(())
    /// # }
    /// ```
    pub fn inner_join(&self, other: &DataFrame, on: impl Into<JoinOn>) -> DataFrame {
        self.join(other, on, JoinType::Inner)
    }

    /// A lateral join: `other` is evaluated for each row of this DataFrame and may refer to
    /// its columns with [`Column::outer`]. Inner, left and cross joins are supported by
    /// Spark; others are the server's error.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let (people, numbers) = (spark.range(0, 3).alias("l"), spark.range(0, 5));
    /// let df = people.lateral_join(&numbers.filter(col("id").lt(col("l.id").outer())), None, "inner");
    /// assert!(matches!(df.to_proto().rel_type, Some(RelType::LateralJoin(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn lateral_join(
        &self,
        other: &DataFrame,
        on: Option<Column>,
        how: impl IntoJoinType,
    ) -> DataFrame {
        let join_condition = on.map(Column::into_proto);
        let (how, problem) = join_type(how);
        let join_type = how
            .map(JoinType::to_proto)
            .unwrap_or(proto::join::JoinType::Unspecified) as i32;
        self.derive_with(other, problem, |left, right| {
            RelType::LateralJoin(Box::new(proto::LateralJoin {
                left,
                right,
                join_condition,
                join_type,
            }))
        })
    }

    /// For each row of this DataFrame (the query side), up to `num_results` rows of `other`
    /// (the candidates), ranked by `ranking` (PySpark 4.2's `nearestByJoin`). `direction`
    /// says whether the smallest ranking value is nearest ([`NearestBy::Distance`]) or the
    /// largest ([`NearestBy::Similarity`]); [`NearestMode::Exact`] forces brute-force
    /// evaluation (and needs a deterministic `ranking`) where [`NearestMode::Approx`] lets the
    /// server choose an approximate strategy. `how` is [`JoinType::Inner`] or
    /// [`JoinType::Left`] (query rows without candidates kept), or PySpark's string for them.
    ///
    /// The server checks the rest and reports `NEAREST_BY_JOIN.*` errors: `num_results`
    /// outside 1 to 100,000, or another join type.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::{abs, col};
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::{JoinType, NearestBy, NearestMode};
    /// let (queries, items) = (spark.range(0, 3), spark.range(0, 100).alias("c"));
    /// let df = queries.nearest_by_join(&items, abs(col("id") - col("c.id")), 2, NearestMode::Exact, NearestBy::Distance, JoinType::Inner);
    /// let Some(RelType::NearestByJoin(n)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((n.num_results, n.mode.as_str(), n.direction.as_str()), (2, "exact", "distance"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn nearest_by_join(
        &self,
        other: &DataFrame,
        ranking: impl Into<Column>,
        num_results: i32,
        mode: NearestMode,
        direction: NearestBy,
        how: impl IntoJoinType,
    ) -> DataFrame {
        let ranking_expression = Some(ranking.into().into_proto());
        let (how, problem) = join_type(how);
        let join_type = how.map(JoinType::as_str).unwrap_or_default().to_string();
        self.derive_with(other, problem, |left, right| {
            RelType::NearestByJoin(Box::new(proto::NearestByJoin {
                left,
                right,
                ranking_expression,
                num_results,
                join_type,
                mode: match mode {
                    NearestMode::Approx => "approx",
                    NearestMode::Exact => "exact",
                }
                .to_string(),
                direction: direction.as_str().to_string(),
            }))
        })
    }

    /// Every pair of rows of this DataFrame and `other`.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::join::JoinType;
    /// let pairs = spark.range(0, 3).cross_join(&spark.range(0, 2));
    /// let Some(RelType::Join(j)) = &pairs.to_proto().rel_type else { panic!() };
    /// assert_eq!(j.join_type, JoinType::Cross as i32);
    /// # Ok(())
    /// # }
    /// ```
    pub fn cross_join(&self, other: &DataFrame) -> DataFrame {
        self.join(other, (), JoinType::Cross)
    }

    fn set_op(
        &self,
        other: &DataFrame,
        op: proto::set_operation::SetOpType,
        is_all: bool,
        by_name: bool,
        allow_missing: bool,
    ) -> DataFrame {
        self.derive_with(other, None, |left_input, right_input| {
            RelType::SetOp(Box::new(proto::SetOperation {
                left_input,
                right_input,
                set_op_type: op as i32,
                is_all: Some(is_all),
                by_name: Some(by_name),
                allow_missing_columns: Some(allow_missing),
            }))
        })
    }

    /// The rows of both DataFrames, duplicates kept (SQL `UNION ALL`), matched by position.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::set_operation::SetOpType;
    /// let both = spark.range(0, 3).union(&spark.range(2, 5));
    /// let Some(RelType::SetOp(op)) = &both.to_proto().rel_type else { panic!() };
    /// assert_eq!((op.set_op_type, op.is_all), (SetOpType::Union as i32, Some(true)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn union(&self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Union,
            true,
            false,
            false,
        )
    }

    /// Same as [`union`](Self::union), as in PySpark.
    ///
    /// ```
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let (a, b) = (spark.range(0, 3), spark.range(2, 5));
    /// assert_eq!(a.union_all(&b).to_proto().rel_type, a.union(&b).to_proto().rel_type);
    /// # Ok(())
    /// # }
    /// ```
    pub fn union_all(&self, other: &DataFrame) -> DataFrame {
        self.union(other)
    }

    /// The rows of both DataFrames, columns matched by name; with `allow_missing_columns`,
    /// a column on one side only is filled with nulls on the other.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let a = spark.table("t1"); // columns x, y
    /// let b = spark.table("t2"); // column y
    /// let both = a.union_by_name(&b, true); // b's missing `x` becomes null
    /// let Some(RelType::SetOp(op)) = &both.to_proto().rel_type else { panic!() };
    /// assert_eq!((op.by_name, op.allow_missing_columns), (Some(true), Some(true)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn union_by_name(&self, other: &DataFrame, allow_missing_columns: bool) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Union,
            true,
            true,
            allow_missing_columns,
        )
    }

    /// The distinct rows present in both (SQL `INTERSECT`).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::set_operation::SetOpType;
    /// let common = spark.range(0, 5).intersect(&spark.range(3, 8));
    /// let Some(RelType::SetOp(op)) = &common.to_proto().rel_type else { panic!() };
    /// assert_eq!((op.set_op_type, op.is_all), (SetOpType::Intersect as i32, Some(false)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn intersect(&self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Intersect,
            false,
            false,
            false,
        )
    }

    /// The rows present in both, duplicates kept as often as on both sides.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::set_operation::SetOpType;
    /// let common = spark.range(0, 5).intersect_all(&spark.range(3, 8));
    /// let Some(RelType::SetOp(op)) = &common.to_proto().rel_type else { panic!() };
    /// assert_eq!((op.set_op_type, op.is_all), (SetOpType::Intersect as i32, Some(true)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn intersect_all(&self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Intersect,
            true,
            false,
            false,
        )
    }

    /// The distinct rows not in `other` (SQL `EXCEPT DISTINCT`).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::set_operation::SetOpType;
    /// let rest = spark.range(0, 5).subtract(&spark.range(3, 8));
    /// let Some(RelType::SetOp(op)) = &rest.to_proto().rel_type else { panic!() };
    /// assert_eq!((op.set_op_type, op.is_all), (SetOpType::Except as i32, Some(false)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn subtract(&self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Except,
            false,
            false,
            false,
        )
    }

    /// The rows not in `other`, duplicates kept (SQL `EXCEPT ALL`).
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::set_operation::SetOpType;
    /// let rest = spark.range(0, 5).except_all(&spark.range(3, 8));
    /// let Some(RelType::SetOp(op)) = &rest.to_proto().rel_type else { panic!() };
    /// assert_eq!((op.set_op_type, op.is_all), (SetOpType::Except as i32, Some(true)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn except_all(&self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Except,
            true,
            false,
            false,
        )
    }

    /// Skips the first `n` rows.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let page = spark.range(0, 100).order_by("id").offset(20).limit(10);
    /// let Some(RelType::Limit(l)) = &page.to_proto().rel_type else { panic!() };
    /// assert!(matches!(l.input.as_ref().and_then(|i| i.rel_type.as_ref()), Some(RelType::Offset(o)) if o.offset == 20));
    /// # Ok(())
    /// # }
    /// ```
    pub fn offset(&self, n: i32) -> DataFrame {
        self.derive(|input| RelType::Offset(Box::new(proto::Offset { input, offset: n })))
    }

    /// A random sample of about `fraction` of the rows (with replacement: each row any
    /// number of times). The same `seed` gives the same sample of the same data.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 1000).sample(0.1, false, Some(42));
    /// let Some(RelType::Sample(s)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((s.upper_bound, s.seed), (0.1, Some(42)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn sample(&self, fraction: f64, with_replacement: bool, seed: Option<i64>) -> DataFrame {
        let seed = seed.unwrap_or_else(random_seed);
        self.derive(|input| {
            RelType::Sample(Box::new(proto::Sample {
                input,
                lower_bound: 0.0,
                upper_bound: fraction,
                with_replacement: Some(with_replacement),
                seed: Some(seed),
                deterministic_order: false,
            }))
        })
    }

    /// Exactly `num_partitions` partitions, with a shuffle.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 1000).repartition(8);
    /// let Some(RelType::Repartition(r)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((r.num_partitions, r.shuffle), (8, Some(true)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn repartition(&self, num_partitions: i32) -> DataFrame {
        self.derive(|input| {
            RelType::Repartition(Box::new(proto::Repartition {
                input,
                num_partitions,
                shuffle: Some(true),
            }))
        })
    }

    /// Hash-partitioned by these columns (one or several), into `num_partitions` partitions
    /// or the session's default number.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 1000).repartition_by(Some(4), col("id") % 10);
    /// let Some(RelType::RepartitionByExpression(r)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((r.num_partitions, r.partition_exprs.len()), (Some(4), 1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn repartition_by(&self, num_partitions: Option<i32>, cols: impl IntoColumns) -> DataFrame {
        let partition_exprs = cols
            .into_columns()
            .into_iter()
            .map(Column::into_proto)
            .collect();
        self.derive(|input| {
            RelType::RepartitionByExpression(Box::new(proto::RepartitionByExpression {
                input,
                partition_exprs,
                num_partitions,
            }))
        })
    }

    /// At most `num_partitions` partitions, merged without a shuffle.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 1000).coalesce(1);
    /// let Some(RelType::Repartition(r)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((r.num_partitions, r.shuffle), (1, Some(false)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn coalesce(&self, num_partitions: i32) -> DataFrame {
        self.derive(|input| {
            RelType::Repartition(Box::new(proto::Repartition {
                input,
                num_partitions,
                shuffle: Some(false),
            }))
        })
    }

    /// Names the DataFrame, so that `alias.column` addresses its columns (in self-joins).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let (a, b) = (spark.range(0, 3).alias("a"), spark.range(0, 3).alias("b"));
    /// let pairs = a.join(&b, col("a.id").lt(col("b.id")), "inner");
    /// let Some(RelType::SubqueryAlias(s)) = &a.to_proto().rel_type else { panic!() };
    /// assert_eq!(s.alias, "a");
    /// # let _ = pairs;
    /// # Ok(())
    /// # }
    /// ```
    pub fn alias(&self, alias: &str) -> DataFrame {
        let alias = alias.to_string();
        self.derive(|input| {
            RelType::SubqueryAlias(Box::new(proto::SubqueryAlias {
                input,
                alias,
                qualifier: Vec::new(),
            }))
        })
    }

    /// Renames every column, in order (`to_df(["a", "b"])`); the server checks that the count
    /// matches.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::lit;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 3).select([lit(1), lit(2)]).to_df(["a", "b"]);
    /// let Some(RelType::ToDf(t)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(t.column_names, ["a", "b"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_df(&self, names: impl IntoNames) -> DataFrame {
        let column_names = names.into_names();
        self.derive(|input| {
            RelType::ToDf(Box::new(proto::ToDf {
                input,
                column_names,
            }))
        })
    }

    /// A planner hint, such as `hint("broadcast", Vec::<Column>::new())`.
    ///
    /// ```
    /// # use spark_connect_dataframe::Column;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let small = spark.range(0, 10).hint("broadcast", Vec::<Column>::new());
    /// let Some(RelType::Hint(h)) = &small.to_proto().rel_type else { panic!() };
    /// assert_eq!(h.name, "broadcast");
    /// # Ok(())
    /// # }
    /// ```
    pub fn hint<C: Into<Column>>(
        &self,
        name: &str,
        parameters: impl IntoIterator<Item = C>,
    ) -> DataFrame {
        let name = name.to_string();
        let parameters = parameters
            .into_iter()
            .map(|c| c.into().into_proto())
            .collect();
        self.derive(|input| {
            RelType::Hint(Box::new(proto::Hint {
                input,
                name,
                parameters,
            }))
        })
    }

    /// Statistics of the named columns (one name or several; all numeric and string columns
    /// when `()` or empty): rows `count`, `mean`, `stddev`, `min`, `max`, all values as
    /// strings.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let stats = spark.range(0, 100).describe("id");
    /// let Some(RelType::Describe(d)) = &stats.to_proto().rel_type else { panic!() };
    /// assert_eq!(d.cols, ["id"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn describe(&self, cols: impl IntoNames) -> DataFrame {
        let cols = cols.into_names();
        self.derive(|input| RelType::Describe(Box::new(proto::StatDescribe { input, cols })))
    }

    /// Chosen statistics (`count`, `mean`, `stddev`, `min`, `max`, percentiles such as
    /// `25%`, `count_distinct`, ...); `()` or empty gives PySpark's default set.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let stats = spark.range(0, 100).summary(["min", "25%", "max"]);
    /// let Some(RelType::Summary(s)) = &stats.to_proto().rel_type else { panic!() };
    /// assert_eq!(s.statistics, ["min", "25%", "max"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn summary(&self, statistics: impl IntoNames) -> DataFrame {
        let statistics = statistics.into_names();
        self.derive(|input| RelType::Summary(Box::new(proto::StatSummary { input, statistics })))
    }

    /// `f(self)`: applies a function that builds a DataFrame, for chaining reusable steps
    /// (`fn cleaned(df: &DataFrame) -> DataFrame`).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use spark_connect_dataframe::DataFrame;
    /// fn evens(df: &DataFrame) -> DataFrame { df.filter((col("id") % 2).eq(0)) }
    /// let df = spark.range(0, 10).transform(evens);
    /// assert!(matches!(df.to_proto().rel_type, Some(RelType::Filter(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn transform(&self, f: impl FnOnce(&DataFrame) -> DataFrame) -> DataFrame {
        f(self)
    }

    /// The first `n` rows, as PySpark's `head(n)` (`limit(n)` run on the server). Read
    /// their values with [`Row::get`]; the batches themselves are
    /// `df.limit(n).collect()`.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let rows = spark.sql("SELECT id, id * id AS square FROM range(5)").await?.head(3).await?;
    /// assert_eq!(rows.len(), 3);
    /// assert_eq!(rows[2].get::<i64>("square")?, 4);
    /// assert_eq!(rows[2].to_string(), "Row(id=2, square=4)");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn head(&self, n: i32) -> Result<Vec<Row>, Error> {
        let batches = self.limit(n).collect().await?;
        Ok(Row::from_batches(&batches))
    }

    /// The first `n` rows, as PySpark's `take(n)`: the same as [`head`](Self::head).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let rows = spark.range(0, 10).take(2).await?;
    /// assert_eq!(rows.iter().map(|r| r.get::<i64>("id")).collect::<Result<Vec<_>, _>>()?, [0, 1]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn take(&self, n: i32) -> Result<Vec<Row>, Error> {
        self.head(n).await
    }

    /// The first row, or `None` when there are no rows, as PySpark's `first()` and `head()`.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let row = spark.sql("SELECT 1 AS id, 'a' AS name").await?.first().await?;
    /// let row = row.expect("one row");
    /// assert_eq!(row.get::<i32>("id")?, 1);
    /// assert_eq!(row.get::<String>(1)?, "a");
    /// assert_eq!(row.to_string(), "Row(id=1, name='a')");
    ///
    /// assert!(spark.range(0, 0).first().await?.is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn first(&self) -> Result<Option<Row>, Error> {
        Ok(self.head(1).await?.into_iter().next())
    }

    /// The last `n` rows, as PySpark's `tail(n)` (it keeps them in the client's memory).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let rows = spark.range(0, 10).tail(2).await?;
    /// assert_eq!(rows[1].get::<i64>("id")?, 9);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn tail(&self, n: i32) -> Result<Vec<Row>, Error> {
        let batches = self
            .clone()
            .derive(|input| RelType::Tail(Box::new(proto::Tail { input, limit: n })))
            .collect()
            .await?;
        Ok(Row::from_batches(&batches))
    }

    /// Every row, as PySpark's `collect()`: the whole result in memory. The values stay in
    /// the result's Arrow batches (a row is a batch and a position); for the batches
    /// themselves use [`collect`](Self::collect), for a result too large to keep,
    /// [`stream`](Self::stream).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let rows = spark.sql("SELECT * FROM VALUES (1, 'a'), (2, NULL) AS t(id, name)").await?.collect_rows().await?;
    /// assert_eq!(rows[1].get::<Option<String>>("name")?, None);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn collect_rows(&self) -> Result<Vec<Row>, Error> {
        Ok(Row::from_batches(&self.collect().await?))
    }

    /// Whether there are no rows (fetches at most one).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// assert!(spark.range(0, 0).is_empty().await?);
    /// assert!(!spark.range(0, 1).is_empty().await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.first().await?.is_none())
    }

    /// The column names with their Spark types in DDL form: `[("id", "bigint"), ...]`.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let types = spark.sql("SELECT 1 AS id, 'a' AS name").await?.dtypes().await?;
    /// assert_eq!(types, [("id".to_string(), "int".to_string()), ("name".into(), "string".into())]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn dtypes(&self) -> Result<Vec<(String, String)>, Error> {
        Ok(self
            .schema()
            .await?
            .fields
            .into_iter()
            .map(|f| (f.name, f.data_type.type_name()))
            .collect())
    }

    /// The schema as the tree PySpark's `printSchema()` prints, made by the server; `level`
    /// limits the depth of nested fields.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let tree = spark.range(0, 3).tree_string(None).await?;
    /// assert!(tree.starts_with("root\n |-- id: long"), "{tree}");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn tree_string(&self, level: Option<i32>) -> Result<String, Error> {
        let result = self
            .session()
            .analyze(proto::analyze_plan_request::Analyze::TreeString(
                proto::analyze_plan_request::TreeString {
                    plan: Some(self.root()?),
                    level,
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::TreeString(t) => Ok(t.tree_string),
            other => Err(unexpected("TreeString", &other).into()),
        }
    }

    /// Prints the schema tree to standard output, as PySpark's `printSchema()` does.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// spark.sql("SELECT 1 AS id, 'a' AS name").await?.print_schema().await?;
    /// // root
    /// //  |-- id: integer (nullable = false)
    /// //  |-- name: string (nullable = false)
    /// # Ok(())
    /// # }
    /// ```
    pub async fn print_schema(&self) -> Result<(), Error> {
        println!("{}", self.tree_string(None).await?);
        Ok(())
    }
}

/// A seed for `sample` when none is given, as PySpark picks one per call.
fn random_seed() -> i64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    h.finish() as i64
}
