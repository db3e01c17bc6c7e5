//! A Databricks-like gateway for tests: one TLS server on 127.0.0.1 that serves, like a
//! workspace host, the Spark Connect gRPC service and the REST endpoints the client calls.
//!
//! - gRPC: every call must carry `authorization: Bearer <token>` with a token the gateway knows
//!   and that has not expired, and either `x-databricks-cluster-id` naming a known, running
//!   cluster or `x-databricks-session-id` equal to the request's session id (serverless). The
//!   call is then forwarded to the real local Spark Connect server. The metadata of every call
//!   is recorded (credential values replaced by whether they were valid).
//! - `GET /oidc/.well-known/oauth-authorization-server` and `POST /oidc/v1/token`: OIDC
//!   discovery and a client-credentials token endpoint (HTTP Basic client authentication) that
//!   issues short-lived tokens the gRPC side then accepts until they expire.
//! - `GET /api/2.0/clusters/get?cluster_id=...` and `POST /api/2.0/clusters/start`: the
//!   Clusters API, sharing its cluster states with the gRPC side.
//!
//! Clusters behave as a workspace's do: a Spark Connect call for a `TERMINATED` cluster starts
//! it, and until it runs every call fails with `FAILED_PRECONDITION` and a message saying the
//! cluster `is in unexpected state Pending.`; a started cluster turns `RUNNING` after the
//! configured start time (or never). `clusters/start` on a cluster that is not terminated
//! answers `INVALID_STATE` ("... is in unexpected state Pending." / "... Running."), the race
//! two starters meet. With a workspace id, calls naming another one in `x-databricks-org-id`
//! are refused; with usage policies, serverless calls naming an unknown one in
//! `x-databricks-explicit-usage-policy-id` are refused.
//!
//! The server certificate comes from `DBCONNECT_TEST_TLS_CERT` / `DBCONNECT_TEST_TLS_KEY`, which
//! `cargo xtask test` makes together with a CA that clients trust through `SSL_CERT_FILE`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use pb::spark_connect_service_client::SparkConnectServiceClient;
use pb::spark_connect_service_server::{SparkConnectService, SparkConnectServiceServer};
use spark_connect_proto::spark::connect as pb;
use tonic::transport::{Channel, Identity, Server, ServerTlsConfig};
use tonic::{Request, Response, Status};

/// The environment variable naming the gateway's certificate (PEM).
pub const TLS_CERT_ENV: &str = "DBCONNECT_TEST_TLS_CERT";
/// The environment variable naming the gateway's private key (PEM).
pub const TLS_KEY_ENV: &str = "DBCONNECT_TEST_TLS_KEY";

/// What the gateway accepts.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
    upstream: String,
    pats: Vec<String>,
    oauth_clients: Vec<(String, String)>,
    token_ttl: Duration,
    clusters: Vec<(String, String)>,
    cluster_start_time: Option<Duration>,
    workspace_id: Option<String>,
    usage_policies: Option<Vec<String>>,
    aad_clients: Vec<(String, String, String)>,
    identity: Option<(Vec<u8>, Vec<u8>)>,
    host_name: Option<String>,
}

impl GatewayConfig {
    /// A gateway in front of the Spark Connect server at `upstream` (`sc://127.0.0.1:port`).
    pub fn new(upstream: &str) -> GatewayConfig {
        let upstream = upstream.replacen("sc://", "http://", 1);
        let upstream = upstream.split("/;").next().unwrap_or_default().to_string();
        GatewayConfig {
            upstream,
            pats: Vec::new(),
            oauth_clients: Vec::new(),
            token_ttl: Duration::from_secs(3600),
            clusters: Vec::new(),
            cluster_start_time: Some(Duration::from_secs(2)),
            workspace_id: None,
            usage_policies: None,
            aad_clients: Vec::new(),
            identity: None,
            host_name: None,
        }
    }

    /// The host name the gateway is known by, as a workspace's URL names it (the gateway still
    /// listens on 127.0.0.1): [`Gateway::url`] and the OIDC discovery document use it. For
    /// [`crate::squid::PROXIED_HOST`], which only the tests' squid resolves; the run's test
    /// certificate is valid for that name.
    pub fn host_name(mut self, name: &str) -> Self {
        self.host_name = Some(name.to_string());
        self
    }

