//! Typed rows: DataFrames from Rust values that implement `serde::Serialize`, and results as
//! values that implement `serde::Deserialize` (feature `serde`, on by default).
//!
//! Rows are converted to Arrow with `serde_arrow` and read back by this crate's own
//! deserializer over the result's arrays (see [`Row`](crate::Row)): a struct is a row, its fields are
//! the columns, in order. The schema is traced from the values, with Spark's types in mind:
//!
//! | Rust | Spark |
//! |---|---|
//! | `bool` | `boolean` |
//! | `i8`, `i16`, `i32`, `i64` | `tinyint`, `smallint`, `int`, `bigint` |
//! | `u8`, `u16`, `u32` | `smallint`, `int`, `bigint` (the next wider signed type) |
//! | `u64` | `bigint` (a value above `i64::MAX` is an error) |
//! | `f32`, `f64` | `float`, `double` |
//! | `String`, `&str`, `char` | `string` |
//! | `Option<T>` | `T`, nullable (`void` when every value is `None`: nothing to trace) |
//! | `Vec<T>`, arrays, tuples of one type | `array<T>` |
//! | a struct | `struct<…>` |
//! | `HashMap<K, V>`, `BTreeMap<K, V>` | `map<K, V>` |
//! | bytes with `serde_bytes` | `binary` |
//! | `chrono::NaiveDate` | `date` |
//! | `chrono::NaiveDateTime` | `timestamp_ntz` (a wall-clock time, no time zone) |
//! | `chrono::DateTime<Utc>`, `DateTime<FixedOffset>` | `timestamp` (an instant) |
//!
//! chrono's values serialize as text; their columns get the types above from the values'
//! Rust types (fields of structs, `Option`s and array elements; not map values). Decimals
//! have no serde form of their own: give an explicit schema with
//! [`create_dataframe_from_with_schema`](SparkSession::create_dataframe_from_with_schema),
//! which converts values to its Spark types:
//!
//! | Rust value | `date` | `timestamp` | `timestamp_ntz` | `decimal(p,s)` |
//! |---|---|---|---|---|
//! | `chrono::NaiveDate`, `"2024-02-29"` | the date | | | |
//! | `chrono::DateTime<Utc>`, `"2024-02-29T12:00:00Z"` | | the instant | an error: an instant has no place in a column without time zone | |
//! | `chrono::NaiveDateTime`, `"2024-02-29T12:00:00"` | | that wall-clock time in the session time zone | the wall-clock time | |
//! | `i64` | | microseconds since the epoch | the same | |
//! | `String`, `"12.50"` | | | | the decimal |
//!
//! Results are read by a deserializer over the Arrow batches of this crate's own (see
//! [`Row`](crate::Row)), which gives each Spark type the form its Rust twin reads:
//!
//! | Spark | reads into |
//! |---|---|
//! | `date` | `chrono::NaiveDate`, or `i32` days since the epoch |
//! | `timestamp` | `chrono::DateTime<Utc>` (the instant), `chrono::NaiveDateTime` (its wall-clock time in the session time zone, as `show()` prints it), `String` (RFC 3339 in UTC), or `i64` microseconds since the epoch |
//! | `timestamp_ntz` | `chrono::NaiveDateTime` or `String` (the wall-clock time), `i64`; not `DateTime<Utc>`, since it has no time zone (an error that says so) |
//! | `decimal(p,s)` | `String` (exact, `"12.50"`), `f64` (nearest) |
//! | `interval day to second` | `i64` microseconds |
//! | `interval year to month` | `i32` months |
//! | `struct<…>` | a struct by field name, a tuple by position, a map |
//! | `string` | also a unit enum variant of that name |
//! | `binary` | `serde_bytes`, or a plain `Vec<u8>` |
//!
//! A mismatch is an error naming the column (`address.city`, `scores[2]` for nested
//! values), its Spark and Arrow types and the Rust type; a null for a field that is not an
//! `Option` is [`Error::NullValue`].

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use arrow_array::RecordBatch;
use arrow_schema::{DataType as ArrowType, Field, FieldRef, Fields};
use futures_util::Stream;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_arrow::schema::{SchemaLike, TracingOptions};

use crate::Error;
use crate::dataframe::DataFrame;
use crate::result::RecordBatchStream;
use crate::session::SparkSession;

/// The tracing options that give Spark-friendly Arrow types (no large or unsigned types, maps
/// as maps, columns of nothing but `None` as `void`).
fn tracing_options() -> TracingOptions {
    TracingOptions::default()
        .allow_null_fields(true)
        .map_as_struct(false)
        .sequence_as_large_list(false)
        .strings_as_large_utf8(false)
        .bytes_as_large_binary(false)
}

