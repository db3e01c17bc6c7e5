//! The credentials providers.

mod basic;
mod databricks_cli;
mod metadata_service;
mod oauth_m2m;
mod pat;

pub use basic::BasicCredentials;
pub use databricks_cli::DatabricksCliCredentials;
pub use metadata_service::MetadataServiceCredentials;
pub use oauth_m2m::{OAuthM2mCredentials, OidcEndpoints, oidc_endpoints};
pub use pat::PatCredentials;
