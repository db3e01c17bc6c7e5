//! `cargo xtask gen-proto [--check] [--update-sums]`: generates `crates/spark-connect-proto`
//! from the `.proto` files of the pinned Spark release.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

use crate::dist::{self, Pin};
use crate::{Result, workspace_root};

pub(crate) const SUMS_FILE: &str = "proto/SHA256SUMS";
const GENERATED_DIR: &str = "crates/spark-connect-proto/src/gen";

pub fn run(args: &[String]) -> Result<()> {
    let mut check = false;
    let mut update_sums = false;
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            "--update-sums" => update_sums = true,
            other => {
                return Err(format!(
                    "gen-proto: unknown argument `{other}` (expected --check or --update-sums)"
                )
                .into());
            }
        }
    }
    let root = workspace_root();
    let pin = Pin::load()?;
    let sdist = dist::ensure_sdist(&pin)?;
    let protos = extract_protos(&sdist, &pin)?;
    verify_sums(&root.join(SUMS_FILE), &protos, update_sums)?;

    let work = root.join("target/xtask/gen-proto");
    if work.exists() {
        fs::remove_dir_all(&work).map_err(|e| format!("cannot clean {}: {e}", work.display()))?;
    }
    let include = work.join("include");
    for (name, data) in &protos {
        let path = include.join(name);
        fs::create_dir_all(path.parent().expect("proto path has a parent"))
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        fs::write(&path, data).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let out = work.join("out");
    fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    generate(&include, protos.keys(), &out)?;

    let generated = read_dir_files(&out)?;
    let committed_dir = root.join(GENERATED_DIR);
    if check {
        let committed = if committed_dir.exists() {
            read_dir_files(&committed_dir)?
        } else {
            BTreeMap::new()
        };
        if committed != generated {
            let mut differing: Vec<&String> = generated
                .keys()
                .chain(committed.keys())
                .filter(|k| generated.get(*k) != committed.get(*k))
                .collect();
            differing.dedup();
            return Err(format!(
                "{GENERATED_DIR} is stale ({}): run `cargo xtask gen-proto` and commit the result",
                differing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
            .into());
        }
        eprintln!(
            "xtask: {GENERATED_DIR} matches Spark {} ({} .proto files)",
            pin.pyspark_version,
            protos.len()
        );
        return Ok(());
    }
    if committed_dir.exists() {
        fs::remove_dir_all(&committed_dir)
            .map_err(|e| format!("cannot clean {}: {e}", committed_dir.display()))?;
    }
    fs::create_dir_all(&committed_dir)
        .map_err(|e| format!("cannot create {}: {e}", committed_dir.display()))?;
    for (name, data) in &generated {
        dist::write_atomically(&committed_dir.join(name), data)?;
    }
    eprintln!(
        "xtask: wrote {GENERATED_DIR} from Spark {} ({} .proto files)",
        pin.pyspark_version,
        protos.len()
    );
    Ok(())
}

/// Takes `spark/connect/*.proto` out of the Spark Connect jar inside the source distribution.
pub(crate) fn extract_protos(sdist: &Path, pin: &Pin) -> Result<BTreeMap<String, Vec<u8>>> {
    let jar_entry = pin.connect_jar_entry();
    let jar = dist::read_tar_entry(sdist, &jar_entry)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(jar))
        .map_err(|e| format!("{jar_entry} is not a readable jar: {e}"))?;
    let mut protos = BTreeMap::new();
    for i in 0..zip.len() {
        let mut file = zip
            .by_index(i)
            .map_err(|e| format!("{jar_entry}: entry {i}: {e}"))?;
        let name = file
            .name()
            .map_err(|e| format!("{jar_entry}: entry {i}: {e}"))?
            .into_owned();
        if name.starts_with("spark/connect/") && name.ends_with(".proto") {
            let mut data = Vec::new();
            file.read_to_end(&mut data)
                .map_err(|e| format!("{jar_entry}: {name}: {e}"))?;
            protos.insert(name, data);
        }
    }
    if protos.is_empty() {
        return Err(format!("{jar_entry} holds no spark/connect/*.proto files").into());
    }
    Ok(protos)
}

/// Checks every `.proto` against `proto/SHA256SUMS` (the `sha256sum` format), or rewrites the
/// file with `--update-sums` (only when moving the pin to another release).
pub(crate) fn verify_sums(
    sums_path: &Path,
    protos: &BTreeMap<String, Vec<u8>>,
    update: bool,
) -> Result<()> {
    let actual: BTreeMap<&str, String> = protos
        .iter()
        .map(|(name, data)| (name.as_str(), dist::sha256_hex(data)))
        .collect();
    if update {
        let text: String = actual
            .iter()
            .map(|(name, sum)| format!("{sum}  {name}\n"))
            .collect();
        dist::write_atomically(sums_path, text.as_bytes())?;
        eprintln!("xtask: wrote {}", sums_path.display());
        return Ok(());
    }
    let text = fs::read_to_string(sums_path).map_err(|e| {
        format!(
            "cannot read {}: {e} (run `cargo xtask gen-proto --update-sums` once when pinning a release)",
            sums_path.display()
        )
    })?;
    let mut expected = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Some((sum, name)) = line.split_once("  ") else {
            return Err(format!(
                "{}:{}: expected `<sha256>  <path>`, found `{line}`",
                sums_path.display(),
                n + 1
            )
            .into());
        };
        expected.insert(name.trim().to_string(), sum.trim().to_ascii_lowercase());
    }
    let mut problems = Vec::new();
    for (name, sum) in &actual {
        match expected.get(*name) {
            None => problems.push(format!("{name} is not listed")),
            Some(want) if want != sum => {
                problems.push(format!("{name} has SHA-256 {sum}, expected {want}"))
            }
            Some(_) => {}
        }
    }
    for name in expected.keys() {
        if !actual.contains_key(name.as_str()) {
            problems.push(format!("{name} is listed but not in the jar"));
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "the .proto files do not match {}:\n  {}",
            sums_path.display(),
            problems.join("\n  ")
        )
        .into());
    }
    Ok(())
}

fn generate<'a>(include: &Path, files: impl Iterator<Item = &'a String>, out: &Path) -> Result<()> {
    let files: Vec<PathBuf> = files.map(PathBuf::from).collect();
    // protox carries the google/protobuf well-known types itself, so no protoc and no
    // include path beyond the extracted files are needed.
    let fds = protox::compile(&files, [include])
        .map_err(|e| format!("compiling the Spark Connect .proto files: {e}"))?;
    let mut config = prost_build::Config::new();
    // Bytes fields (Arrow IPC payloads above all) become `bytes::Bytes`, so a response's
    // payload is a slice of the received buffer, never a copy.
    config.bytes(["."]);
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .server_mod_attribute(".", "#[cfg(feature = \"server\")]")
        .out_dir(out)
        .compile_fds_with_config(fds, config)
        .map_err(|e| format!("generating Rust code: {e}"))?;
    Ok(())
}

fn read_dir_files(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let mut files = BTreeMap::new();
    for entry in fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))? {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let data = fs::read(entry.path())
            .map_err(|e| format!("cannot read {}: {e}", entry.path().display()))?;
        files.insert(name, data);
    }
    Ok(files)
}
