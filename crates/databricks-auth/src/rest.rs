//! The HTTP client of every REST call to a workspace or an identity provider: OIDC discovery,
//! token endpoints, Azure AD, the metadata service, the Clusters API.

use std::fmt;
use std::time::Duration;

use connect_proxy::{Caller, Proxy, ProxyConfig, ProxyEnv, ProxyError};
use databricks_config::Config;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// How long asking a proxy why a request failed may take.
const DIAGNOSIS_TIMEOUT: Duration = Duration::from_secs(10);

/// An HTTP client configured from a [`Config`]: its timeout (`http_timeout_seconds`, 60 s
/// unless set), certificate checks (`skip_verify`), no redirects (a redirect would re-send a
/// form holding a secret), and the HTTP proxy that the configuration's environment chooses
/// (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, ...: the same rules as the gRPC channel, see the
/// `connect-proxy` crate). A request that a proxy refuses fails with what the proxy said
/// (credentials refused, tunnel forbidden, proxy unreachable), naming the proxy without its
/// password.
///
/// ```no_run
/// use databricks_auth::RestClient;
/// use databricks_config::Config;
///
/// # async fn demo(cfg: Config) -> Result<(), Box<dyn std::error::Error>> {
/// let http = RestClient::new(&cfg)?;
/// let response = http
///     .send(http.get("https://dbc-123.cloud.databricks.com/api/2.0/clusters/list"))
///     .await?;
/// println!("{}", response.status());
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RestClient {
    client: reqwest::Client,
    proxies: ProxyConfig,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient")
            .field("proxies", &self.proxies)
            .finish()
    }
}

impl RestClient {
    /// A client for `cfg`, trusting the platform's roots (and `SSL_CERT_FILE`).
    ///
    /// ```
    /// use databricks_auth::RestClient;
    /// use databricks_config::{Config, Environment};
    ///
    /// let cfg = Config::builder()
    ///     .env(Environment::from_map([("HTTPS_PROXY", "socks5://proxy:1080")]))
    ///     .build()?;
    /// let http = RestClient::new(&cfg)?;
    /// // The proxy setting is checked when a request would use it:
    /// let err = http.proxies().proxy_for_url("https://h/").unwrap_err();
    /// assert!(err.to_string().starts_with("HTTPS_PROXY names a SOCKS proxy"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(cfg: &Config) -> Result<RestClient, RestError> {
        RestClient::with_root_certificates(cfg, &[])
    }

    /// A client for `cfg` that also trusts these PEM-encoded CA certificates.
    ///
    /// ```
    /// use databricks_auth::RestClient;
    /// use databricks_config::Config;
    ///
    /// let cfg = Config::builder().build()?;
    /// let err = RestClient::with_root_certificates(&cfg, &[b"not pem".to_vec()]).unwrap_err();
    /// assert!(err.to_string().starts_with("root certificate 1 is not valid PEM"), "{err}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_root_certificates(cfg: &Config, pems: &[Vec<u8>]) -> Result<RestClient, RestError> {
        let timeout = cfg
            .http_timeout_seconds()
            .filter(|s| *s > 0)
            .map_or(DEFAULT_TIMEOUT, |s| Duration::from_secs(s as u64));
        let env = cfg.env();
        let proxies =
            ProxyConfig::from_env(ProxyEnv::from_lookup(|name| env.var(name)), Caller::Http);
        let rules = proxies.clone();
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .danger_accept_invalid_certs(cfg.skip_verify() == Some(true))
            // The one rule table, also for reqwest (which would read the process environment
            // itself): a malformed setting is reported by `send` before reqwest sees it.
            .proxy(reqwest::Proxy::custom(move |url| {
                rules
                    .proxy_for_url(url.as_str())
                    .ok()
                    .flatten()
                    .map(|proxy| proxy.url_with_credentials())
            }));
        for (i, pem) in pems.iter().enumerate() {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| {
                    RestError::new(format!(
                        "root certificate {} is not valid PEM: expected one or more CERTIFICATE blocks",
                        i + 1
                    ))
                })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| RestError::new(format!("cannot create an HTTP client: {}", chain(&e))))?;
        Ok(RestClient { client, proxies })
    }

    /// A `GET` request to `url`, to pass to [`send`](Self::send).
    ///
    /// ```
    /// # let cfg = databricks_config::Config::builder().env(databricks_config::Environment::from_map::<_, String, String>([])).build()?;
    /// # let http = databricks_auth::RestClient::new(&cfg)?;
    /// let request = http.get("https://h/api/2.0/clusters/get").query(&[("cluster_id", "c")]);
    /// # drop(request);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, url: &str) -> reqwest::RequestBuilder {
        self.client.get(url)
    }

    /// A `POST` request to `url`, to pass to [`send`](Self::send).
    ///
    /// ```
    /// # let cfg = databricks_config::Config::builder().env(databricks_config::Environment::from_map::<_, String, String>([])).build()?;
    /// # let http = databricks_auth::RestClient::new(&cfg)?;
    /// let request = http.post("https://h/api/2.0/clusters/start").body("{}");
    /// # drop(request);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn post(&self, url: &str) -> reqwest::RequestBuilder {
        self.client.post(url)
    }

    /// How this client chooses its proxy.
    ///
    /// ```
    /// # let cfg = databricks_config::Config::builder().env(databricks_config::Environment::from_map::<_, String, String>([])).build()?;
    /// # let http = databricks_auth::RestClient::new(&cfg)?;
    /// # let _ = http.proxies();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn proxies(&self) -> &ProxyConfig {
        &self.proxies
    }

    /// Sends a request made by [`get`](Self::get) or [`post`](Self::post). The error never
    /// holds the URL (callers say which request failed; some URLs are secrets); when the
    /// request went through a proxy, it says so, and when the proxy refused, it says what the
    /// proxy answered (it is asked again for a tunnel to find out: reqwest only reports that
    /// the tunnel failed).
    ///
    /// ```no_run
    /// # async fn demo(http: databricks_auth::RestClient) {
    /// match http.send(http.get("https://h/oidc/.well-known/oauth-authorization-server")).await {
    ///     Ok(response) => println!("{}", response.status()),
    ///     Err(e) if e.proxy_error().is_some() => eprintln!("the proxy refused: {e}"),
    ///     Err(e) => eprintln!("failed: {e}"),
    /// }
    /// # }
    /// ```
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, RestError> {
        let request = request.build().map_err(|e| {
            RestError::new(format!(
                "cannot make the request: {}",
                chain(&e.without_url())
            ))
        })?;
        let url = request.url().clone();
        let proxy = self
            .proxies
            .proxy_for_url(url.as_str())
            .map_err(RestError::from_proxy)?;
        match self.client.execute(request).await {
            Ok(response) => Ok(response),
            Err(e) => {
                let e = e.without_url();
                if let Some(proxy) = &proxy
                    && e.is_connect()
                    && let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default())
                    && let Err(refusal) =
                        connect_proxy::connect(proxy, host, port, DIAGNOSIS_TIMEOUT).await
                {
                    tracing::debug!(%proxy, "the proxy refused a REST request");
                    return Err(RestError::from_proxy(refusal));
                }
                Err(RestError::request(e, proxy.as_ref()))
            }
        }
    }
}

