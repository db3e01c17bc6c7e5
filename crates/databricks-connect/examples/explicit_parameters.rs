//! Connection parameters in code: the workspace, the cluster and a personal access token.
//!
//! `DATABRICKS_HOST=... DATABRICKS_TOKEN=... DATABRICKS_CLUSTER_ID=... cargo run -p databricks-connect --example explicit_parameters`
//! (read here from the environment only to keep the token out of the source).

use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("set {name}"));
    let spark = DatabricksSession::builder()
        .host(var("DATABRICKS_HOST")?)
        .cluster_id(var("DATABRICKS_CLUSTER_ID")?)
        .token(var("DATABRICKS_TOKEN")?)
        .get_or_create()
        .await?;
    spark.range(0, 3).show(3).await?;
    Ok(())
}
