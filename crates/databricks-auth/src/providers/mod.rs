//! The credentials providers.

mod azure;
pub(crate) mod azure_cli;
mod azure_client_secret;
mod basic;
mod cli;
mod databricks_cli;
mod external_browser;
mod metadata_service;
mod oauth_m2m;
mod oidc;
mod pat;

pub use azure::{
    AZURE_DATABRICKS_APP_ID, MANAGEMENT_TOKEN_HEADER, WORKSPACE_RESOURCE_ID_HEADER,
    azure_login_endpoint, azure_management_endpoint,
};
pub use azure_cli::AzureCliCredentials;
pub use azure_client_secret::AzureClientSecretCredentials;
pub use basic::BasicCredentials;
pub use databricks_cli::DatabricksCliCredentials;
pub use external_browser::{
    BrowserOpener, ExternalBrowserCredentials, U2M_CALLBACK_PORT, U2M_CLIENT_ID,
};
pub use metadata_service::MetadataServiceCredentials;
pub use oauth_m2m::{OAuthM2mCredentials, OidcEndpoints, oidc_endpoints};
pub use oidc::{DEFAULT_OIDC_TOKEN_ENV, EnvOidcCredentials, FileOidcCredentials};
pub use pat::PatCredentials;
