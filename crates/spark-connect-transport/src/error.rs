//! Errors of the transport, and the decoding of Spark's server errors from `google.rpc.Status`
//! details.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use tonic_types::StatusExt;

use crate::ConnectionStringError;

/// Boxed error of a pluggable component, such as a [`HeaderSource`](crate::HeaderSource).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error of the Spark Connect transport.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The connection string is malformed.
    #[error(transparent)]
    ConnectionString(#[from] ConnectionStringError),
    /// The channel could not be configured (TLS material, endpoint).
    #[error("cannot configure the channel to {endpoint}: {message}")]
    Channel {
        /// The endpoint, e.g. `https://host:443`.
        endpoint: String,
        /// What went wrong.
        message: String,
    },
    /// The server could not be reached or the connection broke (refused, reset, unknown host,
    /// a failed TLS handshake, keep-alive pings unanswered).
    #[error("cannot reach the Spark Connect server at {endpoint}: {message}")]
    Unavailable {
        /// The endpoint, e.g. `http://127.0.0.1:15002`.
        endpoint: String,
        /// What the gRPC layer said, with its causes.
        message: String,
        /// The failure underneath (the connection's I/O or TLS error, hyper's error), when
        /// there was one.
        #[source]
        source: Option<BoxError>,
    },
    /// The HTTP proxy the channel goes through is misconfigured, cannot be reached, or refused
    /// the tunnel (credentials refused, tunnel forbidden); the source says which, naming the
    /// proxy (never its password) and the variable it came from.
    #[error("cannot connect to the Spark Connect server at {endpoint}: {source}")]
    Proxy {
        /// The endpoint, e.g. `https://host:443`.
        endpoint: String,
        /// What the proxy did.
        source: connect_proxy::ProxyError,
    },
    /// The server answered with an error (boxed: it carries the whole error description).
    #[error(transparent)]
    Server(Box<ServerError>),
    /// The header source (authentication) failed to produce request headers.
    #[error("cannot obtain request headers: {0}")]
    Headers(#[source] BoxError),
    /// A response did not belong to this session.
    #[error("the server answered for session {received}, but this client's session is {expected}")]
    SessionMismatch {
        /// This client's session id.
        expected: String,
        /// The session id in the response.
        received: String,
    },
    /// The session has ended, so this client refuses further calls on it: the server closed it
    /// (it was idle longer than the server's session timeout, or it was released), the server
    /// or cluster restarted and the session is gone, or [`SparkConnectClient::release_session`]
    /// (`stop()`) ended it. Its temporary views, settings and cached data are gone; make a new
    /// session and set them up again. Match on this variant (or use [`Error::session_end`])
    /// rather than on the message.
    ///
    /// [`SparkConnectClient::release_session`]: crate::SparkConnectClient::release_session
    #[error("{}", session_ended_message(session_id, reason))]
    SessionEnded {
        /// The client-side session id.
        session_id: String,
        /// Why the session ended.
        reason: SessionEndReason,
        /// The server's error, when the server said so.
        #[source]
        server: Option<Box<ServerError>>,
    },
    /// The server's response was not what the protocol requires.
    #[error("unexpected response from the server: {0}")]
    Protocol(String),
    /// The server did not answer in time: a unary call passed its deadline, or a result
    /// stream received nothing for the idle timeout. The server may be stuck (its driver out
    /// of memory, a frozen process) or the network may be dropping packets.
    #[error(
        "no answer from the Spark Connect server at {endpoint} within {after:?} ({what}): the server may be stuck, out of memory or unreachable"
    )]
    Timeout {
        /// The endpoint.
        endpoint: String,
        /// What was waited for, e.g. `AnalyzePlan call`.
        what: String,
        /// How long was waited.
        after: Duration,
    },
    /// A call failed again and again until the retry policy gave up; `last` is the last
    /// failure.
    #[error("{last} (gave up after {retries} retries in {elapsed:.1?}{})", hint.as_deref().map(|h| format!("; {h}")).unwrap_or_default())]
    #[non_exhaustive]
    RetriesExhausted {
        /// Retries made.
        retries: u32,
        /// Time from the first attempt to giving up.
        elapsed: Duration,
        /// The last failure.
        last: Box<Error>,
        /// What the policy that gave up says about it ([`RetryPolicy::give_up_hint`]).
        ///
        /// [`RetryPolicy::give_up_hint`]: crate::RetryPolicy::give_up_hint
        hint: Option<String>,
    },
    /// A result stream broke and the rest of the result cannot be fetched: the server no longer
    /// knows the operation (or its session) after some responses were received, it abandoned
    /// the operation, or the responses carried no id to resume after. The query must be run
    /// again; nothing is repeated or silently cut short.
    #[error(
        "the result of operation {operation_id} was lost after {responses} responses, and the rest cannot be fetched: run the query again ({message})"
    )]
    OperationLost {
        /// The operation id.
        operation_id: String,
        /// Responses received before the loss.
        responses: u64,
        /// What the server said (or why the stream cannot be resumed).
        message: String,
    },
    /// An argument is not acceptable (checked before anything is sent).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The request uses a feature that the server's Spark release does not have (a relation,
    /// expression, command or RPC newer than the server; see [`Feature`]), so it was refused
    /// before anything was sent.
    ///
    /// [`Feature`]: crate::Feature
    #[error("{}", crate::versions::not_supported_message(*feature, server))]
    NotSupportedByServer {
        /// What the request uses, and the release that introduced it
        /// ([`Feature::since`](crate::Feature::since)).
        feature: crate::Feature,
        /// The version the server reported.
        server: crate::ServerVersion,
    },
}

