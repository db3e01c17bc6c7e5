//! Streaming query events on the client: the Rust side of Spark Connect's client-side
//! listener bus (`StreamingQueryListenerBusCommand`), where PySpark calls listener objects.
//!
//! [`StreamingQueryManager::listen`] asks the server to send the session's query events
//! (progress, idle, terminated) on one long-running response stream; the started event of a
//! query comes with the answer to its start instead, and is put in the same queue. A
//! session has at most one open [`StreamingQueryEvents`] at a time.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock, Mutex, Weak};

use proto::execute_plan_response::ResponseType;
use spark_connect_transport::{ExecuteStream, proto};

use crate::Error;
use crate::session::{SparkSession, command_plan};
use crate::streaming::StreamingQueryManager;

/// Started events waiting for the session's open [`StreamingQueryEvents`].
type StartedQueue = Mutex<VecDeque<StreamingQueryEvent>>;

/// The open event streams, by client-side session id.
static OPEN: LazyLock<Mutex<HashMap<String, Weak<StartedQueue>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The removals of the server-side listener that dropped event streams started, by session
/// id; the next `listen` of the session waits for its removal so that the two never cross.
static CLOSING: LazyLock<Mutex<HashMap<String, tokio::task::JoinHandle<()>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn open_streams() -> std::sync::MutexGuard<'static, HashMap<String, Weak<StartedQueue>>> {
    // A panic while the lock was held leaves a map that is still consistent.
    OPEN.lock().unwrap_or_else(|e| e.into_inner())
}

fn lock(queue: &StartedQueue) -> std::sync::MutexGuard<'_, VecDeque<StreamingQueryEvent>> {
    queue.lock().unwrap_or_else(|e| e.into_inner())
}

/// Hands the started event of a query (from its start result) to the session's open event
/// stream, if it has one.
pub(crate) fn post_started(session: &SparkSession, json: &str) {
    let queue = open_streams()
        .get(session.session_id())
        .and_then(Weak::upgrade);
    let Some(queue) = queue else { return };
    match serde_json::from_str(json) {
        Ok(json) => lock(&queue).push_back(StreamingQueryEvent {
            kind: StreamingQueryEventKind::Started,
            json,
        }),
        Err(e) => tracing::warn!(error = %e, "a query started event is not valid JSON"),
    }
}

/// What happened to a streaming query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StreamingQueryEventKind {
    /// The query started (`QueryStartedEvent`: `id`, `runId`, `name`, `timestamp`).
    Started,
    /// A micro-batch ended (`QueryProgressEvent`: the progress report under `progress`).
    Progress,
    /// The query is waiting for data (`QueryIdleEvent`: `id`, `runId`, `timestamp`).
    Idle,
    /// The query ended (`QueryTerminatedEvent`: `id`, `runId`, `exception`,
    /// `errorClassOnException`).
    Terminated,
}

/// One event of a streaming query, with Spark's JSON for it.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamingQueryEvent {
    /// What happened.
    pub kind: StreamingQueryEventKind,
    /// The event as Spark's JSON.
    pub json: serde_json::Value,
}

impl StreamingQueryEvent {
    fn ids(&self) -> &serde_json::Value {
        match self.kind {
            StreamingQueryEventKind::Progress => &self.json["progress"],
            _ => &self.json,
        }
    }

    /// The id of the query the event is about.
    ///
    /// ```
    /// use spark_connect_dataframe::{StreamingQueryEvent, StreamingQueryEventKind};
    /// let event = StreamingQueryEvent {
    ///     kind: StreamingQueryEventKind::Progress,
    ///     json: serde_json::json!({"progress": {"id": "q-1", "runId": "r-7", "batchId": 3}}),
    /// };
    /// assert_eq!(event.query_id(), Some("q-1"));
    /// ```
    pub fn query_id(&self) -> Option<&str> {
        self.ids()["id"].as_str()
    }

