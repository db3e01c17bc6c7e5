//! oauth-m2m against a loopback OIDC server that checks the grant, the scope and Basic client
//! authentication.

mod common;

use base64::Engine as _;
use common::MockServer;
use databricks_auth::{AuthErrorKind, providers::oidc_endpoints, resolve};
use databricks_config::{Config, Environment};

fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

async fn oidc_server(discovery_status: u16) -> MockServer {
    let base = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let b = base.clone();
    let server = MockServer::start(move |req| {
        let base = b.lock().unwrap().clone();
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/oidc/.well-known/oauth-authorization-server") => (
                discovery_status,
                format!(
                    r#"{{"authorization_endpoint":"{base}/oidc/v1/authorize","token_endpoint":"{base}/oidc/v1/token"}}"#
                ),
            ),
            ("POST", "/oidc/v1/token") => {
                let form = req.form();
                if req.header("authorization") != Some(&basic("sp-id", "sp-secret")) {
                    return (401, r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#.into());
                }
                if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
                    return (400, r#"{"error":"unsupported_grant_type"}"#.into());
                }
                let scope = form.get("scope").cloned().unwrap_or_default();
                (200, format!(r#"{{"access_token":"m2m-token-for-{}","token_type":"Bearer","expires_in":3600}}"#, scope.replace(' ', "+")))
            }
            _ => (404, "{}".into()),
        }
    })
    .await;
    *base.lock().unwrap() = server.url();
    server
}

fn cfg(server: &MockServer, secret: &str, extra: &[(&str, &str)]) -> Config {
    let mut b = Config::builder()
        .host(server.url())
        .client_id("sp-id")
        .client_secret(secret)
        .env(Environment::from_map::<_, String, String>([]));
    for (k, v) in extra {
        b = b.with_config(k, *v);
    }
    b.build().unwrap()
}

#[tokio::test]
async fn client_credentials_grant() {
    let server = oidc_server(200).await;
    let creds = resolve(&cfg(&server, "sp-secret", &[])).await.unwrap();
    assert_eq!(creds.auth_type(), "oauth-m2m");
    let headers = creds.header_source().headers().await.unwrap();
    assert_eq!(
        headers.get("Authorization"),
        Some("Bearer m2m-token-for-all-apis")
    );
    // The token is cached: one discovery, one token request.
    creds.header_source().headers().await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(
        reqs[1].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        reqs[1].form().get("scope").map(String::as_str),
        Some("all-apis")
    );
    assert!(!format!("{creds:?}").contains("sp-secret"));
    assert!(!format!("{creds:?}").contains("m2m-token"));
}

#[tokio::test]
async fn scopes_are_sent() {
    let server = oidc_server(200).await;
    let creds = resolve(&cfg(&server, "sp-secret", &[("scopes", "sql, clusters")]))
        .await
        .unwrap();
    let headers = creds.header_source().headers().await.unwrap();
    assert_eq!(
        headers.get("Authorization"),
        Some("Bearer m2m-token-for-clusters+sql")
    );
}

#[tokio::test]
async fn rejected_secret_is_an_error_naming_the_oauth_error() {
    let server = oidc_server(200).await;
    let err = resolve(&cfg(&server, "wrong-secret", &[]))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), &AuthErrorKind::Refused);
    assert_eq!(err.provider_name(), Some("oauth-m2m"));
    let url = server.url();
    assert_eq!(
        err.to_string(),
        format!(
            "default auth: oauth-m2m: token request to {url}/oidc/v1/token failed: HTTP 401: invalid_client: Client authentication failed. Config: host={url}, client_id=sp-id, client_secret=***"
        )
    );
    assert!(!err.to_string().contains("wrong-secret"));
}

#[tokio::test]
async fn no_oauth_on_host() {
    let server = oidc_server(404).await;
    let err = resolve(&cfg(&server, "sp-secret", &[])).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "default auth: oauth-m2m: oidc: databricks OAuth is not supported for this host. Config: host={}, client_id=sp-id, client_secret=***",
            server.url()
        )
    );
}

#[tokio::test]
async fn bad_discovery_document() {
    let server = MockServer::start(|_| (200, r#"{"issuer":"x"}"#.into())).await;
    let err = resolve(&cfg(&server, "sp-secret", &[])).await.unwrap_err();
    assert!(
        err.to_string().contains(
            "expected a JSON object with \"authorization_endpoint\" and \"token_endpoint\""
        ),
        "{err}"
    );
}

#[tokio::test]
async fn unreachable_host() {
    // A port that nothing listens on (bound, then closed).
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    let cfg = Config::builder()
        .host(format!("http://{addr}"))
        .client_id("id")
        .client_secret("s3cr3t")
        .env(Environment::from_map::<_, String, String>([]))
        .build()
        .unwrap();
    let err = resolve(&cfg).await.unwrap_err();
    assert!(err.to_string().starts_with(&format!("default auth: oauth-m2m: oidc: request to http://{addr}/oidc/.well-known/oauth-authorization-server failed")), "{err}");
    assert!(!err.to_string().contains("s3cr3t"));
}

#[tokio::test]
async fn account_console_endpoints() {
    let cfg = Config::builder()
        .host("https://accounts.cloud.databricks.com")
        .account_id("abc-123")
        .env(Environment::from_map::<_, String, String>([]))
        .build()
        .unwrap();
    let client = databricks_auth::RestClient::new(&cfg).unwrap();
    let e = oidc_endpoints(&cfg, &client, "oauth-m2m").await.unwrap();
    assert_eq!(
        e.token_endpoint,
        "https://accounts.cloud.databricks.com/oidc/accounts/abc-123/v1/token"
    );
    assert_eq!(
        e.authorization_endpoint,
        "https://accounts.cloud.databricks.com/oidc/accounts/abc-123/v1/authorize"
    );
}
