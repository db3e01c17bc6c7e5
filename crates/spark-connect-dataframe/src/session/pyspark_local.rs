//! Local data with a schema is what PySpark's client makes of it for
//! `spark.createDataFrame(data, "<ddl>")`: the same schema text in the plan (Spark's JSON
//! form) and the same Arrow data (columns renamed and cast to the schema's types).
//! `tests/fixtures/pyspark_local.txt` holds PySpark 4.3's `LocalRelation`s, recorded by
//! `tests/fixtures/capture_pyspark_plans.py ... local`; the schema here is the struct type the
//! server parses that DDL into (the e2e tests send the DDL itself through the server's
//! parser and compare the plan with the same fixture). A child of `local`, to reach the
//! conversion without a server.

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{Array, Date32Array, Decimal128Array, Float64Array, Int64Array, StringArray};
use arrow_ipc::reader::StreamReader;
use prost::Message;

use super::*;

// The fixture text helpers are loaded once, by the writers' fixture tests.
use crate::io::pyspark_commands::plan_text::base64_decode;

const FIXTURES: &str = include_str!("../../tests/fixtures/pyspark_local.txt");

/// The struct type of the fixture's DDL, `id INT NOT NULL, name STRING, score DOUBLE,
/// day DATE, tags ARRAY<STRING>, amount DECIMAL(10,2) NOT NULL COMMENT 'in euros'`.
fn ddl_schema() -> StructType {
    StructType::new([
        StructField::new("id", DataType::Integer, false),
        StructField::new("name", DataType::string(), true),
        StructField::new("score", DataType::Double, true),
        StructField::new("day", DataType::Date, true),
        StructField::new("tags", DataType::array(DataType::string()), true),
        StructField::new(
            "amount",
            DataType::Decimal {
                precision: 10,
                scale: 2,
            },
            false,
        )
        .with_metadata(r#"{"comment":"in euros"}"#),
    ])
}

/// The data PySpark was given, with other column names (PySpark's would have to match the
/// schema's; here the schema renames by position).
fn rust_batch() -> RecordBatch {
    let mut tags = ListBuilder::new(StringBuilder::new());
    tags.values().append_value("x");
    tags.values().append_value("y");
    tags.append(true);
    tags.append(true);
    tags.append(false);
    RecordBatch::try_from_iter([
        ("a", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
        (
            "b",
            Arc::new(StringArray::from(vec![Some("a"), None, Some("c")])) as _,
        ),
        (
            "c",
            Arc::new(Float64Array::from(vec![Some(1.5), None, Some(-2.0)])) as _,
        ),
        (
            "d",
            Arc::new(Date32Array::from(vec![Some(19753), None, Some(10926)])) as _,
        ),
        ("e", Arc::new(tags.finish()) as _),
        (
            "f",
            Arc::new(
                Decimal128Array::from(vec![150, 0, -325])
                    .with_precision_and_scale(5, 2)
                    .unwrap(),
            ) as _,
        ),
    ])
    .unwrap()
}

fn fixture(name: &str) -> proto::LocalRelation {
    let line = FIXTURES
        .lines()
        .find(|l| l.split('\t').next() == Some(name))
        .unwrap_or_else(|| panic!("no fixture {name}"));
    let (_, encoded) = line.split_once('\t').unwrap();
    let relation = proto::Relation::decode(base64_decode(encoded).as_slice()).unwrap();
    match relation.rel_type {
        Some(proto::relation::RelType::LocalRelation(l)) => l,
        other => panic!("{name}: not a local relation: {other:?}"),
    }
}

#[test]
fn local_data_with_a_schema_is_what_pyspark_sends() {
    let theirs = fixture("local_ddl_schema");
    // The schema text: Spark's JSON, as PySpark writes it.
    assert_eq!(
        Some(schema_json(&ddl_schema()).unwrap()),
        theirs.schema,
        "schema text"
    );
    // The data: the same names, types, nullability and values.
    let reader = StreamReader::try_new(std::io::Cursor::new(theirs.data.unwrap()), None).unwrap();
    let expected: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    let (schema, ours) = conform(&[rust_batch()], &ddl_schema()).unwrap();
    assert_eq!(ours.len(), 1);
    let (ours, theirs) = (&ours[0], &expected[0]);
    assert_eq!(ours.num_rows(), theirs.num_rows());
    for (i, (a, b)) in schema
        .fields()
        .iter()
        .zip(theirs.schema().fields())
        .enumerate()
    {
        assert_eq!(
            (a.name(), a.data_type(), a.is_nullable()),
            (b.name(), b.data_type(), b.is_nullable()),
            "field {i}"
        );
        assert_eq!(
            ours.column(i).to_data(),
            theirs.column(i).to_data(),
            "column {i}"
        );
    }
}

/// `rust_batch()` with column `i` replaced (its field nullable, of the array's type).
fn replaced(i: usize, array: ArrayRef) -> RecordBatch {
    let batch = rust_batch();
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    let mut fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields[i] = Field::new(fields[i].name(), array.data_type().clone(), true);
    columns[i] = array;
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap()
}

#[test]
fn bad_local_data_is_an_error_naming_the_column() {
    let schema = ddl_schema();
    let err = |batch: RecordBatch| conform(&[batch], &schema).unwrap_err().to_string();
    // A null in a NOT NULL column.
    let e = err(replaced(
        0,
        Arc::new(Int64Array::from(vec![Some(1), None, Some(3)])),
    ));
    assert!(
        e.contains("'id'") && e.contains("NOT NULL") && e.contains("1 of"),
        "{e}"
    );
    // A value that does not fit the type.
    let e = err(replaced(
        0,
        Arc::new(Int64Array::from(vec![1, i64::MAX, 3])),
    ));
    assert!(
        e.contains("'id' int") && e.contains("'a' in the data"),
        "{e}"
    );
    // Text that is not a date.
    let e = err(replaced(
        3,
        Arc::new(StringArray::from(vec![
            "2024-01-31",
            "not a date",
            "1999-12-01",
        ])),
    ));
    assert!(e.contains("'day' date") && e.contains("not a date"), "{e}");
    // Another number of columns.
    let e = err(rust_batch().project(&[0, 1]).unwrap());
    assert!(
        e.contains("2 columns (a, b)") && e.contains("6 (id, name"),
        "{e}"
    );
    // Dates as text convert, as in Spark.
    let text = replaced(
        3,
        Arc::new(StringArray::from(vec![
            Some("2024-01-31"),
            None,
            Some("1999-12-01"),
        ])),
    );
    let (_, converted) = conform(&[text], &schema).unwrap();
    let (_, expected) = conform(&[rust_batch()], &schema).unwrap();
    assert_eq!(
        converted[0].column(3).to_data(),
        expected[0].column(3).to_data()
    );
}
