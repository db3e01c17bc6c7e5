//! polars DataFrames, both ways (feature `polars`): results as a polars `DataFrame`
//! ([`DataFrame::to_polars`]) and Spark DataFrames made from one
//! ([`SparkSession::create_dataframe_from_polars`]).
//!
//! The data crosses through the Arrow C data interface: each Arrow array is handed over, not
//! copied row by row. Numbers, booleans, dates, timestamps, durations and decimals keep their
//! buffers (no copy at all); strings and binaries are copied once, into polars' string views
//! on the way out and back into Arrow's offset layout on the way in, because polars and Spark
//! keep them in different layouts.
//!
//! # Spark types in polars
//!
//! | Spark | polars |
//! |---|---|
//! | `boolean` | `Boolean` |
//! | `tinyint`, `smallint`, `int`, `bigint` | `Int8`, `Int16`, `Int32`, `Int64` |
//! | `float`, `double` | `Float32`, `Float64` |
//! | `decimal(p,s)` | `Decimal(p, s)`, same precision and scale |
//! | `string` (and `char`/`varchar`) | `String` |
//! | `binary` | `Binary` |
//! | `date` | `Date` |
//! | `timestamp` | `Datetime(us, time zone)`: the session time zone Spark attaches, same instants |
//! | `timestamp_ntz` | `Datetime(us, None)` |
//! | `time` (Spark 4.1+, where the server's time type is enabled) | `Time` |
//! | `interval day to second` | `Duration(us)` |
//! | `array<T>` | `List(T)` |
//! | `struct<...>` | `Struct` of the same fields |
//! | `map<K,V>` | `List(Struct{key: K, value: V})`: polars has no map type, so each map is its list of entries, in order (what `polars.from_arrow` makes of an Arrow map too) |
//! | `variant` | `Struct{value: Binary, metadata: Binary}`, the encoding Spark sends |
//! | `void` (null type) | `Null` |
//! | `interval year to month`, `interval` (calendar) | an [`Error::Conversion`] naming the column: polars has no such type; convert it in Spark first |
//!
//! Several result batches become one polars `DataFrame` whose columns have one chunk per
//! batch (call `rechunk` on it for contiguous columns). An empty result keeps its columns and
//! their types. Column names must be unique in polars: a result with two columns of one name
//! (after a join, say) is an error naming it; rename one in Spark first.
//!
//! # polars types in Spark
//!
//! Every polars type that has a Spark type keeps it (the table above, read backwards; a
//! polars `Datetime` with a time zone becomes a Spark `timestamp`, without one a
//! `timestamp_ntz`). The others are converted without loss where Spark has a wider type, as
//! Spark's own Parquet reader reads unsigned integers, or refused:
//!
//! | polars | Spark |
//! |---|---|
//! | `UInt8`, `UInt16`, `UInt32` | `smallint`, `int`, `bigint` (the next wider signed integer) |
//! | `UInt64` | `decimal(20,0)` |
//! | `Float16` | `float` |
//! | `Categorical`, `Enum` | `string`: the category of each value, as PySpark decodes an Arrow dictionary |
//! | `Array(T, n)` | `array<T>` |
//! | `Datetime`/`Duration` in ms or ns | microseconds (Spark's unit); a nanosecond value that is not a whole number of microseconds is an error naming the column, never rounded |
//! | `Int128`, `UInt128`, `Object`, extension types | an [`Error::Conversion`] naming the column and the type |
//!
//! Spark columns made from polars are nullable (polars schemas carry no nullability).
//!
//! A column with a null-typed part inside it (a polars `List(Null)`) is an error naming the
//! column: polars exports such arrays in a form arrow-rs does not import. Printing a whole
//! polars `DataFrame` as a table needs polars' `fmt` feature (a program's own `polars`
//! dependency has it by default); this crate turns on only the dtypes and `timezones`.
//!
//! polars 0.55 declares no minimum Rust version; this feature is built and tested with
//! rustc 1.95 (the workspace's own minimum is 1.88).

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{DurationNanosecondType, TimestampNanosecondType};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions};
use arrow_schema::{DataType as ArrowType, Field, IntervalUnit, Schema, TimeUnit};
use polars_core::prelude::{Column, CompatLevel, PlSmallStr, Series};

