//! external-browser (U2M) end to end: the test plays the browser. It gets the authorization
//! URL from the injected opener, GETs it at a loopback authorize endpoint that redirects to the
//! local callback with a code, and the token endpoint checks the code, the redirect URI and
//! the PKCE verifier against the challenge (hashed by `sha256sum`, not by the code under test).
#![cfg(unix)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use common::{MockServer, Request};
use databricks_auth::providers::ExternalBrowserCredentials;
use databricks_auth::{AuthErrorKind, CredentialsChain};
use databricks_config::{Config, Environment};
use serde_json::Value;

fn s256(verifier: &str) -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", "printf %s \"$1\" | sha256sum", "sh", verifier])
        .output()
        .unwrap();
    let hex = String::from_utf8(out.stdout).unwrap();
    let bytes: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn query(path: &str) -> BTreeMap<String, String> {
    let q = path.split_once('?').map_or("", |(_, q)| q);
    Request {
        method: String::new(),
        path: String::new(),
        headers: BTreeMap::new(),
        body: q.to_owned(),
    }
    .form()
}

#[derive(Default)]
struct IdP {
    /// code -> (challenge, redirect_uri)
    codes: BTreeMap<String, (String, String)>,
    issued: u32,
}

async fn idp() -> (MockServer, Arc<Mutex<IdP>>) {
    let base = Arc::new(Mutex::new(String::new()));
    let state = Arc::new(Mutex::new(IdP::default()));
    let (b, st) = (base.clone(), state.clone());
    let server = MockServer::start(move |req| {
        let base = b.lock().unwrap().clone();
        let mut idp = st.lock().unwrap();
        let route = req.path.split('?').next().unwrap_or_default();
        match (req.method.as_str(), route) {
            ("GET", "/oidc/.well-known/oauth-authorization-server") => (
                200,
                format!(
                    r#"{{"authorization_endpoint":"{base}/oidc/v1/authorize","token_endpoint":"{base}/oidc/v1/token"}}"#
                ),
            ),
            ("GET", "/oidc/v1/authorize") => {
                let q = query(&req.path);
                let get = |k: &str| q.get(k).cloned().unwrap_or_default();
                if get("response_type") != "code"
                    || !["databricks-cli", "app"].contains(&get("client_id").as_str())
                    || get("code_challenge_method") != "S256"
                    || get("scope") != "offline_access all-apis"
                    || get("state").len() < 32
                    || !get("redirect_uri").starts_with("http://localhost:")
                {
                    return (400, r#"{"error":"invalid_request"}"#.into());
                }
                idp.issued += 1;
                let code = format!("code-{}", idp.issued);
                idp.codes
                    .insert(code.clone(), (get("code_challenge"), get("redirect_uri")));
                (
                    302,
                    format!("{}/?code={code}&state={}", get("redirect_uri"), get("state")),
                )
            }
            ("POST", "/oidc/v1/token") => {
                let form = req.form();
                let get = |k: &str| form.get(k).cloned().unwrap_or_default();
                // databricks-cli is a public client; "app" a confidential one.
                let client_ok = match get("client_id").as_str() {
                    "databricks-cli" => !form.contains_key("client_secret"),
                    "app" => get("client_secret") == "app-secret",
                    _ => false,
                };
                if !client_ok || req.header("authorization").is_some() {
                    return (401, r#"{"error":"invalid_client"}"#.into());
                }
                match get("grant_type").as_str() {
                    "authorization_code" => {
                        let Some((challenge, redirect)) = idp.codes.remove(&get("code")) else {
                            return (400, r#"{"error":"invalid_grant","error_description":"unknown code"}"#.into());
                        };
                        if redirect != get("redirect_uri") {
                            return (400, r#"{"error":"invalid_grant","error_description":"redirect_uri mismatch"}"#.into());
                        }
                        if s256(&get("code_verifier")) != challenge {
                            return (400, r#"{"error":"invalid_grant","error_description":"PKCE verification failed"}"#.into());
                        }
                        (200, r#"{"access_token":"u2m-access-1","token_type":"Bearer","expires_in":3600,"refresh_token":"u2m-refresh-1","scope":"offline_access all-apis"}"#.into())
                    }
                    "refresh_token" if get("refresh_token") == "u2m-refresh-1" => (
                        200,
                        r#"{"access_token":"u2m-access-2","token_type":"Bearer","expires_in":3600,"refresh_token":"u2m-refresh-2"}"#.into(),
                    ),
                    "refresh_token" => (
                        400,
                        r#"{"error":"invalid_grant","error_description":"refresh token is invalid"}"#.into(),
                    ),
                    _ => (400, r#"{"error":"unsupported_grant_type"}"#.into()),
                }
            }
            _ => (404, "{}".into()),
        }
    })
    .await;
    *base.lock().unwrap() = server.url();
    (server, state)
}

fn temp_home(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dbauth-u2m-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cfg(server: &MockServer, home: &Path) -> Config {
    Config::builder()
        .host(server.url())
        .auth_type("external-browser")
        .env(Environment::from_map([(
            "HOME",
            home.to_str().unwrap().to_owned(),
        )]))
        .build()
        .unwrap()
}

/// A provider whose "browser" follows the authorization URL and its redirect to the callback.
fn provider(opened: Arc<Mutex<Vec<String>>>) -> ExternalBrowserCredentials {
    ExternalBrowserCredentials::default()
        .with_callback_port(0)
        .with_browser(move |url| {
            opened.lock().unwrap().push(url.to_owned());
            let url = url.to_owned();
            tokio::spawn(async move {
                let response = reqwest::get(&url).await.unwrap();
                assert_eq!(response.status().as_u16(), 200, "callback page");
                let page = response.text().await.unwrap();
                assert!(page.contains("Login complete"), "{page}");
            });
            Ok(())
        })
}

fn no_browser() -> ExternalBrowserCredentials {
    ExternalBrowserCredentials::default()
        .with_callback_port(0)
        .with_browser(|_| Err(std::io::Error::other("no browser in this test")))
}

fn chain(p: ExternalBrowserCredentials) -> CredentialsChain {
    CredentialsChain::new(vec![Box::new(p)])
}

fn cache_json(home: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(home.join(".databricks/token-cache.json")).unwrap())
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_cache_and_refresh() {
    let (server, _idp) = idp().await;
    let home = temp_home("flow");
    let cfg = cfg(&server, &home);

    // 1. No cache: the browser login runs.
    let opened = Arc::new(Mutex::new(Vec::new()));
    let creds = chain(provider(opened.clone())).resolve(&cfg).await.unwrap();
    assert_eq!(creds.auth_type(), "external-browser");
    let h = creds.header_source().headers().await.unwrap();
    assert_eq!(h.get("Authorization"), Some("Bearer u2m-access-1"));
    let url = opened.lock().unwrap()[0].clone();
    assert!(
        url.starts_with(&format!("{}/oidc/v1/authorize?", server.url())),
        "{url}"
    );
    let debug = format!("{creds:?}");
    assert!(
        !debug.contains("u2m-access") && !debug.contains("u2m-refresh"),
        "{debug}"
    );

    // 2. The CLI's cache file: shape, key, owner-only permissions.
    let json = cache_json(&home);
    assert_eq!(json["version"], 1);
    let entry = &json["tokens"][server.url()];
    assert_eq!(entry["access_token"], "u2m-access-1");
    assert_eq!(entry["token_type"], "Bearer");
    assert_eq!(entry["refresh_token"], "u2m-refresh-1");
    assert!(entry["expiry"].as_str().unwrap().ends_with('Z'));
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&home.join(".databricks/token-cache.json")), 0o600);
        assert_eq!(mode(&home.join(".databricks")), 0o700);
    }

    // 3. A valid cached token: no browser.
    let creds = chain(no_browser()).resolve(&cfg).await.unwrap();
    let h = creds.header_source().headers().await.unwrap();
    assert_eq!(h.get("Authorization"), Some("Bearer u2m-access-1"));

    // 4. An expired cached token: refreshed with the refresh token, no browser; the cache is
    //    updated.
    let path = home.join(".databricks/token-cache.json");
    let mut json = cache_json(&home);
    json["tokens"][server.url()]["expiry"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let creds = chain(no_browser()).resolve(&cfg).await.unwrap();
    let h = creds.header_source().headers().await.unwrap();
    assert_eq!(h.get("Authorization"), Some("Bearer u2m-access-2"));
    let json = cache_json(&home);
    assert_eq!(
        json["tokens"][server.url()]["refresh_token"],
        "u2m-refresh-2"
    );

    // 5. Expired with a refresh token the server rejects: log in again in the browser.
    let mut json = cache_json(&home);
    json["tokens"][server.url()]["expiry"] = "2020-01-01T00:00:00Z".into();
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let opened = Arc::new(Mutex::new(Vec::new()));
    let creds = chain(provider(opened.clone())).resolve(&cfg).await.unwrap();
    let h = creds.header_source().headers().await.unwrap();
    assert_eq!(h.get("Authorization"), Some("Bearer u2m-access-1"));
    assert_eq!(opened.lock().unwrap().len(), 1);

    let grants: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.path == "/oidc/v1/token")
        .map(|r| r.form()["grant_type"].clone())
        .collect();
    assert_eq!(
        grants,
        [
            "authorization_code",
            "refresh_token",
            "refresh_token",
            "authorization_code"
        ]
    );
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_state_and_denied_login() {
    let (server, _idp) = idp().await;
    let home = temp_home("denied");
    let cfg = cfg(&server, &home);
    // The "browser" replays the callback with a forged state, then the IdP's error.
    let p = ExternalBrowserCredentials::default()
        .with_callback_port(0)
        .with_browser(|url| {
            let q = query(url);
            let redirect = q["redirect_uri"].clone();
            let state = q["state"].clone();
            tokio::spawn(async move {
                let forged = reqwest::get(format!("{redirect}/?code=evil&state=forged"))
                    .await
                    .unwrap();
                assert_eq!(forged.status().as_u16(), 400);
                reqwest::get(format!(
                    "{redirect}/?error=access_denied&error_description=user+said+no&state={state}"
                ))
                .await
                .unwrap();
            });
            Ok(())
        });
    let err = chain(p).resolve(&cfg).await.unwrap_err();
    assert_eq!(err.kind(), &AuthErrorKind::Refused);
    assert_eq!(err.provider_name(), Some("external-browser"));
    assert!(
        err.to_string()
            .starts_with("default auth: external-browser: authorization failed: access_denied: user said no. Config: "),
        "{err}"
    );
    assert!(!home.join(".databricks/token-cache.json").exists());
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test]
async fn only_when_forced_and_malformed_cache() {
    let (server, _idp) = idp().await;
    let home = temp_home("forced");
    let not_forced = Config::builder()
        .host(server.url())
        .env(Environment::from_map([("HOME", home.to_str().unwrap())]))
        .build()
        .unwrap();
    let err = chain(no_browser()).resolve(&not_forced).await.unwrap_err();
    assert!(matches!(err.kind(), AuthErrorKind::NoCredentials { .. }));
    assert!(server.requests().is_empty());

    std::fs::create_dir_all(home.join(".databricks")).unwrap();
    let path = home.join(".databricks/token-cache.json");
    std::fs::write(&path, "{\"version\": 1, \"tokens\": {\"x\": 1}, ").unwrap();
    let err = chain(no_browser())
        .resolve(&cfg(&server, &home))
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "default auth: external-browser: token cache {}: not JSON: expected a JSON object with \"version\": 1",
            path.display()
        )),
        "{err}"
    );
    std::fs::remove_dir_all(&home).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confidential_client_sends_its_secret() {
    let (server, _idp) = idp().await;
    let home = temp_home("confidential");
    let cfg = Config::builder()
        .host(server.url())
        .auth_type("external-browser")
        .client_id("app")
        .client_secret("app-secret")
        .env(Environment::from_map([("HOME", home.to_str().unwrap())]))
        .build()
        .unwrap();
    let opened = Arc::new(Mutex::new(Vec::new()));
    let creds = chain(provider(opened.clone())).resolve(&cfg).await.unwrap();
    assert_eq!(creds.auth_type(), "external-browser");
    assert!(opened.lock().unwrap()[0].contains("client_id=app&"));
    assert!(!opened.lock().unwrap()[0].contains("app-secret"));
    std::fs::remove_dir_all(&home).unwrap();
}
