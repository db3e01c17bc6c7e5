//! The credentials provider trait and the default chain.

use std::fmt;
use std::sync::Arc;

use databricks_config::Config;

use crate::error::{AuthError, AuthErrorKind};
use crate::headers::{BoxFuture, HeaderSource};

/// What a provider made of a configuration.
pub enum Configured {
    /// The provider applies: use this header source.
    Headers(Arc<dyn HeaderSource>),
    /// The provider does not apply (its attributes are not set, its tool is not installed):
    /// try the next one. The text says why, for logs and `auth describe`.
    NotApplicable(String),
}

impl fmt::Debug for Configured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Configured::Headers(h) => f.debug_tuple("Headers").field(h).finish(),
            Configured::NotApplicable(why) => f.debug_tuple("NotApplicable").field(why).finish(),
        }
    }
}

/// One authentication method, such as `pat` or `oauth-m2m`.
///
/// `configure` looks at a resolved [`Config`] and either returns a header source, says the
/// method does not apply ([`Configured::NotApplicable`], the chain goes on), or fails (the chain
/// stops: the method applies but is misconfigured or its credentials are rejected).
pub trait CredentialsProvider: Send + Sync {
    /// The auth type name, as in `auth_type` (`pat`, `basic`, `oauth-m2m`, ...).
    fn name(&self) -> &'static str;

    /// Sets up credentials for `cfg`.
    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>>;
}

/// Credentials resolved for a configuration: the auth type that worked and its header source.
#[derive(Clone)]
pub struct Credentials {
    auth_type: &'static str,
    headers: Arc<dyn HeaderSource>,
}

impl Credentials {
    /// The auth type that worked (`pat`, `oauth-m2m`, ...).
    pub fn auth_type(&self) -> &'static str {
        self.auth_type
    }

    /// The header source to ask on every request.
    pub fn header_source(&self) -> Arc<dyn HeaderSource> {
        self.headers.clone()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("auth_type", &self.auth_type)
            .field("headers", &self.headers)
            .finish()
    }
}

/// The link to the SDKs' documentation that their "no credentials" error gives.
pub const AUTH_DOCS_URL: &str =
    "https://docs.databricks.com/en/dev-tools/auth.html#databricks-client-unified-authentication";

/// Auth types of the Databricks SDKs' chain that this client does not implement yet. Forcing one
/// with `auth_type` fails with a "not implemented yet" error instead of "unknown".
pub const NOT_YET_IMPLEMENTED: &[&str] = &[
    "azure-msi",
    "github-oidc",
    "github-oidc-azure",
    "azure-devops-oidc",
    "google-credentials",
    "google-id",
    "runtime",
    "model-serving",
];

/// An ordered list of providers: the first that applies wins.
///
/// When `auth_type` is set only that provider is tried and its failure is reported. Errors
/// follow the SDKs: `default auth: <provider>: <error>. Config: … . Env: …`, and when nothing
/// applies `default auth: cannot configure default credentials, please check <docs> to
/// configure credentials for your preferred authentication method. Config: … . Env: …`.
pub struct CredentialsChain {
    providers: Vec<Box<dyn CredentialsProvider>>,
}

impl fmt::Debug for CredentialsChain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.providers.iter().map(|p| p.name()))
            .finish()
    }
}

impl CredentialsChain {
    /// The default chain with this `external-browser` provider (another port, browser opener
    /// or token cache file) in its place.
    pub fn with_external_browser(
        external_browser: crate::providers::ExternalBrowserCredentials,
    ) -> Self {
        let mut chain = CredentialsChain::default();
        for p in &mut chain.providers {
            if p.name() == external_browser.name() {
                *p = Box::new(external_browser);
                break;
            }
        }
        chain
    }
}

