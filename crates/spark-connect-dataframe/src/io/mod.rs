//! Reading and writing data: [`DataFrameReader`] (`spark.read()`), [`DataFrameWriter`]
//! (`df.write()`) and [`DataFrameWriterV2`] (`df.write_to(table)`).
//!
//! Reading builds a plan like any other DataFrame: the files are opened when a result is
//! asked for. Writing runs at once, as a command, and returns when the server has written.
//!
//! Arguments that are wrong whatever the server (a bucket count below 1, `sort_by` without
//! `bucket_by`, `cluster_by` or `partitioned_by` without columns, an unknown save mode) are
//! [`Error::InvalidArgument`] here, reported by the call that runs the write (PySpark's
//! Connect client checks some of them; it drops a bucket count below 1 without a word, and
//! Spark refuses the others); everything else (an unknown format, a missing path, an
//! existing table) is the server's error, returned as the server reported it.
//!
//! This folder holds the readers and writers of batch data: here the reader, the writers and
//! their options; `merge.rs` the `MERGE INTO` writer
//! ([`MergeIntoWriter`](crate::MergeIntoWriter)); `pyspark_commands.rs` a unit test that
//! compares the commands built here with those PySpark builds. Streaming readers and writers are
//! in the `streaming` folder.

pub(crate) mod merge;

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use proto::relation::RelType;
use serde_json::{Value, json};
use spark_connect_transport::proto;

use crate::Error;
use crate::column::Column;
use crate::column::arguments::{IntoColumns, IntoNames};
use crate::dataframe::DataFrame;
use crate::session::{SparkSession, command_plan};
use crate::types::{DataType, StructType};

/// What a [`DataFrameWriter`] does when its target (a path or a table) already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaveMode {
    /// Adds the rows to what is there.
    Append,
    /// Replaces what is there.
    Overwrite,
    /// Fails (Spark's default).
    ErrorIfExists,
    /// Writes nothing and leaves what is there.
    Ignore,
}

impl SaveMode {
    fn to_proto(self) -> proto::write_operation::SaveMode {
        use proto::write_operation::SaveMode as M;
        match self {
            SaveMode::Append => M::Append,
            SaveMode::Overwrite => M::Overwrite,
            SaveMode::ErrorIfExists => M::ErrorIfExists,
            SaveMode::Ignore => M::Ignore,
        }
    }
}

impl FromStr for SaveMode {
    type Err = Error;

    /// Spark's names, in any case: `append`, `overwrite`, `ignore`, and `error`,
    /// `errorifexists` or `default` for [`SaveMode::ErrorIfExists`] (Spark's
    /// `DataFrameWriter.mode` takes all six; PySpark's Connect client only the first four).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s.to_ascii_lowercase().as_str() {
            "append" => Ok(SaveMode::Append),
            "overwrite" => Ok(SaveMode::Overwrite),
            "error" | "errorifexists" | "default" => Ok(SaveMode::ErrorIfExists),
            "ignore" => Ok(SaveMode::Ignore),
            _ => Err(Error::InvalidArgument(format!(
                "save mode '{s}' is unknown; expected append, overwrite, ignore, error, \
                 errorifexists or default"
            ))),
        }
    }
}

/// The mode of [`DataFrameWriter::mode`]: a [`SaveMode`], or PySpark's string for it
/// (`"overwrite"`, `"append"`, `"ignore"`, `"error"`, `"errorifexists"`, `"default"`, in any
/// case). A string that is not a mode is reported by the call that runs the write, as the
/// writer's other bad arguments are.
pub trait IntoSaveMode {
    /// The mode, or the error for a string that is not one.
    fn into_save_mode(self) -> Result<SaveMode, Error>;
}

impl IntoSaveMode for SaveMode {
    fn into_save_mode(self) -> Result<SaveMode, Error> {
        Ok(self)
    }
}

impl IntoSaveMode for &str {
    fn into_save_mode(self) -> Result<SaveMode, Error> {
        self.parse()
    }
}

impl IntoSaveMode for String {
    fn into_save_mode(self) -> Result<SaveMode, Error> {
        self.parse()
    }
}

impl IntoSaveMode for &String {
    fn into_save_mode(self) -> Result<SaveMode, Error> {
        self.parse()
    }
}

impl fmt::Display for SaveMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SaveMode::Append => "append",
            SaveMode::Overwrite => "overwrite",
            SaveMode::ErrorIfExists => "errorifexists",
            SaveMode::Ignore => "ignore",
        })
    }
}

/// One path or several, for [`DataFrameReader::load`] and the format shortcuts: a `&str`,
/// a `String`, or an array, slice or `Vec` (or `&Vec`) of them. Paths are sent as given.
pub trait IntoPaths {
    /// The paths, in order.
    fn into_paths(self) -> Vec<String>;
}

impl IntoPaths for &str {
    fn into_paths(self) -> Vec<String> {
        vec![self.to_string()]
    }
}

impl IntoPaths for String {
    fn into_paths(self) -> Vec<String> {
        vec![self]
    }
}

impl IntoPaths for &String {
    fn into_paths(self) -> Vec<String> {
        vec![self.clone()]
    }
}

impl<S: AsRef<str>> IntoPaths for Vec<S> {
    fn into_paths(self) -> Vec<String> {
        self.iter().map(|p| p.as_ref().to_string()).collect()
    }
}

impl<S: AsRef<str>> IntoPaths for &Vec<S> {
    fn into_paths(self) -> Vec<String> {
        self.iter().map(|p| p.as_ref().to_string()).collect()
    }
}

impl<S: AsRef<str>> IntoPaths for &[S] {
    fn into_paths(self) -> Vec<String> {
        self.iter().map(|p| p.as_ref().to_string()).collect()
    }
}

impl<S: AsRef<str>, const N: usize> IntoPaths for [S; N] {
    fn into_paths(self) -> Vec<String> {
        self.iter().map(|p| p.as_ref().to_string()).collect()
    }
}

/// A schema given by the caller: a [`StructType`], or a DDL string such as
/// `"id INT, name STRING"`. Readers take it ([`DataFrameReader::schema`], where a DDL string
/// is sent as it is and the server parses it), and so does local data
/// ([`SparkSession::create_dataframe_with_schema`], where a DDL string is parsed by the
/// server first, as PySpark's `createDataFrame(data, "id INT, name STRING")` does).
#[derive(Debug, Clone, PartialEq)]
pub enum ReadSchema {
    /// A struct type, sent as Spark's JSON form of it (as PySpark sends it).
    Struct(StructType),
    /// A DDL string.
    Ddl(String),
}

impl From<StructType> for ReadSchema {
    fn from(s: StructType) -> Self {
        ReadSchema::Struct(s)
    }
}

impl From<&StructType> for ReadSchema {
    fn from(s: &StructType) -> Self {
        ReadSchema::Struct(s.clone())
    }
}

impl From<&str> for ReadSchema {
    fn from(s: &str) -> Self {
        ReadSchema::Ddl(s.to_string())
    }
}

impl From<String> for ReadSchema {
    fn from(s: String) -> Self {
        ReadSchema::Ddl(s)
    }
}

impl ReadSchema {
    pub(crate) fn to_wire(&self) -> Result<String, Error> {
        match self {
            ReadSchema::Ddl(s) => Ok(s.clone()),
            ReadSchema::Struct(s) => schema_json(s),
        }
    }
}

/// Spark's JSON form of a struct type, as PySpark's `StructType.json()` writes it; an error
/// for the types this client cannot write so (collated strings, user-defined and unknown
/// types) and for field metadata that is not JSON.
pub(crate) fn schema_json(s: &StructType) -> Result<String, Error> {
    // serde_json's maps keep keys sorted and `to_string` writes no spaces: PySpark's
    // `json.dumps(..., separators=(",", ":"), sort_keys=True)`.
    Ok(struct_json(s)?.to_string())
}

