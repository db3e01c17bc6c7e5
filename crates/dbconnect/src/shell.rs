//! `dbconnect shell`: an interactive SQL shell.
//!
//! Statements end with `;` and may span lines; lines starting with `\` are meta-commands.
//! Ctrl-C cancels the running statement (or clears the line being typed), Ctrl-D leaves.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use databricks_connect::{DatabricksSessionBuilder, SessionEndReason, SparkSession};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use tokio::runtime::Handle;

use crate::OutputFormat;
use crate::cancel::{self, Stopped};
use crate::error::{CliError, Secrets};
use crate::output;
use crate::stdout::Stdout;

/// Options of `dbconnect shell`.
#[derive(Debug, clap::Args)]
pub struct ShellArgs {
    /// How to show results (also `\output` in the shell).
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Table)]
    output: OutputFormat,
}

/// The history file: `DBCONNECT_HISTORY`, else `~/.dbconnect_history`.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("DBCONNECT_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|home| PathBuf::from(home).join(".dbconnect_history"))
}

const HELP: &str = "\
Statements end with ; and may span several lines. Ctrl-C cancels a running statement,
Ctrl-D or \\quit leaves. Tab completes SQL keywords and catalog, schema, table and column
names (db.<Tab> lists a schema's tables).

  \\help                      this text
  \\tables [pattern]          tables and views, e.g. \\tables sales*
  \\describe TABLE            the columns of a table
  \\timing                    show how long each statement took (on/off)
  \\output table|json|csv     how results are shown
  \\refresh                   fetch catalog, schema, table and column names again
  \\quit                      leave (also \\q, exit, quit)
";

/// Runs the shell until `\quit` or end of input. Readline blocks, so the loop runs on a
/// blocking thread and waits for each query on the runtime that called it. `builder` makes a
/// new session when the server has ended this one.
pub async fn run(
    spark: SparkSession,
    builder: DatabricksSessionBuilder,
    args: ShellArgs,
    secrets: Secrets,
    progress: bool,
) -> Result<(), CliError> {
    if matches!(args.output, OutputFormat::Parquet) {
        return Err(CliError::Config(
            "the shell shows results on the terminal and cannot write Parquet; use dbconnect sql --output parquet --file PATH".into(),
        ));
    }
    let handle = Handle::current();
    let version = spark.version().await.map_err(CliError::query)?;
    tokio::task::spawn_blocking(move || {
        let mut shell = Shell {
            names: Names::new(spark, handle.clone()),
            builder,
            handle,
            format: args.output,
            timing: true,
            secrets,
            progress,
            statements: 0,
        };
        shell.run(&version)
    })
    .await
    .map_err(|e| CliError::Runtime(format!("the shell stopped unexpectedly: {e}")))?
}

struct Shell {
    /// Makes a new session when the server has ended the current one.
    builder: DatabricksSessionBuilder,
    handle: Handle,
    format: OutputFormat,
    timing: bool,
    secrets: Secrets,
    /// Whether long statements show a progress bar.
    progress: bool,
    /// The names completion offers, shared with the line editor; holds the current session.
    names: Names,
    /// Statements run so far (each gets a tag of its own, for Ctrl-C).
    statements: u64,
}

enum Next {
    Continue,
    Quit,
}

impl Shell {
    fn run(&mut self, version: &str) -> Result<(), CliError> {
        let config = rustyline::Config::builder()
            .auto_add_history(false)
            .max_history_size(10_000)
            .map_err(|e| CliError::Runtime(format!("cannot set up line editing: {e}")))?
            .completion_type(rustyline::CompletionType::List)
            .build();
        let mut editor: Editor<SqlHelper, FileHistory> = Editor::with_config(config)
            .map_err(|e| CliError::Runtime(format!("cannot set up line editing: {e}")))?;
        editor.set_helper(Some(SqlHelper {
            names: self.names.clone(),
        }));
        let history = history_path();
        if let Some(path) = &history
            && path.exists()
        {
            // An unreadable history is no reason not to start.
            let _ = editor.load_history(path);
        }
        eprintln!(
            "dbconnect shell, Spark {version}. Statements end with ;  \\help for help, \\quit or Ctrl-D to leave."
        );
        loop {
            match editor.readline("dbconnect> ") {
                Ok(input) => {
                    let trimmed = input.trim();
                    if trimmed.is_empty() {
                        continue;
                    }
                    let _ = editor.add_history_entry(trimmed);
                    if let Some(path) = &history {
                        let _ = editor.save_history(path);
                    }
                    let next = if trimmed.starts_with('\\')
                        || matches!(trimmed, "exit" | "quit" | "exit;" | "quit;")
                    {
                        self.meta(trimmed)
                    } else {
                        for statement in split_statements(trimmed) {
                            self.execute(&statement);
                        }
                        Next::Continue
                    };
                    self.names.invalidate_if_ddl(trimmed);
                    if let Next::Quit = next {
                        break;
                    }
                }
                // Ctrl-C at the prompt drops what was typed, as in psql.
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => break,
                Err(e) => {
                    return Err(CliError::Runtime(format!(
                        "cannot read from the terminal: {e}"
                    )));
                }
            }
        }
        Ok(())
    }

    fn meta(&mut self, input: &str) -> Next {
        let input = input.trim_end_matches(';').trim();
        let mut words = input.split_whitespace();
        let command = words.next().unwrap_or_default();
        let rest: Vec<&str> = words.collect();
        match command {
            "\\q" | "\\quit" | "exit" | "quit" => return Next::Quit,
            "\\?" | "\\h" | "\\help" => eprint!("{HELP}"),
            "\\timing" => {
                self.timing = match rest.first().copied() {
                    Some("on") => true,
                    Some("off") => false,
                    _ => !self.timing,
                };
                eprintln!("Timing is {}.", if self.timing { "on" } else { "off" });
            }
            "\\output" | "\\o" => match rest.first().copied() {
                Some("table") => self.format = OutputFormat::Table,
                Some("json") => self.format = OutputFormat::Json,
                Some("csv") => self.format = OutputFormat::Csv,
                Some(other) => eprintln!("unknown output format '{other}': use table, json or csv"),
                None => eprintln!("Output is {:?}: \\output table|json|csv", self.format),
            },
            "\\refresh" => {
                self.names.refresh();
                eprintln!("Catalog, schema, table and column names will be fetched again.");
            }
            "\\tables" | "\\dt" => match rest.first() {
                Some(pattern) => {
                    let pattern = pattern.replace('\'', "");
                    self.execute(&format!("SHOW TABLES LIKE '{pattern}'"));
                }
                None => self.execute("SHOW TABLES"),
            },
            "\\describe" | "\\d" => match rest.first() {
                Some(table) => self.execute(&format!("DESCRIBE TABLE {table}")),
                None => eprintln!("\\describe needs a table name, e.g. \\describe my_table"),
            },
            other => eprintln!("unknown command {other}: \\help lists the commands"),
        }
        Next::Continue
    }

    /// The current session.
    fn spark(&self) -> SparkSession {
        self.names.session()
    }

    /// Runs one statement and shows its result or its error. Ctrl-C stops it on the server
    /// (see `cancel.rs`); a session the server has ended is replaced by a new one.
    fn execute(&mut self, sql: &str) {
        if let Some(reason) = self.spark().client().session_end() {
            // Found out by completion, or the last reconnect failed: start afresh first.
            if !self.session_ended(&reason) {
                return;
            }
        }
        let started = Instant::now();
        let spark = self.spark();
        self.statements += 1;
        let tag = cancel::statement_tag(self.statements);
        let tagged = spark.add_tag(&tag).is_ok();
        let format = self.format;
        let timing = self.timing;
        let progress = self.progress;
        let query = {
            let spark = spark.clone();
            async move {
                let df = spark.sql(sql).await.map_err(CliError::query)?;
                let mut out = Stdout::new();
                output::write_timed(&df, format, &mut out, timing, progress).await?;
                out.finish()
            }
        };
        let result = self.handle.block_on(async {
            let mut query = Box::pin(query);
            tokio::select! {
                result = &mut query => Ok(result),
                _ = tokio::signal::ctrl_c() => Err(cancel::stop_on_server(&spark, &tag, query).await),
            }
        });
        if tagged {
            spark.remove_tag(&tag);
        }
        match result {
            Err(Stopped::Confirmed(ids)) => eprintln!(
                "Cancelled; the server stopped {} operation{}.",
                ids.len(),
                if ids.len() == 1 { "" } else { "s" }
            ),
            Err(Stopped::Unconfirmed(why)) => eprintln!(
                "Cancelled here; could not confirm that the server stopped the query ({}).",
                self.secrets.mask(&why)
            ),
            Err(Stopped::NotWaited) => {
                eprintln!("Cancelled here, without waiting for the server to stop the query.")
            }
            Ok(Err(e)) => match spark.client().session_end() {
                Some(reason) => {
                    if self.session_ended(&reason) {
                        eprintln!("Run the statement again.");
                    }
                }
                None => {
                    let _ = e.report(&self.secrets);
                }
            },
            Ok(Ok(())) => {
                if timing && format != OutputFormat::Table {
                    eprintln!("({:.3} s)", started.elapsed().as_secs_f64());
                }
            }
        }
        let _ = std::io::stderr().flush();
    }

    /// Says that the session ended and why, and starts a new one; whether that worked.
    fn session_ended(&mut self, reason: &SessionEndReason) -> bool {
        let why = match reason {
            SessionEndReason::Closed => {
                "the server closed it (it was idle longer than the server's session timeout, or it was released)"
            }
            SessionEndReason::ServerRestarted { .. } => "the server or cluster restarted",
            SessionEndReason::Stopped => "it was stopped",
            _ => "the server ended it",
        };
        eprintln!("dbconnect: the session has ended: {why}.");
        let old = self.spark().session_id().to_string();
        match self.handle.block_on(self.builder.clone().create()) {
            Ok(spark) if spark.session_id() == old => {
                eprintln!(
                    "dbconnect: error: cannot start a new session: the connection string fixes session_id={old}; remove session_id from it"
                );
                false
            }
            Ok(spark) => {
                self.names.set_session(spark);
                eprintln!(
                    "Started a new session. Temporary views and settings of the old session are gone."
                );
                true
            }
            Err(e) => {
                let e = CliError::from_session(e);
                eprintln!(
                    "dbconnect: error: cannot start a new session: {}",
                    self.secrets.mask(&e.to_string())
                );
                false
            }
        }
    }
}

/// Splits input into statements at `;` outside quotes and comments; empty ones are dropped.
pub fn split_statements(input: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut scanner = Scanner::default();
    for c in input.chars() {
        if scanner.step(c) == Some(';') {
            let s = current.trim();
            if !s.is_empty() {
                statements.push(s.to_string());
            }
            current.clear();
        } else {
            current.push(c);
        }
    }
    let s = current.trim();
    if !s.is_empty() {
        statements.push(s.to_string());
    }
    statements
}

/// Whether `input` is complete: a meta-command, or SQL whose last significant character is a
/// `;` outside quotes and comments.
pub fn is_complete(input: &str) -> bool {
    let trimmed = input.trim();
    if trimmed.is_empty()
        || trimmed.starts_with('\\')
        || matches!(trimmed, "exit" | "quit" | "exit;" | "quit;")
    {
        return true;
    }
    let mut scanner = Scanner::default();
    let mut last = None;
    for c in trimmed.chars() {
        if let Some(significant) = scanner.step(c)
            && !significant.is_whitespace()
        {
            last = Some(significant);
        }
    }
    last == Some(';') && scanner.state == State::Code
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
enum State {
    #[default]
    Code,
    Quote(char),
    Escape(char),
    LineComment,
    BlockComment,
    Dash,
    Slash,
    BlockStar,
}

/// A tiny SQL lexer: tells quotes and comments from code, one character at a time.
#[derive(Debug, Default)]
struct Scanner {
    state: State,
}

impl Scanner {
    /// Feeds `c`; returns it when it is code (outside quotes and comments).
    fn step(&mut self, c: char) -> Option<char> {
        match self.state {
            State::Code => match c {
                '\'' | '"' | '`' => {
                    self.state = State::Quote(c);
                    None
                }
                '-' => {
                    self.state = State::Dash;
                    None
                }
                '/' => {
                    self.state = State::Slash;
                    None
                }
                _ => Some(c),
            },
            State::Dash => {
                if c == '-' {
                    self.state = State::LineComment;
                    None
                } else {
                    self.state = State::Code;
                    self.step(c).or(Some('-'))
                }
            }
            State::Slash => {
                if c == '*' {
                    self.state = State::BlockComment;
                    None
                } else {
                    self.state = State::Code;
                    self.step(c).or(Some('/'))
                }
            }
            State::Quote(q) => {
                if c == '\\' && q != '`' {
                    self.state = State::Escape(q);
                } else if c == q {
                    self.state = State::Code;
                }
                None
            }
            State::Escape(q) => {
                self.state = State::Quote(q);
                None
            }
            State::LineComment => {
                if c == '\n' {
                    self.state = State::Code;
                }
                None
            }
            State::BlockComment => {
                if c == '*' {
                    self.state = State::BlockStar;
                }
                None
            }
            State::BlockStar => {
                self.state = match c {
                    '/' => State::Code,
                    '*' => State::BlockStar,
                    _ => State::BlockComment,
                };
                None
            }
        }
    }
}

const KEYWORDS: &[&str] = &[
    "ALTER",
    "AND",
    "AS",
    "ASC",
    "BETWEEN",
    "BY",
    "CACHE",
    "CASE",
    "CAST",
    "COUNT",
    "CREATE",
    "CROSS",
    "DATABASE",
    "DELETE",
    "DESC",
    "DESCRIBE",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "EXCEPT",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FROM",
    "FULL",
    "FUNCTIONS",
    "GROUP",
    "HAVING",
    "IF",
    "IN",
    "INNER",
    "INSERT",
    "INTERSECT",
    "INTO",
    "IS",
    "JOIN",
    "LATERAL",
    "LEFT",
    "LIKE",
    "LIMIT",
    "NOT",
    "NULL",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "OVERWRITE",
    "PARTITION",
    "RANGE",
    "REPLACE",
    "RIGHT",
    "SCHEMA",
    "SCHEMAS",
    "SELECT",
    "SET",
    "SHOW",
    "TABLE",
    "TABLES",
    "TEMP",
    "TEMPORARY",
    "THEN",
    "TRUE",
    "TRUNCATE",
    "UNION",
    "UPDATE",
    "USE",
    "USING",
    "VALUES",
    "VIEW",
    "VIEWS",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
];

/// Catalog, schema (database), table and column names from the server, fetched when
/// completion first needs them, kept for the session, and fetched again after `\refresh` or a
/// statement that may change them.
#[derive(Clone)]
struct Names {
    /// The shell's current session (replaced when the server ended the last one).
    spark: Arc<Mutex<SparkSession>>,
    handle: Handle,
    inner: Arc<Mutex<NameCache>>,
}

#[derive(Default)]
struct NameCache {
    catalogs: Option<Vec<String>>,
    /// Schemas by catalog; `None` is the current catalog.
    schemas: HashMap<Option<String>, Vec<String>>,
    /// Tables and views by the schema they are in (`db` or `catalog.db`); `None` is the
    /// current schema, whose list includes temporary views.
    tables: HashMap<Option<String>, Vec<String>>,
    columns: HashMap<String, Vec<String>>,
}

/// How long completion waits for the server before it completes keywords alone.
const NAMES_TIMEOUT: Duration = Duration::from_secs(3);

/// Whether `input` has the word CREATE, DROP, ALTER, USE, REPLACE or RENAME, after which
/// catalog, schema, table and column names may have changed.
fn may_change_names(input: &str) -> bool {
    input
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|word| {
            ["CREATE", "DROP", "ALTER", "USE", "REPLACE", "RENAME"]
                .iter()
                .any(|k| word.eq_ignore_ascii_case(k))
        })
}

/// `name` quoted for SQL when it is not a plain identifier.
fn quoted(name: &str) -> String {
    if !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

impl Names {
    fn new(spark: SparkSession, handle: Handle) -> Names {
        Names {
            spark: Arc::new(Mutex::new(spark)),
            handle,
            inner: Arc::default(),
        }
    }

    /// The current session.
    fn session(&self) -> SparkSession {
        self.spark.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Switches to a new session; its names are fetched afresh.
    fn set_session(&self, spark: SparkSession) {
        *self.spark.lock().unwrap_or_else(|e| e.into_inner()) = spark;
        self.refresh();
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, NameCache> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Forgets every name.
    fn refresh(&self) {
        *self.cache() = NameCache::default();
    }

    /// Forgets every name after a statement that may change them (see [`may_change_names`]).
    fn invalidate_if_ddl(&self, input: &str) {
        if may_change_names(input) {
            self.refresh();
        }
    }

    /// Some string columns of a query's result, row by row, or nothing on any error or
    /// timeout.
    fn rows(&self, sql: &str, columns: &[usize]) -> Vec<Vec<String>> {
        let spark = self.session();
        let query = async move {
            let df = spark.sql(sql).await.ok()?;
            df.collect().await.ok()
        };
        let batches: Vec<RecordBatch> = self
            .handle
            .block_on(async { tokio::time::timeout(NAMES_TIMEOUT, query).await })
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut rows = Vec::new();
        for batch in &batches {
            if columns.iter().any(|&c| c >= batch.num_columns()) {
                continue;
            }
            let Ok(values) = columns
                .iter()
                .map(|&c| arrow_cast::cast(batch.column(c), &arrow_schema::DataType::Utf8))
                .collect::<Result<Vec<_>, _>>()
            else {
                continue;
            };
            for row in 0..batch.num_rows() {
                rows.push(
                    values
                        .iter()
                        .map(|v| {
                            let v = v.as_string::<i32>();
                            if v.is_null(row) {
                                String::new()
                            } else {
                                v.value(row).to_string()
                            }
                        })
                        .collect(),
                );
            }
        }
        rows
    }

    fn strings(&self, sql: &str, column: usize) -> Vec<String> {
        self.rows(sql, &[column])
            .into_iter()
            .filter_map(|mut r| r.pop())
            .filter(|s| !s.is_empty())
            .collect()
    }

    fn catalogs(&self) -> Vec<String> {
        if let Some(catalogs) = &self.cache().catalogs {
            return catalogs.clone();
        }
        // SHOW CATALOGS: catalog.
        let catalogs = self.strings("SHOW CATALOGS", 0);
        self.cache().catalogs = Some(catalogs.clone());
        catalogs
    }

    /// The schemas of `catalog`, or of the current catalog.
    fn schemas(&self, catalog: Option<&str>) -> Vec<String> {
        let key = catalog.map(str::to_string);
        if let Some(schemas) = self.cache().schemas.get(&key) {
            return schemas.clone();
        }
        // SHOW SCHEMAS: namespace.
        let sql = match catalog {
            Some(c) => format!("SHOW SCHEMAS IN {}", quoted(c)),
            None => "SHOW SCHEMAS".to_string(),
        };
        let schemas = self.strings(&sql, 0);
        self.cache().schemas.insert(key, schemas.clone());
        schemas
    }

    /// The tables and views of `schema` (`db` or `catalog.db`, as typed), or of the current
    /// schema with the temporary views.
    fn tables(&self, schema: Option<&str>) -> Vec<String> {
        let key = schema.map(str::to_string);
        if let Some(tables) = self.cache().tables.get(&key) {
            return tables.clone();
        }
        // SHOW TABLES: namespace, tableName, isTemporary. Temporary views are listed in every
        // schema; they belong to none.
        let tables: Vec<String> = match schema {
            Some(schema) => {
                let name: Vec<String> = schema.split('.').map(quoted).collect();
                self.rows(&format!("SHOW TABLES IN {}", name.join(".")), &[1, 2])
                    .into_iter()
                    .filter(|r| r[1] != "true")
                    .map(|mut r| r.swap_remove(0))
                    .collect()
            }
            None => self.strings("SHOW TABLES", 1),
        };
        self.cache().tables.insert(key, tables.clone());
        tables
    }

    /// Tables already fetched, qualified as they were typed (`db.t`, `catalog.db.t`), and
    /// the current schema's: the names whose columns complete.
    fn known_tables(&self) -> Vec<String> {
        self.cache()
            .tables
            .iter()
            .flat_map(|(schema, tables)| {
                tables.iter().map(move |t| match schema {
                    Some(s) => format!("{s}.{t}"),
                    None => t.clone(),
                })
            })
            .collect()
    }

    fn columns(&self, table: &str) -> Vec<String> {
        if let Some(columns) = self.cache().columns.get(table) {
            return columns.clone();
        }
        // DESCRIBE: col_name, data_type, comment; partition sections start with '#'.
        let name: Vec<String> = table.split('.').map(quoted).collect();
        let columns: Vec<String> = self
            .strings(&format!("DESCRIBE TABLE {}", name.join(".")), 0)
            .into_iter()
            .filter(|c| !c.starts_with('#'))
            .collect();
        self.cache()
            .columns
            .insert(table.to_string(), columns.clone());
        columns
    }

    /// Names that may follow `qualifier.` (one part, `db` or `catalog`, or two,
    /// `catalog.db`), each starting with `qualifier.` as typed.
    fn qualified(&self, qualifier: &str) -> Vec<String> {
        let parts: Vec<&str> = qualifier.split('.').collect();
        let has = |names: &[String], name: &str| names.iter().any(|n| n.eq_ignore_ascii_case(name));
        let mut names = Vec::new();
        match parts.as_slice() {
            [one] => {
                if has(&self.schemas(None), one) {
                    names.extend(self.tables(Some(one)));
                }
                if has(&self.catalogs(), one) {
                    names.extend(self.schemas(Some(one)));
                }
                if has(&self.tables(None), one) {
                    names.extend(self.columns(one));
                }
            }
            [catalog, schema] => {
                if has(&self.catalogs(), catalog) && has(&self.schemas(Some(catalog)), schema) {
                    names.extend(self.tables(Some(qualifier)));
                } else if has(&self.tables(Some(catalog)), schema) {
                    // db.table.column
                    names.extend(self.columns(qualifier));
                }
            }
            _ => {}
        }
        names
            .into_iter()
            .map(|n| format!("{qualifier}.{n}"))
            .collect()
    }
}

struct SqlHelper {
    names: Names,
}

impl Helper for SqlHelper {}
impl Hinter for SqlHelper {
    type Hint = String;
}
impl Highlighter for SqlHelper {}

impl Validator for SqlHelper {
    fn validate(&self, ctx: &mut ValidationContext) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Completer for SqlHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| {
                i + before[i..].chars().next().map_or(1, char::len_utf8)
            });
        let word = &before[start..];
        if word.is_empty() || line.trim_start().starts_with('\\') && !before.contains(' ') {
            return Ok((start, Vec::new()));
        }
        let lower = word.to_lowercase();
        let mut candidates: Vec<String> = Vec::new();
        let add = |name: String, candidates: &mut Vec<String>| {
            if name.to_lowercase().starts_with(&lower) && !candidates.contains(&name) {
                candidates.push(name);
            }
        };
        if let Some((qualifier, _)) = word.rsplit_once('.') {
            // `db.`, `catalog.`, `catalog.db.`, `table.`: what is inside it.
            for name in self.names.qualified(qualifier) {
                add(name, &mut candidates);
            }
            return Ok((start, pairs(candidates)));
        }
        for name in self
            .names
            .tables(None)
            .into_iter()
            .chain(self.names.schemas(None))
            .chain(self.names.catalogs())
        {
            add(name, &mut candidates);
        }
        // Columns of the tables the line names.
        let words: Vec<String> = line
            .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map(str::to_lowercase)
            .collect();
        for table in self
            .names
            .known_tables()
            .iter()
            .filter(|t| words.contains(&t.to_lowercase()))
        {
            for column in self.names.columns(table) {
                add(column, &mut candidates);
            }
        }
        let upper_case = word.chars().any(char::is_uppercase);
        for keyword in KEYWORDS {
            if keyword.to_lowercase().starts_with(&lower) {
                // Keywords in the case the user types them.
                candidates.push(if upper_case {
                    keyword.to_string()
                } else {
                    keyword.to_lowercase()
                });
            }
        }
        Ok((start, pairs(candidates)))
    }
}

fn pairs(candidates: Vec<String>) -> Vec<Pair> {
    candidates
        .into_iter()
        .map(|c| Pair {
            display: c.clone(),
            replacement: c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_end_with_a_semicolon_outside_quotes_and_comments() {
        assert!(is_complete("SELECT 1;"));
        assert!(is_complete("SELECT 1;  "));
        assert!(is_complete("SELECT 1\nFROM t;"));
        assert!(!is_complete("SELECT 1"));
        assert!(!is_complete("SELECT ';'"));
        assert!(!is_complete("SELECT 1 -- done;"));
        assert!(is_complete("SELECT 1 -- a comment\n;"));
        assert!(!is_complete("SELECT 1 /* ; */"));
        assert!(is_complete("SELECT 'it''s' ;"));
        assert!(is_complete("SELECT 'a\\'b';"));
        assert!(!is_complete("SELECT 'open;"));
        assert!(is_complete("\\tables"));
        assert!(is_complete("quit"));
        assert!(is_complete("SELECT 4 - 3;"));
        assert!(is_complete("SELECT 4 / 2;"));
    }

    #[test]
    fn ddl_words_refresh_names_and_others_do_not() {
        assert!(may_change_names("CREATE DATABASE cli_db_x"));
        assert!(may_change_names(
            "create or replace temp view v as select 1"
        ));
        assert!(may_change_names("use cli_db_x"));
        assert!(may_change_names("ALTER TABLE t RENAME TO u;"));
        assert!(!may_change_names("SELECT * FROM users WHERE created > 1"));
        assert!(!may_change_names("SELECT dropped, user_id FROM t"));
    }

    #[test]
    fn names_are_quoted_unless_plain() {
        assert_eq!(quoted("cli_db_x"), "cli_db_x");
        assert_eq!(quoted("my-db"), "`my-db`");
        assert_eq!(quoted("a`b"), "`a``b`");
        assert_eq!(quoted(""), "``");
    }

    #[test]
    fn statements_are_split_at_semicolons_in_code() {
        assert_eq!(
            split_statements("SELECT 1; SELECT ';' AS s;"),
            vec!["SELECT 1".to_string(), "SELECT ';' AS s".to_string()]
        );
        assert_eq!(split_statements(";;"), Vec::<String>::new());
        assert_eq!(split_statements("SELECT 4 - 3;"), vec!["SELECT 4 - 3"]);
    }
}
