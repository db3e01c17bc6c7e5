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
        // Boxed: asked at most once per session, and it would otherwise enlarge the future
        // of every call that checks a plan.
        let server = Box::pin(self.server_version()).await?;
        if server.supports(feature) {
            Ok(())
        } else {
            Err(Error::NotSupportedByServer {
                feature,
                server: server.clone(),
            })
        }
    }

    /// Refuses a plan that uses a feature newer than the server. A plan that uses none asks
    /// nothing; one that does asks the server's version once per session.
    pub(crate) async fn check_plan(&self, plan: &pb::Plan) -> Result<(), Error> {
        if self
            .known_server_version()
            .is_some_and(|v| Feature::ALL.iter().all(|f| v.supports(*f)))
        {
            return Ok(());
        }
        match crate::plan_features::newest_feature(plan) {
            None => Ok(()),
            Some(feature) => self.require(feature).await,
        }
    }

    /// Refuses a relation (of a persist or storage-level analysis) that uses a feature newer
    /// than the server.
    pub(crate) async fn check_relation(
        &self,
        relation: Option<&pb::Relation>,
    ) -> Result<(), Error> {
        match relation.and_then(crate::plan_features::newest_in_relation) {
            Some(feature)
                if !self
                    .known_server_version()
                    .is_some_and(|v| v.supports(feature)) =>
            {
                self.require(feature).await
            }
            _ => Ok(()),
        }
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

    /// The `SparkVersion` analysis, uncached.
    pub(crate) async fn ask_spark_version(&self) -> Result<String, Error> {
        let result = self
            .analyze(pb::analyze_plan_request::Analyze::SparkVersion(
                pb::analyze_plan_request::SparkVersion {},
            ))
            .await?;
        match result {
            pb::analyze_plan_response::Result::SparkVersion(v) => Ok(v.version),
            other => Err(super::unexpected("SparkVersion", &other)),
        }
    }
}
