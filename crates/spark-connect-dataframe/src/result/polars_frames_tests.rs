//! Unit tests of the polars conversions, offline: Arrow batches as Spark sends them into
//! polars and back, and polars frames into the Arrow types Spark reads.

use std::sync::Arc;

use arrow_array::builder::{Int64Builder, MapBuilder, StringBuilder};
use arrow_array::types::{Int32Type, UInt32Type};
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, DictionaryArray,
    DurationMicrosecondArray, Float32Array, Float64Array, Int8Array, Int16Array, Int32Array,
    Int64Array, IntervalYearMonthArray, ListArray, NullArray, RecordBatch, StringArray,
    StringViewArray, StructArray, Time64NanosecondArray, TimestampMicrosecondArray,
    TimestampNanosecondArray,
};
use arrow_schema::{DataType as ArrowType, Field, Schema};
use polars_core::prelude::{
    Column, DataFrame as PlDataFrame, DataType as PlType, IntoSeries, NamedFrom, Series,
    TimeUnit as PlUnit,
};

use super::*;

/// One batch with a column of each type Spark sends, with nulls, as the server encodes them.
fn spark_batch(offset: i64) -> RecordBatch {
    let tz: Arc<str> = Arc::from("America/Los_Angeles");
    let mut map = MapBuilder::new(None, StringBuilder::new(), Int64Builder::new());
    map.keys().append_value("a");
    map.values().append_value(1);
    map.keys().append_value("b");
    map.values().append_null();
    map.append(true).unwrap();
    map.append(false).unwrap();
    let map = map.finish();
    let structs = StructArray::from(vec![
        (
            Arc::new(Field::new("x", ArrowType::Int32, true)),
            Arc::new(Int32Array::from(vec![Some(1), None])) as ArrayRef,
        ),
        (
            Arc::new(Field::new("y", ArrowType::Utf8, true)),
            Arc::new(StringArray::from(vec![Some("p"), Some("q")])) as ArrayRef,
        ),
    ]);
    // Spark names a list's items `element`.
    let list = ListArray::from_iter_primitive::<Int32Type, _, _>(vec![
        Some(vec![Some(1), None, Some(3)]),
        None,
    ]);
    let (_, offsets, values, nulls) = list.into_parts();
    let element = Arc::new(Field::new("element", ArrowType::Int32, true));
    let list = ListArray::new(element, offsets, values, nulls);
    RecordBatch::try_from_iter([
        (
            "bool",
            Arc::new(BooleanArray::from(vec![Some(true), None])) as ArrayRef,
        ),
        ("byte", Arc::new(Int8Array::from(vec![Some(-8), None])) as _),
        (
            "short",
            Arc::new(Int16Array::from(vec![Some(-16), None])) as _,
        ),
        ("int", Arc::new(Int32Array::from(vec![Some(32), None])) as _),
        (
            "long",
            Arc::new(Int64Array::from(vec![Some(offset), None])) as _,
        ),
        (
            "float",
            Arc::new(Float32Array::from(vec![Some(1.5), None])) as _,
        ),
        (
            "double",
            Arc::new(Float64Array::from(vec![Some(2.25), None])) as _,
        ),
        (
            "dec",
            Arc::new(
                Decimal128Array::from(vec![Some(12345), None])
                    .with_precision_and_scale(10, 2)
                    .unwrap(),
            ) as _,
        ),
        (
            "str",
            Arc::new(StringArray::from(vec![Some("héllo"), None])) as _,
        ),
        (
            "bin",
            Arc::new(BinaryArray::from(vec![Some(&b"\x00\xff"[..]), None])) as _,
        ),
        (
            "date",
            Arc::new(Date32Array::from(vec![Some(19_000), None])) as _,
        ),
        (
            "ts",
            Arc::new(
                TimestampMicrosecondArray::from(vec![Some(1_700_000_000_123_456), None])
                    .with_timezone(tz),
            ) as _,
        ),
        (
            "ts_ntz",
            Arc::new(TimestampMicrosecondArray::from(vec![Some(1_000_001), None])) as _,
        ),
        (
            "time",
            Arc::new(Time64NanosecondArray::from(vec![
                Some(3_600_000_000_000),
                None,
            ])) as _,
        ),
        (
            "dt_interval",
            Arc::new(DurationMicrosecondArray::from(vec![Some(-5), None])) as _,
        ),
        ("arr", Arc::new(list) as _),
        ("st", Arc::new(structs) as _),
        ("m", Arc::new(map) as _),
        ("void", Arc::new(NullArray::new(2)) as _),
    ])
    .unwrap()
}

