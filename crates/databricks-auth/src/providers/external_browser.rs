use sha2::Digest;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use databricks_config::Config;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;

use super::oauth_m2m::{OidcEndpoints, oidc_endpoints};
use crate::cli_token_cache::CliTokenCache;
use crate::error::{AuthError, AuthErrorKind};
use crate::headers::BoxFuture;
use crate::http;
use crate::provider::{Configured, CredentialsProvider};
use crate::token::{CachedTokenSource, EXPIRY_MARGIN, Token, TokenHeaderSource, TokenSource};

const NAME: &str = "external-browser";

/// The public OAuth client of the Databricks CLI, registered with `http://localhost:8020` as
/// its redirect URI.
pub const U2M_CLIENT_ID: &str = "databricks-cli";

/// The port of the local callback (`http://localhost:8020`).
pub const U2M_CALLBACK_PORT: u16 = 8020;

const DEFAULT_LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// Opens the authorization URL for the user (a browser). Given the URL; an error stops the
/// login and is kept as the cause of the login's error.
pub type BrowserOpener = Arc<dyn Fn(&str) -> std::io::Result<()> + Send + Sync>;

/// `external-browser`: a user's OAuth login in a browser (U2M), with the Databricks CLI's
/// token cache.
///
/// Applies only when `auth_type` is `external-browser` (as in the Python SDK: it may open a
/// browser) and `host` is set. Looks up `~/.databricks/token-cache.json` under the host (or
/// `{host}/oidc/accounts/{account_id}`): a valid token is used, an expired one is refreshed
/// with its refresh token. Otherwise it logs in: authorization code flow with PKCE (`S256`)
/// and a random `state`, client id `databricks-cli` (or `client_id` when set, with
/// `client_secret` in the token requests when that is set too), redirect URI
/// `http://localhost:8020` served on 127.0.0.1, scopes `offline_access` plus `scopes`
/// (default `all-apis`; no `offline_access` with `disable_oauth_refresh_token`). Tokens are
/// refreshed with the refresh token and written back to the cache.
#[derive(Clone)]
pub struct ExternalBrowserCredentials {
    port: u16,
    browser: BrowserOpener,
    cache_path: Option<PathBuf>,
    timeout: Duration,
}

impl fmt::Debug for ExternalBrowserCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExternalBrowserCredentials")
            .field("port", &self.port)
            .field("cache_path", &self.cache_path)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Default for ExternalBrowserCredentials {
    fn default() -> Self {
        ExternalBrowserCredentials {
            port: U2M_CALLBACK_PORT,
            browser: Arc::new(open_system_browser),
            cache_path: None,
            timeout: DEFAULT_LOGIN_TIMEOUT,
        }
    }
}

impl ExternalBrowserCredentials {
    /// Listens for the callback on this port of 127.0.0.1 instead of 8020 (0: any free port);
    /// the redirect URI follows. For tests: the `databricks-cli` client only accepts 8020.
    pub fn with_callback_port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Calls `open` with the authorization URL instead of opening the system browser.
    pub fn with_browser(
        mut self,
        open: impl Fn(&str) -> std::io::Result<()> + Send + Sync + 'static,
    ) -> Self {
        self.browser = Arc::new(open);
        self
    }

    /// Uses this token cache file instead of `~/.databricks/token-cache.json`.
    pub fn with_token_cache_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.cache_path = Some(path.into());
        self
    }

    /// Gives up waiting for the browser's callback after `timeout` (default 5 minutes).
    pub fn with_login_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn cache(&self, cfg: &Config) -> Result<CliTokenCache, AuthError> {
        let path = match &self.cache_path {
            Some(p) => p.clone(),
            None => cfg
                .env()
                .home_dir()
                .ok_or_else(|| {
                    AuthError::provider(
                        NAME,
                        AuthErrorKind::Misconfigured,
                        "cannot find the home folder for the token cache: HOME is not set",
                    )
                })?
                .join(".databricks")
                .join("token-cache.json"),
        };
        Ok(CliTokenCache::new(path, NAME))
    }

    async fn session(&self, cfg: &Config) -> Result<U2mSession, AuthError> {
        let host = cfg.host().ok_or_else(|| {
            AuthError::provider(NAME, AuthErrorKind::Misconfigured, "host is not set")
        })?;
        let client = http::client(cfg, NAME)?;
        let endpoints = oidc_endpoints(cfg, &client, NAME).await?;
        let key = match (cfg.is_account_host(), cfg.account_id()) {
            (true, Some(account)) => format!("{host}/oidc/accounts/{account}"),
            _ => host.to_owned(),
        };
        let mut scopes = Vec::new();
        if cfg.disable_oauth_refresh_token() != Some(true) {
            scopes.push("offline_access".to_owned());
        }
        scopes.extend(
            cfg.scopes_or_default()
                .into_iter()
                .filter(|s| *s != "offline_access")
                .map(str::to_owned),
        );
        Ok(U2mSession {
            client,
            endpoints,
            client_id: cfg.client_id().unwrap_or(U2M_CLIENT_ID).to_owned(),
            // A confidential client (client_id with client_secret) authenticates its token
            // requests, as in the Python SDK; the databricks-cli client is public.
            client_secret: cfg.client_id().and(cfg.client_secret()).map(str::to_owned),
            scope: scopes.join(" "),
            cache: self.cache(cfg)?,
            key,
            refresh_token: Mutex::new(None),
        })
    }

    /// Runs the browser login for `cfg` now, whatever the cache holds, and stores the tokens
    /// in the cache (`dbconnect auth login`).
    pub async fn login(&self, cfg: &Config) -> Result<Token, AuthError> {
        let session = self.session(cfg).await?;
        session.browser_login(self).await
    }
}

