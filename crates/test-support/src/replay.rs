//! A replay server (feature `replay`): the `ExecutePlan` responses of one query, recorded once
//! from a real Spark Connect server, served again to any client as fast as loopback allows, so
//! that a benchmark measures the client alone.
//!
//! ```no_run
//! # async fn demo() -> Result<(), test_support::replay::ReplayError> {
//! use spark_connect_proto::spark::connect as pb;
//! use test_support::replay::{Recording, ReplayServer};
//!
//! let plan = pb::Plan {
//!     op_type: Some(pb::plan::OpType::Root(pb::Relation {
//!         common: None,
//!         rel_type: Some(pb::relation::RelType::Range(pb::Range {
//!             start: Some(0),
//!             end: 1000,
//!             step: 1,
//!             num_partitions: None,
//!         })),
//!     })),
//! };
//! let recording = Recording::record("sc://127.0.0.1:15002", plan).await?;
//! let server = ReplayServer::start(recording).await?;
//! println!("{}", server.url()); // sc://127.0.0.1:<port>
//! # Ok(())
//! # }
//! ```
//!
//! What it answers, minimally but for real:
//! - `ExecutePlan` of any plan that is not a command: the recorded responses, each with the
//!   request's session id and operation id (chosen by the server when the client chose none).
//!   A command (`spark.sql`'s `SqlCommand`, for instance) is refused with `UNIMPLEMENTED`.
//! - `ReattachExecute`: the recorded responses after `last_response_id` (all of them without
//!   one); an unknown response id is refused.
//! - `ReleaseExecute`, `ReleaseSession`, `Interrupt`: acknowledged.
//! - `Config`: `get` / `get_option` / `get_all` answer "not set", `get_with_default` the
//!   defaults; `set` / `unset` are accepted and forgotten.
//! - `AnalyzePlan`: `schema` (the recorded schema, when the server sent one) and
//!   `spark_version`; anything else is `UNIMPLEMENTED`.
//!
//! Every call is counted by method name ([`ReplayServer::calls`]).

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use futures_util::Stream;
use pb::spark_connect_service_server::{SparkConnectService, SparkConnectServiceServer};
use spark_connect_proto::spark::connect as pb;
use tonic::{Request, Response, Status};

/// The responses of one `ExecutePlan`, as a real server sent them.
#[derive(Clone, Debug)]
pub struct Recording {
    responses: Arc<Vec<pb::ExecutePlanResponse>>,
    schema: Option<pb::DataType>,
    rows: u64,
    arrow_bytes: u64,
}

/// A recording or a replay server that failed: what failed, and the failure underneath.
#[derive(Debug)]
pub struct ReplayError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl ReplayError {
    fn new(message: String) -> ReplayError {
        ReplayError {
            message,
            source: None,
        }
    }

