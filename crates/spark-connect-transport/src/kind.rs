//! The kind of an error: what a caller can match on, whichever layer the error came from.
//!
//! Each crate keeps its own error type with its details (the server's error class, the cluster's
//! state, the provider that failed); [`ErrorKind`] is what they have in common, derived from
//! those typed details (gRPC status codes, Spark's exception classes, error classes and
//! SQLSTATEs, the variants of the error types), never from message text.

use std::fmt;

use crate::error::{BoxError, Error, ServerError, ServerErrorKind};

/// What kind of failure an error is, for code that decides what to do about it (retry, ask for
/// other credentials, report a missing table, exit with a given code).
///
/// Every error type of these crates has a `kind()`: [`Error::kind`] here,
/// `spark_connect_dataframe::Error::kind`, and `databricks_connect::Error::kind`, which
/// also covers configuration, authentication and cluster errors. The error itself keeps the
/// details (and its cause, as `source()`).
///
/// ```
/// use spark_connect_transport::{Error, ErrorKind};
///
/// fn advice(e: &Error) -> &'static str {
///     match e.kind() {
///         ErrorKind::Connection => "check the host, the port and the network",
///         ErrorKind::Unauthenticated => "check the token",
///         ErrorKind::PermissionDenied => "ask for access",
///         ErrorKind::NotFound => "check the name",
///         _ => "see the message",
///     }
/// }
/// # assert_eq!(advice(&Error::Protocol("x".into())), "see the message");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The server (or the workspace, or an identity provider) could not be reached, or the
    /// connection broke: refused, reset, unknown host, a failed TLS handshake (an untrusted
    /// certificate), a proxy that could not be reached or refused the tunnel. Usually worth
    /// trying again later, or a network setting to fix.
    Connection,
    /// The request carried no valid credentials: none were found, or the server or the
    /// identity provider refused them (gRPC `UNAUTHENTICATED`, HTTP 401, an OAuth
    /// `invalid_client`). Different credentials are needed.
    Unauthenticated,
    /// The credentials were accepted but do not allow this (gRPC `PERMISSION_DENIED`, HTTP 403,
    /// SQLSTATE `42501`): a permission is needed, not other credentials.
    PermissionDenied,
    /// Something named does not exist: a table or view (`TABLE_OR_VIEW_NOT_FOUND`), schema,
    /// catalog, path, function or cluster, or a profile of the configuration file.
    NotFound,
    /// Something to be created exists already (`TABLE_OR_VIEW_ALREADY_EXISTS`,
    /// `SCHEMA_ALREADY_EXISTS`, ...).
    AlreadyExists,
    /// The query does not resolve: an unknown column, mismatched types, a misplaced aggregate
    /// (Spark's `AnalysisException`, other than the not-found classes above).
    Analysis,
    /// The SQL text does not parse (Spark's `ParseException`).
    Parse,
    /// An argument of a call is not valid: checked before anything was sent, or refused by the
    /// server (`IllegalArgumentException`). The message names the argument.
    InvalidArgument,
    /// The connection parameters cannot be used: a malformed connection string, builder
    /// parameters that conflict or are missing, a configuration file or value that cannot be
    /// read, an unknown `auth_type`, a proxy setting that is not a proxy URL, TLS material that
    /// is not a certificate.
    Configuration,
    /// The cluster is not in a state to run queries and will not get there by itself (it is
    /// terminated and auto-start is off, or it is in `ERROR`), or it stopped while being
    /// waited for.
    ClusterState,
    /// The session has ended (closed for idleness, the server restarted, or stopped): a new
    /// session is needed.
    SessionEnded,
    /// No answer in time: a call's deadline, a result stream that went silent, a cluster that
    /// did not start within `cluster_start_timeout`.
    Timeout,
    /// The operation was cancelled or interrupted (`interrupt_all`, `interrupt_tag`, Ctrl-C;
    /// Spark's `OPERATION_CANCELED`, gRPC `CANCELLED`).
    Cancelled,
    /// The server does not support this (an older Spark, `UnsupportedOperationException`,
    /// gRPC `UNIMPLEMENTED`, SQLSTATE class `0A`).
    Unsupported,
    /// The query failed on the server while it ran: arithmetic overflow, division by zero
    /// (ANSI mode), a bad cast, a failed task, a streaming query that stopped; other Spark
    /// runtime errors and internal errors.
    Server,
    /// The server's answer broke the protocol, or a result could not be decoded.
    Protocol,
    /// Values could not be converted between Rust and Arrow (typed rows): the Rust type does
    /// not fit the result's columns.
    Conversion,
    /// None of the above: a local failure, such as a background runtime that could not start.
    Other,
}