/// Replaces the Arrow types Spark does not read (large and unsigned ones) by ones it does.
fn spark_friendly(field: &Field) -> Field {
    let data_type = match field.data_type() {
        ArrowType::UInt8 => ArrowType::Int16,
        ArrowType::UInt16 => ArrowType::Int32,
        ArrowType::UInt32 | ArrowType::UInt64 => ArrowType::Int64,
        ArrowType::LargeUtf8 | ArrowType::Utf8View => ArrowType::Utf8,
        ArrowType::LargeBinary | ArrowType::BinaryView => ArrowType::Binary,
        ArrowType::List(inner) | ArrowType::LargeList(inner) => {
            ArrowType::List(Arc::new(spark_friendly(inner)))
        }
        ArrowType::Struct(fields) => ArrowType::Struct(friendly_fields(fields)),
        ArrowType::Map(entries, sorted) => {
            ArrowType::Map(Arc::new(spark_friendly(entries)), *sorted)
        }
        other => other.clone(),
    };
    Field::new(field.name(), data_type, field.is_nullable()).with_metadata(field.metadata().clone())
}

fn friendly_fields(fields: &Fields) -> Fields {
    fields.iter().map(|f| spark_friendly(f)).collect()
}

fn type_name<T>() -> &'static str {
    std::any::type_name::<T>()
}

/// A serde_arrow error with what was being converted, naming the column and its Arrow type
/// when serde_arrow says which (its annotations `field: "$.a.b"` and `data_type: "Utf8"`).
fn conversion_error(what: String, e: serde_arrow::Error) -> Error {
    let text = e.to_string();
    let annotation = |key: &str| {
        let start = text.rfind(&format!("{key}: \""))? + key.len() + 3;
        let len = text[start..].find('"')?;
        Some(text[start..start + len].to_string())
    };
    let field = annotation("field")
        .map(|f| {
            f.trim_start_matches('$')
                .trim_start_matches('.')
                .to_string()
        })
        .filter(|f| !f.is_empty());
    let data_type = annotation("data_type");
    let message = e.message();
    Error::Conversion(match (field, data_type) {
        (Some(f), Some(t)) => format!("{what}: column `{f}` of Arrow type {t}: {message}"),
        (Some(f), None) => format!("{what}: column `{f}`: {message}"),
        _ => {
            let text = text.strip_prefix("Error: ").unwrap_or(&text);
            format!("{what}: {text}")
        }
    })
}

