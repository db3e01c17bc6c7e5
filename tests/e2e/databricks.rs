//! `DatabricksSession` against the Databricks-like TLS gateway in front of the real local
//! Spark Connect server: every credentials path the package page names, routing headers,
//! custom headers, token refresh, and clear errors.

use std::time::Duration;

use databricks_connect::auth::CredentialsChain;
use databricks_connect::auth::providers::AzureClientSecretCredentials;
use databricks_connect::config::{Config, ConfigKey, Environment};
use databricks_connect::{DatabricksSession, SparkSession};
use test_support::gateway::{Gateway, GatewayConfig};

const PAT: &str = "dapi-e2e-pat-0123456789abcdef";
const AZ_TOKEN: &str = "az-cli-token-0123456789";
const CLUSTER: &str = "0123-456789-e2e";
const RESOURCE_ID: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/ws";

fn base_config() -> GatewayConfig {
    GatewayConfig::new(&test_support::test_remote())
        .pat(PAT)
        .pat(AZ_TOKEN)
        .cluster(CLUSTER, "RUNNING")
}

/// The answer of a one-row, one-column query.
async fn answer(spark: &SparkSession, sql: &str) -> String {
    let batches = spark.sql(sql).await.unwrap().collect().await.unwrap();
    let column = arrow_cast::cast(batches[0].column(0), &arrow_schema::DataType::Utf8).unwrap();
    let strings = column
        .as_any()
        .downcast_ref::<arrow_array::StringArray>()
        .unwrap();
    strings.value(0).to_string()
}

