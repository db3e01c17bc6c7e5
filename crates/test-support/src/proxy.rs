//! A fault-injecting TCP proxy for reliability tests: it sits between a client and a real
//! server on loopback and cuts, stalls, refuses or resets connections on cue.
//!
//! ```no_run
//! use test_support::proxy::FaultProxy;
//!
//! let upstream = "127.0.0.1:15002".parse().unwrap();
//! let proxy = FaultProxy::start(upstream).unwrap();
//! proxy.cut_every(4 << 20); // each connection ends after 4 MiB towards the client
//! let url = format!("sc://{}", proxy.addr());
//! # let _ = url;
//! ```
//!
//! Plain threads and blocking sockets: the proxy needs no async runtime, so a test's runtime
//! (and its timers) never starve it. It listens on 127.0.0.1 only and forwards only to a
//! loopback address.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// A running proxy; stops accepting and closes every connection when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    state: Arc<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Bytes towards the client after which a connection is cut (0: never).
    cut_after: AtomicU64,
    stalled: AtomicBool,
    refusing: AtomicBool,
    stopped: AtomicBool,
    connections: AtomicU64,
    cuts: AtomicU64,
    refused: AtomicU64,
    bytes_down: AtomicU64,
    bytes_up: AtomicU64,
    open: Mutex<Vec<(u64, TcpStream, TcpStream)>>,
}

impl FaultProxy {
    /// Starts a proxy on a free port of 127.0.0.1 that forwards to `upstream`, which must be a
    /// loopback address. No fault is active until one is asked for.
    pub fn start(upstream: SocketAddr) -> io::Result<FaultProxy> {
        if !upstream.ip().is_loopback() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("the fault proxy forwards only to loopback, not to {upstream}"),
            ));
        }
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let state = Arc::new(State::default());
        let accept_state = state.clone();
        thread::Builder::new()
            .name(format!("fault-proxy-{}", addr.port()))
            .spawn(move || accept_loop(listener, upstream, accept_state))?;
        Ok(FaultProxy { addr, state })
    }

    /// The address to connect to instead of the server.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Cuts each connection once `bytes` bytes were forwarded towards the client (counting
    /// from when the connection opened); `0` turns cutting off.
    pub fn cut_every(&self, bytes: u64) {
        self.state.cut_after.store(bytes, Ordering::SeqCst);
    }

    /// Stops forwarding in both directions while `stalled`: connections stay open but nothing
    /// passes, as with a frozen server or a black-holed network path.
    pub fn set_stalled(&self, stalled: bool) {
        self.state.stalled.store(stalled, Ordering::SeqCst);
    }

    /// While `refusing`, new connections are closed as soon as they are accepted.
    pub fn set_refusing(&self, refusing: bool) {
        self.state.refusing.store(refusing, Ordering::SeqCst);
    }

    /// Closes every open connection now.
    pub fn reset_all(&self) {
        let open = std::mem::take(&mut *lock(&self.state.open));
        for (_, client, server) in open {
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
        }
    }

    /// Connections accepted so far (refused ones included).
    pub fn connections(&self) -> u64 {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Connections cut by [`cut_every`](Self::cut_every) so far.
    pub fn cuts(&self) -> u64 {
        self.state.cuts.load(Ordering::SeqCst)
    }

    /// Connections refused so far.
    pub fn refused(&self) -> u64 {
        self.state.refused.load(Ordering::SeqCst)
    }

    /// Bytes forwarded towards the client so far.
    pub fn bytes_down(&self) -> u64 {
        self.state.bytes_down.load(Ordering::SeqCst)
    }

    /// Bytes received from clients so far, including those held back while stalled (which
    /// reach the server only if the connection survives the stall): lets a test see that a
    /// request was sent into a stalled connection.
    pub fn bytes_up(&self) -> u64 {
        self.state.bytes_up.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.state.stopped.store(true, Ordering::SeqCst);
        self.set_stalled(false);
        self.reset_all();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn accept_loop(listener: TcpListener, upstream: SocketAddr, state: Arc<State>) {
    let mut next_id = 0u64;
    while !state.stopped.load(Ordering::SeqCst) {
        let client = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
                continue;
            }
            Err(_) => {
                thread::sleep(Duration::from_millis(5));
                continue;
            }
        };
        state.connections.fetch_add(1, Ordering::SeqCst);
        if state.refusing.load(Ordering::SeqCst) {
            state.refused.fetch_add(1, Ordering::SeqCst);
            let _ = client.shutdown(Shutdown::Both);
            continue;
        }
        let server = match TcpStream::connect_timeout(&upstream, Duration::from_secs(5)) {
            Ok(s) => s,
            Err(_) => {
                let _ = client.shutdown(Shutdown::Both);
                continue;
            }
        };
        next_id += 1;
        if let Err(e) = connect_pair(next_id, client, server, &state) {
            // Only when the system refuses threads or socket clones; drop this connection.
            let _ = e;
        }
    }
}

