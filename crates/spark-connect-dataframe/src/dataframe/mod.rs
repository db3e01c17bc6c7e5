//! `DataFrame`: a lazy plan plus the session that runs it.
//!
//! A [`DataFrame`]'s methods are written beside the parts they use, in several `impl DataFrame`
//! blocks. The struct's documentation ("What a DataFrame can do") lists every public one by
//! purpose; a unit test (`every_public_method_is_in_the_index`) fails when one is missing there
//! or the list names one that is gone. The files that hold each group:
//!
//! - Columns: `mod.rs`, `relational.rs`, `reshape.rs`
//! - Rows: filtering, ordering, sampling: `mod.rs`, `relational.rs`, `reshape.rs`
//! - Joins and set operations: `relational.rs`
//! - Aggregation: `relational.rs` ([`GroupedData`](crate::GroupedData) in `group.rs`),
//!   `observation.rs`
//! - Reshaping: `reshape.rs`
//! - Partitioning: `relational.rs`, `reshape.rs`
//! - Missing values: `statistics.rs`
//! - Statistics: `relational.rs`, `statistics.rs`
//! - Subqueries: `subquery.rs`
//! - Actions: running the plan: `mod.rs`, `relational.rs`
//! - Typed rows (feature `serde`): `result/typed_rows.rs`
//! - polars (feature `polars`): `result/polars_frames.rs`
//! - Schema and plan: `mod.rs`, `relational.rs`, `reshape.rs`
//! - Temporary views: `reshape.rs`
//! - Caching and checkpoints: `caching.rs`
//! - Writing: `io/mod.rs`, `io/merge.rs`
//! - Streaming: `streaming/mod.rs`, `reshape.rs`
//!
//! Plumbing of plan building, private to this folder: `plan.rs` (the shared plan tree a
//! DataFrame holds) and `deep_plan.rs` (depth limits, and dropping deep plans without
//! recursion).

pub(crate) mod caching;
pub(crate) mod deep_plan;
pub(crate) mod group;
#[cfg(test)]
mod index_test;
pub(crate) mod observation;
mod plan;
pub(crate) mod relational;
mod reshape;
pub(crate) mod statistics;
pub(crate) mod subquery;

use std::sync::Arc;

use arrow_array::{Array, RecordBatch};
use futures_util::StreamExt;
use proto::relation::RelType;
use spark_connect_transport::{proto, unexpected};

use self::plan::PlanNode;
use crate::Error;
use crate::column::arguments::{IntoColumns, IntoNames};
use crate::column::{Column, IntoCondition};
use crate::functions;
use crate::result::RecordBatchStream;
use crate::session::SparkSession;
use crate::types::StructType;

/// How [`DataFrame::explain`] shows the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExplainMode {
    /// The physical plan.
    #[default]
    Simple,
    /// The logical and physical plans.
    Extended,
    /// The physical plan with generated code.
    Codegen,
    /// The logical plan with statistics.
    Cost,
    /// The physical plan as an outline plus node details.
    Formatted,
}

impl ExplainMode {
    fn to_proto(self) -> proto::analyze_plan_request::explain::ExplainMode {
        use proto::analyze_plan_request::explain::ExplainMode as M;
        match self {
            ExplainMode::Simple => M::Simple,
            ExplainMode::Extended => M::Extended,
            ExplainMode::Codegen => M::Codegen,
            ExplainMode::Cost => M::Cost,
            ExplainMode::Formatted => M::Formatted,
        }
    }
}

impl std::str::FromStr for ExplainMode {
    type Err = Error;

    /// PySpark's mode names: `simple`, `extended`, `codegen`, `cost`, `formatted`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "simple" => Ok(ExplainMode::Simple),
            "extended" => Ok(ExplainMode::Extended),
            "codegen" => Ok(ExplainMode::Codegen),
            "cost" => Ok(ExplainMode::Cost),
            "formatted" => Ok(ExplainMode::Formatted),
            other => Err(Error::InvalidArgument(format!(
                "explain mode '{other}' is unknown; expected simple, extended, codegen, cost or formatted"
            ))),
        }
    }
}

