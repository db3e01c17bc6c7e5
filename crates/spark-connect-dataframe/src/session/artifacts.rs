//! Large local data through cached artifacts, as PySpark sends it.
//!
//! Local data whose Arrow data is at least the server's
//! `spark.sql.session.localRelationCacheThreshold` bytes (counted from the arrays' buffers as
//! pyarrow's `Table.nbytes` counts them, which is what PySpark compares; nothing is encoded to
//! decide) does not travel inside the plan: it is cut into chunks (each a complete Arrow IPC
//! stream of at most `spark.sql.session.localRelationChunkSizeRows` rows and about
//! `spark.sql.session.localRelationChunkSizeBytes` bytes), each chunk is uploaded into the
//! session as the artifact `cache/<sha256 hex>` unless the server already has it, and the plan
//! names the chunks by hash (`ChunkedCachedLocalRelation`). The upload itself is sent in 32 KiB
//! pieces (see [`spark_connect_transport::ARTIFACT_CHUNK_SIZE`]), so no message comes near the
//! gRPC message size limit.
//!
//! The chunks are never all in memory: a blocking thread encodes and hashes them one at a
//! time and hands them on in groups of at most [`UPLOAD_GROUP_BYTES`] through a channel of one
//! group, while the caller's task asks `ArtifactStatus` about each group and uploads what the
//! session lacks with one `AddArtifacts` call per group, as PySpark's `cache_artifacts` does
//! per batch of chunks. So besides the data the client holds about three groups (one being
//! uploaded, one ready, one being encoded), the encoding overlaps the upload, an error of
//! either side ends both and is returned, and dropping the future stops the encoder at its
//! next group.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use arrow_array::{Array, RecordBatch};
use arrow_ipc::writer::StreamWriter;
use arrow_schema::SchemaRef;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use spark_connect_transport::{Artifact, SparkConnectClient, proto};
use tokio::sync::mpsc;

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

/// The most bytes of chunks in one upload group (fewer when the server's
/// `spark.sql.session.localRelationBatchOfChunksSizeBytes` is smaller): the client holds about
/// three groups at once (one uploading, one ready, one being encoded), so this bounds the
/// memory an upload needs besides the data itself. PySpark groups up to that setting (1 GiB by
/// default), which holds the whole encoded data of most uploads.
const UPLOAD_GROUP_BYTES: usize = 8 << 20;

/// Groups encoded ahead of the one being uploaded (the channel's capacity).
const GROUPS_AHEAD: usize = 1;

/// The server's settings for local data, read once per session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LocalRelationConf {
    /// Data of at least this many bytes of Arrow data (the buffers the arrays use, see
    /// `arrow_data_bytes`) is sent as cached artifacts (PySpark compares pyarrow's `nbytes`).
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

/// The bytes of Arrow data in these batches, counted as pyarrow's `Table.nbytes` counts them
/// (the slices of the buffers the arrays use): PySpark compares this with the cache
/// threshold. Nothing is encoded to find it.
fn arrow_data_bytes(batches: &[RecordBatch]) -> Result<u64, Error> {
    let mut total = 0u64;
    for batch in batches {
        total += batch_data_bytes(batch)? as u64;
    }
    Ok(total)
}

/// The bytes of Arrow data one batch holds (see [`arrow_data_bytes`]). A string or binary
/// view column counts its data buffers whole besides its views (Arrow's slice size counts
/// the 16-byte views only; pyarrow's `nbytes` counts the buffers): erring high sends data
/// through the cache rather than inline over the message limit.
fn batch_data_bytes(batch: &RecordBatch) -> Result<usize, Error> {
    fn view_buffers(data: &arrow_data::ArrayData) -> usize {
        use arrow_schema::DataType;
        let own = match data.data_type() {
            DataType::Utf8View | DataType::BinaryView => {
                data.buffers().iter().skip(1).map(|b| b.len()).sum()
            }
            _ => 0,
        };
        own + data.child_data().iter().map(view_buffers).sum::<usize>()
    }
    let mut size = 0;
    for column in batch.columns() {
        let data = column.to_data();
        size += data.get_slice_memory_size()? + view_buffers(&data);
    }
    Ok(size)
}

