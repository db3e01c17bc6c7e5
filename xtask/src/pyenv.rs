//! The Python environment that tests use to compare this client with PySpark's: a venv in
//! `<cache>/venv-<pyspark version>` holding PySpark's Spark Connect client of the pinned release.
//!
//! PySpark's client comes from the pinned source distribution that is already cached (and
//! checksummed), installed with its `connect` extra: there is no separate `pyspark-client`
//! release for every Spark version.

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
    let cache = spark::cache_dir()?;
    let venv = cache.join(format!("venv-{}", pin.pyspark_version));
    let python = venv.join("bin/python");
    // The marker is written last, so a venv whose install was interrupted is built again.
    let marker = venv.join(".xtask-complete");
    let wanted = format!(
        "pyspark[connect] {} from the sdist with SHA-256 {}\n{}\n",
        pin.pyspark_version,
        pin.sdist_sha256,
        PACKAGES.join(" ")
    );
    let _lock = dist::lock_file(
        &cache.join(format!("venv-{}.lock", pin.pyspark_version)),
        "preparing the Python test environment",
    )?;
    if python.exists() && fs::read_to_string(&marker).is_ok_and(|m| m == wanted) {
        return Ok(python);
    }
    let sdist = dist::ensure_sdist(pin)?;
    let base = dist::find_python()?;
    check_python_version(&base)?;
    dist::check_free_space_for(&cache, VENV_SPACE, "the Python test environment")?;
    if venv.exists() {
        fs::remove_dir_all(&venv).map_err(|e| format!("cannot remove {}: {e}", venv.display()))?;
    }
    eprintln!(
        "xtask: creating the Python test environment {} (once; about a minute)",
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
    // pip takes a local archive with extras as `<path>[extra]`.
    let mut pyspark = sdist.clone().into_os_string();
    pyspark.push("[connect]");
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg(&pyspark)
        .args(PACKAGES)
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| format!("cannot run `{} -m pip`: {e}", python.display()))?;
    if !status.success() {
        return Err(format!(
            "installing pyspark[connect] {} and {} into {} failed ({status}); check that pip can reach the package index",
            pin.pyspark_version,
            PACKAGES.join(", "),
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
