//! The blocking API, for programs without an async runtime.
//!
//! `SPARK_REMOTE=sc://127.0.0.1:15002 cargo run -p databricks-connect --example blocking`

use databricks_connect::blocking::DatabricksSession;
use databricks_connect::functions::col;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spark = DatabricksSession::builder().get_or_create()?;
    println!("Connected to Spark {}", spark.version()?);

    let df = spark.range(0, 1000).filter(col("id").gt(989));
    println!("{} rows over 989:", df.count()?);
    df.show(20)?;

    let mut rows = 0;
    for batch in spark.sql("SELECT id FROM range(1000000)")?.stream()? {
        rows += batch?.num_rows();
    }
    println!("streamed {rows} rows");
    Ok(())
}
