//! Structured Streaming: [`DataStreamReader`], [`DataStreamWriter`], [`StreamingQuery`] and
//! [`StreamingQueryManager`].
//!
//! A streaming query runs on the server until it is stopped, fails, or (with
//! [`Trigger::AvailableNow`] or [`Trigger::Once`]) has processed what was there when it
//! started. The client only holds its ids: every method of [`StreamingQuery`] asks the server.
//!
//! ```no_run
//! use std::time::Duration;
//! use spark_connect_dataframe::{OutputMode, SparkSession, Trigger};
//!
//! # async fn demo() -> Result<(), spark_connect_dataframe::Error> {
//! let spark = SparkSession::builder().remote("sc://127.0.0.1:15002").build().await?;
//! let query = spark
//!     .read_stream()
//!     .format("rate")
//!     .option("rowsPerSecond", 10)
//!     .load()
//!     .write_stream()
//!     .format("memory")
//!     .query_name("numbers")
//!     .output_mode(OutputMode::Append)
//!     .trigger(Trigger::ProcessingTime(Duration::from_secs(1)))
//!     .start()
//!     .await?;
//! query.process_all_available().await?;
//! spark.table("numbers").show(10).await?;
//! query.stop().await?;
//! # Ok(())
//! # }
//! ```
//!
//! PySpark's `foreach` and `foreachBatch` take Python functions that the server runs in a
//! Python worker; they have no Rust equivalent. Query events (PySpark's listeners) come from
//! [`StreamingQueryManager::listen`].
//!
//! This folder holds the streaming readers and writers and the query handles (here), and the
//! client side of query events (`events.rs`).

pub(crate) mod events;

use std::fmt;
use std::time::Duration;

use proto::execute_plan_response::ResponseType;
use proto::relation::RelType;
use spark_connect_transport::{proto, unexpected};

use crate::Error;
use crate::column::arguments::IntoNames;
use crate::dataframe::DataFrame;
use crate::io::{Options, ReadSchema};
use crate::session::{SparkSession, command_plan};

/// The longest single wait sent to the server by the `await` methods: longer waits are
/// sent as several, so that no response stream stays silent for long (the transport ends a
/// silent stream after its idle timeout).
const AWAIT_SLICE: Duration = Duration::from_secs(60);

impl SparkSession {
    /// A reader for streaming sources (`spark.readStream` in PySpark).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::relation::RelType;
    /// let df = spark.read_stream().format("rate").load();
    /// let Some(RelType::Read(read)) = &df.to_proto().rel_type else { panic!() };
    /// assert!(read.is_streaming);
    /// # Ok(())
    /// # }
    /// ```
    pub fn read_stream(&self) -> DataStreamReader {
        DataStreamReader {
            session: self.clone(),
            format: None,
            schema: None,
            options: Options::default(),
            source_name: None,
        }
    }

    /// The streaming queries of this session (`spark.streams` in PySpark).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// for query in spark.streams().active().await? {
    ///     println!("{} {:?}", query.id(), query.name());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn streams(&self) -> StreamingQueryManager {
        StreamingQueryManager {
            session: self.clone(),
        }
    }
}

impl DataFrame {
    /// A writer that starts this streaming DataFrame as a query (`df.writeStream` in
    /// PySpark).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let events = spark.read_stream().format("rate").load();
    /// let query = events.write_stream().format("console").start().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn write_stream(&self) -> DataStreamWriter {
        DataStreamWriter {
            df: self.clone(),
            format: None,
            output_mode: None,
            trigger: None,
            options: Options::default(),
            partition_by: Vec::new(),
            cluster_by: Vec::new(),
            query_name: None,
        }
    }

    /// Whether this DataFrame reads from a streaming source, as the server sees it
    /// (`df.isStreaming` in PySpark).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// assert!(spark.read_stream().format("rate").load().is_streaming().await?);
    /// assert!(!spark.range(0, 3).is_streaming().await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn is_streaming(&self) -> Result<bool, Error> {
        let result = self
            .session()
            .analyze(proto::analyze_plan_request::Analyze::IsStreaming(
                proto::analyze_plan_request::IsStreaming {
                    plan: Some(self.root()?),
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::IsStreaming(r) => Ok(r.is_streaming),
            other => Err(unexpected("IsStreaming", &other).into()),
        }
    }
}

/// Reads a streaming source into a streaming [`DataFrame`]; made by
/// [`SparkSession::read_stream`].
///
/// The DataFrame is lazy: a bad format, path or schema is reported by the server when the
/// query is analyzed or started.
#[derive(Clone)]
pub struct DataStreamReader {
    session: SparkSession,
    format: Option<String>,
    schema: Option<ReadSchema>,
    options: Options,
    source_name: Option<String>,
}

impl fmt::Debug for DataStreamReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataStreamReader")
            .field("format", &self.format)
            .field("schema", &self.schema)
            .field("options", &self.options)
            .field("source_name", &self.source_name)
            .finish_non_exhaustive()
    }
}

