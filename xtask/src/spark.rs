//! `cargo xtask spark start|stop|status`: the local Spark Connect server that tests and examples
//! talk to.
//!
//! The server is the Spark inside the pinned `pyspark` source distribution: its `deps/` folder is
//! unpacked once into `<cache>/spark-<version>/` and used as `SPARK_HOME`. Each server has a name
//! and a state folder `<cache>/servers/<name>/` holding `pid`, `port`, `auth` (whether it checks a
//! bearer token; never the token itself), `server.log`, and `work/` (its working folder, where
//! Spark puts `spark-warehouse/` and `metastore_db/`). A server outlives the xtask that started it
//! and is stopped by the pid recorded there, after checking that this pid still is that server.

use std::fs;
use std::io::{self, Write};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use spark_connect_proto::spark::connect::spark_connect_service_client::SparkConnectServiceClient;
use spark_connect_proto::spark::connect::{AnalyzePlanRequest, UserContext, analyze_plan_request};

use crate::Result;
use crate::dist::{self, Pin};

pub const SERVER_CLASS: &str = "org.apache.spark.sql.connect.service.SparkConnectServer";
pub const DEFAULT_NAME: &str = "default";
pub const DEFAULT_PORT: u16 = 15002;
const DEFAULT_MEMORY: &str = "4g";
const READY_TIMEOUT: Duration = Duration::from_secs(180);
const POLL_INTERVAL: Duration = Duration::from_millis(500);
const STOP_GRACE: Duration = Duration::from_secs(20);
pub const LOG_TAIL_LINES: usize = 40;
/// Space for the unpacked Spark (about 470 MB) with room to spare for logs and the warehouse.
const SPARK_HOME_SPACE: u64 = 2 * 1024 * 1024 * 1024;
/// The environment variable the Spark Connect server reads its bearer token from.
const TOKEN_ENV: &str = "SPARK_CONNECT_AUTHENTICATE_TOKEN";

const USAGE: &str = "usage:
  cargo xtask spark start [--name NAME] [--port N] [--token TOKEN] [--memory SIZE] [--conf KEY=VALUE]...
  cargo xtask spark stop [--name NAME]
  cargo xtask spark status [--name NAME]

NAME defaults to `default`, whose port defaults to 15002; other names and `--port 0` get a free
port. `--token` makes the server require `authorization: Bearer TOKEN`. SIZE is the driver
memory (default 4g). Each `--conf` passes a Spark setting to the server (e.g. `--conf
spark.connect.session.manager.defaultSessionTimeout=10s`). `start` prints the server's URL (sc://127.0.0.1:PORT) as its only line on
stdout; `status` exits with 0 when the server runs and 1 when it does not.";

pub fn run(args: &[String]) -> Result<ExitCode> {
    let Some(command) = args.first() else {
        return Err(format!("spark: expected start, stop or status\n{USAGE}").into());
    };
    let rest = &args[1..];
    match command.as_str() {
        "start" => {
            let options = parse_start_args(rest)?;
            // Ctrl-C while waiting stops the server this start launched instead of leaving it.
            catch_interrupts();
            let server = start(&options)?;
            println!("{}", server.url());
            Ok(ExitCode::SUCCESS)
        }
        "stop" => {
            let name = parse_name_only("stop", rest)?;
            stop(&name)?;
            Ok(ExitCode::SUCCESS)
        }
        "status" => {
            let name = parse_name_only("status", rest)?;
            Ok(status(&name)?)
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("spark: unknown command `{other}`\n{USAGE}").into()),
    }
}

/// What `start` was asked for.
#[derive(Clone)]
pub struct StartOptions {
    pub name: String,
    /// `None`: 15002 for `default`, a free port for other names. `Some(0)`: a free port.
    pub port: Option<u16>,
    pub token: Option<String>,
    pub memory: String,
    /// Spark settings, `key=value`, passed as `--conf` after the ones every server gets.
    pub confs: Vec<String>,
    /// Which server program runs.
    pub program: ServerProgram,
}

/// The program a named server runs.
#[derive(Clone, Debug, PartialEq)]
pub enum ServerProgram {
    /// Apache Spark of `proto/spark.pin`, unpacked (and Java checked) when it has to start.
    PinnedSpark,
    /// Apache Spark from this `SPARK_HOME`, prepared by the caller ([`ensure_spark_home`]).
    Spark(PathBuf),
    /// Sail's Spark Connect server: the `sail` command of a venv that has `pysail`.
    /// It takes no memory setting, token or `--conf` settings.
    Sail(PathBuf),
}

impl StartOptions {
    pub fn new(name: &str) -> StartOptions {
        StartOptions {
            name: name.to_string(),
            port: None,
            token: None,
            memory: DEFAULT_MEMORY.to_string(),
            confs: Vec::new(),
            program: ServerProgram::PinnedSpark,
        }
    }
}

