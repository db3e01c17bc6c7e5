//! `DatabricksSession`: the session builder users start from, resolving connection parameters
//! the way Python's `databricks-connect` does.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use databricks_auth::HeaderSource as AuthHeaderSource;
use databricks_config::{Config, ConfigKey};
use spark_connect_dataframe::{SPARK_REMOTE_ENV, SparkSession};
use spark_connect_transport::{
    ClientBuilder, ConnectionString, Header, HeaderSource, HeadersFuture, SparkConnectClient,
};

use crate::logging;

/// An error while making a session.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection parameters are missing, malformed or contradictory.
    #[error("{0}")]
    Config(String),
    /// The Databricks configuration could not be resolved (profile, environment, file).
    #[error(transparent)]
    Databricks(#[from] databricks_config::ConfigError),
    /// No credentials could be configured, or the configured ones failed.
    #[error(transparent)]
    Auth(#[from] databricks_auth::AuthError),
    /// The cluster is not usable: unknown, terminated, or its state could not be checked.
    #[error("{0}")]
    Cluster(String),
    /// From the DataFrame layer or the transport beneath it.
    #[error(transparent)]
    Spark(#[from] spark_connect_dataframe::Error),
}

impl From<spark_connect_transport::ConnectionStringError> for Error {
    fn from(e: spark_connect_transport::ConnectionStringError) -> Self {
        Error::Spark(e.into())
    }
}

impl From<spark_connect_transport::Error> for Error {
    fn from(e: spark_connect_transport::Error) -> Self {
        Error::Spark(e.into())
    }
}

/// Makes [`SparkSession`]s on Databricks (or any Spark Connect server) the way Python's
/// `databricks-connect` does.
///
/// Connection parameters come from the first of these that gives any:
/// 1. [`remote`](DatabricksSessionBuilder::remote) with a connection string, or explicit
///    [`host`](DatabricksSessionBuilder::host) / [`token`](DatabricksSessionBuilder::token) /
///    [`cluster_id`](DatabricksSessionBuilder::cluster_id) /
///    [`serverless`](DatabricksSessionBuilder::serverless) (a token means personal access token
///    authentication);
/// 2. [`sdk_config`](DatabricksSessionBuilder::sdk_config) or
///    [`profile`](DatabricksSessionBuilder::profile);
/// 3. the `SPARK_REMOTE` environment variable;
/// 4. the Databricks SDK default configuration: `DATABRICKS_*` variables, then the `DEFAULT`
///    profile of `~/.databrickscfg`.
///
/// ```no_run
/// use databricks_connect::DatabricksSession;
///
/// # async fn demo() -> Result<(), databricks_connect::Error> {
/// // Everything from the environment or the DEFAULT profile:
/// let spark = DatabricksSession::builder().get_or_create().await?;
/// // A named profile:
/// let spark = DatabricksSession::builder().profile("dev").get_or_create().await?;
/// // Explicit parameters:
/// let spark = DatabricksSession::builder()
///     .host("https://dbc-1234.cloud.databricks.com")
///     .token("dapi...")
///     .cluster_id("0123-456789-abcdefgh")
///     .get_or_create()
///     .await?;
/// # Ok(())
/// # }
/// ```
pub struct DatabricksSession;

impl DatabricksSession {
    /// A builder.
    pub fn builder() -> DatabricksSessionBuilder {
        DatabricksSessionBuilder::default()
    }
}

/// Builds a session; see [`DatabricksSession`].
#[derive(Default, Clone)]
pub struct DatabricksSessionBuilder {
    remote: Option<String>,
    host: Option<String>,
    token: Option<String>,
    cluster_id: Option<String>,
    serverless: bool,
    profile: Option<String>,
    sdk_config: Option<Config>,
    headers: Vec<(String, String)>,
    user_agent: Option<String>,
    validate_session: Option<bool>,
    root_certificates: Vec<Vec<u8>>,
    credentials: Option<Arc<databricks_auth::CredentialsChain>>,
}

impl std::fmt::Debug for DatabricksSessionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A remote may hold a token: show it parsed, which redacts it.
        let remote = self
            .remote
            .as_deref()
            .map(|r| match ConnectionString::parse_without_env(r) {
                Ok(c) => c.to_string(),
                Err(_) => "<unparsable>".to_string(),
            });
        f.debug_struct("DatabricksSessionBuilder")
            .field("remote", &remote)
            .field("host", &self.host)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("cluster_id", &self.cluster_id)
            .field("serverless", &self.serverless)
            .field("profile", &self.profile)
            .field("sdk_config", &self.sdk_config)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("user_agent", &self.user_agent)
            .field("validate_session", &self.validate_session)
            .field("credentials", &self.credentials.as_ref().map(|c| c.names()))
            .finish()
    }
}

