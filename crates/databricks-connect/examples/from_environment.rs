//! Connection parameters from the environment: `DATABRICKS_HOST`, `DATABRICKS_TOKEN` (or any
//! other credentials the Databricks SDKs accept), `DATABRICKS_CLUSTER_ID`, then the `DEFAULT`
//! profile of `~/.databrickscfg` for whatever the variables leave out.
//!
//! `cargo run -p databricks-connect --example from_environment`

use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let spark = DatabricksSession::builder().get_or_create().await?;
    spark.range(0, 5).show(5).await?;
    Ok(())
}
