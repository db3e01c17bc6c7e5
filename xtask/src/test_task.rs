//! `cargo xtask test [-- extra cargo test args]`: builds the tests, starts the servers they need,
//! runs every test of the workspace against them and stops what it started.
//!
//! Three servers: `test` (plain), `test-auth` (requires a bearer token, new for every run) and
//! `test-short-session` (ends sessions idle for [`SHORT_SESSION_TIMEOUT`], as workspaces end idle
//! sessions). Their URLs, the token, the short server's idle limit and the Python of the
//! comparison venv reach the tests as `SPARK_CONNECT_TEST_REMOTE`,
//! `SPARK_CONNECT_TEST_AUTH_REMOTE`, `SPARK_CONNECT_TEST_AUTH_TOKEN`,
//! `SPARK_CONNECT_TEST_SHORT_SESSION_REMOTE`, `SPARK_CONNECT_TEST_SHORT_SESSION_TIMEOUT_MS` and
//! `DBCONNECT_TEST_PYTHON` (read through the `test-support` crate).
//!
//! After the tests, a full run (no packages or test names picked) runs the facade's
//! `pyspark_side_by_side` example and its PySpark twin against the plain server and requires
//! the same output ([`side_by_side`]), and `gen-function-docs --check` against the same server
//! ([`gen_function_docs`]): the committed function docs must be what its Spark says.

use std::ffi::OsString;
use std::process::Command;
use std::time::Duration;

use crate::dist::Pin;
use crate::spark::{self, LOG_TAIL_LINES, ServerDir, StartOptions, StopOnDrop};
use crate::{Result, gen_function_docs, pyenv, side_by_side, test_tls, workspace_root};

pub const PLAIN_SERVER: &str = "test";
pub const AUTH_SERVER: &str = "test-auth";
pub const SHORT_SESSION_SERVER: &str = "test-short-session";

/// The idle time after which `test-short-session` ends a session. Spark counts it from the
/// session's last call, also while a query of the session runs, so it must stay well above
/// the slowest query its tests run (a first query on a cold JVM on a busy 2-core machine took
/// 8 s).
const SHORT_SESSION_TIMEOUT: Duration = Duration::from_secs(15);
/// How often that server looks for idle sessions.
const SHORT_SESSION_CHECK: Duration = Duration::from_secs(1);

