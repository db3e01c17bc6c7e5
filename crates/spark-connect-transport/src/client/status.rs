//! What a failed call becomes: a gRPC status turned into this crate's [`Error`], and the error
//! after retries were spent.

use std::fmt;
use std::time::Instant;

use spark_connect_proto::spark::connect as pb;

use crate::error::{Error, ServerError};
use crate::retry::RetryState;

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

/// An error for an analyze result of the wrong kind.
pub fn unexpected(expected: &str, got: &pb::analyze_plan_response::Result) -> Error {
    let got = format!("{got:?}");
    let name = got.split('(').next().unwrap_or("unknown");
    Error::Protocol(format!("expected a {expected} result, got {name}"))
}

pub(super) fn status_to_error(endpoint: &str, status: tonic::Status) -> Error {
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
