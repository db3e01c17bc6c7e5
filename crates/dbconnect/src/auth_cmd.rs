//! `dbconnect auth`: what the Databricks configuration resolves to, and OAuth logins.
//!
//! ```text
//! dbconnect auth describe [--profile P] [--host H] [--token T] [--attr NAME=VALUE]... [--output json|text]
//! dbconnect auth login    [--profile P] [--host H] [--attr NAME=VALUE]...
//! dbconnect auth token    [--profile P] [--host H] [--attr NAME=VALUE]...
//! dbconnect auth profiles [--output json|text]
//! ```
//!
//! Configuration and credentials are resolved as the Databricks SDKs do (`databricks-config`,
//! `databricks-auth`): explicit flags, then `DATABRICKS_*` variables, then `~/.databrickscfg`.
//! Failures print the SDKs' message to stderr and exit 1; a malformed `--attr` exits 2.

use std::io::Write;

use clap::{Subcommand, ValueEnum};
use databricks_auth::providers::ExternalBrowserCredentials;
use databricks_auth::{AuthErrorKind, CredentialsChain};
use databricks_config::{Config, ConfigFile, Environment, SETTINGS_SECTION};
use serde_json::{Map, Value, json};

use crate::error::CliError;
use crate::stdout::Stdout;

/// `dbconnect auth …`.
#[derive(Debug, clap::Args)]
pub struct AuthArgs {
    #[command(subcommand)]
    command: AuthCommand,
}

#[derive(Debug, Subcommand)]
enum AuthCommand {
    /// Prints the resolved configuration (each attribute's value and source, secrets as ***)
    /// and the auth type that works.
    Describe {
        #[command(flatten)]
        target: Target,
        /// How to print it.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        output: Format,
    },
    /// Logs in with a browser (OAuth U2M) and caches the tokens in
    /// ~/.databricks/token-cache.json, shared with the Databricks CLI.
    Login {
        #[command(flatten)]
        target: Target,
    },
    /// Prints a fresh access token, for scripts.
    Token {
        #[command(flatten)]
        target: Target,
    },
    /// Lists the profiles of the configuration file and whether each resolves.
    Profiles {
        /// How to print them.
        #[arg(long, short, value_enum, default_value_t = Format::Text)]
        output: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Lines for people to read.
    Text,
    /// One JSON document.
    Json,
}

/// Which workspace and credentials: flags win over the environment and the config file.
#[derive(Debug, clap::Args)]
struct Target {
    /// The .databrickscfg profile [default: $DATABRICKS_CONFIG_PROFILE, else DEFAULT]
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// The workspace URL [default: $DATABRICKS_HOST or the profile's host]
    #[arg(long, value_name = "URL")]
    host: Option<String>,
    /// A personal access token [default: $DATABRICKS_TOKEN or the profile's token]
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// Any configuration attribute, as in .databrickscfg (repeatable), e.g. auth_type=pat
    #[arg(long = "attr", value_name = "NAME=VALUE")]
    attrs: Vec<String>,
}

impl Target {
    fn config(&self) -> Result<Config, CliError> {
        let mut builder = Config::builder();
        if let Some(p) = &self.profile {
            builder = builder.profile(p);
        }
        if let Some(h) = &self.host {
            builder = builder.host(h);
        }
        if let Some(t) = &self.token {
            builder = builder.token(t);
        }
        for attr in &self.attrs {
            let Some((name, value)) = attr.split_once('=') else {
                return Err(CliError::Config(format!(
                    "--attr {:?}: expected NAME=VALUE, e.g. auth_type=pat",
                    attr.split_once('=').map_or(attr.as_str(), |(n, _)| n)
                )));
            };
            builder = builder.with_config(name.trim(), value);
        }
        builder.build().map_err(|e| CliError::Query(e.to_string()))
    }
}

/// Runs `dbconnect auth …`.
pub async fn run(args: AuthArgs, out: &mut Stdout) -> Result<(), CliError> {
    match args.command {
        AuthCommand::Describe { target, output } => describe(&target, output, out).await,
        AuthCommand::Login { target } => login(&target, out).await,
        AuthCommand::Token { target } => token(&target, out).await,
        AuthCommand::Profiles { output } => profiles(output, out).await,
    }
}

fn write_out(out: &mut Stdout, text: &str) -> Result<(), CliError> {
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::Output(format!("cannot write to standard output: {e}")))
}

/// The chain, except that it never opens a browser: `describe`, `token` and `profiles` use
/// cached U2M tokens only; `login` is the command that opens one.
pub fn chain_without_browser() -> CredentialsChain {
    CredentialsChain::with_external_browser(ExternalBrowserCredentials::default().with_browser(
        |_| {
            Err(std::io::Error::other(
                "no valid cached login; run `dbconnect auth login` first",
            ))
        },
    ))
}