/// Splits `--key value` and `--key=value` arguments, for the few options of these commands.
fn parse_flags<'a>(
    command: &str,
    args: &'a [String],
    known: &[&str],
) -> Result<Vec<(String, &'a str)>> {
    let mut out = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (key, inline) = match arg.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k, Some(v)),
            _ => (arg.as_str(), None),
        };
        if !known.contains(&key) {
            return Err(format!(
                "spark {command}: unknown argument `{key}` (expected {})\n{USAGE}",
                known.join(", ")
            )
            .into());
        }
        let value = match inline {
            Some(v) => v,
            None => iter
                .next()
                .map(String::as_str)
                .ok_or_else(|| format!("spark {command}: {key} needs a value"))?,
        };
        out.push((key.to_string(), value));
    }
    Ok(out)
}

fn parse_start_args(args: &[String]) -> Result<StartOptions> {
    let mut options = StartOptions::new(DEFAULT_NAME);
    let known = ["--name", "--port", "--token", "--memory", "--conf"];
    for (key, value) in parse_flags("start", args, &known)? {
        match key.as_str() {
            "--name" => options.name = value.to_string(),
            "--port" => {
                options.port = Some(value.parse::<u16>().map_err(|_| {
                    format!("spark start: --port expects a port number from 0 to 65535 (0: any free port), found `{value}`")
                })?)
            }
            // The value is never echoed: it is a secret.
            "--token" => options.token = Some(value.to_string()),
            "--memory" => options.memory = value.to_string(),
            "--conf" => {
                validate_conf(value)?;
                options.confs.push(value.to_string());
            }
            _ => unreachable!("parse_flags only returns known keys"),
        }
    }
    validate_name(&options.name)?;
    validate_memory(&options.memory)?;
    if let Some(token) = &options.token {
        validate_token(token)?;
    }
    Ok(options)
}

fn parse_name_only(command: &str, args: &[String]) -> Result<String> {
    let mut name = DEFAULT_NAME.to_string();
    for (_, value) in parse_flags(command, args, &["--name"])? {
        name = value.to_string();
    }
    validate_name(&name)?;
    Ok(name)
}

/// Names become folder names, so they are kept to a safe alphabet.
fn validate_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "spark: invalid server name `{name}`: expected 1 to 64 letters, digits, `-`, `_` or `.`, not starting with `.`"
        )
        .into())
    }
}

/// The JVM's size syntax as spark-submit's `--driver-memory` takes it: digits and a unit.
fn validate_memory(memory: &str) -> Result<()> {
    let digits = memory.trim_end_matches(|c: char| "kKmMgGtT".contains(c));
    let unit_len = memory.len() - digits.len();
    let ok = !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && unit_len <= 1
        && digits.parse::<u64>().is_ok_and(|n| n > 0);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "spark start: --memory expects a size such as 4g, 512m or 2048m, found `{memory}`"
        )
        .into())
    }
}

/// A Spark setting as spark-submit's `--conf` takes it: `key=value`, on one line.
fn validate_conf(conf: &str) -> Result<()> {
    let ok = conf
        .split_once('=')
        .is_some_and(|(key, _)| !key.is_empty() && !key.chars().any(char::is_whitespace))
        && !conf.contains(['\n', '\r']);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "spark start: --conf expects KEY=VALUE on one line, e.g. spark.connect.session.manager.defaultSessionTimeout=10s, found `{conf}`"
        )
        .into())
    }
}

/// The token travels in an HTTP/2 header, so it must be visible ASCII without spaces.
fn validate_token(token: &str) -> Result<()> {
    if token.is_empty() || !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            "spark start: --token expects a non-empty value of visible ASCII characters without spaces (the value is not shown)"
                .into(),
        );
    }
    Ok(())
}

/// The state folder of one named server.
pub struct ServerDir {
    pub name: String,
    dir: PathBuf,
}

/// What the state folder records about a started server.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub pid: u32,
    pub port: u16,
    pub has_token: bool,
    /// The `--conf` settings it was started with.
    pub confs: Vec<String>,
}

impl ServerDir {
    pub fn new(name: &str) -> Result<ServerDir> {
        validate_name(name)?;
        Ok(ServerDir {
            name: name.to_string(),
            dir: cache_dir()?.join("servers").join(name),
        })
    }

