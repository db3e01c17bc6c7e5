//! The HTTP/2 channel under the gRPC client.
//!
//! tonic's own `Channel` cannot set the HTTP/2 maximum frame size, and its 16 KiB default is
//! what large results pay for most: every 16 KiB of a result was one frame, one socket read of
//! about 8 KiB on average and one wake-up of the reading task (84,000 reads and 130,000 futex
//! calls for 690 MB). So the channel is hyper's pooled client (one HTTP/2 connection, made
//! lazily and again after it breaks) with a connector of this crate's own: TCP, then TLS with
//! rustls when the connection string asks for it. Everything else tonic's channel did here
//! (origin, user agent, windows, keep-alive, connect timeout, mapping a failed connect to
//! `UNAVAILABLE`) is done the same way.
//!
//! Through an HTTP proxy, the connector dials the proxy instead and asks it for a tunnel
//! (`CONNECT host:port`, see the `connect-proxy` crate); TLS then runs inside the tunnel with
//! the target's name, so SNI and certificate checks are the same as without a proxy, and the
//! client never resolves the target's name itself. A proxy that cannot be reached or refuses
//! the tunnel is a failed connect, which the retry policy treats as any other.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::{HeaderValue, Request, Response, Uri};
use hyper::body::Incoming;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio_rustls::rustls;

use crate::client::KeepAlive;
use crate::error::BoxError;

/// The largest HTTP/2 flow-control window.
const MAX_WINDOW: u32 = (1 << 31) - 1;

/// The gRPC status of a failed HTTP/2 exchange, the same whichever tonic features the build has
/// (tonic maps hyper's errors only with its `channel` or `server` feature): a keep-alive
/// timeout is `UNAVAILABLE`, a cancelled request `CANCELLED`, anything else `UNKNOWN`; the
/// error stays the status's source, which tells the retry policy it was not the server's.
pub(crate) fn transport_status(
    err: impl std::error::Error + Send + Sync + 'static,
) -> tonic::Status {
    let mut code = tonic::Code::Unknown;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(e) = source {
        if let Some(hyper) = e.downcast_ref::<hyper::Error>() {
            if hyper.is_timeout() {
                code = tonic::Code::Unavailable;
            } else if hyper.is_canceled() {
                code = tonic::Code::Cancelled;
            }
            break;
        }
        source = e.source();
    }
    let mut status = tonic::Status::new(code, err.to_string());
    status.set_source(Arc::new(err));
    status
}

/// The HTTP/2 settings and TLS of a channel.
#[derive(Clone)]
pub(crate) struct ChannelOptions {
    pub(crate) connect_timeout: Duration,
    pub(crate) keep_alive: KeepAlive,
    /// `None`: hyper's adaptive window.
    pub(crate) stream_window: Option<u32>,
    /// `None`: the protocol's default (16 KiB).
    pub(crate) max_frame_size: Option<u32>,
    pub(crate) user_agent: HeaderValue,
    /// `Some` for TLS: the server name to verify and the extra CA certificates (PEM).
    pub(crate) tls: Option<(String, Vec<Vec<u8>>)>,
    /// The HTTP proxy to tunnel through, if any.
    pub(crate) proxy: Option<connect_proxy::Proxy>,
}

/// A cheap-to-clone gRPC channel: requests go to `origin` over one pooled HTTP/2 connection.
#[derive(Clone)]
pub(crate) struct Channel {
    client: Client<Connector, tonic::body::Body>,
    user_agent: HeaderValue,
}

