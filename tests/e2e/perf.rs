//! Performance-related behaviour against the real server: compressed Arrow results (Spark's
//! `spark.sql.execution.arrow.compression.codec`), the payload copies a result costs, and very
//! deep plans.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use databricks_connect::arrow::array::Array;
use databricks_connect::functions::{col, lit};
use futures_util::StreamExt;

use crate::session;

const ROWS: i64 = 60_000;

/// A compressible result: `id`, `id * 3`, and a string that repeats a lot.
const QUERY: &str = "SELECT id, id * 3 AS triple, CONCAT('perf-', CAST(id % 10 AS STRING)) AS s \
                     FROM range(0, 60000)";

/// Streams `QUERY` with the session's codec set to `codec`, checks every value, and returns
/// the Arrow payload bytes received.
async fn fetch_checked(codec: &str) -> u64 {
    let spark = session().await;
    spark
        .conf()
        .set("spark.sql.execution.arrow.compression.codec", codec)
        .await
        .expect("the codec setting is accepted");
    let df = spark.sql(QUERY).await.expect("query plans");
    let mut stream = df.stream().await.expect("query runs");
    let mut next_id = 0i64;
    while let Some(batch) = stream.next().await {
        let batch = batch.unwrap_or_else(|e| panic!("a {codec} batch decodes: {e}"));
        let ids = batch.column(0).as_primitive::<Int64Type>();
        let triples = batch.column(1).as_primitive::<Int64Type>();
        let strings = batch.column(2).as_string::<i32>();
        for r in 0..batch.num_rows() {
            assert_eq!(ids.value(r), next_id, "{codec}: row {next_id}");
            assert_eq!(triples.value(r), next_id * 3, "{codec}: row {next_id}");
            assert_eq!(strings.value(r), format!("perf-{}", next_id % 10));
            assert!(!strings.is_null(r));
            next_id += 1;
        }
    }
    assert_eq!(next_id, ROWS, "{codec}: rows received");
    let copies = stream.payload_copies();
    assert!(copies.payloads >= 1, "{codec}: {copies:?}");
    // Streamed payloads arrive placed (see payloads_arrive_placed_so_that_nothing_is_copied_again):
    // at most the rare one whose metadata was cut from its first HTTP/2 frame is copied, and
    // then once, so the bytes copied are those of that one payload.
    match copies.copied_payloads {
        0 => assert_eq!(copies.copied_bytes, 0, "{codec}: {copies:?}"),
        1 => assert!(
            copies.copied_bytes > 0 && copies.copied_bytes < copies.bytes,
            "{codec}: one payload's bytes: {copies:?}"
        ),
        n => panic!("{codec}: {n} payloads copied, expected at most one: {copies:?}"),
    }
    copies.bytes
}

#[tokio::test]
async fn lz4_and_zstd_compressed_results_decode_exactly() {
    let plain = fetch_checked("none").await;
    let lz4 = fetch_checked("lz4").await;
    let zstd = fetch_checked("zstd").await;
    // The server really compressed them (else this test would prove nothing): the repetitive
    // columns shrink well below half.
    assert!(
        lz4 * 2 < plain,
        "lz4 payloads {lz4} bytes vs {plain} uncompressed"
    );
    assert!(
        zstd * 2 < plain,
        "zstd payloads {zstd} bytes vs {plain} uncompressed"
    );
}

#[tokio::test]
async fn collect_holds_each_batch_in_an_allocation_of_its_own_size() {
    let spark = session().await;
    let df = spark.sql(QUERY).await.expect("query plans");
    let batches = df.collect().await.expect("query runs");
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    assert_eq!(rows as i64, ROWS);
    for batch in &batches {
        // The used bytes of the batch's arrays...
        let used: usize = batch
            .columns()
            .iter()
            .map(|c| c.to_data().get_slice_memory_size().unwrap())
            .sum();
        // ... and the allocations they keep alive, each counted once.
        let mut allocations = std::collections::HashMap::new();
        for column in batch.columns() {
            let data = column.to_data();
            for buffer in data.buffers() {
                allocations.insert(buffer.data_ptr(), buffer.capacity());
            }
        }
        let kept: usize = allocations.values().sum();
        // One payload copy per batch: its Arrow data plus the IPC framing (schema message,
        // headers, padding), never a whole gRPC receive buffer.
        assert!(
            kept <= used + 64 * 1024,
            "a batch of {used} Arrow bytes keeps {kept} bytes alive"
        );
    }
}