impl SparkSession {
    /// A DataFrame of Rust values, one row per value: `rows` are structs (or maps, or tuples)
    /// that implement `serde::Serialize`, and their fields become the columns. The schema is
    /// traced from the values (see the table in the [module documentation](crate::typed_rows));
    /// an empty slice is an error, since there is nothing to trace: use
    /// [`create_dataframe_from_with_schema`](Self::create_dataframe_from_with_schema).
    ///
    /// Large data is sent as [`create_dataframe`](Self::create_dataframe) sends it: above the
    /// server's threshold, through cached artifacts.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Person {
    ///     name: String,
    ///     age: Option<i32>,
    /// }
    /// let people = [
    ///     Person { name: "Ada".into(), age: Some(36) },
    ///     Person { name: "Grace".into(), age: None },
    /// ];
    /// let df = spark.create_dataframe_from(&people).await?;
    /// let back: Vec<Person> = df.collect_as().await?;
    /// assert_eq!(back[1].name, "Grace");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_dataframe_from<T: Serialize>(
        &self,
        rows: &[T],
    ) -> Result<DataFrame, Error> {
        if rows.is_empty() {
            return Err(Error::InvalidArgument(format!(
                "create_dataframe_from::<{}> got no rows, so there is no schema to trace; \
                 use create_dataframe_from_with_schema to make an empty DataFrame",
                type_name::<T>()
            )));
        }
        let fields = Vec::<FieldRef>::from_samples(rows, tracing_options()).map_err(|e| {
            conversion_error(
                format!("cannot trace an Arrow schema from {}", type_name::<T>()),
                e,
            )
        })?;
        let fields: Vec<FieldRef> = fields.iter().map(|f| Arc::new(spark_friendly(f))).collect();
        let fields = chrono_fields::typed(rows, fields);
        self.create_dataframe_from_fields(rows, &fields, None).await
    }

    /// Like [`create_dataframe_from`](Self::create_dataframe_from), with the schema given as
    /// a [`StructType`](crate::StructType) or a DDL string (`"name STRING, age INT"`, parsed
    /// by the server as in [`create_dataframe_with_schema`](Self::create_dataframe_with_schema)):
    /// the values are converted to its Spark types (`date`, `timestamp` and `timestamp_ntz`
    /// columns from chrono's values, `decimal` ones from strings; see the [module
    /// documentation](crate::typed_rows)) and it may be given for no rows. A wall-clock time
    /// (`NaiveDateTime`) for a `timestamp` column is a time in the session time zone, which
    /// is then asked of the server. The value's fields must
    /// match the schema's by name; a field without a column, or a value that does not fit its
    /// column's type, is an error naming the column.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use chrono::{DateTime, NaiveDate, Utc};
    /// use spark_connect_dataframe::{DataType, StructField, StructType};
    ///
    /// #[derive(serde::Serialize)]
    /// struct Payment {
    ///     day: NaiveDate,
    ///     at: DateTime<Utc>,
    ///     amount: String,
    /// }
    /// let schema = StructType::new([
    ///     StructField::new("day", DataType::Date, false),
    ///     StructField::new("at", DataType::Timestamp, false),
    ///     StructField::new("amount", DataType::Decimal { precision: 10, scale: 2 }, false),
    /// ]);
    /// let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    /// let rows = [Payment { day, at: day.and_hms_opt(12, 0, 0).unwrap().and_utc(), amount: "12.50".into() }];
    /// let df = spark.create_dataframe_from_with_schema(&rows, &schema).await?;
    /// assert_eq!(df.dtypes().await?[1].1, "timestamp");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn create_dataframe_from_with_schema<T: Serialize>(
        &self,
        rows: &[T],
        schema: impl Into<crate::ReadSchema>,
    ) -> Result<DataFrame, Error> {
        let (schema, text) = self.local_schema(schema.into()).await?;
        let arrow = schema.to_arrow("UTC");
        let fields: Vec<FieldRef> = arrow.fields().iter().cloned().collect();
        self.create_dataframe_from_fields(rows, &fields, Some(text))
            .await
    }

    async fn create_dataframe_from_fields<T: Serialize>(
        &self,
        rows: &[T],
        fields: &[FieldRef],
        schema_text: Option<String>,
    ) -> Result<DataFrame, Error> {
        // Timestamps go to serde_arrow as text and are read here (see `timestamps`): chrono's
        // `NaiveDateTime` and `DateTime<Utc>` serialize as different texts, and serde_arrow
        // takes only one of them for each kind of timestamp column.
        let as_text: Vec<FieldRef> = fields.iter().map(timestamps::as_text).collect();
        let built = serde_arrow::to_record_batch(&as_text, &rows).map_err(|e| {
            conversion_error(
                format!("cannot convert {} values to Arrow", type_name::<T>()),
                e,
            )
        })?;
        let batch = match timestamps::convert(&built, fields, None) {
            Err(timestamps::Needs::SessionTimeZone) => {
                let zone = self
                    .conf()
                    .get_or("spark.sql.session.timeZone", "UTC")
                    .await?;
                let zone: arrow_array::timezone::Tz = zone.parse()?;
                timestamps::convert(&built, fields, Some(&zone))
            }
            other => other,
        }
        .map_err(|e| match e {
            timestamps::Needs::SessionTimeZone => {
                Error::Protocol("the session time zone did not resolve".into())
            }
            timestamps::Needs::Error(e) => e,
        })?;
        let schema = batch.schema();
        let relation = self
            .local_relation(vec![batch], &schema, schema_text)
            .await?;
        Ok(self.dataframe(relation))
    }
}