impl ErrorKind {
    /// A short name, as the variant is named in `snake_case`: `not_found`, `parse`, ...
    ///
    /// ```
    /// use spark_connect_transport::ErrorKind;
    /// assert_eq!(ErrorKind::PermissionDenied.as_str(), "permission_denied");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Connection => "connection",
            ErrorKind::Unauthenticated => "unauthenticated",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::NotFound => "not_found",
            ErrorKind::AlreadyExists => "already_exists",
            ErrorKind::Analysis => "analysis",
            ErrorKind::Parse => "parse",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Configuration => "configuration",
            ErrorKind::ClusterState => "cluster_state",
            ErrorKind::SessionEnded => "session_ended",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Server => "server",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Conversion => "conversion",
            ErrorKind::Other => "other",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The failure of a [`HeaderSource`](crate::HeaderSource), with the kind callers should see:
/// an identity provider that cannot be reached is a [`ErrorKind::Connection`], refused
/// credentials are [`ErrorKind::Unauthenticated`]. It shows as its source does, and
/// [`Error::kind`] of the resulting [`Error::Headers`] is this kind. A header source that
/// returns any other error gets [`ErrorKind::Unauthenticated`].
///
/// ```
/// use spark_connect_transport::{Error, ErrorKind, HeaderSourceError};
///
/// let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "token endpoint down");
/// let e = Error::Headers(Box::new(HeaderSourceError::new(ErrorKind::Connection, io)));
/// assert_eq!(e.kind(), ErrorKind::Connection);
/// assert_eq!(e.to_string(), "cannot obtain request headers: token endpoint down");
/// ```
#[derive(Debug)]
pub struct HeaderSourceError {
    kind: ErrorKind,
    source: BoxError,
}

impl HeaderSourceError {
    /// `source`, to be seen as `kind`.
    pub fn new(kind: ErrorKind, source: impl Into<BoxError>) -> HeaderSourceError {
        HeaderSourceError {
            kind,
            source: source.into(),
        }
    }

    /// The kind given.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The error of the header source, e.g. to downcast it to its own type.
    ///
    /// ```
    /// use spark_connect_transport::{ErrorKind, HeaderSourceError};
    ///
    /// let e = HeaderSourceError::new(ErrorKind::Unauthenticated, std::io::Error::other("no"));
    /// assert!(e.get_ref().downcast_ref::<std::io::Error>().is_some());
    /// ```
    pub fn get_ref(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        self.source.as_ref()
    }
}

impl fmt::Display for HeaderSourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

impl std::error::Error for HeaderSourceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.source()
    }
}

impl Error {
    /// What kind of failure this is, from the variant and, for server errors, the gRPC code,
    /// Spark's exception classes, error class and SQLSTATE (see [`ServerError::error_kind`]).
    /// After retries, the kind of the last failure.
    ///
    /// ```
    /// use spark_connect_transport::{Error, ErrorKind};
    ///
    /// let e = Error::Timeout {
    ///     endpoint: "http://127.0.0.1:15002".into(),
    ///     what: "AnalyzePlan call".into(),
    ///     after: std::time::Duration::from_secs(60),
    /// };
    /// assert_eq!(e.kind(), ErrorKind::Timeout);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::ConnectionString(_) | Error::Channel { .. } => ErrorKind::Configuration,
            Error::Unavailable { .. } => ErrorKind::Connection,
            Error::Proxy { source, .. } => proxy_kind(source),
            Error::Server(e) => e.error_kind(),
            Error::Headers(source) => source
                .downcast_ref::<HeaderSourceError>()
                .map_or(ErrorKind::Unauthenticated, HeaderSourceError::kind),
            Error::SessionMismatch { .. } | Error::Protocol(_) => ErrorKind::Protocol,
            Error::SessionEnded { .. } => ErrorKind::SessionEnded,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::RetriesExhausted { last, .. } => last.kind(),
            // The rest of the result cannot be fetched because the stream broke; running the
            // query again is the remedy, as for a connection that broke.
            Error::OperationLost { .. } => ErrorKind::Connection,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::NotSupportedByServer { .. } => ErrorKind::Unsupported,
        }
    }
}

