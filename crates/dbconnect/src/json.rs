//! How values that JSON has no natural form for are written by `--output json`.
//!
//! arrow-json's defaults are kept except where they lose information or fail:
//! - `NaN`, `Infinity` and `-Infinity` are written as those strings (arrow-json writes `null`,
//!   which cannot be told from a real null); finite floats are numbers.
//! - maps whose keys are not strings become objects whose keys are the keys' JSON text
//!   (`{"1":"a"}`), as Spark's `to_json` does (arrow-json refuses such maps).
//! - intervals are ISO 8601 durations with every unit spelled out: year-month intervals as
//!   `"P1Y2M"` (arrow-json would write `"1 years 2 mons"`), day-time intervals as
//!   `"P1DT2H3M4.5S"` (arrow-json would write `"PT93784.5S"`).

use std::fmt::Debug;
use std::io::Write;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    DurationMicrosecondType, Float32Type, Float64Type, IntervalYearMonthType,
};
use arrow_array::{Array, ArrowPrimitiveType, MapArray, PrimitiveArray};
use arrow_json::writer::{Encoder, EncoderFactory, EncoderOptions, NullableEncoder, make_encoder};
use arrow_schema::{ArrowError, DataType, FieldRef, IntervalUnit, TimeUnit};

/// The encoder overrides described in the module documentation.
#[derive(Debug)]
pub struct SparkJsonEncoders;

impl EncoderFactory for SparkJsonEncoders {
    fn make_default_encoder<'a>(
        &self,
        field: &'a FieldRef,
        array: &'a dyn Array,
        options: &'a EncoderOptions,
    ) -> Result<Option<NullableEncoder<'a>>, ArrowError> {
        let encoder: Box<dyn Encoder + 'a> = match array.data_type() {
            DataType::Float32 => Box::new(FloatEncoder(array.as_primitive::<Float32Type>())),
            DataType::Float64 => Box::new(FloatEncoder(array.as_primitive::<Float64Type>())),
            DataType::Interval(IntervalUnit::YearMonth) => Box::new(YearMonthEncoder(
                array.as_primitive::<IntervalYearMonthType>(),
            )),
            DataType::Duration(TimeUnit::Microsecond) => Box::new(DayTimeEncoder(
                array.as_primitive::<DurationMicrosecondType>(),
            )),
            DataType::Map(entries, _) if !has_string_keys(entries.data_type()) => Box::new(
                StringifiedKeyMapEncoder::try_new(field, array.as_map(), options)?,
            ),
            _ => return Ok(None),
        };
        Ok(Some(NullableEncoder::new(encoder, array.nulls().cloned())))
    }
}

fn has_string_keys(entries: &DataType) -> bool {
    match entries {
        DataType::Struct(fields) => fields.first().is_some_and(|key| {
            matches!(
                key.data_type(),
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            )
        }),
        _ => false,
    }
}

struct FloatEncoder<'a, T: ArrowPrimitiveType>(&'a PrimitiveArray<T>);

impl<T> Encoder for FloatEncoder<'_, T>
where
    T: ArrowPrimitiveType,
    T::Native: JsonFloat,
{
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        let v = self.0.value(idx);
        match v.non_finite_name() {
            Some(name) => {
                out.push(b'"');
                out.extend_from_slice(name.as_bytes());
                out.push(b'"');
            }
            // Debug is the shortest text that reads back to the same value, and valid JSON for
            // every finite value ("1.0", "1e300", "-0.0").
            None => {
                let _ = write!(out, "{v:?}");
            }
        }
    }
}

/// `f32` and `f64`, with Spark's names for the values JSON numbers cannot hold.
trait JsonFloat: Copy + Debug {
    fn non_finite_name(self) -> Option<&'static str>;
}

macro_rules! json_float {
    ($($t:ty),*) => {$(
        impl JsonFloat for $t {
            fn non_finite_name(self) -> Option<&'static str> {
                if self.is_nan() {
                    Some("NaN")
                } else if self == <$t>::INFINITY {
                    Some("Infinity")
                } else if self == <$t>::NEG_INFINITY {
                    Some("-Infinity")
                } else {
                    None
                }
            }
        }
    )*};
}
json_float!(f32, f64);

