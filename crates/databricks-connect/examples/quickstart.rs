//! The quickstart: `cargo xtask quickstart` runs this against a local Spark Connect server.
//!
//! Run it yourself with `SPARK_REMOTE=sc://127.0.0.1:15002 cargo run -p databricks-connect --example quickstart`.

use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spark = DatabricksSession::builder().get_or_create().await?;
    println!("Connected to Spark {}", spark.version().await?);

    // A DataFrame is built locally and runs on the server when a result is asked for.
    let numbers = spark.range(1, 10);
    println!("spark.range(1, 10):");
    numbers.show(20).await?;

    let df = spark
        .sql("SELECT id, id * id AS square FROM range(1, 10)")
        .await?
        .filter(col("square").gt(20));
    let batches = df.collect().await?;
    println!("SELECT id, id * id AS square ... WHERE square > 20:");
    println!(
        "{}",
        databricks_connect::arrow::pretty::pretty_format_batches(&batches)?
    );
    Ok(())
}
