//! `dbconnect`: run Spark SQL on a Spark Connect server (or Databricks) from the command line.
//!
//! ```text
//! dbconnect --remote sc://127.0.0.1:15002 sql "SELECT 1 AS one" --output json
//! ```
//!
//! Results go to standard output as a table, JSON lines, CSV, or an Arrow IPC stream, or to a
//! Parquet file; a progress bar of long queries and errors go to standard error, the errors as
//! `dbconnect: error: ...`. Exit codes: 0 success, 1 a query, server or
//! output error, 2 a usage or connection-string error. See `docs/cli.md`.

mod auth_cmd;
mod cancel;
mod doctor;
mod error;
mod json;
mod output;
mod parquet_out;
mod progress;
mod shell;
mod stdout;
mod table;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use databricks_connect::{ConnectionString, DatabricksSession, DatabricksSessionBuilder};
use spark_connect_dataframe::SPARK_REMOTE_ENV;

use crate::error::CliError;
use crate::stdout::Stdout;

/// Runs Spark SQL on a Spark Connect server or Databricks.
#[derive(Debug, Parser)]
#[command(name = "dbconnect", version, about, long_about = None)]
struct Cli {
    /// The Spark Connect server: sc://host[:port][/;key=value...] [default: $SPARK_REMOTE]
    #[arg(long, global = true, value_name = "URL")]
    remote: Option<String>,

    /// A profile of ~/.databrickscfg [default: the DATABRICKS_* variables, then DEFAULT]
    #[arg(long, value_name = "NAME", conflicts_with_all = ["host", "token", "cluster_id", "serverless"])]
    profile: Option<String>,

    /// The Databricks workspace URL, e.g. https://dbc-1234.cloud.databricks.com
    #[arg(long, value_name = "URL")]
    host: Option<String>,

    /// A Databricks personal access token
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,

    /// The cluster to run on
    #[arg(long, value_name = "ID", conflicts_with = "serverless")]
    cluster_id: Option<String>,

    /// Run on serverless compute
    #[arg(long)]
    serverless: bool,

    /// Never draw the progress bar of long queries (drawn on standard error only when it is a
    /// terminal)
    #[arg(long, global = true)]
    no_progress: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs a SQL statement and writes its result to standard output.
    Sql(SqlArgs),
    /// Databricks configuration and credentials: describe, login, token, profiles.
    Auth(auth_cmd::AuthArgs),
    /// An interactive SQL shell: line editing, history, completion, meta-commands (\\help).
    Shell(shell::ShellArgs),
    /// Checks the configuration, the connection, authentication and a test query, step by step.
    Doctor,
    /// Lists the profiles of ~/.databrickscfg (the same as `dbconnect auth profiles`).
    Profiles {
        /// How to print them.
        #[arg(long, short, value_enum, default_value_t = auth_cmd::Format::Text)]
        output: auth_cmd::Format,
    },
    /// Prints a completion script: `dbconnect completions bash > /etc/bash_completion.d/dbconnect`.
    Completions {
        /// The shell: bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, clap::Args)]
struct SqlArgs {
    /// The SQL statement, e.g. "SELECT * FROM range(10)".
    query: String,

    /// How to write the result.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Table)]
    output: OutputFormat,

    /// Return at most this many rows.
    #[arg(
        long,
        value_name = "N",
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(i32).range(0..)
    )]
    limit: Option<i32>,

    /// Write the result to this file instead of standard output (for --output parquet).
    #[arg(long, value_name = "PATH")]
    file: Option<std::path::PathBuf>,

    /// Replace the --file if it exists (the old file stays until the new one is complete).
    #[arg(long, requires = "file")]
    force: bool,
}

