use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;

use databricks_config::Config;
use serde_json::Value;

use super::azure::{AZURE_DATABRICKS_APP_ID, AzureHeaders, azure_management_endpoint};
use crate::error::{AuthError, AuthErrorKind};
use crate::headers::BoxFuture;
use crate::provider::{Configured, CredentialsProvider};
use crate::time::{from_unix_seconds, instant_of, parse_datetime};
use crate::token::{CachedTokenSource, Token, TokenSource};

const NAME: &str = "azure-cli";

/// `azure-cli`: Azure AD tokens of the Azure CLI's login (`az login`).
///
/// Applies to Azure Databricks configurations (an Azure host, or `azure_workspace_resource_id`)
/// when `az` is on `PATH` (of the configuration's environment) and logged in. Runs
/// `az account get-access-token --resource 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --output json`,
/// plus `--tenant <azure_tenant_id>` when the tenant is known; when it is not and
/// `azure_workspace_resource_id` names a subscription, `--subscription <id>` is tried first and
/// dropped if that fails, as the SDKs do. Reads `accessToken`, `tokenType` and `expires_on`
/// (Unix seconds), else `expiresOn` (`2024-03-20 10:30:00.123456`).
///
/// A token for the cloud's service management endpoint is also asked for; when the CLI gives
/// one it is sent as `X-Databricks-Azure-SP-Management-Token` (a user without access to the
/// management API gets none, as in the SDKs). `azure_workspace_resource_id` is sent as
/// `X-Databricks-Azure-Workspace-Resource-Id`.
///
/// Not applicable: not an Azure configuration, `az` not found, or a CLI that is not logged in
/// (its error mentions `No subscription found` or `az login`). Other failures are errors that
/// quote the CLI's stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct AzureCliCredentials;

impl CredentialsProvider for AzureCliCredentials {
    fn name(&self) -> &'static str {
        NAME
    }

    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>> {
        Box::pin(async move {
            if !cfg.is_azure() {
                return Ok(Configured::NotApplicable(
                    "not an Azure Databricks configuration".into(),
                ));
            }
            let Some(az) = find_az(cfg) else {
                return Ok(Configured::NotApplicable(
                    "Azure CLI (az) not found on PATH; most likely it is not installed".into(),
                ));
            };
            let env = (!cfg.env().is_process()).then(|| cfg.env().vars());
            let subscription = cfg.azure_workspace_resource_id().and_then(subscription_of);
            let source = |resource: &str| {
                Arc::new(AzCliTokenSource {
                    az: az.clone(),
                    env: env.clone(),
                    resource: resource.to_owned(),
                    tenant: cfg.azure_tenant_id().map(str::to_owned),
                    subscription: subscription.clone(),
                })
            };
            let inner = source(AZURE_DATABRICKS_APP_ID);
            let first = match inner.fetch().await {
                Ok(token) => token,
                Err(e) if *e.kind() == AuthErrorKind::NotConfigured => {
                    return Ok(Configured::NotApplicable(format!(
                        "the Azure CLI is not logged in: {}",
                        e.message()
                    )));
                }
                Err(e) => return Err(e),
            };
            if cfg.host().is_none() {
                return Err(AuthError::provider(
                    NAME,
                    AuthErrorKind::Misconfigured,
                    "resolve host: host is not set; finding the workspace URL from azure_workspace_resource_id is not supported by this client",
                ));
            }
            let management = source(azure_management_endpoint(cfg.azure_cloud()));
            let management = match management.fetch().await {
                Ok(token) => Some(CachedTokenSource::new(management, Some(token))),
                Err(e) => {
                    tracing::debug!(error = %e, "not including the service management token in headers");
                    None
                }
            };
            let inner = CachedTokenSource::new(inner, Some(first));
            Ok(Configured::Headers(Arc::new(AzureHeaders::new(
                NAME, cfg, inner, management,
            ))))
        })
    }
}

/// The subscription of `/subscriptions/<id>/resourceGroups/…`.
fn subscription_of(resource_id: &str) -> Option<String> {
    let id = resource_id.split('/').nth(2)?;
    (!id.is_empty()).then(|| id.to_owned())
}

fn find_az(cfg: &Config) -> Option<PathBuf> {
    let path = cfg.env().var("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| {
            let mut v = vec![dir.join("az")];
            if cfg!(windows) {
                v.push(dir.join("az.cmd"));
            }
            v
        })
        .find(|p| p.is_file())
}

struct AzCliTokenSource {
    az: PathBuf,
    env: Option<BTreeMap<String, String>>,
    resource: String,
    tenant: Option<String>,
    subscription: Option<String>,
}

impl fmt::Debug for AzCliTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzCliTokenSource")
            .field("az", &self.az)
            .field("resource", &self.resource)
            .field("tenant", &self.tenant)
            .field("subscription", &self.subscription)
            .finish()
    }
}

