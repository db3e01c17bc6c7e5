//! A server that freezes (SIGSTOP) or dies (SIGKILL) in the middle of a result: the client
//! reports it within the configured time, with an error that says what happened.
//!
//! The test starts its own server (`xtask spark start --name e2e-victim`) rather than harming
//! the shared test servers, and stops it at the end.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use databricks_connect::{ErrorKind, SparkError, SparkSession};
use futures_util::StreamExt;
use spark_connect_transport::{KeepAlive, RetryPolicy};

const NAME: &str = "e2e-victim";

/// The xtask binary next to this test binary (`cargo xtask test` builds it).
fn xtask() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let debug = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps/<test>");
    let xtask = debug.join("xtask");
    assert!(
        xtask.exists(),
        "{} is missing: run the tests with `cargo xtask test`, which builds it",
        xtask.display()
    );
    xtask
}

fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DBCONNECT_CACHE_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir).join("dbconnect-rs");
    }
    PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/dbconnect-rs")
}

/// A server of this test's own; stopped (and thawed first) when dropped.
struct Victim {
    url: String,
    pid: String,
}

impl Victim {
    fn start() -> Victim {
        let out = Command::new(xtask())
            .args([
                "spark", "start", "--name", NAME, "--port", "0", "--memory", "1g",
            ])
            .output()
            .expect("xtask spark start");
        assert!(
            out.status.success(),
            "xtask spark start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let pid = std::fs::read_to_string(cache_dir().join("servers").join(NAME).join("pid"))
            .expect("the server's pid file")
            .trim()
            .to_string();
        Victim { url, pid }
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.pid])
            .status()
            .expect("kill");
        assert!(status.success(), "kill {signal} {}", self.pid);
    }
}

impl Drop for Victim {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-CONT", &self.pid]).status();
        let _ = Command::new(xtask())
            .args(["spark", "stop", "--name", NAME])
            .output();
    }
}

async fn session(url: &str) -> SparkSession {
    let keep_alive = KeepAlive {
        enabled: true,
        interval: Duration::from_secs(2),
        timeout: Duration::from_secs(2),
        while_idle: true,
    };
    SparkSession::builder()
        .remote(url)
        .configure_client(move |b| {
            b.keep_alive(keep_alive)
                .stream_idle_timeout(Some(Duration::from_secs(10)))
                .request_timeout(Some(Duration::from_secs(10)))
                .retry_policy(RetryPolicy::default().max_retries(3))
        })
        .build()
        .await
        .unwrap()
}

/// A frozen server is found either by the HTTP/2 keep-alive pings (a connection error) or by
/// the stream's idle timeout (a timeout), whichever fires first; each says so.
fn assert_frozen(error: &SparkError) {
    let shown = error.to_string();
    match error.kind() {
        ErrorKind::Connection => assert!(shown.contains("keep-alive timed out"), "{shown}"),
        ErrorKind::Timeout => assert!(shown.contains("no answer"), "{shown}"),
        other => panic!(
            "a frozen server ends in a connection error or a timeout, not {other:?}: {error:?}"
        ),
    }
}

/// Reads the first batch of a long result, applies `fault`, and returns the error the
/// stream ends in and how long after the fault it came.
async fn fault_mid_stream(spark: &SparkSession, fault: impl FnOnce()) -> (SparkError, Duration) {
    spark
        .conf()
        .set("spark.sql.execution.arrow.maxRecordsPerBatch", 1000)
        .await
        .unwrap();
    let df = spark
        .sql("SELECT id, repeat('x', 100) AS s FROM range(0, 300000, 1, 1)")
        .await
        .unwrap();
    let mut stream = df.stream().await.unwrap();
    stream.next().await.expect("a first batch").unwrap();
    fault();
    let at = Instant::now();
    loop {
        match tokio::time::timeout(Duration::from_secs(120), stream.next()).await {
            Err(_) => panic!("still waiting 120 s after the fault"),
            Ok(None) => panic!("the result ended cleanly despite the fault"),
            Ok(Some(Ok(_))) => {} // batches already on their way
            Ok(Some(Err(e))) => return (e, at.elapsed()),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_or_killed_server_ends_in_a_clear_error_in_bounded_time() {
    let victim = Victim::start();

    let spark = session(&victim.url).await;
    let (error, after) = fault_mid_stream(&spark, || victim.signal("-STOP")).await;
    eprintln!("reliability: SIGSTOP reported after {after:.1?}: {error}");
    // keep-alive 2 s + 2 s, three retries (50, 200, 800 ms) that each wait for a frozen
    // server, bounded by the 10 s idle timeout: well under 60 s.
    assert!(after < Duration::from_secs(60), "{after:?}");
    assert_frozen(&error);
    victim.signal("-CONT");

    let spark = session(&victim.url).await;
    let (error, after) = fault_mid_stream(&spark, || victim.signal("-KILL")).await;
    eprintln!("reliability: SIGKILL reported after {after:.1?}: {error}");
    assert!(after < Duration::from_secs(30), "{after:?}");
    // A dead server refuses the reconnection: a connection error, not a timeout.
    assert_eq!(error.kind(), ErrorKind::Connection, "{error:?}");
    assert!(error.to_string().contains("cannot reach"), "{error}");
}
