//! What can go wrong with a proxy, said so that a user can act on it.

use std::fmt;
use std::sync::Arc;

use crate::ProxySource;

/// What kind of proxy failure this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxyErrorKind {
    /// The proxy setting is not a usable proxy URL.
    InvalidSetting,
    /// The setting names a kind of proxy this client does not speak (`socks5://`, `https://`).
    Unsupported,
    /// The proxy could not be connected to (refused, unknown name, timed out).
    Unreachable,
    /// The proxy wants credentials, or refused the ones given (407).
    AuthenticationRequired,
    /// The proxy forbids a tunnel to this host and port (403).
    Forbidden,
    /// The proxy answered the CONNECT request with another status (e.g. 502: it could not
    /// reach the target).
    TunnelRefused,
    /// The proxy's answer was not HTTP, or the connection broke during the handshake.
    Protocol,
}

/// A proxy failure. The message names the proxy (`http://user@host:port`, never the password),
/// the variable it came from, and what went wrong.
///
/// ```
/// use connect_proxy::{ProxyConfig, ProxyErrorKind};
///
/// let err = ProxyConfig::url("socks5://u:pw@127.0.0.1:1080").unwrap_err();
/// assert_eq!(err.kind(), ProxyErrorKind::Unsupported);
/// assert!(!err.to_string().contains("pw"));
/// ```
#[derive(Clone)]
pub struct ProxyError {
    kind: ProxyErrorKind,
    message: String,
    status: Option<u16>,
    source: Option<Arc<dyn std::error::Error + Send + Sync>>,
}

impl ProxyError {
    pub(crate) fn new(kind: ProxyErrorKind, message: impl Into<String>) -> ProxyError {
        ProxyError {
            kind,
            message: message.into(),
            status: None,
            source: None,
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> ProxyError {
        self.source = Some(Arc::new(source));
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> ProxyError {
        self.status = Some(status);
        self
    }

    /// A setting that is not a proxy URL.
    pub(crate) fn invalid(source: ProxySource, what: &str) -> ProxyError {
        ProxyError::new(
            ProxyErrorKind::InvalidSetting,
            format!(
                "{} is not a usable proxy URL: {what}; expected http://[user:password@]host[:port]",
                source.setting()
            ),
        )
    }

    /// What kind of failure this is.
    ///
    /// ```
    /// use connect_proxy::{ProxyConfig, ProxyErrorKind};
    /// assert_eq!(ProxyConfig::url("http://").unwrap_err().kind(), ProxyErrorKind::InvalidSetting);
    /// ```
    pub fn kind(&self) -> ProxyErrorKind {
        self.kind
    }

    /// The HTTP status the proxy answered the CONNECT request with, when it answered.
    ///
    /// ```
    /// use connect_proxy::ProxyConfig;
    /// assert_eq!(ProxyConfig::url("http://").unwrap_err().status(), None);
    /// ```
    pub fn status(&self) -> Option<u16> {
        self.status
    }
}

impl fmt::Display for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for ProxyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("status", &self.status)
            .field("source", &self.source)
            .finish()
    }
}

impl std::error::Error for ProxyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
