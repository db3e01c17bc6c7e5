//! `dbconnect` behind a real HTTP proxy (squid, `test_support::squid`), with the proxy given as
//! the real `HTTPS_PROXY` variable of the child process. The workspace is
//! `workspace.proxied.test`, a name only squid resolves.

use std::path::PathBuf;
use std::process::{Command, Output};

use test_support::gateway::{Gateway, GatewayConfig};
use test_support::squid::{PROXIED_HOST, Squid, SquidConfig};

const PAT: &str = "dapi-proxy-cli-pat-0123456789";
const CLUSTER: &str = "0123-456789-cli-proxied";
const USER: &str = "cliuser";
const PASSWORD: &str = "cli-pr0xy-secret";

fn empty_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dbconnect-proxy-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs dbconnect with only `env` (plus HOME and the test CA).
async fn dbconnect(args: Vec<String>, env: Vec<(&'static str, String)>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dbconnect"));
    command
        .args(&args)
        .env_clear()
        .env("HOME", empty_home("home"));
    if let Ok(ca) = std::env::var("SSL_CERT_FILE") {
        command.env("SSL_CERT_FILE", ca);
    }
    for (k, v) in env {
        command.env(k, v);
    }
    tokio::task::spawn_blocking(move || command.output().expect("runs dbconnect"))
        .await
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn workspace_args(gw: &Gateway, rest: &[&str]) -> Vec<String> {
    let mut args = vec![
        "--host".to_string(),
        gw.url().to_string(),
        "--token".to_string(),
        PAT.to_string(),
        "--cluster-id".to_string(),
        CLUSTER.to_string(),
    ];
    args.extend(rest.iter().map(|s| s.to_string()));
    args
}

#[tokio::test(flavor = "multi_thread")]
async fn sql_and_doctor_go_through_the_proxy_of_https_proxy() {
    let gw = Gateway::start(
        GatewayConfig::new(&test_support::test_remote())
            .pat(PAT)
            .cluster(CLUSTER, "RUNNING")
            .host_name(PROXIED_HOST),
    )
    .await;
    let squid = Squid::start(SquidConfig::new().basic_auth(USER, PASSWORD));
    let proxy = vec![("HTTPS_PROXY", squid.url_with(USER, PASSWORD))];

    let output = dbconnect(
        workspace_args(&gw, &["sql", "SELECT 'via squid' AS s", "--output", "csv"]),
        proxy.clone(),
    )
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{stderr}\n{}",
        squid.logs()
    );
    assert_eq!(stdout, "s\nvia squid\n");

    let output = dbconnect(workspace_args(&gw, &["doctor"]), proxy).await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    for line in [
        format!(
            "[ok]   reachability: {PROXIED_HOST}:{} accepts connections through the proxy http://{USER}@127.0.0.1:{} (from HTTPS_PROXY) (",
            gw.port(),
            squid.port()
        ),
        "[ok]   TLS: the certificate is valid for the host".to_string(),
        "[ok]   test query: SELECT 1 returned one row".to_string(),
        "All checks passed.".to_string(),
    ] {
        assert!(stdout.contains(&line), "{line:?} in:\n{stdout}");
    }
    assert!(!format!("{stdout}{stderr}").contains(PASSWORD));

    // A wrong password: doctor names the user and says what to check.
    let output = dbconnect(
        workspace_args(&gw, &["doctor"]),
        vec![("HTTPS_PROXY", squid.url_with(USER, "wrong-pr0xy-pw"))],
    )
    .await;
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "[FAIL] reachability: {PROXIED_HOST}:{} through the proxy: the proxy http://{USER}@127.0.0.1:{} (from HTTPS_PROXY) refused the credentials of user {USER} (407 Proxy Authentication Required)",
            gw.port(),
            squid.port()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("fix: check the proxy URL and its credentials in HTTPS_PROXY"),
        "{stdout}"
    );
    assert!(!format!("{stdout}{stderr}").contains("wrong-pr0xy-pw"));

    // sql with the wrong password: a clear error, exit 1.
    let output = dbconnect(
        workspace_args(&gw, &["sql", "SELECT 1"]),
        vec![("HTTPS_PROXY", squid.url_with(USER, "wrong-pr0xy-pw"))],
    )
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("refused the credentials of user {USER}")),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong-pr0xy-pw"), "{stderr}");
}

#[test]
fn doctor_says_when_the_connection_is_direct() {
    let remote = test_support::test_remote();
    let run = |env: Vec<(&'static str, String)>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_dbconnect"));
        command
            .args(["--remote", &remote, "doctor"])
            .env_clear()
            .env("HOME", empty_home("direct"))
            .envs(env);
        let output = command.output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}{}",
            text(&output.stdout),
            text(&output.stderr)
        );
        text(&output.stdout)
    };
    let stdout = run(vec![]);
    assert!(
        stdout.contains("accepts connections (directly, no proxy is set) ("),
        "{stdout}"
    );
    // The plain server is excluded from a proxy that does not even listen.
    let stdout = run(vec![
        ("HTTP_PROXY", "http://127.0.0.1:1".to_string()),
        ("NO_PROXY", "127.0.0.1".to_string()),
    ]);
    assert!(
        stdout.contains("accepts connections (directly, NO_PROXY excludes it from the proxy) ("),
        "{stdout}"
    );
}
