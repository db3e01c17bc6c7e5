//! `dbconnect auth describe|token|profiles` without a server: a fixture home folder with a
//! `.databrickscfg`, a clean environment (no `databricks` or `az` on PATH), and a loopback OIDC
//! server for OAuth. `auth login` runs a browser flow, tested end to end in databricks-auth.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const PAT: &str = "dapi-sekret-0123456789";

fn home(tag: &str, cfg: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dbconnect-auth-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join(".databrickscfg"), cfg).unwrap();
    d
}

fn dbconnect(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_dbconnect"));
    cmd.args(args)
        .env_clear()
        .env("HOME", home)
        .env("PATH", home.join("no-bin"));
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("runs the dbconnect binary")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// No secret of the fixtures in stdout or stderr (`auth token` prints its token on purpose
/// and does not call this).
fn assert_no_secret(o: &Output) {
    for s in [PAT, "sp-sekret", "m2m-sekret-token"] {
        assert!(!text(&o.stdout).contains(s), "stdout shows {s}");
        assert!(!text(&o.stderr).contains(s), "stderr shows {s}");
    }
}

#[test]
fn describe_text_and_json() {
    let home = home(
        "describe",
        &format!("[dev]\nhost = dbc-1.cloud.databricks.com/\ntoken = {PAT}\ncluster_id = c-1\n"),
    );
    let o = dbconnect(
        &home,
        &["auth", "describe", "--profile", "dev", "--output", "json"],
        &[],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_no_secret(&o);
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["auth_type"], "pat");
    assert_eq!(json["host"], "https://dbc-1.cloud.databricks.com");
    let cfg_path = home.join(".databrickscfg");
    assert_eq!(json["attributes"]["token"]["value"], "***");
    assert_eq!(
        json["attributes"]["token"]["source"],
        format!("config file {} profile dev (line 3)", cfg_path.display())
    );
    assert_eq!(json["attributes"]["profile"]["value"], "dev");
    assert_eq!(json["attributes"]["profile"]["source"], "explicit value");
    assert_eq!(json["attributes"]["cluster_id"]["value"], "c-1");

    // Flags and --attr win over the profile; text output.
    let o = dbconnect(
        &home,
        &[
            "auth",
            "describe",
            "--profile",
            "dev",
            "--host",
            "https://other.cloud.databricks.com",
            "--attr",
            "cluster_id=c-2",
        ],
        &[("DATABRICKS_WAREHOUSE_ID", "w-1")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_no_secret(&o);
    let out = text(&o.stdout);
    assert!(
        out.starts_with("host: https://other.cloud.databricks.com\nauth_type: pat\n"),
        "{out}"
    );
    assert!(out.contains("cluster_id"), "{out}");
    assert!(out.contains("c-2  (explicit value)"), "{out}");
    assert!(
        out.contains("w-1  (environment variable DATABRICKS_WAREHOUSE_ID)"),
        "{out}"
    );
    assert!(out.contains("token"), "{out}");
    assert!(out.contains("***"), "{out}");
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn describe_failures() {
    let home = home("fail", "[dev]\nhost = dbc-1.cloud.databricks.com\n");
    // Nothing applies: the SDKs' text with the suffix, exit 1.
    let o = dbconnect(&home, &["auth", "describe", "--profile", "dev"], &[]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("dbconnect: error: default auth: cannot configure default credentials, please check https://docs.databricks.com/"),
        "{err}"
    );
    assert!(
        err.contains(". Config: host=https://dbc-1.cloud.databricks.com, profile=dev"),
        "{err}"
    );
    assert!(o.stdout.is_empty());

    // A missing profile.
    let o = dbconnect(&home, &["auth", "describe", "--profile", "nope"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr).contains("has no nope profile configured"),
        "{}",
        text(&o.stderr)
    );

    // Conflicting methods, with a secret that must not show.
    let o = dbconnect(
        &home,
        &[
            "auth",
            "describe",
            "--host",
            "h",
            "--token",
            PAT,
            "--attr",
            "username=u",
            "--attr",
            "password=sp-sekret",
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        text(&o.stderr)
            .contains("validate: more than one authorization method configured: basic and pat"),
        "{}",
        text(&o.stderr)
    );
    assert_no_secret(&o);

    // A malformed --attr is a usage error.
    let o = dbconnect(&home, &["auth", "describe", "--attr", "cluster_id"], &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).starts_with("dbconnect: error: --attr \"cluster_id\": expected NAME=VALUE"),
        "{}",
        text(&o.stderr)
    );
    std::fs::remove_dir_all(&home).unwrap();
}

/// A one-thread loopback OIDC server for oauth-m2m: discovery and a token endpoint.
fn oidc_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let b = base.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut len = 0;
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                if h.trim().is_empty() {
                    break;
                }
                if let Some((k, v)) = h.split_once(':')
                    && k.eq_ignore_ascii_case("content-length")
                {
                    len = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let answer = if line.contains("/oidc/.well-known/oauth-authorization-server") {
                format!(
                    r#"{{"authorization_endpoint":"{b}/oidc/v1/authorize","token_endpoint":"{b}/oidc/v1/token"}}"#
                )
            } else if String::from_utf8_lossy(&body).contains("grant_type=client_credentials") {
                r#"{"access_token":"m2m-sekret-token","token_type":"Bearer","expires_in":3600}"#
                    .to_owned()
            } else {
                r#"{"error":"invalid_request"}"#.to_owned()
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    base
}

#[test]
fn token_prints_a_fresh_access_token() {
    let server = oidc_server();
    let home = home(
        "token",
        &format!(
            "[pat]\nhost = dbc-1.cloud.databricks.com\ntoken = {PAT}\n\n[m2m]\nhost = {server}\nclient_id = sp\nclient_secret = sp-sekret\n\n[basic]\nhost = h\nusername = u\npassword = sp-sekret\n"
        ),
    );
    let o = dbconnect(&home, &["auth", "token", "--profile", "pat"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), format!("{PAT}\n"));

    let o = dbconnect(&home, &["auth", "token", "--profile", "m2m"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "m2m-sekret-token\n");

    let o = dbconnect(
        &home,
        &["auth", "token"],
        &[("DATABRICKS_CONFIG_PROFILE", "basic")],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "dbconnect: error: auth type basic gives no bearer access token\n"
    );
    assert_no_secret(&o);
    std::fs::remove_dir_all(&home).unwrap();
}

#[test]
fn profiles_lists_and_checks_each() {
    let home = home(
        "profiles",
        &format!(
            "[__settings__]\ndefault_profile = pat\n\n[pat]\nhost = dbc-1.cloud.databricks.com\ntoken = {PAT}\n\n[nocreds]\nhost = dbc-2.cloud.databricks.com\n\n[conflict]\nhost = h\ntoken = {PAT}\nusername = u\npassword = sp-sekret\n"
        ),
    );
    let o = dbconnect(&home, &["auth", "profiles", "--output", "json"], &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_no_secret(&o);
    let json: Value = serde_json::from_slice(&o.stdout).unwrap();
    let profiles = json["profiles"].as_array().unwrap();
    let names: Vec<&str> = profiles
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["pat", "nocreds", "conflict"]);
    assert_eq!(profiles[0]["valid"], true);
    assert_eq!(profiles[0]["auth_type"], "pat");
    assert_eq!(profiles[0]["host"], "https://dbc-1.cloud.databricks.com");
    assert_eq!(profiles[1]["valid"], false);
    assert_eq!(profiles[1]["error"], "no credentials configured");
    assert_eq!(profiles[2]["valid"], false);
    assert!(
        profiles[2]["error"]
            .as_str()
            .unwrap()
            .contains("more than one authorization method configured")
    );

    let o = dbconnect(&home, &["auth", "profiles"], &[]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    assert!(out.starts_with("NAME "), "{out}");
    assert!(out.lines().nth(1).unwrap().starts_with("pat "), "{out}");
    assert!(out.lines().nth(1).unwrap().contains("YES    pat"), "{out}");
    assert!(
        out.lines()
            .nth(2)
            .unwrap()
            .contains("NO     no credentials configured"),
        "{out}"
    );

    // No file at all.
    std::fs::remove_file(home.join(".databrickscfg")).unwrap();
    let o = dbconnect(&home, &["auth", "profiles"], &[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o.stdout).ends_with(".databrickscfg does not exist\n"));
    std::fs::remove_dir_all(&home).unwrap();
}
