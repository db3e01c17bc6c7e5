//! A blocking API for programs without an async runtime: scripts, tests, plain `fn main()`.
//!
//! The builder has the same methods as the async [`crate::DatabricksSessionBuilder`]; the
//! session and DataFrames it gives wait for their results instead of returning futures.
//!
//! ```no_run
//! use databricks_connect::blocking::DatabricksSession;
//! use databricks_connect::functions::col;
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let spark = DatabricksSession::builder()
//!         .remote("sc://127.0.0.1:15002")
//!         .get_or_create()?;
//!     println!("Spark {}", spark.version()?);
//!     let df = spark.range(0, 10).filter(col("id").gt(4));
//!     assert_eq!(df.count()?, 5);
//!     for batch in spark.sql("SELECT id FROM range(3)")?.stream()? {
//!         println!("{} rows", batch?.num_rows());
//!     }
//!     Ok(())
//! }
//! ```
//!
//! All blocking sessions share one small background runtime (one worker thread), which keeps
//! their connections alive between calls. Calling a blocking method from inside an async
//! runtime (a `#[tokio::main]` function or a task) would block that runtime's thread, so it
//! returns [`Error::InsideAsyncRuntime`] instead; use the async API there.

use std::future::Future;
use std::sync::OnceLock;

use arrow_array::RecordBatch;
use futures_util::StreamExt;

use crate::{Column, ExplainMode, IntoCondition, StructType};

/// An error of the blocking API.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A blocking method was called on a thread that runs an async runtime.
    #[error(
        "a blocking databricks_connect method was called inside an async runtime, where it would block the runtime's thread: use the async API (databricks_connect::DatabricksSession) there, or call it from a thread of its own (std::thread::spawn)"
    )]
    InsideAsyncRuntime,
    /// The background runtime could not be started.
    #[error("cannot start the background runtime of the blocking API: {0}")]
    Runtime(String),
    /// The session could not be made.
    #[error(transparent)]
    Session(#[from] crate::Error),
    /// A query or its result failed.
    #[error(transparent)]
    Spark(#[from] crate::SparkError),
}

/// The runtime that every blocking session runs on. It lives as long as the process, so that a
/// session's connection, made on it, outlives any one call.
fn runtime() -> Result<&'static tokio::runtime::Runtime, Error> {
    static RUNTIME: OnceLock<Result<tokio::runtime::Runtime, String>> = OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("databricks-connect-blocking")
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
        })
        .as_ref()
        .map_err(|e| Error::Runtime(e.clone()))
}

/// Runs `future` to completion on the shared runtime, unless this thread is in a runtime.
fn block_on<F: Future>(future: F) -> Result<F::Output, Error> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::InsideAsyncRuntime);
    }
    Ok(runtime()?.block_on(future))
}

/// Makes blocking [`SparkSession`]s; the connection parameters are resolved as for
/// [`crate::DatabricksSession`].
#[derive(Debug, Clone, Copy)]
pub struct DatabricksSession;

impl DatabricksSession {
    /// A builder with nothing set: everything from the environment or the `DEFAULT` profile.
    pub fn builder() -> DatabricksSessionBuilder {
        DatabricksSessionBuilder {
            inner: crate::DatabricksSession::builder(),
        }
    }
}

/// Builds a blocking session; the same methods as [`crate::DatabricksSessionBuilder`].
#[derive(Debug, Clone)]
pub struct DatabricksSessionBuilder {
    inner: crate::DatabricksSessionBuilder,
}

