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

/// Where the Parquet bytes go.
pub enum Sink {
    /// A new file at `path`; on failure it is removed.
    New { file: File, path: PathBuf },
    /// A temporary file beside `path` that replaces `path` only once it is complete, so that a
    /// failed query leaves the old file as it was.
    Replace {
        file: File,
        temp: PathBuf,
        path: PathBuf,
    },
}

impl Sink {
    /// Opens `path` for the result before the query runs, so that a bad path costs no query.
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
        if !force {
            let file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(|e| {
                    if e.kind() == io::ErrorKind::AlreadyExists {
                        CliError::Output(format!(
                            "{} already exists; add --force to replace it",
                            path.display()
                        ))
                    } else {
                        cannot(e)
                    }
                })?;
            return Ok(Sink::New {
                file,
                path: path.to_path_buf(),
            });
        }
        let name = path.file_name().ok_or_else(|| {
            CliError::Output(format!(
                "cannot create the Parquet file {}: the path has no file name",
                path.display()
            ))
        })?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".dbconnect-{}.tmp", std::process::id()));
        let temp = path.with_file_name(temp_name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(cannot)?;
        Ok(Sink::Replace {
            file,
            temp,
            path: path.to_path_buf(),
        })
    }

    fn file(&self) -> &File {
        match self {
            Sink::New { file, .. } | Sink::Replace { file, .. } => file,
        }
    }

    /// Makes the written file the result: syncs it and, for a replacement, moves it in place.
    fn commit(self) -> Result<(), CliError> {
        let synced = self.file().sync_all();
        let (written, path) = match &self {
            Sink::New { path, .. } => (path, path),
            Sink::Replace { temp, path, .. } => (temp, path),
        };
        let done = synced.and_then(|()| match &self {
            Sink::New { .. } => Ok(()),
            Sink::Replace { temp, path, .. } => std::fs::rename(temp, path),
        });
        done.map_err(|e| {
            let _ = std::fs::remove_file(written);
            CliError::Output(format!(
                "cannot write the Parquet file {}: {e}",
                path.display()
            ))
        })
    }

    /// Removes what was written, after a failure.
    pub fn discard(self) {
        let written = match &self {
            Sink::New { path, .. } => path,
            Sink::Replace { temp, .. } => temp,
        };
        let _ = std::fs::remove_file(written);
    }
}

/// Writes the result into `sink`; on any failure, or Ctrl-C, the file is removed (a replaced
/// file stays as it was).
pub async fn to_file(results: &mut Results, sink: Sink) -> Result<(), CliError> {
    let writing = write(results, sink.file());
    let result = tokio::select! {
        result = writing => result,
        _ = tokio::signal::ctrl_c() => Err(CliError::Query(
            "interrupted; the Parquet file was not written".into(),
        )),
    };
    match result {
        Ok(()) => sink.commit(),
        Err(e) => {
            sink.discard();
            Err(e)
        }
    }
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
