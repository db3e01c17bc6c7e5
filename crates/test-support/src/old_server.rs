//! A stand-in for an older Spark Connect server (feature `old-server`): it reports the version
//! it is given (`3.5.9`, say) in `AnalyzePlan`'s `SparkVersion`, records every request it
//! receives as the bytes that came over the wire, and answers just enough for a client to go
//! on, so that a test can check what a client sends to such a server and what it refuses to
//! send. Nothing is computed: results are empty.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use test_support::old_server::OldServer;
//!
//! let server = OldServer::start("3.5.9").await?;
//! println!("{}", server.url()); // sc://127.0.0.1:<port>
//! for request in server.requests() {
//!     println!("{} ({} bytes)", request.method, request.bytes.len());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! What it answers:
//! - `ExecutePlan`: a `SqlCommand` gets a `SqlCommandResult` whose relation is the query text
//!   (a `SQL` relation, as a 3.5 server answers a query), or, after
//!   [`OldServer::answer_sql_as_command`], a `LocalRelation` of the rows given (as any server
//!   answers a command); any other plan gets one response and then the stream ends without
//!   `ResultComplete`, so a reattachable client reattaches.
//! - `ReattachExecute`: `ResultComplete`. `ReleaseExecute`, `Interrupt`: acknowledged.
//! - `AnalyzePlan`: `SparkVersion` (the version given), `Schema` (an empty struct),
//!   `Explain` (a fixed text); anything else `UNIMPLEMENTED`.
//! - `Config`: every key unset; `AddArtifacts` and `ArtifactStatus`: accepted, nothing kept.
//! - `ReleaseSession`, `FetchErrorDetails`, `CloneSession`, `GetStatus`: `UNIMPLEMENTED` when
//!   the version is older than the release that added them (4.0, 4.0, 4.1, 4.2), as the
//!   real server, which has no such method, answers; acknowledged otherwise.
//!
//! Responses carry no server-side session id, as Spark 3.5's do not.

use std::pin::Pin;
use std::sync::{Arc, Mutex};

use futures_util::{Stream, StreamExt as _};
use pb::spark_connect_service_server::{SparkConnectService, SparkConnectServiceServer};
use spark_connect_proto::spark::connect as pb;
use tonic::{Request, Response, Status};

/// One request the server received: the RPC's name and the message's bytes.
#[derive(Clone, Debug)]
pub struct Received {
    /// The RPC, e.g. `ExecutePlan`.
    pub method: &'static str,
    /// The request message, encoded as it came.
    pub bytes: Vec<u8>,
}

/// A running stand-in server; stops when dropped.
pub struct OldServer {
    url: String,
    state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

struct State {
    version: String,
    /// `(major, minor)` of `version`.
    numbers: (u32, u32),
    requests: Mutex<Vec<Received>>,
    /// The rows (an Arrow IPC stream) a `SqlCommand` is answered with, as a command's.
    command_rows: Mutex<Option<Vec<u8>>>,
}

impl OldServer {
    /// Serves on a free port of 127.0.0.1, in the current tokio runtime, reporting `version`.
    pub async fn start(version: &str) -> std::io::Result<OldServer> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let mut parts = version.split('.').map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse::<u32>()
                .unwrap_or(0)
        });
        let numbers = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
        let state = Arc::new(State {
            version: version.to_string(),
            numbers,
            requests: Mutex::default(),
            command_rows: Mutex::default(),
        });
        let service = SparkConnectServiceServer::new(Old(state.clone()));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        let server = tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming_shutdown(incoming, async {
                let _ = rx.await;
            });
        tokio::spawn(async move {
            if let Err(e) = server.await {
                eprintln!("old server: {e}");
            }
        });
        Ok(OldServer {
            url: format!("sc://127.0.0.1:{port}"),
            state,
            shutdown: Some(tx),
        })
    }

    /// `sc://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Received> {
        lock(&self.state.requests).clone()
    }

    /// Forgets the requests received so far.
    pub fn clear(&self) {
        lock(&self.state.requests).clear();
    }

    /// From now on, answers every `SqlCommand` as a command that ran: its `SqlCommandResult`
    /// holds `rows` (an Arrow IPC stream) as a `LocalRelation`, as Spark sends the rows of
    /// `SHOW TABLES`.
    pub fn answer_sql_as_command(&self, rows: Vec<u8>) {
        *lock(&self.state.command_rows) = Some(rows);
    }
}

impl Drop for OldServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Old(Arc<State>);

type Responses = Pin<Box<dyn Stream<Item = Result<pb::ExecutePlanResponse, Status>> + Send>>;

