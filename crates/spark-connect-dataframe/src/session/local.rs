//! DataFrames from local data, and SQL with parameters.

use std::collections::HashMap;

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{Field, Schema, SchemaRef};
use spark_connect_transport::{proto, unexpected};

use crate::Error;
use crate::column::IntoOperand;
use crate::dataframe::DataFrame;
use crate::io::{ReadSchema, schema_json};
use crate::session::SparkSession;
use crate::types::{DataType, StructField, StructType};

impl SparkSession {
    /// A DataFrame of these Arrow record batches (Spark's local relation). Every batch must
    /// have the same schema; Arrow types map to Spark types as the server's Arrow conversion
    /// does (`Int64` is `bigint`, `Utf8` is `string`).
    ///
    /// As in PySpark, small data travels inside the plan, and data of at least the server's
    /// `spark.sql.session.localRelationCacheThreshold` bytes (1 MiB by default on Spark 4.3;
    /// the bytes of the arrays' buffers, as PySpark counts them with pyarrow's `nbytes`) is
    /// uploaded into the session first, in chunks cached as artifacts (`cache/<sha256>`), that
    /// the plan names by hash; chunks the session already has are not sent again (see
    /// [`artifact_stats`](Self::artifact_stats)). So the data is bounded by the server's
    /// `spark.sql.session.localRelationSizeLimit`, not by the gRPC message size. The chunks
    /// are encoded while earlier ones are uploaded, and only a few megabytes of them are held
    /// at a time: the batches are not copied as a whole. The settings are read once per
    /// session, on the first call: change them before. On servers without chunked cached
    /// relations (before Spark 4.1) the data is always sent inline.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::col;
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use std::sync::Arc;
    /// use arrow_array::{Int64Array, RecordBatch, StringArray};
    /// let batch = RecordBatch::try_from_iter([
    ///     ("id", Arc::new(Int64Array::from(vec![1, 2])) as _),
    ///     ("name", Arc::new(StringArray::from(vec!["a", "b"])) as _),
    /// ])?;
    /// let df = spark.create_dataframe(&[batch]).await?;
    /// assert_eq!(df.filter(col("id").gt(1)).count().await?, 1);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_dataframe(&self, batches: &[RecordBatch]) -> Result<DataFrame, Error> {
        let first = batches.first().ok_or_else(|| {
            Error::InvalidArgument(
                "create_dataframe needs at least one record batch (an empty one gives the schema)"
                    .into(),
            )
        })?;
        let schema = first.schema();
        for (i, batch) in batches.iter().enumerate().skip(1) {
            if batch.schema() != schema {
                return Err(Error::InvalidArgument(format!(
                    "create_dataframe: batch {i} has the schema {:?}, expected the first batch's {:?}",
                    batch.schema(),
                    schema
                )));
            }
        }
        let relation = self.local_relation(batches.to_vec(), &schema, None).await?;
        Ok(self.dataframe(relation))
    }

    /// A DataFrame of these Arrow record batches with the given schema, as PySpark's
    /// `spark.createDataFrame(data, schema)`: a [`StructType`], or a DDL string such as
    /// `"id INT, name STRING NOT NULL"`, which the server parses (as PySpark has it parsed;
    /// a malformed one is the server's parse error, quoting it). A type alone (`"int"`) is one
    /// column named `value`, as in PySpark.
    ///
    /// The schema names the columns, in order (the batches' own names are replaced), and
    /// gives their types: the data is converted to them here, as PySpark converts its Arrow
    /// data, and the schema is sent with it, so the server keeps exactly these types and
    /// nullability. A column count that differs from the schema's, a value that does not
    /// convert, or a null in a `NOT NULL` column is an [`Error::InvalidArgument`] naming the
    /// column. No batches, or empty ones, give an empty DataFrame of that schema.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use std::sync::Arc;
    /// use arrow_array::{Int64Array, RecordBatch, StringArray};
    ///
    /// let batch = RecordBatch::try_from_iter([
    ///     ("a", Arc::new(Int64Array::from(vec![1, 2])) as _),
    ///     ("b", Arc::new(StringArray::from(vec!["x", "y"])) as _),
    /// ])?;
    /// let df = spark
    ///     .create_dataframe_with_schema(&[batch], "id INT NOT NULL, name STRING")
    ///     .await?;
    /// assert_eq!(df.columns().await?, ["id", "name"]);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_dataframe_with_schema(
        &self,
        batches: &[RecordBatch],
        schema: impl Into<ReadSchema>,
    ) -> Result<DataFrame, Error> {
        let (schema, text) = self.local_schema(schema.into()).await?;
        if batches.is_empty() {
            return Ok(self.dataframe(proto::relation::RelType::LocalRelation(
                proto::LocalRelation {
                    data: None,
                    schema: Some(text),
                },
            )));
        }
        let (arrow, batches) = conform(batches, &schema)?;
        let relation = self.local_relation(batches, &arrow, Some(text)).await?;
        Ok(self.dataframe(relation))
    }

    /// An empty DataFrame with this schema (a [`StructType`] or a DDL string), as PySpark's
    /// `spark.emptyDataFrame(schema)`.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let empty = spark.empty_dataframe("id BIGINT, tags ARRAY<STRING>").await?;
    /// assert_eq!(empty.count().await?, 0);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn empty_dataframe(&self, schema: impl Into<ReadSchema>) -> Result<DataFrame, Error> {
        self.create_dataframe_with_schema(&[], schema).await
    }

    /// A schema for local data, as a struct type and the text the plan carries (Spark's JSON
    /// form, as PySpark sends it; the DDL as given for the types this client cannot write as
    /// JSON).
    pub(crate) async fn local_schema(
        &self,
        schema: ReadSchema,
    ) -> Result<(StructType, String), Error> {
        match schema {
            ReadSchema::Struct(s) => {
                let text = schema_json(&s)?;
                Ok((s, text))
            }
            ReadSchema::Ddl(ddl) => {
                let schema = match self.parse_ddl(&ddl).await? {
                    DataType::Struct(s) => s,
                    // A type alone is one column named `value`, as PySpark makes it.
                    other => StructType {
                        fields: vec![StructField {
                            name: "value".into(),
                            data_type: other,
                            nullable: true,
                            metadata: None,
                        }],
                    },
                };
                let text = schema_json(&schema).unwrap_or(ddl);
                Ok((schema, text))
            }
        }
    }

    /// A DDL string (a schema such as `id INT, name STRING`, or a type) as the server parses
    /// it.
    async fn parse_ddl(&self, ddl: &str) -> Result<DataType, Error> {
        let result = self
            .analyze(proto::analyze_plan_request::Analyze::DdlParse(
                proto::analyze_plan_request::DdlParse {
                    ddl_string: ddl.to_string(),
                },
            ))
            .await?;
        match result {
            proto::analyze_plan_response::Result::DdlParse(p) => {
                let parsed = p.parsed.ok_or_else(|| {
                    Error::Protocol(format!("the server parsed the DDL '{ddl}' into no type"))
                })?;
                DataType::from_proto(&parsed)
            }
            other => Err(unexpected("DdlParse", &other).into()),
        }
    }

    /// Runs SQL with named parameters, written `:name` in the query:
    /// `sql_with_args("SELECT * FROM t WHERE id > :low", [("low", 5)])`. Values are
    /// literals (strings are text) or [`Column`](crate::Column)s made of literals.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let df = spark.sql_with_args("SELECT * FROM range(10) WHERE id > :low", [("low", 5)]).await?;
    /// assert_eq!(df.count().await?, 4);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn sql_with_args<S: AsRef<str>, V: IntoOperand>(
        &self,
        query: &str,
        args: impl IntoIterator<Item = (S, V)>,
    ) -> Result<DataFrame, Error> {
        let named_arguments: HashMap<String, proto::Expression> = args
            .into_iter()
            .map(|(k, v)| (k.as_ref().to_string(), v.into_operand().into_proto()))
            .collect();
        self.sql_command(proto::Sql {
            query: query.to_string(),
            named_arguments,
            ..Default::default()
        })
        .await
    }

    /// Runs SQL with positional parameters, written `?` in the query:
    /// `sql_with_positional_args("SELECT ? + ?", [1, 2])`.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let row = spark.sql_with_positional_args("SELECT ? + ? AS total", [1, 2]).await?.first().await?;
    /// assert_eq!(row.expect("one row").get::<i32>("total")?, 3);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn sql_with_positional_args<V: IntoOperand>(
        &self,
        query: &str,
        args: impl IntoIterator<Item = V>,
    ) -> Result<DataFrame, Error> {
        let pos_arguments = args
            .into_iter()
            .map(|v| v.into_operand().into_proto())
            .collect();
        self.sql_command(proto::Sql {
            query: query.to_string(),
            pos_arguments,
            ..Default::default()
        })
        .await
    }
}