fn dtype(df: &PlDataFrame, name: &str) -> PlType {
    df.column(name).unwrap().dtype().clone()
}

#[test]
fn every_spark_type_has_its_polars_type() {
    let df = record_batches_to_polars(&[spark_batch(7)]).unwrap();
    assert_eq!(df.shape(), (2, 19));
    let expect = [
        ("bool", "bool"),
        ("byte", "i8"),
        ("short", "i16"),
        ("int", "i32"),
        ("long", "i64"),
        ("float", "f32"),
        ("double", "f64"),
        ("dec", "decimal[10,2]"),
        ("str", "str"),
        ("bin", "binary"),
        ("date", "date"),
        ("ts", "datetime[μs, America/Los_Angeles]"),
        ("ts_ntz", "datetime[μs]"),
        ("time", "time"),
        ("dt_interval", "duration[μs]"),
        ("arr", "list[i32]"),
        ("st", "struct[2]"),
        ("m", "list[struct[2]]"),
        ("void", "null"),
    ];
    for (name, polars) in expect {
        assert_eq!(dtype(&df, name).to_string(), polars, "column {name}");
    }
    assert_eq!(dtype(&df, "dec"), PlType::Decimal(10, 2));
    assert_eq!(
        dtype(&df, "ts"),
        PlType::Datetime(
            PlUnit::Microseconds,
            polars_core::prelude::TimeZone::opt_try_new(Some("America/Los_Angeles")).unwrap()
        )
    );
    // Values and nulls arrive as they were.
    let value = |name: &str| df.column(name).unwrap().get(0).unwrap().to_string();
    assert_eq!(value("str"), "\"héllo\"");
    assert_eq!(value("dec"), "123.45");
    assert_eq!(value("short"), "-16");
    assert_eq!(value("double"), "2.25");
    assert_eq!(value("date"), "2022-01-08");
    for column in df.columns() {
        let expected_nulls = if column.name() == "void" { 2 } else { 1 };
        if column.name() == "st" {
            continue; // A struct row is null only when the struct is; here only a field is.
        }
        assert_eq!(
            column.null_count(),
            expected_nulls,
            "column {}",
            column.name()
        );
    }
    let ts = df.column("ts").unwrap().as_materialized_series().clone();
    let micros = ts.to_physical_repr().i64().unwrap().get(0);
    assert_eq!(micros, Some(1_700_000_000_123_456));
    let m = df
        .column("m")
        .unwrap()
        .as_materialized_series()
        .list()
        .unwrap()
        .get_as_series(0);
    let entries = m.unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries.struct_().unwrap().fields_as_series()[0]
            .str()
            .unwrap()
            .get(1),
        Some("b")
    );
}

#[test]
fn the_round_trip_keeps_spark_types_and_values() {
    let batch = spark_batch(42);
    let df = record_batches_to_polars(std::slice::from_ref(&batch)).unwrap();
    let back = polars_to_record_batches(&df).unwrap();
    assert_eq!(back.len(), 1);
    let back = &back[0];
    assert_eq!(back.num_rows(), 2);
    for (i, field) in batch.schema().fields().iter().enumerate() {
        let returned = back.column(i);
        if field.name() == "m" {
            // polars keeps a map as its list of key-value structs, and so gives it back.
            assert!(
                matches!(returned.data_type(), ArrowType::List(f) if matches!(f.data_type(), ArrowType::Struct(kv) if kv[0].name() == "key" && kv[1].name() == "value")),
                "{}",
                returned.data_type()
            );
            continue;
        }
        let expected_type = match field.data_type() {
            // Zone names are not needed for instants: Spark's timestamps come back in UTC.
            ArrowType::Timestamp(unit, Some(_)) => {
                ArrowType::Timestamp(*unit, Some(Arc::from("UTC")))
            }
            other => other.clone(),
        };
        assert_eq!(
            returned.data_type(),
            &expected_type,
            "column {}",
            field.name()
        );
        let original = arrow_cast::cast(batch.column(i), &expected_type).unwrap();
        assert_eq!(
            returned.to_data(),
            original.to_data(),
            "column {}",
            field.name()
        );
    }
}

