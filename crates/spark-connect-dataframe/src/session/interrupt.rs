//! Stopping running queries and sessions: interrupts, operation tags and `stop` (PySpark's
//! `interruptAll`, `interruptTag`, `interruptOperation`, `addTag`, ..., `stop`).

use crate::Error;
use crate::session::SparkSession;

impl SparkSession {
    /// Ends the session on the server (PySpark's `spark.stop()`): running queries are
    /// interrupted and the session's temporary views, settings and cached data are dropped.
    /// Later calls on this session (and its clones) fail with a session-ended error (see
    /// [`Error::session_end`]) without reaching the server. Stopping a session that has
    /// already ended does nothing.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.stop().await?;
    /// assert!(spark.is_stopped());
    /// assert!(spark.range(0, 1).count().await.unwrap_err().session_end().is_some());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn stop(&self) -> Result<(), Error> {
        Ok(self.client().release_session().await?)
    }

    /// Whether this session has ended (PySpark's `is_stopped`): [`stop`](Self::stop) was
    /// called, or a call found that the server had ended it (it was idle longer than the
    /// server's session timeout, or the server or cluster restarted). An ended session stays
    /// ended: its calls fail at once with a session-ended error ([`Error::session_end`]);
    /// make a new session. The reason is
    /// [`client().session_end()`](spark_connect_transport::SparkConnectClient::session_end).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// let spark = spark_connect_dataframe::SparkSession::builder()
    ///     .remote("sc://127.0.0.1:1")
    ///     .build()
    ///     .await?;
    /// assert!(!spark.is_stopped());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_stopped(&self) -> bool {
        self.client().is_closed()
    }

    /// Interrupts every query of this session that is running; returns their operation ids.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let interrupted: Vec<String> = spark.interrupt_all().await?; // operation ids
    /// # Ok(())
    /// # }
    /// ```
    pub async fn interrupt_all(&self) -> Result<Vec<String>, Error> {
        Ok(self.client().interrupt_all().await?)
    }

    /// Interrupts the running queries of this session that carry `tag` (see
    /// [`add_tag`](Self::add_tag)); returns their operation ids.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.add_tag("nightly")?;
    /// // ... in another task, while the tagged queries run:
    /// let interrupted = spark.interrupt_tag("nightly").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn interrupt_tag(&self, tag: &str) -> Result<Vec<String>, Error> {
        Ok(self.client().interrupt_tag(tag).await?)
    }

    /// Interrupts one query by its operation id
    /// ([`RecordBatchStream::operation_id`](crate::RecordBatchStream::operation_id)); returns
    /// its id when it was running.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// let stream = df.stream().await?;
    /// let interrupted = df.session().interrupt_operation(stream.operation_id()).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn interrupt_operation(&self, operation_id: &str) -> Result<Vec<String>, Error> {
        Ok(self.client().interrupt_operation(operation_id).await?)
    }

    /// Tags the queries this session starts from now on, so that
    /// [`interrupt_tag`](Self::interrupt_tag) can stop them. Unlike PySpark, where tags belong
    /// to a thread, tags here belong to the session and its clones. A tag must be non-empty
    /// and contain no `,`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// let spark = spark_connect_dataframe::SparkSession::builder()
    ///     .remote("sc://127.0.0.1:1")
    ///     .build()
    ///     .await?;
    /// spark.add_tag("nightly-report")?;
    /// assert_eq!(spark.get_tags(), ["nightly-report"]);
    /// assert!(spark.add_tag("a,b").is_err());
    /// spark.clear_tags();
    /// assert!(spark.get_tags().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn add_tag(&self, tag: &str) -> Result<(), Error> {
        Ok(self.client().add_tag(tag)?)
    }

    /// Stops tagging new queries with `tag`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// spark.add_tag("nightly")?;
    /// spark.remove_tag("nightly");
    /// assert!(spark.get_tags().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn remove_tag(&self, tag: &str) {
        self.client().remove_tag(tag)
    }

    /// The tags new queries get.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// spark.add_tag("a")?;
    /// spark.add_tag("b")?;
    /// assert_eq!(spark.get_tags().len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    pub fn get_tags(&self) -> Vec<String> {
        self.client().tags()
    }

    /// Stops tagging new queries.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// spark.add_tag("a")?;
    /// spark.clear_tags();
    /// assert!(spark.get_tags().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn clear_tags(&self) {
        self.client().clear_tags()
    }
}
