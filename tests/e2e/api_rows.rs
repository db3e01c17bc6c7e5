//! Rows read by name or position, and typed timestamps, against the real server.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use databricks_connect::row::{CalendarInterval, Decimal, YearMonthInterval};
use databricks_connect::{DataType, Row, SparkError, StructField, StructType};
use serde::{Deserialize, Serialize};

use crate::{session, utc_session};

/// One row of every type the server sends, then the same columns all null.
const MIXED: &str = "SELECT * FROM VALUES \
    (1, true, CAST(-7 AS TINYINT), CAST(300 AS SMALLINT), 70000, 5000000000L, \
     CAST(1.5 AS FLOAT), 0.25D, CAST(12.50 AS DECIMAL(10, 2)), 'it''s', X'CAFE00', \
     DATE'2024-02-29', TIMESTAMP'2024-02-29 12:34:56.789012', \
     TIMESTAMP_NTZ'1999-12-31 23:59:59.5', INTERVAL '1 02:03:04.5' DAY TO SECOND, \
     INTERVAL '1-2' YEAR TO MONTH, array(1, NULL, 3), map('a', 1, 'b', NULL), \
     named_struct('city', 'Łódź', 'zip', CAST(NULL AS INT))), \
    (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
     NULL, NULL, NULL, NULL) \
    AS t(id, flag, tiny, small, int, big, real, double, amount, name, blob, day, at, ntz, \
         span, months, tags, attrs, address)";

#[tokio::test]
async fn rows_of_a_mixed_query_read_by_name_and_position() {
    let spark = utc_session().await;
    let df = spark.sql(MIXED).await.unwrap().order_by(["id"]);
    let rows = df.collect_rows().await.unwrap();
    assert_eq!(rows.len(), 2);
    let r = &rows[0];
    assert_eq!(r.get::<i32>("id").unwrap(), 1);
    assert_eq!(r.get::<i64>(0).unwrap(), 1);
    assert!(r.get::<bool>("flag").unwrap());
    assert_eq!(r.get::<i8>("tiny").unwrap(), -7);
    assert_eq!(r.get::<i16>("small").unwrap(), 300);
    assert_eq!(r.get::<i32>("int").unwrap(), 70_000);
    assert_eq!(r.get::<i64>("big").unwrap(), 5_000_000_000);
    assert_eq!(r.get::<f32>("real").unwrap(), 1.5);
    assert_eq!(r.get::<f64>("double").unwrap(), 0.25);
    assert_eq!(r.get::<Decimal>("amount").unwrap().to_string(), "12.50");
    assert_eq!(r.get::<String>("name").unwrap(), "it's");
    assert_eq!(r.get::<Vec<u8>>("blob").unwrap(), [0xca, 0xfe, 0]);
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    assert_eq!(r.get::<NaiveDate>("day").unwrap(), day);
    let at = day.and_hms_micro_opt(12, 34, 56, 789_012).unwrap();
    assert_eq!(r.get::<DateTime<Utc>>("at").unwrap(), at.and_utc());
    assert_eq!(r.get::<NaiveDateTime>("at").unwrap(), at);
    let ntz = NaiveDate::from_ymd_opt(1999, 12, 31)
        .unwrap()
        .and_hms_milli_opt(23, 59, 59, 500)
        .unwrap();
    assert_eq!(r.get::<NaiveDateTime>("ntz").unwrap(), ntz);
    assert_eq!(
        r.get::<TimeDelta>("span").unwrap(),
        TimeDelta::microseconds(93_784_500_000)
    );
    assert_eq!(
        r.get::<YearMonthInterval>("months").unwrap(),
        YearMonthInterval { months: 14 }
    );
    assert_eq!(
        r.get::<Vec<Option<i32>>>("tags").unwrap(),
        [Some(1), None, Some(3)]
    );
    assert_eq!(
        r.get::<BTreeMap<String, Option<i32>>>("attrs").unwrap(),
        BTreeMap::from([("a".into(), Some(1)), ("b".into(), None)])
    );
    let address = r.get::<Row>("address").unwrap();
    assert_eq!(address.get::<String>("city").unwrap(), "Łódź");
    assert_eq!(address.get::<Option<i32>>("zip").unwrap(), None);
    assert_eq!(
        r.to_string(),
        "Row(id=1, flag=True, tiny=-7, small=300, int=70000, big=5000000000, real=1.5, \
         double=0.25, amount=Decimal('12.50'), name=\"it's\", blob=b'\\xca\\xfe\\x00', \
         day=datetime.date(2024, 2, 29), at=datetime.datetime(2024, 2, 29, 12, 34, 56, 789012), \
         ntz=datetime.datetime(1999, 12, 31, 23, 59, 59, 500000), \
         span=datetime.timedelta(days=1, seconds=7384, microseconds=500000), \
         months=INTERVAL '1-2' YEAR TO MONTH, tags=[1, None, 3], attrs={'a': 1, 'b': None}, \
         address=Row(city='Łódź', zip=None))"
    );
    assert_eq!(
        r.names().collect::<Vec<_>>(),
        df.columns().await.unwrap(),
        "the row's names are the DataFrame's columns"
    );
    assert_eq!(
        r.schema()
            .fields
            .iter()
            .map(|f| f.data_type.type_name())
            .collect::<Vec<_>>()[..14],
        df.dtypes().await.unwrap()[..14]
            .iter()
            .map(|(_, t)| t.clone())
            .collect::<Vec<_>>(),
        "the row's Spark types are the server's (up to interval fields and nullability)"
    );

    // The null row: None for every Option, an error naming the column otherwise.
    let r = &rows[1];
    assert_eq!(r.get::<Option<bool>>("flag").unwrap(), None);
    assert_eq!(r.get::<Option<NaiveDateTime>>("at").unwrap(), None);
    assert_eq!(r.get::<Option<Row>>("address").unwrap(), None);
    let e = r.get::<String>("name").unwrap_err();
    assert!(
        matches!(&e, SparkError::NullValue { column, .. } if column == "name"),
        "{e:?}"
    );

    // Wrong types and names are errors that say what is there, never panics.
    let e = rows[0].get::<i64>("name").unwrap_err();
    assert_eq!(
        e.to_string(),
        "column `name`: a value of Spark type string (Arrow Utf8) cannot be read as i64; it \
         reads as String, &str"
    );
    let e = rows[0].get::<i64>("nope").unwrap_err();
    assert!(
        matches!(&e, SparkError::NoSuchColumn { name, .. } if name == "nope"),
        "{e:?}"
    );
    let e = rows[0].get::<i64>(99).unwrap_err();
    assert!(
        matches!(e, SparkError::ColumnIndexOutOfRange { index: 99, len: 19 }),
        "{e:?}"
    );

    // A join's result has two `id` columns: by name is ambiguous, by position is not.
    let left = spark.sql("SELECT 1 AS id, 'l' AS side").await.unwrap();
    let right = spark.sql("SELECT 1 AS id, 'r' AS other").await.unwrap();
    let joined = left
        .cross_join(&right)
        .first()
        .await
        .unwrap()
        .expect("one row");
    assert!(matches!(
        joined.get::<i32>("id"),
        Err(SparkError::AmbiguousColumn { .. })
    ));
    assert_eq!(joined.get::<i32>(2).unwrap(), 1);
    assert_eq!(joined.get::<&str>("other").unwrap(), "r");
}

