//! Pinned downloads: the `key = value` pin files under `proto/` (`spark.pin`, the release this
//! project speaks; `compat.pin`, the other servers `cargo xtask compat` tests), where downloads
//! are cached, how they are fetched with pip and checked by SHA-256, and how the parts of a
//! `pyspark` source distribution (the Spark Connect jar, `deps/` as a `SPARK_HOME`) are taken
//! out of it.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::{Result, workspace_root};

/// One section of a pin file: the lines before the first `[name]` header (name `None`) or
/// after one, as `key = value` pairs in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct PinSection {
    pub name: Option<String>,
    /// The file and line of the section's header (or of the file), for messages.
    pub origin: String,
    fields: Vec<(String, String, usize)>,
    file: String,
}

impl PinSection {
    /// The value of `key`, or an error naming the file, the section and the key.
    pub fn get(&self, key: &str) -> Result<&str> {
        self.fields
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, v, _)| v.as_str())
            .ok_or_else(|| format!("{} has no `{key}`", self.describe()).into())
    }

    /// A SHA-256 in hex (64 digits, case folded), or an error naming where it stands.
    pub fn sha256(&self, key: &str) -> Result<String> {
        let value = self.get(key)?.to_ascii_lowercase();
        if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(value);
        }
        let line = self.line_of(key);
        Err(format!(
            "{}:{line}: `{key}` must be a SHA-256 of 64 hex digits, found `{value}`",
            self.file
        )
        .into())
    }

    /// Fails on a key outside `known`, so a misspelt key is never silently ignored.
    pub fn only_keys(&self, known: &[&str]) -> Result<()> {
        for (key, _, line) in &self.fields {
            if !known.contains(&key.as_str()) {
                return Err(format!(
                    "{}:{line}: unknown key `{key}` in {} (expected {})",
                    self.file,
                    self.describe_section(),
                    known.join(", ")
                )
                .into());
            }
        }
        Ok(())
    }

    fn line_of(&self, key: &str) -> usize {
        self.fields
            .iter()
            .find(|(k, _, _)| k == key)
            .map_or(0, |(_, _, line)| *line)
    }

    fn describe_section(&self) -> String {
        match &self.name {
            Some(name) => format!("section [{name}]"),
            None => "the file's top section".to_string(),
        }
    }

    fn describe(&self) -> String {
        match &self.name {
            Some(name) => format!("{} (section [{name}])", self.origin),
            None => self.file.clone(),
        }
    }
}

/// Parses a pin file: `# comments`, blank lines, `[section]` headers and `key = value` lines.
/// `file` names the file in messages. A key given twice in one section, or a section name
/// given twice, is an error.
pub fn parse_pin_file(text: &str, file: &str) -> Result<Vec<PinSection>> {
    let mut sections = vec![PinSection {
        name: None,
        origin: file.to_string(),
        fields: Vec::new(),
        file: file.to_string(),
    }];
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[') {
            let name = header
                .strip_suffix(']')
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .ok_or_else(|| {
                    format!("{file}:{n}: expected a section header `[name]`, found `{line}`")
                })?;
            if sections.iter().any(|s| s.name.as_deref() == Some(name)) {
                return Err(format!("{file}:{n}: section [{name}] is given twice").into());
            }
            sections.push(PinSection {
                name: Some(name.to_string()),
                origin: format!("{file}:{n}"),
                fields: Vec::new(),
                file: file.to_string(),
            });
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("{file}:{n}: expected `key = value`, found `{line}`").into());
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() || value.is_empty() {
            return Err(format!("{file}:{n}: expected `key = value`, found `{line}`").into());
        }
        let section = sections
            .last_mut()
            .expect("the top section is always there");
        if section.fields.iter().any(|(k, _, _)| k == key) {
            return Err(format!("{file}:{n}: `{key}` is given twice in one section").into());
        }
        section.fields.push((key.to_string(), value.to_string(), n));
    }
    Ok(sections)
}

/// Reads and parses a pin file under the workspace root (`proto/spark.pin`).
pub fn load_pin_file(relative: &str) -> Result<Vec<PinSection>> {
    let path = workspace_root().join(relative);
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_pin_file(&text, relative)
}

