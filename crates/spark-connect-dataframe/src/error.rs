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
    /// Rows could not be converted between Rust values and Arrow (typed rows): the message
    /// names the Rust type, the column and the types involved.
    #[error("{0}")]
    Conversion(String),
}

impl Error {
    /// What kind of failure this is ([`ErrorKind`](crate::ErrorKind), the same for every error
    /// of these crates): for transport and server errors, their kind
    /// ([`spark_connect_transport::Error::kind`]); an Arrow payload that cannot be decoded is
    /// [`Protocol`](crate::ErrorKind::Protocol), typed rows that do not fit are
    /// [`Conversion`](crate::ErrorKind::Conversion).
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
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::Conversion(_) => ErrorKind::Conversion,
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
    pub fn server_error(&self) -> Option<&spark_connect_transport::ServerError> {
        match self {
            Error::Transport(e) => e.server_error(),
            _ => None,
        }
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
