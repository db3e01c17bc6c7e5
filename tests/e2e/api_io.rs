//! Reading and writing files and tables against a real server: round trips through every
//! format, schemas and options, save modes, partitioning, bucketing, tables, the V2 writer
//! (in the session catalog and in a JDBC catalog on an in-memory Derby database), and bad
//! input. Paths are unique temporary directories on this machine, which the local server
//! shares; tables are named `io_...` and dropped at the end of each test.

use std::path::Path;

use databricks_connect::functions::{self as f, col, expr, lit};
use databricks_connect::{
    DataFrame, DataType, ErrorKind, SaveMode, SparkSession, StructField, StructType,
};

use crate::api_functions::rows;
use crate::{TempDir, session};

/// Three rows with a null in every column but `id`, non-ASCII text, a decimal and a date.
async fn sample(spark: &SparkSession) -> DataFrame {
    spark
        .sql(
            "SELECT * FROM VALUES
               (1, 'plain', CAST(12.34 AS DECIMAL(10,2)), DATE'2024-02-29'),
               (2, 'grüße, 東京 🚀', CAST(-0.05 AS DECIMAL(10,2)), DATE'1970-01-01'),
               (3, NULL, NULL, NULL)
             AS t(id, name, amount, day)",
        )
        .await
        .unwrap()
}

const SAMPLE_DDL: &str = "id INT, name STRING, amount DECIMAL(10,2), day DATE";

fn sample_rows() -> Vec<Vec<String>> {
    let r = |a: &str, b: &str, c: &str, d: &str| vec![a.into(), b.into(), c.into(), d.into()];
    vec![
        r("1", "plain", "12.34", "2024-02-29"),
        r("2", "grüße, 東京 🚀", "-0.05", "1970-01-01"),
        r("3", "null", "null", "null"),
    ]
}

async fn sorted(df: DataFrame, by: &str) -> Vec<Vec<String>> {
    rows(&df.order_by([col(by)]).collect().await.unwrap())
}

async fn ids(df: DataFrame) -> Vec<i64> {
    sorted(df.select(["id"]), "id")
        .await
        .into_iter()
        .map(|r| r[0].parse().unwrap())
        .collect()
}

async fn drop_table(spark: &SparkSession, name: &str) {
    spark
        .sql(&format!("DROP TABLE IF EXISTS {name}"))
        .await
        .unwrap();
}

#[tokio::test]
async fn round_trips_through_every_format() {
    let spark = session().await;
    let dir = TempDir::new("formats");
    let df = sample(&spark).await;
    let expected = sample_rows();

    df.write().parquet(&dir.path("p")).await.unwrap();
    let back = spark.read().parquet(dir.path("p"));
    assert_eq!(back.dtypes().await.unwrap(), df.dtypes().await.unwrap());
    assert_eq!(sorted(back, "id").await, expected);

    df.write().orc(&dir.path("o")).await.unwrap();
    let back = spark.read().orc(dir.path("o"));
    assert_eq!(back.dtypes().await.unwrap(), df.dtypes().await.unwrap());
    assert_eq!(sorted(back, "id").await, expected);

    // Text formats keep values, not types: read them with the schema.
    df.write().json(&dir.path("j")).await.unwrap();
    let back = spark.read().schema(SAMPLE_DDL).json(dir.path("j"));
    assert_eq!(sorted(back, "id").await, expected);

    df.write()
        .option("header", true)
        .csv(&dir.path("c"))
        .await
        .unwrap();
    let back = spark
        .read()
        .schema(SAMPLE_DDL)
        .option("header", true)
        .csv(dir.path("c"));
    assert_eq!(sorted(back, "id").await, expected);

    df.write()
        .option("rowTag", "row")
        .xml(&dir.path("x"))
        .await
        .unwrap();
    let back = spark
        .read()
        .schema(SAMPLE_DDL)
        .option("rowTag", "row")
        .xml(dir.path("x"));
    assert_eq!(sorted(back, "id").await, expected);

    // Text is one string column; the null row is left out (text files have no nulls).
    df.filter(col("name").is_not_null())
        .select([col("name")])
        .write()
        .text(&dir.path("t"))
        .await
        .unwrap();
    let back = spark.read().text(dir.path("t"));
    assert_eq!(back.columns().await.unwrap(), ["value"]);
    assert_eq!(sorted(back, "value").await, [["grüße, 東京 🚀"], ["plain"]]);

    // The generic form: format + save, format + load.
    df.write()
        .format("json")
        .save(&dir.path("g"))
        .await
        .unwrap();
    let back = spark
        .read()
        .format("json")
        .schema(SAMPLE_DDL)
        .load(dir.path("g"));
    assert_eq!(sorted(back, "id").await, expected);
}