use crate::Error;
use crate::dataframe::DataFrame;
use crate::session::SparkSession;
use crate::types::DataType;

/// The polars crate whose [`DataFrame`](polars_core::frame::DataFrame) this feature reads and
/// makes, re-exported so a program can name its types without a polars dependency of the same
/// version. With one of its own, a program takes `polars` 0.55, whose
/// `polars::prelude::DataFrame` is the same type.
///
/// ```
/// use spark_connect_dataframe::polars_frames::polars_core::prelude::*;
///
/// let df = DataFrame::new_infer_height(vec![Column::new("id".into(), [1i64, 2, 3])]).unwrap();
/// assert_eq!(df.height(), 3);
/// ```
pub use polars_core;

/// polars' `DataFrame` (`polars::prelude::DataFrame`), the type [`DataFrame::to_polars`]
/// returns and [`SparkSession::create_dataframe_from_polars`] takes.
///
/// ```
/// use spark_connect_dataframe::polars_frames::PolarsDataFrame;
///
/// let empty = PolarsDataFrame::empty();
/// assert_eq!(empty.width(), 0);
/// ```
pub type PolarsDataFrame = polars_core::frame::DataFrame;

/// Arrow record batches (a result, as [`DataFrame::collect`] returns them) as one polars
/// `DataFrame`, one chunk per batch, with the types of the [module](self)'s table.
///
/// Every batch must have the same schema. No batches at all give an empty `DataFrame`
/// without columns (a result always has at least one batch, which carries the schema).
/// A column of a type polars cannot hold is an [`Error::Conversion`] naming the column and
/// its type.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::{Int64Array, RecordBatch, StringArray};
/// use spark_connect_dataframe::polars_frames::record_batches_to_polars;
///
/// let batch = RecordBatch::try_from_iter([
///     ("id", Arc::new(Int64Array::from(vec![1, 2])) as _),
///     ("name", Arc::new(StringArray::from(vec![Some("a"), None])) as _),
/// ])?;
/// let df = record_batches_to_polars(&[batch.clone(), batch])?;
/// assert_eq!(df.shape(), (4, 2));
/// assert_eq!(df.column("name").unwrap().null_count(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn record_batches_to_polars(batches: &[RecordBatch]) -> Result<PolarsDataFrame, Error> {
    let Some(first) = batches.first() else {
        return Ok(PolarsDataFrame::empty());
    };
    let schema = first.schema();
    for (i, batch) in batches.iter().enumerate().skip(1) {
        if batch.schema().fields() != schema.fields() {
            return Err(Error::Conversion(format!(
                "to polars: batch {i} has the columns {}, expected the first batch's {}",
                batch.schema(),
                schema
            )));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for field in schema.fields() {
        if !seen.insert(field.name().as_str()) {
            return Err(Error::Conversion(format!(
                "to polars: the column name '{}' appears more than once, and a polars DataFrame \
                 needs unique names; rename the columns first (`to_df` or `with_column_renamed`)",
                field.name()
            )));
        }
        if let Err(part) = polars_can_hold(field.data_type()) {
            return Err(unsupported_in_polars(field, &part));
        }
    }
    let height = batches.iter().map(RecordBatch::num_rows).sum();
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (i, field) in schema.fields().iter().enumerate() {
        let chunks = batches
            .iter()
            .map(|batch| arrow_to_polars_array(field, batch.column(i)))
            .collect::<Result<Vec<_>, _>>()?;
        let series = Series::from_arrow_chunks(PlSmallStr::from_str(field.name()), chunks)
            .map_err(|e| {
                Error::Conversion(format!(
                    "to polars: column '{}' ({}): {e}",
                    field.name(),
                    DataType::from_arrow(field.data_type()).type_name()
                ))
            })?;
        columns.push(Column::from(series));
    }
    PolarsDataFrame::new(height, columns).map_err(|e| Error::Conversion(format!("to polars: {e}")))
}

/// A polars `DataFrame` as Arrow record batches of the Arrow types Spark reads (one batch
/// per chunk), converted as the [module](self)'s table says; what
/// [`SparkSession::create_dataframe_from_polars`] sends.
///
/// A column of a type Spark has no type for is an [`Error::Conversion`] naming the column
/// and its polars type. Columns whose chunks do not line up are made contiguous first (a
/// copy); otherwise numbers, dates, timestamps and decimals keep their buffers.
///
/// ```
/// use spark_connect_dataframe::polars_frames::{polars_core::prelude::*, polars_to_record_batches};
///
/// let df = DataFrame::new_infer_height(vec![
///     Column::new("id".into(), [1u32, 2]),
///     Column::new("name".into(), ["a", "b"]),
/// ])
/// .unwrap();
/// let batches = polars_to_record_batches(&df)?;
/// let schema = batches[0].schema();
/// // Spark has no unsigned integers: u32 is widened to a signed 64-bit integer (`bigint`).
/// assert_eq!(schema.field(0).data_type(), &arrow_schema::DataType::Int64);
/// assert_eq!(schema.field(1).data_type(), &arrow_schema::DataType::Utf8);
/// # Ok::<(), spark_connect_dataframe::Error>(())
/// ```
pub fn polars_to_record_batches(df: &PolarsDataFrame) -> Result<Vec<RecordBatch>, Error> {
    let mut series: Vec<Series> = Vec::with_capacity(df.width());
    for column in df.columns() {
        let s = column.as_materialized_series();
        if s.dtype().contains_objects() {
            return Err(Error::Conversion(format!(
                "from polars: column '{}' is of polars type {}, which holds Rust values that \
                 have no Arrow or Spark form",
                s.name(),
                s.dtype()
            )));
        }
        series.push(s.clone());
    }
    // One record batch per chunk needs the columns' chunks to line up. Columns of the null
    // type hold no data, so they take any layout (and polars keeps them in one chunk).
    let lengths = |s: &Series| s.chunk_lengths().collect::<Vec<_>>();
    let has_data = |s: &&mut Series| !s.dtype().is_null();
    let layout = series.iter_mut().find(has_data).map(|s| lengths(s));
    if let Some(first) = layout
        && series
            .iter_mut()
            .filter(has_data)
            .any(|s| lengths(s) != first)
    {
        for s in series.iter_mut().filter(has_data) {
            *s = s.rechunk();
        }
    }
    if series.is_empty() {
        // No columns: one batch that carries only the row count.
        let options = RecordBatchOptions::new().with_row_count(Some(df.height()));
        let batch = RecordBatch::try_new_with_options(Arc::new(Schema::empty()), vec![], &options)
            .map_err(|e| Error::Conversion(format!("from polars: {e}")))?;
        return Ok(vec![batch]);
    }
    let chunk_rows: Vec<usize> = match series.iter().find(|s| !s.dtype().is_null()) {
        Some(s) => s.chunk_lengths().collect(),
        None => vec![df.height()],
    };
    let mut schema: Option<Arc<Schema>> = None;
    let mut batches = Vec::with_capacity(chunk_rows.len());
    for (chunk, rows) in chunk_rows.into_iter().enumerate() {
        let mut arrays = Vec::with_capacity(series.len());
        for s in &series {
            if s.dtype().is_null() {
                arrays.push(Arc::new(arrow_array::NullArray::new(rows)) as ArrayRef);
                continue;
            }
            let array = polars_to_arrow_array(s, chunk)?;
            arrays.push(to_spark_array(s.name(), array, &s.dtype().to_string())?);
        }
        let schema = schema.get_or_insert_with(|| {
            Arc::new(Schema::new(
                series
                    .iter()
                    .zip(&arrays)
                    .map(|(s, a)| Field::new(s.name().as_str(), a.data_type().clone(), true))
                    .collect::<Vec<_>>(),
            ))
        });
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        let batch = RecordBatch::try_new_with_options(schema.clone(), arrays, &options)
            .map_err(|e| Error::Conversion(format!("from polars: {e}")))?;
        batches.push(batch);
    }
    Ok(batches)
}

impl DataFrame {
    /// Runs the plan and returns the result as a polars `DataFrame` (feature `polars`), as
    /// PySpark's `toPandas` and `toArrow` return theirs. The Arrow batches cross into polars
    /// through the Arrow C data interface without a row-by-row copy; several batches become
    /// one chunk each. Types map as the [`polars_frames`](crate::polars_frames) module's
    /// table says: a column polars has no type for (a year-month interval) is an
    /// [`Error::Conversion`] naming it, and a Spark map becomes a list of key-value structs
    /// (polars has no map type). An empty result keeps its columns and types.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use spark_connect_dataframe::functions::col;
    /// let df = spark.range(0, 1000).with_column("half", col("id") / 2).to_polars().await?;
    /// assert_eq!(df.shape(), (1000, 2));
    /// println!("{df}");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn to_polars(&self) -> Result<PolarsDataFrame, Error> {
        record_batches_to_polars(&self.collect().await?)
    }
}

