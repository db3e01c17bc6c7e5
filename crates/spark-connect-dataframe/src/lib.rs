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
//!
//! # Where things are
//!
//! The crate is laid out by the parts a reader looks for; everything public is re-exported
//! here, at the crate root.
//!
//! | Part | Public items | Source |
//! |---|---|---|
//! | Session | [`SparkSession`], [`SparkSessionBuilder`], [`RuntimeConfig`], [`UdfRegistration`] | `src/session/` |
//! | DataFrames and plan building | [`DataFrame`] (its documentation indexes its methods by purpose), [`GroupedData`], [`Observation`], [`StorageLevel`], [`DataFrameNaFunctions`], [`DataFrameStatFunctions`] | `src/dataframe/` |
//! | Columns and functions | [`Column`], [`Window`], [`functions`] | `src/column/`, `src/functions/` |
//! | Spark types | [`DataType`], [`StructType`], [`types`] | `src/types.rs` |
//! | Results and decoding | [`RecordBatchStream`], [`Row`], [`row`], `typed_rows`, `polars_frames` (feature `polars`), [`ExecutionProgress`] | `src/result/` |
//! | Reading and writing | [`DataFrameReader`], [`DataFrameWriter`], [`DataFrameWriterV2`], [`MergeIntoWriter`] | `src/io/` |
//! | Catalog | [`Catalog`] | `src/catalog.rs` |
//! | Streaming | [`DataStreamReader`], [`DataStreamWriter`], [`StreamingQuery`], [`StreamingQueryManager`] | `src/streaming/` |
//! | Errors | [`Error`], [`ErrorKind`] | `src/error.rs` |
//! | DataFusion (feature `datafusion`) | `datafusion::SparkTableProvider`, `datafusion::SparkScanExec` | `src/datafusion/` |

#![warn(missing_docs)]

mod catalog;
mod column;
mod dataframe;
#[cfg(feature = "datafusion")]
pub mod datafusion;
mod error;
pub mod functions;
mod io;
mod result;
mod session;
mod streaming;
pub mod types;

#[doc(hidden)]
pub use result::fuzzing;
/// polars DataFrames, both ways (feature `polars`): the types each side gets, and the
/// conversions between Arrow batches and polars.
#[cfg(feature = "polars")]
pub use result::polars_frames;
pub use result::row;
#[cfg(feature = "serde")]
pub use result::typed_rows;

// Short crate-internal paths (`crate::deep_plan::check_depth(..)`) that code in several parts
// writes out in full inside function bodies and fields.
use dataframe::{deep_plan, observation, relational, subquery};
use result::payload_shift;
use session::artifacts;
use streaming::events as streaming_events;

pub use catalog::{
    Catalog, CatalogColumn, CatalogMetadata, CreateTableOptions, Database, Function, Table,
    TablePartition,
};
pub use column::arguments::{IntoColumns, IntoNames};
pub use column::window::{Window, WindowSpec};
pub use column::{AliasNames, Column, IntoCondition, IntoOperand, Literal};
pub use dataframe::caching::StorageLevel;
pub use dataframe::deep_plan::MAX_PLAN_DEPTH;
pub use dataframe::group::GroupedData;
pub use dataframe::observation::{IntoObservation, Observation, ObservedMetrics};
pub use dataframe::relational::{IntoJoinType, JoinOn, JoinType, NearestBy, NearestMode};
pub use dataframe::statistics::{DataFrameNaFunctions, DataFrameStatFunctions};
pub use dataframe::{DataFrame, ExplainMode};
pub use error::Error;
pub use io::merge::{MergeIntoWriter, WhenMatched, WhenNotMatched, WhenNotMatchedBySource};
pub use io::{
    DataFrameReader, DataFrameWriter, DataFrameWriterV2, IntoPaths, IntoSaveMode, ReadSchema,
    SaveMode,
};
pub use result::progress::{ExecutionProgress, ProgressWatch, StageProgress};
pub use result::{PayloadCopies, RecordBatchStream};
pub use row::{FromValue, Row, RowIndex};
pub use session::artifacts::ArtifactStats;
pub use session::udf::UdfRegistration;
pub use session::{
    DEFAULT_REMOTE, RuntimeConfig, SPARK_REMOTE_ENV, SparkSession, SparkSessionBuilder,
};
pub use spark_connect_transport::ErrorKind;
pub use spark_connect_transport::proto;
/// The server versions and the version-dependent features of the protocol (see
/// [`Feature`]): what an older server (Spark 3.5) is refused.
pub use spark_connect_transport::{Feature, ServerVersion, SparkVersion};
pub use streaming::events::{StreamingQueryEvent, StreamingQueryEventKind, StreamingQueryEvents};
pub use streaming::{
    DataStreamReader, DataStreamWriter, OutputMode, StreamingQuery, StreamingQueryException,
    StreamingQueryManager, StreamingQueryStatus, Trigger,
};
#[cfg(feature = "serde")]
pub use typed_rows::TypedRowStream;
pub use types::{DataType, StructField, StructType};

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