/// Longs, strings, decimals and timestamps over 200,000 rows: 20 Arrow batches of 10,000 rows.
const PLACED_QUERY: &str = "SELECT id, CONCAT('row-', CAST(id AS STRING)) AS s, \
                            CAST(id AS DECIMAL(18,2)) AS dec, TIMESTAMP_SECONDS(id) AS ts \
                            FROM range(0, 200000)";

#[tokio::test]
async fn payloads_arrive_placed_so_that_nothing_is_copied_again() {
    use arrow_array::types::Decimal128Type;
    let spark = session().await;
    let df = spark.sql(PLACED_QUERY).await.expect("query plans");
    let mut stream = df.stream().await.expect("query runs");
    let mut next_id = 0i64;
    while let Some(batch) = stream.next().await {
        let batch = batch.expect("a batch decodes");
        let ids = batch.column(0).as_primitive::<Int64Type>();
        let strings = batch.column(1).as_string::<i32>();
        let decimals = batch.column(2).as_primitive::<Decimal128Type>();
        // Arrow copies a buffer that is misaligned for its type on its own. The payload lays
        // the columns out in order, so the decimal values lie between the ids and the
        // timestamps exactly when they are still part of the payload's one allocation: a
        // decimal column realigned elsewhere fails this.
        let values = |c: usize| batch.column(c).to_data().buffers()[0].as_ptr() as usize;
        let (id_at, decimal_at, ts_at) = (values(0), values(2), values(3));
        assert!(
            id_at < decimal_at && decimal_at < ts_at,
            "the decimal values ({decimal_at:#x}) are not inside the payload ({id_at:#x}..{ts_at:#x})"
        );
        for r in 0..batch.num_rows() {
            assert_eq!(ids.value(r), next_id);
            assert_eq!(strings.value(r), format!("row-{next_id}"));
            assert_eq!(decimals.value(r), i128::from(next_id) * 100);
            next_id += 1;
        }
    }
    assert_eq!(next_id, 200_000);
    let copies = stream.payload_copies();
    assert!(copies.payloads >= 20, "{copies:?}");
    // The transport gathers each message into an allocation placed from the payload's first
    // bytes; only a message whose payload metadata was not in its first HTTP/2 frame (a frame
    // cut just after the message began, about one in a thousand) can miss, and is copied.
    assert!(copies.copied_payloads <= 1, "{copies:?}");
}

#[tokio::test]
async fn a_ten_thousand_deep_plan_is_refused_clearly_and_dropped() {
    let spark = session().await;
    let mut deep = spark.range(0, 3);
    for i in 0..10_000 {
        deep = deep.with_column(format!("c{}", i % 50).as_str(), col("id") + lit(i));
    }
    // Refused before it is cloned or encoded (both recurse once per level and would overflow
    // this test thread's stack), with an error that says why.
    let err = deep.collect().await.expect_err("too deep to send");
    let message = err.to_string();
    assert!(message.contains("10001 relations deep"), "{message}");
    assert!(message.contains("marshallerRecursionLimit"), "{message}");
    let err = deep.schema().await.expect_err("too deep to send");
    assert!(err.to_string().contains("relations deep"), "{err}");
    // Dropped level by level: no stack overflow either.
    drop(deep);
}

#[tokio::test]
async fn a_deep_chain_within_the_server_limit_gives_exact_results() {
    let spark = session().await;
    let mut df = spark.range(0, 4);
    let levels = 300;
    for i in 0..levels {
        df = df.with_column(format!("c{}", i % 10).as_str(), col("id") + lit(i));
    }
    let batches = df.collect().await.expect("a 300-deep plan runs");
    let mut rows = 0;
    for batch in &batches {
        assert_eq!(batch.num_columns(), 11);
        let ids = batch.column(0).as_primitive::<Int64Type>();
        for r in 0..batch.num_rows() {
            let id = ids.value(r);
            for k in 0..10 {
                // The last with_column of column c{k} is the one with i = levels - 10 + k.
                let c = batch.column(1 + k).as_primitive::<Int64Type>();
                assert_eq!(c.value(r), id + (levels - 10 + k as i64));
            }
            rows += 1;
        }
    }
    assert_eq!(rows, 4);
}

