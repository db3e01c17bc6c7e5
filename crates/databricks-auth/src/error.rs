//! The error type.

use std::fmt;
use std::sync::Arc;

use databricks_config::ConfigError;

/// What kind of authentication failure this is: whether to try other credentials, fix the
/// configuration, try again later, or give up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// No provider of the chain applies to the configuration (nothing is configured).
    NoCredentials {
        /// Each provider tried, with why it did not apply.
        attempts: Vec<(String, String)>,
    },
    /// The provider's credentials are not set up on this machine (the Databricks CLI has no
    /// login for this host, the Azure CLI is not logged in): the chain tries the next
    /// provider, as for one that does not apply.
    NotConfigured,
    /// `auth_type` names an authentication type this client does not know.
    UnknownAuthType,
    /// `auth_type` names an SDK authentication type that this client does not implement yet.
    NotImplemented,
    /// The configuration cannot be used as it is: an invalid value, a setting a provider needs
    /// that is missing, a configuration file or proxy setting that cannot be read, an endpoint
    /// that would receive credentials over plain HTTP. Fix the configuration.
    Misconfigured,
    /// The identity provider (or the CLI that asks it) refused: the client secret, ID token,
    /// refresh token or login was rejected (`invalid_client`, `invalid_grant`, HTTP 401 or
    /// 403), or the login in the browser failed. Other credentials are needed.
    Refused,
    /// The identity provider, metadata service or token endpoint could not be reached or is
    /// unavailable: no connection, a failed TLS handshake, a proxy that refused, HTTP 5xx. Try
    /// again later, or fix the network.
    Unreachable,
    /// The wait for a token ran out: a CLI that did not answer in time, a browser login that
    /// was not completed in time.
    TimedOut,
    /// The identity provider or CLI answered, but not with a token (not JSON, no
    /// `access_token`, an expiry that cannot be read, a discovery document without endpoints).
    InvalidResponse,
    /// A failure on this machine: the token cache cannot be read or written, the CLI cannot be
    /// run, no browser could be opened, the login callback's port is taken.
    Local,
}

/// An authentication failure.
///
/// The text follows the Databricks SDKs: `default auth: <provider>: <what failed>. Config: … .
/// Env: …`, with secrets shown as `***`. Server responses are quoted only through their OAuth
/// `error` and `error_description` fields, never whole, and tokens are never quoted. The
/// failure underneath (the HTTP client's, the configuration's, an I/O error) is kept as
/// [`source`](std::error::Error::source).
///
/// ```
/// use databricks_auth::{AuthError, AuthErrorKind};
///
/// let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "read-only file system");
/// let e = AuthError::new(AuthErrorKind::Local, "token cache: cannot write")
///     .with_provider("external-browser")
///     .with_source(io);
/// assert_eq!(e.kind(), &AuthErrorKind::Local);
/// assert_eq!(e.provider_name(), Some("external-browser"));
/// assert!(std::error::Error::source(&e).is_some());
/// ```
#[derive(Clone)]
pub struct AuthError {
    kind: AuthErrorKind,
    provider: Option<String>,
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl AuthError {
    /// A failure of `kind`; `message` says what failed.
    pub fn new(kind: AuthErrorKind, message: impl Into<String>) -> Self {
        AuthError {
            kind,
            provider: None,
            message: message.into(),
            source: None,
        }
    }

    /// A failure of the provider named `provider`; `message` says what failed, without the
    /// provider name.
    ///
    /// ```
    /// use databricks_auth::{AuthError, AuthErrorKind};
    ///
    /// let e = AuthError::provider("oauth-m2m", AuthErrorKind::Refused, "invalid_client");
    /// assert_eq!(e.provider_name(), Some("oauth-m2m"));
    /// assert_eq!(e.to_string(), "invalid_client");
    /// ```
    pub fn provider(provider: &str, kind: AuthErrorKind, message: impl Into<String>) -> Self {
        AuthError::new(kind, message).with_provider(provider)
    }

    /// The same error, saying which provider failed.
    pub fn with_provider(mut self, provider: &str) -> Self {
        self.provider = Some(provider.to_owned());
        self
    }

    /// The same error, with the failure underneath it.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(source));
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &AuthErrorKind {
        &self.kind
    }

    /// The provider that failed (`oauth-m2m`, `databricks-cli`, ...), when one did.
    pub fn provider_name(&self) -> Option<&str> {
        self.provider.as_deref()
    }

    /// The full message.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn map_message(mut self, f: impl FnOnce(&str) -> String) -> Self {
        self.message = f(&self.message);
        self
    }
}

impl fmt::Debug for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthError")
            .field("kind", &self.kind)
            .field("provider", &self.provider)
            .field("message", &self.message)
            .field("source", &self.source)
            .finish()
    }
}

/// Errors are equal when they say the same (kind, provider, message); causes are not
/// compared.
impl PartialEq for AuthError {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.provider == other.provider && self.message == other.message
    }
}

impl Eq for AuthError {}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<ConfigError> for AuthError {
    fn from(e: ConfigError) -> Self {
        AuthError::new(AuthErrorKind::Misconfigured, e.to_string()).with_source(e)
    }
}

impl From<crate::RestError> for AuthErrorKind {
    /// A REST request that failed before an answer: a setting that cannot be used is
    /// [`Misconfigured`](AuthErrorKind::Misconfigured), a timeout
    /// [`TimedOut`](AuthErrorKind::TimedOut), the rest [`Unreachable`](AuthErrorKind::Unreachable).
    fn from(e: crate::RestError) -> Self {
        AuthErrorKind::from(&e)
    }
}

impl From<&crate::RestError> for AuthErrorKind {
    fn from(e: &crate::RestError) -> Self {
        use crate::RestErrorKind as R;
        match e.kind() {
            R::InvalidConfiguration | R::InvalidProxySetting => AuthErrorKind::Misconfigured,
            R::TimedOut => AuthErrorKind::TimedOut,
            _ => AuthErrorKind::Unreachable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_kept_and_clones_share_them() {
        let io = std::io::Error::other("disk full");
        let e = AuthError::provider("external-browser", AuthErrorKind::Local, "cannot write")
            .with_source(io);
        let clone = e.clone();
        assert_eq!(e, clone);
        let source = std::error::Error::source(&clone).unwrap();
        assert!(source.downcast_ref::<std::io::Error>().is_some());
        assert_eq!(source.to_string(), "disk full");
    }

    #[test]
    fn configuration_errors_are_misconfiguration_with_their_cause() {
        let cfg = databricks_config::Config::builder()
            .with_config("no_such_attribute", "x")
            .build()
            .unwrap_err();
        let e = AuthError::from(cfg.clone());
        assert_eq!(e.kind(), &AuthErrorKind::Misconfigured);
        let source = std::error::Error::source(&e).unwrap();
        assert_eq!(source.downcast_ref::<ConfigError>(), Some(&cfg));
    }
}
