//! Developer tasks for this workspace, run as `cargo xtask <task>`.
//!
//! - `gen-proto [--check] [--update-sums]`: generate the Spark Connect protocol code.
//! - `gen-proto35 [--check]`: the descriptors of Spark 3.5's and the pinned release's protocol.
//! - `gen-function-docs [--remote URL] [--check]`: the functions' docs from Spark's descriptions.
//! - `spark start|stop|status`: the local Spark Connect server the tests and examples use.
//! - `test`: start what the tests need, run every test of the workspace, stop it again.
//! - `quickstart`: show the client working against a real local server.
//! - `package`: package every published crate and check the packages compile on their own.
//! - `compat`: the portable end-to-end tests against older Spark releases and Sail; the matrix.

mod bench;
mod compat;
mod dist;
mod doc_section;
mod gen_function_docs;
mod gen_proto;
mod gen_proto35;
mod package;
mod pyenv;
mod quickstart;
mod side_by_side;
mod spark;
mod test_task;
mod test_tls;

use std::path::PathBuf;
use std::process::ExitCode;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  gen-proto [--check] [--update-sums]   generate crates/spark-connect-proto from the pinned Spark release
  gen-proto35 [--check]                 write proto/spark-3.5/descriptors.binpb (Spark 3.5's protocol, from
                                        its pyspark sdist) and proto/descriptors.binpb (the pinned release's)
  gen-function-docs [--remote sc://HOST:PORT] [--check]
                                        write the generated functions' docs from the pinned Spark's
                                        descriptions (the local `default` server without --remote)
  spark start [--name NAME] [--port N] [--token TOKEN] [--memory SIZE]
                                        start (or reuse) a local Spark Connect server; prints its URL
  spark stop [--name NAME]              stop it
  spark status [--name NAME]            show whether it runs (exit code 0) or not (1)
  test [-- CARGO_TEST_ARGS]             start the test servers, run every test of the workspace, stop them
  quickstart                            run the quickstart example against the local server
  bench [--rows N] [--runs N] [--quick] this client against PySpark's; writes docs/benchmarks.md
        [--only GROUPS] [--peer|--no-peer] [--server-name NAME]
                                        groups: fetch, small-queries, concurrent, upload (with
                                        the Rust peer from bench/peer when protoc is found)
  package                               package every published crate, check the packages compile
  compat [--only ID,...] [--record]     the portable e2e tests against Spark 4.0-4.3 and Sail, one
                                        server at a time; prints the matrix (--record: into
                                        docs/compatibility.md)

Downloads and the unpacked Spark are cached in DBCONNECT_CACHE_DIR (default ~/.cache/dbconnect-rs).
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(task) = args.first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match task.as_str() {
        "gen-proto" => gen_proto::run(rest).map(|()| ExitCode::SUCCESS),
        "gen-proto35" => gen_proto35::run(rest).map(|()| ExitCode::SUCCESS),
        "gen-function-docs" => gen_function_docs::run(rest).map(|()| ExitCode::SUCCESS),
        "spark" => spark::run(rest),
        "test" => test_task::run(rest).map(|()| ExitCode::SUCCESS),
        "quickstart" => quickstart::run(rest).map(|()| ExitCode::SUCCESS),
        "bench" => bench::run(rest).map(|()| ExitCode::SUCCESS),
        "package" => package::run(rest).map(|()| ExitCode::SUCCESS),
        "compat" => compat::run(rest).map(|()| ExitCode::SUCCESS),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown task `{other}`\n{USAGE}").into()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}
