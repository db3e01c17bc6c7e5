//! Which proxy, if any, a connection to a host goes through.

use std::fmt;
use std::sync::Arc;

use http::HeaderValue;
use hyper_util::client::proxy::matcher::Matcher;
use percent_encoding::percent_decode_str;

use crate::env::ProxyEnv;
use crate::error::{ProxyError, ProxyErrorKind};

/// Who asks: the gRPC channel also reads gRPC's own `grpc_proxy` and `no_grpc_proxy`.
///
/// ```
/// use connect_proxy::{Caller, ProxyConfig, ProxyEnv};
///
/// let env = ProxyEnv::from_vars([("grpc_proxy", "http://grpc-proxy:3128")]);
/// let grpc = ProxyConfig::from_env(env.clone(), Caller::Grpc);
/// let rest = ProxyConfig::from_env(env, Caller::Http);
/// assert!(grpc.proxy_for(true, "h", 443)?.is_some());
/// assert!(rest.proxy_for(true, "h", 443)?.is_none());
/// # Ok::<(), connect_proxy::ProxyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The gRPC channel.
    Grpc,
    /// An HTTP (REST) client.
    Http,
}

impl Caller {
    fn proxy_variables(self, tls: bool) -> &'static [&'static str] {
        match (self, tls) {
            (Caller::Grpc, true) => &[
                "grpc_proxy",
                "HTTPS_PROXY",
                "https_proxy",
                "ALL_PROXY",
                "all_proxy",
            ],
            (Caller::Grpc, false) => &[
                "grpc_proxy",
                "HTTP_PROXY",
                "http_proxy",
                "ALL_PROXY",
                "all_proxy",
            ],
            (Caller::Http, true) => &["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"],
            (Caller::Http, false) => &["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"],
        }
    }

    fn exclusion_variables(self) -> &'static [&'static str] {
        match self {
            Caller::Grpc => &["no_grpc_proxy", "NO_PROXY", "no_proxy"],
            Caller::Http => &["NO_PROXY", "no_proxy"],
        }
    }
}

/// Where a proxy setting came from.
///
/// ```
/// use connect_proxy::ProxySource;
/// assert_eq!(ProxySource::Variable("HTTPS_PROXY").to_string(), "from HTTPS_PROXY");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProxySource {
    /// An environment variable.
    Variable(&'static str),
    /// Given explicitly ([`ProxyConfig::url`]).
    Explicit,
}

impl ProxySource {
    /// The setting's name for messages: the variable, or `the explicit proxy setting`.
    ///
    /// ```
    /// use connect_proxy::ProxySource;
    /// assert_eq!(ProxySource::Variable("ALL_PROXY").setting(), "ALL_PROXY");
    /// ```
    pub fn setting(&self) -> &'static str {
        match self {
            ProxySource::Variable(name) => name,
            ProxySource::Explicit => "the explicit proxy setting",
        }
    }
}

impl fmt::Display for ProxySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProxySource::Variable(name) => write!(f, "from {name}"),
            ProxySource::Explicit => f.write_str("set explicitly"),
        }
    }
}

/// An HTTP proxy to tunnel through. `Display` is `http://user@host:port (from VARIABLE)`:
/// the password is never shown, by `Debug` either.
///
/// ```
/// use connect_proxy::ProxyConfig;
///
/// let proxy = ProxyConfig::url("http://bob:pa%40ss@127.0.0.1:3128")?
///     .proxy_for(true, "workspace.example", 443)?
///     .expect("an explicit proxy applies to every host");
/// assert_eq!(proxy.url(), "http://bob@127.0.0.1:3128");
/// assert_eq!(proxy.user(), Some("bob"));
/// assert!(proxy.has_credentials());
/// assert!(!format!("{proxy:?} {proxy}").contains("pa"));
/// # Ok::<(), connect_proxy::ProxyError>(())
/// ```
#[derive(Clone)]
pub struct Proxy {
    host: String,
    port: u16,
    user: Option<String>,
    /// The URL's user info as given (percent-encoded), for [`Proxy::url_with_credentials`].
    userinfo: Option<String>,
    authorization: Option<HeaderValue>,
    source: ProxySource,
}