    pub fn log_path(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    fn work_dir(&self) -> PathBuf {
        self.dir.join("work")
    }

    /// Holds a lock on this server's state until the returned file is dropped, so two xtasks
    /// never start or stop the same server at once.
    fn lock(&self) -> Result<fs::File> {
        dist::lock_file(
            &self.dir.join("lock"),
            &format!("starting or stopping server `{}`", self.name),
        )
    }

    /// The recorded server, if the state folder has one (it may have died since).
    pub fn read(&self) -> Result<Option<Recorded>> {
        let pid_path = self.dir.join("pid");
        let pid = match fs::read_to_string(&pid_path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", pid_path.display()).into()),
        };
        let read = |file: &str| {
            let path = self.dir.join(file);
            fs::read_to_string(&path)
                .map(|s| s.trim().to_string())
                .map_err(|e| format!("cannot read {}: {e}", path.display()))
        };
        let corrupt = |file: &str, value: &str, expected: &str| -> Box<dyn std::error::Error> {
            format!(
                "{}: expected {expected}, found `{value}`; remove the folder {} if no server runs from it",
                self.dir.join(file).display(),
                self.dir.display()
            )
            .into()
        };
        let pid_text = pid.trim();
        let pid = pid_text
            .parse::<u32>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| corrupt("pid", pid_text, "a process id"))?;
        let port_text = read("port")?;
        let port = port_text
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| corrupt("port", &port_text, "a port number"))?;
        let auth = read("auth")?;
        let has_token = match auth.as_str() {
            "token" => true,
            "none" => false,
            other => return Err(corrupt("auth", other, "`token` or `none`")),
        };
        // Servers recorded before `--conf` existed have no such file: no settings.
        let confs = match fs::read_to_string(self.dir.join("conf")) {
            Ok(text) => text.lines().map(str::to_string).collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(format!("cannot read {}: {e}", self.dir.join("conf").display()).into());
            }
        };
        Ok(Some(Recorded {
            pid,
            port,
            has_token,
            confs,
        }))
    }

    /// Records a started server; `pid` is written last, as the sign that the record is complete.
    fn write(&self, recorded: &Recorded) -> Result<()> {
        let auth = if recorded.has_token { "token" } else { "none" };
        dist::write_atomically(
            &self.dir.join("port"),
            format!("{}\n", recorded.port).as_bytes(),
        )?;
        dist::write_atomically(&self.dir.join("auth"), format!("{auth}\n").as_bytes())?;
        let confs: String = recorded.confs.iter().map(|c| format!("{c}\n")).collect();
        dist::write_atomically(&self.dir.join("conf"), confs.as_bytes())?;
        dist::write_atomically(
            &self.dir.join("pid"),
            format!("{}\n", recorded.pid).as_bytes(),
        )?;
        Ok(())
    }

    /// Forgets the server and its working folder (tables it wrote); keeps the log to read later.
    fn clear(&self) -> Result<()> {
        for file in ["pid", "port", "auth", "conf"] {
            let path = self.dir.join(file);
            match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("cannot remove {}: {e}", path.display()).into()),
            }
        }
        let work = self.work_dir();
        if work.exists() {
            fs::remove_dir_all(&work)
                .map_err(|e| format!("cannot remove {}: {e}", work.display()))?;
        }
        Ok(())
    }

    /// The recorded server if its process is still that server.
    pub fn live(&self) -> Result<Option<Recorded>> {
        Ok(self
            .read()?
            .filter(|r| is_spark_server(r.pid, r.port) == Liveness::Running))
    }
}

/// The cache folder as an absolute path: the server runs in a folder of its own, so a relative
/// `DBCONNECT_CACHE_DIR` must not be resolved again from there.
pub fn cache_dir() -> Result<PathBuf> {
    let dir = dist::cache_dir()?;
    std::path::absolute(&dir)
        .map_err(|e| format!("cannot resolve the cache folder {}: {e}", dir.display()).into())
}

pub fn url(port: u16) -> String {
    format!("sc://127.0.0.1:{port}")
}

#[derive(Debug, PartialEq)]
enum Liveness {
    Running,
    /// No such process, a zombie, or a process that is not our server (the pid was reused).
    Gone,
}

