//! Spark tables and DataFrames in DataFusion queries (feature `datafusion`).
//!
//! [`SparkTableProvider`] is a DataFusion
//! [`TableProvider`] over any Spark [`DataFrame`]: register
//! it in a DataFusion `SessionContext` and a DataFusion query can join a Spark table with a
//! local Parquet file, a CSV file or anything else DataFusion reads. When DataFusion scans the
//! table, the columns it needs, the filters Spark computes the same way, and a row limit are
//! added to the Spark plan ([`SparkTableProvider::scan_dataframe`]), so Spark sends only those
//! rows and columns; the result's Arrow batches flow into DataFusion as they arrive
//! ([`SparkScanExec`]).
//!
//! ```no_run
//! use std::sync::Arc;
//! use spark_connect_dataframe::SparkSession;
//! use spark_connect_dataframe::datafusion::SparkTableProvider;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let spark = SparkSession::builder().remote("sc://127.0.0.1:15002").build().await?;
//! let orders = SparkTableProvider::table(&spark, "samples.tpch.orders").await?;
//! // With the `datafusion` crate (55.x), in a SessionContext `ctx`:
//! // ctx.register_table("orders", Arc::new(orders))?;
//! // ctx.register_parquet("customers", "customers.parquet", Default::default()).await?;
//! // ctx.sql("SELECT c.name, o.o_totalprice FROM orders o JOIN customers c
//! //          ON o.o_custkey = c.id WHERE o.o_orderdate >= DATE '1998-01-01'").await?.show().await?;
//! # let _ = (orders, Arc::new(()));
//! # Ok(())
//! # }
//! ```
//!
//! # Versions
//!
//! DataFusion 55.2 (the newest release when this was written) is built on Arrow 59, this crate
//! on Arrow 60. Batches cross from one to the other through the Arrow C data interface, which
//! hands over the same buffers without copying them; both Arrow versions are compiled. Use
//! DataFusion 55.x in the program (the facade `databricks-connect` re-exports it, with this
//! feature, as `databricks_connect::datafusion::engine`). DataFusion 55 needs Rust 1.94, so
//! this feature does too, where the rest of the crate needs 1.88.
//!
//! # What Spark computes, and what DataFusion does
//!
//! - **Projection**: only the columns the query uses are selected in Spark (none at all for
//!   `count(*)`: Spark then sends one constant column, and only the row count is kept).
//! - **Limit**: sent to Spark when DataFusion hands it to the scan (when every filter of the
//!   scan is exact).
//! - **Filters**: comparisons (`=`, `<>`, `<`, `<=`, `>`, `>=`, `IS [NOT] DISTINCT FROM`),
//!   `AND`, `OR`, `NOT`, `IS [NOT] NULL`, `[NOT] IN (...)`, `[NOT] BETWEEN`, `[NOT] LIKE` of
//!   columns and literals (booleans, integers, floats, decimals, strings, binary, dates,
//!   timestamps in microseconds) are sent when Spark computes them as DataFusion would, which
//!   DataFusion then trusts (`Exact`); a few are sent as a first cut that DataFusion filters
//!   again (`Inexact`); the rest stay in DataFusion (`Unsupported`). `docs/datafusion.md` in
//!   the repository lists each case and why.
//!
//! Spark's errors reach DataFusion as `DataFusionError::External` holding this crate's
//! [`Error`], which the caller can downcast to read Spark's error class.

mod bridge;
mod filters;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use datafusion_catalog::{Session, TableProvider};
use datafusion_common::DataFusionError;
use datafusion_common::tree_node::TreeNodeRecursion;
use datafusion_execution::{SendableRecordBatchStream, TaskContext};
use datafusion_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion_physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion_physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion_physical_plan::stream::RecordBatchStreamAdapter;
use datafusion_physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning,
    PlanProperties, ReplaceChildrenOptions,
};
use df_arrow_schema::SchemaRef as DfSchemaRef;
use futures_util::{StreamExt, TryStreamExt};

use crate::functions::{col, lit};
use crate::types::StructType;
use crate::{Column, DataFrame, Error, SparkSession};
use filters::{Fidelity, FieldInfo, Translator, quoted};

