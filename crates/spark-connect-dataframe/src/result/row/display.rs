//! Rows printed as PySpark prints them: `Row(id=1, name='a', tags=['x'], at=None)`.

use std::fmt::{self, Write};

use arrow_schema::DataType as ArrowType;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

use super::Row;
use super::value::{
    CalendarInterval, Decimal, FromValue, Value, YearMonthInterval, list_elements, map_entries,
};

impl fmt::Display for Row {
    /// As PySpark's `repr(row)`: `Row(id=1, name='a', score=None)`, with Python's forms of
    /// the values (`True`, `'text'`, `b'\x00'`, `[1, 2]`, `{'k': 1}`,
    /// `datetime.date(2024, 2, 29)`, `Decimal('12.50')`, nested `Row(...)`); a `timestamp`
    /// prints as its wall-clock time in the session time zone, as `show()` prints it, where
    /// PySpark prints it in the Python process's time zone (the same text when the two
    /// zones agree).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (fields, arrays, index) = self.parts();
        f.write_str("Row(")?;
        for (i, (field, array)) in fields.iter().zip(arrays).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}=", field.name())?;
            python_repr(f, Value::new(array.as_ref(), index, field.name()))?;
        }
        f.write_str(")")
    }
}

impl fmt::Debug for Row {
    /// The same as [`Display`](fmt::Display): PySpark's `repr(row)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Writes a value as Python's `repr` writes the value PySpark collects for it.
fn python_repr(f: &mut fmt::Formatter<'_>, value: Value<'_>) -> fmt::Result {
    if value.is_null() {
        return f.write_str("None");
    }
    // Each arm reads the value with the getter of its type; a failure cannot happen for the
    // types matched, but is printed rather than unwrapped.
    macro_rules! read {
        ($t:ty) => {
            match <$t>::from_value(value) {
                Ok(v) => v,
                Err(_) => return f.write_str("<unreadable>"),
            }
        };
    }
    match value.data_type() {
        ArrowType::Null => f.write_str("None"),
        ArrowType::Boolean => f.write_str(if read!(bool) { "True" } else { "False" }),
        ArrowType::Int8 | ArrowType::Int16 | ArrowType::Int32 | ArrowType::Int64 => {
            write!(f, "{}", read!(i64))
        }
        ArrowType::Float32 => python_float(f, f64::from(read!(f32))),
        ArrowType::Float64 => python_float(f, read!(f64)),
        ArrowType::Decimal128(..) => write!(f, "Decimal('{}')", read!(Decimal)),
        ArrowType::Utf8 | ArrowType::LargeUtf8 | ArrowType::Utf8View => python_str(f, read!(&str)),
        ArrowType::Binary
        | ArrowType::LargeBinary
        | ArrowType::BinaryView
        | ArrowType::FixedSizeBinary(_) => python_bytes(f, read!(&[u8])),
        ArrowType::Date32 | ArrowType::Date64 => python_date(f, read!(NaiveDate)),
        ArrowType::Timestamp(..) => python_datetime(f, read!(NaiveDateTime)),
        ArrowType::Time32(_) | ArrowType::Time64(_) => python_time(f, read!(NaiveTime)),
        ArrowType::Duration(_) => python_timedelta(f, read!(TimeDelta)),
        ArrowType::Interval(arrow_schema::IntervalUnit::YearMonth) => {
            write!(f, "{}", read!(YearMonthInterval))
        }
        ArrowType::Interval(_) => write!(f, "{}", read!(CalendarInterval)),
        ArrowType::List(_) | ArrowType::LargeList(_) | ArrowType::FixedSizeList(..) => {
            let Some((elements, range)) = list_elements(&value) else {
                return f.write_str("<unreadable>");
            };
            f.write_char('[')?;
            for (n, i) in range.enumerate() {
                if n > 0 {
                    f.write_str(", ")?;
                }
                python_repr(f, value.nested(elements, i))?;
            }
            f.write_char(']')
        }
        ArrowType::Map(..) => {
            let Some((keys, values, range)) = map_entries(&value) else {
                return f.write_str("<unreadable>");
            };
            f.write_char('{')?;
            for (n, i) in range.enumerate() {
                if n > 0 {
                    f.write_str(", ")?;
                }
                python_repr(f, value.nested(keys, i))?;
                f.write_str(": ")?;
                python_repr(f, value.nested(values, i))?;
            }
            f.write_char('}')
        }
        ArrowType::Struct(_) => write!(f, "{}", read!(Row)),
        _ => {
            // A type Spark does not send: Arrow's own rendering.
            let formatter = arrow_cast::display::ArrayFormatter::try_new(
                value.array(),
                &arrow_cast::display::FormatOptions::default(),
            );
            match formatter {
                Ok(formatter) => write!(f, "{}", formatter.value(value.index())),
                Err(_) => f.write_str("<unreadable>"),
            }
        }
    }
}

/// Python's float repr: `1.0`, `0.1`, `1e-07`, `inf`, `nan`.
fn python_float(f: &mut fmt::Formatter<'_>, v: f64) -> fmt::Result {
    if v.is_nan() {
        return f.write_str("nan");
    }
    if v.is_infinite() {
        return f.write_str(if v > 0.0 { "inf" } else { "-inf" });
    }
    let exponent = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32
    };
    if (-4..16).contains(&exponent) {
        // Rust's shortest round-trip form, with Python's `.0` for whole numbers.
        let s = format!("{v:?}");
        f.write_str(&s)
    } else {
        // Python switches to exponent form: `1e-07`, `1.5e+16`.
        let s = format!("{v:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        write!(f, "{mantissa}e{sign}{:02}", exp.abs())
    }
}

/// Python's str repr: single quotes unless the text has one and no double quote.
fn python_str(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    f.write_char(quote)?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c == quote => write!(f, "\\{c}")?,
            c if c.is_control() => {
                let n = c as u32;
                if n < 0x100 {
                    write!(f, "\\x{n:02x}")?
                } else {
                    write!(f, "\\u{n:04x}")?
                }
            }
            c => f.write_char(c)?,
        }
    }
    f.write_char(quote)
}

