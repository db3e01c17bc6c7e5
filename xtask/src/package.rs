//! `cargo xtask package`: every published crate packaged as it would be uploaded, and the
//! packages compiled together from their own files.
//!
//! `cargo package` verifies each package by building it alone, with its own resolution of
//! features: the eight crates rebuild tokio, arrow and the rest eight times (measured: more
//! than 30 minutes on two cores). This task keeps what the verification is for (a file the build
//! needs that the package leaves out, a dependency without a version, a feature that only the
//! workspace turned on) at the cost of one check: it packages without cargo's verification,
//! unpacks the `.crate` files into a workspace of their own whose members resolve each other
//! through `[patch]`, and runs `cargo check` there with every feature, in the main `target/`
//! so the dependencies already checked by clippy are reused.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::{Result, workspace_root};

/// The published crates, dependencies first (the order `cargo publish` must follow).
pub(crate) const PUBLISHED: [&str; 8] = [
    "spark-connect-proto",
    "connect-proxy",
    "databricks-config",
    "spark-connect-transport",
    "databricks-auth",
    "spark-connect-dataframe",
    "databricks-connect",
    "dbconnect",
];

pub(crate) fn run(args: &[String]) -> Result<()> {
    if let Some(other) = args.first() {
        return Err(format!("`cargo xtask package` takes no arguments, got `{other}`").into());
    }
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let version = workspace_version(&root)?;

    let mut package = Command::new(&cargo);
    package
        .current_dir(&root)
        .args(["package", "--locked", "--no-verify"]);
    for name in PUBLISHED {
        package.args(["-p", name]);
    }
    run_command(&mut package, "cargo package")?;

    let unpacked = root.join("target/package-check");
    if unpacked.exists() {
        fs::remove_dir_all(&unpacked)?;
    }
    fs::create_dir_all(&unpacked)?;
    let mut members = Vec::new();
    let mut patches = String::new();
    for name in PUBLISHED {
        let file = root.join(format!("target/package/{name}-{version}.crate"));
        let reader = fs::File::open(&file)
            .map_err(|e| format!("{} (made by cargo package): {e}", file.display()))?;
        tar::Archive::new(flate2::read::GzDecoder::new(reader)).unpack(&unpacked)?;
        let dir = format!("{name}-{version}");
        members.push(format!("\"{dir}\""));
        patches.push_str(&format!("{name} = {{ path = \"{dir}\" }}\n"));
    }
    // The packages name each other by version, as they will on the registry; `[patch]` points
    // those names at the unpacked packages, so nothing of the workspace's own tree is used.
    fs::write(
        unpacked.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n[patch.crates-io]\n{patches}",
            members.join(", ")
        ),
    )?;
    // The same versions of every dependency as the workspace, so the check tests these files
    // and not a newer release of something else.
    fs::copy(root.join("Cargo.lock"), unpacked.join("Cargo.lock"))?;

    let mut check = Command::new(&cargo);
    check
        .current_dir(&unpacked)
        .args(["check", "--workspace", "--all-features"])
        .env("CARGO_TARGET_DIR", root.join("target"));
    run_command(&mut check, "cargo check of the unpacked packages")?;
    eprintln!(
        "xtask: {} crates packaged and checked from their packages: {}",
        PUBLISHED.len(),
        PUBLISHED.join(", ")
    );
    Ok(())
}

fn workspace_version(root: &Path) -> Result<String> {
    let manifest = fs::read_to_string(root.join("Cargo.toml"))?;
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[workspace.package]";
        } else if in_package && let Some(value) = line.strip_prefix("version") {
            let value = value.trim_start().trim_start_matches('=').trim();
            return Ok(value.trim_matches('"').to_string());
        }
    }
    Err("Cargo.toml has no `version` in [workspace.package]".into())
}

fn run_command(command: &mut Command, what: &str) -> Result<()> {
    let status = command.status().map_err(|e| format!("{what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})").into())
    }
}
