//! What the tests of this workspace share: where to find the servers and tools that
//! `cargo xtask test` starts for them.
//!
//! `cargo xtask test` starts three local Spark Connect servers (see `docs/local-server.md`), prepares
//! a Python with PySpark's Spark Connect client for comparisons, and runs `cargo test --workspace`
//! with these environment variables set:
//!
//! | variable | value | read by |
//! |---|---|---|
//! | `SPARK_CONNECT_TEST_REMOTE` | `sc://127.0.0.1:<port>` of a server without authentication | [`test_remote`] |
//! | `SPARK_CONNECT_TEST_AUTH_REMOTE` | `sc://127.0.0.1:<port>` of a server that requires a bearer token | [`auth_remote`] |
//! | `SPARK_CONNECT_TEST_AUTH_TOKEN` | that token (new for every run) | [`auth_remote`] |
//! | `SPARK_CONNECT_TEST_SHORT_SESSION_REMOTE` | `sc://127.0.0.1:<port>` of a server without authentication that ends sessions idle for a few seconds | [`short_session_remote`] |
//! | `SPARK_CONNECT_TEST_SHORT_SESSION_TIMEOUT_MS` | that idle time, plus the interval of its checks, in milliseconds: a session idle this long has ended | [`short_session_remote`] |
//! | `DBCONNECT_TEST_PYTHON` | a Python interpreter with `pyspark[connect]` of the pinned Spark release | [`python`] |
//!
//! The servers listen on 127.0.0.1 only and speak plaintext gRPC; the URLs carry no parameters.
//! A test that needs one of them calls the function; when the variable is missing (the tests were
//! run with plain `cargo test`), the function panics with a message saying how to run them.
//!
//! To run a few tests repeatedly without restarting servers, start them once and set the variables
//! by hand:
//!
//! ```text
//! export SPARK_CONNECT_TEST_REMOTE=$(cargo xtask spark start --name test)
//! cargo test -p spark-connect-dataframe
//! ```
//!
//! Later additions: a TLS gateway that checks tokens and Databricks headers in front of the local
//! server, a proxy that injects faults, a real HTTP proxy ([`squid`], Debian's squid, which
//! `cargo xtask test` installs when missing), and a replay server (feature `replay`) that serves
//! recorded `ExecutePlan` responses for client-only benchmarks.

#[cfg(feature = "gateway")]
pub mod gateway;
#[cfg(feature = "old-server")]
pub mod old_server;
pub mod proxy;
#[cfg(feature = "replay")]
pub mod replay;
pub mod squid;

use std::ffi::OsString;
use std::path::PathBuf;

/// The URL of the plain local Spark Connect server.
pub const REMOTE_ENV: &str = "SPARK_CONNECT_TEST_REMOTE";
/// The URL of the local Spark Connect server that requires a bearer token.
pub const AUTH_REMOTE_ENV: &str = "SPARK_CONNECT_TEST_AUTH_REMOTE";
/// The bearer token that server requires.
pub const AUTH_TOKEN_ENV: &str = "SPARK_CONNECT_TEST_AUTH_TOKEN";
/// The Python interpreter with PySpark's Spark Connect client.
pub const PYTHON_ENV: &str = "DBCONNECT_TEST_PYTHON";
/// The URL of the local Spark Connect server that ends idle sessions after a few seconds.
pub const SHORT_SESSION_REMOTE_ENV: &str = "SPARK_CONNECT_TEST_SHORT_SESSION_REMOTE";
/// How long a session of that server may be idle before it has surely ended, in milliseconds.
pub const SHORT_SESSION_TIMEOUT_ENV: &str = "SPARK_CONNECT_TEST_SHORT_SESSION_TIMEOUT_MS";

/// `sc://127.0.0.1:<port>` of the local Spark Connect server without authentication.
///
/// # Panics
/// When `SPARK_CONNECT_TEST_REMOTE` is not set: the tests were not started by `cargo xtask test`.
pub fn test_remote() -> String {
    required(REMOTE_ENV, "the local Spark Connect server")
}

