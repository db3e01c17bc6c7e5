//! The Clusters REST API, for `validate_session`: a cluster's state, starting a terminated
//! cluster, and waiting until it runs, as the Databricks SDKs' `ensure_cluster_is_running` does.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use databricks_auth::HeaderSource as AuthHeaderSource;
use spark_connect_transport::ErrorKind;

/// The state of a Databricks cluster, as the Clusters API reports it.
///
/// ```
/// use databricks_connect::ClusterState;
///
/// let state: ClusterState = "PENDING".parse().unwrap();
/// assert_eq!(state, ClusterState::Pending);
/// assert!(state.is_starting());
/// assert_eq!(ClusterState::Terminated.to_string(), "TERMINATED");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClusterState {
    /// Being created or started.
    Pending,
    /// Started and ready.
    Running,
    /// Restarting.
    Restarting,
    /// Adding or removing nodes; usable.
    Resizing,
    /// Being stopped.
    Terminating,
    /// Stopped; can be started again.
    Terminated,
    /// Failed to be created (no longer used by Databricks).
    Error,
    /// An unknown state (Databricks says a cluster should never be in it).
    Unknown,
    /// A state this client does not know, as the API named it.
    Other(String),
}

impl ClusterState {
    /// Whether queries can run on the cluster (`RUNNING` or `RESIZING`).
    ///
    /// ```
    /// use databricks_connect::ClusterState;
    /// assert!(ClusterState::Resizing.is_usable() && !ClusterState::Restarting.is_usable());
    /// ```
    pub fn is_usable(&self) -> bool {
        matches!(self, ClusterState::Running | ClusterState::Resizing)
    }

    /// Whether the cluster is on its way to `RUNNING` by itself (`PENDING`, `RESTARTING`).
    ///
    /// ```
    /// use databricks_connect::ClusterState;
    /// assert!(ClusterState::Restarting.is_starting() && !ClusterState::Terminated.is_starting());
    /// ```
    pub fn is_starting(&self) -> bool {
        matches!(self, ClusterState::Pending | ClusterState::Restarting)
    }
}

impl fmt::Display for ClusterState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ClusterState::Pending => "PENDING",
            ClusterState::Running => "RUNNING",
            ClusterState::Restarting => "RESTARTING",
            ClusterState::Resizing => "RESIZING",
            ClusterState::Terminating => "TERMINATING",
            ClusterState::Terminated => "TERMINATED",
            ClusterState::Error => "ERROR",
            ClusterState::Unknown => "UNKNOWN",
            ClusterState::Other(s) => s,
        })
    }
}

impl FromStr for ClusterState {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s.to_ascii_uppercase().as_str() {
            "PENDING" => ClusterState::Pending,
            "RUNNING" => ClusterState::Running,
            "RESTARTING" => ClusterState::Restarting,
            "RESIZING" => ClusterState::Resizing,
            "TERMINATING" => ClusterState::Terminating,
            "TERMINATED" => ClusterState::Terminated,
            "ERROR" => ClusterState::Error,
            "UNKNOWN" => ClusterState::Unknown,
            _ => ClusterState::Other(s.to_string()),
        })
    }
}

