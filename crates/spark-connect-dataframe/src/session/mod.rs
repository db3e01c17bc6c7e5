//! `SparkSession`: the entry point, one Spark Connect session on a server.
//!
//! This folder holds the session and what it does apart from DataFrames:
//! - here: [`SparkSession`], its builder, [`RuntimeConfig`] (`spark.conf`), `sql`, `range`,
//!   `table`, and the command plan every command is sent in;
//! - `local.rs`: DataFrames from local Arrow data and SQL with parameters (`pyspark_local.rs`
//!   checks them against what PySpark sends);
//! - `artifacts.rs`: large local data sent once as a cached artifact;
//! - `interrupt.rs`: interrupts, operation tags and `stop`;
//! - `udf.rs`: registering Java and Scala functions ([`UdfRegistration`](crate::UdfRegistration));
//! - plumbing: `sql_compat.rs` (the `SqlCommand` form each server version takes) and
//!   `deferred_sql.rs` (SQL run at once, for the CLI).

pub(crate) mod artifacts;
mod deferred_sql;
mod interrupt;
mod local;
mod sql_compat;
pub(crate) mod udf;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use spark_connect_transport::{ClientBuilder, ConnectionString, SparkConnectClient, proto};

use crate::Error;
use crate::dataframe::{ComputedResult, DataFrame};
use crate::result::RecordBatchStream;

/// The environment variable naming the server when the builder is given none.
pub const SPARK_REMOTE_ENV: &str = "SPARK_REMOTE";

/// The server used when neither the builder nor `SPARK_REMOTE` names one: a Spark Connect
/// server on this machine, such as the one `cargo xtask spark start` runs.
pub const DEFAULT_REMOTE: &str = "sc://localhost";

/// A session on a Spark Connect server. Cheap to clone; clones share the session.
///
/// ```no_run
/// use spark_connect_dataframe::SparkSession;
///
/// # async fn demo() -> Result<(), spark_connect_dataframe::Error> {
/// let spark = SparkSession::builder().remote("sc://127.0.0.1:15002").build().await?;
/// let batches = spark.range(1, 10).collect().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct SparkSession {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    client: SparkConnectClient,
    next_plan_id: AtomicI64,
    /// The observations of `DataFrame::observe`, to deliver observed metrics to.
    observations: Arc<crate::observation::Registry>,
    /// The plans of subquery columns (`DataFrame::scalar`, `exists`), sent with the queries
    /// that use them.
    subqueries: crate::subquery::Subqueries,
    local_data: crate::artifacts::LocalDataState,
}

/// Builds a [`SparkSession`].
#[derive(Default)]
pub struct SparkSessionBuilder {
    remote: Option<String>,
    configure: Option<ClientConfigure>,
}

/// A function that adjusts the transport client before it is built (headers, CA certificates,
/// user agent).
type ClientConfigure = Box<dyn FnOnce(ClientBuilder) -> ClientBuilder + Send>;

impl std::fmt::Debug for SparkSessionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SparkSessionBuilder")
            .field("remote", &self.remote.as_ref().map(|_| "<set>"))
            .field("configure", &self.configure.is_some())
            .finish()
    }
}

impl SparkSessionBuilder {
    /// The server's `sc://` connection string. Without it, `SPARK_REMOTE` is used, and
    /// without that [`DEFAULT_REMOTE`].
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// let spark = SparkSession::builder().remote("sc://127.0.0.1:15002").build().await?;
    /// assert!(!spark.session_id().is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn remote(mut self, url: impl Into<String>) -> Self {
        self.remote = Some(url.into());
        self
    }

    /// Adjusts the transport client (extra headers, a header source, CA certificates).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// use spark_connect_transport::Header;
    /// let spark = SparkSession::builder()
    ///     .remote("sc://127.0.0.1:1")
    ///     .configure_client(|c| c.header(Header::new("x-team", "analytics")))
    ///     .build()
    ///     .await?;
    /// # let _ = spark;
    /// # Ok(())
    /// # }
    /// ```
    pub fn configure_client(
        mut self,
        f: impl FnOnce(ClientBuilder) -> ClientBuilder + Send + 'static,
    ) -> Self {
        self.configure = Some(Box::new(f));
        self
    }

    /// Makes the session. The connection opens on the first request.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let e = SparkSession::builder().remote("http://host:15002").build().await.unwrap_err();
    /// assert!(e.to_string().contains("must be 'sc://'"), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn build(self) -> Result<SparkSession, Error> {
        let (url, source) = match self.remote {
            Some(url) => (url, "the builder"),
            None => match std::env::var(SPARK_REMOTE_ENV) {
                Ok(url) if !url.is_empty() => (url, SPARK_REMOTE_ENV),
                _ => (DEFAULT_REMOTE.to_string(), "the default"),
            },
        };
        let conn = ConnectionString::parse(&url)?;
        tracing::debug!(remote = %conn, source, "connecting to Spark Connect");
        let mut builder = SparkSession::client_builder(conn);
        if let Some(configure) = self.configure {
            builder = configure(builder);
        }
        Ok(SparkSession::from_client(builder.build()?))
    }
}

