//! Sessions that end on the server, as workspaces end idle sessions and clusters restart:
//! against the real local server that `cargo xtask test` starts with a session timeout of a
//! few seconds (`test_support::short_session_remote`), and a server restart imitated on the
//! plain server.

use std::time::Duration;

use databricks_connect::{DatabricksSession, SessionEndReason, SparkSession};
use spark_connect_transport::proto;

/// The short-timeout server as user `user` (sessions are per user and id, so tests that use
/// `get_or_create` with their own user never share a cached session).
fn short(user: &str) -> (String, Duration) {
    let (remote, idle) = test_support::short_session_remote();
    (format!("{remote}/;user_id={user}"), idle)
}

async fn get_or_create(remote: &str) -> SparkSession {
    DatabricksSession::builder()
        .remote(remote)
        .get_or_create()
        .await
        .expect("a session")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_idle_past_the_server_timeout_ends_with_a_clear_error_and_a_new_one_is_made() {
    let (remote, idle) = short("session-end-idle");
    let spark = get_or_create(&remote).await;
    spark
        .sql("CREATE OR REPLACE TEMP VIEW session_end_kept AS SELECT 1 AS x")
        .await
        .unwrap();
    assert_eq!(spark.table("session_end_kept").count().await.unwrap(), 1);

    tokio::time::sleep(idle).await;
    let error = spark.range(0, 3).count().await.unwrap_err();
    eprintln!("session_end: after {idle:?} idle: {error}");
    // A kind of its own, not message text.
    assert_eq!(
        error.session_end(),
        Some(&SessionEndReason::Closed),
        "{error:?}"
    );
    let shown = error.to_string();
    for said in [
        &format!("session {} has ended", spark.session_id()),
        "the server closed it",
        "idle longer than the server's session timeout",
        "temporary views, settings and cached data are gone",
        "make a new session",
    ] {
        assert!(shown.contains(said), "{said:?} in: {shown}");
    }
    // The server's own words stay in the source chain.
    let mut chain = std::error::Error::source(&error);
    let mut server_said = false;
    while let Some(cause) = chain {
        server_said |= cause.to_string().contains("INVALID_HANDLE.SESSION_CLOSED");
        chain = cause.source();
    }
    assert!(server_said, "{error:?}");
    // The session remembers: later calls are refused at once, for the same reason.
    assert!(spark.is_stopped());
    let again = spark.sql("SELECT 1").await.unwrap_err();
    assert_eq!(again.session_end(), Some(&SessionEndReason::Closed));

    // get_or_create never hands the ended session back: a new one, which works, and where
    // the old session's temporary view does not exist.
    let fresh = get_or_create(&remote).await;
    assert_ne!(fresh.session_id(), spark.session_id());
    assert!(!fresh.is_stopped());
    assert_eq!(fresh.range(0, 3).count().await.unwrap(), 3);
    let gone = fresh.table("session_end_kept").count().await.unwrap_err();
    assert_eq!(
        gone.server_error().and_then(|e| e.error_class()),
        Some("TABLE_OR_VIEW_NOT_FOUND"),
        "{gone}"
    );
    // And it is the cached one from now on.
    assert_eq!(
        get_or_create(&remote).await.session_id(),
        fresh.session_id()
    );
    // Stopping a session the server already ended is no error.
    spark.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_or_create_checks_a_cached_session_that_was_idle_before_handing_it_back() {
    let (remote, idle) = short("session-end-probe");
    let first = get_or_create(&remote).await;
    assert_eq!(first.range(0, 2).count().await.unwrap(), 2);
    // Idle past the server's timeout and past the age from which get_or_create asks the
    // server (10 s); no call of the program has noticed yet.
    tokio::time::sleep(idle.max(Duration::from_secs(10)) + Duration::from_secs(1)).await;
    assert!(!first.is_stopped());
    let second = get_or_create(&remote).await;
    assert_ne!(second.session_id(), first.session_id());
    assert!(first.is_stopped(), "the check found the first one ended");
    assert_eq!(second.range(0, 4).count().await.unwrap(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_or_create_keeps_an_idle_session_the_server_still_has() {
    // The plain server keeps sessions for an hour: the check after 10 s idle finds it alive.
    let remote = format!("{}/;user_id=session-end-alive", test_support::test_remote());
    let first = get_or_create(&remote).await;
    assert_eq!(first.range(0, 2).count().await.unwrap(), 2);
    tokio::time::sleep(Duration::from_secs(11)).await;
    let again = get_or_create(&remote).await;
    assert_eq!(again.session_id(), first.session_id());
    assert!(!again.is_stopped());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_the_server_lost_is_reported_as_a_restart() {
    // A restarted server no longer has the session, and answers a client that says which
    // server-side session it saw with INVALID_HANDLE.SESSION_CHANGED. Imitated without a
    // restart: another client releases the session with allow_reconnect, which removes it
    // without the tombstone that would make it SESSION_CLOSED.
    let remote = format!(
        "{}/;user_id=session-end-restart",
        test_support::test_remote()
    );
    let spark = DatabricksSession::builder()
        .remote(&remote)
        .create()
        .await
        .unwrap();
    assert_eq!(spark.range(0, 2).count().await.unwrap(), 2);
    let seen = spark
        .client()
        .server_side_session_id()
        .expect("a server-side session");

    let endpoint = test_support::test_remote().replacen("sc://", "http://", 1);
    let channel = tonic::transport::Endpoint::from_shared(endpoint)
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut raw = proto::spark_connect_service_client::SparkConnectServiceClient::new(channel);
    raw.release_session(proto::ReleaseSessionRequest {
        session_id: spark.session_id().to_string(),
        user_context: Some(proto::UserContext {
            user_id: "session-end-restart".into(),
            ..Default::default()
        }),
        client_type: Some("e2e".into()),
        allow_reconnect: true,
    })
    .await
    .unwrap();

    let error = spark.range(0, 2).count().await.unwrap_err();
    eprintln!("session_end: after the session was lost: {error}");
    assert!(
        matches!(
            error.session_end(),
            Some(SessionEndReason::ServerRestarted { previous: Some(p), .. }) if *p == seen
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("restarted"), "{error}");
    assert!(spark.is_stopped());
}