impl SparkSession {
    /// A DataFrame of a polars `DataFrame`'s data (feature `polars`), as
    /// [`create_dataframe`](Self::create_dataframe) makes one from Arrow batches (one batch
    /// per chunk, large data sent once as a cached artifact). The columns cross from polars
    /// through the Arrow C data interface; types Spark lacks are converted without loss
    /// (unsigned integers to the next wider signed type, categoricals to strings) or refused
    /// with an [`Error::Conversion`] naming the column, as the
    /// [`polars_frames`](crate::polars_frames) module's table says.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use spark_connect_dataframe::polars_frames::polars_core::prelude::*;
    /// let local = DataFrame::new_infer_height(vec![
    ///     Column::new("id".into(), [1i64, 2, 3]),
    ///     Column::new("name".into(), ["a", "b", "c"]),
    /// ])
    /// .unwrap();
    /// let df = spark.create_dataframe_from_polars(&local).await?;
    /// assert_eq!(df.count().await?, 3);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_dataframe_from_polars(
        &self,
        df: &PolarsDataFrame,
    ) -> Result<DataFrame, Error> {
        let batches = polars_to_record_batches(df)?;
        self.create_dataframe(&batches).await
    }
}

/// `Ok` when polars can hold this Arrow type (as Spark sends it); otherwise the part of it
/// that polars has no type for.
fn polars_can_hold(arrow: &ArrowType) -> Result<(), ArrowType> {
    match arrow {
        ArrowType::Null
        | ArrowType::Boolean
        | ArrowType::Int8
        | ArrowType::Int16
        | ArrowType::Int32
        | ArrowType::Int64
        | ArrowType::Float32
        | ArrowType::Float64
        | ArrowType::Utf8
        | ArrowType::LargeUtf8
        | ArrowType::Utf8View
        | ArrowType::Binary
        | ArrowType::LargeBinary
        | ArrowType::BinaryView
        | ArrowType::Date32
        | ArrowType::Timestamp(_, _)
        | ArrowType::Duration(_)
        | ArrowType::Time64(_) => Ok(()),
        ArrowType::Decimal128(precision, _) if (1..=38).contains(precision) => Ok(()),
        ArrowType::List(element) | ArrowType::LargeList(element) => {
            polars_can_hold(element.data_type())
        }
        ArrowType::Struct(fields) if !fields.is_empty() => fields
            .iter()
            .try_for_each(|f| polars_can_hold(f.data_type())),
        ArrowType::Map(entries, _) => polars_can_hold(entries.data_type()),
        other => Err(other.clone()),
    }
}