#[tokio::test]
async fn reads_with_a_schema_options_and_several_paths() {
    let spark = session().await;
    let dir = TempDir::new("schema");
    std::fs::write(
        dir.0.join("a.csv"),
        "k;label;when\n1;eins;2020-01-31\n2;;\n",
    )
    .unwrap();
    std::fs::write(dir.0.join("b.csv"), "k;label;when\n3;drei;1999-12-31\n").unwrap();
    let (a, b) = (dir.path("a.csv"), dir.path("b.csv"));

    // DDL schema, header and separator options, two paths.
    let ddl = spark
        .read()
        .schema("k BIGINT, label STRING, when DATE")
        .options([("header", "true"), ("sep", ";")])
        .csv([a.as_str(), b.as_str()]);
    assert_eq!(
        ddl.dtypes().await.unwrap(),
        [
            ("k".to_string(), "bigint".to_string()),
            ("label".into(), "string".into()),
            ("when".into(), "date".into())
        ]
    );
    let expected = [
        ["1", "eins", "2020-01-31"],
        ["2", "null", "null"],
        ["3", "drei", "1999-12-31"],
    ];
    assert_eq!(sorted(ddl, "k").await, expected);

    // The same with a StructType, one field not nullable; one path.
    let schema = StructType {
        fields: vec![
            StructField {
                name: "k".into(),
                data_type: DataType::Integer,
                nullable: false,
                metadata: None,
            },
            StructField {
                name: "label".into(),
                data_type: DataType::String {
                    collation: String::new(),
                },
                nullable: true,
                metadata: None,
            },
            StructField {
                name: "when".into(),
                data_type: DataType::Date,
                nullable: true,
                metadata: None,
            },
        ],
    };
    let typed = spark
        .read()
        .format("csv")
        .schema(&schema)
        .option("header", true)
        .option("SEP", ";")
        .load(a.as_str());
    assert_eq!(
        typed.dtypes().await.unwrap(),
        [
            ("k".to_string(), "int".to_string()),
            ("label".into(), "string".into()),
            ("when".into(), "date".into())
        ]
    );
    assert_eq!(sorted(typed, "k").await, expected[..2]);

    // Without the header option the header is a row; without sep each line is one column.
    let raw = spark.read().csv(a.as_str());
    assert_eq!(raw.columns().await.unwrap(), ["_c0"]);
    assert_eq!(raw.count().await.unwrap(), 3);

    // A path option instead of a path argument.
    let by_option = spark
        .read()
        .format("csv")
        .option("path", &b)
        .option("header", "true")
        .option("sep", ";")
        .load_without_path();
    assert_eq!(
        rows(&by_option.collect().await.unwrap()),
        [["3", "drei", "1999-12-31"]]
    );
}

#[tokio::test]
async fn every_save_mode() {
    let spark = session().await;
    let dir = TempDir::new("modes");
    let path = dir.path("data");
    let first = spark.range(0, 3);
    let second = spark.range(10, 12);

    first.write().parquet(&path).await.unwrap();
    assert_eq!(ids(spark.read().parquet(&path)).await, [0, 1, 2]);

    // ErrorIfExists, by default and when asked for: the server's error, data untouched.
    for writer in [
        second.write(),
        second.write().mode(SaveMode::ErrorIfExists),
        second.write().mode("error"),
    ] {
        let e = writer.parquet(&path).await.unwrap_err();
        let server = e.server_error().unwrap_or_else(|| panic!("{e}"));
        assert_eq!(server.error_class(), Some("PATH_ALREADY_EXISTS"), "{e}");
    }
    assert_eq!(ids(spark.read().parquet(&path)).await, [0, 1, 2]);

    second
        .write()
        .mode(SaveMode::Ignore)
        .parquet(&path)
        .await
        .unwrap();
    assert_eq!(ids(spark.read().parquet(&path)).await, [0, 1, 2]);

    second
        .write()
        .mode(SaveMode::Append)
        .parquet(&path)
        .await
        .unwrap();
    assert_eq!(ids(spark.read().parquet(&path)).await, [0, 1, 2, 10, 11]);

    second
        .write()
        .mode("OVERWRITE")
        .parquet(&path)
        .await
        .unwrap();
    assert_eq!(ids(spark.read().parquet(&path)).await, [10, 11]);

    // Ignore on a new path writes.
    let fresh = dir.path("fresh");
    first
        .write()
        .mode(SaveMode::Ignore)
        .parquet(&fresh)
        .await
        .unwrap();
    assert_eq!(ids(spark.read().parquet(&fresh)).await, [0, 1, 2]);
}