macro_rules! delegate {
    ($($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            $(#[$doc])*
            pub fn $name(self, $($arg: $ty),*) -> Self {
                DatabricksSessionBuilder { inner: self.inner.$name($($arg),*) }
            }
        )*
    };
}

impl DatabricksSessionBuilder {
    delegate! {
        /// A full `sc://` connection string.
        remote(url: impl Into<String>);
        /// The workspace URL.
        host(host: impl Into<String>);
        /// A personal access token.
        token(token: impl Into<String>);
        /// The cluster to run on.
        cluster_id(cluster_id: impl Into<String>);
        /// Serverless compute.
        serverless();
        /// A profile of `~/.databrickscfg`.
        profile(profile: impl Into<String>);
        /// A resolved Databricks SDK configuration.
        sdk_config(config: crate::config::Config);
        /// A header sent with every request.
        header(name: impl Into<String>, value: impl Into<String>);
        /// Text added to the user agent.
        user_agent(user_agent: impl Into<String>);
        /// Whether to check the cluster before connecting.
        validate_session(validate: bool);
        /// An extra certificate authority, PEM encoded.
        root_certificate_pem(pem: impl Into<Vec<u8>>);
        /// The credentials providers to try.
        credentials(chain: crate::auth::CredentialsChain);
    }

    /// A new session, never a cached one.
    pub fn create(self) -> Result<SparkSession, Error> {
        let inner = block_on(self.inner.create())??;
        Ok(SparkSession { inner })
    }

    /// The session made earlier with the same configuration, or a new one.
    pub fn get_or_create(self) -> Result<SparkSession, Error> {
        let inner = block_on(self.inner.get_or_create())??;
        Ok(SparkSession { inner })
    }
}

/// A Spark session whose methods wait for their results. Cheap to clone.
#[derive(Clone)]
pub struct SparkSession {
    inner: crate::SparkSession,
}

impl std::fmt::Debug for SparkSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparkSession")
            .field("session_id", &self.inner.session_id())
            .finish()
    }
}

impl SparkSession {
    /// The async session underneath, for the parts of the API not wrapped here. Its futures
    /// must be run with [`SparkSession::block_on`].
    pub fn as_async(&self) -> &crate::SparkSession {
        &self.inner
    }

    /// Runs a future of the async API on the runtime this session's connection lives on.
    pub fn block_on<F: Future>(&self, future: F) -> Result<F::Output, Error> {
        block_on(future)
    }

    /// The session id.
    pub fn session_id(&self) -> &str {
        self.inner.session_id()
    }

    /// The server's Spark version.
    pub fn version(&self) -> Result<String, Error> {
        Ok(block_on(self.inner.version())??)
    }

    /// The numbers `start..end` in a column `id`.
    pub fn range(&self, start: i64, end: i64) -> DataFrame {
        DataFrame::from(self.inner.range(start, end))
    }

    /// A table or view by name.
    pub fn table(&self, name: &str) -> DataFrame {
        DataFrame::from(self.inner.table(name))
    }

    /// A DataFrame of local Arrow batches, sent to the server with the plan.
    pub fn create_dataframe(&self, batches: &[RecordBatch]) -> Result<DataFrame, Error> {
        Ok(DataFrame::from(self.inner.create_dataframe(batches)?))
    }

    /// A DataFrame of a SQL query; commands (DDL, `SET`) run right away.
    pub fn sql(&self, query: &str) -> Result<DataFrame, Error> {
        Ok(DataFrame::from(block_on(self.inner.sql(query))??))
    }
}

/// A lazy query plan whose actions (`collect`, `count`, ...) wait for their results.
///
/// Transformations that are not wrapped here are reached with [`DataFrame::transform`], which
/// hands over the async DataFrame (building a plan never waits):
///
/// ```no_run
/// # use databricks_connect::blocking::DatabricksSession;
/// use databricks_connect::functions::expr;
/// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// # let spark = DatabricksSession::builder().get_or_create()?;
/// let counts = spark
///     .range(0, 100)
///     .transform(|df| df.group_by([expr("id % 3").alias("k")]).count())
///     .collect()?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct DataFrame {
    inner: crate::DataFrame,
}

impl From<crate::DataFrame> for DataFrame {
    fn from(inner: crate::DataFrame) -> Self {
        DataFrame { inner }
    }
}

impl DataFrame {
    /// The async DataFrame underneath.
    pub fn into_async(self) -> crate::DataFrame {
        self.inner
    }

    /// Applies a transformation of the async API.
    pub fn transform(self, f: impl FnOnce(crate::DataFrame) -> crate::DataFrame) -> DataFrame {
        DataFrame::from(f(self.inner))
    }