impl Proxy {
    /// The proxy's host name or address (IPv6 without brackets).
    ///
    /// ```
    /// # let p = connect_proxy::ProxyConfig::url("http://[::1]:3128")?.proxy_for(true, "h", 1)?.unwrap();
    /// assert_eq!(p.host(), "::1");
    /// # Ok::<(), connect_proxy::ProxyError>(())
    /// ```
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The proxy's port (80 when the URL has none).
    ///
    /// ```
    /// # let p = connect_proxy::ProxyConfig::url("http://proxy")?.proxy_for(true, "h", 1)?.unwrap();
    /// assert_eq!(p.port(), 80);
    /// # Ok::<(), connect_proxy::ProxyError>(())
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The user name of the proxy URL's credentials, percent-decoded.
    ///
    /// ```
    /// # let p = connect_proxy::ProxyConfig::url("http://a%20b:c@proxy")?.proxy_for(true, "h", 1)?.unwrap();
    /// assert_eq!(p.user(), Some("a b"));
    /// # Ok::<(), connect_proxy::ProxyError>(())
    /// ```
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// Whether the CONNECT request carries `Proxy-Authorization: Basic`.
    ///
    /// ```
    /// # let p = connect_proxy::ProxyConfig::url("http://proxy:3128")?.proxy_for(true, "h", 1)?.unwrap();
    /// assert!(!p.has_credentials());
    /// # Ok::<(), connect_proxy::ProxyError>(())
    /// ```
    pub fn has_credentials(&self) -> bool {
        self.authorization.is_some()
    }

    /// Where the setting came from.
    ///
    /// ```
    /// use connect_proxy::{ProxyConfig, ProxySource};
    /// # let p = ProxyConfig::url("http://proxy:3128")?.proxy_for(true, "h", 1)?.unwrap();
    /// assert_eq!(p.source(), ProxySource::Explicit);
    /// # Ok::<(), connect_proxy::ProxyError>(())
    /// ```
    pub fn source(&self) -> ProxySource {
        self.source
    }

    /// `http://[user@]host:port`, without the password.
    ///
    /// ```
    /// # let p = connect_proxy::ProxyConfig::url("proxy.corp:8080")?.proxy_for(true, "h", 1)?.unwrap();
    /// assert_eq!(p.url(), "http://proxy.corp:8080");
    /// # Ok::<(), connect_proxy::ProxyError>(())
    /// ```
    pub fn url(&self) -> String {
        let user = match &self.user {
            Some(user) => format!("{}@", percent_encoding::utf8_percent_encode(user, USERINFO)),
            None => String::new(),
        };
        format!("http://{user}{}", self.authority())
    }

    /// `http://[user[:password]@]host:port`: the proxy with its credentials, for handing to
    /// another HTTP client (reqwest's `Proxy::custom`). It holds the password: never log it.
    ///
    /// ```
    /// # let p = connect_proxy::ProxyConfig::url("http://u:p%40ss@proxy:3128")?.proxy_for(true, "h", 1)?.unwrap();
    /// assert_eq!(p.url_with_credentials(), "http://u:p%40ss@proxy:3128");
    /// # Ok::<(), connect_proxy::ProxyError>(())
    /// ```
    pub fn url_with_credentials(&self) -> String {
        match &self.userinfo {
            Some(userinfo) => format!("http://{userinfo}@{}", self.authority()),
            None => format!("http://{}", self.authority()),
        }
    }

    /// `host:port` (IPv6 in brackets), as dialled.
    pub(crate) fn authority(&self) -> String {
        authority(&self.host, self.port)
    }

    pub(crate) fn authorization(&self) -> Option<&HeaderValue> {
        self.authorization.as_ref()
    }
}

/// What a user name keeps unencoded in a URL.
const USERINFO: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn authority(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

impl fmt::Display for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.url(), self.source)
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &self.url())
            .field("source", &self.source)
            .field("credentials", &self.has_credentials())
            .finish()
    }
}

