//! Missing values, statistics, reshaping, views, partitioning by range, random splits and
//! plan comparison against a real server; expected values computed in Rust.

use std::collections::{BTreeMap, HashSet};

use databricks_connect::functions::{self as f, col, lit};
use databricks_connect::types::StorageLevel;
use databricks_connect::{DataFrame, ExplainMode, Literal};

use crate::api_functions::{one_row, rows};
use crate::session;

async fn text(df: &DataFrame) -> Vec<Vec<String>> {
    rows(&df.collect().await.expect("query runs"))
}

const PEOPLE: &str = "SELECT * FROM VALUES ('ann', 34, 1.5), ('bob', NULL, NULL), (NULL, 28, 2.5), \
    (NULL, NULL, NULL) AS t(name, age, score)";

#[tokio::test]
async fn missing_values_filled_dropped_and_replaced() {
    let spark = session().await;
    let df = spark.sql(PEOPLE).await.unwrap();
    let ordered = |d: DataFrame| d.order_by([col("name").asc_nulls_last(), col("age")]);
    let filled = text(&ordered(df.fillna(0, Vec::<&str>::new()))).await;
    // A number fills the numeric columns only.
    assert_eq!(
        filled,
        [
            ["ann", "34", "1.5"],
            ["bob", "0", "0.0"],
            ["null", "0", "0.0"],
            ["null", "28", "2.5"]
        ]
    );
    let text_filled = text(&ordered(df.fillna("?", ["name"]))).await;
    assert_eq!(
        text_filled
            .iter()
            .map(|r| r[0].as_str())
            .collect::<Vec<_>>(),
        ["?", "?", "ann", "bob"]
    );
    let per_column = text(&ordered(df.fillna_columns([
        ("age", Literal::from(-1)),
        ("name", Literal::from("none")),
    ])))
    .await;
    assert_eq!(per_column[2], ["none", "-1", "null"]);

    // any null drops the row; thresh keeps rows with enough values.
    assert_eq!(
        df.dropna(None, Vec::<&str>::new()).count().await.unwrap(),
        1
    );
    assert_eq!(
        df.dropna(Some(1), Vec::<&str>::new())
            .count()
            .await
            .unwrap(),
        3
    );
    assert_eq!(
        df.dropna(Some(2), Vec::<&str>::new())
            .count()
            .await
            .unwrap(),
        2
    );
    assert_eq!(df.dropna(None, ["age"]).count().await.unwrap(), 2);

    let replaced = text(&ordered(
        df.replace([(Literal::from(34), Literal::from(43))], ["age"]),
    ))
    .await;
    assert_eq!(replaced[0], ["ann", "43", "1.5"]);
}

#[tokio::test]
async fn statistics_match_computations_in_rust() {
    let spark = session().await;
    let xs: Vec<f64> = (1..=20).map(|i| i as f64).collect();
    let ys: Vec<f64> = xs.iter().map(|x| x * x - 3.0 * x).collect();
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let syy: f64 = ys.iter().map(|y| (y - my).powi(2)).sum();
    let df = spark.range(1, 21).select([
        col("id").cast("double").alias("x"),
        (col("id") * col("id") - col("id") * 3)
            .cast("double")
            .alias("y"),
    ]);
    let corr = df.corr("x", "y").await.unwrap();
    assert!((corr - sxy / (sxx * syy).sqrt()).abs() < 1e-12, "{corr}");
    let cov = df.cov("x", "y").await.unwrap();
    assert!((cov - sxy / (n - 1.0)).abs() < 1e-9, "{cov}");

    let q = spark
        .range(1, 101)
        .approx_quantile(["id"], &[0.0, 0.5, 1.0], 0.0)
        .await
        .unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!((q[0][0], q[0][2]), (1.0, 100.0));
    assert!([50.0, 51.0].contains(&q[0][1]), "{q:?}");

    // Crosstab of (id % 2, id % 3) over 0..12: each pair occurs twice.
    let ct = spark
        .range(0, 12)
        .select([(col("id") % 2).alias("a"), (col("id") % 3).alias("b")])
        .crosstab("a", "b");
    let mut columns = ct.columns().await.unwrap();
    assert_eq!(columns.remove(0), "a_b");
    columns.sort();
    assert_eq!(columns, ["0", "1", "2"]);
    let mut got = text(&ct.select(["a_b", "0", "1", "2"]).order_by(["a_b"])).await;
    got.sort();
    let mut counts: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for i in 0..12 {
        *counts.entry((i % 2, i % 3)).or_default() += 1;
    }
    for (a, row) in got.iter().enumerate() {
        assert_eq!(row[0], a.to_string());
        for b in 0..3 {
            assert_eq!(row[b + 1], counts[&(a as i64, b as i64)].to_string());
        }
    }

    // A value in 3 of 4 rows is frequent at support 0.5.
    let items = spark
        .sql("SELECT * FROM VALUES (7), (7), (7), (1) AS t(v)")
        .await
        .unwrap()
        .freq_items(["v"], Some(0.5));
    let row = one_row(&items).await;
    assert!(row[0].contains('7'), "{row:?}");

    // Fractions of 1 and 0 make a stratified sample exact: only the even ids.
    let sampled = spark
        .range(0, 50)
        .with_column("k", col("id") % 2)
        .sample_by(
            "k",
            [(Literal::from(0i64), 1.0), (Literal::from(1i64), 0.0)],
            Some(3),
        )
        .select(["id"])
        .order_by(["id"]);
    let ids: Vec<i64> = text(&sampled)
        .await
        .iter()
        .map(|r| r[0].parse().unwrap())
        .collect();
    assert_eq!(ids, (0..50).filter(|i| i % 2 == 0).collect::<Vec<_>>());
}

