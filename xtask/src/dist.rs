//! The pinned `pyspark` source distribution: where it is cached, how it is fetched and checked,
//! and how its parts (the Spark Connect jar, `deps/` as a `SPARK_HOME`) are taken out of it.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::{Result, workspace_root};

/// The release pinned in `proto/spark.pin`.
pub struct Pin {
    pub pyspark_version: String,
    pub sdist_sha256: String,
}

impl Pin {
    pub fn load() -> Result<Pin> {
        let path = workspace_root().join("proto/spark.pin");
        let text = fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let mut version = None;
        let mut sha = None;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                return Err(format!(
                    "{}:{}: expected `key = value`, found `{line}`",
                    path.display(),
                    n + 1
                )
                .into());
            };
            match key.trim() {
                "pyspark_version" => version = Some(value.trim().to_string()),
                "sdist_sha256" => sha = Some(value.trim().to_ascii_lowercase()),
                other => {
                    return Err(format!(
                        "{}:{}: unknown key `{other}` (expected pyspark_version or sdist_sha256)",
                        path.display(),
                        n + 1
                    )
                    .into());
                }
            }
        }
        Ok(Pin {
            pyspark_version: version
                .ok_or_else(|| format!("{} has no pyspark_version", path.display()))?,
            sdist_sha256: sha.ok_or_else(|| format!("{} has no sdist_sha256", path.display()))?,
        })
    }

    fn sdist_name(&self) -> String {
        format!("pyspark-{}.tar.gz", self.pyspark_version)
    }

    /// Path of the Spark Connect jar inside the source distribution.
    pub fn connect_jar_entry(&self) -> String {
        format!(
            "pyspark-{v}/deps/jars/spark-connect_2.13-{v}.jar",
            v = self.pyspark_version
        )
    }
}

/// The cache folder: `DBCONNECT_CACHE_DIR`, else `$XDG_CACHE_HOME/dbconnect-rs`, else
/// `~/.cache/dbconnect-rs`. Never under `target/`, so `cargo clean` keeps the 450 MB download.
pub fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("DBCONNECT_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join("dbconnect-rs"));
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .ok_or("neither DBCONNECT_CACHE_DIR, XDG_CACHE_HOME nor HOME is set: set DBCONNECT_CACHE_DIR to a folder for downloads")?;
    Ok(PathBuf::from(home).join(".cache/dbconnect-rs"))
}

/// Returns the path of the checked source distribution, downloading it with pip when needed.
pub fn ensure_sdist(pin: &Pin) -> Result<PathBuf> {
    let dir = cache_dir()?.join("dist");
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(pin.sdist_name());
    if path.exists() {
        if sha256_file(&path)? == pin.sdist_sha256 {
            return Ok(path);
        }
        eprintln!(
            "xtask: {} does not match the pinned SHA-256; downloading it again",
            path.display()
        );
        fs::remove_file(&path).map_err(|e| format!("cannot remove {}: {e}", path.display()))?;
    }
    check_free_space(&dir, 2 * 1024 * 1024 * 1024)?;
    let python = find_python()?;
    eprintln!(
        "xtask: downloading pyspark {} (about 450 MB) into {}",
        pin.pyspark_version,
        dir.display()
    );
    let status = Command::new(&python)
        .args(["-m", "pip", "download", "--no-deps", "--no-binary", ":all:"])
        .arg(format!("pyspark=={}", pin.pyspark_version))
        .arg("-d")
        .arg(&dir)
        .status()
        .map_err(|e| format!("cannot run `{python} -m pip`: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`{python} -m pip download pyspark=={}` failed ({status}); check that pip can reach the package index",
            pin.pyspark_version
        )
        .into());
    }
    let actual = sha256_file(&path)?;
    if actual != pin.sdist_sha256 {
        return Err(format!(
            "{} has SHA-256 {actual}, but proto/spark.pin expects {}",
            path.display(),
            pin.sdist_sha256
        )
        .into());
    }
    Ok(path)
}

