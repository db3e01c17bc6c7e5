//! DataFrame arguments as PySpark takes them, against a real server: every join type
//! string PySpark accepts (and the default inner join), schemas from DDL strings for local
//! data, the writers' mode strings, single names where lists are taken, and one DataFrame
//! used in several plans without copies.

use std::collections::BTreeSet;

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use base64::Engine as _;
use databricks_connect::functions::{self as f, col, lit};
use databricks_connect::{
    DataFrame, DataType, JoinType, SaveMode, SparkError, StructField, StructType, Window, proto,
};
use prost::Message as _;

use crate::api_functions::rows;
use crate::{TempDir, session};

/// The rows as text, sorted (joins give no order).
async fn sorted_rows(df: &DataFrame) -> Vec<Vec<String>> {
    let mut all = rows(&df.collect().await.unwrap());
    all.sort();
    all
}

/// `id` 0..6 with `l = id * 10` on the left, `id` 3..9 with `r = id * 100` on the right.
async fn sides(spark: &databricks_connect::SparkSession) -> (DataFrame, DataFrame) {
    let left = spark.range(0, 6).with_column("l", col("id") * 10);
    let right = spark.range(3, 9).with_column("r", col("id") * 100);
    (left, right)
}

/// The rows each join type gives for `sides`, joined `USING (id)`, computed here.
fn expected(how: JoinType) -> Vec<Vec<String>> {
    let left: Vec<i64> = (0..6).collect();
    let right: Vec<i64> = (3..9).collect();
    let n = |v: Option<i64>| v.map_or("null".to_string(), |v| v.to_string());
    let mut out: Vec<Vec<String>> = Vec::new();
    let both = |i: &i64| left.contains(i) && right.contains(i);
    let row = |id: i64, l: bool, r: bool| {
        vec![
            id.to_string(),
            n(l.then_some(id * 10)),
            n(r.then_some(id * 100)),
        ]
    };
    match how {
        JoinType::Inner | JoinType::Cross => {
            out.extend(left.iter().filter(|i| both(i)).map(|&i| row(i, true, true)))
        }
        JoinType::Left => out.extend(left.iter().map(|&i| row(i, true, right.contains(&i)))),
        JoinType::Right => out.extend(right.iter().map(|&i| row(i, left.contains(&i), true))),
        JoinType::Full => {
            let ids: BTreeSet<i64> = left.iter().chain(&right).copied().collect();
            out.extend(
                ids.into_iter()
                    .map(|i| row(i, left.contains(&i), right.contains(&i))),
            )
        }
        JoinType::LeftSemi => out.extend(
            left.iter()
                .filter(|i| both(i))
                .map(|&i| vec![i.to_string(), (i * 10).to_string()]),
        ),
        JoinType::LeftAnti => out.extend(
            left.iter()
                .filter(|i| !right.contains(i))
                .map(|&i| vec![i.to_string(), (i * 10).to_string()]),
        ),
    }
    out.sort();
    out
}

#[tokio::test]
async fn every_join_string_pyspark_accepts_gives_its_rows() {
    let spark = session().await;
    let (left, right) = sides(&spark).await;
    for (how, join_type) in [
        ("inner", JoinType::Inner),
        ("outer", JoinType::Full),
        ("full", JoinType::Full),
        ("fullouter", JoinType::Full),
        ("full_outer", JoinType::Full),
        ("leftouter", JoinType::Left),
        ("left", JoinType::Left),
        ("left_outer", JoinType::Left),
        ("rightouter", JoinType::Right),
        ("right", JoinType::Right),
        ("right_outer", JoinType::Right),
        ("leftsemi", JoinType::LeftSemi),
        ("left_semi", JoinType::LeftSemi),
        ("semi", JoinType::LeftSemi),
        ("leftanti", JoinType::LeftAnti),
        ("left_anti", JoinType::LeftAnti),
        ("anti", JoinType::LeftAnti),
        ("cross", JoinType::Cross),
        ("LEFT_OUTER", JoinType::Left),
        ("Full_Outer", JoinType::Full),
    ] {
        let joined = left.join(&right, "id", how);
        assert_eq!(sorted_rows(&joined).await, expected(join_type), "{how}");
        // The same with the enum, and with the string as a String.
        let by_enum = left.join(&right, "id", join_type);
        assert_eq!(sorted_rows(&by_enum).await, expected(join_type), "{how}");
        let owned = left.join(&right, ["id"], how.to_string());
        assert_eq!(
            owned.count().await.unwrap(),
            expected(join_type).len() as i64
        );
    }
    // PySpark's default: an inner join.
    assert_eq!(
        sorted_rows(&left.inner_join(&right, "id")).await,
        expected(JoinType::Inner)
    );
    // A cross join without a condition pairs every row.
    assert_eq!(left.join(&right, (), "cross").count().await.unwrap(), 36);
    // Several conditions, all of which must hold (PySpark's list of Columns).
    let (l, r) = (left.alias("l"), right.alias("r"));
    let both = l.inner_join(&r, [col("l.id").eq(col("r.id")), col("r.r").gt(lit(400))]);
    assert_eq!(
        sorted_rows(&both.select(["l.id", "r.r"])).await,
        [["5", "500"]]
    );
}