/// Sessions made by `get_or_create`, by the configuration that made them.
fn cache() -> &'static Mutex<HashMap<String, SparkSession>> {
    static CACHE: OnceLock<Mutex<HashMap<String, SparkSession>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Where the connection parameters came from, and what they are.
enum Target {
    /// A plain `sc://` connection string.
    Remote { url: String, source: &'static str },
    /// A Databricks workspace, described by a resolved SDK configuration.
    Databricks {
        config: Box<Config>,
        source: &'static str,
    },
}

impl DatabricksSessionBuilder {
    /// A full `sc://` connection string; cannot be combined with other connection parameters
    /// or headers (put headers into the string as parameters).
    pub fn remote(mut self, url: impl Into<String>) -> Self {
        self.remote = Some(url.into());
        self
    }

    /// The workspace URL, e.g. `https://dbc-1234.cloud.databricks.com`.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// A personal access token (forces `pat` authentication).
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The cluster to run on.
    pub fn cluster_id(mut self, cluster_id: impl Into<String>) -> Self {
        self.cluster_id = Some(cluster_id.into());
        self
    }

    /// Runs on serverless compute instead of a cluster.
    pub fn serverless(mut self) -> Self {
        self.serverless = true;
        self
    }

    /// A profile of `~/.databrickscfg` (or of `DATABRICKS_CONFIG_FILE`).
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// A Databricks SDK configuration resolved by the caller.
    pub fn sdk_config(mut self, config: Config) -> Self {
        self.sdk_config = Some(config);
        self
    }

    /// A header sent with every request; may be called many times.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The application's part of the user agent, e.g. `"my-app/1.2"`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Whether to check through the Clusters API that the cluster exists and runs before
    /// using it (on by default for clusters; never starts a cluster).
    pub fn validate_session(mut self, validate: bool) -> Self {
        self.validate_session = Some(validate);
        self
    }

    /// Trusts this PEM-encoded CA certificate besides the platform's roots (private
    /// deployments, test gateways), for Spark Connect and the Clusters API. Credentials
    /// providers' own HTTP calls honour `SSL_CERT_FILE` / `SSL_CERT_DIR`.
    pub fn root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// The credentials providers to try instead of the SDKs' default chain (for example one
    /// provider built with options the configuration cannot express, such as a private Azure
    /// AD login endpoint).
    pub fn credentials(mut self, chain: databricks_auth::CredentialsChain) -> Self {
        self.credentials = Some(Arc::new(chain));
        self
    }

    fn explicit_parameters(&self) -> bool {
        self.host.is_some() || self.token.is_some() || self.cluster_id.is_some() || self.serverless
    }

    fn check_combinations(&self) -> Result<(), Error> {
        if self.remote.is_some()
            && (self.explicit_parameters()
                || self.profile.is_some()
                || self.sdk_config.is_some()
                || !self.headers.is_empty())
        {
            return Err(Error::Config(
                "remote(connection string) cannot be combined with host, token, cluster_id, serverless, profile, sdk_config or header: put everything into the connection string".into(),
            ));
        }
        if self.cluster_id.is_some() && self.serverless {
            return Err(Error::Config(
                "cluster_id and serverless cannot both be set: choose a cluster or serverless compute".into(),
            ));
        }
        if self.sdk_config.is_some() && (self.explicit_parameters() || self.profile.is_some()) {
            return Err(Error::Config(
                "sdk_config cannot be combined with host, token, cluster_id, serverless or profile: set them in the Config".into(),
            ));
        }
        Ok(())
    }

