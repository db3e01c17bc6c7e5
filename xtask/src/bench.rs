//! `cargo xtask bench [--rows N] [--runs N] [--quick] [--only GROUPS] [--peer|--no-peer]`: this
//! client against PySpark's (and, in issue 17's workloads, the Rust peer `apache-spark-connect`
//! built from `bench/peer/`), side by side in one run on the same local server, each scenario a
//! separate process measured from the outside (wall time, user+system CPU and peak RSS from
//! `wait4`). Prints the tables and writes them, with a description of the machine, into
//! docs/benchmarks.md.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::dist::Pin;
use crate::spark::{self, StartOptions, StopOnDrop};
use crate::test_task::{cargo, run_step};
use crate::{Result, doc_section, pyenv, workspace_root};

/// The bench's server's name, unless `--server-name` gives another (the servers of every
/// worktree share one cache, so two benches at once need two names).
const SERVER: &str = "bench";

/// One measured process run.
#[derive(Clone, Copy, Debug)]
struct Run {
    wall: Duration,
    cpu: Duration,
    max_rss_kb: u64,
    /// The round trip of the first request, as the client measured it (`server_ms=`), when
    /// it printed one.
    round_trip: Option<Duration>,
    /// The `create_dataframe` call alone (`upload_ms=`), when the client printed it.
    upload: Option<Duration>,
}

/// The medians of several runs of one client on one scenario.
struct Figure {
    scenario: String,
    client: &'static str,
    rows: u64,
    bytes: u64,
    wall: Duration,
    cpu: Duration,
    max_rss_mb: f64,
    /// The median of the runs' `round_trip`s, when they printed them.
    round_trip: Option<Duration>,
    /// The median of the runs' `upload`s, when they printed them.
    upload: Option<Duration>,
}

/// What a run printed (`rows=N bytes=M`), or why it failed.
type RunResult = std::result::Result<(u64, u64), String>;

/// Runs `command` to completion and measures it; its stdout must hold `rows=N bytes=M`.
fn measure(command: Command, what: &str) -> Result<(Run, u64, u64)> {
    let (run, outcome) = measure_outcome(command, what)?;
    let (rows, bytes) = outcome?;
    Ok((run, rows, bytes))
}

/// Runs `command` to completion and measures it, whether it succeeds or not: the run, and
/// the `rows=N bytes=M` it printed or why it failed. `Err` only when it cannot be run.
fn measure_outcome(mut command: Command, what: &str) -> Result<(Run, RunResult)> {
    use std::io::Read;
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))?;
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut stderr);
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: the pid is our own child, not yet reaped; both pointers are valid for the call.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if pid < 0 {
        return Err(format!("waiting for {what}: {}", std::io::Error::last_os_error()).into());
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    let mut run = Run {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        max_rss_kb: usage.ru_maxrss as u64,
        round_trip: None,
        upload: None,
    };
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        return Ok((
            run,
            Err(format!(
                "{what} failed (status {status}):\n{}",
                stderr.trim()
            )),
        ));
    }
    fn field<T: std::str::FromStr>(stdout: &str, name: &str) -> Option<T> {
        stdout
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
    }
    let (Some(rows), Some(bytes)) = (field(&stdout, "rows"), field(&stdout, "bytes")) else {
        return Ok((
            run,
            Err(format!(
                "{what} printed no `rows=N bytes=M` line: {stdout:?}"
            )),
        ));
    };
    run.round_trip =
        field::<f64>(&stdout, "server_ms").map(|ms| Duration::from_secs_f64(ms / 1000.0));
    run.upload = field::<f64>(&stdout, "upload_ms").map(|ms| Duration::from_secs_f64(ms / 1000.0));
    Ok((run, Ok((rows, bytes))))
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn figure(
    scenario: &str,
    client: &'static str,
    runs: usize,
    expected_rows: u64,
    make: impl Fn() -> Command,
) -> Result<Figure> {
    match interleaved(
        scenario,
        runs,
        expected_rows,
        vec![(client, Ok(make()), true)],
    )?
    .pop()
    {
        Some(Outcome::Measured(figure)) => Ok(figure),
        _ => Err(format!("{client} on {scenario}: no figure").into()),
    }
}