/// A DataFusion table whose rows come from a Spark [`DataFrame`]: a Spark table by name
/// ([`table`](Self::table)) or any query ([`new`](Self::new)).
///
/// Its schema is the DataFrame's, as Spark sends it in Arrow. Each DataFusion scan sends one
/// Spark query: the DataFrame with the scan's filters, limit and columns added
/// ([`scan_dataframe`](Self::scan_dataframe)). Cloning is cheap.
///
/// ```no_run
/// use spark_connect_dataframe::SparkSession;
/// use spark_connect_dataframe::datafusion::SparkTableProvider;
/// use spark_connect_dataframe::functions::col;
///
/// # async fn demo() -> Result<(), spark_connect_dataframe::Error> {
/// let spark = SparkSession::builder().remote("sc://127.0.0.1:15002").build().await?;
/// let big_orders = spark.table("orders").filter(col("amount").gt(1000));
/// let provider = SparkTableProvider::new(big_orders).await?;
/// // ctx.register_table("big_orders", std::sync::Arc::new(provider))?;
/// # let _ = provider;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SparkTableProvider {
    df: DataFrame,
    fields: Arc<[FieldInfo]>,
    schema: DfSchemaRef,
}

impl fmt::Debug for SparkTableProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SparkTableProvider")
            .field("schema", &self.schema)
            .finish_non_exhaustive()
    }
}