#[test]
fn several_batches_become_one_chunk_each_and_come_back_so() {
    let batches = [spark_batch(1), spark_batch(2), spark_batch(3)];
    let df = record_batches_to_polars(&batches).unwrap();
    assert_eq!(df.height(), 6);
    for column in df.columns() {
        // polars keeps a column of the null type, which holds no data, in one chunk.
        let chunks = if column.name() == "void" { 1 } else { 3 };
        assert_eq!(
            column.as_materialized_series().n_chunks(),
            chunks,
            "{}",
            column.name()
        );
    }
    let longs: Vec<Option<i64>> = df.column("long").unwrap().i64().unwrap().iter().collect();
    assert_eq!(longs, [Some(1), None, Some(2), None, Some(3), None]);
    let back = polars_to_record_batches(&df).unwrap();
    assert_eq!(
        back.iter().map(RecordBatch::num_rows).collect::<Vec<_>>(),
        [2, 2, 2]
    );
}

#[test]
fn numbers_cross_without_a_copy() {
    let ids = Int64Array::from_iter_values(0..1000);
    let pointer = ids.values().as_ptr();
    let batch = RecordBatch::try_from_iter([("id", Arc::new(ids) as ArrayRef)]).unwrap();
    let df = record_batches_to_polars(&[batch]).unwrap();
    let series = df.column("id").unwrap().as_materialized_series();
    let chunk = series.i64().unwrap().downcast_iter().next().unwrap();
    assert_eq!(
        chunk.values().as_ptr(),
        pointer,
        "polars reads the Arrow buffer itself"
    );

    // And back: the buffer polars holds is the one Spark's batch gets.
    let back = polars_to_record_batches(&df).unwrap();
    let returned = back[0]
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap();
    assert_eq!(returned.values().as_ptr(), pointer);
}

#[test]
fn an_empty_result_keeps_its_columns_and_types() {
    let batch = spark_batch(0).slice(0, 0);
    let df = record_batches_to_polars(&[batch]).unwrap();
    assert_eq!(df.shape(), (0, 19));
    assert_eq!(dtype(&df, "dec"), PlType::Decimal(10, 2));
    assert_eq!(dtype(&df, "arr").to_string(), "list[i32]");
    let back = polars_to_record_batches(&df).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].num_rows(), 0);
    assert_eq!(
        back[0].schema().field(7).data_type(),
        &ArrowType::Decimal128(10, 2)
    );
    // No batches at all: nothing to take a schema from.
    assert_eq!(record_batches_to_polars(&[]).unwrap().shape(), (0, 0));
}

#[test]
fn a_year_month_interval_is_an_error_naming_the_column() {
    let months = Arc::new(IntervalYearMonthArray::from(vec![Some(14)])) as ArrayRef;
    let batch = RecordBatch::try_from_iter([("age", months.clone())]).unwrap();
    let e = record_batches_to_polars(&[batch]).unwrap_err();
    assert_eq!(e.kind(), crate::ErrorKind::Conversion);
    let text = e.to_string();
    assert!(text.contains("column 'age'"), "{text}");
    assert!(text.contains("interval year to month"), "{text}");
    assert!(text.contains("polars has no type"), "{text}");

    // Nested inside a list too, where polars itself would panic.
    let offsets = arrow_buffer::OffsetBuffer::new(vec![0, 1].into());
    let item = Arc::new(Field::new("element", months.data_type().clone(), true));
    let list = ListArray::new(item, offsets, months, None);
    let batch = RecordBatch::try_from_iter([("ages", Arc::new(list) as ArrayRef)]).unwrap();
    let text = record_batches_to_polars(&[batch]).unwrap_err().to_string();
    assert!(text.contains("column 'ages'"), "{text}");
    assert!(text.contains("its part interval year to month"), "{text}");
}

