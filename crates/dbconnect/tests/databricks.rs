//! `dbconnect` against a Databricks-like gateway (TLS, bearer tokens, cluster and serverless
//! routing, OIDC, Clusters API) in front of the real local Spark Connect server. Each scenario
//! runs the binary with its own environment and home folder, so the configuration it resolves
//! is exactly the one the scenario sets up.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use test_support::gateway::{Gateway, GatewayConfig};

const PAT: &str = "dapi-test-pat-0123456789abcdef";
const CLUSTER: &str = "0123-456789-running";
const STOPPED: &str = "0123-456789-stopped";
const CLIENT_ID: &str = "sp-client-id";
const CLIENT_SECRET: &str = "sp-client-secret-value";

async fn gateway() -> Gateway {
    Gateway::start(
        GatewayConfig::new(&test_support::test_remote())
            .pat(PAT)
            .oauth_client(CLIENT_ID, CLIENT_SECRET)
            .cluster(CLUSTER, "RUNNING")
            .cluster(STOPPED, "TERMINATED"),
    )
    .await
}

/// A fresh home folder holding `.databrickscfg` with `config`.
fn home_with(name: &str, config: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dbconnect-databricks-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("creates the fixture home");
    std::fs::write(dir.join(".databrickscfg"), config).expect("writes .databrickscfg");
    dir
}

