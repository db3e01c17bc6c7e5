//! The blocking API against the real local Spark Connect server (`SPARK_CONNECT_TEST_REMOTE`).

use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use databricks_connect::blocking::{DatabricksSession, Error};
use databricks_connect::functions::{col, concat, count, lit, sum};
use databricks_connect::{JoinType, Literal, SaveMode};

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

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Pair {
        id: i64,
        name: String,
    }
    let pairs = [
        Pair {
            id: 1,
            name: "één".into(),
        },
        Pair {
            id: 2,
            name: "two".into(),
        },
    ];
    let typed = spark.create_dataframe_from(&pairs).unwrap();
    let back: Vec<Pair> = typed.filter(col("id").gt(1)).collect_as().unwrap();
    assert_eq!(
        back,
        [Pair {
            id: 2,
            name: "two".into()
        }]
    );
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

/// A fresh directory for one test, which the local server shares; removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(test: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "cli_blocking_{test}_{}_{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_str().unwrap().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The values of an integer column over all batches, in order.
fn i64s(batches: &[RecordBatch], column: &str) -> Vec<Option<i64>> {
    let mut out = Vec::new();
    for batch in batches {
        let array = batch
            .column_by_name(column)
            .unwrap_or_else(|| panic!("no column {column} in {:?}", batch.schema()));
        let array = arrow_cast::cast(array, &arrow_schema::DataType::Int64).unwrap();
        let array = array.as_any().downcast_ref::<Int64Array>().unwrap();
        out.extend(array.iter());
    }
    out
}

/// The values of a text column over all batches, in order.
fn strings(batches: &[RecordBatch], column: &str) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for batch in batches {
        let array = batch.column_by_name(column).unwrap();
        let array = arrow_cast::cast(array, &arrow_schema::DataType::Utf8).unwrap();
        let array = array.as_any().downcast_ref::<StringArray>().unwrap();
        out.extend(array.iter().map(|v| v.map(str::to_string)));
    }
    out
}

#[test]
fn files_written_are_read_back() {
    let spark = spark();
    let dir = TempDir::new("round_trip");
    let df = spark
        .range(0, 6)
        .with_column("sq", col("id") * col("id"))
        .with_column("name", concat([lit("n"), col("id").cast("string")]));

    // Parquet, twice: the second write overwrites the first.
    let parquet = dir.path("parquet");
    df.limit(2).write().parquet(&parquet).unwrap();
    df.write()
        .mode(SaveMode::Overwrite)
        .parquet(&parquet)
        .unwrap();
    let back = spark
        .read()
        .parquet(parquet.as_str())
        .order_by([col("id")])
        .collect()
        .unwrap();
    let ids: Vec<i64> = (0..6).collect();
    assert_eq!(
        i64s(&back, "id"),
        ids.iter().map(|&i| Some(i)).collect::<Vec<_>>()
    );
    assert_eq!(
        i64s(&back, "sq"),
        ids.iter().map(|&i| Some(i * i)).collect::<Vec<_>>()
    );
    assert_eq!(
        strings(&back, "name"),
        ids.iter()
            .map(|i| Some(format!("n{i}")))
            .collect::<Vec<_>>()
    );
    // Writing again without a mode is the server's error, returned, not a panic.
    let err = df.write().parquet(&parquet).unwrap_err();
    assert!(matches!(err, Error::Spark(_)), "{err:?}");
    assert!(err.to_string().contains("already exists"), "{err}");

    // CSV with a header, partitioned: options pass through the blocking builders.
    let csv = dir.path("csv");
    df.write()
        .format("csv")
        .option("header", true)
        .partition_by(["name"])
        .save(&csv)
        .unwrap();
    let read = spark
        .read()
        .format("csv")
        .options([("header", "true"), ("inferSchema", "true")])
        .load(csv.as_str());
    assert_eq!(read.count().unwrap(), 6);
    let total = read.agg([sum(col("sq")).alias("total")]).collect().unwrap();
    assert_eq!(
        i64s(&total, "total"),
        vec![Some(ids.iter().map(|i| i * i).sum())]
    );
    let mut partitions: Vec<String> = std::fs::read_dir(&csv)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("name="))
        .collect();
    partitions.sort();
    let mut expected: Vec<String> = ids.iter().map(|i| format!("name=n{i}")).collect();
    expected.sort();
    assert_eq!(partitions, expected);
}

