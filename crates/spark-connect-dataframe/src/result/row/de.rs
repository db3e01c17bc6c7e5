//! Rows and their values read through serde: a `serde::Deserializer` over the Arrow arrays of
//! a result, a row at a time, with Spark's types in mind (feature `serde`).
//!
//! This is what [`DataFrame::collect_as`](crate::DataFrame::collect_as),
//! [`Row::deserialize`] and [`Row::get_as`] use. It reads the values where they are, as the
//! getters of [`Row`] do, and gives serde the form each Spark type has in Rust:
//!
//! - `timestamp`: chrono's `NaiveDateTime` and `DateTime<Utc>` both ask serde for a string,
//!   and each parses only its own form, so the string is chosen by the type being read (its
//!   `TypeId`): the wall-clock time in the session time zone for `NaiveDateTime`, RFC 3339 in
//!   UTC (`2024-02-29T12:34:56Z`) for everything else. Asked for an integer, the microseconds
//!   since the epoch.
//! - `timestamp_ntz`: the wall-clock time (`2024-02-29T12:34:56`); read as an instant
//!   (`DateTime<…>`) it is an error, since it has no time zone.
//! - `date`: `2024-02-29` (chrono's `NaiveDate`), or the days since the epoch as an integer.
//! - `decimal`: its text, `12.50` (exact; `rust_decimal` and `String` read it), or the
//!   nearest float when asked for one.
//! - `interval day to second`: microseconds; `interval year to month`: months; `interval`:
//!   a map of `months`, `days` and `microseconds`.
//! - `binary`: bytes (`serde_bytes`) or a sequence of `u8` (a plain `Vec<u8>`).
//! - `struct`: a map of its fields, or a sequence of them for a tuple; `map`: a map;
//!   `array`: a sequence; a `string` also reads as a unit enum variant of that name.

use std::fmt;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType as ArrowType, Fields, IntervalUnit};
use chrono::{DateTime, FixedOffset, Local, NaiveDateTime, SecondsFormat, Utc};
use serde::de::value::{BorrowedStrDeserializer, MapDeserializer, SeqDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::Row;
use super::value::{
    CalendarInterval, Decimal, FromValue, Value, list_elements, map_entries, rust_type_name,
    timestamp, wall_clock,
};
use crate::Error;

/// Where a value is in the row, for error messages: `address.city`, `scores[2]`.
#[derive(Clone, Copy)]
enum Path<'p> {
    Root,
    Field(&'p Path<'p>, &'p str),
    Element(&'p Path<'p>, usize),
    Key(&'p Path<'p>),
    MapValue(&'p Path<'p>),
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Field(Path::Root, name) => f.write_str(name),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Element(parent, i) => write!(f, "{parent}[{i}]"),
            Path::Key(parent) => write!(f, "{parent} (a key)"),
            Path::MapValue(parent) => write!(f, "{parent} (a value)"),
        }
    }
}

/// An error while reading a row through serde: one of this crate's typed errors, or serde's
/// message (a missing field, a type the visitor did not expect) with where it happened.
#[derive(Debug)]
pub(crate) struct DeError {
    typed: Option<Box<Error>>,
    message: String,
    /// The value's place and Spark type (with its Arrow type), once known.
    at: Option<(String, String)>,
}

impl DeError {
    fn typed(e: Error) -> DeError {
        DeError {
            typed: Some(Box::new(e)),
            message: String::new(),
            at: None,
        }
    }

    /// Names the value the error is about, unless a value inside it was named already.
    fn at(mut self, path: &Path<'_>, value: &Value<'_>) -> DeError {
        if self.at.is_none() && self.typed.is_none() && !matches!(path, Path::Root) {
            self.at = Some((
                path.to_string(),
                format!(
                    "{} (Arrow {})",
                    value.spark_type().type_name(),
                    value.data_type()
                ),
            ));
        }
        self
    }