struct YearMonthEncoder<'a>(&'a PrimitiveArray<IntervalYearMonthType>);

impl Encoder for YearMonthEncoder<'_> {
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        let _ = write!(out, "\"{}\"", year_month_iso(self.0.value(idx)));
    }
}

/// A year-month interval of `months` months as an ISO 8601 duration: `P1Y2M`, `-P0Y3M`.
pub fn year_month_iso(months: i32) -> String {
    let sign = if months < 0 { "-" } else { "" };
    let months = i64::from(months).abs();
    format!("{sign}P{}Y{}M", months / 12, months % 12)
}

struct DayTimeEncoder<'a>(&'a PrimitiveArray<DurationMicrosecondType>);

impl Encoder for DayTimeEncoder<'_> {
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        let _ = write!(out, "\"{}\"", day_time_iso(self.0.value(idx)));
    }
}

/// A day-time interval of `micros` microseconds (Spark's unit) as an ISO 8601 duration with
/// days, hours, minutes and seconds: `P1DT2H3M4.5S`, `-PT0.000001S`, `PT0S`.
pub fn day_time_iso(micros: i64) -> String {
    const SECOND: u64 = 1_000_000;
    let sign = if micros < 0 { "-" } else { "" };
    let total = micros.unsigned_abs();
    let (days, rest) = (total / (86_400 * SECOND), total % (86_400 * SECOND));
    let (hours, rest) = (rest / (3_600 * SECOND), rest % (3_600 * SECOND));
    let (minutes, rest) = (rest / (60 * SECOND), rest % (60 * SECOND));
    let (seconds, fraction) = (rest / SECOND, rest % SECOND);
    let mut text = format!("{sign}P");
    if days > 0 {
        text.push_str(&format!("{days}D"));
    }
    if hours > 0 || minutes > 0 || seconds > 0 || fraction > 0 || days == 0 {
        text.push('T');
        if hours > 0 {
            text.push_str(&format!("{hours}H"));
        }
        if minutes > 0 {
            text.push_str(&format!("{minutes}M"));
        }
        if seconds > 0 || fraction > 0 || (hours == 0 && minutes == 0) {
            text.push_str(&seconds.to_string());
            if fraction > 0 {
                let digits = format!("{fraction:06}");
                text.push('.');
                text.push_str(digits.trim_end_matches('0'));
            }
            text.push('S');
        }
    }
    text
}

struct StringifiedKeyMapEncoder<'a> {
    map: &'a MapArray,
    keys: NullableEncoder<'a>,
    values: NullableEncoder<'a>,
    scratch: Vec<u8>,
}

impl<'a> StringifiedKeyMapEncoder<'a> {
    fn try_new(
        field: &'a FieldRef,
        map: &'a MapArray,
        options: &'a EncoderOptions,
    ) -> Result<Self, ArrowError> {
        Ok(StringifiedKeyMapEncoder {
            map,
            keys: make_encoder(field, map.keys().as_ref(), options)?,
            values: make_encoder(field, map.values().as_ref(), options)?,
            scratch: Vec::new(),
        })
    }
}

