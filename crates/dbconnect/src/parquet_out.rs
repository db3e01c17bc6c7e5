//! `--output parquet`: a Parquet file of the result, written as its batches arrive.
//!
//! To a file with `--file PATH` (never replacing one unless `--force`), or to standard output
//! when that is not a terminal. Columns are Snappy-compressed, as Spark writes them by default,
//! and the file keeps the exact Arrow schema, so an Arrow reader gets the server's types back.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::error::CliError;
use crate::output::{Results, next, result_schema};

/// A row group is written out once the rows being encoded take this much memory, so that a
/// large result never sits in memory whole.
const ROW_GROUP_BYTES: usize = 64 * 1024 * 1024;

/// The file the Parquet bytes go to. Unless [`commit`](Sink::commit)ted, what was written is
/// removed when the sink is dropped: after an error, or when Ctrl-C drops the query.
pub struct Sink {
    file: File,
    /// The file being written: `path` itself, or a temporary file beside it.
    written: PathBuf,
    path: PathBuf,
    /// Whether `written` replaces `path` once complete (`--force`).
    replace: bool,
    committed: bool,
}

impl Sink {
    /// Opens `path` for the result before the query runs, so that a bad path costs no query.
    ///
    /// Without `force`, `path` must not exist and is created. With `force`, a temporary file
    /// beside `path` takes the result and replaces `path` only once it is complete, so that a
    /// failed query leaves the old file as it was.
    pub fn open(path: &Path, force: bool) -> Result<Sink, CliError> {
        let cannot = |e: io::Error| {
            CliError::Output(format!(
                "cannot create the Parquet file {}: {e}",
                path.display()
            ))
        };
        if path.is_dir() {
            return Err(CliError::Output(format!(
                "cannot create the Parquet file {}: it is a directory; give a file path",
                path.display()
            )));
        }
        let written = if force {
            let name = path.file_name().ok_or_else(|| {
                CliError::Output(format!(
                    "cannot create the Parquet file {}: the path has no file name",
                    path.display()
                ))
            })?;
            let mut temp_name = std::ffi::OsString::from(".");
            temp_name.push(name);
            temp_name.push(format!(".dbconnect-{}.tmp", std::process::id()));
            path.with_file_name(temp_name)
        } else {
            path.to_path_buf()
        };
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&written)
            .map_err(|e| {
                if e.kind() == io::ErrorKind::AlreadyExists && !force {
                    CliError::Output(format!(
                        "{} already exists; add --force to replace it",
                        path.display()
                    ))
                } else {
                    cannot(e)
                }
            })?;
        Ok(Sink {
            file,
            written,
            path: path.to_path_buf(),
            replace: force,
            committed: false,
        })
    }

    /// Makes the written file the result: syncs it and, for a replacement, moves it in place.
    fn commit(mut self) -> Result<(), CliError> {
        self.file
            .sync_all()
            .and_then(|()| {
                if self.replace {
                    std::fs::rename(&self.written, &self.path)
                } else {
                    Ok(())
                }
            })
            .map_err(|e| {
                CliError::Output(format!(
                    "cannot write the Parquet file {}: {e}",
                    self.path.display()
                ))
            })?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.written);
        }
    }
}

/// Writes the result into `sink` and commits it; on failure the file is removed (a replaced
/// file stays as it was).
pub async fn to_file(results: &mut Results, sink: Sink) -> Result<(), CliError> {
    write(results, &sink.file).await?;
    sink.commit()
}

/// Writes the result as Parquet into `out`.
pub async fn write<W: Write + Send>(results: &mut Results, out: W) -> Result<(), CliError> {
    let err = |e: parquet::errors::ParquetError| {
        CliError::Output(format!("cannot write the result as Parquet: {e}"))
    };
    let mut batch = next(results).await?;
    let schema = match &batch {
        Some(first) => first.schema(),
        None => result_schema(&results.stream)?,
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(concat!("dbconnect ", env!("CARGO_PKG_VERSION")).to_string())
        .build();
    let mut writer =
        ArrowWriter::try_new(io::BufWriter::new(out), Arc::clone(&schema), Some(props))
            .map_err(err)?;
    while let Some(b) = batch {
        writer.write(&b).map_err(err)?;
        if writer.in_progress_size() >= ROW_GROUP_BYTES {
            writer.flush().map_err(err)?;
        }
        batch = next(results).await?;
    }
    let mut out = writer.into_inner().map_err(err)?;
    out.flush()
        .map_err(|e| CliError::Output(format!("cannot write the Parquet file: {e}")))
}