impl SparkSession {
    /// A builder; see [`SparkSessionBuilder`].
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # let _ = spark;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder() -> SparkSessionBuilder {
        SparkSessionBuilder::default()
    }

    /// A transport client builder with what this crate's result decoding wants of the
    /// transport: Arrow payloads placed so that Arrow never copies their buffers (see
    /// [`ClientBuilder::payload_placement`]). A facade that builds its own client starts here.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// use spark_connect_transport::ConnectionString;
    /// let conn = ConnectionString::parse("sc://127.0.0.1:1")?;
    /// let client = SparkSession::client_builder(conn).user_agent("my-app").build()?;
    /// let spark = SparkSession::from_client(client);
    /// # let _ = spark;
    /// # Ok(())
    /// # }
    /// ```
    pub fn client_builder(conn: ConnectionString) -> ClientBuilder {
        ClientBuilder::new(conn).payload_placement(std::sync::Arc::new(|payload: &[u8]| {
            crate::payload_shift::payload_shift(payload, None)
        }))
    }

    /// A session over an existing transport client (a facade builds the client itself).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// use spark_connect_transport::ConnectionString;
    /// let client = SparkSession::client_builder(ConnectionString::parse("sc://127.0.0.1:1")?).build()?;
    /// let spark = SparkSession::from_client(client);
    /// assert_eq!(spark.client().session_id(), spark.session_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_client(client: SparkConnectClient) -> SparkSession {
        SparkSession {
            inner: Arc::new(Inner {
                client,
                next_plan_id: AtomicI64::new(0),
                observations: Arc::default(),
                subqueries: Default::default(),
                local_data: Default::default(),
            }),
        }
    }

    /// The transport client.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// assert_eq!(spark.client().session_id(), spark.session_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn client(&self) -> &SparkConnectClient {
        &self.inner.client
    }

    /// The client-side session id.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let other = spark.clone();
    /// assert_eq!(other.session_id(), spark.session_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn session_id(&self) -> &str {
        self.inner.client.session_id()
    }

    pub(crate) fn observations(&self) -> &Arc<crate::observation::Registry> {
        &self.inner.observations
    }

    pub(crate) fn subqueries(&self) -> &crate::subquery::Subqueries {
        &self.inner.subqueries
    }

    /// The settings and counters for large local data (see `artifacts.rs`).
    pub(crate) fn local_data(&self) -> &crate::artifacts::LocalDataState {
        &self.inner.local_data
    }

    pub(crate) fn next_plan_id(&self) -> i64 {
        self.inner.next_plan_id.fetch_add(1, Ordering::Relaxed)
    }

    /// A relation with a fresh plan id.
    pub(crate) fn relation(&self, rel_type: proto::relation::RelType) -> proto::Relation {
        proto::Relation {
            common: Some(proto::RelationCommon {
                plan_id: Some(self.next_plan_id()),
                ..Default::default()
            }),
            rel_type: Some(rel_type),
        }
    }

    pub(crate) fn dataframe(&self, rel_type: proto::relation::RelType) -> DataFrame {
        DataFrame::new(self.clone(), self.relation(rel_type))
    }

    /// A DataFrame of a leaf relation with a bad argument, if any, that every request that
    /// would send the plan reports (as [`Error::InvalidArgument`]): readers keep building
    /// chains without a `?`, as joins do.
    pub(crate) fn dataframe_with_problem(
        &self,
        rel_type: proto::relation::RelType,
        problem: Option<String>,
    ) -> DataFrame {
        match problem {
            None => self.dataframe(rel_type),
            Some(problem) => {
                DataFrame::with_problem(self.clone(), self.relation(rel_type), problem)
            }
        }
    }

    /// The server's Spark version, e.g. `4.3.0`. The session keeps it: requests that use a
    /// feature newer than the server are then refused before they are sent
    /// ([`Feature`](spark_connect_transport::Feature); `spark.client().server_version()` asks
    /// once and keeps it).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let version = spark.version().await?; // e.g. "4.3.0"
    /// # Ok(())
    /// # }
    /// ```
    pub async fn version(&self) -> Result<String, Error> {
        Ok(self.inner.client.spark_version().await?)
    }

    /// The numbers from `start` (inclusive) to `end` (exclusive) in a column `id` of type
    /// `bigint`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::relation::RelType;
    /// let df = spark.range(0, 10);
    /// let Some(RelType::Range(r)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((r.start, r.end, r.step), (Some(0), 10, 1));
    /// # Ok(())
    /// # }
    /// ```
    pub fn range(&self, start: i64, end: i64) -> DataFrame {
        self.range_with_step(start, end, 1, None)
    }

    /// Like [`range`](Self::range), with a step and, optionally, the number of partitions.
    /// A step of 0 is reported by the server when the plan runs.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::relation::RelType;
    /// let df = spark.range_with_step(0, 100, 10, Some(4));
    /// let Some(RelType::Range(r)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!((r.step, r.num_partitions), (10, Some(4)));
    /// # Ok(())
    /// # }
    /// ```
    pub fn range_with_step(
        &self,
        start: i64,
        end: i64,
        step: i64,
        num_partitions: Option<i32>,
    ) -> DataFrame {
        self.dataframe(proto::relation::RelType::Range(proto::Range {
            start: Some(start),
            end,
            step,
            num_partitions,
        }))
    }

    /// The table or view `name`, e.g. `"db.t"`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// let df = spark.table("sales.orders");
    /// let Some(RelType::Read(read)) = &df.to_proto().rel_type else { panic!() };
    /// let Some(ReadType::NamedTable(t)) = &read.read_type else { panic!() };
    /// assert_eq!(t.unparsed_identifier, "sales.orders");
    /// # Ok(())
    /// # }
    /// ```
    pub fn table(&self, name: &str) -> DataFrame {
        self.dataframe(proto::relation::RelType::Read(proto::Read {
            is_streaming: false,
            read_type: Some(proto::read::ReadType::NamedTable(proto::read::NamedTable {
                unparsed_identifier: name.to_string(),
                options: Default::default(),
            })),
        }))
    }

    /// Runs SQL. As in PySpark, commands (DDL, `INSERT`, `SET`, ...) run at once, and a query
    /// becomes a lazy DataFrame that runs when its result is asked for.
    ///
    /// This call is one request (a `SqlCommand`): the server parses and analyses the text, so
    /// a syntax or analysis error is returned here, and runs it if it is a command.
    /// - A command's rows (`SHOW TABLES`, `DESCRIBE`, `SET`) come back with that answer, and
    ///   the DataFrame keeps them: collecting or streaming it reads them with no second request
    ///   (PySpark sends them back to the server, which returns them unchanged). A DataFrame
    ///   derived from it (`filter`, `limit`, ...) runs on the server as usual.
    /// - For a query, Spark's answer is only the query itself (nothing is computed until an
    ///   action), so its result costs a second request, when it is asked for. Where commands and
    ///   errors may wait for the action, [`sql_deferred`](Self::sql_deferred) makes the whole
    ///   thing one request.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.sql("CREATE TEMP VIEW v AS SELECT 1 AS one").await?; // runs now
    /// let df = spark.sql("SELECT one FROM v").await?; // runs when collected
    /// assert_eq!(df.count().await?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn sql(&self, query: &str) -> Result<DataFrame, Error> {
        self.sql_command(proto::Sql {
            query: query.to_string(),
            ..Default::default()
        })
        .await
    }

    /// Like [`sql`](Self::sql): commands run at once, queries become lazy DataFrames.
    pub(crate) async fn sql_command(&self, sql: proto::Sql) -> Result<DataFrame, Error> {
        let command = self.sql_command_for(sql).await?;
        let mut stream = self.client().execute_plan(command_plan(command)).await?;
        let mut relation = None;
        while let Some(response) = stream.next_response().await {
            if let Some(proto::execute_plan_response::ResponseType::SqlCommandResult(r)) =
                response?.response_type
            {
                relation = r.relation;
            }
        }
        let relation = relation.ok_or_else(|| {
            Error::Protocol("the SQL command returned no SqlCommandResult".into())
        })?;
        // A command ran: the server sent its rows as a `LocalRelation` (a query comes back
        // as the relation to run, computed only when its result is asked for).
        if let Some(proto::relation::RelType::LocalRelation(proto::LocalRelation {
            data: Some(data),
            schema: None,
        })) = &relation.rel_type
            && !data.is_empty()
        {
            let computed = ComputedResult {
                operation_id: stream.operation_id().to_string(),
                data: data.clone(),
            };
            return Ok(DataFrame::computed(self.clone(), relation, computed));
        }
        Ok(DataFrame::new(self.clone(), relation))
    }

    /// The session's runtime configuration (`spark.conf` in PySpark).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.conf().set("spark.sql.shuffle.partitions", 8).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn conf(&self) -> RuntimeConfig {
        RuntimeConfig {
            session: self.clone(),
        }
    }

    pub(crate) async fn execute(&self, plan: proto::Plan) -> Result<RecordBatchStream, Error> {
        let stream = self.inner.client.execute_plan(plan).await?;
        Ok(RecordBatchStream::new(stream).delivering_to(self.inner.observations.clone()))
    }

    pub(crate) async fn analyze(
        &self,
        analyze: proto::analyze_plan_request::Analyze,
    ) -> Result<proto::analyze_plan_response::Result, Error> {
        Ok(self.inner.client.analyze(analyze).await?)
    }
}

