//! Errors of the DataFrame layer.

/// An error from building, running or decoding a query.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// From the transport: connection, authentication, or an error the server reported
    /// (see [`spark_connect_transport::ServerError`]).
    #[error(transparent)]
    Transport(#[from] spark_connect_transport::Error),
    /// An Arrow payload from the server could not be decoded.
    #[error("cannot decode the Arrow result: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// The server's answer did not follow the protocol.
    #[error("unexpected response from the server: {0}")]
    Protocol(String),
    /// An argument is not valid; the message names it and says what was expected.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Rows could not be converted between Rust values and Arrow (typed rows), or a column
    /// between Arrow and polars (feature `polars`): the message names the Rust or polars
    /// type, the column and the types involved.
    #[error("{0}")]
    Conversion(String),
    /// A [`Row`](crate::Row) was asked for a column it does not have.
    #[error("the row has no column `{name}`; its columns are: {}", .available.join(", "))]
    NoSuchColumn {
        /// The name asked for.
        name: String,
        /// The row's column names, in order.
        available: Vec<String>,
    },
    /// A [`Row`](crate::Row) was asked for a column by a name that several of its columns
    /// have (a join's result, for example): read it by position instead.
    #[error(
        "the row has {} columns named `{name}` (at positions {}); read the one meant by position",
        .positions.len(),
        .positions.iter().map(|p| p.to_string()).collect::<Vec<_>>().join(", ")
    )]
    AmbiguousColumn {
        /// The name asked for.
        name: String,
        /// The positions of the columns with that name.
        positions: Vec<usize>,
    },
    /// A [`Row`](crate::Row) was asked for a column by a position past its last one.
    #[error("the row has no column at position {index}: it has {len} columns")]
    ColumnIndexOutOfRange {
        /// The position asked for.
        index: usize,
        /// How many columns the row has.
        len: usize,
    },
    /// A value cannot be read as the Rust type asked for: the column, the value's Spark and
    /// Arrow types, and the Rust types that do read it.
    #[error(
        "column `{column}`: a value of Spark type {spark_type} (Arrow {arrow_type}) cannot be \
         read as {rust_type}; it reads as {reads_as}"
    )]
    ValueType {
        /// The column (for a value inside an array, map or struct, the column that holds it).
        column: String,
        /// The value's Spark type, e.g. `timestamp_ntz`.
        spark_type: String,
        /// The value's Arrow type, e.g. `Timestamp(µs)`.
        arrow_type: String,
        /// The Rust type asked for.
        rust_type: String,
        /// The Rust types that read such a value.
        reads_as: &'static str,
    },
    /// A null value was read as a Rust type that cannot hold it: read it as an `Option`.
    #[error("column `{column}` is null here; read it as Option<{rust_type}>")]
    NullValue {
        /// The column (for a value inside an array, map or struct, the column that holds it).
        column: String,
        /// The Rust type asked for.
        rust_type: String,
    },
    /// A value lies outside what the Rust type asked for can hold (a date past chrono's
    /// range, for example).
    #[error("column `{column}`: the value {value} does not fit in {rust_type}")]
    ValueOutOfRange {
        /// The column (for a value inside an array, map or struct, the column that holds it).
        column: String,
        /// The value, as Arrow displays it.
        value: String,
        /// The Rust type asked for.
        rust_type: String,
    },
}

impl Error {
    /// What kind of failure this is ([`ErrorKind`](crate::ErrorKind), the same for every error
    /// of these crates): for transport and server errors, their kind
    /// ([`spark_connect_transport::Error::kind`]); an Arrow payload that cannot be decoded is
    /// [`Protocol`](crate::ErrorKind::Protocol), typed rows and row values that do not fit the
    /// Rust type asked for are [`Conversion`](crate::ErrorKind::Conversion), and a
    /// [`Row`](crate::Row) asked for a column it does not have (by name or position, or by a
    /// name several columns share) is [`InvalidArgument`](crate::ErrorKind::InvalidArgument).
    ///
    /// ```
    /// use spark_connect_dataframe::{Error, ErrorKind};
    ///
    /// let e = Error::InvalidArgument("n must be positive, found -1".into());
    /// assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    /// ```
    pub fn kind(&self) -> crate::ErrorKind {
        use crate::ErrorKind;
        match self {
            Error::Transport(e) => e.kind(),
            Error::Arrow(_) | Error::Protocol(_) => ErrorKind::Protocol,
            Error::InvalidArgument(_)
            | Error::NoSuchColumn { .. }
            | Error::AmbiguousColumn { .. }
            | Error::ColumnIndexOutOfRange { .. } => ErrorKind::InvalidArgument,
            Error::Conversion(_)
            | Error::ValueType { .. }
            | Error::NullValue { .. }
            | Error::ValueOutOfRange { .. } => ErrorKind::Conversion,
        }
    }

    /// Why the session ended, when this error says that it has (the server closed it, the
    /// server or cluster restarted, or it was stopped): the session is unusable from now on
    /// and a new one is needed. Match on this rather than on the message.
    ///
    /// ```
    /// use spark_connect_dataframe::Error;
    ///
    /// fn needs_new_session(e: &Error) -> bool {
    ///     e.session_end().is_some()
    /// }
    /// # assert!(!needs_new_session(&Error::Protocol("x".into())));
    /// ```
    pub fn session_end(&self) -> Option<&spark_connect_transport::SessionEndReason> {
        match self {
            Error::Transport(e) => e.session_end(),
            _ => None,
        }
    }

    /// The server error, when the server reported one.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let e = spark.sql("SELECT * FROM no_such_table").await.unwrap_err();
    /// let server = e.server_error().expect("the server refused the query");
    /// println!("{:?} {:?}: {}", server.error_class(), server.sql_state(), server.message());
    /// # Ok(())
    /// # }
    /// ```
    pub fn server_error(&self) -> Option<&spark_connect_transport::ServerError> {
        match self {
            Error::Transport(e) => e.server_error(),
            _ => None,
        }
    }

    /// Spark's error class (PySpark's `e.getCondition()`), e.g. `TABLE_OR_VIEW_NOT_FOUND`,
    /// when the server reported one: `server_error()` then
    /// [`error_class`](spark_connect_transport::ServerError::error_class).
    ///
    /// ```
    /// use spark_connect_dataframe::Error;
    ///
    /// let local = Error::InvalidArgument("n must be positive, found -1".into());
    /// assert_eq!(local.error_class(), None);
    /// ```
    pub fn error_class(&self) -> Option<&str> {
        self.server_error().and_then(|s| s.error_class())
    }
}

impl From<spark_connect_transport::ConnectionStringError> for Error {
    fn from(e: spark_connect_transport::ConnectionStringError) -> Self {
        Error::Transport(e.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn kinds_of_the_dataframe_errors() {
        let timeout = spark_connect_transport::Error::Timeout {
            endpoint: "http://127.0.0.1:1".into(),
            what: "ExecutePlan stream".into(),
            after: std::time::Duration::from_secs(1),
        };
        let cases = [
            (Error::Transport(timeout), ErrorKind::Timeout),
            (
                Error::Arrow(arrow_schema::ArrowError::IpcError("bad".into())),
                ErrorKind::Protocol,
            ),
            (Error::Protocol("x".into()), ErrorKind::Protocol),
            (
                Error::InvalidArgument("x".into()),
                ErrorKind::InvalidArgument,
            ),
            (Error::Conversion("x".into()), ErrorKind::Conversion),
        ];
        for (e, kind) in cases {
            assert_eq!(e.kind(), kind, "{e:?}");
        }
    }
}