/// A distributed collection of rows with named columns: a plan, built locally and run on the
/// server when a result is asked for (`collect`, `stream`, `count`, `show`, ...).
///
/// Transformations borrow the DataFrame (`&self`) and return a new one that shares the plan
/// below it, so one DataFrame can be the input of several plans without a copy, and a
/// transformation costs only its own relation however deep the plan is. Cloning a DataFrame is
/// cheap too (the plan is shared, not copied).
///
/// ```
/// # use spark_connect_dataframe::SparkSession;
/// use spark_connect_dataframe::functions::col;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
/// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
/// let people = spark.range(0, 100).with_column("age", col("id") % 90);
/// let adults = people.filter(col("age").ge(18));
/// let minors = people.filter(col("age").lt(18));
/// let everyone = adults.union(&minors);
/// # let _ = everyone;
/// # Ok(())
/// # }
/// ```
///
/// # What a DataFrame can do
///
/// - **Columns**: [`select`](DataFrame::select), [`select_expr`](DataFrame::select_expr),
///   [`with_column`](DataFrame::with_column), [`with_columns`](DataFrame::with_columns),
///   [`with_column_renamed`](DataFrame::with_column_renamed),
///   [`with_columns_renamed`](DataFrame::with_columns_renamed), [`drop`](DataFrame::drop),
///   [`drop_columns`](DataFrame::drop_columns), [`to_df`](DataFrame::to_df), [`to`](DataFrame::to),
///   [`col`](DataFrame::col), [`col_regex`](DataFrame::col_regex),
///   [`metadata_column`](DataFrame::metadata_column), [`with_metadata`](DataFrame::with_metadata),
///   [`alias`](DataFrame::alias), [`hint`](DataFrame::hint), [`transform`](DataFrame::transform).
/// - **Rows: filtering, ordering, sampling**: [`filter`](DataFrame::filter),
///   [`where`](DataFrame::where), [`distinct`](DataFrame::distinct),
///   [`drop_duplicates`](DataFrame::drop_duplicates), [`order_by`](DataFrame::order_by),
///   [`sort`](DataFrame::sort), [`sort_within_partitions`](DataFrame::sort_within_partitions),
///   [`limit`](DataFrame::limit), [`offset`](DataFrame::offset), [`sample`](DataFrame::sample),
///   [`random_split`](DataFrame::random_split), [`zip_with_index`](DataFrame::zip_with_index).
/// - **Joins and set operations**: [`join`](DataFrame::join),
///   [`inner_join`](DataFrame::inner_join), [`cross_join`](DataFrame::cross_join),
///   [`lateral_join`](DataFrame::lateral_join), [`nearest_by_join`](DataFrame::nearest_by_join),
///   [`union`](DataFrame::union), [`union_all`](DataFrame::union_all),
///   [`union_by_name`](DataFrame::union_by_name), [`intersect`](DataFrame::intersect),
///   [`intersect_all`](DataFrame::intersect_all), [`subtract`](DataFrame::subtract),
///   [`except_all`](DataFrame::except_all).
/// - **Aggregation**: [`group_by`](DataFrame::group_by), [`rollup`](DataFrame::rollup),
///   [`cube`](DataFrame::cube), [`grouping_sets`](DataFrame::grouping_sets),
///   [`agg`](DataFrame::agg), [`observe`](DataFrame::observe).
/// - **Reshaping**: [`unpivot`](DataFrame::unpivot), [`melt`](DataFrame::melt),
///   [`transpose`](DataFrame::transpose), [`to_json`](DataFrame::to_json).
/// - **Partitioning**: [`repartition`](DataFrame::repartition),
///   [`repartition_by`](DataFrame::repartition_by),
///   [`repartition_by_range`](DataFrame::repartition_by_range),
///   [`repartition_by_id`](DataFrame::repartition_by_id), [`coalesce`](DataFrame::coalesce).
/// - **Missing values**: [`fillna`](DataFrame::fillna),
///   [`fillna_columns`](DataFrame::fillna_columns), [`dropna`](DataFrame::dropna),
///   [`replace`](DataFrame::replace), [`na`](DataFrame::na).
/// - **Statistics**: [`describe`](DataFrame::describe), [`summary`](DataFrame::summary),
///   [`corr`](DataFrame::corr), [`cov`](DataFrame::cov), [`crosstab`](DataFrame::crosstab),
///   [`freq_items`](DataFrame::freq_items), [`approx_quantile`](DataFrame::approx_quantile),
///   [`sample_by`](DataFrame::sample_by), [`stat`](DataFrame::stat).
/// - **Subqueries**: [`scalar`](DataFrame::scalar), [`exists`](DataFrame::exists).
/// - **Actions: running the plan**: [`collect`](DataFrame::collect), [`stream`](DataFrame::stream),
///   [`for_each_batch`](DataFrame::for_each_batch), [`count`](DataFrame::count),
///   [`collect_rows`](DataFrame::collect_rows), [`head`](DataFrame::head),
///   [`take`](DataFrame::take), [`first`](DataFrame::first), [`tail`](DataFrame::tail),
///   [`is_empty`](DataFrame::is_empty), [`show`](DataFrame::show),
///   [`show_with`](DataFrame::show_with), [`show_string`](DataFrame::show_string).
#[cfg_attr(
    feature = "serde",
    doc = "- **Typed rows (feature `serde`)**: [`collect_as`](DataFrame::collect_as), [`stream_as`](DataFrame::stream_as)."
)]
#[cfg_attr(
    not(feature = "serde"),
    doc = "- **Typed rows (feature `serde`)**: `collect_as`, `stream_as`."
)]
#[cfg_attr(
    feature = "polars",
    doc = "- **polars (feature `polars`)**: [`to_polars`](DataFrame::to_polars)."
)]
#[cfg_attr(
    not(feature = "polars"),
    doc = "- **polars (feature `polars`)**: `to_polars`."
)]
/// - **Schema and plan**: [`schema`](DataFrame::schema), [`columns`](DataFrame::columns),
///   [`dtypes`](DataFrame::dtypes), [`tree_string`](DataFrame::tree_string),
///   [`print_schema`](DataFrame::print_schema), [`explain`](DataFrame::explain),
///   [`to_proto`](DataFrame::to_proto), [`session`](DataFrame::session),
///   [`same_semantics`](DataFrame::same_semantics), [`semantic_hash`](DataFrame::semantic_hash),
///   [`input_files`](DataFrame::input_files), [`is_local`](DataFrame::is_local).
/// - **Temporary views**: [`create_temp_view`](DataFrame::create_temp_view),
///   [`create_or_replace_temp_view`](DataFrame::create_or_replace_temp_view),
///   [`register_temp_table`](DataFrame::register_temp_table),
///   [`create_global_temp_view`](DataFrame::create_global_temp_view),
///   [`create_or_replace_global_temp_view`](DataFrame::create_or_replace_global_temp_view).
/// - **Caching and checkpoints**: [`cache`](DataFrame::cache), [`persist`](DataFrame::persist),
///   [`unpersist`](DataFrame::unpersist), [`storage_level`](DataFrame::storage_level),
///   [`is_cached`](DataFrame::is_cached), [`checkpoint`](DataFrame::checkpoint),
///   [`local_checkpoint`](DataFrame::local_checkpoint).
/// - **Writing**: [`write`](DataFrame::write), [`write_to`](DataFrame::write_to),
///   [`merge_into`](DataFrame::merge_into).
/// - **Streaming**: [`is_streaming`](DataFrame::is_streaming),
///   [`write_stream`](DataFrame::write_stream), [`with_watermark`](DataFrame::with_watermark),
///   [`drop_duplicates_within_watermark`](DataFrame::drop_duplicates_within_watermark).
#[derive(Clone)]
pub struct DataFrame {
    session: SparkSession,
    plan: Arc<PlanNode>,
    /// The result the server already computed for exactly this plan (a SQL command's rows,
    /// see [`SparkSession::sql`]); a DataFrame derived from this one has none.
    computed: Option<Arc<ComputedResult>>,
}