impl DataStreamReader {
    /// The source format: `rate`, `socket`, `json`, `csv`, `parquet`, `text`, `orc`,
    /// `kafka`, ... (`spark.sql.sources.default` when not given).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().format("kafka").option("subscribe", "events").load();
    /// assert_eq!(source(&df).format.as_deref(), Some("kafka"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn format(mut self, source: &str) -> Self {
        self.format = Some(source.to_string());
        self
    }

    /// The schema of the source, as for the batch reader: a [`StructType`](crate::StructType) or a DDL string
    /// (`"id INT, name STRING"`). File sources need one unless
    /// `spark.sql.streaming.schemaInference` is on.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().schema("id INT, v STRING").json("/landing/events");
    /// assert_eq!(source(&df).schema.as_deref(), Some("id INT, v STRING"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn schema(mut self, schema: impl Into<ReadSchema>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// A source option, such as `rowsPerSecond` for `rate` or `maxFilesPerTrigger` for files.
    /// Values are sent as text (`true`, `10`), as PySpark sends them; keys are
    /// case-insensitive (setting a key again in another case replaces it).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().format("rate").option("rowsPerSecond", 10).load();
    /// assert_eq!(source(&df).options["rowsPerSecond"], "10");
    /// # Ok(())
    /// # }
    /// ```
    pub fn option(mut self, key: &str, value: impl ToString) -> Self {
        self.options.set(key, value.to_string());
        self
    }

    /// Several source options.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().format("socket").options([("host", "localhost"), ("port", "9999")]).load();
    /// assert_eq!(source(&df).options["port"], "9999");
    /// # Ok(())
    /// # }
    /// ```
    pub fn options<K: AsRef<str>, V: ToString>(
        mut self,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.options.extend(options);
        self
    }

    /// A name for the source, kept in the checkpoint so that sources can be added or
    /// removed later without losing the offsets of the others (PySpark 4.2's `name`).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().format("rate").name("clicks").load();
    /// assert_eq!(source(&df).source_name.as_deref(), Some("clicks"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn name(mut self, source_name: &str) -> Self {
        self.source_name = Some(source_name.to_string());
        self
    }

    fn read(self, paths: Vec<String>) -> DataFrame {
        let (schema, problem) = match self.schema.as_ref().map(ReadSchema::to_wire) {
            None => (None, None),
            Some(Ok(schema)) => (Some(schema), None),
            Some(Err(e)) => (None, Some(crate::relational::deferred(e))),
        };
        self.session.dataframe_with_problem(
            RelType::Read(proto::Read {
                is_streaming: true,
                read_type: Some(proto::read::ReadType::DataSource(proto::read::DataSource {
                    format: self.format,
                    schema,
                    options: self.options.into_map(),
                    paths,
                    predicates: Vec::new(),
                    source_name: self.source_name,
                })),
            }),
            problem,
        )
    }

    /// A schema set on a reader of a table, to be reported by the request that would run
    /// the plan.
    fn no_schema(&self, call: &str) -> Option<String> {
        self.schema.as_ref().map(|_| {
            format!(
                "read_stream().{call}: a table has its own schema; do not set one on the reader"
            )
        })
    }

    /// The stream of a source that needs no path (`rate`, `socket`, `kafka`, ...). A
    /// [`StructType`](crate::StructType) schema this client cannot send (see [`ReadSchema`])
    /// is reported as [`Error::InvalidArgument`] when the stream is started.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().format("rate").load();
    /// assert!(source(&df).paths.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn load(self) -> DataFrame {
        self.read(Vec::new())
    }

    /// The stream of the files that appear under `path`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().format("json").schema("v STRING").load_path("/landing");
    /// assert_eq!(source(&df).paths, ["/landing"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn load_path(self, path: &str) -> DataFrame {
        self.read(vec![path.to_string()])
    }

    /// The stream of the rows added to the table `name` (a table whose format supports
    /// streaming reads). A schema is not allowed here.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// let df = spark.read_stream().table("lake.events");
    /// let Some(RelType::Read(read)) = &df.to_proto().rel_type else { panic!() };
    /// assert!(read.is_streaming && matches!(&read.read_type, Some(ReadType::NamedTable(_))));
    /// # Ok(())
    /// # }
    /// ```
    pub fn table(self, name: &str) -> DataFrame {
        let problem = self.no_schema(&format!("table(\"{name}\")"));
        self.session.dataframe_with_problem(
            RelType::Read(proto::Read {
                is_streaming: true,
                read_type: Some(proto::read::ReadType::NamedTable(proto::read::NamedTable {
                    unparsed_identifier: name.to_string(),
                    options: self.options.into_map(),
                })),
            }),
            problem,
        )
    }

    /// The stream of the changes (CDC) of the table `name`, from the version or time set by
    /// options (`startingVersion`, ...). Only tables whose catalog records changes have any;
    /// others are the server's error. A schema is not allowed here.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::relation::RelType;
    /// let df = spark.read_stream().option("startingVersion", 0).changes("lake.events");
    /// let Some(RelType::RelationChanges(c)) = &df.to_proto().rel_type else { panic!() };
    /// assert!(c.is_streaming);
    /// # Ok(())
    /// # }
    /// ```
    pub fn changes(self, name: &str) -> DataFrame {
        let problem = self.no_schema(&format!("changes(\"{name}\")"));
        self.session.dataframe_with_problem(
            RelType::RelationChanges(proto::RelationChanges {
                unparsed_identifier: name.to_string(),
                options: self.options.into_map(),
                is_streaming: true,
            }),
            problem,
        )
    }

    /// CSV files under `path`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().schema("id INT").option("header", true).csv("/landing");
    /// assert_eq!(source(&df).format.as_deref(), Some("csv"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn csv(self, path: &str) -> DataFrame {
        self.format("csv").load_path(path)
    }

    /// JSON lines files under `path`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().schema("id INT").json("/landing");
    /// assert_eq!(source(&df).format.as_deref(), Some("json"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn json(self, path: &str) -> DataFrame {
        self.format("json").load_path(path)
    }

    /// Parquet files under `path`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().schema("id INT").parquet("/landing");
    /// assert_eq!(source(&df).format.as_deref(), Some("parquet"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn parquet(self, path: &str) -> DataFrame {
        self.format("parquet").load_path(path)
    }

    /// ORC files under `path`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().schema("id INT").orc("/landing");
    /// assert_eq!(source(&df).format.as_deref(), Some("orc"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn orc(self, path: &str) -> DataFrame {
        self.format("orc").load_path(path)
    }

    /// XML files under `path` (set the `rowTag` option).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().schema("id INT").option("rowTag", "row").xml("/landing");
    /// assert_eq!(source(&df).format.as_deref(), Some("xml"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn xml(self, path: &str) -> DataFrame {
        self.format("xml").load_path(path)
    }

    /// Text files under `path`, one row per line in a `value` column.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read_stream().text("/logs");
    /// assert_eq!(source(&df).format.as_deref(), Some("text"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn text(self, path: &str) -> DataFrame {
        self.format("text").load_path(path)
    }
}

/// Which rows a streaming query writes to its sink on each trigger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputMode {
    /// Only the new rows (Spark's default).
    Append,
    /// The whole result, each time; for aggregations.
    Complete,
    /// The rows that changed since the last trigger.
    Update,
}

