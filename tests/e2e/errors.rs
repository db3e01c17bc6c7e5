//! Server errors keep Spark's error class, SQLSTATE and message parameters, and every error a
//! real server (or the Databricks-like gateway) produces gets the right `kind()`, the same on
//! the DataFrame error and on the facade's error it converts into.

use std::time::{Duration, Instant};

use databricks_connect::config::Environment;
use databricks_connect::prelude::*;
use databricks_connect::{ClusterError, ServerErrorKind};
use test_support::gateway::{Gateway, GatewayConfig};

use crate::session;

/// The kind of a DataFrame error, checked to be the same once `?` has made it the facade's.
fn kind_of(e: SparkError) -> ErrorKind {
    let kind = e.kind();
    let facade: Error = e.into();
    assert_eq!(facade.kind(), kind, "{facade}");
    kind
}

#[tokio::test]
async fn unknown_table_is_an_analysis_error_naming_the_table() {
    let spark = session().await;
    let e = spark
        .table("no_such_table_e2e")
        .collect()
        .await
        .unwrap_err();
    let server = e.server_error().expect("a server error");
    assert_eq!(server.kind(), ServerErrorKind::Analysis);
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(server.error_class(), Some("TABLE_OR_VIEW_NOT_FOUND"));
    assert_eq!(server.sql_state(), Some("42P01"));
    assert_eq!(
        server
            .message_parameters()
            .get("relationName")
            .map(String::as_str),
        Some("`no_such_table_e2e`")
    );
    assert!(e.to_string().contains("no_such_table_e2e"), "{e}");
}

#[tokio::test]
async fn syntax_error_is_a_parse_error() {
    let spark = session().await;
    let e = spark.sql("SELEC 1").await.unwrap_err();
    let server = e.server_error().expect("a server error");
    assert_eq!(server.kind(), ServerErrorKind::Parse, "{server:?}");
    assert_eq!(server.error_class(), Some("PARSE_SYNTAX_ERROR"));
    assert_eq!(kind_of(e), ErrorKind::Parse);
}

#[tokio::test]
async fn division_by_zero_is_an_arithmetic_error() {
    let spark = session().await;
    spark
        .conf()
        .set("spark.sql.ansi.enabled", "true")
        .await
        .unwrap();
    let df = spark.sql("SELECT 1 / 0 AS x").await.unwrap();
    let e = df.collect().await.unwrap_err();
    let server = e.server_error().expect("a server error");
    assert_eq!(server.kind(), ServerErrorKind::Arithmetic, "{server:?}");
    assert_eq!(server.error_class(), Some("DIVIDE_BY_ZERO"));
    assert_eq!(kind_of(e), ErrorKind::Server);
}

#[tokio::test]
async fn unknown_column_names_the_column() {
    let spark = session().await;
    let e = spark
        .range(0, 3)
        .select(["nope_column"])
        .collect()
        .await
        .unwrap_err();
    let server = e.server_error().expect("a server error");
    assert_eq!(server.kind(), ServerErrorKind::Analysis);
    assert_eq!(
        server.error_class(),
        Some("UNRESOLVED_COLUMN.WITH_SUGGESTION")
    );
    assert!(server.message().contains("nope_column"));
    assert_eq!(kind_of(e), ErrorKind::Analysis);
}

