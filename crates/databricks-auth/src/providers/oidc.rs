use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use databricks_config::Config;

use super::oauth_m2m::oidc_endpoints;
use crate::error::{AuthError, AuthErrorKind};
use crate::headers::BoxFuture;
use crate::http;
use crate::provider::{Configured, CredentialsProvider};
use crate::token::{CachedTokenSource, Token, TokenHeaderSource, TokenSource};

/// The variable `env-oidc` reads when `oidc_token_env` is not set.
pub const DEFAULT_OIDC_TOKEN_ENV: &str = "DATABRICKS_OIDC_TOKEN";

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";

/// `env-oidc`: an OIDC ID token (a JWT from a CI system or another identity provider) read
/// from an environment variable and exchanged for a Databricks token (workload identity
/// federation).
///
/// Applies when `host` is set and the variable named by `oidc_token_env` (default
/// `DATABRICKS_OIDC_TOKEN`) is non-empty in the configuration's environment. The exchange: a
/// `POST` to the host's OIDC token endpoint (see
/// [`oidc_endpoints`]) with `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`,
/// `subject_token_type=urn:ietf:params:oauth:token-type:jwt`, `subject_token=<the ID token>`,
/// `scope` (`scopes`, default `all-apis`) and `client_id` when set (a service principal's
/// federation policy; without it, an account-wide policy). The variable is read again on every
/// refresh.
#[derive(Debug, Clone, Copy, Default)]
pub struct EnvOidcCredentials;

/// `file-oidc`: as [`EnvOidcCredentials`], with the ID token read from the file
/// `oidc_token_filepath` (re-read on every refresh, so a rotated token is picked up).
///
/// Applies when `host` and `oidc_token_filepath` are set and the file holds a token; a missing
/// or empty file is not applicable, as in the SDKs.
#[derive(Debug, Clone, Copy, Default)]
pub struct FileOidcCredentials;

impl CredentialsProvider for EnvOidcCredentials {
    fn name(&self) -> &'static str {
        "env-oidc"
    }

    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>> {
        let var = cfg
            .oidc_token_env()
            .unwrap_or(DEFAULT_OIDC_TOKEN_ENV)
            .to_owned();
        Box::pin(configure(cfg, "env-oidc", IdTokenSource::Env(var)))
    }
}

impl CredentialsProvider for FileOidcCredentials {
    fn name(&self) -> &'static str {
        "file-oidc"
    }

    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>> {
        Box::pin(async move {
            let Some(path) = cfg.oidc_token_filepath() else {
                return Ok(Configured::NotApplicable(
                    "oidc_token_filepath is not set".into(),
                ));
            };
            let path = cfg
                .env()
                .expand_tilde(path)
                .unwrap_or_else(|| PathBuf::from(path));
            configure(cfg, "file-oidc", IdTokenSource::File(path)).await
        })
    }
}

#[derive(Debug, Clone)]
enum IdTokenSource {
    /// The variable's name (the value is the secret, never kept here).
    Env(String),
    File(PathBuf),
}

impl IdTokenSource {
    /// The ID token, or why there is none.
    fn read(&self, cfg_env: &databricks_config::Environment) -> Result<String, String> {
        match self {
            IdTokenSource::Env(var) => cfg_env
                .var(var)
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty())
                .ok_or_else(|| format!("environment variable {var} is not set")),
            IdTokenSource::File(path) => match std::fs::read_to_string(path) {
                Ok(text) if !text.trim().is_empty() => Ok(text.trim().to_owned()),
                Ok(_) => Err(format!("file {} is empty", path.display())),
                Err(e) => Err(format!("cannot read file {}: {e}", path.display())),
            },
        }
    }
}

async fn configure(
    cfg: &Config,
    name: &'static str,
    id_tokens: IdTokenSource,
) -> Result<Configured, AuthError> {
    if cfg.host().is_none() {
        return Ok(Configured::NotApplicable("host is not set".into()));
    }
    if let Err(why) = id_tokens.read(cfg.env()) {
        return Ok(Configured::NotApplicable(why));
    }
    let client = http::client(cfg, name)?;
    let endpoints = oidc_endpoints(cfg, &client, name).await?;
    let source = Arc::new(TokenExchange {
        name,
        client,
        token_endpoint: endpoints.token_endpoint,
        client_id: cfg.client_id().map(str::to_owned),
        scope: cfg.scopes_or_default().join(" "),
        id_tokens,
        env: cfg.env().clone(),
    });
    let first = source.fetch().await?;
    let tokens = CachedTokenSource::new(source, Some(first));
    Ok(Configured::Headers(Arc::new(TokenHeaderSource::new(
        tokens,
    ))))
}

struct TokenExchange {
    name: &'static str,
    client: crate::RestClient,
    token_endpoint: String,
    client_id: Option<String>,
    scope: String,
    id_tokens: IdTokenSource,
    env: databricks_config::Environment,
}

impl fmt::Debug for TokenExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenExchange")
            .field("name", &self.name)
            .field("token_endpoint", &self.token_endpoint)
            .field("client_id", &self.client_id)
            .field("id_tokens", &self.id_tokens)
            .finish_non_exhaustive()
    }
}

impl TokenExchange {
    async fn fetch(&self) -> Result<Token, AuthError> {
        let id_token = self.id_tokens.read(&self.env).map_err(|why| {
            AuthError::provider(
                self.name,
                AuthErrorKind::Misconfigured,
                format!("no OIDC ID token: {why}"),
            )
        })?;
        let mut pairs = vec![
            ("grant_type", TOKEN_EXCHANGE),
            ("subject_token_type", JWT_TOKEN_TYPE),
            ("subject_token", id_token.as_str()),
            ("scope", self.scope.as_str()),
        ];
        if let Some(id) = &self.client_id {
            pairs.push(("client_id", id));
        }
        let request = self
            .client
            .post(&self.token_endpoint)
            .header("Accept", "application/json")
            .form(&pairs);
        let response = http::send(&self.client, request, &self.token_endpoint, self.name).await?;
        http::token_response(&response, &self.token_endpoint, self.name)
    }
}

impl TokenSource for TokenExchange {
    fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>> {
        Box::pin(self.fetch())
    }
}
