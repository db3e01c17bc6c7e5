//! With every log event at TRACE captured, each authentication flow the gateway offers and each
//! error path is run; no secret may appear in the captured logs, in an error's `Display` or
//! `Debug`, or in the `Debug` of a builder, configuration or session.
//!
//! The capture is scoped to this test's thread (`set_default`) and the client runs on a
//! current-thread runtime on that thread, so everything the client and the libraries beneath it
//! (tonic, h2, hyper) log is captured and nothing of other tests is. The gateway runs on a
//! runtime of its own, outside the capture: it is not the code under test.

use std::io::Write;
use std::sync::{Arc, Mutex};

use databricks_connect::auth::CredentialsChain;
use databricks_connect::auth::providers::AzureClientSecretCredentials;
use databricks_connect::config::{Config, ConfigKey, Environment};
use databricks_connect::{DatabricksSession, DatabricksSessionBuilder, SparkSession};
use test_support::gateway::{Gateway, GatewayConfig};
use tracing_subscriber::util::SubscriberInitExt;

const PAT: &str = "dapi-trace-pat-SECRET-1111";
const WRONG_PAT: &str = "dapi-trace-wrong-SECRET-2222";
const CLIENT_SECRET: &str = "m2m-client-SECRET-3333";
const WRONG_CLIENT_SECRET: &str = "m2m-wrong-SECRET-4444";
const AZ_TOKEN: &str = "az-cli-token-SECRET-5555";
const AAD_SECRET: &str = "aad-client-SECRET-6666";
const REMOTE_TOKEN: &str = "remote-token-SECRET-7777";
const PASSWORD: &str = "basic-password-SECRET-8888";
const SECRETS: [&str; 8] = [
    PAT,
    WRONG_PAT,
    CLIENT_SECRET,
    WRONG_CLIENT_SECRET,
    AZ_TOKEN,
    AAD_SECRET,
    REMOTE_TOKEN,
    PASSWORD,
];
const CLUSTER: &str = "0123-456789-trace";
const TERMINATED: &str = "0123-456789-stopped";
const TENANT: &str = "00000000-0000-0000-0000-000000000002";
const RESOURCE_ID: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/trace";

/// Where the subscriber writes: one buffer shared by every event.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

/// Everything that was shown: `Debug` of builders, configs and sessions, errors' `Display` and
/// `Debug`; checked together with the logs at the end.
#[derive(Default)]
struct Shown(Vec<(String, String)>);

impl Shown {
    fn add(&mut self, what: &str, text: String) {
        self.0.push((what.to_owned(), text));
    }
    fn error(&mut self, what: &str, e: &dyn std::error::Error) {
        self.add(&format!("{what}: Display"), e.to_string());
        self.add(&format!("{what}: Debug"), format!("{e:?}"));
        let mut source = e.source();
        while let Some(s) = source {
            self.add(&format!("{what}: source"), s.to_string());
            source = s.source();
        }
    }
}

