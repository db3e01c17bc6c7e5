//! Which server and compute a builder's parameters name: Python `databricks-connect`'s
//! precedence and combination rules, in one place. `create`, `get_or_create`, `dbconnect` and
//! its `doctor` all resolve through [`DatabricksSessionBuilder::resolve`].

use std::fmt;

use databricks_config::{Config, ConfigKey, Environment, Source};
use spark_connect_dataframe::SPARK_REMOTE_ENV;
use spark_connect_transport::ConnectionString;
use spark_connect_transport::proxy::{Caller, ProxyConfig, ProxyEnv};

use super::{DatabricksSessionBuilder, Error};

/// The header that routes a call to a cluster.
pub(crate) const CLUSTER_ID_HEADER: &str = "x-databricks-cluster-id";
/// The header that routes a call to a serverless session (its value is the Spark session id).
pub(crate) const SESSION_ID_HEADER: &str = "x-databricks-session-id";
/// The header naming the workspace (organisation) a call is for.
pub(crate) const ORG_ID_HEADER: &str = "x-databricks-org-id";
/// The header naming the usage policy serverless work runs under.
pub(crate) const USAGE_POLICY_HEADER: &str = "x-databricks-explicit-usage-policy-id";
/// The variable that names a serverless usage policy when the builder does not.
pub const USAGE_POLICY_ENV: &str = "DATABRICKS_USAGE_POLICY_ID";

/// Where a session's connection parameters came from: the first of these that gives any.
///
/// ```
/// use databricks_connect::{DatabricksSession, ParameterSource};
///
/// let resolved = DatabricksSession::builder().remote("sc://127.0.0.1:15002").resolve()?;
/// assert_eq!(resolved.source(), ParameterSource::Remote);
/// assert_eq!(ParameterSource::Remote.to_string(), "remote()");
/// # Ok::<(), databricks_connect::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParameterSource {
    /// A connection string given to `remote()`.
    Remote,
    /// `host()`, `token()`, `cluster_id()` or `serverless()`, applied over the `profile()` when
    /// one is named too.
    Explicit,
    /// A configuration given to `sdk_config()`.
    SdkConfig,
    /// A profile named with `profile()`.
    Profile,
    /// The `SPARK_REMOTE` environment variable.
    SparkRemote,
    /// The Databricks SDK defaults: `DATABRICKS_*` variables, then the default profile of
    /// `~/.databrickscfg`.
    SdkDefaults,
}

impl fmt::Display for ParameterSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParameterSource::Remote => "remote()",
            ParameterSource::Explicit => "explicit parameters",
            ParameterSource::SdkConfig => "sdk_config()",
            ParameterSource::Profile => "profile()",
            ParameterSource::SparkRemote => SPARK_REMOTE_ENV,
            ParameterSource::SdkDefaults => {
                "the SDK defaults (DATABRICKS_* variables, then ~/.databrickscfg)"
            }
        })
    }
}

/// The Databricks compute a session runs on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compute {
    /// A cluster, by id.
    Cluster(String),
    /// Serverless compute, optionally under a usage policy.
    Serverless {
        /// The usage policy (`serverless_usage_policy()` or `DATABRICKS_USAGE_POLICY_ID`).
        usage_policy_id: Option<String>,
    },
}

impl fmt::Display for Compute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Compute::Cluster(id) => write!(f, "cluster {id}"),
            Compute::Serverless {
                usage_policy_id: None,
            } => f.write_str("serverless compute"),
            Compute::Serverless {
                usage_policy_id: Some(policy),
            } => write!(f, "serverless compute under usage policy {policy}"),
        }
    }
}

