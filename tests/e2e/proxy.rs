//! HTTPS proxies, against a real squid (`test_support::squid`) in front of the Databricks-like
//! gateway. The gateway is addressed as `workspace.proxied.test`, a name only squid can
//! resolve: a session that works proves that the gRPC channel and the REST calls (OIDC
//! discovery and token, Clusters API) went through the proxy and never resolved or dialled
//! the workspace themselves. Proxy settings reach the client through the configuration's
//! environment (`Environment::from_map`), never through this process's.

use std::time::Duration;

use databricks_connect::config::{Config, ConfigKey, Environment};
use databricks_connect::proxy::{ProxyConfig, ProxyErrorKind};
use databricks_connect::{DatabricksSession, SparkSession};
use spark_connect_transport::{ConnectionString, SparkConnectClient};
use test_support::gateway::{Gateway, GatewayConfig};
use test_support::squid::{PROXIED_HOST, Squid, SquidConfig};

const PAT: &str = "dapi-proxy-e2e-pat-0123456789";
const CLUSTER: &str = "0123-456789-proxied";
const CLIENT_ID: &str = "proxy-e2e-sp";
const CLIENT_SECRET: &str = "proxy-e2e-sp-secret";
const PROXY_USER: &str = "proxyuser";
const PROXY_PASSWORD: &str = "pr0xy-pa55word";

async fn gateway(host_name: Option<&str>) -> Gateway {
    let mut config = GatewayConfig::new(&test_support::test_remote())
        .pat(PAT)
        .oauth_client(CLIENT_ID, CLIENT_SECRET)
        .cluster(CLUSTER, "RUNNING");
    if let Some(name) = host_name {
        config = config.host_name(name);
    }
    Gateway::start(config).await
}