#[tokio::test]
async fn first_head_take_and_tail_give_rows() {
    let spark = session().await;
    let df = spark.range(0, 10).order_by(["id"]);
    let first = df.first().await.unwrap().expect("a first row");
    assert_eq!(first.get::<i64>("id").unwrap(), 0);
    assert_eq!(first.to_string(), "Row(id=0)");
    let ids =
        |rows: Vec<Row>| -> Vec<i64> { rows.iter().map(|r| r.get::<i64>("id").unwrap()).collect() };
    assert_eq!(ids(df.head(3).await.unwrap()), [0, 1, 2]);
    assert_eq!(ids(df.take(2).await.unwrap()), [0, 1]);
    assert_eq!(ids(df.tail(2).await.unwrap()), [8, 9]);
    assert_eq!(
        ids(df.collect_rows().await.unwrap()),
        (0..10).collect::<Vec<_>>()
    );
    // The batches are still there: collect() and limit(n).collect().
    let batches = df.clone().limit(3).collect().await.unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
    assert_eq!(ids(Row::from_batches(&batches)), [0, 1, 2]);

    // No rows: first() is None, head() and collect_rows() are empty.
    let empty = spark.range(0, 0);
    assert!(empty.first().await.unwrap().is_none());
    assert!(empty.head(5).await.unwrap().is_empty());
    assert!(empty.collect_rows().await.unwrap().is_empty());
    let filtered = spark
        .sql("SELECT 'x' AS name")
        .await
        .unwrap()
        .filter(databricks_connect::functions::col("name").eq("y"));
    assert!(filtered.first().await.unwrap().is_none());
}