/// The medians of a client's runs on one scenario.
fn summarize(
    scenario: &str,
    client: &'static str,
    measured: &[Run],
    rows: u64,
    bytes: u64,
) -> Figure {
    let mut rss: Vec<u64> = measured.iter().map(|r| r.max_rss_kb).collect();
    rss.sort();
    Figure {
        scenario: scenario.to_string(),
        client,
        rows,
        bytes,
        wall: median(measured.iter().map(|r| r.wall).collect()),
        cpu: median(measured.iter().map(|r| r.cpu).collect()),
        max_rss_mb: rss[rss.len() / 2] as f64 / 1024.0,
        round_trip: measured
            .iter()
            .map(|r| r.round_trip)
            .collect::<Option<Vec<_>>>()
            .map(median),
        upload: measured
            .iter()
            .map(|r| r.upload)
            .collect::<Option<Vec<_>>>()
            .map(median),
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| format!("{:.0} GiB", kb as f64 / 1024.0 / 1024.0))
        .unwrap_or_else(|| "unknown memory".into());
    format!("{cores} cores ({cpu}), {memory}")
}

pub fn run(args: &[String]) -> Result<()> {
    let mut rows: u64 = 10_000_000;
    let mut runs: usize = 3;
    let mut quick = false;
    let mut groups = Groups::all();
    let mut peer = PeerChoice::IfProtoc;
    let mut server_name = SERVER.to_string();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--rows" => {
                rows = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--rows takes a number")?
            }
            "--runs" => {
                runs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--runs takes a positive number")?
            }
            "--quick" => quick = true,
            "--only" => groups = Groups::parse(it.next().ok_or(
                "--only takes a comma-separated list of fetch, small-queries, concurrent, upload",
            )?)?,
            "--peer" => peer = PeerChoice::Required,
            "--server-name" => {
                server_name = it
                    .next()
                    .filter(|n| !n.is_empty() && !n.starts_with('-'))
                    .ok_or("--server-name takes a name")?
                    .clone()
            }
            "--no-peer" => peer = PeerChoice::Skip,
            other => {
                return Err(format!(
                    "bench: unknown argument `{other}` (expected --rows N, --runs N, --quick, --only GROUPS, --peer, --no-peer, --server-name NAME)"
                )
                .into());
            }
        }
    }
    if quick {
        rows = rows.min(1_000_000);
        runs = 1;
    }
    let root = workspace_root();
    let mut build = cargo();
    build.args(["build", "--release", "-p", "bench"]);
    // The CLI is measured only in `fetch` (its first row).
    if groups.fetch {
        build.args(["-p", "dbconnect"]);
    }
    run_step(build, "building the benchmark client in release mode")?;
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let bench_bin = target.join("release/dbconnect-bench");
    let dbconnect_bin = target.join("release/dbconnect");
    // The peer only runs issue 17's workloads.
    let peer_bin = if groups.any_workload() {
        peer_binary(peer, &root, &target)?
    } else {
        Err("not run (no workload of it selected)".to_string())
    };

    let pin = Pin::load()?;
    let python = pyenv::ensure_venv(&pin)?;
    let script = root.join("xtask/bench/pyspark_bench.py");

    spark::catch_interrupts();
    let mut options = StartOptions::new(&server_name);
    options.port = Some(0);
    // 10 M mixed rows need more driver memory than the tests' servers have.
    options.memory = "6g".into();
    let server = spark::start(&options)?;
    let url = server.url();
    let _stop = StopOnDrop(vec![server]);

    let ours = |args: Vec<String>| {
        let bench_bin = bench_bin.clone();
        move || {
            let mut c = Command::new(&bench_bin);
            c.args(&args);
            c
        }
    };
    let pyspark = |args: Vec<String>| {
        let python = python.clone();
        let script = script.clone();
        move || {
            let mut c = Command::new(&python);
            c.arg(&script).args(&args);
            c
        }
    };
    let mixed_sql = |n: u64| -> Result<String> {
        let out = Command::new(&bench_bin)
            .args(["mixed-sql", &n.to_string()])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", bench_bin.display()))?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    };

    if groups.any_workload() {
        let report = workloads(
            &groups,
            quick,
            runs,
            &url,
            &bench_bin,
            &python,
            &script,
            peer_bin.as_deref().map_err(String::as_str),
        )?;
        print!("{report}");
        doc_section::write(&root.join("docs/benchmarks.md"), "bench workloads", &report)?;
    }
    if !groups.fetch {
        return Ok(());
    }

    let mut figures = Vec::new();
    // Warm the server (JIT, caches) so that the first client measured is not penalised.
    let _ = measure(
        ours(vec![
            "collect".into(),
            url.clone(),
            "range".into(),
            "1000000".into(),
        ])(),
        "warm-up",
    );

    let mut sizes = vec![rows.min(1_000_000)];
    if rows > 1_000_000 {
        sizes.push(rows);
    }
    // One unmeasured run per query first, so that no client pays the server's warm-up (code
    // generation, JIT) for the others.
    let warm = |args: Vec<String>| -> Result<()> {
        measure(ours(args)(), "warm-up")?;
        Ok(())
    };
    let queries: Vec<(&str, u64)> = std::iter::once(("range", rows))
        .chain(sizes.iter().map(|&n| ("mixed", n)))
        .collect();
    for (kind, n) in queries {
        let scenario = format!("{kind} {}", human(n));
        let a = |s: &str| vec![s.to_string(), url.clone(), kind.to_string(), n.to_string()];
        warm(a("raw"))?;
        for (client, scenario_arg) in [
            ("raw drain (limit)", "raw"),
            ("dbconnect collect()", "collect"),
            ("dbconnect stream()", "stream"),
            ("dbconnect stream(), current-thread runtime", "stream-ct"),
        ] {
            figures.push(figure(&scenario, client, runs, n, ours(a(scenario_arg)))?);
        }
        // PySpark gets the very same query: the range itself, or the mixed SQL verbatim.
        let pyspark_args = match kind {
            "range" => a("collect"),
            _ => vec!["collect".into(), url.clone(), "sql".into(), mixed_sql(n)?],
        };
        figures.push(figure(
            &scenario,
            "PySpark toArrow()",
            runs,
            n,
            pyspark(pyspark_args),
        )?);
    }
    let replay_bytes;
    // Client only: the largest mixed result, recorded once from the server and replayed to
    // every client by a separate process, so the server's time is out of the figures.
    {
        let replay = ReplayProcess::start(&bench_bin, &url, "mixed", rows)?;
        let scenario = format!("replay mixed {}", human(rows));
        let n = replay.rows;
        // Any query gets the recorded result; `range` is one ExecutePlan for every client.
        let a = |s: &str| {
            vec![
                s.to_string(),
                replay.url.clone(),
                "range".into(),
                n.to_string(),
            ]
        };
        for (client, scenario_arg) in [
            ("raw drain (limit)", "raw"),
            ("dbconnect collect()", "collect"),
            ("dbconnect stream()", "stream"),
            ("dbconnect stream(), current-thread runtime", "stream-ct"),
        ] {
            figures.push(figure(&scenario, client, runs, n, ours(a(scenario_arg)))?);
        }
        figures.push(figure(
            &scenario,
            "PySpark toArrow()",
            runs,
            n,
            pyspark(a("collect")),
        )?);
        replay_bytes = replay.bytes;
    }
    let first = "first row";
    figures.push(figure(
        first,
        "dbconnect-bench",
        runs.max(3),
        1,
        ours(vec!["first-row".into(), url.clone()]),
    )?);
    figures.push(figure(first, "dbconnect CLI", runs.max(3), 1, {
        let dbconnect_bin = dbconnect_bin.clone();
        let url = url.clone();
        move || {
            // The first row of range(1, 10), as the others fetch it: its id is 1, printed by
            // the query itself as the harness's `rows=1` line (a wrong first row fails the run).
            let mut c = Command::new(&dbconnect_bin);
            c.args([
                "--remote",
                &url,
                "sql",
                "SELECT concat('rows=', id, ' bytes=0') AS line FROM range(1, 10) LIMIT 1",
                "--output",
                "csv",
            ]);
            c
        }
    })?);
    figures.push(figure(
        first,
        "PySpark",
        runs.max(3),
        1,
        pyspark(vec!["first-row".into(), url.clone()]),
    )?);

    let plan = Command::new(&bench_bin)
        .arg("plan")
        .output()
        .map_err(|e| format!("cannot run the plan benchmark: {e}"))?;
    let plan = String::from_utf8_lossy(&plan.stdout).trim().to_string();

    let report = report(&figures, &plan, runs, &machine(), replay_bytes);
    print!("{report}");
    doc_section::write(&root.join("docs/benchmarks.md"), "bench", &report)?;
    Ok(())
}