fn struct_json(s: &StructType) -> Result<Value, Error> {
    let fields = s
        .fields
        .iter()
        .map(|f| {
            let metadata = match f.metadata.as_deref().map(str::trim) {
                Some(m) if !m.is_empty() => serde_json::from_str(m).map_err(|e| {
                    Error::InvalidArgument(format!(
                        "schema: the metadata of the field '{}' is not JSON ({e}); expected a \
                         JSON object such as {{\"comment\":\"...\"}}",
                        f.name
                    ))
                })?,
                _ => json!({}),
            };
            Ok(json!({
                "metadata": metadata,
                "name": f.name,
                "nullable": f.nullable,
                "type": type_json(&f.data_type, &f.name)?,
            }))
        })
        .collect::<Result<Vec<Value>, Error>>()?;
    Ok(json!({"fields": fields, "type": "struct"}))
}

fn type_json(t: &DataType, field: &str) -> Result<Value, Error> {
    Ok(match t {
        DataType::Null => json!("void"),
        DataType::Boolean => json!("boolean"),
        DataType::Byte => json!("byte"),
        DataType::Short => json!("short"),
        DataType::Integer => json!("integer"),
        DataType::Long => json!("long"),
        DataType::Array {
            element,
            contains_null,
        } => json!({
            "containsNull": contains_null,
            "elementType": type_json(element, field)?,
            "type": "array",
        }),
        DataType::Map {
            key,
            value,
            value_contains_null,
        } => json!({
            "keyType": type_json(key, field)?,
            "type": "map",
            "valueContainsNull": value_contains_null,
            "valueType": type_json(value, field)?,
        }),
        DataType::Struct(s) => struct_json(s)?,
        DataType::String { collation } if !(collation.is_empty() || collation == "UTF8_BINARY") => {
            return Err(Error::InvalidArgument(format!(
                "schema: the field '{field}' has a collated string type ({}), which this \
                 client cannot send as a StructType yet; give the schema as a DDL string instead",
                t.ddl()
            )));
        }
        DataType::UserDefined { .. } | DataType::Other(_) => {
            return Err(Error::InvalidArgument(format!(
                "schema: the field '{field}' has the type {}, which this client cannot \
                 send as a StructType; give the schema as a DDL string instead",
                t.ddl()
            )));
        }
        // Every other type's JSON name is its simple name (`double`, `decimal(10,2)`,
        // `char(3)`, `timestamp_ntz`, `interval day to second`, `variant`, ...).
        other => Value::String(other.type_name()),
    })
}

/// The options of a data source reader or writer (batch or streaming): keys are
/// case-insensitive, as Spark reads them, and `Debug` redacts values that may hold
/// credentials (see [`RedactedOptions`]).
#[derive(Clone, Default)]
pub(crate) struct Options(HashMap<String, String>);

impl Options {
    /// Sets `key` to `value`, replacing a key that differs only in case: two spellings of one
    /// key would leave it to chance which one wins.
    pub(crate) fn set(&mut self, key: &str, value: String) {
        self.0.retain(|k, _| !k.eq_ignore_ascii_case(key));
        self.0.insert(key.to_string(), value);
    }

    /// Sets each of these, as [`set`](Self::set), in order.
    pub(crate) fn extend<K: AsRef<str>, V: ToString>(
        &mut self,
        options: impl IntoIterator<Item = (K, V)>,
    ) {
        for (k, v) in options {
            self.set(k.as_ref(), v.to_string());
        }
    }

    /// Whether `key` is set, in any case.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.0.keys().any(|k| k.eq_ignore_ascii_case(key))
    }

    /// The options as the protocol's map.
    pub(crate) fn into_map(self) -> HashMap<String, String> {
        self.0
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        RedactedOptions(&self.0).fmt(f)
    }
}

/// Options for `Debug`: values of keys that may hold credentials (`password`, `token`,
/// `secret`, account keys, JDBC URLs, which can embed a password, Kafka's SASL/JAAS
/// settings) are redacted.
pub(crate) struct RedactedOptions<'a>(pub(crate) &'a HashMap<String, String>);

impl fmt::Debug for RedactedOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `sasl` / `jaas`: Kafka's `kafka.sasl.jaas.config` carries a password.
        const SENSITIVE: [&str; 9] = [
            "password",
            "secret",
            "token",
            "key",
            "credential",
            "auth",
            "url",
            "sasl",
            "jaas",
        ];
        let mut keys: Vec<&String> = self.0.keys().collect();
        keys.sort();
        let mut map = f.debug_map();
        for k in keys {
            let lower = k.to_ascii_lowercase();
            if SENSITIVE.iter().any(|s| lower.contains(s)) {
                map.entry(k, &"<redacted>");
            } else {
                map.entry(k, &self.0[k]);
            }
        }
        map.finish()
    }
}

impl fmt::Debug for DataFrameReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataFrameReader")
            .field("format", &self.format)
            .field("schema", &self.schema)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for DataFrameWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataFrameWriter")
            .field("format", &self.format)
            .field("mode", &self.mode)
            .field("options", &self.options)
            .field("partition_by", &self.partition_by)
            .field("bucket_by", &self.bucket_by)
            .field("sort_by", &self.sort_by)
            .field("cluster_by", &self.cluster_by)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for DataFrameWriterV2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataFrameWriterV2")
            .field("table", &self.table)
            .field("provider", &self.provider)
            .field("options", &self.options)
            .field("table_properties", &RedactedOptions(&self.table_properties))
            .finish_non_exhaustive()
    }
}

/// Runs a command and waits until the server has finished it.
async fn run_command(
    session: &SparkSession,
    command_type: proto::command::CommandType,
) -> Result<(), Error> {
    let command = proto::Command {
        command_type: Some(command_type),
    };
    let mut stream = session.client().execute_plan(command_plan(command)).await?;
    while let Some(response) = stream.next_response().await {
        response?;
    }
    Ok(())
}

impl SparkSession {
    /// A reader of files and tables into DataFrames (`spark.read` in PySpark).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let spark = spark_connect_dataframe::SparkSession::builder()
    /// #     .remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::{read::ReadType, relation::RelType};
    ///
    /// let df = spark
    ///     .read()
    ///     .schema("id INT, name STRING")
    ///     .option("header", true)
    ///     .csv("/data/people.csv");
    /// let Some(RelType::Read(read)) = &df.to_proto().rel_type else { panic!() };
    /// let Some(ReadType::DataSource(source)) = &read.read_type else { panic!() };
    /// assert_eq!(source.format.as_deref(), Some("csv"));
    /// assert_eq!(source.options["header"], "true");
    /// # Ok(())
    /// # }
    /// ```
    pub fn read(&self) -> DataFrameReader {
        DataFrameReader {
            session: self.clone(),
            format: None,
            schema: None,
            options: Options::default(),
        }
    }
}

/// Reads files, tables and other data sources into DataFrames; made by
/// [`SparkSession::read`]. Set a format, a schema and options, then call
/// [`load`](Self::load), [`table`](Self::table) or a format shortcut such as
/// [`parquet`](Self::parquet).
///
/// Nothing is read until a result of the DataFrame is asked for; a missing path or an unknown
/// format is reported then, by the server.
#[derive(Clone)]
#[must_use = "a reader does nothing until load, table or a format shortcut is called"]
pub struct DataFrameReader {
    session: SparkSession,
    format: Option<String>,
    schema: Option<ReadSchema>,
    options: Options,
}