/// A REST request that failed before an answer: the proxy refused or could not be reached, the
/// connection or TLS failed, or the request timed out. Never holds the URL or a credential.
///
/// ```
/// use databricks_auth::RestClient;
/// use databricks_config::{Config, Environment};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let cfg = Config::builder()
///     .env(Environment::from_map([("HTTPS_PROXY", "ftp://proxy")]))
///     .build()?;
/// let http = RestClient::new(&cfg)?;
/// let err = http.send(http.get("https://h/")).await.unwrap_err();
/// assert!(err.proxy_error().is_some());
/// assert!(err.to_string().starts_with("HTTPS_PROXY is not a usable proxy URL"), "{err}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug)]
pub struct RestError {
    kind: RestErrorKind,
    message: String,
    proxy: Option<ProxyError>,
    source: Option<reqwest::Error>,
}

/// What kind of failure a [`RestError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestErrorKind {
    /// The client or the request could not be made: a root certificate that is not PEM, a
    /// request that cannot be built.
    InvalidConfiguration,
    /// The proxy setting is not a usable proxy (malformed, or a kind this client does not
    /// speak).
    InvalidProxySetting,
    /// The proxy could not be reached, or it refused the tunnel (407, 403, ...).
    Proxy,
    /// No answer in time.
    TimedOut,
    /// The host could not be reached or the connection broke (refused, unknown host, TLS).
    Unreachable,
}

impl RestError {
    fn new(message: String) -> RestError {
        RestError {
            kind: RestErrorKind::InvalidConfiguration,
            message,
            proxy: None,
            source: None,
        }
    }

    fn from_proxy(e: ProxyError) -> RestError {
        use connect_proxy::ProxyErrorKind as P;
        let kind = match e.kind() {
            P::InvalidSetting | P::Unsupported => RestErrorKind::InvalidProxySetting,
            _ => RestErrorKind::Proxy,
        };
        RestError {
            kind,
            message: e.to_string(),
            proxy: Some(e),
            source: None,
        }
    }

    fn request(e: reqwest::Error, proxy: Option<&Proxy>) -> RestError {
        let mut message = chain(&e);
        if e.is_timeout() && !message.contains("timed out") {
            message.push_str(": timed out");
        }
        if let Some(proxy) = proxy {
            message.push_str(&format!(" (through the proxy {proxy})"));
        }
        let kind = if e.is_timeout() {
            RestErrorKind::TimedOut
        } else if e.is_builder() {
            RestErrorKind::InvalidConfiguration
        } else {
            RestErrorKind::Unreachable
        };
        RestError {
            kind,
            message,
            proxy: None,
            source: Some(e),
        }
    }

    /// What kind of failure this is.
    ///
    /// ```
    /// use databricks_auth::{RestClient, RestErrorKind};
    /// # let cfg = databricks_config::Config::builder().build()?;
    /// let e = RestClient::with_root_certificates(&cfg, &[b"not pem".to_vec()]).unwrap_err();
    /// assert_eq!(e.kind(), RestErrorKind::InvalidConfiguration);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> RestErrorKind {
        self.kind
    }

    /// The proxy's failure, when a proxy setting is malformed, the proxy could not be reached,
    /// or it refused the tunnel.
    ///
    /// ```
    /// # let cfg = databricks_config::Config::builder().build()?;
    /// let e = databricks_auth::RestClient::with_root_certificates(&cfg, &[vec![]]).unwrap_err();
    /// assert!(e.proxy_error().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn proxy_error(&self) -> Option<&ProxyError> {
        self.proxy.as_ref()
    }
}

impl fmt::Display for RestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match (&self.proxy, &self.source) {
            (Some(proxy), _) => Some(proxy),
            (None, Some(source)) => Some(source),
            (None, None) => None,
        }
    }
}

/// An error and its causes, `": "`-separated, leaving out causes already in the text.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let cause = s.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = s.source();
    }
    text
}