/// Why a session ended (see [`Error::SessionEnded`]).
///
/// ```
/// use spark_connect_transport::{Error, SessionEndReason};
///
/// fn advice(e: &Error) -> &'static str {
///     match e.session_end() {
///         Some(SessionEndReason::Closed) => "the session expired: make a new one",
///         Some(SessionEndReason::ServerRestarted { .. }) => "the server restarted: make a new session",
///         Some(_) => "the session was stopped",
///         None => "something else",
///     }
/// }
/// # assert_eq!(advice(&Error::Protocol("x".into())), "something else");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionEndReason {
    /// The server closed the session: it was idle longer than the server's session timeout
    /// (Spark's `spark.connect.session.manager.defaultSessionTimeout`, a workspace's idle
    /// limit), or a client released it. The server says `INVALID_HANDLE.SESSION_CLOSED`.
    Closed,
    /// The server no longer has the session this client was using: the server (or the
    /// cluster) restarted, or the session was replaced. The server says
    /// `INVALID_HANDLE.SESSION_CHANGED`, or a response came from another server-side session.
    ServerRestarted {
        /// The server-side session id this client had seen, if any.
        previous: Option<String>,
        /// The server-side session id of the response, if one came.
        current: Option<String>,
    },
    /// This client ended the session (`stop()`, `ReleaseSession`).
    Stopped,
}

fn session_ended_message(session_id: &str, reason: &SessionEndReason) -> String {
    const GONE: &str = "its temporary views, settings and cached data are gone: make a new \
                        session (get_or_create() makes one) and set them up again";
    match reason {
        SessionEndReason::Closed => format!(
            "the Spark Connect session {session_id} has ended: the server closed it (it was \
             idle longer than the server's session timeout, or it was released); {GONE}"
        ),
        SessionEndReason::ServerRestarted { previous, current } => {
            let ids = match (previous, current) {
                (Some(p), Some(c)) => format!(" (server-side session {p}, now {c})"),
                (Some(p), None) => format!(" (server-side session {p})"),
                _ => String::new(),
            };
            format!(
                "the Spark Connect session {session_id} has ended: the server or cluster \
                 restarted and no longer has it{ids}; {GONE}"
            )
        }
        SessionEndReason::Stopped => format!(
            "the Spark Connect session {session_id} has ended: it was stopped (stop()); make a \
             new session (get_or_create() makes one)"
        ),
    }
}

