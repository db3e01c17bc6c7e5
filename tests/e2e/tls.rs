//! TLS certificates are verified: a server whose certificate chains to no trusted root is
//! refused (no query, no token sent over that connection), and the same server is accepted once
//! its certificate is given to the builder as an extra root.

use databricks_connect::DatabricksSession;
use test_support::gateway::{Gateway, GatewayConfig};

const PAT: &str = "dapi-tls-test-0123456789";
const CLUSTER: &str = "0123-456789-tls";

/// A self-signed certificate for 127.0.0.1 that neither the platform nor `SSL_CERT_FILE` holds.
fn untrusted_certificate() -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    (cert.pem(), key.serialize_pem())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_untrusted_certificate_is_refused_and_an_added_root_is_accepted() {
    let (cert, key) = untrusted_certificate();
    let gw = Gateway::start(
        GatewayConfig::new(&test_support::test_remote())
            .pat(PAT)
            .cluster(CLUSTER, "RUNNING")
            .identity_pem(cert.clone(), key),
    )
    .await;

    // The Clusters API check is the first request: refused at the TLS handshake.
    let refused = DatabricksSession::builder()
        .host(gw.url())
        .token(PAT)
        .cluster_id(CLUSTER)
        .create()
        .await
        .unwrap_err()
        .to_string();
    assert!(refused.contains("cannot check cluster"), "{refused}");
    assert!(refused.to_lowercase().contains("certificate"), "{refused}");
    assert!(!refused.contains(PAT), "{refused}");

    // Without the REST check, the gRPC channel refuses it too.
    let spark = DatabricksSession::builder()
        .host(gw.url())
        .token(PAT)
        .cluster_id(CLUSTER)
        .validate_session(false)
        .create()
        .await
        .unwrap();
    let e = spark.version().await.unwrap_err().to_string();
    assert!(e.contains("cannot reach the Spark Connect server"), "{e}");
    assert!(
        gw.calls().is_empty(),
        "no call reached the server over an unverified connection"
    );

    // The same server, trusted through the builder's extra root: works.
    let spark = DatabricksSession::builder()
        .host(gw.url())
        .token(PAT)
        .cluster_id(CLUSTER)
        .root_certificate_pem(cert)
        .create()
        .await
        .unwrap();
    assert!(spark.version().await.unwrap().starts_with("4."));
}
