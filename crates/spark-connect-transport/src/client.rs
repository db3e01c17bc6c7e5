//! The gRPC client: one lazily connected channel per client, session identity on every request,
//! static and per-call metadata, and response checks.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use spark_connect_proto::spark::connect as pb;
use tonic::metadata::{Ascii, MetadataKey, MetadataValue};
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint};

use crate::ConnectionString;
use crate::error::{BoxError, Error, ServerError};

/// The gRPC client generated from the protocol.
type GrpcClient = pb::spark_connect_service_client::SparkConnectServiceClient<Channel>;

/// The user agent sent when neither the connection string nor the builder names one.
pub const DEFAULT_USER_AGENT: &str = "_SPARK_CONNECT_RUST";

/// One request header. Sensitive values (credentials) are never shown by `Debug` and are
/// marked sensitive for the HTTP/2 layer so that they are not indexed or logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    name: String,
    value: String,
    sensitive: bool,
}

impl Header {
    /// A header. Its value is treated as a secret when the name looks like a credential
    /// (`authorization`, `cookie`, or a name containing `token`, `secret`, `password`, `key`,
    /// `credential` or `auth`); otherwise it may be shown in logs.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Header {
        let name = name.into().to_ascii_lowercase();
        Header {
            sensitive: crate::connection_string::is_secret_key(&name),
            name,
            value: value.into(),
        }
    }

    /// A header whose value is a secret, such as `authorization`.
    pub fn sensitive(name: impl Into<String>, value: impl Into<String>) -> Header {
        Header {
            sensitive: true,
            ..Header::new(name, value)
        }
    }

    /// An `authorization: Bearer <token>` header.
    pub fn bearer(token: &str) -> Header {
        Header::sensitive("authorization", format!("Bearer {token}"))
    }

    /// The lower-case name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the value is a secret.
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }

    fn to_metadata(&self) -> Result<(MetadataKey<Ascii>, MetadataValue<Ascii>), String> {
        let key = MetadataKey::from_bytes(self.name.as_bytes())
            .map_err(|_| format!("'{}' is not a valid gRPC metadata key", self.name))?;
        let mut value = MetadataValue::try_from(self.value.as_str()).map_err(|_| {
            if self.sensitive {
                format!("the value of '{}' is not visible ASCII", self.name)
            } else {
                format!(
                    "the value '{}' of '{}' is not visible ASCII",
                    self.value, self.name
                )
            }
        })?;
        value.set_sensitive(self.sensitive);
        Ok((key, value))
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = if self.sensitive { &"***" } else { &self.value };
        f.debug_tuple("Header")
            .field(&self.name)
            .field(value)
            .finish()
    }
}

/// A future returned by a [`HeaderSource`].
pub type HeadersFuture<'a> =
    Pin<Box<dyn Future<Output = Result<Vec<Header>, BoxError>> + Send + 'a>>;

/// Produces request headers before every call: the hook through which authentication adds a
/// fresh `authorization` header (OAuth tokens refresh without reconnecting).
///
/// ```
/// use spark_connect_transport::{Header, HeaderSource, HeadersFuture};
///
/// struct FixedToken(String);
///
/// impl HeaderSource for FixedToken {
///     fn headers(&self) -> HeadersFuture<'_> {
///         Box::pin(async move { Ok(vec![Header::bearer(&self.0)]) })
///     }
/// }
/// ```
pub trait HeaderSource: Send + Sync {
    /// The headers for the next request.
    fn headers(&self) -> HeadersFuture<'_>;
}

/// Builds a [`SparkConnectClient`].
pub struct ClientBuilder {
    conn: ConnectionString,
    header_source: Option<Arc<dyn HeaderSource>>,
    headers: Vec<Header>,
    root_certificates: Vec<Vec<u8>>,
    user_agent: Option<String>,
    products: Vec<String>,
    connect_timeout: Duration,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("conn", &self.conn)
            .field("header_source", &self.header_source.as_ref().map(|_| ".."))
            .field("headers", &self.headers)
            .field("root_certificates", &self.root_certificates.len())
            .field("user_agent", &self.user_agent)
            .field("products", &self.products)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder for the server that `conn` names.
    pub fn new(conn: ConnectionString) -> ClientBuilder {
        ClientBuilder {
            conn,
            header_source: None,
            headers: Vec::new(),
            root_certificates: Vec::new(),
            user_agent: None,
            products: Vec::new(),
            connect_timeout: Duration::from_secs(30),
        }
    }

    /// Asks `source` for headers before every call.
    pub fn header_source(mut self, source: Arc<dyn HeaderSource>) -> Self {
        self.header_source = Some(source);
        self
    }

    /// Sends `header` on every call (after the connection string's own metadata).
    pub fn header(mut self, header: Header) -> Self {
        self.headers.push(header);
        self
    }