pub fn run(args: &[String]) -> Result<()> {
    let args = match args.first() {
        Some(first) if first == "--" => &args[1..],
        _ => args,
    };
    // Before a second `--` the arguments are cargo's, after it the test binaries'.
    let (cargo_args, test_args) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], &args[i..]),
        None => (args, &[][..]),
    };
    let picks_packages = cargo_args.iter().any(|a| {
        a == "--workspace" || a == "--all" || a.starts_with("-p") || a.starts_with("--package")
    });
    let mut cargo_test: Vec<OsString> = vec!["test".into()];
    if !picks_packages {
        cargo_test.push("--workspace".into());
    }
    cargo_test.extend(cargo_args.iter().map(OsString::from));

    // Compile first: on a small machine, compiling next to two starting JVMs slows both.
    let mut build = cargo();
    build.args(&cargo_test).arg("--no-run");
    run_step(build, "building the tests (cargo test --no-run)")?;

    spark::catch_interrupts();
    let pin = Pin::load()?;
    spark::check_java()?;
    let spark_home = spark::ensure_spark_home(&pin)?;

    let (plain_options, auth_options, short_options) = server_options()?;
    let auth_token = auth_options
        .token
        .clone()
        .expect("the auth server always has a token");
    let mut servers = StopOnDrop::default();
    let mut failures: Vec<String> = Vec::new();
    // The JVMs start at once, and the venv is prepared while they do.
    for options in [&plain_options, &auth_options, &short_options] {
        let mut options = options.clone();
        options.program = spark::ServerProgram::Spark(spark_home.clone());
        match spark::launch(&options) {
            Ok(server) => servers.0.push(server),
            Err(e) => failures.push(format!("cannot start server `{}`: {e}", options.name)),
        }
    }
    if let Err(e) = ensure_tmux() {
        failures.push(e.to_string());
    }
    if let Err(e) = ensure_squid() {
        failures.push(e.to_string());
    }
    let python = match pyenv::ensure_venv(&pin) {
        Ok(python) => Some(python),
        Err(e) => {
            failures.push(format!("cannot prepare the Python test environment: {e}"));
            None
        }
    };
    for server in &mut servers.0 {
        let token = server.has_token.then_some(auth_token.as_str());
        if let Err(e) = spark::wait_until_ready(server, token) {
            failures.push(e.to_string());
        }
    }

    if failures.is_empty() && !spark::interrupted() {
        let url_of = |name: &str| {
            servers
                .0
                .iter()
                .find(|s| s.name == name)
                .map(|s| s.url())
                .expect("every server was started")
        };
        let tls = test_tls::generate(&crate::dist::cache_dir()?.join("test-tls"))?;
        let mut test = cargo();
        with_test_thread_stack(&mut test);
        test.args(&cargo_test)
            .args(test_args)
            .env("SPARK_CONNECT_TEST_REMOTE", url_of(PLAIN_SERVER))
            .env("SPARK_CONNECT_TEST_AUTH_REMOTE", url_of(AUTH_SERVER))
            .env("SPARK_CONNECT_TEST_AUTH_TOKEN", &auth_token)
            .env(
                "SPARK_CONNECT_TEST_SHORT_SESSION_REMOTE",
                url_of(SHORT_SESSION_SERVER),
            )
            // A session idle this long has surely ended: the timeout, one check interval and
            // a second to spare.
            .env(
                "SPARK_CONNECT_TEST_SHORT_SESSION_TIMEOUT_MS",
                (SHORT_SESSION_TIMEOUT + SHORT_SESSION_CHECK + Duration::from_secs(1))
                    .as_millis()
                    .to_string(),
            )
            .env(
                "DBCONNECT_TEST_PYTHON",
                python.as_ref().expect("no failure means the venv exists"),
            )
            // The TLS test gateway's certificate; clients trust its CA as they would a private
            // deployment's, through SSL_CERT_FILE (which then replaces the platform's roots).
            .env("SSL_CERT_FILE", &tls.ca_cert)
            .env("DBCONNECT_TEST_TLS_CERT", &tls.server_cert)
            .env("DBCONNECT_TEST_TLS_KEY", &tls.server_key)
            // A token in the caller's environment would make clients send it to the plain server.
            .env_remove("SPARK_CONNECT_AUTHENTICATE_TOKEN");
        if let Err(e) = run_step(test, "cargo test") {
            failures.push(e.to_string());
        }
        // The PySpark side-by-side example, on full runs (not when tests or packages are
        // picked): the Rust program and its Python twin must print the same text.
        if !picks_packages && test_args.is_empty() && !spark::interrupted() {
            let python = python.as_ref().expect("no failure means the venv exists");
            if let Err(e) = side_by_side::run(&url_of(PLAIN_SERVER), python) {
                failures.push(e.to_string());
            }
            // The functions' docs are what the server's Spark says about its functions.
            if let Err(e) = gen_function_docs::check(&url_of(PLAIN_SERVER)) {
                failures.push(e.to_string());
            }
        }
        for server in &mut servers.0 {
            if !server.alive() {
                failures.push(format!(
                    "server `{}` stopped during the tests; last {LOG_TAIL_LINES} lines of {}:\n{}",
                    server.name,
                    server.log.display(),
                    spark::log_tail(&server.log, LOG_TAIL_LINES, Some(&auth_token))
                ));
            }
        }
    }
    if spark::interrupted() && failures.is_empty() {
        failures.push("interrupted".to_string());
    }
    drop(servers);
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n").into())
    }
}

