//! Connecting a resolved configuration: the Spark Connect client a builder's settings make,
//! the headers a workspace expects, credentials as a header source, and (for a cluster) the
//! check that it runs before the first call.

use std::sync::Arc;

use databricks_auth::HeaderSource as AuthHeaderSource;
use databricks_config::Config;
use spark_connect_dataframe::SparkSession;
use spark_connect_transport::{
    ClientBuilder, ConnectionString, Header, HeaderSource, HeadersFuture,
};

use super::clusters::{ClustersApi, StartPolicy};
use super::error;
use super::resolve::{
    CLUSTER_ID_HEADER, ORG_ID_HEADER, SESSION_ID_HEADER, USAGE_POLICY_HEADER, host_and_port,
};
use super::retry_policies::{cluster_wait_logger, cluster_wait_policy, retry_unknowns_policy};
use super::{
    Compute, DEFAULT_CLUSTER_START_TIMEOUT, DatabricksSessionBuilder, Error, ResolvedConnection,
};

impl DatabricksSessionBuilder {
    pub(super) fn client_builder(&self, conn: ConnectionString) -> ClientBuilder {
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

    pub(super) async fn connect(self, target: ResolvedConnection) -> Result<SparkSession, Error> {
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
