//! Writing a query result to standard output in each format.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Instant;

use arrow_array::cast::AsArray;
use arrow_array::types::{DurationMicrosecondType, IntervalYearMonthType};
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{
    ArrowError, DataType, Field, FieldRef, IntervalUnit, Schema, SchemaRef, TimeUnit,
};
use databricks_connect::{DataFrame, RecordBatchStream};
use futures_util::StreamExt;

use crate::OutputFormat;
use crate::error::CliError;
use crate::json::{SparkJsonEncoders, day_time_iso, year_month_iso};
use crate::parquet_out;
use crate::progress::Bar;
use crate::stdout::Stdout;
use crate::table::{self, TableStyle};

/// Runs `df` and writes its result to `out` in `format`, with a progress bar on standard
/// error when `progress` is on.
pub async fn write(
    df: &DataFrame,
    format: OutputFormat,
    out: &mut Stdout,
    progress: bool,
) -> Result<(), CliError> {
    write_timed(df, format, out, true, progress).await
}

/// [`write()`], saying in a table's footer how long the query took when `timing` is on (and
/// standard output is a terminal).
pub async fn write_timed(
    df: &DataFrame,
    format: OutputFormat,
    out: &mut Stdout,
    timing: bool,
    progress: bool,
) -> Result<(), CliError> {
    if format == OutputFormat::Parquet && std::io::stdout().is_terminal() {
        return Err(CliError::Output(
            "Parquet is binary and standard output is a terminal: give --file PATH, or redirect standard output to a file".into(),
        ));
    }
    let sent = Instant::now();
    let started = timing.then_some(sent);
    let mut results = Results::start(df, format, progress).await?;
    match format {
        OutputFormat::Table => table(&mut results, out, started).await,
        OutputFormat::Json => json(&mut results, out).await,
        OutputFormat::Csv => csv(&mut results, out).await,
        OutputFormat::Arrow => arrow(&mut results, out).await,
        OutputFormat::Parquet => parquet_out::write(&mut results, &mut *out).await,
    }
}

/// Runs `df` and writes its result as Parquet into `sink` (see `--file`).
pub async fn write_parquet_file(
    df: &DataFrame,
    sink: parquet_out::Sink,
    progress: bool,
) -> Result<(), CliError> {
    let mut results = Results::start(df, OutputFormat::Parquet, progress).await?;
    parquet_out::to_file(&mut results, sink).await
}

/// A result stream and its progress bar.
pub struct Results {
    pub stream: RecordBatchStream,
    bar: Bar,
    /// Whether each batch is written as it arrives (the table waits for all of them).
    writes_each_batch: bool,
}

impl Results {
    /// Runs `df`; the bar, if `progress` is on, counts time from now.
    async fn start(
        df: &DataFrame,
        format: OutputFormat,
        progress: bool,
    ) -> Result<Results, CliError> {
        let sent = Instant::now();
        let stream = df.stream().await;
        // A wait for the cluster may have drawn its status line while the query was sent.
        crate::progress::clear_status();
        let stream = stream.map_err(CliError::query)?;
        let bar = Bar::new(progress.then(|| stream.progress()), sent);
        Ok(Results {
            stream,
            bar,
            // Parquet goes to a file or a pipe, never to the terminal the bar is on.
            writes_each_batch: matches!(
                format,
                OutputFormat::Json | OutputFormat::Csv | OutputFormat::Arrow
            ),
        })
    }
}

/// The next batch. The bar is drawn while waiting, and cleared at the end of the result and
/// before a batch that is written at once, so that the output does not land on it. Once rows
/// are written to a terminal, the bar stops: buffered rows reaching the screen later would
/// mix with it.
pub async fn next(results: &mut Results) -> Result<Option<RecordBatch>, CliError> {
    let batch = results.bar.during(results.stream.next()).await;
    if results.writes_each_batch || !matches!(batch, Some(Ok(_))) {
        results.bar.clear();
        if results.writes_each_batch && std::io::stdout().is_terminal() {
            results.bar.stop();
        }
    }
    batch.transpose().map_err(CliError::query)
}

