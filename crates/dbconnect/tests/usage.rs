//! The command line without a server: malformed connection strings, usage errors, help.
//!
//! Each malformed connection string must give exit code 2, one `dbconnect: error:` line that
//! quotes the offending part, no panic text, and never the token's value.

use std::process::{Command, Output};

const TOKEN: &str = "tok-9f3c1e77d2";

fn dbconnect(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dbconnect"));
    cmd.args(args)
        .env_remove("SPARK_REMOTE")
        .env_remove("SPARK_CONNECT_AUTHENTICATE_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs the dbconnect binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Checks the common promises and returns stderr.
fn expect_usage_error(output: &Output, input: &str) -> String {
    let stderr = text(&output.stderr);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{input}: exit code\nstderr: {stderr}"
    );
    assert!(
        stdout.is_empty(),
        "{input}: nothing on stdout, got {stdout}"
    );
    assert!(
        stderr.starts_with("dbconnect: error: "),
        "{input}: stderr starts with 'dbconnect: error: ', got {stderr}"
    );
    for forbidden in ["panicked", "RUST_BACKTRACE", TOKEN] {
        assert!(
            !stderr.contains(forbidden),
            "{input}: stderr must not contain {forbidden:?}, got {stderr}"
        );
    }
    stderr
}

/// (connection string, text the error must contain). Every string also carries a token, to
/// check that it is never shown.
fn malformed() -> Vec<(String, &'static str)> {
    let t = format!("token={TOKEN}");
    vec![
        // Another scheme.
        (format!("http://127.0.0.1:15002/;{t}"), "'http://'"),
        (format!("grpc://h/;{t}"), "'grpc://'"),
        // No scheme at all.
        (format!("127.0.0.1:15002/;{t}"), "must start with 'sc://'"),
        // Missing host.
        (format!("sc://;{t}"), "the host is missing"),
        (format!("sc://:15002/;{t}"), "the host is missing"),
        // A path.
        (format!("sc://h:15002/db/;{t}"), "the path '/db/'"),
        (format!("sc://h/x/;{t}"), "the path '/x/'"),
        // A parameter without exactly one '='.
        (format!("sc://h/;{t};use_ssl"), "'use_ssl'"),
        (format!("sc://h/;{t};x-a=1=2"), "'x-a='"),
        (format!("sc://h/;{t}=="), "'token='"),
        // Non-numeric or out-of-range port.
        (format!("sc://h:abc/;{t}"), "'abc'"),
        (format!("sc://h:65536/;{t}"), "65536"),
        (format!("sc://h:0/;{t}"), "port 0"),
        (format!("sc://h:-1/;{t}"), "'-1'"),
        (format!("sc://[::1]:99999/;{t}"), "99999"),
        // Session id that is not a UUID.
        (format!("sc://h/;{t};session_id=abc"), "'abc'"),
        (
            format!("sc://h/;session_id=7d5b0c5e-4b8f-4a1e-9c1d;{t}"),
            "'7d5b0c5e-4b8f-4a1e-9c1d'",
        ),
        // Empty key.
        (format!("sc://h/;{t};=v"), "empty key"),
    ]
}

#[test]
fn malformed_connection_strings_in_remote_are_usage_errors() {
    for (input, expected) in malformed() {
        let output = dbconnect(&["--remote", &input, "sql", "SELECT 1"], &[]);
        let stderr = expect_usage_error(&output, &input);
        assert!(
            stderr.contains(expected),
            "{input}: stderr should contain {expected:?}, got {stderr}"
        );
        assert!(
            stderr.contains("--remote"),
            "{input}: names --remote: {stderr}"
        );
    }
}

#[test]
fn malformed_connection_strings_in_spark_remote_are_usage_errors() {
    for (input, expected) in malformed() {
        let output = dbconnect(&["sql", "SELECT 1"], &[("SPARK_REMOTE", &input)]);
        let stderr = expect_usage_error(&output, &input);
        assert!(
            stderr.contains(expected),
            "{input}: stderr should contain {expected:?}, got {stderr}"
        );
        assert!(
            stderr.contains("SPARK_REMOTE"),
            "{input}: names SPARK_REMOTE: {stderr}"
        );
    }
}

#[test]
fn remote_flag_wins_over_spark_remote() {
    // A malformed SPARK_REMOTE is irrelevant when --remote is given: the error is about --remote.
    let output = dbconnect(
        &["--remote", "sc://h:abc", "sql", "SELECT 1"],
        &[("SPARK_REMOTE", "sc://h:1/path")],
    );
    let stderr = expect_usage_error(&output, "--remote over SPARK_REMOTE");
    assert!(stderr.contains("'abc'"), "{stderr}");
    assert!(!stderr.contains("/path"), "{stderr}");
}

#[test]
fn token_in_a_malformed_url_is_never_shown() {
    // Not the sc:// syntax: a query string after the path. The parser quotes only what comes
    // before the '?', so the token never reaches the message.
    let input = format!("sc://h/x?token={TOKEN}");
    let output = dbconnect(&["--remote", &input, "sql", "SELECT 1"], &[]);
    let stderr = expect_usage_error(&output, &input);
    assert!(!stderr.contains(TOKEN), "{stderr}");
    assert!(
        stderr.contains("unexpected '?' after 'sc://h/x'"),
        "{stderr}"
    );
}

#[test]
fn a_token_from_the_environment_is_never_shown() {
    let output = dbconnect(
        &["--remote", "sc://h:abc", "sql", "SELECT 1"],
        &[("SPARK_CONNECT_AUTHENTICATE_TOKEN", TOKEN)],
    );
    expect_usage_error(&output, "token from the environment");
}

#[test]
fn no_server_given_is_a_usage_error_that_says_what_to_do() {
    let output = dbconnect(&["sql", "SELECT 1"], &[]);
    let stderr = expect_usage_error(&output, "no remote");
    assert!(stderr.contains("--remote"), "{stderr}");
    assert!(stderr.contains("SPARK_REMOTE"), "{stderr}");
}

#[test]
fn usage_errors_exit_2_with_the_program_name() {
    for args in [
        &["sql"][..],
        &["sql", "SELECT 1", "--output", "xml"],
        &["sql", "SELECT 1", "--limit", "-1"],
        &["sql", "SELECT 1", "--limit", "ten"],
        &["query", "SELECT 1"],
    ] {
        let output = dbconnect(args, &[("SPARK_REMOTE", "sc://127.0.0.1:1")]);
        expect_usage_error(&output, &format!("{args:?}"));
    }
    let output = dbconnect(&["sql", "SELECT 1", "--output", "xml"], &[]);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("table, json, csv, arrow"),
        "lists the formats: {stderr}"
    );
}

#[test]
fn no_arguments_show_the_help_as_a_usage_error() {
    let output = dbconnect(&[], &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("Usage: dbconnect"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn help_and_version_go_to_stdout() {
    let output = dbconnect(&["sql", "--help"], &[]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    for word in ["--output", "--limit", "--remote", "arrow", "SPARK_REMOTE"] {
        assert!(stdout.contains(word), "help mentions {word}: {stdout}");
    }
    let output = dbconnect(&["--version"], &[]);
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stdout).starts_with("dbconnect "));
}

#[test]
fn an_unreachable_server_exits_1() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let output = dbconnect(&["--remote", "sc://127.0.0.1:1", "sql", "SELECT 1"], &[]);
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.starts_with("dbconnect: error: cannot reach"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