/// The error for a result column whose type (or `part` of it) polars cannot hold.
fn unsupported_in_polars(field: &Field, part: &ArrowType) -> Error {
    let spark = DataType::from_arrow(field.data_type()).type_name();
    let part_spark = DataType::from_arrow(part).type_name();
    let inner = if part == field.data_type() {
        String::new()
    } else {
        format!(" (its part {part_spark}, Arrow {part})")
    };
    let hint = match part {
        ArrowType::Interval(IntervalUnit::YearMonth) => {
            "; convert it in Spark first, e.g. to its number of months \
             (`year(...) * 12 + month(...)` of the interval's fields) or to a string"
        }
        _ => "; convert it in Spark first (cast it to a string, for example)",
    };
    Error::Conversion(format!(
        "to polars: column '{}' is of type {spark} (Arrow {}){inner}, which polars has no \
         type for{hint}",
        field.name(),
        field.data_type()
    ))
}

/// One arrow-rs array handed to polars through the C data interface: polars takes over the
/// buffers, nothing is copied.
fn arrow_to_polars_array(
    field: &Field,
    array: &ArrayRef,
) -> Result<Box<dyn polars_arrow::array::Array>, Error> {
    let data = array.to_data();
    let ffi_array = arrow_array::ffi::FFI_ArrowArray::new(&data);
    let ffi_schema = arrow_schema::ffi::FFI_ArrowSchema::try_from(
        Field::new(field.name(), field.data_type().clone(), field.is_nullable())
            .with_metadata(field.metadata().clone()),
    )
    .map_err(|e| Error::Conversion(format!("to polars: column '{}': {e}", field.name())))?;
    // SAFETY: both crates' structs are the C data interface's `struct ArrowArray` and
    // `struct ArrowSchema`, `#[repr(C)]` with the same fields (the sizes are checked at
    // compile time by `transmute`). The arrow-rs values are moved: their release callbacks
    // now belong to the polars values, which call them when polars drops the data.
    let (pl_array, pl_schema): (
        polars_arrow::ffi::ArrowArray,
        polars_arrow::ffi::ArrowSchema,
    ) = unsafe {
        (
            std::mem::transmute::<arrow_array::ffi::FFI_ArrowArray, polars_arrow::ffi::ArrowArray>(
                ffi_array,
            ),
            std::mem::transmute::<arrow_schema::ffi::FFI_ArrowSchema, polars_arrow::ffi::ArrowSchema>(
                ffi_schema,
            ),
        )
    };
    let what = |e: polars_core::error::PolarsError| {
        Error::Conversion(format!(
            "to polars: column '{}' ({}): {e}",
            field.name(),
            field.data_type()
        ))
    };
    // SAFETY: the schema and array were exported by arrow-rs just above, from valid data.
    let pl_field = unsafe { polars_arrow::ffi::import_field_from_c(&pl_schema) }.map_err(what)?;
    unsafe { polars_arrow::ffi::import_array_from_c(pl_array, pl_field.dtype) }.map_err(what)
}