/// Whether `pid` is a Spark Connect server bound to `port`. Both must match, so a pid that was
/// reused by another process, or by another of our servers, is never mistaken for this one.
fn is_spark_server(pid: u32, port: u16) -> Liveness {
    let args = match fs::read(format!("/proc/{pid}/cmdline")) {
        Ok(raw) => raw
            .split(|b| *b == 0)
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>(),
        // Without /proc (macOS), ask ps for the arguments.
        Err(_) if !Path::new("/proc/self").exists() => Command::new("ps")
            .args(["-ww", "-o", "args=", "-p", &pid.to_string()])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .split_whitespace()
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    if is_server_command(&args, port) {
        Liveness::Running
    } else {
        Liveness::Gone
    }
}

/// Whether a command line is one [`spawn`] starts for a server on `port`: Spark's
/// spark-submit (which execs java with the same arguments) or Sail's `sail spark server`.
fn is_server_command(args: &[String], port: u16) -> bool {
    let spark_port = format!("spark.connect.grpc.binding.port={port}");
    let spark = args.iter().any(|a| a == SERVER_CLASS) && args.contains(&spark_port);
    let port_text = port.to_string();
    let sail = args.iter().any(|a| a == "sail" || a.ends_with("/sail"))
        && args.windows(2).any(|w| w[0] == "spark" && w[1] == "server")
        && args
            .windows(2)
            .any(|w| w[0] == "--port" && w[1] == port_text);
    spark || sail
}

/// Java 17 or newer, as Spark 4 needs: `$JAVA_HOME/bin/java` when `JAVA_HOME` is set (spark-submit
/// uses that one too), else `java` on the PATH.
pub fn check_java() -> Result<()> {
    const INSTALL: &str = "install Java 17, e.g. Debian: apt-get install openjdk-17-jre-headless";
    let java = match std::env::var_os("JAVA_HOME").filter(|h| !h.is_empty()) {
        Some(home) => PathBuf::from(home).join("bin/java"),
        None => PathBuf::from("java"),
    };
    let output = Command::new(&java).arg("-version").output().map_err(|e| {
        format!(
            "cannot run `{} -version` ({e}): the local Spark server needs Java 17 or newer; {INSTALL}{}",
            java.display(),
            if std::env::var_os("JAVA_HOME").is_some() {
                " (or fix JAVA_HOME)"
            } else {
                ""
            }
        )
    })?;
    // `java -version` writes to stderr; some wrappers print extra lines before the version line.
    let text = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    let major = java_major_version(&text).ok_or_else(|| {
        format!(
            "cannot tell the Java version from `{} -version`, which printed: {}; the local Spark server needs Java 17 or newer: {INSTALL}",
            java.display(),
            text.trim()
        )
    })?;
    if major < 17 {
        return Err(format!(
            "{} is Java {major}, but the local Spark server needs Java 17 or newer: {INSTALL}, and put it first on the PATH or point JAVA_HOME at it",
            java.display()
        )
        .into());
    }
    Ok(())
}

/// The major version from `java -version` output: `"17.0.15"` is 17, `"1.8.0_392"` is 8,
/// `"21-ea"` is 21.
fn java_major_version(text: &str) -> Option<u32> {
    let line = text.lines().find(|l| l.contains(" version \""))?;
    let quoted = line.split('"').nth(1)?;
    let mut parts = quoted.split(|c: char| !c.is_ascii_digit());
    let first: u32 = parts.next()?.parse().ok()?;
    if first == 1 {
        parts.next()?.parse().ok()
    } else {
        Some(first)
    }
}

/// The unpacked Spark of the pinned release, unpacking it on first use.
pub fn ensure_spark_home(pin: &Pin) -> Result<PathBuf> {
    let home = cache_dir()?.join(format!("spark-{}", pin.pyspark_version));
    let complete = |home: &Path| {
        use std::os::unix::fs::PermissionsExt;
        let submit_ok = fs::metadata(home.join("bin/spark-submit"))
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
        let jar = format!("jars/spark-connect_2.13-{}.jar", pin.pyspark_version);
        submit_ok && home.join(jar).is_file()
    };
    if complete(&home) {
        return Ok(home);
    }
    let sdist = dist::ensure_sdist(pin)?;
    let parent = home
        .parent()
        .expect("the Spark folder is inside the cache folder");
    fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    dist::check_free_space_for(parent, SPARK_HOME_SPACE, "the unpacked local Spark")?;
    eprintln!(
        "xtask: unpacking Spark {} into {}",
        pin.pyspark_version,
        home.display()
    );
    let prefix = format!("pyspark-{}/deps/", pin.pyspark_version);
    dist::unpack_tar_prefix(&sdist, &prefix, &home)?;
    if !complete(&home) {
        return Err(format!(
            "{} was unpacked from {} but has no executable bin/spark-submit or no Spark Connect jar",
            home.display(),
            sdist.display()
        )
        .into());
    }
    Ok(home)
}

/// A server that runs (or is being started) under a name.
pub struct Server {
    pub name: String,
    pub pid: u32,
    pub port: u16,
    pub has_token: bool,
    pub log: PathBuf,
    /// Whether this xtask started it (rather than finding it running).
    pub started_here: bool,
    /// The process handle when this xtask spawned it: lets us notice its exit and reap it.
    child: Option<Child>,
}

impl Server {
    pub fn url(&self) -> String {
        url(self.port)
    }

    /// Whether the server process is still running.
    pub fn alive(&mut self) -> bool {
        if let Some(child) = &mut self.child {
            return matches!(child.try_wait(), Ok(None));
        }
        is_spark_server(self.pid, self.port) == Liveness::Running
    }
}

/// `start`: reuses a running server of that name or starts one, and waits until it answers.
pub fn start(options: &StartOptions) -> Result<Server> {
    let mut server = launch(options)?;
    wait_until_ready(&mut server, options.token.as_deref())?;
    Ok(server)
}

/// Reuses a running server of that name or starts one, without waiting for it to answer, so
/// that several can start at once. For [`ServerProgram::PinnedSpark`] this checks Java and
/// unpacks the pinned Spark when a server has to be started; the other programs are prepared
/// by the caller.
pub fn launch(options: &StartOptions) -> Result<Server> {
    let dir = ServerDir::new(&options.name)?;
    let _lock = dir.lock()?;
    if let Some(server) = find_running(&dir, options)? {
        return Ok(server);
    }
    let program = match &options.program {
        ServerProgram::PinnedSpark => {
            check_java()?;
            ServerProgram::Spark(ensure_spark_home(&Pin::load()?)?)
        }
        prepared => prepared.clone(),
    };
    let port = match options.port {
        None if options.name == DEFAULT_NAME => DEFAULT_PORT,
        None | Some(0) => free_ports(1)?[0],
        Some(port) => port,
    };
    spawn(&dir, &program, port, options)
}

/// The running server of that name, if there is one that fits the options.
fn find_running(dir: &ServerDir, options: &StartOptions) -> Result<Option<Server>> {
    let Some(recorded) = dir.read()? else {
        return Ok(None);
    };
    if is_spark_server(recorded.pid, recorded.port) == Liveness::Gone {
        eprintln!(
            "xtask: server `{}` is recorded as pid {} on port {}, but no such server runs; starting a new one",
            dir.name, recorded.pid, recorded.port
        );
        dir.clear()?;
        return Ok(None);
    }
    let stop_hint = format!(
        "stop it first with `cargo xtask spark stop --name {}`",
        dir.name
    );
    if let Some(port) = options.port.filter(|p| *p != 0 && *p != recorded.port) {
        return Err(format!(
            "server `{}` already runs on port {}, not on the requested port {port}: {stop_hint}",
            dir.name, recorded.port
        )
        .into());
    }
    if recorded.confs != options.confs {
        return Err(format!(
            "server `{}` already runs with other --conf settings ({}), not the requested ones ({}): {stop_hint}",
            dir.name,
            describe_confs(&recorded.confs),
            describe_confs(&options.confs)
        )
        .into());
    }
    match (recorded.has_token, options.token.is_some()) {
        (true, false) => {
            return Err(format!(
                "server `{}` already runs and requires a bearer token, but no --token was given: pass its token or {stop_hint}",
                dir.name
            )
            .into());
        }
        (false, true) => {
            return Err(format!(
                "server `{}` already runs without a bearer token, but --token was given: {stop_hint}",
                dir.name
            )
            .into());
        }
        _ => {}
    }
    eprintln!(
        "xtask: server `{}` is already running (pid {}); reusing it",
        dir.name, recorded.pid
    );
    Ok(Some(Server {
        name: dir.name.clone(),
        pid: recorded.pid,
        port: recorded.port,
        has_token: recorded.has_token,
        log: dir.log_path(),
        started_here: false,
        child: None,
    }))
}

fn describe_confs(confs: &[String]) -> String {
    if confs.is_empty() {
        "none".to_string()
    } else {
        confs.join(" ")
    }
}

/// Ports that are free on 127.0.0.1 right now. All are held open until every one is chosen, so
/// one call never returns the same port twice.
pub fn free_ports(count: usize) -> Result<Vec<u16>> {
    let listeners = (0..count)
        .map(|_| TcpListener::bind(("127.0.0.1", 0)))
        .collect::<io::Result<Vec<_>>>()
        .map_err(|e| format!("cannot find a free port on 127.0.0.1: {e}"))?;
    listeners
        .iter()
        .map(|l| {
            l.local_addr()
                .map(|a| a.port())
                .map_err(|e| format!("cannot find a free port on 127.0.0.1: {e}").into())
        })
        .collect()
}

/// Starts the server program (spark-submit, or Sail's `sail`) in its own session, so it outlives
/// this xtask and the terminal's Ctrl-C does not reach it, and records it in the state folder.
fn spawn(
    dir: &ServerDir,
    program: &ServerProgram,
    port: u16,
    options: &StartOptions,
) -> Result<Server> {
    // Spark would move to the next port when this one is taken; fail clearly instead.
    if let Err(e) = TcpListener::bind(("127.0.0.1", port)) {
        return Err(format!(
            "port {port} on 127.0.0.1 is not free ({e}): stop what listens there or choose another with --port (0: any free port)"
        )
        .into());
    }
    let work = dir.work_dir();
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let log_path = dir.log_path();
    let log = fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("cannot open {} twice: {e}", log_path.display()))?;
    let mut command = match program {
        ServerProgram::Spark(spark_home) => spark_command(spark_home, &work, port, options),
        ServerProgram::Sail(sail) => {
            if options.token.is_some() || !options.confs.is_empty() {
                return Err(format!(
                    "server `{}`: a Sail server takes no --token or --conf settings",
                    dir.name
                )
                .into());
            }
            let mut command = Command::new(sail);
            command
                .args(["spark", "server", "--ip", "127.0.0.1", "--port"])
                .arg(port.to_string());
            command
        }
        ServerProgram::PinnedSpark => unreachable!("launch resolves the pinned Spark"),
    };
    let program_path = command.get_program().to_owned();
    command
        // A token in the caller's environment must not turn a plain server into one that checks.
        .env_remove(TOKEN_ENV)
        .current_dir(&work)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    if let Some(token) = &options.token {
        // The server reads the token from this variable when `spark.connect.authenticate.token`
        // is not set. Unlike a `--conf` argument, the environment is not shown by `ps` to other
        // users of the machine.
        command.env(TOKEN_ENV, token);
    }
    // SAFETY: the closure runs in the child between fork and exec and only calls setsid(2),
    // which is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    eprintln!(
        "xtask: starting Spark Connect server `{}` on 127.0.0.1:{port}{} (log: {})",
        dir.name,
        if options.token.is_some() {
            " with a bearer token"
        } else {
            ""
        },
        log_path.display()
    );
    let child = command
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", Path::new(&program_path).display()))?;
    // spark-submit execs java, so this pid becomes the server's.
    let recorded = Recorded {
        pid: child.id(),
        port,
        has_token: options.token.is_some(),
        confs: options.confs.clone(),
    };
    let mut server = Server {
        name: dir.name.clone(),
        pid: recorded.pid,
        port,
        has_token: recorded.has_token,
        log: log_path,
        started_here: true,
        child: Some(child),
    };
    if let Err(e) = dir.write(&recorded) {
        let _ = kill_server(&mut server);
        return Err(e);
    }
    Ok(server)
}