impl DataFrameReader {
    /// The data source: `parquet`, `csv`, `json`, `orc`, `text`, `xml`, `avro`, `jdbc`, ...
    /// Without one, the server's `spark.sql.sources.default` (parquet) is used.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().format("avro").load("/data/events");
    /// assert_eq!(source(&df).format.as_deref(), Some("avro"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn format(mut self, source: &str) -> Self {
        self.format = Some(source.to_string());
        self
    }

    /// The schema to read with, instead of inferring it: a [`StructType`] or a DDL string
    /// (`"id INT, name STRING"`).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().schema("id INT, name STRING").json("/data/people");
    /// assert_eq!(source(&df).schema.as_deref(), Some("id INT, name STRING"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn schema(mut self, schema: impl Into<ReadSchema>) -> Self {
        self.schema = Some(schema.into());
        self
    }

    /// An option of the data source (`header`, `sep`, `inferSchema`, ...). Values are
    /// written as text: `true` becomes `"true"`. Keys are case-insensitive: setting a key again
    /// in another case replaces it.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().option("header", true).option("HEADER", false).csv("/data/a.csv");
    /// assert_eq!(source(&df).options, [("HEADER".to_string(), "false".to_string())].into());
    /// # Ok(())
    /// # }
    /// ```
    pub fn option(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.options.set(key, value.to_string());
        self
    }

    /// Several options, as [`option`](Self::option).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().options([("sep", ";"), ("header", "true")]).csv("/data/a.csv");
    /// assert_eq!(source(&df).options["sep"], ";");
    /// # Ok(())
    /// # }
    /// ```
    pub fn options<K: AsRef<str>, V: fmt::Display>(
        mut self,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.options.extend(options);
        self
    }

    fn data_source(self, paths: Vec<String>, predicates: Vec<String>) -> DataFrame {
        // PySpark sends an empty schema when none is given; the server infers one.
        let (schema, problem) = match self.schema.as_ref().map(ReadSchema::to_wire) {
            None => (String::new(), None),
            Some(Ok(schema)) => (schema, None),
            Some(Err(e)) => (String::new(), Some(crate::relational::deferred(e))),
        };
        self.session.dataframe_with_problem(
            RelType::Read(proto::Read {
                is_streaming: false,
                read_type: Some(proto::read::ReadType::DataSource(proto::read::DataSource {
                    format: self.format,
                    schema: Some(schema),
                    options: self.options.into_map(),
                    paths,
                    predicates,
                    source_name: None,
                })),
            }),
            problem,
        )
    }

    /// Reads from one path or several (see [`IntoPaths`]). A [`StructType`] schema this client
    /// cannot send (see [`ReadSchema`]) is reported as [`Error::InvalidArgument`] by the
    /// request that would run the plan, so the chain needs no `?`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().format("parquet").load(["/data/2024", "/data/2025"]);
    /// assert_eq!(source(&df).paths, ["/data/2024", "/data/2025"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn load(self, paths: impl IntoPaths) -> DataFrame {
        self.data_source(paths.into_paths(), Vec::new())
    }

    /// Reads from a source that needs no path (a `jdbc` URL in the options, or a `path`
    /// option): PySpark's `load()` without arguments.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().format("delta").option("path", "/lake/t").load_without_path();
    /// assert!(source(&df).paths.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn load_without_path(self) -> DataFrame {
        self.data_source(Vec::new(), Vec::new())
    }

    /// The table or view `name`, with this reader's options. A schema is not allowed here:
    /// one set is reported as [`Error::InvalidArgument`] by the request that would run the
    /// plan.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// let df = spark.read().option("versionAsOf", 3).table("lake.events");
    /// let Some(RelType::Read(read)) = &df.to_proto().rel_type else { panic!() };
    /// let Some(ReadType::NamedTable(t)) = &read.read_type else { panic!() };
    /// assert_eq!((t.unparsed_identifier.as_str(), t.options["versionAsOf"].as_str()), ("lake.events", "3"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn table(self, name: &str) -> DataFrame {
        let problem = self.schema.is_some().then(|| {
            format!(
                "read().table(\"{name}\"): a table has its own schema; do not set one on the reader"
            )
        });
        self.session.dataframe_with_problem(
            RelType::Read(proto::Read {
                is_streaming: false,
                read_type: Some(proto::read::ReadType::NamedTable(proto::read::NamedTable {
                    unparsed_identifier: name.to_string(),
                    options: self.options.into_map(),
                })),
            }),
            problem,
        )
    }

    /// The change data (CDC) of the table `name`; which versions or times is set by options
    /// (`startingVersion`, `endingVersion`, ...). Only tables whose catalog records changes
    /// have any; others are the server's error. A schema is not allowed here: one set is
    /// reported as [`Error::InvalidArgument`] by the request that would run the plan.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::relation::RelType;
    /// let df = spark.read().option("startingVersion", 2).changes("lake.events");
    /// let Some(RelType::RelationChanges(c)) = &df.to_proto().rel_type else { panic!() };
    /// assert_eq!(c.unparsed_identifier, "lake.events");
    /// # Ok(())
    /// # }
    /// ```
    pub fn changes(self, name: &str) -> DataFrame {
        let problem = self.schema.is_some().then(|| {
            format!(
                "read().changes(\"{name}\"): a user-specified schema is not supported with changes"
            )
        });
        self.session.dataframe_with_problem(
            RelType::RelationChanges(proto::RelationChanges {
                unparsed_identifier: name.to_string(),
                options: self.options.into_map(),
                is_streaming: false,
            }),
            problem,
        )
    }

    /// CSV files. Common options: `header`, `sep`, `inferSchema`, `nullValue`, `dateFormat`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().option("header", true).csv("/data/people.csv");
    /// assert_eq!(source(&df).format.as_deref(), Some("csv"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn csv(self, paths: impl IntoPaths) -> DataFrame {
        self.format("csv").load(paths)
    }

    /// JSON Lines files (one object per line; `multiLine` for whole-file JSON).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().option("multiLine", true).json("/data/doc.json");
    /// assert_eq!(source(&df).format.as_deref(), Some("json"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn json(self, paths: impl IntoPaths) -> DataFrame {
        self.format("json").load(paths)
    }

    /// Parquet files.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().parquet("/data/events");
    /// assert_eq!((source(&df).format.as_deref(), source(&df).paths), (Some("parquet"), vec!["/data/events".to_string()]));
    /// # Ok(())
    /// # }
    /// ```
    pub fn parquet(self, paths: impl IntoPaths) -> DataFrame {
        self.format("parquet").load(paths)
    }

    /// ORC files.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().orc("/data/events");
    /// assert_eq!(source(&df).format.as_deref(), Some("orc"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn orc(self, paths: impl IntoPaths) -> DataFrame {
        self.format("orc").load(paths)
    }

    /// Text files: one row per line in a string column `value` (`wholetext` for one row per
    /// file). As in PySpark, `wholetext` is sent as `false` unless it was set.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().text("/logs/app.log");
    /// assert_eq!(source(&df).options["wholetext"], "false");
    /// # Ok(())
    /// # }
    /// ```
    pub fn text(mut self, paths: impl IntoPaths) -> DataFrame {
        if !self.options.contains("wholetext") {
            self.options.set("wholetext", "false".to_string());
        }
        self.format("text").load(paths)
    }

    /// XML files; `rowTag` names the element that is one row.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().option("rowTag", "book").xml("/data/books.xml");
    /// assert_eq!(source(&df).format.as_deref(), Some("xml"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn xml(self, paths: impl IntoPaths) -> DataFrame {
        self.format("xml").load(paths)
    }

    /// The table `table` of the database at the JDBC `url`, one partition per predicate
    /// (`WHERE` conditions) when `predicates` is not empty. Connection properties (`user`,
    /// `password`, `driver`, ...) are options; set them before. The JDBC driver must be on the
    /// server.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # use proto::{read::ReadType, relation::RelType};
    /// # fn source(df: &DataFrame) -> proto::read::DataSource { let Some(RelType::Read(r)) = &df.to_proto().rel_type else { panic!() }; let Some(ReadType::DataSource(s)) = &r.read_type else { panic!() }; s.clone() }
    /// let df = spark.read().option("user", "me").jdbc("jdbc:postgresql://db/shop", "orders", ["id < 1000", "id >= 1000"]);
    /// assert_eq!((source(&df).options["dbtable"].as_str(), source(&df).predicates.len()), ("orders", 2));
    /// # Ok(())
    /// # }
    /// ```
    pub fn jdbc<P: AsRef<str>>(
        self,
        url: &str,
        table: &str,
        predicates: impl IntoIterator<Item = P>,
    ) -> DataFrame {
        let predicates: Vec<String> = predicates
            .into_iter()
            .map(|p| p.as_ref().to_string())
            .collect();
        self.format("jdbc")
            .option("url", url)
            .option("dbtable", table)
            .data_source(Vec::new(), predicates)
    }
}