/// chrono's values in traced schemas: they serialize as text, so tracing makes them `string`
/// columns; their Rust types (found by `TypeId` while the rows are serialized once more, by a
/// serializer that only looks) make them `date` (`NaiveDate`), `timestamp_ntz`
/// (`NaiveDateTime`) and `timestamp` (`DateTime<Utc>`, `DateTime<FixedOffset>`) columns.
/// Fields of structs, `Option`s and array elements are followed; maps are not.
mod chrono_fields {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use arrow_schema::{DataType as ArrowType, FieldRef, Fields, TimeUnit};
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};
    use serde::Serialize;
    use serde::ser::{self, Impossible};

    /// A place in a row: field names, and `[]` for the elements of an array.
    type Path = Vec<String>;

    /// Whether `T` is `X` or a reference to one (sequences serialize references to their
    /// elements).
    fn is<T: ?Sized, X: ?Sized>() -> bool {
        let t = typeid::of::<T>();
        t == typeid::of::<X>() || t == typeid::of::<&X>()
    }

    /// The Arrow type of a chrono type, if `T` is one.
    fn arrow_type<T: ?Sized>() -> Option<ArrowType> {
        if is::<T, NaiveDate>() {
            Some(ArrowType::Date32)
        } else if is::<T, NaiveDateTime>() {
            Some(ArrowType::Timestamp(TimeUnit::Microsecond, None))
        } else if is::<T, DateTime<Utc>>() || is::<T, DateTime<FixedOffset>>() {
            Some(ArrowType::Timestamp(
                TimeUnit::Microsecond,
                Some(Arc::from("UTC")),
            ))
        } else {
            None
        }
    }

    /// The traced fields, with the chrono values' columns given their Spark types.
    pub(super) fn typed<T: Serialize>(rows: &[T], fields: Vec<FieldRef>) -> Vec<FieldRef> {
        // chrono values trace as text: without a text column there is nothing to look for,
        // and the rows are not serialized a second time.
        if !fields.iter().any(|f| has_text(f.data_type())) {
            return fields;
        }
        let mut found = BTreeMap::new();
        for row in rows {
            let mut sniffer = Sniffer {
                path: Vec::new(),
                found: &mut found,
            };
            // Only looking: a serializer error here is the real serialization's to report.
            let _ = row.serialize(&mut sniffer);
        }
        if found.is_empty() {
            return fields;
        }
        fields
            .into_iter()
            .map(|f| retype(&f, &[f.name().clone()], &found))
            .collect()
    }

    /// Whether a traced type is or holds text (through structs and lists, as `retype` goes).
    fn has_text(data_type: &ArrowType) -> bool {
        match data_type {
            ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Utf8View => true,
            ArrowType::Struct(children) => children.iter().any(|c| has_text(c.data_type())),
            ArrowType::List(element) | ArrowType::LargeList(element) => {
                has_text(element.data_type())
            }
            _ => false,
        }
    }

    fn retype(field: &FieldRef, path: &[String], found: &BTreeMap<Path, ArrowType>) -> FieldRef {
        if let Some(t) = found.get(path) {
            // A column of nothing but `None`s was traced as `void`; it may hold nulls anyway.
            let nullable = field.is_nullable() || field.data_type() == &ArrowType::Null;
            return Arc::new(
                field
                    .as_ref()
                    .clone()
                    .with_data_type(t.clone())
                    .with_nullable(nullable),
            );
        }
        let data_type = match field.data_type() {
            ArrowType::Struct(children) => ArrowType::Struct(Fields::from(
                children
                    .iter()
                    .map(|c| {
                        let mut p = path.to_vec();
                        p.push(c.name().clone());
                        retype(c, &p, found)
                    })
                    .collect::<Vec<_>>(),
            )),
            ArrowType::List(element) => {
                let mut p = path.to_vec();
                p.push("[]".into());
                ArrowType::List(retype(element, &p, found))
            }
            _ => return field.clone(),
        };
        Arc::new(field.as_ref().clone().with_data_type(data_type))
    }

    /// A serializer that writes nothing and notes where chrono values are.
    struct Sniffer<'f> {
        path: Path,
        found: &'f mut BTreeMap<Path, ArrowType>,
    }

    impl Sniffer<'_> {
        /// Notes `value` if it is a chrono value, else looks inside it.
        fn visit<T: ?Sized + Serialize>(&mut self, name: &str, value: &T) {
            self.path.push(name.to_string());
            match arrow_type::<T>() {
                Some(t) => {
                    self.found.insert(self.path.clone(), t);
                }
                None => {
                    let _ = value.serialize(&mut *self);
                }
            }
            self.path.pop();
        }
    }

    #[derive(Debug)]
    struct Stop;

    impl std::fmt::Display for Stop {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("not looked into")
        }
    }

    impl std::error::Error for Stop {}

    impl ser::Error for Stop {
        fn custom<T: std::fmt::Display>(_: T) -> Self {
            Stop
        }
    }

    macro_rules! nothing {
        ($($method:ident($($t:ty),*);)*) => {
            $(fn $method(self, $(_: $t),*) -> Result<(), Stop> { Ok(()) })*
        };
    }

    impl ser::Serializer for &mut Sniffer<'_> {
        type Ok = ();
        type Error = Stop;
        type SerializeSeq = Self;
        type SerializeTuple = Impossible<(), Stop>;
        type SerializeTupleStruct = Impossible<(), Stop>;
        type SerializeTupleVariant = Impossible<(), Stop>;
        type SerializeMap = Impossible<(), Stop>;
        type SerializeStruct = Self;
        type SerializeStructVariant = Impossible<(), Stop>;

        nothing! {
            serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
            serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
            serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
            serialize_str(&str); serialize_bytes(&[u8]); serialize_none(); serialize_unit();
            serialize_unit_struct(&'static str);
            serialize_unit_variant(&'static str, u32, &'static str);
        }

        fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), Stop> {
            // An `Option`'s value is at the option's own place.
            if let Some(t) = arrow_type::<T>() {
                self.found.insert(self.path.clone(), t);
                return Ok(());
            }
            value.serialize(self)
        }

        fn serialize_newtype_struct<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            value: &T,
        ) -> Result<(), Stop> {
            value.serialize(self)
        }

        fn serialize_newtype_variant<T: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), Stop> {
            Ok(())
        }

        fn serialize_seq(self, _: Option<usize>) -> Result<Self, Stop> {
            Ok(self)
        }

        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Stop> {
            Err(Stop)
        }

        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, Stop> {
            Err(Stop)
        }

        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Stop> {
            Err(Stop)
        }

        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Stop> {
            Err(Stop)
        }

        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Stop> {
            Ok(self)
        }

        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Stop> {
            Err(Stop)
        }
    }

    impl ser::SerializeStruct for &mut Sniffer<'_> {
        type Ok = ();
        type Error = Stop;

        fn serialize_field<T: ?Sized + Serialize>(
            &mut self,
            key: &'static str,
            value: &T,
        ) -> Result<(), Stop> {
            self.visit(key, value);
            Ok(())
        }

        fn end(self) -> Result<(), Stop> {
            Ok(())
        }
    }

    impl ser::SerializeSeq for &mut Sniffer<'_> {
        type Ok = ();
        type Error = Stop;

        fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), Stop> {
            self.visit("[]", value);
            Ok(())
        }

        fn end(self) -> Result<(), Stop> {
            Ok(())
        }
    }
}