    /// Serves this certificate and key (PEM) instead of the run's test certificate: for
    /// showing that a certificate the client does not trust is refused.
    pub fn identity_pem(mut self, cert: impl Into<Vec<u8>>, key: impl Into<Vec<u8>>) -> Self {
        self.identity = Some((cert.into(), key.into()));
        self
    }

    /// Accepts this personal access token.
    pub fn pat(mut self, token: &str) -> Self {
        self.pats.push(token.to_string());
        self
    }

    /// Issues tokens to this OAuth client (client-credentials grant).
    pub fn oauth_client(mut self, id: &str, secret: &str) -> Self {
        self.oauth_clients
            .push((id.to_string(), secret.to_string()));
        self
    }

    /// How long issued OAuth tokens live (an hour unless set).
    pub fn token_ttl(mut self, ttl: Duration) -> Self {
        self.token_ttl = ttl;
        self
    }

    /// An Azure AD service principal of `tenant` that the mock AAD token endpoint
    /// (`POST /aad/{tenant}/oauth2/token`) issues tokens to.
    pub fn aad_client(mut self, tenant: &str, id: &str, secret: &str) -> Self {
        self.aad_clients
            .push((tenant.to_string(), id.to_string(), secret.to_string()));
        self
    }

    /// A cluster and its state (`RUNNING`, `TERMINATED`, `PENDING`, ...).
    pub fn cluster(mut self, id: &str, state: &str) -> Self {
        self.clusters.push((id.to_string(), state.to_string()));
        self
    }

    /// How long a started (or `PENDING`) cluster takes to turn `RUNNING`: 2 s unless set;
    /// `None` keeps it `PENDING` for ever.
    pub fn cluster_start_time(mut self, time: Option<Duration>) -> Self {
        self.cluster_start_time = time;
        self
    }

    /// The workspace's id: calls whose `x-databricks-org-id` names another are refused.
    pub fn workspace_id(mut self, id: &str) -> Self {
        self.workspace_id = Some(id.to_string());
        self
    }

    /// The serverless usage policies the caller may use: serverless calls naming another in
    /// `x-databricks-explicit-usage-policy-id` are refused (any is accepted unless set).
    pub fn usage_policies(mut self, ids: &[&str]) -> Self {
        self.usage_policies = Some(ids.iter().map(|s| s.to_string()).collect());
        self
    }
}

/// One recorded gRPC call.
#[derive(Clone, Debug)]
pub struct Call {
    /// The method, e.g. `ExecutePlan`.
    pub method: &'static str,
    /// The request metadata, lower-case keys; `authorization` is `valid` or `invalid`.
    pub metadata: Vec<(String, String)>,
    /// The request's session id.
    pub session_id: String,
    /// The request's `client_type`.
    pub client_type: Option<String>,
}