/// The plan of `range(0, rows)`, as the replay recorder sends it.
fn range_plan(rows: i64) -> databricks_connect::proto::Plan {
    use databricks_connect::proto;
    proto::Plan {
        op_type: Some(proto::plan::OpType::Root(proto::Relation {
            common: None,
            rel_type: Some(proto::relation::RelType::Range(proto::Range {
                start: Some(0),
                end: rows,
                step: 1,
                num_partitions: Some(3),
            })),
        })),
    }
}

#[tokio::test]
async fn the_replay_server_serves_a_recorded_result_to_the_client() {
    use test_support::replay::{Recording, ReplayServer};
    let recording = Recording::record(&test_support::test_remote(), range_plan(ROWS))
        .await
        .expect("recorded from the real server");
    assert_eq!(recording.rows(), ROWS as u64);
    let server = ReplayServer::start(recording).await.expect("replay starts");
    // Twice: the recording is served again to every execution, whatever its plan.
    for _ in 0..2 {
        let spark = databricks_connect::DatabricksSession::builder()
            .remote(server.url())
            .create()
            .await
            .expect("session on the replay server");
        let batches = spark.range(0, 5).collect().await.expect("replayed result");
        let mut next_id = 0i64;
        for batch in &batches {
            let ids = batch.column(0).as_primitive::<Int64Type>();
            for r in 0..batch.num_rows() {
                assert_eq!(ids.value(r), next_id);
                next_id += 1;
            }
        }
        assert_eq!(next_id, ROWS);
        // A command is not replayed: refused with a clear error.
        let err = spark
            .sql("SELECT 1")
            .await
            .expect_err("commands are refused");
        assert!(err.to_string().contains("replay server"), "{err}");
    }
    let calls = server.calls();
    assert_eq!(calls.get("ExecutePlan"), Some(&4), "{calls:?}");
}

#[tokio::test]
async fn the_replay_server_resumes_after_a_response_id() {
    use databricks_connect::proto;
    use proto::spark_connect_service_client::SparkConnectServiceClient;
    use test_support::replay::{Recording, ReplayServer};
    let recording = Recording::record(&test_support::test_remote(), range_plan(ROWS))
        .await
        .expect("recorded from the real server");
    let total = recording.responses();
    assert!(total >= 3, "{total} responses");
    let server = ReplayServer::start(recording).await.expect("replay starts");
    let endpoint = server.url().replacen("sc://", "http://", 1);
    let channel = tonic::transport::Endpoint::from_shared(endpoint)
        .expect("an endpoint")
        .connect()
        .await
        .expect("connects");
    let mut client = SparkConnectServiceClient::new(channel);
    let session_id = "00000000-0000-4000-8000-000000000001".to_string();
    let operation_id = "00000000-0000-4000-8000-000000000002".to_string();
    let mut first = client
        .execute_plan(proto::ExecutePlanRequest {
            session_id: session_id.clone(),
            operation_id: Some(operation_id.clone()),
            plan: Some(range_plan(1)),
            ..Default::default()
        })
        .await
        .expect("ExecutePlan")
        .into_inner();
    let mut ids = Vec::new();
    while let Some(r) = first.message().await.expect("a response") {
        assert_eq!(
            (&r.session_id, &r.operation_id),
            (&session_id, &operation_id)
        );
        ids.push(r.response_id);
    }
    assert_eq!(ids.len(), total);
    let mut rest = client
        .reattach_execute(proto::ReattachExecuteRequest {
            session_id: session_id.clone(),
            operation_id: operation_id.clone(),
            last_response_id: Some(ids[0].clone()),
            ..Default::default()
        })
        .await
        .expect("ReattachExecute")
        .into_inner();
    let mut resumed = Vec::new();
    while let Some(r) = rest.message().await.expect("a response") {
        resumed.push(r.response_id);
    }
    assert_eq!(resumed, ids[1..]);
    let unknown = client
        .reattach_execute(proto::ReattachExecuteRequest {
            session_id,
            operation_id,
            last_response_id: Some("not-a-response".into()),
            ..Default::default()
        })
        .await;
    assert!(unknown.is_err(), "an unknown response id is refused");
}
