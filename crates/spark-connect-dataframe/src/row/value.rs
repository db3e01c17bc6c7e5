//! One value of a row, and the Rust types that read it ([`FromValue`]).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasher, Hash};

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, DecimalType, DurationMicrosecondType,
    DurationMillisecondType, DurationNanosecondType, DurationSecondType, Float32Type, Float64Type,
    Int8Type, Int16Type, Int32Type, Int64Type, IntervalMonthDayNanoType, IntervalYearMonthType,
    Time32MillisecondType, Time32SecondType, Time64MicrosecondType, Time64NanosecondType,
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, ArrowPrimitiveType, GenericListArray, OffsetSizeTrait};
use arrow_schema::{DataType as ArrowType, IntervalUnit, TimeUnit};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

use super::Row;
use crate::Error;
use crate::types::DataType;

/// One value of a [`Row`], not yet read: the column's array and the row's position in it.
///
/// [`Row::get`] reads values through [`FromValue`]; `Value` is what a [`FromValue`]
/// implementation receives, and what [`Row::value`] gives for reading a value some other way.
///
/// ```
/// # use std::sync::Arc;
/// # use arrow_array::{Array, RecordBatch, StringArray};
/// use spark_connect_dataframe::{DataType, Row};
///
/// # fn main() -> Result<(), spark_connect_dataframe::Error> {
/// # let batch = RecordBatch::try_from_iter([("name", Arc::new(StringArray::from(vec!["a"])) as _)])?;
/// let row = &Row::from_batch(&batch)[0];
/// let name = row.value("name")?;
/// assert!(!name.is_null());
/// assert_eq!(name.column(), "name");
/// assert_eq!(name.spark_type(), DataType::String { collation: String::new() });
/// assert_eq!(name.data_type(), &arrow_schema::DataType::Utf8);
/// assert_eq!((name.array().len(), name.index()), (1, 0));
/// assert!(matches!(name.type_error::<i64>(), spark_connect_dataframe::Error::ValueType { .. }));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct Value<'a> {
    array: &'a dyn Array,
    index: usize,
    column: &'a str,
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Value")
            .field("column", &self.column)
            .field("data_type", self.array.data_type())
            .field("index", &self.index)
            .finish()
    }
}

