//! The new providers never show a secret (client secrets, ID tokens, access and refresh
//! tokens) in Debug, Display, error text or logs, on success or failure.
#![cfg(unix)]

mod common;

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt as _;
use std::sync::{Arc, Mutex};

use common::MockServer;
use databricks_auth::CredentialsChain;
use databricks_auth::providers::{AzureClientSecretCredentials, ExternalBrowserCredentials};
use databricks_config::{Config, Environment};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<String>>);

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        span.record(&mut Writer(&mut self.0.lock().unwrap()));
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Writer(&mut self.0.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut out = self.0.lock().unwrap();
        out.push('\n');
        event.record(&mut Writer(&mut out));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

const SECRETS: &[&str] = &[
    "sekret-client-secret",
    "sekret-access",
    "sekret-refresh",
    "eyJsekret-id-token",
    "sekret-az-token",
];

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows {s:?}: {text}");
    }
}

/// An OIDC + AAD server that hands out secret-looking tokens, or rejects everything.
async fn server(reject: bool) -> MockServer {
    let base = Arc::new(Mutex::new(String::new()));
    let b = base.clone();
    let server = MockServer::start(move |req| {
        let base = b.lock().unwrap().clone();
        let route = req.path.split('?').next().unwrap_or_default().to_owned();
        if route == "/oidc/.well-known/oauth-authorization-server" {
            return (
                200,
                format!(
                    r#"{{"authorization_endpoint":"{base}/authorize","token_endpoint":"{base}/token"}}"#
                ),
            );
        }
        if reject {
            return (
                401,
                r#"{"error":"invalid_client","error_description":"rejected"}"#.into(),
            );
        }
        (
            200,
            r#"{"access_token":"sekret-access","token_type":"Bearer","expires_in":"3600","refresh_token":"sekret-refresh"}"#.into(),
        )
    })
    .await;
    *base.lock().unwrap() = server.url();
    server
}

async fn check_all(reject: bool, log: &Capture) {
    let server = server(reject).await;
    let home = std::env::temp_dir().join(format!("dbauth-secrets-{reject}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    let az = home.join("az");
    let az_body = if reject {
        "echo 'ERROR: AADSTS1: denied' >&2; exit 1"
    } else {
        r#"printf '{"accessToken":"sekret-az-token","expiresOn":"2999-01-01 00:00:00.000000","tokenType":"Bearer"}'"#
    };
    std::fs::write(&az, format!("#!/bin/sh\n{az_body}\n")).unwrap();
    std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    let token_file = home.join("id-token");
    std::fs::write(&token_file, "eyJsekret-id-token").unwrap();

    let env = |extra: &[(&str, &str)]| {
        let mut vars = vec![
            ("HOME".to_owned(), home.to_str().unwrap().to_owned()),
            ("PATH".to_owned(), home.to_str().unwrap().to_owned()),
        ];
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Environment::from_map(vars)
    };
    let azure_host = "https://adb-1.2.azuredatabricks.net";
    let cases: Vec<(&str, Config, CredentialsChain)> = vec![
        (
            "azure-client-secret",
            Config::builder()
                .host(azure_host)
                .with_config("azure_client_id", "app")
                .with_config("azure_client_secret", "sekret-client-secret")
                .with_config("azure_tenant_id", "t")
                .env(env(&[]))
                .build()
                .unwrap(),
            CredentialsChain::new(vec![Box::new(
                AzureClientSecretCredentials::with_login_endpoint(server.url()),
            )]),
        ),
        (
            "azure-cli",
            Config::builder()
                .host(azure_host)
                .env(env(&[]))
                .build()
                .unwrap(),
            CredentialsChain::default(),
        ),
        (
            "env-oidc",
            Config::builder()
                .host(server.url())
                .env(env(&[("DATABRICKS_OIDC_TOKEN", "eyJsekret-id-token")]))
                .build()
                .unwrap(),
            CredentialsChain::default(),
        ),
        (
            "file-oidc",
            Config::builder()
                .host(server.url())
                .with_config("oidc_token_filepath", token_file.to_str().unwrap())
                .env(env(&[]))
                .build()
                .unwrap(),
            CredentialsChain::default(),
        ),
        (
            "external-browser",
            Config::builder()
                .host(server.url())
                .auth_type("external-browser")
                .env(env(&[]))
                .build()
                .unwrap(),
            // A cached, expired token: the refresh runs (and fails when rejecting).
            CredentialsChain::new(vec![Box::new(
                ExternalBrowserCredentials::default()
                    .with_callback_port(0)
                    .with_browser(|_| Err(std::io::Error::other("no browser"))),
            )]),
        ),
    ];
    std::fs::create_dir_all(home.join(".databricks")).unwrap();
    std::fs::write(
        home.join(".databricks/token-cache.json"),
        format!(
            r#"{{"version":1,"tokens":{{"{}":{{"access_token":"sekret-access","token_type":"Bearer","refresh_token":"sekret-refresh","expiry":"2020-01-01T00:00:00Z"}}}}}}"#,
            server.url()
        ),
    )
    .unwrap();
    for (name, cfg, chain) in cases {
        match chain.resolve(&cfg).await {
            Ok(creds) => {
                assert!(!reject, "{name} worked against a rejecting server");
                assert_eq!(creds.auth_type(), name);
                assert_clean(name, &format!("{creds:?}"));
                let headers = creds.header_source().headers().await.unwrap();
                assert_clean(name, &format!("{headers:?}"));
            }
            Err(e) => {
                assert!(reject, "{name}: {e}");
                assert_clean(name, &e.to_string());
                assert_clean(name, &format!("{e:?}"));
            }
        }
    }
    assert_clean("logs", &log.0.lock().unwrap());
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test]
async fn no_secret_in_debug_errors_or_logs() {
    let log = Capture::default();
    let _guard = tracing::dispatcher::set_default(&tracing::Dispatch::new(log.clone()));
    check_all(false, &log).await;
    check_all(true, &log).await;
    assert!(
        log.0.lock().unwrap().contains("provider"),
        "the capture saw the chain's logs"
    );
}
