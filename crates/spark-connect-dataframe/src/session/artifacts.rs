//! Large local data through cached artifacts, as PySpark sends it.
//!
//! Local data whose Arrow IPC stream is at least the server's
//! `spark.sql.session.localRelationCacheThreshold` does not travel inside the plan: it is cut
//! into chunks (each a complete Arrow IPC stream of at most
//! `spark.sql.session.localRelationChunkSizeRows` rows and about
//! `spark.sql.session.localRelationChunkSizeBytes` bytes), each chunk is uploaded into the
//! session as the artifact `cache/<sha256 hex>` unless the server already has it, and the plan
//! names the chunks by hash (`ChunkedCachedLocalRelation`). The upload itself is sent in 32 KiB
//! pieces (see [`spark_connect_transport::ARTIFACT_CHUNK_SIZE`]), so no message comes near the
//! gRPC message size limit.

use std::sync::atomic::{AtomicU64, Ordering};

use arrow_array::{Array, RecordBatch};
use arrow_ipc::writer::StreamWriter;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use spark_connect_transport::{Artifact, proto};

use crate::Error;
use crate::session::SparkSession;

const CACHE_THRESHOLD: &str = "spark.sql.session.localRelationCacheThreshold";
const SIZE_LIMIT: &str = "spark.sql.session.localRelationSizeLimit";
const CHUNK_ROWS: &str = "spark.sql.session.localRelationChunkSizeRows";
const CHUNK_BYTES: &str = "spark.sql.session.localRelationChunkSizeBytes";
const BATCH_OF_CHUNKS_BYTES: &str = "spark.sql.session.localRelationBatchOfChunksSizeBytes";

/// Rows per piece when cutting batches into chunks (PySpark and the Scala client check the
/// size every 1024 rows).
const PIECE_ROWS: usize = 1024;

/// The server's settings for local data, read once per session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LocalRelationConf {
    /// Data of at least this many bytes of Arrow IPC is sent as cached artifacts (PySpark
    /// compares the same way).
    cache_threshold: u64,
    /// The largest local relation the server accepts, in bytes.
    size_limit: u64,
    /// At most this many rows per chunk.
    chunk_rows: usize,
    /// About this many bytes per chunk.
    chunk_bytes: usize,
    /// At most this many bytes of chunks per `AddArtifacts` call.
    batch_of_chunks_bytes: usize,
}

/// A session's state for local data: the settings, read on first use, and counters.
#[derive(Debug, Default)]
pub(crate) struct LocalDataState {
    /// `None` inside: the server has no chunked cached relations (before Spark 4.1), so local
    /// data always travels inline.
    conf: tokio::sync::OnceCell<Option<LocalRelationConf>>,
    uploaded: AtomicU64,
    uploaded_bytes: AtomicU64,
    already_cached: AtomicU64,
    cached_relations: AtomicU64,
}

/// What a session did with local data that went through cached artifacts; see
/// [`SparkSession::artifact_stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ArtifactStats {
    /// DataFrames whose local data was sent as cached artifacts rather than inline.
    pub cached_relations: u64,
    /// Chunks uploaded.
    pub uploaded: u64,
    /// Bytes of the chunks uploaded.
    pub uploaded_bytes: u64,
    /// Chunks not uploaded because the session already had them.
    pub already_cached: u64,
}

/// Parses a byte size as Spark writes it: a number of bytes, or a number with a unit
/// (`b`, `k`/`kb`, `m`/`mb`, `g`/`gb`, `t`/`tb`, `p`/`pb`, powers of 1024).
fn parse_bytes(key: &str, value: &str) -> Result<u64, Error> {
    let v = value.trim().to_ascii_lowercase();
    let digits = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (number, unit) = v.split_at(digits);
    let shift = match unit.trim() {
        "" | "b" => 0,
        "k" | "kb" => 10,
        "m" | "mb" => 20,
        "g" | "gb" => 30,
        "t" | "tb" => 40,
        "p" | "pb" => 50,
        _ => u32::MAX,
    };
    number
        .parse::<u64>()
        .ok()
        .filter(|_| shift != u32::MAX)
        .and_then(|n| n.checked_mul(1u64 << shift))
        .ok_or_else(|| {
            Error::Protocol(format!(
                "the server's {key} is '{value}', expected a size in bytes such as 1048576 or 1m"
            ))
        })
}

