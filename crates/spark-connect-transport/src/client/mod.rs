//! The gRPC client: one lazily connected channel per client, session identity on every request,
//! static and per-call metadata, keep-alive and deadlines, retries, and response checks.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use spark_connect_proto::spark::connect as pb;
use tonic::metadata::{Ascii, MetadataKey, MetadataValue};

use crate::ConnectionString;
use crate::error::{BoxError, Error, ErrorCause, ServerError, SessionEndReason};
use crate::execute::ExecuteStream;
use crate::retry::{RetryEvent, RetryPolicies, RetryPolicy, RetryState, Verdict};

/// The gRPC client generated from the protocol.
pub(crate) type GrpcClient =
    pb::spark_connect_service_client::SparkConnectServiceClient<crate::channel::Channel>;

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
    keep_alive: KeepAlive,
    stream_idle_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    retry_policy: RetryPolicy,
    added_retry_policies: Vec<RetryPolicy>,
    on_retry: Option<RetryObserver>,
    arrow_chunking: (bool, Option<i64>),
    stream_window: Option<u32>,
    max_frame_size: Option<u32>,
    payload_placement: Option<crate::responses::PayloadPlacement>,
    proxy: Option<connect_proxy::ProxyConfig>,
}

/// Called before each wait for a retry; see [`ClientBuilder::on_retry`].
type RetryObserver = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

/// The longest user agent (the user's part, from the builder, the connection string or
/// `SPARK_CONNECT_USER_AGENT`), in characters after URL escaping, as PySpark allows.
pub const MAX_USER_AGENT_LENGTH: usize = 2048;

/// Checks a user agent against [`MAX_USER_AGENT_LENGTH`], as PySpark does; the error
/// ([`Error::InvalidArgument`]) says how long it is.
///
/// ```
/// use spark_connect_transport::check_user_agent;
///
/// assert!(check_user_agent("my-app/1.0").is_ok());
/// let e = check_user_agent(&" ".repeat(700)).unwrap_err(); // each space escapes to %20
/// assert!(e.to_string().contains("2100"), "{e}");
/// ```
pub fn check_user_agent(user_agent: &str) -> Result<(), Error> {
    // Python's urllib.parse.quote: letters, digits, `_.-~` and `/` stay, the rest is escaped.
    const QUOTED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'_')
        .remove(b'.')
        .remove(b'-')
        .remove(b'~')
        .remove(b'/');
    let escaped: usize = percent_encoding::utf8_percent_encode(user_agent, QUOTED)
        .map(str::len)
        .sum();
    if escaped > MAX_USER_AGENT_LENGTH {
        return Err(Error::InvalidArgument(format!(
            "the user agent must not exceed {MAX_USER_AGENT_LENGTH} characters after URL escaping, found {escaped}"
        )));
    }
    Ok(())
}

/// The HTTP/2 flow-control window of a result stream unless set (the connection's is twice
/// this): how many bytes the server may send ahead of what the client has read.
pub const DEFAULT_STREAM_WINDOW: u32 = 8 << 20;

/// The largest HTTP/2 frame the client accepts unless set (the protocol's default is
/// 16 KiB). Servers send a result's data in frames up to this size, so the client reads
/// it in a few large socket reads instead of one small read and one task wake-up per 16 KiB:
/// against a local server this took a raw drain of 690 MB of Arrow from about 84,000 reads
/// to 2,400 and cut its CPU time by about a third.
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 1 << 20;

/// HTTP/2 keep-alive pings: how a connection that died silently (a server that froze, a load
/// balancer that forgot the connection) is noticed instead of waited on forever. The defaults
/// are PySpark's: a ping after 60 s without traffic, answered within 20 s, also while no call
/// is in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeepAlive {
    /// Whether pings are sent at all.
    pub enabled: bool,
    /// The time without traffic after which a ping is sent.
    pub interval: Duration,
    /// How long the answer to a ping may take before the connection counts as dead.
    pub timeout: Duration,
    /// Whether pings are sent while no call is in flight.
    pub while_idle: bool,
}

impl Default for KeepAlive {
    fn default() -> Self {
        KeepAlive {
            enabled: true,
            interval: Duration::from_secs(60),
            timeout: Duration::from_secs(20),
            while_idle: true,
        }
    }
}

