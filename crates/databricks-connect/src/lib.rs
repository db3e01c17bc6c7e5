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
//! # What works today
//!
//! Plain Spark Connect servers through `remote("sc://…")` or `SPARK_REMOTE`. Databricks
//! workspace resolution (profiles in `~/.databrickscfg`, `DATABRICKS_*` variables, OAuth,
//! cluster and serverless targets) is not built yet: without a remote, the builder says so
//! instead of guessing.

#![warn(missing_docs)]

mod session;

pub use session::{DatabricksSession, DatabricksSessionBuilder, Error};

pub use spark_connect_dataframe::{
    Column, DataFrame, DataType, ExplainMode, IntoCondition, Literal, RecordBatchStream,
    RuntimeConfig, SparkSession, StructField, StructType, functions, types,
};
pub use spark_connect_transport::{ConnectionString, ServerError, ServerErrorKind};

/// Arrow types that results are made of.
pub mod arrow {
    pub use arrow_array::{self as array, RecordBatch};
    pub use arrow_schema::{self as schema, Schema, SchemaRef};
}