/// The batches cut into chunks, one at a time: each chunk a complete Arrow IPC stream of at
/// most `max_rows` rows and, unless one 1024-row piece alone is larger, about `max_bytes`
/// bytes counted as PySpark counts them (the empty stream's size plus the pieces' Arrow data).
/// Only the chunk being written is held; the batches are shared, not copied.
struct Chunker {
    batches: std::vec::IntoIter<RecordBatch>,
    schema: SchemaRef,
    piece_rows: usize,
    max_rows: usize,
    max_bytes: usize,
    /// The size of an IPC stream of the schema alone.
    schema_bytes: usize,
    /// The batch being cut and the offset of its next piece.
    current: Option<(RecordBatch, usize)>,
    /// A piece that did not fit into the last chunk, with its size: the next chunk's first.
    pending: Option<(RecordBatch, usize)>,
}

impl Chunker {
    fn new(
        batches: Vec<RecordBatch>,
        schema: SchemaRef,
        max_rows: usize,
        max_bytes: usize,
    ) -> Result<Chunker, Error> {
        let schema_bytes = {
            let writer = StreamWriter::try_new(Vec::new(), &schema)?;
            writer.into_inner()?.len()
        };
        Ok(Chunker {
            batches: batches.into_iter(),
            schema,
            piece_rows: PIECE_ROWS.min(max_rows),
            max_rows,
            max_bytes,
            schema_bytes,
            current: None,
            pending: None,
        })
    }

    /// The next piece of at most `piece_rows` rows, with its Arrow data size.
    fn next_piece(&mut self) -> Result<Option<(RecordBatch, usize)>, Error> {
        if let Some(piece) = self.pending.take() {
            return Ok(Some(piece));
        }
        loop {
            if let Some((batch, offset)) = &mut self.current
                && *offset < batch.num_rows()
            {
                let len = self.piece_rows.min(batch.num_rows() - *offset);
                let piece = batch.slice(*offset, len);
                *offset += len;
                let size = batch_data_bytes(&piece)?;
                return Ok(Some((piece, size)));
            }
            match self.batches.next() {
                Some(batch) => self.current = Some((batch, 0)),
                None => return Ok(None),
            }
        }
    }

    fn next_chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let mut writer: Option<StreamWriter<Vec<u8>>> = None;
        let (mut rows, mut bytes) = (0usize, self.schema_bytes);
        while let Some((piece, size)) = self.next_piece()? {
            let len = piece.num_rows();
            if writer.is_some() && (rows + len > self.max_rows || bytes + size > self.max_bytes) {
                self.pending = Some((piece, size));
                break;
            }
            let w = match &mut writer {
                Some(w) => w,
                None => writer.insert(StreamWriter::try_new(Vec::new(), &self.schema)?),
            };
            w.write(&piece)?;
            rows += len;
            bytes += size;
        }
        match writer {
            Some(w) => Ok(Some(Bytes::from(w.into_inner()?))),
            None => Ok(None),
        }
    }
}

impl Iterator for Chunker {
    type Item = Result<Bytes, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_chunk().transpose()
    }
}

/// Cuts the batches into chunks (see [`Chunker`]), all at once: for tests.
#[cfg(test)]
fn chunks(
    batches: &[RecordBatch],
    schema: &SchemaRef,
    max_rows: usize,
    max_bytes: usize,
) -> Result<Vec<Bytes>, Error> {
    Chunker::new(batches.to_vec(), schema.clone(), max_rows, max_bytes)?.collect()
}

/// One chunk ready to upload: its bytes and their SHA-256, in lowercase hex.
struct Chunk {
    data: Bytes,
    hash: String,
}