impl KeepAlive {
    fn from_connection_string(conn: &ConnectionString) -> KeepAlive {
        let p = conn.keepalive();
        let d = KeepAlive::default();
        KeepAlive {
            enabled: p.enabled.unwrap_or(d.enabled),
            interval: p.time_ms.map(Duration::from_millis).unwrap_or(d.interval),
            timeout: p.timeout_ms.map(Duration::from_millis).unwrap_or(d.timeout),
            while_idle: p.without_calls.unwrap_or(d.while_idle),
        }
    }
}

/// The longest wait for the next message of a result stream unless set: a server that is
/// alive but sends nothing this long (its driver ran out of memory) is reported. A running
/// query sends progress messages every few seconds, so this is far above a healthy pause.
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(600);

/// The longest a unary call (analyze, config, interrupt, ...) may take unless set.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(600);

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
            .field("keep_alive", &self.keep_alive)
            .field("stream_idle_timeout", &self.stream_idle_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("retry_policy", &self.retry_policy)
            .field("added_retry_policies", &self.added_retry_policies)
            .field("on_retry", &self.on_retry.as_ref().map(|_| ".."))
            .field("arrow_chunking", &self.arrow_chunking)
            .field("stream_window", &self.stream_window)
            .field("max_frame_size", &self.max_frame_size)
            .field(
                "payload_placement",
                &self.payload_placement.as_ref().map(|_| ".."),
            )
            .field("proxy", &self.proxy)
            .finish()
    }
}

impl ClientBuilder {
    /// A builder for the server that `conn` names.
    pub fn new(conn: ConnectionString) -> ClientBuilder {
        ClientBuilder {
            keep_alive: KeepAlive::from_connection_string(&conn),
            stream_idle_timeout: Some(DEFAULT_STREAM_IDLE_TIMEOUT),
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            retry_policy: RetryPolicy::default(),
            added_retry_policies: Vec::new(),
            on_retry: None,
            arrow_chunking: (true, None),
            stream_window: Some(DEFAULT_STREAM_WINDOW),
            max_frame_size: Some(DEFAULT_MAX_FRAME_SIZE),
            payload_placement: None,
            proxy: None,
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

    /// HTTP/2 keep-alive pings; overrides the connection string's `grpc_keepalive_*` keys.
    pub fn keep_alive(mut self, keep_alive: KeepAlive) -> Self {
        self.keep_alive = keep_alive;
        self
    }

    /// The longest wait for the next message of a result stream (including its first), after
    /// which the stream ends in [`Error::Timeout`]; `None` waits forever.
    /// [`DEFAULT_STREAM_IDLE_TIMEOUT`] unless set.
    pub fn stream_idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.stream_idle_timeout = timeout;
        self
    }

    /// The deadline of each attempt of a unary call (analyze, config, interrupt, release,
    /// error details), after which it fails with [`Error::Timeout`]; `None` waits forever.
    /// [`DEFAULT_REQUEST_TIMEOUT`] unless set.
    pub fn request_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// When failed calls are tried again under PySpark's rules; [`RetryPolicy::none`] turns
    /// those retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Adds a policy for the failures its rule accepts ([`RetryPolicy::retry_when`]). Added
    /// policies are asked before the default one, in the order added, as PySpark asks its
    /// list of policies; the first that accepts a failed call decides the wait and spends its
    /// own budget. A policy without a rule of its own accepts nothing here.
    ///
    /// ```
    /// use std::time::Duration;
    /// use spark_connect_transport::{ClientBuilder, Code, ConnectionString, RetryPolicy};
    ///
    /// let builder = ClientBuilder::new(ConnectionString::parse("sc://127.0.0.1:15002")?)
    ///     .add_retry_policy(
    ///         RetryPolicy::default()
    ///             .named("warm-up")
    ///             .retry_when(|e| e.code() == Code::FailedPrecondition && e.message().contains("warming up"))
    ///             .max_elapsed(Some(Duration::from_secs(600))),
    ///     );
    /// # let _ = builder;
    /// # Ok::<(), spark_connect_transport::Error>(())
    /// ```
    pub fn add_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.added_retry_policies.push(policy);
        self
    }