impl Old {
    fn record(&self, method: &'static str, message: &impl prost::Message) {
        lock(&self.0.requests).push(Received {
            method,
            bytes: message.encode_to_vec(),
        });
    }

    /// `UNIMPLEMENTED` unless the version is at least `major.minor`.
    fn since(&self, method: &str, major: u32, minor: u32) -> Result<(), Status> {
        if self.0.numbers >= (major, minor) {
            Ok(())
        } else {
            Err(Status::unimplemented(format!(
                "Method not found: spark.connect.SparkConnectService/{method}"
            )))
        }
    }
}

fn response(
    session_id: &str,
    operation_id: &str,
    response_id: &str,
    response_type: pb::execute_plan_response::ResponseType,
) -> pb::ExecutePlanResponse {
    pb::ExecutePlanResponse {
        session_id: session_id.to_string(),
        operation_id: operation_id.to_string(),
        response_id: response_id.to_string(),
        response_type: Some(response_type),
        ..Default::default()
    }
}

#[tonic::async_trait]
impl SparkConnectService for Old {
    type ExecutePlanStream = Responses;
    type ReattachExecuteStream = Responses;

    async fn execute_plan(
        &self,
        request: Request<pb::ExecutePlanRequest>,
    ) -> Result<Response<Self::ExecutePlanStream>, Status> {
        let request = request.into_inner();
        self.record("ExecutePlan", &request);
        use pb::execute_plan_response::ResponseType as R;
        let operation_id = request.operation_id.clone().unwrap_or_default();
        let session = request.session_id.clone();
        let responses = match request.plan.and_then(|p| p.op_type) {
            Some(pb::plan::OpType::Command(pb::Command {
                command_type: Some(pb::command::CommandType::SqlCommand(c)),
            })) => {
                #[allow(deprecated)]
                let query = c.sql;
                let rel_type = match lock(&self.0.command_rows).clone() {
                    Some(rows) => pb::relation::RelType::LocalRelation(pb::LocalRelation {
                        data: Some(rows.into()),
                        schema: None,
                    }),
                    None => pb::relation::RelType::Sql(pb::Sql {
                        query,
                        ..Default::default()
                    }),
                };
                vec![
                    response(
                        &session,
                        &operation_id,
                        "r1",
                        R::SqlCommandResult(pb::execute_plan_response::SqlCommandResult {
                            relation: Some(pb::Relation {
                                common: None,
                                rel_type: Some(rel_type),
                            }),
                        }),
                    ),
                    response(
                        &session,
                        &operation_id,
                        "r2",
                        R::ResultComplete(Default::default()),
                    ),
                ]
            }
            // One response without a payload, then the stream ends early: the client
            // reattaches after it.
            _ => vec![pb::ExecutePlanResponse {
                session_id: session,
                operation_id,
                response_id: "r1".into(),
                ..Default::default()
            }],
        };
        Ok(Response::new(Box::pin(
            futures_util::stream::iter(responses).map(Ok),
        )))
    }

    async fn reattach_execute(
        &self,
        request: Request<pb::ReattachExecuteRequest>,
    ) -> Result<Response<Self::ReattachExecuteStream>, Status> {
        let request = request.into_inner();
        self.record("ReattachExecute", &request);
        let done = response(
            &request.session_id,
            &request.operation_id,
            "r9",
            pb::execute_plan_response::ResponseType::ResultComplete(Default::default()),
        );
        Ok(Response::new(Box::pin(futures_util::stream::iter([Ok(
            done,
        )]))))
    }

    async fn release_execute(
        &self,
        request: Request<pb::ReleaseExecuteRequest>,
    ) -> Result<Response<pb::ReleaseExecuteResponse>, Status> {
        let request = request.into_inner();
        self.record("ReleaseExecute", &request);
        Ok(Response::new(pb::ReleaseExecuteResponse {
            session_id: request.session_id,
            server_side_session_id: String::new(),
            operation_id: Some(request.operation_id),
        }))
    }

    async fn release_session(
        &self,
        request: Request<pb::ReleaseSessionRequest>,
    ) -> Result<Response<pb::ReleaseSessionResponse>, Status> {
        let request = request.into_inner();
        self.record("ReleaseSession", &request);
        self.since("ReleaseSession", 4, 0)?;
        Ok(Response::new(pb::ReleaseSessionResponse {
            session_id: request.session_id,
            server_side_session_id: String::new(),
        }))
    }

    async fn interrupt(
        &self,
        request: Request<pb::InterruptRequest>,
    ) -> Result<Response<pb::InterruptResponse>, Status> {
        let request = request.into_inner();
        self.record("Interrupt", &request);
        Ok(Response::new(pb::InterruptResponse {
            session_id: request.session_id,
            server_side_session_id: String::new(),
            interrupted_ids: Vec::new(),
        }))
    }

