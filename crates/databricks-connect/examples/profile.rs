//! A named profile of `~/.databrickscfg`, for example one that signs in through the Azure CLI:
//!
//! ```ini
//! [azure]
//! host = https://adb-1234567890123456.7.azuredatabricks.net
//! auth_type = azure-cli
//! cluster_id = 0123-456789-abcdefgh
//! ```
//!
//! or as an Azure service principal:
//!
//! ```ini
//! [sp]
//! host = https://adb-1234567890123456.7.azuredatabricks.net
//! azure_tenant_id = 00000000-0000-0000-0000-000000000001
//! azure_client_id = 00000000-0000-0000-0000-000000000002
//! azure_client_secret = ...
//! cluster_id = 0123-456789-abcdefgh
//! ```
//!
//! `cargo run -p databricks-connect --example profile -- azure`

use databricks_connect::prelude::*;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let profile = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "DEFAULT".to_string());
    let spark = DatabricksSession::builder()
        .profile(profile)
        .get_or_create()
        .await?;
    spark
        .sql("SELECT current_user() AS me")
        .await?
        .show(1)
        .await?;
    Ok(())
}
