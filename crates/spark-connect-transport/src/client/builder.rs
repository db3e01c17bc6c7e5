//! [`ClientBuilder`]: the settings of a client (headers, TLS roots, user agent, keep-alive,
//! deadlines, retries, HTTP/2 windows, proxy) and `build`, which checks them and makes the
//! channel.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use spark_connect_proto::spark::connect as pb;

use super::{GrpcClient, Inner, SparkConnectClient};
use crate::ConnectionString;
use crate::error::Error;
use crate::retry::{RetryEvent, RetryPolicies, RetryPolicy};

use super::headers::{Header, HeaderSource};

/// The user agent sent when neither the connection string nor the builder names one.
pub const DEFAULT_USER_AGENT: &str = "_SPARK_CONNECT_RUST";

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
    server_version: Option<crate::ServerVersion>,
    stream_window: Option<u32>,
    max_frame_size: Option<u32>,
    payload_placement: Option<crate::responses::PayloadPlacement>,
    proxy: Option<connect_proxy::ProxyConfig>,
}

/// Called before each wait for a retry; see [`ClientBuilder::on_retry`].
pub(super) type RetryObserver = Arc<dyn Fn(&RetryEvent<'_>) + Send + Sync>;

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
            .field("server_version", &self.server_version)
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
            server_version: None,
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

    /// The server's Spark version, when it is known beforehand (a Databricks cluster's
    /// runtime, say), so that the client need not ask it: requests that use a feature newer
    /// than this version are refused before they are sent (see [`Feature`]). Without it the
    /// version is asked once, when a request first uses such a feature.
    ///
    /// ```
    /// use spark_connect_transport::{ConnectionString, SparkConnectClient, ServerVersion};
    ///
    /// let conn: ConnectionString = "sc://127.0.0.1:1".parse()?;
    /// let client = SparkConnectClient::builder(conn).server_version(ServerVersion::new("3.5.2")).build()?;
    /// assert_eq!(client.known_server_version().map(|v| v.reported()), Some("3.5.2"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// [`Feature`]: crate::Feature
    pub fn server_version(mut self, version: crate::ServerVersion) -> Self {
        self.server_version = Some(version);
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
                server_version: tokio::sync::OnceCell::new_with(self.server_version),
                max_message_size: max,
                ended: Mutex::new(None),
                last_answer: AtomicU64::new(0),
            }),
        })
    }
}