fn human(n: u64) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{} M", n / 1_000_000)
    } else if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{} k", n / 1_000)
    } else {
        n.to_string()
    }
}

/// The first line of both reports: where and how the figures were made.
fn report_header(machine: &str, runs: usize) -> String {
    format!(
        "Machine: {machine}. Median of {runs} runs per figure; every client in the same run against the same local Spark 4.3.0 server.\n\n"
    )
}

fn report(figures: &[Figure], plan: &str, runs: usize, machine: &str, replay_bytes: u64) -> String {
    let mut out = report_header(machine, runs);
    let _ = writeln!(
        out,
        "| scenario | client | wall s | CPU s | peak RSS MB | wall vs PySpark | CPU vs PySpark | wall vs raw drain |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|");
    for f in figures {
        let peer = |client: &str| {
            figures
                .iter()
                .find(|g| g.scenario == f.scenario && g.client.starts_with(client))
        };
        let ratio = |a: Duration, b: Option<Duration>| match b {
            Some(b) if !b.is_zero() => format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64()),
            _ => "–".to_string(),
        };
        let _ = writeln!(
            out,
            "| {} ({} rows, {:.0} MB Arrow) | {} | {:.2} | {:.2} | {:.0} | {} | {} | {} |",
            f.scenario,
            f.rows,
            f.bytes as f64 / 1e6,
            f.client,
            f.wall.as_secs_f64(),
            f.cpu.as_secs_f64(),
            f.max_rss_mb,
            ratio(f.wall, peer("PySpark").map(|p| p.wall)),
            ratio(f.cpu, peer("PySpark").map(|p| p.cpu)),
            ratio(f.wall, peer("raw drain").map(|p| p.wall)),
        );
    }
    let replayed: Vec<&Figure> = figures
        .iter()
        .filter(|f| f.scenario.starts_with("replay"))
        .collect();
    if !replayed.is_empty() && replay_bytes > 0 {
        let gb = replay_bytes as f64 / 1e9;
        let _ = writeln!(
            out,
            "\nClient only, against the replay server ({:.0} MB of Arrow IPC payload per run; wall from process start, so PySpark's interpreter start and imports count):\n",
            replay_bytes as f64 / 1e6
        );
        let _ = writeln!(out, "| client | GB/s | CPU s per GB |");
        let _ = writeln!(out, "|---|---:|---:|");
        for f in replayed {
            let _ = writeln!(
                out,
                "| {} | {:.2} | {:.2} |",
                f.client,
                gb / f.wall.as_secs_f64().max(1e-9),
                f.cpu.as_secs_f64() / gb
            );
        }
    }
    let first = |client: &str| {
        figures
            .iter()
            .find(|f| f.scenario == "first row" && f.client.starts_with(client))
    };
    if let (Some(ours), Some(pyspark)) = (first("dbconnect-bench"), first("PySpark"))
        && let Some(round_trip) = ours.round_trip
    {
        let (rt, wall, py) = (
            round_trip.as_secs_f64(),
            ours.wall.as_secs_f64(),
            pyspark.wall.as_secs_f64(),
        );
        let _ = writeln!(
            out,
            "\nFirst row: of `dbconnect-bench`'s {wall:.3} s, {rt:.3} s is the round trip of its one request (connecting, then the server setting up the new session and running the query; measured inside the process from sending the plan to the first batch), and {:.3} s its own (process start, runtime, plan, decoding, exit). PySpark's {py:.3} s holds the same round trip, so its own share is about {:.3} s: ours is {:.2}× of it. A client that cost nothing would still be at {:.2}× of PySpark's wall.",
            (wall - rt).max(0.0),
            (py - rt).max(0.0),
            (wall - rt).max(0.0) / (py - rt).max(1e-9),
            rt / py,
        );
    }
    let _ = writeln!(
        out,
        "\nPlan building (no server; the release `dbconnect-bench plan`): {plan}"
    );
    out
}