/// One chunk of a polars Series as an arrow-rs array, through the C data interface.
fn polars_to_arrow_array(series: &Series, chunk: usize) -> Result<ArrayRef, Error> {
    let name = series.name();
    let what = |e: &dyn std::fmt::Display| {
        Error::Conversion(format!(
            "from polars: column '{name}' of polars type {}: {e}",
            series.dtype()
        ))
    };
    let field = series.field().to_arrow(CompatLevel::newest());
    let array = series
        .to_arrow_with_field(chunk, std::borrow::Cow::Borrowed(&field), true)
        .map_err(|e| what(&e))?;
    let pl_schema = polars_arrow::ffi::export_field_to_c(&field);
    let pl_array = polars_arrow::ffi::export_array_to_c(array);
    // SAFETY: as in `arrow_to_polars_array`, the other way round.
    let (ffi_array, ffi_schema) = unsafe {
        (
            std::mem::transmute::<polars_arrow::ffi::ArrowArray, arrow_array::ffi::FFI_ArrowArray>(
                pl_array,
            ),
            std::mem::transmute::<polars_arrow::ffi::ArrowSchema, arrow_schema::ffi::FFI_ArrowSchema>(
                pl_schema,
            ),
        )
    };
    let arrow_field = Field::try_from(&ffi_schema).map_err(|e| what(&e))?;
    if let Some(extension) = extension_name(&arrow_field) {
        return Err(what(&format!(
            "the extension type '{extension}' has no Spark type"
        )));
    }
    // SAFETY: exported by polars just above, from a valid array.
    let data = unsafe { arrow_array::ffi::from_ffi(ffi_array, &ffi_schema) }.map_err(|e| {
        if series
            .dtype()
            .contains_dtype_recursive(&polars_core::prelude::DataType::Null)
        {
            // polars exports a null-typed array with a buffer the C data interface does not
            // give that type; top-level null columns are made here without it.
            what(&format!(
                "{e}; its null-typed part cannot cross the Arrow C data interface from polars, \
                 cast that part to a concrete type in polars first"
            ))
        } else {
            what(&e)
        }
    })?;
    Ok(arrow_array::make_array(data))
}

