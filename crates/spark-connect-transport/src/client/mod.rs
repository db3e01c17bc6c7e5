//! The gRPC client: one lazily connected channel per client, session identity on every request,
//! static and per-call metadata, keep-alive and deadlines, retries, and response checks.
//!
//! - here: [`SparkConnectClient`], its session identity and state (ended, idle, server-side
//!   session id), request metadata, and the retry loop every call goes through;
//! - `builder.rs`: [`ClientBuilder`] and the defaults of its settings;
//! - `headers.rs`: [`Header`] and [`HeaderSource`];
//! - `rpc.rs`: the calls themselves (`execute_plan`, `analyze`, `config`, interrupts, tags,
//!   `release_session`, error details);
//! - `status.rs`: a failed call's status as an [`Error`], and the error after retries.

mod builder;
mod headers;
mod rpc;
mod status;
mod version;

pub use builder::{
    ClientBuilder, DEFAULT_MAX_FRAME_SIZE, DEFAULT_REQUEST_TIMEOUT, DEFAULT_STREAM_IDLE_TIMEOUT,
    DEFAULT_STREAM_WINDOW, DEFAULT_USER_AGENT, KeepAlive, MAX_USER_AGENT_LENGTH, check_user_agent,
};
pub use headers::{Header, HeaderSource, HeadersFuture};
pub(crate) use status::gave_up;
pub use status::unexpected;

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use spark_connect_proto::spark::connect as pb;
use tonic::metadata::{Ascii, MetadataKey, MetadataValue};

use crate::ConnectionString;
use crate::error::{Error, ServerError, SessionEndReason};
use crate::retry::{RetryEvent, RetryPolicies, RetryPolicy, RetryState, Verdict};

use builder::RetryObserver;
use status::status_to_error;

/// The gRPC client generated from the protocol.
pub(crate) type GrpcClient =
    pb::spark_connect_service_client::SparkConnectServiceClient<crate::channel::Channel>;

/// A Spark Connect client for one session: cheap to clone, safe to share between tasks.
#[derive(Clone)]
pub struct SparkConnectClient {
    inner: Arc<Inner>,
}

struct Inner {
    grpc: GrpcClient,
    /// The channel under `grpc`, for the calls whose responses this crate reads itself.
    channel: crate::channel::Channel,
    /// What made `channel`, to make another one (cleanup calls at exit, see `cleanup.rs`).
    channel_options: crate::channel::ChannelOptions,
    origin: http::Uri,
    payload_placement: Option<crate::responses::PayloadPlacement>,
    /// Allocations of dropped result messages, for the next ones.
    allocations: Arc<crate::responses::MessageAllocations>,
    endpoint: String,
    session_id: String,
    user_context: pb::UserContext,
    client_type: String,
    metadata: Vec<(MetadataKey<Ascii>, MetadataValue<Ascii>)>,
    header_source: Option<Arc<dyn HeaderSource>>,
    server_side_session_id: Mutex<Option<String>>,
    /// Whether any call was answered: until then a connection that cannot be established is
    /// a configuration error, not a blip, and is not retried.
    connected_once: AtomicBool,
    stream_idle_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    retry_policies: RetryPolicies,
    on_retry: Option<RetryObserver>,
    tags: Mutex<Vec<String>>,
    /// Whether the server may split Arrow batches into chunks, and the preferred chunk size.
    arrow_chunking: (bool, Option<i64>),
    /// The server's version: asked once, when a request first uses a version-dependent
    /// feature (see `version.rs`), or given to the builder.
    server_version: tokio::sync::OnceCell<crate::ServerVersion>,
    /// The largest message sent or received (`grpc_max_message_size`).
    max_message_size: usize,
    /// Why the session ended, once it has: then every call is refused.
    ended: Mutex<Option<SessionEndReason>>,
    /// When the server last answered: milliseconds after [`epoch`], plus one (0: never).
    last_answer: AtomicU64,
}

