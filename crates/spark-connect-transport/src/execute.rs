//! Reattachable execution: the responses of one `ExecutePlan`, resumed with `ReattachExecute`
//! when the stream breaks, and released on the server as they are consumed.

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::Stream;
use futures_util::stream::BoxStream;
use spark_connect_proto::spark::connect as pb;

use crate::client::{SparkConnectClient, gave_up};
use crate::error::Error;
use crate::retry::{RetryState, Verdict};

/// The responses of one reattachable `ExecutePlan`, in order, each checked to belong to this
/// session.
///
/// - The execution has a client-chosen operation id and is reattachable: when the stream
///   breaks (a cut connection, a server-side stream limit, a proxy that resets) or ends
///   without `ResultComplete`, it is resumed with `ReattachExecute` after the last response
///   received, so no response is lost or repeated. Waits between attempts follow the client's
///   [`RetryPolicy`](crate::RetryPolicy), whose budget starts afresh each time a resumed stream
///   delivers a response.
/// - If a `ReattachExecute` finds neither the operation nor the session
///   (`INVALID_HANDLE.OPERATION_NOT_FOUND` or `SESSION_NOT_FOUND`) before any response arrived,
///   the `ExecutePlan` never reached the server: the plan is sent again with the same operation
///   id, each time counted by the retry policy. After a response arrived, the rest of the
///   result is gone: [`Error::OperationLost`], never a shorter or repeated result. So is an
///   operation the server abandoned (`INVALID_HANDLE.OPERATION_ABANDONED`, from a reattach or
///   from the plan sent again). Other handle errors (`SESSION_CLOSED`, ...) fail at once.
/// - A resumed stream must continue after the last response: a response id seen just before,
///   or a break after responses that carried no response id (which could only be resumed from
///   the start), is an error rather than a repeated response.
/// - Received responses are released on the server in the background, in batches:
///   `ReleaseExecute` up to the last response received, once every 32 responses or 32 MiB of
///   Arrow data,
///   never more than one call in flight and never waited for by the stream. The whole
///   operation is released when the result is complete, on an error, and when the stream is
///   dropped before its end (which stops the query), after any release still in flight. A
///   failed release never fails the query (the server drops abandoned operations by itself).
/// - The stream ends (`None`) only after `ResultComplete`; the `ResultComplete` response itself
///   is passed on too.
/// - With an idle timeout, waiting longer than it for the next response ends the stream in
///   [`Error::Timeout`].
pub struct ExecuteStream {
    operation_id: String,
    shared: Arc<Shared>,
    inner: BoxStream<'static, Result<pb::ExecutePlanResponse, Error>>,
}

/// What the stream and its driver both see.
#[derive(Debug, Default)]
struct Shared {
    reattaches: AtomicU32,
    complete: AtomicBool,
}

impl fmt::Debug for ExecuteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecuteStream")
            .field("operation_id", &self.operation_id)
            .field("reattaches", &self.reattach_count())
            .field("complete", &self.is_complete())
            .finish()
    }
}

impl ExecuteStream {
    /// Sends the `ExecutePlan` and waits for the server to accept it (retrying as the policy
    /// allows); the responses then arrive through the stream.
    pub(crate) async fn start(
        client: SparkConnectClient,
        request: pb::ExecutePlanRequest,
    ) -> Result<ExecuteStream, Error> {
        let operation_id = request.operation_id.clone().unwrap_or_default();
        let shared = Arc::new(Shared::default());
        let mut driver = Driver {
            retry: client.start_retries(),
            client,
            request,
            operation_id: operation_id.clone(),
            shared: shared.clone(),
            stream: None,
            plan_sent: false,
            reattaching: false,
            last_response_id: None,
            responses: 0,
            responses_at_open: 0,
            started: Instant::now(),
            done: false,
            released: false,
            release: ReleaseBatch::default(),
        };
        // Opening eagerly reports a refused plan (or a server that is down) from this call,
        // as before, rather than from the first poll of the stream.
        driver.ensure_open().await?;
        let inner = futures_util::stream::unfold(driver, |mut driver| async move {
            let item = driver.next().await?;
            Some((item, driver))
        });
        Ok(ExecuteStream {
            operation_id,
            shared,
            inner: Box::pin(inner),
        })
    }