/// Python's bytes repr: `b'\xca\xfe'`.
fn python_bytes(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    f.write_char('b')?;
    f.write_char(quote as char)?;
    for &b in bytes {
        match b {
            b'\\' => f.write_str("\\\\")?,
            b'\n' => f.write_str("\\n")?,
            b'\r' => f.write_str("\\r")?,
            b'\t' => f.write_str("\\t")?,
            b if b == quote => write!(f, "\\{}", b as char)?,
            0x20..=0x7e => f.write_char(b as char)?,
            b => write!(f, "\\x{b:02x}")?,
        }
    }
    f.write_char(quote as char)
}

fn python_date(f: &mut fmt::Formatter<'_>, d: NaiveDate) -> fmt::Result {
    write!(f, "datetime.date({}, {}, {})", d.year(), d.month(), d.day())
}

/// `datetime.datetime(2024, 2, 29, 12, 0)`: seconds and microseconds only when not zero.
fn python_datetime(f: &mut fmt::Formatter<'_>, t: NaiveDateTime) -> fmt::Result {
    write!(
        f,
        "datetime.datetime({}, {}, {}, {}, {}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )?;
    python_seconds(f, t.second(), t.nanosecond() / 1_000)?;
    f.write_char(')')
}

fn python_time(f: &mut fmt::Formatter<'_>, t: NaiveTime) -> fmt::Result {
    write!(f, "datetime.time({}, {}", t.hour(), t.minute())?;
    python_seconds(f, t.second(), t.nanosecond() / 1_000)?;
    f.write_char(')')
}

fn python_seconds(f: &mut fmt::Formatter<'_>, second: u32, micros: u32) -> fmt::Result {
    if second != 0 || micros != 0 {
        write!(f, ", {second}")?;
    }
    if micros != 0 {
        write!(f, ", {micros}")?;
    }
    Ok(())
}

/// `datetime.timedelta(days=1, seconds=5, microseconds=2)`, normalised as Python does (days
/// carry the sign, seconds and microseconds are positive).
fn python_timedelta(f: &mut fmt::Formatter<'_>, d: TimeDelta) -> fmt::Result {
    let micros = d.num_microseconds().unwrap_or(i64::MAX);
    let days = micros.div_euclid(86_400_000_000);
    let rest = micros.rem_euclid(86_400_000_000);
    let (seconds, micros) = (rest / 1_000_000, rest % 1_000_000);
    let mut parts = Vec::new();
    if days != 0 {
        parts.push(format!("days={days}"));
    }
    if seconds != 0 {
        parts.push(format!("seconds={seconds}"));
    }
    if micros != 0 {
        parts.push(format!("microseconds={micros}"));
    }
    if parts.is_empty() {
        f.write_str("datetime.timedelta(0)")
    } else {
        write!(f, "datetime.timedelta({})", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Float(f64);
    impl fmt::Display for Float {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            python_float(f, self.0)
        }
    }
    struct Text<'a>(&'a str);
    impl fmt::Display for Text<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            python_str(f, self.0)
        }
    }
    struct Bytes<'a>(&'a [u8]);
    impl fmt::Display for Bytes<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            python_bytes(f, self.0)
        }
    }
    struct Delta(TimeDelta);
    impl fmt::Display for Delta {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            python_timedelta(f, self.0)
        }
    }

    #[test]
    fn floats_print_as_python_prints_them() {
        for (v, python) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e-7, "1e-07"),
            (1.5e16, "1.5e+16"),
            (123456789.125, "123456789.125"),
            (0.0, "0.0"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ] {
            assert_eq!(Float(v).to_string(), python, "{v}");
        }
    }

    #[test]
    fn strings_and_bytes_print_as_python_prints_them() {
        assert_eq!(Text("a").to_string(), "'a'");
        assert_eq!(Text("it's").to_string(), "\"it's\"");
        assert_eq!(Text("a'b\"c").to_string(), "'a\\'b\"c'");
        assert_eq!(Text("tab\there\n").to_string(), "'tab\\there\\n'");
        assert_eq!(Text("Zoë").to_string(), "'Zoë'");
        assert_eq!(
            Bytes(&[0xca, 0xfe, 0, b'a']).to_string(),
            "b'\\xca\\xfe\\x00a'"
        );
    }

    #[test]
    fn timedeltas_print_as_python_prints_them() {
        assert_eq!(
            Delta(TimeDelta::zero()).to_string(),
            "datetime.timedelta(0)"
        );
        assert_eq!(
            Delta(TimeDelta::microseconds(93_784_500_000)).to_string(),
            "datetime.timedelta(days=1, seconds=7384, microseconds=500000)"
        );
        assert_eq!(
            Delta(TimeDelta::seconds(-1)).to_string(),
            "datetime.timedelta(days=-1, seconds=86399)"
        );
    }
}
