//! The tunnel: `CONNECT host:port` to the proxy, then bytes to and from the target.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use hyper::upgrade::Upgraded;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::error::{ProxyError, ProxyErrorKind};
use crate::rules::Proxy;

/// An open tunnel: what is written goes to the target, what the target sends is read.
/// TLS to the target runs on top of it as on a TCP connection.
pub struct Tunnel {
    io: TokioIo<Upgraded>,
}

impl std::fmt::Debug for Tunnel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tunnel")
    }
}

/// Opens a tunnel to `host:port` through `proxy`: connects to the proxy (resolving the
/// proxy's name, never the target's), sends `CONNECT host:port` with the proxy's Basic
/// credentials, and hands over the connection once the proxy answers 2xx. Connecting and the
/// proxy's answer each get `timeout`.
///
/// The error says what failed: the proxy unreachable, credentials refused (407), the tunnel
/// forbidden (403) or refused with another status, each naming the proxy (without its
/// password) and the variable it came from.
///
/// ```no_run
/// use std::time::Duration;
/// use connect_proxy::{ProxyConfig, connect};
///
/// # async fn demo() -> Result<(), connect_proxy::ProxyError> {
/// let proxy = ProxyConfig::url("http://proxy.corp:3128")?
///     .proxy_for(true, "adb-1.azuredatabricks.net", 443)?
///     .expect("explicit");
/// let tunnel = connect(&proxy, "adb-1.azuredatabricks.net", 443, Duration::from_secs(30)).await?;
/// // Start TLS with the workspace over `tunnel` (it is AsyncRead + AsyncWrite).
/// # drop(tunnel);
/// # Ok(())
/// # }
/// ```
pub async fn connect(
    proxy: &Proxy,
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<Tunnel, ProxyError> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let tcp = tokio::time::timeout(timeout, dial(proxy))
        .await
        .map_err(|_| {
            ProxyError::new(
                ProxyErrorKind::Unreachable,
                format!("cannot connect to the proxy {proxy}: no connection within {timeout:?}"),
            )
        })??;
    let _ = tcp.set_nodelay(true);
    tokio::time::timeout(timeout, handshake(proxy, tcp, &target))
        .await
        .map_err(|_| {
            ProxyError::new(
                ProxyErrorKind::Protocol,
                format!(
                    "the proxy {proxy} did not answer the request for a tunnel to {target} within {timeout:?}"
                ),
            )
        })?
}

async fn dial(proxy: &Proxy) -> Result<TcpStream, ProxyError> {
    let unreachable = |e: std::io::Error| {
        ProxyError::new(
            ProxyErrorKind::Unreachable,
            format!("cannot connect to the proxy {proxy}: {e}"),
        )
        .with_source(e)
    };
    let addrs = tokio::net::lookup_host((proxy.host(), proxy.port()))
        .await
        .map_err(unreachable)?;
    let mut last = None;
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                tracing::debug!(proxy = %proxy, %addr, "connected to the proxy");
                return Ok(stream);
            }
            Err(e) => last = Some(e),
        }
    }
    Err(unreachable(last.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "the proxy's name resolves to no address",
        )
    })))
}

async fn handshake(proxy: &Proxy, tcp: TcpStream, target: &str) -> Result<Tunnel, ProxyError> {
    let broken = |e: hyper::Error| {
        ProxyError::new(
            ProxyErrorKind::Protocol,
            format!("the proxy {proxy} broke off the request for a tunnel to {target}: {e}"),
        )
        .with_source(e)
    };
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake::<_, http_body_util::Empty<Bytes>>(TokioIo::new(tcp))
            .await
            .map_err(broken)?;
    // Drives the HTTP/1.1 exchange until the connection is handed over (or fails); stopped
    // when this handshake ends or is dropped (a timeout), so a silent proxy leaves no task.
    let _driver = AbortOnDrop(tokio::spawn(connection.with_upgrades()));
    let mut request = Request::builder()
        .method(Method::CONNECT)
        .uri(target)
        .header(header::HOST, target);
    if let Some(authorization) = proxy.authorization() {
        request = request.header(header::PROXY_AUTHORIZATION, authorization.clone());
    }
    let request = request.body(http_body_util::Empty::new()).map_err(|e| {
        ProxyError::new(
            ProxyErrorKind::InvalidSetting,
            format!("cannot ask the proxy {proxy} for a tunnel to {target}: {e}"),
        )
    })?;
    let response = match sender.send_request(request).await {
        Ok(response) => response,
        Err(e) => return Err(broken(e)),
    };
    let status = response.status();
    if !status.is_success() {
        return Err(refused(proxy, target, status, response.headers()));
    }
    let upgraded = hyper::upgrade::on(response).await.map_err(broken)?;
    tracing::debug!(proxy = %proxy, target, "tunnel open");
    Ok(Tunnel {
        io: TokioIo::new(upgraded),
    })
}