/// The options for the three servers, stopping earlier ones that cannot be reused: a running
/// `test` is reused when it has no token; a running `test-auth` only when the caller gives its
/// token in `SPARK_CONNECT_TEST_AUTH_TOKEN` (the state folder never records the token); a
/// running `test-short-session` when it has the settings below.
fn server_options() -> Result<(StartOptions, StartOptions, StartOptions)> {
    let ports = spark::free_ports(3)?;
    let mut plain = StartOptions::new(PLAIN_SERVER);
    let mut auth = StartOptions::new(AUTH_SERVER);
    // The auth server only answers a few small requests.
    auth.memory = "2g".to_string();
    let given_token = std::env::var("SPARK_CONNECT_TEST_AUTH_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());
    match ServerDir::new(PLAIN_SERVER)?.live()? {
        Some(r) if !r.has_token => {}
        Some(_) => {
            eprintln!(
                "xtask: server `{PLAIN_SERVER}` runs with a bearer token; restarting it without"
            );
            spark::stop(PLAIN_SERVER)?;
            plain.port = Some(ports[0]);
        }
        None => plain.port = Some(ports[0]),
    }
    match (ServerDir::new(AUTH_SERVER)?.live()?, given_token) {
        (Some(r), Some(token)) if r.has_token => auth.token = Some(token),
        (running, _) => {
            if running.is_some() {
                eprintln!(
                    "xtask: server `{AUTH_SERVER}` runs, but its token is not known (set SPARK_CONNECT_TEST_AUTH_TOKEN to reuse it); restarting it"
                );
                spark::stop(AUTH_SERVER)?;
            }
            auth.port = Some(ports[1]);
            auth.token = Some(new_token());
        }
    }
    let mut short = StartOptions::new(SHORT_SESSION_SERVER);
    // It serves a few tiny queries.
    short.memory = "1g".to_string();
    short.confs = vec![
        format!(
            "spark.connect.session.manager.defaultSessionTimeout={}ms",
            SHORT_SESSION_TIMEOUT.as_millis()
        ),
        format!(
            "spark.connect.session.manager.maintenanceInterval={}ms",
            SHORT_SESSION_CHECK.as_millis()
        ),
    ];
    match ServerDir::new(SHORT_SESSION_SERVER)?.live()? {
        Some(r) if !r.has_token && r.confs == short.confs => {}
        Some(_) => {
            eprintln!(
                "xtask: server `{SHORT_SESSION_SERVER}` runs with other settings; restarting it"
            );
            spark::stop(SHORT_SESSION_SERVER)?;
            short.port = Some(ports[2]);
        }
        None => short.port = Some(ports[2]),
    }
    Ok((plain, auth, short))
}

/// 244 random bits from two version-4 UUIDs, as 64 hex digits.
fn new_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The cargo that runs this xtask (cargo sets `CARGO` for what it runs), in the workspace root.
/// Gives the test threads of a `cargo test` 8 MiB of stack, not 2 (unless `RUST_MIN_STACK` is
/// set): in debug builds the futures of the e2e tests that await many calls poll in frames of
/// over 1 MiB, and the call chain under them (retries, tonic, hyper) took the rest: 1.997 MB
/// of 2 MiB measured in `api_reshape::caching_checkpoints_and_grouping_sets` with gdb.
pub fn with_test_thread_stack(command: &mut Command) {
    command.env(
        "RUST_MIN_STACK",
        std::env::var_os("RUST_MIN_STACK").unwrap_or_else(|| "8388608".into()),
    );
}

pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command.current_dir(workspace_root());
    command
}

/// Runs a step, failing with its exit status.
pub fn run_step(mut command: Command, what: &str) -> Result<()> {
    let status = command
        .status()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})").into())
    }
}

/// The shell test drives `dbconnect shell` in a real terminal (tmux).
fn ensure_tmux() -> Result<()> {
    ensure_debian_package(
        "tmux",
        &["-V"],
        "tmux",
        "the terminal test of `dbconnect shell`",
    )
}

/// The proxy tests run a real HTTP proxy, squid (`test_support::squid`).
fn ensure_squid() -> Result<()> {
    ensure_debian_package("squid", &["-v"], "squid", "the HTTP proxy tests")
}

/// Installs `package` with Debian's apt-get when `program` is missing and this runs as root
/// (as on CI machines); otherwise says what to install.
fn ensure_debian_package(
    program: &str,
    version_args: &[&str],
    package: &str,
    needed_for: &str,
) -> Result<()> {
    let present = || {
        Command::new(program)
            .args(version_args)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if present() {
        return Ok(());
    }
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    if root && Command::new("apt-get").arg("--version").output().is_ok() {
        eprintln!("xtask: installing {package} for {needed_for}");
        let started = std::time::Instant::now();
        let update = Command::new("apt-get").args(["update", "-qq"]).status();
        let install = Command::new("apt-get")
            .args(["install", "-y", "-qq", package])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
        if update.is_ok_and(|s| s.success()) && install.is_ok_and(|s| s.success()) && present() {
            eprintln!(
                "xtask: installed {package} in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            return Ok(());
        }
    }
    Err(format!(
        "{package} is needed for {needed_for} and could not be installed: install {package} (Debian: apt-get install {package})"
    )
    .into())
}
