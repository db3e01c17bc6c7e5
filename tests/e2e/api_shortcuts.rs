//! PySpark's shortcuts on columns against the real server: typed null literals, date and
//! timestamp literals (both Spark timestamp types), multi-name aliases, `&`/`|`, and the
//! `_with` forms of optional arguments where the order or the default matters.

use arrow_array::{Date32Array, TimestampMicrosecondArray};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use databricks_connect::functions::{self as f, col, expr, lit};
use databricks_connect::{DataType, Literal, StructType};

use crate::api_functions::{one_row, rows};
use crate::{session, utc_session};

fn field(schema: &StructType, i: usize) -> (&str, &DataType, bool) {
    let f = &schema.fields[i];
    (f.name.as_str(), &f.data_type, f.nullable)
}

#[tokio::test]
async fn a_typed_null_literal_is_a_nullable_column_of_its_type() {
    let spark = session().await;
    let df = spark.range(0, 1).select([lit(None::<i64>)]);
    let schema = df.schema().await.unwrap();
    assert_eq!(field(&schema, 0), ("NULL", &DataType::Long, true));
    assert_eq!(one_row(&df).await, ["null"]);

    let df = spark.range(0, 1).select([
        lit(None::<String>).alias("s"),
        lit(None::<i32>).alias("i"),
        lit(None::<i16>).alias("h"),
        lit(None::<i8>).alias("b"),
        lit(None::<bool>).alias("z"),
        lit(None::<f64>).alias("d"),
        lit(None::<f32>).alias("f"),
        lit(None::<NaiveDate>).alias("day"),
        lit(None::<DateTime<Utc>>).alias("ts"),
        lit(None::<NaiveDateTime>).alias("ntz"),
        lit(Literal::null()).alias("void"),
        lit(Literal::null()).cast("string").alias("cast"),
        // A typed null takes part in type checks as its type (and `coalesce` is not null
        // while one argument is never null).
        f::coalesce([col("id"), lit(None::<i64>)]).alias("id_or_null"),
    ]);
    let schema = df.schema().await.unwrap();
    let types: Vec<(&str, &DataType, bool)> = (0..schema.fields.len())
        .map(|i| field(&schema, i))
        .collect();
    // PySpark sends `string` with the collation named (`UTF8_BINARY`, the default one), and
    // Spark 4.3 reports it so (a cast to `string` has the unnamed default; Spark 4.0 names it
    // there too): both are the default, read as `DataType::string()`, as in PySpark.
    let named = DataType::string();
    let string = DataType::string();
    assert_eq!(
        types,
        [
            ("s", &named, true),
            ("i", &DataType::Integer, true),
            ("h", &DataType::Short, true),
            ("b", &DataType::Byte, true),
            ("z", &DataType::Boolean, true),
            ("d", &DataType::Double, true),
            ("f", &DataType::Float, true),
            ("day", &DataType::Date, true),
            ("ts", &DataType::Timestamp, true),
            ("ntz", &DataType::TimestampNtz, true),
            ("void", &DataType::Null, true),
            ("cast", &string, true),
            ("id_or_null", &DataType::Long, false),
        ]
    );
    let batches = df.collect().await.unwrap();
    let row = &rows(&batches)[0];
    assert_eq!(&row[..10], vec!["null"; 10].as_slice());
    // `void` arrives as Arrow's null type, whose values all are null.
    assert_eq!(
        batches[0].column(10).data_type(),
        &arrow_schema::DataType::Null
    );
    assert_eq!(row[11], "null");
    assert_eq!(row[12], "0");

    // Some(v) is v.
    assert_eq!(
        one_row(&spark.range(0, 1).select([lit(Some(7i64)), lit(Some("x"))])).await,
        ["7", "x"]
    );
}

#[tokio::test]
async fn date_and_timestamp_literals_keep_their_spark_types_and_values() {
    let spark = utc_session().await;
    let day = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let wall = day.and_hms_micro_opt(12, 30, 15, 123_456).unwrap();
    let instant = Utc.from_utc_datetime(&wall);
    let df = spark.range(0, 1).select([
        lit(day).alias("day"),
        lit(wall).alias("ntz"),
        lit(instant).alias("ts"),
        // The same values written in SQL.
        lit(day).eq(expr("DATE'2024-03-01'")).alias("same_day"),
        lit(wall)
            .eq(expr("TIMESTAMP_NTZ'2024-03-01 12:30:15.123456'"))
            .alias("same_ntz"),
        lit(instant)
            .eq(expr("TIMESTAMP_LTZ'2024-03-01 12:30:15.123456'"))
            .alias("same_ts"),
        // An instant given in another zone is the same instant.
        lit(chrono::FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2024, 3, 1, 13, 30, 15)
            .unwrap())
        .eq(expr("TIMESTAMP_LTZ'2024-03-01 12:30:15'"))
        .alias("same_instant"),
    ]);
    let schema = df.schema().await.unwrap();
    assert_eq!(field(&schema, 0).1, &DataType::Date);
    assert_eq!(field(&schema, 1).1, &DataType::TimestampNtz);
    assert_eq!(field(&schema, 2).1, &DataType::Timestamp);

    let batches = df.collect().await.unwrap();
    let b = &batches[0];
    let days = b.column(0).as_any().downcast_ref::<Date32Array>().unwrap();
    assert_eq!(days.value(0), 19_783); // 2024-03-01
    let micros = |i: usize| {
        b.column(i)
            .as_any()
            .downcast_ref::<TimestampMicrosecondArray>()
            .unwrap()
            .value(0)
    };
    assert_eq!(micros(1), wall.and_utc().timestamp_micros());
    assert_eq!(micros(2), instant.timestamp_micros());
    assert_eq!(&rows(&batches)[0][3..], ["true", "true", "true", "true"]);

    // A date on the other side of a comparison, as PySpark's `col("d") >= date(...)`.
    let later = spark
        .sql("SELECT DATE'2024-01-01' + CAST(id AS INT) AS d FROM range(5)")
        .await
        .unwrap()
        .filter(col("d").ge(NaiveDate::from_ymd_opt(2024, 1, 3).unwrap()));
    assert_eq!(later.count().await.unwrap(), 3);
}