fn connect_pair(
    id: u64,
    client: TcpStream,
    server: TcpStream,
    state: &Arc<State>,
) -> io::Result<()> {
    client.set_nonblocking(false)?;
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    lock(&state.open).push((id, client.try_clone()?, server.try_clone()?));
    let down = Arc::new(AtomicU64::new(0));
    let (c_read, c_write) = (client.try_clone()?, client);
    let (s_read, s_write) = (server.try_clone()?, server);
    let up_state = state.clone();
    let up_down = down.clone();
    thread::Builder::new()
        .name("fault-proxy-up".into())
        .spawn(move || {
            pump(id, c_read, s_write, &up_state, None, &up_down);
        })?;
    let down_state = state.clone();
    thread::Builder::new()
        .name("fault-proxy-down".into())
        .spawn(move || {
            pump(id, s_read, c_write, &down_state, Some(()), &down);
        })?;
    Ok(())
}

/// Copies `from` to `to` until either side closes, honouring stalls; towards the client
/// (`downstream`), counts bytes and cuts the connection at the configured size.
fn pump(
    id: u64,
    mut from: TcpStream,
    mut to: TcpStream,
    state: &State,
    downstream: Option<()>,
    down: &AtomicU64,
) {
    let mut buf = vec![0u8; 64 * 1024];
    // A short read timeout lets a stalled or stopped proxy notice changes.
    let _ = from.set_read_timeout(Some(Duration::from_millis(50)));
    loop {
        if state.stopped.load(Ordering::SeqCst) {
            break;
        }
        // Towards the server, bytes are read (and counted) while stalled, and held back below.
        if downstream.is_some() && state.stalled.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(10));
            continue;
        }
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(_) => break,
        };
        let mut len = n;
        let mut cut = false;
        if downstream.is_some() {
            let limit = state.cut_after.load(Ordering::SeqCst);
            let sent = down.load(Ordering::SeqCst);
            if limit > 0 && sent + n as u64 >= limit {
                len = limit.saturating_sub(sent) as usize;
                cut = true;
            }
            down.fetch_add(len as u64, Ordering::SeqCst);
            state.bytes_down.fetch_add(len as u64, Ordering::SeqCst);
        } else {
            state.bytes_up.fetch_add(len as u64, Ordering::SeqCst);
        }
        while state.stalled.load(Ordering::SeqCst) && !state.stopped.load(Ordering::SeqCst) {
            thread::sleep(Duration::from_millis(10));
        }
        if to.write_all(&buf[..len]).is_err() {
            break;
        }
        if cut {
            state.cuts.fetch_add(1, Ordering::SeqCst);
            break;
        }
    }
    let _ = from.shutdown(Shutdown::Both);
    let _ = to.shutdown(Shutdown::Both);
    lock(&state.open).retain(|(open_id, _, _)| *open_id != id);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An upstream that echoes what it receives, repeated `factor` times.
    fn echo_server() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                thread::spawn(move || {
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = stream.read(&mut buf) {
                        if n == 0 || stream.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                });
            }
        });
        addr
    }

    fn roundtrip(addr: SocketAddr, data: &[u8]) -> Vec<u8> {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(data).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while got.len() < data.len() {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        got
    }

    #[test]
    fn forwards_and_cuts() {
        let proxy = FaultProxy::start(echo_server()).unwrap();
        assert_eq!(roundtrip(proxy.addr(), b"hello"), b"hello");
        proxy.cut_every(3);
        assert_eq!(roundtrip(proxy.addr(), b"hello"), b"hel");
        assert_eq!(proxy.cuts(), 1);
        proxy.cut_every(0);
        assert_eq!(roundtrip(proxy.addr(), b"again"), b"again");
        assert_eq!(proxy.connections(), 3);
    }

    #[test]
    fn refuses_and_stalls() {
        let proxy = FaultProxy::start(echo_server()).unwrap();
        proxy.set_refusing(true);
        assert!(roundtrip(proxy.addr(), b"x").is_empty());
        assert_eq!(proxy.refused(), 1);
        proxy.set_refusing(false);
        proxy.set_stalled(true);
        let mut s = TcpStream::connect(proxy.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        s.write_all(b"x").unwrap();
        let mut buf = [0u8; 1];
        assert!(s.read(&mut buf).is_err(), "nothing passes while stalled");
        proxy.set_stalled(false);
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(s.read(&mut buf).unwrap(), 1);
        proxy.reset_all();
        assert_eq!(s.read(&mut buf).unwrap_or(0), 0, "closed by reset_all");
    }

    #[test]
    fn only_loopback_upstreams() {
        let err = FaultProxy::start("10.0.0.1:80".parse().unwrap()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