/// A `dbconnect-bench replay-serve` process: records the query from the server once and then
/// serves it until its standard input closes (when this is dropped).
struct ReplayProcess {
    child: std::process::Child,
    url: String,
    rows: u64,
    bytes: u64,
}

impl ReplayProcess {
    fn start(bench_bin: &Path, url: &str, kind: &str, rows: u64) -> Result<ReplayProcess> {
        use std::io::BufRead;
        let mut child = Command::new(bench_bin)
            .args(["replay-serve", url, kind, &rows.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the replay server: {e}"))?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = std::io::BufReader::new(out).read_line(&mut line);
        }
        let field = |name: &str| {
            line.split_whitespace()
                .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                .map(str::to_string)
        };
        let parsed = (|| {
            Some((
                field("url")?,
                field("rows")?.parse().ok()?,
                field("bytes")?.parse().ok()?,
            ))
        })();
        let Some((url, rows, bytes)) = parsed else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the replay server did not start: {line:?}").into());
        };
        eprintln!("xtask: replay server at {url}: {rows} rows, {bytes} bytes of Arrow");
        Ok(ReplayProcess {
            child,
            url,
            rows,
            bytes,
        })
    }
}

impl Drop for ReplayProcess {
    fn drop(&mut self) {
        // Closing its standard input stops it.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

/// Which parts of the bench run (`--only`): `fetch` is the large results, first row and plan
/// building; the others are issue 17's workloads, with the peer beside PySpark.
struct Groups {
    fetch: bool,
    small_queries: bool,
    concurrent: bool,
    upload: bool,
}

impl Groups {
    fn all() -> Groups {
        Groups {
            fetch: true,
            small_queries: true,
            concurrent: true,
            upload: true,
        }
    }

    fn parse(list: &str) -> Result<Groups> {
        let mut groups = Groups {
            fetch: false,
            small_queries: false,
            concurrent: false,
            upload: false,
        };
        for name in list.split(',').map(str::trim) {
            match name {
                "fetch" => groups.fetch = true,
                "small-queries" => groups.small_queries = true,
                "concurrent" => groups.concurrent = true,
                "upload" => groups.upload = true,
                other => {
                    return Err(format!(
                        "--only: unknown group `{other}` (expected a comma-separated list of fetch, small-queries, concurrent, upload)"
                    )
                    .into());
                }
            }
        }
        Ok(groups)
    }

    fn any_workload(&self) -> bool {
        self.small_queries || self.concurrent || self.upload
    }
}

/// Whether the peer (`apache-spark-connect`, built from `bench/peer/`) runs.
#[derive(Clone, Copy, PartialEq, Debug)]
enum PeerChoice {
    /// When `protoc` is found (the default); otherwise skipped, saying so.
    IfProtoc,
    /// `--peer`: a missing `protoc` or a failed build fails the bench.
    Required,
    /// `--no-peer`.
    Skip,
}

/// The protobuf compiler the peer's build script runs: `$PROTOC`, or `protoc` on the `PATH`.
fn find_protoc() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PROTOC") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("protoc"))
        .find(|p| p.is_file())
}

/// The peer's release binary, built from `bench/peer/` (its own `Cargo.lock`, outside the
/// workspace) into `target/peer`; or why it is not there. Never installs anything.
fn peer_binary(
    choice: PeerChoice,
    root: &Path,
    target: &Path,
) -> Result<std::result::Result<PathBuf, String>> {
    if choice == PeerChoice::Skip {
        return Ok(Err("not run (--no-peer)".into()));
    }
    if find_protoc().is_none() {
        let why = "not built: `protoc` not found (the peer's proto crate needs it; on Debian \
                   `apt-get install protobuf-compiler`, or set PROTOC)";
        if choice == PeerChoice::Required {
            return Err(format!("bench --peer: {why}").into());
        }
        eprintln!("xtask: bench: skipping the peer, {why}");
        return Ok(Err(why.into()));
    }
    let peer_target = target.join("peer");
    let mut build = cargo();
    build
        .args(["build", "--release", "--locked", "--manifest-path"])
        .arg(root.join("bench/peer/Cargo.toml"))
        .arg("--target-dir")
        .arg(&peer_target);
    match run_step(build, "building the peer (bench/peer) in release mode") {
        Ok(()) => Ok(Ok(peer_target.join("release/peer-bench"))),
        Err(e) if choice == PeerChoice::IfProtoc => {
            eprintln!("xtask: bench: skipping the peer: {e}");
            Ok(Err(format!("not built: {e}")))
        }
        Err(e) => Err(e),
    }
}

/// One client's result on one workload: its medians, or how it failed.
enum Outcome {
    Measured(Figure),
    /// The client failed on its first failing run (a failure of the client itself, such
    /// as the peer's plan over its message limit): that run's figures and the error.
    Failed {
        client: &'static str,
        run: Run,
        error: String,
    },
    /// Not run, and why.
    NotRun {
        client: &'static str,
        why: String,
    },
}

impl Outcome {
    fn client(&self) -> &'static str {
        match self {
            Outcome::Measured(f) => f.client,
            Outcome::Failed { client, .. } | Outcome::NotRun { client, .. } => client,
        }
    }