/// A configuration that sees only `vars` and an empty home.
fn config(vars: &[(&str, &str)], set: &[(ConfigKey, &str)]) -> Config {
    let home = std::env::temp_dir().join(format!("e2e-trace-empty-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut env: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.push(("HOME".into(), home.to_string_lossy().into_owned()));
    let mut builder = Config::builder().env(Environment::from_map(env));
    for (key, value) in set {
        builder = builder.set(*key, *value);
    }
    builder.build().unwrap()
}

/// Runs a query, so that an authenticated RPC (headers and all) is logged.
async fn query(spark: &SparkSession, shown: &mut Shown, what: &str) {
    let batches = spark
        .sql(&format!("SELECT '{what}'"))
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(batches[0].num_rows(), 1, "{what}");
    shown.add(&format!("{what}: session Debug"), format!("{spark:?}"));
}

/// Creates a session that must work, recording the builder's `Debug` first.
async fn ok(builder: DatabricksSessionBuilder, shown: &mut Shown, what: &str) -> SparkSession {
    shown.add(&format!("{what}: builder Debug"), format!("{builder:?}"));
    let spark = builder
        .create()
        .await
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    query(&spark, shown, what).await;
    spark
}

/// Creates a session that must fail, recording the builder's `Debug` and the error.
async fn fails(builder: DatabricksSessionBuilder, shown: &mut Shown, what: &str) {
    shown.add(&format!("{what}: builder Debug"), format!("{builder:?}"));
    match builder.create().await {
        Ok(spark) => {
            // Some failures show only on the first RPC.
            let e = spark.version().await.expect_err(what);
            shown.error(what, &e);
        }
        Err(e) => shown.error(what, &e),
    }
}

fn fake_az() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("e2e-trace-fake-az-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let script = format!(
        "#!/bin/sh\nprintf '%s\\n' '{{\"accessToken\": \"{AZ_TOKEN}\", \"expires_on\": {expires}, \"tokenType\": \"Bearer\"}}'\n"
    );
    let az = dir.join("az");
    std::fs::write(&az, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[test]
fn trace_logs_errors_and_debug_output_hold_no_secret() {
    let gateway_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let gw = gateway_runtime.block_on(Gateway::start(
        GatewayConfig::new(&test_support::test_remote())
            .pat(PAT)
            .pat(AZ_TOKEN)
            .oauth_client("trace-sp", CLIENT_SECRET)
            .aad_client(TENANT, "trace-aad", AAD_SECRET)
            .cluster(CLUSTER, "RUNNING")
            .cluster(TERMINATED, "TERMINATED"),
    ));
    let url = gw.url().to_owned();
    let port = gw.port();
    let az_dir = fake_az();

    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let guard = subscriber.set_default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut shown = Shown::default();
    runtime.block_on(async {
        let shown = &mut shown;
        // pat, explicit.
        let b = DatabricksSession::builder()
            .host(&url)
            .token(PAT)
            .cluster_id(CLUSTER);
        ok(b, shown, "pat").await;

        // pat in a connection string.
        let remote = format!(
            "sc://127.0.0.1:{port}/;use_ssl=true;token={PAT};x-databricks-cluster-id={CLUSTER}"
        );
        ok(DatabricksSession::builder().remote(remote), shown, "remote").await;

        // oauth-m2m with its client secret.
        let cfg = config(
            &[],
            &[
                (ConfigKey::Host, &url),
                (ConfigKey::ClientId, "trace-sp"),
                (ConfigKey::ClientSecret, CLIENT_SECRET),
                (ConfigKey::ClusterId, CLUSTER),
            ],
        );
        shown.add("oauth-m2m: config Debug", format!("{cfg:?}"));
        shown.add("oauth-m2m: config debug_string", cfg.debug_string());
        ok(
            DatabricksSession::builder().sdk_config(cfg),
            shown,
            "oauth-m2m",
        )
        .await;

        // azure-cli through a fake `az`.
        let cfg = config(
            &[("PATH", az_dir.to_str().unwrap())],
            &[
                (ConfigKey::Host, &url),
                (ConfigKey::AuthType, "azure-cli"),
                (ConfigKey::AzureWorkspaceResourceId, RESOURCE_ID),
                (ConfigKey::ClusterId, CLUSTER),
            ],
        );
        ok(
            DatabricksSession::builder().sdk_config(cfg),
            shown,
            "azure-cli",
        )
        .await;

        // Azure AD service principal through the gateway's /aad endpoint.
        let cfg = config(
            &[],
            &[
                (ConfigKey::Host, &url),
                (ConfigKey::AzureWorkspaceResourceId, RESOURCE_ID),
                (ConfigKey::AzureTenantId, TENANT),
                (ConfigKey::AzureClientId, "trace-aad"),
                (ConfigKey::AzureClientSecret, AAD_SECRET),
                (ConfigKey::ClusterId, CLUSTER),
            ],
        );
        shown.add("azure-client-secret: config Debug", format!("{cfg:?}"));
        let aad = AzureClientSecretCredentials::with_login_endpoint(format!("{url}/aad/"));
        ok(
            DatabricksSession::builder()
                .sdk_config(cfg)
                .credentials(CredentialsChain::new(vec![Box::new(aad)])),
            shown,
            "azure-client-secret",
        )
        .await;

        // Error paths. A wrong token: refused by the Clusters API check, and by the gRPC call
        // when that check is off.
        let wrong = || {
            DatabricksSession::builder()
                .host(&url)
                .token(WRONG_PAT)
                .cluster_id(CLUSTER)
        };
        fails(wrong(), shown, "wrong token").await;
        fails(
            wrong().validate_session(false),
            shown,
            "wrong token, unchecked",
        )
        .await;

        // A wrong client secret.
        let cfg = config(
            &[],
            &[
                (ConfigKey::Host, &url),
                (ConfigKey::ClientId, "trace-sp"),
                (ConfigKey::ClientSecret, WRONG_CLIENT_SECRET),
                (ConfigKey::ClusterId, CLUSTER),
            ],
        );
        fails(
            DatabricksSession::builder().sdk_config(cfg),
            shown,
            "wrong client secret",
        )
        .await;

        // A wrong Azure AD client secret.
        let cfg = config(
            &[],
            &[
                (ConfigKey::Host, &url),
                (ConfigKey::AzureWorkspaceResourceId, RESOURCE_ID),
                (ConfigKey::AzureTenantId, TENANT),
                (ConfigKey::AzureClientId, "trace-aad"),
                (ConfigKey::AzureClientSecret, WRONG_CLIENT_SECRET),
                (ConfigKey::ClusterId, CLUSTER),
            ],
        );
        let aad = AzureClientSecretCredentials::with_login_endpoint(format!("{url}/aad/"));
        fails(
            DatabricksSession::builder()
                .sdk_config(cfg)
                .credentials(CredentialsChain::new(vec![Box::new(aad)])),
            shown,
            "wrong Azure AD secret",
        )
        .await;

        // basic: the gateway accepts no password, so this is an error path.
        let cfg = config(
            &[],
            &[
                (ConfigKey::Host, &url),
                (ConfigKey::Username, "trace-user"),
                (ConfigKey::Password, PASSWORD),
                (ConfigKey::ClusterId, CLUSTER),
            ],
        );
        shown.add("basic: config Debug", format!("{cfg:?}"));
        fails(DatabricksSession::builder().sdk_config(cfg), shown, "basic").await;

        // A terminated cluster, with auto-start off.
        fails(
            DatabricksSession::builder()
                .host(&url)
                .token(PAT)
                .cluster_id(TERMINATED)
                .auto_start_cluster(false),
            shown,
            "terminated cluster",
        )
        .await;

        // Malformed connection strings that hold a token.
        for remote in [
            format!("sc://127.0.0.1:notaport/;token={REMOTE_TOKEN}"),
            format!("sc://127.0.0.1:{port}/;token={REMOTE_TOKEN};use_ssl=maybe"),
            format!("sc://127.0.0.1:{port}/;token={REMOTE_TOKEN};session_id=nope"),
            format!("sc://[127.0.0.1/;token={REMOTE_TOKEN}"),
        ] {
            fails(
                DatabricksSession::builder().remote(remote),
                shown,
                "bad connection string",
            )
            .await;
        }

        // Nothing listens on port 1: a connection error, with a token and with a remote.
        fails(
            DatabricksSession::builder()
                .host("https://127.0.0.1:1")
                .token(PAT)
                .cluster_id(CLUSTER),
            shown,
            "unreachable host",
        )
        .await;
        fails(
            DatabricksSession::builder().remote(format!(
                "sc://127.0.0.1:1/;use_ssl=true;token={REMOTE_TOKEN}"
            )),
            shown,
            "unreachable remote",
        )
        .await;
    });
    drop(runtime);
    drop(guard);
    drop(gw);

    let logs = capture.text();
    // The capture works: the client's and the libraries' trace events are in it.
    assert!(logs.contains("TRACE"), "no TRACE event was captured");
    assert!(
        logs.len() > 10_000,
        "only {} bytes were captured",
        logs.len()
    );
    for secret in SECRETS {
        if let Some(at) = logs.find(secret) {
            let start = logs[..at].rfind('\n').map_or(0, |n| n + 1);
            let end = logs[at..].find('\n').map_or(logs.len(), |n| at + n);
            panic!("a secret is in the logs: {}", &logs[start..end]);
        }
        for (what, text) in &shown.0 {
            assert!(!text.contains(secret), "a secret is in {what}: {text}");
        }
    }
}
