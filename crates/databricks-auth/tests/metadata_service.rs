//! metadata-service against a loopback metadata service.

mod common;

use common::MockServer;
use databricks_auth::{AuthErrorKind, resolve};
use databricks_config::{Config, Environment};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn cfg(url: &str) -> Config {
    Config::builder()
        .host("https://ws.cloud.databricks.com")
        .metadata_service_url(url)
        .env(Environment::from_map::<_, String, String>([]))
        .build()
        .unwrap()
}

#[tokio::test]
async fn token_from_the_service() {
    let server = MockServer::start(|req| {
        if req.path != "/secret-path/token"
            || req.header("x-databricks-metadata-version") != Some("1")
            || req.header("x-databricks-host") != Some("https://ws.cloud.databricks.com")
        {
            return (400, "{}".into());
        }
        (
            200,
            format!(
                r#"{{"access_token":"ms-token","token_type":"Bearer","expires_on":{}}}"#,
                now() + 3600
            ),
        )
    })
    .await;
    let creds = resolve(&cfg(&format!("{}/secret-path/token", server.url())))
        .await
        .unwrap();
    assert_eq!(creds.auth_type(), "metadata-service");
    let h = creds.header_source().headers().await.unwrap();
    assert_eq!(h.get("Authorization"), Some("Bearer ms-token"));
}

#[tokio::test]
async fn not_found_means_not_applicable() {
    let server = MockServer::start(|_| (404, "{}".into())).await;
    let url = format!("{}/secret-path", server.url());
    let err = resolve(&cfg(&url)).await.unwrap_err();
    let AuthErrorKind::NoCredentials { attempts } = err.kind() else {
        panic!("{err}")
    };
    assert!(
        attempts
            .iter()
            .any(|(n, why)| n == "metadata-service" && why.contains("404"))
    );
    assert!(err.to_string().contains("metadata_service_url=***"));
    assert!(!err.to_string().contains("secret-path"));
}

#[tokio::test]
async fn errors_never_show_the_url() {
    let server = MockServer::start(|_| (500, "{}".into())).await;
    let err = resolve(&cfg(&format!("{}/secret-path", server.url())))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "default auth: metadata-service: token error: the metadata service answered HTTP 500. Config: host=https://ws.cloud.databricks.com, metadata_service_url=***"
    );
    let server = MockServer::start(|_| (200, r#"{"access_token":"x"}"#.into())).await;
    let err = resolve(&cfg(&format!("{}/secret-path", server.url())))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("token parse: expected \"expires_on\" as Unix seconds"),
        "{err}"
    );
    assert!(!err.to_string().contains("secret-path"));
}

#[tokio::test]
async fn only_loopback_urls() {
    let err = resolve(&cfg("http://169.254.169.254/secret-path"))
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "default auth: metadata-service: invalid auth server URL: metadata_service_url must be an http(s) URL on localhost or 127.0.0.1. Config: host=https://ws.cloud.databricks.com, metadata_service_url=***"
    );
}
