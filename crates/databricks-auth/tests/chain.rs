//! The default chain, pat, basic, and the SDKs' unified-auth cases that need no network.

use databricks_auth::{AuthErrorKind, CredentialsChain, resolve};
use databricks_config::{Config, Environment};

const NO_CREDS: &str = "default auth: cannot configure default credentials, please check https://docs.databricks.com/en/dev-tools/auth.html#databricks-client-unified-authentication to configure credentials for your preferred authentication method";

fn config(env: &[(&str, &str)], explicit: &[(&str, &str)]) -> Config {
    // No PATH: no databricks CLI is found, so the chain is hermetic.
    let mut b = Config::builder().env(Environment::from_map(env.iter().copied()));
    for (k, v) in explicit {
        b = b.with_config(k, *v);
    }
    b.build().unwrap()
}

async fn auth_type(env: &[(&str, &str)], explicit: &[(&str, &str)]) -> Result<String, String> {
    let cfg = config(env, explicit);
    resolve(&cfg)
        .await
        .map(|c| c.auth_type().to_owned())
        .map_err(|e| e.to_string())
}

/// (environment, explicit attributes, expected auth type or error text)
type Case<'a> = (
    &'a [(&'a str, &'a str)],
    &'a [(&'a str, &'a str)],
    Result<&'a str, String>,
);

#[tokio::test]
async fn sdk_unified_auth_cases() {
    // (env, explicit, expected auth type or error)
    let cases: &[Case] = &[
        (&[], &[], Err(NO_CREDS.to_owned())),
        (
            &[("DATABRICKS_HOST", "x")],
            &[],
            Err(format!(
                "{NO_CREDS}. Config: host=https://x. Env: DATABRICKS_HOST"
            )),
        ),
        (
            &[("DATABRICKS_TOKEN", "x")],
            &[],
            Err(format!(
                "{NO_CREDS}. Config: token=***. Env: DATABRICKS_TOKEN"
            )),
        ),
        (
            &[("DATABRICKS_HOST", "x"), ("DATABRICKS_TOKEN", "x")],
            &[],
            Ok("pat"),
        ),
        (
            &[("DATABRICKS_TOKEN", "x")],
            &[("host", "https://x")],
            Ok("pat"),
        ),
        (
            &[("DATABRICKS_PASSWORD", "x"), ("DATABRICKS_USERNAME", "x")],
            &[],
            Err(format!(
                "{NO_CREDS}. Config: username=x, password=***. Env: DATABRICKS_USERNAME, DATABRICKS_PASSWORD"
            )),
        ),
        (
            &[
                ("DATABRICKS_HOST", "x"),
                ("DATABRICKS_PASSWORD", "x"),
                ("DATABRICKS_USERNAME", "x"),
            ],
            &[],
            Ok("basic"),
        ),
        (
            &[("DATABRICKS_PASSWORD", "x")],
            &[("host", "y"), ("username", "x")],
            Ok("basic"),
        ),
        (
            &[
                ("DATABRICKS_HOST", "x"),
                ("DATABRICKS_PASSWORD", "x"),
                ("DATABRICKS_TOKEN", "x"),
                ("DATABRICKS_USERNAME", "x"),
            ],
            &[("auth_type", "basic")],
            Ok("basic"),
        ),
        (
            &[
                ("DATABRICKS_AUTH_TYPE", "basic"),
                ("DATABRICKS_PASSWORD", "password"),
                ("DATABRICKS_TOKEN", "token"),
                ("DATABRICKS_USERNAME", "user"),
            ],
            &[("host", "x")],
            Ok("basic"),
        ),
        (
            &[("DATABRICKS_CONFIG_FILE", "x")],
            &[],
            Err(format!(
                "{NO_CREDS}. Config: config_file=x. Env: DATABRICKS_CONFIG_FILE"
            )),
        ),
        (
            &[],
            &[
                ("host", "https://adb-xxx.y.azuredatabricks.net/"),
                ("token", "y"),
            ],
            Ok("pat"),
        ),
        // az is not on PATH: azure attributes alone give the SDKs' "no credentials" text.
        (
            &[],
            &[("azure_workspace_resource_id", "/sub/rg/ws")],
            Err(format!(
                "{NO_CREDS}. Config: azure_workspace_resource_id=/sub/rg/ws"
            )),
        ),
    ];
    for (env, explicit, want) in cases {
        let got = auth_type(env, explicit).await;
        let want = want.clone().map(str::to_owned);
        assert_eq!(got, want, "env {env:?} explicit {explicit:?}");
    }
}