#[tokio::test]
async fn partition_by_writes_key_value_directories() {
    let spark = session().await;
    let dir = TempDir::new("partitions");
    let path = dir.path("parts");
    let df = spark
        .range(0, 6)
        .with_column("k", (col("id") % lit(3)).cast("string"))
        .with_column("g", expr("IF(id < 3, 'lo', 'hi')"));
    df.write()
        .partition_by(["g", "k"])
        .format("parquet")
        .save(&path)
        .await
        .unwrap();
    let mut top: Vec<String> = std::fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.starts_with('_') && !n.starts_with('.'))
        .collect();
    top.sort();
    assert_eq!(top, ["g=hi", "g=lo"]);
    for g in ["g=hi", "g=lo"] {
        let mut inner: Vec<String> = std::fs::read_dir(Path::new(&path).join(g))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        inner.sort();
        assert_eq!(inner, ["k=0", "k=1", "k=2"], "{g}");
    }
    // Read back, the partition columns come last; one partition alone by its directory.
    let back = spark.read().parquet(&path);
    assert_eq!(back.columns().await.unwrap(), ["id", "g", "k"]);
    let expected: Vec<Vec<String>> = (0..6)
        .map(|i| {
            let g = if i < 3 { "lo" } else { "hi" };
            vec![i.to_string(), g.to_string(), (i % 3).to_string()]
        })
        .collect();
    assert_eq!(sorted(back, "id").await, expected);
    let one = spark
        .read()
        .parquet(Path::new(&path).join("g=hi").join("k=1").to_str().unwrap());
    assert_eq!(ids(one).await, [4]);
}

#[tokio::test]
async fn tables_save_as_table_insert_into_and_buckets() {
    let spark = session().await;
    let (t, b) = ("io_table_basic", "io_table_bucketed");
    drop_table(&spark, t).await;
    drop_table(&spark, b).await;
    let df = sample(&spark).await;

    df.write().save_as_table(t).await.unwrap();
    assert_eq!(sorted(spark.read().table(t), "id").await, sample_rows());
    assert_eq!(sorted(spark.table(t), "id").await, sample_rows());
    // The table exists: the default mode fails, Ignore leaves it, Append adds.
    let e = df.write().save_as_table(t).await.unwrap_err();
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("TABLE_OR_VIEW_ALREADY_EXISTS"),
        "{e}"
    );
    spark
        .range(7, 8)
        .select_expr([
            "CAST(id AS INT)",
            "'x'",
            "CAST(1 AS DECIMAL(10,2))",
            "current_date()",
        ])
        .write()
        .mode(SaveMode::Ignore)
        .save_as_table(t)
        .await
        .unwrap();
    assert_eq!(ids(spark.table(t)).await, [1, 2, 3]);

    // insert_into matches by position: appends, then replaces.
    let more = spark
        .sql("SELECT 4, 'vier', 4.00BD, DATE'2000-01-01'")
        .await
        .unwrap();
    more.write().insert_into(t, None).await.unwrap();
    more.write().insert_into(t, Some(false)).await.unwrap();
    assert_eq!(ids(spark.table(t)).await, [1, 2, 3, 4, 4]);
    df.filter(col("id").eq(lit(2)))
        .write()
        .insert_into(t, Some(true))
        .await
        .unwrap();
    assert_eq!(
        sorted(spark.table(t), "id").await,
        [sample_rows()[1].clone()]
    );

    // Buckets with sorted buckets, recorded in the catalog.
    spark
        .range(0, 20)
        .write()
        .bucket_by(4, ["id"])
        .sort_by(["id"])
        .format("parquet")
        .save_as_table(b)
        .await
        .unwrap();
    let described = rows(
        &spark
            .sql(&format!("DESCRIBE TABLE EXTENDED {b}"))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap(),
    );
    let value = |key: &str| {
        described
            .iter()
            .find(|r| r[0] == key)
            .map(|r| r[1].clone())
            .unwrap_or_else(|| panic!("no {key} in {described:?}"))
    };
    assert_eq!(value("Num Buckets"), "4");
    assert_eq!(value("Bucket Columns"), "[`id`]");
    assert_eq!(value("Sort Columns"), "[`id`]");
    assert_eq!(ids(spark.table(b)).await, (0..20).collect::<Vec<_>>());

    drop_table(&spark, t).await;
    drop_table(&spark, b).await;
}