#[tokio::test]
async fn kinds_of_server_errors() {
    let spark = session().await;
    // A table, a schema, a path that do not exist.
    for (sql, class) in [
        (
            "SELECT * FROM no_such_table_kind_e2e",
            "TABLE_OR_VIEW_NOT_FOUND",
        ),
        ("SHOW TABLES IN no_such_schema_kind_e2e", "SCHEMA_NOT_FOUND"),
        (
            "SELECT * FROM parquet.`/nonexistent/e2e/kinds`",
            "PATH_NOT_FOUND",
        ),
    ] {
        let e = match spark.sql(sql).await {
            Ok(df) => df.collect().await.unwrap_err(),
            Err(e) => e,
        };
        assert_eq!(
            e.server_error().and_then(|s| s.error_class()),
            Some(class),
            "{e}"
        );
        assert_eq!(kind_of(e), ErrorKind::NotFound, "{sql}");
    }
    // Something that exists already.
    spark
        .sql("CREATE TEMPORARY VIEW kinds_e2e_view AS SELECT 1 AS one")
        .await
        .unwrap();
    let e = spark
        .sql("CREATE TEMPORARY VIEW kinds_e2e_view AS SELECT 2 AS two")
        .await
        .unwrap_err();
    assert_eq!(kind_of(e), ErrorKind::AlreadyExists);
    // A write with PySpark's default mode ("error") to a path that has data.
    let path = std::env::temp_dir().join(format!("kinds_e2e_{}", std::process::id()));
    let path = path.to_str().unwrap();
    spark
        .range(0, 3)
        .write()
        .mode("overwrite")
        .parquet(path)
        .await
        .unwrap();
    let e = spark
        .range(0, 3)
        .write()
        .mode("error")
        .parquet(path)
        .await
        .unwrap_err();
    assert_eq!(e.error_class(), Some("PATH_ALREADY_EXISTS"), "{e}");
    assert_eq!(kind_of(e), ErrorKind::AlreadyExists);
    let _ = std::fs::remove_dir_all(path);
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_unauthenticated() {
    let (remote, token) = test_support::auth_remote();
    for remote in [format!("{remote}/;token={token}-wrong"), remote.clone()] {
        let spark = DatabricksSession::builder()
            .remote(remote)
            .create()
            .await
            .unwrap();
        let e = spark.version().await.unwrap_err();
        assert_eq!(kind_of(e), ErrorKind::Unauthenticated);
    }
}

#[tokio::test]
async fn an_unreachable_server_is_a_connection_error_that_keeps_its_cause() {
    // Nothing listens on port 1.
    let spark = DatabricksSession::builder()
        .remote("sc://127.0.0.1:1")
        .create()
        .await
        .unwrap();
    let e = spark.range(0, 1).count().await.unwrap_err();
    let mut refused = false;
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        refused |= cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
        source = cause.source();
    }
    assert!(refused, "the refused connection is in the chain: {e:?}");
    assert_eq!(kind_of(e), ErrorKind::Connection);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_query_is_cancelled() {
    let spark = session().await;
    spark.add_tag("e2e-kind-interrupted").unwrap();
    let df = spark
        .sql("SELECT count(*) FROM range(0, 1000000000000)")
        .await
        .unwrap();
    let running = tokio::spawn(async move { df.collect().await });
    let started = Instant::now();
    loop {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let ids = spark.interrupt_tag("e2e-kind-interrupted").await.unwrap();
        if !ids.is_empty() {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "never ran");
    }
    let e = tokio::time::timeout(Duration::from_secs(60), running)
        .await
        .expect("the interrupted query ends")
        .unwrap()
        .expect_err("an interrupted query is an error");
    eprintln!("errors: interrupted: {e}");
    assert_eq!(kind_of(e), ErrorKind::Cancelled);
}

#[tokio::test]
async fn a_stopped_session_is_session_ended() {
    let spark = session().await;
    spark.stop().await.unwrap();
    let e = spark.range(0, 1).count().await.unwrap_err();
    assert!(e.session_end().is_some(), "{e}");
    assert_eq!(kind_of(e), ErrorKind::SessionEnded);
}

#[tokio::test]
async fn a_profile_the_file_lacks_is_not_found() {
    let home = std::env::temp_dir().join(format!("e2e-kinds-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join(".databrickscfg"),
        "[dev]\nhost = https://dbc-1.cloud.databricks.com\ntoken = dapi-x\n",
    )
    .unwrap();
    let e = DatabricksSession::builder()
        .profile("nope")
        .environment(Environment::from_map([("HOME", home.to_str().unwrap())]))
        .resolve()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    let _ = std::fs::remove_dir_all(&home);
}

const PAT: &str = "dapi-e2e-kinds-0123456789";

fn gateway(config: GatewayConfig) -> impl std::future::Future<Output = Gateway> {
    Gateway::start(config.pat(PAT))
}

fn workspace(
    gw: &Gateway,
    cluster: &str,
    token: &str,
) -> databricks_connect::DatabricksSessionBuilder {
    DatabricksSession::builder()
        .host(gw.url())
        .token(token)
        .cluster_id(cluster)
        .environment(Environment::from_map([("HOME", "/nonexistent-e2e-home")]))
}

#[tokio::test(flavor = "multi_thread")]
async fn workspace_refusals_and_clusters_have_kinds() {
    let gw = gateway(
        GatewayConfig::new(&test_support::test_remote())
            .cluster("0123-kinds-up", "RUNNING")
            .cluster("0123-kinds-stopped", "TERMINATED")
            .workspace_id("6051921418418893"),
    )
    .await;
    // A wrong token: refused by the Clusters API (401) before any query...
    let e = workspace(&gw, "0123-kinds-up", "dapi-wrong-e2e")
        .create()
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::Cluster(ClusterError::Refused { status: 401, .. })),
        "{e}"
    );
    assert_eq!(e.kind(), ErrorKind::Unauthenticated);
    // ...and by the Spark Connect endpoint (gRPC UNAUTHENTICATED) without that check.
    let spark = workspace(&gw, "0123-kinds-up", "dapi-wrong-e2e")
        .validate_session(false)
        .create()
        .await
        .unwrap();
    let e = spark.version().await.unwrap_err();
    assert_eq!(kind_of(e), ErrorKind::Unauthenticated);
    // Authenticated, but another workspace's id: permission denied, not unauthenticated.
    let spark = workspace(&gw, "0123-kinds-up", PAT)
        .validate_session(false)
        .header("x-databricks-org-id", "1111")
        .create()
        .await
        .unwrap();
    let e = spark.sql("SELECT 1").await.unwrap_err();
    assert_eq!(kind_of(e), ErrorKind::PermissionDenied);
    // A cluster the workspace does not have.
    let e = workspace(&gw, "0000-kinds-unknown", PAT)
        .create()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
    // A terminated cluster that may not be started.
    let e = workspace(&gw, "0123-kinds-stopped", PAT)
        .auto_start_cluster(false)
        .create()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ClusterState, "{e}");
    // Conflicting parameters.
    let e = workspace(&gw, "0123-kinds-up", PAT)
        .serverless()
        .create()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Configuration, "{e}");
}