impl LocalRelationConf {
    fn from_pairs(pairs: &[(String, Option<String>)]) -> Result<Option<Self>, Error> {
        let get = |key: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.as_deref())
        };
        let (Some(threshold), Some(rows), Some(bytes)) =
            (get(CACHE_THRESHOLD), get(CHUNK_ROWS), get(CHUNK_BYTES))
        else {
            return Ok(None);
        };
        let chunk_rows = rows.trim().parse::<usize>().ok().filter(|n| *n > 0);
        let chunk_rows = chunk_rows.ok_or_else(|| {
            Error::Protocol(format!(
                "the server's {CHUNK_ROWS} is '{rows}', expected a positive number of rows"
            ))
        })?;
        let to_usize = |n: u64| usize::try_from(n).unwrap_or(usize::MAX).max(1);
        Ok(Some(LocalRelationConf {
            cache_threshold: parse_bytes(CACHE_THRESHOLD, threshold)?,
            size_limit: match get(SIZE_LIMIT) {
                Some(v) => parse_bytes(SIZE_LIMIT, v)?,
                None => u64::MAX,
            },
            chunk_rows,
            chunk_bytes: to_usize(parse_bytes(CHUNK_BYTES, bytes)?),
            batch_of_chunks_bytes: match get(BATCH_OF_CHUNKS_BYTES) {
                Some(v) => to_usize(parse_bytes(BATCH_OF_CHUNKS_BYTES, v)?),
                None => usize::MAX,
            },
        }))
    }
}

