//! The HTTP client for token endpoints, and the OAuth wire formats.

use std::time::Duration;

use databricks_config::Config;
use serde_json::Value;

use crate::error::{AuthError, AuthErrorKind};
use crate::rest::RestClient;
use crate::token::Token;

/// An HTTP client configured from `cfg` (timeout, certificate checks, proxy).
pub(crate) fn client(cfg: &Config, provider: &str) -> Result<RestClient, AuthError> {
    RestClient::new(cfg).map_err(|e| {
        AuthError::provider(provider, AuthErrorKind::from(&e), e.to_string()).with_source(e)
    })
}

/// `application/x-www-form-urlencoded` encoding of `pairs` (for a URL's query; request bodies
/// use reqwest's `form`, the same encoder).
pub(crate) fn form(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// One value form-encoded on its own (RFC 6749 section 2.3.1's client id and secret).
pub(crate) fn form_component(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A response: status and body.
pub(crate) struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// Sends a request and reads the whole body. The error names the URL (or what `url` calls
/// it), never credentials, and says what a proxy in between did.
pub(crate) async fn send(
    client: &RestClient,
    request: reqwest::RequestBuilder,
    url: &str,
    provider: &str,
) -> Result<Response, AuthError> {
    let response = client.send(request).await.map_err(|e| {
        AuthError::provider(
            provider,
            AuthErrorKind::from(&e),
            format!("request to {url} failed: {e}"),
        )
        .with_source(e)
    })?;
    let status = response.status().as_u16();
    let body = response.bytes().await.map_err(|e| {
        let e = e.without_url();
        let kind = if e.is_timeout() {
            AuthErrorKind::TimedOut
        } else {
            AuthErrorKind::Unreachable
        };
        AuthError::provider(
            provider,
            kind,
            format!("reading the response of {url} failed: {}", error_chain(&e)),
        )
        .with_source(e)
    })?;
    Ok(Response {
        status,
        body: body.to_vec(),
    })
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Parses an OAuth 2.0 token response (RFC 6749 section 5.1), or turns an error response
/// (section 5.2) into a message with its `error` and `error_description`: a refusal
/// ([`AuthErrorKind::Refused`]) for 4xx answers, [`AuthErrorKind::Unreachable`] for 5xx (the
/// endpoint is unavailable).
pub(crate) fn token_response(
    response: &Response,
    url: &str,
    provider: &str,
) -> Result<Token, AuthError> {
    let json = response.json();
    if !(200..300).contains(&response.status) {
        let detail = json
            .as_ref()
            .and_then(|j| {
                let error = j.get("error")?.as_str()?;
                Some(match j.get("error_description").and_then(Value::as_str) {
                    Some(d) => format!("{error}: {d}"),
                    None => error.to_owned(),
                })
            })
            .unwrap_or_else(|| "no OAuth error in the response".into());
        return Err(AuthError::provider(
            provider,
            status_kind(response.status),
            format!(
                "token request to {url} failed: HTTP {}: {detail}",
                response.status
            ),
        ));
    }
    let json = json.ok_or_else(|| {
        AuthError::provider(
            provider,
            AuthErrorKind::InvalidResponse,
            format!("token response of {url} is not JSON: expected an OAuth token response"),
        )
    })?;
    parse_token_json(&json).map_err(|what| {
        AuthError::provider(
            provider,
            AuthErrorKind::InvalidResponse,
            format!("token response of {url}: {what}"),
        )
    })
}

/// The kind of an HTTP failure status of an identity provider: the server's own failure
/// (5xx) or rate limit (429) means it is unavailable; other 4xx answers refuse the request.
pub(crate) fn status_kind(status: u16) -> AuthErrorKind {
    if status >= 500 || status == 429 {
        AuthErrorKind::Unreachable
    } else {
        AuthErrorKind::Refused
    }
}

/// Reads `access_token`, `token_type`, `expires_in` (number or numeric string) and
/// `refresh_token`.
pub(crate) fn parse_token_json(json: &Value) -> Result<Token, String> {
    let access_token = json
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or("expected a non-empty \"access_token\" string")?;
    let token_type = json
        .get("token_type")
        .and_then(Value::as_str)
        .unwrap_or("Bearer");
    let expires_in = match json.get("expires_in") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => Some(n.as_f64().unwrap_or(0.0)),
        Some(Value::String(s)) => Some(
            s.parse::<f64>()
                .map_err(|_| "expected \"expires_in\" to be a number of seconds".to_owned())?,
        ),
        Some(_) => return Err("expected \"expires_in\" to be a number of seconds".into()),
    };
    let mut token = Token::bearer(access_token, expires_in.map(bounded_ttl));
    token.token_type = token_type.to_owned();
    token.refresh_token = json
        .get("refresh_token")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding() {
        assert_eq!(
            form(&[
                ("grant_type", "client_credentials"),
                ("scope", "all-apis sql")
            ]),
            "grant_type=client_credentials&scope=all-apis+sql"
        );
        assert_eq!(form(&[("a", "x&y=z/é")]), "a=x%26y%3Dz%2F%C3%A9");
        assert_eq!(form_component("id:with spaces+*"), "id%3Awith+spaces%2B*");
    }

    #[test]
    fn token_json() {
        let t = parse_token_json(&serde_json::json!({
            "access_token": "a", "token_type": "bearer", "expires_in": "3600", "refresh_token": "r"
        }))
        .unwrap();
        assert_eq!(t.authorization(), "bearer a");
        assert!(t.expires_at.is_some());
        assert_eq!(t.refresh_token.as_deref(), Some("r"));
        assert!(parse_token_json(&serde_json::json!({"token_type": "x"})).is_err());
        assert!(
            parse_token_json(&serde_json::json!({"access_token": "a", "expires_in": []})).is_err()
        );
        assert_eq!(
            parse_token_json(&serde_json::json!({"access_token": "a"}))
                .unwrap()
                .expires_at,
            None
        );
    }
}

/// The longest token lifetime taken at its word: absurd values (`1e300`, `inf`) would overflow
/// the clock arithmetic.
pub(crate) const MAX_TTL: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// A lifetime in seconds from a token response, clamped to `0..=MAX_TTL` (NaN is 0).
pub(crate) fn bounded_ttl(seconds: f64) -> Duration {
    if seconds.is_nan() || seconds <= 0.0 {
        return Duration::ZERO;
    }
    Duration::try_from_secs_f64(seconds)
        .unwrap_or(MAX_TTL)
        .min(MAX_TTL)
}

/// Refuses to send credentials to an endpoint that is not `https`, except on a loopback host
/// (local tests and proxies). Endpoints come from discovery documents, which are input; a
/// plain-HTTP endpoint on another host is refused as a misconfiguration (of the host, or of
/// the service that answers for it).
pub(crate) fn check_secure_endpoint(url: &str, provider: &str) -> Result<(), AuthError> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(AuthError::provider(
            provider,
            AuthErrorKind::InvalidResponse,
            format!("the endpoint {url} is not an absolute URL"),
        ));
    };
    if scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if scheme.eq_ignore_ascii_case("http") && loopback {
        return Ok(());
    }
    Err(AuthError::provider(
        provider,
        AuthErrorKind::Misconfigured,
        format!(
            "refusing to send credentials to {url}: the endpoint must use https (plain http only to a loopback host)"
        ),
    ))
}