impl<'a> Value<'a> {
    pub(crate) fn new(array: &'a dyn Array, index: usize, column: &'a str) -> Value<'a> {
        Value {
            array,
            index,
            column,
        }
    }

    /// A value of the same column at another place (an element of an array, a key of a map).
    pub(crate) fn nested(&self, array: &'a dyn Array, index: usize) -> Value<'a> {
        Value::new(array, index, self.column)
    }

    /// Whether the value is null.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
    /// # use spark_connect_dataframe::{DataType, Row};
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let names = Arc::new(StringArray::from(vec![Some("a"), None])) as _;
    /// # let ids = Arc::new(Int64Array::from(vec![7, 8])) as _;
    /// # let batch = RecordBatch::try_from_iter([("name", names), ("id", ids)])?;
    /// # let rows = Row::from_batch(&batch);
    /// assert!(!rows[0].value("name")?.is_null());
    /// assert!(rows[1].value("name")?.is_null());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_null(&self) -> bool {
        // A `void` column's array has no validity buffer, yet every value of it is null.
        self.array.data_type() == &ArrowType::Null || self.array.is_null(self.index)
    }

    /// The Arrow type of the value.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
    /// # use spark_connect_dataframe::{DataType, Row};
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let names = Arc::new(StringArray::from(vec![Some("a"), None])) as _;
    /// # let ids = Arc::new(Int64Array::from(vec![7, 8])) as _;
    /// # let batch = RecordBatch::try_from_iter([("name", names), ("id", ids)])?;
    /// # let rows = Row::from_batch(&batch);
    /// assert_eq!(rows[0].value("id")?.data_type(), &arrow_schema::DataType::Int64);
    /// # Ok(())
    /// # }
    /// ```
    pub fn data_type(&self) -> &'a ArrowType {
        self.array.data_type()
    }

    /// The Spark type of the value ([`DataType::from_arrow`]).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
    /// # use spark_connect_dataframe::{DataType, Row};
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let names = Arc::new(StringArray::from(vec![Some("a"), None])) as _;
    /// # let ids = Arc::new(Int64Array::from(vec![7, 8])) as _;
    /// # let batch = RecordBatch::try_from_iter([("name", names), ("id", ids)])?;
    /// # let rows = Row::from_batch(&batch);
    /// assert_eq!(rows[0].value("id")?.spark_type(), DataType::Long);
    /// # Ok(())
    /// # }
    /// ```
    pub fn spark_type(&self) -> DataType {
        DataType::from_arrow(self.array.data_type())
    }

    /// The array that holds the value, at [`index`](Self::index).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
    /// # use spark_connect_dataframe::{DataType, Row};
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let names = Arc::new(StringArray::from(vec![Some("a"), None])) as _;
    /// # let ids = Arc::new(Int64Array::from(vec![7, 8])) as _;
    /// # let batch = RecordBatch::try_from_iter([("name", names), ("id", ids)])?;
    /// # let rows = Row::from_batch(&batch);
    /// let id = rows[1].value("id")?;
    /// assert_eq!(id.array().len(), 2); // the whole column of the batch
    /// # Ok(())
    /// # }
    /// ```
    pub fn array(&self) -> &'a dyn Array {
        self.array
    }

    /// The value's position in [`array`](Self::array).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
    /// # use spark_connect_dataframe::{DataType, Row};
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let names = Arc::new(StringArray::from(vec![Some("a"), None])) as _;
    /// # let ids = Arc::new(Int64Array::from(vec![7, 8])) as _;
    /// # let batch = RecordBatch::try_from_iter([("name", names), ("id", ids)])?;
    /// # let rows = Row::from_batch(&batch);
    /// assert_eq!(rows[1].value("id")?.index(), 1);
    /// # Ok(())
    /// # }
    /// ```
    pub fn index(&self) -> usize {
        self.index
    }

    /// The name of the column that holds the value (for a value inside an array, a map or a
    /// struct, the row's column that holds it).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
    /// # use spark_connect_dataframe::{DataType, Row};
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let names = Arc::new(StringArray::from(vec![Some("a"), None])) as _;
    /// # let ids = Arc::new(Int64Array::from(vec![7, 8])) as _;
    /// # let batch = RecordBatch::try_from_iter([("name", names), ("id", ids)])?;
    /// # let rows = Row::from_batch(&batch);
    /// assert_eq!(rows[0].value(1)?.column(), "id");
    /// # Ok(())
    /// # }
    /// ```
    pub fn column(&self) -> &'a str {
        self.column
    }

    /// The error for a value that `T` cannot read: names the column, the value's Spark and
    /// Arrow types and the Rust types that read it. For [`FromValue`] implementations.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
    /// # use spark_connect_dataframe::{DataType, Row};
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let names = Arc::new(StringArray::from(vec![Some("a"), None])) as _;
    /// # let ids = Arc::new(Int64Array::from(vec![7, 8])) as _;
    /// # let batch = RecordBatch::try_from_iter([("name", names), ("id", ids)])?;
    /// # let rows = Row::from_batch(&batch);
    /// let e = rows[0].value("id")?.type_error::<String>();
    /// assert!(e.to_string().contains("id"), "{e}");
    /// # Ok(())
    /// # }
    /// ```
    pub fn type_error<T: ?Sized>(&self) -> Error {
        Error::ValueType {
            column: self.column.to_string(),
            spark_type: self.spark_type().type_name(),
            arrow_type: self.data_type().to_string(),
            rust_type: rust_type_name::<T>(),
            reads_as: reads_as(self.data_type()),
        }
    }

    /// The error for a null value read as `T`, which cannot hold it. For [`FromValue`]
    /// implementations.
    ///
    /// ```
    /// # use std::sync::Arc;
    /// # use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
    /// # use spark_connect_dataframe::{DataType, Row};
    /// # fn main() -> Result<(), spark_connect_dataframe::Error> {
    /// # let names = Arc::new(StringArray::from(vec![Some("a"), None])) as _;
    /// # let ids = Arc::new(Int64Array::from(vec![7, 8])) as _;
    /// # let batch = RecordBatch::try_from_iter([("name", names), ("id", ids)])?;
    /// # let rows = Row::from_batch(&batch);
    /// let e = rows[1].value("name")?.null_error::<String>();
    /// assert!(matches!(e, spark_connect_dataframe::Error::NullValue { .. }));
    /// # Ok(())
    /// # }
    /// ```
    pub fn null_error<T: ?Sized>(&self) -> Error {
        Error::NullValue {
            column: self.column.to_string(),
            rust_type: rust_type_name::<T>(),
        }
    }

    /// The error for a value past what `T` can hold.
    fn range_error<T: ?Sized>(&self) -> Error {
        let value = arrow_cast::display::ArrayFormatter::try_new(
            self.array,
            &arrow_cast::display::FormatOptions::default(),
        )
        .map(|f| f.value(self.index).to_string())
        .unwrap_or_else(|_| "?".into());
        Error::ValueOutOfRange {
            column: self.column.to_string(),
            value,
            rust_type: rust_type_name::<T>(),
        }
    }

    /// Checks that the value is not null, for reading it as `T`.
    fn non_null<T: ?Sized>(&self) -> Result<(), Error> {
        if self.is_null() {
            Err(self.null_error::<T>())
        } else {
            Ok(())
        }
    }

    /// The value of a primitive array of type `P`, if the array is one.
    pub(crate) fn primitive<P: ArrowPrimitiveType>(&self) -> Option<P::Native> {
        self.array
            .as_primitive_opt::<P>()
            .map(|a| a.value(self.index))
    }
}