impl SparkTableProvider {
    /// A table over `df`. Asks Spark for the DataFrame's schema and the session time zone
    /// (which Spark attaches to `timestamp` columns): two calls, no query.
    ///
    /// Column names must be unique, ignoring case (Spark resolves names without case, and
    /// DataFusion needs one column per name): rename duplicates first, for example with
    /// [`DataFrame::with_column_renamed`] after a join.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::SparkSession;
    /// use spark_connect_dataframe::datafusion::SparkTableProvider;
    /// # async fn demo(spark: SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let numbers = spark.range(0, 1000);
    /// let provider = SparkTableProvider::new(numbers.clone()).await?;
    /// assert_eq!(provider.dataframe().to_proto(), numbers.to_proto());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn new(df: DataFrame) -> Result<SparkTableProvider, Error> {
        let schema = df.schema().await?;
        let time_zone = df
            .session()
            .conf()
            .get_or("spark.sql.session.timeZone", "UTC")
            .await?;
        SparkTableProvider::with_schema(df, &schema, &time_zone)
    }

    /// A table over the Spark table or view `name` (`spark.table(name)`), as [`new`](Self::new).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::SparkSession;
    /// use spark_connect_dataframe::datafusion::SparkTableProvider;
    /// # async fn demo(spark: SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let trips = SparkTableProvider::table(&spark, "samples.nyctaxi.trips").await?;
    /// # let _ = trips;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn table(spark: &SparkSession, name: &str) -> Result<SparkTableProvider, Error> {
        SparkTableProvider::new(spark.table(name)).await
    }

    /// A table over `df` whose Spark schema is already known (no call to the server):
    /// `time_zone` is the session time zone Spark attaches to `timestamp` columns
    /// (`spark.sql.session.timeZone`). A schema that is not the DataFrame's makes every scan
    /// fail with an error naming the first column that differs.
    ///
    /// ```
    /// use spark_connect_dataframe::datafusion::SparkTableProvider;
    /// use spark_connect_dataframe::{DataType, SparkSession, StructField, StructType};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let schema = StructType::new([StructField::new("id", DataType::Long, false)]);
    /// let provider = SparkTableProvider::with_schema(spark.range(0, 10), &schema, "UTC")?;
    /// # use datafusion_catalog::TableProvider;
    /// assert_eq!(provider.schema().field(0).name(), "id");
    ///
    /// // Names that differ only in case cannot both be read from Spark by name.
    /// let twice = StructType::new([
    ///     StructField::new("id", DataType::Long, false),
    ///     StructField::new("ID", DataType::Long, false),
    /// ]);
    /// assert!(SparkTableProvider::with_schema(spark.range(0, 10), &twice, "UTC").is_err());
    /// # Ok(())
    /// # }
    /// ```
    pub fn with_schema(
        df: DataFrame,
        schema: &StructType,
        time_zone: &str,
    ) -> Result<SparkTableProvider, Error> {
        for (i, field) in schema.fields.iter().enumerate() {
            if let Some(other) = schema.fields[..i]
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(&field.name))
            {
                return Err(Error::InvalidArgument(format!(
                    "the DataFrame has two columns named `{}` and `{}`; Spark resolves column \
                     names without case and DataFusion needs one column per name: rename one \
                     (with_column_renamed) before making a SparkTableProvider",
                    other.name, field.name
                )));
            }
        }
        let arrow = schema.to_arrow(time_zone);
        let df_schema = bridge::schema(&arrow).map_err(|e| {
            Error::InvalidArgument(format!(
                "the DataFrame's schema has no DataFusion equivalent: {e}"
            ))
        })?;
        let fields = schema
            .fields
            .iter()
            .zip(df_schema.fields())
            .map(|(spark, arrow)| FieldInfo {
                name: spark.name.clone(),
                arrow: arrow.data_type().clone(),
                spark: spark.data_type.clone(),
            })
            .collect();
        Ok(SparkTableProvider {
            df,
            fields,
            schema: Arc::new(df_schema),
        })
    }

    /// The Spark DataFrame the table reads.
    ///
    /// ```
    /// # use spark_connect_dataframe::datafusion::SparkTableProvider;
    /// # use spark_connect_dataframe::{DataType, SparkSession, StructField, StructType};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # let schema = StructType::new([StructField::new("id", DataType::Long, false)]);
    /// let numbers = spark.range(0, 10);
    /// let provider = SparkTableProvider::with_schema(numbers.clone(), &schema, "UTC")?;
    /// assert_eq!(provider.dataframe().to_proto(), numbers.to_proto());
    /// # Ok(())
    /// # }
    /// ```
    pub fn dataframe(&self) -> &DataFrame {
        &self.df
    }

    /// How a DataFusion filter on this table reaches Spark: `Exact` (Spark computes it as
    /// DataFusion would), `Inexact` (Spark keeps at least DataFusion's rows, DataFusion
    /// filters again) or `Unsupported` (DataFusion alone computes it). What
    /// [`TableProvider::supports_filters_pushdown`] answers for each filter.
    ///
    /// ```
    /// # use spark_connect_dataframe::datafusion::SparkTableProvider;
    /// # use spark_connect_dataframe::{DataType, SparkSession, StructField, StructType};
    /// use datafusion_expr::{TableProviderFilterPushDown as Pushdown, col, lit};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let schema = StructType::new([
    ///     StructField::new("id", DataType::Long, false),
    ///     StructField::new("price", DataType::Double, true),
    /// ]);
    /// let t = SparkTableProvider::with_schema(spark.range(0, 10), &schema, "UTC")?;
    /// assert_eq!(t.filter_pushdown(&col("id").gt(lit(5i64))), Pushdown::Exact);
    /// // Floats: Spark and Arrow do not order every NaN alike, so DataFusion checks again.
    /// assert_eq!(t.filter_pushdown(&col("price").eq(lit(0.0))), Pushdown::Inexact);
    /// assert_eq!(t.filter_pushdown(&col("price").lt(lit(0.0))), Pushdown::Unsupported);
    /// # Ok(())
    /// # }
    /// ```
    pub fn filter_pushdown(&self, filter: &Expr) -> TableProviderFilterPushDown {
        match Translator::new(&self.fields).predicate(filter) {
            Some((_, Fidelity::Exact)) => TableProviderFilterPushDown::Exact,
            Some((_, Fidelity::Superset)) => TableProviderFilterPushDown::Inexact,
            None => TableProviderFilterPushDown::Unsupported,
        }
    }

    /// The Spark DataFrame a DataFusion scan of this table runs: the filters Spark can compute
    /// (the others are left out; DataFusion applies them), then the limit, then the projected
    /// columns (by position in the table's schema; `None` for all of them). Limits above
    /// `i32::MAX` are not sent (Spark's limit is an `int`); DataFusion applies them.
    ///
    /// ```
    /// # use spark_connect_dataframe::datafusion::SparkTableProvider;
    /// # use spark_connect_dataframe::{DataType, SparkSession, StructField, StructType};
    /// use datafusion_expr::{col, lit};
    /// use spark_connect_dataframe::proto::relation::RelType;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let schema = StructType::new([
    ///     StructField::new("id", DataType::Long, false),
    ///     StructField::new("name", DataType::string(), true),
    /// ]);
    /// let t = SparkTableProvider::with_schema(spark.table("people"), &schema, "UTC")?;
    /// let scan = t.scan_dataframe(Some(&[1]), &[col("id").lt(lit(100i64))], Some(10))?;
    /// // Project(name) <- Limit(10) <- Filter(id < 100) <- the table.
    /// let Some(RelType::Project(project)) = &scan.to_proto().rel_type else { panic!() };
    /// let Some(RelType::Limit(limit)) = &project.input.as_ref().unwrap().rel_type else { panic!() };
    /// assert_eq!(limit.limit, 10);
    /// assert!(matches!(limit.input.as_ref().unwrap().rel_type, Some(RelType::Filter(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn scan_dataframe(
        &self,
        projection: Option<&[usize]>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<DataFrame, Error> {
        let translator = Translator::new(&self.fields);
        let condition = filters
            .iter()
            .filter_map(|f| translator.predicate(f).map(|(c, _)| c))
            .reduce(Column::and);
        let mut df = match condition {
            Some(condition) => self.df.filter(condition),
            None => self.df.clone(),
        };
        if let Some(n) = limit.and_then(|n| i32::try_from(n).ok()) {
            df = df.limit(n);
        }
        if let Some(projection) = projection {
            let mut columns = Vec::with_capacity(projection.len());
            for &i in projection {
                let field = self.fields.get(i).ok_or_else(|| {
                    Error::InvalidArgument(format!(
                        "projection names column {i}, but the table has {} columns",
                        self.fields.len()
                    ))
                })?;
                columns.push(col(&quoted(&field.name)));
            }
            if columns.is_empty() {
                // No column is needed, only the rows: one constant column keeps their count.
                columns.push(lit(true).alias("_"));
            }
            df = df.select(columns);
        }
        Ok(df)
    }
}

