//! `dbconnect sql Q --output arrow` returns exactly what PySpark's Spark Connect client gets from
//! the same server, for queries over every Spark type.
//!
//! For each query, `pyspark_arrow.py` (run by the Python in `DBCONNECT_TEST_PYTHON`) writes:
//! - the raw table PySpark's client decoded from the server's batches, and
//! - `DataFrame.toArrow()`, or the error it raised.
//!
//! dbconnect's stream must equal the raw table exactly: schema (names, types, nullability,
//! metadata) and values, after concatenating the batches. Against `toArrow()`, exactly one
//! difference is allowed, because PySpark makes it on purpose (see docs/cli.md): `toArrow()`
//! casts the table to a schema derived from the Spark schema with `timezone="UTC"`, so zoned
//! timestamps are labelled `UTC` instead of the session time zone the server sent. The test
//! applies that relabelling to dbconnect's result and then requires equality. `toArrow()` raises
//! for year-month intervals (it has no Arrow type for them); that case is checked against the
//! raw table only, and the test fails if `toArrow()` starts to succeed, so the docs get updated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use arrow_schema::{DataType, Field, FieldRef, Schema, SchemaRef};

struct Case {
    name: &'static str,
    sql: &'static str,
    to_arrow: ToArrow,
}

/// What `toArrow()` does for a case.
enum ToArrow {
    /// Returns the result: compare with it.
    Returns,
    /// Raises an error containing this text, by PySpark's design (pinned with PySpark).
    Raises(&'static str),
    /// May raise an error containing this text, depending on the pyarrow version; when it
    /// returns, compare with it.
    MayRaise(&'static str),
}

const fn case(name: &'static str, sql: &'static str) -> Case {
    Case {
        name,
        sql,
        to_arrow: ToArrow::Returns,
    }
}

const CASES: &[Case] = &[
    case(
        "integers",
        "SELECT * FROM VALUES \
         (CAST(-128 AS TINYINT), CAST(-32768 AS SMALLINT), CAST(-2147483648 AS INT), CAST('-9223372036854775808' AS BIGINT)), \
         (CAST(127 AS TINYINT), CAST(32767 AS SMALLINT), CAST(2147483647 AS INT), CAST(9223372036854775807 AS BIGINT)), \
         (CAST(0 AS TINYINT), CAST(0 AS SMALLINT), CAST(0 AS INT), CAST(0 AS BIGINT)), \
         (NULL, NULL, NULL, NULL) \
         AS t(tiny, small, int, big)",
    ),
    case(
        "floats",
        "SELECT * FROM VALUES \
         (float('NaN'), double('NaN')), \
         (float('Infinity'), double('Infinity')), \
         (float('-Infinity'), double('-Infinity')), \
         (float('-0.0'), double('-0.0')), \
         (float('1.4E-45'), double('4.9E-324')), \
         (float('3.4028235E38'), double('1.7976931348623157E308')), \
         (float('0.1'), double('0.1')), \
         (NULL, NULL) \
         AS t(f, d)",
    ),
    case(
        "decimals",
        "SELECT * FROM VALUES \
         (CAST('12.30' AS DECIMAL(10,2)), CAST('99999999999999999999999999999999999999' AS DECIMAL(38,0)), \
          CAST('0.00000000000000000000000000000000000001' AS DECIMAL(38,38)), \
          CAST('-1234567890123456789012345678.0123456789' AS DECIMAL(38,10)), CAST(9 AS DECIMAL(1,0))), \
         (CAST('-0.01' AS DECIMAL(10,2)), CAST('-99999999999999999999999999999999999999' AS DECIMAL(38,0)), \
          CAST('-0.99999999999999999999999999999999999999' AS DECIMAL(38,38)), \
          CAST('0' AS DECIMAL(38,10)), CAST(-9 AS DECIMAL(1,0))), \
         (NULL, NULL, NULL, NULL, NULL) \
         AS t(d10_2, d38_0, d38_38, d38_10, d1_0)",
    ),
    case(
        "strings",
        "SELECT * FROM VALUES ('ascii'), (''), ('héllo wörld'), ('日本語テキスト'), ('🦀 Ünïcødé ✓'), \
         ('line1\\nline2\\t\"quoted\", comma'), (NULL) AS t(s)",
    ),
    case(
        "binary",
        "SELECT * FROM VALUES (X''), (X'00'), (X'00FF7F80'), (X'CAFEBABE'), (CAST('héllo' AS BINARY)), (NULL) \
         AS t(b)",
    ),
    case(
        "booleans",
        "SELECT * FROM VALUES (true), (false), (NULL) AS t(b)",
    ),
    case(
        "dates",
        "SELECT * FROM VALUES (DATE'0001-01-01'), (DATE'1582-10-04'), (DATE'1582-10-15'), (DATE'1969-12-31'), \
         (DATE'1970-01-01'), (DATE'2024-02-29'), (DATE'9999-12-31'), (NULL) AS t(d)",
    ),
    case(
        "timestamps",
        "SELECT * FROM VALUES (TIMESTAMP'0001-01-01 00:00:00'), (TIMESTAMP'1582-10-15 00:00:00'), \
         (TIMESTAMP'1969-12-31 23:59:59.999999'), (TIMESTAMP'1970-01-01 00:00:00'), \
         (TIMESTAMP'2024-02-29 12:34:56.789012'), (TIMESTAMP'2024-06-01 12:00:00+02:00'), \
         (TIMESTAMP'9999-12-31 23:59:59.999999'), (NULL) AS t(ts)",
    ),
    case(
        "timestamps_ntz",
        "SELECT * FROM VALUES (TIMESTAMP_NTZ'0001-01-01 00:00:00'), (TIMESTAMP_NTZ'1582-10-15 00:00:00'), \
         (TIMESTAMP_NTZ'1969-12-31 23:59:59.999999'), (TIMESTAMP_NTZ'1970-01-01 00:00:00'), \
         (TIMESTAMP_NTZ'2024-02-29 12:34:56.789012'), (TIMESTAMP_NTZ'9999-12-31 23:59:59.999999'), (NULL) \
         AS t(ts)",
    ),
    Case {
        name: "year_month_intervals",
        sql: "SELECT * FROM VALUES \
              (INTERVAL '1-2' YEAR TO MONTH, INTERVAL '5' YEAR, INTERVAL '7' MONTH), \
              (INTERVAL '-0-3' YEAR TO MONTH, INTERVAL '-1' YEAR, INTERVAL '-13' MONTH), \
              (INTERVAL '0-0' YEAR TO MONTH, INTERVAL '0' YEAR, INTERVAL '0' MONTH), \
              (INTERVAL '178956970-7' YEAR TO MONTH, INTERVAL '178956970' YEAR, INTERVAL '2147483647' MONTH), \
              (NULL, NULL, NULL) \
              AS t(ym, y, m)",
        // PySpark's to_arrow_type() has no branch for YearMonthIntervalType.
        to_arrow: ToArrow::Raises("UNSUPPORTED_DATA_TYPE_FOR_ARROW_CONVERSION"),
    },
    case(
        "day_time_intervals",
        "SELECT * FROM VALUES \
         (INTERVAL '1 02:03:04.123456' DAY TO SECOND, INTERVAL '5' HOUR, INTERVAL '30' MINUTE, INTERVAL '3' DAY), \
         (INTERVAL '-0 00:00:00.000001' DAY TO SECOND, INTERVAL '-5' HOUR, INTERVAL '-1' MINUTE, INTERVAL '-3' DAY), \
         (INTERVAL '0 00:00:00' DAY TO SECOND, INTERVAL '0' HOUR, INTERVAL '0' MINUTE, INTERVAL '0' DAY), \
         (INTERVAL '106751991 04:00:54.775807' DAY TO SECOND, INTERVAL '2562047788' HOUR, \
          INTERVAL '153722867280' MINUTE, INTERVAL '106751991' DAY), \
         (NULL, NULL, NULL, NULL) \
         AS t(dts, h, mi, d)",
    ),
    case(
        "arrays",
        "SELECT * FROM VALUES \
         (array(1, 2, 3), array('a', NULL, ''), array(array(1L), CAST(array() AS ARRAY<BIGINT>), NULL), \
          array(named_struct('x', 1, 'y', 'a')), array(DATE'2024-01-01', NULL)), \
         (CAST(array() AS ARRAY<INT>), CAST(array() AS ARRAY<STRING>), CAST(array() AS ARRAY<ARRAY<BIGINT>>), \
          CAST(array() AS ARRAY<STRUCT<x: INT, y: STRING>>), CAST(array() AS ARRAY<DATE>)), \
         (NULL, NULL, NULL, NULL, NULL) \
         AS t(ints, strs, nested, structs, dates)",
    ),
    case(
        "maps",
        "SELECT * FROM VALUES \
         (map('a', 1, 'b', NULL), map(1, array('x', NULL)), map('k', named_struct('v', 1.5D)), \
          map(DATE'2024-01-01', TIMESTAMP'2024-01-01 00:00:00')), \
         (CAST(map() AS MAP<STRING, INT>), CAST(map() AS MAP<INT, ARRAY<STRING>>), \
          CAST(map() AS MAP<STRING, STRUCT<v: DOUBLE>>), CAST(map() AS MAP<DATE, TIMESTAMP>)), \
         (NULL, NULL, NULL, NULL) \
         AS t(str_int, int_arr, str_struct, date_ts)",
    ),
    case(
        "structs",
        "SELECT * FROM VALUES \
         (named_struct('i', 1, 's', 'x', 'inner', named_struct('d', 1.5D, 'a', array(1), 'ts', TIMESTAMP'2024-01-01 00:00:00'))), \
         (named_struct('i', CAST(NULL AS INT), 's', CAST(NULL AS STRING), 'inner', \
            CAST(NULL AS STRUCT<d: DOUBLE, a: ARRAY<INT>, ts: TIMESTAMP>))), \
         (NULL) \
         AS t(st)",
    ),
    case(
        "nested_nulls",
        "SELECT * FROM VALUES \
         (array(CAST(NULL AS INT)), array(CAST(NULL AS STRUCT<x: INT>)), map('k', CAST(NULL AS ARRAY<INT>)), \
          named_struct('a', CAST(NULL AS ARRAY<STRING>), 'b', CAST(NULL AS STRUCT<c: INT>))), \
         (NULL, array(named_struct('x', CAST(NULL AS INT))), map('k', array(CAST(NULL AS INT))), \
          CAST(NULL AS STRUCT<a: ARRAY<STRING>, b: STRUCT<c: INT>>)) \
         AS t(arr, arr_struct, map_arr, st)",
    ),
    Case {
        // A null struct whose fields are NOT NULL: Spark writes nulls into the children under
        // the null parent, which Arrow allows, but the cast inside toArrow() refuses them.
        name: "null_struct_with_required_fields",
        sql: "SELECT * FROM VALUES \
              (named_struct('b', named_struct('c', 1)), array(named_struct('x', 1))), \
              (NULL, array(CAST(NULL AS STRUCT<x: INT>))), \
              (named_struct('b', named_struct('c', 2)), NULL) \
              AS t(st, arr)",
        to_arrow: ToArrow::MayRaise("nulls in input cannot be viewed as non-nullable"),
    },
    case(
        "literals_not_null",
        "SELECT 1Y AS tiny, 1S AS small, 1 AS int, 1L AS big, 1.5F AS f, 1.5D AS d, 1.5BD AS dec, 'x' AS s, \
         X'01' AS b, true AS bool, DATE'2024-01-01' AS dt, TIMESTAMP'2024-01-01 00:00:00' AS ts, \
         TIMESTAMP_NTZ'2024-01-01 00:00:00' AS ntz, INTERVAL '1' DAY AS dti, array(1) AS arr, \
         map('a', 1) AS m, named_struct('a', 1) AS st",
    ),
    case(
        "empty",
        "SELECT id, CAST(id AS STRING) AS s, CAST(id AS DECIMAL(38,2)) AS d, TIMESTAMP'2024-01-01 00:00:00' AS ts, \
         array(id) AS a, map('k', id) AS m, named_struct('x', id) AS st FROM range(10) WHERE id < 0",
    ),
    case(
        "many_batches",
        "SELECT id, id * 0.5D AS half, CAST(id AS STRING) AS s, IF(id % 7 = 0, NULL, id) AS sparse \
         FROM range(0, 200000, 1, 4)",
    ),
];

fn read_stream(bytes: &[u8], what: &str) -> RecordBatch {
    let reader = arrow_ipc::reader::StreamReader::try_new(bytes, None)
        .unwrap_or_else(|e| panic!("{what} is not an Arrow IPC stream: {e}"));
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{what}: bad batch: {e}"));
    arrow_select::concat::concat_batches(&schema, &batches)
        .unwrap_or_else(|e| panic!("{what}: cannot concatenate: {e}"))
}

fn read_file(path: &Path) -> RecordBatch {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    read_stream(&bytes, &path.display().to_string())
}

/// A fresh folder under Cargo's temporary folder for integration tests.
fn scratch_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("pyspark-parity-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creates the scratch folder");
    dir
}

fn run_pyspark(remote: &str, dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pyspark_arrow.py");
    let queries: BTreeMap<&str, &str> = CASES.iter().map(|c| (c.name, c.sql)).collect();
    let mut child = Command::new(test_support::python())
        .arg(&script)
        .arg(remote)
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts the Python in DBCONNECT_TEST_PYTHON");
    let stdin = child.stdin.take().expect("piped stdin");
    serde_json::to_writer(stdin, &queries).expect("sends the queries");
    let output = child.wait_with_output().expect("Python ends");
    assert!(
        output.status.success(),
        "pyspark_arrow.py failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

fn run_dbconnect(remote: &str, sql: &str) -> RecordBatch {
    let output = Command::new(env!("CARGO_BIN_EXE_dbconnect"))
        .args(["--remote", remote, "sql", sql, "--output", "arrow"])
        .output()
        .expect("runs dbconnect");
    assert!(
        output.status.success(),
        "dbconnect failed for {sql}:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    read_stream(&output.stdout, "dbconnect's output")
}

/// `t` with every zoned timestamp, at any depth, labelled `tz`.
fn relabel(t: &DataType, tz: &str) -> DataType {
    let field = |f: &FieldRef| {
        Arc::new(
            f.as_ref()
                .clone()
                .with_data_type(relabel(f.data_type(), tz)),
        )
    };
    match t {
        DataType::Timestamp(unit, Some(_)) => DataType::Timestamp(*unit, Some(tz.into())),
        DataType::List(f) => DataType::List(field(f)),
        DataType::LargeList(f) => DataType::LargeList(field(f)),
        DataType::FixedSizeList(f, n) => DataType::FixedSizeList(field(f), *n),
        DataType::Map(f, sorted) => DataType::Map(field(f), *sorted),
        DataType::Struct(fields) => DataType::Struct(fields.iter().map(field).collect()),
        other => other.clone(),
    }
}

/// The batch with every zoned timestamp labelled `tz`. Only the label changes: casting between
/// two zoned timestamp types of the same unit keeps the stored UTC instants.
fn relabel_batch(batch: &RecordBatch, tz: &str) -> RecordBatch {
    let fields: Vec<Field> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| {
            f.as_ref()
                .clone()
                .with_data_type(relabel(f.data_type(), tz))
        })
        .collect();
    let columns: Vec<ArrayRef> = batch
        .columns()
        .iter()
        .zip(&fields)
        .map(|(c, f)| arrow_cast::cast(c, f.data_type()).expect("relabels the time zone"))
        .collect();
    let schema = Schema::new_with_metadata(fields, batch.schema().metadata().clone());
    RecordBatch::try_new_with_options(
        Arc::new(schema),
        columns,
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
    )
    .expect("a relabelled batch")
}

fn show_value(column: &ArrayRef, row: usize) -> String {
    // Named zones cannot be printed without a time zone database; "+00:00" shows the instant.
    let column = arrow_cast::cast(column, &relabel(column.data_type(), "+00:00"))
        .unwrap_or_else(|_| column.clone());
    let options = FormatOptions::default()
        .with_null("NULL")
        .with_display_error(true);
    match ArrayFormatter::try_new(column.as_ref(), &options) {
        Ok(f) => f.value(row).to_string(),
        Err(_) => format!("{:?}", column.slice(row, 1)),
    }
}

fn describe_schema(schema: &SchemaRef) -> String {
    schema
        .fields()
        .iter()
        .map(|f| {
            format!(
                "  {}: {}{}{}",
                f.name(),
                f.data_type(),
                if f.is_nullable() { "" } else { " NOT NULL" },
                if f.metadata().is_empty() {
                    String::new()
                } else {
                    format!(" {:?}", f.metadata())
                }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `None` when equal, otherwise what differs: the schemas, or per column the first differing row.
fn diff(ours: &RecordBatch, theirs: &RecordBatch) -> Option<String> {
    if ours == theirs {
        return None;
    }
    let mut out = String::new();
    if ours.schema() != theirs.schema() {
        out.push_str(&format!(
            "schemas differ:\n dbconnect:\n{}\n PySpark:\n{}\n",
            describe_schema(&ours.schema()),
            describe_schema(&theirs.schema())
        ));
        if ours.schema().metadata() != theirs.schema().metadata() {
            out.push_str(&format!(
                " schema metadata: dbconnect {:?}, PySpark {:?}\n",
                ours.schema().metadata(),
                theirs.schema().metadata()
            ));
        }
    }
    if ours.num_rows() != theirs.num_rows() {
        out.push_str(&format!(
            "row counts differ: dbconnect {}, PySpark {}\n",
            ours.num_rows(),
            theirs.num_rows()
        ));
    }
    let rows = ours.num_rows().min(theirs.num_rows());
    for (i, field) in ours.schema().fields().iter().enumerate() {
        let (Some(a), Some(b)) = (ours.columns().get(i), theirs.columns().get(i)) else {
            continue;
        };
        if a.to_data() == b.to_data() {
            continue;
        }
        let first = (0..rows).find(|&r| a.slice(r, 1).to_data() != b.slice(r, 1).to_data());
        match first {
            Some(r) => out.push_str(&format!(
                "column '{}' differs first at row {r}: dbconnect {}, PySpark {}\n",
                field.name(),
                show_value(a, r),
                show_value(b, r)
            )),
            None => out.push_str(&format!(
                "column '{}' differs in type or length: dbconnect {}, PySpark {}\n",
                field.name(),
                a.data_type(),
                b.data_type()
            )),
        }
    }
    Some(out)
}

#[test]
fn arrow_output_matches_pyspark_for_every_type() {
    let remote = test_support::test_remote();
    let dir = scratch_dir();
    run_pyspark(&remote, &dir);

    let mut failures = Vec::new();
    for case in CASES {
        let ours = run_dbconnect(&remote, case.sql);
        let raw = read_file(&dir.join(format!("{}.raw.arrows", case.name)));
        let mut notes = Vec::new();
        match diff(&ours, &raw) {
            None => notes.push("= PySpark's decoded server batches".to_string()),
            Some(d) => failures.push(format!(
                "{}: dbconnect differs from the batches PySpark decoded:\n{d}",
                case.name
            )),
        }

        let to_arrow = dir.join(format!("{}.toarrow.arrows", case.name));
        let to_arrow_error = dir.join(format!("{}.toarrow.error", case.name));
        let error = std::fs::read_to_string(&to_arrow_error).ok();
        match (&case.to_arrow, error) {
            (ToArrow::Returns | ToArrow::MayRaise(_), None) => {
                let theirs = read_file(&to_arrow);
                match diff(&relabel_batch(&ours, "UTC"), &theirs) {
                    None => notes.push("= toArrow() after relabelling zones as UTC".to_string()),
                    Some(d) => failures.push(format!(
                        "{}: dbconnect (zoned timestamps relabelled UTC) differs from toArrow():\n{d}",
                        case.name
                    )),
                }
            }
            (ToArrow::Raises(expected) | ToArrow::MayRaise(expected), Some(error))
                if error.contains(expected) =>
            {
                let first_line = error.lines().next().unwrap_or_default();
                notes.push(format!("toArrow() raises, as documented: {first_line}"));
            }
            (_, Some(error)) => failures.push(format!("{}: toArrow() raised: {error}", case.name)),
            (ToArrow::Raises(expected), None) => failures.push(format!(
                "{}: toArrow() was expected to raise {expected} but returned: compare with it \
                 and update docs/cli.md",
                case.name
            )),
        }
        println!(
            "parity {:<22} {:>6} rows, {} columns: {}",
            case.name,
            ours.num_rows(),
            ours.num_columns(),
            notes.join("; ")
        );
        if case.name != "empty" {
            assert!(ours.num_rows() > 0, "{}: the case has rows", case.name);
        }
    }
    assert!(
        failures.is_empty(),
        "dbconnect's Arrow output differs from PySpark's:\n\n{}",
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_relabelling_changes_only_the_label() {
    use arrow_array::TimestampMicrosecondArray;
    let values = TimestampMicrosecondArray::from(vec![Some(1_704_110_400_000_000), None])
        .with_timezone("Etc/UTC");
    let schema = Schema::new(vec![Field::new("ts", values.data_type().clone(), true)]);
    let batch = RecordBatch::try_new(Arc::new(schema), vec![Arc::new(values)]).unwrap();
    let relabelled = relabel_batch(&batch, "UTC");
    assert_eq!(
        relabelled.schema().field(0).data_type(),
        &DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("UTC".into()))
    );
    assert_eq!(
        relabelled.column(0).to_data().buffers(),
        batch.column(0).to_data().buffers()
    );
    assert_eq!(relabelled.column(0).null_count(), 1);
}

#[test]
fn a_difference_is_described_by_column_and_row() {
    use arrow_array::{Int32Array, StringArray};
    let batch = |values: Vec<Option<i32>>, nullable: bool| {
        let schema = Schema::new(vec![
            Field::new("n", DataType::Int32, nullable),
            Field::new("s", DataType::Utf8, true),
        ]);
        let n = values.len();
        RecordBatch::try_new(
            Arc::new(schema),
            vec![
                Arc::new(Int32Array::from(values)),
                Arc::new(StringArray::from(vec![Some("x"); n])),
            ],
        )
        .unwrap()
    };
    let ours = batch(vec![Some(1), Some(2), Some(3)], true);
    assert_eq!(diff(&ours, &ours.clone()), None);
    let theirs = batch(vec![Some(1), Some(5), Some(3)], true);
    let message = diff(&ours, &theirs).expect("a difference");
    assert_eq!(
        message,
        "column 'n' differs first at row 1: dbconnect 2, PySpark 5\n"
    );
    let theirs = batch(vec![Some(1), Some(2), Some(3)], false);
    let message = diff(&ours, &theirs).expect("a difference");
    assert!(message.starts_with("schemas differ:"), "{message}");
    assert!(message.contains("n: Int32 NOT NULL"), "{message}");
}