/// Both Spark timestamp types, read into chrono's types by `collect_as` and by the getters,
/// in a session time zone that is not UTC (so the wall-clock and the instant differ).
#[tokio::test]
async fn typed_timestamps_of_both_spark_types() {
    let spark = session().await;
    spark
        .conf()
        .set("spark.sql.session.timeZone", "America/Los_Angeles")
        .await
        .unwrap();
    let df = spark
        .sql(
            "SELECT TIMESTAMP'2024-02-29 12:34:56.789012' AS at, \
             TIMESTAMP_NTZ'2024-02-29 12:34:56.789012' AS ntz, \
             TIMESTAMP'2024-07-01 00:00:00' AS summer, \
             CAST(NULL AS TIMESTAMP) AS nothing, DATE'2024-02-29' AS day",
        )
        .await
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let wall = day.and_hms_micro_opt(12, 34, 56, 789_012).unwrap();
    // Los Angeles is UTC-8 in February, UTC-7 in July.
    let instant = (wall + TimeDelta::hours(8)).and_utc();
    let summer_wall = NaiveDate::from_ymd_opt(2024, 7, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();

    #[derive(Deserialize, Debug, PartialEq)]
    struct Naive {
        at: NaiveDateTime,
        ntz: NaiveDateTime,
        summer: NaiveDateTime,
        nothing: Option<NaiveDateTime>,
        day: NaiveDate,
    }
    assert_eq!(
        df.collect_as::<Naive>().await.unwrap(),
        [Naive {
            at: wall,
            ntz: wall,
            summer: summer_wall,
            nothing: None,
            day,
        }]
    );

    #[derive(Deserialize, Debug, PartialEq)]
    struct Instants {
        at: DateTime<Utc>,
        summer: DateTime<Utc>,
        nothing: Option<DateTime<Utc>>,
    }
    assert_eq!(
        df.collect_as::<Instants>().await.unwrap(),
        [Instants {
            at: instant,
            summer: (summer_wall + TimeDelta::hours(7)).and_utc(),
            nothing: None,
        }]
    );

    // A timestamp_ntz has no time zone: read as an instant it is an error naming the column.
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct NtzInstant {
        ntz: DateTime<Utc>,
    }
    let e = df.collect_as::<NtzInstant>().await.unwrap_err();
    assert!(
        matches!(&e, SparkError::ValueType { column, spark_type, .. }
            if column == "ntz" && spark_type == "timestamp_ntz"),
        "{e:?}"
    );

    // The getters agree.
    let row = df.first().await.unwrap().unwrap();
    assert_eq!(row.get::<NaiveDateTime>("at").unwrap(), wall);
    assert_eq!(row.get::<DateTime<Utc>>("at").unwrap(), instant);
    assert_eq!(row.get::<NaiveDateTime>("ntz").unwrap(), wall);
    assert!(row.get::<DateTime<Utc>>("ntz").is_err());
    assert!(
        row.to_string()
            .starts_with("Row(at=datetime.datetime(2024, 2, 29, 12, 34, 56, 789012), "),
        "{row}"
    );
}

/// Rust's chrono values into Spark's `date`, `timestamp` and `timestamp_ntz` columns, and
/// back: the values Spark computes with are the ones meant. The session time zone is not UTC,
/// so a wall-clock time (`NaiveDateTime`) in a `timestamp` column is a time there, as reading
/// one gives it.
#[tokio::test]
async fn chrono_values_go_in_as_dates_and_both_timestamp_types() {
    let spark = session().await;
    spark
        .conf()
        .set("spark.sql.session.timeZone", "Asia/Kolkata")
        .await
        .unwrap();
    #[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
    struct Event {
        id: i64,
        day: NaiveDate,
        at: DateTime<Utc>,
        local: NaiveDateTime,
        seen: Option<NaiveDateTime>,
    }
    let schema = StructType::new([
        StructField::new("id", DataType::Long, false),
        StructField::new("day", DataType::Date, false),
        StructField::new("at", DataType::Timestamp, false),
        StructField::new("local", DataType::TimestampNtz, false),
        StructField::new("seen", DataType::Timestamp, true),
    ]);
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let wall = day.and_hms_micro_opt(23, 59, 58, 999_999).unwrap();
    let events = vec![
        Event {
            id: 1,
            day,
            at: wall.and_utc(),
            local: wall,
            seen: Some(wall),
        },
        Event {
            id: 2,
            day: day.succ_opt().unwrap(),
            at: DateTime::UNIX_EPOCH,
            local: DateTime::UNIX_EPOCH.naive_utc(),
            seen: None,
        },
    ];
    let df = spark
        .create_dataframe_from_with_schema(&events, &schema)
        .await
        .unwrap();
    assert_eq!(
        df.dtypes().await.unwrap(),
        [
            ("id", "bigint"),
            ("day", "date"),
            ("at", "timestamp"),
            ("local", "timestamp_ntz"),
            ("seen", "timestamp"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    // Spark sees the values: the text it makes of them, and their epoch microseconds.
    let check = df
        .clone()
        .filter(databricks_connect::functions::col("id").eq(1))
        .select_expr([
            "CAST(day AS STRING) AS day",
            "CAST(at AS STRING) AS at",
            "CAST(local AS STRING) AS local",
            "CAST(seen AS STRING) AS seen",
            "unix_micros(at) AS at_micros",
            "unix_micros(seen) AS seen_micros",
        ])
        .first()
        .await
        .unwrap()
        .unwrap();
    let kolkata = TimeDelta::minutes(5 * 60 + 30);
    assert_eq!(check.get::<&str>("day").unwrap(), "2024-02-29");
    // The instant, shown in the session time zone (UTC+5:30).
    assert_eq!(
        check.get::<&str>("at").unwrap(),
        "2024-03-01 05:29:58.999999"
    );
    assert_eq!(
        check.get::<i64>("at_micros").unwrap(),
        wall.and_utc().timestamp_micros()
    );
    assert_eq!(
        check.get::<&str>("local").unwrap(),
        "2024-02-29 23:59:58.999999"
    );
    // The wall-clock time, taken in the session time zone.
    assert_eq!(
        check.get::<&str>("seen").unwrap(),
        "2024-02-29 23:59:58.999999"
    );
    assert_eq!(
        check.get::<i64>("seen_micros").unwrap(),
        (wall - kolkata).and_utc().timestamp_micros()
    );
    let back: Vec<Event> = df.order_by(["id"]).collect_as().await.unwrap();
    assert_eq!(back, events);

    // Without a schema, chrono's types give the Spark types they mean.
    let traced = spark.create_dataframe_from(&events).await.unwrap();
    assert_eq!(
        traced.dtypes().await.unwrap(),
        [
            ("id", "bigint"),
            ("day", "date"),
            ("at", "timestamp"),
            ("local", "timestamp_ntz"),
            ("seen", "timestamp_ntz"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let back: Vec<Event> = traced.order_by(["id"]).collect_as().await.unwrap();
    assert_eq!(back, events);

    // An instant for a timestamp_ntz column is refused, as reading one as an instant is.
    #[derive(Serialize)]
    struct Wrong {
        local: DateTime<Utc>,
    }
    let e = spark
        .create_dataframe_from_with_schema(
            &[Wrong {
                local: DateTime::UNIX_EPOCH,
            }],
            &StructType::new([StructField::new("local", DataType::TimestampNtz, false)]),
        )
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("column `local` is a timestamp_ntz") && text.contains("NaiveDateTime"),
        "{text}"
    );
}

#[tokio::test]
async fn calendar_intervals_and_rows_through_serde() {
    let spark = session().await;
    let row = spark
        .sql(
            "SELECT make_interval(1, 2, 0, 3, 4, 5, 6.5) AS calendar, \
             named_struct('city', 'Oslo', 'tags', array('a', 'b')) AS address",
        )
        .await
        .unwrap()
        .first()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row.get::<CalendarInterval>("calendar").unwrap(),
        CalendarInterval {
            months: 14,
            days: 3,
            microseconds: ((4 * 60 + 5) * 60 + 6) * 1_000_000 + 500_000,
        }
    );
    #[derive(Deserialize, Debug, PartialEq)]
    struct Address {
        city: String,
        tags: Vec<String>,
    }
    assert_eq!(
        row.get_as::<Address>("address").unwrap(),
        Address {
            city: "Oslo".into(),
            tags: vec!["a".into(), "b".into()],
        }
    );
    let dict: BTreeMap<String, serde_json::Value> = row.deserialize().unwrap();
    assert_eq!(
        dict["address"],
        serde_json::json!({"city": "Oslo", "tags": ["a", "b"]})
    );
}
