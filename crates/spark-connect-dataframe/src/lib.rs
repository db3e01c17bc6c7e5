//! Spark DataFrames over Spark Connect.
//!
//! A [`SparkSession`] talks to one Spark Connect server; a [`DataFrame`] is a plan built
//! locally with PySpark's names in snake_case and run on the server when a result is asked for.
//! Results arrive as Arrow [`RecordBatch`](arrow_array::RecordBatch)es, streamed as they come.
//!
//! ```no_run
//! use spark_connect_dataframe::SparkSession;
//! use spark_connect_dataframe::functions::{col, lit};
//!
//! # async fn demo() -> Result<(), spark_connect_dataframe::Error> {
//! let spark = SparkSession::builder().remote("sc://127.0.0.1:15002").build().await?;
//! let df = spark
//!     .range(1, 100)
//!     .filter(col("id").gt(lit(90)))
//!     .select((col("id") * lit(2)).alias("twice"));
//! assert_eq!(df.count().await?, 9);
//! df.show(5).await?;
//! # Ok(())
//! # }
//! ```
//!
//! Plans are built without a server, so what a DataFrame sends can be checked offline:
//!
//! ```
//! use spark_connect_dataframe::SparkSession;
//! use spark_connect_dataframe::proto::relation::RelType;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), spark_connect_dataframe::Error> {
//! let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
//! let df = spark.range(0, 10).limit(3);
//! assert!(matches!(df.to_proto().rel_type, Some(RelType::Limit(_))));
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod arguments;
mod artifacts;
mod caching;
mod catalog;
mod column;
mod dataframe;
mod deep_plan;
mod deferred_sql;
mod error;
pub mod functions;
#[doc(hidden)]
pub mod fuzzing;
mod group;
mod interrupt;
mod io;
mod local;
mod merge;
mod observation;
mod payload_shift;
mod plan;
mod progress;
mod relational;
mod reshape;
mod result;
pub mod row;
mod session;
mod sql_compat;
mod statistics;
mod streaming;
mod streaming_events;
mod subquery;
#[cfg(feature = "serde")]
pub mod typed_rows;
pub mod types;
mod udf;
mod window;

pub use arguments::{IntoColumns, IntoNames};
pub use artifacts::ArtifactStats;
pub use caching::StorageLevel;
pub use catalog::{
    Catalog, CatalogColumn, CatalogMetadata, CreateTableOptions, Database, Function, Table,
    TablePartition,
};
pub use column::{AliasNames, Column, IntoCondition, IntoOperand, Literal};
pub use dataframe::{DataFrame, ExplainMode};
pub use deep_plan::MAX_PLAN_DEPTH;
pub use error::Error;
pub use group::GroupedData;
pub use io::{
    DataFrameReader, DataFrameWriter, DataFrameWriterV2, IntoPaths, IntoSaveMode, ReadSchema,
    SaveMode,
};
pub use merge::{MergeIntoWriter, WhenMatched, WhenNotMatched, WhenNotMatchedBySource};
pub use observation::{IntoObservation, Observation, ObservedMetrics};
pub use progress::{ExecutionProgress, ProgressWatch, StageProgress};
pub use relational::{IntoJoinType, JoinOn, JoinType, NearestBy, NearestMode};
pub use result::{PayloadCopies, RecordBatchStream};
pub use row::{FromValue, Row, RowIndex};
pub use session::{
    DEFAULT_REMOTE, RuntimeConfig, SPARK_REMOTE_ENV, SparkSession, SparkSessionBuilder,
};
pub use spark_connect_transport::ErrorKind;
pub use spark_connect_transport::proto;
pub use statistics::{DataFrameNaFunctions, DataFrameStatFunctions};
pub use streaming::{
    DataStreamReader, DataStreamWriter, OutputMode, StreamingQuery, StreamingQueryException,
    StreamingQueryManager, StreamingQueryStatus, Trigger,
};
pub use streaming_events::{StreamingQueryEvent, StreamingQueryEventKind, StreamingQueryEvents};
#[cfg(feature = "serde")]
pub use typed_rows::TypedRowStream;
pub use types::{DataType, StructField, StructType};
pub use udf::UdfRegistration;
pub use window::{Window, WindowSpec};

/// A session for unit tests that only build plans: nothing listens at port 1, and nothing
/// connects until a request is sent.
#[cfg(test)]
pub(crate) async fn offline_session() -> SparkSession {
    SparkSession::builder()
        .remote("sc://127.0.0.1:1")
        .build()
        .await
        .unwrap()
}

/// The examples of the crate's README.md, compiled and run as doctests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
