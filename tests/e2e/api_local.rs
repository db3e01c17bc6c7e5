//! DataFrames from local Arrow data and SQL with parameters, against a real server.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use databricks_connect::functions::{self as f, col};

use crate::api_functions::{one_row, rows};
use crate::session;

fn batch(ids: Vec<i64>, names: Vec<Option<&str>>) -> RecordBatch {
    let scores: Vec<f64> = ids.iter().map(|i| *i as f64 / 4.0).collect();
    let even: Vec<bool> = ids.iter().map(|i| i % 2 == 0).collect();
    RecordBatch::try_from_iter([
        ("id", Arc::new(Int64Array::from(ids)) as ArrayRef),
        ("name", Arc::new(StringArray::from(names)) as ArrayRef),
        ("score", Arc::new(Float64Array::from(scores)) as ArrayRef),
        ("even", Arc::new(BooleanArray::from(even)) as ArrayRef),
    ])
    .unwrap()
}

#[tokio::test]
async fn local_batches_become_a_dataframe() {
    let spark = session().await;
    let ids: Vec<i64> = (0..1000).collect();
    let names: Vec<Option<String>> = ids
        .iter()
        .map(|i| (i % 10 != 0).then(|| format!("n{i}")))
        .collect();
    let (a, b) = ids.split_at(600);
    let (na, nb) = names.split_at(600);
    let batches = [
        batch(a.to_vec(), na.iter().map(|s| s.as_deref()).collect()),
        batch(b.to_vec(), nb.iter().map(|s| s.as_deref()).collect()),
    ];
    let df = spark.create_dataframe(&batches).await.unwrap();
    assert_eq!(
        df.dtypes().await.unwrap(),
        [
            ("id".to_string(), "bigint".to_string()),
            ("name".into(), "string".into()),
            ("score".into(), "double".into()),
            ("even".into(), "boolean".into())
        ]
    );
    assert_eq!(df.count().await.unwrap(), 1000);
    let summary = df
        .filter(col("even"))
        .agg([f::sum("id"), f::count("name"), f::max("score")]);
    let even: Vec<i64> = ids.iter().copied().filter(|i| i % 2 == 0).collect();
    let named = even.iter().filter(|i| *i % 10 != 0).count();
    assert_eq!(
        one_row(&summary).await,
        [
            even.iter().sum::<i64>().to_string(),
            named.to_string(),
            (998.0 / 4.0).to_string()
        ]
    );
    // Values come back as they went.
    let back = rows(&df.order_by(["id"]).limit(3).collect().await.unwrap());
    assert_eq!(
        back,
        [
            ["0", "null", "0.0", "true"],
            ["1", "n1", "0.25", "false"],
            ["2", "n2", "0.5", "true"]
        ]
    );
    // An empty batch gives an empty DataFrame with the schema.
    let empty = spark
        .create_dataframe(&[batch(vec![], vec![])])
        .await
        .unwrap();
    assert_eq!(empty.count().await.unwrap(), 0);
    assert_eq!(
        empty.columns().await.unwrap(),
        ["id", "name", "score", "even"]
    );
}

#[tokio::test]
async fn bad_local_data_is_a_clear_error() {
    let spark = session().await;
    let e = spark.create_dataframe(&[]).await.unwrap_err();
    assert!(e.to_string().contains("at least one record batch"), "{e}");
    let other =
        RecordBatch::try_from_iter([("x", Arc::new(Int64Array::from(vec![1])) as ArrayRef)])
            .unwrap();
    let e = spark
        .create_dataframe(&[batch(vec![1], vec![None]), other])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("batch 1"), "{e}");
}

#[tokio::test]
async fn sql_with_named_and_positional_parameters() {
    let spark = session().await;
    let df = spark
        .sql_with_args(
            "SELECT id FROM range(10) WHERE id > :low AND id < :high",
            [("low", 3), ("high", 7)],
        )
        .await
        .unwrap();
    let ids: Vec<i64> = rows(&df.collect().await.unwrap())
        .iter()
        .map(|r| r[0].parse().unwrap())
        .collect();
    assert_eq!(ids, (4..7).collect::<Vec<_>>());
    // Text is a value, never SQL.
    let text = spark
        .sql_with_args("SELECT :s AS s", [("s", "x' OR '1'='1")])
        .await
        .unwrap();
    assert_eq!(one_row(&text).await, ["x' OR '1'='1"]);
    let positional = spark
        .sql_with_positional_args(
            "SELECT ? + ? AS total, ? AS s",
            [f::lit(2), f::lit(40), f::lit("t")],
        )
        .await
        .unwrap();
    assert_eq!(one_row(&positional).await, ["42", "t"]);
    // A parameter without a value is the server's error.
    let e = match spark.sql_with_args("SELECT :missing", [("other", 1)]).await {
        Ok(df) => df.collect().await.unwrap_err(),
        Err(e) => e,
    };
    assert!(e.server_error().is_some(), "{e}");
}
