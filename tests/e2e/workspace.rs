//! Databricks as a workspace behaves, through the test gateway in front of the real local Spark
//! server: clusters that start on demand and are waited for, the start race two clients meet,
//! bounded waits, auto-start turned off, unusable clusters; and the headers a workspace
//! expects (org id, serverless usage policy).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use databricks_connect::config::Environment;
use databricks_connect::{
    ClusterError, ClusterState, ClusterWait, DatabricksSession, DatabricksSessionBuilder, Error,
    SparkSession,
};
use test_support::gateway::{Gateway, GatewayConfig};

const PAT: &str = "dapi-e2e-workspace-0123456789";

fn gateway_config() -> GatewayConfig {
    GatewayConfig::new(&test_support::test_remote()).pat(PAT)
}

fn builder(gw: &Gateway, cluster: &str) -> DatabricksSessionBuilder {
    DatabricksSession::builder()
        .host(gw.url())
        .token(PAT)
        .cluster_id(cluster)
        // Nothing from this process's environment or home decides anything here.
        .environment(Environment::from_map([("HOME", "/nonexistent-e2e-home")]))
}

/// The waits an observer saw.
#[derive(Clone, Default)]
struct Waits(Arc<Mutex<Vec<ClusterWait>>>);

impl Waits {
    fn observer(&self) -> impl Fn(&ClusterWait) + Send + Sync + 'static {
        let seen = self.0.clone();
        move |wait: &ClusterWait| seen.lock().unwrap().push(wait.clone())
    }

    fn states(&self) -> Vec<ClusterState> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|w| w.state.clone())
            .collect()
    }

    /// Checks that the wait began in `first`, passed through `via` and ended `RUNNING`.
    fn went(&self, first: ClusterState, via: ClusterState) {
        let states = self.states();
        assert_eq!(states.first(), Some(&first), "{states:?}");
        assert!(states.contains(&via), "{states:?}");
        assert_eq!(states.last(), Some(&ClusterState::Running), "{states:?}");
    }
}

async fn answer(spark: &SparkSession, sql: &str) -> i64 {
    let batches = spark.sql(sql).await.unwrap().collect().await.unwrap();
    let column = arrow_cast::cast(batches[0].column(0), &arrow_schema::DataType::Int64).unwrap();
    column
        .as_any()
        .downcast_ref::<arrow_array::Int64Array>()
        .expect("a bigint column")
        .value(0)
}