pub(crate) fn command_plan(command: proto::Command) -> proto::Plan {
    proto::Plan {
        op_type: Some(proto::plan::OpType::Command(command)),
    }
}

/// The runtime configuration of a session: Spark SQL settings such as
/// `spark.sql.shuffle.partitions`.
#[derive(Clone, Debug)]
pub struct RuntimeConfig {
    session: SparkSession,
}

impl RuntimeConfig {
    async fn run(
        &self,
        op: proto::config_request::operation::OpType,
    ) -> Result<proto::ConfigResponse, Error> {
        let response = self
            .session
            .inner
            .client
            .config(proto::config_request::Operation { op_type: Some(op) })
            .await?;
        for warning in &response.warnings {
            tracing::warn!(%warning, "configuration");
        }
        Ok(response)
    }

    /// Sets a setting.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.conf().set("spark.sql.shuffle.partitions", 8).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn set(&self, key: &str, value: impl ToString) -> Result<(), Error> {
        self.run(proto::config_request::operation::OpType::Set(
            proto::config_request::Set {
                pairs: vec![proto::KeyValue {
                    key: key.to_string(),
                    value: Some(value.to_string()),
                }],
                silent: None,
            },
        ))
        .await?;
        Ok(())
    }

    /// The value of a setting, `None` when it is not set and has no default.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let tz: Option<String> = spark.conf().get("spark.sql.session.timeZone").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, key: &str) -> Result<Option<String>, Error> {
        let response = self
            .run(proto::config_request::operation::OpType::GetOption(
                proto::config_request::GetOption {
                    keys: vec![key.to_string()],
                },
            ))
            .await?;
        Ok(response.pairs.into_iter().next().and_then(|kv| kv.value))
    }

    /// The value of a setting, or `default` when it is not set.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let v = spark.conf().get_or("spark.my.flag", "off").await?; // "off" unless set
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_or(&self, key: &str, default: &str) -> Result<String, Error> {
        let response = self
            .run(proto::config_request::operation::OpType::GetWithDefault(
                proto::config_request::GetWithDefault {
                    pairs: vec![proto::KeyValue {
                        key: key.to_string(),
                        value: Some(default.to_string()),
                    }],
                },
            ))
            .await?;
        Ok(response
            .pairs
            .into_iter()
            .next()
            .and_then(|kv| kv.value)
            .unwrap_or_else(|| default.to_string()))
    }

    /// Every setting whose key starts with `prefix` (all of them for `""`).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// for (key, value) in spark.conf().get_all("spark.sql.").await? {
    ///     println!("{key} = {value:?}");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_all(&self, prefix: &str) -> Result<Vec<(String, Option<String>)>, Error> {
        let response = self
            .run(proto::config_request::operation::OpType::GetAll(
                proto::config_request::GetAll {
                    prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
                },
            ))
            .await?;
        Ok(response
            .pairs
            .into_iter()
            .map(|kv| (kv.key, kv.value))
            .collect())
    }

    /// Resets a setting to its default.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.conf().unset("spark.sql.shuffle.partitions").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn unset(&self, key: &str) -> Result<(), Error> {
        self.run(proto::config_request::operation::OpType::Unset(
            proto::config_request::Unset {
                keys: vec![key.to_string()],
            },
        ))
        .await?;
        Ok(())
    }

    /// Whether the setting can be changed in a running session.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// assert!(spark.conf().is_modifiable("spark.sql.shuffle.partitions").await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn is_modifiable(&self, key: &str) -> Result<bool, Error> {
        let response = self
            .run(proto::config_request::operation::OpType::IsModifiable(
                proto::config_request::IsModifiable {
                    keys: vec![key.to_string()],
                },
            ))
            .await?;
        let value = response.pairs.into_iter().next().and_then(|kv| kv.value);
        match value.as_deref() {
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            other => Err(Error::Protocol(format!(
                "IsModifiable answered {other:?} for '{key}', expected \"true\" or \"false\""
            ))),
        }
    }
}
