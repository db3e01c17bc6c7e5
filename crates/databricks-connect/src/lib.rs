//! Databricks Connect for Rust.
//!
//! Build Spark DataFrame queries in Rust and run them on a remote Spark cluster over Spark
//! Connect; results come back as Arrow record batches. This crate is the front door: it
//! re-exports the DataFrame API and provides [`DatabricksSession`].
//!
//! ```no_run
//! use databricks_connect::DatabricksSession;
//! use databricks_connect::functions::col;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let spark = DatabricksSession::builder()
//!     .remote("sc://127.0.0.1:15002")
//!     .get_or_create()
//!     .await?;
//! let df = spark.range(1, 10).filter(col("id").gt(5));
//! df.show(10).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Connection parameters are resolved as Python's `databricks-connect` resolves them; see
//! [`DatabricksSession`]. Set `SPARK_CONNECT_LOG_LEVEL=debug` to see where they came from and
//! which authentication was used.

#![warn(missing_docs)]

pub mod blocking;
mod logging;
mod session;
mod session_end;

pub use logging::{LOG_LEVEL_ENV, init_from_env as init_logging_from_env};

pub use session::{
    ClusterError, ClusterState, ClusterWait, Compute, DEFAULT_CLUSTER_START_TIMEOUT,
    DatabricksSession, DatabricksSessionBuilder, Endpoint, Error, ParameterSource,
    ResolvedConnection, USAGE_POLICY_ENV, auth_error_kind, format_wait,
};
/// What kind of failure an error is; every error of this crate (and of the crates beneath it)
/// has a `kind()` returning one. See [`Error`].
pub use spark_connect_transport::ErrorKind;

#[cfg(feature = "polars")]
pub use spark_connect_dataframe::polars_frames;
pub use spark_connect_dataframe::{
    AliasNames, ArtifactStats, Column, DataFrame, DataFrameNaFunctions, DataFrameStatFunctions,
    DataType, ExplainMode, GroupedData, IntoColumns, IntoCondition, IntoJoinType, IntoNames,
    IntoOperand, JoinOn, JoinType, Literal, PayloadCopies, RecordBatchStream, RuntimeConfig,
    SparkSession, StorageLevel, StructField, StructType, Window, WindowSpec, functions, proto,
    types,
};
pub use spark_connect_dataframe::{
    Catalog, CatalogColumn, CatalogMetadata, CreateTableOptions, Database, Function,
    IntoObservation, Observation, ObservedMetrics, Table, TablePartition, UdfRegistration,
};
pub use spark_connect_dataframe::{
    DataFrameReader, DataFrameWriter, DataFrameWriterV2, IntoPaths, IntoSaveMode, ReadSchema,
    SaveMode,
};
pub use spark_connect_dataframe::{
    DataStreamReader, DataStreamWriter, OutputMode, StreamingQuery, StreamingQueryEvent,
    StreamingQueryEventKind, StreamingQueryEvents, StreamingQueryException, StreamingQueryManager,
    StreamingQueryStatus, Trigger,
};
pub use spark_connect_dataframe::{Error as SparkError, SPARK_REMOTE_ENV};
pub use spark_connect_dataframe::{ExecutionProgress, ProgressWatch, StageProgress};
/// Rows of a result read by column name or position, as PySpark's `Row`: [`Row::get`].
pub use spark_connect_dataframe::{FromValue, Row, RowIndex, row};
pub use spark_connect_dataframe::{
    MergeIntoWriter, NearestBy, NearestMode, WhenMatched, WhenNotMatched, WhenNotMatchedBySource,
};
#[cfg(feature = "serde")]
pub use spark_connect_dataframe::{TypedRowStream, typed_rows};
/// HTTP proxies: the rules (`HTTPS_PROXY`, `grpc_proxy`, `ALL_PROXY`, `NO_PROXY`, ...) that
/// choose the proxy of the gRPC channel and of every REST call, read from the configuration's
/// environment; see docs/authentication.md.
pub use spark_connect_transport::proxy;
pub use spark_connect_transport::{
    ConnectionString, Feature, HeaderSourceError, ServerError, ServerErrorKind, ServerVersion,
    SessionEndReason, SparkVersion, TOKEN_ENV_VAR,
};

/// What a program needs, in one import: `use databricks_connect::prelude::*;`
///
/// Sessions ([`DatabricksSession`], [`SparkSession`]), [`DataFrame`], [`Column`], the
/// functions module as `F` (PySpark's `functions as F`) and its most used functions (`col`,
/// `lit`, `expr`, `when`), [`Window`], [`JoinType`], [`SaveMode`], the Spark types, Arrow's
/// [`RecordBatch`](crate::arrow::RecordBatch), the errors ([`Error`], [`SparkError`], [`ErrorKind`]) and the stream
/// traits that give [`DataFrame::stream`]'s result `.next()` and `.try_next()` (imported
/// anonymously, so they clash with nothing).
///
/// ```
/// use databricks_connect::prelude::*;
///
/// # async fn demo() -> Result<(), Error> {
/// let spark = DatabricksSession::builder().remote("sc://127.0.0.1:15002").get_or_create().await?;
/// let df: DataFrame = spark
///     .range(0, 100)
///     .with_column("bucket", F::pmod(col("id"), lit(10)))
///     .filter(col("bucket").eq(lit(3)));
/// let mut batches = df.stream().await?;
/// while let Some(batch) = batches.try_next().await? {
///     let batch: RecordBatch = batch;
///     println!("{} rows", batch.num_rows());
/// }
/// # Ok(())
/// # }
/// ```
pub mod prelude {
    pub use crate::arrow::RecordBatch;
    pub use crate::functions::{self as F, col, expr, lit, when};
    pub use crate::{
        Column, DataFrame, DataType, DatabricksSession, Error, ErrorKind, JoinType, Row, SaveMode,
        SparkError, SparkSession, StructField, StructType, Window,
    };
    pub use futures_util::{StreamExt as _, TryStreamExt as _};
}

