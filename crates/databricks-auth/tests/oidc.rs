//! env-oidc and file-oidc: an ID token exchanged at a loopback OIDC token endpoint that checks
//! the RFC 8693 token-exchange form.

mod common;

use common::MockServer;
use databricks_auth::{AuthErrorKind, resolve};
use databricks_config::{Config, Environment};

async fn oidc_server() -> MockServer {
    let base = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let b = base.clone();
    let server = MockServer::start(move |req| {
        let base = b.lock().unwrap().clone();
        match (req.method.as_str(), req.path.as_str()) {
            ("GET", "/oidc/.well-known/oauth-authorization-server") => (
                200,
                format!(
                    r#"{{"authorization_endpoint":"{base}/oidc/v1/authorize","token_endpoint":"{base}/oidc/v1/token"}}"#
                ),
            ),
            ("POST", "/oidc/v1/token") => {
                let form = req.form();
                let get = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
                if req.header("authorization").is_some() {
                    return (400, r#"{"error":"invalid_request"}"#.into());
                }
                if get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange"
                    || get("subject_token_type") != "urn:ietf:params:oauth:token-type:jwt"
                {
                    return (400, r#"{"error":"unsupported_grant_type"}"#.into());
                }
                if !get("subject_token").starts_with("eyJ") {
                    return (400, r#"{"error":"invalid_grant","error_description":"subject token is not a JWT"}"#.into());
                }
                (
                    200,
                    format!(
                        r#"{{"access_token":"fed-{}-{}-{}","token_type":"Bearer","expires_in":3600}}"#,
                        get("client_id"),
                        get("scope").replace(' ', "+"),
                        &get("subject_token")[3..]
                    ),
                )
            }
            _ => (404, "{}".into()),
        }
    })
    .await;
    *base.lock().unwrap() = server.url();
    server
}

fn cfg(server: &MockServer, env: &[(&str, &str)], explicit: &[(&str, &str)]) -> Config {
    let mut b = Config::builder()
        .host(server.url())
        .env(Environment::from_map(env.iter().copied()));
    for (k, v) in explicit {
        b = b.with_config(k, *v);
    }
    b.build().unwrap()
}

async fn bearer(cfg: &Config) -> (String, String) {
    let creds = resolve(cfg).await.unwrap();
    let h = creds.header_source().headers().await.unwrap();
    (
        creds.auth_type().to_owned(),
        h.get("Authorization").unwrap().to_owned(),
    )
}

#[tokio::test]
async fn env_oidc_default_and_named_variable() {
    let server = oidc_server().await;
    let (auth, h) = bearer(&cfg(
        &server,
        &[("DATABRICKS_OIDC_TOKEN", "eyJone")],
        &[("client_id", "sp-1")],
    ))
    .await;
    assert_eq!(auth, "env-oidc");
    assert_eq!(h, "Bearer fed-sp-1-all-apis-one");

    let (auth, h) = bearer(&cfg(
        &server,
        &[
            ("MY_JWT", "eyJtwo"),
            ("DATABRICKS_OIDC_TOKEN_ENV", "MY_JWT"),
        ],
        &[],
    ))
    .await;
    assert_eq!(auth, "env-oidc");
    // No client_id: an account-wide federation policy; the field is left out.
    assert_eq!(h, "Bearer fed--all-apis-two");
    let last = server.requests().pop().unwrap();
    assert!(!last.form().contains_key("client_id"));
}

#[tokio::test]
async fn file_oidc_token_from_a_file() {
    let server = oidc_server().await;
    let dir = std::env::temp_dir().join(format!("dbauth-oidc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("token");
    std::fs::write(&file, "eyJfile\n").unwrap();
    let cfg = cfg(
        &server,
        &[],
        &[
            ("oidc_token_filepath", file.to_str().unwrap()),
            ("client_id", "sp-2"),
            ("scopes", "sql"),
            // oidc_token_filepath and client_id are two auth groups, as in the SDKs.
            ("auth_type", "file-oidc"),
        ],
    );
    let (auth, h) = bearer(&cfg).await;
    assert_eq!(auth, "file-oidc");
    assert_eq!(h, "Bearer fed-sp-2-sql-file");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn missing_token_is_not_applicable_and_bad_token_is_an_error() {
    let server = oidc_server().await;
    let err = resolve(&cfg(
        &server,
        &[],
        &[("oidc_token_filepath", "/nonexistent/dbauth/token")],
    ))
    .await
    .unwrap_err();
    let AuthErrorKind::NoCredentials { attempts } = err.kind() else {
        panic!("{err}");
    };
    assert!(attempts.iter().any(|(p, why)| p == "env-oidc"
        && why == "environment variable DATABRICKS_OIDC_TOKEN is not set"));
    assert!(attempts.iter().any(|(p, why)| p == "file-oidc"
        && why.starts_with("cannot read file /nonexistent/dbauth/token")));

    let err = resolve(&cfg(
        &server,
        &[("DATABRICKS_OIDC_TOKEN", "not-a-jwt-sekret")],
        &[],
    ))
    .await
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "default auth: env-oidc: token request to {}/oidc/v1/token failed: HTTP 400: invalid_grant: subject token is not a JWT. Config: host={}",
            server.url(),
            server.url()
        )
    );
    assert!(!format!("{err:?}").contains("sekret"));
}
