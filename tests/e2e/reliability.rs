//! Reliability against the real server through the fault-injecting proxy: results survive cut
//! connections exactly, and a connection that goes silent ends in a clear error in bounded
//! time. See docs/reliability.md.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use arrow_array::{Array, Int64Array, StringArray};
use databricks_connect::{ErrorKind, SparkSession};
use futures_util::StreamExt;
use spark_connect_transport::{KeepAlive, RetryPolicy};
use test_support::proxy::FaultProxy;

/// The plain test server's address, for the proxy to forward to.
pub(crate) fn upstream() -> SocketAddr {
    let url = test_support::test_remote();
    let authority = url
        .trim_start_matches("sc://")
        .split(['/', ';'])
        .next()
        .unwrap_or_default()
        .to_string();
    authority
        .parse()
        .unwrap_or_else(|_| panic!("the test server URL {url} is not sc://<ip>:<port>"))
}

pub(crate) async fn session_through(
    proxy: &FaultProxy,
    configure: impl FnOnce(
        spark_connect_transport::ClientBuilder,
    ) -> spark_connect_transport::ClientBuilder
    + Send
    + 'static,
) -> SparkSession {
    SparkSession::builder()
        .remote(format!("sc://{}", proxy.addr()))
        .configure_client(configure)
        .build()
        .await
        .expect("session through the proxy")
}

const ROWS: i64 = 600_000;

fn large_query() -> String {
    format!("SELECT id, concat('row-', id, '-', repeat('x', 60)) AS s FROM range(0, {ROWS}, 1, 4)")
}

