//! Reattaching to an operation the server does not have, against the real server: a plan that
//! never arrived is sent again (for a new session and for a known one), and a query's own error
//! that names a handle error is reported once, not answered by running the query again. See
//! docs/reliability.md and the scripted-server cases in
//! crates/spark-connect-transport/tests/scripted.rs.

use std::time::Duration;

use databricks_connect::{SparkError, SparkSession};
use futures_util::StreamExt;
use spark_connect_transport::{Error, RetryPolicy};
use test_support::proxy::FaultProxy;

use crate::reliability::{session_through, upstream};

/// Streams `range(0, n)` while the proxy holds back everything the client sends, then resets
/// the connection, so the `ExecutePlan` never reaches the server. Returns the sum of the ids,
/// how many rows came, and how often the stream reattached or resent its plan.
async fn range_through_a_lost_plan(
    spark: &SparkSession,
    proxy: &FaultProxy,
    n: i64,
) -> (i64, i64, u32) {
    let (connections, bytes_up) = (proxy.connections(), proxy.bytes_up());
    let started = std::time::Instant::now();
    // `range` makes no call of its own: the stream's ExecutePlan is the first thing sent.
    let df = spark.range(0, n);
    proxy.set_stalled(true);
    let query = tokio::spawn(async move {
        let mut stream = df.stream().await.expect("stream");
        let (mut sum, mut rows) = (0i64, 0i64);
        while let Some(batch) = stream.next().await {
            let batch = batch.expect("batch");
            let ids = batch
                .column(0)
                .as_any()
                .downcast_ref::<arrow_array::Int64Array>()
                .expect("id is bigint");
            sum += ids.iter().map(|v| v.expect("not null")).sum::<i64>();
            rows += ids.len() as i64;
        }
        (sum, rows, stream.reattach_count())
    });
    // Wait until the request is in the stalled proxy, then cut that connection.
    while proxy.bytes_up() == bytes_up {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    proxy.reset_all();
    proxy.set_stalled(false);
    let result = query.await.expect("query task");
    eprintln!(
        "reliability_reattach: range({n}) done after {:.1?}, {} reattaches",
        started.elapsed(),
        result.2
    );
    assert!(
        proxy.connections() > connections,
        "the held-back connection was reset and a new one opened"
    );
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_that_never_reached_the_server_is_sent_again() {
    let proxy = FaultProxy::start(upstream()).unwrap();
    let spark = session_through(&proxy, |b| {
        b.retry_policy(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_retries(6),
        )
    })
    .await;
    // The session's first call is the lost ExecutePlan: the server answers the reattach with
    // INVALID_HANDLE.SESSION_NOT_FOUND.
    let n = 1000;
    let (sum, rows, reattaches) = range_through_a_lost_plan(&spark, &proxy, n).await;
    assert_eq!((sum, rows), (n * (n - 1) / 2, n));
    assert!(
        reattaches >= 2,
        "a ReattachExecute, then the ExecutePlan again: {reattaches}"
    );
    // Now the session exists: INVALID_HANDLE.OPERATION_NOT_FOUND.
    let n = 2000;
    let (sum, rows, reattaches) = range_through_a_lost_plan(&spark, &proxy, n).await;
    assert_eq!((sum, rows), (n * (n - 1) / 2, n));
    assert!(reattaches >= 2, "{reattaches}");
    eprintln!("reliability_reattach: {} connections", proxy.connections());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_query_error_naming_a_handle_error_is_reported_once() {
    let spark = SparkSession::builder()
        .remote(test_support::test_remote())
        .configure_client(|b| {
            b.retry_policy(
                RetryPolicy::default()
                    .initial_backoff(Duration::from_millis(10))
                    .max_retries(2),
            )
        })
        .build()
        .await
        .unwrap();
    let e = spark
        .sql("SELECT raise_error('INVALID_HANDLE.OPERATION_NOT_FOUND') AS stream_boom")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap_err();
    let server = e
        .server_error()
        .unwrap_or_else(|| panic!("a server error: {e:?}"));
    assert_eq!(
        server.error_class(),
        Some("USER_RAISED_EXCEPTION"),
        "{server:?}"
    );
    assert!(
        !matches!(
            e,
            SparkError::Transport(Error::RetriesExhausted { .. } | Error::OperationLost { .. })
        ),
        "{e:?}"
    );
}