impl DataFrame {
    /// A writer of this DataFrame to files or a table (`df.write` in PySpark).
    ///
    /// ```no_run
    /// # async fn demo(df: spark_connect_dataframe::DataFrame) -> Result<(), spark_connect_dataframe::Error> {
    /// use spark_connect_dataframe::SaveMode;
    ///
    /// df.write()
    ///     .mode("overwrite")
    ///     .partition_by("year")
    ///     .parquet("/tmp/events")
    ///     .await?;
    /// // The same, with the enum.
    /// df.write()
    ///     .mode(SaveMode::Overwrite)
    ///     .partition_by(["year"])
    ///     .parquet("/tmp/events")
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn write(&self) -> DataFrameWriter {
        DataFrameWriter {
            df: self.clone(),
            format: None,
            mode: None,
            options: Options::default(),
            partition_by: Vec::new(),
            bucket_by: None,
            sort_by: Vec::new(),
            cluster_by: Vec::new(),
            problem: None,
        }
    }

    /// A writer of this DataFrame to the table `table` through Spark's V2 table API
    /// (`df.writeTo(table)` in PySpark): create, replace, append, overwrite.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriterV2) -> proto::WriteOperationV2 { let Some(proto::command::CommandType::WriteOperationV2(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write_to("lake.events");
    /// assert_eq!(op(&w).table_name, "lake.events");
    /// # Ok(())
    /// # }
    /// ```
    pub fn write_to(&self, table: &str) -> DataFrameWriterV2 {
        DataFrameWriterV2 {
            df: self.clone(),
            table: table.to_string(),
            provider: None,
            options: Options::default(),
            table_properties: HashMap::new(),
            partitioned_by: Vec::new(),
            cluster_by: Vec::new(),
            problem: None,
        }
    }
}

/// Writes a DataFrame to files or a table; made by [`DataFrame::write`]. Set a format, a mode
/// and options, then call [`save`](Self::save), [`save_as_table`](Self::save_as_table),
/// [`insert_into`](Self::insert_into) or a format shortcut such as
/// [`parquet`](Self::parquet); that call runs the write on the server.
#[derive(Clone)]
#[must_use = "a writer does nothing until save, save_as_table, insert_into or a format shortcut is awaited"]
pub struct DataFrameWriter {
    df: DataFrame,
    format: Option<String>,
    mode: Option<SaveMode>,
    options: Options,
    partition_by: Vec<String>,
    bucket_by: Option<(i32, Vec<String>)>,
    sort_by: Vec<String>,
    cluster_by: Vec<String>,
    /// The first bad argument, reported by the call that runs the write.
    problem: Option<String>,
}

