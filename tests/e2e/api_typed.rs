//! Typed rows with serde: DataFrames from Rust values and results as Rust values.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use databricks_connect::functions::col;
use databricks_connect::{DataType, SparkError, StructField, StructType};
use serde::{Deserialize, Serialize};

use crate::{session, utc_session};

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Address {
    city: String,
    zip: Option<i32>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Everything {
    id: i64,
    tiny: i8,
    small: i16,
    int: i32,
    real: f32,
    double: f64,
    flag: bool,
    name: String,
    maybe: Option<i64>,
    scores: Vec<i32>,
    address: Address,
    #[serde(with = "serde_bytes")]
    blob: Vec<u8>,
    attrs: BTreeMap<String, i32>,
}

fn everything() -> Vec<Everything> {
    (0..50)
        .map(|i| Everything {
            id: i,
            tiny: (i as i8).wrapping_mul(5).wrapping_sub(100),
            small: -30_000 + i as i16,
            int: i as i32 * 1_000_003,
            real: i as f32 / 8.0,
            double: i as f64 * 1e-3 - 0.5,
            flag: i % 3 == 0,
            name: format!("Zoë-{i}-日本"),
            maybe: (i % 4 != 0).then_some(i * i),
            scores: (0..(i % 5) as i32).collect(),
            address: Address {
                city: format!("Kraków {i}"),
                zip: (i % 2 == 0).then_some(30_000 + i as i32),
            },
            blob: vec![0, 255, i as u8],
            attrs: BTreeMap::from([("a".to_string(), i as i32), (format!("k{i}"), -1)]),
        })
        .collect()
}

#[tokio::test]
async fn rust_values_round_trip_with_spark_types() {
    let spark = session().await;
    let rows = everything();
    let df = spark.create_dataframe_from(&rows).await.unwrap();
    assert_eq!(
        df.dtypes().await.unwrap(),
        [
            ("id", "bigint"),
            ("tiny", "tinyint"),
            ("small", "smallint"),
            ("int", "int"),
            ("real", "float"),
            ("double", "double"),
            ("flag", "boolean"),
            ("name", "string"),
            ("maybe", "bigint"),
            ("scores", "array<int>"),
            ("address", "struct<city:string,zip:int>"),
            ("blob", "binary"),
            ("attrs", "map<string,int>"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let back: Vec<Everything> = df.order_by([col("id")]).collect_as().await.unwrap();
    assert_eq!(back, rows);

    // The server sees the same values: aggregates computed there match ones computed here.
    #[derive(Deserialize, Debug, PartialEq)]
    struct Sums {
        ints: i64,
        maybes: i64,
        nulls: i64,
        name_chars: i64,
        score_count: i64,
        flags: i64,
        cities: i64,
    }
    let sums: Vec<Sums> = df
        .select_expr([
            "sum(int) AS ints",
            "sum(maybe) AS maybes",
            "count_if(maybe IS NULL) AS nulls",
            "sum(char_length(name)) AS name_chars",
            "sum(size(scores)) AS score_count",
            "count_if(flag) AS flags",
            "count_if(address.city LIKE 'Kraków %') AS cities",
        ])
        .collect_as()
        .await
        .unwrap();
    let expected = Sums {
        ints: rows.iter().map(|r| r.int as i64).sum(),
        maybes: rows.iter().filter_map(|r| r.maybe).sum(),
        nulls: rows.iter().filter(|r| r.maybe.is_none()).count() as i64,
        name_chars: rows.iter().map(|r| r.name.chars().count() as i64).sum(),
        score_count: rows.iter().map(|r| r.scores.len() as i64).sum(),
        flags: rows.iter().filter(|r| r.flag).count() as i64,
        cities: rows.len() as i64,
    };
    assert_eq!(sums, [expected]);
}

#[tokio::test]
async fn spark_types_read_into_rust_values() {
    let spark = utc_session().await;
    #[derive(Deserialize, Debug, PartialEq)]
    struct FromSql {
        a: i8,
        b: i16,
        c: i32,
        d: i64,
        e: f32,
        f: f64,
        g: bool,
        h: String,
        i: Option<i32>,
        j: Vec<i64>,
        k: Address,
        l: BTreeMap<String, i64>,
        m: NaiveDate,
        n: DateTime<Utc>,
        o: NaiveDateTime,
        p: String,
        #[serde(with = "serde_bytes")]
        q: Vec<u8>,
        days: i32,
        micros: i64,
    }
    let df = spark
        .sql(
            "SELECT CAST(-7 AS TINYINT) a, CAST(300 AS SMALLINT) b, 70000 c, 5000000000L d, \
             CAST(1.5 AS FLOAT) e, 2.25D f, true g, 'héllo wörld' h, CAST(NULL AS INT) i, \
             array(1L, 2L, 3L) j, named_struct('city', 'Łódź', 'zip', CAST(NULL AS INT)) k, \
             map('x', 1L, 'y', 2L) l, DATE'2024-02-29' m, \
             TIMESTAMP'2024-02-29 12:34:56.789012' n, \
             TIMESTAMP_NTZ'1999-12-31 23:59:59.5' o, CAST(12.50 AS DECIMAL(10, 2)) p, \
             X'CAFE00' q, DATE'1970-01-11' days, TIMESTAMP'1970-01-01 00:00:01.000002' micros",
        )
        .await
        .unwrap();
    let rows: Vec<FromSql> = df.collect_as().await.unwrap();
    let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    assert_eq!(
        rows,
        [FromSql {
            a: -7,
            b: 300,
            c: 70000,
            d: 5_000_000_000,
            e: 1.5,
            f: 2.25,
            g: true,
            h: "héllo wörld".into(),
            i: None,
            j: vec![1, 2, 3],
            k: Address {
                city: "Łódź".into(),
                zip: None
            },
            l: BTreeMap::from([("x".into(), 1), ("y".into(), 2)]),
            m: date,
            n: date
                .and_hms_micro_opt(12, 34, 56, 789_012)
                .unwrap()
                .and_utc(),
            o: NaiveDate::from_ymd_opt(1999, 12, 31)
                .unwrap()
                .and_hms_milli_opt(23, 59, 59, 500)
                .unwrap(),
            p: "12.50".into(),
            q: vec![0xca, 0xfe, 0],
            days: 10,
            micros: 1_000_002,
        }]
    );
}

#[tokio::test]
async fn an_explicit_schema_gives_dates_timestamps_decimals_and_empty_frames() {
    let spark = utc_session().await;
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Payment {
        id: i64,
        day: NaiveDate,
        at: DateTime<Utc>,
        amount: String,
    }
    let schema = StructType {
        fields: vec![
            StructField {
                name: "id".into(),
                data_type: DataType::Long,
                nullable: false,
                metadata: None,
            },
            StructField {
                name: "day".into(),
                data_type: DataType::Date,
                nullable: false,
                metadata: None,
            },
            StructField {
                name: "at".into(),
                data_type: DataType::Timestamp,
                nullable: false,
                metadata: None,
            },
            StructField {
                name: "amount".into(),
                data_type: DataType::Decimal {
                    precision: 12,
                    scale: 2,
                },
                nullable: false,
                metadata: None,
            },
        ],
    };
    let day = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
    let rows = vec![
        Payment {
            id: 1,
            day,
            at: day.and_hms_opt(23, 0, 1).unwrap().and_utc(),
            amount: "10.25".into(),
        },
        Payment {
            id: 2,
            day: day.succ_opt().unwrap(),
            at: day.and_hms_micro_opt(1, 2, 3, 4).unwrap().and_utc(),
            amount: "-0.50".into(),
        },
    ];
    let df = spark
        .create_dataframe_from_with_schema(&rows, &schema)
        .await
        .unwrap();
    assert_eq!(
        df.dtypes().await.unwrap(),
        [
            ("id", "bigint"),
            ("day", "date"),
            ("at", "timestamp"),
            ("amount", "decimal(12,2)")
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    // Spark computes on the typed values: date arithmetic, epoch seconds, decimal sums.
    #[derive(Deserialize, Debug, PartialEq)]
    struct Check {
        next_day: NaiveDate,
        epoch: i64,
        total: String,
    }
    let check: Vec<Check> = df
        .filter(col("id").eq(1))
        .select_expr([
            "date_add(day, 1) AS next_day",
            "unix_micros(at) AS epoch",
            "CAST(amount * 2 AS STRING) AS total",
        ])
        .collect_as()
        .await
        .unwrap();
    assert_eq!(
        check,
        [Check {
            next_day: day.succ_opt().unwrap(),
            epoch: rows[0].at.timestamp_micros(),
            total: "20.50".into(),
        }]
    );
    let back: Vec<Payment> = df.order_by([col("id")]).collect_as().await.unwrap();
    assert_eq!(back, rows);

    let empty = spark
        .create_dataframe_from_with_schema::<Payment>(&[], &schema)
        .await
        .unwrap();
    assert_eq!(empty.count().await.unwrap(), 0);
    assert_eq!(
        empty.columns().await.unwrap(),
        ["id", "day", "at", "amount"]
    );
    assert_eq!(empty.collect_as::<Payment>().await.unwrap(), []);

    let e = spark
        .create_dataframe_from::<Payment>(&[])
        .await
        .unwrap_err();
    assert!(matches!(e, SparkError::InvalidArgument(_)), "{e:?}");
    assert!(e.to_string().contains("no rows"), "{e}");
}

#[tokio::test]
async fn mismatches_are_errors_naming_the_column() {
    let spark = session().await;
    let df = spark
        .sql("SELECT 'forty' AS age, CAST(NULL AS BIGINT) AS id, 'x' AS name")
        .await
        .unwrap();

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct WrongType {
        age: i32,
    }
    let e = df.collect_as::<WrongType>().await.unwrap_err();
    assert!(matches!(e, SparkError::Conversion(_)), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("column `age` of Spark type string (Arrow Utf8)"),
        "{text}"
    );
    assert!(text.contains("WrongType"), "{text}");

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct NotOptional {
        id: i64,
    }
    let text = df
        .collect_as::<NotOptional>()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("column `id`") && text.contains("null"),
        "{text}"
    );

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Missing {
        name: String,
        height: f64,
    }
    let text = df.collect_as::<Missing>().await.unwrap_err().to_string();
    assert!(text.contains("missing field `height`"), "{text}");

    // Values whose type Spark cannot hold are errors too, before anything is sent.
    #[derive(Serialize)]
    struct Unsigned {
        big: u64,
    }
    let text = spark
        .create_dataframe_from(&[Unsigned { big: 1 }, Unsigned { big: u64::MAX }])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("column `big`") && text.contains("out of range"),
        "{text}"
    );
}

#[tokio::test]
async fn stream_as_yields_every_row_in_order() {
    use futures_util::StreamExt;

    let spark = session().await;
    #[derive(Deserialize, Debug, PartialEq)]
    struct Row {
        id: i64,
        text: String,
    }
    let df = spark
        .sql("SELECT id, concat('row ', id) AS text FROM range(0, 25000, 1, 4) ORDER BY id")
        .await
        .unwrap();
    let mut stream = df.stream_as::<Row>().await.unwrap();
    let mut next = 0;
    while let Some(row) = stream.next().await {
        let row = row.unwrap();
        assert_eq!(
            row,
            Row {
                id: next,
                text: format!("row {next}")
            }
        );
        next += 1;
    }
    assert_eq!(next, 25000);
}
