//! `cargo xtask quickstart`: runs the `quickstart` example of `databricks-connect` against the
//! local `default` server, starting that server first when it does not run and stopping it again
//! afterwards in that case.

use crate::Result;
use crate::spark::{self, DEFAULT_NAME, StartOptions, StopOnDrop};
use crate::test_task::{cargo, run_step};

const EXAMPLE: [&str; 5] = [
    "-p",
    "databricks-connect",
    "--example",
    "quickstart",
    "--quiet",
];

pub fn run(args: &[String]) -> Result<()> {
    if let Some(arg) = args.first() {
        return Err(format!("quickstart: unexpected argument `{arg}` (it takes none)").into());
    }
    // Build before starting the server, so that a compile error does not leave a JVM waiting
    // and compiling does not compete with the JVM's start.
    let mut build = cargo();
    build.arg("build").args(EXAMPLE);
    run_step(build, "building the quickstart example")?;

    spark::catch_interrupts();
    let server = spark::start(&StartOptions::new(DEFAULT_NAME))?;
    let url = server.url();
    let _stop = StopOnDrop(vec![server]);
    let mut example = cargo();
    example
        .arg("run")
        .args(EXAMPLE)
        .env("SPARK_REMOTE", &url)
        // The local server takes no token; one in the caller's environment would be sent to it.
        .env_remove("SPARK_CONNECT_AUTHENTICATE_TOKEN");
    run_step(example, "the quickstart example")
}
