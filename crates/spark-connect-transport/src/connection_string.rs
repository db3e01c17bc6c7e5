//! The `sc://` connection string, as Spark's client connection string specification defines it:
//!
//! ```text
//! sc://host[:port][/][;key=value]*
//! ```
//!
//! Known keys configure the channel (`token`, `use_ssl`, `user_id`, `user_agent`, `session_id`,
//! `grpc_max_message_size`, and PySpark's HTTP/2 keep-alive keys `grpc_keepalive_enabled`,
//! `grpc_keepalive_time_ms`, `grpc_keepalive_timeout_ms`, `grpc_keepalive_without_calls`); every
//! other key is sent as gRPC metadata on each request.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use percent_encoding::percent_decode_str;
use uuid::Uuid;

/// The port a Spark Connect server listens on unless told otherwise.
pub const DEFAULT_PORT: u16 = 15002;

/// The largest gRPC message this client sends or accepts unless `grpc_max_message_size` says
/// otherwise: 128 MiB, as PySpark's client.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 128 * 1024 * 1024;

/// The environment variable whose value is used as the bearer token when the connection string
/// has none (as PySpark's client does).
pub const TOKEN_ENV_VAR: &str = "SPARK_CONNECT_AUTHENTICATE_TOKEN";

/// A parsed `sc://` connection string.
///
/// ```
/// use spark_connect_transport::ConnectionString;
///
/// let conn: ConnectionString = "sc://example.com/;use_ssl=true;x-custom=a%20b".parse()?;
/// assert_eq!(conn.host(), "example.com");
/// assert_eq!(conn.port(), 15002);
/// assert!(conn.use_tls());
/// assert_eq!(conn.metadata(), &[("x-custom".to_string(), "a b".to_string())]);
/// # Ok::<(), spark_connect_transport::ConnectionStringError>(())
/// ```
///
/// `Debug` and `Display` never show the token's value.
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionString {
    host: String,
    port: u16,
    token: Option<String>,
    use_ssl: Option<bool>,
    user_id: Option<String>,
    user_agent: Option<String>,
    session_id: Option<Uuid>,
    grpc_max_message_size: Option<usize>,
    keepalive: KeepAliveParams,
    metadata: Vec<(String, String)>,
}

/// The keep-alive keys of a connection string, each `None` when not given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KeepAliveParams {
    /// `grpc_keepalive_enabled`: whether HTTP/2 keep-alive pings are sent.
    pub enabled: Option<bool>,
    /// `grpc_keepalive_time_ms`: the interval between pings, in milliseconds.
    pub time_ms: Option<u64>,
    /// `grpc_keepalive_timeout_ms`: how long to wait for a ping's answer, in milliseconds.
    pub timeout_ms: Option<u64>,
    /// `grpc_keepalive_without_calls`: whether to ping while no call is in flight.
    pub without_calls: Option<bool>,
}

/// Why a connection string was refused. The message quotes the offending part, never a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid Spark Connect connection string: {reason}; expected sc://host[:port][/;key=value...]"
)]
pub struct ConnectionStringError {
    reason: String,
}

impl ConnectionStringError {
    fn new(reason: impl Into<String>) -> Self {
        ConnectionStringError {
            reason: reason.into(),
        }
    }

    /// What was wrong, without the "expected" part.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl ConnectionString {
    /// Parses a connection string. The bearer token falls back to
    /// `SPARK_CONNECT_AUTHENTICATE_TOKEN` when the string has no `token` parameter; use
    /// [`ConnectionString::parse_without_env`] to ignore the environment.
    pub fn parse(input: &str) -> Result<Self, ConnectionStringError> {
        let mut conn = Self::parse_without_env(input)?;
        if conn.token.is_none()
            && let Ok(token) = std::env::var(TOKEN_ENV_VAR)
            && !token.is_empty()
        {
            conn.token = Some(token);
        }
        Ok(conn)
    }