#[test]
fn the_catalog_lists_a_table_written_with_the_blocking_api() {
    let spark = spark();
    let catalog = spark.catalog();
    let table = "cli_blocking_catalog_table";
    catalog.drop_table(table, true, false).unwrap();
    spark
        .range(0, 4)
        .with_column("twice", col("id") * lit(2))
        .write()
        .mode(SaveMode::Overwrite)
        .save_as_table(table)
        .unwrap();

    let listed = catalog
        .list_tables(None, Some("cli_blocking_catalog_*"))
        .unwrap();
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec![table]);
    assert!(!listed[0].is_temporary);
    assert!(catalog.table_exists(table, None).unwrap());
    let columns: Vec<String> = catalog
        .list_columns(table, None)
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(columns, vec!["id", "twice"]);
    let current = catalog.current_database().unwrap();
    assert!(
        catalog
            .list_databases(None)
            .unwrap()
            .iter()
            .any(|d| d.name == current),
        "{current}"
    );
    let sum_twice = spark
        .table(table)
        .agg([sum(col("twice")).alias("s")])
        .collect()
        .unwrap();
    assert_eq!(
        i64s(&sum_twice, "s"),
        vec![Some((0..4).map(|i| i * 2).sum())]
    );

    // insert_into appends by position; only the writer's terminal call waits.
    spark
        .range(10, 12)
        .with_column("twice", col("id") * lit(2))
        .write()
        .insert_into(table, None)
        .unwrap();
    assert_eq!(spark.table(table).count().unwrap(), 6);

    catalog.drop_table(table, false, false).unwrap();
    assert!(!catalog.table_exists(table, None).unwrap());
}

#[test]
fn group_by_and_agg_wait_for_their_results() {
    let spark = spark();
    let grouped = spark
        .range(0, 10)
        .group_by([(col("id") % lit(3)).alias("k")])
        .agg([count(lit(1)).alias("n"), sum(col("id")).alias("s")])
        .order_by([col("k")])
        .collect()
        .unwrap();
    let mut n = [0i64; 3];
    let mut s = [0i64; 3];
    for id in 0..10 {
        n[(id % 3) as usize] += 1;
        s[(id % 3) as usize] += id;
    }
    assert_eq!(i64s(&grouped, "k"), vec![Some(0), Some(1), Some(2)]);
    assert_eq!(
        i64s(&grouped, "n"),
        n.iter().map(|&v| Some(v)).collect::<Vec<_>>()
    );
    assert_eq!(
        i64s(&grouped, "s"),
        s.iter().map(|&v| Some(v)).collect::<Vec<_>>()
    );

    // The shorthand aggregations of GroupedData, and pivot.
    let maxes = spark
        .range(0, 10)
        .with_column("k", col("id") % lit(2))
        .group_by([col("k")])
        .max(["id"])
        .order_by([col("k")])
        .collect()
        .unwrap();
    assert_eq!(i64s(&maxes, "max(id)"), vec![Some(8), Some(9)]);
    let pivoted = spark
        .range(0, 6)
        .with_column("k", col("id") % lit(2))
        .with_column("g", lit("all"))
        .group_by([col("g")])
        .pivot(col("k"), [0i64, 1])
        .sum(["id"])
        .collect()
        .unwrap();
    assert_eq!(i64s(&pivoted, "0"), vec![Some(2 + 4)]);
    assert_eq!(i64s(&pivoted, "1"), vec![Some(1 + 3 + 5)]);
}