impl Call {
    /// The value of a metadata key.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

struct State {
    url: String,
    tokens: Mutex<HashMap<String, Option<Instant>>>,
    clients: HashMap<String, String>,
    aad_clients: Vec<(String, String, String)>,
    clusters: Mutex<HashMap<String, Cluster>>,
    cluster_start_time: Option<Duration>,
    workspace_id: Option<String>,
    usage_policies: Option<Vec<String>>,
    calls: Mutex<Vec<Call>>,
    token_ttl: Duration,
    issued: AtomicUsize,
    rejected: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A simulated cluster.
#[derive(Debug)]
struct Cluster {
    state: String,
    /// When a `PENDING` or `RESTARTING` cluster turns `RUNNING` (`None`: never).
    running_at: Option<Instant>,
    /// How many times it was started (by `clusters/start` or by a Spark Connect call).
    starts: usize,
    /// `clusters/start` calls answered `INVALID_STATE`.
    start_conflicts: usize,
    /// The state the next `clusters/get` reports instead of the real one (a stale read, as two
    /// clients racing to start a cluster see).
    report_once: Option<String>,
}

/// `PENDING` as the Clusters API writes it in messages: `Pending`.
fn title_case(state: &str) -> String {
    let lower = state.to_ascii_lowercase();
    let mut chars = lower.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

impl State {
    fn new_cluster(&self, state: &str) -> Cluster {
        // Starting clusters run, and stopping ones stop, after the start time.
        let moving = matches!(state, "PENDING" | "RESTARTING" | "TERMINATING");
        Cluster {
            state: state.to_string(),
            running_at: if moving {
                self.cluster_start_time.map(|t| Instant::now() + t)
            } else {
                None
            },
            starts: 0,
            start_conflicts: 0,
            report_once: None,
        }
    }

    /// Moves a cluster on in time: a starting one turns `RUNNING`, a stopping one `TERMINATED`.
    fn advance(cluster: &mut Cluster) {
        if cluster.running_at.is_some_and(|at| Instant::now() >= at) {
            cluster.state = match cluster.state.as_str() {
                "TERMINATING" => "TERMINATED",
                _ => "RUNNING",
            }
            .to_string();
            cluster.running_at = None;
        }
    }

    /// The state of a cluster now, if it exists.
    fn cluster_state(&self, id: &str) -> Option<String> {
        let mut clusters = lock(&self.clusters);
        let cluster = clusters.get_mut(id)?;
        State::advance(cluster);
        Some(cluster.state.clone())
    }

    /// What `clusters/get` reports: the state now, or a stale one set to be reported once.
    fn reported_state(&self, id: &str) -> Option<String> {
        let mut clusters = lock(&self.clusters);
        let cluster = clusters.get_mut(id)?;
        State::advance(cluster);
        Some(
            cluster
                .report_once
                .take()
                .unwrap_or_else(|| cluster.state.clone()),
        )
    }

    /// Starts a terminated cluster; otherwise the Clusters API's `INVALID_STATE` message. The
    /// check and the change are one step, so two concurrent starts start it once.
    fn start_cluster(&self, id: &str) -> Result<(), (&'static str, String)> {
        let mut clusters = lock(&self.clusters);
        let Some(cluster) = clusters.get_mut(id) else {
            return Err((
                "INVALID_PARAMETER_VALUE",
                format!("Cluster {id} does not exist"),
            ));
        };
        State::advance(cluster);
        if cluster.state != "TERMINATED" {
            cluster.start_conflicts += 1;
            return Err((
                "INVALID_STATE",
                format!(
                    "Cluster {id} is in unexpected state {}.",
                    title_case(&cluster.state)
                ),
            ));
        }
        cluster.state = "PENDING".to_string();
        cluster.running_at = self.cluster_start_time.map(|t| Instant::now() + t);
        cluster.starts += 1;
        Ok(())
    }

    fn token_valid(&self, headers: &HeaderMap) -> bool {
        let Some(token) = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        match lock(&self.tokens).get(token) {
            Some(None) => true,
            Some(Some(expiry)) => Instant::now() < *expiry,
            None => false,
        }
    }

    fn issue_token(&self) -> String {
        let token = format!("gw-oauth-{}", uuid::Uuid::new_v4().simple());
        lock(&self.tokens).insert(token.clone(), Some(Instant::now() + self.token_ttl));
        self.issued.fetch_add(1, Ordering::SeqCst);
        token
    }
}

/// A running gateway; stops when dropped.
pub struct Gateway {
    state: Arc<State>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("url", &self.state.url)
            .finish()
    }
}

impl Gateway {
    /// Starts a gateway on a free port of 127.0.0.1, with the certificate named by
    /// `DBCONNECT_TEST_TLS_CERT` / `DBCONNECT_TEST_TLS_KEY`.
    pub async fn start(config: GatewayConfig) -> Gateway {
        let read = |var: &str| {
            let path = std::env::var(var).unwrap_or_else(|_| {
                panic!("{var} is not set: run the tests with `cargo xtask test`, which makes the test certificates")
            });
            std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {path} ({var}): {e}"))
        };
        let identity = match &config.identity {
            Some((cert, key)) => Identity::from_pem(cert, key),
            None => Identity::from_pem(read(TLS_CERT_ENV), read(TLS_KEY_ENV)),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds a loopback port");
        let addr = listener.local_addr().expect("has an address");
        let url = format!(
            "https://{}:{}",
            config.host_name.as_deref().unwrap_or("127.0.0.1"),
            addr.port()
        );
        let mut tokens = HashMap::new();
        for pat in &config.pats {
            tokens.insert(pat.clone(), None);
        }
        let state = Arc::new(State {
            url,
            tokens: Mutex::new(tokens),
            clients: config.oauth_clients.iter().cloned().collect(),
            aad_clients: config.aad_clients.clone(),
            clusters: Mutex::new(HashMap::new()),
            cluster_start_time: config.cluster_start_time,
            workspace_id: config.workspace_id.clone(),
            usage_policies: config.usage_policies.clone(),
            calls: Mutex::new(Vec::new()),
            token_ttl: config.token_ttl,
            issued: AtomicUsize::new(0),
            rejected: AtomicUsize::new(0),
        });
        for (id, cluster_state) in &config.clusters {
            let cluster = state.new_cluster(cluster_state);
            lock(&state.clusters).insert(id.clone(), cluster);
        }
        let upstream = Channel::from_shared(config.upstream.clone())
            .expect("a valid upstream URL")
            .connect_lazy();
        let service = Forward {
            state: state.clone(),
            upstream: SparkConnectServiceClient::new(upstream)
                .max_decoding_message_size(256 * 1024 * 1024)
                .max_encoding_message_size(256 * 1024 * 1024),
        };
        let grpc = SparkConnectServiceServer::new(service)
            .max_decoding_message_size(256 * 1024 * 1024)
            .max_encoding_message_size(256 * 1024 * 1024);
        let rest_state = state.clone();
        let router = tonic::service::Routes::new(grpc)
            .into_axum_router()
            .route(
                "/oidc/.well-known/oauth-authorization-server",
                axum::routing::get({
                    let s = rest_state.clone();
                    move || discovery(s.clone())
                }),
            )
            .route(
                "/oidc/v1/token",
                axum::routing::post({
                    let s = rest_state.clone();
                    move |headers: HeaderMap, body: Bytes| token(s.clone(), headers, body)
                }),
            )
            .route(
                "/aad/{tenant}/oauth2/token",
                axum::routing::post({
                    let s = rest_state.clone();
                    move |path: axum::extract::Path<String>, body: Bytes| {
                        aad_token(s.clone(), path.0, body)
                    }
                }),
            )
            .route(
                "/api/2.0/clusters/get",
                axum::routing::get({
                    let s = rest_state.clone();
                    move |headers: HeaderMap, uri: Uri| cluster_get(s.clone(), headers, uri)
                }),
            )
            .route(
                "/api/2.0/clusters/start",
                axum::routing::post({
                    let s = rest_state.clone();
                    move |headers: HeaderMap, body: Bytes| cluster_start(s.clone(), headers, body)
                }),
            );
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        let server = Server::builder()
            .tls_config(ServerTlsConfig::new().identity(identity))
            .expect("a valid TLS identity")
            .add_routes(router.into())
            .serve_with_incoming_shutdown(incoming, async {
                let _ = rx.await;
            });
        tokio::spawn(async move {
            if let Err(e) = server.await {
                eprintln!("test gateway stopped: {e}");
            }
        });
        Gateway {
            state,
            addr,
            shutdown: Some(tx),
        }
    }

    /// The workspace URL, `https://127.0.0.1:<port>` (or the [`GatewayConfig::host_name`]).
    pub fn url(&self) -> &str {
        &self.state.url
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The gRPC calls seen so far.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.state.calls).clone()
    }

