//! The side-by-side example of `cargo xtask test`: `pyspark_side_by_side.rs` of the facade and
//! its PySpark twin `pyspark_side_by_side.py` run against the same server, and must print the
//! same text. The Rust program prints rows as PySpark's `repr(row)` does, so equal output means
//! every step computed what its PySpark line computes.

use std::path::Path;
use std::process::{Command, Output};

use crate::Result;
use crate::test_task::cargo;

const EXAMPLE: &str = "pyspark_side_by_side";

/// Runs both programs against `url` (a server without a token) and compares their output.
pub fn run(url: &str, python: &Path) -> Result<()> {
    let mut rust = cargo();
    rust.args([
        "run",
        "--quiet",
        "-p",
        "databricks-connect",
        "--example",
        EXAMPLE,
    ]);
    let rust = output(rust, url, "the Rust example")?;

    let script = crate::workspace_root()
        .join("crates/databricks-connect/examples")
        .join(format!("{EXAMPLE}.py"));
    let mut py = Command::new(python);
    py.arg(&script)
        // PySpark prints a `timestamp` in the Python process's time zone; the programs set the
        // session's to UTC, so the process's must be too for the two to agree.
        .env("TZ", "UTC");
    let py = output(py, url, "the PySpark twin")?;

    if rust == py {
        eprintln!(
            "xtask: {EXAMPLE}: the Rust example and its PySpark twin printed the same {} lines",
            rust.lines().count()
        );
        return Ok(());
    }
    Err(format!(
        "{EXAMPLE}: the Rust example and its PySpark twin printed different text ({});\n\
         --- PySpark ({}):\n{py}\n--- Rust:\n{rust}",
        first_difference(&py, &rust),
        script.display()
    )
    .into())
}

/// Runs a program with `SPARK_REMOTE` set to the server, returning its standard output.
fn output(mut command: Command, url: &str, what: &str) -> Result<String> {
    command
        .env("SPARK_REMOTE", url)
        // The server takes no token; one in the caller's environment would be sent to it.
        .env_remove("SPARK_CONNECT_AUTHENTICATE_TOKEN");
    let Output {
        status,
        stdout,
        stderr,
    } = command
        .output()
        .map_err(|e| format!("{what}: cannot run {:?}: {e}", command.get_program()))?;
    let stdout = String::from_utf8_lossy(&stdout).into_owned();
    if !status.success() {
        return Err(format!(
            "{what} failed ({status});\n--- its output:\n{stdout}\n--- its errors:\n{}",
            String::from_utf8_lossy(&stderr)
        )
        .into());
    }
    Ok(stdout)
}

/// Where two outputs part: the first line that differs, or the one that is longer.
fn first_difference(expected: &str, actual: &str) -> String {
    let mut expected_lines = expected.lines();
    let mut actual_lines = actual.lines();
    for line in 1.. {
        match (expected_lines.next(), actual_lines.next()) {
            (Some(e), Some(a)) if e == a => continue,
            (Some(e), Some(a)) => {
                return format!("line {line}: PySpark `{e}`, Rust `{a}`");
            }
            (Some(e), None) => return format!("line {line}: PySpark `{e}`, Rust ended"),
            (None, Some(a)) => return format!("line {line}: PySpark ended, Rust `{a}`"),
            (None, None) => break,
        }
    }
    "the same lines, different line endings".into()
}

#[cfg(test)]
mod tests {
    use super::first_difference;

    #[test]
    fn names_the_first_line_that_differs() {
        assert_eq!(
            first_difference("a\nb\nc\n", "a\nx\nc\n"),
            "line 2: PySpark `b`, Rust `x`"
        );
        assert_eq!(
            first_difference("a\n", "a\nb\n"),
            "line 2: PySpark ended, Rust `b`"
        );
        assert_eq!(
            first_difference("a\nb", "a"),
            "line 2: PySpark `b`, Rust ended"
        );
        assert_eq!(
            first_difference("a\r\n", "a\n"),
            "the same lines, different line endings"
        );
    }
}