    /// The operation id this client chose for the execution.
    pub fn operation_id(&self) -> &str {
        &self.operation_id
    }

    /// How many times the stream was resumed with `ReattachExecute` (or the plan sent again).
    pub fn reattach_count(&self) -> u32 {
        self.shared.reattaches.load(Ordering::Relaxed)
    }

    /// Whether the server said the result is complete (`ResultComplete` arrived).
    pub fn is_complete(&self) -> bool {
        self.shared.complete.load(Ordering::Relaxed)
    }

    /// The next response, or `None` at the end.
    pub async fn next_response(&mut self) -> Option<Result<pb::ExecutePlanResponse, Error>> {
        futures_util::StreamExt::next(self).await
    }
}

impl Stream for ExecuteStream {
    type Item = Result<pb::ExecutePlanResponse, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

type Responses = crate::responses::Responses;

/// How long to wait for the end of a stream after its `ResultComplete`.
const AFTER_COMPLETE: Duration = Duration::from_secs(5);

/// A `ReleaseExecute` up to the last response is sent once this many responses arrived since
/// the last one (PySpark's client sends one after every response).
pub(crate) const RELEASE_EVERY_RESPONSES: u32 = 32;

/// ... or once this many bytes of Arrow data arrived since the last one, whichever comes
/// first.
pub(crate) const RELEASE_EVERY_BYTES: usize = 32 << 20;

/// The batching of `ReleaseExecute` calls: what arrived since the last one, and the call in
/// flight (at most one).
#[derive(Debug, Default)]
struct ReleaseBatch {
    responses: u32,
    bytes: usize,
    in_flight: Option<tokio::task::JoinHandle<()>>,
}

impl ReleaseBatch {
    /// Counts a response; whether a release is due (and none is in flight).
    fn due(&mut self, arrow_bytes: usize) -> bool {
        self.responses += 1;
        self.bytes += arrow_bytes;
        let enough = self.responses >= RELEASE_EVERY_RESPONSES || self.bytes >= RELEASE_EVERY_BYTES;
        enough && self.in_flight.as_ref().is_none_or(|h| h.is_finished())
    }
}

/// Drives one execution; dropped with the stream, and then releases the operation.
struct Driver {
    client: SparkConnectClient,
    request: pb::ExecutePlanRequest,
    operation_id: String,
    shared: Arc<Shared>,
    stream: Option<Responses>,
    /// Whether an `ExecutePlan` was sent (later opens reattach).
    plan_sent: bool,
    /// Whether the current (or last) call is a `ReattachExecute`.
    reattaching: bool,
    last_response_id: Option<String>,
    responses: u64,
    /// `responses` when the current stream was opened.
    responses_at_open: u64,
    retry: RetryState,
    started: Instant,
    done: bool,
    /// Whether a release of the whole operation was sent (or is not needed).
    released: bool,
    release: ReleaseBatch,
}

/// How an attempt to get the next response failed.
enum Broken {
    /// The stream must be reopened after the retry policy's wait (`None`: at once).
    Retry {
        status: Option<tonic::Status>,
        /// Which policy retries it (the default one for a stream that ended early).
        verdict: Verdict,
        counts: bool,
    },
    /// The execution failed.
    Fatal(Error),
}

impl Driver {
    fn idle_timeout(&self) -> Option<Duration> {
        self.client.stream_idle_timeout()
    }

    fn timeout_error(&self, after: Duration) -> Error {
        Error::Timeout {
            endpoint: self.client.endpoint().to_string(),
            what: format!(
                "waiting for the results of operation {} after {} responses",
                self.operation_id, self.responses
            ),
            after,
        }
    }

    /// Opens the response stream unless it is open, retrying as the policy allows.
    async fn ensure_open(&mut self) -> Result<(), Error> {
        while self.stream.is_none() {
            match self.open().await {
                Ok(stream) => self.stream = Some(stream),
                Err(broken) => self.recover(broken).await?,
            }
        }
        Ok(())
    }