#[test]
fn duplicate_column_names_are_an_error_naming_the_name() {
    let ids = Arc::new(Int64Array::from(vec![1])) as ArrayRef;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", ArrowType::Int64, false),
        Field::new("id", ArrowType::Int64, false),
    ]));
    let batch = RecordBatch::try_new(schema, vec![ids.clone(), ids]).unwrap();
    let text = record_batches_to_polars(&[batch]).unwrap_err().to_string();
    assert!(text.contains("'id' appears more than once"), "{text}");
}

#[test]
fn batches_of_different_schemas_are_an_error() {
    let a = RecordBatch::try_from_iter([("a", Arc::new(Int64Array::from(vec![1])) as ArrayRef)])
        .unwrap();
    let b = RecordBatch::try_from_iter([("a", Arc::new(Int32Array::from(vec![1])) as ArrayRef)])
        .unwrap();
    let text = record_batches_to_polars(&[a, b]).unwrap_err().to_string();
    assert!(text.contains("batch 1"), "{text}");
}

#[test]
fn unsigned_integers_widen_to_signed_types_spark_has() {
    let df = PlDataFrame::new_infer_height(vec![
        Column::new("u32".into(), [u32::MAX]),
        Column::new("u64".into(), [u64::MAX]),
    ])
    .unwrap();
    let batch = &polars_to_record_batches(&df).unwrap()[0];
    let types: Vec<&ArrowType> = batch
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.data_type())
        .collect();
    assert_eq!(types, [&ArrowType::Int64, &ArrowType::Decimal128(20, 0)]);
    let shown: Vec<String> = (0..2)
        .map(|i| arrow_cast::display::array_value_to_string(batch.column(i), 0).unwrap())
        .collect();
    assert_eq!(shown, ["4294967295", "18446744073709551615"]);

    // polars compiles u8 and u16 only when a program asks for them; their Arrow arrays are
    // what it exports then.
    let small = [
        (
            Arc::new(arrow_array::UInt8Array::from(vec![u8::MAX])) as ArrayRef,
            ArrowType::Int16,
            "255",
        ),
        (
            Arc::new(arrow_array::UInt16Array::from(vec![u16::MAX])) as _,
            ArrowType::Int32,
            "65535",
        ),
    ];
    for (array, expected, value) in small {
        let out = to_spark_array("u", array, "u").unwrap();
        assert_eq!(out.data_type(), &expected);
        assert_eq!(
            arrow_cast::display::array_value_to_string(&out, 0).unwrap(),
            value
        );
    }
}

#[test]
fn polars_types_spark_has_pass_unchanged() {
    let df = PlDataFrame::new_infer_height(vec![
        Column::new("i".into(), [1i32, 2]),
        Column::new("s".into(), [Some("x"), None]),
        Column::new("f".into(), [0.5f64, 1.0]),
        Column::new("b".into(), [true, false]),
    ])
    .unwrap();
    let batch = &polars_to_record_batches(&df).unwrap()[0];
    let types: Vec<ArrowType> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.data_type().clone())
        .collect();
    assert_eq!(
        types,
        [
            ArrowType::Int32,
            ArrowType::Utf8,
            ArrowType::Float64,
            ArrowType::Boolean
        ]
    );
    let s = batch
        .column(1)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert_eq!((s.value(0), s.is_null(1)), ("x", true));
}

#[test]
fn polars_datetimes_in_other_units_become_microseconds() {
    let millis = Series::new("at".into(), [1_500i64, 2_000])
        .cast(&PlType::Datetime(PlUnit::Milliseconds, None))
        .unwrap();
    let nanos = Series::new("exact".into(), [2_000i64, 3_000])
        .cast(&PlType::Datetime(PlUnit::Nanoseconds, None))
        .unwrap();
    let df = PlDataFrame::new_infer_height(vec![millis.into(), nanos.into()]).unwrap();
    let batch = &polars_to_record_batches(&df).unwrap()[0];
    let at = batch
        .column(0)
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .unwrap();
    assert_eq!(at.values().to_vec(), [1_500_000, 2_000_000]);
    let exact = batch
        .column(1)
        .as_any()
        .downcast_ref::<TimestampMicrosecondArray>()
        .unwrap();
    assert_eq!(exact.values().to_vec(), [2, 3]);
}

