//! Host normalisation, as the SDKs do it.

use crate::error::{ConfigError, ConfigErrorKind};

/// A host reduced to `scheme://host[:port]`, plus the workspace id found in its query, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedHost {
    /// `https://host` or `http://host:port`; no path, query, user info or trailing slash, and
    /// no `:443` on `https`.
    pub url: String,
    /// The value of a `?o=` or `?workspace_id=` query parameter.
    pub workspace_id: Option<String>,
}

/// Normalises a host the way the Databricks SDKs do.
///
/// `https://` is added when there is no scheme; the path, trailing `/`, fragment and user info
/// are dropped; `:443` is dropped on `https`. A `?o=<id>` or `?workspace_id=<id>` query (as in
/// workspace URLs copied from a browser) gives the workspace id.
///
/// The error ([`ConfigErrorKind::InvalidHost`]) says what is wrong without echoing the value,
/// which could hold user info.
///
/// ```
/// use databricks_config::{ConfigErrorKind, normalize_host};
/// let h = normalize_host("adb-123.4.azuredatabricks.net:443/?o=123#x").unwrap();
/// assert_eq!(h.url, "https://adb-123.4.azuredatabricks.net");
/// assert_eq!(h.workspace_id.as_deref(), Some("123"));
///
/// let e = normalize_host("sc://x").unwrap_err();
/// assert_eq!(e.kind(), &ConfigErrorKind::InvalidHost);
/// assert!(e.message().starts_with("the scheme is sc://"));
/// ```
pub fn normalize_host(raw: &str) -> Result<NormalizedHost, ConfigError> {
    normalize(raw).map_err(|why| ConfigError::new(ConfigErrorKind::InvalidHost, why))
}

fn normalize(raw: &str) -> Result<NormalizedHost, String> {
    let raw = raw.trim();
    let (scheme, rest) = match raw.find("://") {
        Some(i) => (raw[..i].to_ascii_lowercase(), &raw[i + 3..]),
        None => ("https".to_owned(), raw),
    };
    if scheme != "https" && scheme != "http" {
        return Err(format!(
            "the scheme is {scheme}://, expected https:// (or http:// for local tests)"
        ));
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let after = &rest[authority_end..];
    // User info is dropped: it has no meaning for Databricks and could be a secret.
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (hostname, port) = split_port(host_port)?;
    if hostname.is_empty() {
        return Err("there is no host name, expected https://<workspace-host>".into());
    }
    if let Some(c) = hostname
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`%".contains(*c))
    {
        return Err(format!(
            "the host name contains {c:?}, expected a DNS name or IP address"
        ));
    }
    let port = match port {
        Some("443") if scheme == "https" => None,
        other => other,
    };
    let url = match port {
        Some(port) => format!("{scheme}://{hostname}:{port}"),
        None => format!("{scheme}://{hostname}"),
    };
    let before_fragment = after.split('#').next().unwrap_or("");
    let query = before_fragment.split_once('?').map_or("", |(_, q)| q);
    let workspace_id = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, v)| (*k == "o" || *k == "workspace_id") && !v.is_empty())
        .map(|(_, v)| v.to_owned());
    Ok(NormalizedHost { url, workspace_id })
}

fn split_port(host_port: &str) -> Result<(&str, Option<&str>), String> {
    let (host, port) = if host_port.starts_with('[') {
        // IPv6 literal: [::1]:8080
        let close = host_port
            .find(']')
            .ok_or("the IPv6 address has no closing `]`")?;
        let port = &host_port[close + 1..];
        match port.strip_prefix(':') {
            Some(p) => (&host_port[..=close], Some(p)),
            None if port.is_empty() => (&host_port[..=close], None),
            None => return Err("unexpected text after the IPv6 address".into()),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    match port {
        Some("") => Ok((host, None)),
        Some(p) if p.chars().all(|c| c.is_ascii_digit()) && p.parse::<u16>().is_ok() => {
            Ok((host, Some(p)))
        }
        Some(_) => Err("the port is not a number from 0 to 65535".into()),
        None => Ok((host, None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> String {
        normalize_host(s).unwrap().url
    }

    #[test]
    fn like_the_sdks() {
        assert_eq!(url("x"), "https://x");
        assert_eq!(url("https://x/"), "https://x");
        assert_eq!(url("https://x:443/"), "https://x");
        assert_eq!(url("https://x:8443/a/b/"), "https://x:8443");
        assert_eq!(url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
        assert_eq!(url("HTTPS://Ws.Example.com"), "https://Ws.Example.com");
        assert_eq!(
            url("https://dbc-XXXXXXXX-YYYY.cloud.databricks.com/"),
            "https://dbc-XXXXXXXX-YYYY.cloud.databricks.com"
        );
        assert_eq!(url("https://[::1]:9000/"), "https://[::1]:9000");
        assert_eq!(url("https://[::1]"), "https://[::1]");
        assert_eq!(url(" https://x: "), "https://x");
    }

    #[test]
    fn user_info_is_dropped() {
        assert_eq!(url("https://user:secret@x/"), "https://x");
    }

    #[test]
    fn workspace_id_from_query() {
        let h = normalize_host("https://x/?o=123").unwrap();
        assert_eq!(h.workspace_id.as_deref(), Some("123"));
        let h = normalize_host("https://x/browse?a=1&workspace_id=77#frag").unwrap();
        assert_eq!(h.workspace_id.as_deref(), Some("77"));
        let h = normalize_host("https://x/#?o=1").unwrap();
        assert_eq!(h.workspace_id, None);
        assert_eq!(normalize_host("https://x?o=").unwrap().workspace_id, None);
    }

    #[test]
    fn bad_hosts() {
        assert!(
            normalize_host("sc://x")
                .unwrap_err()
                .message()
                .contains("sc://")
        );
        assert!(
            normalize_host("https://")
                .unwrap_err()
                .message()
                .contains("no host name")
        );
        assert!(
            normalize_host("https://x:port")
                .unwrap_err()
                .message()
                .contains("port")
        );
        assert!(
            normalize_host("https://x:99999")
                .unwrap_err()
                .message()
                .contains("port")
        );
        assert!(
            normalize_host("https://a b")
                .unwrap_err()
                .message()
                .contains("host name")
        );
        assert!(
            normalize_host("https://[::1")
                .unwrap_err()
                .message()
                .contains("IPv6")
        );
        let e = normalize_host("ftp://user:hunter2@x").unwrap_err();
        assert!(!e.to_string().contains("hunter2"));
    }
}