/// spark-submit starting Spark's Connect server from `spark_home`, bound to 127.0.0.1:`port`.
fn spark_command(spark_home: &Path, work: &Path, port: u16, options: &StartOptions) -> Command {
    let mut command = Command::new(spark_home.join("bin/spark-submit"));
    command
        .arg("--class")
        .arg(SERVER_CLASS)
        .arg("--driver-memory")
        .arg(&options.memory)
        .args(["--conf", "spark.connect.grpc.binding.address=127.0.0.1"])
        .arg("--conf")
        .arg(format!("spark.connect.grpc.binding.port={port}"))
        .args(["--conf", "spark.ui.enabled=false"])
        // Reliable checkpoints (`DataFrame::checkpoint`) need a directory, a static setting;
        // the server's work directory is removed when it stops.
        .arg("--conf")
        .arg(format!(
            "spark.checkpoint.dir={}",
            work.join("checkpoints").display()
        ))
        .args(options.confs.iter().flat_map(|c| ["--conf", c.as_str()]))
        .env("SPARK_HOME", spark_home)
        .env("SPARK_LOCAL_IP", "127.0.0.1");
    command
}

/// Set when SIGINT or SIGTERM arrives while [`catch_interrupts`] is in force.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_signal: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// From now on, Ctrl-C and SIGTERM only set a flag, so this xtask can stop the servers it started
/// before it exits. Child processes still get the default handling (a handler does not survive
/// exec), so a Ctrl-C still ends a running `cargo test`.
pub fn catch_interrupts() {
    let handler = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Waits until the server answers an `AnalyzePlan` request over gRPC; the port alone can be open
/// well before the service is. A server that dies or does not answer in time is stopped, and the
/// error carries the end of its log.
pub fn wait_until_ready(server: &mut Server, token: Option<&str>) -> Result<()> {
    match poll_ready(server, token) {
        Ok(version) => {
            eprintln!(
                "xtask: server `{}` (Spark {version}) is ready at {}",
                server.name,
                server.url()
            );
            Ok(())
        }
        // A server found running is left alone, and its log says nothing about this problem.
        Err(problem) if !server.started_here => Err(problem.into()),
        Err(problem) if interrupted() => {
            let _ = stop_server(server);
            Err(problem.into())
        }
        Err(problem) => {
            let _ = kill_server(server);
            if let Ok(dir) = ServerDir::new(&server.name) {
                let _ = dir.clear();
            }
            Err(format!(
                "{problem}\nlast {LOG_TAIL_LINES} lines of {}:\n{}",
                server.log.display(),
                log_tail(&server.log, LOG_TAIL_LINES, token)
            )
            .into())
        }
    }
}

fn poll_ready(server: &mut Server, token: Option<&str>) -> std::result::Result<String, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the tokio runtime for the readiness probe: {e}"))?;
    let deadline = Instant::now() + READY_TIMEOUT;
    let mut last_problem;
    loop {
        if interrupted() {
            return Err(format!(
                "interrupted while waiting for server `{}`",
                server.name
            ));
        }
        if !server.alive() {
            return Err(format!(
                "server `{}` (pid {}) exited before it answered",
                server.name, server.pid
            ));
        }
        match runtime.block_on(probe(server.port, token)) {
            Ok(version) => return Ok(version),
            Err(Probe::Refused(status)) => {
                return Err(format!(
                    "server `{}` at {} refused the readiness probe: {status}",
                    server.name,
                    server.url()
                ));
            }
            Err(Probe::NotYet(problem)) => last_problem = problem,
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "server `{}` did not answer at {} within {} s (last problem: {last_problem})",
                server.name,
                server.url(),
                READY_TIMEOUT.as_secs()
            ));
        }
        std::thread::sleep(POLL_INTERVAL);
    }
}