#[tokio::test]
async fn writer_v2_in_the_session_catalog() {
    let spark = session().await;
    let t = "io_v2_session";
    drop_table(&spark, t).await;
    let df = spark
        .sql("SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(k, v)")
        .await
        .unwrap();

    df.write_to(t)
        .using("parquet")
        .partitioned_by(["k"])
        .table_property("io.owner", "tests")
        .create()
        .await
        .unwrap();
    assert_eq!(
        sorted(spark.table(t).select(["k", "v"]), "k").await,
        [["1", "a"], ["2", "b"]]
    );
    let props = rows(
        &spark
            .sql(&format!("SHOW TBLPROPERTIES {t} ('io.owner')"))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap(),
    );
    assert_eq!(props, [["io.owner", "tests"]]);
    let e = df.write_to(t).using("parquet").create().await.unwrap_err();
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("TABLE_OR_VIEW_ALREADY_EXISTS"),
        "{e}"
    );
    // Spark's built-in catalog keeps V1 tables: the other V2 writes are refused by the
    // server, with its own error, and the table is unchanged.
    for (what, result) in [
        ("append", df.write_to(t).append().await),
        ("overwrite", df.write_to(t).overwrite(lit(true)).await),
        (
            "overwrite_partitions",
            df.write_to(t).overwrite_partitions().await,
        ),
    ] {
        let e = result.unwrap_err();
        assert!(e.server_error().is_some(), "{what}: {e}");
        assert!(
            e.to_string().contains("Cannot write into v1 table"),
            "{what}: {e}"
        );
    }
    for (what, result) in [
        ("replace", df.write_to(t).using("parquet").replace().await),
        (
            "create_or_replace",
            df.write_to(t).using("parquet").create_or_replace().await,
        ),
    ] {
        let e = result.unwrap_err();
        assert_eq!(
            e.server_error().and_then(|s| s.error_class()),
            Some("UNSUPPORTED_FEATURE.TABLE_OPERATION"),
            "{what}: {e}"
        );
    }
    assert_eq!(spark.table(t).count().await.unwrap(), 2);
    drop_table(&spark, t).await;

    // Partition transforms: the built-in catalog takes bucket(), not the time transforms.
    let dated = df.with_column("d", expr("DATE'2020-01-01' + k"));
    dated
        .write_to(t)
        .using("parquet")
        .partitioned_by([f::bucket(3, "k")])
        .create()
        .await
        .unwrap();
    let described = rows(
        &spark
            .sql(&format!("DESCRIBE TABLE EXTENDED {t}"))
            .await
            .unwrap()
            .collect()
            .await
            .unwrap(),
    );
    assert!(
        described
            .iter()
            .any(|r| r[0] == "Num Buckets" && r[1] == "3"),
        "{described:?}"
    );
    assert_eq!(spark.table(t).count().await.unwrap(), 2);
    drop_table(&spark, t).await;
    for transform in [f::years("d"), f::months("d"), f::days("d"), f::hours("d")] {
        let e = dated
            .write_to(t)
            .using("parquet")
            .partitioned_by([transform])
            .create()
            .await
            .unwrap_err();
        assert_eq!(
            e.server_error().and_then(|s| s.error_class()),
            Some("UNSUPPORTED_PARTITION_TRANSFORM"),
            "{e}"
        );
    }
    assert!(spark.catalog_table_missing(t).await);
}