impl Error {
    /// Why the session ended, when this error says that it did ([`Error::SessionEnded`]),
    /// also after retries were spent on it.
    ///
    /// ```
    /// use spark_connect_transport::{Error, SessionEndReason};
    ///
    /// let e = Error::SessionEnded {
    ///     session_id: "7d5b0c5e-4b8f-4a1e-9c1d-2f3e4a5b6c7d".into(),
    ///     reason: SessionEndReason::Closed,
    ///     server: None,
    /// };
    /// assert_eq!(e.session_end(), Some(&SessionEndReason::Closed));
    /// assert!(e.to_string().contains("make a new session"));
    /// ```
    pub fn session_end(&self) -> Option<&SessionEndReason> {
        match self.last() {
            Error::SessionEnded { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The server error, when this is one.
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Error::Server(e) => Some(e.as_ref()),
            Error::RetriesExhausted { last, .. } => last.server_error(),
            _ => None,
        }
    }

    /// The error itself, or the last failure when retries were spent on it.
    pub fn last(&self) -> &Error {
        match self {
            Error::RetriesExhausted { last, .. } => last.last(),
            other => other,
        }
    }
}

impl From<ServerError> for Error {
    fn from(e: ServerError) -> Self {
        Error::Server(Box::new(e))
    }
}

/// `message` followed by each cause in the chain that starts at `source`, `": "`-separated,
/// leaving out a cause whose text is already there (wrappers often repeat their source).
///
/// ```
/// use spark_connect_transport::with_causes;
///
/// let io = std::io::Error::other("connection refused");
/// assert_eq!(with_causes("cannot connect", Some(&io)), "cannot connect: connection refused");
/// ```
pub fn with_causes(
    message: impl Into<String>,
    source: Option<&(dyn std::error::Error + 'static)>,
) -> String {
    let mut message = message.into();
    let mut source = source;
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// The kind of a server error, following the exception classes PySpark's client raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServerErrorKind {
    /// A query that does not resolve: unknown table, column or function (`AnalysisException`).
    Analysis,
    /// SQL that does not parse (`ParseException`).
    Parse,
    /// A streaming query failed (`StreamingQueryException`).
    StreamingQuery,
    /// A bad argument (`IllegalArgumentException`).
    IllegalArgument,
    /// Arithmetic overflow or division by zero (`ArithmeticException`).
    Arithmetic,
    /// A string that is not a number (`NumberFormatException`).
    NumberFormat,
    /// An array index out of bounds (`ArrayIndexOutOfBoundsException`).
    ArrayIndexOutOfBounds,
    /// A date-time value that cannot be represented (`DateTimeException`).
    DateTime,
    /// An operation the server does not support (`UnsupportedOperationException`).
    UnsupportedOperation,
    /// A failure while running the query (`SparkRuntimeException` and other runtime errors).
    Runtime,
    /// The request was not authenticated: no credentials, or the server refused them (gRPC
    /// `UNAUTHENTICATED`).
    Unauthenticated,
    /// The credentials were accepted but do not allow this (gRPC `PERMISSION_DENIED`).
    PermissionDenied,
    /// Anything else.
    Other,
}

/// An error reported by the Spark Connect server.
///
/// Keeps what Spark sends in `google.rpc.ErrorInfo`: the exception classes, the error class
/// (e.g. `TABLE_OR_VIEW_NOT_FOUND`), the SQLSTATE, and the message parameters.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerError {
    code: tonic::Code,
    message: String,
    kind: ServerErrorKind,
    classes: Vec<String>,
    error_class: Option<String>,
    sql_state: Option<String>,
    message_parameters: BTreeMap<String, String>,
    error_id: Option<String>,
    chain: Vec<ErrorCause>,
}

/// One error of the chain the server keeps under an error id, as `FetchErrorDetails` returns
/// it: the error itself first, then its causes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorCause {
    /// The exception class and its superclasses, most specific first.
    pub classes: Vec<String>,
    /// The full message (the status message may be truncated; this is not).
    pub message: String,
    /// Spark's error class, e.g. `DIVIDE_BY_ZERO`.
    pub error_class: Option<String>,
    /// The SQLSTATE.
    pub sql_state: Option<String>,
    /// Where in the query the error arose.
    pub query_contexts: Vec<QueryContext>,
    /// The server's stack trace, one `Class.method(File:line)` per frame; empty unless the
    /// server sends stack traces (`spark.sql.connect.serverStacktrace.enabled`).
    pub stack_trace: Vec<String>,
}

/// A place in the query an error points to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct QueryContext {
    /// The text of the query fragment, e.g. `1/0`.
    pub fragment: String,
    /// Spark's one-line summary of the place.
    pub summary: String,
    /// For DataFrame queries, the user code that built the expression.
    pub call_site: String,
}

