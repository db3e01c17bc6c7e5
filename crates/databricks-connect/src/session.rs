//! `DatabricksSession`: the session builder users start from.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use spark_connect_dataframe::{SPARK_REMOTE_ENV, SparkSession};
use spark_connect_transport::{ConnectionString, Header};

/// An error while making a session.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection parameters are missing, malformed or contradictory.
    #[error("{0}")]
    Config(String),
    /// From the DataFrame layer or the transport beneath it.
    #[error(transparent)]
    Spark(#[from] spark_connect_dataframe::Error),
}

impl From<spark_connect_transport::ConnectionStringError> for Error {
    fn from(e: spark_connect_transport::ConnectionStringError) -> Self {
        Error::Spark(e.into())
    }
}

/// Makes [`SparkSession`]s the way Python's `databricks-connect` does.
///
/// Today it connects to a Spark Connect server named by [`remote`](DatabricksSessionBuilder::remote)
/// or by the `SPARK_REMOTE` environment variable.
pub struct DatabricksSession;

impl DatabricksSession {
    /// A builder.
    pub fn builder() -> DatabricksSessionBuilder {
        DatabricksSessionBuilder::default()
    }
}

/// Builds a session; see [`DatabricksSession`].
#[derive(Default, Clone)]
pub struct DatabricksSessionBuilder {
    remote: Option<String>,
    headers: Vec<(String, String)>,
    user_agent: Option<String>,
}

impl std::fmt::Debug for DatabricksSessionBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A remote may hold a token: show it parsed, which redacts it.
        let remote = self
            .remote
            .as_deref()
            .map(|r| match ConnectionString::parse_without_env(r) {
                Ok(c) => c.to_string(),
                Err(_) => "<unparsable>".to_string(),
            });
        f.debug_struct("DatabricksSessionBuilder")
            .field("remote", &remote)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

/// Sessions made by `get_or_create`, by the configuration that made them.
fn cache() -> &'static Mutex<HashMap<String, SparkSession>> {
    static CACHE: OnceLock<Mutex<HashMap<String, SparkSession>>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

impl DatabricksSessionBuilder {
    /// A full `sc://` connection string.
    pub fn remote(mut self, url: impl Into<String>) -> Self {
        self.remote = Some(url.into());
        self
    }

    /// A header sent with every request; may be called many times.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The application's part of the user agent, e.g. `"my-app/1.2"`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    fn resolve_remote(&self) -> Result<(String, &'static str), Error> {
        if let Some(remote) = &self.remote {
            return Ok((remote.clone(), "remote()"));
        }
        match std::env::var(SPARK_REMOTE_ENV) {
            Ok(url) if !url.is_empty() => Ok((url, SPARK_REMOTE_ENV)),
            _ => Err(Error::Config(
                "no Spark Connect server given: pass .remote(\"sc://host:port\") or set SPARK_REMOTE. \
                 Databricks workspace configuration (profiles, DATABRICKS_* variables) is not supported yet"
                    .to_string(),
            )),
        }
    }

    /// A new session, never a cached one.
    pub async fn create(self) -> Result<SparkSession, Error> {
        let (url, source) = self.resolve_remote()?;
        let conn = ConnectionString::parse(&url)?;
        tracing::info!(remote = %conn, source, "connection parameters");
        let headers = self.headers;
        let user_agent = self.user_agent;
        let session = SparkSession::builder()
            .remote(url)
            .configure_client(move |mut builder| {
                builder =
                    builder.product(concat!("databricks-connect-rs/", env!("CARGO_PKG_VERSION")));
                if let Some(ua) = user_agent {
                    builder = builder.user_agent(ua);
                }
                for (k, v) in headers {
                    builder = builder.header(Header::new(k, v));
                }
                builder
            })
            .build()
            .await?;
        Ok(session)
    }

    /// The session made earlier by `get_or_create` with the same configuration, or a new one.
    pub async fn get_or_create(self) -> Result<SparkSession, Error> {
        let (url, _) = self.resolve_remote()?;
        // The token may come from SPARK_CONNECT_AUTHENTICATE_TOKEN: key on the resolved one, so
        // a rotated token makes a new session. The key stays in memory and is never shown.
        let token = ConnectionString::parse(&url)?.token().map(str::to_string);
        let key = format!(
            "{url}\u{0}{token:?}\u{0}{:?}\u{0}{:?}",
            self.headers, self.user_agent
        );
        if let Some(session) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
            return Ok(session.clone());
        }
        let session = self.create().await?;
        let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
        // Two tasks may race to create: keep the first, so all callers share one session.
        Ok(cache.entry(key).or_insert(session).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn get_or_create_caches_by_configuration() {
        let a = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .get_or_create()
            .await
            .unwrap();
        let b = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .get_or_create()
            .await
            .unwrap();
        let c = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .header("x-a", "1")
            .get_or_create()
            .await
            .unwrap();
        let d = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .create()
            .await
            .unwrap();
        assert_eq!(a.session_id(), b.session_id());
        assert_ne!(a.session_id(), c.session_id());
        assert_ne!(a.session_id(), d.session_id());
    }

    #[tokio::test]
    async fn client_type_names_the_facade_and_the_user_agent() {
        let s = DatabricksSession::builder()
            .remote("sc://127.0.0.1:1")
            .user_agent("app/1")
            .create()
            .await
            .unwrap();
        let ct = s.client().client_type();
        assert!(ct.starts_with("app/1 databricks-connect-rs/"), "{ct}");
    }

    #[test]
    fn debug_redacts_tokens_in_the_remote() {
        let b = DatabricksSession::builder()
            .remote("sc://h/;token=s3cr3t")
            .header("authorization", "Bearer s3cr3t");
        let shown = format!("{b:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }

    #[tokio::test]
    async fn malformed_remote_is_a_clear_error() {
        let e = DatabricksSession::builder()
            .remote("http://h")
            .create()
            .await
            .unwrap_err();
        assert!(e.to_string().contains("'http://'"), "{e}");
    }
}