/// A Rust type that a [`Row`] value reads as, with [`Row::get`].
///
/// Implemented for the types of the table in the [module documentation](crate::row); the
/// lifetime lets `&str` and `&[u8]` borrow from the result without a copy. Implement it for
/// your own types by reading the [`Value`] (or another implementation's result).
///
/// ```
/// use spark_connect_dataframe::row::{FromValue, Value};
/// use spark_connect_dataframe::Error;
///
/// /// A bigint column that holds cents.
/// struct Cents(i64);
///
/// impl FromValue<'_> for Cents {
///     fn from_value(value: Value<'_>) -> Result<Self, Error> {
///         Ok(Cents(i64::from_value(value)?))
///     }
/// }
/// ```
pub trait FromValue<'a>: Sized {
    /// Reads the value; an error names the column and says what did not fit.
    fn from_value(value: Value<'a>) -> Result<Self, Error>;
}

impl<'a, T: FromValue<'a>> FromValue<'a> for Option<T> {
    fn from_value(value: Value<'a>) -> Result<Self, Error> {
        if value.is_null() {
            Ok(None)
        } else {
            T::from_value(value).map(Some)
        }
    }
}

/// Numbers read as any Rust type of their kind that holds every value of the Spark type.
macro_rules! number {
    ($rust:ty: $($arrow:ty),+) => {
        impl FromValue<'_> for $rust {
            fn from_value(value: Value<'_>) -> Result<Self, Error> {
                value.non_null::<Self>()?;
                $(
                    if let Some(v) = value.primitive::<$arrow>() {
                        return Ok(<$rust>::from(v));
                    }
                )+
                Err(value.type_error::<Self>())
            }
        }
    };
}

number!(i8: Int8Type);
number!(i16: Int8Type, Int16Type);
number!(i32: Int8Type, Int16Type, Int32Type);
number!(i64: Int8Type, Int16Type, Int32Type, Int64Type);
number!(i128: Int8Type, Int16Type, Int32Type, Int64Type);
number!(f32: Float32Type);
number!(f64: Float32Type, Float64Type);

impl FromValue<'_> for bool {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        match value.array.as_boolean_opt() {
            Some(a) => Ok(a.value(value.index)),
            None => Err(value.type_error::<Self>()),
        }
    }
}

impl<'a> FromValue<'a> for &'a str {
    fn from_value(value: Value<'a>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        let array = value.array;
        if let Some(a) = array.as_string_opt::<i32>() {
            Ok(a.value(value.index))
        } else if let Some(a) = array.as_string_opt::<i64>() {
            Ok(a.value(value.index))
        } else if let Some(a) = array.as_string_view_opt() {
            Ok(a.value(value.index))
        } else {
            Err(value.type_error::<Self>())
        }
    }
}

impl FromValue<'_> for String {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        match <&str>::from_value(value) {
            Ok(s) => Ok(s.to_string()),
            Err(_) if value.is_null() => Err(value.null_error::<Self>()),
            Err(_) => Err(value.type_error::<Self>()),
        }
    }
}

impl<'a> FromValue<'a> for &'a [u8] {
    fn from_value(value: Value<'a>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        let array = value.array;
        if let Some(a) = array.as_binary_opt::<i32>() {
            Ok(a.value(value.index))
        } else if let Some(a) = array.as_binary_opt::<i64>() {
            Ok(a.value(value.index))
        } else if let Some(a) = array.as_binary_view_opt() {
            Ok(a.value(value.index))
        } else if let Some(a) = array.as_fixed_size_binary_opt() {
            Ok(a.value(value.index))
        } else {
            Err(value.type_error::<Self>())
        }
    }
}