#[tokio::test]
async fn unpivot_transpose_and_regex_columns() {
    let spark = session().await;
    let wide = spark
        .sql("SELECT * FROM VALUES (1, 10, 100), (2, 20, 200) AS t(id, a, b)")
        .await
        .unwrap();
    let long = wide
        .unpivot(["id"], Some(vec!["a", "b"]), "var", "val")
        .order_by(["id", "var"]);
    let mut expected = Vec::new();
    for (id, a, b) in [(1, 10, 100), (2, 20, 200)] {
        expected.push(vec![id.to_string(), "a".into(), a.to_string()]);
        expected.push(vec![id.to_string(), "b".into(), b.to_string()]);
    }
    assert_eq!(text(&long).await, expected);
    let melted = wide.melt(["id"], None::<Vec<&str>>, "var", "val");
    assert_eq!(melted.count().await.unwrap(), 4);

    let t = spark
        .sql("SELECT * FROM VALUES ('x', 1, 2), ('y', 3, 4) AS t(k, c1, c2)")
        .await
        .unwrap()
        .transpose(Some(col("k")));
    assert_eq!(t.columns().await.unwrap(), ["key", "x", "y"]);
    assert_eq!(
        text(&t.order_by(["key"])).await,
        [["c1", "1", "3"], ["c2", "2", "4"]]
    );

    let picked = wide.select([wide.col_regex("`(id|b)`")]);
    assert_eq!(picked.columns().await.unwrap(), ["id", "b"]);
    assert_eq!(
        wide.with_watermark("id", "1 minute").count().await.unwrap(),
        2
    );
}

#[tokio::test]
async fn temporary_views() {
    let spark = session().await;
    let df = spark.range(0, 5);
    df.create_temp_view("api_view_e2e").await.unwrap();
    assert_eq!(spark.table("api_view_e2e").count().await.unwrap(), 5);
    let e = spark
        .range(0, 1)
        .create_temp_view("api_view_e2e")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("api_view_e2e"), "{e}");
    spark
        .range(0, 2)
        .create_or_replace_temp_view("api_view_e2e")
        .await
        .unwrap();
    assert_eq!(spark.table("api_view_e2e").count().await.unwrap(), 2);

    let name = format!("api_global_{}", std::process::id());
    spark
        .range(0, 3)
        .create_or_replace_global_temp_view(&name)
        .await
        .unwrap();
    // Global views are seen from other sessions, under global_temp.
    let other = session().await;
    assert_eq!(
        other
            .table(&format!("global_temp.{name}"))
            .count()
            .await
            .unwrap(),
        3
    );
    let e = spark
        .range(0, 3)
        .create_global_temp_view(&name)
        .await
        .unwrap_err();
    assert!(e.server_error().is_some(), "{e}");
}

