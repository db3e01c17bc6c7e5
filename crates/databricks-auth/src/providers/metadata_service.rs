use std::fmt;
use std::sync::Arc;

use databricks_config::Config;
use serde_json::Value;

use crate::error::{AuthError, AuthErrorKind};
use crate::headers::BoxFuture;
use crate::http;
use crate::provider::{Configured, CredentialsProvider};
use crate::time::{from_unix_seconds, instant_of};
use crate::token::{CachedTokenSource, Token, TokenHeaderSource, TokenSource};

const NAME: &str = "metadata-service";

/// `metadata-service`: tokens from a local metadata service (the Databricks IDE extensions run
/// one for the processes they start).
///
/// Applies when `host` and `metadata_service_url` are set. The URL must point at `localhost` or
/// `127.0.0.1`. Each token is a `GET` of the URL with `X-Databricks-Metadata-Version: 1` and
/// `X-Databricks-Host: <host>`; the answer is `{"access_token", "token_type", "expires_on"}`
/// with `expires_on` in Unix seconds. A 404 means the service does not serve this host: not
/// applicable. The URL is a secret (its path authenticates the caller) and is never printed.
#[derive(Debug, Clone, Default)]
pub struct MetadataServiceCredentials {
    _private: (),
}

impl CredentialsProvider for MetadataServiceCredentials {
    fn name(&self) -> &'static str {
        NAME
    }

    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>> {
        Box::pin(async move {
            let (Some(host), Some(url)) = (cfg.host(), cfg.metadata_service_url()) else {
                return Ok(Configured::NotApplicable(
                    "host and metadata_service_url are not both set".into(),
                ));
            };
            if !is_loopback_url(url) {
                return Err(AuthError::provider(
                    NAME,
                    AuthErrorKind::Misconfigured,
                    "invalid auth server URL: metadata_service_url must be an http(s) URL on localhost or 127.0.0.1",
                ));
            }
            let source = Arc::new(MetadataService {
                client: http::client(cfg, NAME)?,
                url: url.to_owned(),
                host: host.to_owned(),
            });
            let Some(first) = source.fetch().await? else {
                return Ok(Configured::NotApplicable(
                    "the metadata service answered 404 for this host".into(),
                ));
            };
            let tokens = CachedTokenSource::new(source, Some(first));
            Ok(Configured::Headers(Arc::new(TokenHeaderSource::new(
                tokens,
            ))))
        })
    }
}

fn is_loopback_url(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let host = match authority.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => authority,
    };
    host == "localhost" || host == "127.0.0.1"
}

struct MetadataService {
    client: crate::RestClient,
    url: String,
    host: String,
}

impl fmt::Debug for MetadataService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataService")
            .field("url", &"***")
            .field("host", &self.host)
            .finish()
    }
}

impl MetadataService {
    /// `Ok(None)` on 404.
    async fn fetch(&self) -> Result<Option<Token>, AuthError> {
        let request = self
            .client
            .get(&self.url)
            .header("X-Databricks-Metadata-Version", "1")
            .header("X-Databricks-Host", &self.host);
        let response = http::send(&self.client, request, "the metadata service", NAME).await?;
        if response.status == 404 {
            return Ok(None);
        }
        if !(200..300).contains(&response.status) {
            return Err(AuthError::provider(
                NAME,
                http::status_kind(response.status),
                format!(
                    "token error: the metadata service answered HTTP {}",
                    response.status
                ),
            ));
        }
        let bad = |what: &str| {
            AuthError::provider(
                NAME,
                AuthErrorKind::InvalidResponse,
                format!("token parse: {what}"),
            )
        };
        let json = response
            .json()
            .ok_or_else(|| bad("the answer is not JSON: expected {\"access_token\", \"token_type\", \"expires_on\"}"))?;
        let mut token = http::parse_token_json(&json).map_err(|what| bad(&what))?;
        let expires_on = match json.get("expires_on") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        }
        .ok_or_else(|| bad("expected \"expires_on\" as Unix seconds"))?;
        token.expires_at = Some(instant_of(from_unix_seconds(expires_on)));
        Ok(Some(token))
    }
}

impl TokenSource for MetadataService {
    fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>> {
        Box::pin(async move {
            self.fetch().await?.ok_or_else(|| {
                AuthError::provider(
                    NAME,
                    AuthErrorKind::Refused,
                    "no token returned from metadata service",
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback_url;

    #[test]
    fn loopback_only() {
        assert!(is_loopback_url("http://127.0.0.1:1234/abc"));
        assert!(is_loopback_url("http://localhost/abc"));
        assert!(is_loopback_url("https://localhost:8443"));
        assert!(!is_loopback_url("http://10.0.0.1/abc"));
        assert!(!is_loopback_url("http://localhost.evil.com/abc"));
        assert!(!is_loopback_url("http://user@127.0.0.1/"));
        assert!(!is_loopback_url("ftp://127.0.0.1/"));
        assert!(!is_loopback_url("http://127.0.0.1.nip.io/"));
    }
}