    /// This crate's error, for reading `rust_type` from a row of `columns`.
    fn into_error(self, rust_type: &str, columns: &Fields) -> Error {
        if let Some(e) = self.typed {
            return *e;
        }
        let schema = columns
            .iter()
            .map(|f| {
                format!(
                    "{}: {}",
                    f.name(),
                    crate::types::DataType::from_arrow(f.data_type()).type_name()
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let what = format!("cannot read a row of ({schema}) as {rust_type}");
        Error::Conversion(match self.at {
            Some((path, spark_type)) => format!(
                "{what}: column `{path}` of Spark type {spark_type}: {}",
                self.message
            ),
            None => format!("{what}: {}", self.message),
        })
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.typed {
            Some(e) => e.fmt(f),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            typed: None,
            message: msg.to_string(),
            at: None,
        }
    }
}

/// The rows of a batch as `T`s.
pub(crate) fn from_batch<T: DeserializeOwned>(batch: &RecordBatch) -> Result<Vec<T>, Error> {
    let schema = batch.schema();
    let fields = schema.fields();
    (0..batch.num_rows())
        .map(|index| {
            T::deserialize(RowDe {
                fields,
                arrays: batch.columns(),
                index,
                path: &Path::Root,
            })
            .map_err(|e| e.into_error(&rust_type_name::<T>(), fields))
        })
        .collect()
}

/// A row as a `T`.
pub(crate) fn from_row<T: DeserializeOwned>(row: &Row) -> Result<T, Error> {
    let (fields, arrays, index) = row.parts();
    T::deserialize(RowDe {
        fields,
        arrays,
        index,
        path: &Path::Root,
    })
    .map_err(|e| e.into_error(&rust_type_name::<T>(), fields))
}

/// One value as a `T`.
pub(crate) fn from_value<T: DeserializeOwned>(value: Value<'_>) -> Result<T, Error> {
    let path = Path::Field(&Path::Root, value.column());
    T::deserialize(ValueDe { value, path: &path })
        .map_err(|e| e.into_error(&rust_type_name::<T>(), &Fields::empty()))
}

/// A row, or a struct value: a map of its fields, or a sequence of them.
struct RowDe<'a, 'p> {
    fields: &'a Fields,
    arrays: &'a [ArrayRef],
    index: usize,
    path: &'p Path<'p>,
}

impl<'a, 'p> RowDe<'a, 'p> {
    fn fields(self) -> FieldAccess<'a, 'p> {
        FieldAccess { row: self, next: 0 }
    }
}

/// The fields of a row or struct, one after the other.
struct FieldAccess<'a, 'p> {
    row: RowDe<'a, 'p>,
    next: usize,
}

impl<'a, 'p> FieldAccess<'a, 'p> {
    fn value<S: DeserializeSeed<'a>>(&self, i: usize, seed: S) -> Result<S::Value, DeError> {
        let field = &self.row.fields[i];
        let path = Path::Field(self.row.path, field.name());
        seed.deserialize(ValueDe {
            value: Value::new(self.row.arrays[i].as_ref(), self.row.index, field.name()),
            path: &path,
        })
    }
}

impl<'a> MapAccess<'a> for FieldAccess<'a, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        match self.row.fields.get(self.next) {
            Some(field) => seed
                .deserialize(BorrowedStrDeserializer::new(field.name().as_str()))
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let i = self.next;
        self.next += 1;
        self.value(i, seed)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.row.fields.len() - self.next)
    }
}

impl<'a> SeqAccess<'a> for FieldAccess<'a, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        if self.next >= self.row.fields.len() {
            return Ok(None);
        }
        let i = self.next;
        self.next += 1;
        self.value(i, seed).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.row.fields.len() - self.next)
    }
}

impl<'de> de::Deserializer<'de> for RowDe<'de, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_map(self.fields())
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_seq(self.fields())
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_seq(self.fields())
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_seq(self.fields())
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct map struct enum identifier ignored_any
    }
}

/// One value: dispatched on its Arrow type.
struct ValueDe<'a, 'p> {
    value: Value<'a>,
    path: &'p Path<'p>,
}

/// Whether the type being read is `T` (lifetimes aside: the types compared have none).
fn reads<V: ?Sized, T: ?Sized>() -> bool {
    typeid::of::<V>() == typeid::of::<T>()
}

impl<'a, 'p> ValueDe<'a, 'p> {
    /// Runs a visitor, naming this value in its error.
    fn visit<R>(&self, f: impl FnOnce() -> Result<R, DeError>) -> Result<R, DeError> {
        f().map_err(|e| e.at(self.path, &self.value))
    }