    /// Trusts this PEM-encoded CA certificate (one or more) besides the platform's roots, for
    /// private deployments and test gateways. Used only when the channel uses TLS.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// The user's part of the user agent; overrides the connection string's `user_agent` and
    /// `SPARK_CONNECT_USER_AGENT`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Adds a `name/version` product to the user agent, after the user's part (a facade names
    /// itself this way).
    pub fn product(mut self, product: impl Into<String>) -> Self {
        self.products.push(product.into());
        self
    }

    /// How long connecting may take before a call fails (30 s unless set).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Makes the client. The channel connects lazily, on the first call.
    pub fn build(self) -> Result<SparkConnectClient, Error> {
        let conn = self.conn;
        let uri = conn.endpoint_uri();
        let channel_error = |message: String| Error::Channel {
            endpoint: uri.clone(),
            message,
        };
        let user_agent_part = self
            .user_agent
            .or_else(|| conn.user_agent().map(str::to_string))
            .or_else(|| {
                std::env::var("SPARK_CONNECT_USER_AGENT")
                    .ok()
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string());
        let mut client_type = user_agent_part;
        for product in &self.products {
            client_type.push(' ');
            client_type.push_str(product);
        }
        client_type.push_str(&format!(
            " spark-connect-rs/{} os/{} arch/{}",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH
        ));

        let mut endpoint = Endpoint::from_shared(uri.clone())
            .map_err(|e| channel_error(e.to_string()))?
            .user_agent(client_type.clone())
            .map_err(|e| channel_error(format!("the user agent is not a valid header: {e}")))?
            .connect_timeout(self.connect_timeout)
            .http2_adaptive_window(true)
            .tcp_nodelay(true);
        if conn.use_tls() {
            let mut tls = ClientTlsConfig::new()
                .with_native_roots()
                .domain_name(conn.host().to_string());
            for pem in &self.root_certificates {
                tls = tls.ca_certificate(Certificate::from_pem(pem));
            }
            endpoint = endpoint
                .tls_config(tls)
                .map_err(|e| channel_error(format!("TLS configuration: {e}")))?;
        }
        let channel = endpoint.connect_lazy();
        let max = conn.grpc_max_message_size();
        let grpc = GrpcClient::new(channel)
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);

        let mut metadata = Vec::new();
        if let Some(token) = conn.token() {
            metadata.push(
                Header::bearer(token)
                    .to_metadata()
                    .map_err(|m| channel_error(format!("the token cannot be sent: {m}")))?,
            );
        }
        for (k, v) in conn.metadata() {
            metadata.push(Header::new(k, v).to_metadata().map_err(channel_error)?);
        }
        for header in &self.headers {
            metadata.push(header.to_metadata().map_err(channel_error)?);
        }

        let session_id = conn
            .session_id()
            .unwrap_or_else(uuid::Uuid::new_v4)
            .to_string();
        let user_id = conn
            .user_id()
            .map(str::to_string)
            .or_else(|| std::env::var("SPARK_USER").ok())
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_default();
        Ok(SparkConnectClient {
            inner: Arc::new(Inner {
                grpc,
                endpoint: uri,
                session_id,
                user_context: pb::UserContext {
                    user_id: user_id.clone(),
                    user_name: user_id,
                    extensions: Vec::new(),
                },
                client_type,
                metadata,
                header_source: self.header_source,
                server_side_session_id: Mutex::new(None),
            }),
        })
    }
}

/// A Spark Connect client for one session: cheap to clone, safe to share between tasks.
#[derive(Clone)]
pub struct SparkConnectClient {
    inner: Arc<Inner>,
}

struct Inner {
    grpc: GrpcClient,
    endpoint: String,
    session_id: String,
    user_context: pb::UserContext,
    client_type: String,
    metadata: Vec<(MetadataKey<Ascii>, MetadataValue<Ascii>)>,
    header_source: Option<Arc<dyn HeaderSource>>,
    server_side_session_id: Mutex<Option<String>>,
}

impl fmt::Debug for SparkConnectClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // MetadataValue's Debug prints "Sensitive" for sensitive values.
        f.debug_struct("SparkConnectClient")
            .field("endpoint", &self.inner.endpoint)
            .field("session_id", &self.inner.session_id)
            .field("user_id", &self.inner.user_context.user_id)
            .field("client_type", &self.inner.client_type)
            .field("metadata", &self.inner.metadata)
            .finish()
    }
}

impl SparkConnectClient {
    /// A client for `conn` with default settings; see [`ClientBuilder`] for more.
    pub fn new(conn: ConnectionString) -> Result<SparkConnectClient, Error> {
        ClientBuilder::new(conn).build()
    }

    /// A builder for `conn`.
    pub fn builder(conn: ConnectionString) -> ClientBuilder {
        ClientBuilder::new(conn)
    }