enum Probe {
    /// Not listening or not serving yet: try again.
    NotYet(String),
    /// The service answered with a refusal that waiting will not change (e.g. a wrong token).
    Refused(String),
}

/// One `AnalyzePlan(SparkVersion)` request on a fresh session.
async fn probe(port: u16, token: Option<&str>) -> std::result::Result<String, Probe> {
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://127.0.0.1:{port}"))
        .map_err(|e| Probe::Refused(format!("invalid endpoint: {e}")))?
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(20));
    let channel = endpoint
        .connect()
        .await
        .map_err(|e| Probe::NotYet(format!("cannot connect: {e}")))?;
    let mut client = SparkConnectServiceClient::new(channel);
    let mut request = tonic::Request::new(AnalyzePlanRequest {
        session_id: uuid::Uuid::new_v4().to_string(),
        user_context: Some(UserContext {
            user_id: "xtask".to_string(),
            ..Default::default()
        }),
        client_type: Some("xtask".to_string()),
        analyze: Some(analyze_plan_request::Analyze::SparkVersion(
            analyze_plan_request::SparkVersion {},
        )),
        ..Default::default()
    });
    if let Some(token) = token {
        let value = format!("Bearer {token}")
            .parse()
            .map_err(|_| Probe::Refused("the token is not a valid header value".to_string()))?;
        request.metadata_mut().insert("authorization", value);
    }
    match client.analyze_plan(request).await {
        Ok(response) => {
            let version = match response.into_inner().result {
                Some(spark_connect_proto::spark::connect::analyze_plan_response::Result::SparkVersion(v)) => v.version,
                _ => "of unknown version".to_string(),
            };
            Ok(version)
        }
        Err(status) => match status.code() {
            tonic::Code::Unauthenticated | tonic::Code::PermissionDenied => Err(Probe::Refused(
                format!("{:?}: {}", status.code(), status.message()),
            )),
            code => Err(Probe::NotYet(format!("{code:?}: {}", status.message()))),
        },
    }
}

