//! A Databricks SDK configuration built by the program, here from a profile with an override.
//!
//! `cargo run -p databricks-connect --example sdk_config`

use databricks_connect::config::{Config, ConfigKey};
use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::builder()
        .profile("DEFAULT")
        .set(ConfigKey::ServerlessComputeId, "auto")
        .build()?;
    let spark = DatabricksSession::builder()
        .sdk_config(config)
        .get_or_create()
        .await?;
    spark.range(0, 3).show(3).await?;
    Ok(())
}