    /// How many OAuth tokens the token endpoint has issued.
    pub fn tokens_issued(&self) -> usize {
        self.state.issued.load(Ordering::SeqCst)
    }

    /// How many gRPC calls were refused for their token.
    pub fn calls_rejected(&self) -> usize {
        self.state.rejected.load(Ordering::SeqCst)
    }

    /// Replaces a cluster's record with one in `state` (a `PENDING` or `RESTARTING` one turns
    /// `RUNNING`, a `TERMINATING` one `TERMINATED`, after the start time). Its counts of starts
    /// and start conflicts begin again at zero.
    pub fn set_cluster_state(&self, id: &str, state: &str) {
        let cluster = self.state.new_cluster(state);
        lock(&self.state.clusters).insert(id.to_string(), cluster);
    }

    /// A cluster's state now, if it exists.
    pub fn cluster_state(&self, id: &str) -> Option<String> {
        self.state.cluster_state(id)
    }

    /// How many times a cluster was started (through `clusters/start` or by a call).
    pub fn cluster_starts(&self, id: &str) -> usize {
        lock(&self.state.clusters).get(id).map_or(0, |c| c.starts)
    }

    /// How many `clusters/start` calls for a cluster were answered `INVALID_STATE`.
    pub fn cluster_start_conflicts(&self, id: &str) -> usize {
        lock(&self.state.clusters)
            .get(id)
            .map_or(0, |c| c.start_conflicts)
    }

