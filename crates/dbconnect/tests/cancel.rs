//! Ctrl-C during `dbconnect sql` stops the query on the server, not only here: the real binary
//! runs a long query in a session whose id the test chose, gets SIGINT once the query runs, and
//! afterwards a second client in that same session asks the server to interrupt everything
//! still running there, which must find nothing.
//!
//! Needs the local Spark Connect server (`SPARK_CONNECT_TEST_REMOTE`, set by `cargo xtask test`).

use std::io::{BufRead, BufReader};
use std::net::ToSocketAddrs;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use spark_connect_transport::{ConnectionString, SparkConnectClient};

/// Runs for hours unless stopped, using the server's CPU the whole time (as a real runaway
/// query does); the interrupt is what ends it.
const ENDLESS: &str = "SELECT count(*) FROM range(0, 1000000000000)";

/// The user id of these tests' sessions: with the session id, it names the session on the
/// server.
const USER: &str = "dbconnect-cancel-test";

/// `remote` with a session id and user id of its own: the test can reach the same server-side
/// session as the `dbconnect` process.
fn in_session(remote: &str, session_id: &str) -> String {
    format!("{remote}/;session_id={session_id};user_id={USER}")
}

/// A `dbconnect sql` on `remote`, with the transport's debug log on standard error, which says
/// when the `ExecutePlan` leaves.
fn start_dbconnect(remote: &str, query: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_dbconnect"))
        .args(["--remote", remote, "sql", query, "--output", "csv"])
        .env_remove("SPARK_REMOTE")
        .env("SPARK_CONNECT_LOG_LEVEL", "debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts dbconnect")
}

/// Standard error of `child`, line by line, read on a thread of its own.
fn stderr_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stderr = child.stderr.take().expect("stderr is piped");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}

/// Whether `line` is one of the debug log's lines (`2026-01-01T00:00:00.000000Z DEBUG ...`),
/// which are kept out of what the tests show.
fn is_log(line: &str) -> bool {
    line.len() > 27 && line.as_bytes()[4] == b'-' && line.as_bytes()[10] == b'T'
}

/// Waits for the debug line of the `ExecutePlan` and returns the operation id it names.
fn wait_for_execute_plan(lines: &mpsc::Receiver<String>, seen: &mut Vec<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines.recv_timeout(left).unwrap_or_else(|_| {
            panic!(
                "no ExecutePlan within 60 s; stderr so far:\n{}",
                seen.join("\n")
            )
        });
        if !is_log(&line) {
            seen.push(line.clone());
        }
        if line.contains("ExecutePlan")
            && let Some(rest) = line.split("operation_id=").nth(1)
        {
            return rest
                .split(|c: char| c.is_whitespace())
                .next()
                .unwrap_or_default()
                .to_string();
        }
    }
}

fn sigint(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("runs kill");
    assert!(status.success(), "kill -INT failed");
}

/// Waits at most `limit` for `child` to end.
fn wait_at_most(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("waits for dbconnect") {
            return Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The operations still running in the session, as the server reports them when asked to
/// interrupt them all (which also stops them, so a failing test leaves nothing running).
fn still_running(session_remote: &str) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let conn = ConnectionString::parse(session_remote).unwrap();
        let client = SparkConnectClient::new(conn).unwrap();
        client.interrupt_all().await.expect("interrupt_all answers")
    })
}

fn rest_of(lines: &mpsc::Receiver<String>, seen: &mut Vec<String>) -> String {
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(2)) {
        if !is_log(&line) {
            seen.push(line);
        }
    }
    seen.join("\n")
}