/// Runs dbconnect with only the given environment (plus the CA the gateway's certificate
/// chains to), so nothing from the caller's environment leaks into the resolution.
async fn dbconnect(args: &[&str], home: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dbconnect"));
    command.args(args).env_clear().env("HOME", home);
    if let Ok(ca) = std::env::var("SSL_CERT_FILE") {
        command.env("SSL_CERT_FILE", ca);
    }
    for (k, v) in env {
        command.env(k, v);
    }
    tokio::task::spawn_blocking(move || command.output().expect("runs dbconnect"))
        .await
        .expect("joins")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_answer(output: &Output, expected: &str) {
    let stdout = text(&output.stdout);
    let stderr = text(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert_eq!(stdout.trim(), expected, "stderr: {stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn default_profile_with_a_personal_access_token() {
    let gw = gateway().await;
    let home = home_with(
        "default-pat",
        &format!(
            "[DEFAULT]\nhost = {}\ntoken = {PAT}\ncluster_id = {CLUSTER}\n",
            gw.url()
        ),
    );
    let output = dbconnect(
        &["sql", "SELECT 40 + 2 AS answer", "--output", "json"],
        &home,
        &[],
    )
    .await;
    assert_answer(&output, r#"{"answer":42}"#);
    let calls = gw.calls();
    let execute = calls
        .iter()
        .find(|c| c.method == "ExecutePlan")
        .expect("an ExecutePlan call");
    assert_eq!(execute.get("authorization"), Some("valid"));
    assert_eq!(execute.get("x-databricks-cluster-id"), Some(CLUSTER));
    let client_type = execute.client_type.clone().unwrap_or_default();
    assert!(client_type.starts_with("dbconnect/"), "{client_type}");
    assert!(
        client_type.contains("databricks-connect-rs/"),
        "{client_type}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn named_profile_with_oauth_m2m() {
    let gw = gateway().await;
    let home = home_with(
        "m2m",
        &format!(
            "[DEFAULT]\nhost = https://unused.invalid\n\n[sp]\nhost = {}\nclient_id = {CLIENT_ID}\nclient_secret = {CLIENT_SECRET}\ncluster_id = {CLUSTER}\n",
            gw.url()
        ),
    );
    let output = dbconnect(
        &[
            "--profile",
            "sp",
            "sql",
            "SELECT 'm2m' AS via",
            "--output",
            "csv",
        ],
        &home,
        &[],
    )
    .await;
    assert_answer(&output, "via\nm2m");
    assert!(
        gw.tokens_issued() >= 1,
        "the OAuth token endpoint issued the token used"
    );
    assert_eq!(gw.calls_rejected(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn environment_variables_only() {
    let gw = gateway().await;
    let home = home_with("env", "");
    let output = dbconnect(
        &["sql", "SELECT 1 AS one", "--output", "json"],
        &home,
        &[
            ("DATABRICKS_HOST", gw.url()),
            ("DATABRICKS_TOKEN", PAT),
            ("DATABRICKS_CLUSTER_ID", CLUSTER),
        ],
    )
    .await;
    assert_answer(&output, r#"{"one":1}"#);
}

#[tokio::test(flavor = "multi_thread")]
async fn spark_remote_connection_string() {
    let gw = gateway().await;
    let home = home_with("spark-remote", "");
    let remote = format!(
        "sc://127.0.0.1:{}/;use_ssl=true;token={PAT};x-databricks-cluster-id={CLUSTER}",
        gw.port()
    );
    let output = dbconnect(
        &["sql", "SELECT 'remote' AS via", "--output", "csv"],
        &home,
        &[("SPARK_REMOTE", &remote)],
    )
    .await;
    assert_answer(&output, "via\nremote");
}

#[tokio::test(flavor = "multi_thread")]
async fn explicit_flags_and_serverless() {
    let gw = gateway().await;
    let home = home_with("flags", "");
    let output = dbconnect(
        &[
            "--host",
            gw.url(),
            "--token",
            PAT,
            "--cluster-id",
            CLUSTER,
            "sql",
            "SELECT 'cluster' AS via",
            "--output",
            "csv",
        ],
        &home,
        &[],
    )
    .await;
    assert_answer(&output, "via\ncluster");

    let output = dbconnect(
        &[
            "--host",
            gw.url(),
            "--token",
            PAT,
            "--serverless",
            "sql",
            "SELECT 'serverless' AS via",
            "--output",
            "csv",
        ],
        &home,
        &[],
    )
    .await;
    assert_answer(&output, "via\nserverless");
    let serverless: Vec<_> = gw
        .calls()
        .into_iter()
        .filter(|c| c.get("x-databricks-session-id").is_some())
        .collect();
    assert!(
        !serverless.is_empty(),
        "serverless calls carry x-databricks-session-id"
    );
    for call in serverless {
        assert_eq!(
            call.get("x-databricks-session-id"),
            Some(call.session_id.as_str())
        );
        assert_eq!(call.get("x-databricks-cluster-id"), None);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_token_is_a_clear_error_without_the_token() {
    let gw = gateway().await;
    let home = home_with("wrong-token", "");
    let wrong = "dapi-wrong-token-fedcba9876543210";
    let output = dbconnect(
        &[
            "--host",
            gw.url(),
            "--token",
            wrong,
            "--cluster-id",
            CLUSTER,
            "sql",
            "SELECT 1",
        ],
        &home,
        &[],
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("refused the credentials"), "{stderr}");
    assert!(!stderr.contains(wrong), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminated_cluster_is_started_unless_auto_start_is_off() {
    let gw = gateway().await;
    let home = home_with("clusters", "");
    let run = |cluster: &'static str, extra: &'static [&'static str]| {
        let mut args = vec!["--host", gw.url(), "--token", PAT, "--cluster-id", cluster];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["sql", "SELECT 'up' AS state", "--output", "csv"]);
        let args: Vec<String> = args.into_iter().map(str::to_string).collect();
        let home = home.clone();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            dbconnect(&args, &home, &[]).await
        }
    };
    // Auto-start off: a clear error, and the cluster stays as it was.
    let output = run(STOPPED, &["--no-auto-start"]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cluster {STOPPED} is TERMINATED")),
        "{stderr}"
    );
    assert_eq!(gw.cluster_starts(STOPPED), 0);
    assert!(
        gw.calls().iter().all(|c| c.method != "ExecutePlan"),
        "no query reaches a cluster that is not running"
    );
    // By default the cluster is started and waited for, as Databricks Connect does.
    let output = run(STOPPED, &[]).await;
    assert_answer(&output, "state\nup");
    assert_eq!(gw.cluster_starts(STOPPED), 1);
    // An unknown cluster stays an error.
    let output = run("0000-unknown", &[]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cluster 0000-unknown does not exist"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_wait_for_a_cluster_is_bounded_by_cluster_start_timeout() {
    let gw = Gateway::start(
        GatewayConfig::new(&test_support::test_remote())
            .pat(PAT)
            .cluster(STOPPED, "TERMINATED")
            .cluster_start_time(None),
    )
    .await;
    let home = home_with("stuck", "");
    let started = std::time::Instant::now();
    let output = dbconnect(
        &[
            "--host",
            gw.url(),
            "--token",
            PAT,
            "--cluster-id",
            STOPPED,
            "--cluster-start-timeout",
            "2s",
            "sql",
            "SELECT 1",
        ],
        &home,
        &[],
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert!(
        stderr.contains(&format!(
            "cluster {STOPPED} did not reach RUNNING within 2s"
        )),
        "{stderr}"
    );
    // A malformed wait is a usage error.
    let output = dbconnect(
        &["--cluster-start-timeout", "soon", "sql", "SELECT 1"],
        &home,
        &[],
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("'soon' is not a wait"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_profile_combines_with_cluster_id_or_serverless() {
    let gw = gateway().await;
    let home = home_with(
        "profile-override",
        &format!(
            "[dev]\nhost = {}\ntoken = {PAT}\ncluster_id = 0000-from-the-profile\n",
            gw.url()
        ),
    );
    // The profile's host and token, another cluster.
    let output = dbconnect(
        &[
            "--profile",
            "dev",
            "--cluster-id",
            CLUSTER,
            "sql",
            "SELECT 'cluster' AS via",
            "--output",
            "csv",
        ],
        &home,
        &[],
    )
    .await;
    assert_answer(&output, "via\ncluster");
    // The profile's host and token, serverless instead of its cluster.
    let output = dbconnect(
        &[
            "--profile",
            "dev",
            "--serverless",
            "sql",
            "SELECT 'serverless' AS via",
            "--output",
            "csv",
        ],
        &home,
        &[],
    )
    .await;
    assert_answer(&output, "via\nserverless");
    let calls = gw.calls();
    assert!(
        calls
            .iter()
            .all(|c| c.get("x-databricks-cluster-id") != Some("0000-from-the-profile")),
        "the profile's cluster was replaced"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.get("x-databricks-session-id") == Some(c.session_id.as_str()))
    );
    // Contradictions are the library's usage errors.
    for (args, expected) in [
        (
            vec!["--remote", "sc://127.0.0.1:1", "--host", gw.url()],
            "remote() cannot be combined with host()",
        ),
        (
            vec!["--profile", "dev", "--cluster-id", "c", "--serverless"],
            "cluster_id() and serverless() cannot both be set",
        ),
    ] {
        let mut args = args;
        args.extend(["sql", "SELECT 1"]);
        let output = dbconnect(&args, &home, &[]).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_logs_say_where_parameters_came_from_and_never_show_secrets() {
    let gw = gateway().await;
    let home = home_with(
        "logs",
        &format!(
            "[sp]\nhost = {}\nclient_id = {CLIENT_ID}\nclient_secret = {CLIENT_SECRET}\ncluster_id = {CLUSTER}\n",
            gw.url()
        ),
    );
    let output = dbconnect(
        &[
            "--profile",
            "sp",
            "sql",
            "SELECT 1 AS one",
            "--output",
            "csv",
        ],
        &home,
        &[("SPARK_CONNECT_LOG_LEVEL", "trace")],
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("connection parameters from profile()"),
        "{stderr}"
    );
    // A `&str` field: tracing's formatter quotes it.
    assert!(stderr.contains("auth_type=\"oauth-m2m\""), "{stderr}");
    assert!(
        !stderr.contains(CLIENT_SECRET),
        "the client secret leaked: {stderr}"
    );
    assert!(
        !stderr.contains("gw-oauth-"),
        "an access token leaked: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_target_gives_the_sdk_message() {
    let gw = gateway().await;
    let home = home_with(
        "no-target",
        &format!("[DEFAULT]\nhost = {}\ntoken = {PAT}\n", gw.url()),
    );
    let output = dbconnect(&["sql", "SELECT 1"], &home, &[]).await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Cluster id or serverless are required but were not specified"),
        "{stderr}"
    );
    assert!(!stderr.contains(PAT), "{stderr}");
}
