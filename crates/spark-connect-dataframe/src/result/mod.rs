//! Decoding of `ExecutePlan` responses into Arrow record batches, as they arrive.
//!
//! This folder holds everything that turns what the server sends back into values:
//! - here: [`RecordBatchStream`], the decoder of Arrow payloads and [`PayloadCopies`];
//! - `payload_shift.rs`: where a payload is placed so that Arrow need not copy it again;
//! - `progress.rs`: execution progress reported while a query runs;
//! - `row/`: [`Row`](crate::Row) and its values (public as `crate::row`);
//! - `typed_rows.rs`: rows as serde values (public as `crate::typed_rows`, feature `serde`);
//! - `fuzzing.rs`: entry points for the fuzz targets (public but hidden, not supported API).

#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod payload_shift;
#[cfg(feature = "polars")]
pub mod polars_frames;
pub(crate) mod progress;
pub mod row;
#[cfg(feature = "serde")]
pub mod typed_rows;

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use arrow_array::RecordBatch;
use arrow_buffer::{Buffer, MutableBuffer};
use arrow_ipc::reader::StreamDecoder;
use arrow_schema::SchemaRef;
use futures_util::Stream;
use spark_connect_transport::{ExecuteStream, proto};

use crate::Error;
use crate::result::progress::ProgressSender;
use crate::types::StructType;

/// The batches of a query result, decoded while later ones are still arriving.
///
/// The transport gathers each result message into an allocation of its own, placed so that
/// its Arrow payload is aligned for every Arrow type (decimals included), and the payload
/// becomes [`RecordBatch`] buffers without a copy: the batch's arrays share that allocation,
/// which holds the one message and nothing else, streamed or collected. A payload that did not
/// arrive so placed is copied once, whole, into an aligned allocation of its exact size, so
/// that Arrow need not copy its buffers one by one; [`collect_all`] (`DataFrame::collect`)
/// also copies one that is aligned but not in an allocation of its own, which would keep a
/// shared receive buffer alive with the result.
///
/// [`collect_all`]: RecordBatchStream::collect_all
///
/// A batch
/// whose rows differ from the count the server announced, or that starts at another offset
/// than the rows received so far, is an error. Batches the server splits into chunks (Spark
/// 4.1+ result chunking, which this client allows) are decoded as their chunks arrive, and each
/// chunk must be the next one of its batch.
///
/// The execution is reattachable (see [`ExecuteStream`]): a broken connection is resumed after
/// the last response received, and the stream ends only after the server's `ResultComplete`,
/// so a result cut short is an error, never a silently shorter result. Dropping the stream
/// before its end stops the query on the server.
pub struct RecordBatchStream {
    source: Source,
    decoder: ResultDecoder,
    finished: bool,
    /// The latest execution progress report (see `progress.rs`).
    pub(crate) progress: ProgressSender,
}

/// Where the responses of a result come from.
enum Source {
    /// An execution on the server.
    Remote(ExecuteStream),
    /// A result the server computed and sent with an earlier answer (a SQL command's rows, see
    /// `DataFrame::stream`), decoded whole when the stream was made: no request.
    Computed {
        /// The operation that computed it.
        operation_id: String,
    },
}

impl Source {
    fn operation_id(&self) -> &str {
        match self {
            Source::Remote(stream) => stream.operation_id(),
            Source::Computed { operation_id } => operation_id,
        }
    }
}

/// The decoding state of a result: everything but the transport, so that the same code decodes
/// a live stream and the fuzz targets' inputs.
#[derive(Default)]
pub(crate) struct ResultDecoder {
    pending: VecDeque<RecordBatch>,
    arrow_schema: Option<SchemaRef>,
    spark_schema: Option<StructType>,
    rows: i64,
    /// A batch the server split into chunks, while its chunks arrive.
    chunked: Option<ChunkedBatch>,
    /// Observed metrics received (`DataFrame::observe`), and where to deliver them.
    observed: crate::observation::Received,
    /// Whether every payload is copied into an allocation of its own exact size (the result
    /// is being kept whole), rather than only the misaligned ones.
    compact: bool,
    /// Whether each payload arrives in an allocation of its own, holding only its message
    /// (the transport gathers each result message into one, see `PayloadPlacement`), so that
    /// keeping it keeps nothing else alive.
    placed: bool,
    /// Arrow payloads copied, and their bytes.
    copies: PayloadCopies,
}