/// Timestamps of typed rows, sent to serde_arrow as text and converted here: an RFC 3339
/// text with an offset (`DateTime<Utc>`) is an instant; a wall-clock text (`NaiveDateTime`)
/// is itself in a `timestamp_ntz` column and a time in the session time zone in a
/// `timestamp` column (as a `timestamp` read as `NaiveDateTime` is); an integer is
/// microseconds since the epoch. An instant for a `timestamp_ntz` column is an error, as it
/// is when reading.
mod timestamps {
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::timezone::Tz;
    use arrow_array::{
        Array, ArrayRef, ListArray, MapArray, RecordBatch, StructArray, TimestampMicrosecondArray,
    };
    use arrow_schema::{DataType as ArrowType, Field, FieldRef, Fields, TimeUnit};
    use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};

    use crate::Error;

    /// Why a conversion could not be done.
    pub(super) enum Needs {
        /// A wall-clock time goes into a `timestamp` column: ask again with the zone.
        SessionTimeZone,
        /// A value that is no timestamp, or an instant for a `timestamp_ntz` column.
        Error(Error),
    }

    impl From<Error> for Needs {
        fn from(e: Error) -> Needs {
            Needs::Error(e)
        }
    }

    impl From<arrow_schema::ArrowError> for Needs {
        fn from(e: arrow_schema::ArrowError) -> Needs {
            Needs::Error(e.into())
        }
    }

    /// The field with every timestamp type in it replaced by text.
    pub(super) fn as_text(field: &FieldRef) -> FieldRef {
        match text_type(field.data_type()) {
            Some(t) => Arc::new(field.as_ref().clone().with_data_type(t)),
            None => field.clone(),
        }
    }

    fn text_type(t: &ArrowType) -> Option<ArrowType> {
        let field = |f: &FieldRef| -> Option<FieldRef> {
            text_type(f.data_type()).map(|t| Arc::new(f.as_ref().clone().with_data_type(t)))
        };
        match t {
            ArrowType::Timestamp(..) => Some(ArrowType::Utf8),
            ArrowType::List(f) => field(f).map(ArrowType::List),
            ArrowType::Map(f, sorted) => field(f).map(|f| ArrowType::Map(f, *sorted)),
            ArrowType::Struct(fields) => {
                let changed: Vec<Option<FieldRef>> = fields.iter().map(field).collect();
                changed.iter().any(Option::is_some).then(|| {
                    ArrowType::Struct(Fields::from(
                        fields
                            .iter()
                            .zip(changed)
                            .map(|(f, c)| c.unwrap_or_else(|| f.clone()))
                            .collect::<Vec<_>>(),
                    ))
                })
            }
            _ => None,
        }
    }

    /// The batch with its text columns converted to the timestamps of `fields`.
    pub(super) fn convert(
        batch: &RecordBatch,
        fields: &[FieldRef],
        zone: Option<&Tz>,
    ) -> Result<RecordBatch, Needs> {
        let columns = batch
            .columns()
            .iter()
            .zip(fields)
            .map(|(array, field)| convert_array(array, field, zone))
            .collect::<Result<Vec<_>, _>>()?;
        let schema = arrow_schema::Schema::new(fields.to_vec());
        Ok(RecordBatch::try_new(Arc::new(schema), columns)?)
    }

    fn convert_array(
        array: &ArrayRef,
        target: &Field,
        zone: Option<&Tz>,
    ) -> Result<ArrayRef, Needs> {
        if array.data_type() == target.data_type() {
            return Ok(array.clone());
        }
        match target.data_type() {
            ArrowType::Timestamp(TimeUnit::Microsecond, column_zone) => {
                let Some(texts) = array.as_string_opt::<i32>() else {
                    return Ok(array.clone());
                };
                let micros = texts
                    .iter()
                    .map(|text| {
                        text.map(|t| micros(t, target.name(), column_zone.is_some(), zone))
                            .transpose()
                    })
                    .collect::<Result<Vec<Option<i64>>, Needs>>()?;
                let out =
                    TimestampMicrosecondArray::from(micros).with_timezone_opt(column_zone.clone());
                Ok(Arc::new(out))
            }
            ArrowType::Struct(fields) => {
                let Some(s) = array.as_struct_opt() else {
                    return Ok(array.clone());
                };
                let children = s
                    .columns()
                    .iter()
                    .zip(fields.iter())
                    .map(|(c, f)| convert_array(c, f, zone))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Arc::new(StructArray::try_new(
                    fields.clone(),
                    children,
                    s.nulls().cloned(),
                )?))
            }
            ArrowType::List(element) => {
                let Some(list) = array.as_list_opt::<i32>() else {
                    return Ok(array.clone());
                };
                let values = convert_array(list.values(), element, zone)?;
                Ok(Arc::new(ListArray::try_new(
                    element.clone(),
                    list.offsets().clone(),
                    values,
                    list.nulls().cloned(),
                )?))
            }
            ArrowType::Map(entries, sorted) => {
                let Some(map) = array.as_map_opt() else {
                    return Ok(array.clone());
                };
                let converted = convert_array(
                    &(Arc::new(map.entries().clone()) as ArrayRef),
                    entries,
                    zone,
                )?;
                let converted = converted.as_struct_opt().cloned().ok_or_else(|| {
                    Needs::Error(Error::Protocol("map entries are not a struct".into()))
                })?;
                Ok(Arc::new(MapArray::try_new(
                    entries.clone(),
                    map.offsets().clone(),
                    converted,
                    map.nulls().cloned(),
                    *sorted,
                )?))
            }
            _ => Ok(array.clone()),
        }
    }

    /// One text as microseconds since the epoch, for a `timestamp` column (`instant`) or a
    /// `timestamp_ntz` one.
    fn micros(text: &str, column: &str, instant: bool, zone: Option<&Tz>) -> Result<i64, Needs> {
        if let Ok(micros) = text.parse::<i64>() {
            return Ok(micros);
        }
        let spark_type = if instant {
            "timestamp"
        } else {
            "timestamp_ntz"
        };
        if let Ok(t) = text.parse::<DateTime<FixedOffset>>() {
            if instant {
                return Ok(t.timestamp_micros());
            }
            return Err(Needs::Error(Error::Conversion(format!(
                "column `{column}` is a timestamp_ntz, which has no time zone, but the value \
                 `{text}` is an instant (it has an offset): give a chrono::NaiveDateTime"
            ))));
        }
        let Ok(wall) = text.parse::<NaiveDateTime>() else {
            return Err(Needs::Error(Error::Conversion(format!(
                "column `{column}` is a {spark_type}, but the value `{text}` is neither an RFC \
                 3339 time (chrono::DateTime<Utc>), a wall-clock time (chrono::NaiveDateTime) \
                 nor microseconds since the epoch"
            ))));
        };
        if !instant {
            return Ok(wall.and_utc().timestamp_micros());
        }
        let Some(zone) = zone else {
            return Err(Needs::SessionTimeZone);
        };
        // A wall-clock time that a change of clocks skips or repeats: the earlier instant.
        match zone.from_local_datetime(&wall).earliest() {
            Some(t) => Ok(t.timestamp_micros()),
            None => Err(Needs::Error(Error::Conversion(format!(
                "column `{column}`: the wall-clock time `{text}` does not exist in the session \
                 time zone (the clocks skip it)"
            )))),
        }
    }
}

