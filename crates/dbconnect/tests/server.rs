//! `dbconnect sql` against the real local Spark Connect server (`SPARK_CONNECT_TEST_REMOTE`, set
//! by `cargo xtask test`): each output format, `--limit`, server errors, and a closed pipe.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use arrow_array::cast::AsArray;
use arrow_array::types::{Decimal128Type, Int64Type};
use arrow_schema::{DataType, TimeUnit};

fn dbconnect(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dbconnect"))
        .arg("--remote")
        .arg(test_support::test_remote())
        .args(args)
        .env_remove("SPARK_REMOTE")
        .output()
        .expect("runs the dbconnect binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn success(output: &Output) -> String {
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "nothing on stderr, got {stderr}");
    text(&output.stdout)
}

/// One row with a value of most kinds, for the text formats.
const ROW: &str = "SELECT 1 AS i, 'héllo, \"world\"' AS s, CAST(NULL AS INT) AS n, \
    CAST(12.30 AS DECIMAL(10,2)) AS d, CAST('12345678901234567890123456789012345678' AS DECIMAL(38,0)) AS d38, \
    double('NaN') AS nan, double('-Infinity') AS ninf, X'CAFE' AS b, true AS t, DATE'2024-02-29' AS dt, \
    TIMESTAMP'2024-01-01 12:00:00.5' AS ts, TIMESTAMP_NTZ'2024-01-01 12:00:00' AS ntz, \
    INTERVAL '-0-2' YEAR TO MONTH AS ym, INTERVAL '1 02:03:04.5' DAY TO SECOND AS dti";

#[test]
fn table_output_has_a_row_count_footer() {
    let stdout = success(&dbconnect(&[
        "sql",
        "SELECT id, CAST(NULL AS STRING) AS s FROM range(2)",
    ]));
    let expected = "\
+----+------+
| id | s    |
+----+------+
| 0  | NULL |
| 1  | NULL |
+----+------+
(2 rows)
";
    assert_eq!(stdout, expected);
    let stdout = success(&dbconnect(&["sql", "SELECT 1 AS one", "--output", "table"]));
    assert!(stdout.ends_with("\n(1 row)\n"), "{stdout}");
    let stdout = success(&dbconnect(&["sql", "SELECT 1 AS one WHERE false"]));
    assert_eq!(stdout, "+-----+\n| one |\n+-----+\n+-----+\n(0 rows)\n");
}

#[test]
fn table_output_shows_every_kind_of_value() {
    let stdout = success(&dbconnect(&["sql", ROW]));
    for shown in [
        "héllo, \"world\"",
        "NULL",
        "12.30",
        "12345678901234567890123456789012345678",
        "NaN",
        "-inf",
        "cafe",
        "2024-02-29",
        "2024-01-01T12:00:00.500Z",
        "2024-01-01T12:00:00 ",
        "-P0Y2M",
        "P1DT2H3M4.5S",
    ] {
        assert!(stdout.contains(shown), "table shows {shown:?}:\n{stdout}");
    }
}

