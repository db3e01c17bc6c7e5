//! Custom headers on every request, combined with any other connection parameters; and debug
//! logs that say where the parameters came from (`SPARK_CONNECT_LOG_LEVEL=debug`).
//!
//! `SPARK_CONNECT_LOG_LEVEL=debug cargo run -p databricks-connect --example custom_headers`

use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spark = DatabricksSession::builder()
        .header("x-custom-header", "value")
        .get_or_create()
        .await?;
    spark.range(0, 3).show(3).await?;
    Ok(())
}
