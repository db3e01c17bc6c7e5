//! DataFrame relational operators and Column methods against a real server; expected
//! values are computed in Rust from the same inputs, or by SQL on the same server.

use databricks_connect::functions::{self as f, col, lit};
use databricks_connect::{DataFrame, JoinType, SparkSession};

use crate::api_functions::{one_row, rows};
use crate::session;

async fn text(df: &DataFrame) -> Vec<Vec<String>> {
    rows(&df.collect().await.expect("query runs"))
}

fn ints(rows: &[Vec<String>], i: usize) -> Vec<i64> {
    rows.iter()
        .map(|r| r[i].parse().expect("an integer"))
        .collect()
}

/// People: (name, dept, age), with a null age and a null dept.
async fn people(spark: &SparkSession) -> DataFrame {
    spark
        .sql(
            "SELECT * FROM VALUES ('ann', 'eng', 34), ('bob', 'eng', 28), ('cid', 'ops', NULL), \
             ('dee', NULL, 41), ('eve', 'ops', 28) AS t(name, dept, age)",
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn columns_added_renamed_dropped_and_typed() {
    let spark = session().await;
    let df = spark
        .range(0, 3)
        .with_columns([("twice", col("id") * 2), ("label", lit("x"))])
        .with_column_renamed("id", "n")
        .with_column_renamed("not_there", "ignored")
        .with_columns_renamed([("twice", "double"), ("label", "tag")]);
    assert_eq!(df.columns().await.unwrap(), ["n", "double", "tag"]);
    assert_eq!(
        df.dtypes().await.unwrap(),
        [
            ("n".to_string(), "bigint".to_string()),
            ("double".to_string(), "bigint".to_string()),
            ("tag".to_string(), "string".to_string())
        ]
    );
    let dropped = df.drop(["tag", "not_there"]);
    assert_eq!(dropped.columns().await.unwrap(), ["n", "double"]);
    assert_eq!(
        text(&dropped).await,
        (0..3)
            .map(|i: i64| vec![i.to_string(), (2 * i).to_string()])
            .collect::<Vec<_>>()
    );
    let renamed = dropped.to_df(["a", "b"]);
    assert_eq!(renamed.columns().await.unwrap(), ["a", "b"]);
    let by_column = spark.range(0, 2).with_column("x", lit(1));
    let by_column = by_column.drop_columns([by_column.col("x")]);
    assert_eq!(by_column.columns().await.unwrap(), ["id"]);
    assert_eq!(
        spark.range(0, 1).tree_string(None).await.unwrap(),
        "root\n |-- id: long (nullable = false)\n"
    );
}

#[tokio::test]
async fn ordering_with_directions_and_nulls() {
    let spark = session().await;
    let df = people(&spark).await;
    let names = |rows: Vec<Vec<String>>| rows.into_iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    // age ascending, nulls first (the default); ties broken by name.
    let asc = df.order_by([col("age"), col("name")]).select(["name"]);
    assert_eq!(names(text(&asc).await), ["cid", "bob", "eve", "ann", "dee"]);
    let asc_last = df
        .sort([f::asc_nulls_last("age"), col("name").asc()])
        .select(["name"]);
    assert_eq!(
        names(text(&asc_last).await),
        ["bob", "eve", "ann", "dee", "cid"]
    );
    let desc = df
        .order_by([col("age").desc(), col("name").desc()])
        .select(["name"]);
    assert_eq!(
        names(text(&desc).await),
        ["dee", "ann", "eve", "bob", "cid"]
    );
    let desc_first = df
        .order_by([col("age").desc_nulls_first(), f::desc("name")])
        .select(["name"]);
    assert_eq!(
        names(text(&desc_first).await),
        ["cid", "dee", "ann", "eve", "bob"]
    );
    // The same as SQL on the same server.
    let sql = spark
        .sql("SELECT name FROM VALUES ('ann', 'eng', 34), ('bob', 'eng', 28), ('cid', 'ops', NULL), \
              ('dee', NULL, 41), ('eve', 'ops', 28) AS t(name, dept, age) ORDER BY dept DESC NULLS FIRST, name")
        .await
        .unwrap();
    let ours = df
        .order_by([col("dept").desc_nulls_first(), col("name")])
        .select(["name"]);
    assert_eq!(text(&ours).await, text(&sql).await);
}

#[tokio::test]
async fn distinct_and_drop_duplicates() {
    let spark = session().await;
    let df = spark
        .range(0, 100)
        .select([(col("id") % 7).alias("a"), (col("id") % 3).alias("b")]);
    let distinct_a: std::collections::HashSet<i64> = (0..100).map(|i| i % 7).collect();
    let distinct_ab: std::collections::HashSet<(i64, i64)> =
        (0..100).map(|i| (i % 7, i % 3)).collect();
    assert_eq!(
        df.select(["a"]).distinct().count().await.unwrap(),
        distinct_a.len() as i64
    );
    assert_eq!(
        df.distinct().count().await.unwrap(),
        distinct_ab.len() as i64
    );
    assert_eq!(
        df.drop_duplicates(Vec::<&str>::new())
            .count()
            .await
            .unwrap(),
        distinct_ab.len() as i64
    );
    let by_a = df.drop_duplicates(["a"]).order_by(["a"]);
    let got = text(&by_a).await;
    assert_eq!(ints(&got, 0), (0..7).collect::<Vec<_>>());
    // Each kept row is a real row: b is id % 3 for some id with id % 7 == a.
    for r in &got {
        let (a, b): (i64, i64) = (r[0].parse().unwrap(), r[1].parse().unwrap());
        assert!((0..100).any(|i| i % 7 == a && i % 3 == b), "{r:?}");
    }
}

#[tokio::test]
async fn group_by_and_aggregates() {
    let spark = session().await;
    let df = spark.range(0, 100).with_column("k", col("id") % 3);
    let grouped = df.group_by(["k"]).agg([
        f::sum("id").alias("total"),
        f::count(lit(1)).alias("n"),
        f::min("id").alias("lo"),
        f::max("id").alias("hi"),
    ]);
    let got = text(&grouped.order_by(["k"])).await;
    for k in 0..3i64 {
        let ids: Vec<i64> = (0..100).filter(|i| i % 3 == k).collect();
        assert_eq!(
            got[k as usize],
            vec![
                k.to_string(),
                ids.iter().sum::<i64>().to_string(),
                ids.len().to_string(),
                ids[0].to_string(),
                ids[ids.len() - 1].to_string()
            ]
        );
    }
    let counts = text(&df.group_by([col("k")]).count().order_by(["k"])).await;
    assert_eq!(counts, [["0", "34"], ["1", "33"], ["2", "33"]]);
    let shortcuts = df.group_by(["k"]);
    assert_eq!(
        shortcuts.sum(["id"]).columns().await.unwrap(),
        ["k", "sum(id)"]
    );
    let avg = text(&shortcuts.avg(["id"]).order_by(["k"])).await;
    let mean0 = (0..100).filter(|i| i % 3 == 0).sum::<i64>() as f64 / 34.0;
    assert_eq!(avg[0][1], mean0.to_string());
    let min_max = text(
        &shortcuts
            .min(["id"])
            .join(&shortcuts.max(["id"]), ["k"], "inner")
            .order_by(["k"]),
    )
    .await;
    assert_eq!(
        min_max,
        [["0", "0", "99"], ["1", "1", "97"], ["2", "2", "98"]]
    );
    // The whole DataFrame as one group.
    assert_eq!(
        one_row(&df.agg([f::sum("id"), f::max("k")])).await,
        ["4950", "2"]
    );
    // Pivot: one column per value.
    let pivot = df
        .group_by(Vec::<&str>::new())
        .pivot("k", [0i64, 1, 2])
        .agg([f::count(lit(1))]);
    assert_eq!(one_row(&pivot).await, ["34", "33", "33"]);
    // Rollup and cube against SQL on the same server.
    let rollup = df
        .with_column("j", col("id") % 2)
        .rollup(["k", "j"])
        .count()
        .order_by(["k", "j"]);
    let sql = spark
        .sql("SELECT id % 3 AS k, id % 2 AS j, count(1) AS count FROM range(100) GROUP BY ROLLUP(k, j) ORDER BY k, j")
        .await
        .unwrap();
    assert_eq!(text(&rollup).await, text(&sql).await);
    let cube = df
        .with_column("j", col("id") % 2)
        .cube(["k", "j"])
        .count()
        .order_by(["k", "j"]);
    let sql = spark
        .sql("SELECT id % 3 AS k, id % 2 AS j, count(1) AS count FROM range(100) GROUP BY CUBE(k, j) ORDER BY k, j")
        .await
        .unwrap();
    assert_eq!(text(&cube).await, text(&sql).await);
}

#[tokio::test]
async fn joins_of_every_type() {
    let spark = session().await;
    // left ids 0..10, right ids 5..15.
    let left = spark.range(0, 10).with_column("l", col("id") * 10);
    let right = spark.range(5, 15).with_column("r", col("id") * 100);
    let l: Vec<i64> = (0..10).collect();
    let r: Vec<i64> = (5..15).collect();
    let both = l.iter().filter(|i| r.contains(i)).count() as i64;
    let only_l = l.iter().filter(|i| !r.contains(i)).count() as i64;
    let only_r = r.iter().filter(|i| !l.contains(i)).count() as i64;
    let count = |how: &str| {
        let df = left.join(&right, ["id"], how);
        async move { df.count().await.unwrap() }
    };
    assert_eq!(count("inner").await, both);
    assert_eq!(count("left").await, both + only_l);
    assert_eq!(count("right_outer").await, both + only_r);
    assert_eq!(count("full").await, both + only_l + only_r);
    assert_eq!(count("semi").await, both);
    assert_eq!(count("left_anti").await, only_l);
    assert_eq!(
        left.cross_join(&right).count().await.unwrap(),
        (l.len() * r.len()) as i64
    );

    // USING keeps one id; a left join fills the right side with nulls.
    let joined = left.join(&right, ["id"], "left").order_by(["id"]);
    assert_eq!(joined.columns().await.unwrap(), ["id", "l", "r"]);
    let got = text(&joined).await;
    for (row, id) in got.iter().zip(0..10i64) {
        let expected_r = if r.contains(&id) {
            (id * 100).to_string()
        } else {
            "null".into()
        };
        assert_eq!(
            row,
            &vec![id.to_string(), (id * 10).to_string(), expected_r]
        );
    }

    // A condition on columns of both sides, told apart with df.col().
    let cond = left
        .join(&right, left.col("id").eq(right.col("id") - 5), "inner")
        .select([left.col("id"), right.col("id").alias("rid")])
        .order_by(["id"]);
    let got = text(&cond).await;
    assert_eq!(ints(&got, 0), (0..10).collect::<Vec<_>>());
    assert_eq!(ints(&got, 1), (5..15).collect::<Vec<_>>());

    // Self-join through aliases.
    let nums = spark.range(0, 10);
    let pairs = nums
        .alias("a")
        .join(&nums.alias("b"), col("a.id").eq(col("b.id") + 1), "inner");
    assert_eq!(pairs.count().await.unwrap(), 9);
}

#[tokio::test]
async fn set_operations_keep_or_drop_duplicates() {
    let spark = session().await;
    // a = 0,1,1,2,2,2 ; b = 1,2,2,3
    let a = spark
        .sql("SELECT * FROM VALUES (0), (1), (1), (2), (2), (2) AS t(x)")
        .await
        .unwrap();
    let b = spark
        .sql("SELECT * FROM VALUES (1), (2), (2), (3) AS t(x)")
        .await
        .unwrap();
    let sorted = |df: DataFrame| async move { ints(&text(&df.order_by(["x"])).await, 0) };
    assert_eq!(sorted(a.union(&b)).await, [0, 1, 1, 1, 2, 2, 2, 2, 2, 3]);
    assert_eq!(
        sorted(a.union_all(&b)).await,
        [0, 1, 1, 1, 2, 2, 2, 2, 2, 3]
    );
    assert_eq!(sorted(a.intersect(&b)).await, [1, 2]);
    assert_eq!(sorted(a.intersect_all(&b)).await, [1, 2, 2]);
    assert_eq!(sorted(a.subtract(&b)).await, [0]);
    assert_eq!(sorted(a.except_all(&b)).await, [0, 1, 2]);
    // By name: columns in another order, or missing.
    let p = spark.sql("SELECT 1 AS x, 'p' AS y").await.unwrap();
    let q = spark.sql("SELECT 'q' AS y, 2 AS x").await.unwrap();
    let by_name = p.union_by_name(&q, false).order_by(["x"]);
    assert_eq!(text(&by_name).await, [["1", "p"], ["2", "q"]]);
    let missing = p
        .union_by_name(&spark.sql("SELECT 3 AS x").await.unwrap(), true)
        .order_by(["x"]);
    assert_eq!(text(&missing).await, [["1", "p"], ["3", "null"]]);
}

#[tokio::test]
async fn offset_sample_partitions_and_small_actions() {
    let spark = session().await;
    let df = spark.range(0, 20).order_by(["id"]);
    assert_eq!(
        ints(&text(&df.offset(15)).await, 0),
        (15..20).collect::<Vec<_>>()
    );
    assert_eq!(ints(&text(&df.offset(5).limit(3)).await, 0), [5, 6, 7]);
    let ids = |rows: Vec<databricks_connect::Row>| -> Vec<i64> {
        rows.iter().map(|r| r.get::<i64>("id").unwrap()).collect()
    };
    assert_eq!(ids(df.head(3).await.unwrap()), [0, 1, 2]);
    assert_eq!(ids(df.take(2).await.unwrap()), [0, 1]);
    assert_eq!(ids(df.tail(2).await.unwrap()), [18, 19]);
    assert_eq!(df.first().await.unwrap().unwrap().get::<i64>(0).unwrap(), 0);
    assert!(!df.is_empty().await.unwrap());
    let none = spark.range(0, 0);
    assert!(none.is_empty().await.unwrap());
    assert!(none.first().await.unwrap().is_none());

    // The same seed gives the same sample; the size is near the fraction.
    let big = spark.range(0, 10_000);
    let s1 = ints(
        &text(&big.sample(0.5, false, Some(42)).order_by(["id"])).await,
        0,
    );
    let s2 = ints(
        &text(&big.sample(0.5, false, Some(42)).order_by(["id"])).await,
        0,
    );
    assert_eq!(s1, s2);
    assert!((4_500..5_500).contains(&s1.len()), "{}", s1.len());
    assert!(
        s1.windows(2).all(|w| w[0] < w[1]),
        "without replacement, no repeats"
    );
    let with = big.sample(2.0, true, Some(7)).count().await.unwrap();
    assert!((18_000..22_000).contains(&with), "{with}");

    let partitions = |df: DataFrame| async move {
        df.select([f::spark_partition_id().alias("p")])
            .distinct()
            .count()
            .await
            .unwrap()
    };
    assert_eq!(partitions(big.repartition(4)).await, 4);
    assert_eq!(partitions(big.repartition(4).coalesce(2)).await, 2);
    // Hash partitioning by k: every row of a key in one partition, at most 3 partitions.
    let by_key = big
        .repartition_by(Some(3), [(col("id") % 3).alias("k")])
        .select([
            (col("id") % 3).alias("k"),
            f::spark_partition_id().alias("p"),
        ])
        .distinct();
    assert_eq!(by_key.count().await.unwrap(), 3);
    assert!(by_key.select(["p"]).distinct().count().await.unwrap() <= 3);
    assert_eq!(big.repartition(5).count().await.unwrap(), 10_000);
    assert_eq!(
        big.sort_within_partitions(["id"]).count().await.unwrap(),
        10_000
    );
    assert_eq!(
        big.hint("broadcast", Vec::<databricks_connect::Column>::new())
            .count()
            .await
            .unwrap(),
        10_000
    );
}

#[tokio::test]
async fn describe_and_summary() {
    let spark = session().await;
    let values: Vec<f64> = (1..=10).map(|i| i as f64).collect();
    let mean = values.iter().sum::<f64>() / 10.0;
    let stddev = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 9.0).sqrt();
    let described = text(&spark.range(1, 11).describe(["id"])).await;
    assert_eq!(
        described,
        [
            vec!["count".to_string(), "10".into()],
            vec!["mean".into(), mean.to_string()],
            vec!["stddev".into(), stddev.to_string()],
            vec!["min".into(), "1".into()],
            vec!["max".into(), "10".into()],
        ]
    );
    let summary = text(&spark.range(1, 11).summary(["min", "50%", "max"])).await;
    assert_eq!(summary, [["min", "1"], ["50%", "5"], ["max", "10"]]);
}

#[tokio::test]
async fn column_methods() {
    let spark = session().await;
    let df = people(&spark).await;
    let names = |rows: Vec<Vec<String>>| rows.into_iter().map(|r| r[0].clone()).collect::<Vec<_>>();
    let pick = |cond: databricks_connect::Column| {
        let df = df.filter(cond).order_by(["name"]).select(["name"]);
        async move { names(text(&df).await) }
    };
    let all = ["ann", "bob", "cid", "dee", "eve"];
    let expect = |p: &dyn Fn(&str) -> bool| {
        all.iter()
            .filter(|n| p(n))
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        pick(col("name").isin(["bob", "eve", "zed"])).await,
        expect(&|n| ["bob", "eve"].contains(&n))
    );
    assert_eq!(
        pick(col("age").between(28, 34)).await,
        ["ann", "bob", "eve"]
    );
    assert_eq!(
        pick(col("name").like("%e%")).await,
        expect(&|n| n.contains('e'))
    );
    assert_eq!(pick(col("name").ilike("A%")).await, ["ann"]);
    assert_eq!(
        pick(col("name").rlike("^[a-c]")).await,
        expect(&|n| n < "d")
    );
    assert_eq!(pick(col("name").startswith("d")).await, ["dee"]);
    assert_eq!(
        pick(col("name").endswith("e")).await,
        expect(&|n| n.ends_with('e'))
    );
    assert_eq!(pick(col("name").contains("o")).await, ["bob"]);
    assert_eq!(
        pick(
            col("dept")
                .eq_null_safe(lit("eng"))
                .or(col("dept").is_null())
        )
        .await,
        ["ann", "bob", "dee"]
    );

    let rows = text(
        &df.order_by(["name"]).select([
            col("name").substr(2, 2),
            f::when(col("age").gt(30), "old")
                .when(col("age").is_null(), "unknown")
                .otherwise("young"),
            f::when(col("age").gt(30), 1),
            col("age").cast("string").try_cast("int"),
            lit("12x").try_cast("int"),
            col("age").bitwise_and(12),
        ]),
    )
    .await;
    let ages = [Some(34), Some(28), None, Some(41), Some(28)];
    for (i, row) in rows.iter().enumerate() {
        let age = ages[i];
        let expected = vec![
            all[i][1..3].to_string(),
            match age {
                Some(a) if a > 30 => "old".into(),
                None => "unknown".into(),
                _ => "young".into(),
            },
            match age {
                Some(a) if a > 30 => "1".into(),
                _ => "null".into(),
            },
            age.map_or("null".into(), |a| a.to_string()),
            "null".into(),
            age.map_or("null".into(), |a| (a & 12).to_string()),
        ];
        assert_eq!(row, &expected, "row {i}");
    }

    // Struct, array and map access.
    let nested = spark
        .sql("SELECT named_struct('a', 1, 'b', 'x') AS s, array(10, 20) AS arr, map('k', 'v') AS m, CAST('NaN' AS DOUBLE) AS nan")
        .await
        .unwrap();
    let got = one_row(&nested.select([
        col("s").get_field("b"),
        col("arr").get_item(1),
        col("m").get_item("k"),
        col("s").with_field("c", lit(true)),
        col("s").drop_fields(["a"]),
        col("nan").is_nan(),
    ]))
    .await;
    assert_eq!(
        got,
        ["x", "20", "v", "{a: 1, b: x, c: true}", "{b: x}", "true"]
    );
}

#[tokio::test]
async fn bad_input_gives_clear_errors() {
    let spark = session().await;
    let df = spark.range(0, 3);
    for bad in [
        df.order_by(["nope_sort"]),
        df.group_by(["nope_group"]).count(),
        df.join(&spark.range(0, 3), ["nope_using"], "inner"),
        df.with_columns([("x", col("nope_with"))]),
    ] {
        let e = bad.collect().await.unwrap_err();
        assert!(e.server_error().is_some(), "{e}");
        assert!(e.to_string().contains("nope_"), "{e}");
    }
    let e = df.to_df(["a", "b"]).collect().await.unwrap_err();
    assert!(e.server_error().is_some(), "{e}");
    let e = df
        .select([col("id").cast("no such type")])
        .collect()
        .await
        .unwrap_err();
    // The server's parser refuses the type name, quoting it.
    assert_eq!(
        e.server_error().and_then(|s| s.error_class()),
        Some("PARSE_SYNTAX_ERROR"),
        "{e}"
    );
    assert!(e.to_string().contains("no such type"), "{e}");
    match "sideways".parse::<JoinType>() {
        Ok(how) => panic!("parsed: {:?}", df.join(&df, ["id"], how).to_proto()),
        Err(e) => assert!(e.to_string().contains("sideways"), "{e}"),
    }
    // otherwise() without when() is the server's error, not a panic.
    let e = df
        .select([col("id").otherwise(1)])
        .collect()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("otherwise_without_when"), "{e}");
}

