//! The error of making a session, and its kind.

use databricks_auth::{AuthError, AuthErrorKind};
use databricks_config::ConfigErrorKind;
use spark_connect_transport::ErrorKind;

use super::resolve::ParameterSource;

/// The error of this crate: making a session, and, through [`Error::Spark`], anything a
/// DataFrame call can fail with. Match on [`kind`](Error::kind) to decide what to do; the
/// variants keep the details and the cause ([`source`](std::error::Error::source)).
///
/// DataFrame methods return [`SparkError`](crate::SparkError) (the DataFrame crate cannot know
/// Databricks' errors); `?` turns one into this type without losing anything, and both have the
/// same [`kind`](Error::kind), so a program can use this one type throughout. `?` into
/// `Box<dyn std::error::Error>` or `anyhow::Error` works for both.
///
/// ```
/// use databricks_connect::{DatabricksSession, Error, ErrorKind};
///
/// async fn count(table: &str) -> Result<i64, Error> {
///     let spark = DatabricksSession::builder().get_or_create().await?;
///     Ok(spark.table(table).count().await?) // a SparkError, converted by `?`
/// }
///
/// # async fn demo() {
/// match count("sales").await {
///     Ok(n) => println!("{n} rows"),
///     Err(e) if e.kind() == ErrorKind::NotFound => println!("no table sales"),
///     Err(e) if e.kind() == ErrorKind::Unauthenticated => println!("log in again: {e}"),
///     Err(e) => println!("{e}"),
/// }
/// # }
/// ```
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

impl Error {
    /// What kind of failure this is, from the variant and its typed details, never from the
    /// message:
    ///
    /// - [`Conflict`](Error::Conflict), [`InvalidParameter`](Error::InvalidParameter),
    ///   [`ConnectionString`](Error::ConnectionString):
    ///   [`Configuration`](ErrorKind::Configuration);
    /// - [`Databricks`](Error::Databricks): a profile the file lacks is
    ///   [`NotFound`](ErrorKind::NotFound), the rest [`Configuration`](ErrorKind::Configuration);
    /// - [`Auth`](Error::Auth): from [`AuthErrorKind`](databricks_auth::AuthErrorKind) (see
    ///   [`auth_error_kind`]);
    /// - [`Cluster`](Error::Cluster): see [`ClusterError::kind`](crate::ClusterError::kind);
    /// - [`Spark`](Error::Spark): [`SparkError::kind`](crate::SparkError::kind) (server errors by
    ///   their gRPC code, Spark error class and SQLSTATE).
    ///
    /// ```
    /// use databricks_connect::{DatabricksSession, ErrorKind};
    ///
    /// let e = DatabricksSession::builder()
    ///     .remote("sc://127.0.0.1:15002")
    ///     .host("https://dbc-1.cloud.databricks.com")
    ///     .resolve()
    ///     .unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::Configuration);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Conflict { .. }
            | Error::InvalidParameter { .. }
            | Error::ConnectionString { .. } => ErrorKind::Configuration,
            Error::Databricks(e) => config_error_kind(e),
            Error::Auth(e) => auth_error_kind(e),
            Error::Cluster(e) => e.kind(),
            Error::Spark(e) => e.kind(),
        }
    }

    /// The server's error, when the server reported one (also after retries).
    ///
    /// ```
    /// # let e = databricks_connect::DatabricksSession::builder().cluster_id("c").serverless().resolve().unwrap_err();
    /// assert!(e.server_error().is_none());
    /// ```
    pub fn server_error(&self) -> Option<&spark_connect_transport::ServerError> {
        match self {
            Error::Spark(e) => e.server_error(),
            _ => None,
        }
    }

    /// Spark's error class (PySpark's `e.getCondition()`), e.g. `TABLE_OR_VIEW_NOT_FOUND`,
    /// when the server reported one.
    ///
    /// ```
    /// # let e = databricks_connect::DatabricksSession::builder().cluster_id("c").serverless().resolve().unwrap_err();
    /// assert_eq!(e.error_class(), None);
    /// ```
    pub fn error_class(&self) -> Option<&str> {
        self.server_error().and_then(|s| s.error_class())
    }
}

/// The [`ErrorKind`] of a configuration error: a profile the file does not have is
/// [`NotFound`](ErrorKind::NotFound), anything else [`Configuration`](ErrorKind::Configuration).
fn config_error_kind(e: &databricks_config::ConfigError) -> ErrorKind {
    match e.kind() {
        ConfigErrorKind::MissingProfile { .. } => ErrorKind::NotFound,
        _ => ErrorKind::Configuration,
    }
}

/// The [`ErrorKind`] of an authentication failure:
///
/// | [`AuthErrorKind`] | [`ErrorKind`] |
/// |---|---|
/// | `NoCredentials`, `NotConfigured`, `Refused` | `Unauthenticated` |
/// | `UnknownAuthType`, `NotImplemented`, `Misconfigured` | `Configuration` (a profile the configuration file lacks: `NotFound`) |
/// | `Unreachable` | `Connection` |
/// | `TimedOut` | `Timeout` |
/// | `InvalidResponse` | `Protocol` |
/// | `Local` | `Other` |
///
/// ```
/// use databricks_connect::auth::{AuthError, AuthErrorKind};
/// use databricks_connect::{ErrorKind, auth_error_kind};
///
/// let e = AuthError::provider("oauth-m2m", AuthErrorKind::Refused, "invalid_client");
/// assert_eq!(auth_error_kind(&e), ErrorKind::Unauthenticated);
/// ```
pub fn auth_error_kind(e: &AuthError) -> ErrorKind {
    match e.kind() {
        AuthErrorKind::NoCredentials { .. }
        | AuthErrorKind::NotConfigured
        | AuthErrorKind::Refused => ErrorKind::Unauthenticated,
        AuthErrorKind::UnknownAuthType
        | AuthErrorKind::NotImplemented
        | AuthErrorKind::Misconfigured => std::error::Error::source(e)
            .and_then(|s| s.downcast_ref::<databricks_config::ConfigError>())
            .map_or(ErrorKind::Configuration, config_error_kind),
        AuthErrorKind::Unreachable => ErrorKind::Connection,
        AuthErrorKind::TimedOut => ErrorKind::Timeout,
        AuthErrorKind::InvalidResponse => ErrorKind::Protocol,
        AuthErrorKind::Local => ErrorKind::Other,
        _ => ErrorKind::Other,
    }
}

impl From<spark_connect_transport::Error> for Error {
    fn from(e: spark_connect_transport::Error) -> Self {
        Error::Spark(e.into())
    }
}