/// A file of a package index, pinned by name and SHA-256: what [`ensure_download`] fetches.
#[derive(Debug, Clone, PartialEq)]
pub struct PinnedFile {
    /// The package's name on the index (`pyspark`, `pysail`).
    pub package: String,
    pub version: String,
    /// The file pip downloads for it here: a source distribution (`.tar.gz`) or a wheel.
    pub file_name: String,
    pub sha256: String,
    /// The pin file that pins it, for messages.
    pub pinned_in: String,
}

impl PinnedFile {
    fn is_wheel(&self) -> bool {
        self.file_name.ends_with(".whl")
    }
}

/// A Spark release pinned as its `pyspark` source distribution: the one in `proto/spark.pin`
/// or one of the older releases in `proto/compat.pin`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    pub pyspark_version: String,
    pub sdist_sha256: String,
    /// The pin file it comes from, for messages.
    pub pinned_in: String,
}

impl Pin {
    /// The release of `proto/spark.pin`.
    pub fn load() -> Result<Pin> {
        Pin::load_from("proto/spark.pin")
    }

    /// Reads a pin file of the same form (one release, no sections), such as
    /// `proto/spark-3.5/spark.pin`; `relative` is the path from the workspace root.
    pub fn load_from(relative: &str) -> Result<Pin> {
        let sections = load_pin_file(relative)?;
        if let Some(extra) = sections.iter().find(|s| s.name.is_some()) {
            return Err(format!("{}: {relative} has no sections", extra.origin).into());
        }
        Pin::from_section(&sections[0], &[])
    }

    /// The release a section pins with `pyspark_version` and `sdist_sha256`; `other_keys` are
    /// the further keys the caller reads from the same section.
    pub fn from_section(section: &PinSection, other_keys: &[&str]) -> Result<Pin> {
        let mut known = vec!["pyspark_version", "sdist_sha256"];
        known.extend_from_slice(other_keys);
        section.only_keys(&known)?;
        Ok(Pin {
            pyspark_version: section.get("pyspark_version")?.to_string(),
            sdist_sha256: section.sha256("sdist_sha256")?,
            pinned_in: section.file.clone(),
        })
    }