impl Encoder for StringifiedKeyMapEncoder<'_> {
    fn encode(&mut self, idx: usize, out: &mut Vec<u8>) {
        let offsets = self.map.value_offsets();
        let (start, end) = (offsets[idx] as usize, offsets[idx + 1] as usize);
        out.push(b'{');
        for entry in start..end {
            if entry > start {
                out.push(b',');
            }
            self.scratch.clear();
            if self.keys.is_null(entry) {
                // Spark map keys are never null; say so rather than write invalid JSON.
                self.scratch.extend_from_slice(b"null");
            } else {
                self.keys.encode(entry, &mut self.scratch);
            }
            // The key's JSON text (a number, a boolean, an object) becomes the name.
            let text = String::from_utf8_lossy(&self.scratch);
            let _ = serde_json::to_writer(&mut *out, text.as_ref());
            out.push(b':');
            if self.values.is_null(entry) {
                out.extend_from_slice(b"null");
            } else {
                self.values.encode(entry, out);
            }
        }
        out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::builder::{Int32Builder, MapBuilder, StringBuilder};
    use arrow_array::{
        Float32Array, Float64Array, IntervalYearMonthArray, RecordBatch, RecordBatchOptions,
    };
    use arrow_json::writer::{LineDelimited, WriterBuilder};
    use arrow_schema::{Field, Schema};

    use super::*;

    fn to_json(batch: &RecordBatch) -> String {
        let mut buf = Vec::new();
        let mut w = WriterBuilder::new()
            .with_explicit_nulls(true)
            .with_encoder_factory(Arc::new(SparkJsonEncoders))
            .build::<_, LineDelimited>(&mut buf);
        w.write(batch).unwrap();
        w.finish().unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn batch(columns: Vec<(&str, Arc<dyn Array>)>) -> RecordBatch {
        let fields: Vec<Field> = columns
            .iter()
            .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
            .collect();
        RecordBatch::try_new_with_options(
            Arc::new(Schema::new(fields)),
            columns.into_iter().map(|(_, a)| a).collect(),
            &RecordBatchOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn special_floats_are_strings_and_finite_floats_numbers() {
        let b = batch(vec![
            (
                "d",
                Arc::new(Float64Array::from(vec![
                    Some(f64::NAN),
                    Some(f64::INFINITY),
                    Some(f64::NEG_INFINITY),
                    Some(1.5),
                    Some(1e300),
                    None,
                ])),
            ),
            (
                "f",
                Arc::new(Float32Array::from(vec![
                    Some(f32::NAN),
                    Some(0.1),
                    Some(1.0),
                    Some(-0.0),
                    Some(f32::MAX),
                    Some(2.5),
                ])),
            ),
        ]);
        let text = to_json(&b);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], r#"{"d":"NaN","f":"NaN"}"#);
        assert_eq!(lines[1], r#"{"d":"Infinity","f":0.1}"#);
        assert_eq!(lines[2], r#"{"d":"-Infinity","f":1.0}"#);
        assert_eq!(lines[3], r#"{"d":1.5,"f":-0.0}"#);
        assert_eq!(lines[4], r#"{"d":1e300,"f":3.4028235e38}"#);
        assert_eq!(lines[5], r#"{"d":null,"f":2.5}"#);
        for line in lines {
            serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
    }

    #[test]
    fn year_month_intervals_are_iso_8601() {
        assert_eq!(year_month_iso(14), "P1Y2M");
        assert_eq!(year_month_iso(-3), "-P0Y3M");
        assert_eq!(year_month_iso(i32::MIN), "-P178956970Y8M");
        let b = batch(vec![(
            "i",
            Arc::new(IntervalYearMonthArray::from(vec![Some(0), Some(-14)])),
        )]);
        assert_eq!(to_json(&b), "{\"i\":\"P0Y0M\"}\n{\"i\":\"-P1Y2M\"}\n");
    }

    #[test]
    fn day_time_intervals_are_iso_8601() {
        let s = 1_000_000i64;
        assert_eq!(day_time_iso(0), "PT0S");
        assert_eq!(day_time_iso(86_400 * s), "P1D");
        assert_eq!(
            day_time_iso(((86_400 + 2 * 3600 + 3 * 60 + 4) * s) + s / 2),
            "P1DT2H3M4.5S"
        );
        assert_eq!(day_time_iso(-1), "-PT0.000001S");
        assert_eq!(day_time_iso(3600 * s), "PT1H");
        assert_eq!(day_time_iso(61 * s), "PT1M1S");
        assert_eq!(day_time_iso(i64::MIN), "-P106751991DT4H54.775808S");
    }

    #[test]
    fn maps_with_non_string_keys_use_the_keys_json_text() {
        let mut m = MapBuilder::new(None, Int32Builder::new(), StringBuilder::new());
        m.keys().append_value(1);
        m.values().append_value("a");
        m.keys().append_value(-2);
        m.values().append_null();
        m.append(true).unwrap();
        m.append(false).unwrap();
        m.append(true).unwrap();
        let b = batch(vec![("m", Arc::new(m.finish()))]);
        assert_eq!(
            to_json(&b),
            "{\"m\":{\"1\":\"a\",\"-2\":null}}\n{\"m\":null}\n{\"m\":{}}\n"
        );
    }
}