    /// The client-side session id (a UUID) sent with every request.
    pub fn session_id(&self) -> &str {
        &self.inner.session_id
    }

    /// The server-side session id, once a response has carried one.
    pub fn server_side_session_id(&self) -> Option<String> {
        self.lock_server_session().clone()
    }

    /// The user agent sent as `client_type` and as the HTTP user agent.
    pub fn client_type(&self) -> &str {
        &self.inner.client_type
    }

    /// The user id sent in every request's user context.
    pub fn user_id(&self) -> &str {
        &self.inner.user_context.user_id
    }

    /// The endpoint, e.g. `http://127.0.0.1:15002`.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    fn lock_server_session(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        // The guarded value is a plain Option; a panic elsewhere cannot leave it inconsistent.
        self.inner
            .server_side_session_id
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    fn observed_server_session(&self) -> Option<String> {
        self.lock_server_session().clone()
    }

    /// Checks that a response belongs to this session and remembers the server-side session.
    fn check_session(&self, session_id: &str, server_side_session_id: &str) -> Result<(), Error> {
        if session_id != self.inner.session_id {
            return Err(Error::SessionMismatch {
                expected: self.inner.session_id.clone(),
                received: session_id.to_string(),
            });
        }
        if server_side_session_id.is_empty() {
            return Ok(());
        }
        let mut seen = self.lock_server_session();
        match seen.as_deref() {
            None => *seen = Some(server_side_session_id.to_string()),
            Some(previous) if previous != server_side_session_id => {
                return Err(Error::SessionChanged {
                    previous: previous.to_string(),
                    current: server_side_session_id.to_string(),
                });
            }
            Some(_) => {}
        }
        Ok(())
    }

    async fn request<T>(&self, message: T) -> Result<tonic::Request<T>, Error> {
        let mut request = tonic::Request::new(message);
        let metadata = request.metadata_mut();
        for (k, v) in &self.inner.metadata {
            metadata.insert(k.clone(), v.clone());
        }
        if let Some(source) = &self.inner.header_source {
            for header in source.headers().await.map_err(Error::Headers)? {
                let (k, v) = header.to_metadata().map_err(|m| Error::Headers(m.into()))?;
                metadata.insert(k, v);
            }
        }
        Ok(request)
    }

    fn status_error(&self, status: tonic::Status) -> Error {
        status_to_error(&self.inner.endpoint, status)
    }

    /// Runs a plan and returns its responses as they arrive.
    pub async fn execute_plan(&self, plan: pb::Plan) -> Result<ExecuteStream, Error> {
        let operation_id = uuid::Uuid::new_v4().to_string();
        let request = pb::ExecutePlanRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            operation_id: Some(operation_id.clone()),
            plan: Some(plan),
            client_type: Some(self.inner.client_type.clone()),
            request_options: Vec::new(),
            tags: Vec::new(),
        };
        let request = self.request(request).await?;
        tracing::debug!(operation_id = %operation_id, "ExecutePlan");
        let mut grpc = self.inner.grpc.clone();
        let response = grpc
            .execute_plan(request)
            .await
            .map_err(|s| self.status_error(s))?;
        Ok(ExecuteStream {
            client: self.clone(),
            operation_id,
            inner: response.into_inner(),
            finished: false,
        })
    }

    /// Asks the server to analyze a plan (schema, explain, version, ...).
    pub async fn analyze(
        &self,
        analyze: pb::analyze_plan_request::Analyze,
    ) -> Result<pb::analyze_plan_response::Result, Error> {
        let request = pb::AnalyzePlanRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            client_type: Some(self.inner.client_type.clone()),
            analyze: Some(analyze),
        };
        let request = self.request(request).await?;
        let mut grpc = self.inner.grpc.clone();
        let response = grpc
            .analyze_plan(request)
            .await
            .map_err(|s| self.status_error(s))?
            .into_inner();
        self.check_session(&response.session_id, &response.server_side_session_id)?;
        response
            .result
            .ok_or_else(|| Error::Protocol("AnalyzePlanResponse without a result".into()))
    }

    /// The server's Spark version, e.g. `4.3.0`.
    pub async fn spark_version(&self) -> Result<String, Error> {
        let result = self
            .analyze(pb::analyze_plan_request::Analyze::SparkVersion(
                pb::analyze_plan_request::SparkVersion {},
            ))
            .await?;
        match result {
            pb::analyze_plan_response::Result::SparkVersion(v) => Ok(v.version),
            other => Err(unexpected("SparkVersion", &other)),
        }
    }

    /// Runs a configuration operation (set, get, unset, ...).
    pub async fn config(
        &self,
        operation: pb::config_request::Operation,
    ) -> Result<pb::ConfigResponse, Error> {
        let request = pb::ConfigRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            operation: Some(operation),
            client_type: Some(self.inner.client_type.clone()),
        };
        let request = self.request(request).await?;
        let mut grpc = self.inner.grpc.clone();
        let response = grpc
            .config(request)
            .await
            .map_err(|s| self.status_error(s))?
            .into_inner();
        self.check_session(&response.session_id, &response.server_side_session_id)?;
        Ok(response)
    }
}