impl OutputMode {
    /// The name Spark uses: `append`, `complete` or `update`.
    ///
    /// ```
    /// use spark_connect_dataframe::OutputMode;
    /// assert_eq!(OutputMode::Complete.as_str(), "complete");
    /// assert_eq!("Update".parse::<OutputMode>().unwrap(), OutputMode::Update);
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            OutputMode::Append => "append",
            OutputMode::Complete => "complete",
            OutputMode::Update => "update",
        }
    }
}

impl fmt::Display for OutputMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for OutputMode {
    type Err = Error;

    /// PySpark's names, in any case: `append`, `complete`, `update`.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "append" => Ok(OutputMode::Append),
            "complete" => Ok(OutputMode::Complete),
            "update" => Ok(OutputMode::Update),
            _ => Err(Error::InvalidArgument(format!(
                "output mode '{s}' is unknown; expected append, complete or update"
            ))),
        }
    }
}

/// When a streaming query processes new data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// A micro-batch every interval (as soon as the previous one ends for a zero
    /// interval). Whole milliseconds.
    ProcessingTime(Duration),
    /// Everything available when the query starts, in as many micro-batches as the source
    /// limits allow, then the query stops.
    AvailableNow,
    /// Everything available when the query starts in one micro-batch, then the query
    /// stops (deprecated in Spark in favour of `AvailableNow`).
    Once,
    /// Continuous processing with a checkpoint every interval (only some sources and sinks).
    /// Whole milliseconds.
    Continuous(Duration),
    /// Real-time mode with micro-batches of this duration (Spark 4.1+, only some sources and
    /// sinks). Whole milliseconds.
    RealTime(Duration),
}

/// An interval as Spark's interval text, refusing what would lose precision.
fn interval_text(what: &str, d: Duration) -> Result<String, Error> {
    if !d.subsec_nanos().is_multiple_of(1_000_000) {
        return Err(Error::InvalidArgument(format!(
            "the {what} trigger interval {d:?} is not a whole number of milliseconds"
        )));
    }
    Ok(if d.subsec_nanos() == 0 {
        format!("{} seconds", d.as_secs())
    } else {
        format!("{} milliseconds", d.as_millis())
    })
}

impl Trigger {
    fn to_proto(self) -> Result<proto::write_stream_operation_start::Trigger, Error> {
        use proto::write_stream_operation_start::Trigger as T;
        Ok(match self {
            Trigger::ProcessingTime(d) => {
                T::ProcessingTimeInterval(interval_text("processing-time", d)?)
            }
            Trigger::AvailableNow => T::AvailableNow(true),
            Trigger::Once => T::Once(true),
            Trigger::Continuous(d) => {
                if d.is_zero() {
                    return Err(Error::InvalidArgument(
                        "the continuous trigger interval must be positive, got 0".into(),
                    ));
                }
                T::ContinuousCheckpointInterval(interval_text("continuous", d)?)
            }
            Trigger::RealTime(d) => T::RealTimeBatchDuration(interval_text("real-time", d)?),
        })
    }
}

/// Starts a streaming [`DataFrame`] as a [`StreamingQuery`]; made by
/// [`DataFrame::write_stream`].
#[derive(Clone)]
pub struct DataStreamWriter {
    df: DataFrame,
    format: Option<String>,
    output_mode: Option<OutputMode>,
    trigger: Option<Trigger>,
    options: Options,
    partition_by: Vec<String>,
    cluster_by: Vec<String>,
    query_name: Option<String>,
}

impl fmt::Debug for DataStreamWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataStreamWriter")
            .field("format", &self.format)
            .field("output_mode", &self.output_mode)
            .field("trigger", &self.trigger)
            .field("options", &self.options)
            .field("partition_by", &self.partition_by)
            .field("cluster_by", &self.cluster_by)
            .field("query_name", &self.query_name)
            .finish_non_exhaustive()
    }
}

impl DataStreamWriter {
    /// The sink format: `parquet`, `json`, `csv`, `orc`, `text`, `memory`, `console`,
    /// `kafka`, ... (`spark.sql.sources.default` when not given).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataStreamWriter) -> proto::WriteStreamOperationStart { let Some(proto::command::CommandType::WriteStreamOperationStart(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.read_stream().format("rate").load().write_stream().format("memory");
    /// assert_eq!(op(&w).format, "memory");
    /// # Ok(())
    /// # }
    /// ```
    pub fn format(mut self, source: &str) -> Self {
        self.format = Some(source.to_string());
        self
    }

    /// Which rows are written on each trigger ([`OutputMode::Append`] unless set).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataStreamWriter) -> proto::WriteStreamOperationStart { let Some(proto::command::CommandType::WriteStreamOperationStart(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.read_stream().format("rate").load().write_stream().output_mode(OutputMode::Update);
    /// assert_eq!(op(&w).output_mode, "update");
    /// # Ok(())
    /// # }
    /// ```
    pub fn output_mode(mut self, mode: OutputMode) -> Self {
        self.output_mode = Some(mode);
        self
    }

    /// When data is processed (micro-batches as fast as possible unless set).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataStreamWriter) -> proto::WriteStreamOperationStart { let Some(proto::command::CommandType::WriteStreamOperationStart(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// use std::time::Duration;
    /// let w = spark.read_stream().format("rate").load().write_stream();
    /// let w = w.trigger(Trigger::ProcessingTime(Duration::from_secs(5)));
    /// use spark_connect_dataframe::proto::write_stream_operation_start::Trigger as Sent;
    /// assert_eq!(op(&w).trigger, Some(Sent::ProcessingTimeInterval("5 seconds".into())));
    /// # Ok(())
    /// # }
    /// ```
    pub fn trigger(mut self, trigger: Trigger) -> Self {
        self.trigger = Some(trigger);
        self
    }

    /// A sink option. Values are sent as text, as PySpark sends them; keys are
    /// case-insensitive (setting a key again in another case replaces it).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataStreamWriter) -> proto::WriteStreamOperationStart { let Some(proto::command::CommandType::WriteStreamOperationStart(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.read_stream().format("rate").load().write_stream().option("truncate", false);
    /// assert_eq!(op(&w).options["truncate"], "false");
    /// # Ok(())
    /// # }
    /// ```
    pub fn option(mut self, key: &str, value: impl ToString) -> Self {
        self.options.set(key, value.to_string());
        self
    }

