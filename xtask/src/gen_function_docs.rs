//! `cargo xtask gen-function-docs [--remote sc://HOST:PORT] [--check]`: writes the rustdoc of
//! the generated functions of `spark-connect-dataframe` from the pinned Spark's own
//! descriptions of its functions.
//!
//! The function tables (`crates/spark-connect-dataframe/src/functions/*.rs`, the rows of
//! `spark_functions!`) say which functions exist and which arguments they take; the server says
//! what each one does: `SHOW FUNCTIONS` lists Spark's functions and `DESCRIBE FUNCTION EXTENDED`
//! gives a function's usage, arguments, SQL examples with their results, and the release that
//! added it. This task joins the two into `functions/spark_docs.rs`: for each table row a
//! summary (when the row has no hand-written one), Spark's description, and an example that
//! shows Spark's SQL examples as Rust calls, compiled as doctests. The file also keeps Spark's
//! function list, which the crate's tests check the tables against.
//!
//! Talking to the server: the generated tonic client that the readiness probe uses already, and
//! `arrow-ipc` to read the results (one string column each). arrow-ipc and the arrow crates it
//! needs took 80 s of CPU to compile (measured with the workspace's features, zstd and lz4
//! included, so an upper bound), once per target folder. A program of the workspace
//! (`spark-connect-dataframe` collecting rows) would need that crate to build first: the crate
//! whose docs this writes, so a table row that does not compile yet could not get its docs.
//! PySpark from the test venv would need that venv for a Rust-only step.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::time::Duration;

use arrow_array::{Array, LargeStringArray, StringArray};
use spark_connect_proto::spark::connect::{
    ExecutePlanRequest, Plan, Relation, ReleaseSessionRequest, Sql, UserContext,
    execute_plan_response, plan, relation, spark_connect_service_client::SparkConnectServiceClient,
};

use crate::spark::{self, DEFAULT_NAME, StartOptions, StopOnDrop};
use crate::{Result, workspace_root};

const FUNCTIONS_DIR: &str = "crates/spark-connect-dataframe/src/functions";
const OUTPUT: &str = "spark_docs.rs";
/// Examples shown per function; Spark gives up to a dozen.
const MAX_EXAMPLES: usize = 3;
/// Requests in flight at once.
const PARALLEL: usize = 8;

pub fn run(args: &[String]) -> Result<()> {
    let mut check = false;
    let mut remote = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--remote" => {
                let url = args.next().ok_or(
                    "gen-function-docs: `--remote` needs a URL such as sc://127.0.0.1:15002",
                )?;
                remote = Some(url.clone());
            }
            other => {
                return Err(format!(
                    "gen-function-docs: unknown argument `{other}` (expected --check or --remote URL)"
                )
                .into());
            }
        }
    }
    match remote {
        Some(url) => generate(&url, check),
        None => {
            spark::catch_interrupts();
            let server = spark::start(&StartOptions::new(DEFAULT_NAME))?;
            let url = server.url();
            let _stop = StopOnDrop(vec![server]);
            generate(&url, check)
        }
    }
}

/// `--check` against a running server: for `cargo xtask test`.
pub fn check(url: &str) -> Result<()> {
    generate(url, true)
}

fn generate(url: &str, check: bool) -> Result<()> {
    let dir = workspace_root().join(FUNCTIONS_DIR);
    let rows = read_tables(&dir)?;
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for row in &rows {
        wanted.insert(row.spark_name.clone());
        if let Some(with) = &row.with {
            wanted.insert(with.spark_name.clone());
        }
    }
    let spark = fetch(url, &wanted)?;
    let text = render_file(&rows, &spark);
    let path = dir.join(OUTPUT);
    if check {
        let committed = fs::read_to_string(&path).unwrap_or_default();
        if committed != text {
            let line = committed
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| committed.lines().count().min(text.lines().count()))
                + 1;
            return Err(format!(
                "{} is not what Spark {} and the function tables give (first difference at line \
                 {line}); run `cargo xtask gen-function-docs` and commit the result",
                path.display(),
                spark.version
            )
            .into());
        }
        eprintln!(
            "xtask: {} is current ({} functions, Spark {})",
            path.display(),
            rows.len(),
            spark.version
        );
        return Ok(());
    }
    fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    eprintln!(
        "xtask: wrote {} ({} functions, Spark {})",
        path.display(),
        rows.len(),
        spark.version
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The server

/// What the server says: its version, its function list and the descriptions asked for.
struct Spark {
    version: String,
    functions: Vec<String>,
    descriptions: BTreeMap<String, Description>,
}

/// `sc://host:port` (optionally followed by `/;params`, ignored) to the gRPC endpoint.
fn endpoint(url: &str) -> Result<String> {
    let rest = url
        .strip_prefix("sc://")
        .ok_or_else(|| format!("`{url}` is not a Spark Connect URL (expected sc://HOST:PORT)"))?;
    let authority = rest.split(['/', ';']).next().unwrap_or_default();
    match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            Ok(format!("http://{authority}"))
        }
        _ => Err(format!("`{url}` has no HOST:PORT (expected sc://HOST:PORT)").into()),
    }
}

