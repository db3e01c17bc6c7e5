//! The catalog (`spark.catalog()`), observed metrics and Java UDF registration against the
//! real server. Every object is created here by SQL (or the catalog itself) with a `catalog_`
//! name, listings are filtered to those names (other tests share the server), and expected
//! values come from the SQL that made the objects.
//!
//! `clear_cache` is not called: the server's cache is shared by every session, so it would
//! disturb the caching tests running beside these.

use databricks_connect::functions::{self as f, col, lit};
use databricks_connect::{
    CatalogColumn, CreateTableOptions, Observation, ServerErrorKind, SparkError, SparkSession,
    StorageLevel,
};

use crate::api_functions::rows;
use crate::session;

async fn sql(spark: &SparkSession, query: &str) {
    spark
        .sql(query)
        .await
        .unwrap_or_else(|e| panic!("{query}: {e}"));
}

/// The server error's kind and class.
fn server_error(e: &SparkError) -> (ServerErrorKind, Option<String>) {
    let server = e
        .server_error()
        .unwrap_or_else(|| panic!("a server error, got {e}"));
    (server.kind(), server.error_class().map(str::to_string))
}

fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

async fn text(spark: &SparkSession, query: &str) -> Vec<Vec<String>> {
    rows(&spark.sql(query).await.unwrap().collect().await.unwrap())
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("catalog_e2e_{name}_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn catalogs_and_databases() {
    let spark = session().await;
    let catalog = spark.catalog();
    assert_eq!(catalog.current_catalog().await.unwrap(), "spark_catalog");
    let catalogs = catalog.list_catalogs(Some("spark_cat*")).await.unwrap();
    assert_eq!(
        catalogs.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["spark_catalog"]
    );
    catalog.set_current_catalog("spark_catalog").await.unwrap();
    let e = catalog
        .set_current_catalog("catalog_no_such_catalog")
        .await
        .unwrap_err();
    assert_eq!(
        server_error(&e).1.as_deref(),
        Some("CATALOG_NOT_FOUND"),
        "{e}"
    );

    let db = "catalog_e2e_db";
    catalog.drop_database(db, true, true).await.unwrap();
    catalog
        .drop_database("catalog_e2e_db2", true, true)
        .await
        .unwrap();
    catalog
        .create_database(
            db,
            false,
            [("owner_team".to_string(), "catalog".to_string())],
        )
        .await
        .unwrap();
    sql(
        &spark,
        "CREATE DATABASE catalog_e2e_db2 COMMENT 'second one'",
    )
    .await;
    // Exists: true and false.
    assert!(catalog.database_exists(db).await.unwrap());
    assert!(
        !catalog
            .database_exists("catalog_e2e_no_such_db")
            .await
            .unwrap()
    );
    // Creating it again fails, unless if_not_exists.
    let e = catalog
        .create_database(db, false, Vec::new())
        .await
        .unwrap_err();
    assert_eq!(
        server_error(&e).1.as_deref(),
        Some("SCHEMA_ALREADY_EXISTS"),
        "{e}"
    );
    catalog.create_database(db, true, Vec::new()).await.unwrap();

    let listed = catalog
        .list_databases(Some("catalog_e2e_db*"))
        .await
        .unwrap();
    assert_eq!(
        sorted(listed.iter().map(|d| d.name.clone()).collect()),
        [db, "catalog_e2e_db2"]
    );
    let got = catalog.get_database("catalog_e2e_db2").await.unwrap();
    assert_eq!(got.name, "catalog_e2e_db2");
    assert_eq!(got.catalog.as_deref(), Some("spark_catalog"));
    assert_eq!(got.description.as_deref(), Some("second one"));
    // The location as the server reports it in DESCRIBE DATABASE.
    let described = text(&spark, "DESCRIBE DATABASE catalog_e2e_db2").await;
    let location = described
        .iter()
        .find(|r| r[0] == "Location")
        .map(|r| r[1].clone())
        .expect("a Location row");
    assert_eq!(got.location_uri, location);
    assert!(listed.contains(&got));

    // The current database follows set_current_database.
    assert_eq!(catalog.current_database().await.unwrap(), "default");
    catalog.set_current_database(db).await.unwrap();
    assert_eq!(catalog.current_database().await.unwrap(), db);
    catalog.set_current_database("default").await.unwrap();

    // Unknown databases are the server's analysis errors.
    let e = catalog
        .get_database("catalog_e2e_no_such_db")
        .await
        .unwrap_err();
    assert_eq!(
        server_error(&e),
        (ServerErrorKind::Analysis, Some("SCHEMA_NOT_FOUND".into()))
    );
    let e = catalog
        .set_current_database("catalog_e2e_no_such_db")
        .await
        .unwrap_err();
    assert_eq!(
        server_error(&e).1.as_deref(),
        Some("SCHEMA_NOT_FOUND"),
        "{e}"
    );

    catalog.drop_database(db, false, true).await.unwrap();
    catalog
        .drop_database("catalog_e2e_db2", false, false)
        .await
        .unwrap();
    assert!(!catalog.database_exists(db).await.unwrap());
    let e = catalog.drop_database(db, false, false).await.unwrap_err();
    assert_eq!(
        server_error(&e).1.as_deref(),
        Some("SCHEMA_NOT_FOUND"),
        "{e}"
    );
}

/// The sections run one after the other on the same tables, each boxed to keep the test's
/// future small.
#[tokio::test]
async fn tables_views_and_columns() {
    let spark = session().await;
    let db = "catalog_e2e_tables";
    Box::pin(create_tables(&spark, db)).await;
    Box::pin(list_and_get_tables(&spark, db)).await;
    Box::pin(columns(&spark, db)).await;
    Box::pin(partitions_properties_and_statistics(&spark, db)).await;
    Box::pin(unknown_and_dropped_tables(&spark, db)).await;
}

async fn create_tables(spark: &SparkSession, db: &str) {
    let spark = spark.clone();
    sql(&spark, &format!("DROP DATABASE IF EXISTS {db} CASCADE")).await;
    sql(&spark, &format!("CREATE DATABASE {db}")).await;
    sql(
        &spark,
        &format!(
            "CREATE TABLE {db}.sales (id BIGINT NOT NULL COMMENT 'the key', item STRING, \
             price DECIMAL(10, 2), tags ARRAY<STRING>, year INT) USING parquet \
             PARTITIONED BY (year) COMMENT 'sales by year' TBLPROPERTIES ('team' = 'catalog')"
        ),
    )
    .await;
    sql(
        &spark,
        &format!(
            "CREATE TABLE {db}.buckets (k INT, v STRING) USING parquet \
             CLUSTERED BY (k) INTO 4 BUCKETS"
        ),
    )
    .await;
    sql(
        &spark,
        &format!("CREATE VIEW {db}.sales_view AS SELECT id, item FROM {db}.sales"),
    )
    .await;
    sql(
        &spark,
        "CREATE TEMPORARY VIEW catalog_e2e_temp AS SELECT 1 AS one, CAST(NULL AS STRING) AS nothing",
    )
    .await;
}

async fn list_and_get_tables(spark: &SparkSession, db: &str) {
    let catalog = spark.catalog();
    // Listing: the database's tables and views, and this session's temporary views.
    let tables = catalog.list_tables(Some(db), None).await.unwrap();
    let mut summary: Vec<(String, Option<String>, String, bool)> = tables
        .iter()
        .filter(|t| {
            t.name.starts_with("catalog_e2e") || t.namespace.as_deref() == Some(&[db.to_string()])
        })
        .map(|t| {
            (
                t.name.clone(),
                t.database().map(str::to_string),
                t.table_type.clone(),
                t.is_temporary,
            )
        })
        .collect();
    summary.sort();
    let s = |x: &str| x.to_string();
    assert_eq!(
        summary,
        [
            (s("buckets"), Some(s(db)), s("MANAGED"), false),
            (s("catalog_e2e_temp"), None, s("TEMPORARY"), true),
            (s("sales"), Some(s(db)), s("MANAGED"), false),
            (s("sales_view"), Some(s(db)), s("VIEW"), false),
        ]
    );
    // A pattern.
    let matched = catalog.list_tables(Some(db), Some("sales*")).await.unwrap();
    assert_eq!(
        sorted(matched.iter().map(|t| t.name.clone()).collect()),
        ["sales", "sales_view"]
    );
    // Views only.
    let views = catalog.list_views(Some(db), Some("sales*")).await.unwrap();
    assert_eq!(
        views.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["sales_view"]
    );

    // One table, with its comment.
    let sales = catalog.get_table(&format!("{db}.sales")).await.unwrap();
    assert_eq!(sales.name, "sales");
    assert_eq!(sales.catalog.as_deref(), Some("spark_catalog"));
    assert_eq!(sales.namespace, Some(vec![db.to_string()]));
    assert_eq!(sales.description.as_deref(), Some("sales by year"));
    assert_eq!(sales.table_type, "MANAGED");
    assert!(!sales.is_temporary);

    // Exists: true and false, qualified or with the database argument.
    assert!(
        catalog
            .table_exists(&format!("{db}.sales"), None)
            .await
            .unwrap()
    );
    assert!(catalog.table_exists("sales_view", Some(db)).await.unwrap());
    assert!(
        catalog
            .table_exists("catalog_e2e_temp", None)
            .await
            .unwrap()
    );
    assert!(!catalog.table_exists("sales", None).await.unwrap());
    assert!(!catalog.table_exists("nope", Some(db)).await.unwrap());
}

async fn columns(spark: &SparkSession, db: &str) {
    let catalog = spark.catalog();
    // Columns: types, nullability, comments, partition and bucket columns. File-source
    // tables keep every column nullable (Spark drops NOT NULL for them), so `id` is nullable
    // here, as the table's schema says.
    let col = |name: &str, description: Option<&str>, data_type: &str, nullable, part, bucket| {
        CatalogColumn {
            name: name.to_string(),
            description: description.map(str::to_string),
            data_type: data_type.to_string(),
            nullable,
            is_partition: part,
            is_bucket: bucket,
            is_cluster: false,
        }
    };
    assert_eq!(
        catalog
            .list_columns(&format!("{db}.sales"), None)
            .await
            .unwrap(),
        [
            col("id", Some("the key"), "bigint", true, false, false),
            col("item", None, "string", true, false, false),
            col("price", None, "decimal(10,2)", true, false, false),
            col("tags", None, "array<string>", true, false, false),
            col("year", None, "int", true, true, false),
        ]
    );
    let schema = spark.table(&format!("{db}.sales")).schema().await.unwrap();
    assert!(schema.fields.iter().all(|f| f.nullable), "{schema:?}");
    // A literal is never null: the temporary view's `one` is not nullable.
    assert_eq!(
        catalog
            .list_columns("catalog_e2e_temp", None)
            .await
            .unwrap(),
        [
            col("one", None, "int", false, false, false),
            col("nothing", None, "string", true, false, false),
        ]
    );
    assert_eq!(
        catalog.list_columns("buckets", Some(db)).await.unwrap(),
        [
            col("k", None, "int", true, false, true),
            col("v", None, "string", true, false, false),
        ]
    );
}

async fn partitions_properties_and_statistics(spark: &SparkSession, db: &str) {
    let catalog = spark.catalog();
    let spark = spark.clone();
    // Partitions, properties, the CREATE statement.
    sql(
        &spark,
        &format!(
            "INSERT INTO {db}.sales VALUES (1, 'a', 1.50, array('x'), 2023), \
             (2, 'b', 2.25, array(), 2024), (3, 'c', NULL, NULL, 2024)"
        ),
    )
    .await;
    let partitions = catalog
        .list_partitions(&format!("{db}.sales"))
        .await
        .unwrap();
    assert_eq!(
        sorted(partitions.into_iter().map(|p| p.partition).collect()),
        ["year=2023", "year=2024"]
    );
    let properties = catalog
        .get_table_properties(&format!("{db}.sales"))
        .await
        .unwrap();
    assert_eq!(
        properties.get("team"),
        Some(&Some("catalog".to_string())),
        "{properties:?}"
    );
    let create = catalog
        .get_create_table_string(&format!("{db}.sales"), false)
        .await
        .unwrap();
    let shown = text(&spark, &format!("SHOW CREATE TABLE {db}.sales")).await;
    assert_eq!(create, shown[0][0]);
    assert!(create.contains("PARTITIONED BY (year)"), "{create}");

    // Statistics: none before analyze_table, the size after, and the row count after a scan.
    let stats = |rows: Vec<Vec<String>>| {
        rows.into_iter()
            .find(|r| r[0] == "Statistics")
            .map(|r| r[1].clone())
    };
    let describe = format!("DESCRIBE TABLE EXTENDED {db}.buckets");
    sql(
        &spark,
        &format!("INSERT INTO {db}.buckets VALUES (1, 'one')"),
    )
    .await;
    assert_eq!(stats(text(&spark, &describe).await), None);
    catalog
        .analyze_table(&format!("{db}.buckets"), true)
        .await
        .unwrap();
    // Without a scan the rows are not counted (the server reports 0 of them).
    let after = stats(text(&spark, &describe).await).expect("statistics after analyze");
    assert!(
        after.contains(" bytes") && !after.ends_with(", 1 rows"),
        "{after}"
    );
    catalog
        .analyze_table(&format!("{db}.buckets"), false)
        .await
        .unwrap();
    let after = stats(text(&spark, &describe).await).expect("statistics after analyze");
    assert!(after.ends_with(", 1 rows"), "{after}");

    // Truncate empties the table and keeps it.
    assert_eq!(
        spark.table(&format!("{db}.sales")).count().await.unwrap(),
        3
    );
    catalog
        .truncate_table(&format!("{db}.sales"))
        .await
        .unwrap();
    assert_eq!(
        spark.table(&format!("{db}.sales")).count().await.unwrap(),
        0
    );
}

async fn unknown_and_dropped_tables(spark: &SparkSession, db: &str) {
    let catalog = spark.catalog();
    let spark = spark.clone();
    // Unknown tables are the server's analysis errors.
    let e = catalog
        .get_table(&format!("{db}.no_such_table"))
        .await
        .unwrap_err();
    assert_eq!(
        server_error(&e),
        (
            ServerErrorKind::Analysis,
            Some("TABLE_OR_VIEW_NOT_FOUND".into())
        )
    );
    let e = catalog
        .list_columns(&format!("{db}.no_such_table"), None)
        .await
        .unwrap_err();
    assert_eq!(server_error(&e).0, ServerErrorKind::Analysis, "{e}");
    let e = catalog
        .list_tables(Some("catalog_e2e_no_such_db"), None)
        .await
        .unwrap_err();
    assert_eq!(
        server_error(&e).1.as_deref(),
        Some("SCHEMA_NOT_FOUND"),
        "{e}"
    );

    // Dropping: views, tables, if_exists.
    catalog
        .drop_view(&format!("{db}.sales_view"), false)
        .await
        .unwrap();
    catalog
        .drop_view(&format!("{db}.sales_view"), true)
        .await
        .unwrap();
    assert!(!catalog.table_exists("sales_view", Some(db)).await.unwrap());
    catalog
        .drop_table(&format!("{db}.sales"), false, false)
        .await
        .unwrap();
    assert!(!catalog.table_exists("sales", Some(db)).await.unwrap());
    let e = catalog
        .drop_table(&format!("{db}.sales"), false, false)
        .await
        .unwrap_err();
    assert_eq!(
        server_error(&e).1.as_deref(),
        Some("TABLE_OR_VIEW_NOT_FOUND"),
        "{e}"
    );
    catalog
        .drop_table(&format!("{db}.sales"), true, true)
        .await
        .unwrap();
    assert!(catalog.drop_temp_view("catalog_e2e_temp").await.unwrap());
    assert!(!catalog.drop_temp_view("catalog_e2e_temp").await.unwrap());
    sql(&spark, &format!("DROP DATABASE {db} CASCADE")).await;
}

#[tokio::test]
async fn global_temp_views() {
    let spark = session().await;
    let catalog = spark.catalog();
    sql(
        &spark,
        "CREATE OR REPLACE GLOBAL TEMPORARY VIEW catalog_e2e_global AS SELECT 7 AS seven",
    )
    .await;
    assert!(
        catalog
            .table_exists("global_temp.catalog_e2e_global", None)
            .await
            .unwrap()
    );
    let listed = catalog
        .list_tables(Some("global_temp"), Some("catalog_e2e_global"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].name, "catalog_e2e_global");
    assert!(listed[0].is_temporary);
    assert!(
        catalog
            .drop_global_temp_view("catalog_e2e_global")
            .await
            .unwrap()
    );
    assert!(
        !catalog
            .drop_global_temp_view("catalog_e2e_global")
            .await
            .unwrap()
    );
    assert!(
        !catalog
            .table_exists("global_temp.catalog_e2e_global", None)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn functions() {
    let spark = session().await;
    let catalog = spark.catalog();
    let db = "catalog_e2e_functions";
    sql(&spark, &format!("DROP DATABASE IF EXISTS {db} CASCADE")).await;
    sql(&spark, &format!("CREATE DATABASE {db}")).await;
    sql(
        &spark,
        &format!(
            "CREATE FUNCTION {db}.catalog_e2e_twice(x INT) RETURNS INT \
             COMMENT 'doubles' RETURN x * 2"
        ),
    )
    .await;
    sql(
        &spark,
        "CREATE TEMPORARY FUNCTION catalog_e2e_plus_one(x INT) RETURNS INT RETURN x + 1",
    )
    .await;

    // A built-in function.
    let abs = catalog.get_function("abs").await.unwrap();
    assert_eq!(abs.name, "abs");
    assert_eq!(
        abs.class_name,
        "org.apache.spark.sql.catalyst.expressions.Abs"
    );
    assert!(abs.is_temporary);
    assert_eq!((abs.catalog, abs.namespace), (None, None));
    assert!(
        abs.description
            .as_deref()
            .is_some_and(|d| d.starts_with("abs(expr) - ")),
        "{:?}",
        abs.description
    );

    // Listing with a pattern: the database's persistent function and this session's
    // temporary one.
    let listed = catalog
        .list_functions(Some(db), Some("catalog_e2e_*"))
        .await
        .unwrap();
    let mut names: Vec<(String, bool, Option<Vec<String>>)> = listed
        .iter()
        .map(|f| (f.name.clone(), f.is_temporary, f.namespace.clone()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("catalog_e2e_plus_one".to_string(), true, None),
            (
                "catalog_e2e_twice".to_string(),
                false,
                Some(vec![db.to_string()])
            ),
        ]
    );
    let twice = catalog
        .get_function(&format!("{db}.catalog_e2e_twice"))
        .await
        .unwrap();
    assert_eq!(twice.catalog.as_deref(), Some("spark_catalog"));
    assert!(!twice.is_temporary);

    // Exists: true and false.
    assert!(catalog.function_exists("abs", None).await.unwrap());
    assert!(
        catalog
            .function_exists("catalog_e2e_twice", Some(db))
            .await
            .unwrap()
    );
    assert!(
        catalog
            .function_exists(&format!("{db}.catalog_e2e_twice"), None)
            .await
            .unwrap()
    );
    assert!(
        !catalog
            .function_exists("catalog_e2e_no_such_function", None)
            .await
            .unwrap()
    );
    let e = catalog
        .get_function("catalog_e2e_no_such_function")
        .await
        .unwrap_err();
    assert_eq!(
        server_error(&e),
        (ServerErrorKind::Analysis, Some("UNRESOLVED_ROUTINE".into()))
    );
    sql(&spark, &format!("DROP DATABASE {db} CASCADE")).await;
}

#[tokio::test]
async fn caching_round_trip() {
    let spark = session().await;
    let catalog = spark.catalog();
    // A plan of this run only: the server's cache is shared and matched by plan.
    let tag = format!(
        "{}_{:?}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
    );
    sql(
        &spark,
        &format!(
            "CREATE OR REPLACE TEMPORARY VIEW catalog_e2e_cached AS \
             SELECT id, '{tag}' AS tag FROM range(0, 50)"
        ),
    )
    .await;
    let view = "catalog_e2e_cached";
    assert!(!catalog.is_cached(view).await.unwrap());
    catalog
        .cache_table(view, Some(StorageLevel::DISK_ONLY))
        .await
        .unwrap();
    assert!(catalog.is_cached(view).await.unwrap());
    assert_eq!(
        spark.table(view).storage_level().await.unwrap(),
        StorageLevel::DISK_ONLY
    );
    assert_eq!(spark.table(view).count().await.unwrap(), 50);
    catalog.uncache_table(view).await.unwrap();
    assert!(!catalog.is_cached(view).await.unwrap());
    // The server's default storage level (Spark 4: in memory as objects, spilling to disk).
    catalog.cache_table(view, None).await.unwrap();
    assert_eq!(
        spark.table(view).storage_level().await.unwrap(),
        StorageLevel::MEMORY_AND_DISK_DESER
    );
    catalog.uncache_table(view).await.unwrap();
    assert!(!catalog.is_cached(view).await.unwrap());
    let e = catalog
        .is_cached("catalog_e2e_not_a_view")
        .await
        .unwrap_err();
    assert_eq!(
        server_error(&e).1.as_deref(),
        Some("TABLE_OR_VIEW_NOT_FOUND"),
        "{e}"
    );
    assert!(catalog.drop_temp_view(view).await.unwrap());
}

#[tokio::test]
async fn tables_on_paths() {
    let spark = session().await;
    let catalog = spark.catalog();
    let dir = temp_dir("parquet");
    sql(
        &spark,
        &format!(
            "INSERT OVERWRITE DIRECTORY '{}' USING parquet \
             SELECT id, concat('n', id) AS name FROM range(0, 5)",
            dir.display()
        ),
    )
    .await;
    catalog
        .drop_table("catalog_e2e_on_path", true, false)
        .await
        .unwrap();
    catalog
        .drop_table("catalog_e2e_csv", true, false)
        .await
        .unwrap();

    // create_table over parquet files: the schema comes from them.
    let df = catalog
        .create_table(
            "catalog_e2e_on_path",
            CreateTableOptions::new()
                .path(dir.display().to_string())
                .source("parquet")
                .description("made by the catalog e2e test"),
        )
        .await
        .unwrap();
    let expected: Vec<Vec<String>> = (0..5)
        .map(|i| vec![i.to_string(), format!("n{i}")])
        .collect();
    assert_eq!(
        rows(&df.order_by(["id"]).collect().await.unwrap()),
        expected
    );
    let table = catalog.get_table("catalog_e2e_on_path").await.unwrap();
    assert_eq!(table.table_type, "EXTERNAL");
    assert_eq!(
        table.description.as_deref(),
        Some("made by the catalog e2e test")
    );

    // Files added behind the table's back: the server keeps the file listing of a table it
    // has read, so they are seen only after refresh_table.
    let staging = temp_dir("parquet_more");
    add_parquet_files(&spark, &staging, &dir, 5..8, "a").await;
    let all = spark.table("catalog_e2e_on_path");
    assert_eq!(all.count().await.unwrap(), 5, "the listing is kept");
    catalog.refresh_table("catalog_e2e_on_path").await.unwrap();
    let expected: Vec<Vec<String>> = (0..8)
        .map(|i| vec![i.to_string(), format!("n{i}")])
        .collect();
    assert_eq!(
        rows(&all.order_by(["id"]).collect().await.unwrap()),
        expected
    );

    // A cached DataFrame over the path keeps its rows when files are added; refresh_by_path
    // caches it again from the files now there.
    let by_path = spark.read().parquet(dir.display().to_string());
    by_path.persist(StorageLevel::MEMORY_ONLY).await.unwrap();
    assert_eq!(by_path.count().await.unwrap(), 8);
    add_parquet_files(&spark, &staging, &dir, 8..10, "b").await;
    assert_eq!(by_path.count().await.unwrap(), 8, "served from the cache");
    catalog
        .refresh_by_path(&dir.display().to_string())
        .await
        .unwrap();
    assert_eq!(by_path.count().await.unwrap(), 10);
    by_path.unpersist(true).await.unwrap();

    // create_external_table over a CSV file, with a schema and options.
    let csv = temp_dir("csv");
    std::fs::create_dir_all(&csv).unwrap();
    std::fs::write(csv.join("data.csv"), "k;v\n1;one\n2;two\n").unwrap();
    let df = catalog
        .create_external_table(
            "catalog_e2e_csv",
            CreateTableOptions::new()
                .path(csv.display().to_string())
                .source("csv")
                .schema("k INT, v STRING")
                .option("header", "true")
                .option("sep", ";"),
        )
        .await
        .unwrap();
    assert_eq!(
        rows(&df.order_by(["k"]).collect().await.unwrap()),
        [["1", "one"], ["2", "two"]]
    );
    assert_eq!(
        catalog
            .list_columns("catalog_e2e_csv", None)
            .await
            .unwrap()
            .iter()
            .map(|c| (c.name.as_str(), c.data_type.as_str()))
            .collect::<Vec<_>>(),
        [("k", "int"), ("v", "string")]
    );
    let e = catalog
        .create_external_table(
            "catalog_e2e_csv2",
            CreateTableOptions::new().path("x").description("d"),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, SparkError::InvalidArgument(_)), "{e}");

    // Creating over an existing name is the server's error.
    let e = catalog
        .create_table(
            "catalog_e2e_csv",
            CreateTableOptions::new()
                .path(csv.display().to_string())
                .source("csv"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        server_error(&e).1.as_deref(),
        Some("TABLE_OR_VIEW_ALREADY_EXISTS"),
        "{e}"
    );

    catalog
        .drop_table("catalog_e2e_on_path", false, false)
        .await
        .unwrap();
    catalog
        .drop_table("catalog_e2e_csv", false, false)
        .await
        .unwrap();
    // External tables leave their files.
    assert!(csv.join("data.csv").exists());
    for d in [dir, staging, csv] {
        let _ = std::fs::remove_dir_all(d);
    }
}

/// Writes rows `ids` (`id`, `n<id>`) as Parquet files into `staging`, then moves the files
/// into `dir` (named with `tag` to stay distinct), where no table or cache sees them arrive.
async fn add_parquet_files(
    spark: &SparkSession,
    staging: &std::path::Path,
    dir: &std::path::Path,
    ids: std::ops::Range<i64>,
    tag: &str,
) {
    sql(
        spark,
        &format!(
            "INSERT OVERWRITE DIRECTORY '{}' USING parquet \
             SELECT id, concat('n', id) AS name FROM range({}, {})",
            staging.display(),
            ids.start,
            ids.end
        ),
    )
    .await;
    for entry in std::fs::read_dir(staging).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".parquet") {
            std::fs::rename(entry.path(), dir.join(format!("more-{tag}-{name}"))).unwrap();
        }
    }
}

#[tokio::test]
async fn managed_table_with_schema_and_recovered_partitions() {
    let spark = session().await;
    let catalog = spark.catalog();
    catalog
        .drop_table("catalog_e2e_managed", true, false)
        .await
        .unwrap();
    let df = catalog
        .create_table(
            "catalog_e2e_managed",
            CreateTableOptions::new()
                .source("parquet")
                .schema("a INT, b STRING"),
        )
        .await
        .unwrap();
    assert_eq!(df.count().await.unwrap(), 0);
    assert_eq!(
        catalog
            .get_table("catalog_e2e_managed")
            .await
            .unwrap()
            .table_type,
        "MANAGED"
    );
    catalog
        .drop_table("catalog_e2e_managed", false, true)
        .await
        .unwrap();

    // Partition directories written outside the catalog, found by recover_partitions.
    let dir = temp_dir("partitions");
    for p in [1, 2] {
        sql(
            &spark,
            &format!(
                "INSERT OVERWRITE DIRECTORY '{}' USING parquet SELECT {p} * 10 AS a",
                dir.join(format!("p={p}")).display()
            ),
        )
        .await;
    }
    catalog
        .drop_table("catalog_e2e_parts", true, false)
        .await
        .unwrap();
    sql(
        &spark,
        &format!(
            "CREATE TABLE catalog_e2e_parts (a INT, p INT) USING parquet PARTITIONED BY (p) \
             LOCATION '{}'",
            dir.display()
        ),
    )
    .await;
    assert_eq!(
        catalog.list_partitions("catalog_e2e_parts").await.unwrap(),
        []
    );
    assert_eq!(spark.table("catalog_e2e_parts").count().await.unwrap(), 0);
    catalog
        .recover_partitions("catalog_e2e_parts")
        .await
        .unwrap();
    let parts = catalog.list_partitions("catalog_e2e_parts").await.unwrap();
    assert_eq!(
        sorted(parts.into_iter().map(|p| p.partition).collect()),
        ["p=1", "p=2"]
    );
    let read = spark.table("catalog_e2e_parts").order_by(["p"]);
    assert_eq!(
        rows(&read.collect().await.unwrap()),
        [["10", "1"], ["20", "2"]]
    );
    catalog
        .drop_table("catalog_e2e_parts", false, false)
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn observed_metrics() {
    let spark = session().await;
    let seen = Observation::new("catalog_e2e_seen");
    assert!(seen.get().is_err());
    let observed = spark.range(0, 100).observe(
        &seen,
        [
            f::count(lit(1)).alias("rows"),
            f::sum(col("id")).alias("total"),
            f::max(col("id")),
            f::avg(col("id")).alias("mean"),
        ],
    );
    let err = seen.get().unwrap_err().to_string();
    assert!(err.contains("no metrics yet"), "{err}");
    // The metrics cover every row that flows through the observe, not the filtered result.
    let kept = observed.filter(col("id").lt(10)).count().await.unwrap();
    assert_eq!(kept, 10);
    let m = seen.get().unwrap();
    assert_eq!(m.name, "catalog_e2e_seen");
    assert_eq!(m.keys, ["rows", "total", "max(id)", "mean"]);
    assert_eq!(m.get_i64("rows").unwrap(), Some(100));
    assert_eq!(m.get_i64("total").unwrap(), Some((0..100).sum::<i64>()));
    assert_eq!(m.get_i64("max(id)").unwrap(), Some(99));
    assert_eq!(m.get_f64("mean").unwrap(), Some(49.5));

    // A later action replaces them: here one on another DataFrame observed by the same
    // observation, with other metrics.
    let again = spark
        .range(0, 7)
        .observe(&seen, [f::count(lit(1)).alias("rows")]);
    assert_eq!(again.count().await.unwrap(), 7);
    let m = seen.get().unwrap();
    assert_eq!(m.keys, ["rows"]);
    assert_eq!(m.get_i64("rows").unwrap(), Some(7));

    // An empty name, no metrics, or a metric that is not an aggregate: the server's errors
    // when an action runs.
    let no_metrics: [databricks_connect::Column; 0] = [];
    for df in [
        spark.range(0, 3).observe("", [f::count(lit(1))]),
        spark.range(0, 3).observe("catalog_e2e_none", no_metrics),
        spark.range(0, 3).observe("catalog_e2e_attr", [col("id")]),
    ] {
        let e = df.collect().await.unwrap_err();
        assert!(e.server_error().is_some(), "{e}");
    }

    // A plain name: the metrics are on the stream, after its end.
    let named = spark.range(0, 4).filter(col("id").ne(2)).observe(
        "catalog_e2e_named",
        [f::min(col("id")).alias("lo"), f::sum(col("id")).alias("s")],
    );
    let mut stream = named.stream().await.unwrap();
    while let Some(batch) = futures_util::StreamExt::next(&mut stream).await {
        batch.unwrap();
    }
    let metrics = stream.observed_metrics().unwrap();
    assert_eq!(metrics.len(), 1, "{metrics:?}");
    assert_eq!(metrics[0].name, "catalog_e2e_named");
    assert_eq!(metrics[0].get_i64("lo").unwrap(), Some(0));
    assert_eq!(metrics[0].get_i64("s").unwrap(), Some(1 + 3));
}

#[tokio::test]
async fn java_udf_with_a_missing_class_is_the_servers_error() {
    let spark = session().await;
    let e = spark
        .udf()
        .register_java_function(
            "catalog_e2e_len",
            "com.example.CatalogNoSuchUdf",
            Some("int"),
        )
        .await
        .unwrap_err();
    let (kind, _) = server_error(&e);
    assert_eq!(kind, ServerErrorKind::Analysis, "{e}");
    assert!(
        e.to_string()
            .contains("Can not load class com.example.CatalogNoSuchUdf"),
        "{e}"
    );
    // Nothing was registered.
    assert!(
        !spark
            .catalog()
            .function_exists("catalog_e2e_len", None)
            .await
            .unwrap()
    );
    let e = spark
        .udf()
        .register_java_udaf("catalog_e2e_agg", "com.example.CatalogNoSuchUdaf")
        .await
        .unwrap_err();
    assert_eq!(server_error(&e).0, ServerErrorKind::Analysis, "{e}");
}

/// Employees: (name, dept, salary).
const EMP: &str = "SELECT * FROM VALUES ('ann', 'eng', 100), ('bob', 'eng', 80), \
                   ('cid', 'ops', 50), ('dee', 'ops', 70), ('eve', 'hr', 60) AS t(name, dept, salary)";
/// Departments: (dept, floor).
const DEPT: &str = "SELECT * FROM VALUES ('eng', 1), ('ops', 2), ('fin', 3) AS t(dept, floor)";

/// The sections are boxed to keep the test's future small.
#[tokio::test]
async fn subquery_columns() {
    let spark = session().await;
    Box::pin(scalar_subqueries(&spark)).await;
    Box::pin(exists_and_in_subqueries(&spark)).await;
    Box::pin(nested_subqueries(&spark)).await;
}

/// A subquery that uses a subquery: every plan travels in the root's `WithRelations`.
async fn nested_subqueries(spark: &SparkSession) {
    let spark = spark.clone();
    let emp = || async { spark.sql(EMP).await.unwrap() };
    let dept = || async { spark.sql(DEPT).await.unwrap() };
    let overall_avg = emp().await.select([f::avg(col("salary"))]).scalar();
    let well_paid_here = emp()
        .await
        .alias("e")
        .filter(col("e.dept").eq(col("d.dept").outer()))
        .filter(col("e.salary").gt(overall_avg))
        .exists();
    let df = dept()
        .await
        .alias("d")
        .filter(well_paid_here)
        .select(["dept"])
        .order_by(["dept"]);
    let got = rows(&df.collect().await.unwrap());
    let by_sql = text(
        &spark,
        &format!(
            "SELECT dept FROM ({DEPT}) d WHERE EXISTS (SELECT 1 FROM ({EMP}) e \
             WHERE e.dept = d.dept AND e.salary > (SELECT avg(salary) FROM ({EMP}))) ORDER BY dept"
        ),
    )
    .await;
    assert_eq!(got, by_sql);
    // The average is 72: only eng has someone above it (ann 100, bob 80).
    assert_eq!(got, [["eng"]]);
}

async fn scalar_subqueries(spark: &SparkSession) {
    let spark = spark.clone();
    let emp = || async { spark.sql(EMP).await.unwrap() };

    // Uncorrelated scalar subquery.
    let top = emp().await.select([f::max(col("salary"))]).scalar();
    let df = emp()
        .await
        .select([col("name"), (col("salary") * 100 / top).alias("pct")])
        .order_by(["name"]);
    let by_sql = text(
        &spark,
        &format!(
            "SELECT name, salary * 100 / (SELECT max(salary) FROM ({EMP})) AS pct \
             FROM ({EMP}) ORDER BY name"
        ),
    )
    .await;
    let got = rows(&df.collect().await.unwrap());
    assert_eq!(got, by_sql);
    assert_eq!(got[1], ["bob", "80.0"]);

    // Correlated scalar subquery: employees above their department's average.
    let dept_avg = emp()
        .await
        .alias("d")
        .filter(col("d.dept").eq(col("e.dept").outer()))
        .select([f::avg(col("d.salary"))])
        .scalar();
    let above = emp()
        .await
        .alias("e")
        .filter(col("e.salary").gt(dept_avg))
        .select(["name"])
        .order_by(["name"]);
    let got = rows(&above.collect().await.unwrap());
    let by_sql = text(
        &spark,
        &format!(
            "SELECT name FROM ({EMP}) e WHERE salary > \
             (SELECT avg(d.salary) FROM ({EMP}) d WHERE d.dept = e.dept) ORDER BY name"
        ),
    )
    .await;
    assert_eq!(got, by_sql);
    assert_eq!(got, [["ann"], ["dee"]]);
}

async fn exists_and_in_subqueries(spark: &SparkSession) {
    let spark = spark.clone();
    let emp = || async { spark.sql(EMP).await.unwrap() };
    let dept = || async { spark.sql(DEPT).await.unwrap() };
    // EXISTS and NOT EXISTS: departments with and without employees.
    let has_emp = || async {
        emp()
            .await
            .alias("e")
            .filter(col("e.dept").eq(col("d.dept").outer()))
            .exists()
    };
    let with = dept()
        .await
        .alias("d")
        .filter(has_emp().await)
        .select(["dept"])
        .order_by(["dept"]);
    assert_eq!(rows(&with.collect().await.unwrap()), [["eng"], ["ops"]]);
    let without = dept()
        .await
        .alias("d")
        .filter(!has_emp().await)
        .select(["dept"]);
    assert_eq!(rows(&without.collect().await.unwrap()), [["fin"]]);

    // IN (subquery), and a subquery column selected (schema and value).
    let on_floors = emp()
        .await
        .filter(
            col("dept").isin_subquery(&dept().await.filter(col("floor").le(2)).select(["dept"])),
        )
        .select(["name"])
        .order_by(["name"]);
    assert_eq!(
        rows(&on_floors.collect().await.unwrap()),
        [["ann"], ["bob"], ["cid"], ["dee"]]
    );
    let counted = dept()
        .await
        .alias("d")
        .select([
            col("d.dept"),
            emp()
                .await
                .alias("e")
                .filter(col("e.dept").eq(col("d.dept").outer()))
                .select([f::count(lit(1))])
                .scalar()
                .alias("n"),
        ])
        .order_by(["dept"]);
    assert_eq!(counted.columns().await.unwrap(), ["dept", "n"]);
    assert_eq!(
        rows(&counted.collect().await.unwrap()),
        [["eng", "2"], ["fin", "0"], ["ops", "2"]]
    );

    // A scalar subquery with more than one row is the server's error when the query runs.
    let many = emp().await.select(["salary"]).scalar();
    let e = spark
        .range(0, 1)
        .select([many])
        .collect()
        .await
        .unwrap_err();
    assert!(e.server_error().is_some(), "{e}");
}

/// `spark.sql` picks its command form by the server's version: a Spark 4 server gets the
/// `input` relation form, which takes expression parameters (the Spark 3.5 form takes only
/// literals and is refused for them before sending).
#[tokio::test]
async fn sql_uses_the_spark_4_form_on_a_spark_4_server() {
    let spark = session().await;
    assert!(spark.version().await.unwrap().starts_with("4."));
    let df = spark
        .sql_with_positional_args("SELECT element_at(?, 2) AS x", [f::array([lit(7), lit(9)])])
        .await
        .unwrap();
    assert_eq!(rows(&df.collect().await.unwrap()), [["9"]]);
    let df = spark
        .sql_with_args("SELECT :n + 1 AS y", [("n", 41)])
        .await
        .unwrap();
    assert_eq!(rows(&df.collect().await.unwrap()), [["42"]]);
}

/// Commands and analyses that take a plan (a temporary view, caching, a write) get the
/// subqueries it uses too.
#[tokio::test]
async fn subquery_columns_in_views_caching_and_writes() {
    let spark = session().await;
    let top = spark.range(0, 10).select([f::max(col("id"))]).scalar();
    let df = spark
        .range(0, 4)
        .select([col("id"), (top - col("id")).alias("gap")]);
    let expected = [["0", "9"], ["1", "8"], ["2", "7"], ["3", "6"]];

    df.create_or_replace_temp_view("catalog_e2e_subquery_view")
        .await
        .unwrap();
    let view = spark.table("catalog_e2e_subquery_view").order_by(["id"]);
    assert_eq!(rows(&view.collect().await.unwrap()), expected);
    assert!(
        spark
            .catalog()
            .drop_temp_view("catalog_e2e_subquery_view")
            .await
            .unwrap()
    );

    df.persist(StorageLevel::MEMORY_ONLY).await.unwrap();
    assert_eq!(df.storage_level().await.unwrap(), StorageLevel::MEMORY_ONLY);
    df.unpersist(true).await.unwrap();

    let dir = temp_dir("subquery_write");
    df.write()
        .parquet(&dir.display().to_string())
        .await
        .unwrap();
    let back = spark
        .read()
        .parquet(dir.display().to_string())
        .order_by(["id"]);
    assert_eq!(rows(&back.collect().await.unwrap()), expected);
    let _ = std::fs::remove_dir_all(dir);
}

/// With `spark.sql.execution.arrow.useLargeVarTypes` on, the server sends strings as
/// `LargeUtf8`; the catalog's results decode the same.
#[tokio::test]
async fn catalog_results_with_large_string_types() {
    let spark = session().await;
    spark
        .conf()
        .set("spark.sql.execution.arrow.useLargeVarTypes", "true")
        .await
        .unwrap();
    let catalog = spark.catalog();
    let dbs = catalog.list_databases(Some("default")).await.unwrap();
    assert_eq!(
        dbs.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        ["default"]
    );
    assert_eq!(catalog.current_database().await.unwrap(), "default");
    let view = "catalog_e2e_large_types_view";
    spark
        .sql("SELECT 1 AS a, 'x' AS b")
        .await
        .unwrap()
        .create_or_replace_temp_view(view)
        .await
        .unwrap();
    let table = catalog.get_table(view).await.unwrap();
    assert_eq!((table.name.as_str(), table.is_temporary), (view, true));
    let columns = catalog.list_columns(view, None).await.unwrap();
    assert_eq!(
        columns
            .iter()
            .map(|c| (c.name.as_str(), c.data_type.as_str()))
            .collect::<Vec<_>>(),
        [("a", "int"), ("b", "string")]
    );
    let function = catalog.get_function("abs").await.unwrap();
    assert_eq!(function.name, "abs");
    assert!(catalog.drop_temp_view(view).await.unwrap());
}