/// How connections choose their proxy: from the environment's variables (the default of the
/// clients that use this crate), one proxy given explicitly, or none.
///
/// ```
/// use connect_proxy::{Caller, ProxyConfig, ProxyEnv};
///
/// // The process environment, as the gRPC channel reads it:
/// let from_env = ProxyConfig::from_env(ProxyEnv::process(), Caller::Grpc);
/// // One proxy for every host, whatever the environment says:
/// let explicit = ProxyConfig::url("http://proxy.corp:3128")?;
/// // Never a proxy:
/// let direct = ProxyConfig::none();
/// assert!(direct.proxy_for(true, "h", 443)?.is_none());
/// # let _ = (from_env, explicit);
/// # Ok::<(), connect_proxy::ProxyError>(())
/// ```
#[derive(Clone)]
pub struct ProxyConfig {
    inner: Inner,
}

#[derive(Clone)]
enum Inner {
    Off,
    Explicit(Proxy),
    Rules(Arc<Rules>),
}

struct Rules {
    env: ProxyEnv,
    caller: Caller,
    /// The exclusion list and the variable it came from; `all` for a `*` entry.
    exclusions: Option<(&'static str, Matcher, bool)>,
    tls: Option<Result<Proxy, ProxyError>>,
    plain: Option<Result<Proxy, ProxyError>>,
}

impl ProxyConfig {
    /// The rules of the crate's documentation over `env`, for `caller`. Never fails: a
    /// malformed variable is reported by [`proxy_for`](Self::proxy_for) when it would be used.
    ///
    /// ```
    /// use connect_proxy::{Caller, ProxyConfig, ProxyEnv};
    ///
    /// let rules = ProxyConfig::from_env(ProxyEnv::from_vars([("ALL_PROXY", "socks5://p:1080")]), Caller::Http);
    /// let err = rules.proxy_for(true, "h", 443).unwrap_err();
    /// assert!(err.to_string().starts_with("ALL_PROXY names a SOCKS proxy"), "{err}");
    /// ```
    pub fn from_env(env: ProxyEnv, caller: Caller) -> ProxyConfig {
        if env.is_empty() {
            return ProxyConfig::none();
        }
        let pick = |tls: bool| {
            let mut names = caller.proxy_variables(tls).to_vec();
            // httpoxy: in a CGI program, HTTP_PROXY may come from a request's `Proxy:` header.
            if env.get("REQUEST_METHOD").is_some() {
                names.retain(|n| *n != "HTTP_PROXY");
            }
            env.first(&names)
                .map(|(name, value)| parse(value, ProxySource::Variable(name)))
        };
        let exclusions = env
            .first(caller.exclusion_variables())
            .map(|(name, value)| {
                let all = value.split(',').any(|entry| entry.trim() == "*");
                // The matcher applies the list; its proxy only tells "excluded" (no answer)
                // from "not excluded".
                let matcher = Matcher::builder()
                    .all("http://127.0.0.1:1")
                    .no(value)
                    .build();
                (name, matcher, all)
            });
        ProxyConfig {
            inner: Inner::Rules(Arc::new(Rules {
                tls: pick(true),
                plain: pick(false),
                env,
                caller,
                exclusions,
            })),
        }
    }

    /// One proxy for every connection, whatever the environment says; `NO_PROXY` does not
    /// apply. Fails when `url` is not an `http://` proxy URL.
    ///
    /// ```
    /// use connect_proxy::ProxyConfig;
    /// assert!(ProxyConfig::url("http://proxy.corp:3128").is_ok());
    /// assert!(ProxyConfig::url("ftp://proxy.corp").is_err());
    /// ```
    pub fn url(url: &str) -> Result<ProxyConfig, ProxyError> {
        Ok(ProxyConfig {
            inner: Inner::Explicit(parse(url, ProxySource::Explicit)?),
        })
    }

    /// No proxy, whatever the environment says.
    ///
    /// ```
    /// assert!(connect_proxy::ProxyConfig::none().proxy_for(false, "h", 80)?.is_none());
    /// # Ok::<(), connect_proxy::ProxyError>(())
    /// ```
    pub fn none() -> ProxyConfig {
        ProxyConfig { inner: Inner::Off }
    }

