//! The calls a client makes: `ExecutePlan`, `AnalyzePlan`, `Config`, `Interrupt`,
//! `ReleaseSession`, operation tags, `FetchErrorDetails` and `ReleaseExecute`, each under its
//! deadline and retry policy.

use std::future::Future;
use std::time::Duration;

use spark_connect_proto::spark::connect as pb;

use super::builder::DEFAULT_REQUEST_TIMEOUT;
use super::{Failure, SparkConnectClient};
use crate::error::{Error, ErrorCause, SessionEndReason};
use crate::execute::ExecuteStream;

impl SparkConnectClient {
    /// Runs a plan and returns its responses as they arrive. The execution is reattachable:
    /// a stream that breaks is resumed where it stopped (see [`ExecuteStream`]).
    ///
    /// A plan that uses a feature newer than the server ([`Feature`](crate::Feature)) is
    /// refused with [`Error::NotSupportedByServer`] before it is sent (the server's version is
    /// asked once per session, and only for such plans).
    pub async fn execute_plan(&self, plan: pb::Plan) -> Result<ExecuteStream, Error> {
        if let Some(feature) = self.feature_to_check(&plan) {
            self.require_boxed(feature).await?;
        }
        let operation_id = uuid::Uuid::new_v4().to_string();
        let mut request_options = Vec::with_capacity(2);
        request_options.push(pb::execute_plan_request::RequestOption {
            request_option: Some(
                pb::execute_plan_request::request_option::RequestOption::ReattachOptions(
                    pb::ReattachOptions { reattachable: true },
                ),
            ),
        });
        // Sent to every server, as PySpark does (older ones skip the unknown option and send
        // whole batches), except to a server known to be older.
        if !self.known_not_to_serve(crate::Feature::ResultChunking) {
            request_options.push(pb::execute_plan_request::RequestOption {
                request_option: Some(
                    pb::execute_plan_request::request_option::RequestOption::ResultChunkingOptions(
                        pb::ResultChunkingOptions {
                            allow_arrow_batch_chunking: self.inner.arrow_chunking.0,
                            preferred_arrow_chunk_size: self.inner.arrow_chunking.1,
                        },
                    ),
                ),
            });
        }
        let request = pb::ExecutePlanRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            operation_id: Some(operation_id.clone()),
            plan: Some(plan),
            client_type: Some(self.inner.client_type.clone()),
            request_options,
            tags: self.tags(),
        };
        self.check_message_size("ExecutePlan", &request)?;
        tracing::debug!(operation_id = %operation_id, "ExecutePlan");
        ExecuteStream::start(self.clone(), request).await
    }

    /// Asks the server to analyze a plan (schema, explain, version, ...).
    pub async fn analyze(
        &self,
        analyze: pb::analyze_plan_request::Analyze,
    ) -> Result<pb::analyze_plan_response::Result, Error> {
        if let Some(feature) = self.analysis_feature_to_check(&analyze) {
            self.require_boxed(feature).await?;
        }
        self.send_analysis(analyze).await
    }

    /// Sends an analysis without the version check (which asks its question through this).
    pub(crate) async fn send_analysis(
        &self,
        analyze: pb::analyze_plan_request::Analyze,
    ) -> Result<pb::analyze_plan_response::Result, Error> {
        let message = pb::AnalyzePlanRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            client_type: Some(self.inner.client_type.clone()),
            analyze: Some(analyze),
        };
        self.check_message_size("AnalyzePlan", &message)?;
        let message = &message;
        let response = self
            .retrying("AnalyzePlan", move || async move {
                let request = self
                    .request(message.clone())
                    .await
                    .map_err(Failure::Fatal)?;
                Ok(self.grpc().analyze_plan(request).await?.into_inner())
            })
            .await?;
        self.check_session(&response.session_id, &response.server_side_session_id)?;
        response
            .result
            .ok_or_else(|| Error::Protocol("AnalyzePlanResponse without a result".into()))
    }

    /// The server's Spark version, e.g. `4.3.0`, asked again on every call; the session
    /// keeps what it learns (see [`server_version`](Self::server_version), which asks once).
    pub async fn spark_version(&self) -> Result<String, Error> {
        let version = self.ask_spark_version().await?;
        let _ = self
            .inner
            .server_version
            .set(crate::ServerVersion::new(version.clone()));
        Ok(version)
    }

    /// The feature to check before an analysis of a plan (see `feature_to_check`).
    fn analysis_feature_to_check(
        &self,
        analyze: &pb::analyze_plan_request::Analyze,
    ) -> Option<crate::Feature> {
        use pb::analyze_plan_request::Analyze as A;
        let plans: [Option<&pb::Plan>; 2] = match analyze {
            A::Schema(a) => [a.plan.as_ref(), None],
            A::Explain(a) => [a.plan.as_ref(), None],
            A::TreeString(a) => [a.plan.as_ref(), None],
            A::IsLocal(a) => [a.plan.as_ref(), None],
            A::IsStreaming(a) => [a.plan.as_ref(), None],
            A::InputFiles(a) => [a.plan.as_ref(), None],
            A::SameSemantics(a) => [a.target_plan.as_ref(), a.other_plan.as_ref()],
            A::SemanticHash(a) => [a.plan.as_ref(), None],
            A::Persist(a) => return self.relation_feature_to_check(a.relation.as_ref()),
            A::Unpersist(a) => return self.relation_feature_to_check(a.relation.as_ref()),
            A::GetStorageLevel(a) => return self.relation_feature_to_check(a.relation.as_ref()),
            A::SparkVersion(_) | A::DdlParse(_) | A::JsonToDdl(_) => [None, None],
        };
        plans
            .into_iter()
            .flatten()
            .filter_map(|p| self.feature_to_check(p))
            .max_by_key(|f| f.since())
    }

    /// Runs a configuration operation (set, get, unset, ...).
    pub async fn config(
        &self,
        operation: pb::config_request::Operation,
    ) -> Result<pb::ConfigResponse, Error> {
        let message = pb::ConfigRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            operation: Some(operation),
            client_type: Some(self.inner.client_type.clone()),
        };
        let message = &message;
        let response = self
            .retrying("Config", move || async move {
                let request = self
                    .request(message.clone())
                    .await
                    .map_err(Failure::Fatal)?;
                Ok(self.grpc().config(request).await?.into_inner())
            })
            .await?;
        self.check_session(&response.session_id, &response.server_side_session_id)?;
        Ok(response)
    }

    /// Interrupts every operation of this session that is running; returns their ids.
    pub async fn interrupt_all(&self) -> Result<Vec<String>, Error> {
        self.interrupt(pb::interrupt_request::InterruptType::All, None)
            .await
    }

    /// Interrupts the running operations of this session that carry `tag`; returns their ids.
    pub async fn interrupt_tag(&self, tag: &str) -> Result<Vec<String>, Error> {
        check_tag(tag)?;
        self.interrupt(
            pb::interrupt_request::InterruptType::Tag,
            Some(pb::interrupt_request::Interrupt::OperationTag(
                tag.to_string(),
            )),
        )
        .await
    }

    /// Interrupts the operation `operation_id` (see [`ExecuteStream::operation_id`]); returns
    /// its id when it was running.
    pub async fn interrupt_operation(&self, operation_id: &str) -> Result<Vec<String>, Error> {
        self.interrupt(
            pb::interrupt_request::InterruptType::OperationId,
            Some(pb::interrupt_request::Interrupt::OperationId(
                operation_id.to_string(),
            )),
        )
        .await
    }

    async fn interrupt(
        &self,
        kind: pb::interrupt_request::InterruptType,
        interrupt: Option<pb::interrupt_request::Interrupt>,
    ) -> Result<Vec<String>, Error> {
        let message = pb::InterruptRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            client_type: Some(self.inner.client_type.clone()),
            interrupt_type: kind as i32,
            interrupt,
        };
        let message = &message;
        let response = self
            .retrying("Interrupt", move || async move {
                let request = self
                    .request(message.clone())
                    .await
                    .map_err(Failure::Fatal)?;
                Ok(self.grpc().interrupt(request).await?.into_inner())
            })
            .await?;
        self.check_session(&response.session_id, &response.server_side_session_id)?;
        Ok(response.interrupted_ids)
    }

    /// Ends the session on the server (`ReleaseSession`): its temporary views, settings and
    /// cached data are dropped, running operations are interrupted, and from then on this
    /// client (and its clones) refuses every call with [`Error::SessionEnded`], even when the
    /// server could not be told. Ending a session that has already ended does nothing.
    pub async fn release_session(&self) -> Result<(), Error> {
        if self.is_closed() {
            return Ok(());
        }
        if self.known_not_to_serve(crate::Feature::ReleaseSession) {
            // As PySpark's stop() on such a server: the session ends here and the server
            // drops it after its idle timeout.
            tracing::debug!("the server has no ReleaseSession; the session ends on this side only");
            self.end_session(SessionEndReason::Stopped, None);
            return Ok(());
        }
        let message = pb::ReleaseSessionRequest {
            session_id: self.inner.session_id.clone(),
            user_context: Some(self.inner.user_context.clone()),
            client_type: Some(self.inner.client_type.clone()),
            allow_reconnect: false,
        };
        // Ended from now on, so that calls racing with this one (a release of a finished
        // result, say) are refused, or reported as stopped, rather than closed by the server.
        self.end_session(SessionEndReason::Stopped, None);
        let message = &message;
        let result = self
            .retrying("ReleaseSession", move || async move {
                let request = self
                    .request_even_if_ended(message.clone())
                    .await
                    .map_err(Failure::Fatal)?;
                Ok(self.grpc().release_session(request).await?.into_inner())
            })
            .await
            .and_then(|r| self.check_session(&r.session_id, &r.server_side_session_id));
        match result {
            // The server had ended it already: it is ended all the same.
            Err(e) if e.session_end().is_some() => Ok(()),
            // A server older than the RPC (Spark 3.5): what PySpark's stop() does, logging
            // it and going on; the server drops the session after its idle timeout.
            Err(e)
                if e.server_error()
                    .is_some_and(|s| s.code() == tonic::Code::Unimplemented) =>
            {
                tracing::debug!(error = %e, "the server has no ReleaseSession; the session ends on this side only");
                Ok(())
            }
            other => other,
        }
    }

    /// Adds `tag` to the operations this client starts from now on, so that
    /// [`interrupt_tag`](Self::interrupt_tag) can stop them. Tags are shared by the clones of
    /// this client.
    pub fn add_tag(&self, tag: &str) -> Result<(), Error> {
        check_tag(tag)?;
        let mut tags = self.lock_tags();
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
        Ok(())
    }

    /// Stops adding `tag` to new operations.
    pub fn remove_tag(&self, tag: &str) {
        self.lock_tags().retain(|t| t != tag);
    }

    /// The tags added to new operations.
    pub fn tags(&self) -> Vec<String> {
        self.lock_tags().clone()
    }

    /// Stops adding any tag to new operations.
    pub fn clear_tags(&self) {
        self.lock_tags().clear();
    }

    fn lock_tags(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        // A plain list: a panic elsewhere cannot leave it inconsistent.
        self.inner.tags.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Asks the server for the full description of the error it keeps under `error_id`
    /// (causes, query context, server stack trace when enabled).
    pub async fn fetch_error_details(
        &self,
        error_id: &str,
    ) -> Result<pb::FetchErrorDetailsResponse, Error> {
        if self.known_not_to_serve(crate::Feature::FetchErrorDetails) {
            self.require(crate::Feature::FetchErrorDetails).await?;
        }
        let message = pb::FetchErrorDetailsRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            error_id: error_id.to_string(),
            client_type: Some(self.inner.client_type.clone()),
        };
        let message = &message;
        self.retrying("FetchErrorDetails", move || async move {
            let request = self
                .request(message.clone())
                .await
                .map_err(Failure::Fatal)?;
            Ok(self.grpc().fetch_error_details(request).await?.into_inner())
        })
        .await
    }

    /// Adds the server's error chain to a server error that carries an error id. One attempt
    /// under the request deadline; when it fails, the error is returned as it was.
    pub(crate) async fn with_error_details(&self, e: Error) -> Error {
        let Error::Server(mut server) = e else {
            return e;
        };
        let Some(error_id) = server.error_id().map(str::to_string) else {
            return Error::Server(server);
        };
        if self.known_not_to_serve(crate::Feature::FetchErrorDetails) {
            return Error::Server(server);
        }
        let message = pb::FetchErrorDetailsRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            error_id,
            client_type: Some(self.inner.client_type.clone()),
        };
        let call = async {
            let request = self.request(message).await?;
            self.grpc()
                .fetch_error_details(request)
                .await
                .map_err(|s| self.status_error(s))
        };
        match self
            .under_deadline("FetchErrorDetails", Some(self.single_attempt_limit()), call)
            .await
            .and_then(|r| r)
        {
            Ok(response) => server.set_chain(ErrorCause::chain_from(&response.into_inner())),
            Err(e) => tracing::debug!(error = %e, "FetchErrorDetails failed"),
        }
        Error::Server(server)
    }

    /// `ReleaseExecute` for an operation: all of it (`until` = `None`) or its responses up to
    /// and including `until`. One attempt under the request deadline; the server also drops
    /// abandoned operations by itself, so a failure here loses nothing.
    pub(crate) async fn release_execute(
        &self,
        operation_id: &str,
        until: Option<String>,
    ) -> Result<(), Error> {
        use pb::release_execute_request::{Release, ReleaseAll, ReleaseUntil};
        let release = match until {
            Some(response_id) => Release::ReleaseUntil(ReleaseUntil { response_id }),
            None => Release::ReleaseAll(ReleaseAll {}),
        };
        let message = pb::ReleaseExecuteRequest {
            session_id: self.inner.session_id.clone(),
            client_observed_server_side_session_id: self.observed_server_session(),
            user_context: Some(self.inner.user_context.clone()),
            operation_id: operation_id.to_string(),
            client_type: Some(self.inner.client_type.clone()),
            release: Some(release),
        };
        let call = async {
            let request = self.request(message).await?;
            self.grpc()
                .release_execute(request)
                .await
                .map_err(|s| self.status_error(s))
        };
        self.under_deadline("ReleaseExecute", Some(self.single_attempt_limit()), call)
            .await?
            .map(|_| ())
    }

    /// The deadline of a call made once, without retries: the request timeout, and even when
    /// that is turned off, the default, so that a best-effort call never waits forever.
    fn single_attempt_limit(&self) -> Duration {
        self.inner
            .request_timeout
            .unwrap_or(DEFAULT_REQUEST_TIMEOUT)
    }

    /// Runs one attempt of the RPC `rpc` under `limit` (none: no deadline); an overrun is
    /// `Error::Timeout` naming the call.
    pub(super) async fn under_deadline<T>(
        &self,
        rpc: &str,
        limit: Option<Duration>,
        call: impl Future<Output = T>,
    ) -> Result<T, Error> {
        let Some(limit) = limit else {
            return Ok(call.await);
        };
        tokio::time::timeout(limit, call)
            .await
            .map_err(|_| Error::Timeout {
                endpoint: self.inner.endpoint.clone(),
                what: format!("{rpc} call"),
                after: limit,
            })
    }
}

fn check_tag(tag: &str) -> Result<(), Error> {
    if tag.is_empty() || tag.contains(',') {
        return Err(Error::InvalidArgument(format!(
            "an operation tag must be non-empty and contain no ',', found '{tag}'"
        )));
    }
    Ok(())
}