fn fetch(url: &str, wanted: &BTreeSet<String>) -> Result<Spark> {
    let endpoint = endpoint(url)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime: {e}"))?;
    runtime.block_on(async {
        let channel = tonic::transport::Endpoint::from_shared(endpoint)
            .map_err(|e| format!("invalid endpoint for {url}: {e}"))?
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .connect()
            .await
            .map_err(|e| format!("cannot connect to {url}: {e}"))?;
        let client =
            SparkConnectServiceClient::new(channel).max_decoding_message_size(64 * 1024 * 1024);
        let session = uuid::Uuid::new_v4().to_string();
        let version = sql_strings(client.clone(), &session, "SELECT version()")
            .await?
            .into_iter()
            .next()
            .and_then(|v| v.split_whitespace().next().map(str::to_string))
            .unwrap_or_default();
        let mut functions = sql_strings(client.clone(), &session, "SHOW FUNCTIONS").await?;
        functions.sort();
        functions.dedup();
        let names: Vec<String> = wanted
            .iter()
            .filter(|n| functions.binary_search(n).is_ok())
            .cloned()
            .collect();
        let mut tasks = tokio::task::JoinSet::new();
        for part in 0..PARALLEL {
            let names: Vec<String> = names.iter().skip(part).step_by(PARALLEL).cloned().collect();
            // A session each: with one session for all, the requests took 71 s instead of 17 s
            // (the server answered them about one at a time).
            let (client, session) = (client.clone(), uuid::Uuid::new_v4().to_string());
            tasks.spawn(async move {
                let mut found = Vec::new();
                for name in names {
                    let sql = format!("DESCRIBE FUNCTION EXTENDED `{name}`");
                    let rows = sql_strings(client.clone(), &session, &sql).await?;
                    found.push((name, rows));
                }
                release(client, session).await;
                Ok::<_, String>(found)
            });
        }
        let mut descriptions = BTreeMap::new();
        while let Some(done) = tasks.join_next().await {
            let found = done.map_err(|e| format!("a request task failed: {e}"))??;
            for (name, rows) in found {
                descriptions.insert(name, Description::parse(&rows));
            }
        }
        release(client, session).await;
        Ok(Spark {
            version,
            functions,
            descriptions,
        })
    })
}

/// Ends a session on the server rather than leaving it to expire; a failure changes nothing.
async fn release(
    mut client: SparkConnectServiceClient<tonic::transport::Channel>,
    session: String,
) {
    let _ = client
        .release_session(ReleaseSessionRequest {
            session_id: session,
            user_context: Some(UserContext {
                user_id: "xtask".to_string(),
                ..Default::default()
            }),
            client_type: Some("xtask".to_string()),
            ..Default::default()
        })
        .await;
}

/// Runs one SQL query and returns its first column, which must be a string column.
async fn sql_strings(
    mut client: SparkConnectServiceClient<tonic::transport::Channel>,
    session: &str,
    query: &str,
) -> std::result::Result<Vec<String>, String> {
    let request = ExecutePlanRequest {
        session_id: session.to_string(),
        user_context: Some(UserContext {
            user_id: "xtask".to_string(),
            ..Default::default()
        }),
        client_type: Some("xtask".to_string()),
        plan: Some(Plan {
            op_type: Some(plan::OpType::Root(Relation {
                common: None,
                rel_type: Some(relation::RelType::Sql(Sql {
                    query: query.to_string(),
                    ..Default::default()
                })),
            })),
        }),
        ..Default::default()
    };
    let fail = |e: &dyn std::fmt::Display| format!("`{query}` failed: {e}");
    let mut stream = client
        .execute_plan(request)
        .await
        .map_err(|e| fail(&e))?
        .into_inner();
    let mut values = Vec::new();
    while let Some(response) = stream.message().await.map_err(|e| fail(&e))? {
        if let Some(execute_plan_response::ResponseType::ArrowBatch(batch)) = response.response_type
        {
            let reader = arrow_ipc::reader::StreamReader::try_new(Cursor::new(batch.data), None)
                .map_err(|e| fail(&e))?;
            for batch in reader {
                let batch = batch.map_err(|e| fail(&e))?;
                let column = batch.column(0).as_any();
                if let Some(strings) = column.downcast_ref::<StringArray>() {
                    values.extend(strings.iter().map(|s| s.unwrap_or_default().to_string()));
                } else if let Some(strings) = column.downcast_ref::<LargeStringArray>() {
                    values.extend(strings.iter().map(|s| s.unwrap_or_default().to_string()));
                } else {
                    return Err(fail(&format!(
                        "the result is {}, not a string column",
                        batch.column(0).data_type()
                    )));
                }
            }
        }
    }
    Ok(values)
}

// ---------------------------------------------------------------------------------------------
// Spark's description of a function

/// `DESCRIBE FUNCTION EXTENDED`, taken apart.
#[derive(Debug, Default, PartialEq)]
struct Description {
    /// `(signature, text)` per form: `trim(str)` and `trim(BOTH FROM str)` are two forms.
    usage: Vec<(String, String)>,
    /// `(name, text)`; one entry may name several arguments (`expr1, expr3`).
    arguments: Vec<(String, String)>,
    examples: Vec<Example>,
    since: String,
}

#[derive(Debug, PartialEq)]
struct Example {
    sql: String,
    result: Vec<String>,
}

impl Description {
    fn parse(rows: &[String]) -> Description {
        let mut description = Description::default();
        for row in rows {
            if let Some(usage) = row.strip_prefix("Usage:") {
                description.usage = parse_usage(usage);
            } else if let Some(extended) = row.strip_prefix("Extended Usage:") {
                description.parse_extended(extended);
            }
        }
        description
    }