    /// The source distribution as a pinned download.
    pub fn sdist(&self) -> PinnedFile {
        PinnedFile {
            package: "pyspark".to_string(),
            version: self.pyspark_version.clone(),
            file_name: format!("pyspark-{}.tar.gz", self.pyspark_version),
            sha256: self.sdist_sha256.clone(),
            pinned_in: self.pinned_in.clone(),
        }
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
    ensure_download(&pin.sdist())
}

/// Returns the path of the pinned file in `<cache>/dist/`, downloading it with pip when it is
/// missing or does not match its SHA-256.
pub fn ensure_download(file: &PinnedFile) -> Result<PathBuf> {
    let dir = cache_dir()?.join("dist");
    fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let path = dir.join(&file.file_name);
    if path.exists() {
        if sha256_file(&path)? == file.sha256 {
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
    let requirement = format!("{}=={}", file.package, file.version);
    eprintln!(
        "xtask: downloading {} into {}",
        file.file_name,
        dir.display()
    );
    // A source distribution is what carries Spark; a wheel is taken for what only ships as one.
    let only = if file.is_wheel() {
        "--only-binary"
    } else {
        "--no-binary"
    };
    let status = Command::new(&python)
        .args(["-m", "pip", "download", "--no-deps", only, ":all:"])
        .arg(&requirement)
        .arg("-d")
        .arg(&dir)
        // stdout is kept for results (`cargo xtask spark start` prints only the URL there).
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| format!("cannot run `{python} -m pip`: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`{python} -m pip download {requirement}` failed ({status}); check that pip can reach the package index"
        )
        .into());
    }
    if !path.exists() {
        return Err(format!(
            "pip downloaded {requirement}, but not the file {} that {} pins (a wheel for another platform?); see what it put into {}",
            file.file_name,
            file.pinned_in,
            dir.display()
        )
        .into());
    }
    let actual = sha256_file(&path)?;
    if actual != file.sha256 {
        return Err(format!(
            "{} has SHA-256 {actual}, but {} expects {}",
            path.display(),
            file.pinned_in,
            file.sha256
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
    let file =
        fs::File::open(tarball).map_err(|e| format!("cannot open {}: {e}", tarball.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in archive
        .entries()
        .map_err(|e| format!("{}: {e}", tarball.display()))?
    {
        let mut entry = entry.map_err(|e| format!("{}: {e}", tarball.display()))?;
        let path = entry
            .path()
            .map_err(|e| format!("{}: {e}", tarball.display()))?;
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

/// Unpacks every entry under `prefix` (for example `pyspark-4.3.0/deps/`) into `dest`, with the
/// prefix removed, keeping the entries' permissions (so `bin/*` stays executable).
///
/// It unpacks into a temporary sibling first and renames that into place, so an interrupted run
/// never leaves a half-unpacked `dest` behind. The temporary folder's name carries the process
/// id, so two runs at the same time do not write into one folder; when `dest` appears while this
/// run is unpacking (another run was quicker), that copy is kept and this one discarded. An
/// existing `dest` is replaced: callers check first whether it is already complete.
pub fn unpack_tar_prefix(tarball: &Path, prefix: &str, dest: &Path) -> Result<()> {
    if !prefix.ends_with('/') || prefix.starts_with('/') || prefix.split('/').any(|c| c == "..") {
        return Err(format!(
            "unpack_tar_prefix: prefix `{prefix}` must be a relative folder path ending in `/`"
        )
        .into());
    }
    let (Some(parent), Some(dest_name)) = (dest.parent(), dest.file_name()) else {
        return Err(format!(
            "cannot unpack into {}: it has no parent folder",
            dest.display()
        )
        .into());
    };
    fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    remove_abandoned_partials(parent, dest_name);
    let tmp = parent.join(format!(
        "{}.partial-{}",
        dest_name.to_string_lossy(),
        std::process::id()
    ));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(|e| format!("cannot remove {}: {e}", tmp.display()))?;
    }
    fs::create_dir_all(&tmp).map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
    let result = unpack_entries(tarball, prefix, &tmp).and_then(|()| {
        let unpacked_root = tmp.join(prefix.trim_end_matches('/'));
        if dest.exists() {
            fs::remove_dir_all(dest)
                .map_err(|e| format!("cannot remove {}: {e}", dest.display()))?;
        }
        match fs::rename(&unpacked_root, dest) {
            Ok(()) => Ok(()),
            // Another run renamed its copy into place between our check and our rename.
            Err(_) if dest.is_dir() => Ok(()),
            Err(e) => Err(format!(
                "cannot move {} to {}: {e}",
                unpacked_root.display(),
                dest.display()
            )
            .into()),
        }
    });
    let cleanup = fs::remove_dir_all(&tmp);
    result?;
    cleanup.map_err(|e| format!("cannot remove {}: {e}", tmp.display()))?;
    Ok(())
}

/// Unpacks the entries under `prefix` into `into`, keeping their full paths.
fn unpack_entries(tarball: &Path, prefix: &str, into: &Path) -> Result<()> {
    let file =
        fs::File::open(tarball).map_err(|e| format!("cannot open {}: {e}", tarball.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    archive.set_preserve_permissions(true);
    let mut unpacked = 0usize;
    for entry in archive
        .entries()
        .map_err(|e| format!("{}: {e}", tarball.display()))?
    {
        let mut entry = entry.map_err(|e| format!("{}: {e}", tarball.display()))?;
        let path = entry
            .path()
            .map_err(|e| format!("{}: {e}", tarball.display()))?
            .into_owned();
        let under_prefix = path
            .to_str()
            .and_then(|p| p.strip_prefix(prefix))
            .is_some_and(|rel| !rel.is_empty());
        if !under_prefix {
            continue;
        }
        // `unpack_in` creates the parent folders and refuses entries that would escape `into`
        // (`..`, absolute paths, links pointing outside).
        let inside = entry
            .unpack_in(into)
            .map_err(|e| format!("{}: unpacking {}: {e}", tarball.display(), path.display()))?;
        if !inside {
            return Err(format!(
                "{}: entry {} points outside the folder it is unpacked into",
                tarball.display(),
                path.display()
            )
            .into());
        }
        unpacked += 1;
    }
    if unpacked == 0 {
        return Err(format!("{} has no entries under {prefix}", tarball.display()).into());
    }
    Ok(())
}

/// Removes `<name>.partial-<pid>` folders left by runs that were killed while unpacking.
fn remove_abandoned_partials(parent: &Path, dest_name: &std::ffi::OsStr) {
    let marker = format!("{}.partial-", dest_name.to_string_lossy());
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(&marker)) else {
            continue;
        };
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid != std::process::id() && !process_exists(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Whether a process with this id exists (of any kind; zombies included).
pub fn process_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // Signal 0 checks existence and permission without sending anything; EPERM means it exists.
    // SAFETY: kill with signal 0 has no effect on the target process.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
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
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Fails with a clear message when the folder's file system has less than `needed` bytes free.
pub fn check_free_space(dir: &Path, needed: u64) -> Result<()> {
    check_free_space_for(dir, needed, "the Spark download")
}

/// Like [`check_free_space`], naming what the space is for (`purpose`) in the error.
pub fn check_free_space_for(dir: &Path, needed: u64, purpose: &str) -> Result<()> {
    let output = Command::new("df").arg("-Pk").arg(dir).output();
    let Ok(output) = output else {
        return Ok(()); // no df: let the writes themselves report a full disk
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let available_kb = text
        .lines()
        .nth(1)
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(kb) = available_kb
        && kb.saturating_mul(1024) < needed
    {
        return Err(format!(
            "{} has {} MB free, but about {} MB are needed for {purpose}; free some disk space or set DBCONNECT_CACHE_DIR to a larger disk",
            dir.display(),
            kb / 1024,
            needed / (1024 * 1024)
        )
        .into());
    }
    Ok(())
}

/// Opens (creating it if needed) `path` and holds an exclusive lock on it until the returned file
/// is dropped; `what` says in a message what is waited for when another process holds it. The
/// file is opened close-on-exec, so processes started meanwhile do not inherit the lock.
pub fn lock_file(path: &Path, what: &str) -> Result<fs::File> {
    use std::os::fd::AsRawFd;
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    // SAFETY: flock(2) on a descriptor this function owns; no memory is shared.
    if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        eprintln!("xtask: waiting for another xtask that is {what}");
        // SAFETY: as above.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(format!(
                "cannot lock {}: {}",
                path.display(),
                std::io::Error::last_os_error()
            )
            .into());
        }
    }
    Ok(file)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A fresh, empty folder under the system's temp folder for one test.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn append(builder: &mut tar::Builder<impl Write>, path: &str, data: &[u8], mode: u32) {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(mode);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, path, data).unwrap();
    }

    fn tarball(dir: &Path, entries: &[(&str, &[u8], u32)]) -> PathBuf {
        let path = dir.join("t.tar.gz");
        let file = fs::File::create(&path).unwrap();
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let mut builder = tar::Builder::new(gz);
        for (name, data, mode) in entries {
            append(&mut builder, name, data, *mode);
        }
        builder.into_inner().unwrap().finish().unwrap();
        path
    }

    #[test]
    fn pin_files_have_a_top_section_and_named_ones() {
        let text = "# c\na = 1\n\n[one]\nb = x = y\n[ two ]\n";
        let sections = parse_pin_file(text, "p.pin").unwrap();
        assert_eq!(sections.len(), 3);
        assert_eq!(sections[0].name, None);
        assert_eq!(sections[0].get("a").unwrap(), "1");
        assert_eq!(sections[1].name.as_deref(), Some("one"));
        // Only the first `=` separates key and value.
        assert_eq!(sections[1].get("b").unwrap(), "x = y");
        assert_eq!(sections[1].origin, "p.pin:4");
        assert_eq!(sections[2].name.as_deref(), Some("two"));
        let err = sections[1].get("a").unwrap_err().to_string();
        assert_eq!(err, "p.pin:4 (section [one]) has no `a`");
        let err = sections[0].only_keys(&["z"]).unwrap_err().to_string();
        assert_eq!(
            err,
            "p.pin:2: unknown key `a` in the file's top section (expected z)"
        );
    }

    #[test]
    fn bad_pin_lines_name_the_file_and_line() {
        let cases = [
            (
                "a = 1\nnonsense\n",
                "p.pin:2: expected `key = value`, found `nonsense`",
            ),
            ("a =\n", "p.pin:1: expected `key = value`, found `a =`"),
            (
                "[x\n",
                "p.pin:1: expected a section header `[name]`, found `[x`",
            ),
            ("[]\n", "p.pin:1: expected a section header"),
            ("[x]\n[x]\n", "p.pin:2: section [x] is given twice"),
            (
                "[x]\na = 1\na = 2\n",
                "p.pin:3: `a` is given twice in one section",
            ),
        ];
        for (text, expected) in cases {
            let err = parse_pin_file(text, "p.pin").unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}: {err}");
        }
        let sections = parse_pin_file("[x]\nsha = 12ab\n", "p.pin").unwrap();
        let err = sections[1].sha256("sha").unwrap_err().to_string();
        assert_eq!(
            err,
            "p.pin:2: `sha` must be a SHA-256 of 64 hex digits, found `12ab`"
        );
    }

    #[test]
    fn the_committed_spark_pin_is_a_release() {
        let pin = Pin::load().unwrap();
        assert!(pin.pyspark_version.starts_with("4."), "{pin:?}");
        assert_eq!(
            pin.sdist().file_name,
            format!("pyspark-{}.tar.gz", pin.pyspark_version)
        );
        let sections = parse_pin_file("pyspark_version = 1\nsdist_sha256 = x\n", "s.pin").unwrap();
        let err = Pin::from_section(&sections[0], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("must be a SHA-256"), "{err}");
    }

    #[test]
    fn unpacks_only_the_prefix_and_keeps_modes() {
        let dir = scratch("unpack");
        let tgz = tarball(
            &dir,
            &[
                ("p-1/setup.py", b"outside", 0o644),
                ("p-1/deps/bin/spark-submit", b"#!/bin/sh\n", 0o755),
                ("p-1/deps/jars/a.jar", b"jar", 0o644),
                ("p-1/deps-other/x", b"not under the prefix", 0o644),
            ],
        );
        let dest = dir.join("spark-1.0");
        unpack_tar_prefix(&tgz, "p-1/deps/", &dest).unwrap();

        let script = dest.join("bin/spark-submit");
        assert_eq!(fs::read(&script).unwrap(), b"#!/bin/sh\n");
        assert_eq!(
            fs::metadata(&script).unwrap().permissions().mode() & 0o777,
            0o755
        );
        assert_eq!(fs::read(dest.join("jars/a.jar")).unwrap(), b"jar");
        assert!(!dest.join("setup.py").exists());
        assert!(!dir.join("spark-1.0/x").exists());
        // Nothing temporary is left beside the destination.
        let mut names: Vec<String> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["spark-1.0", "t.tar.gz"]);

        // Unpacking again replaces the folder.
        fs::write(dest.join("stray"), b"x").unwrap();
        unpack_tar_prefix(&tgz, "p-1/deps/", &dest).unwrap();
        assert!(!dest.join("stray").exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_prefix_is_an_error_and_leaves_nothing_behind() {
        let dir = scratch("unpack-missing");
        let tgz = tarball(&dir, &[("p-1/setup.py", b"x", 0o644)]);
        let dest = dir.join("spark");
        let err = unpack_tar_prefix(&tgz, "p-1/deps/", &dest).unwrap_err();
        assert!(
            err.to_string().contains("no entries under p-1/deps/"),
            "{err}"
        );
        assert!(!dest.exists());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_prefix_must_be_a_relative_folder() {
        let dir = scratch("unpack-prefix");
        let tgz = tarball(&dir, &[("p/deps/x", b"x", 0o644)]);
        for bad in ["p/deps", "/p/deps/", "p/../deps/"] {
            let err = unpack_tar_prefix(&tgz, bad, &dir.join("d")).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn abandoned_partial_folders_are_removed() {
        let dir = scratch("unpack-partial");
        let tgz = tarball(&dir, &[("p/deps/x", b"x", 0o644)]);
        // No process has pid 4194304 + 1: Linux's pid_max is at most 2^22.
        let abandoned = dir.join("d.partial-4194305");
        fs::create_dir_all(abandoned.join("p")).unwrap();
        unpack_tar_prefix(&tgz, "p/deps/", &dir.join("d")).unwrap();
        assert!(!abandoned.exists());
        assert_eq!(fs::read(dir.join("d/x")).unwrap(), b"x");
        fs::remove_dir_all(&dir).unwrap();
    }
}
