//! What the two Azure providers share: the Azure clouds' endpoints and the headers Azure
//! Databricks expects from an Azure AD principal.

use std::fmt;

use databricks_config::{AzureCloud, Config};

use crate::error::AuthError;
use crate::headers::{AuthHeaders, BoxFuture, HeaderSource};
use crate::token::CachedTokenSource;

/// The Azure AD application of Azure Databricks: the `resource` of its tokens, in every cloud.
pub const AZURE_DATABRICKS_APP_ID: &str = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d";

/// The header that carries a token for the Azure service management API, which lets Azure
/// Databricks add a service principal to a workspace on its first login.
pub const MANAGEMENT_TOKEN_HEADER: &str = "X-Databricks-Azure-SP-Management-Token";

/// The header that carries `azure_workspace_resource_id`.
pub const WORKSPACE_RESOURCE_ID_HEADER: &str = "X-Databricks-Azure-Workspace-Resource-Id";

/// The Azure AD login endpoint of an Azure cloud, with a trailing `/`.
pub fn azure_login_endpoint(cloud: AzureCloud) -> &'static str {
    match cloud {
        AzureCloud::UsGovernment => "https://login.microsoftonline.us/",
        AzureCloud::China => "https://login.chinacloudapi.cn/",
        _ => "https://login.microsoftonline.com/",
    }
}

/// The Azure service management endpoint (a token `resource`) of an Azure cloud.
pub fn azure_management_endpoint(cloud: AzureCloud) -> &'static str {
    match cloud {
        AzureCloud::UsGovernment => "https://management.core.usgovcloudapi.net/",
        AzureCloud::China => "https://management.core.chinacloudapi.cn/",
        _ => "https://management.core.windows.net/",
    }
}

/// `Authorization` from the Databricks-resource token, the management token when there is one,
/// and the workspace resource id when it is configured.
#[derive(Clone)]
pub(crate) struct AzureHeaders {
    pub provider: &'static str,
    pub inner: CachedTokenSource,
    pub management: Option<CachedTokenSource>,
    pub workspace_resource_id: Option<String>,
}

impl AzureHeaders {
    pub fn new(
        provider: &'static str,
        cfg: &Config,
        inner: CachedTokenSource,
        management: Option<CachedTokenSource>,
    ) -> Self {
        AzureHeaders {
            provider,
            inner,
            management,
            workspace_resource_id: cfg.azure_workspace_resource_id().map(str::to_owned),
        }
    }
}

impl fmt::Debug for AzureHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureHeaders")
            .field("provider", &self.provider)
            .field("inner", &self.inner)
            .field("management", &self.management)
            .field("workspace_resource_id", &self.workspace_resource_id)
            .finish()
    }
}

impl HeaderSource for AzureHeaders {
    fn headers(&self) -> BoxFuture<'_, Result<AuthHeaders, AuthError>> {
        Box::pin(async move {
            let name = self.provider;
            let prefix = |e: AuthError| e.map_message(|m| format!("{name}: {m}"));
            let token = self.inner.token().await.map_err(prefix)?;
            let mut headers = AuthHeaders::new().with("Authorization", token.authorization());
            if let Some(id) = &self.workspace_resource_id {
                headers = headers.with(WORKSPACE_RESOURCE_ID_HEADER, id);
            }
            if let Some(management) = &self.management {
                let token = management.token().await.map_err(prefix)?;
                headers = headers.with(MANAGEMENT_TOKEN_HEADER, token.access_token);
            }
            Ok(headers)
        })
    }
}
