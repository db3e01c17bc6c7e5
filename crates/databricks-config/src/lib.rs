//! Databricks unified configuration, resolved exactly as the Databricks SDKs (Go, Python) and
//! the Databricks CLI resolve it.
//!
//! A [`Config`] holds the attributes that say where a Databricks workspace is and how to
//! authenticate to it (`host`, `token`, `client_id`, `azure_tenant_id`, `cluster_id`, ...).
//! They come from explicit values, `DATABRICKS_*` / `ARM_*` environment variables and
//! `~/.databrickscfg` profiles, in that order of precedence. One table ([`ATTRIBUTES`]) lists
//! every attribute with its environment variables, authentication group and whether it is a
//! secret; loading, validation, redaction and error text are all driven by it.
//!
//! This crate knows nothing of HTTP, gRPC or token exchange: `databricks-auth` turns a `Config`
//! into credentials.
//!
//! ```
//! use databricks_config::{Config, ConfigKey, Environment, Source};
//!
//! # let dir = std::env::temp_dir().join(format!("dbcfg-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # let home = dir.to_str().unwrap();
//! std::fs::write(
//!     format!("{home}/.databrickscfg"),
//!     "[dev]\nhost = https://dbc-123.cloud.databricks.com/\ntoken = dapi-example\n",
//! )?;
//!
//! let cfg = Config::builder()
//!     .profile("dev")
//!     .env(Environment::from_map([("HOME", home), ("DATABRICKS_CLUSTER_ID", "0123-4567")]))
//!     .build()?;
//!
//! assert_eq!(cfg.host(), Some("https://dbc-123.cloud.databricks.com"));
//! assert_eq!(cfg.cluster_id(), Some("0123-4567"));
//! assert!(matches!(cfg.source(ConfigKey::Token), Some(Source::ConfigFile { .. })));
//! // Secrets never show in Debug or Display.
//! assert!(!format!("{cfg:?} {cfg}").contains("dapi-example"));
//!
//! // A profile that does not exist fails with the SDKs' message.
//! let err = Config::builder()
//!     .profile("prod")
//!     .env(Environment::from_map([("HOME", home)]))
//!     .build()
//!     .unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     format!("resolve: {home}/.databrickscfg has no prod profile configured. Config: profile=prod")
//! );
//! # std::fs::remove_dir_all(&dir).unwrap();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod attributes;
mod cloud;
mod config;
mod env;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod host;
mod ini;
mod source;

pub use attributes::{ATTRIBUTES, AttributeSpec, ConfigKey, ValueKind};
pub use cloud::{AzureCloud, Cloud, cloud_of_hostname};
pub use config::{Config, ConfigBuilder, DEFAULT_CONFIG_FILE, DEFAULT_SCOPE, ResolvedAttribute};
pub use env::Environment;
pub use error::{ConfigError, ConfigErrorKind, join_with_suffix};
pub use host::{NormalizedHost, normalize_host};
pub use ini::{ConfigFile, DEFAULT_SECTION, IniError, SETTINGS_SECTION, Section};
pub use source::Source;

/// The examples of the crate's README.md, compiled and run as doctests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
