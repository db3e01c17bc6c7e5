//! Every Spark SQL type that reaches the client decodes, with its exact value.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, DurationMicrosecondType, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, IntervalYearMonthType, TimestampMicrosecondType,
};
use arrow_array::{Array, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, IntervalUnit, TimeUnit};

use crate::{session, utc_session};

const QUERY: &str = "SELECT
    CAST(-128 AS TINYINT) AS byte_col,
    CAST(32767 AS SMALLINT) AS short_col,
    2147483647 AS int_col,
    9223372036854775807L AS long_col,
    CAST(1.5 AS FLOAT) AS float_col,
    CAST('NaN' AS DOUBLE) AS nan_col,
    CAST('-Infinity' AS DOUBLE) AS neg_inf_col,
    CAST('12345678901234567890.123456789012345678' AS DECIMAL(38,18)) AS decimal_col,
    'héllo ✓' AS string_col,
    X'00FF10' AS binary_col,
    true AS boolean_col,
    DATE'2024-02-29' AS date_col,
    TIMESTAMP'2024-01-02 03:04:05.123456' AS timestamp_col,
    TIMESTAMP_NTZ'2024-01-02 03:04:05.123456' AS timestamp_ntz_col,
    INTERVAL '1-2' YEAR TO MONTH AS year_month_col,
    INTERVAL '1 02:03:04.5' DAY TO SECOND AS day_time_col,
    array(1, NULL, 3) AS array_col,
    map('a', 1, 'b', CAST(NULL AS INT)) AS map_col,
    named_struct('x', 1, 'y', named_struct('z', CAST(NULL AS STRING))) AS struct_col,
    CAST(NULL AS INT) AS null_int_col,
    CAST(NULL AS ARRAY<STRING>) AS null_array_col";

async fn all_types() -> RecordBatch {
    let spark = utc_session().await;
    let batches = spark.sql(QUERY).await.unwrap().collect().await.unwrap();
    let batches: Vec<_> = batches.into_iter().filter(|b| b.num_rows() > 0).collect();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].num_rows(), 1);
    batches.into_iter().next().unwrap()
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> &'a Arc<dyn Array> {
    batch
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

fn shown(batch: &RecordBatch, name: &str) -> String {
    let options = FormatOptions::default().with_null("NULL");
    let formatter = ArrayFormatter::try_new(column(batch, name).as_ref(), &options).unwrap();
    formatter.value(0).to_string()
}

#[tokio::test]
async fn numeric_types() {
    let b = all_types().await;
    assert_eq!(
        column(&b, "byte_col").as_primitive::<Int8Type>().value(0),
        -128
    );
    assert_eq!(
        column(&b, "short_col").as_primitive::<Int16Type>().value(0),
        32767
    );
    assert_eq!(
        column(&b, "int_col").as_primitive::<Int32Type>().value(0),
        i32::MAX
    );
    assert_eq!(
        column(&b, "long_col").as_primitive::<Int64Type>().value(0),
        i64::MAX
    );
    assert_eq!(
        column(&b, "float_col")
            .as_primitive::<Float32Type>()
            .value(0),
        1.5
    );
    assert!(
        column(&b, "nan_col")
            .as_primitive::<Float64Type>()
            .value(0)
            .is_nan()
    );
    assert_eq!(
        column(&b, "neg_inf_col")
            .as_primitive::<Float64Type>()
            .value(0),
        f64::NEG_INFINITY
    );
    let decimal = column(&b, "decimal_col");
    assert_eq!(decimal.data_type(), &DataType::Decimal128(38, 18));
    assert_eq!(
        decimal.as_primitive::<Decimal128Type>().value(0),
        12345678901234567890123456789012345678i128
    );
}

