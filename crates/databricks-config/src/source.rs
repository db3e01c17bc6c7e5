//! Where an attribute's value came from.

use std::fmt;
use std::path::PathBuf;

/// Where an attribute's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// Set in code (a builder method, a command-line flag).
    Explicit,
    /// Read from an environment variable.
    Environment {
        /// The variable's name.
        var: String,
    },
    /// Read from a profile of the configuration file.
    ConfigFile {
        /// The file.
        path: PathBuf,
        /// The profile (section).
        profile: String,
        /// The 1-based line of the key.
        line: usize,
    },
    /// The profile name came from `default_profile` in the file's `[__settings__]` section.
    DefaultProfileSetting {
        /// The file.
        path: PathBuf,
    },
    /// Taken from the `?o=` or `?workspace_id=` query of the host URL.
    HostQuery,
    /// Set by an authentication provider or another library, which names itself.
    Other(String),
}

impl Source {
    /// A short machine-friendly label: `explicit`, `env`, `config-file`, `default-profile`,
    /// `host-query` or the library's name.
    pub fn label(&self) -> &str {
        match self {
            Source::Explicit => "explicit",
            Source::Environment { .. } => "env",
            Source::ConfigFile { .. } => "config-file",
            Source::DefaultProfileSetting { .. } => "default-profile",
            Source::HostQuery => "host-query",
            Source::Other(name) => name,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Explicit => f.write_str("explicit value"),
            Source::Environment { var } => write!(f, "environment variable {var}"),
            Source::ConfigFile {
                path,
                profile,
                line,
            } => write!(
                f,
                "config file {} profile {profile} (line {line})",
                path.display()
            ),
            Source::DefaultProfileSetting { path } => write!(
                f,
                "default_profile in [__settings__] of config file {}",
                path.display()
            ),
            Source::HostQuery => f.write_str("query of the host URL"),
            Source::Other(name) => f.write_str(name),
        }
    }
}
