//! One DataFusion query over a local Parquet file and a Spark table: the customers are a
//! Parquet file on this machine, the orders a Spark table; DataFusion joins them. Spark gets
//! only the columns, filters and limit the query needs (`EXPLAIN` shows them in
//! `SparkScanExec`), and streams its rows into DataFusion as Arrow batches.
//!
//! `SPARK_REMOTE=sc://127.0.0.1:15002 cargo run -p databricks-connect --features datafusion --example datafusion_join`
//!
//! On Databricks, `SparkTableProvider::table(&spark, "catalog.schema.table")` reads a table
//! by name in the same way.

use std::sync::Arc;

use databricks_connect::datafusion::SparkTableProvider;
use databricks_connect::datafusion::engine::prelude::{ParquetReadOptions, SessionContext};
use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spark = DatabricksSession::builder().get_or_create().await?;

    // The Spark side: a table of orders (here made from SQL on the server).
    let orders = spark
        .sql(
            "SELECT * FROM VALUES
                (1, 1, 12.50, 'shipped'), (2, 2, 59.99, 'shipped'), (3, 1, 19.99, 'open'),
                (4, 3, 7.25, 'shipped'), (5, 2, 30.00, 'shipped'), (6, 9, 11.00, 'shipped')
             AS orders(id, customer_id, amount, status)",
        )
        .await?;

    // The local side: a Parquet file of customers, written here by DataFusion.
    let ctx = SessionContext::new();
    let dir = std::env::temp_dir().join(format!("datafusion_join_{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let customers = dir.join("customers.parquet");
    let customers = customers
        .to_str()
        .ok_or("the temporary path is not UTF-8")?;
    ctx.sql(
        "SELECT * FROM (VALUES (1, 'alice', 'FR'), (2, 'bob', 'DE'), (3, 'carol', 'FR'))
         AS c(id, name, country)",
    )
    .await?
    .write_parquet(customers, Default::default(), None)
    .await?;

    ctx.register_parquet("customers", customers, ParquetReadOptions::default())
        .await?;
    ctx.register_table("orders", Arc::new(SparkTableProvider::new(orders).await?))?;

    let query = "SELECT c.name, c.country, count(*) AS orders, sum(o.amount) AS total
                 FROM orders o JOIN customers c ON o.customer_id = c.id
                 WHERE o.status = 'shipped'
                 GROUP BY c.name, c.country
                 ORDER BY total DESC";
    println!("What Spark is asked for (SparkScanExec) and what DataFusion does:");
    ctx.sql(&format!("EXPLAIN {query}")).await?.show().await?;
    println!("Shipped orders per customer:");
    ctx.sql(query).await?.show().await?;

    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