#[tokio::test]
async fn an_unknown_join_string_is_reported_when_the_plan_runs() {
    let spark = session().await;
    let (left, right) = sides(&spark).await;
    let bad = left.join(&right, "id", "sideways");
    // Built without a complaint, and so is what is built on it; every request refuses it.
    let on_top = bad.filter(col("id").gt(1)).select("id");
    let check = |e: SparkError| {
        assert!(matches!(e, SparkError::InvalidArgument(_)), "{e:?}");
        let text = e.to_string();
        for part in [
            "'sideways'",
            "'inner'",
            "'left_outer'",
            "'full_outer'",
            "'anti'",
            "'cross'",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
    };
    check(on_top.collect().await.unwrap_err());
    check(on_top.count().await.unwrap_err());
    check(on_top.schema().await.unwrap_err());
    check(bad.explain(Default::default()).await.unwrap_err());
    check(bad.create_or_replace_temp_view("never").await.unwrap_err());
    check(
        bad.write()
            .format("noop")
            .save_without_path()
            .await
            .unwrap_err(),
    );
    assert!(
        spark
            .sql("SELECT * FROM never")
            .await
            .unwrap_err()
            .server_error()
            .is_some()
    );
    // The other side of a join inherits it too.
    check(
        right
            .union(&bad.select(["id", "l"]))
            .collect()
            .await
            .unwrap_err(),
    );
    // And the parsed form names it at once.
    let e = "sideways".parse::<JoinType>().unwrap_err().to_string();
    assert!(e.contains("'sideways'") && e.contains("'semi'"), "{e}");
}

#[tokio::test]
async fn single_names_and_mixed_lists_work_wherever_columns_are_taken() {
    let spark = session().await;
    let df = spark
        .range(0, 10)
        .with_columns([("k", col("id") % 3), ("x", col("id") * 2)]);
    // One DataFrame, many plans, no clones.
    assert_eq!(
        rows(&df.select("k").limit(1).collect().await.unwrap()),
        [["0"]]
    );
    let mixed = df.select(("id", (col("x") + 1).alias("y"))).order_by("id");
    assert_eq!(sorted_rows(&mixed.limit(2)).await, [["0", "1"], ["1", "3"]]);
    let by_k = df.group_by("k");
    assert_eq!(
        sorted_rows(&by_k.agg(f::count(lit(1)).alias("n"))).await,
        [["0", "4"], ["1", "3"], ["2", "3"]]
    );
    assert_eq!(
        sorted_rows(&by_k.sum("id")).await,
        [["0", "18"], ["1", "12"], ["2", "15"]]
    );
    assert_eq!(
        sorted_rows(&df.group_by(("k", col("x") % 2)).count()).await,
        [["0", "0", "4"], ["1", "0", "3"], ["2", "0", "3"]]
    );
    assert_eq!(df.rollup("k").count().count().await.unwrap(), 4);
    assert_eq!(df.cube("k").count().count().await.unwrap(), 4);
    assert_eq!(df.drop("x").columns().await.unwrap(), ["id", "k"]);
    assert_eq!(df.drop_duplicates("k").count().await.unwrap(), 3);
    assert_eq!(df.agg(f::max("id")).count().await.unwrap(), 1);
    assert_eq!(
        rows(
            &df.order_by(col("id").desc())
                .limit(1)
                .collect()
                .await
                .unwrap()
        ),
        [["9", "0", "18"]]
    );
    let w = Window::partition_by("k").order_by("id");
    let ranked = df
        .select(("id", f::row_number().over(&w).alias("rn")))
        .filter(col("rn").eq(1))
        .select("id");
    assert_eq!(sorted_rows(&ranked).await, [["0"], ["1"], ["2"]]);
    // A window spec is reused too.
    let running = df.select(f::sum("id").over(&w.rows_between(Window::UNBOUNDED_PRECEDING, 0)));
    assert_eq!(running.count().await.unwrap(), 10);
    assert_eq!(df.describe("id").count().await.unwrap(), 5);
    assert_eq!(
        df.to_df(("a", "b", "c".to_string()))
            .columns()
            .await
            .unwrap(),
        ["a", "b", "c"]
    );
}

#[tokio::test]
async fn writers_take_pyspark_mode_strings_and_single_names() {
    let spark = session().await;
    let dir = TempDir::new("modes");
    let path = dir.path("t");
    let df = spark.range(0, 3).with_column("k", col("id") % 2);
    let count = || async { spark.read().parquet(path.as_str()).count().await.unwrap() };
    df.write()
        .mode("overwrite")
        .partition_by("k")
        .parquet(&path)
        .await
        .unwrap();
    assert_eq!(count().await, 3);
    // The partition column came from a single name: one directory per value.
    let mut parts: Vec<String> = std::fs::read_dir(dir.0.join("t"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("k="))
        .collect();
    parts.sort();
    assert_eq!(parts, ["k=0", "k=1"]);
    df.write()
        .mode("APPEND")
        .partition_by("k")
        .parquet(&path)
        .await
        .unwrap();
    assert_eq!(count().await, 6);
    df.write().mode("ignore").parquet(&path).await.unwrap();
    assert_eq!(count().await, 6);
    for mode in ["error", "errorifexists", "ErrorIfExists", "default"] {
        let e = df.write().mode(mode).parquet(&path).await.unwrap_err();
        let server = e.server_error().unwrap_or_else(|| panic!("{mode}: {e}"));
        assert_eq!(
            server.error_class(),
            Some("PATH_ALREADY_EXISTS"),
            "{mode}: {e}"
        );
    }
    df.write()
        .mode(SaveMode::Overwrite)
        .parquet(&path)
        .await
        .unwrap();
    assert_eq!(count().await, 3);
    // An unknown mode is refused before anything is sent, naming it.
    let e = df.write().mode("upsert").parquet(&path).await.unwrap_err();
    assert!(matches!(e, SparkError::InvalidArgument(_)), "{e:?}");
    assert!(e.to_string().contains("'upsert'"), "{e}");
    assert_eq!(count().await, 3);
}

/// The DDL of the local-data fixture that PySpark's client recorded
/// (`tests/fixtures/capture_pyspark_plans.py`, `LOCAL_DDL`).
const LOCAL_DDL: &str = "id INT NOT NULL, name STRING, score DOUBLE, day DATE, tags ARRAY<STRING>, \
     amount DECIMAL(10,2) NOT NULL COMMENT 'in euros'";

const LOCAL_FIXTURE: &str =
    include_str!("../../crates/spark-connect-dataframe/tests/fixtures/pyspark_local.txt");

fn three_rows() -> RecordBatch {
    use arrow_array::builder::{ListBuilder, StringBuilder};
    let mut tags = ListBuilder::new(StringBuilder::new());
    tags.values().append_value("x");
    tags.values().append_value("y");
    tags.append(true);
    tags.append(true);
    tags.append(false);
    RecordBatch::try_from_iter([
        ("a", Arc::new(Int64Array::from(vec![1, 2, 3])) as ArrayRef),
        (
            "b",
            Arc::new(StringArray::from(vec![Some("a"), None, Some("c")])) as _,
        ),
        (
            "c",
            Arc::new(Float64Array::from(vec![Some(1.5), None, Some(-2.0)])) as _,
        ),
        (
            "d",
            Arc::new(StringArray::from(vec![
                Some("2024-01-31"),
                None,
                Some("1999-12-01"),
            ])) as _,
        ),
        ("e", Arc::new(tags.finish()) as _),
        (
            "f",
            Arc::new(Float64Array::from(vec![1.5, 0.0, -3.25])) as _,
        ),
    ])
    .unwrap()
}

#[tokio::test]
async fn a_ddl_schema_names_and_types_local_data_as_in_pyspark() {
    let spark = session().await;
    let df = spark
        .create_dataframe_with_schema(&[three_rows()], LOCAL_DDL)
        .await
        .unwrap();
    // The schema the plan carries is the one PySpark's client sends for the same DDL.
    let Some(proto::relation::RelType::LocalRelation(ours)) = &df.to_proto().rel_type else {
        panic!("{:?}", df.to_proto())
    };
    let (_, encoded) = LOCAL_FIXTURE.trim().split_once('\t').unwrap();
    let theirs = proto::Relation::decode(
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .unwrap()
            .as_slice(),
    )
    .unwrap();
    let Some(proto::relation::RelType::LocalRelation(theirs)) = theirs.rel_type else {
        panic!()
    };
    assert_eq!(ours.schema, theirs.schema);
    // The server keeps the names, types, nullability and comment.
    let schema = df.schema().await.unwrap();
    let expected = StructType::new([
        StructField::new("id", DataType::Integer, false),
        StructField::new("name", DataType::string(), true),
        StructField::new("score", DataType::Double, true),
        StructField::new("day", DataType::Date, true),
        StructField::new("tags", DataType::array(DataType::string()), true),
        StructField::new(
            "amount",
            DataType::Decimal {
                precision: 10,
                scale: 2,
            },
            false,
        ),
    ]);
    let without_metadata = |s: StructType| StructType {
        fields: s
            .fields
            .into_iter()
            .map(|f| StructField {
                metadata: None,
                ..f
            })
            .collect(),
    };
    assert_eq!(without_metadata(schema.clone()), expected);
    assert!(
        schema.fields[5]
            .metadata
            .as_deref()
            .is_some_and(|m| m.contains("in euros")),
        "{schema:?}"
    );
    assert_eq!(
        sorted_rows(&df.select(("id", "name", "day", "amount"))).await,
        [
            ["1", "a", "2024-01-31", "1.50"],
            ["2", "null", "null", "0.00"],
            ["3", "c", "1999-12-01", "-3.25"],
        ]
    );
    // A type alone is one column named `value`, as in PySpark.
    let one =
        RecordBatch::try_from_iter([("n", Arc::new(Int64Array::from(vec![7, 8])) as ArrayRef)])
            .unwrap();
    let value = spark
        .create_dataframe_with_schema(&[one], "string")
        .await
        .unwrap();
    assert_eq!(
        value.dtypes().await.unwrap(),
        [("value".to_string(), "string".to_string())]
    );
    assert_eq!(sorted_rows(&value).await, [["7"], ["8"]]);
    // No rows: an empty DataFrame of the schema.
    let empty = spark
        .empty_dataframe("id BIGINT NOT NULL, tags MAP<STRING, INT>")
        .await
        .unwrap();
    assert_eq!(empty.count().await.unwrap(), 0);
    assert_eq!(
        empty.dtypes().await.unwrap(),
        [
            ("id".to_string(), "bigint".to_string()),
            ("tags".into(), "map<string,int>".into())
        ]
    );
    assert!(!empty.schema().await.unwrap().fields[0].nullable);
    // A StructType works the same way.
    let same = spark
        .create_dataframe_with_schema(&[three_rows()], expected.clone())
        .await
        .unwrap();
    assert_eq!(without_metadata(same.schema().await.unwrap()), expected);
}

#[tokio::test]
async fn bad_ddl_and_data_that_does_not_fit_are_clear_errors() {
    let spark = session().await;
    let one = RecordBatch::try_from_iter([(
        "n",
        Arc::new(Int64Array::from(vec![Some(1), None])) as ArrayRef,
    )])
    .unwrap();
    // Malformed DDL: the server's parse error, of the class that says what is wrong.
    for (ddl, class) in [
        ("id INTT", "UNSUPPORTED_DATATYPE"),
        ("id INT,, name STRING", "PARSE_SYNTAX_ERROR"),
        ("id INT NOT", "PARSE_SYNTAX_ERROR"),
        ("struct<a int", "PARSE_SYNTAX_ERROR"),
    ] {
        let e = spark
            .create_dataframe_with_schema(std::slice::from_ref(&one), ddl)
            .await
            .unwrap_err();
        assert_eq!(
            e.server_error().and_then(|s| s.error_class()),
            Some(class),
            "{ddl}: {e:?}"
        );
    }
    // A null in a NOT NULL column, a count of columns that differs, a value that does not
    // convert: refused here, naming the column.
    let e = spark
        .create_dataframe_with_schema(std::slice::from_ref(&one), "id BIGINT NOT NULL")
        .await
        .unwrap_err();
    assert!(matches!(e, SparkError::InvalidArgument(_)), "{e:?}");
    assert!(
        e.to_string().contains("'id'") && e.to_string().contains("NOT NULL"),
        "{e}"
    );
    let e = spark
        .create_dataframe_with_schema(std::slice::from_ref(&one), "a BIGINT, b STRING")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("1 columns (n)"), "{e}");
    let e = spark
        .create_dataframe_with_schema(
            &[three_rows()],
            "a INT, b STRING, c DOUBLE, d INT, e ARRAY<STRING>, f DOUBLE",
        )
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("'d'") && e.to_string().contains("'d' in the data"),
        "{e}"
    );
}