/// A configuration that sees only `vars`: nothing from this process's environment or home.
fn config(vars: &[(&str, &str)], set: &[(ConfigKey, &str)]) -> Config {
    let home =
        std::env::temp_dir().join(format!("e2e-databricks-empty-home-{}", std::process::id()));
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

#[tokio::test(flavor = "multi_thread")]
async fn explicit_parameters_and_a_custom_header_reach_the_gateway() {
    let gw = Gateway::start(base_config()).await;
    let spark = DatabricksSession::builder()
        .host(gw.url())
        .token(PAT)
        .cluster_id(CLUSTER)
        .header("x-custom-header", "value")
        .user_agent("e2e-app/1.0")
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 'explicit'").await, "explicit");
    let execute = gw
        .calls()
        .into_iter()
        .find(|c| c.method == "ExecutePlan")
        .unwrap();
    assert_eq!(execute.get("x-custom-header"), Some("value"));
    assert_eq!(execute.get("x-databricks-cluster-id"), Some(CLUSTER));
    assert_eq!(execute.get("authorization"), Some("valid"));
    let client_type = execute.client_type.unwrap();
    assert!(
        client_type.starts_with("e2e-app/1.0 databricks-connect-rs/"),
        "{client_type}"
    );
    assert!(
        client_type.contains(&format!("os/{}", std::env::consts::OS)),
        "{client_type}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn remote_connection_string_to_the_gateway() {
    let gw = Gateway::start(base_config()).await;
    let spark = DatabricksSession::builder()
        .remote(format!(
            "sc://127.0.0.1:{}/;use_ssl=true;token={PAT};x-databricks-cluster-id={CLUSTER}",
            gw.port()
        ))
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 'remote'").await, "remote");
}

#[tokio::test(flavor = "multi_thread")]
async fn serverless_sessions_are_routed_by_their_session_id() {
    let gw = Gateway::start(base_config()).await;
    let spark = DatabricksSession::builder()
        .host(gw.url())
        .token(PAT)
        .serverless()
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 'serverless'").await, "serverless");
    for call in gw.calls() {
        assert_eq!(
            call.get("x-databricks-session-id"),
            Some(spark.session_id())
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn oauth_token_expiring_during_a_session_is_refreshed_without_a_failed_call() {
    // 45 s tokens: the client treats them as expired 40 s early, so after a few seconds the
    // next call must get a new one first; the gateway enforces the real expiry.
    let gw = Gateway::start(
        base_config()
            .oauth_client("e2e-sp", "e2e-sp-secret")
            .token_ttl(Duration::from_secs(45)),
    )
    .await;
    let cfg = config(
        &[],
        &[
            (ConfigKey::Host, gw.url()),
            (ConfigKey::ClientId, "e2e-sp"),
            (ConfigKey::ClientSecret, "e2e-sp-secret"),
            (ConfigKey::ClusterId, CLUSTER),
        ],
    );
    let spark = DatabricksSession::builder()
        .sdk_config(cfg)
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 'first'").await, "first");
    let issued_before = gw.tokens_issued();
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(
        answer(&spark, "SELECT 'after expiry'").await,
        "after expiry"
    );
    assert!(
        gw.tokens_issued() > issued_before,
        "a new token was fetched ({} before, {} after)",
        issued_before,
        gw.tokens_issued()
    );
    assert_eq!(
        gw.calls_rejected(),
        0,
        "no call went out with an expired token"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_cli_through_a_fake_az() {
    let gw = Gateway::start(base_config()).await;
    let dir = std::env::temp_dir().join(format!("e2e-fake-az-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    // Builtins only: the configuration's PATH holds nothing but this folder.
    let script = format!(
        "#!/bin/sh\necho \"$@\" >> '{}/az.log'\nprintf '%s\\n' '{{\"accessToken\": \"{AZ_TOKEN}\", \"expires_on\": {expires}, \"tokenType\": \"Bearer\"}}'\n",
        dir.display()
    );
    let az = dir.join("az");
    std::fs::write(&az, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();

    let cfg = config(
        &[("PATH", dir.to_str().unwrap())],
        &[
            (ConfigKey::Host, gw.url()),
            (ConfigKey::AuthType, "azure-cli"),
            (ConfigKey::AzureWorkspaceResourceId, RESOURCE_ID),
            (ConfigKey::ClusterId, CLUSTER),
        ],
    );
    let spark = DatabricksSession::builder()
        .sdk_config(cfg)
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 'azure-cli'").await, "azure-cli");
    let log = std::fs::read_to_string(dir.join("az.log")).unwrap();
    assert!(
        log.contains("account get-access-token --resource 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"),
        "{log}"
    );
    let execute = gw
        .calls()
        .into_iter()
        .find(|c| c.method == "ExecutePlan")
        .unwrap();
    assert_eq!(
        execute.get("x-databricks-azure-workspace-resource-id"),
        Some(RESOURCE_ID)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_service_principal_through_the_mock_aad() {
    let tenant = "00000000-0000-0000-0000-000000000001";
    let gw = Gateway::start(base_config().aad_client(tenant, "aad-client", "s0M3p@$$wrd")).await;
    let cfg = config(
        &[],
        &[
            (ConfigKey::Host, gw.url()),
            (ConfigKey::AzureWorkspaceResourceId, RESOURCE_ID),
            (ConfigKey::AzureTenantId, tenant),
            (ConfigKey::AzureClientId, "aad-client"),
            (ConfigKey::AzureClientSecret, "s0M3p@$$wrd"),
            (ConfigKey::ClusterId, CLUSTER),
        ],
    );
    let aad = AzureClientSecretCredentials::with_login_endpoint(format!("{}/aad/", gw.url()));
    let spark = DatabricksSession::builder()
        .sdk_config(cfg)
        .credentials(CredentialsChain::new(vec![Box::new(aad)]))
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 'aad'").await, "aad");
    assert!(gw.tokens_issued() >= 1);
    let execute = gw
        .calls()
        .into_iter()
        .find(|c| c.method == "ExecutePlan")
        .unwrap();
    assert_eq!(execute.get("authorization"), Some("valid"));
    assert!(
        execute
            .get("x-databricks-azure-sp-management-token")
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_token_and_unusable_clusters_are_clear_errors() {
    let gw = Gateway::start(base_config().cluster("0123-terminated", "TERMINATED")).await;
    let wrong = DatabricksSession::builder()
        .host(gw.url())
        .token("dapi-wrong")
        .cluster_id(CLUSTER)
        .create()
        .await
        .unwrap_err();
    assert!(
        wrong.to_string().contains("refused the credentials"),
        "{wrong}"
    );
    assert!(!wrong.to_string().contains("dapi-wrong"), "{wrong}");

    // Without the Clusters API check, the gRPC call itself is refused.
    let unchecked = DatabricksSession::builder()
        .host(gw.url())
        .token("dapi-wrong")
        .cluster_id(CLUSTER)
        .validate_session(false)
        .create()
        .await
        .unwrap();
    let e = unchecked.version().await.unwrap_err();
    assert_eq!(
        e.server_error().map(|s| s.kind()),
        Some(databricks_connect::ServerErrorKind::Unauthenticated),
        "{e}"
    );

    let terminated = DatabricksSession::builder()
        .host(gw.url())
        .token(PAT)
        .cluster_id("0123-terminated")
        .auto_start_cluster(false)
        .create()
        .await
        .unwrap_err();
    assert!(
        terminated
            .to_string()
            .contains("cluster 0123-terminated is TERMINATED"),
        "{terminated}"
    );
}