/// The output formats of `dbconnect sql`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// A table for people to read, followed by a `(N rows)` line.
    Table,
    /// One JSON object per row (JSON Lines).
    Json,
    /// Comma-separated values with a header row.
    Csv,
    /// An Arrow IPC stream: the exact schema and batches the server sent.
    Arrow,
    /// A Parquet file (Snappy-compressed) with the exact Arrow schema: to --file PATH, or to
    /// standard output when it is not a terminal.
    Parquet,
}

/// How long a finishing `dbconnect` waits for the server to answer the releases of its results.
const EXIT_FLUSH: std::time::Duration = std::time::Duration::from_secs(2);

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            // `dbconnect` alone: the help, to stderr, as a usage error.
            let _ = write!(std::io::stderr().lock(), "{}", e.render());
            return ExitCode::from(2);
        }
        Err(e) if e.use_stderr() => {
            // clap's text starts with "error: "; say which program it is, as for other errors.
            let _ = write!(std::io::stderr().lock(), "dbconnect: {}", e.render());
            return ExitCode::from(2);
        }
        Err(e) => {
            // --help and --version: to stdout, and a closed pipe is no failure.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    let secrets = error::Secrets::collect(cli.remote.as_deref(), cli.token.as_deref());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return CliError::Runtime(format!("cannot start the async runtime: {e}"))
                .report(&secrets);
        }
    };
    let mut out = Stdout::new();
    let result = runtime.block_on(async {
        let result = run(cli, &mut out).await;
        if !matches!(result, Err(CliError::Interrupted)) {
            // Releases of finished or abandoned results (a closed pipe) go out on this
            // connection now, rather than on a new one when the process exits.
            spark_connect_transport::flush_cleanup(EXIT_FLUSH).await;
        }
        result
    });
    // A reader that went away (`dbconnect ... | head -1`) is not an error: stop quietly.
    if out.broken_pipe() {
        return ExitCode::SUCCESS;
    }
    match result.and_then(|()| out.finish()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) if out.broken_pipe() => ExitCode::SUCCESS,
        Err(e) => e.report(&secrets),
    }
}

async fn run(cli: Cli, out: &mut Stdout) -> Result<(), CliError> {
    let (builder, source) = match &cli.command {
        Command::Auth(_) | Command::Profiles { .. } | Command::Completions { .. } => (None, None),
        Command::Doctor => return doctor::run(&cli, out).await,
        Command::Sql(_) | Command::Shell(_) => {
            let (builder, source) = session_builder(&cli)?;
            (Some(builder), source)
        }
    };
    let explicit = cli.explicit();
    let secrets = error::Secrets::collect(cli.remote.as_deref(), cli.token.as_deref());
    let connect = |builder: DatabricksSessionBuilder| async move {
        builder
            .create()
            .await
            .map_err(|e| CliError::from_session(e, source.is_none() && !explicit))
    };
    match (cli.command, builder) {
        (Command::Auth(args), _) => auth_cmd::run(args, out).await,
        (Command::Profiles { output }, _) => auth_cmd::profiles(output, out).await,
        (Command::Completions { shell }, _) => {
            clap_complete::generate(shell, &mut Cli::command(), "dbconnect", out);
            Ok(())
        }
        (Command::Sql(args), Some(builder)) => {
            if args.file.is_some() && args.output != OutputFormat::Parquet {
                return Err(CliError::Config(
                    "--file is for --output parquet; the other formats go to standard output, which can be redirected to a file".into(),
                ));
            }
            let spark = connect(builder).await?;
            // One ExecutePlan: the statement runs once, when its result is fetched (no
            // separate eager `sql()` round trip, which the CLI does not need).
            let mut df = spark.sql_deferred(&args.query);
            if let Some(n) = args.limit {
                df = df.limit(n);
            }
            let progress = progress::wanted(cli.no_progress);
            let write = async {
                match &args.file {
                    Some(path) => {
                        let sink = parquet_out::Sink::open(path, args.force)?;
                        output::write_parquet_file(&df, sink, progress).await
                    }
                    None => output::write(&df, args.output, out, progress).await,
                }
            };
            // Ctrl-C stops the query on the server (a bounded wait; a second Ctrl-C ends it),
            // then drops it here: the progress bar is cleared, an unfinished Parquet file
            // removed, and the result stream released.
            let tag = cancel::statement_tag(0);
            spark.add_tag(&tag).map_err(CliError::query)?;
            let mut write = Box::pin(write);
            tokio::select! {
                result = &mut write => result,
                _ = tokio::signal::ctrl_c() => {
                    let stopped = cancel::stop_on_server(&spark, &tag, write).await;
                    if let cancel::Stopped::Unconfirmed(why) = &stopped {
                        let _ = writeln!(
                            std::io::stderr().lock(),
                            "dbconnect: could not confirm that the server stopped the query ({}); it may run until the server drops it",
                            secrets.mask(why)
                        );
                    }
                    if !matches!(stopped, cancel::Stopped::Confirmed(_)) {
                        // Waited enough, or asked not to: the exit does not wait again.
                        spark_connect_transport::set_exit_cleanup_limit(std::time::Duration::ZERO);
                    }
                    Err(CliError::Interrupted)
                }
            }
        }
        (Command::Shell(args), Some(builder)) => {
            let spark = connect(builder.clone()).await?;
            shell::run(
                spark,
                builder,
                args,
                secrets,
                progress::wanted(cli.no_progress),
            )
            .await
        }
        (Command::Doctor | Command::Sql(_) | Command::Shell(_), _) => Err(CliError::Runtime(
            "internal error: no session builder for this command".into(),
        )),
    }
}

