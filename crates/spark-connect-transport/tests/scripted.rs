//! Retries and reattachable execution against a scripted server that fails on cue: the cases a
//! real server cannot be made to produce (UNAVAILABLE, RetryInfo, a lost operation, streams that
//! end half-way, a changed server-side session).

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::Stream;
use spark_connect_proto::spark::connect as pb;
use spark_connect_transport::{
    ClientBuilder, ConnectionString, Error, RetryPolicy, SparkConnectClient,
};
use tonic::{Request, Response, Status};
use tonic_types::StatusExt;

type ResponseStream = Pin<Box<dyn Stream<Item = Result<pb::ExecutePlanResponse, Status>> + Send>>;

/// What one `ExecutePlan` or `ReattachExecute` call does.
enum Call {
    /// Fails before any response.
    Refuse(Status),
    /// Sends these, then ends the stream (cleanly unless the last step is a failure).
    Stream(Vec<Step>),
}

enum Step {
    /// A batch-less response with this id.
    Response(&'static str),
    /// `ResultComplete` with this id.
    Complete(&'static str),
    /// A response from another server-side session.
    OtherSession(&'static str),
    /// The stream fails.
    Fail(Status),
    /// Nothing more is sent, and the stream stays open.
    Hang,
    /// `count` responses with ids `<prefix>1`, `<prefix>2`, ..., each an Arrow batch of `bytes`
    /// (zero) bytes.
    Batches {
        prefix: &'static str,
        count: usize,
        bytes: usize,
    },
}

#[derive(Default)]
struct Script {
    executions: Mutex<VecDeque<Call>>,
    analyze_failures: Mutex<VecDeque<Status>>,
    log: Mutex<Vec<String>>,
}

#[derive(Clone)]
struct Server(Arc<Script>);

impl Server {
    fn log(&self, line: String) {
        self.0.log.lock().unwrap().push(line);
    }

    fn respond(&self, session_id: String, operation_id: String) -> Result<ResponseStream, Status> {
        let call = self.0.executions.lock().unwrap().pop_front();
        let steps = match call {
            Some(Call::Refuse(status)) => return Err(status),
            Some(Call::Stream(steps)) => steps,
            None => return Err(Status::internal("the script has no more calls")),
        };
        let response =
            move |id: &str, server_session: &str, complete: bool| pb::ExecutePlanResponse {
                session_id: session_id.clone(),
                server_side_session_id: server_session.to_string(),
                operation_id: operation_id.clone(),
                response_id: id.to_string(),
                response_type: complete.then_some(
                    pb::execute_plan_response::ResponseType::ResultComplete(
                        pb::execute_plan_response::ResultComplete {},
                    ),
                ),
                ..Default::default()
            };
        let mut items = Vec::new();
        let mut hang = false;
        for step in steps {
            match step {
                Step::Response(id) => items.push(Ok(response(id, "srv-1", false))),
                Step::Complete(id) => items.push(Ok(response(id, "srv-1", true))),
                Step::OtherSession(id) => items.push(Ok(response(id, "srv-2", false))),
                Step::Fail(status) => items.push(Err(status)),
                Step::Hang => hang = true,
                Step::Batches {
                    prefix,
                    count,
                    bytes,
                } => {
                    for i in 1..=count {
                        let mut r = response(&format!("{prefix}{i}"), "srv-1", false);
                        r.response_type =
                            Some(pb::execute_plan_response::ResponseType::ArrowBatch(
                                pb::execute_plan_response::ArrowBatch {
                                    row_count: 1,
                                    data: vec![0u8; bytes].into(),
                                    start_offset: None,
                                    ..Default::default()
                                },
                            ));
                        items.push(Ok(r));
                    }
                }
            }
        }
        let stream = futures_util::stream::iter(items);
        Ok(if hang {
            Box::pin(futures_util::StreamExt::chain(
                stream,
                futures_util::stream::pending(),
            ))
        } else {
            Box::pin(stream)
        })
    }
}

#[tonic::async_trait]
impl pb::spark_connect_service_server::SparkConnectService for Server {
    type ExecutePlanStream = ResponseStream;
    type ReattachExecuteStream = ResponseStream;

    async fn execute_plan(
        &self,
        request: Request<pb::ExecutePlanRequest>,
    ) -> Result<Response<ResponseStream>, Status> {
        let r = request.into_inner();
        let reattachable = r.request_options.iter().any(|o| {
            matches!(
                o.request_option,
                Some(
                    pb::execute_plan_request::request_option::RequestOption::ReattachOptions(
                        pb::ReattachOptions { reattachable: true }
                    )
                )
            )
        });
        self.log(format!(
            "execute reattachable={reattachable} tags={:?}",
            r.tags
        ));
        let op = r.operation_id.unwrap_or_default();
        self.respond(r.session_id, op).map(Response::new)
    }

    async fn reattach_execute(
        &self,
        request: Request<pb::ReattachExecuteRequest>,
    ) -> Result<Response<ResponseStream>, Status> {
        let r = request.into_inner();
        self.log(format!("reattach after {:?}", r.last_response_id));
        self.respond(r.session_id, r.operation_id)
            .map(Response::new)
    }

    async fn release_execute(
        &self,
        request: Request<pb::ReleaseExecuteRequest>,
    ) -> Result<Response<pb::ReleaseExecuteResponse>, Status> {
        let r = request.into_inner();
        use pb::release_execute_request::Release;
        match r.release {
            Some(Release::ReleaseAll(_)) => self.log("release all".into()),
            Some(Release::ReleaseUntil(u)) => self.log(format!("release until {}", u.response_id)),
            None => {}
        }
        Ok(Response::new(pb::ReleaseExecuteResponse {
            session_id: r.session_id,
            server_side_session_id: "srv-1".into(),
            operation_id: Some(r.operation_id),
        }))
    }

    async fn analyze_plan(
        &self,
        request: Request<pb::AnalyzePlanRequest>,
    ) -> Result<Response<pb::AnalyzePlanResponse>, Status> {
        self.log("analyze".into());
        if let Some(status) = self.0.analyze_failures.lock().unwrap().pop_front() {
            return Err(status);
        }
        Ok(Response::new(pb::AnalyzePlanResponse {
            session_id: request.into_inner().session_id,
            server_side_session_id: "srv-1".into(),
            result: Some(pb::analyze_plan_response::Result::SparkVersion(
                pb::analyze_plan_response::SparkVersion {
                    version: "4.3.0".into(),
                },
            )),
        }))
    }

    async fn config(
        &self,
        _: Request<pb::ConfigRequest>,
    ) -> Result<Response<pb::ConfigResponse>, Status> {
        Err(Status::unimplemented("config"))
    }

    /// Reassembles the artifacts, checks every chunk's CRC-32 itself, logs
    /// `artifact <name> <bytes> crc=<ok>` and acknowledges each one, with a failed CRC for the
    /// ones it could not verify and for names containing `reject`.
    async fn add_artifacts(
        &self,
        request: Request<tonic::Streaming<pb::AddArtifactsRequest>>,
    ) -> Result<Response<pb::AddArtifactsResponse>, Status> {
        use pb::add_artifacts_request::{ArtifactChunk, Payload};
        let crc_ok = |c: &ArtifactChunk| i64::from(crc32fast::hash(&c.data)) == c.crc;
        let mut stream = request.into_inner();
        let mut done: Vec<(String, usize, bool)> = Vec::new();
        let mut open: Option<(String, usize, bool, i64)> = None;
        let mut session_id = String::new();
        while let Some(message) = stream.message().await? {
            session_id = message.session_id.clone();
            match message.payload {
                Some(Payload::Batch(batch)) => {
                    for a in batch.artifacts {
                        let chunk = a.data.unwrap_or_default();
                        done.push((a.name, chunk.data.len(), crc_ok(&chunk)));
                    }
                }
                Some(Payload::BeginChunk(begin)) => {
                    let chunk = begin.initial_chunk.unwrap_or_default();
                    open = Some((
                        begin.name,
                        chunk.data.len(),
                        crc_ok(&chunk),
                        begin.num_chunks - 1,
                    ));
                }
                Some(Payload::Chunk(chunk)) => {
                    let (_, len, ok, left) = open
                        .as_mut()
                        .ok_or_else(|| Status::invalid_argument("a chunk without a begin"))?;
                    *len += chunk.data.len();
                    *ok &= crc_ok(&chunk);
                    *left -= 1;
                }
                None => return Err(Status::invalid_argument("no payload")),
            }
            if let Some((name, len, ok, 0)) = open.clone() {
                done.push((name, len, ok));
                open = None;
            }
        }
        let mut artifacts = Vec::new();
        for (name, len, ok) in done {
            self.log(format!("artifact {name} {len} crc={ok}"));
            artifacts.push(pb::add_artifacts_response::ArtifactSummary {
                is_crc_successful: ok && !name.contains("reject"),
                name,
            });
        }
        Ok(Response::new(pb::AddArtifactsResponse {
            session_id,
            server_side_session_id: "srv-1".into(),
            artifacts,
        }))
    }

    async fn artifact_status(
        &self,
        _: Request<pb::ArtifactStatusesRequest>,
    ) -> Result<Response<pb::ArtifactStatusesResponse>, Status> {
        Err(Status::unimplemented("artifact_status"))
    }

    async fn interrupt(
        &self,
        _: Request<pb::InterruptRequest>,
    ) -> Result<Response<pb::InterruptResponse>, Status> {
        Err(Status::unimplemented("interrupt"))
    }

    async fn release_session(
        &self,
        _: Request<pb::ReleaseSessionRequest>,
    ) -> Result<Response<pb::ReleaseSessionResponse>, Status> {
        Err(Status::unimplemented("release_session"))
    }

    async fn fetch_error_details(
        &self,
        _: Request<pb::FetchErrorDetailsRequest>,
    ) -> Result<Response<pb::FetchErrorDetailsResponse>, Status> {
        Err(Status::unimplemented("fetch_error_details"))
    }

    async fn clone_session(
        &self,
        _: Request<pb::CloneSessionRequest>,
    ) -> Result<Response<pb::CloneSessionResponse>, Status> {
        Err(Status::unimplemented("clone_session"))
    }

    async fn get_status(
        &self,
        _: Request<pb::GetStatusRequest>,
    ) -> Result<Response<pb::GetStatusResponse>, Status> {
        Err(Status::unimplemented("get_status"))
    }
}

/// Starts the scripted server and a client for it with quick retries.
async fn start(executions: Vec<Call>, policy: RetryPolicy) -> (SparkConnectClient, Arc<Script>) {
    start_configured(executions, move |b| b.retry_policy(policy)).await
}

/// Starts the scripted server and a client for it that `configure` sets up.
async fn start_configured(
    executions: Vec<Call>,
    configure: impl FnOnce(ClientBuilder) -> ClientBuilder,
) -> (SparkConnectClient, Arc<Script>) {
    let script = Arc::new(Script {
        executions: Mutex::new(executions.into()),
        ..Default::default()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service =
        pb::spark_connect_service_server::SparkConnectServiceServer::new(Server(script.clone()));
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );
    let conn = ConnectionString::parse_without_env(&format!("sc://{addr}")).unwrap();
    let client = configure(
        SparkConnectClient::builder(conn).stream_idle_timeout(Some(Duration::from_secs(5))),
    )
    .build()
    .unwrap();
    (client, script)
}

fn quick() -> RetryPolicy {
    RetryPolicy::default()
        .initial_backoff(Duration::from_millis(5))
        .max_retries(3)
}

fn plan() -> pb::Plan {
    pb::Plan { op_type: None }
}

/// Every response id the stream delivers, or the error it ends in.
async fn drain(client: &SparkConnectClient) -> (Vec<String>, Option<Error>, u32) {
    let mut stream = match client.execute_plan(plan()).await {
        Ok(s) => s,
        Err(e) => return (Vec::new(), Some(e), 0),
    };
    let mut ids = Vec::new();
    while let Some(r) = stream.next_response().await {
        match r {
            Ok(r) => ids.push(r.response_id),
            Err(e) => return (ids, Some(e), stream.reattach_count()),
        }
    }
    assert!(stream.is_complete());
    (ids, None, stream.reattach_count())
}

fn log(script: &Script) -> Vec<String> {
    script.log.lock().unwrap().clone()
}

/// The `ExecutePlan` and `ReattachExecute` calls the server saw, in order.
fn calls(script: &Script) -> Vec<String> {
    log(script)
        .into_iter()
        .filter(|l| l.starts_with("execute") || l.starts_with("reattach"))
        .collect()
}

/// Waits until the background releases reached the server.
async fn wait_for(script: &Script, line: &str) {
    for _ in 0..100 {
        if log(script).iter().any(|l| l == line) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no '{line}' in {:?}", log(script));
}

#[tokio::test]
async fn a_stream_that_ends_without_result_complete_is_resumed_after_its_last_response() {
    use Step::*;
    let (client, script) = start(
        vec![
            Call::Stream(vec![Response("r1"), Response("r2")]),
            Call::Stream(vec![Response("r3"), Complete("r4")]),
        ],
        quick(),
    )
    .await;
    let (ids, error, reattaches) = drain(&client).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["r1", "r2", "r3", "r4"]);
    assert_eq!(reattaches, 1);
    wait_for(&script, "release all").await;
    let log = log(&script);
    assert_eq!(log[0], "execute reattachable=true tags=[]");
    assert!(
        log.contains(&"reattach after Some(\"r2\")".to_string()),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_broken_stream_is_resumed_and_the_budget_restarts_on_progress() {
    use Step::*;
    // One retry allowed, but every resumed stream makes progress before it breaks again.
    let broken = || Status::unavailable("connection reset");
    let (client, script) = start(
        vec![
            Call::Stream(vec![Response("r1"), Fail(broken())]),
            Call::Stream(vec![Response("r2"), Fail(broken())]),
            Call::Stream(vec![Response("r3"), Fail(broken())]),
            Call::Stream(vec![Complete("r4")]),
        ],
        quick().max_retries(1),
    )
    .await;
    let (ids, error, reattaches) = drain(&client).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["r1", "r2", "r3", "r4"]);
    assert_eq!(reattaches, 3);
    let log = log(&script);
    assert!(
        log.contains(&"reattach after Some(\"r3\")".to_string()),
        "{log:?}"
    );
}

#[tokio::test]
async fn breaks_without_progress_spend_the_budget_and_say_so() {
    use Step::*;
    let broken = || Status::unavailable("connection reset");
    let (client, _script) = start(
        vec![
            Call::Stream(vec![Response("r1"), Fail(broken())]),
            Call::Refuse(broken()),
            Call::Refuse(broken()),
        ],
        quick().max_retries(2),
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert_eq!(ids, ["r1"]);
    let error = error.expect("an error");
    assert!(
        matches!(error, Error::RetriesExhausted { retries: 2, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("gave up after 2 retries"),
        "{error}"
    );
}

#[tokio::test]
async fn operation_not_found_before_any_response_sends_the_plan_again() {
    use Step::*;
    let (client, script) = start(
        vec![
            Call::Refuse(Status::unavailable("not yet")),
            Call::Refuse(Status::internal(
                "[INVALID_HANDLE.OPERATION_NOT_FOUND] The handle is invalid.",
            )),
            Call::Stream(vec![Complete("r1")]),
        ],
        quick(),
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["r1"]);
    let log = log(&script);
    assert_eq!(
        log[..3],
        [
            "execute reattachable=true tags=[]",
            "reattach after None",
            "execute reattachable=true tags=[]"
        ],
        "{log:?}"
    );
}

#[tokio::test]
async fn operation_not_found_after_a_response_is_a_lost_result() {
    use Step::*;
    let (client, script) = start(
        vec![
            Call::Stream(vec![Response("r1"), Fail(Status::unavailable("reset"))]),
            Call::Refuse(Status::internal(
                "[INVALID_HANDLE.OPERATION_NOT_FOUND] The handle is invalid.",
            )),
        ],
        quick(),
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert_eq!(ids, ["r1"]);
    let error = error.expect("an error");
    assert!(
        matches!(error, Error::OperationLost { responses: 1, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("was lost after 1 responses"),
        "{error}"
    );
    wait_for(&script, "release all").await;
}

// --- Handle errors on reattach (INVALID_HANDLE.*): resend, lost result, or plain failure ---

fn not_found() -> Status {
    Status::internal(
        "[INVALID_HANDLE.OPERATION_NOT_FOUND] The handle 0f0e is invalid. Operation not found. SQLSTATE: HY000",
    )
}

#[tokio::test]
async fn session_not_found_before_any_response_sends_the_plan_again() {
    use Step::*;
    // The session's first call was the ExecutePlan, and it never arrived: the server knows
    // neither the session nor the operation (the real server says SESSION_NOT_FOUND then).
    let (client, script) = start(
        vec![
            Call::Refuse(Status::unavailable("stream reset")),
            Call::Refuse(Status::internal(
                "[INVALID_HANDLE.SESSION_NOT_FOUND] The handle 0f0e is invalid. Session not found. SQLSTATE: 08003",
            )),
            Call::Stream(vec![Response("r1"), Complete("r2")]),
        ],
        quick(),
    )
    .await;
    let (ids, error, reattaches) = drain(&client).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["r1", "r2"]);
    assert_eq!(reattaches, 2);
    assert_eq!(
        log(&script)[..3],
        [
            "execute reattachable=true tags=[]",
            "reattach after None",
            "execute reattachable=true tags=[]"
        ]
    );
}

#[tokio::test]
async fn operation_not_found_on_every_reattach_is_bounded_by_the_retry_policy() {
    // Every ExecutePlan is cut before it arrives, every ReattachExecute finds nothing.
    let mut script = Vec::new();
    for _ in 0..10 {
        script.push(Call::Refuse(Status::unavailable("stream reset")));
        script.push(Call::Refuse(not_found()));
    }
    let (client, script) = start(script, quick().max_retries(5)).await;
    let (ids, error, _) = drain(&client).await;
    assert!(ids.is_empty());
    let error = error.expect("an error");
    assert!(
        matches!(error, Error::RetriesExhausted { retries: 5, .. }),
        "{error:?}"
    );
    // One first attempt and five retries, alternating.
    let log = calls(&script);
    assert_eq!(log.len(), 6, "{log:?}");
    for (i, line) in log.iter().enumerate() {
        let expected = if i % 2 == 0 {
            "execute reattachable=true tags=[]"
        } else {
            "reattach after None"
        };
        assert_eq!(line, expected, "{log:?}");
    }
}

#[tokio::test]
async fn operation_not_found_after_responses_says_to_run_the_query_again_and_sends_nothing_more() {
    use Step::*;
    let (client, script) = start(
        vec![
            Call::Stream(vec![
                Response("r1"),
                Response("r2"),
                Fail(Status::unavailable("reset")),
            ]),
            Call::Refuse(not_found()),
            // Would be a silent second run if the plan were sent again.
            Call::Stream(vec![Response("r1"), Complete("r2")]),
        ],
        quick(),
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert_eq!(ids, ["r1", "r2"]);
    let error = error.expect("an error");
    assert!(
        matches!(error, Error::OperationLost { responses: 2, .. }),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(text.contains("run the query again"), "{text}");
    assert!(text.contains("OPERATION_NOT_FOUND"), "{text}");
    wait_for(&script, "release all").await;
    let log = log(&script);
    assert_eq!(
        log.iter().filter(|l| l.starts_with("execute")).count(),
        1,
        "{log:?}"
    );
}

#[tokio::test]
async fn responses_without_ids_are_not_replayed_after_a_break() {
    use Step::*;
    // A server that gives no response ids: a reattach could only start over, repeating them.
    let (client, script) = start(
        vec![
            Call::Stream(vec![Response(""), Fail(Status::unavailable("reset"))]),
            Call::Refuse(not_found()),
            Call::Stream(vec![Response(""), Complete("r2")]),
        ],
        quick(),
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert_eq!(ids, [""]);
    let error = error.expect("an error");
    assert!(error.to_string().contains("run the query again"), "{error}");
    wait_for(&script, "release all").await;
    let log = calls(&script);
    assert_eq!(log.len(), 1, "{log:?}");
}

#[tokio::test]
async fn a_replayed_response_is_an_error_not_a_duplicate() {
    use Step::*;
    // A server that ignores last_response_id and starts over.
    let (client, _script) = start(
        vec![
            Call::Stream(vec![Response("r1"), Fail(Status::unavailable("reset"))]),
            Call::Stream(vec![Response("r1"), Complete("r2")]),
        ],
        quick(),
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert_eq!(ids, ["r1"]);
    let error = error.expect("an error");
    assert!(matches!(error, Error::Protocol(_)), "{error:?}");
    assert!(error.to_string().contains("r1"), "{error}");
}

#[tokio::test]
async fn operation_abandoned_is_a_lost_result_without_retries() {
    use Step::*;
    let abandoned = || {
        Status::internal(
            "[INVALID_HANDLE.OPERATION_ABANDONED] The handle 0f0e is invalid. Operation was considered abandoned because of inactivity and removed. SQLSTATE: HY000",
        )
    };
    for before_any_response in [true, false] {
        let first = if before_any_response {
            Call::Refuse(Status::unavailable("reset"))
        } else {
            Call::Stream(vec![Response("r1"), Fail(Status::unavailable("reset"))])
        };
        let (client, script) = start(
            vec![first, Call::Refuse(abandoned()), Call::Refuse(abandoned())],
            quick(),
        )
        .await;
        let (ids, error, _) = drain(&client).await;
        let error = error.expect("an error");
        let responses = u64::from(!before_any_response);
        assert_eq!(ids.len() as u64, responses);
        assert!(
            matches!(error, Error::OperationLost { responses: n, .. } if n == responses),
            "{error:?}"
        );
        let text = error.to_string();
        assert!(text.contains("OPERATION_ABANDONED"), "{text}");
        assert!(text.contains("run the query again"), "{text}");
        // The first call and one ReattachExecute, nothing more.
        assert_eq!(
            calls(&script)[1..],
            [if before_any_response {
                "reattach after None"
            } else {
                "reattach after Some(\"r1\")"
            }],
            "{:?}",
            log(&script)
        );
    }
}

#[tokio::test]
async fn a_plan_sent_again_for_an_abandoned_operation_is_a_lost_result() {
    // The real server answers a reattach to an operation it released with
    // OPERATION_NOT_FOUND, and the ExecutePlan sent again with OPERATION_ABANDONED.
    let (client, script) = start(
        vec![
            Call::Refuse(Status::unavailable("reset")),
            Call::Refuse(not_found()),
            Call::Refuse(Status::internal(
                "[INVALID_HANDLE.OPERATION_ABANDONED] The handle 0f0e is invalid. SQLSTATE: HY000",
            )),
            Call::Refuse(Status::unavailable("reset")),
        ],
        quick(),
    )
    .await;
    let (_, error, _) = drain(&client).await;
    let error = error.expect("an error");
    assert!(
        matches!(error, Error::OperationLost { responses: 0, .. }),
        "{error:?}"
    );
    assert_eq!(calls(&script).len(), 3, "{:?}", log(&script));
}

#[tokio::test]
async fn session_closed_on_reattach_is_not_retried() {
    use Step::*;
    let closed = || {
        Status::internal(
            "[INVALID_HANDLE.SESSION_CLOSED] The handle 0f0e is invalid. Session was closed. SQLSTATE: 08003",
        )
    };
    let (client, script) = start(
        vec![
            Call::Stream(vec![Response("r1"), Fail(Status::unavailable("reset"))]),
            Call::Refuse(closed()),
            Call::Refuse(closed()),
        ],
        quick(),
    )
    .await;
    let (ids, error, reattaches) = drain(&client).await;
    assert_eq!(ids, ["r1"]);
    let error = error.expect("an error");
    // The session has ended: a kind of its own, the server's words kept as the source.
    assert_eq!(
        error.session_end(),
        Some(&spark_connect_transport::SessionEndReason::Closed),
        "{error:?}"
    );
    let Error::SessionEnded {
        server: Some(server),
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert!(server.message().contains("INVALID_HANDLE.SESSION_CLOSED"));
    assert!(error.to_string().contains("make a new session"), "{error}");
    assert!(client.is_closed());
    assert_eq!(reattaches, 1);
    let log = calls(&script);
    assert_eq!(log.len(), 2, "{log:?}");
}

#[tokio::test]
async fn a_query_error_that_mentions_a_handle_error_is_not_taken_for_one() {
    use Step::*;
    // SELECT raise_error('INVALID_HANDLE.OPERATION_NOT_FOUND'): the query's own failure, on the
    // ExecutePlan stream, is reported once, not answered by sending the plan again.
    let (client, script) = start(
        vec![
            Call::Stream(vec![Fail(Status::internal(
                "[USER_RAISED_EXCEPTION] INVALID_HANDLE.OPERATION_NOT_FOUND SQLSTATE: P0001",
            ))]),
            Call::Stream(vec![Complete("r1")]),
        ],
        quick(),
    )
    .await;
    let (ids, error, reattaches) = drain(&client).await;
    assert!(ids.is_empty());
    let error = error.expect("an error");
    assert!(
        error
            .server_error()
            .is_some_and(|e| e.message().starts_with("[USER_RAISED_EXCEPTION]")),
        "{error:?}"
    );
    assert_eq!(reattaches, 0);
    wait_for(&script, "release all").await;
    let log = log(&script);
    assert_eq!(
        log.iter().filter(|l| l.starts_with("execute")).count(),
        1,
        "{log:?}"
    );
}

#[tokio::test]
async fn a_server_error_is_not_retried_and_releases_the_operation() {
    use Step::*;
    let (client, script) = start(
        vec![Call::Stream(vec![
            Response("r1"),
            Fail(Status::invalid_argument("bad plan")),
        ])],
        quick(),
    )
    .await;
    let (_, error, reattaches) = drain(&client).await;
    let error = error.expect("an error");
    assert_eq!(
        error.server_error().map(|s| s.code()),
        Some(tonic::Code::InvalidArgument)
    );
    assert_eq!(reattaches, 0);
    wait_for(&script, "release all").await;
}

#[tokio::test]
async fn a_changed_server_side_session_is_reported() {
    use Step::*;
    let (client, _script) = start(
        vec![Call::Stream(vec![
            Response("r1"),
            OtherSession("r2"),
            Complete("r3"),
        ])],
        quick(),
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert_eq!(ids, ["r1"]);
    assert!(
        matches!(
            error.as_ref().and_then(Error::session_end),
            Some(spark_connect_transport::SessionEndReason::ServerRestarted { .. })
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn dropping_a_stream_releases_the_operation() {
    use Step::*;
    let (client, script) = start(vec![Call::Stream(vec![Response("r1"), Hang])], quick()).await;
    let mut stream = client.execute_plan(plan()).await.unwrap();
    assert_eq!(
        stream.next_response().await.unwrap().unwrap().response_id,
        "r1"
    );
    drop(stream);
    wait_for(&script, "release all").await;
}

#[tokio::test]
async fn a_stream_kept_open_after_result_complete_ends_cleanly() {
    use Step::*;
    let (client, _script) = start(
        vec![Call::Stream(vec![Response("r1"), Complete("r2"), Hang])],
        quick(),
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["r1", "r2"]);
}

#[tokio::test]
async fn a_silent_stream_ends_at_the_idle_timeout() {
    use Step::*;
    let (client, _script) = start(vec![Call::Stream(vec![Response("r1"), Hang])], quick()).await;
    let client = SparkConnectClient::builder(
        ConnectionString::parse_without_env(&format!(
            "sc://{}",
            client.endpoint().trim_start_matches("http://")
        ))
        .unwrap(),
    )
    .stream_idle_timeout(Some(Duration::from_millis(300)))
    .build()
    .unwrap();
    let started = Instant::now();
    let (ids, error, _) = drain(&client).await;
    assert_eq!(ids, ["r1"]);
    let error = error.expect("an error");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(error.to_string().contains("after 1 responses"), "{error}");
}

#[tokio::test]
async fn retry_info_sets_the_least_wait_and_unary_calls_are_retried() {
    let (client, script) = start(Vec::new(), quick()).await;
    let status = tonic::Status::with_error_details(
        tonic::Code::ResourceExhausted,
        "busy",
        tonic_types::ErrorDetails::with_retry_info(Some(Duration::from_millis(400))),
    );
    script.analyze_failures.lock().unwrap().push_back(status);
    let started = Instant::now();
    assert_eq!(client.spark_version().await.unwrap(), "4.3.0");
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(log(&script), ["analyze", "analyze"]);

    // Not retryable: one attempt only.
    script
        .analyze_failures
        .lock()
        .unwrap()
        .push_back(Status::invalid_argument("no"));
    assert!(client.spark_version().await.is_err());
    assert_eq!(log(&script).len(), 3);
}

#[tokio::test]
async fn retries_can_be_turned_off_and_tags_are_sent() {
    let (client, script) = start(
        vec![Call::Refuse(Status::unavailable("down"))],
        RetryPolicy::none(),
    )
    .await;
    client.add_tag("nightly").unwrap();
    assert!(client.add_tag("a,b").is_err());
    let error = client.execute_plan(plan()).await.unwrap_err();
    assert!(
        !matches!(error, Error::RetriesExhausted { .. }),
        "{error:?}"
    );
    assert_eq!(
        log(&script),
        ["execute reattachable=true tags=[\"nightly\"]"]
    );
}

/// Counts how often it was asked for headers.
struct CountingSource(std::sync::atomic::AtomicUsize);

impl spark_connect_transport::HeaderSource for CountingSource {
    fn headers(&self) -> spark_connect_transport::HeadersFuture<'_> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async { Ok(vec![spark_connect_transport::Header::bearer("t0ken")]) })
    }
}

#[tokio::test]
async fn every_attempt_asks_the_header_source_again() {
    use Step::*;
    let (client, script) = start(
        vec![
            Call::Refuse(Status::unavailable("down")),
            Call::Stream(vec![Response("r1"), Fail(Status::unavailable("reset"))]),
            Call::Stream(vec![Complete("r2")]),
        ],
        quick(),
    )
    .await;
    script
        .analyze_failures
        .lock()
        .unwrap()
        .push_back(Status::unavailable("down"));
    let source = Arc::new(CountingSource(Default::default()));
    let conn = ConnectionString::parse_without_env(&format!(
        "sc://{}",
        client.endpoint().trim_start_matches("http://")
    ))
    .unwrap();
    let client = SparkConnectClient::builder(conn)
        .header_source(source.clone())
        .retry_policy(quick())
        .build()
        .unwrap();
    client.spark_version().await.unwrap();
    let count = || source.0.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(count(), 2, "AnalyzePlan: a failed attempt and a retry");
    let (ids, error, _) = drain(&client).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["r1", "r2"]);
    // ExecutePlan (refused), two ReattachExecute, and the releases.
    assert!(count() >= 5, "{}", count());
    assert!(!format!("{client:?}").contains("t0ken"));
}

#[tokio::test]
async fn artifacts_arrive_whole_with_good_crcs_and_a_rejection_names_the_artifact() {
    use spark_connect_transport::{ARTIFACT_CHUNK_SIZE, Artifact};
    let (client, script) = start(Vec::new(), quick()).await;
    let blob = |name: &str, len: usize| Artifact {
        name: name.into(),
        data: (0..len)
            .map(|i| (i * 7 % 256) as u8)
            .collect::<Vec<_>>()
            .into(),
    };
    let big = 3 * ARTIFACT_CHUNK_SIZE + 5;
    let stored = client
        .add_artifacts(&[
            blob("cache/a", 10),
            blob("cache/big", big),
            blob("cache/b", 20),
        ])
        .await
        .unwrap();
    assert_eq!(stored, ["cache/a", "cache/big", "cache/b"]);
    assert_eq!(
        *script.log.lock().unwrap(),
        [
            "artifact cache/a 10 crc=true".to_string(),
            format!("artifact cache/big {big} crc=true"),
            "artifact cache/b 20 crc=true".to_string(),
        ]
    );

    let e = client
        .add_artifacts(&[blob("cache/ok", 5), blob("cache/reject-me", 5)])
        .await
        .unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("cache/reject-me") && text.contains("CRC"),
        "{text}"
    );

    let e = client
        .add_artifacts(&[blob("/etc/passwd", 1)])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("relative path"), "{e}");
}

/// The `ReleaseExecute` calls the server saw, in order, once the final `release all` arrived.
async fn releases(script: &Script) -> Vec<String> {
    wait_for(script, "release all").await;
    log(script)
        .into_iter()
        .filter(|l| l.starts_with("release"))
        .collect()
}

#[tokio::test]
async fn releases_are_batched_by_count_and_the_last_one_releases_all() {
    use Step::*;
    let (client, script) = start(
        vec![Call::Stream(vec![
            Batches {
                prefix: "m",
                count: 100,
                bytes: 0,
            },
            Complete("end"),
        ])],
        quick(),
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids.len(), 101);
    let releases = releases(&script).await;
    // One release per 32 responses at most (fewer when one is still in flight), the first
    // after exactly 32, each up to a response the client had received, then one release of
    // everything, last.
    let (all, until) = releases.split_last().unwrap();
    assert_eq!(all, "release all", "{releases:?}");
    assert!(!until.is_empty() && until.len() <= 100 / 32, "{releases:?}");
    assert_eq!(until[0], "release until m32", "{releases:?}");
    let mut last = 0;
    for line in until {
        let n: usize = line
            .strip_prefix("release until m")
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{releases:?}"));
        assert!(n >= last + 32 && n <= 100, "{releases:?}");
        last = n;
    }
}

#[tokio::test]
async fn releases_are_batched_by_bytes() {
    use Step::*;
    // 4 MiB batches: the 32 MiB threshold is reached at the eighth response.
    let (client, script) = start(
        vec![Call::Stream(vec![
            Batches {
                prefix: "b",
                count: 12,
                bytes: 4 << 20,
            },
            Complete("end"),
        ])],
        quick(),
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids.len(), 13);
    assert_eq!(releases(&script).await, ["release until b8", "release all"]);
}

fn warming_up() -> Status {
    Status::failed_precondition("the server is warming up")
}

/// A policy of its own for "warming up" failures, as a facade adds one for a starting cluster.
fn warm_up_policy(retries: u32) -> RetryPolicy {
    RetryPolicy::default()
        .named("warm-up")
        .retry_when(|e| e.message().contains("warming up"))
        .initial_backoff(Duration::from_millis(5))
        .max_retries(retries)
        .give_up_hint("the server did not warm up")
}

#[tokio::test]
async fn an_added_policy_retries_what_its_rule_accepts_and_reports_each_wait() {
    use Step::*;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = events.clone();
    let (client, script) = start_configured(
        vec![
            Call::Refuse(warming_up()),
            Call::Refuse(warming_up()),
            Call::Stream(vec![Complete("r1")]),
        ],
        move |b| {
            // The default policy retries nothing here: only the added one can.
            b.retry_policy(RetryPolicy::none())
                .add_retry_policy(warm_up_policy(5))
                .on_retry(move |e| {
                    seen.lock().unwrap().push((
                        e.policy().to_string(),
                        e.retry(),
                        e.error().message().to_string(),
                    ))
                })
        },
    )
    .await;
    let (ids, error, _) = drain(&client).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["r1"]);
    assert_eq!(calls(&script).len(), 3, "{:?}", calls(&script));
    let events = events.lock().unwrap().clone();
    assert_eq!(
        events,
        [
            (
                "warm-up".to_string(),
                1,
                "the server is warming up".to_string()
            ),
            (
                "warm-up".to_string(),
                2,
                "the server is warming up".to_string()
            ),
        ]
    );
}

#[tokio::test]
async fn an_added_policy_gives_up_with_its_hint_and_a_later_server_error_stays_itself() {
    let (client, script) = start_configured(
        vec![
            Call::Refuse(warming_up()),
            Call::Refuse(warming_up()),
            Call::Refuse(warming_up()),
        ],
        |b| b.add_retry_policy(warm_up_policy(2)),
    )
    .await;
    let (_, error, _) = drain(&client).await;
    let error = error.expect("the budget runs out");
    assert!(
        matches!(error, Error::RetriesExhausted { retries: 2, .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("; the server did not warm up"),
        "{error}"
    );
    // A unary call: retried while warming up, then a real error is returned as it is, not as
    // "gave up after retries".
    {
        let mut failures = script.analyze_failures.lock().unwrap();
        failures.push_back(warming_up());
        failures.push_back(Status::invalid_argument("no such column"));
    }
    let error = client.spark_version().await.unwrap_err();
    assert!(matches!(error, Error::Server(_)), "{error:?}");
    assert!(error.to_string().contains("no such column"), "{error}");
}

#[tokio::test]
async fn policies_that_cannot_work_are_refused_at_build() {
    let conn = ConnectionString::parse_without_env("sc://127.0.0.1:1").unwrap();
    let e = SparkConnectClient::builder(conn.clone())
        .add_retry_policy(RetryPolicy::default().named("no-rule"))
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("`no-rule` has no rule"), "{e}");
    let e = SparkConnectClient::builder(conn)
        .retry_policy(warm_up_policy(1))
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("add_retry_policy instead"), "{e}");
}
