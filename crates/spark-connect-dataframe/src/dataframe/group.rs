//! `GroupedData`: a DataFrame grouped by `group_by`, `rollup`, `cube` or `pivot`, waiting
//! for its aggregates.

use proto::aggregate::GroupType;
use proto::relation::RelType;
use spark_connect_transport::proto;

use crate::column::arguments::{IntoColumns, IntoNames};
use crate::column::{Column, Literal};
use crate::dataframe::DataFrame;
use crate::functions;

/// Rows grouped by some columns; [`agg`](Self::agg) and the shortcuts (`count`, `sum`, ...)
/// turn each group into one row. The methods borrow the grouping, so one grouping can be
/// aggregated several ways.
///
/// ```
/// # use spark_connect_dataframe::SparkSession;
/// use spark_connect_dataframe::functions::{col, max, sum};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
/// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
/// let df = spark.range(0, 10).with_column("k", col("id") % 3);
/// let by_k = df.group_by("k");
/// let totals = by_k.agg([sum("id").alias("total"), max("id")]);
/// let counts = by_k.count();
/// # let _ = (totals, counts);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct GroupedData {
    df: DataFrame,
    group_type: GroupType,
    grouping: Vec<proto::Expression>,
    pivot: Option<proto::aggregate::Pivot>,
    grouping_sets: Vec<proto::aggregate::GroupingSets>,
}

impl GroupedData {
    pub(crate) fn new(df: DataFrame, group_type: GroupType, grouping: Vec<Column>) -> GroupedData {
        GroupedData {
            df,
            group_type,
            grouping: grouping.into_iter().map(Column::into_proto).collect(),
            pivot: None,
            grouping_sets: Vec::new(),
        }
    }

    pub(crate) fn with_grouping_sets(mut self, sets: Vec<Vec<Column>>) -> GroupedData {
        self.grouping_sets = sets
            .into_iter()
            .map(|set| proto::aggregate::GroupingSets {
                grouping_set: set.into_iter().map(Column::into_proto).collect(),
            })
            .collect();
        self
    }

    /// One row per group: the grouping columns, then these aggregates (one, `agg(max("x"))`,
    /// or several, `agg([max("x"), min("x")])`).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::relation::RelType;
    /// use spark_connect_dataframe::functions::{col, max, min};
    /// let df = spark.range(0, 10).with_column("k", col("id") % 3);
    /// let stats = df.group_by("k").agg([min("id"), max("id")]);
    /// let Some(RelType::Aggregate(a)) = &stats.to_proto().rel_type else { panic!() };
    /// assert_eq!((a.grouping_expressions.len(), a.aggregate_expressions.len()), (1, 2));
    /// # Ok(())
    /// # }
    /// ```
    pub fn agg(&self, exprs: impl IntoColumns) -> DataFrame {
        let aggregate_expressions = exprs
            .into_columns()
            .into_iter()
            .map(Column::into_proto)
            .collect();
        let (group_type, grouping_expressions, pivot, grouping_sets) = (
            self.group_type as i32,
            self.grouping.clone(),
            self.pivot.clone(),
            self.grouping_sets.clone(),
        );
        self.df.derive(|input| {
            RelType::Aggregate(Box::new(proto::Aggregate {
                input,
                group_type,
                grouping_expressions,
                aggregate_expressions,
                pivot,
                grouping_sets,
            }))
        })
    }

