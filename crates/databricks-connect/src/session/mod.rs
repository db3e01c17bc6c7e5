//! `DatabricksSession`: the session builder users start from, resolving connection parameters
//! the way Python's `databricks-connect` does.
//!
//! - `resolve.rs`: the precedence and combination rules, and what they resolve to;
//! - `clusters.rs`: the Clusters REST API (state, start, wait) behind `validate_session`;
//! - `error.rs`: the error of making a session;
//! - here: the builder, the headers a workspace expects, and the session cache.

mod clusters;
mod error;
mod resolve;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use databricks_auth::HeaderSource as AuthHeaderSource;
use databricks_config::{Config, Environment};
use spark_connect_dataframe::SparkSession;
use spark_connect_transport::{
    ClientBuilder, ConnectionString, Header, HeaderSource, HeadersFuture, RetryEvent, RetryPolicy,
    ServerError,
};

use crate::logging;

pub use clusters::{ClusterError, ClusterState, ClusterWait, format_wait};
pub use error::{Error, auth_error_kind};
pub use resolve::{Compute, Endpoint, ParameterSource, ResolvedConnection, USAGE_POLICY_ENV};

use clusters::{ClustersApi, StartPolicy, WaitObserver};
use resolve::{
    CLUSTER_ID_HEADER, ORG_ID_HEADER, SESSION_ID_HEADER, USAGE_POLICY_HEADER, host_and_port,
};

/// How long a session waits for its cluster to run unless told otherwise: about what Python's
/// `databricks-connect` waits (60 retries, waits doubling up to 30 s).
pub const DEFAULT_CLUSTER_START_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Makes [`SparkSession`]s on Databricks (or any Spark Connect server) the way Python's
/// `databricks-connect` does.
///
/// Connection parameters come from the first of these that gives any (see
/// [`DatabricksSessionBuilder::resolve`] for the combination rules):
/// 1. [`remote`](DatabricksSessionBuilder::remote) with a connection string, or explicit
///    [`host`](DatabricksSessionBuilder::host) / [`token`](DatabricksSessionBuilder::token) /
///    [`cluster_id`](DatabricksSessionBuilder::cluster_id) /
///    [`serverless`](DatabricksSessionBuilder::serverless), applied over the
///    [`profile`](DatabricksSessionBuilder::profile) when one is named (a token means personal
///    access token authentication);
/// 2. [`sdk_config`](DatabricksSessionBuilder::sdk_config) or
///    [`profile`](DatabricksSessionBuilder::profile);
/// 3. the `SPARK_REMOTE` environment variable;
/// 4. the Databricks SDK default configuration: `DATABRICKS_*` variables, then the `DEFAULT`
///    profile of `~/.databrickscfg`.
///
/// A cluster that is not running is started and waited for, as Databricks Connect does (see
/// [`auto_start_cluster`](DatabricksSessionBuilder::auto_start_cluster)).
///
/// ```no_run
/// use databricks_connect::DatabricksSession;
///
/// # async fn demo() -> Result<(), databricks_connect::Error> {
/// // Everything from the environment or the DEFAULT profile:
/// let spark = DatabricksSession::builder().get_or_create().await?;
/// // A named profile, on serverless compute:
/// let spark = DatabricksSession::builder().profile("dev").serverless().get_or_create().await?;
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
    /// A builder with nothing set: everything from the environment or the `DEFAULT` profile.
    ///
    /// ```
    /// let builder = databricks_connect::DatabricksSession::builder().profile("dev");
    /// assert!(format!("{builder:?}").contains("dev"));
    /// ```
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
    usage_policy_id: Option<String>,
    profile: Option<String>,
    sdk_config: Option<Config>,
    headers: Vec<(String, String)>,
    user_agent: Option<String>,
    validate_session: Option<bool>,
    auto_start_cluster: Option<bool>,
    cluster_start_timeout: Option<Duration>,
    on_cluster_wait: Option<WaitObserver>,
    root_certificates: Vec<Vec<u8>>,
    credentials: Option<Arc<databricks_auth::CredentialsChain>>,
    environment: Option<Environment>,
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
            .field("usage_policy_id", &self.usage_policy_id)
            .field("profile", &self.profile)
            .field("sdk_config", &self.sdk_config)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("user_agent", &self.user_agent)
            .field("validate_session", &self.validate_session)
            .field("auto_start_cluster", &self.auto_start_cluster)
            .field("cluster_start_timeout", &self.cluster_start_timeout)
            .field(
                "on_cluster_wait",
                &self.on_cluster_wait.as_ref().map(|_| ".."),
            )
            .field("credentials", &self.credentials.as_ref().map(|c| c.names()))
            .field("environment", &self.environment)
            .finish()
    }
}