/// The last `lines` lines of a log, with the token (if any) masked as a precaution.
pub fn log_tail(path: &Path, lines: usize, token: Option<&str>) -> String {
    let text = match fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => return format!("(cannot read the log: {e})"),
    };
    let all: Vec<&str> = text.lines().collect();
    let mut tail = all[all.len().saturating_sub(lines)..].join("\n");
    if let Some(token) = token {
        tail = tail.replace(token, "<token>");
    }
    tail
}

/// SIGTERM, then SIGKILL after [`STOP_GRACE`]; returns once the process is gone.
fn kill_server(server: &mut Server) -> Result<()> {
    let pid = libc::pid_t::try_from(server.pid)
        .map_err(|_| format!("pid {} is out of range", server.pid))?;
    for (signal, grace) in [
        (libc::SIGTERM, STOP_GRACE),
        (libc::SIGKILL, Duration::from_secs(10)),
    ] {
        if !server.alive() {
            return Ok(());
        }
        // SAFETY: kill(2) with a pid that was checked to be our server just before.
        unsafe { libc::kill(pid, signal) };
        let deadline = Instant::now() + grace;
        while Instant::now() < deadline {
            if !server.alive() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        if signal == libc::SIGTERM {
            eprintln!(
                "xtask: server `{}` (pid {}) did not stop within {} s; killing it",
                server.name,
                server.pid,
                grace.as_secs()
            );
        }
    }
    Err(format!("server `{}` (pid {}) did not stop", server.name, server.pid).into())
}

/// Stops a server this xtask holds (started or reused) and forgets its state.
pub fn stop_server(server: &mut Server) -> Result<()> {
    let dir = ServerDir::new(&server.name)?;
    let _lock = dir.lock()?;
    if server.alive() {
        eprintln!(
            "xtask: stopping server `{}` (pid {})",
            server.name, server.pid
        );
        kill_server(server)?;
    }
    dir.clear()
}

/// The servers a task holds; those it started itself are stopped when this is dropped, also when
/// the task fails half-way.
#[derive(Default)]
pub struct StopOnDrop(pub Vec<Server>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        for server in self.0.iter_mut().filter(|s| s.started_here) {
            if let Err(e) = stop_server(server) {
                eprintln!("xtask: error: cannot stop server `{}`: {e}", server.name);
            }
        }
    }
}

/// `stop`: stops the named server by its recorded pid.
pub fn stop(name: &str) -> Result<()> {
    let dir = ServerDir::new(name)?;
    let _lock = dir.lock()?;
    let Some(recorded) = dir.read()? else {
        eprintln!("xtask: server `{name}` is not running");
        return Ok(());
    };
    if is_spark_server(recorded.pid, recorded.port) == Liveness::Gone {
        eprintln!(
            "xtask: server `{name}` was recorded as pid {} on port {}, but that process is not this server any more; forgetting it",
            recorded.pid, recorded.port
        );
        return dir.clear();
    }
    let mut server = Server {
        name: name.to_string(),
        pid: recorded.pid,
        port: recorded.port,
        has_token: recorded.has_token,
        log: dir.log_path(),
        started_here: false,
        child: None,
    };
    eprintln!("xtask: stopping server `{name}` (pid {})", recorded.pid);
    kill_server(&mut server)?;
    dir.clear()?;
    eprintln!("xtask: server `{name}` stopped");
    Ok(())
}