#[tokio::test]
async fn a_multi_name_alias_names_every_generated_column() {
    let spark = session().await;
    let df = spark
        .range(0, 1)
        .select([f::posexplode(f::array([lit(10), lit(20)])).alias(["pos", "v"])]);
    let schema = df.schema().await.unwrap();
    assert_eq!(schema.field_names(), ["pos", "v"]);
    let batches = df.collect().await.unwrap();
    assert_eq!(rows(&batches), [["0", "10"], ["1", "20"]]);

    let df = spark
        .range(0, 1)
        .select([f::explode(f::create_map([lit("a"), lit(1)]))
            .alias(vec!["key".to_string(), "value".to_string()])]);
    assert_eq!(df.schema().await.unwrap().field_names(), ["key", "value"]);
    // One name still works.
    let df = spark.range(0, 1).select([col("id").alias("n")]);
    assert_eq!(df.schema().await.unwrap().field_names(), ["n"]);
}

#[tokio::test]
async fn and_or_operators_filter_as_pyspark_conditions_do() {
    let spark = session().await;
    let df = spark
        .range(0, 10)
        .filter((col("id").gt(2) & col("id").lt(6)) | col("id").eq(9));
    assert_eq!(df.count().await.unwrap(), 4);
    let df = spark.range(0, 10).filter(col("id").lt(3) & true);
    assert_eq!(df.count().await.unwrap(), 3);
}

#[tokio::test]
async fn with_forms_send_what_pyspark_sends() {
    let spark = utc_session().await;
    let df = spark.range(0, 1).select([
        // The characters to trim go first on the wire; the result shows the order is right.
        f::trim_with(lit("xxaxx"), lit("x")),
        f::ltrim_with(lit("xxa"), lit("x")),
        f::rtrim_with(lit("axx"), lit("x")),
        f::log_with(2.0, lit(8)),
        f::mask(lit("Ab1-")),
        f::mask_with(lit("Ab1-"), lit("U"), lit("l"), lit("d"), lit("o")),
        f::sort_array(f::array([lit(2), lit(1)])).cast("string"),
        f::sort_array_with(f::array([lit(2), lit(1)]), false).cast("string"),
        f::make_interval(lit(1), lit(2), 0, 0, 0, 0, 0).cast("string"),
        f::unix_timestamp_with(lit("1970-01-02 00:00:00"), "yyyy-MM-dd HH:mm:ss"),
        f::make_timestamp_from_date_time(expr("DATE'2024-03-01'"), expr("TIME'12:30:00'"))
            .cast("string"),
        f::instr_with(lit("abcabc"), "b", 3, 1),
        f::from_json_with(lit(r#"{"a": 1}"#), "a INT", [("mode", "FAILFAST")]).cast("string"),
    ]);
    assert_eq!(
        one_row(&df).await,
        [
            "a",
            "a",
            "a",
            "3.0",
            "Xxn-",
            "Uldo",
            "[1, 2]",
            "[2, 1]",
            "1 years 2 months",
            "86400",
            "2024-03-01 12:30:00",
            "5",
            "{1}",
        ]
    );

    // lag's plain form sends PySpark's offset 1; first's sends ignorenulls=false.
    let df = spark
        .sql("SELECT * FROM VALUES (1, CAST(NULL AS INT)), (2, 20), (3, 30) AS t(k, v)")
        .await
        .unwrap();
    let w = databricks_connect::Window::order_by(["k"]);
    let lagged = df
        .clone()
        .select([f::lag("v").over(&w), f::lag_with("v", 2, -1).over(&w)]);
    assert_eq!(
        rows(&lagged.collect().await.unwrap()),
        [["null", "-1"], ["null", "-1"], ["20", "null"]]
    );
    let firsts = df.agg([
        f::first("v").alias("first"),
        f::first_with("v", true).alias("first_non_null"),
    ]);
    // A single partition of three VALUES rows keeps their order.
    assert_eq!(one_row(&firsts).await, ["null", "20"]);
}