#[tokio::test]
async fn remaining_members_each_once() {
    let spark = session().await;
    let df = spark.range(0, 6);
    let shout = |c: databricks_connect::Column| f::upper(c.cast("string"));
    let got = text(
        &df.clone()
            .r#where(col("id").ne(3).and(col("id").is_not_null()))
            .transform(|d| d.with_column("half", col("id") / 2))
            .select([
                col("id").astype("string").name("s"),
                col("id").bitwise_or(8),
                col("id").bitwise_xor(1),
                col("id").transform(shout),
                col("half"),
            ])
            .order_by([col("s").desc_nulls_last()]),
    )
    .await;
    let expected: Vec<Vec<String>> = [5i64, 4, 2, 1, 0]
        .iter()
        .map(|i| {
            vec![
                i.to_string(),
                (i | 8).to_string(),
                (i ^ 1).to_string(),
                i.to_string(),
                format!("{:?}", *i as f64 / 2.0),
            ]
        })
        .collect();
    assert_eq!(got, expected);
    let means = text(
        &df.with_column("k", col("id") % 2)
            .group_by(["k"])
            .mean(["id"])
            .order_by([col("k").asc_nulls_first()]),
    )
    .await;
    assert_eq!(means, [["0", "2.0"], ["1", "3.0"]]);
}