#[tokio::test]
async fn a_ddl_schema_travels_with_large_local_data_too() {
    let spark = session().await;
    // Small enough a threshold that this data goes through cached artifacts.
    spark
        .conf()
        .set("spark.sql.session.localRelationCacheThreshold", "1024")
        .await
        .unwrap();
    let ids: Vec<i64> = (0..5000).collect();
    let batch = RecordBatch::try_from_iter([
        ("a", Arc::new(Int64Array::from(ids.clone())) as ArrayRef),
        (
            "b",
            Arc::new(StringArray::from_iter_values(
                ids.iter().map(|i| format!("v{i}")),
            )) as _,
        ),
    ])
    .unwrap();
    let df = spark
        .create_dataframe_with_schema(&[batch], "n INT NOT NULL, s STRING")
        .await
        .unwrap();
    let Some(proto::relation::RelType::ChunkedCachedLocalRelation(cached)) =
        &df.to_proto().rel_type
    else {
        panic!("{:?}", df.to_proto().rel_type)
    };
    assert!(cached.schema_hash.is_some());
    assert_eq!(
        df.dtypes().await.unwrap(),
        [
            ("n".to_string(), "int".to_string()),
            ("s".into(), "string".into())
        ]
    );
    assert!(!df.schema().await.unwrap().fields[0].nullable);
    assert_eq!(
        rows(&df.agg((f::sum("n"), f::max("s"))).collect().await.unwrap()),
        [[ids.iter().sum::<i64>().to_string(), "v999".to_string()]]
    );
}

#[derive(serde::Serialize)]
struct Person {
    name: String,
    born: String,
}

#[tokio::test]
async fn typed_rows_take_a_ddl_schema() {
    let spark = session().await;
    let people = [
        Person {
            name: "Ada".into(),
            born: "1815-12-10".into(),
        },
        Person {
            name: "Grace".into(),
            born: "1906-12-09".into(),
        },
    ];
    let df = spark
        .create_dataframe_from_with_schema(&people, "name STRING NOT NULL, born DATE")
        .await
        .unwrap();
    assert_eq!(
        df.dtypes().await.unwrap(),
        [
            ("name".to_string(), "string".to_string()),
            ("born".into(), "date".into())
        ]
    );
    assert!(!df.schema().await.unwrap().fields[0].nullable);
    assert_eq!(
        sorted_rows(&df).await,
        [["Ada", "1815-12-10"], ["Grace", "1906-12-09"]]
    );
}