    /// Waits as the retry policy says after a break, or gives up with the error to report.
    async fn recover(&mut self, broken: Broken) -> Result<(), Error> {
        self.stream = None;
        let (status, verdict, counts) = match broken {
            Broken::Fatal(e) => {
                let e = self.client.with_error_details(e).await;
                return Err(self.fail(e));
            }
            Broken::Retry {
                status,
                verdict,
                counts,
            } => (status, verdict, counts),
        };
        if counts {
            let rpc = if self.reattaching {
                "ReattachExecute"
            } else {
                "ExecutePlan"
            };
            let wait = self
                .client
                .retry_wait(rpc, &mut self.retry, verdict, status.as_ref());
            let Some(wait) = wait else {
                let last = match status {
                    Some(s) => self.client.status_error(s),
                    None => Error::Protocol(format!(
                        "the result stream of operation {} kept ending without ResultComplete and without new responses",
                        self.operation_id
                    )),
                };
                let e = gave_up(last, &self.retry, self.started);
                return Err(self.fail(e));
            };
            tracing::debug!(
                operation_id = %self.operation_id,
                status = ?status.as_ref().map(|s| (s.code(), s.message().to_string())),
                ?wait,
                "result stream broke; reattaching"
            );
            tokio::time::sleep(wait).await;
        }
        self.shared.reattaches.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// One attempt to open the stream: `ExecutePlan` the first time (or when the server never
    /// saw it), `ReattachExecute` after that.
    async fn open(&mut self) -> Result<Responses, Broken> {
        let reattach = self.plan_sent;
        if reattach && self.responses > 0 && self.last_response_id.is_none() {
            // A reattach without a response id starts from the first response again.
            return Err(Broken::Fatal(Error::OperationLost {
                operation_id: self.operation_id.clone(),
                responses: self.responses,
                message: "the server's responses carried no response id, so the stream cannot \
                          be resumed after them"
                    .to_string(),
            }));
        }
        self.reattaching = reattach;
        // From here on the server may know the operation: a drop releases it.
        self.plan_sent = true;
        let client = self.client.clone();
        let call = async {
            let result = if reattach {
                let message = pb::ReattachExecuteRequest {
                    session_id: self.request.session_id.clone(),
                    client_observed_server_side_session_id: self.client.observed_server_session(),
                    user_context: self.request.user_context.clone(),
                    operation_id: self.operation_id.clone(),
                    client_type: self.request.client_type.clone(),
                    last_response_id: self.last_response_id.clone(),
                };
                let request = client.request(message).await?;
                client
                    .execute_responses(
                        "/spark.connect.SparkConnectService/ReattachExecute",
                        request,
                    )
                    .await
            } else {
                let request = client.request(self.request.clone()).await?;
                client
                    .execute_responses("/spark.connect.SparkConnectService/ExecutePlan", request)
                    .await
            };
            Ok::<_, Error>(result)
        };
        let result = match self.idle_timeout() {
            Some(limit) => match tokio::time::timeout(limit, call).await {
                Ok(r) => r,
                Err(_) => Err(self.timeout_error(limit)),
            },
            None => call.await,
        };
        match result {
            Ok(Ok(stream)) => {
                self.responses_at_open = self.responses;
                Ok(stream)
            }
            Ok(Err(status)) => Err(self.broken(status)),
            Err(e) => Err(Broken::Fatal(e)),
        }
    }

    /// What to do about a failed call or a broken stream.
    fn broken(&mut self, status: tonic::Status) -> Broken {
        let handle = handle_error(&status);
        if handle == Some(HandleError::Abandoned) {
            // From a ReattachExecute, or from an ExecutePlan sent again for an operation id
            // the server has since dropped: the result is gone either way.
            return Broken::Fatal(Error::OperationLost {
                operation_id: self.operation_id.clone(),
                responses: self.responses,
                message: status.message().to_string(),
            });
        }
        // Only a ReattachExecute asks for an existing operation: on the ExecutePlan stream,
        // "not found" can only be the query's own failure.
        if self.reattaching {
            match handle {
                Some(HandleError::Unknown) if self.responses == 0 => {
                    // The ExecutePlan never reached the server: send it again (same id).
                    self.plan_sent = false;
                    return Broken::Retry {
                        status: Some(status),
                        verdict: self.client.default_verdict(),
                        counts: true,
                    };
                }
                Some(HandleError::Unknown) => {
                    return Broken::Fatal(Error::OperationLost {
                        operation_id: self.operation_id.clone(),
                        responses: self.responses,
                        message: status.message().to_string(),
                    });
                }
                _ => {}
            }
        }
        match self.client.verdict(&status) {
            verdict @ Verdict::Retry { .. } => Broken::Retry {
                status: Some(status),
                verdict,
                counts: true,
            },
            Verdict::Fatal => Broken::Fatal(self.client.status_error(status)),
        }
    }

    /// Marks the execution failed and released; returns the error to report.
    fn fail(&mut self, e: Error) -> Error {
        self.done = true;
        self.stream = None;
        self.release_all();
        e
    }

    /// Releases the whole operation on the server, once, in the background after the release
    /// in flight (if any), so that the server sees at most one at a time and this one last.
    /// The call is recorded until answered, so that it is sent even if the program ends first
    /// (see `cleanup.rs`).
    fn release_all(&mut self) {
        if !self.plan_sent || self.released {
            return;
        }
        self.released = true;
        let before = self.release.in_flight.take();
        crate::cleanup::release_all(&self.client, &self.operation_id, before);
    }

    /// Spawns a `ReleaseExecute` of the responses up to `until` on the current tokio runtime,
    /// if there is one; its failure is only logged (the release of all of it follows anyway).
    fn spawn_release(&self, until: String) -> Option<tokio::task::JoinHandle<()>> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let client = self.client.clone();
        let operation_id = self.operation_id.clone();
        Some(runtime.spawn(async move {
            if let Err(e) = client.release_execute(&operation_id, Some(until)).await {
                tracing::debug!(%operation_id, error = %e, "ReleaseExecute failed");
            }
        }))
    }