#[test]
fn joins_take_blocking_dataframes() {
    let spark = spark();
    let left = spark.range(0, 5).with_column("sq", col("id") * col("id"));
    let right = spark
        .range(3, 8)
        .with_column("cube", col("id") * col("id") * col("id"));

    let inner = left
        .join(&right, "id", JoinType::Inner)
        .order_by([col("id")])
        .collect()
        .unwrap();
    assert_eq!(i64s(&inner, "id"), vec![Some(3), Some(4)]);
    assert_eq!(i64s(&inner, "sq"), vec![Some(9), Some(16)]);
    assert_eq!(i64s(&inner, "cube"), vec![Some(27), Some(64)]);

    let outer = left
        .join(&right, "id", JoinType::Full)
        .order_by([col("id")])
        .collect()
        .unwrap();
    assert_eq!(i64s(&outer, "id"), (0..8).map(Some).collect::<Vec<_>>());
    let expected_sq: Vec<Option<i64>> = (0..8).map(|i| (i < 5).then_some(i * i)).collect();
    assert_eq!(i64s(&outer, "sq"), expected_sq);

    assert_eq!(left.cross_join(&right).count().unwrap(), 25);
    assert_eq!(
        left.select([col("id")])
            .subtract(&right.select([col("id")]))
            .count()
            .unwrap(),
        3
    );
    assert!(left.same_semantics(&left.clone()).unwrap());
    assert!(!left.same_semantics(&right).unwrap());
}

#[test]
fn na_and_stat_functions() {
    let spark = spark();
    let df = spark
        .sql("SELECT * FROM VALUES (1, 10), (2, NULL), (NULL, 30), (4, 40) AS t(a, b)")
        .unwrap();

    // na: drop rows with any null, fill nulls, replace values.
    assert_eq!(df.na().drop(None, Vec::<&str>::new()).count().unwrap(), 2);
    assert_eq!(df.dropna(Some(2), ["a", "b"]).count().unwrap(), 2);
    let filled = df
        .na()
        .fill(0, ["a", "b"])
        .order_by([col("b")])
        .collect()
        .unwrap();
    assert_eq!(i64s(&filled, "a"), vec![Some(2), Some(1), Some(0), Some(4)]);
    assert_eq!(
        i64s(&filled, "b"),
        vec![Some(0), Some(10), Some(30), Some(40)]
    );
    let replaced = df
        .na()
        .replace([(Literal::from(4), Literal::from(5))], ["a"])
        .agg([sum(col("a")).alias("s")])
        .collect()
        .unwrap();
    assert_eq!(i64s(&replaced, "s"), vec![Some(1 + 2 + 5)]);

    // stat: covariance and correlation of x and 3x + 1 over 0..20, computed here too.
    let xy = spark.range(0, 20).select([
        col("id").cast("double").alias("x"),
        (col("id") * lit(3) + lit(1)).cast("double").alias("y"),
    ]);
    let xs: Vec<f64> = (0..20).map(f64::from).collect();
    let ys: Vec<f64> = xs.iter().map(|x| 3.0 * x + 1.0).collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (mx, my) = (mean(&xs), mean(&ys));
    let cov: f64 = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| (x - mx) * (y - my))
        .sum::<f64>()
        / 19.0;
    let got = xy.stat().cov("x", "y").unwrap();
    assert!((got - cov).abs() < 1e-9, "cov {got} != {cov}");
    let corr = xy.corr("x", "y").unwrap();
    assert!((corr - 1.0).abs() < 1e-12, "corr {corr}");
    // The extreme quantiles are exact: the smallest and largest values.
    let quantiles = xy
        .stat()
        .approx_quantile(["x", "y"], &[0.0, 1.0], 0.0)
        .unwrap();
    assert_eq!(quantiles, vec![vec![0.0, 19.0], vec![1.0, 58.0]]);

    // crosstab counts the pairs.
    let crosstab = spark
        .sql("SELECT * FROM VALUES ('a', 1), ('a', 1), ('a', 2), ('b', 2) AS t(k, v)")
        .unwrap()
        .stat()
        .crosstab("k", "v")
        .order_by([col("k_v")])
        .collect()
        .unwrap();
    assert_eq!(
        strings(&crosstab, "k_v"),
        vec![Some("a".to_string()), Some("b".to_string())]
    );
    assert_eq!(i64s(&crosstab, "1"), vec![Some(2), Some(0)]);
    assert_eq!(i64s(&crosstab, "2"), vec![Some(1), Some(1)]);
}

