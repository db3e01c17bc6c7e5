//! The server's version, known to the session: asked once (`AnalyzePlan`'s `SparkVersion`),
//! and only when a request uses a feature that not every supported server has.

use spark_connect_proto::spark::connect as pb;

use super::SparkConnectClient;
use crate::error::Error;
use crate::versions::{Feature, ServerVersion};

impl SparkConnectClient {
    /// The server's version, as far as this client knows it without asking: given to the
    /// builder ([`ClientBuilder::server_version`](crate::ClientBuilder::server_version)),
    /// or learned from an earlier [`server_version`](Self::server_version) or
    /// [`spark_version`](Self::spark_version) call.
    ///
    /// ```
    /// # use spark_connect_transport::{ConnectionString, SparkConnectClient};
    /// let client = SparkConnectClient::builder("sc://127.0.0.1:1".parse()?).build()?;
    /// assert!(client.known_server_version().is_none()); // nothing was asked yet
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn known_server_version(&self) -> Option<&ServerVersion> {
        self.inner.server_version.get()
    }

    /// The server's version, asked once per session (clones share it) and then kept.
    ///
    /// ```no_run
    /// # use spark_connect_transport::{ConnectionString, SparkConnectClient, Feature};
    /// # async fn demo(client: SparkConnectClient) -> Result<(), spark_connect_transport::Error> {
    /// let version = client.server_version().await?;
    /// if version.supports(Feature::Transpose) {
    ///     println!("Spark {version} transposes");
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn server_version(&self) -> Result<&ServerVersion, Error> {
        self.inner
            .server_version
            .get_or_try_init(|| async { Ok(ServerVersion::new(self.ask_spark_version().await?)) })
            .await
    }

    /// Checks that the server serves `feature`, asking its version first when it is not known
    /// yet; [`Error::NotSupportedByServer`] when it does not.
    ///
    /// ```no_run
    /// # use spark_connect_transport::{SparkConnectClient, Feature, ErrorKind};
    /// # async fn demo(client: SparkConnectClient) -> Result<(), spark_connect_transport::Error> {
    /// match client.require(Feature::Checkpoint).await {
    ///     Ok(()) => println!("checkpoints are served"),
    ///     Err(e) if e.kind() == ErrorKind::Unsupported => println!("{e}"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn require(&self, feature: Feature) -> Result<(), Error> {
        let server = match self.known_server_version() {
            Some(known) => known,
            None => self.learn_server_version().await?,
        };
        if server.supports(feature) {
            Ok(())
        } else {
            Err(Error::NotSupportedByServer {
                feature,
                server: server.clone(),
            })
        }
    }

    /// [`require`](Self::require), its future made and boxed in this short frame: the calls
    /// that check a plan await only a pointer, so their frames (large in debug builds) do
    /// not grow.
    pub(crate) fn require_boxed(
        &self,
        feature: Feature,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>> + Send + '_>> {
        Box::pin(self.require(feature))
    }

    /// Asks the version (once per session) in a task of its own, when there is a runtime to
    /// run one: the question is asked from inside other calls (`execute_plan`, `analyze`),
    /// and its nested calls would otherwise deepen their stack, by hundreds of KiB in debug
    /// builds, which overflowed a 2 MiB test thread.
    async fn learn_server_version(&self) -> Result<&ServerVersion, Error> {
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            match runtime.spawn(self.clone().version_question()).await {
                Ok(result) => result?,
                Err(e) => {
                    return Err(Error::Protocol(format!(
                        "the question of the server's version did not finish: {e}"
                    )));
                }
            }
            if let Some(known) = self.known_server_version() {
                return Ok(known);
            }
        }
        self.boxed_server_version().await
    }

    /// The version question as a task (built here, so that its large future is made in
    /// this short frame, not in the frames of the calls that wait for it).
    fn version_question(
        self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), Error>> + Send>> {
        Box::pin(async move { self.server_version().await.map(|_| ()) })
    }

    /// [`server_version`](Self::server_version), boxed here for the same reason.
    fn boxed_server_version(
        &self,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<&ServerVersion, Error>> + Send + '_>,
    > {
        Box::pin(self.server_version())
    }

    /// The feature of `plan` to check against the server's version before sending it: the
    /// newest one it uses, unless the version is known to serve every feature. `None` (the
    /// usual case) asks nothing; the caller then awaits [`require`](Self::require), boxed, so
    /// that the futures of the calls stay small.
    pub(crate) fn feature_to_check(&self, plan: &pb::Plan) -> Option<Feature> {
        if self
            .known_server_version()
            .is_some_and(|v| Feature::ALL.iter().all(|f| v.supports(*f)))
        {
            return None;
        }
        crate::plan_features::newest_feature(plan)
            .filter(|f| !self.known_server_version().is_some_and(|v| v.supports(*f)))
    }

    /// Like [`feature_to_check`](Self::feature_to_check), for a relation (of a persist or
    /// storage-level analysis).
    pub(crate) fn relation_feature_to_check(
        &self,
        relation: Option<&pb::Relation>,
    ) -> Option<Feature> {
        relation
            .and_then(crate::plan_features::newest_in_relation)
            .filter(|f| !self.known_server_version().is_some_and(|v| v.supports(*f)))
    }

    /// Whether the server is known (without asking) not to serve `feature`: its version is
    /// known ([`known_server_version`](Self::known_server_version)) and older than the
    /// feature. Requests use it to leave out what such a server would skip anyway.
    ///
    /// ```
    /// # use spark_connect_transport::{Feature, ServerVersion, SparkConnectClient};
    /// let client = SparkConnectClient::builder("sc://127.0.0.1:1".parse()?)
    ///     .server_version(ServerVersion::new("3.5.4"))
    ///     .build()?;
    /// assert!(client.known_not_to_serve(Feature::ReleaseSession));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn known_not_to_serve(&self, feature: Feature) -> bool {
        self.known_server_version()
            .is_some_and(|v| !v.supports(feature))
    }

    /// The `SparkVersion` analysis, uncached. Not through [`analyze`](Self::analyze), whose
    /// version check would make the question a part of itself.
    pub(crate) async fn ask_spark_version(&self) -> Result<String, Error> {
        let question = pb::analyze_plan_request::Analyze::SparkVersion(
            pb::analyze_plan_request::SparkVersion {},
        );
        match self.send_analysis(question).await? {
            pb::analyze_plan_response::Result::SparkVersion(v) => Ok(v.version),
            other => Err(super::unexpected("SparkVersion", &other)),
        }
    }
}