    /// Parses a connection string without looking at any environment variable.
    pub fn parse_without_env(input: &str) -> Result<Self, ConnectionStringError> {
        let rest = input.strip_prefix("sc://").ok_or_else(|| {
            let scheme = input.split_once("://").map(|(s, _)| s);
            match scheme {
                Some(s) => ConnectionStringError::new(format!(
                    "the scheme is '{s}://', but it must be 'sc://'"
                )),
                None => ConnectionStringError::new("it must start with 'sc://'"),
            }
        })?;
        // Everything after the first ';' is parameters; before it, authority and an optional
        // empty path ("/").
        let (location, params) = match rest.split_once(';') {
            Some((l, p)) => (l, Some(p)),
            None => (rest, None),
        };
        if let Some(i) = location.find(['?', '#', '&', '=']) {
            // Quote only what precedes it: `sc://h?token=...` must not echo the token.
            return Err(ConnectionStringError::new(format!(
                "unexpected '{}' after 'sc://{}': parameters follow ';', as in sc://host:port/;key=value",
                &location[i..i + 1],
                &location[..i]
            )));
        }
        let (authority, path) = match location.find('/') {
            Some(i) => (&location[..i], &location[i..]),
            None => (location, ""),
        };
        if !path.is_empty() && path != "/" {
            // Quote the path only up to a character that could start a query holding a
            // secret (`sc://h/x?token=...`).
            let shown = match path.find(['?', '=', '&', '#']) {
                Some(i) => format!("{}...", &path[..i]),
                None => path.to_string(),
            };
            return Err(ConnectionStringError::new(format!(
                "the path '{shown}' must be empty"
            )));
        }
        if authority.contains('@') {
            return Err(ConnectionStringError::new(
                "user information ('user@host') is not supported; pass user_id=... as a parameter",
            ));
        }
        let (host, port) = parse_authority(authority)?;

        let mut conn = ConnectionString {
            host,
            port,
            token: None,
            use_ssl: None,
            user_id: None,
            user_agent: None,
            session_id: None,
            grpc_max_message_size: None,
            keepalive: KeepAliveParams::default(),
            metadata: Vec::new(),
        };
        if let Some(params) = params {
            for param in params.split(';') {
                if param.is_empty() {
                    // A trailing ';' is harmless.
                    continue;
                }
                conn.set_param(param)?;
            }
        }
        if conn.token.is_some() && conn.use_ssl == Some(false) && !conn.is_loopback() {
            return Err(ConnectionStringError::new(format!(
                "use_ssl=false with a token would send the token in plaintext to '{}'; tokens go over plaintext only to loopback hosts",
                conn.host
            )));
        }
        Ok(conn)
    }

