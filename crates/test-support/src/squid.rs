//! A real HTTP proxy for tests: squid from Debian's `squid` package (`cargo xtask test`
//! installs it when missing), one process per test, in the foreground (`squid -N`) on a free
//! port of 127.0.0.1, killed when the [`Squid`] is dropped.
//!
//! Squid resolves names from a `hosts_file` of the test's own, which maps
//! [`PROXIED_HOST`] (`workspace.proxied.test`, a name nothing else can resolve) to 127.0.0.1:
//! a client that reaches a server by that name must have gone through the proxy, so a passing
//! test proves the client never resolved or dialled it itself. `CONNECT` is allowed to any
//! port. [`SquidConfig::basic_auth`] makes squid require a user and password
//! (`basic_ncsa_auth` with a password file made for the test); [`SquidConfig::deny_all`]
//! makes it refuse every request (403). Its access log tells which tunnels were asked for.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The made-up workspace host name only squid can resolve (to 127.0.0.1). The test
/// certificates of `cargo xtask test` are valid for it.
pub const PROXIED_HOST: &str = "workspace.proxied.test";

/// Where Debian's package puts squid and its helpers.
const SQUID: &str = "/usr/sbin/squid";
const BASIC_NCSA_AUTH: &str = "/usr/lib/squid/basic_ncsa_auth";

/// How a [`Squid`] behaves.
#[derive(Clone, Debug, Default)]
pub struct SquidConfig {
    credentials: Option<(String, String)>,
    deny_all: bool,
}

impl SquidConfig {
    /// An open proxy: any client may tunnel anywhere.
    pub fn new() -> SquidConfig {
        SquidConfig::default()
    }

    /// Requires `Proxy-Authorization: Basic` with this user and password (407 otherwise).
    pub fn basic_auth(mut self, user: &str, password: &str) -> SquidConfig {
        self.credentials = Some((user.to_string(), password.to_string()));
        self
    }

    /// Refuses every request with 403.
    pub fn deny_all(mut self) -> SquidConfig {
        self.deny_all = true;
        self
    }
}

/// A running squid; killed on drop.
#[derive(Debug)]
pub struct Squid {
    child: Child,
    port: u16,
    dir: PathBuf,
}

static STARTED: AtomicUsize = AtomicUsize::new(0);