impl CredentialsProvider for ExternalBrowserCredentials {
    fn name(&self) -> &'static str {
        NAME
    }

    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>> {
        Box::pin(async move {
            if cfg.auth_type() != Some(NAME) {
                return Ok(Configured::NotApplicable(
                    "only used when auth_type is external-browser".into(),
                ));
            }
            if cfg.host().is_none() {
                return Ok(Configured::NotApplicable("host is not set".into()));
            }
            let session = self.session(cfg).await?;
            let first = match session.cache.lookup(&session.key)? {
                Some(cached) => {
                    *session.lock() = cached.refresh_token.clone();
                    let valid = cached.expires_at.is_some_and(|at| {
                        at.checked_duration_since(tokio::time::Instant::now())
                            .is_some_and(|left| left > EXPIRY_MARGIN)
                    });
                    if valid {
                        Some(cached)
                    } else if cached.refresh_token.is_some() {
                        match session.refresh().await {
                            Ok(token) => Some(token),
                            Err(e) => {
                                tracing::info!(error = %e, "cached token could not be refreshed; logging in again");
                                None
                            }
                        }
                    } else {
                        None
                    }
                }
                None => None,
            };
            let first = match first {
                Some(token) => token,
                None => session.browser_login(self).await?,
            };
            let tokens = CachedTokenSource::new(Arc::new(session), Some(first));
            Ok(Configured::Headers(Arc::new(TokenHeaderSource::new(
                tokens,
            ))))
        })
    }
}

struct U2mSession {
    client: crate::RestClient,
    endpoints: OidcEndpoints,
    client_id: String,
    client_secret: Option<String>,
    scope: String,
    cache: CliTokenCache,
    key: String,
    refresh_token: Mutex<Option<String>>,
}

impl fmt::Debug for U2mSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("U2mSession")
            .field("endpoints", &self.endpoints)
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .field("cache", &self.cache.path())
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// 32 bytes from the operating system's random source, base64url: a PKCE verifier or a
/// `state` value.
fn random_token() -> Result<String, AuthError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        AuthError::provider(
            NAME,
            AuthErrorKind::Local,
            format!("the operating system's random source failed: {e}"),
        )
    })?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// `BASE64URL(SHA256(verifier))` (RFC 7636 section 4.2).
fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()))
}

impl U2mSession {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        self.refresh_token.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps the refresh token and writes the token to the cache.
    fn keep(&self, mut token: Token) -> Result<Token, AuthError> {
        let mut refresh = self.lock();
        match &token.refresh_token {
            Some(r) => *refresh = Some(r.clone()),
            // Servers may keep the refresh token unchanged and not repeat it.
            None => token.refresh_token = refresh.clone(),
        }
        drop(refresh);
        self.cache.store(&self.key, &token)?;
        Ok(token)
    }

    async fn token_request(&self, pairs: &[(&str, &str)]) -> Result<Token, AuthError> {
        let url = &self.endpoints.token_endpoint;
        let mut pairs = pairs.to_vec();
        if let Some(secret) = &self.client_secret {
            pairs.push(("client_secret", secret));
        }
        let request = self
            .client
            .post(url)
            .header("Accept", "application/json")
            .form(&pairs);
        let response = http::send(&self.client, request, url, NAME).await?;
        http::token_response(&response, url, NAME)
    }

