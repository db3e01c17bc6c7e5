//! The error type.

use std::fmt;

use databricks_config::ConfigError;

/// What kind of authentication failure this is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthErrorKind {
    /// No provider of the chain applies to the configuration.
    NoCredentials {
        /// Each provider tried, with why it did not apply.
        attempts: Vec<(String, String)>,
    },
    /// `auth_type` names an authentication type this client does not know.
    UnknownAuthType,
    /// `auth_type` names an SDK authentication type that this client does not implement yet.
    NotImplemented,
    /// A provider applies but failed (bad credentials, an endpoint error, a failing command).
    Provider {
        /// The provider's name (`oauth-m2m`, `databricks-cli`, ...).
        provider: String,
    },
    /// The configuration itself is invalid.
    Config,
}

/// An authentication failure.
///
/// The text follows the Databricks SDKs: `default auth: <provider>: <what failed>. Config: … .
/// Env: …`, with secrets shown as `***`. Server responses are quoted only through their OAuth
/// `error` and `error_description` fields, never whole, and tokens are never quoted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    kind: AuthErrorKind,
    message: String,
}

impl AuthError {
    pub(crate) fn new(kind: AuthErrorKind, message: impl Into<String>) -> Self {
        AuthError {
            kind,
            message: message.into(),
        }
    }

    /// A provider failure; `message` says what failed, without the provider name.
    pub fn provider(provider: &str, message: impl Into<String>) -> Self {
        AuthError::new(
            AuthErrorKind::Provider {
                provider: provider.to_owned(),
            },
            message,
        )
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> &AuthErrorKind {
        &self.kind
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

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AuthError {}

impl From<ConfigError> for AuthError {
    fn from(e: ConfigError) -> Self {
        AuthError::new(AuthErrorKind::Config, e.to_string())
    }
}