    fn set_param(&mut self, param: &str) -> Result<(), ConnectionStringError> {
        let Some((raw_key, raw_value)) = param.split_once('=') else {
            let shown = match param.find(':') {
                Some(i) => format!("{}...", &param[..i]),
                // Eight characters, not bytes: a byte index may fall inside a character.
                None if param.len() > 40 => format!(
                    "{}... ({} characters)",
                    param.chars().take(8).collect::<String>(),
                    param.len()
                ),
                None => param.to_string(),
            };
            return Err(ConnectionStringError::new(format!(
                "the parameter '{shown}' must be a key=value pair"
            )));
        };
        if raw_value.contains('=') {
            // Quote only the key: the value might be a token.
            return Err(ConnectionStringError::new(format!(
                "the parameter starting with '{raw_key}=' has more than one '=' (percent-encode it as %3D)"
            )));
        }
        let key = decode(raw_key, "parameter name")?;
        if key.is_empty() {
            return Err(ConnectionStringError::new(
                "a parameter has an empty key (found ';=...')",
            ));
        }
        let is_token = key == "token" || is_secret_key(&key);
        let value = percent_decode_str(raw_value)
            .decode_utf8()
            .map_err(|_| {
                ConnectionStringError::new(if is_token {
                    "the value of 'token' is not valid UTF-8 after percent-decoding".to_string()
                } else {
                    format!(
                        "the value '{raw_value}' of '{key}' is not valid UTF-8 after percent-decoding"
                    )
                })
            })?
            .into_owned();
        match key.as_str() {
            "token" => {
                if value.is_empty() {
                    return Err(ConnectionStringError::new("the 'token' parameter is empty"));
                }
                self.token = Some(value);
            }
            "use_ssl" => self.use_ssl = Some(parse_bool(&key, &value)?),
            "grpc_keepalive_enabled" => self.keepalive.enabled = Some(parse_bool(&key, &value)?),
            "grpc_keepalive_without_calls" => {
                self.keepalive.without_calls = Some(parse_bool(&key, &value)?)
            }
            "grpc_keepalive_time_ms" => self.keepalive.time_ms = Some(parse_millis(&key, &value)?),
            "grpc_keepalive_timeout_ms" => {
                self.keepalive.timeout_ms = Some(parse_millis(&key, &value)?)
            }
            "user_id" => self.user_id = Some(value),
            "user_agent" => {
                let escaped_len = percent_encoding::utf8_percent_encode(
                    &value,
                    percent_encoding::NON_ALPHANUMERIC,
                )
                .to_string()
                .len();
                if escaped_len > 2048 {
                    return Err(ConnectionStringError::new(format!(
                        "user_agent must not exceed 2048 characters after URL escaping, found {escaped_len}"
                    )));
                }
                self.user_agent = Some(value)
            }
            "session_id" => {
                let id = Uuid::parse_str(&value).map_err(|_| {
                    ConnectionStringError::new(format!(
                        "session_id must be a UUID such as 7d5b0c5e-4b8f-4a1e-9c1d-2f3e4a5b6c7d, found '{value}'"
                    ))
                })?;
                self.session_id = Some(id);
            }
            "grpc_max_message_size" => {
                let size: usize = value.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    ConnectionStringError::new(format!(
                        "grpc_max_message_size must be a positive number of bytes, found '{value}'"
                    ))
                })?;
                self.grpc_max_message_size = Some(size);
            }
            _ => {
                let key = key.to_ascii_lowercase();
                if key.ends_with("-bin") || key.starts_with("grpc-") {
                    return Err(ConnectionStringError::new(format!(
                        "the parameter '{key}' is reserved by gRPC (binary '-bin' keys and 'grpc-' keys) and cannot be sent as metadata"
                    )));
                }
                tonic::metadata::MetadataKey::<tonic::metadata::Ascii>::from_bytes(key.as_bytes())
                    .map_err(|_| {
                        ConnectionStringError::new(format!(
                            "the parameter '{key}' cannot be sent as gRPC metadata: keys may use only a-z, 0-9, '-', '_' and '.'"
                        ))
                    })?;
                tonic::metadata::MetadataValue::<tonic::metadata::Ascii>::try_from(value.as_str())
                    .map_err(|_| {
                        ConnectionStringError::new(format!(
                            "the value of '{key}' cannot be sent as gRPC metadata: it must be visible ASCII"
                        ))
                    })?;
                self.metadata.retain(|(k, _)| *k != key);
                self.metadata.push((key, value));
            }
        }
        Ok(())
    }

    /// The host name or IP address; IPv6 addresses without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, [`DEFAULT_PORT`] unless given.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The bearer token, from the string or from `SPARK_CONNECT_AUTHENTICATE_TOKEN`.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Sets or replaces the bearer token.
    pub fn set_token(&mut self, token: impl Into<String>) {
        self.token = Some(token.into());
    }

    /// Whether the channel uses TLS.
    ///
    /// `use_ssl=true` turns TLS on and `use_ssl=false` off. Without `use_ssl`, a token turns it
    /// on, except on a loopback host (`localhost`, `127.0.0.0/8`, `::1`): there the token is
    /// sent over plaintext, the way PySpark's client treats `localhost` (its local channel
    /// credentials), so a local server started with `spark.connect.authenticate.token` works
    /// as it does from Python. Traffic to a loopback address never leaves the machine.
    pub fn use_tls(&self) -> bool {
        match self.use_ssl {
            Some(explicit) => explicit,
            None => self.token.is_some() && !self.is_loopback(),
        }
    }

    /// Whether the host is `localhost` or a loopback IP address.
    pub fn is_loopback(&self) -> bool {
        if self.host.eq_ignore_ascii_case("localhost") {
            return true;
        }
        self.host
            .parse::<IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
    }

    /// The `user_id` parameter, if any.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// The `user_agent` parameter, if any.
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }

    /// The `session_id` parameter, if any.
    pub fn session_id(&self) -> Option<Uuid> {
        self.session_id
    }

    /// The largest message size in bytes, [`DEFAULT_MAX_MESSAGE_SIZE`] unless given.
    pub fn grpc_max_message_size(&self) -> usize {
        self.grpc_max_message_size
            .unwrap_or(DEFAULT_MAX_MESSAGE_SIZE)
    }

    /// The keep-alive keys given (`grpc_keepalive_*`).
    pub fn keepalive(&self) -> KeepAliveParams {
        self.keepalive
    }

    /// The parameters sent as gRPC metadata: every parameter that is not one of the known
    /// keys, with lower-case keys, in the order given.
    pub fn metadata(&self) -> &[(String, String)] {
        &self.metadata
    }

    /// The endpoint URI for the gRPC channel, e.g. `https://[::1]:15002`.
    pub fn endpoint_uri(&self) -> String {
        let scheme = if self.use_tls() { "https" } else { "http" };
        if self.host.contains(':') {
            format!("{scheme}://[{}]:{}", self.host, self.port)
        } else {
            format!("{scheme}://{}:{}", self.host, self.port)
        }
    }
}