    /// The proxy for a connection to `host:port` (`tls`: an `https` target), or `None` to
    /// connect directly. Fails when the variable that applies is not a usable proxy URL.
    ///
    /// ```
    /// use connect_proxy::{Caller, ProxyConfig, ProxyEnv};
    ///
    /// let env = ProxyEnv::from_vars([("https_proxy", "http://p:3128"), ("no_proxy", "localhost")]);
    /// let rules = ProxyConfig::from_env(env, Caller::Grpc);
    /// assert_eq!(rules.proxy_for(true, "h", 443)?.unwrap().to_string(), "http://p:3128 (from https_proxy)");
    /// assert!(rules.proxy_for(false, "h", 80)?.is_none());
    /// assert!(rules.proxy_for(true, "localhost", 443)?.is_none());
    /// # Ok::<(), connect_proxy::ProxyError>(())
    /// ```
    pub fn proxy_for(&self, tls: bool, host: &str, port: u16) -> Result<Option<Proxy>, ProxyError> {
        let rules = match &self.inner {
            Inner::Off => return Ok(None),
            Inner::Explicit(proxy) => return Ok(Some(proxy.clone())),
            Inner::Rules(rules) => rules,
        };
        let chosen = if tls { &rules.tls } else { &rules.plain };
        if chosen.is_none() || self.excluded_by(host, port).is_some() {
            return Ok(None);
        }
        match chosen {
            Some(Ok(proxy)) => Ok(Some(proxy.clone())),
            Some(Err(e)) => Err(e.clone()),
            None => Ok(None),
        }
    }

    /// The proxy for a request to `url` (`http` or `https`, default ports 80 and 443); `None`
    /// also for URLs without a host or of other schemes.
    ///
    /// ```
    /// use connect_proxy::{Caller, ProxyConfig, ProxyEnv};
    ///
    /// let rules = ProxyConfig::from_env(ProxyEnv::from_vars([("HTTPS_PROXY", "http://p:3128")]), Caller::Http);
    /// assert!(rules.proxy_for_url("https://login.microsoftonline.com/t/oauth2/token")?.is_some());
    /// assert!(rules.proxy_for_url("http://127.0.0.1:8080/x")?.is_none());
    /// # Ok::<(), connect_proxy::ProxyError>(())
    /// ```
    pub fn proxy_for_url(&self, url: &str) -> Result<Option<Proxy>, ProxyError> {
        let Ok(uri) = url.parse::<http::Uri>() else {
            return Ok(None);
        };
        let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
            return Ok(None);
        };
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Ok(None),
        };
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        let host = host.trim_start_matches('[').trim_end_matches(']');
        self.proxy_for(tls, host, port)
    }

    /// The exclusion variable (`NO_PROXY`, ...) whose list names `host`, when one does.
    ///
    /// ```
    /// use connect_proxy::{Caller, ProxyConfig, ProxyEnv};
    ///
    /// let env = ProxyEnv::from_vars([("HTTPS_PROXY", "http://p:3128"), ("NO_PROXY", "10.0.0.0/8")]);
    /// let rules = ProxyConfig::from_env(env, Caller::Grpc);
    /// assert_eq!(rules.excluded_by("10.2.3.4", 443), Some("NO_PROXY"));
    /// assert_eq!(rules.excluded_by("11.2.3.4", 443), None);
    /// ```
    pub fn excluded_by(&self, host: &str, port: u16) -> Option<&'static str> {
        let Inner::Rules(rules) = &self.inner else {
            return None;
        };
        let (name, matcher, all) = rules.exclusions.as_ref()?;
        if *all {
            return Some(name);
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let uri: http::Uri = format!("https://{}/", authority(host, port)).parse().ok()?;
        matcher.intercept(&uri).is_none().then_some(*name)
    }

    /// Whether any proxy can apply: an explicit one, or a proxy variable that is set.
    ///
    /// ```
    /// use connect_proxy::{Caller, ProxyConfig, ProxyEnv};
    /// assert!(!ProxyConfig::from_env(ProxyEnv::from_vars([("NO_PROXY", "*")]), Caller::Http).is_active());
    /// ```
    pub fn is_active(&self) -> bool {
        match &self.inner {
            Inner::Off => false,
            Inner::Explicit(_) => true,
            Inner::Rules(rules) => rules.tls.is_some() || rules.plain.is_some(),
        }
    }
}

