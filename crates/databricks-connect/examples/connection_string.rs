//! A full Spark Connect connection string, with the token and the cluster as parameters:
//! `sc://<workspace host>:443/;token=<token>;x-databricks-cluster-id=<cluster id>`.
//!
//! `SPARK_REMOTE='sc://...' cargo run -p databricks-connect --example connection_string`
//! (read here from the environment only to keep the token out of the source).

use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let remote = std::env::var("SPARK_REMOTE").map_err(|_| "set SPARK_REMOTE to sc://...")?;
    let spark = DatabricksSession::builder()
        .remote(remote)
        .get_or_create()
        .await?;
    println!("Spark {}", spark.version().await?);
    Ok(())
}
