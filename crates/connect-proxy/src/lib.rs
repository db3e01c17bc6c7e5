//! HTTP CONNECT proxies, as corporate networks require them: which proxy a connection goes
//! through, and the tunnel through it.
//!
//! One rule table serves the gRPC channel (`spark-connect-transport`) and every REST call of the
//! Databricks crates (OIDC, token endpoints, Clusters API, Azure), so both always agree on
//! whether a host is proxied. The rules are those of gRPC's C core and curl, which Python's
//! `databricks-connect` and the Databricks SDKs follow:
//!
//! | target | variables, first one set wins |
//! |---|---|
//! | TLS (`https`) | `grpc_proxy` (gRPC channel only), `HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`, `all_proxy` |
//! | plaintext (`http`) | `grpc_proxy` (gRPC channel only), `HTTP_PROXY`, `http_proxy`, `ALL_PROXY`, `all_proxy` |
//! | exclusions | `no_grpc_proxy` (gRPC channel only), `NO_PROXY`, `no_proxy` |
//!
//! An empty variable counts as unset. Exclusions are comma-separated host names (`example.com`
//! and `.example.com` both match the name and its subdomains), IP addresses, CIDR blocks
//! (`10.0.0.0/8`) or `*` (everything); NO_PROXY matching is hyper-util's `Matcher`, the one
//! reqwest uses. There is no implicit exclusion of `localhost` or loopback addresses (gRPC
//! core and reqwest have none either): put them in `NO_PROXY` when a proxy is set and local
//! servers must be reached directly. `HTTP_PROXY` (upper case) is ignored when
//! `REQUEST_METHOD` is set, as curl and reqwest do in CGI programs.
//!
//! A proxy URL is `http://[user[:password]@]host[:port]` (the port defaults to 80, a missing
//! scheme means `http`); user and password are percent-decoded and sent as
//! `Proxy-Authorization: Basic`. They never appear in `Debug`, `Display`, logs or errors: a
//! proxy is shown as `http://user@host:port`. `https://` and `socks*://` proxies are refused
//! with an error naming the variable.
//!
//! ```
//! use connect_proxy::{Caller, ProxyConfig, ProxyEnv};
//!
//! let env = ProxyEnv::from_vars([
//!     ("HTTPS_PROXY", "http://alice:s3cret@proxy.corp:3128"),
//!     ("NO_PROXY", ".internal.corp,10.0.0.0/8"),
//! ]);
//! let rules = ProxyConfig::from_env(env, Caller::Http);
//! let proxy = rules.proxy_for(true, "adb-123.azuredatabricks.net", 443)?.expect("proxied");
//! assert_eq!(proxy.to_string(), "http://alice@proxy.corp:3128 (from HTTPS_PROXY)");
//! assert!(rules.proxy_for(true, "git.internal.corp", 443)?.is_none());
//! assert!(rules.proxy_for(true, "10.1.2.3", 443)?.is_none());
//! # Ok::<(), connect_proxy::ProxyError>(())
//! ```
//!
//! [`connect`] opens the tunnel (`CONNECT host:port`), and its [`ProxyError`] says what the
//! proxy answered: credentials refused (407), tunnel forbidden (403), another status, or the
//! proxy unreachable.

#![warn(missing_docs)]

mod env;
mod error;
mod rules;
mod tunnel;

pub use env::{ProxyEnv, VARIABLES};
pub use error::{ProxyError, ProxyErrorKind};
pub use rules::{Caller, Proxy, ProxyConfig, ProxySource};
pub use tunnel::{Tunnel, connect};

/// The examples of the crate's README.md, compiled and run as doctests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