impl Channel {
    /// Makes the channel; nothing connects until the first request.
    pub(crate) fn new(options: ChannelOptions) -> Result<Channel, String> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(options.connect_timeout));
        let tls = match options.tls {
            Some((server_name, extra_roots)) => Some(Tls::new(&server_name, &extra_roots)?),
            None => None,
        };
        let connector = Connector {
            http,
            tls: tls.map(Arc::new),
            proxy: options.proxy.map(Arc::new),
            connect_timeout: options.connect_timeout,
        };
        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .http2_only(true)
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            // One connection for the client's life, as tonic's channel kept it: keep-alive
            // pings (not an idle timer) tell when it died, and it is made again on the next call.
            .pool_idle_timeout(None)
            .http2_max_frame_size(options.max_frame_size);
        match options.stream_window {
            // HTTP/2 windows stop at 2^31 - 1 (h2 refuses more).
            Some(window) => builder
                .http2_initial_stream_window_size(window.min(MAX_WINDOW))
                .http2_initial_connection_window_size(window.saturating_mul(2).min(MAX_WINDOW)),
            None => builder.http2_adaptive_window(true),
        };
        if options.keep_alive.enabled {
            builder
                .http2_keep_alive_interval(options.keep_alive.interval)
                .http2_keep_alive_timeout(options.keep_alive.timeout)
                .http2_keep_alive_while_idle(options.keep_alive.while_idle);
        }
        Ok(Channel {
            client: builder.build(connector),
            user_agent: options.user_agent,
        })
    }
}

impl tower_service::Service<Request<tonic::body::Body>> for Channel {
    type Response = Response<Incoming>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Incoming>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        // The pooled client queues requests itself.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request<tonic::body::Body>) -> Self::Future {
        request
            .headers_mut()
            .insert(http::header::USER_AGENT, self.user_agent.clone());
        let response = self.client.request(request);
        Box::pin(async move {
            response.await.map_err(|e| -> BoxError {
                if e.is_connect() {
                    // tonic reports this as UNAVAILABLE, and the retry policy knows it as a
                    // connection that could not be made.
                    Box::new(tonic::ConnectError(Box::new(e)))
                } else {
                    Box::new(transport_status(e))
                }
            })
        })
    }
}

/// TLS on top of a TCP connection: the platform's roots (which honour `SSL_CERT_FILE` and
/// `SSL_CERT_DIR`) plus the extra CA certificates, HTTP/2 by ALPN.
struct Tls {
    config: Arc<rustls::ClientConfig>,
    server_name: rustls::pki_types::ServerName<'static>,
}

impl Tls {
    fn new(server_name: &str, extra_roots: &[Vec<u8>]) -> Result<Tls, String> {
        use rustls::pki_types::pem::PemObject;

        let mut roots = rustls::RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        if !native.errors.is_empty() {
            tracing::debug!(errors = ?native.errors, "some platform CA certificates could not be loaded");
        }
        roots.add_parsable_certificates(native.certs);
        for (i, pem) in extra_roots.iter().enumerate() {
            let mut found = 0;
            for cert in rustls::pki_types::CertificateDer::pem_slice_iter(pem) {
                let cert = cert
                    .map_err(|e| format!("extra CA certificate {} is not valid PEM: {e}", i + 1))?;
                roots.add(cert).map_err(|e| {
                    format!(
                        "extra CA certificate {} is not a usable CA certificate: {e}",
                        i + 1
                    )
                })?;
                found += 1;
            }
            if found == 0 {
                return Err(format!(
                    "extra CA certificate {} holds no PEM `CERTIFICATE` block",
                    i + 1
                ));
            }
        }
        if roots.is_empty() {
            return Err(
                "no CA certificates: the platform has none (set SSL_CERT_FILE or \
                        SSL_CERT_DIR) and none were given"
                    .to_string(),
            );
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS configuration: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec()];
        let server_name = rustls::pki_types::ServerName::try_from(server_name.to_string())
            .map_err(|e| format!("`{server_name}` is not a valid TLS server name: {e}"))?;
        Ok(Tls {
            config: Arc::new(config),
            server_name,
        })
    }
}

/// Connects TCP (directly, or through a tunnel of the proxy), then TLS when configured.
#[derive(Clone)]
struct Connector {
    http: HttpConnector,
    tls: Option<Arc<Tls>>,
    proxy: Option<Arc<connect_proxy::Proxy>>,
    connect_timeout: Duration,
}

/// The connection a [`Connector`] makes.
enum Io {
    Plain(TokioIo<tokio::net::TcpStream>),
    Tls(Box<TokioIo<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>>),
    Tunnel(TokioIo<connect_proxy::Tunnel>),
    TunnelTls(Box<TokioIo<tokio_rustls::client::TlsStream<connect_proxy::Tunnel>>>),
}