/// The instant that `Inner::last_answer` counts from.
fn epoch() -> Instant {
    static EPOCH: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// A failed attempt of a call.
pub(crate) enum Failure {
    /// The call failed with this status; the retry policy decides.
    Status(tonic::Status),
    /// Not retried.
    Fatal(Error),
}

impl From<tonic::Status> for Failure {
    fn from(s: tonic::Status) -> Self {
        Failure::Status(s)
    }
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
            .field("retry_policies", &self.inner.retry_policies)
            .field("stream_idle_timeout", &self.inner.stream_idle_timeout)
            .field("request_timeout", &self.inner.request_timeout)
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

    /// The user context sent with every request.
    pub(crate) fn user_context(&self) -> pb::UserContext {
        self.inner.user_context.clone()
    }

    /// The endpoint, e.g. `http://127.0.0.1:15002`.
    pub fn endpoint(&self) -> &str {
        &self.inner.endpoint
    }

    /// The default retry policy (PySpark's rules).
    pub fn retry_policy(&self) -> &RetryPolicy {
        self.inner.retry_policies.default_policy()
    }

    /// A fresh retry budget for one call, under every policy of this client.
    pub(crate) fn start_retries(&self) -> RetryState {
        self.inner.retry_policies.start()
    }

    /// The wait before trying a failed call again, as `verdict` and `state` allow; tells the
    /// retry observer. `None`: give up.
    pub(crate) fn retry_wait(
        &self,
        rpc: &str,
        state: &mut RetryState,
        verdict: Verdict,
        status: Option<&tonic::Status>,
    ) -> Option<Duration> {
        let Verdict::Retry { policy, delay } = verdict else {
            return None;
        };
        let wait = state.next_wait(policy, delay)?;
        let name = state.policies().get(policy).name();
        match status {
            Some(status) => {
                tracing::debug!(rpc, policy = name, code = ?status.code(), message = status.message(), ?wait, "retrying")
            }
            None => tracing::debug!(rpc, policy = name, ?wait, "retrying"),
        }
        if let (Some(observer), Some(status)) = (&self.inner.on_retry, status) {
            let error = ServerError::from_status(status);
            observer(&RetryEvent {
                rpc,
                policy: name,
                error: &error,
                retry: state.spent_under(policy),
                wait,
                elapsed: state.elapsed_under(policy),
            });
        }
        Some(wait)
    }

    /// The idle timeout of result streams.
    pub fn stream_idle_timeout(&self) -> Option<Duration> {
        self.inner.stream_idle_timeout
    }

    /// Whether the session has ended (PySpark's `is_closed`): the server closed it (idle past its
    /// session timeout, or released), the server restarted, or [`release_session`] stopped it.
    /// Every call on an ended session fails with [`Error::SessionEnded`] without being sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_transport::Error> {
    /// use spark_connect_transport::{ConnectionString, SparkConnectClient};
    ///
    /// let client = SparkConnectClient::new("sc://127.0.0.1:1".parse::<ConnectionString>()?)?;
    /// assert!(!client.is_closed());
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// [`release_session`]: Self::release_session
    pub fn is_closed(&self) -> bool {
        self.lock_ended().is_some()
    }

    /// Why the session ended, once it has (see [`is_closed`](Self::is_closed)).
    ///
    /// ```no_run
    /// # async fn demo(client: spark_connect_transport::SparkConnectClient) {
    /// use spark_connect_transport::SessionEndReason;
    ///
    /// if let Err(e) = client.spark_version().await {
    ///     if let Some(SessionEndReason::Closed) = client.session_end() {
    ///         eprintln!("the server closed the session: make a new one ({e})");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn session_end(&self) -> Option<SessionEndReason> {
        self.lock_ended().clone()
    }

    /// How long ago the server last answered this client (any call or result message);
    /// `None` before the first answer.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), spark_connect_transport::Error> {
    /// use spark_connect_transport::{ConnectionString, SparkConnectClient};
    ///
    /// let client = SparkConnectClient::new("sc://127.0.0.1:1".parse::<ConnectionString>()?)?;
    /// assert_eq!(client.idle_time(), None); // nothing was asked yet
    /// # Ok(())
    /// # }
    /// ```
    pub fn idle_time(&self) -> Option<Duration> {
        match self.inner.last_answer.load(Ordering::Relaxed) {
            0 => None,
            ms => Some(
                epoch()
                    .elapsed()
                    .saturating_sub(Duration::from_millis(ms - 1)),
            ),
        }
    }

    fn lock_ended(&self) -> std::sync::MutexGuard<'_, Option<SessionEndReason>> {
        // A plain Option: a panic elsewhere cannot leave it inconsistent.
        self.inner.ended.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records that the session ended (the first reason is kept) and returns the error that
    /// says so.
    pub(crate) fn end_session(
        &self,
        reason: SessionEndReason,
        server: Option<Box<ServerError>>,
    ) -> Error {
        let reason = {
            let mut ended = self.lock_ended();
            if ended.is_none() {
                tracing::info!(session_id = %self.inner.session_id, ?reason, "the session has ended");
            }
            ended.get_or_insert(reason).clone()
        };
        Error::SessionEnded {
            session_id: self.inner.session_id.clone(),
            reason,
            server,
        }
    }

    /// The error for a call on a session that has ended, if it has.
    fn refuse_if_ended(&self) -> Result<(), Error> {
        match self.session_end() {
            Some(reason) => Err(Error::SessionEnded {
                session_id: self.inner.session_id.clone(),
                reason,
                server: None,
            }),
            None => Ok(()),
        }
    }

    /// The same client on a new channel of its own (a new connection, made on first use by
    /// the runtime that uses it): for cleanup calls when the runtime of this client's channel
    /// may be gone.
    pub(crate) fn with_fresh_channel(&self) -> Result<SparkConnectClient, Error> {
        let i = &self.inner;
        let channel =
            crate::channel::Channel::new(i.channel_options.clone()).map_err(|message| {
                Error::Channel {
                    endpoint: i.endpoint.clone(),
                    message,
                }
            })?;
        let grpc = GrpcClient::with_origin(channel.clone(), i.origin.clone())
            .max_decoding_message_size(i.max_message_size)
            .max_encoding_message_size(i.max_message_size);
        Ok(SparkConnectClient {
            inner: Arc::new(Inner {
                grpc,
                channel,
                channel_options: i.channel_options.clone(),
                origin: i.origin.clone(),
                payload_placement: i.payload_placement.clone(),
                allocations: i.allocations.clone(),
                endpoint: i.endpoint.clone(),
                session_id: i.session_id.clone(),
                user_context: i.user_context.clone(),
                client_type: i.client_type.clone(),
                metadata: i.metadata.clone(),
                header_source: i.header_source.clone(),
                server_side_session_id: Mutex::new(self.observed_server_session()),
                connected_once: AtomicBool::new(i.connected_once.load(Ordering::Relaxed)),
                stream_idle_timeout: i.stream_idle_timeout,
                request_timeout: i.request_timeout,
                retry_policies: i.retry_policies.clone(),
                on_retry: i.on_retry.clone(),
                tags: Mutex::new(self.tags()),
                arrow_chunking: i.arrow_chunking,
                server_version: tokio::sync::OnceCell::new_with(i.server_version.get().cloned()),
                max_message_size: i.max_message_size,
                ended: Mutex::new(self.session_end()),
                last_answer: AtomicU64::new(i.last_answer.load(Ordering::Relaxed)),
            }),
        })
    }

    fn lock_server_session(&self) -> std::sync::MutexGuard<'_, Option<String>> {
        // The guarded value is a plain Option; a panic elsewhere cannot leave it inconsistent.
        self.inner
            .server_side_session_id
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn observed_server_session(&self) -> Option<String> {
        self.lock_server_session().clone()
    }

    /// Checks that a response belongs to this session and remembers the server-side session.
    pub(crate) fn check_session(
        &self,
        session_id: &str,
        server_side_session_id: &str,
    ) -> Result<(), Error> {
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
                let reason = SessionEndReason::ServerRestarted {
                    previous: Some(previous.to_string()),
                    current: Some(server_side_session_id.to_string()),
                };
                drop(seen);
                return Err(self.end_session(reason, None));
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// A request carrying `message` and the metadata of every call; refused once the session
    /// has ended.
    pub(crate) async fn request<T>(&self, message: T) -> Result<tonic::Request<T>, Error> {
        self.refuse_if_ended()?;
        self.request_even_if_ended(message).await
    }

    /// [`request`](Self::request), also once the session has ended (for `ReleaseSession`).
    async fn request_even_if_ended<T>(&self, message: T) -> Result<tonic::Request<T>, Error> {
        let mut request = tonic::Request::new(message);
        let metadata = request.metadata_mut();
        for (k, v) in &self.inner.metadata {
            metadata.insert(k.clone(), v.clone());
        }
        if let Some(source) = &self.inner.header_source {
            for header in source.headers().await.map_err(Error::Headers)? {
                let (k, v) = header.to_metadata().map_err(|m| {
                    Error::Headers(Box::new(crate::HeaderSourceError::new(
                        crate::ErrorKind::Configuration,
                        m,
                    )))
                })?;
                metadata.insert(k, v);
            }
        }
        Ok(request)
    }

    /// The error for a failed call. A server that says the session is closed or changed
    /// (`INVALID_HANDLE.SESSION_CLOSED`, `INVALID_HANDLE.SESSION_CHANGED`) ends it here too.
    pub(crate) fn status_error(&self, status: tonic::Status) -> Error {
        let reason = match crate::error::error_class(&status).as_deref() {
            Some("INVALID_HANDLE.SESSION_CLOSED") => Some(SessionEndReason::Closed),
            Some("INVALID_HANDLE.SESSION_CHANGED") => Some(SessionEndReason::ServerRestarted {
                previous: self.observed_server_session(),
                current: None,
            }),
            _ => None,
        };
        match reason {
            Some(reason) => {
                let server = Box::new(ServerError::from_status(&status));
                self.end_session(reason, Some(server))
            }
            None => status_to_error(&self.inner.endpoint, status),
        }
    }

    pub(crate) fn grpc(&self) -> GrpcClient {
        self.inner.grpc.clone()
    }

    /// Sends a server-streaming call whose response messages are `ExecutePlanResponse`s
    /// (`ExecutePlan`, `ReattachExecute`) and reads them with this crate's decoder (see
    /// `responses.rs`).
    pub(crate) async fn execute_responses<M: prost::Message>(
        &self,
        method: &'static str,
        request: tonic::Request<M>,
    ) -> Result<crate::responses::Responses, tonic::Status> {
        use tower_service::Service;

        let request = crate::responses::grpc_request(&self.inner.origin, method, request)?;
        let response = self
            .inner
            .channel
            .clone()
            .call(request)
            .await
            .map_err(tonic::Status::from_error)?;
        crate::responses::Responses::new(
            response,
            self.inner.max_message_size,
            self.inner.payload_placement.clone(),
            self.inner.allocations.clone(),
        )
    }

    /// Notes that the server answered, so that later connection failures count as blips.
    pub(crate) fn mark_connected(&self) {
        self.inner.connected_once.store(true, Ordering::Relaxed);
        let ms = u64::try_from(epoch().elapsed().as_millis()).unwrap_or(u64::MAX - 1);
        self.inner.last_answer.store(ms + 1, Ordering::Relaxed);
    }

    pub(crate) fn verdict(&self, status: &tonic::Status) -> Verdict {
        self.inner
            .retry_policies
            .classify(status, self.inner.connected_once.load(Ordering::Relaxed))
    }

    /// The verdict for a stream that ended without its result and without progress: the
    /// default policy retries it.
    pub(crate) fn default_verdict(&self) -> Verdict {
        Verdict::Retry {
            policy: self.inner.retry_policies.default_index(),
            delay: None,
        }
    }

    /// Runs `attempt` under the request deadline, again while the retry policy allows.
    /// `attempt` builds its request afresh each time (tonic requests are not `Clone`, and the
    /// header source may have new credentials).
    pub(crate) async fn retrying<T, F, Fut>(
        &self,
        rpc: &'static str,
        mut attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let started = Instant::now();
        let mut state = self.start_retries();
        loop {
            let result = self
                .under_deadline(rpc, self.inner.request_timeout, attempt())
                .await?;
            let status = match result {
                Ok(value) => {
                    self.mark_connected();
                    return Ok(value);
                }
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::Status(status)) => status,
            };
            let verdict = self.verdict(&status);
            let Some(wait) = self.retry_wait(rpc, &mut state, verdict, Some(&status)) else {
                let e = self.with_error_details(self.status_error(status)).await;
                return Err(gave_up(e, &state, started));
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// A request larger than the message size limit would fail inside HTTP/2 with an
    /// unhelpful status; say what is too large instead.
    fn check_message_size(&self, rpc: &str, message: &impl prost::Message) -> Result<(), Error> {
        let len = message.encoded_len();
        if len > self.inner.max_message_size {
            return Err(Error::InvalidArgument(format!(
                "the {rpc} request is {len} bytes, too large for the gRPC message size limit of \
                 {} bytes (grpc_max_message_size); large local data belongs in cached \
                 artifacts, a table or files",
                self.inner.max_message_size
            )));
        }
        Ok(())
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
        assert!(
            matches!(
                e.session_end(),
                Some(SessionEndReason::ServerRestarted { previous: Some(p), current: Some(n) })
                    if p == "server-1" && n == "server-2"
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("server-1"), "{e}");
        // The session is over: it stays so, and calls are refused before anything is sent.
        assert!(c.is_closed());
        let refused = c.spark_version().await.unwrap_err();
        assert!(
            matches!(refused, Error::SessionEnded { server: None, .. }),
            "{refused:?}"
        );
        assert!(refused.to_string().contains("restarted"), "{refused}");
    }

    #[tokio::test]
    async fn an_unreachable_proxy_is_named_and_not_retried() {
        use crate::proxy::ProxyConfig;
        // Bind and drop: nothing listens there any more.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let conn = ConnectionString::parse_without_env("sc://workspace.invalid:443/;use_ssl=true")
            .unwrap();
        let c = SparkConnectClient::builder(conn)
            .proxy(ProxyConfig::url(&format!("http://u:pr0xy-pw@127.0.0.1:{port}")).unwrap())
            .build()
            .unwrap();
        let started = Instant::now();
        let e = c.spark_version().await.unwrap_err();
        // The default policy's first back-offs alone would take 1 s: no retry happened.
        assert!(started.elapsed() < Duration::from_secs(1), "{e}");
        let Error::Proxy { source, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(source.kind(), crate::proxy::ProxyErrorKind::Unreachable);
        let shown = e.to_string();
        assert!(
            shown.starts_with(&format!(
                "cannot connect to the Spark Connect server at https://workspace.invalid:443: cannot connect to the proxy http://u@127.0.0.1:{port} (set explicitly): "
            )),
            "{shown}"
        );
        assert!(!format!("{shown} {e:?} {c:?}").contains("pr0xy-pw"));
    }

    #[test]
    fn a_malformed_proxy_variable_fails_the_build_naming_it() {
        use crate::proxy::{Caller, ProxyConfig, ProxyEnv};
        let conn = ConnectionString::parse_without_env("sc://h:443/;use_ssl=true").unwrap();
        let env = ProxyEnv::from_vars([("https_proxy", "socks5://u:pw@p:1080")]);
        let e = SparkConnectClient::builder(conn.clone())
            .proxy(ProxyConfig::from_env(env.clone(), Caller::Grpc))
            .build()
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("https_proxy names a SOCKS proxy (socks5://p:1080)"),
            "{e}"
        );
        // NO_PROXY excludes the host: the setting is never used.
        let env = ProxyEnv::from_vars([("https_proxy", "socks5://p:1080"), ("no_proxy", "h")]);
        assert!(
            SparkConnectClient::builder(conn)
                .proxy(ProxyConfig::from_env(env, Caller::Grpc))
                .build()
                .is_ok()
        );
    }

    #[tokio::test]
    async fn unreachable_server_is_a_clear_error() {
        // Port 1 on loopback: nothing listens there.
        let c = client();
        let e = c.spark_version().await.unwrap_err();
        assert!(matches!(e, Error::Unavailable { .. }), "{e:?}");
        assert_eq!(e.kind(), crate::ErrorKind::Connection);
        let shown = e.to_string();
        assert!(shown.contains("127.0.0.1:1"), "{shown}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        // The cause is kept: the chain reaches the refused connection's I/O error.
        let mut source = std::error::Error::source(&e);
        let mut refused = false;
        while let Some(cause) = source {
            refused |= cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused);
            source = cause.source();
        }
        assert!(refused, "{e:?}");
    }
}