/// A session whose catalog `io_jdbc` is a JDBC catalog on an in-memory Derby database
/// (Derby ships with Spark): a real V2 catalog on the plain test server.
async fn derby_catalog(db: &str) -> (SparkSession, String) {
    let spark = session().await;
    let url = format!("jdbc:derby:memory:{db};create=true");
    let conf = spark.conf();
    conf.set(
        "spark.sql.catalog.io_jdbc",
        "org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog",
    )
    .await
    .unwrap();
    conf.set("spark.sql.catalog.io_jdbc.url", &url)
        .await
        .unwrap();
    conf.set(
        "spark.sql.catalog.io_jdbc.driver",
        "org.apache.derby.jdbc.EmbeddedDriver",
    )
    .await
    .unwrap();
    (spark, url)
}

#[tokio::test]
async fn writer_v2_in_a_jdbc_catalog() {
    let (spark, _) = derby_catalog("io_v2_db").await;
    let t = "io_jdbc.app.io_v2_jdbc";
    drop_table(&spark, t).await;
    let df = spark
        .sql("SELECT * FROM VALUES (1, 'a'), (2, 'b') AS t(k, v)")
        .await
        .unwrap();
    let kv = |df: DataFrame| async move { sorted(df, "k").await };

    df.write_to(t).create().await.unwrap();
    assert_eq!(kv(spark.table(t)).await, [["1", "a"], ["2", "b"]]);

    df.filter(col("k").eq(lit(2)))
        .write_to(t)
        .append()
        .await
        .unwrap();
    assert_eq!(
        kv(spark.table(t)).await,
        [["1", "a"], ["2", "b"], ["2", "b"]]
    );

    spark
        .sql("SELECT 3 AS k, 'c' AS v")
        .await
        .unwrap()
        .write_to(t)
        .replace()
        .await
        .unwrap();
    assert_eq!(kv(spark.table(t)).await, [["3", "c"]]);

    df.write_to(t).create_or_replace().await.unwrap();
    assert_eq!(kv(spark.table(t)).await, [["1", "a"], ["2", "b"]]);

    // A JDBC table can be truncated (overwrite where true) but not overwritten by a filter
    // or by partitions: those are the server's clear errors, and the table is unchanged.
    let e = df.write_to(t).overwrite(expr("k = 1")).await.unwrap_err();
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("UNSUPPORTED_FEATURE.TABLE_OPERATION"),
        "{e}"
    );
    assert!(e.to_string().contains("overwrite by filter"), "{e}");
    let e = df.write_to(t).overwrite_partitions().await.unwrap_err();
    assert!(e.to_string().contains("dynamic overwrite"), "{e}");
    assert_eq!(kv(spark.table(t)).await, [["1", "a"], ["2", "b"]]);
    df.filter(col("k").eq(lit(1)))
        .write_to(t)
        .overwrite(lit(true))
        .await
        .unwrap();
    assert_eq!(kv(spark.table(t)).await, [["1", "a"]]);

    drop_table(&spark, t).await;
    let e = df.write_to(t).replace().await.unwrap_err();
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("TABLE_OR_VIEW_NOT_FOUND"),
        "{e}"
    );
}

#[tokio::test]
async fn jdbc_read_and_write_with_predicates() {
    let (spark, url) = derby_catalog("io_jdbc_db").await;
    let df = spark
        .range(0, 5)
        .select_expr(["CAST(id AS INT) AS K", "id * 10 AS V"]);
    let driver = ("driver", "org.apache.derby.jdbc.EmbeddedDriver");
    df.write()
        .options([driver])
        .mode(SaveMode::Overwrite)
        .jdbc(&url, "IO_JDBC_T")
        .await
        .unwrap();
    let read = || spark.read().options([driver]);
    let all = read().jdbc(&url, "IO_JDBC_T", Vec::<&str>::new());
    assert_eq!(
        sorted(all, "K").await,
        (0..5)
            .map(|i| vec![i.to_string(), (i * 10).to_string()])
            .collect::<Vec<_>>()
    );
    // One partition per predicate: overlapping predicates read a row once per match.
    let parts = read().jdbc(&url, "IO_JDBC_T", ["K < 2", "K >= 1"]);
    assert_eq!(
        sorted(parts.select(["K"]), "K")
            .await
            .into_iter()
            .map(|r| r[0].parse::<i64>().unwrap())
            .collect::<Vec<_>>(),
        [0, 1, 1, 2, 3, 4]
    );
    spark
        .sql("DROP TABLE IF EXISTS io_jdbc.app.IO_JDBC_T")
        .await
        .unwrap();
}