    async fn next(&mut self) -> Option<Result<pb::ExecutePlanResponse, Error>> {
        loop {
            if self.done {
                return None;
            }
            if let Err(e) = self.ensure_open().await {
                return Some(Err(e));
            }
            let stream = self.stream.as_mut()?;
            if self.shared.complete.load(Ordering::Relaxed) {
                // The result is complete: the stream's end (or anything after ResultComplete,
                // or a server that keeps it open) changes nothing.
                let _ = tokio::time::timeout(AFTER_COMPLETE, stream.message()).await;
                self.done = true;
                self.stream = None;
                return None;
            }
            let message = match self.client.stream_idle_timeout() {
                Some(limit) => match tokio::time::timeout(limit, stream.message()).await {
                    Ok(r) => r,
                    Err(_) => {
                        let e = self.timeout_error(limit);
                        return Some(Err(self.fail(e)));
                    }
                },
                None => stream.message().await,
            };
            let broken = match message {
                Ok(Some(response)) => match self.accept(response) {
                    Ok(response) => return Some(Ok(response)),
                    Err(e) => return Some(Err(self.fail(e))),
                },
                // A clean end without ResultComplete: the server ends reattachable streams
                // after a while (or a proxy closed it); resume where it stopped. Waits only
                // when such ends repeat without progress.
                Ok(None) => Broken::Retry {
                    status: None,
                    verdict: self.client.default_verdict(),
                    counts: self.retry.spent() > 0 || self.stream_made_no_progress(),
                },
                Err(status) => self.broken(status),
            };
            if let Err(e) = self.recover(broken).await {
                return Some(Err(e));
            }
        }
    }

    fn stream_made_no_progress(&self) -> bool {
        self.responses == self.responses_at_open
    }

    /// Checks a response and records it as the point to resume after.
    fn accept(
        &mut self,
        response: pb::ExecutePlanResponse,
    ) -> Result<pb::ExecutePlanResponse, Error> {
        self.client
            .check_session(&response.session_id, &response.server_side_session_id)?;
        if !response.operation_id.is_empty() && response.operation_id != self.operation_id {
            return Err(Error::Protocol(format!(
                "a response for operation {} arrived on the stream of operation {}",
                response.operation_id, self.operation_id
            )));
        }
        if !response.response_id.is_empty()
            && self.last_response_id.as_deref() == Some(response.response_id.as_str())
        {
            return Err(Error::Protocol(format!(
                "the server sent response {} of operation {} twice (a resumed stream must \
                 continue after the last response)",
                response.response_id, self.operation_id
            )));
        }
        self.client.mark_connected();
        self.responses += 1;
        // Progress: the retry budget starts afresh.
        if self.retry.spent() > 0 {
            self.retry = self.client.start_retries();
        }
        if !response.response_id.is_empty() {
            self.last_response_id = Some(response.response_id.clone());
        }
        if matches!(
            response.response_type,
            Some(pb::execute_plan_response::ResponseType::ResultComplete(_))
        ) {
            self.shared.complete.store(true, Ordering::Relaxed);
            self.release_all();
        } else {
            let arrow_bytes = match &response.response_type {
                Some(pb::execute_plan_response::ResponseType::ArrowBatch(b)) => b.data.len(),
                _ => 0,
            };
            if self.release.due(arrow_bytes)
                && let Some(id) = self.last_response_id.clone()
            {
                self.release_until(id);
            }
        }
        Ok(response)
    }