/// The kind of a proxy's failure: a setting that is not a usable proxy is configuration, the
/// rest is the connection.
pub fn proxy_kind(e: &connect_proxy::ProxyError) -> ErrorKind {
    use connect_proxy::ProxyErrorKind as P;
    match e.kind() {
        P::InvalidSetting | P::Unsupported => ErrorKind::Configuration,
        _ => ErrorKind::Connection,
    }
}

/// Spark error classes (the part before the first `.`) of things that do not exist.
const NOT_FOUND_CLASSES: &[&str] = &[
    "TABLE_OR_VIEW_NOT_FOUND",
    "VIEW_NOT_FOUND",
    "SCHEMA_NOT_FOUND",
    "CATALOG_NOT_FOUND",
    "NAMESPACE_NOT_FOUND",
    "DEFAULT_DATABASE_NOT_EXISTS",
    "PATH_NOT_FOUND",
    "LOAD_DATA_PATH_NOT_EXISTS",
    "RENAME_SRC_PATH_NOT_FOUND",
    "ROUTINE_NOT_FOUND",
    "DATA_SOURCE_NOT_FOUND",
    "DATA_SOURCE_NOT_EXIST",
    "PARTITIONS_NOT_FOUND",
    "INDEX_NOT_FOUND",
    "CONSTRAINT_DOES_NOT_EXIST",
    "VARIABLE_NOT_FOUND",
    "CURSOR_NOT_FOUND",
    "SQL_CONF_NOT_FOUND",
];

/// Spark error classes of things that exist already.
const ALREADY_EXISTS_CLASSES: &[&str] = &[
    "TABLE_OR_VIEW_ALREADY_EXISTS",
    "TEMP_TABLE_OR_VIEW_ALREADY_EXISTS",
    "VIEW_ALREADY_EXISTS",
    "SCHEMA_ALREADY_EXISTS",
    "NAMESPACE_ALREADY_EXISTS",
    "ROUTINE_ALREADY_EXISTS",
    "PARTITIONS_ALREADY_EXIST",
    "LOCATION_ALREADY_EXISTS",
    // A write with mode "error" to a path that exists.
    "PATH_ALREADY_EXISTS",
    "INDEX_ALREADY_EXISTS",
    "CONSTRAINT_ALREADY_EXISTS",
    "VARIABLE_ALREADY_EXISTS",
    "FIELD_ALREADY_EXISTS",
];