/// The rows of a SQL command, as the server sent them in its `SqlCommandResult`.
#[derive(Debug)]
pub(crate) struct ComputedResult {
    /// The operation that ran the command.
    pub(crate) operation_id: String,
    /// The rows as an Arrow IPC stream (the `LocalRelation`'s data).
    pub(crate) data: bytes::Bytes,
}

impl std::fmt::Debug for DataFrame {
    /// Names the session and the plan's top operator only. A plan can carry secrets (a JDBC
    /// password among a reader's options, a token in a SQL string), so its contents are not
    /// shown; [`to_proto`](DataFrame::to_proto) gives the whole plan to whoever needs it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let root = match &self.plan.top().rel_type {
            // The variant's name: the text before its fields, which are never written out.
            Some(rel_type) => {
                let text = format!("{rel_type:?}");
                let end = text.find(['(', ' ', '{']).unwrap_or(text.len());
                text[..end].to_string()
            }
            None => "None".to_string(),
        };
        f.debug_struct("DataFrame")
            .field("session_id", &self.session.session_id())
            .field("root", &root)
            .field("plan_id", &self.plan_id())
            .finish_non_exhaustive()
    }
}

impl DataFrame {
    pub(crate) fn new(session: SparkSession, plan: proto::Relation) -> DataFrame {
        DataFrame {
            session,
            plan: Arc::new(PlanNode::leaf(plan)),
            computed: None,
        }
    }