#[async_trait]
impl TableProvider for SparkTableProvider {
    fn schema(&self) -> DfSchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> datafusion_common::Result<Arc<dyn ExecutionPlan>> {
        let df = self
            .scan_dataframe(projection.map(Vec::as_slice), filters, limit)
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        let schema = match projection {
            Some(p) => Arc::new(self.schema.project(p)?),
            None => Arc::clone(&self.schema),
        };
        let translator = Translator::new(&self.fields);
        let pushed: Vec<String> = filters
            .iter()
            .filter(|f| translator.predicate(f).is_some())
            .map(|f| f.to_string())
            .collect();
        let description = format!(
            "projection=[{}], filters=[{}], limit={}",
            schema
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>()
                .join(", "),
            pushed.join(", "),
            match limit.filter(|n| i32::try_from(*n).is_ok()) {
                Some(n) => n.to_string(),
                None => "None".to_string(),
            }
        );
        Ok(Arc::new(SparkScanExec::new(df, schema, description)))
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> datafusion_common::Result<Vec<TableProviderFilterPushDown>> {
        Ok(filters.iter().map(|f| self.filter_pushdown(f)).collect())
    }
}

/// DataFusion's leaf operator for a [`SparkTableProvider`] scan: one partition whose stream is
/// the Spark query's result, batch by batch as Spark sends it.
///
/// Spark's errors come out of the stream as `DataFusionError::External` holding an
/// [`Error`]. `EXPLAIN` shows what was sent to Spark:
/// `SparkScanExec: projection=[name], filters=[id < Int64(100)], limit=10`.
///
/// ```
/// use std::sync::Arc;
/// use datafusion_physical_plan::ExecutionPlan;
/// use df_arrow_schema::{DataType, Field, Schema};
/// use spark_connect_dataframe::SparkSession;
/// use spark_connect_dataframe::datafusion::SparkScanExec;
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
/// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
/// # let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
/// # let numbers = spark.range(0, 10);
/// # let plan: Arc<dyn ExecutionPlan> = Arc::new(SparkScanExec::new(numbers.clone(), schema, String::new()));
/// // In a physical plan DataFusion made (`plan`), find the scan and the Spark plan it sends:
/// let any: &dyn std::any::Any = plan.as_ref();
/// let scan = any.downcast_ref::<SparkScanExec>().expect("a Spark scan");
/// assert_eq!(scan.dataframe().to_proto(), numbers.to_proto());
/// # Ok(())
/// # }
/// ```
pub struct SparkScanExec {
    df: DataFrame,
    schema: DfSchemaRef,
    description: String,
    properties: Arc<PlanProperties>,
}

impl SparkScanExec {
    /// A scan that runs `df` and hands its batches to DataFusion as batches of `schema`,
    /// which must be the Arrow schema Spark sends for `df` (a batch that differs is an error
    /// naming the column). `description` is what `EXPLAIN` shows after `SparkScanExec: `.
    /// [`SparkTableProvider`] makes these; this is for providers of one's own.
    ///
    /// ```
    /// # use spark_connect_dataframe::SparkSession;
    /// use std::sync::Arc;
    /// use df_arrow_schema::{DataType, Field, Schema};
    /// use spark_connect_dataframe::datafusion::SparkScanExec;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
    /// let scan = SparkScanExec::new(spark.range(0, 3), schema, "range(0, 3)".into());
    /// # use datafusion_physical_plan::ExecutionPlan;
    /// assert_eq!(scan.schema().fields().len(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(df: DataFrame, schema: DfSchemaRef, description: String) -> SparkScanExec {
        let properties = PlanProperties::new(
            EquivalenceProperties::new(Arc::clone(&schema)),
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        SparkScanExec {
            df,
            schema,
            description,
            properties: Arc::new(properties),
        }
    }