impl Chunk {
    fn new(data: Bytes) -> Chunk {
        let hash = sha256_hex(&data);
        Chunk { data, hash }
    }
}

/// Chunks uploaded together: one `ArtifactStatus` call for them, then one `AddArtifacts`
/// call for those the session does not have.
#[derive(Default)]
struct Group {
    chunks: Vec<Chunk>,
    bytes: usize,
}

/// What the encoder and the uploader of one upload have done, for tests to watch.
#[derive(Debug, Default)]
pub(crate) struct UploadProbe {
    /// Chunks encoded and hashed (the schema's included).
    encoded: AtomicUsize,
    /// Chunks whose group the uploader has finished with (uploaded or found cached).
    done: AtomicUsize,
    /// The encoder waits for the uploader to take the group it holds.
    waiting: std::sync::atomic::AtomicBool,
    /// The encoder has stopped (finished, failed, or saw the uploader go away).
    stopped: std::sync::atomic::AtomicBool,
}

/// Sets [`UploadProbe::stopped`] however the encoder ends, a panic included.
struct StopsProbe(Arc<UploadProbe>);

impl Drop for StopsProbe {
    fn drop(&mut self) {
        self.0.stopped.store(true, Ordering::SeqCst);
    }
}

/// How one upload is cut: chunk bounds, group size and the size limit.
#[derive(Debug, Clone, Copy)]
struct UploadPlan {
    chunk_rows: usize,
    chunk_bytes: usize,
    group_bytes: usize,
    size_limit: u64,
}

impl UploadPlan {
    fn new(conf: &LocalRelationConf) -> UploadPlan {
        UploadPlan {
            chunk_rows: conf.chunk_rows,
            // PySpark bounds a chunk by both.
            chunk_bytes: conf.chunk_bytes.min(conf.batch_of_chunks_bytes),
            group_bytes: UPLOAD_GROUP_BYTES.min(conf.batch_of_chunks_bytes),
            size_limit: conf.size_limit,
        }
    }
}

/// Where chunks go: the session's artifacts, or a stand-in in tests.
pub(crate) trait ChunkSink: Sync {
    /// Which of these artifact names the session already has.
    fn cached(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<HashMap<String, bool>, Error>> + Send;
    /// Uploads these artifacts in one call.
    fn upload(&self, artifacts: &[Artifact]) -> impl Future<Output = Result<(), Error>> + Send;
}

impl ChunkSink for SparkConnectClient {
    async fn cached(&self, names: &[String]) -> Result<HashMap<String, bool>, Error> {
        Ok(self.artifact_status(names).await?)
    }