    /// Makes the next `clusters/get` of a cluster report `state` instead of the real one: the
    /// stale read a client meets when another starts the cluster right after its check.
    pub fn report_cluster_state_once(&self, id: &str, state: &str) {
        if let Some(cluster) = lock(&self.state.clusters).get_mut(id) {
            cluster.report_once = Some(state.to_string());
        }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn json(status: StatusCode, value: serde_json::Value) -> axum::response::Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

async fn discovery(state: Arc<State>) -> axum::response::Response {
    json(
        StatusCode::OK,
        serde_json::json!({
            "issuer": format!("{}/oidc", state.url),
            "authorization_endpoint": format!("{}/oidc/v1/authorize", state.url),
            "token_endpoint": format!("{}/oidc/v1/token", state.url),
        }),
    )
}

fn form_value(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| {
            let v = v.replace('+', " ");
            percent_decode(&v)
        })
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(
                std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"),
                16,
            )
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn token(state: Arc<State>, headers: HeaderMap, body: Bytes) -> axum::response::Response {
    use base64::Engine;
    let body = String::from_utf8_lossy(&body).into_owned();
    let invalid = |what: &str| {
        json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"error": "invalid_client", "error_description": what}),
        )
    };
    if form_value(&body, "grant_type").as_deref() != Some("client_credentials") {
        return json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error": "unsupported_grant_type"}),
        );
    }
    let scope = form_value(&body, "scope").unwrap_or_default();
    if !scope.split(' ').any(|s| s == "all-apis") {
        return json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error": "invalid_scope", "error_description": "all-apis is required"}),
        );
    }
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    let Some((id, secret)) = basic.as_deref().and_then(|s| s.split_once(':')) else {
        return invalid("client authentication must be HTTP Basic");
    };
    if state.clients.get(id).map(String::as_str) != Some(secret) {
        return invalid("unknown client or wrong secret");
    }
    let token = state.issue_token();
    json(
        StatusCode::OK,
        serde_json::json!({
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": state.token_ttl.as_secs(),
            "scope": scope,
        }),
    )
}

/// Azure AD v1 client credentials: the secret in the form, a `resource` to issue for.
async fn aad_token(state: Arc<State>, tenant: String, body: Bytes) -> axum::response::Response {
    let body = String::from_utf8_lossy(&body).into_owned();
    if form_value(&body, "grant_type").as_deref() != Some("client_credentials") {
        return json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error": "unsupported_grant_type"}),
        );
    }
    let id = form_value(&body, "client_id").unwrap_or_default();
    let secret = form_value(&body, "client_secret").unwrap_or_default();
    let resource = form_value(&body, "resource").unwrap_or_default();
    let known = state
        .aad_clients
        .iter()
        .any(|(t, i, s)| *t == tenant && *i == id && *s == secret);
    if !known || resource.is_empty() {
        return json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({
                "error": "invalid_client",
                "error_description": "AADSTS7000215: Invalid client secret provided.",
            }),
        );
    }
    let token = state.issue_token();
    let expires_in = state.token_ttl.as_secs();
    json(
        StatusCode::OK,
        serde_json::json!({
            "token_type": "Bearer",
            "expires_in": expires_in.to_string(),
            "resource": resource,
            "access_token": token,
        }),
    )
}

