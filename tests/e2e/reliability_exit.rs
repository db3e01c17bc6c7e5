//! What a program leaves running on the server when it ends: a result stream dropped just
//! before `main` returns must not leave its query running. The program is
//! `tests/bin/drop_stream_at_exit.rs`, run in a session whose id this test chose; afterwards a
//! second client in that session asks the server to interrupt whatever still runs there.

use std::process::Command;
use std::time::{Duration, Instant};

use spark_connect_transport::{ConnectionString, SparkConnectClient};

/// The operations still running in the session (asking to interrupt them all also stops
/// them, so a failing test leaves nothing running).
async fn still_running(session_remote: &str) -> Vec<String> {
    let conn = ConnectionString::parse(session_remote).unwrap();
    let client = SparkConnectClient::new(conn).unwrap();
    client.interrupt_all().await.expect("interrupt_all answers")
}

async fn a_stream_dropped_just_before_the_end_is_released(flavor: &str, how: &str) {
    let session_id = uuid::Uuid::new_v4();
    let remote = format!(
        "{}/;session_id={session_id};user_id=drop-at-exit",
        test_support::test_remote()
    );
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_drop-stream-at-exit"))
        .args([remote.as_str(), flavor, how])
        .env_remove("SPARK_REMOTE")
        .output()
        .expect("runs drop-stream-at-exit");
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let running = still_running(&remote).await;
    eprintln!(
        "reliability_exit ({flavor} {how}): {} ran {took:.2?}; still running: {running:?}",
        stdout.trim()
    );
    assert!(
        running.is_empty(),
        "the dropped stream's query still ran after the program ended ({flavor} {how}): {running:?}\n{stdout}{stderr}"
    );
    assert!(took < Duration::from_secs(60), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_dropped_before_a_current_thread_program_ends_is_released() {
    a_stream_dropped_just_before_the_end_is_released("current_thread", "return").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_dropped_before_process_exit_is_released() {
    // `std::process::exit` inside the runtime: the release task never runs, and the exit hook
    // sends it from a thread it starts while the process exits.
    a_stream_dropped_just_before_the_end_is_released("current_thread", "exit").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_dropped_before_a_multi_thread_program_ends_is_released() {
    a_stream_dropped_just_before_the_end_is_released("multi_thread", "return").await;
}