/// Checks that the batches hold exactly rows 0..ROWS in order with the expected strings.
fn check_rows(next_id: &mut i64, batch: &arrow_array::RecordBatch) {
    let ids = batch
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .expect("id is bigint");
    let strings = batch
        .column(1)
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("s is a string");
    let pad = "x".repeat(60);
    for i in 0..batch.num_rows() {
        assert_eq!(
            ids.value(i),
            *next_id,
            "rows in order, none lost or repeated"
        );
        assert_eq!(strings.value(i), format!("row-{}-{pad}", *next_id));
        *next_id += 1;
    }
    assert_eq!(ids.null_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_result_is_exact_through_many_cut_connections() {
    let proxy = FaultProxy::start(upstream()).unwrap();
    let spark = session_through(&proxy, |b| b).await;
    // Batches of 2000 rows (~160 KB): each connection delivers at least one before its cut,
    // so every reattach makes progress.
    spark
        .conf()
        .set("spark.sql.execution.arrow.maxRecordsPerBatch", 2000)
        .await
        .unwrap();
    let df = spark.sql(&large_query()).await.unwrap();
    // ~50 MB of Arrow data; a cut every 256 KiB gives a few hundred breaks.
    proxy.cut_every(256 * 1024);
    let started = Instant::now();
    let mut stream = df.stream().await.unwrap();
    let mut next_id = 0i64;
    while let Some(batch) = stream.next().await {
        let batch = batch.unwrap_or_else(|e| {
            panic!(
                "batch after {next_id} rows, {} reattaches, {} cuts: {e}",
                stream.reattach_count(),
                proxy.cuts()
            )
        });
        check_rows(&mut next_id, &batch);
    }
    assert_eq!(next_id, ROWS);
    let (reattaches, cuts) = (stream.reattach_count(), proxy.cuts());
    eprintln!(
        "reliability: {ROWS} rows exact through {cuts} cut connections, {reattaches} reattaches, \
         {} MB through the proxy, in {:.1?}",
        proxy.bytes_down() / 1_000_000,
        started.elapsed()
    );
    assert!(cuts >= 100, "only {cuts} cuts: make the result larger");
    assert!(
        reattaches >= 100,
        "only {reattaches} reattaches for {cuts} cuts"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_connection_ends_in_a_clear_error_within_the_keepalive_time() {
    let proxy = FaultProxy::start(upstream()).unwrap();
    let keep_alive = KeepAlive {
        enabled: true,
        interval: Duration::from_secs(1),
        timeout: Duration::from_secs(1),
        while_idle: true,
    };
    let spark = session_through(&proxy, move |b| {
        b.keep_alive(keep_alive)
            .stream_idle_timeout(Some(Duration::from_secs(5)))
            .retry_policy(RetryPolicy::default().max_retries(2))
    })
    .await;
    let df = spark.sql(&large_query()).await.unwrap();
    let mut stream = df.stream().await.unwrap();
    let first = stream.next().await.expect("a first batch").unwrap();
    assert!(first.num_rows() > 0);
    proxy.set_stalled(true);
    let stalled = Instant::now();
    let error = loop {
        match tokio::time::timeout(Duration::from_secs(60), stream.next()).await {
            Err(_) => panic!("still waiting 60 s after the connection stalled"),
            Ok(None) => panic!("the stream ended cleanly although the connection stalled"),
            Ok(Some(Ok(_))) => continue, // batches already received before the stall
            Ok(Some(Err(e))) => break e,
        }
    };
    let elapsed = stalled.elapsed();
    eprintln!("reliability: stalled connection reported after {elapsed:.1?}: {error}");
    // keep-alive 1 s + 1 s, two quick retries, then a reattach that waits the 5 s idle
    // timeout: well under 20 s.
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}: {error}");
    // Found by the keep-alive pings (a connection error) or by the stream's idle timeout (a
    // timeout), whichever fires first; each says which.
    let shown = error.to_string();
    match error.kind() {
        ErrorKind::Connection => assert!(shown.contains("keep-alive timed out"), "{shown}"),
        ErrorKind::Timeout => assert!(shown.contains("no answer"), "{shown}"),
        other => panic!("a stalled connection is not {other:?}: {error:?}"),
    }
    proxy.set_stalled(false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_connections_are_retried_once_the_server_answered() {
    let proxy = FaultProxy::start(upstream()).unwrap();
    let spark = session_through(&proxy, |b| b).await;
    assert!(!spark.version().await.unwrap().is_empty());
    proxy.reset_all();
    proxy.set_refusing(true);
    let p = std::sync::Arc::new(proxy);
    let p2 = p.clone();
    let reopen = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        p2.set_refusing(false);
    });
    let started = Instant::now();
    let n = spark.range(0, 10).count().await.unwrap();
    assert_eq!(n, 10);
    reopen.await.unwrap();
    assert!(
        p.refused() >= 1,
        "the proxy refused at least one connection"
    );
    eprintln!(
        "reliability: {} refused connections, query succeeded after {:.1?}",
        p.refused(),
        started.elapsed()
    );
}

/// A query that runs for minutes unless stopped.
const ENDLESS: &str = "SELECT count(*) FROM range(0, 1000000000000)";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupt_tag_stops_a_running_query() {
    let spark = crate::session().await;
    spark.add_tag("e2e-endless").unwrap();
    let df = spark.sql(ENDLESS).await.unwrap();
    let running = tokio::spawn(async move { df.collect().await });
    // Until the query runs, there is nothing to interrupt.
    let started = Instant::now();
    let ids = loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let ids = spark.interrupt_tag("e2e-endless").await.unwrap();
        if !ids.is_empty() || started.elapsed() > Duration::from_secs(30) {
            break ids;
        }
    };
    assert_eq!(ids.len(), 1, "{ids:?}");
    let result = tokio::time::timeout(Duration::from_secs(60), running)
        .await
        .expect("the interrupted query ends")
        .unwrap();
    let error = result.expect_err("an interrupted query is an error");
    eprintln!("reliability: interrupted by tag: {error}");
    // Interrupted, as the server says it: not any error that mentions cancelling.
    assert_eq!(
        error.kind(),
        databricks_connect::ErrorKind::Cancelled,
        "{error}"
    );
    assert_eq!(error.error_class(), Some("OPERATION_CANCELED"), "{error}");
    assert!(spark.interrupt_all().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interrupt_operation_stops_a_query_and_dropping_a_stream_releases_it() {
    let spark = crate::session().await;
    // Interrupted by id: the server names it as interrupted.
    let stream = spark.sql(ENDLESS).await.unwrap().stream().await.unwrap();
    let op = stream.operation_id().to_string();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(spark.interrupt_operation(&op).await.unwrap(), [op.as_str()]);
    drop(stream);

    // Dropped: the client releases the operation, which stops it; an interrupt then finds
    // nothing to stop.
    let stream = spark.sql(ENDLESS).await.unwrap().stream().await.unwrap();
    let op = stream.operation_id().to_string();
    tokio::time::sleep(Duration::from_millis(500)).await;
    drop(stream);
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let ids = spark.interrupt_operation(&op).await.unwrap();
        if ids.is_empty() {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "operation {op} still running 20 s after its stream was dropped"
        );
    }
    eprintln!(
        "reliability: dropped stream's operation gone after {:.1?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_computation_is_not_mistaken_for_a_silent_server() {
    // The server sends progress messages while a query runs, so an idle timeout far shorter
    // than the query does not fire.
    let spark = SparkSession::builder()
        .remote(test_support::test_remote())
        .configure_client(|b| b.stream_idle_timeout(Some(Duration::from_secs(4))))
        .build()
        .await
        .unwrap();
    let started = Instant::now();
    let df = spark
        .sql("SELECT sum(hash(id)) FROM range(0, 3000000000, 1, 2)")
        .await
        .unwrap();
    let batches = df.collect().await.unwrap();
    assert_eq!(batches.iter().map(|b| b.num_rows()).sum::<usize>(), 1);
    eprintln!(
        "reliability: a {:.1?} query passed a 4 s idle timeout",
        started.elapsed()
    );
}

#[tokio::test]
async fn server_errors_carry_the_chain_from_fetch_error_details() {
    let spark = crate::session().await;
    let e = spark
        .sql("SELECT 1/0 AS boom")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err();
    let server = e.server_error().expect("a server error");
    assert!(server.error_id().is_some(), "{server:?}");
    let chain = server.chain();
    assert!(
        !chain.is_empty(),
        "FetchErrorDetails filled the chain: {server:?}"
    );
    assert_eq!(chain[0].error_class.as_deref(), Some("DIVIDE_BY_ZERO"));
    assert!(
        chain[0].query_contexts.iter().any(|q| q.fragment == "1/0"),
        "{:?}",
        chain[0].query_contexts
    );
    eprintln!(
        "reliability: error chain of {} ({} causes), root {:?}",
        server.error_class().unwrap_or("?"),
        chain.len(),
        chain[0].classes.first()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_session_serves_64_concurrent_queries_exactly() {
    let spark = crate::session().await;
    let tasks: Vec<_> = (0..64i64)
        .map(|i| {
            let spark = spark.clone();
            tokio::spawn(async move {
                let n = 1_000 + i * 37;
                let df = spark
                    .sql(&format!(
                        "SELECT sum(id) AS s, count(*) AS c FROM range(0, {n})"
                    ))
                    .await?;
                let batches = df.collect().await?;
                Ok::<_, databricks_connect::Error>((n, batches))
            })
        })
        .collect();
    for task in tasks {
        let (n, batches) = task.await.unwrap().unwrap();
        let batch = &batches[0];
        let sum = batch
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        let count = batch
            .column(1)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        assert_eq!(sum.value(0), n * (n - 1) / 2, "sum for {n}");
        assert_eq!(count.value(0), n, "count for {n}");
    }
}

#[tokio::test]
async fn stop_ends_the_session_on_the_server() {
    let spark = crate::session().await;
    assert_eq!(spark.range(0, 3).count().await.unwrap(), 3);
    spark.stop().await.unwrap();
    // This client knows: it refuses further calls itself (PySpark: NO_ACTIVE_SESSION).
    assert!(spark.is_stopped());
    let error = spark.range(0, 3).count().await.unwrap_err();
    eprintln!("reliability: after stop: {error}");
    assert_eq!(
        error.session_end(),
        Some(&databricks_connect::SessionEndReason::Stopped),
        "{error:?}"
    );
    assert!(error.to_string().contains("stop()"), "{error}");
    // And the server has closed it: another client in that session is told so.
    let same = format!(
        "{}/;session_id={};user_id={}",
        test_support::test_remote(),
        spark.session_id(),
        spark.client().user_id()
    );
    let other = spark_connect_transport::SparkConnectClient::new(same.parse().unwrap()).unwrap();
    let error = other.spark_version().await.unwrap_err();
    assert_eq!(
        error.session_end(),
        Some(&databricks_connect::SessionEndReason::Closed),
        "{error:?}"
    );
    // Stopping again does nothing.
    spark.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunked_arrow_batches_are_reassembled_exactly_also_through_cuts() {
    let proxy = FaultProxy::start(upstream()).unwrap();
    // Batches of 20 000 rows (~1.6 MB) split by the server into 64 KiB chunks.
    let spark = session_through(&proxy, |b| b.arrow_chunking(true, Some(64 * 1024))).await;
    spark
        .conf()
        .set("spark.sql.execution.arrow.maxRecordsPerBatch", 20_000)
        .await
        .unwrap();
    let df = spark.sql(&large_query()).await.unwrap();
    // The server does split: responses carry chunks.
    let plan = spark_connect_transport::proto::Plan {
        op_type: Some(spark_connect_transport::proto::plan::OpType::Root(
            df.to_proto().clone(),
        )),
    };
    let mut responses = spark.client().execute_plan(plan).await.unwrap();
    let mut chunks = 0;
    while let Some(r) = responses.next_response().await {
        if let Some(
            spark_connect_transport::proto::execute_plan_response::ResponseType::ArrowBatch(b),
        ) = r.unwrap().response_type
            && b.num_chunks_in_batch.unwrap_or(0) > 1
        {
            chunks += 1;
        }
    }
    assert!(chunks > 100, "only {chunks} chunked responses");
    let mut next_id = 0i64;
    for batch in df.collect().await.unwrap() {
        check_rows(&mut next_id, &batch);
    }
    assert_eq!(next_id, ROWS);
    // The same through a cut every 1 MiB: chunks resume mid-batch after a reattach.
    proxy.cut_every(1024 * 1024);
    let mut stream = df.stream().await.unwrap();
    let mut next_id = 0i64;
    while let Some(batch) = stream.next().await {
        check_rows(&mut next_id, &batch.unwrap());
    }
    assert_eq!(next_id, ROWS);
    eprintln!(
        "reliability: chunked result exact through {} cuts, {} reattaches",
        proxy.cuts(),
        stream.reattach_count()
    );
    assert!(proxy.cuts() > 10);
}
