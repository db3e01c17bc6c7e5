//! What can go wrong, how it is shown, and which exit code it gives.

use std::io::Write;
use std::process::ExitCode;

use databricks_connect::ErrorKind;
use spark_connect_dataframe::SPARK_REMOTE_ENV;

use spark_connect_transport::TOKEN_ENV_VAR;

/// An error of the command line tool.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The connection string is malformed.
    #[error("{source_name}: {message}")]
    ConnectionString {
        /// Where it came from: `--remote` or `SPARK_REMOTE`.
        source_name: &'static str,
        message: String,
    },
    /// The connection parameters are missing or contradictory.
    #[error("{0}")]
    Config(String),
    /// An error of the library (making the session, running the query): its kind decides the
    /// exit code.
    #[error("{message}")]
    Failed {
        /// The error's kind.
        kind: ErrorKind,
        /// The error and its causes.
        message: String,
    },
    /// A step of the tool failed after the request left (`auth`, `doctor`).
    #[error("{0}")]
    Query(String),
    /// The result could not be written in the requested format.
    #[error("{0}")]
    Output(String),
    /// The process could not set itself up.
    #[error("{0}")]
    Runtime(String),
    /// Ctrl-C stopped the command.
    #[error("interrupted")]
    Interrupted,
}

/// The exit code of a library error of this kind: 2 for configuration (what the user gave
/// cannot be used), 1 for everything else (the server refused or failed the query, or could not
/// be reached).
pub fn exit_code_for(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Configuration => 2,
        _ => 1,
    }
}

impl CliError {
    /// 2 for what the user typed (usage, connection strings, connection parameters that
    /// cannot be resolved or used), 1 for everything that happened after the request left,
    /// 130 after Ctrl-C. Library errors decide by their kind ([`exit_code_for`]).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::ConnectionString { .. } | CliError::Config(_) => 2,
            CliError::Failed { kind, .. } => exit_code_for(*kind),
            CliError::Query(_) | CliError::Output(_) | CliError::Runtime(_) => 1,
            // 128 + SIGINT, as shells report a command that Ctrl-C stopped.
            CliError::Interrupted => 130,
        }
    }

    /// Prints `dbconnect: error: ...` to stderr, with any secret masked, and returns the exit
    /// code.
    pub fn report(&self, secrets: &Secrets) -> ExitCode {
        // Server messages often end in a newline; one is enough.
        let message = secrets.mask(self.to_string().trim_end());
        // A closed stderr leaves nothing to tell; never panic over it as eprintln! would.
        let _ = writeln!(std::io::stderr().lock(), "dbconnect: error: {message}");
        ExitCode::from(self.exit_code())
    }

    /// An error from resolving the connection parameters: nothing was sent, so whatever its
    /// kind (a profile the file lacks is `NotFound`), it is about what the user gave: a usage
    /// error. `no_flags`: no connection flag was given (a hint then says how to give one).
    pub fn from_resolve(e: databricks_connect::Error, no_flags: bool) -> CliError {
        use databricks_connect::{Error, ParameterSource};
        match e {
            Error::ConnectionString { origin, source } => CliError::ConnectionString {
                source_name: match origin {
                    ParameterSource::SparkRemote => SPARK_REMOTE_ENV,
                    _ => "--remote",
                },
                message: source.to_string(),
            },
            Error::InvalidParameter {
                parameter: "host" | "cluster_id",
                message,
            } if no_flags => CliError::Config(format!(
                "{message}\nhint: pass --profile NAME, --host/--token/--cluster-id, or --remote sc://host:port, or set {SPARK_REMOTE_ENV}"
            )),
            e => CliError::Config(with_sources(&e)),
        }
    }

    /// An error from making the session (after the parameters resolved): its kind decides the
    /// exit code.
    pub fn from_session(e: databricks_connect::Error) -> CliError {
        match e {
            databricks_connect::Error::Spark(e) => CliError::query(e),
            e => CliError::Failed {
                kind: e.kind(),
                message: with_sources(&e),
            },
        }
    }

    /// An error from running a query or reading its result.
    pub fn query(e: spark_connect_dataframe::Error) -> CliError {
        let kind = e.kind();
        if let Some(server) = e.server_error() {
            let mut message = server.to_string();
            if let Some(class) = server.error_class()
                && !message.contains(class)
            {
                message.push_str(&format!(" [{class}]"));
            }
            return CliError::Failed { kind, message };
        }
        CliError::Failed {
            kind,
            message: with_sources(&e),
        }
    }
}

/// The error and its causes, each once: wrappers often repeat their source's text.
pub fn with_sources(e: &dyn std::error::Error) -> String {
    spark_connect_transport::with_causes(e.to_string(), e.source())
}

/// Secret values the user handed in, to be masked in anything printed.
///
/// The libraries already keep tokens out of their messages; this is a second line of defence
/// for text that quotes user input (a connection string is user input).
#[derive(Debug, Default)]
pub struct Secrets(Vec<String>);