#[tokio::test]
async fn headers_of_pat_and_basic() {
    let cfg = config(
        &[("DATABRICKS_HOST", "x"), ("DATABRICKS_TOKEN", "dapi123")],
        &[],
    );
    let creds = resolve(&cfg).await.unwrap();
    let headers = creds.header_source().headers().await.unwrap();
    assert_eq!(headers.get("Authorization"), Some("Bearer dapi123"));
    assert_eq!(headers.len(), 1);
    assert!(!format!("{creds:?} {headers:?}").contains("dapi123"));

    let cfg = config(
        &[],
        &[
            ("host", "x"),
            ("username", "Aladdin"),
            ("password", "open sesame"),
        ],
    );
    let creds = resolve(&cfg).await.unwrap();
    let headers = creds.header_source().headers().await.unwrap();
    assert_eq!(
        headers.get("authorization"),
        Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    );
    assert!(!format!("{creds:?} {headers:?}").contains("QWxhZGRpbjpvcGVuIHNlc2FtZQ"));
}

#[tokio::test]
async fn forced_auth_type_that_does_not_apply() {
    let cfg = config(
        &[("DATABRICKS_HOST", "x"), ("DATABRICKS_TOKEN", "t")],
        &[("auth_type", "basic")],
    );
    let err = resolve(&cfg).await.unwrap_err();
    match err.kind() {
        AuthErrorKind::NoCredentials { attempts } => {
            assert_eq!(attempts.len(), 1);
            assert_eq!(attempts[0].0, "basic");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!(
            "{NO_CREDS}. Config: host=https://x, token=***, auth_type=basic. Env: DATABRICKS_HOST, DATABRICKS_TOKEN"
        )
    );
}

#[tokio::test]
async fn unknown_and_unimplemented_auth_types() {
    let cfg = config(&[("DATABRICKS_HOST", "x")], &[("auth_type", "magic")]);
    let err = resolve(&cfg).await.unwrap_err();
    assert_eq!(err.kind(), &AuthErrorKind::UnknownAuthType);
    assert_eq!(
        err.to_string(),
        "default auth: auth_type \"magic\" is not a known authentication type: expected one of pat, basic, metadata-service, oauth-m2m, env-oidc, file-oidc, azure-client-secret, azure-cli, external-browser, databricks-cli. Config: host=https://x, auth_type=magic. Env: DATABRICKS_HOST"
    );

    let cfg = config(&[("DATABRICKS_HOST", "x")], &[("auth_type", "azure-msi")]);
    let err = resolve(&cfg).await.unwrap_err();
    assert_eq!(err.kind(), &AuthErrorKind::NotImplemented);
    assert!(
        err.to_string().starts_with("default auth: auth_type azure-msi is not implemented yet in this client; implemented: pat, basic"),
        "{err}"
    );
}

#[tokio::test]
async fn chain_lists_attempts() {
    let cfg = config(&[("DATABRICKS_HOST", "x")], &[]);
    let chain = CredentialsChain::default();
    assert_eq!(
        chain.names(),
        [
            "pat",
            "basic",
            "metadata-service",
            "oauth-m2m",
            "env-oidc",
            "file-oidc",
            "azure-client-secret",
            "azure-cli",
            "external-browser",
            "databricks-cli"
        ]
    );
    let err = chain.resolve(&cfg).await.unwrap_err();
    let AuthErrorKind::NoCredentials { attempts } = err.kind() else {
        panic!()
    };
    let names: Vec<&str> = attempts.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, chain.names());
    assert_eq!(
        attempts[4].1,
        "environment variable DATABRICKS_OIDC_TOKEN is not set"
    );
    assert_eq!(attempts[7].1, "not an Azure Databricks configuration");
    assert_eq!(
        attempts[8].1,
        "only used when auth_type is external-browser"
    );
    assert_eq!(attempts[9].1, "databricks CLI not found");
}