/// Sessions made by `get_or_create`, by the configuration that made them.
fn cache() -> &'static Mutex<HashMap<String, SparkSession>> {
    static CACHE: OnceLock<Mutex<HashMap<String, SparkSession>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// The retry policy, tried before the default one, that waits while a cluster starts: Python
/// `databricks-connect`'s `DatabricksClusterWaitPolicy` (1 s doubling up to 30 s plus up to
/// 100 ms of jitter, a server's `RetryInfo` honoured up to 10 minutes), bounded in time by
/// `timeout` instead of Python's 60 retries (about 28 minutes).
pub(crate) const CLUSTER_WAIT_POLICY: &str = "databricks-cluster-wait";

/// The retry policy, tried after the cluster wait and before the default one, for `UNKNOWN`
/// failures: Python `databricks-connect`'s `DatabricksRetryUnknownsPolicy` (7 retries, 1 s
/// doubling up to 5 s plus up to 100 ms of jitter, about 30 s), for a Connect router or
/// service that is briefly unavailable.
pub(crate) const RETRY_UNKNOWNS_POLICY: &str = "databricks-retry-unknowns";

fn retry_unknowns_policy() -> RetryPolicy {
    RetryPolicy::default()
        .named(RETRY_UNKNOWNS_POLICY)
        .retry_when(|e| e.code() == spark_connect_transport::Code::Unknown)
        .max_retries(7)
        .initial_backoff(Duration::from_secs(1))
        .multiplier(2.0)
        .max_backoff(Duration::from_secs(5))
        .jitter(Duration::from_millis(100), Duration::ZERO)
}

fn cluster_wait_policy(timeout: Duration) -> RetryPolicy {
    RetryPolicy::default()
        .named(CLUSTER_WAIT_POLICY)
        .retry_when(is_cluster_starting)
        // Python counts 60 retries (about 28 minutes); here the configured time bounds the wait.
        .max_retries(u32::MAX)
        .initial_backoff(Duration::from_secs(1))
        .multiplier(2.0)
        .max_backoff(Duration::from_secs(30))
        .jitter(Duration::from_millis(100), Duration::ZERO)
        .max_server_delay(Duration::from_secs(600))
        .max_elapsed(Some(timeout))
        .give_up_hint(format!(
            "the cluster did not start within {} (cluster_start_timeout sets how long to wait)",
            format_wait(timeout)
        ))
}

/// A workspace's answer while the cluster of a call starts: `... is in unexpected state
/// Pending.`, or a single-user cluster limit, with the codes Databricks uses for them.
fn is_cluster_starting(e: &ServerError) -> bool {
    use spark_connect_transport::Code;
    matches!(
        e.code(),
        Code::Internal | Code::Aborted | Code::FailedPrecondition
    ) && (e.message().contains("is in unexpected state Pending")
        || e.message()
            .contains("RESOURCE_LIMIT_EXCEEDED: Only 1 cluster(s)"))
}

impl DatabricksSessionBuilder {
    /// A full `sc://` connection string; cannot be combined with other connection parameters,
    /// a profile or headers (put headers into the string as parameters).
    ///
    /// ```
    /// let b = databricks_connect::DatabricksSession::builder().remote("sc://127.0.0.1:15002");
    /// assert_eq!(b.resolve()?.source(), databricks_connect::ParameterSource::Remote);
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn remote(mut self, url: impl Into<String>) -> Self {
        self.remote = Some(url.into());
        self
    }

