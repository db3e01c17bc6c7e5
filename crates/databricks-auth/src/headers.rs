//! Authentication headers and the sources that produce them on every request.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::AuthError;

/// A boxed future, as returned by the object-safe traits of this crate.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Headers to add to a request, such as `Authorization: Bearer …`.
///
/// `Debug` shows header names only: the values are credentials.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AuthHeaders(Vec<(String, String)>);

impl AuthHeaders {
    /// No headers.
    pub fn new() -> Self {
        AuthHeaders::default()
    }

    /// Adds a header.
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.push((name.into(), value.into()));
        self
    }

    /// The value of the first header with this name (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All headers, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for AuthHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(n, _)| (n, "***")))
            .finish()
    }
}

/// Produces the authentication headers for one request. Asked on every request, so that
/// refreshing credentials (OAuth tokens) are renewed without reconnecting; cheap when the
/// credentials are still fresh.
pub trait HeaderSource: Send + Sync + fmt::Debug {
    /// The headers for the next request.
    fn headers(&self) -> BoxFuture<'_, Result<AuthHeaders, AuthError>>;
}

/// A header source whose headers never change (personal access tokens, basic auth).
#[derive(Clone)]
pub struct StaticHeaders(AuthHeaders);

impl StaticHeaders {
    /// Always returns `headers`.
    pub fn new(headers: AuthHeaders) -> Self {
        StaticHeaders(headers)
    }
}

impl fmt::Debug for StaticHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StaticHeaders").field(&self.0).finish()
    }
}

impl HeaderSource for StaticHeaders {
    fn headers(&self) -> BoxFuture<'_, Result<AuthHeaders, AuthError>> {
        let headers = self.0.clone();
        Box::pin(async move { Ok(headers) })
    }
}