    /// Several sink options.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataStreamWriter) -> proto::WriteStreamOperationStart { let Some(proto::command::CommandType::WriteStreamOperationStart(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.read_stream().format("rate").load().write_stream();
    /// let w = w.options([("numRows", "5"), ("truncate", "false")]);
    /// assert_eq!(op(&w).options["numRows"], "5");
    /// # Ok(())
    /// # }
    /// ```
    pub fn options<K: AsRef<str>, V: ToString>(
        mut self,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.options.extend(options);
        self
    }

    /// The directory where the query keeps its offsets and state, so that a restarted query
    /// goes on where it stopped (the `checkpointLocation` option).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataStreamWriter) -> proto::WriteStreamOperationStart { let Some(proto::command::CommandType::WriteStreamOperationStart(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.read_stream().format("rate").load().write_stream().checkpoint_location("/chk/q1");
    /// assert_eq!(op(&w).options["checkpointLocation"], "/chk/q1");
    /// # Ok(())
    /// # }
    /// ```
    pub fn checkpoint_location(self, path: &str) -> Self {
        self.option("checkpointLocation", path)
    }

    /// Partitions file sinks by these columns (`key=value` directories): one name or several.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataStreamWriter) -> proto::WriteStreamOperationStart { let Some(proto::command::CommandType::WriteStreamOperationStart(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.read_stream().format("rate").load().write_stream().partition_by(["day"]);
    /// assert_eq!(op(&w).partitioning_column_names, ["day"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn partition_by(mut self, columns: impl IntoNames) -> Self {
        self.partition_by = columns.into_names();
        self
    }

    /// Clusters a table sink by these columns, one name or several (for table formats that
    /// support clustering).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataStreamWriter) -> proto::WriteStreamOperationStart { let Some(proto::command::CommandType::WriteStreamOperationStart(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.read_stream().format("rate").load().write_stream().cluster_by("id");
    /// assert_eq!(op(&w).clustering_column_names, ["id"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn cluster_by(mut self, columns: impl IntoNames) -> Self {
        self.cluster_by = columns.into_names();
        self
    }

    /// The query's name, unique among the session's active queries; the `memory` sink
    /// makes a temporary view of this name.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataStreamWriter) -> proto::WriteStreamOperationStart { let Some(proto::command::CommandType::WriteStreamOperationStart(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.read_stream().format("rate").load().write_stream().query_name("numbers");
    /// assert_eq!(op(&w).query_name, "numbers");
    /// # Ok(())
    /// # }
    /// ```
    pub fn query_name(mut self, name: &str) -> Self {
        self.query_name = Some(name.to_string());
        self
    }

    /// The `Command` that starts this query, for inspection, built by the code that starts
    /// it: a bad argument (a [`Trigger::Continuous`] of zero, a trigger interval that is not a
    /// whole number of milliseconds, a bad argument in the DataFrame's plan) is the same
    /// [`Error::InvalidArgument`] the start returns, so this returns a `Result` where
    /// [`MergeIntoWriter::to_proto`](crate::MergeIntoWriter::to_proto) does not need one.
    ///
    /// The call that starts the query adds its sink: this is the command of
    /// [`start`](Self::start) (no `sink_destination`); [`start_path`](Self::start_path) sets
    /// it to the path, [`to_table`](Self::to_table) to the table.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::command::CommandType;
    /// use std::time::Duration;
    ///
    /// let df = spark.read_stream().format("rate").load();
    /// let command = df.write_stream().format("memory").query_name("numbers").to_proto()?;
    /// let Some(CommandType::WriteStreamOperationStart(start)) = command.command_type else { panic!() };
    /// assert_eq!(start.input.as_ref(), Some(df.to_proto()));
    /// assert_eq!((start.format.as_str(), start.query_name.as_str()), ("memory", "numbers"));
    /// assert_eq!(start.sink_destination, None);
    ///
    /// let e = df.write_stream().trigger(Trigger::Continuous(Duration::ZERO)).to_proto().unwrap_err();
    /// assert!(matches!(e, Error::InvalidArgument(_)) && e.to_string().contains("continuous"), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_proto(&self) -> Result<proto::Command, Error> {
        let (_, command_type) = self.clone().operation(None)?;
        Ok(proto::Command {
            command_type: Some(command_type),
        })
    }

    /// The command that starts the query into `destination`, and the session to send it on.
    fn operation(
        self,
        destination: Option<proto::write_stream_operation_start::SinkDestination>,
    ) -> Result<(SparkSession, proto::command::CommandType), Error> {
        let trigger = self.trigger.map(Trigger::to_proto).transpose()?;
        let session = self.df.session().clone();
        let start = proto::WriteStreamOperationStart {
            input: Some(self.df.checked_plan()?),
            format: self.format.unwrap_or_default(),
            options: self.options.into_map(),
            partitioning_column_names: self.partition_by,
            output_mode: self
                .output_mode
                .map(|m| m.as_str().to_string())
                .unwrap_or_default(),
            query_name: self.query_name.unwrap_or_default(),
            foreach_writer: None,
            foreach_batch: None,
            clustering_column_names: self.cluster_by,
            trigger,
            sink_destination: destination,
        };
        Ok((
            session,
            proto::command::CommandType::WriteStreamOperationStart(start),
        ))
    }

    async fn start_with(
        self,
        destination: Option<proto::write_stream_operation_start::SinkDestination>,
    ) -> Result<StreamingQuery, Error> {
        let (session, command) = self.operation(destination)?;
        let result = run_command(
            &session,
            command,
            "WriteStreamOperationStartResult",
            |r| match r {
                ResponseType::WriteStreamOperationStartResult(r) => Some(r),
                _ => None,
            },
        )
        .await?;
        if let Some(json) = &result.query_started_event_json {
            crate::streaming_events::post_started(&session, json);
        }
        let ids = result.query_id.ok_or_else(|| {
            Error::Protocol("the WriteStreamOperationStartResult has no query id".into())
        })?;
        Ok(StreamingQuery {
            session,
            id: ids.id,
            run_id: ids.run_id,
            name: (!result.name.is_empty()).then_some(result.name),
        })
    }

    /// Starts the query into a sink that needs no path (`memory`, `console`, `kafka`, or a
    /// `path` option).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// let query = df.write_stream().format("memory").query_name("numbers").start().await?;
    /// query.process_all_available().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start(self) -> Result<StreamingQuery, Error> {
        self.start_with(None).await
    }

    /// Starts the query into files under `path`.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// let query = df.write_stream().format("parquet").checkpoint_location("/chk/q1").start_path("/out/q1").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn start_path(self, path: &str) -> Result<StreamingQuery, Error> {
        self.start_with(Some(
            proto::write_stream_operation_start::SinkDestination::Path(path.to_string()),
        ))
        .await
    }

    /// Starts the query into the table `name`, created if it does not exist.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// let query = df.write_stream().checkpoint_location("/chk/q2").to_table("lake.events").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn to_table(self, name: &str) -> Result<StreamingQuery, Error> {
        self.start_with(Some(
            proto::write_stream_operation_start::SinkDestination::TableName(name.to_string()),
        ))
        .await
    }
}

