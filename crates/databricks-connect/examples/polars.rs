//! polars: a Spark result as a polars DataFrame, worked on locally, and sent back to Spark.
//!
//! `SPARK_REMOTE=sc://127.0.0.1:15002 cargo run -p databricks-connect --features polars --example polars`

use databricks_connect::polars_frames::polars_core::prelude::*;
use databricks_connect::prelude::{DatabricksSession, F, col};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spark = DatabricksSession::builder().get_or_create().await?;

    // The query runs in Spark; its Arrow result crosses into polars without a row-by-row copy.
    let orders = spark
        .range(0, 100_000)
        .select([
            col("id"),
            (col("id") % 7).alias("store"),
            (F::rand_with(42) * 100)
                .cast("decimal(10,2)")
                .alias("amount"),
        ])
        .to_polars()
        .await?;
    println!(
        "{} rows from Spark, columns {:?}, types {:?}",
        orders.height(),
        orders.get_column_names(),
        orders.dtypes()
    );

    // Local work in polars: the ten largest orders.
    let top = orders.sort(
        ["amount"],
        SortMultipleOptions::default().with_order_descending(true),
    )?;
    let top = top.head(Some(10));
    // (A whole DataFrame prints as a table with polars' `fmt` feature, which a program turns
    // on through its own `polars` dependency; here, one column's values.)
    let amounts: Vec<String> = top
        .column("amount")?
        .as_materialized_series()
        .iter()
        .map(|v| v.to_string())
        .collect();
    println!("the ten largest amounts: {}", amounts.join(", "));

    // And back into Spark, where it joins with the rest.
    let top_in_spark = spark.create_dataframe_from_polars(&top).await?;
    top_in_spark
        .group_by([col("store")])
        .agg([F::count(col("id")).alias("orders")])
        .order_by([col("store")])
        .show(10)
        .await?;
    Ok(())
}
