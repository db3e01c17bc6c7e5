//! `dbconnect doctor`, `dbconnect profiles` and `dbconnect completions` as a user runs them.

use std::process::{Command, Output};

fn dbconnect(args: &[&str], home: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dbconnect"))
        .args(args)
        .env("HOME", home)
        .env_remove("SPARK_REMOTE")
        .env_remove("DATABRICKS_HOST")
        .env_remove("DATABRICKS_TOKEN")
        .env_remove("DATABRICKS_CONFIG_PROFILE")
        .env_remove("DATABRICKS_CONFIG_FILE")
        .output()
        .expect("runs the dbconnect binary")
}

fn empty_home(name: &str) -> std::path::PathBuf {
    let home = std::env::temp_dir().join(format!("dbconnect-doctor-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    home
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn doctor_passes_against_the_local_server() {
    let remote = test_support::test_remote();
    let output = dbconnect(&["--remote", &remote, "doctor"], &empty_home("ok"));
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    for line in [
        "[ok]   configuration: connection string from --remote",
        "[ok]   reachability: 127.0.0.1:",
        "[skip] TLS: plain connection",
        "[ok]   server: Spark 4.",
        "[ok]   test query: SELECT 1 returned one row",
        "All checks passed.",
    ] {
        assert!(stdout.contains(line), "{line:?} in:\n{stdout}");
    }
}

#[test]
fn doctor_says_what_failed_and_how_to_fix_it() {
    // A port nothing listens on: reachability fails, later steps are not tried.
    let output = dbconnect(
        &[
            "--remote",
            "sc://127.0.0.1:1/;token=s3cr3t-doctor",
            "doctor",
        ],
        &empty_home("closed"),
    );
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("[FAIL] reachability: 127.0.0.1:1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fix: check the host name and port"),
        "{stdout}"
    );
    assert!(stderr.contains("1 check failed"), "{stderr}");
    assert!(!stdout.contains("s3cr3t-doctor") && !stderr.contains("s3cr3t-doctor"));

    // Nothing configured at all.
    let output = dbconnect(&["doctor"], &empty_home("nothing"));
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("[FAIL] configuration"), "{stdout}");
    assert!(stdout.contains("fix: pass --remote"), "{stdout}");
}

#[test]
fn profiles_is_auth_profiles() {
    let home = empty_home("profiles");
    std::fs::write(
        home.join(".databrickscfg"),
        "[DEFAULT]\nhost = https://127.0.0.1:9\ntoken = dapi-profile-secret\n",
    )
    .unwrap();
    let short = dbconnect(&["profiles"], &home);
    let long = dbconnect(&["auth", "profiles"], &home);
    assert_eq!(short.status.code(), Some(0), "{}", text(&short.stderr));
    assert_eq!(text(&short.stdout), text(&long.stdout));
    assert!(text(&short.stdout).contains("DEFAULT"));
    assert!(!text(&short.stdout).contains("dapi-profile-secret"));
}

#[test]
fn completion_scripts_for_each_shell() {
    let home = empty_home("completions");
    for (shell, marker) in [
        ("bash", "_dbconnect()"),
        ("zsh", "#compdef dbconnect"),
        ("fish", "complete -c dbconnect"),
    ] {
        let output = dbconnect(&["completions", shell], &home);
        let script = text(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shell}: {}",
            text(&output.stderr)
        );
        assert!(script.contains(marker), "{shell}: {script}");
        for command in ["shell", "doctor", "profiles"] {
            assert!(script.contains(command), "{shell} completes {command}");
        }
    }
    let output = dbconnect(&["completions", "tcsh"], &home);
    assert_eq!(output.status.code(), Some(2));
}