/// A cluster that cannot be used, or whose state could not be learnt.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// The workspace has no such cluster (never created, or deleted).
    #[error("cluster {cluster_id} does not exist in {host}: {message}")]
    NotFound {
        /// The cluster.
        cluster_id: String,
        /// The workspace.
        host: String,
        /// The Clusters API's message.
        message: String,
    },
    /// The workspace refused the credentials (401) or the permission (403).
    #[error("the workspace refused {} while checking cluster {cluster_id}: {status} {message}", if *.status == 401 { "the credentials" } else { "access" })]
    Refused {
        /// The cluster.
        cluster_id: String,
        /// The HTTP status: 401 (credentials) or 403 (permission).
        status: u16,
        /// The Clusters API's message.
        message: String,
    },
    /// The cluster is in a state it does not leave by itself (`ERROR`, `UNKNOWN`, an unknown
    /// state), or went back to `TERMINATED` or `ERROR` while it was being waited for.
    #[error("cluster {cluster_id} is {state}{}: {hint}", reason(.state_message))]
    Unusable {
        /// The cluster.
        cluster_id: String,
        /// Its state.
        state: ClusterState,
        /// The workspace's reason for the state, if it gave one.
        state_message: String,
        /// What to do.
        hint: &'static str,
    },
    /// The cluster does not run and auto-start is off.
    #[error(
        "cluster {cluster_id} is {state}, and auto_start_cluster(false) neither starts nor waits for it: start it in the workspace, or allow auto-start"
    )]
    NotRunning {
        /// The cluster.
        cluster_id: String,
        /// Its state.
        state: ClusterState,
    },
    /// The cluster did not reach `RUNNING` within the configured wait.
    #[error("cluster {cluster_id} did not reach RUNNING within {}: it is still {state}{} (cluster_start_timeout sets how long to wait)", format_wait(*.waited), reason(.state_message))]
    StartTimeout {
        /// The cluster.
        cluster_id: String,
        /// The state it was last seen in.
        state: ClusterState,
        /// The workspace's reason for the state, if it gave one.
        state_message: String,
        /// How long was waited.
        waited: Duration,
    },
    /// The Clusters API could not be reached or answered something unexpected.
    #[error(
        "cannot {action} cluster {cluster_id}: {message} (validate_session(false) skips this check)"
    )]
    Api {
        /// The cluster.
        cluster_id: String,
        /// `check` or `start`.
        action: &'static str,
        /// What went wrong.
        message: String,
        /// The failed request's error, when it failed before an answer (proxy, DNS, TLS, ...).
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl ClusterError {
    /// What kind of failure this is:
    ///
    /// | variant | kind |
    /// |---|---|
    /// | `NotFound` | [`NotFound`](ErrorKind::NotFound) |
    /// | `Refused` with 401 | [`Unauthenticated`](ErrorKind::Unauthenticated) |
    /// | `Refused` with 403 | [`PermissionDenied`](ErrorKind::PermissionDenied) |
    /// | `Unusable`, `NotRunning` | [`ClusterState`](ErrorKind::ClusterState) |
    /// | `StartTimeout` | [`Timeout`](ErrorKind::Timeout) |
    /// | `Api` | its cause's: the request's ([`Connection`](ErrorKind::Connection), a timeout, a proxy setting) or the credentials'; without a cause (the API answered an error or something unexpected), [`Server`](ErrorKind::Server) |
    ///
    /// ```
    /// use databricks_connect::{ClusterError, ClusterState, ErrorKind};
    ///
    /// let e = ClusterError::NotRunning {
    ///     cluster_id: "0123-456789-abcdefgh".into(),
    ///     state: ClusterState::Terminated,
    /// };
    /// assert_eq!(e.kind(), ErrorKind::ClusterState);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            ClusterError::NotFound { .. } => ErrorKind::NotFound,
            ClusterError::Refused { status: 401, .. } => ErrorKind::Unauthenticated,
            ClusterError::Refused { .. } => ErrorKind::PermissionDenied,
            ClusterError::Unusable { .. } | ClusterError::NotRunning { .. } => {
                ErrorKind::ClusterState
            }
            ClusterError::StartTimeout { .. } => ErrorKind::Timeout,
            ClusterError::Api { source, .. } => {
                let Some(source) = source.as_deref() else {
                    return ErrorKind::Server;
                };
                if let Some(auth) = source.downcast_ref::<databricks_auth::AuthError>() {
                    return super::error::auth_error_kind(auth);
                }
                match source.downcast_ref::<databricks_auth::RestError>() {
                    Some(rest) => rest_error_kind(rest),
                    None => ErrorKind::Connection,
                }
            }
        }
    }
}

/// The kind of a REST request that failed before an answer.
fn rest_error_kind(e: &databricks_auth::RestError) -> ErrorKind {
    use databricks_auth::RestErrorKind as R;
    match e.kind() {
        R::InvalidConfiguration | R::InvalidProxySetting => ErrorKind::Configuration,
        R::TimedOut => ErrorKind::Timeout,
        _ => ErrorKind::Connection,
    }
}

fn reason(state_message: &str) -> String {
    if state_message.is_empty() {
        String::new()
    } else {
        format!(" ({state_message})")
    }
}