impl Default for CredentialsChain {
    /// The Python SDK's order, limited to the providers this client implements: `pat`, `basic`,
    /// `metadata-service`, `oauth-m2m`, `env-oidc`, `file-oidc`, `azure-client-secret`,
    /// `azure-cli`, `external-browser` (only when forced), `databricks-cli`.
    fn default() -> Self {
        use crate::providers::*;
        CredentialsChain::new(vec![
            Box::new(PatCredentials),
            Box::new(BasicCredentials),
            Box::new(MetadataServiceCredentials::default()),
            Box::new(OAuthM2mCredentials::default()),
            Box::new(EnvOidcCredentials),
            Box::new(FileOidcCredentials),
            Box::new(AzureClientSecretCredentials::default()),
            Box::new(AzureCliCredentials),
            Box::new(ExternalBrowserCredentials::default()),
            Box::new(DatabricksCliCredentials),
        ])
    }
}

impl CredentialsChain {
    /// A chain of these providers, tried in order.
    pub fn new(providers: Vec<Box<dyn CredentialsProvider>>) -> Self {
        CredentialsChain { providers }
    }

    /// The providers' names, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.providers.iter().map(|p| p.name()).collect()
    }

    /// Finds credentials for `cfg`.
    pub async fn resolve(&self, cfg: &Config) -> Result<Credentials, AuthError> {
        let wrap =
            |e: AuthError| e.map_message(|m| cfg.wrap_message(&format!("default auth: {m}")));
        let forced = cfg.auth_type();
        if let Some(forced) = forced
            && !self.providers.iter().any(|p| p.name() == forced)
        {
            let known = self.names().join(", ");
            let (kind, why) = if NOT_YET_IMPLEMENTED.contains(&forced) {
                (
                    AuthErrorKind::NotImplemented,
                    format!(
                        "auth_type {forced} is not implemented yet in this client; implemented: {known}"
                    ),
                )
            } else {
                (
                    AuthErrorKind::UnknownAuthType,
                    format!(
                        "auth_type {forced:?} is not a known authentication type: expected one of {known}"
                    ),
                )
            };
            return Err(wrap(AuthError::new(kind, why)));
        }
        let mut attempts = Vec::new();
        for provider in &self.providers {
            let name = provider.name();
            if forced.is_some_and(|f| f != name) {
                continue;
            }
            let span = tracing::debug_span!("auth provider", provider = name);
            let _entered = span.enter();
            match provider.configure(cfg).await {
                Ok(Configured::Headers(headers)) => {
                    tracing::debug!(provider = name, "configured");
                    return Ok(Credentials {
                        auth_type: name,
                        headers,
                    });
                }
                Ok(Configured::NotApplicable(why)) => {
                    tracing::debug!(provider = name, reason = %why, "not applicable");
                    attempts.push((name.to_owned(), why));
                }
                Err(e) => {
                    let e = match e.provider_name() {
                        Some(_) => e,
                        None => e.with_provider(name),
                    };
                    return Err(wrap(e.map_message(|m| format!("{name}: {m}"))));
                }
            }
        }
        // The SDKs' text, also when a forced provider does not apply; the reasons are kept in
        // the error kind and the debug log.
        let message = format!(
            "cannot configure default credentials, please check {AUTH_DOCS_URL} to configure credentials for your preferred authentication method"
        );
        Err(wrap(AuthError::new(
            AuthErrorKind::NoCredentials { attempts },
            message,
        )))
    }
}

/// Finds credentials for `cfg` with the default chain.
///
/// ```
/// use databricks_auth::resolve;
/// use databricks_config::{Config, Environment};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let cfg = Config::builder()
///     .host("https://dbc-123.cloud.databricks.com")
///     .token("dapi-example")
///     .env(Environment::from_map::<_, String, String>([]))
///     .build()?;
/// let credentials = resolve(&cfg).await?;
/// assert_eq!(credentials.auth_type(), "pat");
/// let headers = credentials.header_source().headers().await?;
/// assert_eq!(headers.get("Authorization"), Some("Bearer dapi-example"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
pub async fn resolve(cfg: &Config) -> Result<Credentials, AuthError> {
    CredentialsChain::default().resolve(cfg).await
}
