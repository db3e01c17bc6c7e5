use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;

use databricks_config::Config;
use serde_json::Value;

use crate::error::{AuthError, AuthErrorKind};
use crate::headers::BoxFuture;
use crate::provider::{Configured, CredentialsProvider};
use crate::time::{instant_of, parse_datetime};
use crate::token::{CachedTokenSource, Token, TokenHeaderSource, TokenSource};

const NAME: &str = "databricks-cli";

/// The Go CLI (>= 0.100) is a large binary; the legacy Python CLI's entry script is small and
/// has no `auth token` command. The SDKs tell them apart by size, and so do we.
const MIN_CLI_SIZE: u64 = 1024 * 1024;

/// `databricks-cli`: tokens from the Databricks CLI's own login (`databricks auth login`).
///
/// Applies when `host` is set and a Databricks CLI (>= 0.100) is found: `databricks_cli_path`,
/// else `databricks` on `PATH` (of the configuration's environment). Runs
/// `databricks auth token --profile <profile>` when a profile is set, else
/// `databricks auth token --host <host>` (plus `--account-id` on account consoles), and reads
/// `{"access_token", "token_type", "expiry"}` from its output. The first token is fetched while
/// configuring; a CLI that says `databricks OAuth is not …` (no OAuth login for this host)
/// means not applicable, any other failure is an error with the CLI's message.
#[derive(Debug, Clone, Copy, Default)]
pub struct DatabricksCliCredentials;

impl CredentialsProvider for DatabricksCliCredentials {
    fn name(&self) -> &'static str {
        NAME
    }

    fn configure<'a>(&'a self, cfg: &'a Config) -> BoxFuture<'a, Result<Configured, AuthError>> {
        Box::pin(async move {
            let Some(host) = cfg.host() else {
                return Ok(Configured::NotApplicable("host is not set".into()));
            };
            let cli = match find_cli(cfg) {
                Ok(cli) => cli,
                Err(why) => return Ok(Configured::NotApplicable(why)),
            };
            let mut args: Vec<String> = vec!["auth".into(), "token".into()];
            match cfg.profile() {
                Some(profile) => args.extend(["--profile".into(), profile.to_owned()]),
                None => {
                    args.extend(["--host".into(), host.to_owned()]);
                    if let (true, Some(account)) = (cfg.is_account_host(), cfg.account_id()) {
                        args.extend(["--account-id".into(), account.to_owned()]);
                    }
                }
            }
            let env = (!cfg.env().is_process()).then(|| cfg.env().vars());
            let source = Arc::new(CliTokenSource { cli, args, env });
            let first = match source.fetch().await {
                Ok(token) => token,
                Err(e) if *e.kind() == AuthErrorKind::NotConfigured => {
                    return Ok(Configured::NotApplicable(e.message().to_owned()));
                }
                Err(e) => return Err(e),
            };
            let tokens = CachedTokenSource::new(source, Some(first));
            Ok(Configured::Headers(Arc::new(TokenHeaderSource::new(
                tokens,
            ))))
        })
    }
}

fn find_cli(cfg: &Config) -> Result<PathBuf, String> {
    let name = cfg.databricks_cli_path().unwrap_or("databricks");
    let candidates: Vec<PathBuf> = if name.contains('/') || name.contains('\\') {
        vec![PathBuf::from(name)]
    } else {
        let path = cfg.env().var("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .flat_map(|dir| {
                let mut v = vec![dir.join(name)];
                if cfg!(windows) {
                    v.push(dir.join(format!("{name}.exe")));
                }
                v
            })
            .collect()
    };
    let mut legacy = None;
    for candidate in candidates {
        match std::fs::metadata(&candidate) {
            Ok(meta) if meta.is_file() && meta.len() >= MIN_CLI_SIZE => return Ok(candidate),
            Ok(meta) if meta.is_file() => legacy = Some(candidate),
            _ => {}
        }
    }
    Err(match legacy {
        Some(p) => format!(
            "legacy databricks CLI detected at {}; upgrade to >= 0.100.0",
            p.display()
        ),
        None => "databricks CLI not found".into(),
    })
}

struct CliTokenSource {
    cli: PathBuf,
    args: Vec<String>,
    /// The environment for the CLI when the configuration's environment is not the process's.
    env: Option<std::collections::BTreeMap<String, String>>,
}

impl fmt::Debug for CliTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CliTokenSource")
            .field("cli", &self.cli)
            .field("args", &self.args)
            .finish()
    }
}

impl CliTokenSource {
    async fn fetch(&self) -> Result<Token, AuthError> {
        let output = run(&self.cli, &self.args, self.env.as_ref()).await?;
        let invalid =
            |message: String| AuthError::provider(NAME, AuthErrorKind::InvalidResponse, message);
        let json: Value = serde_json::from_slice(&output).map_err(|e| {
            invalid(
                "cannot parse CLI response: expected JSON with access_token, token_type and expiry"
                    .into(),
            )
            .with_source(e)
        })?;
        let mut token = crate::http::parse_token_json(&json)
            .map_err(|what| invalid(format!("cannot parse CLI response: {what}")))?;
        let expiry = json.get("expiry").and_then(Value::as_str).ok_or_else(|| {
            invalid("cannot parse token expiry: expected an \"expiry\" string".into())
        })?;
        let at = parse_datetime(expiry).ok_or_else(|| {
            invalid(format!(
                "cannot parse token expiry {expiry:?}: expected an RFC 3339 time"
            ))
        })?;
        token.expires_at = Some(instant_of(at));
        Ok(token)
    }
}

async fn run(
    program: &Path,
    args: &[String],
    env: Option<&std::collections::BTreeMap<String, String>>,
) -> Result<Vec<u8>, AuthError> {
    let mut command = tokio::process::Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if let Some(env) = env {
        command.env_clear().envs(env);
    }
    let output = super::cli::run(NAME, program, &mut command).await?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        // The CLI's only account of why is its text; this is where it is read, once, into a
        // kind. "databricks OAuth is not supported/configured for this host" means it has no
        // login for the host (the SDKs then try the next provider).
        let kind = if stderr.contains("databricks OAuth is not") {
            AuthErrorKind::NotConfigured
        } else {
            AuthErrorKind::Refused
        };
        return Err(AuthError::provider(
            NAME,
            kind,
            format!("cannot get access token: {}", stderr.trim()),
        ));
    }
    Ok(output.stdout)
}

impl TokenSource for CliTokenSource {
    fn token(&self) -> BoxFuture<'_, Result<Token, AuthError>> {
        Box::pin(self.fetch())
    }
}
