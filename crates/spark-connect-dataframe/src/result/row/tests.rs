//! The getters, `Display` and serde reading of rows, over batches of every type Spark sends.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use arrow_array::builder::{Int32Builder, ListBuilder, MapBuilder, StringBuilder};
use arrow_array::types::IntervalMonthDayNano;
use arrow_array::*;
use arrow_schema::{DataType as ArrowType, Field, Fields};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

use super::*;
use crate::types::DataType;

/// Two rows of every type Spark sends, the second all nulls (but the `void` column, null in
/// both, and the key column).
fn every_type() -> RecordBatch {
    let micros = 1_709_210_096_789_012; // 2024-02-29T12:34:56.789012Z
    let mut tags = ListBuilder::new(Int32Builder::new());
    tags.append_value([Some(1), None, Some(3)]);
    tags.append_null();
    let mut attrs = MapBuilder::new(None, StringBuilder::new(), Int32Builder::new());
    attrs.keys().append_value("a");
    attrs.values().append_value(1);
    attrs.keys().append_value("b");
    attrs.values().append_null();
    attrs.append(true).unwrap();
    attrs.append(false).unwrap();
    let address = StructArray::new(
        Fields::from(vec![
            Field::new("city", ArrowType::Utf8, false),
            Field::new("zip", ArrowType::Int32, true),
        ]),
        vec![
            Arc::new(StringArray::from(vec!["Łódź", ""])),
            Arc::new(Int32Array::from(vec![None, None])),
        ],
        Some(vec![true, false].into()),
    );
    RecordBatch::try_from_iter([
        ("key", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
        (
            "flag",
            Arc::new(BooleanArray::from(vec![Some(true), None])) as _,
        ),
        ("tiny", Arc::new(Int8Array::from(vec![Some(-7), None])) as _),
        (
            "small",
            Arc::new(Int16Array::from(vec![Some(300), None])) as _,
        ),
        (
            "int",
            Arc::new(Int32Array::from(vec![Some(70_000), None])) as _,
        ),
        (
            "big",
            Arc::new(Int64Array::from(vec![Some(5_000_000_000), None])) as _,
        ),
        (
            "real",
            Arc::new(Float32Array::from(vec![Some(1.5), None])) as _,
        ),
        (
            "double",
            Arc::new(Float64Array::from(vec![Some(0.1), None])) as _,
        ),
        (
            "amount",
            Arc::new(
                Decimal128Array::from(vec![Some(-1250), None])
                    .with_precision_and_scale(10, 2)
                    .unwrap(),
            ) as _,
        ),
        (
            "name",
            Arc::new(StringArray::from(vec![Some("it's"), None])) as _,
        ),
        (
            "blob",
            Arc::new(BinaryArray::from(vec![Some(&[0xca, 0xfe, 0][..]), None])) as _,
        ),
        (
            "day",
            Arc::new(Date32Array::from(vec![Some(19_782), None])) as _,
        ),
        (
            "at",
            Arc::new(
                TimestampMicrosecondArray::from(vec![Some(micros), None])
                    .with_timezone("America/New_York"),
            ) as _,
        ),
        (
            "ntz",
            Arc::new(TimestampMicrosecondArray::from(vec![Some(micros), None])) as _,
        ),
        (
            "span",
            Arc::new(DurationMicrosecondArray::from(vec![
                Some(93_784_500_000),
                None,
            ])) as _,
        ),
        (
            "months",
            Arc::new(IntervalYearMonthArray::from(vec![Some(14), None])) as _,
        ),
        (
            "calendar",
            Arc::new(IntervalMonthDayNanoArray::from(vec![
                Some(IntervalMonthDayNano::new(14, 25, 18_367_500_000_000)),
                None,
            ])) as _,
        ),
        ("tags", Arc::new(tags.finish()) as _),
        ("attrs", Arc::new(attrs.finish()) as _),
        ("address", Arc::new(address) as _),
        ("nothing", Arc::new(NullArray::new(2)) as _),
    ])
    .unwrap()
}

fn rows() -> Vec<Row> {
    Row::from_batch(&every_type())
}

#[test]
fn every_type_reads_by_name_and_position() {
    let rows = rows();
    let r = &rows[0];
    assert_eq!(r.len(), 21);
    assert_eq!(r.get::<i64>("key").unwrap(), 1);
    assert!(r.get::<bool>("flag").unwrap());
    assert_eq!(r.get::<i8>("tiny").unwrap(), -7);
    assert_eq!(r.get::<i16>("small").unwrap(), 300);
    assert_eq!(r.get::<i32>("int").unwrap(), 70_000);
    assert_eq!(r.get::<i64>("big").unwrap(), 5_000_000_000);
    assert_eq!(r.get::<f32>("real").unwrap(), 1.5);
    assert_eq!(r.get::<f64>("double").unwrap(), 0.1);
    let amount = r.get::<Decimal>("amount").unwrap();
    assert_eq!(amount.to_string(), "-12.50");
    assert_eq!(
        (amount.unscaled(), amount.precision(), amount.scale()),
        (-1250, 10, 2)
    );
    assert_eq!(r.get::<String>("name").unwrap(), "it's");
    assert_eq!(r.get::<&str>(9).unwrap(), "it's");
    assert_eq!(r.get::<Vec<u8>>("blob").unwrap(), [0xca, 0xfe, 0]);
    assert_eq!(r.get::<&[u8]>("blob").unwrap(), [0xca, 0xfe, 0]);
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    assert_eq!(r.get::<NaiveDate>("day").unwrap(), day);
    let instant = day.and_hms_micro_opt(12, 34, 56, 789_012).unwrap();
    // `timestamp`: the instant, or the wall-clock time in the column's time zone (EST, -5).
    assert_eq!(r.get::<DateTime<Utc>>("at").unwrap(), instant.and_utc());
    assert_eq!(
        r.get::<NaiveDateTime>("at").unwrap(),
        day.and_hms_micro_opt(7, 34, 56, 789_012).unwrap()
    );
    // `timestamp_ntz`: the wall-clock time as it is.
    assert_eq!(r.get::<NaiveDateTime>("ntz").unwrap(), instant);
    assert_eq!(
        r.get::<TimeDelta>("span").unwrap(),
        TimeDelta::microseconds(93_784_500_000)
    );
    assert_eq!(
        r.get::<YearMonthInterval>("months").unwrap(),
        YearMonthInterval { months: 14 }
    );
    assert_eq!(
        r.get::<CalendarInterval>("calendar").unwrap(),
        CalendarInterval {
            months: 14,
            days: 25,
            microseconds: 18_367_500_000
        }
    );
    assert_eq!(
        r.get::<Vec<Option<i32>>>("tags").unwrap(),
        [Some(1), None, Some(3)]
    );
    assert_eq!(
        r.get::<BTreeMap<String, Option<i32>>>("attrs").unwrap(),
        BTreeMap::from([("a".into(), Some(1)), ("b".into(), None)])
    );
    assert_eq!(
        r.get::<HashMap<&str, Option<i32>>>("attrs").unwrap()["a"],
        Some(1)
    );
    let address = r.get::<Row>("address").unwrap();
    assert_eq!(address.get::<&str>("city").unwrap(), "Łódź");
    assert_eq!(address.get::<Option<i32>>("zip").unwrap(), None);
    assert_eq!(r.get::<Option<i64>>("nothing").unwrap(), None);
    assert!(r.is_null("nothing").unwrap());
}

#[test]
fn integers_and_floats_widen_but_never_narrow() {
    let rows = rows();
    let r = &rows[0];
    assert_eq!(r.get::<i64>("tiny").unwrap(), -7);
    assert_eq!(r.get::<i128>("big").unwrap(), 5_000_000_000);
    assert_eq!(r.get::<i64>("int").unwrap(), 70_000);
    assert_eq!(r.get::<f64>("real").unwrap(), 1.5);
    let e = r.get::<i32>("big").unwrap_err();
    assert!(matches!(e, Error::ValueType { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "column `big`: a value of Spark type bigint (Arrow Int64) cannot be read as i32; it \
         reads as i64, i128"
    );
    assert!(matches!(
        r.get::<f32>("double"),
        Err(Error::ValueType { .. })
    ));
    assert!(matches!(r.get::<f64>("int"), Err(Error::ValueType { .. })));
}

#[test]
fn nulls_read_as_none_and_are_an_error_otherwise() {
    let rows = rows();
    let r = &rows[1];
    for name in r.names().skip(1) {
        assert!(r.is_null(name).unwrap(), "{name}");
    }
    assert_eq!(r.get::<Option<bool>>("flag").unwrap(), None);
    assert_eq!(r.get::<Option<Decimal>>("amount").unwrap(), None);
    assert_eq!(r.get::<Option<NaiveDateTime>>("at").unwrap(), None);
    assert_eq!(r.get::<Option<Vec<i32>>>("tags").unwrap(), None);
    assert_eq!(r.get::<Option<Row>>("address").unwrap(), None);
    assert_eq!(r.get::<Option<&str>>("name").unwrap(), None);
    let e = r.get::<String>("name").unwrap_err();
    assert!(matches!(e, Error::NullValue { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "column `name` is null here; read it as Option<String>"
    );
    let e = r.get::<Vec<u8>>("blob").unwrap_err();
    assert!(matches!(e, Error::NullValue { .. }), "{e:?}");
    // An element that is null needs an Option too.
    let e = rows[0].get::<Vec<i32>>("tags").unwrap_err();
    assert!(
        matches!(e, Error::NullValue { ref column, .. } if column == "tags"),
        "{e:?}"
    );
}

#[test]
fn a_wrong_type_names_the_column_and_the_types() {
    let rows = rows();
    let r = &rows[0];
    let e = r.get::<i64>("name").unwrap_err();
    match &e {
        Error::ValueType {
            column,
            spark_type,
            arrow_type,
            rust_type,
            ..
        } => {
            assert_eq!(column, "name");
            assert_eq!(spark_type, "string");
            assert_eq!(arrow_type, "Utf8");
            assert_eq!(rust_type, "i64");
        }
        other => panic!("{other:?}"),
    }
    // An instant from a timestamp_ntz: it has no time zone.
    let e = r.get::<DateTime<Utc>>("ntz").unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("timestamp_ntz") && text.contains("NaiveDateTime"),
        "{text}"
    );
    assert!(text.contains("DateTime<Utc>"), "{text}");
    // Nested values name the column that holds them and the element's own type.
    let e = r.get::<Vec<String>>("tags").unwrap_err();
    assert!(
        matches!(&e, Error::ValueType { column, spark_type, .. } if column == "tags" && spark_type == "int"),
        "{e:?}"
    );
    for e in [
        r.get::<String>("address").unwrap_err(),
        r.get::<Row>("tags").unwrap_err(),
        r.get::<NaiveDate>("at").unwrap_err(),
        r.get::<Decimal>("double").unwrap_err(),
        r.get::<YearMonthInterval>("calendar").unwrap_err(),
        r.get::<HashMap<String, i32>>("tags").unwrap_err(),
        r.get::<bool>("nothing").unwrap_err(),
    ] {
        assert!(
            matches!(e, Error::ValueType { .. } | Error::NullValue { .. }),
            "{e:?}"
        );
    }
}

#[test]
fn unknown_ambiguous_and_out_of_range_columns_are_errors() {
    let rows = rows();
    let r = &rows[0];
    let e = r.get::<i64>("Key").unwrap_err();
    assert!(
        matches!(&e, Error::NoSuchColumn { name, available } if name == "Key" && available.len() == 21)
    );
    assert!(
        e.to_string()
            .starts_with("the row has no column `Key`; its columns are: key, flag, ")
    );
    let e = r.get::<i64>(21).unwrap_err();
    assert!(matches!(
        e,
        Error::ColumnIndexOutOfRange { index: 21, len: 21 }
    ));
    assert_eq!(
        e.to_string(),
        "the row has no column at position 21: it has 21 columns"
    );
    assert_eq!(r.index_of("nothing"), Some(20));
    assert_eq!(r.get::<i64>(&"key".to_string()).unwrap(), 1);
    assert_eq!(r.get::<i64>("key".to_string()).unwrap(), 1);

    let joined = RecordBatch::try_new(
        Arc::new(arrow_schema::Schema::new(vec![
            Field::new("id", ArrowType::Int64, false),
            Field::new("x", ArrowType::Int64, false),
            Field::new("id", ArrowType::Int64, false),
        ])),
        vec![
            Arc::new(Int64Array::from(vec![1])),
            Arc::new(Int64Array::from(vec![2])),
            Arc::new(Int64Array::from(vec![3])),
        ],
    )
    .unwrap();
    let r = &Row::from_batch(&joined)[0];
    let e = r.get::<i64>("id").unwrap_err();
    assert!(matches!(&e, Error::AmbiguousColumn { positions, .. } if positions == &[0, 2]));
    assert!(e.to_string().contains("at positions 0, 2"), "{e}");
    assert_eq!(r.index_of("id"), None);
    assert_eq!(r.get::<i64>(2).unwrap(), 3);
}

#[test]
fn schema_and_fields_describe_the_columns() {
    let rows = rows();
    let r = &rows[0];
    let schema = r.schema();
    let types: Vec<String> = schema
        .fields
        .iter()
        .map(|f| f.data_type.type_name())
        .collect();
    assert_eq!(
        types,
        [
            "bigint",
            "boolean",
            "tinyint",
            "smallint",
            "int",
            "bigint",
            "float",
            "double",
            "decimal(10,2)",
            "string",
            "binary",
            "date",
            "timestamp",
            "timestamp_ntz",
            "interval day to second",
            "interval year to month",
            "interval",
            "array<int>",
            "map<string,int>",
            "struct<city:string,zip:int>",
            "void",
        ]
    );
    assert_eq!(r.fields().len(), 21);
    assert_eq!(r.names().next(), Some("key"));
    assert_eq!(r.value("at").unwrap().spark_type(), DataType::Timestamp);
}

#[test]
fn rows_print_as_pyspark_prints_them() {
    let rows = rows();
    assert_eq!(
        rows[0].to_string(),
        "Row(key=1, flag=True, tiny=-7, small=300, int=70000, big=5000000000, real=1.5, \
         double=0.1, amount=Decimal('-12.50'), name=\"it's\", blob=b'\\xca\\xfe\\x00', \
         day=datetime.date(2024, 2, 29), at=datetime.datetime(2024, 2, 29, 7, 34, 56, 789012), \
         ntz=datetime.datetime(2024, 2, 29, 12, 34, 56, 789012), \
         span=datetime.timedelta(days=1, seconds=7384, microseconds=500000), \
         months=INTERVAL '1-2' YEAR TO MONTH, calendar=1 years 2 months 25 days 5 hours 6 minutes 7.5 seconds, \
         tags=[1, None, 3], attrs={'a': 1, 'b': None}, address=Row(city='Łódź', zip=None), \
         nothing=None)"
    );
    assert_eq!(
        format!("{:?}", rows[1]),
        "Row(key=2, flag=None, tiny=None, small=None, int=None, big=None, real=None, \
         double=None, amount=None, name=None, blob=None, day=None, at=None, ntz=None, \
         span=None, months=None, calendar=None, tags=None, attrs=None, address=None, \
         nothing=None)"
    );
}

#[test]
fn rows_compare_by_names_and_values() {
    let a = rows();
    let b = rows();
    assert_eq!(a[0], b[0]);
    assert_ne!(a[0], a[1]);
    assert_eq!(Row::from_batches(&[every_type(), every_type()]).len(), 4);
}

#[test]
fn rust_types_are_named_without_their_paths() {
    use super::value::rust_type_name;
    assert_eq!(
        rust_type_name::<Option<NaiveDateTime>>(),
        "Option<NaiveDateTime>"
    );
    assert_eq!(
        rust_type_name::<HashMap<String, Vec<i64>>>(),
        "HashMap<String, Vec<i64>>"
    );
    assert_eq!(rust_type_name::<&[u8]>(), "&[u8]");
    fn local() -> String {
        struct Local;
        rust_type_name::<Local>()
    }
    assert_eq!(local(), "Local");
}

#[test]
fn values_out_of_chrono_range_are_errors_not_panics() {
    let batch = RecordBatch::try_from_iter([
        ("d", Arc::new(Date32Array::from(vec![i32::MAX])) as ArrayRef),
        (
            "t",
            Arc::new(TimestampMicrosecondArray::from(vec![i64::MAX]).with_timezone("UTC")) as _,
        ),
    ])
    .unwrap();
    let r = &Row::from_batch(&batch)[0];
    let e = r.get::<NaiveDate>("d").unwrap_err();
    assert!(matches!(e, Error::ValueOutOfRange { .. }), "{e:?}");
    let e = r.get::<DateTime<Utc>>("t").unwrap_err();
    assert!(matches!(e, Error::ValueOutOfRange { .. }), "{e:?}");
    assert!(e.to_string().contains("column `t`"), "{e}");
    // Display does not panic either.
    let _ = r.to_string();
}

#[cfg(feature = "serde")]
mod serde_rows {
    use serde::Deserialize;

    use super::*;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Address {
        city: String,
        zip: Option<i32>,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    enum Kind {
        Small,
        Large,
    }

    #[derive(Deserialize, Debug, PartialEq)]
    struct Everything {
        key: i64,
        flag: Option<bool>,
        tiny: Option<i8>,
        small: Option<i16>,
        int: Option<i64>,
        big: Option<i64>,
        real: Option<f32>,
        double: Option<f64>,
        amount: Option<String>,
        name: Option<String>,
        #[serde(with = "serde_bytes")]
        blob: Option<Vec<u8>>,
        day: Option<NaiveDate>,
        at: Option<DateTime<Utc>>,
        ntz: Option<NaiveDateTime>,
        span: Option<i64>,
        months: Option<i32>,
        tags: Option<Vec<Option<i32>>>,
        attrs: Option<BTreeMap<String, Option<i32>>>,
        address: Option<Address>,
        nothing: Option<String>,
    }

    #[test]
    fn rows_read_into_structs_with_spark_types() {
        let batch = every_type();
        let rows: Vec<Everything> = de::from_batch(&batch).unwrap();
        let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        let instant = day.and_hms_micro_opt(12, 34, 56, 789_012).unwrap();
        assert_eq!(
            rows[0],
            Everything {
                key: 1,
                flag: Some(true),
                tiny: Some(-7),
                small: Some(300),
                int: Some(70_000),
                big: Some(5_000_000_000),
                real: Some(1.5),
                double: Some(0.1),
                amount: Some("-12.50".into()),
                name: Some("it's".into()),
                blob: Some(vec![0xca, 0xfe, 0]),
                day: Some(day),
                at: Some(instant.and_utc()),
                ntz: Some(instant),
                span: Some(93_784_500_000),
                months: Some(14),
                tags: Some(vec![Some(1), None, Some(3)]),
                attrs: Some(BTreeMap::from([("a".into(), Some(1)), ("b".into(), None)])),
                address: Some(Address {
                    city: "Łódź".into(),
                    zip: None
                }),
                nothing: None,
            }
        );
        assert_eq!(rows[1].key, 2);
        assert_eq!(rows[1].address, None);
        assert_eq!(rows[1].at, None);
    }

    #[test]
    fn both_timestamp_types_read_into_the_chrono_types_they_mean() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct Times {
            at: NaiveDateTime,
            ntz: NaiveDateTime,
        }
        #[derive(Deserialize, Debug, PartialEq)]
        struct Raw {
            at: i64,
            ntz: i64,
            day: i32,
        }
        let rows = rows();
        let day = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        // `timestamp` read as a wall-clock time: in the column's time zone, as `show()` prints it.
        assert_eq!(
            rows[0].deserialize::<Times>().unwrap(),
            Times {
                at: day.and_hms_micro_opt(7, 34, 56, 789_012).unwrap(),
                ntz: day.and_hms_micro_opt(12, 34, 56, 789_012).unwrap(),
            }
        );
        assert_eq!(
            rows[0].get_as::<DateTime<Utc>>("at").unwrap(),
            day.and_hms_micro_opt(12, 34, 56, 789_012)
                .unwrap()
                .and_utc()
        );
        assert_eq!(
            rows[0].get_as::<String>("at").unwrap(),
            "2024-02-29T12:34:56.789012Z"
        );
        assert_eq!(
            rows[0].get_as::<String>("ntz").unwrap(),
            "2024-02-29T12:34:56.789012"
        );
        assert_eq!(
            rows[0].deserialize::<Raw>().unwrap(),
            Raw {
                at: 1_709_210_096_789_012,
                ntz: 1_709_210_096_789_012,
                day: 19_782,
            }
        );
        // An instant from a timestamp_ntz is refused: it has no time zone.
        let e = rows[0].get_as::<DateTime<Utc>>("ntz").unwrap_err();
        assert!(
            matches!(e, Error::ValueType { ref column, .. } if column == "ntz"),
            "{e:?}"
        );
        assert!(e.to_string().contains("NaiveDateTime"), "{e}");
    }

    #[test]
    fn rows_read_as_tuples_maps_and_enums() {
        let batch = RecordBatch::try_from_iter([
            ("id", Arc::new(Int64Array::from(vec![1, 2])) as ArrayRef),
            (
                "kind",
                Arc::new(StringArray::from(vec!["Small", "Large"])) as _,
            ),
        ])
        .unwrap();
        let rows = Row::from_batch(&batch);
        assert_eq!(
            rows[1].deserialize::<(i64, Kind)>().unwrap(),
            (2, Kind::Large)
        );
        let dict: BTreeMap<String, serde_json::Value> = rows[0].deserialize().unwrap();
        assert_eq!(dict["id"], 1);
        assert_eq!(dict["kind"], "Small");
        let json: serde_json::Value = rows[0].deserialize().unwrap();
        assert_eq!(json, serde_json::json!({"id": 1, "kind": "Small"}));
        let rows = Row::from_batch(&every_type());
        let json: serde_json::Value = rows[0].get_as("address").unwrap();
        assert_eq!(json, serde_json::json!({"city": "Łódź", "zip": null}));
        let calendar: serde_json::Value = rows[0].get_as("calendar").unwrap();
        assert_eq!(
            calendar,
            serde_json::json!({"months": 14, "days": 25, "microseconds": 18_367_500_000_i64})
        );
        let blob: Vec<u8> = rows[0].get_as("blob").unwrap();
        assert_eq!(blob, [0xca, 0xfe, 0]);
    }

    #[test]
    fn serde_errors_name_the_place_and_the_types() {
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct WrongNested {
            address: WrongCity,
        }
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct WrongCity {
            city: i32,
        }
        let batch = every_type();
        let e = de::from_batch::<WrongNested>(&batch).unwrap_err();
        assert!(matches!(e, Error::Conversion(_)), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains("as WrongNested")
                && text.contains("column `address.city` of Spark type string (Arrow Utf8)")
                && text.contains("expected i32"),
            "{text}"
        );

        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Missing {
            key: i64,
            height: f64,
        }
        let text = de::from_batch::<Missing>(&batch).unwrap_err().to_string();
        assert!(text.contains("missing field `height`"), "{text}");

        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct NotOptional {
            name: String,
        }
        let e = de::from_batch::<NotOptional>(&batch).unwrap_err();
        assert!(
            matches!(&e, Error::NullValue { column, rust_type } if column == "name" && rust_type == "String"),
            "{e:?}"
        );

        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Narrow {
            big: Option<i32>,
        }
        let text = de::from_batch::<Narrow>(&batch).unwrap_err().to_string();
        assert!(
            text.contains("column `big`") && text.contains("5000000000"),
            "{text}"
        );

        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct ElementType {
            tags: Option<Vec<Option<String>>>,
        }
        let text = de::from_batch::<ElementType>(&batch)
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("column `tags[0]` of Spark type int"),
            "{text}"
        );
    }
}