    /// Projects a set of columns.
    pub fn select<C: Into<Column>>(self, columns: impl IntoIterator<Item = C>) -> DataFrame {
        DataFrame::from(self.inner.select(columns))
    }

    /// Projects a set of SQL expressions.
    pub fn select_expr<S: AsRef<str>>(self, expressions: impl IntoIterator<Item = S>) -> DataFrame {
        DataFrame::from(self.inner.select_expr(expressions))
    }

    /// Keeps the rows where `condition` holds.
    pub fn filter(self, condition: impl IntoCondition) -> DataFrame {
        DataFrame::from(self.inner.filter(condition))
    }

    /// Adds or replaces a column.
    pub fn with_column(self, name: &str, column: impl Into<Column>) -> DataFrame {
        DataFrame::from(self.inner.with_column(name, column))
    }

    /// Sorts by the given columns.
    pub fn order_by<C: Into<Column>>(self, columns: impl IntoIterator<Item = C>) -> DataFrame {
        DataFrame::from(self.inner.order_by(columns))
    }

    /// At most `n` rows.
    pub fn limit(self, n: i32) -> DataFrame {
        DataFrame::from(self.inner.limit(n))
    }

    /// Runs the query and returns every batch.
    pub fn collect(&self) -> Result<Vec<RecordBatch>, Error> {
        Ok(block_on(self.inner.collect())??)
    }

    /// The number of rows.
    pub fn count(&self) -> Result<i64, Error> {
        Ok(block_on(self.inner.count())??)
    }

    /// The schema, as Spark sees it.
    pub fn schema(&self) -> Result<StructType, Error> {
        Ok(block_on(self.inner.schema())??)
    }

    /// The column names.
    pub fn columns(&self) -> Result<Vec<String>, Error> {
        Ok(block_on(self.inner.columns())??)
    }

    /// The plan as text.
    pub fn explain(&self, mode: ExplainMode) -> Result<String, Error> {
        Ok(block_on(self.inner.explain(mode))??)
    }

    /// The first `n` rows as PySpark's `show()` table.
    pub fn show_string(&self, n: i32, truncate: i32, vertical: bool) -> Result<String, Error> {
        Ok(block_on(self.inner.show_string(n, truncate, vertical))??)
    }

    /// Prints the first `n` rows, as PySpark's `show(n)` does.
    pub fn show(&self, n: i32) -> Result<(), Error> {
        println!("{}", self.show_string(n, 20, false)?);
        Ok(())
    }

    /// Runs the query and returns an iterator over its batches as they arrive; memory stays
    /// bounded by a few batches whatever the size of the result.
    pub fn stream(&self) -> Result<RecordBatchIter, Error> {
        let stream = block_on(self.inner.stream())??;
        Ok(RecordBatchIter { stream })
    }
}

/// The batches of a result, each waited for as the iterator is advanced.
pub struct RecordBatchIter {
    stream: crate::RecordBatchStream,
}

impl std::fmt::Debug for RecordBatchIter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordBatchIter")
            .field("operation_id", &self.stream.operation_id())
            .finish()
    }
}

impl RecordBatchIter {
    /// The Arrow schema of the result, once the server has sent it.
    pub fn schema(&self) -> Option<arrow_schema::SchemaRef> {
        self.stream.schema()
    }
}

impl Iterator for RecordBatchIter {
    type Item = Result<RecordBatch, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match block_on(self.stream.next()) {
            Ok(item) => item.map(|r| r.map_err(Error::from)),
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn inside_an_async_runtime_is_an_error_not_a_panic() {
        let result = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .get_or_create();
        assert!(
            matches!(result, Err(Error::InsideAsyncRuntime)),
            "{result:?}"
        );
        let message = result.unwrap_err().to_string();
        assert!(message.contains("inside an async runtime"), "{message}");
    }

    #[test]
    fn a_bad_connection_string_is_the_session_error() {
        let result = DatabricksSession::builder()
            .remote("http://nope")
            .get_or_create();
        assert!(matches!(result, Err(Error::Session(_))), "{result:?}");
    }
}
