//! The DataFrame basics against a real server.

use arrow_array::{Array, Int64Array, RecordBatch, StringArray};
use databricks_connect::ExplainMode;
use databricks_connect::functions::{col, expr, lit};
use futures_util::StreamExt;

use crate::session;

fn int64s(batches: &[RecordBatch], column: &str) -> Vec<i64> {
    batches
        .iter()
        .flat_map(|b| {
            let a = b
                .column_by_name(column)
                .unwrap_or_else(|| panic!("no column {column} in {:?}", b.schema()))
                .as_any()
                .downcast_ref::<Int64Array>()
                .expect("bigint column")
                .clone();
            a.iter().map(|v| v.expect("not null")).collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn version_is_the_pinned_spark() {
    let spark = session().await;
    let version = spark.version().await.unwrap();
    assert!(version.starts_with("4."), "{version}");
}

#[tokio::test]
async fn range_collects_one_to_nine() {
    let spark = session().await;
    let batches = spark.range(1, 10).collect().await.unwrap();
    assert_eq!(int64s(&batches, "id"), (1..10).collect::<Vec<_>>());
    let stepped = spark
        .range_with_step(0, 20, 5, Some(2))
        .collect()
        .await
        .unwrap();
    assert_eq!(int64s(&stepped, "id"), vec![0, 5, 10, 15]);
}

#[tokio::test]
async fn select_filter_with_column_and_limit() {
    let spark = session().await;
    let df = spark
        .range(0, 100)
        .filter(col("id").ge(lit(10)).and(col("id").lt(20)))
        .filter("id % 2 = 0")
        .with_column("twice", col("id") * 2)
        .select([col("id"), col("twice"), (col("id") + lit(1)).alias("next")])
        .limit(3);
    let batches = df.collect().await.unwrap();
    assert_eq!(int64s(&batches, "id"), vec![10, 12, 14]);
    assert_eq!(int64s(&batches, "twice"), vec![20, 24, 28]);
    assert_eq!(int64s(&batches, "next"), vec![11, 13, 15]);

    let by_expr = spark
        .range(0, 5)
        .select_expr(["id * 10 AS tens", "CAST(id AS STRING) AS s"])
        .collect()
        .await
        .unwrap();
    assert_eq!(int64s(&by_expr, "tens"), vec![0, 10, 20, 30, 40]);
    assert_eq!(
        spark
            .range(0, 1000)
            .filter(expr("id > 989"))
            .count()
            .await
            .unwrap(),
        10
    );
}

#[tokio::test]
async fn count_schema_columns_and_empty_results() {
    let spark = session().await;
    assert_eq!(spark.range(0, 12345).count().await.unwrap(), 12345);
    assert_eq!(spark.range(0, 0).count().await.unwrap(), 0);
    let empty = spark.range(0, 0).collect().await.unwrap();
    assert_eq!(empty.iter().map(|b| b.num_rows()).sum::<usize>(), 0);
    assert!(!empty.is_empty(), "an empty result keeps its schema");
    assert_eq!(empty[0].schema().field(0).name(), "id");

    let df = spark.sql("SELECT 1 AS a, 'x' AS b").await.unwrap();
    assert_eq!(df.columns().await.unwrap(), vec!["a", "b"]);
    let schema = df.schema().await.unwrap();
    assert_eq!(schema.fields[0].data_type.type_name(), "int");
    assert_eq!(schema.fields[1].data_type.type_name(), "string");
}

#[tokio::test]
async fn sql_commands_run_at_once_and_queries_stay_lazy() {
    let spark = session().await;
    // A command runs when sql() returns, without asking for its result.
    spark
        .sql("CREATE TEMPORARY VIEW e2e_numbers AS SELECT id FROM range(7)")
        .await
        .unwrap();
    assert_eq!(spark.table("e2e_numbers").count().await.unwrap(), 7);
    // A query that would fail when run is not run by sql() itself.
    let failing = spark
        .sql("SELECT raise_error('ran too early') AS x")
        .await
        .expect("sql() of a query does not execute it");
    let e = failing.collect().await.unwrap_err();
    assert!(e.to_string().contains("ran too early"), "{e}");
}

#[tokio::test]
async fn stream_yields_batches_as_they_arrive() {
    let spark = session().await;
    let n = 2_000_000i64;
    let mut stream = spark
        .range_with_step(0, n, 1, Some(4))
        .stream()
        .await
        .unwrap();
    let (mut batches, mut rows, mut sum) = (0, 0i64, 0i64);
    while let Some(batch) = stream.next().await {
        let batch = batch.unwrap();
        batches += 1;
        rows += batch.num_rows() as i64;
        let ids = batch
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .unwrap();
        sum += ids.values().iter().sum::<i64>();
    }
    assert!(
        batches > 1,
        "a large result arrives in several batches, got {batches}"
    );
    assert_eq!(rows, n);
    assert_eq!(sum, n * (n - 1) / 2, "no row lost or repeated");
    assert_eq!(stream.rows_received(), n);
}

#[tokio::test]
async fn show_and_explain() {
    let spark = session().await;
    let df = spark.range(1, 4);
    let shown = df.show_string(2, 20, false).await.unwrap();
    assert_eq!(
        shown,
        "+---+\n| id|\n+---+\n|  1|\n|  2|\n+---+\nonly showing top 2 rows"
    );
    for (mode, marker) in [
        (ExplainMode::Simple, "== Physical Plan =="),
        (ExplainMode::Extended, "== Analyzed Logical Plan =="),
        (ExplainMode::Codegen, "WholeStageCodegen"),
        (ExplainMode::Cost, "== Optimized Logical Plan =="),
        (ExplainMode::Formatted, "== Physical Plan =="),
    ] {
        let text = df.explain(mode).await.unwrap();
        assert!(text.contains(marker), "{mode:?}: {text}");
    }
}

#[tokio::test]
async fn runtime_configuration() {
    let spark = session().await;
    let conf = spark.conf();
    conf.set("spark.sql.shuffle.partitions", 7).await.unwrap();
    assert_eq!(
        conf.get("spark.sql.shuffle.partitions")
            .await
            .unwrap()
            .as_deref(),
        Some("7")
    );
    conf.unset("spark.sql.shuffle.partitions").await.unwrap();
    assert_eq!(
        conf.get("spark.sql.shuffle.partitions")
            .await
            .unwrap()
            .as_deref(),
        Some("200")
    );
    assert_eq!(
        conf.get_or("e2e.not.set", "fallback").await.unwrap(),
        "fallback"
    );
    assert_eq!(conf.get("e2e.not.set").await.unwrap(), None);
    assert!(
        conf.is_modifiable("spark.sql.shuffle.partitions")
            .await
            .unwrap()
    );
    let all = conf.get_all("spark.sql.shuffle").await.unwrap();
    assert!(
        all.iter().all(|(k, _)| k.starts_with("spark.sql.shuffle")),
        "{all:?}"
    );

    // Settings are per session.
    conf.set("spark.sql.session.timeZone", "Asia/Tokyo")
        .await
        .unwrap();
    let other = session().await;
    assert_ne!(
        other
            .conf()
            .get("spark.sql.session.timeZone")
            .await
            .unwrap()
            .as_deref(),
        Some("Asia/Tokyo")
    );
}

#[tokio::test]
async fn sessions_are_shared_between_tasks() {
    let spark = session().await;
    let mut handles = Vec::new();
    for i in 0..8i64 {
        let spark = spark.clone();
        handles.push(tokio::spawn(async move {
            spark.range(0, 1000 * (i + 1)).count().await.unwrap()
        }));
    }
    for (i, h) in handles.into_iter().enumerate() {
        assert_eq!(h.await.unwrap(), 1000 * (i as i64 + 1));
    }
    let version = spark
        .sql("SELECT version() AS v")
        .await
        .unwrap()
        .collect()
        .await
        .unwrap();
    let v = version[0]
        .column(0)
        .as_any()
        .downcast_ref::<StringArray>()
        .unwrap();
    assert!(!v.is_null(0));
}

/// Every cell of a result as text, row by row, and the schema of its batches.
fn cells(batches: &[RecordBatch]) -> (Option<arrow_schema::SchemaRef>, Vec<Vec<String>>) {
    use arrow_cast::display::{ArrayFormatter, FormatOptions};
    let mut rows = Vec::new();
    for batch in batches {
        let formatters: Vec<_> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &FormatOptions::default()).unwrap())
            .collect();
        for row in 0..batch.num_rows() {
            rows.push(
                formatters
                    .iter()
                    .map(|f| f.value(row).to_string())
                    .collect(),
            );
        }
    }
    (batches.first().map(|b| b.schema()), rows)
}

/// A command's rows arrive with its `SqlCommandResult` and are read without a request; they are
/// exactly what the server returns when it runs the same rows (a derived DataFrame, which is
/// sent): the same schema (names, types, nullability) and the same values, empty results too.
#[tokio::test]
async fn a_command_s_rows_are_read_locally_and_match_the_server_s() {
    let spark = session().await;
    spark
        .sql("CREATE OR REPLACE TEMP VIEW command_rows_e2e AS SELECT 1 AS id, 'a' AS s, TIMESTAMP'2024-05-06 07:08:09' AS t, CAST(1.5 AS DECIMAL(10, 2)) AS d")
        .await
        .unwrap();
    for command in [
        "SHOW TABLES LIKE 'command_rows_e2e'",
        "SHOW TABLES LIKE 'no_such_table_command_rows_e2e'",
        "DESCRIBE TABLE command_rows_e2e",
        "SET spark.sql.shuffle.partitions",
        "SHOW COLUMNS IN command_rows_e2e",
    ] {
        let df = spark.sql(command).await.unwrap();
        let stream = df.stream().await.unwrap();
        assert!(stream.is_precomputed(), "{command}");
        // The Spark schema, which the server sends with a computed result, is there too and
        // the server's (names, types, nullability; the server may add column comments).
        let shape = |s: &databricks_connect::StructType| {
            s.fields
                .iter()
                .map(|f| (f.name.clone(), f.data_type.clone(), f.nullable))
                .collect::<Vec<_>>()
        };
        let local_schema = stream.spark_schema().map(shape);
        assert_eq!(
            local_schema,
            Some(shape(&df.schema().await.unwrap())),
            "{command}"
        );
        drop(stream);
        let local = df.collect().await.unwrap();
        let remote_df = df.limit(i32::MAX);
        let remote_stream = remote_df.stream().await.unwrap();
        assert!(!remote_stream.is_precomputed());
        let remote = remote_stream.collect_all().await.unwrap();
        assert_eq!(cells(&local), cells(&remote), "{command}");
        assert!(!local.is_empty(), "{command}: the schema is kept");
    }
    // A query stays lazy: its result is computed when asked for, by the server.
    let query = spark.sql("SELECT * FROM command_rows_e2e").await.unwrap();
    assert!(!query.stream().await.unwrap().is_precomputed());
}
