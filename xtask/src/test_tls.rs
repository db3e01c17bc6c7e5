//! A throwaway certificate authority and a certificate for 127.0.0.1 (and the made-up name the
//! proxy tests reach it by), made fresh for every
//! `cargo xtask test` run, for the TLS test gateway.
//!
//! The tests trust the CA through `SSL_CERT_FILE`, the way OpenSSL-based tools and this client
//! honour it, so the same path that serves private deployments is the one tested. The key never
//! leaves the run's folder and is worthless outside it.

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

use crate::Result;

/// Where the run's TLS material is.
pub struct TestTls {
    /// The CA certificate (PEM): what clients trust.
    pub ca_cert: PathBuf,
    /// The server certificate for `127.0.0.1`, `localhost` and `workspace.proxied.test` (PEM),
    /// signed by the CA.
    pub server_cert: PathBuf,
    /// The server certificate's private key (PEM).
    pub server_key: PathBuf,
}

pub fn generate(dir: &Path) -> Result<TestTls> {
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let tls_error = |e: rcgen::Error| format!("cannot make the test certificates: {e}");

    let mut ca = CertificateParams::new(Vec::<String>::new()).map_err(tls_error)?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "databricks-connect-rs test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().map_err(tls_error)?;
    let ca_cert = ca.self_signed(&ca_key).map_err(tls_error)?;
    let issuer = Issuer::new(ca, ca_key);

    // `workspace.proxied.test` is a name only the tests' squid proxy can resolve (its
    // `hosts_file`): reaching the gateway by it proves the client went through the proxy.
    let mut server = CertificateParams::new(vec![
        "127.0.0.1".to_string(),
        "localhost".to_string(),
        "workspace.proxied.test".to_string(),
    ])
    .map_err(tls_error)?;
    server
        .distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_key = KeyPair::generate().map_err(tls_error)?;
    let server_cert = server.signed_by(&server_key, &issuer).map_err(tls_error)?;

    let tls = TestTls {
        ca_cert: dir.join("ca.pem"),
        server_cert: dir.join("server.pem"),
        server_key: dir.join("server.key"),
    };
    let write = |path: &Path, text: String| {
        fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(&tls.ca_cert, ca_cert.pem())?;
    write(&tls.server_cert, server_cert.pem())?;
    write(&tls.server_key, server_key.serialize_pem())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&tls.server_key, fs::Permissions::from_mode(0o600))
            .map_err(|e| format!("cannot restrict {}: {e}", tls.server_key.display()))?;
    }
    Ok(tls)
}
