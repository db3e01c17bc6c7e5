//! The retry policies a Databricks session adds before the default one: waiting while a
//! cluster starts (and reporting the waits), and retrying `UNKNOWN` failures, as Python's
//! `databricks-connect` does.

use std::time::Duration;

use spark_connect_transport::{RetryEvent, RetryPolicy, ServerError};

use super::clusters::{ClusterState, ClusterWait, WaitObserver, format_wait};
use super::resolve::Compute;

/// The retry policy, tried before the default one, that waits while a cluster starts: Python
/// `databricks-connect`'s `DatabricksClusterWaitPolicy` (1 s doubling up to 30 s plus up to
/// 100 ms of jitter, a server's `RetryInfo` honoured up to 10 minutes), bounded in time by
/// `timeout` instead of Python's 60 retries (about 28 minutes).
pub(crate) const CLUSTER_WAIT_POLICY: &str = "databricks-cluster-wait";

/// The retry policy, tried after the cluster wait and before the default one, for `UNKNOWN`
/// failures: Python `databricks-connect`'s `DatabricksRetryUnknownsPolicy` (7 retries, 1 s
/// doubling up to 5 s plus up to 100 ms of jitter, about 30 s), for a Connect router or
/// service that is briefly unavailable.
pub(crate) const RETRY_UNKNOWNS_POLICY: &str = "databricks-retry-unknowns";

pub(super) fn retry_unknowns_policy() -> RetryPolicy {
    RetryPolicy::default()
        .named(RETRY_UNKNOWNS_POLICY)
        .retry_when(|e| e.code() == spark_connect_transport::Code::Unknown)
        .max_retries(7)
        .initial_backoff(Duration::from_secs(1))
        .multiplier(2.0)
        .max_backoff(Duration::from_secs(5))
        .jitter(Duration::from_millis(100), Duration::ZERO)
}

pub(super) fn cluster_wait_policy(timeout: Duration) -> RetryPolicy {
    RetryPolicy::default()
        .named(CLUSTER_WAIT_POLICY)
        .retry_when(is_cluster_starting)
        // Python counts 60 retries (about 28 minutes); here the configured time bounds the wait.
        .max_retries(u32::MAX)
        .initial_backoff(Duration::from_secs(1))
        .multiplier(2.0)
        .max_backoff(Duration::from_secs(30))
        .jitter(Duration::from_millis(100), Duration::ZERO)
        .max_server_delay(Duration::from_secs(600))
        .max_elapsed(Some(timeout))
        .give_up_hint(format!(
            "the cluster did not start within {} (cluster_start_timeout sets how long to wait)",
            format_wait(timeout)
        ))
}

/// A workspace's answer while the cluster of a call starts: `... is in unexpected state
/// Pending.`, or a single-user cluster limit, with the codes Databricks uses for them.
fn is_cluster_starting(e: &ServerError) -> bool {
    use spark_connect_transport::Code;
    matches!(
        e.code(),
        Code::Internal | Code::Aborted | Code::FailedPrecondition
    ) && (e.message().contains("is in unexpected state Pending")
        || e.message()
            .contains("RESOURCE_LIMIT_EXCEEDED: Only 1 cluster(s)"))
}

/// Logs the waits of the cluster-wait retry policy at `info` level and hands them to the
/// builder's observer.
pub(super) fn cluster_wait_logger(
    compute: Compute,
    observer: Option<WaitObserver>,
) -> impl Fn(&RetryEvent<'_>) + Send + Sync + 'static {
    let cluster = match compute {
        Compute::Cluster(id) => Some(id),
        Compute::Serverless { .. } => None,
    };
    move |event: &RetryEvent<'_>| {
        if event.policy() != CLUSTER_WAIT_POLICY {
            return;
        }
        tracing::info!(
            cluster_id = cluster.as_deref().unwrap_or("serverless"),
            rpc = event.rpc(),
            waited = %format_wait(event.elapsed()),
            next_attempt_in = ?event.wait(),
            "the cluster is starting; waiting"
        );
        if let Some(observer) = &observer {
            observer(&ClusterWait {
                cluster_id: cluster.clone(),
                state: ClusterState::Pending,
                waited: event.elapsed(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: tonic::Code, message: &str) -> ServerError {
        ServerError::from_status(&tonic::Status::new(code, message))
    }

    #[test]
    fn the_cluster_wait_rule_is_pythons() {
        use tonic::Code;
        for code in [Code::FailedPrecondition, Code::Internal, Code::Aborted] {
            assert!(is_cluster_starting(&status(
                code,
                "INVALID_STATE: Cluster 0123 is in unexpected state Pending."
            )));
            assert!(is_cluster_starting(&status(
                code,
                "RESOURCE_LIMIT_EXCEEDED: Only 1 cluster(s) can be started at a time"
            )));
        }
        for (code, message) in [
            (
                Code::Unavailable,
                "Cluster 0123 is in unexpected state Pending.",
            ),
            (
                Code::InvalidArgument,
                "Cluster 0123 is in unexpected state Pending.",
            ),
            (
                Code::FailedPrecondition,
                "Cluster 0123 is in unexpected state Terminating.",
            ),
            (Code::Internal, "[TABLE_OR_VIEW_NOT_FOUND] t"),
        ] {
            assert!(
                !is_cluster_starting(&status(code, message)),
                "{code:?} {message}"
            );
        }
    }

    #[test]
    fn the_wait_policies_have_pythons_constants_and_the_given_bound() {
        let p = cluster_wait_policy(Duration::from_secs(3600));
        let waits: Vec<_> = (0..7).map(|i| p.backoff_for(i).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30]);
        // Bounded by the time given, not by Python's 60 retries (about 28 minutes).
        assert_eq!(p.elapsed_limit(), Some(Duration::from_secs(3600)));
        assert!(p.retries() > 60 * 4);
        assert_eq!(
            p.hint(),
            Some(
                "the cluster did not start within 60m (cluster_start_timeout sets how long to wait)"
            )
        );
        let u = retry_unknowns_policy();
        assert_eq!(u.retries(), 7);
        let waits: Vec<_> = (0..4).map(|i| u.backoff_for(i).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 5]);
    }
}
