//! Bearer tokens against a server started with `spark.connect.authenticate.token`, and the
//! TLS path.

use std::time::Duration;

use databricks_connect::{DatabricksSession, ServerErrorKind};

async fn version_with(remote: String) -> Result<String, String> {
    let spark = DatabricksSession::builder()
        .remote(remote)
        .create()
        .await
        .map_err(|e| e.to_string())?;
    match spark.version().await {
        Ok(v) => Ok(v),
        Err(e) => {
            let kind = e.server_error().map(|s| s.kind());
            Err(format!("{kind:?}|{e}"))
        }
    }
}

#[tokio::test]
async fn right_token_is_accepted() {
    let (remote, token) = test_support::auth_remote();
    let version = version_with(format!("{remote}/;token={token}"))
        .await
        .unwrap();
    assert!(version.starts_with("4."));
}

#[tokio::test]
async fn wrong_token_is_refused() {
    let (remote, token) = test_support::auth_remote();
    let wrong = format!("{token}-wrong");
    let e = version_with(format!("{remote}/;token={wrong}"))
        .await
        .unwrap_err();
    assert!(
        e.starts_with(&format!("{:?}|", Some(ServerErrorKind::Unauthenticated))),
        "{e}"
    );
    assert!(
        !e.contains(&wrong),
        "the error must not show the token: {e}"
    );
}

#[tokio::test]
async fn missing_token_is_refused() {
    let (remote, _) = test_support::auth_remote();
    let e = version_with(remote).await.unwrap_err();
    assert!(
        e.starts_with(&format!("{:?}|", Some(ServerErrorKind::Unauthenticated))),
        "{e}"
    );
}

#[tokio::test]
async fn tls_to_a_plaintext_server_fails_clearly_and_promptly() {
    // use_ssl=true makes the client speak TLS; the local server speaks plaintext, so the
    // handshake must fail with a clear error rather than hang.
    let remote = format!("{}/;use_ssl=true", test_support::test_remote());
    let result = tokio::time::timeout(Duration::from_secs(60), version_with(remote))
        .await
        .expect("a failed TLS handshake is reported, not waited on forever");
    let e = result.unwrap_err();
    assert!(
        e.contains("cannot reach the Spark Connect server at https://"),
        "{e}"
    );
}