/// How many Arrow payloads a result's decoding copied, and how many bytes (see
/// [`RecordBatchStream::payload_copies`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PayloadCopies {
    /// Payloads received (the `data` of each `ArrowBatch` response or chunk).
    pub payloads: u64,
    /// Bytes received in those payloads.
    pub bytes: u64,
    /// Payloads this client copied (at most once each).
    pub copied_payloads: u64,
    /// Bytes this client copied.
    pub copied_bytes: u64,
}

/// The alignment a payload must start at for none of its Arrow buffers to need a copy: IPC
/// aligns each buffer within the payload to 8 bytes, and `decimal(…)` values (`i128`) need 16.
const PAYLOAD_ALIGNMENT: usize = 16;

/// The decoding state of one Arrow batch that arrives in chunks (Spark 4.1+).
struct ChunkedBatch {
    decoder: StreamDecoder,
    next_index: i64,
    total: i64,
    rows: i64,
}

impl std::fmt::Debug for RecordBatchStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordBatchStream")
            .field("operation_id", &self.source.operation_id())
            .field("rows", &self.decoder.rows)
            .field("finished", &self.finished)
            .finish()
    }
}

impl RecordBatchStream {
    pub(crate) fn new(inner: ExecuteStream) -> RecordBatchStream {
        RecordBatchStream {
            source: Source::Remote(inner),
            decoder: ResultDecoder {
                placed: true,
                ..ResultDecoder::default()
            },
            finished: false,
            progress: ProgressSender::default(),
        }
    }

    /// The batches of an Arrow IPC stream that the server already sent as the result of
    /// `operation_id` (a SQL command's rows): decoded here, with the same checks and copies as
    /// a result that arrives from an execution, and no request.
    pub(crate) fn computed(
        operation_id: String,
        data: bytes::Bytes,
    ) -> Result<RecordBatchStream, Error> {
        let mut decoder = ResultDecoder::default();
        decoder.decode_whole(data).map_err(|e| {
            Error::Protocol(format!(
                "the rows the server sent with SQL command (operation {operation_id}) are not a \
                 valid Arrow IPC stream: {e}"
            ))
        })?;
        // The server sends no Spark schema with these rows; the same one it would send with
        // a computed result is the one of their Arrow schema.
        if decoder.spark_schema.is_none()
            && let Some(arrow) = &decoder.arrow_schema
        {
            decoder.spark_schema = Some(StructType::from_arrow(arrow.fields()));
        }
        Ok(RecordBatchStream {
            source: Source::Computed { operation_id },
            decoder,
            finished: true,
            progress: ProgressSender::default(),
        })
    }

    /// Whether the batches were decoded from a result the server had already sent, with no
    /// request of their own (a SQL command's rows, see
    /// [`SparkSession::sql`](crate::SparkSession::sql)).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let tables = spark.sql("SHOW TABLES").await?; // the command runs here
    /// assert!(tables.stream().await?.is_precomputed()); // its rows came with it
    /// assert!(!spark.range(0, 3).stream().await?.is_precomputed());
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_precomputed(&self) -> bool {
        matches!(self.source, Source::Computed { .. })
    }

    /// The Arrow schema of the batches, once the first batch has arrived.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use futures_util::StreamExt;
    /// let mut stream = spark.sql("SELECT 1 AS id").await?.stream().await?;
    /// let first = stream.next().await.transpose()?;
    /// assert_eq!(stream.schema().map(|s| s.field(0).name().clone()), Some("id".to_string()));
    /// # let _ = first;
    /// # Ok(())
    /// # }
    /// ```
    pub fn schema(&self) -> Option<SchemaRef> {
        self.decoder.arrow_schema.clone()
    }