/// A port nothing listens on.
fn dead_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A configuration that sees only `vars`, for the gateway's workspace.
fn config(gw: &Gateway, vars: &[(&str, &str)], oauth: bool) -> Config {
    let home = std::env::temp_dir().join(format!("e2e-proxy-empty-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut env: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.push(("HOME".into(), home.to_string_lossy().into_owned()));
    let mut builder = Config::builder()
        .env(Environment::from_map(env))
        .set(ConfigKey::Host, gw.url())
        .set(ConfigKey::ClusterId, CLUSTER);
    builder = if oauth {
        builder
            .set(ConfigKey::ClientId, CLIENT_ID)
            .set(ConfigKey::ClientSecret, CLIENT_SECRET)
    } else {
        builder.set(ConfigKey::Token, PAT)
    };
    builder.build().unwrap()
}

async fn session(cfg: Config, validate: bool) -> Result<SparkSession, databricks_connect::Error> {
    DatabricksSession::builder()
        .sdk_config(cfg)
        .validate_session(validate)
        .create()
        .await
}

async fn answer(spark: &SparkSession, sql: &str) -> String {
    let batches = spark.sql(sql).await.unwrap().collect().await.unwrap();
    let column = arrow_cast::cast(batches[0].column(0), &arrow_schema::DataType::Utf8).unwrap();
    column
        .as_any()
        .downcast_ref::<arrow_array::StringArray>()
        .unwrap()
        .value(0)
        .to_string()
}

/// The error's whole text: `Display`, `Debug` and every source.
fn all_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{e} {e:?}");
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn grpc_and_rest_go_through_squid_to_a_name_only_it_resolves() {
    let gw = gateway(Some(PROXIED_HOST)).await;
    let squid = Squid::start(SquidConfig::new());
    let target = format!("{PROXIED_HOST}:{}", gw.port());
    // OAuth M2M: OIDC discovery and the token endpoint are REST calls, so is the Clusters API
    // check; the query is the gRPC channel.
    let cfg = config(&gw, &[("HTTPS_PROXY", &squid.url())], true);
    let spark = session(cfg, true).await.unwrap();
    assert_eq!(
        answer(&spark, "SELECT 'through squid'").await,
        "through squid"
    );
    assert!(gw.tokens_issued() >= 1, "the token came from the gateway");
    assert!(gw.calls().iter().any(|c| c.method == "ExecutePlan"));
    // Squid logs a tunnel when it closes: close them all.
    drop(spark);
    let connects = squid.connects(3, Duration::from_secs(10));
    assert!(
        connects.len() >= 3,
        "REST (discovery + token, Clusters API) and gRPC tunnels expected: {connects:?}\n{}",
        squid.logs()
    );
    for (url, result) in &connects {
        assert_eq!(url, &target);
        assert_eq!(result, "TCP_TUNNEL/200");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plaintext_server_is_reached_through_a_tunnel_too() {
    // h2c through CONNECT: the server may speak first, inside the tunnel.
    let squid = Squid::start(SquidConfig::new());
    let conn = ConnectionString::parse_without_env(&test_support::test_remote()).unwrap();
    let client = SparkConnectClient::builder(conn.clone())
        .proxy(ProxyConfig::url(&squid.url()).unwrap())
        .build()
        .unwrap();
    assert!(client.spark_version().await.unwrap().starts_with('4'));
    drop(client);
    let connects = squid.connects(1, Duration::from_secs(10));
    assert_eq!(
        connects,
        vec![(
            format!("127.0.0.1:{}", conn.port()),
            "TCP_TUNNEL/200".to_string()
        )]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_with_basic_auth_admits_the_right_password_and_names_the_user_for_a_wrong_one() {
    let gw = gateway(Some(PROXIED_HOST)).await;
    let squid = Squid::start(SquidConfig::new().basic_auth(PROXY_USER, PROXY_PASSWORD));
    let good = squid.url_with(PROXY_USER, PROXY_PASSWORD);
    let spark = session(config(&gw, &[("HTTPS_PROXY", &good)], true), true)
        .await
        .unwrap();
    assert_eq!(
        answer(&spark, "SELECT 'authenticated'").await,
        "authenticated"
    );
    drop(spark);

    let wrong_password = "not-the-pr0xy-pa55word";
    let bad = squid.url_with(PROXY_USER, wrong_password);
    let shown = format!(
        "http://{PROXY_USER}@127.0.0.1:{} (from HTTPS_PROXY)",
        squid.port()
    );
    // The REST side (the OAuth token) meets the proxy first.
    let e = session(config(&gw, &[("HTTPS_PROXY", &bad)], true), false)
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains(&format!(
            "the proxy {shown} refused the credentials of user {PROXY_USER} (407 Proxy Authentication Required)"
        )),
        "{text}"
    );
    assert!(!all_text(&e).contains(wrong_password), "{e:?}");
    // The gRPC channel (a token needs no REST call; no cluster check).
    let e = session(config(&gw, &[("https_proxy", &bad)], false), false)
        .await
        .unwrap()
        .version()
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains(&format!(
            "cannot connect to the Spark Connect server at https://{PROXIED_HOST}:{}: the proxy http://{PROXY_USER}@127.0.0.1:{} (from https_proxy) refused the credentials of user {PROXY_USER} (407",
            gw.port(),
            squid.port()
        )),
        "{text}"
    );
    assert!(!all_text(&e).contains(wrong_password), "{e:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denying_proxy_is_a_clear_403() {
    let gw = gateway(Some(PROXIED_HOST)).await;
    let squid = Squid::start(SquidConfig::new().deny_all());
    let target = format!("{PROXIED_HOST}:{}", gw.port());
    // REST: the Clusters API check.
    let e = session(config(&gw, &[("ALL_PROXY", &squid.url())], false), true)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "the proxy http://127.0.0.1:{} (from ALL_PROXY) forbids a tunnel to {target} (403 Forbidden",
            squid.port()
        )),
        "{e}"
    );
    // gRPC.
    let spark = session(config(&gw, &[("ALL_PROXY", &squid.url())], false), false)
        .await
        .unwrap();
    let e = spark.version().await.unwrap_err();
    let proxy_error = std::iter::successors(Some(&e as &(dyn std::error::Error + 'static)), |e| {
        e.source()
    })
    .find_map(|e| e.downcast_ref::<databricks_connect::proxy::ProxyError>())
    .unwrap_or_else(|| panic!("a ProxyError in {e:?}"));
    assert_eq!(proxy_error.kind(), ProxyErrorKind::Forbidden);
    assert_eq!(proxy_error.status(), Some(403));
    assert!(
        e.to_string()
            .contains(&format!("forbids a tunnel to {target}")),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_proxy_is_a_clear_error_for_rest_and_grpc() {
    let gw = gateway(Some(PROXIED_HOST)).await;
    let proxy = format!(
        "http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{}",
        dead_port()
    );
    let shown = proxy.replace(&format!(":{PROXY_PASSWORD}"), "");
    let e = session(config(&gw, &[("HTTPS_PROXY", &proxy)], true), true)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains(&format!(
            "cannot connect to the proxy {shown} (from HTTPS_PROXY): "
        )),
        "{e}"
    );
    assert!(!all_text(&e).contains(PROXY_PASSWORD));
    let spark = session(config(&gw, &[("HTTPS_PROXY", &proxy)], false), false)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let e = spark.version().await.unwrap_err();
    // A failed connect before any answer is not retried.
    assert!(started.elapsed() < Duration::from_secs(5), "{e}");
    assert!(
        e.to_string().contains(&format!(
            "cannot connect to the proxy {shown} (from HTTPS_PROXY): "
        )),
        "{e}"
    );
    assert!(!all_text(&e).contains(PROXY_PASSWORD));
}

#[tokio::test(flavor = "multi_thread")]
async fn no_proxy_sends_a_host_around_a_dead_proxy() {
    // The gateway by its address; the proxy variables point at a port nothing listens on.
    let gw = gateway(None).await;
    let dead = format!("http://127.0.0.1:{}", dead_port());
    for vars in [
        vec![("HTTPS_PROXY", dead.as_str()), ("NO_PROXY", "127.0.0.1")],
        vec![
            ("https_proxy", dead.as_str()),
            ("no_proxy", "localhost, 127.0.0.0/8"),
        ],
        vec![("ALL_PROXY", dead.as_str()), ("NO_PROXY", "*")],
        vec![
            ("grpc_proxy", dead.as_str()),
            ("no_grpc_proxy", "127.0.0.1"),
        ],
    ] {
        let spark = session(config(&gw, &vars, true), true)
            .await
            .unwrap_or_else(|e| panic!("{vars:?}: {e}"));
        assert_eq!(
            answer(&spark, "SELECT 'direct'").await,
            "direct",
            "{vars:?}"
        );
    }
    // Without the exclusion the dead proxy is used, and says so.
    let e = session(config(&gw, &[("HTTPS_PROXY", &dead)], false), false)
        .await
        .unwrap()
        .version()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cannot connect to the proxy"), "{e}");
}

/// The subscriber's output, shared by every event.
#[derive(Clone, Default)]
struct Capture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn proxy_credentials_never_reach_trace_logs_or_errors() {
    use tracing::subscriber::with_default;
    let gateway_runtime = tokio::runtime::Runtime::new().unwrap();
    let gw = gateway_runtime.block_on(gateway(Some(PROXIED_HOST)));
    let squid = Squid::start(SquidConfig::new().basic_auth(PROXY_USER, PROXY_PASSWORD));
    let wrong = "wr0ng-pr0xy-pa55word";
    // What a Basic header would carry: base64 of `user:password`.
    let basic = |password: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!("{PROXY_USER}:{password}"))
    };

    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let mut shown = Vec::new();
    with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let good = squid.url_with(PROXY_USER, PROXY_PASSWORD);
            let cfg = config(&gw, &[("HTTPS_PROXY", &good)], true);
            shown.push(format!("{cfg:?} {cfg}"));
            let spark = session(cfg, true).await.unwrap();
            assert_eq!(answer(&spark, "SELECT 'traced'").await, "traced");
            shown.push(format!("{spark:?}"));
            let bad = squid.url_with(PROXY_USER, wrong);
            for oauth in [true, false] {
                let cfg = config(&gw, &[("HTTPS_PROXY", &bad)], oauth);
                match session(cfg, oauth).await {
                    Err(e) => shown.push(all_text(&e)),
                    Ok(spark) => shown.push(all_text(&spark.version().await.unwrap_err())),
                }
            }
        });
    });
    let logs = String::from_utf8_lossy(&capture.0.lock().unwrap()).into_owned();
    assert!(logs.contains("tunnel open"), "the capture saw the tunnel");
    assert!(logs.contains(&format!("http://{PROXY_USER}@127.0.0.1:{}", squid.port())));
    for secret in [
        PROXY_PASSWORD.to_string(),
        wrong.to_string(),
        basic(PROXY_PASSWORD),
        basic(wrong),
    ] {
        assert!(!logs.contains(&secret), "{secret} is in the logs");
        for text in &shown {
            assert!(!text.contains(&secret), "{secret} is in {text}");
        }
    }
    assert!(
        shown
            .iter()
            .filter(|t| t.contains("refused the credentials"))
            .count()
            == 2,
        "{shown:?}"
    );
}