impl ServerError {
    /// The [`ErrorKind`] of this server error, decided in this order:
    ///
    /// 1. the gRPC code `UNAUTHENTICATED` or SQLSTATE class `28` (invalid authorization):
    ///    [`Unauthenticated`](ErrorKind::Unauthenticated); `PERMISSION_DENIED` or SQLSTATE
    ///    `42501` (insufficient privilege): [`PermissionDenied`](ErrorKind::PermissionDenied);
    /// 2. Spark's `OPERATION_CANCELED` (SQLSTATE `HY008`) or gRPC `CANCELLED`:
    ///    [`Cancelled`](ErrorKind::Cancelled);
    /// 3. the error classes of missing things (`TABLE_OR_VIEW_NOT_FOUND`, `SCHEMA_NOT_FOUND`,
    ///    `PATH_NOT_FOUND`, ..., SQLSTATE `42P01`) or gRPC `NOT_FOUND`:
    ///    [`NotFound`](ErrorKind::NotFound); of existing ones (`..._ALREADY_EXISTS`, SQLSTATE
    ///    `42P06`, `42P07`) or gRPC `ALREADY_EXISTS`: [`AlreadyExists`](ErrorKind::AlreadyExists);
    /// 4. the exception class ([`ServerErrorKind`]): `ParseException` is
    ///    [`Parse`](ErrorKind::Parse), `AnalysisException` [`Analysis`](ErrorKind::Analysis),
    ///    `IllegalArgumentException` [`InvalidArgument`](ErrorKind::InvalidArgument),
    ///    `UnsupportedOperationException` [`Unsupported`](ErrorKind::Unsupported);
    /// 5. without an exception class that says more (a plain `SparkException`, Spark
    ///    Connect's `InvalidPlanInput`, a status without details): gRPC `DEADLINE_EXCEEDED` is
    ///    [`Timeout`](ErrorKind::Timeout), `UNIMPLEMENTED` and SQLSTATE class `0A`
    ///    [`Unsupported`](ErrorKind::Unsupported), `INVALID_ARGUMENT`
    ///    [`InvalidArgument`](ErrorKind::InvalidArgument), `UNAVAILABLE`
    ///    [`Connection`](ErrorKind::Connection);
    /// 6. everything else (runtime, arithmetic, internal errors) is
    ///    [`Server`](ErrorKind::Server).
    ///
    /// ```
    /// use spark_connect_transport::{ErrorKind, ServerError};
    ///
    /// let e = ServerError::from_status(&tonic::Status::permission_denied("no CAN ATTACH TO"));
    /// assert_eq!(e.error_kind(), ErrorKind::PermissionDenied);
    /// ```
    pub fn error_kind(&self) -> ErrorKind {
        use tonic::Code;
        let code = self.code();
        let state = self.sql_state().unwrap_or_default();
        let class = self
            .error_class()
            .map(|c| c.split('.').next().unwrap_or(c))
            .unwrap_or_default();
        if code == Code::Unauthenticated || state.starts_with("28") {
            return ErrorKind::Unauthenticated;
        }
        if code == Code::PermissionDenied || state == "42501" {
            return ErrorKind::PermissionDenied;
        }
        if class == "OPERATION_CANCELED" || state == "HY008" || code == Code::Cancelled {
            return ErrorKind::Cancelled;
        }
        if NOT_FOUND_CLASSES.contains(&class) || state == "42P01" || code == Code::NotFound {
            return ErrorKind::NotFound;
        }
        if ALREADY_EXISTS_CLASSES.contains(&class)
            || matches!(state, "42P06" | "42P07")
            || code == Code::AlreadyExists
        {
            return ErrorKind::AlreadyExists;
        }
        match self.kind() {
            ServerErrorKind::Parse => return ErrorKind::Parse,
            ServerErrorKind::Analysis => return ErrorKind::Analysis,
            ServerErrorKind::IllegalArgument => return ErrorKind::InvalidArgument,
            ServerErrorKind::UnsupportedOperation => return ErrorKind::Unsupported,
            // The code says more (or nothing more) than these.
            ServerErrorKind::Other
            | ServerErrorKind::Unauthenticated
            | ServerErrorKind::PermissionDenied => {}
            _ => return ErrorKind::Server,
        }
        match code {
            Code::DeadlineExceeded => ErrorKind::Timeout,
            Code::Unimplemented => ErrorKind::Unsupported,
            _ if state.starts_with("0A") => ErrorKind::Unsupported,
            Code::InvalidArgument | Code::OutOfRange => ErrorKind::InvalidArgument,
            Code::Unavailable => ErrorKind::Connection,
            _ => ErrorKind::Server,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use tonic_types::{ErrorDetails, StatusExt};

    /// A status as Spark sends it: `ErrorInfo` with the classes, error class and SQLSTATE.
    fn spark_status(
        code: tonic::Code,
        classes: &[&str],
        error_class: Option<&str>,
        sql_state: Option<&str>,
    ) -> ServerError {
        let mut metadata = HashMap::new();
        metadata.insert(
            "classes".to_string(),
            serde_json::to_string(classes).unwrap(),
        );
        if let Some(c) = error_class {
            metadata.insert("errorClass".to_string(), c.to_string());
        }
        if let Some(s) = sql_state {
            metadata.insert("sqlState".to_string(), s.to_string());
        }
        let status = tonic::Status::with_error_details(
            code,
            "message",
            ErrorDetails::with_error_info(
                classes.first().copied().unwrap_or_default(),
                "org.apache.spark",
                metadata,
            ),
        );
        ServerError::from_status(&status)
    }

    const ANALYSIS: &[&str] = &[
        "org.apache.spark.sql.catalyst.ExtendedAnalysisException",
        "org.apache.spark.sql.AnalysisException",
        "org.apache.spark.SparkThrowable",
    ];
    const PARSE: &[&str] = &[
        "org.apache.spark.sql.catalyst.parser.ParseException",
        "org.apache.spark.sql.AnalysisException",
    ];
    const RUNTIME: &[&str] = &[
        "org.apache.spark.SparkArithmeticException",
        "java.lang.ArithmeticException",
        "java.lang.RuntimeException",
    ];

    #[test]
    fn spark_errors_map_to_kinds_by_class_state_and_code() {
        use tonic::Code::*;
        /// gRPC code, exception classes, error class, SQLSTATE, and the kind they make.
        type Case<'a> = (
            tonic::Code,
            &'a [&'a str],
            Option<&'a str>,
            Option<&'a str>,
            ErrorKind,
        );
        let cases: &[Case<'_>] = &[
            (
                Internal,
                ANALYSIS,
                Some("TABLE_OR_VIEW_NOT_FOUND"),
                Some("42P01"),
                ErrorKind::NotFound,
            ),
            (
                Internal,
                ANALYSIS,
                Some("SCHEMA_NOT_FOUND"),
                Some("42704"),
                ErrorKind::NotFound,
            ),
            (
                Internal,
                ANALYSIS,
                Some("PATH_NOT_FOUND"),
                Some("42K03"),
                ErrorKind::NotFound,
            ),
            (
                Internal,
                ANALYSIS,
                Some("TABLE_OR_VIEW_ALREADY_EXISTS"),
                Some("42P07"),
                ErrorKind::AlreadyExists,
            ),
            (
                Internal,
                ANALYSIS,
                Some("PATH_ALREADY_EXISTS"),
                Some("42K04"),
                ErrorKind::AlreadyExists,
            ),
            (
                Internal,
                ANALYSIS,
                Some("UNRESOLVED_COLUMN.WITH_SUGGESTION"),
                Some("42703"),
                ErrorKind::Analysis,
            ),
            (
                Internal,
                PARSE,
                Some("PARSE_SYNTAX_ERROR"),
                Some("42601"),
                ErrorKind::Parse,
            ),
            (
                Internal,
                RUNTIME,
                Some("DIVIDE_BY_ZERO"),
                Some("22012"),
                ErrorKind::Server,
            ),
            (
                Internal,
                &["org.apache.spark.SparkException"],
                Some("OPERATION_CANCELED"),
                Some("HY008"),
                ErrorKind::Cancelled,
            ),
            (
                Internal,
                &["java.lang.IllegalArgumentException"],
                None,
                None,
                ErrorKind::InvalidArgument,
            ),
            (
                Internal,
                &[
                    "org.apache.spark.SparkUnsupportedOperationException",
                    "java.lang.UnsupportedOperationException",
                ],
                Some("UNSUPPORTED_FEATURE.X"),
                Some("0A000"),
                ErrorKind::Unsupported,
            ),
            (
                Internal,
                &["org.apache.spark.sql.AnalysisException"],
                Some("INSUFFICIENT_PERMISSIONS"),
                Some("42501"),
                ErrorKind::PermissionDenied,
            ),
            (
                PermissionDenied,
                &[],
                None,
                None,
                ErrorKind::PermissionDenied,
            ),
            (Unauthenticated, &[], None, None, ErrorKind::Unauthenticated),
            (Cancelled, &[], None, None, ErrorKind::Cancelled),
            (DeadlineExceeded, &[], None, None, ErrorKind::Timeout),
            (Unimplemented, &[], None, None, ErrorKind::Unsupported),
            (NotFound, &[], None, None, ErrorKind::NotFound),
            (AlreadyExists, &[], None, None, ErrorKind::AlreadyExists),
            (InvalidArgument, &[], None, None, ErrorKind::InvalidArgument),
            (Internal, &[], None, None, ErrorKind::Server),
            (
                InvalidArgument,
                &["org.apache.spark.sql.connect.common.InvalidPlanInput"],
                None,
                None,
                ErrorKind::InvalidArgument,
            ),
            (
                Internal,
                &["org.apache.spark.SparkException"],
                Some("INTERNAL_ERROR"),
                Some("XX000"),
                ErrorKind::Server,
            ),
            (
                Internal,
                &["org.apache.spark.SparkNoSuchElementException"],
                Some("SQL_CONF_NOT_FOUND"),
                Some("42K0I"),
                ErrorKind::NotFound,
            ),
            (Unknown, &[], None, None, ErrorKind::Server),
        ];
        for (code, classes, class, state, expected) in cases {
            let e = spark_status(*code, classes, *class, *state);
            assert_eq!(e.error_kind(), *expected, "{code:?} {classes:?} {class:?}");
            assert_eq!(Error::from(e).kind(), *expected);
        }
    }