    /// The Spark schema, if the server sent one.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use futures_util::StreamExt;
    /// let mut stream = spark.sql("SELECT 1 AS id").await?.stream().await?;
    /// while let Some(batch) = stream.next().await { batch?; }
    /// let schema = stream.spark_schema().expect("Spark 4 sends it with the result");
    /// assert_eq!(schema.fields[0].name, "id");
    /// # Ok(())
    /// # }
    /// ```
    pub fn spark_schema(&self) -> Option<&StructType> {
        self.decoder.spark_schema.as_ref()
    }

    /// Rows received so far.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use futures_util::StreamExt;
    /// let mut stream = spark.range(0, 10).stream().await?;
    /// while let Some(batch) = stream.next().await { batch?; }
    /// assert_eq!(stream.rows_received(), 10);
    /// # Ok(())
    /// # }
    /// ```
    pub fn rows_received(&self) -> i64 {
        self.decoder.rows
    }

    /// Delivers observed metrics to the session's observations as they arrive.
    pub(crate) fn delivering_to(mut self, to: Arc<crate::observation::Registry>) -> Self {
        self.decoder.observed.registry = Some(to);
        self
    }

    /// The metrics observed by [`DataFrame::observe`](crate::DataFrame::observe) so far; all
    /// of them once the stream has ended (the server sends them after the last batch).
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::functions::{count, lit};
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use futures_util::StreamExt;
    /// let observed = spark.range(0, 10).observe("stats", [count(lit(1)).alias("rows")]);
    /// let mut stream = observed.stream().await?;
    /// while let Some(batch) = stream.next().await { batch?; }
    /// let metrics = stream.observed_metrics()?;
    /// assert_eq!(metrics[0].get_i64("rows")?, Some(10));
    /// # Ok(())
    /// # }
    /// ```
    pub fn observed_metrics(&self) -> Result<Vec<crate::ObservedMetrics>, Error> {
        self.decoder.observed.decoded()
    }

    /// The operation id of the execution (for `interrupt_operation`).
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let stream = spark.range(0, 1_000_000_000).stream().await?;
    /// let id = stream.operation_id().to_string(); // for `spark.interrupt_operation(&id)`
    /// assert!(!id.is_empty());
    /// # Ok(())
    /// # }
    /// ```
    pub fn operation_id(&self) -> &str {
        self.source.operation_id()
    }

    /// How many times the result stream was resumed after a break.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let batches = spark.range(0, 10).stream().await?;
    /// assert_eq!(batches.reattach_count(), 0); // no break in the stream yet
    /// # Ok(())
    /// # }
    /// ```
    pub fn reattach_count(&self) -> u32 {
        match &self.source {
            Source::Remote(stream) => stream.reattach_count(),
            Source::Computed { .. } => 0,
        }
    }

    /// The Arrow payloads received so far and how many of them (and bytes) were copied: none
    /// while streaming payloads that arrive aligned, each exactly once otherwise.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// use futures_util::StreamExt;
    /// let mut stream = spark.range(0, 100_000).stream().await?;
    /// while let Some(batch) = stream.next().await { batch?; }
    /// let copies = stream.payload_copies();
    /// assert!(copies.copied_payloads <= copies.payloads);
    /// # Ok(())
    /// # }
    /// ```
    pub fn payload_copies(&self) -> PayloadCopies {
        self.decoder.copies
    }