/// What a builder's parameters resolve to, before anything is sent: a plain Spark Connect
/// server, or a Databricks workspace with its configuration and compute.
///
/// ```
/// use databricks_connect::{Compute, DatabricksSession, ResolvedConnection};
///
/// let resolved = DatabricksSession::builder()
///     .host("https://dbc-1234.cloud.databricks.com/?o=6051921418418893")
///     .token("dapi-example")
///     .cluster_id("0123-456789-abcdefgh")
///     .resolve()?;
/// assert_eq!(resolved.compute(), Some(&Compute::Cluster("0123-456789-abcdefgh".into())));
/// let ResolvedConnection::Databricks { config, .. } = &resolved else { unreachable!() };
/// assert_eq!(config.workspace_id(), Some("6051921418418893"));
/// # Ok::<(), databricks_connect::Error>(())
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum ResolvedConnection {
    /// A Spark Connect connection string.
    #[non_exhaustive]
    Remote {
        /// The parsed connection string (its `Display` hides the token).
        connection: Box<ConnectionString>,
        /// Where it came from.
        source: ParameterSource,
        /// The proxy rules of the gRPC channel, from the builder's environment.
        proxies: ProxyConfig,
    },
    /// A Databricks workspace.
    #[non_exhaustive]
    Databricks {
        /// The resolved configuration: host, credentials, workspace id, ...
        config: Box<Config>,
        /// The cluster or serverless compute.
        compute: Compute,
        /// Where the parameters came from.
        source: ParameterSource,
        /// The proxy rules of the gRPC channel, from the configuration's environment (REST
        /// calls follow the same rules without `grpc_proxy`).
        proxies: ProxyConfig,
    },
}

/// The server a session talks to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Endpoint {
    /// The host name or IP address.
    pub host: String,
    /// The port.
    pub port: u16,
    /// Whether the connection uses TLS.
    pub tls: bool,
}

impl ResolvedConnection {
    /// The Databricks configuration, for a workspace.
    ///
    /// ```
    /// use databricks_connect::DatabricksSession;
    ///
    /// let resolved = DatabricksSession::builder()
    ///     .host("https://dbc-1234.cloud.databricks.com/?o=6051921418418893")
    ///     .token("dapi-example")
    ///     .serverless()
    ///     .resolve()?;
    /// assert_eq!(resolved.config().and_then(|c| c.workspace_id()), Some("6051921418418893"));
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn config(&self) -> Option<&Config> {
        match self {
            ResolvedConnection::Databricks { config, .. } => Some(config),
            ResolvedConnection::Remote { .. } => None,
        }
    }

    /// The compute, for a workspace.
    ///
    /// ```
    /// use databricks_connect::{Compute, DatabricksSession};
    ///
    /// let resolved = DatabricksSession::builder()
    ///     .host("https://h.example")
    ///     .token("t")
    ///     .cluster_id("c-1")
    ///     .resolve()?;
    /// assert_eq!(resolved.compute(), Some(&Compute::Cluster("c-1".into())));
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn compute(&self) -> Option<&Compute> {
        match self {
            ResolvedConnection::Databricks { compute, .. } => Some(compute),
            ResolvedConnection::Remote { .. } => None,
        }
    }

    /// The connection string, for a plain Spark Connect server.
    ///
    /// ```
    /// use databricks_connect::DatabricksSession;
    ///
    /// let resolved = DatabricksSession::builder().remote("sc://127.0.0.1:15002").resolve()?;
    /// assert_eq!(resolved.connection().map(|c| c.port()), Some(15002));
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn connection(&self) -> Option<&ConnectionString> {
        match self {
            ResolvedConnection::Remote { connection, .. } => Some(connection),
            ResolvedConnection::Databricks { .. } => None,
        }
    }

    /// Where the parameters came from.
    pub fn source(&self) -> ParameterSource {
        match self {
            ResolvedConnection::Remote { source, .. }
            | ResolvedConnection::Databricks { source, .. } => *source,
        }
    }