/// `binary` values. (There is no `FromValue` for `u8`, Spark having no unsigned type, so a
/// `Vec<u8>` is never an array of numbers.)
impl FromValue<'_> for Vec<u8> {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        match <&[u8]>::from_value(value) {
            Ok(b) => Ok(b.to_vec()),
            Err(_) if value.is_null() => Err(value.null_error::<Self>()),
            Err(_) => Err(value.type_error::<Self>()),
        }
    }
}

/// A `decimal(precision, scale)` value, exactly: `unscaled / 10^scale`.
///
/// ```
/// use spark_connect_dataframe::row::Decimal;
///
/// let d = Decimal::new(-1250, 10, 2);
/// assert_eq!(d.to_string(), "-12.50");
/// assert_eq!(d.to_f64(), -12.5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    unscaled: i128,
    precision: u8,
    scale: i8,
}

impl Decimal {
    /// The decimal `unscaled / 10^scale` of type `decimal(precision, scale)`.
    ///
    /// ```
    /// # use spark_connect_dataframe::row::Decimal;
    /// let d = Decimal::new(1250, 10, 2);
    /// assert_eq!(d.to_string(), "12.50");
    /// ```
    pub fn new(unscaled: i128, precision: u8, scale: i8) -> Decimal {
        Decimal {
            unscaled,
            precision,
            scale,
        }
    }

    /// The digits without the point: `1250` for `12.50`.
    ///
    /// ```
    /// # use spark_connect_dataframe::row::Decimal;
    /// assert_eq!(Decimal::new(1250, 10, 2).unscaled(), 1250);
    /// ```
    pub fn unscaled(&self) -> i128 {
        self.unscaled
    }

    /// The type's total number of digits.
    ///
    /// ```
    /// # use spark_connect_dataframe::row::Decimal;
    /// assert_eq!(Decimal::new(1250, 10, 2).precision(), 10);
    /// ```
    pub fn precision(&self) -> u8 {
        self.precision
    }

    /// The type's digits after the point.
    ///
    /// ```
    /// # use spark_connect_dataframe::row::Decimal;
    /// assert_eq!(Decimal::new(1250, 10, 2).scale(), 2);
    /// ```
    pub fn scale(&self) -> i8 {
        self.scale
    }

    /// The nearest `f64` (not exact for most decimals).
    ///
    /// ```
    /// # use spark_connect_dataframe::row::Decimal;
    /// assert_eq!(Decimal::new(1250, 10, 2).to_f64(), 12.5);
    /// ```
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }
}

impl fmt::Display for Decimal {
    /// As Spark prints it: every digit of the scale, `12.50`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&Decimal128Type::format_decimal(
            self.unscaled,
            self.precision,
            self.scale,
        ))
    }
}

impl FromValue<'_> for Decimal {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        match (value.primitive::<Decimal128Type>(), value.data_type()) {
            (Some(v), ArrowType::Decimal128(p, s)) => Ok(Decimal::new(v, *p, *s)),
            _ => Err(value.type_error::<Self>()),
        }
    }
}

/// An `interval year to month` value (or one of its narrower forms): a number of months.
///
/// ```
/// use spark_connect_dataframe::row::YearMonthInterval;
///
/// assert_eq!(YearMonthInterval { months: -14 }.to_string(), "INTERVAL '-1-2' YEAR TO MONTH");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonthInterval {
    /// The length in months (negative for a negative interval).
    pub months: i32,
}

impl fmt::Display for YearMonthInterval {
    /// In Spark's SQL literal form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.months < 0 { "-" } else { "" };
        let months = self.months.unsigned_abs();
        write!(
            f,
            "INTERVAL '{sign}{}-{}' YEAR TO MONTH",
            months / 12,
            months % 12
        )
    }
}

impl FromValue<'_> for YearMonthInterval {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        match value.primitive::<IntervalYearMonthType>() {
            Some(months) => Ok(YearMonthInterval { months }),
            None => Err(value.type_error::<Self>()),
        }
    }
}