    async fn upload(&self, artifacts: &[Artifact]) -> Result<(), Error> {
        self.add_artifacts(artifacts).await?;
        Ok(())
    }
}

/// Encodes, hashes and groups the chunks, handing each group to the uploader through `tx`;
/// runs on a blocking thread. Stops at the first error, which it hands on, and as soon as the
/// uploader has gone (it failed, or the upload was cancelled).
fn encode_groups(
    chunker: Chunker,
    schema_chunk: Option<Bytes>,
    plan: UploadPlan,
    tx: mpsc::Sender<Result<Group, Error>>,
    probe: Arc<UploadProbe>,
) {
    let _stops = StopsProbe(probe.clone());
    // `Ok(false)`: the uploader has gone.
    let send = |group: Group| -> bool {
        match tx.try_send(Ok(group)) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(item)) => {
                probe.waiting.store(true, Ordering::SeqCst);
                let sent = tx.blocking_send(item).is_ok();
                probe.waiting.store(false, Ordering::SeqCst);
                sent
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    };
    let run = || -> Result<(), Error> {
        let mut group = Group::default();
        let mut total = 0u64;
        let data = schema_chunk.into_iter().map(Ok).chain(chunker);
        for data in data {
            let data = data?;
            total += data.len() as u64;
            if total > plan.size_limit {
                return Err(Error::InvalidArgument(format!(
                    "the local data is at least {total} bytes of Arrow IPC, more than the \
                     server's {SIZE_LIMIT} of {} bytes; write it to a table or files instead",
                    plan.size_limit
                )));
            }
            let chunk = Chunk::new(data);
            probe.encoded.fetch_add(1, Ordering::SeqCst);
            let full =
                !group.chunks.is_empty() && group.bytes + chunk.data.len() > plan.group_bytes;
            if full && !send(std::mem::take(&mut group)) {
                return Ok(());
            }
            group.bytes += chunk.data.len();
            group.chunks.push(chunk);
        }
        if !group.chunks.is_empty() {
            send(group);
        }
        Ok(())
    };
    if let Err(e) = run() {
        let _ = tx.blocking_send(Err(e));
    }
}

/// Uploads local data as cached chunks: a blocking thread encodes and hashes them group by
/// group (see [`encode_groups`]) while this task asks the session which chunks of each group
/// it has and uploads the others. The channel between them holds one group, so the client
/// holds at most about three groups of chunks besides the data. Returns the hashes of all
/// chunks in order, the schema's first when there is one.
async fn upload_chunks<S: ChunkSink>(
    sink: &S,
    state: &LocalDataState,
    batches: Vec<RecordBatch>,
    schema: SchemaRef,
    schema_chunk: Option<Bytes>,
    plan: UploadPlan,
    probe: Arc<UploadProbe>,
) -> Result<Vec<String>, Error> {
    let chunker = Chunker::new(batches, schema, plan.chunk_rows, plan.chunk_bytes)?;
    let (tx, mut rx) = mpsc::channel(GROUPS_AHEAD);
    let encoder = {
        let probe = probe.clone();
        tokio::task::spawn_blocking(move || encode_groups(chunker, schema_chunk, plan, tx, probe))
    };
    let mut hashes = Vec::new();
    let mut seen = HashSet::new();
    while let Some(group) = rx.recv().await {
        let group = group?;
        let count = group.chunks.len();
        let mut names: Vec<String> = group
            .chunks
            .iter()
            .map(|c| format!("cache/{}", c.hash))
            .filter(|name| !seen.contains(name))
            .collect();
        names.sort();
        names.dedup();
        let status = match names.is_empty() {
            true => HashMap::new(),
            false => sink.cached(&names).await?,
        };
        let mut missing: Vec<Artifact> = Vec::new();
        for chunk in group.chunks {
            let name = format!("cache/{}", chunk.hash);
            hashes.push(chunk.hash);
            if !seen.insert(name.clone()) {
                continue;
            }
            if status.get(&name).copied().unwrap_or(false) {
                state.already_cached.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            missing.push(Artifact {
                name,
                data: chunk.data,
            });
        }
        if !missing.is_empty() {
            sink.upload(&missing).await?;
            let bytes: usize = missing.iter().map(|a| a.data.len()).sum();
            state
                .uploaded
                .fetch_add(missing.len() as u64, Ordering::Relaxed);
            state
                .uploaded_bytes
                .fetch_add(bytes as u64, Ordering::Relaxed);
        }
        probe.done.fetch_add(count, Ordering::SeqCst);
    }
    // The channel closed: the encoder has finished, or panicked.
    if let Err(e) = encoder.await {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        return Err(Error::Conversion(format!(
            "encoding the local data as Arrow IPC stopped: {e}"
        )));
    }
    Ok(hashes)
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

    /// The relation for local data: inline when its Arrow data is under the server's
    /// threshold (or the server has no chunked cached relations), as cached chunks otherwise.
    /// `schema_text`, when given, is the schema (Spark's JSON or DDL) the server renames and
    /// casts the columns to, sent as PySpark sends it: in the relation, or as one more cached
    /// artifact.
    ///
    /// The size compared with the threshold is the batches' Arrow data (pyarrow's `nbytes`,
    /// which PySpark compares), so nothing is encoded to decide. Inline data is encoded once,
    /// into the relation; cached data is encoded chunk by chunk while it is uploaded (see
    /// [`upload_chunks`]).
    pub(crate) async fn local_relation(
        &self,
        batches: Vec<RecordBatch>,
        schema: &SchemaRef,
        schema_text: Option<String>,
    ) -> Result<proto::relation::RelType, Error> {
        let conf = self.local_relation_conf().await?;
        let cached = match &conf {
            Some(conf) => arrow_data_bytes(&batches)? >= conf.cache_threshold,
            None => false,
        };
        let conf = match conf {
            Some(conf) if cached => conf,
            _ => {
                let data = crate::session::local::ipc_stream(&batches, schema)?;
                return Ok(proto::relation::RelType::LocalRelation(
                    proto::LocalRelation {
                        data: Some(data.into()),
                        schema: schema_text,
                    },
                ));
            }
        };
        let schema_chunk = schema_text.map(|s| Bytes::from(s.into_bytes()));
        let has_schema = schema_chunk.is_some();
        let mut hashes = upload_chunks(
            self.client(),
            self.local_data(),
            batches,
            schema.clone(),
            schema_chunk,
            UploadPlan::new(&conf),
            Arc::default(),
        )
        .await?;
        self.local_data()
            .cached_relations
            .fetch_add(1, Ordering::Relaxed);
        let schema_hash = match has_schema {
            true => Some(hashes.remove(0)),
            false => None,
        };
        Ok(proto::relation::RelType::ChunkedCachedLocalRelation(
            proto::ChunkedCachedLocalRelation {
                data_hashes: hashes,
                schema_hash,
            },
        ))
    }
}

#[cfg(test)]
mod tests {

    use std::sync::Mutex;

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

    /// A stand-in for the session's artifacts: it keeps what is uploaded, records every call,
    /// and can fail or hang an upload call, or hold each call until the encoder has done all it
    /// may do meanwhile.
    #[derive(Default)]
    struct Store {
        have: Mutex<HashMap<String, Bytes>>,
        status_calls: Mutex<Vec<Vec<String>>>,
        upload_calls: Mutex<Vec<Vec<String>>>,
        /// Chunks encoded but not finished with, seen at each upload call.
        in_flight: Mutex<Vec<usize>>,
        /// Each upload call waits until this probe's encoder waits (or has stopped).
        watch: Option<Arc<UploadProbe>>,
        /// The upload call (counted from 0) that fails.
        fail_at: Option<usize>,
        /// Upload calls never finish; `started` is notified at the first.
        hang: bool,
        started: tokio::sync::Notify,
    }

    /// Waits (at most 20 s, then fails the test) until `done` holds.
    async fn wait_for(what: &str, done: impl Fn() -> bool) {
        for _ in 0..20_000 {
            if done() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        panic!("waited 20 s for {what}");
    }

    impl ChunkSink for Store {
        async fn cached(&self, names: &[String]) -> Result<HashMap<String, bool>, Error> {
            self.status_calls.lock().unwrap().push(names.to_vec());
            let have = self.have.lock().unwrap();
            Ok(names
                .iter()
                .map(|n| (n.clone(), have.contains_key(n)))
                .collect())
        }

        async fn upload(&self, artifacts: &[Artifact]) -> Result<(), Error> {
            let call = {
                let mut calls = self.upload_calls.lock().unwrap();
                calls.push(artifacts.iter().map(|a| a.name.clone()).collect());
                calls.len() - 1
            };
            if let Some(probe) = &self.watch {
                // The encoder goes on while this call lasts: wait until it can go no further.
                wait_for("the encoder to wait or stop", || {
                    probe.waiting.load(Ordering::SeqCst) || probe.stopped.load(Ordering::SeqCst)
                })
                .await;
                let (encoded, done) = (
                    probe.encoded.load(Ordering::SeqCst),
                    probe.done.load(Ordering::SeqCst),
                );
                self.in_flight.lock().unwrap().push(encoded - done);
            }
            if self.hang {
                self.started.notify_one();
                std::future::pending::<()>().await;
            }
            if self.fail_at == Some(call) {
                return Err(Error::Protocol("the stand-in refused the upload".into()));
            }
            let mut have = self.have.lock().unwrap();
            for a in artifacts {
                assert_eq!(format!("cache/{}", sha256_hex(&a.data)), a.name);
                have.insert(a.name.clone(), a.data.clone());
            }
            Ok(())
        }
    }

    /// `rows` ids from `first`, in batches of 200 rows.
    fn id_batches(first: i64, rows: i64) -> Vec<RecordBatch> {
        let ids = Int64Array::from_iter_values(first..first + rows);
        let batch = RecordBatch::try_from_iter([("id", Arc::new(ids) as _)]).unwrap();
        (0..rows as usize)
            .step_by(200)
            .map(|o| batch.slice(o, 200.min(rows as usize - o)))
            .collect()
    }

    /// The ids in these chunks, in order.
    fn decode_ids(store: &Store, hashes: &[String]) -> Vec<i64> {
        let have = store.have.lock().unwrap();
        let mut ids = Vec::new();
        for hash in hashes {
            let chunk = &have[&format!("cache/{hash}")];
            for batch in StreamReader::try_new(chunk.as_ref(), None).unwrap() {
                let batch = batch.unwrap();
                let col = batch.column(0).as_any().downcast_ref::<Int64Array>();
                ids.extend(col.unwrap().values().iter().copied());
            }
        }
        ids
    }

    /// Chunks of 100 rows, two to a group.
    fn two_chunk_groups(batches: &[RecordBatch]) -> UploadPlan {
        let one = chunks(&batches[..1], &batches[0].schema(), 100, usize::MAX).unwrap();
        UploadPlan {
            chunk_rows: 100,
            chunk_bytes: usize::MAX,
            group_bytes: 2 * one[0].len(),
            size_limit: u64::MAX,
        }
    }

    async fn run(
        store: &Store,
        state: &LocalDataState,
        batches: Vec<RecordBatch>,
        schema_chunk: Option<Bytes>,
        plan: UploadPlan,
        probe: Arc<UploadProbe>,
    ) -> Result<Vec<String>, Error> {
        let schema = batches[0].schema();
        upload_chunks(store, state, batches, schema, schema_chunk, plan, probe).await
    }

    #[tokio::test]
    async fn the_encoder_works_ahead_by_at_most_two_groups_and_a_chunk() {
        let batches = id_batches(0, 4_000);
        let plan = two_chunk_groups(&batches);
        let probe = Arc::new(UploadProbe::default());
        let store = Store {
            watch: Some(probe.clone()),
            ..Store::default()
        };
        let state = LocalDataState::default();
        let hashes = run(&store, &state, batches, None, plan, probe.clone())
            .await
            .unwrap();
        assert_eq!(hashes.len(), 40);
        assert_eq!(
            store.upload_calls.lock().unwrap().len(),
            20,
            "two chunks a call"
        );
        assert_eq!(
            store.status_calls.lock().unwrap().len(),
            20,
            "one status a group"
        );
        // While a group uploads, one more waits in the channel, the encoder holds the next
        // and the chunk that did not fit into it, and goes no further: 2 + 2 + 2 + 1.
        let in_flight = store.in_flight.lock().unwrap().clone();
        assert_eq!(in_flight.iter().max(), Some(&7), "{in_flight:?}");
        assert_eq!(probe.encoded.load(Ordering::SeqCst), 40);
        assert_eq!(decode_ids(&store, &hashes), (0..4_000).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn uploaded_chunks_hold_the_data_in_order_after_the_schema() {
        let batches = id_batches(-500, 2_345);
        let plan = two_chunk_groups(&batches);
        let store = Store::default();
        let state = LocalDataState::default();
        let schema_text = Bytes::from_static(b"id BIGINT");
        let probe = Arc::new(UploadProbe::default());
        let mut hashes = run(
            &store,
            &state,
            batches,
            Some(schema_text.clone()),
            plan,
            probe,
        )
        .await
        .unwrap();
        assert_eq!(hashes.remove(0), sha256_hex(&schema_text));
        assert_eq!(hashes.len(), 24, "{hashes:?}");
        assert_eq!(
            decode_ids(&store, &hashes),
            (-500..1_845).collect::<Vec<_>>()
        );
        assert_eq!(state.uploaded.load(Ordering::Relaxed), 25);
        let bytes: usize = store.have.lock().unwrap().values().map(Bytes::len).sum();
        assert_eq!(state.uploaded_bytes.load(Ordering::Relaxed), bytes as u64);
    }

    #[tokio::test]
    async fn chunks_the_session_has_or_repeats_are_sent_once() {
        let store = Store::default();
        let state = LocalDataState::default();
        let plan = two_chunk_groups(&id_batches(0, 1_000));
        let up = |batches| run(&store, &state, batches, None, plan, Arc::default());
        let first = up(id_batches(0, 1_000)).await.unwrap();
        assert_eq!(state.uploaded.load(Ordering::Relaxed), 10);
        // The same data again: every chunk is found, none is sent.
        let again = up(id_batches(0, 1_000)).await.unwrap();
        assert_eq!(again, first);
        assert_eq!(state.uploaded.load(Ordering::Relaxed), 10);
        assert_eq!(state.already_cached.load(Ordering::Relaxed), 10);
        assert_eq!(store.upload_calls.lock().unwrap().len(), 5);
        // Its last 500 rows and 500 new ones: half the chunks are sent.
        let overlap = up(id_batches(500, 1_000)).await.unwrap();
        assert_eq!(overlap[..5], first[5..]);
        assert_eq!(state.uploaded.load(Ordering::Relaxed), 15);
        // Ten equal chunks (the same 100 ids ten times) across five groups: one upload.
        let same: Vec<RecordBatch> = (0..10).flat_map(|_| id_batches(7, 100)).collect();
        let hashes = up(same).await.unwrap();
        assert_eq!(hashes.len(), 10);
        assert!(hashes.iter().all(|h| *h == hashes[0]));
        assert_eq!(state.uploaded.load(Ordering::Relaxed), 16);
        // Asked for once, in the first group; the later groups repeat it and ask nothing.
        let calls = store.status_calls.lock().unwrap();
        assert_eq!(calls.last().unwrap(), &[format!("cache/{}", hashes[0])]);
        assert_eq!(calls.len(), 5 + 5 + 5 + 1);
    }

    #[tokio::test]
    async fn a_failed_upload_is_reported_and_stops_the_encoder() {
        let batches = id_batches(0, 20_000);
        let plan = two_chunk_groups(&batches);
        let store = Store {
            fail_at: Some(1),
            ..Store::default()
        };
        let state = LocalDataState::default();
        let probe = Arc::new(UploadProbe::default());
        let err = run(&store, &state, batches, None, plan, probe.clone())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("refused the upload"), "{err}");
        assert_eq!(store.upload_calls.lock().unwrap().len(), 2);
        assert_eq!(
            state.uploaded.load(Ordering::Relaxed),
            2,
            "the first group only"
        );
        wait_for("the encoder to stop", || {
            probe.stopped.load(Ordering::SeqCst)
        })
        .await;
        assert!(
            probe.encoded.load(Ordering::SeqCst) < 200,
            "it did not encode everything"
        );
    }

    #[tokio::test]
    async fn data_over_the_size_limit_is_an_error_naming_the_setting() {
        let batches = id_batches(0, 5_000);
        let plan = UploadPlan {
            size_limit: 10_000,
            ..two_chunk_groups(&batches)
        };
        let store = Store::default();
        let state = LocalDataState::default();
        let probe = Arc::new(UploadProbe::default());
        let err = run(&store, &state, batches, None, plan, probe)
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
        assert!(
            text.contains(SIZE_LIMIT) && text.contains("10000"),
            "{text}"
        );
        // The chunks over the limit were never sent.
        let sent: usize = store.have.lock().unwrap().values().map(Bytes::len).sum();
        assert!(sent <= 10_000, "{sent}");
    }

    #[tokio::test]
    async fn cancelling_the_upload_stops_the_encoder() {
        let batches = id_batches(0, 20_000);
        let plan = two_chunk_groups(&batches);
        let store = Store {
            hang: true,
            ..Store::default()
        };
        let state = LocalDataState::default();
        let probe = Arc::new(UploadProbe::default());
        let upload = run(&store, &state, batches, None, plan, probe.clone());
        tokio::select! {
            _ = upload => panic!("the upload cannot finish"),
            _ = store.started.notified() => {}
        }
        // The upload future is dropped: the encoder sees it at its next group and stops.
        wait_for("the encoder to stop", || {
            probe.stopped.load(Ordering::SeqCst)
        })
        .await;
        assert!(probe.encoded.load(Ordering::SeqCst) <= 7);
    }

    /// `create_dataframe`'s future can be spawned on a multi-threaded runtime.
    #[allow(dead_code)]
    fn uploads_are_send(spark: &SparkSession, batches: &[RecordBatch]) {
        fn send<T: Send>(_: T) {}
        send(spark.create_dataframe(batches));
        send(upload_chunks(
            spark.client(),
            spark.local_data(),
            batches.to_vec(),
            batches[0].schema(),
            None,
            two_chunk_groups(batches),
            Arc::default(),
        ));
    }

    #[test]
    fn the_size_compared_with_the_threshold_is_the_arrow_data() {
        let ids = Int64Array::from_iter_values(0..1000);
        let names = StringArray::from_iter_values((0..1000).map(|i| format!("{i:04}")));
        let batch = RecordBatch::try_from_iter([
            ("id", Arc::new(ids) as _),
            ("name", Arc::new(names) as _),
        ])
        .unwrap();
        // 8 bytes an id; 4 bytes of text and a 4-byte offset a name, and one more offset.
        assert_eq!(
            arrow_data_bytes(std::slice::from_ref(&batch)).unwrap(),
            16_004
        );
        // Slices count what they use, as pyarrow's nbytes does.
        let halves = [batch.slice(0, 500), batch.slice(500, 500)];
        assert_eq!(
            arrow_data_bytes(&halves).unwrap(),
            2 * (4_000 + 2_000 + 2_004)
        );
    }

    #[test]
    fn string_views_count_their_data_buffers_too() {
        use arrow_array::StringViewArray;
        // Strings longer than 12 bytes live in a data buffer; the views are 16 bytes each.
        let long = StringViewArray::from_iter_values((0..1000).map(|i| format!("{i:0100}")));
        let batch = RecordBatch::try_from_iter([("s", Arc::new(long) as _)]).unwrap();
        let bytes = arrow_data_bytes(std::slice::from_ref(&batch)).unwrap();
        // 16 000 bytes of views and at least the 100 000 bytes of text.
        assert!(bytes >= 116_000, "{bytes}");
        // Also inside a list.
        let values = StringViewArray::from_iter_values((0..10).map(|i| format!("{i:0100}")));
        let offsets = arrow_buffer::OffsetBuffer::new(vec![0i32, 10].into());
        let field = Arc::new(arrow_schema::Field::new(
            "item",
            values.data_type().clone(),
            true,
        ));
        let list = arrow_array::ListArray::new(field, offsets, Arc::new(values), None);
        let batch = RecordBatch::try_from_iter([("l", Arc::new(list) as _)]).unwrap();
        let bytes = arrow_data_bytes(std::slice::from_ref(&batch)).unwrap();
        assert!(bytes >= 1_000, "{bytes}");
    }
}