    fn parse_extended(&mut self, text: &str) {
        let mut section = String::new();
        let mut body: Vec<&str> = Vec::new();
        let mut sections: Vec<(String, Vec<&str>)> = Vec::new();
        for line in text.lines() {
            let indent = line.len() - line.trim_start().len();
            let trimmed = line.trim();
            if indent == 4
                && let Some((name, value)) = trimmed.split_once(':')
                && !name.contains(' ')
            {
                sections.push((std::mem::take(&mut section), std::mem::take(&mut body)));
                section = name.to_string();
                if !value.trim().is_empty() {
                    body.push(value.trim());
                }
            } else if !trimmed.is_empty() {
                body.push(line);
            }
        }
        sections.push((section, body));
        for (name, lines) in sections {
            match name.as_str() {
                "Arguments" => self.arguments = parse_arguments(&lines),
                "Examples" => self.examples = parse_examples(&lines),
                "Since" => self.since = lines.join(" ").trim().to_string(),
                _ => {}
            }
        }
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse_usage(text: &str) -> Vec<(String, String)> {
    // Forms are paragraphs, or lines that start with the function's name and a parenthesis
    // (`min_by(x, y) - ...` then `min_by(x, y, k) - ...`).
    let mut chunks: Vec<String> = Vec::new();
    let mut name: Option<String> = None;
    for paragraph in text.split("\n\n") {
        let mut current = String::new();
        for line in paragraph.lines().map(str::trim) {
            let starts_form = name
                .as_deref()
                .is_some_and(|n| line.starts_with(&format!("{n}(")) && line.contains(" - "));
            if starts_form && !current.trim().is_empty() {
                chunks.push(std::mem::take(&mut current));
            }
            current.push_str(line);
            current.push('\n');
            if name.is_none()
                && let Some((signature, _)) = line.split_once(" - ")
                && let Some((n, _)) = signature.split_once('(')
            {
                name = Some(n.trim().to_string());
            }
        }
        chunks.push(current);
    }
    let mut forms: Vec<(String, String)> = Vec::new();
    for paragraph in chunks {
        let paragraph = collapse(&paragraph);
        if paragraph.is_empty() {
            continue;
        }
        match paragraph.split_once(" - ") {
            Some((signature, text)) if !signature.contains(". ") => {
                forms.push((signature.to_string(), text.to_string()));
            }
            _ => match forms.last_mut() {
                Some((_, text)) => {
                    text.push(' ');
                    text.push_str(&paragraph);
                }
                None => forms.push((String::new(), paragraph)),
            },
        }
    }
    forms
}

fn parse_arguments(lines: &[&str]) -> Vec<(String, String)> {
    let mut arguments: Vec<(String, String)> = Vec::new();
    for line in lines {
        let line = line.trim();
        if let Some(item) = line.strip_prefix("* ") {
            let (name, text) = item.split_once(" - ").unwrap_or((item, ""));
            arguments.push((name.trim().to_string(), text.trim().to_string()));
        } else if let Some((_, text)) = arguments.last_mut() {
            text.push(' ');
            text.push_str(line);
        }
    }
    arguments
        .into_iter()
        .map(|(name, text)| (name, collapse(&text)))
        .collect()
}

fn parse_examples(lines: &[&str]) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    let mut in_sql = false;
    for line in lines {
        let trimmed = line.trim();
        if let Some(sql) = trimmed.strip_prefix('>') {
            examples.push(Example {
                sql: sql.trim().to_string(),
                result: Vec::new(),
            });
            in_sql = !sql.trim_end().ends_with(';');
        } else if let Some(example) = examples.last_mut() {
            if in_sql {
                example.sql.push(' ');
                example.sql.push_str(trimmed);
                in_sql = !trimmed.ends_with(';');
            } else {
                example.result.push(line.trim_end().to_string());
            }
        }
    }
    // Results are indented alike (seven or eight spaces); more than the least is the value's.
    let indent = examples
        .iter()
        .flat_map(|e| &e.result)
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    for example in &mut examples {
        for line in &mut example.result {
            *line = line[indent..].to_string();
        }
    }
    examples
}

// ---------------------------------------------------------------------------------------------
// The function tables

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Col,
    Val,
    Cols,
    Opts,
}

#[derive(Debug, Clone)]
struct Param {
    name: String,
    kind: Kind,
}

#[derive(Debug)]
struct With {
    ident: String,
    spark_name: String,
    params: Vec<Param>,
    optional_first: bool,
}

/// One row of a `spark_functions!` table.
#[derive(Debug)]
struct Row {
    /// As written in Rust (`r#struct`).
    ident: String,
    spark_name: String,
    params: Vec<Param>,
    with: Option<With>,
    /// The row's hand-written doc lines, joined.
    doc: String,
}

impl Row {
    /// Whether the row's doc starts with its own summary; placeholder rows start with the link
    /// to Spark's reference and take Spark's usage text as their summary.
    fn has_summary(&self) -> bool {
        !self.doc.trim_start().starts_with("Spark SQL ")
    }
}

fn read_tables(dir: &Path) -> Result<Vec<Row>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    files.sort();
    let mut rows = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let Some(start) = text.find("\nspark_functions! {") else {
            continue;
        };
        // From the macro's opening line, which `parse_table` skips.
        let start = start + 1;
        rows.extend(parse_table(&text[start..]).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    if rows.is_empty() {
        return Err(format!("no `spark_functions!` table in {}", dir.display()).into());
    }
    Ok(rows)
}