    /// Resolves the connection parameters in the documented order.
    fn resolve(&self) -> Result<Target, Error> {
        self.check_combinations()?;
        if let Some(url) = &self.remote {
            return Ok(Target::Remote {
                url: url.clone(),
                source: "remote()",
            });
        }
        if self.explicit_parameters() {
            let mut builder = Config::builder();
            if let Some(host) = &self.host {
                builder = builder.set(ConfigKey::Host, host.clone());
            }
            if let Some(token) = &self.token {
                builder = builder
                    .set(ConfigKey::Token, token.clone())
                    .set(ConfigKey::AuthType, "pat");
            }
            if let Some(cluster_id) = &self.cluster_id {
                builder = builder.set(ConfigKey::ClusterId, cluster_id.clone());
            }
            if self.serverless {
                builder = builder.set(ConfigKey::ServerlessComputeId, "auto");
            }
            return Ok(Target::Databricks {
                config: Box::new(builder.build()?),
                source: "explicit parameters",
            });
        }
        if let Some(config) = &self.sdk_config {
            return Ok(Target::Databricks {
                config: Box::new(config.clone()),
                source: "sdk_config()",
            });
        }
        if let Some(profile) = &self.profile {
            return Ok(Target::Databricks {
                config: Box::new(Config::builder().profile(profile.clone()).build()?),
                source: "profile()",
            });
        }
        if let Ok(url) = std::env::var(SPARK_REMOTE_ENV)
            && !url.is_empty()
        {
            return Ok(Target::Remote {
                url,
                source: SPARK_REMOTE_ENV,
            });
        }
        Ok(Target::Databricks {
            config: Box::new(Config::from_env()?),
            source: "the SDK default configuration",
        })
    }

    /// A key for the session cache: everything that decides where and as whom the session
    /// connects, secrets included (the key stays in memory and is never shown).
    fn cache_key(&self, target: &Target) -> Result<String, Error> {
        let target = match target {
            Target::Remote { url, .. } => {
                let token = ConnectionString::parse(url)?.token().map(str::to_string);
                format!("remote {url} {token:?}")
            }
            Target::Databricks { config, .. } => {
                let mut key = String::from("databricks");
                for attribute in config.attributes() {
                    key.push_str(&format!(" {}={:?}", attribute.spec.name, attribute.value()));
                }
                key
            }
        };
        Ok(format!(
            "{target}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}",
            self.headers,
            self.user_agent,
            self.validate_session,
            self.root_certificates,
            self.credentials.as_ref().map(Arc::as_ptr),
        ))
    }

    /// A new session, never a cached one.
    pub async fn create(self) -> Result<SparkSession, Error> {
        logging::init_from_env();
        let target = self.resolve()?;
        self.connect(target).await
    }

    /// The session made earlier by `get_or_create` with the same resolved configuration,
    /// headers and options, or a new one.
    ///
    /// A cached session that has ended is never handed back: one known to have ended
    /// ([`SparkSession::is_stopped`]: stopped, or a call found that the server closed it or
    /// restarted), nor one the server no longer has, which is asked about (one round trip)
    /// when the session has been idle for 10 s or more. A new session replaces it; the old
    /// one's temporary views and settings are gone with it.
    pub async fn get_or_create(self) -> Result<SparkSession, Error> {
        logging::init_from_env();
        let target = self.resolve()?;
        let key = self.cache_key(&target)?;
        let cached = cache()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        if let Some(session) = cached {
            if crate::session_end::still_usable(&session).await {
                tracing::debug!("reusing the cached session");
                return Ok(session);
            }
            tracing::info!(
                session_id = session.session_id(),
                reason = ?session.client().session_end(),
                "the cached session has ended; making a new one"
            );
        }
        let session = self.connect(target).await?;
        let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
        // Two tasks may race to create: keep the first live one, so all callers share it.
        let entry = cache.entry(key).or_insert_with(|| session.clone());
        if entry.is_stopped() {
            *entry = session;
        }
        Ok(entry.clone())
    }