/// chrono, whose types are the date and time values of literals (`lit(NaiveDate)`,
/// `lit(DateTime<Utc>)`) and of rows (`row.get::<NaiveDateTime>("at")`): the version this
/// crate takes, so a program needs no `chrono` of its own that must match it. With the
/// `serde` feature (on by default), its types are `Serialize`/`Deserialize` for typed rows.
///
/// ```
/// use databricks_connect::chrono::NaiveDate;
/// use databricks_connect::functions::{col, lit};
///
/// let recent = col("hired").ge(lit(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()));
/// # let _ = recent;
/// ```
pub use chrono;

/// Spark tables and DataFrames in DataFusion queries (feature `datafusion`):
/// [`SparkTableProvider`](datafusion::SparkTableProvider) pushes the columns, filters and
/// limit of a DataFusion scan down into the Spark plan and streams Spark's Arrow batches into
/// DataFusion. DataFusion itself, the version the provider is built for (55, with Parquet and
/// SQL), is [`datafusion::engine`]. Needs Rust 1.94 (DataFusion's minimum). What is pushed
/// down and what is not: docs/datafusion.md.
///
/// ```no_run
/// use std::sync::Arc;
/// use databricks_connect::DatabricksSession;
/// use databricks_connect::datafusion::SparkTableProvider;
/// use databricks_connect::datafusion::engine::prelude::{ParquetReadOptions, SessionContext};
///
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let spark = DatabricksSession::builder().get_or_create().await?;
/// let ctx = SessionContext::new();
/// ctx.register_table("orders", Arc::new(SparkTableProvider::table(&spark, "main.sales.orders").await?))?;
/// ctx.register_parquet("customers", "customers.parquet", ParquetReadOptions::default()).await?;
/// let joined = ctx
///     .sql("SELECT c.name, sum(o.amount) AS total FROM orders o JOIN customers c ON o.customer_id = c.id \
///           WHERE o.status = 'shipped' GROUP BY c.name")
///     .await?;
/// joined.show().await?;
/// # Ok(())
/// # }
/// ```
#[cfg(feature = "datafusion")]
pub mod datafusion {
    pub use spark_connect_dataframe::datafusion::{SparkScanExec, SparkTableProvider};

    /// DataFusion 55, the engine [`SparkTableProvider`] plugs into, with its `parquet` and
    /// `sql` features: use it rather than a `datafusion` dependency of one's own, so that the
    /// versions always match.
    ///
    /// ```
    /// use databricks_connect::datafusion::engine::prelude::SessionContext;
    /// let ctx = SessionContext::new();
    /// # let _ = ctx;
    /// ```
    pub use ::datafusion as engine;
}

/// Databricks credentials providers, for `credentials`.
pub use databricks_auth as auth;
/// The Databricks configuration (profiles, `DATABRICKS_*` variables), for `sdk_config`.
pub use databricks_config as config;

/// Arrow types that results are made of, and printing them.
pub mod arrow {
    pub use arrow_array::{self as array, RecordBatch};
    pub use arrow_schema::{self as schema, Schema, SchemaRef};

    /// Batches printed as tables (Arrow's `arrow_cast::pretty`), without a dependency on
    /// `arrow-cast` of your own: [`pretty_format_batches`](pretty::pretty_format_batches)
    /// gives the text, [`print_batches`](pretty::print_batches) prints it. Values are as Arrow
    /// shows them, all rows; [`DataFrame::show`](crate::DataFrame::show) prints the table Spark
    /// makes, as PySpark's `show()` does.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use databricks_connect::arrow::array::{Int64Array, RecordBatch};
    /// use databricks_connect::arrow::pretty::pretty_format_batches;
    ///
    /// let batch = RecordBatch::try_from_iter([("id", Arc::new(Int64Array::from(vec![1, 2])) as _)])?;
    /// assert_eq!(
    ///     pretty_format_batches(&[batch])?.to_string(),
    ///     "+----+\n| id |\n+----+\n| 1  |\n| 2  |\n+----+"
    /// );
    /// # Ok::<(), databricks_connect::arrow::schema::ArrowError>(())
    /// ```
    pub mod pretty {
        pub use arrow_cast::display::FormatOptions;
        pub use arrow_cast::pretty::{
            pretty_format_batches, pretty_format_batches_with_options, pretty_format_columns,
            print_batches, print_columns,
        };
    }
}

/// The README's Rust examples, compiled as doctests so that they never drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// The examples of this crate's own README.md (the one its package carries), compiled as
/// doctests for the same reason.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadmeDoctests;