/// A calendar `interval` value (`make_interval(...)`): months, days and microseconds, each
/// with its own sign, as Spark's `CalendarInterval`.
///
/// ```
/// use spark_connect_dataframe::row::CalendarInterval;
///
/// let i = CalendarInterval { months: 14, days: 3, microseconds: 5_000_000 };
/// assert_eq!(i.to_string(), "1 years 2 months 3 days 5 seconds");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CalendarInterval {
    /// Months.
    pub months: i32,
    /// Days.
    pub days: i32,
    /// Microseconds.
    pub microseconds: i64,
}

impl fmt::Display for CalendarInterval {
    /// As Spark prints a calendar interval: `1 years 2 months 3 days 5 seconds`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let (years, months) = (self.months / 12, self.months % 12);
        if years != 0 {
            parts.push(format!("{years} years"));
        }
        if months != 0 {
            parts.push(format!("{months} months"));
        }
        if self.days != 0 {
            parts.push(format!("{} days", self.days));
        }
        let micros = self.microseconds;
        let (hours, rest) = (micros / 3_600_000_000, micros % 3_600_000_000);
        let (minutes, rest) = (rest / 60_000_000, rest % 60_000_000);
        if hours != 0 {
            parts.push(format!("{hours} hours"));
        }
        if minutes != 0 {
            parts.push(format!("{minutes} minutes"));
        }
        if rest != 0 {
            let seconds = format!("{}.{:06}", rest / 1_000_000, (rest % 1_000_000).abs());
            let seconds = seconds.trim_end_matches('0').trim_end_matches('.');
            let sign = if rest < 0 && !seconds.starts_with('-') {
                "-"
            } else {
                ""
            };
            parts.push(format!("{sign}{seconds} seconds"));
        }
        if parts.is_empty() {
            f.write_str("0 seconds")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}

impl FromValue<'_> for CalendarInterval {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        match value.primitive::<IntervalMonthDayNanoType>() {
            Some(v) => Ok(CalendarInterval {
                months: v.months,
                days: v.days,
                microseconds: v.nanoseconds / 1_000,
            }),
            None => Err(value.type_error::<Self>()),
        }
    }
}

impl FromValue<'_> for NaiveDate {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        let date = if let Some(days) = value.primitive::<Date32Type>() {
            NaiveDate::from_num_days_from_ce_opt(days.saturating_add(719_163))
        } else if let Some(ms) = value.primitive::<Date64Type>() {
            DateTime::from_timestamp_millis(ms).map(|t| t.date_naive())
        } else {
            return Err(value.type_error::<Self>());
        };
        date.ok_or_else(|| value.range_error::<Self>())
    }
}

/// A timestamp value: the instant, and the time zone Spark attached to it (`None` for
/// `timestamp_ntz`, whose value is a wall-clock time written as if in UTC).
pub(crate) type Timestamp<'a> = (DateTime<Utc>, Option<&'a str>);

/// The timestamp a value holds, if it is one; an error if chrono cannot hold it (as `T`).
pub(crate) fn timestamp<'a, T: ?Sized>(value: &Value<'a>) -> Result<Option<Timestamp<'a>>, Error> {
    let ArrowType::Timestamp(unit, tz) = value.data_type() else {
        return Ok(None);
    };
    let instant = match unit {
        TimeUnit::Second => value
            .primitive::<TimestampSecondType>()
            .and_then(|v| DateTime::from_timestamp(v, 0)),
        TimeUnit::Millisecond => value
            .primitive::<TimestampMillisecondType>()
            .and_then(DateTime::from_timestamp_millis),
        TimeUnit::Microsecond => value
            .primitive::<TimestampMicrosecondType>()
            .and_then(DateTime::from_timestamp_micros),
        TimeUnit::Nanosecond => value
            .primitive::<TimestampNanosecondType>()
            .map(DateTime::from_timestamp_nanos),
    };
    match instant {
        Some(instant) => Ok(Some((instant, tz.as_deref()))),
        None => Err(value.range_error::<T>()),
    }
}

/// The wall-clock time of an instant in a time zone Spark named (`Etc/UTC`, `+02:00`, ...).
pub(crate) fn wall_clock(instant: DateTime<Utc>, zone: &str) -> Result<NaiveDateTime, Error> {
    let tz: arrow_array::timezone::Tz = zone.parse()?;
    Ok(instant.with_timezone(&tz).naive_local())
}