#[tokio::test]
async fn lateral_join_sees_the_outer_row() {
    let spark = session().await;
    let left = spark.range(1, 4).alias("l");
    let right = spark
        .range(0, 10)
        .alias("r")
        .filter(col("r.id").lt(col("l.id").outer()));
    let joined = left
        .lateral_join(&right, None, "inner")
        .select([col("l.id"), col("r.id").alias("rid")])
        .order_by(["id", "rid"]);
    let expected: Vec<Vec<String>> = (1..4i64)
        .flat_map(|l| (0..l).map(move |r| vec![l.to_string(), r.to_string()]))
        .collect();
    assert_eq!(text(&joined).await, expected);
    // A left lateral join keeps left rows without a match.
    let none = spark
        .range(0, 10)
        .alias("r")
        .filter(col("r.id").gt(col("l.id").outer() * 5));
    let kept = left
        .lateral_join(&none, None, "left")
        .count()
        .await
        .unwrap();
    let expected = (1..4i64)
        .map(|l| (0..10).filter(|r| *r > l * 5).count().max(1) as i64)
        .sum::<i64>();
    assert_eq!(kept, expected);
}

#[tokio::test]
async fn nearest_by_join_ranks_candidates() {
    let spark = session().await;
    let users = spark
        .sql("SELECT * FROM VALUES (1, 10.0D), (2, 20.0D), (3, 30.0D) AS u(user_id, score)")
        .await
        .unwrap();
    let products = spark
        .sql("SELECT * FROM VALUES ('A', 11.0D), ('B', 22.0D), ('C', 5.0D) AS p(product, pscore)")
        .await
        .unwrap();
    let candidates = [("A", 11.0f64), ("B", 22.0), ("C", 5.0)];
    // The nearest product by |score - pscore|, computed here.
    let nearest = |score: f64| {
        candidates
            .iter()
            .min_by(|a, b| (a.1 - score).abs().total_cmp(&(b.1 - score).abs()))
            .unwrap()
            .0
    };
    let expected: Vec<Vec<String>> = [(1, 10.0), (2, 20.0), (3, 30.0)]
        .iter()
        .map(|(id, score)| vec![id.to_string(), nearest(*score).to_string()])
        .collect();
    for (ranking, direction) in [
        (
            -f::abs(col("score") - col("pscore")),
            databricks_connect::NearestBy::Similarity,
        ),
        (
            f::abs(col("score") - col("pscore")),
            databricks_connect::NearestBy::Distance,
        ),
    ] {
        let joined = users
            .nearest_by_join(
                &products,
                ranking,
                1,
                databricks_connect::NearestMode::Exact,
                direction,
                databricks_connect::JoinType::Inner,
            )
            .select(["user_id", "product"])
            .order_by(["user_id"]);
        assert_eq!(text(&joined).await, expected, "{direction:?}");
    }
    // Two results per user: every user gets exactly two rows.
    let two = users
        .nearest_by_join(
            &products,
            f::abs(col("score") - col("pscore")),
            2,
            databricks_connect::NearestMode::Approx,
            databricks_connect::NearestBy::Distance,
            databricks_connect::JoinType::Left,
        )
        .count()
        .await
        .unwrap();
    assert_eq!(two, 6);
    // Out of range: the server's own error, not a panic.
    let err = users
        .nearest_by_join(
            &products,
            f::abs(col("score") - col("pscore")),
            0,
            databricks_connect::NearestMode::Exact,
            databricks_connect::NearestBy::Distance,
            databricks_connect::JoinType::Inner,
        )
        .collect()
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("NEAREST_BY_JOIN"), "{err}");
}

