//! polars (feature `polars`): results as polars DataFrames and DataFrames from polars, against
//! the real server.

use databricks_connect::ErrorKind;
use databricks_connect::functions::{col, lit};
use databricks_connect::polars_frames::polars_core::prelude::{
    Column, DataFrame as PlDataFrame, DataType as PlType, NamedFrom, Series, TimeUnit,
};

use crate::{session, utc_session};

/// One query that selects a column of every type the client decodes, with a null row.
const EVERY_TYPE: &str = "SELECT * FROM VALUES
    (true, CAST(-8 AS TINYINT), CAST(-16 AS SMALLINT), 32, CAST(64 AS BIGINT),
     CAST(1.5 AS FLOAT), CAST(2.25 AS DOUBLE), CAST(123.45 AS DECIMAL(10,2)),
     CAST(12345678901234567890.123456789012345678 AS DECIMAL(38,18)),
     'Zoë 日本', CAST('varchar' AS VARCHAR(10)), X'00FF', DATE'2024-02-29',
     TIMESTAMP'2024-03-01 12:34:56.123456', TIMESTAMP_NTZ'2024-03-01 12:34:56.654321',
     INTERVAL '1 02:03:04.000005' DAY TO SECOND,
     array(1, NULL, 3), named_struct('x', 1, 'y', 'p'), map('a', 1, 'b', NULL),
     array(named_struct('k', array(1.5D))), NULL),
    (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL)
    AS t(b, byte, short, int, long, float, double, dec, dec38, str, vc, bin, date, ts, ts_ntz,
         dti, arr, st, m, nested, void)";

