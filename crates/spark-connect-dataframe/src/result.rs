//! Decoding of `ExecutePlan` responses into Arrow record batches, as they arrive.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::reader::StreamDecoder;
use arrow_schema::SchemaRef;
use futures_util::Stream;
use spark_connect_transport::{ExecuteStream, proto};

use crate::Error;
use crate::progress::ProgressSender;
use crate::types::StructType;

/// The batches of a query result, decoded while later ones are still arriving.
///
/// Each Arrow payload becomes [`RecordBatch`] buffers without a copy when its buffers are
/// aligned (Arrow IPC aligns them to 8 bytes; a misaligned buffer is copied once). A batch
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
    inner: ExecuteStream,
    decoder: ResultDecoder,
    finished: bool,
    /// The latest execution progress report (see `progress.rs`).
    pub(crate) progress: ProgressSender,
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
}

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
            .field("operation_id", &self.inner.operation_id())
            .field("rows", &self.decoder.rows)
            .field("finished", &self.finished)
            .finish()
    }
}

impl RecordBatchStream {
    pub(crate) fn new(inner: ExecuteStream) -> RecordBatchStream {
        RecordBatchStream {
            inner,
            decoder: ResultDecoder::default(),
            finished: false,
            progress: ProgressSender::default(),
        }
    }

    /// The Arrow schema of the batches, once the first batch has arrived.
    pub fn schema(&self) -> Option<SchemaRef> {
        self.decoder.arrow_schema.clone()
    }

    /// The Spark schema, if the server sent one.
    pub fn spark_schema(&self) -> Option<&StructType> {
        self.decoder.spark_schema.as_ref()
    }

    /// Rows received so far.
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
    pub fn observed_metrics(&self) -> Result<Vec<crate::ObservedMetrics>, Error> {
        self.decoder.observed.decoded()
    }

    /// The operation id of the execution (for `interrupt_operation`).
    pub fn operation_id(&self) -> &str {
        self.inner.operation_id()
    }

    /// How many times the result stream was resumed after a break.
    pub fn reattach_count(&self) -> u32 {
        self.inner.reattach_count()
    }

    /// Receives every batch. A result without rows is one empty batch that carries the schema,
    /// so the schema is never lost.
    pub async fn collect_all(mut self) -> Result<Vec<RecordBatch>, Error> {
        let mut batches = Vec::new();
        while let Some(batch) = futures_util::StreamExt::next(&mut self).await {
            batches.push(batch?);
        }
        if batches.is_empty() {
            if let Some(schema) = self.decoder.empty_result_schema() {
                batches.push(RecordBatch::new_empty(schema));
            }
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
        // `Buffer::from(Bytes)` shares the received allocation: no copy (the decoder copies
        // only a message that straddles two chunks).
        let mut buffer = Buffer::from(batch.data);
        while !buffer.is_empty() {
            // arrow-ipc trusts the buffer offsets of a message and panics on one past the end
            // of its body (found by the `execute_plan_response` fuzz target): a malformed
            // payload must be an error, so such a panic is caught here and the result ends.
            let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                chunked.decoder.decode(&mut buffer)
            }))
            .map_err(|_| {
                Error::Protocol(
                    "an Arrow batch is malformed: a buffer lies outside its message".into(),
                )
            })?;
            match decoded? {
                Some(decoded) => {
                    chunked.rows += decoded.num_rows() as i64;
                    if self.arrow_schema.is_none() {
                        self.arrow_schema = Some(decoded.schema());
                    }
                    self.pending.push_back(decoded);
                }
                None => {
                    if let Some(schema) = chunked.decoder.schema()
                        && self.arrow_schema.is_none()
                    {
                        self.arrow_schema = Some(schema);
                    }
                }
            }
        }
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
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.finished = true;
                    if let Err(e) = this.decoder.finish() {
                        return Poll::Ready(Some(Err(e)));
                    }
                    if !this.inner.is_complete() {
                        return Poll::Ready(Some(Err(Error::Protocol(format!(
                            "the result of operation {} ended without ResultComplete after {} rows",
                            this.inner.operation_id(),
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
