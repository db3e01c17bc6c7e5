//! `cargo xtask gen-proto35 [--check]`: the protocol descriptors the Spark 3.5 protocol test
//! decodes with, committed so that tests need neither Python nor a download.
//!
//! - `proto/spark-3.5/descriptors.binpb`: Spark 3.5's protocol, a `FileDescriptorSet` made of
//!   the serialized file descriptors in `pyspark/sql/connect/proto/*_pb2.py` of the `pyspark`
//!   source distribution pinned in `proto/spark-3.5/spark.pin` (the `AddSerializedFile(b'...')`
//!   argument of each module is a `FileDescriptorProto` compiled by Spark's build from 3.5's
//!   `.proto` files), plus `google/protobuf/any.proto`, which they import.
//! - `proto/descriptors.binpb`: the pinned release's protocol (`proto/spark.pin`), compiled from
//!   the same checked `.proto` files `gen-proto` generates the Rust code from.
//!
//! `--check` rebuilds both and fails when a committed file differs.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;

use prost::Message;
use prost_types::{FileDescriptorProto, FileDescriptorSet};

use crate::dist::{self, Pin};
use crate::{Result, workspace_root};

const PIN_35: &str = "proto/spark-3.5/spark.pin";
const OUT_35: &str = "proto/spark-3.5/descriptors.binpb";
const OUT_PINNED: &str = "proto/descriptors.binpb";

pub fn run(args: &[String]) -> Result<()> {
    let mut check = false;
    for arg in args {
        match arg.as_str() {
            "--check" => check = true,
            other => {
                return Err(
                    format!("gen-proto35: unknown argument `{other}` (expected --check)").into(),
                );
            }
        }
    }
    let root = workspace_root();

    let pin35 = Pin::load_from(PIN_35)?;
    let sdist35 = dist::ensure_sdist(&pin35)?;
    let old = descriptors_of_pb2_modules(&sdist35, &pin35)?;
    let old_bytes = old.encode_to_vec();

    let pin = Pin::load()?;
    let sdist = dist::ensure_sdist(&pin)?;
    let current = descriptors_of_pinned_release(&sdist, &pin)?;
    let current_bytes = current.encode_to_vec();

    for (path, bytes, what) in [
        (
            OUT_35,
            &old_bytes,
            format!("Spark {}", pin35.pyspark_version),
        ),
        (
            OUT_PINNED,
            &current_bytes,
            format!("Spark {}", pin.pyspark_version),
        ),
    ] {
        let full = root.join(path);
        if check {
            let committed = fs::read(&full).map_err(|e| {
                format!(
                    "cannot read {}: {e} (run `cargo xtask gen-proto35` and commit the result)",
                    full.display()
                )
            })?;
            if &committed != bytes {
                return Err(format!(
                    "{path} is stale: it is not the protocol of {what}; run `cargo xtask gen-proto35` and commit the result"
                )
                .into());
            }
            eprintln!("xtask: {path} matches {what}");
        } else {
            dist::write_atomically(&full, bytes)?;
            eprintln!("xtask: wrote {path} ({what}, {} bytes)", bytes.len());
        }
    }
    Ok(())
}