    async fn config(
        &self,
        request: Request<pb::ConfigRequest>,
    ) -> Result<Response<pb::ConfigResponse>, Status> {
        use pb::config_request::operation::OpType;
        let request = request.into_inner();
        self.record("Config", &request);
        let unset = |keys: Vec<String>| {
            keys.into_iter()
                .map(|key| pb::KeyValue { key, value: None })
                .collect()
        };
        let pairs = match request.operation.and_then(|o| o.op_type) {
            Some(OpType::Get(g)) => unset(g.keys),
            Some(OpType::GetOption(g)) => unset(g.keys),
            Some(OpType::GetWithDefault(g)) => g.pairs,
            _ => Vec::new(),
        };
        Ok(Response::new(pb::ConfigResponse {
            session_id: request.session_id,
            server_side_session_id: String::new(),
            pairs,
            warnings: Vec::new(),
        }))
    }

    async fn analyze_plan(
        &self,
        request: Request<pb::AnalyzePlanRequest>,
    ) -> Result<Response<pb::AnalyzePlanResponse>, Status> {
        use pb::analyze_plan_request::Analyze;
        use pb::analyze_plan_response::Result as R;
        let request = request.into_inner();
        self.record("AnalyzePlan", &request);
        let result = match request.analyze {
            Some(Analyze::SparkVersion(_)) => {
                R::SparkVersion(pb::analyze_plan_response::SparkVersion {
                    version: self.0.version.clone(),
                })
            }
            Some(Analyze::Schema(_)) => R::Schema(pb::analyze_plan_response::Schema {
                schema: Some(pb::DataType {
                    kind: Some(pb::data_type::Kind::Struct(pb::data_type::Struct::default())),
                }),
            }),
            Some(Analyze::Explain(_)) => R::Explain(pb::analyze_plan_response::Explain {
                explain_string: "== Physical Plan ==\n(stand-in)".into(),
            }),
            _ => {
                return Err(Status::unimplemented(
                    "the stand-in server answers SparkVersion, Schema and Explain only",
                ));
            }
        };
        Ok(Response::new(pb::AnalyzePlanResponse {
            session_id: request.session_id,
            server_side_session_id: String::new(),
            result: Some(result),
        }))
    }

    async fn add_artifacts(
        &self,
        request: Request<tonic::Streaming<pb::AddArtifactsRequest>>,
    ) -> Result<Response<pb::AddArtifactsResponse>, Status> {
        let mut stream = request.into_inner();
        let mut session_id = String::new();
        while let Some(message) = stream.next().await {
            let message = message?;
            session_id.clone_from(&message.session_id);
            self.record("AddArtifacts", &message);
        }
        Ok(Response::new(pb::AddArtifactsResponse {
            session_id,
            server_side_session_id: String::new(),
            artifacts: Vec::new(),
        }))
    }

    async fn artifact_status(
        &self,
        request: Request<pb::ArtifactStatusesRequest>,
    ) -> Result<Response<pb::ArtifactStatusesResponse>, Status> {
        let request = request.into_inner();
        self.record("ArtifactStatus", &request);
        Ok(Response::new(pb::ArtifactStatusesResponse {
            session_id: request.session_id,
            server_side_session_id: String::new(),
            statuses: Default::default(),
        }))
    }

    async fn fetch_error_details(
        &self,
        request: Request<pb::FetchErrorDetailsRequest>,
    ) -> Result<Response<pb::FetchErrorDetailsResponse>, Status> {
        let request = request.into_inner();
        self.record("FetchErrorDetails", &request);
        self.since("FetchErrorDetails", 4, 0)?;
        Err(Status::not_found("the stand-in server keeps no errors"))
    }

    async fn clone_session(
        &self,
        request: Request<pb::CloneSessionRequest>,
    ) -> Result<Response<pb::CloneSessionResponse>, Status> {
        let request = request.into_inner();
        self.record("CloneSession", &request);
        self.since("CloneSession", 4, 1)?;
        Err(Status::unimplemented(
            "the stand-in server does not clone sessions",
        ))
    }

    async fn get_status(
        &self,
        request: Request<pb::GetStatusRequest>,
    ) -> Result<Response<pb::GetStatusResponse>, Status> {
        let request = request.into_inner();
        self.record("GetStatus", &request);
        self.since("GetStatus", 4, 2)?;
        Err(Status::unimplemented(
            "the stand-in server keeps no operation status",
        ))
    }
}
