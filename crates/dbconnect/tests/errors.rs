//! The exit code of `dbconnect sql` for each kind of failure a real server gives: the kind of the
//! error decides it (2 for configuration, 1 for the rest), never its text.
//!
//! Needs the local Spark Connect servers (`SPARK_CONNECT_TEST_REMOTE`,
//! `SPARK_CONNECT_TEST_AUTH_REMOTE`, set by `cargo xtask test`).

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use spark_connect_transport::{ConnectionString, SparkConnectClient};

fn dbconnect(remote: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dbconnect"))
        .arg("--remote")
        .arg(remote)
        .args(args)
        .env_remove("SPARK_REMOTE")
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("grpc_proxy")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("runs the dbconnect binary")
}

/// The exit code and standard error.
fn failed(output: &Output) -> (Option<i32>, String) {
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn server_errors_exit_1_with_the_error_class() {
    let remote = test_support::test_remote();
    for (sql, class) in [
        (
            "SELECT * FROM no_such_table_cli_e2e",
            "TABLE_OR_VIEW_NOT_FOUND",
        ),
        ("SELEC 1", "PARSE_SYNTAX_ERROR"),
        ("SELECT nope_column FROM range(1)", "UNRESOLVED_COLUMN"),
    ] {
        let (code, stderr) = failed(&dbconnect(&remote, &["sql", sql], &[]));
        assert_eq!(code, Some(1), "{sql}: {stderr}");
        assert!(stderr.starts_with("dbconnect: error: "), "{stderr}");
        assert!(stderr.contains(class), "{sql}: {stderr}");
    }
}

#[test]
fn a_wrong_token_exits_1() {
    let (remote, token) = test_support::auth_remote();
    let wrong = format!("{token}-wrong");
    let (code, stderr) = failed(&dbconnect(
        &format!("{remote}/;token={wrong}"),
        &["sql", "SELECT 1"],
        &[],
    ));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("Unauthenticated"), "{stderr}");
    assert!(!stderr.contains(&wrong), "{stderr}");
}

#[test]
fn an_unreachable_server_exits_1() {
    // Nothing listens on port 1.
    let (code, stderr) = failed(&dbconnect("sc://127.0.0.1:1", &["sql", "SELECT 1"], &[]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot reach"), "{stderr}");
}

#[test]
fn a_proxy_setting_that_is_not_a_proxy_exits_2() {
    // Configuration that only the channel reads (after the parameters resolved): a usage error
    // all the same, by its kind.
    let remote = test_support::test_remote();
    let (code, stderr) = failed(&dbconnect(
        &remote,
        &["sql", "SELECT 1"],
        &[("grpc_proxy", "socks5://127.0.0.1:1080")],
    ));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("SOCKS"), "{stderr}");
}

#[test]
fn a_query_another_client_interrupts_exits_1() {
    let remote = test_support::test_remote();
    let session_id = uuid::Uuid::new_v4().to_string();
    let in_session = format!("{remote}/;session_id={session_id};user_id=dbconnect-errors-test");
    let child = Command::new(env!("CARGO_BIN_EXE_dbconnect"))
        .args([
            "--remote",
            &in_session,
            "sql",
            "SELECT count(*) FROM range(0, 1000000000000)",
        ])
        .env_remove("SPARK_REMOTE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts dbconnect");
    // Another client of the same session interrupts everything there once the query runs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let interrupted = runtime.block_on(async {
        let client = SparkConnectClient::new(ConnectionString::parse(&in_session).unwrap())
            .expect("a second client");
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(60) {
            tokio::time::sleep(Duration::from_millis(300)).await;
            if let Ok(ids) = client.interrupt_all().await
                && !ids.is_empty()
            {
                return ids;
            }
        }
        Vec::new()
    });
    assert_eq!(interrupted.len(), 1, "the query was found running");
    let output = child.wait_with_output().expect("dbconnect exits");
    let (code, stderr) = failed(&output);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("OPERATION_CANCELED"), "{stderr}");
}