/// The Arrow extension type this field (or a field inside it) is marked with, if any.
fn extension_name(field: &Field) -> Option<String> {
    if let Some(name) = field.metadata().get("ARROW:extension:name") {
        return Some(name.clone());
    }
    match field.data_type() {
        ArrowType::List(f)
        | ArrowType::LargeList(f)
        | ArrowType::FixedSizeList(f, _)
        | ArrowType::Map(f, _) => extension_name(f),
        ArrowType::Struct(fields) => fields.iter().find_map(|f| extension_name(f)),
        _ => None,
    }
}

/// The Arrow type Spark reads for this Arrow type (from polars), or why there is none.
fn spark_arrow_type(arrow: &ArrowType) -> Result<ArrowType, String> {
    let list = |element: &Field| -> Result<ArrowType, String> {
        Ok(ArrowType::List(Arc::new(Field::new(
            "element",
            spark_arrow_type(element.data_type())?,
            element.is_nullable(),
        ))))
    };
    Ok(match arrow {
        ArrowType::Null
        | ArrowType::Boolean
        | ArrowType::Int8
        | ArrowType::Int16
        | ArrowType::Int32
        | ArrowType::Int64
        | ArrowType::Float32
        | ArrowType::Float64
        | ArrowType::Date32 => arrow.clone(),
        ArrowType::UInt8 => ArrowType::Int16,
        ArrowType::UInt16 => ArrowType::Int32,
        ArrowType::UInt32 => ArrowType::Int64,
        ArrowType::UInt64 => ArrowType::Decimal128(20, 0),
        ArrowType::Float16 => ArrowType::Float32,
        ArrowType::Decimal128(p, s) if *p <= 38 => ArrowType::Decimal128(*p, *s),
        ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Utf8View => ArrowType::Utf8,
        ArrowType::Binary
        | ArrowType::LargeBinary
        | ArrowType::BinaryView
        | ArrowType::FixedSizeBinary(_) => ArrowType::Binary,
        // The instants are kept; Spark's `timestamp` is an instant shown in the session's
        // time zone, so the zone's name itself is not needed.
        ArrowType::Timestamp(_, Some(_)) => {
            ArrowType::Timestamp(TimeUnit::Microsecond, Some(Arc::from("UTC")))
        }
        ArrowType::Timestamp(_, None) => ArrowType::Timestamp(TimeUnit::Microsecond, None),
        ArrowType::Duration(_) => ArrowType::Duration(TimeUnit::Microsecond),
        ArrowType::Time32(_) | ArrowType::Time64(_) => ArrowType::Time64(TimeUnit::Nanosecond),
        ArrowType::List(element)
        | ArrowType::LargeList(element)
        | ArrowType::FixedSizeList(element, _) => list(element)?,
        ArrowType::Struct(fields) if !fields.is_empty() => ArrowType::Struct(
            fields
                .iter()
                .map(|f| {
                    Ok(Field::new(
                        f.name(),
                        spark_arrow_type(f.data_type())?,
                        f.is_nullable(),
                    ))
                })
                .collect::<Result<Vec<_>, String>>()?
                .into(),
        ),
        ArrowType::Dictionary(_, values) => spark_arrow_type(values)?,
        other => return Err(format!("the Arrow type {other} has no Spark type")),
    })
}