/// Runs a command and returns the result `pick` finds among its responses, reading the
/// stream to its end.
async fn run_command<T>(
    session: &SparkSession,
    command: proto::command::CommandType,
    expected: &str,
    mut pick: impl FnMut(ResponseType) -> Option<T>,
) -> Result<T, Error> {
    let plan = command_plan(proto::Command {
        command_type: Some(command),
    });
    let mut stream = session.client().execute_plan(plan).await?;
    let mut found = None;
    while let Some(response) = stream.next_response().await {
        if let Some(r) = response?.response_type
            && found.is_none()
        {
            found = pick(r);
        }
    }
    found.ok_or_else(|| Error::Protocol(format!("the command returned no {expected}")))
}

/// What a streaming query is doing now ([`StreamingQuery::status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamingQueryStatus {
    /// What the query is doing, such as `Waiting for data to arrive`.
    pub message: String,
    /// Whether a source has data that has not been processed yet.
    pub is_data_available: bool,
    /// Whether a trigger is running.
    pub is_trigger_active: bool,
    /// Whether the query is running.
    pub is_active: bool,
}

/// The error that ended a streaming query ([`StreamingQuery::exception`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamingQueryException {
    /// The server's message (Java's `StreamingQueryException.toString()`).
    pub message: String,
    /// Spark's error class, when the error has one.
    pub error_class: Option<String>,
    /// The server-side stack trace, when the server sends it
    /// (`spark.sql.connect.serverStacktrace.enabled`).
    pub stack_trace: Option<String>,
}

impl fmt::Display for StreamingQueryException {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A streaming query running on the server: a handle made of its ids, cheap to clone.
/// Dropping it does not stop the query; [`stop`](Self::stop) does.
#[derive(Clone, Debug)]
pub struct StreamingQuery {
    session: SparkSession,
    id: String,
    run_id: String,
    name: Option<String>,
}

/// A wait as milliseconds, rounded up so that a short wait never becomes "no wait".
fn wait_ms(what: &str, timeout: Duration) -> Result<i64, Error> {
    if timeout.is_zero() {
        return Err(Error::InvalidArgument(format!(
            "the {what} timeout must be positive, got 0"
        )));
    }
    let ms = timeout.as_nanos().div_ceil(1_000_000);
    Ok(i64::try_from(ms).unwrap_or(i64::MAX))
}

/// Waits in slices of at most [`AWAIT_SLICE`] until `wait_once` reports an end or the
/// timeout passes; `None` waits until the end.
async fn await_in_slices<F, Fut>(
    what: &str,
    timeout: Option<Duration>,
    mut wait_once: F,
) -> Result<bool, Error>
where
    F: FnMut(i64) -> Fut,
    Fut: std::future::Future<Output = Result<bool, Error>>,
{
    let slice_ms = AWAIT_SLICE.as_millis() as i64;
    let mut remaining = match timeout {
        Some(t) => Some(wait_ms(what, t)?),
        None => None,
    };
    loop {
        let this = remaining.map_or(slice_ms, |r| r.min(slice_ms));
        if wait_once(this).await? {
            return Ok(true);
        }
        if let Some(r) = remaining.as_mut() {
            *r -= this;
            if *r <= 0 {
                return Ok(false);
            }
        }
    }
}

impl StreamingQuery {
    /// The query's id, kept across restarts from the same checkpoint.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// let same = query.session().streams().get(query.id()).await?;
    /// assert_eq!(same.map(|q| q.run_id().to_string()).as_deref(), Some(query.run_id()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The id of this run of the query; a restart gets a new one.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// println!("query {} run {}", query.id(), query.run_id());
    /// # Ok(())
    /// # }
    /// ```
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The query's name, if it was given one.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// let query = df.write_stream().format("memory").query_name("numbers").start().await?;
    /// assert_eq!(query.name(), Some("numbers"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The session the query runs in.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// query.process_all_available().await?;
    /// query.session().table("numbers").show(10).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn session(&self) -> &SparkSession {
        &self.session
    }

    async fn command(
        &self,
        command: proto::streaming_query_command::Command,
    ) -> Result<Option<proto::streaming_query_command_result::ResultType>, Error> {
        let command = proto::StreamingQueryCommand {
            query_id: Some(proto::StreamingQueryInstanceId {
                id: self.id.clone(),
                run_id: self.run_id.clone(),
            }),
            command: Some(command),
        };
        let result = run_command(
            &self.session,
            proto::command::CommandType::StreamingQueryCommand(command),
            "StreamingQueryCommandResult",
            |r| match r {
                ResponseType::StreamingQueryCommandResult(r) => Some(r),
                _ => None,
            },
        )
        .await?;
        Ok(result.result_type)
    }