/// `status`: prints whether the named server runs; exit code 0 when it does, 1 when not.
pub fn status(name: &str) -> Result<ExitCode> {
    let dir = ServerDir::new(name)?;
    let mut out = io::stdout().lock();
    match dir.read()? {
        Some(r) if is_spark_server(r.pid, r.port) == Liveness::Running => {
            writeln!(
                out,
                "server `{name}`: running at {} (pid {}, bearer token: {}, settings: {})\nlog: {}",
                url(r.port),
                r.pid,
                if r.has_token { "required" } else { "none" },
                describe_confs(&r.confs),
                dir.log_path().display()
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Some(r) => {
            writeln!(
                out,
                "server `{name}`: not running (recorded pid {} is no longer this server; `cargo xtask spark stop --name {name}` forgets it)",
                r.pid
            )?;
            Ok(ExitCode::FAILURE)
        }
        None => {
            writeln!(out, "server `{name}`: not running")?;
            Ok(ExitCode::FAILURE)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn start_arguments() {
        let o = parse_start_args(&args(&[])).unwrap();
        assert_eq!(
            (o.name.as_str(), o.port, o.token, o.memory.as_str()),
            ("default", None, None, "4g")
        );
        let o = parse_start_args(&args(&[
            "--name",
            "x",
            "--port=0",
            "--token",
            "abc",
            "--memory",
            "512m",
            "--conf",
            "spark.a=1",
            "--conf=spark.b=x=y",
        ]))
        .unwrap();
        assert_eq!(o.confs, ["spark.a=1", "spark.b=x=y"]);
        assert_eq!(o.name, "x");
        assert_eq!(o.port, Some(0));
        assert_eq!(o.token.as_deref(), Some("abc"));
        assert_eq!(o.memory, "512m");
    }

    #[test]
    fn bad_start_arguments_name_the_input() {
        let cases: &[(&[&str], &str)] = &[
            (&["--port", "99999"], "found `99999`"),
            (&["--port", "x"], "found `x`"),
            (&["--port"], "--port needs a value"),
            (&["--name", "../etc"], "invalid server name `../etc`"),
            (&["--name", ""], "invalid server name ``"),
            (&["--memory", "lots"], "found `lots`"),
            (&["--memory", "4gb"], "found `4gb`"),
            (&["--conf", "novalue"], "--conf expects KEY=VALUE"),
            (&["--conf", "=1"], "--conf expects KEY=VALUE"),
            (&["--conf", "a b=1"], "--conf expects KEY=VALUE"),
            (&["--bogus", "1"], "unknown argument `--bogus`"),
            (&["extra"], "unknown argument `extra`"),
        ];
        for (input, expected) in cases {
            let err = parse_start_args(&args(input)).err().unwrap().to_string();
            assert!(err.contains(expected), "{input:?}: {err}");
        }
    }

    #[test]
    fn a_bad_token_is_refused_without_showing_it() {
        for token in ["", "with space", "tab\there", "naïve"] {
            let err = parse_start_args(&args(&["--token", token]))
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains("--token expects"), "{err}");
            if !token.is_empty() {
                assert!(!err.contains(token), "{err}");
            }
        }
    }

    #[test]
    fn java_versions() {
        let v = |s: &str| java_major_version(s);
        assert_eq!(
            v("openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime Environment"),
            Some(17)
        );
        assert_eq!(v("java version \"1.8.0_392\"\n"), Some(8));
        assert_eq!(
            v("Picked up JAVA_TOOL_OPTIONS: -Xss4m\nopenjdk version \"21-ea\" 2023-09-19"),
            Some(21)
        );
        assert_eq!(v("openjdk version \"11.0.2\""), Some(11));
        assert_eq!(v("no java here"), None);
    }

    #[test]
    fn a_pid_that_is_not_a_spark_server_is_gone() {
        // This test process is no Spark server, whatever port is asked about.
        assert_eq!(is_spark_server(std::process::id(), 15002), Liveness::Gone);
        assert_eq!(is_spark_server(4_194_305, 15002), Liveness::Gone);
    }

    #[test]
    fn server_command_lines_are_recognised_by_program_and_port() {
        let a = |list: &[&str]| args(list);
        let spark = a(&[
            "/usr/bin/java",
            "org.apache.spark.deploy.SparkSubmit",
            "--class",
            SERVER_CLASS,
            "--conf",
            "spark.connect.grpc.binding.port=15002",
        ]);
        assert!(is_server_command(&spark, 15002));
        assert!(!is_server_command(&spark, 15003));
        let sail = a(&[
            "/c/venv-sail-0.7.2/bin/python",
            "/c/venv-sail-0.7.2/bin/sail",
            "spark",
            "server",
            "--ip",
            "127.0.0.1",
            "--port",
            "4000",
        ]);
        assert!(is_server_command(&sail, 4000));
        assert!(!is_server_command(&sail, 40));
        // Another program with the same arguments is not our server.
        let mut other = sail.clone();
        other[1] = "/usr/bin/not-sail-at-all".to_string();
        assert!(!is_server_command(&other, 4000));
    }

    #[test]
    fn free_ports_are_distinct() {
        let ports = free_ports(3).unwrap();
        assert!(ports[0] != ports[1] && ports[1] != ports[2] && ports[0] != ports[2]);
    }

    #[test]
    fn log_tail_keeps_the_last_lines_and_masks_the_token() {
        let path = std::env::temp_dir().join(format!("xtask-tail-{}.log", std::process::id()));
        fs::write(&path, "1\n2 secret\n3\n4 secret\n").unwrap();
        assert_eq!(log_tail(&path, 2, Some("secret")), "3\n4 <token>");
        assert_eq!(log_tail(&path, 10, None), "1\n2 secret\n3\n4 secret");
        fs::remove_file(&path).unwrap();
    }
}