    /// Called before each wait for a retry, with the call, the failure, the policy and the
    /// wait: for showing progress (a cluster that is starting) or counting retries. It runs on
    /// the calling task: keep it quick.
    ///
    /// ```
    /// use spark_connect_transport::{ClientBuilder, ConnectionString};
    ///
    /// let builder = ClientBuilder::new(ConnectionString::parse("sc://127.0.0.1:15002")?)
    ///     .on_retry(|event| eprintln!("{} retry {} in {:?}", event.rpc(), event.retry(), event.wait()));
    /// # let _ = builder;
    /// # Ok::<(), spark_connect_transport::Error>(())
    /// ```
    pub fn on_retry(mut self, observer: impl Fn(&RetryEvent<'_>) + Send + Sync + 'static) -> Self {
        self.on_retry = Some(Arc::new(observer));
        self
    }

    /// The HTTP/2 flow-control window of each stream, in bytes (the connection's is twice
    /// this): how far the server may send ahead of what the client has read, so also the
    /// most a slow reader of a result holds in receive buffers. [`DEFAULT_STREAM_WINDOW`]
    /// (8 MiB) unless set: on loopback, a fixed 8 MiB window moved results about 20 % faster
    /// than the adaptive one, which stays small there. `None` sizes the windows from
    /// measured round trips (hyper's adaptive window, up to its own limit), which can suit a
    /// link whose bandwidth × round-trip time exceeds the fixed window.
    pub fn http2_stream_window(mut self, bytes: Option<u32>) -> Self {
        self.stream_window = bytes;
        self
    }

    /// The largest HTTP/2 frame the client accepts, in bytes: [`DEFAULT_MAX_FRAME_SIZE`]
    /// (1 MiB) unless set; `None` keeps the protocol's default of 16 KiB. Values are clamped
    /// to what HTTP/2 allows (16 KiB to 16 MiB - 1).
    pub fn http2_max_frame_size(mut self, bytes: Option<u32>) -> Self {
        self.max_frame_size = bytes.map(|b| b.clamp(1 << 14, (1 << 24) - 1));
        self
    }

    /// Where the Arrow payloads of results should start in memory (see [`PayloadPlacement`]):
    /// each result message is copied once out of the HTTP/2 frames into an allocation of its
    /// own, placed so that its payload starts at the address modulo 64 this returns for the
    /// payload's first bytes. Without it, payloads start at 64-byte boundaries.
    ///
    /// [`PayloadPlacement`]: crate::PayloadPlacement
    pub fn payload_placement(mut self, placement: crate::responses::PayloadPlacement) -> Self {
        self.payload_placement = Some(placement);
        self
    }

    /// Whether the server may split large Arrow batches of a result into chunks (Spark 4.1+;
    /// allowed by default, as in PySpark), and the chunk size in bytes to prefer (the server's
    /// default unless given). Older servers ignore this.
    pub fn arrow_chunking(mut self, allow: bool, preferred_chunk_size: Option<i64>) -> Self {
        self.arrow_chunking = (allow, preferred_chunk_size);
        self
    }

    /// How the channel finds its HTTP proxy. Unless set, from the process environment as
    /// gRPC does: `grpc_proxy`, then `HTTPS_PROXY`/`https_proxy` (for TLS; `HTTP_PROXY`/
    /// `http_proxy` for plaintext), then `ALL_PROXY`/`all_proxy`, with `no_grpc_proxy`,
    /// `NO_PROXY`/`no_proxy` naming hosts to reach directly (read when [`build`](Self::build)
    /// runs; see the [`proxy`](crate::proxy) module for the rules). A proxy is asked for a
    /// tunnel (`CONNECT host:port`) and TLS runs inside it, with the server's name.
    ///
    /// ```
    /// use spark_connect_transport::proxy::{Caller, ProxyConfig, ProxyEnv};
    /// use spark_connect_transport::{ClientBuilder, ConnectionString};
    ///
    /// # fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// let conn = ConnectionString::parse_without_env("sc://spark.corp:15002/;use_ssl=true")?;
    /// // One proxy for this client, whatever the environment says:
    /// let client = ClientBuilder::new(conn.clone())
    ///     .proxy(ProxyConfig::url("http://proxy.corp:3128")?)
    ///     .build()?;
    /// // Never a proxy:
    /// let direct = ClientBuilder::new(conn.clone()).proxy(ProxyConfig::none()).build()?;
    /// // The rules over variables given here rather than the process's:
    /// let env = ProxyEnv::from_vars([("HTTPS_PROXY", "http://proxy.corp:3128"), ("NO_PROXY", ".corp")]);
    /// let excluded = ClientBuilder::new(conn).proxy(ProxyConfig::from_env(env, Caller::Grpc)).build()?;
    /// # let _ = (client, direct, excluded);
    /// # Ok(())
    /// # }
    /// ```
    pub fn proxy(mut self, proxy: connect_proxy::ProxyConfig) -> Self {
        self.proxy = Some(proxy);
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
        check_user_agent(&user_agent_part)?;
        if self.retry_policy.has_rule() {
            return Err(Error::InvalidArgument(format!(
                "the default retry policy `{}` has a rule of its own (retry_when): add it with add_retry_policy instead",
                self.retry_policy.name()
            )));
        }
        if let Some(p) = self.added_retry_policies.iter().find(|p| !p.has_rule()) {
            return Err(Error::InvalidArgument(format!(
                "the added retry policy `{}` has no rule (retry_when), so it would never retry anything",
                p.name()
            )));
        }
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

        let origin: http::Uri = uri
            .parse()
            .map_err(|e| channel_error(format!("not a valid endpoint URI: {e}")))?;
        let user_agent = http::HeaderValue::from_str(&client_type)
            .map_err(|e| channel_error(format!("the user agent is not a valid header: {e}")))?;
        let proxy = self
            .proxy
            .unwrap_or_else(|| {
                connect_proxy::ProxyConfig::from_env(
                    connect_proxy::ProxyEnv::process(),
                    connect_proxy::Caller::Grpc,
                )
            })
            .proxy_for(conn.use_tls(), conn.host(), conn.port())
            .map_err(|source| Error::Proxy {
                endpoint: uri.clone(),
                source,
            })?;
        match &proxy {
            Some(proxy) => {
                tracing::debug!(endpoint = %uri, %proxy, "the channel goes through a proxy")
            }
            None => tracing::trace!(endpoint = %uri, "the channel connects directly"),
        }
        let channel_options = crate::channel::ChannelOptions {
            connect_timeout: self.connect_timeout,
            keep_alive: self.keep_alive,
            stream_window: self.stream_window,
            max_frame_size: self.max_frame_size,
            user_agent,
            tls: conn
                .use_tls()
                .then(|| (conn.host().to_string(), self.root_certificates.clone())),
            proxy,
        };
        let channel =
            crate::channel::Channel::new(channel_options.clone()).map_err(channel_error)?;
        let max = conn.grpc_max_message_size();
        let grpc = GrpcClient::with_origin(channel.clone(), origin.clone())
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
                channel,
                channel_options,
                origin,
                payload_placement: self.payload_placement,
                allocations: Arc::default(),
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
                connected_once: AtomicBool::new(false),
                stream_idle_timeout: self.stream_idle_timeout,
                request_timeout: self.request_timeout,
                retry_policies: RetryPolicies::new(self.added_retry_policies, self.retry_policy),
                on_retry: self.on_retry,
                tags: Mutex::new(Vec::new()),
                arrow_chunking: self.arrow_chunking,
                max_message_size: max,
                ended: Mutex::new(None),
                last_answer: AtomicU64::new(0),
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

    /// Runs a plan and returns its responses as they arrive. The execution is reattachable:
    /// a stream that breaks is resumed where it stopped (see [`ExecuteStream`]).
    pub async fn execute_plan(&self, plan: pb::Plan) -> Result<ExecuteStream, Error> {
        let operation_id = uuid::Uuid::new_v4().to_string();
        let request = pb::ExecutePlanRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            operation_id: Some(operation_id.clone()),
            plan: Some(plan),
            client_type: Some(self.inner.client_type.clone()),
            request_options: vec![
                pb::execute_plan_request::RequestOption {
                    request_option: Some(
                        pb::execute_plan_request::request_option::RequestOption::ReattachOptions(
                            pb::ReattachOptions { reattachable: true },
                        ),
                    ),
                },
                pb::execute_plan_request::RequestOption {
                    request_option: Some(
                        pb::execute_plan_request::request_option::RequestOption::ResultChunkingOptions(
                            pb::ResultChunkingOptions {
                                allow_arrow_batch_chunking: self.inner.arrow_chunking.0,
                                preferred_arrow_chunk_size: self.inner.arrow_chunking.1,
                            },
                        ),
                    ),
                },
            ],
            tags: self.tags(),
        };
        self.check_message_size("ExecutePlan", &request)?;
        tracing::debug!(operation_id = %operation_id, "ExecutePlan");
        ExecuteStream::start(self.clone(), request).await
    }

    /// Asks the server to analyze a plan (schema, explain, version, ...).
    pub async fn analyze(
        &self,
        analyze: pb::analyze_plan_request::Analyze,
    ) -> Result<pb::analyze_plan_response::Result, Error> {
        let message = pb::AnalyzePlanRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            client_type: Some(self.inner.client_type.clone()),
            analyze: Some(analyze),
        };
        self.check_message_size("AnalyzePlan", &message)?;
        let message = &message;
        let response = self
            .retrying("AnalyzePlan", move || async move {
                let request = self
                    .request(message.clone())
                    .await
                    .map_err(Failure::Fatal)?;
                Ok(self.grpc().analyze_plan(request).await?.into_inner())
            })
            .await?;
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
        let message = pb::ConfigRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            operation: Some(operation),
            client_type: Some(self.inner.client_type.clone()),
        };
        let message = &message;
        let response = self
            .retrying("Config", move || async move {
                let request = self
                    .request(message.clone())
                    .await
                    .map_err(Failure::Fatal)?;
                Ok(self.grpc().config(request).await?.into_inner())
            })
            .await?;
        self.check_session(&response.session_id, &response.server_side_session_id)?;
        Ok(response)
    }

    /// Interrupts every operation of this session that is running; returns their ids.
    pub async fn interrupt_all(&self) -> Result<Vec<String>, Error> {
        self.interrupt(pb::interrupt_request::InterruptType::All, None)
            .await
    }

    /// Interrupts the running operations of this session that carry `tag`; returns their ids.
    pub async fn interrupt_tag(&self, tag: &str) -> Result<Vec<String>, Error> {
        check_tag(tag)?;
        self.interrupt(
            pb::interrupt_request::InterruptType::Tag,
            Some(pb::interrupt_request::Interrupt::OperationTag(
                tag.to_string(),
            )),
        )
        .await
    }

    /// Interrupts the operation `operation_id` (see [`ExecuteStream::operation_id`]); returns
    /// its id when it was running.
    pub async fn interrupt_operation(&self, operation_id: &str) -> Result<Vec<String>, Error> {
        self.interrupt(
            pb::interrupt_request::InterruptType::OperationId,
            Some(pb::interrupt_request::Interrupt::OperationId(
                operation_id.to_string(),
            )),
        )
        .await
    }

    async fn interrupt(
        &self,
        kind: pb::interrupt_request::InterruptType,
        interrupt: Option<pb::interrupt_request::Interrupt>,
    ) -> Result<Vec<String>, Error> {
        let message = pb::InterruptRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            client_type: Some(self.inner.client_type.clone()),
            interrupt_type: kind as i32,
            interrupt,
        };
        let message = &message;
        let response = self
            .retrying("Interrupt", move || async move {
                let request = self
                    .request(message.clone())
                    .await
                    .map_err(Failure::Fatal)?;
                Ok(self.grpc().interrupt(request).await?.into_inner())
            })
            .await?;
        self.check_session(&response.session_id, &response.server_side_session_id)?;
        Ok(response.interrupted_ids)
    }

    /// Ends the session on the server (`ReleaseSession`): its temporary views, settings and
    /// cached data are dropped, running operations are interrupted, and from then on this
    /// client (and its clones) refuses every call with [`Error::SessionEnded`], even when the
    /// server could not be told. Ending a session that has already ended does nothing.
    pub async fn release_session(&self) -> Result<(), Error> {
        if self.is_closed() {
            return Ok(());
        }
        let message = pb::ReleaseSessionRequest {
            session_id: self.inner.session_id.clone(),
            user_context: Some(self.inner.user_context.clone()),
            client_type: Some(self.inner.client_type.clone()),
            allow_reconnect: false,
        };
        // Ended from now on, so that calls racing with this one (a release of a finished
        // result, say) are refused, or reported as stopped, rather than closed by the server.
        self.end_session(SessionEndReason::Stopped, None);
        let message = &message;
        let result = self
            .retrying("ReleaseSession", move || async move {
                let request = self
                    .request_even_if_ended(message.clone())
                    .await
                    .map_err(Failure::Fatal)?;
                Ok(self.grpc().release_session(request).await?.into_inner())
            })
            .await
            .and_then(|r| self.check_session(&r.session_id, &r.server_side_session_id));
        match result {
            // The server had ended it already: it is ended all the same.
            Err(e) if e.session_end().is_some() => Ok(()),
            other => other,
        }
    }

    /// Adds `tag` to the operations this client starts from now on, so that
    /// [`interrupt_tag`](Self::interrupt_tag) can stop them. Tags are shared by the clones of
    /// this client.
    pub fn add_tag(&self, tag: &str) -> Result<(), Error> {
        check_tag(tag)?;
        let mut tags = self.lock_tags();
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
        Ok(())
    }

    /// Stops adding `tag` to new operations.
    pub fn remove_tag(&self, tag: &str) {
        self.lock_tags().retain(|t| t != tag);
    }

    /// The tags added to new operations.
    pub fn tags(&self) -> Vec<String> {
        self.lock_tags().clone()
    }

    /// Stops adding any tag to new operations.
    pub fn clear_tags(&self) {
        self.lock_tags().clear();
    }

    fn lock_tags(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        // A plain list: a panic elsewhere cannot leave it inconsistent.
        self.inner.tags.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the server for the full description of the error it keeps under `error_id`
    /// (causes, query context, server stack trace when enabled).
    pub async fn fetch_error_details(
        &self,
        error_id: &str,
    ) -> Result<pb::FetchErrorDetailsResponse, Error> {
        let message = pb::FetchErrorDetailsRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            error_id: error_id.to_string(),
            client_type: Some(self.inner.client_type.clone()),
        };
        let message = &message;
        self.retrying("FetchErrorDetails", move || async move {
            let request = self
                .request(message.clone())
                .await
                .map_err(Failure::Fatal)?;
            Ok(self.grpc().fetch_error_details(request).await?.into_inner())
        })
        .await
    }

    /// Adds the server's error chain to a server error that carries an error id. One attempt
    /// under the request deadline; when it fails, the error is returned as it was.
    pub(crate) async fn with_error_details(&self, e: Error) -> Error {
        let Error::Server(mut server) = e else {
            return e;
        };
        let Some(error_id) = server.error_id().map(str::to_string) else {
            return Error::Server(server);
        };
        let message = pb::FetchErrorDetailsRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            error_id,
            client_type: Some(self.inner.client_type.clone()),
        };
        let call = async {
            let request = self.request(message).await?;
            self.grpc()
                .fetch_error_details(request)
                .await
                .map_err(|s| self.status_error(s))
        };
        match self
            .under_deadline("FetchErrorDetails", Some(self.single_attempt_limit()), call)
            .await
            .and_then(|r| r)
        {
            Ok(response) => server.set_chain(ErrorCause::chain_from(&response.into_inner())),
            Err(e) => tracing::debug!(error = %e, "FetchErrorDetails failed"),
        }
        Error::Server(server)
    }

    /// `ReleaseExecute` for an operation: all of it (`until` = `None`) or its responses up to
    /// and including `until`. One attempt under the request deadline; the server also drops
    /// abandoned operations by itself, so a failure here loses nothing.
    pub(crate) async fn release_execute(
        &self,
        operation_id: &str,
        until: Option<String>,
    ) -> Result<(), Error> {
        use pb::release_execute_request::{Release, ReleaseAll, ReleaseUntil};
        let release = match until {
            Some(response_id) => Release::ReleaseUntil(ReleaseUntil { response_id }),
            None => Release::ReleaseAll(ReleaseAll {}),
        };
        let message = pb::ReleaseExecuteRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            operation_id: operation_id.to_string(),
            client_type: Some(self.inner.client_type.clone()),
            release: Some(release),
        };
        let call = async {
            let request = self.request(message).await?;
            self.grpc()
                .release_execute(request)
                .await
                .map_err(|s| self.status_error(s))
        };
        self.under_deadline("ReleaseExecute", Some(self.single_attempt_limit()), call)
            .await?
            .map(|_| ())
    }

    /// The deadline of a call made once, without retries: the request timeout, and even when
    /// that is turned off, the default, so that a best-effort call never waits forever.
    fn single_attempt_limit(&self) -> Duration {
        self.inner
            .request_timeout
            .unwrap_or(DEFAULT_REQUEST_TIMEOUT)
    }

    /// Runs one attempt of the RPC `rpc` under `limit` (none: no deadline); an overrun is
    /// `Error::Timeout` naming the call.
    async fn under_deadline<T>(
        &self,
        rpc: &str,
        limit: Option<Duration>,
        call: impl Future<Output = T>,
    ) -> Result<T, Error> {
        let Some(limit) = limit else {
            return Ok(call.await);
        };
        tokio::time::timeout(limit, call)
            .await
            .map_err(|_| Error::Timeout {
                endpoint: self.inner.endpoint.clone(),
                what: format!("{rpc} call"),
                after: limit,
            })
    }
}

