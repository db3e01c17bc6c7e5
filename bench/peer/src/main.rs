//! The peer's side of `cargo xtask bench`: issue 17's workloads with the Rust client
//! `apache-spark-connect` 4.2.0 (lib `spark_connect`; its API is blocking, on a shared tokio
//! runtime of its own), doing the same work and the same exact checks as `dbconnect-bench`.
//!
//! ```text
//! peer-bench seq-sql <sc://url> N
//! peer-bench seq-range <sc://url> N
//! peer-bench concurrent <sc://url> Q N
//! peer-bench upload <sc://url> N
//! ```
//!
//! Each prints `rows=<n> bytes=<m>` as the harness expects, or fails with the peer's error.
//! Not a member of the workspace: it is built only by `cargo xtask bench` (the peer's proto
//! crate needs `protoc`).

use std::process::ExitCode;

use spark_connect::SparkSession;
use spark_connect::row::{Row, Value};
use spark_connect::types::{DataType, StructField};

fn count_arg(args: &[String], i: usize, what: &str) -> Result<u64, String> {
    let text = args.get(i).ok_or_else(|| format!("missing {what}"))?;
    text.parse::<u32>()
        .map(u64::from)
        .map_err(|_| format!("{what}: expected a count below 2^32, got '{text}'"))
}

fn small_sql(i: u64) -> String {
    format!("SELECT {i} AS i, 'x{i}' AS s")
}

fn check_small_sql(rows: &[Row], i: u64) -> Result<(), String> {
    let ok = rows.len() == 1
        && matches!(rows[0].get(0), Some(Value::Integer(v)) if i64::from(*v) == i as i64)
        && matches!(rows[0].get(1), Some(Value::String(s)) if *s == format!("x{i}"));
    if !ok {
        return Err(format!(
            "query {i}: got {rows:?}, expected one row ({i}, 'x{i}')"
        ));
    }
    Ok(())
}

fn small_query(spark: &SparkSession, i: u64) -> Result<(), String> {
    let rows = spark
        .sql(&small_sql(i))
        .and_then(|df| df.collect())
        .map_err(|e| format!("query {i}: {e}"))?;
    check_small_sql(&rows, i)
}

/// The upload's rows, as `dbconnect-bench upload` builds its table: id, d = id * 0.5,
/// s = `row-` and id in 16 digits, ts = id seconds after the epoch.
fn upload_rows(n: u64) -> (Vec<Row>, DataType) {
    let field = |name: &str, data_type| StructField {
        name: name.into(),
        data_type,
        nullable: true,
        metadata: Default::default(),
    };
    let schema = DataType::Struct {
        fields: vec![
            field("id", DataType::Long),
            field("d", DataType::Double),
            field(
                "s",
                DataType::String {
                    collation: "UTF8_BINARY".into(),
                },
            ),
            field("ts", DataType::Timestamp),
        ],
    };
    let names: Vec<String> = ["id", "d", "s", "ts"].map(String::from).into();
    let rows = (0..n as i64)
        .map(|i| {
            Row::new(
                names.clone(),
                vec![
                    Value::Long(i),
                    Value::Double(i as f64 * 0.5),
                    Value::String(format!("row-{i:016}")),
                    Value::Timestamp(i * 1_000_000),
                ],
            )
        })
        .collect();
    (rows, schema)
}

fn run(args: &[String]) -> Result<(), String> {
    let scenario = args.first().ok_or("missing scenario")?;
    let url = args.get(1).ok_or("missing URL")?;
    let spark = SparkSession::builder()
        .remote(url)
        .get_or_create()
        .map_err(|e| e.to_string())?;
    match scenario.as_str() {
        "seq-sql" => {
            let n = count_arg(args, 2, "N")?;
            for i in 0..n {
                small_query(&spark, i)?;
            }
            println!("rows={n} bytes=0");
        }
        "seq-range" => {
            let n = count_arg(args, 2, "N")?;
            for i in 0..n as i64 {
                let rows = spark
                    .range_full(i, i + 1, 1, None)
                    .and_then(|df| df.collect())
                    .map_err(|e| format!("range {i}: {e}"))?;
                if rows.len() != 1 || !matches!(rows[0].get(0), Some(Value::Long(v)) if *v == i) {
                    return Err(format!("range {i}: got {rows:?}, expected one row id={i}"));
                }
            }
            println!("rows={n} bytes=0");
        }
        "concurrent" => {
            let tasks = count_arg(args, 2, "Q")?;
            let each = count_arg(args, 3, "N")?;
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..tasks)
                    .map(|t| {
                        let spark = spark.clone();
                        scope.spawn(move || {
                            (0..each).try_for_each(|j| small_query(&spark, t * each + j))
                        })
                    })
                    .collect();
                handles.into_iter().try_for_each(|h| {
                    h.join()
                        .map_err(|_| "a query thread panicked".to_string())?
                })
            })?;
            println!("rows={} bytes=0", tasks * each);
        }
        "upload" => {
            let n = count_arg(args, 2, "N")?;
            let (rows, schema) = upload_rows(n);
            let df = spark
                .create_dataframe(rows, schema)
                .map_err(|e| format!("create_dataframe: {e}"))?;
            let counted = df.count().map_err(|e| format!("count: {e}"))?;
            if counted != n as i64 {
                return Err(format!("upload: count() is {counted}, expected {n}"));
            }
            let sums = df
                .select_expr(vec![
                    "sum(id)",
                    "sum(d)",
                    "sum(length(s))",
                    "max(unix_micros(ts))",
                    // The rows whose d, s or ts is not what row id must hold: 0.
                    "count_if(d <> id * 0.5 OR s <> concat('row-', lpad(CAST(id AS STRING), 16, '0')) OR unix_micros(ts) <> id * 1000000)",
                ])
                .collect()
                .map_err(|e| format!("sums: {e}"))?;
            let n = n as i64;
            let ok = sums.len() == 1
                && matches!(sums[0].get(0), Some(Value::Long(v)) if *v == n * (n - 1) / 2)
                && matches!(sums[0].get(1), Some(Value::Double(v)) if *v == (n * (n - 1)) as f64 / 4.0)
                && matches!(sums[0].get(2), Some(Value::Long(v)) if *v == 20 * n)
                && matches!(sums[0].get(3), Some(Value::Long(v)) if *v == (n - 1).max(0) * 1_000_000)
                && matches!(sums[0].get(4), Some(Value::Long(0)));
            if !ok {
                return Err(format!("upload sums: got {sums:?}"));
            }
            // The server drops the cached table with the session (as dbconnect-bench's).
            spark.stop().map_err(|e| format!("stop: {e}"))?;
            // The same 48 bytes a row of Arrow data as the others' tables.
            println!("rows={counted} bytes={}", n * 48);
        }
        other => return Err(format!("unknown scenario '{other}'")),
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peer-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