    /// The run id of the query the event is about.
    ///
    /// ```
    /// use spark_connect_dataframe::{StreamingQueryEvent, StreamingQueryEventKind};
    /// let event = StreamingQueryEvent {
    ///     kind: StreamingQueryEventKind::Idle,
    ///     json: serde_json::json!({"id": "q-1", "runId": "r-7", "timestamp": "2025-01-01T00:00:00Z"}),
    /// };
    /// assert_eq!(event.run_id(), Some("r-7"));
    /// ```
    pub fn run_id(&self) -> Option<&str> {
        self.ids()["runId"].as_str()
    }

    /// The progress report of a [`Progress`](StreamingQueryEventKind::Progress) event, as
    /// [`StreamingQuery::last_progress`](crate::StreamingQuery::last_progress) gives it.
    ///
    /// ```
    /// use spark_connect_dataframe::{StreamingQueryEvent, StreamingQueryEventKind};
    /// let event = StreamingQueryEvent {
    ///     kind: StreamingQueryEventKind::Progress,
    ///     json: serde_json::json!({"progress": {"id": "q-1", "runId": "r-7", "numInputRows": 42}}),
    /// };
    /// assert_eq!(event.progress().unwrap()["numInputRows"], 42);
    /// ```
    pub fn progress(&self) -> Option<&serde_json::Value> {
        (self.kind == StreamingQueryEventKind::Progress).then(|| &self.json["progress"])
    }

    /// The error that ended the query, for a [`Terminated`](StreamingQueryEventKind::Terminated)
    /// event of a query that failed.
    ///
    /// ```
    /// use spark_connect_dataframe::{StreamingQueryEvent, StreamingQueryEventKind};
    /// let event = StreamingQueryEvent {
    ///     kind: StreamingQueryEventKind::Terminated,
    ///     json: serde_json::json!({"id": "q-1", "runId": "r-7", "exception": "boom"}),
    /// };
    /// assert_eq!(event.exception(), Some("boom"));
    /// ```
    pub fn exception(&self) -> Option<&str> {
        match self.kind {
            StreamingQueryEventKind::Terminated => self.json["exception"].as_str(),
            _ => None,
        }
    }

    fn decode(event: proto::StreamingQueryListenerEvent) -> Result<StreamingQueryEvent, Error> {
        use proto::StreamingQueryEventType as T;
        let kind = match T::try_from(event.event_type) {
            Ok(T::QueryProgressEvent) => StreamingQueryEventKind::Progress,
            Ok(T::QueryTerminatedEvent) => StreamingQueryEventKind::Terminated,
            Ok(T::QueryIdleEvent) => StreamingQueryEventKind::Idle,
            _ => {
                return Err(Error::Protocol(format!(
                    "a streaming query event of unknown type {}",
                    event.event_type
                )));
            }
        };
        let json = serde_json::from_str(&event.event_json).map_err(|e| {
            Error::Protocol(format!("a streaming query event is not valid JSON: {e}"))
        })?;
        Ok(StreamingQueryEvent { kind, json })
    }
}

fn bus_command(add: bool) -> proto::Plan {
    use proto::streaming_query_listener_bus_command::Command;
    command_plan(proto::Command {
        command_type: Some(
            proto::command::CommandType::StreamingQueryListenerBusCommand(
                proto::StreamingQueryListenerBusCommand {
                    command: Some(if add {
                        Command::AddListenerBusListener(true)
                    } else {
                        Command::RemoveListenerBusListener(true)
                    }),
                },
            ),
        ),
    })
}

/// The events of a session's streaming queries, in the order they happened on the server;
/// made by [`StreamingQueryManager::listen`].
///
/// The server keeps sending events until [`close`](Self::close) (which also returns the ones
/// not read yet): read them regularly, as the server holds unread events in memory.
/// Dropping it without `close` ends the stream too (removing the server's listener in the
/// background), but the events not read are lost.
pub struct StreamingQueryEvents {
    session: SparkSession,
    stream: Option<ExecuteStream>,
    started: Arc<StartedQueue>,
    pending: VecDeque<Result<StreamingQueryEvent, Error>>,
}