#[test]
fn ctrl_c_interrupts_the_query_on_the_server_before_exiting() {
    let session_id = uuid::Uuid::new_v4().to_string();
    let remote = in_session(&test_support::test_remote(), &session_id);
    let mut child = start_dbconnect(&remote, ENDLESS);
    let lines = stderr_lines(&mut child);
    let mut seen = Vec::new();
    let operation_id = wait_for_execute_plan(&lines, &mut seen);
    // Let the query get going on the server.
    std::thread::sleep(Duration::from_millis(1500));

    sigint(&child);
    let sent = Instant::now();
    let status = wait_at_most(&mut child, Duration::from_secs(20));
    let took = sent.elapsed();
    let stderr = rest_of(&lines, &mut seen);
    let running = still_running(&remote);
    eprintln!("cancel: exited {status:?} {took:.2?} after SIGINT; still running: {running:?}");
    let status = status.unwrap_or_else(|| panic!("dbconnect did not exit within 20 s:\n{stderr}"));
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        took < Duration::from_secs(8),
        "exit took {took:.2?}:\n{stderr}"
    );
    assert!(stderr.contains("dbconnect: error: interrupted"), "{stderr}");
    assert!(
        !stderr.contains("could not"),
        "the interrupt was confirmed:\n{stderr}"
    );
    assert!(
        running.is_empty(),
        "operation {operation_id} was left running on the server ({running:?}):\n{stderr}"
    );
}

#[test]
fn ctrl_c_says_so_when_the_server_cannot_confirm_and_a_second_ctrl_c_exits_at_once() {
    let upstream = test_support::test_remote();
    let address = upstream
        .trim_start_matches("sc://")
        .to_socket_addrs()
        .expect("the test server's address")
        .next()
        .expect("an address");
    let proxy = test_support::proxy::FaultProxy::start(address).expect("starts the proxy");

    // First: the proxy stops forwarding once the query runs, so nothing the client sends on
    // Ctrl-C arrives. The wait for the server is bounded and its failure is reported.
    let session_id = uuid::Uuid::new_v4().to_string();
    let through_proxy = in_session(&format!("sc://{}", proxy.addr()), &session_id);
    let mut child = start_dbconnect(&through_proxy, ENDLESS);
    let lines = stderr_lines(&mut child);
    let mut seen = Vec::new();
    wait_for_execute_plan(&lines, &mut seen);
    std::thread::sleep(Duration::from_millis(1500));
    proxy.set_stalled(true);
    sigint(&child);
    let sent = Instant::now();
    let status = wait_at_most(&mut child, Duration::from_secs(30));
    let took = sent.elapsed();
    let stderr = rest_of(&lines, &mut seen);
    eprintln!("cancel (stalled): exited {status:?} {took:.2?} after SIGINT");
    let status = status.unwrap_or_else(|| panic!("dbconnect did not exit within 30 s:\n{stderr}"));
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        took < Duration::from_secs(12),
        "exit took {took:.2?}:\n{stderr}"
    );
    assert!(
        stderr.contains("could not confirm that the server stopped the query"),
        "{stderr}"
    );
    // The query did keep running: stop it directly.
    let direct = in_session(&upstream, &session_id);
    assert!(!still_running(&direct).is_empty(), "{stderr}");

    // Second: two Ctrl-C in a row end the process at once, without waiting for the server.
    proxy.set_stalled(false);
    let session_id = uuid::Uuid::new_v4().to_string();
    let through_proxy = in_session(&format!("sc://{}", proxy.addr()), &session_id);
    let mut child = start_dbconnect(&through_proxy, ENDLESS);
    let lines = stderr_lines(&mut child);
    let mut seen = Vec::new();
    wait_for_execute_plan(&lines, &mut seen);
    std::thread::sleep(Duration::from_millis(1500));
    proxy.set_stalled(true);
    sigint(&child);
    std::thread::sleep(Duration::from_millis(300));
    sigint(&child);
    let sent = Instant::now();
    let status = wait_at_most(&mut child, Duration::from_secs(30));
    let took = sent.elapsed();
    let stderr = rest_of(&lines, &mut seen);
    eprintln!("cancel (twice): exited {status:?} {took:.2?} after the second SIGINT");
    let status = status.unwrap_or_else(|| panic!("dbconnect did not exit within 30 s:\n{stderr}"));
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(
        took < Duration::from_secs(1),
        "exit took {took:.2?}:\n{stderr}"
    );
    let direct = in_session(&upstream, &session_id);
    still_running(&direct);
}
