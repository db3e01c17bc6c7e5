//! Sessions that end on the server: what `get_or_create` checks before it hands back a
//! cached session, and how callers tell that a session has ended.

use std::time::Duration;

use spark_connect_dataframe::SparkSession;
use spark_connect_transport::SessionEndReason;

use crate::Error;

/// A cached session idle at least this long is asked about on the server before
/// `get_or_create` hands it back (one `AnalyzePlan` round trip); one in use more recently is
/// taken as it is.
pub(crate) const CHECK_AFTER_IDLE: Duration = Duration::from_secs(10);

/// The longest `get_or_create` waits for that check; without an answer in time the cached
/// session is handed back (its next call reports what is wrong).
const CHECK_LIMIT: Duration = Duration::from_secs(5);

impl Error {
    /// Why the session ended, when this error says that it has: the server closed it (it was
    /// idle longer than the server's session timeout), the server or cluster restarted, or
    /// it was stopped. Such a session stays unusable; `get_or_create()` makes a new one.
    ///
    /// ```
    /// use databricks_connect::{Error, SessionEndReason};
    ///
    /// fn explain(e: &Error) -> String {
    ///     match e.session_end() {
    ///         Some(SessionEndReason::Closed) => "expired on the server".to_string(),
    ///         Some(reason) => format!("ended: {reason:?}"),
    ///         None => e.to_string(),
    ///     }
    /// }
    /// # let e = databricks_connect::DatabricksSession::builder().cluster_id("c").serverless().resolve().unwrap_err();
    /// # assert!(explain(&e).contains("cannot both be set"));
    /// ```
    pub fn session_end(&self) -> Option<&SessionEndReason> {
        match self {
            Error::Spark(e) => e.session_end(),
            _ => None,
        }
    }
}

/// Whether a cached session can be handed back: not known to have ended, and, when it has been
/// idle a while, still known to the server. Never fails: a check that gets no answer (server
/// busy, network) keeps the session.
pub(crate) async fn still_usable(session: &SparkSession) -> bool {
    if session.is_stopped() {
        return false;
    }
    let client = session.client();
    // A session that never talked to the server has nothing there that could have ended.
    if client.server_side_session_id().is_none()
        || client
            .idle_time()
            .is_none_or(|idle| idle < CHECK_AFTER_IDLE)
    {
        return true;
    }
    match tokio::time::timeout(CHECK_LIMIT, client.spark_version()).await {
        Ok(Err(e)) if e.session_end().is_some() => false,
        _ => !session.is_stopped(),
    }
}

#[cfg(test)]
mod tests {
    use crate::DatabricksSession;

    #[tokio::test]
    async fn get_or_create_never_hands_back_a_stopped_session() {
        // Nothing listens on port 1: stop() fails to reach the server, and the session counts
        // as ended all the same.
        let remote = "sc://127.0.0.1:1/;user_id=session-end-unit";
        let first = DatabricksSession::builder()
            .remote(remote)
            .get_or_create()
            .await
            .unwrap();
        assert!(first.stop().await.is_err());
        assert!(first.is_stopped());
        let second = DatabricksSession::builder()
            .remote(remote)
            .get_or_create()
            .await
            .unwrap();
        assert_ne!(second.session_id(), first.session_id());
        assert!(!second.is_stopped());
        // The new one is the cached one now.
        let third = DatabricksSession::builder()
            .remote(remote)
            .get_or_create()
            .await
            .unwrap();
        assert_eq!(third.session_id(), second.session_id());
        let refused = first.range(0, 1).count().await.unwrap_err();
        assert_eq!(
            refused.session_end(),
            Some(&crate::SessionEndReason::Stopped),
            "{refused:?}"
        );
    }
}