/// Aborts the task when dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn refused(
    proxy: &Proxy,
    target: &str,
    status: StatusCode,
    headers: &http::HeaderMap,
) -> ProxyError {
    let shown = match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    };
    // Squid says why in a header; other proxies only in their HTML page.
    let why = headers
        .get("x-squid-error")
        .and_then(|v| v.to_str().ok())
        .map(|v| format!(", {v}"))
        .unwrap_or_default();
    let (kind, message) = match status {
        StatusCode::PROXY_AUTHENTICATION_REQUIRED => match proxy.user() {
            Some(user) => (
                ProxyErrorKind::AuthenticationRequired,
                format!(
                    "the proxy {proxy} refused the credentials of user {user} ({shown}): check the user name and password in {}",
                    proxy.source().setting()
                ),
            ),
            None => (
                ProxyErrorKind::AuthenticationRequired,
                format!(
                    "the proxy {proxy} requires credentials ({shown}): give them in {} as http://user:password@host:port",
                    proxy.source().setting()
                ),
            ),
        },
        StatusCode::FORBIDDEN => (
            ProxyErrorKind::Forbidden,
            format!("the proxy {proxy} forbids a tunnel to {target} ({shown}{why})"),
        ),
        _ => (
            ProxyErrorKind::TunnelRefused,
            format!(
                "the proxy {proxy} did not open a tunnel to {target}: it answered {shown}{why}"
            ),
        ),
    };
    ProxyError::new(kind, message).with_status(status.as_u16())
}

impl AsyncRead for Tunnel {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tunnel {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProxyConfig;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A one-connection fake proxy: reads the request head, answers `answer`, then echoes.
    async fn fake_proxy(answer: &'static str) -> (u16, tokio::task::JoinHandle<String>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") {
                if s.read(&mut byte).await.unwrap() == 0 {
                    break;
                }
                head.push(byte[0]);
            }
            s.write_all(answer.as_bytes()).await.unwrap();
            // Echo, so the test can see the tunnel carries bytes both ways.
            let mut buf = [0u8; 64];
            if let Ok(n) = s.read(&mut buf).await {
                let _ = s.write_all(&buf[..n]).await;
            }
            String::from_utf8(head).unwrap()
        });
        (port, task)
    }

    fn proxy(url: &str) -> Proxy {
        ProxyConfig::url(url)
            .unwrap()
            .proxy_for(true, "x", 1)
            .unwrap()
            .unwrap()
    }

    #[tokio::test]
    async fn a_tunnel_carries_bytes_and_sends_the_credentials() {
        let (port, task) = fake_proxy("HTTP/1.1 200 Connection established\r\n\r\n").await;
        let p = proxy(&format!("http://Aladdin:open%20sesame@127.0.0.1:{port}"));
        let mut t = connect(&p, "ws.example", 443, Duration::from_secs(5))
            .await
            .unwrap();
        t.write_all(b"ping").await.unwrap();
        let mut back = [0u8; 4];
        t.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"ping");
        let head = task.await.unwrap();
        assert!(
            head.starts_with("CONNECT ws.example:443 HTTP/1.1\r\n"),
            "{head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains("host: ws.example:443\r\n"),
            "{head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains("proxy-authorization: basic qwxhzgrpbjpvcgvuihnlc2ftzq==\r\n"),
            "{head}"
        );
    }

    #[tokio::test]
    async fn refusals_are_clear_and_never_show_the_password() {
        let cases: &[(&str, &str, ProxyErrorKind, &str)] = &[
            (
                "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n",
                "http://bob:hunter2@127.0.0.1",
                ProxyErrorKind::AuthenticationRequired,
                "refused the credentials of user bob (407 Proxy Authentication Required)",
            ),
            (
                "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n",
                "http://127.0.0.1",
                ProxyErrorKind::AuthenticationRequired,
                "requires credentials (407 Proxy Authentication Required): give them in the explicit proxy setting",
            ),
            (
                "HTTP/1.1 403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Length: 0\r\n\r\n",
                "http://bob:hunter2@127.0.0.1",
                ProxyErrorKind::Forbidden,
                "forbids a tunnel to [::1]:8443 (403 Forbidden, ERR_ACCESS_DENIED 0)",
            ),
            (
                "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n",
                "http://127.0.0.1",
                ProxyErrorKind::TunnelRefused,
                "did not open a tunnel to [::1]:8443: it answered 502 Bad Gateway",
            ),
            (
                "SSH-2.0-not-http\r\n\r\n",
                "http://127.0.0.1",
                ProxyErrorKind::Protocol,
                "broke off the request for a tunnel",
            ),
        ];
        for (answer, url, kind, expected) in cases {
            let (port, _task) = fake_proxy(answer).await;
            let p = proxy(&format!("{url}:{port}"));
            let err = connect(&p, "::1", 8443, Duration::from_secs(5))
                .await
                .unwrap_err();
            assert_eq!(err.kind(), *kind, "{err}");
            let text = err.to_string();
            assert!(text.contains(expected), "{text}");
            assert!(text.contains(&format!("127.0.0.1:{port}")), "{text}");
            assert!(!format!("{text} {err:?}").contains("hunter2"), "{text}");
        }
    }

    #[tokio::test]
    async fn a_silent_proxy_times_out() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let held = tokio::spawn(async move { listener.accept().await });
        let p = proxy(&format!("http://127.0.0.1:{port}"));
        let err = connect(&p, "ws.example", 443, Duration::from_millis(300))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ProxyErrorKind::Protocol);
        assert!(
            err.to_string()
                .contains("did not answer the request for a tunnel to ws.example:443 within 300ms"),
            "{err}"
        );
        drop(held);
    }

    #[tokio::test]
    async fn an_unreachable_proxy_is_named() {
        // Bind and drop: nothing listens on the port any more.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let p = proxy(&format!("http://u:hunter2@127.0.0.1:{port}"));
        let err = connect(&p, "ws.example", 443, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ProxyErrorKind::Unreachable);
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "cannot connect to the proxy http://u@127.0.0.1:{port} (set explicitly): "
            )),
            "{text}"
        );
        assert!(!text.contains("hunter2"));
    }
}