impl Secrets {
    /// The token values in `--remote`, `--token`, `SPARK_REMOTE`,
    /// `SPARK_CONNECT_AUTHENTICATE_TOKEN` and `DATABRICKS_TOKEN`.
    pub fn collect(remote: Option<&str>, token: Option<&str>) -> Secrets {
        let mut secrets: Vec<String> = token.map(str::to_string).into_iter().collect();
        if let Ok(token) = std::env::var("DATABRICKS_TOKEN") {
            secrets.push(token);
        }
        let env_remote = std::env::var(SPARK_REMOTE_ENV).ok();
        for url in [remote, env_remote.as_deref()].into_iter().flatten() {
            secrets.extend(token_values(url));
        }
        if let Ok(token) = std::env::var(TOKEN_ENV_VAR) {
            secrets.push(token);
        }
        // Very short values would mask ordinary words; no real token is that short.
        secrets.retain(|s| s.len() >= 4);
        // Longest first, so a token containing another is masked whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Secrets(secrets)
    }

    /// `text` with every secret replaced by `***`.
    pub fn mask(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.0 {
            text = text.replace(secret.as_str(), "***");
        }
        text
    }
}

/// Values of `token=` anywhere in a connection string, whether or not it parses.
fn token_values(url: &str) -> Vec<String> {
    let lower = url.to_ascii_lowercase();
    let mut values = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("token=") {
        let start = from + i + "token=".len();
        let end = url[start..]
            .find([';', '&', '?', '/'])
            .map_or(url.len(), |j| start + j);
        values.push(url[start..end].to_string());
        from = start;
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_values_are_found_even_in_malformed_strings() {
        assert_eq!(
            token_values("sc://h/;TOKEN=abcd1234;x=1"),
            vec!["abcd1234".to_string()]
        );
        assert_eq!(
            token_values("sc://h/x?token=s3cr3t&x=1"),
            vec!["s3cr3t".to_string()]
        );
        assert_eq!(token_values("sc://h/;token="), vec![String::new()]);
        assert!(token_values("sc://h").is_empty());
    }

    #[test]
    fn masking_replaces_every_occurrence() {
        let s = Secrets(vec!["s3cr3t-long".into(), "s3cr3t".into()]);
        assert_eq!(s.mask("a s3cr3t-long b s3cr3t"), "a *** b ***");
    }

    #[test]
    fn exit_codes() {
        let usage = CliError::ConnectionString {
            source_name: "--remote",
            message: "m".into(),
        };
        assert_eq!(usage.exit_code(), 2);
        assert_eq!(CliError::Query("q".into()).exit_code(), 1);
        assert_eq!(CliError::Interrupted.exit_code(), 130);
    }

    #[test]
    fn each_kind_gets_its_exit_code() {
        let cases = [
            (ErrorKind::Configuration, 2),
            (ErrorKind::Connection, 1),
            (ErrorKind::Unauthenticated, 1),
            (ErrorKind::PermissionDenied, 1),
            (ErrorKind::NotFound, 1),
            (ErrorKind::AlreadyExists, 1),
            (ErrorKind::Analysis, 1),
            (ErrorKind::Parse, 1),
            (ErrorKind::InvalidArgument, 1),
            (ErrorKind::ClusterState, 1),
            (ErrorKind::SessionEnded, 1),
            (ErrorKind::Timeout, 1),
            // A query someone else interrupted; Ctrl-C here is `Interrupted` (130).
            (ErrorKind::Cancelled, 1),
            (ErrorKind::Unsupported, 1),
            (ErrorKind::Server, 1),
            (ErrorKind::Protocol, 1),
            (ErrorKind::Conversion, 1),
            (ErrorKind::Other, 1),
        ];
        for (kind, code) in cases {
            let e = CliError::Failed {
                kind,
                message: "m".into(),
            };
            assert_eq!(e.exit_code(), code, "{kind}");
        }
    }

    fn kind(e: &CliError) -> Option<ErrorKind> {
        match e {
            CliError::Failed { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    #[test]
    fn library_errors_are_classified_by_kind_not_text() {
        use databricks_connect::{DatabricksSession, Error};
        // Resolution failures are usage errors whatever their kind.
        let conflict = DatabricksSession::builder()
            .cluster_id("c")
            .serverless()
            .resolve()
            .unwrap_err();
        assert_eq!(CliError::from_resolve(conflict, false).exit_code(), 2);
        // After resolution, the kind decides: a configuration error (an unknown auth_type)...
        let unknown = databricks_connect::auth::AuthError::new(
            databricks_connect::auth::AuthErrorKind::UnknownAuthType,
            "auth_type \"nope\" is not a known authentication type",
        );
        let e = CliError::from_session(Error::Auth(unknown));
        assert_eq!(
            (kind(&e), e.exit_code()),
            (Some(ErrorKind::Configuration), 2)
        );
        // ...or credentials the identity provider refused.
        let refused = databricks_connect::auth::AuthError::provider(
            "oauth-m2m",
            databricks_connect::auth::AuthErrorKind::Refused,
            "token request failed: HTTP 401: invalid_client",
        );
        let e = CliError::from_session(Error::Auth(refused));
        assert_eq!(
            (kind(&e), e.exit_code()),
            (Some(ErrorKind::Unauthenticated), 1)
        );
    }
}