    fn typed(&self, e: Error) -> DeError {
        DeError::typed(self.rename(e))
    }

    /// A typed error from the getters names the row's column; here the path is known.
    fn rename(&self, e: Error) -> Error {
        let path = self.path.to_string();
        match e {
            Error::ValueType {
                spark_type,
                arrow_type,
                rust_type,
                reads_as,
                ..
            } => Error::ValueType {
                column: path,
                spark_type,
                arrow_type,
                rust_type,
                reads_as,
            },
            Error::NullValue { rust_type, .. } => Error::NullValue {
                column: path,
                rust_type,
            },
            Error::ValueOutOfRange {
                value, rust_type, ..
            } => Error::ValueOutOfRange {
                column: path,
                value,
                rust_type,
            },
            other => other,
        }
    }

    /// A null value where `T` is read, which only an `Option` can hold.
    fn non_null<T: ?Sized>(&self) -> Result<(), DeError> {
        if self.value.is_null() {
            Err(self.typed(self.value.null_error::<T>()))
        } else {
            Ok(())
        }
    }

    fn read<T: FromValue<'a>>(&self) -> Result<T, DeError> {
        T::from_value(self.value).map_err(|e| self.typed(e))
    }

    fn child<'q>(&self, array: &'a dyn Array, index: usize, path: &'q Path<'q>) -> ValueDe<'a, 'q> {
        ValueDe {
            value: self.value.nested(array, index),
            path,
        }
    }

    /// A `timestamp` or `timestamp_ntz` as the text the type being read parses.
    fn timestamp_text<V: Visitor<'a>>(&self) -> Result<Option<String>, DeError> {
        let Some((instant, zone)) =
            timestamp::<V::Value>(&self.value).map_err(|e| self.typed(e))?
        else {
            return Ok(None);
        };
        let naive = reads::<V::Value, NaiveDateTime>();
        let instant_type = reads::<V::Value, DateTime<FixedOffset>>()
            || reads::<V::Value, DateTime<Utc>>()
            || reads::<V::Value, DateTime<Local>>();
        let text = match zone {
            Some(zone) if naive => {
                format!(
                    "{:?}",
                    wall_clock(instant, zone).map_err(|e| self.typed(e))?
                )
            }
            Some(_) => instant.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            None if instant_type => {
                return Err(self.typed(self.value.type_error::<DateTime<Utc>>()));
            }
            None => format!("{:?}", instant.naive_utc()),
        };
        Ok(Some(text))
    }

    fn any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.value.is_null() {
            return self.visit(|| visitor.visit_none());
        }
        let value = self.value;
        match value.data_type() {
            ArrowType::Null => self.visit(|| visitor.visit_none()),
            ArrowType::Boolean => {
                let v = self.read::<bool>()?;
                self.visit(|| visitor.visit_bool(v))
            }
            ArrowType::Int8 => {
                let v = self.read::<i8>()?;
                self.visit(|| visitor.visit_i8(v))
            }
            ArrowType::Int16 => {
                let v = self.read::<i16>()?;
                self.visit(|| visitor.visit_i16(v))
            }
            ArrowType::Int32 => {
                let v = self.read::<i32>()?;
                self.visit(|| visitor.visit_i32(v))
            }
            ArrowType::Int64 => {
                let v = self.read::<i64>()?;
                self.visit(|| visitor.visit_i64(v))
            }
            ArrowType::Float32 => {
                let v = self.read::<f32>()?;
                self.visit(|| visitor.visit_f32(v))
            }
            ArrowType::Float64 => {
                let v = self.read::<f64>()?;
                self.visit(|| visitor.visit_f64(v))
            }
            ArrowType::Decimal128(..) => {
                let v = self.read::<Decimal>()?.to_string();
                self.visit(|| visitor.visit_string(v))
            }
            ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Utf8View => {
                let v = self.read::<&'a str>()?;
                self.visit(|| visitor.visit_borrowed_str(v))
            }
            ArrowType::Binary
            | ArrowType::LargeBinary
            | ArrowType::BinaryView
            | ArrowType::FixedSizeBinary(_) => {
                let v = self.read::<&'a [u8]>()?;
                self.visit(|| visitor.visit_borrowed_bytes(v))
            }
            ArrowType::Date32 | ArrowType::Date64 => {
                let v = self.read::<chrono::NaiveDate>()?.to_string();
                self.visit(|| visitor.visit_string(v))
            }
            ArrowType::Timestamp(..) => match self.timestamp_text::<V>()? {
                Some(v) => self.visit(|| visitor.visit_string(v)),
                None => Err(self.typed(value.type_error::<V::Value>())),
            },
            ArrowType::Time32(_) | ArrowType::Time64(_) => {
                let v = format!("{:?}", self.read::<chrono::NaiveTime>()?);
                self.visit(|| visitor.visit_string(v))
            }
            ArrowType::Duration(_) => {
                let v = self.read::<chrono::TimeDelta>()?;
                let micros = v
                    .num_microseconds()
                    .ok_or_else(|| self.typed(value.type_error::<i64>()))?;
                self.visit(|| visitor.visit_i64(micros))
            }
            ArrowType::Interval(IntervalUnit::YearMonth) => {
                let v = self.read::<super::YearMonthInterval>()?.months;
                self.visit(|| visitor.visit_i32(v))
            }
            ArrowType::Interval(_) => {
                let v = self.read::<CalendarInterval>()?;
                let entries = [
                    ("months", i64::from(v.months)),
                    ("days", i64::from(v.days)),
                    ("microseconds", v.microseconds),
                ];
                self.visit(|| visitor.visit_map(MapDeserializer::new(entries.into_iter())))
            }
            ArrowType::List(_) | ArrowType::LargeList(_) | ArrowType::FixedSizeList(..) => {
                let Some((elements, range)) = list_elements(&value) else {
                    return Err(self.typed(value.type_error::<V::Value>()));
                };
                self.visit(|| {
                    visitor.visit_seq(Elements {
                        parent: &self,
                        elements,
                        range,
                        next: 0,
                    })
                })
            }
            ArrowType::Map(..) => {
                let Some((keys, values, range)) = map_entries(&value) else {
                    return Err(self.typed(value.type_error::<V::Value>()));
                };
                self.visit(|| {
                    visitor.visit_map(Entries {
                        parent: &self,
                        keys,
                        values,
                        range,
                    })
                })
            }
            ArrowType::Struct(_) => {
                let row = self.struct_row()?;
                self.visit(|| visitor.visit_map(row.fields()))
            }
            _ => Err(self.typed(value.type_error::<V::Value>())),
        }
    }

    fn struct_row(&self) -> Result<RowDe<'a, 'p>, DeError> {
        use arrow_array::cast::AsArray;
        match self.value.array().as_struct_opt() {
            Some(s) => Ok(RowDe {
                fields: s.fields(),
                arrays: s.columns(),
                index: self.value.index(),
                path: self.path,
            }),
            None => Err(self.typed(self.value.type_error::<Row>())),
        }
    }

    /// Integers: dates as days and timestamps as microseconds since the epoch (Spark's own
    /// values), the rest as they are.
    fn integer<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        let value = self.value;
        match value.data_type() {
            ArrowType::Date32 => match value.primitive::<arrow_array::types::Date32Type>() {
                Some(v) => self.visit(|| visitor.visit_i32(v)),
                None => Err(self.typed(value.type_error::<V::Value>())),
            },
            ArrowType::Timestamp(unit, _) => {
                use arrow_array::types::{
                    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
                    TimestampSecondType,
                };
                use arrow_schema::TimeUnit;
                let raw = match unit {
                    TimeUnit::Second => value.primitive::<TimestampSecondType>(),
                    TimeUnit::Millisecond => value.primitive::<TimestampMillisecondType>(),
                    TimeUnit::Microsecond => value.primitive::<TimestampMicrosecondType>(),
                    TimeUnit::Nanosecond => value.primitive::<TimestampNanosecondType>(),
                };
                match raw {
                    Some(v) => self.visit(|| visitor.visit_i64(v)),
                    None => Err(self.typed(value.type_error::<V::Value>())),
                }
            }
            _ => self.any(visitor),
        }
    }

    fn string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        match self.timestamp_text::<V>()? {
            Some(v) => self.visit(|| visitor.visit_string(v)),
            None => self.any(visitor),
        }
    }

    fn sequence<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        match self.value.data_type() {
            ArrowType::Binary
            | ArrowType::LargeBinary
            | ArrowType::BinaryView
            | ArrowType::FixedSizeBinary(_) => {
                let bytes = self.read::<&'a [u8]>()?;
                self.visit(|| visitor.visit_seq(SeqDeserializer::new(bytes.iter().copied())))
            }
            ArrowType::Struct(_) => {
                let row = self.struct_row()?;
                self.visit(|| visitor.visit_seq(row.fields()))
            }
            _ => self.any(visitor),
        }
    }
}