async fn describe(target: &Target, format: Format, out: &mut Stdout) -> Result<(), CliError> {
    let cfg = target.config()?;
    let credentials = chain_without_browser()
        .resolve(&cfg)
        .await
        .map_err(|e| CliError::Query(e.to_string()))?;
    let auth_type = credentials.auth_type();
    match format {
        Format::Json => {
            let mut attributes = Map::new();
            for a in cfg.attributes() {
                attributes.insert(
                    a.spec.name.to_owned(),
                    json!({"value": a.display_value(), "source": a.source.to_string()}),
                );
            }
            let doc = json!({
                "auth_type": auth_type,
                "host": cfg.host(),
                "attributes": attributes,
            });
            write_out(out, &format!("{doc}\n"))
        }
        Format::Text => {
            let mut text = format!(
                "host: {}\nauth_type: {auth_type}\n",
                cfg.host().unwrap_or("(not set)")
            );
            if let Some((path, profile)) = cfg.loaded_profile() {
                text.push_str(&format!("profile: {profile} ({})\n", path.display()));
            }
            text.push_str("attributes:\n");
            let width = cfg
                .attributes()
                .map(|a| a.spec.name.len())
                .max()
                .unwrap_or(0);
            for a in cfg.attributes() {
                text.push_str(&format!(
                    "  {:width$}  {}  ({})\n",
                    a.spec.name,
                    a.display_value(),
                    a.source
                ));
            }
            write_out(out, &text)
        }
    }
}

async fn login(target: &Target, out: &mut Stdout) -> Result<(), CliError> {
    let cfg = target.config()?;
    let Some(host) = cfg.host() else {
        return Err(CliError::Query(cfg.wrap_message(
            "login: host is not set: pass --host, --profile or set DATABRICKS_HOST",
        )));
    };
    ExternalBrowserCredentials::default()
        .login(&cfg)
        .await
        .map_err(|e| CliError::Query(cfg.wrap_message(&format!("login: {e}"))))?;
    write_out(
        out,
        &format!(
            "Logged in to {host}; tokens are cached in ~/.databricks/token-cache.json. Use auth_type = external-browser (or the Databricks CLI's profile) to use them.\n"
        ),
    )
}

async fn token(target: &Target, out: &mut Stdout) -> Result<(), CliError> {
    let cfg = target.config()?;
    let credentials = chain_without_browser()
        .resolve(&cfg)
        .await
        .map_err(|e| CliError::Query(e.to_string()))?;
    let headers = credentials
        .header_source()
        .headers()
        .await
        .map_err(|e| CliError::Query(e.to_string()))?;
    let token = headers
        .get("Authorization")
        .and_then(|h| h.split_once(' '))
        .filter(|(kind, _)| kind.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.to_owned())
        .ok_or_else(|| {
            CliError::Query(format!(
                "auth type {} gives no bearer access token",
                credentials.auth_type()
            ))
        })?;
    write_out(out, &format!("{token}\n"))
}

pub async fn profiles(format: Format, out: &mut Stdout) -> Result<(), CliError> {
    let env = Environment::process();
    let file = env
        .var("DATABRICKS_CONFIG_FILE")
        .unwrap_or_else(|| "~/.databrickscfg".into());
    let path = env.expand_tilde(&file).ok_or_else(|| {
        CliError::Query(format!(
            "cannot find {file}: no home folder (HOME is not set)"
        ))
    })?;
    let loaded = ConfigFile::load(&path).map_err(|e| CliError::Query(e.to_string()))?;
    let names: Vec<String> = loaded
        .as_ref()
        .map(|f| {
            f.profile_names()
                .into_iter()
                .filter(|n| *n != SETTINGS_SECTION)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let mut rows = Vec::new();
    for name in &names {
        let cfg = Config::builder()
            .profile(name)
            .config_file(path.to_string_lossy())
            .build();
        let (host, result) = match cfg {
            Err(e) => (None, Err(e.to_string())),
            Ok(cfg) => {
                let host = cfg.host().map(str::to_owned);
                let result = chain_without_browser().resolve(&cfg).await;
                (
                    host,
                    result.map(|c| c.auth_type().to_owned()).map_err(|e| {
                        match e.kind() {
                            // The SDK text is long and the same for every profile.
                            AuthErrorKind::NoCredentials { .. } => {
                                "no credentials configured".to_owned()
                            }
                            _ => e.to_string(),
                        }
                    }),
                )
            }
        };
        rows.push((name.clone(), host, result));
    }
    match format {
        Format::Json => {
            let list: Vec<Value> = rows
                .iter()
                .map(|(name, host, result)| {
                    let mut p = json!({"name": name, "host": host, "valid": result.is_ok()});
                    match result {
                        Ok(auth) => p["auth_type"] = json!(auth),
                        Err(e) => p["error"] = json!(e),
                    }
                    p
                })
                .collect();
            write_out(
                out,
                &format!(
                    "{}\n",
                    json!({"file": path.display().to_string(), "profiles": list})
                ),
            )
        }
        Format::Text => {
            if loaded.is_none() {
                return write_out(out, &format!("{} does not exist\n", path.display()));
            }
            let mut text = String::new();
            let w = rows.iter().map(|r| r.0.len()).max().unwrap_or(0).max(4);
            let hw = rows
                .iter()
                .map(|r| r.1.as_deref().unwrap_or("-").len())
                .max()
                .unwrap_or(0)
                .max(4);
            text.push_str(&format!(
                "{:w$}  {:hw$}  VALID  AUTH_TYPE / ERROR\n",
                "NAME", "HOST"
            ));
            for (name, host, result) in &rows {
                let (valid, detail) = match result {
                    Ok(auth) => ("YES", auth.as_str()),
                    Err(e) => ("NO", e.as_str()),
                };
                text.push_str(&format!(
                    "{name:w$}  {:hw$}  {valid:5}  {detail}\n",
                    host.as_deref().unwrap_or("-")
                ));
            }
            write_out(out, &text)
        }
    }
}