impl std::fmt::Debug for StreamingQueryEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamingQueryEvents")
            .field("session_id", &self.session.session_id())
            .field("open", &self.stream.is_some())
            .field("pending", &self.pending.len())
            .finish()
    }
}

impl StreamingQueryManager {
    /// Starts receiving the events of this session's streaming queries (PySpark's
    /// `addListener`, with a stream of events in place of a listener object). A session
    /// has at most one open event stream: a second one is an error until the first is
    /// closed or dropped. A listener the server still holds for this session (left by a
    /// dropped stream, or by another client of the same session) is replaced.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let mut events = spark.streams().listen().await?;
    /// while let Some(event) = events.next().await {
    ///     let event = event?;
    ///     println!("{:?} {:?}", event.kind, event.query_id());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn listen(&self) -> Result<StreamingQueryEvents, Error> {
        let session = self.session().clone();
        let started = Arc::new(StartedQueue::default());
        {
            let mut open = open_streams();
            let id = session.session_id().to_string();
            if open.get(&id).and_then(Weak::upgrade).is_some() {
                return Err(Error::InvalidArgument(format!(
                    "session {id} already has an open StreamingQueryEvents; read from it or \
                     close it before listening again"
                )));
            }
            open.insert(id, Arc::downgrade(&started));
        }
        // From here on, dropping `events` unregisters it.
        let mut events = StreamingQueryEvents {
            session: session.clone(),
            stream: None,
            started,
            pending: VecDeque::new(),
        };
        let closing = CLOSING
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(session.session_id());
        if let Some(closing) = closing {
            // Its failure leaves a listener behind, which the removal below clears.
            let _ = closing.await;
        }
        // The server answers nothing to an add while a listener is registered for the
        // session (one left by a stream dropped outside a runtime, or by another client of
        // the session), so remove any first; a removal without a listener is a no-op.
        remove_listener(&session).await?;
        let mut stream = session.client().execute_plan(bus_command(true)).await?;
        loop {
            let response = stream.next_response().await.ok_or_else(|| {
                Error::Protocol(
                    "the listener bus command ended before the server confirmed it".into(),
                )
            })??;
            if let Some(ResponseType::StreamingQueryListenerEventsResult(r)) =
                response.response_type
            {
                events.take(r.events);
                match r.listener_bus_listener_added {
                    Some(true) => break,
                    Some(false) => {
                        return Err(Error::Protocol(
                            "the server did not add the listener bus for this session".into(),
                        ));
                    }
                    None => {}
                }
            }
        }
        events.stream = Some(stream);
        Ok(events)
    }
}

impl StreamingQueryEvents {
    fn take(&mut self, events: Vec<proto::StreamingQueryListenerEvent>) {
        self.pending
            .extend(events.into_iter().map(StreamingQueryEvent::decode));
    }

    fn next_ready(&mut self) -> Option<Result<StreamingQueryEvent, Error>> {
        if let Some(e) = lock(&self.started).pop_front() {
            return Some(Ok(e));
        }
        self.pending.pop_front()
    }

    /// The next event, waiting for it; `None` once the stream has ended (after
    /// [`close`](Self::close) or when the server ended it). An event the client cannot
    /// decode is an error, and the stream goes on.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// use spark_connect_dataframe::StreamingQueryEventKind;
    /// let mut events = spark.streams().listen().await?;
    /// while let Some(event) = events.next().await {
    ///     if event?.kind == StreamingQueryEventKind::Terminated {
    ///         break;
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn next(&mut self) -> Option<Result<StreamingQueryEvent, Error>> {
        loop {
            if let Some(e) = self.next_ready() {
                return Some(e);
            }
            let stream = self.stream.as_mut()?;
            match stream.next_response().await {
                None => {
                    self.stream = None;
                    return None;
                }
                Some(Err(e)) => {
                    self.stream = None;
                    return Some(Err(e.into()));
                }
                Some(Ok(response)) => {
                    if let Some(ResponseType::StreamingQueryListenerEventsResult(r)) =
                        response.response_type
                    {
                        self.take(r.events);
                    }
                }
            }
        }
    }