/// `true` or `false`, in any case.
fn parse_bool(key: &str, value: &str) -> Result<bool, ConnectionStringError> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ConnectionStringError::new(format!(
            "{key} must be 'true' or 'false', found '{value}'"
        ))),
    }
}

/// A positive number of milliseconds.
fn parse_millis(key: &str, value: &str) -> Result<u64, ConnectionStringError> {
    value.parse().ok().filter(|v| *v > 0).ok_or_else(|| {
        ConnectionStringError::new(format!(
            "{key} must be a positive number of milliseconds, found '{value}'"
        ))
    })
}

/// Whether a header or parameter name looks like it carries a credential, so that its value is
/// never shown and is marked sensitive on the wire.
pub fn is_secret_key(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "token"
    ) || [
        "token",
        "secret",
        "password",
        "passwd",
        "key",
        "credential",
        "auth",
    ]
    .iter()
    .any(|part| name.contains(part))
}

fn decode(raw: &str, what: &str) -> Result<String, ConnectionStringError> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            ConnectionStringError::new(format!(
                "the {what} '{raw}' is not valid UTF-8 after percent-decoding"
            ))
        })
}

fn parse_authority(authority: &str) -> Result<(String, u16), ConnectionStringError> {
    if authority.is_empty() {
        return Err(ConnectionStringError::new("the host is missing"));
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| {
            ConnectionStringError::new(format!("the IPv6 host in '{authority}' has no closing ']'"))
        })?;
        host.parse::<Ipv6Addr>()
            .map_err(|_| ConnectionStringError::new(format!("'{host}' is not an IPv6 address")))?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(|| {
                ConnectionStringError::new(format!(
                    "unexpected '{p}' after the IPv6 host '[{host}]'"
                ))
            })?),
        };
        (host.to_string(), port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, _)) if h.contains(':') => {
                return Err(ConnectionStringError::new(format!(
                    "the host '{authority}' looks like an IPv6 address: write it in brackets, e.g. sc://[::1]:15002"
                )));
            }
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    if host.is_empty() {
        return Err(ConnectionStringError::new("the host is missing"));
    }
    if !host.contains(':')
        && !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
    {
        return Err(ConnectionStringError::new(format!(
            "the host '{host}' may contain only letters, digits, '-', '_' and '.'"
        )));
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => {
            let port: u32 = p.parse().map_err(|_| {
                ConnectionStringError::new(format!("the port '{p}' is not a number"))
            })?;
            if port == 0 || port > u16::MAX as u32 {
                return Err(ConnectionStringError::new(format!(
                    "the port {port} is out of range (1 to 65535)"
                )));
            }
            port as u16
        }
    };
    Ok((host, port))
}