    /// Releases the responses up to `response_id` (all received) in the background; the
    /// caller checked that no release is in flight. Each covers everything before it, so the
    /// responses in between need no release of their own.
    fn release_until(&mut self, response_id: String) {
        self.release.responses = 0;
        self.release.bytes = 0;
        self.release.in_flight = self.spawn_release(response_id);
    }
}

/// The handle errors a `ReattachExecute` can meet that decide what comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HandleError {
    /// The server knows neither the operation nor (it may be the session's first call) the
    /// session: `INVALID_HANDLE.OPERATION_NOT_FOUND` or `INVALID_HANDLE.SESSION_NOT_FOUND`.
    Unknown,
    /// The server dropped the operation because no client came back for it in time:
    /// `INVALID_HANDLE.OPERATION_ABANDONED` (sending the plan again with the same id would be
    /// refused).
    Abandoned,
}

/// Reads the error class from the status's `ErrorInfo`, or else from the `[CLASS]` the
/// message starts with (as Spark writes it), never from words elsewhere in the message.
fn handle_error(status: &tonic::Status) -> Option<HandleError> {
    let class = crate::error::error_class(status)?;
    match class.as_str() {
        "INVALID_HANDLE.OPERATION_NOT_FOUND" | "INVALID_HANDLE.SESSION_NOT_FOUND" => {
            Some(HandleError::Unknown)
        }
        "INVALID_HANDLE.OPERATION_ABANDONED" => Some(HandleError::Abandoned),
        _ => None,
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // Dropped before the end: stop the query and free what the server holds for it.
        self.release_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use tonic_types::{ErrorDetails, StatusExt};

    #[test]
    fn handle_errors_are_read_from_the_error_class_only() {
        let plain = |m: &str| tonic::Status::internal(m);
        assert_eq!(
            handle_error(&plain(
                "[INVALID_HANDLE.OPERATION_NOT_FOUND] The handle x is invalid."
            )),
            Some(HandleError::Unknown)
        );
        assert_eq!(
            handle_error(&plain(
                "[INVALID_HANDLE.SESSION_NOT_FOUND] Session not found."
            )),
            Some(HandleError::Unknown)
        );
        assert_eq!(
            handle_error(&plain("[INVALID_HANDLE.OPERATION_ABANDONED] gone")),
            Some(HandleError::Abandoned)
        );
        for other in [
            "[INVALID_HANDLE.SESSION_CLOSED] Session was closed.",
            "[USER_RAISED_EXCEPTION] INVALID_HANDLE.OPERATION_NOT_FOUND SQLSTATE: P0001",
            "INVALID_HANDLE.OPERATION_NOT_FOUND without brackets",
            "[INVALID_HANDLE.OPERATION_NOT_FOUND",
            "",
        ] {
            assert_eq!(handle_error(&plain(other)), None, "{other}");
        }
        // The ErrorInfo's errorClass decides when the server sends one.
        let with_info = |class: &str, message: &str| {
            tonic::Status::with_error_details(
                tonic::Code::Internal,
                message,
                ErrorDetails::with_error_info(
                    "org.apache.spark.SparkSQLException",
                    "org.apache.spark",
                    HashMap::from([("errorClass".to_string(), class.to_string())]),
                ),
            )
        };
        assert_eq!(
            handle_error(&with_info(
                "INVALID_HANDLE.OPERATION_NOT_FOUND",
                "abbreviated"
            )),
            Some(HandleError::Unknown)
        );
        assert_eq!(
            handle_error(&with_info(
                "USER_RAISED_EXCEPTION",
                "[INVALID_HANDLE.OPERATION_NOT_FOUND] looks like one"
            )),
            None
        );
    }
}