    fn figure(&self) -> Option<&Figure> {
        match self {
            Outcome::Measured(f) => Some(f),
            _ => None,
        }
    }
}

/// Runs every client `runs` times, in turns (run 1 of each client, then run 2 of each, ...,
/// each round starting with the next client), so that a server still warming up, or a
/// machine whose load changes, weighs on every client alike. A client marked as required fails the bench when it fails; another one's failure
/// is its result (its later turns are skipped).
fn interleaved(
    scenario: &str,
    runs: usize,
    expected_rows: u64,
    clients: Vec<(&'static str, std::result::Result<Command, String>, bool)>,
) -> Result<Vec<Outcome>> {
    struct Turns {
        client: &'static str,
        command: std::result::Result<Command, String>,
        required: bool,
        measured: Vec<Run>,
        counts: (u64, u64),
        failed: Option<(Run, String)>,
    }
    let mut all: Vec<Turns> = clients
        .into_iter()
        .map(|(client, command, required)| Turns {
            client,
            command,
            required,
            measured: Vec::new(),
            counts: (0, 0),
            failed: None,
        })
        .collect();
    let clients = all.len();
    for i in 0..runs {
        // Each round starts with the next client, so that none always follows the same one
        // (and, say, the server's cleanup after another's upload).
        for k in 0..clients {
            let t = &mut all[(i + k) % clients];
            let Ok(command) = &t.command else { continue };
            if t.failed.is_some() {
                continue;
            }
            // `Command` is not `Clone`: a new one with the same program and arguments.
            let mut fresh = Command::new(command.get_program());
            fresh.args(command.get_args());
            let what = format!("{} on {scenario}", t.client);
            let (run, result) = measure_outcome(fresh, &what)?;
            match result {
                Ok((rows, bytes)) => {
                    if rows != expected_rows {
                        return Err(format!(
                            "{what} fetched {rows} rows, expected {expected_rows}"
                        )
                        .into());
                    }
                    eprintln!(
                        "xtask: bench {scenario:<18} {:<10} run {}: {:.2} s wall, {:.2} s CPU, {} MB",
                        t.client,
                        i + 1,
                        run.wall.as_secs_f64(),
                        run.cpu.as_secs_f64(),
                        run.max_rss_kb / 1024
                    );
                    t.measured.push(run);
                    t.counts = (rows, bytes);
                }
                Err(error) if t.required => return Err(error.into()),
                Err(error) => {
                    eprintln!(
                        "xtask: bench {scenario:<18} {:<10} run {}: failed after {:.2} s: {}",
                        t.client,
                        i + 1,
                        run.wall.as_secs_f64(),
                        last_line(&error)
                    );
                    t.failed = Some((run, error));
                }
            }
        }
    }
    Ok(all
        .into_iter()
        .map(|t| match (t.command, t.failed) {
            (Err(why), _) => Outcome::NotRun {
                client: t.client,
                why,
            },
            (Ok(_), Some((run, error))) => Outcome::Failed {
                client: t.client,
                run,
                error,
            },
            (Ok(_), None) => Outcome::Measured(summarize(
                scenario,
                t.client,
                &t.measured,
                t.counts.0,
                t.counts.1,
            )),
        })
        .collect())
}

/// Issue 17's workloads (many small queries one after the other, concurrent queries on one
/// session, uploads), ours beside PySpark and the peer: the report section.
#[allow(clippy::too_many_arguments)]
fn workloads(
    groups: &Groups,
    quick: bool,
    runs: usize,
    url: &str,
    bench_bin: &Path,
    python: &Path,
    script: &Path,
    peer_bin: std::result::Result<&Path, &str>,
) -> Result<String> {
    let (queries, tasks, each) = if quick { (50, 32, 2) } else { (500, 32, 16) };
    let uploads: Vec<u64> = if quick {
        vec![100_000]
    } else {
        vec![1_000_000, 5_000_000]
    };
    let command = |program: &Path, prefix: Option<&Path>, args: &[String]| {
        let mut c = Command::new(program);
        if let Some(p) = prefix {
            c.arg(p);
        }
        c.args(args);
        c
    };
    // Warm the server (code generation, JIT) so no client pays it for the others.
    // The server's small-query path keeps getting faster over its first few hundred queries.
    let warm = if quick { "20" } else { "300" };
    for args in [
        vec!["seq-sql".to_string(), url.into(), warm.into()],
        vec!["seq-range".to_string(), url.into(), warm.into()],
        vec!["upload".to_string(), url.into(), "100000".into()],
    ] {
        measure(command(bench_bin, None, &args), "warm-up")?;
    }
    // Each case: its name, the rows every client must fetch, and each client's arguments
    // (`Err`: the client has no such call, and why).
    struct Case {
        name: String,
        expected: u64,
        ours: Vec<String>,
        pyspark: std::result::Result<Vec<String>, &'static str>,
        peer: Vec<String>,
    }
    let same = |name: String, expected: u64, args: Vec<String>| Case {
        name,
        expected,
        ours: args.clone(),
        pyspark: Ok(args.clone()),
        peer: args,
    };
    let mut cases: Vec<Case> = Vec::new();
    if groups.small_queries {
        cases.push(same(
            format!("{queries} × sql(\"SELECT …\").collect()"),
            queries,
            vec!["seq-sql".into(), url.into(), queries.to_string()],
        ));
        // The peer's `sql()` is lazy (one request a query, errors at the action): it is
        // compared with `sql_deferred`, the same call here; PySpark has none.
        cases.push(Case {
            name: format!("{queries} × lazy sql(\"SELECT …\").collect(): our sql_deferred"),
            expected: queries,
            ours: vec!["seq-sql-deferred".into(), url.into(), queries.to_string()],
            pyspark: Err("no lazy sql() in PySpark"),
            peer: vec!["seq-sql".into(), url.into(), queries.to_string()],
        });
        cases.push(same(
            format!("{queries} × range(i, i+1).collect()"),
            queries,
            vec!["seq-range".into(), url.into(), queries.to_string()],
        ));
    }
    if groups.concurrent {
        cases.push(same(
            format!("{tasks} concurrent × {each} sql(\"SELECT …\").collect(), one session"),
            tasks * each,
            vec![
                "concurrent".into(),
                url.into(),
                tasks.to_string(),
                each.to_string(),
            ],
        ));
    }
    if groups.upload {
        for &n in &uploads {
            cases.push(same(
                format!("create_dataframe {} rows × 4 cols, count, sums", human(n)),
                n,
                vec!["upload".into(), url.into(), n.to_string()],
            ));
        }
    }
    let mut results: Vec<(String, Vec<Outcome>)> = Vec::new();
    for case in cases {
        let scenario = case.name;
        // Each client: how to run it, whether its failure fails the bench (ours and
        // PySpark's), or why it is not run.
        let mut clients: Vec<(&'static str, std::result::Result<Command, String>, bool)> =
            vec![("dbconnect", Ok(command(bench_bin, None, &case.ours)), true)];
        clients.push((
            "PySpark",
            case.pyspark
                .as_ref()
                .map(|args| command(python, Some(script), args))
                .map_err(|why| why.to_string()),
            true,
        ));
        clients.push((
            "peer",
            peer_bin
                .map(|bin| command(bin, None, &case.peer))
                .map_err(str::to_string),
            false,
        ));
        let outcomes = interleaved(&scenario, runs, case.expected, clients)?;
        results.push((scenario, outcomes));
    }
    Ok(workloads_report(&results, runs, &machine()))
}

fn workloads_report(results: &[(String, Vec<Outcome>)], runs: usize, machine: &str) -> String {
    let mut out = report_header(machine, runs);
    let _ = writeln!(
        out,
        "| workload | client | wall s | CPU s | peak RSS MB | wall vs PySpark | CPU vs PySpark | wall vs peer | CPU vs peer |"
    );
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let ratio = |a: Duration, b: Option<Duration>| match b {
        Some(b) if !b.is_zero() => format!("{:.2}×", a.as_secs_f64() / b.as_secs_f64()),
        _ => "–".to_string(),
    };
    for (scenario, outcomes) in results {
        let other = |client: &str| {
            outcomes
                .iter()
                .find(|o| o.client() == client)
                .and_then(Outcome::figure)
        };
        for o in outcomes {
            match o {
                Outcome::Measured(f) => {
                    let _ = writeln!(
                        out,
                        "| {scenario} | {} | {:.2} | {:.2} | {:.0} | {} | {} | {} | {} |",
                        f.client,
                        f.wall.as_secs_f64(),
                        f.cpu.as_secs_f64(),
                        f.max_rss_mb,
                        ratio(f.wall, other("PySpark").map(|p| p.wall)),
                        ratio(f.cpu, other("PySpark").map(|p| p.cpu)),
                        ratio(f.wall, other("peer").map(|p| p.wall)),
                        ratio(f.cpu, other("peer").map(|p| p.cpu)),
                    );
                }
                Outcome::Failed { client, run, error } => {
                    let _ = writeln!(
                        out,
                        "| {scenario} | {client} | fails after {:.2} | {:.2} | {} | {} | | | |",
                        run.wall.as_secs_f64(),
                        run.cpu.as_secs_f64(),
                        run.max_rss_kb / 1024,
                        table_cell(&last_line(error)),
                    );
                }
                Outcome::NotRun { client, why } => {
                    let _ = writeln!(
                        out,
                        "| {scenario} | {client} | – | – | – | {} | | | |",
                        table_cell(why)
                    );
                }
            }
        }
    }
    // The upload phase alone: the `create_dataframe` call, where the clients printed it.
    let phases: Vec<(&String, &Figure, Option<&Figure>)> = results
        .iter()
        .filter_map(|(scenario, outcomes)| {
            let find = |client: &str| {
                outcomes
                    .iter()
                    .filter_map(Outcome::figure)
                    .find(|f| f.client == client && f.upload.is_some())
            };
            Some((scenario, find("dbconnect")?, find("PySpark")))
        })
        .collect();
    if !phases.is_empty() {
        let _ = writeln!(
            out,
            "\nThe upload phase alone (the `create_dataframe` / `createDataFrame` call, as each \
             client timed it; medians; the peer sends its data only with the first action):\n"
        );
        let _ = writeln!(out, "| workload | dbconnect s | PySpark s | vs PySpark |");
        let _ = writeln!(out, "|---|---:|---:|---:|");
        for (scenario, ours, pyspark) in phases {
            let ours_s = ours.upload.unwrap_or_default();
            let theirs = pyspark.and_then(|p| p.upload);
            let _ = writeln!(
                out,
                "| {scenario} | {:.2} | {} | {} |",
                ours_s.as_secs_f64(),
                theirs.map_or("–".into(), |t| format!("{:.2}", t.as_secs_f64())),
                ratio(ours_s, theirs),
            );
        }
    }
    out
}

/// The last non-empty line of an error (a failed process's last words), at most 200 chars.
fn last_line(error: &str) -> String {
    let line = error
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(error)
        .trim();
    line.chars().take(200).collect()
}

/// Text that stays inside one Markdown table cell.
fn table_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_takes_known_groups() {
        let g = Groups::parse("small-queries, upload").unwrap();
        assert!(!g.fetch && g.small_queries && !g.concurrent && g.upload);
        assert!(g.any_workload());
        assert!(!Groups::parse("fetch").unwrap().any_workload());
        let err = Groups::parse("fetch,uploads").err().unwrap().to_string();
        assert!(err.contains("`uploads`"), "{err}");
    }

    fn figure(client: &'static str, wall: f64, cpu: f64) -> Outcome {
        Outcome::Measured(Figure {
            scenario: "w".into(),
            client,
            rows: 1,
            bytes: 0,
            wall: Duration::from_secs_f64(wall),
            cpu: Duration::from_secs_f64(cpu),
            max_rss_mb: 10.0,
            round_trip: None,
            upload: None,
        })
    }

    #[test]
    fn the_upload_phase_is_its_own_table_with_the_ratio_to_pyspark() {
        let with_upload = |client: &'static str, wall: f64, upload: Option<f64>| {
            let Outcome::Measured(mut f) = figure(client, wall, 1.0) else {
                unreachable!()
            };
            f.upload = upload.map(Duration::from_secs_f64);
            Outcome::Measured(f)
        };
        let results = vec![
            (
                "upload 1 M".to_string(),
                vec![
                    with_upload("dbconnect", 9.0, Some(1.5)),
                    with_upload("PySpark", 12.0, Some(3.0)),
                    figure("peer", 20.0, 2.0),
                ],
            ),
            (
                "seq".to_string(),
                vec![figure("dbconnect", 1.0, 0.1), figure("PySpark", 2.0, 1.0)],
            ),
        ];
        let report = workloads_report(&results, 3, "m");
        assert!(
            report.contains("| upload 1 M | 1.50 | 3.00 | 0.50× |"),
            "{report}"
        );
        assert!(!report.contains("| seq | 0"), "{report}");
    }

    #[test]
    fn a_failing_peer_is_its_row_and_the_others_have_no_peer_ratio() {
        let run = Run {
            wall: Duration::from_secs(3),
            cpu: Duration::from_secs(1),
            max_rss_kb: 2048,
            round_trip: None,
            upload: None,
        };
        let results = vec![(
            "upload".to_string(),
            vec![
                figure("dbconnect", 2.0, 0.5),
                figure("PySpark", 4.0, 2.0),
                Outcome::Failed {
                    client: "peer",
                    run,
                    error: "peer on upload failed:\nstatus: a | b\n".into(),
                },
            ],
        )];
        let report = workloads_report(&results, 3, "m");
        assert!(
            report.contains("| upload | dbconnect | 2.00 | 0.50 | 10 | 0.50× | 0.25× | – | – |"),
            "{report}"
        );
        // No client printed its upload phase: no phase table.
        assert!(!report.contains("upload phase"), "{report}");
        assert!(
            report.contains(
                "| upload | peer | fails after 3.00 | 1.00 | 2 | status: a \\| b | | | |"
            ),
            "{report}"
        );
    }
}