    /// The Spark DataFrame the scan runs: the table's DataFrame with what was pushed down.
    ///
    /// ```
    /// # use spark_connect_dataframe::SparkSession;
    /// # use std::sync::Arc;
    /// # use df_arrow_schema::{DataType, Field, Schema};
    /// # use spark_connect_dataframe::datafusion::SparkScanExec;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false)]));
    /// let numbers = spark.range(0, 3);
    /// let scan = SparkScanExec::new(numbers.clone(), schema, String::new());
    /// assert_eq!(scan.dataframe().to_proto(), numbers.to_proto());
    /// # Ok(())
    /// # }
    /// ```
    pub fn dataframe(&self) -> &DataFrame {
        &self.df
    }
}

impl fmt::Debug for SparkScanExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SparkScanExec")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl DisplayAs for SparkScanExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        match t {
            DisplayFormatType::Default | DisplayFormatType::Verbose => {
                write!(f, "SparkScanExec: {}", self.description)
            }
            DisplayFormatType::TreeRender => write!(f, "{}", self.description),
        }
    }
}

impl ExecutionPlan for SparkScanExec {
    fn name(&self) -> &str {
        "SparkScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> datafusion_common::Result<TreeNodeRecursion>,
    ) -> datafusion_common::Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        _children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> datafusion_common::Result<Arc<dyn ExecutionPlan>> {
        Ok(self)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> datafusion_common::Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute),
        )
    }

    fn execute(
        &self,
        partition: usize,
        _context: Arc<TaskContext>,
    ) -> datafusion_common::Result<SendableRecordBatchStream> {
        if partition != 0 {
            return Err(DataFusionError::Internal(format!(
                "SparkScanExec has one partition, asked for partition {partition}"
            )));
        }
        let df = self.df.clone();
        let schema = Arc::clone(&self.schema);
        let target = Arc::clone(&self.schema);
        let spark_error = |e: Error| DataFusionError::External(Box::new(e));
        // The query is sent when DataFusion first polls the stream, not before.
        let batches = futures_util::stream::once(async move { df.stream().await })
            .map_ok(move |stream| stream.map_err(spark_error))
            .map_err(spark_error)
            .try_flatten()
            .map(move |batch| batch.and_then(|b| bridge::batch(b, &target)));
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, batches)))
    }
}
