//! Structured Streaming against a real server: sources, sinks, triggers, output modes, and the
//! query and manager commands. Expected rows are the ones the tests write or compute; every
//! query is stopped at the end of its test, also when an assertion fails, because running
//! queries take the shared server's cores.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use databricks_connect::functions::{col, expr};
use databricks_connect::{
    DataType, OutputMode, SparkSession, StreamingQuery, StreamingQueryEventKind, StructField,
    StructType, Trigger,
};
use futures_util::FutureExt;

use crate::api_functions::rows;
use crate::{TempDir, session};

/// A name no other test (or test run) uses: `stream_<what>_<pid>_<n>`.
fn unique(what: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "stream_{what}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs `body`, then stops `queries` whether it passed or panicked.
async fn stopping(queries: &[&StreamingQuery], body: impl Future<Output = ()>) {
    let outcome = AssertUnwindSafe(body).catch_unwind().await;
    for q in queries {
        if let Err(e) = q.stop().await {
            eprintln!("could not stop the streaming query {}: {e}", q.id());
        }
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Writes JSON lines files into a new directory `in` under `dir`, one file per slice.
fn write_json_files(dir: &TempDir, files: &[&[&str]]) -> String {
    let input = dir.path("in");
    std::fs::create_dir_all(&input).unwrap();
    let now = std::time::SystemTime::now();
    for (i, lines) in files.iter().enumerate() {
        let path = Path::new(&input).join(format!("part-{i}.json"));
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        // File sources take files oldest first: make the order the slices' order.
        let age = Duration::from_secs(10 * (files.len() - i) as u64);
        std::fs::File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.set_modified(now - age))
            .unwrap();
    }
    input
}

async fn sorted_rows(spark: &SparkSession, query: &str) -> Vec<Vec<String>> {
    let df = spark.sql(query).await.expect("query parses");
    let mut r = rows(&df.collect().await.expect("query runs"));
    r.sort();
    r
}

/// The rows a progress report says its sources read.
fn input_rows(progress: &serde_json::Value) -> i64 {
    progress["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .map(|s| s["numInputRows"].as_i64().expect("numInputRows"))
        .sum()
}

const PEOPLE: [&[&str]; 2] = [
    &[
        r#"{"id": 1, "name": "ann", "grp": "x"}"#,
        r#"{"id": 2, "name": "Zoë", "grp": "y"}"#,
    ],
    &[
        r#"{"id": 3, "name": null, "grp": "x"}"#,
        r#"{"id": 4, "name": "dee", "grp": "x"}"#,
    ],
];

fn people_rows() -> Vec<Vec<String>> {
    [
        ["1", "ann", "x"],
        ["2", "Zoë", "y"],
        ["3", "null", "x"],
        ["4", "dee", "x"],
    ]
    .iter()
    .map(|r| r.iter().map(|s| s.to_string()).collect())
    .collect()
}

#[tokio::test]
async fn rate_source_into_memory_sink_gives_consecutive_values() {
    let spark = session().await;
    let name = unique("rate");
    let df = spark
        .read_stream()
        .format("rate")
        .option("rowsPerSecond", 20)
        .option("numPartitions", 1)
        .load();
    assert!(df.is_streaming().await.unwrap());
    assert!(!spark.range(0, 3).is_streaming().await.unwrap());

    let query = df
        .select(["value"])
        .write_stream()
        .format("memory")
        .query_name(&name)
        .output_mode(OutputMode::Append)
        .trigger(Trigger::ProcessingTime(Duration::from_millis(200)))
        .start()
        .await
        .expect("the query starts");
    assert_eq!(query.name(), Some(name.as_str()));
    assert!(!query.id().is_empty() && !query.run_id().is_empty());

    let manager = spark.streams();
    stopping(&[&query], async {
        // The first micro-batch of `rate` may be empty: wait (by rounds, not by time) until
        // some rows have arrived.
        let mut values = Vec::new();
        for _ in 0..100 {
            query.process_all_available().await.unwrap();
            values = sorted_rows(&spark, &format!("SELECT value FROM {name}")).await;
            if !values.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let values: Vec<i64> = values.iter().map(|r| r[0].parse().unwrap()).collect();
        let mut sorted = values.clone();
        sorted.sort();
        assert!(!sorted.is_empty(), "no rows arrived");
        assert_eq!(sorted, (0..sorted.len() as i64).collect::<Vec<_>>());

        let status = query.status().await.unwrap();
        assert!(status.is_active);
        assert!(!status.message.is_empty());
        assert!(query.is_active().await.unwrap());
        assert!(query.exception().await.unwrap().is_none());

        let last = query
            .last_progress()
            .await
            .unwrap()
            .expect("a progress report");
        assert_eq!(last["id"], query.id());
        assert_eq!(last["runId"], query.run_id());
        assert_eq!(last["name"], name.as_str());
        assert!(last["batchId"].is_i64());
        assert_eq!(last["sink"]["description"], "MemorySink", "{last:#}");
        assert!(input_rows(&last) >= 0, "{last:#}");
        let recent = query.recent_progress().await.unwrap();
        assert!(!recent.is_empty());
        assert!(recent.iter().all(|p| p["id"] == query.id()));
        let batch_ids: Vec<i64> = recent
            .iter()
            .map(|p| p["batchId"].as_i64().unwrap())
            .collect();
        assert!(batch_ids.windows(2).all(|w| w[0] <= w[1]), "{batch_ids:?}");

        let plan = query.explain(true).await.unwrap();
        assert!(plan.contains("== Physical Plan =="), "{plan}");

        let active = manager.active().await.unwrap();
        assert!(active.iter().any(|q| q.id() == query.id()));
        let got = manager.get(query.id()).await.unwrap().expect("the query");
        assert_eq!(got.run_id(), query.run_id());
        assert_eq!(got.name(), Some(name.as_str()));

        // A running query does not end within the timeout.
        assert!(
            !query
                .await_termination(Some(Duration::from_millis(300)))
                .await
                .unwrap()
        );
        assert!(
            !manager
                .await_any_termination(Some(Duration::from_millis(300)))
                .await
                .unwrap()
        );
    })
    .await;

    assert!(!query.is_active().await.unwrap());
    assert!(
        query
            .await_termination(Some(Duration::from_secs(30)))
            .await
            .unwrap()
    );
    assert!(query.exception().await.unwrap().is_none());
    let active = manager.active().await.unwrap();
    assert!(active.iter().all(|q| q.id() != query.id()));
    assert!(manager.get(query.id()).await.unwrap().is_none());
    assert!(
        manager
            .await_any_termination(Some(Duration::from_secs(30)))
            .await
            .unwrap()
    );
    manager.reset_terminated().await.unwrap();
    // Stopping again does nothing.
    query.stop().await.unwrap();
}

#[tokio::test]
async fn json_files_into_partitioned_parquet_with_available_now() {
    let spark = session().await;
    let dir = TempDir::new("files");
    let input = write_json_files(&dir, &PEOPLE);
    let output = dir.path("out");
    let query = spark
        .read_stream()
        .schema("id INT, name STRING, grp STRING")
        .option("maxFilesPerTrigger", 1)
        .json(&input)
        .write_stream()
        .format("parquet")
        .partition_by(["grp"])
        .checkpoint_location(&dir.path("checkpoint"))
        .trigger(Trigger::AvailableNow)
        .start_path(&output)
        .await
        .expect("the query starts");
    stopping(&[&query], async {
        assert!(
            query
                .await_termination(Some(Duration::from_secs(120)))
                .await
                .unwrap()
        );
    })
    .await;
    assert!(query.exception().await.unwrap().is_none());
    // Two files, one per micro-batch.
    let recent = query.recent_progress().await.unwrap();
    assert_eq!(recent.iter().map(input_rows).sum::<i64>(), 4);

    assert!(Path::new(&output).join("grp=x").is_dir());
    assert!(Path::new(&output).join("grp=y").is_dir());
    assert_eq!(
        sorted_rows(
            &spark,
            &format!("SELECT CAST(id AS STRING), name, grp FROM parquet.`{output}`")
        )
        .await,
        people_rows()
    );
}

#[tokio::test]
async fn json_sink_into_a_table_and_from_a_table() {
    let spark = session().await;
    let dir = TempDir::new("table");
    let input = write_json_files(&dir, &PEOPLE);
    let table = unique("people");
    let schema = StructType {
        fields: vec![
            StructField {
                name: "id".into(),
                data_type: DataType::Integer,
                nullable: true,
                metadata: None,
            },
            StructField {
                name: "name".into(),
                data_type: DataType::String {
                    collation: String::new(),
                },
                nullable: true,
                metadata: None,
            },
            StructField {
                name: "grp".into(),
                data_type: DataType::String {
                    collation: String::new(),
                },
                nullable: true,
                metadata: None,
            },
        ],
    };
    let query = spark
        .read_stream()
        .schema(&schema)
        .format("json")
        .load_path(&input)
        .write_stream()
        .checkpoint_location(&dir.path("checkpoint"))
        .trigger(Trigger::AvailableNow)
        .to_table(&table)
        .await
        .expect("the query starts");
    stopping(&[&query], async {
        assert!(
            query
                .await_termination(Some(Duration::from_secs(120)))
                .await
                .unwrap()
        );
    })
    .await;
    let written = sorted_rows(
        &spark,
        &format!("SELECT CAST(id AS STRING), name, grp FROM {table}"),
    )
    .await;

    // The table is a streaming source too.
    let copy = unique("copy");
    let from_table = spark.read_stream().table(&table);
    assert!(from_table.is_streaming().await.unwrap());
    let second = from_table
        .write_stream()
        .format("memory")
        .query_name(&copy)
        .checkpoint_location(&dir.path("checkpoint2"))
        .trigger(Trigger::AvailableNow)
        .start()
        .await
        .expect("the second query starts");
    stopping(&[&second], async {
        assert!(
            second
                .await_termination(Some(Duration::from_secs(120)))
                .await
                .unwrap()
        );
    })
    .await;
    let copied = sorted_rows(
        &spark,
        &format!("SELECT CAST(id AS STRING), name, grp FROM {copy}"),
    )
    .await;
    spark
        .sql(&format!("DROP TABLE IF EXISTS {table}"))
        .await
        .unwrap();
    assert_eq!(written, people_rows());
    assert_eq!(copied, people_rows());
}

#[tokio::test]
async fn aggregations_in_complete_and_update_modes() {
    let spark = session().await;
    let dir = TempDir::new("agg");
    let input = write_json_files(&dir, &PEOPLE);
    let counts = |mode: OutputMode, name: &str, checkpoint: &str| {
        spark
            .read_stream()
            .schema("id INT, name STRING, grp STRING")
            .option("maxFilesPerTrigger", 1)
            .json(&input)
            .group_by(["grp"])
            .count()
            .write_stream()
            .format("memory")
            .query_name(name)
            .output_mode(mode)
            .checkpoint_location(checkpoint)
            .trigger(Trigger::AvailableNow)
            .start()
    };

    // Complete: the whole result each time; the memory sink keeps the last.
    let complete = unique("complete");
    let query = counts(OutputMode::Complete, &complete, &dir.path("ck1"))
        .await
        .expect("the query starts");
    stopping(&[&query], async {
        assert!(
            query
                .await_termination(Some(Duration::from_secs(120)))
                .await
                .unwrap()
        );
    })
    .await;
    // The memory sink in complete mode holds the result of the last micro-batch.
    assert_eq!(
        sorted_rows(
            &spark,
            &format!("SELECT grp, CAST(count AS STRING) FROM {complete}")
        )
        .await,
        [["x", "3"], ["y", "1"]]
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );

    // Update: only the groups that changed, batch by batch (one file per batch):
    // batch 0 gives x=1, y=1; batch 1 gives x=3.
    let update = unique("update");
    let query = counts(OutputMode::Update, &update, &dir.path("ck2"))
        .await
        .expect("the query starts");
    stopping(&[&query], async {
        assert!(
            query
                .await_termination(Some(Duration::from_secs(120)))
                .await
                .unwrap()
        );
    })
    .await;
    let mut updates = sorted_rows(
        &spark,
        &format!("SELECT grp, CAST(count AS STRING) FROM {update}"),
    )
    .await;
    updates.sort();
    assert_eq!(
        updates,
        [["x", "1"], ["x", "3"], ["y", "1"]]
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );

    // Append is refused for an aggregation without a watermark, when the query starts.
    let err = counts(OutputMode::Append, &unique("append"), &dir.path("ck3"))
        .await
        .expect_err("append of an aggregation is refused");
    assert!(
        err.to_string()
            .contains("STREAMING_OUTPUT_MODE.UNSUPPORTED_OPERATION"),
        "{err}"
    );
}

#[tokio::test]
async fn a_failing_query_reports_its_error() {
    let spark = session().await;
    let dir = TempDir::new("fail");
    let input = write_json_files(&dir, &PEOPLE);
    let marker = unique("boom");
    let query = spark
        .read_stream()
        .schema("id INT, name STRING, grp STRING")
        .json(&input)
        .select([expr(&format!(
            "CASE WHEN id = 3 THEN raise_error('{marker}') ELSE id END AS id"
        ))])
        .write_stream()
        .format("memory")
        .query_name(&unique("failing"))
        .start()
        .await
        .expect("the query starts");
    stopping(&[&query], async {
        let err = query
            .await_termination(Some(Duration::from_secs(120)))
            .await
            .expect_err("the query fails");
        assert!(err.to_string().contains(&marker), "{err}");
        let exception = query.exception().await.unwrap().expect("an exception");
        assert!(exception.message.contains(&marker), "{exception:?}");
        assert!(!query.is_active().await.unwrap());
        let err = query
            .process_all_available()
            .await
            .expect_err("the query has failed");
        assert!(err.to_string().contains(&marker), "{err}");
    })
    .await;
    let err = spark
        .streams()
        .await_any_termination(Some(Duration::from_secs(30)))
        .await
        .expect_err("the session's failed query");
    assert!(err.to_string().contains(&marker), "{err}");
}

#[tokio::test]
async fn bad_input_gives_clear_errors() {
    let spark = session().await;
    let rate = || spark.read_stream().format("rate").load();

    let err = rate()
        .write_stream()
        .format(&unique("no_such_sink"))
        .start()
        .await
        .expect_err("an unknown sink");
    assert!(err.server_error().is_some(), "{err}");

    let err = rate()
        .write_stream()
        .format("memory")
        .trigger(Trigger::ProcessingTime(Duration::from_micros(1500)))
        .start()
        .await
        .expect_err("a sub-millisecond interval");
    assert!(
        err.to_string().contains("whole number of milliseconds"),
        "{err}"
    );

    // The memory sink needs a query name.
    let err = rate()
        .write_stream()
        .format("memory")
        .start()
        .await
        .expect_err("a memory sink without a name");
    assert!(err.server_error().is_some(), "{err}");

    let err = "sometimes".parse::<OutputMode>().unwrap_err();
    assert!(err.to_string().contains("'sometimes'"), "{err}");

    // A batch DataFrame cannot be started as a stream.
    let err = spark
        .range(0, 3)
        .write_stream()
        .format("memory")
        .query_name(&unique("batch"))
        .start()
        .await
        .expect_err("a batch DataFrame");
    assert!(err.to_string().contains("writeStream"), "{err}");

    // A file source without a schema.
    let dir = TempDir::new("noschema");
    let input = write_json_files(&dir, &PEOPLE);
    let err = spark
        .read_stream()
        .json(&input)
        .schema()
        .await
        .expect_err("no schema");
    assert!(err.server_error().is_some(), "{err}");

    let query = rate()
        .select([col("value")])
        .write_stream()
        .format("memory")
        .query_name(&unique("zero"))
        .start()
        .await
        .unwrap();
    stopping(&[&query], async {
        let err = query
            .await_termination(Some(Duration::ZERO))
            .await
            .expect_err("a zero timeout");
        assert!(err.to_string().contains("positive"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn query_events_arrive_in_order_until_closed() {
    let spark = session().await;
    let manager = spark.streams();
    let mut events = manager.listen().await.expect("the server sends events");
    let err = manager
        .listen()
        .await
        .expect_err("one open event stream per session");
    assert!(err.to_string().contains("already has an open"), "{err}");

    let dir = TempDir::new("events");
    let input = write_json_files(&dir, &PEOPLE);
    let name = unique("events");
    let query = spark
        .read_stream()
        .schema("id INT, name STRING, grp STRING")
        .option("maxFilesPerTrigger", 1)
        .json(&input)
        .write_stream()
        .format("memory")
        .query_name(&name)
        .trigger(Trigger::AvailableNow)
        .start()
        .await
        .expect("the query starts");
    stopping(&[&query], async {
        assert!(
            query
                .await_termination(Some(Duration::from_secs(120)))
                .await
                .unwrap()
        );
    })
    .await;

    // Read until this query's termination (a safety limit, not a timing assertion: a missing
    // event must fail the test rather than hang it).
    let mut ours = Vec::new();
    loop {
        let event = tokio::time::timeout(Duration::from_secs(120), events.next())
            .await
            .expect("the next event")
            .expect("the event stream goes on")
            .expect("a valid event");
        if event.query_id() != Some(query.id()) {
            continue;
        }
        let done = event.kind == StreamingQueryEventKind::Terminated;
        ours.push(event);
        if done {
            break;
        }
    }
    let kinds: Vec<_> = ours.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds.first(),
        Some(&StreamingQueryEventKind::Started),
        "{kinds:?}"
    );
    assert_eq!(ours[0].json["name"], name.as_str());
    assert!(ours.iter().all(|e| e.run_id() == Some(query.run_id())));
    let progress: Vec<_> = ours.iter().filter_map(|e| e.progress()).collect();
    assert_eq!(
        progress.iter().map(|p| input_rows(p)).sum::<i64>(),
        4,
        "{kinds:?}"
    );
    assert!(ours.last().unwrap().exception().is_none());

    let rest = events.close().await.expect("the event stream closes");
    assert!(
        rest.iter().all(|e| e.query_id() != Some(query.id())),
        "{rest:?}"
    );

    // Closed (or dropped), the session can listen again.
    let again = manager.listen().await.expect("listening again after close");
    drop(again);
    let last = manager.listen().await.expect("listening again after drop");
    last.close().await.unwrap();
}

#[tokio::test]
async fn watermark_and_deduplication_within_it_on_a_stream() {
    let spark = session().await;
    let dir = TempDir::new("dedup");
    let input = write_json_files(
        &dir,
        &[&[
            r#"{"id": 1, "ts": "2024-01-01 00:00:00"}"#,
            r#"{"id": 2, "ts": "2024-01-01 00:00:05"}"#,
            r#"{"id": 1, "ts": "2024-01-01 00:00:09"}"#,
            r#"{"id": 3, "ts": "2024-01-01 00:00:10"}"#,
            r#"{"id": 2, "ts": "2024-01-01 00:00:11"}"#,
        ]],
    );
    let name = unique("dedup");
    let query = spark
        .read_stream()
        .schema("id INT, ts TIMESTAMP")
        .json(&input)
        .with_watermark("ts", "10 minutes")
        .drop_duplicates_within_watermark(["id"])
        .write_stream()
        .format("memory")
        .query_name(&name)
        .trigger(Trigger::AvailableNow)
        .start()
        .await
        .expect("the query starts");
    stopping(&[&query], async {
        assert!(
            query
                .await_termination(Some(Duration::from_secs(120)))
                .await
                .unwrap()
        );
    })
    .await;
    // One row per id; which of the duplicates is kept is not specified.
    assert_eq!(
        sorted_rows(&spark, &format!("SELECT CAST(id AS STRING) FROM {name}")).await,
        [["1"], ["2"], ["3"]]
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
}
