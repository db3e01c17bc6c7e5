use std::sync::Arc;

use databricks_config::Config;

use crate::error::AuthError;
use crate::headers::{AuthHeaders, BoxFuture, StaticHeaders};
use crate::provider::{Configured, CredentialsProvider};

/// `pat`: a personal access token, sent as `Authorization: Bearer <token>`. Applies when `host`
/// and `token` are set.
#[derive(Debug, Clone, Copy, Default)]
pub struct PatCredentials;

impl CredentialsProvider for PatCredentials {
    fn name(&self) -> &'static str {
        "pat"
    }

    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>> {
        Box::pin(async move {
            let (Some(_host), Some(token)) = (cfg.host(), cfg.token()) else {
                return Ok(Configured::NotApplicable(
                    "host and token are not both set".into(),
                ));
            };
            let headers = AuthHeaders::new().with("Authorization", format!("Bearer {token}"));
            Ok(Configured::Headers(Arc::new(StaticHeaders::new(headers))))
        })
    }
}