#[test]
fn actions_of_the_dataframe_and_session() {
    let spark = spark();
    let df = spark.range_with_step(0, 10, 2, Some(2));
    let ids = |rows: Vec<databricks_connect::Row>| -> Vec<i64> {
        rows.iter().map(|r| r.get::<i64>("id").unwrap()).collect()
    };
    assert_eq!(ids(df.head(2).unwrap()), [0, 2]);
    assert_eq!(ids(df.take(1).unwrap()), [0]);
    assert_eq!(ids(df.tail(1).unwrap()), [8]);
    assert_eq!(ids(df.collect_rows().unwrap()), [0, 2, 4, 6, 8]);
    let first = df.first().unwrap().unwrap();
    assert_eq!(first.get::<i64>("id").unwrap(), 0);
    assert_eq!(first.to_string(), "Row(id=0)");
    assert!(
        df.clone()
            .filter(col("id").gt(100))
            .first()
            .unwrap()
            .is_none()
    );
    assert!(!df.is_empty().unwrap());
    assert!(df.filter(col("id").gt(100)).is_empty().unwrap());
    assert_eq!(
        df.dtypes().unwrap(),
        vec![("id".to_string(), "bigint".to_string())]
    );

    let view = "cli_blocking_actions_view";
    df.create_or_replace_temp_view(view).unwrap();
    assert_eq!(spark.table(view).count().unwrap(), 5);
    let with_args = spark
        .sql_with_args(
            &format!("SELECT count(*) AS n FROM {view} WHERE id > :low"),
            [("low", 3i64)],
        )
        .unwrap()
        .collect()
        .unwrap();
    assert_eq!(i64s(&with_args, "n"), vec![Some(3)]);
    assert!(spark.catalog().drop_temp_view(view).unwrap());

    let key = "spark.sql.shuffle.partitions";
    spark.conf().set(key, 7).unwrap();
    assert_eq!(spark.conf().get(key).unwrap().as_deref(), Some("7"));
    spark.conf().unset(key).unwrap();

    // The escape hatches: the async value underneath, and running its futures.
    let async_df = df.clone().into_async();
    let n = spark.block_on(async_df.count()).unwrap().unwrap();
    assert_eq!(n, 5);
    let back = databricks_connect::blocking::DataFrame::from(async_df);
    assert_eq!(back.count().unwrap(), 5);
    assert_eq!(df.session().session_id(), spark.session_id());
}

#[test]
fn a_streaming_query_runs_and_stops_with_the_blocking_api() {
    let spark = spark();
    let name = format!("blocking_stream_{}", std::process::id());
    let query = spark
        .read_stream()
        .format("rate")
        .option("rowsPerSecond", 50)
        .load()
        .select([col("value")])
        .write_stream()
        .format("memory")
        .query_name(&name)
        .start()
        .unwrap();
    let stopped = std::cell::Cell::new(false);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert_eq!(query.name(), Some(name.as_str()));
        assert!(query.is_active().unwrap());
        assert!(
            spark
                .streams()
                .active()
                .unwrap()
                .iter()
                .any(|q| q.id() == query.id())
        );
        // Not terminated within a short wait: false, not an endless wait.
        assert!(
            !query
                .await_termination(Some(std::time::Duration::from_millis(200)))
                .unwrap()
        );
        // The rate source's first batches can be empty: wait (boundedly) for rows.
        for _ in 0..150 {
            query.process_all_available().unwrap();
            if spark.table(&name).count().unwrap() > 0 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        query.stop().unwrap();
        stopped.set(true);
        assert!(!query.is_active().unwrap());
        // The rate source counts from 0 without gaps: the values held are 0..n.
        let mut values = i64s(&spark.table(&name).collect().unwrap(), "value")
            .into_iter()
            .map(|v| v.expect("no null values"))
            .collect::<Vec<_>>();
        values.sort_unstable();
        assert!(
            !values.is_empty(),
            "the query processed rows before it stopped"
        );
        let expected: Vec<i64> = (0..values.len() as i64).collect();
        assert_eq!(values, expected);
    }));
    if !stopped.get() {
        let _ = query.stop();
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[cfg(feature = "polars")]
#[test]
fn polars_frames_both_ways_without_async() {
    let spark = spark();
    let local = spark
        .range(0, 5)
        .with_column("twice", col("id") * lit(2))
        .to_polars()
        .unwrap();
    assert_eq!(local.shape(), (5, 2));
    let twice: Vec<Option<i64>> = local
        .column("twice")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(twice, [0, 2, 4, 6, 8].map(Some));
    let back = spark.create_dataframe_from_polars(&local).unwrap();
    assert_eq!(back.filter(col("twice").gt(4)).count().unwrap(), 2);
}