    #[test]
    fn unauthenticated_and_permission_denied_stay_apart() {
        let e = ServerError::from_status(&tonic::Status::unauthenticated("bad token"));
        assert_eq!(e.kind(), ServerErrorKind::Unauthenticated);
        assert_eq!(e.error_kind(), ErrorKind::Unauthenticated);
        let e = ServerError::from_status(&tonic::Status::permission_denied("no access"));
        assert_eq!(e.kind(), ServerErrorKind::PermissionDenied);
        assert_eq!(e.error_kind(), ErrorKind::PermissionDenied);
    }

    #[test]
    fn transport_failures_map_to_kinds() {
        use std::time::Duration;
        let endpoint = || "http://127.0.0.1:1".to_string();
        let cases = [
            (
                Error::Unavailable {
                    endpoint: endpoint(),
                    message: "connection refused".into(),
                    source: None,
                },
                ErrorKind::Connection,
            ),
            (
                Error::Channel {
                    endpoint: endpoint(),
                    message: "extra CA certificate 1 is not valid PEM".into(),
                },
                ErrorKind::Configuration,
            ),
            (
                Error::Proxy {
                    endpoint: endpoint(),
                    source: connect_proxy::ProxyConfig::url("socks5://p:1080").unwrap_err(),
                },
                ErrorKind::Configuration,
            ),
            (
                Error::Timeout {
                    endpoint: endpoint(),
                    what: "Config call".into(),
                    after: Duration::from_secs(1),
                },
                ErrorKind::Timeout,
            ),
            (
                Error::SessionEnded {
                    session_id: "s".into(),
                    reason: crate::SessionEndReason::Closed,
                    server: None,
                },
                ErrorKind::SessionEnded,
            ),
            (Error::Protocol("x".into()), ErrorKind::Protocol),
            (
                Error::SessionMismatch {
                    expected: "a".into(),
                    received: "b".into(),
                },
                ErrorKind::Protocol,
            ),
            (
                Error::OperationLost {
                    operation_id: "o".into(),
                    responses: 3,
                    message: "gone".into(),
                },
                ErrorKind::Connection,
            ),
            (
                Error::InvalidArgument("x".into()),
                ErrorKind::InvalidArgument,
            ),
            (
                Error::ConnectionString(
                    crate::ConnectionString::parse_without_env("http://x").unwrap_err(),
                ),
                ErrorKind::Configuration,
            ),
            (
                Error::Headers("no token".into()),
                ErrorKind::Unauthenticated,
            ),
            (
                Error::Headers(Box::new(HeaderSourceError::new(
                    ErrorKind::Connection,
                    std::io::Error::other("identity provider down"),
                ))),
                ErrorKind::Connection,
            ),
        ];
        for (e, expected) in cases {
            assert_eq!(e.kind(), expected, "{e:?}");
            let after_retries = Error::RetriesExhausted {
                retries: 3,
                elapsed: Duration::from_secs(1),
                last: Box::new(e),
                hint: None,
            };
            assert_eq!(after_retries.kind(), expected);
        }
    }

    #[test]
    fn every_kind_has_a_distinct_name() {
        let all = [
            ErrorKind::Connection,
            ErrorKind::Unauthenticated,
            ErrorKind::PermissionDenied,
            ErrorKind::NotFound,
            ErrorKind::AlreadyExists,
            ErrorKind::Analysis,
            ErrorKind::Parse,
            ErrorKind::InvalidArgument,
            ErrorKind::Configuration,
            ErrorKind::ClusterState,
            ErrorKind::SessionEnded,
            ErrorKind::Timeout,
            ErrorKind::Cancelled,
            ErrorKind::Unsupported,
            ErrorKind::Server,
            ErrorKind::Protocol,
            ErrorKind::Conversion,
            ErrorKind::Other,
        ];
        let names: std::collections::BTreeSet<_> = all.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), all.len());
    }
}