#[tokio::test]
async fn range_partitions_random_splits_and_semantics() {
    let spark = session().await;
    let df = spark.range(0, 1000);
    let parts = text(
        &df.repartition_by_range(Some(4), [col("id")])
            .group_by([f::spark_partition_id().alias("p")])
            .agg([f::min("id"), f::max("id")])
            .order_by(["min(id)"]),
    )
    .await;
    assert_eq!(parts.len(), 4);
    for w in parts.windows(2) {
        let hi: i64 = w[0][2].parse().unwrap();
        let lo: i64 = w[1][1].parse().unwrap();
        assert!(hi < lo, "ranges overlap: {parts:?}");
    }

    let splits = df.random_split(&[1.0, 2.0, 1.0], Some(11)).unwrap();
    let mut seen = HashSet::new();
    let mut sizes = Vec::new();
    for s in &splits {
        let ids: Vec<i64> = text(s)
            .await
            .iter()
            .map(|r| r[0].parse().unwrap())
            .collect();
        sizes.push(ids.len());
        for id in ids {
            assert!(seen.insert(id), "{id} in two splits");
        }
    }
    assert_eq!(seen.len(), 1000, "every row in one split");
    assert!((400..600).contains(&sizes[1]), "{sizes:?}");
    assert!(df.random_split(&[], None).is_err());
    assert!(df.random_split(&[1.0, -1.0], None).is_err());

    let a = spark.range(0, 10).filter(col("id").gt(3));
    let b = spark.range(0, 10).filter(col("id").gt(3));
    let c = spark.range(0, 10).filter(col("id").gt(4));
    assert!(a.same_semantics(&b).await.unwrap());
    assert!(!a.same_semantics(&c).await.unwrap());
    assert_eq!(
        a.semantic_hash().await.unwrap(),
        b.semantic_hash().await.unwrap()
    );
    assert_eq!(df.input_files().await.unwrap(), Vec::<String>::new());
    let _ = lit(0);
}

#[tokio::test]
async fn caching_checkpoints_and_grouping_sets() {
    let spark = session().await;
    let df = spark.range(0, 100).filter(col("id").gt(49));
    assert!(!df.is_cached().await.unwrap());
    df.cache().await.unwrap();
    assert!(df.is_cached().await.unwrap());
    assert_eq!(
        df.storage_level().await.unwrap(),
        StorageLevel::MEMORY_AND_DISK_DESER
    );
    assert_eq!(df.count().await.unwrap(), 50);
    df.unpersist(true).await.unwrap();
    assert!(!df.is_cached().await.unwrap());
    df.persist(StorageLevel::DISK_ONLY).await.unwrap();
    assert_eq!(df.storage_level().await.unwrap(), StorageLevel::DISK_ONLY);
    df.unpersist(true).await.unwrap();

    // A reliable checkpoint writes to the server's spark.checkpoint.dir, which
    // `cargo xtask spark start` sets; the checkpointed plan no longer holds the filter.
    let checkpointed = df.checkpoint(true).await.unwrap();
    assert_eq!(
        text(&checkpointed.agg([f::sum("id"), f::count(lit(1))])).await,
        [[(50..100).sum::<i64>().to_string(), "50".to_string()]]
    );
    let plan = checkpointed.explain(ExplainMode::Simple).await.unwrap();
    assert!(
        plan.contains("Scan ExistingRDD") && !plan.contains("Filter"),
        "the checkpoint is a scan of the saved rows, not the filter again: {plan}"
    );
    let local = df.local_checkpoint(true, None).await.unwrap();
    assert_eq!(local.count().await.unwrap(), 50);
    assert_eq!(
        text(&local.agg([f::sum("id")])).await,
        [[(50..100).sum::<i64>().to_string()]]
    );

    let sets = spark
        .range(0, 12)
        .select([(col("id") % 2).alias("a"), (col("id") % 3).alias("b")])
        .grouping_sets([vec!["a"], vec!["b"]], ["a", "b"])
        .count()
        .order_by([col("a").asc_nulls_last(), col("b").asc_nulls_last()]);
    let sql = spark
        .sql(
            "SELECT id % 2 AS a, id % 3 AS b, count(1) AS count FROM range(12) \
              GROUP BY GROUPING SETS ((a), (b)) ORDER BY a NULLS LAST, b NULLS LAST",
        )
        .await
        .unwrap();
    let got = text(&sets).await;
    assert_eq!(got, text(&sql).await);
    // Each a-group has 6 rows, each b-group 4.
    assert_eq!(
        got,
        [
            ["0", "null", "6"],
            ["1", "null", "6"],
            ["null", "0", "4"],
            ["null", "1", "4"],
            ["null", "2", "4"]
        ]
    );
}

