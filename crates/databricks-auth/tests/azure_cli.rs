//! azure-cli with fake `az` executables put first on PATH.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use databricks_auth::{AuthErrorKind, resolve};
use databricks_config::{Config, Environment};

const HOST: &str = "https://adb-123.4.azuredatabricks.net";
const RESOURCE_ID: &str =
    "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Databricks/workspaces/ws";

fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dbauth-az-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes a shell script named `az` that logs its arguments, one call a line, to `$ARGS_FILE`.
fn fake_az(dir: &Path, body: &str) {
    let script = format!("#!/bin/sh\necho \"$@\" >> \"$ARGS_FILE\"\n{body}\n");
    let path = dir.join("az");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn cfg(dir: &Path, explicit: &[(&str, &str)]) -> Config {
    let env = [
        ("PATH", dir.to_str().unwrap().to_owned()),
        ("ARGS_FILE", dir.join("args").to_str().unwrap().to_owned()),
        ("HOME", dir.to_str().unwrap().to_owned()),
    ];
    let mut b = Config::builder().env(Environment::from_map(env));
    for (k, v) in explicit {
        b = b.with_config(k, *v);
    }
    b.build().unwrap()
}

fn calls(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("args"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A token per resource; the management token only when `management` is set.
fn token_body(management: bool) -> String {
    format!(
        r#"case "$*" in
  *2ff814a6-3304-4ab8-85cb-cd0e6f879c1d*)
    printf '{{"accessToken":"dbx-token","expiresOn":"2999-01-01 00:00:00.000000","expires_on":32472144000,"subscription":"sub-1","tenant":"t-1","tokenType":"Bearer"}}' ;;
  *management*)
    if [ "{management}" = "true" ]; then
      printf '{{"accessToken":"mgmt-token","expiresOn":"2999-01-01 00:00:00.000000","tokenType":"Bearer"}}'
    else
      echo "ERROR: AADSTS50001: no access to the management API" >&2; exit 1
    fi ;;
esac"#
    )
}

#[tokio::test]
async fn tokens_and_headers_with_management_token() {
    let dir = temp_dir("ok");
    fake_az(&dir, &token_body(true));
    let creds = resolve(&cfg(
        &dir,
        &[("host", HOST), ("azure_workspace_resource_id", RESOURCE_ID)],
    ))
    .await
    .unwrap();
    assert_eq!(creds.auth_type(), "azure-cli");
    let h = creds.header_source().headers().await.unwrap();
    assert_eq!(h.get("Authorization"), Some("Bearer dbx-token"));
    assert_eq!(
        h.get("X-Databricks-Azure-SP-Management-Token"),
        Some("mgmt-token")
    );
    assert_eq!(
        h.get("X-Databricks-Azure-Workspace-Resource-Id"),
        Some(RESOURCE_ID)
    );
    let calls = calls(&dir);
    assert_eq!(
        calls[0],
        "account get-access-token --resource 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --output json --subscription sub-1"
    );
    assert_eq!(
        calls[1],
        "account get-access-token --resource https://management.core.windows.net/ --output json --subscription sub-1"
    );
    assert!(!format!("{creds:?}").contains("token\""), "{creds:?}");
    assert!(!format!("{creds:?}").contains("dbx-token"));
    assert!(!format!("{creds:?}").contains("mgmt-token"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn tenant_and_clouds() {
    let dir = temp_dir("tenant");
    fake_az(&dir, &token_body(false));
    let creds = resolve(&cfg(
        &dir,
        &[
            ("host", "https://adb-1.2.databricks.azure.us"),
            ("azure_tenant_id", "t-1"),
        ],
    ))
    .await
    .unwrap();
    let h = creds.header_source().headers().await.unwrap();
    // No access to the management API: no management header, not an error.
    assert_eq!(h.get("X-Databricks-Azure-SP-Management-Token"), None);
    assert_eq!(h.get("X-Databricks-Azure-Workspace-Resource-Id"), None);
    let calls = calls(&dir);
    assert_eq!(
        calls,
        [
            "account get-access-token --resource 2ff814a6-3304-4ab8-85cb-cd0e6f879c1d --output json --tenant t-1",
            "account get-access-token --resource https://management.core.usgovcloudapi.net/ --output json --tenant t-1",
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn subscription_failure_falls_back() {
    let dir = temp_dir("subfallback");
    fake_az(
        &dir,
        &format!(
            "case \"$*\" in *--subscription*) echo 'ERROR: no access to subscription' >&2; exit 1;; esac\n{}",
            token_body(true)
        ),
    );
    let creds = resolve(&cfg(
        &dir,
        &[
            ("host", "https://adb-1.2.databricks.azure.cn"),
            ("azure_workspace_resource_id", RESOURCE_ID),
        ],
    ))
    .await
    .unwrap();
    assert_eq!(creds.auth_type(), "azure-cli");
    let calls = calls(&dir);
    assert!(calls[0].ends_with("--subscription sub-1"), "{calls:?}");
    assert!(!calls[1].contains("--subscription"), "{calls:?}");
    assert!(
        calls
            .iter()
            .any(|c| c.contains("https://management.core.chinacloudapi.cn/")),
        "{calls:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn not_logged_in_or_not_installed_is_not_applicable() {
    for (tag, body) in [
        (
            "nosub",
            "echo 'ERROR: No subscription found. Run az account set to select a subscription.' >&2; exit 1",
        ),
        (
            "login",
            "echo \"ERROR: Please run 'az login' to setup account.\" >&2; exit 1",
        ),
    ] {
        let dir = temp_dir(tag);
        fake_az(&dir, body);
        let err = resolve(&cfg(&dir, &[("host", HOST)])).await.unwrap_err();
        let AuthErrorKind::NoCredentials { attempts } = err.kind() else {
            panic!("{err}");
        };
        let (_, why) = attempts.iter().find(|(p, _)| p == "azure-cli").unwrap();
        assert!(why.contains("not logged in"), "{why}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
    // No az at all.
    let dir = temp_dir("none");
    let err = resolve(&cfg(&dir, &[("host", HOST)])).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("default auth: cannot configure default credentials"),
        "{err}"
    );
    // Forced: the SDKs' "cannot configure" text, too.
    let err = resolve(&cfg(&dir, &[("host", HOST), ("auth_type", "azure-cli")]))
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), AuthErrorKind::NoCredentials { .. }));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn not_azure_is_not_applicable() {
    let dir = temp_dir("aws");
    fake_az(&dir, &token_body(true));
    let err = resolve(&cfg(
        &dir,
        &[("host", "https://dbc-1.cloud.databricks.com")],
    ))
    .await
    .unwrap_err();
    assert!(matches!(err.kind(), AuthErrorKind::NoCredentials { .. }));
    assert!(calls(&dir).is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn failures_and_malformed_output() {
    let dir = temp_dir("fail");
    fake_az(
        &dir,
        "echo 'ERROR: AADSTS700082: The refresh token has expired' >&2; exit 1",
    );
    let err = resolve(&cfg(&dir, &[("host", HOST)])).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "default auth: azure-cli: cannot get access token: ERROR: AADSTS700082: The refresh token has expired. Config: host={HOST}"
        )
    );

    for (tag, out, want) in [
        ("notjson", "printf 'hello'", "not JSON"),
        (
            "noexpiry",
            r#"printf '{"accessToken":"sekret-1"}'"#,
            "no expiry",
        ),
        (
            "badexpiry",
            r#"printf '{"accessToken":"sekret-1","expiresOn":"soon"}'"#,
            "cannot parse expiry \"soon\"",
        ),
    ] {
        let dir = temp_dir(tag);
        fake_az(&dir, out);
        let err = resolve(&cfg(&dir, &[("host", HOST)])).await.unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("default auth: azure-cli: cannot unmarshal CLI result: ")
                && text.contains(want)
                && text.contains("expected"),
            "{text}"
        );
        assert!(!text.contains("sekret-1"), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