/// Cuts the batches into chunks, each a complete Arrow IPC stream of at most `max_rows` rows
/// and, unless one piece alone is larger, about `max_bytes` bytes of column data.
fn chunks(
    batches: &[RecordBatch],
    schema: &SchemaRef,
    max_rows: usize,
    max_bytes: usize,
) -> Result<Vec<Bytes>, Error> {
    fn finish(writer: StreamWriter<Vec<u8>>) -> Result<Bytes, Error> {
        Ok(Bytes::from(writer.into_inner()?))
    }
    let piece_rows = PIECE_ROWS.min(max_rows);
    let mut out = Vec::new();
    let mut writer: Option<StreamWriter<Vec<u8>>> = None;
    let (mut rows, mut bytes) = (0usize, 0usize);
    for batch in batches {
        let mut offset = 0;
        while offset < batch.num_rows() {
            let len = piece_rows.min(batch.num_rows() - offset);
            let piece = batch.slice(offset, len);
            offset += len;
            let mut size = 0;
            for column in piece.columns() {
                size += column.to_data().get_slice_memory_size()?;
            }
            if writer.is_some() && (rows + len > max_rows || bytes + size > max_bytes) {
                out.push(finish(writer.take().expect("checked above"))?);
                (rows, bytes) = (0, 0);
            }
            let w = match &mut writer {
                Some(w) => w,
                None => writer.insert(StreamWriter::try_new(Vec::new(), schema)?),
            };
            w.write(&piece)?;
            rows += len;
            bytes += size;
        }
    }
    if let Some(w) = writer {
        out.push(finish(w)?);
    }
    Ok(out)
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl SparkSession {
    /// What this session did with large local data: how many DataFrames went through cached
    /// artifacts, how many chunks were uploaded and how many the server already had.
    ///
    /// ```
    /// # use spark_connect_dataframe::*;
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Error> {
    /// # let spark = SparkSession::builder().remote("sc://127.0.0.1:1").build().await?;
    /// let stats = spark.artifact_stats();
    /// assert_eq!((stats.cached_relations, stats.uploaded), (0, 0)); // no large local data yet
    /// # Ok(())
    /// # }
    /// ```
    pub fn artifact_stats(&self) -> ArtifactStats {
        let s = self.local_data();
        ArtifactStats {
            cached_relations: s.cached_relations.load(Ordering::Relaxed),
            uploaded: s.uploaded.load(Ordering::Relaxed),
            uploaded_bytes: s.uploaded_bytes.load(Ordering::Relaxed),
            already_cached: s.already_cached.load(Ordering::Relaxed),
        }
    }

    async fn local_relation_conf(&self) -> Result<Option<LocalRelationConf>, Error> {
        let conf = self
            .local_data()
            .conf
            .get_or_try_init(|| async {
                let keys = [
                    CACHE_THRESHOLD,
                    SIZE_LIMIT,
                    CHUNK_ROWS,
                    CHUNK_BYTES,
                    BATCH_OF_CHUNKS_BYTES,
                ];
                let response = self
                    .client()
                    .config(proto::config_request::Operation {
                        op_type: Some(proto::config_request::operation::OpType::GetOption(
                            proto::config_request::GetOption {
                                keys: keys.iter().map(|k| k.to_string()).collect(),
                            },
                        )),
                    })
                    .await?;
                let pairs: Vec<(String, Option<String>)> = response
                    .pairs
                    .into_iter()
                    .map(|kv| (kv.key, kv.value))
                    .collect();
                let conf = LocalRelationConf::from_pairs(&pairs)?;
                tracing::debug!(?conf, "local relation settings");
                Ok::<_, Error>(conf)
            })
            .await?;
        Ok(*conf)
    }

    /// The relation for local data whose IPC stream is `ipc`: inline up to the server's
    /// threshold, as cached artifacts above it. `schema_text`, when given, is the schema
    /// (Spark's JSON or DDL) the server renames and casts the columns to, sent as PySpark
    /// sends it: in the relation, or as one more cached artifact.
    pub(crate) async fn local_relation(
        &self,
        batches: &[RecordBatch],
        schema: &SchemaRef,
        ipc: Vec<u8>,
        schema_text: Option<String>,
    ) -> Result<proto::relation::RelType, Error> {
        let inline = |ipc: Vec<u8>, schema: Option<String>| {
            proto::relation::RelType::LocalRelation(proto::LocalRelation {
                data: Some(ipc.into()),
                schema,
            })
        };
        let Some(conf) = self.local_relation_conf().await? else {
            return Ok(inline(ipc, schema_text));
        };
        let size = ipc.len() as u64;
        if size < conf.cache_threshold {
            return Ok(inline(ipc, schema_text));
        }
        let schema_chunk = schema_text.map(|s| Bytes::from(s.into_bytes()));
        let size = size + schema_chunk.as_ref().map_or(0, |s| s.len() as u64);
        if size > conf.size_limit {
            return Err(Error::InvalidArgument(format!(
                "the local data is {size} bytes of Arrow IPC, more than the server's \
                 {SIZE_LIMIT} of {} bytes; write it to a table or files instead",
                conf.size_limit
            )));
        }
        drop(ipc);
        let max_bytes = conf.chunk_bytes.min(conf.batch_of_chunks_bytes);
        let mut chunks = chunks(batches, schema, conf.chunk_rows, max_bytes)?;
        // The schema goes first, as PySpark uploads it.
        let schema_hash = schema_chunk.map(|chunk| {
            let hash = sha256_hex(&chunk);
            chunks.insert(0, chunk);
            hash
        });
        let hashes: Vec<String> = chunks.iter().map(|c| sha256_hex(c)).collect();
        self.cache_chunks(&chunks, &hashes, conf.batch_of_chunks_bytes)
            .await?;
        self.local_data()
            .cached_relations
            .fetch_add(1, Ordering::Relaxed);
        let data_hashes = match schema_hash {
            Some(_) => hashes[1..].to_vec(),
            None => hashes,
        };
        Ok(proto::relation::RelType::ChunkedCachedLocalRelation(
            proto::ChunkedCachedLocalRelation {
                data_hashes,
                schema_hash,
            },
        ))
    }

    /// Uploads the chunks the session does not have yet, at most `max_call_bytes` per call.
    async fn cache_chunks(
        &self,
        chunks: &[Bytes],
        hashes: &[String],
        max_call_bytes: usize,
    ) -> Result<(), Error> {
        let mut names: Vec<String> = hashes.iter().map(|h| format!("cache/{h}")).collect();
        names.sort();
        names.dedup();
        let status = self.client().artifact_status(&names).await?;
        let state = self.local_data();
        let mut seen = std::collections::HashSet::new();
        let mut call: Vec<Artifact> = Vec::new();
        let mut call_bytes = 0;
        for (chunk, hash) in chunks.iter().zip(hashes) {
            let name = format!("cache/{hash}");
            if !seen.insert(name.clone()) {
                continue;
            }
            if status.get(&name).copied().unwrap_or(false) {
                state.already_cached.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            if !call.is_empty() && call_bytes + chunk.len() > max_call_bytes {
                self.upload(std::mem::take(&mut call)).await?;
                call_bytes = 0;
            }
            call_bytes += chunk.len();
            call.push(Artifact {
                name,
                data: chunk.clone(),
            });
        }
        self.upload(call).await
    }

    async fn upload(&self, artifacts: Vec<Artifact>) -> Result<(), Error> {
        if artifacts.is_empty() {
            return Ok(());
        }
        self.client().add_artifacts(&artifacts).await?;
        let state = self.local_data();
        let bytes: usize = artifacts.iter().map(|a| a.data.len()).sum();
        state
            .uploaded
            .fetch_add(artifacts.len() as u64, Ordering::Relaxed);
        state
            .uploaded_bytes
            .fetch_add(bytes as u64, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Int64Array, StringArray};
    use arrow_ipc::reader::StreamReader;

    use super::*;

    #[test]
    fn byte_sizes_parse_as_spark_writes_them() {
        assert_eq!(parse_bytes("k", "1048576").unwrap(), 1 << 20);
        assert_eq!(parse_bytes("k", "64m").unwrap(), 64 << 20);
        assert_eq!(parse_bytes("k", "3GB").unwrap(), 3 << 30);
        assert_eq!(parse_bytes("k", "10b").unwrap(), 10);
        let err = parse_bytes("spark.x", "lots").unwrap_err().to_string();
        assert!(err.contains("spark.x") && err.contains("'lots'"), "{err}");
        assert!(parse_bytes("k", "99999999999p").is_err());
    }

    #[test]
    fn settings_without_chunk_keys_mean_inline_only() {
        let pairs = vec![(CACHE_THRESHOLD.to_string(), Some("64m".to_string()))];
        assert_eq!(LocalRelationConf::from_pairs(&pairs).unwrap(), None);
        let pairs = vec![
            (CACHE_THRESHOLD.to_string(), Some("1m".to_string())),
            (CHUNK_ROWS.to_string(), Some("0".to_string())),
            (CHUNK_BYTES.to_string(), Some("16m".to_string())),
        ];
        let err = LocalRelationConf::from_pairs(&pairs).unwrap_err();
        assert!(err.to_string().contains(CHUNK_ROWS), "{err}");
    }

    #[test]
    fn chunks_are_complete_streams_within_the_row_and_byte_bounds() {
        let ids: Vec<i64> = (0..5000).collect();
        let names: Vec<String> = ids.iter().map(|i| format!("name-{i}")).collect();
        let batch = RecordBatch::try_from_iter([
            ("id", Arc::new(Int64Array::from(ids.clone())) as _),
            ("name", Arc::new(StringArray::from(names)) as _),
        ])
        .unwrap();
        let schema = batch.schema();
        let (a, b) = (batch.slice(0, 3000), batch.slice(3000, 2000));
        // By rows: 5000 rows, at most 2000 per chunk.
        let by_rows = chunks(&[a.clone(), b.clone()], &schema, 2000, usize::MAX).unwrap();
        let mut all = Vec::new();
        for chunk in &by_rows {
            let mut rows = 0;
            for batch in StreamReader::try_new(chunk.as_ref(), None).unwrap() {
                let batch = batch.unwrap();
                assert_eq!(batch.schema(), schema);
                rows += batch.num_rows();
                let col = batch.column(0).as_any().downcast_ref::<Int64Array>();
                all.extend(col.unwrap().values().iter().copied());
            }
            assert!(rows <= 2000, "{rows}");
        }
        assert_eq!(all, ids);
        assert_eq!(by_rows.len(), 3);
        // By bytes: a 1024-row piece is about 8 KiB of ids plus ~14 KiB of names.
        let by_bytes = chunks(&[a, b], &schema, usize::MAX, 30_000).unwrap();
        assert_eq!(by_bytes.len(), 5, "one 1024-row piece per chunk");
    }
}
