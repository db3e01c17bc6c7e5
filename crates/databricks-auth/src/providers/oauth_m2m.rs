use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use databricks_config::Config;
use serde_json::Value;

use crate::error::{AuthError, AuthErrorKind};
use crate::headers::BoxFuture;
use crate::http;
use crate::provider::{Configured, CredentialsProvider};
use crate::token::{CachedTokenSource, Token, TokenHeaderSource, TokenSource};

const NAME: &str = "oauth-m2m";

/// A Databricks OAuth authorization server's endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcEndpoints {
    /// Where the browser is sent to log in (U2M).
    pub authorization_endpoint: String,
    /// Where codes, refresh tokens and client credentials are exchanged for tokens.
    pub token_endpoint: String,
}

/// The OAuth endpoints of `cfg`'s host.
///
/// Account consoles (`https://accounts.…` with `account_id`) use
/// `{host}/oidc/accounts/{account_id}/v1/{authorize,token}`. Workspaces are discovered at
/// `{host}/oidc/.well-known/oauth-authorization-server`; a 404 there means the host has no
/// Databricks OAuth: `databricks OAuth is not supported for this host`.
pub async fn oidc_endpoints(
    cfg: &Config,
    client: &crate::RestClient,
    provider: &str,
) -> Result<OidcEndpoints, AuthError> {
    let host = cfg.host().ok_or_else(|| {
        AuthError::provider(
            provider,
            AuthErrorKind::Misconfigured,
            "oidc: host is not set",
        )
    })?;
    if cfg.is_account_host() {
        let account = cfg.account_id().ok_or_else(|| {
            AuthError::provider(
                provider,
                AuthErrorKind::Misconfigured,
                "oidc: account_id is not set: an account console host needs it for its OAuth endpoints",
            )
        })?;
        return Ok(OidcEndpoints {
            authorization_endpoint: format!("{host}/oidc/accounts/{account}/v1/authorize"),
            token_endpoint: format!("{host}/oidc/accounts/{account}/v1/token"),
        });
    }
    let url = format!("{host}/oidc/.well-known/oauth-authorization-server");
    let response = http::send(client, client.get(&url), &url, provider)
        .await
        .map_err(|e| e.map_message(|m| format!("oidc: {m}")))?;
    if response.status == 404 {
        return Err(AuthError::provider(
            provider,
            AuthErrorKind::Misconfigured,
            "oidc: databricks OAuth is not supported for this host",
        ));
    }
    if !(200..300).contains(&response.status) {
        return Err(AuthError::provider(
            provider,
            http::status_kind(response.status),
            format!("oidc: discovery at {url} failed: HTTP {}", response.status),
        ));
    }
    let field = |json: &Value, name: &str| {
        json.get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let endpoints = response
        .json()
        .and_then(|json| {
            Some(OidcEndpoints {
                authorization_endpoint: field(&json, "authorization_endpoint")?,
                token_endpoint: field(&json, "token_endpoint")?,
            })
        })
        .ok_or_else(|| {
            AuthError::provider(
                provider,
                AuthErrorKind::InvalidResponse,
                format!(
                    "oidc: discovery response of {url}: expected a JSON object with \"authorization_endpoint\" and \"token_endpoint\" strings"
                ),
            )
        })?;
    http::check_secure_endpoint(&endpoints.token_endpoint, provider)?;
    http::check_secure_endpoint(&endpoints.authorization_endpoint, provider)?;
    Ok(endpoints)
}

/// `oauth-m2m`: a service principal's OAuth client credentials.
///
/// Applies when `host`, `client_id` and `client_secret` are set. Discovers the token endpoint
/// ([`oidc_endpoints`]), then runs the client credentials grant with HTTP Basic client
/// authentication and scope `scopes` (default `all-apis`). The first token is fetched while
/// configuring, so that rejected credentials fail at once; later tokens are refreshed by a
/// [`CachedTokenSource`].
#[derive(Debug, Clone, Default)]
pub struct OAuthM2mCredentials {
    _private: (),
}

impl CredentialsProvider for OAuthM2mCredentials {
    fn name(&self) -> &'static str {
        NAME
    }

    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>> {
        Box::pin(async move {
            let (Some(_), Some(client_id), Some(client_secret)) =
                (cfg.host(), cfg.client_id(), cfg.client_secret())
            else {
                return Ok(Configured::NotApplicable(
                    "host, client_id and client_secret are not all set".into(),
                ));
            };
            let client = http::client(cfg, NAME)?;
            let endpoints = oidc_endpoints(cfg, &client, NAME).await?;
            let source = Arc::new(ClientCredentials {
                client,
                token_endpoint: endpoints.token_endpoint,
                client_id: client_id.to_owned(),
                client_secret: client_secret.to_owned(),
                scope: cfg.scopes_or_default().join(" "),
            });
            let first = source.fetch().await?;
            let tokens = CachedTokenSource::new(source, Some(first));
            Ok(Configured::Headers(Arc::new(TokenHeaderSource::new(
                tokens,
            ))))
        })
    }
}

struct ClientCredentials {
    client: crate::RestClient,
    token_endpoint: String,
    client_id: String,
    client_secret: String,
    scope: String,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_endpoint", &self.token_endpoint)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .finish()
    }
}

impl ClientCredentials {
    async fn fetch(&self) -> Result<Token, AuthError> {
        // RFC 6749 section 2.3.1: id and secret are form-encoded before Basic encoding.
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            http::form_component(&self.client_id),
            http::form_component(&self.client_secret)
        ));
        let request = self
            .client
            .post(&self.token_endpoint)
            .header("Authorization", format!("Basic {basic}"))
            .header("Accept", "application/json")
            .form(&[("grant_type", "client_credentials"), ("scope", &self.scope)]);
        let response = http::send(&self.client, request, &self.token_endpoint, NAME).await?;
        http::token_response(&response, &self.token_endpoint, NAME)
    }
}

impl TokenSource for ClientCredentials {
    fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>> {
        Box::pin(self.fetch())
    }
}