    /// Receives every batch. A result without rows is one empty batch that carries the schema,
    /// so the schema is never lost.
    ///
    /// Each batch holds its payload in an allocation of its own (the message it arrived in, or
    /// one exact-size copy), so the batches hold the result once and nothing of the buffers
    /// shared by other messages.
    ///
    /// ```no_run
    /// # async fn demo(spark: spark_connect_dataframe::SparkSession) -> Result<(), spark_connect_dataframe::Error> {
    /// let batches = spark.range(0, 0).stream().await?.collect_all().await?;
    /// assert_eq!((batches.len(), batches[0].num_rows()), (1, 0)); // the schema is still there
    /// # Ok(())
    /// # }
    /// ```
    pub async fn collect_all(mut self) -> Result<Vec<RecordBatch>, Error> {
        self.decoder.compact = true;
        let mut batches = Vec::new();
        while let Some(batch) = futures_util::StreamExt::next(&mut self).await {
            batches.push(batch?);
        }
        if batches.is_empty()
            && let Some(schema) = self.decoder.empty_result_schema()
        {
            batches.push(RecordBatch::new_empty(schema));
        }
        Ok(batches)
    }
}

impl ResultDecoder {
    pub(crate) fn handle(&mut self, response: proto::ExecutePlanResponse) -> Result<(), Error> {
        use proto::execute_plan_response::ResponseType;
        if let Some(schema) = &response.schema
            && self.spark_schema.is_none()
        {
            // Informational only (the Arrow payload carries the real schema): a type this
            // client cannot decode must not cost the result.
            match StructType::from_proto(schema) {
                Ok(s) => self.spark_schema = Some(s),
                Err(e) => tracing::debug!(error = %e, "ignoring an undecodable result schema"),
            }
        }
        self.observed.receive(&response.observed_metrics);
        if let Some(ResponseType::ArrowBatch(batch)) = response.response_type {
            self.decode(batch)?;
        }
        Ok(())
    }

    fn decode(&mut self, batch: proto::execute_plan_response::ArrowBatch) -> Result<(), Error> {
        let total = batch.num_chunks_in_batch.unwrap_or(0).max(1);
        let index = batch.chunk_index.unwrap_or(0);
        let mut chunked = match self.chunked.take() {
            // The next chunk of a batch split by the server.
            Some(c) => {
                if index != c.next_index || total != c.total {
                    return Err(Error::Protocol(format!(
                        "expected chunk {} of {} of an Arrow batch, got chunk {index} of {total}",
                        c.next_index, c.total
                    )));
                }
                c
            }
            // A new batch, whole or in chunks.
            None => {
                if let Some(offset) = batch.start_offset
                    && offset != self.rows
                {
                    return Err(Error::Protocol(format!(
                        "an Arrow batch starts at row {offset}, but {} rows were received before it",
                        self.rows
                    )));
                }
                if index != 0 {
                    return Err(Error::Protocol(format!(
                        "an Arrow batch starts with chunk {index} instead of chunk 0"
                    )));
                }
                ChunkedBatch {
                    decoder: StreamDecoder::new(),
                    next_index: 0,
                    total,
                    rows: 0,
                }
            }
        };
        // The decoder copies only a message that straddles two chunks.
        let starts_messages = chunked.next_index == 0;
        let buffer = self.payload(batch.data, starts_messages);
        chunked.rows += self.decode_messages(&mut chunked.decoder, buffer)?;
        chunked.next_index += 1;
        if chunked.next_index < chunked.total {
            self.chunked = Some(chunked);
            return Ok(());
        }
        chunked.decoder.finish()?;
        if chunked.rows != batch.row_count {
            return Err(Error::Protocol(format!(
                "an Arrow batch announced {} rows but held {}",
                batch.row_count, chunked.rows
            )));
        }
        self.rows += chunked.rows;
        Ok(())
    }