/// `(url, token)` of the local Spark Connect server that requires `authorization: Bearer <token>`.
///
/// # Panics
/// When `SPARK_CONNECT_TEST_AUTH_REMOTE` or `SPARK_CONNECT_TEST_AUTH_TOKEN` is not set.
pub fn auth_remote() -> (String, String) {
    const WHAT: &str = "the local Spark Connect server with a bearer token";
    (
        required(AUTH_REMOTE_ENV, WHAT),
        required(AUTH_TOKEN_ENV, WHAT),
    )
}

/// `(url, idle)` of the local Spark Connect server that ends sessions idle for a few seconds
/// (Spark's `spark.connect.session.manager.defaultSessionTimeout`, checked every second): a
/// session left idle for `idle` has ended on it, as a workspace ends idle sessions.
///
/// # Panics
/// When `SPARK_CONNECT_TEST_SHORT_SESSION_REMOTE` or `SPARK_CONNECT_TEST_SHORT_SESSION_TIMEOUT_MS`
/// is not set, or the latter is not a number of milliseconds.
pub fn short_session_remote() -> (String, std::time::Duration) {
    const WHAT: &str = "the local Spark Connect server with a short session timeout";
    let url = required(SHORT_SESSION_REMOTE_ENV, WHAT);
    let ms = required(SHORT_SESSION_TIMEOUT_ENV, WHAT);
    let ms: u64 = ms.parse().unwrap_or_else(|_| {
        panic!("{SHORT_SESSION_TIMEOUT_ENV} must be a number of milliseconds, found `{ms}`")
    });
    (url, std::time::Duration::from_millis(ms))
}

/// The Python interpreter whose `pyspark` is the Spark Connect client of the pinned release, for
/// comparing this client's results with PySpark's.
///
/// # Panics
/// When `DBCONNECT_TEST_PYTHON` is not set.
pub fn python() -> PathBuf {
    PathBuf::from(required(
        PYTHON_ENV,
        "the Python environment with PySpark's Spark Connect client",
    ))
}

/// Every file of the seed corpus of the fuzz target `target` (`fuzz/corpus/<target>/`), sorted,
/// with its bytes: the corpus-replay tests run each through the target's entry point.
/// Panics when the folder is missing or empty, so a moved corpus cannot pass by replaying
/// nothing.
pub fn fuzz_corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("corpus entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, bytes)
        })
        .collect()
}

fn required(name: &str, what: &str) -> String {
    match lookup(name, std::env::var_os(name), what) {
        Ok(value) => value,
        Err(message) => panic!("{message}"),
    }
}

/// The variable's value, or the message a test should fail with.
fn lookup(name: &str, value: Option<OsString>, what: &str) -> Result<String, String> {
    let hint =
        format!("run the tests with `cargo xtask test`, which starts {what} and sets {name}");
    match value {
        None => Err(format!("{name} is not set: {hint}")),
        Some(v) if v.is_empty() => Err(format!("{name} is empty: {hint}")),
        // Not echoed: the variable may hold a token.
        Some(v) => v
            .into_string()
            .map_err(|_| format!("{name} is not valid UTF-8: {hint}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_variable_is_returned() {
        let value = lookup(REMOTE_ENV, Some("sc://127.0.0.1:1".into()), "x");
        assert_eq!(value.unwrap(), "sc://127.0.0.1:1");
    }

    #[test]
    fn a_missing_variable_says_how_to_run_the_tests() {
        let err = lookup(REMOTE_ENV, None, "the local Spark Connect server").unwrap_err();
        assert_eq!(
            err,
            "SPARK_CONNECT_TEST_REMOTE is not set: run the tests with `cargo xtask test`, which starts the local Spark Connect server and sets SPARK_CONNECT_TEST_REMOTE"
        );
        let err = lookup(AUTH_TOKEN_ENV, Some(OsString::new()), "x").unwrap_err();
        assert!(err.starts_with(
            "SPARK_CONNECT_TEST_AUTH_TOKEN is empty: run the tests with `cargo xtask test`"
        ));
    }

    #[test]
    fn a_non_utf8_value_is_an_error_that_does_not_show_it() {
        use std::os::unix::ffi::OsStringExt;
        let err = lookup(
            AUTH_TOKEN_ENV,
            Some(OsString::from_vec(vec![b's', 0xff])),
            "x",
        )
        .unwrap_err();
        assert!(
            err.starts_with("SPARK_CONNECT_TEST_AUTH_TOKEN is not valid UTF-8"),
            "{err}"
        );
    }
}
