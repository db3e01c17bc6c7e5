//! The Python environment that tests use to compare this client with PySpark's: a venv in
//! `<cache>/venv-<pyspark version>` holding PySpark's Spark Connect client of the pinned release.
//!
//! PySpark's client comes from the pinned source distribution that is already cached (and
//! checksummed), installed with its `connect` extra: there is no separate `pyspark-client`
//! release for every Spark version.

use std::ffi::OsString;
use std::fs;
use std::path::PathBuf;
use std::process::Command;

use crate::Result;
use crate::dist::{self, Pin};
use crate::spark;

/// Installed beside `pyspark[connect]`; the extra names most, these make them explicit.
const PACKAGES: &[&str] = &[
    "pyarrow",
    // PySpark 4.3 warns that it does not fully support pandas 3 yet.
    "pandas<3",
    "grpcio",
    "grpcio-status",
    "googleapis-common-protos",
    "zstandard",
];

/// PySpark 4's `python_requires`.
const MIN_PYTHON: (u32, u32) = (3, 11);

/// Room for the venv: PySpark with its jars, pandas, pyarrow (about 900 MB).
const VENV_SPACE: u64 = 2 * 1024 * 1024 * 1024;

/// Returns the venv's interpreter, creating the venv on first use.
pub fn ensure_venv(pin: &Pin) -> Result<PathBuf> {
    let wanted = format!(
        "pyspark[connect] {} from the sdist with SHA-256 {}\n{}\n",
        pin.pyspark_version,
        pin.sdist_sha256,
        PACKAGES.join(" ")
    );
    let venv = format!("venv-{}", pin.pyspark_version);
    ensure_venv_with(&venv, &wanted, "the Python test environment", || {
        let sdist = dist::ensure_sdist(pin)?;
        // pip takes a local archive with extras as `<path>[extra]`.
        let mut pyspark = sdist.into_os_string();
        pyspark.push("[connect]");
        let mut install = vec![pyspark];
        install.extend(PACKAGES.iter().map(OsString::from));
        Ok(install)
    })
}

/// Returns the interpreter of the venv `<cache>/<name>`, creating it on first use and whenever
/// `wanted` (a description of what it holds) changed: `install` gives what `pip install` is
/// run with (it may download pinned files first); `what` names the venv in messages.
pub fn ensure_venv_with(
    name: &str,
    wanted: &str,
    what: &str,
    install: impl FnOnce() -> Result<Vec<OsString>>,
) -> Result<PathBuf> {
    let cache = spark::cache_dir()?;
    let venv = cache.join(name);
    let python = venv.join("bin/python");
    // The marker is written last, so a venv whose install was interrupted is built again.
    let marker = venv.join(".xtask-complete");
    let _lock = dist::lock_file(
        &cache.join(format!("{name}.lock")),
        &format!("preparing {what}"),
    )?;
    if python.exists() && fs::read_to_string(&marker).is_ok_and(|m| m == wanted) {
        return Ok(python);
    }
    let install = install()?;
    let base = dist::find_python()?;
    check_python_version(&base)?;
    dist::check_free_space_for(&cache, VENV_SPACE, what)?;
    if venv.exists() {
        fs::remove_dir_all(&venv).map_err(|e| format!("cannot remove {}: {e}", venv.display()))?;
    }
    eprintln!(
        "xtask: creating {what} in {} (once; about a minute)",
        venv.display()
    );
    let status = Command::new(&base)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .map_err(|e| format!("cannot run `{base} -m venv`: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`{base} -m venv {}` failed ({status}): install the venv module (Debian: apt-get install python3-venv)",
            venv.display()
        )
        .into());
    }
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(&install)
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| format!("cannot run `{} -m pip`: {e}", python.display()))?;
    if !status.success() {
        let listed: Vec<_> = install.iter().map(|a| a.to_string_lossy()).collect();
        return Err(format!(
            "installing {} into {} failed ({status}); check that pip can reach the package index",
            listed.join(", "),
            venv.display()
        )
        .into());
    }
    dist::write_atomically(&marker, wanted.as_bytes())?;
    Ok(python)
}

fn check_python_version(python: &str) -> Result<()> {
    let output = Command::new(python)
        .args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"])
        .output()
        .map_err(|e| format!("cannot run `{python}`: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text.trim();
    let parsed = version
        .split_once('.')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)));
    match parsed {
        Some(v) if v >= MIN_PYTHON => Ok(()),
        _ => Err(format!(
            "`{python}` is Python `{version}`, but PySpark needs Python {}.{} or newer for the test environment: install it with pip and venv (Debian 12: apt-get install python3-pip python3-venv)",
            MIN_PYTHON.0, MIN_PYTHON.1
        )
        .into()),
    }
}
