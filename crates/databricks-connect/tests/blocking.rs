//! The blocking API against the real local Spark Connect server (`SPARK_CONNECT_TEST_REMOTE`).

use databricks_connect::blocking::{DatabricksSession, Error};
use databricks_connect::functions::col;

fn spark() -> databricks_connect::blocking::SparkSession {
    DatabricksSession::builder()
        .remote(test_support::test_remote())
        .get_or_create()
        .expect("connects to the local server")
}

#[test]
fn queries_wait_for_their_results() {
    let spark = spark();
    assert!(spark.version().unwrap().starts_with('4'));
    let df = spark.range(0, 10).filter(col("id").gt(4));
    assert_eq!(df.count().unwrap(), 5);
    assert_eq!(df.columns().unwrap(), vec!["id".to_string()]);
    let rows: usize = spark
        .sql("SELECT id FROM range(100000)")
        .unwrap()
        .stream()
        .unwrap()
        .map(|b| b.unwrap().num_rows())
        .sum();
    assert_eq!(rows, 100_000);

    let local = spark.range(0, 3).collect().unwrap();
    let round_trip = spark.create_dataframe(&local).unwrap();
    assert_eq!(round_trip.filter(col("id").gt(0)).count().unwrap(), 2);
}

#[test]
fn a_server_error_is_a_spark_error() {
    let err = spark().sql("SELECT * FROM no_such_table").unwrap_err();
    assert!(matches!(err, Error::Spark(_)), "{err:?}");
    assert!(err.to_string().contains("no_such_table"), "{err}");
}

#[test]
fn a_session_made_outside_works_on_other_threads_and_refuses_inside_a_runtime() {
    let spark = spark();
    let from_thread = {
        let spark = spark.clone();
        std::thread::spawn(move || spark.range(0, 3).count().unwrap())
            .join()
            .unwrap()
    };
    assert_eq!(from_thread, 3);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let inside = runtime.block_on(async { spark.range(0, 3).count() });
    assert!(
        matches!(inside, Err(Error::InsideAsyncRuntime)),
        "{inside:?}"
    );
}