/// A wait as people read it: `45s`, `1m20s`, `30m` (whole seconds).
///
/// ```
/// use std::time::Duration;
/// assert_eq!(databricks_connect::format_wait(Duration::from_secs(80)), "1m20s");
/// ```
pub fn format_wait(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s:02}s"),
    }
}

/// One moment of a wait for a cluster (or serverless compute) to run, as given to
/// [`on_cluster_wait`](crate::DatabricksSessionBuilder::on_cluster_wait).
///
/// ```
/// use std::time::Duration;
/// use databricks_connect::{ClusterState, ClusterWait};
///
/// let wait = ClusterWait::new("0123-456789-abcdefgh", ClusterState::Pending, Duration::from_secs(80));
/// assert_eq!(wait.to_string(), "cluster 0123-456789-abcdefgh is starting (PENDING), 1m20s");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClusterWait {
    /// The cluster; `None` for serverless compute.
    pub cluster_id: Option<String>,
    /// The state it was last seen in; `RUNNING` once the wait is over.
    pub state: ClusterState,
    /// How long this wait has lasted.
    pub waited: Duration,
}

impl ClusterWait {
    /// A wait event.
    pub fn new(cluster_id: impl Into<String>, state: ClusterState, waited: Duration) -> Self {
        ClusterWait {
            cluster_id: Some(cluster_id.into()),
            state,
            waited,
        }
    }
}

impl fmt::Display for ClusterWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let doing = match self.state {
            ClusterState::Running | ClusterState::Resizing => "is running",
            ClusterState::Terminating => "is stopping before it can start",
            ClusterState::Restarting => "is restarting",
            _ => "is starting",
        };
        match &self.cluster_id {
            Some(id) => write!(f, "cluster {id} ")?,
            None => f.write_str("serverless compute ")?,
        }
        write!(f, "{doing} ({}), {}", self.state, format_wait(self.waited))
    }
}

/// Called with each step of a wait for a cluster.
pub(crate) type WaitObserver = Arc<dyn Fn(&ClusterWait) + Send + Sync>;

/// What `validate_session` does with a cluster that does not run.
pub(crate) struct StartPolicy {
    /// Start a terminated cluster and wait for a starting one.
    pub auto_start: bool,
    /// The longest wait for `RUNNING`.
    pub timeout: Duration,
    pub observer: Option<WaitObserver>,
}

/// What `clusters/get` says of a cluster.
struct ClusterInfo {
    state: ClusterState,
    state_message: String,
}

/// The Clusters API of one workspace, for one cluster.
pub(crate) struct ClustersApi<'a> {
    pub http: databricks_auth::RestClient,
    pub host: &'a str,
    pub cluster_id: &'a str,
    pub auth: &'a dyn AuthHeaderSource,
}

/// A failed REST call: its HTTP status, `error_code` and `message`.
struct ApiFailure {
    status: u16,
    code: String,
    message: String,
}

/// The outcome of one REST call that did not fail for good.
enum Attempt<T> {
    Done(T),
    /// A failure worth trying again (no answer, 429, 502, 503, 504), as the SDKs' clients
    /// retry them.
    Transient(ClusterError),
}

/// How many transient failures in a row end a wait.
const MAX_TRANSIENT_FAILURES: u32 = 10;

