//! End-to-end tests against the real local Spark Connect servers that `cargo xtask test`
//! starts: one plain (`SPARK_CONNECT_TEST_REMOTE`) and one that checks a bearer token
//! (`SPARK_CONNECT_TEST_AUTH_REMOTE`, `SPARK_CONNECT_TEST_AUTH_TOKEN`).

mod api_arguments;
mod api_artifacts;
mod api_catalog;
mod api_functions;
mod api_io;
mod api_local;
#[cfg(feature = "polars")]
mod api_polars;
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
#[cfg(feature = "datafusion")]
mod datafusion;
mod errors;
mod perf;
mod progress;
mod proxy;
mod reliability;
mod reliability_exit;
mod reliability_reattach;
mod reliability_server;
mod secrets_trace;
mod server_versions;
mod session_end;
mod tls;
mod types;
mod workspace;

use std::path::PathBuf;

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

/// A fresh session whose time zone is UTC, for tests that compare dates and timestamps.
pub async fn utc_session() -> SparkSession {
    let spark = session().await;
    spark
        .conf()
        .set("spark.sql.session.timeZone", "UTC")
        .await
        .expect("the time zone setting is accepted");
    spark
}

/// A fresh directory for one test (the server and the test run on one machine); removed when
/// dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new directory whose name starts with `test`, unique to this process and call.
    pub fn new(test: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "e2e_{test}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temporary directory");
        TempDir(dir)
    }

    /// A path inside the directory, as text for the server.
    pub fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().expect("UTF-8 path").to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