/// The schema of a result that had no batch. The server sends an Arrow schema even for an
/// empty result; the Spark schema is a fallback for servers that do not.
pub fn result_schema(stream: &RecordBatchStream) -> Result<SchemaRef, CliError> {
    if let Some(schema) = stream.schema() {
        return Ok(schema);
    }
    if let Some(spark) = stream.spark_schema() {
        // The session time zone is unknown here; UTC is what PySpark's toArrow() uses.
        return Ok(Arc::new(spark.to_arrow("UTC")));
    }
    Err(CliError::Query(
        "the server sent neither rows nor a schema for the result".to_string(),
    ))
}

fn write_error(format: &str) -> impl Fn(ArrowError) -> CliError + '_ {
    move |e| CliError::Output(format!("cannot write the result as {format}: {e}"))
}

fn flush(out: &mut Stdout) -> Result<(), CliError> {
    out.flush()
        .map_err(|e| CliError::Output(format!("cannot write to standard output: {e}")))
}

/// Batches as the server sent them, re-framed as one Arrow IPC stream: same schema (names,
/// types, nullability, metadata), same arrays. Each batch is written and flushed as it arrives.
async fn arrow(stream: &mut Results, out: &mut Stdout) -> Result<(), CliError> {
    let err = write_error("an Arrow IPC stream");
    let mut batch = next(stream).await?;
    let schema = match &batch {
        Some(first) => first.schema(),
        None => result_schema(&stream.stream)?,
    };
    let mut writer = arrow_ipc::writer::StreamWriter::try_new(&mut *out, &schema).map_err(&err)?;
    while let Some(b) = batch {
        writer.write(&b).map_err(&err)?;
        writer.flush().map_err(&err)?;
        batch = next(stream).await?;
    }
    writer.finish().map_err(&err)
}

/// One JSON object per row, null fields included.
async fn json(stream: &mut Results, out: &mut Stdout) -> Result<(), CliError> {
    let err = write_error("JSON");
    let mut writer = arrow_json::WriterBuilder::new()
        .with_explicit_nulls(true)
        .with_encoder_factory(Arc::new(SparkJsonEncoders))
        .with_timestamp_tz_format(UTC_TIMESTAMP_FORMAT.to_string())
        .build::<_, arrow_json::writer::LineDelimited>(&mut *out);
    while let Some(batch) = next(stream).await? {
        writer
            .write(&for_text(&batch, false).map_err(&err)?)
            .map_err(&err)?;
        flush(writer.get_mut())?;
    }
    writer.finish().map_err(&err)
}

/// CSV with a header row. The types are checked before the first byte is written, so that a
/// result CSV cannot hold gives an error and no half-written output.
async fn csv(stream: &mut Results, out: &mut Stdout) -> Result<(), CliError> {
    let err = write_error("CSV");
    let first = match next(stream).await? {
        Some(batch) => batch,
        // An empty result still gets its header row.
        None => RecordBatch::new_empty(result_schema(&stream.stream)?),
    };
    check_csv_schema(&first.schema(), &stream.stream)?;
    let mut writer = arrow_csv::WriterBuilder::new()
        .with_header(true)
        .with_timestamp_tz_format(UTC_TIMESTAMP_FORMAT.to_string())
        .build(&mut *out);
    let mut batch = Some(first);
    while let Some(b) = batch {
        // arrow-csv flushes after each batch, so rows reach the reader as they arrive.
        writer
            .write(&for_text(&b, true).map_err(&err)?)
            .map_err(&err)?;
        batch = next(stream).await?;
    }
    Ok(())
}

fn check_csv_schema(schema: &Schema, stream: &RecordBatchStream) -> Result<(), CliError> {
    for (i, field) in schema.fields().iter().enumerate() {
        if field.data_type().is_nested() {
            // Spark's name for the type is what the user wrote in SQL; Arrow's is the fallback.
            let type_name = stream
                .spark_schema()
                .and_then(|s| s.fields.get(i))
                .filter(|f| f.name == *field.name())
                .map(|f| f.data_type.to_string())
                .unwrap_or_else(|| field.data_type().to_string());
            return Err(CliError::Output(format!(
                "cannot write the result as CSV: column '{}' has type {type_name}, which CSV cannot hold; \
                 use --output json or --output arrow, or turn it into a string in SQL, e.g. to_json({})",
                field.name(),
                field.name(),
            )));
        }
    }
    Ok(())
}