fn decode<T: DeserializeOwned>(batch: &RecordBatch) -> Result<Vec<T>, Error> {
    crate::row::de::from_batch(batch)
}

impl DataFrame {
    /// Runs the plan and returns the rows as Rust values that implement
    /// `serde::Deserialize`, matched to the columns by field name. A column whose type does
    /// not fit its field, a missing column, or a null for a field that is not an `Option` is an
    /// error naming the column. See the [module documentation](crate::typed_rows) for how
    /// Spark's types read.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// #[derive(serde::Deserialize)]
    /// struct Square {
    ///     id: i64,
    ///     square: i64,
    /// }
    /// let rows: Vec<Square> = spark.sql("SELECT id, id * id AS square FROM range(5)").await?.collect_as().await?;
    /// assert_eq!(rows[4].square, 16);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn collect_as<T: DeserializeOwned>(&self) -> Result<Vec<T>, Error> {
        let mut rows = Vec::new();
        let mut stream = self.stream().await?;
        while let Some(batch) = futures_util::StreamExt::next(&mut stream).await {
            rows.extend(decode::<T>(&batch?)?);
        }
        Ok(rows)
    }

    /// Runs the plan and returns the rows as Rust values as they arrive, a batch at a time:
    /// memory stays bounded by a few batches whatever the size of the result.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use futures_util::StreamExt; // `TypedRowStream` is a `Stream`
    /// #[derive(serde::Deserialize)]
    /// struct Id {
    ///     id: i64,
    /// }
    /// let mut ids = spark.range(0, 1_000_000).stream_as::<Id>().await?;
    /// let mut total = 0;
    /// while let Some(row) = ids.next().await {
    ///     total += row?.id;
    /// }
    /// assert_eq!(total, 499_999_500_000);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn stream_as<T: DeserializeOwned>(&self) -> Result<TypedRowStream<T>, Error> {
        Ok(TypedRowStream {
            inner: self.stream().await?,
            ready: VecDeque::new(),
        })
    }
}