#[tokio::test]
async fn string_binary_boolean() {
    let b = all_types().await;
    let s = column(&b, "string_col");
    let value = match s.data_type() {
        DataType::Utf8 => s.as_string::<i32>().value(0).to_string(),
        DataType::LargeUtf8 => s.as_string::<i64>().value(0).to_string(),
        DataType::Utf8View => s.as_string_view().value(0).to_string(),
        other => panic!("string column arrived as {other}"),
    };
    assert_eq!(value, "héllo ✓");
    let bin = column(&b, "binary_col");
    let bytes = match bin.data_type() {
        DataType::Binary => bin.as_binary::<i32>().value(0).to_vec(),
        DataType::LargeBinary => bin.as_binary::<i64>().value(0).to_vec(),
        other => panic!("binary column arrived as {other}"),
    };
    assert_eq!(bytes, vec![0x00, 0xFF, 0x10]);
    assert!(column(&b, "boolean_col").as_boolean().value(0));
}

#[tokio::test]
async fn date_time_and_interval_types() {
    let b = all_types().await;
    assert_eq!(
        column(&b, "date_col").as_primitive::<Date32Type>().value(0),
        19782
    );
    let ts = column(&b, "timestamp_col");
    assert_eq!(
        ts.data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert_eq!(
        ts.as_primitive::<TimestampMicrosecondType>().value(0),
        1_704_164_645_123_456
    );
    let ntz = column(&b, "timestamp_ntz_col");
    assert_eq!(
        ntz.data_type(),
        &DataType::Timestamp(TimeUnit::Microsecond, None)
    );
    assert_eq!(
        ntz.as_primitive::<TimestampMicrosecondType>().value(0),
        1_704_164_645_123_456
    );
    let ym = column(&b, "year_month_col");
    assert_eq!(ym.data_type(), &DataType::Interval(IntervalUnit::YearMonth));
    assert_eq!(ym.as_primitive::<IntervalYearMonthType>().value(0), 14);
    let dt = column(&b, "day_time_col");
    assert_eq!(dt.data_type(), &DataType::Duration(TimeUnit::Microsecond));
    assert_eq!(
        dt.as_primitive::<DurationMicrosecondType>().value(0),
        93_784_500_000
    );
}

#[tokio::test]
async fn nested_types_and_nulls() {
    let b = all_types().await;
    assert_eq!(shown(&b, "array_col"), "[1, NULL, 3]");
    assert_eq!(shown(&b, "map_col"), "{a: 1, b: NULL}");
    assert_eq!(shown(&b, "struct_col"), "{x: 1, y: {z: NULL}}");
    assert!(column(&b, "null_int_col").is_null(0));
    assert!(column(&b, "null_array_col").is_null(0));
    let st = column(&b, "struct_col").as_struct();
    let inner = st.column_by_name("y").unwrap().as_struct();
    assert!(inner.is_valid(0), "the inner struct itself is not null");
    assert!(inner.column(0).is_null(0), "its field is");
}

#[tokio::test]
async fn schema_matches_the_arrow_result() {
    let spark = utc_session().await;
    let df = spark.sql(QUERY).await.unwrap();
    let schema = df.schema().await.unwrap();
    let batches = df.collect().await.unwrap();
    let received = batches[0].schema();
    let expected = schema.to_arrow("UTC");
    assert_eq!(expected.fields().len(), received.fields().len());
    for (want, got) in expected.fields().iter().zip(received.fields()) {
        assert_eq!(want.name(), got.name());
        // Container field names (list "element", map "entries") are Spark's own; compare
        // the types structurally through their display form.
        assert_eq!(
            want.data_type()
                .to_string()
                .replace("\"item\"", "\"element\""),
            got.data_type()
                .to_string()
                .replace("\"item\"", "\"element\""),
            "column {}",
            want.name()
        );
    }
}

#[tokio::test]
async fn empty_results_keep_their_types() {
    let spark = session().await;
    let batches = spark
        .sql(&format!("SELECT * FROM ({QUERY}) WHERE false"))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    let schema = batches[0].schema();
    assert_eq!(schema.fields().len(), 21);
    assert_eq!(
        schema.field_with_name("decimal_col").unwrap().data_type(),
        &DataType::Decimal128(38, 18)
    );
}