/// The batches as one Arrow IPC stream.
pub(crate) fn ipc_stream(batches: &[RecordBatch], schema: &SchemaRef) -> Result<Vec<u8>, Error> {
    let mut data = Vec::new();
    {
        let mut writer = StreamWriter::try_new(&mut data, schema)?;
        for batch in batches {
            writer.write(batch)?;
        }
        writer.finish()?;
    }
    Ok(data)
}

/// The batches converted to `schema`, as PySpark converts Arrow data for
/// `createDataFrame(data, schema)`: columns by position, renamed, cast to the Arrow form of
/// the schema's types (timestamps in UTC), a `NOT NULL` column checked for nulls.
fn conform(
    batches: &[RecordBatch],
    schema: &StructType,
) -> Result<(SchemaRef, Vec<RecordBatch>), Error> {
    let target = schema.to_arrow("UTC");
    let fields: Vec<Field> = target.fields().iter().map(|f| f.as_ref().clone()).collect();
    let arrow: SchemaRef = Arc::new(Schema::new(fields));
    let ddl = |f: &StructField| f.data_type.ddl();
    let mut out = Vec::with_capacity(batches.len());
    for batch in batches {
        if batch.num_columns() != schema.fields.len() {
            return Err(Error::InvalidArgument(format!(
                "create_dataframe: the data has {} columns ({}) and the schema {} ({})",
                batch.num_columns(),
                batch
                    .schema()
                    .fields()
                    .iter()
                    .map(|f| f.name().as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                schema.fields.len(),
                schema
                    .fields
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let options = arrow_cast::CastOptions {
            safe: false,
            ..Default::default()
        };
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
        for (i, (column, field)) in batch.columns().iter().zip(&schema.fields).enumerate() {
            let target_type = arrow.field(i).data_type();
            let what = || {
                format!(
                    "create_dataframe: column {} ('{}' in the data, {}) as the schema's '{}' {}",
                    i + 1,
                    batch.schema().field(i).name(),
                    column.data_type(),
                    field.name,
                    ddl(field)
                )
            };
            let cast = if column.data_type() == target_type {
                column.clone()
            } else {
                arrow_cast::cast_with_options(column, target_type, &options)
                    .map_err(|e| Error::InvalidArgument(format!("{}: {e}", what())))?
            };
            if !field.nullable && cast.null_count() > 0 {
                return Err(Error::InvalidArgument(format!(
                    "{}: the column is NOT NULL but {} of its values are null",
                    what(),
                    cast.null_count()
                )));
            }
            columns.push(cast);
        }
        let conformed = RecordBatch::try_new(arrow.clone(), columns)
            .map_err(|e| Error::InvalidArgument(format!("create_dataframe: {e}")))?;
        out.push(conformed);
    }
    Ok((arrow, out))
}

/// The local data with a schema is what PySpark's client sends for the same data and DDL.
#[cfg(test)]
#[path = "pyspark_local.rs"]
mod pyspark_local;