    fn client_builder(&self, conn: ConnectionString) -> ClientBuilder {
        let mut builder = SparkSession::client_builder(conn)
            .product(concat!("databricks-connect-rs/", env!("CARGO_PKG_VERSION")));
        if let Some(ua) = &self.user_agent {
            builder = builder.user_agent(ua.clone());
        }
        for (k, v) in &self.headers {
            builder = builder.header(Header::new(k.clone(), v.clone()));
        }
        for pem in &self.root_certificates {
            builder = builder.add_root_certificate_pem(pem.clone());
        }
        builder
    }

    async fn connect(self, target: Target) -> Result<SparkSession, Error> {
        match target {
            Target::Remote { url, source } => {
                let conn = ConnectionString::parse(&url)?;
                tracing::debug!(remote = %conn, "connection parameters from {source}");
                let client = self.client_builder(conn).build()?;
                Ok(SparkSession::from_client(client))
            }
            Target::Databricks { config, source } => {
                tracing::debug!(config = %config, "connection parameters from {source}");
                self.connect_databricks(&config).await
            }
        }
    }

    async fn connect_databricks(self, config: &Config) -> Result<SparkSession, Error> {
        let host = config.host().ok_or_else(|| {
            Error::Config(config.wrap_message(
                "the workspace host is not set: pass host(...), set DATABRICKS_HOST, or use a profile with a host",
            ))
        })?;
        let serverless = match config.serverless_compute_id() {
            None => false,
            Some("auto") => true,
            Some(other) => {
                return Err(Error::Config(config.wrap_message(&format!(
                    "serverless_compute_id must be 'auto', found '{other}'"
                ))));
            }
        };
        let cluster_id = config.cluster_id();
        if cluster_id.is_some() && serverless {
            return Err(Error::Config(config.wrap_message(
                "cluster_id and serverless_compute_id cannot both be set",
            )));
        }
        if cluster_id.is_none() && !serverless {
            return Err(Error::Config(config.wrap_message(
                "Cluster id or serverless are required but were not specified",
            )));
        }
        let (hostname, port) = host_and_port(host)?;

        for provider in databricks_auth::CredentialsChain::default().names() {
            tracing::trace!(provider, "credentials provider in the chain");
        }
        let credentials = match &self.credentials {
            Some(chain) => chain.resolve(config).await?,
            None => databricks_auth::resolve(config).await?,
        };
        tracing::debug!(
            auth_type = credentials.auth_type(),
            "configured authentication"
        );
        let auth = credentials.header_source();

        // The Spark session id is chosen here, so that serverless routing can name it.
        let session_id = uuid::Uuid::new_v4();
        let url = if hostname.contains(':') {
            format!("sc://[{hostname}]:{port}/;use_ssl=true;session_id={session_id}")
        } else {
            format!("sc://{hostname}:{port}/;use_ssl=true;session_id={session_id}")
        };
        let conn = ConnectionString::parse_without_env(&url)?;
        let mut builder = self
            .client_builder(conn)
            .header_source(Arc::new(AuthHeaders(auth.clone())));
        match cluster_id {
            Some(id) => {
                builder = builder.header(Header::new("x-databricks-cluster-id", id));
                if self.validate_session.unwrap_or(true) {
                    self.validate_cluster(host, id, auth.as_ref()).await?;
                }
            }
            None => {
                builder = builder.header(Header::new(
                    "x-databricks-session-id",
                    session_id.to_string(),
                ));
            }
        }
        let client: SparkConnectClient = builder.build()?;
        Ok(SparkSession::from_client(client))
    }