impl fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Off => f.write_str("ProxyConfig::none()"),
            Inner::Explicit(proxy) => f.debug_tuple("ProxyConfig::url").field(proxy).finish(),
            Inner::Rules(rules) => f
                .debug_struct("ProxyConfig::from_env")
                .field("env", &rules.env)
                .field("caller", &rules.caller)
                .finish(),
        }
    }
}

/// Parses a proxy setting; the value is never echoed (it may hold a password).
fn parse(value: &str, source: ProxySource) -> Result<Proxy, ProxyError> {
    let value = value.trim();
    let (scheme, rest) = match value.split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => ("http".to_string(), value),
    };
    let authority_text = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (userinfo, hostport) = match authority_text.rsplit_once('@') {
        Some((userinfo, hostport)) => (Some(userinfo), hostport),
        None => (None, authority_text),
    };
    match scheme.as_str() {
        "http" => {}
        s if s.starts_with("socks") => {
            return Err(ProxyError::new(
                ProxyErrorKind::Unsupported,
                format!(
                    "{} names a SOCKS proxy ({s}://{hostport}), which this client does not support: use an HTTP proxy, http://host:port",
                    source.setting()
                ),
            ));
        }
        "https" => {
            return Err(ProxyError::new(
                ProxyErrorKind::Unsupported,
                format!(
                    "{} names an https:// proxy ({hostport}): TLS to the proxy itself is not supported; use http://{hostport} (the tunnel still carries TLS from end to end)",
                    source.setting()
                ),
            ));
        }
        other => {
            return Err(ProxyError::invalid(
                source,
                &format!("the scheme {other:?} is not a proxy scheme"),
            ));
        }
    }
    let (host, port) = split_host_port(hostport).ok_or_else(|| {
        ProxyError::invalid(
            source,
            "it has no host, or its port is not a number from 1 to 65535",
        )
    })?;
    let user = match userinfo {
        None => None,
        Some(userinfo) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            let decoded = percent_decode_str(user).decode_utf8().map_err(|_| {
                ProxyError::invalid(source, "the user name is not percent-encoded UTF-8")
            })?;
            if let Some((_, password)) = userinfo.split_once(':')
                && percent_decode_str(password).decode_utf8().is_err()
            {
                return Err(ProxyError::invalid(
                    source,
                    "the password is not percent-encoded UTF-8",
                ));
            }
            Some(decoded.into_owned())
        }
    };
    // The Basic credentials as reqwest makes them: hyper-util's matcher decodes and encodes
    // the user info.
    let authorization = match userinfo {
        None => None,
        Some(userinfo) => {
            let url = format!("http://{userinfo}@{}/", authority(&host, port));
            let matcher = Matcher::builder().all(url).build();
            let probe: http::Uri = "http://target.invalid/".parse().expect("a valid URI");
            let intercept = matcher.intercept(&probe).ok_or_else(|| {
                ProxyError::invalid(source, "its user name or password cannot be read")
            })?;
            intercept.basic_auth().cloned()
        }
    };
    Ok(Proxy {
        host,
        port,
        user,
        userinfo: userinfo.map(str::to_string),
        authorization,
        source,
    })
}