async fn cluster_get(state: Arc<State>, headers: HeaderMap, uri: Uri) -> axum::response::Response {
    if !state.token_valid(&headers) {
        return json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"error_code": "UNAUTHENTICATED", "message": "Invalid access token."}),
        );
    }
    let id = uri
        .query()
        .and_then(|q| form_value(q, "cluster_id"))
        .unwrap_or_default();
    match state.reported_state(&id) {
        Some(cluster_state) => json(
            StatusCode::OK,
            serde_json::json!({
                "cluster_id": id,
                "cluster_name": "test cluster",
                "state": cluster_state,
                "state_message": match cluster_state.as_str() {
                    "PENDING" => "Finding instances for new nodes, acquiring more instances if necessary",
                    "TERMINATED" => "Inactive cluster terminated (inactive for 120 minutes).",
                    _ => "",
                },
                "spark_version": "17.3.x-scala2.13",
            }),
        ),
        None => json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({
                "error_code": "INVALID_PARAMETER_VALUE",
                "message": format!("Cluster {id} does not exist"),
            }),
        ),
    }
}

async fn cluster_start(
    state: Arc<State>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    if !state.token_valid(&headers) {
        return json(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"error_code": "UNAUTHENTICATED", "message": "Invalid access token."}),
        );
    }
    let id = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("cluster_id")?.as_str().map(str::to_string));
    let Some(id) = id else {
        return json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error_code": "INVALID_PARAMETER_VALUE", "message": "Missing required field: cluster_id"}),
        );
    };
    match state.start_cluster(&id) {
        Ok(()) => json(StatusCode::OK, serde_json::json!({})),
        Err((code, message)) => json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error_code": code, "message": message}),
        ),
    }
}

struct Forward {
    state: Arc<State>,
    upstream: SparkConnectServiceClient<Channel>,
}

impl Forward {
    /// Checks the credentials and the Databricks routing headers, records the call, and
    /// returns the message to forward.
    fn admit<T>(
        &self,
        method: &'static str,
        request: Request<T>,
        session_id: impl Fn(&T) -> String,
        client_type: impl Fn(&T) -> Option<String>,
    ) -> Result<T, Status> {
        let headers = request.metadata().clone().into_headers();
        let valid = self.state.token_valid(&headers);
        let message = request.into_inner();
        let session = session_id(&message);
        let metadata = headers
            .iter()
            .map(|(k, v)| {
                let value = if k == "authorization" {
                    if valid { "valid" } else { "invalid" }.to_string()
                } else {
                    String::from_utf8_lossy(v.as_bytes()).into_owned()
                };
                (k.as_str().to_string(), value)
            })
            .collect();
        lock(&self.state.calls).push(Call {
            method,
            metadata,
            session_id: session.clone(),
            client_type: client_type(&message),
        });
        if !valid {
            self.state.rejected.fetch_add(1, Ordering::SeqCst);
            return Err(Status::unauthenticated(
                "Invalid access token. [ReqId: test-gateway]",
            ));
        }
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if let (Some(expected), Some(given)) =
            (&self.state.workspace_id, header("x-databricks-org-id"))
            && expected != given
        {
            return Err(Status::permission_denied(format!(
                "the org id {given} is not this workspace's"
            )));
        }
        if let Some(cluster) = header("x-databricks-cluster-id") {
            let pending = || {
                Status::failed_precondition(format!(
                    "INVALID_STATE: Cluster {cluster} is in unexpected state Pending."
                ))
            };
            return match self.state.cluster_state(cluster).as_deref() {
                Some("RUNNING" | "RESIZING") => Ok(message),
                // A workspace starts a terminated cluster for the call, which waits.
                Some("TERMINATED") => {
                    let _ = self.state.start_cluster(cluster);
                    Err(pending())
                }
                Some("PENDING" | "RESTARTING") => Err(pending()),
                Some(other) => Err(Status::failed_precondition(format!(
                    "INVALID_STATE: Cluster {cluster} is in unexpected state {}.",
                    title_case(other)
                ))),
                None => Err(Status::not_found(format!(
                    "cluster {cluster} does not exist"
                ))),
            };
        }
        if let Some(serverless_session) = header("x-databricks-session-id") {
            if serverless_session != session {
                return Err(Status::invalid_argument(format!(
                    "x-databricks-session-id {serverless_session} is not the request's session id {session}"
                )));
            }
            if let (Some(allowed), Some(policy)) = (
                &self.state.usage_policies,
                header("x-databricks-explicit-usage-policy-id"),
            ) && !allowed.iter().any(|p| p == policy)
            {
                return Err(Status::permission_denied(format!(
                    "the usage policy {policy} does not exist or you are not entitled to it"
                )));
            }
            return Ok(message);
        }
        Err(Status::invalid_argument(
            "neither x-databricks-cluster-id nor x-databricks-session-id is set",
        ))
    }
}