    /// The workspace URL, e.g. `https://dbc-1234.cloud.databricks.com`; overrides the profile's.
    /// A `?o=<workspace id>` query names the workspace (sent as `x-databricks-org-id`).
    ///
    /// ```
    /// # use databricks_connect::DatabricksSession;
    /// let b = DatabricksSession::builder()
    ///     .host("https://dbc-1234.cloud.databricks.com")
    ///     .token("dapi-example")
    ///     .serverless();
    /// let resolved = b.resolve()?;
    /// assert_eq!(resolved.config().unwrap().host(), Some("https://dbc-1234.cloud.databricks.com"));
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// A personal access token (forces `pat` authentication); overrides the profile's
    /// credentials.
    ///
    /// ```
    /// # use databricks_connect::DatabricksSession;
    /// let b = DatabricksSession::builder().host("https://h.example").token("dapi-x").serverless();
    /// let resolved = b.resolve()?;
    /// assert_eq!(resolved.config().unwrap().auth_type(), Some("pat"));
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The cluster to run on; replaces the profile's cluster or serverless setting.
    ///
    /// ```
    /// # use databricks_connect::{Compute, DatabricksSession};
    /// let b = DatabricksSession::builder().host("https://h.example").token("t").cluster_id("c-1");
    /// let resolved = b.resolve()?;
    /// assert_eq!(resolved.compute().unwrap(), &Compute::Cluster("c-1".into()));
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn cluster_id(mut self, cluster_id: impl Into<String>) -> Self {
        self.cluster_id = Some(cluster_id.into());
        self
    }

    /// Runs on serverless compute instead of a cluster; replaces the profile's cluster. The
    /// usage policy comes from `DATABRICKS_USAGE_POLICY_ID` when set (see
    /// [`serverless_usage_policy`](Self::serverless_usage_policy)).
    ///
    /// ```
    /// # use databricks_connect::{Compute, DatabricksSession};
    /// let b = DatabricksSession::builder().host("https://h.example").token("t").serverless();
    /// let resolved = b.resolve()?;
    /// assert!(matches!(resolved.compute().unwrap(), Compute::Serverless { .. }));
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn serverless(mut self) -> Self {
        self.serverless = true;
        self
    }

    /// Runs on serverless compute under this usage policy (sent as
    /// `x-databricks-explicit-usage-policy-id`), as Python's `serverless(usage_policy_id=...)`;
    /// implies [`serverless`](Self::serverless).
    ///
    /// ```
    /// # use databricks_connect::{Compute, DatabricksSession};
    /// let b = DatabricksSession::builder()
    ///     .host("https://h.example")
    ///     .token("t")
    ///     .serverless_usage_policy("policy-1");
    /// let resolved = b.resolve()?;
    /// assert_eq!(resolved.compute().unwrap(), &Compute::Serverless { usage_policy_id: Some("policy-1".into()) });
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn serverless_usage_policy(mut self, usage_policy_id: impl Into<String>) -> Self {
        self.serverless = true;
        self.usage_policy_id = Some(usage_policy_id.into());
        self
    }