#[tokio::test]
async fn to_json_is_local_and_register_temp_table() {
    let spark = session().await;
    let df = spark
        .sql("SELECT * FROM VALUES (1, 'a\"b', NULL), (2, 'é', 2.5D) AS t(n, s, x)")
        .await
        .unwrap();
    let json = text(&df.to_json().order_by(["value"])).await;
    // Spark's to_json leaves null fields out and escapes quotes.
    assert_eq!(
        json,
        [
            [r#"{"n":1,"s":"a\"b"}"#.to_string()],
            [r#"{"n":2,"s":"é","x":2.5}"#.to_string()],
        ]
    );
    assert_eq!(df.to_json().columns().await.unwrap(), ["value"]);
    // A local relation is local; a range over executors is not.
    assert!(
        spark
            .create_dataframe(&df.collect().await.unwrap())
            .await
            .unwrap()
            .is_local()
            .await
            .unwrap()
    );
    assert!(!spark.range(0, 10).is_local().await.unwrap());
    #[allow(deprecated)]
    df.register_temp_table("me_registered_view").await.unwrap();
    let via_sql = spark
        .sql("SELECT count(*) FROM me_registered_view")
        .await
        .unwrap();
    assert_eq!(one_row(&via_sql).await, ["2"]);
}

#[tokio::test]
async fn merge_into_a_file_table_is_the_servers_clear_refusal() {
    let spark = session().await;
    spark
        .sql("DROP TABLE IF EXISTS me_merge_target")
        .await
        .unwrap();
    spark
        .sql("CREATE TABLE me_merge_target USING parquet AS SELECT 1L AS id, 'old' AS v")
        .await
        .unwrap();
    let err = spark
        .range(0, 3)
        .alias("s")
        .merge_into("me_merge_target", col("me_merge_target.id").eq(col("s.id")))
        .when_matched(None)
        .update([("v", lit("updated"))])
        .when_not_matched(None)
        .insert([("id", col("s.id")), ("v", lit("new"))])
        .merge()
        .await
        .unwrap_err();
    let message = err.to_string();
    let after = text(&spark.table("me_merge_target")).await;
    spark.sql("DROP TABLE me_merge_target").await.unwrap();
    // Spark's built-in parquet tables cannot change rows in place: the server analysed the
    // merge command and refused it, and the table is untouched.
    assert!(
        message.contains("UNSUPPORTED_FEATURE.TABLE_OPERATION")
            && message.contains("MERGE INTO TABLE"),
        "{message}"
    );
    assert_eq!(after, [["1", "old"]]);
}