    fn caused(
        message: String,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> ReplayError {
        ReplayError {
            message,
            source: Some(Box::new(source)),
        }
    }
}

impl std::fmt::Display for ReplayError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReplayError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl Recording {
    /// Runs `plan` once on the Spark Connect server at `url` (`sc://host:port`, plaintext) and
    /// keeps every response up to and including `ResultComplete`.
    pub async fn record(url: &str, plan: pb::Plan) -> Result<Recording, ReplayError> {
        let endpoint = url
            .strip_prefix("sc://")
            .map(|rest| format!("http://{}", rest.split('/').next().unwrap_or(rest)))
            .ok_or_else(|| ReplayError::new(format!("'{url}' is not an sc:// URL")))?;
        let channel = tonic::transport::Endpoint::from_shared(endpoint)
            .map_err(|e| ReplayError::caused(format!("'{url}': {e}"), e))?
            .http2_adaptive_window(true)
            .connect()
            .await
            .map_err(|e| ReplayError::caused(format!("cannot connect to {url}: {e}"), e))?;
        let mut client = pb::spark_connect_service_client::SparkConnectServiceClient::new(channel)
            .max_decoding_message_size(usize::MAX);
        let session_id = uuid::Uuid::new_v4().to_string();
        let operation_id = uuid::Uuid::new_v4().to_string();
        let user_context = Some(pb::UserContext {
            user_id: "replay-recorder".into(),
            ..Default::default()
        });
        // Reattachable, as clients run queries: only then does the server end the result with
        // `ResultComplete`, which the replay must send too.
        let request = pb::ExecutePlanRequest {
            session_id: session_id.clone(),
            user_context: user_context.clone(),
            operation_id: Some(operation_id.clone()),
            plan: Some(plan),
            request_options: vec![pb::execute_plan_request::RequestOption {
                request_option: Some(
                    pb::execute_plan_request::request_option::RequestOption::ReattachOptions(
                        pb::ReattachOptions { reattachable: true },
                    ),
                ),
            }],
            ..Default::default()
        };
        let mut responses: Vec<pb::ExecutePlanResponse> = Vec::new();
        let mut complete = false;
        let mut stalls = 0;
        let mut first = true;
        while !complete {
            let stream = if first {
                first = false;
                client.execute_plan(request.clone()).await
            } else {
                // The server ends a reattachable stream after a while: resume it.
                client
                    .reattach_execute(pb::ReattachExecuteRequest {
                        session_id: session_id.clone(),
                        user_context: user_context.clone(),
                        operation_id: operation_id.clone(),
                        last_response_id: responses.last().map(|r| r.response_id.clone()),
                        ..Default::default()
                    })
                    .await
            };
            let mut stream = stream
                .map_err(|e| {
                    ReplayError::caused(format!("ExecutePlan/ReattachExecute on {url}: {e}"), e)
                })?
                .into_inner();
            let before = responses.len();
            while let Some(response) = stream.message().await.map_err(|e| {
                ReplayError::caused(format!("the result stream from {url} broke: {e}"), e)
            })? {
                complete |= matches!(
                    response.response_type,
                    Some(pb::execute_plan_response::ResponseType::ResultComplete(_))
                );
                responses.push(response);
                if complete {
                    break;
                }
            }
            stalls = if responses.len() == before {
                stalls + 1
            } else {
                0
            };
            if stalls > 3 {
                return Err(ReplayError::new(format!(
                    "the result from {url} keeps ending without ResultComplete after {} responses",
                    responses.len()
                )));
            }
        }
        // Free what the server keeps for the operation.
        let _ = client
            .release_execute(pb::ReleaseExecuteRequest {
                session_id,
                user_context,
                operation_id,
                release: Some(pb::release_execute_request::Release::ReleaseAll(
                    pb::release_execute_request::ReleaseAll {},
                )),
                ..Default::default()
            })
            .await;
        Ok(Recording::from_responses(responses))
    }

    /// A recording of `responses` (which should end with `ResultComplete`).
    pub fn from_responses(responses: Vec<pb::ExecutePlanResponse>) -> Recording {
        let mut rows = 0u64;
        let mut arrow_bytes = 0u64;
        let mut schema = None;
        for response in &responses {
            if schema.is_none() {
                schema = response.schema.clone();
            }
            if let Some(pb::execute_plan_response::ResponseType::ArrowBatch(batch)) =
                &response.response_type
            {
                rows += batch.row_count.max(0) as u64;
                arrow_bytes += batch.data.len() as u64;
            }
        }
        Recording {
            responses: Arc::new(responses),
            schema,
            rows,
            arrow_bytes,
        }
    }

    /// Rows in the recorded Arrow batches.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Bytes of Arrow IPC payload in the recorded responses.
    pub fn arrow_bytes(&self) -> u64 {
        self.arrow_bytes
    }

    /// The number of recorded responses.
    pub fn responses(&self) -> usize {
        self.responses.len()
    }
}

/// A running replay server on `127.0.0.1`; stops when dropped.
#[derive(Debug)]
pub struct ReplayServer {
    url: String,
    state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

#[derive(Debug)]
struct State {
    recording: Recording,
    server_side_session_id: String,
    calls: Mutex<BTreeMap<&'static str, u64>>,
}

impl ReplayServer {
    /// Serves `recording` on a free port of 127.0.0.1, in the current tokio runtime.
    pub async fn start(recording: Recording) -> Result<ReplayServer, ReplayError> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| ReplayError::caused(format!("cannot listen on 127.0.0.1: {e}"), e))?;
        let port = listener
            .local_addr()
            .map_err(|e| ReplayError::caused(format!("no local address: {e}"), e))?
            .port();
        let state = Arc::new(State {
            recording,
            server_side_session_id: uuid::Uuid::new_v4().to_string(),
            calls: Mutex::default(),
        });
        let service = SparkConnectServiceServer::new(Replay(state.clone()))
            .max_decoding_message_size(usize::MAX)
            .max_encoding_message_size(usize::MAX);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        let server = tonic::transport::Server::builder()
            .tcp_nodelay(true)
            .initial_connection_window_size(16 * 1024 * 1024)
            .initial_stream_window_size(16 * 1024 * 1024)
            .add_service(service)
            .serve_with_incoming_shutdown(incoming, async {
                let _ = rx.await;
            });
        tokio::spawn(async move {
            if let Err(e) = server.await {
                eprintln!("replay server: {e}");
            }
        });
        Ok(ReplayServer {
            url: format!("sc://127.0.0.1:{port}"),
            state,
            shutdown: Some(tx),
        })
    }