    /// The proxy rules the session's gRPC channel follows (`grpc_proxy`, `HTTPS_PROXY`,
    /// `ALL_PROXY`, `NO_PROXY`, ...), read from the builder's or configuration's environment.
    ///
    /// ```
    /// use databricks_connect::DatabricksSession;
    /// use databricks_connect::config::Environment;
    ///
    /// let resolved = DatabricksSession::builder()
    ///     .environment(Environment::from_map([
    ///         ("SPARK_REMOTE", "sc://spark.example:443/;use_ssl=true"),
    ///         ("HTTPS_PROXY", "http://proxy.example:3128"),
    ///     ]))
    ///     .resolve()?;
    /// let proxy = resolved.proxies().proxy_for(true, "spark.example", 443)?.expect("proxied");
    /// assert_eq!(proxy.to_string(), "http://proxy.example:3128 (from HTTPS_PROXY)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn proxies(&self) -> &ProxyConfig {
        match self {
            ResolvedConnection::Remote { proxies, .. }
            | ResolvedConnection::Databricks { proxies, .. } => proxies,
        }
    }

    /// The server the session talks to: the connection string's, or the workspace host (port
    /// 443 unless the host names one; always TLS).
    ///
    /// ```
    /// use databricks_connect::DatabricksSession;
    ///
    /// let resolved = DatabricksSession::builder().remote("sc://127.0.0.1:15002").resolve()?;
    /// let endpoint = resolved.endpoint()?;
    /// assert_eq!((endpoint.host.as_str(), endpoint.port, endpoint.tls), ("127.0.0.1", 15002, false));
    /// # Ok::<(), databricks_connect::Error>(())
    /// ```
    pub fn endpoint(&self) -> Result<Endpoint, Error> {
        match self {
            ResolvedConnection::Remote { connection, .. } => Ok(Endpoint {
                host: connection.host().to_string(),
                port: connection.port(),
                tls: connection.use_tls(),
            }),
            ResolvedConnection::Databricks { config, .. } => {
                let (host, port) = host_and_port(config.host().unwrap_or_default())?;
                Ok(Endpoint {
                    host,
                    port,
                    tls: true,
                })
            }
        }
    }
}

impl DatabricksSessionBuilder {
    fn explicit_parameters(&self) -> bool {
        self.host.is_some() || self.token.is_some() || self.cluster_id.is_some() || self.serverless
    }

    /// The environment variables and home directory that resolution reads.
    pub(crate) fn env(&self) -> Environment {
        self.environment
            .clone()
            .unwrap_or_else(Environment::process)
    }