#[test]
fn json_output_is_one_object_per_row() {
    let stdout = success(&dbconnect(&["sql", ROW, "--output", "json"]));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    let row: serde_json::Value = serde_json::from_str(lines[0]).expect("valid JSON");
    let expected = serde_json::json!({
        "i": 1,
        "s": "héllo, \"world\"",
        "n": null,
        "d": 12.30,
        "d38": 12345678901234567890123456789012345678.0,
        "nan": "NaN",
        "ninf": "-Infinity",
        "b": "cafe",
        "t": true,
        "dt": "2024-02-29",
        "ts": "2024-01-01T12:00:00.500Z",
        "ntz": "2024-01-01T12:00:00",
        "ym": "-P0Y2M",
        "dti": "P1DT2H3M4.5S",
    });
    assert_eq!(row, expected);
    // Decimals are written with all their digits, whatever a reader makes of them.
    assert!(
        lines[0].contains(r#""d":12.30,"d38":12345678901234567890123456789012345678,"#),
        "{}",
        lines[0]
    );
    // Column order is the query's.
    assert!(lines[0].starts_with(r#"{"i":1,"s":"#), "{}", lines[0]);
}

#[test]
fn json_output_of_nested_values() {
    let stdout = success(&dbconnect(&[
        "sql",
        "SELECT array(1, NULL) AS a, map('k', 1, 'z', NULL) AS m, map(1, 'x') AS mi, \
         named_struct('x', 1, 'y', CAST(NULL AS STRING)) AS st, CAST(NULL AS ARRAY<INT>) AS na",
        "--output",
        "json",
    ]));
    assert_eq!(
        stdout,
        "{\"a\":[1,null],\"m\":{\"k\":1,\"z\":null},\"mi\":{\"1\":\"x\"},\"st\":{\"x\":1,\"y\":null},\"na\":null}\n"
    );
}

#[test]
fn json_output_of_an_empty_result_is_empty() {
    let stdout = success(&dbconnect(&[
        "sql",
        "SELECT 1 AS a WHERE false",
        "--output",
        "json",
    ]));
    assert_eq!(stdout, "");
}

#[test]
fn csv_output_has_a_header_row() {
    let stdout = success(&dbconnect(&[
        "sql",
        "SELECT id, CAST(id * 1.5 AS DECIMAL(5,1)) AS d, IF(id = 1, NULL, 'a,\"b\"') AS s FROM range(3)",
        "--output",
        "csv",
    ]));
    assert_eq!(
        stdout,
        "id,d,s\n0,0.0,\"a,\"\"b\"\"\"\n1,1.5,\n2,3.0,\"a,\"\"b\"\"\"\n"
    );
    let stdout = success(&dbconnect(&[
        "sql",
        "SELECT 1 AS a, 'x' AS b WHERE false",
        "--output",
        "csv",
    ]));
    assert_eq!(stdout, "a,b\n");
    let stdout = success(&dbconnect(&["sql", ROW, "--output", "csv"]));
    assert!(
        stdout.ends_with(
            ",cafe,true,2024-02-29,2024-01-01T12:00:00.500Z,2024-01-01T12:00:00,-P0Y2M,P1DT2H3M4.5S\n"
        ),
        "{stdout}"
    );
}

#[test]
fn csv_refuses_nested_columns_with_a_clear_error() {
    for (query, column, type_name) in [
        ("SELECT 1 AS a, array(1, 2) AS arr", "arr", "array<int>"),
        ("SELECT map('k', 1) AS m", "m", "map<string,int>"),
        ("SELECT named_struct('x', 1) AS st", "st", "struct<x:int>"),
        ("SELECT array(1) AS e WHERE false", "e", "array<int>"),
    ] {
        let output = dbconnect(&["sql", query, "--output", "csv"]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{query}: {stderr}");
        assert!(output.stdout.is_empty(), "{query}: no partial output");
        assert!(
            stderr.starts_with("dbconnect: error: cannot write the result as CSV"),
            "{stderr}"
        );
        assert!(
            stderr.contains(&format!("column '{column}' has type {type_name}")),
            "{query}: {stderr}"
        );
        assert!(stderr.contains("--output json"), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn arrow_output_is_an_ipc_stream_of_every_batch() {
    // Four partitions: the server sends several batches, which must all arrive, in order.
    let output = dbconnect(&[
        "sql",
        "SELECT id, CAST(id AS DECIMAL(38,2)) AS d, TIMESTAMP'2024-01-01 00:00:00' AS ts \
         FROM range(0, 100000, 1, 4)",
        "--output",
        "arrow",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let reader = arrow_ipc::reader::StreamReader::try_new(output.stdout.as_slice(), None)
        .expect("an Arrow IPC stream");
    let schema = reader.schema();
    assert_eq!(schema.field(0).data_type(), &DataType::Int64);
    assert!(!schema.field(0).is_nullable());
    assert_eq!(schema.field(1).data_type(), &DataType::Decimal128(38, 2));
    // The session time zone as the server named it, not rewritten.
    assert!(
        matches!(
            schema.field(2).data_type(),
            DataType::Timestamp(TimeUnit::Microsecond, Some(tz)) if !tz.is_empty()
        ),
        "{:?}",
        schema.field(2)
    );
    let batches: Vec<_> = reader.map(|b| b.expect("a batch")).collect();
    assert!(batches.len() >= 4, "{} batches", batches.len());
    let mut next = 0i64;
    for batch in &batches {
        let ids = batch.column(0).as_primitive::<Int64Type>();
        let decimals = batch.column(1).as_primitive::<Decimal128Type>();
        for row in 0..batch.num_rows() {
            assert_eq!(ids.value(row), next);
            assert_eq!(decimals.value(row), i128::from(next) * 100);
            next += 1;
        }
    }
    assert_eq!(next, 100000);
}

#[test]
fn arrow_output_of_an_empty_result_carries_the_schema() {
    let output = dbconnect(&[
        "sql",
        "SELECT 1 AS a, 'x' AS b WHERE false",
        "--output",
        "arrow",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let reader = arrow_ipc::reader::StreamReader::try_new(output.stdout.as_slice(), None)
        .expect("an Arrow IPC stream");
    let schema = reader.schema();
    assert_eq!(schema.fields().len(), 2);
    assert_eq!(schema.field(1).data_type(), &DataType::Utf8);
    let rows: usize = reader.map(|b| b.expect("a batch").num_rows()).sum();
    assert_eq!(rows, 0);
}

#[test]
fn limit_caps_the_rows() {
    let stdout = success(&dbconnect(&[
        "sql",
        "SELECT id FROM range(100)",
        "--limit",
        "3",
        "--output",
        "csv",
    ]));
    assert_eq!(stdout, "id\n0\n1\n2\n");
    let stdout = success(&dbconnect(&[
        "sql",
        "SELECT id FROM range(100)",
        "--limit",
        "0",
        "-o",
        "json",
    ]));
    assert_eq!(stdout, "");
}

#[test]
fn spark_remote_is_used_without_remote() {
    let output = Command::new(env!("CARGO_BIN_EXE_dbconnect"))
        .args(["sql", "SELECT 42 AS answer", "--output", "csv"])
        .env("SPARK_REMOTE", test_support::test_remote())
        .output()
        .expect("runs the dbconnect binary");
    assert_eq!(success(&output), "answer\n42\n");
}

#[test]
fn an_unknown_table_exits_1_with_the_error_class() {
    let output = dbconnect(&["sql", "SELECT * FROM no_such_table_dbconnect"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(stderr.starts_with("dbconnect: error: "), "{stderr}");
    assert!(stderr.contains("TABLE_OR_VIEW_NOT_FOUND"), "{stderr}");
    assert!(stderr.contains("no_such_table_dbconnect"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_syntax_error_exits_1() {
    let output = dbconnect(&["sql", "SELEC 1", "--output", "json"]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("PARSE_SYNTAX_ERROR"), "{stderr}");
}

#[test]
fn an_error_while_rows_stream_exits_1() {
    // Fails on the executors, after planning succeeded: the error arrives in the result stream.
    let output = dbconnect(&[
        "sql",
        "SELECT assert_true(id < 5) FROM range(10)",
        "--output",
        "arrow",
    ]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("dbconnect: error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // About 60 MB of output: far more than a pipe buffer (64 KB), so dbconnect is still
    // writing when the reader hangs up, yet small enough for the test server's heap (3 M rows
    // of this width ran it out of memory). The table is built whole before it is written, so
    // it gets a smaller result.
    for (format, rows) in [
        ("json", 300_000),
        ("csv", 300_000),
        ("arrow", 300_000),
        ("table", 50_000),
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_dbconnect"))
            .arg("--remote")
            .arg(test_support::test_remote())
            .args([
                "sql",
                &format!("SELECT id, repeat('x', 200) AS s FROM range({rows})"),
                "--output",
                format,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts dbconnect");
        // Read a little, then hang up, as `| head -1` does.
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut first = Vec::new();
        stdout
            .read_until(b'\n', &mut first)
            .expect("reads the first line");
        assert!(!first.is_empty(), "{format}: some output came");
        drop(stdout);
        // Bounded: a dbconnect that never notices the closed pipe fails the test instead of
        // hanging the whole run.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while child.try_wait().expect("waits for dbconnect").is_none() {
            if std::time::Instant::now() > deadline {
                let _ = child.kill();
                panic!("{format}: dbconnect did not end within 120 s after its reader hung up");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let output = child.wait_with_output().expect("dbconnect ends");
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{format}: {stderr}");
        assert!(stderr.is_empty(), "{format}: quiet, got {stderr}");
    }
}