impl AzCliTokenSource {
    async fn fetch(&self) -> Result<Token, AuthError> {
        let mut args: Vec<&str> = vec![
            "account",
            "get-access-token",
            "--resource",
            &self.resource,
            "--output",
            "json",
        ];
        if let Some(tenant) = &self.tenant {
            args.extend(["--tenant", tenant]);
        }
        let mut output = None;
        if let (Some(subscription), None) = (&self.subscription, &self.tenant) {
            // Fails when the user may use the workspace but not see its subscription.
            let mut with_subscription = args.clone();
            with_subscription.extend(["--subscription", subscription]);
            match self.run(&with_subscription).await {
                Ok(out) => output = Some(out),
                Err(e) => {
                    tracing::debug!(error = %e, "token for the subscription failed; trying without")
                }
            }
        }
        let output = match output {
            Some(out) => out,
            None => self.run(&args).await?,
        };
        parse_az_token(&output)
    }

    async fn run(&self, args: &[&str]) -> Result<Vec<u8>, AuthError> {
        let mut command = tokio::process::Command::new(&self.az);
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(env) = &self.env {
            command.env_clear().envs(env);
        }
        let output = super::cli::run(NAME, &self.az, &mut command).await?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            // The CLI's only account of why is its text; this is where it is read, once, into
            // a kind: not logged in means the next provider is tried, as the SDKs do.
            let kind = if stderr.contains("No subscription found") || stderr.contains("az login") {
                AuthErrorKind::NotConfigured
            } else {
                AuthErrorKind::Refused
            };
            return Err(AuthError::provider(
                NAME,
                kind,
                format!("cannot get access token: {}", stderr.trim()),
            ));
        }
        Ok(output.stdout)
    }
}

/// Reads `az account get-access-token --output json`.
pub(crate) fn parse_az_token(output: &[u8]) -> Result<Token, AuthError> {
    parse_az_json(output).map_err(|what| {
        AuthError::provider(
            NAME,
            AuthErrorKind::InvalidResponse,
            format!("cannot unmarshal CLI result: {what}"),
        )
    })
}

fn parse_az_json(output: &[u8]) -> Result<Token, String> {
    const EXPECTED: &str = "expected a JSON object with \"accessToken\", \"tokenType\" and \"expiresOn\" or \"expires_on\"";
    let json: Value =
        serde_json::from_slice(output).map_err(|_| format!("not JSON: {EXPECTED}"))?;
    let access_token = json
        .get("accessToken")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| format!("no \"accessToken\": {EXPECTED}"))?;
    let token_type = json
        .get("tokenType")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .unwrap_or("Bearer");
    let expires_at = match json.get("expires_on") {
        Some(Value::Number(n)) => n.as_i64().map(from_unix_seconds),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok().map(from_unix_seconds),
        _ => None,
    };
    let expires_at = match expires_at {
        Some(at) => at,
        None => {
            let text = json
                .get("expiresOn")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("no expiry: {EXPECTED}"))?;
            // The CLI writes local time without an offset; see docs/authentication.md.
            parse_datetime(text).ok_or_else(|| {
                format!("cannot parse expiry {text:?}: expected \"YYYY-MM-DD HH:MM:SS[.ffffff]\"")
            })?
        }
    };
    let mut token = Token::bearer(access_token, None);
    token.token_type = token_type.to_owned();
    token.expires_at = Some(instant_of(expires_at));
    Ok(token)
}

impl TokenSource for AzCliTokenSource {
    fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>> {
        Box::pin(self.fetch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn az_output() {
        let t = parse_az_token(
            br#"{"accessToken":"a","expiresOn":"2999-01-01 10:00:00.123456","tokenType":"Bearer"}"#,
        )
        .unwrap();
        assert_eq!(t.authorization(), "Bearer a");
        let t = parse_az_token(
            br#"{"accessToken":"a","expiresOn":"bad","expires_on":32503680000,"tokenType":"Bearer"}"#,
        )
        .unwrap();
        assert!(t.expires_at.is_some());
        for bad in [
            &b"not json"[..],
            br#"[]"#,
            br#"{"accessToken":"","expiresOn":"2999-01-01 10:00:00"}"#,
            br#"{"accessToken":"a"}"#,
            br#"{"accessToken":"a","expiresOn":"tomorrow"}"#,
        ] {
            let e = parse_az_token(bad).unwrap_err();
            assert_eq!(e.kind(), &AuthErrorKind::InvalidResponse);
            assert!(e.message().contains("expected"), "{e}");
        }
        assert!(
            !parse_az_token(br#"{"accessToken":"sekret"}"#)
                .unwrap_err()
                .to_string()
                .contains("sekret")
        );
    }

    #[test]
    fn subscriptions() {
        assert_eq!(
            subscription_of("/subscriptions/abc/resourceGroups/rg/providers/x/workspaces/w")
                .as_deref(),
            Some("abc")
        );
        assert_eq!(subscription_of("/x"), None);
    }
}