fn executions(gw: &Gateway) -> usize {
    gw.calls()
        .iter()
        .filter(|c| c.method == "ExecutePlan")
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_terminated_cluster_is_started_waited_for_and_then_answers() {
    let cluster = "0123-e2e-terminated";
    let gw = Gateway::start(
        gateway_config()
            .cluster(cluster, "TERMINATED")
            .cluster_start_time(Some(Duration::from_secs(3))),
    )
    .await;
    let waits = Waits::default();
    let started = Instant::now();
    let spark = builder(&gw, cluster)
        .on_cluster_wait(waits.observer())
        .create()
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "the session waited for the cluster"
    );
    assert_eq!(
        gw.cluster_starts(cluster),
        1,
        "started once, through the API"
    );
    assert_eq!(gw.cluster_state(cluster).as_deref(), Some("RUNNING"));
    waits.went(ClusterState::Terminated, ClusterState::Pending);
    assert_eq!(answer(&spark, "SELECT 41 + 1").await, 42);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_validation_the_first_call_starts_the_cluster_and_waits() {
    let cluster = "0123-e2e-lazy";
    let gw = Gateway::start(
        gateway_config()
            .cluster(cluster, "TERMINATED")
            .cluster_start_time(Some(Duration::from_secs(3))),
    )
    .await;
    let waits = Waits::default();
    let spark = builder(&gw, cluster)
        .validate_session(false)
        .on_cluster_wait(waits.observer())
        .create()
        .await
        .unwrap();
    assert_eq!(gw.cluster_starts(cluster), 0, "nothing sent yet");
    let started = Instant::now();
    assert_eq!(answer(&spark, "SELECT 7").await, 7);
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert_eq!(
        gw.cluster_starts(cluster),
        1,
        "the workspace started it for the call"
    );
    let refused = gw
        .calls()
        .iter()
        .filter(|c| c.get("x-databricks-cluster-id") == Some(cluster))
        .count();
    assert!(
        refused >= 2,
        "the call was tried again while the cluster started"
    );
    let states = waits.states();
    assert!(
        !states.is_empty() && states.iter().all(|s| *s == ClusterState::Pending),
        "{states:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_call_waits_while_the_cluster_restarts_not_only_the_first() {
    let cluster = "0123-e2e-restarts";
    let gw = Gateway::start(
        gateway_config()
            .cluster(cluster, "RUNNING")
            .cluster_start_time(Some(Duration::from_secs(2))),
    )
    .await;
    let spark = builder(&gw, cluster).create().await.unwrap();
    assert_eq!(answer(&spark, "SELECT 1").await, 1);
    // The cluster restarts under the session: analysis and execution both wait for it.
    gw.set_cluster_state(cluster, "RESTARTING");
    let df = spark.sql("SELECT 2").await.unwrap();
    assert_eq!(gw.cluster_state(cluster).as_deref(), Some("RUNNING"));
    gw.set_cluster_state(cluster, "PENDING");
    let batches = df.collect().await.unwrap();
    assert_eq!(batches[0].num_rows(), 1);
    // Then it stops: the next call starts it again.
    gw.set_cluster_state(cluster, "TERMINATED");
    assert_eq!(answer(&spark, "SELECT 3").await, 3);
    assert_eq!(gw.cluster_starts(cluster), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_clients_starting_one_cluster_both_wait_for_it() {
    let cluster = "0123-e2e-race";
    let gw = Gateway::start(
        gateway_config()
            .cluster(cluster, "TERMINATED")
            .cluster_start_time(Some(Duration::from_secs(2))),
    )
    .await;
    let (a, b) = tokio::join!(
        builder(&gw, cluster).create(),
        builder(&gw, cluster).create()
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(
        gw.cluster_starts(cluster),
        1,
        "one start; the other met INVALID_STATE"
    );
    assert_eq!(
        answer(&a, "SELECT 1").await + answer(&b, "SELECT 2").await,
        3
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_start_that_another_client_made_first_is_waited_for() {
    // The check sees TERMINATED, but by the start another client has started the cluster:
    // the Clusters API answers INVALID_STATE "... is in unexpected state Pending.".
    let cluster = "0123-e2e-stale";
    let gw = Gateway::start(
        gateway_config()
            .cluster(cluster, "PENDING")
            .cluster_start_time(Some(Duration::from_secs(2))),
    )
    .await;
    gw.report_cluster_state_once(cluster, "TERMINATED");
    let spark = builder(&gw, cluster).create().await.unwrap();
    assert_eq!(
        gw.cluster_start_conflicts(cluster),
        1,
        "the start met the race"
    );
    assert_eq!(gw.cluster_starts(cluster), 0, "and started nothing itself");
    assert_eq!(answer(&spark, "SELECT 4").await, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopping_cluster_is_waited_out_then_started() {
    let cluster = "0123-e2e-stopping";
    let gw = Gateway::start(
        gateway_config()
            .cluster(cluster, "TERMINATING")
            .cluster_start_time(Some(Duration::from_secs(2))),
    )
    .await;
    let waits = Waits::default();
    let spark = builder(&gw, cluster)
        .on_cluster_wait(waits.observer())
        .create()
        .await
        .unwrap();
    assert_eq!(gw.cluster_starts(cluster), 1);
    waits.went(ClusterState::Terminating, ClusterState::Terminated);
    assert_eq!(answer(&spark, "SELECT 11").await, 11);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cluster_that_stays_pending_past_the_wait_is_a_clear_error() {
    let cluster = "0123-e2e-stuck";
    let gw = Gateway::start(
        gateway_config()
            .cluster(cluster, "TERMINATED")
            .cluster_start_time(None),
    )
    .await;
    let started = Instant::now();
    let e = builder(&gw, cluster)
        .cluster_start_timeout(Duration::from_secs(3))
        .create()
        .await
        .unwrap_err();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_secs(15),
        "{waited:?}"
    );
    let Error::Cluster(ClusterError::StartTimeout { state, .. }) = &e else {
        panic!("expected a start timeout, got {e:?}");
    };
    assert_eq!(*state, ClusterState::Pending);
    let message = e.to_string();
    assert!(
        message.contains(&format!(
            "cluster {cluster} did not reach RUNNING within 3s"
        )) && message.contains("cluster_start_timeout"),
        "{message}"
    );
    assert!(!message.contains(PAT));

    // Without validation, the query's own wait is bounded the same way.
    let spark = builder(&gw, cluster)
        .validate_session(false)
        .cluster_start_timeout(Duration::from_secs(3))
        .create()
        .await
        .unwrap();
    let started = Instant::now();
    let e = spark.sql("SELECT 1").await.unwrap_err();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(3) && waited < Duration::from_secs(15),
        "{waited:?}"
    );
    let message = e.to_string();
    assert!(
        message.contains("is in unexpected state Pending")
            && message.contains("the cluster did not start within 3s (cluster_start_timeout"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_start_off_gives_a_clear_error_at_once() {
    let cluster = "0123-e2e-off";
    let gw = Gateway::start(gateway_config().cluster(cluster, "TERMINATED")).await;
    let started = Instant::now();
    let e = builder(&gw, cluster)
        .auto_start_cluster(false)
        .create()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(
            &e,
            Error::Cluster(ClusterError::NotRunning {
                state: ClusterState::Terminated,
                ..
            })
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains(&format!("cluster {cluster} is TERMINATED"))
    );
    assert_eq!(gw.cluster_starts(cluster), 0, "never started");

    // Calls do not wait either: the workspace's answer comes back at once.
    let spark = builder(&gw, cluster)
        .auto_start_cluster(false)
        .validate_session(false)
        .create()
        .await
        .unwrap();
    let started = Instant::now();
    let e = spark.sql("SELECT 1").await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        e.to_string().contains("is in unexpected state Pending"),
        "{e}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn deleted_errored_and_unknown_clusters_stay_clear_errors() {
    let gw = Gateway::start(
        gateway_config()
            .cluster("0123-e2e-error", "ERROR")
            .cluster("0123-e2e-unknown-state", "UNKNOWN"),
    )
    .await;
    let e = builder(&gw, "0123-e2e-unknown-state")
        .create()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Cluster(ClusterError::Unusable {
                state: ClusterState::Unknown,
                ..
            })
        ),
        "{e:?}"
    );
    let e = builder(&gw, "0123-e2e-error").create().await.unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Cluster(ClusterError::Unusable {
                state: ClusterState::Error,
                ..
            })
        ),
        "{e:?}"
    );
    // A deleted cluster is one the workspace no longer knows.
    let e = builder(&gw, "0123-e2e-deleted").create().await.unwrap_err();
    assert!(
        matches!(&e, Error::Cluster(ClusterError::NotFound { .. })),
        "{e:?}"
    );
    assert!(e.to_string().contains("does not exist"), "{e}");
    assert_eq!(executions(&gw), 0, "no query reached an unusable cluster");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_org_id_header_names_the_workspace() {
    let cluster = "0123-e2e-org";
    let gw = Gateway::start(
        gateway_config()
            .cluster(cluster, "RUNNING")
            .workspace_id("6051921418418893"),
    )
    .await;
    // From the host's ?o= query.
    let spark = DatabricksSession::builder()
        .host(format!("{}/?o=6051921418418893", gw.url()))
        .token(PAT)
        .cluster_id(cluster)
        .environment(Environment::from_map([("HOME", "/nonexistent-e2e-home")]))
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 5").await, 5);
    // From DATABRICKS_WORKSPACE_ID.
    let spark = DatabricksSession::builder()
        .host(gw.url())
        .token(PAT)
        .cluster_id(cluster)
        .environment(Environment::from_map([
            ("HOME", "/nonexistent-e2e-home"),
            ("DATABRICKS_WORKSPACE_ID", "6051921418418893"),
        ]))
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 6").await, 6);
    let calls = gw.calls();
    assert!(
        calls
            .iter()
            .all(|c| c.get("x-databricks-org-id") == Some("6051921418418893")),
        "every call names the workspace"
    );
    // Another workspace's id is refused by the gateway, as by a workspace.
    let spark = builder(&gw, cluster)
        .validate_session(false)
        .header("x-databricks-org-id", "1111")
        .create()
        .await
        .unwrap();
    let e = spark.sql("SELECT 1").await.unwrap_err();
    assert!(e.to_string().contains("not this workspace's"), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
async fn serverless_usage_policies_reach_the_workspace() {
    let gw = Gateway::start(gateway_config().usage_policies(&["policy-ok"])).await;
    let serverless = |env: Environment| {
        DatabricksSession::builder()
            .host(gw.url())
            .token(PAT)
            .environment(env)
    };
    let home = || ("HOME", "/nonexistent-e2e-home");
    let spark = serverless(Environment::from_map([home()]))
        .serverless_usage_policy("policy-ok")
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 8").await, 8);
    let spark = serverless(Environment::from_map([
        home(),
        ("DATABRICKS_USAGE_POLICY_ID", "policy-ok"),
    ]))
    .serverless()
    .create()
    .await
    .unwrap();
    assert_eq!(answer(&spark, "SELECT 9").await, 9);
    let calls = gw.calls();
    assert!(!calls.is_empty());
    for call in &calls {
        assert_eq!(
            call.get("x-databricks-explicit-usage-policy-id"),
            Some("policy-ok")
        );
        assert_eq!(
            call.get("x-databricks-org-id"),
            None,
            "no workspace id configured"
        );
    }
    // A policy the caller may not use is refused by the workspace.
    let spark = serverless(Environment::from_map([home()]))
        .serverless_usage_policy("policy-unknown")
        .create()
        .await
        .unwrap();
    let e = spark.sql("SELECT 1").await.unwrap_err();
    assert!(e.to_string().contains("usage policy policy-unknown"), "{e}");
    // Without one, none is sent.
    let spark = serverless(Environment::from_map([home()]))
        .serverless()
        .create()
        .await
        .unwrap();
    let before = gw.calls().len();
    assert_eq!(answer(&spark, "SELECT 10").await, 10);
    assert!(
        gw.calls()[before..]
            .iter()
            .all(|c| c.get("x-databricks-explicit-usage-policy-id").is_none())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_user_agent_over_2048_characters_is_refused_before_anything_is_sent() {
    let gw = Gateway::start(gateway_config().cluster("c", "RUNNING")).await;
    let e = builder(&gw, "c")
        .user_agent("x".repeat(2049))
        .create()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::InvalidParameter {
                parameter: "user_agent",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(gw.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn custom_headers_go_with_spark_remote_and_the_resolved_cluster_wins_over_one() {
    let cluster = "0123-e2e-headers";
    let gw = Gateway::start(gateway_config().cluster(cluster, "RUNNING")).await;
    // SPARK_REMOTE with a custom header: Python drops the header, this client sends it.
    let remote = format!(
        "sc://127.0.0.1:{}/;use_ssl=true;token={PAT};x-databricks-cluster-id={cluster}",
        gw.port()
    );
    let spark = DatabricksSession::builder()
        .environment(Environment::from_map([
            ("HOME", "/nonexistent-e2e-home"),
            ("SPARK_REMOTE", remote.as_str()),
        ]))
        .header("x-custom-header", "from-the-builder")
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 12").await, 12);
    assert!(
        gw.calls()
            .iter()
            .all(|c| c.get("x-custom-header") == Some("from-the-builder"))
    );
    // A custom x-databricks-cluster-id does not send queries elsewhere than the cluster that
    // was resolved (and checked), as in Python.
    let before = gw.calls().len();
    let spark = builder(&gw, cluster)
        .header("x-databricks-cluster-id", "0000-somewhere-else")
        .create()
        .await
        .unwrap();
    assert_eq!(answer(&spark, "SELECT 13").await, 13);
    assert!(
        gw.calls()[before..]
            .iter()
            .all(|c| c.get("x-databricks-cluster-id") == Some(cluster))
    );
}