    /// A DataFrame of `plan`, a `LocalRelation` holding `computed`'s rows: running it reads
    /// them here instead of sending them back to the server.
    pub(crate) fn computed(
        session: SparkSession,
        plan: proto::Relation,
        computed: ComputedResult,
    ) -> DataFrame {
        DataFrame {
            computed: Some(Arc::new(computed)),
            ..DataFrame::new(session, plan)
        }
    }

    /// A DataFrame of a leaf relation built from a bad argument: the plan exists, and every
    /// request that would send it reports `problem`.
    pub(crate) fn with_problem(
        session: SparkSession,
        plan: proto::Relation,
        problem: String,
    ) -> DataFrame {
        DataFrame {
            session,
            plan: Arc::new(PlanNode::with_inputs(plan, Vec::new(), Some(problem))),
            computed: None,
        }
    }

    /// The session this DataFrame belongs to.
    ///
    /// ```
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 3);
    /// assert_eq!(df.session().session_id(), spark.session_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn session(&self) -> &SparkSession {
        &self.session
    }

    /// The plan as the protocol's relation. It is assembled from the shared plan on the
    /// first call and kept with the DataFrame.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 10).limit(3);
    /// let Some(RelType::Limit(l)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(l.limit, 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_proto(&self) -> &proto::Relation {
        self.plan.assembled()
    }

    /// The plan id of the relation at the top.
    pub(crate) fn plan_id(&self) -> Option<i64> {
        self.plan.top().common.as_ref().and_then(|c| c.plan_id)
    }

    /// The plan as a new protocol tree (for a request), after the checks every request
    /// makes: no bad argument in it, not too deep to send.
    pub(crate) fn checked_plan(&self) -> Result<proto::Relation, Error> {
        if let Some(problem) = self.plan.problem() {
            return Err(Error::InvalidArgument(problem.to_string()));
        }
        crate::deep_plan::check_depth(self.plan.depth())?;
        Ok(self.plan.assemble())
    }

    /// The plan for a subquery column: assembled as it is, bad arguments and all.
    pub(crate) fn plan_for_subquery(&self) -> proto::Relation {
        self.plan.assemble()
    }

    /// A new DataFrame whose plan wraps this one (`make` gets the slot of this plan as its
    /// input).
    pub(crate) fn derive(
        &self,
        make: impl FnOnce(Option<Box<proto::Relation>>) -> RelType,
    ) -> DataFrame {
        self.derive_checked(None, make)
    }

    /// Like [`derive`](Self::derive), with a bad argument of the new relation, reported by
    /// the requests that would send the plan.
    pub(crate) fn derive_checked(
        &self,
        problem: Option<String>,
        make: impl FnOnce(Option<Box<proto::Relation>>) -> RelType,
    ) -> DataFrame {
        let relation = self.session.relation(make(plan::placeholder()));
        self.with_node(PlanNode::with_inputs(
            relation,
            vec![self.plan.clone()],
            problem,
        ))
    }

    /// A new DataFrame whose plan joins this one (left) and `other` (right); `make` gets
    /// their slots.
    pub(crate) fn derive_with(
        &self,
        other: &DataFrame,
        problem: Option<String>,
        make: impl FnOnce(Option<Box<proto::Relation>>, Option<Box<proto::Relation>>) -> RelType,
    ) -> DataFrame {
        let relation = self
            .session
            .relation(make(plan::placeholder(), plan::placeholder()));
        self.with_node(PlanNode::with_inputs(
            relation,
            vec![self.plan.clone(), other.plan.clone()],
            problem,
        ))
    }

    fn with_node(&self, node: PlanNode) -> DataFrame {
        DataFrame {
            session: self.session.clone(),
            plan: Arc::new(node),
            computed: None,
        }
    }

    /// The plan as the root of a request.
    pub(crate) fn root(&self) -> Result<proto::Plan, Error> {
        Ok(proto::Plan {
            op_type: Some(proto::plan::OpType::Root(self.plan_with_subqueries()?)),
        })
    }

    /// Selects columns or expressions: one (`df.select("a")`), several (`df.select(["a",
    /// "b"])`, `df.select([col("a") + 1])`), or names and columns mixed in a tuple
    /// (`df.select(("a", col("b") + 1))`); see [`IntoColumns`].
    ///
    /// ```
    /// # use spark_connect_dataframe::SparkSession;
    /// use spark_connect_dataframe::functions::col;
    /// use spark_connect_dataframe::proto::relation::RelType;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 3);
    /// let both = df.select(("id", (col("id") * 2).alias("twice")));
    /// let Some(RelType::Project(p)) = &both.to_proto().rel_type else { panic!() };
    /// assert_eq!(p.expressions.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn select(&self, columns: impl IntoColumns) -> DataFrame {
        let expressions = columns
            .into_columns()
            .into_iter()
            .map(Column::into_proto)
            .collect();
        self.derive(|input| RelType::Project(Box::new(proto::Project { input, expressions })))
    }

    /// Selects SQL expressions: `df.select_expr("id * 2 AS twice")`,
    /// `df.select_expr(["id * 2 AS twice", "abs(x)"])`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::expr;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 3).select_expr(["id * 2 AS twice", "id + 1"]);
    /// let Some(RelType::Project(p)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(p.expressions[0], expr("id * 2 AS twice").into_proto());
    /// # Ok(())
    /// # }
    /// ```
    pub fn select_expr(&self, expressions: impl IntoNames) -> DataFrame {
        self.select(
            expressions
                .into_names()
                .iter()
                .map(|e| functions::expr(e))
                .collect::<Vec<_>>(),
        )
    }

    /// Keeps the rows where `condition` holds: a [`Column`] or a SQL string (`"age > 21"`).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let adults = spark.table("people").filter(col("age").ge(18));
    /// let same = spark.table("people").filter("age >= 18"); // SQL text, parsed by the server
    /// let Some(RelType::Filter(f)) = &adults.to_proto().rel_type else { panic!() };
    /// assert_eq!(f.condition.as_ref(), Some(col("age").ge(18).to_proto()));
    /// # let _ = same;
    /// # Ok(())
    /// # }
    /// ```
    pub fn filter(&self, condition: impl IntoCondition) -> DataFrame {
        let condition = Some(condition.into_condition().into_proto());
        self.derive(|input| RelType::Filter(Box::new(proto::Filter { input, condition })))
    }

    /// Same as [`filter`](Self::filter).
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let adults = spark.table("people").r#where(col("age").ge(18));
    /// assert!(matches!(adults.to_proto().rel_type, Some(RelType::Filter(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn r#where(&self, condition: impl IntoCondition) -> DataFrame {
        self.filter(condition)
    }

    /// Adds or replaces the column `name`.
    ///
    /// ```
    /// # use spark_connect_dataframe::functions::col;
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 3).with_column("twice", col("id") * 2);
    /// let Some(RelType::WithColumns(w)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(w.aliases[0].name, ["twice"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_column(&self, name: &str, column: impl Into<Column>) -> DataFrame {
        let alias = proto::expression::Alias {
            expr: Some(Box::new(column.into().into_proto())),
            name: vec![name.to_string()],
            metadata: None,
        };
        self.derive(|input| {
            RelType::WithColumns(Box::new(proto::WithColumns {
                input,
                aliases: vec![alias],
            }))
        })
    }

    /// The first `n` rows.
    ///
    /// ```
    /// # use spark_connect_dataframe::proto::relation::RelType;
    /// # use spark_connect_dataframe::SparkSession;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let df = spark.range(0, 10).limit(3);
    /// let Some(RelType::Limit(l)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(l.limit, 3);
    /// # Ok(())
    /// # }
    /// ```
    pub fn limit(&self, n: i32) -> DataFrame {
        self.derive(|input| RelType::Limit(Box::new(proto::Limit { input, limit: n })))
    }

    /// Runs the plan and returns its batches as they arrive.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use futures_util::StreamExt; // `RecordBatchStream` is a `Stream`
    /// let mut batches = spark.range(0, 1_000_000).stream().await?;
    /// while let Some(batch) = batches.next().await {
    ///     println!("{} rows", batch?.num_rows());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// The DataFrame of a SQL command ([`SparkSession::sql`]) holds the rows the server sent
    /// when the command ran: they are decoded here, with no request (PySpark sends them back
    /// to the server, which returns them unchanged). On a session that has ended, the request
    /// is made as for any other plan, and fails as it does.
    pub async fn stream(&self) -> Result<RecordBatchStream, Error> {
        if let Some(computed) = &self.computed
            && !self.session.client().is_closed()
        {
            return RecordBatchStream::computed(
                computed.operation_id.clone(),
                computed.data.clone(),
            );
        }
        self.session.execute(self.root()?).await
    }

    /// Runs the plan and returns every batch. An empty result is one batch without rows, so
    /// the schema is always there.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let batches = spark.range(0, 5).collect().await?;
    /// assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 5);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn collect(&self) -> Result<Vec<RecordBatch>, Error> {
        self.stream().await?.collect_all().await
    }

    /// The number of rows.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::col;
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// assert_eq!(spark.range(0, 100).filter(col("id").lt(10)).count().await?, 10);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn count(&self) -> Result<i64, Error> {
        let aggregate = self.wrap_aggregate(vec![
            functions::count(functions::lit(1))
                .alias("count")
                .into_proto(),
        ]);
        let batches = aggregate.collect().await?;
        let column = batches
            .iter()
            .find(|b| b.num_rows() > 0)
            .and_then(|b| b.columns().first().cloned())
            .ok_or_else(|| Error::Protocol("count() returned no row".into()))?;
        let counts = column
            .as_any()
            .downcast_ref::<arrow_array::Int64Array>()
            .ok_or_else(|| {
                Error::Protocol(format!(
                    "count() returned a {} column, expected bigint",
                    column.data_type()
                ))
            })?;
        if counts.is_null(0) {
            return Err(Error::Protocol("count() returned null".into()));
        }
        Ok(counts.value(0))
    }

    fn wrap_aggregate(&self, aggregate_expressions: Vec<proto::Expression>) -> DataFrame {
        self.derive(|input| {
            RelType::Aggregate(Box::new(proto::Aggregate {
                input,
                group_type: proto::aggregate::GroupType::Groupby as i32,
                grouping_expressions: Vec::new(),
                aggregate_expressions,
                pivot: None,
                grouping_sets: Vec::new(),
            }))
        })
    }

    /// The schema, as the server resolves it.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use spark_connect_dataframe::DataType;
    /// let schema = spark.sql("SELECT 1 AS id, 'a' AS name").await?.schema().await?;
    /// assert_eq!(schema.fields[0].data_type, DataType::Integer);
    /// assert_eq!(schema.fields[1].name, "name");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn schema(&self) -> Result<StructType, Error> {
        let result = self
            .session
            .analyze(proto::analyze_plan_request::Analyze::Schema(
                proto::analyze_plan_request::Schema {
                    plan: Some(self.root()?),
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::Schema(s) => {
                let schema = s
                    .schema
                    .ok_or_else(|| Error::Protocol("a Schema result without a schema".into()))?;
                StructType::from_proto(&schema)
            }
            other => Err(unexpected("Schema", &other).into()),
        }
    }

    /// The column names.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let names = spark.sql("SELECT 1 AS id, 'a' AS name").await?.columns().await?;
    /// assert_eq!(names, ["id", "name"]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn columns(&self) -> Result<Vec<String>, Error> {
        Ok(self
            .schema()
            .await?
            .fields
            .into_iter()
            .map(|f| f.name)
            .collect())
    }

    /// The plan as text, in the given mode.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::col;
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use spark_connect_dataframe::ExplainMode;
    /// let plan = spark.range(0, 10).filter(col("id").gt(5)).explain(ExplainMode::Simple).await?;
    /// assert!(plan.contains("== Physical Plan =="), "{plan}");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn explain(&self, mode: ExplainMode) -> Result<String, Error> {
        let result = self
            .session
            .analyze(proto::analyze_plan_request::Analyze::Explain(
                proto::analyze_plan_request::Explain {
                    plan: Some(self.root()?),
                    explain_mode: mode.to_proto() as i32,
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::Explain(e) => Ok(e.explain_string),
            other => Err(unexpected("Explain", &other).into()),
        }
    }

    /// The first `n` rows as the table PySpark's `show()` prints, with values longer than
    /// `truncate` characters cut (0 keeps them whole); `vertical` prints one block per row.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let table = spark.range(0, 2).show_string(20, 20, false).await?;
    /// assert_eq!(table, "+---+\n| id|\n+---+\n|  0|\n|  1|\n+---+\n");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn show_string(
        &self,
        n: i32,
        truncate: i32,
        vertical: bool,
    ) -> Result<String, Error> {
        let show = self.derive(|input| {
            RelType::ShowString(Box::new(proto::ShowString {
                input,
                num_rows: n,
                truncate,
                vertical,
            }))
        });
        let batches = show.collect().await?;
        let mut out = String::new();
        for batch in &batches {
            if batch.num_columns() != 1 {
                return Err(Error::Protocol(format!(
                    "show returned {} columns, expected 1",
                    batch.num_columns()
                )));
            }
            let strings = arrow_cast::cast(batch.column(0), &arrow_schema::DataType::Utf8)?;
            let strings = strings
                .as_any()
                .downcast_ref::<arrow_array::StringArray>()
                .ok_or_else(|| Error::Protocol("show returned no string column".into()))?;
            for value in strings.iter().flatten() {
                out.push_str(value);
            }
        }
        Ok(out)
    }

    /// Prints the first `n` rows to standard output, as PySpark's `show(n)` does (values cut
    /// at 20 characters, a line break after the table).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// spark.range(0, 2).show(20).await?;
    /// // +---+
    /// // | id|
    /// // +---+
    /// // |  0|
    /// // |  1|
    /// // +---+
    /// # Ok(())
    /// # }
    /// ```
    pub async fn show(&self, n: i32) -> Result<(), Error> {
        println!("{}", self.show_string(n, 20, false).await?);
        Ok(())
    }

    /// Prints the first `n` rows as PySpark's `show(n, truncate, vertical)` does: values longer
    /// than `truncate` characters are cut (PySpark's `truncate=True` is 20, `False` is 0), and
    /// `vertical` prints one block per row.
    ///
    /// ```no_run
    /// # async fn demo(df: spark_connect_dataframe::DataFrame) -> Result<(), spark_connect_dataframe::Error> {
    /// // df.show(5, truncate=False, vertical=True)
    /// df.show_with(5, 0, true).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn show_with(&self, n: i32, truncate: i32, vertical: bool) -> Result<(), Error> {
        println!("{}", self.show_string(n, truncate, vertical).await?);
        Ok(())
    }

    /// Runs the plan and passes each batch to `f` as it arrives; memory stays bounded by a
    /// few batches whatever the size of the result.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let mut total = 0;
    /// spark.range(0, 1_000_000).for_each_batch(|batch| {
    ///     total += batch.num_rows();
    ///     Ok(())
    /// }).await?;
    /// assert_eq!(total, 1_000_000);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn for_each_batch(
        &self,
        mut f: impl FnMut(RecordBatch) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let mut stream = self.stream().await?;
        while let Some(batch) = stream.next().await {
            f(batch?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::functions::{col, lit};

    #[tokio::test]
    async fn debug_names_the_operator_and_hides_the_plan() {
        let spark = crate::offline_session().await;
        let df = spark
            .read()
            .format("jdbc")
            .option("password", "hunter2-do-not-show")
            .option("url", "jdbc:derby:memory:x;password=also-secret")
            .load_without_path()
            .filter(col("id").eq(lit("sk-literal-secret")));
        let text = format!("{df:?}");
        for secret in ["hunter2-do-not-show", "also-secret", "sk-literal-secret"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.starts_with("DataFrame { session_id: "), "{text}");
        assert!(text.contains("root: \"Filter\""), "{text}");
        assert!(text.contains(spark.session_id()), "{text}");
    }
}