impl DataFrameWriter {
    /// The data source to write: `parquet` (the server's default), `csv`, `json`, `orc`,
    /// `text`, `xml`, `avro`, ...
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriter) -> proto::WriteOperation { let Some(proto::command::CommandType::WriteOperation(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write().format("csv");
    /// assert_eq!(op(&w).source.as_deref(), Some("csv"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn format(mut self, source: &str) -> Self {
        self.format = Some(source.to_string());
        self
    }

    /// What to do when the target exists: a [`SaveMode`] or PySpark's string
    /// (`mode("overwrite")`, see [`IntoSaveMode`]); without it, the server's default
    /// ([`SaveMode::ErrorIfExists`]). An unknown string is reported by the call that runs the
    /// write, and by [`to_proto`](Self::to_proto).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriter) -> proto::WriteOperation { let Some(proto::command::CommandType::WriteOperation(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write().mode("overwrite");
    /// assert_eq!(op(&w).mode, proto::write_operation::SaveMode::Overwrite as i32);
    /// let e = spark.range(0, 3).write().mode("upsert").save("/tmp/x").await.unwrap_err();
    /// assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    /// let inspected = spark.range(0, 3).write().mode("upsert").to_proto().unwrap_err();
    /// assert_eq!(inspected.to_string(), e.to_string());
    /// # Ok(())
    /// # }
    /// ```
    pub fn mode(mut self, mode: impl IntoSaveMode) -> Self {
        match mode.into_save_mode() {
            Ok(mode) => self.mode = Some(mode),
            Err(Error::InvalidArgument(problem)) => self.note(problem),
            Err(other) => self.note(other.to_string()),
        }
        self
    }

    /// An option of the data source (`header`, `compression`, ...), written as text. Keys are
    /// case-insensitive: setting a key again in another case replaces it.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriter) -> proto::WriteOperation { let Some(proto::command::CommandType::WriteOperation(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write().option("compression", "zstd");
    /// assert_eq!(op(&w).options["compression"], "zstd");
    /// # Ok(())
    /// # }
    /// ```
    pub fn option(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.options.set(key, value.to_string());
        self
    }

    /// Several options, as [`option`](Self::option).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriter) -> proto::WriteOperation { let Some(proto::command::CommandType::WriteOperation(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write().options([("header", "true"), ("sep", ";")]);
    /// assert_eq!(op(&w).options["sep"], ";");
    /// # Ok(())
    /// # }
    /// ```
    pub fn options<K: AsRef<str>, V: fmt::Display>(
        mut self,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.options.extend(options);
        self
    }

    /// Writes one directory per value of these columns (`key=value/`), in this order: one
    /// name (`partition_by("year")`) or several (`partition_by(["year", "month"])`).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriter) -> proto::WriteOperation { let Some(proto::command::CommandType::WriteOperation(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write().partition_by(["year", "month"]);
    /// assert_eq!(op(&w).partitioning_columns, ["year", "month"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn partition_by(mut self, columns: impl IntoNames) -> Self {
        self.partition_by = columns.into_names();
        self
    }

    /// Hashes rows into `num_buckets` buckets by these columns (one name or several, at
    /// least one), for tables ([`save_as_table`](Self::save_as_table)) only.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriter) -> proto::WriteOperation { let Some(proto::command::CommandType::WriteOperation(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write().bucket_by(8, "id");
    /// let buckets = op(&w).bucket_by.unwrap();
    /// assert_eq!((buckets.num_buckets, buckets.bucket_column_names), (8, vec!["id".to_string()]));
    /// let e = spark.range(0, 3).write().bucket_by(0, "id").save_as_table("t").await.unwrap_err();
    /// assert!(e.to_string().contains("at least 1, got 0"), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn bucket_by(mut self, num_buckets: i32, columns: impl IntoNames) -> Self {
        let columns = columns.into_names();
        if num_buckets < 1 {
            self.note(format!(
                "bucket_by: the number of buckets must be at least 1, got {num_buckets}"
            ));
        } else if columns.is_empty() {
            self.note("bucket_by: give at least one column to bucket by".to_string());
        }
        self.bucket_by = Some((num_buckets, columns));
        self
    }

    /// Sorts each bucket by these columns (one name or several, at least one); needs
    /// [`bucket_by`](Self::bucket_by).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriter) -> proto::WriteOperation { let Some(proto::command::CommandType::WriteOperation(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write().bucket_by(8, "id").sort_by("id");
    /// assert_eq!(op(&w).sort_column_names, ["id"]);
    /// let e = spark.range(0, 3).write().sort_by("id").save_as_table("t").await.unwrap_err();
    /// assert!(e.to_string().contains("bucket_by"), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn sort_by(mut self, columns: impl IntoNames) -> Self {
        let columns = columns.into_names();
        if columns.is_empty() {
            self.note("sort_by: give at least one column to sort by".to_string());
        }
        self.sort_by = columns;
        self
    }

    /// Clusters the table's data by these columns (one name or several, at least one; for
    /// sources that support clustering).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriter) -> proto::WriteOperation { let Some(proto::command::CommandType::WriteOperation(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write().cluster_by(["id"]);
    /// assert_eq!(op(&w).clustering_columns, ["id"]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn cluster_by(mut self, columns: impl IntoNames) -> Self {
        self.cluster_by = columns.into_names();
        if self.cluster_by.is_empty() {
            self.note("cluster_by: give at least one column to cluster by".to_string());
        }
        self
    }

    /// The `Command` this write sends, for inspection, built by the code that runs the
    /// write: a bad argument (an unknown [`mode`](Self::mode), [`bucket_by`](Self::bucket_by)
    /// with no buckets, [`sort_by`](Self::sort_by) without `bucket_by`, a bad argument in the
    /// DataFrame's plan, ...) is the same [`Error::InvalidArgument`] the write returns, so this
    /// returns a `Result` where [`MergeIntoWriter::to_proto`](crate::MergeIntoWriter::to_proto)
    /// does not need one.
    ///
    /// The call that runs the write adds its target: this is the command of
    /// [`save_without_path`](Self::save_without_path) (no `save_type`). [`save`](Self::save)
    /// sets `save_type` to the path, and the format shortcuts ([`parquet`](Self::parquet),
    /// [`csv`](Self::csv), ...) also the `source`; [`save_as_table`](Self::save_as_table) and
    /// [`insert_into`](Self::insert_into) set it to the table, and `insert_into` with
    /// `Some(overwrite)` the `mode`; [`jdbc`](Self::jdbc) sets the `source` and the `url` and
    /// `dbtable` options.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::{command::CommandType, write_operation::SaveMode as Mode};
    ///
    /// let df = spark.range(0, 3);
    /// let command = df.write().format("csv").mode("append").partition_by("id").to_proto()?;
    /// let Some(CommandType::WriteOperation(write)) = command.command_type else { panic!() };
    /// assert_eq!(write.input.as_ref(), Some(df.to_proto()));
    /// assert_eq!(write.source.as_deref(), Some("csv"));
    /// assert_eq!(write.mode, Mode::Append as i32);
    /// assert_eq!(write.partitioning_columns, ["id"]);
    /// assert_eq!(write.save_type, None);
    ///
    /// // A bad mode is the write's error, found without a server.
    /// let e = df.write().mode("upsert").to_proto().unwrap_err();
    /// assert!(matches!(e, Error::InvalidArgument(_)) && e.to_string().contains("'upsert'"), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_proto(&self) -> Result<proto::Command, Error> {
        let (_, command_type) = self.clone().operation(None)?;
        Ok(proto::Command {
            command_type: Some(command_type),
        })
    }

    fn note(&mut self, problem: String) {
        self.problem.get_or_insert(problem);
    }

    fn operation(
        self,
        save_type: Option<proto::write_operation::SaveType>,
    ) -> Result<(SparkSession, proto::command::CommandType), Error> {
        if let Some(problem) = self.problem {
            return Err(Error::InvalidArgument(problem));
        }
        if !self.sort_by.is_empty() && self.bucket_by.is_none() {
            return Err(Error::InvalidArgument(
                "sort_by only applies to bucketed writes; call bucket_by as well".to_string(),
            ));
        }
        let input = self.df.plan_with_subqueries()?;
        let session = self.df.session().clone();
        let operation = proto::WriteOperation {
            input: Some(input),
            source: self.format,
            mode: self
                .mode
                .map(|m| m.to_proto() as i32)
                .unwrap_or(proto::write_operation::SaveMode::Unspecified as i32),
            sort_column_names: self.sort_by,
            partitioning_columns: self.partition_by,
            bucket_by: self
                .bucket_by
                .map(|(n, cols)| proto::write_operation::BucketBy {
                    bucket_column_names: cols,
                    num_buckets: n,
                }),
            options: self.options.into_map(),
            clustering_columns: self.cluster_by,
            with_schema_evolution: false,
            save_type,
        };
        Ok((
            session,
            proto::command::CommandType::WriteOperation(operation),
        ))
    }

    async fn run(self, save_type: Option<proto::write_operation::SaveType>) -> Result<(), Error> {
        let (session, command) = self.operation(save_type)?;
        run_command(&session, command).await
    }

    /// Writes to the path `path` in the chosen format.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write().format("parquet").mode("append").save("/lake/events").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn save(self, path: &str) -> Result<(), Error> {
        self.run(Some(proto::write_operation::SaveType::Path(
            path.to_string(),
        )))
        .await
    }

    /// Writes to a destination that is neither a path nor a table (`jdbc` with its options,
    /// `noop`, or a `path` option): PySpark's `save()` without arguments.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write().format("noop").mode("overwrite").save_without_path().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn save_without_path(self) -> Result<(), Error> {
        self.run(None).await
    }

    /// Writes to the table `name`, creating it with this format, partitioning and bucketing
    /// when it does not exist; when it does, the mode decides.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write().mode("overwrite").partition_by("year").save_as_table("lake.events").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn save_as_table(self, name: &str) -> Result<(), Error> {
        self.run(Some(table_target(
            name,
            proto::write_operation::save_table::TableSaveMethod::SaveAsTable,
        )))
        .await
    }

    /// Inserts into the existing table `name`, matching columns by position. `overwrite`:
    /// `Some(true)` replaces the table's rows, `Some(false)` appends, `None` keeps the mode
    /// set with [`mode`](Self::mode) (which appends unless it is `Overwrite`).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write().insert_into("lake.events", Some(false)).await?; // appends
    /// # Ok(())
    /// # }
    /// ```
    pub async fn insert_into(self, name: &str, overwrite: Option<bool>) -> Result<(), Error> {
        let (session, command) = self.insert_into_operation(name, overwrite)?;
        run_command(&session, command).await
    }

    fn insert_into_operation(
        mut self,
        name: &str,
        overwrite: Option<bool>,
    ) -> Result<(SparkSession, proto::command::CommandType), Error> {
        if let Some(overwrite) = overwrite {
            self.mode = Some(if overwrite {
                SaveMode::Overwrite
            } else {
                SaveMode::Append
            });
        }
        self.operation(Some(table_target(
            name,
            proto::write_operation::save_table::TableSaveMethod::InsertInto,
        )))
    }

    /// Writes CSV files to `path` (options such as `header`, `sep` set before).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write().option("header", true).csv("/out/people").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn csv(self, path: &str) -> Result<(), Error> {
        self.format("csv").save(path).await
    }

    /// Writes JSON Lines files to `path`.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write().mode("overwrite").json("/out/people").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn json(self, path: &str) -> Result<(), Error> {
        self.format("json").save(path).await
    }

    /// Writes Parquet files to `path`.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write().option("compression", "zstd").parquet("/out/people").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn parquet(self, path: &str) -> Result<(), Error> {
        self.format("parquet").save(path).await
    }

    /// Writes ORC files to `path`.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write().orc("/out/people").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn orc(self, path: &str) -> Result<(), Error> {
        self.format("orc").save(path).await
    }

    /// Writes text files to `path`; the DataFrame must have one string column.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.select("line").write().text("/out/lines").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn text(self, path: &str) -> Result<(), Error> {
        self.format("text").save(path).await
    }

    /// Writes XML files to `path` (`rowTag`, `rootTag` options).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write().option("rowTag", "person").xml("/out/people").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn xml(self, path: &str) -> Result<(), Error> {
        self.format("xml").save(path).await
    }

    /// Writes to the table `table` of the database at the JDBC `url`; connection properties
    /// are options. The JDBC driver must be on the server.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write().option("user", "me").mode("append").jdbc("jdbc:postgresql://db/shop", "orders").await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn jdbc(self, url: &str, table: &str) -> Result<(), Error> {
        self.jdbc_target(url, table).save_without_path().await
    }

    fn jdbc_target(self, url: &str, table: &str) -> Self {
        self.format("jdbc")
            .option("url", url)
            .option("dbtable", table)
    }
}

fn table_target(
    name: &str,
    method: proto::write_operation::save_table::TableSaveMethod,
) -> proto::write_operation::SaveType {
    proto::write_operation::SaveType::Table(proto::write_operation::SaveTable {
        table_name: name.to_string(),
        save_method: method as i32,
    })
}

/// Writes a DataFrame to a table through Spark's V2 table API; made by
/// [`DataFrame::write_to`]. The last call ([`create`](Self::create),
/// [`append`](Self::append), [`overwrite`](Self::overwrite), ...) runs the write.
///
/// Spark's built-in session catalog (`spark_catalog`) supports `create`, `replace`,
/// `create_or_replace` and `append`; `overwrite` and `overwrite_partitions` need a catalog
/// whose tables accept them (Delta, Iceberg, ...), and the server reports so otherwise.
#[derive(Clone)]
#[must_use = "a V2 writer does nothing until create, replace, append, ... is awaited"]
pub struct DataFrameWriterV2 {
    df: DataFrame,
    table: String,
    provider: Option<String>,
    options: Options,
    table_properties: HashMap<String, String>,
    partitioned_by: Vec<Column>,
    cluster_by: Vec<String>,
    /// The first bad argument, reported by the call that runs the write.
    problem: Option<String>,
}