    /// What the query is doing now.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// let status = query.status().await?;
    /// println!("{} (data available: {})", status.message, status.is_data_available);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn status(&self) -> Result<StreamingQueryStatus, Error> {
        use proto::streaming_query_command_result::ResultType;
        match self
            .command(proto::streaming_query_command::Command::Status(true))
            .await?
        {
            Some(ResultType::Status(s)) => Ok(StreamingQueryStatus {
                message: s.status_message,
                is_data_available: s.is_data_available,
                is_trigger_active: s.is_trigger_active,
                is_active: s.is_active,
            }),
            other => Err(unexpected_result("status", other)),
        }
    }

    /// Whether the query is running.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// query.stop().await?;
    /// assert!(!query.is_active().await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn is_active(&self) -> Result<bool, Error> {
        Ok(self.status().await?.is_active)
    }

    async fn progress(&self, last: bool) -> Result<Vec<serde_json::Value>, Error> {
        use proto::streaming_query_command::Command;
        use proto::streaming_query_command_result::ResultType;
        let command = if last {
            Command::LastProgress(true)
        } else {
            Command::RecentProgress(true)
        };
        match self.command(command).await? {
            Some(ResultType::RecentProgress(p)) => p
                .recent_progress_json
                .iter()
                .map(|json| {
                    serde_json::from_str(json).map_err(|e| {
                        Error::Protocol(format!("a progress report is not valid JSON: {e}"))
                    })
                })
                .collect(),
            other => Err(unexpected_result("progress", other)),
        }
    }

    /// The progress reports of the last micro-batches (as many as
    /// `spark.sql.streaming.numRecentProgressUpdates`), oldest first, as Spark's JSON
    /// (`id`, `runId`, `name`, `batchId`, `durationMs`, `sources` with their
    /// `numInputRows`, `sink`, ...).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// for p in query.recent_progress().await? {
    ///     println!("batch {} read {} rows", p["batchId"], p["numInputRows"]);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn recent_progress(&self) -> Result<Vec<serde_json::Value>, Error> {
        self.progress(false).await
    }

    /// The progress report of the last micro-batch, `None` before the first one.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// if let Some(p) = query.last_progress().await? {
    ///     println!("{} rows/s", p["processedRowsPerSecond"]);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn last_progress(&self) -> Result<Option<serde_json::Value>, Error> {
        Ok(self.progress(true).await?.pop())
    }

    /// Waits until the query ends, or at most `timeout`: `true` when it has ended,
    /// `false` when the timeout passed first. A query that failed gives its error. A
    /// zero timeout is an error, as in PySpark.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// use std::time::Duration;
    /// let ended = query.await_termination(Some(Duration::from_secs(30))).await?; // false: still running
    /// # Ok(())
    /// # }
    /// ```
    pub async fn await_termination(&self, timeout: Option<Duration>) -> Result<bool, Error> {
        use proto::streaming_query_command::{AwaitTerminationCommand, Command};
        use proto::streaming_query_command_result::ResultType;
        await_in_slices("await_termination", timeout, |ms| async move {
            match self
                .command(Command::AwaitTermination(AwaitTerminationCommand {
                    timeout_ms: Some(ms),
                }))
                .await?
            {
                Some(ResultType::AwaitTermination(r)) => Ok(r.terminated),
                other => Err(unexpected_result("await termination", other)),
            }
        })
        .await
    }

    /// Waits until everything available in the sources when called has been processed
    /// (for tests; it may never return on a source that never stops having data).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// query.process_all_available().await?; // every row available now is in the sink
    /// # Ok(())
    /// # }
    /// ```
    pub async fn process_all_available(&self) -> Result<(), Error> {
        self.command(proto::streaming_query_command::Command::ProcessAllAvailable(true))
            .await?;
        Ok(())
    }

    /// Stops the query; stopping a stopped query does nothing.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// query.stop().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn stop(&self) -> Result<(), Error> {
        self.command(proto::streaming_query_command::Command::Stop(true))
            .await?;
        Ok(())
    }

    /// The error that ended the query, `None` if it is running or ended without one.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// if let Some(e) = query.exception().await? {
    ///     eprintln!("query failed: {e} ({:?})", e.error_class);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn exception(&self) -> Result<Option<StreamingQueryException>, Error> {
        use proto::streaming_query_command_result::ResultType;
        match self
            .command(proto::streaming_query_command::Command::Exception(true))
            .await?
        {
            Some(ResultType::Exception(e)) => {
                Ok(e.exception_message.map(|message| StreamingQueryException {
                    message,
                    error_class: e.error_class,
                    stack_trace: e.stack_trace,
                }))
            }
            // The server leaves the result out when there is no exception.
            None => Ok(None),
            other => Err(unexpected_result("exception", other)),
        }
    }

    /// The query's plans as text: the physical plan, or with `extended` the logical plans
    /// too.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(query: StreamingQuery) -> Result<(), Error> {
    /// println!("{}", query.explain(true).await?);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn explain(&self, extended: bool) -> Result<String, Error> {
        use proto::streaming_query_command::{Command, ExplainCommand};
        use proto::streaming_query_command_result::ResultType;
        match self
            .command(Command::Explain(ExplainCommand { extended }))
            .await?
        {
            Some(ResultType::Explain(e)) => Ok(e.result),
            other => Err(unexpected_result("explain", other)),
        }
    }
}

fn unexpected_result(
    what: &str,
    got: Option<proto::streaming_query_command_result::ResultType>,
) -> Error {
    let got = variant_name(got);
    Error::Protocol(format!(
        "the streaming query command '{what}' returned {got}"
    ))
}

/// The name of a command result's variant (`Active`, ...), `no result` for none.
fn variant_name(got: Option<impl fmt::Debug>) -> String {
    match got {
        None => "no result".to_string(),
        Some(r) => format!("{r:?}")
            .split('(')
            .next()
            .unwrap_or("?")
            .to_string(),
    }
}

/// The streaming queries of a session; made by [`SparkSession::streams`].
///
/// PySpark's `addListener` / `removeListener` take listener objects; here
/// [`listen`](Self::listen) gives the same events as a stream.
#[derive(Clone, Debug)]
pub struct StreamingQueryManager {
    session: SparkSession,
}