/// `host[:port]` or `[v6][:port]`; port 80 when absent. `None` when malformed.
fn split_host_port(text: &str) -> Option<(String, u16)> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        host.parse::<std::net::Ipv6Addr>().ok()?;
        match after {
            "" => (host, None),
            p => (host, Some(p.strip_prefix(':')?)),
        }
    } else {
        match text.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let port = match port {
        None => 80,
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0)?,
    };
    if host.is_empty() {
        return None;
    }
    // A host must also be a valid URI authority (no spaces or other stray characters).
    authority(host, port).parse::<http::uri::Authority>().ok()?;
    Some((host.to_string(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(vars: &[(&str, &str)], caller: Caller) -> ProxyConfig {
        ProxyConfig::from_env(ProxyEnv::from_vars(vars.iter().copied()), caller)
    }

    /// `(variables, caller, tls target?, host, the proxy shown or `None` for direct)`.
    type Case<'a> = (
        &'a [(&'a str, &'a str)],
        Caller,
        bool,
        &'a str,
        Option<&'a str>,
    );

    #[test]
    fn the_rule_table() {
        use Caller::{Grpc, Http};
        let cases: &[Case] = &[
            (&[], Grpc, true, "h", None),
            (
                &[("HTTPS_PROXY", "http://a:1")],
                Grpc,
                true,
                "h",
                Some("http://a:1 (from HTTPS_PROXY)"),
            ),
            (
                &[("https_proxy", "http://a:1")],
                Http,
                true,
                "h",
                Some("http://a:1 (from https_proxy)"),
            ),
            // Upper case before lower case.
            (
                &[("HTTPS_PROXY", "http://a:1"), ("https_proxy", "http://b:1")],
                Http,
                true,
                "h",
                Some("http://a:1 (from HTTPS_PROXY)"),
            ),
            // grpc_proxy first, for the channel only.
            (
                &[("grpc_proxy", "http://g:1"), ("HTTPS_PROXY", "http://a:1")],
                Grpc,
                true,
                "h",
                Some("http://g:1 (from grpc_proxy)"),
            ),
            (
                &[("grpc_proxy", "http://g:1"), ("HTTPS_PROXY", "http://a:1")],
                Http,
                true,
                "h",
                Some("http://a:1 (from HTTPS_PROXY)"),
            ),
            (
                &[("grpc_proxy", "http://g:1")],
                Grpc,
                false,
                "h",
                Some("http://g:1 (from grpc_proxy)"),
            ),
            // ALL_PROXY last, for both kinds of targets.
            (
                &[("ALL_PROXY", "http://all:1")],
                Http,
                true,
                "h",
                Some("http://all:1 (from ALL_PROXY)"),
            ),
            (
                &[("all_proxy", "http://all:1")],
                Grpc,
                false,
                "h",
                Some("http://all:1 (from all_proxy)"),
            ),
            (
                &[("ALL_PROXY", "http://all:1"), ("HTTPS_PROXY", "http://a:1")],
                Http,
                true,
                "h",
                Some("http://a:1 (from HTTPS_PROXY)"),
            ),
            // HTTPS_PROXY is for TLS targets, HTTP_PROXY for plaintext ones.
            (&[("HTTPS_PROXY", "http://a:1")], Grpc, false, "h", None),
            (&[("HTTP_PROXY", "http://p:1")], Http, true, "h", None),
            (
                &[("HTTP_PROXY", "http://p:1")],
                Http,
                false,
                "h",
                Some("http://p:1 (from HTTP_PROXY)"),
            ),
            (
                &[("http_proxy", "http://p:1")],
                Grpc,
                false,
                "h",
                Some("http://p:1 (from http_proxy)"),
            ),
            // CGI: HTTP_PROXY may come from a request header.
            (
                &[("HTTP_PROXY", "http://p:1"), ("REQUEST_METHOD", "GET")],
                Http,
                false,
                "h",
                None,
            ),
            (
                &[("http_proxy", "http://p:1"), ("REQUEST_METHOD", "GET")],
                Http,
                false,
                "h",
                Some("http://p:1 (from http_proxy)"),
            ),
            // Empty counts as unset.
            (
                &[("HTTPS_PROXY", ""), ("https_proxy", "http://b:1")],
                Http,
                true,
                "h",
                Some("http://b:1 (from https_proxy)"),
            ),
            // A scheme-less value is http; the port defaults to 80.
            (
                &[("HTTPS_PROXY", "proxy.corp:3128")],
                Http,
                true,
                "h",
                Some("http://proxy.corp:3128 (from HTTPS_PROXY)"),
            ),
            (
                &[("HTTPS_PROXY", "http://proxy.corp")],
                Http,
                true,
                "h",
                Some("http://proxy.corp:80 (from HTTPS_PROXY)"),
            ),
            (
                &[("HTTPS_PROXY", "http://proxy.corp:3128/some/path")],
                Http,
                true,
                "h",
                Some("http://proxy.corp:3128 (from HTTPS_PROXY)"),
            ),
            (
                &[("HTTPS_PROXY", "HTTP://[::1]:3128")],
                Http,
                true,
                "h",
                Some("http://[::1]:3128 (from HTTPS_PROXY)"),
            ),
            // User info: shown without the password.
            (
                &[("HTTPS_PROXY", "http://us%20er:p%40ss@p:1")],
                Http,
                true,
                "h",
                Some("http://us%20er@p:1 (from HTTPS_PROXY)"),
            ),
            // NO_PROXY: exact names, domains with and without a dot, IPs, CIDRs, `*`.
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", "h")],
                Http,
                true,
                "h",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", "example.com")],
                Http,
                true,
                "example.com",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", "example.com")],
                Http,
                true,
                "ws.example.com",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", ".example.com")],
                Http,
                true,
                "ws.example.com",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", ".example.com")],
                Http,
                true,
                "example.com",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", "example.com")],
                Http,
                true,
                "notexample.com",
                Some("http://a:1 (from HTTPS_PROXY)"),
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", "EXAMPLE.com")],
                Http,
                true,
                "ws.example.COM",
                None,
            ),
            (
                &[
                    ("HTTPS_PROXY", "http://a:1"),
                    ("NO_PROXY", "a.b, 127.0.0.1 ,c.d"),
                ],
                Http,
                true,
                "127.0.0.1",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", "127.0.0.1")],
                Http,
                true,
                "127.0.0.2",
                Some("http://a:1 (from HTTPS_PROXY)"),
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", "10.0.0.0/8")],
                Grpc,
                true,
                "10.20.30.40",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", "::1")],
                Grpc,
                true,
                "::1",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", "*")],
                Grpc,
                true,
                "anything.example",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("NO_PROXY", "*")],
                Grpc,
                true,
                "192.0.2.1",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("no_proxy", "h")],
                Grpc,
                true,
                "h",
                None,
            ),
            // No implicit loopback exclusion.
            (
                &[("HTTPS_PROXY", "http://a:1")],
                Grpc,
                true,
                "localhost",
                Some("http://a:1 (from HTTPS_PROXY)"),
            ),
            (
                &[("HTTPS_PROXY", "http://a:1")],
                Grpc,
                true,
                "127.0.0.1",
                Some("http://a:1 (from HTTPS_PROXY)"),
            ),
            // no_grpc_proxy: for the channel only, and before NO_PROXY.
            (
                &[("HTTPS_PROXY", "http://a:1"), ("no_grpc_proxy", "h")],
                Grpc,
                true,
                "h",
                None,
            ),
            (
                &[("HTTPS_PROXY", "http://a:1"), ("no_grpc_proxy", "h")],
                Http,
                true,
                "h",
                Some("http://a:1 (from HTTPS_PROXY)"),
            ),
            (
                &[
                    ("HTTPS_PROXY", "http://a:1"),
                    ("no_grpc_proxy", "other"),
                    ("NO_PROXY", "h"),
                ],
                Grpc,
                true,
                "h",
                Some("http://a:1 (from HTTPS_PROXY)"),
            ),
        ];
        for (vars, caller, tls, host, expected) in cases {
            let got = rules(vars, *caller)
                .proxy_for(*tls, host, 443)
                .unwrap_or_else(|e| panic!("{vars:?} {caller:?} {host}: {e}"))
                .map(|p| p.to_string());
            assert_eq!(
                got.as_deref(),
                *expected,
                "{vars:?} {caller:?} tls={tls} {host}"
            );
        }
    }

    #[test]
    fn bad_settings_are_errors_naming_the_variable_without_the_password() {
        let cases: &[(&str, ProxyErrorKind, &str)] = &[
            (
                "socks5://u:hunter2@p:1080",
                ProxyErrorKind::Unsupported,
                "ALL_PROXY names a SOCKS proxy (socks5://p:1080), which this client does not support",
            ),
            (
                "socks5h://p:1080",
                ProxyErrorKind::Unsupported,
                "ALL_PROXY names a SOCKS proxy",
            ),
            (
                "https://u:hunter2@p:443",
                ProxyErrorKind::Unsupported,
                "ALL_PROXY names an https:// proxy (p:443)",
            ),
            (
                "ftp://p:21",
                ProxyErrorKind::InvalidSetting,
                "ALL_PROXY is not a usable proxy URL: the scheme \"ftp\"",
            ),
            (
                "http://",
                ProxyErrorKind::InvalidSetting,
                "ALL_PROXY is not a usable proxy URL: it has no host",
            ),
            (
                "http://p:99999",
                ProxyErrorKind::InvalidSetting,
                "ALL_PROXY is not a usable proxy URL",
            ),
            (
                "http://p:x",
                ProxyErrorKind::InvalidSetting,
                "ALL_PROXY is not a usable proxy URL",
            ),
            (
                "http://u:hunter2@p q:1",
                ProxyErrorKind::InvalidSetting,
                "ALL_PROXY is not a usable proxy URL",
            ),
            (
                "http://u:hunter2%ff@p:1",
                ProxyErrorKind::InvalidSetting,
                "the password is not percent-encoded UTF-8",
            ),
        ];
        for (value, kind, start) in cases {
            let err = rules(&[("ALL_PROXY", value)], Caller::Http)
                .proxy_for(true, "h", 443)
                .unwrap_err();
            assert_eq!(err.kind(), *kind, "{value}: {err}");
            let text = err.to_string();
            assert!(text.contains(start), "{value}: {text}");
            assert!(!text.contains("hunter2"), "{text}");
            assert!(!format!("{err:?}").contains("hunter2"));
        }
        // Excluded hosts never see the malformed setting.
        let r = rules(&[("ALL_PROXY", "ftp://p"), ("NO_PROXY", "h")], Caller::Http);
        assert!(r.proxy_for(true, "h", 443).unwrap().is_none());
        assert!(
            ProxyConfig::url("socks5://p:1")
                .unwrap_err()
                .to_string()
                .starts_with("the explicit proxy setting names a SOCKS proxy")
        );
    }

    #[test]
    fn credentials_are_basic_and_percent_decoded_and_never_shown() {
        let proxy = ProxyConfig::url("http://Aladdin:open%20sesame@p:3128")
            .unwrap()
            .proxy_for(true, "h", 443)
            .unwrap()
            .unwrap();
        // base64("Aladdin:open sesame")
        assert_eq!(
            proxy.authorization().unwrap(),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
        assert!(proxy.authorization().unwrap().is_sensitive());
        let shown = format!("{proxy} {proxy:?}");
        assert!(
            !shown.contains("open") && !shown.contains("QWxh"),
            "{shown}"
        );
        let rules = rules(&[("HTTPS_PROXY", "http://u:s3cr3t@p:1")], Caller::Grpc);
        assert!(!format!("{rules:?}").contains("s3cr3t"));
        let user_only = ProxyConfig::url("http://u@p:1").unwrap();
        let p = user_only.proxy_for(true, "h", 1).unwrap().unwrap();
        assert_eq!(p.user(), Some("u"));
        assert!(p.has_credentials());
    }

    #[test]
    fn urls_choose_tls_by_scheme() {
        let r = rules(
            &[("HTTPS_PROXY", "http://s:1"), ("HTTP_PROXY", "http://p:1")],
            Caller::Http,
        );
        let shown = |url: &str| r.proxy_for_url(url).unwrap().map(|p| p.url());
        assert_eq!(shown("https://h/x").as_deref(), Some("http://s:1"));
        assert_eq!(shown("http://h:8080/x").as_deref(), Some("http://p:1"));
        assert_eq!(shown("https://[::1]:8443/x").as_deref(), Some("http://s:1"));
        assert_eq!(shown("file:///x"), None);
        assert_eq!(shown("not a url"), None);
    }
}