/// The file descriptors serialized in the source distribution's generated Python modules.
fn descriptors_of_pb2_modules(sdist: &Path, pin: &Pin) -> Result<FileDescriptorSet> {
    let prefix = format!("pyspark-{}/pyspark/sql/connect/proto/", pin.pyspark_version);
    let file =
        fs::File::open(sdist).map_err(|e| format!("cannot open {}: {e}", sdist.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut files: BTreeMap<String, FileDescriptorProto> = BTreeMap::new();
    for entry in archive
        .entries()
        .map_err(|e| format!("{}: {e}", sdist.display()))?
    {
        let mut entry = entry.map_err(|e| format!("{}: {e}", sdist.display()))?;
        let path = entry
            .path()
            .map_err(|e| format!("{}: {e}", sdist.display()))?
            .to_string_lossy()
            .into_owned();
        let Some(module) = path.strip_prefix(&prefix) else {
            continue;
        };
        if !module.ends_with("_pb2.py") || module.contains('/') {
            continue;
        }
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .map_err(|e| format!("{}: reading {path}: {e}", sdist.display()))?;
        let bytes = serialized_file(&text).map_err(|e| format!("{path}: {e}"))?;
        let descriptor = FileDescriptorProto::decode(bytes.as_slice()).map_err(|e| {
            format!("{path}: the AddSerializedFile argument is not a FileDescriptorProto: {e}")
        })?;
        let name = descriptor.name().to_string();
        if !name.starts_with("spark/connect/") {
            return Err(
                format!("{path} describes `{name}`, expected spark/connect/*.proto").into(),
            );
        }
        files.insert(name, descriptor);
    }
    for needed in ["spark/connect/base.proto", "spark/connect/relations.proto"] {
        if !files.contains_key(needed) {
            return Err(format!(
                "{} has no generated module for {needed} under {prefix}",
                sdist.display()
            )
            .into());
        }
    }
    // The imports the modules name beyond themselves are Google's well-known types.
    let mut set = FileDescriptorSet { file: Vec::new() };
    let google = protox::file::GoogleFileResolver::new();
    let mut imports: Vec<String> = files
        .values()
        .flat_map(|f| f.dependency.iter().cloned())
        .filter(|d| !files.contains_key(d))
        .collect();
    imports.sort();
    imports.dedup();
    for import in imports {
        use protox::file::FileResolver;
        let file = google.open_file(&import).map_err(|e| {
            format!("the 3.5 protocol imports `{import}`, which is not a well-known type: {e}")
        })?;
        set.file.push(file.file_descriptor_proto().clone());
    }
    set.file.extend(files.into_values());
    Ok(set)
}

/// The pinned release's `.proto` files (checked against `proto/SHA256SUMS`), compiled.
fn descriptors_of_pinned_release(sdist: &Path, pin: &Pin) -> Result<FileDescriptorSet> {
    let protos = crate::gen_proto::extract_protos(sdist, pin)?;
    crate::gen_proto::verify_sums(
        &workspace_root().join(crate::gen_proto::SUMS_FILE),
        &protos,
        false,
    )?;
    let work = workspace_root().join("target/xtask/gen-proto35");
    if work.exists() {
        fs::remove_dir_all(&work).map_err(|e| format!("cannot clean {}: {e}", work.display()))?;
    }
    for (name, data) in &protos {
        let path = work.join(name);
        fs::create_dir_all(path.parent().expect("proto path has a parent"))
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        fs::write(&path, data).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    let mut compiler = protox::Compiler::new([&work])
        .map_err(|e| format!("compiling the Spark Connect .proto files: {e}"))?;
    compiler.include_imports(true).include_source_info(false);
    for name in protos.keys() {
        compiler
            .open_file(name)
            .map_err(|e| format!("compiling {name}: {e}"))?;
    }
    Ok(compiler.file_descriptor_set())
}

/// The bytes of the `AddSerializedFile(b'...')` call in a generated `_pb2.py` module: one
/// Python bytes literal, or several adjacent ones (which Python concatenates).
fn serialized_file(module: &str) -> Result<Vec<u8>> {
    const CALL: &str = "AddSerializedFile(";
    let start = module
        .find(CALL)
        .ok_or("no AddSerializedFile( call: not a generated protocol module")?
        + CALL.len();
    let mut rest = &module[start..];
    let mut out = Vec::new();
    let mut literals = 0;
    loop {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix(')') {
            let _ = after;
            break;
        }
        let (bytes, after) = python_bytes_literal(rest)?;
        out.extend_from_slice(&bytes);
        literals += 1;
        rest = after;
    }
    if literals == 0 {
        return Err("AddSerializedFile( takes no bytes literal".into());
    }
    Ok(out)
}

/// Parses one Python bytes literal (`b'...'` or `b"..."`, no raw or triple-quoted forms, which
/// the protobuf compiler does not write) at the start of `text`; returns its bytes and the text
/// after it.
fn python_bytes_literal(text: &str) -> Result<(Vec<u8>, &str)> {
    let bytes = text.as_bytes();
    let quote = match bytes {
        [b'b', q @ (b'\'' | b'"'), ..] => *q,
        _ => {
            let shown: String = text.chars().take(20).collect();
            return Err(format!("expected a bytes literal b'...', found `{shown}`").into());
        }
    };
    let mut out = Vec::new();
    let mut i = 2;
    loop {
        let Some(&c) = bytes.get(i) else {
            return Err("unterminated bytes literal".into());
        };
        i += 1;
        if c == quote {
            return Ok((out, &text[i..]));
        }
        if c != b'\\' {
            if !c.is_ascii() || c == b'\n' {
                return Err(format!("byte 0x{c:02x} cannot stand in a bytes literal").into());
            }
            out.push(c);
            continue;
        }
        let Some(&e) = bytes.get(i) else {
            return Err("bytes literal ends in a backslash".into());
        };
        i += 1;
        match e {
            b'\\' => out.push(b'\\'),
            b'\'' => out.push(b'\''),
            b'"' => out.push(b'"'),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'a' => out.push(0x07),
            b'b' => out.push(0x08),
            b'f' => out.push(0x0c),
            b'v' => out.push(0x0b),
            b'\n' => {}
            b'x' => {
                let hex = text
                    .get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or("\\x must be followed by two hexadecimal digits")?;
                out.push(hex);
                i += 2;
            }
            b'0'..=b'7' => {
                let mut value = u32::from(e - b'0');
                let mut digits = 1;
                while digits < 3 {
                    match bytes.get(i) {
                        Some(d @ b'0'..=b'7') => {
                            value = value * 8 + u32::from(d - b'0');
                            i += 1;
                            digits += 1;
                        }
                        _ => break,
                    }
                }
                let byte = u8::try_from(value)
                    .map_err(|_| format!("octal escape \\{value:o} is larger than a byte"))?;
                out.push(byte);
            }
            other => {
                // Python keeps an unknown escape as it is, backslash included.
                out.push(b'\\');
                out.push(other);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_literals_decode_as_python_does() {
        let (b, rest) = python_bytes_literal(r#"b'\n\x1aA\'"\\\101\0z\q' tail"#).unwrap();
        assert_eq!(b, b"\n\x1aA'\"\\A\0z\\q");
        assert_eq!(rest, " tail");
        let (b, _) = python_bytes_literal(r#"b"it's""#).unwrap();
        assert_eq!(b, b"it's");
        assert!(python_bytes_literal("b'open").is_err());
        assert!(python_bytes_literal("'text'").is_err());
        assert!(python_bytes_literal(r"b'\x4'").is_err());
    }

    #[test]
    fn the_serialized_file_is_found_and_concatenated() {
        let module = "x = 1\nDESCRIPTOR = _pool.Default().AddSerializedFile(\n    b'\\x01a'\n    b\"b\"\n)\n";
        assert_eq!(serialized_file(module).unwrap(), b"\x01ab");
        assert!(serialized_file("nothing here").is_err());
        assert!(serialized_file("AddSerializedFile()").is_err());
    }
}
