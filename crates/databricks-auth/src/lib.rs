//! Databricks authentication: credentials providers and the default chain of the Databricks
//! SDKs, turning a resolved [`databricks_config::Config`] into request headers.
//!
//! A [`CredentialsProvider`] looks at a `Config` and either applies (it returns a
//! [`HeaderSource`], asked for fresh headers on every request) or does not (the chain tries the
//! next one). [`CredentialsChain::default`] tries, in the SDKs' order, the providers this crate
//! implements so far: `pat`, `basic`, `metadata-service`, `oauth-m2m`, `env-oidc`, `file-oidc`,
//! `azure-client-secret`, `azure-cli`, `external-browser` (U2M, only when `auth_type` asks for
//! it), `databricks-cli`.
//! `auth_type` forces one. OAuth tokens are cached by [`CachedTokenSource`], which refreshes them
//! in the background before they expire.
//!
//! Not implemented yet (forcing them fails with "not implemented yet"): the other SDK types
//! listed in [`NOT_YET_IMPLEMENTED`] (`azure-msi`, GitHub and Azure DevOps OIDC, Google, ...).
//!
//! Every HTTP request goes through a [`RestClient`], which uses the HTTP proxy that the
//! configuration's environment names (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, ...; the
//! `connect-proxy` crate's rules, shared with the gRPC channel) and says clearly when the proxy
//! refuses.
//!
//! This crate knows nothing of gRPC or DataFrames.
//!
//! ```
//! use databricks_auth::{AuthErrorKind, CredentialsChain};
//! use databricks_config::{Config, Environment};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let cfg = Config::builder()
//!     .env(Environment::from_map([
//!         ("DATABRICKS_HOST", "dbc-123.cloud.databricks.com"),
//!         ("DATABRICKS_USERNAME", "me"),
//!         ("DATABRICKS_PASSWORD", "pw"),
//!     ]))
//!     .build()?;
//! let credentials = CredentialsChain::default().resolve(&cfg).await?;
//! assert_eq!(credentials.auth_type(), "basic");
//! let headers = credentials.header_source().headers().await?;
//! assert_eq!(headers.get("authorization"), Some("Basic bWU6cHc="));
//!
//! // Nothing applies: the SDKs' message, with the configuration (secrets hidden).
//! let cfg = Config::builder()
//!     .env(Environment::from_map([("DATABRICKS_HOST", "x")]))
//!     .build()?;
//! let err = CredentialsChain::default().resolve(&cfg).await.unwrap_err();
//! assert!(matches!(err.kind(), AuthErrorKind::NoCredentials { .. }));
//! assert!(err.to_string().starts_with("default auth: cannot configure default credentials, please check"));
//! assert!(err.to_string().ends_with("authentication method. Config: host=https://x. Env: DATABRICKS_HOST"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

#![warn(missing_docs)]

mod cli_token_cache;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod headers;
mod http;
mod provider;
pub mod providers;
mod rest;
mod time;
mod token;

pub use error::{AuthError, AuthErrorKind};
pub use headers::{AuthHeaders, BoxFuture, HeaderSource, StaticHeaders};
pub use provider::{
    AUTH_DOCS_URL, Configured, Credentials, CredentialsChain, CredentialsProvider,
    NOT_YET_IMPLEMENTED, resolve,
};
pub use rest::{RestClient, RestError, RestErrorKind};
pub use token::{
    CachedTokenSource, EXPIRY_MARGIN, MAX_STALE_WINDOW, Token, TokenHeaderSource, TokenSource,
};

/// The examples of the crate's README.md, compiled and run as doctests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