impl tower_service::Service<Uri> for Connector {
    type Response = Io;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Io, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let tls = self.tls.clone();
        if let Some(proxy) = self.proxy.clone() {
            let timeout = self.connect_timeout;
            return Box::pin(async move {
                let host = uri.host().unwrap_or_default().to_string();
                let port = uri
                    .port_u16()
                    .unwrap_or(if tls.is_some() { 443 } else { 80 });
                let tunnel = connect_proxy::connect(&proxy, &host, port, timeout).await?;
                let Some(tls) = tls else {
                    return Ok(Io::Tunnel(TokioIo::new(tunnel)));
                };
                let stream = tls.handshake(tunnel).await?;
                Ok(Io::TunnelTls(Box::new(TokioIo::new(stream))))
            });
        }
        let tcp = self.http.call(uri);
        Box::pin(async move {
            let tcp = tcp.await?;
            let Some(tls) = tls else {
                return Ok(Io::Plain(tcp));
            };
            let stream = tls.handshake(tcp.into_inner()).await?;
            Ok(Io::Tls(Box::new(TokioIo::new(stream))))
        })
    }
}

impl Tls {
    /// TLS with the server over `io`, insisting on HTTP/2.
    async fn handshake<S>(&self, io: S) -> Result<tokio_rustls::client::TlsStream<S>, BoxError>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let stream = tokio_rustls::TlsConnector::from(self.config.clone())
            .connect(self.server_name.clone(), io)
            .await?;
        if stream.get_ref().1.alpn_protocol() != Some(b"h2") {
            return Err("the server did not agree to HTTP/2 in the TLS handshake (ALPN)".into());
        }
        Ok(stream)
    }
}

impl Connection for Io {
    fn connected(&self) -> Connected {
        Connected::new().negotiated_h2()
    }
}

impl hyper::rt::Read for Io {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Io::Plain(io) => Pin::new(io).poll_read(cx, buf),
            Io::Tls(io) => Pin::new(io.as_mut()).poll_read(cx, buf),
            Io::Tunnel(io) => Pin::new(io).poll_read(cx, buf),
            Io::TunnelTls(io) => Pin::new(io.as_mut()).poll_read(cx, buf),
        }
    }
}

impl hyper::rt::Write for Io {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Io::Plain(io) => Pin::new(io).poll_write(cx, buf),
            Io::Tls(io) => Pin::new(io.as_mut()).poll_write(cx, buf),
            Io::Tunnel(io) => Pin::new(io).poll_write(cx, buf),
            Io::TunnelTls(io) => Pin::new(io.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Io::Plain(io) => Pin::new(io).poll_flush(cx),
            Io::Tls(io) => Pin::new(io.as_mut()).poll_flush(cx),
            Io::Tunnel(io) => Pin::new(io).poll_flush(cx),
            Io::TunnelTls(io) => Pin::new(io.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Io::Plain(io) => Pin::new(io).poll_shutdown(cx),
            Io::Tls(io) => Pin::new(io.as_mut()).poll_shutdown(cx),
            Io::Tunnel(io) => Pin::new(io).poll_shutdown(cx),
            Io::TunnelTls(io) => Pin::new(io.as_mut()).poll_shutdown(cx),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Io::Plain(io) => io.is_write_vectored(),
            Io::Tls(io) => io.is_write_vectored(),
            Io::Tunnel(io) => io.is_write_vectored(),
            Io::TunnelTls(io) => io.is_write_vectored(),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Io::Plain(io) => Pin::new(io).poll_write_vectored(cx, bufs),
            Io::Tls(io) => Pin::new(io.as_mut()).poll_write_vectored(cx, bufs),
            Io::Tunnel(io) => Pin::new(io).poll_write_vectored(cx, bufs),
            Io::TunnelTls(io) => Pin::new(io.as_mut()).poll_write_vectored(cx, bufs),
        }
    }
}