    /// A profile of `~/.databrickscfg` (or of `DATABRICKS_CONFIG_FILE`). With explicit
    /// parameters, the profile is applied and only what was given is overridden.
    ///
    /// ```
    /// let b = databricks_connect::DatabricksSession::builder().profile("dev").serverless();
    /// assert!(format!("{b:?}").contains("\"dev\""));
    /// ```
    pub fn profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    /// A Databricks SDK configuration resolved by the caller; cannot be combined with
    /// explicit parameters or a profile.
    ///
    /// ```
    /// use databricks_connect::config::{Config, ConfigKey, Environment};
    ///
    /// let config = Config::builder()
    ///     .env(Environment::from_map([("DATABRICKS_HOST", "https://h.example")]))
    ///     .set(ConfigKey::Token, "dapi-x")
    ///     .set(ConfigKey::ClusterId, "c-1")
    ///     .build()?;
    /// let b = databricks_connect::DatabricksSession::builder().sdk_config(config);
    /// assert_eq!(b.resolve()?.source(), databricks_connect::ParameterSource::SdkConfig);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sdk_config(mut self, config: Config) -> Self {
        self.sdk_config = Some(config);
        self
    }

    /// A header sent with every request; may be called many times. Custom headers win over
    /// the ones this builder adds (`x-databricks-org-id`, ...); an
    /// `x-databricks-session-id` header selects serverless compute with that session id, as
    /// in Python.
    ///
    /// ```
    /// let b = databricks_connect::DatabricksSession::builder().header("x-custom-header", "value");
    /// assert!(format!("{b:?}").contains("x-custom-header"));
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The application's part of the user agent, e.g. `"my-app/1.2"`; at most 2,048
    /// characters after URL escaping, as in PySpark.
    ///
    /// ```
    /// let b = databricks_connect::DatabricksSession::builder()
    ///     .remote("sc://127.0.0.1:15002")
    ///     .user_agent("x".repeat(2049));
    /// assert!(b.resolve().unwrap_err().to_string().contains("2048"));
    /// ```
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Whether to check through the Clusters API that the cluster exists and runs, starting
    /// it and waiting for it as [`auto_start_cluster`](Self::auto_start_cluster) allows, before
    /// the session is returned (on by default for clusters). Without the check, the first
    /// call still waits while the workspace starts the cluster.
    ///
    /// ```
    /// let b = databricks_connect::DatabricksSession::builder().validate_session(false);
    /// assert!(format!("{b:?}").contains("validate_session: Some(false)"));
    /// ```
    pub fn validate_session(mut self, validate: bool) -> Self {
        self.validate_session = Some(validate);
        self
    }

    /// Whether a cluster that is not running is started and waited for, as Databricks Connect
    /// does (on by default). With `validate_session`, a `TERMINATED` cluster is started
    /// through the Clusters API and the session waits until it runs; every call also waits
    /// while the workspace answers that the cluster is starting. Off, a cluster that is not
    /// running is an error at once ([`ClusterError::NotRunning`]), and calls do not wait.
    ///
    /// ```
    /// let b = databricks_connect::DatabricksSession::builder().auto_start_cluster(false);
    /// assert!(format!("{b:?}").contains("auto_start_cluster: Some(false)"));
    /// ```
    pub fn auto_start_cluster(mut self, auto_start: bool) -> Self {
        self.auto_start_cluster = Some(auto_start);
        self
    }

    /// The longest wait for a cluster to run ([`DEFAULT_CLUSTER_START_TIMEOUT`], 30 minutes,
    /// unless set): the `validate_session` wait, and each call's wait while the workspace
    /// says the cluster is starting. Past it, the wait ends in [`ClusterError::StartTimeout`]
    /// (or the call's error).
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = databricks_connect::DatabricksSession::builder()
    ///     .cluster_start_timeout(Duration::from_secs(600));
    /// assert!(format!("{b:?}").contains("600s"));
    /// ```
    pub fn cluster_start_timeout(mut self, timeout: Duration) -> Self {
        self.cluster_start_timeout = Some(timeout);
        self
    }

    /// Called at each step of a wait for the cluster to run (the state, how long so far),
    /// and once with `RUNNING` when a `validate_session` wait ends: for showing progress.
    /// Waits are also logged at `info` level.
    ///
    /// ```
    /// let b = databricks_connect::DatabricksSession::builder()
    ///     .on_cluster_wait(|wait| eprintln!("{wait}"));
    /// assert!(format!("{b:?}").contains("on_cluster_wait: Some"));
    /// ```
    pub fn on_cluster_wait(
        mut self,
        observer: impl Fn(&ClusterWait) + Send + Sync + 'static,
    ) -> Self {
        self.on_cluster_wait = Some(Arc::new(observer));
        self
    }

    /// Trusts this PEM-encoded CA certificate besides the platform's roots (private
    /// deployments, test gateways), for Spark Connect and the Clusters API. Credentials
    /// providers' own HTTP calls honour `SSL_CERT_FILE` / `SSL_CERT_DIR`.
    ///
    /// ```
    /// let b = databricks_connect::DatabricksSession::builder()
    ///     .root_certificate_pem("-----BEGIN CERTIFICATE-----\n...");
    /// # let _ = b;
    /// ```
    pub fn root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// The credentials providers to try instead of the SDKs' default chain (for example one
    /// provider built with options the configuration cannot express, such as a private Azure
    /// AD login endpoint).
    ///
    /// ```
    /// use databricks_connect::auth::CredentialsChain;
    /// let b = databricks_connect::DatabricksSession::builder().credentials(CredentialsChain::default());
    /// assert!(format!("{b:?}").contains("pat"));
    /// ```
    pub fn credentials(mut self, chain: databricks_auth::CredentialsChain) -> Self {
        self.credentials = Some(Arc::new(chain));
        self
    }

    /// Reads environment variables (`SPARK_REMOTE`, `DATABRICKS_*`, the home directory of
    /// `~/.databrickscfg`) from `env` instead of the process: for programs that manage several
    /// configurations, and for hermetic tests.
    ///
    /// ```
    /// use databricks_connect::config::Environment;
    /// let b = databricks_connect::DatabricksSession::builder()
    ///     .environment(Environment::from_map([("SPARK_REMOTE", "sc://127.0.0.1:15002")]));
    /// assert_eq!(b.resolve()?.source(), databricks_connect::ParameterSource::SparkRemote);
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn environment(mut self, env: Environment) -> Self {
        self.environment = Some(env);
        self
    }

    /// A key for the session cache: everything that decides where and as whom the session
    /// connects, secrets included (the key stays in memory and is never shown).
    ///
    /// The observer of [`on_cluster_wait`](Self::on_cluster_wait) is not part of it: a cached
    /// session keeps the observer it was made with.
    fn cache_key(&self, target: &ResolvedConnection) -> String {
        // The raw text: the parsed string's Debug hides secret parameters, which must tell
        // sessions apart here.
        let (target, env) = match target {
            ResolvedConnection::Remote {
                connection, source, ..
            } => {
                let raw = match source {
                    ParameterSource::Remote => self.remote.clone(),
                    _ => self.env().var(spark_connect_dataframe::SPARK_REMOTE_ENV),
                };
                let token = connection.token().map(str::to_string);
                (format!("remote {raw:?} {token:?}"), self.env())
            }
            ResolvedConnection::Databricks {
                config, compute, ..
            } => {
                let mut key = format!("databricks {compute:?}");
                for attribute in config.attributes() {
                    key.push_str(&format!(" {}={:?}", attribute.spec.name, attribute.value()));
                }
                (key, config.env().clone())
            }
        };
        let proxies: Vec<(&str, Option<String>)> = spark_connect_transport::proxy::VARIABLES
            .iter()
            .map(|name| (*name, env.var(name)))
            .collect();
        format!(
            "{target}\u{0}{proxies:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}\u{0}{:?}",
            self.headers,
            self.user_agent,
            self.validate_session,
            self.auto_start_cluster,
            self.cluster_start_timeout,
            self.root_certificates,
            self.credentials.as_ref().map(Arc::as_ptr),
        )
    }

    /// A new session, never a cached one.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), databricks_connect::Error> {
    /// let spark = databricks_connect::DatabricksSession::builder()
    ///     .remote("sc://127.0.0.1:15002")
    ///     .create()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), databricks_connect::Error> {
    /// let a = databricks_connect::DatabricksSession::builder().profile("dev").get_or_create().await?;
    /// let b = databricks_connect::DatabricksSession::builder().profile("dev").get_or_create().await?;
    /// assert_eq!(a.session_id(), b.session_id());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_or_create(self) -> Result<SparkSession, Error> {
        logging::init_from_env();
        let target = self.resolve()?;
        let key = self.cache_key(&target);
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

    async fn connect(self, target: ResolvedConnection) -> Result<SparkSession, Error> {
        match target {
            ResolvedConnection::Remote {
                connection,
                source,
                proxies,
            } => {
                tracing::debug!(remote = %connection, "connection parameters from {source}");
                let client = self.client_builder(*connection).proxy(proxies).build()?;
                Ok(SparkSession::from_client(client))
            }
            ResolvedConnection::Databricks {
                config,
                compute,
                source,
                proxies,
            } => {
                tracing::debug!(config = %config, %compute, "connection parameters from {source}");
                self.connect_databricks(&config, compute, proxies).await
            }
        }
    }

    async fn connect_databricks(
        self,
        config: &Config,
        compute: Compute,
        proxies: spark_connect_transport::proxy::ProxyConfig,
    ) -> Result<SparkSession, Error> {
        let host = config.host().unwrap_or_default();
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

        // The Spark session id is chosen here, so that serverless routing can name it; a custom
        // x-databricks-session-id header chooses it instead, as in Python.
        let session_id = match self.header_value(SESSION_ID_HEADER) {
            Some(given) => uuid::Uuid::parse_str(given).map_err(|_| {
                Error::invalid(
                    "header",
                    format!(
                        "the {SESSION_ID_HEADER} header must be a UUID (it becomes the Spark session id), found '{given}'"
                    ),
                )
            })?,
            None => uuid::Uuid::new_v4(),
        };
        let url = if hostname.contains(':') {
            format!("sc://[{hostname}]:{port}/;use_ssl=true;session_id={session_id}")
        } else {
            format!("sc://{hostname}:{port}/;use_ssl=true;session_id={session_id}")
        };
        let conn = ConnectionString::parse_without_env(&url)
            .map_err(|e| Error::invalid("host", format!("the host '{host}' is not usable: {e}")))?;
        let mut builder = self
            .client_builder(conn)
            .header_source(Arc::new(AuthHeaders(auth.clone())))
            .proxy(proxies);
        // Headers a workspace expects, unless the caller set them (custom headers win).
        let mut expected: Vec<(&str, String)> = Vec::new();
        if let Some(workspace_id) = config.workspace_id() {
            expected.push((ORG_ID_HEADER, workspace_id.to_string()));
        }
        let auto_start = self.auto_start_cluster.unwrap_or(true);
        let timeout = self
            .cluster_start_timeout
            .unwrap_or(DEFAULT_CLUSTER_START_TIMEOUT);
        match &compute {
            Compute::Cluster(id) => {
                expected.push((CLUSTER_ID_HEADER, id.clone()));
                if self.validate_session.unwrap_or(true) {
                    let api = ClustersApi {
                        http: self.http_client(config)?,
                        host,
                        cluster_id: id,
                        auth: auth.as_ref(),
                    };
                    let policy = StartPolicy {
                        auto_start,
                        timeout,
                        observer: self.on_cluster_wait.clone(),
                    };
                    api.ensure_running(&policy).await?;
                }
            }
            Compute::Serverless { usage_policy_id } => {
                expected.push((SESSION_ID_HEADER, session_id.to_string()));
                if let Some(policy) = usage_policy_id {
                    expected.push((USAGE_POLICY_HEADER, policy.clone()));
                }
            }
        }
        for (name, value) in expected {
            // As in Python: a custom org id wins (`setdefault`); the resolved cluster, session
            // and usage policy replace custom headers of the same name (added later, they win).
            if name != ORG_ID_HEADER || self.header_value(name).is_none() {
                builder = builder.header(Header::new(name, value));
            }
        }
        if auto_start {
            builder = builder
                .add_retry_policy(cluster_wait_policy(timeout))
                .on_retry(cluster_wait_logger(
                    compute.clone(),
                    self.on_cluster_wait.clone(),
                ));
        }
        let client = builder.add_retry_policy(retry_unknowns_policy()).build()?;
        Ok(SparkSession::from_client(client))
    }

    /// The HTTP client for the Clusters API: timeout, proxy and certificates as for every REST
    /// call of the configuration, plus the builder's extra CA certificates.
    fn http_client(&self, config: &Config) -> Result<databricks_auth::RestClient, Error> {
        databricks_auth::RestClient::with_root_certificates(config, &self.root_certificates)
            .map_err(|e| Error::invalid("root_certificate_pem", e.to_string()))
    }
}

