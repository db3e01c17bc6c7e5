use std::fmt;
use std::sync::Arc;

use databricks_config::Config;

use super::azure::{
    AZURE_DATABRICKS_APP_ID, AzureHeaders, azure_login_endpoint, azure_management_endpoint,
};
use crate::error::{AuthError, AuthErrorKind};
use crate::headers::BoxFuture;
use crate::http;
use crate::provider::{Configured, CredentialsProvider};
use crate::token::{CachedTokenSource, Token, TokenSource};

const NAME: &str = "azure-client-secret";

/// `azure-client-secret`: an Azure AD service principal's client secret.
///
/// Applies to Azure Databricks configurations (an Azure host, or `azure_workspace_resource_id`)
/// with `azure_client_id`, `azure_client_secret` and `azure_tenant_id` set. Runs the client
/// credentials grant at Azure AD's v1 endpoint `{login}{tenant}/oauth2/token` with the id and
/// secret in the form and `resource` = the Azure Databricks application
/// (`2ff814a6-3304-4ab8-85cb-cd0e6f879c1d`), and once more with `resource` = the cloud's
/// service management endpoint, sent as `X-Databricks-Azure-SP-Management-Token`.
/// `azure_workspace_resource_id` is sent as `X-Databricks-Azure-Workspace-Resource-Id`.
///
/// `{login}` follows `azure_environment` (else the host's cloud): `https://login.microsoftonline.com/`
/// (`PUBLIC`), `https://login.microsoftonline.us/` (`USGOVERNMENT`),
/// `https://login.chinacloudapi.cn/` (`CHINA`). [`with_login_endpoint`](Self::with_login_endpoint)
/// replaces it (tests, private clouds); the management `resource` still follows the cloud.
#[derive(Debug, Clone, Default)]
pub struct AzureClientSecretCredentials {
    login_endpoint: Option<String>,
}

impl AzureClientSecretCredentials {
    /// Uses `endpoint` (e.g. `http://127.0.0.1:8080/`) instead of the cloud's Azure AD login
    /// endpoint. A missing trailing `/` is added.
    pub fn with_login_endpoint(endpoint: impl Into<String>) -> Self {
        let mut endpoint = endpoint.into();
        if !endpoint.ends_with('/') {
            endpoint.push('/');
        }
        AzureClientSecretCredentials {
            login_endpoint: Some(endpoint),
        }
    }
}

impl CredentialsProvider for AzureClientSecretCredentials {
    fn name(&self) -> &'static str {
        NAME
    }

    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>> {
        Box::pin(async move {
            let (Some(client_id), Some(client_secret), Some(tenant)) = (
                cfg.azure_client_id(),
                cfg.azure_client_secret(),
                cfg.azure_tenant_id(),
            ) else {
                return Ok(Configured::NotApplicable(
                    "azure_client_id, azure_client_secret and azure_tenant_id are not all set"
                        .into(),
                ));
            };
            if !cfg.is_azure() {
                return Ok(Configured::NotApplicable(
                    "not an Azure Databricks configuration".into(),
                ));
            }
            if cfg.host().is_none() {
                return Err(AuthError::provider(
                    NAME,
                    AuthErrorKind::Misconfigured,
                    "resolve host: host is not set; finding the workspace URL from azure_workspace_resource_id is not supported by this client",
                ));
            }
            let cloud = cfg.azure_cloud();
            let login = self
                .login_endpoint
                .clone()
                .unwrap_or_else(|| azure_login_endpoint(cloud).to_owned());
            let client = http::client(cfg, NAME)?;
            let source = |resource: &str| {
                Arc::new(AadClientSecret {
                    client: client.clone(),
                    token_endpoint: format!("{login}{tenant}/oauth2/token"),
                    client_id: client_id.to_owned(),
                    client_secret: client_secret.to_owned(),
                    resource: resource.to_owned(),
                })
            };
            let inner = source(AZURE_DATABRICKS_APP_ID);
            let management = source(azure_management_endpoint(cloud));
            let first = inner.fetch().await?;
            let first_management = management.fetch().await?;
            Ok(Configured::Headers(Arc::new(AzureHeaders::new(
                NAME,
                cfg,
                CachedTokenSource::new(inner, Some(first)),
                Some(CachedTokenSource::new(management, Some(first_management))),
            ))))
        })
    }
}

struct AadClientSecret {
    client: crate::RestClient,
    token_endpoint: String,
    client_id: String,
    client_secret: String,
    resource: String,
}

impl fmt::Debug for AadClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AadClientSecret")
            .field("token_endpoint", &self.token_endpoint)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("resource", &self.resource)
            .finish()
    }
}

impl AadClientSecret {
    async fn fetch(&self) -> Result<Token, AuthError> {
        let request = self
            .client
            .post(&self.token_endpoint)
            .header("Accept", "application/json")
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", &self.client_id),
                ("client_secret", &self.client_secret),
                ("resource", &self.resource),
            ]);
        let response = http::send(&self.client, request, &self.token_endpoint, NAME).await?;
        http::token_response(&response, &self.token_endpoint, NAME)
    }
}

impl TokenSource for AadClientSecret {
    fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>> {
        Box::pin(self.fetch())
    }
}