impl FromStr for ConnectionString {
    type Err = ConnectionStringError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ConnectionString::parse(s)
    }
}

/// Writes the connection string back, with the token's value shown as `***`.
impl fmt::Display for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
        const VALUE: &AsciiSet = &CONTROLS.add(b';').add(b'=').add(b'%').add(b' ');
        if self.host.contains(':') {
            write!(f, "sc://[{}]:{}", self.host, self.port)?;
        } else {
            write!(f, "sc://{}:{}", self.host, self.port)?;
        }
        let mut sep = "/;";
        let mut param = |f: &mut fmt::Formatter<'_>, k: &str, v: &str| {
            let r = write!(f, "{sep}{k}={}", utf8_percent_encode(v, VALUE));
            sep = ";";
            r
        };
        if self.token.is_some() {
            param(f, "token", "***")?;
        }
        if let Some(v) = self.use_ssl {
            param(f, "use_ssl", if v { "true" } else { "false" })?;
        }
        if let Some(v) = &self.user_id {
            param(f, "user_id", v)?;
        }
        if let Some(v) = &self.user_agent {
            param(f, "user_agent", v)?;
        }
        if let Some(v) = &self.session_id {
            param(f, "session_id", &v.to_string())?;
        }
        if let Some(v) = self.grpc_max_message_size {
            param(f, "grpc_max_message_size", &v.to_string())?;
        }
        let k = &self.keepalive;
        if let Some(v) = k.enabled {
            param(
                f,
                "grpc_keepalive_enabled",
                if v { "true" } else { "false" },
            )?;
        }
        if let Some(v) = k.time_ms {
            param(f, "grpc_keepalive_time_ms", &v.to_string())?;
        }
        if let Some(v) = k.timeout_ms {
            param(f, "grpc_keepalive_timeout_ms", &v.to_string())?;
        }
        if let Some(v) = k.without_calls {
            param(
                f,
                "grpc_keepalive_without_calls",
                if v { "true" } else { "false" },
            )?;
        }
        for (k, v) in &self.metadata {
            param(f, k, if is_secret_key(k) { "***" } else { v })?;
        }
        Ok(())
    }
}