#[tokio::test]
async fn schema_metadata_and_distinct_aggregates() {
    let spark = session().await;
    let df = spark.range(0, 3).with_column("x", lit(1));
    let typed = df.to("x bigint, id string");
    assert_eq!(
        typed.dtypes().await.unwrap(),
        [
            ("x".to_string(), "bigint".to_string()),
            ("id".into(), "string".into())
        ]
    );
    let e = df.to("not a ( schema").collect().await.unwrap_err();
    assert!(e.server_error().is_some(), "{e}");

    let described = df.with_metadata("x", r#"{"comment":"always one"}"#);
    let schema = described.schema().await.unwrap();
    let x = schema.fields.iter().find(|f| f.name == "x").unwrap();
    assert!(
        x.metadata.as_deref().unwrap_or("").contains("always one"),
        "{:?}",
        x.metadata
    );

    // Streams only: on batch data it is the server's clear error.
    let e = spark
        .range(0, 30)
        .drop_duplicates_within_watermark(["id"])
        .collect()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not supported with batch"), "{e}");

    let words = spark
        .sql("SELECT * FROM VALUES ('b'), ('a'), ('b'), ('c'), ('a') AS t(w)")
        .await
        .unwrap();
    let joined = one_row(&words.agg([
        f::listagg_distinct_with("w", ","),
        f::string_agg_distinct_with("w", ","),
    ]))
    .await;
    for value in joined {
        let mut parts: Vec<&str> = value.split(',').collect();
        parts.sort();
        assert_eq!(parts, ["a", "b", "c"], "{value}");
    }

    // A file source's _metadata column, addressed through the DataFrame it belongs to.
    let dir = std::env::temp_dir().join(format!("api_metadata_{}", std::process::id()));
    spark
        .sql(&format!(
            "INSERT OVERWRITE DIRECTORY '{}' USING parquet SELECT id FROM range(3)",
            dir.display()
        ))
        .await
        .unwrap();
    let files = spark
        .sql(&format!("SELECT * FROM parquet.`{}`", dir.display()))
        .await
        .unwrap();
    let names = files
        .select([files.metadata_column("_metadata").get_field("file_name")])
        .distinct();
    let names = rows(&names.collect().await.unwrap());
    assert!(!names.is_empty());
    assert!(
        names.iter().all(|r| r[0].ends_with(".parquet")),
        "{names:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn row_indexes_and_direct_partitions() {
    let spark = session().await;
    let indexed = spark
        .range_with_step(100, 150, 1, Some(3))
        .zip_with_index("idx")
        .order_by(["idx"]);
    let got = text(&indexed).await;
    assert_eq!(got.len(), 50);
    for (i, row) in got.iter().enumerate() {
        assert_eq!(row[1], i.to_string());
        assert_eq!(row[0], (100 + i).to_string(), "range order is kept");
    }

    let placed = spark
        .range(0, 40)
        .with_column("p", col("id") % 4)
        .repartition_by_id(4, col("p").cast("int"))
        .select([col("p"), f::spark_partition_id().alias("actual")])
        .distinct()
        .order_by(["p"]);
    assert_eq!(
        text(&placed).await,
        (0..4)
            .map(|p| vec![p.to_string(), p.to_string()])
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn na_and_stat_under_pysparks_names() {
    let spark = session().await;
    let df = spark.sql(PEOPLE).await.unwrap();
    assert_eq!(
        df.na()
            .drop(None, Vec::<&str>::new())
            .count()
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        df.na()
            .fill(0, ["age"])
            .filter(col("age").eq(0))
            .count()
            .await
            .unwrap(),
        2
    );
    let replaced = df
        .na()
        .replace([(Literal::from("ann"), Literal::from("anne"))], ["name"])
        .filter(col("name").eq("anne"));
    assert_eq!(replaced.count().await.unwrap(), 1);

    let nums = spark
        .range(1, 11)
        .select([col("id").alias("x"), (col("id") * 2).alias("y")]);
    // y = 2x: correlation 1, covariance 2 * var(x) = 2 * 55/6.
    let corr = nums.stat().corr("x", "y").await.unwrap();
    assert!((corr - 1.0).abs() < 1e-12, "{corr}");
    let cov = nums.stat().cov("x", "y").await.unwrap();
    assert!((cov - 2.0 * 55.0 / 6.0).abs() < 1e-9, "{cov}");
    let q = nums
        .stat()
        .approx_quantile(["x"], &[0.0, 1.0], 0.0)
        .await
        .unwrap();
    assert_eq!(q, [vec![1.0, 10.0]]);
    assert_eq!(nums.stat().crosstab("x", "y").count().await.unwrap(), 10);
    assert_eq!(
        nums.stat().freq_items(["x"], None).count().await.unwrap(),
        1
    );
    let sampled = nums
        .stat()
        .sample_by("x", [(Literal::from(3i64), 1.0)], Some(1))
        .count()
        .await
        .unwrap();
    assert_eq!(sampled, 1);
}