/// The rows of a result as Rust values, decoded one batch at a time as batches arrive; see
/// [`DataFrame::stream_as`]. A `Stream` of `Result<T, Error>`.
pub struct TypedRowStream<T> {
    inner: RecordBatchStream,
    ready: VecDeque<T>,
}

impl<T> std::fmt::Debug for TypedRowStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedRowStream")
            .field("inner", &self.inner)
            .field("ready", &self.ready.len())
            .finish()
    }
}

impl<T: DeserializeOwned + Unpin> Stream for TypedRowStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(row) = self.ready.pop_front() {
                return Poll::Ready(Some(Ok(row)));
            }
            match Pin::new(&mut self.inner).poll_next(cx) {
                Poll::Ready(Some(Ok(batch))) => match decode::<T>(&batch) {
                    Ok(rows) => self.ready.extend(rows),
                    Err(e) => return Poll::Ready(Some(Err(e))),
                },
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Inner {
        x: f64,
        tags: Vec<String>,
    }

    #[derive(Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Row {
        small: u8,
        big: u64,
        name: String,
        maybe: Option<i32>,
        inner: Inner,
        attrs: HashMap<String, i64>,
    }

    fn traced(rows: &[Row]) -> Vec<FieldRef> {
        let fields = Vec::<FieldRef>::from_samples(rows, tracing_options()).unwrap();
        fields.iter().map(|f| Arc::new(spark_friendly(f))).collect()
    }

    fn sample() -> Vec<Row> {
        vec![Row {
            small: 200,
            big: 7,
            name: "é".into(),
            maybe: Some(3),
            inner: Inner {
                x: 1.5,
                tags: vec!["a".into()],
            },
            attrs: HashMap::from([("k".to_string(), 1)]),
        }]
    }

    #[test]
    fn traced_types_are_ones_spark_reads() {
        let fields = traced(&sample());
        let types: Vec<String> = fields.iter().map(|f| f.data_type().to_string()).collect();
        assert_eq!(types[0], "Int16");
        assert_eq!(types[1], "Int64");
        assert_eq!(types[2], "Utf8");
        assert_eq!(types[3], "Int32");
        assert!(fields[3].is_nullable());
        assert!(types[4].starts_with("Struct("), "{}", types[4]);
        assert!(types[4].contains("List("), "{}", types[4]);
        assert!(types[5].starts_with("Map("), "{}", types[5]);
        let batch = serde_arrow::to_record_batch(&fields, &sample()).unwrap();
        let back: Vec<Row> = decode(&batch).unwrap();
        assert_eq!(back, sample());
        // Nothing but None: nothing to trace a type from, so `void`.
        let mut rows = sample();
        rows[0].maybe = None;
        assert_eq!(traced(&rows)[3].data_type(), &ArrowType::Null);
    }

    #[test]
    fn chrono_values_become_both_timestamp_types_and_dates() {
        use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

        #[derive(Serialize)]
        struct Event {
            day: NaiveDate,
            at: DateTime<Utc>,
            wall: NaiveDateTime,
            ntz: NaiveDateTime,
            raw: i64,
            nested: Vec<Option<NaiveDateTime>>,
        }
        let wall = NaiveDate::from_ymd_opt(2024, 2, 29)
            .unwrap()
            .and_hms_micro_opt(12, 0, 0, 5)
            .unwrap();
        let rows = [Event {
            day: wall.date(),
            at: wall.and_utc(),
            wall,
            ntz: wall,
            raw: 7,
            nested: vec![Some(wall), None],
        }];
        let ts = |tz: Option<&str>| {
            ArrowType::Timestamp(arrow_schema::TimeUnit::Microsecond, tz.map(Arc::from))
        };
        let fields: Vec<FieldRef> = vec![
            Arc::new(Field::new("day", ArrowType::Date32, false)),
            Arc::new(Field::new("at", ts(Some("UTC")), false)),
            Arc::new(Field::new("wall", ts(Some("UTC")), false)),
            Arc::new(Field::new("ntz", ts(None), false)),
            Arc::new(Field::new("raw", ts(Some("UTC")), false)),
            Arc::new(Field::new(
                "nested",
                ArrowType::List(Arc::new(Field::new("element", ts(Some("UTC")), true))),
                false,
            )),
        ];
        let as_text: Vec<FieldRef> = fields.iter().map(timestamps::as_text).collect();
        assert_eq!(as_text[1].data_type(), &ArrowType::Utf8);
        let built = serde_arrow::to_record_batch(&as_text, &rows).unwrap();
        // A wall-clock time for a `timestamp` column needs the session time zone.
        assert!(matches!(
            timestamps::convert(&built, &fields, None),
            Err(timestamps::Needs::SessionTimeZone)
        ));
        let zone: arrow_array::timezone::Tz = "+02:00".parse().unwrap();
        let Ok(batch) = timestamps::convert(&built, &fields, Some(&zone)) else {
            panic!("not converted");
        };
        assert_eq!(batch.schema().fields(), &Fields::from(fields.clone()));
        let row = &crate::Row::from_batch(&batch)[0];
        assert_eq!(row.get::<NaiveDate>("day").unwrap(), wall.date());
        assert_eq!(row.get::<DateTime<Utc>>("at").unwrap(), wall.and_utc());
        // 12:00 at +02:00 is 10:00 UTC.
        assert_eq!(
            row.get::<DateTime<Utc>>("wall").unwrap(),
            (wall - chrono::TimeDelta::hours(2)).and_utc()
        );
        assert_eq!(row.get::<NaiveDateTime>("ntz").unwrap(), wall);
        assert_eq!(
            row.get::<DateTime<Utc>>("raw").unwrap().timestamp_micros(),
            7
        );
        assert_eq!(
            row.get::<Vec<Option<DateTime<Utc>>>>("nested").unwrap(),
            [Some((wall - chrono::TimeDelta::hours(2)).and_utc()), None]
        );

        // An instant for a timestamp_ntz column, or text that is no time, is an error.
        for (value, expected) in [
            ("2024-02-29T12:00:00Z", "has no time zone"),
            ("yesterday", "is neither an RFC 3339 time"),
        ] {
            let built = RecordBatch::try_from_iter([(
                "ntz",
                Arc::new(arrow_array::StringArray::from(vec![value])) as _,
            )])
            .unwrap();
            let Err(timestamps::Needs::Error(e)) =
                timestamps::convert(&built, &fields[3..4], Some(&zone))
            else {
                panic!("{value} converted");
            };
            let text = e.to_string();
            assert!(
                text.contains("column `ntz`") && text.contains(expected),
                "{text}"
            );
        }
    }

    #[test]
    fn traced_chrono_values_become_dates_and_timestamps() {
        use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

        #[derive(Serialize)]
        struct Inner {
            at: Option<DateTime<Utc>>,
        }
        #[derive(Serialize)]
        struct Event {
            day: NaiveDate,
            wall: Option<NaiveDateTime>,
            at: DateTime<Utc>,
            text: String,
            history: Vec<NaiveDate>,
            inner: Inner,
        }
        let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let rows = [
            Event {
                day,
                wall: None,
                at: DateTime::UNIX_EPOCH,
                text: "2024-02-29".into(),
                history: vec![],
                inner: Inner { at: None },
            },
            Event {
                day,
                wall: Some(day.and_hms_opt(1, 2, 3).unwrap()),
                at: DateTime::UNIX_EPOCH,
                text: "x".into(),
                history: vec![day],
                inner: Inner {
                    at: Some(DateTime::UNIX_EPOCH),
                },
            },
        ];
        let traced = Vec::<FieldRef>::from_samples(&rows, tracing_options()).unwrap();
        let traced: Vec<FieldRef> = traced.iter().map(|f| Arc::new(spark_friendly(f))).collect();
        let fields = chrono_fields::typed(&rows, traced);
        let spark: Vec<String> = fields
            .iter()
            .map(|f| crate::DataType::from_arrow(f.data_type()).type_name())
            .collect();
        assert_eq!(
            spark,
            [
                "date",
                "timestamp_ntz",
                "timestamp",
                "string",
                "array<date>",
                "struct<at:timestamp>"
            ]
        );
        assert!(fields[1].is_nullable());
        let as_text: Vec<FieldRef> = fields.iter().map(timestamps::as_text).collect();
        let built = serde_arrow::to_record_batch(&as_text, &rows).unwrap();
        let Ok(batch) = timestamps::convert(&built, &fields, None) else {
            panic!("not converted");
        };
        let row = &crate::Row::from_batch(&batch)[1];
        assert_eq!(
            row.get::<NaiveDateTime>("wall").unwrap(),
            day.and_hms_opt(1, 2, 3).unwrap()
        );
        assert_eq!(row.get::<Vec<NaiveDate>>("history").unwrap(), [day]);
    }

    #[test]
    fn a_u64_above_bigint_is_an_error_not_a_wrapped_value() {
        let mut rows = sample();
        let fields = traced(&rows);
        rows[0].big = u64::MAX;
        let e = serde_arrow::to_record_batch(&fields, &rows).unwrap_err();
        let e = conversion_error("x".into(), e).to_string();
        assert!(e.contains("big"), "{e}");
    }
}