impl StreamingQueryManager {
    pub(crate) fn session(&self) -> &SparkSession {
        &self.session
    }

    async fn command(
        &self,
        command: proto::streaming_query_manager_command::Command,
    ) -> Result<Option<proto::streaming_query_manager_command_result::ResultType>, Error> {
        let result = run_command(
            &self.session,
            proto::command::CommandType::StreamingQueryManagerCommand(
                proto::StreamingQueryManagerCommand {
                    command: Some(command),
                },
            ),
            "StreamingQueryManagerCommandResult",
            |r| match r {
                ResponseType::StreamingQueryManagerCommandResult(r) => Some(r),
                _ => None,
            },
        )
        .await?;
        Ok(result.result_type)
    }

    fn query(
        &self,
        instance: proto::streaming_query_manager_command_result::StreamingQueryInstance,
    ) -> Result<StreamingQuery, Error> {
        let ids = instance
            .id
            .ok_or_else(|| Error::Protocol("a streaming query instance without ids".into()))?;
        Ok(StreamingQuery {
            session: self.session.clone(),
            id: ids.id,
            run_id: ids.run_id,
            name: instance.name.filter(|n| !n.is_empty()),
        })
    }

    /// The queries of this session that are running.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// for query in spark.streams().active().await? {
    ///     query.stop().await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn active(&self) -> Result<Vec<StreamingQuery>, Error> {
        use proto::streaming_query_manager_command_result::ResultType;
        match self
            .command(proto::streaming_query_manager_command::Command::Active(
                true,
            ))
            .await?
        {
            Some(ResultType::Active(a)) => a
                .active_queries
                .into_iter()
                .map(|q| self.query(q))
                .collect(),
            other => Err(unexpected_manager_result("active", other)),
        }
    }

    /// The running query with this id, `None` when no running query of this session has it.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession, id: &str) -> Result<(), Error> {
    /// if let Some(query) = spark.streams().get(id).await? {
    ///     query.stop().await?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get(&self, id: &str) -> Result<Option<StreamingQuery>, Error> {
        use proto::streaming_query_manager_command_result::ResultType;
        match self
            .command(proto::streaming_query_manager_command::Command::GetQuery(
                id.to_string(),
            ))
            .await?
        {
            Some(ResultType::Query(q)) => self.query(q).map(Some),
            None => Ok(None),
            other => Err(unexpected_manager_result("get", other)),
        }
    }

    /// Waits until any query of this session ends (since the last
    /// [`reset_terminated`](Self::reset_terminated)), or at most `timeout`: `true` when one
    /// has ended, `false` when the timeout passed first. A query that failed gives its
    /// error. A zero timeout is an error, as in PySpark.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// use std::time::Duration;
    /// let some_ended = spark.streams().await_any_termination(Some(Duration::from_secs(60))).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn await_any_termination(&self, timeout: Option<Duration>) -> Result<bool, Error> {
        use proto::streaming_query_manager_command::{AwaitAnyTerminationCommand, Command};
        use proto::streaming_query_manager_command_result::ResultType;
        await_in_slices("await_any_termination", timeout, |ms| async move {
            match self
                .command(Command::AwaitAnyTermination(AwaitAnyTerminationCommand {
                    timeout_ms: Some(ms),
                }))
                .await?
            {
                Some(ResultType::AwaitAnyTermination(r)) => Ok(r.terminated),
                other => Err(unexpected_manager_result("await any termination", other)),
            }
        })
        .await
    }

    /// Forgets the queries that have ended, so that
    /// [`await_any_termination`](Self::await_any_termination) waits for a new one.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// spark.streams().reset_terminated().await?; // await_any_termination waits for new ends only
    /// # Ok(())
    /// # }
    /// ```
    pub async fn reset_terminated(&self) -> Result<(), Error> {
        self.command(proto::streaming_query_manager_command::Command::ResetTerminated(true))
            .await?;
        Ok(())
    }
}