/// `timestamp` values are the instant; `timestamp_ntz` values have no time zone, so reading
/// one as an instant is an error (read it as `NaiveDateTime`).
impl FromValue<'_> for DateTime<Utc> {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        match timestamp::<Self>(&value)? {
            Some((instant, Some(_))) => Ok(instant),
            _ => Err(value.type_error::<Self>()),
        }
    }
}

/// `timestamp_ntz` values as they are; `timestamp` values as the wall-clock time in the time
/// zone Spark attached to the column (the session time zone), as `show()` prints them.
impl FromValue<'_> for NaiveDateTime {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        match timestamp::<Self>(&value)? {
            Some((instant, None)) => Ok(instant.naive_utc()),
            Some((instant, Some(zone))) => wall_clock(instant, zone),
            None => Err(value.type_error::<Self>()),
        }
    }
}

impl FromValue<'_> for NaiveTime {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        let nanos: Option<i64> = match value.data_type() {
            ArrowType::Time64(TimeUnit::Nanosecond) => value.primitive::<Time64NanosecondType>(),
            ArrowType::Time64(_) => value
                .primitive::<Time64MicrosecondType>()
                .map(|v| v.saturating_mul(1_000)),
            ArrowType::Time32(TimeUnit::Millisecond) => value
                .primitive::<Time32MillisecondType>()
                .map(|v| i64::from(v) * 1_000_000),
            ArrowType::Time32(_) => value
                .primitive::<Time32SecondType>()
                .map(|v| i64::from(v) * 1_000_000_000),
            _ => return Err(value.type_error::<Self>()),
        };
        nanos
            .and_then(|n| {
                let secs = u32::try_from(n.div_euclid(1_000_000_000)).ok()?;
                let nano = u32::try_from(n.rem_euclid(1_000_000_000)).ok()?;
                NaiveTime::from_num_seconds_from_midnight_opt(secs, nano)
            })
            .ok_or_else(|| value.range_error::<Self>())
    }
}

/// `interval day to second` values (Arrow durations).
impl FromValue<'_> for TimeDelta {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        let delta = match value.data_type() {
            ArrowType::Duration(TimeUnit::Microsecond) => value
                .primitive::<DurationMicrosecondType>()
                .map(TimeDelta::microseconds),
            ArrowType::Duration(TimeUnit::Millisecond) => value
                .primitive::<DurationMillisecondType>()
                .and_then(TimeDelta::try_milliseconds),
            ArrowType::Duration(TimeUnit::Second) => value
                .primitive::<DurationSecondType>()
                .and_then(TimeDelta::try_seconds),
            ArrowType::Duration(TimeUnit::Nanosecond) => value
                .primitive::<DurationNanosecondType>()
                .map(TimeDelta::nanoseconds),
            _ => return Err(value.type_error::<Self>()),
        };
        delta.ok_or_else(|| value.range_error::<Self>())
    }
}

/// The elements of an array value: the child array and the range of positions in it.
pub(crate) fn list_elements<'a>(
    value: &Value<'a>,
) -> Option<(&'a dyn Array, std::ops::Range<usize>)> {
    fn range<O: OffsetSizeTrait>(
        list: &GenericListArray<O>,
        index: usize,
    ) -> (&dyn Array, std::ops::Range<usize>) {
        let offsets = list.value_offsets();
        (
            list.values().as_ref(),
            offsets[index].as_usize()..offsets[index + 1].as_usize(),
        )
    }
    let array = value.array;
    if let Some(list) = array.as_list_opt::<i32>() {
        Some(range(list, value.index))
    } else if let Some(list) = array.as_list_opt::<i64>() {
        Some(range(list, value.index))
    } else if let Some(list) = array.as_fixed_size_list_opt() {
        let len = list.value_length() as usize;
        let start = list.value_offset_at(value.index);
        Some((list.values().as_ref(), start..start + len))
    } else {
        None
    }
}

/// The entries of a map value: the keys, the values, and the range of positions in both.
pub(crate) fn map_entries<'a>(
    value: &Value<'a>,
) -> Option<(&'a dyn Array, &'a dyn Array, std::ops::Range<usize>)> {
    let map = value.array.as_map_opt()?;
    let offsets = map.value_offsets();
    Some((
        map.keys().as_ref(),
        map.values().as_ref(),
        offsets[value.index] as usize..offsets[value.index + 1] as usize,
    ))
}