impl fmt::Debug for ConnectionString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionString")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("use_ssl", &self.use_ssl)
            .field("user_id", &self.user_id)
            .field("user_agent", &self.user_agent)
            .field("session_id", &self.session_id)
            .field("grpc_max_message_size", &self.grpc_max_message_size)
            .field("keepalive", &self.keepalive)
            .field(
                "metadata",
                &self
                    .metadata
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str(),
                            if is_secret_key(k) { "***" } else { v.as_str() },
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<ConnectionString, ConnectionStringError> {
        ConnectionString::parse_without_env(s)
    }

    fn err(s: &str) -> String {
        parse(s).expect_err(s).to_string()
    }

    #[test]
    fn keepalive_keys() {
        let c = parse(
            "sc://h/;grpc_keepalive_enabled=false;grpc_keepalive_time_ms=5000;\
             grpc_keepalive_timeout_ms=2000;grpc_keepalive_without_calls=FALSE",
        )
        .unwrap();
        let k = c.keepalive();
        assert_eq!(k.enabled, Some(false));
        assert_eq!(k.time_ms, Some(5000));
        assert_eq!(k.timeout_ms, Some(2000));
        assert_eq!(k.without_calls, Some(false));
        assert!(c.metadata().is_empty());
        assert_eq!(parse(&c.to_string()).unwrap(), c);
        assert!(err("sc://h/;grpc_keepalive_time_ms=soon").contains("found 'soon'"));
        assert!(err("sc://h/;grpc_keepalive_timeout_ms=0").contains("positive number"));
        assert!(err("sc://h/;grpc_keepalive_enabled=yes").contains("'true' or 'false'"));
        assert_eq!(
            parse("sc://h").unwrap().keepalive(),
            KeepAliveParams::default()
        );
    }

    #[test]
    fn minimal_string_uses_defaults() {
        let c = parse("sc://localhost").unwrap();
        assert_eq!(c.host(), "localhost");
        assert_eq!(c.port(), 15002);
        assert_eq!(c.token(), None);
        assert!(!c.use_tls());
        assert_eq!(c.grpc_max_message_size(), 128 * 1024 * 1024);
        assert!(c.metadata().is_empty());
        assert_eq!(c.endpoint_uri(), "http://localhost:15002");
    }

    #[test]
    fn all_known_parameters() {
        let c = parse(
            "sc://spark.example.com:443/;token=abc%3Bdef;use_ssl=true;user_id=alice;\
             user_agent=my%20app;session_id=7d5b0c5e-4b8f-4a1e-9c1d-2f3e4a5b6c7d;\
             grpc_max_message_size=1048576",
        )
        .unwrap();
        assert_eq!(c.host(), "spark.example.com");
        assert_eq!(c.port(), 443);
        assert_eq!(c.token(), Some("abc;def"));
        assert!(c.use_tls());
        assert_eq!(c.user_id(), Some("alice"));
        assert_eq!(c.user_agent(), Some("my app"));
        assert_eq!(
            c.session_id().unwrap().to_string(),
            "7d5b0c5e-4b8f-4a1e-9c1d-2f3e4a5b6c7d"
        );
        assert_eq!(c.grpc_max_message_size(), 1048576);
        assert!(c.metadata().is_empty());
        assert_eq!(c.endpoint_uri(), "https://spark.example.com:443");
    }

    #[test]
    fn unknown_parameters_become_lower_case_metadata_in_order() {
        let c = parse("sc://h/;X-Databricks-Cluster-Id=0123-abc;x-other=a%2Fb").unwrap();
        assert_eq!(
            c.metadata(),
            &[
                (
                    "x-databricks-cluster-id".to_string(),
                    "0123-abc".to_string()
                ),
                ("x-other".to_string(), "a/b".to_string())
            ]
        );
    }

    #[test]
    fn ipv6_hosts() {
        let c = parse("sc://[::1]:15003").unwrap();
        assert_eq!(c.host(), "::1");
        assert_eq!(c.port(), 15003);
        assert!(c.is_loopback());
        assert_eq!(c.endpoint_uri(), "http://[::1]:15003");
        let c = parse("sc://[2001:db8::1]/;use_ssl=true").unwrap();
        assert_eq!(c.port(), 15002);
        assert_eq!(c.endpoint_uri(), "https://[2001:db8::1]:15002");
        assert!(err("sc://::1:15002").contains("brackets"));
        assert!(err("sc://[::1").contains("closing ']'"));
        assert!(err("sc://[nothex]:1").contains("'nothex' is not an IPv6 address"));
    }

    #[test]
    fn token_turns_tls_on_except_on_loopback() {
        assert!(parse("sc://example.com/;token=t").unwrap().use_tls());
        assert!(!parse("sc://localhost/;token=t").unwrap().use_tls());
        assert!(!parse("sc://127.0.0.1/;token=t").unwrap().use_tls());
        assert!(!parse("sc://[::1]/;token=t").unwrap().use_tls());
        assert!(
            parse("sc://127.0.0.1/;token=t;use_ssl=true")
                .unwrap()
                .use_tls()
        );
        assert!(err("sc://example.com/;token=t;use_ssl=false").contains("in plaintext"));
        assert!(
            !parse("sc://localhost/;token=t;use_ssl=false")
                .unwrap()
                .use_tls()
        );
    }

    #[test]
    fn token_falls_back_to_environment_only_when_absent() {
        // The only test that touches this variable, so no other test races with it.
        // SAFETY: no other thread in this test binary reads or writes this variable.
        unsafe { std::env::set_var(TOKEN_ENV_VAR, "from-env") };
        let from_env = ConnectionString::parse("sc://h").unwrap();
        let explicit = ConnectionString::parse("sc://h/;token=given").unwrap();
        let ignored = ConnectionString::parse_without_env("sc://h").unwrap();
        unsafe { std::env::remove_var(TOKEN_ENV_VAR) };
        assert_eq!(from_env.token(), Some("from-env"));
        assert_eq!(explicit.token(), Some("given"));
        assert_eq!(ignored.token(), None);
    }

    #[test]
    fn malformed_strings_are_errors_quoting_the_offending_part() {
        let cases = [
            ("http://localhost:15002", "'http://'"),
            ("localhost:15002", "must start with 'sc://'"),
            ("sc://", "host is missing"),
            ("sc://:15002", "host is missing"),
            ("sc:///;token=x", "host is missing"),
            ("sc://h/path", "path '/path'"),
            ("sc://h:15002/a/b;x=y", "path '/a/b'"),
            ("sc://h/;novalue", "'novalue'"),
            ("sc://h/;a=b=c", "starting with 'a='"),
            ("sc://h/;=v", "empty key"),
            ("sc://h:abc", "port 'abc' is not a number"),
            ("sc://h:-1", "port '-1' is not a number"),
            ("sc://h:0", "port 0 is out of range"),
            ("sc://h:65536", "port 65536 is out of range"),
            ("sc://h:99999999999", "port '99999999999' is not a number"),
            ("sc://h/;session_id=abc", "session_id must be a UUID"),
            (
                "sc://h/;use_ssl=yes",
                "use_ssl must be 'true' or 'false', found 'yes'",
            ),
            ("sc://h/;grpc_max_message_size=big", "found 'big'"),
            ("sc://h/;grpc_max_message_size=0", "found '0'"),
            ("sc://u@h", "user information"),
            ("sc://h h", "the host 'h h'"),
            ("sc://h/;bad key=v", "'bad key'"),
            ("sc://h/;x-bin=v", "reserved"),
            ("sc://h/;x=%FF", "not valid UTF-8"),
        ];
        for (input, expected) in cases {
            let message = err(input);
            assert!(
                message.contains(expected),
                "{input}: expected the error to contain {expected:?}, got {message:?}"
            );
            assert!(message.contains("sc://host[:port]"), "{message}");
        }
    }

    #[test]
    fn errors_never_show_the_token() {
        for input in [
            "sc://h/;token=s3cr3t=x",
            "sc://h/;token=%FFs3cr3t",
            "sc://h:bad/;token=s3cr3t",
            "sc://h/x?token=s3cr3t",
            "sc://h/x&token=s3cr3t",
            "sc://h?token=s3cr3t",
            "sc://h:443?token=s3cr3t",
            "sc://[::1?token=s3cr3t",
            "sc://h/;token:s3cr3t",
            "sc://h/;x-api-key=%FFs3cr3t",
        ] {
            let message = err(input);
            assert!(!message.contains("s3cr3t"), "{input}: {message}");
        }
    }

    #[test]
    fn secret_looking_metadata_is_redacted() {
        let c = parse("sc://h/;authorization=Bearer%20s3cr3t;x-api-key=s3cr3t;x-plain=v").unwrap();
        let shown = c.to_string();
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("x-plain=v"), "{shown}");
        assert!(!format!("{c:?}").contains("s3cr3t"));
        assert!(is_secret_key("X-Databricks-Token") && !is_secret_key("x-databricks-cluster-id"));
    }

    #[test]
    fn display_and_debug_redact_the_token() {
        let c = parse("sc://h:1/;token=s3cr3t;x-a=1%3B2").unwrap();
        let shown = c.to_string();
        assert_eq!(shown, "sc://h:1/;token=***;x-a=1%3B2");
        assert!(!format!("{c:?}").contains("s3cr3t"));
        // Display round-trips everything but the token.
        let again = parse(&shown).unwrap();
        assert_eq!(again.metadata(), c.metadata());
    }

    #[test]
    fn trailing_separators_are_accepted() {
        let c = parse("sc://h:1/;").unwrap();
        assert_eq!(c.port(), 1);
        let c = parse("sc://h:1;user_id=u").unwrap();
        assert_eq!(c.user_id(), Some("u"));
    }
}