    /// `sc://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The recording served.
    pub fn recording(&self) -> &Recording {
        &self.state.recording
    }

    /// How many calls of each method the server answered so far.
    pub fn calls(&self) -> BTreeMap<&'static str, u64> {
        self.state
            .calls
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

struct Replay(Arc<State>);

type Responses = Pin<Box<dyn Stream<Item = Result<pb::ExecutePlanResponse, Status>> + Send>>;

impl Replay {
    fn count(&self, method: &'static str) {
        if let Ok(mut calls) = self.0.calls.lock() {
            *calls.entry(method).or_default() += 1;
        }
    }

    /// The recorded responses from index `from`, for the caller's session and operation.
    fn responses(&self, from: usize, session_id: String, operation_id: String) -> Responses {
        let state = self.0.clone();
        let end = state.recording.responses.len();
        Box::pin(futures_util::stream::iter(from..end).map(move |i| {
            // A clone shares the Arrow payload (`Bytes`); only the ids are rewritten.
            let mut response = state.recording.responses[i].clone();
            response.session_id.clone_from(&session_id);
            response
                .server_side_session_id
                .clone_from(&state.server_side_session_id);
            response.operation_id.clone_from(&operation_id);
            Ok(response)
        }))
    }

    fn server_session(&self) -> String {
        self.0.server_side_session_id.clone()
    }
}

use futures_util::StreamExt as _;

#[tonic::async_trait]
impl SparkConnectService for Replay {
    type ExecutePlanStream = Responses;
    type ReattachExecuteStream = Responses;

    async fn execute_plan(
        &self,
        request: Request<pb::ExecutePlanRequest>,
    ) -> Result<Response<Self::ExecutePlanStream>, Status> {
        self.count("ExecutePlan");
        let request = request.into_inner();
        if let Some(pb::Plan {
            op_type: Some(pb::plan::OpType::Command(_)),
        }) = &request.plan
        {
            return Err(Status::unimplemented(
                "the replay server serves its recorded result for queries only, not for commands",
            ));
        }
        let operation_id = request
            .operation_id
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        Ok(Response::new(self.responses(
            0,
            request.session_id,
            operation_id,
        )))
    }

    async fn reattach_execute(
        &self,
        request: Request<pb::ReattachExecuteRequest>,
    ) -> Result<Response<Self::ReattachExecuteStream>, Status> {
        self.count("ReattachExecute");
        let request = request.into_inner();
        let from = match &request.last_response_id {
            None => 0,
            Some(id) => self
                .0
                .recording
                .responses
                .iter()
                .position(|r| &r.response_id == id)
                .ok_or_else(|| {
                    Status::internal(format!(
                        "INVALID_CURSOR.POSITION_NOT_FOUND: response {id} is not in the recording"
                    ))
                })?
                + 1,
        };
        Ok(Response::new(self.responses(
            from,
            request.session_id,
            request.operation_id,
        )))
    }

    async fn release_execute(
        &self,
        request: Request<pb::ReleaseExecuteRequest>,
    ) -> Result<Response<pb::ReleaseExecuteResponse>, Status> {
        self.count("ReleaseExecute");
        let request = request.into_inner();
        Ok(Response::new(pb::ReleaseExecuteResponse {
            session_id: request.session_id,
            server_side_session_id: self.server_session(),
            operation_id: Some(request.operation_id),
        }))
    }

    async fn release_session(
        &self,
        request: Request<pb::ReleaseSessionRequest>,
    ) -> Result<Response<pb::ReleaseSessionResponse>, Status> {
        self.count("ReleaseSession");
        Ok(Response::new(pb::ReleaseSessionResponse {
            session_id: request.into_inner().session_id,
            server_side_session_id: self.server_session(),
        }))
    }