#[cfg(test)]
mod kind_tests {
    use super::*;
    use crate::AuthErrorKind;

    fn answer(status: u16, body: &str) -> Result<Token, AuthError> {
        let response = Response {
            status,
            body: body.as_bytes().to_vec(),
        };
        token_response(&response, "https://h/oidc/v1/token", "oauth-m2m")
    }

    #[test]
    fn token_endpoint_answers_have_kinds() {
        let kind = |status, body| answer(status, body).unwrap_err().kind().clone();
        let refused = r#"{"error":"invalid_client"}"#;
        assert_eq!(kind(401, refused), AuthErrorKind::Refused);
        assert_eq!(
            kind(400, r#"{"error":"invalid_grant"}"#),
            AuthErrorKind::Refused
        );
        assert_eq!(kind(503, "busy"), AuthErrorKind::Unreachable);
        assert_eq!(kind(429, ""), AuthErrorKind::Unreachable);
        assert_eq!(kind(200, "not json"), AuthErrorKind::InvalidResponse);
        assert_eq!(kind(200, "{}"), AuthErrorKind::InvalidResponse);
        let e = answer(401, refused).unwrap_err();
        assert_eq!(e.provider_name(), Some("oauth-m2m"));
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_keeps_the_request_error() {
        let cfg = databricks_config::Config::builder()
            .env(databricks_config::Environment::from_map::<_, String, String>([]))
            .build()
            .unwrap();
        let http = client(&cfg, "oauth-m2m").unwrap();
        // Nothing listens on port 1.
        let url = "http://127.0.0.1:1/oidc/v1/token";
        let Err(e) = send(&http, http.post(url), url, "oauth-m2m").await else {
            panic!("port 1 answered");
        };
        assert_eq!(e.kind(), &AuthErrorKind::Unreachable);
        let source = std::error::Error::source(&e).expect("the request's error");
        let rest = source
            .downcast_ref::<crate::RestError>()
            .expect("a RestError");
        assert_eq!(rest.kind(), crate::RestErrorKind::Unreachable);
    }

    #[tokio::test]
    async fn a_malformed_proxy_setting_is_misconfiguration() {
        let cfg = databricks_config::Config::builder()
            .env(databricks_config::Environment::from_map([(
                "HTTPS_PROXY",
                "ftp://proxy",
            )]))
            .build()
            .unwrap();
        let http = client(&cfg, "oauth-m2m").unwrap();
        let url = "https://h.example/oidc/v1/token";
        let Err(e) = send(&http, http.post(url), url, "oauth-m2m").await else {
            panic!("sent through a malformed proxy");
        };
        assert_eq!(e.kind(), &AuthErrorKind::Misconfigured);
    }
}

#[cfg(test)]
mod safety_tests {
    use super::*;

    #[test]
    fn absurd_lifetimes_are_clamped_not_panicking() {
        assert_eq!(bounded_ttl(f64::INFINITY), MAX_TTL);
        assert_eq!(bounded_ttl(1e300), MAX_TTL);
        assert_eq!(bounded_ttl(f64::NAN), Duration::ZERO);
        assert_eq!(bounded_ttl(-5.0), Duration::ZERO);
        assert_eq!(bounded_ttl(90.0), Duration::from_secs(90));
    }

    #[test]
    fn credentials_go_only_to_https_or_loopback() {
        assert!(check_secure_endpoint("https://h.example/oidc/v1/token", "p").is_ok());
        assert!(check_secure_endpoint("http://127.0.0.1:8080/token", "p").is_ok());
        assert!(check_secure_endpoint("http://localhost/token", "p").is_ok());
        assert!(check_secure_endpoint("http://[::1]:1/token", "p").is_ok());
        for bad in [
            "http://h.example/token",
            "http://127.0.0.1.evil.example/token",
            "http://localhost.evil.example/token",
            "ftp://127.0.0.1/token",
            "token",
        ] {
            assert!(check_secure_endpoint(bad, "p").is_err(), "{bad}");
        }
    }
}
