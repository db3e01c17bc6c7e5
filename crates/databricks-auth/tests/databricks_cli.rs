//! databricks-cli with fake `databricks` executables put first on PATH.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use databricks_auth::{AuthErrorKind, resolve};
use databricks_config::{Config, Environment};

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dbauth-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes a shell script named `databricks`, padded past 1 MiB unless `legacy`.
fn fake_cli(dir: &Path, body: &str, legacy: bool) {
    let mut script = format!("#!/bin/sh\n{body}\nexit 0\n");
    if !legacy {
        script.push_str(&format!("# {}\n", "x".repeat(1024 * 1024)));
    }
    let path = dir.join("databricks");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

const OK_BODY: &str = r#"echo "$@" > "$ARGS_FILE"
printf '{"access_token":"cli-token","token_type":"Bearer","expiry":"2999-01-01T00:00:00.123456789Z"}'"#;

fn cfg(dir: &Path, profile: Option<&str>) -> Config {
    let env = [
        ("PATH", dir.to_str().unwrap().to_owned()),
        ("ARGS_FILE", dir.join("args").to_str().unwrap().to_owned()),
        ("HOME", dir.to_str().unwrap().to_owned()),
    ];
    let mut b = Config::builder()
        .host("https://ws.cloud.databricks.com")
        .env(Environment::from_map(env));
    if let Some(p) = profile {
        std::fs::write(
            dir.join(".databrickscfg"),
            format!("[{p}]\nhost = https://ws.cloud.databricks.com\n"),
        )
        .unwrap();
        b = b.profile(p);
    }
    b.build().unwrap()
}

#[tokio::test]
async fn token_by_host_and_by_profile() {
    let dir = temp_dir("ok");
    fake_cli(&dir, OK_BODY, false);
    let creds = resolve(&cfg(&dir, None)).await.unwrap();
    assert_eq!(creds.auth_type(), "databricks-cli");
    let h = creds.header_source().headers().await.unwrap();
    assert_eq!(h.get("Authorization"), Some("Bearer cli-token"));
    assert_eq!(
        std::fs::read_to_string(dir.join("args")).unwrap().trim(),
        "auth token --host https://ws.cloud.databricks.com"
    );

    let creds = resolve(&cfg(&dir, Some("dev"))).await.unwrap();
    assert_eq!(creds.auth_type(), "databricks-cli");
    assert_eq!(
        std::fs::read_to_string(dir.join("args")).unwrap().trim(),
        "auth token --profile dev"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn no_oauth_login_is_not_applicable() {
    let dir = temp_dir("nologin");
    fake_cli(
        &dir,
        "echo 'Error: cache: databricks OAuth is not configured for this host. Try logging in again with `databricks auth login --host https://ws.cloud.databricks.com`' >&2\nexit 1",
        false,
    );
    let err = resolve(&cfg(&dir, None)).await.unwrap_err();
    let AuthErrorKind::NoCredentials { attempts } = err.kind() else {
        panic!("{err}")
    };
    assert!(
        attempts
            .last()
            .unwrap()
            .1
            .contains("databricks OAuth is not configured")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn failing_cli_is_an_error_with_its_message() {
    let dir = temp_dir("fail");
    fake_cli(
        &dir,
        "echo 'Error: token refresh failed: invalid_grant' >&2\nexit 1",
        false,
    );
    let err = resolve(&cfg(&dir, None)).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "default auth: databricks-cli: cannot get access token: Error: token refresh failed: invalid_grant. Config: host=https://ws.cloud.databricks.com"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn bad_output_and_legacy_and_missing_cli() {
    let dir = temp_dir("bad");
    fake_cli(&dir, "printf 'not json'", false);
    let err = resolve(&cfg(&dir, None)).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("default auth: databricks-cli: cannot parse CLI response: expected JSON"),
        "{err}"
    );

    fake_cli(
        &dir,
        r#"printf '{"access_token":"t","token_type":"Bearer","expiry":"soon"}'"#,
        false,
    );
    let err = resolve(&cfg(&dir, None)).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot parse token expiry \"soon\": expected an RFC 3339 time"),
        "{err}"
    );

    fake_cli(&dir, OK_BODY, true);
    let err = resolve(&cfg(&dir, None)).await.unwrap_err();
    let AuthErrorKind::NoCredentials { attempts } = err.kind() else {
        panic!("{err}")
    };
    assert!(
        attempts
            .last()
            .unwrap()
            .1
            .starts_with("legacy databricks CLI detected")
    );

    std::fs::remove_file(dir.join("databricks")).unwrap();
    let err = resolve(&cfg(&dir, None)).await.unwrap_err();
    let AuthErrorKind::NoCredentials { attempts } = err.kind() else {
        panic!("{err}")
    };
    assert_eq!(attempts.last().unwrap().1, "databricks CLI not found");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn explicit_cli_path() {
    let dir = temp_dir("path");
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    fake_cli(&bin, OK_BODY, false);
    let cfg = Config::builder()
        .host("https://ws.cloud.databricks.com")
        .databricks_cli_path(bin.join("databricks").to_str().unwrap())
        .env(Environment::from_map([(
            "ARGS_FILE",
            dir.join("args").to_str().unwrap(),
        )]))
        .build()
        .unwrap();
    assert_eq!(resolve(&cfg).await.unwrap().auth_type(), "databricks-cli");
    std::fs::remove_dir_all(&dir).unwrap();
}