fn unexpected_manager_result(
    what: &str,
    got: Option<proto::streaming_query_manager_command_result::ResultType>,
) -> Error {
    let got = variant_name(got);
    Error::Protocol(format!(
        "the streaming query manager command '{what}' returned {got}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_modes_parse_pyspark_names() {
        for (s, m) in [
            ("append", OutputMode::Append),
            ("Complete", OutputMode::Complete),
            ("UPDATE", OutputMode::Update),
        ] {
            assert_eq!(s.parse::<OutputMode>().unwrap(), m);
            assert_eq!(m.to_string(), s.to_ascii_lowercase());
        }
        let err = "overwrite".parse::<OutputMode>().unwrap_err().to_string();
        assert!(err.contains("'overwrite'") && err.contains("append, complete or update"));
    }

    #[test]
    fn triggers_become_interval_text_without_losing_precision() {
        use proto::write_stream_operation_start::Trigger as T;
        assert_eq!(
            Trigger::ProcessingTime(Duration::from_secs(5))
                .to_proto()
                .unwrap(),
            T::ProcessingTimeInterval("5 seconds".into())
        );
        assert_eq!(
            Trigger::ProcessingTime(Duration::from_millis(1500))
                .to_proto()
                .unwrap(),
            T::ProcessingTimeInterval("1500 milliseconds".into())
        );
        assert_eq!(
            Trigger::ProcessingTime(Duration::ZERO).to_proto().unwrap(),
            T::ProcessingTimeInterval("0 seconds".into())
        );
        assert_eq!(
            Trigger::AvailableNow.to_proto().unwrap(),
            T::AvailableNow(true)
        );
        assert_eq!(Trigger::Once.to_proto().unwrap(), T::Once(true));
        assert_eq!(
            Trigger::Continuous(Duration::from_secs(1))
                .to_proto()
                .unwrap(),
            T::ContinuousCheckpointInterval("1 seconds".into())
        );
        let err = Trigger::ProcessingTime(Duration::from_micros(1500))
            .to_proto()
            .unwrap_err()
            .to_string();
        assert!(err.contains("whole number of milliseconds"), "{err}");
        assert!(Trigger::Continuous(Duration::ZERO).to_proto().is_err());
    }

    #[test]
    fn waits_round_up_to_milliseconds_and_refuse_zero() {
        assert_eq!(wait_ms("t", Duration::from_micros(1)).unwrap(), 1);
        assert_eq!(wait_ms("t", Duration::from_millis(2500)).unwrap(), 2500);
        assert_eq!(wait_ms("t", Duration::MAX).unwrap(), i64::MAX);
        let err = wait_ms("await_termination", Duration::ZERO)
            .unwrap_err()
            .to_string();
        assert!(err.contains("await_termination") && err.contains("positive"));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn long_waits_are_sent_in_slices() {
        let mut sent = Vec::new();
        let ended = await_in_slices("t", Some(Duration::from_secs(150)), |ms| {
            sent.push(ms);
            async { Ok(false) }
        })
        .await
        .unwrap();
        assert!(!ended);
        assert_eq!(sent, [60_000, 60_000, 30_000]);

        let mut calls = 0;
        let ended = await_in_slices("t", None, |ms| {
            calls += 1;
            assert_eq!(ms, 60_000);
            let done = calls == 3;
            async move { Ok(done) }
        })
        .await
        .unwrap();
        assert!(ended);
        assert_eq!(calls, 3);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn debug_never_shows_credential_options() {
        let spark = crate::offline_session().await;
        let jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required \
                    username=\"u\" password=\"hunter2\";";
        let reader = spark
            .read_stream()
            .format("kafka")
            .option("kafka.sasl.jaas.config", jaas)
            .option("subscribe", "topic_a");
        let text = format!("{reader:?}");
        assert!(
            !text.contains("hunter2") && text.contains("topic_a"),
            "{text}"
        );
        let writer = spark
            .range(0, 1)
            .write_stream()
            .option("kafka.sasl.jaas.config", jaas)
            .option("password", "hunter2");
        let text = format!("{writer:?}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn readers_build_streaming_reads() {
        let spark = crate::offline_session().await;
        let df = spark
            .read_stream()
            .schema("id INT")
            .option("maxFilesPerTrigger", 1)
            .option("MAXFILESPERTRIGGER", 2)
            .json("/data/in");
        let Some(RelType::Read(read)) = &df.to_proto().rel_type else {
            panic!("expected a Read");
        };
        assert!(read.is_streaming);
        let Some(proto::read::ReadType::DataSource(source)) = &read.read_type else {
            panic!("expected a DataSource");
        };
        assert_eq!(source.format.as_deref(), Some("json"));
        assert_eq!(source.schema.as_deref(), Some("id INT"));
        assert_eq!(source.paths, ["/data/in"]);
        assert_eq!(source.options.len(), 1);
        assert_eq!(source.options["MAXFILESPERTRIGGER"], "2");

        let table = spark.read_stream().table("db.t");
        let err = spark
            .read_stream()
            .schema("id INT")
            .table("db.t")
            .root()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("table(\"db.t\")") && err.contains("own schema"),
            "{err}"
        );
        let Some(RelType::Read(read)) = &table.to_proto().rel_type else {
            panic!("expected a Read");
        };
        assert!(read.is_streaming);
        assert!(matches!(
            &read.read_type,
            Some(proto::read::ReadType::NamedTable(t)) if t.unparsed_identifier == "db.t"
        ));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn stream_writer_to_proto_is_the_command_the_start_sends() {
        use proto::command::CommandType;
        use proto::write_stream_operation_start::{SinkDestination, Trigger as T};
        let spark = crate::offline_session().await;
        let df = spark.read_stream().format("rate").load();
        let writer = df
            .write_stream()
            .format("parquet")
            .output_mode(OutputMode::Complete)
            .trigger(Trigger::AvailableNow)
            .option("a", 1)
            .option("A", 2)
            .checkpoint_location("/chk")
            .partition_by("day")
            .cluster_by(["id"])
            .query_name("q");
        let command = writer.to_proto().unwrap();
        let Some(CommandType::WriteStreamOperationStart(sent)) = &command.command_type else {
            panic!("{command:?}")
        };
        assert_eq!(sent.input.as_ref(), Some(df.to_proto()));
        assert_eq!(sent.format, "parquet");
        assert_eq!(sent.output_mode, "complete");
        assert_eq!(sent.trigger, Some(T::AvailableNow(true)));
        assert_eq!(
            sent.options,
            std::collections::HashMap::from([
                ("A".to_string(), "2".to_string()),
                ("checkpointLocation".to_string(), "/chk".to_string()),
            ])
        );
        assert_eq!(sent.partitioning_column_names, ["day"]);
        assert_eq!(sent.clustering_column_names, ["id"]);
        assert_eq!(sent.query_name, "q");
        assert_eq!(sent.sink_destination, None);
        // `start_path` and `to_table` add their sink to the same command.
        let (_, to_table) = writer
            .clone()
            .operation(Some(SinkDestination::TableName("db.t".into())))
            .unwrap();
        assert_eq!(
            to_table,
            CommandType::WriteStreamOperationStart(proto::WriteStreamOperationStart {
                sink_destination: Some(SinkDestination::TableName("db.t".into())),
                ..sent.clone()
            })
        );
        // Unset, the fields are empty, as PySpark leaves them.
        let plain = match df.write_stream().to_proto().unwrap().command_type {
            Some(CommandType::WriteStreamOperationStart(start)) => start,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            (
                plain.format,
                plain.output_mode,
                plain.query_name,
                plain.trigger
            ),
            (String::new(), String::new(), String::new(), None)
        );

        // A deferred problem is the error the start returns, before anything is sent.
        for bad in [
            df.write_stream()
                .trigger(Trigger::Continuous(Duration::ZERO)),
            df.write_stream()
                .trigger(Trigger::ProcessingTime(Duration::from_micros(1500))),
            spark
                .read_stream()
                .schema("id INT")
                .table("db.t")
                .write_stream(),
        ] {
            let inspected = bad.to_proto().unwrap_err();
            assert!(
                matches!(inspected, Error::InvalidArgument(_)),
                "{inspected:?}"
            );
            let started = bad.start().await.unwrap_err();
            assert_eq!(inspected.to_string(), started.to_string());
        }
    }
}