/// An error for an analyze result of the wrong kind.
pub fn unexpected(expected: &str, got: &pb::analyze_plan_response::Result) -> Error {
    let got = format!("{got:?}");
    let name = got.split('(').next().unwrap_or("unknown");
    Error::Protocol(format!("expected a {expected} result, got {name}"))
}

fn status_to_error(endpoint: &str, status: tonic::Status) -> Error {
    let server = ServerError::from_status(&status);
    // A transport failure (refused, reset, TLS) carries no Spark error details.
    if status.code() == tonic::Code::Unavailable && server.classes().is_empty() {
        let mut message = status.message().to_string();
        let mut source = std::error::Error::source(&status);
        while let Some(s) = source {
            let text = s.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            source = s.source();
        }
        return Error::Unavailable {
            endpoint: endpoint.to_string(),
            message,
        };
    }
    Error::Server(Box::new(server))
}

/// The responses of one `ExecutePlan` call, in order, each checked to belong to this session.
pub struct ExecuteStream {
    client: SparkConnectClient,
    operation_id: String,
    inner: tonic::Streaming<pb::ExecutePlanResponse>,
    finished: bool,
}

impl fmt::Debug for ExecuteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecuteStream")
            .field("operation_id", &self.operation_id)
            .field("finished", &self.finished)
            .finish()
    }
}

impl ExecuteStream {
    /// The operation id this client chose for the execution.
    pub fn operation_id(&self) -> &str {
        &self.operation_id
    }

    /// The next response, or `None` at the end.
    pub async fn next_response(&mut self) -> Option<Result<pb::ExecutePlanResponse, Error>> {
        futures_util::StreamExt::next(self).await
    }
}

impl Stream for ExecuteStream {
    type Item = Result<pb::ExecutePlanResponse, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.finished {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.finished = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(status))) => {
                this.finished = true;
                Poll::Ready(Some(Err(this.client.status_error(status))))
            }
            Poll::Ready(Some(Ok(response))) => {
                if let Err(e) = this
                    .client
                    .check_session(&response.session_id, &response.server_side_session_id)
                {
                    this.finished = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(Some(Ok(response)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> SparkConnectClient {
        let conn = ConnectionString::parse_without_env(
            "sc://127.0.0.1:1/;token=s3cr3t;user_id=u;x-extra=v",
        )
        .unwrap();
        SparkConnectClient::builder(conn)
            .user_agent("my-app/1.0")
            .product("facade/2.0")
            .header(Header::sensitive("x-secret", "hidden-value"))
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn debug_never_shows_secrets() {
        let c = client();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        let named = Header::new("Authorization", "Bearer hidden-too");
        assert!(named.is_sensitive() && !format!("{named:?}").contains("hidden-too"));
        assert!(!Header::new("x-databricks-cluster-id", "c").is_sensitive());
        assert!(!shown.contains("hidden-value"), "{shown}");
        assert!(shown.contains("x-extra"), "{shown}");
        let h = Header::bearer("tok3n");
        assert!(!format!("{h:?}").contains("tok3n"));
    }

    #[tokio::test]
    async fn client_type_names_user_agent_products_and_this_crate() {
        let c = client();
        let ct = c.client_type();
        assert!(
            ct.starts_with("my-app/1.0 facade/2.0 spark-connect-rs/"),
            "{ct}"
        );
        assert!(ct.contains(&format!("os/{}", std::env::consts::OS)), "{ct}");
        assert_eq!(c.user_id(), "u");
        assert!(uuid::Uuid::parse_str(c.session_id()).is_ok());
    }

    #[tokio::test]
    async fn session_checks() {
        let c = client();
        let sid = c.session_id().to_string();
        assert!(matches!(
            c.check_session("other", ""),
            Err(Error::SessionMismatch { .. })
        ));
        c.check_session(&sid, "server-1").unwrap();
        c.check_session(&sid, "").unwrap();
        c.check_session(&sid, "server-1").unwrap();
        let e = c.check_session(&sid, "server-2").unwrap_err();
        assert!(matches!(e, Error::SessionChanged { .. }));
        assert!(e.to_string().contains("server-1"));
    }

    #[tokio::test]
    async fn unreachable_server_is_a_clear_error() {
        // Port 1 on loopback: nothing listens there.
        let c = client();
        let e = c.spark_version().await.unwrap_err();
        assert!(matches!(e, Error::Unavailable { .. }), "{e:?}");
        let shown = e.to_string();
        assert!(shown.contains("127.0.0.1:1"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