    async fn refresh(&self) -> Result<Token, AuthError> {
        let Some(refresh_token) = self.lock().clone() else {
            return Err(AuthError::provider(
                NAME,
                AuthErrorKind::Refused,
                "the token expired and there is no refresh token: log in again (dbconnect auth login)",
            ));
        };
        let token = self
            .token_request(&[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh_token),
                ("client_id", &self.client_id),
            ])
            .await?;
        self.keep(token)
    }

    async fn browser_login(
        &self,
        options: &ExternalBrowserCredentials,
    ) -> Result<Token, AuthError> {
        let listener = TcpListener::bind(("127.0.0.1", options.port))
            .await
            .map_err(|e| {
                AuthError::provider(
                    NAME,
                    AuthErrorKind::Local,
                    format!(
                        "cannot listen for the login callback on 127.0.0.1:{}: {e}",
                        options.port
                    ),
                )
                .with_source(e)
            })?;
        let port = listener
            .local_addr()
            .map_err(|e| {
                AuthError::provider(NAME, AuthErrorKind::Local, format!("login callback: {e}"))
                    .with_source(e)
            })?
            .port();
        let redirect_uri = format!("http://localhost:{port}");
        let state = random_token()?;
        let verifier = random_token()?;
        let query = http::form(&[
            ("response_type", "code"),
            ("client_id", &self.client_id),
            ("redirect_uri", &redirect_uri),
            ("scope", &self.scope),
            ("state", &state),
            ("code_challenge", &pkce_challenge(&verifier)),
            ("code_challenge_method", "S256"),
        ]);
        let separator = if self.endpoints.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        let url = format!(
            "{}{separator}{query}",
            self.endpoints.authorization_endpoint
        );
        (options.browser)(&url).map_err(|e| {
            AuthError::provider(
                NAME,
                AuthErrorKind::Local,
                format!("cannot open a browser for the login: {e}"),
            )
            .with_source(e)
        })?;
        let code = tokio::time::timeout(options.timeout, wait_for_code(&listener, &state))
            .await
            .map_err(|_| {
                AuthError::provider(
                    NAME,
                    AuthErrorKind::TimedOut,
                    format!(
                        "no login callback on {redirect_uri} within {} s",
                        options.timeout.as_secs()
                    ),
                )
            })??;
        let token = self
            .token_request(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", &redirect_uri),
                ("client_id", &self.client_id),
                ("code_verifier", &verifier),
            ])
            .await?;
        self.keep(token)
    }
}

impl TokenSource for U2mSession {
    fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>> {
        Box::pin(self.refresh())
    }
}

/// How long one connection to the login callback may take to send its request line.
const CALLBACK_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves the redirect: answers each request and returns the code of the first one that
/// carries this login's `state`.
async fn wait_for_code(listener: &TcpListener, state: &str) -> Result<String, AuthError> {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            // Out of file descriptors and the like: do not spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        let mut buf = vec![0u8; 16 * 1024];
        let mut len = 0;
        // The request line is all we need; read until the end of the headers or a full buffer.
        // Bounded in time: a connection that sends nothing (a browser's speculative preconnect,
        // or another local process) must not hold up the real redirect behind it.
        let read_headers = async {
            while len < buf.len() {
                match stream.read(&mut buf[len..]).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => len += n,
                }
                if buf[..len].windows(4).any(|w| w == b"\r\n\r\n") {
                    break;
                }
            }
        };
        if tokio::time::timeout(CALLBACK_READ_TIMEOUT, read_headers)
            .await
            .is_err()
        {
            continue;
        }
        let request = String::from_utf8_lossy(&buf[..len]);
        let target = request
            .lines()
            .next()
            .and_then(|line| line.split_whitespace().nth(1))
            .unwrap_or("");
        let params = parse_query(target.split_once('?').map_or("", |(_, q)| q));
        let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let (status, page, outcome) = match (get("state"), get("code"), get("error")) {
            (Some(s), _, _) if s != state => (
                "400 Bad Request",
                "Login failed: the state does not match this login. Close this page and try again.",
                None,
            ),
            (Some(_), _, Some(error)) => {
                let detail = match get("error_description") {
                    Some(d) => format!("{error}: {d}"),
                    None => error.to_owned(),
                };
                (
                    "400 Bad Request",
                    "Login failed. Close this page and see the terminal.",
                    Some(Err(AuthError::provider(
                        NAME,
                        AuthErrorKind::Refused,
                        format!("authorization failed: {detail}"),
                    ))),
                )
            }
            (Some(_), Some(code), None) if !code.is_empty() => (
                "200 OK",
                "Login complete. You may close this page.",
                Some(Ok(code.to_owned())),
            ),
            _ => ("404 Not Found", "Not a login callback.", None),
        };
        let body = format!("<!DOCTYPE html><html><body><p>{page}</p></body></html>");
        let response = format!(
            "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
        if let Some(outcome) = outcome {
            return outcome;
        }
    }
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Opens `url` in the system browser, and prints it in case no browser opens.
fn open_system_browser(url: &str) -> std::io::Result<()> {
    eprintln!("Opening a browser to log in. If none opens, visit:\n{url}");
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
        .map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot start a browser: {e}; visit the URL above"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_is_unpadded_base64url_of_sha256() {
        // Expected value from an independent SHA-256 and base64url implementation.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mJ92K9Yw8HgkOf3bG4rDT9kLiJVE8Q"),
            "NrWp5xk7KsjvRC0TdVPQFt0SchXXy96vL9Shhn4VRHo"
        );
    }

    #[test]
    fn random_tokens_differ() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }

    #[test]
    fn queries() {
        assert_eq!(
            parse_query("code=a%2Bb&state=x+y&e"),
            [
                ("code".to_owned(), "a+b".to_owned()),
                ("state".to_owned(), "x y".to_owned()),
                ("e".to_owned(), String::new())
            ]
        );
    }
}