/// A column from polars in the Arrow type Spark reads: cast where the types differ, after
/// checking that no nanosecond value would lose its sub-microsecond part.
fn to_spark_array(name: &str, array: ArrayRef, polars_type: &str) -> Result<ArrayRef, Error> {
    let what = |e: &dyn std::fmt::Display| {
        Error::Conversion(format!(
            "from polars: column '{name}' of polars type {polars_type}: {e}"
        ))
    };
    let target = spark_arrow_type(array.data_type()).map_err(|e| what(&e))?;
    if &target == array.data_type() {
        return Ok(array);
    }
    check_whole_microseconds(array.as_ref()).map_err(|e| what(&e))?;
    let options = arrow_cast::CastOptions {
        safe: false,
        ..Default::default()
    };
    arrow_cast::cast_with_options(&array, &target, &options).map_err(|e| what(&e))
}

/// Spark keeps microseconds: a nanosecond timestamp or duration (anywhere in the array) that
/// is not a whole number of microseconds would be truncated, so it is refused.
fn check_whole_microseconds(array: &dyn Array) -> Result<(), String> {
    let first_bad =
        |values: &mut dyn Iterator<Item = Option<i64>>| values.flatten().find(|v| v % 1_000 != 0);
    let bad = match array.data_type() {
        ArrowType::Timestamp(TimeUnit::Nanosecond, _) => {
            first_bad(&mut array.as_primitive::<TimestampNanosecondType>().iter())
        }
        ArrowType::Duration(TimeUnit::Nanosecond) => {
            first_bad(&mut array.as_primitive::<DurationNanosecondType>().iter())
        }
        ArrowType::List(_) => {
            let list = array.as_list::<i32>();
            return check_list_values(list.values(), list.value_offsets());
        }
        ArrowType::LargeList(_) => {
            let list = array.as_list::<i64>();
            return check_list_values(list.values(), list.value_offsets());
        }
        ArrowType::FixedSizeList(_, _) => {
            return check_whole_microseconds(array.as_fixed_size_list().values().as_ref());
        }
        ArrowType::Struct(_) => {
            return array
                .as_struct()
                .columns()
                .iter()
                .try_for_each(|c| check_whole_microseconds(c.as_ref()));
        }
        _ => None,
    };
    match bad {
        Some(v) => Err(format!(
            "the value {v} ns is not a whole number of microseconds, and Spark keeps \
             microseconds; round it in polars first (`dt().round(\"1us\")` or a cast to `us`)"
        )),
        None => Ok(()),
    }
}

/// [`check_whole_microseconds`] of the part of a list's values its offsets cover.
fn check_list_values<O: arrow_array::OffsetSizeTrait>(
    values: &ArrayRef,
    offsets: &[O],
) -> Result<(), String> {
    let (Some(start), Some(end)) = (offsets.first(), offsets.last()) else {
        return Ok(());
    };
    let (start, end) = (start.as_usize(), end.as_usize());
    check_whole_microseconds(values.slice(start, end - start).as_ref())
}

#[cfg(test)]
#[path = "polars_frames_tests.rs"]
mod tests;