    /// The number of rows in each group, in a column `count`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::relation::RelType;
    /// let counts = spark.range(0, 10).group_by("id").count();
    /// let Some(RelType::Aggregate(a)) = &counts.to_proto().rel_type else { panic!() };
    /// assert_eq!(a.aggregate_expressions.len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn count(&self) -> DataFrame {
        self.agg(functions::count(functions::lit(1)).alias("count"))
    }

    fn each(&self, f: fn(Column) -> Column, cols: impl IntoNames) -> DataFrame {
        let exprs: Vec<Column> = cols
            .into_names()
            .iter()
            .map(|c| f(functions::col(c)))
            .collect();
        self.agg(exprs)
    }

    /// The sum of each named column (`sum(x)` columns): one name or several.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn functions_of(df: &DataFrame) -> Vec<String> {
    /// #     use proto::{expression::ExprType, relation::RelType};
    /// #     let Some(RelType::Aggregate(a)) = &df.to_proto().rel_type else { panic!() };
    /// #     a.aggregate_expressions.iter().map(|e| match &e.expr_type {
    /// #         Some(ExprType::UnresolvedFunction(f)) => f.function_name.clone(),
    /// #         other => panic!("{other:?}"),
    /// #     }).collect()
    /// # }
    /// let df = spark.table("sales").group_by("region").sum(["amount", "qty"]);
    /// assert_eq!(functions_of(&df), ["sum", "sum"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn sum(&self, cols: impl IntoNames) -> DataFrame {
        self.each(functions::sum, cols)
    }

    /// The average of each named column (`avg(x)` columns).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn functions_of(df: &DataFrame) -> Vec<String> {
    /// #     use proto::{expression::ExprType, relation::RelType};
    /// #     let Some(RelType::Aggregate(a)) = &df.to_proto().rel_type else { panic!() };
    /// #     a.aggregate_expressions.iter().map(|e| match &e.expr_type {
    /// #         Some(ExprType::UnresolvedFunction(f)) => f.function_name.clone(),
    /// #         other => panic!("{other:?}"),
    /// #     }).collect()
    /// # }
    /// let df = spark.table("sales").group_by("region").avg("amount");
    /// assert_eq!(functions_of(&df), ["avg"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn avg(&self, cols: impl IntoNames) -> DataFrame {
        self.each(functions::avg, cols)
    }

    /// Same as [`avg`](Self::avg).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn functions_of(df: &DataFrame) -> Vec<String> {
    /// #     use proto::{expression::ExprType, relation::RelType};
    /// #     let Some(RelType::Aggregate(a)) = &df.to_proto().rel_type else { panic!() };
    /// #     a.aggregate_expressions.iter().map(|e| match &e.expr_type {
    /// #         Some(ExprType::UnresolvedFunction(f)) => f.function_name.clone(),
    /// #         other => panic!("{other:?}"),
    /// #     }).collect()
    /// # }
    /// let df = spark.table("sales").group_by("region").mean("amount");
    /// assert_eq!(functions_of(&df), ["avg"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn mean(&self, cols: impl IntoNames) -> DataFrame {
        self.avg(cols)
    }

    /// The minimum of each named column (`min(x)` columns).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn functions_of(df: &DataFrame) -> Vec<String> {
    /// #     use proto::{expression::ExprType, relation::RelType};
    /// #     let Some(RelType::Aggregate(a)) = &df.to_proto().rel_type else { panic!() };
    /// #     a.aggregate_expressions.iter().map(|e| match &e.expr_type {
    /// #         Some(ExprType::UnresolvedFunction(f)) => f.function_name.clone(),
    /// #         other => panic!("{other:?}"),
    /// #     }).collect()
    /// # }
    /// let df = spark.table("sales").group_by("region").min("amount");
    /// assert_eq!(functions_of(&df), ["min"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn min(&self, cols: impl IntoNames) -> DataFrame {
        self.each(functions::min, cols)
    }

    /// The maximum of each named column (`max(x)` columns).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn functions_of(df: &DataFrame) -> Vec<String> {
    /// #     use proto::{expression::ExprType, relation::RelType};
    /// #     let Some(RelType::Aggregate(a)) = &df.to_proto().rel_type else { panic!() };
    /// #     a.aggregate_expressions.iter().map(|e| match &e.expr_type {
    /// #         Some(ExprType::UnresolvedFunction(f)) => f.function_name.clone(),
    /// #         other => panic!("{other:?}"),
    /// #     }).collect()
    /// # }
    /// let df = spark.table("sales").group_by("region").max("amount");
    /// assert_eq!(functions_of(&df), ["max"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn max(&self, cols: impl IntoNames) -> DataFrame {
        self.each(functions::max, cols)
    }

    /// Turns the values of `col` into columns, one per value in `values` (literals), each
    /// holding the aggregate for that value. Only after `group_by`. With no values
    /// (`Vec::<&str>::new()`), the server finds the distinct values first, as PySpark's
    /// `pivot(col)` without values.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::relation::RelType;
    /// let by_year = spark.table("earnings").group_by("year");
    /// let df = by_year.pivot("course", ["dotNET", "Java"]).sum("earnings");
    /// let Some(RelType::Aggregate(a)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(a.pivot.as_ref().unwrap().values.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn pivot<V: Into<Literal>>(
        &self,
        col: impl Into<Column>,
        values: impl IntoIterator<Item = V>,
    ) -> GroupedData {
        let mut pivoted = self.clone();
        pivoted.pivot_on(col, values);
        pivoted
    }

    fn pivot_on<V: Into<Literal>>(
        &mut self,
        col: impl Into<Column>,
        values: impl IntoIterator<Item = V>,
    ) {
        self.group_type = GroupType::Pivot;
        // A plain name is this DataFrame's column, as PySpark resolves `pivot("name")`.
        let col = match col.into().into_proto() {
            proto::Expression {
                common,
                expr_type: Some(proto::expression::ExprType::UnresolvedAttribute(mut a)),
            } if a.plan_id.is_none() => {
                a.plan_id = self.df.plan_id();
                proto::Expression {
                    common,
                    expr_type: Some(proto::expression::ExprType::UnresolvedAttribute(a)),
                }
            }
            other => other,
        };
        self.pivot = Some(proto::aggregate::Pivot {
            col: Some(col),
            values: values
                .into_iter()
                .map(|v| {
                    let Literal(literal_type) = v.into();
                    proto::expression::Literal {
                        literal_type: Some(literal_type),
                        data_type: None,
                    }
                })
                .collect(),
        });
    }
}