#[tokio::test]
async fn bad_input_gives_clear_errors() {
    let spark = session().await;
    let dir = TempDir::new("bad");
    let df = spark.range(0, 3);

    // Client-side checks, as PySpark makes them.
    let e = df
        .write()
        .bucket_by(0, ["id"])
        .save_as_table("io_never_made")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at least 1, got 0"), "{e}");
    let e = df
        .write()
        .bucket_by(2, Vec::<&str>::new())
        .save_as_table("io_never_made")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("at least one column"), "{e}");
    let e = df
        .write()
        .sort_by(["id"])
        .save_as_table("io_never_made")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("bucket_by"), "{e}");
    let e = df
        .write()
        .cluster_by(Vec::<&str>::new())
        .save_as_table("io_never_made")
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("at least one column to cluster by"),
        "{e}"
    );
    let e = df
        .write_to("io_never_made")
        .partitioned_by(Vec::<&str>::new())
        .create()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("partitioned_by"), "{e}");
    let e = df
        .write_to("io_never_made")
        .cluster_by(Vec::<&str>::new())
        .create()
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("at least one column to cluster by"),
        "{e}"
    );
    let e = "sideways".parse::<SaveMode>().unwrap_err();
    assert!(
        e.to_string().contains("'sideways'") && e.to_string().contains("errorifexists"),
        "{e}"
    );
    // A schema on a table reader is reported by the request that would run the plan,
    // before anything is sent (so the table's absence is not what is reported).
    let e = spark
        .read()
        .schema("id INT")
        .table("io_never_made")
        .count()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(e.to_string().contains("schema"), "{e}");
    let e = spark
        .read()
        .schema("id INT")
        .changes("io_never_made")
        .collect()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
    assert!(e.to_string().contains("schema"), "{e}");
    assert!(spark.catalog_table_missing("io_never_made").await);
    let e = spark
        .read()
        .changes("io_never_made")
        .collect()
        .await
        .unwrap_err();
    // The built-in catalog records no changes, and says so.
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("UNSUPPORTED_FEATURE.CHANGE_DATA_CAPTURE"),
        "{e}"
    );

    // The server's errors, as it reported them.
    let e = df
        .write()
        .format("io_no_such_format")
        .save(&dir.path("x"))
        .await
        .unwrap_err();
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("DATA_SOURCE_NOT_FOUND"),
        "{e}"
    );
    let e = spark
        .read()
        .format("io_no_such_format")
        .load(dir.path("x"))
        .collect()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("io_no_such_format"), "{e}");
    let missing = dir.path("missing");
    let e = spark
        .read()
        .parquet(missing.as_str())
        .collect()
        .await
        .unwrap_err();
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("PATH_NOT_FOUND"),
        "{e}"
    );
    assert!(e.to_string().contains(&missing), "{e}");
    // Text needs one string column.
    let e = df.write().text(&dir.path("t")).await.unwrap_err();
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE"),
        "{e}"
    );
    let e = spark
        .read()
        .schema("this is not ddl")
        .csv(dir.path("x"))
        .collect()
        .await
        .unwrap_err();
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("PARSE_SYNTAX_ERROR"),
        "{e}"
    );
}

trait CatalogProbe {
    async fn catalog_table_missing(&self, name: &str) -> bool;
}

impl CatalogProbe for SparkSession {
    /// Whether no table `name` exists (checked with SQL, independently of the writer).
    async fn catalog_table_missing(&self, name: &str) -> bool {
        let found = self
            .sql(&format!("SHOW TABLES LIKE '{name}'"))
            .await
            .unwrap()
            .count()
            .await
            .unwrap();
        found == 0
    }
}