    /// Asks the server to stop sending events (PySpark's `removeListener` of the last
    /// listener) and returns the events not read yet, in order.
    ///
    /// ```no_run
    /// # use spark_connect_dataframe::*;
    /// # async fn demo(spark: SparkSession) -> Result<(), Error> {
    /// let events = spark.streams().listen().await?;
    /// // ... start and run queries ...
    /// let unread = events.close().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn close(mut self) -> Result<Vec<StreamingQueryEvent>, Error> {
        if self.stream.is_some() {
            remove_listener(&self.session).await?;
        }
        let mut rest = Vec::new();
        while let Some(event) = self.next().await {
            rest.push(event?);
        }
        Ok(rest)
    }
}

/// Asks the server to remove the session's listener, which ends its event stream.
async fn remove_listener(session: &SparkSession) -> Result<(), Error> {
    let mut remove = session.client().execute_plan(bus_command(false)).await?;
    while let Some(response) = remove.next_response().await {
        response?;
    }
    Ok(())
}

impl Drop for StreamingQueryEvents {
    fn drop(&mut self) {
        let id = self.session.session_id().to_string();
        // Still open: the server would keep the listener (and the events for it) until the
        // session ends, so remove it in the background where there is a runtime.
        if self.stream.is_some()
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let session = self.session.clone();
            let task = runtime.spawn(async move {
                if let Err(e) = remove_listener(&session).await {
                    tracing::debug!(error = %e, "removing the streaming query listener");
                }
            });
            CLOSING
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id.clone(), task);
        }
        let mut open = open_streams();
        let ours = open
            .get(&id)
            .is_some_and(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(&self.started)));
        if ours {
            open.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(
        event_type: proto::StreamingQueryEventType,
        json: &str,
    ) -> Result<StreamingQueryEvent, Error> {
        StreamingQueryEvent::decode(proto::StreamingQueryListenerEvent {
            event_json: json.to_string(),
            event_type: event_type as i32,
        })
    }

    #[test]
    fn events_decode_with_their_ids() {
        use proto::StreamingQueryEventType as T;
        let progress = event(
            T::QueryProgressEvent,
            r#"{"progress": {"id": "q1", "runId": "r1", "batchId": 3}}"#,
        )
        .unwrap();
        assert_eq!(progress.kind, StreamingQueryEventKind::Progress);
        assert_eq!(progress.query_id(), Some("q1"));
        assert_eq!(progress.run_id(), Some("r1"));
        assert_eq!(progress.progress().unwrap()["batchId"], 3);
        assert_eq!(progress.exception(), None);

        let ended = event(
            T::QueryTerminatedEvent,
            r#"{"id": "q1", "runId": "r1", "exception": "boom", "errorClassOnException": null}"#,
        )
        .unwrap();
        assert_eq!(ended.kind, StreamingQueryEventKind::Terminated);
        assert_eq!(ended.query_id(), Some("q1"));
        assert_eq!(ended.exception(), Some("boom"));
        assert!(ended.progress().is_none());

        let idle = event(T::QueryIdleEvent, r#"{"id": "q2", "runId": "r2"}"#).unwrap();
        assert_eq!(idle.kind, StreamingQueryEventKind::Idle);
        assert_eq!(idle.run_id(), Some("r2"));
    }

    #[test]
    fn bad_events_are_errors_not_panics() {
        use proto::StreamingQueryEventType as T;
        let err = event(T::QueryProgressUnspecified, "{}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown type 0"), "{err}");
        let err = event(T::QueryIdleEvent, "{not json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not valid JSON"), "{err}");
    }
}