    /// Decodes every message of `buffer` into pending batches; the rows decoded.
    fn decode_messages(
        &mut self,
        decoder: &mut StreamDecoder,
        mut buffer: Buffer,
    ) -> Result<i64, Error> {
        let mut rows = 0;
        while !buffer.is_empty() {
            // arrow-ipc trusts the buffer offsets of a message and panics on one past the end
            // of its body (found by the `execute_plan_response` fuzz target): a malformed
            // payload must be an error, so such a panic is caught here and the result ends.
            let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                decoder.decode(&mut buffer)
            }))
            .map_err(|_| {
                Error::Protocol(
                    "an Arrow batch is malformed: a buffer lies outside its message".into(),
                )
            })?;
            match decoded? {
                Some(decoded) => {
                    rows += decoded.num_rows() as i64;
                    if self.arrow_schema.is_none() {
                        self.arrow_schema = Some(decoded.schema());
                    }
                    self.pending.push_back(decoded);
                }
                None => {
                    if let Some(schema) = decoder.schema()
                        && self.arrow_schema.is_none()
                    {
                        self.arrow_schema = Some(schema);
                    }
                }
            }
        }
        Ok(rows)
    }

    /// Decodes a whole Arrow IPC stream (a result the server sent in one piece, e.g. a SQL
    /// command's rows): every batch in it, the end of the stream checked.
    pub(crate) fn decode_whole(&mut self, data: bytes::Bytes) -> Result<(), Error> {
        let mut decoder = StreamDecoder::new();
        let buffer = self.payload(data, true);
        self.rows += self.decode_messages(&mut decoder, buffer)?;
        decoder.finish()?;
        Ok(())
    }

    /// The Arrow buffer a payload is decoded from: the received bytes themselves when they are
    /// aligned and the result is streamed, else one exact-size aligned copy.
    /// A copy is placed at the 8-byte shift that aligns the payload's 16-byte-aligned buffers
    /// (decimals) when `starts_messages` (the payload is not the middle of a chunked message).
    fn payload(&mut self, data: bytes::Bytes, starts_messages: bool) -> Buffer {
        self.copies.payloads += 1;
        self.copies.bytes += data.len() as u64;
        let address = data.as_ptr() as usize;
        let aligned = address.is_multiple_of(PAYLOAD_ALIGNMENT);
        if aligned && !self.compact {
            // `Buffer::from(Bytes)` shares the received allocation: no copy.
            return Buffer::from(data);
        }
        let shift = if starts_messages {
            crate::payload_shift::payload_shift(&data, self.arrow_schema.as_deref())
        } else {
            0
        };
        if self.placed && address % PAYLOAD_ALIGNMENT == shift {
            // Already where a copy would put it, in an allocation that holds nothing else.
            return Buffer::from(data);
        }
        self.copies.copied_payloads += 1;
        self.copies.copied_bytes += data.len() as u64;
        // A `MutableBuffer` is 64-byte aligned and sized to the payload (rounded up to 64).
        let mut copy = MutableBuffer::new(shift + data.len());
        copy.extend_from_slice(&[0u8; 8][..shift]);
        copy.extend_from_slice(&data);
        Buffer::from(copy).slice(shift)
    }

    /// The Arrow payloads received and copied so far.
    #[cfg(test)]
    pub(crate) fn copies(&self) -> PayloadCopies {
        self.copies
    }

    /// The next decoded batch, if any.
    pub(crate) fn next_batch(&mut self) -> Option<RecordBatch> {
        self.pending.pop_front()
    }

    /// Checks the end of the result: no batch may be left half-received.
    pub(crate) fn finish(&self) -> Result<(), Error> {
        match &self.chunked {
            Some(c) => Err(Error::Protocol(format!(
                "the result ended after chunk {} of {} of an Arrow batch",
                c.next_index, c.total
            ))),
            None => Ok(()),
        }
    }

    /// The schema of an empty result: the Arrow one if a payload carried it, else the Spark one.
    pub(crate) fn empty_result_schema(&self) -> Option<SchemaRef> {
        match (&self.arrow_schema, &self.spark_schema) {
            (Some(s), _) => Some(s.clone()),
            (None, Some(spark)) => Some(std::sync::Arc::new(spark.to_arrow("UTC"))),
            (None, None) => None,
        }
    }
}

