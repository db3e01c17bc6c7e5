//! SDK compatibility cases as fixture folders.
//!
//! Each folder under `tests/fixtures/` is one case:
//! - `env` (optional): `NAME=value` lines, the whole environment. `HOME` defaults to the folder,
//!   so a `.databrickscfg` placed there is the default configuration file.
//! - `explicit` (optional): `attribute=value` lines passed to the builder.
//! - `.databrickscfg` (optional).
//! - `expected`: either `error: <full message>`, or any number of
//!   `name=value` (the attribute's canonical value), `!name` (unset), `source name: <source>`,
//!   `debug: <debug string>`, `auth_groups: <g1 g2>`, `cloud: <Cloud> <AzureCloud>`,
//!   `loaded: <profile>`.
//!
//! `$FIXTURE` in `env` and `expected` stands for the folder's absolute path.

use std::path::{Path, PathBuf};

use databricks_config::{Config, ConfigKey, Environment};

fn lines(path: &Path, fixture: &str) -> Vec<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.replace("$FIXTURE", fixture))
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn run_case(dir: &Path) -> Result<(), String> {
    let fixture = dir.to_str().unwrap().to_owned();
    let mut env: Vec<(String, String)> = lines(&dir.join("env"), &fixture)
        .into_iter()
        .map(|l| {
            let (k, v) = l.split_once('=').expect("env lines are NAME=value");
            (k.to_owned(), v.to_owned())
        })
        .collect();
    if !env.iter().any(|(k, _)| k == "HOME") {
        env.push(("HOME".into(), fixture.clone()));
    }
    let mut builder = Config::builder().env(Environment::from_map(env));
    for line in lines(&dir.join("explicit"), &fixture) {
        let (k, v) = line.split_once('=').expect("explicit lines are name=value");
        builder = builder.with_config(k, v);
    }
    let expected = lines(&dir.join("expected"), &fixture);
    if expected.is_empty() {
        return Err("no expectations".into());
    }
    let result = builder.build();

    if let Some(want) = expected.iter().find_map(|l| l.strip_prefix("error: ")) {
        return match result {
            Err(e) if e.to_string() == want => Ok(()),
            Err(e) => Err(format!("error mismatch\n want: {want}\n  got: {e}")),
            Ok(cfg) => Err(format!("expected an error, got {cfg:?}")),
        };
    }
    let cfg = result.map_err(|e| format!("unexpected error: {e}"))?;
    for line in &expected {
        let check = |ok: bool, got: String| -> Result<(), String> {
            if ok {
                Ok(())
            } else {
                Err(format!("expectation `{line}` failed: got {got}"))
            }
        };
        if let Some(want) = line.strip_prefix("debug:") {
            let got = cfg.debug_string();
            check(got == want.trim_start(), got)?;
        } else if let Some(rest) = line.strip_prefix("source ") {
            let (name, want) = rest.split_once(": ").unwrap();
            let key: ConfigKey = name.parse().unwrap();
            let got = cfg.source(key).map(|s| s.to_string()).unwrap_or_default();
            check(got == want, got)?;
        } else if let Some(want) = line.strip_prefix("auth_groups: ") {
            let got = cfg.auth_groups().join(" ");
            check(got == want, got)?;
        } else if let Some(want) = line.strip_prefix("cloud: ") {
            let got = format!("{:?} {}", cfg.cloud(), cfg.azure_cloud());
            check(got == want, got)?;
        } else if let Some(want) = line.strip_prefix("loaded: ") {
            let got = cfg.loaded_profile().map(|(_, p)| p.to_owned());
            check(got.as_deref() == Some(want), format!("{got:?}"))?;
        } else if let Some(name) = line.strip_prefix('!') {
            let key: ConfigKey = name.parse().unwrap();
            check(cfg.get(key).is_none(), format!("{:?}", cfg.get(key)))?;
        } else {
            let (name, want) = line
                .split_once('=')
                .ok_or_else(|| format!("bad expectation line {line:?}"))?;
            let key: ConfigKey = name.parse().unwrap();
            check(cfg.get(key) == Some(want), format!("{:?}", cfg.get(key)))?;
        }
    }
    Ok(())
}

#[test]
fn sdk_compatibility_fixtures() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "fixtures missing: {}", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|dir| {
            run_case(dir)
                .err()
                .map(|e| format!("{}: {e}", dir.file_name().unwrap().to_string_lossy()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixture cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