#[tonic::async_trait]
impl SparkConnectService for Forward {
    type ExecutePlanStream = tonic::Streaming<pb::ExecutePlanResponse>;
    type ReattachExecuteStream = tonic::Streaming<pb::ExecutePlanResponse>;

    async fn execute_plan(
        &self,
        request: Request<pb::ExecutePlanRequest>,
    ) -> Result<Response<Self::ExecutePlanStream>, Status> {
        let message = self.admit(
            "ExecutePlan",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().execute_plan(message).await
    }

    async fn reattach_execute(
        &self,
        request: Request<pb::ReattachExecuteRequest>,
    ) -> Result<Response<Self::ReattachExecuteStream>, Status> {
        let message = self.admit(
            "ReattachExecute",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().reattach_execute(message).await
    }

    async fn add_artifacts(
        &self,
        request: Request<tonic::Streaming<pb::AddArtifactsRequest>>,
    ) -> Result<Response<pb::AddArtifactsResponse>, Status> {
        // The session id travels in each message; the routing headers are checked on the call.
        let headers = request.metadata().clone().into_headers();
        if !self.state.token_valid(&headers) {
            self.state.rejected.fetch_add(1, Ordering::SeqCst);
            return Err(Status::unauthenticated("Invalid access token."));
        }
        // Buffered whole: test artifacts are small, and a plain Vec keeps the stream types simple.
        use futures_util::StreamExt;
        let mut incoming = request.into_inner();
        let mut messages = Vec::new();
        while let Some(message) = incoming.next().await {
            messages.push(message?);
        }
        self.upstream
            .clone()
            .add_artifacts(tokio_stream::iter(messages))
            .await
    }

    async fn analyze_plan(
        &self,
        request: Request<pb::AnalyzePlanRequest>,
    ) -> Result<Response<pb::AnalyzePlanResponse>, Status> {
        let message = self.admit(
            "AnalyzePlan",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().analyze_plan(message).await
    }

    async fn config(
        &self,
        request: Request<pb::ConfigRequest>,
    ) -> Result<Response<pb::ConfigResponse>, Status> {
        let message = self.admit(
            "Config",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().config(message).await
    }

    async fn artifact_status(
        &self,
        request: Request<pb::ArtifactStatusesRequest>,
    ) -> Result<Response<pb::ArtifactStatusesResponse>, Status> {
        let message = self.admit(
            "ArtifactStatus",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().artifact_status(message).await
    }

    async fn interrupt(
        &self,
        request: Request<pb::InterruptRequest>,
    ) -> Result<Response<pb::InterruptResponse>, Status> {
        let message = self.admit(
            "Interrupt",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().interrupt(message).await
    }

    async fn release_execute(
        &self,
        request: Request<pb::ReleaseExecuteRequest>,
    ) -> Result<Response<pb::ReleaseExecuteResponse>, Status> {
        let message = self.admit(
            "ReleaseExecute",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().release_execute(message).await
    }

    async fn release_session(
        &self,
        request: Request<pb::ReleaseSessionRequest>,
    ) -> Result<Response<pb::ReleaseSessionResponse>, Status> {
        let message = self.admit(
            "ReleaseSession",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().release_session(message).await
    }

    async fn fetch_error_details(
        &self,
        request: Request<pb::FetchErrorDetailsRequest>,
    ) -> Result<Response<pb::FetchErrorDetailsResponse>, Status> {
        let message = self.admit(
            "FetchErrorDetails",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().fetch_error_details(message).await
    }

    async fn clone_session(
        &self,
        request: Request<pb::CloneSessionRequest>,
    ) -> Result<Response<pb::CloneSessionResponse>, Status> {
        let message = self.admit(
            "CloneSession",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().clone_session(message).await
    }

    async fn get_status(
        &self,
        request: Request<pb::GetStatusRequest>,
    ) -> Result<Response<pb::GetStatusResponse>, Status> {
        let message = self.admit(
            "GetStatus",
            request,
            |m| m.session_id.clone(),
            |m| m.client_type.clone(),
        )?;
        self.upstream.clone().get_status(message).await
    }
}