impl Stream for RecordBatchStream {
    type Item = Result<RecordBatch, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(batch) = this.decoder.next_batch() {
                return Poll::Ready(Some(Ok(batch)));
            }
            if this.finished {
                return Poll::Ready(None);
            }
            let Source::Remote(inner) = &mut this.source else {
                // A computed result was decoded whole: `finished` is set.
                this.finished = true;
                continue;
            };
            match Pin::new(&mut *inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.finished = true;
                    if let Err(e) = this.decoder.finish() {
                        return Poll::Ready(Some(Err(e)));
                    }
                    if !inner.is_complete() {
                        return Poll::Ready(Some(Err(Error::Protocol(format!(
                            "the result of operation {} ended without ResultComplete after {} rows",
                            inner.operation_id(),
                            this.decoder.rows
                        )))));
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.finished = true;
                    return Poll::Ready(Some(Err(e.into())));
                }
                Poll::Ready(Some(Ok(mut response))) => {
                    this.progress.observe(&mut response);
                    if let Err(e) = this.decoder.handle(response) {
                        this.finished = true;
                        return Poll::Ready(Some(Err(e)));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{
        Array, ArrayRef, Decimal128Array, Float64Array, Int64Array, StringArray, StructArray,
        TimestampMicrosecondArray,
    };
    use arrow_schema::{DataType, Field, Fields, Schema};

    use super::*;

    /// A batch of every kind of buffer the mixed benchmark query has: fixed-width values of 8
    /// and 16 bytes, string offsets and bytes, validity bitmaps and a nested struct.
    fn mixed_batch(rows: i64) -> RecordBatch {
        let ids: Vec<i64> = (0..rows).collect();
        let strings: Vec<Option<String>> = ids
            .iter()
            .map(|i| (i % 5 != 0).then(|| format!("row-{i}")))
            .collect();
        let struct_fields = Fields::from(vec![
            Field::new("a", DataType::Int64, false),
            Field::new("b", DataType::Utf8, true),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from(ids.clone())),
            Arc::new(Float64Array::from_iter_values(
                ids.iter().map(|&i| i as f64 * 1.5),
            )),
            Arc::new(StringArray::from(strings.clone())),
            Arc::new(
                Decimal128Array::from_iter_values(ids.iter().map(|&i| i as i128 * 100))
                    .with_precision_and_scale(18, 2)
                    .unwrap(),
            ),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(ids.iter().map(|&i| i * 1_000_000))
                    .with_timezone("UTC"),
            ),
            Arc::new(StructArray::new(
                struct_fields.clone(),
                vec![
                    Arc::new(Int64Array::from(ids.clone())),
                    Arc::new(StringArray::from(strings)),
                ],
                None,
            )),
        ];
        let schema = Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("d", DataType::Float64, false),
            Field::new("s", DataType::Utf8, true),
            Field::new("dec", DataType::Decimal128(18, 2), false),
            Field::new(
                "ts",
                DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("UTC".into())),
                false,
            ),
            Field::new("st", DataType::Struct(struct_fields), false),
        ]);
        RecordBatch::try_new(Arc::new(schema), columns).unwrap()
    }

    /// The Arrow IPC stream of `batch`, as the server sends it in one `ArrowBatch`.
    fn ipc_payload(batch: &RecordBatch) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer =
            arrow_ipc::writer::StreamWriter::try_new(&mut out, &batch.schema()).unwrap();
        writer.write(batch).unwrap();
        writer.finish().unwrap();
        drop(writer);
        out
    }

    /// `payload` inside a larger received buffer (like a gRPC receive buffer), starting
    /// `misalign` bytes past a 16-byte boundary.
    fn received(payload: &[u8], misalign: usize) -> bytes::Bytes {
        let mut buffer = vec![0u8; payload.len() + 2 * PAYLOAD_ALIGNMENT + 4096];
        let base = buffer.as_ptr() as usize;
        let start = (PAYLOAD_ALIGNMENT - base % PAYLOAD_ALIGNMENT) % PAYLOAD_ALIGNMENT + misalign;
        buffer[start..start + payload.len()].copy_from_slice(payload);
        let whole = bytes::Bytes::from(buffer);
        assert_eq!(
            whole.as_ptr() as usize,
            base,
            "Bytes::from(Vec) keeps the allocation"
        );
        whole.slice(start..start + payload.len())
    }

    fn response(data: bytes::Bytes, rows: i64) -> proto::ExecutePlanResponse {
        proto::ExecutePlanResponse {
            response_type: Some(proto::execute_plan_response::ResponseType::ArrowBatch(
                proto::execute_plan_response::ArrowBatch {
                    row_count: rows,
                    data,
                    start_offset: Some(0),
                    chunk_index: None,
                    num_chunks_in_batch: None,
                },
            )),
            ..Default::default()
        }
    }

    /// The address ranges of every non-empty buffer of `data`, its children included.
    fn buffer_ranges(data: &arrow_data::ArrayData, out: &mut Vec<(usize, usize)>) {
        let mut push = |b: &Buffer| {
            if !b.is_empty() {
                out.push((b.as_ptr() as usize, b.as_ptr() as usize + b.len()));
            }
        };
        data.buffers().iter().for_each(&mut push);
        if let Some(nulls) = data.nulls() {
            push(nulls.buffer());
        }
        for child in data.child_data() {
            buffer_ranges(child, out);
        }
    }

    /// Decodes one payload received `misalign` bytes past alignment; returns the decoded
    /// batch, the copies counted, where the payload was received, and the address range all
    /// of the batch's buffers lie in.
    fn decode_one(
        misalign: usize,
        compact: bool,
    ) -> (
        RecordBatch,
        RecordBatch,
        PayloadCopies,
        (usize, usize),
        (usize, usize),
    ) {
        let expected = mixed_batch(1000);
        let payload = ipc_payload(&expected);
        let data = received(&payload, misalign);
        let received_at = (data.as_ptr() as usize, data.as_ptr() as usize + data.len());
        let mut decoder = ResultDecoder {
            compact,
            ..Default::default()
        };
        decoder.handle(response(data, 1000)).unwrap();
        let batch = decoder.next_batch().unwrap();
        assert!(decoder.next_batch().is_none());
        decoder.finish().unwrap();
        let mut ranges = Vec::new();
        for column in batch.columns() {
            buffer_ranges(&column.to_data(), &mut ranges);
        }
        assert!(ranges.len() > 10, "{ranges:?}");
        let lowest = ranges.iter().map(|r| r.0).min().unwrap();
        let highest = ranges.iter().map(|r| r.1).max().unwrap();
        (
            batch,
            expected,
            decoder.copies(),
            received_at,
            (lowest, highest),
        )
    }

    #[test]
    fn an_aligned_payload_is_streamed_without_a_copy() {
        let (batch, expected, copies, (start, end), (lowest, highest)) = decode_one(0, false);
        assert_eq!(batch, expected);
        assert_eq!(copies.payloads, 1);
        assert_eq!(copies.bytes, (end - start) as u64);
        assert_eq!((copies.copied_payloads, copies.copied_bytes), (0, 0));
        // Every buffer is a slice of the received payload: Arrow copied nothing either.
        assert!(
            lowest >= start && highest <= end,
            "buffers outside the payload"
        );
    }

    #[test]
    fn a_placed_payload_is_kept_as_it_is_even_when_collecting() {
        let expected = mixed_batch(1000);
        let payload = ipc_payload(&expected);
        let shift = crate::payload_shift::payload_shift(&payload, None);
        // Where the transport placed it (the shift that aligns its decimals), or elsewhere.
        for (misalign, copied) in [(shift, 0), ((shift + 4) % 16, 1), ((shift + 8) % 16, 1)] {
            for compact in [false, true] {
                let data = received(&payload, misalign);
                let at = data.as_ptr() as usize;
                let mut decoder = ResultDecoder {
                    compact,
                    placed: true,
                    ..Default::default()
                };
                decoder.handle(response(data, 1000)).unwrap();
                let batch = decoder.next_batch().unwrap();
                assert_eq!(batch, expected);
                let streamed_aligned = !compact && misalign == 0;
                let want = if streamed_aligned { 0 } else { copied };
                assert_eq!(
                    decoder.copies().copied_payloads,
                    want,
                    "misalign {misalign}, compact {compact}"
                );
                if misalign == shift {
                    // Every buffer is a slice of the received payload.
                    let mut ranges = Vec::new();
                    for column in batch.columns() {
                        buffer_ranges(&column.to_data(), &mut ranges);
                    }
                    assert!(
                        ranges
                            .iter()
                            .all(|r| r.0 >= at && r.1 <= at + payload.len())
                    );
                }
            }
        }
    }

    #[test]
    fn a_misaligned_payload_is_copied_once_whole() {
        for misalign in [1, 4, 8] {
            let (batch, expected, copies, (start, end), (lowest, highest)) =
                decode_one(misalign, false);
            assert_eq!(batch, expected);
            let len = (end - start) as u64;
            assert_eq!((copies.copied_payloads, copies.copied_bytes), (1, len));
            // Every buffer is a slice of that one copy: none of them was copied again.
            assert!(highest <= lowest + len as usize, "buffers outside one copy");
            assert!(
                highest <= start || lowest >= end,
                "a buffer shares the received payload"
            );
        }
    }

    #[test]
    fn collecting_copies_each_payload_once_into_an_exact_allocation() {
        for misalign in [0, 3] {
            let (batch, expected, copies, (start, end), (lowest, highest)) =
                decode_one(misalign, true);
            assert_eq!(batch, expected);
            let len = (end - start) as u64;
            assert_eq!((copies.copied_payloads, copies.copied_bytes), (1, len));
            assert!(highest <= lowest + len as usize, "buffers outside one copy");
            // Nothing of the receive buffer is kept alive by the batch.
            assert!(
                highest <= start || lowest >= end,
                "a buffer shares the received payload"
            );
            for column in batch.columns() {
                let data = column.to_data();
                for buffer in data.buffers() {
                    // The shared allocation is the payload's size, not a receive buffer's.
                    assert!(buffer.capacity() < len as usize + 64);
                }
            }
        }
    }

    #[test]
    fn decimals_of_a_payload_padded_to_8_bytes_are_not_copied_again() {
        // Spark's Java writer pads buffers to 8 bytes, so a decimal buffer can start at 8 mod
        // 16, where Arrow (16-byte `i128` alignment) would copy it again.
        let mut shifted = 0;
        for rows in [999, 1000, 1001, 1002, 1003] {
            let expected = mixed_batch(rows);
            let options = arrow_ipc::writer::IpcWriteOptions::try_new(
                8,
                false,
                arrow_ipc::MetadataVersion::V5,
            )
            .unwrap();
            let mut payload = Vec::new();
            let mut writer = arrow_ipc::writer::StreamWriter::try_new_with_options(
                &mut payload,
                &expected.schema(),
                options,
            )
            .unwrap();
            writer.write(&expected).unwrap();
            writer.finish().unwrap();
            drop(writer);
            if crate::payload_shift::payload_shift(&payload, None) == 8 {
                shifted += 1;
            }
            for misalign in [0, 8] {
                let data = received(&payload, misalign);
                let mut decoder = ResultDecoder {
                    compact: true,
                    ..Default::default()
                };
                decoder.handle(response(data, rows)).unwrap();
                let batch = decoder.next_batch().unwrap();
                assert_eq!(batch, expected);
                let mut ranges = Vec::new();
                for column in batch.columns() {
                    buffer_ranges(&column.to_data(), &mut ranges);
                }
                let lowest = ranges.iter().map(|r| r.0).min().unwrap();
                let highest = ranges.iter().map(|r| r.1).max().unwrap();
                assert!(
                    highest <= lowest + payload.len(),
                    "{rows} rows: a buffer outside the one copy"
                );
            }
        }
        // Some of these layouts need the shift (else the test would prove nothing).
        assert!(shifted > 0);
    }
}