impl ErrorCause {
    /// The chain in a `FetchErrorDetailsResponse`, from its root error along `cause_idx`.
    /// Out-of-range indexes and cycles end the chain; nothing here panics.
    pub fn chain_from(
        response: &spark_connect_proto::spark::connect::FetchErrorDetailsResponse,
    ) -> Vec<ErrorCause> {
        let errors = &response.errors;
        let mut chain = Vec::new();
        let mut next = response.root_error_idx;
        while let Some(i) = next {
            let Some(e) = usize::try_from(i).ok().and_then(|i| errors.get(i)) else {
                break;
            };
            if chain.len() >= errors.len() {
                break; // a cycle
            }
            let throwable = e.spark_throwable.as_ref();
            chain.push(ErrorCause {
                classes: e.error_type_hierarchy.clone(),
                message: e.message.clone(),
                error_class: throwable.and_then(|t| t.error_class.clone()),
                sql_state: throwable.and_then(|t| t.sql_state.clone()),
                query_contexts: throwable
                    .map(|t| {
                        t.query_contexts
                            .iter()
                            .map(|q| QueryContext {
                                fragment: q.fragment.clone(),
                                summary: q.summary.clone(),
                                call_site: q.call_site.clone(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                stack_trace: e
                    .stack_trace
                    .iter()
                    .map(|f| match &f.file_name {
                        Some(file) => format!(
                            "{}.{}({}:{})",
                            f.declaring_class, f.method_name, file, f.line_number
                        ),
                        None => format!("{}.{}", f.declaring_class, f.method_name),
                    })
                    .collect(),
            });
            next = e.cause_idx;
        }
        chain
    }
}

impl ServerError {
    /// Decodes a gRPC status as Spark's server sends it.
    pub fn from_status(status: &tonic::Status) -> ServerError {
        let mut classes = Vec::new();
        let mut error_class = None;
        let mut sql_state = None;
        let mut message_parameters = BTreeMap::new();
        let mut error_id = None;
        // Lenient: a status without (or with malformed) details still becomes a clear error.
        if let Some(info) = status.get_details_error_info() {
            if let Some(json) = info.metadata.get("classes") {
                classes = serde_json::from_str::<Vec<String>>(json).unwrap_or_default();
            }
            if classes.is_empty() && !info.reason.is_empty() {
                classes.push(info.reason.clone());
            }
            error_class = info.metadata.get("errorClass").cloned();
            sql_state = info.metadata.get("sqlState").cloned();
            if let Some(json) = info.metadata.get("messageParameters") {
                message_parameters =
                    serde_json::from_str::<BTreeMap<String, String>>(json).unwrap_or_default();
            }
            error_id = info.metadata.get("errorId").cloned();
        }
        let kind = classify(status.code(), &classes);
        ServerError {
            code: status.code(),
            message: status.message().to_string(),
            kind,
            classes,
            error_class,
            sql_state,
            message_parameters,
            error_id,
            chain: Vec::new(),
        }
    }

    /// The error and its causes as the server keeps them (`FetchErrorDetails`), root first;
    /// empty when the server offered no error id or could not be asked.
    pub fn chain(&self) -> &[ErrorCause] {
        &self.chain
    }

    pub(crate) fn set_chain(&mut self, chain: Vec<ErrorCause>) {
        self.chain = chain;
    }

    /// The gRPC status code.
    pub fn code(&self) -> tonic::Code {
        self.code
    }

    /// The server's message, e.g. ``[TABLE_OR_VIEW_NOT_FOUND] The table or view `t` cannot be
    /// found. ...``.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The kind, from the exception classes, as PySpark's client picks the exception it
    /// raises; [`error_kind`](Self::error_kind) gives the [`ErrorKind`](crate::ErrorKind)
    /// shared by all errors.
    pub fn kind(&self) -> ServerErrorKind {
        self.kind
    }

    /// The server-side exception class and its superclasses, most specific first.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Spark's error class, e.g. `TABLE_OR_VIEW_NOT_FOUND`.
    pub fn error_class(&self) -> Option<&str> {
        self.error_class.as_deref()
    }

    /// The SQLSTATE, e.g. `42P01`.
    pub fn sql_state(&self) -> Option<&str> {
        self.sql_state.as_deref()
    }

    /// The parameters of the error message, e.g. `relationName` → `` `t` ``.
    pub fn message_parameters(&self) -> &BTreeMap<String, String> {
        &self.message_parameters
    }

    /// The id under which the server keeps the full error (for `FetchErrorDetails`).
    pub fn error_id(&self) -> Option<&str> {
        self.error_id.as_deref()
    }
}

/// Spark's error class of a failed call: the `errorClass` of its `ErrorInfo`, or else the
/// `[CLASS]` its message starts with (as Spark writes it), never words elsewhere in the
/// message.
pub(crate) fn error_class(status: &tonic::Status) -> Option<String> {
    if let Some(class) = status
        .get_details_error_info()
        .and_then(|info| info.metadata.get("errorClass").cloned())
    {
        return Some(class);
    }
    let rest = status.message().trim_start().strip_prefix('[')?;
    Some(rest[..rest.find(']')?].to_string())
}

fn classify(code: tonic::Code, classes: &[String]) -> ServerErrorKind {
    match code {
        tonic::Code::Unauthenticated => return ServerErrorKind::Unauthenticated,
        tonic::Code::PermissionDenied => return ServerErrorKind::PermissionDenied,
        _ => {}
    }
    // Most specific first: ParseException is an AnalysisException.
    let table: &[(&str, ServerErrorKind)] = &[
        (
            "org.apache.spark.sql.catalyst.parser.ParseException",
            ServerErrorKind::Parse,
        ),
        (
            "org.apache.spark.sql.streaming.StreamingQueryException",
            ServerErrorKind::StreamingQuery,
        ),
        (
            "org.apache.spark.sql.AnalysisException",
            ServerErrorKind::Analysis,
        ),
        (
            "java.lang.NumberFormatException",
            ServerErrorKind::NumberFormat,
        ),
        (
            "java.lang.IllegalArgumentException",
            ServerErrorKind::IllegalArgument,
        ),
        ("java.lang.ArithmeticException", ServerErrorKind::Arithmetic),
        (
            "java.lang.ArrayIndexOutOfBoundsException",
            ServerErrorKind::ArrayIndexOutOfBounds,
        ),
        ("java.time.DateTimeException", ServerErrorKind::DateTime),
        (
            "java.lang.UnsupportedOperationException",
            ServerErrorKind::UnsupportedOperation,
        ),
        (
            "org.apache.spark.SparkRuntimeException",
            ServerErrorKind::Runtime,
        ),
        ("java.lang.RuntimeException", ServerErrorKind::Runtime),
    ];
    for (class, kind) in table {
        if classes.iter().any(|c| c == class) {
            return *kind;
        }
    }
    ServerErrorKind::Other
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.classes.first() {
            Some(class) => write!(f, "{class}: {}", self.message)?,
            None => write!(f, "{:?}: {}", self.code, self.message)?,
        }
        if let Some(state) = &self.sql_state
            && !self.message.contains(state.as_str())
        {
            write!(f, " (SQLSTATE {state})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerError")
            .field("code", &self.code)
            .field("kind", &self.kind)
            .field("error_class", &self.error_class)
            .field("sql_state", &self.sql_state)
            .field("message_parameters", &self.message_parameters)
            .field("classes", &self.classes)
            .field("error_id", &self.error_id)
            .field("chain", &self.chain.len())
            .field("message", &self.message)
            .finish()
    }
}

impl std::error::Error for ServerError {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use tonic_types::{ErrorDetails, StatusExt};

    fn status_with_info(
        code: tonic::Code,
        message: &str,
        reason: &str,
        meta: &[(&str, &str)],
    ) -> tonic::Status {
        let metadata: HashMap<String, String> = meta
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        tonic::Status::with_error_details(
            code,
            message,
            ErrorDetails::with_error_info(reason, "org.apache.spark", metadata),
        )
    }

    #[test]
    fn decodes_spark_error_info() {
        let status = status_with_info(
            tonic::Code::Internal,
            "[TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found. SQLSTATE: 42P01",
            "org.apache.spark.sql.catalyst.ExtendedAnalysisException",
            &[
                (
                    "classes",
                    r#"["org.apache.spark.sql.catalyst.ExtendedAnalysisException","org.apache.spark.sql.AnalysisException","org.apache.spark.SparkThrowable"]"#,
                ),
                ("errorClass", "TABLE_OR_VIEW_NOT_FOUND"),
                ("sqlState", "42P01"),
                ("messageParameters", r#"{"relationName":"`nope`"}"#),
                ("errorId", "1b9e6a5c-0000-4000-8000-000000000000"),
            ],
        );
        let e = ServerError::from_status(&status);
        assert_eq!(e.kind(), ServerErrorKind::Analysis);
        assert_eq!(e.error_class(), Some("TABLE_OR_VIEW_NOT_FOUND"));
        assert_eq!(e.sql_state(), Some("42P01"));
        assert_eq!(e.message_parameters()["relationName"], "`nope`");
        assert_eq!(e.error_id(), Some("1b9e6a5c-0000-4000-8000-000000000000"));
        assert_eq!(e.classes().len(), 3);
        let shown = e.to_string();
        assert!(
            shown.starts_with(
                "org.apache.spark.sql.catalyst.ExtendedAnalysisException: [TABLE_OR_VIEW_NOT_FOUND]"
            ),
            "{shown}"
        );
        assert!(
            !shown.contains("(SQLSTATE"),
            "SQLSTATE already in the message: {shown}"
        );
    }

    #[test]
    fn parse_errors_are_more_specific_than_analysis_errors() {
        let status = status_with_info(
            tonic::Code::Internal,
            "[PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'.",
            "org.apache.spark.sql.catalyst.parser.ParseException",
            &[
                (
                    "classes",
                    r#"["org.apache.spark.sql.catalyst.parser.ParseException","org.apache.spark.sql.AnalysisException"]"#,
                ),
                ("sqlState", "42601"),
            ],
        );
        let e = ServerError::from_status(&status);
        assert_eq!(e.kind(), ServerErrorKind::Parse);
        assert!(e.to_string().ends_with("(SQLSTATE 42601)"));
    }

    #[test]
    fn reason_stands_in_when_classes_are_missing() {
        let status = status_with_info(
            tonic::Code::Internal,
            "Division by zero",
            "java.lang.ArithmeticException",
            &[],
        );
        let e = ServerError::from_status(&status);
        assert_eq!(e.kind(), ServerErrorKind::Arithmetic);
        assert_eq!(e.classes(), &["java.lang.ArithmeticException".to_string()]);
        assert_eq!(e.error_class(), None);
    }

    #[test]
    fn malformed_metadata_is_tolerated() {
        let status = status_with_info(
            tonic::Code::Internal,
            "boom",
            "java.lang.IllegalArgumentException",
            &[
                ("classes", "not json"),
                ("messageParameters", "{also not json"),
            ],
        );
        let e = ServerError::from_status(&status);
        assert_eq!(e.kind(), ServerErrorKind::IllegalArgument);
        assert!(e.message_parameters().is_empty());
    }

    #[test]
    fn error_chain_follows_causes_and_survives_bad_indexes() {
        use spark_connect_proto::spark::connect::FetchErrorDetailsResponse;
        use spark_connect_proto::spark::connect::fetch_error_details_response::Error as E;
        let error = |message: &str, cause: Option<i32>| E {
            error_type_hierarchy: vec!["java.lang.RuntimeException".into()],
            message: message.into(),
            stack_trace: Vec::new(),
            cause_idx: cause,
            spark_throwable: None,
        };
        let response = FetchErrorDetailsResponse {
            root_error_idx: Some(1),
            errors: vec![error("cause", Some(7)), error("root", Some(0))],
            ..Default::default()
        };
        let chain = ErrorCause::chain_from(&response);
        let messages: Vec<_> = chain.iter().map(|c| c.message.as_str()).collect();
        assert_eq!(messages, ["root", "cause"]);
        let cycle = FetchErrorDetailsResponse {
            root_error_idx: Some(0),
            errors: vec![error("a", Some(1)), error("b", Some(0))],
            ..Default::default()
        };
        assert_eq!(ErrorCause::chain_from(&cycle).len(), 2);
        let negative = FetchErrorDetailsResponse {
            root_error_idx: Some(-1),
            errors: vec![error("a", None)],
            ..Default::default()
        };
        assert!(ErrorCause::chain_from(&negative).is_empty());
    }

    #[test]
    fn plain_status_without_details() {
        let e = ServerError::from_status(&tonic::Status::unauthenticated(
            "Invalid authentication token",
        ));
        assert_eq!(e.kind(), ServerErrorKind::Unauthenticated);
        assert_eq!(
            e.to_string(),
            "Unauthenticated: Invalid authentication token"
        );
        let e = ServerError::from_status(&tonic::Status::internal("x"));
        assert_eq!(e.kind(), ServerErrorKind::Other);
    }
}
