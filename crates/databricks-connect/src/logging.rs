//! `SPARK_CONNECT_LOG_LEVEL`: logs to standard error, as Python's databricks-connect does.

use std::sync::Once;

/// The environment variable that turns logging on: `error`, `warn`, `info`, `debug` or
/// `trace`.
pub const LOG_LEVEL_ENV: &str = "SPARK_CONNECT_LOG_LEVEL";

/// Installs a formatter on standard error at the level `SPARK_CONNECT_LOG_LEVEL` names, once per
/// process. Does nothing when the variable is unset, or when the program already installed its
/// own `tracing` subscriber (that one keeps receiving the events). Secrets never reach the
/// logs: every value that could hold one is redacted before it is logged.
pub fn init_from_env() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let Ok(level) = std::env::var(LOG_LEVEL_ENV) else {
            return;
        };
        let level = match level.trim().to_ascii_lowercase().as_str() {
            "" | "off" | "none" => return,
            "error" => tracing::Level::ERROR,
            "warn" | "warning" => tracing::Level::WARN,
            "info" => tracing::Level::INFO,
            "debug" => tracing::Level::DEBUG,
            "trace" => tracing::Level::TRACE,
            other => {
                eprintln!(
                    "{LOG_LEVEL_ENV}={other} is not a level: expected error, warn, info, debug or trace; logging stays off"
                );
                return;
            }
        };
        let installed = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .try_init()
            .is_ok();
        if installed {
            tracing::debug!("Enabled {level} logs for databricks-connect");
        }
    });
}