/// A readable table of the whole result, then `(N rows)`. The table needs every row to size
/// its columns, so this collects; use `--limit` for large results. On a terminal, values are
/// cut to its width and the footer says how long the query took.
async fn table(
    stream: &mut Results,
    out: &mut Stdout,
    started: Option<Instant>,
) -> Result<(), CliError> {
    let err = write_error("a table");
    let mut batches = Vec::new();
    while let Some(batch) = next(stream).await? {
        batches.push(for_text(&batch, true).map_err(&err)?);
    }
    let schema = match batches.first() {
        Some(b) => b.schema(),
        None => for_text(
            &RecordBatch::new_empty(result_schema(&stream.stream)?),
            true,
        )
        .map_err(&err)?
        .schema(),
    };
    let style = TableStyle::for_stdout(started.map(|s| s.elapsed()));
    let text = table::render(&schema, &batches, &style).map_err(&err)?;
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::Output(format!("cannot write to standard output: {e}")))
}

/// How text formats show a batch.
///
/// - Timestamps with a time zone become UTC (`+00:00`), printed with a `Z`: the instant is
///   what the server sent, and printing it in the session's named zone would need the whole
///   time zone database in this binary. `--output arrow` keeps the session's zone.
/// - With `intervals_as_text`, top-level interval columns become ISO 8601 text with every unit
///   spelled out (`P1Y2M`, `P1DT2H3M4.5S`), which reads better than Arrow's defaults
///   (`1 years 2 mons`, `-1 years 10 mons` for minus two months, `PT93784.5S`). JSON does
///   this in its encoder, at any depth.
fn for_text(batch: &RecordBatch, intervals_as_text: bool) -> Result<RecordBatch, ArrowError> {
    let schema = batch.schema();
    let mut changed = false;
    let mut fields = Vec::with_capacity(schema.fields().len());
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        let text: Option<StringArray> = match field.data_type() {
            _ if !intervals_as_text => None,
            DataType::Interval(IntervalUnit::YearMonth) => Some(
                column
                    .as_primitive::<IntervalYearMonthType>()
                    .iter()
                    .map(|v| v.map(year_month_iso))
                    .collect(),
            ),
            DataType::Duration(TimeUnit::Microsecond) => Some(
                column
                    .as_primitive::<DurationMicrosecondType>()
                    .iter()
                    .map(|v| v.map(day_time_iso))
                    .collect(),
            ),
            _ => None,
        };
        if let Some(text) = text {
            fields.push(Arc::new(
                Field::new(field.name(), DataType::Utf8, field.is_nullable())
                    .with_metadata(field.metadata().clone()),
            ));
            columns.push(Arc::new(text));
            changed = true;
        } else if let Some(utc) = in_utc(field.data_type()) {
            columns.push(arrow_cast::cast(column, &utc)?);
            fields.push(Arc::new(field.as_ref().clone().with_data_type(utc)));
            changed = true;
        } else {
            fields.push(field.clone());
            columns.push(column.clone());
        }
    }
    if !changed {
        return Ok(batch.clone());
    }
    RecordBatch::try_new(
        Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())),
        columns,
    )
}

/// The timestamp format of text output; every zoned timestamp is in UTC by then.
pub const UTC_TIMESTAMP_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.fZ";

const UTC: &str = "+00:00";

/// `t` with every zoned timestamp, at any depth, in UTC; `None` when there is none to change.
fn in_utc(t: &DataType) -> Option<DataType> {
    let field = |f: &FieldRef| {
        in_utc(f.data_type()).map(|t| Arc::new(f.as_ref().clone().with_data_type(t)))
    };
    match t {
        DataType::Timestamp(unit, Some(tz)) if tz.as_ref() != UTC => {
            Some(DataType::Timestamp(*unit, Some(UTC.into())))
        }
        DataType::List(f) => field(f).map(DataType::List),
        DataType::LargeList(f) => field(f).map(DataType::LargeList),
        DataType::FixedSizeList(f, n) => field(f).map(|f| DataType::FixedSizeList(f, *n)),
        DataType::Map(f, sorted) => field(f).map(|f| DataType::Map(f, *sorted)),
        DataType::Struct(fields) => {
            let changed: Vec<Option<FieldRef>> = fields.iter().map(field).collect();
            changed.iter().any(Option::is_some).then(|| {
                DataType::Struct(
                    fields
                        .iter()
                        .zip(changed)
                        .map(|(f, c)| c.unwrap_or_else(|| f.clone()))
                        .collect(),
                )
            })
        }
        _ => None,
    }
}
