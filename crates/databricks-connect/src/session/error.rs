//! The error of making a session.

use super::resolve::ParameterSource;

/// An error while making a session.
///
/// ```
/// use databricks_connect::{DatabricksSession, Error};
///
/// # async fn demo() {
/// let e = DatabricksSession::builder()
///     .cluster_id("0123-456789-abcdefgh")
///     .serverless()
///     .create()
///     .await
///     .unwrap_err();
/// assert!(matches!(e, Error::Conflict { .. }));
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Builder parameters that cannot be used together, such as `remote()` with `host()`, or a
    /// cluster id with serverless compute.
    #[error("{message}")]
    Conflict {
        /// What conflicts, and how to resolve it.
        message: String,
    },
    /// A connection parameter is missing or its value cannot be used (no workspace host,
    /// neither a cluster nor serverless, a user agent over the limit, ...).
    #[error("{message}")]
    InvalidParameter {
        /// The parameter, as the builder names it (`host`, `cluster_id`, `user_agent`, ...).
        parameter: &'static str,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A connection string (from `remote()` or `SPARK_REMOTE`) is malformed.
    #[error("{origin}: {source}")]
    ConnectionString {
        /// Where the connection string came from.
        origin: ParameterSource,
        /// What is wrong with it.
        #[source]
        source: spark_connect_transport::ConnectionStringError,
    },
    /// The Databricks configuration could not be resolved (profile, environment, file).
    #[error(transparent)]
    Databricks(#[from] databricks_config::ConfigError),
    /// No credentials could be configured, or the configured ones failed.
    #[error(transparent)]
    Auth(#[from] databricks_auth::AuthError),
    /// The cluster is not usable: unknown, in a state it cannot leave by itself, not started in
    /// time, or its state could not be checked.
    #[error(transparent)]
    Cluster(#[from] super::clusters::ClusterError),
    /// From the DataFrame layer or the transport beneath it.
    #[error(transparent)]
    Spark(#[from] spark_connect_dataframe::Error),
}

impl Error {
    pub(crate) fn conflict(message: impl Into<String>) -> Error {
        Error::Conflict {
            message: message.into(),
        }
    }

    pub(crate) fn invalid(parameter: &'static str, message: impl Into<String>) -> Error {
        Error::InvalidParameter {
            parameter,
            message: message.into(),
        }
    }
}

impl From<spark_connect_transport::Error> for Error {
    fn from(e: spark_connect_transport::Error) -> Self {
        Error::Spark(e.into())
    }
}