fn parse_table(text: &str) -> std::result::Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    let mut doc: Vec<&str> = Vec::new();
    let mut signature = String::new();
    for line in text.lines().skip(1) {
        let line = line.trim();
        if line == "}" && signature.is_empty() {
            break;
        }
        if let Some(text) = line.strip_prefix("///") {
            doc.push(text.strip_prefix(' ').unwrap_or(text));
            continue;
        }
        if line.is_empty() || line.starts_with("//") || line.starts_with("family:") {
            continue;
        }
        signature.push_str(line);
        signature.push(' ');
        if line.ends_with(';') {
            let row = parse_row(signature.trim().trim_end_matches(';'), doc.join("\n"))
                .map_err(|e| format!("row `{}`: {e}", signature.trim()))?;
            rows.push(row);
            signature.clear();
            doc.clear();
        }
    }
    Ok(rows)
}

/// The text from an opening parenthesis at `open` to its match, and what follows it.
fn parenthesized(text: &str, open: usize) -> Option<(&str, &str)> {
    let mut depth = 0;
    let mut quote = None;
    let mut escaped = false;
    for (i, c) in text[open..].char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&text[open + 1..open + i], &text[open + i + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits at commas outside quotes and brackets.
fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0i32;
    let mut quote = None;
    let mut escaped = false;
    for c in text.chars() {
        if let Some(q) = quote {
            current.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() || !parts.is_empty() {
        parts.push(current.trim().to_string());
    }
    parts
}

fn parse_params(text: &str) -> std::result::Result<Vec<Param>, String> {
    split_top_level(text)
        .into_iter()
        .map(|part| {
            let (name, kind) = part
                .split_once(':')
                .ok_or_else(|| format!("argument `{part}` has no kind"))?;
            let kind = kind.split('=').next().unwrap_or_default().trim();
            let kind = match kind {
                "Col" => Kind::Col,
                "Val" => Kind::Val,
                "Cols" => Kind::Cols,
                "Opts" => Kind::Opts,
                other => return Err(format!("unknown argument kind `{other}`")),
            };
            Ok(Param {
                name: name.trim().to_string(),
                kind,
            })
        })
        .collect()
}

/// `=> "name"` at the start of `rest`, and what follows.
fn arrow_name(rest: &str) -> (Option<String>, &str) {
    let rest = rest.trim_start();
    if let Some(after) = rest.strip_prefix("=>") {
        let after = after.trim_start().trim_start_matches('"');
        if let Some((name, tail)) = after.split_once('"') {
            return (Some(name.to_string()), tail);
        }
    }
    (None, rest)
}

fn parse_row(signature: &str, doc: String) -> std::result::Result<Row, String> {
    let open = signature.find('(').ok_or("no argument list")?;
    let head = signature[..open].trim();
    let ident = head.split_whitespace().next().ok_or("no name")?.to_string();
    let valid = |name: &str| {
        let name = name.trim_start_matches("r#");
        !name.is_empty()
            && !name.starts_with(|c: char| c.is_ascii_digit())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if !valid(&ident) {
        return Err(format!("`{ident}` is not a function name"));
    }
    let plain = ident.trim_start_matches("r#").to_string();
    let (args, rest) = parenthesized(signature, open).ok_or("unbalanced parentheses")?;
    let params = parse_params(args)?;
    let (spark_name, rest) = arrow_name(rest);
    let spark_name = spark_name.unwrap_or_else(|| plain.clone());
    let rest = rest.trim();
    let with = match rest.strip_prefix(',') {
        None if rest.is_empty() => None,
        None => return Err(format!("unexpected `{rest}`")),
        Some(with) => {
            let with = with.trim();
            let open = with.find('(').ok_or("no `_with` argument list")?;
            let with_ident = with[..open].trim().to_string();
            let (args, rest) = parenthesized(with, open).ok_or("unbalanced parentheses")?;
            let (with_spark, rest) = arrow_name(rest);
            Some(With {
                ident: with_ident,
                spark_name: with_spark.unwrap_or_else(|| spark_name.clone()),
                params: parse_params(args)?,
                optional_first: rest.trim() == "optional_first",
            })
        }
    };
    Ok(Row {
        ident,
        spark_name,
        params,
        with,
        doc,
    })
}

// ---------------------------------------------------------------------------------------------
// SQL examples as Rust calls

/// One SQL argument, classified.
#[derive(Debug, PartialEq)]
enum Arg {
    Text(String),
    Int(i64),
    Bool(bool),
    /// A column of the example's `FROM` clause.
    Column(String),
    /// Anything else, as SQL.
    Sql(String),
}

/// Keywords that make an argument SQL-only syntax (`trim(BOTH FROM s)`, `cast(x AS int)`).
const KEYWORDS: &[&str] = &[
    "AS", "BOTH", "DISTINCT", "FOR", "FROM", "IN", "LEADING", "PLACING", "TRAILING", "USING",
];

fn sql_string(arg: &str) -> Option<String> {
    let quote = arg.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = arg.strip_prefix(quote)?.strip_suffix(quote)?;
    (!inner.contains(quote) && !inner.contains('\\')).then(|| inner.to_string())
}

fn is_identifier(arg: &str) -> bool {
    let mut chars = arg.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn classify(arg: &str, has_from: bool) -> Option<Arg> {
    if arg == "*" || arg.contains("->") {
        return None;
    }
    let words: Vec<&str> = arg.split_whitespace().collect();
    if sql_string(arg).is_none() && words.iter().any(|w| KEYWORDS.contains(w)) {
        return None;
    }
    Some(if let Some(text) = sql_string(arg) {
        Arg::Text(text)
    } else if let Ok(n) = arg.parse::<i64>() {
        Arg::Int(n)
    } else if arg.eq_ignore_ascii_case("true") || arg.eq_ignore_ascii_case("false") {
        Arg::Bool(arg.eq_ignore_ascii_case("true"))
    } else if has_from && is_identifier(arg) && !arg.eq_ignore_ascii_case("null") {
        Arg::Column(arg.to_string())
    } else {
        Arg::Sql(arg.to_string())
    })
}

fn int_literal(n: i64) -> String {
    if i32::try_from(n).is_ok() {
        n.to_string()
    } else {
        format!("{n}_i64")
    }
}

/// The Rust expression for a `Column` argument.
fn column_arg(arg: &Arg, name_is_column: bool) -> String {
    match arg {
        Arg::Text(s) => format!("lit({s:?})"),
        Arg::Int(n) => format!("lit({})", int_literal(*n)),
        Arg::Bool(b) => format!("lit({b})"),
        Arg::Column(c) if name_is_column => format!("{c:?}"),
        Arg::Column(c) => format!("col({c:?})"),
        Arg::Sql(sql) => format!("expr({sql:?})"),
    }
}

/// The Rust expression for a value argument.
fn value_arg(arg: &Arg) -> String {
    match arg {
        Arg::Text(s) => format!("{s:?}"),
        Arg::Int(n) => int_literal(*n),
        Arg::Bool(b) => b.to_string(),
        Arg::Column(c) => format!("col({c:?})"),
        Arg::Sql(sql) => format!("expr({sql:?})"),
    }
}

/// `map('k', 'v', ...)` of string literals as Rust pairs.
fn options_arg(sql: &str) -> Option<String> {
    let open = sql.find('(')?;
    if !sql[..open].trim().eq_ignore_ascii_case("map") {
        return None;
    }
    let (inside, rest) = parenthesized(sql, open)?;
    if !rest.trim().is_empty() {
        return None;
    }
    let items: Vec<String> = split_top_level(inside)
        .iter()
        .map(|s| sql_string(s))
        .collect::<Option<_>>()?;
    if !items.len().is_multiple_of(2) {
        return None;
    }
    let pairs: Vec<String> = items
        .chunks(2)
        .map(|kv| format!("({:?}, {:?})", kv[0], kv[1]))
        .collect();
    Some(format!("[{}]", pairs.join(", ")))
}

/// Renders `args` (SQL) for `params`, or `None` when the counts do not fit.
fn render_args(params: &[Param], args: &[&str], has_from: bool) -> Option<Vec<String>> {
    let many = params.iter().position(|p| p.kind == Kind::Cols);
    let fixed = params.len() - usize::from(many.is_some());
    if args.len() < fixed || (many.is_none() && args.len() != fixed) {
        return None;
    }
    let mut out = Vec::new();
    let mut next = 0;
    for (i, param) in params.iter().enumerate() {
        let take = if Some(i) == many {
            args.len() - fixed
        } else {
            1
        };
        let these = &args[next..next + take];
        next += take;
        out.push(match param.kind {
            Kind::Col => column_arg(&classify(these[0], has_from)?, true),
            Kind::Val => value_arg(&classify(these[0], has_from)?),
            Kind::Opts => options_arg(these[0])?,
            Kind::Cols => {
                let columns: Vec<String> = these
                    .iter()
                    .map(|a| classify(a, has_from).map(|a| column_arg(&a, false)))
                    .collect::<Option<_>>()?;
                if columns.is_empty() {
                    "Vec::<spark_connect_dataframe::Column>::new()".to_string()
                } else {
                    format!("[{}]", columns.join(", "))
                }
            }
        });
    }
    Some(out)
}

/// Which Rust function an example is for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Form {
    Plain,
    With,
}

/// The Rust call for a SQL example, if the example is one call of this row's function.
fn rust_call(row: &Row, example: &Example) -> Option<(Form, String)> {
    let sql = example.sql.trim().trim_end_matches(';').trim();
    let select = sql.get(..7).filter(|s| s.eq_ignore_ascii_case("SELECT "))?;
    let body = sql[select.len()..].trim();
    let open = body.find('(')?;
    let called = body[..open].trim();
    let (inside, rest) = parenthesized(body, open)?;
    let rest = rest.trim();
    let has_from = rest.len() >= 5 && rest[..5].eq_ignore_ascii_case("FROM ");
    if !rest.is_empty() && !has_from {
        return None;
    }
    let args = split_top_level(inside);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if called.eq_ignore_ascii_case(&row.spark_name)
        && let Some(rendered) = render_args(&row.params, &args, has_from)
    {
        return Some((
            Form::Plain,
            format!("{}({})", row.ident, rendered.join(", ")),
        ));
    }
    let with = row.with.as_ref()?;
    if !called.eq_ignore_ascii_case(&with.spark_name) {
        return None;
    }
    let mut params: Vec<Param> = Vec::new();
    if with.optional_first {
        params.extend(with.params.iter().cloned());
        params.extend(row.params.iter().cloned());
    } else {
        params.extend(row.params.iter().cloned());
        params.extend(with.params.iter().cloned());
    }
    let mut rendered = render_args(&params, &args, has_from)?;
    if with.optional_first {
        rendered.rotate_left(with.params.len());
    }
    Some((
        Form::With,
        format!("{}({})", with.ident, rendered.join(", ")),
    ))
}

/// A call with the parameters' names as column names: `lpad("col", col("len"), col("pad"))`.
fn plain_call(ident: &str, params: &[Param]) -> String {
    let args: Vec<String> = params
        .iter()
        .map(|p| match p.kind {
            Kind::Col => format!("{:?}", p.name),
            Kind::Val => format!("col({:?})", p.name),
            Kind::Cols => format!("[\"{0}1\", \"{0}2\"]", p.name.trim_end_matches('s')),
            Kind::Opts => "[(\"key\", \"value\")]".to_string(),
        })
        .collect();
    format!("{ident}({})", args.join(", "))
}

// ---------------------------------------------------------------------------------------------
// The generated file

/// Escapes Markdown outside code spans, so Spark's `[`, `<` and `*` stay text.
fn markdown(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i > 0 {
            out.push('`');
        }
        if i % 2 == 1 {
            out.push_str(part);
            continue;
        }
        let mut rest = part;
        while let Some(c) = rest.chars().next() {
            // Spark's `<a href="URL">text</a>` as a Markdown link.
            if let Some(link) = rest.strip_prefix("<a href=\"")
                && let Some((url, after)) = link.split_once("\">")
                && let Some((text, after)) = after.split_once("</a>")
            {
                let _ = write!(out, "[{}]({url})", markdown(text.trim()));
                rest = after;
                continue;
            }
            if rest.starts_with("https://") || rest.starts_with("http://") {
                // A bare URL becomes a link, as rustdoc asks.
                let end = rest
                    .find(|c: char| c.is_whitespace() || c == '"')
                    .unwrap_or(rest.len());
                let url = rest[..end].trim_end_matches(['.', ',', ')', ';', ':']);
                let _ = write!(out, "<{url}>");
                rest = &rest[url.len()..];
                continue;
            }
            if matches!(c, '[' | ']' | '<' | '>' | '*' | '\\') {
                out.push('\\');
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// The comment lines for an example: the SQL and what Spark says it returns.
fn example_comment(out: &mut String, example: &Example) {
    let sql = example.sql.trim().trim_end_matches(';');
    match example.result.as_slice() {
        [] => {
            let _ = writeln!(out, "// {sql}");
        }
        [one] => {
            let _ = writeln!(out, "// {sql}  =>  {}", one.trim_end());
        }
        lines => {
            let _ = writeln!(out, "// {sql}  =>");
            for line in lines {
                let _ = writeln!(out, "//   {line}");
            }
        }
    }
}

/// The first sentence of `text` (a period and a space before a capital letter, outside code)
/// and the rest.
fn first_sentence(text: &str) -> (&str, &str) {
    let mut in_code = false;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b'.' if !in_code
                && i >= 20
                && bytes.get(i + 1) == Some(&b' ')
                && bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase) =>
            {
                return (&text[..=i], text[i + 2..].trim());
            }
            _ => {}
        }
    }
    (text, "")
}

struct Docs {
    head: String,
    body: String,
    with: String,
}

fn render_docs(row: &Row, spark: &Spark) -> Docs {
    let description = spark.descriptions.get(&row.spark_name);
    let empty = Description::default();
    let d = description.unwrap_or(&empty);
    let mut head = String::new();
    let mut body = String::new();
    let summary_from_spark = !row.has_summary() && !d.usage.is_empty();
    // The rest of the first form's text, after the sentence that became the summary.
    let mut first_rest = String::new();
    if summary_from_spark {
        let (first, rest) = first_sentence(&d.usage[0].1);
        let mut chars = first.chars();
        let capital: String = chars
            .next()
            .map(|c| c.to_ascii_uppercase())
            .into_iter()
            .collect();
        head = markdown(&(capital + chars.as_str()));
        first_rest = rest.to_string();
    }
    if !d.usage.is_empty() {
        body.push_str("\n# Spark SQL\n\n");
        for (i, (signature, text)) in d.usage.iter().enumerate() {
            let signature = if signature.is_empty() {
                String::new()
            } else {
                code(signature)
            };
            let text = if i == 0 && summary_from_spark {
                first_rest.as_str()
            } else {
                text.as_str()
            };
            if text.is_empty() {
                let _ = writeln!(body, "- {signature}");
            } else if signature.is_empty() {
                let _ = writeln!(body, "- {}", markdown(text));
            } else {
                let _ = writeln!(body, "- {signature}: {}", markdown(text));
            }
        }
        if !d.arguments.is_empty() {
            body.push_str("\nArguments:\n\n");
            for (name, text) in &d.arguments {
                let _ = writeln!(body, "- {}: {}", code(name), markdown(text));
            }
        }
        if !d.since.is_empty() {
            let _ = writeln!(body, "\nSince Spark {}.", d.since);
        }
    }

    // The examples Spark gives, as Rust calls where they map onto the Rust signature.
    let mut plain = Vec::new();
    let mut with = Vec::new();
    let mut sql_only = Vec::new();
    let mut examples: Vec<&Example> = d.examples.iter().collect();
    if let Some(w) = &row.with
        && w.spark_name != row.spark_name
        && let Some(other) = spark.descriptions.get(&w.spark_name)
    {
        examples.extend(other.examples.iter());
    }
    for example in examples {
        match rust_call(row, example) {
            Some((Form::Plain, call)) => plain.push((example, call)),
            Some((Form::With, call)) => with.push((example, call)),
            None => sql_only.push(example),
        }
    }
    let mut code_block = String::new();
    if plain.is_empty() {
        // The function itself, called with column names, before any example of its `_with` form.
        let _ = writeln!(
            code_block,
            "let column = {};",
            plain_call(&row.ident, &row.params)
        );
    }
    for (example, call) in plain.iter().chain(with.iter()).take(MAX_EXAMPLES) {
        example_comment(&mut code_block, example);
        let _ = writeln!(code_block, "let column = {call};");
    }
    body.push_str("\n# Examples\n\n");
    if plain.is_empty() && with.is_empty() && !sql_only.is_empty() {
        body.push_str("In Spark SQL:\n\n```sql\n");
        for example in sql_only.iter().take(MAX_EXAMPLES) {
            let _ = writeln!(body, "{}", example.sql.trim());
            for line in &example.result {
                let _ = writeln!(body, "-- {line}");
            }
        }
        body.push_str("```\n\nIn Rust:\n\n");
    }
    let _ = write!(
        body,
        "```\nuse spark_connect_dataframe::functions::*;\n\n{code_block}# let _ = column;\n```\n"
    );

    let mut with_doc = String::new();
    if let Some(w) = &row.with {
        let mut block = String::new();
        for (example, call) in with.iter().take(MAX_EXAMPLES) {
            example_comment(&mut block, example);
            let _ = writeln!(block, "let column = {call};");
        }
        if block.is_empty() {
            let mut params = row.params.clone();
            params.extend(w.params.iter().cloned());
            let _ = writeln!(block, "let column = {};", plain_call(&w.ident, &params));
        }
        let _ = write!(
            with_doc,
            "\nSpark's description and arguments: [`{}`].\n\n# Examples\n\n```\n\
             use spark_connect_dataframe::functions::*;\n\n{block}# let _ = column;\n```\n",
            row.ident.trim_start_matches("r#")
        );
    }
    Docs {
        head,
        body,
        with: with_doc,
    }
}

/// A raw string literal holding `text`.
fn raw(text: &str) -> String {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

fn render_file(rows: &[Row], spark: &Spark) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Generated by `cargo xtask gen-function-docs` from Spark {}'s descriptions of its\n\
         // functions (DESCRIBE FUNCTION EXTENDED) and the function tables beside this file; do\n\
         // not edit. `cargo xtask gen-function-docs --check` (part of `cargo xtask test`) fails\n\
         // when this file is not current.\n\
         \n\
         //! Spark's own documentation of the generated functions, and Spark's function list.\n",
        spark.version
    );
    let _ = writeln!(
        out,
        "/// The functions of Spark {} (`SHOW FUNCTIONS`), one per line.\n\
         #[cfg(test)]\npub(super) const SPARK_FUNCTIONS: &str = {};\n",
        spark.version,
        raw(&format!("\n{}\n", spark.functions.join("\n")))
    );
    out.push_str(
        "/// The doc of a table row: `head` before the row's own doc lines (Spark's summary when\n\
         /// the row has none), `body` after them, `with` for its `_with` form.\n\
         macro_rules! spark_doc {\n",
    );
    for row in rows {
        let docs = render_docs(row, spark);
        let ident = &row.ident;
        let _ = writeln!(out, "    (head {ident}) => {{ {} }};", raw(&docs.head));
        let _ = writeln!(out, "    (body {ident}) => {{ {} }};", raw(&docs.body));
        if row.with.is_some() {
            let _ = writeln!(out, "    (with {ident}) => {{ {} }};", raw(&docs.with));
        }
    }
    out.push_str("    ($part:ident $name:ident) => { \"\" };\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(signature: &str) -> Row {
        parse_row(signature, "Spark SQL [`x`](u).".to_string()).unwrap()
    }

    fn example(sql: &str) -> Example {
        Example {
            sql: sql.to_string(),
            result: vec!["r".to_string()],
        }
    }

    #[test]
    fn rows_of_the_tables() {
        let r = row(r#"r#struct as "struct"(cols: Cols) => "struct""#);
        assert_eq!(
            (r.ident.as_str(), r.spark_name.as_str()),
            ("r#struct", "struct")
        );
        let r = row(r#"log(arg1: Col) => "ln", log_with(arg2: Col) => "log""#);
        let with = r.with.as_ref().unwrap();
        assert_eq!(
            (r.spark_name.as_str(), with.spark_name.as_str()),
            ("ln", "log")
        );
        let r = row("ltrim(col: Col), ltrim_with(trim: Col) optional_first");
        assert!(r.with.as_ref().unwrap().optional_first);
        let r = row(
            r#"mask(col: Col), mask_with(upper_char: Col = "X", other_char: Col = crate::Literal::null())"#,
        );
        assert_eq!(r.with.as_ref().unwrap().params.len(), 2);
        assert!(parse_row("f(x: Thing)", String::new()).is_err());
    }

    /// The parser reads every row of the real tables, with the names the tables give.
    #[test]
    fn the_real_tables_parse() {
        let rows = read_tables(&workspace_root().join(FUNCTIONS_DIR)).unwrap();
        assert!(rows.len() > 450, "{} rows", rows.len());
        let find = |ident: &str| rows.iter().find(|r| r.ident == ident).unwrap();
        assert_eq!(find("abs").params.len(), 1);
        assert_eq!(find("r#struct").spark_name, "struct");
        assert_eq!(find("log").with.as_ref().unwrap().spark_name, "log");
        assert!(find("trim").with.as_ref().unwrap().optional_first);
        assert!(find("base64").doc.starts_with("Spark SQL "));
        assert!(!find("abs").doc.starts_with("Spark SQL "));
    }

    #[test]
    fn sql_examples_become_rust_calls() {
        let r = row("base64(col: Col)");
        let call = |r: &Row, sql: &str| rust_call(r, &example(sql)).map(|(_, c)| c);
        assert_eq!(
            call(&r, "SELECT base64('Spark SQL');").as_deref(),
            Some(r#"base64(lit("Spark SQL"))"#)
        );
        assert_eq!(
            call(&r, "SELECT base64(x'53');").as_deref(),
            Some(r#"base64(expr("x'53'"))"#)
        );
        let r = row("concat_ws(sep: Val, cols: Cols)");
        assert_eq!(
            call(&r, "SELECT concat_ws(' ', 'Spark', 'SQL');").as_deref(),
            Some(r#"concat_ws(" ", [lit("Spark"), lit("SQL")])"#)
        );
        let r = row("trim(col: Col), trim_with(trim: Col) optional_first");
        assert_eq!(call(&r, "SELECT trim(BOTH FROM 'a');"), None);
        assert_eq!(
            call(&r, "SELECT trim('SL', 'SSparkSQLS');").as_deref(),
            Some(r#"trim_with(lit("SSparkSQLS"), lit("SL"))"#)
        );
        let r = row("count(col: Col)");
        assert_eq!(
            call(&r, "SELECT count(col) FROM VALUES (1) AS tab(col);").as_deref(),
            Some(r#"count("col")"#)
        );
        assert_eq!(call(&r, "SELECT count(*) FROM t;"), None);
        assert_eq!(call(&r, "SELECT count(a) + 1;"), None);
        let r = row("sort_array(col: Col), sort_array_with(asc: Val = true)");
        assert_eq!(
            call(&r, "SELECT sort_array(array('b', 'a'), false);").as_deref(),
            Some(r#"sort_array_with(expr("array('b', 'a')"), false)"#)
        );
    }

    #[test]
    fn descriptions_are_taken_apart() {
        let rows = [
            "Function: base64".to_string(),
            "Usage: base64(bin) - Converts the argument.".to_string(),
            "Extended Usage:\n    Arguments:\n      * bin - The binary value.\n        An \
             expression.\n  \n    Examples:\n      > SELECT base64('Spark SQL');\n       \
             U3BhcmsgU1FM\n      > SELECT 1\n          + 2;\n          3\n  \n    Since: 1.5.0\n"
                .to_string(),
        ];
        let d = Description::parse(&rows);
        assert_eq!(
            d.usage,
            [(
                "base64(bin)".to_string(),
                "Converts the argument.".to_string()
            )]
        );
        assert_eq!(
            d.arguments,
            [(
                "bin".to_string(),
                "The binary value. An expression.".to_string()
            )]
        );
        assert_eq!(d.examples.len(), 2);
        assert_eq!(d.examples[0].result, ["U3BhcmsgU1FM"]);
        assert_eq!(d.examples[1].sql, "SELECT 1 + 2;");
        assert_eq!(d.examples[1].result, ["   3"]);
        assert_eq!(d.since, "1.5.0");
    }

    #[test]
    fn summaries_are_the_first_sentence() {
        assert_eq!(
            first_sentence("Returns the sum of `a. B`. Null is ignored."),
            ("Returns the sum of `a. B`.", "Null is ignored.")
        );
        assert_eq!(
            first_sentence("One sentence only."),
            ("One sentence only.", "")
        );
        assert_eq!(first_sentence("e.g. Something"), ("e.g. Something", ""));
    }

    #[test]
    fn usage_forms_on_following_lines() {
        let usage = "\n    f(x) - One. Two.\n      More.\n    f(x, k) - Three.\n\n    f(*) - Four.";
        assert_eq!(
            parse_usage(usage),
            [
                ("f(x)".to_string(), "One. Two. More.".to_string()),
                ("f(x, k)".to_string(), "Three.".to_string()),
                ("f(*)".to_string(), "Four.".to_string()),
            ]
        );
    }

    #[test]
    fn urls() {
        assert_eq!(
            endpoint("sc://127.0.0.1:15002").unwrap(),
            "http://127.0.0.1:15002"
        );
        assert_eq!(
            endpoint("sc://localhost:1/;x=y").unwrap(),
            "http://localhost:1"
        );
        assert!(endpoint("http://127.0.0.1:1").is_err());
        assert!(endpoint("sc://127.0.0.1").is_err());
    }

    #[test]
    fn markdown_is_escaped_outside_code() {
        assert_eq!(markdown("a [b] `c[d]` <e>"), "a \\[b\\] `c[d]` \\<e\\>");
        assert_eq!(
            markdown("see https://x.org/a_b. Or (http://y)"),
            "see <https://x.org/a_b>. Or (<http://y>)"
        );
        assert_eq!(
            markdown("See <a href=\"https://x.org/p.html#q\">Date [x]</a> for more."),
            "See [Date \\[x\\]](https://x.org/p.html#q) for more."
        );
        assert_eq!(raw("a\"#b"), "r##\"a\"#b\"##");
    }
}