/// The error after `retries` retries: the last error, saying that retries were spent.
pub(crate) fn gave_up(last: Error, state: &RetryState, started: Instant) -> Error {
    let retries = state.spent();
    // A failure no policy retries is itself the answer, even after earlier retries.
    if retries == 0 || !state.gave_up() {
        return last;
    }
    Error::RetriesExhausted {
        retries,
        elapsed: started.elapsed(),
        last: Box::new(last),
        hint: state.give_up_hint().map(str::to_string),
    }
}

fn check_tag(tag: &str) -> Result<(), Error> {
    if tag.is_empty() || tag.contains(',') {
        return Err(Error::InvalidArgument(format!(
            "an operation tag must be non-empty and contain no ',', found '{tag}'"
        )));
    }
    Ok(())
}

/// An error for an analyze result of the wrong kind.
pub fn unexpected(expected: &str, got: &pb::analyze_plan_response::Result) -> Error {
    let got = format!("{got:?}");
    let name = got.split('(').next().unwrap_or("unknown");
    Error::Protocol(format!("expected a {expected} result, got {name}"))
}

fn status_to_error(endpoint: &str, status: tonic::Status) -> Error {
    // A proxy that could not be reached or refused the tunnel says so itself.
    let mut source = std::error::Error::source(&status);
    while let Some(cause) = source {
        if let Some(proxy) = cause.downcast_ref::<connect_proxy::ProxyError>() {
            return Error::Proxy {
                endpoint: endpoint.to_string(),
                source: proxy.clone(),
            };
        }
        source = cause.source();
    }
    let server = ServerError::from_status(&status);
    // A transport failure (refused, reset, TLS, keep-alive timeout) carries no Spark error
    // details.
    if server.classes().is_empty()
        && (status.code() == tonic::Code::Unavailable
            || crate::retry::is_broken_connection(&status))
    {
        let mut message =
            crate::error::with_causes(status.message(), std::error::Error::source(&status));
        if message.contains("keep-alive timed out") {
            message.push_str(
                " (the server did not answer HTTP/2 keep-alive pings: it is frozen or overloaded, or the network dropped the connection)",
            );
        } else if crate::retry::is_broken_connection(&status) && !message.contains("connect") {
            message.push_str(" (the connection broke)");
        }
        return Error::Unavailable {
            endpoint: endpoint.to_string(),
            message,
            source: Some(Box::new(FailedCall(status))),
        };
    }
    Error::Server(Box::new(server))
}

/// A call that failed below gRPC, kept as the cause of [`Error::Unavailable`]: shows as the
/// status's message (tonic's `Display` of a status adds the `Debug` of its source), and its
/// source is the status's (hyper's error, the I/O or TLS error).
#[derive(Debug)]
struct FailedCall(tonic::Status);

impl fmt::Display for FailedCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.message())
    }
}

impl std::error::Error for FailedCall {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
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