impl Squid {
    /// Starts squid and waits until it listens.
    ///
    /// # Panics
    /// When squid is not installed (run the tests with `cargo xtask test`, which installs it) or
    /// does not start within 30 s; the message quotes squid's log.
    pub fn start(config: SquidConfig) -> Squid {
        assert!(
            Path::new(SQUID).exists(),
            "{SQUID} is missing: run the tests with `cargo xtask test`, which installs squid (Debian: apt-get install squid)"
        );
        let dir = std::env::temp_dir().join(format!(
            "test-squid-{}-{}",
            std::process::id(),
            STARTED.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        // Squid drops to the `proxy` user when started as root: that user writes the logs,
        // and reads the configuration and the password file through the temporary folder.
        set_mode(&dir, 0o777);
        let port = free_port();
        let hosts = dir.join("hosts");
        write(&hosts, &format!("127.0.0.1 {PROXIED_HOST}\n"));
        let mut conf = format!(
            "http_port 127.0.0.1:{port}\n\
             visible_hostname squid-test\n\
             pid_filename none\n\
             hosts_file {hosts}\n\
             cache deny all\n\
             cache_mem 8 MB\n\
             access_log stdio:{dir}/access.log squid\n\
             cache_log {dir}/cache.log\n\
             cache_store_log none\n\
             coredump_dir {dir}\n\
             shutdown_lifetime 0 seconds\n\
             dns_timeout 5 seconds\n",
            hosts = hosts.display(),
            dir = dir.display(),
        );
        if is_root() {
            conf.push_str("cache_effective_user proxy\n");
        }
        if config.deny_all {
            conf.push_str("http_access deny all\n");
        } else if let Some((user, password)) = &config.credentials {
            let passwd = dir.join("passwd");
            write(&passwd, &format!("{user}:{}\n", md5_crypt(password)));
            set_mode(&passwd, 0o644);
            conf.push_str(&format!(
                "auth_param basic program {BASIC_NCSA_AUTH} {}\n\
                 auth_param basic children 2\n\
                 auth_param basic realm test-squid\n\
                 acl authenticated proxy_auth REQUIRED\n\
                 http_access allow authenticated\n\
                 http_access deny all\n",
                passwd.display()
            ));
        } else {
            conf.push_str("http_access allow all\n");
        }
        let conf_path = dir.join("squid.conf");
        write(&conf_path, &conf);
        set_mode(&conf_path, 0o644);
        let child = Command::new(SQUID)
            .arg("-N")
            .arg("-f")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("stderr.log")).expect("a log file"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {SQUID}: {e}"));
        let mut squid = Squid { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return squid;
            }
            if let Ok(Some(status)) = squid.child.try_wait() {
                panic!(
                    "squid exited ({status}) before listening:\n{}",
                    squid.logs()
                );
            }
            if Instant::now() > deadline {
                panic!(
                    "squid did not listen on 127.0.0.1:{port} within 30 s:\n{}",
                    squid.logs()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The port squid listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// `http://user:password@127.0.0.1:<port>`.
    pub fn url_with(&self, user: &str, password: &str) -> String {
        format!("http://{user}:{password}@127.0.0.1:{}", self.port)
    }

    /// The `CONNECT` targets (`host:port`) of the access log so far, with squid's result code
    /// (`TCP_TUNNEL/200`, `TCP_DENIED/407`, ...), in order. Squid writes a line when a tunnel
    /// closes, so this waits up to `wait` for at least `at_least` lines.
    pub fn connects(&self, at_least: usize, wait: Duration) -> Vec<(String, String)> {
        let deadline = Instant::now() + wait;
        loop {
            let lines: Vec<(String, String)> = std::fs::read_to_string(self.dir.join("access.log"))
                .unwrap_or_default()
                .lines()
                .filter_map(|line| {
                    let fields: Vec<&str> = line.split_whitespace().collect();
                    // time elapsed client code/status bytes method URL ...
                    (fields.get(5) == Some(&"CONNECT"))
                        .then(|| (fields[6].to_string(), fields[3].to_string()))
                })
                .collect();
            if lines.len() >= at_least || Instant::now() > deadline {
                return lines;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Squid's own log and standard error, for failure messages.
    pub fn logs(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.dir.join(name)).unwrap_or_default();
        format!("{}{}", read("cache.log"), read("stderr.log"))
    }
}

impl Drop for Squid {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Whether this process runs as root (its effective uid, from `/proc/self/status`).
fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("Uid:"))?.to_string();
            line.split_whitespace().nth(2).map(|uid| uid == "0")
        })
        .unwrap_or(false)
}

/// A free port of 127.0.0.1 (bound, then released for squid).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The MD5-crypt (`$1$`) hash of `password` for squid's password file, made by
/// `openssl passwd -1` (OpenSSL's tool comes with Debian's ca-certificates).
fn md5_crypt(password: &str) -> String {
    let output = Command::new("openssl")
        .args(["passwd", "-1", "-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("piped")
                .write_all(format!("{password}\n").as_bytes())?;
            child.wait_with_output()
        })
        .unwrap_or_else(|e| panic!("cannot run `openssl passwd` for squid's password file: {e}"));
    assert!(output.status.success(), "openssl passwd failed");
    let mut line = String::new();
    BufReader::new(&output.stdout[..])
        .read_line(&mut line)
        .expect("openssl's output");
    line.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// `CONNECT PROXIED_HOST:port` by hand; the status line, and the stream when it is 200.
    fn connect(squid: &Squid, port: u16, auth: Option<&str>) -> (String, TcpStream) {
        let mut s = TcpStream::connect(("127.0.0.1", squid.port())).unwrap();
        let auth = auth
            .map(|a| format!("Proxy-Authorization: Basic {a}\r\n"))
            .unwrap_or_default();
        write!(
            s,
            "CONNECT {PROXIED_HOST}:{port} HTTP/1.1\r\nHost: {PROXIED_HOST}:{port}\r\n{auth}\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap() == 1 {
            head.push(byte[0]);
        }
        let head = String::from_utf8_lossy(&head).to_string();
        (head.lines().next().unwrap_or_default().to_string(), s)
    }

    fn echo_server() -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut stream = stream;
                let mut buf = [0u8; 64];
                if let Ok(n) = stream.read(&mut buf) {
                    let _ = stream.write_all(&buf[..n]);
                }
            }
        });
        port
    }

    #[test]
    fn squid_tunnels_to_the_name_only_it_resolves_and_checks_credentials() {
        let port = echo_server();
        let open = Squid::start(SquidConfig::new());
        let (status, mut s) = connect(&open, port, None);
        assert!(status.contains(" 200 "), "{status}\n{}", open.logs());
        s.write_all(b"hello").unwrap();
        let mut back = [0u8; 5];
        s.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"hello");
        drop(s);
        let connects = open.connects(1, Duration::from_secs(5));
        assert_eq!(
            connects[0].0,
            format!("{PROXIED_HOST}:{port}"),
            "{connects:?}"
        );

        let guarded = Squid::start(SquidConfig::new().basic_auth("alice", "wonder land"));
        let (status, _) = connect(&guarded, port, None);
        assert!(status.contains(" 407 "), "{status}");
        // base64("alice:wonder land")
        let (status, _) = connect(&guarded, port, Some("YWxpY2U6d29uZGVyIGxhbmQ="));
        assert!(status.contains(" 200 "), "{status}\n{}", guarded.logs());

        let denying = Squid::start(SquidConfig::new().deny_all());
        let (status, _) = connect(&denying, port, None);
        assert!(status.contains(" 403 "), "{status}");
    }
}
