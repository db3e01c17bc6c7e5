//! End-to-end tests against the real local Spark Connect servers that `cargo xtask test`
//! starts: one plain (`SPARK_CONNECT_TEST_REMOTE`) and one that checks a bearer token
//! (`SPARK_CONNECT_TEST_AUTH_REMOTE`, `SPARK_CONNECT_TEST_AUTH_TOKEN`).

mod api_arguments;
mod api_artifacts;
mod api_catalog;
mod api_functions;
mod api_io;
mod api_local;
mod api_relational;
mod api_reshape;
mod api_rows;
mod api_shortcuts;
mod api_streaming;
mod api_typed;
mod api_window;
mod auth;
mod databricks;
mod dataframe;
mod errors;
mod perf;
mod progress;
mod proxy;
mod reliability;
mod reliability_exit;
mod reliability_reattach;
mod reliability_server;
mod secrets_trace;
mod session_end;
mod tls;
mod types;
mod workspace;

use databricks_connect::{DatabricksSession, SparkSession};

/// A fresh session on the plain test server; each test gets its own, so settings and
/// temporary views never leak between tests.
pub async fn session() -> SparkSession {
    DatabricksSession::builder()
        .remote(test_support::test_remote())
        .create()
        .await
        .expect("session on the test server")
}