    /// Resolves the connection parameters as Python's `databricks-connect` does, without
    /// sending anything, and checks how they combine.
    ///
    /// The first of these that gives any parameters decides:
    /// 1. [`remote`](Self::remote): a connection string, alone (no other parameter or header);
    /// 2. [`host`](Self::host), [`token`](Self::token), [`cluster_id`](Self::cluster_id),
    ///    [`serverless`](Self::serverless): the [`profile`](Self::profile) (or the SDK
    ///    defaults) with just these overridden; a token means personal access token
    ///    authentication; a cluster id replaces the profile's serverless setting and serverless
    ///    replaces its cluster id;
    /// 3. [`sdk_config`](Self::sdk_config) (without `profile`);
    /// 4. [`profile`](Self::profile);
    /// 5. `SPARK_REMOTE`;
    /// 6. the SDK defaults: `DATABRICKS_*` variables, then the default profile of
    ///    `~/.databrickscfg`.
    ///
    /// A Databricks target then needs a host and exactly one of a cluster id and serverless
    /// compute (`serverless_compute_id = auto`).
    ///
    /// ```
    /// use databricks_connect::{Compute, DatabricksSession, Error};
    /// use databricks_connect::config::Environment;
    ///
    /// // A profile, with serverless compute instead of the profile's cluster.
    /// # let dir = std::env::temp_dir().join(format!("resolve-doc-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # std::fs::write(dir.join(".databrickscfg"),
    /// #     "[dev]\nhost = https://dbc-1.cloud.databricks.com\ntoken = dapi-x\ncluster_id = 0123-c\n")?;
    /// # let env = Environment::from_map([("HOME", dir.to_str().unwrap())]);
    /// let resolved = DatabricksSession::builder()
    ///     .profile("dev")
    ///     .serverless()
    /// #   .environment(env.clone())
    ///     .resolve()?;
    /// assert_eq!(resolved.config().unwrap().host(), Some("https://dbc-1.cloud.databricks.com"));
    /// assert!(matches!(resolved.compute(), Some(Compute::Serverless { .. })));
    ///
    /// // Contradictions are refused.
    /// let e = DatabricksSession::builder().profile("dev").cluster_id("c").serverless()
    /// #   .environment(env)
    ///     .resolve().unwrap_err();
    /// assert!(matches!(e, Error::Conflict { .. }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve(&self) -> Result<ResolvedConnection, Error> {
        self.check_user_agent()?;
        let env = self.env();
        if let Some(url) = &self.remote {
            if self.explicit_parameters() {
                return Err(Error::conflict(
                    "remote() cannot be combined with host(), token(), cluster_id() or serverless(): put everything into the connection string",
                ));
            }
            if !self.headers.is_empty() {
                return Err(Error::conflict(
                    "header() cannot be used with remote(): put headers into the connection string as `;name=value` parameters",
                ));
            }
            if self.profile.is_some() || self.sdk_config.is_some() {
                return Err(Error::conflict(
                    "remote() cannot be combined with profile() or sdk_config(): a connection string carries everything, and the profile would be ignored",
                ));
            }
            return remote(url, ParameterSource::Remote, &env);
        }
        let (config, source) = if self.explicit_parameters() {
            if self.sdk_config.is_some() {
                return Err(Error::conflict(
                    "sdk_config() cannot be combined with host(), token(), cluster_id() or serverless(): set them in the Config",
                ));
            }
            if self.cluster_id.is_some() && self.serverless {
                return Err(Error::conflict(
                    "cluster_id() and serverless() cannot both be set: choose a cluster or serverless compute",
                ));
            }
            (self.explicit_config(env)?, ParameterSource::Explicit)
        } else if let Some(config) = &self.sdk_config {
            if self.profile.is_some() {
                return Err(Error::conflict(
                    "profile() cannot be combined with sdk_config(): name the profile in the Config",
                ));
            }
            (config.clone(), ParameterSource::SdkConfig)
        } else if let Some(profile) = &self.profile {
            let config = Config::builder()
                .env(env)
                .profile(profile.clone())
                .build()?;
            (config, ParameterSource::Profile)
        } else if let Some(url) = env.var(SPARK_REMOTE_ENV) {
            return remote(&url, ParameterSource::SparkRemote, &env);
        } else {
            (
                Config::builder().env(env).build()?,
                ParameterSource::SdkDefaults,
            )
        };
        let compute = self.compute(&config)?;
        let proxies = grpc_proxies(config.env());
        Ok(ResolvedConnection::Databricks {
            config: Box::new(config),
            compute,
            source,
            proxies,
        })
    }

    /// The profile (or the SDK defaults) with the explicit parameters applied over it.
    fn explicit_config(&self, env: Environment) -> Result<Config, Error> {
        let mut builder = Config::builder().env(env);
        if let Some(profile) = &self.profile {
            builder = builder.profile(profile.clone());
        }
        if let Some(host) = &self.host {
            builder = builder.set(ConfigKey::Host, host.clone());
        }
        if let Some(token) = &self.token {
            // A token forces personal access token authentication, so that other credentials
            // in the profile or the environment do not make the choice ambiguous.
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
        let mut config = builder.build()?;
        // The compute given here replaces the other kind from the profile or environment.
        if self.serverless {
            config.set(ConfigKey::ClusterId, "", Source::Explicit)?;
        } else if self.cluster_id.is_some() {
            config.set(ConfigKey::ServerlessComputeId, "", Source::Explicit)?;
        }
        Ok(config)
    }

    /// The compute a Databricks configuration names, with the serverless usage policy.
    fn compute(&self, config: &Config) -> Result<Compute, Error> {
        if config.host().is_none() {
            return Err(Error::invalid(
                "host",
                config.wrap_message(
                    "the workspace host is not set: pass host(...), set DATABRICKS_HOST, or use a profile with a host",
                ),
            ));
        }
        let serverless = match config.serverless_compute_id() {
            None => false,
            Some("auto") => true,
            Some(other) => {
                return Err(Error::invalid(
                    "serverless_compute_id",
                    config.wrap_message(&format!(
                        "serverless_compute_id must be 'auto', found '{other}'"
                    )),
                ));
            }
        };
        let session_header = self.header_value(SESSION_ID_HEADER);
        let cluster_id = config.cluster_id();
        match (cluster_id, serverless, session_header) {
            (Some(_), true, _) => Err(Error::conflict(config.wrap_message(
                "cluster_id and serverless_compute_id cannot both be set: choose a cluster or serverless compute",
            ))),
            (Some(_), false, Some(_)) => Err(Error::conflict(format!(
                "the {SESSION_ID_HEADER} header selects serverless compute and cannot be combined with a cluster id"
            ))),
            (Some(id), false, None) => {
                if self.usage_policy_id.is_some() {
                    return Err(Error::conflict(
                        "a usage policy applies to serverless compute only, and a cluster id is set",
                    ));
                }
                Ok(Compute::Cluster(id.to_string()))
            }
            (None, false, None) => Err(Error::invalid(
                "cluster_id",
                config.wrap_message(
                    "Cluster id or serverless are required but were not specified: pass cluster_id(...) or serverless(), set DATABRICKS_CLUSTER_ID or DATABRICKS_SERVERLESS_COMPUTE_ID=auto, or put cluster_id or serverless_compute_id = auto into the profile",
                ),
            )),
            // Serverless, possibly selected by a session id header alone, as in Python.
            (None, _, _) => {
                let usage_policy_id = self
                    .usage_policy_id
                    .clone()
                    .or_else(|| config.env().var(USAGE_POLICY_ENV));
                Ok(Compute::Serverless { usage_policy_id })
            }
        }
    }

    /// The value of a custom header, by case-insensitive name (the last one given wins).
    pub(crate) fn header_value(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn check_user_agent(&self) -> Result<(), Error> {
        if let Some(ua) = &self.user_agent {
            spark_connect_transport::check_user_agent(ua)
                .map_err(|e| Error::invalid("user_agent", e.to_string()))?;
        }
        Ok(())
    }
}

fn remote(
    url: &str,
    source: ParameterSource,
    env: &Environment,
) -> Result<ResolvedConnection, Error> {
    let connection = ConnectionString::parse(url).map_err(|e| Error::ConnectionString {
        origin: source,
        source: e,
    })?;
    Ok(ResolvedConnection::Remote {
        connection: Box::new(connection),
        source,
        proxies: grpc_proxies(env),
    })
}

/// The gRPC channel's proxy rules over an environment, which the REST calls
/// (`databricks_auth::RestClient`) read too.
fn grpc_proxies(env: &Environment) -> ProxyConfig {
    ProxyConfig::from_env(ProxyEnv::from_lookup(|name| env.var(name)), Caller::Grpc)
}

/// The host name and port of a workspace URL such as `https://h:8443`.
pub(crate) fn host_and_port(host: &str) -> Result<(String, u16), Error> {
    let rest = host
        .strip_prefix("https://")
        .or_else(|| host.strip_prefix("http://"))
        .unwrap_or(host);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (name, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (name, after) = v6.split_once(']').ok_or_else(|| {
            Error::invalid(
                "host",
                format!("the host '{host}' has an unclosed IPv6 bracket"),
            )
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
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
            Error::invalid(
                "host",
                format!("the port '{p}' of the host '{host}' is not a number from 1 to 65535"),
            )
        })?,
    };
    if name.is_empty() {
        return Err(Error::invalid(
            "host",
            format!("the host '{host}' has no host name"),
        ));
    }
    Ok((name, port))
}