impl ClustersApi<'_> {
    /// Makes sure the cluster runs: starts a terminated one and waits for a starting one, as
    /// `policy` allows, as the SDKs' `ensure_cluster_is_running` does.
    pub(crate) async fn ensure_running(&self, policy: &StartPolicy) -> Result<(), ClusterError> {
        let started = Instant::now();
        let mut polls = 0u32;
        let mut start_sent = false;
        let mut transient = 0u32;
        loop {
            let waited = started.elapsed();
            let info = match self.get().await? {
                Attempt::Done(info) => info,
                Attempt::Transient(e) => {
                    transient += 1;
                    if transient >= MAX_TRANSIENT_FAILURES || waited >= policy.timeout {
                        return Err(e);
                    }
                    tracing::debug!(cluster_id = self.cluster_id, error = %e, "the Clusters API failed; trying again");
                    self.pause(transient, waited, policy).await;
                    continue;
                }
            };
            transient = 0;
            tracing::debug!(cluster_id = self.cluster_id, state = %info.state, "cluster state");
            let unusable = |hint| ClusterError::Unusable {
                cluster_id: self.cluster_id.to_string(),
                state: info.state.clone(),
                state_message: info.state_message.clone(),
                hint,
            };
            match &info.state {
                state if state.is_usable() => {
                    if polls > 0 {
                        tracing::info!(cluster_id = self.cluster_id, waited = %format_wait(waited), "the cluster runs");
                        self.notify(policy, ClusterState::Running, waited);
                    }
                    return Ok(());
                }
                ClusterState::Error | ClusterState::Unknown | ClusterState::Other(_) => {
                    return Err(unusable(
                        "look at the cluster's event log in the workspace, then start it again",
                    ));
                }
                // Started by this wait and stopped again: the start failed.
                ClusterState::Terminated if start_sent => {
                    return Err(unusable(
                        "it stopped while starting; look at the cluster's event log in the workspace",
                    ));
                }
                state if !policy.auto_start => {
                    return Err(ClusterError::NotRunning {
                        cluster_id: self.cluster_id.to_string(),
                        state: state.clone(),
                    });
                }
                ClusterState::Terminated if !start_sent => {
                    tracing::info!(
                        cluster_id = self.cluster_id,
                        "the cluster is terminated; starting it"
                    );
                    // A transient failure of the start is met by the next poll, which starts
                    // the cluster again if it is still terminated.
                    if let Attempt::Done(()) = self.start().await? {
                        start_sent = true;
                    }
                }
                _ => {}
            }
            if waited >= policy.timeout {
                return Err(ClusterError::StartTimeout {
                    cluster_id: self.cluster_id.to_string(),
                    state: info.state,
                    state_message: info.state_message,
                    waited,
                });
            }
            tracing::info!(cluster_id = self.cluster_id, state = %info.state, waited = %format_wait(waited), "waiting for the cluster to run");
            self.notify(policy, info.state.clone(), waited);
            polls += 1;
            self.pause(polls, waited, policy).await;
        }
    }

    /// The SDKs poll after 1, 2, ... seconds, at most 10, plus up to a second of jitter; never
    /// past the timeout.
    async fn pause(&self, polls: u32, waited: Duration, policy: &StartPolicy) {
        let pause = Duration::from_secs(u64::from(polls.min(10)))
            + Duration::from_millis(u64::from(jitter_millis(1000)));
        let left = policy.timeout.saturating_sub(waited);
        tokio::time::sleep(pause.min(left)).await;
    }

    fn notify(&self, policy: &StartPolicy, state: ClusterState, waited: Duration) {
        if let Some(observer) = &policy.observer {
            observer(&ClusterWait::new(self.cluster_id, state, waited));
        }
    }

    async fn get(&self) -> Result<Attempt<ClusterInfo>, ClusterError> {
        let url = format!("{}/api/2.0/clusters/get", self.host);
        let request = self
            .http
            .get(&url)
            .query(&[("cluster_id", self.cluster_id)]);
        let body = match self.send(request, &url, "check").await? {
            Attempt::Done(Ok(body)) => body,
            Attempt::Done(Err(failure)) => return Err(self.failure("check", failure)),
            Attempt::Transient(e) => return Ok(Attempt::Transient(e)),
        };
        let text = |key: &str| {
            body.get(key)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let state =
            body.get("state")
                .and_then(|s| s.as_str())
                .ok_or_else(|| ClusterError::Api {
                    cluster_id: self.cluster_id.to_string(),
                    action: "check",
                    message: format!("the answer of {url} has no `state`"),
                    source: None,
                })?;
        Ok(Attempt::Done(ClusterInfo {
            state: state.parse().unwrap_or(ClusterState::Unknown),
            state_message: text("state_message"),
        }))
    }

    /// `clusters/start`. Another client may have started (or stopped) the cluster between the
    /// check and this call: the API then answers `INVALID_STATE` ("... is in unexpected state
    /// Pending.", "... Running.", ...), after which the SDKs look at the state again, as the
    /// caller's next poll does.
    async fn start(&self) -> Result<Attempt<()>, ClusterError> {
        let url = format!("{}/api/2.0/clusters/start", self.host);
        let request = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(serde_json::json!({ "cluster_id": self.cluster_id }).to_string());
        match self.send(request, &url, "start").await? {
            Attempt::Done(Ok(_)) => Ok(Attempt::Done(())),
            Attempt::Transient(e) => Ok(Attempt::Transient(e)),
            Attempt::Done(Err(failure)) if failure.code == "INVALID_STATE" => {
                tracing::debug!(cluster_id = self.cluster_id, message = %failure.message, "the cluster changed state meanwhile (another client started it)");
                Ok(Attempt::Done(()))
            }
            Attempt::Done(Err(failure)) => Err(self.failure("start", failure)),
        }
    }

    /// Sends a request with fresh credentials: the JSON body of a success, or the failure.
    async fn send(
        &self,
        mut request: reqwest::RequestBuilder,
        url: &str,
        action: &'static str,
    ) -> Result<Attempt<Result<serde_json::Value, ApiFailure>>, ClusterError> {
        let api_error = |message: String, source| ClusterError::Api {
            cluster_id: self.cluster_id.to_string(),
            action,
            message,
            source,
        };
        let headers = self.auth.headers().await.map_err(|e| {
            api_error(
                format!("no credentials for {url}: {e}"),
                Some(Box::new(e) as Box<dyn std::error::Error + Send + Sync>),
            )
        })?;
        for (name, value) in headers.iter() {
            request = request.header(name, value);
        }
        let response = match self.http.send(request).await {
            Ok(response) => response,
            Err(e) => {
                // A proxy that refuses will refuse again; anything else (no connection, TLS,
                // a timeout) may be a blip.
                let lasting = e.proxy_error().is_some();
                let e = api_error(format!("{url}: {e}"), Some(Box::new(e)));
                return if lasting {
                    Err(e)
                } else {
                    Ok(Attempt::Transient(e))
                };
            }
        };
        let status = response.status();
        // An unreadable or non-JSON body is reported through the status.
        let body: serde_json::Value = response
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(serde_json::Value::Null);
        if status.is_success() {
            return Ok(Attempt::Done(Ok(body)));
        }
        let text = |key: &str| {
            body.get(key)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let failure = ApiFailure {
            status: status.as_u16(),
            code: text("error_code"),
            message: text("message"),
        };
        if matches!(failure.status, 429 | 502 | 503 | 504) {
            return Ok(Attempt::Transient(self.failure(action, failure)));
        }
        Ok(Attempt::Done(Err(failure)))
    }

    fn failure(&self, action: &'static str, failure: ApiFailure) -> ClusterError {
        let cluster_id = self.cluster_id.to_string();
        match failure.status {
            status @ (401 | 403) => ClusterError::Refused {
                cluster_id,
                status,
                message: failure.message,
            },
            _ if failure.code == "INVALID_PARAMETER_VALUE"
                || failure.code == "RESOURCE_DOES_NOT_EXIST" =>
            {
                ClusterError::NotFound {
                    cluster_id,
                    host: self.host.to_string(),
                    message: failure.message,
                }
            }
            status => ClusterError::Api {
                cluster_id,
                action,
                message: format!(
                    "the Clusters API answered {status} {} {}",
                    failure.code, failure.message
                )
                .trim_end()
                .to_string(),
                source: None,
            },
        }
    }
}

/// A random number of milliseconds below `max`.
pub(crate) fn jitter_millis(max: u32) -> u32 {
    (uuid::Uuid::new_v4().as_u128() % u128::from(max.max(1))) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_and_print_as_the_api_names_them() {
        for name in [
            "PENDING",
            "RUNNING",
            "RESTARTING",
            "RESIZING",
            "TERMINATING",
            "TERMINATED",
            "ERROR",
            "UNKNOWN",
        ] {
            let state: ClusterState = name.parse().unwrap();
            assert!(!matches!(state, ClusterState::Other(_)), "{name}");
            assert_eq!(state.to_string(), name);
        }
        let other: ClusterState = "HIBERNATING".parse().unwrap();
        assert_eq!(other, ClusterState::Other("HIBERNATING".into()));
        assert_eq!(other.to_string(), "HIBERNATING");
        assert!(ClusterState::Resizing.is_usable() && !ClusterState::Pending.is_usable());
    }

    #[test]
    fn waits_read_as_people_write_them() {
        assert_eq!(format_wait(Duration::from_millis(999)), "0s");
        assert_eq!(format_wait(Duration::from_secs(45)), "45s");
        assert_eq!(format_wait(Duration::from_secs(80)), "1m20s");
        assert_eq!(format_wait(Duration::from_secs(1800)), "30m");
    }

    #[test]
    fn cluster_errors_have_kinds() {
        let id = || "c1".to_string();
        let cases = [
            (
                ClusterError::NotFound {
                    cluster_id: id(),
                    host: "https://h".into(),
                    message: "does not exist".into(),
                },
                ErrorKind::NotFound,
            ),
            (
                ClusterError::Refused {
                    cluster_id: id(),
                    status: 401,
                    message: "bad token".into(),
                },
                ErrorKind::Unauthenticated,
            ),
            (
                ClusterError::Refused {
                    cluster_id: id(),
                    status: 403,
                    message: "no CAN ATTACH TO".into(),
                },
                ErrorKind::PermissionDenied,
            ),
            (
                ClusterError::Unusable {
                    cluster_id: id(),
                    state: ClusterState::Error,
                    state_message: String::new(),
                    hint: "look at the event log",
                },
                ErrorKind::ClusterState,
            ),
            (
                ClusterError::NotRunning {
                    cluster_id: id(),
                    state: ClusterState::Terminated,
                },
                ErrorKind::ClusterState,
            ),
            (
                ClusterError::StartTimeout {
                    cluster_id: id(),
                    state: ClusterState::Pending,
                    state_message: String::new(),
                    waited: Duration::from_secs(1),
                },
                ErrorKind::Timeout,
            ),
            (
                ClusterError::Api {
                    cluster_id: id(),
                    action: "check",
                    message: "the Clusters API answered 500".into(),
                    source: None,
                },
                ErrorKind::Server,
            ),
            (
                ClusterError::Api {
                    cluster_id: id(),
                    action: "check",
                    message: "no credentials".into(),
                    source: Some(Box::new(databricks_auth::AuthError::provider(
                        "oauth-m2m",
                        databricks_auth::AuthErrorKind::Unreachable,
                        "token endpoint down",
                    ))),
                },
                ErrorKind::Connection,
            ),
        ];
        for (e, kind) in cases {
            assert_eq!(e.kind(), kind, "{e:?}");
        }
    }

    #[tokio::test]
    async fn failed_requests_keep_their_kind() {
        let cfg = databricks_config::Config::builder()
            .env(databricks_config::Environment::from_map([(
                "HTTPS_PROXY",
                "socks5://proxy:1080",
            )]))
            .build()
            .unwrap();
        let http = databricks_auth::RestClient::new(&cfg).unwrap();
        let e = http.send(http.get("https://h/")).await.unwrap_err();
        let api = ClusterError::Api {
            cluster_id: "c1".into(),
            action: "check",
            message: e.to_string(),
            source: Some(Box::new(e)),
        };
        assert_eq!(api.kind(), ErrorKind::Configuration);
        let cfg = databricks_config::Config::builder()
            .env(databricks_config::Environment::from_map::<_, String, String>([]))
            .build()
            .unwrap();
        let http = databricks_auth::RestClient::new(&cfg).unwrap();
        // Nothing listens on port 1.
        let e = http
            .send(http.get("http://127.0.0.1:1/"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), databricks_auth::RestErrorKind::Unreachable);
        let api = ClusterError::Api {
            cluster_id: "c1".into(),
            action: "check",
            message: e.to_string(),
            source: Some(Box::new(e)),
        };
        assert_eq!(api.kind(), ErrorKind::Connection);
    }

    #[test]
    fn errors_say_what_to_do() {
        let e = ClusterError::StartTimeout {
            cluster_id: "c1".into(),
            state: ClusterState::Pending,
            state_message: "Finding instances".into(),
            waited: Duration::from_secs(90),
        };
        assert_eq!(
            e.to_string(),
            "cluster c1 did not reach RUNNING within 1m30s: it is still PENDING (Finding instances) (cluster_start_timeout sets how long to wait)"
        );
        let e = ClusterError::NotRunning {
            cluster_id: "c1".into(),
            state: ClusterState::Terminated,
        };
        assert!(e.to_string().contains("is TERMINATED"), "{e}");
    }
}
