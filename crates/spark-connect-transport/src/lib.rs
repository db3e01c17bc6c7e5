//! The transport layer of a Spark Connect client.
//!
//! It owns the `sc://` [`ConnectionString`], the HTTP/2 channel (plaintext or TLS with the
//! platform's roots, `SSL_CERT_FILE`/`SSL_CERT_DIR`, and extra CA certificates), the session
//! identity sent with every request (`session_id`, `user_context`, `client_type`), request
//! metadata (static headers plus a per-call [`HeaderSource`]), HTTP/2 keep-alive and deadlines
//! ([`KeepAlive`], [`ClientBuilder::stream_idle_timeout`], [`ClientBuilder::request_timeout`]),
//! HTTP proxies ([`ClientBuilder::proxy`]; by default from `HTTPS_PROXY`, `grpc_proxy`, ...),
//! retries ([`RetryPolicy`]), reattachable executions ([`ExecuteStream`]), interrupts, typed
//! server errors ([`ServerError`]), and the one walk over a plan's relations, expressions and
//! commands ([`plan_walk`]). It knows nothing of DataFrames or of Databricks.
//!
//! ```no_run
//! use spark_connect_transport::{ConnectionString, SparkConnectClient};
//!
//! # async fn demo() -> Result<(), spark_connect_transport::Error> {
//! let conn: ConnectionString = "sc://127.0.0.1:15002".parse()?;
//! let client = SparkConnectClient::new(conn)?;
//! println!("Spark {}", client.spark_version().await?);
//! # Ok(())
//! # }
//! ```

#![warn(missing_docs)]

mod artifacts;
mod channel;
mod cleanup;
mod client;
mod connection_string;
mod error;
mod execute;
mod kind;
mod plan_features;
pub mod plan_walk;
mod responses;
mod retry;
mod versions;

pub use artifacts::{ARTIFACT_CHUNK_SIZE, Artifact};
pub use cleanup::{DEFAULT_EXIT_CLEANUP_LIMIT, flush_cleanup, set_exit_cleanup_limit};
pub use client::{
    ClientBuilder, DEFAULT_MAX_FRAME_SIZE, DEFAULT_REQUEST_TIMEOUT, DEFAULT_STREAM_IDLE_TIMEOUT,
    DEFAULT_STREAM_WINDOW, DEFAULT_USER_AGENT, Header, HeaderSource, HeadersFuture, KeepAlive,
    MAX_USER_AGENT_LENGTH, SparkConnectClient, check_user_agent, unexpected,
};
pub use connection_string::{
    ConnectionString, ConnectionStringError, DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_PORT,
    KeepAliveParams, TOKEN_ENV_VAR, is_secret_key,
};
pub use error::{
    BoxError, Error, ErrorCause, QueryContext, ServerError, ServerErrorKind, SessionEndReason,
    with_causes,
};
pub use execute::ExecuteStream;
pub use kind::{ErrorKind, HeaderSourceError, proxy_kind};
pub use responses::PayloadPlacement;
pub use retry::{RetryEvent, RetryPolicy};
/// gRPC status codes, as [`ServerError::code`] gives them.
pub use tonic::Code;
pub use versions::{Feature, ServerVersion, SparkVersion};

/// HTTP proxies: the rules that choose one (`HTTPS_PROXY`, `grpc_proxy`, `NO_PROXY`, ...),
/// [`ProxyConfig`](proxy::ProxyConfig) for [`ClientBuilder::proxy`], and the errors of a proxy
/// that refuses. The same crate chooses proxies for the REST calls of the Databricks crates.
pub use connect_proxy as proxy;

/// The generated protocol types, re-exported so that users of this crate need no other
/// dependency to build plans.
pub use spark_connect_proto::spark::connect as proto;

/// The examples of the crate's README.md, compiled and run as doctests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
