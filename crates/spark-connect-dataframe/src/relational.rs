//! Relational operators of [`DataFrame`]: columns, ordering, grouping, joins, set
//! operations, sampling and partitioning, and the small actions built on them.

use proto::aggregate::GroupType;
use proto::relation::RelType;
use spark_connect_transport::{proto, unexpected};

use crate::Error;
use crate::column::Column;
use crate::dataframe::DataFrame;
use crate::group::GroupedData;
use crate::row::Row;

/// How [`DataFrame::join`] pairs rows. PySpark's strings (`"left_outer"`, `"semi"`, ...)
/// parse with [`str::parse`].
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

    /// PySpark's names: `inner`, `cross`, `outer`/`full`/`fullouter`/`full_outer`,
    /// `left`/`leftouter`/`left_outer`, `right`/`rightouter`/`right_outer`,
    /// `semi`/`leftsemi`/`left_semi`, `anti`/`leftanti`/`left_anti`.
    fn from_str(s: &str) -> Result<Self, Error> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "inner" => JoinType::Inner,
            "cross" => JoinType::Cross,
            "outer" | "full" | "fullouter" | "full_outer" => JoinType::Full,
            "left" | "leftouter" | "left_outer" => JoinType::Left,
            "right" | "rightouter" | "right_outer" => JoinType::Right,
            "semi" | "leftsemi" | "left_semi" => JoinType::LeftSemi,
            "anti" | "leftanti" | "left_anti" => JoinType::LeftAnti,
            other => {
                return Err(Error::InvalidArgument(format!(
                    "join type '{other}' is unknown; expected inner, cross, outer, full, \
                     fullouter, full_outer, left, leftouter, left_outer, right, rightouter, \
                     right_outer, semi, leftsemi, left_semi, anti, leftanti or left_anti"
                )));
            }
        })
    }
}

/// What [`DataFrame::join`] matches on: a condition [`Column`], column names present on
/// both sides (`USING`, each kept once in the result), or nothing.
#[derive(Debug, Clone, PartialEq)]
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

impl From<&str> for JoinOn {
    fn from(name: &str) -> JoinOn {
        JoinOn::Using(vec![name.to_string()])
    }
}

impl<S: AsRef<str>, const N: usize> From<[S; N]> for JoinOn {
    fn from(names: [S; N]) -> JoinOn {
        JoinOn::Using(names.iter().map(|s| s.as_ref().to_string()).collect())
    }
}

impl<S: AsRef<str>> From<Vec<S>> for JoinOn {
    fn from(names: Vec<S>) -> JoinOn {
        JoinOn::Using(names.iter().map(|s| s.as_ref().to_string()).collect())
    }
}

impl From<()> for JoinOn {
    fn from(_: ()) -> JoinOn {
        JoinOn::Nothing
    }
}

fn names<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Vec<String> {
    names.into_iter().map(|s| s.as_ref().to_string()).collect()
}

fn exprs<C: Into<Column>>(cols: impl IntoIterator<Item = C>) -> Vec<proto::Expression> {
    cols.into_iter().map(|c| c.into().into_proto()).collect()
}

impl DataFrame {
    /// The column `name` of this DataFrame, tied to it (PySpark's `df["name"]`): in a join
    /// condition, `left.col("id").eq(right.col("id"))` says which side each `id` is from.
    pub fn col(&self, name: &str) -> Column {
        Column::from_expr_type(proto::expression::ExprType::UnresolvedAttribute(
            proto::expression::UnresolvedAttribute {
                unparsed_identifier: name.to_string(),
                plan_id: self.to_proto().common.as_ref().and_then(|c| c.plan_id),
                is_metadata_column: Some(false),
            },
        ))
    }