    /// Checks through the Clusters API that the cluster exists and is usable, without
    /// starting it.
    async fn validate_cluster(
        &self,
        host: &str,
        cluster_id: &str,
        auth: &dyn AuthHeaderSource,
    ) -> Result<(), Error> {
        let mut http = reqwest::Client::builder().timeout(std::time::Duration::from_secs(60));
        for pem in &self.root_certificates {
            let cert = reqwest::Certificate::from_pem(pem)
                .map_err(|e| Error::Config(format!("a root certificate is not valid PEM: {e}")))?;
            http = http.add_root_certificate(cert);
        }
        let http = http
            .build()
            .map_err(|e| Error::Cluster(format!("cannot create an HTTP client: {e}")))?;
        let url = format!("{host}/api/2.0/clusters/get");
        let mut request = http.get(&url).query(&[("cluster_id", cluster_id)]);
        for (name, value) in auth.headers().await?.iter() {
            request = request.header(name, value);
        }
        let unreachable = |e: reqwest::Error| {
            // reqwest's own message is generic; the causes say what failed (DNS, TLS, refused).
            let e = e.without_url();
            let message = spark_connect_transport::with_causes(
                format!("cannot check cluster {cluster_id} at {url}: {e}"),
                std::error::Error::source(&e),
            );
            Error::Cluster(format!(
                "{message} (validate_session(false) skips this check)"
            ))
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        // An unreadable or non-JSON body is reported through the status below.
        let body: serde_json::Value = response
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(serde_json::Value::Null);
        let message = body
            .get("message")
            .and_then(|m| m.as_str())
            .unwrap_or_default()
            .to_string();
        if status.as_u16() == 401 || status.as_u16() == 403 {
            return Err(Error::Cluster(format!(
                "the workspace refused the credentials while checking cluster {cluster_id}: {} {message}",
                status.as_u16()
            )));
        }
        if !status.is_success() {
            let code = body
                .get("error_code")
                .and_then(|c| c.as_str())
                .unwrap_or_default();
            if code == "INVALID_PARAMETER_VALUE" || code == "RESOURCE_DOES_NOT_EXIST" {
                return Err(Error::Cluster(format!(
                    "cluster {cluster_id} does not exist in {host}: {message}"
                )));
            }
            return Err(Error::Cluster(format!(
                "cannot check cluster {cluster_id}: the Clusters API answered {} {code} {message}",
                status.as_u16()
            )));
        }
        let state = body
            .get("state")
            .and_then(|s| s.as_str())
            .unwrap_or("UNKNOWN");
        tracing::debug!(cluster_id, state, "cluster state");
        match state {
            "RUNNING" | "RESIZING" => Ok(()),
            "PENDING" | "RESTARTING" => {
                tracing::info!(
                    cluster_id,
                    state,
                    "the cluster is starting; queries wait for it"
                );
                Ok(())
            }
            other => Err(Error::Cluster(format!(
                "cluster {cluster_id} is {other}: start it in the workspace (this client does not start clusters), or pass validate_session(false) to skip this check"
            ))),
        }
    }
}

/// The host name and port of a workspace URL such as `https://h:8443`.
fn host_and_port(host: &str) -> Result<(String, u16), Error> {
    let rest = host
        .strip_prefix("https://")
        .or_else(|| host.strip_prefix("http://"))
        .unwrap_or(host);
    let authority = rest.split('/').next().unwrap_or_default();
    let (name, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (name, after) = v6.split_once(']').ok_or_else(|| {
            Error::Config(format!("the host '{host}' has an unclosed IPv6 bracket"))
        })?;
        (name.to_string(), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((name, port)) => (name.to_string(), Some(port)),
            None => (authority.to_string(), None),
        }
    };
    let port = match port {
        None => 443,
        Some(p) => p.parse::<u16>().map_err(|_| {
            Error::Config(format!(
                "the port '{p}' of the host '{host}' is not a number from 1 to 65535"
            ))
        })?,
    };
    if name.is_empty() {
        return Err(Error::Config(format!("the host '{host}' has no host name")));
    }
    Ok((name, port))
}

/// Asks the Databricks credentials for headers before every Spark Connect call, so OAuth
/// tokens refresh without reconnecting. Every value is treated as a secret.
struct AuthHeaders(Arc<dyn AuthHeaderSource>);

impl HeaderSource for AuthHeaders {
    fn headers(&self) -> HeadersFuture<'_> {
        Box::pin(async move {
            let headers = self.0.headers().await?;
            Ok(headers
                .iter()
                .map(|(name, value)| Header::sensitive(name, value))
                .collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn get_or_create_caches_by_configuration() {
        let a = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .get_or_create()
            .await
            .unwrap();
        let b = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .get_or_create()
            .await
            .unwrap();
        let c = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1/;x-a=1")
            .get_or_create()
            .await
            .unwrap();
        let d = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .create()
            .await
            .unwrap();
        assert_eq!(a.session_id(), b.session_id());
        assert_ne!(a.session_id(), c.session_id());
        assert_ne!(a.session_id(), d.session_id());
    }

    #[tokio::test]
    async fn client_type_names_the_facade_and_the_user_agent() {
        let s = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .user_agent("app/1")
            .create()
            .await
            .unwrap();
        let ct = s.client().client_type();
        assert!(ct.starts_with("app/1 databricks-connect-rs/"), "{ct}");
    }

    #[test]
    fn debug_redacts_tokens() {
        let b = DatabricksSession::builder().remote("sc://h/;token=s3cr3t");
        assert!(!format!("{b:?}").contains("s3cr3t"));
        let b = DatabricksSession::builder()
            .host("h")
            .token("s3cr3t")
            .header("authorization", "Bearer s3cr3t");
        assert!(!format!("{b:?}").contains("s3cr3t"), "{b:?}");
    }

    #[tokio::test]
    async fn malformed_remote_is_a_clear_error() {
        let e = DatabricksSession::builder()
            .remote("http://h")
            .create()
            .await
            .unwrap_err();
        assert!(e.to_string().contains("'http://'"), "{e}");
    }

    #[tokio::test]
    async fn invalid_combinations_are_refused() {
        let remote_and_host = DatabricksSession::builder()
            .remote("sc://h")
            .host("h")
            .create()
            .await
            .unwrap_err();
        assert!(
            remote_and_host.to_string().contains("cannot be combined"),
            "{remote_and_host}"
        );
        let remote_and_header = DatabricksSession::builder()
            .remote("sc://h")
            .header("x", "y")
            .create()
            .await
            .unwrap_err();
        assert!(remote_and_header.to_string().contains("cannot be combined"));
        let both = DatabricksSession::builder()
            .cluster_id("c")
            .serverless()
            .create()
            .await
            .unwrap_err();
        assert!(
            both.to_string()
                .contains("cluster_id and serverless cannot both be set"),
            "{both}"
        );
        let cfg = Config::builder()
            .set(ConfigKey::Host, "https://h")
            .build()
            .unwrap();
        let sdk_and_profile = DatabricksSession::builder()
            .sdk_config(cfg.clone())
            .profile("p")
            .create()
            .await
            .unwrap_err();
        assert!(
            sdk_and_profile
                .to_string()
                .contains("sdk_config cannot be combined")
        );
        let sdk_and_host = DatabricksSession::builder()
            .sdk_config(cfg)
            .host("h")
            .create()
            .await
            .unwrap_err();
        assert!(
            sdk_and_host
                .to_string()
                .contains("sdk_config cannot be combined")
        );
    }

    #[tokio::test]
    async fn a_target_is_required() {
        let e = DatabricksSession::builder()
            .host("https://h.example")
            .token("t")
            .create()
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("Cluster id or serverless are required but were not specified"),
            "{e}"
        );
        assert!(!e.to_string().contains("token=t"), "{e}");
        let cfg = Config::builder()
            .set(ConfigKey::Host, "https://h.example")
            .set(ConfigKey::Token, "t")
            .set(ConfigKey::ServerlessComputeId, "my-compute")
            .build()
            .unwrap();
        let e = DatabricksSession::builder()
            .sdk_config(cfg)
            .create()
            .await
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("serverless_compute_id must be 'auto', found 'my-compute'"),
            "{e}"
        );
    }

    #[test]
    fn host_and_port_parsing() {
        assert_eq!(
            host_and_port("https://h.example").unwrap(),
            ("h.example".into(), 443)
        );
        assert_eq!(
            host_and_port("https://127.0.0.1:8443").unwrap(),
            ("127.0.0.1".into(), 8443)
        );
        assert_eq!(host_and_port("https://[::1]:9").unwrap(), ("::1".into(), 9));
        assert!(
            host_and_port("https://h:x")
                .unwrap_err()
                .to_string()
                .contains("'x'")
        );
    }
}
