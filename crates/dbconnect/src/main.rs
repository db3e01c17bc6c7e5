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
use databricks_connect::{DatabricksSession, DatabricksSessionBuilder};

use crate::error::CliError;
use crate::stdout::Stdout;

/// Runs Spark SQL on a Spark Connect server or Databricks.
// The field docs are the `--help` text clap prints, not Markdown.
#[allow(rustdoc::bare_urls, rustdoc::broken_intra_doc_links)]
#[derive(Debug, Parser)]
#[command(name = "dbconnect", version, about, long_about = None)]
struct Cli {
    /// The Spark Connect server: sc://host[:port][/;key=value...] [default: $SPARK_REMOTE]
    #[arg(long, global = true, value_name = "URL")]
    remote: Option<String>,

    /// A profile of ~/.databrickscfg [default: the DATABRICKS_* variables, then DEFAULT]; with
    /// --host, --token, --cluster-id or --serverless, those override the profile's values
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,

    /// The Databricks workspace URL, e.g. https://dbc-1234.cloud.databricks.com
    #[arg(long, value_name = "URL")]
    host: Option<String>,

    /// A Databricks personal access token
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,

    /// The cluster to run on
    #[arg(long, value_name = "ID")]
    cluster_id: Option<String>,

    /// Run on serverless compute
    #[arg(long)]
    serverless: bool,

    /// Run on serverless compute under this usage policy [default: $DATABRICKS_USAGE_POLICY_ID
    /// with --serverless]
    #[arg(long, value_name = "ID")]
    usage_policy: Option<String>,

    /// Fail at once when the cluster is not running, instead of starting it and waiting
    #[arg(long)]
    no_auto_start: bool,

    /// The longest wait for the cluster to start, e.g. 90s, 10m, 1h [default: 30m]
    #[arg(long, value_name = "DURATION", value_parser = parse_wait)]
    cluster_start_timeout: Option<std::time::Duration>,

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
        Err(e) => {
            // A wait for a cluster may have left its status line on the terminal.
            progress::clear_status();
            e.report(&secrets)
        }
    }
}

async fn run(cli: Cli, out: &mut Stdout) -> Result<(), CliError> {
    let builder = match &cli.command {
        Command::Auth(_) | Command::Profiles { .. } | Command::Completions { .. } => None,
        Command::Doctor => return doctor::run(&cli, out).await,
        Command::Sql(_) | Command::Shell(_) => {
            let builder = session_builder(&cli);
            // Malformed or contradictory parameters are usage errors, before anything is sent.
            builder
                .resolve()
                .map_err(|e| CliError::from_resolve(e, !cli.explicit()))?;
            Some(builder)
        }
    };
    let secrets = error::Secrets::collect(cli.remote.as_deref(), cli.token.as_deref());
    let connect = |builder: DatabricksSessionBuilder| async move {
        let session = builder.create().await.map_err(CliError::from_session);
        progress::clear_status();
        session
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
    /// Whether any connection flag was given.
    fn explicit(&self) -> bool {
        self.remote.is_some()
            || self.profile.is_some()
            || self.host.is_some()
            || self.token.is_some()
            || self.cluster_id.is_some()
            || self.serverless
    }
}

/// A wait such as `90s`, `10m`, `1h` or `1h30m` (a bare number is seconds).
fn parse_wait(text: &str) -> Result<std::time::Duration, String> {
    let expected = || format!("'{text}' is not a wait: expected e.g. 90s, 10m, 1h or 1h30m");
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(expected()),
        };
        let n: u64 = number.parse().map_err(|_| expected())?;
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(expected)?;
        number.clear();
    }
    if !number.is_empty() {
        let n: u64 = number.parse().map_err(|_| expected())?;
        total = total.checked_add(n).ok_or_else(expected)?;
    } else if total == 0 && !text.trim().starts_with('0') {
        return Err(expected());
    }
    Ok(std::time::Duration::from_secs(total))
}

/// The session builder the connection flags describe. Which parameters win, and which
/// combinations are refused, is the library's decision (`DatabricksSessionBuilder::resolve`).
fn session_builder(cli: &Cli) -> DatabricksSessionBuilder {
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
    if let Some(policy) = &cli.usage_policy {
        builder = builder.serverless_usage_policy(policy);
    }
    if cli.no_auto_start {
        builder = builder.auto_start_cluster(false);
    }
    if let Some(timeout) = cli.cluster_start_timeout {
        builder = builder.cluster_start_timeout(timeout);
    }
    if progress::wanted(cli.no_progress) {
        builder = builder.on_cluster_wait(progress::show_cluster_wait);
    }
    builder
}

#[cfg(test)]
mod tests {
    use super::parse_wait;
    use std::time::Duration;

    #[test]
    fn waits_parse_as_people_write_them() {
        assert_eq!(parse_wait("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_wait("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_wait("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_wait("45"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_wait("0"), Ok(Duration::ZERO));
        for bad in ["", "m", "10x", "1.5m", "-1s", "99999999999999999999h"] {
            let e = parse_wait(bad).unwrap_err();
            assert!(e.contains(&format!("'{bad}'")), "{e}");
        }
    }
}