    /// Adds or replaces several columns at once: `[("a", col("x") + 1), ("b", lit(2))]`.
    pub fn with_columns<S: AsRef<str>, C: Into<Column>>(
        self,
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
    pub fn with_column_renamed(self, existing: &str, new: &str) -> DataFrame {
        self.with_columns_renamed([(existing, new)])
    }

    /// Renames several columns: `[("old", "new"), ...]`.
    pub fn with_columns_renamed<S: AsRef<str>, T: AsRef<str>>(
        self,
        renames: impl IntoIterator<Item = (S, T)>,
    ) -> DataFrame {
        let renames = renames
            .into_iter()
            .map(|(from, to)| proto::with_columns_renamed::Rename {
                col_name: from.as_ref().to_string(),
                new_col_name: to.as_ref().to_string(),
            })
            .collect();
        self.derive(|input| {
            RelType::WithColumnsRenamed(Box::new(proto::WithColumnsRenamed {
                input,
                rename_columns_map: Default::default(),
                renames,
            }))
        })
    }

    /// Drops the named columns; names that do not exist are ignored, as in PySpark.
    pub fn drop<S: AsRef<str>>(self, columns: impl IntoIterator<Item = S>) -> DataFrame {
        let column_names = names(columns);
        self.derive(|input| {
            RelType::Drop(Box::new(proto::Drop {
                input,
                columns: Vec::new(),
                column_names,
            }))
        })
    }

    /// Drops columns given as [`Column`]s, such as `right.col("id")` after a join.
    pub fn drop_columns(self, columns: impl IntoIterator<Item = Column>) -> DataFrame {
        let columns = columns.into_iter().map(Column::into_proto).collect();
        self.derive(|input| {
            RelType::Drop(Box::new(proto::Drop {
                input,
                columns,
                column_names: Vec::new(),
            }))
        })
    }

    /// The distinct rows.
    pub fn distinct(self) -> DataFrame {
        self.derive(|input| {
            RelType::Deduplicate(Box::new(proto::Deduplicate {
                input,
                column_names: Vec::new(),
                all_columns_as_keys: Some(true),
                within_watermark: Some(false),
            }))
        })
    }

    /// One row for each distinct combination of the `subset` columns (of all columns when
    /// `subset` is empty); which row of a set of duplicates is kept is not specified.
    pub fn drop_duplicates<S: AsRef<str>>(self, subset: impl IntoIterator<Item = S>) -> DataFrame {
        let column_names = names(subset);
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

    fn sort_impl<C: Into<Column>>(
        self,
        cols: impl IntoIterator<Item = C>,
        global: bool,
    ) -> DataFrame {
        let order = cols
            .into_iter()
            .map(|c| c.into().into_sort_order())
            .collect();
        self.derive(|input| {
            RelType::Sort(Box::new(proto::Sort {
                input,
                order,
                is_global: Some(global),
            }))
        })
    }

    /// Sorts by these columns: names and plain columns ascending with nulls first, sort
    /// orders (`col("x").desc()`, `asc_nulls_last("y")`) as they say.
    pub fn order_by<C: Into<Column>>(self, cols: impl IntoIterator<Item = C>) -> DataFrame {
        self.sort_impl(cols, true)
    }

    /// Same as [`order_by`](Self::order_by).
    pub fn sort<C: Into<Column>>(self, cols: impl IntoIterator<Item = C>) -> DataFrame {
        self.order_by(cols)
    }

    /// Sorts the rows of each partition, without a global order.
    pub fn sort_within_partitions<C: Into<Column>>(
        self,
        cols: impl IntoIterator<Item = C>,
    ) -> DataFrame {
        self.sort_impl(cols, false)
    }

    /// Groups rows by these columns for [`GroupedData::agg`].
    pub fn group_by<C: Into<Column>>(self, cols: impl IntoIterator<Item = C>) -> GroupedData {
        GroupedData::new(
            self,
            GroupType::Groupby,
            cols.into_iter().map(Into::into).collect(),
        )
    }

    /// Groups by every prefix of these columns, and the grand total (`ROLLUP`).
    pub fn rollup<C: Into<Column>>(self, cols: impl IntoIterator<Item = C>) -> GroupedData {
        GroupedData::new(
            self,
            GroupType::Rollup,
            cols.into_iter().map(Into::into).collect(),
        )
    }

    /// Groups by every subset of these columns (`CUBE`).
    pub fn cube<C: Into<Column>>(self, cols: impl IntoIterator<Item = C>) -> GroupedData {
        GroupedData::new(
            self,
            GroupType::Cube,
            cols.into_iter().map(Into::into).collect(),
        )
    }

    /// Groups by each of several sets of columns (SQL `GROUPING SETS`); `cols` are the
    /// grouping columns of the result, every set a subset of them.
    pub fn grouping_sets<C: Into<Column>, D: Into<Column>>(
        self,
        sets: impl IntoIterator<Item = Vec<C>>,
        cols: impl IntoIterator<Item = D>,
    ) -> GroupedData {
        let sets = sets
            .into_iter()
            .map(|set| set.into_iter().map(Into::into).collect())
            .collect();
        GroupedData::new(
            self,
            GroupType::GroupingSets,
            cols.into_iter().map(Into::into).collect(),
        )
        .with_grouping_sets(sets)
    }

    /// Aggregates the whole DataFrame into one row: `df.agg([max("x"), count(lit(1))])`.
    pub fn agg<C: Into<Column>>(self, exprs: impl IntoIterator<Item = C>) -> DataFrame {
        self.group_by(Vec::<Column>::new()).agg(exprs)
    }

    /// Joins with `other`: `on` is a condition [`Column`], column names (`["id"]`, joined
    /// with `USING`), or `()` for none.
    pub fn join(self, other: &DataFrame, on: impl Into<JoinOn>, how: JoinType) -> DataFrame {
        let (join_condition, using_columns) = match on.into() {
            JoinOn::Nothing => (None, Vec::new()),
            JoinOn::Condition(c) => (Some(c.into_proto()), Vec::new()),
            JoinOn::Using(names) => (None, names),
        };
        let right = Some(Box::new(other.to_proto().clone()));
        self.derive(|left| {
            RelType::Join(Box::new(proto::Join {
                left,
                right,
                join_condition,
                join_type: how.to_proto() as i32,
                using_columns,
                join_data_type: None,
            }))
        })
    }

    /// A lateral join: `other` is evaluated for each row of this DataFrame and may refer to
    /// its columns with [`Column::outer`]. Inner, left and cross joins are supported by
    /// Spark; others are the server's error.
    pub fn lateral_join(self, other: &DataFrame, on: Option<Column>, how: JoinType) -> DataFrame {
        let right = Some(Box::new(other.to_proto().clone()));
        let join_condition = on.map(Column::into_proto);
        self.derive(|left| {
            RelType::LateralJoin(Box::new(proto::LateralJoin {
                left,
                right,
                join_condition,
                join_type: how.to_proto() as i32,
            }))
        })
    }

    /// For each row of this DataFrame (the query side), up to `num_results` rows of `other`
    /// (the candidates), ranked by `ranking` (PySpark 4.2's `nearestByJoin`). `direction`
    /// says whether the smallest ranking value is nearest ([`NearestBy::Distance`]) or the
    /// largest ([`NearestBy::Similarity`]); [`NearestMode::Exact`] forces brute-force
    /// evaluation (and needs a deterministic `ranking`) where [`NearestMode::Approx`] lets the
    /// server choose an approximate strategy. `how` is [`JoinType::Inner`] or
    /// [`JoinType::Left`] (query rows without candidates kept).
    ///
    /// The server checks the rest and reports `NEAREST_BY_JOIN.*` errors: `num_results`
    /// outside 1 to 100,000, or another join type.
    pub fn nearest_by_join(
        self,
        other: &DataFrame,
        ranking: impl Into<Column>,
        num_results: i32,
        mode: NearestMode,
        direction: NearestBy,
        how: JoinType,
    ) -> DataFrame {
        let right = Some(Box::new(other.to_proto().clone()));
        let ranking_expression = Some(ranking.into().into_proto());
        self.derive(|left| {
            RelType::NearestByJoin(Box::new(proto::NearestByJoin {
                left,
                right,
                ranking_expression,
                num_results,
                join_type: how.as_str().to_string(),
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
    pub fn cross_join(self, other: &DataFrame) -> DataFrame {
        self.join(other, (), JoinType::Cross)
    }

    fn set_op(
        self,
        other: &DataFrame,
        op: proto::set_operation::SetOpType,
        is_all: bool,
        by_name: bool,
        allow_missing: bool,
    ) -> DataFrame {
        let right_input = Some(Box::new(other.to_proto().clone()));
        self.derive(|left_input| {
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
    pub fn union(self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Union,
            true,
            false,
            false,
        )
    }

    /// Same as [`union`](Self::union), as in PySpark.
    pub fn union_all(self, other: &DataFrame) -> DataFrame {
        self.union(other)
    }

    /// The rows of both DataFrames, columns matched by name; with `allow_missing_columns`,
    /// a column on one side only is filled with nulls on the other.
    pub fn union_by_name(self, other: &DataFrame, allow_missing_columns: bool) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Union,
            true,
            true,
            allow_missing_columns,
        )
    }

    /// The distinct rows present in both (SQL `INTERSECT`).
    pub fn intersect(self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Intersect,
            false,
            false,
            false,
        )
    }

    /// The rows present in both, duplicates kept as often as on both sides.
    pub fn intersect_all(self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Intersect,
            true,
            false,
            false,
        )
    }

    /// The distinct rows not in `other` (SQL `EXCEPT DISTINCT`).
    pub fn subtract(self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Except,
            false,
            false,
            false,
        )
    }

    /// The rows not in `other`, duplicates kept (SQL `EXCEPT ALL`).
    pub fn except_all(self, other: &DataFrame) -> DataFrame {
        self.set_op(
            other,
            proto::set_operation::SetOpType::Except,
            true,
            false,
            false,
        )
    }

    /// Skips the first `n` rows.
    pub fn offset(self, n: i32) -> DataFrame {
        self.derive(|input| RelType::Offset(Box::new(proto::Offset { input, offset: n })))
    }

    /// A random sample of about `fraction` of the rows (with replacement: each row any
    /// number of times). The same `seed` gives the same sample of the same data.
    pub fn sample(self, fraction: f64, with_replacement: bool, seed: Option<i64>) -> DataFrame {
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
    pub fn repartition(self, num_partitions: i32) -> DataFrame {
        self.derive(|input| {
            RelType::Repartition(Box::new(proto::Repartition {
                input,
                num_partitions,
                shuffle: Some(true),
            }))
        })
    }

    /// Hash-partitioned by these columns, into `num_partitions` partitions or the
    /// session's default number.
    pub fn repartition_by<C: Into<Column>>(
        self,
        num_partitions: Option<i32>,
        cols: impl IntoIterator<Item = C>,
    ) -> DataFrame {
        let partition_exprs = exprs(cols);
        self.derive(|input| {
            RelType::RepartitionByExpression(Box::new(proto::RepartitionByExpression {
                input,
                partition_exprs,
                num_partitions,
            }))
        })
    }

    /// At most `num_partitions` partitions, merged without a shuffle.
    pub fn coalesce(self, num_partitions: i32) -> DataFrame {
        self.derive(|input| {
            RelType::Repartition(Box::new(proto::Repartition {
                input,
                num_partitions,
                shuffle: Some(false),
            }))
        })
    }

    /// Names the DataFrame, so that `alias.column` addresses its columns (in self-joins).
    pub fn alias(self, alias: &str) -> DataFrame {
        let alias = alias.to_string();
        self.derive(|input| {
            RelType::SubqueryAlias(Box::new(proto::SubqueryAlias {
                input,
                alias,
                qualifier: Vec::new(),
            }))
        })
    }

    /// Renames every column, in order; the server checks that the count matches.
    pub fn to_df<S: AsRef<str>>(self, names_: impl IntoIterator<Item = S>) -> DataFrame {
        let column_names = names(names_);
        self.derive(|input| {
            RelType::ToDf(Box::new(proto::ToDf {
                input,
                column_names,
            }))
        })
    }

    /// A planner hint, such as `hint("broadcast", [])`.
    pub fn hint<C: Into<Column>>(
        self,
        name: &str,
        parameters: impl IntoIterator<Item = C>,
    ) -> DataFrame {
        let name = name.to_string();
        let parameters = exprs(parameters);
        self.derive(|input| {
            RelType::Hint(Box::new(proto::Hint {
                input,
                name,
                parameters,
            }))
        })
    }

    /// Statistics of the named columns (all numeric and string columns when empty): rows
    /// `count`, `mean`, `stddev`, `min`, `max`, all values as strings.
    pub fn describe<S: AsRef<str>>(self, cols: impl IntoIterator<Item = S>) -> DataFrame {
        let cols = names(cols);
        self.derive(|input| RelType::Describe(Box::new(proto::StatDescribe { input, cols })))
    }

    /// Chosen statistics (`count`, `mean`, `stddev`, `min`, `max`, percentiles such as
    /// `25%`, `count_distinct`, ...); empty gives PySpark's default set.
    pub fn summary<S: AsRef<str>>(self, statistics: impl IntoIterator<Item = S>) -> DataFrame {
        let statistics = names(statistics);
        self.derive(|input| RelType::Summary(Box::new(proto::StatSummary { input, statistics })))
    }

    /// `f(self)`: applies a function that builds a DataFrame, for chaining reusable steps.
    pub fn transform(self, f: impl FnOnce(DataFrame) -> DataFrame) -> DataFrame {
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
        let batches = self.clone().limit(n).collect().await?;
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
    pub async fn is_empty(&self) -> Result<bool, Error> {
        Ok(self.first().await?.is_none())
    }

    /// The column names with their Spark types in DDL form: `[("id", "bigint"), ...]`.
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
    pub async fn tree_string(&self, level: Option<i32>) -> Result<String, Error> {
        let result = self
            .session()
            .analyze(proto::analyze_plan_request::Analyze::TreeString(
                proto::analyze_plan_request::TreeString {
                    plan: Some(self.root()),
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
