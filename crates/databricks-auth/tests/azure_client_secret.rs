//! azure-client-secret against a loopback Azure AD v1 token endpoint.

mod common;

use common::MockServer;
use databricks_auth::providers::AzureClientSecretCredentials;
use databricks_auth::{AuthErrorKind, CredentialsChain};
use databricks_config::{Config, Environment};

const APP: &str = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d";

/// Azure AD's v1 client-credentials endpoint: id and secret in the form, a `resource`, and the
/// v1 answer with `expires_in` as a string.
async fn aad() -> MockServer {
    MockServer::start(|req| {
        if req.method != "POST" || req.path != "/tenant-1/oauth2/token" {
            return (404, r#"{"error":"invalid_request","error_description":"AADSTS90002: Tenant not found"}"#.into());
        }
        let form = req.form();
        let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
        if get("grant_type") != "client_credentials" || get("client_id") != "app-id" {
            return (400, r#"{"error":"unsupported_grant_type"}"#.into());
        }
        if get("client_secret") != "app-secret" {
            return (401, r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#.into());
        }
        let token = match get("resource") {
            APP => "aad-dbx",
            "https://management.core.windows.net/" => "aad-mgmt-public",
            "https://management.core.usgovcloudapi.net/" => "aad-mgmt-usgov",
            "https://management.core.chinacloudapi.cn/" => "aad-mgmt-china",
            _ => return (400, r#"{"error":"invalid_resource"}"#.into()),
        };
        (
            200,
            format!(
                r#"{{"token_type":"Bearer","expires_in":"3599","ext_expires_in":"3599","expires_on":"32472144000","not_before":"1700000000","resource":"{}","access_token":"{token}"}}"#,
                get("resource")
            ),
        )
    })
    .await
}

fn cfg(host: &str, secret: &str, extra: &[(&str, &str)]) -> Config {
    let mut b = Config::builder()
        .host(host)
        .with_config("azure_client_id", "app-id")
        .with_config("azure_client_secret", secret)
        .with_config("azure_tenant_id", "tenant-1")
        .env(Environment::from_map::<_, String, String>([]));
    for (k, v) in extra {
        b = b.with_config(k, *v);
    }
    b.build().unwrap()
}

fn chain(server: &MockServer) -> CredentialsChain {
    CredentialsChain::new(vec![Box::new(
        AzureClientSecretCredentials::with_login_endpoint(server.url()),
    )])
}

#[tokio::test]
async fn public_usgov_and_china_clouds() {
    let server = aad().await;
    for (host, extra, mgmt) in [
        (
            "https://adb-1.2.azuredatabricks.net",
            None,
            "aad-mgmt-public",
        ),
        (
            "https://adb-1.2.databricks.azure.us",
            None,
            "aad-mgmt-usgov",
        ),
        (
            "https://adb-1.2.databricks.azure.cn",
            None,
            "aad-mgmt-china",
        ),
        // azure_environment wins over the host's zone.
        (
            "https://adb-1.2.azuredatabricks.net",
            Some(("azure_environment", "CHINA")),
            "aad-mgmt-china",
        ),
    ] {
        let extra: Vec<(&str, &str)> = extra.into_iter().collect();
        let creds = chain(&server)
            .resolve(&cfg(host, "app-secret", &extra))
            .await
            .unwrap();
        assert_eq!(creds.auth_type(), "azure-client-secret");
        let h = creds.header_source().headers().await.unwrap();
        assert_eq!(h.get("Authorization"), Some("Bearer aad-dbx"));
        assert_eq!(h.get("X-Databricks-Azure-SP-Management-Token"), Some(mgmt));
        assert!(!format!("{creds:?}").contains("app-secret"));
        assert!(!format!("{creds:?}").contains("aad-"));
    }
}

#[tokio::test]
async fn workspace_resource_id_header() {
    let server = aad().await;
    let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/w";
    let creds = chain(&server)
        .resolve(&cfg(
            "https://adb-1.2.azuredatabricks.net",
            "app-secret",
            &[("azure_workspace_resource_id", id)],
        ))
        .await
        .unwrap();
    let h = creds.header_source().headers().await.unwrap();
    assert_eq!(h.get("X-Databricks-Azure-Workspace-Resource-Id"), Some(id));
}

#[tokio::test]
async fn rejected_secret_is_an_error_without_the_secret() {
    let server = aad().await;
    let err = chain(&server)
        .resolve(&cfg(
            "https://adb-1.2.azuredatabricks.net",
            "wrong-secret",
            &[],
        ))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &AuthErrorKind::Refused);
    assert_eq!(err.provider_name(), Some("azure-client-secret"));
    assert_eq!(
        err.to_string(),
        format!(
            "default auth: azure-client-secret: token request to {}/tenant-1/oauth2/token failed: HTTP 401: invalid_client: AADSTS7000215: Invalid client secret provided. Config: host=https://adb-1.2.azuredatabricks.net, azure_client_secret=***, azure_client_id=app-id, azure_tenant_id=tenant-1",
            server.url()
        )
    );
    assert!(!format!("{err:?}").contains("wrong-secret"));
}

#[tokio::test]
async fn not_applicable_cases() {
    let server = aad().await;
    // Not Azure.
    let err = chain(&server)
        .resolve(&cfg(
            "https://dbc-1.cloud.databricks.com",
            "app-secret",
            &[],
        ))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), AuthErrorKind::NoCredentials { .. }));
    // No tenant.
    let cfg = Config::builder()
        .host("https://adb-1.2.azuredatabricks.net")
        .with_config("azure_client_id", "app-id")
        .with_config("azure_client_secret", "app-secret")
        .env(Environment::from_map::<_, String, String>([]))
        .build()
        .unwrap();
    let err = chain(&server).resolve(&cfg).await.unwrap_err();
    assert!(matches!(err.kind(), AuthErrorKind::NoCredentials { .. }));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn malformed_token_response() {
    let server = MockServer::start(|_| (200, r#"{"token_type":"Bearer"}"#.into())).await;
    let err = chain(&server)
        .resolve(&cfg(
            "https://adb-1.2.azuredatabricks.net",
            "app-secret",
            &[],
        ))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("expected a non-empty \"access_token\" string"),
        "{err}"
    );
}