/// The Python interpreter that has pip, or an error that says what to install.
pub fn find_python() -> Result<String> {
    for candidate in ["python3", "python"] {
        let ok = Command::new(candidate)
            .args(["-m", "pip", "--version"])
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        if ok {
            return Ok(candidate.to_string());
        }
    }
    Err("python3 with pip is needed to fetch the pinned pyspark source distribution: install python3 and pip (Debian: apt-get install python3-pip)".into())
}

/// Reads one entry of the gzip'd tar into memory.
pub fn read_tar_entry(tarball: &Path, entry_name: &str) -> Result<Vec<u8>> {
    let file = fs::File::open(tarball)
        .map_err(|e| format!("cannot open {}: {e}", tarball.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in archive
        .entries()
        .map_err(|e| format!("{}: {e}", tarball.display()))?
    {
        let mut entry = entry.map_err(|e| format!("{}: {e}", tarball.display()))?;
        let path = entry.path().map_err(|e| format!("{}: {e}", tarball.display()))?;
        if path.to_str() == Some(entry_name) {
            let mut data = Vec::new();
            entry
                .read_to_end(&mut data)
                .map_err(|e| format!("{}: reading {entry_name}: {e}", tarball.display()))?;
            return Ok(data);
        }
    }
    Err(format!("{} has no entry {entry_name}", tarball.display()).into())
}

/// Unpacks every entry under `prefix` (for example `pyspark-4.3.0/deps/`) into `dest`,
/// with the prefix removed. Unpacks into a temporary sibling first so that an interrupted
/// run never leaves a half-unpacked folder behind.
pub fn unpack_tar_prefix(tarball: &Path, prefix: &str, dest: &Path) -> Result<()> {
    let tmp = dest.with_extension("partial");
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| format!("cannot remove {}: {e}", tmp.display()))?;
    }
    fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let file = fs::File::open(tarball)
        .map_err(|e| format!("cannot open {}: {e}", tarball.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    archive.set_preserve_permissions(true);
    for entry in archive
        .entries()
        .map_err(|e| format!("{}: {e}", tarball.display()))?
    {
        let mut entry = entry.map_err(|e| format!("{}: {e}", tarball.display()))?;
        let path = entry
            .path()
            .map_err(|e| format!("{}: {e}", tarball.display()))?
            .into_owned();
        let Some(rel) = path.to_str().and_then(|p| p.strip_prefix(prefix)) else {
            continue;
        };
        if rel.is_empty() {
            continue;
        }
        // `unpack_in` refuses entries that would escape the destination.
        entry
            .unpack_in(&tmp)
            .map_err(|e| format!("{}: unpacking {}: {e}", tarball.display(), path.display()))?;
        let _ = rel;
    }
    let unpacked_root = tmp.join(prefix.trim_end_matches('/'));
    if dest.exists() {
        fs::remove_dir_all(dest).map_err(|e| format!("cannot remove {}: {e}", dest.display()))?;
    }
    fs::rename(&unpacked_root, dest).map_err(|e| {
        format!(
            "cannot move {} to {}: {e}",
            unpacked_root.display(),
            dest.display()
        )
    })?;
    fs::remove_dir_all(&tmp).map_err(|e| format!("cannot remove {}: {e}", tmp.display()))?;
    Ok(())
}

pub fn sha256_hex(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file =
        fs::File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Fails with a clear message when the folder's file system has less than `needed` bytes free.
pub fn check_free_space(dir: &Path, needed: u64) -> Result<()> {
    let output = Command::new("df").arg("-Pk").arg(dir).output();
    let Ok(output) = output else {
        return Ok(()); // no df: let the download itself report a full disk
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let available_kb = text
        .lines()
        .nth(1)
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(kb) = available_kb
        && kb * 1024 < needed
    {
        return Err(format!(
            "{} has {} MB free, but about {} MB are needed for the Spark download; free some disk space or set DBCONNECT_CACHE_DIR to a larger disk",
            dir.display(),
            kb / 1024,
            needed / (1024 * 1024)
        )
        .into());
    }
    Ok(())
}

/// Writes `data` to `path` through a temporary file and a rename.
pub fn write_atomically(path: &Path, data: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut file =
        fs::File::create(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    file.write_all(data)
        .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    drop(file);
    fs::rename(&tmp, path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(())
}
