use std::sync::Arc;

use base64::Engine as _;
use databricks_config::Config;

use crate::error::AuthError;
use crate::headers::{AuthHeaders, BoxFuture, StaticHeaders};
use crate::provider::{Configured, CredentialsProvider};

/// `basic`: user name and password, sent as `Authorization: Basic base64(user:password)`.
/// Applies when `host`, `username` and `password` are set.
#[derive(Debug, Clone, Copy, Default)]
pub struct BasicCredentials;

impl CredentialsProvider for BasicCredentials {
    fn name(&self) -> &'static str {
        "basic"
    }

    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>> {
        Box::pin(async move {
            let (Some(_host), Some(user), Some(password)) =
                (cfg.host(), cfg.username(), cfg.password())
            else {
                return Ok(Configured::NotApplicable(
                    "host, username and password are not all set".into(),
                ));
            };
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            let headers = AuthHeaders::new().with("Authorization", format!("Basic {encoded}"));
            Ok(Configured::Headers(Arc::new(StaticHeaders::new(headers))))
        })
    }
}