impl<'a> de::Deserializer<'a> for ValueDe<'a, '_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.any(visitor)
    }

    fn deserialize_option<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.value.is_null() {
            self.visit(|| visitor.visit_none())
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.value.is_null() {
            self.visit(|| visitor.visit_unit())
        } else {
            self.any(visitor)
        }
    }

    fn deserialize_ignored_any<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_i8<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.integer(visitor)
    }
    fn deserialize_i16<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.integer(visitor)
    }
    fn deserialize_i32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.integer(visitor)
    }
    fn deserialize_i64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.integer(visitor)
    }
    fn deserialize_i128<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.integer(visitor)
    }
    fn deserialize_u8<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.integer(visitor)
    }
    fn deserialize_u16<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.integer(visitor)
    }
    fn deserialize_u32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.integer(visitor)
    }
    fn deserialize_u64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.integer(visitor)
    }
    fn deserialize_u128<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.integer(visitor)
    }

    fn deserialize_f32<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_f64(visitor)
    }

    fn deserialize_f64<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        if let ArrowType::Decimal128(..) = self.value.data_type() {
            let v = self.read::<Decimal>()?.to_f64();
            return self.visit(|| visitor.visit_f64(v));
        }
        self.any(visitor)
    }

    fn deserialize_str<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.string(visitor)
    }
    fn deserialize_string<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.string(visitor)
    }
    fn deserialize_identifier<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.string(visitor)
    }

    fn deserialize_seq<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.sequence(visitor)
    }

    fn deserialize_tuple<V: Visitor<'a>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.sequence(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.sequence(visitor)
    }

    fn deserialize_enum<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        match self.value.data_type() {
            ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Utf8View => {
                let name = self.read::<&'a str>()?;
                self.visit(|| {
                    visitor.visit_enum(IntoDeserializer::<DeError>::into_deserializer(name))
                })
            }
            _ => self.any(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        self.any(visitor)
    }
    fn deserialize_char<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        self.any(visitor)
    }
    fn deserialize_bytes<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        self.any(visitor)
    }
    fn deserialize_byte_buf<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        self.any(visitor)
    }
    fn deserialize_map<V: Visitor<'a>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        self.any(visitor)
    }
    fn deserialize_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.non_null::<V::Value>()?;
        self.any(visitor)
    }
    fn deserialize_unit_struct<V: Visitor<'a>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_unit(visitor)
    }
}