impl DataFrameWriterV2 {
    /// The table provider (`parquet`, `delta`, ...) for a table that is created.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriterV2) -> proto::WriteOperationV2 { let Some(proto::command::CommandType::WriteOperationV2(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write_to("lake.t").using("delta");
    /// assert_eq!(op(&w).provider.as_deref(), Some("delta"));
    /// # Ok(())
    /// # }
    /// ```
    pub fn using(mut self, provider: &str) -> Self {
        self.provider = Some(provider.to_string());
        self
    }

    /// A write option, written as text. Keys are case-insensitive.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriterV2) -> proto::WriteOperationV2 { let Some(proto::command::CommandType::WriteOperationV2(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write_to("lake.t").option("mergeSchema", true);
    /// assert_eq!(op(&w).options["mergeSchema"], "true");
    /// # Ok(())
    /// # }
    /// ```
    pub fn option(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.options.set(key, value.to_string());
        self
    }

    /// Several options, as [`option`](Self::option).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriterV2) -> proto::WriteOperationV2 { let Some(proto::command::CommandType::WriteOperationV2(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write_to("lake.t").options([("a", 1), ("b", 2)]);
    /// assert_eq!(op(&w).options["b"], "2");
    /// # Ok(())
    /// # }
    /// ```
    pub fn options<K: AsRef<str>, V: fmt::Display>(
        mut self,
        options: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.options.extend(options);
        self
    }

    /// A property of a table that is created (`TBLPROPERTIES`).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriterV2) -> proto::WriteOperationV2 { let Some(proto::command::CommandType::WriteOperationV2(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write_to("lake.t").table_property("owner", "data-eng");
    /// assert_eq!(op(&w).table_properties["owner"], "data-eng");
    /// # Ok(())
    /// # }
    /// ```
    pub fn table_property(mut self, property: &str, value: &str) -> Self {
        self.table_properties
            .insert(property.to_string(), value.to_string());
        self
    }

