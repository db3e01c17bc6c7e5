//! The session knows its server's version: asked once, only when a request uses a feature
//! that not every supported server has, and on the pinned release nothing is refused.
//! (What an older server is refused is tested against a stand-in that reports Spark 3.5.9:
//! `crates/spark-connect-dataframe/tests/protocol_35.rs`.)

use databricks_connect::functions::{col, lit};
use databricks_connect::{Feature, SparkVersion};

use crate::session;

#[tokio::test]
async fn the_version_is_learned_once_and_nothing_is_refused() {
    let spark = session().await;
    // A plain query asks nothing about the version.
    spark.range(0, 3).collect().await.unwrap();
    assert!(spark.client().known_server_version().is_none());

    // A feature of Spark 4.0: the version is asked, then kept.
    let transposed = spark
        .range(0, 3)
        .with_column("k", lit("x"))
        .transpose(Some(col("k")))
        .collect()
        .await
        .unwrap();
    assert_eq!(transposed[0].num_rows(), 1);
    let version = spark
        .client()
        .known_server_version()
        .expect("learned by the transpose")
        .clone();
    assert_eq!(version.reported(), spark.version().await.unwrap());
    assert!(version.version().unwrap() >= SparkVersion::new(4, 3, 0));
    assert!(Feature::ALL.iter().all(|f| version.supports(*f)));

    // Features up to 4.2 run on the pinned release.
    let other = spark.range(0, 5);
    let rows = spark
        .range(0, 3)
        .select([
            col("id").try_cast("int").alias("t"),
            other.select(f_max()).scalar().alias("m"),
        ])
        .collect()
        .await
        .unwrap();
    assert_eq!(rows.iter().map(|b| b.num_rows()).sum::<usize>(), 3);
    let in_sub = spark
        .range(0, 10)
        .filter(col("id").isin_subquery(&spark.range(2, 4)))
        .count()
        .await
        .unwrap();
    assert_eq!(in_sub, 2);
    spark
        .sql_with_args(
            "SELECT :a AS a",
            [("a", databricks_connect::functions::array([lit(1)]))],
        )
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    // ReleaseSession is there: stop() ends the session on the server.
    spark.stop().await.unwrap();
    assert!(spark.is_stopped());
}

fn f_max() -> databricks_connect::Column {
    databricks_connect::functions::max("id")
}