    async fn interrupt(
        &self,
        request: Request<pb::InterruptRequest>,
    ) -> Result<Response<pb::InterruptResponse>, Status> {
        self.count("Interrupt");
        Ok(Response::new(pb::InterruptResponse {
            session_id: request.into_inner().session_id,
            server_side_session_id: self.server_session(),
            interrupted_ids: Vec::new(),
        }))
    }

    async fn config(
        &self,
        request: Request<pb::ConfigRequest>,
    ) -> Result<Response<pb::ConfigResponse>, Status> {
        use pb::config_request::operation::OpType;
        self.count("Config");
        let request = request.into_inner();
        let unset = |keys: Vec<String>| {
            keys.into_iter()
                .map(|key| pb::KeyValue { key, value: None })
                .collect()
        };
        let pairs = match request.operation.and_then(|o| o.op_type) {
            Some(OpType::Get(g)) => unset(g.keys),
            Some(OpType::GetOption(g)) => unset(g.keys),
            Some(OpType::GetWithDefault(g)) => g.pairs,
            Some(OpType::GetAll(_) | OpType::Set(_) | OpType::Unset(_)) => Vec::new(),
            Some(OpType::IsModifiable(g)) => g
                .keys
                .into_iter()
                .map(|key| pb::KeyValue {
                    key,
                    value: Some("true".into()),
                })
                .collect(),
            None => {
                return Err(Status::invalid_argument(
                    "a Config request without an operation",
                ));
            }
        };
        Ok(Response::new(pb::ConfigResponse {
            session_id: request.session_id,
            server_side_session_id: self.server_session(),
            pairs,
            warnings: Vec::new(),
        }))
    }

    async fn analyze_plan(
        &self,
        request: Request<pb::AnalyzePlanRequest>,
    ) -> Result<Response<pb::AnalyzePlanResponse>, Status> {
        use pb::analyze_plan_request::Analyze;
        use pb::analyze_plan_response::Result as Answer;
        self.count("AnalyzePlan");
        let request = request.into_inner();
        let result = match request.analyze {
            Some(Analyze::Schema(_)) => match &self.0.recording.schema {
                Some(schema) => Answer::Schema(pb::analyze_plan_response::Schema {
                    schema: Some(schema.clone()),
                }),
                None => {
                    return Err(Status::unimplemented(
                        "the recording holds no schema to answer AnalyzePlan(schema) with",
                    ));
                }
            },
            Some(Analyze::SparkVersion(_)) => {
                Answer::SparkVersion(pb::analyze_plan_response::SparkVersion {
                    version: "4.3.0".into(),
                })
            }
            _ => {
                return Err(Status::unimplemented(
                    "the replay server answers AnalyzePlan for schema and spark_version only",
                ));
            }
        };
        Ok(Response::new(pb::AnalyzePlanResponse {
            session_id: request.session_id,
            server_side_session_id: self.server_session(),
            result: Some(result),
        }))
    }

    async fn add_artifacts(
        &self,
        _request: Request<tonic::Streaming<pb::AddArtifactsRequest>>,
    ) -> Result<Response<pb::AddArtifactsResponse>, Status> {
        self.count("AddArtifacts");
        Err(Status::unimplemented(
            "the replay server takes no artifacts",
        ))
    }

    async fn artifact_status(
        &self,
        _request: Request<pb::ArtifactStatusesRequest>,
    ) -> Result<Response<pb::ArtifactStatusesResponse>, Status> {
        self.count("ArtifactStatus");
        Err(Status::unimplemented(
            "the replay server takes no artifacts",
        ))
    }

    async fn fetch_error_details(
        &self,
        _request: Request<pb::FetchErrorDetailsRequest>,
    ) -> Result<Response<pb::FetchErrorDetailsResponse>, Status> {
        self.count("FetchErrorDetails");
        Err(Status::unimplemented("the replay server keeps no errors"))
    }

    async fn clone_session(
        &self,
        _request: Request<pb::CloneSessionRequest>,
    ) -> Result<Response<pb::CloneSessionResponse>, Status> {
        self.count("CloneSession");
        Err(Status::unimplemented(
            "the replay server does not clone sessions",
        ))
    }

    async fn get_status(
        &self,
        _request: Request<pb::GetStatusRequest>,
    ) -> Result<Response<pb::GetStatusResponse>, Status> {
        self.count("GetStatus");
        Err(Status::unimplemented(
            "the replay server keeps no operation status",
        ))
    }
}