/// Logs the waits of the cluster-wait retry policy at `info` level and hands them to the
/// builder's observer.
fn cluster_wait_logger(
    compute: Compute,
    observer: Option<WaitObserver>,
) -> impl Fn(&RetryEvent<'_>) + Send + Sync + 'static {
    let cluster = match compute {
        Compute::Cluster(id) => Some(id),
        Compute::Serverless { .. } => None,
    };
    move |event: &RetryEvent<'_>| {
        if event.policy() != CLUSTER_WAIT_POLICY {
            return;
        }
        tracing::info!(
            cluster_id = cluster.as_deref().unwrap_or("serverless"),
            rpc = event.rpc(),
            waited = %format_wait(event.elapsed()),
            next_attempt_in = ?event.wait(),
            "the cluster is starting; waiting"
        );
        if let Some(observer) = &observer {
            observer(&ClusterWait {
                cluster_id: cluster.clone(),
                state: ClusterState::Pending,
                waited: event.elapsed(),
            });
        }
    }
}

/// Asks the Databricks credentials for headers before every Spark Connect call, so OAuth
/// tokens refresh without reconnecting. Every value is treated as a secret.
struct AuthHeaders(Arc<dyn AuthHeaderSource>);

impl HeaderSource for AuthHeaders {
    fn headers(&self) -> HeadersFuture<'_> {
        Box::pin(async move {
            // The kind goes with the error, so that an identity provider that cannot be
            // reached is a connection failure, not refused credentials.
            let headers = self.0.headers().await.map_err(|e| {
                let kind = error::auth_error_kind(&e);
                spark_connect_transport::HeaderSourceError::new(kind, e)
            })?;
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
        assert_eq!(
            host_and_port("https://h.example/?o=12").unwrap(),
            ("h.example".into(), 443)
        );
        assert!(host_and_port("https://h:0").is_err());
    }

    fn status(code: tonic::Code, message: &str) -> ServerError {
        ServerError::from_status(&tonic::Status::new(code, message))
    }

    #[test]
    fn the_cluster_wait_rule_is_pythons() {
        use tonic::Code;
        for code in [Code::FailedPrecondition, Code::Internal, Code::Aborted] {
            assert!(is_cluster_starting(&status(
                code,
                "INVALID_STATE: Cluster 0123 is in unexpected state Pending."
            )));
            assert!(is_cluster_starting(&status(
                code,
                "RESOURCE_LIMIT_EXCEEDED: Only 1 cluster(s) can be started at a time"
            )));
        }
        for (code, message) in [
            (
                Code::Unavailable,
                "Cluster 0123 is in unexpected state Pending.",
            ),
            (
                Code::InvalidArgument,
                "Cluster 0123 is in unexpected state Pending.",
            ),
            (
                Code::FailedPrecondition,
                "Cluster 0123 is in unexpected state Terminating.",
            ),
            (Code::Internal, "[TABLE_OR_VIEW_NOT_FOUND] t"),
        ] {
            assert!(
                !is_cluster_starting(&status(code, message)),
                "{code:?} {message}"
            );
        }
    }

    #[test]
    fn the_wait_policies_have_pythons_constants_and_the_given_bound() {
        let p = cluster_wait_policy(Duration::from_secs(3600));
        let waits: Vec<_> = (0..7).map(|i| p.backoff_for(i).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
        // Bounded by the time given, not by Python's 60 retries (about 28 minutes).
        assert_eq!(p.elapsed_limit(), Some(Duration::from_secs(3600)));
        assert!(p.retries() > 60 * 4);
        assert_eq!(
            p.hint(),
            Some(
                "the cluster did not start within 60m (cluster_start_timeout sets how long to wait)"
            )
        );
        let u = retry_unknowns_policy();
        assert_eq!(u.retries(), 7);
        let waits: Vec<_> = (0..4).map(|i| u.backoff_for(i).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 5]);
    }

    #[test]
    fn sessions_with_different_secret_parameters_are_not_shared() {
        let key = |url: &str| {
            let b = DatabricksSession::builder().remote(url);
            b.cache_key(&b.resolve().unwrap())
        };
        assert_ne!(key("sc://h/;x-api-key=A"), key("sc://h/;x-api-key=B"));
        assert_ne!(key("sc://h/;token=A"), key("sc://h/;token=B"));
        assert_eq!(key("sc://h/;x-api-key=A"), key("sc://h/;x-api-key=A"));
        // Proxies decide where traffic goes: another proxy, another session.
        let with_proxy = |proxy: &str| {
            let b = DatabricksSession::builder().remote("sc://h").environment(
                databricks_config::Environment::from_map([("HTTPS_PROXY", proxy)]),
            );
            b.cache_key(&b.resolve().unwrap())
        };
        assert_ne!(with_proxy("http://a:1"), with_proxy("http://b:1"));
    }
}
