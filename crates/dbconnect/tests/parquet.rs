//! `dbconnect sql --output parquet` against the real local Spark Connect server: the file is
//! read back with the parquet crate's Arrow reader and by the server itself.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, IntervalUnit, TimeUnit};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fn dbconnect(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dbconnect"))
        .arg("--remote")
        .arg(test_support::test_remote())
        .args(args)
        .env_remove("SPARK_REMOTE")
        .stdin(Stdio::null())
        .output()
        .expect("runs the dbconnect binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh folder for one test's files, removed at the end.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let dir = std::env::temp_dir().join(format!("cli_parquet_{name}_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Folder(dir)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read_parquet(path: &Path) -> Vec<RecordBatch> {
    let file = std::fs::File::open(path).expect("the Parquet file exists");
    ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .unwrap()
        .map(|b| b.expect("a batch"))
        .collect()
}

fn concat(batches: &[RecordBatch]) -> RecordBatch {
    arrow_select::concat::concat_batches(&batches[0].schema(), batches).unwrap()
}

/// 3000 rows in 3 partitions (so several batches) with a value of most kinds; nulls on every
/// seventh row. Each value is a function of `id`, so the test knows them. Spark reads no
/// intervals from Parquet, so the query it reads back leaves them out.
fn rows_query(intervals: bool) -> String {
    let intervals = if intervals {
        ", INTERVAL '-0-2' YEAR TO MONTH AS ym, INTERVAL '1 02:03:04.5' DAY TO SECOND AS dti"
    } else {
        ""
    };
    format!(
        "SELECT id, CAST(id % 100 AS INT) AS small, \
         IF(id % 7 = 0, NULL, concat('v', id)) AS s, CAST(id AS DECIMAL(20, 2)) / 4 AS d, \
         id % 2 = 0 AS even, date_add(DATE'2024-02-28', CAST(id % 3 AS INT)) AS dt, \
         TIMESTAMP'2024-01-01 00:00:00' + make_interval(0, 0, 0, 0, 0, 0, id) AS ts, \
         TIMESTAMP_NTZ'2024-01-01 12:00:00' AS ntz, X'CAFE' AS b, array(id, id + 1) AS a, \
         map('k', id) AS m, named_struct('x', id, 'y', 'z') AS st{intervals} \
         FROM range(0, 3000, 1, 3)"
    )
}

fn write_file(query: &str, path: &Path) {
    let out = dbconnect(&[
        "sql",
        query,
        "--output",
        "parquet",
        "--file",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
}

#[test]
fn a_parquet_file_holds_the_exact_rows_and_types() {
    let dir = Folder::new("exact");
    let path = dir.file("rows.parquet");
    let rows = rows_query(true);
    write_file(&rows, &path);
    let from_file = concat(&read_parquet(&path));

    // The same query as an Arrow IPC stream: the schema and values the server sent.
    let arrow = dbconnect(&["sql", &rows, "--output", "arrow"]);
    assert_eq!(arrow.status.code(), Some(0), "{}", text(&arrow.stderr));
    let sent: Vec<RecordBatch> =
        arrow_ipc::reader::StreamReader::try_new(arrow.stdout.as_slice(), None)
            .unwrap()
            .map(|b| b.unwrap())
            .collect();
    let sent = concat(&sent);
    assert_eq!(from_file.schema().fields(), sent.schema().fields());
    assert_eq!(from_file.columns(), sent.columns());

    // And what the values are, computed here.
    assert_eq!(from_file.num_rows(), 3000);
    let schema = from_file.schema();
    let t = |i: usize| schema.field(i).data_type().clone();
    assert_eq!(schema.fields().len(), 14);
    assert_eq!(t(0), DataType::Int64);
    assert_eq!(t(1), DataType::Int32);
    assert_eq!(t(2), DataType::Utf8);
    assert!(matches!(t(3), DataType::Decimal128(_, _)), "{:?}", t(3));
    assert_eq!(t(4), DataType::Boolean);
    assert_eq!(t(5), DataType::Date32);
    assert!(
        matches!(t(6), DataType::Timestamp(TimeUnit::Microsecond, Some(_))),
        "{:?}",
        t(6)
    );
    assert_eq!(t(7), DataType::Timestamp(TimeUnit::Microsecond, None));
    assert_eq!(t(8), DataType::Binary);
    assert!(matches!(t(9), DataType::List(_)));
    assert!(matches!(t(10), DataType::Map(_, _)));
    assert!(matches!(t(11), DataType::Struct(_)));
    assert_eq!(t(12), DataType::Interval(IntervalUnit::YearMonth));
    assert_eq!(t(13), DataType::Duration(TimeUnit::Microsecond));
    let ids = from_file.column(0).as_primitive::<Int64Type>();
    let small = from_file.column(1).as_primitive::<Int32Type>();
    let s = from_file.column(2).as_string::<i32>();
    let dt = from_file.column(5).as_primitive::<Date32Type>();
    // 2024-02-28 is day 19781 of the Unix epoch.
    for row in 0..3000 {
        let id = ids.value(row);
        assert_eq!(id, row as i64);
        assert_eq!(small.value(row) as i64, id % 100);
        if id % 7 == 0 {
            assert!(s.is_null(row));
        } else {
            assert_eq!(s.value(row), format!("v{id}"));
        }
        assert_eq!(dt.value(row) as i64, 19781 + id % 3);
    }
    let ym = from_file
        .column(12)
        .as_primitive::<arrow_array::types::IntervalYearMonthType>();
    assert_eq!(ym.value(0), -2);
    let dti = from_file
        .column(13)
        .as_primitive::<arrow_array::types::DurationMicrosecondType>();
    assert_eq!(dti.value(0), ((26 * 60 + 3) * 60 + 4) * 1_000_000 + 500_000);

    // The server reads the file back (without the intervals, which it cannot read): the
    // same rows, by aggregates computed here.
    let path = dir.file("for_spark.parquet");
    write_file(&rows_query(false), &path);
    let check = format!(
        "SELECT count(*) AS n, sum(id) AS ids, count(s) AS strings, sum(small) AS smalls, \
         sum(size(a)) AS elements, sum(m['k']) AS keys, sum(st.x) AS xs, min(dt) AS first_day, \
         max(ntz) AS ntz FROM parquet.`{}`",
        path.display()
    );
    let out = dbconnect(&["sql", &check, "--output", "csv"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let id_sum: i64 = (0..3000).sum();
    let strings = (0..3000).filter(|i| i % 7 != 0).count();
    let smalls: i64 = (0..3000i64).map(|i| i % 100).sum();
    assert_eq!(
        text(&out.stdout),
        format!(
            "n,ids,strings,smalls,elements,keys,xs,first_day,ntz\n\
             3000,{id_sum},{strings},{smalls},6000,{id_sum},{id_sum},2024-02-28,2024-01-01T12:00:00\n"
        )
    );
}

#[test]
fn an_existing_file_is_kept_unless_force() {
    let dir = Folder::new("force");
    let path = dir.file("out.parquet");
    let path_arg = path.to_str().unwrap();
    std::fs::write(&path, b"keep me").unwrap();
    let out = dbconnect(&[
        "sql",
        "SELECT 1 AS one",
        "-o",
        "parquet",
        "--file",
        path_arg,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!("dbconnect: error: {path_arg} already exists; add --force to replace it\n")
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"keep me");

    // A failing query with --force leaves the old file as it was, and no temporary file.
    let out = dbconnect(&[
        "sql",
        "SELECT raise_error('cli_parquet_boom') AS x",
        "-o",
        "parquet",
        "--file",
        path_arg,
        "--force",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("cli_parquet_boom"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
    assert_eq!(dir.names(), ["out.parquet"]);

    let out = dbconnect(&[
        "sql",
        "SELECT 7 AS seven",
        "-o",
        "parquet",
        "--file",
        path_arg,
        "--force",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let batches = read_parquet(&path);
    assert_eq!(
        concat(&batches)
            .column(0)
            .as_primitive::<Int32Type>()
            .values(),
        &[7]
    );
    assert_eq!(dir.names(), ["out.parquet"]);

    // Without --force, a failing query leaves no file behind.
    let new = dir.file("new.parquet");
    let out = dbconnect(&[
        "sql",
        "SELECT raise_error('cli_parquet_boom') AS x",
        "-o",
        "parquet",
        "--file",
        new.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(dir.names(), ["out.parquet"]);
}

#[test]
fn a_bad_path_is_a_clear_error() {
    let dir = Folder::new("bad");
    let missing = dir.file("no_such_dir").join("x.parquet");
    let out = dbconnect(&[
        "sql",
        "SELECT 1",
        "-o",
        "parquet",
        "--file",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "dbconnect: error: cannot create the Parquet file {}: No such file or directory (os error 2)\n",
            missing.display()
        )
    );
    let out = dbconnect(&[
        "sql",
        "SELECT 1",
        "-o",
        "parquet",
        "--file",
        dir.0.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("it is a directory; give a file path"),
        "{}",
        text(&out.stderr)
    );
    // --file is for Parquet; --force needs --file.
    let out = dbconnect(&["sql", "SELECT 1", "--file", "x.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--file is for --output parquet"));
    let out = dbconnect(&["sql", "SELECT 1", "--force"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn parquet_to_a_pipe_is_the_same_file() {
    let dir = Folder::new("pipe");
    let path = dir.file("p.parquet");
    let query = "SELECT id, concat('r', id) AS r FROM range(0, 100)";
    let piped = dbconnect(&["sql", query, "-o", "parquet"]);
    assert_eq!(piped.status.code(), Some(0), "{}", text(&piped.stderr));
    let out = dbconnect(&[
        "sql",
        query,
        "-o",
        "parquet",
        "--file",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(piped.stdout, std::fs::read(&path).unwrap());
    let batch = concat(&read_parquet(&path));
    let ids: Vec<i64> = batch
        .column(0)
        .as_primitive::<Int64Type>()
        .values()
        .to_vec();
    assert_eq!(ids, (0..100).collect::<Vec<i64>>());
}