#[tokio::test]
async fn paths_and_option_values_reach_the_server_unchanged() {
    let spark = session().await;
    let dir = TempDir::new("paths");
    // Spaces, non-ASCII letters, a percent sign and a plus: sent as given, the files land
    // exactly there (checked on disk), and reading the same text finds them.
    let path = dir.path("a dir ü 東京 50%+1");
    let df = spark
        .sql("SELECT * FROM VALUES (1, 'x'), (2, NULL) AS t(id, s)")
        .await
        .unwrap();
    df.write()
        .option("header", true)
        .option("nullValue", "∅ null ∅")
        .option("sep", "|")
        .csv(&path)
        .await
        .unwrap();
    let on_disk: String = std::fs::read_dir(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let mut lines: Vec<&str> = on_disk.lines().filter(|l| *l != "id|s").collect();
    lines.sort();
    // The option values are in the files as given (sep `|`, the multi-byte null marker).
    assert_eq!(lines, ["1|x", "2|∅ null ∅"]);
    let back = spark
        .read()
        .schema("id INT, s STRING")
        .options([("header", "true"), ("sep", "|"), ("nullValue", "∅ null ∅")])
        .csv(path.as_str());
    assert_eq!(sorted(back, "id").await, [["1", "x"], ["2", "null"]]);
}

#[tokio::test]
async fn merge_and_writes_send_the_subqueries_their_source_uses() {
    let spark = session().await;
    let (target, written) = ("io_merge_subquery_target", "io_subquery_written");
    drop_table(&spark, target).await;
    drop_table(&spark, written).await;
    spark
        .sql(&format!(
            "CREATE TABLE {target} USING parquet AS SELECT 1L AS id, 'old' AS v"
        ))
        .await
        .unwrap();
    // A source that keeps the rows whose id is in another DataFrame (an IN subquery).
    let wanted = spark.range(1, 3);
    let source = || spark.range(0, 5).filter(col("id").isin_subquery(&wanted));
    source().write().save_as_table(written).await.unwrap();
    assert_eq!(ids(spark.table(written)).await, [1, 2]);
    // The merge reaches the point where the server judges the target (parquet tables take
    // no MERGE); without its subquery the source would not resolve at all.
    let e = source()
        .alias("s")
        .merge_into(target, col(&format!("{target}.id")).eq(col("s.id")))
        .when_matched(None)
        .update([("v", lit("new"))])
        .merge()
        .await
        .unwrap_err();
    let after = rows(&spark.table(target).collect().await.unwrap());
    drop_table(&spark, target).await;
    drop_table(&spark, written).await;
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("UNSUPPORTED_FEATURE.TABLE_OPERATION"),
        "{e}"
    );
    assert_eq!(after, [["1", "old"]]);
}

/// Sends `command` as it is, outside the writer, and waits until the server has run it.
async fn run_raw(spark: &SparkSession, command: databricks_connect::proto::Command) {
    use databricks_connect::proto;
    let plan = proto::Plan {
        op_type: Some(proto::plan::OpType::Command(command)),
    };
    let mut stream = spark.client().execute_plan(plan).await.unwrap();
    while let Some(response) = stream.next_response().await {
        response.unwrap();
    }
}

#[tokio::test]
async fn writer_to_proto_commands_run_on_the_server_as_the_write_does() {
    use databricks_connect::proto::command::CommandType;
    use databricks_connect::proto::write_operation_v2::Mode;
    let spark = session().await;
    let dir = TempDir::new("to_proto");
    let path = dir.path("json");

    // The batch writer's command, sent by hand, writes what the writer itself writes.
    let writer = spark
        .range(0, 4)
        .write()
        .format("json")
        .mode("overwrite")
        .option("path", &path);
    run_raw(&spark, writer.to_proto().unwrap()).await;
    assert_eq!(ids(spark.read().json(&path)).await, [0, 1, 2, 3]);
    spark
        .range(7, 9)
        .write()
        .format("json")
        .mode("append")
        .option("path", &path)
        .save_without_path()
        .await
        .unwrap();
    assert_eq!(ids(spark.read().json(&path)).await, [0, 1, 2, 3, 7, 8]);

    // The V2 writer's command with the mode `create` chooses.
    let table = "io_to_proto_v2";
    drop_table(&spark, table).await;
    let command = spark
        .range(0, 2)
        .write_to(table)
        .using("parquet")
        .to_proto()
        .unwrap();
    let Some(CommandType::WriteOperationV2(mut write)) = command.command_type else {
        panic!("{command:?}")
    };
    write.mode = Mode::Create as i32;
    run_raw(
        &spark,
        databricks_connect::proto::Command {
            command_type: Some(CommandType::WriteOperationV2(write)),
        },
    )
    .await;
    let created = ids(spark.table(table)).await;
    drop_table(&spark, table).await;
    assert_eq!(created, [0, 1]);
}