#[tokio::test]
async fn every_spark_type_arrives_in_polars_with_its_type() {
    let spark = utc_session().await;
    let df = spark
        .sql(EVERY_TYPE)
        .await
        .unwrap()
        .to_polars()
        .await
        .unwrap();
    assert_eq!(df.shape(), (2, 21));
    let types: Vec<(String, String)> = df
        .columns()
        .iter()
        .map(|c| (c.name().to_string(), c.dtype().to_string()))
        .collect();
    let expected = [
        ("b", "bool"),
        ("byte", "i8"),
        ("short", "i16"),
        ("int", "i32"),
        ("long", "i64"),
        ("float", "f32"),
        ("double", "f64"),
        ("dec", "decimal[10,2]"),
        ("dec38", "decimal[38,18]"),
        ("str", "str"),
        ("vc", "str"),
        ("bin", "binary"),
        ("date", "date"),
        ("ts", "datetime[μs, UTC]"),
        ("ts_ntz", "datetime[μs]"),
        ("dti", "duration[μs]"),
        ("arr", "list[i32]"),
        ("st", "struct[2]"),
        ("m", "list[struct[2]]"),
        ("nested", "list[struct[1]]"),
        ("void", "null"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    assert_eq!(types, expected);
    // Values: the second row is all nulls, the first as Spark computed it.
    for column in df.columns() {
        if column.name() != "st" && column.name() != "nested" {
            assert!(column.get(1).unwrap().is_null(), "{}", column.name());
        }
    }
    // (Display of a polars DataFrame needs polars' `fmt` feature, which this client does not
    // turn on: each value is read by itself.)
    let value = |name: &str| df.column(name).unwrap().get(0).unwrap().to_string();
    assert_eq!(value("str"), "\"Zoë 日本\"");
    assert_eq!(value("vc"), "\"varchar\"");
    assert_eq!(value("dec"), "123.45");
    assert_eq!(value("dec38"), "12345678901234567890.123456789012345678");
    assert_eq!(value("date"), "2024-02-29");
    assert_eq!(value("ts"), "2024-03-01 12:34:56.123456 UTC");
    assert_eq!(value("ts_ntz"), "2024-03-01 12:34:56.654321");
    assert_eq!(value("byte"), "-8");
    assert_eq!(value("b"), "true");
    let dti = df
        .column("dti")
        .unwrap()
        .as_materialized_series()
        .to_physical_repr();
    assert_eq!(
        dti.i64().unwrap().get(0),
        Some(((24 + 2) * 3600 + 3 * 60 + 4) * 1_000_000 + 5)
    );
    let m = df.column("m").unwrap().as_materialized_series();
    let entries = m.list().unwrap().get_as_series(0).unwrap();
    let fields = entries.struct_().unwrap().fields_as_series();
    assert_eq!(fields[0].name().as_str(), "key");
    assert_eq!(fields[0].str().unwrap().get(1), Some("b"));
    assert_eq!(fields[1].i32().unwrap().get(1), None);
}

#[tokio::test]
async fn polars_data_round_trips_through_spark() {
    let spark = utc_session().await;
    let original = spark.sql(EVERY_TYPE).await.unwrap();
    let local = original.to_polars().await.unwrap();
    // polars -> Spark -> polars keeps every type but the map (polars has none: its list of
    // entries goes back as an array of key-value structs) and every value.
    let again = spark.create_dataframe_from_polars(&local).await.unwrap();
    let dtypes = again.dtypes().await.unwrap();
    let expected = [
        ("b", "boolean"),
        ("byte", "tinyint"),
        ("short", "smallint"),
        ("int", "int"),
        ("long", "bigint"),
        ("float", "float"),
        ("double", "double"),
        ("dec", "decimal(10,2)"),
        ("dec38", "decimal(38,18)"),
        ("str", "string"),
        ("vc", "string"),
        ("bin", "binary"),
        ("date", "date"),
        ("ts", "timestamp"),
        ("ts_ntz", "timestamp_ntz"),
        ("dti", "interval day to second"),
        ("arr", "array<int>"),
        ("st", "struct<x:int,y:string>"),
        ("m", "array<struct<key:string,value:int>>"),
        ("nested", "array<struct<k:array<double>>>"),
        ("void", "void"),
    ];
    let got: Vec<(&str, &str)> = dtypes
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    assert_eq!(got, expected);
    let back = again.to_polars().await.unwrap();
    assert!(
        back.equals_missing(&local),
        "the data changed on the way:\n{local}\n{back}"
    );
    // And Spark sees the same values as it computed: comparing in Spark, every column but
    // the map (now an array) matches the original.
    let compared: Vec<_> = expected
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| *n != "m")
        .collect();
    let diff = original
        .select(compared.clone())
        .except_all(&again.select(compared))
        .count()
        .await
        .unwrap();
    assert_eq!(diff, 0);
}

#[tokio::test]
async fn a_multi_batch_result_becomes_one_polars_frame_with_chunks() {
    let spark = session().await;
    spark
        .conf()
        .set("spark.sql.execution.arrow.maxRecordsPerBatch", 1000)
        .await
        .unwrap();
    let df = spark
        .range(0, 10_000)
        .repartition(4)
        .with_column("label", col("id").cast("string"))
        .order_by([col("id")]);
    let batches = df.collect().await.unwrap();
    assert!(batches.len() >= 10, "{} batches", batches.len());
    let local = df.to_polars().await.unwrap();
    assert_eq!(local.height(), 10_000);
    let id = local.column("id").unwrap().as_materialized_series();
    assert_eq!(id.n_chunks(), batches.len());
    let ids: Vec<Option<i64>> = id.i64().unwrap().iter().collect();
    assert_eq!(ids, (0..10_000).map(Some).collect::<Vec<_>>());
    let label = local.column("label").unwrap().str().unwrap();
    assert_eq!(label.get(9_999), Some("9999"));

    // Back into Spark: one batch per chunk, all rows.
    let again = spark.create_dataframe_from_polars(&local).await.unwrap();
    assert_eq!(again.count().await.unwrap(), 10_000);
    let sum = again
        .agg([databricks_connect::functions::sum(col("id")).alias("s")])
        .collect_rows()
        .await
        .unwrap();
    assert_eq!(sum[0].get::<i64>("s").unwrap(), (0..10_000).sum::<i64>());
}

#[tokio::test]
async fn an_empty_result_keeps_its_schema_in_polars() {
    let spark = session().await;
    let df = spark
        .sql("SELECT CAST(1 AS INT) AS a, 'x' AS b, CAST(1 AS DECIMAL(5,1)) AS c")
        .await
        .unwrap()
        .filter(lit(false));
    let local = df.to_polars().await.unwrap();
    assert_eq!(local.shape(), (0, 3));
    let types: Vec<String> = local
        .columns()
        .iter()
        .map(|c| c.dtype().to_string())
        .collect();
    assert_eq!(types, ["i32", "str", "decimal[5,1]"]);
    let again = spark.create_dataframe_from_polars(&local).await.unwrap();
    assert_eq!(again.count().await.unwrap(), 0);
    assert_eq!(
        again.dtypes().await.unwrap(),
        [("a", "int"), ("b", "string"), ("c", "decimal(5,1)")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
}

#[tokio::test]
async fn a_year_month_interval_is_a_clear_error() {
    let spark = session().await;
    let df = spark
        .sql("SELECT 1 AS id, INTERVAL '1-2' YEAR TO MONTH AS age")
        .await
        .unwrap();
    let e = df.to_polars().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    let text = e.to_string();
    assert!(text.contains("column 'age'"), "{text}");
    assert!(text.contains("interval year to month"), "{text}");
}

#[tokio::test]
async fn polars_types_spark_lacks_are_converted_or_refused() {
    let spark = session().await;
    let local = PlDataFrame::new_infer_height(vec![
        Column::new("u32".into(), [u32::MAX]),
        Column::new("u64".into(), [u64::MAX]),
        Series::new("at".into(), [1_500i64])
            .cast(&PlType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap()
            .into(),
    ])
    .unwrap();
    let df = spark.create_dataframe_from_polars(&local).await.unwrap();
    assert_eq!(
        df.dtypes().await.unwrap(),
        [
            ("u32", "bigint"),
            ("u64", "decimal(20,0)"),
            ("at", "timestamp_ntz")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let text = df
        .select([col("u64").cast("string"), col("at").cast("string")])
        .collect_rows()
        .await
        .unwrap()[0]
        .to_string();
    assert!(text.contains("18446744073709551615"), "{text}");
    assert!(text.contains("1970-01-01 00:00:01.5"), "{text}");

    let wide =
        PlDataFrame::new_infer_height(vec![Series::new("big".into(), [1i128]).into()]).unwrap();
    let e = spark.create_dataframe_from_polars(&wide).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conversion);
    assert!(e.to_string().contains("column 'big'"), "{e}");
}

#[tokio::test]
async fn a_variant_arrives_as_the_struct_spark_encodes_it_as() {
    // (Spark 4.3 refuses TIME results unless its time type is enabled; polars' `Time` is
    // covered by the unit tests.)
    let spark = utc_session().await;
    let df = spark
        .sql(r#"SELECT parse_json('{"a": 1}') AS v"#)
        .await
        .unwrap()
        .to_polars()
        .await
        .unwrap();
    // A variant is the struct of two binaries Spark encodes it as.
    let v = df.column("v").unwrap().dtype().to_string();
    assert_eq!(v, "struct[2]");
    let fields = df
        .column("v")
        .unwrap()
        .as_materialized_series()
        .struct_()
        .unwrap()
        .fields_as_series();
    let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["value", "metadata"]);
    assert_eq!(fields[0].dtype(), &PlType::Binary);
}

/// Why unsigned integers are widened before they are sent: Spark refuses them as Arrow
/// (`create_dataframe` passes Arrow batches on as they are).
#[tokio::test]
async fn spark_itself_refuses_unsigned_arrow_integers() {
    use std::sync::Arc;
    let spark = session().await;
    let batch = arrow_array::RecordBatch::try_from_iter([(
        "u",
        Arc::new(arrow_array::UInt32Array::from(vec![1u32])) as arrow_array::ArrayRef,
    )])
    .unwrap();
    let result = match spark.create_dataframe(&[batch]).await {
        Ok(df) => df.collect().await.map(|_| ()),
        Err(e) => Err(e),
    };
    let e = result.unwrap_err();
    assert!(e.server_error().is_some(), "{e}");
}
