//! Ctrl-C: stopping a statement on the server, not only here.
//!
//! A statement runs with a tag of its own. On Ctrl-C the server is asked to interrupt the
//! operations with that tag (its answer names them), then the statement's future is dropped,
//! which releases its operation on the server, and that release is waited for too: all in at
//! most [`CANCEL_WAIT`]. A second Ctrl-C stops waiting at once.

use std::future::Future;
use std::time::Duration;

use databricks_connect::SparkSession;

/// How long Ctrl-C waits for the server to confirm that the statement stopped.
pub const CANCEL_WAIT: Duration = Duration::from_secs(5);

/// What the server said after Ctrl-C.
#[derive(Debug)]
pub enum Stopped {
    /// The server answered the interrupt (with the operations it stopped, maybe none when the
    /// statement had not started or had just finished) and the release.
    Confirmed(Vec<String>),
    /// No confirmation within [`CANCEL_WAIT`], or the server refused: why.
    Unconfirmed(String),
    /// A second Ctrl-C: not waiting for the server.
    NotWaited,
}

/// A tag for one statement of this process (tags must not contain `,`).
pub fn statement_tag(n: u64) -> String {
    format!("dbconnect-{}-{n}", std::process::id())
}

/// Stops the statement tagged `tag`, whose unfinished future is `running`, on the server (see
/// the module's documentation). `running` is dropped before this returns.
pub async fn stop_on_server<F: Future>(spark: &SparkSession, tag: &str, running: F) -> Stopped {
    let confirm = async move {
        let interrupted = spark.interrupt_tag(tag).await;
        // Dropping the statement releases its operation (which also interrupts it, should
        // the interrupt have come before the server registered it).
        drop(running);
        let released = spark_connect_transport::flush_cleanup(CANCEL_WAIT).await;
        match interrupted {
            Ok(ids) if released => Stopped::Confirmed(ids),
            Ok(_) => Stopped::Unconfirmed("the server did not answer the release".into()),
            // An ended session runs nothing.
            Err(e) if e.session_end().is_some() => Stopped::Confirmed(Vec::new()),
            // A server that refuses interrupts by tag (one without them) answered the release,
            // which stops the query too.
            Err(e) if e.server_error().is_some() && released => Stopped::Confirmed(Vec::new()),
            Err(e) => Stopped::Unconfirmed(crate::error::with_sources(&e)),
        }
    };
    tokio::select! {
        result = tokio::time::timeout(CANCEL_WAIT, confirm) => match result {
            Ok(stopped) => stopped,
            Err(_) => Stopped::Unconfirmed(format!(
                "no answer from the server within {} s",
                CANCEL_WAIT.as_secs()
            )),
        },
        _ = tokio::signal::ctrl_c() => Stopped::NotWaited,
    }
}