/// `array<T>` values, one `T` per element (`Option<T>` for arrays that may hold nulls).
impl<'a, T: FromValue<'a>> FromValue<'a> for Vec<T> {
    fn from_value(value: Value<'a>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        let Some((elements, range)) = list_elements(&value) else {
            return Err(value.type_error::<Self>());
        };
        range
            .map(|i| T::from_value(value.nested(elements, i)))
            .collect()
    }
}

/// A `map<K,V>` value as any collection of its entries, in the map's order.
fn map_from_value<'a, K, V, C>(value: Value<'a>) -> Result<C, Error>
where
    K: FromValue<'a>,
    V: FromValue<'a>,
    C: FromIterator<(K, V)>,
{
    value.non_null::<C>()?;
    let Some((keys, values, range)) = map_entries(&value) else {
        return Err(value.type_error::<C>());
    };
    range
        .map(|i| {
            Ok((
                K::from_value(value.nested(keys, i))?,
                V::from_value(value.nested(values, i))?,
            ))
        })
        .collect()
}

/// `map<K,V>` values.
impl<'a, K, V, S> FromValue<'a> for HashMap<K, V, S>
where
    K: FromValue<'a> + Eq + Hash,
    V: FromValue<'a>,
    S: BuildHasher + Default,
{
    fn from_value(value: Value<'a>) -> Result<Self, Error> {
        map_from_value(value)
    }
}

/// `map<K,V>` values, in key order.
impl<'a, K, V> FromValue<'a> for BTreeMap<K, V>
where
    K: FromValue<'a> + Ord,
    V: FromValue<'a>,
{
    fn from_value(value: Value<'a>) -> Result<Self, Error> {
        map_from_value(value)
    }
}

/// `struct<…>` values as nested rows (and `variant` values as their two binaries).
impl FromValue<'_> for Row {
    fn from_value(value: Value<'_>) -> Result<Self, Error> {
        value.non_null::<Self>()?;
        match value.array.as_struct_opt() {
            Some(s) => Ok(Row::from_struct(s, value.index)),
            None => Err(value.type_error::<Self>()),
        }
    }
}

/// A Rust type's name without its module paths: `Option<NaiveDateTime>`, not
/// `core::option::Option<chrono::naive::datetime::NaiveDateTime>`.
pub(crate) fn rust_type_name<T: ?Sized>() -> String {
    let full = std::any::type_name::<T>();
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    for c in full.chars() {
        if c.is_alphanumeric() || matches!(c, '_' | ':' | '{' | '}') {
            segment.push(c);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or(""));
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or(""));
    out
}

/// The Rust types that read a value of this Arrow type, for error messages.
pub(crate) fn reads_as(arrow: &ArrowType) -> &'static str {
    match arrow {
        ArrowType::Null => "Option<T> (always None)",
        ArrowType::Boolean => "bool",
        ArrowType::Int8 => "i8, i16, i32, i64, i128",
        ArrowType::Int16 => "i16, i32, i64, i128",
        ArrowType::Int32 => "i32, i64, i128",
        ArrowType::Int64 => "i64, i128",
        ArrowType::Float32 => "f32, f64",
        ArrowType::Float64 => "f64",
        ArrowType::Decimal128(..) => "row::Decimal",
        ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Utf8View => "String, &str",
        ArrowType::Binary
        | ArrowType::LargeBinary
        | ArrowType::BinaryView
        | ArrowType::FixedSizeBinary(_) => "Vec<u8>, &[u8]",
        ArrowType::Date32 | ArrowType::Date64 => "chrono::NaiveDate",
        ArrowType::Timestamp(_, Some(_)) => {
            "chrono::DateTime<Utc> (the instant), chrono::NaiveDateTime (the wall-clock time \
             in the session time zone)"
        }
        ArrowType::Timestamp(_, None) => {
            "chrono::NaiveDateTime (a timestamp_ntz has no time zone; if its values are UTC, \
             call .and_utc() on it)"
        }
        ArrowType::Time32(_) | ArrowType::Time64(_) => "chrono::NaiveTime",
        ArrowType::Duration(_) => "chrono::TimeDelta",
        ArrowType::Interval(IntervalUnit::YearMonth) => "row::YearMonthInterval",
        ArrowType::Interval(_) => "row::CalendarInterval",
        ArrowType::List(_) | ArrowType::LargeList(_) | ArrowType::FixedSizeList(..) => "Vec<T>",
        ArrowType::Map(..) => "HashMap<K, V>, BTreeMap<K, V>",
        ArrowType::Struct(_) => "Row",
        _ => "no Rust type of this crate",
    }
}