#[test]
fn nanoseconds_spark_cannot_keep_are_an_error_not_rounded() {
    let nanos = Series::new("at".into(), [1_000i64, 1_001])
        .cast(&PlType::Datetime(PlUnit::Nanoseconds, None))
        .unwrap();
    let df = PlDataFrame::new_infer_height(vec![nanos.into()]).unwrap();
    let text = polars_to_record_batches(&df).unwrap_err().to_string();
    assert!(text.contains("column 'at'"), "{text}");
    assert!(
        text.contains("1001 ns is not a whole number of microseconds"),
        "{text}"
    );

    // Also inside a list, where only the part the list covers counts.
    let values = TimestampNanosecondArray::from(vec![1, 1_000, 2_000]);
    let offsets = arrow_buffer::OffsetBuffer::new(vec![1i32, 3].into());
    let item = Arc::new(Field::new("element", values.data_type().clone(), true));
    let list = ListArray::new(item.clone(), offsets, Arc::new(values.clone()), None);
    to_spark_array("l", Arc::new(list), "list[datetime[ns]]").unwrap();
    let offsets = arrow_buffer::OffsetBuffer::new(vec![0i32, 3].into());
    let list = ListArray::new(item, offsets, Arc::new(values), None);
    let text = to_spark_array("l", Arc::new(list), "list[datetime[ns]]")
        .unwrap_err()
        .to_string();
    assert!(text.contains("column 'l'"), "{text}");
}

#[test]
fn categories_become_their_strings() {
    // polars exports a Categorical or Enum as an Arrow dictionary of string views.
    let keys = arrow_array::UInt32Array::from(vec![Some(1), None, Some(0), Some(1)]);
    let values = Arc::new(StringViewArray::from(vec!["low", "high"])) as ArrayRef;
    let dict = DictionaryArray::<UInt32Type>::try_new(keys, values).unwrap();
    let out = to_spark_array("level", Arc::new(dict), "cat").unwrap();
    let out = out.as_any().downcast_ref::<StringArray>().unwrap();
    let got: Vec<Option<&str>> = out.iter().collect();
    assert_eq!(got, [Some("high"), None, Some("low"), Some("high")]);
}

#[test]
fn polars_types_spark_lacks_are_an_error_naming_the_column() {
    let wide = Series::new("big".into(), [1i128]);
    let df = PlDataFrame::new_infer_height(vec![wide.into()]).unwrap();
    let text = polars_to_record_batches(&df).unwrap_err().to_string();
    assert!(text.contains("column 'big'"), "{text}");
    assert!(text.contains("i128"), "{text}");
}

#[test]
fn chunks_that_do_not_line_up_are_made_contiguous() {
    let mut a = Series::new("a".into(), [1i64, 2]);
    a.append(&Series::new("a".into(), [3i64])).unwrap();
    let b = Series::new("b".into(), ["x", "y", "z"]);
    let df = PlDataFrame::new_infer_height(vec![a.into(), b.into()]).unwrap();
    let batches = polars_to_record_batches(&df).unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].num_rows(), 3);
}

#[test]
fn a_frame_without_columns_keeps_its_height() {
    let batches = polars_to_record_batches(&PlDataFrame::empty_with_height(3)).unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!((batches[0].num_rows(), batches[0].num_columns()), (3, 0));
}

#[test]
fn a_null_typed_part_inside_a_column_is_an_error_naming_it() {
    let nulls = Series::new_null("n".into(), 2);
    let list = nulls.implode().unwrap().into_series().with_name("l".into());
    let df = PlDataFrame::new_infer_height(vec![list.into()]).unwrap();
    // polars exports a null-typed array with a buffer that the C data interface does not give
    // that type, so arrow-rs refuses it; the error says what to do.
    let text = polars_to_record_batches(&df).unwrap_err().to_string();
    assert!(
        text.contains("column 'l' of polars type list[null]"),
        "{text}"
    );
    assert!(text.contains("cast that part to a concrete type"), "{text}");
}