    /// Partitions a table that is created by these columns or partition transforms
    /// ([`functions::bucket`](crate::functions::bucket), [`functions::years`](crate::functions::years),
    /// ...); a `&str` is a column name, and one or several may be given (see
    /// [`IntoColumns`]). Spark's built-in catalog takes columns and `bucket`. At least one is
    /// needed.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriterV2) -> proto::WriteOperationV2 { let Some(proto::command::CommandType::WriteOperationV2(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// use spark_connect_dataframe::functions::{bucket, col, lit};
    /// let w = spark.range(0, 3).write_to("lake.t").partitioned_by([bucket(lit(16), col("id"))]);
    /// assert_eq!(op(&w).partitioning_columns, [bucket(lit(16), col("id")).into_proto()]);
    /// let e = spark.range(0, 3).write_to("t").partitioned_by(Vec::<Column>::new()).create().await.unwrap_err();
    /// assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn partitioned_by(mut self, columns: impl IntoColumns) -> Self {
        self.partitioned_by = columns.into_columns();
        if self.partitioned_by.is_empty() {
            self.problem.get_or_insert_with(|| {
                "partitioned_by: give at least one column or transform to partition by".to_string()
            });
        }
        self
    }

    /// Clusters a table that is created by these columns (one name or several, at least one).
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// # fn op(w: &DataFrameWriterV2) -> proto::WriteOperationV2 { let Some(proto::command::CommandType::WriteOperationV2(o)) = w.to_proto().unwrap().command_type else { panic!() }; o }
    /// let w = spark.range(0, 3).write_to("lake.t").cluster_by(["id"]);
    /// assert_eq!(op(&w).clustering_columns, ["id"]);
    /// let e = spark.range(0, 3).write_to("t").cluster_by(Vec::<&str>::new()).create().await.unwrap_err();
    /// assert!(e.to_string().contains("cluster_by"), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn cluster_by(mut self, columns: impl IntoNames) -> Self {
        self.cluster_by = columns.into_names();
        if self.cluster_by.is_empty() {
            self.problem.get_or_insert_with(|| {
                "cluster_by: give at least one column to cluster by".to_string()
            });
        }
        self
    }

    /// The `Command` this write sends, for inspection, built by the code that runs the
    /// write: a bad argument (an empty [`partitioned_by`](Self::partitioned_by) or
    /// [`cluster_by`](Self::cluster_by), a bad argument in the DataFrame's plan) is the same
    /// [`Error::InvalidArgument`] the write returns, so this returns a `Result` where
    /// [`MergeIntoWriter::to_proto`](crate::MergeIntoWriter::to_proto) does not need one.
    ///
    /// The call that runs the write chooses the `mode`, left `Unspecified` here:
    /// [`create`](Self::create) sets `Create`, [`append`](Self::append) `Append`, and so on;
    /// [`overwrite`](Self::overwrite) also sets the `overwrite_condition`.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// use spark_connect_dataframe::proto::{command::CommandType, write_operation_v2::Mode};
    ///
    /// let df = spark.range(0, 3);
    /// let command = df.write_to("lake.events").using("parquet").to_proto()?;
    /// let Some(CommandType::WriteOperationV2(write)) = command.command_type else { panic!() };
    /// assert_eq!(write.input.as_ref(), Some(df.to_proto()));
    /// assert_eq!(write.table_name, "lake.events");
    /// assert_eq!(write.provider.as_deref(), Some("parquet"));
    /// assert_eq!(write.mode, Mode::Unspecified as i32);
    ///
    /// let e = df.write_to("t").cluster_by(Vec::<&str>::new()).to_proto().unwrap_err();
    /// assert!(matches!(e, Error::InvalidArgument(_)) && e.to_string().contains("cluster_by"), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn to_proto(&self) -> Result<proto::Command, Error> {
        let (_, command_type) = self
            .clone()
            .operation(proto::write_operation_v2::Mode::Unspecified, None)?;
        Ok(proto::Command {
            command_type: Some(command_type),
        })
    }

    async fn run(
        self,
        mode: proto::write_operation_v2::Mode,
        overwrite_condition: Option<Column>,
    ) -> Result<(), Error> {
        let (session, command) = self.operation(mode, overwrite_condition)?;
        run_command(&session, command).await
    }

    fn operation(
        self,
        mode: proto::write_operation_v2::Mode,
        overwrite_condition: Option<Column>,
    ) -> Result<(SparkSession, proto::command::CommandType), Error> {
        if let Some(problem) = self.problem {
            return Err(Error::InvalidArgument(problem));
        }
        let input = self.df.plan_with_subqueries()?;
        let session = self.df.session().clone();
        let operation = proto::WriteOperationV2 {
            input: Some(input),
            table_name: self.table,
            provider: self.provider,
            partitioning_columns: self
                .partitioned_by
                .into_iter()
                .map(Column::into_proto)
                .collect(),
            options: self.options.into_map(),
            table_properties: self.table_properties,
            mode: mode as i32,
            overwrite_condition: overwrite_condition.map(Column::into_proto),
            clustering_columns: self.cluster_by,
            with_schema_evolution: false,
        };
        Ok((
            session,
            proto::command::CommandType::WriteOperationV2(operation),
        ))
    }

    /// Creates the table from the rows; an existing table is the server's error.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write_to("lake.events").using("parquet").create().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create(self) -> Result<(), Error> {
        self.run(proto::write_operation_v2::Mode::Create, None)
            .await
    }

    /// Replaces the table (its schema, properties and rows); a missing table is the
    /// server's error.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write_to("lake.events").replace().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn replace(self) -> Result<(), Error> {
        self.run(proto::write_operation_v2::Mode::Replace, None)
            .await
    }

    /// Creates the table, or replaces it when it exists.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write_to("lake.events").using("parquet").create_or_replace().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_or_replace(self) -> Result<(), Error> {
        self.run(proto::write_operation_v2::Mode::CreateOrReplace, None)
            .await
    }

    /// Appends the rows to the existing table.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write_to("lake.events").append().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn append(self) -> Result<(), Error> {
        self.run(proto::write_operation_v2::Mode::Append, None)
            .await
    }

    /// Deletes the rows that match `condition` and adds these rows. A `&str` is a column
    /// name (as in PySpark); use `functions::expr("k = 1")` for SQL.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// use spark_connect_dataframe::functions::expr;
    /// df.write_to("lake.events").overwrite(expr("day = '2025-01-01'")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn overwrite(self, condition: impl Into<Column>) -> Result<(), Error> {
        self.run(
            proto::write_operation_v2::Mode::Overwrite,
            Some(condition.into()),
        )
        .await
    }

    /// Replaces the partitions that these rows fall in, keeping the others.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(df: DataFrame) -> Result<(), Error> {
    /// df.write_to("lake.events").overwrite_partitions().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn overwrite_partitions(self) -> Result<(), Error> {
        self.run(proto::write_operation_v2::Mode::OverwritePartitions, None)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proto::command::CommandType;
    use proto::write_operation::SaveType;

    fn write_operation(writer: DataFrameWriter, save: Option<SaveType>) -> proto::WriteOperation {
        match writer.operation(save).unwrap().1 {
            CommandType::WriteOperation(w) => w,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn save_modes_parse_as_pyspark_names_them() {
        for (text, mode) in [
            ("append", SaveMode::Append),
            ("Overwrite", SaveMode::Overwrite),
            ("error", SaveMode::ErrorIfExists),
            ("errorifexists", SaveMode::ErrorIfExists),
            ("ErrorIfExists", SaveMode::ErrorIfExists),
            ("default", SaveMode::ErrorIfExists),
            ("IGNORE", SaveMode::Ignore),
        ] {
            assert_eq!(text.parse::<SaveMode>().unwrap(), mode, "{text}");
            assert_eq!(mode.to_string().parse::<SaveMode>().unwrap(), mode);
        }
        for bad in ["", "upsert", "error_if_exists"] {
            let e = bad.parse::<SaveMode>().unwrap_err().to_string();
            assert!(
                e.contains(&format!("'{bad}'")) && e.contains("ignore"),
                "{e}"
            );
        }
    }

    #[tokio::test]
    async fn writers_take_pyspark_mode_strings() {
        let spark = crate::offline_session().await;
        let df = spark.range(0, 3);
        let mode = |w: DataFrameWriter| write_operation(w, None).mode;
        use proto::write_operation::SaveMode as M;
        for (text, expected) in [
            ("overwrite", M::Overwrite),
            ("APPEND", M::Append),
            ("ignore", M::Ignore),
            ("error", M::ErrorIfExists),
            ("errorifexists", M::ErrorIfExists),
            ("default", M::ErrorIfExists),
        ] {
            assert_eq!(mode(df.write().mode(text)), expected as i32, "{text}");
            assert_eq!(
                mode(df.write().mode(text.to_string())),
                expected as i32,
                "{text}"
            );
        }
        assert_eq!(mode(df.write().mode(SaveMode::Append)), M::Append as i32);
        // An unknown mode is reported by the call that runs the write, naming it; a later
        // good mode does not hide it.
        let e = df
            .write()
            .mode("upsert")
            .mode("append")
            .operation(None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("'upsert'") && e.contains("overwrite") && e.contains("errorifexists"),
            "{e}"
        );
        let e = df.write().mode("nope").save("/x").await.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e}");
    }

    #[tokio::test]
    async fn writer_builds_the_write_operation() {
        let spark = crate::offline_session().await;
        let df = spark.range(0, 3);
        let w = write_operation(
            df.write()
                .format("parquet")
                .mode(SaveMode::Append)
                .option("compression", "zstd")
                .option("COMPRESSION", "snappy")
                .partition_by(["a", "b"])
                .bucket_by(4, ["id"])
                .sort_by(["id"])
                .cluster_by(["c"]),
            Some(SaveType::Path("/p".into())),
        );
        assert_eq!(w.input.as_ref(), Some(df.to_proto()));
        assert_eq!(w.source.as_deref(), Some("parquet"));
        assert_eq!(w.mode, proto::write_operation::SaveMode::Append as i32);
        // One spelling of a key survives, the last one.
        assert_eq!(
            w.options,
            HashMap::from([("COMPRESSION".to_string(), "snappy".to_string())])
        );
        assert_eq!(w.partitioning_columns, ["a", "b"]);
        assert_eq!(
            w.bucket_by,
            Some(proto::write_operation::BucketBy {
                bucket_column_names: vec!["id".into()],
                num_buckets: 4
            })
        );
        assert_eq!(w.sort_column_names, ["id"]);
        assert_eq!(w.clustering_columns, ["c"]);
        assert_eq!(w.save_type, Some(SaveType::Path("/p".into())));
        // Without a mode, the server's default applies.
        let w = write_operation(df.write(), None);
        assert_eq!(w.mode, proto::write_operation::SaveMode::Unspecified as i32);
        assert_eq!((w.source, w.save_type, w.bucket_by), (None, None, None));
    }

    #[tokio::test]
    async fn writer_checks_what_pyspark_checks() {
        let spark = crate::offline_session().await;
        let df = spark.range(0, 3);
        let err = |w: DataFrameWriter| w.operation(None).unwrap_err().to_string();
        assert!(err(df.write().bucket_by(0, ["id"])).contains("at least 1, got 0"));
        assert!(err(df.write().bucket_by(-2, ["id"])).contains("got -2"));
        assert!(err(df.write().bucket_by(3, Vec::<String>::new())).contains("at least one column"));
        assert!(err(df.write().sort_by(["id"])).contains("bucket_by"));
        assert!(
            err(df.write().bucket_by(3, ["id"]).sort_by(Vec::<&str>::new()))
                .contains("at least one column to sort by")
        );
        assert!(
            err(df.write().cluster_by(Vec::<&str>::new()))
                .contains("at least one column to cluster by")
        );
        // The first problem is the one reported.
        assert!(
            err(df
                .write()
                .bucket_by(0, ["id"])
                .cluster_by(Vec::<&str>::new()))
            .contains("got 0")
        );
    }

    #[tokio::test]
    async fn writer_v2_checks_what_pyspark_checks() {
        use proto::write_operation_v2::Mode;
        let spark = crate::offline_session().await;
        let df = spark.range(0, 3);
        let err = |w: DataFrameWriterV2| w.operation(Mode::Create, None).unwrap_err().to_string();
        assert!(
            err(df.write_to("t").partitioned_by(Vec::<Column>::new()))
                .contains("at least one column or transform")
        );
        assert!(
            err(df.write_to("t").cluster_by(Vec::<&str>::new()))
                .contains("at least one column to cluster by")
        );
        // Set, then set again with columns: still refused, the empty call was a mistake.
        assert!(
            err(df
                .write_to("t")
                .cluster_by(Vec::<&str>::new())
                .cluster_by(["id"]))
            .contains("cluster_by")
        );
        assert!(
            df.write_to("t")
                .partitioned_by(["id"])
                .operation(Mode::Create, None)
                .is_ok()
        );
    }

    #[tokio::test]
    async fn debug_hides_credentials_in_options() {
        let spark = crate::offline_session().await;
        let reader = spark
            .read()
            .option("user", "alice")
            .option("password", "hunter2")
            .option("url", "jdbc:x://h;password=hunter2");
        let writer = spark.range(0, 1).write().option("Password", "hunter2");
        let v2 = spark
            .range(0, 1)
            .write_to("t")
            .option("fs.azure.account.key.a", "hunter2");
        for text in [
            format!("{reader:?}"),
            format!("{writer:?}"),
            format!("{v2:?}"),
        ] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(text.contains("<redacted>"), "{text}");
        }
        assert!(format!("{reader:?}").contains("alice"));
    }

    #[tokio::test]
    async fn text_keeps_a_wholetext_option_in_any_case() {
        let spark = crate::offline_session().await;
        let options = |df: DataFrame| match df.to_proto().rel_type.clone() {
            Some(RelType::Read(proto::Read {
                read_type: Some(proto::read::ReadType::DataSource(source)),
                ..
            })) => source.options,
            other => panic!("{other:?}"),
        };
        let one = |k: &str, v: &str| HashMap::from([(k.to_string(), v.to_string())]);
        assert_eq!(options(spark.read().text("/t")), one("wholetext", "false"));
        // PySpark's `option("wholeText", True).text(p)` sends `wholetext=false` beside it,
        // leaving the server to pick one of two spellings; the user's value is kept alone here.
        assert_eq!(
            options(spark.read().option("wholeText", true).text("/t")),
            one("wholeText", "true")
        );
    }

    #[test]
    fn paths_are_kept_as_given_in_order() {
        let owned = vec!["/b b/ü".to_string(), "s3://x/%20".to_string()];
        let expected = owned.clone();
        assert_eq!((&owned).into_paths(), expected);
        assert_eq!(owned.as_slice().into_paths(), expected);
        assert_eq!(["/b b/ü", "s3://x/%20"].into_paths(), expected);
        assert_eq!(owned.clone().into_paths(), expected);
        assert_eq!("/b b/ü".into_paths(), ["/b b/ü"]);
        assert_eq!((&owned[1]).into_paths(), ["s3://x/%20"]);
    }

    #[test]
    fn nested_schemas_and_metadata_are_the_json_pyspark_writes() {
        let field = |name: &str, data_type: DataType, metadata: Option<&str>| crate::StructField {
            name: name.into(),
            data_type,
            nullable: false,
            metadata: metadata.map(str::to_owned),
        };
        let inner = StructType {
            fields: vec![field(
                "d",
                DataType::Decimal {
                    precision: 10,
                    scale: 2,
                },
                None,
            )],
        };
        let schema = StructType {
            fields: vec![
                field(
                    "tags",
                    DataType::Array {
                        element: Box::new(DataType::string()),
                        contains_null: true,
                    },
                    Some(r#" {"z": 1, "comment": "a\tb"} "#),
                ),
                field(
                    "m",
                    DataType::Map {
                        key: Box::new(DataType::Long),
                        value: Box::new(DataType::Struct(inner)),
                        value_contains_null: false,
                    },
                    Some(""),
                ),
            ],
        };
        // PySpark 4: StructType([...]).json() of the same schema.
        assert_eq!(
            schema_json(&schema).unwrap(),
            r#"{"fields":[{"metadata":{"comment":"a\tb","z":1},"name":"tags","nullable":false,"type":{"containsNull":true,"elementType":"string","type":"array"}},{"metadata":{},"name":"m","nullable":false,"type":{"keyType":"long","type":"map","valueContainsNull":false,"valueType":{"fields":[{"metadata":{},"name":"d","nullable":false,"type":"decimal(10,2)"}],"type":"struct"}}}],"type":"struct"}"#
        );
        let bad = StructType {
            fields: vec![field("x", DataType::Integer, Some("{not json"))],
        };
        let Err(Error::InvalidArgument(message)) = schema_json(&bad) else {
            panic!("metadata that is not JSON is an invalid argument");
        };
        assert!(
            message.starts_with("schema: the metadata of the field 'x' is not JSON"),
            "{message}"
        );
    }

    #[tokio::test]
    async fn struct_schemas_become_spark_json() {
        let spark = crate::offline_session().await;
        let field = |name: &str, data_type: DataType| crate::StructField {
            name: name.into(),
            data_type,
            nullable: true,
            metadata: None,
        };
        let schema = StructType {
            fields: vec![
                field("q\"uote", DataType::Integer),
                field("t", DataType::Char(3)),
            ],
        };
        let df = spark.read().schema(&schema).load("/x");
        let Some(RelType::Read(proto::Read {
            read_type: Some(proto::read::ReadType::DataSource(source)),
            ..
        })) = &df.to_proto().rel_type
        else {
            panic!("{:?}", df.to_proto())
        };
        assert_eq!(
            source.schema.as_deref(),
            Some(
                r#"{"fields":[{"metadata":{},"name":"q\"uote","nullable":true,"type":"integer"},{"metadata":{},"name":"t","nullable":true,"type":"char(3)"}],"type":"struct"}"#
            )
        );
        let udt = StructType {
            fields: vec![field("v", DataType::Other("mystery".into()))],
        };
        // Reported by whatever would send the plan, for it and what is built on it.
        let df = spark.read().schema(udt).load("/x").limit(1);
        let e = df.root().unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
        let e = e.to_string();
        assert!(e.contains("'v'") && e.contains("DDL"), "{e}");
    }

    /// A DataFrame whose plan holds a bad argument (a schema this client cannot send).
    fn bad_plan(spark: &SparkSession) -> DataFrame {
        let schema = StructType {
            fields: vec![crate::StructField {
                name: "v".into(),
                data_type: DataType::Other("mystery".into()),
                nullable: true,
                metadata: None,
            }],
        };
        spark.read().schema(schema).load("/x")
    }

    #[tokio::test]
    async fn writer_to_proto_is_the_command_the_write_sends() {
        let spark = crate::offline_session().await;
        let df = spark.range(0, 3);
        let writer = df
            .write()
            .format("orc")
            .mode("ignore")
            .option("k", "v")
            .partition_by("a")
            .bucket_by(2, "id")
            .sort_by("id")
            .cluster_by("c");
        let command = writer.to_proto().unwrap();
        let Some(CommandType::WriteOperation(sent)) = &command.command_type else {
            panic!("{command:?}")
        };
        assert_eq!(sent, &write_operation(writer.clone(), None));
        assert_eq!(sent.mode, proto::write_operation::SaveMode::Ignore as i32);
        assert_eq!(sent.save_type, None);
        // Inspecting leaves the writer as it was.
        assert_eq!(writer.to_proto().unwrap(), command);

        // A deferred problem is the error the write returns, before anything is sent.
        for bad in [
            df.write().mode("upsert"),
            df.write().bucket_by(0, "id"),
            df.write().sort_by("id"),
            df.write().cluster_by(Vec::<&str>::new()),
            bad_plan(&spark).write(),
        ] {
            let inspected = bad.to_proto().unwrap_err();
            assert!(
                matches!(inspected, Error::InvalidArgument(_)),
                "{inspected:?}"
            );
            let written = bad.save_without_path().await.unwrap_err();
            assert_eq!(inspected.to_string(), written.to_string());
        }
    }

    #[tokio::test]
    async fn writer_v2_to_proto_is_the_command_the_write_sends() {
        use proto::write_operation_v2::Mode;
        let spark = crate::offline_session().await;
        let df = spark.range(0, 3);
        let writer = df
            .write_to("db.t")
            .using("parquet")
            .option("k", "v")
            .option("K", "w")
            .table_property("p", "q")
            .partitioned_by(["id"])
            .cluster_by("id");
        let command = writer.to_proto().unwrap();
        let Some(CommandType::WriteOperationV2(sent)) = &command.command_type else {
            panic!("{command:?}")
        };
        assert_eq!(sent.input.as_ref(), Some(df.to_proto()));
        assert_eq!(sent.table_name, "db.t");
        assert_eq!(sent.provider.as_deref(), Some("parquet"));
        assert_eq!(
            sent.options,
            HashMap::from([("K".to_string(), "w".to_string())])
        );
        assert_eq!(
            sent.table_properties,
            HashMap::from([("p".to_string(), "q".to_string())])
        );
        assert_eq!(
            sent.partitioning_columns,
            [crate::functions::col("id").into_proto()]
        );
        assert_eq!(sent.clustering_columns, ["id"]);
        // The mode and the overwrite condition are the running call's.
        assert_eq!(sent.mode, Mode::Unspecified as i32);
        assert_eq!(sent.overwrite_condition, None);
        let (_, create) = writer.clone().operation(Mode::Create, None).unwrap();
        let CommandType::WriteOperationV2(create) = create else {
            panic!("{create:?}")
        };
        assert_eq!(
            proto::WriteOperationV2 {
                mode: Mode::Create as i32,
                ..sent.clone()
            },
            create
        );

        for bad in [
            df.write_to("t").partitioned_by(Vec::<Column>::new()),
            df.write_to("t").cluster_by(Vec::<&str>::new()),
            bad_plan(&spark).write_to("t"),
        ] {
            let inspected = bad.to_proto().unwrap_err();
            assert!(
                matches!(inspected, Error::InvalidArgument(_)),
                "{inspected:?}"
            );
            let written = bad.append().await.unwrap_err();
            assert_eq!(inspected.to_string(), written.to_string());
        }
    }
}

/// The commands the writers build are the ones PySpark's client builds for the same calls.
#[cfg(test)]
#[path = "pyspark_commands.rs"]
pub(crate) mod pyspark_commands;
