//! Request headers: [`Header`] (a sensitive value never shows in `Debug`) and
//! [`HeaderSource`], the hook that adds fresh headers (credentials) before every call.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use tonic::metadata::{Ascii, MetadataKey, MetadataValue};

use crate::error::BoxError;

/// One request header. Sensitive values (credentials) are never shown by `Debug` and are
/// marked sensitive for the HTTP/2 layer so that they are not indexed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    name: String,
    value: String,
    sensitive: bool,
}

impl Header {
    /// A header. Its value is treated as a secret when the name looks like a credential
    /// (`authorization`, `cookie`, or a name containing `token`, `secret`, `password`, `key`,
    /// `credential` or `auth`); otherwise it may be shown in logs.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Header {
        let name = name.into().to_ascii_lowercase();
        Header {
            sensitive: crate::connection_string::is_secret_key(&name),
            name,
            value: value.into(),
        }
    }

    /// A header whose value is a secret, such as `authorization`.
    pub fn sensitive(name: impl Into<String>, value: impl Into<String>) -> Header {
        Header {
            sensitive: true,
            ..Header::new(name, value)
        }
    }

    /// An `authorization: Bearer <token>` header.
    pub fn bearer(token: &str) -> Header {
        Header::sensitive("authorization", format!("Bearer {token}"))
    }

    /// The lower-case name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the value is a secret.
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }

    pub(super) fn to_metadata(&self) -> Result<(MetadataKey<Ascii>, MetadataValue<Ascii>), String> {
        let key = MetadataKey::from_bytes(self.name.as_bytes())
            .map_err(|_| format!("'{}' is not a valid gRPC metadata key", self.name))?;
        let mut value = MetadataValue::try_from(self.value.as_str()).map_err(|_| {
            if self.sensitive {
                format!("the value of '{}' is not visible ASCII", self.name)
            } else {
                format!(
                    "the value '{}' of '{}' is not visible ASCII",
                    self.value, self.name
                )
            }
        })?;
        value.set_sensitive(self.sensitive);
        Ok((key, value))
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = if self.sensitive { &"***" } else { &self.value };
        f.debug_tuple("Header")
            .field(&self.name)
            .field(value)
            .finish()
    }
}

/// A future returned by a [`HeaderSource`].
pub type HeadersFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Header>, BoxError>> + Send + 'a>>;

/// Produces request headers before every call: the hook through which authentication adds a
/// fresh `authorization` header (OAuth tokens refresh without reconnecting).
///
/// ```
/// use spark_connect_transport::{Header, HeaderSource, HeadersFuture};
///
/// struct FixedToken(String);
///
/// impl HeaderSource for FixedToken {
///     fn headers(&self) -> HeadersFuture<'_> {
///         Box::pin(async move { Ok(vec![Header::bearer(&self.0)]) })
///     }
/// }
/// ```
pub trait HeaderSource: Send + Sync {
    /// The headers for the next request.
    fn headers(&self) -> HeadersFuture<'_>;
}