impl Cli {
    /// Whether any Databricks connection flag was given.
    fn explicit(&self) -> bool {
        self.profile.is_some()
            || self.host.is_some()
            || self.token.is_some()
            || self.cluster_id.is_some()
            || self.serverless
    }
}

/// The session builder the connection flags describe, and where a connection string came
/// from (`--remote` or `SPARK_REMOTE`), if one did.
fn session_builder(
    cli: &Cli,
) -> Result<(DatabricksSessionBuilder, Option<&'static str>), CliError> {
    let explicit = cli.explicit();
    if explicit && cli.remote.is_some() {
        return Err(CliError::Config(
            "--remote takes a full connection string and cannot be combined with --profile, --host, --token, --cluster-id or --serverless".into(),
        ));
    }
    // SPARK_REMOTE comes after explicit parameters and profiles, as in the library.
    let source = if explicit {
        None
    } else {
        check_remote(cli.remote.as_deref())?
    };
    let mut builder =
        DatabricksSession::builder().user_agent(concat!("dbconnect/", env!("CARGO_PKG_VERSION")));
    if let Some(remote) = &cli.remote {
        builder = builder.remote(remote);
    }
    if let Some(profile) = &cli.profile {
        builder = builder.profile(profile);
    }
    if let Some(host) = &cli.host {
        builder = builder.host(host);
    }
    if let Some(token) = &cli.token {
        builder = builder.token(token);
    }
    if let Some(cluster_id) = &cli.cluster_id {
        builder = builder.cluster_id(cluster_id);
    }
    if cli.serverless {
        builder = builder.serverless();
    }
    Ok((builder, source))
}

/// Checks the connection string before anything else, so that a malformed one is a usage
/// error (exit 2) naming where it came from. Returns that source, or `None` when no
/// connection string was given and the facade decides.
fn check_remote(remote: Option<&str>) -> Result<Option<&'static str>, CliError> {
    let (url, source) = match remote {
        Some(url) => (url.to_string(), "--remote"),
        None => match std::env::var(SPARK_REMOTE_ENV) {
            Ok(url) if !url.is_empty() => (url, SPARK_REMOTE_ENV),
            _ => return Ok(None),
        },
    };
    ConnectionString::parse(&url).map_err(|e| CliError::ConnectionString {
        source_name: source,
        message: e.to_string(),
    })?;
    Ok(Some(source))
}
