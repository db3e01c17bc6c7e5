//! The error type, which carries the SDKs' `Config: … . Env: …` suffix.

use std::fmt;
use std::path::PathBuf;

use crate::attributes::ATTRIBUTES;
use crate::ini::IniError;

/// What went wrong while resolving a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// A key that is not a configuration attribute was given to
    /// [`ConfigBuilder::with_config`](crate::ConfigBuilder::with_config).
    UnknownAttribute,
    /// A value does not fit its attribute (a bad boolean or number, an unknown Azure
    /// environment).
    InvalidValue,
    /// The configuration file could not be read or parsed.
    ConfigFile(IniError),
    /// A profile was asked for (explicitly or by `[__settings__] default_profile`) that the file
    /// does not have.
    MissingProfile {
        /// The file.
        path: PathBuf,
        /// The missing profile.
        profile: String,
    },
    /// `__settings__` was named as a profile.
    ReservedProfile,
    /// The host is not a usable URL.
    InvalidHost,
    /// Attributes of more than one authentication method are set and `auth_type` does not pick
    /// one.
    ConflictingAuth {
        /// The authentication groups, sorted.
        groups: Vec<String>,
    },
}

/// A configuration that cannot be resolved.
///
/// Its text is the SDKs' message followed by their debug suffix, for example
/// `validate: more than one authorization method configured: basic and pat. Config:
/// host=https://x, token=***, username=x, password=***. Env: DATABRICKS_HOST, DATABRICKS_TOKEN,
/// DATABRICKS_USERNAME, DATABRICKS_PASSWORD`. Secrets show as `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    kind: ConfigErrorKind,
    message: String,
    suffix: String,
}

impl ConfigError {
    pub(crate) fn new(kind: ConfigErrorKind, message: impl Into<String>) -> Self {
        ConfigError {
            kind,
            message: message.into(),
            suffix: String::new(),
        }
    }

    pub(crate) fn with_suffix(mut self, suffix: String) -> Self {
        self.suffix = suffix;
        self
    }

    pub(crate) fn unknown_attribute(name: &str) -> Self {
        let known: Vec<&str> = ATTRIBUTES.iter().map(|a| a.name).collect();
        // The name is echoed, never a value: a key cannot be a secret.
        ConfigError::new(
            ConfigErrorKind::UnknownAttribute,
            format!(
                "unknown configuration attribute {name:?}: expected one of {}",
                known.join(", ")
            ),
        )
    }

    /// What went wrong.
    pub fn kind(&self) -> &ConfigErrorKind {
        &self.kind
    }

    /// The message without the `Config: … . Env: …` suffix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `Config: … . Env: …` suffix (empty when nothing was set).
    pub fn debug_suffix(&self) -> &str {
        &self.suffix
    }
}

/// Joins a message and the debug suffix the way the SDKs do: the message's trailing dots are
/// dropped, then `. ` and the suffix follow.
pub fn join_with_suffix(message: &str, suffix: &str) -> String {
    if suffix.is_empty() {
        message.to_owned()
    } else {
        format!("{}. {}", message.trim_end_matches('.'), suffix)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&join_with_suffix(&self.message, &self.suffix))
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ConfigErrorKind::ConfigFile(e) => Some(e),
            _ => None,
        }
    }
}