/// The elements of an array value.
struct Elements<'a, 'p, 'v> {
    parent: &'v ValueDe<'a, 'p>,
    elements: &'a dyn Array,
    range: std::ops::Range<usize>,
    next: usize,
}

impl<'a> SeqAccess<'a> for Elements<'a, '_, '_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'a>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(i) = self.range.next() else {
            return Ok(None);
        };
        let path = Path::Element(self.parent.path, self.next);
        self.next += 1;
        seed.deserialize(self.parent.child(self.elements, i, &path))
            .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.range.len())
    }
}

/// The entries of a map value.
struct Entries<'a, 'p, 'v> {
    parent: &'v ValueDe<'a, 'p>,
    keys: &'a dyn Array,
    values: &'a dyn Array,
    range: std::ops::Range<usize>,
}

impl<'a> MapAccess<'a> for Entries<'a, '_, '_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'a>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        if self.range.is_empty() {
            return Ok(None);
        }
        let path = Path::Key(self.parent.path);
        seed.deserialize(self.parent.child(self.keys, self.range.start, &path))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'a>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some(i) = self.range.next() else {
            return Err(de::Error::custom(
                "a map value was asked for past the last entry",
            ));
        };
        let path = Path::MapValue(self.parent.path);
        seed.deserialize(self.parent.child(self.values, i, &path))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.range.len())
    }
}
